"""Closed forms == central finite differences of an independent plain-NumPy forward pass.

The forward pass below is written from the architecture data alone (nothing from the symbolic
core). Every gradient is checked: parameters, X, and every intermediate (by perturbing the
intermediate and running the rest of the network). General-depth architectures at L = 2..6,
evaluated from the derivation with *symbolic* sizes, so the formulas hold for any n_l and m.
"""
from __future__ import annotations

import numpy as np
import pytest

from gradaudit.architectures import get, registry
from gradaudit.symbolic import derive
from gradaudit.symbolic.evaluate import evaluate_all

from symbolic_helpers import CONCRETE_G, concrete_shapes, random_point

NP_G = {"tanh": np.tanh, "softplus": lambda z: np.logaddexp(0, z)}


def _act(name, Z, axis, g):
    if name == "softmax":
        e = np.exp(Z - Z.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)
    return {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh, "relu": lambda z: np.maximum(z, 0),
            "identity": lambda z: z, "g": g}[name](Z)


def _conv(X, K):
    k = K.shape[0]
    out = np.zeros((X.shape[0] - k + 1, X.shape[1] - k + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(X[i:i + k, j:j + k] * K)
    return out


def _pool(A, p, s):
    out = np.zeros(((A.shape[0] - p) // s + 1, (A.shape[1] - p) // s + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = A[i * s:i * s + p, j * s:j * s + p].max()
    return out


def forward(arch, depth, v, override=None, g=None):
    """The loss; `override` replaces named intermediates (Z2, A1, P1, ...) by given arrays."""
    override = override or {}
    conv = arch.convention
    column = conv in ("column", "column-wT")
    axis = 0 if column else 1
    put = lambda name, value: override.get(name, value)  # noqa: E731
    A, l, flat = v["X"], 0, False
    layers = arch.layers if arch.is_cnn else arch.layers_at(depth)
    for layer in layers:
        if layer.kind == "conv":
            l += 1
            Z = put(f"Z{l}", _conv(A, v[f"K{l}"]) + v[f"b{l}"][0, 0])
            A = put(f"A{l}", _act(layer.activation, Z, 1, g))
        elif layer.kind == "maxpool":
            A = put(f"P{l}", _pool(A, layer.size, layer.stride or layer.size))
        elif layer.kind == "flatten":
            flat = True
        else:
            l += 1
            W, b = v[f"W{l}"], v[f"b{l}"]
            A = A.reshape(1, -1) if flat else A
            flat = False
            Z = W @ A + b if conv == "column" else W.T @ A + b if conv == "column-wT" else A @ W + b
            Z = put(f"Z{l}", Z)
            A = put(f"A{l}", _act(layer.activation, Z, axis, g))
    Y = v["Y"]
    n_out = A.shape[0] if column else A.shape[1]
    m = A.shape[1] if column else A.shape[0]
    c = 1 / n_out if arch.loss_scale == "1/N" else float(arch.scale)
    if arch.averaging == "mean":
        c /= m
    if arch.loss == "bce":
        return -c * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    if arch.loss == "cce":
        return -c * np.sum(Y * np.log(A))
    return c * np.sum((A - Y) ** 2)


def central_difference(f, x, eps=1e-6):
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + eps
        up = f()
        x[idx] = old - eps
        down = f()
        x[idx] = old
        grad[idx] = (up - down) / (2 * eps)
    return grad


def check(arch_id, depth, sizes, g_name=None, symbolic=False):
    arch = get(arch_id)
    functions = {"g": CONCRETE_G[g_name]} if g_name else {}
    g = NP_G.get(g_name)
    concrete = derive(arch_id, depth, sizes)
    d = derive(arch_id, depth) if symbolic else concrete
    vals = random_point(concrete, concrete_shapes(concrete), seed=depth or 0)
    env = evaluate_all(d, vals, functions, dims=sizes if symbolic else None)
    checked = 0
    for name, _ in d.backward:
        q = name[1:]
        if q in vals:
            x = vals[q]
            fd = central_difference(lambda: forward(arch, depth, vals, g=g), x)
        else:
            x = env[q].copy()
            fd = central_difference(lambda q=q, x=x: forward(arch, depth, vals, {q: x}, g=g), x)
        np.testing.assert_allclose(env[name], fd, rtol=1e-5, atol=1e-7, err_msg=f"{arch_id} L={depth} {name}")
        checked += 1
    assert checked == len(d.backward) and checked >= 3 * (d.depth)


def _n(ns, m):
    out = {f"n{i}": n for i, n in enumerate(ns)}
    out["m"] = m
    return out


FIXED = [a.id for a in registry().values() if not a.general and a.convention != "scalar" and not a.is_cnn]
GENERAL = [a.id for a in registry().values() if a.general]


@pytest.mark.parametrize("arch_id", FIXED)
@pytest.mark.parametrize("choice", [0, 1, 2])
def test_fixed_depth_networks(arch_id, choice):
    arch = get(arch_id)
    L = arch.parameter_layers
    m = 1 if arch.averaging == "single" else 7
    own = list(arch.sizes[0])
    widths = {0: own, 1: [6, 5, 4, 3, 2][: L + 1], 2: [3, 5, 2, 4, 6][: L + 1][:-1] + [own[-1]]}[choice]
    if choice == 2 and len(set(widths + [m])) < len(widths) + 1:
        widths[-2] = 8
    check(arch_id, None, _n(widths, m), "tanh" if choice != 1 else "softplus")


@pytest.mark.parametrize("arch_id", GENERAL)
@pytest.mark.parametrize("L", [2, 3, 4, 5, 6])
def test_general_depth_networks_at_every_depth(arch_id, L):
    arch = get(arch_id)
    own_out = arch.sizes[0][-1]
    hidden = [w for w in (5, 4, 6, 7, 8, 9, 10) if w != own_out][:L]
    m = 1 if arch.averaging == "single" else 11
    check(arch_id, L, _n(hidden + [own_out], m), "softplus" if L % 2 else "tanh", symbolic=True)


@pytest.mark.parametrize("arch_id,sizes", [
    ("d002-cnn-sigmoid", {}),                        # the document's own 6 x 6 image, one output
    ("d002-cnn-sigmoid", {"H": 7, "W": 9, "n2": 3}),
    ("d002-cnn-multi-softmax", {}),                  # 12 x 12, dense 5 then 3 classes
    ("d002-cnn-multi-softmax", {"H": 11, "W": 13, "n3": 4, "n4": 2}),
])
def test_cnns(arch_id, sizes):
    check(arch_id, None, sizes)
