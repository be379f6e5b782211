"""SQLite store: one file, WAL, a schema version; each article's writes atomic (storage.sqlite.transaction:
its own transaction, or a savepoint of the crawl writer's batch). The dedup index's postings and the
boilerplate counts live in the same file and the same transactions.

A connection is used by one thread at a time; the crawl gives it a dedicated writer thread so the reactor
never waits on disk, and readers on other threads open their own (`reader()`).
"""
from __future__ import annotations

import json
import logging
import sqlite3
import threading
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import quote, urlsplit

from crawler.date_policy import instant
from crawler.record import Article, Removed
from crawler.store import RECORD_KINDS, ExportFilter, NoSuchStore, ReportSelection, StoreError
from crawler.urls import url_key
from storage.base import (ARTICLE_COLUMNS, ARTICLE_FIELDS, OWN_META, recent_run, report_queries, report_where,
                          selection_where, source_health, utc_now, word_count)
from storage.sqlite.boilerplate import SCHEMA as BOILERPLATE_SCHEMA, SqliteBoilerplateCounts
from storage.sqlite.postings import SCHEMA as POSTINGS_SCHEMA, SqlitePostings, int_list
from storage.sqlite.transaction import BatchedWrites, transaction

LOGGER = logging.getLogger(__name__)

# 2: published_at (the publication instant, for date selection and the dedup window) and date_source
# 3: feeds.failures (Store.feed_failed: validators fetched before an article of the feed failed are refused)
SCHEMA_VERSION = 3
# how article_urls keys are written (crawler.urls.url_key): 2 keeps the query, upper-case escapes, no slash
URL_KEYS_VERSION = 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,          -- storage order: exports are deterministic
    id TEXT NOT NULL UNIQUE,                        -- sha1 of the canonical URL, 16 hex digits
    url TEXT NOT NULL UNIQUE,                       -- canonical URL
    fetched_url TEXT NOT NULL,
    source TEXT NOT NULL,
    title TEXT NOT NULL,
    author TEXT NOT NULL,
    published TEXT,                                 -- ISO 8601 as the source wrote it, or NULL when unknown
    published_at INTEGER,                           -- its instant, epoch seconds UTC (crawler.date_policy.instant)
    date_source TEXT,                               -- markup, feed, text or updated; NULL: unknown or stored by v1
    language TEXT NOT NULL,
    description TEXT NOT NULL,
    text TEXT NOT NULL,                             -- kept paragraphs joined by newlines
    word_count INTEGER NOT NULL,
    duplicate_of TEXT,
    cluster_id TEXT,
    text_hash TEXT NOT NULL,
    signature BLOB,                                 -- MinHash, for `dedup --rebuild`
    shingle_count INTEGER NOT NULL DEFAULT 0,
    fetched_at TEXT NOT NULL,
    run_id INTEGER
);
CREATE INDEX IF NOT EXISTS articles_source ON articles (source);
CREATE INDEX IF NOT EXISTS articles_published ON articles (published);
CREATE INDEX IF NOT EXISTS articles_published_at ON articles (published_at);
CREATE INDEX IF NOT EXISTS articles_text_hash ON articles (text_hash);
CREATE TABLE IF NOT EXISTS article_urls (        -- every URL an article was reached at
    url TEXT PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS removed_paragraphs (
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    reason TEXT NOT NULL,
    duplicate_of TEXT,
    PRIMARY KEY (article_id, position)
);
CREATE INDEX IF NOT EXISTS removed_reason ON removed_paragraphs (reason);
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    checked_at TEXT,
    failures INTEGER NOT NULL DEFAULT 0             -- Store.feed_failed calls
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    command TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    outcome TEXT NOT NULL DEFAULT 'running',
    stats TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS run_sources (
    run_id INTEGER NOT NULL REFERENCES runs (id),
    source TEXT NOT NULL,
    feeds_fetched INTEGER NOT NULL DEFAULT 0,
    entries_seen INTEGER NOT NULL DEFAULT 0,
    new_articles INTEGER NOT NULL DEFAULT 0,
    duplicates INTEGER NOT NULL DEFAULT 0,
    errors TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (run_id, source)
);
"""





def path_of(url: str) -> str:
    """"data/news.db", "sqlite:///abs/news.db", "sqlite:relative.db" or ":memory:" -> the file path."""
    if url == ":memory:" or "://" not in url and not url.startswith("sqlite:"):
        return url
    parts = urlsplit(url)
    return parts.path or parts.netloc or ":memory:"


class SqliteStore:
    """The default store: one SQLite file (WAL) holding articles, the index, boilerplate counts and runs."""

    @classmethod
    def open(cls, url: str, *, readonly: bool = False, scratch: bool = False) -> "SqliteStore":
        return cls(path_of(url), readonly=readonly, scratch=scratch)

    def __init__(self, path: str | Path, *, readonly: bool = False, scratch: bool = False) -> None:
        self.path = Path(path)
        self.url = str(path)
        self.readonly = readonly
        self._lock = threading.RLock()
        try:
            self._conn = self._connect_readonly() if readonly else self._connect(scratch)
        except sqlite3.DatabaseError as exc:  # "file is not a database", a damaged file
            raise StoreError(f"{self.path} is not a usable SQLite database: {exc}") from exc
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open database {self.path}: {exc}") from exc

    def _connect(self, scratch: bool) -> sqlite3.Connection:
        memory = str(self.path) == ":memory:"
        if not memory:
            if self.path.is_dir():
                raise StoreError(f"{self.path} is a directory, not a database file")
            self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        try:
            if scratch:  # a file deleted at the end: a crash means running again, so no journal, no fsync
                conn.execute("PRAGMA journal_mode=MEMORY")
                conn.execute("PRAGMA synchronous=OFF")
            else:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a crash loses no committed article
            conn.execute("PRAGMA foreign_keys=ON")
            # the dedup index's candidate query groups in a temporary b-tree: in memory, not a temp file
            conn.execute("PRAGMA temp_store=MEMORY")
            self._conn = conn
            self._migrate()
        except BaseException:
            conn.close()
            raise
        return conn

    def _connect_readonly(self) -> sqlite3.Connection:
        """Reading needs no write access: a database in a read-only directory or a read-only file opens all
        the same. A database written by an older version is upgraded first where that is allowed."""
        if not self.path.exists():
            raise NoSuchStore(f"no database at {self.path} (crawl first, or pass --db)")
        if self.path.is_dir():
            raise StoreError(f"{self.path} is a directory, not a database file")
        conn = self._ro_connection()
        if self._meta_int(conn, "schema_version") < SCHEMA_VERSION or self._meta_int(conn, "url_keys") < URL_KEYS_VERSION:
            conn.close()
            try:  # written by an older version: upgrade it once, where the file may be written
                self._connect(scratch=False).close()
            except (sqlite3.Error, OSError) as exc:
                raise StoreError(f"{self.path} was written by an older version of this tool and cannot be upgraded "
                                 f"here ({exc}); run `python -m crawler stats --db {self.path}` once with write "
                                 "access") from exc
            conn = self._ro_connection()
        return conn

    @staticmethod
    def _meta_int(conn: sqlite3.Connection, key: str) -> int:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return int(row[0]) if row else 0

    def _ro_connection(self) -> sqlite3.Connection:
        uri = f"file:{quote(str(self.path.resolve()))}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None, timeout=30)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            conn.close()
            wal = Path(f"{self.path}-wal")
            if wal.exists() and wal.stat().st_size:
                raise StoreError(f"cannot read {self.path}: its directory is read-only and {wal.name} holds writes "
                                 "not yet merged into it; open it once where it may be written") from None
            # a WAL database needs its -shm file, which a read-only directory cannot hold; with no WAL data
            # pending, reading the file as it is is exact
            conn = sqlite3.connect(uri + "&immutable=1", uri=True, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA temp_store=MEMORY")
        row = None
        try:
            row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        except sqlite3.OperationalError:
            pass
        if row is None:
            conn.close()
            raise StoreError(f"{self.path} is not a database of this crawler (it has no schema version)")
        if int(row[0]) > SCHEMA_VERSION:
            conn.close()
            raise StoreError(f"{self.path} has schema version {row[0]}, newer than this tool's {SCHEMA_VERSION}: "
                             "upgrade the tool")
        return conn

    @property
    def connection(self) -> sqlite3.Connection:
        """For storage's own tools and tests: crawler code goes through the Store protocol."""
        return self._conn

    # ---------------------------------------------------------------- components

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._lock, transaction(self._conn):
            self._conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def postings(self) -> SqlitePostings:
        return SqlitePostings(self._conn, self._lock)

    def boilerplate_counts(self) -> SqliteBoilerplateCounts:
        return SqliteBoilerplateCounts(self._conn, self._lock)

    def writes(self, max_items: int = 50, max_seconds: float = 1.0,
               on_lost: Callable[[int], None] | None = None) -> BatchedWrites:
        return BatchedWrites(self._conn, max_items, max_seconds, lock=self._lock, on_lost=on_lost)

    def reader(self) -> "SqliteStore":
        if str(self.path) == ":memory:":
            return self  # nothing to read but what this connection holds
        return SqliteStore(self.path, readonly=True)

    def _migrate(self) -> None:
        row = None
        try:
            row = self._conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        except sqlite3.OperationalError:
            pass
        if row is not None and int(row[0]) > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has schema version {row[0]}, newer than this tool's {SCHEMA_VERSION}: upgrade the tool"
            )
        with transaction(self._conn):  # all or nothing: a failed upgrade leaves the file as it was
            self._add_date_columns()
            self._add_feed_failures()
        self._conn.executescript(_SCHEMA + POSTINGS_SCHEMA + BOILERPLATE_SCHEMA)
        self._conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
        )
        self._migrate_url_keys()

    def _migrate_url_keys(self) -> None:
        """Databases written before URL keys kept the query (courlan's strict form) hold their known URLs in
        that form: each gets its key in today's form beside it, so an upgrade refetches nothing it stored."""
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'url_keys'").fetchone()
        if row is not None and int(row[0]) >= URL_KEYS_VERSION:
            return
        with transaction(self._conn):
            rows = self._conn.execute("SELECT url, article_id FROM article_urls").fetchall()
            self._conn.executemany("INSERT OR IGNORE INTO article_urls (url, article_id) VALUES (?, ?)",
                                   [(url_key(url), article_id) for url, article_id in rows])
            self._conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('url_keys', ?)",
                               (str(URL_KEYS_VERSION),))

    def _add_feed_failures(self) -> None:
        """Version 2 -> 3: feeds.failures."""
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(feeds)")}
        if columns and "failures" not in columns:
            self._conn.execute("ALTER TABLE feeds ADD COLUMN failures INTEGER NOT NULL DEFAULT 0")

    def _add_date_columns(self) -> None:
        """Version 1 -> 2: the columns added, published_at filled from each row's `published`."""
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(articles)")}
        if not columns or "published_at" in columns:  # a new file, or one already migrated
            return
        self._conn.execute("ALTER TABLE articles ADD COLUMN published_at INTEGER")
        self._conn.execute("ALTER TABLE articles ADD COLUMN date_source TEXT")
        # the same function the writer uses, so a migrated row compares exactly as a new one
        self._conn.create_function("published_instant", 1, instant, deterministic=True)
        changed = self._conn.execute(
            "UPDATE articles SET published_at = published_instant(published) WHERE published IS NOT NULL").rowcount
        LOGGER.info("%s: schema upgraded to version 2, publication instants computed for %d articles",
                    self.path, changed)

    # ---------------------------------------------------------------- articles

    def known_urls(self, urls: Iterable[str]) -> set[str]:
        urls = list(dict.fromkeys(urls))
        found: set[str] = set()
        with self._lock:
            for start in range(0, len(urls), 500):
                chunk = urls[start : start + 500]
                marks = ",".join("?" * len(chunk))
                found.update(
                    r[0] for r in self._conn.execute(f"SELECT url FROM article_urls WHERE url IN ({marks})", chunk)
                )
        return found

    def save(self, article: Article, run_id: int | None = None) -> bool:
        """Store one article and its removed paragraphs in one transaction. False if its URL is already stored."""
        url = article.canonical_url or article.url
        with self._lock, transaction(self._conn):
            aliases = {url_key(url), *article.aliases}
            if self._conn.execute("SELECT 1 FROM articles WHERE id = ?", (article.id,)).fetchone():
                self._add_aliases(article.id, aliases)  # reached again under another URL: remember that one too
                return False
            self._conn.execute(
                f"INSERT INTO articles ({ARTICLE_COLUMNS}, published_at, word_count, run_id) VALUES ({','.join('?' * 20)})",
                (
                    article.id, url, article.url, article.source, article.title, article.author,
                    article.published, article.date_source, article.language, article.description, article.text,
                    article.duplicate_of, article.cluster_id, article.text_hash, article.signature,
                    article.shingle_count, article.fetched_at or utc_now(), instant(article.published),
                    word_count(article.paragraphs), run_id,
                ),
            )
            self._conn.executemany(
                "INSERT INTO removed_paragraphs (article_id, position, text, reason, duplicate_of) VALUES (?,?,?,?,?)",
                [(article.id, i, r.text, r.reason, r.duplicate_of) for i, r in enumerate(article.removed)],
            )
            self._add_aliases(article.id, aliases)
        return True

    def _add_aliases(self, article_id: str, urls: Iterable[str]) -> None:
        self._conn.executemany(
            "INSERT OR IGNORE INTO article_urls (url, article_id) VALUES (?, ?)", [(u, article_id) for u in urls if u]
        )

    def get(self, article_id: str) -> Article | None:
        with self._lock:
            row = self._conn.execute(f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,)).fetchone()
            return self._article(row) if row else None

    def text_of(self, article_id: str) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row[0] if row else None

    def _article(self, row: tuple) -> Article:
        (aid, url, fetched_url, source, title, author, published, date_source, language, description, text,
         duplicate_of, cluster_id, text_hash, signature, shingle_count, fetched_at) = row
        removed = [
            Removed(t, reason, dup)
            for t, reason, dup in self._conn.execute(
                "SELECT text, reason, duplicate_of FROM removed_paragraphs WHERE article_id = ? ORDER BY position",
                (aid,),
            )
        ]
        return Article(
            url=fetched_url, source=source, canonical_url=url, title=title, author=author, published=published,
            date_source=date_source, language=language, description=description, paragraphs=text.split("\n") if text else [],
            removed=removed, duplicate_of=duplicate_of, cluster_id=cluster_id, fetched_at=fetched_at,
            signature=signature, shingle_count=shingle_count, text_hash=text_hash,
        )

    def iter_articles(self, selection: ExportFilter = ExportFilter()) -> Iterator[Article]:
        """Stream articles in storage order; memory stays flat however many there are."""
        where, params = self._where(selection)
        last = 0
        while True:  # keyset pagination: no cursor is held open across the caller's work
            with self._lock:
                rows = self._conn.execute(
                    f"SELECT seq, {ARTICLE_COLUMNS} FROM articles WHERE seq > ? {where} ORDER BY seq LIMIT 500",
                    (last, *params),
                ).fetchall()
                batch = [self._article(r[1:]) for r in rows]
            if not rows:
                return
            last = rows[-1][0]
            yield from batch

    def count(self, selection: ExportFilter = ExportFilter()) -> int:
        where, params = self._where(selection)
        with self._lock:
            return self._conn.execute(f"SELECT count(*) FROM articles WHERE 1=1 {where}", params).fetchone()[0]

    @staticmethod
    def _where(selection: ExportFilter) -> tuple[str, list[Any]]:
        return selection_where(selection, mark="?", sources_in="source IN (SELECT value FROM json_each(?))",
                               sources_param=json.dumps)

    def remove_paragraphs(self, source: str, is_unwanted: Callable[[str], bool], reason: str) -> int:
        """Take paragraphs out of a source's stored articles (kept under `reason`); never an article's last one.

        Returns how many paragraphs were removed.
        """
        removed_count = 0
        with self._lock:
            rows = self._conn.execute("SELECT id, text FROM articles WHERE source = ?", (source,)).fetchall()
            for article_id, text in rows:
                paragraphs = text.split("\n") if text else []
                unwanted = [p for p in paragraphs if is_unwanted(p)]
                if not unwanted or len(unwanted) == len(paragraphs):
                    continue
                kept = [p for p in paragraphs if p not in unwanted]
                with transaction(self._conn):
                    self._conn.execute("UPDATE articles SET text = ?, word_count = ? WHERE id = ?",
                                       ("\n".join(kept), word_count(kept), article_id))
                    start = self._conn.execute("SELECT coalesce(max(position) + 1, 0) FROM removed_paragraphs "
                                               "WHERE article_id = ?", (article_id,)).fetchone()[0]
                    self._conn.executemany(
                        "INSERT INTO removed_paragraphs (article_id, position, text, reason, duplicate_of) "
                        "VALUES (?,?,?,?,NULL)", [(article_id, start + i, p, reason) for i, p in enumerate(unwanted)])
                removed_count += len(unwanted)
        return removed_count

    def article_ids(self, keys: Iterable[str]) -> dict[str, str]:
        keys = list(dict.fromkeys(keys))
        found: dict[str, str] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                found.update(self._conn.execute(
                    f"SELECT url, article_id FROM article_urls WHERE url IN ({','.join('?' * len(chunk))})", chunk))
        return found

    def update_article(self, article: Article) -> bool:
        """A stored article's extraction replaced, in one transaction (see crawler.store.Store)."""
        with self._lock, transaction(self._conn):
            changed = self._conn.execute(
                "UPDATE articles SET title = ?, author = ?, published = ?, published_at = ?, date_source = ?, "
                "language = ?, description = ?, text = ?, word_count = ?, text_hash = ?, signature = ?, "
                "shingle_count = ? WHERE id = ?",
                (article.title, article.author, article.published, instant(article.published), article.date_source,
                 article.language, article.description, article.text, word_count(article.paragraphs),
                 article.text_hash, article.signature, article.shingle_count, article.id),
            ).rowcount
            if not changed:
                return False
            self._conn.execute("DELETE FROM removed_paragraphs WHERE article_id = ?", (article.id,))
            self._conn.executemany(
                "INSERT INTO removed_paragraphs (article_id, position, text, reason, duplicate_of) VALUES (?,?,?,?,?)",
                [(article.id, i, r.text, r.reason, r.duplicate_of) for i, r in enumerate(article.removed)],
            )
            self._add_aliases(article.id, article.aliases)
        return True

    def reroot(self, old_root: str, new_root: str) -> None:
        """An article published before a cluster's original arrived: it becomes the original."""
        with self._lock, transaction(self._conn):
            self._conn.execute("UPDATE articles SET cluster_id = ? WHERE cluster_id = ?", (new_root, old_root))
            self._conn.execute("UPDATE articles SET duplicate_of = ? WHERE id = ?", (new_root, old_root))

    def mark_duplicate(self, article_id: str, duplicate_of: str | None, cluster_id: str | None) -> None:
        with self._lock, transaction(self._conn):
            self._conn.execute(
                "UPDATE articles SET duplicate_of = ?, cluster_id = ? WHERE id = ?", (duplicate_of, cluster_id, article_id)
            )

    # ---------------------------------------------------------------- feeds

    def feed_state(self, url: str) -> tuple[str | None, str | None]:
        with self._lock:
            row = self._conn.execute("SELECT etag, last_modified FROM feeds WHERE url = ?", (url,)).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def set_feed_state(self, url: str, etag: str | None, last_modified: str | None) -> None:
        with self._lock, transaction(self._conn):
            self._conn.execute(
                "INSERT INTO feeds (url, etag, last_modified, checked_at) VALUES (?,?,?,?) "
                "ON CONFLICT (url) DO UPDATE SET etag=excluded.etag, last_modified=excluded.last_modified, "
                "checked_at=excluded.checked_at",
                (url, etag, last_modified, utc_now()),
            )

    def feed_failed(self, url: str) -> None:
        with self._lock, transaction(self._conn):
            self._conn.execute(
                "INSERT INTO feeds (url, failures) VALUES (?, 1) ON CONFLICT (url) DO UPDATE "
                "SET failures = failures + 1, etag = NULL, last_modified = NULL", (url,))

    def feed_failures(self, url: str) -> int:
        with self._lock:
            row = self._conn.execute("SELECT failures FROM feeds WHERE url = ?", (url,)).fetchone()
        return row[0] if row else 0

    def save_feed_state(self, url: str, etag: str | None, last_modified: str | None, failures_seen: int) -> bool:
        with self._lock, transaction(self._conn):
            if self.feed_failures(url) != failures_seen:
                return False
            self.set_feed_state(url, etag, last_modified)
        return True

    # ---------------------------------------------------------------- runs

    def start_run(self, command: str) -> int:
        with self._lock, transaction(self._conn):
            cur = self._conn.execute("INSERT INTO runs (command, started_at) VALUES (?, ?)", (command, utc_now()))
            return int(cur.lastrowid)

    def finish_run(
        self, run_id: int, outcome: str, stats: dict[str, Any], sources: dict[str, dict[str, Any]]
    ) -> None:
        with self._lock, transaction(self._conn):
            self._conn.execute(
                "UPDATE runs SET finished_at = ?, outcome = ?, stats = ? WHERE id = ?",
                (utc_now(), outcome, json.dumps(stats, ensure_ascii=False, default=str), run_id),
            )
            for name, s in sources.items():
                self._conn.execute(
                    "INSERT OR REPLACE INTO run_sources (run_id, source, feeds_fetched, entries_seen, new_articles, "
                    "duplicates, errors) VALUES (?,?,?,?,?,?,?)",
                    (run_id, name, s.get("feeds_fetched", 0), s.get("entries_seen", 0), s.get("new_articles", 0),
                     s.get("duplicates", 0), json.dumps(s.get("errors", {}), ensure_ascii=False)),
                )

    # ---------------------------------------------------------------- what `stats` shows

    def summary(self, runs: int = 5) -> dict[str, Any]:
        with self._lock:
            conn = self._conn
            per_source = [
                {"source": s, "articles": n, "duplicates": d or 0, "last_published": lp if at is not None else None}
                for s, n, d, lp, at in conn.execute(
                    # SQLite takes a bare column from the row holding the max(): the latest instant's text
                    "SELECT source, count(*), sum(duplicate_of IS NOT NULL), published, max(published_at) "
                    "FROM articles GROUP BY source ORDER BY source")
            ]
            removed = dict(conn.execute(
                "SELECT reason, count(*) FROM removed_paragraphs GROUP BY reason ORDER BY count(*) DESC").fetchall())
            recent = [recent_run(run_id, started, finished, outcome, json.loads(stats))
                      for run_id, started, finished, outcome, stats in conn.execute(
                          "SELECT id, started_at, finished_at, outcome, stats FROM runs ORDER BY id DESC LIMIT ?",
                          (runs,))]
            history = conn.execute(
                "SELECT rs.source, r.started_at, rs.feeds_fetched, rs.errors, "
                "json_extract(r.stats, '$.\"source/' || rs.source || '/feeds_not_modified\"') "
                "FROM run_sources rs JOIN runs r ON r.id = rs.run_id ORDER BY rs.source, rs.run_id DESC").fetchall()
            total, duplicates = conn.execute("SELECT count(*), sum(duplicate_of IS NOT NULL) FROM articles").fetchone()
        return {"database": self.url, "articles": total, "duplicate_articles": duplicates or 0,
                "per_source": per_source, "paragraphs_removed": removed, "recent_runs": recent,
                "source_health": source_health(history)}

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # ---------------------------------------------------------------- what `report` shows

    def report_data(self, selection: ReportSelection = ReportSelection()) -> dict[str, Any]:
        dialect = {"mark": "?", "sources_in": "a.source IN (SELECT value FROM json_each(?))",
                   "sources_param": json.dumps}
        queries = report_queries(selection, **dialect)
        run_where, run_params = report_where(ReportSelection(selection.fetched_from, selection.fetched_before),
                                             column="started_at", **dialect)
        queries["runs"] = (
            "SELECT id, command, started_at, finished_at, outcome, "
            "coalesce(json_extract(stats, '$.\"store/articles\"'), 0) AS new_articles, "
            "(SELECT coalesce(sum(value), 0) FROM json_each(stats) "
            " WHERE key GLOB 'errors/*' OR key GLOB 'extract/failed/*') AS failed_items "
            f"FROM runs WHERE 1=1 {run_where} ORDER BY id", run_params)
        data: dict[str, Any] = {}
        with self._lock:
            # the groupings (clusters, boilerplate texts) have about as many groups as articles: their temporary
            # b-trees go to temporary files behind the page cache, so memory stays flat however large the store
            temp_store = self._conn.execute("PRAGMA temp_store").fetchone()[0]
            self._conn.execute("PRAGMA temp_store=FILE")
            try:
                for key, (sql, values) in queries.items():
                    cursor = self._conn.execute(sql, values)
                    names = [d[0] for d in cursor.description]
                    data[key] = [dict(zip(names, row)) for row in cursor]
            except sqlite3.Error as exc:
                raise StoreError(f"cannot read {self.path}: {exc}") from exc
            finally:
                self._conn.execute(f"PRAGMA temp_store={int(temp_store)}")
        return data

    # ---------------------------------------------------------------- bulk copy (migrate)

    def dump(self, kind: str, after: Any = None, limit: int = 1000) -> list[tuple[Any, dict[str, Any]]]:
        if kind not in RECORD_KINDS:
            raise ValueError(f"unknown record kind {kind!r}")
        with self._lock:
            return getattr(self, f"_dump_{kind}")(after, limit)

    def load(self, kind: str, records: list[dict[str, Any]]) -> int:
        if kind not in RECORD_KINDS:
            raise ValueError(f"unknown record kind {kind!r}")
        with self._lock, transaction(self._conn):
            before = self._conn.total_changes
            new = getattr(self, f"_load_{kind}")(records)  # None: every change is a new row
            return self._conn.total_changes - before if new is None else new

    def tallies(self) -> dict[str, int]:
        tables = {"articles": "articles", "article_urls": "article_urls", "removed_paragraphs": "removed_paragraphs",
                  "index_entries": "dedup_entries", "index_bands": "dedup_bands", "index_anchors": "dedup_anchors",
                  "runs": "runs", "run_sources": "run_sources", "feeds": "feeds",
                  "boilerplate_sources": "boilerplate_sources", "boilerplate_lines": "boilerplate_lines"}
        with self._lock:
            return {name: self._conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                    for name, table in tables.items()}

    def _dump_meta(self, after: Any, limit: int) -> list[tuple[Any, dict[str, Any]]]:
        rows = self._conn.execute(
            f"SELECT key, value FROM meta WHERE key > ? AND key NOT IN ({','.join('?' * len(OWN_META))}) "
            "AND key NOT LIKE 'migrate/%' ORDER BY key LIMIT ?", (after or "", *OWN_META, limit)).fetchall()
        return [(k, {"key": k, "value": v}) for k, v in rows]

    def _dump_runs(self, after: Any, limit: int) -> list[tuple[Any, dict[str, Any]]]:
        out = []
        for run_id, command, started, finished, outcome, stats in self._conn.execute(
                "SELECT id, command, started_at, finished_at, outcome, stats FROM runs WHERE id > ? ORDER BY id LIMIT ?",
                (after or 0, limit)).fetchall():
            sources = [{"source": s, "feeds_fetched": f, "entries_seen": e, "new_articles": n, "duplicates": d,
                        "errors": json.loads(errors or "{}")}
                       for s, f, e, n, d, errors in self._conn.execute(
                           "SELECT source, feeds_fetched, entries_seen, new_articles, duplicates, errors FROM run_sources "
                           "WHERE run_id = ? ORDER BY source", (run_id,))]
            out.append((run_id, {"id": run_id, "command": command, "started_at": started, "finished_at": finished,
                                 "outcome": outcome, "stats": json.loads(stats or "{}"), "sources": sources}))
        return out

    def _dump_feeds(self, after: Any, limit: int) -> list[tuple[Any, dict[str, Any]]]:
        rows = self._conn.execute("SELECT url, etag, last_modified, checked_at, failures FROM feeds WHERE url > ? "
                                  "ORDER BY url LIMIT ?", (after or "", limit)).fetchall()
        return [(r[0], dict(zip(("url", "etag", "last_modified", "checked_at", "failures"), r))) for r in rows]

    def _dump_boilerplate_sources(self, after: Any, limit: int) -> list[tuple[Any, dict[str, Any]]]:
        rows = self._conn.execute("SELECT source, articles FROM boilerplate_sources WHERE source > ? "
                                  "ORDER BY source LIMIT ?", (after or "", limit)).fetchall()
        return [(s, {"source": s, "articles": n}) for s, n in rows]

    def _dump_boilerplate_lines(self, after: Any, limit: int) -> list[tuple[Any, dict[str, Any]]]:
        source, line = after or ("", "")
        rows = self._conn.execute("SELECT source, line, articles, boilerplate FROM boilerplate_lines "
                                  "WHERE (source, line) > (?, ?) ORDER BY source, line LIMIT ?",
                                  (source, line, limit)).fetchall()
        return [([s, k], {"source": s, "line": k, "articles": n, "boilerplate": bool(b)}) for s, k, n, b in rows]

    def _dump_articles(self, after: Any, limit: int) -> list[tuple[Any, dict[str, Any]]]:
        out = []
        for row in self._conn.execute(f"SELECT seq, {', '.join(ARTICLE_FIELDS)} FROM articles WHERE seq > ? "
                                      "ORDER BY seq LIMIT ?", (after or 0, limit)).fetchall():
            record = dict(zip(ARTICLE_FIELDS, row[1:]))
            record["removed"] = [list(r) for r in self._conn.execute(
                "SELECT position, text, reason, duplicate_of FROM removed_paragraphs WHERE article_id = ? "
                "ORDER BY position", (record["id"],))]
            record["urls"] = [u for (u,) in self._conn.execute(
                "SELECT url FROM article_urls WHERE article_id = ? ORDER BY url", (record["id"],))]
            out.append((row[0], record))
        return out

    def _dump_index(self, after: Any, limit: int) -> list[tuple[Any, dict[str, Any]]]:
        names = ("entry", "article_id", "day", "size", "anchors", "text_hash", "published", "duplicate_of", "cluster")
        out = []
        for row in self._conn.execute(f"SELECT {', '.join(names)} FROM dedup_entries WHERE entry > ? "
                                      "ORDER BY entry LIMIT ?", (after or 0, limit)).fetchall():
            record = dict(zip(names, row))
            record["band_keys"] = [k for (k,) in self._conn.execute(
                "SELECT band_key FROM dedup_bands WHERE entry = ? ORDER BY band_key", (row[0],))]
            record["anchor_keys"] = [k for (k,) in self._conn.execute(
                "SELECT anchor FROM dedup_anchors WHERE entry = ? ORDER BY anchor", (row[0],))]
            out.append((row[0], record))
        return out

    def _load_meta(self, records: list[dict[str, Any]]) -> None:
        self._conn.executemany("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
                               [(r["key"], r["value"]) for r in records])

    def _load_runs(self, records: list[dict[str, Any]]) -> int:
        new = 0
        for r in records:
            new += self._conn.execute(
                "INSERT OR IGNORE INTO runs (id, command, started_at, finished_at, outcome, stats) VALUES (?,?,?,?,?,?)",
                (r["id"], r["command"], r["started_at"], r["finished_at"], r["outcome"],
                 json.dumps(r["stats"], ensure_ascii=False, default=str))).rowcount
            self._conn.executemany(
                "INSERT OR IGNORE INTO run_sources (run_id, source, feeds_fetched, entries_seen, new_articles, "
                "duplicates, errors) VALUES (?,?,?,?,?,?,?)",
                [(r["id"], s["source"], s["feeds_fetched"], s["entries_seen"], s["new_articles"], s["duplicates"],
                  json.dumps(s["errors"], ensure_ascii=False)) for s in r["sources"]])
        return new


    def _load_feeds(self, records: list[dict[str, Any]]) -> None:
        self._conn.executemany(
            "INSERT OR IGNORE INTO feeds (url, etag, last_modified, checked_at, failures) VALUES (?,?,?,?,?)",
            [(r["url"], r["etag"], r["last_modified"], r["checked_at"], r["failures"]) for r in records])

    def _load_boilerplate_sources(self, records: list[dict[str, Any]]) -> None:
        self._conn.executemany("INSERT OR IGNORE INTO boilerplate_sources VALUES (?, ?)",
                               [(r["source"], r["articles"]) for r in records])

    def _load_boilerplate_lines(self, records: list[dict[str, Any]]) -> None:
        self._conn.executemany("INSERT OR IGNORE INTO boilerplate_lines VALUES (?, ?, ?, ?)",
                               [(r["source"], r["line"], r["articles"], int(r["boilerplate"])) for r in records])

    def _load_articles(self, records: list[dict[str, Any]]) -> int:
        new = 0
        for r in records:
            if not self._conn.execute(
                    f"INSERT OR IGNORE INTO articles ({', '.join(ARTICLE_FIELDS)}) "
                    f"VALUES ({','.join('?' * len(ARTICLE_FIELDS))})", [r[f] for f in ARTICLE_FIELDS]).rowcount:
                continue
            new += 1
            self._conn.executemany("INSERT INTO removed_paragraphs (article_id, position, text, reason, duplicate_of) "
                                   "VALUES (?,?,?,?,?)", [(r["id"], *p) for p in r["removed"]])
            self._add_aliases(r["id"], r["urls"])
        return new


    def _load_index(self, records: list[dict[str, Any]]) -> int:
        new = 0
        for r in records:
            if not self._conn.execute(
                    "INSERT OR IGNORE INTO dedup_entries (entry, article_id, day, size, anchors, text_hash, published, "
                    "duplicate_of, cluster) VALUES (?,?,?,?,?,?,?,?,?)",
                    (r["entry"], r["article_id"], r["day"], r["size"], r["anchors"], r["text_hash"], r["published"],
                     r["duplicate_of"], r["cluster"])).rowcount:
                continue
            new += 1
            for table, keys in (("dedup_bands", r["band_keys"]), ("dedup_anchors", r["anchor_keys"])):
                self._conn.execute(f"INSERT OR IGNORE INTO {table} SELECT value, ? FROM json_each(?)",
                                   (r["entry"], int_list(keys)))
        return new
