"""What the crawler needs from a store, and how one is opened.

The protocols here are the whole of what crawler code calls: the articles, feed validators and run records
(`Store`), the cross-article dedup index's postings (`IndexPostings`) and the site-boilerplate counts
(`BoilerplateCounts`), which live in the same database so that an article and its index rows commit
together. Backends implement them in storage/ (storage/sqlite, storage/postgres) and are chosen by the
database URL's scheme through the STORE_BACKENDS setting, loaded by name as Scrapy loads its scheduler:
the crawler package imports no backend, and storage imports only the record types from here.
"""
from __future__ import annotations

import os
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Mapping, Protocol, TypeVar
from urllib.parse import urlsplit

from crawler.record import Article

T = TypeVar("T")

DEFAULT_BACKENDS: dict[str, str] = {
    "sqlite": "storage.sqlite.SqliteStore",
    "postgresql": "storage.postgres.PostgresStore",
}
_SCHEME_ALIASES = {"postgres": "postgresql", "postgresql+psycopg": "postgresql", "file": "sqlite"}


# what Store.dump / Store.load copy, in the order `migrate` copies them
RECORD_KINDS = ("meta", "runs", "feeds", "boilerplate_sources", "boilerplate_lines", "articles", "index")
# what Store.tallies counts
TALLIES = ("articles", "article_urls", "removed_paragraphs", "index_entries", "index_bands", "index_anchors",
           "runs", "run_sources", "feeds", "boilerplate_sources", "boilerplate_lines")


class StoreError(RuntimeError):
    """The store cannot be opened, read or written: a run-level failure (exit code 3), not an item-level one."""


class NoSuchStore(StoreError):
    """A read-only command pointed at a database that does not exist (exit code 2: crawl first)."""


class UnknownBackend(ValueError):
    """A database URL whose scheme no backend serves (exit code 2)."""


@dataclass(frozen=True)
class ExportFilter:
    """Which stored articles an export (or any reader) wants."""

    # absolute bounds (crawler.date_policy.absolute_bound), compared as instants with each article's
    # publication instant; a day alone in `until` includes the whole day
    since: str | None = None
    until: str | None = None
    sources: tuple[str, ...] = ()
    language: str | None = None
    min_words: int = 0
    include_duplicates: bool = False


@dataclass(frozen=True)
class ReportSelection:
    """Which stored articles and runs a report covers: by when they were fetched (the report is about what
    the crawler did), not by publication, so undated articles count too."""

    fetched_from: float | None = None  # epoch seconds UTC, inclusive
    fetched_before: float | None = None  # epoch seconds UTC, exclusive
    sources: tuple[str, ...] = ()
    clusters: int = 15  # how many of the largest duplicate clusters
    boilerplate_lines: int = 5  # how many of each source's most removed boilerplate lines


class WriteBatch(Protocol):
    """Writes made through `call` share one transaction, committed every `max_items` calls or `max_seconds`
    after it opened (and on `flush`); each call is atomic on its own (a savepoint), so a failing item is
    undone alone. A commit that fails calls `on_lost(count)` with the writes it undid."""

    def call(self, fn: Callable[..., T], *args: Any) -> T: ...
    def flush(self) -> None: ...


class IndexPostings(Protocol):
    """The cross-article index's rows: entries (one per article, with its verdict), band keys and anchors.
    crawler.article_index decides; this only finds and records."""

    def format(self) -> str | None: ...
    def set_format(self, value: str) -> None: ...
    def has_entries(self) -> bool: ...
    def count(self) -> int: ...
    def serialised(self) -> AbstractContextManager[None]:
        """Held around one match-or-add: two writers must not both decide an article is an original."""
    def verdict(self, article_id: str) -> tuple[str | None, str] | None: ...
    def exact(self, text_hash: str, day_from: int, day_to: int) -> tuple[str, str] | None: ...
    def candidates(self, band_keys: list[int], anchors: Iterable[int], day_from: int, day_to: int, *,
                   anchor_postings: int, anchor_min_share: float, limit: int) -> list[tuple[int, str, str]]: ...
    def published_of(self, article_id: str) -> float | None: ...
    def add(self, article_id: str, *, day: int, size: int, text_hash: str, published: float | None,
            duplicate_of: str | None, cluster: str, band_keys: list[int], anchors: tuple[int, ...]) -> None: ...
    def reroot(self, old_root: str, new_root: str) -> None: ...
    def clear(self) -> None: ...


