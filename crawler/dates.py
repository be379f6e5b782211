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
import itertools
import logging
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable, Iterator, Union

import regex
from lxml import etree
from lxml.html import HtmlElement, fromstring

from crawler.metadata import json_ld_objects

LOGGER = logging.getLogger(__name__)

DateValue = Union[datetime, date]

# Years outside this range are a CMS's placeholders (epoch zero, 9999) or a Hijri year (13xx-14xx).
MIN_YEAR, MAX_YEAR = 1900, 2100
# What can be a news page's publication date. No news page on the web is older than the web, which opened
# to the public in 1991: an earlier date is a CMS's placeholder (1970-01-01, 1900-01-01) or a date the
# story talks about (a print archive digitised later may carry older dates; this tool crawls news sites).
EARLIEST = date(1990, 1, 1)
# How far ahead of our clock a date may be: the site's clock may run ahead, a time written without a zone is
# read as UTC although the outlet may be up to 14 hours ahead of it, and a day alone begins in UTC+14 ten
# hours before it begins in UTC.
CLOCK_SKEW = timedelta(days=1)

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
# "10:30 ص", "03:15 م", "10:30 صباحا", "09:22 مساءً" (and its common spelling مساءا), "14:00", "10:30:00 GMT";
# a PM "م" must stand alone, not begin a word
_TIME = regex.compile(
    r"(?<![0-9:])(?P<h>[0-9]{1,2}):(?P<m>[0-9]{2})(?::(?P<s>[0-9]{2}))?(?![0-9])"
    r"(?:\s*(?P<ampm>صباحا|مساءا|مساء|ص|م|am|pm|a\.m\.|p\.m\.)(?!\p{L}))?(?:\s*" + _TZ + r"(?![\p{L}0-9]))?",
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
    "sailthru.date", "parsely-pub-date", "dc.date.issued", "dcterms.issued", "dcterms:issued", "dcterms.created",
    "dcterms:created", "dc.date", "dc:date", "date",
)
_META_RANK = {key: rank for rank, key in enumerate(_META_KEYS)}
_RDFA_XPATH = "//*[@property][@content][not(self::meta)]"
# when the article last changed: a publication date only when the page has nothing else
_UPDATE_META_KEYS = ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified",
                     "dcterms:modified", "dc.date.modified", "last-modified")
_UPDATE_META_RANK = {key: rank for rank, key in enumerate(_UPDATE_META_KEYS)}
# class/id words that mark a dateline, and the words that mark somewhere a date is not the article's own
_DATELINE_WORDS = ("date", "time", "publish", "posted", "byline", "meta", "tarikh")
_NOT_DATELINE_WORDS = ("comment", "related", "sidebar", "widget", "most-read", "mostread",
                       # the site's top bar showing today's date, not the article's
                       "today", "current-date", "currentdate", "current_date", "topbar", "top-bar")
_UPDATE_WORDS = ("modif", "update")
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "nav", "aside", "footer", "form", "select"})
_DATELINE_TEXT_CHARS = 300
_MAX_DATELINES = 30
_KEPT_DATELINES = 3  # a few marked datelines, so an implausible first one can give way to the next

# Near the headline. A line there is a dateline when the date (with its time) opens or closes it and few
# other words stand beside it: "تم نشره الجمعة 24 نيسان / أبريل 2020 09:22 مساءً", "بقلم أحمد علي - نشر في:
# ...", "عمان - 24 نيسان 2020". "القاهرة - 19 سبتمبر 2023 - قال مصدر" and "وفي 3 مارس 2020 أعلنت" are the
# story already: words on both sides of the date.
_BLOCK_TAGS = frozenset("p div li ul ol dl dt dd h1 h2 h3 h4 h5 h6 header section article main br table tr td th "
                        "blockquote address hr center".split())
_NOT_NEAR_HEADLINE_TAGS = _SKIPPED_TAGS | {"figure", "figcaption", "img", "picture", "video", "audio", "iframe", "svg",
                                           "button", "textarea", "h1"}
