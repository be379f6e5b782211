"""What every backend implements: the protocols are the crawler's (crawler.store), which names what it
calls; backends (storage.sqlite, storage.postgres) implement them and share one conformance test suite
(tests/storage/test_conformance.py)."""
from __future__ import annotations

import json
from typing import Any, Iterable

from crawler.store import (BoilerplateCounts, ExportFilter, IndexPostings, NoSuchStore, Store, StoreError,
                           WriteBatch)

__all__ = ["BoilerplateCounts", "ExportFilter", "IndexPostings", "NoSuchStore", "Store", "StoreError", "WriteBatch"]


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
