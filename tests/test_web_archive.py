"""Web archives end to end, through the real CLI in subprocesses: the crawl's WARC files (read back with warcio,
after a kill -9 too), `reextract` from them, and `warc` over archives built here, whole, remote and damaged."""
import functools
import gzip
import http.server
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import zlib
from collections import Counter
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archives import FIXTURES, demo_pages, demo_url, exchange, foreign_pages, gzip_bomb_member, write_warc
from crawler.demo import EXPECTED, DemoServer, sources_toml
from crawler.warc_reader import Problem, WarcReader

ROOT = Path(__file__).resolve().parent.parent
FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "EXTRACT_WORKERS=2"]
COLUMNS = ("id, url, source, title, author, published, date_source, language, description, text, duplicate_of, "
           "cluster_id")


def cli(*args: str, timeout: int = 180) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("CRAWLER_DB", None)
    return subprocess.run([sys.executable, "-m", "crawler", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)


def rows(db: Path, sql: str, *params) -> list:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def articles(db: Path) -> dict:
    """Every stored article's fields and its removed paragraphs (as a multiset), by id."""
    removed = Counter((a, t, r, d) for a, t, r, d in rows(db, "SELECT article_id, text, reason, duplicate_of "
                                                                "FROM removed_paragraphs"))
    return {row[0]: (row[1:], sorted((k[1:], n) for k, n in removed.items() if k[0] == row[0]))
            for row in rows(db, f"SELECT {COLUMNS} FROM articles")}


def last_run_stats(db: Path) -> dict:
    return json.loads(rows(db, "SELECT stats FROM runs ORDER BY id DESC LIMIT 1")[0][0])


def archive_records(folder: Path) -> list:
    """(type, target URI, HTTP status, Content-Type, payload or JSON) of every record, read by warcio with every
    digest checked (a mismatch raises)."""
    found = []
    for path in sorted(folder.iterdir()):
        with open(path, "rb") as f:
            for record in ArchiveIterator(f, check_digests="raise"):
                uri = record.rec_headers.get_header("WARC-Target-URI")
                http_headers = record.http_headers if record.rec_type == "response" else None
                payload = record.content_stream().read()
                found.append((record.rec_type, uri, http_headers.get_statuscode() if http_headers else None,
                              http_headers.get_header("Content-Type") if http_headers else None,
                              json.loads(payload) if record.rec_type == "metadata" else payload))
    return found


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """One crawl of the demo site with --warc: its database, its archive and what the server served."""
    tmp = tmp_path_factory.mktemp("archived-crawl")
    with DemoServer() as site:
        sources = tmp / "sources.toml"
        sources.write_text(sources_toml(site.base_url), encoding="utf-8")
        result = cli("crawl", "--sources", str(sources), "--db", str(tmp / "news.db"), "--warc", str(tmp / "archive"),
                     *FAST)
        assert result.returncode == 0, result.stderr[-2000:]
        return {"db": tmp / "news.db", "archive": tmp / "archive", "tmp": tmp, "base": site.base_url,
                "served": set(site.hits)}


def test_every_response_the_crawl_received_is_archived_with_its_request(crawled):
    records = archive_records(crawled["archive"])
    responses = [r for r in records if r[0] == "response"]
    served = {crawled["base"] + path for path in crawled["served"]}
    assert {r[1] for r in responses} == served  # feeds, robots.txt, every article page
    assert Counter(r[0] for r in records)["request"] == len(responses)
    article = next(r for r in responses if r[1].endswith(EXPECTED["seed_path"]))
    assert article[2] == "200" and article[3] == "text/html; charset=utf-8" and "<html" in article[4].decode()
    kinds = Counter(r[4]["kind"] for r in records if r[0] == "metadata")
    assert kinds["article"] == EXPECTED["articles"] and kinds["feed"] == 3
    assert all(p.name.endswith(".warc.gz") for p in crawled["archive"].iterdir())  # closed: no .open left


def test_reextract_into_a_fresh_database_gives_the_articles_the_crawl_stored(crawled):
    fresh = crawled["tmp"] / "fresh.db"
    result = cli("reextract", "--warc", str(crawled["archive"]), "--db", str(fresh), *FAST)
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"{EXPECTED['articles']} articles stored that were not" in result.stdout
    assert articles(fresh) == articles(crawled["db"])


def test_reextract_changes_nothing_then_reports_a_changed_extraction_setting_then_nothing_again(crawled):
    db = crawled["tmp"] / "copy.db"
    shutil.copy(crawled["db"], db)
    before = articles(db)

    unchanged = cli("reextract", "--warc", str(crawled["archive"]), "--db", str(db), "--quiet", *FAST)
    assert unchanged.returncode == 0, unchanged.stderr[-2000:]
    assert unchanged.stdout.strip() == (f"re-extracted {EXPECTED['articles']} stored articles from "
                                        f"{EXPECTED['articles']} archived article pages: nothing changed")
    assert articles(db) == before

    # fragments (truncated pull quotes, standfirsts) are no longer removed: they come back into the bodies
    keep_fragments = ["-s", "DEDUP_MIN_FRAGMENT_CHARS=100000"]
    changed = cli("reextract", "--warc", str(crawled["archive"]), "--db", str(db), "--quiet", *FAST, *keep_fragments)
    assert changed.returncode == 0, changed.stderr[-2000:]
    kept = int(re.search(r"(\d+) newly kept", changed.stdout).group(1))
    fragments = sum(1 for _id, (_row, removed) in before.items() for (text, reason, _dup), n in removed
                    if reason == "fragment")
    assert re.search(r"\d+ bodies changed", changed.stdout) and 0 < kept <= fragments
    after = articles(db)
    assert set(after) == set(before)  # the same ids, updated in place
    ((seed_id, seed_text),) = rows(db, "SELECT id, text FROM articles WHERE url LIKE ?", "%" + EXPECTED["seed_path"])
    assert len(seed_text.split("\n")) > len(before[seed_id][0][8].split("\n"))

    again = cli("reextract", "--warc", str(crawled["archive"]), "--db", str(db), "--quiet", *FAST, *keep_fragments)
    assert again.stdout.strip().endswith("nothing changed") and articles(db) == after


def test_a_crawl_killed_with_kill_9_leaves_archives_every_record_of_which_reads_back(tmp_path):
    with DemoServer(page_delay=0.3) as site:
        sources = tmp_path / "sources.toml"
        sources.write_text(sources_toml(site.base_url), encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        crawl = subprocess.Popen([sys.executable, "-m", "crawler", "crawl", "--sources", str(sources), "--db",
                                  str(tmp_path / "news.db"), "--warc", str(tmp_path / "archive"), *FAST],
                                 cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 start_new_session=True)
        try:
            deadline = time.monotonic() + 90
            while archived_pages(tmp_path / "archive") < 5 and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            os.killpg(crawl.pid, signal.SIGKILL)  # the crawl and its extraction workers, at once
            crawl.wait()
    (left,) = list((tmp_path / "archive").iterdir())
    assert left.name.endswith(".warc.gz.open")  # never closed
    records = archive_records(tmp_path / "archive")  # warcio reads every record; every digest matches
    articles_archived = [r for r in records if r[0] == "response" and r[1].endswith(".html")]
    assert len(articles_archived) >= 5
    with open(left, "rb") as f:
        assert not [item for item in WarcReader(f, str(left)) if isinstance(item, Problem)]
    result = cli("reextract", "--warc", str(tmp_path / "archive"), "--db", str(tmp_path / "fresh.db"), *FAST)
    assert result.returncode == 0, result.stderr[-2000:]
    assert rows(tmp_path / "fresh.db", "SELECT count(*) FROM articles")[0][0] == len(articles_archived)


def archived_pages(folder: Path) -> int:
    """Article responses in a crawl's archive so far, read while it is being written."""
    count = 0
    for path in folder.glob("*.open") if folder.is_dir() else ():
        with open(path, "rb") as f:
            count += sum(1 for item in WarcReader(f, str(path)) if not isinstance(item, Problem)
                         and item.url.endswith(".html"))
    return count


@pytest.fixture
def served(tmp_path):
    """tmp_path served over HTTP on 127.0.0.1 (a threaded http.server, quiet)."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_warc_streams_a_remote_archive_and_stores_exactly_its_arabic_articles_with_copies_marked(tmp_path, served):
    foreign = foreign_pages()
    write_warc(tmp_path / "mixed.warc.gz", demo_pages() + list(foreign.values()))
    listing = tmp_path / "warc.paths"
    listing.write_text(f"{served}/mixed.warc.gz\n", encoding="utf-8")
    db = tmp_path / "news.db"
    result = cli("warc", str(listing), "--db", str(db), *FAST)
    assert result.returncode == 0, result.stderr[-2000:]

    stored = dict(rows(db, "SELECT url, id FROM articles"))
    expected = {demo_url(path) for path in EXPECTED["pages"]} | {foreign["arabic_declared_en"][0]}
    assert set(stored) == expected  # not the English, French or Persian pages, nor English declared "ar"
    duplicates = dict(rows(db, "SELECT url, duplicate_of FROM articles WHERE duplicate_of IS NOT NULL"))
    assert duplicates == {demo_url(copy): stored[demo_url(original)] for original, copy in EXPECTED["cross_outlet_copies"]}
    assert {s for (s,) in rows(db, "SELECT DISTINCT source FROM articles")} == {
        "wadi.example", "sahel.example", "khaleej.example", "sahilnews.example"}
    stats = last_run_stats(db)
    assert stats["warc/pages"] == len(expected) + 1  # English declared "ar" is extracted, then dropped
    assert stats["warc/skipped/not_ar/few_arabic_letters"] == 2
    assert stats["warc/skipped/not_ar/arabic_script_not_arabic"] == 2

    again = cli("warc", str(listing), "--db", str(db), *FAST)  # an interrupted ingest, run again: nothing twice
    assert again.returncode == 0 and "0 new articles" in again.stdout
    assert f"{len(expected)} already stored" in again.stdout


def test_bad_input_is_named_by_file_and_offset_counted_and_the_ingest_goes_on(tmp_path):
    pages = demo_pages()
    db = tmp_path / "news.db"
    assert cli("warc", str(write_warc(tmp_path / "good.warc.gz", pages[:8])), "--db", str(db), *FAST).returncode == 0
    before = articles(db)

    def member(page, kind):
        data = exchange(*page)
        out = []
        while data:
            inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
            out.append(inflater.decompress(data))
            data = inflater.unused_data
        return next(m for m in out if f"WARC-Type: {kind}".encode() in m)

    bad = tmp_path / "bad"
    bad.mkdir()
    last = exchange(*pages[10])
    whole = write_warc(bad / "cut.warc.gz", pages[8:10]).read_bytes()
    (bad / "cut.warc.gz").write_bytes(whole + last[:300])  # a download or a writer stopped inside the last record
    first = exchange(*pages[11])
    response = member(pages[12], "response")
    wrong = re.sub(rb"Content-Length: (\d+)\r\n", lambda m: b"Content-Length: %d\r\n" % (int(m.group(1)) + 500),
                   response, count=1)
    (bad / "length.warc.gz").write_bytes(first + gzip.compress(wrong) + exchange(*pages[13]))
    (bad / "page.warc.gz").write_bytes((FIXTURES / "foreign/fr-article.html").read_bytes())
    before_bomb = exchange(*pages[14])
    (bad / "bomb.warc.gz").write_bytes(before_bomb + gzip_bomb_member(2000) + exchange(*pages[15]))
    (bad / "resource.warc.gz").write_bytes(
        gzip.compress(b"WARC/1.0\r\nWARC-Type: resource\r\nWARC-Target-URI: file:///srv/shot.png\r\n"
                      b"Content-Type: image/png\r\nContent-Length: 8\r\n\r\n\x89PNG\r\n\x1a\n\r\n\r\n")
        + exchange(*pages[16]))
    url, _type, body = pages[-1]  # khaleej-daily's pages are in windows-1256, declared in the page only
    assert b'<meta charset="windows-1256">' in body
    undeclared = body.replace(b'<meta charset="windows-1256">', b"")
    (bad / "charset.warc.gz").write_bytes(exchange(url, "text/html; charset=utf-8", undeclared))

    result = cli("warc", str(bad), "--db", str(db), *FAST)
    assert result.returncode == 0, result.stderr[-2000:]
    log = result.stderr
    assert f"cut.warc.gz: record at offset {len(whole)}: cut short" in log
    assert f"length.warc.gz: record at offset {len(first)}: its Content-Length says" in log
    assert "page.warc.gz: not a WARC file" in log
    assert f"bomb.warc.gz: record at offset {len(before_bomb)}: its gzip member inflates past" in log
    assert "resource.warc.gz: record at offset 0: a resource record (file:///srv/shot.png), not an HTTP response" in log
    assert f"charset.warc.gz: record at offset 0: {url}: declares charset utf-8 but is in cp1256" in log
    stats = last_run_stats(db)
    assert {k: v for k, v in stats.items() if k.startswith("warc/errors/") or k.startswith("warc/charset/")} == {
        "warc/errors/truncated": 1, "warc/errors/wrong_length": 1, "warc/errors/not_warc": 1,
        "warc/errors/decompression_bomb": 1, "warc/errors/not_http_response": 1, "warc/charset/wrong_charset": 1}
    after = articles(db)
    # nothing stored before is lost or changed (a duplicate mark may move: an earlier original came in)
    assert {i: (row[:9], removed) for i, (row, removed) in after.items() if i in before} == {
        i: (row[:9], removed) for i, (row, removed) in before.items()}
    good_pages = [pages[i][0] for i in (8, 9, 11, 13, 14, 15, 16, -1)]
    assert {u for (u,) in rows(db, "SELECT url FROM articles")} >= set(good_pages)
    (text,) = rows(db, "SELECT text FROM articles WHERE url = ?", url)[0]
    assert text == "\n".join(EXPECTED["pages"][url.split("example", 1)[1]]["paragraphs"])  # read as cp1256
