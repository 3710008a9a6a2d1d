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
