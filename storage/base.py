"""The Store interface the pipelines and the CLI talk to; SqliteStore is the default implementation."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Protocol

from crawler.record import Article


@dataclass(frozen=True)
class ExportFilter:
    """Which stored articles an export (or any reader) wants."""

    since: str | None = None  # ISO date or date-time, compared with `published`
    until: str | None = None
    sources: tuple[str, ...] = ()
    language: str | None = None
    min_words: int = 0
    include_duplicates: bool = False


class Store(Protocol):
    def known_urls(self, urls: Iterable[str]) -> set[str]: ...
    def save(self, article: Article, run_id: int | None = None) -> bool: ...
    def get(self, article_id: str) -> Article | None: ...
    def iter_articles(self, selection: ExportFilter = ExportFilter()) -> Iterator[Article]: ...
    def feed_state(self, url: str) -> tuple[str | None, str | None]: ...
    def set_feed_state(self, url: str, etag: str | None, last_modified: str | None) -> None: ...
    def start_run(self, command: str) -> int: ...
    def finish_run(self, run_id: int, outcome: str, stats: dict[str, Any], sources: dict[str, dict[str, Any]]) -> None: ...
    def close(self) -> None: ...
