"""Arabic dates in the four month-name systems in daily use; nothing unreadable is guessed."""
from datetime import date, datetime, timedelta, timezone

import pytest
from lxml.html import fromstring

from crawler.date_policy import choose_published
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
# What a page offers goes through the one policy (crawler.date_policy): these tests assert what is stored.

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)


def published(page, feed=None):
    """(published, date_source) as a record would store them, on NOW's clock."""
    return tuple(choose_published(find_published_date(page), feed, now=NOW))


def article_page(between: str, body: str = "", head: str = "", title: str = "الحكومة تعلن خطة جديدة للنقل العام") -> str:
    """An article laid out as most news sites are: site header, headline, whatever sits under it, the story."""
    story = body or ("<p>أعلنت الحكومة اليوم عن خطة جديدة لتطوير شبكة النقل العام في العاصمة تشمل خطوط حافلات "
                     "سريعة وتوسعة محطات القطار خلال السنوات الخمس المقبلة بحسب ما قال الوزير.</p>"
                     "<p>وأضاف الوزير أن الخطة ستمول من الموازنة العامة ومن قروض ميسرة.</p>")
    return (f"<html><head><title>{title} | صحيفة المدينة</title>{head}</head><body>"
            '<header class="site-header"><a class="logo" href="/">صحيفة المدينة</a><nav><a href="/">الرئيسية</a>'
            '</nav></header><main><div class="article">'
            f"<h1>{title}</h1>{between}<div class=\"content\">{story}</div></div></main>"
            '<footer>جميع الحقوق محفوظة</footer></body></html>')


def test_structured_metadata_beats_a_date_in_the_text():
    page = ('<html><head><meta property="article:published_time" content="2024-05-02T08:00:00+03:00"></head>'
            '<body><div class="date">12 مايو 2020</div><p>نص الخبر</p></body></html>')
    assert published(page) == ("2024-05-02T08:00:00+03:00", "markup")


