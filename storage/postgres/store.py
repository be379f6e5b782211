"""PostgreSQL store: the same protocol as storage.sqlite (crawler.store.Store) for several crawl processes on
several machines writing one corpus. Articles, runs, feed validators, the dedup index and the boilerplate
counts live in one database, with a schema version and migrations (storage.postgres.schema).

Each writer call is one transaction (storage.postgres.writes), so an article, its index entry and its
duplicate mark commit together, and the dedup decision is serialised across processes by an advisory lock
(storage.postgres.postings). Exports stream on a connection of their own with a server-side cursor, so
memory stays flat however large the corpus; `reader()` is another connection, for the reactor thread.
"""
from __future__ import annotations

import json
import logging
from decimal import Decimal
from typing import Any, Callable, Iterable, Iterator

import psycopg
from psycopg.types.json import Jsonb

from crawler.date_policy import instant
from crawler.record import Article, Removed
from crawler.store import RECORD_KINDS, ExportFilter, NoSuchStore, ReportSelection, StoreError, display_url
from crawler.urls import url_key
from storage.base import (ARTICLE_COLUMNS, ARTICLE_FIELDS, OWN_META, recent_run, report_queries, report_where,
                          selection_where, source_health, utc_now, word_count)
from storage.postgres.boilerplate import PostgresBoilerplateCounts
from storage.postgres.postings import PostgresPostings
from storage.postgres.schema import SCHEMA_VERSION, migrate, schema_version
from storage.postgres.session import Session, connect, server_of
from storage.postgres.writes import PerCallWrites

LOGGER = logging.getLogger(__name__)

STREAM_ROWS = 500  # rows a server-side cursor fetches at a time: ~1.5 MB of Arabic text

# an article with its removed paragraphs in one row: one streamed query for an export, not one a row
_WITH_REMOVED = (
    f"SELECT a.seq, {', '.join('a.' + c.strip() for c in ARTICLE_COLUMNS.split(','))}, "
    "(SELECT json_agg(json_build_array(r.text, r.reason, r.duplicate_of) ORDER BY r.position) "
    " FROM removed_paragraphs r WHERE r.article_id = a.id) FROM articles a"
)



