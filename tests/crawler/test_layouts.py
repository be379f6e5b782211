"""Real-world layouts: each paragraph comes out as its own paragraph, with no menu, headline or date in the body.

Fixtures: tests/fixtures/layouts/<class>.html, one page per layout class real Arabic sites use, each with the
story it was written from (<class>.json, stories written for the project; bench/layout_pages.py renders them).
"""
import json
from pathlib import Path

import pytest
from lxml.html import fromstring, tostring

from crawler.extract import extract_article
from crawler.layouts import repair_layouts

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "layouts"
CLASSES = sorted(p.stem for p in FIXTURES.glob("*.json"))


def load(name: str):
    spec = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    html = (FIXTURES / f"{name}.html").read_bytes()
    return spec, extract_article(html, f"https://layouts.example/{name}", content_type=spec["content_type"])


@pytest.mark.parametrize("name", CLASSES)
def test_each_layout_gives_the_story_paragraph_by_paragraph_and_nothing_else(name):
    spec, article = load(name)
    assert article.paragraphs == spec["paragraphs"]
    assert article.title == spec["title"]
    kept = "\n".join(article.paragraphs)
    assert not [line for line in spec["not_body"] if line and line in kept]


def test_a_br_page_with_a_pull_quote_keeps_each_paragraph_once_and_removes_the_quote_as_a_fragment():
    spec, article = load("php-br-pullquote")  # windows-1256, one or two <br> between paragraphs
    assert article.paragraphs == spec["paragraphs"]
    assert len(set(article.paragraphs)) == len(spec["paragraphs"])
    (quote,) = [r for r in article.removed if r.text == spec["removed"][0]["text"]]
    assert quote.reason == "fragment" and quote.duplicate_of == spec["paragraphs"][1]


def test_a_table_page_has_no_menu_headline_or_date_line_in_its_body():
    spec, article = load("table-side-menu")
    menu = {"الرئيسية", "محليات", "اقتصاد", "رياضة", "اتصل بنا", "القائمة البريدية"}
    assert not menu & set(article.paragraphs)
    assert spec["title"] not in article.paragraphs and spec["date"] not in article.paragraphs
    assert article.paragraphs[0] == spec["paragraphs"][0]
    assert {(r.text, r.reason) for r in article.removed} >= {(spec["title"], "title"), (spec["date"], "metadata")}


def test_paragraph_dedup_acts_on_br_paragraphs_as_on_p_paragraphs():
    spec = json.loads((FIXTURES / "aspnet-br-div.json").read_text(encoding="utf-8"))
    p = spec["paragraphs"]
    lines = [p[0], p[1], "تابعونا على تويتر وفيسبوك للمزيد من الأخبار العاجلة", p[2], p[1], p[3], p[4]]
    page = (FIXTURES / "aspnet-br-div.html").read_text(encoding="utf-8")
    page = page.replace("<br /><br />".join(p), "<br /><br />".join(lines))  # the ASP.NET page, other lines
    article = extract_article(page, "https://x.example/a")
    assert article.paragraphs == p[:5]
    body_removals = [(r.text, r.reason) for r in article.removed if r.reason in ("boilerplate", "repeat")]
    assert body_removals == [(spec["section"], "boilerplate"), (lines[2], "boilerplate"), (p[1], "repeat")]


def test_an_article_only_in_noscript_or_json_ld_comes_out_paragraph_by_paragraph_without_the_headline():
    for name in ("noscript-body", "jsonld-body"):
        spec, article = load(name)
        assert article.paragraphs == spec["paragraphs"], name
        assert all(spec["title"] not in p for p in article.paragraphs), name


def repaired(html: str) -> str:
    tree = fromstring(html)
    repair_layouts(tree)
    return tostring(tree, encoding="unicode")


def test_text_between_brs_becomes_paragraphs_but_a_menu_of_links_does_not():
    long = "نص طويل بما يكفي ليكون فقرة من فقرات الخبر لا مجرد رابط في قائمة الموقع"
    html = repaired(f"<div><span>{long}<br><br>{long} <b>ثانية</b><br>{long}</span>"
                    '<div class="menu"><a href="/1">محليات</a><br><a href="/2">رياضة</a><br><a href="/3">اقتصاد</a></div></div>')
    assert html.count("<p>") == 3 and "<b>ثانية</b></p>" in html
    assert '<a href="/1">محليات</a><br><a href="/2">' in html


def test_a_layout_table_becomes_divs_and_its_menu_cell_a_nav_while_a_data_table_stays_a_table():
    body = "نص الخبر " * 30
    menu = "".join(f'<a href="/{i}">قسم {i}</a><br>' for i in range(6))
    data = "<table><tr><th>الفريق</th><th>النقاط</th></tr><tr><td>النجم</td><td>54</td></tr></table>"
    html = repaired(f"<html><body><table><tr><td>{menu}</td><td><div>{body}</div>{data}</td></tr></table></body></html>")
    assert html.count("<table>") == 1 and "<td>النجم</td>" in html
    assert "<nav>" in html and '<div><div>نص الخبر' in html
