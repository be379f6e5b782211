"""Scrapy adapters of the web archive: the crawl's responses written to WARC files, and archived pages
answered from WARC files (`warc`, `reextract`) the way Scrapy's HttpCacheMiddleware answers from its cache.
"""
from __future__ import annotations

import asyncio
import logging
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, is_dataclass
from datetime import datetime, timezone
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from twisted.internet.task import LoopingCall

from crawler.record import Article
from crawler.warc_writer import Exchange, WarcWriter, archive_folder

LOGGER = logging.getLogger(__name__)

# responses waiting for the archive's thread: past this many, the next response waits (memory stays bounded)
MAX_PENDING_WRITES = 64


class WarcArchiveMiddleware:
    """Downloader middleware next to the downloader (DOWNLOADER_MIDDLEWARES 950): every response the crawl
    receives, redirects and 304s included, is archived as it came (compressed bodies stay compressed) with
    its request and what the spider knew of the page (crawler.warc_writer).

    The write runs in the archive's own thread, in the order the responses came; the response goes on at once
    (waiting for the write cost the crawl a third of its speed, measured) unless MAX_PENDING_WRITES are
    queued. If the archive cannot be written (disk full), that is said once and the crawl goes on without it.
    """

    def __init__(self, crawler: Crawler, writer: WarcWriter) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.writer = writer
        self.broken = False
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warc-writer")
        self._pending: set[asyncio.Future] = set()
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "WarcArchiveMiddleware":
        s = crawler.settings
        folder = archive_folder(s)
        if folder is None:
            raise NotConfigured  # no message: Scrapy would log one as a warning
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            LOGGER.error("cannot create the web archive's folder %s (%s): this run archives nothing", folder, exc)
            raise NotConfigured(str(exc)) from None
        info = {"software": f"{s['BOT_NAME']}/{s['TOOL_VERSION']} (Scrapy)", "format": "WARC File Format 1.1",
                "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
                "http-header-user-agent": s.get("USER_AGENT", ""),
                "robots": "obey" if s.getbool("ROBOTSTXT_OBEY") else "ignore"}
        return cls(crawler, WarcWriter(folder, s.get("WARC_PREFIX"), s.getint("WARC_MAX_SIZE"),
                                       s.getint("WARC_GZIP_LEVEL"), info))

    async def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        if self.broken or "warc" in response.flags:
            return response
        write = asyncio.get_running_loop().run_in_executor(self._thread, self.writer.write, exchange_of(request, response))
        write.add_done_callback(self._written)
        self._pending.add(write)
        if len(self._pending) >= MAX_PENDING_WRITES:  # the disk is slower than the network: wait for it
            await asyncio.wait(set(self._pending), return_when=asyncio.FIRST_COMPLETED)
        return response

    def _written(self, write: asyncio.Future) -> None:
        self._pending.discard(write)
        if write.cancelled():  # the crawl is shutting down: the writer closes what it wrote
            return
        error = write.exception()
        if error is None:
            self.stats.inc_value("warc/responses_archived")
        elif not self.broken:
            self.broken = True
            self.stats.inc_value("warc/write_errors")
            LOGGER.error("cannot write the web archive in %s (%s): this run archives nothing more",
                         self.writer.folder, error)

    def engine_stopped(self) -> None:
        try:
            self._thread.submit(self.writer.close).result()
        except OSError as exc:
            LOGGER.error("cannot close the web archive in %s: %s", self.writer.folder, exc)
        self._thread.shutdown(wait=True)
        if self.writer.files:
            LOGGER.info("archived %d records in %s", self.writer.records, ", ".join(map(str, self.writer.files)))


def exchange_of(request: Request, response: Response) -> Exchange:
    def pairs(headers: Headers) -> list[tuple[bytes, bytes]]:
        return [(name, value) for name, values in headers.items() for value in values]

    ip = getattr(response, "ip_address", None)
    return Exchange(
        url=response.url, method=request.method, request_headers=pairs(request.headers),
        request_body=request.body or b"", status=response.status, protocol=getattr(response, "protocol", None) or "",
        response_headers=pairs(response.headers), body=response.body, date=datetime.now(timezone.utc),
        ip_address=str(ip) if ip else None, metadata=page_metadata(request),
    )


