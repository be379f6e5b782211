"""The store compares publication instants, keeps date_source, and upgrades a version-1 file in place."""
import sqlite3

import pytest

from crawler.record import Article
from crawler.store import ExportFilter
from storage.sqlite import SCHEMA_VERSION, SqliteStore

# What a version-1 file's articles table was (the columns a version-1 crawl wrote).
V1_ARTICLES = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta VALUES ('schema_version', '1');
CREATE TABLE articles (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, url TEXT NOT NULL UNIQUE,
    fetched_url TEXT NOT NULL, source TEXT NOT NULL, title TEXT NOT NULL, author TEXT NOT NULL, published TEXT,
    language TEXT NOT NULL, description TEXT NOT NULL, text TEXT NOT NULL, word_count INTEGER NOT NULL,
    duplicate_of TEXT, cluster_id TEXT, text_hash TEXT NOT NULL, signature BLOB,
    shingle_count INTEGER NOT NULL DEFAULT 0, fetched_at TEXT NOT NULL, run_id INTEGER
);
CREATE INDEX articles_published ON articles (published);
"""
# a page's date with its offset, a feed's in UTC, a bare day, none: as version 1 stored them
V1_ROWS = [("a", "2024-05-02T01:30:00+03:00"), ("b", "2024-05-01T23:00:00+00:00"), ("c", "2024-05-01"), ("d", None)]


def story(name: str, published: str | None, **kw) -> Article:
    url = f"https://news.example/{name}"
    return Article(url=url, canonical_url=url, source="alrai", title=name, paragraphs=[f"نص الخبر {name}"],
                   language="ar", published=published, **kw)


@pytest.fixture
def store(tmp_path):
    s = SqliteStore(tmp_path / "news.db")
    yield s
    s.close()


def urls(store, **selection):
    return [a.url.rsplit("/", 1)[1] for a in store.iter_articles(ExportFilter(**selection))]


def test_since_and_until_compare_instants_whatever_the_offset(store):
    for name, published in V1_ROWS:
        store.save(story(name, published))
    # a: 22:30 UTC on 1 May, b: 23:00 UTC, c: 1 May (its 00:00 UTC)
    assert urls(store, until="2024-05-01T22:45:00Z") == ["a", "c"]
    assert urls(store, since="2024-05-01T22:45:00+00:00") == ["b"]
    assert urls(store, until="2024-05-01") == ["a", "b", "c"]  # the whole day, d (no date) left out
    assert urls(store, since="2024-05-02") == []
    assert store.count(ExportFilter(since="2024-05-01T01:00:00+03:00", until="2024-05-01T23:00:00Z")) == 3


def test_the_date_source_round_trips(store):
    store.save(story("a", "2020-04-24T21:22:00", date_source="text"))
    back = store.get(story("a", None).id)
    assert (back.published, back.date_source) == ("2020-04-24T21:22:00", "text")
    assert back.to_json()["date_source"] == "text"


def test_a_version_1_file_is_upgraded_with_its_instants_filled(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(V1_ARTICLES)
    conn.executemany("INSERT INTO articles (id, url, fetched_url, source, title, author, published, language, "
                     "description, text, word_count, text_hash, fetched_at) VALUES (?, ?, ?, 'alrai', ?, '', ?, "
                     "'ar', '', 'نص', 1, 'h', '2024-05-03T00:00:00+00:00')",
                     [(f"id-{name}", f"https://news.example/{name}", f"https://news.example/{name}", name, published)
                      for name, published in V1_ROWS])
    conn.commit()
    conn.close()

    store = SqliteStore(path)
    try:
        assert urls(store, until="2024-05-01T22:45:00Z") == ["a", "c"]
        assert store.get("id-a").date_source is None  # unknown: stored before the source was recorded
        store.save(story("e", "2024-05-01T22:40:00Z", date_source="feed"))
        assert urls(store, until="2024-05-01T22:45:00Z") == ["a", "c", "e"]
    finally:
        store.close()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
        assert dict(conn.execute("SELECT title, published_at FROM articles")) == {
            "a": 1714602600, "b": 1714604400, "c": 1714521600, "d": None, "e": 1714603200}
    finally:
        conn.close()
    SqliteStore(path).close()  # opening an upgraded file again changes nothing