class BoilerplateCounts(Protocol):
    """Per source: how many articles were seen, and in how many of them each short line appeared."""

    def observe(self, source: str, keys: list[str]) -> tuple[int, dict[str, tuple[int, bool]]]:
        """Count one article of `source` with these distinct line keys; return the source's article count and,
        for each key, (articles it appeared in, judged boilerplate already)."""
    def flag(self, source: str, keys: list[str]) -> None: ...
    def flagged(self, source: str, keys: list[str]) -> set[str]:
        """Which of these line keys are judged boilerplate for the source (one query for an article's lines)."""
    def clear(self) -> None: ...


class Store(Protocol):
    """Articles, feed validators, run records; and the index and boilerplate counts beside them."""

    url: str  # where it is, for messages (a password is never shown)
    readonly: bool

    # articles
    def known_urls(self, keys: Iterable[str]) -> set[str]: ...
    def save(self, article: Article, run_id: int | None = None) -> bool: ...
    def get(self, article_id: str) -> Article | None: ...
    def text_of(self, article_id: str) -> str | None: ...
    def iter_articles(self, selection: ExportFilter = ExportFilter()) -> Iterator[Article]: ...
    def count(self, selection: ExportFilter = ExportFilter()) -> int: ...
    def remove_paragraphs(self, source: str, is_unwanted: Callable[[str], bool], reason: str) -> int: ...
    def reroot(self, old_root: str, new_root: str) -> None: ...
    def mark_duplicate(self, article_id: str, duplicate_of: str | None, cluster_id: str | None) -> None: ...
    # feeds
    def feed_state(self, url: str) -> tuple[str | None, str | None]: ...
    def set_feed_state(self, url: str, etag: str | None, last_modified: str | None) -> None: ...
    # runs
    def start_run(self, command: str) -> int: ...
    def finish_run(self, run_id: int, outcome: str, stats: dict[str, Any],
                   sources: dict[str, dict[str, Any]]) -> None: ...
    def summary(self, runs: int = 5) -> dict[str, Any]:
        """What `python -m crawler stats` shows: articles per source, paragraphs removed by reason, recent
        runs, per-source health."""
    def get_meta(self, key: str) -> str | None:
        """A value the store keeps about itself (the dedup settings last used, say)."""
    def set_meta(self, key: str, value: str) -> None: ...
    # the index and the boilerplate counts, in the same database and the same transactions
    def postings(self) -> IndexPostings: ...
    def boilerplate_counts(self) -> BoilerplateCounts: ...
    def writes(self, max_items: int = 50, max_seconds: float = 1.0,
               on_lost: Callable[[int], None] | None = None) -> WriteBatch: ...
    def reader(self) -> "Store":
        """A read-only handle on the same database for another thread (its own connection)."""
    def close(self) -> None: ...
    # re-extraction of archived pages (`python -m crawler reextract`)
    def article_ids(self, keys: Iterable[str]) -> dict[str, str]:
        """URL key (crawler.urls.url_key) -> id of the stored article reached at it, for the keys stored."""
    def update_article(self, article: Article) -> bool:
        """Replace a stored article's extraction in place: title, author, published (and its instant),
        date_source, language, description, text, removed paragraphs, text hash and signature; its URLs
        (article.aliases) are added. Its id (article.id), URL, source, fetch time, run and duplicate marks
        stay. False when no article has that id."""
    def report_data(self, selection: ReportSelection = ReportSelection()) -> dict[str, Any]:
        """Aggregates for `python -m crawler report`, computed by the database: the size of the answer does not
        grow with the number of articles. Articles (and the paragraphs removed from them) are selected by
        `fetched_at` and source; runs by `started_at` (sources do not select runs). Days are UTC days of
        `fetched_at` ("YYYY-MM-DD"); times are ISO 8601 strings as stored. Keys, each a list of dicts:

        - days: {day, source, articles}, every (day, source) with at least one article
        - per_source: {source, articles, undated (published_at null), duplicates (duplicate_of not null),
          last_fetched (max fetched_at)}
        - copied_from: {source, original_source, duplicates}: a source's duplicates by the source of the
          article each is a copy of (its duplicate_of; the same source included)
        - removed_by_day: {day, reason, paragraphs}, every reason present
        - boilerplate_lines: {source, text, paragraphs}: removed_paragraphs with reason 'boilerplate', per
          source its `selection.boilerplate_lines` most frequent texts (ties by text), most frequent first
        - clusters: {cluster_id, title, source, articles, duplicates, sources, first_seen, last_seen}: the
          `selection.clusters` clusters with the most selected articles (at least one duplicate), biggest first,
          ties by cluster_id; title and source are the cluster's original's (cluster_id is its id), null
          if it is not stored; first/last_seen the min/max fetched_at of the selected members
        - runs: {id, command, started_at, finished_at, outcome, new_articles, failed_items}, oldest first;
          new_articles and failed_items as in `summary`'s recent_runs
        """
    # feeds read by several crawl processes: which validators may be saved
    def feed_failed(self, url: str) -> None:
        """An article of this feed failed for a reason that may pass (in whichever process): its stored
        validators are dropped, so the next run reads it in full, and validators fetched before this are
        refused by save_feed_state."""
    def feed_failures(self, url: str) -> int:
        """How many times feed_failed was called for url: read when the feed is fetched."""
    def save_feed_state(self, url: str, etag: str | None, last_modified: str | None, failures_seen: int) -> bool:
        """set_feed_state, unless feed_failed was called since feed_failures returned failures_seen
        (False then: nothing saved)."""
    # bulk copy between stores (`python -m crawler migrate`)
    def dump(self, kind: str, after: Any = None, limit: int = 1000) -> list[tuple[Any, dict[str, Any]]]:
        """Records of one kind (RECORD_KINDS), in a stable order, after position `after` (None: from the
        start), each with its position (JSON: an int, a string or a list)."""
    def load(self, kind: str, records: list[dict[str, Any]]) -> int:
        """Insert records as another store's dump gave them (ids, index entries, run numbers kept); those
        already here are skipped, so a load can be repeated. Returns how many were new."""
    def tallies(self) -> dict[str, int]:
        """Rows of every table a migration copies (TALLIES), to check a copy against its source."""


