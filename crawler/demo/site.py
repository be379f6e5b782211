"""The bundled offline demo site: three fictional outlets, their feeds and article pages, served on 127.0.0.1.

- wadi-news: RSS 2.0, UTF-8; pull quotes in <blockquote>; "اقرأ أيضا" and "تابعونا" lines in the body.
- sahel-post: Atom, UTF-8; pull quotes in <aside>; a copyright line in every article body (site boilerplate).
- khaleej-daily: RSS 2.0 in windows-1256, charset declared only in the XML prolog and in the pages' <meta>.
Every page carries realistic chrome (menus, cookie banner, related links, newsletter box, footer, scripts).
"""
from __future__ import annotations

import hashlib
import html
import threading
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from crawler.demo.articles import SEED, STORIES

HERE = Path(__file__).resolve().parent
E = html.escape

OUTLETS: dict[str, dict[str, Any]] = {
    "wadi-news": {"prefix": "/wadi", "name": "أخبار الوادي", "feed": "/wadi/rss.xml", "kind": "rss", "encoding": "utf-8"},
    "sahel-post": {"prefix": "/sahel", "name": "بريد الساحل", "feed": "/sahel/atom.xml", "kind": "atom", "encoding": "utf-8"},
    "khaleej-daily": {"prefix": "/khaleej", "name": "الخليج اليوم", "feed": "/khaleej/feed.rss", "kind": "rss",
                      "encoding": "windows-1256"},
}
MONTHS = {
    "egyptian": "يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر".split(),
    "levantine": ["كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول", "تشرين الأول",
                  "تشرين الثاني", "كانون الأول"],
    "maghreb": "جانفي فيفري مارس أفريل ماي جوان جويلية أوت سبتمبر أكتوبر نوفمبر ديسمبر".split(),
    "moroccan": "يناير فبراير مارس أبريل ماي يونيو يوليوز غشت شتنبر أكتوبر نونبر دجنبر".split(),
}
INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FOLLOW_US = "تابعونا على تويتر وفيسبوك للمزيد من الأخبار العاجلة"
SAHEL_COPYRIGHT = "© حقوق النشر محفوظة لصحيفة بريد الساحل، ولا يجوز إعادة نشر هذا المحتوى دون إذن مكتوب من إدارة التحرير."
NAV = ["الرئيسية", "سياسة", "اقتصاد", "رياضة", "ثقافة", "صحة", "تكنولوجيا", "منوعات", "رأي"]
RAIN_HOURS = [7, 9, 10, 11, 13, 15, 16, 18]


# ------------------------------------------------------------------------------------------- pages

def _pages() -> list[dict[str, Any]]:
    """Every article page: the stories, their agency copies on other outlets, and the seed."""
    pages = []
    for n, story in enumerate(STORIES):
        published = datetime.fromisoformat(story["date"]).replace(hour=RAIN_HOURS[n % 8], tzinfo=timezone(timedelta(hours=3)))
        original = {**story, "published": published, "path": _path(story["outlet"], published, story["slug"]),
                    "copy_of": None}
        pages.append(original)
        for k, outlet in enumerate(story.get("copies", [])):
            copied = published + timedelta(hours=5 + k)
            pages.append({
                **story, "outlet": outlet, "title": story["copy_title"], "published": copied,
                "path": _path(outlet, copied, story["slug"] + "-agency"), "copy_of": original["path"],
                # the agency text, trimmed by a paragraph and closed with the paper's own line
                "paragraphs": [*story["paragraphs"][:-1],
                               "وكانت الصحيفة قد تابعت الملف في تقارير سابقة نشرتها خلال الأسابيع الماضية."],
                "pull_quotes": [], "standfirst": False, "headline_again": False, "date_style": "meta",
            })
    lines = [line.strip() for line in (HERE / SEED["file"]).read_text(encoding="utf-8").splitlines() if line.strip()]
    seed_published = datetime(2023, 9, 19, 14, 0, tzinfo=timezone(timedelta(hours=3)))
    pages.append({**SEED, "title": lines[2], "date_line": lines[0], "tag": lines[1], "seed_lines": lines,
                  "published": seed_published, "path": _path("wadi-news", seed_published, SEED["slug"]),
                  "copy_of": None, "paragraphs": lines[3:]})
    return pages


