"""WARC ingest (`python -m crawler warc`) on a WARC of mixed-language news pages, for `make bench`.

The WARC holds the mirror's heavy Arabic pages (bench/mirror.py) among real English news pages
(../shared/data/scrapinghub-aeb, read at run time; without it, English pages made here), shuffled, one
request + response pair each as Common Crawl writes them. The ingest runs through the CLI; its records/s and
Arabic articles/s are set against single-core `trafilatura.extract` on the same Arabic pages, timed in the
same run; the share of time spent deciding the language comes from the run's stats. The main process's
memory is sampled while it runs, for files of two sizes: it must not grow with the file.
"""
from __future__ import annotations

import gzip
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from mirror import SHARED, build_mirror

ROOT = Path(__file__).resolve().parent.parent

_ENGLISH = ("The regional council met on Tuesday to discuss the new budget for schools and roads, and members "
            "agreed to publish the detailed figures before the end of the month so that residents can comment.")


def foreign_pages(n: int) -> list[bytes]:
    """n non-Arabic news pages: the real English pages of ../shared/data/scrapinghub-aeb, cycled."""
    found = sorted((SHARED / "scrapinghub-aeb" / "html").glob("*.html.gz"))
    bodies = [gzip.decompress(p.read_bytes()) for p in found]
    if not bodies:  # no corpus beside the checkout: plain English pages
        bodies = [(f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Story {i}</title></head>'
                   f'<body><nav>Home News Sport</nav><article><h1>Story {i}</h1>'
                   + "".join(f"<p>{_ENGLISH} ({i}.{k})</p>" for k in range(8)) + "</article></body></html>").encode()
                  for i in range(50)]
    return [bodies[i % len(bodies)] for i in range(n)]


def build_warc(folder: Path, arabic: list[bytes], foreign: list[bytes], seed: int = 5) -> Path:
    """Shuffled pages as request + response pairs (the crawler's own writer: WARC/1.1, a gzip member each)."""
    sys.path.insert(0, str(ROOT))
    from crawler.warc_writer import Exchange, WarcWriter

    pages = [(f"https://ar{i % 7}.example/news/{i}.html", b) for i, b in enumerate(arabic)]
    pages += [(f"https://en{i % 11}.example/story/{i}.html", b) for i, b in enumerate(foreign)]
    random.Random(seed).shuffle(pages)
    writer = WarcWriter(folder, prefix="bench", max_size=1 << 40)
    now = datetime.now(timezone.utc)
    for url, body in pages:
        writer.write(Exchange(url=url, method="GET", request_headers=[(b"User-Agent", b"bench")], request_body=b"",
                              status=200, protocol="HTTP/1.1",
                              response_headers=[(b"Content-Type", b"text/html; charset=utf-8"),
                                                (b"Content-Length", str(len(body)).encode())],
                              body=body, date=now))
    writer.close()
    return writer.files[0]


def ingest(warc: Path, db: Path) -> dict:
    """The CLI over the file; wall time, the main process's peak memory, the run's stats."""
    cmd = [sys.executable, "-m", "crawler", "warc", str(warc), "--db", str(db), "--quiet"]
    start = time.perf_counter()
    process = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _rss_kb(process.pid))
        time.sleep(0.1)
    elapsed = time.perf_counter() - start
    out, err = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"warc ingest failed: {err[-2000:]}")
    conn = sqlite3.connect(db)
    stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    stats = json.loads(conn.execute("SELECT stats FROM runs ORDER BY id DESC LIMIT 1").fetchone()[0])
    conn.close()
    return {"seconds": elapsed, "stored": stored, "stats": stats, "peak_rss_mb": peak / 1024,
            "file_mb": warc.stat().st_size / 1e6}


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return 0


def trafilatura_rate(bodies: list[bytes]) -> float:
    import trafilatura

    start = time.perf_counter()
    for body in bodies:
        trafilatura.extract(body.decode("utf-8"), deduplicate=False)
    return len(bodies) / (time.perf_counter() - start)


