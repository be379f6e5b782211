"""The cross-article near-duplicate index: MinHash LSH persisted in SQLite beside the articles.

Hourly cron runs must see the articles of earlier runs, so the index lives in the database file instead of
process memory: a run pays nothing to load it and RAM stays flat however many articles are indexed.
Anything with `match_or_add` and `clear` can replace it (a Redis-backed datasketch MinHashLSH through its
storage_config, say) without touching spiders or pipelines.
"""
from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import xxhash

from crawler.signatures import as_array, estimated_containment

LOGGER = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS dedup_entries (
    entry INTEGER PRIMARY KEY,       -- insertion order: the earliest copy wins
    article_id TEXT NOT NULL UNIQUE,
    day INTEGER NOT NULL,            -- days since 1970-01-01 of the article's publication (or fetch) date
    size INTEGER NOT NULL,           -- distinct shingles, for the containment estimate
    text_hash TEXT NOT NULL,
    cluster TEXT NOT NULL,           -- id of the earliest article of the cluster
    signature BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS dedup_entries_hash ON dedup_entries (text_hash);
CREATE TABLE IF NOT EXISTS dedup_bands (
    band_key INTEGER NOT NULL,
    entry INTEGER NOT NULL,
    PRIMARY KEY (band_key, entry)
) WITHOUT ROWID;
"""
MAX_CANDIDATES = 1000


@dataclass(frozen=True)
class IndexEntry:
    article_id: str
    signature: bytes
    size: int
    text_hash: str
    day: int


@dataclass(frozen=True)
class Match:
    duplicate_of: str  # the earliest article of the cluster
    cluster_id: str
    matched: str  # the article the evidence came from
    containment: float


class ArticleIndex(Protocol):
    def match_or_add(self, entry: IndexEntry) -> Match | None: ...
    def clear(self) -> None: ...


class SqliteMinHashIndex:
    """LSH over `bands` x `rows` of each signature, candidates verified by estimated containment.

    Containment, not Jaccard, because agency copies are often trimmed: a copy holding 90% of a longer
    original has a Jaccard of about 0.5 with it.
    """

    def __init__(
        self,
        connection: sqlite3.Connection,
        *,
        bands: int = 32,
        rows: int = 4,
        threshold: float = 0.8,
        window_days: int = 30,
    ) -> None:
        self.conn = connection
        self.bands, self.rows, self.threshold, self.window_days = bands, rows, threshold, window_days
        self.conn.executescript(_SCHEMA)

    def _band_keys(self, signature: np.ndarray) -> list[int]:
        keys = []
        for b in range(self.bands):
            chunk = signature[b * self.rows : (b + 1) * self.rows].tobytes()
            keys.append(xxhash.xxh64_intdigest(chunk, seed=b) - (1 << 63))  # SQLite integers are signed
        return keys

    def match_or_add(self, entry: IndexEntry) -> Match | None:
        """Find the cluster this article belongs to among those within the date window, then index it."""
        signature = as_array(entry.signature)
        if len(signature) < self.bands * self.rows:
            raise ValueError(f"signature has {len(signature)} values, bands x rows needs {self.bands * self.rows}")
        keys = self._band_keys(signature)
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            existing = self.conn.execute(
                "SELECT entry, cluster FROM dedup_entries WHERE article_id = ?", (entry.article_id,)
            ).fetchone()
            if existing:  # indexed before (a refetch): keep its place and its verdict
                match = self._cluster_match(entry.article_id, existing[1])
                return match
            match = self._exact(entry) or self._near(entry, signature, keys)
            cluster = match.cluster_id if match else entry.article_id
            cur = self.conn.execute(
                "INSERT INTO dedup_entries (article_id, day, size, text_hash, cluster, signature) VALUES (?,?,?,?,?,?)",
                (entry.article_id, entry.day, entry.size, entry.text_hash, cluster, entry.signature),
            )
            self.conn.executemany(
                "INSERT OR IGNORE INTO dedup_bands (band_key, entry) VALUES (?, ?)",
                [(k, cur.lastrowid) for k in keys],
            )
        return match

    def _cluster_match(self, article_id: str, cluster: str) -> Match | None:
        return None if cluster == article_id else Match(cluster, cluster, cluster, 1.0)

    def _exact(self, entry: IndexEntry) -> Match | None:
        row = self.conn.execute(
            "SELECT article_id, cluster FROM dedup_entries WHERE text_hash = ? AND day BETWEEN ? AND ? "
            "ORDER BY entry LIMIT 1",
            (entry.text_hash, entry.day - self.window_days, entry.day + self.window_days),
        ).fetchone()
        return Match(row[1], row[1], row[0], 1.0) if row else None

    def _near(self, entry: IndexEntry, signature: np.ndarray, keys: list[int]) -> Match | None:
        marks = ",".join("?" * len(keys))
        rows = self.conn.execute(
            f"SELECT e.entry, e.article_id, e.cluster, e.size, e.signature FROM dedup_entries e "
            f"WHERE e.entry IN (SELECT DISTINCT entry FROM dedup_bands WHERE band_key IN ({marks})) "
            f"AND e.day BETWEEN ? AND ? ORDER BY e.entry LIMIT {MAX_CANDIDATES}",
            (*keys, entry.day - self.window_days, entry.day + self.window_days),
        ).fetchall()
        best: tuple[float, int, str, str] | None = None
        for order, article_id, cluster, size, blob in rows:
            c = estimated_containment(signature, entry.size, as_array(blob), size)
            if c >= self.threshold and (best is None or c > best[0]):
                best = (c, order, article_id, cluster)
        if best is None:
            return None
        return Match(best[3], best[3], best[2], round(best[0], 3))

    def clear(self) -> None:
        with self.conn:
            self.conn.execute("DELETE FROM dedup_bands")
            self.conn.execute("DELETE FROM dedup_entries")

    def __len__(self) -> int:
        return self.conn.execute("SELECT count(*) FROM dedup_entries").fetchone()[0]
