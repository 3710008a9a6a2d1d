"""Numeric check of every key in keys.yaml, independent of gradaudit (NumPy only, no gradaudit import).

Each note's network is written out as a plain forward pass; every derivative a claim mentions is
taken by central finite differences of that forward pass, never from a closed form. A claim is
turned into NumPy by hand (its `check` below) in the reading the key gives it, and the key must
agree with the numbers: `right` claims hold at random points, `wrong` ones fail.

    python tests/real_notes/verify_keys.py        # exit 1 on any disagreement
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
H = 1e-6


def close(a, b) -> bool:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-5, atol=1e-7)


def fd(f, x):
    """Gradient of the scalar f at the array x by central differences."""
    x = np.array(x, float)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += H
        xm[i] -= H
        g[i] = (f(xp) - f(xm)) / (2 * H)
    return g


def jac(f, x):
    """Jacobian d f(x)_a / d x_b of an array function, shape f.shape + x.shape."""
    x = np.array(x, float)
    out = np.asarray(f(x))
    j = np.zeros(out.shape + x.shape)
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += H
        xm[i] -= H
        j[(...,) + i] = (np.asarray(f(xp)) - np.asarray(f(xm))) / (2 * H)
    return j


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def softmax(z):   # columns are examples
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


ACT = {"sigmoid": sigmoid, "tanh": np.tanh, "relu": lambda z: np.maximum(0, z),
       "identity": lambda z: z, "softmax": softmax}


def dact(name, z):
    """The derivative of an elementwise activation, by finite differences of the function itself."""
    f = ACT[name]
    return (f(z + H) - f(z - H)) / (2 * H)


class Net:
    """A dense network in the column layout: Z = W A + b, examples in columns.

    loss: bce | cce | sse (scale * sum of squares); averaging: mean | sum (over the m columns).
    Row-layout notes use the same network transposed (see `row`)."""

    def __init__(self, sizes, acts, loss, averaging="mean", m=4, scale=1.0, seed=0):
        rng = np.random.default_rng(seed)
        self.L, self.acts, self.loss, self.avg, self.m, self.scale = len(sizes) - 1, acts, loss, averaging, m, scale
        self.W = {l: rng.normal(0, 0.8, (sizes[l], sizes[l - 1])) for l in range(1, self.L + 1)}
        self.b = {l: rng.normal(0, 0.5, (sizes[l], 1)) for l in range(1, self.L + 1)}
        self.X = rng.normal(0, 1, (sizes[0], m))
        if loss == "bce":
            self.Y = rng.integers(0, 2, (sizes[-1], m)).astype(float)
        elif loss == "cce":
            self.Y = np.eye(sizes[-1])[:, rng.integers(0, sizes[-1], m)]
        else:
            self.Y = rng.normal(0, 1, (sizes[-1], m))
        self.Z, self.A = self.forward()

    def forward(self, W=None, b=None, at=None):
        """Z and A of every layer; `at=(kind, l, value)` replaces Z^{[l]} or A^{[l]} and runs on from it."""
        W, b = W or self.W, b or self.b
        A, Z = {0: self.X}, {}
        start = 1
        if at and at[0] == "A":
            A[at[1]] = at[2]
            start = at[1] + 1
        for l in range(start, self.L + 1):
            if at and at[0] == "Z" and at[1] == l:
                Z[l] = at[2]
            else:
                Z[l] = W[l] @ A[l - 1] + b[l]
            A[l] = ACT[self.acts[l - 1]](Z[l])
        return Z, A

    def losses(self, A_L):
        """Per-example losses, one per column."""
        Y = self.Y
        if self.loss == "bce":
            return -(Y * np.log(A_L) + (1 - Y) * np.log(1 - A_L)).sum(axis=0)
        if self.loss == "cce":
            return -(Y * np.log(A_L)).sum(axis=0)
        return self.scale * ((A_L - Y) ** 2).sum(axis=0)

    def cost(self, A_L):
        per = self.losses(A_L)
        return per.mean() if self.avg == "mean" else per.sum()

    def J(self, **kw):
        return self.cost(self.forward(**kw)[1][self.L])

    # gradients of the cost, all by finite differences
    def dW(self, l):
        return fd(lambda w: self.J(W={**self.W, l: w}), self.W[l])

    def db(self, l):
        return fd(lambda v: self.J(b={**self.b, l: v}), self.b[l])

    def dZ(self, l):
        return fd(lambda z: self.J(at=("Z", l, z)), self.Z[l])

    def dA(self, l):
        return fd(lambda a: self.J(at=("A", l, a)), self.A[l])

    def per(self):
        """The factor from the cost's gradient to the per-example gradient (dZ = m dJ/dZ for a mean)."""
        return self.m if self.avg == "mean" else 1

    def g1(self, l):
        """g'(Z^{[l]}) of an elementwise layer."""
        return dact(self.acts[l - 1], self.Z[l])


CHECKS = {}


def note(slug):
    def register(fn):
        CHECKS[slug] = fn
        return fn
    return register


# ---- deeplearning.ai notation -------------------------------------------------------------------------------

