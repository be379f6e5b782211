"""What every backend implements: the protocols are the crawler's (crawler.store), which names what it
calls; backends (storage.sqlite, storage.postgres) implement them and share one conformance test suite
(tests/storage/test_conformance.py)."""
from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from typing import Any, Iterable

from crawler.date_policy import bound_instant
from crawler.store import (BoilerplateCounts, ExportFilter, IndexPostings, NoSuchStore, ReportSelection, Store,
                           StoreError, WriteBatch)

__all__ = ["BoilerplateCounts", "ExportFilter", "IndexPostings", "NoSuchStore", "Store", "StoreError", "WriteBatch",
           "recent_run", "selection_where", "source_health"]


def selection_where(selection: ExportFilter, *, mark: str, sources_in: str, sources_param: Any = list,
                    alias: str = "") -> tuple[str, list[Any]]:
    """The articles an ExportFilter selects, as " AND ..." clauses and their parameters, in a backend's
    dialect: `mark` is its placeholder, `sources_in` its test of source against one list parameter, made by
    `sources_param` from the names. Dates compare instants (published_at), not strings:
    "2024-05-01T09:00:00+03:00" is before "2024-05-01T08:00:00+00:00"."""
    clauses: list[str] = []
    params: list[Any] = []
    if not selection.include_duplicates:
        clauses.append(f"{alias}duplicate_of IS NULL")
    if selection.since:
        clauses.append(f"{alias}published_at >= {mark}")
        params.append(bound_instant(selection.since))
    if selection.until:
        clauses.append(f"{alias}published_at < {mark}")  # the first instant after it: a bare day is the whole day
        params.append(bound_instant(selection.until, end=True))
    if selection.sources:
        clauses.append(sources_in)
        params.append(sources_param(list(selection.sources)))
    if selection.language:
        clauses.append(f"{alias}language = {mark}")
        params.append(selection.language)
    if selection.min_words:
        clauses.append(f"{alias}word_count >= {mark}")
        params.append(selection.min_words)
    return "".join(f" AND {c}" for c in clauses), params


def recent_run(run_id: int, started: str, finished: str | None, outcome: str, stats: dict[str, Any]) -> dict[str, Any]:
    """One row of `stats`'s recent runs: what the run stored, and how many of its items failed."""
    return {"id": run_id, "started_at": started, "finished_at": finished, "outcome": outcome,
            "new_articles": stats.get("store/articles", 0),
            "failed_items": sum(v for k, v in stats.items() if k.startswith(("errors/", "extract/failed/")))}


def source_health(history: Iterable[tuple[str, str, int | None, str | None, int | None]]) -> list[dict[str, Any]]:
    """Per source, from its run rows newest first (source, started_at, feeds fetched, errors JSON, feeds not
    modified): the last run that reached it, and how many of its latest runs in a row had errors."""
    health: dict[str, dict[str, Any]] = {}
    streak_open: dict[str, bool] = {}
    for source, started, fetched, errors, not_modified in history:
        h = health.setdefault(source, {"source": source, "last_success": None, "error_streak": 0,
                                       "last_errors": None})
        errs = json.loads(errors or "{}")
        if (fetched or 0) + (not_modified or 0) > 0 and h["last_success"] is None:
            h["last_success"] = started
        if streak_open.setdefault(source, True):
            if errs:
                h["error_streak"] += 1
                h["last_errors"] = h["last_errors"] or errs
            else:
                streak_open[source] = False
    return list(health.values())


def iso_utc(epoch: float) -> str:
    """An instant as fetched_at and started_at are written ("2024-05-01T08:00:00+00:00"), compared as text;
    they hold whole seconds, so a bound rounded up selects the same rows."""
    return datetime.fromtimestamp(math.ceil(epoch), timezone.utc).isoformat()


def report_where(selection: ReportSelection, *, mark: str, sources_in: str, sources_param: Any = list,
                 column: str = "a.fetched_at") -> tuple[str, list[Any]]:
    """The articles (or, with column="started_at" and no sources, the runs) a report covers, as " AND ..."
    clauses in a backend's dialect (see selection_where)."""
    clauses: list[str] = []
    params: list[Any] = []
    if selection.fetched_from is not None:
        clauses.append(f"{column} >= {mark}")
        params.append(iso_utc(selection.fetched_from))
    if selection.fetched_before is not None:
        clauses.append(f"{column} < {mark}")
        params.append(iso_utc(selection.fetched_before))
    if selection.sources:
        clauses.append(sources_in)
        params.append(sources_param(list(selection.sources)))
    return "".join(f" AND {c}" for c in clauses), params


