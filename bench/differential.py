#!/usr/bin/env python3
"""Differential harness: our extraction against `trafilatura.extract` with its default settings, page by page.

Every page set we have goes through both (part of `make eval`; alone: `.venv/bin/python bench/differential.py`):

  fixtures         tests/fixtures/layouts (one page per layout class, bench/layout_pages.py) and the feeds'
                   sample article page
  demo             the bundled demo site (crawler/demo), its written ground truth
  kit              the evaluation kit's pages (real ANT articles with pull quotes, ../shared/eval/public.py)
  arabic-html-gt   two real Arabic pages with expected text (../shared/data/arabic-html-gt)
  scrapinghub-aeb  181 real English pages with their articleBody (../shared/data/scrapinghub-aeb)
  mirror           the benchmark's heavy pages (SaudiNewsNet text, bench/mirror.py)
  ant-layouts      held-out ANT articles (not the kit's) rendered into every layout class of bench/layout_pages.py

For each page it counts, for us and for trafilatura:
  merged     paragraphs run together: a paragraph of ours holding two or more of trafilatura's (the column
             "merged"), and, where the page has a ground truth, two or more of the truth's paragraphs;
  not body   kept lines that are not the article: not in the ground truth (menus, headlines, dates, footers,
             comments), or, where there is none, not in trafilatura's text; "extra" are ours that are not in
             trafilatura's text either;
  lost       body paragraphs (ground truth, else trafilatura's long lines) missing from what is kept; a
             paragraph removed on purpose is counted apart with its reason: our dedup's, or "data table"
             (data tables are left out: rows of figures are not running text).
A page is worse than trafilatura when it has more merges (by the truth where there is one), an extra line
or more lost paragraphs. Pages that stay worse for a reason we accept are listed in KNOWN_EXCEPTIONS
(and in docs/benchmarks.md); any other worse page makes the run fail.

The sets under ../shared are read at run time (never copied into the project) and skipped when absent.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import trafilatura  # noqa: E402
from trafilatura.utils import load_html  # noqa: E402

from crawler.arabic import normalize_for_matching  # noqa: E402
from crawler.encoding import decode_body  # noqa: E402
from crawler.extract import EntryHints, ExtractionError, extract_article  # noqa: E402
from crawler.layouts import is_layout_table  # noqa: E402
from layout_pages import FIXTURES, LAYOUTS, Story  # noqa: E402

SHARED = Path(os.environ.get("CRAWLER_SHARED", ROOT.parent / "shared"))
SHORT = 30  # normalised characters: below this a line is matched whole, not by its shingles
INSIDE = 0.8  # share of a line's 5-grams found in a text for the line to count as part of it
LONG_LINE = 80  # without a ground truth, trafilatura's lines this long stand for the body

# pages that stay worse than trafilatura's default for a reason we accept: set/name -> why (docs/benchmarks.md)
_FAST_MODE = ("fast mode keeps it; trafilatura's readability comparison, which its default runs on every page, "
              "drops it. Run on every page (fast=False) the comparison costs a quarter of the extraction and "
              "left as many pages worse, with more paragraphs merged")
KNOWN_EXCEPTIONS: dict[str, str] = {
    "scrapinghub-aeb/d90bda7ed14d": "a related article's one-line teaser (<p class=all3>) after the body: " + _FAST_MODE,
    "scrapinghub-aeb/f6ac15a4d985": "'Categorias', a sidebar widget's heading after the body: " + _FAST_MODE,
    "scrapinghub-aeb/e7d77f186980": "the truth counts a shopping widget's 32 lines (product names, prices, 'Buy Now') "
                                    "as body; both leave them out but for one product name trafilatura keeps",
}


@dataclass
class Case:
    """One page and what is known about it."""

    set: str
    name: str
    html: bytes
    url: str
    content_type: str = ""
    truth: list[str] | None = None  # the article's paragraphs, when someone wrote them down
    must_have: list[str] = field(default_factory=list)  # partial truth: snippets of the body ...
    must_not: list[str] = field(default_factory=list)  # ... and of what is not the body
    site_lines: list[str] = field(default_factory=list)  # the site's own boilerplate, removed across articles
    hints: EntryHints | None = None


# ------------------------------------------------------------------------------------------- page sets

def fixture_cases() -> Iterator[Case]:
    for spec_path in sorted(FIXTURES.glob("*.json")):
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        yield Case("fixtures", spec_path.stem, spec_path.with_suffix(".html").read_bytes(),
                   f"https://layouts.example/{spec_path.stem}", spec["content_type"], truth=spec["paragraphs"])
    sample = ROOT / "tests" / "fixtures" / "feeds" / "html-page.html"
    text = sample.read_text(encoding="utf-8")
    yield Case("fixtures", "feeds/html-page", sample.read_bytes(), "https://wadi.example/ar/a.html",
               truth=re.findall(r"<p>(.*?)</p>", text))


def demo_cases() -> Iterator[Case]:
    from crawler.demo import EXPECTED, build_site

    site = build_site("https://demo.example")
    for path, expected in sorted(EXPECTED["pages"].items()):
        content_type, body = site[path]
        yield Case("demo", path, body, "https://demo.example" + path, content_type, truth=expected["paragraphs"],
                   site_lines=EXPECTED["boilerplate_lines"][expected["source"]],
                   hints=EntryHints(published=expected["published"]))


def kit_cases() -> Iterator[Case]:
    kit = SHARED / "eval" / "public.py"
    if not kit.exists():
        return
    with tempfile.TemporaryDirectory(prefix="differential-kit-") as tmp:
        subprocess.run([sys.executable, str(kit), "pages", tmp], check=True, stdout=subprocess.DEVNULL)
        truth = json.loads(Path(tmp, "truth.json").read_text(encoding="utf-8"))
        for name, t in sorted(truth.items()):
            yield Case("kit", name, Path(tmp, "pages", name).read_bytes(), f"https://kit.example/{name}",
                       truth=t["paragraphs"])


def arabic_gt_cases() -> Iterator[Case]:
    folder = SHARED / "data" / "arabic-html-gt"
    cnn = folder / "newspaper4k_cnn_arabic"
    if cnn.exists():
        text = (cnn / "arabic_article.txt").read_text(encoding="utf-8")
        yield Case("arabic-html-gt", "cnn-arabic", (cnn / "arabic_article.html").read_bytes(),
                   "http://arabic.cnn.com/2013/middle_east/8/3/syria.clashes/index.html",
                   truth=[p.strip() for p in text.split("\n\n") if p.strip()])
    assabah = folder / "trafilatura_assabah"
    if assabah.exists():
        (url, entry), = json.loads((assabah / "evaldata_entry.json").read_text(encoding="utf-8")).items()
        yield Case("arabic-html-gt", "assabah", (assabah / entry["file"]).read_bytes(), url,
                   must_have=entry["with"], must_not=entry["without"])


def scrapinghub_cases() -> Iterator[Case]:
    folder = SHARED / "data" / "scrapinghub-aeb"
    if not folder.exists():
        return
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    for key, item in sorted(truth.items()):
        path = folder / "html" / f"{key}.html.gz"
        if path.exists():
            yield Case("scrapinghub-aeb", key[:12], gzip.decompress(path.read_bytes()), item["url"],
                       truth=[p for p in item["articleBody"].split("\n") if p.strip()])


def mirror_cases(pages: int) -> Iterator[Case]:
    if not (SHARED / "data" / "saudinewsnet").exists():
        return  # without the corpus the mirror recycles the demo stories, measured already
    from mirror import article_texts, build_mirror

    texts = article_texts(pages)
    for i, (path, (content_type, body)) in enumerate(build_mirror(pages).items()):
        yield Case("mirror", path, body, f"https://mirror.example{path}", content_type, truth=texts[i][1])


def ant_layout_cases(articles: int) -> Iterator[Case]:
    """Held-out ANT articles (the kit uses the others) in every layout class: real text, layouts we know."""
    folder = SHARED / "data" / "ant-multisource" / "files"
    if not folder.exists():
        return
    stories = []
    for path in sorted(folder.rglob("*.txt")):
        if int(hashlib.md5(path.stem.encode()).hexdigest(), 16) % 4 == 0:
            continue  # a kit page (public.py's public_article)
        raw = path.read_text(encoding="utf-8", errors="replace")
        tag = {t: (re.search(f"<{t}>(.*?)</{t}>", raw, re.S) or [None, ""])[1].strip()
               for t in ("TITLE", "TIME", "AUTHOR", "CAT", "TEXT")}
        paras = list(dict.fromkeys(p.strip() for p in tag["TEXT"].split("\n") if len(p.strip()) >= 40))
        if 4 <= len(paras) <= 12 and tag["TITLE"]:
            stories.append((path.stem, Story(tag["TITLE"], paras, tag["CAT"], tag["TIME"], tag["AUTHOR"])))
    step = max(1, len(stories) // articles)
    for name, story in stories[::step][:articles]:
        for layout, render in LAYOUTS.items():
            page = render(story)
            yield Case("ant-layouts", f"{layout}/{name}", page.html, f"https://ant.example/{layout}/{name}",
                       page.content_type, truth=story.paragraphs)


def page_sets(mirror_pages: int, ant_articles: int) -> dict[str, Callable[[], Iterator[Case]]]:
    return {
        "fixtures": fixture_cases,
        "demo": demo_cases,
        "kit": kit_cases,
        "arabic-html-gt": arabic_gt_cases,
        "scrapinghub-aeb": scrapinghub_cases,
        "mirror": lambda: mirror_cases(mirror_pages),
        "ant-layouts": lambda: ant_layout_cases(ant_articles),
    }


# ------------------------------------------------------------------------------------------- matching

class Text:
    """A text in matching form, with its character 5-grams."""

    def __init__(self, text: str) -> None:
        self.norm = normalize_for_matching(text)
        self.grams = {self.norm[i:i + 5] for i in range(max(1, len(self.norm) - 4))} if self.norm else set()

    def __len__(self) -> int:
        return len(self.norm)


def inside(line: Text, text: Text) -> bool:
    """Whether a line is part of a text: whole when short, else by the share of its 5-grams."""
    if not line.norm:
        return True
    if len(line) < SHORT:
        return line.norm in text.norm
    return len(line.grams & text.grams) >= INSIDE * len(line.grams)


def joined(lines: list[str]) -> Text:
    return Text("\n".join(lines))


def merges(paragraphs: list[str], reference: list[str]) -> int:
    """How many reference paragraphs were run into another: per paragraph, the reference paragraphs it
    holds (a reference paragraph that is part of another held one, a pull quote, does not count) less one."""
    refs = list({r.norm: r for r in map(Text, reference) if len(r) >= SHORT}.values())  # a repeat counts once
    total = 0
    for p in map(Text, paragraphs):
        held = [r for r in refs if len(r) <= len(p) and inside(r, p)]
        # one held inside another (a pull quote, a near-copy differing by a date) is that one again
        distinct = [r for k, r in enumerate(held)
                    if not any(inside(r, o) and (len(o) > len(r) or (len(o) == len(r) and j < k))
                               for j, o in enumerate(held) if j != k)]
        total += max(0, len(distinct) - 1)
    return total


def trafilatura_paragraphs(html: bytes, url: str) -> list[str]:
    """trafilatura.extract with its default settings, as paragraphs: a line each; table rows by cell."""
    text = trafilatura.extract(html, url=url) or ""
    paragraphs = []
    for line in text.split("\n"):
        line = line.strip()
        if line.startswith("|") and line.endswith("|"):
            if set(line) <= set("|-: "):
                continue  # the rule under a header row
            paragraphs.extend(c.replace("\\|", "|").strip() for c in re.split(r"(?<!\\)\|", line[1:-1]))
        elif line.startswith("- "):
            paragraphs.append(line[2:])
        else:
            paragraphs.append(line)
    return [p for p in paragraphs if p]


# ------------------------------------------------------------------------------------------- scoring

@dataclass
class Side:
    """One extractor's showing on a page."""

    merged_truth: int = 0
    not_body: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)  # ours only: kept, yet neither in trafilatura's text nor the truth


