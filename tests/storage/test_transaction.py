"""Batched writes: many articles per commit, each still atomic alone, nothing visible before its commit."""
import sqlite3

import pytest
from conftest import AGENCY_STORY, OTHER_STORY

from crawler.article_index import ArticleIndex, IndexEntry
from crawler.record import Article
from crawler.signatures import fingerprint
from storage.sqlite import SqliteStore
from storage.sqlite.transaction import BatchedWrites, transaction


def article(url: str, paragraphs: list[str]) -> Article:
    return Article(url=url, canonical_url=url, source="wadi-news", title="عنوان", paragraphs=paragraphs, language="ar")


@pytest.fixture
def store(tmp_path):
    s = SqliteStore(tmp_path / "news.db")
    yield s
    s.close()


def stored_elsewhere(store: SqliteStore) -> int:
    """What another process (an export, `stats`) sees."""
    with sqlite3.connect(store.path) as other:
        return other.execute("SELECT count(*) FROM articles").fetchone()[0]


def test_a_batch_is_invisible_to_other_readers_until_it_commits(store):
    batch = store.writes(max_items=3, max_seconds=3600)
    batch.call(store.save, article("https://example.com/1", AGENCY_STORY))
    batch.call(store.save, article("https://example.com/2", OTHER_STORY))
    assert stored_elsewhere(store) == 0 and store.count() == 2  # the writer sees its own rows
    batch.call(store.save, article("https://example.com/3", AGENCY_STORY[:2]))  # the third call commits
    assert stored_elsewhere(store) == 3 and not batch.pending
    batch.call(store.save, article("https://example.com/4", OTHER_STORY[:2]))
    batch.flush()
    assert stored_elsewhere(store) == 4


def test_the_index_and_the_article_of_one_item_commit_together(store):
    index = ArticleIndex(store.postings(), text_of=store.text_of)
    batch = store.writes(max_items=50)
    original, copy = article("https://a.example/1", AGENCY_STORY), article("https://b.example/9", AGENCY_STORY)
    for a in (original, copy):
        verdict = batch.call(index.match_or_add, IndexEntry(a.id, fingerprint(a.paragraphs), 19000))
        a.duplicate_of = verdict.duplicate_of
        batch.call(store.save, a)
    batch.flush()
    with sqlite3.connect(store.path) as other:
        assert other.execute("SELECT count(*) FROM dedup_entries").fetchone()[0] == 2
        assert other.execute("SELECT duplicate_of FROM articles WHERE id = ?", (copy.id,)).fetchone()[0] == original.id


def test_outside_a_batch_each_transaction_commits_or_rolls_back_on_its_own(store):
    conn = store.connection
    with pytest.raises(sqlite3.IntegrityError):
        with transaction(conn):
            conn.execute("INSERT INTO feeds (url, checked_at) VALUES ('https://example.com/feed', 'now')")
            conn.execute("INSERT INTO feeds (url, checked_at) VALUES ('https://example.com/feed', 'now')")
    assert not conn.in_transaction
    store.set_feed_state("https://example.com/feed", '"v1"', None)
    assert store.feed_state("https://example.com/feed") == ('"v1"', None)
    with sqlite3.connect(store.path) as other:
        assert other.execute("SELECT count(*) FROM feeds").fetchone()[0] == 1


def test_a_batch_whose_commit_fails_reports_every_write_it_undid_and_the_next_batch_works(tmp_path):
    conn = sqlite3.connect(tmp_path / "t.db", isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("CREATE TABLE feeds (url TEXT PRIMARY KEY)")
    # checked at COMMIT, as a disk-full or I/O error would surface there
    conn.execute("CREATE TABLE entries (url TEXT REFERENCES feeds (url) DEFERRABLE INITIALLY DEFERRED)")
    lost = []
    batch = BatchedWrites(conn, max_items=3, max_seconds=3600, on_lost=lost.append)
    batch.call(conn.execute, "INSERT INTO feeds VALUES ('https://a.example/rss')")
    batch.call(conn.execute, "INSERT INTO entries VALUES ('https://a.example/rss')")
    with pytest.raises(sqlite3.IntegrityError):
        batch.call(conn.execute, "INSERT INTO entries VALUES ('https://unknown.example/rss')")
    assert lost == [3] and not conn.in_transaction
    assert conn.execute("SELECT count(*) FROM feeds").fetchone()[0] == 0
    batch.call(conn.execute, "INSERT INTO feeds VALUES ('https://b.example/rss')")
    batch.flush()
    assert conn.execute("SELECT url FROM feeds").fetchall() == [("https://b.example/rss",)] and lost == [3]


def test_a_failed_commit_outside_a_batch_leaves_no_transaction_open(tmp_path):
    conn = sqlite3.connect(tmp_path / "t.db", isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("CREATE TABLE feeds (url TEXT PRIMARY KEY)")
    conn.execute("CREATE TABLE entries (url TEXT REFERENCES feeds (url) DEFERRABLE INITIALLY DEFERRED)")
    with pytest.raises(sqlite3.IntegrityError):
        with transaction(conn):
            conn.execute("INSERT INTO entries VALUES ('https://unknown.example/rss')")
    assert not conn.in_transaction
    with transaction(conn):
        conn.execute("INSERT INTO feeds VALUES ('https://a.example/rss')")
    assert sqlite3.connect(tmp_path / "t.db").execute("SELECT count(*) FROM feeds").fetchone()[0] == 1
