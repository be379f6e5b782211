"""The scrape spider: one-off URLs, each a feed (or sitemap) or an article page, told apart by content."""
from __future__ import annotations

from typing import Any, AsyncIterator
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.feeds import looks_like_feed
from crawler.urls import is_local
from spiders.feeds import FeedSpider


class ScrapeSpider(FeedSpider):
    name = "scrape"

    def __init__(self, urls: str | list[str] = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = urls.split() if isinstance(urls, str) else list(urls)

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> "ScrapeSpider":
        spider = super(FeedSpider, cls).from_crawler(crawler, *args, **kwargs)
        return spider

    async def start(self) -> AsyncIterator[Any]:
        for url in self.urls:
            self.crawler.stats.inc_value("feeds/requested")
            # not dont_filter: an article page stored before is skipped (and said so) unless --refetch
            yield scrapy.Request(
                url,
                callback=self.parse_any,
                errback=self.on_error,
                meta={
                    "source": (urlsplit(url).hostname or "scrape").removeprefix("www."),
                    "feed_url": url,
                    "link": url,
                    "user_given": True,
                    # the user named this URL: its own host may be local
                    "allow_private": is_local(url),
                },
            )

    async def parse_any(self, response: Response) -> AsyncIterator[Any]:
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        if looks_like_feed(response.body, content_type):
            head = response.body[:4096]
            response.meta["kind"] = "sitemap" if b"<urlset" in head or b"<sitemapindex" in head else "feed"
            async for request in self.parse_feed(response):
                yield request
        else:
            self.crawler.stats.inc_value("feeds/reached")
            for item in self.parse_article(response):
                yield item

    def on_error(self, failure: Failure) -> None:
        """A page that answered with an HTTP error is a failed item, counted, not a run that reached nothing:
        only when no server answered at all does the run fail (exit code 1)."""
        if failure.check(HttpError):
            self.crawler.stats.inc_value("feeds/reached")
        super().on_error(failure)
