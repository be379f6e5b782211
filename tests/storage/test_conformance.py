"""One suite for every backend of crawler.store: each test runs on SQLite (a file) and on PostgreSQL (a fresh
database on the session's real server, tests/servers.py). What only one backend does (SQLite's WAL and
read-only directories, PostgreSQL's concurrency) is tested beside it, in test_sqlite*.py and test_postgres*.py."""
from __future__ import annotations

import pytest
from conftest import AGENCY_STORY, OTHER_STORY

from crawler.article_index import ArticleIndex, IndexEntry
from crawler.boilerplate import BoilerplateRule, SourceBoilerplate
from crawler.record import Article, Removed
from crawler.signatures import fingerprint
from crawler.store import RECORD_KINDS, TALLIES, ExportFilter, NoSuchStore, open_store


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "news.db")
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def other_url(request, tmp_path, store_url) -> str:
    """A second, empty store of the other backend: what migrations copy between."""
    if store_url.startswith("postgresql"):
        return str(tmp_path / "other.db")
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def store(store_url):
    s = open_store(store_url)
    yield s
    s.close()


def article(url: str, paragraphs: list[str], **kw) -> Article:
    return Article(url=url, canonical_url=url, source=kw.pop("source", "wadi-news"), title=kw.pop("title", "عنوان"),
                   paragraphs=list(paragraphs), language="ar", **kw)


def entry(article_id: str, paragraphs: list[str], day: int = 19000, published: float | None = None) -> IndexEntry:
    return IndexEntry(article_id, fingerprint(paragraphs), day, published)


# ------------------------------------------------------------------------------------------------ articles

def test_an_article_round_trips_with_its_arabic_text_and_removed_paragraphs(store):
    a = article("https://example.com/a", AGENCY_STORY, published="2023-09-19T10:30:00+03:00", author="أحمد علي",
                date_source="markup", removed=[Removed(AGENCY_STORY[0][:60], "fragment", AGENCY_STORY[0])],
                signature=b"\x01\x02\x00\xff", shingle_count=42, text_hash="abc")
    assert store.save(a)
    back = store.get(a.id)
    assert back.paragraphs == AGENCY_STORY and back.author == "أحمد علي" and back.date_source == "markup"
    assert back.removed == a.removed and back.published == "2023-09-19T10:30:00+03:00"
    assert back.signature == b"\x01\x02\x00\xff" and back.shingle_count == 42 and back.text_hash == "abc"
    assert store.text_of(a.id) == "\n".join(AGENCY_STORY) and store.get("nope") is None and store.text_of("x") is None


def test_the_same_canonical_url_is_stored_once_and_other_urls_it_was_reached_at_are_known(store):
    a = article("https://example.com/a", AGENCY_STORY, aliases=["https://example.com/a?id=1"])
    assert store.save(a) is True
    assert store.save(article("https://example.com/a", OTHER_STORY, aliases=["https://m.example.com/a"])) is False
    assert store.count() == 1 and store.get(a.id).paragraphs == AGENCY_STORY
    assert store.known_urls(["https://example.com/a", "https://example.com/a?id=1", "https://m.example.com/a",
                             "https://example.com/b"]) == {
        "https://example.com/a", "https://example.com/a?id=1", "https://m.example.com/a"}
    assert store.known_urls([]) == set()


def test_duplicates_are_kept_but_left_out_unless_asked_for(store):
    store.save(article("https://a.example/1", AGENCY_STORY))
    store.save(article("https://b.example/1", AGENCY_STORY, source="sahel-post", duplicate_of="x", cluster_id="x"))
    assert [a.url for a in store.iter_articles()] == ["https://a.example/1"]
    assert len(list(store.iter_articles(ExportFilter(include_duplicates=True)))) == 2
    assert store.count(ExportFilter(include_duplicates=True)) == 2 and store.count() == 1


