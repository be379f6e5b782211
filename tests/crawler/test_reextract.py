"""crawler.reextract.compare: what a new extraction of a stored article changed."""
from crawler.record import Article, Removed
from crawler.reextract import compare

LEAD = "أعلن البنك المركزي اليوم رفع سعر الفائدة بمقدار نصف نقطة مئوية لكبح التضخم."
BODY = ["وقال المحافظ إن القرار جاء بعد دراسة مستفيضة لمؤشرات الاقتصاد.", "وتوقع محللون تباطؤ الإقراض."]


def article(paragraphs, removed=(), **kw):
    return Article(url="https://a.example/1", paragraphs=list(paragraphs), removed=list(removed), **kw)


def test_an_identical_extraction_changes_nothing_whatever_the_order_of_removed_lines():
    removed = [Removed("اقرأ أيضا", "boilerplate"), Removed(LEAD[:40], "fragment", LEAD)]
    assert not compare(article([LEAD, *BODY], removed), article([LEAD, *BODY], removed[::-1])).any


def test_lines_newly_removed_and_newly_kept_are_told_apart_from_lines_new_or_gone():
    before = article([LEAD, *BODY, "تابعونا على تويتر"], [Removed(LEAD[:40], "fragment", LEAD)])
    after = article([LEAD[:40], LEAD, BODY[0], "سطر جديد"], [Removed("تابعونا على تويتر", "boilerplate")])
    change = compare(before, after)
    assert change.body and change.newly_removed == {"boilerplate": 1}
    assert (change.newly_kept, change.added, change.gone) == (1, 1, 1)  # the pull quote; the new line; BODY[1]


def test_a_date_or_title_change_is_its_own_change():
    change = compare(article(BODY, published="2024-05-01", date_source="feed"),
                     article(BODY, published="2024-04-30T09:00:00+03:00", date_source="markup", title="عنوان"))
    assert change.date and change.title and not change.body
