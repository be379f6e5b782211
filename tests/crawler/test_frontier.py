"""The shared frontier's parts over the session's real Redis: every request the spiders make survives the
queue's pickling, the dupefilter keys by URL identity and skips stored articles, runs are joined and left."""
from __future__ import annotations

import asyncio
import pickle

import pytest
import redis
from scrapy import Request
from scrapy.http import HtmlResponse, XmlResponse
from scrapy.settings import Settings
from scrapy.utils.request import request_from_dict
from scrapy.utils.test import get_crawler

import settings as project
from crawler import frontier
from crawler.extensions import store_of
from crawler.record import Article
from spiders.feeds import FeedSpider
from spiders.scrape import ScrapeSpider
from storage.sqlite import SqliteStore

BASE = "http://127.0.0.1:8000"
SITEMAP_INDEX = (f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                 f'<sitemap><loc>{BASE}/news-1.xml</loc></sitemap></sitemapindex>')


@pytest.fixture
def make_crawler(tmp_path, redis_url):
    made = []

    def make(spider_cls=FeedSpider, **extra):
        values = {k: getattr(project, k) for k in dir(project) if k.isupper()}
        sources = tmp_path / "sources.toml"
        sources.write_text(f'[[source]]\nname = "wadi-news"\nfeeds = ["{BASE}/rss.xml"]\nsitemaps = ["{BASE}/sitemap.xml"]\n'
                           f'pages = ["{BASE}/politics"]\nlanguage = "ar"\n', encoding="utf-8")
        values.update(CRAWLER_DB=str(tmp_path / "news.db"), CRAWLER_SOURCES=str(sources), CRAWLER_FRONTIER=redis_url,
                      TWISTED_REACTOR_ENABLED=False, LOG_LEVEL="WARNING", **extra)
        crawler = get_crawler(spider_cls, values)
        crawler.spider = spider_cls.from_crawler(crawler, **({"urls": [f"{BASE}/a.html"]}
                                                            if spider_cls is ScrapeSpider else {}))
        made.append(crawler)
        return crawler

    yield make
    for crawler in made:
        ext = crawler.extensions and store_of(crawler)
        if ext and not ext._thread._shutdown:
            ext.close()


def every_request(crawler) -> list[Request]:
    spider = crawler.spider

    async def collect():
        found = [r async for r in spider.start()]
        feed = XmlResponse(f"{BASE}/rss.xml", request=found[0], headers={"Content-Type": "application/rss+xml"}, body=(
            '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>خبر</title>'
            f'<link>{BASE}/news/1.html?utm_source=x</link><pubDate>Tue, 19 Sep 2023 10:00:00 GMT</pubDate></item>'
            '</channel></rss>').encode())
        found += [r async for r in spider.parse_feed(feed)]
        index = XmlResponse(f"{BASE}/sitemap.xml", request=found[1], body=SITEMAP_INDEX.encode())
        found += [r async for r in spider.parse_feed(index)]
        section = HtmlResponse(f"{BASE}/politics", request=found[2], encoding="utf-8",
                               body=f'<html><body><a href="{BASE}/news/2024/05/story-7.html">خبر</a></body></html>'.encode())
        found += [r async for r in spider.parse_section(section)]
        return found

    return asyncio.run(collect())


def test_every_request_the_spiders_make_survives_the_queues_pickling(make_crawler):
    crawler = make_crawler()
    requests = every_request(crawler)
    assert {r.callback.__name__ for r in requests} == {"parse_feed", "parse_section", "parse_article"}
    assert len(requests) == 6 and not any(r.dont_filter for r in requests)  # the frontier filters feeds too
    scrape = make_crawler(ScrapeSpider)
    requests += asyncio.run(_start(scrape.spider))
    for request in requests:
        spider = scrape.spider if request.callback.__name__ == "parse_any" else crawler.spider
        back = request_from_dict(pickle.loads(pickle.dumps(request.to_dict(spider=spider), protocol=-1)), spider=spider)
        assert (back.url, back.callback, back.errback, back.meta) == (request.url, request.callback, request.errback,
                                                                      request.meta)


