"""Store.report_data: the report's aggregates, on a small store whose every number is known, on every backend."""
import json

import psycopg

import pytest
from conftest import AGENCY_STORY, OTHER_STORY

from crawler.date_policy import bound_instant
from crawler.record import Article, Removed
from crawler.store import ReportSelection
from crawler.store import open_store


def article(n: int, source: str, fetched: str, *, published: str | None = "2024-05-01T08:00:00+03:00",
            duplicate_of: str | None = None, cluster: str | None = None, removed=(), title: str = "عنوان") -> Article:
    url = f"https://{source}.example/{n}"
    a = Article(url=url, canonical_url=url, source=source, title=title, published=published, language="ar",
                paragraphs=list(AGENCY_STORY if n % 2 else OTHER_STORY), removed=list(removed),
                duplicate_of=duplicate_of, fetched_at=fetched)
    a.cluster_id = cluster or a.id
    return a


def set_run_times(store, url: str, rows: list[tuple]) -> None:
    """Runs as if started on given days: no protocol method writes started_at, so straight in the table."""
    if url.startswith("postgresql"):
        with psycopg.connect(url) as conn:
            conn.cursor().executemany(
                "UPDATE runs SET started_at = %s, finished_at = CASE WHEN finished_at IS NULL THEN NULL ELSE %s END "
                "WHERE id = %s", rows)
    else:
        store.connection.executemany("UPDATE runs SET started_at = ?, finished_at = CASE WHEN finished_at IS NULL "
                                     "THEN NULL ELSE ? END WHERE id = ?", rows)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    url = str(tmp_path / "news.db") if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    s = open_store(url)
    wadi = [
        article(1, "wadi-news", "2024-05-01T06:00:00+00:00", title="البنك المركزي يرفع الفائدة",
                removed=[Removed("اقرأ أيضا", "boilerplate"), Removed("تابعونا على تويتر", "boilerplate"),
                         Removed("عمان - الجمعة 24 نيسان 2020", "metadata")]),
        article(2, "wadi-news", "2024-05-01T23:59:59+00:00", published=None,
                removed=[Removed("اقرأ أيضا", "boilerplate"), Removed(AGENCY_STORY[0][:50], "fragment", AGENCY_STORY[0])]),
        article(3, "wadi-news", "2024-05-03T10:00:00+00:00", removed=[Removed("تابعونا على تويتر", "boilerplate"),
                                                                     Removed("اقرأ أيضا", "boilerplate")]),
    ]
    root = wadi[0].id
    others = [
        article(4, "sahel-post", "2024-05-01T09:00:00+00:00", duplicate_of=root, cluster=root,
                removed=[Removed("إعلان", "boilerplate"), Removed("عنوان", "title")]),
        article(5, "sahel-post", "2024-05-02T09:00:00+00:00", published=None),
        article(6, "khaleej-daily", "2024-05-02T12:00:00+00:00", duplicate_of=root, cluster=root,
                removed=[Removed("مكرر", "repeat", "أصل"), Removed("سطر غريب", "unusual_reason")]),
        article(7, "khaleej-daily", "2024-05-03T12:00:00+00:00"),
    ]
    # a second cluster: khaleej-daily #7 copied by wadi-news #8 (a source copies another and is copied)
    copy = article(8, "wadi-news", "2024-05-03T13:00:00+00:00", duplicate_of=others[-1].id, cluster=others[-1].id)
    for a in [*wadi, *others, copy]:
        assert s.save(a)
    first = s.start_run("python -m crawler crawl")
    s.finish_run(first, "completed", {"store/articles": 6, "errors/http_404": 2, "extract/failed/no_body": 1,
                                      "feeds/requested": 3}, {"wadi-news": {"feeds_fetched": 1, "errors": {}}})
    second = s.start_run("python -m crawler crawl --quiet")
    s.finish_run(second, "failed", {"feeds/requested": 3}, {"wadi-news": {"errors": {"dns_error": 1}}})
    s.start_run("python -m crawler crawl")  # still running (or killed): no finish, no stats
    set_run_times(s, url, [("2024-05-01T06:00:00+00:00", "2024-05-01T06:05:30+00:00", first),
                              ("2024-05-02T06:00:00+00:00", "2024-05-02T06:00:09+00:00", second),
                              ("2024-05-03T06:00:00+00:00", None, second + 1)])
    s.ids = {n: a.id for n, a in enumerate([*wadi, *others, copy], 1)}
    yield s
    s.close()


def test_articles_per_day_and_source_count_by_the_utc_day_of_fetching(store):
    assert store.report_data()["days"] == [
        {"day": "2024-05-01", "source": "sahel-post", "articles": 1},
        {"day": "2024-05-01", "source": "wadi-news", "articles": 2},
        {"day": "2024-05-02", "source": "khaleej-daily", "articles": 1},
        {"day": "2024-05-02", "source": "sahel-post", "articles": 1},
        {"day": "2024-05-03", "source": "khaleej-daily", "articles": 1},
        {"day": "2024-05-03", "source": "wadi-news", "articles": 2},
    ]


def test_per_source_counts_undated_articles_and_copies(store):
    assert store.report_data()["per_source"] == [
        {"source": "khaleej-daily", "articles": 2, "undated": 0, "duplicates": 1, "last_fetched": "2024-05-03T12:00:00+00:00"},
        {"source": "sahel-post", "articles": 2, "undated": 1, "duplicates": 1, "last_fetched": "2024-05-02T09:00:00+00:00"},
        {"source": "wadi-news", "articles": 4, "undated": 1, "duplicates": 1, "last_fetched": "2024-05-03T13:00:00+00:00"},
    ]


