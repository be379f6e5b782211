"""Conditional GET for feeds and sitemaps: a feed that has not changed since the last run answers 304 and
costs nothing. The pattern is Scrapy's HTTP cache policy (validators stored, sent back, refreshed), kept
in the store so that every crawl process and every run sees them.

A feed's validators are saved only when the run ends normally, no write was lost, and none of the feed's
articles failed for a reason that may pass (crawler.signals.feed_incomplete): otherwise the next run must
see all its entries again (the stored ones are skipped by the dupefilter).

With a shared frontier the worker that fetched a feed is often not the one whose article of it failed, so
that bookkeeping lives in the store, not in this process: a failure is recorded at once
(Store.feed_failed, which also drops the feed's stored validators), the failure count is read when the
feed is fetched, and the validators are saved only if no failure was recorded since
(Store.save_feed_state), whichever process saw it.
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
        self.failures_seen: dict[str, int] = {}  # each feed's Store.feed_failures when it was fetched
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
        feed = request.meta.get("feed_url", request.url)
        etag, last_modified, self.failures_seen[feed] = await ext.run(_validators, ext.store, feed)
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
        ext = store_of(self.crawler)
        if not ext.print_only:  # for every process: queued on the writer thread, before any later store call
            ext.submit(ext.store.feed_failed, feed_url)

    async def spider_closed(self, spider: Spider, reason: str) -> None:
        ext = store_of(self.crawler)
        if reason != "finished" or ext.lost_writes or ext.failed_calls or ext.print_only \
                or self.crawler.stats.get_value("frontier/workers_lost"):
            # stored articles were undone or not stored, the run stopped early, or a worker of the shared frontier died with
            # requests it had taken: every feed is read in full next run
            return
        for url, (etag, last_modified) in self.validators.items():
            if url not in self.incomplete:
                await ext.run(ext.store.save_feed_state, url, etag, last_modified, self.failures_seen.get(url, 0))


def _validators(store: Any, feed: str) -> tuple[str | None, str | None, int]:
    return (*store.feed_state(feed), store.feed_failures(feed))


def _text(value: Any) -> str | None:
    return value.decode("latin-1") if value else None
