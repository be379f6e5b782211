"""Bytes to text for Arabic pages, whatever the charset declaration says.

Arabic sites still serve windows-1256 and ISO-8859-6, and declare it in the header only, in the page only,
wrongly, or not at all. A wrong guess turns the whole page into mojibake, so every candidate encoding is
scored on the text it produces instead of being trusted.
"""
from __future__ import annotations

import codecs
import logging

import regex
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

LOGGER = logging.getLogger(__name__)

_ARABIC_LETTER = regex.compile(r"[\u0621-\u064a]")
# characters that appear when Arabic single-byte text is decoded with the wrong table
_MOJIBAKE = regex.compile(r"[\u00c0-\u00ff\u0080-\u009f\ufffd]")


def _canonical(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _score(text: str, replaced: int) -> float:
    """Higher is more plausible: Arabic letters count for, mojibake and replacement characters against."""
    return len(_ARABIC_LETTER.findall(text)) - 5 * len(_MOJIBAKE.findall(text)) - 20 * replaced


def decode_html(body: bytes, content_type: str = "") -> tuple[str, str]:
    """Decode a page or feed body; return (text, encoding used).

    Order: BOM, then strict UTF-8, then each declared encoding (header, then the page's own meta or XML
    prolog) if it decodes cleanly, then the candidates scored on the text they produce. Invalid bytes in an otherwise valid
    UTF-8 page become U+FFFD instead of sending the whole page through a single-byte table.
    """
    bom_encoding, bom = read_bom(body)
    if bom_encoding:
        return body[len(bom):].decode(bom_encoding, errors="replace"), _canonical(bom_encoding) or bom_encoding
    declared = [
        _canonical(http_content_type_encoding(content_type) if content_type else None),
        _canonical(html_body_declared_encoding(body[:4096])),
    ]
    # latin-1/ascii declarations on Arabic pages are nearly always wrong; let the scoring decide
    candidates = [e for e in declared if e and e not in ("latin-1", "iso8859-1", "cp1252", "ascii")]
    try:  # first: Arabic in a single-byte table is never valid UTF-8, so valid UTF-8 is what it says
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    for enc in dict.fromkeys(candidates):
        try:
            return body.decode(enc), enc
        except UnicodeDecodeError:
            LOGGER.debug("declared encoding %s does not decode the body", enc)
    as_utf8 = body.decode("utf-8", errors="replace")
    if as_utf8.count("\ufffd") <= max(3, len(_ARABIC_LETTER.findall(as_utf8)) // 50):
        return as_utf8, "utf-8"  # a few stray bytes in a UTF-8 page
    best: tuple[float, str, str] | None = None
    for enc in dict.fromkeys([*candidates, "windows-1256", "iso8859-6"]):
        text = body.decode(enc, errors="replace")
        score = _score(text[:200_000], text.count("\ufffd"))
        if best is None or score > best[0]:
            best = (score, text, enc)
    assert best is not None
    return best[1], best[2]
