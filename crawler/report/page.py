"""The report page: one self-contained HTML file (styles inline, charts as inline SVG, no script, no request).

The page is English and left-to-right like the rest of the tool; every piece of Arabic (outlet names, story
titles, boilerplate lines) is its own element with lang="ar" and dir="rtl", so the browser shapes and orders
it, and it never takes the numbers around it along.
"""
from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Sequence

from crawler.report.charts import MAX_RUNS_DRAWN, REASON_COLOURS, colours, run_history, stacked_days
from crawler.report.series import (OTHER, RunPoint, keep_largest, period_days, runs as run_points, share,
                                   short_time, source_rows, stacks)

E = html.escape
CHART_SOURCES = 12  # sources drawn apart in the articles chart; the rest are summed as "other sources"
RECENT_RUNS = 20  # runs listed in the run table (the chart shows every run in the period)

_CSS = """
body{font:15px/1.45 system-ui,"DejaVu Sans",sans-serif;margin:0 auto;max-width:1150px;padding:0 20px 40px;color:#222}
h1{font-size:1.6em;margin:.8em 0 .2em}h2{font-size:1.25em;margin:1.8em 0 .4em;border-bottom:1px solid #ddd}
.meta{color:#555;margin:0 0 1em}.totals{display:flex;flex-wrap:wrap;gap:10px;margin:1em 0}
.totals div{background:#f4f6f8;border-radius:6px;padding:8px 14px}.totals b{display:block;font-size:1.3em}
figure{margin:0}svg.chart{width:100%;height:auto}figcaption{color:#555;font-size:.9em}
ul.legend{list-style:none;padding:0;margin:.3em 0;display:flex;flex-wrap:wrap;gap:4px 16px}
.swatch{display:inline-block;width:.9em;height:.9em;border-radius:2px;margin-inline-end:.35em;vertical-align:-.1em}
table{border-collapse:collapse;width:100%;margin:.5em 0;font-size:.93em}
th,td{padding:4px 8px;border-bottom:1px solid #e6e6e6;text-align:start;vertical-align:top}
th{background:#f4f6f8;font-weight:600}th.n{text-align:end}td.n{text-align:end;font-variant-numeric:tabular-nums;white-space:nowrap}
td.t{white-space:nowrap;font-variant-numeric:tabular-nums}
:lang(ar){font-family:"Noto Naskh Arabic","Noto Sans Arabic","Amiri","Scheherazade New","DejaVu Sans",Tahoma,sans-serif;
font-size:1.08em}
code{font-size:.85em;color:#555}.src{white-space:nowrap}tr.broken td{background:#fdecea}.bad{color:#b00020;font-weight:600}
.none{color:#777;font-style:italic}.wide{overflow-x:auto}
"""


@dataclass(frozen=True)
class ReportContext:
    """What the page says about how it was made."""

    database: str
    since: str | None = None
    until: str | None = None
    sources: tuple[str, ...] = ()
    version: str = ""
    generated_at: str = ""


def render_report(data: dict[str, Any], health: list[dict[str, Any]], titles: dict[str, str],
                  context: ReportContext) -> str:
    """The whole page, from Store.report_data, Store.summary's source_health and the sources' titles."""
    days = period_days(data, context.since, context.until)
    runs = run_points(data["runs"])
    rows = source_rows(data, health, titles, context.sources)
    sections = [
        _header(data, runs, rows, context),
        _articles_section(data, days, titles),
        _sources_section(rows, titles),
        _removed_section(data, days, titles),
        _clusters_section(data["clusters"], titles),
        _runs_section(runs),
    ]
    generated = context.generated_at or datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    return (f'<!doctype html>\n<html lang="en" dir="ltr"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="generator" content="arabic-news-crawler {E(context.version)}">'
            f"<title>Corpus report: {E(context.database)}</title><style>{_CSS}</style></head>\n<body>\n"
            + "\n".join(sections)
            + f'\n<p class="meta">Generated {E(short_time(generated))} UTC by arabic-news-crawler '
              f"{E(context.version)}.</p>\n</body></html>\n")


# ------------------------------------------------------------------------------------------ pieces

def _source_name(name: str, titles: dict[str, str]) -> str:
    """The outlet's own name (Arabic, shaped and ordered by the browser) and the crawler's name for it, kept
    together on one line."""
    if name == OTHER:
        return '<span class="none">other sources</span>'
    title = titles.get(name)
    if not title:
        return f'<span class="src"><code>{E(name)}</code></span>'
    return f'<span class="src"><span lang="ar" dir="rtl">{E(title)}</span> <code>{E(name)}</code></span>'


