"""Feeds and sitemaps: response bytes + headers -> entries. No Scrapy here.

Charset. feedparser trusts charset declarations first, which gives Arabic feeds mojibake with no bozo flag
(crawler/encoding.py says when): the bytes are decoded by crawler.encoding, the one decoder for pages and
feeds, and feedparser gets UTF-8 with a header saying so.

Entity expansion. Expat (2.5 here) stops a billion-laughs document, but feedparser then retries with its
loose parser, which expands the entities it kept as "safe" (plain-text values) with no limit: 35 KB of
input became a 30-million-character title in 6 s, and 300 KB exhausted memory. The internal DTD subset
is therefore removed before feedparser sees the document (only entities standing for one character
reference are kept). Sitemaps go through lxml with entity resolution off; libxml2 also caps amplification.

Dates. feedparser's *_parsed guesses: "2023" becomes 1 January and "10:30 19-09-2023" became today at
10:30. Dates are read from the raw text with crawler.dates instead, which returns nothing rather than a
guess, and kept as crawler.date_policy stores every date: with the offset the feed wrote, without one when
it wrote none, a day alone as YYYY-MM-DD.
"""
from __future__ import annotations

import logging
import zlib
from collections import Counter
from dataclasses import dataclass, field
from collections.abc import Mapping
from urllib.parse import urldefrag, urljoin, urlsplit

import feedparser
import regex
from lxml import etree
from lxml import html as lxml_html
from w3lib.encoding import read_bom

from crawler.date_policy import choose_published
from crawler.dates import parse_date_text
from crawler.encoding import canonical_encoding, decode_body

LOGGER = logging.getLogger(__name__)

MAX_DECOMPRESSED = 50 * 1024 * 1024  # a 50 KB gzip can inflate to gigabytes; sitemaps are capped at 50 MB
MAX_URL_LENGTH = 2048
SNIFF_BYTES = 4096
_MESSAGE_LENGTH = 200

# the root element, skipping the prolog, comments, processing instructions and a DOCTYPE
_ROOT = regex.compile(rb"<(?:[a-z][\w.-]*:)?(rss|feed|rdf|urlset|sitemapindex|html|opml)[\s>/]", regex.IGNORECASE)
_ROOT_TEXT = regex.compile(_ROOT.pattern.decode(), regex.IGNORECASE)
_HTML_DOCTYPE = regex.compile(rb"<!doctype\s+html[\s>]", regex.IGNORECASE)
_FEED_CONTENT_TYPES = ("rss", "atom", "rdf", "xml")
_PROLOG_ENCODING_TEXT = regex.compile(r"""^(<\?xml[^>]*?\bencoding\s*=\s*)(["'])[^"']*\2""")
_XML_DECLARATION = regex.compile(r"<\?xml\s")
_URL_TAB_OR_NEWLINE = regex.compile(r"[\t\n\r]")
_FIRST_TAG = regex.compile(r"<\w")  # feedparser's own idea of where the prolog ends
_ENTITY_CHAR_REFERENCE = regex.compile(r"""<!ENTITY\s+[\w.-]+\s+(["'])&#(?:\d{1,7}|x[0-9a-fA-F]{1,6});\1\s*>""")

_EMAIL = regex.compile(r"<?(?:mailto:)?[^\s@()<>]+@[^\s@()<>]+>?")
_EMAIL_THEN_NAME = regex.compile(r"<?(?:mailto:)?[^\s@()<>]+@[^\s@()<>]+>?\s*\((?P<name>[^()]+)\)")
_NAME_THEN_EMAIL = regex.compile(r"(?P<name>[^()<>]+?)\s*[(<](?:mailto:)?[^\s@()<>]+@[^\s@()<>]+[)>]")
_SITEMAP_NEWS = "google.com/schemas/sitemap-news/"  # http or https: both are seen


@dataclass
class FeedEntry:
    """One article link from a feed or sitemap, with what the feed says about it (a fallback for the page)."""

    url: str
    title: str = ""
    published: str | None = None  # ISO 8601 with the feed's own offset; a bare date when it gave a day
    summary: str = ""
    author: str = ""


