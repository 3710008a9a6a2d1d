"""A small NumPy evaluator over the node set of the closed forms (microseconds per node).

`evaluate(expr, values, dims=None, functions=None)`: values maps MatrixSymbol names to arrays,
dims maps dimension Symbols to ints (for symbolic derivations), functions maps a generic
activation name ('g') to a concrete SymPy function (e.g. sympy.tanh) whose derivative SymPy takes.
Used by the tests and available to the auditor; codegen compiles the same nodes with lambdify.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp
from sympy import (HadamardPower, HadamardProduct, Identity, MatAdd, MatMul, MatrixSymbol, OneMatrix,
                   Transpose, ZeroMatrix)
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.diagonal import DiagMatrix

from ..errors import GradauditError
from .cnn import (ChannelBias, ChannelSum, Conv2D, ConvGradInput, ConvGradKernel, Crop, Flatten, MaxPool, MaxPoolGrad, Pad,
                  Unflatten)
from .functions import Softmax, head, relu, sigmoid, step


_X = sp.Symbol("x")


def _sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


NUMPY = {sigmoid: _sigmoid, sp.tanh: np.tanh, relu: lambda x: np.maximum(x, 0),
         step: lambda x: (x > 0).astype(float), sp.log: np.log, sp.exp: np.exp}
_MODULES = [{"sigmoid": _sigmoid, "relu": NUMPY[relu], "step": NUMPY[step]}, "numpy"]


@lru_cache(maxsize=256)
def _scalar_fn(lam, concrete):
    """A NumPy function for Lambda(d, body) with undefined functions replaced by concrete ones."""
    body = lam.expr
    for name, f in concrete:
        body = body.replace(sp.Function(name), f)
    return sp.lambdify(lam.variables, body.doit(), modules=_MODULES)


def _softmax(Z, axis):
    e = np.exp(Z - Z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _conv(X, K):
    kh, kw = K.shape
    oh, ow = X.shape[0] - kh + 1, X.shape[1] - kw + 1
    return sum(K[a, b] * X[a:a + oh, b:b + ow] for a in range(kh) for b in range(kw))


def _conv_grad_input(G, K):
    kh, kw = K.shape
    out = np.zeros((G.shape[0] + kh - 1, G.shape[1] + kw - 1))
    for p in range(kh):
        for q in range(kw):
            out[p:p + G.shape[0], q:q + G.shape[1]] += K[p, q] * G
    return out


def _windows(shape, p, s):
    ph, pw = (shape[0] - p) // s + 1, (shape[1] - p) // s + 1
    return [(i, j, slice(i * s, i * s + p), slice(j * s, j * s + p)) for i in range(ph) for j in range(pw)], (ph, pw)


def _maxpool(A, p, s):
    wins, shape = _windows(A.shape, p, s)
    out = np.empty(shape)
    for i, j, r, c in wins:
        out[i, j] = A[r, c].max()
    return out


def _maxpool_grad(A, G, p, s):
    wins, _ = _windows(A.shape, p, s)
    out = np.zeros_like(A, dtype=float)
    for i, j, r, c in wins:
        block = A[r, c]
        a, b = np.unravel_index(np.argmax(block), block.shape)
        out[r.start + a, c.start + b] += G[i, j]
    return out


def _stacked(A, c):
    """(C h) x w -> (C, h, w): the stacked channels as a tensor (a view)."""
    return A.reshape(c, A.shape[0] // c, A.shape[1])


def _conv_channels(e, X, K):
    """Z[o] = sum_c Conv2D(X[c], K[o, c]) on the stacked layout."""
    ci, co = e.c_in, e.c_out
    x, k = _stacked(X, ci), K.reshape(co, ci, *e.kernel)
    z = np.stack([sum(_conv(x[c], k[o, c]) for c in range(ci)) for o in range(co)])
    return z.reshape(-1, z.shape[-1])


def _conv_grad_input_channels(e, G, K):
    ci, co = e.c_in, e.c_out
    g, k = _stacked(G, co), K.reshape(co, ci, *e.kernel)
    dx = np.stack([sum(_conv_grad_input(g[o], k[o, c]) for o in range(co)) for c in range(ci)])
    return dx.reshape(-1, dx.shape[-1])


def _conv_grad_kernel(e, X, G):
    ci, co = e.c_in, e.c_out
    x, g = _stacked(X, ci), _stacked(G, co)
    dk = np.stack([[_conv(x[c], g[o]) for c in range(ci)] for o in range(co)])
    return dk.reshape(-1, dk.shape[-1])


def _per_channel(f, A, c, *rest):
    out = np.stack([f(a, *rest) for a in _stacked(A, c)])
    return out.reshape(-1, out.shape[-1])


def _pad(X, p, c):
    x = _stacked(X, c)
    out = np.pad(x, [(0, 0), (p, p), (p, p)])
    return out.reshape(-1, out.shape[-1])


def _crop(G, p, c):
    g = _stacked(G, c)
    return g[:, p:g.shape[1] - p, p:g.shape[2] - p].reshape(-1, g.shape[2] - 2 * p)


class _Evaluator:
    def __init__(self, values, dims, functions):
        self.values, self.dims = values, {sp.Symbol(str(k), integer=True, positive=True) if isinstance(k, str) else k: v
                                          for k, v in (dims or {}).items()}
        self.concrete = tuple(sorted((functions or {}).items(), key=lambda kv: kv[0]))
        self.memo = {}

    def num(self, x):
        return float(sp.sympify(x).xreplace(self.dims)) if not isinstance(x, (int, float)) else x

    def shape(self, e):
        return tuple(int(self.num(d)) for d in e.shape)

    def __call__(self, e):
        if e in self.memo:
            return self.memo[e]
        for cls in type(e).__mro__:
            if cls in HANDLERS:
                out = HANDLERS[cls](self, e)
                break
        else:
            raise GradauditError(f"cannot evaluate {type(e).__name__}: {e}")
        self.memo[e] = out
        return out

    def elementwise(self, e):
        f = head(e)
        x = self(e.expr)
        if f in NUMPY:
            return NUMPY[f](x)
        if isinstance(f, sp.Lambda):
            return np.asarray(_scalar_fn(f, self.concrete)(x), dtype=float) * np.ones_like(x)
        name = getattr(f, "__name__", str(f))
        conc = dict(self.concrete).get(name)
        if conc is None:
            raise GradauditError(f"no concrete function given for the generic activation {name}")
        return _scalar_fn(sp.Lambda(_X, f(_X)), self.concrete)(x)


def _matmul(ev, e):
    coeff, mats = e.as_coeff_matrices()
    out = ev(mats[0])
    for M in mats[1:]:
        out = out @ ev(M)
    return ev.num(coeff) * out


def _hadamard(ev, e):
    out = ev(e.args[0])
    for a in e.args[1:]:
        out = out * ev(a)
    return out


HANDLERS = {
    MatrixSymbol: lambda ev, e: np.asarray(ev.values[e.name], dtype=float),
    MatMul: _matmul,
    MatAdd: lambda ev, e: sum(ev(a) for a in e.args),
    Transpose: lambda ev, e: ev(e.arg).T,
    HadamardProduct: _hadamard,
    HadamardPower: lambda ev, e: ev(e.args[0]) ** ev.num(e.args[1]),
    OneMatrix: lambda ev, e: np.ones(ev.shape(e)),
    ZeroMatrix: lambda ev, e: np.zeros(ev.shape(e)),
    Identity: lambda ev, e: np.eye(ev.shape(e)[0]),
    DiagMatrix: lambda ev, e: np.diagflat(ev(e.args[0])),
    ElementwiseApplyFunction: lambda ev, e: ev.elementwise(e),
    Softmax: lambda ev, e: _softmax(ev(e.arg), e.axis),
    Conv2D: lambda ev, e: _conv_channels(e, ev(e.args[0]), ev(e.args[1])),
    ConvGradInput: lambda ev, e: _conv_grad_input_channels(e, ev(e.args[0]), ev(e.args[1])),
    ConvGradKernel: lambda ev, e: _conv_grad_kernel(e, ev(e.args[0]), ev(e.args[1])),
    MaxPool: lambda ev, e: _per_channel(_maxpool, ev(e.args[0]), e.channels, e.size, e.stride),
    MaxPoolGrad: lambda ev, e: np.concatenate([_maxpool_grad(a, g, e.size, e.stride) for a, g in zip(
        _stacked(ev(e.args[0]), e.channels), _stacked(ev(e.args[1]), e.channels), strict=False)]),
    Pad: lambda ev, e: _pad(ev(e.args[0]), e.p, e.channels),
    Crop: lambda ev, e: _crop(ev(e.args[0]), e.p, e.channels),
    ChannelBias: lambda ev, e: np.repeat(ev(e.args[0]), int(e.args[1]), axis=0) * np.ones((1, int(e.args[2]))),
    ChannelSum: lambda ev, e: _stacked(ev(e.args[0]), int(e.args[1])).sum(axis=(1, 2)).reshape(-1, 1),
    Flatten: lambda ev, e: ev(e.args[0]).reshape(1, -1),
    Unflatten: lambda ev, e: ev(e.args[0]).reshape(int(e.args[1]), int(e.args[2])),
}


def evaluate(expr, values: dict, dims: dict | None = None, functions: dict | None = None) -> np.ndarray:
    """The value of one closed-form expression at the given arrays."""
    return _Evaluator(values, dims, functions)(expr)


def evaluate_all(derivation, values: dict, functions: dict | None = None, dims: dict | None = None) -> dict:
    """Run the forward and backward lists in order; returns every named value (inputs included).

    dims: {'n0': 3, ..., 'm': 5} for a derivation with symbolic sizes.
    """
    env = dict(values)
    ev = _Evaluator(env, {derivation.dims[k]: v for k, v in (dims or {}).items()}, functions)
    for name, e in derivation.forward + derivation.backward:
        ev.memo.clear()
        env[name] = ev(e)
    return env
