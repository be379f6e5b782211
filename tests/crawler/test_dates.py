"""Arabic dates in the four month-name systems in daily use; nothing unreadable is guessed."""
from datetime import date, datetime, timedelta, timezone

import pytest
from lxml.html import fromstring

from crawler.dates import find_date_in_text, find_published_date, parse_date_text, to_iso

PLUS3 = timezone(timedelta(hours=3))


@pytest.mark.parametrize("text, expected", [
    # Egyptian / Gulf
    ("19-سبتمبر-2023", date(2023, 9, 19)),  # the seed's own line
    ("١٩-سبتمبر-٢٠٢٣", date(2023, 9, 19)),
    ("الخميس 4 يناير 2024", date(2024, 1, 4)),
    ("نشر في: ٢٣ أغسطس ٢٠٢٢", date(2022, 8, 23)),
    ("15 إبريل 2021", date(2021, 4, 15)),
    ("15 ابرل 2021", None),  # a misspelling we do not know: no guess
    ("15 أبريل 2021 - 10:45 م", datetime(2021, 4, 15, 22, 45)),
    ("السبت ١٦ سبتمبر ٢٠٢٣م الساعة ٠٣:١٥ م", datetime(2023, 9, 16, 15, 15)),  # م after the year is not PM
    ("الأحد 19 يونيه 2022", date(2022, 6, 19)),
    ("3 يوليه 2023 | 12:30 ص", datetime(2023, 7, 3, 0, 30)),
    ("تاريخ النشر: الإثنين، 25 ديسمبر، 2023 - 09:05 صباحاً", datetime(2023, 12, 25, 9, 5)),
    ("سبتمبر 19، 2023", date(2023, 9, 19)),
    ("١٩ سـبـتـمـبـر ٢٠٢٣", date(2023, 9, 19)),  # tatweel
    ("١٩ سِبْتَمْبَر ٢٠٢٣", date(2023, 9, 19)),  # harakat
    # Levantine / Iraqi
    ("الثلاثاء ١٩ أيلول/سبتمبر ٢٠٢٣ - ١٠:٣٠ ص", datetime(2023, 9, 19, 10, 30)),
    ("5 كانون الثاني 2024", date(2024, 1, 5)),
    ("5 كانون ثاني 2024", date(2024, 1, 5)),  # colloquial, no article
    ("3 كانون الأول/ ديسمبر 2022", date(2022, 12, 3)),
    ("١٩ كانون الأول/ ديسمبر ٢٠٢٣ - ٠٣:١٥ م", datetime(2023, 12, 19, 15, 15)),
    ("14 تشرين الثاني 2023", date(2023, 11, 14)),
    ("1 تشرين الأول 2020", date(2020, 10, 1)),
    ("٢٨ شباط/ فبراير ٢٠٢٤", date(2024, 2, 28)),
    ("29 شباط 2024", date(2024, 2, 29)),  # leap year
    ("10 آذار (مارس) 2019", date(2019, 3, 10)),
    ("19 أيلول (سبتمبر) 2023", date(2023, 9, 19)),
    ("تاريخ النشر: 7 حزيران 2018", date(2018, 6, 7)),
    ("١٢ آب ٢٠٢٢", date(2022, 8, 12)),
    ("12 اب 2022", date(2022, 8, 12)),  # hamza dropped
    ("4 تموز 2019 - 14:00 م", datetime(2019, 7, 4, 14, 0)),  # a 24-hour time with م stays 14:00
    ("الأربعاء ٨ أيار ٢٠٢٤", date(2024, 5, 8)),
    # Algerian / Tunisian
    ("12 جانفي 2021", date(2021, 1, 12)),
    ("الأحد 3 فيفري 2019", date(2019, 2, 3)),
    ("15 أوت 2020", date(2020, 8, 15)),
    ("30 جوان 2022", date(2022, 6, 30)),
    ("4 جويلية 2017", date(2017, 7, 4)),
    ("نشر في: ١٠ أفريل ٢٠٢٣ - ١١:٢٠ ص", datetime(2023, 4, 10, 11, 20)),
    ("الخميس 2 ماي 2024", date(2024, 5, 2)),
    # Moroccan
    ("1 يوليوز 2022", date(2022, 7, 1)),
    ("3 غشت 2019", date(2019, 8, 3)),
    ("9 شتنبر 2018م", date(2018, 9, 9)),
    ("7 نونبر 2021", date(2021, 11, 7)),
    ("الإثنين 2 دجنبر 2020 - 08:05", datetime(2020, 12, 2, 8, 5)),
    ("بتاريخ ١٦ دجنبر ٢٠٢٣ - ٠٤:٤٥ م", datetime(2023, 12, 16, 16, 45)),
    ("الجمعة 17 ماي 2024", date(2024, 5, 17)),
    # machine formats
    ("Tue, 19 Sep 2023 10:30:00 GMT", datetime(2023, 9, 19, 10, 30, tzinfo=timezone.utc)),
    ("Tue, 19 Sep 2023 10:30:00 +0300", datetime(2023, 9, 19, 10, 30, tzinfo=PLUS3)),
    ("2023-09-19T10:30:00+03:00", datetime(2023, 9, 19, 10, 30, tzinfo=PLUS3)),
    ("2023-09-19T10:30:00.000Z", datetime(2023, 9, 19, 10, 30, tzinfo=timezone.utc)),
    ("2023-09-19", date(2023, 9, 19)),
    ("2023-09-19 10:30 م", datetime(2023, 9, 19, 22, 30)),
    ("19/09/2023", date(2023, 9, 19)),
    ("19-09-2023", date(2023, 9, 19)),
    ("بتاريخ 19.09.2023", date(2023, 9, 19)),
    ("19/9/2023 10:30 م", datetime(2023, 9, 19, 22, 30)),
    ("آخر تحديث: 2024/01/15", date(2024, 1, 15)),
    ("۱۹/۰۹/۲۰۲۳", date(2023, 9, 19)),  # Persian digits
    ("September 19, 2023", date(2023, 9, 19)),
])
def test_dates_in_every_system(text, expected):
    assert parse_date_text(text) == expected


