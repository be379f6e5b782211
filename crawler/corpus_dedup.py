"""`python -m crawler dedup IN.jsonl --out OUT.jsonl`: the same dedup over an existing corpus.

Every input record comes out, in order, with `paragraphs`, `removed` and `duplicate_of` added. The CPU
work (paragraph dedup, signatures) runs on every core; the index lookups run here, in input order, so
`duplicate_of` always names an earlier record.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any, Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from crawler.article_index import IndexEntry, SqliteMinHashIndex
from crawler.date_policy import epoch_day
from crawler.dedup import ParagraphDeduplicator
from crawler.signatures import Fingerprint, fingerprint

_DEDUPLICATOR = ParagraphDeduplicator()


class CorpusError(ValueError):
    pass


def _prepare(args: tuple[int, str, str, str | None, int]) -> tuple[int, list[str], list[dict[str, Any]], Fingerprint, int]:
    line_no, text, title, when, num_perm = args
    paragraphs = [p.strip() for p in text.split("\n") if p.strip()]
    kept, removed = _DEDUPLICATOR(paragraphs, title=title)
    day = epoch_day(str(when)) if when else None  # the crawl's own definition of an article's day
    return line_no, kept, [asdict(r) for r in removed], fingerprint(kept, num_perm), day or 0


def _read(path: Path, id_field: str, text_field: str) -> Iterator[tuple[int, dict[str, Any]]]:
    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CorpusError(f"{path}:{line_no}: not a JSON line ({exc.msg})") from None
            if not isinstance(record, dict) or id_field not in record:
                raise CorpusError(f"{path}:{line_no}: record has no {id_field!r} field")
            if not isinstance(record.get(text_field, ""), str):
                raise CorpusError(f"{path}:{line_no}: {text_field!r} is not a string")
            yield line_no, record


def dedup_corpus(
    source: Path, out: Path, *, id_field: str = "id", text_field: str = "text", title_field: str = "title",
    date_field: str = "published", workers: int = 0, bands: int = 20, rows: int = 5, threshold: float = 0.8,
    window_days: int = 30,
) -> dict[str, int]:
    records = list(_read(source, id_field, text_field))  # validated before any output is written
    scratch = tempfile.TemporaryDirectory(prefix="crawler-dedup-")
    conn = sqlite3.connect(Path(scratch.name) / "index.db", isolation_level=None)
    # a scratch file deleted at the end: a crash means running again, so no journal on disk and no fsync (with
    # them, one fsync per record made the run wait on the disk for most of its time)
    conn.execute("PRAGMA journal_mode=MEMORY")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA temp_store=MEMORY")
    conn.execute("CREATE TABLE corpus_texts (id TEXT PRIMARY KEY, text TEXT NOT NULL)")

    def text_of(record_id: str) -> str | None:
        row = conn.execute("SELECT text FROM corpus_texts WHERE id = ?", (record_id,)).fetchone()
        return row[0] if row else None

    index = SqliteMinHashIndex(conn, text_of=text_of, bands=bands, rows=rows, threshold=threshold,
                               window_days=window_days)
    jobs = [(n, r.get(text_field) or "", r.get(title_field) or "", r.get(date_field) or r.get("date"), bands * rows)
            for n, r in records]
    counts = {"records": 0, "duplicates": 0, "paragraphs_removed": 0}
    workers = workers or os.cpu_count() or 1
    err = Console(stderr=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as f, ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("spawn")
    ) as pool, Progress(TextColumn("dedup"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                        console=err, disable=not sys.stderr.isatty() and not os.environ.get("CRAWLER_PROGRESS")) as bar:
        task = bar.add_task("dedup", total=len(jobs))
        for (_, record), (_, kept, removed, fp, day) in zip(records, pool.map(_prepare, jobs, chunksize=32)):
            record_id = str(record[id_field])
            conn.execute("INSERT OR REPLACE INTO corpus_texts VALUES (?, ?)", (record_id, "\n".join(kept)))
            # no publication times: input order decides which copy is the original
            verdict = index.match_or_add(IndexEntry(record_id, fp, day))
            record.update(paragraphs=kept, removed=removed, duplicate_of=verdict.duplicate_of)
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
            counts["records"] += 1
            counts["duplicates"] += verdict.duplicate_of is not None
            counts["paragraphs_removed"] += len(removed)
            bar.advance(task)
    conn.close()
    scratch.cleanup()
    return counts
