"""Faults of the several-machines setup, on the real servers: a server that cannot be reached at start is named
and ends the command with exit code 3; connections cut mid-crawl (pg_terminate_backend) lose no article
and write none by half, and the run is still recorded."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg

from crawler.demo import EXPECTED, DemoServer, sources_toml

ROOT = Path(__file__).resolve().parent.parent
# no web archive: a database server's default archive folder is data/warc under the repository
FAST = ["-s", "WARC_ENABLED=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "EXTRACT_WORKERS=1"]


def cli(*args: str, timeout: int = 180) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name in ("CRAWLER_DB", "CRAWLER_FRONTIER"):
        env.pop(name, None)
    return subprocess.run([sys.executable, "-m", "crawler", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)


def test_an_unreachable_postgresql_is_named_with_exit_code_3_and_no_password(tmp_path):
    db = "postgresql://crawler:s3cret@127.0.0.1:1/news"
    (tmp_path / "s.toml").write_text('[[source]]\nname = "x"\nfeeds = ["http://127.0.0.1:1/rss"]\n', encoding="utf-8")
    for args in (["crawl", "--sources", str(tmp_path / "s.toml")], ["stats"], ["export", "--out", str(tmp_path / "o.jsonl")],
                 ["dedup", "--rebuild"]):
        result = cli(*args, "--db", db)
        assert result.returncode == 3, (args, result.stderr)
        assert "PostgreSQL at 127.0.0.1:1" in result.stderr and "s3cret" not in result.stderr + result.stdout
        assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr


def test_an_unknown_database_kind_is_bad_usage():
    result = cli("stats", "--db", "mysql://crawler@127.0.0.1/news")
    assert result.returncode == 2 and "unknown database kind 'mysql'" in result.stderr


def test_an_unreachable_redis_is_named_with_exit_code_3(postgres_url, tmp_path):
    (tmp_path / "s.toml").write_text('[[source]]\nname = "x"\nfeeds = ["http://127.0.0.1:1/rss"]\n', encoding="utf-8")
    result = cli("crawl", "--sources", str(tmp_path / "s.toml"), "--db", postgres_url, "--frontier", "redis://127.0.0.1:1/0")
    assert result.returncode == 3 and "Redis at 127.0.0.1:1" in result.stderr, result.stderr
    result = cli("crawl", "--sources", str(tmp_path / "s.toml"), "--db", str(tmp_path / "n.db"),
                 "--frontier", "redis://127.0.0.1:1/0")
    assert result.returncode == 2 and "postgresql://" in result.stderr  # a shared frontier needs a shared store


def cut_connections(db: str, stop: threading.Event, cuts: list[int]) -> None:
    """Terminate every other session on the crawl's database, every 0.5 s, as a server restart would."""
    name = db.rsplit("/", 1)[1]
    admin = db.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        while not stop.wait(0.5):
            cuts.append(conn.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                     "WHERE datname = %s AND pid <> pg_backend_pid()", (name,)).fetchone()[0])


def test_connections_cut_mid_crawl_lose_nothing_and_the_run_is_recorded(postgres_url, tmp_path):
    with DemoServer(page_delay=0.2) as site:
        sources = tmp_path / "sources.toml"
        sources.write_text(sources_toml(site.base_url), encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        # one page at a time, 0.2 s each: the crawl lasts about five seconds, long enough to be cut many times
        crawl = subprocess.Popen([sys.executable, "-m", "crawler", "crawl", "--sources", str(sources), "--db",
                                  postgres_url, *FAST, "-s", "CONCURRENT_REQUESTS=1"], cwd=ROOT, env=env,
                                 stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        while not site.hits:  # the crawl is reading its feeds
            time.sleep(0.05)
        stop, cuts = threading.Event(), []
        cutter = threading.Thread(target=cut_connections, args=(postgres_url, stop, cuts))
        cutter.start()
        try:
            out, err = crawl.communicate(timeout=180)  # cut all along the crawl
        finally:
            stop.set()
            cutter.join()
        assert crawl.returncode == 0, err[-3000:]
        assert sum(1 for n in cuts if n) >= 3, cuts  # connections were in use, cut, opened again, cut again
        with psycopg.connect(postgres_url) as conn:
            stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
            # never half-written: an article and its index entry commit together, and its text is whole
            assert conn.execute("SELECT count(*) FROM dedup_entries").fetchone()[0] == stored
            assert conn.execute("SELECT count(*) FROM articles WHERE text = ''").fetchone()[0] == 0
            (outcome, stats), = conn.execute("SELECT outcome, stats FROM runs").fetchall()
        assert outcome == "completed"
        failed = stats.get("errors/store_unavailable", 0)
        assert stored + failed == EXPECTED["articles"], (stored, failed, err[-2000:])

        rerun = cli("crawl", "--sources", str(sources), "--db", postgres_url, *FAST)
        assert rerun.returncode == 0, rerun.stderr[-2000:]
        summary = json.loads(cli("stats", "--db", postgres_url, "--json").stdout)
        assert summary["articles"] == EXPECTED["articles"]  # what failed is fetched again, nothing twice
        assert len(summary["recent_runs"]) == 2
