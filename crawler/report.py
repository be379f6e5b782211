"""`python -m crawler stats`: what the store holds and how the recent runs and sources are doing."""
from __future__ import annotations

import json
import sqlite3
from typing import Any

from rich.console import Console
from rich.table import Table


def collect_stats(db: str, runs: int = 5) -> dict[str, Any]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        per_source = [
            {"source": s, "articles": n, "duplicates": d or 0, "last_published": lp}
            for s, n, d, lp in conn.execute(
                "SELECT source, count(*), sum(duplicate_of IS NOT NULL), max(published) FROM articles "
                "GROUP BY source ORDER BY source")
        ]
        removed = dict(conn.execute(
            "SELECT reason, count(*) FROM removed_paragraphs GROUP BY reason ORDER BY count(*) DESC").fetchall())
        recent = [
            {"id": i, "started_at": s, "finished_at": f, "outcome": o,
             "new_articles": json.loads(st).get("store/articles", 0),
             "failed_items": sum(v for k, v in json.loads(st).items() if k.startswith(("errors/", "extract/failed/")))}
            for i, s, f, o, st in conn.execute(
                "SELECT id, started_at, finished_at, outcome, stats FROM runs ORDER BY id DESC LIMIT ?", (runs,))
        ]
        health = _source_health(conn)
        total = conn.execute("SELECT count(*), sum(duplicate_of IS NOT NULL) FROM articles").fetchone()
    finally:
        conn.close()
    return {"database": db, "articles": total[0], "duplicate_articles": total[1] or 0, "per_source": per_source,
            "paragraphs_removed": removed, "recent_runs": recent, "source_health": health}


def _source_health(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Per source: the last run that reached it, and how many of its latest runs in a row had errors."""
    rows = conn.execute(
        "SELECT rs.source, rs.run_id, r.started_at, rs.feeds_fetched, rs.new_articles, rs.errors, "
        "json_extract(r.stats, '$.\"source/' || rs.source || '/feeds_not_modified\"') "
        "FROM run_sources rs JOIN runs r ON r.id = rs.run_id ORDER BY rs.source, rs.run_id DESC").fetchall()
    health: dict[str, dict[str, Any]] = {}
    for source, run_id, started, fetched, new, errors, not_modified in rows:
        h = health.setdefault(source, {"source": source, "last_success": None, "error_streak": 0,
                                       "last_errors": None, "_streak_open": True})
        errs = json.loads(errors or "{}")
        ok = (fetched or 0) + (not_modified or 0) > 0
        if ok and h["last_success"] is None:
            h["last_success"] = started
        if h["_streak_open"]:
            if errs:
                h["error_streak"] += 1
                h["last_errors"] = h["last_errors"] or errs
            else:
                h["_streak_open"] = False
    for h in health.values():
        h.pop("_streak_open")
    return list(health.values())


def _short(timestamp: str | None) -> str:
    """"2026-11-24T11:00:05+00:00" -> "2026-11-24 11:00" (UTC): the tables stay readable in 80 columns."""
    return timestamp[:16].replace("T", " ") if timestamp else "-"


def print_stats(db: str, runs: int = 5, as_json: bool = False) -> None:
    data = collect_stats(db, runs)
    if as_json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return
    console = Console()
    console.print(f"[bold]{data['articles']}[/] articles in {db} "
                  f"({data['duplicate_articles']} marked as copies of earlier ones)")
    t = Table("source", "articles", "duplicates", "latest published", title="Articles per source")
    for s in data["per_source"]:
        t.add_row(s["source"], str(s["articles"]), str(s["duplicates"]), s["last_published"] or "-")
    console.print(t)
    t = Table("reason", "paragraphs", title="Paragraphs removed")
    for reason, n in data["paragraphs_removed"].items():
        t.add_row(reason, str(n))
    console.print(t)
    t = Table("run", "started (UTC)", "finished", "outcome", "new", "failed", title="Recent runs")
    for r in data["recent_runs"]:
        t.add_row(str(r["id"]), _short(r["started_at"]), _short(r["finished_at"]), r["outcome"],
                  str(r["new_articles"]), str(r["failed_items"]))
    console.print(t)
    t = Table("source", "last success", "error streak", "latest errors", title="Source health")
    for h in data["source_health"]:
        errs = ", ".join(f"{k} {v}" for k, v in (h["last_errors"] or {}).items()) or "-"
        t.add_row(h["source"], _short(h["last_success"]) if h["last_success"] else "never", str(h["error_streak"]), errs)
    console.print(t)