def page_metadata(request: Request) -> dict[str, Any] | None:
    """What the spider knew of the page, for `reextract`: which responses were article pages (and not
    feeds, sitemaps, section pages or robots.txt), their source, and what the feed said of them."""
    meta = request.meta
    source = meta.get("source")
    if not source:
        return None
    entry = meta.get("entry")
    if meta.get("kind"):
        kind = meta["kind"]  # feed or sitemap
    elif entry is not None:
        kind = "article"
    elif "pattern" in meta:
        kind = "section"
    else:
        kind = "page"  # a URL given to `scrape`: a feed or an article, told apart by content
    data: dict[str, Any] = {"kind": kind, "source": source}
    for key in ("language", "feed_url", "link"):
        if meta.get(key):
            data[key] = meta[key]
    if is_dataclass(entry):
        data["entry"] = {k: v for k, v in asdict(entry).items() if v and k != "url"}
    return data


class ArchiveReplayMiddleware:
    """Downloader middleware of the WARC spiders, first in line: a request carrying an archived page
    (request.meta["archived"], crawler.archive_pages.ArchivedPage) is answered with it; nothing reaches the
    network."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ArchiveReplayMiddleware":
        return cls()

    def process_request(self, request: Request, spider: Spider | None = None) -> Response | None:
        page = request.meta.get("archived")
        if page is None:
            return None
        headers = Headers([(k, v) for k, v in page.headers if k.lower() != "content-type"])
        headers["Content-Type"] = page.content_type or "text/html"
        response_class = responsetypes.from_args(headers=headers, url=page.url, body=page.body)
        return response_class(url=page.url, status=page.status, headers=headers, body=page.body, request=request,
                              flags=["warc"])


class LanguagePipeline:
    """After extraction, for a WARC ingest that asked for one language (the spider's `language`): the
    article's own text decides (crawler.extract), the cheap check before extraction only turned away the
    pages that were certainly in another."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "LanguagePipeline":
        return cls(crawler)

    def process_item(self, item: Article) -> Article:
        wanted = getattr(self.crawler.spider, "language", None)
        if not wanted or item.language == wanted:
            return item
        self.crawler.stats.inc_value(f"warc/pages/article_not_{wanted}")
        drop = DropItem(f"its text is not in {wanted!r} but {item.language or 'undetermined'!r}")
        drop.log_level = "DEBUG"
        raise drop


class ArchiveProgress:
    """While WARC inputs are read: a progress bar on a terminal (bytes of the current input, records per
    second, articles kept), a log line a minute otherwise."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._loop: LoopingCall | None = None
        self._bar: Any = None
        self._task: Any = None
        self._started = 0.0
        self._last_log = 0.0
        self._input = ""
        self._restore: list[tuple[logging.StreamHandler, Any]] = []
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ArchiveProgress":
        return cls(crawler)

    def spider_opened(self, spider: Spider) -> None:
        if getattr(spider, "pages", None) is None:
            return
        self._started = self._last_log = time.monotonic()
        if sys.stderr.isatty() and logging.getLogger().getEffectiveLevel() <= logging.WARNING:
            self._start_bar()
        self._loop = LoopingCall(self.tick, spider)
        self._loop.start(0.5, now=False)

    def _start_bar(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

        original = sys.stderr
        self._bar = Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                             TextColumn("{task.fields[line]}"), TimeElapsedColumn(),
                             console=Console(file=original), redirect_stderr=True, transient=False)
        self._bar.start()
        self._task = self._bar.add_task("", total=None, line="")
        for handler in logging.getLogger().handlers:  # log lines go above the bar, not through it
            if isinstance(handler, logging.StreamHandler) and handler.stream is original:
                self._restore.append((handler, handler.setStream(sys.stderr)))

    def tick(self, spider: Any) -> None:
        pages = spider.pages
        records = pages.counts["records"]
        elapsed = max(time.monotonic() - self._started, 1e-6)
        kept = self.crawler.stats.get_value("store/articles", 0) + self.crawler.stats.get_value("reextract/articles", 0)
        line = f"{records:,} records, {records / elapsed:,.0f}/s; {pages.counts['pages']:,} pages extracted, {kept:,} articles kept"
        stream = pages.stream
        if self._bar is not None:
            if pages.current != self._input:
                self._input = pages.current
                self._bar.reset(self._task, total=stream.total if stream else None)
            self._bar.update(self._task, description=pages.current.rsplit("/", 1)[-1][-40:],
                             completed=stream.consumed if stream else 0, line=line)
        elif time.monotonic() - self._last_log >= 60:
            self._last_log = time.monotonic()
            LOGGER.info("%s (reading %s)", line, pages.current)

    def spider_closed(self, spider: Spider) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
            self.tick(spider)
        if self._bar is not None:
            self._bar.stop()
            for handler, stream in self._restore:
                handler.setStream(stream)
            self._bar = None
