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


ENGLISH = [
    "The port authority said on Monday that container traffic rose by twelve percent in the first quarter, "
    "driven by the new southern terminal and two shipping lines that moved their regional hub to the city.",
    "Officials expect the growth to continue through the summer, although the rail link to the industrial "
    "zones inland is still two years from completion and trucks remain the only way to move the cargo.",
    "Analysts warned that the rise in transshipment makes the ports more exposed to changes in the routes "
    "of the large carriers, which can move their business to a rival hub at short notice.",
]


def test_language_comes_from_the_text_and_latin_text_is_never_labelled_arabic():
    # a 90%-English page on an Arabic outlet, declared lang="ar", from a source configured as "ar"
    page = ('<html lang="ar" dir="rtl"><body><article><p>' + "</p><p>".join(ENGLISH)
            + "</p><p>المصدر: هيئة الموانئ</p></article></body></html>")
    hints = EntryHints(language="ar")
    assert extract_article(page, "https://x.example/en/ports", hints=hints).language == "en"
    french = page.replace(ENGLISH[0], "Le trafic des conteneurs a augmenté de douze pour cent au premier trimestre "
                          "selon les chiffres publiés par l'autorité portuaire et les compagnies de la région.")
    french = french.replace(ENGLISH[1], "Les responsables attendent que la croissance se poursuive pendant l'été, "
                            "mais la ligne de chemin de fer vers les zones industrielles n'est pas achevée.")
    french = french.replace(ENGLISH[2], "Les analystes estiment que la hausse du transbordement rend les ports plus "
                            "exposés aux changements de routes des grands transporteurs de la région.")
    assert extract_article(french, "https://x.example/fr/ports", hints=hints).language == "fr"
    arabic = ('<html lang="en"><body><article><p>' + "</p><p>".join(LINES[3:8]) + "</p></article></body></html>")
    assert extract_article(arabic, "https://x.example/a", hints=hints).language == "ar"


def test_the_source_language_decides_where_the_text_cannot():
    scores = "".join(f"<p>{i}-{i + 1} ، {i + 2}-{i} ، {i}-{i} ، 90+{i} ، 45+{i}</p>" for i in range(1, 6))
    page = f'<html lang="ar"><body><article>{scores}</article></body></html>'
    assert extract_article(page, "https://x.example/scores", hints=EntryHints(language="fa")).language == "fa"
    assert extract_article(page, "https://x.example/scores").language == "ar"  # then the page's own
