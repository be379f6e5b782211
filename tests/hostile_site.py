"""A local site that misbehaves in every way a real one does, next to a few good articles: the routes of
the project's mock server (crawler/demo/server.py) that tests/test_hostile_input.py crawls."""
from __future__ import annotations

import functools
import gzip

from conftest import AGENCY_STORY, OTHER_STORY

from crawler.demo.server import MockServer, Request, Response

GOOD_TITLES = ["البنك المركزي يرفع الفائدة", "معرض الكتاب يفتح أبوابه", "افتتاح الخط الثاني للمترو",
               "موجة حر تضرب البلاد", "ارتفاع صادرات التمور", "حملة تطعيم ضد الحصبة"]
BODIES = [AGENCY_STORY, OTHER_STORY, AGENCY_STORY[:1] + OTHER_STORY[1:], OTHER_STORY[:1] + AGENCY_STORY[2:],
          [AGENCY_STORY[2], OTHER_STORY[2], AGENCY_STORY[4]], [OTHER_STORY[1], AGENCY_STORY[3]]]
FEED_LINKS = ["/good/0.html", "good/1.html", "/good/1.html", "/404.html", "/500.html", "/503.html", "/slow.html",
              "/loop/a.html", "/huge.html", "/doc.pdf", "/image.jpg", "/invalid-utf8.html", "/empty.html",
              "/nobody.html", "/bomb.html", "/private/secret.html", "/windows-1256.html", "/to-metadata.html",
              "/to-file.html"]
SLOW_SECONDS = 20  # past the crawl's DOWNLOAD_TIMEOUT; the wait ends early when the server stops


def article(n: int, charset: str = "utf-8") -> bytes:
    paragraphs = "".join(f"<p>{p}</p>" for p in BODIES[n])
    return (f'<html lang="ar"><head><meta charset="{charset}"><title>{GOOD_TITLES[n]}</title></head><body>'
            f'<nav><a href="/">الرئيسية</a></nav><article><h1>{GOOD_TITLES[n]}</h1>{paragraphs}</article>'
            f"<footer>جميع الحقوق محفوظة</footer></body></html>").encode(charset)


def _feed(request: Request) -> Response:
    base = request.server.base_url
    items = "".join(f"<item><title>خبر {i}</title><link>{link if link.startswith('good') else base + link}</link></item>"
                    for i, link in enumerate(FEED_LINKS))
    items += ("<item><title>بلا رابط</title></item><item><title>ملف</title><link>file:///etc/passwd</link></item>"
              "<item><title>بيانات</title><link>http://169.254.169.254/latest/meta-data/</link></item>"
              "<item><title>سكربت</title><link>javascript:alert(1)</link></item>")
    return Response(200, f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                         f"<title>مصدر</title>{items}</channel></rss>".encode(), "application/rss+xml")


def _slow(request: Request) -> Response:
    request.server.stopping.wait(SLOW_SECONDS)
    return Response(200, article(3))


def _invalid_utf8(_request: Request) -> Response:
    body = article(4)
    cut = body.index(b"<p>") + 40
    return Response(200, body[:cut] + b"\xff\xfe" + body[cut:])


def _redirect(location: str) -> Response:
    return Response(302, b"", headers={"Location": location})


@functools.cache
def _gzip_bomb() -> bytes:
    """200 MB of spaces in about 200 KB, compressed once (when the site starts)."""
    return gzip.compress(b"<html>" + b" " * (200 * 1024 * 1024), compresslevel=9)

class HostileSite(MockServer):
    """`with HostileSite() as site:` the hostile routes on 127.0.0.1; site.hits counts the paths requested."""

    def __init__(self) -> None:
        super().__init__(name="HostileNews/1.0")
        self._busy_once: set[str] = set()
        self.route("/robots.txt", Response(200, b"User-agent: *\nDisallow: /private/\n", "text/plain"))
        self.route("/feed.xml", _feed)
        self.route("/bad-feed.xml", Response(200, b'<?xml version="1.0"?><rss><channel><item><title>\xd8\xae\xd8\xa8',
                                             "text/xml"))
        self.route("/html-feed.xml",
                   Response(200, "<!DOCTYPE html><html><body><p>الصفحة الرئيسية</p></body></html>".encode()))
        self.route("/empty-feed.xml", Response(200, b"", "application/rss+xml"))
        self.prefix("/good/", lambda request: Response(200, article(int(request.path[6]))))
        self.route("/503.html", self._busy_then_good)
        self.route("/500.html", Response(500, b"error"))
        self.route("/slow.html", _slow)
        # a redirect is a second chance at the metadata service
        self.route("/to-metadata.html", _redirect("http://169.254.169.254/latest/meta-data/"))
        self.route("/to-file.html", _redirect("file:///etc/passwd"))
        self.route("/loop/a.html", lambda request: _redirect(request.server.base_url + "/loop/b.html"))
        self.route("/loop/b.html", lambda request: _redirect(request.server.base_url + "/loop/a.html"))
        # built once: made per request, under load they took longer than the test's DOWNLOAD_TIMEOUT to start
        # answering, and were counted as timeouts instead of what they are
        self.route("/huge.html", Response(200, b"<html><body><p>" + "حشو ".encode() * 2_600_000 + b"</p></body></html>"))
        self.route("/doc.pdf", Response(200, b"%PDF-1.4\n" + b"\x00\x01binary" * 1000, "text/html"))
        self.route("/image.jpg", Response(200, b"\xff\xd8\xff\xe0" + b"\x00" * 5000, "image/jpeg"))
        self.route("/invalid-utf8.html", _invalid_utf8)
        # declared only in the page, the header says nothing
        self.route("/windows-1256.html", Response(200, article(5, "windows-1256"), "text/html"))
        self.route("/empty.html", Response(200, b""))
        self.route("/nobody.html", Response(200, "<html><body><nav><a href='/'>الرئيسية</a></nav></body></html>".encode()))
        self.route("/bomb.html", Response(200, _gzip_bomb(), headers={"Content-Encoding": "gzip"}))

    def _busy_then_good(self, request: Request) -> Response:
        if request.path in self._busy_once:
            return Response(200, article(2))
        self._busy_once.add(request.path)
        return Response(503, b"busy", headers={"Retry-After": "1"})

    def sources_toml(self) -> str:
        b = self.base_url
        return (f'[[source]]\nname = "hostile"\nfeeds = ["{b}/feed.xml"]\n\n'
                f'[[source]]\nname = "broken-feeds"\nfeeds = ["{b}/bad-feed.xml", "{b}/html-feed.xml", '
                f'"{b}/empty-feed.xml", "{b}/missing-feed.xml"]\n')
