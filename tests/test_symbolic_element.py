"""Closed forms (rule table + engine) == element-level ground truth (sympy.diff entry by entry).

Only small sizes: sympy.diff of a whole loss grows with the product of the widths, so deeper
and wider choices (L = 2..6, the documents' own sizes) are checked in test_symbolic_fd.py.
The second 3-layer sigmoid choice (widths 2..5 with m = 1) is left to the finite differences:
d000-mlp3-tanh checks the same layout at those widths here.
Sizes are small and pairwise distinct (n0..nL and m all different) so a missing transpose or a
wrong product cannot conform by accident; one choice per architecture uses the document's own
output width. The generic g is replaced by tanh and by softplus.
"""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from gradaudit.symbolic import derive
from gradaudit.symbolic.element import ground_truth
from gradaudit.symbolic.evaluate import evaluate_all

from symbolic_helpers import CONCRETE_G, concrete_shapes, random_point


def _n(*ns, m=None):
    d = {f"n{i}": n for i, n in enumerate(ns)}
    if m is not None:
        d["m"] = m
    return d


# (arch, depth, sizes, concrete g, only these gradients or None)
CASES = [
    ("d000-mlp3-sigmoid", None, _n(2, 3, 4, 1), None, None),
    ("d000-mlp3-tanh", None, _n(2, 3, 4, 1), None, None),
    ("d000-mlp3-tanh", None, _n(3, 4, 2, 5), None, None),
    ("d001-mlp3-g", None, _n(2, 3, 4, 1, m=5), "tanh", None),
    ("d001-mlp-L-g", 2, _n(2, 3, 1, m=4), "softplus", None),
    ("d001-mlp-L-g", 2, _n(3, 1, 2, m=4), "tanh", None),
    ("d002-mlp-L-relu-sigmoid", 2, _n(4, 2, 3, m=1), None, None),
    ("d002-single-sigmoid", None, _n(3, 1), None, None),
    ("d002-single-sigmoid", None, _n(2, 3), None, None),
    ("d002-mlp2-tanh-sigmoid", None, _n(2, 3, 1, m=4), None, None),
    ("d002-mlp2-tanh-sigmoid", None, _n(3, 4, 2, m=1), None, None),
    ("d002-mlp2-relu-sigmoid", None, _n(2, 3, 1, m=4), None, None),
    ("d002-mlp2-relu-sigmoid", None, _n(3, 4, 2, m=1), None, None),
    ("d002-mlp-L-relu-sigmoid", 2, _n(3, 2, 1, m=4), None, None),
    ("d002-mlp-L-relu-softmax", 2, _n(2, 4, 3, m=1), None, None),
    ("d002-mlp-L-relu-softmax", 2, _n(4, 2, 3, m=1), None, None),
    ("d002-cnn-sigmoid", None, {"H": 5, "W": 4}, None, None),
    ("d002-cnn-sigmoid", None, {"H": 4, "W": 6, "n2": 2}, None, None),
    # two nested max-pools make the whole loss too large for sympy.diff: the element level checks
    # from the second block's ReLU on (convolution and pooling primitives are checked by d002-cnn-sigmoid above),
    # and test_symbolic_fd.py checks every gradient of this network by finite differences.
    ("d002-cnn-multi-softmax", None, {"H": 8, "W": 9},
     None, {"dA4", "dZ4", "dW4", "db4", "dA3", "dZ3", "dW3", "db3", "dP2", "dA2", "dZ2"}),
    ("d003-mlp2-sigmoid-mse", None, _n(3, 4, 2), None, None),
    ("d003-mlp2-sigmoid-mse", None, _n(4, 3, 5), None, None),
    ("d004-mlp-L-sigmoid-sse", 2, _n(3, 4, 2), None, None),
    ("d004-mlp-L-sigmoid-sse", 2, _n(2, 5, 3), None, None),
]


@pytest.mark.parametrize("arch,depth,sizes,g,only", CASES, ids=lambda v: str(v) if not isinstance(v, (dict, set)) else "")
def test_closed_forms_equal_element_level(arch, depth, sizes, g, only):
    functions = {"g": CONCRETE_G[g]} if g else {}
    d = derive(arch, depth, sizes)
    gt = ground_truth(arch, depth, sizes, functions, names=only)
    vals = random_point(d, concrete_shapes(d), seed=len(str(sizes)))
    ref = gt.evaluate(vals)
    got = evaluate_all(d, vals, functions)
    expected = set(only) if only else {n for n, _ in d.backward}
    assert set(ref) == expected
    for name in expected:
        assert got[name].shape == ref[name].shape, name
        np.testing.assert_allclose(got[name], ref[name], rtol=1e-8, atol=1e-10, err_msg=f"{arch} {name}")


def test_per_example_shorthand_moves_1_over_m_to_the_parameters():
    sizes = _n(2, 3, 1, m=4)
    d = derive("d001-mlp-L-g", 2, sizes, per_example=True)
    gt = ground_truth("d001-mlp-L-g", 2, sizes, {"g": sp.tanh}, per_example=True)
    vals = random_point(d, concrete_shapes(d), seed=3)
    ref, got = gt.evaluate(vals), evaluate_all(d, vals, {"g": sp.tanh})
    for name in ref:
        np.testing.assert_allclose(got[name], ref[name], rtol=1e-8, atol=1e-10, err_msg=name)
    true = evaluate_all(derive("d001-mlp-L-g", 2, sizes), vals, {"g": sp.tanh})
    np.testing.assert_allclose(got["dW1"], true["dW1"], rtol=1e-10)
    np.testing.assert_allclose(got["dZ1"], 4 * true["dZ1"], rtol=1e-10)


@pytest.mark.parametrize("n", [4, 3])
def test_activation_identities_equal_element_level(n):
    d = derive("activations", sizes={"n": n})
    gt = ground_truth("activations", sizes={"n": n})
    rng = np.random.default_rng(n)
    y = rng.uniform(0.1, 1, size=(n, 1))
    vals = {"z": rng.normal(size=(n, 1)), "y": y / y.sum()}
    ref = gt.evaluate(vals)
    got = evaluate_all(d, vals)
    assert set(ref) == {name for name, _ in d.backward}
    for name in ref:
        np.testing.assert_allclose(got[name], ref[name], rtol=1e-9, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("j", [sp.sin, sp.exp])
def test_chain_toy_equals_element_level(j):
    d = derive("d002-chain-toy")
    gt = ground_truth("d002-chain-toy", functions={"j": j})
    vals = {"A": 0.7, "B": -1.3, "C": 0.4}
    ref = gt.evaluate(vals)
    env = {sp.Symbol(k): v for k, v in vals.items()}
    for name, e in d.forward:
        env[sp.Symbol(name)] = float(e.xreplace(env))
    for name, e in d.backward:
        concrete = e.replace(sp.Function("j"), j).doit()
        env[sp.Symbol(name)] = float(concrete.xreplace(env))
        assert env[sp.Symbol(name)] == pytest.approx(float(ref[name][0, 0]), rel=1e-12), name
