"""Worker functions for the extraction pipeline tests (importable by spawned worker processes)."""
import os
import time

from crawler.record import Article


def hang_on_slow_pages(item: Article) -> Article:
    if "slow" in item.url:
        time.sleep(60)
    return Article(url=item.url, source=item.source, paragraphs=["نص"], canonical_url=item.url)


def crash_on_bad_pages(item: Article) -> Article:
    if "bad" in item.url:
        os._exit(1)
    return Article(url=item.url, source=item.source, paragraphs=["نص"], canonical_url=item.url)
