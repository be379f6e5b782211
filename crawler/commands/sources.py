"""`python -m crawler sources list|discover`: check the sources file; find a site's feeds and sitemaps."""
from __future__ import annotations

import click

from crawler.config import project_settings
from crawler.exitcodes import EXIT_FAILED, EXIT_USAGE, CommandError
from crawler.sources import SourcesError, load_sources


@click.group("sources")
def command() -> None:
    """List and check configured sources, or discover a site's feeds."""


@command.command("list")
@click.option("--sources", "sources_file", type=click.Path(dir_okay=False),
              help="Sources file (default: settings/sources.toml or $CRAWLER_SOURCES).")
def sources_list(sources_file: str | None) -> int:
    """Validate the sources file and list its sources."""
    path = sources_file or project_settings().get("CRAWLER_SOURCES")
    try:
        loaded = load_sources(path)
    except (SourcesError, OSError) as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    for s in loaded:
        click.echo(f"{s.name:24} feeds {len(s.feeds):2}  sitemaps {len(s.sitemaps):2}  pages {len(s.pages):2}  {s.language}")
    click.echo(f"{len(loaded)} sources in {path}")
    return 0


@command.command("discover")
@click.argument("url")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=15.0, show_default=True, help="Seconds per request.")
def sources_discover(url: str, timeout: float) -> int:
    """Find a site's feeds and news sitemaps and print a ready [[source]] block."""
    from crawler.discover import discover

    settings = project_settings()
    try:
        found = discover(url, user_agent=settings.get("USER_AGENT"), timeout=timeout)
    except ValueError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    for problem in found.problems:
        click.echo(f"# {problem}", err=True)
    for feed, entries in found.feeds.items():
        click.echo(f"# feed {feed}: {entries} entries", err=True)
    for sitemap, kind in found.sitemaps.items():
        click.echo(f"# {kind.replace('_', ' ')} {sitemap}", err=True)
    click.echo(found.source_block())
    return 0 if found.feeds or found.sitemaps else EXIT_FAILED
