"""`python -m crawler sources discover URL`: find a site's feeds and news sitemaps, print a [[source]] block.

Looks where sites announce them (<link rel="alternate">, links named rss/feed, robots.txt `Sitemap:`)
and then at the common paths; every candidate is fetched and kept only if it parses with entries.
"""
from __future__ import annotations

import logging
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html

from crawler.encoding import decode_body
from crawler.feeds import looks_like_feed, parse_feed, parse_sitemap
from crawler.urls import is_http_url, same_site

LOGGER = logging.getLogger(__name__)

COMMON_FEED_PATHS = ("/feed", "/rss", "/rss.xml", "/feed.xml", "/atom.xml", "/index.xml", "/feeds/posts/default",
                     "/?feed=rss2", "/ar/rss", "/arabic/rss.xml")
COMMON_SITEMAP_PATHS = ("/news-sitemap.xml", "/sitemap_news.xml", "/sitemap-news.xml", "/googlenews.xml",
                        "/sitemap.xml")
MAX_BYTES = 5 * 1024 * 1024
_FEED_WORDS = re.compile(r"(rss|feed|atom)", re.IGNORECASE)


@dataclass
class Discovery:
    site: str
    feeds: dict[str, int] = field(default_factory=dict)  # URL -> entries
    sitemaps: dict[str, str] = field(default_factory=dict)  # URL -> kind
    problems: list[str] = field(default_factory=list)

    def source_block(self) -> str:
        host = (urlsplit(self.site).hostname or "site").removeprefix("www.")
        name = re.sub(r"[^a-z0-9]+", "-", host.lower()).strip("-")
        lines = ["[[source]]", f'name = "{name}"']
        if self.feeds:
            lines.append("feeds = [" + ", ".join(f'"{u}"' for u in self.feeds) + "]")
        news = [u for u, k in self.sitemaps.items() if k == "news_sitemap"] or list(self.sitemaps)
        if news:
            lines.append("sitemaps = [" + ", ".join(f'"{u}"' for u in news) + "]")
        if not self.feeds and not news:
            lines.append(f'pages = ["{self.site}"]  # no feed or sitemap found: follow article links from the page')
        lines.append('language = "ar"')
        return "\n".join(lines)


def _fetch(url: str, user_agent: str, timeout: float) -> tuple[bytes, str] | None:
    request = urllib.request.Request(url, headers={"User-Agent": user_agent})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http(s) checked)
            return response.read(MAX_BYTES), response.headers.get("Content-Type", "")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        LOGGER.debug("discover: %s: %s", url, exc)
        return None


def discover(site: str, user_agent: str = "arabic-news-crawler", timeout: float = 15.0) -> Discovery:
    if not is_http_url(site):
        raise ValueError(f"not an http(s) URL: {site}")
    found = Discovery(site)
    candidates: list[str] = []
    page = _fetch(site, user_agent, timeout)
    if page is None:
        found.problems.append(f"could not fetch {site}")
    else:
        text, _ = decode_body(page[0], page[1])
        try:
            tree = lxml_html.fromstring(text)
            for link in tree.xpath("//link[@rel='alternate' or @rel='feed'][@href]"):
                if re.search(r"rss|atom|xml", link.get("type", "") + link.get("href", ""), re.IGNORECASE):
                    candidates.append(urljoin(site, link.get("href")))
            for a in tree.xpath("//a[@href]"):
                href = urljoin(site, a.get("href"))
                if _FEED_WORDS.search(href) and same_site(href, site):
                    candidates.append(href)
        except (lxml_html.etree.ParserError, ValueError):
            found.problems.append(f"{site} is not an HTML page")
    root = f"{urlsplit(site).scheme}://{urlsplit(site).netloc}"
    robots = _fetch(root + "/robots.txt", user_agent, timeout)
    sitemap_candidates = []
    if robots:
        for line in robots[0].decode("utf-8", errors="replace").splitlines():
            if line.lower().startswith("sitemap:"):
                sitemap_candidates.append(line.split(":", 1)[1].strip())
    candidates += [root + p for p in COMMON_FEED_PATHS]
    sitemap_candidates += [root + p for p in COMMON_SITEMAP_PATHS]
    for url in dict.fromkeys(candidates):
        got = _fetch(url, user_agent, timeout) if is_http_url(url) else None
        if got and looks_like_feed(got[0], got[1]):
            parsed = parse_feed(got[0], url, {"content-type": got[1]})
            if parsed.kind in ("sitemap", "news_sitemap", "sitemap_index"):
                found.sitemaps[url] = parsed.kind
            elif parsed.entries:
                found.feeds[url] = len(parsed.entries)
    for url in dict.fromkeys(sitemap_candidates):
        if url in found.sitemaps:
            continue
        got = _fetch(url, user_agent, timeout) if is_http_url(url) else None
        if got:
            parsed = parse_sitemap(got[0], url)
            if not parsed.error:
                found.sitemaps[url] = parsed.kind
    return found