def test_the_publication_meta_beats_a_generic_date_meta_written_before_it():
    page = ('<html><head><meta name="date" content="2024-06-01"><meta property="og:published_time" '
            'content="2024-05-02T08:00:00Z"></head><body></body></html>')
    assert find_published_date(page).markup[0] == datetime(2024, 5, 2, 8, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("head", [
    '<meta name="pubdate" content="2022-03-04">',
    '<meta name="publishdate" content="2022-03-04">',
    '<meta name="DC.date.issued" content="2022-03-04">',
    '<meta itemprop="datePublished" content="2022-03-04">',
])
def test_each_publication_meta(head):
    assert published(f"<html><head>{head}</head><body><p>نص</p></body></html>") == ("2022-03-04", "markup")


def test_json_ld_graph():
    page = ('<html><head><script type="application/ld+json">{"@graph": [{"@type": "WebPage"}, '
            '{"@type": "NewsArticle", "datePublished": "2021-03-04T05:06:07Z"}]}</script></head><body></body></html>')
    assert published(page) == ("2021-03-04T05:06:07+00:00", "markup")


def test_json_ld_prefers_the_article_over_the_web_page():
    page = ('<html><head><script type="application/ld+json">[{"@type": "WebPage", "datePublished": "2020-01-01"},'
            ' {"@type": "NewsArticle", "datePublished": "2021-03-04T05:06:07+03:00"}]</script></head>'
            '<body></body></html>')
    assert published(page) == ("2021-03-04T05:06:07+03:00", "markup")


def test_time_datetime_in_the_article_not_in_the_sidebar():
    page = ('<html><body><aside><time datetime="2020-01-01">1 يناير 2020</time></aside><article><header>'
            '<time datetime="2023-09-19T10:30:00+03:00">١٩ سبتمبر</time></header><p>نص</p></article></body></html>')
    assert published(page) == ("2023-09-19T10:30:00+03:00", "markup")


def test_the_site_header_showing_today_is_not_the_article_date():
    page = ('<html><body><header class="site-header"><div class="today-date">الثلاثاء 21 أيار 2024</div>'
            '<time datetime="2024-05-21">اليوم</time></header><article><div class="meta">'
            '<span class="post-date">نشر في: 19 أيار 2024 - 10:30 ص</span></div><p>نص</p></article></body></html>')
    assert published(page) == ("2024-05-19T10:30:00", "text")


def test_time_datetime_in_the_article_header_outside_an_article_element():
    page = ('<html><body><div class="post"><header class="entry-header"><h1>عنوان</h1>'
            '<time datetime="2023-09-19T10:30:00+03:00">١٩ أيلول ٢٠٢٣</time></header><p>نص</p></div></body></html>')
    assert published(page) == ("2023-09-19T10:30:00+03:00", "markup")


def test_a_dateline_in_levantine_month_names():
    page = '<html><body><div class="post-date">الأحد 12 نيسان 2020</div><p>نص الخبر</p></body></html>'
    assert published(page) == ("2020-04-12", "text")


def test_a_byline_dateline_with_a_time_from_bytes_with_an_xml_declaration():
    page = ('<?xml version="1.0" encoding="utf-8"?><html><body><div class="byline">بقلم أحمد علي - نشر في: '
            'الثلاثاء ١٩ أيلول/سبتمبر ٢٠٢٣ - ١٠:٣٠ ص</div><p>نص</p></body></html>')
    assert published(page) == ("2023-09-19T10:30:00", "text")
    assert published(page.encode("utf-8")) == ("2023-09-19T10:30:00", "text")


def test_wordpress_published_updated_time_and_an_lxml_tree():
    page = ('<html><body class="single has-sidebar comments-open"><article><div class="entry-meta">'
            '<time class="entry-date published updated">3 غشت 2019</time></div><p>نص</p></article></body></html>')
    assert published(fromstring(page)) == ("2019-08-03", "text")
    assert published(fromstring(page).getroottree()) == ("2019-08-03", "text")


def test_a_modified_date_and_a_comment_date_are_not_the_publication_date():
    page = ('<html><body><article><span class="date-modified">20 أيلول 2023</span>'
            '<span class="post-date">19 أيلول 2023</span><p>نص</p></article>'
            '<div class="comments"><span class="date">21 أيلول 2023</span></div></body></html>')
    assert published(page) == ("2023-09-19", "text")
    assert find_published_date(page).updated == (date(2023, 9, 20),)


def test_a_date_only_in_a_sidebar_is_not_the_article_date():
    page = ('<html><body><div class="sidebar"><span class="date">1 يناير 2020</span></div>'
            '<article><p>نص الخبر</p></article></body></html>')
    assert published(page) == (None, None)


def test_a_date_opening_the_story_is_not_its_publication_date():
    # a wire dateline inside the first paragraph: the story's words stand on both sides of the date
    page = ('<html><body><script>var built = "2019-01-01";</script><h1>عنوان الخبر</h1>'
            '<p>القاهرة - الثلاثاء 19 سبتمبر 2023 - قال مصدر رسمي</p></body></html>')
    assert published(page) == (None, None)
    assert published(page, feed=datetime(2023, 9, 19, 7, 0, tzinfo=timezone.utc)) == (
        "2023-09-19T07:00:00+00:00", "feed")


def test_bare_numbers_in_the_body_are_no_date():
    page = '<html><body><h1>عنوان</h1><p>صدر القرار رقم 12/3/2020 أمس</p></body></html>'
    assert published(page) == (None, None)


def test_a_page_whose_only_date_is_unreadable_has_none():
    page = '<html><body><div class="date">12 نيسن 2020</div><p>نشر يوم الخميس الماضي</p></body></html>'
    assert published(page) == (None, None)


def test_a_page_whose_only_date_is_in_an_unknown_format_has_none():
    # "سبتمر" is no month name; htmldate would call this 1 January 2023
    page = ('<html><head><meta name="description" content="خبر"></head><body><article><header>'
            '<span class="date">الثلاثاء 19 سبتمر 2023</span></header><p>نص الخبر</p></article></body></html>')
    assert published(page) == (None, None)


@pytest.mark.parametrize("page", ["", b"", "   ", "<html></html>"])
def test_empty_pages_have_no_date(page):
    assert not find_published_date(page)
    assert published(page) == (None, None)


# --- dates as Arabic sites write them, under the headline with no markup to trust ------------------------

@pytest.mark.parametrize("line, expected", [
    # the Jordanian outlet's line, dual month with " / ", مساءً
    ("تم نشره الجمعة 24 نيسان / أبريل 2020 09:22 مساءً", "2020-04-24T21:22:00"),
    ("تم نشره الجمعة 24 نيسان/أبريل 2020 09:22 مساءا", "2020-04-24T21:22:00"),  # the common spelling
    ("نشر في 24 نيسان - أبريل 2020 09:22 م", "2020-04-24T21:22:00"),
    ("نُشر بتاريخ: 24 أبريل (نيسان) 2020 - 09:22 ص", "2020-04-24T09:22:00"),
    ("نشر بتاريخ 24 نيسان (أبريل) 2020 الساعة 09:22 صباحاً", "2020-04-24T09:22:00"),
    ("تم نشره الجمعة ٢٤ نيسان / أبريل ٢٠٢٠ ٠٩:٢٢ مساءً", "2020-04-24T21:22:00"),  # Arabic-Indic digits
    ("الجمعة 24 نيسان / أبريل 2020 | 12:05 صباحاً", "2020-04-24T00:05:00"),
    ("عمّان - الجمعة 24 نيسان 2020", "2020-04-24"),  # the city, then the day: no time invented
    ("بقلم: رنا الخطيب | 24/04/2020 21:22", "2020-04-24T21:22:00"),
    ("٤ ربيع الأول ١٤٤١هـ - الموافق ١ نوفمبر ٢٠١٩م", "2019-11-01"),  # the Hijri half is passed over
])
def test_a_dateline_under_the_headline(line, expected):
    assert published(article_page(f"<p>{line}</p>")) == (expected, "text")
    # the same line in the spans real layouts use, after the author and the share buttons
    between = (f'<div class="info"><span>رنا الخطيب</span> <span>{line}</span></div>'
               '<div class="share"><a href="#">فيسبوك</a> <a href="#">تويتر</a> <a href="#">واتساب</a> '
               '<a href="#">تلغرام</a> <a href="#">نسخ الرابط</a> <a href="#">طباعة</a></div>')
    assert published(article_page(between)) == (expected, "text")


def test_a_dateline_after_a_standfirst_and_an_image():
    between = ('<h2>الخطة تشمل خطوط حافلات سريعة وتوسعة محطات القطار وتمتد على خمس سنوات بتمويل حكومي وقروض</h2>'
               '<figure><img src="a.jpg"><figcaption>صورة أرشيفية من 3 مارس 2019</figcaption></figure>'
               '<span>آخر تحديث: السبت 25 نيسان 2020 10:00 ص</span><br>'
               '<span>تم نشره الجمعة 24 نيسان / أبريل 2020 09:22 مساءً</span>')
    assert published(article_page(between)) == ("2020-04-24T21:22:00", "text")


def test_a_page_with_only_an_update_date_is_marked_as_such():
    page = article_page("<p>آخر تحديث: السبت 25 نيسان / أبريل 2020 10:00 ص</p>")
    assert published(page) == ("2020-04-25T10:00:00", "updated")
    # a feed's date is a publication date: it wins over an update
    assert published(page, feed=date(2020, 4, 24)) == ("2020-04-24", "feed")


def test_update_markup_is_an_update_too():
    head = ('<meta property="article:modified_time" content="2020-04-25T10:00:00+03:00">'
            '<script type="application/ld+json">{"@type": "NewsArticle", "dateModified": "2020-04-26"}</script>')
    assert published(article_page("", head=head)) == ("2020-04-25T10:00:00+03:00", "updated")
    text = article_page("<p>تم نشره الجمعة 24 نيسان 2020</p>", head=head)
    assert published(text) == ("2020-04-24", "text")


def test_json_ld_and_meta_written_in_arabic():
    # the Egyptian outlet's JSON-LD
    head = ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", '
            '"datePublished": "الأربعاء، 07 أكتوبر 2020 - 12:09 م", "dateModified": "الأربعاء، 07 أكتوبر 2020 - 01:15 م"}'
            '</script>')
    assert published(article_page("", head=head)) == ("2020-10-07T12:09:00", "markup")
    meta = '<meta property="article:published_time" content="الأربعاء ٧ تشرين الأول / أكتوبر ٢٠٢٠ ١١:٠٥ مساءً">'
    assert published(article_page("", head=meta)) == ("2020-10-07T23:05:00", "markup")


