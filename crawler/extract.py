"""HTML page -> Article: trafilatura for the body and metadata, then within-article dedup.

Runs in the extraction worker processes, never on Scrapy's reactor thread.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import regex
import trafilatura
from lxml.html import HtmlElement, fragment_fromstring
from trafilatura.utils import load_html

from crawler.arabic import ARABIC_SCRIPT_LANGUAGES, normalize_for_matching
from crawler.date_policy import choose_published
from crawler.dates import DateValue, find_published_date, parse_date_text
from crawler.dedup import ParagraphDeduplicator
from crawler.encoding import decode_body
from crawler.layouts import repair_layouts
from crawler.metadata import PageMetadata, page_metadata
from crawler.record import Article, Removed
from crawler.signatures import HashedParagraphs
from crawler.urls import clean_url, is_http_url, same_site

LOGGER = logging.getLogger(__name__)

_SPACES = regex.compile(r"\s+")
_ARABIC = regex.compile(r"\p{Arabic}")
_LETTER = regex.compile(r"\p{L}")
_LINE_BREAK = "\u2029"  # marks a <br> in a paragraph's text; never in a page's own text after _clean
_INNER_BREAKS = ("lb", "p", "head", "quote", "list", "item", "div")  # trafilatura's output elements that end a line
# pull-quote markup: trafilatura drops <aside> and some quote boxes, but a removed paragraph must still be
# reported with what it repeats, so these are read from the page before extraction
_QUOTE_MARKERS = ("quote", "pull", "highlight", "pq", "callout", "excerpt", "standfirst", "summary", "intro",
                  "lead", "deck", "teaser", "sapo", "chapo", "subtitle", "blurb", "kicker", "nabza", "brief")
_QUOTE_XPATH = "//aside|//blockquote|//figure|//q|//*[@class][" + " or ".join(
    f"contains(@class,'{m}')" for m in _QUOTE_MARKERS) + "]"
_DEDUPLICATOR = ParagraphDeduplicator()
# trafilatura's fallback extractors (readability, jusText), compared with its own result on every page,
# cost about a quarter of the extraction; run on every page they left as many pages worse than
# trafilatura's default as fast mode does, with more paragraphs merged (bench/differential.py), so they
# run only where fast mode finds no article block and falls back to the whole page
FAST_EXTRACTION = True
# the layout work (crawler/layouts.py, the fallback for whole-page dumps, the body's edge lines) can be
# turned off, for `make bench` only: it times the crawl with and without it in the same run
LAYOUT_REPAIR = os.environ.get("CRAWLER_EXTRACT_LAYOUTS", "1") != "0"
MIN_BODY_CHARS = 60


class ExtractionError(ValueError):
    """A page that yields no article; `reason` is the counted stats key."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason

    def __reduce__(self):  # crosses the process-pool boundary
        return (ExtractionError, (self.reason, str(self)))


@dataclass(frozen=True)
class EntryHints:
    """What the feed said about the entry: used where the page itself says nothing."""

    title: str = ""
    published: str | None = None
    summary: str = ""
    author: str = ""
    language: str = ""  # the source's configured language: used where the text cannot tell


def extract_article(
    html: str | bytes,
    url: str,
    *,
    content_type: str = "",
    hints: EntryHints | None = None,
    source: str = "",
    deduplicator: ParagraphDeduplicator = _DEDUPLICATOR,
) -> Article:
    """Extract one article page. Raises ExtractionError when the page has no extractable body."""
    return finish_article(parse_page(html, url, content_type=content_type, hints=hints, source=source), deduplicator)


@dataclass
class ParsedPage:
    """A page read by trafilatura, before its paragraphs are deduplicated (crawler.worker does both steps
    for a batch of pages at a time)."""

    url: str
    source: str
    tree: HtmlElement
    hints: EntryHints
    meta: PageMetadata
    title: str
    paragraphs: list[str]
    weak: list[int]
    quote_texts: list[str]
    declared_language: str
    page_date: Any
    set_aside: list[Removed]  # page furniture at the body's edges (date, byline, its own links) and ad labels