class PostgresStore:
    """crawler.store.Store over a PostgreSQL database (postgresql://user[:password]@host:port/dbname)."""

    @classmethod
    def open(cls, url: str, *, readonly: bool = False, **_options: Any) -> "PostgresStore":
        return cls(url, readonly=readonly)

    def __init__(self, url: str, *, readonly: bool = False) -> None:
        self.dsn = url
        self.url = display_url(url)
        self.readonly = readonly
        self._session = Session(url, readonly=readonly)
        try:
            self._check_schema()
        except BaseException:
            self._session.close()
            raise

    def _check_schema(self) -> None:
        with self._session.lock:
            conn = self._session.conn
            version = schema_version(conn)
            if version is not None and version > SCHEMA_VERSION:
                raise StoreError(f"{server_of(self.dsn)} has schema version {version}, newer than this tool's "
                                 f"{SCHEMA_VERSION}: upgrade the tool")
            if not self.readonly:
                migrate(conn, server_of(self.dsn))
            elif version is None:
                raise NoSuchStore(f"{server_of(self.dsn)} holds no crawler database (crawl first, or pass --db)")
            elif version < SCHEMA_VERSION:  # written by an older version: upgrade it once, where allowed
                PostgresStore(self.dsn).close()

    # ---------------------------------------------------------------- components

    def get_meta(self, key: str) -> str | None:
        row = self._session.retrying(
            lambda c: c.execute("SELECT value FROM meta WHERE key = %s", (key,)).fetchone())
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._session.transaction() as conn:
            conn.execute("INSERT INTO meta (key, value) VALUES (%s, %s) "
                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))

    def postings(self) -> PostgresPostings:
        return PostgresPostings(self._session)

    def boilerplate_counts(self) -> PostgresBoilerplateCounts:
        return PostgresBoilerplateCounts(self._session)

    def writes(self, max_items: int = 50, max_seconds: float = 1.0,
               on_lost: Callable[[int], None] | None = None) -> PerCallWrites:
        return PerCallWrites(self._session, max_items, max_seconds, on_lost)

    def reader(self) -> "PostgresStore":
        return PostgresStore(self.dsn, readonly=True)

    def close(self) -> None:
        self._session.close()

    # ---------------------------------------------------------------- articles

    def known_urls(self, keys: Iterable[str]) -> set[str]:
        keys = list(dict.fromkeys(keys))
        if not keys:
            return set()
        return self._session.retrying(lambda c: {r[0] for r in c.execute(
            "SELECT url FROM article_urls WHERE url = ANY(%s)", (keys,))})

    def save(self, article: Article, run_id: int | None = None) -> bool:
        """Store one article, its removed paragraphs and its URL keys atomically. False if it is stored already
        (by this process or another: the insert decides, so two processes never both store it)."""
        url = article.canonical_url or article.url
        aliases = [k for k in dict.fromkeys([url_key(url), *article.aliases]) if k]
        with self._session.transaction() as conn:
            inserted = conn.execute(
                f"INSERT INTO articles ({ARTICLE_COLUMNS}, published_at, word_count, run_id) "
                f"VALUES ({','.join(['%s'] * 20)}) ON CONFLICT DO NOTHING RETURNING seq",
                (article.id, url, article.url, article.source, article.title, article.author,
                 article.published, article.date_source, article.language, article.description, article.text,
                 article.duplicate_of, article.cluster_id, article.text_hash, article.signature,
                 article.shingle_count, article.fetched_at or utc_now(), instant(article.published),
                 word_count(article.paragraphs), run_id),
            ).fetchone()
            if inserted and article.removed:
                with conn.cursor() as cur:
                    cur.executemany(
                        "INSERT INTO removed_paragraphs (article_id, position, text, reason, duplicate_of) "
                        "VALUES (%s,%s,%s,%s,%s)",
                        [(article.id, i, r.text, r.reason, r.duplicate_of) for i, r in enumerate(article.removed)])
            if inserted or conn.execute("SELECT 1 FROM articles WHERE id = %s", (article.id,)).fetchone():
                # reached again under another URL: remember that one too
                conn.execute("INSERT INTO article_urls (url, article_id) SELECT u, %s FROM unnest(%s::text[]) u "
                             "ON CONFLICT DO NOTHING", (article.id, aliases))
        return inserted is not None

    def get(self, article_id: str) -> Article | None:
        row = self._session.retrying(
            lambda c: c.execute(f"{_WITH_REMOVED} WHERE a.id = %s", (article_id,)).fetchone())
        return self._article(row[1:]) if row else None

    def text_of(self, article_id: str) -> str | None:
        row = self._session.retrying(
            lambda c: c.execute("SELECT text FROM articles WHERE id = %s", (article_id,)).fetchone())
        return row[0] if row else None

    @staticmethod
    def _article(row: tuple) -> Article:
        (aid, url, fetched_url, source, title, author, published, date_source, language, description, text,
         duplicate_of, cluster_id, text_hash, signature, shingle_count, fetched_at, removed) = row
        return Article(
            url=fetched_url, source=source, canonical_url=url, title=title, author=author, published=published,
            date_source=date_source, language=language, description=description,
            paragraphs=text.split("\n") if text else [], removed=[Removed(*r) for r in removed or ()],
            duplicate_of=duplicate_of, cluster_id=cluster_id, fetched_at=fetched_at,
            signature=bytes(signature) if signature is not None else None, shingle_count=shingle_count,
            text_hash=text_hash,
        )

    def iter_articles(self, selection: ExportFilter = ExportFilter()) -> Iterator[Article]:
        """Stream articles in storage order through a server-side cursor on a connection of its own: memory
        stays flat however many there are, and the store's own connection stays free for writes (`dedup
        --rebuild` writes while it reads)."""
        where, params = self._where(selection)
        conn = connect(self.dsn, readonly=True)
        try:
            with conn.transaction(), conn.cursor(name="articles_export") as cursor:
                cursor.itersize = STREAM_ROWS
                cursor.execute(f"{_WITH_REMOVED} WHERE true {where} ORDER BY a.seq", params)
                for row in cursor:
                    yield self._article(row[1:])
        finally:
            conn.close()

    def count(self, selection: ExportFilter = ExportFilter()) -> int:
        where, params = self._where(selection)
        return self._session.retrying(
            lambda c: c.execute(f"SELECT count(*) FROM articles a WHERE true {where}", params).fetchone()[0])

    @staticmethod
    def _where(selection: ExportFilter) -> tuple[str, list[Any]]:
        return selection_where(selection, mark="%s", sources_in="a.source = ANY(%s)", alias="a.")

    def remove_paragraphs(self, source: str, is_unwanted: Callable[[str], bool], reason: str) -> int:
        """Take paragraphs out of a source's stored articles (kept under `reason`); never an article's last one.
        Returns how many paragraphs were removed."""
        removed_count = 0
        with self._session.transaction() as conn:
            # in id order, so two processes cleaning one source lock its rows in the same order
            rows = conn.execute("SELECT id, text FROM articles WHERE source = %s ORDER BY id", (source,)).fetchall()
            for article_id, text in rows:
                paragraphs = text.split("\n") if text else []
                unwanted = [p for p in paragraphs if is_unwanted(p)]
                if not unwanted or len(unwanted) == len(paragraphs):
                    continue
                kept = [p for p in paragraphs if p not in unwanted]
                conn.execute("UPDATE articles SET text = %s, word_count = %s WHERE id = %s",
                             ("\n".join(kept), word_count(kept), article_id))
                (start,) = conn.execute("SELECT coalesce(max(position) + 1, 0) FROM removed_paragraphs "
                                        "WHERE article_id = %s", (article_id,)).fetchone()
                with conn.cursor() as cur:
                    cur.executemany(
                        "INSERT INTO removed_paragraphs (article_id, position, text, reason, duplicate_of) "
                        "VALUES (%s,%s,%s,%s,NULL)", [(article_id, start + i, p, reason) for i, p in enumerate(unwanted)])
                removed_count += len(unwanted)
        return removed_count

    def reroot(self, old_root: str, new_root: str) -> None:
        """An article published before a cluster's original arrived: it becomes the original."""
        with self._session.transaction() as conn:
            conn.execute("UPDATE articles SET cluster_id = %s WHERE cluster_id = %s", (new_root, old_root))
            conn.execute("UPDATE articles SET duplicate_of = %s WHERE id = %s", (new_root, old_root))

    def mark_duplicate(self, article_id: str, duplicate_of: str | None, cluster_id: str | None) -> None:
        with self._session.transaction() as conn:
            conn.execute("UPDATE articles SET duplicate_of = %s, cluster_id = %s WHERE id = %s",
                         (duplicate_of, cluster_id, article_id))

    # ---------------------------------------------------------------- feeds

    def feed_state(self, url: str) -> tuple[str | None, str | None]:
        row = self._session.retrying(
            lambda c: c.execute("SELECT etag, last_modified FROM feeds WHERE url = %s", (url,)).fetchone())
        return (row[0], row[1]) if row else (None, None)

    def set_feed_state(self, url: str, etag: str | None, last_modified: str | None) -> None:
        with self._session.transaction() as conn:
            conn.execute(
                "INSERT INTO feeds (url, etag, last_modified, checked_at) VALUES (%s,%s,%s,%s) "
                "ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified, "
                "checked_at = excluded.checked_at", (url, etag, last_modified, utc_now()))

    def feed_failed(self, url: str) -> None:
        with self._session.transaction() as conn:
            conn.execute(
                "INSERT INTO feeds (url, failures) VALUES (%s, 1) ON CONFLICT (url) DO UPDATE "
                "SET failures = feeds.failures + 1, etag = NULL, last_modified = NULL", (url,))

    def feed_failures(self, url: str) -> int:
        row = self._session.retrying(
            lambda c: c.execute("SELECT failures FROM feeds WHERE url = %s", (url,)).fetchone())
        return row[0] if row else 0

    def save_feed_state(self, url: str, etag: str | None, last_modified: str | None, failures_seen: int) -> bool:
        with self._session.transaction() as conn:
            # one statement: a feed_failed committed by another process in between wins
            saved = conn.execute(
                "INSERT INTO feeds (url, etag, last_modified, checked_at, failures) VALUES (%s, %s, %s, %s, %s) "
                "ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified, "
                "checked_at = excluded.checked_at WHERE feeds.failures = excluded.failures RETURNING url",
                (url, etag, last_modified, utc_now(), failures_seen)).fetchone()
        return saved is not None

    # ---------------------------------------------------------------- runs

    def start_run(self, command: str) -> int:
        with self._session.transaction() as conn:
            return int(conn.execute("INSERT INTO runs (command, started_at) VALUES (%s, %s) RETURNING id",
                                    (command, utc_now())).fetchone()[0])

    def finish_run(self, run_id: int, outcome: str, stats: dict[str, Any],
                   sources: dict[str, dict[str, Any]]) -> None:
        with self._session.transaction() as conn:
            conn.execute("UPDATE runs SET finished_at = %s, outcome = %s, stats = %s WHERE id = %s",
                         (utc_now(), outcome, _jsonb(stats), run_id))
            for name, s in sources.items():
                conn.execute(
                    "INSERT INTO run_sources (run_id, source, feeds_fetched, entries_seen, new_articles, duplicates, "
                    "errors) VALUES (%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (run_id, source) DO UPDATE SET "
                    "feeds_fetched = excluded.feeds_fetched, entries_seen = excluded.entries_seen, "
                    "new_articles = excluded.new_articles, duplicates = excluded.duplicates, errors = excluded.errors",
                    (run_id, name, s.get("feeds_fetched", 0), s.get("entries_seen", 0), s.get("new_articles", 0),
                     s.get("duplicates", 0), _jsonb(s.get("errors", {}))))

    # ---------------------------------------------------------------- re-extraction (reextract)

    def article_ids(self, keys: Iterable[str]) -> dict[str, str]:
        keys = list(dict.fromkeys(keys))
        if not keys:
            return {}
        return self._session.retrying(lambda c: dict(c.execute(
            "SELECT url, article_id FROM article_urls WHERE url = ANY(%s)", (keys,)).fetchall()))

    def update_article(self, article: Article) -> bool:
        """A stored article's extraction replaced, in one transaction (see crawler.store.Store)."""
        aliases = [k for k in dict.fromkeys(article.aliases) if k]
        with self._session.transaction() as conn:
            changed = conn.execute(
                "UPDATE articles SET title = %s, author = %s, published = %s, published_at = %s, date_source = %s, "
                "language = %s, description = %s, text = %s, word_count = %s, text_hash = %s, signature = %s, "
                "shingle_count = %s WHERE id = %s",
                (article.title, article.author, article.published, instant(article.published), article.date_source,
                 article.language, article.description, article.text, word_count(article.paragraphs),
                 article.text_hash, article.signature, article.shingle_count, article.id),
            ).rowcount
            if not changed:
                return False
            conn.execute("DELETE FROM removed_paragraphs WHERE article_id = %s", (article.id,))
            if article.removed:
                with conn.cursor() as cur:
                    cur.executemany(
                        "INSERT INTO removed_paragraphs (article_id, position, text, reason, duplicate_of) "
                        "VALUES (%s,%s,%s,%s,%s)",
                        [(article.id, i, r.text, r.reason, r.duplicate_of) for i, r in enumerate(article.removed)])
            if aliases:
                conn.execute("INSERT INTO article_urls (url, article_id) SELECT u, %s FROM unnest(%s::text[]) u "
                             "ON CONFLICT DO NOTHING", (article.id, aliases))
        return True

    # ---------------------------------------------------------------- what `report` shows

    def report_data(self, selection: ReportSelection = ReportSelection()) -> dict[str, Any]:
        """The report's aggregates (crawler.store.Store.report_data), each one query the server answers."""
        dialect = {"mark": "%s", "sources_in": "a.source = ANY(%s)"}
        queries = report_queries(selection, **dialect)
        run_where, run_params = report_where(ReportSelection(selection.fetched_from, selection.fetched_before),
                                             column="started_at", **dialect)
        queries["runs"] = (
            "SELECT id, command, started_at, finished_at, outcome, "
            "coalesce((stats ->> 'store/articles')::bigint, 0) AS new_articles, "
            "(SELECT coalesce(sum(value::text::numeric), 0) FROM jsonb_each(stats) "
            " WHERE (key LIKE 'errors/%%' OR key LIKE 'extract/failed/%%') AND jsonb_typeof(value) = 'number') "
            f"AS failed_items FROM runs WHERE true {run_where} ORDER BY id", run_params)

        def read(conn: psycopg.Connection) -> dict[str, Any]:
            data: dict[str, Any] = {}
            for key, (sql, values) in queries.items():
                cursor = conn.execute(sql, values)
                names = [d[0] for d in cursor.description]
                data[key] = [{n: _plain(v) for n, v in zip(names, row)} for row in cursor]
            return data

        return self._session.retrying(read)

    # ---------------------------------------------------------------- what `stats` shows

    def summary(self, runs: int = 5) -> dict[str, Any]:
        def read(conn: psycopg.Connection) -> dict[str, Any]:
            per_source = [
                {"source": s, "articles": n, "duplicates": d, "last_published": lp}
                for s, n, d, lp in conn.execute(
                    "SELECT a.source, count(*), count(a.duplicate_of), "
                    "(SELECT l.published FROM articles l WHERE l.source = a.source AND l.published_at IS NOT NULL "
                    " ORDER BY l.published_at DESC LIMIT 1) FROM articles a GROUP BY a.source ORDER BY a.source")
            ]
            removed = dict(conn.execute(
                "SELECT reason, count(*) FROM removed_paragraphs GROUP BY reason ORDER BY count(*) DESC").fetchall())
            recent = [recent_run(*row) for row in conn.execute(
                "SELECT id, started_at, finished_at, outcome, stats FROM runs ORDER BY id DESC LIMIT %s", (runs,))]
            history = [
                (source, started, fetched, json.dumps(errors), not_modified)
                for source, started, fetched, errors, not_modified in conn.execute(
                    "SELECT rs.source, r.started_at, rs.feeds_fetched, rs.errors, "
                    "(r.stats ->> ('source/' || rs.source || '/feeds_not_modified'))::integer "
                    "FROM run_sources rs JOIN runs r ON r.id = rs.run_id ORDER BY rs.source, rs.run_id DESC")
            ]
            total, duplicates = conn.execute("SELECT count(*), count(duplicate_of) FROM articles").fetchone()
            return {"database": self.url, "articles": total, "duplicate_articles": duplicates,
                    "per_source": per_source, "paragraphs_removed": removed, "recent_runs": recent,
                    "source_health": source_health(history)}

        return self._session.retrying(read)

    # ---------------------------------------------------------------- bulk copy (migrate)

    def dump(self, kind: str, after: Any = None, limit: int = 1000) -> list[tuple[Any, dict[str, Any]]]:
        if kind not in RECORD_KINDS:
            raise ValueError(f"unknown record kind {kind!r}")
        return self._session.retrying(lambda conn: _DUMPS[kind](conn, after, limit))

    def load(self, kind: str, records: list[dict[str, Any]]) -> int:
        if kind not in RECORD_KINDS:
            raise ValueError(f"unknown record kind {kind!r}")
        with self._session.transaction() as conn:
            return _LOADS[kind](conn, records)

    def tallies(self) -> dict[str, int]:
        tables = {"articles": "articles", "article_urls": "article_urls", "removed_paragraphs": "removed_paragraphs",
                  "index_entries": "dedup_entries", "index_bands": "dedup_bands", "index_anchors": "dedup_anchors",
                  "runs": "runs", "run_sources": "run_sources", "feeds": "feeds",
                  "boilerplate_sources": "boilerplate_sources", "boilerplate_lines": "boilerplate_lines"}
        return self._session.retrying(lambda conn: {
            name: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for name, table in tables.items()})


