"""Runs one spider in this process (Scrapy's reactor runs once a process), under the database's crawl lock,
and says what happened: a summary line (or a few) and the exit code."""
from __future__ import annotations

import os
import shlex
import sys
from typing import Any

import click

from crawler.exitcodes import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_LOCKED, EXIT_OK, EXIT_STORE, EXIT_USAGE, CommandError
from crawler.store import backend_scheme, display_url


def check_store(settings: Any) -> None:
    """Open the store once before starting: an unreachable or unwritable store is a run-level failure with its
    own exit code, said in one line, not a traceback from inside the engine."""
    if settings.getbool("CRAWLER_PRINT"):
        return
    from crawler.commands import open_writable

    open_writable(settings.get("CRAWLER_DB"), settings).close()


def join_frontier(settings: Any, spider: str) -> None:
    """With CRAWLER_FRONTIER (redis://host:port/db): check Redis answers and join the run of the workers already
    on it (crawler.frontier), before the crawler reads its settings."""
    url = settings.get("CRAWLER_FRONTIER")
    if not url or settings.getbool("CRAWLER_PRINT"):
        return
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise CommandError(f"--frontier {url}: not a Redis URL; use redis://host:port/db", EXIT_USAGE)
    from crawler.frontier import FrontierError, join

    try:
        join(settings, spider)
    except FrontierError as exc:
        raise CommandError(str(exc), EXIT_STORE) from None


def run_spider(name: str, settings: Any, *, quiet: bool = False, log_file: str | None = None,
               spider_args: dict[str, Any], summary: bool = True) -> int:
    """Run one spider; print a summary; return the exit code."""
    from scrapy.crawler import CrawlerProcess

    from crawler.lock import AlreadyRunning, run_lock
    from crawler.logs import filter_network_errors, quiet_startup

    if quiet:
        settings.set("LOG_LEVEL", "ERROR", priority="cmdline")
    if log_file:
        settings.set("LOG_FILE", log_file, priority="cmdline")
        settings.set("LOG_LEVEL", settings.get("CRAWLER_LOG_LEVEL", "INFO") if quiet else settings.get("LOG_LEVEL"),
                     priority="cmdline")
    os.environ["CRAWLER_COMMAND_LINE"] = shlex.join(["python -m crawler", *sys.argv[1:]])
    db = settings.get("CRAWLER_DB")
    check_store(settings)
    join_frontier(settings, name)
    # one crawl at a time on a SQLite file; PostgreSQL serialises what must be serialised itself
    locked = not settings.getbool("CRAWLER_PRINT") and backend_scheme(db) == "sqlite"
    try:
        with run_lock(db, enabled=locked):
            process = CrawlerProcess(settings)
            quiet_startup(settings.get("LOG_LEVEL") == "DEBUG")  # after Scrapy's dictConfig, which resets levels
            crawler = process.create_crawler(name)
            process.crawl(crawler, **spider_args)
            filter_network_errors()  # after crawl(): it reinstalls the root handler
            process.start()
    except AlreadyRunning as exc:
        if not quiet:
            click.echo(f"error: {exc}", err=True)
        else:
            click.echo(f"skipped: {exc}")
        return EXIT_LOCKED
    stats = crawler.stats.get_stats() if crawler.stats else {}
    outcome = stats.get("run/outcome", "failed")
    if summary:
        print_summary(stats, display_url(db), quiet, settings.getbool("CRAWLER_PRINT"))
    return {"completed": EXIT_OK, "interrupted": EXIT_INTERRUPTED}.get(outcome, EXIT_FAILED)


def print_summary(stats: dict[str, Any], db: str, quiet: bool, print_only: bool) -> None:
    out = click.echo if not print_only else (lambda m: click.echo(m, err=True))
    stored = stats.get("store/articles", 0)
    dups = stats.get("dedup/duplicate_articles", 0)
    removed = {k.split("/", 1)[1]: v for k, v in stats.items() if k.startswith("paragraphs_removed/")}
    errors = {k.split("/", 1)[1]: v for k, v in stats.items() if k.startswith("errors/") or k.startswith("extract/failed/")}
    errors = {k.replace("failed/", ""): v for k, v in errors.items()}
    outcome = stats.get("run/outcome", "failed")
    already = stats.get("store/already_stored", 0)
    reason = stats.get("finish_reason", "")
    line = (f"run {stats.get('run/id', '?')} {outcome}: {stored} new articles ({dups} duplicates of earlier ones), "
            f"{sum(removed.values())} paragraphs removed, {sum(errors.values())} items failed"
            + (f", {already} already stored" if already else "")
            + (f"; stopped at {reason.upper()}" if reason.startswith("closespider_") else ""))
    out(line)
    if quiet:
        return
    if removed:
        out("  paragraphs removed: " + ", ".join(f"{k} {v}" for k, v in sorted(removed.items())))
    if errors:
        out("  failed items: " + ", ".join(f"{k} {v}" for k, v in sorted(errors.items())))
    if not print_only:
        out(f"  database: {db}")
