"""What every backend implements: the protocols are the crawler's (crawler.store), which names what it
calls; backends (storage.sqlite, storage.postgres) implement them and share one conformance test suite
(tests/storage/test_conformance.py)."""
from crawler.store import (BoilerplateCounts, ExportFilter, IndexPostings, NoSuchStore, Store, StoreError,
                           WriteBatch)

__all__ = ["BoilerplateCounts", "ExportFilter", "IndexPostings", "NoSuchStore", "Store", "StoreError", "WriteBatch"]