_HEADING_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
# a standfirst sits between the headline and the dateline on many sites: it does not start the story
_STANDFIRST_WORDS = ("lead", "excerpt", "summary", "standfirst", "subtitle", "sub-title", "subhead", "intro",
                     "deck", "teaser", "brief", "nabza", "description", "sapo", "chapo")
_HEADLINE_XPATH = "//h1|//h2|//*[@itemprop='headline']"
_CHROME_WORDS = ("logo", "brand", "site-header", "site-title", "masthead")
_STORY_WORDS = 12  # a paragraph this long, not a heading, a standfirst or a row of links, begins the story
_NEAR_HEADLINE_CHARS = 1500
_NEAR_HEADLINE_LINES = 40
_LINES_ABOVE_HEADLINE = 2  # above it, only the nearest lines of its own block: a category and date row
_LEVELS_ABOVE_HEADLINE = 2
_DATELINE_CHARS = 200
_DATELINE_OTHER_WORDS = 5
# words that may stand beside a date in a dateline (folded): prefixes, day names, clock words, bylines
_DATELINE_LABELS = regex.compile(
    r"(?<![\p{L}\p{N}])(?:تم|نشر|نشره|نشرت|النشر|منشور|بتاريخ|تاريخ|في|يوم|اخر|تحديث|التحديث|محدث|الساعه|"
    r"الموافق|بقلم|كتب|كتبت|بواسطه|ص|م|ه|صباحا|مساء|مساءا|بتوقيت|الاحد|الاثنين|الثلاثاء|الاربعاء|الخميس|"
    r"الجمعه|السبت|by|on|at|posted|published|updated|gmt|utc)(?![\p{L}\p{N}])",
    regex.IGNORECASE,
)
_WORD = regex.compile(r"[\p{L}\p{N}]+")


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    day: date
    clock: time | None  # None: the text gave no time


