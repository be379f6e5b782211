"""`python -m crawler report`: one self-contained HTML page with charts of what the store holds and how the
crawl has been going (crawler/report).

The page is written beside --out and moved into place when complete, so a cron job that rebuilds it never
leaves a half-written report where a browser or a web server reads it.
"""
from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click

from crawler.commands import db_option, open_readonly
from crawler.commands.export import checked_bounds
from crawler.config import project_settings
from crawler.date_policy import bound_instant
from crawler.exitcodes import EXIT_STORE, CommandError
from crawler.sources import SourcesError, load_sources
from crawler.store import ReportSelection, StoreError, display_url


@click.command()
@click.option("--out", default="report.html", show_default=True, type=click.Path(), help="The HTML file to write.")
@db_option
@click.option("--since", help="Articles fetched (and runs started) at or after: YYYY-MM-DD, ISO 8601 date-time "
                              "(no offset: UTC), today, yesterday, 7d, 12h.")
@click.option("--until", help="Fetched at or before (same forms; a day alone includes the whole day).")
@click.option("--source", "sources", multiple=True, help="Only this source (repeatable).")
@click.option("--sources", "sources_file", type=click.Path(dir_okay=False),
              help="Sources file whose `title`s name the outlets (default: settings/sources.toml or "
                   "$CRAWLER_SOURCES).")
def command(out: str, db: str | None, since: str | None, until: str | None, sources: tuple[str, ...],
            sources_file: str | None) -> int:
    """Write an HTML report: articles per day and source, source health, copies, undated articles, what the
    dedup removed, the largest duplicate clusters and the run history."""
    settings = project_settings(db)
    return run_report(out=Path(out), db=settings.get("CRAWLER_DB"), since=since, until=until, sources=sources,
                      sources_file=sources_file, settings=settings)


def run_report(*, out: Path, db: str, since: str | None = None, until: str | None = None,
               sources: tuple[str, ...] = (), sources_file: str | None = None, settings: Any) -> int:
    since, until = checked_bounds(since, until)  # before anything is opened or written
    if out.is_dir():
        raise CommandError(f"--out {out} is a directory; give a file name such as {out / 'report.html'}")
    if out.exists() and not os.access(out, os.W_OK):
        raise CommandError(f"--out {out} cannot be written")
    titles = source_titles(sources_file, settings)
    selection = ReportSelection(fetched_from=bound_instant(since) if since else None,
                                fetched_before=bound_instant(until, end=True) if until else None,
                                sources=tuple(dict.fromkeys(sources)))
    store = open_readonly(db, settings)
    try:
        data = store.report_data(selection)
        health = store.summary(runs=0)["source_health"]
    except StoreError as exc:
        raise CommandError(str(exc), EXIT_STORE) from None
    finally:
        store.close()
    known = {r["source"] for r in data["per_source"]} | {h["source"] for h in health}
    for name in selection.sources:
        if name not in known:
            click.echo(f"warning: --source {name}: no article or run of that source in {display_url(db)}", err=True)

    from crawler.report import ReportContext, render_report  # matplotlib loads only when a page is drawn

    context = ReportContext(database=display_url(db), since=since, until=until, sources=selection.sources,
                            version=settings.get("TOOL_VERSION"),
                            generated_at=datetime.now(timezone.utc).replace(microsecond=0).isoformat())
    page = render_report(data, health, titles, context)
    partial = out.with_name(f".{out.name}.partial")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(page, encoding="utf-8")
        os.replace(partial, out)
    except OSError as exc:
        raise CommandError(f"cannot write {out}: {exc.strerror or exc}") from None
    finally:
        if partial.exists():
            partial.unlink()
    articles = sum(r["articles"] for r in data["per_source"])
    runs = len(data["runs"])
    print(f"report of {articles} articles and {runs} run{'' if runs == 1 else 's'} written to {out.resolve()} "
          f"({len(page.encode('utf-8')) // 1024} KB)")
    return 0


def source_titles(sources_file: str | None, settings: Any) -> dict[str, str]:
    """Each source's `title` from the sources file, to show beside its name. The report is about the database,
    so a sources file that cannot be read costs the titles only (with a warning when it was asked for or
    exists)."""
    path = sources_file or settings.get("CRAWLER_SOURCES")
    if not sources_file and not Path(path).exists():
        return {}
    try:
        return {s.name: s.title for s in load_sources(path) if s.title}
    except (SourcesError, OSError) as exc:
        click.echo(f"warning: outlet titles not shown: {exc}", err=True)
        return {}
