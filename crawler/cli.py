"""Command line: python -m crawler crawl|scrape|extract|export|stats|sources|dedup|demo.

Exit codes (also in the README):
  0  the run completed (items that failed are counted, not fatal)
  1  the run failed: no source could be reached, or every input failed
  2  bad usage or configuration (unknown option, bad sources file)
  3  the store cannot be opened or written
  4  another crawl holds the lock on this database
  130 interrupted (Ctrl-C, SIGTERM)
"""
from __future__ import annotations

import json
import logging
import os
import shlex
import sys
from pathlib import Path
from typing import Any

import click

ROOT = Path(__file__).resolve().parent.parent
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_STORE, EXIT_LOCKED, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130

LOGGER = logging.getLogger("crawler")


def _project_settings(db: str | None, overrides: tuple[str, ...] = ()) -> Any:
    """Scrapy settings from the settings package, with --db and -s NAME=VALUE applied."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    for item in overrides:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.UsageError(f"-s expects NAME=VALUE, got {item!r}")
        settings.set(name.strip(), value, priority="cmdline")
    if db:
        settings.set("CRAWLER_DB", db, priority="cmdline")
    if "CRAWLER_CONTACT" in {o.partition("=")[0] for o in overrides}:
        settings.set("USER_AGENT", f"{settings['BOT_NAME']}/{settings['TOOL_VERSION']} (+{settings['CRAWLER_CONTACT']})",
                     priority="cmdline")
    return settings


def _db_path(db: str | None) -> str:
    return db or os.environ.get("CRAWLER_DB") or "data/news.db"


def _fail(message: str, code: int) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name=None, version="0.1.0", prog_name="arabic-news-crawler")
def cli() -> None:
    """Arabic news feeds and sites -> a clean, deduplicated text corpus (SQLite, JSONL, Parquet, CSV, text)."""


# ---------------------------------------------------------------------------------------------- crawl

@cli.command()
@click.option("--sources", "sources_file", type=click.Path(dir_okay=False), help="Sources file (default: settings/sources.toml).")
@click.option("--source", "source_names", multiple=True, help="Crawl only this source (repeatable).")
@click.option("--db", help="SQLite database (default: data/news.db or $CRAWLER_DB).")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="Override a Scrapy or project setting for this run.")
@click.option("--refetch", is_flag=True, help="Fetch article pages again even when already stored.")
@click.option("--quiet", "-q", is_flag=True, help="Print one summary line, nothing else (for cron).")
@click.option("--log-file", type=click.Path(dir_okay=False), help="Write the full log to this file.")
def crawl(sources_file: str | None, source_names: tuple[str, ...], db: str | None, overrides: tuple[str, ...],
          refetch: bool, quiet: bool, log_file: str | None) -> None:
    """Crawl the configured feeds and sitemaps into the store."""
    from crawler.sources import SourcesError, load_sources, select_sources

    settings = _project_settings(db, overrides)
    sources_file = sources_file or settings.get("CRAWLER_SOURCES")
    try:
        select_sources(load_sources(sources_file), list(source_names))
    except (SourcesError, OSError) as exc:
        _fail(str(exc), EXIT_USAGE)
    if refetch:
        settings.set("CRAWLER_REFETCH", True, priority="cmdline")
    code = _run_spider("feeds", settings, quiet=quiet, log_file=log_file,
                       spider_args={"sources_file": sources_file, "source": ",".join(source_names)})
    sys.exit(code)


def _run_spider(name: str, settings: Any, *, quiet: bool = False, log_file: str | None = None,
                spider_args: dict[str, Any], summary: bool = True) -> int:
    """Run one spider in this process under the database lock; print a summary; return the exit code."""
    from scrapy.crawler import CrawlerProcess

    from crawler.lock import AlreadyRunning, run_lock
    from crawler.logs import filter_network_errors, quiet_startup
    from storage import SqliteStore, StoreError

    if quiet:
        settings.set("LOG_LEVEL", "ERROR", priority="cmdline")
    if log_file:
        settings.set("LOG_FILE", log_file, priority="cmdline")
        settings.set("LOG_LEVEL", settings.get("CRAWLER_LOG_LEVEL", "INFO") if quiet else settings.get("LOG_LEVEL"),
                     priority="cmdline")
    os.environ["CRAWLER_COMMAND_LINE"] = shlex.join(["python -m crawler", *sys.argv[1:]])
    db = settings.get("CRAWLER_DB")
    if not settings.getbool("CRAWLER_PRINT"):
        try:  # open once up front: an unwritable store is a run-level failure with its own exit code
            SqliteStore(db).close()
        except StoreError as exc:
            _fail(str(exc), EXIT_STORE)
    try:
        with run_lock(db, enabled=not settings.getbool("CRAWLER_PRINT")):
            process = CrawlerProcess(settings)
            quiet_startup(settings.get("LOG_LEVEL") == "DEBUG")  # after Scrapy's dictConfig, which resets levels
            crawler = process.create_crawler(name)
            process.crawl(crawler, **spider_args)
            filter_network_errors()  # after crawl(): it reinstalls the root handler
            process.start()
    except AlreadyRunning as exc:
        if not quiet:
            click.echo(f"error: {exc}", err=True)
        else:
            click.echo(f"skipped: {exc}")
        return EXIT_LOCKED
    stats = crawler.stats.get_stats() if crawler.stats else {}
    if _store_error(stats):
        _fail(_store_error(stats), EXIT_STORE)
    outcome = stats.get("run/outcome", "failed")
    if summary:
        _print_summary(stats, db, quiet, settings.getbool("CRAWLER_PRINT"))
    return {"completed": EXIT_OK, "interrupted": EXIT_INTERRUPTED}.get(outcome, EXIT_FAILED)


def _store_error(stats: dict[str, Any]) -> str | None:
    return stats.get("store/error")


def _print_summary(stats: dict[str, Any], db: str, quiet: bool, print_only: bool) -> None:
    out = click.echo if not print_only else (lambda m: click.echo(m, err=True))
    stored = stats.get("store/articles", 0)
    dups = stats.get("dedup/duplicate_articles", 0)
    removed = {k.split("/", 1)[1]: v for k, v in stats.items() if k.startswith("paragraphs_removed/")}
    errors = {k.split("/", 1)[1]: v for k, v in stats.items() if k.startswith("errors/") or k.startswith("extract/failed/")}
    errors = {k.replace("failed/", ""): v for k, v in errors.items()}
    outcome = stats.get("run/outcome", "failed")
    line = (f"run {stats.get('run/id', '?')} {outcome}: {stored} new articles ({dups} duplicates of earlier ones), "
            f"{sum(removed.values())} paragraphs removed, {sum(errors.values())} items failed")
    if quiet:
        out(line)
        return
    out(line)
    if removed:
        out("  paragraphs removed: " + ", ".join(f"{k} {v}" for k, v in sorted(removed.items())))
    if errors:
        out("  failed items: " + ", ".join(f"{k} {v}" for k, v in sorted(errors.items())))
    if not print_only:
        out(f"  database: {db}")


# ---------------------------------------------------------------------------------------------- scrape

@cli.command()
@click.argument("urls", nargs=-1, required=True)
@click.option("--db", help="SQLite database (default: data/news.db or $CRAWLER_DB).")
@click.option("--print", "print_only", is_flag=True, help="Write JSON lines to stdout instead of storing.")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="Override a setting for this run.")
@click.option("--refetch", is_flag=True, help="Fetch pages again even when already stored.")
@click.option("--quiet", "-q", is_flag=True, help="Only the summary line (and the JSON lines with --print).")
def scrape(urls: tuple[str, ...], db: str | None, print_only: bool, overrides: tuple[str, ...], refetch: bool,
           quiet: bool) -> None:
    """Fetch URLs once: each may be a feed, a sitemap or an article page (told apart by content)."""
    from crawler.urls import is_http_url

    bad = [u for u in urls if not is_http_url(u)]
    if bad:
        _fail(f"not an http(s) URL: {', '.join(bad)}", EXIT_USAGE)
    settings = _project_settings(db, overrides)
    settings.set("ROBOTSTXT_OBEY", settings.getbool("ROBOTSTXT_OBEY"), priority="cmdline")
    if print_only:
        settings.set("CRAWLER_PRINT", True, priority="cmdline")
        settings.set("CRAWLER_REFETCH", True, priority="cmdline")
    if refetch:
        settings.set("CRAWLER_REFETCH", True, priority="cmdline")
    sys.exit(_run_spider("scrape", settings, quiet=quiet, spider_args={"urls": list(urls)}))


# ---------------------------------------------------------------------------------------------- extract

@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--url", help="The page's URL (default: file:// of each path); used for relative links and the id.")
@click.option("--workers", type=int, default=0, help="Worker processes (default: one per core).")
def extract(files: tuple[str, ...], url: str | None, workers: int) -> None:
    """Extract saved HTML pages offline (charset from the page itself): one JSON line per file."""
    from crawler.offline import extract_files

    failures = 0
    for path, record, error in extract_files(list(files), url=url, workers=workers):
        if error:
            failures += 1
            click.echo(f"{path}: {error}", err=True)
            continue
        click.echo(json.dumps(record, ensure_ascii=False))
    sys.exit(EXIT_FAILED if failures == len(files) else EXIT_OK)


# ---------------------------------------------------------------------------------------------- export

@cli.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "parquet", "csv", "text"]), default="jsonl", show_default=True)
@click.option("--out", required=True, type=click.Path(), help="Output file (text: a folder gives one file an article).")
@click.option("--db", help="SQLite database (default: data/news.db or $CRAWLER_DB).")
@click.option("--include-duplicates", is_flag=True, help="Also export articles marked as copies of earlier ones.")
@click.option("--since", help="Published at or after: YYYY-MM-DD, ISO 8601 date-time (no offset: UTC), today, "
                               "yesterday, 7d, 12h.")
@click.option("--until", help="Published at or before (same forms; a day alone includes the whole day).")
@click.option("--source", "sources", multiple=True, help="Only this source (repeatable).")
@click.option("--language", help="Only this language code (e.g. ar).")
@click.option("--min-words", type=int, default=0, help="Only articles with at least this many words.")
@click.option("--fields", help="Comma-separated fields to write (default: all).")
def export(fmt: str, out: str, db: str | None, include_duplicates: bool, since: str | None, until: str | None,
           sources: tuple[str, ...], language: str | None, min_words: int, fields: str | None) -> None:
    """Export the stored corpus, streamed, with a manifest beside it."""
    from crawler.exporting import run_export

    sys.exit(run_export(
        fmt=fmt, out=Path(out), db=_db_path(db), include_duplicates=include_duplicates, since=since, until=until,
        sources=sources, language=language, min_words=min_words, fields=fields,
        command=shlex.join(["python -m crawler", *sys.argv[1:]]),
    ))


# ---------------------------------------------------------------------------------------------- stats

@cli.command()
@click.option("--db", help="SQLite database (default: data/news.db or $CRAWLER_DB).")
@click.option("--runs", default=5, show_default=True, help="How many recent runs to show.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def stats(db: str | None, runs: int, as_json: bool) -> None:
    """Articles per source, paragraphs removed by reason, recent runs and per-source health."""
    from crawler.report import print_stats

    path = _db_path(db)
    if not Path(path).exists():
        _fail(f"no database at {path} (crawl first, or pass --db)", EXIT_USAGE)
    print_stats(path, runs=runs, as_json=as_json)


# ---------------------------------------------------------------------------------------------- sources

@cli.group()
def sources() -> None:
    """List and check configured sources, or discover a site's feeds."""


