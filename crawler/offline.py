"""Offline extraction of saved pages (`python -m crawler extract`), on every core, in input order."""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Iterator

from crawler.extract import ExtractionError, extract_article
from crawler.worker import WorkerConfig, init_worker, sign


def extract_file(path: str, url: str | None = None) -> tuple[str, dict[str, Any] | None, str | None]:
    """(path, JSON record, None) or (path, None, one-line error)."""
    try:
        body = Path(path).read_bytes()
    except OSError as exc:
        return path, None, f"cannot read: {exc.strerror or exc}"
    try:
        article = extract_article(body, url or Path(path).resolve().as_uri())
    except ExtractionError as exc:
        return path, None, f"no article extracted: {exc}"
    sign(article)
    return path, {**article.to_json(), "path": path}, None


def _extract_star(args: tuple[str, str | None]) -> tuple[str, dict[str, Any] | None, str | None]:
    return extract_file(*args)


def extract_files(
    files: list[str], url: str | None = None, workers: int = 0
) -> Iterator[tuple[str, dict[str, Any] | None, str | None]]:
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(files) < 3:
        init_worker(WorkerConfig())
        for path in files:
            yield extract_file(path, url)
        return
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=init_worker, initargs=(WorkerConfig(),)) as pool:
        yield from pool.map(_extract_star, [(f, url) for f in files], chunksize=4)
