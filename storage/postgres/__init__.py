"""The PostgreSQL backend: several crawl processes, on several machines, writing one corpus."""
from storage.postgres.schema import SCHEMA_VERSION
from storage.postgres.store import PostgresStore

__all__ = ["SCHEMA_VERSION", "PostgresStore"]