@note("chrisxue815-neural-network")
def _chrisxue():
    n = Net([3, 4, 5, 1], ["tanh", "tanh", "sigmoid"], "bce", "mean", m=4)
    L, m, c = n.L, n.m, {}
    y, aL = n.Y, n.A[L]
    dZ = {l: m * n.dZ(l) for l in (1, 2, 3)}          # per-example shorthand
    dA = {l: m * n.dA(l) for l in (1, 2, 3)}
    l = 2
    c["f1.1"] = close(n.Z[l], n.W[l] @ n.A[l - 1] + n.b[l])
    c["f1.3"] = close(n.A[l], np.tanh(n.Z[l]))
    # the loss of the note's formula at a general layer l (l < L) against the real loss of a^{[L]}
    loss_l = -(y * np.log(sigmoid(n.Z[l][:1])) + (1 - y) * np.log(1 - sigmoid(n.Z[l][:1])))
    c["f1.4"] = close(loss_l.ravel(), n.losses(aL))
    c["f1.5"] = close(n.cost(aL), n.losses(aL).sum() / m)
    c["f2.1"] = close(dA[L], -y / aL + (1 - y) / (1 - aL))
    c["f2.2"] = all(close(dZ[k], dA[k] * n.g1(k)) for k in (1, 2, 3))
    c["f2.3"] = all(close(n.dW(k), dZ[k] @ n.A[k - 1].T / m) for k in (1, 2, 3))
    c["f2.5"] = all(close(n.db(k), dZ[k].sum(axis=1, keepdims=True) / m) for k in (1, 2, 3))
    c["f2.6"] = all(close(dA[k - 1], n.W[k].T @ dZ[k]) for k in (2, 3))
    c["f3.1"] = c["f2.1"]
    # per-example Leibniz forms: one example (column 0); the Jacobians by finite differences
    ex = single_example(n, 0)
    dLdz = {k: ex.dZ(k) for k in (1, 2, 3)}
    dLda = {k: ex.dA(k) for k in (1, 2, 3)}
    c["f3.2"] = all(close(dLdz[k], dLda[k] * ex.g1(k)) for k in (1, 2, 3))
    dz_dw = {k: jac(lambda w, k=k: w @ ex.A[k - 1] + ex.b[k], ex.W[k]) for k in (1, 2, 3)}
    c["f3.3"] = all(close(ex.dW(k), np.einsum("ja,jakb->kb", dLdz[k], dz_dw[k])) for k in (1, 2, 3))
    c["f3.4"] = all(close(ex.dW(k), np.outer(dLdz[k], ex.A[k - 1])) for k in (1, 2, 3))
    c["f3.5"] = all(close(ex.db(k), dLdz[k]) for k in (1, 2, 3))
    c["f3.6"] = c["f3.5"]
    dz_da = {k: jac(lambda a, k=k: ex.W[k] @ a + ex.b[k], ex.A[k - 1]) for k in (2, 3)}
    c["f3.7"] = all(close(ex.dA(k - 1), np.einsum("ja,jakb->kb", dLdz[k], dz_da[k])) for k in (2, 3))
    c["f3.8"] = all(close(ex.dA(k - 1).T, dLdz[k].T @ ex.W[k]) for k in (2, 3))
    return c


def single_example(n: Net, i: int) -> Net:
    """The same network on example i alone, the cost being that example's loss."""
    ex = Net.__new__(Net)
    ex.__dict__.update(n.__dict__)
    ex.X, ex.Y, ex.m, ex.avg = n.X[:, i:i + 1], n.Y[:, i:i + 1], 1, "sum"
    ex.Z, ex.A = ex.forward()
    return ex


@note("tylermorganme-week3")
def _tyler():
    n = Net([3, 4, 1], ["tanh", "sigmoid"], "bce", "mean", m=5)
    m, c = n.m, {}
    # layer 2 of example 0 written with x^{(i)}: the shapes only agree for a square W^{[2]}; use a 4-4-4 net
    sq = Net([4, 4, 4, 1], ["tanh", "tanh", "sigmoid"], "bce", "mean", m=4)
    c["f1.1"] = close(sq.Z[2], sq.W[2] @ sq.X + sq.b[2])
    c["f2.1"] = close(n.Z[1], n.W[1] @ n.X + n.b[1])
    c["f3.1"] = close(n.A[2], sigmoid(n.Z[2]))
    c["f4.1"] = close(sq.Z[2], sq.W[2] + sq.A[1] + sq.b[2])
    c["f5.1"] = close(n.A[2], sigmoid(n.Z[2]))
    z = np.linspace(-2, 2, 7)
    c["f6.1"] = close(np.tanh(z), (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z)))
    c["f7.1"] = close(ACT["relu"](z), np.maximum(0, z))
    c["f8.1"] = close(np.where(z > 0, z, 0.01 * z), np.maximum(0.01 * z, z))
    ex = single_example(n, 0)
    dz2, dz1 = ex.dZ(2), ex.dZ(1)
    c["f9.1"] = close(dz2, ex.A[2] - ex.Y)
    c["f10.1"] = close(ex.dW(2), dz2 * ex.A[1])          # dz^{[2]} a^{[1]}: an (n1 x 1) column, dW is 1 x n1
    c["f11.1"] = close(ex.db(2), dz2)
    c["f12.1"] = close(dz1, (ex.W[2].T @ dz2) * ex.g1(1))
    c["f13.1"] = close(ex.dW(1), dz1 @ ex.X.T)
    c["f14.1"] = close(ex.db(1), dz1)
    dZ2, dZ1 = m * n.dZ(2), m * n.dZ(1)
    c["f15.1"] = close(dZ2, n.A[2] - n.Y)
    c["f16.1"] = close(n.dW(2), dZ2 @ n.A[1].T / m)
    c["f17.1"] = close(n.db(2), dZ2.sum(axis=1, keepdims=True) / m)
    c["f18.1"] = close(dZ1, (n.W[2].T @ dZ2) * n.g1(1))
    c["f19.1"] = close(n.dW(1), dZ1 @ n.X.T / m)
    c["f20.1"] = close(n.db(1), dZ1.sum(axis=1, keepdims=True) / m)
    return c


@note("ahammadnafiz-backprop-by-hand")
def _ahammadnafiz():
    n = Net([3, 5, 4, 3], ["relu", "relu", "softmax"], "cce", "mean", m=6, seed=3)
    m, c = n.m, {}
    relu, drelu = ACT["relu"], (lambda z: (z > 0).astype(float))
    dZ = {l: m * n.dZ(l) for l in (1, 2, 3)}
    c["f1.1"] = all(close(n.Z[l], n.W[l] @ n.A[l - 1] + n.b[l]) for l in (1, 2, 3))
    c["f2.1"] = all(close(n.A[l], relu(n.Z[l])) for l in (1, 2))
    c["f3.1"] = close(relu(n.Z[1]), np.maximum(0, n.Z[1]))
    c["f4.1"] = close(n.A[3], softmax(n.Z[3]))
    c["f5.1"] = close(n.Z[1], n.W[1] @ n.X + n.b[1])
    c["f5.2"] = close(n.A[1], relu(n.Z[1]))
    c["f6.1"] = close(n.Z[2], n.W[2] @ n.A[1] + n.b[2])
    c["f6.2"] = close(n.A[2], relu(n.Z[2]))
    c["f7.1"] = close(n.Z[3], n.W[3] @ n.A[2] + n.b[3])
    c["f7.2"] = c["f4.1"]
    c["f8.1"] = close(dZ[3], n.A[3] - n.Y)
    c["f9.1"] = close(n.dW(3), dZ[3] @ n.A[2].T / m)
    c["f10.1"] = close(n.db(3), dZ[3].sum(axis=1, keepdims=True) / m)
    # as written, g_ReLU is the activation of f3 (max(0, Z)); the derivative is what backpropagation needs
    c["f11.1"] = all(close(dZ[l], (n.W[l + 1].T @ dZ[l + 1]) * relu(n.Z[l])) for l in (1, 2))
    c["f12.1"] = close(relu(n.Z[1]), drelu(n.Z[1]))
    c["f13.1"] = all(close(n.dW(l), dZ[l] @ n.A[l - 1].T / m) for l in (1, 2, 3))
    c["f14.1"] = all(close(n.db(l), dZ[l].sum(axis=1, keepdims=True) / m) for l in (1, 2, 3))
    c["f15.1"], c["f15.2"], c["f15.3"] = c["f8.1"], c["f9.1"], c["f10.1"]
    c["f16.1"] = close(dZ[2], (n.W[3].T @ dZ[3]) * relu(n.Z[2]))
    c["f16.2"] = close(n.dW(2), dZ[2] @ n.A[1].T / m)
    c["f16.3"] = close(n.db(2), dZ[2].sum(axis=1, keepdims=True) / m)
    c["f17.1"] = close(dZ[1], (n.W[2].T @ dZ[2]) * relu(n.Z[1]))
    c["f17.2"] = close(n.dW(1), dZ[1] @ n.X.T / m)
    c["f17.3"] = close(n.db(1), dZ[1].sum(axis=1, keepdims=True) / m)
    # the keyed corrections hold: the derivative in place of the activation
    assert all(close(dZ[l], (n.W[l + 1].T @ dZ[l + 1]) * drelu(n.Z[l])) for l in (1, 2))
    return c


