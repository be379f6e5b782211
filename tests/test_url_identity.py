"""Article URLs keep their identity end to end: a loopback site written as ASP.NET, Joomla and Arabic-slug
outlets write theirs, crawled through the real CLI."""
import json
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from crawler.demo.server import NOT_FOUND, MockServer, Request, Response

ROOT = Path(__file__).resolve().parent.parent
FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "EXTRACT_WORKERS=1"]

MINISTRIES = ["الصحة", "التربية", "الزراعة", "النقل", "الطاقة", "المالية", "الثقافة", "السياحة", "العمل",
              "الإسكان", "البيئة", "الاتصالات", "العدل"]
TOPICS = ["عدد المستفيدين من البرنامج", "حجم الاستثمارات الجديدة", "إنتاج المحاصيل الشتوية", "عدد الرحلات اليومية",
          "استهلاك الكهرباء في المنازل", "إيرادات الضرائب المحلية", "عدد زوار المتاحف", "أعداد السياح القادمين",
          "فرص العمل في القطاع الخاص", "عدد الوحدات السكنية المنجزة", "مساحة المحميات الطبيعية",
          "عدد مشتركي الإنترنت", "القضايا المنظورة أمام المحاكم"]
# an Arabic slug, as the site writes it in its feed (lower-case escapes) and in its sitemap (upper-case)
SLUG = "وزير-المالية-يعلن-الموازنة"
SLUG_LOWER = "".join(f"%{b:02x}" if b > 127 else chr(b) for b in SLUG.encode())
SLUG_UPPER = "".join(f"%{b:02X}" if b > 127 else chr(b) for b in SLUG.encode())


def story(n: int) -> tuple[str, list[str]]:
    ministry, topic = MINISTRIES[n % len(MINISTRIES)], TOPICS[(n * 5) % len(TOPICS)]
    title = f"وزارة {ministry} تنشر تقريرها عن {topic}"
    return title, [
        f"قالت وزارة {ministry} في بيان صدر صباح اليوم إن {topic} ارتفع بنسبة {n + 7} في المئة خلال الربع "
        f"الماضي، مقارنة بالفترة نفسها من العام الذي سبقه.",
        f"وأوضح المتحدث باسم وزارة {ministry} أن الأرقام تشمل {n * 13 + 40} بلدية في المحافظات الشمالية والجنوبية، "
        f"وأن فرق الوزارة أجرت {n * 3 + 11} زيارة ميدانية للتحقق منها.",
        f"ويأتي التقرير رقم {n} قبل أسابيع من مناقشة البرلمان لخطة الوزارة للعام المقبل، والتي تتضمن "
        f"{n + 2} مشروعا جديدا.",
    ]


def page(n: int, canonical: str = "") -> bytes:
    title, paragraphs = story(n)
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{title}</title>{link}</head><body>'
            f'<div id="menu"><a href="/">الرئيسية</a> | <a href="/ar/">أخبار</a></div>'
            f"<div class=\"article\"><h1>{title}</h1>{body}</div></body></html>").encode("utf-8")


def answer(request: Request) -> Response:
    """The site: ASP.NET and Joomla scripts whose article is the query, an Arabic slug, a trailing slash."""
    base = request.server.base_url
    query = parse_qs(request.query)
    path = request.path
    if path == "/robots.txt":
        return Response(200, b"User-agent: *\nAllow: /\n", "text/plain")
    if path == "/rss.xml":
        links = [f"{base}/Story.aspx?NewsID={n}" for n in range(991, 1000)]
        links += [f"{base}/index.php?option=com_content&amp;view=article&amp;id={n}" for n in (7, 8)]
        links += [f"{base}/ar/{SLUG_LOWER}", f"{base}/ar/2024/05/budget-story",
                  f"http://localhost:{request.server.port}/local/1.html"]
        items = "".join(f"<item><title>خبر {i}</title><link>{u}</link></item>" for i, u in enumerate(links))
        return Response(200, f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                             f"<title>موقع</title>{items}</channel></rss>".encode(), "application/rss+xml")
    if path == "/sitemap.xml":
        locs = [f"{base}/ar/{SLUG_UPPER}", f"{base}/ar/2024/05/budget-story/",
                f"{base}/Story.aspx?NewsID=991&amp;utm_source=sitemap"]
        urls = "".join(f"<url><loc>{u}</loc></url>" for u in locs)
        return Response(200, ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns='
                              f'"http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>').encode(),
                        "application/xml")
    if path == "/Story.aspx":  # as an ASP.NET site answers a request without its id
        if "NewsID" not in query:
            return Response(404, b"<html><body>Object reference not set</body></html>")
        return Response(200, page(int(query["NewsID"][0]) - 990))
    if path == "/index.php" and query.get("option") == ["com_content"] and "id" in query:
        return Response(200, page(20 + int(query["id"][0])))
    if path.lower() == f"/ar/{SLUG_LOWER}".lower():
        return Response(200, page(40))
    if path in ("/ar/2024/05/budget-story", "/ar/2024/05/budget-story/"):
        return Response(200, page(41, canonical=f"{base}/ar/2024/05/budget-story/"))
    if path == "/local/1.html":
        return Response(200, page(42))
    return NOT_FOUND


