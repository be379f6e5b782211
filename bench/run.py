#!/usr/bin/env python3
"""`make bench`: where the time goes, as ratios measured in the same run (machines here are noisy).

1. pipeline: ~500 heavy pages (~150 KB each) behind feeds on 127.0.0.1, crawled end to end through the
   CLI; articles/s against single-core trafilatura.extract over the same pages, timed in this run; twice
   each with and without the extraction's layout work (CRAWLER_EXTRACT_LAYOUTS), alternating.
2. dedup: fingerprints per second, and dedup's share of the CPU spent on the same articles.
3. index scaling: insert + query cost per article, and memory per indexed article, at 10k, 100k and 1M
   indexed articles (synthetic fingerprints).
4. web archives (bench/warc_ingest.py): `warc` ingest of a mixed-language WARC against single-core
   trafilatura.extract on its Arabic pages, the share of time spent deciding the language, memory for files of
   two sizes; and what archiving costs a crawl (time, disk per 1,000 articles).
5. report: `python -m crawler report` on generated stores of 10k, 100k and 300k articles, against
   `stats --json` on the same store (bench/report_build.py).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import crawler  # noqa: E402,F401  first: it limits BLAS threads, as in the crawl, before numpy loads

import numpy as np  # noqa: E402

from mirror import MirrorServer, build_mirror  # noqa: E402


def pipeline(pages: int, rounds: int = 2) -> dict:
    """The crawl timed with this version's extraction and with the layout work turned off (the extraction
    before it, CRAWLER_EXTRACT_LAYOUTS=0), alternating, `rounds` times each; the faster run of each counts."""
    import trafilatura

    site = build_mirror(pages)
    bodies = [b for _, b in site.values()]
    start = time.perf_counter()
    for body in bodies:
        trafilatura.extract(body.decode("utf-8"), deduplicate=False)
    baseline = len(bodies) / (time.perf_counter() - start)
    runs: dict[str, list[dict]] = {"layouts": [], "without_layouts": []}
    with MirrorServer(site) as server:
        for _ in range(rounds):
            for name, flag in (("without_layouts", "0"), ("layouts", "1")):
                runs[name].append(_crawl(server, flag))
    result = {"pages": len(bodies), "trafilatura_single_core_per_s": round(baseline, 1)}
    for name, measured in runs.items():
        best = min(measured, key=lambda r: r["crawl_seconds"])
        best["ratio"] = round(best["articles_per_s"] / baseline, 2)
        result[name] = best
    return result


def _crawl(server: MirrorServer, layouts: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        sources = Path(tmp, "sources.toml")
        sources.write_text(server.sources_toml(), encoding="utf-8")
        db = Path(tmp, "news.db")
        cmd = [sys.executable, "-m", "crawler", "crawl", "--sources", str(sources), "--db", str(db), "--quiet",
               "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "ROBOTSTXT_OBEY=0",
               "-s", "CONCURRENT_REQUESTS=32", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=32"]
        env = {**os.environ, "CRAWLER_EXTRACT_LAYOUTS": layouts}
        start, cpu_before = time.perf_counter(), _children_cpu()
        result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
        elapsed, cpu = time.perf_counter() - start, _children_cpu() - cpu_before
        if result.returncode != 0:
            raise SystemExit(f"crawl failed: {result.stderr[-2000:]}")
        conn = sqlite3.connect(db)
        stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        stats = json.loads(conn.execute("SELECT stats FROM runs ORDER BY id DESC LIMIT 1").fetchone()[0])
        conn.close()
    return {"stored": stored, "crawl_seconds": round(elapsed, 1),
            "pages_per_task": round(stats.get("extract/articles", 0) / max(1, stats.get("extract/tasks", 1)), 1),
            "cpu_ms_per_article": round(cpu / max(1, stored) * 1000, 1),
            "articles_per_s": round(stored / elapsed, 1)}


def _children_cpu() -> float:
    """CPU seconds of finished child processes, their own children (the extraction workers) included."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def dedup_cost(pages: int, batch: int) -> dict:
    """CPU of extraction vs dedup on the same articles, in this process (one core), batch by batch as the
    extraction workers run them (crawler.worker.process_pages: parse `batch` pages, then dedup them), so
    that a busy spell on the machine falls on both. Dedup is all of it: paragraph dedup, the fingerprint,
    and the index lookup and insert, committed to a WAL database file in batches as the crawl's writer
    does."""
    from crawler.article_index import ArticleIndex, IndexEntry
    from crawler.dedup import ParagraphDeduplicator
    from crawler.extract import finish_article, parse_page
    from crawler.signatures import fingerprint
    from storage.sqlite import SqliteStore

    class NoDedup(ParagraphDeduplicator):
        def dedup(self, paragraphs, title="", weak=frozenset()):
            return paragraphs, [], None

        def match(self, text, kept, _cache=None):
            return None

    bodies = [b for _, b in build_mirror(pages, seed=11).values()]
    dedupe, no_dedup = ParagraphDeduplicator(), NoDedup()
    finish_article(parse_page(bodies[0], "http://mirror.test/warm-up"), no_dedup)
    fingerprint(["imports (datasketch, scipy) are not the per-article cost"])
    texts: dict[str, str] = {}
    extraction = dedup = 0.0
    articles = []
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteStore(Path(tmp, "news.db"))
        index = ArticleIndex(store.postings(), text_of=texts.get)
        writes = store.writes(max_items=50)  # settings.STORE_BATCH_ITEMS
        for first in range(0, len(bodies), batch):
            start = time.process_time()
            parsed = [parse_page(body, f"http://mirror.test/{first + i}")
                      for i, body in enumerate(bodies[first : first + batch])]
            done = [finish_article(page, no_dedup) for page in parsed]  # metadata etc., without the dedup
            middle = time.process_time()
            signed = []
            for page in parsed:
                kept, _, hashed = dedupe.dedup(page.paragraphs, page.title, frozenset(page.weak))
                signed.append((kept, fingerprint(kept, hashed=hashed)))
            for i, (kept, fp) in enumerate(signed):
                texts[str(first + i)] = "\n".join(kept)
                writes.call(index.match_or_add, IndexEntry(str(first + i), fp, 19000))
            end = time.process_time()
            extraction, dedup = extraction + middle - start, dedup + end - middle
            articles.extend(done)
        start = time.process_time()
        writes.flush()
        dedup += time.process_time() - start
        store.close()
    start = time.process_time()
    for a in articles:
        fingerprint(a.paragraphs)
    sig_rate = len(articles) / (time.process_time() - start)
    return {"articles": len(articles), "batch": batch, "extraction_cpu_s": round(extraction, 2),
            "dedup_cpu_s": round(dedup, 2), "dedup_vs_extraction": round(dedup / extraction, 3),
            "fingerprints_per_s": round(sig_rate)}


