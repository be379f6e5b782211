"""A local mirror of heavy Arabic news pages behind feeds, for the benchmarks, served by the project's mock
server (crawler/demo/server.py).

Article text comes from ../shared/data (real corpora, read here and never copied into the project) when it
is beside the checkout, else from the demo site's stories. Each page carries ~150 KB of what real news
pages carry: inline scripts, style sheets, mega-menus, related-article lists, JSON-LD, a comments widget.
"""
from __future__ import annotations

import html
import json
import random
from pathlib import Path

from crawler.demo.server import MockServer  # bench/run.py puts the repository on sys.path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
E = html.escape


def article_texts(n: int) -> list[tuple[str, list[str]]]:
    """(title, paragraphs) for n articles."""
    texts: list[tuple[str, list[str]]] = []
    for path in sorted((SHARED / "saudinewsnet").glob("*.json")):
        for a in json.loads(path.read_text(encoding="utf-8")):
            paras = [p.strip() for p in a["content"].split("\n") if len(p.strip()) > 30]
            if len(paras) >= 3 and a.get("title"):
                texts.append((a["title"].strip(), paras))
            if len(texts) >= n:
                return texts
    from crawler.demo.articles import STORIES

    while len(texts) < n:  # no corpus beside the checkout: recycle the demo stories
        s = STORIES[len(texts) % len(STORIES)]
        texts.append((f'{s["title"]} ({len(texts)})', s["paragraphs"]))
    return texts


def _chrome(rng: random.Random) -> tuple[str, str]:
    menu = "".join(f'<li class="menu-item"><a href="/section/{i}">قسم رقم {i}</a><ul class="sub">'
                   + "".join(f'<li><a href="/section/{i}/{j}">فرع {j}</a></li>' for j in range(8)) + "</ul></li>"
                   for i in range(30))
    script = "".join(f"function f{i}(a,b){{var x={rng.randint(0, 10**9)};if(a>b){{return a*x+b}}"
                     f"return window.dataLayer&&window.dataLayer.push({{e:'ev{i}',v:x}})}}\n" for i in range(600))
    style = "".join(f".c{i}{{margin:{i % 7}px;padding:{i % 5}px;color:#{i * 9973 % 0xffffff:06x}}}\n" for i in range(900))
    head = f"<style>{style}</style><script>{script}</script>"
    top = f'<header><div class="logo">شبكة الأخبار</div><nav><ul class="mega">{menu}</ul></nav></header>'
    return head, top


def render(title: str, paragraphs: list[str], related: list[str], rng: random.Random, head: str, top: str) -> bytes:
    body = "".join(f"<p>{E(p)}</p>" for p in paragraphs)
    rel = "".join(f'<li><a href="/r/{i}">{E(t)}</a></li>' for i, t in enumerate(related))
    comments = "".join(f'<div class="comment"><b>زائر {i}</b><p>تعليق رقم {i} على الخبر</p></div>' for i in range(15))
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
                     "datePublished": "2015-08-10T09:00:00+03:00"}, ensure_ascii=False)
    tail_script = "".join(f"ads.push({{slot:'s{i}',size:[300,250],k:{rng.randint(0, 10**6)}}});" for i in range(300))
    page = (f'<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{E(title)}</title>'
            f'<script type="application/ld+json">{ld}</script>{head}</head><body>{top}'
            f'<main><article><h1>{E(title)}</h1><div class="meta">10 أغسطس 2015</div>{body}</article>'
            f'<aside class="related"><h3>اقرأ أيضا</h3><ul>{rel}</ul></aside>'
            f'<section class="comments">{comments}</section></main>'
            f'<footer><ul>{rel}</ul><p>جميع الحقوق محفوظة</p></footer><script>{tail_script}</script></body></html>')
    return page.encode("utf-8")


def build_mirror(n_pages: int = 500, outlets: int = 5, seed: int = 7) -> dict[str, tuple[str, bytes]]:
    rng = random.Random(seed)
    head, top = _chrome(rng)
    texts = article_texts(n_pages)
    titles = [t for t, _ in texts]
    site: dict[str, tuple[str, bytes]] = {}
    for i, (title, paragraphs) in enumerate(texts):
        site[f"/o{i % outlets}/a/{i}.html"] = ("text/html; charset=utf-8",
                                                render(title, paragraphs, rng.sample(titles, 20), rng, head, top))
    return site


def feeds_for(site: dict[str, tuple[str, bytes]], base_url: str, outlets: int = 5) -> dict[str, tuple[str, bytes]]:
    feeds = {}
    for o in range(outlets):
        items = "".join(f"<item><title>خبر {p}</title><link>{base_url}{p}</link></item>"
                        for p in site if p.startswith(f"/o{o}/"))
        feeds[f"/o{o}/rss.xml"] = ("application/rss+xml; charset=utf-8",
                                   f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                                   f"<title>o{o}</title>{items}</channel></rss>".encode())
    return feeds


class MirrorServer(MockServer):
    """`with MirrorServer(site) as server:` the pages and, once its address is known, the outlets' feeds."""

    def __init__(self, site: dict[str, tuple[str, bytes]], outlets: int = 5) -> None:
        super().__init__(name="MirrorNews/1.0")
        self.site, self.outlets = dict(site), outlets

    def __enter__(self) -> "MirrorServer":
        super().__enter__()
        self.site.update(feeds_for(self.site, self.base_url, self.outlets))
        self.pages(self.site)
        return self

    def sources_toml(self) -> str:
        return "\n".join(f'[[source]]\nname = "outlet-{o}"\nfeeds = ["{self.base_url}/o{o}/rss.xml"]\n'
                         for o in range(self.outlets))
