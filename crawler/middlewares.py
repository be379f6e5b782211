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
from scrapy.exceptions import CannotResolveHostError, IgnoreRequest
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.error import DNSLookupError

from crawler.resolver import SafeResolver
from crawler.urls import address_class, address_kind, literal_address

LOGGER = logging.getLogger(__name__)


class RefusedLink(IgnoreRequest):
    """A link a feed pointed at that the crawler will not follow; `reason` is the counted stats key."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class SafeLinksMiddleware:
    """A feed is untrusted input: follow only http(s), never link-local addresses (cloud metadata), and
    loopback or private addresses only for a source whose own feed lives on such an address
    (request.meta["allow_private"], set by the spider) or on a host the user named (a configured feed,
    sitemap or page, a `scrape` URL: wherever its name resolves is the user's choice).

    A literal address is judged as written; a host name by the address it resolves to, which
    crawler.resolver.SafeResolver pins so that the download connects to the address judged here. Both are
    refused, counted and logged the same way, before anything is sent.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self._named: set[str] | None = None
        # hosts a request was allowed to reach at a private address: their robots.txt may be fetched too
        self._private_hosts: set[str] = set()
        self._resolver: SafeResolver | None = None
        self._resolver_looked_up = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "SafeLinksMiddleware":
        return cls(crawler)

    async def process_request(self, request: Request, spider: Any = None) -> None:
        parts = urlsplit(request.url)
        allowed = self._may_be_private(request, parts.netloc, parts.path)
        kind = address_class(request.url)
        reason = "bad_scheme" if parts.scheme.lower() not in ("http", "https") else refusal_for(kind, allowed)
        if reason:
            self._refuse(request, reason)
        host = parts.hostname or ""
        resolver = self._safe_resolver()
        if host and not literal_address(host) and resolver is not None:
            try:
                address = await maybe_deferred_to_future(resolver.address_of(host))
            except DNSLookupError as exc:  # as the download itself would have failed: retried, then counted
                raise CannotResolveHostError(str(exc)) from exc
            kind = address_kind(address)
            reason = refusal_for(kind, allowed)
            if reason:
                self._refuse(request, reason, f"{host} is {address}")
            if kind in ("loopback", "private"):
                resolver.allow_private(host)
        if kind in ("loopback", "private"):
            self._private_hosts.add(parts.netloc)

    def _may_be_private(self, request: Request, netloc: str, path: str) -> bool:
        if request.meta.get("allow_private") or netloc in self._named_hosts():
            return True
        # robots.txt requests carry no meta of their own: they go where their host's pages may go
        return bool(request.meta.get("dont_obey_robotstxt")) and path == "/robots.txt" and netloc in self._private_hosts

    def _named_hosts(self) -> set[str]:
        if self._named is None:
            spider = self.crawler.spider
            named = [u for s in getattr(spider, "sources", ()) for u in (*s.feeds, *s.sitemaps, *s.pages)]
            self._named = {urlsplit(u).netloc for u in (*named, *getattr(spider, "urls", ()))}
        return self._named

    def _safe_resolver(self) -> SafeResolver | None:
        """The resolver Scrapy installed (after the middlewares were built), if it is one that pins."""
        if not self._resolver_looked_up:
            from twisted.internet import reactor

            self._resolver_looked_up = True
            installed = getattr(reactor, "resolver", None)
            if isinstance(installed, SafeResolver):
                self._resolver = installed
            else:
                LOGGER.warning("the DNS resolver is %s, not crawler.resolver.SafeResolver (TWISTED_DNS_RESOLVER): "
                               "host names that resolve to private addresses are not refused",
                               type(installed).__name__)
        return self._resolver

    def _refuse(self, request: Request, reason: str, resolved: str = "") -> None:
        self.stats.inc_value(f"refused/{reason}")
        self.stats.inc_value(f"errors/{reason}")
        source = request.meta.get("source")
        if source:
            self.stats.inc_value(f"source/{source}/errors/{reason}")
        detail = f" ({resolved})" if resolved else ""
        LOGGER.warning("refused %s: %s%s", request.url, reason.replace("_", " "), detail)
        raise RefusedLink(reason, f"refused {request.url}: {reason}{detail}")


def refusal_reason(url: str, allow_private: bool) -> str | None:
    """Why a URL may not be followed as written (scheme, literal address, local name), or None."""
    scheme = url.split(":", 1)[0].lower()
    if scheme not in ("http", "https"):
        return "bad_scheme"
    return refusal_for(address_class(url), allow_private)


def refusal_for(kind: str, allow_private: bool) -> str | None:
    """The counted reason an address of this kind (crawler.urls.address_kind) may not be reached, or None."""
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
