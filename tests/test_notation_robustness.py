"""The parser's promise: NotationError with a reason, nothing else, ever, and fast.

Clear errors for bad input, limits that reject pathological input quickly, and hypothesis
feeding random text and strings assembled from the tokenizer's and grammar's own pieces.
"""
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradaudit.errors import NotationError
from gradaudit.notation import tokens
from gradaudit.notation.latex import to_latex
from gradaudit.notation.parser import parse


@pytest.mark.parametrize("latex,reason", [
    (r"\foo{x} = 1", r"unknown macro \\foo"),
    (r"\frac{a}{b", "unbalanced braces"),
    (r"a = b}", "unbalanced braces"),
    (r"(a + b))", r"unbalanced '\)'"),
    (r"\begin{tabular} a \end{tabular}", "unsupported environment"),
    (r"\begin{cases} a & \text{if } x > 0", "never ended"),
    ("", "empty formula"),
    ("$$ $$", "empty formula"),
    (r"a = ", "ends with '='"),
    (r"a + * b", "unexpected"),
    (r"\mathbb{Z}", "only"),
    (r"(a, b)", "must follow a function"),
    (r"\partial x", r"\\partial outside"),
    (r"x_{pool", "unbalanced braces"),
    ("a | b", "unexpected character"),
])
def test_clear_errors(latex, reason):
    with pytest.raises(NotationError, match=reason):
        parse(latex)


@pytest.mark.parametrize("value", [b"W^{[1]}", None, 3, ["x"], object()])
def test_non_text_input(value):
    with pytest.raises(NotationError, match="must be text"):
        parse(value)


@pytest.mark.parametrize("latex,reason", [
    ("a" * 25_000, "too long"),
    ("a+" * 6_000 + "b", "too long"),
    ("{" * 300 + "x" + "}" * 300, "nested deeper"),
    ("(" * 3000 + "x" + ")" * 3000, "nested deeper"),
    ("-" * 4000 + "x", "nested too deeply"),
    (r"\sum_i " * 4000 + "x", "too long"),
])
def test_pathological_input_is_rejected_fast(latex, reason):
    start = time.perf_counter()
    with pytest.raises(NotationError, match=reason):
        parse(latex)
    assert time.perf_counter() - start < 1.0


def test_deep_but_allowed_nesting_parses_and_prints():
    latex = r"\frac{" * 150 + "x" + "}{y}" * 150
    parsed = parse(latex)
    assert parse(to_latex(parsed)) == parsed


# ---- hypothesis ------------------------------------------------------------------------------

# the pieces the tokenizer and grammar are made of
PIECES = sorted(
    ["\\" + m for m in tokens.SIMPLE if m.isalpha()] + ["\\" + g for g in sorted(tokens.GREEK)[:6]]
    + list(tokens.FUNC_WORDS) + list(tokens.PUNCT) + ["*", ":=", "\\{", "\\}", "\\\\", "\\,", "\\ ", "'"]
    + ["\\left(", "\\right)", "\\left[", "\\right]", "\\text{if }", "\\text{otherwise}", "\\text{ or }",
       "\\text{sum along rows}", "\\text{where }", "\\text{sigmoid}", "\\hat{y}", "\\mathcal{J}", "\\mathbb{R}",
       "\\begin{cases}", "\\end{cases}", "\\begin{bmatrix}", "\\end{bmatrix}", "\\begin{aligned}", "\\end{aligned}",
       "np.sum(", "axis=1", "keepdims=True", "\\quad (12)", "\\tag{3}", "b{[3]}", "g", "e", "d", "dZ", "\\max_"]
    + list("AWZbXYxyzijlLmT0123")
)


def _checked(latex: str):
    start = time.perf_counter()
    try:
        parsed = parse(latex)
    except NotationError as e:
        assert str(e)
        parsed = None
    assert time.perf_counter() - start < 1.0
    return parsed


HYPO = settings(max_examples=250, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@HYPO
@given(st.text(max_size=200))
def test_random_text_raises_only_notation_error(text):
    _checked(text)


@HYPO
@given(st.lists(st.sampled_from(PIECES), max_size=40).map(" ".join))
def test_grammar_pieces_raise_only_notation_error(latex):
    parsed = _checked(latex)
    if parsed is not None:
        assert parse(to_latex(parsed)) == parsed


# well-formed expressions, assembled recursively from the constructs the grammar knows
ATOMS = st.sampled_from(["A", "W^{[l]}", "A^{[l-1]T}", "dZ^{[2]}", "x_{i,j}", "z_{1[i,j]}", "Y_{pool}^{[1]}",
                         r"\hat{y}_i", "1", "m", r"\alpha", "X^T", r"\mathcal{J}(W,b)", "e^{-Z}", "a_j^{(L)}",
                         r"\left[\Delta b_j^{(l)}\right]"])


def _compound(inner):
    return st.one_of(
        st.tuples(inner, st.sampled_from([" + ", " - ", " * ", r" \cdot ", " ", r" \odot ", r" \times "]), inner)
        .map("".join),
        inner.map(lambda a: f"({a})"),
        inner.map(lambda a: f"(-{a})"),
        st.tuples(inner, inner).map(lambda p: rf"\frac{{{p[0]}}}{{{p[1]}}}"),
        inner.map(lambda a: rf"\frac{{\partial ({a})}}{{\partial W^{{[2]}}}}"),
        inner.map(lambda a: rf"\sum_{{i=1}}^{{C}} ({a})"),
        inner.map(lambda a: rf"\tanh({a})"), inner.map(lambda a: rf"g'({a})"), inner.map(lambda a: rf"sig({a})"),
        inner.map(lambda a: rf"({a})^T"), inner.map(lambda a: rf"({a})^{{2}}"),
        inner.map(lambda a: rf"\frac{{d}}{{dW^{{[3]}}}} ({a})"),
        inner.map(lambda a: rf"np.sum({a}, axis=1, keepdims=True)"),
        st.tuples(inner, inner).map(lambda p: rf"\begin{{cases}} {p[0]} & \text{{if }} {p[1]} > 0 \\ 0 & \text{{otherwise}} \end{{cases}}"),
        st.tuples(inner, inner).map(lambda p: rf"J({p[0]}, {p[1]})"),
    )


EXPRS = st.recursive(ATOMS, _compound, max_leaves=12)


@HYPO
@given(st.lists(EXPRS, min_size=1, max_size=3).map(" = ".join))
def test_grammar_shaped_formulas_parse_and_round_trip(latex):
    parsed = parse(latex)
    text = to_latex(parsed)
    assert parse(text) == parsed
    assert to_latex(parse(text)) == text
