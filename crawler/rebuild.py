"""`python -m crawler dedup --rebuild`: recompute the index and the duplicate marks after a setting changed.

Articles are replayed in storage order, so the earliest stored copy stays the original.
"""
from __future__ import annotations

from crawler.article_index import IndexEntry, SqliteMinHashIndex
from crawler.pipelines import publication_day
from crawler.signatures import fingerprint
from storage import ExportFilter, SqliteStore


def rebuild_index(db: str, *, bands: int, rows: int, threshold: float, window_days: int) -> dict[str, int]:
    store = SqliteStore(db)
    try:
        index = SqliteMinHashIndex(store.connection, text_of=store.text_of, bands=bands, rows=rows,
                                   threshold=threshold, window_days=window_days)
        index.clear()
        counts = {"articles": 0, "duplicates": 0, "changed": 0}
        for article in store.iter_articles(ExportFilter(include_duplicates=True)):
            entry = IndexEntry(article.id, fingerprint(article.paragraphs, bands * rows if bands * rows > 128 else 128),
                               publication_day(article))
            match = index.match_or_add(entry)
            duplicate_of, cluster = (match.duplicate_of, match.cluster_id) if match else (None, article.id)
            counts["articles"] += 1
            counts["duplicates"] += match is not None
            if (duplicate_of, cluster) != (article.duplicate_of, article.cluster_id):
                counts["changed"] += 1
                store.mark_duplicate(article.id, duplicate_of, cluster)
        return counts
    finally:
        store.close()
