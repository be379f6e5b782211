"""Read and validate the sources file: outlets are declarative data, checked before any request is made."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.urls import is_http_url

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_LISTS = ("feeds", "sitemaps", "pages")
_KEYS = {"name", "language", "article_pattern", *_LISTS}


class SourcesError(ValueError):
    """A sources file that cannot be used; the message names the file, the source and the field."""


@dataclass(frozen=True)
class Source:
    name: str
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    pages: tuple[str, ...] = ()
    language: str = "ar"
    article_pattern: str | None = None


def load_sources(path: str | Path) -> list[Source]:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourcesError(f"{path}: sources file not found") from None
    except UnicodeDecodeError:
        raise SourcesError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{path}: invalid TOML: {exc}") from None
    unknown_top = set(data) - {"source"}
    if unknown_top:
        raise SourcesError(f"{path}: unknown top-level key(s) {', '.join(sorted(unknown_top))}; "
                           "sources are [[source]] tables")
    blocks = data.get("source", [])
    if not isinstance(blocks, list):
        raise SourcesError(f"{path}: 'source' must be a list of [[source]] tables")
    sources: list[Source] = []
    seen: set[str] = set()
    for position, block in enumerate(blocks, 1):
        source = _source(path, position, block)
        if source.name in seen:
            raise SourcesError(f"{path}: source '{source.name}' (#{position}): duplicate name")
        seen.add(source.name)
        sources.append(source)
    if not sources:
        raise SourcesError(f"{path}: no [[source]] defined")
    return sources


def _source(path: Path, position: int, block: Any) -> Source:
    where = f"{path}: source #{position}"
    if not isinstance(block, dict):
        raise SourcesError(f"{where}: must be a table")
    name = block.get("name")
    if not isinstance(name, str) or not name:
        raise SourcesError(f"{where}: field 'name' is missing")
    if not _NAME.match(name):
        raise SourcesError(f"{where}: field 'name' = {name!r}: use lower case letters, digits, '.', '_' or '-'")
    where = f"{path}: source '{name}' (#{position})"
    unknown = set(block) - _KEYS
    if unknown:
        raise SourcesError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(_KEYS))}")
    lists: dict[str, tuple[str, ...]] = {}
    for key in _LISTS:
        value = block.get(key, [])
        if isinstance(value, str):
            raise SourcesError(f"{where}: field '{key}' must be a list of URLs, e.g. {key} = [\"{value}\"]")
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise SourcesError(f"{where}: field '{key}' must be a list of URLs")
        for url in value:
            if not is_http_url(url):
                raise SourcesError(f"{where}: field '{key}': {url!r} is not an absolute http(s) URL")
        lists[key] = tuple(value)
    if not any(lists.values()):
        raise SourcesError(f"{where}: needs at least one of 'feeds', 'sitemaps' or 'pages'")
    language = block.get("language", "ar")
    if not isinstance(language, str) or not language:
        raise SourcesError(f"{where}: field 'language' must be a language code such as \"ar\"")
    pattern = block.get("article_pattern")
    if pattern is not None:
        if not isinstance(pattern, str):
            raise SourcesError(f"{where}: field 'article_pattern' must be a regular expression string")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise SourcesError(f"{where}: field 'article_pattern' is not a valid regular expression: {exc}") from None
    return Source(name=name, language=language, article_pattern=pattern, **lists)


def select_sources(sources: list[Source], names: list[str] | tuple[str, ...]) -> list[Source]:
    if not names:
        return list(sources)
    known = {s.name: s for s in sources}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SourcesError(f"unknown source(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return [known[n] for n in dict.fromkeys(names)]
