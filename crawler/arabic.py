"""Arabic normalisation for matching only. Stored and exported text is never normalised.

Two spellings of one paragraph must produce the same shingles: harakat and tatweel are dropped, the alef
forms, alef maqsura and ta marbuta are folded, Arabic-Indic digits become ASCII and punctuation becomes
space. Character shingles then absorb clitics such as a leading و.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import regex

# harakat (fathatan .. sukun), superscript alef, tatweel, plus Quranic annotation marks that NFKC keeps
# Languages other than Arabic written in Arabic script (ISO 639-1/-3 codes as pages declare them): one list
# for the archive's cheap language gate (crawler.page_language) and the article's language (crawler.extract)
OTHER_ARABIC_SCRIPT = frozenset({"fa", "ur", "ps", "ku", "ckb", "sd", "ug", "prs", "pnb", "bal", "azb"})
ARABIC_SCRIPT_LANGUAGES = OTHER_ARABIC_SCRIPT | {"ar"}

_MARKS = regex.compile("[\u064b-\u065f\u0670\u0640\u06d6-\u06ed]")
_LETTER_FOLDS = (("أ", "ا"), ("إ", "ا"), ("آ", "ا"), ("ٱ", "ا"), ("ى", "ي"), ("ة", "ه"))
_DIGITS = ("\u0660", "\u06f0")  # Arabic-Indic and Extended (Persian) zeros; the nine after each follow
# anything that is not a letter or a digit (، ؛ ؟ « » “ ” and ASCII punctuation included) separates words
_NON_WORD = regex.compile(r"[^\p{L}\p{N}]")

_DROP = np.uint32(0xFFFFFFFF)
_SPACE, _NEWLINE = np.uint32(32), np.uint32(10)


def _code_table() -> np.ndarray:
    """What each Basic Multilingual Plane code point becomes: itself, its folded letter or ASCII digit,
    a space (not a letter or digit), or _DROP (harakat, tatweel). Built once from the regex classes, so
    the table and the rules above cannot disagree."""
    every = "".join(map(chr, range(0x10000)))
    table = np.arange(0x10000, dtype=np.uint32)
    table[[m.start() for m in _NON_WORD.finditer(every)]] = _SPACE
    table[ord("\n")] = _NEWLINE
    table[[m.start() for m in _MARKS.finditer(every)]] = _DROP
    for letter, plain in _LETTER_FOLDS:
        table[ord(letter)] = ord(plain)
    for zero in _DIGITS:
        table[ord(zero) : ord(zero) + 10] = np.arange(ord("0"), ord("9") + 1)
    return table


_TABLE = _code_table()


def _normalize_lines(text: str) -> list[str]:
    """The matching form of each line of text, in one numpy pass over its code points: a table lookup
    folds, drops and blanks characters, then runs of spaces shrink to one and lines are trimmed. The
    regular expressions this replaced cost more than all the rest of an article's dedup."""
    text = unicodedata.normalize("NFKC", text).casefold()
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    mapped = _TABLE[np.minimum(codes, 0xFFFF)]
    astral = np.flatnonzero(codes > 0xFFFF)  # emoji, rare scripts: each distinct one classified by the regex
    if len(astral):
        found, where = np.unique(codes[astral], return_inverse=True)
        blank = np.array([_NON_WORD.match(chr(c)) is not None for c in found.tolist()])
        mapped[astral] = np.where(blank[where], _SPACE, found[where])
    mapped = mapped[mapped != _DROP]
    if len(mapped):
        space = mapped == _SPACE
        after_break = np.empty(len(mapped), dtype=bool)  # the previous character is a space, a newline, or none
        after_break[0] = True
        np.logical_or(space[:-1], mapped[:-1] == _NEWLINE, out=after_break[1:])
        mapped = mapped[~(space & after_break)]  # a space stays only after a letter or digit
        if len(mapped):
            before_break = np.empty(len(mapped), dtype=bool)  # ... and when a letter or digit follows it
            before_break[-1] = True
            np.equal(mapped[1:], _NEWLINE, out=before_break[:-1])
            mapped = mapped[~((mapped == _SPACE) & before_break)]
    return mapped.tobytes().decode("utf-32-le", "surrogatepass").split("\n")


