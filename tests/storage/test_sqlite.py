"""What only the SQLite store does: WAL, its schema version in the file, its error messages. The protocol's
behaviour (round trips, filters, feeds, the index) is tested on both backends in test_conformance.py."""
import sqlite3

import pytest

from crawler.store import StoreError
from storage.sqlite import SCHEMA_VERSION, SqliteStore


def test_the_file_is_in_wal_mode_with_a_schema_version(tmp_path):
    SqliteStore(tmp_path / "n.db").close()
    conn = sqlite3.connect(tmp_path / "n.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == str(SCHEMA_VERSION)


def test_a_newer_schema_is_refused_with_a_clear_message(tmp_path):
    SqliteStore(tmp_path / "n.db").close()
    conn = sqlite3.connect(tmp_path / "n.db")
    conn.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    conn.commit()
    with pytest.raises(StoreError, match="schema version 99"):
        SqliteStore(tmp_path / "n.db")


def test_an_unwritable_location_is_a_store_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="cannot open database"):
        SqliteStore(tmp_path / "file" / "news.db")
