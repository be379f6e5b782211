"""One PostgreSQL connection, the lock that gives it to one thread at a time, and what to do when it is lost.

The connection is in autocommit mode: `transaction()` is psycopg's own (BEGIN ... COMMIT, or a savepoint
when one is already open), so each store method is atomic alone and nests inside a writer's call.

A connection can be lost mid-crawl (the server restarted, a network cut, pg_terminate_backend). The
server rolls back whatever transaction was open, so nothing is half-written; `lost()` tells such an error
from an ordinary one, and the next use reconnects. Reads outside a transaction are retried once on a new
connection (`retrying`); writes are retried whole by the writer (storage.postgres.writes).
"""
from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterator, TypeVar
from urllib.parse import urlsplit

import psycopg

from crawler.store import NoSuchStore, StoreError, display_url

LOGGER = logging.getLogger(__name__)
T = TypeVar("T")

CONNECT_TIMEOUT = 10  # seconds: an unreachable server is said at once, not after the OS's minutes
UNDEFINED_DATABASE = "3D000"


def server_of(url: str) -> str:
    """"postgresql://user:pw@db.example:5433/news" -> "PostgreSQL at db.example:5433/news" (never the password)."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    return f"PostgreSQL at {host}:{parts.port or 5432}{parts.path or ''}"


def connect(url: str, *, readonly: bool = False) -> psycopg.Connection:
    """An autocommit connection, or the StoreError that names the server and says why not."""
    options = "-c default_transaction_read_only=on" if readonly else None
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT,
                               **({"options": options} if options else {}))
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if getattr(exc, "sqlstate", None) == UNDEFINED_DATABASE or "does not exist" in reason:
            error = NoSuchStore if readonly else StoreError
            raise error(f"{server_of(url)}: {reason} (create it first: createdb, or CREATE DATABASE)") from None
        raise StoreError(f"cannot connect to {server_of(url)}: {reason}") from None
    except ValueError as exc:  # a malformed URL (psycopg's conninfo parser)
        raise StoreError(f"{display_url(url)}: {exc}") from None


def lost(exc: BaseException, conn: psycopg.Connection | None) -> bool:
    """Whether exc means the connection is gone (rather than a statement that failed on a live one)."""
    return isinstance(exc, psycopg.OperationalError) and (conn is None or conn.closed or conn.broken)


class Session:
    """A connection shared by the store's components, replaced when it is lost."""

    def __init__(self, url: str, *, readonly: bool = False) -> None:
        self.url = url
        self.readonly = readonly
        self.lock = threading.RLock()
        self._depth = 0  # transaction() blocks open: a connection lost inside one is not silently replaced
        self._conn: psycopg.Connection | None = connect(url, readonly=readonly)

    @property
    def conn(self) -> psycopg.Connection:
        """The live connection (a new one if the last was lost, outside a transaction); call with the lock held."""
        if self._conn is None or self._conn.closed or self._conn.broken:
            if self._depth:  # what the transaction wrote went with the connection: the caller must start over
                raise psycopg.OperationalError(f"the connection to {server_of(self.url)} was lost in a transaction")
            if self._conn is not None:
                LOGGER.warning("the connection to %s was lost: reconnecting", server_of(self.url))
                self._conn.close()
            self._conn = None
            self._conn = connect(self.url, readonly=self.readonly)
        return self._conn

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection]:
        """Atomic: a transaction of its own, or a savepoint of the one open on this connection."""
        with self.lock:
            conn = self.conn
            self._depth += 1
            try:
                with conn.transaction():
                    yield conn
            finally:
                self._depth -= 1

    def retrying(self, fn: Callable[[psycopg.Connection], T]) -> T:
        """fn(conn) for a read: outside a transaction, a lost connection is replaced and fn tried again once."""
        with self.lock:
            conn = self.conn
            try:
                return fn(conn)
            except psycopg.OperationalError as exc:
                if not lost(exc, conn) or self._depth:
                    raise
                return fn(self.conn)

    def execute(self, query: Any, params: Any = None) -> psycopg.Cursor:
        """A statement run with retrying(): for reads outside a writer's transaction."""
        return self.retrying(lambda conn: conn.execute(query, params))

    def close(self) -> None:
        with self.lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
