"""`python -m crawler dedup`: the same dedup over an existing JSONL corpus, or (--rebuild) over the stored
articles again after a dedup setting changed."""
from __future__ import annotations

import json
from pathlib import Path

import click

from crawler.commands import db_option, open_writable, set_option
from crawler.config import dedup_settings, project_settings
from crawler.exitcodes import EXIT_USAGE, CommandError


@click.command()
@click.argument("corpus", required=False, type=click.Path(dir_okay=False))
@click.option("--out", type=click.Path(dir_okay=False), help="Output JSONL (for a CORPUS file).")
@click.option("--id-field", default="id", show_default=True)
@click.option("--text-field", default="text", show_default=True, help="Text with one paragraph per line.")
@click.option("--rebuild", is_flag=True, help="Recompute the index and the duplicate marks of the stored articles.")
@db_option
@set_option
def command(corpus: str | None, out: str | None, id_field: str, text_field: str, rebuild: bool, db: str | None,
            overrides: tuple[str, ...]) -> int:
    """Deduplicate an existing JSONL corpus, or (--rebuild) the stored articles after a setting changed."""
    settings = project_settings(db, overrides)
    if rebuild:
        from crawler.article_index import ArticleIndex, rebuild_index

        if corpus:
            raise CommandError("--rebuild works on the database; give no CORPUS file", EXIT_USAGE)
        store = open_writable(settings.get("CRAWLER_DB"), settings)
        try:
            counts = rebuild_index(store, ArticleIndex.from_settings(settings, store))
            store.set_meta("dedup_settings", json.dumps(dedup_settings(settings)))
        finally:
            store.close()
        click.echo(f"rebuilt the index over {counts['articles']} stored articles: {counts['duplicates']} duplicates "
                   f"({counts['changed']} marks changed)")
        return 0
    if not corpus or not out:
        raise CommandError("give a CORPUS file and --out, or --rebuild", EXIT_USAGE)
    from crawler.corpus_dedup import CorpusError, dedup_corpus

    try:
        counts = dedup_corpus(Path(corpus), Path(out), id_field=id_field, text_field=text_field,
                              bands=settings.getint("DEDUP_BANDS"), rows=settings.getint("DEDUP_ROWS"),
                              threshold=settings.getfloat("DEDUP_CONTAINMENT_THRESHOLD"),
                              window_days=settings.getint("DEDUP_WINDOW_DAYS"))
    except (CorpusError, OSError) as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    click.echo(f"{counts['records']} records, {counts['duplicates']} marked duplicate_of an earlier one, "
               f"{counts['paragraphs_removed']} paragraphs removed -> {out}", err=True)
    return 0
