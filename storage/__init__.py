"""Where articles live: the Store interface and its SQLite implementation (PostgreSQL can follow)."""
from storage.base import ExportFilter, Store
from storage.sqlite import SCHEMA_VERSION, SqliteStore, StoreError

__all__ = ["ExportFilter", "SCHEMA_VERSION", "SqliteStore", "Store", "StoreError"]
