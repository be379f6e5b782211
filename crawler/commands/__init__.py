"""One module per command (as Scrapy's scrapy/commands/): each defines `command`, a click command, and
nothing else imports it but crawler.cli, which wires them. Shared options live here."""
from __future__ import annotations

from typing import Any, Callable

import click

from crawler.exitcodes import EXIT_STORE, EXIT_USAGE, CommandError
from crawler.store import NoSuchStore, Store, StoreError, UnknownBackend, open_store

COMMANDS = ("crawl", "scrape", "extract", "export", "stats", "report", "sources", "dedup", "migrate", "reextract",
            "warc", "demo")

DB_HELP = "Database: a SQLite file path or postgresql://user@host:port/dbname (default: data/news.db or $CRAWLER_DB)."


def db_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--db", help=DB_HELP)(fn)


def set_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
                        help="Override a Scrapy or project setting for this run (repeatable).")(fn)


def open_readonly(db: str, settings: Any) -> Store:
    """The store for a command that only reads (opened read-only), or the CommandError that says why not."""
    try:
        return open_store(db, readonly=True, backends=settings.getdict("STORE_BACKENDS"))
    except (NoSuchStore, UnknownBackend) as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    except StoreError as exc:
        raise CommandError(str(exc), EXIT_STORE) from None


def open_writable(db: str, settings: Any) -> Store:
    """The store for a command that writes, or the CommandError that says why not."""
    try:
        return open_store(db, backends=settings.getdict("STORE_BACKENDS"))
    except UnknownBackend as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    except StoreError as exc:
        raise CommandError(str(exc), EXIT_STORE) from None