def test_filters_select_by_date_source_language_and_length(store):
    store.save(article("https://a.example/1", AGENCY_STORY, published="2024-01-05T08:00:00"))
    store.save(article("https://a.example/2", OTHER_STORY[:1], published="2024-02-10T08:00:00", source="sahel-post"))
    store.save(article("https://a.example/3", OTHER_STORY, published=None))
    urls = lambda f: [a.url for a in store.iter_articles(f)]
    assert urls(ExportFilter(since="2024-02-01")) == ["https://a.example/2"]
    assert urls(ExportFilter(until="2024-01-05")) == ["https://a.example/1"]
    assert urls(ExportFilter(sources=("sahel-post",))) == ["https://a.example/2"]
    assert urls(ExportFilter(min_words=40)) == ["https://a.example/1", "https://a.example/3"]
    assert urls(ExportFilter(language="en")) == []
    assert store.count(ExportFilter(sources=("sahel-post", "wadi-news"), min_words=40)) == 2


def test_since_and_until_compare_instants_whatever_the_offset(store):
    for name, published in [("a", "2024-05-02T01:30:00+03:00"), ("b", "2024-05-01T23:00:00+00:00"),
                            ("c", "2024-05-01"), ("d", None)]:
        store.save(article(f"https://news.example/{name}", [f"نص الخبر {name}"], published=published))
    names = lambda **f: [a.url.rsplit("/", 1)[1] for a in store.iter_articles(ExportFilter(**f))]
    assert names(until="2024-05-01T22:45:00Z") == ["a", "c"]
    assert names(since="2024-05-01T22:45:00+00:00") == ["b"]
    assert names(until="2024-05-01") == ["a", "b", "c"]


def test_iteration_streams_in_storage_order_across_pages(store):
    writes = store.writes(max_items=500)
    for i in range(1203):
        writes.call(store.save, article(f"https://a.example/{i}", [f"الفقرة رقم {i}"]))
    writes.flush()
    assert [a.url for a in store.iter_articles()] == [f"https://a.example/{i}" for i in range(1203)]


def test_boilerplate_is_taken_out_of_stored_articles_but_never_their_last_paragraph(store):
    line = "تابعونا على تويتر"
    store.save(article("https://a.example/1", [AGENCY_STORY[0], line]))
    store.save(article("https://a.example/2", [line]))
    store.save(article("https://a.example/3", [OTHER_STORY[0], line], source="sahel-post"))
    assert store.remove_paragraphs("wadi-news", lambda p: p == line, "boilerplate") == 1
    first = store.get(article("https://a.example/1", []).id)
    assert first.paragraphs == [AGENCY_STORY[0]] and first.removed == [Removed(line, "boilerplate")]
    assert store.get(article("https://a.example/2", []).id).paragraphs == [line]
    assert store.get(article("https://a.example/3", []).id).paragraphs == [OTHER_STORY[0], line]
    assert store.summary()["paragraphs_removed"] == {"boilerplate": 1}


def test_rerooting_and_marking_move_the_stored_marks(store):
    old, new, member = (article(f"https://a.example/{n}", AGENCY_STORY) for n in ("old", "new", "member"))
    store.save(old)
    store.save(member)
    store.mark_duplicate(member.id, old.id, old.id)
    store.mark_duplicate(old.id, None, old.id)
    store.save(new)
    store.reroot(old.id, new.id)
    assert (store.get(old.id).duplicate_of, store.get(old.id).cluster_id) == (new.id, new.id)
    assert (store.get(member.id).duplicate_of, store.get(member.id).cluster_id) == (old.id, new.id)


# ------------------------------------------------------------------------------------------------ writes

def test_a_write_that_fails_is_undone_alone(store):
    writes = store.writes(max_items=50)
    writes.call(store.save, article("https://example.com/1", AGENCY_STORY))

    def half_then_fail():
        store.save(article("https://example.com/2", OTHER_STORY))
        raise ValueError("bad item")

    with pytest.raises(ValueError):
        writes.call(half_then_fail)
    writes.call(store.save, article("https://example.com/3", OTHER_STORY[:2]))
    writes.flush()
    reader = store.reader()  # another connection: what an export or `stats` sees
    try:
        assert reader.known_urls(["https://example.com/1", "https://example.com/2", "https://example.com/3"]) == {
            "https://example.com/1", "https://example.com/3"}
        assert reader.count() == 2
    finally:
        reader.close()


