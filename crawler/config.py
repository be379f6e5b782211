"""Settings for a command: the project's settings package, then --db and -s NAME=VALUE, checked.

A typo in a setting's name would otherwise be ignored silently, and a value of the wrong type would end
the run with a traceback hours later; both are caught here, before anything starts.
"""
from __future__ import annotations

import difflib
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from crawler.exitcodes import EXIT_USAGE, CommandError

ROOT = Path(__file__).resolve().parent.parent
LOGGER = logging.getLogger(__name__)


def user_agent(bot: str, version: str, contact: str) -> str:
    """The User-Agent: the tool, its version and whom to contact (CRAWLER_CONTACT)."""
    return f"{bot}/{version} (+{contact})"


def project_settings(db: str | None = None, overrides: tuple[str, ...] = (), *, warn: Any = None) -> Any:
    """Scrapy settings from the settings package, with --db and -s NAME=VALUE applied and checked.

    Raises CommandError (exit code 2) for a malformed -s or a value that does not fit the setting; an
    unknown name is allowed (a third-party component may read it) but warned about with the closest known one.
    """
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    known = known_settings(settings)
    for item in overrides:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise CommandError(f"-s expects NAME=VALUE, got {item!r}", EXIT_USAGE)
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
            hint = f" (did you mean {close[0]}?)" if close else ""
            (warn or _warn)(f"warning: unknown setting {name}{hint}; it is passed on, but nothing here reads it")
        else:
            check_value(name, value, settings.get(name))
        settings.set(name, value, priority="cmdline")
    if db:
        settings.set("CRAWLER_DB", db, priority="cmdline")
    named = {o.partition("=")[0].strip() for o in overrides}
    if "CRAWLER_CONTACT" in named and "USER_AGENT" not in named:
        settings.set("USER_AGENT", user_agent(settings["BOT_NAME"], settings["TOOL_VERSION"],
                                              settings["CRAWLER_CONTACT"]), priority="cmdline")
    return settings


def _warn(message: str) -> None:
    print(message, file=sys.stderr)


def known_settings(settings: Any) -> list[str]:
    from scrapy.settings import default_settings

    names = {n for n in dir(default_settings) if n.isupper()}
    names.update(name for name, _ in settings.items())
    return sorted(names)


_BOOLS = {"1", "0", "true", "false", "True", "False"}  # what Settings.getbool reads


def check_value(name: str, value: str, current: Any) -> None:
    """The value must be of the kind the setting's default is: a number for a number, true/false for a flag."""
    def bad(kind: str) -> CommandError:
        return CommandError(f"-s {name}={value!r}: {name} takes {kind} (default {current!r})", EXIT_USAGE)

    if isinstance(current, bool):
        if value not in _BOOLS:
            raise bad("true or false (1 or 0)")
    elif isinstance(current, int):
        try:
            int(value)
        except ValueError:
            raise bad("a whole number") from None
    elif isinstance(current, float):
        try:
            float(value)
        except ValueError:
            raise bad("a number") from None
    elif isinstance(current, dict) and value.strip():
        try:
            parsed = json.loads(value)
        except ValueError:
            raise bad("a JSON object") from None
        if not isinstance(parsed, dict):
            raise bad("a JSON object")


def dedup_settings(settings: Any) -> dict:
    """The settings that decide which articles are copies: recorded in the store, read into export manifests."""
    return {name: settings.get(name) for name in (
        "DEDUP_PARAGRAPH_THRESHOLD", "DEDUP_MIN_FRAGMENT_CHARS", "DEDUP_BANDS", "DEDUP_ROWS",
        "DEDUP_CONTAINMENT_THRESHOLD", "DEDUP_WINDOW_DAYS", "BOILERPLATE_MIN_SHARE", "BOILERPLATE_MIN_ARTICLES",
        "BOILERPLATE_MIN_COUNT")}
