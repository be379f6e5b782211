"""Bytes to text for Arabic pages and feeds alike, whatever the charset declarations say: the one decoder.

Arabic sites and feeds still come in windows-1256 and ISO-8859-6, declared in the header, in the document
(<meta charset>, the XML prolog), both, wrongly, or not at all. A wrong guess turns the whole document into
mojibake, and feedparser, which follows RFC 3023 and trusts declarations first, was measured (6.0.14) to give
mojibake with no bozo flag when a header says windows-1256 over a UTF-8 body or ISO-8859-1 (Apache's old
default) over a windows-1256 body, and windows-1252 mojibake when nothing is declared or the prolog wrongly
says utf-8. So the bytes are decoded here, for pages and feeds by the same rules, in this order:

1. A byte order mark wins.
2. Valid UTF-8 is UTF-8, whatever the labels say: Arabic in a single-byte table is never valid UTF-8
   beyond a word.
3. UTF-8 with a few invalid bytes (a summary cut inside a letter, stray bytes) stays UTF-8: windows-1256
   would turn every Arabic letter into "ط§ظ„", which even scores as Arabic. A few is at most one per ten
   Arabic letters (at least three), and some characters beyond ASCII must have decoded: two stray bytes
   in an English windows-1252 page are no sign of UTF-8.
4. Otherwise each declared encoding (the header's, then the document's own <meta charset> or XML prolog)
   and both Arabic tables are scored on the text they give; a tie goes to the earlier, so a correct
   declaration (or windows-1256, the common case) wins when the text cannot tell.

These were two decoders, one for pages and one for feeds, with different rules. `bench/decoding.py
--articles 2045 --compare bf8bec0` writes the 2,045 real Arabic articles of the ANT sample as pages and as
feeds in every charset and (mis)declaration, and 181 real English pages (Scrapinghub's benchmark) in UTF-8
and windows-1252: these rules gave back the exact text in 157,190 of 157,230 documents, the old feed rules
in 151,278 and the old page rules in 139,564, and were right wherever either was. The page rules trusted
any declared table that decodes without error, and ISO-8859-6 bytes decode without error as windows-1256
(0 of 8,180 right when the other Arabic table was declared); they tried a windows-1256 label before the
few-bad-bytes rule (0 of 4,090 UTF-8 documents with stray bytes under that label); and they ignored Latin-1
declarations, reading English windows-1252 pages through an Arabic table (145 of 181 right, now 180). Both
allowed one bad byte per fifty Arabic letters, which a feed item with one letter cut by stray bytes exceeds
(1,404 of 2,045 right, now all). The 40 documents still wrong are English windows-1252 pages that declare
nothing in their first 4 KB (so read as windows-1256, which differs from it in a few letters), and one
with mojibake of its own. No case needed different rules for pages and feeds.
"""
from __future__ import annotations

import codecs
import logging

import regex
from w3lib.encoding import http_content_type_encoding, read_bom

LOGGER = logging.getLogger(__name__)

DECLARATION_BYTES = 4096  # a document declares its charset in its head
_SCORE_CHARS = 200_000
_ARABIC_TABLES = ("cp1256", "iso8859-6")

# the XML prolog's encoding (feeds, XHTML) or a <meta charset> / http-equiv Content-Type (pages)
_DECLARED = regex.compile(
    rb"""<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']"""
    rb"""|<meta\b[^>]*?\bcharset\s*=\s*["']?([A-Za-z0-9._:-]+)""",
    regex.IGNORECASE,
)

# What Arabic single-byte text looks like through the wrong table: runs of Latin-1 letters ("ÇáÍßæãÉ"),
# C1 control characters, or Latin letters glued to Arabic ones inside a word (ISO-8859-6 read as
# windows-1256 gives "انحمèهة"). A French word keeps its lone accented letters and scores nothing.
_ARABIC_LETTER = regex.compile(r"[\u0621-\u064a]")
_LATIN_RUN = regex.compile(r"[\u00c0-\u00ff]{2,}")
_C1_CONTROL = regex.compile(r"[\u0080-\u009f]")
_MIXED_WORD = regex.compile(r"[A-Za-z\u00c0-\u00ff][\u0621-\u064a]|[\u0621-\u064a][A-Za-z\u00c0-\u00ff]")
_DECODED_NON_ASCII = regex.compile(r"[^\x00-\x7f\ufffd]")


def canonical_encoding(name: str | None) -> str | None:
    """Python's name for a charset label ("Windows-1256", "arabic", '"cp1256"' -> "cp1256"), None if unknown."""
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        LOGGER.debug("unknown charset %r", name)
        return None


def declared_encodings(body: bytes, content_type: str = "") -> list[str]:
    """The encodings the header and then the document itself declare, as Python names, in that order."""
    found = _DECLARED.search(body, 0, DECLARATION_BYTES)
    in_document = (found.group(1) or found.group(2)).decode("ascii") if found else None
    header = http_content_type_encoding(content_type) if content_type else None
    return [name for name in map(canonical_encoding, (header, in_document)) if name]


def _score(text: str) -> int:
    """Higher is more plausible: Arabic letters for, mojibake and undecodable bytes against."""
    sample = text[:_SCORE_CHARS]
    latin_runs = sum(len(run) for run in _LATIN_RUN.findall(sample))
    wrong = latin_runs + len(_C1_CONTROL.findall(sample)) + len(_MIXED_WORD.findall(sample))
    return len(_ARABIC_LETTER.findall(sample)) - 5 * wrong - 20 * sample.count("\ufffd")


def _mostly_utf8(text: str) -> bool:
    """UTF-8 with a few bad bytes: at most one per ten Arabic letters (at least three allowed), and some
    characters beyond ASCII that did decode (two stray bytes in an English windows-1252 page are no sign)."""
    bad = text.count("\ufffd")
    if bad > max(3, len(_ARABIC_LETTER.findall(text, 0, _SCORE_CHARS)) // 10):
        return False
    return _DECODED_NON_ASCII.search(text) is not None


def decode_body(body: bytes, content_type: str = "") -> tuple[str, str]:
    """Decode a page or feed body by the rules of this module's docstring; return (text, encoding used)."""
    bom_encoding, bom = read_bom(body)
    if bom_encoding:
        name = canonical_encoding(bom_encoding) or bom_encoding
        return body[len(bom):].decode(name, errors="replace"), name
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    as_utf8 = body.decode("utf-8", errors="replace")
    if _mostly_utf8(as_utf8):
        return as_utf8, "utf-8"
    declared = [name for name in declared_encodings(body, content_type) if not name.startswith("utf-")]
    best: tuple[int, str, str] | None = None
    for name in dict.fromkeys([*declared, *_ARABIC_TABLES]):
        try:
            text = body.decode(name, errors="replace")
        except LookupError:
            continue
        score = _score(text)
        if best is None or score > best[0]:
            best = (score, text, name)
    assert best is not None  # the Arabic tables are always there
    if declared and best[2] != declared[0]:
        LOGGER.debug("declared %s, decoded as %s (reads as Arabic)", declared[0], best[2])
    return best[1], best[2]