def test_copies_are_counted_by_the_outlet_they_copy(store):
    assert store.report_data()["copied_from"] == [
        {"source": "khaleej-daily", "original_source": "wadi-news", "duplicates": 1},
        {"source": "sahel-post", "original_source": "wadi-news", "duplicates": 1},
        {"source": "wadi-news", "original_source": "khaleej-daily", "duplicates": 1},
    ]


def test_removed_paragraphs_per_day_list_every_reason_found_in_the_store(store):
    assert store.report_data()["removed_by_day"] == [
        {"day": "2024-05-01", "reason": "boilerplate", "paragraphs": 4},
        {"day": "2024-05-01", "reason": "fragment", "paragraphs": 1},
        {"day": "2024-05-01", "reason": "metadata", "paragraphs": 1},
        {"day": "2024-05-01", "reason": "title", "paragraphs": 1},
        {"day": "2024-05-02", "reason": "repeat", "paragraphs": 1},
        {"day": "2024-05-02", "reason": "unusual_reason", "paragraphs": 1},
        {"day": "2024-05-03", "reason": "boilerplate", "paragraphs": 2},
    ]


def test_the_most_removed_boilerplate_lines_per_source_ties_by_text(store):
    assert store.report_data()["boilerplate_lines"] == [
        {"source": "sahel-post", "text": "إعلان", "paragraphs": 1},
        {"source": "wadi-news", "text": "اقرأ أيضا", "paragraphs": 3},
        {"source": "wadi-news", "text": "تابعونا على تويتر", "paragraphs": 2},
    ]
    top = store.report_data(ReportSelection(boilerplate_lines=1))["boilerplate_lines"]
    assert [(r["source"], r["text"]) for r in top] == [("sahel-post", "إعلان"), ("wadi-news", "اقرأ أيضا")]


def test_the_largest_clusters_with_their_original(store):
    clusters = store.report_data()["clusters"]
    assert clusters[0] == {"cluster_id": store.ids[1], "title": "البنك المركزي يرفع الفائدة", "source": "wadi-news",
                           "articles": 3, "duplicates": 2, "sources": 3, "first_seen": "2024-05-01T06:00:00+00:00",
                           "last_seen": "2024-05-02T12:00:00+00:00"}
    assert [(c["cluster_id"], c["articles"], c["source"]) for c in clusters[1:]] == [(store.ids[7], 2, "khaleej-daily")]
    assert [c["cluster_id"] for c in store.report_data(ReportSelection(clusters=1))["clusters"]] == [store.ids[1]]


def test_runs_oldest_first_with_new_articles_and_failed_items_as_stats_counts_them(store):
    runs = store.report_data()["runs"]
    assert [(r["outcome"], r["new_articles"], r["failed_items"], r["finished_at"]) for r in runs] == [
        ("completed", 6, 3, "2024-05-01T06:05:30+00:00"), ("failed", 0, 0, "2024-05-02T06:00:09+00:00"),
        ("running", 0, 0, None)]
    assert runs[0]["command"] == "python -m crawler crawl"
    recent = {r["id"]: (r["new_articles"], r["failed_items"]) for r in store.summary(5)["recent_runs"]}
    assert {r["id"]: (r["new_articles"], r["failed_items"]) for r in runs} == recent


def test_a_period_selects_articles_by_fetching_and_runs_by_start(store):
    day2 = ReportSelection(fetched_from=bound_instant("2024-05-02"), fetched_before=bound_instant("2024-05-02", end=True))
    data = store.report_data(day2)
    assert {r["day"] for r in data["days"]} == {"2024-05-02"}
    assert sum(r["articles"] for r in data["per_source"]) == 2
    assert [r["outcome"] for r in data["runs"]] == ["failed"]
    # the cluster's original was fetched the day before: its copy still counts, under the original's title
    assert [(c["articles"], c["duplicates"], c["title"]) for c in data["clusters"]] == [(1, 1, "البنك المركزي يرفع الفائدة")]
    # the last second of a day is in it, the first of the next is not
    edge = ReportSelection(fetched_from=bound_instant("2024-05-01T23:59:59Z"), fetched_before=bound_instant("2024-05-02T00:00:00Z"))
    assert [r["articles"] for r in store.report_data(edge)["per_source"]] == [1]


def test_sources_select_articles_but_not_runs(store):
    data = store.report_data(ReportSelection(sources=("sahel-post",)))
    assert [r["source"] for r in data["per_source"]] == ["sahel-post"]
    assert {r["reason"] for r in data["removed_by_day"]} == {"boilerplate", "title"}
    assert len(data["runs"]) == 3


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_an_empty_store_gives_empty_lists(request, tmp_path, backend):
    s = open_store(str(tmp_path / "empty.db") if backend == "sqlite" else request.getfixturevalue("postgres_url"))
    try:
        assert s.report_data() == {key: [] for key in ("days", "per_source", "copied_from", "removed_by_day",
                                                       "boilerplate_lines", "clusters", "runs")}
    finally:
        s.close()


def test_the_answer_is_plain_json(store):
    data = store.report_data()
    assert json.loads(json.dumps(data)) == data
