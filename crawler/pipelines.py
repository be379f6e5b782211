"""Scrapy item pipelines: thin adapters over extract/worker, the dedup index and the store.

Extraction runs in a process pool (trafilatura is CPU-bound and would starve downloads on the reactor
thread); the index and the store are used from the store's single writer thread.
"""
from __future__ import annotations

import asyncio
import json
import logging
import multiprocessing
import os
import sys
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Callable

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.article_index import IndexEntry, Verdict
from crawler.boilerplate import line_key
from crawler import signals as crawler_signals
from crawler.extensions import StoreExtension, store_of
from crawler.extract import ExtractionError
from crawler.record import Article, publication_day, publication_time
from crawler.store import StoreError
from crawler.urls import url_key
from crawler.worker import WorkerConfig, drop_lines, init_worker, process_pages, warm_up

LOGGER = logging.getLogger(__name__)


class _Failed(Exception):
    """A batch's worker hung or died: `reason` is the counted stats key."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class ExtractPipeline:
    """Sends pages to the extraction workers, several per task while every worker is busy.

    A page waits only when all workers are busy; the next free worker then takes up to EXTRACT_BATCH
    waiting pages at once (worker.process_pages parses them all, then dedups them all). When a task runs
    past EXTRACT_TIMEOUT or kills its worker, every page that was in flight is tried again on its own,
    one at a time with nothing else running, so that only the page to blame is dropped.
    """

    def __init__(self, crawler: Crawler, workers: int, config: WorkerConfig, timeout: float = 60.0,
                 work: Callable[[list[Article]], list[Article | ExtractionError]] = process_pages,
                 batch: int = 8, start_method: str = "spawn") -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.workers = workers or os.cpu_count() or 1
        self.config = config
        self.timeout = timeout
        self.work = work
        self.batch = max(1, batch)
        # spawn, not fork: forking a process that runs the Twisted reactor and a writer thread is unsafe.
        # Tests of the scheduling fork (a spawned pool re-imports everything, 0.7 s a pool).
        self.start_method = start_method
        self.pool: ProcessPoolExecutor | None = None
        self._waiting: deque[tuple[Article, asyncio.Future]] = deque()
        # pages of a task that failed while others ran: each is tried again with nothing beside it
        self._suspects: deque[tuple[Article, asyncio.Future]] = deque()
        self._isolating = False  # a suspect is running: nothing else starts
        self._running = 0
        self._started = 0
        self._tasks: set[asyncio.Future] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ExtractPipeline":
        s = crawler.settings
        config = WorkerConfig(
            paragraph_threshold=s.getfloat("DEDUP_PARAGRAPH_THRESHOLD"),
            min_fragment_chars=s.getint("DEDUP_MIN_FRAGMENT_CHARS"),
            num_perm=s.getint("DEDUP_BANDS") * s.getint("DEDUP_ROWS"),
        )
        return cls(crawler, s.getint("EXTRACT_WORKERS"), config, s.getfloat("EXTRACT_TIMEOUT"),
                   batch=s.getint("EXTRACT_BATCH"))

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            self.workers, mp_context=multiprocessing.get_context(self.start_method),
            initializer=init_worker, initargs=(self.config,),
        )

    def open_spider(self) -> None:
        self.pool = self._new_pool()
        self.stats.set_value("extract/workers", self.workers)
        # start the workers now: their imports (trafilatura, lxml) overlap with fetching the feeds
        for _ in range(self.workers):
            self.pool.submit(warm_up)

    async def process_item(self, item: Article) -> Article:
        if item.raw_html is None:
            return item
        done = asyncio.get_running_loop().create_future()
        self._waiting.append((item, done))
        self._start_tasks()
        try:
            article = await done
        except _Failed as exc:
            self._count_error(item, exc.reason)
            raise DropItem(str(exc)) from None
        if isinstance(article, ExtractionError):
            self._count_error(item, article.reason)
            raise DropItem(str(article))
        article.aliases = list(dict.fromkeys([*item.aliases, url_key(article.canonical_url)]))
        article.feed_url = item.feed_url  # a store failure later must still name the feed to read in full
        self.stats.inc_value("extract/articles")
        return article

    def _start_tasks(self) -> None:
        while not self._isolating:
            if self._suspects:
                if self._running:  # let the pool drain, then try one suspect with nothing beside it
                    return
                batch, exclusive = [self._suspects.popleft()], True
            elif self._waiting and self._running < self.workers:
                batch, exclusive = [self._waiting.popleft() for _ in range(min(self.batch, len(self._waiting)))], False
            else:
                return
            alone = self._running == 0
            self._running += 1
            self._started += 1
            self._isolating = exclusive
            task = asyncio.ensure_future(self._run(batch, exclusive, alone, self._started))
            self._tasks.add(task)  # the loop keeps only a weak reference to a task
            task.add_done_callback(self._tasks.discard)

    async def _run(self, batch: list[tuple[Article, asyncio.Future]], exclusive: bool, alone: bool,
                   started: int) -> None:
        pool = self.pool
        assert pool is not None
        failure: BaseException | None = None
        results: list = []
        try:
            future = asyncio.get_running_loop().run_in_executor(pool, self.work, [item for item, _ in batch])
            # the whole batch gets one page's time: normal pages take milliseconds, and a batch that runs
            # out is tried again page by page, each with that time
            results = await asyncio.wait_for(future, self.timeout)
        except asyncio.TimeoutError:
            # a page that keeps a parser busy (hostile input, a pathological layout): the worker is killed
            self._restart(pool, kill=True)
            failure = _Failed("extraction_timeout", f"extraction took longer than {self.timeout:g} s")
        except BrokenProcessPool:
            # a page crashed a worker, or a worker was killed above: start fresh workers
            self._restart(pool)
            failure = _Failed("worker_crashed", "the extraction worker stopped while on this page")
        except asyncio.CancelledError as exc:  # shutting down: nobody waits for these pages any more
            failure = exc
        except Exception as exc:  # the pages or their results could not cross to or from the worker
            failure = exc
        finally:
            self._running -= 1
            if exclusive:
                self._isolating = False
        # a page is to blame only when it failed with nothing else running: a crash or a kill takes every
        # task of the pool down with it, so the others (and every page of a batch) are tried again alone
        blamed = exclusive or (len(batch) == 1 and alone and self._started == started)
        if failure is None:
            self.stats.inc_value("extract/tasks")  # pages per task: extract/articles + failures over this
            for (_, done), result in zip(batch, results):
                if not done.done():
                    done.set_result(result)
        elif not blamed and not isinstance(failure, asyncio.CancelledError):
            self._suspects.extend(batch)
        else:
            for _, done in batch:
                if not done.done():
                    done.set_exception(failure if isinstance(failure, Exception) else _Failed(
                        "cancelled", "the crawl stopped before this page was extracted"))
        self._start_tasks()
        if isinstance(failure, asyncio.CancelledError):
            raise failure

    def _count_error(self, item: Article, reason: str) -> None:
        self.stats.inc_value(f"extract/failed/{reason}")
        self.stats.inc_value(f"source/{item.source}/errors/{reason}")
        if reason in ("extraction_timeout", "worker_crashed") and item.feed_url:  # not the page's fault
            self.crawler.signals.send_catch_log(crawler_signals.feed_incomplete, feed_url=item.feed_url)

    def _restart(self, pool: ProcessPoolExecutor, kill: bool = False) -> None:
        if pool is not self.pool:  # another item's failure replaced it already
            return
        if kill:
            for process in list((pool._processes or {}).values()):  # the executor cannot stop a busy worker
                process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        self.pool = self._new_pool()

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


class BoilerplatePipeline:
    """Paragraphs recurring across many articles of one source are removed (reason `boilerplate`)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.num_perm = crawler.settings.getint("DEDUP_BANDS") * crawler.settings.getint("DEDUP_ROWS")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "BoilerplatePipeline":
        return cls(crawler)

    async def process_item(self, item: Article) -> Article:
        if item.fingerprint is None:
            return item
        ext = store_of(self.crawler)
        earlier = await ext.run(self._observe, ext, item)
        if earlier:
            self.stats.inc_value("boilerplate/removed_from_stored_articles", earlier)
            self.stats.inc_value("paragraphs_removed/boilerplate", earlier)
            self.stats.inc_value(f"source/{item.source}/boilerplate_removed", earlier)
        return item

    def _observe(self, ext: "StoreExtension", item: Article) -> int:
        """Runs in the writer thread, where the counts live. Returns paragraphs removed from stored articles."""
        kept, removed, newly = ext.boilerplate.observe(item.source, item.paragraphs)
        if removed:
            drop_lines(item, kept, removed, self.num_perm)
            self.stats.inc_value(f"source/{item.source}/boilerplate_removed", len(removed))
        if not newly:
            return 0
        # lines judged before were taken out of the stored articles then: only the new verdicts are looked for
        newly_judged = set(newly)
        return ext.store.remove_paragraphs(item.source, lambda p: line_key(p) in newly_judged, "boilerplate")


