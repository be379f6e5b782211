"""The cross-article near-duplicate index: which stored article a new one copies, decided over postings
that live in the store (crawler.store.IndexPostings), so hourly cron runs see the articles of earlier runs,
a run pays nothing to load them and RAM stays flat however many are indexed.

Candidates come from two cheap lookups: MinHash LSH bands (whole-text copies) and shared anchors (a
content-defined sample of word-start windows: trimmed or padded copies, whose Jaccard with the original is too
low for any banding). Each candidate is then verified exactly: the share of the shorter text's character
5-grams found in the longer. Measurements behind these choices: docs/ARCHITECTURE.md.
"""
from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

import numpy as np
import xxhash

from crawler.signatures import (
    ANCHOR_CHARS, ANCHOR_SAMPLE, SHINGLE_SIZE, SIGNATURE_SAMPLE, Fingerprint, as_array, containment, text_shingles,
)

if TYPE_CHECKING:
    from crawler.store import IndexPostings

LOGGER = logging.getLogger(__name__)

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


_INCOMPLETE = "incomplete (a rebuild that did not finish)"


def index_format(bands: int, rows: int) -> str:
    """What decides the keys an entry is indexed under: entries written under another format are not
    found by band or anchor (`python -m crawler dedup --rebuild` re-indexes them)."""
    return (f"2: minhash {bands}x{rows} of 1/{SIGNATURE_SAMPLE} of the {SHINGLE_SIZE}-grams; "
            f"anchors {ANCHOR_CHARS} chars 1/{ANCHOR_SAMPLE} within a paragraph")


class ArticleIndex:
    """match_or_add(entry) -> Verdict over the store's postings. text_of(article_id) gives a stored article's
    text (paragraphs joined by newlines) for verification; recently indexed articles are verified from an
    in-memory cache without it."""

    def __init__(
        self,
        postings: "IndexPostings",
        *,
        text_of: Callable[[str], str | None] | None = None,
        bands: int = 20,
        rows: int = 5,
        threshold: float = 0.8,
        window_days: int = 30,
    ) -> None:
        self.postings = postings
        self.text_of = text_of or (lambda _id: None)
        self.bands, self.rows, self.threshold, self.window_days = bands, rows, threshold, window_days
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self.format = index_format(bands, rows)
        self.stale_format = self._check_format()

    @classmethod
    def from_crawler(cls, crawler: Any, store: Any) -> "ArticleIndex":
        """Built by the store extension from DEDUP_INDEX_CLASS, over the store it opened."""
        return cls.from_settings(crawler.settings, store)

    @classmethod
    def from_settings(cls, settings: Any, store: Any) -> "ArticleIndex":
        return cls(store.postings(), text_of=store.text_of, bands=settings.getint("DEDUP_BANDS"),
                   rows=settings.getint("DEDUP_ROWS"), threshold=settings.getfloat("DEDUP_CONTAINMENT_THRESHOLD"),
                   window_days=settings.getint("DEDUP_WINDOW_DAYS"))

    def _check_format(self) -> str | None:
        """How the indexed entries were hashed, when that is not how this index hashes (older version of
        the tool, other bands or rows): their band keys and anchors no longer meet new ones'. None if same."""
        recorded = self.postings.format()
        if recorded is not None:
            return None if recorded == self.format else recorded
        if self.postings.has_entries():
            return "unrecorded (a version before the index recorded its format)"
        self.postings.set_format(self.format)  # a new index: it is what this version writes
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
        with self.postings.serialised():
            existing = self.verdict(entry.article_id)
            if existing:  # indexed before (a refetch): keep its place and its verdict
                return existing
            match = self._exact(entry) or self._near(entry, keys)
            verdict = self._decide(entry, match)
            self.postings.add(entry.article_id, day=entry.day, size=fp.size, text_hash=fp.text_hash,
                              published=entry.published, duplicate_of=verdict.duplicate_of,
                              cluster=verdict.cluster_id, band_keys=keys, anchors=fp.anchors)
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
            self.postings.reroot(cluster, entry.article_id)
            return Verdict(None, entry.article_id, containment, reroot=(cluster, entry.article_id))
        return Verdict(matched, cluster, containment)

    def verdict(self, article_id: str) -> Verdict | None:
        """The current verdict on an indexed article (it may have changed since it was indexed)."""
        found = self.postings.verdict(article_id)
        return Verdict(*found) if found else None

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

    def _exact(self, entry: IndexEntry) -> tuple[float, str, str, float | None] | None:
        found = self.postings.exact(entry.fingerprint.text_hash, entry.day - self.window_days,
                                    entry.day + self.window_days)
        if found is None:
            return None
        article_id, cluster = found
        return 1.0, article_id, cluster, self.postings.published_of(cluster)

    def _near(self, entry: IndexEntry, keys: list[int]) -> tuple[float, str, str, float | None] | None:
        """Every candidate is verified; the article joins the cluster with the most verified matches (an
        article can point into one cluster only, so the best-supported one is the one that keeps most true
        pairs together), and points at that cluster's earliest verified member."""
        verified: list[tuple[int, str, str, float]] = []
        candidates = self.postings.candidates(
            keys, entry.fingerprint.anchors, entry.day - self.window_days, entry.day + self.window_days,
            anchor_postings=ANCHOR_POSTINGS, anchor_min_share=ANCHOR_MIN_SHARE, limit=MAX_CANDIDATES)
        for order, article_id, cluster in candidates:
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
        return round(c, 3), article_id, cluster, self.postings.published_of(cluster)

    def clear(self) -> None:
        self.postings.clear()
        # until mark_complete: a rebuild stopped half-way leaves an index a crawl must warn about
        self.postings.set_format(_INCOMPLETE)
        self._cache.clear()
        self.stale_format = _INCOMPLETE

    def mark_complete(self) -> None:
        """Every stored article is indexed again: the index is what this version writes."""
        self.postings.set_format(self.format)
        self.stale_format = None

    def __len__(self) -> int:
        return self.postings.count()


def rebuild_index(store: Any, index: ArticleIndex) -> dict[str, int]:
    """Recompute the index and the duplicate marks of every stored article (after a dedup setting or the
    index format changed). Articles are replayed in storage order, so the earliest stored copy stays the
    original; writes are committed in batches, as the crawl's writer does."""
    from crawler.record import publication_day, publication_time
    from crawler.signatures import fingerprint
    from crawler.store import ExportFilter

    index.clear()
    counts = {"articles": 0, "duplicates": 0, "changed": 0}
    writes = store.writes(max_items=500, max_seconds=5.0)
    everything = ExportFilter(include_duplicates=True)
    for article in store.iter_articles(everything):
        entry = IndexEntry(article.id, fingerprint(article.paragraphs, index.bands * index.rows),
                           publication_day(article), publication_time(article))
        writes.call(index.match_or_add, entry)
        counts["articles"] += 1
    writes.flush()
    index.mark_complete()
    # the final verdicts once every article is indexed: later ones may have re-rooted clusters
    for article in store.iter_articles(everything):
        verdict = index.verdict(article.id)
        counts["duplicates"] += verdict.duplicate_of is not None
        if (verdict.duplicate_of, verdict.cluster_id) != (article.duplicate_of, article.cluster_id):
            counts["changed"] += 1
            writes.call(store.mark_duplicate, article.id, verdict.duplicate_of, verdict.cluster_id)
    writes.flush()
    return counts