def _jsonb(value: Any) -> Jsonb:
    # stats hold a few non-JSON values (datetimes): as text, as SQLite's json.dumps(default=str) stores them
    return Jsonb(value, dumps=lambda v: json.dumps(v, ensure_ascii=False, default=str))


# ---------------------------------------------------------------------------------- dump / load by kind

def _dump_meta(conn: psycopg.Connection, after: Any, limit: int) -> list[tuple[Any, dict[str, Any]]]:
    rows = conn.execute("SELECT key, value FROM meta WHERE key > %s AND NOT key = ANY(%s) AND key NOT LIKE 'migrate/%%' "
                        "ORDER BY key LIMIT %s",
                        (after or "", list(OWN_META), limit)).fetchall()
    return [(k, {"key": k, "value": v}) for k, v in rows]


def _dump_runs(conn: psycopg.Connection, after: Any, limit: int) -> list[tuple[Any, dict[str, Any]]]:
    out = []
    for run_id, command, started, finished, outcome, stats in conn.execute(
            "SELECT id, command, started_at, finished_at, outcome, stats FROM runs WHERE id > %s ORDER BY id LIMIT %s",
            (after or 0, limit)).fetchall():
        sources = [{"source": s, "feeds_fetched": f, "entries_seen": e, "new_articles": n, "duplicates": d,
                    "errors": errors}
                   for s, f, e, n, d, errors in conn.execute(
                       "SELECT source, feeds_fetched, entries_seen, new_articles, duplicates, errors FROM run_sources "
                       "WHERE run_id = %s ORDER BY source", (run_id,))]
        out.append((run_id, {"id": run_id, "command": command, "started_at": started, "finished_at": finished,
                             "outcome": outcome, "stats": stats, "sources": sources}))
    return out