def test_a_date_in_the_story_is_never_the_publication_date():
    body = ("<p>وفي 3 مارس 2020 أعلنت الحكومة إغلاق المدارس والجامعات في جميع المحافظات حتى إشعار آخر بسبب "
            "انتشار الفيروس، وهو القرار الذي تراجعت عنه بعد شهرين.</p><p>وقال الوزير إن القرار كان صائبا.</p>")
    page = article_page('<div class="share"><a href="#">فيسبوك</a> <a href="#">تويتر</a></div>', body=body)
    assert published(page) == (None, None)
    assert published(page, feed=datetime(2024, 5, 2, 5, 0, tzinfo=timezone.utc)) == (
        "2024-05-02T05:00:00+00:00", "feed")


def test_a_short_first_paragraph_with_a_date_is_still_the_story():
    body = ("<p>وفي 3 مارس 2020، أعلنت الحكومة الإغلاق.</p>"
            "<p>وقال الوزير إن القرار جاء بعد مشاورات طويلة مع اللجنة الصحية العليا ومع ممثلي القطاع الخاص.</p>"
            "<ul><li>3 مارس 2020: إغلاق المدارس</li><li>5 مايو 2020: إعادة الفتح</li></ul>")
    assert published(article_page("", body=body)) == (None, None)


