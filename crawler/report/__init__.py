"""`python -m crawler report`: the store's aggregates as one self-contained HTML page with charts.

series.py shapes the aggregates (pure), charts.py draws them (matplotlib, SVG), page.py writes the page.
"""
from crawler.report.page import ReportContext, render_report

__all__ = ["ReportContext", "render_report"]
