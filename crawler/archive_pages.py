"""Which archived responses go through the crawl's extraction: the article pages of WARC inputs.

`ArchivePages` reads the inputs one after the other (crawler.warc_reader) and yields each page to extract,
and a Problem for each input or record that cannot be used; everything else it skips is counted by reason.
It runs in the WARC spider's reader thread, never on the reactor: reading, inflating and the language
decision are CPU work.

Two selections: `warc` ingests any WARC and keeps the HTML pages whose language is the one asked for
(crawler.page_language decides cheaply, before extraction); `reextract` keeps the article pages the crawl
archived itself (its metadata record says which responses were articles, and what the feed said of them).
"""
from __future__ import annotations

import codecs
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterator
from urllib.parse import urlsplit

from crawler.encoding import decode_body
from crawler.feeds import looks_like_feed
from crawler.page_language import LanguageVerdict, arabic_page, declared_charsets
from crawler.urls import is_http_url
from crawler.warc_inputs import CountingStream, WarcInput, open_input
from crawler.warc_reader import BodyError, HttpResponse, NotWarc, Problem, WarcReader, decoded_body

LOGGER = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")
# a page read in another charset than it declares: said and counted, extracted all the same
CHARSET_NOTES = ("wrong_charset", "undeclared_charset")
# response headers the reader has undone: the page is handed on decoded
_UNDONE = ("content-encoding", "transfer-encoding", "content-length")


@dataclass
class ArchivedPage:
    """An archived HTML response to extract, and what the archive says about it."""

    url: str
    status: int
    headers: list[tuple[str, str]]  # as archived, less the encodings undone
    body: bytes  # content encoding undone
    content_type: str  # with the charset the page is in, when it declares another or none
    fetched_at: str  # WARC-Date
    source: str
    location: str  # the input it came from
    offset: int
    language: str = ""  # the source's configured language (a hint for the extraction), from the crawl's metadata
    link: str = ""  # the URL the feed gave, when the crawl was redirected from it
    entry: dict[str, Any] = field(default_factory=dict)  # what the feed said: title, published, summary, author


