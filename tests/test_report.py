"""`python -m crawler report`, through the real CLI: from the demo crawl and from a generated 100k-article store,
read back as HTML and opened in headless Chromium (every chart drawn, no console error, the Arabic outlet
names on screen)."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import lxml.html
import numpy
import pytest
from PIL import Image

import synthetic_corpus
from browser import FLAGS, chromium_or_reason
from test_cli_errors import corpus, one_line_error, read_only_wrapper
from crawler.demo.site import OUTLETS
from storage.sqlite import SqliteStore

ROOT = Path(__file__).resolve().parent.parent
CHARTS = ("articles-per-day", "removed-per-day", "run-history")


def cli(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("CRAWLER_DB", None)
    return subprocess.run([sys.executable, "-m", "crawler", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


def page_of(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_text(encoding="utf-8"))


def totals(doc: lxml.html.HtmlElement) -> dict[str, str]:
    """The header's boxes: {"articles": "26", "marked as copies": "4 (15.4%)", ...}."""
    return {box.text_content()[len(box.findtext("b")):]: box.findtext("b") for box in doc.cssselect(".totals div")}


def legend(doc: lxml.html.HtmlElement, figure: str) -> dict[str, int]:
    """A chart's legend: {label as shown: its total}."""
    out = {}
    for item in doc.cssselect(f"#{figure} ul.legend li"):
        out[item.text_content().rsplit(" ", 1)[0].strip()] = int(item.findtext("b"))
    return out


# ------------------------------------------------------------------------------------------ the two reports

