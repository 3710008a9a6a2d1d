"""Fuzzing the parser and the auditor with grammar-shaped LaTeX (hypothesis).

Formulas are built from the pieces deep-learning texts write (W^{[l]}, dZ^{[3]},
\\frac{\\partial J}{\\partial W^{[2]}}, \\sigma(...), ^T, \\frac{1}{m}, \\sum_{i=1}^{C}, =, ...),
both as well-formed expression trees and as free token soup, and each is audited as a formula of
a Markdown note with front matter `architecture: d001-mlp3-g`. Whatever the input: no exception
but the tool's own escapes, every claim gets a verdict in {correct, notation, error, unsupported}
with its reason or its errors, and every formula is answered within its budget (+ slack).
Settings are fixed (examples, deadline, derandomized) so the file runs in well under a minute.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gradaudit import corpus
from gradaudit.audit.auditor import SectionAuditor
from gradaudit.audit.verdict import VERDICTS
from gradaudit.errors import GradauditError
from gradaudit.notation import ast as N
from gradaudit.notation.parser import parse

BUDGET = 0.5               # seconds per formula (the auditor's --timeout)
SLACK = 1.5                # cooperative timeouts overshoot by at most one evaluation step
KINDS = {"sign", "index", "transpose", "dimension", "factor", "sum", "step", "label", "definition", "precedence",
         "order", "unexplained"}
FRONT = "---\narchitecture: d001-mlp3-g\n---\n\n"
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")   # overflow in e^{e^{...}} is a verdict's business

FUZZ = settings(max_examples=120, deadline=(BUDGET + SLACK) * 1000, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

# ---- the pieces ------------------------------------------------------------------------------------------------

LAYERS = ["1", "2", "3", "l", "L", "l-1", "l+1", "0"]
layer = st.sampled_from(LAYERS)
quantity = st.builds(lambda q, k: f"{q}^{{[{k}]}}", st.sampled_from(["W", "b", "Z", "A"]), layer)
shorthand = st.builds(lambda q, k: f"d{q}^{{[{k}]}}", st.sampled_from(["W", "b", "Z", "A"]), layer)
derivative = st.builds(lambda top, q, k: f"\\frac{{\\partial {top}}}{{\\partial {q}^{{[{k}]}}}}",
                       st.sampled_from(["J", "C", "L", "\\mathcal{J}", "A^{[3]}", "Z^{[2]}"]),
                       st.sampled_from(["W", "b", "Z", "A"]), layer)
atoms = st.one_of(quantity, shorthand, derivative,
                  st.sampled_from(["X", "Y", "m", "1", "2", "\\frac{1}{m}", "A^{[2]T}", "W^{[3]T}", "A^{[0]}",
                                   "\\hat{y}", "y", "e"]))


def _unary(e):
    return st.one_of(
        st.builds(lambda f, x: f"{f}({x})", st.sampled_from(["\\sigma", "g'", "g^{[2]'}", "\\tanh", "\\log", "g"]), e),
        st.builds(lambda x: f"({x})^T", e),
        st.builds(lambda x: f"-{x}", e),
        st.builds(lambda x: f"(1 - {x})", e),
        st.builds(lambda x: f"\\sum_{{i=1}}^{{C}} {x}", e),
        st.builds(lambda x: f"\\frac{{1}}{{m}} {x}", e),
        st.builds(lambda x: f"np.sum({x}, axis=1, keepdims=True)", e),
        st.builds(lambda x: f"e^{{{x}}}", e),
    )


def _binary(e):
    return st.builds(lambda a, op, b: f"{a} {op} {b}".replace("  ", " "), e,
                     st.sampled_from(["+", "-", "*", "\\cdot", "", "\\odot", "\\times"]), e)


expressions = st.recursive(atoms, lambda e: st.one_of(_unary(e), _binary(e)), max_leaves=8)
lhs = st.one_of(quantity, shorthand, derivative)
well_formed = st.builds(lambda left, rights: " = ".join([left] + rights), lhs, st.lists(expressions, min_size=1, max_size=3))

PIECES = ["W^{[l]}", "W^{[2]}", "A^{[l-1]T}", "(A^{[2]})^T", "dZ^{[3]}", "dW^{[2]}", "db^{[1]}",
          "\\frac{\\partial J}{\\partial W^{[2]}}", "\\frac{dC}{dW^{[3]}}", "g'(Z^{[2]})", "\\sigma(", "\\tanh(",
          "(", ")", "{", "}", "^T", "^", "_", "+", "-", "*", "\\cdot", "\\odot", "\\frac{1}{m}", "\\frac{", "}{",
          "\\sum_{i=1}^{C}", "=", "=", "Y", "X", "m", "1", "2", " ", "\\left(", "\\right)", "\\", "&", "\\\\",
          "\\begin{cases}", "\\end{cases}", "\\begin{bmatrix}", "\\end{bmatrix}", "w_{i,j}^{(l)}", "a_j^{(L)}",
          "\\max", "\\log", "e^{", "np.sum(dZ, axis=1, keepdims=True)", "\\unknownmacro", "'", ",", "[", "]"]
soup = st.lists(st.sampled_from(PIECES), min_size=1, max_size=14).map("".join)


# ---- auditing one formula as a note's formula --------------------------------------------------------------

@pytest.fixture(scope="module")
def auditor():
    doc = corpus.load_markdown(Path("fuzz.md"), FRONT + "$$Z^{[1]} = W^{[1]}A^{[0]}+b^{[1]}$$\n")
    aud = SectionAuditor(doc.sections[0], doc.document, timeout=BUDGET)
    first = aud.audit(doc.sections[0].formulas[0])          # builds the section's environments once
    assert [r.verdict for r in first] == ["correct"]
    return aud


def audit_note(auditor: SectionAuditor, latex: str):
    """The formula read from a note as a user's file is read, then audited; (results, seconds)."""
    doc = corpus.load_markdown(Path("fuzz.md"), FRONT + f"$$ {latex} $$\n")
    formulas = doc.sections[0].formulas
    assert len(formulas) == 1 and formulas[0].line == 5
    auditor.previous_reference = None                         # each example is a note of its own
    start = time.monotonic()
    try:
        results = auditor.audit(formulas[0])
    except GradauditError:                                   # the tool's own (NotationError is one): allowed
        return None, time.monotonic() - start
    return results, time.monotonic() - start


