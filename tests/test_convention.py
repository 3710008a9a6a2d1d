"""The layout conventions as one object (src/gradaudit/convention.py): shapes, axes and the affine map agree
with what each convention's texts write, for NumPy and SymPy matrices alike."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from gradaudit.convention import CONVENTIONS

WRITTEN = {   # Z from W, A, b as each convention's texts write it, for a batch of m examples
    "column": lambda W, A, b: W @ A + b,
    "column-wT": lambda W, A, b: W.T @ A + b,
    "row": lambda W, A, b: A @ W + b,
    "index": lambda W, A, b: np.einsum("ij,ri->rj", W, A) + b,
    "scalar": lambda W, A, b: A @ W + b,
}


@pytest.mark.parametrize("name", sorted(CONVENTIONS))
def test_affine_is_what_the_texts_write(name):
    layout, rng = CONVENTIONS[name], np.random.default_rng(0)
    n_in, n_out, m = 3, 2, 5
    W = rng.normal(size=layout.weight_shape(n_out, n_in))
    A = rng.normal(size=layout.batch_shape(n_in, m))
    b = rng.normal(size=layout.bias_shape(n_out))
    Z = layout.affine(W, A, b, lambda r, c: np.ones((r, c)))
    assert np.allclose(Z, layout.affine(W, A, b))   # NumPy broadcasting b gives the same
    assert Z.shape == layout.batch_shape(n_out, m)
    assert np.allclose(Z, WRITTEN[name](W, A, b))
    assert Z.shape[layout.example_axis] == m and Z.shape[layout.unit_axis] == n_out


@pytest.mark.parametrize("name", sorted(CONVENTIONS))
def test_sympy_and_numpy_agree(name):
    layout, rng = CONVENTIONS[name], np.random.default_rng(1)
    W = rng.integers(-3, 4, size=layout.weight_shape(2, 3))
    A = rng.integers(-3, 4, size=layout.batch_shape(3, 4))
    b = rng.integers(-3, 4, size=layout.bias_shape(2))
    symbolic = layout.affine(sp.Matrix(W), sp.Matrix(A), sp.Matrix(b), sp.ones)
    numeric = layout.affine(W, A, b, lambda r, c: np.ones((r, c), dtype=int))
    assert np.array_equal(np.array(symbolic, dtype=int), numeric)


def test_vector_and_batched():
    v = np.arange(3)
    assert CONVENTIONS["column"].vector(v).shape == (3, 1)
    assert CONVENTIONS["row"].vector(v).shape == (1, 3)
    assert {n for n, c in CONVENTIONS.items() if c.batched} == {"column", "column-wT", "row"}
