"""The cross-article index: agency copies across outlets, trimmed copies, the date window, persistence."""
from conftest import AGENCY_STORY, OTHER_STORY

from crawler.article_index import ArticleIndex, IndexEntry
from crawler.signatures import fingerprint
from storage.sqlite import SqliteStore


def entry(article_id: str, paragraphs: list[str], day: int = 19000, published: float | None = None) -> IndexEntry:
    return IndexEntry(article_id, fingerprint(paragraphs), day, published)


def index(store=None, **kw) -> ArticleIndex:
    return ArticleIndex((store or SqliteStore(":memory:")).postings(), **kw)


def test_an_agency_copy_with_an_extra_line_points_at_the_first_copy():
    idx = index()
    assert idx.match_or_add(entry("paper-a", AGENCY_STORY)).duplicate_of is None
    assert idx.match_or_add(entry("culture", OTHER_STORY)).duplicate_of is None
    copy = ["الرياض - واس:", *AGENCY_STORY, "المصدر: وكالة الأنباء"]
    match = idx.match_or_add(entry("paper-b", copy))
    assert match.duplicate_of == "paper-a" and match.containment >= 0.8


def test_a_trimmed_copy_is_found_by_containment_though_its_jaccard_is_low():
    idx = index()
    idx.match_or_add(entry("full", AGENCY_STORY))
    trimmed = AGENCY_STORY[:2]  # the paper kept only the first two paragraphs
    match = idx.match_or_add(entry("trimmed", trimmed))
    assert match.duplicate_of == "full"


def test_a_third_copy_joins_the_cluster_of_the_earliest():
    idx = index()
    idx.match_or_add(entry("first", AGENCY_STORY))
    idx.match_or_add(entry("second", AGENCY_STORY[:4]))
    match = idx.match_or_add(entry("third", AGENCY_STORY[1:]))
    assert match.duplicate_of == "first" and match.cluster_id == "first"


def test_a_copy_of_a_copy_points_at_what_it_really_repeats_and_joins_its_cluster():
    idx = index()
    idx.match_or_add(entry("first", AGENCY_STORY[:2]))
    idx.match_or_add(entry("second", AGENCY_STORY))  # contains all of "first"
    match = idx.match_or_add(entry("third", AGENCY_STORY[2:]))  # shares nothing with "first"
    assert match.duplicate_of == "second" and match.cluster_id == "first"


def test_texts_of_earlier_runs_are_verified_from_the_store(tmp_path):
    texts = {"stored": "\n".join(AGENCY_STORY)}
    conn = SqliteStore(tmp_path / "n.db")
    index(conn).match_or_add(entry("stored", AGENCY_STORY))
    fresh = index(conn, text_of=texts.get)  # a new process: nothing cached
    assert fresh.match_or_add(entry("later", AGENCY_STORY[1:4])).duplicate_of == "stored"


def test_a_different_story_is_not_a_copy():
    idx = index()
    idx.match_or_add(entry("a", AGENCY_STORY))
    assert idx.match_or_add(entry("b", OTHER_STORY)).duplicate_of is None
    # same formulas, different facts
    similar = [
        "أعلن البنك المركزي اليوم الأحد تثبيت سعر الفائدة الرئيسي دون تغيير، في خطوة تهدف إلى دعم النمو بعد تراجع التضخم.",
        "وقال محافظ البنك في مؤتمر صحفي عقده في العاصمة إن الاقتصاد يحتاج إلى فترة من الاستقرار قبل أي قرار جديد.",
        "وكانت أسعار العقارات قد سجلت تراجعا ملحوظا خلال الربع الأول من العام بحسب بيانات هيئة الإحصاء.",
    ]
    assert idx.match_or_add(entry("c", similar)).duplicate_of is None


def test_the_window_is_measured_between_publication_dates_not_from_today():
    idx = index(window_days=30)
    idx.match_or_add(entry("2018", AGENCY_STORY, day=17532))  # 2018-01-01
    assert idx.match_or_add(entry("2018-copy", AGENCY_STORY, day=17540)).duplicate_of == "2018"  # eight days later
    assert idx.match_or_add(entry("2019-rerun", AGENCY_STORY, day=17532 + 400)).duplicate_of is None  # a year later: new story


def test_the_index_outlives_the_connection(tmp_path):
    path = tmp_path / "news.db"
    first_store = SqliteStore(path)
    first = index(first_store)
    first.match_or_add(entry("run1", AGENCY_STORY))
    first_store.close()
    second = index(SqliteStore(path), text_of={"run1": "\n".join(AGENCY_STORY)}.get)
    match = second.match_or_add(entry("run2", AGENCY_STORY[:3]))
    assert match.duplicate_of == "run1"


def test_indexing_the_same_article_again_keeps_its_verdict():
    idx = index()
    idx.match_or_add(entry("a", AGENCY_STORY))
    assert idx.match_or_add(entry("b", AGENCY_STORY)).duplicate_of == "a"
    assert idx.match_or_add(entry("b", AGENCY_STORY)).duplicate_of == "a"
    assert idx.match_or_add(entry("a", AGENCY_STORY)).duplicate_of is None
    assert len(idx) == 2


def test_an_earlier_publication_crawled_later_becomes_the_original():
    idx = index()
    idx.match_or_add(entry("copy", ["الرباط - وكالات:", *AGENCY_STORY], published=1_700_050_000))
    verdict = idx.match_or_add(entry("original", AGENCY_STORY, published=1_700_000_000))
    assert verdict.duplicate_of is None and verdict.reroot == ("copy", "original")
    assert idx.verdict("copy").duplicate_of == "original" and idx.verdict("copy").cluster_id == "original"
    third = idx.match_or_add(entry("third", AGENCY_STORY[:3], published=1_700_090_000))
    assert third.cluster_id == "original"


def test_an_article_matching_two_clusters_joins_the_one_with_more_verified_matches():
    shared = AGENCY_STORY[0] + " " + AGENCY_STORY[1]
    idx = index()
    idx.match_or_add(entry("E", [shared, *OTHER_STORY[:2]]))
    idx.match_or_add(entry("F", [shared, AGENCY_STORY[3], AGENCY_STORY[4]]))
    assert idx.match_or_add(entry("F2", [shared, AGENCY_STORY[3]])).duplicate_of == "F"
    verdict = idx.match_or_add(entry("N", [shared]))  # inside E, F and F2
    assert verdict.cluster_id == "F" and verdict.duplicate_of == "F"


def test_an_index_written_under_other_settings_says_so_until_it_is_rebuilt():
    conn = SqliteStore(":memory:")
    first = index(conn)
    first.match_or_add(entry("paper-a", AGENCY_STORY))
    assert first.stale_format is None and index(conn).stale_format is None
    other = index(conn, bands=10, rows=10)  # DEDUP_BANDS / DEDUP_ROWS changed: old band keys never meet new ones
    assert other.stale_format == first.format != other.format
    other.clear()  # a rebuild starts
    assert "incomplete" in index(conn, bands=10, rows=10).stale_format  # ... and is stopped half-way
    other.mark_complete()  # ... or finishes
    assert other.stale_format is None and index(conn, bands=10, rows=10).stale_format is None


def test_an_index_from_before_formats_were_recorded_is_reported():
    conn = SqliteStore(":memory:")
    index(conn).match_or_add(entry("paper-a", AGENCY_STORY))
    conn.connection.execute("DELETE FROM dedup_format")  # as a database from before formats were recorded
    assert "unrecorded" in index(conn).stale_format
