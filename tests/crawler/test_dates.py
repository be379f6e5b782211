"""Arabic dates in the four month-name systems in daily use; nothing unreadable is guessed."""
from datetime import date, datetime, timedelta, timezone

import pytest

from crawler.dates import find_published_date, parse_date_text, to_iso


@pytest.mark.parametrize("text, expected", [
    # Egyptian / Gulf
    ("19-سبتمبر-2023", date(2023, 9, 19)),
    ("الخميس 4 يناير 2024", date(2024, 1, 4)),
    ("نشر في: ٢٣ أغسطس ٢٠٢٢", date(2022, 8, 23)),
    ("15 إبريل 2021", date(2021, 4, 15)),
    ("15 ابرل 2021", None),  # a misspelling we do not know: no guess
    ("15 أبريل 2021 - 10:45 م", datetime(2021, 4, 15, 22, 45)),
    # Levantine / Iraqi
    ("الثلاثاء ١٩ أيلول/سبتمبر ٢٠٢٣ - ١٠:٣٠ ص", datetime(2023, 9, 19, 10, 30)),
    ("5 كانون الثاني 2024", date(2024, 1, 5)),
    ("3 كانون الأول/ ديسمبر 2022", date(2022, 12, 3)),
    ("14 تشرين الثاني 2023", date(2023, 11, 14)),
    ("1 تشرين الأول 2020", date(2020, 10, 1)),
    ("٢٨ شباط/ فبراير ٢٠٢٤", date(2024, 2, 28)),
    ("10 آذار (مارس) 2019", date(2019, 3, 10)),
    ("تاريخ النشر: 7 حزيران 2018", date(2018, 6, 7)),
    # Algerian / Tunisian
    ("12 جانفي 2021", date(2021, 1, 12)),
    ("الأحد 3 فيفري 2019", date(2019, 2, 3)),
    ("15 أوت 2020", date(2020, 8, 15)),
    ("30 جوان 2022", date(2022, 6, 30)),
    ("4 جويلية 2017", date(2017, 7, 4)),
    # Moroccan
    ("1 يوليوز 2022", date(2022, 7, 1)),
    ("3 غشت 2019", date(2019, 8, 3)),
    ("9 شتنبر 2018م", date(2018, 9, 9)),
    ("7 نونبر 2021", date(2021, 11, 7)),
    ("الإثنين 2 دجنبر 2020 - 08:05", datetime(2020, 12, 2, 8, 5)),
    # machine formats
    ("Tue, 19 Sep 2023 10:30:00 GMT", datetime(2023, 9, 19, 10, 30, tzinfo=timezone.utc)),
    ("2023-09-19T10:30:00+03:00", datetime(2023, 9, 19, 10, 30, tzinfo=timezone(timedelta(hours=3)))),
    ("19/09/2023", date(2023, 9, 19)),
    ("آخر تحديث: 2024/01/15", date(2024, 1, 15)),
])
def test_dates_in_every_system(text, expected):
    assert parse_date_text(text) == expected


@pytest.mark.parametrize("text", [
    "31 شباط 2023",  # impossible
    "30 فيفري 2020",
    "5 رمضان 1445 هـ",  # Hijri only
    "منذ ساعتين",
    "نشر يوم الخميس من الشهر الماضي",
    "2023",
    "",
])
def test_unreadable_or_impossible_dates_are_none(text):
    assert parse_date_text(text) is None


def test_the_gregorian_half_of_a_double_date_is_read():
    assert parse_date_text("٣ ربيع الأول ١٤٤٥هـ الموافق ١٨ سبتمبر ٢٠٢٣م") == date(2023, 9, 18)


def test_structured_metadata_beats_a_date_in_the_text():
    page = ('<html><head><meta property="article:published_time" content="2024-05-02T08:00:00+03:00"></head>'
            '<body><div class="date">12 مايو 2020</div><p>نص الخبر</p></body></html>')
    assert to_iso(find_published_date(page)) == "2024-05-02T08:00:00+03:00"


def test_json_ld_graph():
    page = ('<html><head><script type="application/ld+json">{"@graph": [{"@type": "WebPage"}, '
            '{"@type": "NewsArticle", "datePublished": "2021-03-04T05:06:07Z"}]}</script></head><body></body></html>')
    assert find_published_date(page) == datetime(2021, 3, 4, 5, 6, 7, tzinfo=timezone.utc)


def test_a_dateline_in_levantine_month_names():
    page = '<html><body><div class="post-date">الأحد 12 نيسان 2020</div><p>نص الخبر</p></body></html>'
    assert to_iso(find_published_date(page)) == "2020-04-12"


def test_a_page_whose_only_date_is_unreadable_has_none():
    page = '<html><body><div class="date">12 نيسن 2020</div><p>نشر يوم الخميس الماضي</p></body></html>'
    assert find_published_date(page) is None