@lru_cache(maxsize=8192)  # the same headline and boilerplate lines come back article after article
def normalize_for_matching(text: str) -> str:
    """Matching form of text: NFKC, no harakat/tatweel, folded letters and digits, no punctuation."""
    return _normalize_lines(text.replace("\n", " "))[0]


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
        fresh = dict(zip(missing, _normalize_lines("\n".join(p.replace("\n", " ") for p in missing))))
        found.update(fresh)
        if len(_SEEN) + len(fresh) > _SEEN_MAX:
            _SEEN.clear()
        _SEEN.update(fresh)
    return [found[p] for p in paragraphs]


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
    return _finalise(_polynomials(codes, k))


def _polynomials(codes: np.ndarray, k: int) -> np.ndarray:
    """sum(codes[p + i] * PRIME ** (k - 1 - i)) for every k-gram start p, wrapping at 2**64."""
    n = max(1, len(codes) - k + 1)
    h = np.zeros(n, dtype=np.uint64)
    for i in range(min(k, len(codes))):
        h *= _PRIME
        h += codes[i : i + n]
    return h


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
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)


def shingle_hashes(normalized: str, k: int = 5, unique: bool = True) -> np.ndarray:
    """The character k-grams of an already normalised text as 64-bit hashes (sorted and unique by default).

    The same set as char_shingles, hashed in one numpy pass over the code points: some 20 times faster
    than hashing each string.
    """
    if not normalized:
        return _EMPTY
    h = _rolling(_codes(normalized), k)
    return sorted_unique(h) if unique else h


@dataclass(frozen=True)
class ParagraphHashes:
    """The k-gram polynomials of some normalised paragraphs, from one pass over their text joined by
    spaces: the paragraph dedup and the article fingerprint both read their hashes from here."""

    k: int
    codes: np.ndarray  # code points of the joined text
    raw: np.ndarray  # polynomial of the k-gram starting at each position (not yet finalised)
    hashed: np.ndarray  # the same, finalised
    starts: np.ndarray  # where each paragraph starts in the joined text
    lengths: np.ndarray

    def shingles(self, i: int) -> np.ndarray:
        """Paragraph i's k-gram hashes, repeats included; a paragraph shorter than k is its own shingle."""
        start, length = int(self.starts[i]), int(self.lengths[i])
        if length >= self.k:
            return self.hashed[start : start + length - self.k + 1]
        return _rolling(self.codes[start : start + length], self.k) if length else _EMPTY

    def shingle_set(self, rows: list[int]) -> np.ndarray:
        """The sorted distinct k-gram hashes of the paragraphs `rows` (none spans two paragraphs, so a copy
        that splits paragraphs differently has the same set)."""
        parts = [self.shingles(i) for i in rows]
        return sorted_unique(np.concatenate(parts)) if parts else _EMPTY

    def anchors(self, rows: list[int], anchor_chars: int, sample: int) -> np.ndarray:
        """Sorted hashes of the anchor_chars windows that start a word inside one of `rows` (a window
        never runs into the next paragraph), kept when 0 mod `sample`: a content-defined sample, so a
        text copied into a longer one brings its anchors along. A window's polynomial is built from the
        k-gram polynomials at p, p + k, ... (anchor_chars is a multiple of k): the value _rolling gives."""
        codes = self.codes
        if len(codes) < anchor_chars or not rows:
            return _EMPTY
        words = np.concatenate(([0], np.flatnonzero(codes[: len(codes) - anchor_chars] == 32) + 1))
        row = np.searchsorted(self.starts, words, side="right") - 1
        member = np.zeros(len(self.starts), dtype=bool)
        member[rows] = True
        words = words[member[row] & (words + anchor_chars <= self.starts[row] + self.lengths[row])]
        step = np.uint64(pow(int(_PRIME), self.k, 1 << 64))
        windows = self.raw[words]
        for offset in range(self.k, anchor_chars, self.k):
            windows *= step
            windows += self.raw[words + offset]
        windows = _finalise(windows)
        return sorted_unique(windows[windows % np.uint64(sample) == 0])


def hash_paragraphs(norms: list[str], k: int = 5) -> ParagraphHashes:
    codes = _codes(" ".join(norms))
    raw = _polynomials(codes, k) if len(codes) >= k else _EMPTY
    lengths = np.fromiter(map(len, norms), dtype=np.int64, count=len(norms))
    starts = np.zeros(len(norms), dtype=np.int64)
    np.cumsum(lengths[:-1] + 1, out=starts[1:])
    return ParagraphHashes(k, codes, raw, _finalise(raw.copy()), starts, lengths)
