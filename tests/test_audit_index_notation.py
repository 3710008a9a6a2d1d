"""Index notation: sums elided with \\dots, conditions on indices, indexed Jacobians, max-pooling windows,
channel indices and the full convolution, each right and deliberately wrong."""
from __future__ import annotations

import pytest

from gradaudit.audit.elided import read_elided_sums
from gradaudit.audit.runner import audit_paths
from gradaudit.notation import ast as N
from gradaudit.notation.parser import parse

SOFTMAX = "---\narchitecture: activations\nactivation: softmax\nsubscript: index\n---\n"


def verdicts(tmp_path, formula, head=SOFTMAX):
    notes = tmp_path / "notes.md"
    notes.write_text(f"{head}$${formula}$$\n")
    return [(r.verdict, [e.kind for e in r.errors], r.reason) for r in audit_paths([notes]).results]


def _rhs(latex):
    from gradaudit.audit.resolve import normalize

    class Section:
        subscript = "index"
        superscript = "power"
    return normalize(parse(latex).statements[0].steps[1], Section())


def test_a_run_of_terms_becomes_one_sum():
    node = _rhs(r"s = e^{z_1} + e^{z_2} + e^{z_3} + \dots + e^{z_n} - e^{z_1}")
    assert isinstance(node, N.Add) and isinstance(node.terms[0], N.Sum)
    total = node.terms[0]
    assert total.lower == N.Num(1) and total.upper == N.Sym("n")


@pytest.mark.parametrize("latex", [
    r"s = e^{z_1} + e^{z_3} + \dots + e^{z_n}",          # a gap: 2 is missing
    r"s = x_1 y_1 + x_2 y_3 + \dots + x_n y_n",          # two indices that do not move together
    r"s = e^{z_1} + \sigma(z_2) + \dots + e^{z_n}",      # the pattern changes
    r"s = e^{z_3} + e^{z_4} + \dots + e^{z_2}",          # the end comes before the start
    r"s = x_{[0,2]} + \dots + x_{[1,2]}",                # one term and a numeric end: no pattern shown
])
def test_ambiguous_ellipses_are_left_as_written(latex):
    node = _rhs(latex)
    assert any(isinstance(n, N.Dots) for n in _walk(node)), node


def _walk(node):
    from gradaudit.notation.tree import walk
    return walk(node)


def test_terms_may_come_in_any_order():
    node = read_elided_sums(_rhs(r"s = e^{z_2} + e^{z_1} + e^{z_3} + \dots + e^{z_n}"))
    assert isinstance(node, N.Sum) and node.lower == N.Num(1)


def test_right_elided_softmax_is_correct(tmp_path):
    got = verdicts(tmp_path, r"a_2 = \frac{e^{z_2}}{e^{z_1} + e^{z_2} + \dots + e^{z_n}}")
    assert [v for v, _, _ in got] == ["correct"], got


def test_wrong_middle_step_of_an_elided_derivation_is_a_step_error(tmp_path):
    # the quotient rule's first term is missing in the middle step; the chain ends right
    formula = (r"\frac{\partial a_1}{\partial z_1} = \frac{e^{z_1} e^{z_1}}{(e^{z_1} + e^{z_2} + \dots + e^{z_n})^2}"
               r" = a_1 (1 - a_1)")
    got = verdicts(tmp_path, formula)
    assert got[0][0] == "error" and got[0][1] == ["step"], got
    assert got[1][0] == "correct", got


def test_missing_quotient_rule_minus_is_a_sign_error(tmp_path):
    got = verdicts(tmp_path, r"\frac{\partial a_1}{\partial z_2} = \frac{e^{z_1} e^{z_2}}{(e^{z_1} + e^{z_2} + \dots + e^{z_n})^2}")
    assert got[0][0] == "error" and "sign" in got[0][1], got


def test_derivative_with_respect_to_one_element(tmp_path):
    got = verdicts(tmp_path, r"\frac{\partial a_1}{\partial z_2} = \frac{\partial}{\partial z_2}\left(\frac{e^{z_1}}{\sum_{k=1}^{C} e^{z_k}}\right)")
    assert [v for v, _, _ in got] == ["correct"], got


def test_an_ellipsis_with_no_pattern_stays_unsupported(tmp_path):
    got = verdicts(tmp_path, r"a_1 = \frac{e^{z_1}}{e^{z_1} + \sigma(z_2) + \dots + e^{z_n}}")
    assert [v for v, _, _ in got] == ["unsupported"], got


# ---- index notation: conditions on indices, and a gradient against an indexed Jacobian ----------------------

