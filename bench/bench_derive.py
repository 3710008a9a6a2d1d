"""Time the closed-form derivation of every architecture cold, and its growth with depth L.

Run: .venv/bin/python bench/bench_derive.py [--runs 5]
Cold = a fresh Python process per measurement (SymPy's caches empty), median of --runs.
Expression size: sympy.count_ops of the fully expanded dW1 (closed("dW1")) after cse, and of
all backward expressions together; both should grow linearly in L.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
import sympy as sp
from gradaudit.architectures import registry
from gradaudit.symbolic import derive
t1 = time.perf_counter()
mode, arg = sys.argv[1], sys.argv[2]
if mode == "all":
    for a in registry().values():
        d = derive(a, 4 if a.general else None)
        [d.closed(n) for n, _ in d.backward] if a.convention != "scalar" else None
    print(json.dumps({"import": t1 - t0, "derive": time.perf_counter() - t1}))
else:
    L = int(arg)
    t = time.perf_counter()
    d = derive(mode, L)
    t_derive = time.perf_counter() - t
    closed = d.closed("dW1")
    t_closed = time.perf_counter() - t
    def ops(exprs):
        repl, red = sp.cse(exprs)
        return sum(sp.count_ops(e) for _, e in repl) + sum(sp.count_ops(e) for e in red)
    print(json.dumps({"derive": t_derive, "closed": t_closed, "ops_dW1": ops([closed]),
                      "ops_backward": ops([e for _, e in d.backward])}))
"""


def child(*args):
    out = subprocess.run([sys.executable, "-c", CHILD, *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--arch", default="d002-mlp-L-relu-sigmoid")
    args = parser.parse_args()
    cold = [child("all", "-") for _ in range(args.runs)]
    print(f"every architecture, cold (median of {args.runs} fresh processes):")
    print(f"  import sympy + gradaudit: {statistics.median(c['import'] for c in cold):.2f} s")
    print(f"  derive all + closed forms: {statistics.median(c['derive'] for c in cold):.2f} s")
    print(f"\ngrowth with depth, {args.arch} (median of {args.runs}):")
    print(f"{'L':>4} {'derive s':>10} {'+closed s':>10} {'ops dW1':>8} {'ops all':>8}")
    for L in (2, 4, 8, 16, 32):
        rows = [child(args.arch, str(L)) for _ in range(args.runs)]
        med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
        print(f"{L:>4} {med['derive']:>10.3f} {med['closed']:>10.3f} {med['ops_dW1']:>8.0f} {med['ops_backward']:>8.0f}")


if __name__ == "__main__":
    main()
