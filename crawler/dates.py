"""Publication dates, including dates written in Arabic in every regional month-name system.

A wrong date corrupts every `--since` export, so nothing here guesses: a text whose day, month and year
cannot all be read gives None. htmldate, by contrast, turns a month name it does not know into January 1st,
which is why the text part of this module does not use it (nor trafilatura, which calls it).

Values: a `datetime` when a time was read (timezone-aware when the text carried an offset), a `date` when
only the day was read. A bare day is kept a `date` on purpose: "2023-09-19T00:00:00" would claim a midnight
nobody wrote, and feeds.py, extract.py and the exports rely on a day staying "YYYY-MM-DD".
"""
from __future__ import annotations

import email.utils
import logging
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterator, Union

import regex
from lxml import etree
from lxml.html import HtmlElement, fromstring

from crawler.metadata import json_ld_objects

LOGGER = logging.getLogger(__name__)

DateValue = Union[datetime, date]

# Years outside this range are a CMS's placeholders (epoch zero, 9999) or a Hijri year (13xx-14xx).
MIN_YEAR, MAX_YEAR = 1900, 2100

# ---------------------------------------------------------------------------------------------------------
# Month names, written as they are after _fold(): hamza forms folded to ا, ى to ي, ة to ه, no harakat or
# tatweel. One row per system so a reviewer can check each against a newspaper of that country.
_MONTH_SYSTEMS: dict[str, list[str]] = {
    # Egypt, the Gulf, Sudan, Libya today (إبريل folds to ابريل; يونيه and يوليه are in _MONTH_VARIANTS)
    "egyptian": ["يناير", "فبراير", "مارس", "ابريل", "مايو", "يونيو", "يوليو", "اغسطس", "سبتمبر", "اكتوبر",
                 "نوفمبر", "ديسمبر"],
    # Syria, Lebanon, Jordan, Palestine, Iraq; the two-word names come in with and without the article
    "levantine": ["كانون الثاني", "شباط", "اذار", "نيسان", "ايار", "حزيران", "تموز", "اب", "ايلول",
                  "تشرين الاول", "تشرين الثاني", "كانون الاول"],
    # Algeria, Tunisia (from French)
    "maghreb": ["جانفي", "فيفري", "مارس", "افريل", "ماي", "جوان", "جويليه", "اوت", "سبتمبر", "اكتوبر",
                "نوفمبر", "ديسمبر"],
    # Morocco (from Spanish/French)
    "moroccan": ["يناير", "فبراير", "مارس", "ابريل", "ماي", "يونيو", "يوليوز", "غشت", "شتنبر", "اكتوبر",
                 "نونبر", "دجنبر"],
}
# Spellings found in print besides the canonical ones above (all already folded).
_MONTH_VARIANTS: dict[str, int] = {
    "يونيه": 6, "يوليه": 7,  # Egyptian print
    # colloquial Levantine: no article on the ordinal
    "كانون ثاني": 1, "تشرين اول": 10, "تشرين ثاني": 11, "كانون اول": 12,
}
_ENGLISH_MONTHS = ("january february march april may june july august september october november december"
                   .split())

MONTHS: dict[str, int] = {}
for _names in _MONTH_SYSTEMS.values():
    MONTHS.update({name: number for number, name in enumerate(_names, 1)})
MONTHS.update(_MONTH_VARIANTS)
MONTHS.update({name: number for number, name in enumerate(_ENGLISH_MONTHS, 1)})
MONTHS.update({name[:3]: number for number, name in enumerate(_ENGLISH_MONTHS, 1)})
MONTHS["sept"] = 9


def _month_alternation() -> str:
    # Longest first, so "كانون الثاني" wins over any shorter name and "مايو" over "ماي"; the space inside
    # a two-word name may be any run of whitespace.
    names = sorted(MONTHS, key=len, reverse=True)
    return "|".join(r"\s+".join(regex.escape(part) for part in name.split()) for name in names)


_MONTH = _month_alternation()
# Between day, month and year: spaces, "-", "/", ".", commas, and the parentheses of "أيلول (سبتمبر)".
_SEP = r"[\s\-/.,،()]"
# A year followed by هـ (or هجري) is Hijri; a following م is the Gregorian marker and is simply allowed.
_HIJRI = r"(?P<hijri>\s*(?:ه(?!\p{L})|هجري))?"