def _text_cell(text: str | None) -> str:
    """A cell of stored text (Arabic, or whatever the outlet wrote): aligned and wrapped in its own direction."""
    if not text:
        return '<td><span class="none">not stored</span></td>'
    return f'<td lang="ar" dir="auto">{E(text)}</td>'


def _td(value: Any, cls: str = "n") -> str:
    return f'<td class="{cls}">{E(str(value))}</td>'


def _table(head: Sequence[str], rows: Sequence[str], empty: str) -> str:
    """A table; a heading starting with "#" heads a column of numbers (aligned as they are)."""
    if not rows:
        return f'<p class="none">{E(empty)}</p>'
    cells = "".join(f'<th class="n">{E(h[1:])}</th>' if h.startswith("#") else f"<th>{E(h)}</th>" for h in head)
    # a table wider than a narrow window scrolls by itself; the page does not
    return f'<div class="wide"><table><thead><tr>{cells}</tr></thead><tbody>' + "".join(rows) + "</tbody></table></div>"


def _legend(colour_of: dict[str, str], totals: dict[str, int], label: Callable[[str], str]) -> str:
    """The chart's key in HTML, where Arabic names are shaped: colour, name, total over the period."""
    items = "".join(f'<li><span class="swatch" style="background:{colour_of[name]}"></span>{label(name)} '
                    f"<b>{totals[name]}</b></li>" for name in colour_of)
    return f'<ul class="legend">{items}</ul>'


def _figure(name: str, svg: str, caption: str, legend: str = "") -> str:
    return f'<figure id="{name}">{legend}{svg}<figcaption id="{name}-caption">{E(caption)}</figcaption></figure>'


def _header(data: dict[str, Any], runs: list[RunPoint], rows: list[dict[str, Any]], context: ReportContext) -> str:
    articles = sum(r["articles"] for r in data["per_source"])
    duplicates = sum(r["duplicates"] for r in data["per_source"])
    undated = sum(r["undated"] for r in data["per_source"])
    removed = sum(r["paragraphs"] for r in data["removed_by_day"])
    outcomes = Counter(r.outcome for r in runs)
    broken = sum(1 for r in rows if r["error_streak"])
    period = (f"fetched {'from ' + context.since if context.since else 'since the first run'}"
              f"{' until ' + context.until if context.until else ' until now'}")
    chosen = f"; sources: {', '.join(context.sources)}" if context.sources else ""
    totals = [("articles", articles), ("marked as copies", share(duplicates, articles)),
              ("with no date", share(undated, articles)), ("paragraphs removed", removed),
              ("sources", len(rows)), ("failing now", broken),
              ("runs", ", ".join(f"{n} {o}" for o, n in sorted(outcomes.items())) or "0")]
    boxes = "".join(f"<div><b>{E(str(v))}</b>{E(k)}</div>" for k, v in totals)
    return (f"<h1>Corpus report</h1><p class=\"meta\">{E(context.database)}: articles {E(period)}{E(chosen)}. "
            f"Days are UTC days of fetching; times are UTC.</p><div class=\"totals\">{boxes}</div>")


def _articles_section(data: dict[str, Any], days: list[str], titles: dict[str, str]) -> str:
    head = "<h2>Articles per day</h2>"
    if not data["days"] or not days:
        return head + '<p class="none">No article was fetched in this period.</p>'
    per_source = stacks(data["days"], days, "source", "articles")
    drawn = keep_largest(per_source, CHART_SOURCES)
    colour_of = colours(list(drawn))
    svg = stacked_days("articles-per-day", days, drawn, colour_of, "articles")
    legend = _legend(colour_of, {k: sum(v) for k, v in drawn.items()}, lambda n: _source_name(n, titles))
    return head + _figure("articles-per-day", svg, f"Articles stored per day and source, {days[0]} to {days[-1]} "
                          "(by the day they were fetched).", legend)