def test_the_index_and_the_article_of_one_item_commit_together(store):
    index = ArticleIndex(store.postings(), text_of=store.text_of)
    writes = store.writes(max_items=50)
    original, copy = article("https://a.example/1", AGENCY_STORY), article("https://b.example/9", AGENCY_STORY)

    def save(a: Article) -> None:
        verdict = index.match_or_add(entry(a.id, a.paragraphs))
        a.duplicate_of, a.cluster_id = verdict.duplicate_of, verdict.cluster_id
        store.save(a)

    def save_then_fail(a: Article) -> None:
        save(a)
        raise RuntimeError("the disk is full")

    writes.call(save, original)
    with pytest.raises(RuntimeError):
        writes.call(save_then_fail, copy)
    writes.flush()
    assert index.verdict(copy.id) is None and store.get(copy.id) is None  # neither the entry nor the row
    writes.call(save, copy)
    writes.flush()
    reader = store.reader()
    try:
        assert reader.get(copy.id).duplicate_of == original.id and len(index) == 2
    finally:
        reader.close()


# ------------------------------------------------------------------------------------------------ feeds, runs, meta

def test_feed_state_is_remembered(store):
    assert store.feed_state("https://x.example/rss") == (None, None)
    store.set_feed_state("https://x.example/rss", '"abc"', "Tue, 19 Sep 2023 10:00:00 GMT")
    assert store.feed_state("https://x.example/rss") == ('"abc"', "Tue, 19 Sep 2023 10:00:00 GMT")


def test_validators_fetched_before_an_article_of_the_feed_failed_are_refused(store):
    feed = "https://x.example/rss"
    store.set_feed_state(feed, '"v1"', None)
    seen = store.feed_failures(feed)  # when this process fetched the feed
    store.feed_failed(feed)  # another process: one of its articles timed out
    assert store.feed_state(feed) == (None, None)  # the next run reads it in full
    assert store.save_feed_state(feed, '"v2"', None, seen) is False and store.feed_state(feed) == (None, None)
    now = store.feed_failures(feed)
    assert now == seen + 1 and store.save_feed_state(feed, '"v3"', "x", now) is True
    assert store.feed_state(feed) == ('"v3"', "x")
    assert store.save_feed_state("https://new.example/rss", '"n"', None, store.feed_failures("https://new.example/rss"))
    assert store.feed_state("https://new.example/rss") == ('"n"', None)


def test_runs_are_recorded_and_summarised(store):
    first = store.start_run("python -m crawler crawl")
    store.save(article("https://a.example/1", AGENCY_STORY, published="2024-05-02T09:00:00+03:00",
                       removed=[Removed("x", "repeat")]), first)
    store.save(article("https://b.example/1", AGENCY_STORY, source="sahel-post", duplicate_of="x"), first)
    store.finish_run(first, "completed", {"store/articles": 2, "errors/http_404": 1, "source/wadi-news/feeds_fetched": 1},
                     {"wadi-news": {"feeds_fetched": 1, "new_articles": 1, "errors": {}},
                      "sahel-post": {"feeds_fetched": 0, "errors": {"timeout": 2}}})
    second = store.start_run("python -m crawler crawl")
    assert second > first
    summary = store.summary()
    assert summary["articles"] == 2 and summary["duplicate_articles"] == 1
    assert summary["per_source"] == [
        {"source": "sahel-post", "articles": 1, "duplicates": 1, "last_published": None},
        {"source": "wadi-news", "articles": 1, "duplicates": 0, "last_published": "2024-05-02T09:00:00+03:00"}]
    assert summary["paragraphs_removed"] == {"repeat": 1}
    assert [(r["id"], r["outcome"], r["new_articles"], r["failed_items"]) for r in summary["recent_runs"]] == [
        (second, "running", 0, 0), (first, "completed", 2, 1)]
    health = {h["source"]: h for h in summary["source_health"]}
    assert health["sahel-post"]["error_streak"] == 1 and health["sahel-post"]["last_errors"] == {"timeout": 2}
    assert health["wadi-news"]["last_success"] is not None and health["wadi-news"]["error_streak"] == 0


def test_meta_values_are_kept(store):
    assert store.get_meta("dedup_settings") is None
    store.set_meta("dedup_settings", '{"DEDUP_BANDS": 20}')
    store.set_meta("dedup_settings", '{"DEDUP_BANDS": 10}')
    assert store.get_meta("dedup_settings") == '{"DEDUP_BANDS": 10}'


