"""Site-boilerplate counts in PostgreSQL: per source, articles seen and the articles each short line appeared in.
The judging rule is crawler.boilerplate's. Counting is an upsert, so several crawl processes add to the
same counts; the lines are counted in sorted order, so two processes lock a source's rows in the same
order (a deadlock would still be retried by storage.postgres.writes)."""
from __future__ import annotations

from storage.postgres.session import Session

SCHEMA = """
CREATE TABLE IF NOT EXISTS boilerplate_sources (source text PRIMARY KEY, articles integer NOT NULL);
CREATE TABLE IF NOT EXISTS boilerplate_lines (
    source text NOT NULL,
    line text NOT NULL,              -- sha1 of the paragraph's matching form
    articles integer NOT NULL,       -- articles of the source it appeared in
    boilerplate boolean NOT NULL DEFAULT false,
    PRIMARY KEY (source, line)
);
"""


class PostgresBoilerplateCounts:
    def __init__(self, session: Session) -> None:
        self.session = session

    def observe(self, source: str, keys: list[str]) -> tuple[int, dict[str, tuple[int, bool]]]:
        keys = sorted(set(keys))
        with self.session.transaction() as conn:
            (seen,) = conn.execute(
                "INSERT INTO boilerplate_sources VALUES (%s, 1) ON CONFLICT (source) "
                "DO UPDATE SET articles = boilerplate_sources.articles + 1 RETURNING articles", (source,)).fetchone()
            counts: dict[str, tuple[int, bool]] = {}
            if keys:
                for key, count, flagged in conn.execute(
                        "INSERT INTO boilerplate_lines (source, line, articles) "
                        "SELECT %s, k, 1 FROM unnest(%s::text[]) k ORDER BY k ON CONFLICT (source, line) "
                        "DO UPDATE SET articles = boilerplate_lines.articles + 1 "
                        "RETURNING line, articles, boilerplate", (source, keys)):
                    counts[key] = (count, bool(flagged))
        return seen, counts

    def flag(self, source: str, keys: list[str]) -> None:
        with self.session.transaction() as conn:
            conn.execute("UPDATE boilerplate_lines SET boilerplate = true WHERE source = %s AND line = ANY(%s)",
                         (source, sorted(keys)))

    def flagged(self, source: str, keys: list[str]) -> set[str]:
        keys = sorted(set(keys))
        if not keys:
            return set()
        return self.session.retrying(lambda c: {k for (k,) in c.execute(
            "SELECT line FROM boilerplate_lines WHERE source = %s AND boilerplate AND line = ANY(%s)",
            (source, keys))})

    def clear(self) -> None:
        with self.session.transaction() as conn:
            conn.execute("TRUNCATE boilerplate_lines, boilerplate_sources")