class ArchivePages:
    """The pages to extract from WARC inputs, in input order; see the module's docstring."""

    def __init__(self, inputs: list[WarcInput], *, language: str | None = "ar", source: str = "",
                 own_articles_only: bool = False, limit: int = 10 * 1024 * 1024, user_agent: str = "") -> None:
        self.inputs = inputs
        self.language = language  # None: any language
        self.source = source
        self.own_articles_only = own_articles_only
        self.limit = limit
        self.user_agent = user_agent
        self.counts: Counter = Counter()  # written by the reader thread only
        self.language_seconds = 0.0
        self.stream: CountingStream | None = None  # the input being read, for progress
        self.current = ""

    def __iter__(self) -> Iterator[ArchivedPage | Problem]:
        for source in self.inputs:
            self.current = str(source)
            try:
                self.stream = open_input(source, self.user_agent)
            except OSError as exc:
                self.counts["inputs_failed"] += 1
                yield Problem(str(source), None, "unreadable", f"cannot be read: {exc}")
                continue
            reader = WarcReader(self.stream, str(source), self.limit, self.counts)  # counts as it reads
            try:
                for item in reader:
                    yield from [item] if isinstance(item, Problem) else self._select(item)
            except NotWarc as exc:
                self.counts["inputs_failed"] += 1
                yield Problem(str(source), None, "not_warc", str(exc))
                continue
            except (OSError, EOFError) as exc:  # a stream that broke off (the network), a file that vanished
                yield Problem(str(source), None, "read_error",
                              f"reading stopped after {self.stream.consumed} bytes: {exc or type(exc).__name__}")
            except Exception as exc:  # input nobody foresaw must not end the whole ingest: said, and on
                LOGGER.exception("reading %s failed unexpectedly", source)
                yield Problem(str(source), None, "read_error",
                              f"reading stopped after {self.stream.consumed} bytes: {type(exc).__name__}: {exc}")
            finally:
                self.stream.close()
            self.counts["inputs_read"] += 1

    def _select(self, response: HttpResponse) -> Iterator[ArchivedPage | Problem]:
        self.counts["responses"] += 1
        meta = response.metadata or {}
        kind = meta.get("kind")
        reason = self._skip_reason(response, kind)
        if reason:
            self.counts[f"skipped/{reason}"] += 1
            return

        def problem(reason: str, message: str) -> Problem:
            return Problem(response.path, response.offset, reason, f"{response.url}: {message}")

        try:
            body = decoded_body(response.payload, response.header("content-encoding"), self.limit)
        except BodyError as exc:
            yield problem(exc.reason, str(exc))
            return
        content_type = response.content_type
        if content_type.split(";")[0].strip().lower() in ("", "text/plain") and not _looks_like_html(body):
            self.counts["skipped/not_html"] += 1
            return
        if kind != "article" and looks_like_feed(body, content_type):
            self.counts["skipped/feed"] += 1
            return
        note = None
        if self.language is not None:
            start = time.perf_counter()
            verdict = arabic_page(body, content_type, response.header("content-language"),
                                  response.identified_languages)
            self.language_seconds += time.perf_counter() - start
            if not verdict.keep:
                self.counts[f"skipped/not_{self.language}/{verdict.reason}"] += 1
                return
            content_type, note = _charset(body, content_type, verdict)
        if not response.digest_matches():
            yield problem("bad_digest", "its payload does not match its WARC-Payload-Digest (a damaged record): "
                                        "skipped")
            return
        if note:
            yield problem(*note)
        self.counts["pages"] += 1
        entry = meta.get("entry") or {}
        yield ArchivedPage(
            url=response.url, status=response.status,
            headers=[(k, v) for k, v in response.headers if k.lower() not in _UNDONE],
            body=body, content_type=content_type, fetched_at=response.date,
            source=self.source or meta.get("source") or _host(response.url),
            location=response.path, offset=response.offset, language=meta.get("language") or "",
            link=meta.get("link") or "", entry=entry if isinstance(entry, dict) else {},
        )

    def _skip_reason(self, response: HttpResponse, kind: str | None) -> str:
        if self.own_articles_only and kind not in ("article", "page"):
            return "not_an_article"  # feeds, sitemaps, section pages, robots.txt; other crawlers' records
        if kind in ("feed", "sitemap", "section"):
            return "not_an_article"
        if not 200 <= response.status < 300:
            return f"status_{response.status}"
        if not is_http_url(response.url):
            return "not_http_url"
        media = response.content_type.split(";")[0].strip().lower()
        if media not in HTML_TYPES and media not in ("", "text/plain"):
            return "not_html"
        return ""  # untyped and text/plain pages are sniffed once their Content-Encoding is undone


def _charset(body: bytes, content_type: str, verdict: LanguageVerdict) -> tuple[str, tuple[str, str] | None]:
    """The page's content type naming the charset it is really in, and a note when the header and the page
    name another or none (crawler.encoding scores the candidates on the Arabic text they produce)."""
    used = codecs.lookup(verdict.encoding or decode_body(body, content_type)[1]).name
    declared = declared_charsets(body, content_type)
    if used in declared or not declared and used == "utf-8":
        return content_type, None
    media = content_type.split(";")[0].strip() or "text/html"
    if not declared:
        return f"{media}; charset={used}", ("undeclared_charset", f"declares no charset; read as {used}")
    return f"{media}; charset={used}", ("wrong_charset", f"declares charset {' / '.join(declared)} but is in {used}; "
                                                          f"read as {used}")


def _looks_like_html(payload: bytes) -> bool:
    head = payload[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def _host(url: str) -> str:
    """A source name for a page with no other: its host without "www." (as `scrape` names its sources)."""
    return (urlsplit(url).hostname or "archive").removeprefix("www.")