@dataclass
class ParsedFeed:
    """What one feed or sitemap document gave: entries, or an error saying in one line why none."""

    entries: list[FeedEntry] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)  # reason -> entries not kept
    error: str | None = None  # nothing usable: one line saying why
    warning: str | None = None  # usable but not well-formed: entries kept, this says what was wrong
    kind: str = ""  # feedparser's version ("rss20", "atom10", "rss10"...), "sitemap", "news_sitemap", "sitemap_index"
    encoding: str = ""  # the charset the body was decoded with
    # the counted stats key of the error ("not_a_feed", "empty_response", "bad_feed"), else of the warning
    # ("malformed_feed"), else ""
    reason: str = ""


# ----------------------------------------------------------------------------------------------- sniffing

def _head(body: bytes) -> bytes:
    """The first bytes as ASCII-compatible bytes (UTF-16/32 with a BOM re-encoded), for sniffing only."""
    encoding, bom = read_bom(body[:4])
    bom = bom or b""
    head = body[len(bom):SNIFF_BYTES + len(bom)]
    if encoding and canonical_encoding(encoding) != "utf-8":
        head = head.decode(encoding, errors="replace").encode("utf-8")
    return head


def _root(body: bytes) -> str:
    """Lower-cased local name of the document element ("rss", "feed", "rdf", "urlset", "html"...) or ""."""
    head = _head(body)
    found = _ROOT.search(head)
    html_doctype = _HTML_DOCTYPE.search(head)
    if html_doctype and (not found or html_doctype.start() < found.start()):
        return "html"
    return found.group(1).decode().lower() if found else ""


def looks_like_feed(body: bytes, content_type: str = "") -> bool:
    """Tell a feed or sitemap from an article page by content: servers mislabel both ways.

    The content type only decides when the first few KB name no root element we know.
    """
    if body[:2] == b"\x1f\x8b":  # a .xml.gz sitemap: only the first few KB are needed to tell
        try:
            body = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body, SNIFF_BYTES)
        except zlib.error:
            return False
    root = _root(body)
    if root:
        return root in ("rss", "feed", "rdf", "urlset", "sitemapindex")
    mime = content_type.split(";")[0].strip().lower()
    return "html" not in mime and any(word in mime for word in _FEED_CONTENT_TYPES)


def _inflate(body: bytes) -> tuple[bytes, str | None]:
    """(body, None), gunzipped when it starts with the gzip magic; (b"", reason) when it cannot be."""
    if body[:2] != b"\x1f\x8b":
        return body, None
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, MAX_DECOMPRESSED + 1)
    except zlib.error as exc:
        return b"", f"bad gzip body: {exc}"
    if len(out) > MAX_DECOMPRESSED or inflater.unconsumed_tail:
        return b"", f"gzip body inflates past {MAX_DECOMPRESSED // (1024 * 1024)} MB"
    if not inflater.eof:
        return b"", "bad gzip body: truncated"
    return out, None


# ----------------------------------------------------------------------------------------------- XML

def _prepare_xml(text: str) -> tuple[str, bool]:
    """Make the decoded text say what it now is, and take away what feedparser cannot be trusted with.

    Returns the text and whether entity declarations were removed."""
    text = text.lstrip("\ufeff \t\r\n")
    if not text.startswith("<?xml"):
        # PHP warnings ("<br /><b>Warning</b>: ...") printed before the feed: expat refuses the whole
        # document for them, and feedparser's fallback parser is slower and sloppier
        declaration = _XML_DECLARATION.search(text, 0, SNIFF_BYTES)
        if declaration and not _ROOT_TEXT.search(text, 0, declaration.start()):
            LOGGER.debug("dropped %d characters before the XML declaration", declaration.start())
            text = text[declaration.start():]
    text = _PROLOG_ENCODING_TEXT.sub(r"\1\2utf-8\2", text, count=1)
    return _strip_internal_subset(text)