@note("jmcheon-multilayer-perceptron-notation")
def _jmcheon():
    n = Net([3, 4, 3], ["tanh", "softmax"], "cce", "mean", m=5, seed=4)
    one = Net([3, 3], ["softmax"], "cce", "mean", m=5, seed=5)     # the unindexed one-layer formulas
    m, c = n.m, {}
    dZ = {l: m * n.dZ(l) for l in (1, 2)}
    c["f1.1"] = close(n.Z[2], n.W[2] @ n.A[1] + n.b[2])
    c["f2.1"] = close(n.A[1], np.tanh(n.Z[1]))
    c["f3.1"] = close(dZ[2], n.A[2] - n.Y)
    c["f4.1"] = close(dZ[1], (n.W[2].T @ dZ[2]) * n.g1(1))
    c["f5.1"] = close(one.dW(1), (one.A[1] - one.Y) @ one.X.T / m)
    c["f5.2"] = all(close(n.dW(l), dZ[l] @ n.A[l - 1].T / m) for l in (1, 2))
    c["f6.1"] = close(one.db(1), (one.A[1] - one.Y).sum(axis=1, keepdims=True) / m)
    c["f6.2"] = all(close(n.db(l), dZ[l].sum(axis=1, keepdims=True) / m) for l in (1, 2))
    # row layout: every array transposed (X_row = X^T, W_row = W^T, Z_row = Z^T, b_row = b^T)
    T = {l: n.W[l].T for l in (1, 2)}
    c["f7.1"] = close(n.Z[2].T, n.A[1].T @ T[2] + n.b[2].T)
    c["f8.1"] = c["f2.1"]
    c["f9.1"] = close(dZ[2].T, (n.A[2] - n.Y).T)
    c["f10.1"] = close(dZ[1].T, (dZ[2].T @ T[2].T) * n.g1(1).T)
    c["f11.1"] = close(one.dW(1).T, one.X @ (one.A[1] - one.Y).T / m)
    c["f11.2"] = all(close(n.dW(l).T, n.A[l - 1] @ dZ[l].T / m) for l in (1, 2))
    c["f12.1"] = close(one.db(1).T, (one.A[1] - one.Y).T.sum(axis=0, keepdims=True) / m)
    c["f12.2"] = all(close(n.db(l).T, dZ[l].T.sum(axis=0, keepdims=True) / m) for l in (1, 2))
    return c


# ---- Nielsen's index notation (one example, column vectors, w^l_{jk}: j the output unit) ----------------------

def nielsen(scale=0.5, seed=1):
    n = Net([3, 4, 5, 3], ["sigmoid"] * 3, "sse", "sum", m=1, scale=scale, seed=seed)
    n.delta = {l: n.dZ(l) for l in (1, 2, 3)}
    n.dC_da = n.dA(n.L)
    return n


@note("ezalos-notyetselfaware-maths")
def _ezalos():
    n, c = nielsen(0.5), {}
    L, sp = n.L, {l: n.g1(l) for l in (1, 2, 3)}
    c["f1.1"] = close(n.Z[2], n.W[2] @ n.A[1] + n.b[2])
    c["f2.1"] = close(n.A[2], sigmoid(n.Z[2]))
    c["f3.1"] = close(n.delta[L], n.dC_da * sp[L])
    c["f4.1"] = c["f3.1"]
    c.update(softmax_chain())
    c["f6.1"] = close(n.cost(n.A[L]), 0.5 * ((n.Y - n.A[L]) ** 2).sum())
    c["f7.1"] = close(n.dC_da, n.A[L] - n.Y)
    c["f8.1"] = c["f7.1"]
    c["f9.1"] = all(close(n.delta[l], (n.W[l + 1].T @ n.delta[l + 1]) * sp[l]) for l in (1, 2))
    c["f10.1"] = all(close(n.db(l), n.delta[l]) for l in (1, 2, 3))
    c["f11.1"] = all(close(n.dW(l), n.delta[l] @ n.A[l - 1].T) for l in (1, 2, 3))
    c["f12.1"] = c["f11.1"]
    return c


def softmax_chain():
    """ezalos f5: dL/do_i of L = -sum_k y_k log p_k, p = softmax(o), one-hot y; every side, for every i."""
    rng = np.random.default_rng(7)
    o, y = rng.normal(size=4), np.eye(4)[2]
    p = softmax(o[:, None])[:, 0]
    loss = lambda v: -(y * np.log(softmax(v[:, None])[:, 0])).sum()
    lhs = fd(loss, o)
    dlogp = jac(lambda v: np.log(softmax(v[:, None])[:, 0]), o)       # [k, i]
    dp = jac(lambda v: softmax(v[:, None])[:, 0], o)
    K = range(4)
    sides = [
        -np.einsum("k,ki->i", y, dlogp),
        -np.einsum("k,k,ki->i", y, 1 / p, dp),
        np.array([-y[i] * (1 - p[i]) - sum(y[k] / p[k] * (-p[k] * p[i]) for k in K if k != i) for i in K]),
        np.array([-y[i] * (1 - p[i]) + sum(y[k] * p[i] for k in K if k != i) for i in K]),
        np.array([-y[i] + y[i] * p[i] + sum(y[k] * p[i] for k in K if k != i) for i in K]),
        p * y.sum() - y,
        p - y,
    ]
    return {f"f5.{k + 1}": close(lhs, s) for k, s in enumerate(sides)}