class Site:
    """The mock server, with hits counted by target (path and query string, as the access log has them)."""

    def __init__(self, server: MockServer) -> None:
        self.server = server
        self.base = server.base_url

    @property
    def hits(self) -> Counter:
        return Counter(record.target for record in self.server.log)


@pytest.fixture(scope="module")
def site():
    with MockServer() as server:
        server.prefix("/", answer)
        yield Site(server)


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=180)


def stored_urls(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [u for (u,) in conn.execute("SELECT url FROM articles ORDER BY url")]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def crawled(site, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("urls")
    sources = tmp / "sources.toml"
    sources.write_text(f'[[source]]\nname = "aspx-news"\nfeeds = ["{site.base}/rss.xml"]\n'
                       f'sitemaps = ["{site.base}/sitemap.xml"]\n', encoding="utf-8")
    db = tmp / "news.db"
    result = cli("crawl", "--sources", str(sources), "--db", str(db), *FAST)
    assert result.returncode == 0, result.stderr[-3000:]
    return {"db": db, "result": result, "hits": site.hits}


def test_every_article_of_an_aspnet_feed_is_fetched_once_and_stored(crawled, site):
    urls = stored_urls(crawled["db"])
    assert [u for u in urls if "NewsID" in u] == sorted(f"{site.base}/Story.aspx?NewsID={n}" for n in range(991, 1000))
    assert all(crawled["hits"][f"/Story.aspx?NewsID={n}"] == 1 for n in range(991, 1000))
    assert crawled["hits"]["/Story.aspx"] == 0  # the id was never cut off
    assert crawled["hits"]["/Story.aspx?NewsID=991&utm_source=sitemap"] == 0  # the sitemap's copy, with a tracker


def test_joomla_articles_are_requested_with_their_query_as_written(crawled, site):
    assert crawled["hits"]["/index.php?option=com_content&view=article&id=7"] == 1
    assert crawled["hits"]["/index.php?option=com_content&view=article&id=8"] == 1
    assert {u for u in stored_urls(crawled["db"]) if "index.php" in u} == {
        f"{site.base}/index.php?option=com_content&view=article&id={n}" for n in (7, 8)}


def test_one_arabic_slug_in_two_escape_cases_is_one_article(crawled):
    assert crawled["hits"][f"/ar/{SLUG_LOWER}"] + crawled["hits"][f"/ar/{SLUG_UPPER}"] == 1
    assert sum(1 for u in stored_urls(crawled["db"]) if "/AR/%D9" in u.upper()) == 1


def test_a_trailing_slash_is_the_same_article(crawled, site):
    assert crawled["hits"]["/ar/2024/05/budget-story"] + crawled["hits"]["/ar/2024/05/budget-story/"] == 1
    assert [u for u in stored_urls(crawled["db"]) if "budget-story" in u] == [f"{site.base}/ar/2024/05/budget-story/"]


def test_localhost_linked_from_a_feed_on_127_0_0_1_is_followed(crawled):
    assert crawled["hits"]["/local/1.html"] == 1 and crawled["hits"]["/robots.txt"] >= 1
    conn = sqlite3.connect(crawled["db"])
    (stats,) = conn.execute("SELECT stats FROM runs").fetchone()
    conn.close()
    assert not [k for k in json.loads(stats) if k.startswith(("errors/", "refused/"))]
    assert any(u.endswith("/local/1.html") for u in stored_urls(crawled["db"]))
    assert len(stored_urls(crawled["db"])) == 9 + 2 + 1 + 1 + 1


def test_scraping_a_second_id_of_a_stored_script_stores_it(crawled, site, tmp_path):
    db = tmp_path / "one.db"
    first = cli("scrape", f"{site.base}/Story.aspx?NewsID=991", "--db", str(db), *FAST)
    second = cli("scrape", f"{site.base}/Story.aspx?NewsID=991", f"{site.base}/Story.aspx?NewsID=992",
                 "--db", str(db), *FAST)
    assert first.returncode == 0 and second.returncode == 0, second.stderr[-2000:]
    assert "1 new article" in second.stdout and "1 already stored" in second.stdout
    assert stored_urls(db) == [f"{site.base}/Story.aspx?NewsID={n}" for n in (991, 992)]
