"""Readings a careful reader gives the constructs real notes use (issue 20), each right and deliberately wrong.

A construct the notes leave open (a limit without a definition, a display with no left side) is read the
way that makes the claim checkable only when the notes allow it; a claim that fails only under a reading
the notes do not pin down is `notation` or `unsupported`, never `error`.
"""
from __future__ import annotations

import pytest

from gradaudit.audit.runner import audit_paths

ROW_INDEX = ("network:\n  layers: \"g x (L-1), g\"\n  loss: squared\n  loss_scale: \"1/2\"\n  averaging: single\n"
             "  convention: row\nnames:\n  'u^{l}': 'Z^{[l]}'\n  'h^{l}': 'A^{[l]}'\n"
             "  '\\delta^{l}': '\\frac{\\partial E}{\\partial Z^{[l]}}'")


def audit_note(tmp_path, front_matter: str, *formulas: str):
    notes = tmp_path / "notes.md"
    notes.write_text(f"---\n{front_matter}\n---\n" + "".join(f"$${f}$$\n\n" for f in formulas))
    return [(r.verdict, tuple(e.kind for e in r.errors)) for r in audit_paths([notes]).results]


@pytest.mark.parametrize("formula,expected", [
    # u^{l} names Z^{[l]}: u^{L}_j is element j of it, and \delta^{l}_d element d of dE/du^{l}
    (r"\frac{\partial u_j^L}{\partial b_j^L} = 1", ("correct", ())),
    (r"\frac{\partial u_j^L}{\partial b_j^L} = 2", ("error", ("factor",))),
    (r"\delta_j^l = \frac{\partial E}{\partial u_j^l}", ("correct", ())),
    # W_{jd}: two unit indices written without a comma, j and d
    (r"\frac{\partial E}{\partial h_j^l} = \sum_d \delta_d^{l+1} W_{jd}^{l+1}", ("correct", ())),
    (r"\frac{\partial E}{\partial h_j^l} = \sum_d \delta_d^{l+1} W_{dj}^{l+1}", ("error", ("index",))),   # swapped unit indices
])
def test_names_carry_element_indices(tmp_path, formula, expected):
    got = audit_note(tmp_path, ROW_INDEX, formula)
    assert got == [expected]


LOGISTIC_ROW = "network:\n  layers: [sigmoid]\n  loss: bce\n  averaging: single\n  convention: row"


@pytest.mark.parametrize("formula,expected", [
    # one example in the row layout: x is 1 x n and w is n x 1, so x_i and w_i are feature i and its weight
    (r"\frac{\partial z}{\partial w_i} = x_i", ("correct", ())),
    (r"\frac{\partial L}{\partial w_i} = -(y - \hat{y}) x_i", ("correct", ())),
    (r"\frac{\partial L}{\partial w_i} = (y - \hat{y}) x_i", ("error", ("sign",))),
])
def test_one_index_on_a_stored_vector(tmp_path, formula, expected):
    assert audit_note(tmp_path, LOGISTIC_ROW, formula) == [expected]


DEEP = ("shorthand: per-example\nnetwork:\n  layers: \"relu x (L-1), softmax\"\n  loss: cce\n  averaging: mean\n"
        "  convention: column")


@pytest.mark.parametrize("formulas,expected", [
    # \sum without limits of a batch quantity, in a bias gradient: the sum over the examples
    ((r"db^{[l]} = \frac{1}{m} \sum dZ^{[l]}",), [("notation", ())]),
    ((r"db^{[l]} = \sum dZ^{[l]}",), [("error", ("dimension",))]),
    # layer 3 of a 3-layer example is the output layer: right there, though not for a hidden layer 3
    ((r"dZ^{[3]} = A^{[3]} - Y",), [("notation", ())]),
    ((r"dZ^{[3]} = A^{[2]} - Y",), [("error", ("dimension",))]),
    # a display opening with '=' continues a left side the notes do not write: failing against the previous
    # display's is unsupported; holding against it is still checked
    ((r"db^{[L]} = \frac{1}{m} \sum_{i=1}^{m} dZ^{[L]}", r"= \frac{1}{m} dZ^{[L]} A^{[L-1]T}"),
     [("notation", ()), ("unsupported", ())]),
    ((r"dZ^{[L]} = A^{[L]} - Y", r"= A^{[L]} - Y"), [("correct", ()), ("correct", ())]),
])
def test_readings_the_notes_leave_open(tmp_path, formulas, expected):
    assert audit_note(tmp_path, DEEP, *formulas) == expected