@note("dudung-error-propagation")
def _dudung():
    n, c = nielsen(0.5), {}
    L = n.L
    c["f1.1"] = close(n.cost(n.A[L]), 0.5 * ((n.Y - n.A[L]) ** 2).sum())
    c["f2.1"] = close(n.Z[2][:, 0], n.b[2][:, 0] + np.einsum("jk,k->j", n.W[2], n.A[1][:, 0]))
    c["f3.1"] = close(n.A[2], sigmoid(n.Z[2]))
    c["f4.1"] = close(n.delta[2], n.dZ(2))
    c["f6.1"] = close(n.delta[L], n.dC_da * n.g1(L))
    return c


@note("blackkeys17-neural-net-maths")
def _blackkeys():
    n, c = nielsen(1.0, seed=2), {}
    L, d, sp = n.L, n.delta, {l: n.g1(l) for l in (1, 2, 3)}
    a, W, z = n.A, n.W, n.Z
    c["f1.1"] = close(a[2], sigmoid(z[2]))
    c["f2.1"] = close(z[2], sum(W[2][:, [k]] * a[1][k] for k in range(a[1].shape[0])) + n.b[2])
    c["f3.1"] = close(z[2], W[2] @ a[1] + n.b[2])
    c["f4.1"] = c["f1.1"]
    c["f4.2"] = close(a[2], sigmoid(W[2] @ a[1] + n.b[2]))
    c["f5.1"] = close(n.cost(a[L]), ((n.Y - a[L]) ** 2).sum())
    # the cost over n examples and its derivative: a batch network with the mean
    batch = Net([3, 4, 2], ["sigmoid"] * 2, "sse", "mean", m=5, scale=1.0, seed=9)
    per_x = [single_example(batch, i) for i in range(batch.m)]
    Cx = [e.cost(e.A[e.L]) for e in per_x]
    c["f6.1"] = close(batch.cost(batch.A[2]), sum(Cx) / batch.m)
    c["f7.1"] = close(batch.cost(batch.A[2]), sum(Cx))
    c["f8.1"] = close(batch.dW(1), sum(e.dW(1) for e in per_x) / batch.m)
    c["f9.1"] = close(batch.db(1), sum(e.db(1) for e in per_x) / batch.m)
    c["f10.1"] = close(d[2], n.dZ(2))
    c["f11.1"] = close(d[L], n.dC_da * sp[L])
    da_dz = np.diag(sp[L][:, 0])
    c["f12.1"] = close(d[L][:, 0], da_dz.T @ n.dC_da[:, 0])
    c["f13.1"] = close(d[L], n.dC_da * sp[L])
    c["f14.1"] = c["f13.1"]
    k_vs_i = 2 * (a[L] - n.Y)[::-1]          # the right side indexed by another unit than the left side
    c["f15.1"] = close(n.dC_da, k_vs_i) and close(n.dC_da, 2 * (a[L] - n.Y))
    c["f16.1"] = close(n.dC_da, 2 * (a[L] - n.Y))
    c["f17.1"] = close(d[L], 2 * (a[L] - n.Y) * sp[L])
    c["f18.1"] = all(close(d[l], (W[l + 1].T @ d[l + 1]) * sp[l]) for l in (1, 2))
    l = 2
    dz_next_dz = jac(lambda v: W[l + 1] @ sigmoid(v) + n.b[l + 1], z[l])[:, 0, :, 0]      # [i, k]
    dz_next_da = jac(lambda v: W[l + 1] @ v + n.b[l + 1], a[l])[:, 0, :, 0]
    c["f19.1"] = close(d[l][:, 0], d[l + 1][:, 0] @ dz_next_dz)
    c["f20.1"] = close(d[l][:, 0], (d[l + 1][:, 0] @ dz_next_da) * sp[l][:, 0])
    c["f21.1"] = close(z[l + 1][:, 0], np.einsum("ij,j->i", W[l + 1], a[l][:, 0]) + n.b[l + 1][:, 0])
    c["f22.1"] = close(dz_next_da, W[l + 1])
    c["f23.1"] = close(d[l][:, 0], np.einsum("i,ik->k", d[l + 1][:, 0], W[l + 1]) * sp[l][:, 0])
    c["f24.1"] = c["f23.1"]
    c["f25.1"] = all(close(n.db(k), d[k]) for k in (1, 2, 3))
    c["f26.1"] = close(z[l][:, 0], np.einsum("ji,i->j", W[l], a[l - 1][:, 0]) + n.b[l][:, 0])
    c["f27.1"] = close(n.db(l), 1 * n.dZ(l))
    c["f27.2"] = c["f25.1"]
    c["f28.1"] = all(close(n.dW(k), d[k] @ a[k - 1].T) for k in (1, 2, 3))
    c["f29.1"] = c["f26.1"]
    dz_dw = jac(lambda w: w @ a[l - 1] + n.b[l], W[l])[:, 0]           # [j, j', k]
    c["f30.1"] = close(np.einsum("jjk->jk", dz_dw), np.repeat(a[l - 1].T, W[l].shape[0], axis=0))
    c["f31.1"] = close(n.dW(l), np.einsum("j,jk->jk", n.dZ(l)[:, 0], np.einsum("jjk->jk", dz_dw)))
    c["f31.2"] = c["f28.1"]
    c["f32.1"], c["f32.2"], c["f32.3"], c["f32.4"] = c["f11.1"], c["f18.1"], c["f25.1"], c["f28.1"]
    return c


# ---- row layout (u = h W + b, W_{ij}: i the input unit) ------------------------------------------------------