def _strip_internal_subset(text: str) -> tuple[str, bool]:
    """Remove the DOCTYPE's internal subset ([...]): it is where entity bombs live.

    Only declarations of an entity as one character reference (<!ENTITY nbsp "&#160;">) are kept: they
    cannot amplify. References to the removed entities stay as literal text after feedparser's recovery.
    The DOCTYPE is looked for where feedparser looks for entity declarations, before the first "<" that
    starts a tag, however far into the document that is (padding with a long comment changes nothing).
    Elsewhere only expat reads them, and expat caps the amplification.
    """
    first_tag = _FIRST_TAG.search(text)
    limit = first_tag.start() if first_tag else len(text)
    start = text.find("<!DOCTYPE", 0, limit)
    if start < 0:
        return text, False
    position = start + len("<!DOCTYPE")
    quote = ""
    while position < len(text):  # find "[" (a subset follows) or ">" (none), outside quoted system ids
        char = text[position]
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == ">":
            return text, False
        elif char == "[":
            break
        position += 1
    else:
        return text, False
    open_bracket = position
    position += 1
    quote = ""
    while position < len(text):  # the matching "]", skipping quoted values and comments
        if quote:
            end = text.find(quote, position)
            if end < 0:
                break
            position, quote = end + 1, ""
            continue
        if text.startswith("<!--", position):
            end = text.find("-->", position + 4)
            if end < 0:
                break
            position = end + 3
            continue
        char = text[position]
        if char in "\"'":
            quote = char
        elif char == "]":
            close = text.find(">", position)
            if close < 0:
                break
            subset = text[open_bracket + 1:position]
            kept = "".join(m.group(0) for m in _ENTITY_CHAR_REFERENCE.finditer(subset))
            removed = bool(_ENTITY_CHAR_REFERENCE.sub("", subset).strip())
            if removed:
                LOGGER.debug("removed a %d-character internal DTD subset", len(subset))
            head = text[start:open_bracket].rstrip()
            return text[:start] + head + (f" [{kept}]" if kept else "") + ">" + text[close + 1:], removed
        position += 1
    # an unterminated subset: drop everything from the DOCTYPE on rather than hand feedparser a bomb
    LOGGER.debug("unterminated internal DTD subset")
    return text[:start], True


# ----------------------------------------------------------------------------------------------- feeds

def _one_line(value: object) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= _MESSAGE_LENGTH else text[:_MESSAGE_LENGTH - 1] + "…"


def _text(value: str | None, html: bool = True) -> str:
    """Feed fields may carry HTML (summaries especially): keep the words, one space between them."""
    if not value:
        return ""
    if not html or ("<" not in value and "&" not in value):
        return " ".join(value.split())
    try:
        return " ".join(lxml_html.fragment_fromstring(value, create_parent="div").text_content().split())
    except (etree.ParserError, ValueError):
        return " ".join(value.split())


def _field(entry: feedparser.FeedParserDict, name: str) -> str:
    """A text construct as plain text: feedparser has unescaped a plain-text title ("x &lt;y&gt;" is now
    "x <y>"), so only a field it reports as HTML is parsed as HTML."""
    detail = entry.get(f"{name}_detail") or {}
    return _text(entry.get(name), html=detail.get("type", "text/html") != "text/plain")


def _author(raw: str | None) -> str:
    """The name in "editor@site.com (Name)" or "Name (editor@site.com)"; a bare address is no byline.

    Not feedparser's author_detail: its e-mail pattern stops after four letters of the domain, so
    "desk@news.example (Name)" became the name "ple (Name"."""
    text = " ".join((raw or "").split())
    found = _EMAIL_THEN_NAME.fullmatch(text) or _NAME_THEN_EMAIL.fullmatch(text)
    if found:
        return found.group("name").strip()
    return "" if _EMAIL.fullmatch(text) else _text(text)