INDEX_WIDTH = ("network:\n  layers: \"sigmoid x (L-1), sigmoid\"\n  loss: squared\n  loss_scale: \"1\"\n"
               "  averaging: single\n  convention: index-out-in")


@pytest.mark.parametrize("formula,expected", [
    # m, the limit of a sum over the unit index j: the width j runs over, not the number of examples
    (r"z_i^{l+1} = \sum_{j=1}^{m} w_{i,j}^{l+1} a_j^l + b_i^{l+1}", ("notation", ())),
    (r"z_i^{l+1} = \sum_{j=1}^{m} w_{j,i}^{l+1} a_j^l + b_i^{l+1}", ("error", ("dimension",))),
])
def test_a_sum_limit_read_as_the_axis_length(tmp_path, formula, expected):
    assert audit_note(tmp_path, INDEX_WIDTH, formula) == [expected]


@pytest.mark.parametrize("formula,expected", [
    # g_{ReLU}(Z), g_{\text{softmax}}(Z): the letter subscripted with an activation's name is that activation
    (r"A^{[l]} = g_{\text{ReLU}}(Z^{[l]}) \text{ for } l < L", ("correct", ())),
    (r"A^{[L]} = g_{softmax}(Z^{[L]})", ("correct", ())),
    (r"dZ^{[l]} = W^{[l+1]T} dZ^{[l+1]} \odot g'(Z^{[l]}) \text{ for } l < L", ("correct", ())),
    (r"dZ^{[l]} = W^{[l+1]T} dZ^{[l+1]} \cdot g_{\text{ReLU}}(Z^{[l]}) \text{ for } l < L", ("error", ("factor",))),
])
def test_an_activation_named_in_a_subscript(tmp_path, formula, expected):
    assert audit_note(tmp_path, DEEP, formula) == [expected]


@pytest.mark.parametrize("formula,expected", [
    (r"J = \frac{1}{m} \sum_{i=1}^{m} \mathcal{L}^{(i)}.", ("correct", ())),   # the sentence's full stop
    (r"dZ^{[L]} = A^{[L]} - Y.", ("correct", ())),
    (r"dZ^{[L]} = A^{[L]} + Y.", ("error", ("sign",))),
])
def test_a_full_stop_ends_the_sentence(tmp_path, formula, expected):
    assert audit_note(tmp_path, DEEP, formula) == [expected]


@pytest.mark.parametrize("formula,expected", [
    # \sum_{k \neq j}: every term but k = j; \sum_{k \in S}: over every k (a dense layer's set), named as a reading
    (r"z_i^l = \sum_{k \neq j} w^l_{i,k} a^{l-1}_k + w^l_{i,j} a^{l-1}_j + b^l_i", ("correct", ())),
    (r"z_i^l = \sum_{k \neq j} w^l_{i,k} a^{l-1}_k + b^l_i", ("error", ("unexplained",))),
    (r"\frac{\partial C}{\partial a^l_j} = \sum_{k \in \mathcal{D}_j} w^{l+1}_{k,j} \frac{\partial C}{\partial z^{l+1}_k}",
     ("notation", ())),
    (r"\frac{\partial C}{\partial a^l_j} = \sum_{k \in \mathcal{D}_j} w^{l+1}_{j,k} \frac{\partial C}{\partial z^{l+1}_k}",
     ("error", ("index",))),   # swapped unit indices (issue 13: kind index)
])
def test_sums_over_a_set(tmp_path, formula, expected):
    assert audit_note(tmp_path, INDEX_WIDTH, formula) == [expected]