@note("jihwan-jeong-backpropagation")
def _jihwan():
    """The column network transposed: h_row = A^T, W_row = W^T, u_row = Z^T. phi = tanh, E = 1/2 squared error."""
    n = Net([3, 4, 5, 2], ["tanh"] * 3, "sse", "sum", m=1, scale=0.5, seed=6)
    c, L = {}, n.L
    h = {l: n.A[l].T for l in range(L + 1)}
    u = {l: n.Z[l].T for l in range(1, L + 1)}
    Wr = {l: n.W[l].T for l in range(1, L + 1)}
    delta = {l: n.dZ(l).T for l in range(1, L + 1)}
    dE_dW = {l: n.dW(l).T for l in range(1, L + 1)}
    dE_db = {l: n.db(l).T for l in range(1, L + 1)}
    dE_dh = n.dA(L).T
    phi1 = {l: n.g1(l).T for l in range(1, L + 1)}
    # W <- W + eta dE/dW: one small step raises E (kept for the report; an assignment, not keyed as an equation)
    step = {**n.W, L: n.W[L] + 1e-3 * n.dW(L)}
    assert n.J(W=step) > n.J()
    # du_j/dW_ij and du_j/db_j by finite differences of u = h W + b
    du_dW = jac(lambda w: h[L - 1] @ w + n.b[L].T, Wr[L])[0]          # [j, i, j']
    du_dW_diag = np.einsum("jij->ij", du_dW)                           # du_j / dW_ij
    du_db = np.einsum("jj->j", jac(lambda v: h[L - 1] @ Wr[L] + v, n.b[L].T)[0, :, 0, :])
    dh_du = phi1[L][0]
    c["f2.1"] = close(dE_dW[L], delta[L][0][None, :] * du_dW_diag)
    c["f2.2"] = close(delta[L][0], dE_dh[0] * dh_du)
    c["f2.3"] = close(dE_dW[L], (dE_dh[0] * dh_du)[None, :] * du_dW_diag)
    c["f2.4"] = close(dE_db[L][0], dE_dh[0] * dh_du * du_db)
    c["f3.1"] = close(du_dW_diag, np.repeat(h[L - 1].T, Wr[L].shape[1], axis=1))
    c["f3.2"] = c["f3.1"]
    c["f3.3"] = close(du_db, np.ones_like(du_db))
    c["f3.4"] = c["f3.3"]
    c["f4.1"] = close(delta[2], fd(lambda v: n.J(at=("Z", 2, v.T)), u[2]))
    l = 2
    du_next_du = jac(lambda v: np.tanh(v) @ Wr[l + 1] + n.b[l + 1].T, u[l])[0, :, 0, :]   # [d, j]
    du_next_dh = jac(lambda v: v @ Wr[l + 1] + n.b[l + 1].T, h[l])[0, :, 0, :]
    dh = phi1[l][0]
    c["f5.1"] = c["f4.1"]
    c["f5.2"] = close(delta[l][0], delta[l + 1][0] @ du_next_du)
    c["f5.3"] = c["f5.2"]
    c["f5.4"] = close(delta[l][0], (delta[l + 1][0] @ du_next_dh) * dh)
    c["f5.5"] = close(delta[l][0], (Wr[l + 1] @ delta[l + 1][0]) * dh)
    back = Wr[l + 1] @ delta[l + 1][0]                                    # sum_d delta_d W_jd
    c["f6.1"] = close(dE_dW[l], delta[l][0][None, :] * h[l - 1][0][:, None])
    c["f6.2"] = close(dE_dW[l], (back * dh)[None, :] * h[l - 1][0][:, None])
    c["f6.3"] = c["f6.2"]
    c["f6.4"] = close(dE_db[l][0], delta[l][0] * 1)
    c["f6.5"] = close(dE_db[l][0], back * dh * 1)
    c["f6.6"] = close(dE_db[l][0], back * dh)
    c["f7.1"] = close(h[L - 1].T @ (dE_dh * phi1[L]), h[L - 1].T @ delta[L]) and close(dE_dW[L], h[L - 1].T @ delta[L])
    c["f7.2"] = close(dE_db[L], dE_dh * phi1[L])
    c["f7.3"] = close(dE_db[L], delta[L])
    c["f8.1"] = all(close(dE_dW[k], h[k - 1].T @ ((delta[k + 1] @ Wr[k + 1].T) * phi1[k])) for k in (1, 2))
    c["f8.2"] = all(close(dE_db[k], (delta[k + 1] @ Wr[k + 1].T) * phi1[k]) for k in (1, 2))
    # delta^{l+1} W^{l+1} only conforms when layers l and l+1 have one width: check it there
    sq = Net([3, 4, 4, 4, 2], ["tanh"] * 4, "sse", "sum", m=1, scale=0.5, seed=6)
    c["f9.1"] = close(sq.dZ(2).T, (sq.dZ(3).T @ sq.W[3].T) * sq.g1(2).T)
    assert close(sq.dZ(2).T, (sq.dZ(3).T @ sq.W[3]) * sq.g1(2).T)      # the keyed correction, (W_row)^T
    # multiple inputs: E = sum_q E^q, rows are samples
    b = Net([3, 4, 5, 2], ["tanh"] * 3, "sse", "sum", m=4, scale=0.5, seed=8)
    H_ = {k: b.A[k].T for k in range(b.L + 1)}
    D = {k: b.dZ(k).T for k in range(1, b.L + 1)}
    Wb = {k: b.W[k].T for k in range(1, b.L + 1)}
    P = {k: b.g1(k).T for k in range(1, b.L + 1)}
    c["f10.1"] = close(b.dW(b.L).T, H_[b.L - 1].T @ D[b.L])
    q = 1
    Eq = single_example(b, q)
    c["f11.1"] = close(D[b.L][q], Eq.dA(b.L)[:, 0] * P[b.L][q])
    c["f11.2"] = close(D[2][q], Eq.dZ(2)[:, 0])
    dUq = jac(lambda v: np.tanh(v) @ Wb[3] + b.b[3].T, H_[2][q:q + 1] * 0 + b.Z[2].T[q:q + 1])[0, :, 0, :]
    c["f11.3"] = close(D[2][q], Eq.dZ(3)[:, 0] @ dUq)
    c["f11.4"] = close(D[2][q], (Wb[3] @ Eq.dZ(3)[:, 0]) * P[2][q])
    c["f11.5"] = close(D[2], (D[3] @ Wb[3].T) * P[2])
    c["f11.6"] = c["f11.5"]
    # MSE with 1/(2n), mean over the n samples
    mse = Net([3, 4, 2], ["tanh"] * 2, "sse", "mean", m=4, scale=0.5, seed=10)
    nq, y, t = mse.m, mse.A[2].T, mse.Y.T
    c["f12.1"] = close(mse.cost(mse.A[2]), ((t - y) ** 2).sum() / (2 * nq))
    c["f12.2"] = c["f12.1"]
    Eq_grad = np.stack([fd(lambda v, i=i: 0.5 / nq * ((mse.Y[:, i] - v) ** 2).sum(), mse.A[2][:, i]) for i in range(nq)])
    c["f13.1"] = close(Eq_grad, (y - t) / nq)
    dmse = mse.dZ(2).T
    c["f13.2"] = close(dmse, mse.dA(2).T * mse.g1(2).T)
    c["f13.3"] = close(dmse, (y - t) / nq * mse.g1(2).T)
    c["f13.4"] = c["f13.3"]
    return c