@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """`make demo`'s command: the crawl of the bundled site, its export and its report."""
    out = tmp_path_factory.mktemp("demo")
    result = cli("demo", "--out", str(out), "--workers", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    return {"out": out, "stdout": result.stdout, "report": out / "report.html", "db": out / "news.db"}


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """100,000 generated articles from 24 outlets over 180 days with hourly runs, reported through the CLI."""
    tmp = tmp_path_factory.mktemp("big")
    store = SqliteStore(tmp / "news.db")
    try:
        written = synthetic_corpus.fill(store, articles=100_000)
    finally:
        store.close()
    sources = tmp / "sources.toml"
    sources.write_text(synthetic_corpus.sources_toml(synthetic_corpus.sources()), encoding="utf-8")
    result = cli("report", "--db", str(tmp / "news.db"), "--sources", str(sources), "--out", str(tmp / "report.html"))
    assert result.returncode == 0, result.stderr[-3000:]
    return {"report": tmp / "report.html", "written": written, "stdout": result.stdout, "db": tmp / "news.db"}


def test_the_demo_writes_the_report_and_says_where(demo):
    assert f"Report (open it in a browser): {demo['report'].resolve()}" in demo["stdout"]
    assert demo["report"].stat().st_size > 10_000


def test_the_demo_report_agrees_with_stats(demo):
    stats = json.loads(cli("stats", "--json", "--db", str(demo["db"])).stdout)
    doc = page_of(demo["report"])
    shown = totals(doc)
    assert shown["articles"] == str(stats["articles"])
    assert shown["marked as copies"].startswith(f"{stats['duplicate_articles']} (")
    assert shown["paragraphs removed"] == str(sum(stats["paragraphs_removed"].values()))
    assert legend(doc, "removed-per-day") == stats["paragraphs_removed"]
    names = {f"{OUTLETS[s['source']]['name']} {s['source']}": s["articles"] for s in stats["per_source"]}
    assert legend(doc, "articles-per-day") == names
    rows = {r.cssselect("td code")[0].text: [td.text_content() for td in r.cssselect("td")]
            for r in doc.xpath("//h2[.='Sources']/following-sibling::div[@class='wide'][1]/table/tbody/tr")}
    for s in stats["per_source"]:
        assert rows[s["source"]][1] == str(s["articles"])
        assert rows[s["source"]][3].startswith(f"{s['duplicates']} (")


def test_the_demo_report_names_the_agency_stories_and_their_original_outlets(demo):
    doc = page_of(demo["report"])
    clusters = doc.xpath("//h2[.='Largest duplicate clusters']/following-sibling::div[@class='wide'][1]/table/tbody/tr")
    copies = sum(int(r.cssselect("td")[3].text) for r in clusters)
    assert copies == json.loads(cli("stats", "--json", "--db", str(demo["db"])).stdout)["duplicate_articles"]
    for row in clusters:
        story = row.cssselect("td")[0]
        assert story.get("lang") == "ar" and story.get("dir") == "auto" and re.search("[\u0600-\u06ff]", story.text)
        assert row.cssselect("td")[1].cssselect("code")[0].text in OUTLETS


def test_the_100k_report_counts_what_was_written(big):
    written, doc = big["written"], page_of(big["report"])
    shown = totals(doc)
    assert shown["articles"] == "100000"
    assert shown["marked as copies"].startswith(f"{written['copies']} (")
    assert shown["with no date"].startswith(f"{written['undated']} (")
    assert legend(doc, "removed-per-day") == written["removed"]  # every reason found, metadata included
    assert sum(int(n) for n in re.findall(r"\d+", shown["runs"])) == written["runs"]
    assert "report of 100000 articles and 4320 runs" in big["stdout"]


def test_the_100k_report_shows_the_outlet_that_broke_and_since_when(big):
    doc = page_of(big["report"])
    broken = doc.cssselect("tr.broken")
    stopped = [s for s in synthetic_corpus.sources() if s.stopped_days_ago]
    rows = {r.cssselect("td code")[0].text: [td.text_content() for td in r.cssselect("td")] for r in broken}
    for s in stopped:
        last_success, streak, errors = rows[s.name][6:9]
        assert last_success == "2026-11-17 23:00"  # the run before it broke, 12 days before the end
        assert int(streak) == 12 * 24 and errors.startswith("dns_error")


def test_the_page_needs_nothing_from_the_network(big, demo):
    for report in (big["report"], demo["report"]):
        text = report.read_text(encoding="utf-8")
        assert not lxml.html.fromstring(text).cssselect("script, link, img, iframe, object, embed")
        # only the charts' own parts refer to each other (markers, clip paths): "#id"
        references = re.findall(r'(?:src|href)="([^"]*)"', text) + re.findall(r"url\(([^)]*)\)", text)
        assert references and all(r.startswith("#") for r in references)


def test_the_100k_report_stays_small(big):
    assert big["report"].stat().st_size < 1_000_000


# --------------------------------------------------------------------------------------- in a real browser

@pytest.fixture(scope="module")
def browser():
    path, reason = chromium_or_reason()
    if not path:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.mark.parametrize("which", ["demo", "big"])
def test_every_chart_is_drawn_in_chromium_with_no_error(which, request, browser, tmp_path):
    report = request.getfixturevalue(which)["report"]
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    problems, requests = [], []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(report.as_uri(), wait_until="load")
    shot = tmp_path / f"{which}.png"
    page.screenshot(path=str(shot), full_page=True)
    charts = page.evaluate("""() => Array.from(document.querySelectorAll('figure')).map(f => {
        const svg = f.querySelector('svg.chart'), box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
        return {id: f.id, width: box.width, height: box.height,
                shapes: svg ? svg.querySelectorAll('path, rect, use').length : 0};
    })""")
    assert [c["id"] for c in charts] == list(CHARTS)
    for chart in charts:
        assert chart["width"] > 800 and chart["height"] > 200 and chart["shapes"] > 20, chart
        picture = tmp_path / f"{which}-{chart['id']}.png"
        page.locator(f"#{chart['id']} svg").screenshot(path=str(picture))
        assert coloured_share(picture) > 0.005, f"{chart['id']} looks empty"  # legend swatches alone: < 0.2%
    assert problems == []
    assert requests == [report.as_uri()]
    image = Image.open(shot)
    assert image.width == 1200 and image.height > 2000 and coloured_share(shot) > 0.02
    page.close()


@pytest.mark.parametrize("which", ["demo", "big"])
def test_the_arabic_outlet_names_are_on_screen_right_to_left(which, request, browser):
    report = request.getfixturevalue(which)["report"]
    titles = ([o["name"] for o in OUTLETS.values()] if which == "demo"
              else [s.title for s in synthetic_corpus.sources()])
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(report.as_uri())
    for title in titles:
        name = page.locator("table span[lang=ar]", has_text=title).first
        name.scroll_into_view_if_needed()
        assert name.is_visible()
        assert name.bounding_box()["width"] > 20
        assert name.evaluate("e => getComputedStyle(e).direction") == "rtl"
    page.close()


def coloured_share(png: Path) -> float:
    """The share of pixels that are neither white nor grey: a drawn chart has colour, an empty one has none."""
    pixels = numpy.asarray(Image.open(png).convert("RGB"), dtype=numpy.int16)
    return float(((pixels.max(axis=2) - pixels.min(axis=2)) > 40).mean())


# -------------------------------------------------------------------------------------------------- usage

def test_a_bad_period_or_output_is_refused_before_anything_is_written(big, tmp_path):
    out = tmp_path / "r.html"
    result = cli("report", "--db", str(big["db"]), "--since", "last week", "--out", str(out))
    assert result.returncode == 2 and result.stderr.startswith("error: --since") and not out.exists()
    result = cli("report", "--db", str(big["db"]), "--out", str(tmp_path))
    assert result.returncode == 2 and "is a directory" in result.stderr
    result = cli("report", "--db", str(tmp_path / "none.db"), "--out", str(out))
    assert result.returncode == 2 and "no database" in result.stderr and not out.exists()


def test_a_period_and_a_source_narrow_the_report(big, tmp_path):
    out = tmp_path / "r.html"
    result = cli("report", "--db", str(big["db"]), "--since", "2026-11-01", "--until", "2026-11-07",
                 "--source", "outlet-02", "--source", "outlet-99", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "warning: --source outlet-99: no article or run of that source" in result.stderr
    doc = page_of(out)
    assert doc.cssselect("#articles-per-day figcaption")[0].text.endswith("2026-11-01 to 2026-11-07 (by the day they "
                                                                          "were fetched).")
    assert [r.cssselect("code")[0].text for r in doc.cssselect(".legend li")][:1] == ["outlet-02"]
    assert int(totals(doc)["articles"]) < 1000
    assert sum(int(n) for n in re.findall(r"\d+", totals(doc)["runs"])) == 7 * 24


def test_a_sources_file_that_cannot_be_read_costs_the_titles_only(demo, tmp_path):
    bad = tmp_path / "sources.toml"
    bad.write_text("[[source]]\nname = 'x'\n", encoding="utf-8")
    out = tmp_path / "r.html"
    result = cli("report", "--db", str(demo["db"]), "--sources", str(bad), "--out", str(out))
    assert result.returncode == 0 and "warning: outlet titles not shown" in result.stderr
    assert not page_of(out).cssselect("table span[lang=ar]")


def test_a_file_that_is_not_a_database_is_one_line_and_exit_3(tmp_path):
    target = tmp_path / "news.db"
    target.write_text("title,url\nخبر,https://x.example/1\n", encoding="utf-8")
    one_line_error(cli("report", "--db", str(target), "--out", str(tmp_path / "r.html")), 3)
    assert not (tmp_path / "r.html").exists()


def test_a_database_in_a_read_only_directory_is_reported(tmp_path):
    shared = Path(tempfile.mkdtemp(prefix="ro-corpus-"))
    try:
        db = corpus(shared / "news.db")
        wrap = read_only_wrapper(shared)
        if wrap is None:
            pytest.skip("no way to make a read-only directory here (root without mount namespaces)")
        before = sorted(p.name for p in shared.iterdir())
        out = tmp_path / "r.html"
        result = subprocess.run([*wrap, sys.executable, "-m", "crawler", "report", "--db", str(db), "--out", str(out)],
                                cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                                timeout=120)
        assert result.returncode == 0, result.stderr
        assert totals(page_of(out))["articles"] == "2"
        assert sorted(p.name for p in shared.iterdir()) == before
    finally:
        for p in [shared, *shared.iterdir()]:
            p.chmod(0o755)
        shutil.rmtree(shared)


def test_an_empty_store_gives_a_page_that_says_so(tmp_path):
    SqliteStore(tmp_path / "news.db").close()
    out = tmp_path / "r.html"
    result = cli("report", "--db", str(tmp_path / "news.db"), "--out", str(out))
    assert result.returncode == 0, result.stderr
    text = page_of(out).text_content()
    for said in ("No article was fetched in this period.", "No source has articles or runs.",
                 "No story was stored more than once in this period.", "No run started in this period."):
        assert said in text
    assert not page_of(out).cssselect("svg")
