"""Feeds and sitemaps: every dialect, Arabic in every charset, and what a hostile feed can try."""
import gzip

import pytest

from crawler.feeds import looks_like_feed, parse_feed, parse_sitemap

FEED_URL = "https://news.example/ar/feeds/rss.xml"
ITEMS = [
    ("الحكومة تقر موازنة العام المقبل بعجز أقل", "/ar/economy/budget-2025.html", "Tue, 19 Sep 2023 10:30:00 +0300"),
    ("انطلاق موسم قطاف الزيتون في القرى الجبلية", "https://news.example/ar/local/olives.html", "Wed, 20 Sep 2023 08:00:00 GMT"),
]


def rss(encoding: str = "utf-8", declare: bool = True) -> bytes:
    items = "".join(
        f"<item><title>{t}</title><link>{link}</link><pubDate>{d}</pubDate>"
        f"<description>&lt;p&gt;ملخص: {t}&lt;/p&gt;</description><author>سلمى الخطيب</author></item>"
        for t, link, d in ITEMS
    )
    prolog = f'<?xml version="1.0" encoding="{encoding}"?>' if declare else ""
    return f'{prolog}<rss version="2.0"><channel><title>أخبار</title>{items}</channel></rss>'.encode(encoding)


def test_rss2_entries_carry_title_date_summary_and_resolved_links():
    feed = parse_feed(rss(), FEED_URL)
    assert feed.kind == "rss20" and feed.error is None
    first = feed.entries[0]
    assert first.url == "https://news.example/ar/economy/budget-2025.html"
    assert first.title == ITEMS[0][0] and first.published == "2023-09-19T07:30:00+00:00"
    assert first.summary == "ملخص: " + ITEMS[0][0] and first.author == "سلمى الخطيب"


@pytest.mark.parametrize("encoding", ["windows-1256", "iso-8859-6"])
@pytest.mark.parametrize("where", ["prolog", "header", "both", "wrong-header", "nowhere"])
def test_single_byte_arabic_feeds_come_out_as_arabic(encoding, where):
    body = rss(encoding, declare=where in ("prolog", "both", "wrong-header"))
    header = {"prolog": "", "nowhere": "", "header": f"application/rss+xml; charset={encoding}",
              "both": f"text/xml; charset={encoding}", "wrong-header": "text/xml; charset=utf-8"}[where]
    feed = parse_feed(body, FEED_URL, {"Content-Type": header})
    assert [e.title for e in feed.entries] == [t for t, _, _ in ITEMS]


def test_rss1_rdf_and_atom():
    rdf = ('<?xml version="1.0" encoding="utf-8"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
           'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel rdf:about="x">'
           '<title>أخبار</title></channel><item rdf:about="https://news.example/a"><title>خبر أول</title>'
           '<link>https://news.example/a</link><dc:date>2023-09-19T10:00:00+03:00</dc:date></item></rdf:RDF>').encode()
    atom = ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>أخبار</title>'
            '<entry><title>خبر ثان</title><link rel="alternate" href="b.html"/><id>urn:b</id>'
            '<published>2023-09-19T10:00:00Z</published><summary>ملخص</summary></entry></feed>').encode()
    assert [(e.url, e.title, e.published) for e in parse_feed(rdf, FEED_URL).entries] == [
        ("https://news.example/a", "خبر أول", "2023-09-19T07:00:00+00:00")]
    assert [(e.url, e.title) for e in parse_feed(atom, FEED_URL).entries] == [
        ("https://news.example/ar/feeds/b.html", "خبر ثان")]


def test_entries_without_link_duplicates_and_foreign_schemes_are_counted_not_followed():
    body = ('<rss version="2.0"><channel><item><title>بث مباشر</title></item>'
            '<item><title>أ</title><link>https://news.example/a</link></item>'
            '<item><title>أ مكرر</title><link>https://news.example/a</link></item>'
            '<item><title>ملف</title><link>file:///etc/passwd</link></item>'
            '<item><title>سكربت</title><link>javascript:alert(1)</link></item></channel></rss>').encode()
    feed = parse_feed(body, FEED_URL)
    assert [e.url for e in feed.entries] == ["https://news.example/a"]
    assert feed.skipped == {"no_link": 1, "duplicate_entry": 1, "bad_scheme": 2}


