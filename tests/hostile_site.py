"""A local site that misbehaves in every way a real one does, next to a few good articles."""
from __future__ import annotations

import gzip
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from conftest import AGENCY_STORY, OTHER_STORY

GOOD_TITLES = ["البنك المركزي يرفع الفائدة", "معرض الكتاب يفتح أبوابه", "افتتاح الخط الثاني للمترو",
               "موجة حر تضرب البلاد", "ارتفاع صادرات التمور", "حملة تطعيم ضد الحصبة"]
BODIES = [AGENCY_STORY, OTHER_STORY, AGENCY_STORY[:1] + OTHER_STORY[1:], OTHER_STORY[:1] + AGENCY_STORY[2:],
          [AGENCY_STORY[2], OTHER_STORY[2], AGENCY_STORY[4]], [OTHER_STORY[1], AGENCY_STORY[3]]]


def article(n: int, charset: str = "utf-8") -> bytes:
    paragraphs = "".join(f"<p>{p}</p>" for p in BODIES[n])
    return (f'<html lang="ar"><head><meta charset="{charset}"><title>{GOOD_TITLES[n]}</title></head><body>'
            f'<nav><a href="/">الرئيسية</a></nav><article><h1>{GOOD_TITLES[n]}</h1>{paragraphs}</article>'
            f"<footer>جميع الحقوق محفوظة</footer></body></html>").encode(charset)


class HostileHandler(BaseHTTPRequestHandler):
    hits: Counter
    base: str
    retry_after_served: set

    def log_message(self, *args) -> None:
        pass

    def send(self, status: int, body: bytes = b"", content_type: str = "text/html; charset=utf-8", **headers) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k.replace("_", "-"), v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802
        path = self.path.split("?")[0]
        self.hits[path] += 1
        b = self.base
        if path == "/robots.txt":
            return self.send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        if path == "/feed.xml":
            links = ["/good/0.html", "good/1.html", "/good/1.html", "/404.html", "/500.html", "/503.html",
                     "/slow.html", "/loop/a.html", "/huge.html", "/doc.pdf", "/image.jpg", "/invalid-utf8.html",
                     "/empty.html", "/nobody.html", "/bomb.html", "/private/secret.html", "/windows-1256.html",
                     "/to-metadata.html", "/to-file.html"]
            items = "".join(f"<item><title>خبر {i}</title><link>{l if l.startswith('good') else b + l}</link></item>"
                            for i, l in enumerate(links))
            items += ("<item><title>بلا رابط</title></item><item><title>ملف</title><link>file:///etc/passwd</link></item>"
                      "<item><title>بيانات</title><link>http://169.254.169.254/latest/meta-data/</link></item>"
                      "<item><title>سكربت</title><link>javascript:alert(1)</link></item>")
            return self.send(200, f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                                  f"<title>مصدر</title>{items}</channel></rss>".encode(), "application/rss+xml")
        if path == "/bad-feed.xml":
            return self.send(200, b'<?xml version="1.0"?><rss><channel><item><title>\xd8\xae\xd8\xa8', "text/xml")
        if path == "/html-feed.xml":
            return self.send(200, "<!DOCTYPE html><html><body><p>الصفحة الرئيسية</p></body></html>".encode())
        if path == "/empty-feed.xml":
            return self.send(200, b"", "application/rss+xml")
        if path.startswith("/good/"):
            return self.send(200, article(int(path[6])))
        if path == "/503.html":
            if path in self.retry_after_served:
                return self.send(200, article(2))
            self.retry_after_served.add(path)
            return self.send(503, b"busy", Retry_After="1")
        if path == "/500.html":
            return self.send(500, b"error")
        if path == "/slow.html":
            time.sleep(20)
            return self.send(200, article(3))
        if path == "/to-metadata.html":  # a redirect is a second chance at the metadata service
            return self.send(302, b"", Location="http://169.254.169.254/latest/meta-data/")
        if path == "/to-file.html":
            return self.send(302, b"", Location="file:///etc/passwd")
        if path == "/loop/a.html":
            return self.send(302, b"", Location=b + "/loop/b.html")
        if path == "/loop/b.html":
            return self.send(302, b"", Location=b + "/loop/a.html")
        if path == "/huge.html":
            return self.send(200, b"<html><body>" + b"<p>" + "حشو ".encode() * 2_600_000 + b"</p></body></html>")
        if path == "/doc.pdf":
            return self.send(200, b"%PDF-1.4\n" + b"\x00\x01binary" * 1000, "text/html")
        if path == "/image.jpg":
            return self.send(200, b"\xff\xd8\xff\xe0" + b"\x00" * 5000, "image/jpeg")
        if path == "/invalid-utf8.html":
            body = article(4)
            cut = body.index(b"<p>") + 40
            return self.send(200, body[:cut] + b"\xff\xfe" + body[cut:])
        if path == "/windows-1256.html":  # declared only in the page, the header says nothing
            return self.send(200, article(5, "windows-1256"), "text/html")
        if path == "/empty.html":
            return self.send(200, b"")
        if path == "/nobody.html":
            return self.send(200, "<html><body><nav><a href='/'>الرئيسية</a></nav></body></html>".encode())
        if path == "/bomb.html":
            return self.send(200, gzip.compress(b"<html>" + b" " * (200 * 1024 * 1024), compresslevel=9),
                             Content_Encoding="gzip")
        return self.send(404, b"not found")


class HostileSite:
    def __enter__(self) -> "HostileSite":
        self.hits: Counter = Counter()
        handler = type("Handler", (HostileHandler,), {"hits": self.hits, "retry_after_served": set(), "base": ""})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        handler.base = self.base_url
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def sources_toml(self) -> str:
        b = self.base_url
        return (f'[[source]]\nname = "hostile"\nfeeds = ["{b}/feed.xml"]\n\n'
                f'[[source]]\nname = "broken-feeds"\nfeeds = ["{b}/bad-feed.xml", "{b}/html-feed.xml", '
                f'"{b}/empty-feed.xml", "{b}/missing-feed.xml"]\n')