def index_scaling(sizes: list[int], probes: int = 2000) -> list[dict]:
    """Grow one index to each size (bulk-loaded), then time `probes` real match_or_add calls there."""
    from crawler.article_index import ArticleIndex, IndexEntry
    from crawler.signatures import Fingerprint
    from storage.sqlite import SqliteStore

    rng = np.random.default_rng(3)

    def synthetic(i: int) -> Fingerprint:
        sig = rng.integers(0, 2**32, 100, dtype=np.uint64).astype(np.uint32).tobytes()
        anchors = tuple(sorted(int(x) for x in rng.integers(-2**62, 2**62, 48, dtype=np.int64)))
        shingles = np.unique(rng.integers(0, 2**32, 900, dtype=np.uint64).astype(np.uint32))
        return Fingerprint(sig, anchors, shingles, f"{i:040x}")

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "index.db")
        store = SqliteStore(path)
        conn = store.connection  # the bulk load writes the postings' rows directly
        index = ArticleIndex(store.postings(), text_of=lambda _id: None)
        loaded = 0
        for size in sizes:
            conn.execute("PRAGMA cache_size = -262144")  # the bulk load only: 256 MB of page cache
            _bulk_load(conn, index, loaded, size - probes, rng)
            conn.execute("PRAGMA cache_size = -2000")  # back to SQLite's default for the measured inserts
            loaded = size - probes
            entries = [IndexEntry(f"p{loaded + k}", synthetic(loaded + k), 19000 + (loaded + k) // 3000)
                       for k in range(probes)]
            rss_before = _rss_kb()
            writes = store.writes(max_items=50)  # as the crawl's writer commits (STORE_BATCH_ITEMS)
            start = time.perf_counter()
            for e in entries:
                writes.call(index.match_or_add, e)
            writes.flush()
            per_article = (time.perf_counter() - start) / probes
            loaded = size
            disk = sum(os.path.getsize(p) for p in Path(tmp).glob("index.db*"))
            results.append({"indexed": size, "insert_query_ms": round(per_article * 1000, 3),
                            "ram_growth_kb": _rss_kb() - rss_before, "rss_mb": _rss_kb() // 1024,
                            "disk_bytes_per_article": round(disk / size)})
        store.close()
    return results


def _rss_kb() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def _bulk_load(conn: sqlite3.Connection, index, start: int, stop: int, rng) -> None:
    """Rows as match_or_add writes them, inserted in bulk: reaching 1M articles one by one would take
    the whole benchmark budget, and the cost being measured is that of the next insert."""
    batch = 20_000
    for lo in range(start, stop, batch):
        hi = min(stop, lo + batch)
        n = hi - lo
        bands = rng.integers(-2**62, 2**62, (n, index.bands), dtype=np.int64)
        anchors = rng.integers(-2**62, 2**62, (n, 48), dtype=np.int64)
        with conn:
            conn.execute("BEGIN")
            conn.executemany(
                "INSERT INTO dedup_entries (entry, article_id, day, size, anchors, text_hash, published, duplicate_of, "
                "cluster) VALUES (?,?,?,900,48,?,NULL,NULL,?)",
                ((i + 1, f"b{i}", 19000 + i // 3000, f"{i:040x}", f"b{i}") for i in range(lo, hi)))
            for table, keys in (("dedup_bands", bands), ("dedup_anchors", anchors)):
                entry_ids = np.repeat(np.arange(lo + 1, hi + 1), keys.shape[1])
                flat = keys.ravel()
                order = np.argsort(flat)  # sorted keys: the B-tree is appended to, not scattered
                conn.executemany(f"INSERT OR IGNORE INTO {table} VALUES (?, ?)",
                                 zip(flat[order].tolist(), entry_ids[order].tolist()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--only", choices=["pipeline", "dedup", "index", "warc", "report"])
    parser.add_argument("--report-sizes", default="10000,100000,300000")
    args = parser.parse_args()
    p = None
    if args.only in (None, "pipeline"):
        result = pipeline(args.pages)
        for name, label in (("without_layouts", "without the layout work (CRAWLER_EXTRACT_LAYOUTS=0)"),
                            ("layouts", "this version")):
            p = result[name]
            print(f"pipeline, {label}: {p['stored']}/{result['pages']} heavy pages crawled end to end in "
                  f"{p['crawl_seconds']} s: {p['articles_per_s']} articles/s; single-core trafilatura.extract "
                  f"{result['trafilatura_single_core_per_s']} pages/s; ratio {p['ratio']} (target >= 1.3); all "
                  f"processes {p['cpu_ms_per_article']} ms CPU per article; {p['pages_per_task']} pages per "
                  f"extraction task", flush=True)
        change = result["layouts"]["ratio"] / result["without_layouts"]["ratio"] - 1
        print(f"pipeline: the layout work changes the ratio by {change:+.1%} (budget: no drop over 5%)", flush=True)
    if args.only in (None, "dedup"):
        from settings import EXTRACT_BATCH

        for batch in (EXTRACT_BATCH, 1):
            d = dedup_cost(min(args.pages, 300), batch)
            per_article = d["dedup_cpu_s"] / d["articles"] * 1000
            of_pipeline = f"; {per_article / p['cpu_ms_per_article']:.1%} of the pipeline's CPU per article" if p else ""
            how = f"in batches of {batch} (EXTRACT_BATCH)" if batch > 1 else "one page at a time"
            print(f"dedup {how}: {d['fingerprints_per_s']} fingerprints/s; dedup {d['dedup_cpu_s']} s vs extraction "
                  f"{d['extraction_cpu_s']} s CPU on {d['articles']} articles: {d['dedup_vs_extraction']:.1%} of the "
                  f"extraction CPU (target <= 10%){of_pipeline}", flush=True)
    if args.only in (None, "index"):
        for r in index_scaling([int(s) for s in args.sizes.split(",")]):
            print(f"index: {r['indexed']:>9,} articles indexed: insert+query {r['insert_query_ms']} ms/article, "
                  f"process RSS {r['rss_mb']} MB (growth {r['ram_growth_kb']} KB over 2,000 inserts), "
                  f"{r['disk_bytes_per_article']} bytes/article on disk", flush=True)
    if args.only in (None, "warc"):
        warc_benchmarks()
    if args.only in (None, "report"):
        from report_build import print_results, report_build

        print_results(report_build([int(n) for n in args.report_sizes.split(",")]))
    return 0


def warc_benchmarks() -> None:
    import warc_ingest

    w = warc_ingest.run()
    i = w["ingest"]
    print(f"warc ingest: {i['records']:,} records ({i['arabic_pages']} Arabic pages among {i['pages']:,}, "
          f"{i['file_mb']} MB) in {i['seconds']} s: {i['records_per_s']} records/s, {i['articles_per_s']} Arabic "
          f"articles/s ({i['stored']} stored); single-core trafilatura.extract {i['trafilatura_single_core_per_s']} "
          f"pages/s on the same Arabic pages; ratio {i['ratio']}; deciding the language {i['language_share']:.1%} of "
          f"the time ({i['language_us_per_html_page']} us per HTML page); peak RSS {i['peak_rss_mb']} MB", flush=True)
    for m in w["memory"]:
        print(f"warc ingest memory: {m['records']:,} records ({m['file_mb']} MB, 3% Arabic) in {m['seconds']} s, "
              f"{m['records_per_s']} records/s, {m['stored']} stored: peak RSS {m['peak_rss_mb']} MB", flush=True)
    c = warc_ingest.archive_cost()
    print(f"web archive while crawling {c['pages']} heavy pages: {c['seconds_warc']} s with it vs {c['seconds_no_warc']} s "
          f"without ({c['slowdown']:+.1%}); all processes {c['cpu_ms_per_article_warc']} vs "
          f"{c['cpu_ms_per_article_no_warc']} ms CPU per article; {c['mb_per_1000_articles']} MB of WARC per 1,000 "
          f"articles", flush=True)


if __name__ == "__main__":
    sys.exit(main())