# "19 أيلول/ سبتمبر 2023", "19-سبتمبر-2023", "الثلاثاء 19 شباط (فبراير) 2023م"
_DAY_MONTH_YEAR = regex.compile(
    rf"(?<![0-9])(?P<day>[0-9]{{1,2}}){_SEP}*(?P<month>{_MONTH})(?!\p{{L}})"
    rf"(?:{_SEP}*(?P<month2>{_MONTH})(?!\p{{L}}))?{_SEP}*(?P<year>[0-9]{{4}})(?![0-9]){_HIJRI}",
    regex.IGNORECASE,
)
# "سبتمبر 19، 2023", "September 19, 2023"
_MONTH_DAY_YEAR = regex.compile(
    rf"(?<!\p{{L}})(?P<month>{_MONTH})(?!\p{{L}}){_SEP}*(?P<day>[0-9]{{1,2}}){_SEP}+(?P<year>[0-9]{{4}})(?![0-9])"
    rf"{_HIJRI}",
    regex.IGNORECASE,
)
_TZ = r"(?P<tz>Z|GMT|UTC|UT|[+-][0-9]{2}(?::?[0-9]{2})?)"
_ISO = regex.compile(
    r"(?<![0-9])(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})-(?P<day>[0-9]{1,2})(?![0-9])"
    r"(?:[T\s](?P<h>[0-9]{1,2}):(?P<m>[0-9]{2})(?::(?P<s>[0-9]{2})(?:[.,][0-9]+)?)?"
    r"(?:\s*(?P<ampm>ص|م|am|pm)(?!\p{L}))?(?:\s*" + _TZ + r")?)?",
    regex.IGNORECASE,
)
# d/m/Y is the Arabic order; one separator used twice, so "19/09-2023" is not read as a date
_NUMERIC_DMY = regex.compile(
    r"(?<![0-9/.\-])(?P<day>[0-9]{1,2})(?P<sep>[/.\-])(?P<month>[0-9]{1,2})(?P=sep)(?P<year>[0-9]{4})(?![0-9])"
    + _HIJRI
)
_NUMERIC_YMD = regex.compile(
    r"(?<![0-9/.\-])(?P<year>[0-9]{4})(?P<sep>[/.])(?P<month>[0-9]{1,2})(?P=sep)(?P<day>[0-9]{1,2})(?![0-9/.])"
    + _HIJRI
)
# "10:30 ص", "03:15 م", "10:30 صباحا", "14:00", "10:30:00 GMT"; a PM "م" must stand alone, not begin a word
_TIME = regex.compile(
    r"(?<![0-9:])(?P<h>[0-9]{1,2}):(?P<m>[0-9]{2})(?::(?P<s>[0-9]{2}))?(?![0-9])"
    r"(?:\s*(?P<ampm>صباحا|مساء|ص|م|am|pm|a\.m\.|p\.m\.)(?!\p{L}))?(?:\s*" + _TZ + r"(?![\p{L}0-9]))?",
    regex.IGNORECASE,
)
# RSS pubDate shape; only such strings go to email.utils, which is lenient with anything else
_RFC822 = regex.compile(r"^\s*(?:[A-Za-z]{3,9},?\s*)?[0-9]{1,2}\s+[A-Za-z]{3,9}\.?\s+[0-9]{2,4}\s+[0-9]{1,2}:[0-9]{2}")
# A date right after one of these is when the article changed, not when it appeared.
_UPDATE_LABEL = regex.compile(r"(?:تحديث|محدث|تعديل|updated?|modified)[^0-9]{0,25}$", regex.IGNORECASE)
# How far a time may sit from its date, with no digit in between ("- الساعة", " | ").
_TIME_GAP = 25

_MARKS = regex.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")  # harakat, Quranic marks, tatweel
_FOLD = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ک": "ك", "ی": "ي",
    **{chr(0x660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
    **{chr(0x6F0 + d): str(d) for d in range(10)},  # Persian (extended Arabic-Indic) digits
    "٫": ".", "٬": ",", "\u200f": " ", "\u200e": " ", "\u200c": "", "\u200d": "",
})

