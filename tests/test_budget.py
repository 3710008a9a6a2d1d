"""Issue 19: time and memory bounded for the whole run, and no internal error ever reaches the user.

Each class the issue found has a reproducer of our own here: nested sums whose product is huge, an
elided sum with a huge written index, the run budget (--max-seconds), a memory limit the CLI must live
under, TOML line numbers of every formula form, `explain` on every committed formula, each internal
exception class the fuzzer (bench/fuzz.py) found, and the safety net itself (--debug shows its traceback).
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

import gradaudit
from gradaudit import cli, corpus
from gradaudit.audit import budget, net
from gradaudit.audit.auditor import RUN_SPENT, SectionAuditor
from gradaudit.audit.runner import audit_paths
from gradaudit.commands import explain
from gradaudit.errors import GradauditError

ROOT = Path(__file__).resolve().parent.parent
SLACK = 1.5       # seconds a formula may take past its --timeout
INDEX_NOTE = "---\narchitecture: d004-mlp-L-sigmoid-sse\n---\n\n"
GOOD_INDEX = r"z_j^{(L-1)} = b_j^{(L-1)} + \sum_t w_{t,j}^{(L-1)} a_t^{(L-2)}"
NESTED = (r"a_{j}^{(L)} = \sum_{i=1}^{300}\sum_{k=1}^{300}\sum_{p=1}^{300}\sum_{q=1}^{300} "
          r"\delta_{ik}\delta_{pq} \delta_{ij} a_{q}^{(L)}")
ELIDED_HUGE = r"z_{j}^{(L)} = e^{z_{1}^{(L)}} + e^{z_{100000000}^{(L)}} + \dots + e^{z_{n}^{(L)}}"


def cli_run(*args, cwd: Path, limit: float = 120, memory: int | None = None):
    def cap():
        if memory is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "OPENBLAS_NUM_THREADS": "1"}
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "gradaudit", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=limit, env=env, preexec_fn=cap)
    return proc, time.monotonic() - start


def note(tmp_path: Path, *formulas: str, name: str = "notes.md", front: str = INDEX_NOTE) -> Path:
    path = tmp_path / name
    path.write_text(front + "\n\n".join(f"$${f}$$" for f in formulas) + "\n", encoding="utf-8")
    return path


def results_of(proc) -> list[dict]:
    assert "Traceback" not in proc.stderr and net.MARKER not in proc.stdout + proc.stderr, proc.stderr
    return json.loads(proc.stdout)["results"]


# ---- sizes estimated before anything is allocated ---------------------------------------------------------------

def test_nested_sums_are_refused_by_their_size_not_after_allocating_it(tmp_path):
    """Four sums over 300 with Kronecker deltas: 8.1e9 entries (14.7 s and 8.9 GB before); now a reason."""
    note(tmp_path, GOOD_INDEX, NESTED, GOOD_INDEX)
    proc, _ = cli_run("check", "notes.md", "--format", "json", "--timeout", "2", cwd=tmp_path)
    good, nested, again = results_of(proc)
    assert good["verdict"] == again["verdict"] == "correct"
    assert nested["verdict"] == "unsupported" and f"{budget.MAX_ELEMENTS:,}" in nested["reason"], nested
    assert "i, k, p, q" in nested["reason"] and nested["seconds"] <= 2 + SLACK


def test_an_elided_sum_with_a_huge_index_is_read_without_listing_every_index(tmp_path):
    """e^{z_1} + e^{z_{100000000}} + \\dots: 9.3 s and 4 GB while reading it before; the index is one term."""
    note(tmp_path, ELIDED_HUGE, GOOD_INDEX)
    proc, _ = cli_run("check", "notes.md", "--format", "json", "--timeout", "1", cwd=tmp_path)
    elided, good = results_of(proc)
    assert elided["verdict"] == "unsupported" and "100000000" in elided["reason"], elided
    assert good["verdict"] == "correct" and elided["seconds"] <= 1 + SLACK


@pytest.mark.parametrize("limit,reason", [
    (r"10^{30}", "not a usable whole number"),        # an OverflowError before
    (r"\frac{1}{0}", "not a usable whole number"),    # inf
    (r"a_{j}^{(L)}", "is not a number"),              # a vector as a limit
])
def test_a_limit_that_is_no_whole_number_is_a_reason(tmp_path, limit, reason):
    note(tmp_path, rf"z_{{j}}^{{(L)}} = \sum_{{i=1}}^{{{limit}}} a_{{i}}^{{(L)}}")
    proc, _ = cli_run("check", "notes.md", "--format", "json", cwd=tmp_path)
    (result,) = results_of(proc)
    assert result["verdict"] == "unsupported" and reason in result["reason"], result


def test_the_cli_lives_under_a_memory_limit_and_gives_verdicts(tmp_path):
    """Under RLIMIT_AS at the documented ceiling, the hostile formulas are verdicts, never a MemoryError."""
    note(tmp_path, GOOD_INDEX, NESTED, ELIDED_HUGE,
         r"z_{j}^{(L)} = \sum_{i=1}^{2000}\sum_{k=1}^{2000}\sum_{p=1}^{2000} a_{i}^{(L)} a_{k}^{(L)} a_{p}^{(L)}",
         r"z_{j}^{(L)} = \sum_{i=1}^{9999}\sum_{k=1}^{9999} \delta_{ik} a_{i}^{(L)}", GOOD_INDEX)
    proc, _ = cli_run("check", "notes.md", "--format", "json", "--timeout", "2", cwd=tmp_path,
                      memory=budget.MEMORY_CEILING)
    assert proc.returncode in (0, 1), proc.stderr
    results = results_of(proc)
    assert "MemoryError" not in proc.stdout + proc.stderr
    assert [r["verdict"] for r in results][0] == results[-1]["verdict"] == "correct"
    assert all(r["verdict"] == "unsupported" for r in results[1:-1]), results


# ---- the run budget --------------------------------------------------------------------------------------------

def test_max_seconds_bounds_the_run_and_reports_the_rest(tmp_path):
    """Formulas that each spend their whole budget: past --max-seconds the rest is 'run budget spent'."""
    slow = "Z^{[1]} = W^{[1]}A^{[0]}" + "+b^{[1]}" * 400     # a wrong formula whose diagnosis uses all its time
    front = "---\narchitecture: d001-mlp3-g\n---\n\n"
    note(tmp_path, *[slow] * 6, name="a.md", front=front)
    note(tmp_path, r"Z^{[1]} = W^{[1]}A^{[0]}+b^{[1]}", name="b.md", front=front)
    proc, _ = cli_run("check", "a.md", "b.md", "--format", "json", "--timeout", "1", "--max-seconds", "1.5",
                            cwd=tmp_path)
    results = results_of(proc)
    assert len(results) == 7 and proc.returncode in (0, 1)
    spent = [r for r in results if r["reason"] == RUN_SPENT]
    assert spent and spent[-1]["file"] == "b.md" and all(r["verdict"] == "unsupported" for r in spent)
    assert sum(r["seconds"] for r in results) <= 1.5 + SLACK, results
    assert json.loads(proc.stdout)["summary"]["seconds"] <= 1.5 + SLACK


@pytest.mark.parametrize("value", ["0", "-3", "nan"])
def test_max_seconds_must_be_positive(tmp_path, value):
    proc, _ = cli_run("check", str(ROOT / "derivations"), "--max-seconds", value, cwd=tmp_path)
    assert proc.returncode == 2 and "--max-seconds must be positive" in proc.stderr


# ---- line numbers of every formula form ----------------------------------------------------------------------

HEAD = 'document = "x.txt"\ntitle = "t"\n[[section]]\nid = "s"\narchitecture = "d001-mlp-L-g"\n'


@pytest.mark.parametrize("body,line", [
    # a formula without latex in the middle, and as the last one: its own table's line
    ("[[section.formula]]\nid = \"a\"\nlatex = 'Z^{[1]} = W^{[1]}A^{[0]}+b^{[1]}'\n"
     "[[section.formula]]\nid = \"b\"\n[[section.formula]]\nid = \"c\"\nlatex = 'Z^{[1]} = 1'\n", 9),
    ("[[section.formula]]\nid = \"a\"\nlatex = 'Z^{[1]} = W^{[1]}A^{[0]}+b^{[1]}'\n"
     "[[section.formula]]\nid = \"b\"\n", 9),
    # inline tables: the line of each table
    ("formula = [\n  { id = \"a\", latex = 'Z^{[1]} = 1' },\n\n  { id = \"b\" },\n]\n", 9),
    ("formula = [{ id = \"a\", latex = 'Z^{[1]} = 1' }, 5]\n", 6),
])
def test_a_formula_error_names_the_formula_s_own_line(tmp_path, body, line):
    (tmp_path / "f.toml").write_text(HEAD + body)
    proc, _ = cli_run("check", "f.toml", cwd=tmp_path)
    assert proc.returncode == 2 and f"f.toml:{line}: " in proc.stderr, proc.stderr


def test_inline_table_formulas_are_reported_at_their_lines(tmp_path):
    (tmp_path / "f.toml").write_text(HEAD + "formula = [\n  { id = \"a\", latex = 'Z^{[1]} = W^{[1]}A^{[0]}+b^{[1]}' },"
                                            "\n  # a comment { with braces }\n  {id='b',latex='''Z^{[2]} = W^{[2]}A^{[1]}"
                                            "\n+b^{[2]}'''}]\n")
    proc, _ = cli_run("check", "f.toml", "--format", "json", cwd=tmp_path)
    assert {r["id"]: r["line"] for r in results_of(proc)} == {"a": 7, "b": 9}


def test_formula_lines_of_the_corpus_are_their_latex_keys():
    for path in sorted((ROOT / "derivations").glob("*.toml")):
        lines = path.read_text().splitlines()
        for section in corpus.load(path).sections:
            for f in section.formulas:
                assert lines[f.line - 1].startswith("latex = "), (path.name, f.id, f.line)


# ---- explain --------------------------------------------------------------------------------------------------

def test_explain_a_dimension_formula(tmp_path):
    proc, _ = cli_run("explain", ROOT / "derivations/001_deep_network_vectorised.toml:dims.dZL", cwd=tmp_path)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert "(a size only: no entries)" in proc.stdout, proc.stdout


def test_explain_every_formula_of_the_corpus():
    """What `gradaudit explain FILE:ID` prints, for every committed formula: never an internal error."""
    count = 0
    for path in sorted((ROOT / "derivations").glob("*.toml")):
        doc = corpus.load(path)
        for section in doc.sections:
            auditor = SectionAuditor(section, doc.document, timeout=5.0)
            for formula in section.formulas:
                out = io.StringIO()
                with contextlib.redirect_stdout(out):
                    explain._explain(auditor, section, formula)
                text = out.getvalue()
                assert f"{formula.id}  (" in text and ("verdict:" in text), (path.name, formula.id, text)
                assert net.MARKER not in text, (path.name, formula.id, text)
                count += 1
    assert count > 400


# ---- internal exceptions found by fuzzing: each a sentence now ----------------------------------------------------

@pytest.mark.parametrize("architecture,latex,says", [
    # KeyError 'A1': \hat{y} in a network of named scalars that has no output A
    ("d002-chain-toy", r"\frac{\partial J}{\partial B} = \frac{\partial J}{\partial G} \hat{y}", r"unknown quantity \hat{y}"),
    # TypeError in isfinite: an indexed side against a whole Jacobian
    ("d001-mlp3-g", r"\frac{\partial A_j^{[2]}}{\partial Z_j^{[2]}} = \frac{d}{dZ^{[2]}} \sigma(Z^{[2]})",
     "the other a whole Jacobian"),
    # TypeError float(Jac): the written terms of an elided sum, for a left side that is a Jacobian
    ("d001-mlp3-g", r"\frac{\partial Z^{[3]}}{\partial A^{[2]}} = a_{1}^{[2]} + a_{2}^{[2]} + \dots + a_{n}^{[2]} + W^{[3]}",
     ""),
    # OverflowError: a written size past any number
    ("d001-mlp3-g", r"Z^{[1]} = \mathbb{R}^{[10^{400}, m]}", ""),
    # OverflowError (Python int too large to convert to C long): an element index past any integer NumPy holds
    ("d002-cnn-sigmoid", r"Z_{1[i,j]} = x_{[i,{999999999999999999999}+j]}k_{[0,1]} + \dots + x_{[i+k-1,j+k-1]}k_{[k-1,k-1]}",
     "past any size"),
    # AxisError: a sum along the examples of a scalar, and np.sum over an axis a scalar lacks
    ("d000-mlp3-sigmoid", r"dW^{[3]} = \frac{1}{m} (Y_{1}-A_{1}^{[3]}) \text{sum along rows}", "no axis of examples"),
    ("d001-mlp-L-g", r"db_{0}^{[L-1]} = \frac{1}{m}np.sum(dZ_{0}^{[L-1]}, axis=1, keepdims=True)", "has no axis 1"),
    # ValueError (operands could not be broadcast): a case whose condition has another shape than its value
    ("d001-mlp3-g", r"\begin{cases} Z^{[2]}, & \text{if } Z^{[1]} > 0 \\ 0, & \text{otherwise} \end{cases} = A^{[2]}",
     "do not match"),
    # IndexError: more indices than the quantity has axes, in an indexed Jacobian
    ("d001-mlp3-g", r"\frac{\partial Z_{i,j}^{[1]}}{\partial b_{i,j}^{[1]}} = 1", "indices on a quantity with"),
    # TypeError in isfinite: a derivative written before a size (\mathbb{R}^{[...]} has a shape, not values)
    ("d001-mlp3-g", r"\frac{\partial C}{\partial Z^{[3]}} \mathbb{R}^{[n^L,m]} = A^{[3]} - Y", ""),
    # ValueError (axes don't match array): an indexed side against one with an axis no index names
    ("d004-mlp-L-sigmoid-sse", r"a_j^{[1]} = \frac{\partial A^{[1]}}{\partial z_j^{[1]}}", "axes its indices do not name"),
    # TypeError (float times Jac): an indexed factor times a whole Jacobian
    ("d001-mlp3-g", r"\frac{\partial J}{\partial Z_j^{[1]}} = \frac{\partial J}{\partial A_j^{[1]}} \cdot "
                    r"\frac{\partial A^{[1]}}{\partial Z^{[1]}}", "times a whole Jacobian"),
])
def test_internal_exception_classes_are_sentences(architecture, latex, says):
    doc = corpus.load_markdown(Path("notes.md"), f"---\narchitecture: {architecture}\n---\n\n$${latex}$$\n")
    (section,) = doc.sections
    results = SectionAuditor(section, doc.document, timeout=2.0).audit(section.formulas[0])
    assert results and all(r.verdict in ("unsupported", "error", "correct", "notation") for r in results)
    for r in results:
        assert "Error" not in r.reason and net.MARKER not in r.reason, r   # no exception named in what a user reads
    assert says in " ".join(r.reason for r in results), results


# ---- the safety net ----------------------------------------------------------------------------------------------

def _broken_evaluator(monkeypatch):
    """A bug planted in the evaluator: every sum raises an exception that is not the tool's own."""
    from gradaudit.audit import evaluate as ev
    from gradaudit.notation import ast as N

    def boom(node, ctx):
        raise RuntimeError("planted bug")
    monkeypatch.setitem(ev.HANDLERS, N.Add, boom)
    monkeypatch.setattr(net, "DEBUG", False)


