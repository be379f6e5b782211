"""Dates through the real CLI, on a small news site of its own served on 127.0.0.1.

The site is laid out as Arabic outlets are: a feed with RFC 822 dates in the outlet's zone (and entries with
none), pages whose only date is a dateline under the headline, JSON-LD written in Arabic, a CMS placeholder
or a far-future date in the markup, a story whose first paragraph names another day, a page that says only
when it was last updated. Dates are relative to today, so the plausibility window holds whenever it runs.
"""
import csv
import html
import json
import os
import sqlite3
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parent.parent
FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "EXTRACT_WORKERS=2"]
PLUS3 = timezone(timedelta(hours=3))
NOW = datetime.now(timezone.utc).replace(microsecond=0)
FOUR_DAYS_AGO = (NOW - timedelta(days=4)).astimezone(PLUS3).date()  # a day in the outlet's zone

# A story each, long enough to be an article and unlike the others.
STORIES = {
    "schools": ["وفي 3 مارس 2020 أعلنت الحكومة إغلاق المدارس والجامعات في جميع المحافظات حتى إشعار آخر، وهو القرار "
                "الذي تعود وزارة التربية اليوم إلى مراجعته بعد أربع سنوات من تطبيقه.",
                "وقالت الوزيرة إن التعليم عن بعد ترك فجوة في تحصيل طلاب المرحلة الابتدائية تحتاج إلى برامج تقوية."],
    "rates": ["رفع البنك المركزي سعر الفائدة الرئيسي بمقدار نصف نقطة مئوية في خطوة تهدف إلى كبح التضخم الذي بلغ "
              "أعلى مستوى له منذ عشر سنوات، بحسب بيان صدر عقب اجتماع لجنة السياسة النقدية.",
              "وقال المحافظ إن البنك سيواصل مراقبة الأسعار عن كثب، وإن أي قرار لاحق سيتوقف على بيانات الأشهر المقبلة."],
    "future": ["افتتحت بلدية المدينة حديقة عامة جديدة على ضفاف النهر بمساحة عشرين ألف متر مربع تضم مسارات للمشي "
               "وملاعب للأطفال ومكتبة صغيرة مفتوحة للجميع طوال أيام الأسبوع.",
               "وأوضح رئيس البلدية أن المشروع مول بالكامل من تبرعات أهالي الأحياء المجاورة."],
    "amman": ["أقر مجلس الوزراء الأردني حزمة من الإجراءات لدعم القطاع السياحي المتضرر تشمل إعفاءات ضريبية مؤقتة "
              "وتأجيل أقساط القروض المستحقة على المنشآت الفندقية حتى نهاية العام.",
              "وقال وزير السياحة إن الحزمة ستكلف الخزينة نحو خمسين مليون دينار."],
    "updated": ["ارتفعت صادرات التمور خلال الربع الأول بنسبة خمسة عشر في المئة مقارنة بالفترة نفسها من العام الماضي "
                "مدفوعة بالطلب المتزايد من الأسواق الآسيوية والأوروبية على الأصناف الفاخرة.",
                "وتوقع اتحاد المزارعين أن يستمر النمو مع افتتاح خطوط شحن جديدة."],
    "cairo": ["بدأت هيئة السكك الحديدية تشغيل قطارات مكيفة جديدة على خط القاهرة الإسكندرية بعد انتهاء أعمال تطوير "
              "المحطات وتجديد الإشارات على امتداد الخط الذي يخدم ملايين الركاب سنويا.",
              "وأعلنت الهيئة أسعار التذاكر الجديدة التي تبدأ من خمسين جنيها."],
    "late-local": ["اختتمت مساء أمس فعاليات مهرجان المسرح العربي بتوزيع الجوائز على الفرق الفائزة في حفل أقيم على "
                   "خشبة المسرح الوطني بحضور عدد كبير من الفنانين والنقاد من مختلف الدول.",
                   "وفازت فرقة من تونس بجائزة أفضل عرض متكامل."],
    "late-utc": ["سجلت محطات الرصد الجوي أعلى درجة حرارة منذ بدء التسجيل، إذ تجاوزت الحرارة خمسين درجة مئوية في "
                 "ثلاث مدن جنوبية، فيما دعت وزارة الصحة المواطنين إلى تجنب الخروج وقت الظهيرة.",
                 "ويتوقع أن تنحسر الموجة مع نهاية الأسبوع."],
}


def _page(title: str, story: str, between: str = "", head: str = "") -> bytes:
    """A news page: the site's header and menu, the headline, what the outlet puts under it, the story."""
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in STORIES[story])
    return (f'<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{title} - الرأي اليوم'
            f'</title>{head}</head><body><header class="site-header"><a class="logo" href="/">الرأي اليوم</a>'
            '<ul class="menu"><li><a href="/local">محليات</a></li><li><a href="/economy">اقتصاد</a></li></ul></header>'
            f'<div class="container"><div class="news-details"><h1>{title}</h1>{between}'
            '<div class="social"><a href="#">فيسبوك</a> <a href="#">تويتر</a> <a href="#">واتساب</a></div>'
            f'<div class="details-text">{paragraphs}</div></div></div>'
            '<footer><p>جميع الحقوق محفوظة © الرأي اليوم</p></footer></body></html>').encode("utf-8")


