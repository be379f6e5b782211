"""`python -m crawler stats`: what the store holds and how the recent runs and sources are doing."""
from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from crawler.commands import db_option, open_readonly
from crawler.config import project_settings
from crawler.exitcodes import EXIT_STORE, CommandError
from crawler.report.series import short_time
from crawler.store import StoreError, display_url


@click.command()
@db_option
@click.option("--runs", type=click.IntRange(min=0), default=5, show_default=True, help="How many recent runs to show.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def command(db: str | None, runs: int, as_json: bool) -> int:
    """Articles per source, paragraphs removed by reason, recent runs and per-source health."""
    settings = project_settings(db)
    store = open_readonly(settings.get("CRAWLER_DB"), settings)
    try:
        data = store.summary(runs)
    except StoreError as exc:
        raise CommandError(str(exc), EXIT_STORE) from None
    finally:
        store.close()
    data["database"] = display_url(data["database"])
    if as_json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print_tables(data)
    return 0


def print_tables(data: dict) -> None:
    console = Console()
    console.print(f"[bold]{data['articles']}[/] articles in {data['database']} "
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
        t.add_row(str(r["id"]), short_time(r["started_at"]), short_time(r["finished_at"]), r["outcome"],
                  str(r["new_articles"]), str(r["failed_items"]))
    console.print(t)
    t = Table("source", "last success", "error streak", "latest errors", title="Source health")
    for h in data["source_health"]:
        errs = ", ".join(f"{k} {v}" for k, v in (h["last_errors"] or {}).items()) or "-"
        t.add_row(h["source"], short_time(h["last_success"]) if h["last_success"] else "never", str(h["error_streak"]), errs)
    console.print(t)