def test_the_net_says_internal_error_and_debug_shows_its_traceback(tmp_path, monkeypatch, capsys):
    _broken_evaluator(monkeypatch)
    path = note(tmp_path, r"Z^{[1]} = W^{[1]}A^{[0]}+b^{[1]}", r"dZ^{[3]} = A^{[3]} - Y",
                front="---\narchitecture: d001-mlp3-g\n---\n\n")
    assert cli.main(["check", str(path), "--format", "json"]) in (0, 1)
    out, err = capsys.readouterr()
    reasons = [r["reason"] for r in json.loads(out)["results"]]
    assert all(net.MARKER in x and "RuntimeError: planted bug" in x for x in reasons), reasons
    assert "Traceback" not in err
    assert cli.main(["--debug", "check", str(path), "--format", "json"]) in (0, 1)
    out, err = capsys.readouterr()
    assert "Traceback" in err and "RuntimeError: planted bug" in err


def test_a_folder_with_a_broken_file_audits_every_other_file(tmp_path, monkeypatch):
    """A file whose reading raises an unexpected exception is a GradauditError naming it; the rest goes on."""
    folder = tmp_path / "notes"
    folder.mkdir()
    front = "---\narchitecture: d001-mlp3-g\n---\n\n"
    note(folder, r"Z^{[1]} = W^{[1]}A^{[0]}+b^{[1]}", name="a_good.md", front=front)
    note(folder, r"Z^{[1]} = W^{[1]}A^{[0]}+b^{[1]}", name="b_crash.md", front=front)
    note(folder, r"Z^{[1]} = W^{[1]}A^{[0]}+b^{[1]}", name="c_bad.md", front="---\narchitecture: nope\n---\n")
    note(folder, r"Z^{[2]} = W^{[2]}A^{[1]}+b^{[2]}", name="d_good.md", front=front)
    real = corpus.load

    def load(path, **options):
        if path.name == "b_crash.md":
            raise AttributeError("'str' object has no attribute 'items'")   # the shape of issue 19's first crash
        return real(path, **options)
    monkeypatch.setattr(corpus, "load", load)
    run = audit_paths([folder])
    assert sorted(Path(r.file).name for r in run.results) == ["a_good.md", "d_good.md"]
    assert all(r.verdict == "correct" for r in run.results)
    errors = {Path(e.file).name: e for e in run.file_errors}
    assert sorted(errors) == ["b_crash.md", "c_bad.md"] and all(isinstance(e, GradauditError) for e in errors.values())
    assert errors["c_bad.md"].line == 2
    with pytest.raises(GradauditError, match="b_crash.md"):
        gradaudit.audit_file(folder / "b_crash.md")