def _path(outlet: str, when: datetime, slug: str) -> str:
    return f"{OUTLETS[outlet]['prefix']}/{when:%Y/%m}/{slug}.html"


def _date_text(page: dict[str, Any]) -> str:
    when: datetime = page["published"]
    style = page["date_style"]
    if style == "seed":
        return page["date_line"]
    if style in ("none",):
        return ""
    if style == "indic":
        return f"نشر في: {when.day} {MONTHS['egyptian'][when.month - 1]} {when.year}".translate(INDIC)
    if style == "dual":
        return f"{when.day} {MONTHS['levantine'][when.month - 1]}/ {MONTHS['egyptian'][when.month - 1]} {when.year}"
    if style == "meta":
        return f"{when.day} {MONTHS['egyptian'][when.month - 1]} {when.year} - {when:%H:%M}"
    return f"{when.day} {MONTHS[style][when.month - 1]} {when.year}"


def _pull_quote_text(page: dict[str, Any], source: int, how: str) -> str:
    text = page["paragraphs"][source]
    if how == "prefix":
        words = text.split()
        return " ".join(words[: max(8, int(len(words) * 0.7))])
    if how == "waw":
        return text[1:] if text.startswith("و") else "و" + text
    if how == "harakat":
        return page["vocalised"]
    return text


def _quote_markup(outlet: str, text: str) -> str:
    if outlet == "wadi-news":
        return f'<blockquote class="pullquote"><p>{E(text)}</p></blockquote>'
    if outlet == "sahel-post":
        return f'<aside class="quote-box"><span class="quote-mark">❝</span><p>{E(text)}</p></aside>'
    return f'<div class="highlight-quote">«{E(text)}»</div>'


def _body(page: dict[str, Any], related: list[dict[str, Any]]) -> str:
    outlet = page["outlet"]
    if "seed_lines" in page:
        return _seed_body(page)
    blocks: list[str] = []
    after: dict[int, list[str]] = {}
    for at, source, how in page.get("pull_quotes", []):
        after.setdefault(at, []).append(_quote_markup(outlet, _pull_quote_text(page, source, how)))
    for i, text in enumerate(page["paragraphs"]):
        blocks.append(f"<p>{E(text)}</p>")
        if i == 1 and page.get("headline_again"):
            blocks.append(f"<p>و{E(page['title'])}.</p>")
        if i == 0 and outlet == "wadi-news" and related:
            blocks.append(f'<p class="read-also"><strong>اقرأ أيضا:</strong> <a href="{related[0]["path"]}">'
                          f'{E(related[0]["title"])}</a></p>')
        blocks.extend(after.get(i, []))
    if outlet == "wadi-news":
        blocks.append(f'<p class="follow">{FOLLOW_US}</p>')
    if outlet == "sahel-post":
        blocks.append(f'<p class="rights">{E(SAHEL_COPYRIGHT)}</p>')
    return "\n".join(blocks)


def _seed_body(page: dict[str, Any]) -> str:
    """The seed as its site laid it out: line 7 and line 14 are pull quotes, line 9 an ordinary paragraph."""
    lines = page["seed_lines"]
    blocks = []
    for number, text in enumerate(lines[3:], start=4):
        if number == 7:
            blocks.append(f'<blockquote class="pullquote"><p>{E(text)}</p></blockquote>')
        elif number == 14:
            blocks.append(f'<aside class="quote-box"><p>{E(text)}</p></aside>')
        else:
            blocks.append(f"<p>{E(text)}</p>")
    return "\n".join(blocks)