def run(arabic_pages: int = 500, foreign: int = 1000, memory_sizes: tuple[int, ...] = (2000, 20000)) -> dict:
    site = build_mirror(arabic_pages, seed=17)
    arabic = [body for _, body in site.values()]
    result: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        warc = build_warc(Path(tmp, "mixed"), arabic, foreign_pages(foreign))
        baseline = trafilatura_rate(arabic)
        r = ingest(warc, Path(tmp, "news.db"))
        stats = r["stats"]
        records = stats.get("warc/records", 0)
        wall = stats.get("warc/seconds") or r["seconds"]
        result["ingest"] = {
            "pages": len(arabic) + foreign, "arabic_pages": len(arabic), "records": records,
            "stored": r["stored"], "seconds": round(r["seconds"], 1),
            "records_per_s": round(records / r["seconds"], 1), "articles_per_s": round(r["stored"] / r["seconds"], 1),
            "trafilatura_single_core_per_s": round(baseline, 1),
            "ratio": round(r["stored"] / r["seconds"] / baseline, 2),
            "language_seconds": stats.get("warc/language_seconds", 0),
            "language_share": round(stats.get("warc/language_seconds", 0) / wall, 4) if wall else None,
            "language_us_per_html_page": round(stats.get("warc/language_seconds", 0) / max(1, stats.get(
                "warc/responses", 1)) * 1e6),
            "peak_rss_mb": round(r["peak_rss_mb"]), "file_mb": round(r["file_mb"], 1),
        }
        memory = []
        for size in memory_sizes:  # ~3 % Arabic, as in a news crawl of the whole world
            folder = Path(tmp, f"m{size}")
            n_arabic = max(1, size * 3 // 100)
            path = build_warc(folder, [arabic[i % len(arabic)] for i in range(n_arabic)], foreign_pages(size - n_arabic),
                              seed=size)
            m = ingest(path, Path(folder, "news.db"))
            memory.append({"records": m["stats"].get("warc/records", 0), "file_mb": round(m["file_mb"]),
                           "peak_rss_mb": round(m["peak_rss_mb"]), "seconds": round(m["seconds"], 1),
                           "records_per_s": round(m["stats"].get("warc/records", 0) / m["seconds"]),
                           "stored": m["stored"]})
            os.remove(path)
        result["memory"] = memory
    return result


def archive_cost(pages: int = 500, rounds: int = 2) -> dict:
    """The crawl of the mirror with its web archive and without (`--no-warc`), alternating; the faster run of
    each counts. Also the archive's size per 1,000 articles (feeds, robots.txt and requests included)."""
    from mirror import MirrorServer

    site = build_mirror(pages)
    runs: dict[str, list[dict]] = {"warc": [], "no_warc": []}
    with MirrorServer(site) as server:
        for _ in range(rounds):
            for name in ("no_warc", "warc"):
                runs[name].append(_crawl(server, name == "warc"))
    best = {name: min(r, key=lambda x: x["seconds"]) for name, r in runs.items()}
    warc = best["warc"]
    return {"pages": pages, **{f"{k}_{name}": v for name, r in best.items() for k, v in r.items()},
            "slowdown": round(warc["seconds"] / best["no_warc"]["seconds"] - 1, 3),
            "mb_per_1000_articles": round(warc["warc_bytes"] / max(1, warc["stored"]) * 1000 / 1e6, 1)}


def _crawl(server, archive: bool) -> dict:
    import resource

    with tempfile.TemporaryDirectory() as tmp:
        sources = Path(tmp, "sources.toml")
        sources.write_text(server.sources_toml(), encoding="utf-8")
        cmd = [sys.executable, "-m", "crawler", "crawl", "--sources", str(sources), "--db", str(Path(tmp, "news.db")),
               "--quiet", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "ROBOTSTXT_OBEY=0",
               "-s", "CONCURRENT_REQUESTS=32", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=32",
               *(["--warc", str(Path(tmp, "warc"))] if archive else ["--no-warc"])]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if result.returncode != 0:
            raise SystemExit(f"crawl failed: {result.stderr[-2000:]}")
        conn = sqlite3.connect(Path(tmp, "news.db"))
        stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        conn.close()
        warc_bytes = sum(p.stat().st_size for p in Path(tmp, "warc").glob("*")) if archive else 0
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return {"seconds": round(seconds, 1), "stored": stored, "cpu_ms_per_article": round(cpu / max(1, stored) * 1000, 1),
            "warc_bytes": warc_bytes}
