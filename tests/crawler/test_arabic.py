"""Matching normalisation on real spelling variation; stored text is never touched."""
import unicodedata

import pytest
import regex
from conftest import AGENCY_STORY, OTHER_STORY, ROOT

from crawler.arabic import (
    _codes, _rolling, char_shingles, normalize_for_matching, normalize_paragraphs, shingle_hashes,
    hash_paragraphs,
)


def spelled_out(text: str) -> str:
    """The normalisation rules written as plain string operations, one after the other (the code does it
    with one table lookup over the code points)."""
    text = unicodedata.normalize("NFKC", text)
    text = regex.sub("[\u064b-\u065f\u0670\u0640\u06d6-\u06ed]", "", text)  # harakat, tatweel, Quranic marks
    for letter, plain in (("أ", "ا"), ("إ", "ا"), ("آ", "ا"), ("ٱ", "ا"), ("ى", "ي"), ("ة", "ه")):
        text = text.replace(letter, plain)
    text = text.translate({**{0x660 + d: str(d) for d in range(10)}, **{0x6F0 + d: str(d) for d in range(10)}})
    return regex.sub(r"[^\p{L}\p{N}]+", " ", text.casefold()).strip()


def test_every_character_is_normalised_as_the_rules_say():
    # each code point alone, between letters, and doubled between punctuation; compared a block at a time
    # (the paragraphs' forms joined by spaces against the rules applied to the block's text as one)
    # the Basic Multilingual Plane and plane 1 (emoji, historic scripts) whole; of the other planes, which
    # hold one kind of character each (CJK ideographs, tags, private use, unassigned), their first block
    blocks = [*range(0, 0x20000, 0x1000), *range(0x20000, 0x110000, 0x10000)]
    for start in blocks:
        chars = [chr(c) for c in range(start, start + 0x1000) if not 0xD800 <= c < 0xE000]
        for context in ("{}", "ab{}cd", "، {0}{0} ؟"):
            paragraphs = [context.format(c) for c in chars]
            ours = " ".join(filter(None, normalize_paragraphs(paragraphs)))
            assert ours == spelled_out(" \n ".join(paragraphs)), (hex(start), context)


def test_real_paragraphs_are_normalised_as_the_rules_say():
    seed = (ROOT / "crawler" / "demo" / "seed_article.txt").read_text(encoding="utf-8").splitlines()
    paragraphs = [*seed, *AGENCY_STORY, *OTHER_STORY, "  وَقَالَ:  «نعم»  \t", "", "...", "٢٠٢٣ — ٢٠٢٤"]
    assert normalize_paragraphs(paragraphs) == [spelled_out(p) for p in paragraphs]
    assert [normalize_for_matching(p) for p in paragraphs] == [spelled_out(p) for p in paragraphs]


@pytest.mark.parametrize("variant, plain", [
    ("وَقَالَ المُتَحَدِّثُ الرَّسْمِيُّ", "وقال المتحدث الرسمي"),  # harakat, shadda, sukun
    ("أعلنت إدارة آثار ٱلمدينة", "اعلنت اداره اثار المدينه"),  # alef forms, ta marbuta
    ("مستشفى الهدى", "مستشفي الهدي"),  # alef maqsura
    ("الحكومـــــة الجديـدة", "الحكومه الجديده"),  # tatweel
    ("عام ١٩٩٤ و٢٠٢٠ و۱۴۰۲", "عام 1994 و2020 و1402"),  # Arabic-Indic and extended digits
    ("قال: «الطريق الوحيد»، وأضاف؛ هل؟ “نعم”", "قال الطريق الوحيد واضاف هل نعم"),  # punctuation
    ("ﻻ إله", "لا اله"),  # presentation forms through NFKC
])
def test_spelling_variants_match(variant, plain):
    assert normalize_for_matching(variant) == normalize_for_matching(plain)


def test_a_leading_waw_changes_few_shingles():
    a = normalize_for_matching("ووصفت وزارة الدفاع الأذربيجانية هجومها العسكري")
    b = normalize_for_matching("وصفت وزارة الدفاع الأذربيجانية هجومها العسكري")
    sa, sb = char_shingles(a), char_shingles(b)
    assert len(sa & sb) / len(sb) > 0.95


def test_anchors_are_the_rolling_hashes_of_the_windows_that_start_a_word_inside_one_paragraph():
    norms = normalize_paragraphs([*AGENCY_STORY[:3], "", "قال", *OTHER_STORY[:2]])
    expected = set()
    for n in norms:
        if len(n) >= 20:
            every = _rolling(_codes(n), 20)
            expected |= {int(every[i]) for i in range(len(every)) if i == 0 or n[i - 1] == " "}
    expected = sorted(h for h in expected if h % 4 == 0)
    hashes = hash_paragraphs(norms, 5)
    assert hashes.anchors(list(range(len(norms))), 20, 4).tolist() == expected and len(expected) >= 10
    # only the rows asked for
    first = hash_paragraphs(norms[:1], 5).anchors([0], 20, 4).tolist()
    assert hashes.anchors([0], 20, 4).tolist() == first and 0 < len(first) < len(expected)


def test_each_paragraphs_shingles_are_its_own_k_grams():
    norms = normalize_paragraphs([*AGENCY_STORY[:2], "", "قال", "ab"])
    hashes = hash_paragraphs(norms, 5)
    for i, n in enumerate(norms):
        assert sorted(set(hashes.shingles(i).tolist())) == shingle_hashes(n).tolist()
    assert len(hashes.shingles(3)) == 1 and len(hashes.shingles(2)) == 0  # short: its own shingle; empty: none


def test_numpy_shingle_hashes_count_the_same_shingles():
    text = normalize_for_matching("وصفت وزارة الدفاع الأذربيجانية هجومها العسكري بعملية لمكافحة الإرهاب")
    assert len(shingle_hashes(text)) == len(char_shingles(text))
    assert len(shingle_hashes("")) == 0 and len(shingle_hashes("abc")) == 1


def test_paragraph_normalisation_matches_one_by_one_even_past_its_memory():
    paragraphs = [f"الفقرة رقم {i}، وفيها «اقتباس» وأرقام ١٢٣" for i in range(5000)]
    for start in range(0, 5000, 700):  # overflows the remembered paragraphs more than once
        chunk = paragraphs[start : start + 900]
        assert normalize_paragraphs(chunk) == [normalize_for_matching(p) for p in chunk]
