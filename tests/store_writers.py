"""Crawl writers in processes of their own, for the several-writers tests (multiprocessing spawns them: this
module must be importable, so it is not a test module)."""
from __future__ import annotations

import time
from typing import Any

from crawler.article_index import ArticleIndex, IndexEntry
from crawler.record import Article
from crawler.signatures import fingerprint
from crawler.store import open_store


def store_story(url: str, paragraphs: list[str], published: float | None, day: int) -> Any:
    """What StorePipeline._save does in one writer call: decide, move re-rooted marks, store."""
    def save(store, index: ArticleIndex) -> tuple[str | None, str]:
        article = Article(url=url, canonical_url=url, source=url.split("/")[2], title="عنوان",
                          paragraphs=paragraphs, language="ar", fetched_at="2024-05-01T10:00:00+00:00")
        verdict = index.match_or_add(IndexEntry(article.id, fingerprint(paragraphs), day, published))
        if verdict.reroot:
            store.reroot(*verdict.reroot)
        article.duplicate_of, article.cluster_id = verdict.duplicate_of, verdict.cluster_id
        store.save(article)
        return verdict.duplicate_of, verdict.cluster_id
    return save


def write_at_once(db: str, barrier: Any, stories: list[tuple[str, list[str], float | None]], results: Any,
                  hold: float = 0.0) -> None:
    """Store each story right after every writer reached the barrier; `hold` keeps each transaction open
    that long after its decision (a slow commit), so the others certainly try to decide meanwhile."""
    store = open_store(db)
    index = ArticleIndex(store.postings(), text_of=store.text_of)
    writes = store.writes()
    try:
        for url, paragraphs, published in stories:
            save = store_story(url, paragraphs, published, 19844)

            def save_and_hold():
                verdict = save(store, index)
                time.sleep(hold)
                return verdict

            barrier.wait(30)
            results.put((url, writes.call(save_and_hold)))
    finally:
        store.close()