def test_a_folder_with_a_broken_file_exits_2_naming_it(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    front = "---\narchitecture: d001-mlp3-g\n---\n\n"
    note(folder, r"Z^{[1]} = W^{[1]}A^{[0]}+b^{[1]}", name="a.md", front=front)
    note(folder, r"Z^{[1]} = W^{[1]}A^{[0]}+b^{[1]}", name="b.md", front="---\narchitecture: d001-mlp3-g\nshorthand: 5\n---\n")
    note(folder, r"Z^{[2]} = W^{[2]}A^{[1]}+b^{[2]}", name="c.md", front=front)
    proc, _ = cli_run("check", "notes", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 2 and f"{Path('notes', 'b.md')}:3: shorthand must be" in proc.stderr, proc.stderr
    assert [(Path(r["file"]).name, r["verdict"]) for r in results_of(proc)] == [("a.md", "correct"), ("c.md", "correct")]


def test_the_deadline_is_checked_inside_one_evaluation_not_only_between_contexts():
    """The budget stops an evaluation mid-way: a deadline already past raises at the first step."""
    from gradaudit.audit.evaluate import evaluate
    from gradaudit.notation.parser import parse
    doc = corpus.load_markdown(Path("n.md"), "---\narchitecture: d001-mlp3-g\n---\n$$Z^{[1]} = W^{[1]}A^{[0]}+b^{[1]}$$\n")
    auditor = SectionAuditor(doc.sections[0], doc.document)
    ctx = next(iter(auditor.envs.contexts(set())))
    node = parse(r"W^{[1]}A^{[0]}+b^{[1]}").statements[0].steps[0]
    assert evaluate(node, ctx).shape == ctx.model.values["Z1"].shape
    with budget.limit(time.monotonic() - 1.0), pytest.raises(budget.BudgetSpent):
        evaluate(node, ctx)
    assert evaluate(node, ctx) is not None   # the limit ends with its block
