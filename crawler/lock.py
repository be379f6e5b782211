"""One crawl at a time per database: an flock, released by the kernel when the holder dies.

A pid file would survive a kill -9 and block every later run; an flock cannot.
"""
from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


class AlreadyRunning(RuntimeError):
    pass


@contextmanager
def run_lock(db: str, enabled: bool = True) -> Iterator[None]:
    if not enabled or db == ":memory:":
        yield
        return
    path = Path(f"{db}.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "another process"
            raise AlreadyRunning(f"another crawl (pid {holder}) is running on {db}; this one exits") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
