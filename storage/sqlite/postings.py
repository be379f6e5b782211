"""The cross-article index's rows in SQLite: entries, LSH band keys and anchor postings.

crawler.article_index decides (candidates verified exactly, the cluster vote, re-rooting); this finds and
records. The candidate lookups are one fixed statement each (keys go in as a JSON array through
`json_each`), so SQLite compiles them once per run; the anchor lookup reads only an anchor's latest
postings through a correlated sub-select.
"""
from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from typing import Iterable, Iterator

from storage.sqlite.transaction import transaction

SCHEMA = """
CREATE TABLE IF NOT EXISTS dedup_entries (
    entry INTEGER PRIMARY KEY,       -- insertion order: the earliest copy wins
    article_id TEXT NOT NULL UNIQUE,
    day INTEGER NOT NULL,            -- days since 1970-01-01 of the article's publication (or fetch) date
    size INTEGER NOT NULL,           -- distinct character 5-grams
    anchors INTEGER NOT NULL,        -- how many anchors the article has
    text_hash TEXT NOT NULL,
    published REAL,                  -- publication time (epoch seconds) when known: the earliest copy is the original
    duplicate_of TEXT,               -- the verdict, read back when the article is stored
    cluster TEXT NOT NULL            -- id of the earliest article of the cluster
);
CREATE INDEX IF NOT EXISTS dedup_entries_cluster ON dedup_entries (cluster);
CREATE INDEX IF NOT EXISTS dedup_entries_hash ON dedup_entries (text_hash);
CREATE TABLE IF NOT EXISTS dedup_bands (band_key INTEGER NOT NULL, entry INTEGER NOT NULL,
    PRIMARY KEY (band_key, entry)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dedup_anchors (anchor INTEGER NOT NULL, entry INTEGER NOT NULL,
    PRIMARY KEY (anchor, entry)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dedup_format (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def int_list(values: Iterable[int]) -> str:
    """A JSON array of integers for json_each (json.dumps costs three times as much)."""
    return f"[{','.join(map(str, values))}]"


class SqlitePostings:
    def __init__(self, connection: sqlite3.Connection, lock: threading.RLock) -> None:
        self.conn = connection
        self.lock = lock

    @contextmanager
    def serialised(self) -> Iterator[None]:
        # BEGIN IMMEDIATE (or a savepoint inside the writer's batch) already makes this the only writer
        with self.lock, transaction(self.conn):
            yield

    def format(self) -> str | None:
        with self.lock:
            row = self.conn.execute("SELECT value FROM dedup_format WHERE key = 'format'").fetchone()
        return row[0] if row else None

    def set_format(self, value: str) -> None:
        with self.lock, transaction(self.conn):
            self.conn.execute("INSERT OR REPLACE INTO dedup_format VALUES ('format', ?)", (value,))

    def has_entries(self) -> bool:
        with self.lock:
            return self.conn.execute("SELECT 1 FROM dedup_entries LIMIT 1").fetchone() is not None

    def count(self) -> int:
        with self.lock:
            return self.conn.execute("SELECT count(*) FROM dedup_entries").fetchone()[0]

    def verdict(self, article_id: str) -> tuple[str | None, str] | None:
        with self.lock:
            row = self.conn.execute(
                "SELECT duplicate_of, cluster FROM dedup_entries WHERE article_id = ?", (article_id,)).fetchone()
        return (row[0], row[1]) if row else None

    def exact(self, text_hash: str, day_from: int, day_to: int) -> tuple[str, str] | None:
        with self.lock:
            row = self.conn.execute(
                "SELECT article_id, cluster FROM dedup_entries WHERE text_hash = ? AND day BETWEEN ? AND ? "
                "ORDER BY entry LIMIT 1", (text_hash, day_from, day_to)).fetchone()
        return (row[0], row[1]) if row else None

    def candidates(self, band_keys: list[int], anchors: Iterable[int], day_from: int, day_to: int, *,
                   anchor_postings: int, anchor_min_share: float, limit: int) -> list[tuple[int, str, str]]:
        anchors = list(anchors)
        found: dict[int, tuple[str, str]] = {}
        with self.lock:
            for entry, article_id, cluster in self.conn.execute(
                "SELECT e.entry, e.article_id, e.cluster FROM json_each(?) j "
                "JOIN dedup_bands b ON b.band_key = j.value JOIN dedup_entries e ON e.entry = b.entry "
                f"WHERE e.day BETWEEN ? AND ? LIMIT {int(limit)}",
                (int_list(band_keys), day_from, day_to),
            ):
                found[entry] = (article_id, cluster)
            if anchors:
                # the correlated sub-select finds an anchor's Nth-latest posting, so a formula shared by
                # thousands of articles costs a bounded scan (a UNION of one sub-select per anchor was
                # recompiled for every article and cost 0.6 ms of 0.7)
                for entry, article_id, cluster, shared, theirs in self.conn.execute(
                    "SELECT e.entry, e.article_id, e.cluster, count(*), e.anchors FROM json_each(?) j "
                    "JOIN dedup_anchors p ON p.anchor = j.value AND p.entry >= coalesce(("
                    "  SELECT entry FROM dedup_anchors WHERE anchor = j.value "
                    f"  ORDER BY entry DESC LIMIT 1 OFFSET {int(anchor_postings) - 1}), 0) "
                    "JOIN dedup_entries e ON e.entry = p.entry WHERE e.day BETWEEN ? AND ? "
                    f"GROUP BY e.entry ORDER BY count(*) DESC LIMIT {int(limit)}",
                    (int_list(anchors), day_from, day_to),
                ):
                    if shared >= anchor_min_share * max(1, min(len(anchors), theirs)):
                        found[entry] = (article_id, cluster)
        return [(e, a, c) for e, (a, c) in sorted(found.items())]

    def published_of(self, article_id: str) -> float | None:
        with self.lock:
            row = self.conn.execute("SELECT published FROM dedup_entries WHERE article_id = ?",
                                    (article_id,)).fetchone()
        return row[0] if row else None

    def add(self, article_id: str, *, day: int, size: int, text_hash: str, published: float | None,
            duplicate_of: str | None, cluster: str, band_keys: list[int], anchors: tuple[int, ...]) -> None:
        with self.lock, transaction(self.conn):
            cur = self.conn.execute(
                "INSERT INTO dedup_entries (article_id, day, size, anchors, text_hash, published, duplicate_of, "
                "cluster) VALUES (?,?,?,?,?,?,?,?)",
                (article_id, day, size, len(anchors), text_hash, published, duplicate_of, cluster))
            rowid = cur.lastrowid
            for table, values in (("dedup_bands", band_keys), ("dedup_anchors", anchors)):
                self.conn.execute(f"INSERT OR IGNORE INTO {table} SELECT value, ? FROM json_each(?)",
                                  (rowid, int_list(values)))

    def reroot(self, old_root: str, new_root: str) -> None:
        with self.lock, transaction(self.conn):
            self.conn.execute("UPDATE dedup_entries SET cluster = ? WHERE cluster = ?", (new_root, old_root))
            self.conn.execute("UPDATE dedup_entries SET duplicate_of = ? WHERE article_id = ?", (new_root, old_root))

    def clear(self) -> None:
        with self.lock, transaction(self.conn):
            for table in ("dedup_bands", "dedup_anchors", "dedup_entries"):
                self.conn.execute(f"DELETE FROM {table}")
