"""A resolver for test crawls that answers from a table instead of DNS: the crawl under test still runs
crawler.resolver.SafeResolver's pinning and checks, only its look-up is replaced.

Select it with `-s TWISTED_DNS_RESOLVER=tests.mapped_dns.MappedResolver -s TEST_DNS_MAP='{"name": "address"}'`
(a JSON object in a setting); names not in the table are looked up as usual.
"""
from __future__ import annotations

import json
from typing import Any

from twisted.internet import defer

from crawler.resolver import SafeResolver


class MappedResolver(SafeResolver):
    def __init__(self, reactor: Any, cache_size: int, timeout: float, table: dict[str, str]) -> None:
        super().__init__(reactor, cache_size, timeout)
        self.table = table

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> "MappedResolver":
        table = crawler.settings.get("TEST_DNS_MAP") or {}
        return cls(reactor, 0, crawler.settings.getfloat("DNS_TIMEOUT"),
                   json.loads(table) if isinstance(table, str) else dict(table))

    def lookup(self, name: str) -> defer.Deferred[str]:
        if name in self.table:
            return defer.succeed(self.table[name])
        return super().lookup(name)