@sources.command("list")
@click.option("--sources", "sources_file", type=click.Path(dir_okay=False), help="Sources file.")
def sources_list(sources_file: str | None) -> None:
    """Validate the sources file and list its sources."""
    from crawler.sources import SourcesError, load_sources

    path = sources_file or str(ROOT / "settings" / "sources.toml")
    try:
        loaded = load_sources(path)
    except (SourcesError, OSError) as exc:
        _fail(str(exc), EXIT_USAGE)
    for s in loaded:
        click.echo(f"{s.name:24} feeds {len(s.feeds):2}  sitemaps {len(s.sitemaps):2}  pages {len(s.pages):2}  {s.language}")
    click.echo(f"{len(loaded)} sources in {path}")


@sources.command("discover")
@click.argument("url")
@click.option("--timeout", default=15.0, show_default=True, help="Seconds per request.")
def sources_discover(url: str, timeout: float) -> None:
    """Find a site's feeds and news sitemaps and print a ready [[source]] block."""
    from crawler.discover import discover

    settings = _project_settings(None)
    try:
        found = discover(url, user_agent=settings.get("USER_AGENT"), timeout=timeout)
    except ValueError as exc:
        _fail(str(exc), EXIT_USAGE)
    for problem in found.problems:
        click.echo(f"# {problem}", err=True)
    for feed, entries in found.feeds.items():
        click.echo(f"# feed {feed}: {entries} entries", err=True)
    for sitemap, kind in found.sitemaps.items():
        click.echo(f"# {kind.replace('_', ' ')} {sitemap}", err=True)
    click.echo(found.source_block())
    if not found.feeds and not found.sitemaps:
        sys.exit(EXIT_FAILED)


