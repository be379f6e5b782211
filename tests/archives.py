"""WARC files for the tests, written with warcio (the reference library, not the one the crawler writes with),
in Common Crawl's shape: WARC/1.0, a gzip member per record, request + response pairs, payload digests; and
the damaged files real archives hold."""
from __future__ import annotations

import io
import zlib
from pathlib import Path
from typing import Iterable

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.demo import EXPECTED, build_site
from crawler.demo.site import OUTLETS

FIXTURES = Path(__file__).resolve().parent / "fixtures"
Page = tuple[str, str, bytes]  # url, Content-Type, body


def exchange(url: str, content_type: str, body: bytes, *, gzipped: bool = True, status: str = "200 OK",
             headers: Iterable[tuple[str, str]] = (), warc_headers: dict | None = None) -> bytes:
    """A request + response pair as Common Crawl writes it (a gzip member per record when gzipped)."""
    buffer = io.BytesIO()
    out = WARCWriter(buffer, gzip=gzipped, warc_version="1.0")
    http = StatusAndHeaders(status, [("Content-Type", content_type), ("Content-Length", str(len(body))), *headers],
                            protocol="HTTP/1.1")
    response = out.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http,
                                      warc_headers_dict=warc_headers or {})
    request = out.create_warc_record(url, "request", payload=io.BytesIO(b""), http_headers=StatusAndHeaders(
        "GET /" + url.split("/", 3)[-1] + " HTTP/1.1", [("User-Agent", "CCBot/2.0"), ("Host", url.split("/")[2])],
        is_http_request=True))
    out.write_request_response_pair(request, response)
    return buffer.getvalue()


def write_warc(path: Path, pages: Iterable[Page], gzipped: bool = True) -> Path:
    """A WARC of these pages: a warcinfo record, then a request + response pair a page."""
    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=gzipped, warc_version="1.0")
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "tests/archives.py",
                                                                      "format": "WARC File Format 1.0"}))
        for url, content_type, body in pages:
            f.write(exchange(url, content_type, body, gzipped=gzipped))
    return path


def demo_pages() -> list[Page]:
    """The demo site's article pages, each outlet on its own host (the source name comes from the host)."""
    pages = []
    for name, outlet in OUTLETS.items():
        base = f"https://{outlet['host']}"
        site = build_site(base)
        for path in EXPECTED["pages"]:
            if path.startswith(outlet["prefix"] + "/"):
                content_type, body = site[path]
                pages.append((base + path, content_type, body))
    return pages


def demo_url(path: str) -> str:
    outlet = next(o for o in OUTLETS.values() if path.startswith(o["prefix"] + "/"))
    return f"https://{outlet['host']}{path}"


def foreign_pages() -> dict[str, Page]:
    """Pages that are not Arabic, and Arabic pages that do not look it, by what the ingest must do with them."""
    english = (FIXTURES / "foreign/en-wordpress.html").read_bytes()
    arabic_wp = (FIXTURES / "layouts/wordpress-byline-date.html").read_bytes()
    persian = (FIXTURES / "foreign/fa-article.html").read_bytes()
    return {
        "english": ("https://harbourgazette.example/2024/03/12/council-approves-tram-line/", "text/html; charset=UTF-8",
                    english),
        "french": ("https://courrierdumidi.example/economie/article/2024/05/02/secheresse-aide-urgence_128812.html",
                   "text/html; charset=utf-8", (FIXTURES / "foreign/fr-article.html").read_bytes()),
        "persian": ("https://khabar-nemune.example/fa/news/2024/05/bread-price", "text/html; charset=utf-8", persian),
        # the same with no language declared: its own letters (ی ک پ گ) tell
        "persian_undeclared": ("https://khabar-nemune.example/fa/news/2024/05/bread-price-2", "text/html",
                               persian.replace(b' lang="fa"', b"").replace(b'<meta property="og:locale" content="fa_IR">',
                                                                          b"")),
        # an Arab site's English edition, its template still saying lang="ar"
        "english_declared_ar": ("https://sahilnews.example/en/2024/03/12/tram-line/", "text/html; charset=UTF-8",
                                english.replace(b'<html lang="en-US">', b'<html lang="ar" dir="rtl">')),
        # WordPress's default locale on an Arabic site: lang="en-US", the text Arabic
        "arabic_declared_en": ("https://sahilnews.example/2024/03/fishermen/", "text/html; charset=UTF-8",
                               arabic_wp.replace(b'lang="ar"', b'lang="en-US"').replace(b"ar_AR", b"en_US")),
    }


def gzip_bomb_member(inflated_mb: int = 2000) -> bytes:
    """A gzip member that starts like a record and inflates to `inflated_mb` MB of zeros (its compressed size
    about a thousandth of that): full-flush blocks repeated, so it is built in milliseconds."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    head = compressor.compress(b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://bomb.example/\r\n"
                               b"Content-Length: 99\r\n\r\nHTTP/1.1 200 OK\r\n\r\n") + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(b"\0" * 1_000_000) + compressor.flush(zlib.Z_FULL_FLUSH)
    return head + block * inflated_mb + compressor.flush()