@pytest.mark.parametrize("text", [
    "31 شباط 2023",  # impossible
    "29 شباط 2023",  # not a leap year
    "30 فيفري 2020",
    "الأربعاء 31 أبريل 2024",
    "32 تموز 2020",
    "5 رمضان 1445 هـ",  # Hijri only
    "٥ ربيع الأول ١٤٤٥هـ",
    "05/03/1445هـ",
    "19 سبتمبر 2023 هـ",  # a year marked Hijri is not read as Gregorian
    "19 أيلول/أكتوبر 2023",  # the two names of a double month disagree
    "09/19/2023",  # month 19: not silently swapped into September
    "19/09-2023",  # mixed separators
    "منذ ساعتين",
    "منذ 3 ساعات",
    "أمس",
    "نشر يوم الخميس من الشهر الماضي",
    "سبتمبر 2023",  # no day: not the 1st
    "19 سبتمبر",  # no year
    "2023",
    "0000-00-00",
    "",
    "   ",
])
def test_unreadable_or_impossible_dates_are_none(text):
    assert parse_date_text(text) is None


def test_the_gregorian_half_of_a_double_date_is_read():
    assert parse_date_text("٣ ربيع الأول ١٤٤٥هـ الموافق ١٨ سبتمبر ٢٠٢٣م") == date(2023, 9, 18)


def test_a_date_inside_a_byline():
    byline = "بقلم أحمد علي - نشر في: الثلاثاء ١٩ أيلول/سبتمبر ٢٠٢٣ - ١٠:٣٠ ص"
    assert find_date_in_text(byline) == datetime(2023, 9, 19, 10, 30)


def test_the_publication_date_wins_over_an_update_written_first():
    text = "آخر تحديث: 20 سبتمبر 2023 - 08:00 م | نشر في: 19 سبتمبر 2023 - 10:30 ص"
    assert find_date_in_text(text) == datetime(2023, 9, 19, 10, 30)


def test_a_time_belongs_to_its_date_only_when_it_is_next_to_it():
    assert find_date_in_text("19 سبتمبر 2023 وقتل 12 شخصا عند 10:30") == date(2023, 9, 19)


def test_iso_output_keeps_the_offset_and_a_bare_day_stays_a_day():
    assert to_iso(datetime(2023, 9, 19, 10, 30, tzinfo=PLUS3)) == "2023-09-19T10:30:00+03:00"
    assert to_iso(datetime(2023, 9, 19, 10, 30)) == "2023-09-19T10:30:00"
    assert to_iso(parse_date_text("19-سبتمبر-2023")) == "2023-09-19"


# --- pages ------------------------------------------------------------------------------------------------

def test_structured_metadata_beats_a_date_in_the_text():
    page = ('<html><head><meta property="article:published_time" content="2024-05-02T08:00:00+03:00"></head>'
            '<body><div class="date">12 مايو 2020</div><p>نص الخبر</p></body></html>')
    assert to_iso(find_published_date(page)) == "2024-05-02T08:00:00+03:00"


