"""Shared pieces of the symbolic-core tests: random points and concrete stand-ins for g."""
from __future__ import annotations

import numpy as np
import sympy as sp

_x = sp.Symbol("x")
SOFTPLUS = sp.Lambda(_x, sp.log(1 + sp.exp(_x)))
CONCRETE_G = {"tanh": sp.tanh, "softplus": SOFTPLUS}


def random_point(d, shapes: dict, seed: int = 0) -> dict:
    """Random X, parameters and labels; labels in (0, 1), summing to 1 per example for cce."""
    rng = np.random.default_rng(seed)
    vals = {k: rng.normal(scale=0.5, size=s) for k, s in shapes.items()}  # away from saturation
    arch = d.arch
    if arch.is_cnn:   # positive images and kernels: no ReLU zeros, so no ties inside a pooling window
        vals.update({k: rng.uniform(0.1, 1.0, size=s) / (s[0] * s[1] if k[0] == "K" else 1)
                     for k, s in shapes.items() if k[0] in "XKb"})
    if arch.loss in ("bce", "sse"):
        vals["Y"] = rng.uniform(0.1, 0.9, size=shapes["Y"])
    elif arch.loss == "cce":
        Y = rng.uniform(0.1, 1.0, size=shapes["Y"])
        axis = 0 if arch.convention.startswith("column") else 1
        vals["Y"] = Y / Y.sum(axis=axis, keepdims=True)
    return vals


def concrete_shapes(d) -> dict:
    table = {**d.inputs, **d.params}
    return {k: tuple(int(n) for n in v.shape) for k, v in table.items()}