def test_an_unlabelled_date_in_the_sites_top_bar_is_not_the_article_date():
    page = ('<html><body><header><h1><a href="/">صحيفة المدينة</a></h1><div>الثلاثاء 21 أيار 2024</div></header>'
            '<div><p>أعلنت الحكومة اليوم عن خطة جديدة لتطوير شبكة النقل العام في العاصمة تشمل خطوط حافلات سريعة.</p>'
            '</div></body></html>')
    assert published(page) == (None, None)


# --- plausibility: the same for every source --------------------------------------------------------------

@pytest.mark.parametrize("impossible", ["2031-01-01T08:00:00+03:00", "1970-01-01T00:00:00Z", "1989-12-31"])
def test_an_implausible_markup_date_gives_way_to_the_feed(impossible):
    page = article_page("", head=f'<meta property="article:published_time" content="{impossible}">')
    assert published(page, feed=date(2024, 5, 2)) == ("2024-05-02", "feed")
    assert published(page) == (None, None)


def test_an_implausible_dateline_is_refused_like_any_other_date():
    page = article_page("<p>نشر في 1 يناير 1970</p>")
    assert published(page) == (None, None)
    assert published(page, feed=date(2024, 5, 2)) == ("2024-05-02", "feed")
    future = article_page("<p>تم نشره 3 حزيران 2024 - 10:00 ص</p>",
                          head='<meta property="article:published_time" content="2031-06-03T10:00:00+03:00">')
    assert published(future) == (None, None)  # NOW is 1 June 2024: two days ahead is past the clock skew
    assert published(future.replace("3 حزيران", "2 حزيران")) == ("2024-06-02T10:00:00", "text")


def test_a_dateline_right_above_the_headline_in_its_own_block():
    # category and date over the headline, as many Maghreb and Gulf sites lay it out; the site's own bar
    # above the article, unmarked, is not read
    page = ('<html><body><div class="bar">الاثنين 20 مايو 2024</div><div class="article">'
            '<div class="cat-row"><a href="/s">سياسة</a> <span>الأحد 19 ماي 2024 - 10:30</span></div>'
            f'<h1>عنوان الخبر في سطر واحد</h1><div class="content"><p>{"كلمة " * 30}</p></div></div></body></html>')
    assert published(page) == ("2024-05-19T10:30:00", "text")
    top_level = page.replace('<div class="article">', "").replace("</div></body>", "</body>")
    top_level = top_level.replace('<div class="cat-row"><a href="/s">سياسة</a> <span>الأحد 19 ماي 2024 - 10:30</span></div>', "")
    assert published(top_level) == (None, None)


def test_an_rdfa_date_in_the_articles_footer_is_markup_a_comments_is_not():
    # Drupal: the node's date as RDFa in the article's own <footer>
    date_field = '<span property="dc:date" content="2019-02-08T00:00:00+01:00">الجمعة 8 فيفري 2019</span>'
    page = f"<html><body><article><h1>عنوان</h1><p>نص الخبر</p><footer>{date_field}</footer></article></body></html>"
    assert published(page) == ("2019-02-08T00:00:00+01:00", "markup")
    comment = page.replace("<footer>", '<div class="comment"><footer>').replace("</footer>", "</footer></div>")
    assert published(comment) == (None, None)
