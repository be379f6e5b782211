"""The feeds spider: feeds and news sitemaps of the configured sources -> article pages -> items."""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import Any, AsyncIterator, Iterable, Iterator

import scrapy
from scrapy.exceptions import (CannotResolveHostError, DownloadConnectionRefusedError, DownloadTimeoutError,
                               ResponseDataLossError)
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TimeoutError, TCPTimedOutError
from twisted.python.failure import Failure

from crawler import signals as crawler_signals
from crawler.feeds import FeedEntry, ParsedFeed, parse_feed, parse_sitemap
from crawler.middlewares import RefusedLink, refusal_reason
from crawler.record import Article
from crawler.sources import Source, load_sources, select_sources
from crawler.links import looks_like_article
from crawler.urls import clean_url, is_local, same_site, url_key

LOGGER = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "")
# sitemap index -> yearly index -> monthly sitemaps is how large archives are laid out; deeper is a loop
MAX_SITEMAP_DEPTH = 3
SITEMAP_MAXSIZE = 50 * 1024 * 1024


class FeedSpider(scrapy.Spider):
    name = "feeds"
    custom_settings: dict[str, Any] = {}
    read_every_run = True  # feeds and section pages bypass the dupefilter (False on a shared frontier)

    def __init__(self, sources_file: str | None = None, source: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sources_file = sources_file
        self.source_names = [s for s in (source or "").split(",") if s]
        self.sources: list[Source] = []

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> "FeedSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.sources_file = spider.sources_file or crawler.settings.get("CRAWLER_SOURCES")
        spider.sources = select_sources(load_sources(spider.sources_file), spider.source_names)
        # several workers on a shared frontier (crawler.frontier): feeds and section pages are read once per
        # run by one of them, through the frontier's per-run dupefilter, rather than once by each
        spider.read_every_run = not crawler.settings.get("CRAWLER_FRONTIER")
        return spider

    # ------------------------------------------------------------------ start

    async def start(self) -> AsyncIterator[Any]:
        for source in self.sources:
            for url in source.feeds:
                yield self.feed_request(url, source, "feed")
            for url in source.sitemaps:
                yield self.feed_request(url, source, "sitemap")
            for url in source.pages:
                self.crawler.stats.inc_value("feeds/requested")
                yield scrapy.Request(url, callback=self.parse_section, errback=self.on_error,
                                     dont_filter=self.read_every_run,
                                     meta={"source": source.name, "language": source.language, "listing": True,
                                           "pattern": source.article_pattern, "allow_private": is_local(url)})

    def feed_request(self, url: str, source: Source | str, kind: str, depth: int = 0,
                     language: str = "", allow_private: bool | None = None) -> scrapy.Request:
        """A feed or sitemap, read every run: conditionally (crawler.validators), so one that has not changed
        since the last run answers 304 and costs nothing."""
        name, language = (source.name, source.language) if isinstance(source, Source) else (source, language)
        self.crawler.stats.inc_value("feeds/requested")
        return scrapy.Request(
            url,
            callback=self.parse_feed,
            errback=self.on_error,
            # two sources never share a feed (sources.py), and a feed is read every run
            dont_filter=self.read_every_run,
            meta={
                "source": name,
                "listing": True,
                "language": language,
                "kind": kind,
                "conditional": True,
                "depth_sitemap": depth,
                "feed_url": url,
                # a source whose own feed is on a local address may link to local pages (the demo, tests);
                # a sitemap listed by a sitemap index inherits its index's permission, never its own
                "allow_private": is_local(url) if allow_private is None else allow_private,
                "handle_httpstatus_list": [304],
                # sitemaps may be 50 MB by the protocol; pages and feeds keep DOWNLOAD_MAXSIZE
                **({"download_maxsize": SITEMAP_MAXSIZE, "download_warnsize": SITEMAP_MAXSIZE}
                   if kind == "sitemap" else {}),
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
            kind_of_error = parsed.reason
            self.count_error(source, kind_of_error)
            LOGGER.warning("%s %s (%s): %s", kind, response.url, source, parsed.error)
            return
        if parsed.warning:
            self.count_error(source, "malformed_feed")
            LOGGER.warning("%s %s (%s): %s", kind, response.url, source, parsed.warning)
        if parsed.kind == "sitemap_index":
            depth = response.meta.get("depth_sitemap", 0)
            if depth >= MAX_SITEMAP_DEPTH:  # an index of indexes of indexes...: a loop, or a site's whole archive
                stats.inc_value(f"source/{source}/entries_skipped/sitemap_too_deep", len(parsed.entries))
                LOGGER.warning("%s: sitemap index %s is nested %d deep; its %d sitemaps are not read",
                               source, response.url, depth + 1, len(parsed.entries))
                return
            for entry in parsed.entries:
                yield self.feed_request(entry.url, source, "sitemap", depth + 1, response.meta.get("language", ""),
                                        allow_private=bool(response.meta.get("allow_private")))
            return
        for reason, count in parsed.skipped.items():
            stats.inc_value(f"source/{source}/entries_skipped/{reason}", count)
        for request in self.article_requests(parsed.entries, source, response):
            yield request

    def article_requests(
        self, entries: Iterable[FeedEntry], source: str, response: Response
    ) -> Iterator[scrapy.Request]:
        """One request per entry; those stored before or asked for already in this run are filtered by the
        dupefilter (crawler.dupefilter), which counts them."""
        entries = list(entries)
        self.crawler.stats.inc_value(f"source/{source}/entries_seen", len(entries))
        allow_private = response.meta.get("allow_private", False)
        for entry in entries:
            # the URL the feed gave, without trackers: url_key only decides identity; the site may need
            # every other parameter, the case of its escapes and its trailing slash as written
            url = clean_url(entry.url)
            reason = refusal_reason(url, allow_private)
            if reason:  # counted here, with the source, rather than as a failed download
                self.count_error(source, reason)
                LOGGER.warning("%s: refused entry link %s: %s", source, url, reason.replace("_", " "))
                continue
            yield scrapy.Request(
                url,
                callback=self.parse_article,
                errback=self.on_error,
                meta={"source": source, "language": response.meta.get("language", ""), "entry": entry,
                      "allow_private": allow_private, "link": url, "feed_url": response.meta.get("feed_url")},
            )

    async def parse_section(self, response: Response) -> AsyncIterator[Any]:
        """A section or front page of a site with no feed: follow same-site links that look like articles
        (depth 1: the article pages themselves are not searched for more links)."""
        source = response.meta["source"]
        self.crawler.stats.inc_value("feeds/reached")
        self.crawler.stats.inc_value(f"source/{source}/pages_fetched")
        if not hasattr(response, "xpath"):
            self.count_error(source, "not_html")
            LOGGER.warning("%s: section page %s is not HTML", source, response.url)
            return
        links = []
        for href in response.xpath("//a/@href").getall():
            url = response.urljoin(href.strip())
            if url.startswith(("http://", "https://")) and same_site(url, response.url) \
                    and looks_like_article(url, response.meta.get("pattern")):
                links.append(url)
        first: dict[str, str] = {}  # one link per page, as the page first wrote it
        for url in links:
            first.setdefault(url_key(url), url)
        entries = [FeedEntry(url=u) for u in first.values()]
        for request in self.article_requests(entries, source, response):
            yield request

    # ------------------------------------------------------------------ articles

    def parse_article(self, response: Response) -> Iterable[Article]:
        source = response.meta["source"]
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        media_type = content_type.split(";")[0].strip().lower()
        binary = _binary(response.body)
        if media_type not in HTML_TYPES or binary:
            self.count_error(source, "not_html")
            what = f"{binary} content served as {media_type or 'no type'}" if binary else media_type
            LOGGER.warning("%s: %s is %s, not an article page", source, response.url, what)
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
            language=response.meta.get("language", ""),  # the source's: a hint for the extraction
            raw_html=response.body,
            content_type=content_type,
            feed_url=response.meta.get("feed_url"),
            fetched_at=datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
            aliases=[url_key(response.meta.get("link", response.url)), url_key(response.url)],
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
        if kind in TRANSIENT and request.meta.get("feed_url"):
            self.crawler.signals.send_catch_log(crawler_signals.feed_incomplete, feed_url=request.meta["feed_url"])
        LOGGER.warning("%s: %s failed: %s", source, request.url, detail)


# failures that may pass by the next run: the feed is fetched in full again then
TRANSIENT = {"timeout", "connection_refused", "dns_error", "truncated_response", "http_500", "http_502", "http_503",
             "http_504", "http_429", "http_408", "http_522", "http_524", "connectionlost", "downloadfailederror"}


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
    if name == "IgnoreRequest" and "redirect" in str(failure.value).lower():
        return "redirect_loop", "too many redirects"
    return name.lower(), f"{name}: {failure.value}"


_MAGIC = {b"%PDF": "PDF", b"\x89PNG": "PNG image", b"\xff\xd8\xff": "JPEG image", b"GIF8": "GIF image",
          b"PK\x03\x04": "ZIP archive", b"RIFF": "media"}


def _binary(body: bytes) -> str | None:
    """What binary content this is, sniffed, because servers label PDFs and images as text/html too."""
    head = body[:1024].lstrip()
    for magic, name in _MAGIC.items():
        if head.startswith(magic):
            return name
    return "binary" if b"\x00" in head else None
