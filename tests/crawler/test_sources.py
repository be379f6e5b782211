"""The sources file: the shipped one loads, its documented example works, and each mistake is named with
the file, the source and the field."""
import re
from pathlib import Path

import pytest

from crawler.sources import Source, SourcesError, load_sources, select_sources

SHIPPED = Path(__file__).resolve().parents[2] / "settings" / "sources.toml"
FEED = 'feeds = ["https://a.example/rss"]\n'


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding=encoding)
    return path


def failure(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(SourcesError) as exc:
        load_sources(path)
    message = str(exc.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    return message


# ----------------------------------------------------------------------------------------------- shipped

def test_the_shipped_sources_load():
    sources = load_sources(SHIPPED)
    names = {s.name for s in sources}
    assert 12 <= len(sources) <= 20
    assert {"bbc-arabic", "aljazeera-arabic", "france24-arabic", "skynews-arabia", "cnn-arabic", "alarabiya",
            "asharq-alawsat", "independent-arabia", "hespress", "shorouk-news"} <= names
    assert all(s.feeds and s.language == "ar" for s in sources)


def test_the_shipped_file_says_where_its_urls_come_from_and_how_to_add_one():
    header = SHIPPED.read_text(encoding="utf-8").split("[[source]]\nname")[0]
    assert "could NOT be checked" in header and "no network" in header
    for field in ("feeds", "sitemaps", "pages", "article_pattern", "language"):
        assert f"#   {field} = " in header


def test_the_documented_example_is_valid(tmp_path):
    """The commented [[source]] in the shipped file's header, uncommented, is a valid source."""
    lines = SHIPPED.read_text(encoding="utf-8").splitlines()
    start = lines.index("#   [[source]]")
    block = []
    for line in lines[start:]:
        if not line.startswith("#   "):
            break
        block.append(re.sub(r"\s+#.*$", "", line[4:]))  # drop the trailing explanations
    (source,) = load_sources(write(tmp_path, "\n".join(b for b in block if b.strip()) + "\n"))
    assert source == Source(
        name="example-daily", feeds=("https://example.com/rss.xml",),
        sitemaps=("https://example.com/news-sitemap.xml",), pages=("https://example.com/ar/politics/",),
        article_pattern=r"/\d{4}/\d{2}/\d{2}/", language="ar")
    assert re.search(source.article_pattern, "https://example.com/ar/2024/05/02/story.html")


# ----------------------------------------------------------------------------------------------- valid

def test_a_full_source_and_the_defaults(tmp_path):
    path = write(tmp_path, '[[source]]\nname = "hespress"\nfeeds = ["https://www.hespress.com/feed"]\n'
                           'sitemaps = ["https://www.hespress.com/news-sitemap.xml"]\n'
                           'pages = ["https://www.hespress.com/politique"]\n'
                           'article_pattern = "/[a-z-]+-\\\\d+\\\\.html$"\n'
                           'language = "ar-MA"\n\n'
                           '[[source]]\nname = "sahel.daily_2"\nsitemaps = ["http://sahel.example/sitemap.xml"]\n')
    full, minimal = load_sources(path)
    assert full.sitemaps == ("https://www.hespress.com/news-sitemap.xml",) and full.language == "ar-MA"
    assert re.search(full.article_pattern, "https://www.hespress.com/politique/vote-123.html")
    assert minimal == Source(name="sahel.daily_2", sitemaps=("http://sahel.example/sitemap.xml",))
    assert minimal.feeds == () and minimal.language == "ar" and minimal.article_pattern is None


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = write(tmp_path, f'[[source]]\nname = "a"\n{FEED}', encoding="utf-8-sig")
    assert [s.name for s in load_sources(path)] == ["a"]


def test_sources_are_immutable(tmp_path):
    (source,) = load_sources(write(tmp_path, f'[[source]]\nname = "a"\n{FEED}'))
    with pytest.raises(AttributeError):
        source.name = "b"  # type: ignore[misc]


# ----------------------------------------------------------------------------------------------- mistakes

@pytest.mark.parametrize("text, expected", [
    # the name: missing, wrong type, wrong shape — the source is then named by its position
    (f'[[source]]\nname = "ok"\n{FEED}\n[[source]]\nfeeds = ["https://b.example/rss"]\n',
     "source #2: field 'name' is missing"),
    (f'[[source]]\nname = 7\n{FEED}', "source #1: field 'name' must be a string, got a number"),
    (f'[[source]]\nname = "BBC Arabic"\n{FEED}', "source #1: field 'name' = 'BBC Arabic': use lower case"),
    (f'[[source]]\nname = "-bbc"\n{FEED}', "source #1: field 'name' = '-bbc'"),
    (f'[[source]]\nname = ""\n{FEED}', "source #1: field 'name' = ''"),
    # duplicates
    (f'[[source]]\nname = "a"\n{FEED}\n[[source]]\nname = "b"\nfeeds = ["https://b.example/rss"]\n'
     f'\n[[source]]\nname = "a"\nfeeds = ["https://c.example/rss"]\n',
     "source 'a' (#3): duplicate name, already used by source #1"),
    (f'[[source]]\nname = "a"\n{FEED}\n[[source]]\nname = "b"\n{FEED}',
     "source 'b' (#2): field 'feeds': https://a.example/rss is listed also in source 'a'"),
    ('[[source]]\nname = "a"\nfeeds = ["https://a.example/rss", "https://a.example/rss"]\n',
     "source 'a' (#1): field 'feeds': https://a.example/rss is listed twice in this source"),
    # nothing to crawl
    ('[[source]]\nname = "a"\n', "source 'a' (#1): needs at least one of 'feeds', 'sitemaps' or 'pages'"),
    ('[[source]]\nname = "a"\nfeeds = []\npages = []\n', "source 'a' (#1): needs at least one of"),
    # URLs
    ('[[source]]\nname = "a"\nfeeds = ["ftp://a.example/rss"]\n',
     "source 'a' (#1): field 'feeds': 'ftp://a.example/rss' is not an absolute http(s) URL"),
    ('[[source]]\nname = "a"\nfeeds = ["/rss.xml"]\n', "field 'feeds': '/rss.xml' is not an absolute http(s) URL"),
    ('[[source]]\nname = "a"\nfeeds = ["a.example/rss"]\n', "'a.example/rss' is not an absolute http(s) URL"),
    ('[[source]]\nname = "a"\nsitemaps = ["https:///sitemap.xml"]\n',
     "field 'sitemaps': 'https:///sitemap.xml' is not"),
    ('[[source]]\nname = "a"\npages = ["https://a.example/ar/ politics"]\n', "field 'pages': "
     "'https://a.example/ar/ politics' contains white space"),
    ('[[source]]\nname = "a"\nfeeds = ["https://a.example:80x/rss"]\n',
     "'https://a.example:80x/rss' is not a valid URL"),
    # wrong types
    ('[[source]]\nname = "a"\nfeeds = "https://a.example/rss"\n',
     "source 'a' (#1): field 'feeds' must be a list of URLs, e.g. feeds = [\"https://a.example/rss\"]"),
    ('[[source]]\nname = "a"\nsitemaps = {url = "https://a.example/s.xml"}\n',
     "source 'a' (#1): field 'sitemaps' must be a list of URLs, got a table"),
    ('[[source]]\nname = "a"\nfeeds = ["https://a.example/rss", 3]\n',
     "field 'feeds' item 2 must be a URL string, got a number"),
    (f'[[source]]\nname = "a"\n{FEED}language = 1\n', "field 'language' must be a string such as \"ar\", got a number"),
    (f'[[source]]\nname = "a"\n{FEED}language = "Arabic"\n', "field 'language' = 'Arabic' is not a language code"),
    (f'[[source]]\nname = "a"\n{FEED}article_pattern = ["/news/"]\n',
     "field 'article_pattern' must be a regular expression string, got a list"),
    # unknown keys: say which, and what is allowed
    (f'[[source]]\nname = "a"\n{FEED}feed = ["https://a.example/other"]\nlang = "ar"\n',
     "source 'a' (#1): unknown field(s) feed, lang; allowed: name, feeds, sitemaps, pages, language, article_pattern"),
    (f'title = "my outlets"\n[[source]]\nname = "a"\n{FEED}', "unknown top-level key(s) title"),
    # regex
    (f'[[source]]\nname = "a"\n{FEED}article_pattern = "/news/(["\n',
     "source 'a' (#1): field 'article_pattern' is not a valid regular expression: unterminated character set"),
    # file level
    (f'[source]\nname = "a"\n{FEED}', "'source' must be a list of tables: write [[source]], not [source]"),
    ("# nothing yet\n", "no [[source]] defined"),
    ('[[source]]\nname = "a"\nfeeds = ["https://a.example/rss"\n\n[[source]]\n',
     "invalid TOML at line 5, column 1: Unclosed array"),
    ('[[source]]\nname = "a\n', "invalid TOML at line 2"),
])
def test_mistakes_are_named(tmp_path, text, expected):
    assert expected in failure(tmp_path, text)


def test_an_article_pattern_without_pages_is_accepted_with_a_warning(tmp_path, caplog):
    (source,) = load_sources(write(tmp_path, f'[[source]]\nname = "a"\n{FEED}article_pattern = "/news/"\n'))
    assert source.article_pattern == "/news/"
    assert "only applies to links found on 'pages'" in caplog.text


def test_a_missing_unreadable_or_non_utf8_file(tmp_path):
    with pytest.raises(SourcesError, match=r"nope\.toml: sources file not found"):
        load_sources(tmp_path / "nope.toml")
    with pytest.raises(SourcesError, match="is a directory"):
        load_sources(tmp_path)
    path = tmp_path / "latin.toml"
    path.write_bytes('[[source]]\nname = "a"\n# é\n'.encode("latin-1"))
    with pytest.raises(SourcesError, match=r"latin\.toml: not UTF-8 text \(line 3\)"):
        load_sources(path)


def test_sources_error_is_a_value_error():
    assert issubclass(SourcesError, ValueError)


# ----------------------------------------------------------------------------------------------- selection

def test_selecting_sources_by_name():
    sources = load_sources(SHIPPED)
    assert select_sources(sources, []) == sources and select_sources(sources, None) == sources
    picked = select_sources(sources, ["hespress", "bbc-arabic", "hespress"])
    assert [s.name for s in picked] == ["hespress", "bbc-arabic"]  # in the order asked, once each


def test_selecting_unknown_sources_lists_the_known_ones():
    sources = load_sources(SHIPPED)
    with pytest.raises(SourcesError) as exc:
        select_sources(sources, ["bbc-arabc", "hespress", "jazeera"])
    message = str(exc.value)
    assert message.startswith("unknown source(s) bbc-arabc, jazeera; known: ")
    assert "bbc-arabic" in message and "aljazeera-arabic" in message
