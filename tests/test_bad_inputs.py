"""Bad, hostile and huge input, run as a user runs it: `python -m gradaudit check ...` in a fresh folder.

Every case asserts the exit code (2 for a bad file or call, 0/1 when the file is good and only a
formula is bad), one clear line naming the file and line (and the formula id where there is one),
the time it took, and that no traceback reaches the user. A bad formula in a good file is
`unsupported` with a reason while the file's other formulas are still audited. Nothing in any
input runs: the hostile files would create a CANARY file if anything were executed.
The corpus is tests/bad_inputs/ (see its README); huge inputs are generated here, never committed.
"""
from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import gradaudit
from gradaudit.errors import GradauditError

BAD = Path(__file__).resolve().parent / "bad_inputs"
TIMEOUT = 2.0                  # --timeout per formula in these runs
SLACK = 3.0                    # what a formula may take beyond its budget (parse, the last step started)
RUN_LIMIT = 60.0               # no single run may take longer, whatever the input
MB = 1024 * 1024
Z3 = r"Z^{[3]} = W^{[3]}A^{[2]}+b^{[3]}"      # correct for d001-mlp3-g: the good neighbours of bad formulas
Z1 = r"Z^{[1]} = W^{[1]}A^{[0]}+b^{[1]}"


@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float

    def json(self) -> dict:
        return json.loads(self.out)


def gradaudit_cli(*args, cwd: Path, env: dict | None = None, limit: float = RUN_LIMIT) -> Run:
    """The CLI as a user runs it, killed (and the test failed) if it outlives `limit`."""
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "gradaudit", *map(str, args)], cwd=cwd, capture_output=True,
                          timeout=limit, env={**os.environ, **(env or {})})
    run = Run(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"),
              time.monotonic() - start)
    if "--debug" not in args:
        assert "Traceback" not in run.err, run.err
    assert run.seconds < limit
    return run


def copy_in(tmp_path: Path, *names: str) -> list[str]:
    for name in names:
        src = BAD / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, tmp_path / name)
    return list(names)


def one_error_line(run: Run) -> str:
    lines = [x for x in run.err.splitlines() if x.strip()]
    assert len(lines) == 1, run.err
    assert lines[0].startswith("gradaudit: error: "), lines[0]
    return lines[0]


def formula_file(tmp_path: Path, name: str, formulas: dict, architecture: str = "d001-mlp3-g") -> Path:
    """A TOML derivation file with the given formulas (id -> LaTeX), one section."""
    parts = [f'document = "{name}"\n\n[[section]]\nid = "s"\narchitecture = "{architecture}"\n']
    for fid, latex in formulas.items():
        parts.append(f"\n[[section.formula]]\nid = \"{fid}\"\nlatex = '''{latex}'''\n")
    path = tmp_path / name
    path.write_text("".join(parts), encoding="utf-8")
    return path


def latex_line(path: Path, fid: str) -> int:
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    at = lines.index(f'id = "{fid}"')
    return at + 2


def by_id(data: dict) -> dict:
    out = {}
    for r in data["results"]:
        out.setdefault(r["id"], []).append(r)
    return out


def assert_good_neighbours(data: dict, file: str, ids=("z3", "z1")):
    """The good formulas of a file with a bad one are still audited, and correct."""
    results = by_id(data)
    for fid in ids:
        assert fid in results, f"{fid} lost: {sorted(results)}"
        assert [r["verdict"] for r in results[fid]] == ["correct"], results[fid]
        assert all(r["file"] == file for r in results[fid])


def assert_exit_code(run: Run):
    """Exit 1 exactly when some claim is an error, else 0 (no file errors in these runs)."""
    data = run.json()
    assert data["file_errors"] == [] and run.err.strip() == "", run.err
    assert run.code == (1 if any(r["verdict"] == "error" for r in data["results"]) else 0)


def assert_bad_formula(data: dict, fid: str, line: int, allowed=("unsupported",)):
    results = by_id(data)[fid]
    for r in results:
        assert r["line"] == line, r
        assert r["verdict"] in allowed, r
        if r["verdict"] == "unsupported":
            assert r["reason"].strip(), r
        if r["verdict"] == "error":
            assert r["errors"] and all(e["detail"].strip() for e in r["errors"]), r
    assert sum(r["seconds"] for r in results) <= TIMEOUT + SLACK, results    # seconds are split over the claims


# ---- bad files: exit 2, one line naming the file and line --------------------------------------------------