# ---------------------------------------------------------------------------------------------- dedup

@cli.command()
@click.argument("corpus", required=False, type=click.Path(dir_okay=False))
@click.option("--out", type=click.Path(dir_okay=False), help="Output JSONL (for a CORPUS file).")
@click.option("--id-field", default="id", show_default=True)
@click.option("--text-field", default="text", show_default=True, help="Text with one paragraph per line.")
@click.option("--rebuild", is_flag=True, help="Recompute the index and the duplicate marks of the stored articles.")
@click.option("--db", help="SQLite database for --rebuild (default: data/news.db or $CRAWLER_DB).")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="Override a dedup setting.")
def dedup(corpus: str | None, out: str | None, id_field: str, text_field: str, rebuild: bool, db: str | None,
          overrides: tuple[str, ...]) -> None:
    """Deduplicate an existing JSONL corpus, or (--rebuild) the stored articles after a setting changed."""
    settings = _project_settings(db, overrides)
    params = dict(bands=settings.getint("DEDUP_BANDS"), rows=settings.getint("DEDUP_ROWS"),
                  threshold=settings.getfloat("DEDUP_CONTAINMENT_THRESHOLD"),
                  window_days=settings.getint("DEDUP_WINDOW_DAYS"))
    if rebuild:
        from crawler.rebuild import rebuild_index

        if corpus:
            raise click.UsageError("--rebuild works on the database; give no CORPUS file")
        counts = rebuild_index(settings.get("CRAWLER_DB"), **params)
        click.echo(f"rebuilt the index over {counts['articles']} stored articles: {counts['duplicates']} duplicates "
                   f"({counts['changed']} marks changed)")
        return
    if not corpus or not out:
        raise click.UsageError("give a CORPUS file and --out, or --rebuild")
    from crawler.corpus_dedup import CorpusError, dedup_corpus

    try:
        counts = dedup_corpus(Path(corpus), Path(out), id_field=id_field, text_field=text_field, **params)
    except (CorpusError, OSError) as exc:
        _fail(str(exc), EXIT_USAGE)
    click.echo(f"{counts['records']} records, {counts['duplicates']} marked duplicate_of an earlier one, "
               f"{counts['paragraphs_removed']} paragraphs removed -> {out}", err=True)


# ---------------------------------------------------------------------------------------------- demo

@cli.command()
@click.option("--out", default="data/demo", show_default=True, type=click.Path(file_okay=False), help="Where the demo database and corpus go.")
@click.option("--workers", type=int, default=0, help="Extraction worker processes (default: one per core).")
def demo(out: str, workers: int) -> None:
    """Serve the bundled offline demo site on 127.0.0.1, crawl it, export the corpus and say what happened."""
    from crawler.demo_run import run_demo

    sys.exit(run_demo(Path(out), workers=workers, settings=_project_settings(None)))


def main(argv: list[str] | None = None) -> int:
    try:
        cli.main(args=argv, prog_name="python -m crawler", standalone_mode=False)
    except click.exceptions.Abort:
        return EXIT_INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE
    except SystemExit as exc:
        return int(exc.code or 0)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    return EXIT_OK