def parse_page(
    html: str | bytes, url: str, *, content_type: str = "", hints: EntryHints | None = None, source: str = ""
) -> ParsedPage:
    """Decode, parse and extract the body of one page. Raises ExtractionError when it has none."""
    hints = hints or EntryHints()
    text = decode_body(html, content_type)[0] if isinstance(html, bytes) else html
    if not text.strip():
        raise ExtractionError("empty_page", "empty page")
    tree = load_html(text)
    if tree is None:
        raise ExtractionError("unparseable_html", "HTML could not be parsed")

    page_date = find_published_date(tree)
    quote_texts = _quote_texts(tree)
    declared_language = _declared_language(tree)
    meta = page_metadata(tree)
    if LAYOUT_REPAIR:
        repair_layouts(tree)
    body = _extract_body(tree, url)
    if body is None:
        raise ExtractionError("no_body", "no article body found")

    title = meta.title or hints.title
    paragraphs, weak = _body_paragraphs(body, title)
    set_aside: list[Removed] = []
    if LAYOUT_REPAIR:
        if meta.article_body and len(paragraphs) == 1:
            paragraphs = _json_ld_paragraphs(meta.article_body, paragraphs[0])
        paragraphs, weak, set_aside = _set_aside_edge_lines(paragraphs, weak, tree, title)
    if sum(len(p) for p in paragraphs) < MIN_BODY_CHARS:  # a menu or a caption is not an article
        raise ExtractionError("no_body", "no article body found")
    return ParsedPage(url, source, tree, hints, meta, title, paragraphs, weak, quote_texts, declared_language,
                      page_date, set_aside)


def _extract_body(tree: HtmlElement, url: str) -> HtmlElement | None:
    """trafilatura's body of the page: fast mode first; when that found no article block and fell back to
    the whole page's text, its fallback extractors (readability, jusText) find the block."""
    body = _trafilatura_body(tree, url, FAST_EXTRACTION)
    if FAST_EXTRACTION and LAYOUT_REPAIR and (body is None or _is_page_dump(body)):
        fuller = _trafilatura_body(tree, url, False)
        body = body if fuller is None else fuller
    return body


def _trafilatura_body(tree: HtmlElement, url: str, fast: bool) -> HtmlElement | None:
    doc = trafilatura.bare_extraction(
        tree,
        url=url,
        deduplicate=False,
        with_metadata=False,  # metadata.py reads what the record needs at a fraction of the cost
        include_comments=False,
        include_tables=False,
        include_images=False,
        fast=fast,
    )
    return None if doc is None else doc.body


def _is_page_dump(body: HtmlElement) -> bool:
    """trafilatura's last resort: one paragraph holding every text of the page, a line each."""
    return len(body) == 1 and body[0].tag == "p" and len(body[0]) == 0 and (body[0].text or "").count("\n") >= 2


def finish_article(page: ParsedPage, deduplicator: ParagraphDeduplicator = _DEDUPLICATOR) -> Article:
    """The article of a parsed page: its paragraphs deduplicated, its metadata settled."""
    return finish_page(page, deduplicator)[0]


def finish_page(page: ParsedPage, deduplicator: ParagraphDeduplicator = _DEDUPLICATOR
                ) -> tuple[Article, HashedParagraphs]:
    """finish_article, plus the dedup's hashes of the kept paragraphs (for their fingerprint)."""
    kept, removed, hashed = deduplicator.dedup(page.paragraphs, title=page.title, weak=frozenset(page.weak))
    removed[:0] = page.set_aside
    removed.extend(_dropped_quotes(page.quote_texts, page.paragraphs, page.weak, kept, removed, page.tree,
                                   deduplicator))
    hints, meta = page.hints, page.meta
    published = choose_published(page.page_date, _feed_date(hints.published))
    body_text = " ".join(kept)
    return Article(
        url=page.url,
        source=page.source,
        canonical_url=_canonical(meta.canonical, page.url),
        title=page.title,
        author=_author(meta.author) or _author(hints.author),
        published=published.value,
        date_source=published.source,
        language=_language(body_text, page.declared_language, hints.language),
        description=meta.description or _clean(hints.summary),
        paragraphs=kept,
        removed=removed,
    ), hashed


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


_BYLINE = regex.compile(r"^(?:بقلم|كتب|كتبت|إعداد|اعداد|تحرير|by)\s*[:：\-–]?\s*", regex.IGNORECASE)


def _author(text: str) -> str:
    """"بقلم: سلمى الخطيب" -> "سلمى الخطيب"."""
    return _BYLINE.sub("", _clean(text)).strip(" :-–")


