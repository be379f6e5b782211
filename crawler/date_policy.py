"""One policy for every source of a publication date, and dates as instants.

Which date is `published`: the first plausible one (crawler.dates.plausible: not before 1990, not more
than a day past our clock) of, in this order, the page's markup (meta tags, JSON-LD, itemprop, <time
datetime>), the feed's entry, the page's visible dateline, and last a date the page gives
only as "updated". `date_source` says which it was ("markup", "feed", "text", "updated"). A date from the
story's body is never a candidate (crawler.dates does not offer one), and no date is better than a wrong one.

Stored form. `published` is ISO 8601 as the source wrote it: a zone offset is kept ("2023-09-19T10:30:00+03:00"
is the outlet's own clock, and its date part the day the outlet printed), a time written without a zone
stays without one, and a day alone stays "YYYY-MM-DD" (no invented midnight). Comparisons never use that text:
`instant()` gives epoch seconds in UTC, with a time without a zone read as UTC (the error is the outlet's UTC
offset, a few hours, and the text keeps what was written) and a day alone read as its 00:00 UTC. The store
keeps that instant in its own column (`published_at`), so --since/--until and the dedup window compare
instants, not strings.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta, timezone
from typing import Iterable, NamedTuple

import regex

from crawler.dates import DateValue, PageDates, parse_date_text, plausible, to_iso, utc_moment

LOGGER = logging.getLogger(__name__)

DAY = 86400


class Published(NamedTuple):
    """What a record stores: the ISO text (None: no trustworthy date) and where it came from."""

    value: str | None
    source: str | None


def choose_published(page: PageDates | None = None, feed: DateValue | None = None, *,
                     now: datetime | None = None) -> Published:
    """The publication date and its source, by the order of trust in this module's docstring.

    Used for article pages (with the feed entry's date) and for feed entries alone (`feed=` only), so a feed
    refuses the same implausible dates a page does.
    """
    page = page or PageDates()
    kinds: tuple[tuple[str, Iterable[DateValue]], ...] = (
        ("markup", page.markup), ("feed", (feed,) if feed else ()), ("text", page.text), ("updated", page.updated))
    for source, values in kinds:
        for value in values:
            if plausible(value, now):
                return Published(to_iso(value), source)
            LOGGER.debug("implausible %s date %s refused", source, value)
    return Published(None, None)


# ----------------------------------------------------------------------------------------------- instants

_BARE_DAY = regex.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _parse_iso(text: str) -> tuple[datetime, bool] | None:
    """(the moment, whether it was a day alone) of an ISO 8601 text, a time with no zone read as UTC."""
    text = text.strip()
    try:
        if _BARE_DAY.match(text):
            return utc_moment(date.fromisoformat(text)), True
        return utc_moment(datetime.fromisoformat(text)), False
    except ValueError:
        return None


def instant(published: str | None) -> int | None:
    """Epoch seconds (UTC) of a `published` text; None when there is none or it holds no readable date.

    Stored values are ISO 8601; a corpus handed to `dedup` may write its dates otherwise ("Tue, 19 Sep 2023
    10:30:00 GMT", "19 سبتمبر 2023"), which crawler.dates reads.
    """
    if not published:
        return None
    parsed = _parse_iso(published)
    if parsed:
        return int(parsed[0].timestamp())
    value = parse_date_text(published)
    return int(utc_moment(value).timestamp()) if value else None


def epoch_day(published: str | None) -> int | None:
    """Days since 1970-01-01 (UTC) of a stored `published` text: the dedup window's unit."""
    moment = instant(published)
    return None if moment is None else moment // DAY


# ----------------------------------------------------------------------------------------------- selection

BOUND_FORMS = ("YYYY-MM-DD, an ISO 8601 date-time (2024-05-01T08:00, 2024-05-01T08:00+03:00, "
               "2024-05-01T05:00Z), today, yesterday, or a span back from now: 7d (days), 12h (hours)")
_ISO_BOUND = regex.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?$",
    regex.IGNORECASE,
)
_RELATIVE = regex.compile(r"^([0-9]{1,5})\s*([dh])$", regex.IGNORECASE)


class BadBound(ValueError):
    pass


def absolute_bound(text: str, now: datetime | None = None) -> str:
    """A --since/--until value as an absolute ISO text (relative forms resolved against `now`), checked.

    today / yesterday give a day (UTC); 7d and 12h give the moment that long before now.
    """
    value = text.strip()
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    lowered = value.lower()
    if lowered in ("today", "yesterday"):
        return (now.date() - timedelta(days=lowered == "yesterday")).isoformat()
    relative = _RELATIVE.match(value)
    if relative:
        amount, unit = int(relative[1]), relative[2].lower()
        return (now - (timedelta(days=amount) if unit == "d" else timedelta(hours=amount))).isoformat()
    if not _ISO_BOUND.match(value) or _parse_iso(value.upper()) is None:
        raise BadBound(f"{text!r} is not a date; use {BOUND_FORMS}")
    return value


def bound_instant(text: str, *, end: bool = False) -> int:
    """Epoch seconds of an absolute bound. end=True gives the first instant after the bound: a day alone
    then includes the whole day (--until 2024-05-01 takes 2024-05-01T23:59:59Z), a moment includes itself."""
    parsed = _parse_iso(text.upper())
    if parsed is None:
        raise BadBound(f"{text!r} is not a date; use {BOUND_FORMS}")
    moment, whole_day = parsed
    seconds = int(moment.timestamp())
    if not end:
        return seconds
    return seconds + DAY if whole_day else seconds + 1
