"""Arabic normalisation for matching only. Stored and exported text is never normalised.

Two spellings of one paragraph must produce the same shingles: harakat and tatweel are dropped, the alef
forms, alef maqsura and ta marbuta are folded, Arabic-Indic digits become ASCII and punctuation becomes
space. Character shingles then absorb clitics such as a leading و.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

import numpy as np
import regex

# harakat (fathatan .. sukun), superscript alef, tatweel, plus Quranic annotation marks that NFKC keeps
_MARKS = regex.compile("[\u064b-\u065f\u0670\u0640\u06d6-\u06ed]")
_FOLD = str.maketrans(
    {
        "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه",
        **{chr(0x660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
        **{chr(0x6F0 + d): str(d) for d in range(10)},  # Extended (Persian) digits
    }
)
# anything that is not a letter or a digit (، ؛ ؟ « » “ ” and ASCII punctuation included) separates words
_NON_WORD = regex.compile(r"[^\p{L}\p{N}]+")
_WORD = regex.compile(r"[\p{L}\p{N}]+")


@lru_cache(maxsize=8192)  # an article's paragraphs are normalised by the paragraph dedup, then again for its fingerprint
def normalize_for_matching(text: str) -> str:
    """Matching form of text: NFKC, no harakat/tatweel, folded letters and digits, no punctuation."""
    text = unicodedata.normalize("NFKC", text)
    text = _MARKS.sub("", text).translate(_FOLD).casefold()
    return _NON_WORD.sub(" ", text).strip()


def words(text: str) -> list[str]:
    """Word tokens of the matching form (the regex module keeps diacritised words whole)."""
    return _WORD.findall(normalize_for_matching(text))


def char_shingles(normalized: str, k: int = 5) -> set[str]:
    """Character k-grams of an already normalised text; a text shorter than k is its own shingle."""
    if len(normalized) <= k:
        return {normalized} if normalized else set()
    return {normalized[i : i + k] for i in range(len(normalized) - k + 1)}


_PRIME = np.uint64(0x100000001B3)
_EMPTY = np.empty(0, dtype=np.uint64)


def shingle_hashes(normalized: str, k: int = 5, unique: bool = True) -> np.ndarray:
    """The character k-grams of an already normalised text as sorted unique 64-bit hashes.

    The same set as char_shingles, hashed in one numpy pass over the code points (a polynomial hash with
    wrapping arithmetic, then the MurmurHash3 finaliser): some 20 times faster than hashing each string.
    """
    if not normalized:
        return _EMPTY
    codes = np.frombuffer(normalized.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = max(1, len(codes) - k + 1)
    h = np.zeros(n, dtype=np.uint64)
    for i in range(min(k, len(codes))):
        h = h * _PRIME + codes[i : i + n]
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    return np.unique(h) if unique else h