def _dump_feeds(conn: psycopg.Connection, after: Any, limit: int) -> list[tuple[Any, dict[str, Any]]]:
    rows = conn.execute("SELECT url, etag, last_modified, checked_at, failures FROM feeds WHERE url > %s "
                        "ORDER BY url LIMIT %s", (after or "", limit)).fetchall()
    return [(r[0], dict(zip(("url", "etag", "last_modified", "checked_at", "failures"), r))) for r in rows]


def _dump_boilerplate_sources(conn: psycopg.Connection, after: Any, limit: int) -> list[tuple[Any, dict[str, Any]]]:
    rows = conn.execute("SELECT source, articles FROM boilerplate_sources WHERE source > %s ORDER BY source LIMIT %s",
                        (after or "", limit)).fetchall()
    return [(s, {"source": s, "articles": n}) for s, n in rows]


def _dump_boilerplate_lines(conn: psycopg.Connection, after: Any, limit: int) -> list[tuple[Any, dict[str, Any]]]:
    source, line = after or ("", "")
    rows = conn.execute("SELECT source, line, articles, boilerplate FROM boilerplate_lines "
                        "WHERE (source, line) > (%s, %s) ORDER BY source, line LIMIT %s",
                        (source, line, limit)).fetchall()
    return [([s, k], {"source": s, "line": k, "articles": n, "boilerplate": bool(b)}) for s, k, n, b in rows]