def _standfirst(page: dict[str, Any]) -> str:
    if not page.get("standfirst"):
        return ""
    lead = page["paragraphs"][0].split()
    text = " ".join(lead[: int(len(lead) * 0.6)])
    if page["outlet"] == "sahel-post":
        return f'<div class="excerpt">{E(text)}</div>'
    return f'<p class="standfirst">{E(text)}</p>'


def render_page(page: dict[str, Any], related: list[dict[str, Any]], base_url: str) -> str:
    outlet = OUTLETS[page["outlet"]]
    charset = outlet["encoding"]
    title = page["title"]
    when: datetime = page["published"]
    meta_date = (f'<meta property="article:published_time" content="{when.isoformat()}">'
                 if page["date_style"] == "meta" else "")
    date_text = _date_text(page)
    byline = f'<span class="author">بقلم: {E(page["author"])}</span>' if page.get("author") else ""
    date_html = f'<span class="date">{E(date_text)}</span>' if date_text else ""
    tag = f'<a class="tag" href="{outlet["prefix"]}/tag/1">{E(page["tag"])}</a>' if page.get("tag") else ""
    nav = "".join(f'<li><a href="{outlet["prefix"]}/section/{i}">{E(n)}</a></li>' for i, n in enumerate(NAV))
    rel = "".join(f'<li><a href="{r["path"]}">{E(r["title"])}</a></li>' for r in related)
    description = E(page["paragraphs"][0][:160])
    head = (f'<head><meta charset="{charset}"><title>{E(title)} | {E(outlet["name"])}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="description" content="{description}">'
            f'<link rel="canonical" href="{base_url}{page["path"]}">{meta_date}'
            f'<link rel="alternate" type="application/rss+xml" href="{outlet["feed"]}">'
            f'<script>window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments)}}'
            f'gtag("js",new Date());gtag("config","UA-000000-1");</script>'
            f'<style>body{{font-family:Tahoma,sans-serif}}.pullquote{{font-size:1.4em}}</style></head>')
    chrome_top = (
        f'<div id="cookie-banner">نستخدم ملفات تعريف الارتباط لتحسين تجربتك على موقعنا. <button>موافق</button></div>'
        f'<header class="site-header"><a class="logo" href="/">{E(outlet["name"])}</a>'
        f'<nav class="main-menu"><ul>{nav}</ul></nav>'
        f'<div class="ticker">عاجل: متابعة مستمرة لآخر التطورات المحلية والدولية على مدار الساعة</div></header>'
        f'<div class="breadcrumb"><a href="/">الرئيسية</a> › <a href="{outlet["prefix"]}/section/1">'
        f'{E(page.get("section", "أخبار"))}</a></div>'
    )
    share = ('<div class="share"><span>شارك:</span> <a href="#">فيسبوك</a> <a href="#">تويتر</a> '
             '<a href="#">واتساب</a> <a href="#">تلغرام</a></div>')
    chrome_bottom = (
        f'<aside class="related"><h3>اقرأ أيضا</h3><ul>{rel}</ul></aside>'
        f'<div class="newsletter"><h4>النشرة البريدية</h4><p>اشترك في نشرتنا البريدية لتصلك أهم الأخبار يوميا</p>'
        f'<input type="email" placeholder="بريدك الإلكتروني"><button>اشتراك</button></div>'
        f'<div class="most-read"><h4>الأكثر قراءة</h4><ol>{rel}</ol></div>'
        f'<footer class="site-footer"><ul><li><a href="/about">من نحن</a></li><li><a href="/contact">اتصل بنا</a></li>'
        f'<li><a href="/privacy">سياسة الخصوصية</a></li><li><a href="/ads">أعلن معنا</a></li></ul>'
        f'<p>جميع الحقوق محفوظة © {when.year} {E(outlet["name"])}</p></footer>'
        f'<script src="/static/app.js"></script><script>var ads = {{slot: "article-bottom"}};</script>'
    )
    article = (
        f'<article class="story"><header class="story-head">{tag}<h1 class="story-title">{E(title)}</h1>'
        f'<div class="byline">{byline} {date_html}</div></header>{share}{_standfirst(page)}'
        f'<figure class="lead-image"><img src="/img/{page["slug"]}.jpg" alt="{E(title)}">'
        f'<figcaption>صورة أرشيفية</figcaption></figure>'
        f'<div class="story-body">\n{_body(page, related)}\n</div>{share}</article>'
    )
    return (f'<!DOCTYPE html>\n<html lang="ar" dir="rtl">{head}<body>{chrome_top}'
            f'<main class="container">{article}</main>{chrome_bottom}</body></html>')


