#!/usr/bin/env python3
"""`make eval`: the public evaluation kit (../shared/eval/public.py) run against the project's own CLI, then
the differential harness (bench/differential.py) against trafilatura's default on every page set.

pages: the kit renders real articles into news pages with repeats; `python -m crawler extract` reads them.
pairs: the kit builds a corpus of real agency copies; `python -m crawler dedup` marks them.
differential: every page set we have, extracted by us and by `trafilatura.extract` with default settings.
Prints the kit's metrics and the harness's table, and exits non-zero below a floor or on a page worse than
trafilatura's default that is not a known exception. Without ../shared the harness runs on the project's
own pages (fixtures, demo) and the run exits 2 (the kit is missing).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CRAWLER_SHARED", ROOT.parent / "shared"))
KIT = SHARED / "eval" / "public.py"
FLOORS = {
    "pages": {"body_recall": (">=", 0.99), "repeated_8grams": ("<=", 12), "f1": (">=", 0.98), "missing_pages": ("<=", 0)},
    "pairs": {"pair_recall": (">=", 0.95), "edge_precision": (">=", 0.99)},
}


def run(cmd: list[str], **kw) -> str:
    result = subprocess.run(cmd, cwd=ROOT, check=True, text=True, stdout=subprocess.PIPE, **kw)
    return result.stdout


def metrics(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


def main() -> int:
    if not KIT.exists():
        print(f"evaluation kit not found at {KIT}: only the differential harness on the project's own pages",
              file=sys.stderr)
        differential()
        return 2
    failed = kit_floors()
    if differential() != 0:
        failed.append("differential: pages worse than trafilatura's default (listed above)")
    for line in failed:
        print(f"BELOW FLOOR: {line}")
    print("eval: all floors met" if not failed else f"eval: {len(failed)} floor(s) missed")
    return 1 if failed else 0


def differential() -> int:
    print("differential harness (bench/differential.py), ours against trafilatura.extract's defaults:", flush=True)
    return subprocess.run([sys.executable, str(ROOT / "bench" / "differential.py")], cwd=ROOT).returncode


def kit_floors() -> list[str]:
    py = sys.executable
    failed = []
    with tempfile.TemporaryDirectory(prefix="crawler-eval-") as tmp:
        tmp = Path(tmp)
        run([py, str(KIT), "pages", str(tmp / "pages")])
        pages = sorted((tmp / "pages" / "pages").glob("*.html"))
        results = tmp / "pages-results.jsonl"
        results.write_text(run([py, "-m", "crawler", "extract", *map(str, pages)]), encoding="utf-8")
        scores = {"pages": metrics(run([py, str(KIT), "score-pages", str(tmp / "pages"), str(results)]))}

        run([py, str(KIT), "pairs", str(tmp / "pairs")])
        marked = tmp / "pairs-results.jsonl"
        run([py, "-m", "crawler", "dedup", str(tmp / "pairs" / "corpus.jsonl"), "--out", str(marked)])
        scores["pairs"] = metrics(run([py, str(KIT), "score-pairs", str(tmp / "pairs"), str(marked)]))

    for kind, result in scores.items():
        print(f"{kind}: {json.dumps(result)}", flush=True)
        for name, (op, floor) in FLOORS[kind].items():
            value = result[name]
            ok = value >= floor if op == ">=" else value <= floor
            if not ok:
                failed.append(f"{kind}.{name} = {value}, needs {op} {floor}")
    return failed


if __name__ == "__main__":
    sys.exit(main())
