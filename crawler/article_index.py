"""The cross-article near-duplicate index, persisted in SQLite beside the articles.

Hourly cron runs must see the articles of earlier runs, so the index lives in the database file instead
of process memory: a run pays nothing to load it and RAM stays flat however many articles are indexed.

Candidates come from two cheap lookups: MinHash LSH bands (whole-text copies) and shared anchors (a
content-defined sample of word-start windows: trimmed or padded copies, whose Jaccard with the original is too
low for any banding). Each candidate is then verified exactly: the share of the shorter text's character
5-grams found in the longer. Measurements behind these choices: docs/ARCHITECTURE.md.

Anything with `match_or_add` and `clear` can replace this class (a Redis-backed datasketch MinHashLSH
through its storage_config, say) without touching spiders or pipelines.
"""
from __future__ import annotations

import logging
import sqlite3
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

import numpy as np
import xxhash

from crawler.signatures import (
    ANCHOR_CHARS, ANCHOR_SAMPLE, SHINGLE_SIZE, SIGNATURE_SAMPLE, Fingerprint, as_array, containment, text_shingles,
)
from storage.transaction import transaction

LOGGER = logging.getLogger(__name__)

_SCHEMA = """
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
MAX_CANDIDATES = 200
# only the latest postings of an anchor are read: a formula shared by thousands of articles ("وكالة
# الأنباء السعودية واس") costs a bounded scan, and recent copies, the common case, are still found
ANCHOR_POSTINGS = 200
# a candidate must share this share of the smaller anchor set before it is verified
ANCHOR_MIN_SHARE = 0.3
CACHE_SIZE = 1024  # recent articles verified without re-reading their text; ~12 KB each


@dataclass(frozen=True)
class IndexEntry:
    article_id: str
    fingerprint: Fingerprint
    day: int
    published: float | None = None  # epoch seconds


@dataclass(frozen=True)
class Verdict:
    duplicate_of: str | None  # the earliest article this one verifiably copies, or None for an original
    cluster_id: str  # the earliest article of its cluster
    containment: float | None = None
    # an article published before the cluster's original but crawled after it takes its place: the old
    # original becomes a copy of this one (old_root, new_root), and stored marks must follow
    reroot: tuple[str, str] | None = None


def _int_list(values) -> str:
    """A JSON array of integers for json_each (json.dumps costs three times as much)."""
    return f"[{','.join(map(str, values))}]"


_INCOMPLETE = "incomplete (a rebuild that did not finish)"


def index_format(bands: int, rows: int) -> str:
    """What decides the keys an entry is indexed under: entries written under another format are not
    found by band or anchor (`python -m crawler dedup --rebuild` re-indexes them)."""
    return (f"2: minhash {bands}x{rows} of 1/{SIGNATURE_SAMPLE} of the {SHINGLE_SIZE}-grams; "
            f"anchors {ANCHOR_CHARS} chars 1/{ANCHOR_SAMPLE} within a paragraph")


class SqliteMinHashIndex:
    """text_of(article_id) gives a stored article's text (paragraphs joined by newlines) for verification;
    recently indexed articles are verified from an in-memory cache without it."""

    def __init__(
        self,
        connection: sqlite3.Connection,
        *,
        text_of: Callable[[str], str | None] | None = None,
        bands: int = 20,
        rows: int = 5,
        threshold: float = 0.8,
        window_days: int = 30,
    ) -> None:
        self.conn = connection
        self.text_of = text_of or (lambda _id: None)
        self.bands, self.rows, self.threshold, self.window_days = bands, rows, threshold, window_days
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self.conn.executescript(_SCHEMA)
        self.format = index_format(bands, rows)
        self.stale_format = self._check_format()

    def _check_format(self) -> str | None:
        """How the indexed entries were hashed, when that is not how this index hashes (older version of
        the tool, other bands or rows): their band keys and anchors no longer meet new ones'. None if same."""
        row = self.conn.execute("SELECT value FROM dedup_format WHERE key = 'format'").fetchone()
        if row is not None:
            return None if row[0] == self.format else row[0]
        if self.conn.execute("SELECT 1 FROM dedup_entries LIMIT 1").fetchone():
            return "unrecorded (a version before the index recorded its format)"
        self._record_format(self.format)  # a new index: it is what this version writes
        return None

    def _band_keys(self, signature: np.ndarray) -> list[int]:
        return [
            xxhash.xxh64_intdigest(signature[b * self.rows : (b + 1) * self.rows].tobytes(), seed=b) - (1 << 63)
            for b in range(self.bands)
        ]

    def match_or_add(self, entry: IndexEntry) -> Verdict:
        """Find the cluster this article belongs to among those within the date window, then index it."""
        fp = entry.fingerprint
        signature = as_array(fp.signature)
        if len(signature) < self.bands * self.rows:
            raise ValueError(f"signature has {len(signature)} values, bands x rows needs {self.bands * self.rows}")
        keys = self._band_keys(signature)
        with transaction(self.conn):
            existing = self._verdict(entry.article_id)
            if existing:  # indexed before (a refetch): keep its place and its verdict
                return existing
            match = self._exact(entry) or self._near(entry, keys)
            verdict = self._decide(entry, match)
            cur = self.conn.execute(
                "INSERT INTO dedup_entries (article_id, day, size, anchors, text_hash, published, duplicate_of, cluster) "
                "VALUES (?,?,?,?,?,?,?,?)",
                (entry.article_id, entry.day, fp.size, len(fp.anchors), fp.text_hash, entry.published,
                 verdict.duplicate_of, verdict.cluster_id),
            )
            rowid = cur.lastrowid
            for table, values in (("dedup_bands", keys), ("dedup_anchors", fp.anchors)):
                self.conn.execute(f"INSERT OR IGNORE INTO {table} SELECT value, ? FROM json_each(?)",
                                  (rowid, _int_list(values)))
        self._remember(entry.article_id, fp.shingles)
        return verdict

    def _decide(self, entry: IndexEntry, match: tuple[float, str, str, float | None] | None) -> Verdict:
        """match: (containment, matched id, its cluster, the cluster original's publication time)."""
        if match is None:
            return Verdict(None, entry.article_id)
        containment, matched, cluster, root_published = match
        if matched == cluster and entry.published is not None and root_published is not None \
                and entry.published < root_published:
            # published before the cluster's original: this one is the original now
            self.conn.execute("UPDATE dedup_entries SET cluster = ? WHERE cluster = ?", (entry.article_id, cluster))
            self.conn.execute("UPDATE dedup_entries SET duplicate_of = ? WHERE article_id = ?",
                              (entry.article_id, cluster))
            return Verdict(None, entry.article_id, containment, reroot=(cluster, entry.article_id))
        return Verdict(matched, cluster, containment)

    def verdict(self, article_id: str) -> Verdict | None:
        """The current verdict on an indexed article (it may have changed since it was indexed)."""
        return self._verdict(article_id)

    def _verdict(self, article_id: str) -> Verdict | None:
        row = self.conn.execute(
            "SELECT duplicate_of, cluster FROM dedup_entries WHERE article_id = ?", (article_id,)).fetchone()
        return Verdict(row[0], row[1]) if row else None

    def _remember(self, article_id: str, shingles: np.ndarray) -> None:
        self._cache[article_id] = shingles
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)

    def _shingles_of(self, article_id: str) -> np.ndarray | None:
        cached = self._cache.get(article_id)
        if cached is not None:
            return cached
        text = self.text_of(article_id)
        if text is None:
            return None  # indexed by a run that died before storing the article
        return text_shingles(text.split("\n"))

    def _root_published(self, cluster: str) -> float | None:
        row = self.conn.execute("SELECT published FROM dedup_entries WHERE article_id = ?", (cluster,)).fetchone()
        return row[0] if row else None

    def _exact(self, entry: IndexEntry) -> tuple[float, str, str, float | None] | None:
        row = self.conn.execute(
            "SELECT article_id, cluster FROM dedup_entries WHERE text_hash = ? AND day BETWEEN ? AND ? "
            "ORDER BY entry LIMIT 1",
            (entry.fingerprint.text_hash, entry.day - self.window_days, entry.day + self.window_days),
        ).fetchone()
        return (1.0, row[0], row[1], self._root_published(row[1])) if row else None

    def _candidates(self, entry: IndexEntry, keys: list[int]) -> list[tuple[int, str, str]]:
        fp, lo, hi = entry.fingerprint, entry.day - self.window_days, entry.day + self.window_days
        found: dict[int, tuple[str, str]] = {}
        marks = ",".join("?" * len(keys))
        for row in self.conn.execute(
            f"SELECT e.entry, e.article_id, e.cluster FROM dedup_bands b JOIN dedup_entries e ON e.entry = b.entry "
            f"WHERE b.band_key IN ({marks}) AND e.day BETWEEN ? AND ? LIMIT {MAX_CANDIDATES}",
            (*keys, lo, hi),
        ):
            found[row[0]] = (row[1], row[2])
        if fp.anchors:
            # one statement text for any number of anchors, so SQLite compiles it once per run (a UNION
            # of one sub-select per anchor was recompiled for every article and cost 0.6 ms of 0.7); the
            # correlated sub-select finds an anchor's 200th-latest posting, so only the latest are read
            for entry_id, article_id, cluster, shared, their in self.conn.execute(
                "SELECT e.entry, e.article_id, e.cluster, count(*), e.anchors FROM json_each(?) j "
                "JOIN dedup_anchors p ON p.anchor = j.value AND p.entry >= coalesce(("
                "  SELECT entry FROM dedup_anchors WHERE anchor = j.value "
                f"  ORDER BY entry DESC LIMIT 1 OFFSET {ANCHOR_POSTINGS - 1}), 0) "
                "JOIN dedup_entries e ON e.entry = p.entry WHERE e.day BETWEEN ? AND ? "
                f"GROUP BY e.entry ORDER BY count(*) DESC LIMIT {MAX_CANDIDATES}",
                (_int_list(fp.anchors), lo, hi),
            ):
                if shared >= ANCHOR_MIN_SHARE * max(1, min(len(fp.anchors), their)):
                    found[entry_id] = (article_id, cluster)
        return [(e, a, c) for e, (a, c) in sorted(found.items())]

    def _near(self, entry: IndexEntry, keys: list[int]) -> tuple[float, str, str, float | None] | None:
        """Every candidate is verified; the article joins the cluster with the most verified matches (an
        article can point into one cluster only, so the best-supported one is the one that keeps most true
        pairs together), and points at that cluster's earliest verified member."""
        verified: list[tuple[int, str, str, float]] = []
        for order, article_id, cluster in self._candidates(entry, keys):
            theirs = self._shingles_of(article_id)
            if theirs is None:
                continue
            c = containment(entry.fingerprint.shingles, theirs)
            if c >= self.threshold:
                verified.append((order, article_id, cluster, c))
        if not verified:
            return None
        votes: dict[str, int] = {}
        for _order, _id, cluster, _c in verified:
            votes[cluster] = votes.get(cluster, 0) + 1
        order, article_id, cluster, c = min(verified, key=lambda v: (-votes[v[2]], v[0]))
        return round(c, 3), article_id, cluster, self._root_published(cluster)

    def clear(self) -> None:
        with transaction(self.conn):
            for table in ("dedup_bands", "dedup_anchors", "dedup_entries"):
                self.conn.execute(f"DELETE FROM {table}")
            # until mark_complete: a rebuild stopped half-way leaves an index a crawl must warn about
            self._record_format(_INCOMPLETE)
        self._cache.clear()
        self.stale_format = _INCOMPLETE

    def mark_complete(self) -> None:
        """Every stored article is indexed again: the index is what this version writes."""
        self._record_format(self.format)
        self.stale_format = None

    def _record_format(self, value: str) -> None:
        with transaction(self.conn):
            self.conn.execute("INSERT OR REPLACE INTO dedup_format VALUES ('format', ?)", (value,))

    def __len__(self) -> int:
        return self.conn.execute("SELECT count(*) FROM dedup_entries").fetchone()[0]