def backend_scheme(url: str) -> str:
    """"postgresql://..." -> "postgresql"; a plain path (or ":memory:") -> "sqlite"."""
    if url == ":memory:" or "://" not in url:
        return "sqlite"
    scheme = urlsplit(url).scheme.lower()
    return _SCHEME_ALIASES.get(scheme, scheme)


def display_url(url: str) -> str:
    """A database URL for messages: the password is never printed."""
    if "://" not in url:
        return url
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


def open_store(url: str, *, readonly: bool = False, backends: Mapping[str, str] | None = None,
               **options: Any) -> Store:
    """Open the store a database URL names. Raises UnknownBackend for a scheme no backend serves, StoreError
    when the store cannot be opened."""
    from scrapy.utils.misc import load_object

    table = {**DEFAULT_BACKENDS, **(backends or {})}
    scheme = backend_scheme(url)
    if scheme not in table:
        raise UnknownBackend(f"{display_url(url)}: unknown database kind {scheme!r}; use a file path (SQLite) or "
                             "postgresql://user@host:port/dbname")
    try:
        backend = load_object(table[scheme])
    except (ImportError, NameError) as exc:
        raise StoreError(f"{display_url(url)}: the {scheme} backend cannot be loaded: {exc}") from exc
    return backend.open(url, readonly=readonly, **options)