def _sources_section(rows: list[dict[str, Any]], titles: dict[str, str]) -> str:
    out = []
    for r in rows:
        copied = "".join(f'<div class="src">{_source_name(s, titles)} {n}</div>' for s, n in r["copied_from"]) or "-"
        errors = "".join(f'<div class="src">{E(k)} {v}</div>' for k, v in r["last_errors"].items()) or "-"
        success = (short_time(r["last_success"]) if r["last_success"]
                   else "never" if r["has_runs"] else "no run recorded")
        streak = f'<span class="bad">{r["error_streak"]}</span>' if r["error_streak"] else "0"
        out.append(f'<tr class="{"broken" if r["error_streak"] else ""}"><td>{_source_name(r["source"], titles)}</td>'
                   f'{_td(r["articles"])}{_td(share(r["undated"], r["articles"]))}'
                   f'{_td(share(r["duplicates"], r["articles"]))}<td>{copied}</td>'
                   f'{_td(short_time(r["last_fetched"]), "t")}{_td(success, "t")}<td class="n">{streak}</td>'
                   f"<td>{errors}</td></tr>")
    head = ("source", "#articles", "#no date", "#marked as copies", "copies most from", "last article fetched",
            "last successful fetch", "#error streak", "latest errors")
    return ("<h2>Sources</h2><p class=\"meta\">Articles, undated ones and copies of another article count what "
            "was fetched in the period; the last successful fetch and the error streak (how many of the source's "
            "latest runs in a row had errors, and which) count every run.</p>"
            + _table(head, out, "No source has articles or runs."))


def _removed_section(data: dict[str, Any], days: list[str], titles: dict[str, str]) -> str:
    head = "<h2>Paragraphs removed</h2>"
    if not data["removed_by_day"] or not days:
        body = '<p class="none">No paragraph was removed from the articles of this period.</p>'
    else:
        per_reason = stacks(data["removed_by_day"], days, "reason", "paragraphs")
        colour_of = colours(list(per_reason), REASON_COLOURS)
        svg = stacked_days("removed-per-day", days, per_reason, colour_of, "paragraphs")
        legend = _legend(colour_of, {k: sum(v) for k, v in per_reason.items()}, lambda n: f"<code>{E(n)}</code>")
        body = _figure("removed-per-day", svg, "Paragraphs removed per day by reason (by the day their article was "
                       "fetched).", legend)
    lines, last = [], None
    for r in data["boilerplate_lines"]:
        name = _source_name(r["source"], titles) if r["source"] != last else ""
        last = r["source"]
        lines.append(f"<tr><td>{name}</td>{_text_cell(r['text'])}{_td(r['paragraphs'])}</tr>")
    return (head + body + "<h3>Most removed boilerplate lines per source</h3>"
            + _table(("source", "line", "#times removed"), lines, "No boilerplate line was removed in this period."))


def _clusters_section(clusters: list[dict[str, Any]], titles: dict[str, str]) -> str:
    rows = [f"<tr>{_text_cell(c['title'])}<td>{_source_name(c['source'], titles) if c['source'] else '-'}</td>"
            f"{_td(c['articles'])}{_td(c['duplicates'])}{_td(c['sources'])}{_td(short_time(c['first_seen']), 't')}"
            f"{_td(short_time(c['last_seen']), 't')}</tr>" for c in clusters]
    head = ("story (the original's title)", "original outlet", "#articles", "#copies", "#outlets", "first seen",
            "last seen")
    return ("<h2>Largest duplicate clusters</h2><p class=\"meta\">The same story stored by several outlets (or "
            "twice by one): the original is the earliest published copy; seen means fetched.</p>"
            + _table(head, rows, "No story was stored more than once in this period."))


def _runs_section(runs: list[RunPoint]) -> str:
    head = "<h2>Runs</h2>"
    if not runs:
        return head + '<p class="none">No run started in this period.</p>'
    caption = ("Per run: how long it took (coloured by its outcome), the articles it stored and the items that "
               "failed." if len(runs) <= MAX_RUNS_DRAWN else
               f"{len(runs)} runs, per day: the median and the longest run (runs that did not complete marked), the "
               "articles stored and the items that failed.")
    chart = _figure("run-history", run_history(runs), caption)
    rows = [f'<tr><td class="n" title="{E(r.command)}">{r.id}</td>{_td(short_time(r.started_at), "t")}'
            f'{_td("-" if r.seconds is None else f"{r.seconds:.0f}")}'
            f'<td class="{"" if r.outcome == "completed" else "bad"}">{E(r.outcome)}</td>'
            f"{_td(r.new_articles)}{_td(r.failed_items)}</tr>" for r in reversed(runs[-RECENT_RUNS:])]
    table = _table(("#run", "started (UTC)", "#seconds", "outcome", "#new articles", "#failed items"), rows, "")
    listed = "the only run" if len(runs) == 1 else f"the latest {min(len(runs), RECENT_RUNS)} runs"
    return head + chart + f"<h3>{listed.capitalize()}</h3>" + table
