#!/usr/bin/env python3
"""`python -m crawler report` on generated stores of growing size (tests/synthetic_corpus.py: 24 outlets over
180 days, hourly runs): the command's wall and CPU time and peak memory, and the page's size, each in a fresh
process as a user runs it, best of 3; `stats --json` on the same store as the baseline measured in the same
run.

  .venv/bin/python bench/report_build.py [--sizes 10000,100000,300000]     (also: bench/run.py --only report)
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def _run(args: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (steadier on a shared machine) and peak RSS (MB) of one command in its own
    process."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "crawler", *args], cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{' '.join(args)} failed: {process.stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024


def report_build(sizes: list[int], rounds: int = 3) -> list[dict]:
    import synthetic_corpus

    results = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            db, out, sources = tmp / "news.db", tmp / "report.html", tmp / "sources.toml"
            # filled by another process: a child forked from a big parent inherits its peak RSS
            subprocess.run([sys.executable, "-c", f"import sys; sys.path[:0] = {sys.path[:2]!r}; import synthetic_corpus; "
                            f"from storage.sqlite import SqliteStore; s = SqliteStore({str(db)!r}); "
                            f"synthetic_corpus.fill(s, articles={size}); s.close()"], check=True)
            sources.write_text(synthetic_corpus.sources_toml(synthetic_corpus.sources()), encoding="utf-8")
            report = min(_run(["report", "--db", str(db), "--sources", str(sources), "--out", str(out)])
                         for _ in range(rounds))
            stats = min(_run(["stats", "--json", "--db", str(db)]) for _ in range(rounds))
            results.append({"articles": size, "report_s": round(report[0], 2), "report_cpu_s": round(report[1], 2),
                            "report_rss_mb": report[2], "stats_s": round(stats[0], 2), "stats_cpu_s": round(stats[1], 2),
                            "stats_rss_mb": stats[2], "page_kb": out.stat().st_size // 1024})
    return results


def print_results(results: list[dict]) -> None:
    for r in results:
        print(f"report: {r['articles']:>7,} articles: built in {r['report_s']} s, {r['report_cpu_s']} s CPU "
              f"({r['report_cpu_s'] / r['stats_cpu_s']:.1f}x `stats --json` on the same store: {r['stats_s']} s, "
              f"{r['stats_cpu_s']} s CPU), peak RSS {r['report_rss_mb']} MB (stats {r['stats_rss_mb']} MB), page "
              f"{r['page_kb']} KB", flush=True)
    if len(results) > 1:
        first, last = results[0], results[-1]
        print(f"report: {last['articles'] // first['articles']}x the articles: "
              f"{last['report_cpu_s'] / first['report_cpu_s']:.1f}x the CPU time, "
              f"{last['report_rss_mb'] / first['report_rss_mb']:.2f}x the peak memory", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,300000")
    args = parser.parse_args()
    print_results(report_build([int(s) for s in args.sizes.split(",")]))


if __name__ == "__main__":
    main()
