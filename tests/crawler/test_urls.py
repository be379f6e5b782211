"""URL identity: what makes two links one article, on the URL shapes real Arabic outlets use."""
import pytest

from crawler.record import Article
from crawler.urls import clean_url, url_key


@pytest.mark.parametrize("a, b", [
    # ASP.NET and Joomla: the article is the query
    ("http://x.example/Story.aspx?NewsID=991", "http://x.example/Story.aspx?NewsID=992"),
    ("http://x.example/Detail.aspx?ArticleID=12345", "http://x.example/Detail.aspx?ArticleID=12346"),
    ("http://x.example/index.php?option=com_content&view=article&id=7",
     "http://x.example/index.php?option=com_content&view=article&id=8"),
    ("http://x.example/news.php?id=7&cat=2", "http://x.example/news.php?id=7&cat=3"),
    ("https://x.example/ar/news/1", "http://x.example/ar/news/2"),
])
def test_pages_told_apart_by_their_query_or_path_keep_distinct_keys(a, b):
    assert url_key(a) != url_key(b)
    assert Article(url=a).id != Article(url=b).id


@pytest.mark.parametrize("a, b", [
    # the same Arabic slug, lower-case escapes from a feed, upper-case from a sitemap, raw from a page
    ("https://x.example/ar/%d9%88%d8%b2%d9%8a%d8%b1-%d8%a7%d9%84%d9%85%d8%a7%d9%84%d9%8a%d8%a9",
     "https://x.example/ar/%D9%88%D8%B2%D9%8A%D8%B1-%D8%A7%D9%84%D9%85%D8%A7%D9%84%D9%8A%D8%A9"),
    ("https://x.example/ar/وزير-المالية", "https://x.example/ar/%D9%88%D8%B2%D9%8A%D8%B1-%D8%A7%D9%84%D9%85%D8%A7%D9%84%D9%8A%D8%A9"),
    # an Arabic value in the query, raw or escaped
    ("https://x.example/search.aspx?tag=مصر&id=4", "https://x.example/search.aspx?tag=%D9%85%D8%B5%D8%B1&id=4"),
    # trackers, fragments, default ports, case of scheme and host
    ("https://x.example/a/1?utm_source=rss&utm_medium=feed", "https://x.example/a/1"),
    ("https://x.example/a/1?at_medium=RSS&at_campaign=x&xtor=RSS-1", "https://x.example/a/1"),
    ("https://x.example/a/1?fbclid=abc#comments", "https://x.example/a/1"),
    ("HTTPS://X.Example:443/a/1", "https://x.example/a/1"),
    ("http://x.example:80/a/1", "http://x.example/a/1"),
    # the order of query parameters, and an escaped unreserved character
    ("http://x.example/index.php?option=com_content&view=article&id=7",
     "http://x.example/index.php?id=7&view=article&option=com_content"),
    ("http://x.example/%7Ewriter/a", "http://x.example/~writer/a"),
    # a trailing slash
    ("https://x.example/ar/2024/05/story/", "https://x.example/ar/2024/05/story"),
])
def test_links_to_the_same_page_share_one_key(a, b):
    assert url_key(a) == url_key(b)


def test_the_url_requested_is_the_one_the_feed_gave_minus_trackers():
    given = "http://x.example/index.php?option=com_content&view=article&id=7&utm_source=rss#top"
    assert clean_url(given) == "http://x.example/index.php?option=com_content&view=article&id=7"
    # the site's own spelling stays: a server may care about the case of an escape or a trailing slash
    assert clean_url("https://x.example/ar/%d9%88/") == "https://x.example/ar/%d9%88/"
    assert clean_url("https://x.example/ar/و") == "https://x.example/ar/%D9%88"


def test_a_page_whose_canonical_link_drops_the_query_keeps_its_own_address():
    from crawler.extract import _canonical

    fetched = "http://x.example/Story.aspx?NewsID=991"
    assert _canonical("http://x.example/Story.aspx", fetched) == fetched
    assert _canonical("/", fetched) == fetched  # the home page
    # a real canonical link, relative or absolute, is trusted: AMP pages and trackers point to it
    assert _canonical("/ar/2024/05/story", "https://x.example/amp/ar/2024/05/story") == \
        "https://x.example/ar/2024/05/story"
    assert _canonical("http://x.example/Story.aspx?NewsID=991", fetched + "&print=1") == fetched