# ---------------------------------------------------------------------------------------------------------
# Structured metadata, best first: publication time beats a generic "date" (sometimes the crawl day).
_META_KEYS = (
    "article:published_time", "og:published_time", "og:article:published_time", "article:published",
    "datepublished", "publishdate", "publish-date", "publish_date", "pubdate", "article.published",
    "sailthru.date", "parsely-pub-date", "dc.date.issued", "dcterms.issued", "dcterms.created", "dc.date",
    "date",
)
_META_RANK = {key: rank for rank, key in enumerate(_META_KEYS)}
# class/id words that mark a dateline, and the words that mark somewhere a date is not the article's own
_DATELINE_WORDS = ("date", "time", "publish", "posted", "byline", "meta", "tarikh")
_NOT_DATELINE_WORDS = ("comment", "related", "sidebar", "widget", "most-read", "mostread",
                       # the site's top bar showing today's date, not the article's
                       "today", "current-date", "currentdate", "current_date", "topbar", "top-bar")
_UPDATE_WORDS = ("modif", "update")
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "nav", "aside", "footer", "form", "select"})
_TOP_TEXT_CHARS = 1500
_DATELINE_TEXT_CHARS = 300
_MAX_DATELINES = 30


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    day: date
    clock: time | None  # None: the text gave no time
    named_month: bool  # read from a month name, not from digits alone


def _fold(text: str) -> str:
    """NFKC, no harakat or tatweel, one hamza-less alef, ASCII digits: the form the patterns expect."""
    return _MARKS.sub("", unicodedata.normalize("NFKC", text)).translate(_FOLD)


def _valid(year: int, month: int, day: int) -> date | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:  # 31 شباط, month 13
        return None


def _tz(value: str | None) -> timezone | None:
    if not value:
        return None
    if value.upper() in ("Z", "GMT", "UTC", "UT"):
        return timezone.utc
    sign = 1 if value[0] == "+" else -1
    digits = value[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 14 or minutes > 59:  # no real zone is further than +14:00
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _clock(hour: int, minute: int, second: int, ampm: str | None, tz: str | None) -> time | None:
    ampm = (ampm or "").lower()
    if ampm in ("م", "مساء", "pm", "p.m."):
        if 1 <= hour <= 11:
            hour += 12  # "14:00 م" is also written: a 24-hour time stays as it is
        elif hour == 0:
            return None
    elif ampm in ("ص", "صباحا", "am", "a.m."):
        if hour > 12:
            return None  # "15:00 ص" contradicts itself
        hour %= 12
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second, tzinfo=_tz(tz))


def _time_at(match: regex.Match) -> time | None:
    return _clock(int(match["h"]), int(match["m"]), int(match["s"] or 0), match["ampm"], match["tz"])


def _candidates(text: str) -> list[_Found]:
    """Every date in folded text, in reading order, without overlaps."""
    found: list[_Found] = []
    for iso in _ISO.finditer(text):
        day = _valid(int(iso["year"]), int(iso["month"]), int(iso["day"]))
        if day:
            clock = _time_at(iso) if iso["h"] else None
            found.append(_Found(iso.start(), iso.end(), day, clock, False))
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        for m in pattern.finditer(text):
            if m["hijri"]:
                LOGGER.debug("Hijri date skipped: %r", m.group())
                continue
            month = MONTHS[_month_key(m["month"])]
            if pattern is _DAY_MONTH_YEAR and m["month2"] and MONTHS[_month_key(m["month2"])] != month:
                continue  # "أيلول/أكتوبر": two names that disagree are not a date we can trust
            day = _valid(int(m["year"]), month, int(m["day"]))
            if day:
                found.append(_Found(m.start(), m.end(), day, None, True))
    for pattern in (_NUMERIC_YMD, _NUMERIC_DMY):
        for m in pattern.finditer(text):
            if m["hijri"]:
                continue
            day = _valid(int(m["year"]), int(m["month"]), int(m["day"]))
            if day:
                found.append(_Found(m.start(), m.end(), day, None, False))
    found.sort(key=lambda f: (f.start, -f.end))
    kept: list[_Found] = []
    for f in found:
        if not kept or f.start >= kept[-1].end:
            kept.append(f)
    return kept


def _month_key(name: str) -> str:
    return " ".join(name.lower().split())


def _nearby_time(text: str, found: _Found, high: int) -> time | None:
    """The time written right after the date ("- 10:30 ص", "الساعة 14:00"), with no digit in between.

    A time before the date is not read: in "10:30 19-09-2023" it may as well be the time of another event,
    and a bare day is an honest answer.
    """
    after = _TIME.search(text, found.end, min(high, found.end + _TIME_GAP + 20))
    if after and after.start() - found.end <= _TIME_GAP and not regex.search("[0-9]", text[found.end:after.start()]):
        return _time_at(after)
    return None