@note("g-eoj-cs231n-two-layer-backprop")
def _cs231n():
    """CS231n's two-layer net in its row layout: M = x W1 + b1, h1 = max(0, M), scores = h1 W2 + b2, true class 2."""
    n = Net([2, 2, 3], ["relu", "softmax"], "cce", "sum", m=1, seed=15)
    n.Y = np.array([[0.0], [0.0], [1.0]])
    n.b[1] = np.array([[0.9], [-0.9]]) - n.W[1] @ n.X        # one hidden unit on, one off
    n.Z, n.A = n.forward()
    x, M, h1, s = n.X[:, 0], n.Z[1][:, 0], n.A[1][:, 0], n.Z[2][:, 0]
    W1, W2 = n.W[1].T, n.W[2].T                                # row layout: W2[i, j], i the hidden unit
    b2 = n.b[2][:, 0]
    assert M[0] > 0 > M[1]
    ds, dM, dh1 = n.dZ(2)[:, 0], n.dZ(1)[:, 0], n.dA(1)[:, 0]
    dW2, dW1, db2, db1 = n.dW(2).T, n.dW(1).T, n.db(2)[:, 0], n.db(1)[:, 0]
    c, K = {}, range(3)
    ds_dW2 = jac(lambda w: h1 @ w + b2, W2)                    # [k, i, j]
    ds_dh1 = jac(lambda v: v @ W2 + b2, h1)                    # [k, i]
    written = [fd(lambda w, k=k: h1[0] * w[0] + h1[1] * w[1] + b2[k], W2[:, k])[0] if k == 0 else 0.0 for k in K]
    c["f1.1"] = close(dW2[0, 0], sum(ds[k] * ds_dW2[k, 0, 0] for k in K))
    c["f1.2"] = close(dW2[0, 0], sum(ds[k] * written[k] for k in K))
    c["f1.3"] = close(dW2[0, 0], ds[0] * ds_dW2[0, 0, 0] + 0 + 0)
    loss = -np.log(softmax(s[:, None])[2, 0])
    c["f2.1"] = close(n.cost(n.A[2]), loss)
    c["f2.2"] = close(loss, -sum(n.Y[k, 0] * np.log(np.exp(s[k]) / np.exp(s).sum()) for k in K))
    lse = fd(lambda v: -v[2] + np.log(np.exp(v).sum()), s)
    p = softmax(s[:, None])[:, 0]
    for k in K:
        one = 1.0 if k == 2 else 0.0
        c[f"f3.{3 * k + 1}"] = close(ds[k], lse[k])
        c[f"f3.{3 * k + 2}"] = close(ds[k], -one + np.exp(s[k]) / np.exp(s).sum())
        c[f"f3.{3 * k + 3}"] = close(ds[k], -one + p[k])
    c["f4.1"] = c["f1.3"]
    c["f4.2"] = close(dW2[0, 0], ds[0] * written[0])
    c["f4.3"] = close(dW2[0, 0], ds[0] * h1[0])
    c["f5.1"] = close(dW2, np.array([[ds[j] * h1[i] for j in K] for i in range(2)]))
    c["f5.2"] = len(h1) > 2 and close(dW2, np.outer([h1[0], h1[2]], ds))   # h1_2: no such entry
    c["f5.3"] = close(dW2, np.outer(h1, ds))
    c["f6.1"] = close(db2[0], ds[0] * jac(lambda v: h1 @ W2 + v, b2)[0, 0] + 0 + 0)
    c["f6.2"] = close(db2[0], ds[0] * fd(lambda v: h1[0] * W2[0, 0] + h1[1] * W2[1, 0] + v[0], b2[:1])[0])
    c["f6.3"] = close(db2[0], ds[0] * 1)
    c["f7.1"] = close(db2, ds)
    c["f7.2"] = c["f7.1"]
    c["f8.1"] = close(dh1[0], sum(ds[k] * ds_dh1[k, 0] for k in K))
    c["f8.2"] = close(dh1[0], sum(ds[k] * fd(lambda v, k=k: v[0] * W2[0, k] + h1[1] * W2[1, k] + b2[k], h1)[0] for k in K))
    c["f8.3"] = close(dh1[0], sum(ds[k] * W2[0, k] for k in K))
    c["f8.4"] = close(dh1[0], ds @ W2[0])
    c["f9.1"] = close(dh1, np.array([ds @ W2[0], ds @ W2[1]]))
    c["f9.2"] = close(dh1, ds @ W2.T)
    c["f9.3"] = c["f9.2"]
    c["f10.1"] = close(dM, fd(lambda v: n.J(at=("Z", 1, v[:, None])), M))
    relu_d = np.array([fd(lambda v: max(0.0, v[0]), [M[i]])[0] for i in range(2)])
    c["f11.1"] = close(dM, dh1 * jac(lambda v: np.maximum(0, v), M).diagonal() + 0)
    c["f11.2"] = close(dM, dh1 * relu_d)
    c["f11.3"] = close(dM, np.where(M > 0, dh1 * 1, dh1 * 0))
    dM_dW1 = jac(lambda w: x @ w + n.b[1][:, 0], W1)           # [k, i, j]
    c["f12.1"] = close(dW1[0, 0], dM[0] * dM_dW1[0, 0, 0] + 0)
    c["f12.2"] = close(dW1[0, 0], dM[0] * fd(lambda w: x[0] * w[0] + x[1] * W1[1, 0] + n.b[1][0, 0], W1[:1, 0])[0])
    c["f12.3"] = close(dW1[0, 0], dM[0] * x[0])
    c["f13.1"] = close(dW1, np.array([[dM[j] * x[i] for j in range(2)] for i in range(2)]))
    c["f13.2"] = close(dW1, np.outer(x, dM))
    c["f13.3"] = c["f13.2"]
    c["f14.1"] = close(db1[0], dM[0] * 1 + 0)
    c["f14.2"] = close(db1[0], dM[0] * fd(lambda v: x[0] * W1[0, 0] + x[1] * W1[1, 0] + v[0], n.b[1][0])[0])
    c["f14.3"] = c["f14.1"]
    c["f15.1"] = close(db1, dM)
    c["f15.2"] = c["f15.1"]
    return c


