"""The store's report aggregates (Store.report_data) shaped for charts and tables: pure functions, no drawing.

Counts stay counts, times stay the store's UTC ISO strings (shown shortened), durations are seconds: the
units of `python -m crawler stats --json`.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterable

from crawler.date_policy import bound_instant

OTHER = "other sources"


@dataclass(frozen=True)
class RunPoint:
    id: int
    command: str
    started_at: str
    finished_at: str | None
    seconds: float | None  # None while the run is going on (or was killed before it could finish)
    outcome: str
    new_articles: int
    failed_items: int


def short_time(timestamp: str | None) -> str:
    """"2026-11-24T11:00:05+00:00" -> "2026-11-24 11:00" (UTC, as `stats` shows it)."""
    return timestamp[:16].replace("T", " ") if timestamp else "-"


def day_range(first: str, last: str) -> list[str]:
    """Every day from `first` to `last` ("YYYY-MM-DD"), both included: a day with nothing still shows."""
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [(start + timedelta(days=n)).isoformat() for n in range((end - start).days + 1)]


def period_days(data: dict[str, Any], since: str | None = None, until: str | None = None) -> list[str]:
    """The days the charts span: the selected bounds where given, else the first and last day with an article,
    a removed paragraph or a run. Empty when there is nothing at all."""
    seen = [r["day"] for r in data["days"]] + [r["day"] for r in data["removed_by_day"]]
    seen += [r["started_at"][:10] for r in data["runs"]]
    # the bounds' UTC days ("2024-05-01T01:00+03:00" is in 2024-04-30), the until bound's last second included
    first = _utc_day(bound_instant(since)) if since else min(seen, default=None)
    last = _utc_day(bound_instant(until, end=True) - 1) if until else max(seen, default=None)
    if not first or not last or first > last:
        return []
    return day_range(first, last)


def _utc_day(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).date().isoformat()


def stacks(rows: Iterable[dict[str, Any]], days: list[str], key: str, value: str) -> dict[str, list[int]]:
    """Rows of (day, key, value) -> one count per day for each key, zeros where a day has no row; keys by
    total, largest first."""
    at = {d: i for i, d in enumerate(days)}
    out: dict[str, list[int]] = {}
    for row in rows:
        if row["day"] in at:
            out.setdefault(row[key], [0] * len(days))[at[row["day"]]] += row[value]
    return dict(sorted(out.items(), key=lambda kv: (-sum(kv[1]), kv[0])))


def keep_largest(series: dict[str, list[int]], keep: int) -> dict[str, list[int]]:
    """The `keep` largest series as they are and the rest summed as OTHER: a chart can tell a dozen colours
    apart, not sixty (the table below it lists every source)."""
    if len(series) <= keep + 1:
        return dict(series)
    names = list(series)
    kept = {name: series[name] for name in names[:keep]}
    kept[OTHER] = [sum(column) for column in zip(*(series[name] for name in names[keep:]))]
    return kept


def runs(rows: Iterable[dict[str, Any]]) -> list[RunPoint]:
    points = []
    for r in rows:
        seconds = None
        if r["finished_at"]:
            seconds = (datetime.fromisoformat(r["finished_at"]) - datetime.fromisoformat(r["started_at"])).total_seconds()
        points.append(RunPoint(r["id"], r["command"], r["started_at"], r["finished_at"], seconds, r["outcome"],
                               int(r["new_articles"] or 0), int(r["failed_items"] or 0)))
    return points


@dataclass(frozen=True)
class RunDay:
    """The runs started on one UTC day, for a history too long to draw run by run."""

    day: str
    runs: int
    median_seconds: float | None
    max_seconds: float | None
    new_articles: int
    failed_items: int


def runs_by_day(points: Iterable[RunPoint]) -> list[RunDay]:
    grouped: dict[str, list[RunPoint]] = {}
    for r in points:
        grouped.setdefault(r.started_at[:10], []).append(r)
    days = []
    for day, rs in sorted(grouped.items()):
        took = [r.seconds for r in rs if r.seconds is not None]
        days.append(RunDay(day, len(rs), statistics.median(took) if took else None, max(took, default=None),
                           sum(r.new_articles for r in rs), sum(r.failed_items for r in rs)))
    return days


def source_rows(data: dict[str, Any], health: list[dict[str, Any]], titles: dict[str, str],
                sources: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """One row per source: what it delivered in the period (report_data) beside how its latest runs went
    (Store.summary's source_health, which is not limited to the period: health is about now). A source with
    runs but no article in the period is listed too: that is the broken outlet one is looking for."""
    delivered = {r["source"]: r for r in data["per_source"]}
    health_of = {h["source"]: h for h in health}
    names = sorted(set(delivered) | (set(health_of) if not sources else set(health_of) & set(sources)))
    copied: dict[str, list[tuple[str, int]]] = {}
    for r in data["copied_from"]:
        copied.setdefault(r["source"], []).append((r["original_source"], r["duplicates"]))
    rows = []
    for name in names:
        d = delivered.get(name, {})
        h = health_of.get(name, {})
        rows.append({
            "source": name, "title": titles.get(name), "articles": d.get("articles", 0),
            "undated": d.get("undated", 0), "duplicates": d.get("duplicates", 0),
            "copied_from": sorted(copied.get(name, []), key=lambda c: (-c[1], c[0]))[:3],
            "last_fetched": d.get("last_fetched"), "last_success": h.get("last_success"),
            "error_streak": h.get("error_streak", 0), "last_errors": h.get("last_errors") or {},
            "has_runs": bool(h),
        })
    return rows


def share(part: int, whole: int) -> str:
    """"12 (4.1%)": the count, as `stats --json` gives it, with its share of the whole."""
    if not whole:
        return str(part)
    return f"{part} ({100 * part / whole:.1f}%)"
