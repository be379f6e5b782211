"""The Scrapy layer tested directly, as Scrapy tests its own components (scrapy.utils.test.get_crawler): the
feed spider, the conditional-GET middleware, the known-URL dupefilter, the store pipelines and the run
record, over a real SQLite store in a temporary folder. No network, no reactor."""
from __future__ import annotations

import asyncio
import json

import pytest
from conftest import AGENCY_STORY, OTHER_STORY
from scrapy import Request
from scrapy.exceptions import DropItem
from scrapy.http import HtmlResponse, Response, XmlResponse
from scrapy.utils.test import get_crawler

import settings as project
from crawler import signals as crawler_signals
from crawler.dupefilter import KnownUrlsDupeFilter
from crawler.extensions import RunRecorder, store_of
from crawler.pipelines import BoilerplatePipeline, StorePipeline
from crawler.record import Article
from crawler.validators import FeedValidatorsMiddleware
from crawler.worker import sign
from spiders.feeds import FeedSpider
from storage.sqlite import SqliteStore

FEED = "http://127.0.0.1:8000/rss.xml"


@pytest.fixture
def make_crawler(tmp_path):
    made = []

    def make(**extra):
        values = {k: getattr(project, k) for k in dir(project) if k.isupper()}
        sources = tmp_path / "sources.toml"
        sources.write_text(f'[[source]]\nname = "wadi-news"\nfeeds = ["{FEED}"]\nlanguage = "ar"\n', encoding="utf-8")
        values.update(CRAWLER_DB=str(tmp_path / "news.db"), CRAWLER_SOURCES=str(sources),
                      TWISTED_REACTOR_ENABLED=False, LOG_LEVEL="WARNING", **extra)
        crawler = get_crawler(FeedSpider, values)
        crawler.spider = FeedSpider.from_crawler(crawler)
        made.append(crawler)
        return crawler

    yield make
    for crawler in made:
        ext = crawler.extensions and store_of(crawler)
        if ext and not ext._thread._shutdown:
            ext.close()


def run(coroutine):
    return asyncio.run(coroutine)


def stored(tmp_path) -> SqliteStore:
    return SqliteStore(tmp_path / "news.db")


def feed_response(items: list[str], url: str = FEED) -> XmlResponse:
    entries = "".join(f"<item><title>خبر</title><link>{link}</link></item>" for link in items)
    body = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>{entries}</channel></rss>'
    request = Request(url, meta={"source": "wadi-news", "language": "ar", "kind": "feed", "feed_url": url,
                                 "allow_private": True, "conditional": True})
    return XmlResponse(url, body=body.encode(), headers={"Content-Type": "application/rss+xml"}, request=request)


# ------------------------------------------------------------------------------------------------ spider

def test_the_spider_turns_a_feed_into_filterable_article_requests(make_crawler):
    crawler = make_crawler()

    async def collect():
        return [r async for r in crawler.spider.parse_feed(feed_response(
            ["http://127.0.0.1:8000/news/1.html?utm_source=rss", "http://169.254.169.254/latest/meta-data/",
             "/news/2.html"]))]

    requests = run(collect())
    assert [r.url for r in requests] == ["http://127.0.0.1:8000/news/1.html", "http://127.0.0.1:8000/news/2.html"]
    assert not any(r.dont_filter for r in requests)  # the dupefilter decides, so a shared frontier sees them
    assert requests[0].meta["source"] == "wadi-news" and requests[0].meta["language"] == "ar"
    assert crawler.stats.get_value("source/wadi-news/errors/link_local_address") == 1
    assert crawler.stats.get_value("source/wadi-news/entries_seen") == 3


def test_the_spider_packages_an_article_page_with_the_feeds_hints(make_crawler):
    crawler = make_crawler()
    request = Request("http://127.0.0.1:8000/news/1.html", meta={"source": "wadi-news", "language": "ar",
                                                                  "link": "http://127.0.0.1:8000/news/1.html"})
    page = HtmlResponse(request.url, body="<html><body><p>نص</p></body></html>".encode(), encoding="utf-8",
                        request=request, headers={"Content-Type": "text/html; charset=utf-8"})
    (item,) = crawler.spider.parse_article(page)
    assert item.source == "wadi-news" and item.language == "ar" and item.raw_html.startswith(b"<html>")
    pdf = HtmlResponse(request.url, body=b"%PDF-1.4 ...", request=request, headers={"Content-Type": "text/html"})
    assert list(crawler.spider.parse_article(pdf)) == []
    assert crawler.stats.get_value("source/wadi-news/errors/not_html") == 1


# ------------------------------------------------------------------------------------------------ validators