FILE_ERRORS = [
    # (file in tests/bad_inputs, line the message names, what it says)
    ("invalid_toml.toml", 10, "invalid TOML"),
    ("unknown_architecture.toml", 4, "unknown architecture 'd999-no-such-net'"),
    ("section_without_architecture.toml", 12, "section 'orphan' names no architecture"),
    ("empty.toml", 1, "empty derivation file"),
    ("blank.toml", 1, "empty derivation file"),
    ("empty.md", 1, "no formula and no network"),
    ("empty.ipynb", 1, "not a notebook (invalid JSON"),
    ("not_utf8.toml", 2, "not UTF-8"),
    ("not_utf8.md", 3, "not UTF-8"),
    ("front_matter_names_nothing.md", 6, "no forward pass is written"),   # front matter of other tools only: inferred
    ("front_matter_empty.md", 4, "no forward pass is written"),
    ("front_matter_unknown_architecture.md", 2, "unknown architecture 'resnet-152'"),
    ("python_architecture.md", 2, "unknown architecture"),
    ("python_default_layer.md", 3, "default_layer must be L or a layer number"),
    ("notebook_not_json.ipynb", 2, "not a notebook (invalid JSON"),
    ("notebook_without_cells.ipynb", 1, "not a notebook (no cells)"),
    ("github_injection.toml", 10, "formula id must be one printable line"),
]


@pytest.mark.parametrize("name,line,message", FILE_ERRORS, ids=[c[0] for c in FILE_ERRORS])
def test_bad_file_is_one_line_with_file_and_line(tmp_path, name, line, message):
    copy_in(tmp_path, name)
    run = gradaudit_cli("check", name, cwd=tmp_path, limit=30)
    assert run.code == 2
    err = one_error_line(run)
    assert f"{name}:{line}: " in err and message in err, err
    assert not (tmp_path / "CANARY").exists()


@pytest.mark.parametrize("fmt", ["json", "github"])
def test_bad_file_in_machine_formats(tmp_path, fmt):
    name, line, message = "unknown_architecture.toml", 4, "unknown architecture"
    copy_in(tmp_path, name)
    run = gradaudit_cli("check", name, "--format", fmt, cwd=tmp_path, limit=30)
    assert run.code == 2
    assert message in one_error_line(run)
    if fmt == "json":
        errors = run.json()["file_errors"]
        assert [(e["file"], e["line"]) for e in errors] == [(name, line)] and message in errors[0]["message"]
    else:
        assert f"::error file={name},line={line}::" in run.out


def test_exit_zero_does_not_hide_a_bad_file(tmp_path):
    copy_in(tmp_path, "invalid_toml.toml")
    assert gradaudit_cli("check", "--exit-zero", "invalid_toml.toml", cwd=tmp_path, limit=30).code == 2


# ---- bad calls ---------------------------------------------------------------------------------------------

def test_missing_path(tmp_path):
    run = gradaudit_cli("check", "missing.toml", cwd=tmp_path, limit=30)
    assert run.code == 2
    assert "missing.toml: no such file or folder" in one_error_line(run)


def test_folder_without_derivation_files(tmp_path):
    copy_in(tmp_path, "no_derivations")
    run = gradaudit_cli("check", "no_derivations", cwd=tmp_path, limit=30)
    assert run.code == 2   # plain.md is skipped, named with why; README.md and notes.txt are not notes
    assert "no_derivations/plain.md:1: note: skipped: no network is declared" in run.out
    assert "no_derivations: nothing to audit: every notes file was skipped" in one_error_line(run)


def test_empty_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    run = gradaudit_cli("check", "empty", cwd=tmp_path, limit=30)
    assert run.code == 2
    assert "empty: no derivation files" in one_error_line(run)


def test_not_a_derivation_file(tmp_path):
    (tmp_path / "notes.txt").write_text(Z3)
    run = gradaudit_cli("check", "notes.txt", cwd=tmp_path, limit=30)
    assert run.code == 2
    assert "notes.txt: not a derivation file" in one_error_line(run)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_named_like_a_derivation_file_does_not_block(tmp_path):
    os.mkfifo(tmp_path / "pipe.toml")
    run = gradaudit_cli("check", "pipe.toml", cwd=tmp_path, limit=30)
    assert run.code == 2
    assert "pipe.toml: not a regular file" in one_error_line(run)


@pytest.mark.parametrize("value", ["0", "-1"])
def test_timeout_must_be_positive(tmp_path, value):
    copy_in(tmp_path, "unknown_macros.toml")
    run = gradaudit_cli("check", "unknown_macros.toml", f"--timeout={value}", cwd=tmp_path, limit=30)
    assert run.code == 2
    assert "--timeout must be positive" in one_error_line(run)


def test_timeout_nan_is_refused(tmp_path):
    copy_in(tmp_path, "unknown_macros.toml")
    run = gradaudit_cli("check", "unknown_macros.toml", "--timeout=nan", cwd=tmp_path, limit=30)
    assert run.code == 2 and "--timeout" in run.err


@pytest.mark.parametrize("args", [["check", "--format", "xml"], ["check", "--timeout", "soon"], ["frobnicate"],
                                  ["check", "--no-such-flag"]])
def test_bad_call_is_exit_2_with_usage(tmp_path, args):
    run = gradaudit_cli(*args, cwd=tmp_path, limit=30)
    assert run.code == 2
    assert "error:" in run.err


def test_file_over_the_size_limit_is_refused_unread(tmp_path):
    huge = tmp_path / "huge.toml"
    with huge.open("wb") as fh:        # sparse: 21 MB on paper, nothing written
        fh.truncate(21 * MB)
    run = gradaudit_cli("check", "huge.toml", cwd=tmp_path, limit=30)
    assert run.code == 2
    assert "huge.toml: file is 21 MB; the limit is 20 MB" in one_error_line(run)
    assert run.seconds < 20


