"""`python -m crawler scrape URL...`: fetch URLs once; each may be a feed, a sitemap or an article page."""
from __future__ import annotations

import click

from crawler.commands import db_option, set_option
from crawler.config import project_settings
from crawler.exitcodes import EXIT_USAGE, CommandError
from crawler.runner import run_spider
from crawler.urls import is_http_url


@click.command()
@click.argument("urls", nargs=-1, required=True)
@db_option
@click.option("--print", "print_only", is_flag=True, help="Write JSON lines to stdout instead of storing.")
@set_option
@click.option("--refetch", is_flag=True, help="Fetch pages again even when already stored.")
@click.option("--quiet", "-q", is_flag=True, help="Only the summary line (and the JSON lines with --print).")
def command(urls: tuple[str, ...], db: str | None, print_only: bool, overrides: tuple[str, ...], refetch: bool,
            quiet: bool) -> int:
    """Fetch URLs once: each may be a feed, a sitemap or an article page (told apart by content)."""
    bad = [u for u in urls if not is_http_url(u)]
    if bad:
        raise CommandError(f"not an http(s) URL: {', '.join(bad)}", EXIT_USAGE)
    settings = project_settings(db, overrides)
    if print_only:
        settings.set("CRAWLER_PRINT", True, priority="cmdline")
        settings.set("CRAWLER_REFETCH", True, priority="cmdline")
    if refetch:
        settings.set("CRAWLER_REFETCH", True, priority="cmdline")
    return run_spider("scrape", settings, quiet=quiet, spider_args={"urls": list(urls)})