@note("jfemiani-prml-error-backpropagation")
def _jfemiani():
    """Bishop's notation: a the weighted input (Z), z = h(a) the activation (A), w_{ji} into unit j; one example."""
    c = {}
    e1 = Net([3, 4, 2], ["tanh", "identity"], "sse", "sum", m=1, scale=0.5, seed=16)
    e2 = Net([3, 1], ["sigmoid"], "bce", "sum", m=1, seed=17)
    e3 = Net([3, 4, 1], ["relu", "sigmoid"], "bce", "sum", m=1, seed=18)
    x1, a1, z1, a2, y1, t1 = e1.X[:, 0], e1.Z[1][:, 0], e1.A[1][:, 0], e1.Z[2][:, 0], e1.A[2][:, 0], e1.Y[:, 0]
    d1, d2 = e1.dZ(1)[:, 0], e1.dZ(2)[:, 0]
    dE_dy = e1.dA(2)[:, 0]
    dy_da = jac(lambda v: ACT["identity"](v), a2).diagonal()
    c["f1.1"] = close(d1, fd(lambda v: e1.J(at=("Z", 1, v[:, None])), a1))
    # the output-unit formulas also at a sigmoid output, where dy/da is not 1
    s_dE_dy, s_a = e2.dA(1)[:, 0], e2.Z[1][:, 0]
    s_dy_da = jac(lambda v: sigmoid(v), s_a).diagonal()
    c["f2.1"] = close(d2, fd(lambda v: e1.J(at=("Z", 2, v[:, None])), a2))
    c["f2.2"] = close(d2, dE_dy * dy_da) and close(e2.dZ(1)[:, 0], s_dE_dy * s_dy_da)
    c["f3.1"] = close(d1, dact("tanh", a1) * np.einsum("kj,k->j", e1.W[2], d2))
    a = np.linspace(-2, 2, 5)
    c["f4.1"] = close(sigmoid(a), 1 / (1 + np.exp(-a)))
    c["f4.2"] = close(dact("sigmoid", a), sigmoid(a) * (1 - sigmoid(a)))
    c["f5.1"] = close(np.tanh(a), (np.exp(a) - np.exp(-a)) / (np.exp(a) + np.exp(-a)))
    c["f5.2"] = close(dact("tanh", a), 1 - np.tanh(a) ** 2)
    c["f6.1"] = close(a1, np.einsum("ji,i->j", e1.W[1], x1) + e1.b[1][:, 0])
    c["f7.1"] = close(z1, np.tanh(a1))
    c["f8.1"] = close(a2, np.einsum("kj,j->k", e1.W[2], z1) + e1.b[2][:, 0])
    c["f9.1"] = close(y1, a2)
    c["f10.1"] = close(e1.cost(e1.A[2]), 0.5 * ((y1 - t1) ** 2).sum())
    c["f11.1"] = close(dE_dy, y1 - t1)
    c["f12.1"] = c["f2.1"]
    c["f12.2"] = close(d2, y1 - t1)
    c["f13.1"] = close(dact("tanh", a1), 1 - np.tanh(a1) ** 2)
    c["f13.2"] = close(dact("tanh", a1), 1 - z1 ** 2)
    c["f14.1"] = close(d1, (1 - z1 ** 2) * np.einsum("kj,k->j", e1.W[2], d2))
    c["f15.1"] = close(e1.dW(1), np.outer(d1, x1))
    c["f16.1"] = close(e1.dW(2), np.outer(d2, z1))
    x2, y2, t2 = e2.X[:, 0], e2.A[1][0, 0], e2.Y[0, 0]
    delta = e2.dZ(1)[0, 0]
    c["f17.1"] = close(s_a[0], e2.W[1][0] @ x2 + e2.b[1][0, 0])
    c["f18.1"] = close(y2, sigmoid(s_a[0]))
    c["f18.2"] = close(y2, 1 / (1 + np.exp(-s_a[0])))
    c["f19.1"] = close(e2.cost(e2.A[1]), -t2 * np.log(y2) - (1 - t2) * np.log(1 - y2))
    c["f20.1"] = close(s_dE_dy[0], -t2 / y2 + (1 - t2) / (1 - y2))
    c["f21.1"] = close(s_dy_da[0], y2 * (1 - y2))
    c["f22.1"] = close(delta, fd(lambda v: e2.J(at=("Z", 1, v[:, None])), s_a)[0])
    c["f22.2"] = close(delta, s_dE_dy[0] * s_dy_da[0])
    c["f23.1"] = close(delta, y2 - t2)
    c["f24.1"] = close(e2.dW(1)[0], delta * x2)
    x3, a31, z31, a32, y3, t3 = e3.X, e3.Z[1], e3.A[1], e3.Z[2], e3.A[2], e3.Y
    d31, d32 = e3.dZ(1), e3.dZ(2)
    c["f25.1"] = close(a31, e3.W[1] @ x3 + e3.b[1])
    c["f26.1"] = close(z31, ACT["relu"](a31))
    c["f26.2"] = close(z31, np.maximum(0, a31))
    c["f27.1"] = close(a32, e3.W[2] @ z31 + e3.b[2])
    c["f28.1"] = close(y3, sigmoid(a32))
    c["f28.2"] = close(y3, 1 / (1 + np.exp(-a32)))
    c["f29.1"] = True                                               # y names the output z^{(2)}: a definition
    c["f30.1"] = close(e3.cost(y3), (-t3 * np.log(y3) - (1 - t3) * np.log(1 - y3)).sum())
    c["f31.1"] = close(d32, y3 - t3)
    c["f32.1"] = close(dact("sigmoid", a32), y3 * (1 - y3))
    c["f33.1"] = c["f31.1"]
    c["f34.1"] = close(dact("relu", a31), np.where(a31 > 0, 1.0, 0.0))
    c["f35.1"] = close(d31, (a31 > 0) * (e3.W[2].T @ d32))
    c["f36.1"] = close(e3.dW(2), d32 @ z31.T)
    c["f37.1"] = close(e3.dW(1), d31 @ x3.T)
    return c


