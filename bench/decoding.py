#!/usr/bin/env python3
"""How often the decoder (crawler/encoding.py) gives back the exact text, on real documents in every charset
and every way of (mis)declaring it.

Real Arabic articles (../shared/data/ant-multisource, read at run time, never copied into the project) are
written as a page and as an RSS item in UTF-8, windows-1256 and ISO-8859-6, declared in the header, in the
document, both, nowhere, wrongly, or as the other Arabic table; UTF-8 ones also with two stray bytes inside
a letter. Real English pages (../shared/data/scrapinghub-aeb) are written in UTF-8 and windows-1252. A
document counts as right when the decoded text equals the text it was written from (U+FFFD aside for the
stray bytes).

    .venv/bin/python bench/decoding.py [--articles N] [--compare REV]

--compare REV adds the decoders of a git revision beside today's: its crawler/encoding.py `decode_html`
and, if it has one, its crawler/feeds.py `decode_feed` (the two decoders before they were merged: bf8bec0).
"""
from __future__ import annotations

import argparse
import collections
import glob
import gzip
import html
import random
import re
import subprocess
import sys
import types
from pathlib import Path
from typing import Callable, Iterator

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))

from crawler.encoding import decode_body  # noqa: E402

Decoder = Callable[[bytes, str], tuple[str, str]]
LABEL = {"cp1256": "windows-1256", "iso8859-6": "iso-8859-6", "utf-8": "utf-8", "cp1252": "windows-1252"}
OTHER_TABLE = {"cp1256": "iso-8859-6", "iso8859-6": "windows-1256"}
_TAG = {name: re.compile(f"<{name}>(.*?)</{name}>", re.S) for name in ("TITLE", "TEXT")}
_META_CHARSET = re.compile(r"""(<meta[^>]*charset\s*=\s*["']?)([\w-]+)""", re.I)


def decoders_at(revision: str) -> dict[str, Decoder]:
    """The decoders a git revision had, loaded from its source without checking it out."""
    found: dict[str, Decoder] = {}
    for path, name in (("crawler/encoding.py", "decode_html"), ("crawler/feeds.py", "decode_feed")):
        source = subprocess.run(["git", "show", f"{revision}:{path}"], cwd=ROOT, capture_output=True, text=True)
        if source.returncode:
            continue
        module = types.ModuleType(f"{revision}:{path}")
        sys.modules[module.__name__] = module  # dataclasses look their module up there
        exec(compile(source.stdout, module.__name__, "exec"), module.__dict__)  # noqa: S102 - our own history
        if hasattr(module, name):
            found[f"{revision} {path.split('/')[1][:-3]}"] = getattr(module, name)
    return found


def arabic_articles(n: int) -> list[tuple[str, list[str]]]:
    files = sorted(glob.glob(str(SHARED / "ant-multisource" / "files" / "*" / "*" / "*.txt")))
    random.Random(3).shuffle(files)
    articles = []
    for path in files[:n]:
        raw = Path(path).read_text(encoding="utf-8")
        title, text = (_TAG[tag].search(raw) for tag in ("TITLE", "TEXT"))
        if title and text:
            articles.append((title.group(1).strip(), [p for p in text.group(1).split("\n") if p.strip()]))
    return articles


def as_page(title: str, paragraphs: list[str], declared: str | None) -> str:
    meta = f'<meta charset="{declared}">' if declared else ""
    return (f'<!DOCTYPE html><html lang="ar"><head>{meta}<title>{html.escape(title)}</title></head><body>'
            f'<article>{"".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)}</article></body></html>')


def as_feed(title: str, paragraphs: list[str], declared: str | None) -> str:
    prolog = f'<?xml version="1.0" encoding="{declared}"?>' if declared else '<?xml version="1.0"?>'
    return (f'{prolog}<rss version="2.0"><channel><title>أخبار</title><item><title>{html.escape(title)}</title>'
            f"<link>https://x.example/a</link><description>{html.escape(paragraphs[0])}</description></item>"
            "</channel></rss>")