def _value(found: _Found, clock: time | None) -> DateValue:
    if clock is None:
        return found.day  # a date alone claims no time
    return datetime.combine(found.day, clock.replace(tzinfo=None), tzinfo=clock.tzinfo)


def _pick(text: str, named_only: bool = False) -> DateValue | None:
    """The first date in folded text, skipping one labelled as an update when another date is there."""
    found = [f for f in _candidates(text) if f.named_month or not named_only]
    if not found:
        return None
    chosen_index = 0
    for i, f in enumerate(found):
        previous_end = found[i - 1].end if i else 0
        if not _UPDATE_LABEL.search(text, previous_end, f.start):
            chosen_index = i
            break
    chosen = found[chosen_index]
    high = found[chosen_index + 1].start if chosen_index + 1 < len(found) else len(text)
    clock = chosen.clock if chosen.clock is not None else _nearby_time(text, chosen, high)
    return _value(chosen, clock)


def parse_date_text(text: str) -> DateValue | None:
    """One date written as text: ISO 8601, RFC 822, d/m/Y or Y/m/d, or Arabic in any month-name system.

    Words around the date (day names, "نشر في:", "آخر تحديث") are allowed; a time next to it is read
    (ص = AM, م = PM, except the م right after a year, which marks the Gregorian calendar).
    """
    if not text or not text.strip():
        return None
    if _RFC822.match(text):  # RSS pubDate; email.utils knows the named zones (EST, PDT...)
        try:
            parsed = email.utils.parsedate_to_datetime(text.strip())
        except (TypeError, ValueError, IndexError, OverflowError):
            parsed = None
        if parsed is not None and MIN_YEAR <= parsed.year <= MAX_YEAR:
            return parsed
    return find_date_in_text(text)


def find_date_in_text(text: str) -> DateValue | None:
    """The first readable date inside a longer string (a byline, a dateline), or None."""
    if not text:
        return None
    return _pick(_fold(text))


# ---------------------------------------------------------------------------------------------------------
# Pages


def _load(page: str | bytes | HtmlElement | etree._ElementTree) -> etree._Element | None:
    if isinstance(page, etree._ElementTree):
        return page.getroot()
    if isinstance(page, etree._Element):
        return page
    try:
        return fromstring(page)
    except ValueError:
        if isinstance(page, str):  # "Unicode strings with encoding declaration are not supported"
            try:
                return fromstring(page.encode("utf-8"))
            except (ValueError, etree.LxmlError) as exc:
                LOGGER.debug("unparseable page for dates: %s", exc)
        return None
    except (TypeError, etree.LxmlError) as exc:  # empty document
        LOGGER.debug("unparseable page for dates: %s", exc)
        return None


def _meta_date(tree: etree._Element) -> DateValue | None:
    best: tuple[int, DateValue] | None = None
    for meta in tree.iter("meta"):
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            rank = _META_RANK.get((meta.get(attribute) or "").strip().lower())
            if rank is not None:
                break
        if rank is None or (best is not None and rank >= best[0]):
            continue
        value = parse_date_text(meta.get("content") or meta.get("value") or "")
        if value:
            best = (rank, value)
    return best[1] if best else None


def _json_ld_date(tree: etree._Element) -> DateValue | None:
    """datePublished of an Article-like node first (a WebPage's date may be the page's), then any node's."""
    fallback: DateValue | None = None
    for node in json_ld_objects(tree):
        raw = node.get("datePublished") or node.get("dateCreated")
        if not isinstance(raw, str):
            continue
        parsed = parse_date_text(raw)
        if not parsed:
            continue
        kinds = node.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if any(isinstance(k, str) and ("Article" in k or "Posting" in k or k == "Report") for k in kinds):
            return parsed
        fallback = fallback or parsed
    return fallback


