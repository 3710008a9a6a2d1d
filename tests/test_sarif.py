"""`gradaudit check --format sarif` validates against the official SARIF 2.1.0 schema (vendored in tests/data)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())


def test_a_sarif_report_of_right_wrong_unsupported_and_bad_files_is_valid(tmp_path):
    (tmp_path / "notes.md").write_text("---\narchitecture: d001-mlp-L-g\nshorthand: per-example\n---\n"
                                       "$$dZ^{[L]} = A^{[L]} - Y$$\n\n$$dZ^{[L]} = Y - A^{[L]}$$\n\n"
                                       "$$dW^{[L]} = \\begin{bmatrix} \\vdots \\end{bmatrix}$$\n")
    (tmp_path / "bad.md").write_text("---\narchitecture: resnet-152\n---\n$$x = 1$$\n")
    paper = ROOT / "tests" / "sources" / "paper.tex"
    run = subprocess.run([sys.executable, "-m", "gradaudit", "check", "notes.md", "bad.md", str(paper),
                          "--format", "sarif"], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert run.returncode == 2, run.stderr      # bad.md is a bad input
    log = json.loads(run.stdout)
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    (sarif_run,) = log["runs"]
    rules = sarif_run["tool"]["driver"]["rules"]
    got = [(r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].rsplit("/", 1)[-1])
           for r in sarif_run["results"]]
    assert got == [("wrong-sign", "error", 7, "notes.md"), ("unsupported", "warning", 9, "notes.md"),
                   ("wrong-transpose", "error", 19, "paper.tex"), ("wrong-sign", "error", 24, "paper.tex")], got
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in sarif_run["results"])
    (invocation,) = sarif_run["invocations"]
    assert invocation["executionSuccessful"] is False
    levels = [(n["level"], n["message"]["text"][:20]) for n in invocation["toolExecutionNotifications"]]
    assert levels[0] == ("error", "unknown architecture") and [lv for lv, _ in levels[1:]] == ["note", "note"]


def test_a_schema_violation_is_caught_by_the_validator():
    """The validation above can fail: a result without its message is not SARIF."""
    broken = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "gradaudit"}}, "results": [{"ruleId": "x"}]}]}
    try:
        jsonschema.Draft4Validator(SCHEMA).validate(broken)
    except jsonschema.ValidationError as exc:
        assert "message" in exc.message
    else:
        raise AssertionError("a result without a message validated")
