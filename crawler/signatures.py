"""Text fingerprints for cross-article dedup, computed in the extraction worker.

Three views of one text, each for one job:
- `shingle_hashes`: every character 5-gram of the matching form, hashed to 32 bits — the exact set that
  verification compares (containment of the shorter text in the longer).
- `signature`: a datasketch MinHash (affine32 scheme, xxhash) of those shingles — LSH bands over it find
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

from crawler.arabic import char_shingles, normalize_for_matching

SHINGLE_SIZE = 5
ANCHOR_WORDS = 4
ANCHOR_SAMPLE = 8


@dataclass(frozen=True)
class Fingerprint:
    signature: bytes  # MinHash values as uint32
    anchors: tuple[int, ...]  # signed 64-bit, as SQLite stores integers
    shingles: np.ndarray  # sorted unique uint32 shingle hashes
    text_hash: str  # sha1 of the matching form: exact copies

    @property
    def size(self) -> int:
        return len(self.shingles)


def matching_text(paragraphs: list[str]) -> str:
    return " ".join(filter(None, (normalize_for_matching(p) for p in paragraphs)))


def shingle_hashes(normalized: str) -> np.ndarray:
    hashes = [xxhash.xxh32_intdigest(s.encode("utf-8")) for s in char_shingles(normalized, SHINGLE_SIZE)]
    return np.unique(np.asarray(hashes, dtype=np.uint32))


def anchors_of(normalized: str) -> tuple[int, ...]:
    words = normalized.split()
    grams = {" ".join(words[i : i + ANCHOR_WORDS]) for i in range(max(1, len(words) - ANCHOR_WORDS + 1))}
    picked = set()
    for gram in grams:
        h = xxhash.xxh64_intdigest(gram.encode("utf-8"))
        if h % ANCHOR_SAMPLE == 0:
            picked.add(h - (1 << 63))
    return tuple(sorted(picked))


def fingerprint(paragraphs: list[str], num_perm: int = 128) -> Fingerprint:
    normalized = matching_text(paragraphs)
    shingles = shingle_hashes(normalized)
    from datasketch import MinHash  # here: the main process, which only looks up, never pays for the import

    # the shingles are hashed already; datasketch applies its permutations to those values
    minhash = MinHash(num_perm=num_perm, hashfunc=int, scheme="affine32")
    minhash.update_batch(shingles.tolist())
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
