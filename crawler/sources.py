"""Read and validate the sources file: outlets are declarative data, checked before any request is made.

A mistake in settings/sources.toml should stop the crawl at start-up with one line naming the file, the
source (by name, or by position when the name itself is the problem) and the field, never surface an hour
later as a failed request or a silently empty crawl.
"""
from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from collections.abc import Iterable
from urllib.parse import urlsplit

LOGGER = logging.getLogger(__name__)

# the name becomes a stats key, a log prefix and a column value: keep it plain
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]*")
# "ar", "ar-EG", "ary" (Moroccan Darija)...: a BCP 47 shape, not a registry check
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
_LISTS = ("feeds", "sitemaps", "pages")
_KEYS = ("name", *_LISTS, "language", "article_pattern", "title")
_TOML_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")


class SourcesError(ValueError):
    """A sources file that cannot be used; the message names the file, the source and the field."""


@dataclass(frozen=True)
class Source:
    """One outlet: where its article links come from, and what language its articles are in."""

    name: str
    feeds: tuple[str, ...] = ()  # RSS 0.9x/1.0/2.0 or Atom
    sitemaps: tuple[str, ...] = ()  # XML sitemaps or sitemap indexes, Google News sitemaps included
    pages: tuple[str, ...] = ()  # section or front pages whose article links are followed (depth 1)
    language: str = "ar"
    article_pattern: str | None = None  # regex (Python `re`) an article URL found on `pages` must match
    title: str | None = None  # the outlet's own name ("أخبار الوادي"), shown by `report` beside `name`


def load_sources(path: str | Path) -> list[Source]:
    """Parse and validate a sources file; raise SourcesError on the first problem found."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SourcesError(f"{path}: sources file not found") from None
    except IsADirectoryError:
        raise SourcesError(f"{path}: is a directory, not a sources file") from None
    try:
        # utf-8-sig: a file saved by Windows Notepad starts with a BOM that tomllib rejects as line 1 garbage
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise SourcesError(f"{path}: not UTF-8 text (line {line}); save the file as UTF-8") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{path}: {_toml_message(exc)}") from None

    unknown_top = sorted(set(data) - {"source"})
    if unknown_top:
        raise SourcesError(f"{path}: unknown top-level key(s) {', '.join(unknown_top)}; "
                           "each outlet is a [[source]] table")
    blocks = data.get("source", [])
    if not isinstance(blocks, list):
        raise SourcesError(f"{path}: 'source' must be a list of tables: write [[source]], not [source]")
    if not blocks:
        raise SourcesError(f"{path}: no [[source]] defined")

    sources: list[Source] = []
    names: dict[str, int] = {}
    urls: dict[str, str] = {}
    for position, block in enumerate(blocks, 1):
        source = _source(path, position, block)
        where = f"{path}: source '{source.name}' (#{position})"
        if source.name in names:
            raise SourcesError(f"{where}: duplicate name, already used by source #{names[source.name]}")
        names[source.name] = position
        # the same URL under two sources would credit its articles to whichever request finished first
        for key in _LISTS:
            for url in getattr(source, key):
                if url in urls:
                    owner = urls[url]
                    also = "twice in this source" if owner == source.name else f"also in source '{owner}'"
                    raise SourcesError(f"{where}: field '{key}': {url} is listed {also}")
                urls[url] = source.name
        sources.append(source)
    LOGGER.debug("%s: %d sources", path, len(sources))
    return sources


def _toml_message(exc: tomllib.TOMLDecodeError) -> str:
    """tomllib says "Expected ']' ... (at line 3, column 1)"; lead with the line, which is what one looks for."""
    message = str(exc)
    found = _TOML_LINE.search(message)
    if not found:
        return f"invalid TOML: {message}"
    detail = _TOML_LINE.sub("", message).strip()
    return f"invalid TOML at line {found.group(1)}, column {found.group(2)}: {detail}"


def _source(path: Path, position: int, block: Any) -> Source:
    where = f"{path}: source #{position}"
    if not isinstance(block, dict):
        raise SourcesError(f"{where}: must be a table")
    if "name" not in block:
        raise SourcesError(f"{where}: field 'name' is missing")
    name = block["name"]
    if not isinstance(name, str):
        raise SourcesError(f"{where}: field 'name' must be a string, got {_type(name)}")
    if not _NAME.fullmatch(name):
        raise SourcesError(f"{where}: field 'name' = {name!r}: use lower case letters, digits, '.', '_' or '-', "
                           "starting with a letter or digit")
    # from here on the source has a usable name: say it, a position is hard to find in a long file
    where = f"{path}: source '{name}' (#{position})"
    unknown = sorted(set(block) - set(_KEYS))
    if unknown:
        raise SourcesError(f"{where}: unknown field(s) {', '.join(unknown)}; allowed: {', '.join(_KEYS)}")

    lists = {key: _urls(where, key, block.get(key, [])) for key in _LISTS}
    if not any(lists.values()):
        raise SourcesError(f"{where}: needs at least one of 'feeds', 'sitemaps' or 'pages'")

    language = block.get("language", "ar")
    if not isinstance(language, str):
        raise SourcesError(f"{where}: field 'language' must be a string such as \"ar\", got {_type(language)}")
    if not _LANGUAGE.fullmatch(language):
        raise SourcesError(f"{where}: field 'language' = {language!r} is not a language code such as \"ar\"")

    pattern = block.get("article_pattern")
    if pattern is not None:
        if not isinstance(pattern, str):
            raise SourcesError(f"{where}: field 'article_pattern' must be a regular expression string, "
                               f"got {_type(pattern)}")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise SourcesError(f"{where}: field 'article_pattern' is not a valid regular expression: {exc}") from None
        if not lists["pages"]:
            LOGGER.warning("%s: 'article_pattern' only applies to links found on 'pages'; this source has none",
                           where)
    title = block.get("title")
    if title is not None and (not isinstance(title, str) or not title.strip() or "\n" in title):
        raise SourcesError(f"{where}: field 'title' must be the outlet's name on one line, such as \"أخبار الوادي\"")
    return Source(name=name, language=language, article_pattern=pattern, title=title.strip() if title else None,
                  **lists)


def _urls(where: str, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        # the most common slip: feeds = "https://..." instead of a list
        raise SourcesError(f"{where}: field '{key}' must be a list of URLs, e.g. {key} = [\"{value}\"]")
    if not isinstance(value, list):
        raise SourcesError(f"{where}: field '{key}' must be a list of URLs, got {_type(value)}")
    for number, url in enumerate(value, 1):
        if not isinstance(url, str):
            raise SourcesError(f"{where}: field '{key}' item {number} must be a URL string, got {_type(url)}")
        problem = _url_problem(url)
        if problem:
            raise SourcesError(f"{where}: field '{key}': {url!r} {problem}")
    return tuple(value)


def _url_problem(url: str) -> str | None:
    if url != url.strip() or any(c.isspace() for c in url):
        return "contains white space"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError as exc:
        return f"is not a valid URL ({exc})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "is not an absolute http(s) URL"
    return None


def _type(value: Any) -> str:
    return {str: "a string", list: "a list", dict: "a table", bool: "a boolean", int: "a number",
            float: "a number"}.get(type(value), type(value).__name__)


def select_sources(sources: list[Source], names: Iterable[str] | None) -> list[Source]:
    """The named sources, in the order given (all of them when no name is given)."""
    names = list(dict.fromkeys(names or ()))
    if not names:
        return list(sources)
    known = {s.name: s for s in sources}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SourcesError(f"unknown source(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return [known[n] for n in names]