def _body_paragraphs(body: HtmlElement, title: str) -> tuple[list[str], list[int]]:
    """Paragraph texts in page order, and the indexes of those that came from quote markup.

    A <br> (trafilatura's <lb>) ends a paragraph, as the page shows it; text between blocks is a paragraph.
    """
    paragraphs: list[str] = []
    weak: list[int] = []
    title_norm = normalize_for_matching(title)

    def add(text: str | None, tag: str) -> None:
        for t in (text or "").split(_LINE_BREAK):
            t = _clean(t)
            if not t:
                continue
            # the page headline at the top of the body is where the title came from, not a repeat of it
            if tag == "head" and not paragraphs and normalize_for_matching(t) == title_norm:
                continue
            if tag == "quote":
                weak.append(len(paragraphs))
            paragraphs.append(t)

    if _is_page_dump(body):  # the whole page, a text node a line: as trafilatura prints it
        for line in (body[0].text or "").split("\n"):
            add(line, "p")
        return paragraphs, weak

    def walk(container: HtmlElement) -> None:
        add(container.text, "p")
        for element in container:
            if element.tag == "list":
                for item in element.iter("item"):
                    add(_broken_text(item), "item")
            elif element.tag in ("p", "head", "quote"):
                add(_broken_text(element), element.tag)
            elif element.tag in ("div", "section", "article", "main"):  # the fallback extractors' blocks
                walk(element)
            # graphic, table, code: not running text
            add(element.tail, "p")

    walk(body)
    return paragraphs, weak


def _broken_text(element: HtmlElement) -> str:
    """The element's text with each line break, and each block inside it (a tweet's paragraph in its quote),
    marked by _LINE_BREAK: source newlines are only spaces, and trafilatura prints these on lines of their own."""
    for inner in element.iterdescendants(*_INNER_BREAKS):
        if inner.tag != "lb":
            inner.text = _LINE_BREAK + (inner.text or "")
        inner.tail = _LINE_BREAK + (inner.tail or "")
    return "".join(element.itertext())


def _json_ld_paragraphs(article_body: str, extracted: str) -> list[str]:
    """The JSON-LD articleBody's own paragraphs when the extraction is that body run into one paragraph
    (trafilatura's baseline joins its lines); else the extracted paragraph."""
    text = article_body
    if "<" in text:  # some CMSs put the body's HTML there
        try:
            fragment = fragment_fromstring(text, create_parent="div")
        except (ValueError, TypeError):  # lxml's ParserError is a ValueError
            fragment = None
        if fragment is not None:
            for block in fragment.iter("p", "div", "br", "li", "h1", "h2", "h3", "h4", "blockquote"):
                block.tail = "\n" + (block.tail or "")
            text = fragment.text_content()
    lines = [t for t in (_clean(line) for line in text.splitlines()) if t]
    if len(lines) > 1 and normalize_for_matching(" ".join(lines)) == normalize_for_matching(extracted):
        return lines
    return [extracted]


_EDGE_LINE_WORDS = 10  # a date, byline or link line is short; a paragraph that mentions a date is not
_BODY_WORDS = 8  # the body starts at the first line this long, and ends at the last
# an advertisement slot's label left in the body, anywhere in it
_AD_LABELS = frozenset({"advert", "advertisement", "sponsored", "إعلان", "اعلان", "إعلانات", "اعلانات"})
_LINK_SEPARATORS = regex.compile(r"\s*[|•·/\-–—،,»«>]\s*")


def _set_aside_edge_lines(paragraphs: list[str], weak: list[int], tree: HtmlElement,
                          title: str) -> tuple[list[str], list[int], list[Removed]]:
    """Lines before the body's first paragraph or after its last that are page furniture: the page's date
    ("الأحد 17 مارس 2024", "تاريخ النشر: 15/03/2024") or a byline ("كتب: خالد بن عمر"), removed as "metadata";
    the page's own links (a section name, "طباعة | أرسل الخبر"), removed as "boilerplate", as is an
    advertisement's label ("إعلان", "Advertisement") anywhere in the body."""
    found = {i: Removed(p, "boilerplate") for i, p in enumerate(paragraphs) if normalize_for_matching(p) in _AD_LABELS}
    title_norm = normalize_for_matching(title)  # the headline above a dateline is not the body yet
    long = [i for i, p in enumerate(paragraphs)
            if len(p.split()) >= _BODY_WORDS and normalize_for_matching(p) != title_norm]
    edges = [i for i in (*range(long[0]), *range(long[-1] + 1, len(paragraphs)))
             if i not in weak and i not in found and len(paragraphs[i].split()) <= _EDGE_LINE_WORDS] if long else []
    links: set[str] = set()
    for i in edges:
        text = paragraphs[i]
        if _BYLINE.match(text) or parse_date_text(text) is not None:
            found[i] = Removed(text, "metadata")
            continue
        links = links or {normalize_for_matching(a.text_content()) for a in tree.iter("a")}
        pieces = [normalize_for_matching(piece) for piece in _LINK_SEPARATORS.split(text)]
        if any(pieces) and all(piece in links for piece in pieces if piece):
            found[i] = Removed(text, "boilerplate")
    if not found:
        return paragraphs, weak, []
    kept = [i for i in range(len(paragraphs)) if i not in found]
    position = {old: new for new, old in enumerate(kept)}
    return ([paragraphs[i] for i in kept], [position[i] for i in weak if i in position],
            [found[i] for i in sorted(found)])


