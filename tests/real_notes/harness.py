"""Run `gradaudit check` on the real notes as a user does, and line its verdicts up with the keys.

Shared by tests/test_real_notes.py and bench/bench_real_notes.py. A key is `fN.k` (display N,
equation k); the tool's result for it is the result with that id and step, unless the key names
others (`tool: [...]`, where the tool splits a display differently). A display the tool cannot
read at all comes back as one `unsupported` result: every claim of that display shares it; a file
the tool refuses (exit 2) leaves every claim of the note unsupported, with the tool's message.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
IN_SCOPE = ("right", "wrong")

# the notation each note writes in (for the counts by notation)
NOTATION = {
    "chrisxue815-neural-network": "deeplearning.ai",
    "tylermorganme-week3": "deeplearning.ai",
    "ahammadnafiz-backprop-by-hand": "deeplearning.ai",
    "jmcheon-multilayer-perceptron-notation": "deeplearning.ai",
    "ezalos-notyetselfaware-maths": "Nielsen",
    "dudung-error-propagation": "Nielsen",
    "blackkeys17-neural-net-maths": "Nielsen",
    "jihwan-jeong-backpropagation": "row layout",
    "g-eoj-cs231n-two-layer-backprop": "row layout",
    "jfemiani-prml-error-backpropagation": "Bishop",
    "wildanjr19-logistic-regression": "logistic/linear regression",
    "wildanjr19-linear-regression": "logistic/linear regression",
    "imjaesung-logistic-regression": "logistic/linear regression",
}


@dataclass
class Claim:
    note: str
    id: str
    key: dict            # verdict, kind, reason
    verdict: str         # the tool's: correct | notation | error | unsupported
    kinds: tuple         # the tool's error kinds
    reason: str          # the tool's reason or the claim it read

    @property
    def pin(self) -> str:
        return self.verdict + ("/" + ",".join(self.kinds) if self.kinds else "")


def keys() -> dict:
    return yaml.safe_load((HERE / "keys.yaml").read_text(encoding="utf-8"))


def run(note: str) -> dict:
    """The tool's JSON report of one note, run as a user runs it (a subprocess)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    # a generous --timeout: the diagnosis search is time-budgeted, and with the default 5 s a verdict can
    # flip with the machine's load (blackkeys17 f20.1 came back error or unsupported on one input)
    proc = subprocess.run([sys.executable, "-m", "gradaudit", "check", str(HERE / f"{note}.md"), "--format", "json",
                           "--timeout", "60"],
                          check=False, capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    if proc.returncode == 2 and proc.stderr.startswith("gradaudit: error:"):
        # the whole file refused (a user sees one line naming file and line): every claim goes unread
        return {"refused": proc.stderr.strip().splitlines()[-1], "results": []}
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"gradaudit check {note}.md exited {proc.returncode}: {proc.stderr.strip()[:400]}")
    return json.loads(proc.stdout)


def claims(note: str, note_keys: dict, report: dict) -> list[Claim]:
    by_id = {f"{r['id']}.{r['step']}": r for r in report["results"]}
    by_display: dict[str, list] = {}
    for r in report["results"]:
        by_display.setdefault(r["id"], []).append(r)
    out = []
    if "refused" in report:
        return [Claim(note, cid, key, "unsupported", (), report["refused"]) for cid, key in note_keys.items()]
    for cid, key in note_keys.items():
        ids = key.get("tool", [cid])
        found = [by_id[i] for i in ids if i in by_id]
        if not found:
            whole = by_display.get(cid.split(".")[0], [])
            if len(whole) == 1 and whole[0]["verdict"] == "unsupported":
                found = whole                       # the display was not read: this claim is not either
        if not found:
            raise KeyError(f"{note} {cid}: gradaudit reports no claim for this key (ids {ids})")
        worst = max(found, key=lambda r: ("correct", "notation", "unsupported", "error").index(r["verdict"]))
        kinds = tuple(sorted({e["kind"] for e in worst["errors"]}))
        out.append(Claim(note, cid, key, worst["verdict"], kinds, worst.get("reason") or worst.get("claim") or ""))
    return out


def run_all(notes) -> dict:
    """Every note's report, two gradaudit processes at a time (each is single-threaded)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(notes, pool.map(run, notes), strict=False))


def audit_all(notes=None) -> list[Claim]:
    k = keys()
    reports = run_all(list(notes or k))
    return [c for note, report in reports.items() for c in claims(note, k[note], report)]


def figures(cs: list[Claim]) -> dict:
    """The three figures of record, over the claims a mathematician can check (keyed right or wrong)."""
    scope = [c for c in cs if c.key["verdict"] in IN_SCOPE]
    right = [c for c in scope if c.key["verdict"] == "right"]
    wrong = [c for c in scope if c.key["verdict"] == "wrong"]
    found = [c for c in wrong if c.verdict == "error"]
    return {
        "claims": len(cs), "in_scope": len(scope), "right": len(right), "wrong": len(wrong),
        "false_alarms": [c for c in right if c.verdict == "error"],
        "found": found,
        "found_kind": [c for c in found if c.key.get("kind") in c.kinds],
        "missed": [c for c in wrong if c.verdict != "error"],
        "unsupported": [c for c in scope if c.verdict == "unsupported"],
    }