def _json_ld(date_published: str) -> str:
    return ('<script type="application/ld+json">' + json.dumps(
        {"@context": "https://schema.org", "@type": "NewsArticle", "datePublished": date_published},
        ensure_ascii=False) + "</script>")


def _meta(when: str) -> str:
    return f'<meta property="article:published_time" content="{when}">'


# path -> (feed pubDate or None, page)
def _site() -> dict[str, tuple[datetime | None, bytes]]:
    rates_at = (NOW - timedelta(days=3)).astimezone(PLUS3).replace(minute=0, second=0)  # before yesterday
    late_local = datetime.combine(FOUR_DAYS_AGO, datetime.min.time(), PLUS3).replace(hour=1, minute=30)
    return {
        # the story's first paragraph names 3 March 2020; only the feed knows the day
        "/schools.html": (NOW - timedelta(hours=1), _page("مراجعة قرار إغلاق المدارس", "schools")),
        "/rates.html": (rates_at, _page("البنك المركزي يرفع الفائدة", "rates", head=_meta(rates_at.isoformat()))),
        # an agency copy whose CMS writes epoch zero into the markup: its feed date puts it beside the original
        "/rates-copy.html": (rates_at + timedelta(hours=5), _page("المركزي يرفع سعر الفائدة نصف نقطة", "rates",
                                                                  head=_meta("1970-01-01T00:00:00+00:00"))),
        "/park.html": (NOW - timedelta(days=1), _page("افتتاح حديقة على ضفاف النهر", "future", head=_json_ld(
            (NOW + timedelta(days=5 * 365)).isoformat()))),
        # the Jordanian outlet's line under the headline, and nowhere else
        "/amman.html": (None, _page("حزمة لدعم القطاع السياحي", "amman",
                                    between="<p>تم نشره الجمعة 24 نيسان / أبريل 2020 09:22 مساءً</p>")),
        "/dates.html": (None, _page("ارتفاع صادرات التمور", "updated",
                                    between='<div class="info"><span>آخر تحديث: ٢٥ نيسان ٢٠٢٠ - ١٠:٠٠ ص</span></div>')),
        # the Egyptian outlet's JSON-LD, in Arabic
        "/trains.html": (None, _page("قطارات مكيفة على خط الإسكندرية", "cairo",
                                     head=_json_ld("الأربعاء، 07 أكتوبر 2020 - 12:09 م"))),
        # 01:30 in Amman is 22:30 UTC the day before: later as text, earlier as an instant than late-utc
        "/theatre.html": (None, _page("ختام مهرجان المسرح", "late-local", head=_meta(late_local.isoformat()))),
        "/heat.html": (late_local.astimezone(timezone.utc) + timedelta(hours=1), _page("موجة حر", "late-utc")),
    }


