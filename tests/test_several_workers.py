"""Several machines, one corpus: crawl processes started at once against one PostgreSQL and one Redis (the
session's real servers) on the demo site, whose outlets republish each other's stories. The real CLI in
subprocesses; the site counts every request it answers (its access log)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import psycopg
import pytest

from crawler.demo import EXPECTED, DemoServer, sources_toml

ROOT = Path(__file__).resolve().parent.parent
# two requests at a time per worker (a worker takes from the shared queue what it has room for: with Scrapy's
# 16, the first worker up took every page before the second had started), on pages that take 0.3 s: the crawl
# lasts some seconds, so both workers share it even when one starts seconds later; no web archive (a database
# server's default archive folder is data/warc under the repository)
FAST = ["-s", "WARC_ENABLED=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "EXTRACT_WORKERS=1",
        "-s", "CONCURRENT_REQUESTS=2"]
ARTICLE_PATHS = set(EXPECTED["pages"])


def crawl(sources: Path, db: str, *extra: str) -> subprocess.Popen:
    """The CLI in a session of its own: a kill takes its extraction workers too, as a stopped service's would."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name in ("CRAWLER_DB", "CRAWLER_FRONTIER"):
        env.pop(name, None)
    return subprocess.Popen([sys.executable, "-m", "crawler", "crawl", "--sources", str(sources), "--db", db, *FAST,
                             *extra], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def finished(process: subprocess.Popen, timeout: float = 180) -> subprocess.CompletedProcess:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err[-3000:]
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def marks(db: str, base_url: str) -> dict[str, str | None]:
    """Each stored article's path -> the path of the article it is duplicate_of (None for an original)."""
    with psycopg.connect(db) as conn:
        rows = conn.execute("SELECT a.url, o.url FROM articles a LEFT JOIN articles o ON o.id = a.duplicate_of").fetchall()
    strip = lambda url: url[len(base_url):] if url else None
    return {strip(url): strip(original) for url, original in rows}


def count(db: str, sql: str) -> int:
    with psycopg.connect(db) as conn:
        return conn.execute(sql).fetchone()[0]


@pytest.fixture
def site():
    with DemoServer(page_delay=0.3) as server:  # slow pages: the workers overlap, and a kill lands mid-crawl
        yield server


@pytest.fixture
def sources(site, tmp_path) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(sources_toml(site.base_url), encoding="utf-8")
    return path


def expected_marks() -> dict[str, str | None]:
    copies = dict((copy, original) for original, copy in EXPECTED["cross_outlet_copies"])
    return {path: copies.get(path) for path in EXPECTED["pages"]}


def test_two_workers_store_every_article_once_and_fetch_no_url_twice(site, sources, postgres_server, redis_url):
    single, shared = (postgres_server.create_database(f"workers_{os.getpid()}_{n}") for n in ("single", "shared"))
    finished(crawl(sources, single))
    reference = marks(single, site.base_url)
    assert reference == expected_marks()

    site.hits.clear()
    workers = [crawl(sources, shared, "--frontier", redis_url) for _ in range(2)]
    results = [finished(w) for w in workers]
    hits = Counter(site.hits)
    assert marks(shared, site.base_url) == reference  # stored once each, the same copies of the same originals
    fetched = {path: n for path, n in hits.items() if path != "/robots.txt"}
    assert {p for p, n in fetched.items() if n > 1} == set(), fetched  # the access log: no URL twice
    assert ARTICLE_PATHS <= set(fetched)
    per_worker = [int(r.stdout.split(": ", 1)[1].split(" new")[0]) for r in results]
    assert sum(per_worker) == EXPECTED["articles"] and all(per_worker), per_worker  # both did some of the work
    stats = subprocess.run([sys.executable, "-m", "crawler", "stats", "--db", shared, "--json"], cwd=ROOT,
                           capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    runs = json.loads(stats.stdout)["recent_runs"]
    assert [r["outcome"] for r in runs] == ["completed", "completed"]
    assert sum(r["new_articles"] for r in runs) == EXPECTED["articles"]
    assert count(shared, "SELECT count(*) FROM feeds WHERE etag IS NOT NULL") == 3  # each feed's, saved once


def test_a_worker_killed_mid_crawl_loses_nothing_after_a_rerun(site, sources, postgres_url, redis_url):
    workers = [crawl(sources, postgres_url, "--frontier", redis_url) for _ in range(2)]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # until a few articles are in: the crawl is under way
        try:
            if count(postgres_url, "SELECT count(*) FROM articles") >= 4:
                break
        except psycopg.Error:  # the schema is being created
            pass
        time.sleep(0.1)
    os.killpg(workers[0].pid, signal.SIGKILL)  # kill -9, the worker and its extraction processes
    workers[0].wait(30)
    finished(workers[1])  # the other goes on, and ends once the dead worker's heartbeat has expired
    stored_before = count(postgres_url, "SELECT count(*) FROM articles")
    assert 4 <= stored_before <= EXPECTED["articles"]

    rerun = finished(crawl(sources, postgres_url, "--frontier", redis_url))
    assert marks(postgres_url, site.base_url) == expected_marks()  # nothing lost, nothing stored twice
    assert f"{EXPECTED['articles'] - stored_before} new articles" in rerun.stdout
    assert count(postgres_url, "SELECT count(*) FROM dedup_entries") == EXPECTED["articles"]


def test_a_second_process_without_a_frontier_fetches_twice_but_stores_and_marks_once(site, sources, postgres_url):
    both = [crawl(sources, postgres_url) for _ in range(2)]  # the same sources, at the same moment
    results = [finished(w) for w in both]
    assert marks(postgres_url, site.base_url) == expected_marks()
    per_process = [int(r.stdout.split(": ", 1)[1].split(" new")[0]) for r in results]
    assert sum(per_process) == EXPECTED["articles"]  # each article stored by one of them
    assert count(postgres_url, "SELECT count(*) FROM dedup_entries") == EXPECTED["articles"]
    assert max(n for path, n in site.hits.items() if path in ARTICLE_PATHS) <= 2