LINEAR = ("network:\n  layers: [identity]\n  loss: squared\n  loss_scale: \"1\"\n  averaging: mean\n  convention: row\n"
          "names:\n  '\\hat{y}': 'A^{[1]}'")


@pytest.mark.parametrize("formula,expected", [
    # n, named nowhere, in a loss averaged over the examples: the number of examples m
    (r"dw = \frac{2}{n} X^\top (\hat{y} - y)", ("notation", ())),
    (r"db = \frac{2}{n} \sum_{i=1}^{n} (\hat{y} - y)", ("notation", ())),
    (r"dw = \frac{1}{n} X^\top (\hat{y} - y)", ("error", ("factor",))),
])
def test_n_named_nowhere_counts_the_examples(tmp_path, formula, expected):
    assert audit_note(tmp_path, LINEAR, formula) == [expected]


@pytest.mark.parametrize("formula,expected", [
    # \phi(u), \phi'(u): the activation function, as g is (u^{l} names Z^{[l]} here)
    (r"\delta^l = (\delta^{l+1} (W^{l+1})^\top) \odot \phi'(u^l) \text{ for } l < L", ("correct", ())),
    (r"\delta^l = (\delta^{l+1} (W^{l+1})^\top) \odot \phi(u^l) \text{ for } l < L", ("error", ("label", "factor"))),
])
def test_phi_is_the_activation(tmp_path, formula, expected):
    assert audit_note(tmp_path, ROW_INDEX, formula) == [expected]


GENERIC = ("shorthand: per-example\nnetwork:\n  layers: \"g x (L-1), softmax\"\n  loss: cce\n  averaging: mean\n"
           "  convention: column")


@pytest.mark.parametrize("head,formula,expected", [
    # f(Z), f^{'}(Z): in a network declared with a generic activation g, f is the notes' letter for it
    (GENERIC, r"dZ^{[l-1]} = W^{[l]T} dZ^{[l]} \times f^{'}(Z^{[l-1]})", ("correct", ())),
    (GENERIC, r"dZ^{[l-1]} = W^{[l]T} dZ^{[l]} \times f(Z^{[l-1]})", ("error", ("label", "factor"))),
    # with concrete activations f stays a name the notes must define (f(x) = wx + b is a model's name)
    (LINEAR, r"\hat{y} = f(X)", ("unsupported", ())),
])
def test_f_names_a_generic_activation(tmp_path, head, formula, expected):
    assert audit_note(tmp_path, head, formula) == [expected]


@pytest.mark.parametrize("formula,expected", [
    # an identity in one bare letter holds for every value of it: any layer's values test it
    (r"\sigma'(a) = \sigma(a) (1 - \sigma(a))", ("correct", ())),
    (r"\tanh'(z) = 1 - \tanh(z)^2", ("correct", ())),
    (r"\tanh'(z) = 1 - \tanh(z)", ("error", ())),
    # two bare letters, or a generic activation being defined, are not an identity to test
    (r"a = \max(0, z)", ("unsupported", ())),
    (r"g(z) = \max(0.01 z, z)", ("unsupported", ())),
])
def test_identities_in_one_letter(tmp_path, formula, expected):
    got = audit_note(tmp_path, GENERIC.replace("  convention: column", "  convention: row"), formula)
    assert [(v, ()) if v == "error" else (v, k) for v, k in got] == [expected]


@pytest.mark.parametrize("formula,expected", [
    # TeX takes one character as an argument without braces: \frac12 is 1/2, \frac1m is 1/m
    (r"db^{[L]} = \frac1m \sum_{i=1}^{m} dZ^{[L]}", ("notation", ())),
    (r"db^{[L]} = \frac12 \sum_{i=1}^{m} dZ^{[L]}", ("error", ("factor",))),
])
def test_frac_with_unbraced_arguments(tmp_path, formula, expected):
    assert audit_note(tmp_path, DEEP, formula) == [expected]