def test_feed_validators_are_sent_back_and_saved_only_after_a_complete_run(make_crawler, tmp_path):
    crawler = make_crawler()
    ext = store_of(crawler)
    run(ext.run(ext.store.set_feed_state, FEED, '"v1"', "Mon, 01 Jan 2024 00:00:00 GMT"))
    middleware = FeedValidatorsMiddleware.from_crawler(crawler)
    request = feed_response([]).request
    run(middleware.process_request(request))
    assert request.headers[b"If-None-Match"] == b'"v1"'
    assert request.headers[b"If-Modified-Since"] == b"Mon, 01 Jan 2024 00:00:00 GMT"
    assert middleware.process_response(request, Response(FEED, status=200, headers={"ETag": '"v2"'})).status == 200

    run(middleware.spider_closed(crawler.spider, "shutdown"))  # interrupted: nothing saved
    assert run(ext.run(ext.store.feed_state, FEED)) == ('"v1"', "Mon, 01 Jan 2024 00:00:00 GMT")
    run(middleware.spider_closed(crawler.spider, "finished"))
    assert run(ext.run(ext.store.feed_state, FEED)) == ('"v2"', None)


def test_a_feed_whose_articles_failed_for_a_passing_reason_is_read_in_full_next_run(make_crawler):
    crawler = make_crawler()
    ext = store_of(crawler)
    middleware = FeedValidatorsMiddleware.from_crawler(crawler)
    middleware.process_response(feed_response([]).request, Response(FEED, status=200, headers={"ETag": '"v2"'}))
    crawler.signals.send_catch_log(crawler_signals.feed_incomplete, feed_url=FEED)
    run(middleware.spider_closed(crawler.spider, "finished"))
    assert run(ext.run(ext.store.feed_state, FEED)) == (None, None)


def test_refetch_sends_no_validators(make_crawler):
    crawler = make_crawler(CRAWLER_REFETCH=True)
    ext = store_of(crawler)
    run(ext.run(ext.store.set_feed_state, FEED, '"v1"', None))
    request = feed_response([]).request
    run(FeedValidatorsMiddleware.from_crawler(crawler).process_request(request))
    assert b"If-None-Match" not in request.headers


# ------------------------------------------------------------------------------------------------ dupefilter

def article_request(url: str, **meta) -> Request:
    return Request(url, meta={"source": "wadi-news", **meta})


def test_the_dupefilter_lets_each_page_through_once_whatever_its_spelling(make_crawler):
    crawler = make_crawler()
    df = KnownUrlsDupeFilter.from_crawler(crawler)
    assert not df.request_seen(article_request("http://x.example/ar/%d9%88?id=1&utm_source=rss"))
    again = article_request("http://x.example/ar/%D9%88?id=1")
    assert df.request_seen(again)
    df.log(again, crawler.spider)
    assert not df.request_seen(article_request("http://x.example/ar/%D9%88?id=2"))
    assert crawler.stats.get_value("source/wadi-news/duplicate_links") == 1
    df.close("finished")


def test_the_dupefilter_skips_stored_articles_unless_refetching(make_crawler, tmp_path):
    store = stored(tmp_path)
    store.save(Article(url="http://x.example/news/1", source="wadi-news", paragraphs=AGENCY_STORY))
    store.close()
    crawler = make_crawler()
    df = KnownUrlsDupeFilter.from_crawler(crawler)
    known = article_request("http://x.example/news/1/")
    assert df.request_seen(known)
    df.log(known, crawler.spider)
    assert crawler.stats.get_value("source/wadi-news/already_stored") == 1
    df.close("finished")
    refetching = KnownUrlsDupeFilter.from_crawler(make_crawler(CRAWLER_REFETCH=True))
    assert not refetching.request_seen(article_request("http://x.example/news/1"))


def test_a_redirect_to_the_same_page_with_a_slash_is_not_a_duplicate(make_crawler):
    df = KnownUrlsDupeFilter.from_crawler(make_crawler())
    assert not df.request_seen(article_request("http://x.example/news/1"))
    assert not df.request_seen(article_request("http://x.example/news/1/",
                                               redirect_urls=["http://x.example/news/1"]))


# ------------------------------------------------------------------------------------------------ pipelines

def signed(url: str, paragraphs: list[str], **kw) -> Article:
    return sign(Article(url=url, canonical_url=url, source=kw.pop("source", "wadi-news"), title="عنوان",
                        paragraphs=list(paragraphs), language="ar", fetched_at="2024-05-01T10:00:00+00:00", **kw))


def test_the_store_pipeline_stores_once_and_marks_the_agency_copy(make_crawler, tmp_path):
    crawler = make_crawler()
    boilerplate, store_pipeline = BoilerplatePipeline.from_crawler(crawler), StorePipeline.from_crawler(crawler)

    async def process(item):
        return await store_pipeline.process_item(await boilerplate.process_item(item))

    original = run(process(signed("http://a.example/1", AGENCY_STORY)))
    copy = run(process(signed("http://b.example/9", ["الرياض - واس:", *AGENCY_STORY], source="sahel-post")))
    with pytest.raises(DropItem, match="already stored"):
        run(process(signed("http://a.example/1", AGENCY_STORY)))
    assert original.duplicate_of is None and copy.duplicate_of == original.id
    assert crawler.stats.get_value("store/articles") == 2 and crawler.stats.get_value("store/already_stored") == 1
    assert crawler.stats.get_value("source/sahel-post/duplicates") == 1
    store_of(crawler).close()
    store = stored(tmp_path)
    assert store.get(copy.id).duplicate_of == original.id and store.count() == 1  # exports leave the copy out


