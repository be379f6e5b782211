"""Golden pages: every demo page, extracted offline, gives exactly the body, title and date it was written with.

A source's own boilerplate line can only be judged across its articles: the crawl test checks that part."""
import pytest

from crawler.demo import EXPECTED, build_site
from crawler.extract import EntryHints, extract_article

SITE = build_site("https://demo.example")


@pytest.mark.parametrize("path", sorted(EXPECTED["pages"]))
def test_demo_page(path):
    expected = EXPECTED["pages"][path]
    content_type, body = SITE[path]
    # the feed's date is what the crawler passes along; pages without a date of their own fall back to it
    article = extract_article(body, "https://demo.example" + path, content_type=content_type,
                              hints=EntryHints(published=expected["published"]))
    site_lines = set(EXPECTED["boilerplate_lines"][expected["source"]])
    assert [p for p in article.paragraphs if p not in site_lines] == expected["paragraphs"]
    assert article.title == expected["title"]
    assert (article.published or "")[:10] == expected["date"]
    assert {r.reason for r in article.removed} <= {"repeat", "fragment", "title", "boilerplate"}
    assert all(r.duplicate_of for r in article.removed if r.reason != "boilerplate")
