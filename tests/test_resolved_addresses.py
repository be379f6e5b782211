"""Host names that resolve to link-local, loopback and private addresses, in a real crawl (the CLI in a
subprocess). Every name is served by the mock server on 127.0.0.1; tests/mapped_dns.py answers for the names
instead of DNS, and the crawl's own SafeResolver and SafeLinksMiddleware do the rest."""
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_site import GOOD_TITLES, article

from crawler.demo.server import MockServer, Request, Response

ROOT = Path(__file__).resolve().parent.parent
NAMES = {
    "public-news.test": "127.0.0.1",  # a public outlet (its feed is a name, not a local address) ...
    "evil-metadata.test": "169.254.169.254",  # ... linking to names that resolve to the metadata service,
    "evil-loopback.test": "127.0.0.1",  # to this machine (the mock server itself: a request would show in its log)
    "evil-private.test": "10.0.0.7",  # and to a private network
    "intranet.test": "127.0.0.1",  # a name a private source links to
}
FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "EXTRACT_WORKERS=1", "-s", "DOWNLOAD_TIMEOUT=3",
        "-s", "RETRY_TIMES=0"]


def rss(links: list[str]) -> Response:
    items = "".join(f"<item><title>خبر {i}</title><link>{link}</link></item>" for i, link in enumerate(links))
    return Response(200, f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>مصدر</title>'
                         f"{items}</channel></rss>".encode(), "application/rss+xml")


class NamedSite(MockServer):
    """One server for every name: the public outlet's feed and pages, the private source's, robots.txt."""

    def __enter__(self) -> "NamedSite":
        super().__enter__()
        port = self.port
        self.public = f"http://public-news.test:{port}"
        self.route("/robots.txt", Response(200, b"User-agent: *\nDisallow:\n", "text/plain"))
        self.route("/public/feed.xml", rss([
            f"{self.public}/public/good.html",
            f"http://evil-metadata.test:{port}/latest/meta-data/",
            f"http://evil-loopback.test:{port}/admin/a.html",
            f"http://evil-private.test:{port}/router/b.html",
            f"{self.public}/public/to-loopback.html",
            f"{self.public}/public/to-metadata.html",
        ]))
        self.route("/public/to-loopback.html", redirect(f"http://evil-loopback.test:{port}/admin/c.html"))
        self.route("/public/to-metadata.html", redirect(f"http://evil-metadata.test:{port}/latest/user-data/"))
        self.route("/private/feed.xml", rss([
            f"http://intranet.test:{port}/private/one.html",
            f"http://127.0.0.1:{port}/private/two.html",
            f"http://evil-metadata.test:{port}/private/three.html",
        ]))
        for n, path in enumerate(["/public/good.html", "/private/one.html", "/private/two.html"]):
            self.route(path, Response(200, article(n)))
        self.prefix("/", answer_anything)  # what a refused link would have got, had it been fetched
        return self


def redirect(location: str) -> Response:
    return Response(302, b"", headers={"Location": location})


def answer_anything(request: Request) -> Response:
    return Response(200, article(5))


@pytest.fixture(scope="module")
def named_crawl(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("names")
    with NamedSite() as site:
        sources = tmp / "sources.toml"
        sources.write_text(f'[[source]]\nname = "public-news"\nfeeds = ["{site.public}/public/feed.xml"]\n\n'
                           f'[[source]]\nname = "intranet"\nfeeds = ["{site.base_url}/private/feed.xml"]\n',
                           encoding="utf-8")
        db = tmp / "news.db"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        result = subprocess.run(
            [sys.executable, "-m", "crawler", "crawl", "--sources", str(sources), "--db", str(db), *FAST,
             "-s", "TWISTED_DNS_RESOLVER=tests.mapped_dns.MappedResolver", "-s", f"TEST_DNS_MAP={json.dumps(NAMES)}"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
        yield {"result": result, "db": db, "site": site}


def query(db, sql):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_nothing_behind_a_name_that_resolves_to_a_private_address_is_stored(named_crawl):
    result = named_crawl["result"]
    assert result.returncode == 0, result.stderr[-3000:]
    stored = {title for (title,) in query(named_crawl["db"], "SELECT title FROM articles")}
    # the public outlet's own page; the private source's pages, by a name and by its address
    assert stored == {GOOD_TITLES[0], GOOD_TITLES[1], GOOD_TITLES[2]}


def test_each_refusal_is_counted_as_for_a_literal_address(named_crawl):
    ((stats,),) = query(named_crawl["db"], "SELECT stats FROM runs")
    stats = json.loads(stats)
    errors = {k: v for k, v in stats.items() if "/errors/" in k or k.startswith(("errors/", "refused/"))}
    assert errors == {
        # two links to the metadata service's name, one of them a redirect; loopback and private names, one a redirect
        "source/public-news/errors/link_local_address": 2, "source/public-news/errors/private_address": 3,
        # a private source may link to private names, never to the metadata service
        "source/intranet/errors/link_local_address": 1,
        "errors/link_local_address": 3, "errors/private_address": 3,
        "refused/link_local_address": 3, "refused/private_address": 3,
    }, errors


def test_no_request_reached_a_refused_name(named_crawl):
    site = named_crawl["site"]
    # evil-loopback.test resolves to this very server: had a request been sent, its log would show it
    assert site.hosts() == {"public-news.test", "127.0.0.1", "intranet.test"}
    assert site.hits["/admin/a.html"] == site.hits["/admin/c.html"] == 0
    stderr = named_crawl["result"].stderr
    port = site.port
    assert (f"refused http://evil-metadata.test:{port}/latest/meta-data/: link local address "
            f"(evil-metadata.test is 169.254.169.254)") in stderr
    assert f"refused http://evil-private.test:{port}/router/b.html: private address (evil-private.test is 10.0.0.7)" \
        in stderr
    assert "Traceback" not in stderr
