"""The SQLite backend: one file holds the articles, the dedup index, the boilerplate counts and the runs."""
from storage.sqlite.store import SCHEMA_VERSION, SqliteStore

__all__ = ["SCHEMA_VERSION", "SqliteStore"]
