"""crawler.page_language: which archived pages are worth extracting as Arabic, decided before extraction."""
import codecs

import pytest

from archives import FIXTURES, foreign_pages
from crawler.demo import build_site
from crawler.page_language import arabic_page, arabic_share, declared_language

FOREIGN = foreign_pages()


def verdict(name):
    _url, content_type, body = FOREIGN[name]
    return arabic_page(body, content_type)


@pytest.mark.parametrize("name, keep, reason", [
    ("english", False, "few_arabic_letters"),  # a link to the Arabic edition is not an Arabic page
    ("french", False, "few_arabic_letters"),
    ("persian", False, "arabic_script_not_arabic"),  # declared lang="fa"
    ("persian_undeclared", False, "arabic_script_not_arabic"),  # told by ی ک پ گ, which Arabic does not write
    ("english_declared_ar", True, "declared"),  # let through: the extraction reads its text and drops it
    ("arabic_declared_en", True, "text"),  # WordPress's lang="en-US" on an Arabic site
])
def test_pages_are_kept_or_turned_away_by_declaration_then_letters(name, keep, reason):
    assert (verdict(name).keep, verdict(name).reason) == (keep, reason)


@pytest.mark.parametrize("layout", sorted(p.name for p in (FIXTURES / "layouts").glob("*.html")))
def test_every_arabic_layout_class_is_kept(layout):
    assert arabic_page((FIXTURES / "layouts" / layout).read_bytes(), "text/html").keep


def test_an_arabic_page_in_windows_1256_declaring_neither_charset_nor_language_is_kept():
    content_type, body = next(v for k, v in build_site("https://khaleej.example").items() if k.startswith("/khaleej/2"))
    undeclared = body.replace(b'<meta charset="windows-1256">', b"").replace(b' lang="ar"', b"")
    assert b"windows-1256" not in undeclared[:4096] and b"lang=" not in undeclared[:4096]
    result = arabic_page(undeclared, "text/html")
    assert result.keep and codecs.lookup(result.encoding).name == "cp1256"


def test_declared_language_reads_the_page_then_the_header_then_common_crawl():
    assert declared_language(b'<html lang="ar-EG"><head>') == "ar"
    assert declared_language(b'<html><head><meta http-equiv="Content-Language" content="fr">') == "fr"
    assert declared_language(b'<html><head><meta property="og:locale" content="ar_AR">') == "ar"
    assert declared_language(b"<html><head>", content_language="en-GB") == "en"
    assert declared_language(b"<html><head>", identified="ara,eng") == "ar"
    assert declared_language(b"<html><head>") == ""


def test_arabic_share_counts_letters_not_markup_or_digits():
    assert arabic_share("أعلن البنك المركزي") == 1.0
    assert arabic_share("The central bank said") == 0.0
    assert 0.4 < arabic_share("أعلن البنك The bank") < 0.7
