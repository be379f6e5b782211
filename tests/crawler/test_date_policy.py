"""One date policy: plausibility, the order of trust, instants, and --since/--until values."""
from datetime import date, datetime, timedelta, timezone

import pytest

from crawler.date_policy import (BadBound, absolute_bound, bound_instant, choose_published, epoch_day, instant,
                                 plausible)
from crawler.dates import PageDates
from crawler.record import Article
from crawler.pipelines import publication_day, publication_time

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)
PLUS3 = timezone(timedelta(hours=3))


@pytest.mark.parametrize("value, expected", [
    (date(1990, 1, 1), True),
    (date(1989, 12, 31), False),
    (datetime(1970, 1, 1, tzinfo=timezone.utc), False),  # epoch zero, a CMS's placeholder
    (date(2024, 6, 2), True),  # tomorrow: already today east of UTC
    (date(2024, 6, 3), False),
    (datetime(2024, 6, 2, 11, 59, tzinfo=timezone.utc), True),  # within the clock skew
    (datetime(2024, 6, 2, 12, 1, tzinfo=timezone.utc), False),
    (datetime(2024, 6, 2, 14, 0, tzinfo=PLUS3), True),  # 11:00 UTC
    (datetime(2024, 6, 2, 12, 30), False),  # no zone: read as UTC
    (datetime(2031, 1, 1, tzinfo=PLUS3), False),
])
def test_plausible(value, expected):
    assert plausible(value, NOW) is expected


MARKUP, FEED, TEXT, UPDATED = (datetime(2024, 5, 2, 8, 0, tzinfo=PLUS3), datetime(2024, 5, 2, 6, 0, tzinfo=timezone.utc),
                               date(2024, 5, 1), date(2024, 5, 3))


def test_markup_then_feed_then_text_then_updated():
    every = PageDates(markup=(MARKUP,), text=(TEXT,), updated=(UPDATED,))
    assert choose_published(every, FEED, now=NOW) == ("2024-05-02T08:00:00+03:00", "markup")
    assert choose_published(PageDates(text=(TEXT,), updated=(UPDATED,)), FEED, now=NOW) == (
        "2024-05-02T06:00:00+00:00", "feed")
    assert choose_published(PageDates(text=(TEXT,), updated=(UPDATED,)), None, now=NOW) == ("2024-05-01", "text")
    assert choose_published(PageDates(updated=(UPDATED,)), None, now=NOW) == ("2024-05-03", "updated")
    assert choose_published(PageDates(), None, now=NOW) == (None, None)


def test_an_implausible_candidate_gives_way_to_the_next_of_its_kind_then_to_the_next_kind():
    future, placeholder = datetime(2031, 1, 1, tzinfo=PLUS3), datetime(1970, 1, 1, tzinfo=timezone.utc)
    assert choose_published(PageDates(markup=(future, MARKUP)), FEED, now=NOW).source == "markup"
    assert choose_published(PageDates(markup=(future, placeholder), text=(TEXT,)), FEED, now=NOW) == (
        "2024-05-02T06:00:00+00:00", "feed")
    assert choose_published(PageDates(markup=(future,)), placeholder, now=NOW) == (None, None)


def test_a_feed_alone_is_judged_by_the_same_rule():
    assert choose_published(feed=date(1970, 1, 1), now=NOW) == (None, None)
    assert choose_published(feed=FEED, now=NOW) == ("2024-05-02T06:00:00+00:00", "feed")


@pytest.mark.parametrize("text, seconds", [
    ("2024-05-02T08:00:00+03:00", 1714626000),
    ("2024-05-02T05:00:00+00:00", 1714626000),  # the same moment
    ("2024-05-02T05:00:00", 1714626000),  # no zone: UTC
    ("2024-05-02", 1714608000),  # a day alone: its 00:00 UTC
    ("Thu, 02 May 2024 08:00:00 +0300", 1714626000),  # a corpus for `dedup` may write RFC 822
    ("2 أيار 2024", 1714608000),
    ("not a date", None),
    (None, None),
])
def test_instant(text, seconds):
    assert instant(text) == seconds


def test_the_dedup_day_is_the_instants_utc_day_and_the_fetch_day_without_a_date():
    assert epoch_day("2024-05-02T01:00:00+03:00") == epoch_day("2024-05-01")  # 22:00 UTC the day before
    late = Article(url="u", published="2024-05-02T01:00:00+03:00", fetched_at="2024-05-05T00:00:00+00:00")
    assert publication_day(late) == (date(2024, 5, 1) - date(1970, 1, 1)).days
    assert publication_time(late) == 1714600800.0
    undated = Article(url="u", fetched_at="2024-05-05T10:00:00+00:00")
    assert publication_day(undated) == (date(2024, 5, 5) - date(1970, 1, 1)).days
    assert publication_time(undated) is None


@pytest.mark.parametrize("text, expected", [
    ("2024-05-01", "2024-05-01"),
    ("2024-05-01T08:00", "2024-05-01T08:00"),
    ("2024-05-01 08:00:30+03:00", "2024-05-01 08:00:30+03:00"),
    ("2024-05-01T05:00Z", "2024-05-01T05:00Z"),
    ("today", "2024-06-01"),
    ("yesterday", "2024-05-31"),
    ("Yesterday", "2024-05-31"),
    ("7d", "2024-05-25T12:00:00+00:00"),
    ("12h", "2024-06-01T00:00:00+00:00"),
])
def test_accepted_bounds(text, expected):
    assert absolute_bound(text, NOW) == expected


@pytest.mark.parametrize("text", ["2026-13-45", "2024-02-30", "notadate", "01/05/2024", "2024-05-01T25:00",
                                  "last week", "7 days", "2024-05", ""])
def test_refused_bounds_name_the_accepted_forms(text):
    with pytest.raises(BadBound, match="YYYY-MM-DD.*ISO 8601.*today, yesterday.*7d"):
        absolute_bound(text, NOW)


def test_a_day_alone_as_an_upper_bound_includes_the_whole_day():
    assert bound_instant("2024-05-01", end=True) - bound_instant("2024-05-01") == 86400
    assert bound_instant("2024-05-01T08:00:00+03:00", end=True) == instant("2024-05-01T05:00:00Z") + 1