@dataclass
class PageResult:
    case: Case
    ours: Side
    theirs: Side
    merged: int  # paragraphs of trafilatura's run together in ours
    on_purpose: list[tuple[str, str]]  # (body paragraph, reason) our dedup removed
    error: str = ""

    @property
    def worse(self) -> list[str]:
        why = []
        if self.case.truth is not None:
            if self.ours.merged_truth > self.theirs.merged_truth:
                why.append(f"merged {self.ours.merged_truth} paragraphs (trafilatura {self.theirs.merged_truth})")
        elif self.merged:
            why.append(f"merged {self.merged} of trafilatura's paragraphs")
        if self.ours.extra:
            why.append(f"kept {len(self.ours.extra)} lines not body that trafilatura leaves out")
        if len(self.ours.lost) > len(self.theirs.lost):
            why.append(f"lost {len(self.ours.lost)} body paragraphs (trafilatura {len(self.theirs.lost)})")
        return why


def data_tables(case: Case) -> list[str]:
    """Texts of the page's data tables: left out on purpose (include_tables=False: not running text)."""
    tree = load_html(decode_body(case.html, case.content_type)[0])
    if tree is None:
        return []
    return [" ".join(" ".join(t.itertext()).split()) for t in tree.iter("table") if not is_layout_table(t)]