def _marked_time_date(tree: etree._Element) -> DateValue | None:
    """itemprop="datePublished" on any element, then <time datetime> in the article or its header."""
    for element in tree.xpath("//*[@itemprop='datePublished'][not(self::meta)]"):
        raw = (element.get("datetime") or element.get("content")
               or "".join(element.itertext())[:_DATELINE_TEXT_CHARS])
        value = parse_date_text(raw)
        if value:
            return value
    # One query at a time, in order of trust (a union comes back in document order). A <header> counts only
    # when it is the article's: the page's top <header> is the site's, and often shows today's date.
    for query in ("//time[@pubdate][@datetime]", "//article//time[@datetime]", "//main//time[@datetime]",
                  "//header[contains(@class,'entry') or contains(@class,'article') or contains(@class,'post')]"
                  "//time[@datetime]"):
        for element in tree.xpath(query):
            if _excluded(element):
                continue
            value = parse_date_text(element.get("datetime") or "")
            if value:
                return value
    return None


def _words(element: etree._Element) -> str:
    return f"{element.get('class') or ''} {element.get('id') or ''}".lower()


def _marks_update(element: etree._Element) -> bool:
    """A "modified"/"updated" element, unless it also says "published" (WordPress: "published updated")."""
    words = _words(element)
    return any(word in words for word in _UPDATE_WORDS) and "publish" not in words


def _excluded(element: etree._Element) -> bool:
    """In a sidebar, a comment, a footer, or marked as an update: its date is not the article's."""
    if _marks_update(element):
        return True
    for node in (element, *element.iterancestors()):
        if not isinstance(node.tag, str) or node.tag in ("html", "body"):  # body classes say "has-sidebar"
            continue
        if node.tag in _SKIPPED_TAGS or any(word in _words(node) for word in _NOT_DATELINE_WORDS):
            return True
    return False


def _in_article(element: etree._Element) -> bool:
    # not <header>: the page's top <header> is the site's, and an article's own header is inside <article>
    return any(isinstance(a.tag, str) and a.tag in ("article", "main") for a in element.iterancestors())


def _dateline_date(tree: etree._Element) -> DateValue | None:
    """Text of elements that look like a dateline; those inside the article first."""
    candidates = []
    for element in tree.iter():
        if not isinstance(element.tag, str) or element.tag in ("html", "body", "head", "meta", "script", "style"):
            continue
        words = _words(element)
        if element.tag == "time" or "date" in (element.get("itemprop") or "").lower() or any(
                word in words for word in _DATELINE_WORDS):
            if not _excluded(element):
                candidates.append(element)
        if len(candidates) >= _MAX_DATELINES * 4:
            break
    candidates.sort(key=lambda e: not _in_article(e))  # stable: document order within each group
    for element in candidates[:_MAX_DATELINES]:
        value = find_date_in_text(_text_of(element, _DATELINE_TEXT_CHARS))
        if value:
            return value
    return None


def _text_of(element: etree._Element, limit: int) -> str:
    """Visible text of an element, without scripts, navigation, sidebars or comments, up to `limit` chars."""
    parts: list[str] = []
    size = 0

    def walk(node: etree._Element) -> Iterator[str]:
        if node.text:
            yield node.text
        for child in node:
            if isinstance(child.tag, str) and child.tag not in _SKIPPED_TAGS and not any(
                    word in _words(child) for word in _NOT_DATELINE_WORDS):
                yield from walk(child)
            if child.tail:
                yield child.tail

    for piece in walk(element):
        parts.append(piece)
        size += len(piece)
        if size >= limit:
            break
    return " ".join(" ".join(parts).split())[:limit]


def find_published_date(page: str | bytes | HtmlElement | etree._ElementTree) -> DateValue | None:
    """The page's publication date, or None when nothing on it can be trusted.

    Order of trust: structured metadata (meta tags, JSON-LD, itemprop, <time datetime> in the article), then
    an element that looks like a dateline, then, as a last resort, the first month-name date near the top of
    the visible body text (numbers alone there are too often something else: a decree, a phone number).
    """
    tree = _load(page)
    if tree is None:
        return None
    for step in (_meta_date, _json_ld_date, _marked_time_date, _dateline_date):
        value = step(tree)
        if value:
            LOGGER.debug("published date from %s: %s", step.__name__, value)
            return value
    body = tree if tree.tag == "body" else tree.find(".//body")
    if body is None:  # a fragment: its root is the top
        body = tree
    return _pick(_fold(_text_of(body, _TOP_TEXT_CHARS)), named_only=True)


def to_iso(value: DateValue) -> str:
    """ISO 8601: "2023-09-19T10:30:00+03:00" (offset kept when known), or "2023-09-19" for a bare day."""
    return value.isoformat()
