"""Which requests are not made: a page already requested in this run, or an article page already stored.

Identity is crawler.urls.url_key (the query kept, trackers and escape case folded), not Scrapy's request
fingerprint. Feeds and sitemaps are requested with dont_filter (they are read every run, conditionally);
article pages are filtered here, so that a shared frontier's dupefilter (scrapy-redis) sees them too.

Which links are stored is asked once per listing: StoredLinksMiddleware looks a feed's, sitemap's or section
page's article links up in one batched query on the store's writer thread. The dupefilter asks the store
itself (through a read-only handle of its own, on the reactor thread) only about a URL met otherwise: a
redirect's target, a URL given to `scrape`.
"""
from __future__ import annotations

import hashlib
import logging
from typing import Any, AsyncIterator

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.dupefilters import BaseDupeFilter

from crawler.extensions import store_of
from crawler.urls import url_key

LOGGER = logging.getLogger(__name__)


class StoredUrls:
    """Is this URL key stored? Through a read-only handle on the crawl's store, unless nothing is to be
    skipped (--refetch, --print)."""

    def __init__(self, crawler: Crawler) -> None:
        ext = store_of(crawler)
        skip_nothing = crawler.settings.getbool("CRAWLER_REFETCH") or ext.print_only
        self.reader = None if skip_nothing else ext.store.reader()
        self._own = self.reader is not None and self.reader is not ext.store

    def __contains__(self, key: str) -> bool:
        return self.reader is not None and bool(self.reader.known_urls([key]))

    def close(self) -> None:
        if self._own:
            self.reader.close()


def request_key(request: Request) -> str:
    """The request's url_key: the one StoredLinksMiddleware computed when the URL is still the one it saw."""
    url, key = request.meta.get("url_key") or (None, None)
    return key if url == request.url else url_key(request.url)


def looked_up(request: Request) -> bool:
    """StoredLinksMiddleware found this URL not stored when its listing was read: the store is not asked
    again (a redirect's new URL is)."""
    return (request.meta.get("url_key") or (None,))[0] == request.url


class StoredLinksMiddleware:
    """Spider middleware: the article links a listing (feed, sitemap, section page) gives are looked up in
    the store in one batched query on the store's writer thread, not one query each on the reactor thread
    when the dupefilter meets them; stored ones are dropped and counted, the others carry their url_key."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "StoredLinksMiddleware":
        return cls(crawler)

    async def process_spider_output(self, response: Any, result: AsyncIterator[Any],
                                    spider: Spider | None = None) -> AsyncIterator[Any]:
        links: list[Request] = []
        async for value in result:
            if isinstance(value, Request) and not value.dont_filter and not value.meta.get("listing"):
                links.append(value)
            else:
                yield value
        if not links:
            return
        keys = [url_key(r.url) for r in links]
        ext = store_of(self.crawler)
        skip_nothing = self.crawler.settings.getbool("CRAWLER_REFETCH") or ext.print_only
        stored = set() if skip_nothing else await ext.run(ext.store.known_urls, keys)
        for request, key in zip(links, keys):
            if key in stored:
                count_filtered(self.crawler.stats, request, "already_stored")
                continue
            request.meta["url_key"] = (request.url, key)
            yield request


class KnownUrlsDupeFilter(BaseDupeFilter):
    """DUPEFILTER_CLASS for a crawl on one machine: seen keys in memory, stored keys from the store."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.stored = StoredUrls(crawler)
        self.seen: set[str] = set()
        self._reason: dict[int, str] = {}  # id(request) -> why log() is about to be told it was filtered

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "KnownUrlsDupeFilter":
        return cls(crawler)

    def request_seen(self, request: Request) -> bool:
        key = request_key(request)
        if redirected_within(request, key):
            return False  # /x -> /x/ is one page: let the redirect through (REDIRECT_MAX_TIMES bounds loops)
        if key in self.seen:
            self._reason[id(request)] = "duplicate"
            return True
        if not looked_up(request) and key in self.stored:
            self._reason[id(request)] = "already_stored"
            return True
        self.seen.add(key)
        return False

    def log(self, request: Request, spider: Spider) -> None:
        count_filtered(self.stats, request, self._reason.pop(id(request), "duplicate"))

    def close(self, reason: str) -> None:
        self.stored.close()


def redirected_within(request: Request, key: str) -> bool:
    """A redirect to an address with the same key as one its own chain passed (http://x/a -> http://x/a/)."""
    chain = request.meta.get("redirect_urls") or ()
    return any(url_key(u) == key for u in chain)


def count_filtered(stats: Any, request: Request, reason: str) -> None:
    """One counted reason a filtered request: stored before, asked for twice, or a redirect back into the
    run's own requests."""
    source = request.meta.get("source", "?")
    if reason == "already_stored":
        stats.inc_value(f"source/{source}/already_stored")
        if request.meta.get("user_given"):  # a URL given to `scrape`: the run did what was asked
            stats.inc_value("store/already_stored")
            stats.inc_value("feeds/requested", -1)
            LOGGER.info("%s is already stored (--refetch fetches it again)", request.url)
    elif request.meta.get("redirect_urls"):
        stats.inc_value(f"source/{source}/redirected_to_known")
        LOGGER.debug("%s redirects to a page already requested: %s", request.meta["redirect_urls"][0], request.url)
    else:
        stats.inc_value(f"source/{source}/duplicate_links")


def key_fingerprint(request: Request) -> str:
    """The url_key as a fixed-size fingerprint, for dupefilters that store fingerprints (scrapy-redis)."""
    return hashlib.sha1(request_key(request).encode("utf-8")).hexdigest()