def score(case: Case) -> PageResult:
    theirs_paragraphs = trafilatura_paragraphs(case.html, case.url)
    error, kept, removed = "", [], []
    try:
        article = extract_article(case.html, case.url, content_type=case.content_type, hints=case.hints)
        kept, removed = article.paragraphs, [(r.text, r.reason) for r in article.removed]
    except ExtractionError as exc:
        error = exc.reason
    site = [Text(s) for s in case.site_lines]

    def not_body(paragraphs: list[str], reference: Text | None) -> list[str]:
        found = []
        for p in paragraphs:
            t = Text(p)
            if any(inside(t, s) and inside(s, t) for s in site):
                continue
            if case.must_not:
                if any(normalize_for_matching(s) in t.norm for s in case.must_not):
                    found.append(p)
            elif reference is not None and not inside(t, reference):
                found.append(p)
        return found

    truth = joined(case.truth) if case.truth is not None else None
    theirs_text, kept_text = joined(theirs_paragraphs), joined(kept)
    if case.truth is not None:
        body = case.truth
    elif case.must_have:
        body = case.must_have
    else:
        body = [p for p in theirs_paragraphs if len(p) >= LONG_LINE]
    ours = Side(not_body=not_body(kept, truth if truth is not None else theirs_text))
    theirs = Side(not_body=not_body(theirs_paragraphs, truth))
    ours.extra = [p for p in ours.not_body if not inside(Text(p), theirs_text)]
    on_purpose = []
    removed_texts = [(Text(t), reason) for t, reason in removed] + [(Text(t), "data table") for t in data_tables(case)]
    for b in body:
        t = Text(b)
        if not inside(t, kept_text):
            reason = next((r for rt, r in removed_texts if inside(t, rt)), None)
            if reason:
                on_purpose.append((b, reason))
            else:
                ours.lost.append(b)
        if not inside(t, theirs_text):
            theirs.lost.append(b)
    if case.truth is not None:
        ours.merged_truth, theirs.merged_truth = merges(kept, case.truth), merges(theirs_paragraphs, case.truth)
    return PageResult(case, ours, theirs, merges(kept, theirs_paragraphs), on_purpose, error)


