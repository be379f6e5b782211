"""Site boilerplate: paragraphs that recur across many articles of one source ("تابعونا على ...",
copyright notices, newsletter pitches written into the body).

Counts live in SQLite beside the articles, so evidence accumulates across cron runs. A paragraph is judged
only once its source has enough articles to judge by; once judged boilerplate it stays so, and the
articles stored before the verdict are cleaned too.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crawler.arabic import normalize_for_matching
from crawler.record import Removed

if TYPE_CHECKING:
    from crawler.store import BoilerplateCounts

LOGGER = logging.getLogger(__name__)

# longer paragraphs are reporting, not site furniture; not tracking them keeps the table small
MAX_LINE_CHARS = 300


@dataclass(frozen=True)
class BoilerplateRule:
    min_share: float = 0.3
    min_articles: int = 8
    min_count: int = 3


def line_key(paragraph: str) -> str | None:
    norm = normalize_for_matching(paragraph)
    if not norm or len(norm) > MAX_LINE_CHARS:
        return None
    return hashlib.sha1(norm.encode("utf-8")).hexdigest()[:20]


class SourceBoilerplate:
    """Judges lines boilerplate from the counts the store keeps (crawler.store.BoilerplateCounts)."""

    def __init__(self, counts: "BoilerplateCounts", rule: BoilerplateRule = BoilerplateRule()) -> None:
        self.counts = counts
        self.rule = rule

    @classmethod
    def from_crawler(cls, crawler: Any, store: Any) -> "SourceBoilerplate":
        """Built by the store extension from BOILERPLATE_CLASS, over the store it opened."""
        s = crawler.settings
        return cls(store.boilerplate_counts(), BoilerplateRule(
            min_share=s.getfloat("BOILERPLATE_MIN_SHARE"), min_articles=s.getint("BOILERPLATE_MIN_ARTICLES"),
            min_count=s.getint("BOILERPLATE_MIN_COUNT")))

    def observe(self, source: str, paragraphs: list[str]) -> tuple[list[str], list[Removed], list[str]]:
        """Count this article's lines, then split its paragraphs into (kept, removed as boilerplate).

        Also returns the keys of lines that became boilerplate with this article, so that articles stored
        earlier can be cleaned.
        """
        keys = [line_key(p) for p in paragraphs]
        distinct = sorted({k for k in keys if k})
        seen, counts = self.counts.observe(source, distinct)
        flagged: set[str] = set()
        newly: list[str] = []
        for key, (count, already) in counts.items():
            if already:
                flagged.add(key)
            elif self._judged(count, seen):
                flagged.add(key)
                newly.append(key)
        if newly:
            self.counts.flag(source, newly)
        kept = [p for p, k in zip(paragraphs, keys) if k not in flagged]
        if not kept:  # an article never loses its only paragraphs
            return paragraphs, [], newly
        removed = [Removed(p, "boilerplate") for p, k in zip(paragraphs, keys) if k in flagged]
        return kept, removed, newly

    def strip(self, source: str, paragraphs: list[str]) -> tuple[list[str], list[Removed]]:
        """Remove lines already judged boilerplate, without counting: for an article observed before the
        verdict and stored after it (articles move through the pipeline concurrently)."""
        keys = [line_key(p) for p in paragraphs]
        judged = self.counts.flagged(source, [k for k in keys if k])
        flagged = [p for p, k in zip(paragraphs, keys) if k in judged]
        if not flagged or len(flagged) == len(paragraphs):
            return paragraphs, []
        return [p for p in paragraphs if p not in flagged], [Removed(p, "boilerplate") for p in flagged]

    def _judged(self, count: int, seen: int) -> bool:
        r = self.rule
        return seen >= r.min_articles and count >= r.min_count and count >= r.min_share * seen

    def is_boilerplate(self, source: str, paragraph: str) -> bool:
        key = line_key(paragraph)
        return key is not None and key in self.counts.flagged(source, [key])

    def clear(self) -> None:
        self.counts.clear()
