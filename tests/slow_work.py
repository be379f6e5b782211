"""Worker functions for the extraction pipeline tests (importable by the worker processes).

No sleeps: a page that hangs blocks until the pipeline kills its worker, so a test lasts as long as the
timeout it gives the pipeline, not as long as a sleep."""
import os
import threading

from crawler.record import Article


def _articles(items: list[Article], **fields) -> list[Article]:
    return [Article(url=item.url, source=item.source, paragraphs=["نص"], canonical_url=item.url, **fields)
            for item in items]


def hang_on_slow_pages(items: list[Article]) -> list[Article]:
    if any("slow" in item.url for item in items):
        threading.Event().wait()  # never set: only the pipeline's kill ends this
    return _articles(items)


def crash_on_bad_pages(items: list[Article]) -> list[Article]:
    if any("bad" in item.url for item in items):
        os._exit(1)
    return _articles(items)


def record_batches(items: list[Article]) -> list[Article]:
    """Each page's article says how many pages came in its batch."""
    return _articles(items, description=str(len(items)))