def _dump_articles(conn: psycopg.Connection, after: Any, limit: int) -> list[tuple[Any, dict[str, Any]]]:
    rows = conn.execute(
        f"SELECT a.seq, {', '.join('a.' + f for f in ARTICLE_FIELDS)}, "
        "(SELECT json_agg(json_build_array(r.position, r.text, r.reason, r.duplicate_of) ORDER BY r.position) "
        " FROM removed_paragraphs r WHERE r.article_id = a.id), "
        "(SELECT array_agg(u.url ORDER BY u.url) FROM article_urls u WHERE u.article_id = a.id) "
        "FROM articles a WHERE a.seq > %s ORDER BY a.seq LIMIT %s", (after or 0, limit)).fetchall()
    out = []
    for row in rows:
        record = dict(zip(ARTICLE_FIELDS, row[1:-2]))
        if record["signature"] is not None:
            record["signature"] = bytes(record["signature"])
        record["removed"] = [list(r) for r in row[-2] or ()]
        record["urls"] = list(row[-1] or ())
        out.append((row[0], record))
    return out


def _dump_index(conn: psycopg.Connection, after: Any, limit: int) -> list[tuple[Any, dict[str, Any]]]:
    rows = conn.execute(
        "SELECT e.entry, e.article_id, e.day, e.size, e.anchors, e.text_hash, e.published, e.duplicate_of, e.cluster, "
        "(SELECT array_agg(b.band_key ORDER BY b.band_key) FROM dedup_bands b WHERE b.entry = e.entry), "
        "(SELECT array_agg(p.anchor ORDER BY p.anchor) FROM dedup_anchors p WHERE p.entry = e.entry) "
        "FROM dedup_entries e WHERE e.entry > %s ORDER BY e.entry LIMIT %s", (after or 0, limit)).fetchall()
    names = ("entry", "article_id", "day", "size", "anchors", "text_hash", "published", "duplicate_of", "cluster")
    return [(r[0], {**dict(zip(names, r[:9])), "band_keys": list(r[9] or ()), "anchor_keys": list(r[10] or ())})
            for r in rows]


