"""Publication dates, including dates written in Arabic in every regional month-name system.

A wrong date corrupts every `--since` export, so nothing here guesses: a text whose day, month and year
cannot all be read gives None (htmldate, by contrast, turns a month name it does not know into January 1st).
"""
from __future__ import annotations

import email.utils
import logging
import unicodedata
from datetime import date, datetime, time, timedelta, timezone

import regex
from lxml.html import HtmlElement, fromstring

from crawler.metadata import json_ld_objects

LOGGER = logging.getLogger(__name__)

# Month names after _fold(): hamza forms folded to ا, ى to ي, ة to ه, no harakat or tatweel.
_MONTHS: dict[str, int] = {}
for _number, _names in {
    1: "يناير كانون الثاني جانفي", 2: "فبراير شباط فيفري فبرير", 3: "مارس اذار", 4: "ابريل نيسان افريل ابرايل",
    5: "مايو ايار ماي", 6: "يونيو يونيه حزيران جوان", 7: "يوليو يوليه تموز جويليه يوليوز جويلية",
    8: "اغسطس اب اوت غشت اغشت", 9: "سبتمبر ايلول شتنبر", 10: "اكتوبر تشرين الاول", 11: "نوفمبر تشرين الثاني نونبر",
    12: "ديسمبر كانون الاول دجنبر",
}.items():
    _words = _names.split()
    _i = 0
    while _i < len(_words):  # two-word Levantine names first
        if _words[_i] in ("كانون", "تشرين"):
            _MONTHS[f"{_words[_i]} {_words[_i + 1]}"] = _number
            _i += 2
        else:
            _MONTHS[_words[_i]] = _number
            _i += 1
_MONTHS.update({m.lower(): n for n, m in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)})
_MONTHS.update({m.lower(): n for n, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)})

_MONTH_ALT = "|".join(sorted((regex.escape(m) for m in _MONTHS), key=len, reverse=True))
_SEP = r"[\s\-/.,،()]*"
# "19 أيلول/ سبتمبر 2023", "19-سبتمبر-2023", "الثلاثاء 19 شباط (فبراير) 2023م"
_DAY_MONTH_YEAR = regex.compile(
    rf"(?<!\d)(?P<day>\d{{1,2}}){_SEP}(?P<month>{_MONTH_ALT})(?:{_SEP}(?:{_MONTH_ALT}))?{_SEP}(?P<year>\d{{4}})(?!\d)(?P<hijri>\s*ه)?",
    regex.IGNORECASE,
)
# "سبتمبر 19, 2023", "September 19, 2023"
_MONTH_DAY_YEAR = regex.compile(
    rf"(?<![\p{{L}}])(?P<month>{_MONTH_ALT}){_SEP}(?P<day>\d{{1,2}}){_SEP}(?P<year>\d{{4}})(?!\d)(?P<hijri>\s*ه)?",
    regex.IGNORECASE,
)
_ISO = regex.compile(
    r"(?<!\d)(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
    r"(?:[T\s](?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?)?"
)
_NUMERIC_DMY = regex.compile(r"(?<!\d)(?P<day>\d{1,2})[/.\-](?P<month>\d{1,2})[/.\-](?P<year>\d{4})(?!\d)(?P<hijri>\s*ه)?")
_NUMERIC_YMD = regex.compile(r"(?<!\d)(?P<year>\d{4})[/.](?P<month>\d{1,2})[/.](?P<day>\d{1,2})(?!\d)(?P<hijri>\s*ه)?")
_TIME = regex.compile(r"(?<!\d)(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ampm>ص|م|صباحا|مساء|am|pm)?(?!\p{L})",
                      regex.IGNORECASE)
_MARKS = regex.compile("[\u064b-\u065f\u0670\u0640]")
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه",
                       **{chr(0x660 + d): str(d) for d in range(10)}, **{chr(0x6F0 + d): str(d) for d in range(10)}})

_META_NAMES = (
    "article:published_time", "og:published_time", "article:published", "datepublished", "pubdate",
    "publishdate", "publish-date", "publish_date", "date", "dc.date.issued", "dc.date", "dcterms.created",
    "sailthru.date", "parsely-pub-date", "cxenseparse:recs:publishtime", "article.published",
)
_DATELINE_XPATH = (
    "//*[self::time or self::span or self::div or self::p or self::li or self::small or self::em]"
    "[contains(translate(@class,'DATEIMPUBLSH','dateimpublsh'),'date') or contains(@class,'time')"
    " or contains(@class,'publish') or contains(@class,'byline') or contains(@class,'meta')"
    " or contains(translate(@id,'DATE','date'),'date') or contains(@itemprop,'date')]"
)


def _fold(text: str) -> str:
    return _MARKS.sub("", unicodedata.normalize("NFKC", text)).translate(_FOLD)


