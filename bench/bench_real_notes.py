"""The real-notes benchmark of record: gradaudit against hand keys on real published notes.

    python bench/bench_real_notes.py            # the three figures, counts by notation, every disagreement
    python bench/bench_real_notes.py --pin      # also rewrite tests/real_notes/pinned.yaml with today's verdicts

Figures (over the claims keyed right or wrong; not-a-claim and assignments are left out):
right formulas called error (target 0), share of the authors' mistakes reported as error
(target >= 90%), share unsupported (target <= 10%).
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "real_notes"))
import harness


def pct(a: int, b: int) -> str:
    return f"{a}/{b} = {100 * a / b:.0f}%" if b else "0/0"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pin", action="store_true", help="rewrite tests/real_notes/pinned.yaml")
    args = ap.parse_args()
    start = time.perf_counter()
    cs = harness.audit_all()
    seconds = time.perf_counter() - start
    f = harness.figures(cs)
    notes = sorted({c.note for c in cs})
    print(f"{len(notes)} notes, {len({n.split('-')[0] for n in notes})} sources, {f['claims']} claims keyed, "
          f"{f['in_scope']} in scope ({f['right']} right, {f['wrong']} wrong); audited in {seconds:.0f} s")
    print()
    print(f"right formulas called error:     {len(f['false_alarms'])}   (target 0)")
    print(f"authors' mistakes found:         {pct(len(f['found']), f['wrong'])}   (target >= 90%; "
          f"with the keyed kind: {len(f['found_kind'])})")
    print(f"unsupported:                     {pct(len(f['unsupported']), f['in_scope'])}   (target <= 10%)")
    print()
    by = defaultdict(Counter)
    for c in cs:
        n = harness.NOTATION[c.note]
        by[n]["claims"] += 1
        if c.key["verdict"] in harness.IN_SCOPE:
            by[n]["in scope"] += 1
            by[n][c.verdict] += 1
    print("by notation: claims (in scope): correct / notation / error / unsupported")
    for n, cnt in sorted(by.items()):
        print(f"  {n:28} {cnt['claims']:4} ({cnt['in scope']}): {cnt['correct']} / {cnt['notation']} / "
              f"{cnt['error']} / {cnt['unsupported']}")
    for title, group in (("false alarms (keyed right, reported error)", f["false_alarms"]),
                         ("missed mistakes (keyed wrong, not reported error)", f["missed"]),
                         ("unsupported", f["unsupported"])):
        print(f"\n{title}: {len(group)}")
        for c in group:
            key = c.key["verdict"] + ("/" + c.key["kind"] if c.key.get("kind") else "")
            print(f"  {c.note} {c.id}: key {key}; tool {c.pin}: {c.reason[:110]}")
    if args.pin:
        pins = defaultdict(dict)
        for c in cs:
            pins[c.note][c.id] = c.pin
        path = harness.HERE / "pinned.yaml"
        header = ("# gradaudit's verdict on each keyed claim of the real notes, as of the last `python bench/bench_real_notes.py --pin`.\n"
                  "# tests/test_real_notes.py holds the tool to these; re-pin after a change that moves a verdict\n"
                  "# (the keys in keys.yaml never move with the tool).\n")
        path.write_text(header + yaml.safe_dump(dict(pins), sort_keys=False, width=200), encoding="utf-8")
        print(f"\npinned {len(cs)} verdicts to {path.relative_to(harness.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
