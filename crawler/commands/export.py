"""`python -m crawler export`: selection -> streamed writer -> manifest, with a progress bar on stderr.

The store is opened read-only (exporting needs no write access), and a file is written beside the output
and moved into place only when complete, so a failed or refused export leaves an earlier one intact.
"""
from __future__ import annotations

import json
import os
import shlex
import sys
from dataclasses import asdict
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from crawler.commands import db_option, open_readonly
from crawler.config import project_settings
from crawler.date_policy import BadBound, absolute_bound, bound_instant
from crawler.exitcodes import EXIT_STORE, EXIT_USAGE, CommandError
from crawler.exporters import FORMATS, ExportError, check_fields, write_export, write_manifest
from crawler.store import ExportFilter, StoreError, display_url


@click.command()
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True)
@click.option("--out", required=True, type=click.Path(), help="Output file (text: a folder gives one file an article).")
@db_option
@click.option("--include-duplicates", is_flag=True, help="Also export articles marked as copies of earlier ones.")
@click.option("--since", help="Published at or after: YYYY-MM-DD, ISO 8601 date-time (no offset: UTC), today, "
                               "yesterday, 7d, 12h.")
@click.option("--until", help="Published at or before (same forms; a day alone includes the whole day).")
@click.option("--source", "sources", multiple=True, help="Only this source (repeatable).")
@click.option("--language", help="Only this language code (e.g. ar).")
@click.option("--min-words", type=click.IntRange(min=0), default=0, help="Only articles with at least this many words.")
@click.option("--fields", help="Comma-separated fields to write (default: all).")
def command(fmt: str, out: str, db: str | None, include_duplicates: bool, since: str | None, until: str | None,
            sources: tuple[str, ...], language: str | None, min_words: int, fields: str | None) -> int:
    """Export the stored corpus, streamed, with a manifest beside it."""
    settings = project_settings(db)
    return run_export(fmt=fmt, out=Path(out), db=settings.get("CRAWLER_DB"), include_duplicates=include_duplicates,
                      since=since, until=until, sources=sources, language=language, min_words=min_words,
                      fields=fields, settings=settings)


def checked_bounds(since: str | None, until: str | None) -> tuple[str | None, str | None]:
    """--since/--until made absolute (today, 7d... resolved once, so the count and the export agree and the
    manifest says what was selected), or the CommandError naming the accepted forms."""
    try:
        since = absolute_bound(since) if since else None
    except BadBound as exc:
        raise CommandError(f"--since {exc}", EXIT_USAGE) from None
    try:
        until = absolute_bound(until) if until else None
    except BadBound as exc:
        raise CommandError(f"--until {exc}", EXIT_USAGE) from None
    if since and until and bound_instant(since) >= bound_instant(until, end=True):
        raise CommandError(f"--since {since} is after --until {until}: nothing could be selected", EXIT_USAGE)
    return since, until


def run_export(*, fmt: str, out: Path, db: str, include_duplicates: bool = False, since: str | None = None,
               until: str | None = None, sources: tuple[str, ...] = (), language: str | None = None,
               min_words: int = 0, fields: str | None = None, settings: object) -> int:
    err = Console(stderr=True)
    since, until = checked_bounds(since, until)  # before anything is opened or written
    try:
        chosen = check_fields(fields.split(",") if fields else None)
    except ExportError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    as_folder = fmt == "text" and not out.suffix
    if out.is_dir() and not as_folder:
        raise CommandError(f"--out {out} is a directory; give a file name (only --format text writes a folder)")
    if not as_folder and out.exists() and not os.access(out, os.W_OK):
        raise CommandError(f"--out {out} cannot be written")
    selection = ExportFilter(since=since, until=until, sources=tuple(sources), language=language,
                             min_words=min_words, include_duplicates=include_duplicates)
    store = open_readonly(db, settings)
    partial = out if as_folder else out.with_name(f".{out.name}.partial")
    try:
        total = store.count(selection)
        left_out = 0 if include_duplicates else store.count(
            ExportFilter(**{**asdict(selection), "include_duplicates": True})) - total
        with Progress(TextColumn("exporting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=err, disable=not sys.stderr.isatty(), transient=True) as progress:
            task = progress.add_task("export", total=total)
            summary = write_export(store.iter_articles(selection), fmt, partial, chosen,
                                   on_article=lambda: progress.advance(task))
        if partial != out:
            os.replace(partial, out)
        used = store.get_meta("dedup_settings")
        manifest = write_manifest(
            out, summary, command=shlex.join(["python -m crawler", *sys.argv[1:]]),
            version=settings.get("TOOL_VERSION"), fmt=fmt, fields=chosen, selection=asdict(selection),
            settings={**(json.loads(used) if used else {}), "database": display_url(db)},
            duplicates_left_out=left_out,
        )
    except ExportError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    except StoreError as exc:
        raise CommandError(str(exc), EXIT_STORE) from None
    except OSError as exc:
        raise CommandError(f"cannot write {out}: {exc.strerror or exc}", EXIT_USAGE) from None
    finally:
        store.close()
        if partial != out and partial.exists():
            partial.unlink()
    print(f"exported {summary.articles} articles to {out} ({fmt}); "
          f"{left_out} duplicate articles left out; manifest {manifest}")
    return 0
