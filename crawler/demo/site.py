"""The bundled offline demo site: three fictional outlets, their feeds and article pages, served on 127.0.0.1.

- wadi-news (أخبار الوادي): RSS 2.0, UTF-8. Pull quotes in <blockquote class="pullquote"> or
  <p class="pull-quote">; a standfirst <p class="standfirst">; in every body an "اقرأ أيضا: <link>" line and a
  "تابعونا على تويتر وفيسبوك" line. Its feed has an entry without a link, a relative link and a link with
  utm_* tracking parameters. Publishes the seed article.
- sahel-post (بريد الساحل): Atom, UTF-8. Pull quotes in <aside class="quote-box">; the lead repeated in
  <div class="excerpt">; a copyright line closing every body (site boilerplate no single page betrays);
  the same entry twice in its feed; a Google News sitemap listed in robots.txt; JSON-LD on some pages.
- khaleej-daily (الخليج اليوم): RSS 2.0 in windows-1256 with the charset declared only in the XML prolog,
  pages in windows-1256 declared only in <meta charset>; pull quotes in <div class="highlight-quote">;
  a "اشتركوا في قناتنا على واتساب" line in every body; no canonical links.

Every page carries realistic chrome (cookie banner, menus, breadcrumb, share buttons, "اقرأ أيضا" box,
newsletter box, most-read list, footer, scripts). Dates appear in the four month-name systems, with
Arabic-Indic digits, with both names ("شباط/ فبراير"), with a day name, a time in ص/م or a trailing م, or not
at all; only some pages carry <meta property="article:published_time">. The feed always has the true date.

The stories are data (articles.py); the seed page is built from seed_article.txt at runtime. EXPECTED is
the ground truth the tests assert against; it is computed from the same data the pages are built from.
"""
from __future__ import annotations

import hashlib
import html
import json
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from crawler.demo.articles import SEED, STORIES
from crawler.demo.server import MockServer

HERE = Path(__file__).resolve().parent
E = html.escape
TZ = timezone(timedelta(hours=3))

OUTLETS: dict[str, dict[str, Any]] = {
    "wadi-news": {"prefix": "/wadi", "name": "أخبار الوادي", "feed": "/wadi/rss.xml", "kind": "rss",
                  "encoding": "utf-8", "host": "wadi.example"},
    "sahel-post": {"prefix": "/sahel", "name": "بريد الساحل", "feed": "/sahel/atom.xml", "kind": "atom",
                   "encoding": "utf-8", "host": "sahel.example"},
    "khaleej-daily": {"prefix": "/khaleej", "name": "الخليج اليوم", "feed": "/khaleej/feed.rss", "kind": "rss",
                      "encoding": "windows-1256", "host": "khaleej.example"},
}
MONTHS = {
    "egyptian": "يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر".split(),
    "levantine": ["كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول", "تشرين الأول",
                  "تشرين الثاني", "كانون الأول"],
    "maghreb": "جانفي فيفري مارس أفريل ماي جوان جويلية أوت سبتمبر أكتوبر نوفمبر ديسمبر".split(),
    "moroccan": "يناير فبراير مارس أبريل ماي يونيو يوليوز غشت شتنبر أكتوبر نونبر دجنبر".split(),
}
DAYS = ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"]  # Monday first, as weekday()
INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
# How each date style shows a date on the page, and which month-name system it uses (None: no name).
DATE_STYLES: dict[str, str | None] = {
    "meta": "egyptian",            # 12 مارس 2024 - 14:00, plus <meta property="article:published_time">
    "egyptian": "egyptian",        # 10 مارس 2024
    "egyptian_day": "egyptian",    # الثلاثاء 12 مارس 2024 - 02:00 م
    "egyptian_m": "egyptian",      # نشر في: 20 فبراير 2024م
    "levantine": "levantine",      # 9 آذار 2024
    "dual": "levantine",           # 27 شباط/ فبراير 2024 (Levantine and Egyptian names)
    "maghreb": "maghreb",          # 30 جانفي 2024
    "moroccan": "moroccan",        # 16 دجنبر 2023
    "indic": "egyptian",           # نشر في: ٥ مارس ٢٠٢٤
    "indic_levantine": "levantine",  # الاثنين ٤ آذار ٢٠٢٤
    "none": None,                  # no date on the page at all
    "seed": "egyptian",            # the seed's own line: 19-سبتمبر-2023
}
COPY_DATE_STYLE = {"wadi-news": "egyptian_day", "sahel-post": "meta", "khaleej-daily": "dual"}
COPY_AUTHOR = "وكالات"

