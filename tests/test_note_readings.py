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
    (r"\frac{\partial E}{\partial h_j^l} = \sum_d \delta_d^{l+1} W_{dj}^{l+1}", ("error", ("transpose",))),
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
