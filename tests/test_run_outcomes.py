"""Exit codes and summaries for the ways a run ends on real sites: a time limit, a page that is gone, a
sitemap archive nested too deep. The real CLI against a loopback site."""
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import AGENCY_STORY, OTHER_STORY

from crawler.demo.server import MockServer, Request, Response

ROOT = Path(__file__).resolve().parent.parent
FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "EXTRACT_WORKERS=1"]


def article(paragraphs: list[str], title: str) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<html lang="ar"><head><meta charset="utf-8"><title>{title}</title></head><body><article>'
            f"<h1>{title}</h1>{body}</article></body></html>").encode("utf-8")


def urlset(*locs: str) -> bytes:
    urls = "".join(f"<url><loc>{u}</loc></url>" for u in locs)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode()


def index(*locs: str) -> bytes:
    maps = "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in locs)
    return (f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{maps}'
            "</sitemapindex>").encode()


def site_routes(server: MockServer) -> None:
    b = server.base_url
    xml = "application/xml"
    server.route("/robots.txt", Response(200, b"User-agent: *\nAllow: /\n", "text/plain"))
    # an archive laid out as index -> yearly index -> monthly sitemap: read in full
    server.route("/archive/index.xml", Response(200, index(f"{b}/archive/2024.xml"), xml))
    server.route("/archive/2024.xml", Response(200, index(f"{b}/archive/2024-05.xml"), xml))
    server.route("/archive/2024-05.xml", Response(200, urlset(f"{b}/news/2024/05/bank-rates"), xml))
    # an index that keeps pointing at another index
    for n in range(4):
        server.route(f"/loop/{n}.xml", Response(200, index(f"{b}/loop/{n + 1}.xml"), xml))
    server.route("/loop/4.xml", Response(200, urlset(f"{b}/news/2024/05/book-fair"), xml))
    server.route("/news/2024/05/bank-rates", Response(200, article(AGENCY_STORY, "البنك المركزي يرفع الفائدة")))
    server.route("/news/2024/05/book-fair", Response(200, article(OTHER_STORY, "معرض الكتاب يفتح أبوابه")))
    items = "".join(f"<item><title>خبر</title><link>{b}/slow/{n}.html</link></item>" for n in range(3))
    server.route("/slow/feed.xml", Response(200, f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
                                                 .encode(), "application/rss+xml"))

    def slow(_request: Request) -> Response:  # answers after the run's time limit, or when the server stops
        server.stopping.wait(4)
        return Response(200, article(AGENCY_STORY, "خبر بطيء"))

    server.prefix("/slow/", slow)


@pytest.fixture(scope="module")
def site():
    with MockServer() as server:
        site_routes(server)
        server.base = server.base_url
        yield server


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=180)


def last_run(db: Path) -> tuple[str, dict]:
    conn = sqlite3.connect(db)
    try:
        outcome, stats = conn.execute("SELECT outcome, stats FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        return outcome, json.loads(stats)
    finally:
        conn.close()


def sources(tmp_path: Path, **lists: str) -> Path:
    path = tmp_path / "sources.toml"
    lines = ["[[source]]", 'name = "archive"'] + [f'{k} = ["{v}"]' for k, v in lists.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_three_level_sitemap_archive_is_read_and_a_deeper_chain_is_cut_with_a_count(site, tmp_path):
    db = tmp_path / "news.db"
    src = tmp_path / "sources.toml"
    src.write_text(f'[[source]]\nname = "archive"\nsitemaps = ["{site.base}/archive/index.xml", '
                   f'"{site.base}/loop/0.xml"]\n', encoding="utf-8")
    result = cli("crawl", "--sources", str(src), "--db", str(db), *FAST)
    assert result.returncode == 0, result.stderr[-2000:]
    assert site.hits["/news/2024/05/bank-rates"] == 1
    assert site.hits["/loop/3.xml"] == 1 and site.hits["/loop/4.xml"] == 0
    outcome, stats = last_run(db)
    assert stats["source/archive/entries_skipped/sitemap_too_deep"] == 1
    assert "nested 4 deep" in result.stderr


def test_a_time_limit_ends_the_run_as_completed_with_exit_0(site, tmp_path):
    db = tmp_path / "news.db"
    src = sources(tmp_path, feeds=f"{site.base}/slow/feed.xml")
    result = cli("crawl", "--sources", str(src), "--db", str(db), *FAST, "-s", "CLOSESPIDER_TIMEOUT=1")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "stopped at CLOSESPIDER_TIMEOUT" in result.stdout
    assert last_run(db)[0] == "completed"


def test_scraping_a_page_that_is_gone_is_a_failed_item_not_a_failed_run(site, tmp_path):
    db = tmp_path / "news.db"
    result = cli("scrape", f"{site.base}/news/2024/05/removed-story", "--db", str(db), *FAST)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "0 new articles" in result.stdout and "1 items failed" in result.stdout
    assert "http_404 1" in result.stdout
    unreachable = cli("scrape", "http://127.0.0.1:9/news/1.html", "--db", str(db), *FAST)
    assert unreachable.returncode == 1


def test_a_large_sitemap_within_the_protocols_limit_is_read_without_a_size_warning(site, tmp_path):
    padding = "<!-- " + "x" * (4 * 1024 * 1024) + " -->"  # 4 MB: over DOWNLOAD_WARNSIZE, under 50 MB
    body = urlset(f"{site.base}/news/2024/05/bank-rates").replace(b"</urlset>", padding.encode() + b"</urlset>")
    site.route("/big-sitemap.xml", Response(200, body, "application/xml"))
    db = tmp_path / "news.db"
    src = sources(tmp_path, sitemaps=f"{site.base}/big-sitemap.xml")
    result = cli("crawl", "--sources", str(src), "--db", str(db), *FAST)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "warn size" not in result.stderr and "1 new article" in result.stdout


def children_of(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc (Linux)")
def test_a_crawl_killed_with_kill_9_takes_its_extraction_workers_with_it(tmp_path):
    import signal
    import time

    from crawler.demo import DemoServer, sources_toml

    with DemoServer(page_delay=0.5) as demo:
        src = tmp_path / "sources.toml"
        src.write_text(sources_toml(demo.base_url), encoding="utf-8")
        crawl = subprocess.Popen([sys.executable, "-m", "crawler", "crawl", "--sources", str(src), "--db",
                                  str(tmp_path / "news.db"), "--no-warc", "-s", "AUTOTHROTTLE_ENABLED=0",
                                  "-s", "DOWNLOAD_DELAY=0", "-s", "EXTRACT_WORKERS=2"], cwd=ROOT,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        workers: set[int] = set()
        deadline = time.monotonic() + 60
        while len(workers) < 2 and time.monotonic() < deadline:  # both workers started (the pool warms them up)
            time.sleep(0.1)
            workers = {p for p in children_of(crawl.pid)
                       if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()}  # not the resource tracker
        assert len(workers) == 2
        crawl.send_signal(signal.SIGKILL)  # the crawl alone, not its process group
        crawl.wait()
        deadline = time.monotonic() + 15
        while workers and time.monotonic() < deadline:
            time.sleep(0.1)
            workers = {p for p in workers if Path(f"/proc/{p}").exists()
                       and Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"}
        assert not workers, f"extraction workers left running: {sorted(workers)}"
