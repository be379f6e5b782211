"""Exit codes of `python -m crawler` (also in the README), and the error a command raises to end with one.

  0   the run completed (items that failed are counted, not fatal)
  1   the run failed: no source could be reached, or every input failed
  2   bad usage or configuration (unknown option, bad sources file, bad -s value, no such database)
  3   the store cannot be opened or written
  4   another crawl holds the lock on this database
  130 interrupted (Ctrl-C, SIGTERM)
"""
from __future__ import annotations

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_STORE, EXIT_LOCKED, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130


class CommandError(Exception):
    """Ends a command with one line on stderr ("error: ...") and an exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code
