"""The export command: selection -> streamed writer -> manifest, with a progress bar on stderr."""
from __future__ import annotations

import logging
import sys
from dataclasses import asdict
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from crawler.date_policy import BadBound, absolute_bound, bound_instant
from storage import ExportFilter, SqliteStore, StoreError
from storage.export import ExportError, check_fields, write_export, write_manifest

LOGGER = logging.getLogger(__name__)


def _checked_bounds(since: str | None, until: str | None) -> tuple[str | None, str | None]:
    """--since/--until made absolute (today, 7d... resolved once, so the count and the export agree and the
    manifest says what was selected); BadBound, naming the accepted forms, for anything else."""
    try:
        since = absolute_bound(since) if since else None
    except BadBound as exc:
        raise BadBound(f"--since {exc}") from None
    try:
        until = absolute_bound(until) if until else None
    except BadBound as exc:
        raise BadBound(f"--until {exc}") from None
    if since and until and bound_instant(since) >= bound_instant(until, end=True):
        raise BadBound(f"--since {since} is after --until {until}: nothing could be selected")
    return since, until


def run_export(*, fmt: str, out: Path, db: str, include_duplicates: bool, since: str | None, until: str | None,
               sources: tuple[str, ...], language: str | None, min_words: int, fields: str | None,
               command: str) -> int:
    from crawler.cli import EXIT_OK, EXIT_STORE, EXIT_USAGE
    from settings import DEDUP_BANDS, DEDUP_CONTAINMENT_THRESHOLD, DEDUP_PARAGRAPH_THRESHOLD, DEDUP_ROWS, \
        DEDUP_WINDOW_DAYS, TOOL_VERSION

    err = Console(stderr=True)
    try:  # before anything is opened or written: a bad bound leaves the output file as it was
        since, until = _checked_bounds(since, until)
    except BadBound as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not Path(db).exists():
        err.print(f"error: no database at {db} (crawl first, or pass --db)")
        return EXIT_USAGE
    try:
        chosen = check_fields(fields.split(",") if fields else None)
        selection = ExportFilter(since=since, until=until, sources=tuple(sources), language=language,
                                 min_words=min_words, include_duplicates=include_duplicates)
        store = SqliteStore(db)
    except ExportError as exc:
        err.print(f"error: {exc}")
        return EXIT_USAGE
    except StoreError as exc:
        err.print(f"error: {exc}")
        return EXIT_STORE
    try:
        total = store.count(selection)
        left_out = 0 if include_duplicates else store.count(
            ExportFilter(**{**asdict(selection), "include_duplicates": True})) - total
        with Progress(TextColumn("exporting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=err, disable=not sys.stderr.isatty(), transient=True) as progress:
            task = progress.add_task("export", total=total)
            summary = write_export(store.iter_articles(selection), fmt, out, chosen,
                                   on_article=lambda: progress.advance(task))
        manifest = write_manifest(
            out, summary, command=command, version=TOOL_VERSION, fmt=fmt, fields=chosen,
            selection={k: v for k, v in asdict(selection).items()},
            settings={"DEDUP_PARAGRAPH_THRESHOLD": DEDUP_PARAGRAPH_THRESHOLD, "DEDUP_BANDS": DEDUP_BANDS,
                      "DEDUP_ROWS": DEDUP_ROWS, "DEDUP_CONTAINMENT_THRESHOLD": DEDUP_CONTAINMENT_THRESHOLD,
                      "DEDUP_WINDOW_DAYS": DEDUP_WINDOW_DAYS, "database": db},
            duplicates_left_out=left_out,
        )
    except ExportError as exc:
        err.print(f"error: {exc}")
        return EXIT_USAGE
    finally:
        store.close()
    print(f"exported {summary.articles} articles to {out} ({fmt}); "
          f"{left_out} duplicate articles left out; manifest {manifest}")
    return EXIT_OK
