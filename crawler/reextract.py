"""`python -m crawler reextract`: stored articles brought up to today's extraction, from the pages the crawl
archived (crawler.warc_writer), with no network.

The pages go through the crawl's extraction workers (both cores, paragraph dedup included); then
`ReextractPipeline` finds each one's stored article by any URL it was reached at and replaces its extraction
in place: same id, URL, source and fetch time. Lines its source's boilerplate verdicts name are removed as a
crawl removes them; the boilerplate counts are not touched (the article was counted when it was stored). A
page whose article is not stored (a fresh database, a page that failed before) goes on to the crawl's own
boilerplate and store steps.

What changed is counted per article (`Change`). Duplicate marks across articles follow from the texts: the
command re-marks every stored article (crawler.article_index.rebuild_index) when a text changed. Run again
with the same extraction, nothing changes.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.extensions import StoreExtension, store_of
from crawler.record import Article
from crawler.urls import url_key
from crawler.worker import drop_lines


@dataclass
class Change:
    """How a new extraction of an article differs from the stored one."""

    newly_removed: Counter = field(default_factory=Counter)  # reason -> stored body lines removed now
    newly_kept: int = 0  # lines the stored article had removed, kept now
    added: int = 0  # body lines the stored article did not have at all
    gone: int = 0  # stored body lines the new extraction does not have at all
    body: bool = False
    removals: bool = False  # the removed paragraphs, or their reasons
    date: bool = False
    title: bool = False
    other: bool = False  # author, description, language

    @property
    def any(self) -> bool:
        return self.body or self.removals or self.date or self.title or self.other


def compare(stored: Article, new: Article) -> Change:
    old_kept, new_kept = Counter(stored.paragraphs), Counter(new.paragraphs)
    old_removed = Counter(r.text for r in stored.removed)
    change = Change(body=stored.paragraphs != new.paragraphs)
    change.newly_removed = Counter(r.reason for r in new.removed if old_kept[r.text] > 0 and not old_removed[r.text])
    change.newly_kept = sum(min(n, old_removed[text]) for text, n in (new_kept - old_kept).items())
    change.added = sum((new_kept - old_kept - old_removed).values())
    new_lines = new_kept + Counter(r.text for r in new.removed)
    change.gone = sum((old_kept - new_lines).values())
    change.date = (stored.published, stored.date_source) != (new.published, new.date_source)
    change.title = stored.title != new.title
    change.removals = Counter((r.text, r.reason) for r in stored.removed) != Counter((r.text, r.reason)
                                                                                      for r in new.removed)
    change.other = (stored.author, stored.description, stored.language) != (new.author, new.description, new.language)
    return change


class ReextractPipeline:
    """After the extraction workers: a stored article's extraction replaced in place (see the module)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.num_perm = crawler.settings.getint("DEDUP_BANDS") * crawler.settings.getint("DEDUP_ROWS")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ReextractPipeline":
        return cls(crawler)

    async def process_item(self, item: Article) -> Article:
        ext = store_of(self.crawler)
        change = await ext.run(self._update, ext, item)
        if change is None:
            return item  # not stored: the crawl's boilerplate and store steps take it
        self._count(change)
        drop = DropItem("re-extracted in place" if change.any else "unchanged")
        drop.log_level = "DEBUG"
        raise drop

    def _update(self, ext: StoreExtension, item: Article) -> Change | None:
        """Runs in the writer thread."""
        keys = list(dict.fromkeys([*item.aliases, url_key(item.url), url_key(item.canonical_url or item.url)]))
        found = ext.store.article_ids(keys)
        stored = next((ext.store.get(found[k]) for k in keys if k in found), None)
        if stored is None:
            return None
        kept, late = ext.boilerplate.strip(stored.source, item.paragraphs)
        if late:
            drop_lines(item, kept, late, self.num_perm)
        item.fingerprint = None
        # the stored article's identity and provenance stay: its id is that of its stored address
        item.url, item.canonical_url, item.source = stored.url, stored.canonical_url, stored.source
        item.fetched_at = stored.fetched_at
        change = compare(stored, item)
        if change.any:
            ext.store.update_article(item)
        return change

    def _count(self, change: Change) -> None:
        inc = self.stats.inc_value
        inc("reextract/articles")
        for name in ("body", "removals", "date", "title", "other"):
            if getattr(change, name):
                inc(f"reextract/{name}_changed")
        if change.any:
            inc("reextract/updated")
        for reason, count in change.newly_removed.items():
            inc(f"reextract/newly_removed/{reason}", count)
        for name in ("newly_kept", "added", "gone"):
            if getattr(change, name):
                inc(f"reextract/{name}", getattr(change, name))


def summary(stats: dict[str, Any], marks_changed: int | None) -> str:
    """What `reextract` prints: what changed, from the run's stats and the re-marking's count."""
    def get(key: str) -> int:
        return stats.get(key, 0)

    removed = {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("reextract/newly_removed/")}
    line = f"re-extracted {get('reextract/articles')} stored articles from {get('warc/pages')} archived article pages"
    if not (get("reextract/updated") or get("store/articles") or marks_changed):
        return line + ": nothing changed"
    parts = []
    if get("reextract/body_changed"):
        by_reason = " (" + ", ".join(f"{k} {v}" for k, v in sorted(removed.items())) + ")" if removed else ""
        parts.append(f"{get('reextract/body_changed')} bodies changed: {sum(removed.values())} paragraphs newly removed"
                     f"{by_reason}, {get('reextract/newly_kept')} newly kept, {get('reextract/added')} new to the body, "
                     f"{get('reextract/gone')} gone from it")
    for key, what in (("removals_changed", "with other removed paragraphs"), ("date_changed", "dates changed"),
                      ("title_changed", "titles changed"), ("other_changed", "with author, description or language "
                                                                               "changed")):
        if get(f"reextract/{key}"):
            parts.append(f"{get(f'reextract/{key}')} {what}")
    if get("store/articles"):
        parts.append(f"{get('store/articles')} articles stored that were not")
    if marks_changed is not None:
        parts.append(f"{marks_changed} duplicate marks changed")
    return line + ": " + "; ".join(parts)