# site boilerplate written into article bodies
FOLLOW_US = "تابعونا على تويتر وفيسبوك للمزيد من الأخبار العاجلة"
READ_ALSO = "اقرأ أيضا:"
SAHEL_COPYRIGHT = "© حقوق النشر محفوظة لصحيفة بريد الساحل، ولا يجوز إعادة نشر هذا المحتوى دون إذن مكتوب من إدارة التحرير."
KHALEEJ_WHATSAPP = "اشتركوا في قناتنا على واتساب لتصلكم الأخبار العاجلة أولا بأول"

NAV = ["الرئيسية", "سياسة", "اقتصاد", "رياضة", "ثقافة", "صحة", "تكنولوجيا", "منوعات", "رأي"]
HOURS = [7, 9, 10, 11, 13, 15, 16, 18]
SITEMAP = "/sahel/news-sitemap.xml"


# ------------------------------------------------------------------------------------------- pages

def _pages() -> list[dict[str, Any]]:
    """Every article page: the stories, their agency copies on other outlets, and the seed."""
    pages = []
    for n, story in enumerate(STORIES):
        published = datetime.fromisoformat(story["date"]).replace(hour=HOURS[n % len(HOURS)], tzinfo=TZ)
        original = {**story, "published": published, "path": _path(story["outlet"], published, story["slug"]),
                    "copy_of": None}
        pages.append(original)
        for k, outlet in enumerate(story.get("copies", [])):
            copied = published + timedelta(hours=5 + k)
            slug = story["slug"] + "-agency"
            pages.append({
                "outlet": outlet, "slug": slug, "section": story["section"], "title": story["copy_title"],
                "author": COPY_AUTHOR, "published": copied, "path": _path(outlet, copied, slug),
                "copy_of": original["path"], "date_style": COPY_DATE_STYLE[outlet],
                # the agency text: a dateline and light edits in the lead, the last paragraph dropped,
                # one paragraph of the paper's own added
                "paragraphs": [story["copy_lead"], *story["paragraphs"][1:-1], story["copy_extra"]],
                "pull_quotes": [], "standfirst": False, "headline_again": False,
            })
    lines = [line.strip() for line in (HERE / SEED["file"]).read_text(encoding="utf-8").splitlines() if line.strip()]
    seed_published = datetime(2023, 9, 19, 14, 0, tzinfo=TZ)
    pages.append({**SEED, "title": lines[2], "date_line": lines[0], "tag": lines[1], "seed_lines": lines,
                  "published": seed_published, "path": _path("wadi-news", seed_published, SEED["slug"]),
                  "copy_of": None,
                  # what a correct pipeline keeps: lines 4, 5, 6, 8, 10, 11, 12, 13, 15, 16, 17
                  "paragraphs": [lines[n - 1] for n in (4, 5, 6, 8, 10, 11, 12, 13, 15, 16, 17)]})
    return pages


def _path(outlet: str, when: datetime, slug: str) -> str:
    return f"{OUTLETS[outlet]['prefix']}/{when:%Y/%m}/{slug}.html"