def test_an_ellipsis_character_with_a_stray_dot(tmp_path):
    formula = "z^l_i = w^l_{i,1}a^{l-1}_1 + .\u2026 + w^l_{i,n}a^{l-1}_n + b^l_i"
    assert audit_note(tmp_path, INDEX_WIDTH, formula) == [("correct", ())]


TWO_LAYERS = ("shorthand: per-example\nnetwork:\n  layers: [g, sigmoid]\n  loss: bce\n  averaging: mean\n"
              "  convention: column")


@pytest.mark.parametrize("formula,expected", [
    # in a 2-layer network l < L is l = 1 alone: holding there is no evidence for a hidden layer's formula when
    # the claim names the input, which is layer 1's previous activation only
    (r"Z^{[l]} = W^{[l]} X + b^{[l]}", "error"),
    (r"dZ^{[l]} = W^{[l+1]T} dZ^{[l+1]} \odot g'(Z^{[l]})", "correct"),   # names no input: l = 1 is its layer
])
def test_the_input_is_layer_one_s_only(tmp_path, formula, expected):
    assert [v for v, _ in audit_note(tmp_path, TWO_LAYERS, formula)] == [expected]


@pytest.mark.parametrize("formula,expected", [
    # a layer index written n, bound nowhere in the formula: a layer variable; holding for one value is notation
    (r"Z^{[n]} = W^{[n]} X + b^{[n]}", ("notation", ())),
    (r"Z^{[n]} = W^{[n]} A^{[n-1]} + b^{[n]}", ("correct", ())),
    (r"Z^{[n]} = W^{[n]} + A^{[n-1]} + b^{[n]}", ("error", ("dimension",))),
    # n also written as a number (1/n) is not a layer variable
    (r"Z^{[n]} = \frac{n}{n} W^{[n]} A^{[n-1]} + b^{[n]}", ("unsupported", ())),
])
def test_a_layer_variable_of_another_letter(tmp_path, formula, expected):
    assert audit_note(tmp_path, TWO_LAYERS, formula) == [expected]


@pytest.mark.parametrize("formula,expected", [
    # \overset{def}{=}, \stackrel{def}{=}: equal by definition, checked as '='
    (r"dZ^{[L]} \overset{\underset{\mathrm{def}}{}}{=} A^{[L]} - Y", ("correct", ())),
    (r"dZ^{[L]} \stackrel{\text{def}}{=} A^{[L]} + Y", ("error", ("sign",))),
])
def test_equal_by_definition(tmp_path, formula, expected):
    assert audit_note(tmp_path, DEEP, formula) == [expected]


@pytest.mark.parametrize("formula,expected", [
    # a 'where' remark in brackets after the equation: the same remark without them, its equation checked too
    (r"dW^{[L]} = \frac{1}{m} dZ^{[L]} A^{[L-1]T} \qquad (\text{where}\quad dZ^{[L]} = A^{[L]} - Y)",
     [("correct", ()), ("correct", ())]),
    (r"dW^{[L]} = \frac{1}{m} dZ^{[L]} A^{[L-1]T} \qquad (\text{where}\quad dZ^{[L]} = A^{[L]} + Y)",
     [("correct", ()), ("error", ("sign",))]),
])
def test_a_bracketed_where_remark(tmp_path, formula, expected):
    assert audit_note(tmp_path, DEEP, formula) == expected


LOGISTIC_SIGMOID = "network:\n  layers: [sigmoid]\n  loss: bce\n  averaging: mean\n  convention: row"


@pytest.mark.parametrize("formula,expected", [
    # a signature g: R -> R before the definition is not part of it; g in a one-activation network is that one
    ("g:\\mathbb{R} \\mapsto \\mathbb{R}\ng(x) = \\frac{1}{1+e^{-x}}", ("correct", ())),
    (r"g(x) = \frac{1}{1+e^{x}}", ("error", ("unexplained",))),
])
def test_a_signature_and_the_network_s_one_activation(tmp_path, formula, expected):
    assert audit_note(tmp_path, LOGISTIC_SIGMOID, formula) == [expected]