# ------------------------------------------------------------------------------------------- feeds

def _rss(outlet_name: str, pages: list[dict[str, Any]], base_url: str) -> str:
    outlet = OUTLETS[outlet_name]
    items = []
    for n, page in enumerate(pages):
        link = f"{base_url}{page['path']}"
        if n == 2 and outlet_name == "wadi-news":
            link = page["path"]  # a relative link: resolved against the feed URL
        if n == 3 and outlet_name == "wadi-news":
            link += "?utm_source=rss&utm_medium=feed&utm_campaign=demo"
        items.append(
            f"<item><title>{E(page['title'])}</title><link>{E(link)}</link>"
            f"<guid isPermaLink=\"false\">{outlet_name}-{page['slug']}</guid>"
            f"<pubDate>{format_datetime(page['published'])}</pubDate>"
            f"<description>{E('<p>' + page['paragraphs'][0][:200] + '</p>')}</description>"
            + (f"<author>{E(page['author'])}</author>" if page.get("author") else "") + "</item>"
        )
    if outlet_name == "wadi-news":  # a live-coverage entry with no article link
        items.insert(1, "<item><title>تغطية مباشرة: تطورات الحالة الجوية</title>"
                        "<description>تابعوا التحديثات أولا بأول</description>"
                        "<guid isPermaLink=\"false\">live-weather</guid></item>")
    declaration = f'<?xml version="1.0" encoding="{outlet["encoding"]}"?>'
    return (f'{declaration}\n<rss version="2.0"><channel><title>{E(outlet["name"])}</title>'
            f'<link>{base_url}{outlet["prefix"]}/</link><description>آخر الأخبار</description>'
            f'<language>ar</language>{"".join(items)}</channel></rss>')


def _atom(outlet_name: str, pages: list[dict[str, Any]], base_url: str) -> str:
    outlet = OUTLETS[outlet_name]
    entries = []
    for page in pages:
        entries.append(
            f'<entry><title>{E(page["title"])}</title><link rel="alternate" href="{base_url}{page["path"]}"/>'
            f'<id>tag:sahel.example,2024:{page["slug"]}</id><published>{page["published"].isoformat()}</published>'
            f'<updated>{page["published"].isoformat()}</updated><summary>{E(page["paragraphs"][0][:200])}</summary>'
            + (f'<author><name>{E(page["author"])}</name></author>' if page.get("author") else "") + "</entry>"
        )
    entries.append(entries[0])  # the same entry twice, as some CMSs do
    updated = max(p["published"] for p in pages).isoformat()
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ar">'
            f'<title>{E(outlet["name"])}</title><id>tag:sahel.example,2024:feed</id><updated>{updated}</updated>'
            f'<link rel="self" href="{base_url}{outlet["feed"]}"/>{"".join(entries)}</feed>')


def _news_sitemap(pages: list[dict[str, Any]], base_url: str) -> str:
    urls = "".join(
        f'<url><loc>{base_url}{p["path"]}</loc><news:news><news:publication><news:name>بريد الساحل</news:name>'
        f'<news:language>ar</news:language></news:publication>'
        f'<news:publication_date>{p["published"].isoformat()}</news:publication_date>'
        f'<news:title>{E(p["title"])}</news:title></news:news></url>'
        for p in pages
    )
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>')


