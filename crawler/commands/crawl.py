"""`python -m crawler crawl`: the configured feeds and sitemaps into the store."""
from __future__ import annotations

import click

from crawler.commands import db_option, set_option
from crawler.config import project_settings
from crawler.exitcodes import EXIT_USAGE, CommandError
from crawler.runner import run_spider
from crawler.store import backend_scheme
from crawler.sources import SourcesError, load_sources, select_sources
from crawler.warc_writer import archive_folder


@click.command()
@click.option("--sources", "sources_file", type=click.Path(dir_okay=False),
              help="Sources file (default: settings/sources.toml or $CRAWLER_SOURCES).")
@click.option("--source", "source_names", multiple=True, help="Crawl only this source (repeatable).")
@db_option
@click.option("--frontier", help="Share the feeds and article requests with the other crawl processes on this Redis "
                                 "(redis://host:port/db; default: $CRAWLER_FRONTIER). Needs a PostgreSQL --db.")
@set_option
@click.option("--refetch", is_flag=True, help="Fetch article pages again even when already stored.")
@click.option("--warc", "warc_dir", type=click.Path(file_okay=False),
              help="Archive every response in WARC files in this folder (default: warc/ beside the database).")
@click.option("--no-warc", is_flag=True, help="Archive nothing in this run (WARC_ENABLED=0).")
@click.option("--quiet", "-q", is_flag=True, help="Print one summary line, nothing else (for cron).")
@click.option("--log-file", type=click.Path(dir_okay=False), help="Write the full log to this file.")
def command(sources_file: str | None, source_names: tuple[str, ...], db: str | None, frontier: str | None,
            overrides: tuple[str, ...], refetch: bool, warc_dir: str | None, no_warc: bool, quiet: bool,
            log_file: str | None) -> int:
    """Crawl the configured feeds and sitemaps into the store."""
    settings = project_settings(db, overrides)
    if frontier:
        settings.set("CRAWLER_FRONTIER", frontier, priority="cmdline")
    if settings.get("CRAWLER_FRONTIER") and backend_scheme(settings.get("CRAWLER_DB")) == "sqlite":
        raise CommandError("a shared frontier needs a database every worker reaches: pass a postgresql:// --db",
                           EXIT_USAGE)
    if warc_dir and no_warc:
        raise CommandError("--warc and --no-warc contradict each other", EXIT_USAGE)
    if warc_dir or no_warc:
        settings.set("WARC_ENABLED", not no_warc, priority="cmdline")
    if warc_dir:
        settings.set("WARC_DIR", warc_dir, priority="cmdline")
        check_archive_folder(settings)
    sources_file = sources_file or settings.get("CRAWLER_SOURCES")
    try:
        select_sources(load_sources(sources_file), list(source_names))
    except (SourcesError, OSError) as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    if refetch:
        settings.set("CRAWLER_REFETCH", True, priority="cmdline")
    return run_spider("feeds", settings, quiet=quiet, log_file=log_file,
                      spider_args={"sources_file": sources_file, "source": ",".join(source_names)})


def check_archive_folder(settings: object) -> None:
    """A folder asked for must be writable before the crawl starts (the default one, beside the database, is
    checked when the crawl opens it: crawler.archive)."""
    folder = archive_folder(settings)
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".write-test"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise CommandError(f"the web archive's folder {folder} cannot be written: {exc.strerror or exc}", EXIT_USAGE) \
            from None
