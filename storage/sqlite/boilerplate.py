"""Site-boilerplate counts in SQLite: per source, articles seen and the articles each short line appeared in.
The judging rule is crawler.boilerplate's."""
from __future__ import annotations

import sqlite3
import threading

from storage.sqlite.transaction import transaction

SCHEMA = """
CREATE TABLE IF NOT EXISTS boilerplate_sources (source TEXT PRIMARY KEY, articles INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS boilerplate_lines (
    source TEXT NOT NULL,
    line TEXT NOT NULL,              -- sha1 of the paragraph's matching form
    articles INTEGER NOT NULL,       -- articles of the source it appeared in
    boilerplate INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (source, line)
) WITHOUT ROWID;
"""


class SqliteBoilerplateCounts:
    def __init__(self, connection: sqlite3.Connection, lock: threading.RLock) -> None:
        self.conn = connection
        self.lock = lock

    def observe(self, source: str, keys: list[str]) -> tuple[int, dict[str, tuple[int, bool]]]:
        with self.lock, transaction(self.conn):
            self.conn.execute(
                "INSERT INTO boilerplate_sources VALUES (?, 1) "
                "ON CONFLICT (source) DO UPDATE SET articles = articles + 1", (source,))
            seen = self.conn.execute("SELECT articles FROM boilerplate_sources WHERE source = ?",
                                     (source,)).fetchone()[0]
            self.conn.executemany(
                "INSERT INTO boilerplate_lines (source, line, articles) VALUES (?, ?, 1) "
                "ON CONFLICT (source, line) DO UPDATE SET articles = articles + 1", [(source, k) for k in keys])
            counts: dict[str, tuple[int, bool]] = {}
            if keys:
                marks = ",".join("?" * len(keys))
                for key, count, flagged in self.conn.execute(
                        f"SELECT line, articles, boilerplate FROM boilerplate_lines WHERE source = ? AND line IN ({marks})",
                        (source, *keys)):
                    counts[key] = (count, bool(flagged))
        return seen, counts

    def flag(self, source: str, keys: list[str]) -> None:
        with self.lock, transaction(self.conn):
            self.conn.executemany("UPDATE boilerplate_lines SET boilerplate = 1 WHERE source = ? AND line = ?",
                                  [(source, k) for k in keys])

    def flagged(self, source: str, keys: list[str]) -> set[str]:
        keys = sorted(set(keys))
        if not keys:
            return set()
        with self.lock:
            return {k for (k,) in self.conn.execute(
                f"SELECT line FROM boilerplate_lines WHERE source = ? AND boilerplate = 1 "
                f"AND line IN ({','.join('?' * len(keys))})", (source, *keys))}

    def clear(self) -> None:
        with self.lock, transaction(self.conn):
            self.conn.execute("DELETE FROM boilerplate_lines")
            self.conn.execute("DELETE FROM boilerplate_sources")
