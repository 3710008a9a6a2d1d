"""A network per section: a heading whose section declares its own network is audited in it (issue 20)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "gradaudit", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def test_three_networks_under_three_headings():
    run = cli("check", DATA / "three_networks.md", "--format", "json")
    assert run.returncode == 1, run.stderr
    got = {r["id"]: (r["section"], r["verdict"], [e["kind"] for e in r["errors"]]) for r in json.loads(run.stdout)["results"]}
    assert got == {
        # logistic regression (one sigmoid unit, z = w^T x + b), one example's lowercase names
        "f1": ("logistic-regression", "correct", []),        # dz = a - y: sigmoid + BCE
        "f2": ("logistic-regression", "correct", []),        # dw = x dz: one unit, one example
        # a linear hidden layer: its activation is the identity
        "f3": ("a-linear-layer", "correct", []),             # a^{[1]} = z^{[1]}
        "f4": ("a-linear-layer", "correct", []),             # a sub-heading keeps its parent's network: output layer 2
        # a tanh hidden layer: tanh' = 1 - A^2
        "f5": ("two-layer-network", "correct", []),
        "f6": ("two-layer-network", "correct", []),
        "f7": ("two-layer-network", "error", ["sign"]),      # 1 + A^2 is not tanh'
    }


def test_one_network_for_the_whole_file_makes_the_other_sections_wrong_or_unsupported(tmp_path):
    """The same formulas under the file's one network: a^{[1]} = z^{[1]} is then false (a tanh layer), which is
    why each section needs its own."""
    (tmp_path / "one.md").write_text("---\nnetwork: {layers: [tanh, sigmoid], loss: bce}\nshorthand: per-example\n---\n"
                                     "# A linear layer\n$$a^{[1]} = z^{[1]}$$\n")
    run = cli("check", "one.md", "--format", "json", cwd=tmp_path)
    results = {r["id"]: r["verdict"] for r in json.loads(run.stdout)["results"]}
    assert results["f1"] == "error"


@pytest.mark.parametrize("body,line,message", [
    ("<!-- gradaudit:\nnetwork: {layers: [tanh], loss: bce}\n-->\n$$Z = W X + b$$\n", 4,
     "belongs under a heading"),
    ("# A\n<!-- gradaudit:\nnetwork: {layers: [tanh, sigmoid], loss: bce}\n-->\n"
     "```gradaudit\nnetwork: {layers: [sigmoid], loss: bce}\n```\n", 8, "already declares its network"),
    ("# A\n<!-- gradaudit:\nnetwork: {layers: [tanh, swish], loss: bce}\n-->\n$$Z = W X + b$$\n", 6,
     "unknown activation 'swish'"),
    ("# A\n$$Z = W X + b$$\n# B\n<!-- gradaudit:\nnetwork: {layers: [sigmoid], loss: bce}\n-->\n", 5,
     "no network is declared and the notes do not define one: no loss is defined"),
])
def test_bad_section_declarations(tmp_path, body, line, message):
    (tmp_path / "n.md").write_text("---\ntitle: t\n---\n" + body)
    run = cli("check", "n.md", cwd=tmp_path)
    assert run.returncode == 2 and f"n.md:{line}: " in run.stderr and message in run.stderr, run.stderr
