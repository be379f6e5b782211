"""Export writers: JSONL, Parquet, CSV and plain text, streamed from the store, plus a manifest.

Every writer consumes an iterator of records, so memory stays flat whatever the corpus size.
"""
from __future__ import annotations

import csv
import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from crawler.date_policy import instant
from crawler.record import Article

LOGGER = logging.getLogger(__name__)

FORMATS = ("jsonl", "parquet", "csv", "text")
FIELDS = (
    "id", "url", "source", "title", "author", "published", "date_source", "language", "description", "text",
    "paragraphs", "removed", "duplicate_of", "cluster_id", "fetched_at",
)
_REMOVED_TYPE = pa.list_(
    pa.struct([("text", pa.string()), ("reason", pa.string()), ("duplicate_of", pa.string())])
)
PARQUET_SCHEMA = pa.schema(
    [
        ("id", pa.string()), ("url", pa.string()), ("source", pa.string()), ("title", pa.string()),
        ("author", pa.string()), ("published", pa.string()), ("date_source", pa.string()), ("language", pa.string()),
        ("description", pa.string()), ("text", pa.string()), ("paragraphs", pa.list_(pa.string())),
        ("removed", _REMOVED_TYPE), ("duplicate_of", pa.string()), ("cluster_id", pa.string()),
        ("fetched_at", pa.string()),
    ]
)
BATCH = 1000


class ExportError(ValueError):
    pass


@dataclass
class ExportSummary:
    """What went into an export; becomes the manifest."""

    articles: int = 0
    per_source: Counter = field(default_factory=Counter)
    removed_by_reason: Counter = field(default_factory=Counter)
    first_published: str | None = None
    last_published: str | None = None
    undated: int = 0
    duplicates_included: int = 0
    _first_at: int | None = field(default=None, repr=False)
    _last_at: int | None = field(default=None, repr=False)

    def add(self, article: Article) -> None:
        self.articles += 1
        self.per_source[article.source] += 1
        self.removed_by_reason.update(r.reason for r in article.removed)
        if article.duplicate_of:
            self.duplicates_included += 1
        moment = instant(article.published)
        if moment is None:
            self.undated += 1
            return
        # by instant: texts with different offsets do not sort as the moments they name
        if self._first_at is None or moment < self._first_at:
            self.first_published, self._first_at = article.published, moment
        if self._last_at is None or moment > self._last_at:
            self.last_published, self._last_at = article.published, moment


def check_fields(fields: Iterable[str] | None) -> tuple[str, ...]:
    if not fields:
        return FIELDS
    chosen = tuple(f.strip() for f in fields if f.strip())
    unknown = [f for f in chosen if f not in FIELDS]
    if unknown:
        raise ExportError(f"unknown field(s) {', '.join(unknown)}; choose from {', '.join(FIELDS)}")
    return chosen


def write_export(
    articles: Iterable[Article],
    fmt: str,
    out: Path,
    fields: tuple[str, ...] = FIELDS,
    on_article: Callable[[], None] | None = None,
) -> ExportSummary:
    """Write articles to `out` in `fmt`; return what was written."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    summary = ExportSummary()

    def records() -> Iterator[dict[str, Any]]:
        for article in articles:
            summary.add(article)
            if on_article:
                on_article()
            full = article.to_json()
            yield {f: full[f] for f in fields}

    out.parent.mkdir(parents=True, exist_ok=True)
    {"jsonl": _jsonl, "parquet": _parquet, "csv": _csv, "text": _text}[fmt](records(), out, fields)
    return summary


def _jsonl(records: Iterator[dict[str, Any]], out: Path, fields: tuple[str, ...]) -> None:
    with open(out, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def _parquet(records: Iterator[dict[str, Any]], out: Path, fields: tuple[str, ...]) -> None:
    schema = pa.schema([PARQUET_SCHEMA.field(f) for f in fields])
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        batch: list[dict[str, Any]] = []
        for r in records:
            batch.append(r)
            if len(batch) >= BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                batch = []
        if batch or writer.schema is None:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))


def _csv(records: Iterator[dict[str, Any]], out: Path, fields: tuple[str, ...]) -> None:
    # RFC 4180: CRLF line ends, fields quoted when needed; lists are written as JSON inside the cell
    with open(out, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(fields), lineterminator="\r\n")
        writer.writeheader()
        for r in records:
            writer.writerow(
                {k: json.dumps(v, ensure_ascii=False) if isinstance(v, list) else ("" if v is None else v)
                 for k, v in r.items()}
            )


def _text(records: Iterator[dict[str, Any]], out: Path, fields: tuple[str, ...]) -> None:
    """A folder (no suffix): one file an article, title then paragraphs. A file: one article per line."""
    if out.suffix:
        with open(out, "w", encoding="utf-8") as f:
            for r in records:
                f.write(" ".join(p for p in [r.get("title", ""), *(r.get("paragraphs") or [r.get("text", "")])] if p))
                f.write("\n")
    else:
        out.mkdir(parents=True, exist_ok=True)
        for r in records:
            body = [r.get("title", ""), *(r.get("paragraphs") or [r.get("text", "")])]
            name = r.get("id") or f"article-{id(r)}"
            (out / f"{name}.txt").write_text("\n\n".join(p for p in body if p) + "\n", encoding="utf-8")


def manifest_path(out: Path) -> Path:
    return out / "manifest.json" if out.is_dir() else out.with_name(out.name + ".manifest.json")


def write_manifest(
    out: Path, summary: ExportSummary, *, command: str, version: str, settings: dict[str, Any],
    selection: dict[str, Any], fmt: str, fields: tuple[str, ...], duplicates_left_out: int,
) -> Path:
    """A datasheet beside the export: how it was made and what it holds."""
    manifest = {
        "created_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "command": command,
        "tool_version": version,
        "format": fmt,
        "path": str(out),
        "fields": list(fields),
        "selection": selection,
        "settings": settings,
        "articles": summary.articles,
        "articles_per_source": dict(sorted(summary.per_source.items())),
        "published_range": {"first": summary.first_published, "last": summary.last_published,
                            "undated": summary.undated},
        "paragraphs_removed_by_reason": dict(sorted(summary.removed_by_reason.items())),
        "duplicate_articles_included": summary.duplicates_included,
        "duplicate_articles_left_out": duplicates_left_out,
    }
    path = manifest_path(out)
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