class StorePipeline:
    """Dedups and stores an article in one writer-thread step, so its index entry, its duplicate mark and its
    row commit together: a copy met by another crawl process at the same moment waits for this one
    (crawler.store.IndexPostings.serialised) and then sees it. With CRAWLER_PRINT the record goes to stdout."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.print_only = crawler.settings.getbool("CRAWLER_PRINT")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "StorePipeline":
        return cls(crawler)

    async def process_item(self, item: Article) -> Article:
        ext = store_of(self.crawler)
        entry = None
        if item.fingerprint is not None:
            entry = IndexEntry(item.id, item.fingerprint, publication_day(item), publication_time(item))
            item.fingerprint = None  # a few KB an article: not carried further
        try:
            stored, verdict = await ext.run(self._save, ext, item, entry, self.stats.get_value("run/id"))
        except StoreError as exc:  # the database is gone: nothing of this article was written (one transaction)
            self.stats.inc_value("errors/store_unavailable")
            self.stats.inc_value(f"source/{item.source}/errors/store_unavailable")
            if item.feed_url:  # its feed is read in full next run, which fetches it again
                self.crawler.signals.send_catch_log(crawler_signals.feed_incomplete, feed_url=item.feed_url)
            raise DropItem(f"not stored: {exc}") from None
        if verdict is not None and verdict.reroot:  # a stored original became a copy of this one
            self.stats.inc_value("dedup/duplicate_articles")
            self.stats.inc_value("dedup/originals_replaced")
        if not stored:
            self.stats.inc_value("store/already_stored")
            drop = DropItem("already stored")
            drop.log_level = "DEBUG"  # an expected outcome of overlapping feeds, not a problem
            raise drop
        self.stats.inc_value("store/articles")
        self.stats.inc_value(f"source/{item.source}/new_articles")
        if item.duplicate_of:
            self.stats.inc_value("dedup/duplicate_articles")
            self.stats.inc_value(f"source/{item.source}/duplicates")
        for removed in item.removed:
            self.stats.inc_value(f"paragraphs_removed/{removed.reason}")
        if self.print_only:
            sys.stdout.write(json.dumps(item.to_json(), ensure_ascii=False) + "\n")
            sys.stdout.flush()
        return item

    @staticmethod
    def _save(ext: "StoreExtension", item: Article, entry: IndexEntry | None,
              run_id: int | None) -> tuple[bool, Verdict | None]:
        """Runs in the writer thread, atomic: the index decides, the marks it moves are moved, the row goes in."""
        kept, late = ext.boilerplate.strip(item.source, item.paragraphs)
        if late:  # a line judged boilerplate while this article was on its way: indexed and stored without it
            drop_lines(item, kept, late, ext.index.bands * ext.index.rows)
            if entry is not None:
                entry = IndexEntry(item.id, item.fingerprint, entry.day, entry.published)
            item.fingerprint = None
        verdict = None
        if entry is not None:
            verdict = ext.index.match_or_add(entry)
            if verdict.reroot:
                ext.store.reroot(*verdict.reroot)
            item.duplicate_of, item.cluster_id = verdict.duplicate_of, verdict.cluster_id
        return ext.store.save(item, run_id), verdict
