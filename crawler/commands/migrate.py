"""`python -m crawler migrate --from data/news.db --to postgresql://...`: copy a corpus into another store.

Everything a crawl keeps goes across as it is (crawler.store.RECORD_KINDS): articles with their removed
paragraphs and URL keys, the dedup index (entries keep their numbers, so the earliest copy stays the
original), runs with their per-source rows, feed validators and failures, boilerplate counts, and the
store's meta values. Records are read in a stable order and loaded in chunks, each chunk committed with
its position; loading skips what is there already, so a copy stopped anywhere (Ctrl-C, a lost
connection) continues where it was when run again, and duplicates nothing. At the end every table's
rows are counted in both stores.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import click

from crawler.commands import open_readonly, open_writable
from crawler.config import project_settings
from crawler.exitcodes import EXIT_FAILED, EXIT_OK, EXIT_USAGE, CommandError
from crawler.store import RECORD_KINDS, Store, backend_scheme, display_url

PROGRESS = "migrate/{}"  # meta key of each kind's last copied position in the target
ORIGIN = "migrate/from"  # meta key naming the store the target is a copy of


@click.command()
@click.option("--from", "source", required=True, help="The database to copy (a SQLite file path, or a URL).")
@click.option("--to", "target", required=True, help="The database to copy into (postgresql://user@host:port/dbname).")
@click.option("--chunk", type=click.IntRange(min=1), default=500, show_default=True,
              help="Records copied per transaction.")
def command(source: str, target: str, chunk: int) -> int:
    """Copy a corpus (articles, index, runs, feed state, boilerplate counts) into another store; resumable."""
    settings = project_settings()
    if backend_scheme(source) == "sqlite" and "://" not in source and not Path(source).exists():
        raise CommandError(f"no database at {source}", EXIT_USAGE)
    origin = str(Path(source).resolve()) if backend_scheme(source) == "sqlite" else display_url(source)
    src = open_readonly(source, settings)
    try:
        dst = open_writable(target, settings)
        try:
            copy_store(src, dst, origin, chunk=chunk,
                       report=lambda kind, n: click.echo(f"  {kind}: {n} copied", err=True))
            differences = compare_tallies(src.tallies(), dst.tallies())
        finally:
            dst.close()
    finally:
        src.close()
    if differences:
        click.echo(f"error: the copy in {display_url(target)} does not match {source}: {'; '.join(differences)} "
                   "(was the source or the target written to meanwhile? run migrate again)", err=True)
        return EXIT_FAILED
    click.echo(f"copied {source} to {display_url(target)}; every table's rows counted in both: they match")
    return EXIT_OK


def copy_store(src: Store, dst: Store, origin: str, *, chunk: int = 500,
               report: Callable[[str, int], None] = lambda kind, n: None) -> dict[str, int]:
    """Copy every kind of record from src to dst, resuming from the positions dst recorded. Returns the
    records newly loaded per kind."""
    recorded = dst.get_meta(ORIGIN)
    if recorded is None:
        already = dst.tallies()
        if any(already[name] for name in ("articles", "runs", "index_entries")):
            raise CommandError(f"{dst.url} already holds {already['articles']} articles and {already['runs']} runs "
                               "not copied from this store: migrate into an empty database", EXIT_USAGE)
        dst.set_meta(ORIGIN, origin)
    elif recorded != origin:
        raise CommandError(f"{dst.url} is a copy of {recorded}, not of {origin}: migrate into an empty database",
                           EXIT_USAGE)
    loaded: dict[str, int] = {}
    for kind in RECORD_KINDS:
        key = PROGRESS.format(kind)
        saved = dst.get_meta(key)
        after: Any = json.loads(saved) if saved else None
        loaded[kind] = 0
        while records := src.dump(kind, after, limit=chunk):
            loaded[kind] += dst.load(kind, [record for _, record in records])
            after = records[-1][0]
            dst.set_meta(key, json.dumps(after, ensure_ascii=False))
        report(kind, loaded[kind])
    index_format = src.postings().format()
    if index_format is not None:
        dst.postings().set_format(index_format)
    return loaded


def compare_tallies(source: dict[str, int], target: dict[str, int]) -> list[str]:
    """What differs, one phrase a table ("articles 1200 here, 1199 there")."""
    return [f"{name}: {source[name]} in the source, {target.get(name)} in the copy"
            for name in source if source[name] != target.get(name)]
