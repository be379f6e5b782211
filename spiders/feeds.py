"""The feeds spider: feeds and news sitemaps of the configured sources -> article pages -> items."""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import Any, AsyncIterator, Iterable
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import (CannotResolveHostError, DownloadConnectionRefusedError, DownloadTimeoutError,
                               ResponseDataLossError)
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TimeoutError, TCPTimedOutError
from twisted.python.failure import Failure

from crawler.extensions import store_of
from crawler.feeds import FeedEntry, ParsedFeed, looks_like_feed, parse_feed, parse_sitemap
from crawler.middlewares import RefusedLink, refusal_reason
from crawler.record import Article
from crawler.sources import Source, load_sources, select_sources
from crawler.urls import address_class, canonical_url

LOGGER = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "")
MAX_SITEMAP_DEPTH = 2


class FeedSpider(scrapy.Spider):
    name = "feeds"
    custom_settings: dict[str, Any] = {}

    def __init__(self, sources_file: str | None = None, source: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sources_file = sources_file
        self.source_names = [s for s in (source or "").split(",") if s]
        self.sources: list[Source] = []

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> "FeedSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.sources_file = spider.sources_file or crawler.settings.get("CRAWLER_SOURCES")
        spider.refetch = crawler.settings.getbool("CRAWLER_REFETCH")
        spider.sources = select_sources(load_sources(spider.sources_file), spider.source_names)
        spider.local_hosts = {
            urlsplit(u).netloc for s in spider.sources for u in (*s.feeds, *s.sitemaps, *s.pages)
            if address_class(u) in ("loopback", "private")
        }
        return spider

    # ------------------------------------------------------------------ start

    async def start(self) -> AsyncIterator[Any]:
        for source in self.sources:
            for url in source.feeds:
                yield await self.feed_request(url, source.name, "feed")
            for url in source.sitemaps:
                yield await self.feed_request(url, source.name, "sitemap")

    async def feed_request(self, url: str, source: str, kind: str, depth: int = 0) -> scrapy.Request:
        """A conditional GET: a feed that has not changed since the last run answers 304 and costs nothing."""
        ext = store_of(self.crawler)
        etag, last_modified = await ext.run(ext.store.feed_state, url)
        headers = {}
        if etag and not self.refetch:
            headers["If-None-Match"] = etag
        if last_modified and not self.refetch:
            headers["If-Modified-Since"] = last_modified
        self.crawler.stats.inc_value("feeds/requested")
        return scrapy.Request(
            url,
            callback=self.parse_feed,
            errback=self.on_error,
            headers=headers,
            dont_filter=True,
            meta={
                "source": source,
                "kind": kind,
                "depth_sitemap": depth,
                "feed_url": url,
                # a source whose own feed is on a local address may link to local pages (the demo, tests)
                "allow_private": address_class(url) in ("loopback", "private"),
                "handle_httpstatus_list": [304],
            },
        )

    # ------------------------------------------------------------------ feeds

    async def parse_feed(self, response: Response) -> AsyncIterator[Any]:
        source, kind = response.meta["source"], response.meta["kind"]
        stats = self.crawler.stats
        stats.inc_value("feeds/reached")
        if response.status == 304:
            stats.inc_value(f"source/{source}/feeds_not_modified")
            return
        stats.inc_value(f"source/{source}/feeds_fetched")
        headers = {k.decode("latin-1").lower(): v[0].decode("latin-1") for k, v in response.headers.items() if v}
        parser = parse_sitemap if kind == "sitemap" else parse_feed
        loop = asyncio.get_running_loop()
        parsed: ParsedFeed = await loop.run_in_executor(None, parser, response.body, response.url, headers)
        if parsed.error:
            self.count_error(source, "not_a_feed" if "not a feed" in parsed.error else "bad_feed")
            LOGGER.warning("%s %s (%s): %s", kind, response.url, source, parsed.error)
            return
        if parsed.warning:
            self.count_error(source, "malformed_feed")
            LOGGER.warning("%s %s (%s): %s", kind, response.url, source, parsed.warning)
        if parsed.kind == "sitemap_index":
            depth = response.meta.get("depth_sitemap", 0)
            for entry in parsed.entries if depth < MAX_SITEMAP_DEPTH else []:
                yield await self.feed_request(entry.url, source, "sitemap", depth + 1)
            return
        for reason, count in parsed.skipped.items():
            stats.inc_value(f"source/{source}/entries_skipped/{reason}", count)
        async for request in self.article_requests(parsed.entries, source, response):
            yield request
        ext = store_of(self.crawler)
        await ext.run(ext.store.set_feed_state, response.meta["feed_url"], headers.get("etag"),
                      headers.get("last-modified"))

    async def article_requests(
        self, entries: Iterable[FeedEntry], source: str, response: Response
    ) -> AsyncIterator[scrapy.Request]:
        entries = list(entries)
        stats = self.crawler.stats
        stats.inc_value(f"source/{source}/entries_seen", len(entries))
        urls = [canonical_url(e.url) for e in entries]
        known: set[str] = set()
        if not self.refetch:
            ext = store_of(self.crawler)
            known = await ext.run(ext.store.known_urls, urls)
        stats.inc_value(f"source/{source}/already_stored", sum(u in known for u in urls))
        allow_private = response.meta.get("allow_private", False)
        for entry, url in zip(entries, urls):
            if url in known:
                continue
            reason = refusal_reason(url, allow_private)
            if reason:  # counted here, with the source, rather than as a failed download
                self.count_error(source, reason)
                LOGGER.warning("%s: refused entry link %s: %s", source, url, reason.replace("_", " "))
                continue
            yield scrapy.Request(
                url,
                callback=self.parse_article,
                errback=self.on_error,
                meta={"source": source, "entry": entry, "allow_private": allow_private, "link": url},
            )

    # ------------------------------------------------------------------ articles

    def parse_article(self, response: Response) -> Iterable[Article]:
        source = response.meta["source"]
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        media_type = content_type.split(";")[0].strip().lower()
        if media_type not in HTML_TYPES or _binary(response.body):
            self.count_error(source, "not_html")
            LOGGER.warning("%s: %s is %s, not an article page", source, response.url, media_type or "binary")
            return
        if not response.body.strip():
            self.count_error(source, "empty_page")
            LOGGER.warning("%s: %s is empty", source, response.url)
            return
        entry: FeedEntry | None = response.meta.get("entry")
        yield Article(
            url=response.url,
            source=source,
            title=entry.title if entry else "",
            published=entry.published if entry else None,
            description=entry.summary if entry else "",
            author=entry.author if entry else "",
            raw_html=response.body,
            content_type=content_type,
            fetched_at=datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
            aliases=[canonical_url(response.meta.get("link", response.url)), canonical_url(response.url)],
        )

    # ------------------------------------------------------------------ errors

    def count_error(self, source: str, kind: str) -> None:
        self.crawler.stats.inc_value(f"source/{source}/errors/{kind}")
        self.crawler.stats.inc_value(f"errors/{kind}")

    def on_error(self, failure: Failure) -> None:
        request = failure.request
        source = request.meta.get("source", "?")
        if failure.check(RefusedLink):
            return  # counted and logged by the middleware
        kind, detail = describe_failure(failure)
        self.count_error(source, kind)
        LOGGER.warning("%s: %s failed: %s", source, request.url, detail)


def describe_failure(failure: Failure) -> tuple[str, str]:
    """A stats key and one human line for a failed download; never a traceback."""
    if failure.check(HttpError):
        status = failure.value.response.status
        return f"http_{status}", f"HTTP {status}"
    if failure.check(DNSLookupError, CannotResolveHostError):
        return "dns_error", "host name not found"
    if failure.check(TimeoutError, TCPTimedOutError, DownloadTimeoutError):
        return "timeout", "no answer in time"
    if failure.check(ConnectionRefusedError, DownloadConnectionRefusedError):
        return "connection_refused", "connection refused"
    if failure.check(ResponseDataLossError):
        return "truncated_response", "the response was cut short"
    name = type(failure.value).__name__
    if "Cancelled" in name or "maxsize" in str(failure.value).lower():
        return "too_large", f"download cancelled ({failure.value})"
    if name == "IgnoreRequest" and "robots" in str(failure.value).lower():
        return "robots_forbidden", "forbidden by robots.txt"
    return name.lower(), f"{name}: {failure.value}"


_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"PK\x03\x04", b"RIFF")


def _binary(body: bytes) -> bool:
    """Sniffed, because servers label PDFs and images as text/html too."""
    head = body[:1024].lstrip()
    return head.startswith(_MAGIC) or b"\x00" in head