# ------------------------------------------------------------------------------------------- site

def build_site(base_url: str) -> dict[str, tuple[str, bytes]]:
    """path -> (Content-Type, body) for every URL of the demo site."""
    pages = _pages()
    site: dict[str, tuple[str, bytes]] = {}
    by_outlet: dict[str, list[dict[str, Any]]] = {name: [] for name in OUTLETS}
    for page in pages:
        by_outlet[page["outlet"]].append(page)
    for name, outlet in OUTLETS.items():
        own = sorted(by_outlet[name], key=lambda p: p["published"], reverse=True)
        for page in own:
            related = [p for p in own if p is not page][:4]
            body = render_page(page, related, base_url).encode(outlet["encoding"])
            # khaleej-daily declares its charset only inside the page, as many older sites do
            content_type = "text/html" if outlet["encoding"] != "utf-8" else "text/html; charset=utf-8"
            site[page["path"]] = (content_type, body)
        if outlet["kind"] == "atom":
            site[outlet["feed"]] = ("application/atom+xml", _atom(name, own, base_url).encode("utf-8"))
        else:
            # windows-1256 declared only in the XML prolog: the header says nothing
            content_type = "application/rss+xml" if outlet["encoding"] != "utf-8" else "application/rss+xml; charset=utf-8"
            site[outlet["feed"]] = (content_type, _rss(name, own, base_url).encode(outlet["encoding"]))
    site["/sahel/news-sitemap.xml"] = ("application/xml", _news_sitemap(by_outlet["sahel-post"][:3], base_url).encode())
    site["/robots.txt"] = ("text/plain", f"User-agent: *\nDisallow: /private/\nSitemap: {base_url}/sahel/news-sitemap.xml\n".encode())
    site["/"] = ("text/html; charset=utf-8", "".join(
        f'<p><a href="{o["feed"]}">{E(o["name"])}</a></p>' for o in OUTLETS.values()).encode("utf-8"))
    return site


def sources_toml(base_url: str) -> str:
    return "\n".join(
        f'[[source]]\nname = "{name}"\nfeeds = ["{base_url}{o["feed"]}"]\nlanguage = "ar"\n' for name, o in OUTLETS.items()
    )


def _expected() -> dict[str, Any]:
    pages = _pages()
    seed = next(p for p in pages if "seed_lines" in p)
    return {
        "articles": len(pages),
        "per_source": dict(Counter(p["outlet"] for p in pages)),
        "cross_outlet_copies": [(p["copy_of"], p["path"]) for p in pages if p["copy_of"]],
        "entries_without_link": 1,
        "duplicate_entries": 1,
        "relative_links": 1,
        "seed_path": seed["path"],
        "pull_quotes": sum(len(p.get("pull_quotes", [])) for p in pages) + 2,
        "headlines_again": sum(bool(p.get("headline_again")) for p in pages) + 1,
        "standfirsts": sum(bool(p.get("standfirst")) for p in pages),
        "feeds": [o["feed"] for o in OUTLETS.values()],
    }


EXPECTED = _expected()


class _Handler(BaseHTTPRequestHandler):
    site: dict[str, tuple[str, bytes]] = {}
    hits: Counter = Counter()
    lock = threading.Lock()

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        path = self.path.split("?", 1)[0]
        with self.lock:
            self.hits[path] += 1
        found = self.site.get(path)
        if found is None:
            self.send_error(404)
            return
        content_type, body = found
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the crawler reports what matters
        pass


class DemoServer:
    """`with DemoServer() as server:` serves the demo site on 127.0.0.1 at a free port."""

    def __init__(self, port: int = 0) -> None:
        self.port = port
        self.hits: Counter = Counter()
        self._server: ThreadingHTTPServer | None = None

    def __enter__(self) -> "DemoServer":
        handler = type("DemoHandler", (_Handler,), {"hits": self.hits, "site": {}})
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        handler.site = build_site(self.base_url)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()
