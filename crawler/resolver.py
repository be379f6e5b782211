"""The DNS resolver (settings TWISTED_DNS_RESOLVER): a host name is checked at the address it connects to.

A public feed may link to a host name that resolves to 169.254.169.254 (cloud metadata), 127.0.0.1 or 10.x,
because the feed is hostile or because its DNS answers one address to a check and another to the
connection that follows (DNS rebinding). So the check has to be made on the address the download will use:

- SafeResolver is Scrapy's default resolver (CachingThreadedResolver: lookups in the reactor's thread
  pool, so the reactor never waits on DNS; DNSCACHE_*, DNS_TIMEOUT) that pins each name to the first
  address it resolved to, for the rest of the run. SafeLinksMiddleware (crawler/middlewares.py) asks it
  for that address before a request is downloaded and refuses, counts and logs as it does for literal
  addresses; the download then connects to the same address, because the name is pinned.
- Whatever asks, the resolver itself never hands out a link-local address, nor a loopback or private one
  for a name no request was allowed to reach that way (`allow_private`, called by the middleware for a
  source whose own feed is on such an address, or a host the user named): a request that got around the
  middleware still cannot connect there.

Literal addresses are the middleware's to judge (it has the request); they pass through here unchanged.
"""
from __future__ import annotations

import logging
from typing import Any, Sequence

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer
from twisted.internet.error import DNSLookupError

from crawler.urls import address_kind, literal_address

LOGGER = logging.getLogger(__name__)


class UnsafeAddress(DNSLookupError):
    """A name resolved to an address it may not be connected to."""


class SafeResolver(CachingThreadedResolver):
    def __init__(self, reactor: Any, cache_size: int, timeout: float) -> None:
        super().__init__(reactor, cache_size, timeout)
        self._pinned: dict[str, str] = {}
        self._private_ok: set[str] = set()

    def address_of(self, name: str) -> defer.Deferred[str]:
        """The address `name` connects to in this run: looked up once, then the same answer every time."""
        key = _key(name)
        pinned = self._pinned.get(key)
        if pinned is not None:
            return defer.succeed(pinned)
        return self.lookup(name).addCallback(lambda address: self._pinned.setdefault(key, address))

    def lookup(self, name: str) -> defer.Deferred[str]:
        """One look-up: Scrapy's cached, threaded gethostbyname. Tests map names here (tests/mapped_dns.py)."""
        return super().getHostByName(name)

    def allow_private(self, name: str) -> None:
        """A request may reach `name` at a loopback or private address (never at a link-local one)."""
        self._private_ok.add(_key(name))

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> defer.Deferred[str]:  # noqa: N802
        """What the download connects to (Twisted's resolver interface)."""
        if literal_address(name):
            return self.lookup(name)
        return self.address_of(name).addCallback(self._refuse_unsafe, name)

    def _refuse_unsafe(self, address: str, name: str) -> str:
        kind = address_kind(address)
        if kind == "link_local" or (kind in ("loopback", "private") and _key(name) not in self._private_ok):
            LOGGER.warning("not connecting to %s: it resolves to %s, a %s address", name, address,
                           kind.replace("_", "-"))
            raise UnsafeAddress(f"{name} resolves to {address}")
        return address


def _key(name: str) -> str:
    """One spelling per name: the link check sees the URL's host, the connection the host as the agent wrote it."""
    return name.rstrip(".").lower()
