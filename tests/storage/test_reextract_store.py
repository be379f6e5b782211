"""What `reextract` asks of a store (crawler.store.Store.article_ids, update_article), on every backend."""
import pytest
from conftest import AGENCY_STORY, OTHER_STORY

from crawler.record import Article, Removed
from crawler.store import ExportFilter, open_store
from crawler.urls import url_key


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    s = open_store(str(tmp_path / "news.db") if request.param == "sqlite" else request.getfixturevalue("postgres_url"))
    yield s
    s.close()


def stored(store, url="https://wadi.example/a", **kw) -> Article:
    article = Article(url=url + "?utm_source=rss", canonical_url=url, source="wadi-news", title="عنوان قديم",
                      paragraphs=AGENCY_STORY, language="ar", published="2024-05-01", date_source="feed",
                      removed=[Removed(AGENCY_STORY[0][:50], "fragment", AGENCY_STORY[0])],
                      fetched_at="2024-05-01T08:00:00+00:00", aliases=[url_key(url + "?utm_source=rss")], **kw)
    assert store.save(article, run_id=None)
    return article


def test_article_ids_name_the_stored_article_behind_every_url_it_was_reached_at(store):
    a = stored(store)
    keys = [url_key("https://wadi.example/a"), url_key("https://wadi.example/a?utm_source=rss"),
            url_key("https://wadi.example/unknown")]
    assert store.article_ids(keys) == {keys[0]: a.id, keys[1]: a.id}


def test_update_article_replaces_the_extraction_and_keeps_identity_provenance_and_marks(store):
    a = stored(store, duplicate_of="zz", cluster_id="zz")
    new = Article(url=a.url, canonical_url=a.canonical_url, source="other", title="عنوان جديد",
                  paragraphs=OTHER_STORY, language="ar", published="2024-04-30T09:00:00+03:00", date_source="markup",
                  removed=[Removed("سطر مكرر", "boilerplate")], fetched_at="2030-01-01T00:00:00+00:00",
                  text_hash="h2", aliases=[url_key("https://m.wadi.example/a")])
    assert store.update_article(new)
    back = store.get(a.id)
    assert (back.title, back.paragraphs, back.published, back.date_source) == (
        "عنوان جديد", OTHER_STORY, "2024-04-30T09:00:00+03:00", "markup")
    assert back.removed == [Removed("سطر مكرر", "boilerplate")] and back.text_hash == "h2"
    assert (back.source, back.fetched_at, back.duplicate_of, back.cluster_id) == (
        "wadi-news", "2024-05-01T08:00:00+00:00", "zz", "zz")
    assert store.known_urls([url_key("https://m.wadi.example/a")])
    # the publication instant follows the new date: date selections see it
    assert [x.id for x in store.iter_articles(ExportFilter(until="2024-04-30", include_duplicates=True))] == [a.id]


def test_update_article_of_an_id_not_stored_changes_nothing(store):
    stored(store)
    ghost = Article(url="https://wadi.example/ghost", canonical_url="https://wadi.example/ghost", paragraphs=["x"])
    assert store.update_article(ghost) is False
    assert store.count(ExportFilter(include_duplicates=True)) == 1