def utc_moment(value: DateValue) -> datetime:
    """The instant a date stands for: a time written without a zone read as UTC, a day alone as its 00:00 UTC."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return datetime.combine(value, time(0), timezone.utc)


def plausible(value: DateValue, now: datetime | None = None) -> bool:
    """Not before EARLIEST, not after now + CLOCK_SKEW (a day alone: not after the UTC day that is then)."""
    latest = (now or datetime.now(timezone.utc)) + CLOCK_SKEW
    if isinstance(value, datetime):
        return value.date() >= EARLIEST and utc_moment(value) <= latest
    return EARLIEST <= value <= latest.astimezone(timezone.utc).date()


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
    if ampm in ("م", "مساء", "مساءا", "pm", "p.m."):
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
            found.append(_Found(iso.start(), iso.end(), day, clock))
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
                found.append(_Found(m.start(), m.end(), day, None))
    for pattern in (_NUMERIC_YMD, _NUMERIC_DMY):
        for m in pattern.finditer(text):
            if m["hijri"]:
                continue
            day = _valid(int(m["year"]), int(m["month"]), int(m["day"]))
            if day:
                found.append(_Found(m.start(), m.end(), day, None))
    found.sort(key=lambda f: (f.start, -f.end))
    kept: list[_Found] = []
    for f in found:
        if not kept or f.start >= kept[-1].end:
            kept.append(f)
    return kept


def _month_key(name: str) -> str:
    return " ".join(name.lower().split())


def _nearby_time(text: str, found: _Found, high: int) -> regex.Match | None:
    """The time written right after the date ("- 10:30 ص", "الساعة 14:00"), with no digit in between.

    A time before the date is not read: in "10:30 19-09-2023" it may as well be the time of another event,
    and a bare day is an honest answer.
    """
    after = _TIME.search(text, found.end, min(high, found.end + _TIME_GAP + 20))
    if after and after.start() - found.end <= _TIME_GAP and not regex.search("[0-9]", text[found.end:after.start()]):
        return after
    return None


def _value(found: _Found, clock: time | None) -> DateValue:
    if clock is None:
        return found.day  # a date alone claims no time
    return datetime.combine(found.day, clock.replace(tzinfo=None), tzinfo=clock.tzinfo)


@dataclass(frozen=True)
class _Reading:
    """The date chosen in a text, where it was written (with its time), and whether a label calls it an update."""

    value: DateValue
    start: int
    end: int
    updated: bool


def _pick(text: str) -> _Reading | None:
    """The first date in folded text, skipping one labelled as an update when another date is there."""
    found = _candidates(text)
    if not found:
        return None
    chosen_index, updated = 0, True
    for i, f in enumerate(found):
        previous_end = found[i - 1].end if i else 0
        if not _UPDATE_LABEL.search(text, previous_end, f.start):
            chosen_index, updated = i, False
            break
    chosen = found[chosen_index]
    high = found[chosen_index + 1].start if chosen_index + 1 < len(found) else len(text)
    clock, end = chosen.clock, chosen.end
    if clock is None:
        after = _nearby_time(text, chosen, high)
        if after:
            clock, end = _time_at(after), after.end()
    return _Reading(_value(chosen, clock), chosen.start, end, updated)


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
    reading = _pick(_fold(text))
    return reading.value if reading else None


# ---------------------------------------------------------------------------------------------------------
# Pages


@dataclass(frozen=True)
class PageDates:
    """The dates a page offers, by kind, each best first; crawler.date_policy decides which one is published.

    markup: <meta>, JSON-LD, itemprop, <time datetime>. text: visible, a dateline under the headline or an
    element marked as a date. updated: dates the page calls "modified" / "آخر تحديث", markup first.
    Never a date from the story's body.
    """

    markup: tuple[DateValue, ...] = ()
    text: tuple[DateValue, ...] = ()
    updated: tuple[DateValue, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.markup or self.text or self.updated)


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


def _meta_dates(tree: etree._Element, rank_of: dict[str, int], rdfa: bool = False) -> list[DateValue]:
    """Dates of the <meta> tags named in `rank_of`, best rank first; with `rdfa`, of the other elements so
    named instead (Drupal writes <span property="dc:date" content="2019-02-08T00:00:00+01:00"> in the
    article's footer)."""
    ranked: list[tuple[int, DateValue]] = []
    for meta in tree.xpath(_RDFA_XPATH) if rdfa else tree.iter("meta"):
        if rdfa and _outside_article(meta, by_tag=False):  # a comment's own date
            continue
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            rank = rank_of.get((meta.get(attribute) or "").strip().lower())
            if rank is not None:
                break
        if rank is None:
            continue
        value = parse_date_text(meta.get("content") or meta.get("value") or "")
        if value:
            ranked.append((rank, value))
    ranked.sort(key=lambda pair: pair[0])  # stable: document order within a rank
    return [value for _, value in ranked]


def _json_ld_dates(tree: etree._Element, key: str) -> list[DateValue]:
    """`key` of Article-like nodes first (a WebPage's date may be the page's own), then of any other node."""
    articles: list[DateValue] = []
    others: list[DateValue] = []
    for node in json_ld_objects(tree):
        raw = node.get(key) or (node.get("dateCreated") if key == "datePublished" else None)
        parsed = parse_date_text(raw) if isinstance(raw, str) else None
        if not parsed:
            continue
        kinds = node.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if any(isinstance(k, str) and ("Article" in k or "Posting" in k or k == "Report") for k in kinds):
            articles.append(parsed)
        else:
            others.append(parsed)
    return articles + others


def _itemprop_dates(tree: etree._Element, prop: str) -> list[DateValue]:
    found = []
    for element in tree.xpath(f"//*[@itemprop='{prop}'][not(self::meta)]"):
        raw = (element.get("datetime") or element.get("content")
               or "".join(element.itertext())[:_DATELINE_TEXT_CHARS])
        value = parse_date_text(raw)
        if value:
            found.append(value)
    return found


def _time_dates(tree: etree._Element, updated: list[DateValue]) -> list[DateValue]:
    """<time datetime> in the article or its header: publication dates; those marked as updates go to `updated`."""
    published: list[DateValue] = []
    seen: set[etree._Element] = set()
    # One query at a time, in order of trust (a union comes back in document order). A <header> counts only
    # when it is the article's: the page's top <header> is the site's, and often shows today's date.
    for query in ("//time[@pubdate][@datetime]", "//article//time[@datetime]", "//main//time[@datetime]",
                  "//header[contains(@class,'entry') or contains(@class,'article') or contains(@class,'post')]"
                  "//time[@datetime]"):
        for element in tree.xpath(query):
            if element in seen or _outside_article(element):
                continue
            seen.add(element)
            value = parse_date_text(element.get("datetime") or "")
            if value:
                (updated if _marks_update(element) else published).append(value)
    return published


def _words(element: etree._Element) -> str:
    return f"{element.get('class') or ''} {element.get('id') or ''}".lower()


def _marks_update(element: etree._Element) -> bool:
    """A "modified"/"updated" element, unless it also says "published" (WordPress: "published updated")."""
    words = _words(element)
    return any(word in words for word in _UPDATE_WORDS) and "publish" not in words


def _outside_article(element: etree._Element, by_tag: bool = True) -> bool:
    """In a sidebar, a comment, the site's top bar, or (by_tag) a footer, nav, aside...: its date is not the
    article's."""
    for node in (element, *element.iterancestors()):
        if not isinstance(node.tag, str) or node.tag in ("html", "body"):  # body classes say "has-sidebar"
            continue
        if (by_tag and node.tag in _SKIPPED_TAGS) or any(word in _words(node) for word in _NOT_DATELINE_WORDS):
            return True
    return False


def _in_article(element: etree._Element) -> bool:
    # not <header>: the page's top <header> is the site's, and an article's own header is inside <article>
    return any(isinstance(a.tag, str) and a.tag in ("article", "main") for a in element.iterancestors())


def _in_prose(element: etree._Element) -> bool:
    """Inside a paragraph of running text: a date there is one the story talks about."""
    return any(a.tag == "p" and len(a.text_content().split()) >= _STORY_WORDS for a in element.iterancestors())


def _in_site_chrome(element: etree._Element) -> bool:
    """The site's own header or logo (many sites put their name in an <h1>), not the article's."""
    for node in (element, *element.iterancestors()):
        if not isinstance(node.tag, str) or node.tag in ("html", "body"):  # body classes say "logo-type-..."
            continue
        if node.tag in ("article", "main"):
            return False
        if node.tag == "header" or any(word in _words(node) for word in _CHROME_WORDS):
            return True
    return False


def _labelled_datelines(tree: etree._Element) -> tuple[list[DateValue], list[DateValue]]:
    """Text of elements marked as a date (class, id, itemprop, <time>), those inside the article first:
    (publication dates, update dates)."""
    candidates = []
    for element in tree.iter():
        if not isinstance(element.tag, str) or element.tag in ("html", "body", "head", "meta", "script", "style"):
            continue
        words = _words(element)
        if element.tag == "time" or "date" in (element.get("itemprop") or "").lower() or any(
                word in words for word in _DATELINE_WORDS):
            if not _outside_article(element) and not _in_prose(element):
                candidates.append(element)
        if len(candidates) >= _MAX_DATELINES * 4:
            break
    candidates.sort(key=lambda e: not _in_article(e))  # stable: document order within each group
    published: list[DateValue] = []
    updated: list[DateValue] = []
    for element in candidates[:_MAX_DATELINES]:
        reading = _pick(_fold(_text_of(element, _DATELINE_TEXT_CHARS)))
        if reading:
            (updated if reading.updated or _marks_update(element) else published).append(reading.value)
        if len(published) >= _KEPT_DATELINES:
            break
    return published, updated


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


def _folded_title(tree: etree._Element) -> str:
    for meta in tree.iter("meta"):
        if (meta.get("property") or meta.get("name") or "").lower() in ("og:title", "twitter:title"):
            if meta.get("content"):
                return " ".join(_fold(meta.get("content")).split())
    return " ".join(_fold(tree.findtext(".//title") or "").split())


def _headline(tree: etree._Element) -> etree._Element | None:
    """The element holding the article's title: the heading the page's <title> names, else the article's <h1>."""
    title = _folded_title(tree)
    headings = [e for e in tree.xpath(_HEADLINE_XPATH) if not _outside_article(e) and not _in_site_chrome(e)]
    for element in headings:
        text = " ".join(_fold(element.text_content()).split())
        # "Headline | Site" names the headline; a headline may also run on past a shortened og:title
        if len(text) >= 10 and title and (text in title or (len(title) >= 20 and title in text)):
            return element
    first_level = [e for e in headings if e.tag == "h1"]
    return next((e for e in first_level if _in_article(e)), first_level[0] if first_level else None)


_BREAK = None  # between two blocks


def _pieces(node: etree._Element, lead: bool) -> Iterator[tuple[str, bool, bool] | None]:
    """Visible text of a subtree as (text, inside a heading or standfirst, inside a link), _BREAK between blocks."""
    if not isinstance(node.tag, str) or node.tag in _NOT_NEAR_HEADLINE_TAGS:
        return
    words = _words(node)
    if _marks_update(node) or any(word in words for word in _NOT_DATELINE_WORDS):
        return  # an update is collected with the marked elements, as an update
    block = node.tag in _BLOCK_TAGS
    lead = lead or node.tag in _HEADING_TAGS or any(word in words for word in _STANDFIRST_WORDS)
    link = node.tag == "a"
    if block:
        yield _BREAK
    if node.text:
        yield node.text, lead, link
    for child in node:
        for piece in _pieces(child, lead):
            yield piece if piece is _BREAK or not link else (piece[0], piece[1], True)
        if child.tail:
            yield child.tail, lead, link
    if block:
        yield _BREAK


def _lines(pieces: Iterable[tuple[str, bool, bool] | None]) -> Iterator[tuple[str, bool]]:
    """Pieces of text grouped into lines, one a block, each with whether it may begin the story (not a
    heading, a standfirst or a row of links)."""
    texts: list[str] = []
    lead = False
    linked = plain = 0
    for piece in itertools.chain(pieces, [_BREAK]):
        if piece is _BREAK:
            line = " ".join(" ".join(texts).split())
            if line:
                yield line, not lead and linked < plain
            texts, lead, linked, plain = [], False, 0, 0
            continue
        text, in_lead, in_link = piece
        texts.append(text)
        lead = lead or in_lead
        size = len(text.split())
        linked, plain = (linked + size, plain) if in_link else (linked, plain + size)


def _lines_after(headline: etree._Element) -> Iterator[tuple[str, bool]]:
    """Visible lines after the headline in reading order (see _lines)."""
    def pieces() -> Iterator[tuple[str, bool, bool] | None]:
        node = headline
        while node is not None and node.tag not in ("body", "html"):
            if node.tail:
                yield node.tail, False, False
            for sibling in node.itersiblings():
                yield from _pieces(sibling, False)
                if sibling.tail:
                    yield sibling.tail, False, False
            yield _BREAK
            node = node.getparent()

    return _lines(pieces())


def _lines_before(headline: etree._Element) -> list[str]:
    """The lines right above the headline inside its own block ("Von X publiziert am ...", a category and
    date row), nearest first; never from the page's top level, where the site's bars are."""
    found: list[str] = []
    node = headline
    for _ in range(_LEVELS_ABOVE_HEADLINE):
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        for sibling in node.itersiblings(preceding=True):
            if not isinstance(sibling.tag, str) or _in_site_chrome(sibling):
                continue
            pieces = [*_pieces(sibling, False), *([(sibling.tail, False, False)] if sibling.tail else [])]
            found.extend(reversed([line for line, _ in _lines(pieces)]))
            if len(found) >= _LINES_ABOVE_HEADLINE:
                return found[:_LINES_ABOVE_HEADLINE]
        if parent.tag in ("article", "main"):
            break
        node = parent
    return found


def _dateline(line: str) -> _Reading | None:
    """The date of a line that is a dateline (see _DATELINE_LABELS above), else None."""
    folded = _fold(line)
    if len(folded) > _DATELINE_CHARS:
        return None
    reading = _pick(folded)
    if reading is None:
        return None
    blanked = list(folded)
    spans = [(f.start, f.end) for f in _candidates(folded)] + [m.span() for m in _TIME.finditer(folded)]
    for start, end in (*spans, (reading.start, reading.end)):
        blanked[start:end] = " " * (end - start)
    text = "".join(blanked)
    before, after = _other_words(text[:reading.start]), _other_words(text[reading.end:])
    if (before and after) or len(before) + len(after) > _DATELINE_OTHER_WORDS:
        return None
    return reading


def _other_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(_DATELINE_LABELS.sub(" ", text)) if not w.isdigit()]


