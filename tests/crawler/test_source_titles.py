"""A source's optional `title`: the outlet's own name, which `report` shows beside the crawler's name for it."""
import pytest

from crawler.demo import sources_toml
from crawler.demo.site import OUTLETS
from crawler.sources import SourcesError, load_sources

FEED = 'feeds = ["https://a.example/rss"]\n'


def test_a_title_in_arabic_is_kept_and_trimmed(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text(f'[[source]]\nname = "wadi-news"\ntitle = " أخبار الوادي "\n{FEED}', encoding="utf-8")
    (source,) = load_sources(path)
    assert source.title == "أخبار الوادي"


def test_a_source_without_a_title_has_none(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text(f'[[source]]\nname = "a"\n{FEED}', encoding="utf-8")
    assert load_sources(path)[0].title is None


@pytest.mark.parametrize("value", ['""', '"  "', "7", '"""أخبار\nالوادي"""'])
def test_a_title_that_names_nothing_is_refused_with_its_source(tmp_path, value):
    path = tmp_path / "sources.toml"
    path.write_text(f'[[source]]\nname = "a"\ntitle = {value}\n{FEED}', encoding="utf-8")
    with pytest.raises(SourcesError, match="source 'a' \\(#1\\): field 'title' must be the outlet's name on one line"):
        load_sources(path)


def test_the_demo_names_its_outlets(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text(sources_toml("http://127.0.0.1:8000"), encoding="utf-8")
    assert {s.name: s.title for s in load_sources(path)} == {name: o["name"] for name, o in OUTLETS.items()}