def _quote_texts(tree: HtmlElement) -> list[str]:
    """Texts of pull quotes, standfirsts and the like; a quotation inside a paragraph is part of it."""
    texts = []
    for element in tree.xpath(_QUOTE_XPATH):
        if element.tag in ("html", "body") or any(a.tag == "p" for a in element.iterancestors()):
            continue
        t = _clean(element.text_content())
        if 20 <= len(t) <= 2000:
            texts.append(t)
    return texts


def _dropped_quotes(quotes: list[str], paragraphs: list[str], weak: list[int], kept: list[str], removed: list,
                    tree: HtmlElement, deduplicator: ParagraphDeduplicator) -> list:
    """Pull quotes trafilatura left out of the body: reported as removed when they repeat a kept paragraph.

    A quote trafilatura kept, or whose text the deduplicator removed already, is reported already. One whose
    text is a kept paragraph counts only if that text occurs twice on the page (else it is the paragraph).
    """
    handled = {normalize_for_matching(paragraphs[i]) for i in weak} | {normalize_for_matching(r.text) for r in removed}
    kept_texts = set(kept)
    page_text = ""
    shingled: dict = {}
    found = []
    for quote in quotes:
        norm = normalize_for_matching(quote)
        if norm in handled:
            continue
        handled.add(norm)
        if quote in kept_texts:
            page_text = page_text or _clean(tree.text_content())  # rarely needed: only then paid for
            if page_text.count(quote) < 2:
                continue
        match = deduplicator.match(quote, kept, shingled)
        if match is not None:
            found.append(match)
    return found


def _declared_language(tree: HtmlElement) -> str:
    lang = tree.get("lang") or tree.get("xml:lang") or ""
    if not lang:
        metas = tree.xpath("//meta[@http-equiv='content-language' or @http-equiv='Content-Language']/@content")
        lang = metas[0] if metas else ""
    return lang.split("-")[0].split("_")[0].strip().lower()


# languages written in Arabic script: the script alone does not say which
# the commonest words of the two other languages Arab outlets publish in: enough to name the language honestly
_FUNCTION_WORDS = {
    "en": frozenset("the of and to in is that for on with was as are by it be at from this".split()),
    "fr": frozenset("le la les de des et est du une un en dans pour que qui sur au par pas".split()),
}
_WORDS = regex.compile(r"\p{L}+")
_MIN_LETTERS = 40  # fewer letters than this and the text cannot tell


def _language(text: str, declared: str, hint: str = "") -> str:
    """The article's language, from its text: "ar" when most letters are Arabic script (or the Arabic-script
    language the page or source names); for other text the declared or configured language when it is not
    an Arabic-script one, else English or French by their commonest words, else "und" (undetermined): Latin
    text is never labelled "ar" whatever the page declares. Too little text: the source's language, then
    the page's."""
    sample = text[:5000]
    letters = len(_LETTER.findall(sample))
    if letters < _MIN_LETTERS:
        return hint or declared
    if len(_ARABIC.findall(sample)) / letters >= 0.5:
        return next((lang for lang in (declared, hint) if lang in ARABIC_SCRIPT_LANGUAGES), "ar")
    named = next((lang for lang in (declared, hint) if lang and lang not in ARABIC_SCRIPT_LANGUAGES), "")
    if named:
        return named
    words = [w.casefold() for w in _WORDS.findall(sample)]
    counts = {lang: sum(w in common for w in words) for lang, common in _FUNCTION_WORDS.items()}
    best = max(counts, key=counts.get)
    return best if counts[best] >= 0.1 * len(words) else "und"


def _canonical(declared: str | None, url: str) -> str:
    """The page's canonical link when it is a plausible address of this article, else the fetched URL.

    Some sites point every page's canonical at the home page, and ASP.NET sites at the script without its
    query (Story.aspx for Story.aspx?NewsID=991): trusting either would merge all their articles.
    """
    if declared:
        declared = urljoin(url, declared.strip())
    if declared and is_http_url(declared) and same_site(declared, url):
        wanted, fetched = urlsplit(declared), urlsplit(url)
        lost_query = fetched.query and not wanted.query and wanted.path == fetched.path
        if wanted.path.strip("/") and not lost_query:
            return clean_url(declared)
    return clean_url(url)


def _feed_date(value: str | None) -> DateValue | None:
    """The feed entry's date (feeds.py wrote it as ISO 8601), for date_policy to weigh against the page's."""
    return parse_date_text(value) if value else None
