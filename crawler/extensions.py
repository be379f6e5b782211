"""Scrapy extensions: the store and its writer thread, and the run record."""
from __future__ import annotations

import asyncio
import json
import logging
import os
import resource
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, TypeVar

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.logformatter import LogFormatter
from scrapy.utils.misc import build_from_crawler, load_object

from crawler.config import dedup_settings
from crawler.store import StoreError, open_store

LOGGER = logging.getLogger(__name__)
T = TypeVar("T")


class StoreExtension:
    """Opens the store (its backend named by CRAWLER_DB's scheme, STORE_BACKENDS), builds the dedup index
    (DEDUP_INDEX_CLASS) and the boilerplate judge (BOILERPLATE_CLASS) over it, and owns the single thread
    that uses them.

    One writer thread serialises every store call: SQLite wants one writer, and the reactor thread never
    waits on disk or on the network. Its writes go through the store's crawler.store.WriteBatch: SQLite's
    share a transaction committed every STORE_BATCH_ITEMS calls or STORE_BATCH_SECONDS (one commit per
    article cost more than its dedup); PostgreSQL's commit each call, so the dedup lock other crawl
    processes wait for is held for one article only. A store call that fails for good (the database
    unreachable) is counted (store/failed_calls) and keeps feed validators from being saved.
    """

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.print_only = settings.getbool("CRAWLER_PRINT")
        url = ":memory:" if self.print_only else settings.get("CRAWLER_DB")
        self.store = open_store(url, backends=settings.getdict("STORE_BACKENDS"))
        self.index = build_from_crawler(load_object(settings["DEDUP_INDEX_CLASS"]), crawler, self.store)
        if self.index.stale_format and not self.print_only:
            LOGGER.warning(
                "the dedup index in %s was built as %r; this version indexes as %r, so copies of the "
                "articles stored before are found less reliably until `python -m crawler dedup --rebuild "
                "--db %s` re-indexes them", self.store.url, self.index.stale_format, self.index.format, url)
        self.boilerplate = build_from_crawler(load_object(settings["BOILERPLATE_CLASS"]), crawler, self.store)
        if not self.print_only:  # what marks the articles of this run: export manifests say it
            self.store.set_meta("dedup_settings", json.dumps(dedup_settings(settings)))
        self.stats = crawler.stats
        self.lost_writes = 0  # writes a failed commit undid: the feeds must be read in full next run
        self.failed_calls = 0  # store calls that failed (the database unreachable): the same
        self._batch = self.store.writes(settings.getint("STORE_BATCH_ITEMS"), settings.getfloat("STORE_BATCH_SECONDS"),
                                        on_lost=self._lost)
        self._flush_timer: asyncio.TimerHandle | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        crawler.signals.connect(self.close, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "StoreExtension":
        return cls(crawler)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Call fn(*args) in the writer thread, inside the open write batch (atomic on its own)."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._thread, self._batch.call, fn, *args)
        except StoreError:  # the database went away (and could not be reached again): the caller says for what
            self._failed(1)
            raise
        finally:
            if self._flush_timer is None:  # an idle crawl still commits within STORE_BATCH_SECONDS
                self._flush_timer = loop.call_later(self._batch.max_seconds, self._flush_soon)

    def submit(self, fn: Callable[..., T], *args: Any) -> Future:
        """Queue fn(*args) on the writer thread without waiting for it (from a signal handler, say): store
        calls made later run after it, as the thread takes them in order."""
        future = self._thread.submit(self._batch.call, fn, *args)
        future.add_done_callback(self._log_failure)
        return future

    def _log_failure(self, future: Future) -> None:
        error = future.exception()
        if isinstance(error, StoreError):
            self._failed(1)
        if error is not None:
            LOGGER.error("a store call failed: %s", error)

    def _failed(self, count: int) -> None:
        """Store calls that failed (the database unreachable): like lost writes, no feed's validators are saved."""
        self.failed_calls += count
        self.stats.inc_value("store/failed_calls", count)

    def _lost(self, count: int) -> None:
        self.lost_writes += count
        self.stats.inc_value("store/lost_writes", count)

    def _flush_soon(self) -> None:
        self._flush_timer = None
        self._thread.submit(self._batch.flush)

    def close(self) -> None:
        if self._flush_timer is not None:
            self._flush_timer.cancel()
        self._thread.submit(self._batch.flush)
        self._thread.shutdown(wait=True)
        self.store.close()


def store_of(crawler: Crawler) -> StoreExtension:
    ext = crawler.get_extension(StoreExtension)
    if ext is None:
        raise RuntimeError("crawler.extensions.StoreExtension must be enabled in EXTENSIONS")
    return ext


class RunRecorder:
    """Stores every run: start, end, outcome, and per source what was fetched, stored and what failed."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.run_id: int | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "RunRecorder":
        return cls(crawler)

    async def spider_opened(self, spider: Spider) -> None:
        command = os.environ.get("CRAWLER_COMMAND_LINE", spider.name)
        ext = store_of(self.crawler)
        self.run_id = await ext.run(ext.store.start_run, command)
        self.crawler.stats.set_value("run/id", self.run_id)

    async def spider_closed(self, spider: Spider, reason: str) -> None:
        # where the CPU went: this process (reactor, store thread) and the extraction workers, reaped by now
        own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        self.crawler.stats.set_value("cpu/main_s", round(own.ru_utime + own.ru_stime, 2))
        self.crawler.stats.set_value("cpu/workers_s", round(workers.ru_utime + workers.ru_stime, 2))
        stats = self.crawler.stats.get_stats()
        per_source = source_stats(stats)
        outcome = run_outcome(stats, reason)
        self.crawler.stats.set_value("run/outcome", outcome)
        if self.run_id is not None:
            ext = store_of(self.crawler)
            await ext.run(ext.store.finish_run, self.run_id, outcome, stats, per_source)


def source_stats(stats: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Turn flat "source/<name>/<counter>" and "source/<name>/errors/<kind>" keys into one dict a source."""
    out: dict[str, dict[str, Any]] = defaultdict(lambda: {"errors": {}})
    for key, value in stats.items():
        parts = key.split("/")
        if parts[0] != "source" or len(parts) < 3:
            continue
        name = parts[1]
        if parts[2] == "errors" and len(parts) == 4:
            out[name]["errors"][parts[3]] = value
        elif len(parts) == 3:
            out[name][parts[2]] = value
        else:
            out[name]["/".join(parts[2:])] = value
    return dict(out)


def run_outcome(stats: dict[str, Any], reason: str) -> str:
    """'completed' when the run went through its sources, even if some items failed, or stopped at a limit it
    was given (CLOSESPIDER_TIMEOUT, _ITEMCOUNT...); 'failed' when no source could be reached; 'interrupted'
    when it was stopped (Ctrl-C, SIGTERM)."""
    if reason != "finished" and not reason.startswith("closespider_"):
        return "interrupted"
    attempted = stats.get("feeds/requested", 0)
    reached = stats.get("feeds/reached", 0)
    if attempted and not reached:
        return "failed"
    return "completed"


class QuietLogFormatter(LogFormatter):
    """A dropped item is one line with its URL and reason, not a dump of the whole page."""

    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Spider) -> dict[str, Any]:
        level = getattr(exception, "log_level", None) or logging.WARNING
        return {
            "level": logging.getLevelName(level) if isinstance(level, str) else level,
            "msg": "dropped %(url)s: %(reason)s",
            "args": {"url": getattr(item, "url", "?"), "reason": exception},
        }

    def item_error(self, item: Any, exception: BaseException, response: Any, spider: Spider) -> dict[str, Any]:
        return {
            "level": logging.ERROR,
            "msg": "error processing %(url)s: %(error)r",
            "args": {"url": getattr(item, "url", "?"), "error": exception},
        }
