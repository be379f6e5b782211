"""The report's charts: matplotlib figures written as SVG text, to be inlined in the page.

Why matplotlib and static SVG (bench/report_libraries.py, docs/benchmarks.md): at 100k articles the page is
a third of Bokeh's or Altair's and an eighth of Plotly's (whose JavaScript alone is 4.8 MB), it opens with no
script at all, and it is built in about a second. matplotlib does not shape Arabic, so no Arabic goes into a
chart: names and legends are HTML beside it, where the browser shapes and orders the text. Text left in a
chart stays text (svg.fonttype "none"): small, selectable, drawn in the page's font.
"""
from __future__ import annotations

import io
import itertools
import logging
from datetime import date, datetime
from typing import Sequence

import matplotlib
from matplotlib import dates as mdates
from matplotlib.figure import Figure

from crawler.report.series import OTHER, RunPoint, runs_by_day

LOGGER = logging.getLogger(__name__)

# tab10, then tab20's lighter partners: neighbours in a stack stay distinct
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf",
           "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#dbdb8d", "#9edae5")
OTHER_COLOUR = "#9a9a9a"
REASON_COLOURS = {"boilerplate": "#8c564b", "repeat": "#1f77b4", "fragment": "#ff7f0e", "title": "#2ca02c",
                  "metadata": "#9467bd"}
OUTCOME_COLOURS = {"completed": "#1f77b4", "failed": "#d62728", "interrupted": "#ff7f0e", "running": "#7f7f7f"}
# past this many days a bar per day is thinner than a pixel and each bar costs the page ~150 bytes: a stepped
# area draws the same counts as one path per series
MAX_DAY_BARS = 92
MIN_DAYS_SHOWN = 7
# up to this many runs each one is drawn; beyond, they are drawn per day
MAX_RUNS_DRAWN = 200

_STYLE = {
    "svg.fonttype": "none",  # text as <text>, in the page's font
    "svg.hashsalt": "report",  # ids derive from this, not from a random salt: the same data, the same file
    "font.size": 9,
    "font.family": ["DejaVu Sans", "sans-serif"],
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
}


def colours(names: Sequence[str], fixed: dict[str, str] | None = None) -> dict[str, str]:
    """A colour for each series: the fixed one where there is one, OTHER grey, the palette in turn for the rest."""
    fixed = fixed or {}
    free = itertools.cycle([c for c in PALETTE if c not in fixed.values()])
    return {name: fixed.get(name) or (OTHER_COLOUR if name == OTHER else next(free)) for name in names}


