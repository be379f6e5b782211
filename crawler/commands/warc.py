"""`python -m crawler warc FILE|URL|LIST...`: WARC files (CC-NEWS or any other), streamed, their Arabic pages
through the crawl's extraction, dedup and store."""
from __future__ import annotations

from typing import Any

import click

from crawler.commands import db_option, set_option
from crawler.config import project_settings
from crawler.exitcodes import EXIT_USAGE, CommandError
from crawler.runner import run_spider
from crawler.warc_inputs import InputError, expand_inputs


@click.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--source", default="", help="Source name for every page (default: the page's host, without www.).")
@click.option("--language", default="ar", show_default=True, type=click.Choice(["ar", "any"]),
              help="Keep the pages in this language (any: every HTML page).")
@db_option
@set_option
@click.option("--quiet", "-q", is_flag=True, help="Print one summary line, nothing else (for cron).")
@click.option("--log-file", type=click.Path(dir_okay=False), help="Write the full log to this file.")
def command(inputs: tuple[str, ...], source: str, language: str, db: str | None, overrides: tuple[str, ...],
            quiet: bool, log_file: str | None) -> int:
    """Ingest WARC files: paths, folders, http(s) URLs (streamed), or lists of them one a line (CC-NEWS's
    warc.paths.gz: its relative paths are read from WARC_BASE_URL). Stored pages are skipped, so an
    interrupted ingest resumes where it stopped."""
    settings = project_settings(db, overrides)
    try:
        found = expand_inputs(list(inputs), settings.get("WARC_BASE_URL"))
    except (InputError, OSError) as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    report: dict[str, Any] = {}
    code = run_spider("warc", settings, quiet=quiet, log_file=log_file,
                      spider_args={"inputs": [str(i) for i in found], "source": source,
                                   "language": None if language == "any" else language, "report": report})
    if report and not quiet:
        click.echo(archive_line(report, language))
    return code


def archive_line(stats: dict[str, Any], language: str) -> str:
    seconds = max(float(stats.get("warc/seconds") or 0), 1e-3)
    records = stats.get("warc/records", 0)
    skipped = sum(v for k, v in stats.items() if k.startswith("warc/skipped/not_"))
    line = (f"  web archive: {records:,} records read from {stats.get('warc/inputs_read', 0)} of "
            f"{stats.get('feeds/requested', 0)} inputs ({records / seconds:,.0f} records/s); "
            f"{stats.get('warc/responses', 0):,} HTTP responses, {stats.get('warc/pages', 0):,} pages extracted")
    if language != "any":
        line += (f", {skipped:,} HTML pages not in {language!r} turned away before extraction "
                 f"({stats.get('warc/language_seconds', 0):.1f} s deciding)")
    charset = sum(v for k, v in stats.items() if k.startswith("warc/charset/"))
    if charset:
        line += f"; {charset} pages read in another charset than they declare"
    return line