async def _start(spider):
    return [r async for r in spider.start()]


def test_the_dupefilter_lets_each_page_through_once_per_run_and_never_a_stored_one(make_crawler, tmp_path, redis_url):
    store = SqliteStore(tmp_path / "news.db")
    store.save(Article(url=f"{BASE}/news/stored", source="wadi-news", paragraphs=["نص"]))
    store.close()
    crawler = make_crawler(SCHEDULER_DUPEFILTER_KEY="%(spider)s:run-1:dupefilter")
    other_worker = make_crawler(SCHEDULER_DUPEFILTER_KEY="%(spider)s:run-1:dupefilter")
    next_run = make_crawler(SCHEDULER_DUPEFILTER_KEY="%(spider)s:run-2:dupefilter")
    df, df2, df3 = (frontier.FrontierDupeFilter.from_spider(c.spider) for c in (crawler, other_worker, next_run))
    article = Request(f"{BASE}/ar/%d9%88?id=1&utm_source=rss", meta={"source": "wadi-news"})
    assert not df.request_seen(article)
    assert df2.request_seen(Request(f"{BASE}/ar/%D9%88?id=1", meta={"source": "wadi-news"}))  # same page, other worker
    assert not df3.request_seen(article)  # the next run asks again (a lost request is not lost for good)
    stored = Request(f"{BASE}/news/stored/", meta={"source": "wadi-news"})
    assert df.request_seen(stored)
    df.log(stored, crawler.spider)
    assert crawler.stats.get_value("source/wadi-news/already_stored") == 1
    feed = Request(f"{BASE}/rss.xml", meta={"source": "wadi-news", "listing": True})
    crawler.stats.set_value("feeds/requested", 1)
    assert not df.request_seen(feed) and df2.request_seen(feed)
    df2.log(feed, other_worker.spider)
    assert other_worker.stats.get_value("frontier/listings_taken_by_other_workers") == 1
    assert redis.Redis.from_url(redis_url).scard("feeds:run-1:dupefilter") == 2
    for d in (df, df2, df3):
        d.close("finished")
    assert redis.Redis.from_url(redis_url).exists("feeds:run-1:dupefilter")  # shared: never deleted by one worker


def fresh_settings(url: str) -> Settings:
    return Settings({"CRAWLER_FRONTIER": url, "EXTENSIONS": {}})


def test_workers_join_the_live_run_and_the_last_one_out_deletes_it(redis_url):
    client = redis.Redis.from_url(redis_url)
    first, second = fresh_settings(redis_url), fresh_settings(redis_url)
    run = frontier.join(first, "feeds")
    assert frontier.join(second, "feeds") == run  # alive workers: the same run
    assert first.get("SCHEDULER_QUEUE_KEY") == f"feeds:{run}:requests" and first.getbool("SCHEDULER_PERSIST")
    keys = frontier.frontier_keys("feeds", run)
    client.zadd(keys["workers"], {"other-host:1": 0})  # a worker whose heartbeat stopped long ago
    client.sadd(keys["dupefilter"], "x")
    me = first.get("CRAWLER_FRONTIER_WORKER")
    assert client.eval(frontier._LEAVE, 7, keys["workers"], keys["busy"], keys["run"], keys["queue"],
                       keys["dupefilter"], keys["lost"], keys["started"], me, run) == 1  # the only live one
    assert not client.exists(keys["run"], keys["dupefilter"])
    assert frontier.join(fresh_settings(redis_url), "feeds") != run  # nobody alive: a new run


def test_an_unreachable_frontier_is_named():
    with pytest.raises(frontier.FrontierError, match="Redis at 127.0.0.1:1"):
        frontier.join(fresh_settings("redis://127.0.0.1:1/0"), "feeds")