@pytest.mark.parametrize("formula,verdict", [
    (r"\frac{\partial a_i}{\partial z_j} = \begin{cases} -a_i a_j & \text{if } i \neq j \\ a_i(1 - a_j) & \text{if } i = j \end{cases}", "correct"),
    (r"\frac{\partial a_i}{\partial z_j} = \begin{cases} a_i a_j & \text{if } i \neq j \\ a_i(1 - a_j) & \text{if } i = j \end{cases}", "error"),
    (r"\frac{\partial a_i}{\partial z_j} = \begin{cases} -a_i a_j & \text{if } i = j \\ a_i(1 - a_j) & \text{if } i \neq j \end{cases}", "error"),
    (r"\frac{\partial J}{\partial z_j} = \frac{\partial J}{\partial A} \cdot \frac{\partial A}{\partial z_j}", "correct"),
    (r"\frac{\partial J}{\partial z_j} = \frac{\partial J}{\partial A} \cdot \frac{\partial A}{\partial z_1}", "error"),
    (r"\frac{\partial J}{\partial z_j} = a_j - y_j", "correct"),
    # the Kronecker delta
    (r"\frac{\partial a_i}{\partial z_j} = a_i(\delta_{ij} - a_j)", "correct"),
    (r"\frac{\partial a_i}{\partial z_j} = a_i(\delta_{i,j} - a_i)", "error"),
    (r"\frac{\partial L}{\partial z_j} = \sum_{i} \frac{\partial L}{\partial a_i} a_i(\delta_{ij} - a_j)", "correct"),
])
def test_index_conditions_and_indexed_jacobians(tmp_path, formula, verdict):
    got = verdicts(tmp_path, formula)
    assert [v for v, _, _ in got] == [verdict], got


CNN = "---\narchitecture: d002-cnn-sigmoid\nsubscript: layer\nalias: y_{relu} = A^{[1]}\nalias: y_{pool} = Y_{pool}^{[1]}\n---\n"


@pytest.mark.parametrize("formula,verdict,kind", [
    # max-pooling with window p and stride s
    (r"y_{pool}(i, j) = \max_{a=0}^{p-1} \max_{b=0}^{p-1} y_{relu}(i \times s + a, j \times s + b)", "correct", None),
    (r"y_{pool}(i, j) = \max_{a=0}^{p-1} \max_{b=0}^{p-1} y_{relu}(i + a, j + b)", "error", None),
    # the input gradient is the full convolution; terms off the edge are zero
    (r"\frac{\partial J}{\partial x_{i,j}} = \sum_{p=0}^{M-1} \sum_{q=0}^{N-1} k_{p,q} \frac{\partial J}{\partial Z_{1,i-p,j-q}}", "correct", None),
    (r"\frac{\partial J}{\partial x_{i,j}} = \sum_{p=0}^{M-1} \sum_{q=0}^{N-1} k_{p,q} \frac{\partial J}{\partial Z_{1,i+p,j+q}}", "error", "sign"),
    # a third index on a one-channel map is the channel
    (r"\frac{\partial J}{\partial x_{i,j,k}} = \sum_{p=0}^{M-1} \sum_{q=0}^{N-1} k_{p,q} \frac{\partial J}{\partial Z_{1,i-p,j-q}}", "correct", None),
    # the ReLU mask in free indices, against the whole matrix
    (r"\frac{\partial J}{\partial Z_1} = \frac{\partial J}{\partial y_{relu}} \cdot \begin{cases} 1 & \text{if } z_{1[i,j,k]} > 0 \\ 0 & \text{otherwise} \end{cases}", "correct", None),
    (r"\frac{\partial J}{\partial Z_1} = \frac{\partial J}{\partial y_{relu}} \cdot \begin{cases} 1 & \text{if } z_{1[i,j]} < 0 \\ 0 & \text{otherwise} \end{cases}", "error", "sign"),
    # sums written term by term around \dots: every written term of the convolution's sum is one of its
    # terms, and the elided ones stay unchecked
    (r"Z_{1[0,1]} = x_{[0,1]}k_{[0,0]} + x_{[0,2]}k_{[0,1]} + \dots + x_{[1,2]}k_{[1,1]} + b_1", "unsupported", None),
    # the last term copied from Z_{1[0,0]}: x_{[1,1]} does not meet k_{[1,1]} in Z_{1[0,1]}
    (r"Z_{1[0,1]} = x_{[0,1]}k_{[0,0]} + x_{[0,2]}k_{[0,1]} + \dots + x_{[1,1]}k_{[1,1]} + b_1", "error", "index"),
    # a sum for dJ/dk whose terms chain to x
    (r"\frac{\partial J}{\partial k_{[0,0]}} = \frac{\partial J}{\partial z_{1[0,0]}} \cdot \frac{\partial z_{1[0,0]}}{\partial x_{[0,0]}} + \dots + \frac{\partial J}{\partial z_{1[1,1]}} \cdot \frac{\partial z_{1[1,1]}}{\partial x_{[1,1]}}", "error", "step"),
])
def test_cnn_index_notation(tmp_path, formula, verdict, kind):
    got = verdicts(tmp_path, formula, head=CNN)
    assert [v for v, _, _ in got] == [verdict], got
    if kind:
        assert kind in got[0][1], got


SIGMOID = "---\narchitecture: activations\nactivation: sigmoid\n---\n"


@pytest.mark.parametrize("formula,verdict", [
    (r"\frac{d\sigma(x)}{dx} = \sigma(x)(1 - \sigma(x))", "correct"),
    (r"\frac{\partial \sigma(z)}{\partial z} = \sigma(z)(1 - \sigma(z))", "correct"),
    (r"\frac{d\sigma(x)}{dx} = \sigma(x)(1 + \sigma(x))", "error"),
    (r"\sigma^{\prime}(x) = \sigma(x)(1 - \sigma(x))", "correct"),
    (r"\sigma^\prime(x) = \sigma(x)\sigma(-x)", "correct"),
])
def test_the_derivative_of_an_expression_written_as_a_fraction(tmp_path, formula, verdict):
    got = verdicts(tmp_path, formula, head=SIGMOID)
    assert [v for v, _, _ in got] == [verdict], got
