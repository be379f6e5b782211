"""What runs in the extraction worker processes: page -> extracted, deduplicated, signed Article.

Everything CPU-bound happens here (trafilatura, paragraph dedup, MinHash) so the main process only looks
up and inserts.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from crawler.dedup import ParagraphDeduplicator
from crawler.extract import EntryHints, extract_article
from crawler.record import Article
from crawler.signatures import NUM_PERM, fingerprint

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerConfig:
    paragraph_threshold: float = 0.8
    min_fragment_chars: int = 30
    num_perm: int = NUM_PERM


_CONFIG = WorkerConfig()
_DEDUPLICATOR = ParagraphDeduplicator()


def init_worker(config: WorkerConfig) -> None:
    global _CONFIG, _DEDUPLICATOR
    _CONFIG = config
    _DEDUPLICATOR = ParagraphDeduplicator(threshold=config.paragraph_threshold,
                                          min_fragment_chars=config.min_fragment_chars)
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)  # its per-page errors are ours to report
    logging.getLogger("htmldate").setLevel(logging.CRITICAL)


def warm_up() -> None:
    """Submitted once per worker at start: the imports above have run by the time pages arrive."""


def process_page(item: Article) -> Article:
    """Extract the page the spider fetched; the item's feed metadata serves as fallback."""
    hints = EntryHints(title=item.title, published=item.published, summary=item.description, author=item.author)
    article = extract_article(
        item.raw_html or b"", item.url, content_type=item.content_type, hints=hints, source=item.source,
        deduplicator=_DEDUPLICATOR,
    )
    article.fetched_at = item.fetched_at
    sign(article, _CONFIG.num_perm)
    return article


def sign(article: Article, num_perm: int = NUM_PERM) -> Article:
    fp = fingerprint(article.paragraphs, num_perm)
    article.fingerprint = fp
    article.signature, article.shingle_count, article.text_hash = fp.signature, fp.size, fp.text_hash
    return article
