"""Near-duplicate paragraphs inside one article.

Pull quotes are often truncated copies of a body paragraph: on the seed article the character 5-gram
Jaccard between a pull quote and its source is 0.45 while containment is 1.00, and the least related pair
of real paragraphs has Jaccard 0.12. So a paragraph is judged by containment: the share of its shingles
found in a longer (or, between near-identical ones, a preferred) paragraph. A paragraph set is small, so
every pair is compared exactly: one incidence-matrix product gives all shared-shingle counts.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import regex

from crawler.arabic import hash_paragraphs, normalize_for_matching, normalize_paragraphs, shingle_hashes
from crawler.record import Removed
from crawler.signatures import HashedParagraphs

LOGGER = logging.getLogger(__name__)

# Lines that are navigation written into the article body ("read also", "follow us"): short by nature.
_BOILERPLATE_LINE = regex.compile(
    r"^\s*(?:[-–•*]\s*)?(?:ا|إ)?قر(?:أ|ا|ؤوا)\s+(?:أيضا|ايضا|أيضاً|ايضاً|المزيد|كذلك)"
    r"|^\s*(?:تابعونا|تابعوا|تابع)\s+(?:على|عبر|في|آخر|اخر)"
    r"|^\s*(?:شاهد|شاهدوا)\s+(?:أيضا|ايضا|أيضاً|ايضاً|الفيديو|المزيد)"
    r"|^\s*(?:للمزيد\s+من\s+الأخبار|لمزيد\s+من\s+الأخبار|اشترك(?:وا)?\s+في\s+(?:نشرتنا|قناتنا))"
    r"|^\s*(?:شارك|شاركوا)\s+(?:هذا\s+)?(?:المقال|الخبر)"
)
BOILERPLATE_MAX_WORDS = 18
_NONE = np.empty(0, dtype=np.uint64)


@dataclass(frozen=True)
class ParagraphDeduplicator:
    """Removes repeats, contained fragments (pull quotes, standfirsts), headline repeats and link lines.

    threshold: containment at or above which a paragraph counts as a copy of another.
    min_fragment_chars: below this many normalised characters only exact repeats are removed, so a short
        subheading that happens to occur inside a body paragraph stays.
    """

    threshold: float = 0.8
    shingle_size: int = 5
    min_fragment_chars: int = 30

    def __call__(
        self, paragraphs: list[str], title: str = "", weak: frozenset[int] = frozenset()
    ) -> tuple[list[str], list[Removed]]:
        """Return (kept paragraphs in their order, removed paragraphs with reason and what they repeat).

        weak: indexes of paragraphs that came from pull-quote markup; between near-identical paragraphs
        the one in ordinary body markup is kept.
        """
        kept, removed, _ = self.dedup(paragraphs, title, weak)
        return kept, removed

    def dedup(
        self, paragraphs: list[str], title: str = "", weak: frozenset[int] = frozenset()
    ) -> tuple[list[str], list[Removed], HashedParagraphs]:
        """As calling it, plus the hashes it computed, for the fingerprint of the kept paragraphs
        (crawler.signatures.fingerprint(kept, hashed=...))."""
        *norms, title_norm = normalize_paragraphs([*paragraphs, title])
        # not made unique here: the incidence matrix collapses repeats, and gives the distinct counts;
        # the title is one more row, so its overlaps come out of the same product
        hashes = hash_paragraphs([*norms, title_norm], self.shingle_size)
        shingles = [hashes.shingles(i) for i in range(len(paragraphs) + 1)]
        overlap = _overlap_matrix(shingles)
        diagonal = overlap.diagonal()
        sizes = diagonal.astype(int).tolist()
        t = len(paragraphs)  # the title's row
        removed: dict[int, Removed] = {}

        # hosts[i]: the rows that row i is at least `threshold` inside; a row too short to judge by its
        # shingles counts only as a copy of an identical row. Most rows have none.
        every_norm = [*norms, title_norm]
        copies = (overlap >= self.threshold * diagonal[:, None]) & (diagonal > 0)[:, None]
        np.fill_diagonal(copies, False)
        hosts: list[set[int]] = [set() for _ in every_norm]
        for i, k in zip(*(axis.tolist() for axis in np.nonzero(copies))):
            if len(every_norm[i]) >= self.min_fragment_chars or every_norm[i] == every_norm[k]:
                hosts[i].add(k)

        for i, p in enumerate(paragraphs):
            if _BOILERPLATE_LINE.search(p) and len(norms[i].split()) <= BOILERPLATE_MAX_WORDS:
                removed[i] = Removed(p, "boilerplate")

        if title_norm:
            for i in range(len(paragraphs)):
                if i not in removed and (norms[i] == title_norm or t in hosts[i]):
                    removed[i] = Removed(paragraphs[i], "title", title)

        # near-identical groups first: keep body markup over pull-quote markup, then the earliest
        order = sorted(range(len(paragraphs)), key=lambda i: (i in weak, i))
        rank = {i: pos for pos, i in enumerate(order)}
        for i in order:
            if i in removed:
                continue
            # identical rows are inside each other, so mutual hosts cover exact repeats too
            for j in sorted((j for j in hosts[i] if i in hosts[j] and j != t and rank[j] > rank[i]), key=rank.get):
                if j not in removed:
                    removed[j] = Removed(paragraphs[j], "repeat", paragraphs[i])

        # then fragments: a shorter paragraph contained in a longer kept one (pull quote, standfirst)
        by_length = sorted((i for i in range(len(paragraphs)) if i not in removed), key=lambda i: (-sizes[i], i))
        kept: list[int] = []
        for i in by_length:
            host = next((k for k in kept if k in hosts[i]), None) if hosts[i] else None
            if host is None:
                kept.append(i)
            else:
                removed[i] = Removed(paragraphs[i], "fragment", paragraphs[host])
        rows = sorted(kept)
        kept_paragraphs = [paragraphs[i] for i in rows]
        hashed = HashedParagraphs(tuple(kept_paragraphs), hashes, norms, rows)
        return kept_paragraphs, [removed[i] for i in sorted(removed)], hashed

    def match(self, text: str, kept: list[str], _cache: dict | None = None) -> Removed | None:
        """The Removed entry for a paragraph found outside the extracted body, if it copies a kept one.

        _cache: pass the same dict for several calls over one `kept` list to shingle it once.
        """
        norm = normalize_for_matching(text)
        s = shingle_hashes(norm, self.shingle_size)
        cache = {} if _cache is None else _cache
        for k in kept:
            if k not in cache:
                k_norm = normalize_for_matching(k)
                cache[k] = (k_norm, shingle_hashes(k_norm, self.shingle_size))
            k_norm, k_s = cache[k]
            if self._is_copy(norm, s, k_norm, k_s):
                mutual = self._is_copy(k_norm, k_s, norm, s)
                return Removed(text, "repeat" if mutual else "fragment", k)
        return None

    def _is_copy(self, norm: str, s: np.ndarray, other_norm: str, other: np.ndarray) -> bool:
        if not len(s):
            return False
        if norm == other_norm:
            return True
        if len(norm) < self.min_fragment_chars:
            return False
        return len(np.intersect1d(s, other, assume_unique=True)) >= self.threshold * len(s)


def _overlap_matrix(shingles: list[np.ndarray]) -> np.ndarray:
    """Shared shingle counts for every pair of paragraphs: incidence matrix times its transpose."""
    n = len(shingles)
    if n == 0:
        return np.zeros((0, 0))
    every = np.concatenate(shingles)
    if len(every) == 0:
        return np.zeros((n, n), dtype=np.float32)
    if n * len(every) > 8_000_000:  # a very long page: pairwise, without the dense matrix
        shingles = [np.unique(s) for s in shingles]
    else:
        # column of each shingle: its rank among the distinct values (np.unique without the inverse's
        # scatter back to input order, which the incidence matrix does not need)
        order = every.argsort()
        ordered = every[order]
        columns = np.empty(len(every), dtype=np.intp)
        columns[0] = 0
        np.cumsum(ordered[1:] != ordered[:-1], out=columns[1:])
        incidence = np.zeros((n, int(columns[-1]) + 1), dtype=np.float32)
        rows = np.repeat(np.arange(n), [len(s) for s in shingles])
        incidence[rows[order], columns] = 1.0
        return incidence @ incidence.T  # exact: counts stay far below float32's 2**24
    overlap = np.zeros((n, n))
    for i in range(n):
        for j in range(i, n):
            overlap[i, j] = overlap[j, i] = len(np.intersect1d(shingles[i], shingles[j], assume_unique=True))
    return overlap