def _date_text(page: dict[str, Any]) -> str:
    when: datetime = page["published"]
    style = page["date_style"]
    d, y, m = when.day, when.year, when.month - 1
    day = DAYS[when.weekday()]
    if style == "seed":
        return page["date_line"]
    if style == "none":
        return ""
    if style == "meta":
        return f"{d} {MONTHS['egyptian'][m]} {y} - {when:%H:%M}"
    if style == "egyptian_day":
        hour12 = when.hour % 12 or 12
        return f"{day} {d} {MONTHS['egyptian'][m]} {y} - {hour12:02d}:{when:%M} {'ص' if when.hour < 12 else 'م'}"
    if style == "egyptian_m":
        return f"نشر في: {d} {MONTHS['egyptian'][m]} {y}م"
    if style == "dual":
        return f"{d} {MONTHS['levantine'][m]}/ {MONTHS['egyptian'][m]} {y}"
    if style == "indic":
        return f"نشر في: {d} {MONTHS['egyptian'][m]} {y}".translate(INDIC)
    if style == "indic_levantine":
        return f"{day} {d} {MONTHS['levantine'][m]} {y}".translate(INDIC)
    return f"{d} {MONTHS[style][m]} {y}"  # egyptian, levantine, maghreb, moroccan


def _drop_or_add_waw(text: str) -> str:
    return text[1:] if text.startswith("و") else "و" + text


def _prefix(text: str) -> str:
    words = text.split()
    return " ".join(words[: max(8, int(len(words) * 0.7))])


def _pull_quote_text(page: dict[str, Any], source: int, how: str) -> str:
    text = page["paragraphs"][source]
    if how == "prefix":
        return _prefix(text)
    if how == "waw":
        return _drop_or_add_waw(text)
    if how == "waw_prefix":
        return _prefix(_drop_or_add_waw(text))
    if how == "harakat":
        return page["vocalised"]
    return text  # exact


def _quote_markup(outlet: str, text: str, n: int) -> str:
    if outlet == "wadi-news":
        if n % 2:
            return f'<p class="pull-quote"><strong>«{E(text)}»</strong></p>'
        return f'<blockquote class="pullquote"><p>{E(text)}</p></blockquote>'
    if outlet == "sahel-post":
        return f'<aside class="quote-box"><span class="quote-mark">❝</span><p>{E(text)}</p></aside>'
    return f'<div class="highlight-quote">«{E(text)}»</div>'


def _standfirst_text(page: dict[str, Any]) -> str:
    lead = page["paragraphs"][0]
    if page["outlet"] == "sahel-post":
        return lead  # the CMS excerpt: the whole lead again
    clause = lead.split("،")[0].strip()
    return clause if len(clause.split()) >= 8 else " ".join(lead.split()[: int(len(lead.split()) * 0.6)])


def _standfirst(page: dict[str, Any]) -> str:
    if not page.get("standfirst"):
        return ""
    text = _standfirst_text(page)
    if page["outlet"] == "sahel-post":
        return f'<div class="excerpt">{E(text)}</div>'
    return f'<p class="standfirst">{E(text)}</p>'


def _read_also(page: dict[str, Any], related: list[dict[str, Any]]) -> dict[str, Any] | None:
    if not related:
        return None
    return related[int(hashlib.md5(page["path"].encode()).hexdigest(), 16) % len(related)]


def _body(page: dict[str, Any], related: list[dict[str, Any]]) -> str:
    if "seed_lines" in page:
        return _seed_body(page)
    outlet = page["outlet"]
    blocks: list[str] = []
    after: dict[int, list[str]] = {}
    for n, (at, source, how) in enumerate(page.get("pull_quotes", [])):
        after.setdefault(at, []).append(_quote_markup(outlet, _pull_quote_text(page, source, how), n))
    also = _read_also(page, related)
    for i, text in enumerate(page["paragraphs"]):
        blocks.append(f"<p>{E(text)}</p>")
        if i == 0 and outlet == "wadi-news" and also:
            blocks.append(f'<p class="read-also"><strong>{READ_ALSO}</strong> <a href="{also["path"]}">'
                          f'{E(also["title"])}</a></p>')
        if i == 1 and page.get("headline_again"):
            blocks.append(f"<p>و{E(page['title'])}.</p>")
        if i == 2 and outlet == "khaleej-daily":
            blocks.append(f'<p class="wa-promo"><a href="https://wa.me/000">{E(KHALEEJ_WHATSAPP)}</a></p>')
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