def _near_headline(tree: etree._Element) -> list[_Reading]:
    """Datelines between the headline and the story, else right above the headline: the first publication
    date and any updates met before it."""
    headline = _headline(tree)
    if headline is None:
        return []
    found: list[_Reading] = []
    size = 0
    for number, (line, may_begin_story) in enumerate(_lines_after(headline)):
        reading = _dateline(line)
        if reading:
            found.append(reading)
            if not reading.updated:
                return found
        elif may_begin_story and len(line.split()) >= _STORY_WORDS:
            break  # the story has begun: its dates are what it talks about
        size += len(line)
        if size >= _NEAR_HEADLINE_CHARS or number >= _NEAR_HEADLINE_LINES:
            break
    for line in _lines_before(headline):
        reading = _dateline(line)
        if reading:
            found.append(reading)
            if not reading.updated:
                break
    return found


def find_published_date(page: str | bytes | HtmlElement | etree._ElementTree) -> PageDates:
    """Every date the page offers for its publication, by kind (see PageDates); empty when it offers none.

    Markup: meta tags, JSON-LD, itemprop, <time datetime> in the article. Text: a dateline between the
    headline and the story, then elements marked as a date (class, id, <time>) that are not inside running
    text, in the article first. A date in the story's body is never taken: "وفي 3 مارس 2020" is what the
    story is about, not when it appeared.
    """
    tree = _load(page)
    if tree is None:
        return PageDates()
    markup: list[DateValue] = []
    time_updates: list[DateValue] = []
    for step in (lambda: _meta_dates(tree, _META_RANK), lambda: _meta_dates(tree, _META_RANK, rdfa=True),
                 lambda: _json_ld_dates(tree, "datePublished"),
                 lambda: _itemprop_dates(tree, "datePublished"), lambda: _time_dates(tree, time_updates)):
        markup.extend(step())
        if any(plausible(value) for value in markup):
            # nothing below markup can win (date_policy): the text scans, most of the cost, are not needed
            return PageDates(_distinct(markup))
    near = _near_headline(tree)
    labelled, labelled_updates = _labelled_datelines(tree)
    text = [r.value for r in near if not r.updated] + labelled
    updated = [*_meta_dates(tree, _UPDATE_META_RANK), *_meta_dates(tree, _UPDATE_META_RANK, rdfa=True),
               *_json_ld_dates(tree, "dateModified"),
               *_itemprop_dates(tree, "dateModified"), *time_updates,
               *(r.value for r in near if r.updated), *labelled_updates]
    return PageDates(_distinct(markup), _distinct(text), _distinct(updated))


def _distinct(values: list[DateValue]) -> tuple[DateValue, ...]:
    return tuple(dict.fromkeys(values))


def to_iso(value: DateValue) -> str:
    """ISO 8601: "2023-09-19T10:30:00+03:00" (offset kept when known), or "2023-09-19" for a bare day."""
    return value.isoformat()
