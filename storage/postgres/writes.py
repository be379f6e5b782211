"""The crawl writer's calls on PostgreSQL: each call is one transaction, committed when it returns.

SQLite's writer shares one commit among a batch of calls (storage.sqlite.transaction.BatchedWrites). Here
that would be wrong: the dedup decision holds a transaction-scoped advisory lock
(storage.postgres.postings), held until the top-level COMMIT, so a batch would keep every other crawl
process from deciding any article for as long as the batch stays open. One commit per call holds it for
one article's match-or-add and save (docs/benchmarks.md has what that costs).

A call that meets a deadlock or a serialization failure (two processes counting the same source's
boilerplate lines) is run again; one whose connection was lost is run again on a new connection once,
then given up with a StoreError that names the server. The server rolled back the lost transaction, so
the article was not half-written.
"""
from __future__ import annotations

import logging
import time
from typing import Any, Callable, TypeVar

import psycopg
from psycopg import errors

from crawler.store import StoreError
from storage.postgres.session import Session, lost, server_of

LOGGER = logging.getLogger(__name__)
T = TypeVar("T")

CONFLICT_RETRIES = 5
RECONNECT_RETRIES = 1
CONFLICTS = (errors.DeadlockDetected, errors.SerializationFailure)


class PerCallWrites:
    """crawler.store.WriteBatch for PostgreSQL: each `call` commits on its own; `flush` has nothing to do.

    `max_items` / `max_seconds` are accepted for the protocol and not used (see the module's docstring)."""

    def __init__(self, session: Session, max_items: int = 50, max_seconds: float = 1.0,
                 on_lost: Callable[[int], None] | None = None) -> None:
        self.session = session
        self.max_items, self.max_seconds = max_items, max_seconds
        self.on_lost = on_lost or (lambda _count: None)  # no acknowledged write is ever undone here

    def call(self, fn: Callable[..., T], *args: Any) -> T:
        conflicts = reconnects = 0
        while True:
            conn = None
            try:
                with self.session.lock:
                    conn = self.session.conn
                    with self.session.transaction():
                        return fn(*args)
            except CONFLICTS as exc:
                conflicts += 1
                if conflicts > CONFLICT_RETRIES:
                    raise
                LOGGER.info("write conflict with another process (%s): trying again", type(exc).__name__)
                time.sleep(0.01 * conflicts)
            except psycopg.OperationalError as exc:
                if not lost(exc, conn):
                    raise
                reconnects += 1
                if reconnects > RECONNECT_RETRIES:
                    raise StoreError(f"lost the connection to {server_of(self.session.url)}: "
                                     f"{str(exc).strip().splitlines()[0] if str(exc).strip() else exc!r}") from None
                LOGGER.warning("the connection to %s was lost during a write (rolled back): trying it again",
                               server_of(self.session.url))
            except psycopg.Error as exc:
                if lost(exc, conn):
                    raise StoreError(f"lost the connection to {server_of(self.session.url)}: {exc}") from None
                raise

    def flush(self) -> None:
        """Every call committed already."""
