"""Page metadata (title, author, description, canonical URL) read straight from the parsed tree.

trafilatura's own metadata pass costs more than its body extraction on heavy pages (author and category
heuristics over the whole tree); these few lookups cover what the record needs.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterator

import regex
from lxml.html import HtmlElement

_SPACES = regex.compile(r"\s+")
_TITLE_SEPARATORS = regex.compile(r"\s+(?:[|\-–—·•»]|::?)\s+")  # "Headline :: Site" too


@dataclass(frozen=True)
class PageMetadata:
    title: str = ""
    author: str = ""
    description: str = ""
    canonical: str = ""
    site_name: str = ""
    article_body: str = ""  # JSON-LD articleBody: a body some pages carry nowhere else


def _clean(text: str | None) -> str:
    return _SPACES.sub(" ", text or "").strip()


def _metas(tree: HtmlElement) -> dict[str, str]:
    """Every <meta> with content, by lower-cased property/name/itemprop: one pass over the tree."""
    found: dict[str, str] = {}
    for meta in tree.iter("meta"):
        content = _clean(meta.get("content"))
        if not content:
            continue
        for attr in ("property", "name", "itemprop"):
            key = (meta.get(attr) or "").strip().lower()
            if key and key not in found:
                found[key] = content
    return found


def _first(metas: dict[str, str], *names: str) -> str:
    return next((metas[n] for n in names if n in metas), "")


@lru_cache(maxsize=32)
def _parsed_json(text: str) -> Any:
    """A JSON-LD script's value, parsed once: dates.py and metadata.py each read a page's scripts (read only)."""
    try:
        return json.loads(text)
    except (ValueError, TypeError):
        return None


def json_ld_objects(tree: HtmlElement) -> Iterator[dict]:
    """Every JSON object in the page's JSON-LD scripts, breadth first (@graph lists included)."""
    for script in tree.xpath("//script[@type='application/ld+json']/text()"):
        parsed = _parsed_json(script)
        if parsed is None:
            continue
        stack = [parsed]
        while stack:
            node = stack.pop(0)
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                yield node
                stack.extend(v for v in node.values() if isinstance(v, (list, dict)))


def _json_ld(tree: HtmlElement) -> dict:
    """The first JSON-LD object that describes an article."""
    for node in json_ld_objects(tree):
        kind = node.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if any(isinstance(k, str) and ("Article" in k or k == "Report") for k in kinds):
            return node
    return {}


def _ld_author(node: dict) -> str:
    author = node.get("author")
    authors = author if isinstance(author, list) else [author]
    names = []
    for a in authors:
        if isinstance(a, dict):
            names.append(_clean(a.get("name")))
        elif isinstance(a, str):
            names.append(_clean(a))
    return ", ".join(n for n in names if n)


def _strip_site_name(title: str, site_name: str) -> str:
    """"Headline | Site" -> "Headline": keep the longest part when a separator splits the title."""
    parts = [p for p in _TITLE_SEPARATORS.split(title) if p]
    if len(parts) < 2:
        return title
    if site_name:
        kept = [p for p in parts if p.strip() != site_name]
        if kept and len(kept) < len(parts):
            return " - ".join(kept)
    return max(parts, key=len)


def page_metadata(tree: HtmlElement) -> PageMetadata:
    ld = _json_ld(tree)
    metas = _metas(tree)
    site_name = _first(metas, "og:site_name", "application-name")
    h1 = next((t for t in (_clean(h.text_content()) for h in tree.iter("h1")) if len(t) >= 10), "")
    title = (
        _clean(ld.get("headline") if isinstance(ld.get("headline"), str) else "")
        or _first(metas, "og:title", "twitter:title")
        or h1
        or _clean(tree.findtext(".//title"))
    )
    title = _strip_site_name(title, site_name)
    author = _ld_author(ld) or _first(metas, "author", "article:author", "dc.creator", "byl", "parsely-author")
    if author.startswith(("http://", "https://")):  # article:author is often a profile URL
        author = ""
    description = _first(metas, "description", "og:description", "twitter:description")
    canonical = next((link.get("href", "") for link in tree.iter("link") if link.get("rel") == "canonical"), "") \
        or _first(metas, "og:url")
    body = ld.get("articleBody")
    return PageMetadata(title, author, description, _clean(canonical), site_name, body if isinstance(body, str) else "")