def check_results(results, seconds, latex):
    assert seconds <= BUDGET + SLACK, f"{seconds:.2f} s for {latex!r}"
    if results is None:
        return
    assert results, latex
    for r in results:
        assert r.verdict in VERDICTS, r
        assert r.line == 5 and r.file == "fuzz.md" and r.id == "f1", r
        if r.verdict == "unsupported":
            assert r.reason.strip(), r
        if r.verdict == "error":
            assert r.errors and all(e.kind in KINDS for e in r.errors), r
        if r.verdict == "correct":
            assert not r.errors, r


@FUZZ
@given(latex=well_formed)
@example(r"dW^{[2]} = \frac{1}{m} dZ^{[2]} A^{[1]T}")           # once an AttributeError that lost the whole run
@example(r"dW^{[2]} = dZ^{[2]}")
@example(r"db^{[1]} = np.sum(\frac{1}{m}, axis=1, keepdims=True)")  # found by this fuzzer: an AxisError
@example(r"A^{[3]} = e^{e^{e^{100}}}")
@example(r"b^{[1]} = Y")
def test_audit_well_formed_formulas(auditor, latex):
    results, seconds = audit_note(auditor, latex)
    check_results(results, seconds, latex)


@FUZZ
@given(latex=soup)
def test_audit_token_soup(auditor, latex):
    results, seconds = audit_note(auditor, latex)
    check_results(results, seconds, latex)


@settings(max_examples=400, deadline=1000, derandomize=True, database=None)
@given(latex=st.one_of(well_formed, soup, st.text(max_size=60)))
def test_parser_raises_only_notation_errors(latex):
    """The parser alone: a tree of statements, or NotationError; never anything else."""
    try:
        parsed = parse(latex)
    except GradauditError:
        return
    assert parsed.statements and all(isinstance(s, (N.Statement, N.Control)) for s in parsed.statements)


@FUZZ
@given(latex=st.builds(lambda left, right: f"{left} = {right}", lhs, expressions))
def test_audit_directly_as_a_section_formula(auditor, latex):
    """The same through a Formula built by hand (no Markdown), as the runner passes TOML formulas."""
    formula = corpus.Formula(id="x", latex=latex, file="fuzz.toml", line=7, locator="eq (1)")
    auditor.previous_reference = None
    start = time.monotonic()
    results = auditor.audit(formula)
    seconds = time.monotonic() - start
    assert seconds <= BUDGET + SLACK, latex
    assert results and all(r.verdict in VERDICTS and r.line == 7 and r.id == "x" for r in results), results