@pytest.mark.parametrize("body, message", [
    (b"", "empty response"),
    (b"   \n", "empty response"),
    ("<!DOCTYPE html><html><body><p>الصفحة الرئيسية</p></body></html>".encode(), "not a feed"),
])
def test_what_is_not_a_feed_gets_a_one_line_reason(body, message):
    feed = parse_feed(body, FEED_URL)
    assert feed.entries == [] and message in feed.error


def test_a_truncated_feed_keeps_what_it_can_and_says_so():
    body = rss()[:-40]
    feed = parse_feed(body, FEED_URL)
    assert feed.error is None and feed.warning and len(feed.entries) >= 1


def test_entity_expansion_is_bounded():
    entities = '<!ENTITY a "ههههههههههههههههههههههههههههههه">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
    bomb = (f'<?xml version="1.0"?><!DOCTYPE r [{entities}]><rss version="2.0"><channel><item>'
            f'<title>&i;</title><link>https://news.example/a</link></item></channel></rss>').encode()
    feed = parse_feed(bomb, FEED_URL)
    assert all(len(e.title) < 10_000 for e in feed.entries)
    sitemap = bomb.replace(b'<rss version="2.0"><channel><item><title>', b"<urlset><url><loc>").replace(
        b"</title><link>https://news.example/a</link></item></channel></rss>", b"</loc></url></urlset>")
    assert parse_sitemap(sitemap, FEED_URL).entries == []


def test_one_large_entity_referenced_many_times_is_not_expanded():
    big = "ه" * 100_000
    body = (f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY big "{big}">\n]>\n<rss version="2.0"><channel><item>'
            f'<title>{"&big;" * 20_000}</title><link>https://news.example/a</link></item></channel></rss>').encode()
    feed = parse_feed(body, FEED_URL)  # expanded, this would be 4 GB of title
    assert [e.url for e in feed.entries] == ["https://news.example/a"]
    assert all(len(e.title) < 1_000_000 for e in feed.entries) and "entity declarations removed" in feed.warning


NEWS_SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://news.example/ar/a.html</loc><news:news><news:publication><news:name>أخبار</news:name>
<news:language>ar</news:language></news:publication><news:publication_date>2024-05-02T08:00:00+03:00</news:publication_date>
<news:title>عنوان الخبر</news:title></news:news></url>
<url><loc>https://news.example/ar/b.html</loc></url></urlset>""".encode()


def test_news_sitemap_with_publication_dates():
    feed = parse_sitemap(NEWS_SITEMAP, "https://news.example/sitemap.xml")
    assert feed.kind == "news_sitemap"
    assert [(e.url, e.title, e.published) for e in feed.entries] == [
        ("https://news.example/ar/a.html", "عنوان الخبر", "2024-05-02T05:00:00+00:00"),
        ("https://news.example/ar/b.html", "", None)]


def test_sitemap_index_and_gzip():
    index = (b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap>'
             b"<loc>https://news.example/s1.xml.gz</loc></sitemap></sitemapindex>")
    assert parse_sitemap(index, "https://news.example/").kind == "sitemap_index"
    assert len(parse_sitemap(gzip.compress(NEWS_SITEMAP), "https://news.example/").entries) == 2


def test_a_gzip_bomb_is_refused():
    bomb = gzip.compress(b"<urlset>" + b" " * (60 * 1024 * 1024))
    assert "inflates past" in parse_sitemap(bomb, "https://news.example/").error


def test_feed_or_page_by_content():
    assert looks_like_feed(rss("windows-1256"))
    assert looks_like_feed(NEWS_SITEMAP)
    assert not looks_like_feed("<!DOCTYPE html><html lang='ar'><body>خبر</body></html>".encode(), "application/rss+xml")
