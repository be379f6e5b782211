"""`python -m crawler migrate`: a demo corpus crawled into SQLite comes out of PostgreSQL the same, a copy
stopped half-way continues and duplicates nothing, and the copy goes on deduplicating as the original would."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.commands.migrate import copy_store
from crawler.demo import EXPECTED, DemoServer, sources_toml
from crawler.exitcodes import CommandError
from crawler.store import open_store

ROOT = Path(__file__).resolve().parent.parent
# no web archive: a database server's default archive folder is data/warc under the repository
FAST = ["-s", "WARC_ENABLED=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "EXTRACT_WORKERS=2"]


def cli(*args: str, timeout: int = 180) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("CRAWLER_DB", None)
    return subprocess.run([sys.executable, "-m", "crawler", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The demo site crawled into SQLite, as a user's corpus before moving up."""
    tmp = tmp_path_factory.mktemp("corpus")
    with DemoServer() as site:
        sources = tmp / "sources.toml"
        sources.write_text(sources_toml(site.base_url), encoding="utf-8")
        result = cli("crawl", "--sources", str(sources), "--db", str(tmp / "news.db"), *FAST)
        assert result.returncode == 0, result.stderr[-2000:]
    return tmp / "news.db"


def exported(db: str, out: Path) -> list[dict]:
    result = cli("export", "--db", db, "--format", "jsonl", "--include-duplicates", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_a_demo_corpus_round_trips_through_postgresql(corpus, postgres_url, tmp_path):
    result = cli("migrate", "--from", str(corpus), "--to", postgres_url)
    assert result.returncode == 0, result.stderr
    assert "they match" in result.stdout
    records = exported(postgres_url, tmp_path / "pg.jsonl")
    assert len(records) == EXPECTED["articles"]
    assert records == exported(str(corpus), tmp_path / "sqlite.jsonl")
    assert cli("migrate", "--from", str(corpus), "--to", postgres_url).returncode == 0  # again: nothing to add
    ours = json.loads(cli("stats", "--db", postgres_url, "--json").stdout)
    theirs = json.loads(cli("stats", "--db", str(corpus), "--json").stdout)
    for key in ("articles", "duplicate_articles", "per_source", "paragraphs_removed", "recent_runs", "source_health"):
        assert ours[key] == theirs[key], key


def test_a_copy_stopped_half_way_continues_and_duplicates_nothing(corpus, postgres_url):
    source, target = open_store(str(corpus), readonly=True), open_store(postgres_url)
    try:
        calls = []

        def stop_in_the_articles(kind: str, _count: int) -> None:
            calls.append(kind)

        original_load = target.load

        def load_then_stop(kind, records):
            new = original_load(kind, records)
            if kind == "articles" and target.tallies()["articles"] >= 10:
                raise KeyboardInterrupt  # Ctrl-C after a committed chunk
            return new

        target.load = load_then_stop
        with pytest.raises(KeyboardInterrupt):
            copy_store(source, target, str(corpus), chunk=4, report=stop_in_the_articles)
        assert 10 <= target.tallies()["articles"] < EXPECTED["articles"] and "articles" not in calls
        target.load = original_load
        loaded = copy_store(source, target, str(corpus), chunk=4)
        assert loaded["articles"] == EXPECTED["articles"] - 12 and loaded["runs"] == 0  # only what was missing
        assert target.tallies() == source.tallies()
        with pytest.raises(CommandError, match="is a copy of"):
            copy_store(source, target, "/elsewhere/other.db")
    finally:
        source.close()
        target.close()


def test_a_database_holding_another_corpus_is_refused(corpus, postgres_url):
    result = cli("crawl", "--sources", str(corpus.parent / "sources.toml"), "--db", postgres_url, *FAST,
                 "-s", "ROBOTSTXT_OBEY=0")  # the demo site is gone: a run with nothing stored, recorded
    assert result.returncode == 1
    result = cli("migrate", "--from", str(corpus), "--to", postgres_url)
    assert result.returncode == 2 and "migrate into an empty database" in result.stderr
