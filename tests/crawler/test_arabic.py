"""Matching normalisation on real spelling variation; stored text is never touched."""
import pytest

from crawler.arabic import _codes, _rolling, boundary_anchors, char_shingles, normalize_for_matching, normalize_paragraphs, shingle_hashes, words


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


def test_anchors_are_the_rolling_hashes_of_the_windows_that_start_a_word():
    text = normalize_for_matching("قال وزير الخارجية في مؤتمر صحفي عقده اليوم في العاصمة إن المحادثات ستستأنف الأسبوع المقبل")
    codes = _codes(text)
    every = _rolling(codes, 20)
    word_starts = [i for i in range(len(every)) if i == 0 or text[i - 1] == " "]
    expected = sorted({int(every[i]) for i in word_starts if int(every[i]) % 2 == 0})
    assert boundary_anchors(text, 20, 2).tolist() == expected and len(expected) >= 3


def test_numpy_shingle_hashes_count_the_same_shingles():
    text = normalize_for_matching("وصفت وزارة الدفاع الأذربيجانية هجومها العسكري بعملية لمكافحة الإرهاب")
    assert len(shingle_hashes(text)) == len(char_shingles(text))
    assert len(shingle_hashes("")) == 0 and len(shingle_hashes("abc")) == 1


def test_diacritised_words_stay_whole():
    assert words("وَقَالَ المُتَحَدِّثُ") == ["وقال", "المتحدث"]


def test_paragraph_normalisation_matches_one_by_one_even_past_its_memory():
    paragraphs = [f"الفقرة رقم {i}، وفيها «اقتباس» وأرقام ١٢٣" for i in range(5000)]
    for start in range(0, 5000, 700):  # overflows the remembered paragraphs more than once
        chunk = paragraphs[start : start + 900]
        assert normalize_paragraphs(chunk) == [normalize_for_matching(p) for p in chunk]
