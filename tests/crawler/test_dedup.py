"""Within-article near-duplicates on the seed article and on realistic repeats."""
from pathlib import Path

import pytest

from crawler.dedup import ParagraphDeduplicator

SEED = Path(__file__).resolve().parents[2] / "crawler" / "demo" / "seed_article.txt"


def seed_lines() -> list[str]:
    return [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_seed_keeps_body_and_removes_both_pull_quotes_and_the_repeated_headline():
    lines = seed_lines()
    kept, removed = ParagraphDeduplicator()(lines[3:], title=lines[2])
    number = {text: i + 1 for i, text in enumerate(lines)}
    assert [number[p] for p in kept] == [4, 5, 6, 8, 10, 11, 12, 13, 15, 16, 17]
    assert {(number[r.text], r.reason, number[r.duplicate_of]) for r in removed} == {
        (7, "fragment", 5),  # pull quote: the start of line 5 without its leading و
        (9, "title", 3),  # the headline again, with و and a full stop
        (14, "fragment", 11),  # truncated pull quote: Jaccard 0.45, containment 1.00
    }


def test_pull_quote_placed_before_its_source_still_goes_and_the_source_stays():
    lines = seed_lines()
    body = [lines[13], *lines[3:13], *lines[14:]]  # line 14 moved to the top
    kept, removed = ParagraphDeduplicator()(body, title=lines[2])
    assert lines[10] in kept and lines[13] not in kept
    assert removed[0].duplicate_of == lines[10]


def test_harakat_and_a_leading_waw_do_not_hide_an_exact_repeat():
    para = "أكد وزير المالية أن الحكومة ستواصل دعم المشاريع الصغيرة والمتوسطة خلال العام المقبل رغم الضغوط على الموازنة"
    vocalised = "وَأَكَّدَ وَزِيرُ المَالِيَّةِ أَنَّ الحُكُومَةَ سَتُوَاصِلُ دَعْمَ المَشَارِيعِ الصَّغِيرَةِ وَالمُتَوَسِّطَةِ خِلَالَ العَامِ المُقْبِلِ رَغْمَ الضُّغُوطِ عَلَى المُوَازَنَةِ"
    other = "وفي سياق متصل، ارتفعت أسعار الوقود في الأسواق المحلية للمرة الثالثة هذا العام وسط احتجاجات محدودة"
    kept, removed = ParagraphDeduplicator()([para, other, vocalised])
    assert kept == [para, other]
    assert removed[0].text == vocalised and removed[0].reason == "repeat" and removed[0].duplicate_of == para


def test_pull_quote_markup_loses_to_body_markup_between_identical_paragraphs():
    para = "قال المتحدث باسم الوزارة إن فرق الإنقاذ تمكنت من إجلاء أكثر من ثلاثمئة أسرة من المناطق المنخفضة"
    quote = "«" + para + "»"
    kept, removed = ParagraphDeduplicator()([quote, para], weak=frozenset({0}))
    assert kept == [para] and removed[0].text == quote


def test_paragraphs_sharing_a_formula_both_stay():
    a = "وقال المتحدث باسم الوزارة إن الوزارة ستفتح باب التسجيل للمنح الدراسية الأسبوع المقبل عبر موقعها الإلكتروني"
    b = "وقال المتحدث باسم الوزارة إن عدد المتقدمين في العام الماضي تجاوز عشرين ألف طالب من مختلف المحافظات"
    kept, removed = ParagraphDeduplicator()([a, b])
    assert kept == [a, b] and removed == []


def test_a_standfirst_repeating_the_lead_is_removed_as_a_fragment():
    lead = ("أعلنت هيئة الأرصاد الجوية عن موجة حر تضرب البلاد بدءا من الغد، وتوقعت أن تتجاوز درجات الحرارة "
            "خمسا وأربعين درجة مئوية في المناطق الداخلية، داعية المواطنين إلى تجنب التعرض لأشعة الشمس")
    standfirst = "أعلنت هيئة الأرصاد الجوية عن موجة حر تضرب البلاد بدءا من الغد"
    kept, removed = ParagraphDeduplicator()([standfirst, lead, "وأوضحت الهيئة أن الموجة ستستمر خمسة أيام على الأقل."])
    assert standfirst not in kept and lead in kept
    assert removed[0].reason == "fragment" and removed[0].duplicate_of == lead


def test_a_short_subheading_found_inside_a_paragraph_stays():
    heading = "ردود فعل دولية"
    para = "وتوالت ردود فعل دولية على القرار، إذ دعت عواصم عدة إلى ضبط النفس والعودة إلى طاولة المفاوضات"
    kept, _ = ParagraphDeduplicator()([heading, para])
    assert kept == [heading, para]


@pytest.mark.parametrize("line", [
    "اقرأ أيضا: ارتفاع أسعار الذهب في الأسواق المحلية",
    "إقرأ أيضاً: الحكومة تعلن خطة جديدة للنقل",
    "تابعونا على تويتر وفيسبوك للمزيد من الأخبار",
])
def test_link_lines_inside_the_body_are_boilerplate(line):
    para = "وأشار التقرير إلى أن معدل البطالة انخفض إلى تسعة في المئة خلال الربع الأخير من العام"
    kept, removed = ParagraphDeduplicator()([para, line])
    assert kept == [para] and removed[0].reason == "boilerplate"


def test_a_long_paragraph_that_merely_starts_with_read_is_not_boilerplate():
    para = ("اقرأ أيضا ما كتبه المؤرخون عن تلك الحقبة تجد أن الروايات تختلف اختلافا كبيرا حول أسباب الحرب ونتائجها "
            "وحول دور القوى الكبرى فيها، وهو ما دفع الباحثين في السنوات الأخيرة إلى العودة إلى الأرشيفات الأصلية "
            "لقراءة الوثائق من جديد")
    kept, _ = ParagraphDeduplicator()([para])
    assert kept == [para]
