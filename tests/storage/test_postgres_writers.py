"""Several crawl processes writing one PostgreSQL database at the same moment: copies of one story met at
once end as one original and the others duplicate_of it, and re-rooting stays right (real processes, a
barrier, the session's real server)."""
from __future__ import annotations

import multiprocessing
import queue

import pytest
from conftest import AGENCY_STORY, OTHER_STORY

from crawler.store import ExportFilter, open_store
from crawler.article_index import ArticleIndex
from store_writers import store_story, write_at_once

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


def test_rerooting_under_concurrency_ends_as_one_process_deciding_in_the_same_order(postgres_url, tmp_path):
    open_store(postgres_url).close()
    versions = {"late": 1_714_600_000.0, "early": 1_714_500_000.0, "middle": 1_714_550_000.0}
    # three writers, each storing its version of the story in three rounds, all three at once each round:
    # earlier publications met after later ones re-root the cluster while the others decide
    plans = [[(f"https://{name}.example/{round_}", [f"{name} {round_} - وكالات:", *AGENCY_STORY[round_ % 2:]],
               published + round_) for round_ in range(3)] for name, published in versions.items()]
    run_writers(postgres_url, plans)
    marks = stored(postgres_url)
    roots = [url for url, (dup, _) in marks.items() if dup is None]
    assert len(roots) == 1, marks
    assert {cluster for _, cluster in marks.values()} == {article_id_of(roots[0])}  # marks followed every re-root
    store = open_store(postgres_url, readonly=True)
    try:
        index = ArticleIndex(store.postings())
        assert all((index.verdict(article_id_of(url)).duplicate_of, index.verdict(article_id_of(url)).cluster_id)
                   == mark for url, mark in marks.items())  # the index and the stored rows agree
        order = [row[0] for row in store.dump("index", limit=100)]
        decided = [record["article_id"] for _, record in store.dump("index", limit=100)]
    finally:
        store.close()
    assert order == sorted(order)
    # one process meeting the nine copies in the order the lock let the three writers decide them
    by_id = {article_id_of(url): (url, paragraphs, published) for plan in plans for url, paragraphs, published in plan}
    replay = open_store(str(tmp_path / "replay.db"))
    try:
        index = ArticleIndex(replay.postings(), text_of=replay.text_of)
        for article_id in decided:
            url, paragraphs, published = by_id[article_id]
            replay.writes().call(store_story(url, paragraphs, published, 19844), replay, index)
        assert {a.url: (a.duplicate_of, a.cluster_id)
                for a in replay.iter_articles(ExportFilter(include_duplicates=True))} == marks
    finally:
        replay.close()


def article_id_of(url: str) -> str:
    from crawler.record import article_id
    from crawler.urls import url_key

    return article_id(url_key(url))