def report_queries(selection: ReportSelection, *, mark: str, sources_in: str,
                   sources_param: Any = list) -> dict[str, tuple[str, list[Any]]]:
    """Store.report_data's article queries, in SQL both backends read (SQLite 3.30+ and PostgreSQL: FILTER,
    window functions, aliased derived tables); each backend adds its own query of the runs (JSON differs)."""
    where, params = report_where(selection, mark=mark, sources_in=sources_in, sources_param=sources_param)
    return {
        "days": (f"SELECT substr(a.fetched_at, 1, 10) AS day, a.source, count(*) AS articles FROM articles a "
                 f"WHERE 1=1 {where} GROUP BY day, a.source ORDER BY day, a.source", params),
        "per_source": (f"SELECT a.source, count(*) AS articles, count(*) FILTER (WHERE a.published_at IS NULL) "
                       f"AS undated, count(a.duplicate_of) AS duplicates, max(a.fetched_at) AS last_fetched "
                       f"FROM articles a WHERE 1=1 {where} GROUP BY a.source ORDER BY a.source", params),
        "copied_from": (f"SELECT a.source, o.source AS original_source, count(*) AS duplicates FROM articles a "
                        f"JOIN articles o ON o.id = a.duplicate_of WHERE 1=1 {where} "
                        f"GROUP BY a.source, o.source ORDER BY a.source, duplicates DESC, o.source", params),
        "removed_by_day": (f"SELECT substr(a.fetched_at, 1, 10) AS day, r.reason, count(*) AS paragraphs "
                           f"FROM removed_paragraphs r JOIN articles a ON a.id = r.article_id WHERE 1=1 {where} "
                           f"GROUP BY day, r.reason ORDER BY day, r.reason", params),
        "boilerplate_lines": (
            f"SELECT source, text, paragraphs FROM ("
            f" SELECT source, text, paragraphs, row_number() OVER "
            f"  (PARTITION BY source ORDER BY paragraphs DESC, text) AS place FROM ("
            f"  SELECT a.source, r.text, count(*) AS paragraphs FROM removed_paragraphs r "
            f"  JOIN articles a ON a.id = r.article_id WHERE r.reason = 'boilerplate' {where} "
            f"  GROUP BY a.source, r.text) lines) ranked "
            f"WHERE place <= {mark} ORDER BY source, place", [*params, selection.boilerplate_lines]),
        "clusters": (
            f"SELECT c.cluster_id, o.title, o.source, c.articles, c.duplicates, c.sources, c.first_seen, "
            f"c.last_seen FROM (SELECT a.cluster_id, count(*) AS articles, count(a.duplicate_of) AS duplicates, "
            f"       count(DISTINCT a.source) AS sources, min(a.fetched_at) AS first_seen, "
            f"       max(a.fetched_at) AS last_seen "
            f"      FROM articles a WHERE a.cluster_id IS NOT NULL {where} GROUP BY a.cluster_id "
            f"      HAVING count(a.duplicate_of) > 0 ORDER BY articles DESC, a.cluster_id LIMIT {mark}) c "
            f"LEFT JOIN articles o ON o.id = c.cluster_id ORDER BY c.articles DESC, c.cluster_id",
            [*params, selection.clusters]),
    }


# the articles table's columns, the same in every backend: what a row of the store holds
ARTICLE_FIELDS = ("id", "url", "fetched_url", "source", "title", "author", "published", "published_at",
                  "date_source", "language", "description", "text", "word_count", "duplicate_of", "cluster_id",
                  "text_hash", "signature", "shingle_count", "fetched_at", "run_id")
# what an Article is read back from, in this order
ARTICLE_COLUMNS = (
    "id, url, fetched_url, source, title, author, published, date_source, language, description, text, "
    "duplicate_of, cluster_id, text_hash, signature, shingle_count, fetched_at"
)
# the backend's own bookkeeping, never copied between stores (nor a migration's own, migrate/*)
OWN_META = ("schema_version", "url_keys")


def utc_now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def word_count(paragraphs: Iterable[str]) -> int:
    """The stored word count (what `export --min-words` selects by)."""
    return sum(len(p.split()) for p in paragraphs)