def test_a_bad_file_does_not_lose_the_good_ones(tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(BAD / "invalid_toml.toml", folder / "a_invalid.toml")
    formula_file(folder, "b_good.toml", {"z3": Z3, "z1": Z1})
    run = gradaudit_cli("check", "mixed", "--format", "json", cwd=tmp_path)
    assert run.code == 2
    assert f"{Path('mixed', 'a_invalid.toml')}:10: invalid TOML" in one_error_line(run)
    assert_good_neighbours(run.json(), str(Path("mixed", "b_good.toml")))


def test_file_name_cannot_inject_github_commands(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(BAD / "unbalanced_braces.toml", folder / "x\n::error file=evil.py,line=1::boom.toml")
    run = gradaudit_cli("check", "in", "--format", "github", f"--timeout={TIMEOUT}", cwd=tmp_path)
    assert run.code == 0, run.err
    assert run.out.strip() and all(x.startswith(("::warning file=", "::error file=")) for x in run.out.splitlines())
    assert not any(line.startswith("::error file=evil.py") for line in run.out.splitlines())
    assert all("%0A%3A%3Aerror" in line for line in run.out.splitlines())   # the newline and colons escaped


def test_traceback_only_with_debug(tmp_path):
    run = gradaudit_cli("--debug", "check", "missing.toml", cwd=tmp_path, limit=30)
    assert run.code != 0
    assert "Traceback" in run.err and "missing.toml: no such file or folder" in run.err


# ---- bad formulas in good files: unsupported with a reason, the rest audited -------------------------------

FORMULA_CASES = {
    # file: {bad formula id: verdicts it may get}
    # b^{[2] never closed is repaired as a reader repairs it (issue 20): notation, with the repair named
    "unbalanced_braces.toml": {"open": ("notation",), "close": ("unsupported",)},
    "unknown_macros.toml": {"macro": ("unsupported",), "input": ("unsupported",)},
    "tower_of_exponents.toml": {"tower.power": ("unsupported", "error"),
                                "tower.matrix": ("unsupported", "error"), "huge.number": ("unsupported", "error")},
    "python_in_formula.toml": {"import": ("unsupported",), "rhs": ("unsupported",), "lambda": ("unsupported",),
                               "exec": ("unsupported",)},
}


@pytest.mark.parametrize("name", sorted(FORMULA_CASES))
def test_bad_formula_in_good_file(tmp_path, name):
    copy_in(tmp_path, name)
    run = gradaudit_cli("check", name, "--format", "json", f"--timeout={TIMEOUT}", cwd=tmp_path)
    assert_exit_code(run)
    data = run.json()
    assert_good_neighbours(data, name)
    for fid, allowed in FORMULA_CASES[name].items():
        assert_bad_formula(data, fid, latex_line(tmp_path / name, fid), allowed)
    assert not (tmp_path / "CANARY").exists()


def test_tower_of_exponents_is_unsupported_with_a_reason(tmp_path):
    copy_in(tmp_path, "tower_of_exponents.toml")
    run = gradaudit_cli("check", "tower_of_exponents.toml", "--format", "json", f"--timeout={TIMEOUT}", cwd=tmp_path)
    assert run.code in (0, 1), run.err
    assert_bad_formula(run.json(), "tower", latex_line(tmp_path / "tower_of_exponents.toml", "tower"))
    path = formula_file(tmp_path, "tower190.toml", {"z3": Z3, "tower": "A^{[1]} = " + "e^{" * 190 + "1" + "}" * 190})
    run = gradaudit_cli("check", path.name, "--format", "json", f"--timeout={TIMEOUT}", cwd=tmp_path)
    assert_bad_formula(run.json(), "tower", latex_line(path, "tower"), ("unsupported", "error"))


def test_exit_zero_with_a_wrong_formula(tmp_path):
    path = formula_file(tmp_path, "wrong.toml", {"z3": Z3, "wrong": "Z^{[3]} = W^{[3]}A^{[2]}-b^{[3]}"})
    assert gradaudit_cli("check", path.name, f"--timeout={TIMEOUT}", cwd=tmp_path).code == 1
    assert gradaudit_cli("check", path.name, "--exit-zero", f"--timeout={TIMEOUT}", cwd=tmp_path).code == 0


def test_alias_cycles_do_not_lose_the_file(tmp_path):
    name = "alias_cycle.toml"
    copy_in(tmp_path, name)
    run = gradaudit_cli("check", name, "--format", "json", f"--timeout={TIMEOUT}", cwd=tmp_path)
    assert_exit_code(run)
    data = run.json()
    assert_good_neighbours(data, name, ("z3", "alias", "z1"))
    for fid in ("cycle", "self"):
        assert_bad_formula(data, fid, latex_line(tmp_path / name, fid))


def test_alias_cycle_is_named(tmp_path):
    name = "alias_cycle.toml"
    copy_in(tmp_path, name)
    run = gradaudit_cli("check", name, "--format", "json", f"--timeout={TIMEOUT}", cwd=tmp_path)
    results = by_id(run.json())
    for fid, path in (("cycle", "V -> U -> V"), ("self", "Q -> Q")):
        for r in results[fid]:
            assert r["verdict"] == "unsupported" and "cycle" in r["reason"] and path in r["reason"], r


def test_bad_formula_is_one_github_line_with_file_line_and_id(tmp_path):
    copy_in(tmp_path, "unbalanced_braces.toml")
    run = gradaudit_cli("check", "unbalanced_braces.toml", "--format", "github", f"--timeout={TIMEOUT}", cwd=tmp_path)
    assert run.code in (0, 1)
    line = latex_line(tmp_path / "unbalanced_braces.toml", "close")
    hits = [x for x in run.out.splitlines() if f"file=unbalanced_braces.toml,line={line},title=close " in x]
    assert hits and all(x.startswith("::warning ") and x.split("::", 2)[2].strip() for x in hits), run.out


def test_markdown_note_with_python_in_front_matter_and_formula(tmp_path):
    name = "python_in_front_matter.md"
    copy_in(tmp_path, name)
    run = gradaudit_cli("check", name, "--format", "json", f"--timeout={TIMEOUT}", cwd=tmp_path)
    assert run.code in (0, 1), run.err
    data = run.json()
    results = by_id(data)
    assert [r["verdict"] for r in results["f1"]] == ["correct"] and [r["verdict"] for r in results["f3"]] == ["correct"]
    assert [(r["verdict"], r["line"]) for r in results["f2"]] == [("unsupported", 10)]
    assert not (tmp_path / "CANARY").exists()


CANARY_FILES = ["python_in_formula.toml", "python_in_front_matter.md", "python_architecture.md",
                "python_default_layer.md", "unknown_macros.toml"]


def test_nothing_in_any_input_is_executed(tmp_path):
    """A formula, alias or front-matter value that would create CANARY if run: after every run, no CANARY."""
    copy_in(tmp_path, *CANARY_FILES)
    for name in CANARY_FILES:
        gradaudit_cli("check", name, f"--timeout={TIMEOUT}", cwd=tmp_path)
        assert not (tmp_path / "CANARY").exists(), name
    assert not list(tmp_path.rglob("CANARY*"))


def test_non_ascii_formula_on_an_ascii_terminal(tmp_path):
    (tmp_path / "uni.md").write_text("---\narchitecture: d001-mlp3-g\ntitle: café σ\n---\n\n"
                                     f"$${Z3}$$\n\n$$Z^{{[2]}} = ∂σ(W^{{[2]}})$$\n", encoding="utf-8")
    run = gradaudit_cli("check", "uni.md", f"--timeout={TIMEOUT}", cwd=tmp_path, env={"PYTHONIOENCODING": "ascii"})
    assert run.code in (0, 1), run.err
    assert "uni.md:8  f2  unsupported" in run.out and "internal error" not in run.err


# ---- pathological sizes: bounded time, a verdict or a clear error ---------------------------------------------

DEEP = 10_000
PATHOLOGICAL = {
    # the sizes of the issue: past the parser's limits, so unsupported with a reason, in no time
    "deep.braces": ("Z^{[1]} = " + "{" * DEEP + "W^{[1]}A^{[0]}+b^{[1]}" + "}" * DEEP, ("unsupported",)),
    "deep.parens": ("Z^{[1]} = " + "(" * DEEP + "W^{[1]}A^{[0]}+b^{[1]}" + ")" * DEEP, ("unsupported",)),
    "deep.open": ("Z^{[1]} = " + "{" * DEEP + "W^{[1]}A^{[0]}+b^{[1]}", ("unsupported",)),
    "deep.under": ("Z^{[1]} = " + "{" * 9900 + "W^{[1]}A^{[0]}+b^{[1]}" + "}" * 9900, ("unsupported",)),
    "deep.sigma": ("A^{[1]} = " + r"\sigma(" * 2000 + "Z^{[1]}" + ")" * 2000, ("unsupported",)),
    "sum.right": ("Z^{[1]} = W^{[1]}A^{[0]} + b^{[1]}" + " + b^{[1]} - b^{[1]}" * (DEEP // 2), ("unsupported",)),
    "sum.wrong": ("Z^{[1]} = " + " + ".join(["b^{[1]}"] * DEEP), ("unsupported",)),
    "sum.frac": ("Z^{[1]} = " + " + ".join([r"\frac{1}{10000} W^{[1]}A^{[0]}"] * DEEP) + " + b^{[1]}", ("unsupported",)),
    # just inside the parser's limits: the auditor has to cope, within its budget
    "near.braces": ("Z^{[1]} = " + "{" * 190 + "W^{[1]}A^{[0]}+b^{[1]}" + "}" * 190, ("correct", "unsupported")),
    "near.parens": ("Z^{[1]} = " + "(" * 190 + "W^{[1]}A^{[0]}+b^{[1]}" + ")" * 190, ("correct", "unsupported")),
    "near.sigma": ("A^{[1]} = " + r"\sigma(" * 190 + "Z^{[1]}" + ")" * 190, ("error", "unsupported")),
    "near.chain": ("Z^{[1]} = " + " = ".join(["W^{[1]}A^{[0]}+b^{[1]}"] * 150), ("correct", "unsupported")),
    "near.chain.wrong": ("Z^{[1]} = " + " = ".join(["W^{[1]}A^{[0]}-b^{[1]}"] * 150), ("error", "unsupported")),
    "near.terms": ("Z^{[1]} = W^{[1]}A^{[0]}" + "+b^{[1]}" * 500, ("error", "unsupported")),
}


def test_pathological_formulas_between_good_ones(tmp_path):
    formulas = {"z3": Z3, **{k: v for k, (v, _) in PATHOLOGICAL.items()}, "z1": Z1}
    path = formula_file(tmp_path, "patho.toml", formulas)
    run = gradaudit_cli("check", path.name, "--format", "json", f"--timeout={TIMEOUT}", cwd=tmp_path)
    assert_exit_code(run)
    data = run.json()
    assert_good_neighbours(data, path.name)
    for fid, (_, allowed) in PATHOLOGICAL.items():
        assert_bad_formula(data, fid, latex_line(path, fid), allowed)
    assert run.seconds < len(formulas) * (TIMEOUT + SLACK)


def test_a_formula_over_its_budget_is_timed_out_and_the_audit_goes_on(tmp_path):
    # 150 wrong steps, each diagnosed: ~1.7 s of work at full budget here, three times the budget given
    slow = "dW^{[2]} = " + " = ".join([r"dZ^{[2]} A^{[1]}", r"\frac{1}{m} dZ^{[1]} A^{[1]T}", r"dZ^{[2]T} A^{[0]}"] * 50)
    path = formula_file(tmp_path, "slow.toml", {"z3": Z3, "slow": slow, "z1": Z1})
    run = gradaudit_cli("check", path.name, "--format", "json", "--timeout=0.6", cwd=tmp_path)
    assert run.code in (0, 1), run.err
    data = run.json()
    assert_good_neighbours(data, path.name)
    slow_results = by_id(data)["slow"]
    assert {(r["verdict"], r["reason"]) for r in slow_results} == {("unsupported", "timed out after 0.6 s")}
    assert sum(r["seconds"] for r in slow_results) < 0.6 + SLACK


def test_section_setup_is_not_charged_to_the_first_formula(tmp_path):
    path = formula_file(tmp_path, "first.toml", {"z3": Z3, "z1": Z1})
    run = gradaudit_cli("check", path.name, "--format", "json", "--timeout=0.05", cwd=tmp_path)
    assert_good_neighbours(run.json(), path.name)


@pytest.mark.parametrize("latex", [r"dW^{[2]} = dZ^{[2]}",
                                   r"dW^{[2]} = \frac{1}{m} dZ^{[2]} A^{[1]T}", r"dW^{[2]} = dZ^{[2]T} A^{[1]}"])
def test_wrong_shorthand_gradient_between_good_ones(tmp_path, latex):
    """Wrong gradients written with shorthands (once an AttributeError in the diagnosis that lost the whole run)."""
    path = formula_file(tmp_path, "dw.toml", {"z3": Z3, "dw": latex, "z1": Z1})
    run = gradaudit_cli("check", path.name, "--format", "json", f"--timeout={TIMEOUT}", cwd=tmp_path)
    assert run.code in (0, 1), run.err
    assert_good_neighbours(run.json(), path.name)
    assert_bad_formula(run.json(), "dw", latex_line(path, "dw"), ("error", "unsupported"))


def _ten_mb(unit: str) -> str:
    return unit * (10 * MB // len(unit) + 1)


def test_ten_mb_formula(tmp_path):
    """One 10 MB formula in a good file is one bad formula: unsupported, the others audited."""
    path = formula_file(tmp_path, "big.toml", {"z3": Z3, "big": _ten_mb(r"W^{[1]} + "), "z1": Z1})
    run = gradaudit_cli("check", path.name, "--format", "json", f"--timeout={TIMEOUT}", cwd=tmp_path)
    assert run.code in (0, 1), run.err
    data = run.json()
    assert_good_neighbours(data, path.name)
    assert_bad_formula(data, "big", latex_line(path, "big"))
    assert "too long" in by_id(data)["big"][0]["reason"]


def test_ten_mb_of_formulas_in_markdown(tmp_path):
    (tmp_path / "many.md").write_text("---\narchitecture: d001-mlp3-g\n---\n" + _ten_mb(f"\n$${Z3}$$\n"))
    run = gradaudit_cli("check", "many.md", cwd=tmp_path)
    assert run.code == 2
    err = one_error_line(run)
    assert "many.md:" in err and "formulas in one file" in err, err


def test_ten_mb_of_formulas_in_toml(tmp_path):
    body = "".join(f"\n[[section.formula]]\nlatex = '''{Z3}'''\n" for _ in range(10 * MB // 60))
    (tmp_path / "many.toml").write_text('[[section]]\narchitecture = "d001-mlp3-g"\n' + body)
    run = gradaudit_cli("check", "many.toml", cwd=tmp_path)
    assert run.code == 2
    assert "many.toml:" in one_error_line(run) and "formulas in one file" in run.err


def test_many_sections(tmp_path):
    """Each section builds its own numeric models: a file of thousands is refused, not audited for minutes."""
    body = "".join(f'\n[[section]]\nid = "s{i}"\narchitecture = "d001-mlp-L-g"\n\n[[section.formula]]\n'
                   f"latex = '''{Z1}'''\n" for i in range(3000))
    (tmp_path / "sections.toml").write_text(body)
    run = gradaudit_cli("check", "sections.toml", cwd=tmp_path)
    assert run.code == 2
    assert "sections.toml:702: 3000 sections in one file; the limit is 100" in one_error_line(run)


@pytest.mark.parametrize("kind", ["binary", "text", "unclosed_front_matter", "unclosed_display"])
def test_ten_mb_of_junk(tmp_path, kind):
    rng = np.random.default_rng(0)
    if kind == "binary":
        name, data = "junk.toml", rng.integers(0, 256, 10 * MB, dtype=np.uint8).tobytes()
    elif kind == "text":
        name, data = "junk.toml", _ten_mb("a = [ { \\frac } ] ''' x\n").encode()
    elif kind == "unclosed_front_matter":
        name, data = "junk.md", ("---\narchitecture: d001-mlp3-g\n" + _ten_mb("$$ x $ y \n")).encode()
    else:
        name, data = "junk.md", ("---\narchitecture: d001-mlp3-g\n---\n$$" + _ten_mb("x ^ { $ ")).encode()
    (tmp_path / name).write_bytes(data)
    run = gradaudit_cli("check", name, f"--timeout={TIMEOUT}", cwd=tmp_path)
    assert run.code == 2
    assert f"{name}:" in one_error_line(run)
    if kind == "unclosed_display":       # a $$ never closed would silently hide every formula after it
        assert "junk.md:4: a $$ display is opened here and never closed" in run.err


def test_ten_mb_notebook_with_images_is_audited(tmp_path):
    """A notebook's outputs (images) are large but not formulas: the formulas are still audited."""
    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["---\n", "architecture: d001-mlp3-g\n", "---\n"]},
             {"cell_type": "markdown", "metadata": {}, "source": [f"$${Z3}$$\n"]},
             {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": ["import os; os.system('touch CANARY')"],
              "outputs": [{"output_type": "display_data", "metadata": {},
                           "data": {"image/png": _ten_mb("iVBORw0KGgo")}}]}]
    nb = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "big.ipynb").write_text(json.dumps(nb))
    run = gradaudit_cli("check", "big.ipynb", "--format", "json", f"--timeout={TIMEOUT}", cwd=tmp_path)
    assert run.code == 0, run.err
    assert [r["verdict"] for r in run.json()["results"]] == ["correct"]
    assert not (tmp_path / "CANARY").exists()


# ---- generated code: wrong shapes, NaN, mismatched parameters -------------------------------------------------

@pytest.fixture(scope="module")
def net():
    return gradaudit.compile("d001-mlp3-g", sizes=[4, 3, 2, 1])


@pytest.fixture()
def data(net):
    rng = np.random.default_rng(0)
    return net.init(seed=0), rng.standard_normal((4, 5)), (rng.random((1, 5)) > 0.5).astype(float)


def _bad(params, X, Y, what):
    p = {k: v.copy() for k, v in params.items()}
    X, Y = X.copy(), Y.copy()
    if what == "X.rows":
        X = X[:3]
    elif what == "X.transposed":
        X = X.T
    elif what == "X.3d":
        X = X[:, :, None]
    elif what == "X.1d":
        X = X[:, 0]
    elif what == "X.empty":
        X, Y = X[:, :0], Y[:, :0]
    elif what == "X.nan":
        X[1, 2] = np.nan
    elif what == "X.inf":
        X[0, 0] = -np.inf
    elif what == "Y.examples":
        Y = Y[:, :4]
    elif what == "Y.transposed":
        Y = Y.T
    elif what == "Y.nan":
        Y[0, 0] = np.nan
    elif what == "W1.shape":
        p["W1"] = p["W1"].T
    elif what == "b2.shape":
        p["b2"] = p["b2"].ravel()
    elif what == "W3.nan":
        p["W3"][0, 0] = np.nan
    elif what == "params.missing":
        del p["b3"]
    elif what == "params.extra":
        p["W4"] = np.zeros((1, 1))
    elif what == "params.renamed":
        p["w1"] = p.pop("W1")
    elif what == "params.list":
        p = list(p.values())
    return p, X, Y


BAD_CALLS = {
    "X.rows": "X has shape (3, 5)", "X.transposed": "X has shape (5, 4)", "X.3d": "X has shape (4, 5, 1)",
    "X.1d": "X has shape (4,)", "X.empty": "X has no examples", "X.nan": "X contains NaN", "X.inf": "X contains NaN or infinity",
    "Y.examples": "Y has shape (1, 4), expected (1, 5)", "Y.transposed": "Y has shape (5, 1)", "Y.nan": "Y contains NaN",
    "W1.shape": "parameter W1 has shape (4, 3), expected (3, 4)", "b2.shape": "parameter b2 has shape (2,)",
    "W3.nan": "parameter W3 contains NaN", "params.missing": "missing ['b3']", "params.extra": "unexpected ['W4']",
    "params.renamed": "missing ['W1'], unexpected ['w1']", "params.list": "params must be a dict",
}


@pytest.mark.parametrize("method", ["loss", "grads"])
@pytest.mark.parametrize("what", sorted(BAD_CALLS))
def test_generated_code_rejects_bad_calls(net, data, method, what):
    params, X, Y = _bad(*data, what)
    with pytest.raises(GradauditError) as info:
        getattr(net, method)(params, X, Y)
    assert BAD_CALLS[what] in str(info.value)


def test_generated_code_predict_checks_too(net, data):
    params, X, _ = data
    with pytest.raises(GradauditError, match="X has shape"):
        net.predict(params, X.T)
    assert net.predict(params, X).shape == (1, 5)


def test_generated_code_good_call_still_works(net, data):
    params, X, Y = data
    assert math.isfinite(net.loss(params, X, Y))
    grads = net.grads(params, X, Y)
    assert {k: g.shape for k, g in grads.items()} == {k: v.shape for k, v in params.items()}


ODD_CALLS = {
    "X.strings": (lambda X: np.full(X.shape, "a"), "not numeric"),
    "X.complex": (lambda X: X + 1j, "complex"),          # not cast to real, dropping the imaginary part
    "Y.none": (None, "needs the labels Y"),
}


@pytest.mark.parametrize("what", sorted(ODD_CALLS))
def test_generated_code_rejects_odd_data(net, data, what):
    make, message = ODD_CALLS[what]
    params, X, Y = data
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(GradauditError, match=message):
            if make is None:
                net.loss(params, X, None)
            else:
                net.loss(params, make(X), Y)


@pytest.mark.parametrize("args,message", [
    (("no-such-arch",), "unknown architecture"),
    (("d001-mlp3-g",), None),
    (("d001-mlp3-g", [4, 0, 2, 1]), "sizes must be positive"),
    (("d001-mlp3-g", [4, 3, 1]), "give 4 sizes"),
    (("activations", [1, 1]), "no parameters to train"),
])
def test_compile_rejects_bad_requests(args, message):
    if message is None:      # the default sizes compile
        assert gradaudit.compile(*args).param_shapes
        return
    with pytest.raises(GradauditError, match=message):
        gradaudit.compile(*args)


def test_audit_file_api_reports_a_bad_file():
    with pytest.raises(GradauditError):
        gradaudit.audit_file(BAD / "invalid_toml.toml")


def test_a_long_alias_cycle_is_found_in_linear_time_and_named_briefly(tmp_path):
    """3,000 aliases in one ring: one pass finds the cycle, and the reason names a few of them and the count."""
    n = 3000
    ring = ", ".join(f'"U^{{({i})}}" = "U^{{({(i + 1) % n})}}"' for i in range(n))
    path = tmp_path / "ring.toml"
    path.write_text(f'document = "x.txt"\ntitle = "t"\n[[section]]\nid = "s"\narchitecture = "d001-mlp3-g"\n'
                    f'aliases = {{ {ring} }}\n[[section.formula]]\nid = "cyc"\n'
                    "latex = '''Z^{[2]} = U^{(5)} A^{[1]} + b^{[2]}'''\n")
    from gradaudit.audit.runner import audit_paths
    (result,) = audit_paths([path]).results
    assert result.verdict == "unsupported" and "cycle" in result.reason and "(3000 aliases)" in result.reason
    assert len(result.reason) < 300, result.reason


@pytest.mark.parametrize("latex,verdict", [
    (r"dW^{[l]} \ne \frac{1}{m} dZ^{[l]} A^{[l]T}", "unsupported"),         # an inequality is never read as '='
    (r"dW^{[l]} = \frac{1}{m} dZ^{[l]} A^{[l-1.4]T}", "unsupported"),       # a layer that is not a whole number
    (r"dW^{[l]} = 1.000001 \frac{1}{m} dZ^{[l]} A^{[l-1]T}", "error"),       # within 1e-6, but not right
    (r"x = \sum_{t=1}^{1000000000} t", "unsupported"),                     # a billion terms: refused, not allocated
    ("dW^{[l]} = \u00e9 dZ^{[l]}", "unsupported"),                          # a non-ASCII letter: a clean reason
])
def test_formulas_whose_form_is_hostile(tmp_path, latex, verdict):
    notes = tmp_path / "hostile.md"
    notes.write_text(f"---\narchitecture: d001-mlp-L-g\nshorthand: per-example\n---\n$${latex}$$\n", encoding="utf-8")
    run = gradaudit_cli("check", notes.name, "--format", "json", f"--timeout={TIMEOUT}", cwd=tmp_path)
    assert run.code in (0, 1), run.err
    (result,) = run.json()["results"]
    assert result["verdict"] == verdict, result
    assert "Error" not in result["reason"], result   # no exception class names in a reason


@pytest.mark.parametrize("name,content,message", [
    ("f5.toml", 'document = "x.txt"\ntitle = "t"\n[[section]]\nid = "s"\narchitecture = "d001-mlp-L-g"\nformula = 5\n',
     "f5.toml:3: formula must be"),
    ("deep.ipynb", "[" * 100000, "deep.ipynb:1: not a notebook (JSON nested too deeply)"),
    ("ints.ipynb", '{"cells": [{"cell_type": "markdown", "source": [1, 2, 3]}]}', "ints.ipynb:1: not a notebook"),
])
def test_malformed_structures_are_file_errors(tmp_path, name, content, message):
    (tmp_path / name).write_text(content)
    run = gradaudit_cli("check", name, cwd=tmp_path)
    assert run.code == 2 and message in run.err and "internal error" not in run.err, run.err


def test_sentence_punctuation_after_a_display_formula_is_not_the_formula(tmp_path):
    notes = tmp_path / "punct.md"
    notes.write_text("---\narchitecture: d001-mlp-L-g\nshorthand: per-example\n---\n"
                     "$$dW^{[l]} = \\frac{1}{m} dZ^{[l]} A^{[l]T}.$$\n\n$$dW^{[l]} = \\frac{1}{m} dZ^{[l]} A^{[l]T},$$\n")
    run = gradaudit_cli("check", notes.name, "--format", "json", cwd=tmp_path)
    assert [r["verdict"] for r in run.json()["results"]] == ["error", "error"] and run.code == 1


def test_a_continuation_must_name_an_earlier_formula_of_its_section(tmp_path):
    path = tmp_path / "cont.toml"
    path.write_text('document = "x.txt"\ntitle = "t"\n[[section]]\nid = "s"\narchitecture = "d001-mlp-L-g"\n'
                    "[[section.formula]]\nid = \"a\"\nlatex = '''dZ^{[L]} = A^{[L]} - Y'''\n"
                    "[[section.formula]]\nid = \"b\"\ncontinues = \"later\"\nlatex = '''= Y - A^{[L]}'''\n")
    run = gradaudit_cli("check", path.name, cwd=tmp_path)
    assert run.code == 2 and "cont.toml:12:" in run.err and "continues 'later'" in run.err, run.err


def test_formula_lines_ignore_latex_keys_inside_strings_and_read_quoted_keys(tmp_path):
    path = tmp_path / "lines.toml"
    path.write_text('document = "x.txt"\ntitle = "t"\n[[section]]\nid = "s"\narchitecture = "d001-mlp-L-g"\n'
                    'shorthand = "per-example"\n\n'
                    "[[section.formula]]\nid = \"a\"\nlatex = '''dW^{[l]} = \\frac{1}{m} dZ^{[l]} A^{[l-1]T}\nlatex = x'''\n\n"
                    "[[section.formula]]\nid = \"b\"\n\"latex\" = '''dW^{[l]} = \\frac{1}{m} dZ^{[l]} A^{[l]T}'''\n")
    run = gradaudit_cli("check", path.name, "--format", "json", cwd=tmp_path)
    lines = {r["id"]: r["line"] for r in run.json()["results"]}
    assert lines == {"a": 10, "b": 15}, lines


def test_explain_refuses_a_timeout_that_is_not_positive():
    run = gradaudit_cli("explain", "derivations/001_deep_network_vectorised.toml:bp.dZL", "--timeout", "-1", cwd=BAD.parents[1])
    assert run.code == 2 and "--timeout must be positive" in run.err


@pytest.mark.parametrize("name,content,message", [
    ("dl9.md", "---\narchitecture: d001-mlp3-g\ndefault_layer: 9\n---\n$$Z = W A + b$$\n",
     "dl9.md:3: default_layer 9 is not a layer of d001-mlp3-g"),
    ("dup.md", "---\narchitecture: d001-mlp3-g\nshorthand: total\nshorthand: per-example\n---\n$$Z^{[1]} = W^{[1]} X + b^{[1]}$$\n",
     "dup.md:4: front matter key 'shorthand' is given twice"),
    ("dupsec.toml", 'document = "x.txt"\ntitle = "t"\n[[section]]\nid = "s"\narchitecture = "d001-mlp3-g"\n'
                    '[[section]]\nid = "s"\narchitecture = "d001-mlp3-g"\n', "dupsec.toml:6: duplicate section id 's'"),
])
def test_settings_that_cannot_mean_anything_are_refused(tmp_path, name, content, message):
    (tmp_path / name).write_text(content)
    run = gradaudit_cli("check", name, cwd=tmp_path)
    assert run.code == 2 and message in run.err, run.err