def _byline(page: dict[str, Any]) -> str:
    author = page.get("author")
    if not author:
        return ""
    if page["outlet"] == "sahel-post":
        return f'<span class="author">كتب: <a rel="author" href="/sahel/author/{page["slug"]}">{E(author)}</a></span>'
    if page["outlet"] == "khaleej-daily":
        return f'<span class="author">{E(author)} - {E(OUTLETS["khaleej-daily"]["name"])}</span>'
    return f'<span class="author">بقلم: {E(author)}</span>'


def _json_ld(page: dict[str, Any], base_url: str) -> str:
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": page["title"],
            "datePublished": page["published"].isoformat(), "inLanguage": "ar",
            "mainEntityOfPage": f"{base_url}{page['path']}",
            "publisher": {"@type": "Organization", "name": OUTLETS[page["outlet"]]["name"]}}
    if page.get("author"):
        data["author"] = {"@type": "Person", "name": page["author"]}
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'


def render_page(page: dict[str, Any], related: list[dict[str, Any]], base_url: str) -> str:
    name = page["outlet"]
    outlet = OUTLETS[name]
    title = page["title"]
    when: datetime = page["published"]
    has_meta = page["date_style"] == "meta"
    date_text = _date_text(page)
    section = page.get("section", "أخبار")
    section_no = NAV.index(section) if section in NAV else len(NAV)
    nav = "".join(f'<li><a href="{outlet["prefix"]}/section/{i}">{E(n)}</a></li>' for i, n in enumerate(NAV))
    rel = "".join(f'<li><a href="{r["path"]}">{E(r["title"])}</a></li>' for r in related)
    head = [f'<meta charset="{outlet["encoding"]}">', f"<title>{E(title)} | {E(outlet['name'])}</title>",
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta name="description" content="{E(page["paragraphs"][0][:160])}">']
    if name != "khaleej-daily":  # an older CMS: no canonical, no Open Graph
        head += [f'<link rel="canonical" href="{base_url}{page["path"]}">',
                 f'<meta property="og:title" content="{E(title)}">',
                 f'<meta property="og:site_name" content="{E(outlet["name"])}">', '<meta property="og:type" content="article">']
    if has_meta:
        head.append(f'<meta property="article:published_time" content="{when.isoformat()}">')
        if name == "sahel-post":
            head.append(_json_ld(page, base_url))
    head += [f'<link rel="alternate" type="application/{outlet["kind"]}+xml" href="{outlet["feed"]}">',
             '<script async src="/static/analytics.js"></script>',
             '<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}'
             'gtag("js",new Date());gtag("config","G-DEMO000");</script>',
             '<style>body{font-family:Tahoma,sans-serif}.pullquote,.quote-box{font-size:1.4em}</style>']
    chrome_top = (
        '<div id="cookie-banner" class="cookie-consent">نستخدم ملفات تعريف الارتباط (الكوكيز) لتحسين تجربتك '
        'على موقعنا وتحليل الزيارات. <a href="/privacy">اعرف المزيد</a> <button>موافق</button></div>'
        f'<header class="site-header"><a class="logo" href="{outlet["prefix"]}/">{E(outlet["name"])}</a>'
        f'<nav class="main-menu"><ul>{nav}</ul></nav>'
        '<div class="ticker"><span>عاجل:</span> متابعة مستمرة لآخر التطورات المحلية والدولية على مدار الساعة</div>'
        '</header>'
        f'<nav class="breadcrumb"><a href="{outlet["prefix"]}/">الرئيسية</a> › '
        f'<a href="{outlet["prefix"]}/section/{section_no}">{E(section)}</a> › <span>{E(title[:40])}…</span></nav>'
    )
    share = ('<div class="share"><span>شارك الخبر:</span> <a href="#">فيسبوك</a> <a href="#">تويتر</a> '
             '<a href="#">واتساب</a> <a href="#">تلغرام</a> <a href="#">نسخ الرابط</a></div>')
    byline = _byline(page)
    date_html = f'<time class="date">{E(date_text)}</time>' if date_text else ""
    tag = f'<a class="tag" href="{outlet["prefix"]}/tag/{section_no}">{E(page.get("tag") or section)}</a>'
    article = (
        f'<article class="story"><header class="story-head">{tag}<h1 class="story-title">{E(title)}</h1>'
        f'<div class="byline">{byline} {date_html}</div></header>{share}{_standfirst(page)}'
        f'<figure class="lead-image"><img src="/img/{page["slug"]}.jpg" alt="{E(title)}">'
        f'<figcaption>صورة أرشيفية</figcaption></figure>'
        f'<div class="story-body">\n{_body(page, related)}\n</div>'
        f'<div class="tags">الكلمات المفتاحية: <a href="#">{E(section)}</a></div>{share}</article>'
    )
    chrome_bottom = (
        f'<aside class="related"><h3>اقرأ أيضا</h3><ul>{rel}</ul></aside>'
        '<div class="newsletter"><h4>النشرة البريدية</h4><p>اشترك في نشرتنا البريدية لتصلك أهم الأخبار يوميا</p>'
        '<form><input type="email" placeholder="بريدك الإلكتروني"><button>اشتراك</button></form></div>'
        f'<div class="most-read"><h4>الأكثر قراءة</h4><ol>{rel}</ol></div>'
        '<footer class="site-footer"><ul><li><a href="/about">من نحن</a></li><li><a href="/contact">اتصل بنا</a></li>'
        '<li><a href="/privacy">سياسة الخصوصية</a></li><li><a href="/terms">شروط الاستخدام</a></li>'
        '<li><a href="/ads">أعلن معنا</a></li></ul>'
        f'<p>جميع الحقوق محفوظة © {when.year} {E(outlet["name"])}</p></footer>'
        '<script src="/static/app.js"></script><script>var ads = {slot: "article-bottom", lazy: true};</script>'
    )
    return (f'<!DOCTYPE html>\n<html lang="ar" dir="rtl">\n<head>{"".join(head)}</head>\n<body>{chrome_top}'
            f'<main class="container">{article}</main>{chrome_bottom}</body>\n</html>\n')


# ------------------------------------------------------------------------------------------- feeds

RELATIVE_AT, TRACKING_AT, NO_LINK_AT = 2, 3, 1  # positions in wadi-news's feed (newest first)
TRACKING = "?utm_source=rss&utm_medium=feed&utm_campaign=demo"


def _rss(outlet_name: str, pages: list[dict[str, Any]], base_url: str) -> str:
    outlet = OUTLETS[outlet_name]
    wadi = outlet_name == "wadi-news"
    items = []
    for n, page in enumerate(pages):
        link = f"{base_url}{page['path']}"
        if wadi and n == RELATIVE_AT:  # relative to the feed's own URL: /wadi/rss.xml -> /wadi/2024/...
            link = page["path"].removeprefix(outlet["prefix"] + "/")
        if wadi and n == TRACKING_AT:
            link += TRACKING
        summary = page["paragraphs"][0][:200]
        description = (f"<![CDATA[<p>{summary}</p>]]>" if outlet["encoding"] != "utf-8"
                       else E(f"<p>{E(summary)}</p>"))
        items.append(
            f"<item><title>{E(page['title'])}</title><link>{E(link)}</link>"
            f'<guid isPermaLink="false">{outlet_name}-{page["slug"]}</guid>'
            f"<pubDate>{format_datetime(page['published'])}</pubDate>"
            f"<category>{E(page.get('section', 'أخبار'))}</category>"
            f"<description>{description}</description>"
            + (f"<dc:creator>{E(page['author'])}</dc:creator>" if page.get("author") else "") + "</item>"
        )
    if wadi:  # a live-coverage entry with no article link: the crawler must skip and count it
        items.insert(NO_LINK_AT, "<item><title>تغطية مباشرة: تطورات الحالة الجوية</title>"
                                 "<description>تابعوا التحديثات أولا بأول</description>"
                                 '<guid isPermaLink="false">live-weather</guid></item>')
    newest = format_datetime(max(p["published"] for p in pages))
    return (f'<?xml version="1.0" encoding="{outlet["encoding"]}"?>\n'
            '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
            f'<title>{E(outlet["name"])}</title><link>{base_url}{outlet["prefix"]}/</link>'
            f'<description>آخر الأخبار من {E(outlet["name"])}</description><language>ar</language>'
            f'<lastBuildDate>{newest}</lastBuildDate><ttl>30</ttl>\n' + "\n".join(items) + "\n</channel></rss>\n")


def _atom(outlet_name: str, pages: list[dict[str, Any]], base_url: str) -> str:
    outlet = OUTLETS[outlet_name]
    entries = []
    for page in pages:
        entries.append(
            f'<entry><title>{E(page["title"])}</title>'
            f'<link rel="alternate" type="text/html" href="{base_url}{page["path"]}"/>'
            f'<id>tag:{outlet["host"]},2024:{page["slug"]}</id><published>{page["published"].isoformat()}</published>'
            f'<updated>{page["published"].isoformat()}</updated><summary>{E(page["paragraphs"][0][:200])}</summary>'
            + (f'<author><name>{E(page["author"])}</name></author>' if page.get("author") else "")
            + f'<category term="{E(page.get("section", "أخبار"))}"/></entry>'
        )
    entries.append(entries[0])  # the same entry twice, as some CMSs do: counted as a duplicate entry
    updated = max(p["published"] for p in pages).isoformat()
    return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ar">'
            f'<title>{E(outlet["name"])}</title><subtitle>آخر الأخبار</subtitle>'
            f'<id>tag:{outlet["host"]},2024:feed</id><updated>{updated}</updated>'
            f'<link rel="self" href="{base_url}{outlet["feed"]}"/>'
            f'<link rel="alternate" href="{base_url}{outlet["prefix"]}/"/>\n' + "\n".join(entries) + "\n</feed>\n")


