"""Downloader middlewares: which links may be followed at all, and retries that respect the server."""
from __future__ import annotations

import asyncio
import email.utils
import logging
import time
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.urls import address_class

LOGGER = logging.getLogger(__name__)


class RefusedLink(IgnoreRequest):
    """A link a feed pointed at that the crawler will not follow; `reason` is the counted stats key."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class SafeLinksMiddleware:
    """A feed is untrusted input: follow only http(s), never link-local addresses (cloud metadata),
    and loopback or private addresses only when the source's own feed lives on such an address
    (request.meta["allow_private"], set by the spider)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "SafeLinksMiddleware":
        return cls(crawler)

    def process_request(self, request: Request, spider: Any = None) -> None:
        # robots.txt requests carry no meta: a host the sources themselves live on is trusted
        trusted = urlsplit(request.url).netloc in getattr(self.crawler.spider, "local_hosts", ())
        reason = refusal_reason(request.url, bool(request.meta.get("allow_private")) or trusted)
        if reason:
            self.stats.inc_value(f"refused/{reason}")
            self.stats.inc_value(f"errors/{reason}")
            source = request.meta.get("source")
            if source:
                self.stats.inc_value(f"source/{source}/errors/{reason}")
            LOGGER.warning("refused %s: %s", request.url, reason.replace("_", " "))
            raise RefusedLink(reason, f"refused {request.url}: {reason}")


def refusal_reason(url: str, allow_private: bool) -> str | None:
    scheme = url.split(":", 1)[0].lower()
    if scheme not in ("http", "https"):
        return "bad_scheme"
    kind = address_class(url)
    if kind == "link_local":
        return "link_local_address"
    if kind in ("loopback", "private") and not allow_private:
        return "private_address"
    return None


class PoliteRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, plus exponential backoff and the server's Retry-After (within RETRY_AFTER_MAX)."""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.retry_after_max = settings.getfloat("RETRY_AFTER_MAX", 120.0)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        wait = self._wait(request, response)
        if wait is None:
            LOGGER.warning("%s answered %s with Retry-After beyond %ss: not retried in this run",
                           request.url, response.status, int(self.retry_after_max))
            self.crawler.stats.inc_value("retry/retry_after_too_long")
            return response
        retry = self._retry(request, f"{response.status} response")
        if retry is None:
            return response
        if wait > 0:
            await asyncio.sleep(wait)
        return retry

    def _wait(self, request: Request, response: Response) -> float | None:
        attempt = request.meta.get("retry_times", 0)
        backoff = self.backoff_base * (2**attempt)
        header = response.headers.get(b"Retry-After")
        if not header:
            return backoff
        value = header.decode("latin-1").strip()
        if value.isdigit():
            seconds = float(value)
        else:
            try:  # an HTTP date; servers also send garbage here
                parsed = email.utils.parsedate_to_datetime(value)
                seconds = max(0.0, parsed.timestamp() - time.time())
            except (TypeError, ValueError, IndexError, OverflowError):
                seconds = backoff
        return None if seconds > self.retry_after_max else max(seconds, backoff)