def test_an_earlier_article_crawled_later_becomes_the_original(make_crawler, tmp_path):
    crawler = make_crawler()
    pipeline = StorePipeline.from_crawler(crawler)
    late = run(pipeline.process_item(signed("http://a.example/late", AGENCY_STORY, published="2024-05-02T09:00:00+00:00")))
    early = run(pipeline.process_item(signed("http://b.example/early", AGENCY_STORY[:4],
                                             published="2024-05-01T09:00:00+00:00")))
    assert early.duplicate_of is None and crawler.stats.get_value("dedup/originals_replaced") == 1
    store_of(crawler).close()
    assert stored(tmp_path).get(late.id).duplicate_of == early.id


def test_the_run_is_recorded_with_its_outcome_and_per_source_counts(make_crawler, tmp_path):
    crawler = make_crawler()
    recorder = RunRecorder.from_crawler(crawler)
    run(recorder.spider_opened(crawler.spider))
    crawler.stats.set_value("feeds/requested", 1)
    crawler.stats.set_value("feeds/reached", 1)
    crawler.stats.set_value("source/wadi-news/new_articles", 3)
    crawler.stats.set_value("source/wadi-news/errors/http_404", 1)
    run(recorder.spider_closed(crawler.spider, "finished"))
    store_of(crawler).close()
    summary = stored(tmp_path).summary()
    (last,) = summary["recent_runs"]
    assert last["outcome"] == "completed" and last["failed_items"] == 0
    assert summary["source_health"][0]["last_errors"] == {"http_404": 1}
    assert json.loads(stored(tmp_path).connection.execute("SELECT errors FROM run_sources").fetchone()[0]) == {
        "http_404": 1}


def test_a_sitemap_listed_by_a_public_index_may_not_reach_private_addresses(make_crawler):
    crawler = make_crawler()
    index = ('<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
             "<sitemap><loc>http://10.0.0.5/news-sitemap.xml</loc></sitemap></sitemapindex>")
    url = "https://public.example/sitemap-index.xml"
    request = Request(url, meta={"source": "wadi-news", "kind": "sitemap", "feed_url": url, "allow_private": False})
    response = XmlResponse(url, body=index.encode(), request=request, headers={"Content-Type": "application/xml"})

    async def collect():
        return [r async for r in crawler.spider.parse_feed(response)]

    (child,) = run(collect())
    assert child.url == "http://10.0.0.5/news-sitemap.xml" and child.meta["allow_private"] is False


def test_a_line_judged_boilerplate_while_the_article_was_on_its_way_is_neither_stored_nor_indexed(make_crawler,
                                                                                                  tmp_path):
    from crawler.signatures import fingerprint

    rights = "© حقوق النشر محفوظة لصحيفة بريد الساحل، ولا يجوز إعادة نشر هذا المحتوى دون إذن مكتوب."
    crawler = make_crawler(BOILERPLATE_MIN_ARTICLES=3, BOILERPLATE_MIN_COUNT=3, BOILERPLATE_MIN_SHARE=0.3)
    ext = store_of(crawler)
    late = signed("http://a.example/late", [*AGENCY_STORY[:3], rights])  # observed before the verdict
    for n, paragraph in enumerate(OTHER_STORY):  # then three more articles carry the line: it is judged
        run(ext.run(ext.boilerplate.observe, "wadi-news", [paragraph, rights]))
    stored_item = run(StorePipeline.from_crawler(crawler).process_item(late))
    assert stored_item.paragraphs == AGENCY_STORY[:3] and stored_item.removed[-1].reason == "boilerplate"
    store_of(crawler).close()
    back = stored(tmp_path).get(late.id)
    assert back.paragraphs == AGENCY_STORY[:3]
    assert back.text_hash == fingerprint(AGENCY_STORY[:3]).text_hash  # the fingerprint is of what was stored


def test_a_listings_links_are_looked_up_in_one_batch_and_the_dupefilter_does_not_ask_again(make_crawler, tmp_path):
    from crawler.dupefilter import StoredLinksMiddleware

    store = stored(tmp_path)
    store.save(Article(url="http://127.0.0.1:8000/news/1.html", source="wadi-news", paragraphs=AGENCY_STORY))
    store.close()
    crawler = make_crawler()
    middleware = StoredLinksMiddleware.from_crawler(crawler)
    response = feed_response(["http://127.0.0.1:8000/news/1.html", "http://127.0.0.1:8000/news/2.html"])

    async def collect():
        return [r async for r in middleware.process_spider_output(response, crawler.spider.parse_feed(response))]

    (fresh,) = run(collect())
    assert fresh.url == "http://127.0.0.1:8000/news/2.html"
    assert crawler.stats.get_value("source/wadi-news/already_stored") == 1

    class NotAsked:
        def __contains__(self, key):
            raise AssertionError("the store was asked again on the reactor thread")

        def close(self):
            pass

    df = KnownUrlsDupeFilter.from_crawler(crawler)
    df.stored = NotAsked()
    assert not df.request_seen(fresh)
    assert df.request_seen(fresh.replace(url="http://127.0.0.1:8000/news/2.html#top"))  # same key: seen
