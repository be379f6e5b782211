"""Feeds and sitemaps: response bytes + headers -> entries. No Scrapy here.

Feeds go through feedparser, but the bytes are decoded first by crawler.encoding (which scores candidate
charsets on the Arabic they produce) and handed over as UTF-8: a windows-1256 feed labelled UTF-8, or
not labelled at all, still comes out as Arabic rather than mojibake.
"""
from __future__ import annotations

import calendar
import gzip
import logging
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Mapping
from urllib.parse import urljoin

import feedparser
import regex
from lxml import etree, html as lxml_html

from crawler.dates import parse_date_text, to_iso
from crawler.encoding import decode_html

LOGGER = logging.getLogger(__name__)

MAX_DECOMPRESSED = 50 * 1024 * 1024
_PROLOG_ENCODING = regex.compile(rb"^(\s*<\?xml[^>]*?encoding\s*=\s*)([\"'])[^\"']*\2", regex.IGNORECASE)
_FEED_TYPES = ("rss", "atom", "rdf", "application/xml", "text/xml")
_SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
_NEWS_NS = "{http://www.google.com/schemas/sitemap-news/0.9}"


@dataclass
class FeedEntry:
    url: str
    title: str = ""
    published: str | None = None
    summary: str = ""
    author: str = ""


@dataclass
class ParsedFeed:
    entries: list[FeedEntry] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)
    error: str | None = None  # nothing usable: the whole document is rejected
    warning: str | None = None  # usable, but not well-formed: entries kept
    kind: str = ""


def _sniff(body: bytes) -> bytes:
    return body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()


def looks_like_feed(body: bytes, content_type: str = "") -> bool:
    """Tell a feed or sitemap from an article page by content (servers mislabel both ways)."""
    head = _sniff(_maybe_gunzip(body)[:4096] if body[:2] == b"\x1f\x8b" else body)
    if b"<html" in head[:1024] or head.startswith(b"<!doctype html"):
        return False
    return any(tag in head for tag in (b"<rss", b"<feed", b"<rdf:rdf", b"<urlset", b"<sitemapindex"))


def _maybe_gunzip(body: bytes) -> bytes:
    """Decompress a gzip body, refusing to inflate past MAX_DECOMPRESSED (a small file can expand to GBs)."""
    if body[:2] != b"\x1f\x8b":
        return body
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = inflater.decompress(body, MAX_DECOMPRESSED + 1)
    if len(out) > MAX_DECOMPRESSED or inflater.unconsumed_tail:
        raise ValueError(f"compressed body inflates past {MAX_DECOMPRESSED // (1024 * 1024)} MB")
    return out


# a DOCTYPE with an internal subset: feeds never need one, and its entities can expand a small document
# into gigabytes (nested "billion laughs", or one large entity referenced thousands of times)
_INTERNAL_DTD = regex.compile(rb"<!DOCTYPE[^\[>]*\[.*?\]\s*>", regex.DOTALL | regex.IGNORECASE)


def _as_utf8(body: bytes, content_type: str) -> tuple[bytes, bool]:
    """The body as UTF-8 with its prolog saying so, and whether a DTD subset had to be removed."""
    text, _encoding = decode_html(body, content_type)
    data = text.encode("utf-8")
    data, stripped = _INTERNAL_DTD.subn(b"", data, count=1)
    return _PROLOG_ENCODING.sub(rb"\1\2utf-8\2", data, count=1), bool(stripped)


def _text(value: str) -> str:
    """Feed fields may carry HTML (summaries especially): keep the words."""
    if "<" not in value and "&" not in value:
        return " ".join(value.split())
    try:
        return " ".join(lxml_html.fromstring(f"<div>{value}</div>").text_content().split())
    except (etree.ParserError, ValueError):
        return " ".join(value.split())


def _iso(struct) -> str | None:
    if not struct:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(struct), tz=timezone.utc).isoformat()
    except (OverflowError, ValueError, TypeError):
        return None


