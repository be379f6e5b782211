"""Fingerprints: datasketch-compatible signatures, and shingle sets that ignore how a copy splits paragraphs."""
import numpy as np
import pytest
from conftest import AGENCY_STORY, OTHER_STORY
from datasketch import MinHash

from crawler import signatures
from crawler.signatures import NUM_PERM, containment, fingerprint, minhash_signature, text_shingles


@pytest.mark.parametrize("block", [2048, 64], ids=["one block", "blocks"])
def test_the_signature_is_datasketchs_minhash_of_the_shingles(block, monkeypatch):
    monkeypatch.setattr(signatures, "_BLOCK", block)
    shingles = text_shingles(AGENCY_STORY + OTHER_STORY)
    assert (len(shingles) < block) == (block == 2048)
    reference = MinHash(num_perm=NUM_PERM, scheme="affine32", hashfunc=int)
    reference.update_batch((shingles & np.uint64(0xFFFFFFFF)).astype(np.uint32).tolist())
    assert np.array_equal(minhash_signature(shingles), reference.hashvalues.astype(np.uint32))


def test_a_copy_that_merges_paragraphs_has_the_same_shingles_inside_it():
    merged = [AGENCY_STORY[0] + " " + AGENCY_STORY[1], *AGENCY_STORY[2:]]
    assert containment(text_shingles(AGENCY_STORY), text_shingles(merged)) == 1.0


def test_identical_texts_have_identical_fingerprints_and_a_trimmed_copy_keeps_most_anchors():
    full, again, trimmed = fingerprint(AGENCY_STORY), fingerprint(list(AGENCY_STORY)), fingerprint(AGENCY_STORY[:3])
    assert full.signature == again.signature and full.anchors == again.anchors and full.text_hash == again.text_hash
    assert len(set(trimmed.anchors) & set(full.anchors)) >= 0.8 * len(trimmed.anchors)
    assert full.text_hash != trimmed.text_hash


def test_anchors_are_stored_as_signed_integers_of_their_unsigned_hashes():
    from crawler.arabic import hash_paragraphs, normalize_paragraphs
    from crawler.signatures import ANCHOR_CHARS, ANCHOR_SAMPLE, SHINGLE_SIZE

    norms = normalize_paragraphs(AGENCY_STORY)
    unsigned = hash_paragraphs(norms, SHINGLE_SIZE).anchors(list(range(len(norms))), ANCHOR_CHARS, ANCHOR_SAMPLE)
    anchors = fingerprint(AGENCY_STORY).anchors
    assert list(anchors) == [int(x) - 2**63 for x in unsigned] and len(anchors) >= 5
    assert all(-(2**63) <= a < 2**63 for a in anchors)


def test_the_fingerprint_of_what_the_dedup_kept_is_the_one_computed_from_scratch():
    from crawler.dedup import ParagraphDeduplicator

    title = "وزير الخارجية يبحث مع نظيره التطورات الإقليمية"
    page = [AGENCY_STORY[0], "و" + title, *AGENCY_STORY[1:], AGENCY_STORY[1][:80], *OTHER_STORY[:1]]
    kept, removed, hashed = ParagraphDeduplicator().dedup(page, title)
    assert len(removed) == 2 and list(hashed.paragraphs) == kept
    reused = fingerprint(kept, hashed=hashed)
    fresh = fingerprint(list(kept))
    assert (reused.signature, reused.anchors, reused.text_hash) == (fresh.signature, fresh.anchors, fresh.text_hash)
    assert np.array_equal(reused.shingles, fresh.shingles) and np.array_equal(fresh.shingles, text_shingles(kept))


def test_hashes_of_other_paragraphs_are_not_used():
    from crawler.dedup import ParagraphDeduplicator

    kept, _, hashed = ParagraphDeduplicator().dedup(list(AGENCY_STORY), "عنوان")
    kept[0] = OTHER_STORY[0]  # a boilerplate line removed, or any change before signing
    after_change = fingerprint(kept, hashed=hashed)
    fresh = fingerprint(kept)
    assert after_change.text_hash == fresh.text_hash and np.array_equal(after_change.shingles, fresh.shingles)
