"""Conditional GET for feeds and sitemaps: a feed that has not changed since the last run answers 304 and
costs nothing. The pattern is Scrapy's HTTP cache policy (validators stored, sent back, refreshed), kept
in the store so that every crawl process and every run sees them.

A feed's validators are saved only when the run ends normally, no write was lost, and none of the feed's
articles failed for a reason that may pass (crawler.signals.feed_incomplete): otherwise the next run must
see all its entries again (the stored ones are skipped by the dupefilter).
"""
from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler import signals as crawler_signals
from crawler.extensions import store_of

LOGGER = logging.getLogger(__name__)


class FeedValidatorsMiddleware:
    """Downloader middleware for requests marked meta["conditional"] (feeds and sitemaps)."""

    def __init__(self, crawler: Crawler, refetch: bool) -> None:
        self.crawler = crawler
        self.refetch = refetch
        self.validators: dict[str, tuple[str | None, str | None]] = {}  # fetched this run: saved at the end
        self.incomplete: set[str] = set()
        crawler.signals.connect(self.feed_incomplete, signal=crawler_signals.feed_incomplete)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "FeedValidatorsMiddleware":
        return cls(crawler, crawler.settings.getbool("CRAWLER_REFETCH"))

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if not request.meta.get("conditional") or self.refetch:
            return None
        ext = store_of(self.crawler)
        etag, last_modified = await ext.run(ext.store.feed_state, request.meta.get("feed_url", request.url))
        if etag:
            request.headers.setdefault(b"If-None-Match", etag.encode("latin-1", errors="replace"))
        if last_modified:
            request.headers.setdefault(b"If-Modified-Since", last_modified.encode("latin-1", errors="replace"))
        return None

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        if request.meta.get("conditional") and response.status == 200:
            header = response.headers.get
            self.validators[request.meta.get("feed_url", request.url)] = (
                _text(header(b"ETag")), _text(header(b"Last-Modified")))
        return response

    def feed_incomplete(self, feed_url: str) -> None:
        self.incomplete.add(feed_url)

    async def spider_closed(self, spider: Spider, reason: str) -> None:
        ext = store_of(self.crawler)
        if reason != "finished" or ext.lost_writes or ext.print_only:
            return  # stored articles were undone, or the run stopped early: every feed is read in full next run
        for url, (etag, last_modified) in self.validators.items():
            if url not in self.incomplete:
                await ext.run(ext.store.set_feed_state, url, etag, last_modified)


def _text(value: Any) -> str | None:
    return value.decode("latin-1") if value else None
