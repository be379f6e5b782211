"""Several crawl processes writing one PostgreSQL database at the same moment: copies of one story met at
once end as one original and the others duplicate_of it, and re-rooting stays right (real processes, a
barrier, the session's real server)."""
from __future__ import annotations

import multiprocessing
import queue

import pytest
from conftest import AGENCY_STORY, OTHER_STORY

from crawler.store import ExportFilter, open_store
from store_writers import write_at_once

def run_writers(db: str, plans: list[list[tuple[str, list[str], float | None]]], hold: float = 0.0) -> dict:
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(len(plans)), ctx.Queue()
    processes = [ctx.Process(target=write_at_once, args=(db, barrier, plan, results, hold)) for plan in plans]
    for p in processes:
        p.start()
    verdicts = {}
    try:
        for _ in range(sum(len(plan) for plan in plans)):
            url, verdict = results.get(timeout=60)
            verdicts[url] = verdict
    except queue.Empty:
        pytest.fail("a writer did not finish")
    for p in processes:
        p.join(30)
        assert p.exitcode == 0
    return verdicts


def stored(db: str) -> dict[str, tuple[str | None, str | None]]:
    store = open_store(db, readonly=True)
    try:
        return {a.url: (a.duplicate_of, a.cluster_id) for a in store.iter_articles(ExportFilter(include_duplicates=True))}
    finally:
        store.close()


def test_two_writers_storing_two_copies_of_one_story_at_once_end_with_one_original(postgres_url):
    open_store(postgres_url).close()  # the schema, before the race
    stories = [AGENCY_STORY, OTHER_STORY]
    plans = [[(f"https://{outlet}.example/{n}", [*story, f"المصدر: {outlet}"], None) for n, story in enumerate(stories)]
             for outlet in ("wadi", "sahel")]
    # each writer holds its transaction 0.3 s after deciding: without the lock the other would decide
    # meanwhile, see no committed copy, and both would be originals
    run_writers(postgres_url, plans, hold=0.3)
    marks = stored(postgres_url)
    assert len(marks) == 4
    for n in range(2):
        pair = {outlet: marks[f"https://{outlet}.example/{n}"] for outlet in ("wadi", "sahel")}
        originals = [o for o, (dup, _) in pair.items() if dup is None]
        assert len(originals) == 1, pair
        copy = "sahel" if originals == ["wadi"] else "wadi"
        original_id = pair[copy][0]
        assert pair[copy][1] == original_id == pair[originals[0]][1]


def test_rerooting_under_concurrency_leaves_one_original_the_earliest_published(postgres_url):
    open_store(postgres_url).close()
    versions = {"late": 1_714_600_000.0, "early": 1_714_500_000.0, "middle": 1_714_550_000.0}
    # three writers, each storing its version of the story in three rounds, all three at once each round
    plans = [[(f"https://{name}.example/{round_}", [f"{name} {round_} - وكالات:", *AGENCY_STORY[round_ % 2:]],
               published + round_) for round_ in range(3)] for name, published in versions.items()]
    run_writers(postgres_url, plans)
    marks = stored(postgres_url)
    roots = [url for url, (dup, _) in marks.items() if dup is None]
    assert len(roots) == 1 and "early" in roots[0], marks  # the earliest published of all nine copies
    root_id = article_id_of(roots[0])
    assert {cluster for _, cluster in marks.values()} == {root_id}  # the stored marks followed every re-rooting
    assert all(dup is not None for url, (dup, _) in marks.items() if url != roots[0])


def article_id_of(url: str) -> str:
    from crawler.record import article_id
    from crawler.urls import url_key

    return article_id(url_key(url))
