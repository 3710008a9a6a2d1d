"""Readings a careful reader gives the constructs real notes use (issue 20), each right and deliberately wrong.

A construct the notes leave open (a limit without a definition, a display with no left side) is read the
way that makes the claim checkable only when the notes allow it; a claim that fails only under a reading
the notes do not pin down is `notation` or `unsupported`, never `error`.
"""
from __future__ import annotations

import pytest
import yaml

from gradaudit.audit.runner import audit_paths
from gradaudit.corpus import load_markdown
from gradaudit.errors import GradauditError
from gradaudit.infer.numbering import layer_condition
from gradaudit.sources.markdown import find_math

ROW_INDEX = ("network:\n  layers: \"g x (L-1), g\"\n  loss: squared\n  loss_scale: \"1/2\"\n  averaging: single\n"
             "  convention: row\nnames:\n  'u^{l}': 'Z^{[l]}'\n  'h^{l}': 'A^{[l]}'\n"
             "  '\\delta^{l}': '\\frac{\\partial E}{\\partial Z^{[l]}}'")


def audit_note(tmp_path, front_matter: str, *formulas: str, timeout: float = 5.0):
    notes = tmp_path / "notes.md"
    notes.write_text(f"---\n{front_matter}\n---\n" + "".join(f"$${f}$$\n\n" for f in formulas))
    return [(r.verdict, tuple(e.kind for e in r.errors)) for r in audit_paths([notes], timeout=timeout).results]


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
    # the label-and-factor diagnosis takes 5-7 s on a loaded 2-core machine: a budget that cannot flake
    assert audit_note(tmp_path, head, formula, timeout=30.0) == [expected]