def _published(raw: str | None) -> str | None:
    """ISO 8601 from the feed's own date text, or None: never a guessed day, never an implausible one
    (epoch zero, a far future: a CMS's placeholders), by the same policy as a page's dates."""
    if not raw:
        return None
    value = parse_date_text(raw)
    if value is None:
        LOGGER.debug("unreadable date %r", raw)
        return None
    published = choose_published(feed=value).value
    if published is None:
        LOGGER.debug("implausible date %r", raw)
    return published


def _entry_link(entry: feedparser.FeedParserDict) -> str:
    link = entry.get("link") or ""
    if not link:
        for candidate in entry.get("links", []):
            if candidate.get("href") and candidate.get("rel", "alternate") == "alternate":
                link = candidate["href"]
                break
    if not link and entry.get("guidislink", True):
        # an RSS <guid> is a permalink unless isPermaLink="false"
        guid = entry.get("id") or ""
        link = guid if guid.lower().startswith(("http://", "https://")) else ""
    return link.strip()


class _Links:
    """Turns entry links into absolute, fragment-free URLs worth a request, counting why others are not."""

    def __init__(self, base: str, skipped: Counter) -> None:
        self.base = base
        self.feed_itself = urldefrag(base).url
        self.seen: set[str] = set()
        self.skipped = skipped

    def accept(self, link: str) -> str | None:
        if not link:
            self.skipped["no_link"] += 1
            return None
        # as browsers do (WHATWG URL): tabs and newlines inside a URL are dropped, spaces escaped
        link = _URL_TAB_OR_NEWLINE.sub("", link.strip()).replace(" ", "%20")
        try:
            # urljoin parses twice: skip it for the absolute links that are nearly all of a sitemap
            url = link if link.startswith(("https://", "http://")) else urljoin(self.base, link)
            if "#" in url:
                url = urldefrag(url).url
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError on a port that is not a number
        except ValueError:  # "http://[::1"
            self.skipped["bad_url"] += 1
            return None
        if parts.scheme not in ("http", "https"):
            self.skipped["bad_scheme"] += 1  # javascript:, file:, mailto:, data:, ftp:...
            return None
        # no host; a monster; or the feed itself ("https://" resolves to it): never an article
        if not parts.hostname or len(url) > MAX_URL_LENGTH or url == self.feed_itself:
            self.skipped["bad_url"] += 1
            return None
        if url in self.seen:
            self.skipped["duplicate_entry"] += 1
            return None
        self.seen.add(url)
        return url


def _opened(body: bytes, headers: Mapping[str, str] | None) -> tuple[bytes, dict[str, str], ParsedFeed | None]:
    """Inflated body and lower-cased headers, or the ParsedFeed that says why there is nothing to parse."""
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    body, problem = _inflate(body)
    if problem:
        return body, lowered, ParsedFeed(error=problem, reason="bad_feed")
    if not body.strip():
        return body, lowered, ParsedFeed(error="empty response", reason="empty_response")
    return body, lowered, None