# ---- logistic and linear regression --------------------------------------------------------------------------

@note("wildanjr19-logistic-regression")
def _wildanjr19_logistic():
    n = Net([3, 1], ["sigmoid"], "bce", "mean", m=6, seed=11)
    c, X, w, b = {}, n.X.T, n.W[1].T, n.b[1][0, 0]                  # rows are examples
    yhat, y = n.A[1].T, n.Y.T
    c["f1.1"] = close(yhat, sigmoid(X @ w + b))
    c["f1.2"] = close(yhat, 1 / (1 + np.exp(-(X @ w + b))))
    z = np.linspace(-3, 3, 5)
    c["f2.1"] = close(sigmoid(z), 1 / (1 + np.exp(-z)))
    c["f3.1"] = close(n.dW(1).T, X.T @ (yhat - y) / n.m)
    c["f4.1"] = close(n.db(1)[0, 0], (yhat - y).sum() / n.m)
    c["f5.1"] = close(n.cost(n.A[1]), -(y * np.log(yhat) + (1 - y) * np.log(1 - yhat)).sum() / n.m)
    return c


@note("wildanjr19-linear-regression")
def _wildanjr19_linear():
    n = Net([3, 1], ["identity"], "sse", "mean", m=6, scale=1.0, seed=12)
    c, X, w, b = {}, n.X.T, n.W[1].T, n.b[1][0, 0]
    yhat, y = n.A[1].T, n.Y.T
    c["f1.1"] = close(yhat, X @ w + b)
    c["f2.1"] = close(n.dW(1).T, X.T @ (yhat - y) / n.m)
    c["f3.1"] = close(n.db(1)[0, 0], (yhat - y).sum() / n.m)
    c["f4.1"] = close(n.cost(n.A[1]), ((y - yhat) ** 2).sum() / n.m)
    # the keyed correction holds: the factor 2
    assert close(n.dW(1).T, 2 * X.T @ (yhat - y) / n.m)
    return c


@note("imjaesung-logistic-regression")
def _imjaesung():
    n = Net([3, 1], ["sigmoid"], "bce", "sum", m=1, seed=13)      # one example
    c, x, w, b = {}, n.X[:, 0], n.W[1][0], n.b[1][0, 0]
    y, yhat, zz = n.Y[0, 0], n.A[1][0, 0], n.Z[1][0, 0]
    e = np.exp(-zz)
    batch = Net([3, 1], ["sigmoid"], "bce", "mean", m=5, seed=14)
    Xb, yb = batch.X.T, batch.Y[0]
    per = [-(yi * np.log(sigmoid(xi @ batch.W[1][0] + batch.b[1][0, 0]))
             + (1 - yi) * np.log(1 - sigmoid(xi @ batch.W[1][0] + batch.b[1][0, 0]))) for xi, yi in zip(Xb, yb, strict=False)]
    z = np.linspace(-3, 3, 5)
    c["f1.1"] = close(sigmoid(z), 1 / (1 + np.exp(-z)))
    c["f2.1"] = close(n.cost(n.A[1]), -y * np.log(yhat) - (1 - y) * np.log(1 - yhat))
    c["f3.1"] = close(batch.cost(batch.A[1]), np.mean(per))
    c["f4.1"] = close(yhat, sigmoid(x @ w + b))
    c["f4.2"] = close(yhat, 1 / (1 + np.exp(-(x @ w + b))))
    c["f5.1"] = c["f5.2"] = c["f5.3"] = c["f3.1"]
    dL_dyhat = fd(lambda v: -(y * np.log(v[0]) + (1 - y) * np.log(1 - v[0])), [yhat])[0]
    dyhat_dz = fd(lambda v: sigmoid(v[0]), [zz])[0]
    dz_dw = fd(lambda v: v @ x + b, w)
    dL_dw = n.dW(1)[0]
    dL_db = n.db(1)[0, 0]
    c["f8.1"] = close(dL_dw, dL_dyhat * dyhat_dz * dz_dw)
    c["f9.1"] = close(dL_dyhat, -(y / yhat - (1 - y) / (1 - yhat)))
    c["f10.1"] = close(dyhat_dz, 1 / (1 + e) * e / (1 + e))
    c["f10.2"] = close(dyhat_dz, (1 / (1 + e)) * (1 - 1 / (1 + e)))
    c["f10.3"] = close(dyhat_dz, yhat * (1 - yhat))
    c["f11.1"] = close(dz_dw, x)
    c["f12.1"] = close(dL_dw, -(y / yhat - (1 - y) / (1 - yhat)) * yhat * (1 - yhat) * x)
    c["f12.2"] = close(dL_dw, -(y * (1 - yhat) - (1 - y) * yhat) * x)
    c["f12.3"] = close(dL_dw, -(y - yhat) * x)
    dz_db = fd(lambda v: w @ x + v[0], [b])[0]
    c["f14.1"] = close(dL_db, dL_dyhat * dyhat_dz * dz_db)
    c["f15.1"] = close(dz_db, 1)
    c["f16.1"] = close(dL_db, -(y / yhat - (1 - y) / (1 - yhat)) * yhat * (1 - yhat) * 1)
    c["f16.2"] = close(dL_db, -(yhat - y) * 1)
    assert close(dL_db, (yhat - y))           # the keyed correction
    return c


def verify(keys: dict) -> list[str]:
    """Every disagreement between a key and the numbers, as one line each."""
    problems = []
    for slug, claims in keys.items():
        results = CHECKS[slug]()
        for cid, key in claims.items():
            verdict = key["verdict"]
            if verdict in ("not-a-claim", "out-of-scope"):
                continue
            if cid not in results:
                problems.append(f"{slug} {cid}: keyed {verdict} but has no numeric check")
                continue
            holds = bool(results[cid])
            if holds != (verdict == "right"):
                problems.append(f"{slug} {cid}: keyed {verdict} but the numbers say it {'holds' if holds else 'fails'}")
        for cid in set(results) - set(claims):
            problems.append(f"{slug} {cid}: checked but not keyed")
    return problems


def main() -> int:
    keys = yaml.safe_load((HERE / "keys.yaml").read_text(encoding="utf-8"))
    problems = verify(keys)
    for p in problems:
        print(p)
    checked = sum(1 for claims in keys.values() for k in claims.values() if k["verdict"] in ("right", "wrong"))
    print(f"{checked} keys checked numerically, {len(problems)} disagreements")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