def _inserted(cursor: psycopg.Cursor) -> int:
    return max(0, cursor.rowcount)


def _load_meta(conn: psycopg.Connection, records: list[dict[str, Any]]) -> int:
    new = 0
    for r in records:
        new += _inserted(conn.execute("INSERT INTO meta (key, value) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                                      (r["key"], r["value"])))
    return new


def _load_runs(conn: psycopg.Connection, records: list[dict[str, Any]]) -> int:
    new = 0
    for r in records:
        new += _inserted(conn.execute(
            "INSERT INTO runs (id, command, started_at, finished_at, outcome, stats) VALUES (%s,%s,%s,%s,%s,%s) "
            "ON CONFLICT DO NOTHING",
            (r["id"], r["command"], r["started_at"], r["finished_at"], r["outcome"], _jsonb(r["stats"]))))
        for s in r["sources"]:
            conn.execute(
                "INSERT INTO run_sources (run_id, source, feeds_fetched, entries_seen, new_articles, duplicates, errors) "
                "VALUES (%s,%s,%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING",
                (r["id"], s["source"], s["feeds_fetched"], s["entries_seen"], s["new_articles"], s["duplicates"],
                 _jsonb(s["errors"])))
    _advance_identity(conn, "runs", "id")
    return new


def _load_feeds(conn: psycopg.Connection, records: list[dict[str, Any]]) -> int:
    new = 0
    for r in records:
        new += _inserted(conn.execute(
            "INSERT INTO feeds (url, etag, last_modified, checked_at, failures) VALUES (%s,%s,%s,%s,%s) "
            "ON CONFLICT DO NOTHING", (r["url"], r["etag"], r["last_modified"], r["checked_at"], r["failures"])))
    return new


def _load_boilerplate_sources(conn: psycopg.Connection, records: list[dict[str, Any]]) -> int:
    new = 0
    for r in records:
        new += _inserted(conn.execute("INSERT INTO boilerplate_sources VALUES (%s, %s) ON CONFLICT DO NOTHING",
                                      (r["source"], r["articles"])))
    return new


def _load_boilerplate_lines(conn: psycopg.Connection, records: list[dict[str, Any]]) -> int:
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM boilerplate_lines")
        before = cur.fetchone()[0]
        cur.executemany("INSERT INTO boilerplate_lines VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                        [(r["source"], r["line"], r["articles"], bool(r["boilerplate"])) for r in records])
        cur.execute("SELECT count(*) FROM boilerplate_lines")
        return cur.fetchone()[0] - before


def _load_articles(conn: psycopg.Connection, records: list[dict[str, Any]]) -> int:
    new = 0
    with conn.cursor() as cur:
        for r in records:
            cur.execute(
                f"INSERT INTO articles ({', '.join(ARTICLE_FIELDS)}) VALUES ({','.join(['%s'] * len(ARTICLE_FIELDS))}) "
                "ON CONFLICT DO NOTHING", [r[f] for f in ARTICLE_FIELDS])
            if cur.rowcount != 1:
                continue
            new += 1
            if r["removed"]:
                cur.executemany("INSERT INTO removed_paragraphs (article_id, position, text, reason, duplicate_of) "
                                "VALUES (%s,%s,%s,%s,%s)", [(r["id"], *p) for p in r["removed"]])
            cur.execute("INSERT INTO article_urls (url, article_id) SELECT u, %s FROM unnest(%s::text[]) u "
                        "ON CONFLICT DO NOTHING", (r["id"], r["urls"]))
    return new


def _load_index(conn: psycopg.Connection, records: list[dict[str, Any]]) -> int:
    new = 0
    with conn.cursor() as cur:
        for r in records:
            cur.execute(
                "INSERT INTO dedup_entries (entry, article_id, day, size, anchors, text_hash, published, duplicate_of, "
                "cluster) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING",
                (r["entry"], r["article_id"], r["day"], r["size"], r["anchors"], r["text_hash"], r["published"],
                 r["duplicate_of"], r["cluster"]))
            if cur.rowcount != 1:
                continue
            new += 1
            cur.execute("INSERT INTO dedup_bands SELECT k, %s FROM unnest(%s::bigint[]) k ON CONFLICT DO NOTHING",
                        (r["entry"], r["band_keys"]))
            cur.execute("INSERT INTO dedup_anchors SELECT k, %s FROM unnest(%s::bigint[]) k ON CONFLICT DO NOTHING",
                        (r["entry"], r["anchor_keys"]))
    _advance_identity(conn, "dedup_entries", "entry")
    return new


def _advance_identity(conn: psycopg.Connection, table: str, column: str) -> None:
    """Rows loaded with their own numbers: the next number generated must come after them."""
    conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                 f"greatest((SELECT max({column}) FROM {table}), 1))")


_DUMPS = {"meta": _dump_meta, "runs": _dump_runs, "feeds": _dump_feeds,
          "boilerplate_sources": _dump_boilerplate_sources, "boilerplate_lines": _dump_boilerplate_lines,
          "articles": _dump_articles, "index": _dump_index}
_LOADS = {"meta": _load_meta, "runs": _load_runs, "feeds": _load_feeds,
          "boilerplate_sources": _load_boilerplate_sources, "boilerplate_lines": _load_boilerplate_lines,
          "articles": _load_articles, "index": _load_index}


def _plain(value: Any) -> Any:
    """Numbers as the SQLite backend gives them: counts and sums are ints, not Decimals."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
