"""What runs in the extraction worker processes: page -> extracted, deduplicated, signed Article.

Everything CPU-bound happens here (trafilatura, paragraph dedup, MinHash) so the main process only looks
up and inserts.
"""
from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import sys
from dataclasses import dataclass
from typing import Callable, TypeVar

from crawler.dedup import ParagraphDeduplicator
from crawler.extract import EntryHints, ExtractionError, ParsedPage, finish_page, parse_page
from crawler.record import Article
from crawler.signatures import NUM_PERM, HashedParagraphs, fingerprint

LOGGER = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class WorkerConfig:
    paragraph_threshold: float = 0.8
    min_fragment_chars: int = 30
    num_perm: int = NUM_PERM


_PR_SET_PDEATHSIG = 1  # linux/prctl.h
_CONFIG = WorkerConfig()
_DEDUPLICATOR = ParagraphDeduplicator()


def init_worker(config: WorkerConfig) -> None:
    global _CONFIG, _DEDUPLICATOR
    _die_with_parent()
    _CONFIG = config
    _DEDUPLICATOR = ParagraphDeduplicator(threshold=config.paragraph_threshold,
                                          min_fragment_chars=config.min_fragment_chars)
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)  # its per-page errors are ours to report
    logging.getLogger("htmldate").setLevel(logging.CRITICAL)


def _die_with_parent() -> None:
    """A crawl killed with kill -9 takes its extraction workers with it (Linux: PR_SET_PDEATHSIG); otherwise
    each would stay, idle, holding ~100 MB until the machine restarts."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # no prctl: the worker ends when its pipe to the pool closes
        return
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:  # the parent died before the call above
        os._exit(0)


def warm_up() -> None:
    """Submitted once per worker at start: the imports above have run by the time pages arrive."""


def process_pages(items: list[Article]) -> list[Article | ExtractionError]:
    """Extract a batch of pages the spider fetched: each page's article, or the ExtractionError it raised.

    First every page is parsed, then every body is deduplicated and signed: run back to back, the dedup
    code stays in the CPU caches that trafilatura evicts, and measured half as costly as it was one page
    at a time (docs/benchmarks.md).
    """
    parsed: list[ParsedPage | ExtractionError] = []
    for item in items:
        hints = EntryHints(title=item.title, published=item.published, summary=item.description, author=item.author,
                           language=item.language)
        parsed.append(_attempt(item.url, lambda: parse_page(item.raw_html or b"", item.url, hints=hints,
                                                            content_type=item.content_type, source=item.source)))
    results: list[Article | ExtractionError] = []
    for item, page in zip(items, parsed):
        results.append(page if isinstance(page, ExtractionError) else _attempt(item.url, lambda: _finish(item, page)))
    return results


def _finish(item: Article, page: ParsedPage) -> Article:
    article, hashed = finish_page(page, _DEDUPLICATOR)
    article.fetched_at = item.fetched_at
    return sign(article, _CONFIG.num_perm, hashed)


def _attempt(url: str, step: Callable[[], T]) -> T | ExtractionError:
    """One page's failure is that page's result, not the batch's."""
    try:
        return step()
    except ExtractionError as exc:
        return exc
    except Exception as exc:  # a bug meeting a page: reported for the page, with where it happened
        LOGGER.exception("extraction of %s failed unexpectedly", url)
        return ExtractionError("extraction_error", f"{type(exc).__name__}: {exc}")


def drop_lines(article: Article, kept: list[str], removed: list, num_perm: int = NUM_PERM) -> None:
    """Paragraphs taken out after the worker signed the article (lines judged its site's boilerplate): the
    record and its fingerprint follow, a few ms and only for the articles that lost a line."""
    article.paragraphs, article.removed = kept, [*article.removed, *removed]
    sign(article, num_perm)


def sign(article: Article, num_perm: int = NUM_PERM, hashed: HashedParagraphs | None = None) -> Article:
    fp = fingerprint(article.paragraphs, num_perm, hashed)
    article.fingerprint = fp
    article.signature, article.shingle_count, article.text_hash = fp.signature, fp.size, fp.text_hash
    return article
