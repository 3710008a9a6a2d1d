"""Parse time of every formula in derivations/ (LALR, the grammar built once): median and worst
per formula, cold start (building the grammar), and the whole corpus.

    .venv/bin/python bench/bench_notation.py [--repeats 5]
"""
from __future__ import annotations

import argparse
import contextlib
import statistics
import time
import tomllib
from pathlib import Path

from gradaudit.notation import parser as notation_parser

ROOT = Path(__file__).resolve().parent.parent


def formulas():
    for path in sorted((ROOT / "derivations").glob("*.toml")):
        for section in tomllib.loads(path.read_text(encoding="utf-8")).get("section", []):
            for f in section.get("formula", []):
                yield f"{path.name}:{f['id']}", f["latex"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    items = list(formulas())
    start = time.perf_counter()
    notation_parser._lark()
    cold = time.perf_counter() - start
    per = {}
    corpus = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        for name, latex in items:
            t = time.perf_counter()
            with contextlib.suppress(notation_parser.NotationError):
                notation_parser.parse(latex)
            per.setdefault(name, []).append(time.perf_counter() - t)
        corpus.append(time.perf_counter() - t0)
    best = {k: min(v) for k, v in per.items()}
    worst = max(best, key=best.get)
    print(f"{len(items)} formulas; grammar build {cold * 1e3:.0f} ms")
    print(f"per formula: median {statistics.median(best.values()) * 1e3:.2f} ms, "
          f"worst {best[worst] * 1e3:.2f} ms ({worst})")
    print(f"whole corpus: median {statistics.median(corpus) * 1e3:.0f} ms over {args.repeats} runs")


if __name__ == "__main__":
    main()