def _news_sitemap(pages: list[dict[str, Any]], base_url: str) -> str:
    urls = "".join(
        f'<url><loc>{base_url}{p["path"]}</loc><news:news><news:publication><news:name>بريد الساحل</news:name>'
        f'<news:language>ar</news:language></news:publication>'
        f'<news:publication_date>{p["published"].isoformat()}</news:publication_date>'
        f'<news:title>{E(p["title"])}</news:title></news:news></url>\n'
        for p in pages
    )
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n{urls}</urlset>\n')


# ------------------------------------------------------------------------------------------- site

def _by_outlet(pages: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Each outlet's pages, newest first (the order of its feed)."""
    return {name: sorted((p for p in pages if p["outlet"] == name), key=lambda p: p["published"], reverse=True)
            for name in OUTLETS}


def _related(own: list[dict[str, Any]], page: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in own if p is not page][:4]


def build_site(base_url: str) -> dict[str, tuple[str, bytes]]:
    """path -> (Content-Type, body) for every URL of the demo site. Deterministic for a given base_url."""
    base_url = base_url.rstrip("/")
    site: dict[str, tuple[str, bytes]] = {}
    by_outlet = _by_outlet(_pages())
    for name, outlet in OUTLETS.items():
        own = by_outlet[name]
        utf8 = outlet["encoding"] == "utf-8"
        for page in own:
            body = render_page(page, _related(own, page), base_url).encode(outlet["encoding"])
            # khaleej-daily declares its charset only inside the page, as many older sites do
            site[page["path"]] = ("text/html; charset=utf-8" if utf8 else "text/html", body)
        if outlet["kind"] == "atom":
            site[outlet["feed"]] = ("application/atom+xml", _atom(name, own, base_url).encode("utf-8"))
        else:
            # windows-1256 declared only in the XML prolog: the header says nothing
            site[outlet["feed"]] = ("application/rss+xml; charset=utf-8" if utf8 else "application/rss+xml",
                                    _rss(name, own, base_url).encode(outlet["encoding"]))
    site[SITEMAP] = ("application/xml", _news_sitemap(by_outlet["sahel-post"][:3], base_url).encode("utf-8"))
    site["/robots.txt"] = ("text/plain; charset=utf-8",
                           f"User-agent: *\nDisallow:\n\nSitemap: {base_url}{SITEMAP}\n".encode())
    site["/"] = ("text/html; charset=utf-8", (
        '<!DOCTYPE html>\n<html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>موقع العرض</title></head><body>'
        + "".join(f'<p><a href="{o["feed"]}">{E(o["name"])}</a></p>' for o in OUTLETS.values())
        + "</body></html>\n").encode("utf-8"))
    return site


def sources_toml(base_url: str) -> str:
    """The demo's outlets in the format of settings/sources.toml."""
    base_url = base_url.rstrip("/")
    return "\n".join(
        f'[[source]]\nname = "{name}"\ntitle = "{o["name"]}"\nfeeds = ["{base_url}{o["feed"]}"]\nlanguage = "ar"\n'
        for name, o in OUTLETS.items()
    )


# ------------------------------------------------------------------------------------------- ground truth

def _removed(page: dict[str, Any], related: list[dict[str, Any]]) -> list[dict[str, str | None]]:
    """What the page repeats or adds to its body, in page order of kinds: what a correct pipeline drops.

    kind: "pull_quote" (of: the body paragraph it copies), "standfirst" (of: the lead), "headline" (of: the
    title) or "boilerplate" (of: None). Some of these never reach the extractor: trafilatura drops <aside>.
    """
    if "seed_lines" in page:
        s = page["seed_lines"]
        return [{"text": s[6], "kind": "pull_quote", "of": s[4]},
                {"text": s[8], "kind": "headline", "of": s[2]},
                {"text": s[13], "kind": "pull_quote", "of": s[10]}]
    out: list[dict[str, str | None]] = []
    if page.get("standfirst"):
        out.append({"text": _standfirst_text(page), "kind": "standfirst", "of": page["paragraphs"][0]})
    if page.get("headline_again"):
        out.append({"text": f"و{page['title']}.", "kind": "headline", "of": page["title"]})
    for _, source, how in page.get("pull_quotes", []):
        out.append({"text": _pull_quote_text(page, source, how), "kind": "pull_quote",
                    "of": page["paragraphs"][source]})
    also = _read_also(page, related)
    if page["outlet"] == "wadi-news":
        if also:
            out.append({"text": f"{READ_ALSO} {also['title']}", "kind": "boilerplate", "of": None})
        out.append({"text": FOLLOW_US, "kind": "boilerplate", "of": None})
    elif page["outlet"] == "sahel-post":
        out.append({"text": SAHEL_COPYRIGHT, "kind": "boilerplate", "of": None})
    else:
        out.append({"text": KHALEEJ_WHATSAPP, "kind": "boilerplate", "of": None})
    return out


def _expected() -> dict[str, Any]:
    pages = _pages()
    by_outlet = _by_outlet(pages)
    seed = next(p for p in pages if "seed_lines" in p)
    wadi = by_outlet["wadi-news"]
    per_page: dict[str, dict[str, Any]] = {}
    for name, own in by_outlet.items():
        for p in own:
            per_page[p["path"]] = {
                "source": name,
                "title": p["title"],
                "author": p.get("author") or None,
                "published": p["published"].isoformat(),     # the feed's date (RSS pubDate, Atom published)
                "date": p["published"].date().isoformat(),
                "date_text": _date_text(p) or None,           # the date as the page shows it
                "date_style": p["date_style"],
                "month_system": DATE_STYLES[p["date_style"]] if _date_text(p) else None,
                "meta_published_time": p["date_style"] == "meta",
                "paragraphs": list(p["paragraphs"]),          # the clean body, in order
                "removed": _removed(p, _related(own, p)),
                "copy_of": p["copy_of"],
            }
    systems: dict[str, list[str]] = {}
    for path, info in per_page.items():
        if info["date_text"]:
            systems.setdefault(info["month_system"], []).append(path)
            if info["date_style"] == "dual":
                systems.setdefault("egyptian", []).append(path)
    return {
        "articles": len(pages),
        "per_source": {name: len(own) for name, own in by_outlet.items()},
        "feeds": [o["feed"] for o in OUTLETS.values()],
        "cross_outlet_copies": [(p["copy_of"], p["path"]) for p in pages if p["copy_of"]],  # (original, copy)
        "entries_without_link": 1,
        "duplicate_entries": 1,
        "relative_links": 1,
        "relative_link_path": wadi[RELATIVE_AT]["path"],
        "tracking_link_path": wadi[TRACKING_AT]["path"],
        "seed_path": seed["path"],
        "pull_quotes": sum(len(p.get("pull_quotes", [])) for p in pages) + 2,
        "headlines_again": sum(bool(p.get("headline_again")) for p in pages) + 1,
        "standfirsts": sum(bool(p.get("standfirst")) for p in pages),
        # lines every body of an outlet carries (wadi-news also has one "اقرأ أيضا: <title>" line a page)
        "boilerplate_lines": {"wadi-news": [FOLLOW_US], "sahel-post": [SAHEL_COPYRIGHT],
                              "khaleej-daily": [KHALEEJ_WHATSAPP]},
        "no_date_on_page": [path for path, i in per_page.items() if not i["date_text"]],
        "meta_published_time": [path for path, i in per_page.items() if i["meta_published_time"]],
        "month_systems": {k: sorted(v) for k, v in sorted(systems.items())},
        "arabic_indic_digits": [path for path, i in per_page.items() if i["date_style"].startswith("indic")],
        "sitemap": SITEMAP,
        "sitemap_paths": [p["path"] for p in by_outlet["sahel-post"][:3]],
        "windows_1256": [OUTLETS["khaleej-daily"]["feed"], *(p["path"] for p in by_outlet["khaleej-daily"])],
        "pages": per_page,
    }


EXPECTED = _expected()


# ------------------------------------------------------------------------------------------- server

class DemoServer(MockServer):
    """`with DemoServer() as server:` serves the demo site on 127.0.0.1 (port 0: a free port) in a daemon thread.

    server.base_url is "http://127.0.0.1:PORT"; server.hits counts the paths requested (query strings dropped)
    and server.log is the access log. Pages answer conditional GETs (ETag, Last-Modified) as real sites do.
    page_delay: seconds each HTML page waits before it is answered (feeds, sitemap and robots.txt never wait).
    """

    def __init__(self, port: int = 0, page_delay: float = 0.0) -> None:
        super().__init__(port, name="DemoNews/1.0", conditional=True)
        self.page_delay = page_delay

    def __enter__(self) -> "DemoServer":
        super().__enter__()
        self.pages(build_site(self.base_url), html_delay=self.page_delay)
        return self
