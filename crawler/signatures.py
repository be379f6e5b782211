"""MinHash signatures of article text, computed in the extraction worker.

datasketch's MinHash with its 32-bit affine scheme and xxhash: update_batch hashes all shingles of an
article in one numpy pass (per-shingle update is ~7x slower), and a signature stores as 4 bytes a permutation.
"""
from __future__ import annotations

import hashlib

import numpy as np
import xxhash
from datasketch import MinHash

from crawler.arabic import char_shingles, normalize_for_matching

SHINGLE_SIZE = 5


def text_signature(paragraphs: list[str], num_perm: int = 128) -> tuple[bytes, int, str]:
    """(MinHash signature as uint32 bytes, number of distinct shingles, sha1 of the matching form)."""
    normalized = " ".join(normalize_for_matching(p) for p in paragraphs)
    shingles = char_shingles(normalized, SHINGLE_SIZE)
    minhash = MinHash(num_perm=num_perm, hashfunc=xxhash.xxh32_intdigest, scheme="affine32")
    minhash.update_batch([s.encode("utf-8") for s in shingles])
    signature = np.asarray(minhash.hashvalues, dtype=np.uint32).tobytes()
    return signature, len(shingles), hashlib.sha1(normalized.encode("utf-8")).hexdigest()


def as_array(signature: bytes) -> np.ndarray:
    return np.frombuffer(signature, dtype=np.uint32)


def estimated_containment(sig_a: np.ndarray, size_a: int, sig_b: np.ndarray, size_b: int) -> float:
    """Share of the smaller set's shingles inside the larger, from the Jaccard estimate and the set sizes:
    |A ∩ B| = J / (1 + J) * (|A| + |B|)."""
    jaccard = float(np.count_nonzero(sig_a == sig_b)) / len(sig_a)
    if min(size_a, size_b) == 0:
        return 0.0
    return min(1.0, jaccard / (1.0 + jaccard) * (size_a + size_b) / min(size_a, size_b))
