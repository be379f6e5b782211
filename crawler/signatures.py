"""Text fingerprints for cross-article dedup, computed in the extraction worker.

Three views of one text, each for one job:
- `shingles`: every character 5-gram of each paragraph's matching form, hashed to 64 bits
  (crawler.arabic) — the exact set that verification compares (containment of the shorter in the longer).
- `signature`: a datasketch MinHash (affine32 scheme, bands x rows permutations) of those shingles — LSH bands find
  whole-text copies.
- `anchors`: a content-defined sample (1 in ANCHOR_SAMPLE) of the 20-character windows that start a word
  (about four words). Because the sample is
  decided by the hash, a text copied into a longer one brings its anchors along, so a trimmed or padded
  copy shares anchors in proportion to its containment, which banded MinHash cannot see (its Jaccard
  with the original falls with the length ratio).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from crawler.arabic import ParagraphHashes, hash_paragraphs, normalize_paragraphs

SHINGLE_SIZE = 5
ANCHOR_CHARS = 20  # about four words
ANCHOR_SAMPLE = 8
SIGNATURE_SAMPLE = 4
NUM_PERM = 100  # LSH's 20 bands x 5 rows (settings.DEDUP_BANDS, DEDUP_ROWS): values no band reads are not computed


@dataclass(frozen=True)
class Fingerprint:
    signature: bytes  # MinHash values as uint32
    anchors: tuple[int, ...]  # signed 64-bit, as SQLite stores integers
    shingles: np.ndarray  # sorted unique uint64 shingle hashes
    text_hash: str  # sha1 of the matching form: exact copies

    @property
    def size(self) -> int:
        return len(self.shingles)


def text_shingles(paragraphs: list[str], norms: list[str] | None = None) -> np.ndarray:
    """The article's shingle set: the union of its paragraphs' character 5-grams (none spans two
    paragraphs, so a copy that splits paragraphs differently matches all the same)."""
    norms = normalize_paragraphs(paragraphs) if norms is None else norms
    return hash_paragraphs(norms, SHINGLE_SIZE).shingle_set(list(range(len(norms))))


_PERMUTATIONS: dict[int, np.ndarray] = {}
_BLOCK = 2048


def minhash_signature(shingles: np.ndarray, num_perm: int = NUM_PERM) -> np.ndarray:
    """datasketch's MinHash (affine32 scheme, seed 1) of already hashed shingles, as uint32 values.

    The same values as MinHash(num_perm, scheme="affine32", hashfunc=int).update_batch(values), computed on
    the array directly: update_batch first turns the array into a Python list, one call per shingle.
    """
    from datasketch import MinHash
    from datasketch.minhash import _fmix  # datasketch's own pre-mix, so the values stay datasketch's

    if num_perm not in _PERMUTATIONS:  # generating them costs more than hashing an article
        _PERMUTATIONS[num_perm] = MinHash(num_perm=num_perm, scheme="affine32").permutations
    a, b = _PERMUTATIONS[num_perm]
    if len(shingles) == 0:
        return np.full(num_perm, np.iinfo(np.uint32).max, dtype=np.uint32)
    values = _fmix((shingles & np.uint64(0xFFFFFFFF)).astype(np.uint32), 32)
    # permutations x shingles, so that the min runs along contiguous memory, in blocks that stay in the
    # CPU cache: measured twice as fast as shingles x permutations
    out = np.full(num_perm, np.iinfo(np.uint32).max, dtype=np.uint32)
    for start in range(0, len(values), _BLOCK):
        products = np.multiply.outer(a, values[start : start + _BLOCK])
        products += b[:, None]  # uint32 wraps, as datasketch's affine32 does
        np.minimum(out, products.min(axis=1), out=out)
    return out


@dataclass(frozen=True)
class HashedParagraphs:
    """What the paragraph dedup hashed, handed to the fingerprint of the paragraphs it kept so that they are
    not normalised and hashed again: the kept texts, every row's hashes and forms, and the kept rows."""

    paragraphs: tuple[str, ...]
    hashes: ParagraphHashes
    norms: list[str]
    rows: list[int]


def fingerprint(paragraphs: list[str], num_perm: int = NUM_PERM, hashed: HashedParagraphs | None = None) -> Fingerprint:
    """The article's fingerprint. `hashed`: the paragraph dedup's hashes, used when they are of exactly these
    paragraphs (a boilerplate line removed since makes them stale: the text is hashed afresh then)."""
    if hashed is not None and hashed.hashes.k == SHINGLE_SIZE and hashed.paragraphs == tuple(paragraphs):
        hashes, rows = hashed.hashes, hashed.rows
        norms = [hashed.norms[i] for i in rows]
    else:
        norms = normalize_paragraphs(paragraphs)
        hashes, rows = hash_paragraphs(norms, SHINGLE_SIZE), list(range(len(paragraphs)))
    shingles = hashes.shingle_set(rows)
    anchors = hashes.anchors(rows, ANCHOR_CHARS, ANCHOR_SAMPLE)
    # anchors as signed 64-bit integers, as SQLite stores them: x - 2**63
    signed = (anchors ^ np.uint64(1 << 63)).view(np.int64).tolist()
    normalized = " ".join(filter(None, norms))
    sampled = shingles[: np.searchsorted(shingles, np.uint64(2**64 // SIGNATURE_SAMPLE))]
    return Fingerprint(minhash_signature(sampled, num_perm).tobytes(), tuple(signed), shingles,
                       hashlib.sha1(normalized.encode("utf-8")).hexdigest())


def containment(small: np.ndarray, big: np.ndarray) -> float:
    """Share of the smaller set inside the other (the two sorted unique arrays are swapped if needed)."""
    if len(small) > len(big):
        small, big = big, small
    if len(small) == 0:
        return 0.0
    return len(np.intersect1d(small, big, assume_unique=True)) / len(small)


def as_array(signature: bytes) -> np.ndarray:
    return np.frombuffer(signature, dtype=np.uint32)