class _Handler(BaseHTTPRequestHandler):
    site: dict
    base: str

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/robots.txt":
            return self._send(b"User-agent: *\nAllow: /\n", "text/plain")
        if self.path == "/feed.xml":
            items = "".join(
                f"<item><title>خبر</title><link>{self.base}{path}</link>"
                + (f"<pubDate>{format_datetime(when)}</pubDate>" if when else "") + "</item>"
                for path, (when, _) in self.site.items())
            return self._send(f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>الرأي اليوم'
                              f"</title>{items}</channel></rss>".encode("utf-8"), "application/rss+xml")
        if self.path in self.site:
            return self._send(self.site[self.path][1], "text/html; charset=utf-8")
        self.send_error(404)

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("CRAWLER_DB", None)
    return subprocess.run([sys.executable, "-m", "crawler", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=180)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dates")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    _Handler.base = f"http://127.0.0.1:{server.server_address[1]}"
    _Handler.site = _site()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        sources = tmp / "sources.toml"
        sources.write_text(f'[[source]]\nname = "alrai"\nfeeds = ["{_Handler.base}/feed.xml"]\n', encoding="utf-8")
        db = tmp / "news.db"
        result = cli("crawl", "--sources", str(sources), "--db", str(db), *FAST)
        assert result.returncode == 0, result.stderr[-2000:]
    finally:
        server.shutdown()
        server.server_close()
    conn = sqlite3.connect(db)
    stored = {url.split("/", 3)[3]: (published, source, duplicate_of, article_id) for url, published, source, duplicate_of,
              article_id in conn.execute("SELECT url, published, date_source, duplicate_of, id FROM articles")}
    conn.close()
    return {"db": db, "tmp": tmp, "stored": stored}


def feed_date(path: str) -> str:
    return _Handler.site[path][0].isoformat()


def test_the_feeds_date_wins_over_a_date_in_the_story(crawled):
    assert crawled["stored"]["schools.html"][:2] == (feed_date("/schools.html"), "feed")


def test_impossible_page_dates_give_way_and_the_copy_is_marked(crawled):
    stored = crawled["stored"]
    assert stored["rates.html"][:2] == (feed_date("/rates.html"), "markup")  # the same moment, from the page
    assert stored["rates-copy.html"][:2] == (feed_date("/rates-copy.html"), "feed")  # not 1970
    assert stored["rates-copy.html"][2] == stored["rates.html"][3]  # inside the dedup window, so marked
    assert stored["park.html"][:2] == (feed_date("/park.html"), "feed")  # not five years ahead


def test_dates_as_arabic_outlets_write_them(crawled):
    stored = crawled["stored"]
    assert stored["amman.html"][:2] == ("2020-04-24T21:22:00", "text")
    assert stored["trains.html"][:2] == ("2020-10-07T12:09:00", "markup")
    assert stored["dates.html"][:2] == ("2020-04-25T10:00:00", "updated")


def export(crawled, name: str, *args: str) -> tuple[subprocess.CompletedProcess, Path]:
    out = crawled["tmp"] / name
    return cli("export", "--db", str(crawled["db"]), "--out", str(out), *args), out


def paths(out: Path) -> set[str]:
    return {json.loads(line)["url"].split("/", 3)[3] for line in out.read_text(encoding="utf-8").splitlines()}


def test_until_compares_instants_not_texts(crawled):
    # theatre: "…T01:30:00+03:00" (22:30 UTC the day before); heat: "…T23:30:00+00:00" that day before
    cutoff = f"{FOUR_DAYS_AGO - timedelta(days=1)}T23:00:00Z"
    result, out = export(crawled, "until.jsonl", "--until", cutoff, "--since", str(FOUR_DAYS_AGO - timedelta(days=1)))
    assert result.returncode == 0, result.stderr
    assert paths(out) == {"theatre.html"}
    result, out = export(crawled, "day.jsonl", "--since", str(FOUR_DAYS_AGO - timedelta(days=1)),
                         "--until", str(FOUR_DAYS_AGO - timedelta(days=1)))  # a day alone: the whole UTC day
    assert paths(out) == {"theatre.html", "heat.html"}


def test_relative_bounds_and_the_exported_date_source(crawled):
    result, out = export(crawled, "recent.jsonl", "--since", "yesterday")
    assert result.returncode == 0, result.stderr
    assert paths(out) == {"schools.html", "park.html"}
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {r["date_source"] for r in records} == {"feed"}
    manifest = json.loads((crawled["tmp"] / "recent.jsonl.manifest.json").read_text(encoding="utf-8"))
    assert manifest["selection"]["since"] == str(NOW.date() - timedelta(days=1))  # what "yesterday" was
    result, out = export(crawled, "week.parquet", "--format", "parquet", "--since", "7d")
    assert result.returncode == 0, result.stderr
    table = pq.read_table(out).to_pydict()
    got = {url.split("/", 3)[3]: (published, source)
           for url, published, source in zip(table["url"], table["published"], table["date_source"])}
    # the last seven days: every stored article of them but the copy; none of 2020's
    assert got == {path: crawled["stored"][path][:2]
                   for path in ("schools.html", "rates.html", "park.html", "theatre.html", "heat.html")}


@pytest.mark.parametrize("args, named", [
    (["--since", "2026-13-45"], "--since"),
    (["--until", "notadate"], "--until"),
    (["--since", "yesterday", "--until", "2020-01-01"], "--since"),
])
def test_a_bad_bound_exits_2_and_leaves_the_output_alone(crawled, args, named):
    out = crawled["tmp"] / "kept.csv"
    out.write_bytes(b"id,url\r\nearlier,export\r\n")
    before = out.stat().st_mtime_ns
    result = cli("export", "--db", str(crawled["db"]), "--out", str(out), "--format", "csv", *args)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(f"error: {named}")
    if "notadate" in args or "2026-13-45" in args:
        assert "YYYY-MM-DD" in result.stderr and "yesterday" in result.stderr
    assert out.read_bytes() == b"id,url\r\nearlier,export\r\n" and out.stat().st_mtime_ns == before
    assert not (crawled["tmp"] / "kept.csv.manifest.json").exists()


def test_csv_carries_the_date_source(crawled):
    result, out = export(crawled, "all.csv", "--format", "csv", "--fields", "url,published,date_source")
    assert result.returncode == 0, result.stderr
    with open(out, encoding="utf-8", newline="") as f:
        rows = {r["url"].split("/", 3)[3]: (r["published"], r["date_source"]) for r in csv.DictReader(f)}
    assert rows["amman.html"] == ("2020-04-24T21:22:00", "text")
    assert "rates-copy.html" not in rows  # a duplicate, left out