def stacked_days(name: str, days: Sequence[str], series: dict[str, list[int]], colour_of: dict[str, str],
                 ylabel: str) -> str:
    """Counts per day stacked by series: bars for a short period, a stepped area for a long one."""
    x = [date.fromisoformat(d) for d in days]
    with matplotlib.rc_context({**_STYLE, "svg.hashsalt": name}):
        fig = Figure(figsize=(10, 3.2))
        ax = fig.add_subplot()
        if len(x) <= MAX_DAY_BARS:
            bottom = [0] * len(x)
            for label, values in series.items():
                ax.bar(x, values, width=0.85, bottom=bottom, color=colour_of[label], linewidth=0)
                bottom = [b + v for b, v in zip(bottom, values)]
        else:
            ax.stackplot(x, *series.values(), colors=[colour_of[label] for label in series], step="mid",
                         linewidth=0)
        ax.set_ylabel(ylabel)
        # a few days (the demo's one) drawn on a week, ticks on days: a lone bar a page wide says nothing
        shown = max(len(x), MIN_DAYS_SHOWN)
        pad = (shown - len(x)) / 2 + 0.6
        ax.set_xlim(mdates.date2num(x[0]) - pad, mdates.date2num(x[-1]) + pad)
        _date_axis(ax, mdates.DayLocator(interval=max(1, shown // 8)) if shown <= MAX_DAY_BARS else None)
        return _svg(fig, name)


def run_history(runs: Sequence[RunPoint]) -> str:
    """Each run's duration in its outcome's colour (top), its new articles and failed items (bottom). Past
    MAX_RUNS_DRAWN runs (an hourly cron passes that in nine days), per day: the median and longest duration,
    runs that did not complete marked, and the day's new articles and failed items."""
    by_day = len(runs) > MAX_RUNS_DRAWN
    with matplotlib.rc_context({**_STYLE, "svg.hashsalt": "runs"}):
        fig = Figure(figsize=(10, 4.4))
        top, bottom = fig.subplots(2, 1, sharex=True)
        run_x = [mdates.date2num(datetime.fromisoformat(r.started_at)) for r in runs]
        if by_day:
            days = runs_by_day(runs)
            x = [mdates.date2num(date.fromisoformat(d.day)) + 0.5 for d in days]  # noon: amid the day's runs
            top.plot(x, [d.max_seconds for d in days], color="#aec7e8", linewidth=0.9, label="longest run")
            top.plot(x, [d.median_seconds for d in days], color="#1f77b4", linewidth=1.2, label="median run")
            for outcome in ("failed", "interrupted", "running"):
                marked = [(xi, r.seconds or 0) for xi, r in zip(run_x, runs) if r.outcome == outcome]
                if marked:
                    top.scatter([m[0] for m in marked], [m[1] for m in marked], color=OUTCOME_COLOURS[outcome],
                                marker="x", s=28, zorder=3, label=f"{outcome} run")
            width, new, failed = 0.85, [d.new_articles for d in days], [d.failed_items for d in days]
        else:
            x = run_x
            gaps = sorted(b - a for a, b in zip(x, x[1:]) if b > a)
            typical_gap = gaps[len(gaps) // 2] if gaps else 1 / 24  # one run alone: an hour wide
            width = 0.8 * min(typical_gap, 1)
            for outcome, colour in OUTCOME_COLOURS.items():
                shown = [(xi, r.seconds or 0) for xi, r in zip(x, runs) if r.outcome == outcome]
                if shown:
                    top.bar([s[0] for s in shown], [s[1] for s in shown], width=width, color=colour, linewidth=0,
                            label=outcome)
            new, failed = [r.new_articles for r in runs], [r.failed_items for r in runs]
        # side by side, each half as wide: failed items are never hidden behind new articles
        bottom.bar([xi - width / 4 for xi in x], new, width=width / 2, color="#2ca02c", linewidth=0,
                   label="new articles")
        bottom.bar([xi + width / 4 for xi in x], failed, width=width / 2, color="#d62728", linewidth=0,
                   label="failed items")
        top.set_ylabel("seconds")
        bottom.set_ylabel("per day" if by_day else "per run")
        for ax in (top, bottom):
            ax.set_ylim(bottom=0)
            ax.legend(loc="lower left", bbox_to_anchor=(0, 1), frameon=False, ncols=4, borderaxespad=0.2)
        if len(run_x) == 1:  # one run: half a day either side, or the axis has no width
            bottom.set_xlim(run_x[0] - 0.5, run_x[0] + 0.5)
        _date_axis(bottom)
        return _svg(fig, "runs")


def _date_axis(ax, locator: mdates.DateLocator | None = None) -> None:
    locator = locator or mdates.AutoDateLocator(minticks=3, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _svg(fig: Figure, name: str) -> str:
    """The figure as an <svg> element that scales with the page (its viewBox kept, fixed size dropped)."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    head_end = text.index(">")
    head = text[:head_end]
    for attribute in ("width", "height"):
        start = head.index(f' {attribute}="')
        head = head[:start] + head[head.index('"', start + len(attribute) + 3) + 1:]
    LOGGER.debug("chart %s: %d bytes of SVG", name, len(text))
    return f'{head} class="chart" role="img" aria-labelledby="{name}-caption"{text[head_end:]}'
