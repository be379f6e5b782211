"""Near-duplicate paragraphs inside one article.

Pull quotes are often truncated copies of a body paragraph: on the seed article the character 5-gram
Jaccard between a pull quote and its source is 0.45 while containment is 1.00, and the least related pair
of real paragraphs has Jaccard 0.12. So a paragraph is judged by containment: the share of its shingles
found in a longer (or, between near-identical ones, a preferred) paragraph. A paragraph set is small, so
every pair is compared exactly, through an inverted index of shingles.
"""
from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass

import regex

from crawler.arabic import char_shingles, normalize_for_matching
from crawler.record import Removed

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
        norms = [normalize_for_matching(p) for p in paragraphs]
        shingles = [char_shingles(n, self.shingle_size) for n in norms]
        overlap = _pair_overlaps(shingles)
        removed: dict[int, Removed] = {}

        for i, p in enumerate(paragraphs):
            if len(norms[i].split()) <= BOILERPLATE_MAX_WORDS and _BOILERPLATE_LINE.search(p):
                removed[i] = Removed(p, "boilerplate")

        title_norm = normalize_for_matching(title)
        if title_norm:
            title_shingles = char_shingles(title_norm, self.shingle_size)
            for i, s in enumerate(shingles):
                if i not in removed and self._is_copy(norms[i], s, title_norm, title_shingles):
                    removed[i] = Removed(paragraphs[i], "title", title)

        # near-identical groups first: keep body markup over pull-quote markup, then the earliest
        order = sorted(range(len(paragraphs)), key=lambda i: (i in weak, i))
        for pos, i in enumerate(order):
            if i in removed:
                continue
            for j in order[pos + 1 :]:
                if j not in removed and self._mutual(i, j, norms, shingles, overlap):
                    removed[j] = Removed(paragraphs[j], "repeat", paragraphs[i])

        # then fragments: a shorter paragraph contained in a longer kept one (pull quote, standfirst)
        by_length = sorted((i for i in range(len(paragraphs)) if i not in removed), key=lambda i: (-len(shingles[i]), i))
        kept: list[int] = []
        for i in by_length:
            host = next((k for k in kept if self._contained(i, k, norms, shingles, overlap)), None)
            if host is None:
                kept.append(i)
            else:
                removed[i] = Removed(paragraphs[i], "fragment", paragraphs[host])
        kept_set = set(kept)
        return [p for i, p in enumerate(paragraphs) if i in kept_set], [removed[i] for i in sorted(removed)]

    def match(self, text: str, kept: list[str], _cache: dict | None = None) -> Removed | None:
        """The Removed entry for a paragraph found outside the extracted body, if it copies a kept one.

        _cache: pass the same dict for several calls over one `kept` list to shingle it once.
        """
        norm = normalize_for_matching(text)
        s = char_shingles(norm, self.shingle_size)
        cache = {} if _cache is None else _cache
        for k in kept:
            if k not in cache:
                k_norm = normalize_for_matching(k)
                cache[k] = (k_norm, char_shingles(k_norm, self.shingle_size))
            k_norm, k_s = cache[k]
            if self._is_copy(norm, s, k_norm, k_s):
                mutual = self._is_copy(k_norm, k_s, norm, s)
                return Removed(text, "repeat" if mutual else "fragment", k)
        return None

    def _is_copy(self, norm: str, s: set[str], other_norm: str, other: set[str]) -> bool:
        if not s:
            return False
        if norm == other_norm:
            return True
        if len(norm) < self.min_fragment_chars:
            return False
        return len(s & other) >= self.threshold * len(s)

    def _contained(self, i: int, k: int, norms: list[str], shingles: list[set[str]], overlap: Counter) -> bool:
        if not shingles[i] or len(norms[i]) < self.min_fragment_chars and norms[i] != norms[k]:
            return False
        return overlap[_key(i, k)] >= self.threshold * len(shingles[i])

    def _mutual(self, i: int, j: int, norms: list[str], shingles: list[set[str]], overlap: Counter) -> bool:
        if norms[i] == norms[j]:
            return bool(norms[i])
        return self._contained(i, j, norms, shingles, overlap) and self._contained(j, i, norms, shingles, overlap)


def _key(i: int, j: int) -> tuple[int, int]:
    return (i, j) if i < j else (j, i)


def _pair_overlaps(shingles: list[set[str]]) -> Counter:
    """Shared shingle counts for every pair of paragraphs that share any, via an inverted index."""
    postings: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(shingles):
        for g in s:
            postings[g].append(i)
    overlap: Counter = Counter()
    for ids in postings.values():
        if len(ids) > 1:
            for a in range(len(ids)):
                for b in range(a + 1, len(ids)):
                    overlap[(ids[a], ids[b])] += 1
    return overlap
