"""`python -m crawler dedup --rebuild`: recompute the index and the duplicate marks after a setting changed.

Articles are replayed in storage order, so the earliest stored copy stays the original.
"""
from __future__ import annotations

from crawler.article_index import IndexEntry, SqliteMinHashIndex
from crawler.pipelines import publication_day, publication_time
from crawler.signatures import fingerprint
from storage import ExportFilter, SqliteStore
from storage.transaction import BatchedWrites


def rebuild_index(db: str, *, bands: int, rows: int, threshold: float, window_days: int) -> dict[str, int]:
    store = SqliteStore(db)
    try:
        index = SqliteMinHashIndex(store.connection, text_of=store.text_of, bands=bands, rows=rows,
                                   threshold=threshold, window_days=window_days)
        index.clear()
        counts = {"articles": 0, "duplicates": 0, "changed": 0}
        # commits in batches, as the crawl's writer does: one per article made a large rebuild wait on the disk
        writes = BatchedWrites(store.connection, max_items=500, max_seconds=5.0, lock=store.lock)
        for article in store.iter_articles(ExportFilter(include_duplicates=True)):
            entry = IndexEntry(article.id, fingerprint(article.paragraphs, bands * rows),
                               publication_day(article), publication_time(article))
            writes.call(index.match_or_add, entry)
            counts["articles"] += 1
        writes.flush()
        index.mark_complete()
        # read the final verdicts once every article is indexed: later ones may have re-rooted clusters
        for article in store.iter_articles(ExportFilter(include_duplicates=True)):
            verdict = index.verdict(article.id)
            counts["duplicates"] += verdict.duplicate_of is not None
            if (verdict.duplicate_of, verdict.cluster_id) != (article.duplicate_of, article.cluster_id):
                counts["changed"] += 1
                writes.call(store.mark_duplicate, article.id, verdict.duplicate_of, verdict.cluster_id)
        writes.flush()
        return counts
    finally:
        store.close()