def declarations(encoding: str) -> Iterator[tuple[str, str | None, str | None]]:
    """(what, header charset, the document's own declaration)"""
    label = LABEL[encoding]
    yield "header and document", label, label
    yield "document only", None, label
    yield "header only", label, None
    yield "nowhere", None, None
    yield "header utf-8 (wrong), document right", "utf-8", label
    yield "header utf-8 (wrong), no document", "utf-8", None
    yield "header iso-8859-1, document right", "iso-8859-1", label
    yield "header iso-8859-1, no document", "iso-8859-1", None
    if encoding in OTHER_TABLE:
        yield "header: the other Arabic table", OTHER_TABLE[encoding], None
        yield "document: the other Arabic table", None, OTHER_TABLE[encoding]
    if encoding == "utf-8":
        yield "header windows-1256 (wrong)", "windows-1256", "utf-8"


def score_arabic(articles, decoders: dict[str, Decoder], results: dict) -> None:
    for title, paragraphs in articles:
        for kind, write in (("page", as_page), ("feed", as_feed)):
            for encoding, stray in (("utf-8", False), ("cp1256", False), ("iso8859-6", False), ("utf-8", True)):
                for what, header, declared in declarations(encoding):
                    body = write(title, paragraphs, declared).encode(encoding, errors="xmlcharrefreplace")
                    if stray:  # inside a letter of the body: a lead byte, two stray bytes, a continuation byte
                        cut = body.index(b"<p>" if kind == "page" else b"<description>") + 20
                        body = body[:cut] + b"\xff\xfe" + body[cut:]
                    truth = body.decode(encoding, errors="replace").replace("\ufffd", "")
                    row = results[(kind, encoding + (" + 2 stray bytes" if stray else ""), what)]
                    row["documents"] += 1
                    content_type = f"text/html; charset={header}" if header else "text/html"
                    for name, decode in decoders.items():
                        row[name] += decode(body, content_type)[0].replace("\ufffd", "") == truth


def score_english(decoders: dict[str, Decoder], results: dict) -> None:
    for path in sorted(glob.glob(str(SHARED / "scrapinghub-aeb" / "html" / "*.html.gz"))):
        page = gzip.open(path).read().decode("utf-8")
        for encoding in ("utf-8", "cp1252"):
            label = LABEL[encoding]
            for what, header, in_document in (("header and document", label, True), ("document only", None, True),
                                              ("header only", label, False), ("nowhere", None, False),
                                              ("header iso-8859-1, document right", "iso-8859-1", True)):
                text = _META_CHARSET.sub(lambda m: m.group(1) + (label if in_document else "x-none"), page)
                body = text.encode(encoding, errors="xmlcharrefreplace")
                row = results[("English page", encoding, what)]
                row["documents"] += 1
                content_type = f"text/html; charset={header}" if header else "text/html"
                for name, decode in decoders.items():
                    row[name] += decode(body, content_type)[0] == body.decode(encoding)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=600, help="Arabic articles to use (the sample has 2,045)")
    parser.add_argument("--compare", metavar="REV", help="also run the decoders of this git revision")
    args = parser.parse_args()
    if not (SHARED / "ant-multisource").is_dir():
        print(f"no {SHARED}: this benchmark reads real documents from beside the checkout", file=sys.stderr)
        return 1
    decoders: dict[str, Decoder] = {"today": decode_body, **(decoders_at(args.compare) if args.compare else {})}
    results: dict = collections.defaultdict(collections.Counter)
    score_arabic(arabic_articles(args.articles), decoders, results)
    score_english(decoders, results)
    names = list(decoders)
    print(f"{'document':12} {'written in':24} {'declared':38} {'n':>5}  " + "  ".join(f"{n:>20}" for n in names))
    totals: collections.Counter = collections.Counter()
    for (kind, encoding, what), row in results.items():
        totals.update(row)
        print(f"{kind:12} {encoding:24} {what:38} {row['documents']:5}  "
              + "  ".join(f"{row[n]:20}" for n in names))
    print(f"{'all':76} {totals['documents']:5}  " + "  ".join(f"{totals[n]:20}" for n in names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
