"""SqliteStore: Arabic round-trips, one row per canonical URL, removed paragraphs kept, filters, schema."""
import sqlite3

import pytest
from conftest import AGENCY_STORY, OTHER_STORY

from crawler.record import Article, Removed
from crawler.store import ExportFilter, StoreError
from storage.sqlite import SCHEMA_VERSION, SqliteStore


def article(url: str, paragraphs: list[str], **kw) -> Article:
    return Article(url=url, canonical_url=url, source=kw.pop("source", "wadi-news"), title=kw.pop("title", "عنوان"),
                   paragraphs=paragraphs, language="ar", **kw)


@pytest.fixture
def store(tmp_path):
    s = SqliteStore(tmp_path / "news.db")
    yield s
    s.close()


def test_an_article_round_trips_with_its_arabic_text_and_removed_paragraphs(store):
    a = article("https://example.com/a", AGENCY_STORY, published="2023-09-19T10:30:00+03:00", author="أحمد علي",
                removed=[Removed(AGENCY_STORY[0][:60], "fragment", AGENCY_STORY[0])])
    assert store.save(a)
    back = store.get(a.id)
    assert back.paragraphs == AGENCY_STORY and back.author == "أحمد علي"
    assert back.removed == a.removed and back.published == "2023-09-19T10:30:00+03:00"


def test_the_same_canonical_url_is_stored_once_and_other_urls_it_was_reached_at_are_known(store):
    a = article("https://example.com/a", AGENCY_STORY, aliases=["https://example.com/a?id=1"])
    assert store.save(a) is True
    assert store.save(article("https://example.com/a", OTHER_STORY, aliases=["https://m.example.com/a"])) is False
    assert store.count() == 1 and store.get(a.id).paragraphs == AGENCY_STORY
    assert store.known_urls(["https://example.com/a", "https://example.com/a?id=1", "https://m.example.com/a",
                             "https://example.com/b"]) == {
        "https://example.com/a", "https://example.com/a?id=1", "https://m.example.com/a"}


def test_duplicates_are_kept_but_left_out_unless_asked_for(store):
    store.save(article("https://a.example/1", AGENCY_STORY))
    store.save(article("https://b.example/1", AGENCY_STORY, source="sahel-post", duplicate_of="x", cluster_id="x"))
    assert [a.url for a in store.iter_articles()] == ["https://a.example/1"]
    assert len(list(store.iter_articles(ExportFilter(include_duplicates=True)))) == 2


def test_filters_select_by_date_source_language_and_length(store):
    store.save(article("https://a.example/1", AGENCY_STORY, published="2024-01-05T08:00:00"))
    store.save(article("https://a.example/2", OTHER_STORY[:1], published="2024-02-10T08:00:00", source="sahel-post"))
    store.save(article("https://a.example/3", OTHER_STORY, published=None))
    urls = lambda f: [a.url for a in store.iter_articles(f)]
    assert urls(ExportFilter(since="2024-02-01")) == ["https://a.example/2"]
    assert urls(ExportFilter(until="2024-01-05")) == ["https://a.example/1"]
    assert urls(ExportFilter(sources=("sahel-post",))) == ["https://a.example/2"]
    assert urls(ExportFilter(min_words=40)) == ["https://a.example/1", "https://a.example/3"]
    assert urls(ExportFilter(language="en")) == []


def test_iteration_streams_in_storage_order_across_pages(store):
    for i in range(1203):
        store.save(article(f"https://a.example/{i}", [f"الفقرة رقم {i}"]))
    ids = [a.url for a in store.iter_articles()]
    assert ids == [f"https://a.example/{i}" for i in range(1203)]


def test_the_file_is_in_wal_mode_with_a_schema_version(tmp_path):
    SqliteStore(tmp_path / "n.db").close()
    conn = sqlite3.connect(tmp_path / "n.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == str(SCHEMA_VERSION)


def test_a_newer_schema_is_refused_with_a_clear_message(tmp_path):
    SqliteStore(tmp_path / "n.db").close()
    conn = sqlite3.connect(tmp_path / "n.db")
    conn.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    conn.commit()
    with pytest.raises(StoreError, match="schema version 99"):
        SqliteStore(tmp_path / "n.db")


def test_an_unwritable_location_is_a_store_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="cannot open database"):
        SqliteStore(tmp_path / "file" / "news.db")


def test_feed_state_is_remembered(store):
    assert store.feed_state("https://x.example/rss") == (None, None)
    store.set_feed_state("https://x.example/rss", '"abc"', "Tue, 19 Sep 2023 10:00:00 GMT")
    assert store.feed_state("https://x.example/rss") == ('"abc"', "Tue, 19 Sep 2023 10:00:00 GMT")
