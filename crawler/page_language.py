"""Is an archived page Arabic? Decided cheaply, before any extraction, for every HTML page of a WARC file.

Most pages of a news crawl such as CC-NEWS are not Arabic, so the decision must cost a small fraction of an
extraction. In order: the language the page declares (`<html lang>`, `<meta http-equiv=content-language>`,
the Content-Language header, og:locale, Common Crawl's WARC-Identified-Content-Language); when it declares
none, or a language not written in Arabic script (WordPress writes lang="en-US" on many Arabic sites), the
share of Arabic letters in the page's visible text. Arabic letters are counted on the UTF-8 bytes (each
starts with a byte 0xD8-0xDB), so a page with hardly any is turned away without being decoded.

The extraction decides again on the article's own text (crawler.extract): this only spares it the pages
that are certainly not Arabic.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


from crawler.arabic import OTHER_ARABIC_SCRIPT
from crawler.encoding import decode_body, declared_encodings

# UTF-8 lead bytes of U+0600-U+06FF (Arabic, also Persian and Urdu letters)
_ARABIC_LEADS = b"\xd8\xd9\xda\xdb"
# fewer Arabic characters than this in the whole page and it cannot hold an Arabic article
MIN_ARABIC_CHARS = 100
# share of Arabic-script letters in the visible text; the extraction asks 0.5 of the article's own text,
# a page's menus and footer may be in Latin letters
MIN_ARABIC_SHARE = 0.4
# languages written in Arabic script besides Arabic: declared, or told by their own letters
# letters Persian and Urdu use where Arabic writes ي and ك, and letters Arabic does not have
_NOT_ARABIC_LETTERS = ("\u06cc", "\u06a9", "\u067e", "\u0686", "\u0698", "\u06af", "\u06ba", "\u06be", "\u06c1")
_ARABIC_ONLY_LETTERS = ("\u064a", "\u0643", "\u0629", "\u0649")
_SINGLE_BYTE_ARABIC = frozenset({"cp1256", "iso8859-6", "cp864", "cp720"})  # codecs.lookup() names
_ISO_639_3 = {"ara": "ar", "arb": "ar", "arz": "ar", "apc": "ar", "ary": "ar", "fas": "fa", "pes": "fa", "urd": "ur",
              "pus": "ps", "eng": "en", "fra": "fr"}

_HTML_LANG = re.compile(rb"<html\b[^>]*?\s(?:xml:)?lang\s*=\s*[\"']?\s*([A-Za-z]{2,3})", re.IGNORECASE)
_META = re.compile(rb"<meta\b[^>]*>", re.IGNORECASE)
_META_LANG = re.compile(rb"http-equiv\s*=\s*[\"']?content-language", re.IGNORECASE)
_OG_LOCALE = re.compile(rb"property\s*=\s*[\"']?og:locale[\"'\s>]", re.IGNORECASE)
_CONTENT = re.compile(rb"content\s*=\s*[\"']?\s*([A-Za-z]{2,3})", re.IGNORECASE)
_INVISIBLE = re.compile(r"<(script|style|template|svg|noscript)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_ASCII_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))
_NOT_ASCII_LETTER = bytes(b for b in range(256) if b not in _ASCII_LETTERS)
# UTF-8 lead bytes of other alphabets written in two bytes (Latin extended, Greek, Cyrillic, Hebrew...;
# 0xC2 is punctuation and symbols) and of the three-byte scripts of Asia (0xE3-0xED)
_OTHER_LEADS = bytes([*range(0xC3, 0xD8), *range(0xDC, 0xE0), *range(0xE3, 0xEE)])
_NOT_OTHER_LEAD = bytes(b for b in range(256) if b not in _OTHER_LEADS)
_HIGH_BYTES = bytes(range(0x80, 0x100))


@dataclass(frozen=True)
class LanguageVerdict:
    keep: bool
    reason: str  # why: "declared", "text", "few_arabic_letters", "arabic_script_not_arabic", "other_language"
    declared: str = ""  # the language the page declared, "" if none
    encoding: str = ""  # the charset the body was read with, when it had to be decoded


def declared_language(body: bytes, content_language: str = "", identified: str = "") -> str:
    """The language the page says it is in (two letters, lower case), or "" when it says none."""
    head = body[:16384]
    match = _HTML_LANG.search(head)
    if match:
        return _code(match.group(1))
    for meta in _META.findall(head):
        if _META_LANG.search(meta) or _OG_LOCALE.search(meta):
            content = _CONTENT.search(meta)
            if content:
                return _code(content.group(1))
    if content_language.strip():
        return _code(content_language.strip().split(",")[0].encode())
    if identified.strip():  # Common Crawl's CLD2 verdict: "ara,eng" (ISO 639-3), the main language first
        first = identified.split(",")[0].strip().lower()
        return _ISO_639_3.get(first, first[:2])
    return ""


def _code(raw: bytes) -> str:
    code = raw.decode("ascii", "replace").lower()
    return _ISO_639_3.get(code, code[:2])


def arabic_page(body: bytes, content_type: str = "", content_language: str = "",
                identified: str = "") -> LanguageVerdict:
    """Keep this page for extraction as (possibly) Arabic? See the module's docstring for the order."""
    declared = declared_language(body, content_language, identified)
    if declared == "ar":
        return LanguageVerdict(True, "declared", declared)
    if declared in OTHER_ARABIC_SCRIPT:
        return LanguageVerdict(False, "arabic_script_not_arabic", declared)
    arabic = len(body) - len(body.translate(None, _ARABIC_LEADS))  # one pass in C
    if arabic < MIN_ARABIC_CHARS and not _maybe_single_byte_arabic(body, declared_charsets(body, content_type)):
        return LanguageVerdict(False, "few_arabic_letters", declared)
    text, encoding = decode_body(body, content_type)
    visible = _TAG.sub(" ", _INVISIBLE.sub(" ", text))
    share = arabic_share(visible)
    if share < MIN_ARABIC_SHARE:
        return LanguageVerdict(False, "other_language", declared, encoding)
    if sum(map(visible.count, _NOT_ARABIC_LETTERS)) > sum(map(visible.count, _ARABIC_ONLY_LETTERS)):
        return LanguageVerdict(False, "arabic_script_not_arabic", declared, encoding)
    return LanguageVerdict(True, "text", declared, encoding)


def arabic_share(text: str) -> float:
    """Share of Arabic-script characters among the letters of a text, counted on its UTF-8 bytes."""
    data = text.encode("utf-8", "replace")
    arabic = len(data) - len(data.translate(None, _ARABIC_LEADS))
    latin = len(data.translate(None, _NOT_ASCII_LETTER))
    other = len(data.translate(None, _NOT_OTHER_LEAD))
    letters = arabic + latin + other
    return arabic / letters if letters else 0.0


def declared_charsets(body: bytes, content_type: str) -> list[str]:
    """The charsets the Content-Type header and the page itself name (Python's codec names), in that order."""
    return list(dict.fromkeys(declared_encodings(body, content_type)))


def _maybe_single_byte_arabic(body: bytes, charsets: list[str]) -> bool:
    """A page in windows-1256 or ISO-8859-6 has no UTF-8 lead bytes to count: declared so, or many bytes
    above 0x7F that are not UTF-8."""
    if any(charset in _SINGLE_BYTE_ARABIC for charset in charsets):
        return True
    sample = body[:65536]
    high = len(sample) - len(sample.translate(None, _HIGH_BYTES))
    if high < len(sample) // 20:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start < len(sample) - 4  # not merely a character cut by the sample's end
    return False
