"""The WARC spiders: archived pages through the crawl's own extraction, dedup and store, with no network.

Each page to extract (crawler.archive_pages, read in a thread of its own) becomes a request for its URL that
crawler.archive.ArchiveReplayMiddleware answers from the archive; so the known-URL dupefilter skips what is
stored already (an interrupted ingest resumes where it stopped), and the extraction workers, the pipelines,
the stats and the run record are the crawl's.

Requests are made only while the engine has room for them (Scrapy's lazy start: `needs_backout`, then wait
for the scheduler to empty), so however large the input, memory holds a bounded number of pages.
"""
from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, AsyncIterator, Iterable

import scrapy
from scrapy import signals
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.archive_pages import CHARSET_NOTES, ArchivedPage, ArchivePages
from crawler.record import Article
from crawler.urls import url_key
from crawler.warc_inputs import WarcInput
from crawler.warc_reader import Problem

LOGGER = logging.getLogger(__name__)


class WarcSpider(scrapy.Spider):
    """`python -m crawler warc`: any WARC file's HTML pages in the language asked for."""

    name = "warc"
    custom_settings: dict[str, Any] = {
        "ROBOTSTXT_OBEY": False,  # nothing is fetched
        "WARC_ENABLED": False,  # nothing is fetched, so nothing to archive
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        "RETRY_ENABLED": False,
        "LOGSTATS_INTERVAL": 0,  # crawler.archive.ArchiveProgress says how far it is
    }
    own_articles_only = False
    pipeline = ("crawler.archive.LanguagePipeline", 120)

    def __init__(self, inputs: Iterable[str] = (), source: str = "", language: str | None = "ar",
                 report: dict | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.inputs = [WarcInput(str(i)) for i in inputs]
        self.source = source
        self.language = language or None
        self.report = report  # the run's stats are copied here at the end, for the command's summary
        self.pages: ArchivePages | None = None
        self._started = time.monotonic()

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        super().update_settings(settings)
        for name, (path, order) in (("DOWNLOADER_MIDDLEWARES", ("crawler.archive.ArchiveReplayMiddleware", 10)),
                                    ("ITEM_PIPELINES", cls.pipeline),
                                    ("EXTENSIONS", ("crawler.archive.ArchiveProgress", 20))):
            components = settings.getdict(name)
            components[path] = order
            settings.set(name, components, priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> "WarcSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.pages = ArchivePages(spider.inputs, language=spider.language, source=spider.source,
                                    own_articles_only=cls.own_articles_only,
                                    limit=crawler.settings.getint("DOWNLOAD_MAXSIZE"),
                                    user_agent=crawler.settings.get("USER_AGENT", ""))
        return spider

    async def start(self) -> AsyncIterator[Any]:
        assert self.pages is not None
        stats = self.crawler.stats
        stats.set_value("feeds/requested", len(self.inputs))  # an input counts as a feed in the run record
        self._started = time.monotonic()
        loop = asyncio.get_running_loop()
        reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warc-reader")
        pages = iter(self.pages)
        try:
            while True:
                item = await loop.run_in_executor(reader, next, pages, None)
                self._sync_stats()
                if item is None:
                    return
                if isinstance(item, Problem):
                    self.count_problem(item)
                    continue
                if self.crawler.engine.needs_backout():
                    await self.crawler.signals.wait_for(signals.scheduler_empty)
                request = self.request_for(item)
                if request is not None:
                    yield request
        finally:
            reader.shutdown(wait=False)

    def request_for(self, page: ArchivedPage) -> scrapy.Request | None:
        try:
            return scrapy.Request(
                page.url, callback=self.parse_page, errback=self.on_error,
                meta={"archived": page, "source": page.source, "link": page.link or page.url,
                      "allow_private": True,  # answered from the archive: no address is ever connected to
                      "dont_retry": True, "dont_redirect": True})
        except ValueError as exc:
            self.count_problem(Problem(page.location, page.offset, "bad_url", f"{page.url}: {exc}"))
            return None

    def parse_page(self, response: Response) -> Iterable[Article]:
        page: ArchivedPage = response.meta["archived"]
        self.crawler.stats.inc_value(f"source/{page.source}/entries_seen")
        if not response.body.strip():
            self.count_problem(Problem(page.location, page.offset, "empty_page", f"{page.url}: an empty page"))
            return
        entry = page.entry
        yield Article(
            url=response.url,
            source=page.source,
            title=entry.get("title") or "",
            published=entry.get("published"),
            description=entry.get("summary") or "",
            author=entry.get("author") or "",
            language=page.language,
            raw_html=response.body,
            content_type=page.content_type,
            fetched_at=_iso_date(page.fetched_at),
            aliases=[url_key(page.link or page.url), url_key(response.url)],
        )

    def count_problem(self, problem: Problem) -> None:
        """Bad input: one line naming the file and the record's offset, a counted reason, and on. A page read
        in another charset than it declares is a note, not a failure: it is extracted all the same."""
        kind = "charset" if problem.reason in CHARSET_NOTES else "errors"
        if kind == "errors":
            self.crawler.stats.inc_value(f"errors/{problem.reason}")
        self.crawler.stats.inc_value(f"warc/{kind}/{problem.reason}")
        LOGGER.warning("%s", problem)

    def on_error(self, failure: Failure) -> None:
        page = failure.request.meta.get("archived")
        where = f"{page.location}: record at offset {page.offset}: " if page else ""
        name = type(failure.value).__name__
        self.crawler.stats.inc_value(f"errors/{name.lower()}")
        LOGGER.warning("%s%s failed: %s: %s", where, failure.request.url, name, failure.value)

    def _sync_stats(self) -> None:
        """The reader thread's counts, copied on the reactor thread (the only one that writes stats)."""
        assert self.pages is not None
        stats = self.crawler.stats
        for key, value in list(self.pages.counts.items()):
            stats.set_value(f"warc/{key}", value)
        stats.set_value("feeds/reached", self.pages.counts["inputs_read"])
        stats.set_value("warc/language_seconds", round(self.pages.language_seconds, 3))
        stats.set_value("warc/seconds", round(time.monotonic() - self._started, 3))

    def closed(self, reason: str) -> None:
        if self.pages is not None:
            self._sync_stats()
        stats = self.crawler.stats
        stored = sum(v for k, v in stats.get_stats().items() if k.startswith("source/") and k.endswith("/already_stored"))
        if stored:  # records skipped as stored, beside articles the store itself found stored
            stats.inc_value("store/already_stored", stored)
        if self.report is not None:
            self.report.update(stats.get_stats())


class ReextractSpider(WarcSpider):
    """`python -m crawler reextract`: the article pages a crawl archived, through today's extraction and dedup;
    stored articles are updated in place (crawler.reextract), the others stored as a crawl stores them."""

    name = "reextract"
    custom_settings = {**WarcSpider.custom_settings, "CRAWLER_REFETCH": True}  # stored pages are the point
    own_articles_only = True
    pipeline = ("crawler.reextract.ReextractPipeline", 120)

    def __init__(self, inputs: Iterable[str] = (), report: dict | None = None, **kwargs: Any) -> None:
        super().__init__(inputs=inputs, language=None, report=report, **kwargs)


def _iso_date(value: str) -> str | None:
    """WARC-Date ("2024-05-01T08:00:00Z", maybe with a fraction) as the ISO form articles store."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(microsecond=0).isoformat()
