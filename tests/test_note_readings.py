"""Readings a careful reader gives the constructs real notes use (issue 20), each right and deliberately wrong.

A construct the notes leave open (a limit without a definition, a display with no left side) is read the
way that makes the claim checkable only when the notes allow it; a claim that fails only under a reading
the notes do not pin down is `notation` or `unsupported`, never `error`.
"""
from __future__ import annotations

import pytest

from gradaudit.audit.runner import audit_paths
from gradaudit.errors import GradauditError
from gradaudit.sources.markdown import find_math

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
