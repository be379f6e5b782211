"""`python -m crawler reextract`: the article pages the crawl archived, through today's extraction and dedup;
the stored articles are updated in place (crawler.reextract)."""
from __future__ import annotations

from typing import Any

import click

from crawler.commands import db_option, open_writable, set_option
from crawler.config import project_settings
from crawler.exitcodes import EXIT_OK, EXIT_USAGE, CommandError
from crawler.runner import run_spider
from crawler.store import backend_scheme
from crawler.warc_inputs import InputError, expand_inputs
from crawler.warc_writer import archive_folder


@click.command()
@click.option("--warc", "paths", multiple=True, type=click.Path(),
              help="A WARC file or a folder of them (repeatable; default: the crawl's archive, WARC_DIR).")
@db_option
@set_option
@click.option("--quiet", "-q", is_flag=True, help="Print the summary line only.")
@click.option("--log-file", type=click.Path(dir_okay=False), help="Write the full log to this file.")
def command(paths: tuple[str, ...], db: str | None, overrides: tuple[str, ...], quiet: bool,
            log_file: str | None) -> int:
    """Run the current extraction and dedup over the archived article pages and update the stored articles in
    place (same ids); say what changed. Nothing is fetched."""
    settings = project_settings(db, overrides)
    if not paths:
        folder = archive_folder(settings)
        if folder is None or not folder.is_dir():
            raise CommandError(f"no web archive at {folder or 'WARC_DIR'}: give --warc FILE|DIR", EXIT_USAGE)
        paths = (str(folder),)
    try:
        found = expand_inputs(list(paths))
    except (InputError, OSError) as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    report: dict[str, Any] = {}
    code = run_spider("reextract", settings, quiet=quiet, log_file=log_file, summary=False,
                      spider_args={"inputs": [str(i) for i in found], "report": report})
    marks = None
    if code == EXIT_OK and report.get("reextract/body_changed"):
        marks = remark_duplicates(settings)
    from crawler.reextract import summary

    click.echo(summary(report, marks))
    if not quiet:
        failed = {k.split("/", 1)[1]: v for k, v in report.items() if k.startswith(("errors/", "extract/failed/"))}
        if failed:
            click.echo("  failed: " + ", ".join(f"{k} {v}" for k, v in sorted(failed.items())))
    return code


def remark_duplicates(settings: Any) -> int:
    """Texts changed: every stored article's duplicate mark is decided again, under the crawl lock."""
    from crawler.article_index import ArticleIndex, rebuild_index
    from crawler.lock import run_lock

    db = settings.get("CRAWLER_DB")
    with run_lock(db, enabled=backend_scheme(db) == "sqlite"):
        store = open_writable(db, settings)
        try:
            return rebuild_index(store, ArticleIndex.from_settings(settings, store))["changed"]
        finally:
            store.close()
