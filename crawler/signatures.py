"""Text fingerprints for cross-article dedup, computed in the extraction worker.

Three views of one text, each for one job:
- `shingles`: every character 5-gram of the matching form, hashed to 64 bits (crawler.arabic.shingle_hashes)
  — the exact set that verification compares (containment of the shorter text in the longer).
- `signature`: a datasketch MinHash (affine32 scheme, 128 permutations) of those shingles — LSH bands find
  whole-text copies.
- `anchors`: a content-defined sample (1 in ANCHOR_SAMPLE) of word 4-gram hashes. Because the sample is
  decided by the hash, a text copied into a longer one brings its anchors along, so a trimmed or padded
  copy shares anchors in proportion to its containment, which banded MinHash cannot see (its Jaccard
  with the original falls with the length ratio).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import xxhash

from crawler.arabic import normalize_for_matching
from crawler.arabic import shingle_hashes as _shingle_hashes

SHINGLE_SIZE = 5
ANCHOR_WORDS = 4
ANCHOR_SAMPLE = 8


@dataclass(frozen=True)
class Fingerprint:
    signature: bytes  # MinHash values as uint32
    anchors: tuple[int, ...]  # signed 64-bit, as SQLite stores integers
    shingles: np.ndarray  # sorted unique uint64 shingle hashes
    text_hash: str  # sha1 of the matching form: exact copies

    @property
    def size(self) -> int:
        return len(self.shingles)


def matching_text(paragraphs: list[str]) -> str:
    return " ".join(filter(None, (normalize_for_matching(p) for p in paragraphs)))


def shingle_hashes(normalized: str) -> np.ndarray:
    return _shingle_hashes(normalized, SHINGLE_SIZE)


_WORD_PRIME = np.uint64(0x9E3779B97F4A7C15)


def anchors_of(normalized: str) -> tuple[int, ...]:
    """Word 4-gram hashes whose value is 0 mod ANCHOR_SAMPLE, as signed 64-bit integers."""
    words = normalized.split()
    if not words:
        return ()
    w = np.fromiter((xxhash.xxh64_intdigest(word.encode("utf-8")) for word in words), dtype=np.uint64,
                    count=len(words))
    n = max(1, len(w) - ANCHOR_WORDS + 1)
    h = np.zeros(n, dtype=np.uint64)
    for i in range(min(ANCHOR_WORDS, len(w))):
        h = h * _WORD_PRIME + w[i : i + n]
    h ^= h >> np.uint64(29)
    picked = np.unique(h[h % np.uint64(ANCHOR_SAMPLE) == 0])
    return tuple(int(x) - (1 << 63) for x in picked)


_PERMUTATIONS: dict[int, object] = {}


def _minhash(num_perm: int):
    from datasketch import MinHash  # here: the main process, which only looks up, never pays for the import

    if num_perm not in _PERMUTATIONS:  # generating them costs more than hashing an article
        _PERMUTATIONS[num_perm] = MinHash(num_perm=num_perm, scheme="affine32").permutations
    return MinHash(num_perm=num_perm, hashfunc=int, scheme="affine32", permutations=_PERMUTATIONS[num_perm])


def fingerprint(paragraphs: list[str], num_perm: int = 128, normalized: str | None = None) -> Fingerprint:
    """normalized: the matching form of the paragraphs joined by spaces, when the caller has it already."""
    normalized = matching_text(paragraphs) if normalized is None else normalized
    shingles = shingle_hashes(normalized)
    # the shingles are hashed already; datasketch applies its permutations to those values
    minhash = _minhash(num_perm)
    minhash.update_batch((shingles & np.uint64(0xFFFFFFFF)).astype(np.uint32).tolist())
    signature = np.asarray(minhash.hashvalues, dtype=np.uint32).tobytes()
    return Fingerprint(signature, anchors_of(normalized), shingles,
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