def test_a_read_only_store_opens_an_existing_database_and_refuses_a_missing_one(store_url, tmp_path):
    if store_url.startswith("postgresql"):
        missing = store_url  # an empty database: nothing a crawl wrote
    else:
        missing = str(tmp_path / "missing.db")
    with pytest.raises(NoSuchStore):
        open_store(missing, readonly=True)
    open_store(store_url).close()
    reader = open_store(store_url, readonly=True)
    try:
        assert reader.readonly and reader.count() == 0
    finally:
        reader.close()


# ------------------------------------------------------------------------------------------------ the index

def test_the_index_finds_agency_copies_trimmed_copies_and_keeps_the_window(store):
    idx = ArticleIndex(store.postings(), text_of=store.text_of, window_days=30)
    assert idx.match_or_add(entry("paper-a", AGENCY_STORY)).duplicate_of is None
    assert idx.match_or_add(entry("culture", OTHER_STORY)).duplicate_of is None
    copy = idx.match_or_add(entry("paper-b", ["الرياض - واس:", *AGENCY_STORY, "المصدر: وكالة الأنباء"]))
    assert copy.duplicate_of == "paper-a" and copy.containment >= 0.8
    assert idx.match_or_add(entry("trimmed", AGENCY_STORY[:2])).duplicate_of == "paper-a"  # by anchors
    assert idx.match_or_add(entry("a-year-later", AGENCY_STORY, day=19000 + 400)).duplicate_of is None
    assert idx.match_or_add(entry("paper-b", AGENCY_STORY)).duplicate_of == "paper-a"  # indexed before: same verdict
    assert len(idx) == 5 and idx.postings.has_entries()


def test_texts_of_earlier_processes_are_verified_from_the_store(store_url):
    first = open_store(store_url)
    stored = article("https://a.example/stored", AGENCY_STORY)
    ArticleIndex(first.postings(), text_of=first.text_of).match_or_add(entry(stored.id, AGENCY_STORY))
    first.save(stored)
    first.close()
    later = open_store(store_url)
    try:
        fresh = ArticleIndex(later.postings(), text_of=later.text_of)  # a new process: nothing cached
        assert fresh.match_or_add(entry("later", AGENCY_STORY[1:4])).duplicate_of == stored.id
    finally:
        later.close()


def test_an_earlier_publication_crawled_later_becomes_the_original(store):
    idx = ArticleIndex(store.postings(), text_of=store.text_of)
    idx.match_or_add(entry("copy", ["الرباط - وكالات:", *AGENCY_STORY], published=1_700_050_000))
    verdict = idx.match_or_add(entry("original", AGENCY_STORY, published=1_700_000_000))
    assert verdict.duplicate_of is None and verdict.reroot == ("copy", "original")
    assert idx.verdict("copy").duplicate_of == "original" and idx.verdict("copy").cluster_id == "original"
    assert idx.postings.published_of("original") == 1_700_000_000
    assert idx.match_or_add(entry("third", AGENCY_STORY[:3], published=1_700_090_000)).cluster_id == "original"


def test_the_index_format_is_recorded_and_a_rebuild_clears_it(store):
    first = ArticleIndex(store.postings(), text_of=store.text_of)
    first.match_or_add(entry("paper-a", AGENCY_STORY))
    other = ArticleIndex(store.postings(), bands=10, rows=10)
    assert other.stale_format == first.format
    other.clear()
    assert len(other) == 0 and "incomplete" in ArticleIndex(store.postings(), bands=10, rows=10).stale_format
    other.mark_complete()
    assert ArticleIndex(store.postings(), bands=10, rows=10).stale_format is None


def test_a_rebuild_marks_every_stored_copy_again(store):
    from crawler.article_index import rebuild_index
    from crawler.worker import sign

    for url, paragraphs in (("https://a.example/1", AGENCY_STORY), ("https://b.example/1", AGENCY_STORY[:4]),
                            ("https://c.example/1", OTHER_STORY)):
        store.save(sign(article(url, paragraphs, fetched_at="2024-05-01T10:00:00+00:00")))
    counts = rebuild_index(store, ArticleIndex(store.postings(), text_of=store.text_of))
    assert counts == {"articles": 3, "duplicates": 1, "changed": 3}  # stored unmarked: every mark is new
    assert store.get(article("https://b.example/1", []).id).duplicate_of == article("https://a.example/1", []).id