# ------------------------------------------------------------------------------------------- report

def report(results: dict[str, list[PageResult]], verbose: bool) -> list[PageResult]:
    """Print the table (the one docs/benchmarks.md carries) and the worse pages; return the unexplained ones."""
    print("| set | pages | worse than trafilatura | merged (of trafilatura's) | merged vs truth: ours / trafilatura "
          "| lines not body: ours / trafilatura | of ours, not in trafilatura's | body paragraphs lost: ours / trafilatura | removed on purpose | no body |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    unexplained = []
    for name, rows in results.items():
        if not rows:
            continue
        worse = [r for r in rows if r.worse]
        unexplained += [r for r in worse if f"{r.case.set}/{r.case.name}" not in KNOWN_EXCEPTIONS]
        reasons = Counter(reason for r in rows for _, reason in r.on_purpose)
        print(f"| {name} | {len(rows)} | {len(worse)} | {sum(r.merged for r in rows)} | "
              f"{sum(r.ours.merged_truth for r in rows)} / {sum(r.theirs.merged_truth for r in rows)} | "
              f"{sum(len(r.ours.not_body) for r in rows)} / {sum(len(r.theirs.not_body) for r in rows)} | "
              f"{sum(len(r.ours.extra) for r in rows)} | "
              f"{sum(len(r.ours.lost) for r in rows)} / {sum(len(r.theirs.lost) for r in rows)} | "
              f"{', '.join(f'{k} {v}' for k, v in sorted(reasons.items())) or '-'} | "
              f"{sum(bool(r.error) for r in rows)} |")
    for r in (row for rows in results.values() for row in rows):
        key = f"{r.case.set}/{r.case.name}"
        if r.worse or (verbose and (r.merged or r.ours.not_body or r.ours.lost or r.error)):
            note = f" (known: {KNOWN_EXCEPTIONS[key]})" if key in KNOWN_EXCEPTIONS else ""
            print(f"{'WORSE' if r.worse else 'note'}: {key}: {'; '.join(r.worse) or 'not worse'}{note}"
                  f"{' [no body: ' + r.error + ']' if r.error else ''}")
            if verbose:
                for line in r.ours.not_body:
                    print(f"    not body, ours{' (extra)' if line in r.ours.extra else ''}: {line[:100]}")
                for line in r.theirs.not_body:
                    print(f"    not body, trafilatura: {line[:100]}")
                for line in r.ours.lost:
                    print(f"    lost, ours: {line[:100]}")
                for line in r.theirs.lost:
                    print(f"    lost, trafilatura: {line[:100]}")
    return unexplained


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", action="append", help="only these page sets (repeatable)")
    parser.add_argument("--mirror-pages", type=int, default=100)
    parser.add_argument("--ant-articles", type=int, default=20, help="held-out ANT articles per layout class")
    parser.add_argument("-v", "--verbose", action="store_true", help="every page with a difference, line by line")
    args = parser.parse_args(argv)
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    logging.getLogger("htmldate").setLevel(logging.CRITICAL)
    results: dict[str, list[PageResult]] = {}
    for name, cases in page_sets(args.mirror_pages, args.ant_articles).items():
        if args.set and name not in args.set:
            continue
        results[name] = [score(case) for case in cases()]
        if not results[name]:
            print(f"differential: {name}: no pages (not found under {SHARED})", file=sys.stderr)
    unexplained = report(results, args.verbose)
    pages = sum(map(len, results.values()))
    if unexplained:
        print(f"differential: {len(unexplained)} of {pages} pages worse than trafilatura's default, not explained")
        return 1
    known = sum(bool(r.worse) for rows in results.values() for r in rows)
    print(f"differential: no page of {pages} worse than trafilatura's default"
          + (f" but {known} known exceptions" if known else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
