#!/usr/bin/env python3
"""Which plotting library for `python -m crawler report`: the same three charts (articles per day per source,
stacked; paragraphs removed per day by reason, stacked; run durations and new articles per run) drawn from
the aggregates of a 100k-article store (stacked areas, lines for the runs in every library), each written as
one self-contained HTML file. Per library: the
seconds to build the file (import included, in a fresh process), its size, and the seconds headless
Chromium takes from navigation to the first frame painted after the load event (Playwright), best of three.

Only matplotlib is a project dependency; the others are measured when importable, e.g. installed apart:
  .venv/bin/pip install --target /tmp/candlibs -c constraints.txt plotly==7.1.0 bokeh==3.9.2 altair==6.3.0 \
      vl-convert-python==1.9.0.post1
  PYTHONPATH=/tmp/candlibs .venv/bin/python bench/report_libraries.py
"""
from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from browser import FLAGS  # noqa: E402  (tests/browser.py)

LIBRARIES = ("matplotlib", "plotly", "bokeh", "altair")


def series(data: dict) -> dict:
    """The aggregates as the charts need them: days, one list of counts per source / reason, runs."""
    days = sorted({r["day"] for r in data["days"]} | {r["day"] for r in data["removed_by_day"]})
    at = {d: i for i, d in enumerate(days)}
    per_source: dict[str, list[int]] = defaultdict(lambda: [0] * len(days))
    for r in data["days"]:
        per_source[r["source"]][at[r["day"]]] = r["articles"]
    per_reason: dict[str, list[int]] = defaultdict(lambda: [0] * len(days))
    for r in data["removed_by_day"]:
        per_reason[r["reason"]][at[r["day"]]] = r["paragraphs"]
    from datetime import datetime
    runs = [(r["started_at"], (datetime.fromisoformat(r["finished_at"]) - datetime.fromisoformat(r["started_at"])).total_seconds(),
             r["new_articles"]) for r in data["runs"] if r["finished_at"]]
    return {"days": days, "sources": dict(per_source), "reasons": dict(per_reason), "runs": runs}


def page(body: str, head: str = "") -> str:
    return f'<!doctype html><html><head><meta charset="utf-8">{head}</head><body>{body}</body></html>'


def build_matplotlib(s: dict) -> str:
    import matplotlib
    matplotlib.use("svg")
    import io

    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from datetime import date
    plt.rcParams["svg.fonttype"] = "none"
    days = [date.fromisoformat(d) for d in s["days"]]
    out = []
    for stacks in (s["sources"], s["reasons"]):
        fig, ax = plt.subplots(figsize=(11, 3.2))
        ax.stackplot(days, *stacks.values(), step="mid", linewidth=0)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
        buf = io.StringIO()
        fig.savefig(buf, format="svg", bbox_inches="tight")
        plt.close(fig)
        out.append(buf.getvalue())
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(11, 4), sharex=True)
    started = [mdates.datestr2num(r[0]) for r in s["runs"]]
    a1.plot(started, [r[1] for r in s["runs"]], linewidth=0.6)
    a2.plot(started, [r[2] for r in s["runs"]], linewidth=0.6)
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    out.append(buf.getvalue())
    return page("".join(f"<figure>{svg[svg.index('<svg'):]}</figure>" for svg in out))


def build_plotly(s: dict) -> str:
    import plotly.graph_objects as go
    parts = []
    for stacks in (s["sources"], s["reasons"]):
        fig = go.Figure([go.Scatter(x=s["days"], y=v, name=k, stackgroup="one", line_shape="hvh")
                         for k, v in stacks.items()])
        fig.update_layout(height=320)
        parts.append(fig)
    from plotly.subplots import make_subplots
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True)
    fig.add_trace(go.Scatter(x=[r[0] for r in s["runs"]], y=[r[1] for r in s["runs"]], mode="lines"), row=1, col=1)
    fig.add_trace(go.Scatter(x=[r[0] for r in s["runs"]], y=[r[2] for r in s["runs"]], mode="lines"), row=2, col=1)
    parts.append(fig)
    return page("".join(f.to_html(full_html=False, include_plotlyjs=(i == 0)) for i, f in enumerate(parts)))