def _valid(year: int, month: int, day: int) -> date | None:
    if not 1900 <= year <= 2100:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _time_near(text: str, start: int) -> time | None:
    m = _TIME.search(text, start, start + 40)
    if not m:
        return None
    hour, minute, second = int(m["h"]), int(m["m"]), int(m["s"] or 0)
    ampm = (m["ampm"] or "").lower()
    if ampm in ("م", "مساء", "pm") and hour < 12:
        hour += 12
    elif ampm in ("ص", "صباحا", "am") and hour == 12:
        hour = 0
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


def _tz(value: str | None) -> timezone | None:
    if not value:
        return None
    if value == "Z":
        return timezone.utc
    sign = 1 if value[0] == "+" else -1
    digits = value[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4])))


def _search(text: str) -> datetime | date | None:
    """The first date in already folded text, with the time that follows it if any."""
    found: list[tuple[int, int, datetime, bool]] = []
    iso = _ISO.search(text)
    if iso:
        d = _valid(int(iso["year"]), int(iso["month"]), int(iso["day"]))
        if d:
            timed = bool(iso["h"]) and int(iso["h"]) < 24
            t = time(int(iso["h"]), int(iso["m"]), int(iso["s"] or 0)) if timed else time()
            found.append((iso.start(), iso.end(), datetime.combine(d, t, tzinfo=_tz(iso["tz"])), timed))
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        for m in pattern.finditer(text):
            if m["hijri"]:
                continue
            d = _valid(int(m["year"]), _MONTHS[m["month"].lower()], int(m["day"]))
            if d:
                found.append((m.start(), m.end(), datetime.combine(d, time()), False))
                break
    for pattern in (_NUMERIC_YMD, _NUMERIC_DMY):
        for m in pattern.finditer(text):
            if m["hijri"]:
                continue
            d = _valid(int(m["year"]), int(m["month"]), int(m["day"]))
            if d:
                found.append((m.start(), m.end(), datetime.combine(d, time()), False))
                break
    if not found:
        return None
    start, end, value, has_time = min(found, key=lambda f: f[0])
    if not has_time:
        t = _time_near(text, end)
        return datetime.combine(value.date(), t) if t else value.date()  # a date alone claims no time
    return value


def parse_date_text(text: str) -> datetime | date | None:
    """One date written as text (ISO 8601, RFC 822, numeric, or Arabic in any month-name system)."""
    if not text or not text.strip():
        return None
    try:  # RFC 822, as in RSS pubDate
        parsed = email.utils.parsedate_to_datetime(text.strip())
        if parsed and 1900 <= parsed.year <= 2100:
            return parsed
    except (TypeError, ValueError, IndexError):
        pass
    # Hijri dates never match: their month names are not in the table and their years (13xx-14xx) are
    # outside the accepted range, so "٣ ربيع الأول ١٤٤٥هـ الموافق ١٨ سبتمبر ٢٠٢٣م" gives the Gregorian one
    return _search(_fold(text))


def find_date_in_text(text: str) -> datetime | date | None:
    """The first readable date inside a longer string (a byline, a dateline)."""
    return parse_date_text(text)


def _structured(tree: HtmlElement) -> datetime | date | None:
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        if key in _META_NAMES:
            value = parse_date_text(meta.get("content") or "")
            if value:
                return value
    value = _json_ld_date(tree)
    if value:
        return value
    for element in tree.xpath("//time[@datetime]|//*[@itemprop='datePublished'][@content or @datetime]"):
        value = parse_date_text(element.get("datetime") or element.get("content") or "")
        if value:
            return value
    return None


def _json_ld_date(tree: HtmlElement) -> datetime | date | None:
    for node in json_ld_objects(tree):
        value = node.get("datePublished") or node.get("dateCreated")
        if isinstance(value, str):
            parsed = parse_date_text(value)
            if parsed:
                return parsed
    return None


def find_published_date(page: str | bytes | HtmlElement) -> datetime | date | None:
    """The page's publication date: structured metadata, then a dateline, then a date near the top."""
    try:
        tree = page if isinstance(page, HtmlElement) else fromstring(page)
    except (ValueError, TypeError) as exc:
        LOGGER.debug("unparseable page for dates: %s", exc)
        return None
    value = _structured(tree)
    if value:
        return value
    for element in tree.xpath(_DATELINE_XPATH)[:20]:
        value = find_date_in_text(element.text_content()[:300])
        if value:
            return value
    body = tree.find("body")
    if body is not None:
        top = " ".join(body.text_content().split())[:1500]
        return find_date_in_text(top)
    return None


def to_iso(value: datetime | date) -> str:
    """"2023-09-19T10:30:00+03:00", or "2023-09-19" when only the day is known."""
    return value.isoformat()