# ------------------------------------------------------------------------------------------------ boilerplate

RIGHTS = "© حقوق النشر محفوظة لصحيفة بريد الساحل، ولا يجوز إعادة نشر هذا المحتوى دون إذن مكتوب."
STORIES = [[p, RIGHTS] for p in AGENCY_STORY + OTHER_STORY]


def test_boilerplate_is_judged_per_source_on_enough_evidence(store):
    bp = SourceBoilerplate(store.boilerplate_counts(), BoilerplateRule(min_articles=5, min_count=3, min_share=0.3))
    verdicts = [bp.observe("sahel-post", story) for story in STORIES[:6]]
    assert all(removed == [] for _, removed, _ in verdicts[:4])
    kept, removed, newly = verdicts[4]
    assert kept == [STORIES[4][0]] and [r.reason for r in removed] == ["boilerplate"] and newly
    assert verdicts[5][1] and not verdicts[5][2]  # already judged
    assert bp.is_boilerplate("sahel-post", RIGHTS) and not bp.is_boilerplate("wadi-news", RIGHTS)
    assert bp.observe("wadi-news", [OTHER_STORY[0], RIGHTS])[1] == []
    assert bp.observe("sahel-post", [RIGHTS])[1] == []  # never an article's only paragraph
    bp.clear()
    assert not bp.is_boilerplate("sahel-post", RIGHTS)


# ------------------------------------------------------------------------------------------------ bulk copy

def test_dump_and_load_copy_every_kind_to_the_other_backend_and_repeat_safely(store, other_url):
    from crawler.worker import sign

    run = store.start_run("crawl")
    index = ArticleIndex(store.postings(), text_of=store.text_of)
    for url, paragraphs in (("https://a.example/1", AGENCY_STORY), ("https://b.example/1", AGENCY_STORY[:4]),
                            ("https://c.example/1", OTHER_STORY)):
        a = sign(article(url, paragraphs, removed=[Removed("مكرر", "repeat", paragraphs[0])],
                         aliases=[url + "?from=rss"], published="2024-05-01T10:00:00+03:00"))
        verdict = index.match_or_add(IndexEntry(a.id, a.fingerprint, 19844, None))
        a.duplicate_of, a.cluster_id = verdict.duplicate_of, verdict.cluster_id
        store.save(a, run)
    store.finish_run(run, "completed", {"store/articles": 3}, {"wadi-news": {"new_articles": 3, "errors": {"x": 1}}})
    store.set_feed_state("https://a.example/rss", '"e"', None)
    store.feed_failed("https://b.example/rss")
    SourceBoilerplate(store.boilerplate_counts()).observe("wadi-news", ["سطر", "آخر"])
    store.set_meta("dedup_settings", "{}")

    target = open_store(other_url)
    try:
        for attempt in range(2):  # a second copy (a resumed migration) adds nothing
            for kind in RECORD_KINDS:
                after, new = None, 0
                while chunk := store.dump(kind, after, limit=2):
                    new += target.load(kind, [record for _, record in chunk])
                    after = chunk[-1][0]
                assert attempt == 0 or new == 0, kind
        assert target.tallies() == store.tallies() and set(target.tallies()) == set(TALLIES)
        assert target.tallies()["index_bands"] > 0 and target.tallies()["article_urls"] == 6
        everything = ExportFilter(include_duplicates=True)
        assert [a.to_json() for a in target.iter_articles(everything)] == [
            a.to_json() for a in store.iter_articles(everything)]
        assert target.summary()["recent_runs"] == store.summary()["recent_runs"]
        assert target.feed_failures("https://b.example/rss") == 1 and target.get_meta("dedup_settings") == "{}"
        # the copied index goes on deciding, and numbers new entries after the copied ones
        copied = ArticleIndex(target.postings(), text_of=target.text_of)
        assert copied.match_or_add(entry("late", AGENCY_STORY[1:], day=19844)).cluster_id == \
            article("https://a.example/1", []).id
        assert target.start_run("crawl") > run
    finally:
        target.close()
