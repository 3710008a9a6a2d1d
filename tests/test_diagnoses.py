"""The diagnoses the standard texts need, each on a deliberately wrong formula of its kind (worked by hand),
with the right formula beside it so that the rule cannot fire on what is right.

- a chain-rule sum written through some of the outputs an input feeds: `sum`;
- a product of two sums where the chain rule's sum of products belongs: `step`;
- a weight with its two unit indices swapped (w_{jk} for w_{kj}), or an element index written with the
  left side's other letter (z_j for z_i): `index`;
- a regularization gradient with the wrong factor: `factor`.
"""
from __future__ import annotations

import pytest

from gradaudit import audit_text
from gradaudit.audit.runner import audit_paths

# tanh hidden layer, linear output, E = 1/2 sum (yhat - y)^2 of one example; w_{i,j}: i the output unit
INDEX = ("network:\n  layers: [tanh, identity]\n  loss: squared\n  loss_scale: \"1/2\"\n  averaging: single\n"
         "  convention: index-out-in\nnames:\n  'h': 'a^{(1)}'")
# tanh, sigmoid, BCE averaged over m, (lambda/2m) sum W^2; dZ per example, dW carries the 1/m
L2 = ("network:\n  layers: [tanh, sigmoid]\n  loss: bce\n  averaging: mean\n  convention: column\n"
      "  regularization: 'l2 \\frac{\\lambda}{2m}'\nshorthand: per-example")
DENSE_W1 = r"dW^{[1]} = \frac{1}{m} dZ^{[1]} X^T + "


def audit(tmp_path, front_matter: str, formula: str):
    notes = tmp_path / "notes.md"
    notes.write_text(f"---\n{front_matter}\n---\n$${formula}$$\n")
    (result,) = audit_paths([notes]).results
    return result.verdict, tuple(e.kind for e in result.errors), [e.detail for e in result.errors]


@pytest.mark.parametrize("head,formula,verdict,kinds,why", [
    # h_2 feeds every output z_i through w_{i,2}: one term is the chain rule through z_1 only
    (INDEX, r"\frac{\partial E}{\partial h_2} = \frac{\partial E}{\partial z^{(2)}_1} w^{(2)}_{1,2}", "error", ("sum",),
     "h_2 feeds every output; only z_1's term is written"),
    (INDEX, r"\frac{\partial E}{\partial h_2} = \frac{\partial E}{\partial z^{(2)}_1} \frac{\partial z^{(2)}_1}{\partial h_2}",
     "error", ("sum",), "the same, the factor written as a partial derivative"),
    (INDEX, r"\frac{\partial E}{\partial h_j} = \sum_i \frac{\partial E}{\partial z^{(2)}_i} w^{(2)}_{i,j}", "correct", (),
     "the whole sum over the outputs h_j feeds"),
    # (sum_i u_i)(sum_i v_i) pairs every term with every other; the chain rule pairs each with its own
    (INDEX, (r"\frac{\partial E}{\partial h_j} = \left(\sum_i \frac{\partial E}{\partial z^{(2)}_i}\right) "
             r"\sum_i w^{(2)}_{i,j}"), "error", ("step",), "a product of sums for the sum of products"),
    # w_{j,i} is the weight from i to j: the other connection
    (INDEX, r"\frac{\partial E}{\partial h_j} = \sum_i \frac{\partial E}{\partial z^{(2)}_i} w^{(2)}_{j,i}", "error",
     ("index",), "w_{j,i} where w_{i,j} belongs (i the output unit)"),
    (INDEX, r"z^{(1)}_j = \sum_k w^{(1)}_{k,j} x_k + b^{(1)}_j", "error", ("index",),
     "the forward sum with the unit indices swapped"),
    (INDEX, r"z^{(1)}_j = \sum_k w^{(1)}_{j,k} x_k + b^{(1)}_j", "correct", (), "the forward sum"),
    # an element index written with the left side's other letter
    (INDEX, r"\frac{\partial E}{\partial w^{(2)}_{i,j}} = (\hat{y}_i - y_i) h_i", "error", ("index",),
     "h_i where h_j, the unit w_{i,j} reads, belongs"),
    (INDEX, r"\frac{\partial E}{\partial w^{(2)}_{i,j}} = (\hat{y}_i - y_i) h_j", "correct", (), "dE/dw_ij = e_i h_j"),
    # d/dW (lambda/(2m)) sum W^2 = (lambda/m) W
    (L2, DENSE_W1 + r"\frac{\lambda}{m} W^{[1]}", "correct", (), "the penalty's gradient (lambda/m) W"),
    (L2, DENSE_W1 + r"\frac{\lambda}{2m} W^{[1]}", "error", ("factor",), "the square's 2 cancels the 2 of 2m"),
    (L2, DENSE_W1 + r"\frac{2\lambda}{m} W^{[1]}", "error", ("factor",), "a factor 2 too many"),
    (L2, DENSE_W1 + r"\lambda W^{[1]}", "error", ("factor",), "the penalty's term lacks its 1/m"),
])
def test_diagnosis(tmp_path, head, formula, verdict, kinds, why):
    got = audit(tmp_path, head, formula)
    assert got[:2] == (verdict, kinds), f"{why}: {got}"


def test_missing_outputs_are_named(tmp_path):
    _, _, details = audit(tmp_path, INDEX, r"\frac{\partial E}{\partial h_2} = \frac{\partial E}{\partial z^{(2)}_1} "
                                           r"w^{(2)}_{1,2}")
    assert details[0].startswith("the terms of the other outputs it feeds are missing: h_{2} also feeds z_{2}^{(2)}")


def test_a_written_term_that_is_not_its_outputs_own_is_not_a_missing_sum(tmp_path):
    """w_{1,1} is the weight from h_1, not h_2: adding the other outputs' terms cannot make it right, and
    the rule must not claim that it does."""
    verdict, kinds, _ = audit(tmp_path, INDEX, r"\frac{\partial E}{\partial h_2} = "
                                               r"\frac{\partial E}{\partial z^{(2)}_1} w^{(2)}_{1,1}")
    assert verdict == "error" and "sum" not in kinds


def test_the_term_lacking_a_factor_is_named(tmp_path):
    _, _, details = audit(tmp_path, L2, DENSE_W1 + r"\lambda W^{[1]}")
    assert details == [r"the term \lambda W^{[1]} lacks a factor 1/m"]


@pytest.mark.parametrize("row,verdict,kinds", [
    (r"W^{[1]} : n^{[1]}\times n^{[0]}", "correct", ()),
    (r"b^{[2]} : n^{[2]}\times 1", "correct", ()),
    (r"dW^{[3]} : n^{[3]}\times n^{[2]}", "correct", ()),
    # a bias is one column broadcast over the examples: n x m is no size of b (nor an elided sum: b is no gradient)
    (r"b^{[2]} : n^{[2]}\times m", "error", ("dimension",)),
    (r"dW^{[3]} : n^{[3]}\times m", "error", ("dimension",)),
])
def test_a_dimension_table_row(row, verdict, kinds):
    """Rows of document 001's dimension tables, read as shape claims in its column network."""
    (result,) = audit_text(row, network="architecture: d001-mlp3-g")
    assert (result.verdict, tuple(e.kind for e in result.errors)) == (verdict, kinds), result
