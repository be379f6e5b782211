"""`python -m crawler demo`: the real crawl -> store -> export path on the bundled offline site."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from crawler.commands.export import run_export
from crawler.commands.report import run_report
from crawler.config import project_settings
from crawler.exitcodes import EXIT_OK
from crawler.runner import run_spider
from crawler.store import open_store


@click.command()
@click.option("--out", default="data/demo", show_default=True, type=click.Path(file_okay=False),
              help="Where the demo database and corpus go.")
@click.option("--workers", type=click.IntRange(min=0), default=0, help="Extraction worker processes (default: one per core).")
def command(out: str, workers: int) -> int:
    """Serve the bundled offline demo site on 127.0.0.1, crawl it, export the corpus, write the HTML report and
    say what happened."""
    return run_demo(Path(out), workers=workers, settings=project_settings())


def run_demo(out: Path, *, workers: int, settings: Any) -> int:
    from crawler.demo import DemoServer, sources_toml

    out.mkdir(parents=True, exist_ok=True)
    db = out / "news.db"
    for stale in out.glob("news.db*"):  # every demo starts from an empty store
        stale.unlink()
    with DemoServer() as server:
        sources_file = out / "sources.toml"
        sources_file.write_text(sources_toml(server.base_url), encoding="utf-8")
        for name, value in {"CRAWLER_DB": str(db), "EXTRACT_WORKERS": workers, "AUTOTHROTTLE_ENABLED": False,
                            "DOWNLOAD_DELAY": 0, "LOG_LEVEL": "WARNING"}.items():
            settings.set(name, value, priority="cmdline")
        print(f"demo site serving on {server.base_url}; crawling it into {db} ...")
        started = time.perf_counter()
        code = run_spider("feeds", settings, spider_args={"sources_file": str(sources_file), "source": ""})
        elapsed = time.perf_counter() - started
    if code != EXIT_OK:
        print("the demo crawl failed; see the messages above", file=sys.stderr)
        return code
    corpus = out / "corpus.jsonl"
    run_export(fmt="jsonl", out=corpus, db=str(db), settings=settings)  # each raises CommandError on failure
    report = out / "report.html"
    code = run_report(out=report, db=str(db), sources_file=str(sources_file), settings=settings)
    store = open_store(str(db), readonly=True)
    try:
        stats = store.summary()
    finally:
        store.close()
    print()
    used = workers or os.cpu_count() or 1
    print(f"Demo finished in {elapsed:.1f}s: {stats['articles']} articles stored "
          f"({stats['articles'] / elapsed:.1f} articles/s, {used} extraction worker{'s' if used > 1 else ''})")
    for s in stats["per_source"]:
        print(f"  {s['source']:14} {s['articles']:3} articles, {s['duplicates']} marked as copies from another outlet")
    removed = stats["paragraphs_removed"]
    print("Paragraphs removed: " + (", ".join(f"{k} {v}" for k, v in removed.items()) or "none"))
    print(f"Corpus (duplicates left out): {corpus.resolve()}")
    print(f"Report (open it in a browser): {report.resolve()}")
    print(f"Database: {db.resolve()}  (python -m crawler stats --db {db})")
    return code
