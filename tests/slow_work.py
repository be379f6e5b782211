"""Worker functions for the extraction pipeline tests (importable by spawned worker processes)."""
import os
import time

from crawler.record import Article


def _pause_if_busy(items: list[Article]) -> None:
    if any("busy" in item.url for item in items):  # keeps a worker busy while other pages queue up
        time.sleep(1)


def _articles(items: list[Article], **fields) -> list[Article]:
    return [Article(url=item.url, source=item.source, paragraphs=["نص"], canonical_url=item.url, **fields)
            for item in items]


def hang_on_slow_pages(items: list[Article]) -> list[Article]:
    if any("slow" in item.url for item in items):
        time.sleep(60)
    _pause_if_busy(items)
    return _articles(items)


def crash_on_bad_pages(items: list[Article]) -> list[Article]:
    if any("bad" in item.url for item in items):
        os._exit(1)
    _pause_if_busy(items)
    return _articles(items)


def record_batches(items: list[Article]) -> list[Article]:
    """Each page's article says how many pages came in its batch."""
    _pause_if_busy(items)
    return _articles(items, description=str(len(items)))
