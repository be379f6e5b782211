"""`python -m crawler dedup IN.jsonl --out OUT.jsonl`: the same dedup over an existing corpus.

Every input record comes out, in order, with `paragraphs`, `removed` and `duplicate_of` added. The CPU
work (paragraph dedup, signatures) runs on every core; the index lookups run here, in input order, so
`duplicate_of` always names an earlier record.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any, Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from crawler.article_index import ArticleIndex, IndexEntry
from crawler.date_policy import epoch_day
from crawler.dedup import ParagraphDeduplicator
from crawler.record import Article
from crawler.signatures import Fingerprint, fingerprint
from crawler.store import open_store

_DEDUPLICATOR = ParagraphDeduplicator()


class CorpusError(ValueError):
    pass


def _prepare(args: tuple[int, str, str, str | None, int]) -> tuple[int, list[str], list[dict[str, Any]], Fingerprint, int]:
    line_no, text, title, when, num_perm = args
    paragraphs = [p.strip() for p in text.split("\n") if p.strip()]
    kept, removed, hashed = _DEDUPLICATOR.dedup(paragraphs, title=title)
    day = epoch_day(str(when)) if when else None  # the crawl's own definition of an article's day
    return line_no, kept, [asdict(r) for r in removed], fingerprint(kept, num_perm, hashed), day or 0


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
    # the index and the texts it verifies against live in a scratch store on disk, so memory stays flat;
    # it is deleted at the end, so it keeps no journal and never waits on fsync
    store = open_store(str(Path(scratch.name) / "index.db"), scratch=True)
    index = ArticleIndex(store.postings(), text_of=store.text_of, bands=bands, rows=rows, threshold=threshold,
                         window_days=window_days)
    record_of: dict[str, str] = {}  # the scratch store's article id -> the input record's id
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
            scratch_article = Article(url=f"urn:corpus:{len(record_of)}", source="corpus", paragraphs=kept,
                                      fetched_at="1970-01-01T00:00:00+00:00")
            store.save(scratch_article)
            record_of[scratch_article.id] = record_id
            # no publication times: input order decides which copy is the original
            verdict = index.match_or_add(IndexEntry(scratch_article.id, fp, day))
            duplicate_of = record_of.get(verdict.duplicate_of) if verdict.duplicate_of else None
            record.update(paragraphs=kept, removed=removed, duplicate_of=duplicate_of)
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
            counts["records"] += 1
            counts["duplicates"] += duplicate_of is not None
            counts["paragraphs_removed"] += len(removed)
            bar.advance(task)
    store.close()
    scratch.cleanup()
    return counts
