"""Site boilerplate: paragraphs that recur across many articles of one source ("تابعونا على ...",
copyright notices, newsletter pitches written into the body).

Counts live in SQLite beside the articles, so evidence accumulates across cron runs. A paragraph is judged
only once its source has enough articles to judge by; once judged boilerplate it stays so, and the
articles stored before the verdict are cleaned too.
"""
from __future__ import annotations

import hashlib
import logging
import sqlite3
from dataclasses import dataclass

from crawler.arabic import normalize_for_matching
from crawler.record import Removed
from storage.transaction import transaction

LOGGER = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS boilerplate_sources (source TEXT PRIMARY KEY, articles INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS boilerplate_lines (
    source TEXT NOT NULL,
    line TEXT NOT NULL,              -- sha1 of the paragraph's matching form
    articles INTEGER NOT NULL,       -- articles of the source it appeared in
    boilerplate INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (source, line)
) WITHOUT ROWID;
"""
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
    def __init__(self, connection: sqlite3.Connection, rule: BoilerplateRule = BoilerplateRule()) -> None:
        self.conn = connection
        self.rule = rule
        self.conn.executescript(_SCHEMA)

    def observe(self, source: str, paragraphs: list[str]) -> tuple[list[str], list[Removed], list[str]]:
        """Count this article's lines, then split its paragraphs into (kept, removed as boilerplate).

        Also returns the keys of lines that became boilerplate with this article, so that articles stored
        earlier can be cleaned.
        """
        keys = [line_key(p) for p in paragraphs]
        distinct = sorted({k for k in keys if k})
        newly: list[str] = []
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO boilerplate_sources VALUES (?, 1) ON CONFLICT (source) DO UPDATE SET articles = articles + 1",
                (source,))
            seen = self.conn.execute("SELECT articles FROM boilerplate_sources WHERE source = ?", (source,)).fetchone()[0]
            self.conn.executemany(
                "INSERT INTO boilerplate_lines (source, line, articles) VALUES (?, ?, 1) "
                "ON CONFLICT (source, line) DO UPDATE SET articles = articles + 1",
                [(source, k) for k in distinct])
            flagged: set[str] = set()
            if distinct:
                marks = ",".join("?" * len(distinct))
                rows = self.conn.execute(
                    f"SELECT line, articles, boilerplate FROM boilerplate_lines WHERE source = ? AND line IN ({marks})",
                    (source, *distinct)).fetchall()
                for key, count, already in rows:
                    if already:
                        flagged.add(key)
                    elif self._judged(count, seen):
                        flagged.add(key)
                        newly.append(key)
                if newly:
                    self.conn.executemany("UPDATE boilerplate_lines SET boilerplate = 1 WHERE source = ? AND line = ?",
                                          [(source, k) for k in newly])
        kept = [p for p, k in zip(paragraphs, keys) if k not in flagged]
        if not kept:  # an article never loses its only paragraphs
            return paragraphs, [], newly
        removed = [Removed(p, "boilerplate") for p, k in zip(paragraphs, keys) if k in flagged]
        return kept, removed, newly

    def strip(self, source: str, paragraphs: list[str]) -> tuple[list[str], list[Removed]]:
        """Remove lines already judged boilerplate, without counting: for an article observed before the
        verdict and stored after it (articles move through the pipeline concurrently)."""
        flagged = [p for p in paragraphs if self.is_boilerplate(source, p)]
        if not flagged or len(flagged) == len(paragraphs):
            return paragraphs, []
        return [p for p in paragraphs if p not in flagged], [Removed(p, "boilerplate") for p in flagged]

    def _judged(self, count: int, seen: int) -> bool:
        r = self.rule
        return seen >= r.min_articles and count >= r.min_count and count >= r.min_share * seen

    def is_boilerplate(self, source: str, paragraph: str) -> bool:
        key = line_key(paragraph)
        if key is None:
            return False
        row = self.conn.execute("SELECT boilerplate FROM boilerplate_lines WHERE source = ? AND line = ?",
                                (source, key)).fetchone()
        return bool(row and row[0])

    def clear(self) -> None:
        with transaction(self.conn):
            self.conn.execute("DELETE FROM boilerplate_lines")
            self.conn.execute("DELETE FROM boilerplate_sources")
