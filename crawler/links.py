"""Which links on a section or front page are articles: the default URL heuristics and a per-source override."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

# /2024/03/11/..., /2024-03-11/...
_DATED = re.compile(r"/(19|20)\d\d[/-](0?[1-9]|1[0-2])([/-]|$)")
# a numeric id of 4+ digits, as a segment or at the end of a slug: /news/123456, /story-98765.html
_NUMERIC_ID = re.compile(r"(^|[/_-])\d{4,}(\.html?|\.php|/|$)")
_SLUG = re.compile(r"[^/]*-[^/]*-[^/]*-[^/]*$")  # a slug of four or more words
_NOT_ARTICLES = re.compile(
    r"/(tag|tags|category|categories|section|sections|author|authors|writer|page|search|login|register|about|"
    r"contact|privacy|terms|rss|feed|newsletter|subscribe|video|videos|gallery|photos|live|topics?|archive|"
    r"wp-admin|wp-login|cdn-cgi|static|assets|img|images)(/|$)",
    re.IGNORECASE,
)
_FILES = re.compile(r"\.(jpe?g|png|gif|webp|svg|pdf|zip|mp3|mp4|css|js|xml|json)$", re.IGNORECASE)


def looks_like_article(url: str, pattern: str | None = None) -> bool:
    """Default: a dated path, a numeric id or a long slug, and nothing that names a listing or a file."""
    if pattern:
        return re.search(pattern, url) is not None
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if not path or path.count("/") < 1 or _FILES.search(path) or _NOT_ARTICLES.search(path + "/"):
        return False
    return bool(_DATED.search(path) or _NUMERIC_ID.search(path) or _SLUG.search(path)
                or (path.endswith((".html", ".htm")) and path.count("/") >= 2))
