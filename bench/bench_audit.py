"""Seconds to audit every formula of derivations/ cold, and the median per formula.

Each run is a fresh interpreter (`python -m gradaudit check --format json`), so grammar
construction, imports and the numeric models are all paid, as a user pays them. Prints
the median of several runs and the per-formula distribution of the last one.

    python bench/bench_audit.py [--runs 3]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    walls, report = [], None
    for _ in range(args.runs):
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "gradaudit", "check", "derivations", "--format", "json",
                               "--exit-zero"], cwd=ROOT, capture_output=True, text=True, check=True)
        walls.append(time.perf_counter() - start)
        report = json.loads(proc.stdout)
    per_formula = defaultdict(float)
    for r in report["results"]:
        per_formula[(r["file"], r["id"])] += r["seconds"]
    times = sorted(per_formula.values())
    s = report["summary"]
    print(f"formulas {s['formulas']}, claims {s['claims']}: {s['formulas_by_verdict']}")
    print(f"whole corpus, cold (median of {args.runs}): {statistics.median(walls):.2f} s "
          f"(runs: {', '.join(f'{w:.2f}' for w in walls)})")
    print(f"per formula: median {1000 * statistics.median(times):.1f} ms, "
          f"90th percentile {1000 * times[int(0.9 * len(times))]:.1f} ms, max {1000 * times[-1]:.0f} ms")
    slowest = sorted(per_formula.items(), key=lambda kv: -kv[1])[:5]
    print("slowest: " + "; ".join(f"{Path(f).name[:3]}:{i} {t:.2f} s" for (f, i), t in slowest))


if __name__ == "__main__":
    main()
