"""`python -m crawler extract FILE...`: saved HTML pages, extracted offline, one JSON line each."""
from __future__ import annotations

import json

import click

from crawler.exitcodes import EXIT_FAILED, EXIT_OK
from crawler.offline import extract_files


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--url", help="The page's URL (default: file:// of each path); used for relative links and the id.")
@click.option("--workers", type=click.IntRange(min=0), default=0, help="Worker processes (default: one per core).")
def command(files: tuple[str, ...], url: str | None, workers: int) -> int:
    """Extract saved HTML pages offline (charset from the page itself): one JSON line per file."""
    failures = 0
    for path, record, error in extract_files(list(files), url=url, workers=workers):
        if error:
            failures += 1
            click.echo(f"{path}: {error}", err=True)
            continue
        click.echo(json.dumps(record, ensure_ascii=False))
    return EXIT_FAILED if failures == len(files) else EXIT_OK