def parse_feed(body: bytes, url: str, headers: Mapping[str, str] | None = None) -> ParsedFeed:
    """Entries of an RSS 0.9x/1.0/2.0 or Atom feed, with links resolved against the feed URL."""
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    try:
        body = _maybe_gunzip(body)
    except (ValueError, OSError, zlib.error) as exc:
        return ParsedFeed(error=f"bad compressed body: {exc}")
    if not body.strip():
        return ParsedFeed(error="empty response")
    head = _sniff(body)
    if head.startswith(b"<urlset") or head.startswith(b"<sitemapindex") or (
        head.startswith(b"<?xml") and (b"<urlset" in head or b"<sitemapindex" in head)):
        return parse_sitemap(body, url)
    data, stripped_dtd = _as_utf8(body, headers.get("content-type", ""))
    parsed = feedparser.parse(
        data,
        response_headers={"content-type": "application/xml; charset=utf-8", "content-location": url},
        resolve_relative_uris=True,
        sanitize_html=True,
    )
    result = ParsedFeed(kind=parsed.get("version") or "")
    if not parsed.entries:
        if parsed.get("bozo"):
            if b"<html" in head[:1024] or head.startswith(b"<!doctype html"):
                result.error = "not a feed: an HTML page"
            else:
                result.error = f"malformed XML: {parsed.get('bozo_exception')}"
        elif not result.kind:
            result.error = "not a feed: no RSS or Atom document found"
        return result
    if stripped_dtd:
        result.warning = "entity declarations removed (feeds never need them; they can expand without bound)"
    elif parsed.get("bozo"):
        result.warning = f"malformed feed, {len(parsed.entries)} entries recovered: {parsed.get('bozo_exception')}"
    seen: set[str] = set()
    for e in parsed.entries:
        link = e.get("link") or next((l.get("href") for l in e.get("links", []) if l.get("href")), "")
        if not link:
            guid = e.get("id") or ""
            link = guid if guid.startswith(("http://", "https://")) and e.get("guidislink", True) else ""
        if not link:
            result.skipped["no_link"] += 1
            continue
        link = urljoin(url, link.strip())
        if not link.lower().startswith(("http://", "https://")):
            result.skipped["bad_scheme"] += 1
            continue
        if link in seen:
            result.skipped["duplicate_entry"] += 1
            continue
        seen.add(link)
        result.entries.append(FeedEntry(
            url=link,
            title=_text(e.get("title", "")),
            published=_iso(e.get("published_parsed") or e.get("updated_parsed")) or _date_text(e.get("published")),
            summary=_text(e.get("summary", "")),
            author=_text(e.get("author", "")),
        ))
    return result


def _date_text(value: str | None) -> str | None:
    parsed = parse_date_text(value or "")
    return to_iso(parsed) if parsed else None


_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, recover=False)


def parse_sitemap(body: bytes, url: str, headers: Mapping[str, str] | None = None) -> ParsedFeed:
    """A sitemap (urlset, with Google News publication dates) or a sitemap index (kind "sitemap_index")."""
    try:
        body = _maybe_gunzip(body)
    except (ValueError, OSError, zlib.error) as exc:
        return ParsedFeed(error=f"bad compressed body: {exc}")
    if not body.strip():
        return ParsedFeed(error="empty response")
    try:
        root = etree.fromstring(body, parser=_SAFE_XML)
    except etree.XMLSyntaxError as exc:
        head = _sniff(body)
        if b"<html" in head[:1024] or head.startswith(b"<!doctype html"):
            return ParsedFeed(error="not a sitemap: an HTML page")
        return ParsedFeed(error=f"malformed XML: {exc}")
    tag = etree.QName(root).localname
    if tag not in ("urlset", "sitemapindex"):
        return ParsedFeed(error=f"not a sitemap: root element <{tag}>")
    result = ParsedFeed(kind="sitemap_index" if tag == "sitemapindex" else "sitemap")
    seen: set[str] = set()
    for node in root:
        if not isinstance(node.tag, str):
            continue
        loc = next((c.text or "" for c in node if isinstance(c.tag, str) and etree.QName(c).localname == "loc"), "")
        loc = urljoin(url, loc.strip()) if loc.strip() else ""
        if not loc:
            result.skipped["no_link"] += 1
            continue
        if not loc.lower().startswith(("http://", "https://")):
            result.skipped["bad_scheme"] += 1
            continue
        if loc in seen:
            result.skipped["duplicate_entry"] += 1
            continue
        seen.add(loc)
        news = node.find(f"{_NEWS_NS}news")
        title, published = "", None
        if news is not None:
            result.kind = "news_sitemap" if result.kind == "sitemap" else result.kind
            title = _text(news.findtext(f"{_NEWS_NS}title") or "")
            published = _date_text(news.findtext(f"{_NEWS_NS}publication_date"))
        result.entries.append(FeedEntry(url=loc, title=title, published=published))
    return result
