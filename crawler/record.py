"""The one record type that flows from the spiders through every pipeline step to storage and export."""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
import time
from typing import Any

from crawler.date_policy import DAY, epoch_day, instant
from crawler.urls import url_key


@dataclass
class Removed:
    """A paragraph taken out of an article, kept so users can audit the corpus."""

    text: str
    reason: str  # "repeat", "fragment", "title", "boilerplate", "metadata"
    duplicate_of: str | None = None  # the kept paragraph (or the title) it repeats


@dataclass(repr=False)
class Article:
    url: str
    source: str = ""
    canonical_url: str = ""  # the article's address: the page's own canonical link, or the URL fetched
    title: str = ""
    author: str = ""
    published: str | None = None  # ISO 8601, or None when no trustworthy date was found (crawler.date_policy)
    date_source: str | None = None  # where `published` came from: "markup", "feed", "text" or "updated"
    language: str = ""
    description: str = ""
    paragraphs: list[str] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)
    duplicate_of: str | None = None  # id of the earliest stored copy of the same story
    cluster_id: str | None = None
    fetched_at: str | None = None
    # matching data computed in the extraction worker; never exported
    signature: bytes | None = None
    shingle_count: int = 0
    text_hash: str = ""
    # every URL the article was reached at (feed link, redirect target, canonical): all count as known
    aliases: list[str] = field(default_factory=list)
    # the text fingerprint (crawler.signatures.Fingerprint) between the worker and the dedup index
    fingerprint: Any = None
    # the fetched page, between the spider and the extraction worker; never stored
    raw_html: bytes | None = None
    content_type: str = ""
    feed_url: str | None = None  # the feed that listed it: fetched in full again if its extraction failed

    _id: str = field(default="", init=False, repr=False, compare=False)
    _id_of: str | None = field(default=None, init=False, repr=False, compare=False)

    def __repr__(self) -> str:  # Scrapy logs items: never dump a whole page into the log
        return f"<Article {self.id} {self.canonical_url or self.url}>"

    @property
    def id(self) -> str:
        # url_key costs ~50 us and the id is asked for per removed paragraph and per index step: computed
        # once per address (reextract gives an article its stored address, so the cache follows the URL)
        address = self.canonical_url or self.url
        if self._id_of != address:
            self._id, self._id_of = article_id(url_key(address)), address
        return self._id

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)

    def to_json(self) -> dict[str, Any]:
        """The public JSON record shared by extract, scrape --print and export."""
        return {
            "id": self.id,
            "url": self.canonical_url or self.url,
            "source": self.source,
            "title": self.title,
            "author": self.author,
            "published": self.published,
            "date_source": self.date_source,
            "language": self.language,
            "description": self.description,
            "text": self.text,
            "paragraphs": list(self.paragraphs),
            "removed": [asdict(r) for r in self.removed],
            "duplicate_of": self.duplicate_of,
            "cluster_id": self.cluster_id,
            "fetched_at": self.fetched_at,
        }


def article_id(key: str) -> str:
    """Stable id: the same URL key (crawler.urls.url_key) gets the same id in every run and every database."""
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def publication_time(article: Article) -> float | None:
    """Epoch seconds of the article's publication (crawler.date_policy.instant: a day alone is its 00:00 UTC)."""
    moment = instant(article.published)
    return None if moment is None else float(moment)


def publication_day(article: Article) -> int:
    """Days since 1970-01-01 (UTC) of the article's own date (fetch time when the page gave none)."""
    for value in (article.published, article.fetched_at):
        day = epoch_day(value)
        if day is not None:
            return day
    return int(time.time()) // DAY