@pytest.mark.parametrize("formula,expected", [
    # an identity in one bare letter holds for every value of it: any layer's values test it
    (r"\sigma'(a) = \sigma(a) (1 - \sigma(a))", ("correct", ())),
    (r"\tanh'(z) = 1 - \tanh(z)^2", ("correct", ())),
    (r"\tanh'(z) = 1 - \tanh(z)", ("error", ())),
    # two bare letters, or a generic activation being defined, are not an identity to test: they define the
    # activation g the network leaves open, checked only as the table's function they name (see below)
    (r"a = \max(0, z)", ("notation", ())),
    (r"g(z) = \max(0.01 z, z)", ("notation", ())),
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


NIELSEN_MEAN = ("network:\n  layers: \"sigmoid x (L-1), sigmoid\"\n  loss: squared\n  loss_scale: \"1\"\n"
                "  averaging: mean\n  convention: index-out-in")


@pytest.mark.parametrize("formula,expected", [
    # C_x, L_i: a loss letter indexed by the summed index is one example's loss; \sum_{\forall x} is \sum_x
    (r"C=\frac{1}{n}\sum_{\forall x}C_x", ("notation", ())),    # n named nowhere: the m examples
    (r"C=\frac{1}{m}\sum_{i=1}^{m} L_i", ("correct", ())),
    (r"C=\sum_{\forall x}C_x", ("error", ("factor",))),          # the mean's 1/n left out
    # w_k, b_k: any one parameter, only differentiated by; the claim holds for every weight (bias) of every layer
    (r"\frac{\partial C}{\partial w_k}=\frac{1}{m}\sum_{x}\frac{\partial C_x}{\partial w_k}", ("correct", ())),
    (r"\frac{\partial C}{\partial b_k}=\sum_{x}\frac{\partial C_x}{\partial b_k}", ("error", ("factor",))),
    # a per-example loss squared is no sum of the losses: left unread
    (r"C=\frac{1}{m}\sum_{x}C_x^2", ("unsupported", ())),
])
def test_per_example_losses_in_a_sum(tmp_path, formula, expected):
    assert audit_note(tmp_path, NIELSEN_MEAN, formula) == [expected]


@pytest.mark.parametrize("formula,expected", [
    # a bare \sum over a body with one index is the sum over that index
    (r"C=\sum{(y_i-a^L_i)^2}", ("correct", ())),
    (r"C=\frac{1}{2}\sum{(y_i-a^L_i)^2}", ("error", ("factor",))),
])
def test_a_bare_sum_over_one_index(tmp_path, formula, expected):
    assert audit_note(tmp_path, INDEX_WIDTH, formula) == [expected]


@pytest.mark.parametrize("formula,expected", [
    # W, b, A unindexed in an L-layer network, beside the input X or the labels y: the network of one layer
    (r"\frac{\partial J}{\partial W} = \frac{1}{m} (A - Y) \cdot X^T", ("notation", ())),
    (r"\frac{\partial J}{\partial W} = \frac{1}{m} X \cdot (A - Y)^T", ("error", ("transpose",))),
    (r"\frac{\partial J}{\partial b} = \frac{1}{m} \sum (A - Y)", ("notation", ())),
    (r"\frac{\partial J}{\partial b} = \sum (A - Y)", ("error", ("dimension",))),   # as db = \sum dZ
    # without the input or the labels, an unindexed layer is still unread (Z = W A + b names no layer's input)
    (r"Z = W A + b", ("unsupported", ())),
])
def test_unindexed_quantities_of_a_one_layer_network(tmp_path, formula, expected):
    assert audit_note(tmp_path, GENERIC, formula) == [expected]


TANH_NET = "network:\n  layers: \"tanh x (L-1), sigmoid\"\n  loss: bce\n  averaging: mean\n  convention: column"


@pytest.mark.parametrize("formula,expected", [
    # beside the input X, unindexed W, b, A are the one layer of a one-layer network, or a deeper one's first
    (r"A = \sigma(W X + b)", "notation"),
    (r"A = \tanh(W X + b)", "notation"),
    (r"A = \tanh(W X - b)", "error"),
])
def test_unindexed_quantities_beside_the_input(tmp_path, formula, expected):
    assert [v for v, _ in audit_note(tmp_path, TANH_NET, formula)] == [expected]


@pytest.mark.parametrize("formula,expected", [
    # C(y, \hat{y} | X, w, b): the arguments after the bar are what C is conditioned on, not arguments
    (r"J(w, b) = C(y, \hat{y} | X, w, b) = -\frac{1}{m} \sum_{i=1}^{m} (y_i \log(\hat{y}_i) + (1 - y_i) \log(1 - \hat{y}_i))",
     [("correct", ()), ("correct", ())]),
    (r"J(w, b) = C(y, \hat{y} | X, w, b) = \frac{1}{m} \sum_{i=1}^{m} (y_i \log(\hat{y}_i) + (1 - y_i) \log(1 - \hat{y}_i))",
     [("correct", ()), ("error", ("sign",))]),
    # y_i, \hat{y}_i of a one-unit output: the index is the example
    (r"J = -\frac{1}{m} \sum_{i=1}^{m} (y_i \log(\hat{y}_i) + (1 - y_i) \log(1 - \hat{y}_i))", [("correct", ())]),
    (r"J = -\frac{1}{m} \sum_{i=1}^{m} (y_i \log(\hat{y}_i) + y_i \log(1 - \hat{y}_i))", [("error", ())]),
])
def test_given_arguments_and_a_dropped_backslash(tmp_path, formula, expected):
    got = audit_note(tmp_path, LOGISTIC_SIGMOID, formula)
    assert [(v, ()) if e == () and v == "error" else (v, k) for (v, k), (_, e) in zip(got, expected, strict=True)] == expected


@pytest.mark.parametrize("formula,expected", [
    # letters run into a function word without its backslash: -ylog(\hat{y}) is -y \log(\hat{y})
    (r"L(y, \hat{y}) = -ylog(\hat{y})-(1-y)log(1-\hat{y})", ("correct", ())),
    (r"L(y, \hat{y}) = -ylog(\hat{y})+(1-y)log(1-\hat{y})", ("error", ())),
])
def test_a_function_word_run_into_letters(tmp_path, formula, expected):
    assert [(v, ()) for v, _ in audit_note(tmp_path, LOGISTIC_ROW, formula)] == [expected]


@pytest.mark.parametrize("formula,expected", [
    # a = F(z), g(z) = F(z) in a network whose activation is generic: the notes' choice of g, right when F is the
    # activation it is meant to be (one of the table's); an F that is none of them is nothing to check against
    (r"g(z) = \frac{e^z - e^{-z}}{e^z + e^{-z}}", ("notation", ())),
    (r"g(z) = \frac{e^z - e^{-z}}{e^z - e^{-z}}", ("unsupported", ())),
    (r"a = \max(0, -z)", ("unsupported", ())),
])
def test_the_notes_choose_the_generic_activation(tmp_path, formula, expected):
    assert audit_note(tmp_path, TWO_LAYERS, formula) == [expected]


LOGISTIC_MEAN_ROW = ("network:\n  layers: [sigmoid]\n  loss: bce\n  averaging: mean\n  convention: row\n"
                     "names:\n  '\\hat{y}': 'A^{[1]}'")


@pytest.mark.parametrize("formula,expected", [
    # h_\theta(x), f_{w,b}(x): the model with its parameters at the input is the prediction \hat{y}
    (r"\hat{y} = h_\theta(x)", [("correct", ())]),
    (r"\hat{y} = f_{w,b}(X)", [("correct", ())]),
    # wx + b: the weights and the input written side by side, their inner product (in the row layout x w)
    (r"\hat{y} = \frac{1}{1 + e^{-(wx + b)}}", [("notation", ())]),
    (r"\hat{y} = \frac{1}{1 + e^{(wx + b)}}", [("error", ())]),
    # J(\theta): the cost as a function of the parameters
    (r"J(\theta) = -\frac{1}{m} \sum_{i=1}^{m} (y^{(i)} \log(\hat{y}^{(i)}) + (1 - y^{(i)}) \log(1 - \hat{y}^{(i)}))",
     [("notation", ())]),
    (r"J(\theta) = -\frac{1}{m} \sum_{i=1}^{m} (y^{(i)} \log(\hat{y}^{(i)}) - (1 - y^{(i)}) \log(1 - \hat{y}^{(i)}))",
     [("error", ())]),
    # y(x) = F(x) in a network of one activation: the notes' own name for it, confirmed, never refuted
    (r"y(x) = \frac{1}{1 + e^{-x}}", [("notation", ())]),
    (r"y(x) = \frac{1}{1 + e^{x}}", [("unsupported", ())]),
])
def test_regression_notes_names_of_the_model(tmp_path, formula, expected):
    got = audit_note(tmp_path, LOGISTIC_MEAN_ROW, formula)
    assert [(v, k if e else ()) for (v, k), (_, e) in zip(got, expected, strict=True)] == expected


@pytest.mark.parametrize("formula,expected", [
    # f(w, b): a model letter applied to the parameters alone is the model's prediction; confirmed, never refuted
    (r"f(w, b) = xw + b", ("notation", ())),
    (r"f(w, b) = xw - b", ("unsupported", ())),
    # MSE, \ell: names of the loss
    (r"MSE = \frac{1}{m} \sum_{i=1}^{m} (y^{(i)} - \hat{y}^{(i)})^2", ("notation", ())),
    (r"MSE = \frac{1}{2m} \sum_{i=1}^{m} (y^{(i)} - \hat{y}^{(i)})^2", ("error", ("factor",))),
    (r"\frac{\partial \ell}{\partial b} = \frac{2}{m} \sum_{i=1}^{m} (\hat{y}^{(i)} - y^{(i)})", ("notation", ())),
    (r"\frac{\partial \ell}{\partial b} = \frac{1}{m} \sum_{i=1}^{m} (\hat{y}^{(i)} - y^{(i)})", ("error", ("factor",))),
    # linear regression predicts one number per example: y_i is example i's
    (r"MSE = \frac{1}{n} \sum_{i=1}^{n} (y_i - \hat{y}_i)^2", ("correct", ())),
    (r"MSE = \frac{2}{n} \sum_{i=1}^{n} (y_i - \hat{y}_i)^2", ("error", ("factor",))),
])
def test_regression_notes_names_of_the_loss(tmp_path, formula, expected):
    assert audit_note(tmp_path, LINEAR, formula) == [expected]


@pytest.mark.parametrize("formula", [
    # a sum up to n, named nowhere, over y_i: the examples or one example's units, not pinned down; failing as
    # read (the units), it is no error
    r"C = \frac{1}{n}\sum_{i=1}^{n}(y_i - a^L_i)^2",
    r"C = \frac{1}{2n}\sum_{i=1}^{n}(y_i - a^L_i)^2",
])
def test_a_count_named_nowhere_over_an_element_index(tmp_path, formula):
    assert audit_note(tmp_path, NIELSEN_MEAN, formula) == [("unsupported", ())]


SOFTMAX_OUT = ("shorthand: per-example\nnetwork:\n  layers: \"relu x (L-1), softmax\"\n  loss: cce\n  averaging: mean\n"
               "  convention: column")


@pytest.mark.parametrize("formula,expected", [
    # z, a without a layer beside the prediction \hat{y}: the output layer's (a componentwise softmax)
    (r"\hat{y}_j = \frac{e^{z_j}}{\sum_k e^{z_k}}", ("correct", ())),
    (r"\hat{y}_j = \frac{e^{z_j}}{\sum_k e^{z_j}}", ("error", ())),
    (r"\frac{\partial \hat{y}_i}{\partial z_j} = \hat{y}_i(\delta_{ij} - \hat{y}_j)", ("correct", ())),
    (r"\frac{\partial \hat{y}_i}{\partial z_j} = \hat{y}_i(1 - \hat{y}_j)", ("error", ())),
    # \ell: one example's loss, as \mathcal{L}; in a layer's place, the layer l
    (r"\frac{\partial \ell}{\partial Z^{[L]}} = A^{[L]} - Y", ("correct", ())),
    (r"\frac{\partial \ell}{\partial Z^{[L]}} = Y - A^{[L]}", ("error", ("sign",))),
    (r"Z^{[\ell]} = W^{[\ell]} A^{[\ell-1]} + b^{[\ell]}", ("correct", ())),
    (r"Z^{[\ell]} = W^{[\ell]} A^{[\ell]} + b^{[\ell]}", ("error", ())),
    # NumPy's words set upright (\text{np.sum}, \text{axis}) are the same code
    (r"db^{[L]} = \frac{1}{m} \text{np.sum}(dZ^{[L]}, \text{axis}=1, \text{keepdims}=\text{True})", ("correct", ())),
    (r"db^{[L]} = \frac{1}{m} \text{np.sum}(dZ^{[L]}, \text{axis}=0, \text{keepdims}=\text{True})", ("error", ())),
])
def test_deeplearning_ai_spellings(tmp_path, formula, expected):
    got = audit_note(tmp_path, SOFTMAX_OUT, formula)
    assert [(v, k if expected[1] else ()) for v, k in got] == [expected]




DLAI_BCE = ("shorthand: per-example\nnetwork:\n  layers: \"g x (L-1), sigmoid\"\n  loss: bce\n  averaging: mean\n"
            "  convention: column")


def audit_markdown(tmp_path, front_matter: str, body: str):
    notes = tmp_path / "notes.md"
    notes.write_text(f"---\n{front_matter}\n---\n{body}")
    return [(r.verdict, tuple(e.kind for e in r.errors)) for r in audit_paths([notes]).results]


@pytest.mark.parametrize("second,expected", [
    (r"da^{[l-1]} &= w^{[l]T} dz^{[l]}", ("correct", ())),
    (r"da^{[l-1]} &= w^{[l]} dz^{[l]}", ("error", ("transpose",))),
])
def test_blank_lines_inside_an_open_environment(tmp_path, second, expected):
    """$$ \\begin{aligned} ... \\end{aligned} $$ with blank lines between its rows: the LaTeX is open at each blank
    line, so the display goes on to its $$, as Jupyter and MathJax on the page's text show it."""
    body = f"$$\n\\begin{{aligned}}\n\ndz^{{[L]}} &= a^{{[L]}} - y \\\\\n\n{second} \\\\\n\n\\end{{aligned}}\n$$\n"
    assert audit_markdown(tmp_path, DLAI_BCE, body) == [("correct", ()), expected]


def test_a_blank_line_after_complete_latex_still_ends_the_display(tmp_path):
    """$$ a = b, a blank line, more text and a later $$: the LaTeX was complete at the blank line, so the first $$
    is left open (reported where it opens) rather than swallowing the text up to the next display's $$."""
    body = "$$\ndz^{[L]} = a^{[L]} - y\n\nSome prose.\n\n$$\ndz^{[L]} = a^{[L]} + y\n$$\n"
    with pytest.raises(GradauditError, match="never closed"):
        list(find_math(body))


@pytest.mark.parametrize("last,expected", [
    (r"dz^{[L]} = a^{[L]} - y", ("correct", ())),
    (r"dz^{[L]} = a^{[L]} + y", ("error", ("sign",))),
])
def test_a_line_labelled_dimension_is_not_a_claim(tmp_path, last, expected):
    """'Dimension: n^{[l]}/m = ...' writes shapes as fractions (rows over columns): the line keeps its place among
    the display's claims, unsupported, and the rows around it are checked."""
    body = (f"$$\n\\begin{{aligned}}\nz^{{[l]}} &= w^{{[l]}} a^{{[l-1]}} + b^{{[l]}} \\\\\n"
            f"Dimension: \\frac{{n^{{[l]}}}}{{m}} &= \\frac{{n^{{[l]}}}}{{n^{{[l-1]}}}} \\frac{{n^{{[l-1]}}}}{{m}} + "
            f"\\frac{{n^{{[l]}}}}{{1}} \\\\\n{last}\n\\end{{aligned}}\n$$\n")
    assert audit_markdown(tmp_path, DLAI_BCE, body) == [("correct", ()), ("unsupported", ()), expected]


@pytest.mark.parametrize("formula,expected", [
    # yln(a): italic letters glued to a function name applied to a bracket are factors, y \ln(a)
    (r"L = -(yln(a^{[L]}) + (1-y)ln(1-a^{[L]}))", ("correct", ())),
    (r"L = -(yln(a^{[L]}) - (1-y)ln(1-a^{[L]}))", ("error", ("sign",))),
    # the loss written of a general layer's a^{[l]}: only the output layer's a^{[L]} fits (a mistake of index)
    (r"L = -(y\ln(a^{[l]}) + (1-y)\ln(1-a^{[l]}))", ("error", ("index",))),
    # sum(dz), as code writes it: a sum with no limits, read as the sum over the examples
    (r"db^{[l]} = \frac{1}{m} sum(dz^{[l]})", ("notation", ())),
    (r"db^{[l]} = -\frac{1}{m} sum(dz^{[l]})", ("error", ("sign",))),
])
def test_code_like_function_words(tmp_path, formula, expected):
    assert audit_note(tmp_path, DLAI_BCE, formula) == [expected]


@pytest.mark.parametrize("value,expected", [
    # dL/dz dz/dw with dz/dw written as the factor it contributes (a^{[l-1]}; w^{[l]} for dz/da): the layout of
    # the product is the reader's, the step is right as the chain rule is written
    (r"\frac{dL}{dw^{[l]}} &= \frac{dL}{dz^{[l]}} \frac{dz^{[l]}}{dw^{[l]}} \\ &= \frac{dL}{dz^{[l]}} a^{[l-1]}",
     [("correct", ()), ("notation", ())]),
    (r"\frac{dL}{da^{[l-1]}} &= \frac{dL}{dz^{[l]}} \frac{dz^{[l]}}{da^{[l-1]}} \\ &= \frac{dL}{dz^{[l]}} w^{[l]}",
     [("correct", ()), ("notation", ())]),
    # the wrong local derivative is still a mistake
    (r"\frac{dL}{da^{[l-1]}} &= \frac{dL}{dz^{[l]}} \frac{dz^{[l]}}{da^{[l-1]}} \\ &= \frac{dL}{dz^{[l]}} w^{[l-1]}",
     [("correct", ()), ("error", ("index", "transpose"))]),
    (r"\frac{dL}{dw^{[l]}} &= \frac{dL}{dz^{[l]}} \frac{dz^{[l]}}{dw^{[l]}} \\ &= \frac{dL}{dz^{[l]}} a^{[l]}",
     [("correct", ()), ("error", ("index", "transpose"))]),
])
def test_a_local_derivative_written_as_its_factor(tmp_path, value, expected):
    assert audit_note(tmp_path, DLAI_BCE, f"\\begin{{aligned}}{value}\\end{{aligned}}") == expected


@pytest.mark.parametrize("formula,expected", [
    # d(\sum_k h_k W_{kj} + b_j)/dW_{ij}: an expression written out, differentiated by an element with free indices
    (r"\frac{\partial u_j^L}{\partial W_{ij}^L} = \frac{\partial (\sum_k h_k^{L-1} W_{kj}^L + b_j^L)}{\partial W_{ij}^L}",
     ("correct", ())),
    (r"\frac{\partial u_j^L}{\partial b_j^L} = \frac{\partial (\sum_k h_k^{L-1} W_{kj}^L + b_j^L)}{\partial b_j^L}",
     ("correct", ())),
    (r"\frac{\partial (\sum_k h_k^{L-1} W_{kj}^L + b_j^L)}{\partial W_{ij}^L} = h_i^{L-1}", ("correct", ())),
    (r"\frac{\partial (\sum_k h_k^{L-1} W_{kj}^L + 2 b_j^L)}{\partial b_j^L} = 1", ("error", ("factor",))),
])
def test_an_indexed_expression_differentiated_by_an_element(tmp_path, formula, expected):
    assert audit_note(tmp_path, ROW_INDEX, formula) == [expected]


@pytest.mark.parametrize("formula,expected", [
    # H^{l} where the notes name h^{l} as the activation: the capital letter is the batch, as A is of a
    (r"\frac{\partial E}{\partial W^L} = (H^{L-1})^\top \delta^L", ("correct", ())),
    (r"\frac{\partial E}{\partial W^L} = H^{L-1} \delta^L", ("error", ("transpose",))),
])
def test_the_capital_of_a_named_letter_is_its_batch(tmp_path, formula, expected):
    assert audit_note(tmp_path, ROW_INDEX, formula) == [expected]


SQUARED_ROW = ("network:\n  layers: \"g x (L-1), g\"\n  loss: squared\n  loss_scale: \"1/2\"\n  averaging: single\n"
               "  convention: row")


@pytest.mark.parametrize("formula,expected", [
    # t written as a quantity, neither t nor y named: Bishop's letters, t the target and y the output
    (r"\frac{\partial E}{\partial y} = y - t", ("correct", ())),
    (r"\frac{\partial E}{\partial y} = t - y", ("error", ("sign",))),
])
def test_t_is_the_target_and_y_the_output(tmp_path, formula, expected):
    assert audit_note(tmp_path, SQUARED_ROW, formula) == [expected]


ROW_MEAN = ROW_INDEX.replace("averaging: single", "averaging: mean")


@pytest.mark.parametrize("formula,expected", [
    # U_{qj}, y_{qj}: two indices on a batch quantity in the row layout are an example q and a unit j
    (r"\delta_{qj}^L = \frac{\partial E}{\partial U_{qj}^L}", ("correct", ())),
    (r"\frac{\partial E}{\partial y_{qj}} = \frac{1}{m}(y_{qj} - t_{qj})", ("correct", ())),
    (r"\frac{\partial E}{\partial y_{qj}} = y_{qj} - t_{qj}", ("error", ("factor",))),
    # E^q, the loss marked with the example index of what it is differentiated by: E's term of example q
    (r"\frac{\partial E^q}{\partial y_{qj}} = \frac{1}{m}(y_{qj} - t_{qj})", ("correct", ())),
    (r"\frac{\partial E^q}{\partial y_{qj}} = \frac{1}{m}(t_{qj} - y_{qj})", ("error", ("sign",))),
    # m_L, the upper limit of a sum over the unit index j: the width of layer L
    (r"E = \frac{1}{2m}\sum_{q=1}^m \sum_{j=1}^{m_L}(t_{qj} - y_{qj})^2", ("correct", ())),
    (r"E = \frac{1}{m}\sum_{q=1}^m \sum_{j=1}^{m_L}(t_{qj} - y_{qj})^2", ("error", ("factor",))),
])
def test_entries_of_a_batch_in_the_row_layout(tmp_path, formula, expected):
    assert audit_note(tmp_path, ROW_MEAN, formula) == [expected]


@pytest.mark.parametrize("formula,expected", [
    # \|t_q - y_q\|^2 of example q's row (its units an axis no index names), next to the same loss by entries
    (r"E = \frac{1}{2m}\sum_{q=1}^m \lVert t_q - y_q \rVert^2 = \frac{1}{2m}\sum_{q=1}^m \sum_{j=1}^{m_L}(t_{qj} - y_{qj})^2",
     [("correct", ()), ("correct", ())]),
    (r"E = \frac{1}{m}\sum_{q=1}^m \lVert t_q - y_q \rVert^2 = \frac{1}{2m}\sum_{q=1}^m \sum_{j=1}^{m_L}(t_{qj} - y_{qj})^2",
     [("error", ("factor",)), ("correct", ())]),
])
def test_the_norm_of_an_example_s_row(tmp_path, formula, expected):
    assert audit_note(tmp_path, ROW_MEAN, formula) == expected


ROW_SUM = ROW_INDEX.replace("averaging: single", "averaging: sum")


@pytest.mark.parametrize("formula,expected", [
    # U_{q\cdot}: row q of a batch matrix, every unit: entry by entry with one free unit index
    (r"\delta_{q\cdot}^L = \frac{\partial E^q}{\partial H_{q\cdot}^L} \odot \phi'(U_{q\cdot}^L)", ("correct", ())),
    (r"\delta_{q\cdot}^L = \frac{\partial E^q}{\partial H_{q\cdot}^L} \odot \phi(U_{q\cdot}^L)", ("error", ("label", "factor"))),
    # [M]_{qj}: entry qj of a matrix expression
    (r"\delta^l_{qj} = \big[\big\{ \delta^{l+1}(W^{l+1})^\top\big\}\odot \phi'(U^l)\big]_{qj} \text{ for } l < L",
     ("correct", ())),
    (r"\delta^l_{qj} = \big[\big\{ \delta^{l+1}(W^{l+1})^\top\big\}\odot \phi'(U^l)\big]_{jq} \text{ for } l < L",
     ("error", ("dimension",))),
])
def test_rows_and_entries_of_a_batch(tmp_path, formula, expected):
    assert audit_note(tmp_path, ROW_SUM, formula) == [expected]


def test_names_written_with_a_layer_subscript(tmp_path):
    """CS231n's H_1, H_2 with `subscript: layer` (the inference writes names: {H_{1}: A^{[1]}}): the names are
    read under the same convention as the formulas, so H_1 in a formula is the declared A^{[1]} (probe 4)."""
    notes = tmp_path / "cs231n.md"
    notes.write_text("# Three layers, leaky ReLU\n\n$$Z_1 = X W_1 + b_1$$\n\n$$H_1 = \\max(0.01 Z_1, Z_1)$$\n\n"
                     "$$Z_2 = H_1 W_2 + b_2$$\n\n$$H_2 = \\max(0.01 Z_2, Z_2)$$\n\n$$S = H_2 W_3 + b_3$$\n\n"
                     "$$P = \\text{softmax}(S)$$\n\n$$L = -\\frac{1}{N} \\sum_{i=1}^{N} \\sum_k Y_{ik} \\log P_{ik}$$\n\n"
                     "$$dH_2 = dS W_3^T$$\n\n$$dH_1 = dZ_2 W_2^T$$\n\n$$dH_1 = dZ_2 W_3^T$$\n")
    verdicts = [(r.verdict, tuple(e.kind for e in r.errors)) for r in audit_paths([notes]).results]
    assert verdicts[1] == ("correct", ()) and verdicts[3] == ("correct", ())   # H_1 = max(0.01 Z_1, Z_1)
    assert verdicts[-3:] == [("correct", ()), ("correct", ()), ("error", ("index",))]


GOODFELLOW_OUTPUT_L = ("# Goodfellow 6.5, the output written with l\n\n"
                       "$$h^{(0)} = x$$\n\n$$a^{(k)} = b^{(k)} + W^{(k)} h^{(k-1)}$$\n\n"
                       "$$h^{(k)} = f(a^{(k)}) \\text{ for } k < l$$\n\n"
                       "$$\\hat{y} = h^{(l)} = \\operatorname{softmax}(a^{(l)})$$\n\n$$J = -\\sum_i y_i \\log \\hat{y}_i$$\n\n")


@pytest.mark.parametrize("formula,expected", [
    (r"\nabla_{a^{(l)}} J = \hat{y} - y", ("correct", ())),
    (r"\nabla_{a^{(l)}} J = y - \hat{y}", ("error", ("sign",))),
    (r"\nabla_{W^{(k)}} J = \nabla_{a^{(k)}} J \, h^{(k-1)\top}", ("correct", ())),
    (r"\nabla_{W^{(k)}} J = \nabla_{a^{(k)}} J \, h^{(k)\top}", ("error", ("index",))),
])
def test_goodfellow_k_the_general_layer_and_l_the_last(tmp_path, formula, expected):
    """Goodfellow's k is any layer and his l the last (h^{(l)} = softmax(a^{(l)})); h^{(0)} = x is the input and
    'for k < l' says the hidden layers. Inferred without front matter (probe 4: the softmax output written with l
    was refused, and h^{(0)} = x and the hidden-layer formula were false alarms)."""
    notes = tmp_path / "goodfellow.md"
    notes.write_text(GOODFELLOW_OUTPUT_L + f"$${formula}$$\n")
    verdicts = [(r.verdict, tuple(e.kind for e in r.errors)) for r in audit_paths([notes]).results]
    assert verdicts[:-1] == [("correct", ())] * (len(verdicts) - 1)   # the forward pass and the loss
    assert verdicts[-1] == expected


NIELSEN_QUADRATIC = ("network:\n  layers: \"sigmoid x (L-1), sigmoid\"\n  loss: squared\n  loss_scale: \"1/2\"\n"
                     "  averaging: single\n  convention: index-out-in")


@pytest.mark.parametrize("formula,expected", [
    # \delta the notes never define: Nielsen's and Bishop's error dC/dz^l, per unit and as a vector
    (r"\delta^L_j = \frac{\partial C}{\partial a^L_j} \sigma'(z^L_j)", ("correct", ())),
    (r"\delta^L_j = \frac{\partial C}{\partial a^L_j} \sigma(z^L_j)", ("error", ("factor",))),
    (r"\delta^l = ((w^{l+1})^T \delta^{l+1}) \odot \sigma'(z^l)", ("correct", ())),
    (r"\delta^l = (w^{l+1} \delta^{l+1}) \odot \sigma'(z^l)", ("error", ("transpose",))),
    (r"\frac{\partial C}{\partial w^l_{jk}} = a^{l-1}_k \delta^l_j", ("correct", ())),
    (r"\frac{\partial C}{\partial w^l_{jk}} = a^{l}_k \delta^l_j", ("error", ("index",))),
    # holding only with \delta read as dC/da^l, the other reading an undefined \delta has: notation
    (r"\delta^l = (w^{l+1})^T (\delta^{l+1} \odot \sigma'(z^{l+1}))", ("notation", ())),
    (r"\delta^l = (w^{l+1})^T (\delta^{l+1} \odot \sigma'(z^{l}))", ("error", ("dimension",))),
    # C_x, Nielsen's cost of the one example x, in a network of one example: the cost
    (r"\frac{\partial C_x}{\partial b^l_j} = \delta^l_j", ("correct", ())),
    (r"\frac{\partial C_x}{\partial b^l_j} = 2 \delta^l_j", ("error", ("factor",))),
])
def test_an_undefined_delta_is_the_usual_error(tmp_path, formula, expected):
    assert audit_note(tmp_path, NIELSEN_QUADRATIC, formula) == [expected]


BISHOP_TANH = ("network:\n  layers: [tanh, identity]\n  loss: squared\n  loss_scale: \"1/2\"\n  averaging: single\n"
               "  convention: index-out-in")
BISHOP_FORWARD = (r"a_j^{(1)} = \sum_i w_{ji}^{(1)} x_i + b_j^{(1)}", r"z_j^{(1)} = \tanh(a_j^{(1)})",
                  r"a_k^{(2)} = \sum_j w_{kj}^{(2)} z_j^{(1)} + b_k^{(2)}", r"y_k = a_k^{(2)}",
                  r"E_n = \frac{1}{2} \sum_k (y_k - t_k)^2")
BISHOP_DELTA = r"\delta_k^{(2)} = \frac{\partial E_n}{\partial a_k^{(2)}}"


@pytest.mark.parametrize("formula,expected", [
    # a chain whose first step names a loss derivative defines that name, its second step checked
    (BISHOP_DELTA + " = y_k - t_k", [("correct", ()), ("correct", ())]),
    (BISHOP_DELTA + " = t_k - y_k", [("correct", ()), ("error", ("sign",))]),
])
def test_a_chain_defines_delta_at_a_layer(tmp_path, formula, expected):
    assert audit_note(tmp_path, BISHOP_TANH, *BISHOP_FORWARD, formula)[len(BISHOP_FORWARD):] == expected


@pytest.mark.parametrize("formula,expected", [
    # \delta_k^{(2)} defined once is the same derivative at layer 1, for unit j, and as the vector \delta^{(2)}
    (r"\delta_j^{(1)} = (1 - (z_j^{(1)})^2) \sum_k w_{kj}^{(2)} \delta_k^{(2)}", ("correct", ())),
    (r"\delta_j^{(1)} = (1 - z_j^{(1)}) \sum_k w_{kj}^{(2)} \delta_k^{(2)}", ("error", ("unexplained",))),
    (r"\frac{\partial E_n}{\partial w_{ji}^{(1)}} = \delta_j^{(1)} x_i", ("correct", ())),
    (r"\frac{\partial E_n}{\partial w_{ji}^{(1)}} = \delta_i^{(1)} x_j", ("error", ("dimension",))),
    # y_k = a_k^{(2)}: y is that vector (and t, the target, that of t_k)
    (r"\delta^{(2)} = y - t", ("correct", ())),
    (r"\delta^{(2)} = t - y", ("error", ("sign",))),
    # Bishop's h, or the derivative f' of a function of a layer's quantity: that layer's activation (tanh)
    (r"h'(a_j^{(1)}) = 1 - \tanh^2(a_j^{(1)})", ("correct", ())),
    (r"h'(a_j^{(1)}) = 1 - \tanh(a_j^{(1)})", ("error", ("unexplained",))),
    (r"f'(a_j^{(1)}) = 1 - (z_j^{(1)})^2", ("correct", ())),
    (r"f'(a_j^{(1)}) = (z_j^{(1)})^2 - 1", ("error", ("sign",))),
])
def test_a_defined_delta_at_every_layer_and_unit(tmp_path, formula, expected):
    got = audit_note(tmp_path, BISHOP_TANH, *BISHOP_FORWARD, BISHOP_DELTA, formula)
    assert got[len(BISHOP_FORWARD) + 1:] == [expected]


BISHOP_GENERAL = ("network:\n  layers: \"g x (L-1), identity\"\n  loss: squared\n  loss_scale: \"1/2\"\n"
                  "  averaging: single\n  convention: index-out-in\nnames:\n  'a_{j}': 'Z^{[l]}_{j}'\n"
                  "  'z_{j}': 'A^{[l]}_{j}'")
BISHOP_EXAMPLE = ("## Example\n<!-- gradaudit: network: {layers: [tanh, identity], loss: squared, loss_scale: \"1/2\", "
                  "averaging: single, convention: index-out-in} -->\n\n"
                  + "".join(f"$${f}$$\n\n" for f in BISHOP_FORWARD))


@pytest.mark.parametrize("formula,expected", [
    # a summary with no layer written and no forward pass of its own: a_j is any layer's (names: Z^{[l]}_j), E_n
    # the one example's loss, y and t the output and target as every forward pass of the notes writes them
    (r"\delta_j \equiv \frac{\partial E_n}{\partial a_j}", ("correct", ())),
    (r"\frac{\partial E_n}{\partial a_j} = \frac{\partial E_n}{\partial z_j} h'(a_j)", ("correct", ())),
    (r"\frac{\partial E_n}{\partial a_j} = \frac{\partial E_n}{\partial z_j} h(a_j)", ("error", ("unexplained",))),
    # a claim about the output units k holds at the output layer only: the unwritten layer is read so (notation)
    (r"\frac{\partial E_n}{\partial a_k} = \frac{\partial E_n}{\partial y_k} \frac{d y_k}{d a_k}", ("notation", ())),
    (r"\frac{\partial E_n}{\partial a_k} = y_k - t_k", ("notation", ())),
    (r"\frac{\partial E_n}{\partial a_k} = t_k - y_k", ("error", ("unexplained",))),
])
def test_a_summary_without_layers_in_bishop_s_letters(tmp_path, formula, expected):
    notes = tmp_path / "notes.md"
    notes.write_text(f"---\n{BISHOP_GENERAL}\n---\n# Key ideas\n\n$${formula}$$\n\n{BISHOP_EXAMPLE}")
    results = audit_paths([notes]).results
    assert [(r.verdict, tuple(e.kind for e in r.errors)) for r in results][:1] == [expected]


LOGISTIC_INDEX = "network:\n  layers: [sigmoid]\n  loss: bce\n  averaging: single\n  convention: index-out-in"


@pytest.mark.parametrize("formula,expected", [
    # one output unit: its 1 x n weights have one row, whose entries one index names
    (r"z = \sum_i w_i x_i + b", ("correct", ())),
    (r"z = \sum_i w_i x_i - b", ("error", ("sign",))),
    (r"w_j := w_j - \alpha \frac{\partial J}{\partial w_j}", ("correct", ())),
    (r"w_j := w_j + \alpha \frac{\partial J}{\partial w_j}", ("error", ("sign",))),
])
def test_the_weights_of_one_unit_by_one_index(tmp_path, formula, expected):
    assert audit_note(tmp_path, LOGISTIC_INDEX, formula) == [expected]


SOFTMAX_ONE = "network:\n  layers: [softmax]\n  loss: cce\n  averaging: single\n  convention: index-out-in"
SOFTMAX_CHAIN = r"\frac{\partial L}{\partial o_i} = -\sum_k y_k \frac{1}{p_k} \frac{\partial p_k}{\partial o_i}"


@pytest.mark.parametrize("formula,expected", [
    # o and p defined nowhere, in a derivation of the loss by o: the output layer's weighted input and activation
    # (the logits and the probabilities) is the reading under which the display holds; it is named (notation)
    (SOFTMAX_CHAIN + " = p_i - y_i", [("notation", ()), ("notation", ())]),
    # the reading is chosen by the display itself, so a display no reading makes hold stays unsupported, not error
    (SOFTMAX_CHAIN + " = p_i + y_i", [("unsupported", ()), ("unsupported", ())]),
    # a chain rule of letters that are not the loss's derivation says nothing about what u is
    (r"\frac{\partial y}{\partial x} = \frac{\partial y}{\partial u} \frac{\partial u}{\partial x}", [("unsupported", ())]),
])
def test_letters_defined_nowhere_in_a_derivation_of_the_loss(tmp_path, formula, expected):
    assert audit_note(tmp_path, SOFTMAX_ONE, formula) == expected


@pytest.mark.parametrize("formula,expected", [
    # d(log a_k)/dz_i with i free: the derivative by each element z_i, labelled i (a Jacobian in index notation)
    (r"\frac{\partial L}{\partial z_i} = -\sum_k y_k \frac{\partial (\log a_k)}{\partial z_i}", ("correct", ())),
    (r"\frac{\partial L}{\partial z_i} = \sum_k y_k \frac{\partial (\log a_k)}{\partial z_i}", ("error", ("sign",))),
])
def test_a_derivative_by_an_element_with_a_free_index(tmp_path, formula, expected):
    assert audit_note(tmp_path, SOFTMAX_ONE, formula) == [expected]


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




LOGISTIC = "network:\n  layers: [sigmoid]\n  loss: bce\n  averaging: mean\n  convention: {}"


@pytest.mark.parametrize("convention,formula,expected", [
    # Ng's logistic regression in a column network: w is one unit's weights, a column vector (n x 1)
    ("column", r"z = w^T x + b", ("notation", ())),
    ("column", r"dw = x\, dz", ("notation", ())),
    ("column", r"dw = \frac{1}{m} X dZ^T", ("notation", ())),
    ("column", r"dw = \frac{1}{m} dZ X^T", ("correct", ())),     # w as the declared 1 x n row
    ("column", r"z = w^T x - b", ("error", ("sign",))),
    ("column", r"dw = \frac{1}{m} X^T dZ", ("error", ("transpose",))),   # neither reading conforms
    # a row network (examples in rows): lowercase vectors are one example's, as rows or as columns
    ("row", r"z = w^T x + b", ("notation", ())),
    ("row", r"z = w^T x^T + b", ("notation", ())),
    ("row", r"dw = x^T dz", ("correct", ())),
    ("row", r"dw = \frac{1}{m} X^T dZ", ("correct", ())),
    ("row", r"dw = \frac{1}{m} X dZ^T", ("error", ("transpose",))),     # capital X keeps the declared layout
])
def test_vectors_as_columns(tmp_path, convention, formula, expected):
    """One unit's weights w and one example's x are vectors, which mathematics writes as columns whatever the
    layout of the notes' batch matrices (probe 4: \\hat{y} = \\theta^T x in a declared row network was a false
    alarm, and so is Ng's dw = \\frac{1}{m} X dZ^T in a column one). Capital batch quantities keep the layout."""
    assert audit_note(tmp_path, LOGISTIC.format(convention), formula) == [expected]


def test_a_batch_gradient_summed_over_the_examples(tmp_path):
    """\\sum_{i=1}^m \\partial J/\\partial Z^{[l]}: the whole loss's gradient by a batch quantity is a batch quantity, and
    a sum over i of it (no index i) is its sum over the examples; only a per-example loss (C_x) is a term per example."""
    head = "architecture: d002-mlp-L-relu-softmax\nshorthand: per-example"
    assert audit_note(tmp_path, head, r"\frac{\partial J}{\partial b^{[l]}} = \sum_{i=1}^m \frac{\partial J}{\partial Z^{[l]}}",
                      r"\frac{\partial J}{\partial b^{[l]}} = \frac{1}{m}\sum_{i=1}^m \frac{\partial J}{\partial Z^{[l]}}") \
        == [("notation", ()), ("error", ("factor",))]


BISHOP_GENERAL_RULE = ("# Error backpropagation\n\n$$a_j = \\sum_i w_{ji} z_i$$\n\n$$z_j = h(a_j)$$\n\n"
                       "$$E_n = \\frac{1}{2} \\sum_k (y_k - t_k)^2$$\n\n$$\\delta_j \\equiv \\frac{\\partial E_n}{\\partial a_j}$$\n\n")


@pytest.mark.parametrize("formula", [r"\delta_j = h'(a_j) \sum_k w_{kj} \delta_k",
                                     r"\delta_j = h(a_j) \sum_k w_{kj} \delta_k"])
def test_bishop_unit_letters_of_other_layers_are_not_pinned(tmp_path, formula):
    """Bishop's general rule with no layer written, the network inferred from a_j = \\sum_i w_{ji} z_i: k is the
    next layer's unit, which the inferred network does not have, so the claim is unsupported, never an error
    (probe 4: the right one was a dimension error)."""
    notes = tmp_path / "bishop.md"
    notes.write_text(BISHOP_GENERAL_RULE + f"$${formula}$$\n")
    results = audit_paths([notes]).results
    assert results[-1].verdict == "unsupported" and "no layer is written" in results[-1].reason


OWN_LOSS = """---
network:
  layers: [identity]
  loss: squared
  loss_scale: "1/2"
  averaging: mean
  convention: row
---

# With the one-half

$$J = \\frac{1}{2m} \\sum_{i=1}^{m} (\\hat{y}^{(i)} - y^{(i)})^2$$

$$\\frac{\\partial J}{\\partial w_j} = \\frac{1}{m} \\sum_{i=1}^{m} (\\hat{y}^{(i)} - y^{(i)}) x_j^{(i)}$$

# Without the one-half

$$J = \\frac{1}{m} \\sum_{i=1}^{m} (\\hat{y}^{(i)} - y^{(i)})^2$$

$$\\frac{\\partial J}{\\partial w_j} = \\frac{2}{m} \\sum_{i=1}^{m} (\\hat{y}^{(i)} - y^{(i)}) x_j^{(i)}$$

$$\\frac{\\partial J}{\\partial w_j} = \\frac{1}{m} \\sum_{i=1}^{m} (\\hat{y}^{(i)} - y^{(i)}) x_j^{(i)}$$

# Back to the declared network

$$\\frac{\\partial J}{\\partial w_j} = \\frac{1}{m} \\sum_{i=1}^{m} (\\hat{y}^{(i)} - y^{(i)}) x_j^{(i)}$$
"""


def test_a_heading_that_defines_its_own_loss(tmp_path):
    """Front matter with the one-half, then a heading whose notes define J without it: that heading's formulas
    are checked in the network its definition gives (probe 4: the definition and the 2/m gradient after it were
    false alarms), and the next heading is back in the declared network. x_j^{(i)} in a sum over the examples is
    X's entry (i, j)."""
    notes = tmp_path / "regression.md"
    notes.write_text(OWN_LOSS)
    verdicts = [(r.verdict, tuple(e.kind for e in r.errors)) for r in audit_paths([notes]).results]
    assert [v for v, _ in verdicts[:2]] == ["notation", "correct"]
    assert verdicts[2][0] == "notation" and verdicts[3] == ("correct", ())
    assert verdicts[4] == ("error", ("factor",))
    assert verdicts[5] == ("correct", ())


CS229_STYLE = ("# Linear regression\n\n$$\\hat{y}^{(i)} = w^T x^{(i)} + b$$\n\n"
               "$$J(w, b) = \\frac{1}{2m} \\sum_{i=1}^{m} \\left( \\hat{y}^{(i)} - y^{(i)} \\right)^2$$\n\n")


@pytest.mark.parametrize("formula,expected", [
    (r"\nabla_w J = \frac{1}{m} X^T \left( \hat{y} - y \right)", "notation"),          # X: m x n, rows
    (r"w := w - \frac{\alpha}{m} X^T \left( \hat{y} - y \right)", "notation"),
    (r"\nabla_w J = X^T \left( \hat{y} - y \right)", "error"),                          # the 1/m lost
    (r"\frac{\partial J}{\partial w_j} = \frac{1}{m} \sum_{i=1}^{m} (\hat{y}^{(i)} - y^{(i)}) x^{(i)}_j", "correct"),
    (r"\frac{\partial J}{\partial w_j} = \frac{1}{m} \sum_{i=1}^{m} (y^{(i)} - \hat{y}^{(i)}) x^{(i)}_j", "error"),
])
def test_a_forward_pass_of_one_example_leaves_the_batch_layout_open(tmp_path, formula, expected):
    """Notes whose forward pass is one example's (\\hat{y}^{(i)} = w^T x^{(i)} + b) infer the example's layout; the
    batch X may then stack the examples as rows (CS229), and a claim about X that holds so is read so (probe 5:
    \\nabla_w J = \\frac{1}{m} X^T (\\hat{y} - y) was a transpose error)."""
    notes = tmp_path / "cs229.md"
    notes.write_text(CS229_STYLE + f"$${formula}$$\n")
    assert audit_paths([notes]).results[-1].verdict == expected


NIELSEN_NUMBERED = ("# Backprop on my net\n\n$$a^1 = x$$\n\n$$z^2 = w^2 a^1 + b^2$$\n\n$$a^2 = \\sigma(z^2)$$\n\n"
                    "$$z^3 = w^3 a^2 + b^3$$\n\n$$a^3 = \\sigma(z^3)$$\n\n$$C = \\frac{1}{2} \\left\\| y - a^3 \\right\\|^2$$\n\n")


def audit_body(tmp_path, body: str, *formulas: str):
    """A note with no front matter (its network inferred), then the formulas: (verdict, kinds) of each result, and
    the inferred networks' front matter."""
    notes = tmp_path / "notes.md"
    notes.write_text(body + "".join(f"$${f}$$\n\n" for f in formulas))
    run = audit_paths([notes])
    return [(r.verdict, tuple(e.kind for e in r.errors)) for r in run.results], [front for _, _, front in run.networks]


@pytest.mark.parametrize("formula,expected", [
    (r"\delta^3 = (a^3 - y) \odot \sigma'(z^3)", ("correct", ())),
    (r"\delta^2 = \left( (w^3)^T \delta^3 \right) \odot \sigma'(z^2)", ("correct", ())),
    (r"\frac{\partial C}{\partial w^2} = \delta^2 (a^1)^T", ("correct", ())),
    (r"\frac{\partial C}{\partial w^2_{jk}} = a^1_k \delta^2_j", ("correct", ())),
    (r"\frac{\partial C}{\partial w^2} = \delta^2 (a^2)^T", ("error", ("index",))),           # a^1 is layer 2's input
    (r"\frac{\partial C}{\partial a^3_j} = y_j - a^3_j", ("error", ("sign",))),
    (r"\frac{\partial C}{\partial b^2} = \delta^3", ("error", ("index",))),
    # z^1: the input layer 1 has no weighted input, so z^1 is no z^2 the tool would call layer 1
    (r"\delta^2 = \left( (w^3)^T \delta^3 \right) \odot \sigma'(z^1)", ("error", ("index",))),
    (r"a^3 = \sigma(z^2)", ("error", ("index",))),
])
def test_layers_numbered_from_the_input_layer(tmp_path, formula, expected):
    """Nielsen's concrete numbering, the input layer 1 (a^1 = x), the first weights w^2, the output layer 3: the
    digits are layers (w^2 a^1: no powers), read as written; \\delta^3 never defined is \\partial C/\\partial z^3 (probe 5:
    the notes were exit 2, 'no forward pass is written'; a^1 = x a dimension error in the general variant)."""
    got, fronts = audit_body(tmp_path, NIELSEN_NUMBERED, formula)
    assert got[:6] == [("correct", ())] * 6   # the forward pass and the cost, a^1 = x and C = 1/2 ||y - a^3||^2
    assert got[6:] == [expected]
    front = yaml.safe_load(fronts[0])
    assert front["network"]["layers"] == ["sigmoid", "sigmoid"] and front["superscript"] == "layer"
    assert front["names"]["w^{2}"] == "W^{[1]}" and front["names"]["a^{1}"] == "X" and front["names"]["a^{3}"] == "A^{[2]}"


def test_layers_numbered_from_the_input_with_the_general_rule_beside(tmp_path):
    """The general rule z^l = w^l a^{l-1} + b^l written beside the numbered forward pass: the numbered one is the
    network (the general formulas are its rule, for every layer l of it)."""
    body = NIELSEN_NUMBERED.replace("$$a^1 = x$$", "$$a^1 = x$$\n\n$$z^l = w^l a^{l-1} + b^l$$\n\n$$a^l = \\sigma(z^l)$$")
    got, fronts = audit_body(tmp_path, body, r"\delta^l = \left( (w^{l+1})^T \delta^{l+1} \right) \odot \sigma'(z^l)",
                             r"\delta^l = \left( (w^{l})^T \delta^{l+1} \right) \odot \sigma'(z^l)")
    assert got[:8] == [("correct", ())] * 8
    assert got[8:] == [("correct", ()), ("error", ("index",))]
    assert yaml.safe_load(fronts[0])["network"]["layers"] == ["sigmoid", "sigmoid"]


GOODFELLOW_LISTED = ("# MLP\n\n$$h^{(0)} = x$$\n\n$$a^{(k)} = b^{(k)} + W^{(k)} h^{(k-1)}$$\n\n"
                     "$$h^{(k)} = \\tanh\\left( a^{(k)} \\right) \\quad \\text{for } k = 1, 2$$\n\n"
                     "$$\\hat{y} = \\operatorname{softmax}\\left( a^{(3)} \\right)$$\n\n"
                     "$$J = -\\sum_i y_i \\log \\hat{y}_i$$\n\n")


@pytest.mark.parametrize("formula,expected", [
    (r"\nabla_{a^{(3)}} J = \hat{y} - y", ("correct", ())),
    (r"\nabla_{a^{(k)}} J = \nabla_{h^{(k)}} J \odot \left( 1 - h^{(k)} \odot h^{(k)} \right) \quad \text{for } k = 1, 2",
     ("correct", ())),
    (r"\nabla_{a^{(k)}} J = \nabla_{h^{(k)}} J \odot \left( 1 + h^{(k)} \odot h^{(k)} \right) \quad \text{for } k = 1, 2",
     ("error", ("sign",))),
    (r"\nabla_{h^{(1)}} J = W^{(2)\top} \nabla_{a^{(2)}} J", ("correct", ())),
    (r"\nabla_{h^{(1)}} J = W^{(1)\top} \nabla_{a^{(2)}} J", ("error", ("index",))),
])
def test_a_side_condition_lists_the_layers_of_a_general_formula(tmp_path, formula, expected):
    """Goodfellow's h^{(k)} = \\tanh(a^{(k)}) for k = 1, 2 and \\hat{y} = softmax(a^{(3)}): the general activation is
    for the layers listed, the output layer's own formula for its layer (probe 5: exit 2, 'cce needs a softmax
    output layer, not tanh'); a claim's own 'for k = 1, 2' restricts it so too."""
    got, fronts = audit_body(tmp_path, GOODFELLOW_LISTED, formula)
    assert got[5:] == [expected]
    assert got[:5] == [("correct", ())] * 5   # the forward pass and the loss
    assert yaml.safe_load(fronts[0])["network"]["layers"] == ["tanh", "tanh", "softmax"]


@pytest.mark.parametrize("annotation,layers", [
    ("for k = 1 , 2", [1, 2]), ("for k in { 1 , 2 }", [1, 2]), ("for k < 3", [1, 2]),
    ("for k = 1 , dots , L - 1", [1, 2, 3]), ("for 1 \\le k < l", [1, 2, 3]), ("for l = 2 , dots , L", [2, 3, 4]),
    ("for k = 1 and 2", [1, 2]), ("for i = 1 , dots , m", None), ("where x is the input", None),
])
def test_the_layers_a_side_condition_lists(annotation, layers):
    found = layer_condition(annotation)
    assert (None if found is None else [k for k in range(1, 6) if found[1](k, 4)]) == layers


LINEAR_HYPOTHESIS = ("# Linear regression\n\n$$h_\\theta(x) = \\theta^T x = \\sum_{j=0}^{n} \\theta_j x_j$$\n\n"
                     "$$J(\\theta) = \\frac{1}{2m} \\sum_{i=1}^{m} \\left( h_\\theta(x^{(i)}) - y^{(i)} \\right)^2$$\n\n")
LOGISTIC_HYPOTHESIS = ("# Logistic regression\n\n$$g(z) = \\frac{1}{1 + e^{-z}}$$\n\n$$h_\\theta(x) = g\\left(\\theta^T x\\right)$$\n\n"
                       "$$J(\\theta) = -\\frac{1}{m} \\sum_{i=1}^{m} \\left[ y^{(i)} \\log h_\\theta(x^{(i)}) + \\left(1 - y^{(i)}\\right) "
                       "\\log\\left(1 - h_\\theta(x^{(i)})\\right) \\right]$$\n\n")


@pytest.mark.parametrize("body,formula,expected", [
    (LINEAR_HYPOTHESIS, r"\frac{\partial J}{\partial \theta_j} = \frac{1}{m} \sum_{i=1}^{m} \left( h_\theta(x^{(i)}) - y^{(i)} \right) x^{(i)}_j",
     "correct"),
    (LINEAR_HYPOTHESIS, r"\frac{\partial J}{\partial \theta_j} = \frac{1}{m} \sum_{i=1}^{m} \left( y^{(i)} - h_\theta(x^{(i)}) \right) x^{(i)}_j",
     "error"),
    (LINEAR_HYPOTHESIS, r"\nabla_\theta J(\theta) = \frac{1}{m} X^T \left( X\theta - y \right)", "notation"),   # X: m x n
    (LINEAR_HYPOTHESIS, r"\theta := \theta - \frac{\alpha}{m} X^T \left( X\theta - y \right)", "notation"),
    # X \theta: the examples in rows, where the lost 1/m is found (the example's columns cannot multiply it)
    (LINEAR_HYPOTHESIS, r"\nabla_\theta J(\theta) = X^T \left( X\theta - y \right)", "error/factor"),
    (LOGISTIC_HYPOTHESIS, r"\frac{\partial J}{\partial \theta_j} = \frac{1}{m} \sum_{i=1}^{m} \left( h_\theta(x^{(i)}) - y^{(i)} \right) x^{(i)}_j",
     "correct"),
    (LOGISTIC_HYPOTHESIS, r"\frac{\partial J}{\partial \theta_j} = \frac{1}{m} \sum_{i=1}^{m} \left( y^{(i)} - h_\theta(x^{(i)}) \right) x^{(i)}_j",
     "error"),
    (LOGISTIC_HYPOTHESIS, r"\frac{\partial}{\partial \theta_j} \log h_\theta(x) = \left( 1 - h_\theta(x) \right) x_j", "correct"),
    (LOGISTIC_HYPOTHESIS, r"\frac{\partial}{\partial \theta_j} \log h_\theta(x) = h_\theta(x) x_j", "error"),
])
def test_the_hypothesis_is_the_forward_pass(tmp_path, body, formula, expected):
    """h_\\theta(x) = \\theta^T x, or g(\\theta^T x) with g the sigmoid the notes define: the model's prediction, so the
    forward pass of a network of one output unit with theta its weights and no bias (x_0 = 1 folds it in); J(\\theta)
    the cost (probe 5: exit 2, 'no forward pass is written')."""
    got, fronts = audit_body(tmp_path, body, formula)
    assert got[-1][0] == expected.split("/")[0] and ("/" not in expected or got[-1][1] == (expected.split("/")[1],))
    assert all(v in ("correct", "notation") for v, _ in got[:-1])
    network = yaml.safe_load(fronts[0])["network"]
    assert network["layers"] == (["identity"] if body is LINEAR_HYPOTHESIS else ["sigmoid"])
    assert network["loss"] == ("squared" if body is LINEAR_HYPOTHESIS else "bce") and network["biases"] is False


@pytest.mark.parametrize("formula,expected", [
    (r"\frac{\partial J}{\partial \theta_j} = \frac{1}{m} \sum_{i=1}^{m} \left( h_\theta(x^{(i)}) - y^{(i)} \right) x^{(i)}_j", "correct"),
    (r"\frac{\partial J}{\partial \theta_j} = \frac{1}{m} \sum_{i=1}^{m} h_\theta(x^{(i)}) x^{(i)}_j", "error"),
])
@pytest.mark.parametrize("hypothesis", [r"\sigma\left(\theta^T x\right)", r"g\left(\theta^T x\right)"])
def test_a_logistic_hypothesis_without_its_function_defined(tmp_path, hypothesis, formula, expected):
    """h_\\theta(x) = \\sigma(\\theta^T x), or g(\\theta^T x) with g defined nowhere, under the binary cross-entropy: the
    output is a probability, the logistic function's (g generic made g'(z) = g(z)(1 - g(z)) a false alarm)."""
    body = LOGISTIC_HYPOTHESIS.replace("$$g(z) = \\frac{1}{1 + e^{-z}}$$\n\n", "").replace(r"g\left(\theta^T x\right)", hypothesis)
    got, fronts = audit_body(tmp_path, body, r"g'(z) = g(z) \left( 1 - g(z) \right)", formula)
    assert [v for v, _ in got] == ["correct", "notation", "correct", expected]
    assert yaml.safe_load(fronts[0])["network"]["layers"] == ["sigmoid"]


def test_the_input_itself_taken_by_a_layer_numbered_2(tmp_path):
    """z^2 = w^2 x + b^2 with no a^1 = x written: the layer before the first numbered one is the input layer 1."""
    body = NIELSEN_NUMBERED.replace("$$a^1 = x$$\n\n", "").replace("w^2 a^1", "w^2 x")
    got, _ = audit_body(tmp_path, body, r"\frac{\partial C}{\partial w^2} = \delta^2 x^T",
                        r"\frac{\partial C}{\partial w^2} = \delta^2 (a^1)^T", r"\frac{\partial C}{\partial w^2} = \delta^3 x^T")
    assert got == [("correct", ())] * 5 + [("correct", ()), ("correct", ()), ("error", ("index",))]



@pytest.mark.parametrize("formula,expected", [
    (r"\delta^2_j = \sigma'(z^2_j) \sum_k w^3_{kj} \delta^3_k", ("correct", ())),
    (r"\delta^2_j = \sigma'(z^2_j) \sum_k w^3_{jk} \delta^3_k", ("error", ("index",))),
])
def test_a_forward_pass_in_components_and_matrices(tmp_path, formula, expected):
    """z^2_j = \\sum_k w^2_{jk} a^1_k + b^2_j beside z^3 = w^3 a^2 + b^3: the component form with j the output unit is
    the column layout's z = w a, one layout, not two as often (it was exit 2, 'different layouts as often')."""
    body = NIELSEN_NUMBERED.replace("$$z^2 = w^2 a^1 + b^2$$", "$$z^2_j = \\sum_k w^2_{jk} a^1_k + b^2_j$$")
    got, fronts = audit_body(tmp_path, body, formula)
    assert got == [("correct", ())] * 6 + [expected]
    assert yaml.safe_load(fronts[0])["network"]["convention"] == "column"


@pytest.mark.parametrize("formula,expected", [
    (r"g \leftarrow \nabla_{\hat{y}} J = -\frac{y}{\hat{y}}", [("correct", ()), ("correct", ())]),
    (r"g \leftarrow \nabla_{\hat{y}} J = \frac{y}{\hat{y}}", [("correct", ()), ("error", ("sign",))]),
])
def test_an_algorithm_variable_assigned_a_gradient(tmp_path, formula, expected):
    """Goodfellow's g \\leftarrow \\nabla_{\\hat{y}} J = -y/\\hat{y} (Algorithm 6.4): the assignment names g, a letter the
    network does not know, and the rest of the chain is checked (g was 'unknown quantity' in both steps)."""
    got, _ = audit_body(tmp_path, GOODFELLOW_LISTED, formula)
    assert got[5:] == expected


BISHOP_DECLARED = ("network:\n  layers: [tanh, identity]\n  loss: squared\n  loss_scale: \"1/2\"\n  averaging: single\n"
                   "  convention: index-out-in")
BISHOP_WITH_BIASES = ("$$a_j = \\sum_{i=1}^{D} w^{(1)}_{ji} x_i + w^{(1)}_{j0}$$\n\n$$z_j = \\tanh(a_j)$$\n\n"
                      "$$y_k = \\sum_{j=1}^{M} w^{(2)}_{kj} z_j + w^{(2)}_{k0}$$\n\n"
                      "$$E_n = \\frac{1}{2} \\sum_{k=1}^{K} (y_k - t_k)^2$$\n\n")


@pytest.mark.parametrize("formula,expected", [
    # the unit letters i -> j -> k of the forward pass name the input, hidden and output units: a_k is the output
    # layer's pre-activation (a_j the hidden one's), w_{kj} with no layer label the second layer's weights, and
    # w_{j0}, w_{k0} the biases (the weights from the unit fixed at 1); checked by finite differences
    (r"\frac{\partial E_n}{\partial a_k} = y_k - t_k", ("correct", ())),
    (r"\frac{\partial E_n}{\partial a_k} = t_k - y_k", ("error", ("sign",))),
    (r"\frac{\partial E_n}{\partial w_{kj}} = (y_k - t_k) z_j", ("correct", ())),
    (r"\frac{\partial E_n}{\partial w_{kj}} = (y_k - t_k) a_j", ("error", ("definition",))),
    (r"\frac{\partial E_n}{\partial w^{(1)}_{j0}} = (1 - z_j^2) \sum_{k=1}^{K} w_{kj} (y_k - t_k)", ("correct", ())),
    (r"\frac{\partial E_n}{\partial w^{(1)}_{j0}} = (z_j^2 - 1) \sum_{k=1}^{K} w_{kj} (y_k - t_k)", ("error", ("sign",))),
    (r"\frac{\partial E_n}{\partial w_{k0}} = y_k - t_k", ("correct", ())),
    (r"\frac{\partial E_n}{\partial w_{k0}} = 2 (y_k - t_k)", ("error", ("factor",))),
])
def test_a_declared_network_reads_bishop_s_unit_letters(tmp_path, formula, expected):
    """A declared network without `names:` whose notes write Bishop's forward pass (probe 5: every claim was
    unsupported, 'a_j has no layer index'): the forward pass names the letters as inference names them."""
    notes = tmp_path / "bishop.md"
    notes.write_text(f"---\n{BISHOP_DECLARED}\n---\n{BISHOP_WITH_BIASES}$${formula}$$\n")
    results = audit_paths([notes]).results
    assert [r.verdict for r in results[:4]] == ["correct"] * 4
    assert [(r.verdict, tuple(e.kind for e in r.errors)) for r in results[4:]] == [expected]


def test_declared_names_of_a_letter_win_over_its_unit_letters(tmp_path):
    """Notes that name the letter a themselves (a_j: z^{(1)}_j, a pattern over j) keep their names: a_k is read by
    them, not from the unit letters; the letters they do not name (w_{kj}) are still read from the forward pass."""
    head = BISHOP_DECLARED + "\nnames:\n  'a_j': 'z^{(1)}_j'"
    notes = tmp_path / "bishop.md"
    notes.write_text(f"---\n{head}\n---\n{BISHOP_WITH_BIASES}")
    aliases = load_markdown(notes).sections[0].aliases
    assert aliases["a_j"] == "z^{(1)}_j" and "a_{k}" not in aliases and "a_{j}" not in aliases
    assert aliases["w_{k,j}"] == "W^{[2]}"


@pytest.mark.parametrize("formula,expected", [
    (r"h'(a_j) = 1 - z_j^2", ("correct", ())),
    (r"h'(a_j) = 1 - z_j", ("error", ("unexplained",))),
])
def test_a_generic_activation_said_to_be_tanh(tmp_path, formula, expected):
    """z_j = h(a_j) and then z_j = \\tanh(a_j): the generic h of the forward pass is tanh (the inferred layer is tanh,
    not g, so the second formula is no error and h' is checkable)."""
    notes = tmp_path / "bishop.md"
    notes.write_text(BISHOP_WITH_BIASES.replace("$$z_j = \\tanh(a_j)$$", "$$z_j = h(a_j)$$\n\n$$z_j = \\tanh(a_j)$$")
                     + f"$${formula}$$\n")
    results = audit_paths([notes]).results
    assert all(r.verdict == "correct" for r in results[:-1])
    assert [(r.verdict, tuple(e.kind for e in r.errors)) for r in results[-1:]] == [expected]


CS231N_ENTRYWISE = ("$$H = \\max(0, X W_1 + b_1)$$\n\n$$S = H W_2 + b_2$$\n\n"
                    "$$P_{{{ij}}} = \\frac{{e^{{S_{{{ij}}}}}}}{{\\sum_c e^{{S_{{{ic}}}}}}}$$\n\n"
                    "$$L = -\\frac{{1}}{{N}} \\sum_{{i=1}}^{{N}} \\sum_{{j}} Y_{{ij}} \\log P_{{ij}}$$\n\n"
                    "$$dW_2 = H^T dS$$\n\n")   # dS is the batch loss's own gradient: no 1/N in dW_2


@pytest.mark.parametrize("letters", [("ij", "ic"), ("i,k", "i,c")])
@pytest.mark.parametrize("formula,expected", [
    # P defined entry by entry is the matrix P: dS = (P - Y)/N, checked by finite differences
    (r"dS = \frac{1}{N} (P - Y)", ("correct", ())),
    (r"dS = P - Y", ("error", ("factor",))),            # the mean's 1/N lost
    (r"\frac{\partial L}{\partial S_{ij}} = \frac{1}{N} (P_{ij} - Y_{ij})", ("correct", ())),
])
def test_a_matrix_defined_entry_by_entry(tmp_path, letters, formula, expected):
    """CS231n's P_{ij} = e^{S_{ij}} / \\sum_k e^{S_{ik}} defines the matrix P (probe 5: P was an unknown quantity in
    dS = \\frac{1}{N}(P - Y)); the definition itself is checked entry by entry."""
    ij, ic = letters
    notes = tmp_path / "cs231n.md"
    notes.write_text(CS231N_ENTRYWISE.format(ij=ij, ic=ic) + f"$${formula}$$\n")
    results = audit_paths([notes]).results
    assert [r.verdict for r in results[:-1]] == ["correct"] * 5
    assert [(r.verdict, tuple(e.kind for e in r.errors)) for r in results[-1:]] == [expected]


LOGISTIC_BOTH = ("$$z = w^T x + b$$\n\n$$a = \\sigma(z)$$\n\n"
                 "$$J = -\\frac{1}{m} \\sum_{i=1}^{m} \\left( y^{(i)} \\log a^{(i)} + (1 - y^{(i)}) \\log(1 - a^{(i)}) \\right)$$\n\n"
                 "Backward for one example:\n\n$$dw = x \\, dz$$\n\n$$db = dz$$\n\n"
                 "Vectorised:\n\n$$Z = w^T X + b$$\n\n$$A = \\sigma(Z)$$\n\n$$db = \\frac{1}{m} \\sum_{i=1}^{m} dZ$$\n\n"
                 "$$dw = \\frac{1}{m} X dZ^T$$\n\n")


@pytest.mark.parametrize("formula,expected", [
    # one example's dw = x dz, db = dz say nothing of the 1/m (for one example the readings agree); the
    # vectorised db and dw with their 1/m pin dZ as per example: dZ = A - Y is right, dw without its 1/m wrong
    (r"dZ = A - Y", ("correct", ())),
    (r"dZ = Y - A", ("error", ("sign",))),
    (r"dw = X dZ^T", ("error", ("factor",))),
])
def test_one_example_s_formulas_do_not_vote_on_the_shorthand(tmp_path, formula, expected):
    """deeplearning.ai's logistic regression (probe 5: dZ = A - Y was `notation`, 'not pinned down', because dw = x dz
    and db = dz, with no 1/m, had counted as two votes for the total reading)."""
    notes = tmp_path / "logistic.md"
    notes.write_text(LOGISTIC_BOTH + f"$${formula}$$\n")
    results = audit_paths([notes]).results
    assert [(r.verdict, tuple(e.kind for e in r.errors)) for r in results[-1:]] == [expected]


BISHOP_SOFTMAX = ("$$a_j = \\sum_{i=1}^{D} w^{(1)}_{ji} x_i + w^{(1)}_{j0}$$\n\n$$z_j = \\sigma(a_j)$$\n\n"
                  "$$a_k = \\sum_{j=1}^{M} w^{(2)}_{kj} z_j + w^{(2)}_{k0}$$\n\n"
                  "$$y_k = \\frac{\\exp(a_k)}{\\sum_{l} \\exp(a_l)}$$\n\n$$E_n = -\\sum_{k} t_k \\ln y_k$$\n\n")


@pytest.mark.parametrize("formula,expected", [
    # y_k = softmax of a_k: the unit letter k says the softmax is the output layer's (it was read as no layer's)
    (r"\frac{\partial E_n}{\partial w_{kj}} = (y_k - t_k) z_j", ("correct", ())),
    (r"\frac{\partial E_n}{\partial w_{kj}} = (y_k - t_k) a_j", ("error", ("definition",))),
    (r"\frac{\partial E_n}{\partial a_j} = z_j (1 - z_j) \sum_k w_{kj} (y_k - t_k)", ("correct", ())),
    (r"\frac{\partial E_n}{\partial a_j} = z_j (1 - z_j) \sum_k w_{kj} (t_k - y_k)", ("error", ("sign",))),
])
def test_bishop_s_softmax_output_is_the_layer_of_its_unit_letter(tmp_path, formula, expected):
    """Bishop's softmax outputs y_k = exp(a_k) / sum_l exp(a_l), inferred (no front matter): the network is
    [sigmoid, softmax] with cross-entropy (it was 'cce needs a softmax output layer, not identity')."""
    notes = tmp_path / "bishop.md"
    notes.write_text(BISHOP_SOFTMAX + f"$${formula}$$\n")
    results = audit_paths([notes]).results
    assert [(r.verdict, tuple(e.kind for e in r.errors)) for r in results[-1:]] == [expected]
