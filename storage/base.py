"""What every backend implements: the protocols are the crawler's (crawler.store), which names what it
calls; backends (storage.sqlite, storage.postgres) implement them and share one conformance test suite
(tests/storage/test_conformance.py)."""
from __future__ import annotations

import json
from typing import Any, Iterable

from crawler.date_policy import bound_instant
from crawler.store import (BoilerplateCounts, ExportFilter, IndexPostings, NoSuchStore, Store, StoreError,
                           WriteBatch)

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
