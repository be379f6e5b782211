"""The sources file: the shipped one loads, and each mistake is named with its source and field."""
from pathlib import Path

import pytest

from crawler.sources import SourcesError, load_sources, select_sources

SHIPPED = Path(__file__).resolve().parents[2] / "settings" / "sources.toml"


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_sources_load():
    sources = load_sources(SHIPPED)
    assert len(sources) >= 12
    assert all(s.feeds and s.language == "ar" for s in sources)
    assert "bbc-arabic" in {s.name for s in sources}


def test_a_full_source_block(tmp_path):
    path = write(tmp_path, '[[source]]\nname = "hespress"\nfeeds = ["https://www.hespress.com/feed"]\n'
                           'sitemaps = ["https://www.hespress.com/news-sitemap.xml"]\n'
                           'pages = ["https://www.hespress.com/politique"]\narticle_pattern = "/[a-z-]+-\\\\d+\\\\.html$"\n')
    (source,) = load_sources(path)
    assert source.sitemaps and source.pages and source.article_pattern


@pytest.mark.parametrize("text, message", [
    ('[[source]]\nfeeds = ["https://a.example/rss"]\n', "source #1: field 'name' is missing"),
    ('[[source]]\nname = "BBC Arabic"\nfeeds = ["https://a.example/rss"]\n', "field 'name'"),
    ('[[source]]\nname = "a"\nfeeds = "https://a.example/rss"\n', "source 'a' (#1): field 'feeds' must be a list"),
    ('[[source]]\nname = "a"\nfeeds = ["ftp://a.example/rss"]\n', "source 'a' (#1): field 'feeds': 'ftp://a.example/rss'"),
    ('[[source]]\nname = "a"\nfeeds = ["/rss.xml"]\n', "not an absolute http(s) URL"),
    ('[[source]]\nname = "a"\n', "source 'a' (#1): needs at least one of"),
    ('[[source]]\nname = "a"\nfeeds = ["https://a.example/rss"]\nfeed = ["x"]\n', "unknown field(s) feed"),
    ('[[source]]\nname = "a"\nfeeds = ["https://a.example/rss"]\narticle_pattern = "(["\n', "article_pattern"),
    ('[[source]]\nname = "a"\nfeeds = ["https://a.example/rss"]\n[[source]]\nname = "a"\nfeeds = ["https://b.example/rss"]\n',
     "source 'a' (#2): duplicate name"),
    ('[[source]]\nname = "a"\nfeeds = ["https://a.example/rss"\n', "invalid TOML"),
    ("", "no [[source]] defined"),
])
def test_mistakes_are_named(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(SourcesError) as exc:
        load_sources(path)
    assert message in str(exc.value) and str(path) in str(exc.value)


def test_a_missing_file(tmp_path):
    with pytest.raises(SourcesError, match="not found"):
        load_sources(tmp_path / "nope.toml")


def test_selecting_unknown_sources_lists_the_known_ones():
    sources = load_sources(SHIPPED)
    assert [s.name for s in select_sources(sources, ["hespress"])] == ["hespress"]
    with pytest.raises(SourcesError, match="unknown source.*bbc-arabc.*known: .*bbc-arabic"):
        select_sources(sources, ["bbc-arabc"])
