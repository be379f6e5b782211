"""The extraction pipeline survives pages that hang or crash a worker, and keeps extracting the others.

The workers are forked (a spawned pool re-imports everything: 0.7 s a pool) and the pipeline gets a short
timeout: a page that hangs is killed after TIMEOUT, the other pages take milliseconds."""
import asyncio
from types import SimpleNamespace

from scrapy.exceptions import DropItem
from slow_work import crash_on_bad_pages, hang_on_slow_pages, record_batches

from scrapy.signalmanager import SignalManager

from crawler.pipelines import ExtractPipeline
from crawler.signals import feed_incomplete
from crawler.record import Article
from crawler.worker import WorkerConfig


class Stats(dict):
    def inc_value(self, key, count=1):
        self[key] = self.get(key, 0) + count

    def set_value(self, key, value):
        self[key] = value

    def get_value(self, key, default=None):
        return self.get(key, default)


TIMEOUT = 0.3
TIMED_OUT = f"extraction took longer than {TIMEOUT:g} s"


def pipeline(work, batch=8):
    crawler = SimpleNamespace(stats=Stats(), signals=SignalManager(), feeds_to_retry=set())
    crawler.signals.connect(lambda feed_url: crawler.feeds_to_retry.add(feed_url), signal=feed_incomplete, weak=False)
    p = ExtractPipeline(crawler, 2, WorkerConfig(), timeout=TIMEOUT, work=work, batch=batch, start_method="fork")
    p.open_spider()
    return p, crawler


def item(url):
    return Article(url=url, source="s", raw_html=b"<html></html>", feed_url="https://s.example/rss")


async def run_all(p, urls):
    async def one(url):
        try:
            return await p.process_item(item(url))
        except DropItem as exc:
            return str(exc)
    return await asyncio.gather(*(one(u) for u in urls))


def test_a_page_that_hangs_is_dropped_with_a_reason_and_later_pages_still_extract():
    p, crawler = pipeline(hang_on_slow_pages)
    try:
        first = asyncio.run(run_all(p, ["https://s.example/slow"]))
        later = asyncio.run(run_all(p, ["https://s.example/a", "https://s.example/b"]))
    finally:
        p.close_spider()
    assert first == [TIMED_OUT]
    assert [a.url for a in later] == ["https://s.example/a", "https://s.example/b"]
    assert crawler.stats.get_value("source/s/errors/extraction_timeout") == 1
    assert crawler.feeds_to_retry == {"https://s.example/rss"}


def test_a_page_that_kills_its_worker_is_dropped_and_the_pool_comes_back():
    p, crawler = pipeline(crash_on_bad_pages)
    try:
        first = asyncio.run(run_all(p, ["https://s.example/bad"]))
        later = asyncio.run(run_all(p, ["https://s.example/c"]))
    finally:
        p.close_spider()
    assert first == ["the extraction worker stopped while on this page"]
    assert later[0].url == "https://s.example/c"
    assert later[0].feed_url == "https://s.example/rss"  # a failure to store it later still names its feed
    assert crawler.stats.get_value("source/s/errors/worker_crashed") == 1


def test_pages_waiting_for_a_busy_worker_go_together_and_come_back_to_their_own_items():
    p, _ = pipeline(record_batches, batch=4)
    urls = ["https://s.example/busy-1", "https://s.example/busy-2", *(f"https://s.example/{i}" for i in range(6))]
    try:
        articles = asyncio.run(run_all(p, urls))
    finally:
        p.close_spider()
    assert [a.url for a in articles] == urls
    sizes = [int(a.description) for a in articles]
    assert sizes[:2] == [1, 1] and max(sizes) == 4 and sum(sizes[2:]) > 6  # the busy pages went alone


def test_a_page_that_hangs_a_batch_is_found_by_trying_its_pages_alone():
    p, crawler = pipeline(hang_on_slow_pages)
    urls = ["https://s.example/busy-1", "https://s.example/busy-2", "https://s.example/a", "https://s.example/slow",
            "https://s.example/b"]
    try:
        results = asyncio.run(run_all(p, urls))
    finally:
        p.close_spider()
    assert [r if isinstance(r, str) else r.url for r in results] == [
        "https://s.example/busy-1", "https://s.example/busy-2", "https://s.example/a",
        TIMED_OUT, "https://s.example/b"]
    assert crawler.stats.get_value("source/s/errors/extraction_timeout") == 1


def test_a_page_that_crashes_its_batch_is_the_only_one_dropped_though_its_batch_mates_ran_beside_it():
    p, crawler = pipeline(crash_on_bad_pages, batch=4)
    urls = ["https://s.example/busy-1", "https://s.example/busy-2", "https://s.example/ok-1", "https://s.example/bad",
            "https://s.example/ok-2", "https://s.example/ok-3"]
    try:
        results = asyncio.run(run_all(p, urls))
    finally:
        p.close_spider()
    assert [r if isinstance(r, str) else r.url for r in results] == [
        *urls[:3], "the extraction worker stopped while on this page", *urls[4:]]
    assert crawler.stats.get_value("source/s/errors/worker_crashed") == 1