def parse_feed(body: bytes, url: str, headers: Mapping[str, str] | None = None) -> ParsedFeed:
    """Entries of an RSS 0.9x/1.0/2.0 or Atom feed, links resolved against the feed URL.

    A sitemap handed here (a source listing it under feeds, `scrape URL`) is passed to parse_sitemap.
    """
    body, headers, refused = _opened(body, headers)
    if refused:
        return refused
    if body.lstrip()[:1] in (b"{", b"["):
        return ParsedFeed(error="not a feed: JSON document", reason="not_a_feed")
    root = _root(body)
    if root in ("urlset", "sitemapindex"):
        return parse_sitemap(body, url, headers)
    if root == "html":
        return ParsedFeed(error="not a feed: HTML page", reason="not_a_feed")

    text, encoding = decode_body(body, headers.get("content-type", ""))
    response_headers = {"content-type": "application/xml; charset=utf-8", "content-location": url}
    if headers.get("content-language"):
        response_headers["content-language"] = headers["content-language"]
    data, stripped_dtd = _prepare_xml(text)
    parsed = feedparser.parse(data.encode("utf-8"), response_headers=response_headers,
                              resolve_relative_uris=True, sanitize_html=True)
    result = ParsedFeed(kind=parsed.get("version") or "", encoding=encoding)
    problem = _one_line(parsed.get("bozo_exception")) if parsed.get("bozo") else None

    if not parsed.entries:
        if problem:
            result.error, result.reason = f"malformed XML: {problem}", "bad_feed"
        elif not result.kind:
            result.error = f"not a feed: root element <{root}>" if root else "not a feed: no RSS or Atom document"
            result.reason = "not_a_feed"
        # else: a well-formed feed with no items today, which is not an error
        return result
    if stripped_dtd:
        # the entity references left behind make the document ill-formed: that, not the XML error, is the news
        result.reason = "malformed_feed"
        result.warning = ("entity declarations removed (feeds never need them and they can expand without "
                          f"bound); {len(parsed.entries)} entries kept")
    elif problem:
        result.reason = "malformed_feed"
        result.warning = f"malformed feed, {len(parsed.entries)} entries recovered: {problem}"

    links = _Links(url, result.skipped)
    for entry in parsed.entries:
        link = links.accept(_entry_link(entry))
        if link is None:
            continue
        result.entries.append(FeedEntry(
            url=link,
            title=_field(entry, "title"),
            published=_published(entry.get("published") or entry.get("updated") or entry.get("created")),
            summary=_field(entry, "summary"),
            author=_author(entry.get("author")),
        ))
    if result.skipped:
        LOGGER.debug("%s: skipped entries %s", url, dict(result.skipped))
    return result


# ----------------------------------------------------------------------------------------------- sitemaps

def _local(element: etree._Element) -> str:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""  # "{namespace}loc" -> "loc"


def _child(element: etree._Element, name: str) -> etree._Element | None:
    """The first child of that local name, whatever its namespace: many sitemaps get the namespace wrong."""
    return next((c for c in element if _local(c) == name), None)


def parse_sitemap(body: bytes, url: str, headers: Mapping[str, str] | None = None) -> ParsedFeed:
    """A sitemap (urlset, Google News title and publication date read) or a sitemap index.

    Entries of a sitemap index are its child sitemaps (kind "sitemap_index"). A feed handed here is
    passed to parse_feed.
    """
    body, headers, refused = _opened(body, headers)
    if refused:
        return refused
    root_name = _root(body)
    if root_name in ("rss", "feed", "rdf"):
        return parse_feed(body, url, headers)
    if root_name == "html":
        return ParsedFeed(error="not a sitemap: HTML page", reason="not_a_feed")

    text, encoding = decode_body(body, headers.get("content-type", ""))
    # a parser per call: lxml parser objects must not be shared between the threads the spider parses in
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                             recover=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(_prepare_xml(text)[0].encode("utf-8"), parser=parser)
    except etree.XMLSyntaxError as exc:
        return ParsedFeed(error=f"malformed XML: {_one_line(exc)}", reason="bad_feed", encoding=encoding)
    tag = _local(root)
    if tag not in ("urlset", "sitemapindex"):
        return ParsedFeed(error=f"not a sitemap: root element <{tag}>", reason="not_a_feed", encoding=encoding)

    result = ParsedFeed(kind="sitemap_index" if tag == "sitemapindex" else "sitemap", encoding=encoding)
    links = _Links(url, result.skipped)
    for node in root:
        if _local(node) not in ("url", "sitemap"):
            continue
        loc = _child(node, "loc")
        link = links.accept((loc.text or "").strip() if loc is not None else "")
        if link is None:
            continue
        entry = FeedEntry(url=link)
        news = next((c for c in node if _local(c) == "news" and _SITEMAP_NEWS in c.tag), None)
        if news is not None and result.kind != "sitemap_index":
            result.kind = "news_sitemap"
            title = _child(news, "title")
            date_node = _child(news, "publication_date")
            entry.title = _text(title.text if title is not None else "", html=False)  # plain text by spec
            entry.published = _published(date_node.text if date_node is not None else None)
        # <lastmod> is when the page last changed, not when it was published: not used as a date
        result.entries.append(entry)
    return result