@pytest.mark.parametrize("formula,expected", [
    # e^-(z): TeX raises the '-' alone; the bracket after it is the rest of the exponent (a repair: notation)
    (r"g(x) = \frac{1}{1+e^-(x)}", ("notation", ())),
    (r"g(x) = \frac{1}{1-e^-(x)}", ("error", ("sign",))),
])
def test_a_negative_exponent_without_braces(tmp_path, formula, expected):
    assert audit_note(tmp_path, LOGISTIC_SIGMOID, formula) == [expected]


# CS231n's code-minded names: words (loss, scores, trueprob) and letter+digit names (h1, W2) are one quantity each
CS231N = ("network:\n  layers: [relu, softmax]\n  loss: cce\n  averaging: single\n  convention: row\n  sizes: [2, 2, 3]\n"
          "names:\n  'loss': 'J'\n  'scores': 'Z^{[2]}'\n  'trueprob': 'y'\n  'h1': 'A^{[1]}'\n  'W2': 'W^{[2]}'\n"
          "  'b2': 'b^{[2]}'")
SUM_E = r"e^{scores_0} + e^{scores_1} + e^{scores_2}"


@pytest.mark.parametrize("formula,expected", [
    # scores_j = sum_i h1_i W2_{ij} + b2_j: W2_{01} (digits written together) is element (0, 1)
    (r"\frac{\partial{loss}}{\partial{\mathit{W2_{01}}}} = \frac{\partial{loss}}{\partial{scores_1}} \mathit{h1_0}",
     ("correct", ())),
    (r"\frac{\partial{loss}}{\partial{\mathit{W2_{01}}}} = \frac{\partial{loss}}{\partial{scores_1}} \mathit{h1_1}",
     ("error", None)),
    # \frac{\partial{}}{\partial{x}}(...): the empty group after \partial is the bare operator
    (r"\frac{\partial{scores_2}}{\partial{\mathit{b2_2}}} = \frac{\partial{}}{\partial{\mathit{b2_2}}}"
     r"(\mathit{h1_0} \mathit{W2_{02}} + \mathit{h1_1} \mathit{W2_{12}} + \mathit{b2_2})", ("correct", ())),
    (r"\frac{\partial{scores_2}}{\partial{\mathit{b2_2}}} = \frac{\partial{}}{\partial{\mathit{b2_2}}}"
     r"(\mathit{h1_0} \mathit{W2_{02}} + \mathit{h1_1} \mathit{W2_{12}} + 2 \mathit{b2_2})", ("error", ("factor",))),
    # the loss written as a function of the scores, with \log{(...)} (braces around the bracketed argument)
    (r"loss(scores_0, scores_1, scores_2) = -trueprob_0 \log{(\frac{e^{scores_0}}{" + SUM_E + r"})} - trueprob_1 "
     r"\log{(\frac{e^{scores_1}}{" + SUM_E + r"})} - trueprob_2 \log{(\frac{e^{scores_2}}{" + SUM_E + r"})}",
     ("correct", ())),
    (r"loss(scores_0, scores_1, scores_2) = -trueprob_0 \log{(\frac{e^{scores_0}}{" + SUM_E + r"})} - trueprob_1 "
     r"\log{(\frac{e^{scores_1}}{" + SUM_E + r"})} + trueprob_2 \log{(\frac{e^{scores_2}}{" + SUM_E + r"})}",
     ("error", ("sign",))),
    # softmax(scores_0): the softmax of one element, read as element 0 of softmax(scores)
    (r"\frac{\partial{loss}}{\partial{scores_0}} = \text{softmax}(scores_0) - trueprob_0", ("notation", ())),
    (r"\frac{\partial{loss}}{\partial{scores_0}} = \text{softmax}(scores_1) - trueprob_0", ("error", None)),
    # a bmatrix of element-wise derivatives is the matrix of those numbers; \nabla loss(scores) is d loss/d scores
    (r"\frac{\partial{loss}}{\partial{\mathit{b2}}} = \begin{bmatrix} \frac{\partial{loss}}{\partial{scores_0}} & "
     r"\frac{\partial{loss}}{\partial{scores_1}} & \frac{\partial{loss}}{\partial{scores_2}} \end{bmatrix}",
     ("correct", ())),
    (r"\frac{\partial{loss}}{\partial{\mathit{b2}}} = \begin{bmatrix} \frac{\partial{loss}}{\partial{scores_1}} & "
     r"\frac{\partial{loss}}{\partial{scores_0}} & \frac{\partial{loss}}{\partial{scores_2}} \end{bmatrix}",
     ("error", None)),
    (r"\frac{\partial{loss}}{\partial{\mathit{b2}}} = \nabla loss(scores)", ("correct", ())),
    (r"\frac{\partial{loss}}{\partial{\mathit{b2}}} = \nabla loss(\mathit{h1})", ("error", ("label",))),
    # an element past the sizes the notes declare does not exist (h1 has 2 entries)
    (r"\frac{\partial{loss}}{\partial{\mathit{W2}}} = \begin{bmatrix} \mathit{h1_0} \\ \mathit{h1_1} \end{bmatrix}"
     r"\begin{bmatrix} \frac{\partial{loss}}{\partial{scores_0}} & \frac{\partial{loss}}{\partial{scores_1}} & "
     r"\frac{\partial{loss}}{\partial{scores_2}} \end{bmatrix}", ("correct", ())),
    (r"\frac{\partial{loss}}{\partial{\mathit{W2}}} = \begin{bmatrix} \mathit{h1_0} \\ \mathit{h1_2} \end{bmatrix}"
     r"\begin{bmatrix} \frac{\partial{loss}}{\partial{scores_0}} & \frac{\partial{loss}}{\partial{scores_1}} & "
     r"\frac{\partial{loss}}{\partial{scores_2}} \end{bmatrix}", ("error", ("dimension",))),
    # the worked example's own label (true class 2): right for that label only, which the notes fix
    (r"\frac{\partial{loss}}{\partial{scores_2}} = -1 + \frac{e^{scores_2}}{" + SUM_E + "}", ("unsupported", ())),
    (r"\frac{\partial{loss}}{\partial{scores_2}} = 1 + \frac{e^{scores_2}}{" + SUM_E + "}", ("error", None)),
])
def test_words_and_numbered_elements(tmp_path, formula, expected):
    """None: an error of whatever kind (a word's index edit is not among the diagnosis's edits)."""
    got = audit_note(tmp_path, CS231N, formula)
    assert got == [expected] if expected[1] is not None else [g[0] for g in got] == ["error"]


def test_an_enumerated_example_without_sizes_is_not_an_error(tmp_path):
    """scores_0 + scores_1 + scores_2 states the example's width: without declared sizes, a wider network's failure
    says nothing about it; a formula right at any width stays correct."""
    head = CS231N.replace("  sizes: [2, 2, 3]\n", "")
    enumerated = (r"\frac{\partial{loss}}{\partial{\mathit{h1_0}}} = \frac{\partial{loss}}{\partial{scores_0}} \mathit{W2_{00}}"
                  r" + \frac{\partial{loss}}{\partial{scores_1}} \mathit{W2_{01}} + \frac{\partial{loss}}{\partial{scores_2}}"
                  r" \mathit{W2_{02}}")
    assert audit_note(tmp_path, head, enumerated) == [("unsupported", ())]
    assert audit_note(tmp_path, head, r"\frac{\partial{loss}}{\partial{\mathit{b2_1}}} = "
                      r"\frac{\partial{loss}}{\partial{scores_1}}") == [("correct", ())]
    assert audit_note(tmp_path, head, r"\frac{\partial{loss}}{\partial{\mathit{b2_1}}} = "
                      r"-\frac{\partial{loss}}{\partial{scores_1}}")[0][0] == "error"