def build_bokeh(s: dict) -> str:
    from datetime import datetime
    from bokeh.embed import file_html
    from bokeh.layouts import column
    from bokeh.palettes import Category20
    from bokeh.plotting import figure
    from bokeh.resources import INLINE
    days = [datetime.fromisoformat(d) for d in s["days"]]
    plots = []
    for stacks in (s["sources"], s["reasons"]):
        names = list(stacks)
        source = {"day": days, **{str(i): v for i, v in enumerate(stacks.values())}}
        p = figure(x_axis_type="datetime", width=1000, height=300)
        p.varea_stack([str(i) for i in range(len(names))], x="day", source=source,
                      color=[Category20[20][i % 20] for i in range(len(names))])
        plots.append(p)
    for value in (1, 2):
        p = figure(x_axis_type="datetime", width=1000, height=150)
        p.line([datetime.fromisoformat(r[0]) for r in s["runs"]], [r[value] for r in s["runs"]])
        plots.append(p)
    return file_html(column(*plots), INLINE, "report")


def build_altair(s: dict) -> str:
    import altair as alt
    charts = []
    for stacks, field in ((s["sources"], "source"), (s["reasons"], "reason")):
        rows = [{"day": d, field: k, "n": v[i]} for k, v in stacks.items() for i, d in enumerate(s["days"])]
        charts.append(alt.Chart(alt.Data(values=rows)).mark_area().encode(
            x="day:T", y="sum(n):Q", color=f"{field}:N").properties(width=1000, height=300))
    rows = [{"started": r[0], "seconds": r[1], "new": r[2]} for r in s["runs"]]
    for value in ("seconds", "new"):
        charts.append(alt.Chart(alt.Data(values=rows)).mark_line().encode(x="started:T", y=f"{value}:Q")
                      .properties(width=1000, height=150))
    return alt.vconcat(*charts).to_html(inline=True)


def timed_build(name: str, data_file: Path, out: Path) -> float:
    """Build in a fresh process so the library's import is counted, as it is for a `report` run."""
    code = (f"import json,sys,time; t=time.perf_counter(); sys.path[:0]={[str(ROOT / 'bench')]!r}; "
            f"import report_libraries as r; s=r.series(json.load(open({str(data_file)!r}))); "
            f"open({str(out)!r},'w',encoding='utf-8').write(r.build_{name}(s)); print(time.perf_counter()-t)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(result.stdout.strip().splitlines()[-1])


def browser_seconds(browser, html: Path) -> float:
    """From navigation to the first frame painted after the load event (scripts run, charts drawn)."""
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(html.as_uri(), wait_until="load")
    seconds = page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame("
                            "() => done(performance.now() / 1000))))")
    page.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    with contextlib.ExitStack() as stack:
        browser = None
        if chromium:
            from playwright.sync_api import sync_playwright

            browser = stack.enter_context(sync_playwright()).chromium.launch(executable_path=chromium, args=FLAGS)
        measure(args.articles, chromium, browser)


def measure(articles: int, chromium: str | None, browser) -> None:
    import synthetic_corpus
    from storage.sqlite import SqliteStore

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        store = SqliteStore(tmp / "news.db")
        synthetic_corpus.fill(store, articles=articles)
        data_file = tmp / "data.json"
        data_file.write_text(json.dumps(store.report_data()), encoding="utf-8")
        store.close()
        print(f"{articles} articles; chromium: {chromium or 'not found (browser times not measured)'}")
        print(f"{'library':12} {'version':10} {'build s':>8} {'size KB':>8} {'browser s':>10}")
        for name in LIBRARIES:
            try:
                version = __import__(name).__version__
            except ImportError:
                print(f"{name:12} not installed")
                continue
            out = tmp / f"{name}.html"
            build = min(timed_build(name, data_file, out) for _ in range(3))
            shown = "-"
            if browser:
                shown = f"{min(browser_seconds(browser, out) for _ in range(3)):.2f}"
            print(f"{name:12} {version:10} {build:8.2f} {out.stat().st_size / 1024:8.0f} {shown:>10}")


if __name__ == "__main__":
    main()