def test_the_publication_meta_beats_a_generic_date_meta_written_before_it():
    page = ('<html><head><meta name="date" content="2024-06-01"><meta property="og:published_time" '
            'content="2024-05-02T08:00:00Z"></head><body></body></html>')
    assert find_published_date(page) == datetime(2024, 5, 2, 8, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("head", [
    '<meta name="pubdate" content="2022-03-04">',
    '<meta name="publishdate" content="2022-03-04">',
    '<meta name="DC.date.issued" content="2022-03-04">',
    '<meta itemprop="datePublished" content="2022-03-04">',
])
def test_each_publication_meta(head):
    assert find_published_date(f"<html><head>{head}</head><body><p>نص</p></body></html>") == date(2022, 3, 4)


def test_json_ld_graph():
    page = ('<html><head><script type="application/ld+json">{"@graph": [{"@type": "WebPage"}, '
            '{"@type": "NewsArticle", "datePublished": "2021-03-04T05:06:07Z"}]}</script></head><body></body></html>')
    assert find_published_date(page) == datetime(2021, 3, 4, 5, 6, 7, tzinfo=timezone.utc)


def test_json_ld_prefers_the_article_over_the_web_page():
    page = ('<html><head><script type="application/ld+json">[{"@type": "WebPage", "datePublished": "2020-01-01"},'
            ' {"@type": "NewsArticle", "datePublished": "2021-03-04T05:06:07+03:00"}]</script></head>'
            '<body></body></html>')
    assert find_published_date(page) == datetime(2021, 3, 4, 5, 6, 7, tzinfo=PLUS3)


def test_time_datetime_in_the_article_not_in_the_sidebar():
    page = ('<html><body><aside><time datetime="2020-01-01">1 يناير 2020</time></aside><article><header>'
            '<time datetime="2023-09-19T10:30:00+03:00">١٩ سبتمبر</time></header><p>نص</p></article></body></html>')
    assert to_iso(find_published_date(page)) == "2023-09-19T10:30:00+03:00"


def test_the_site_header_showing_today_is_not_the_article_date():
    page = ('<html><body><header class="site-header"><div class="today-date">الثلاثاء 21 أيار 2024</div>'
            '<time datetime="2024-05-21">اليوم</time></header><article><div class="meta">'
            '<span class="post-date">نشر في: 19 أيار 2024 - 10:30 ص</span></div><p>نص</p></article></body></html>')
    assert find_published_date(page) == datetime(2024, 5, 19, 10, 30)


def test_time_datetime_in_the_article_header_outside_an_article_element():
    page = ('<html><body><div class="post"><header class="entry-header"><h1>عنوان</h1>'
            '<time datetime="2023-09-19T10:30:00+03:00">١٩ أيلول ٢٠٢٣</time></header><p>نص</p></div></body></html>')
    assert find_published_date(page) == datetime(2023, 9, 19, 10, 30, tzinfo=PLUS3)


def test_a_dateline_in_levantine_month_names():
    page = '<html><body><div class="post-date">الأحد 12 نيسان 2020</div><p>نص الخبر</p></body></html>'
    assert to_iso(find_published_date(page)) == "2020-04-12"


def test_a_byline_dateline_with_a_time_from_bytes_with_an_xml_declaration():
    page = ('<?xml version="1.0" encoding="utf-8"?><html><body><div class="byline">بقلم أحمد علي - نشر في: '
            'الثلاثاء ١٩ أيلول/سبتمبر ٢٠٢٣ - ١٠:٣٠ ص</div><p>نص</p></body></html>')
    assert find_published_date(page) == datetime(2023, 9, 19, 10, 30)
    assert find_published_date(page.encode("utf-8")) == datetime(2023, 9, 19, 10, 30)


def test_wordpress_published_updated_time_and_an_lxml_tree():
    page = ('<html><body class="single has-sidebar comments-open"><article><div class="entry-meta">'
            '<time class="entry-date published updated">3 غشت 2019</time></div><p>نص</p></article></body></html>')
    assert find_published_date(fromstring(page)) == date(2019, 8, 3)
    assert find_published_date(fromstring(page).getroottree()) == date(2019, 8, 3)


def test_a_modified_date_and_a_comment_date_are_not_the_publication_date():
    page = ('<html><body><article><span class="date-modified">20 أيلول 2023</span>'
            '<span class="post-date">19 أيلول 2023</span><p>نص</p></article>'
            '<div class="comments"><span class="date">21 أيلول 2023</span></div></body></html>')
    assert find_published_date(page) == date(2023, 9, 19)


def test_a_date_only_in_a_sidebar_is_not_the_article_date():
    page = ('<html><body><div class="sidebar"><span class="date">1 يناير 2020</span></div>'
            '<article><p>نص الخبر</p></article></body></html>')
    assert find_published_date(page) is None


def test_last_resort_an_arabic_date_at_the_top_of_the_body():
    page = ('<html><body><script>var built = "2019-01-01";</script><h1>عنوان الخبر</h1>'
            '<p>القاهرة - الثلاثاء 19 سبتمبر 2023 - قال مصدر رسمي</p></body></html>')
    assert find_published_date(page) == date(2023, 9, 19)


def test_last_resort_does_not_read_bare_numbers_in_the_body():
    page = '<html><body><h1>عنوان</h1><p>صدر القرار رقم 12/3/2020 أمس</p></body></html>'
    assert find_published_date(page) is None


def test_a_page_whose_only_date_is_unreadable_has_none():
    page = '<html><body><div class="date">12 نيسن 2020</div><p>نشر يوم الخميس الماضي</p></body></html>'
    assert find_published_date(page) is None


def test_a_page_whose_only_date_is_in_an_unknown_format_has_none():
    # "سبتمر" is no month name; htmldate would call this 1 January 2023
    page = ('<html><head><meta name="description" content="خبر"></head><body><article><header>'
            '<span class="date">الثلاثاء 19 سبتمر 2023</span></header><p>نص الخبر</p></article></body></html>')
    assert find_published_date(page) is None


@pytest.mark.parametrize("page", ["", b"", "   ", "<html></html>"])
def test_empty_pages_have_no_date(page):
    assert find_published_date(page) is None
