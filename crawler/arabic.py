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
_LETTER_FOLDS = (("أ", "ا"), ("إ", "ا"), ("آ", "ا"), ("ٱ", "ا"), ("ى", "ي"), ("ة", "ه"))
_DIGIT_FOLD = str.maketrans(
    {**{chr(0x660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
     **{chr(0x6F0 + d): str(d) for d in range(10)}}  # Extended (Persian) digits
)
_NON_ASCII_DIGIT = regex.compile("[\u0660-\u0669\u06f0-\u06f9]")


def _fold(text: str) -> str:
    """Alef forms, alef maqsura, ta marbuta and non-ASCII digits folded. str.replace scans in C; a full
    str.translate looks every character up in a dict and cost more than the rest of the normalisation."""
    for letter, plain in _LETTER_FOLDS:
        text = text.replace(letter, plain)
    return text.translate(_DIGIT_FOLD) if _NON_ASCII_DIGIT.search(text) else text


# anything that is not a letter or a digit (، ؛ ؟ « » “ ” and ASCII punctuation included) separates words
_NON_WORD = regex.compile(r"[^\p{L}\p{N}]+")
_WORD = regex.compile(r"[\p{L}\p{N}]+")


@lru_cache(maxsize=8192)  # an article's paragraphs are normalised by the paragraph dedup, then again for its fingerprint
def normalize_for_matching(text: str) -> str:
    """Matching form of text: NFKC, no harakat/tatweel, folded letters and digits, no punctuation."""
    text = unicodedata.normalize("NFKC", text)
    text = _fold(_MARKS.sub("", text)).casefold()
    return _NON_WORD.sub(" ", text).strip()


_NON_WORD_KEEP_LINES = regex.compile(r"[^\p{L}\p{N}\n]+")


_SEEN: dict[str, str] = {}
_SEEN_MAX = 4096


def normalize_paragraphs(paragraphs: list[str]) -> list[str]:
    """normalize_for_matching of each paragraph, in one pass over the joined text.

    Remembers recent paragraphs: an article's paragraphs are normalised for the paragraph dedup and again
    for its fingerprint, in the same worker.
    """
    found: dict[str, str] = {}
    missing: list[str] = []
    for p in dict.fromkeys(paragraphs):
        known = _SEEN.get(p)
        if known is None:
            missing.append(p)
        else:
            found[p] = known
    if missing:
        text = unicodedata.normalize("NFKC", "\n".join(p.replace("\n", " ") for p in missing))
        text = _fold(_MARKS.sub("", text)).casefold()
        fresh = dict(zip(missing, (line.strip() for line in _NON_WORD_KEEP_LINES.sub(" ", text).split("\n"))))
        found.update(fresh)
        if len(_SEEN) + len(fresh) > _SEEN_MAX:
            _SEEN.clear()
        _SEEN.update(fresh)
    return [found[p] for p in paragraphs]


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


def _rolling(codes: np.ndarray, k: int) -> np.ndarray:
    """Hash of every k-gram of a code-point array: a polynomial with wrapping arithmetic, then the
    MurmurHash3 finaliser so that similar k-grams get unrelated values."""
    n = max(1, len(codes) - k + 1)
    h = np.zeros(n, dtype=np.uint64)
    for i in range(min(k, len(codes))):
        h = h * _PRIME + codes[i : i + n]
    return _finalise(h)


def _finalise(h: np.ndarray) -> np.ndarray:
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    return h


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """np.unique for a 1-d array, by sorting: numpy 2's hash-table unique measured 4-5 times slower on
    an article's few thousand shingle hashes."""
    if len(values) < 2:
        return values.copy()
    s = np.sort(values)
    keep = np.empty(len(s), dtype=bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


def shingle_hashes(normalized: str, k: int = 5, unique: bool = True) -> np.ndarray:
    """The character k-grams of an already normalised text as 64-bit hashes (sorted and unique by default).

    The same set as char_shingles, hashed in one numpy pass over the code points: some 20 times faster
    than hashing each string.
    """
    if not normalized:
        return _EMPTY
    h = _rolling(_codes(normalized), k)
    return sorted_unique(h) if unique else h


def paragraph_shingles(norms: list[str], k: int = 5) -> list[np.ndarray]:
    """shingle_hashes(n, unique=False) of each normalised paragraph, from one pass over the joined text."""
    joined = " ".join(norms)
    every = _rolling(_codes(joined), k) if len(joined) >= k else _EMPTY
    out, start = [], 0
    for n in norms:
        if len(n) >= k:
            out.append(every[start : start + len(n) - k + 1])
        else:  # shorter than a shingle: the paragraph is its own
            out.append(shingle_hashes(n, k, unique=False))
        start += len(n) + 1
    return out


def boundary_anchors(normalized: str, k: int, sample: int) -> np.ndarray:
    """Hashes of the k-character windows that start a word, kept when 0 mod `sample`: a content-defined
    sample, so a text copied into a longer one brings its anchors along. The same values as _rolling at
    those positions, computed at word starts only."""
    codes = _codes(normalized)
    if len(codes) < k:
        return _EMPTY
    starts = np.flatnonzero(codes[: len(codes) - k] == 32) + 1
    starts = np.concatenate(([0], starts))
    h = np.zeros(len(starts), dtype=np.uint64)
    for i in range(k):
        h = h * _PRIME + codes[starts + i]
    picked = _finalise(h)
    return sorted_unique(picked[picked % np.uint64(sample) == 0])
