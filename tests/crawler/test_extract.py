"""Extraction on realistic pages: the seed in a layout the demo does not use, chrome, charsets, dates."""
import html
from pathlib import Path

import pytest

from crawler.extract import EntryHints, ExtractionError, extract_article

SEED = Path(__file__).resolve().parents[2] / "crawler" / "demo" / "seed_article.txt"
LINES = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
NUMBER = {text: i + 1 for i, text in enumerate(LINES)}


def seed_page(charset: str = "utf-8") -> str:
    """A newspaper layout of its own: table-free divs, the pull quotes as <div class="pq"> and <figure>."""
    e = html.escape
    body = []
    for n, text in enumerate(LINES[3:], start=4):
        if n == 7:
            body.append(f'<figure class="pullout"><blockquote>{e(text)}</blockquote></figure>')
        elif n == 14:
            body.append(f'<div class="pq-box"><span class="pq">{e(text)}</span></div>')
        else:
            body.append(f"<p>{e(text)}</p>")
    return (f'<html lang="ar"><head><meta charset="{charset}"><title>{e(LINES[2])} - جريدة المساء</title></head>'
            f'<body><div id="top"><ul class="menu"><li>الرئيسية</li><li>عربي ودولي</li><li>رياضة</li></ul></div>'
            f'<div class="post"><div class="post-meta"><span class="cat">{e(LINES[1])}</span>'
            f'<span class="post-date">{e(LINES[0])}</span></div><h2 class="post-title">{e(LINES[2])}</h2>'
            f'<div class="post-text">{"".join(body)}</div>'
            f'<div class="tags">وسوم: أذربيجان، أرمينيا، كاراباخ</div></div>'
            f'<div class="sidebar"><h3>الأكثر قراءة</h3><ul><li><a href="/1">ارتفاع أسعار النفط</a></li>'
            f'<li><a href="/2">نتائج مباريات الدوري</a></li></ul></div>'
            f'<div class="footer">جميع الحقوق محفوظة لجريدة المساء 2023</div></body></html>')


def test_the_seed_in_an_unseen_layout_keeps_the_body_in_order_and_removes_the_three_repeats():
    article = extract_article(seed_page().encode("utf-8"), "https://almasaa.example/news/2023/09/19/karabakh")
    assert article.title == LINES[2]
    assert [NUMBER.get(p, p) for p in article.paragraphs] == [4, 5, 6, 8, 10, 11, 12, 13, 15, 16, 17]
    assert {(NUMBER[r.text], r.reason, NUMBER[r.duplicate_of]) for r in article.removed} == {
        (7, "fragment", 5), (9, "title", 3), (14, "fragment", 11)}
    assert article.published == "2023-09-19" and article.language == "ar"


def test_the_seed_in_windows_1256_with_the_charset_only_in_the_page():
    article = extract_article(seed_page("windows-1256").encode("windows-1256"), "https://almasaa.example/a")
    assert article.paragraphs[0] == LINES[3]


def test_feed_metadata_fills_what_the_page_lacks_and_never_overrides_it():
    page = ("<html><body><article><p>" + "</p><p>".join(LINES[3:8]) + "</p></article></body></html>")
    hints = EntryHints(title="عنوان من الخلاصة", published="2023-09-19T11:00:00+00:00", author="وكالة الأنباء")
    article = extract_article(page, "https://x.example/a", hints=hints)
    assert article.published == "2023-09-19T11:00:00+00:00" and article.author == "وكالة الأنباء"
    dated = page.replace("<body>", '<head><meta property="article:published_time" content="2023-09-18"></head><body>')
    assert extract_article(dated, "https://x.example/a", hints=hints).published == "2023-09-18"


def test_an_unknown_month_name_gives_the_feed_date_not_a_guess():
    page = ('<html><body><div class="date">19 سبتمر 2023</div><article><p>' + "</p><p>".join(LINES[3:8])
            + "</p></article></body></html>")
    assert extract_article(page, "https://x.example/a").published is None


def test_canonical_link_is_used_when_it_names_an_article_on_the_same_site():
    page = ('<html><head><link rel="canonical" href="https://x.example/ar/story-1.html?utm_source=tw"></head>'
            "<body><article><p>" + "</p><p>".join(LINES[3:8]) + "</p></article></body></html>")
    assert extract_article(page, "https://x.example/amp/1").canonical_url == "https://x.example/ar/story-1.html"
    home = page.replace("https://x.example/ar/story-1.html?utm_source=tw", "https://x.example/")
    assert extract_article(home, "https://x.example/ar/2.html?fbclid=1").canonical_url == "https://x.example/ar/2.html"


@pytest.mark.parametrize("page, reason", [
    ("", "empty_page"),
    ("<html><body><nav><a href='/'>الرئيسية</a></nav></body></html>", "no_body"),
])
def test_pages_without_an_article_raise_with_a_reason(page, reason):
    with pytest.raises(ExtractionError) as exc:
        extract_article(page, "https://x.example/a")
    assert exc.value.reason == reason


def test_author_byline_prefix_is_dropped():
    page = ('<html><head><meta name="author" content="بقلم: سلمى الخطيب"></head><body><article><p>'
            + "</p><p>".join(LINES[3:8]) + "</p></article></body></html>")
    assert extract_article(page, "https://x.example/a").author == "سلمى الخطيب"
