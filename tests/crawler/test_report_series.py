"""crawler.report.series: the aggregates shaped for charts and tables (pure functions)."""
from crawler.report.series import (OTHER, day_range, keep_largest, period_days, runs, runs_by_day, share,
                                   source_rows, stacks)

EMPTY = {"days": [], "per_source": [], "copied_from": [], "removed_by_day": [], "boilerplate_lines": [],
         "clusters": [], "runs": []}


def run(n, started, finished, outcome="completed", new=0, failed=0):
    return {"id": n, "command": "crawl", "started_at": started, "finished_at": finished, "outcome": outcome,
            "new_articles": new, "failed_items": failed}


def test_a_day_with_nothing_is_still_a_day_of_the_chart():
    days = day_range("2024-02-27", "2024-03-02")
    assert days == ["2024-02-27", "2024-02-28", "2024-02-29", "2024-03-01", "2024-03-02"]
    rows = [{"day": "2024-02-27", "source": "b", "articles": 2}, {"day": "2024-03-02", "source": "a", "articles": 5},
            {"day": "2024-03-02", "source": "b", "articles": 1}, {"day": "2023-01-01", "source": "c", "articles": 9}]
    assert stacks(rows, days, "source", "articles") == {"a": [0, 0, 0, 0, 5], "b": [2, 0, 0, 0, 1]}


def test_the_period_is_the_bounds_given_or_the_days_with_anything():
    data = {**EMPTY, "days": [{"day": "2024-05-03", "source": "a", "articles": 1}],
            "runs": [run(1, "2024-05-01T06:00:00+00:00", None)]}
    assert period_days(data) == ["2024-05-01", "2024-05-02", "2024-05-03"]
    assert period_days(data, since="2024-05-02", until="2024-05-04T12:00:00+00:00") == [
        "2024-05-02", "2024-05-03", "2024-05-04"]
    # bounds are instants: their UTC days count, and a day alone as --until is the whole day
    assert period_days(data, since="2024-05-02T01:00:00+03:00", until="2024-05-03") == [
        "2024-05-01", "2024-05-02", "2024-05-03"]
    assert period_days(EMPTY) == []


def test_the_largest_series_are_kept_and_the_rest_summed():
    series = {"a": [5, 5], "b": [3, 1], "c": [1, 0], "d": [0, 1]}
    assert keep_largest(series, 2) == {"a": [5, 5], "b": [3, 1], OTHER: [1, 1]}
    assert keep_largest(series, 3) == series  # one left over stays itself: "other sources" of one says less


def test_run_durations_and_days_of_runs():
    points = runs([run(1, "2024-05-01T06:00:00+00:00", "2024-05-01T06:05:30+00:00", new=4, failed=1),
                   run(2, "2024-05-01T07:00:00+00:00", "2024-05-01T07:00:10+00:00", new=2),
                   run(3, "2024-05-01T08:00:00+00:00", "2024-05-01T08:01:00+00:00", "failed", failed=5),
                   run(4, "2024-05-02T06:00:00+00:00", None, "running")])
    assert [p.seconds for p in points] == [330, 10, 60, None]
    first, second = runs_by_day(points)
    assert (first.day, first.runs, first.median_seconds, first.max_seconds, first.new_articles, first.failed_items) == (
        "2024-05-01", 3, 60, 330, 6, 6)
    assert (second.runs, second.median_seconds, second.max_seconds) == (1, None, None)


def test_a_source_that_delivered_nothing_but_keeps_failing_is_listed():
    data = {**EMPTY, "per_source": [{"source": "a", "articles": 10, "undated": 1, "duplicates": 4,
                                     "last_fetched": "2024-05-03T10:00:00+00:00"}],
            "copied_from": [{"source": "a", "original_source": "b", "duplicates": 1},
                            {"source": "a", "original_source": "c", "duplicates": 3}]}
    health = [{"source": "a", "last_success": "2024-05-03T06:00:00+00:00", "error_streak": 0, "last_errors": None},
              {"source": "broken", "last_success": None, "error_streak": 7, "last_errors": {"dns_error": 1}}]
    rows = source_rows(data, health, {"a": "أخبار الوادي"})
    assert [(r["source"], r["title"], r["articles"], r["error_streak"]) for r in rows] == [
        ("a", "أخبار الوادي", 10, 0), ("broken", None, 0, 7)]
    assert rows[0]["copied_from"] == [("c", 3), ("b", 1)]
    assert rows[1]["last_errors"] == {"dns_error": 1} and rows[1]["has_runs"]
    # chosen sources: the others' health is not listed
    assert [r["source"] for r in source_rows(data, health, {}, ("a",))] == ["a"]


def test_a_share_is_the_count_and_its_percentage():
    assert share(3, 40) == "3 (7.5%)"
    assert share(0, 0) == "0"
