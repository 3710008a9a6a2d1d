"""The rule table: one vector-Jacobian product (VJP) per primitive, as autograd's numpy_vjps.py.

A VJP maps the upstream gradient G = dJ/d(output) to dJ/d(input) for each input. Three tables:

- NODE_VJPS: expression nodes inside a forward step (matmul, bias broadcast, which is a matmul by
  a OneMatrix, sums, transposes, Hadamard products and powers, elementwise activations,
  softmax, convolution, max-pool, flatten). rule(expr, G, ans) -> [(child, contribution)].
- ACTIVATION_VJPS: one rule per activation of the primitive table (primitives.py), rule(G, Z, A, axis)
  -> dZ, written with the layer's output A where the table says documents do (sigmoid: A (1 - A)).
- LOSSES: one entry per loss: forward(A, Y, c) -> the 1 x 1 loss, vjp(A, Y, c) -> dA, where c is
  the combined scale (loss scale times 1/m when averaged).
- PAIR_RULES: (output activation, loss) -> dZ directly, the simplified form documents write
  (a - y); each is checked against element-level ground truth by the tests.
"""
from __future__ import annotations

import sympy as sp
from sympy import HadamardPower, HadamardProduct, MatAdd, MatMul, OneMatrix, Transpose
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from .. import primitives
from .cnn import (ChannelBias, ChannelSum, Conv2D, ConvGradInput, ConvGradKernel, Crop, Flatten, MaxPool, MaxPoolGrad, Pad,
                  Unflatten)
from .functions import Softmax, derivative_of, ew, head, relu, sigmoid


def ones_like(X):
    return OneMatrix(*X.shape)


def total(M):
    """The sum of every entry of M as a 1 x 1 matrix: 1^T M 1."""
    r, c = M.shape
    return MatMul(OneMatrix(1, r), M, OneMatrix(c, 1))


def had(*factors):
    return HadamardProduct(*factors)


# --- expression nodes ---------------------------------------------------------------------------

def _matmul(e, G, ans):
    coeff, mats = e.as_coeff_matrices()
    out = []
    for i, M in enumerate(mats):
        c = G
        if i:
            c = MatMul(*mats[:i]).T * c
        if i < len(mats) - 1:
            c = c * MatMul(*mats[i + 1:]).T
        out.append((M, coeff * c if coeff != 1 else c))
    return out


def _hadamard(e, G, ans):
    args = e.args
    return [(a, had(G, *(args[:i] + args[i + 1:]))) for i, a in enumerate(args)]


def _hadamard_power(e, G, ans):
    base, k = e.args
    return [(base, k * had(G, HadamardPower(base, k - 1)))]


def _elementwise(e, G, ans):
    return [(e.expr, activation_vjp(head(e))(G, e.expr, ans, None))]


NODE_VJPS = {
    MatMul: _matmul,
    MatAdd: lambda e, G, ans: [(a, G) for a in e.args],
    Transpose: lambda e, G, ans: [(e.arg, G.T)],
    HadamardProduct: _hadamard,
    HadamardPower: _hadamard_power,
    ElementwiseApplyFunction: _elementwise,
    Softmax: lambda e, G, ans: [(e.arg, ACTIVATION_VJPS["softmax"](G, e.arg, ans, e.axis))],
    Conv2D: lambda e, G, ans: _conv_vjp(e, G),
    MaxPool: lambda e, G, ans: [(e.args[0], MaxPoolGrad(e.args[0], G, e.size, e.stride, e.channels))],
    Flatten: lambda e, G, ans: [(e.args[0], Unflatten(G, *e.args[0].shape, e.channels))],
    Pad: lambda e, G, ans: [(e.args[0], Crop(G, e.p, e.channels))],
    ChannelBias: lambda e, G, ans: [(e.args[0], ChannelSum(G, e.args[0].shape[0]))],
}


def _conv_vjp(e, G):
    """dX: full convolution with the flipped kernel (eq. 62); dK: X correlated with G (eq. 55), over channels."""
    X, K = e.args[:2]
    if e.c_in == e.c_out == 1:
        return [(X, ConvGradInput(G, K)), (K, Conv2D(X, G))]
    return [(X, ConvGradInput(G, K, e.c_in, e.c_out)), (K, ConvGradKernel(X, G, e.c_in, e.c_out))]


# --- activations ---------------------------------------------------------------------------------

def _softmax_vjp(G, Z, A, axis):
    """J^T G with J = diag(a) - a a^T per example: A o (G - 1 (A o G)) along the class axis."""
    n = A.shape[axis]
    AG = had(A, G)
    colsum = OneMatrix(n, n) * AG if axis == 0 else AG * OneMatrix(n, n)
    return had(A, G - colsum)


def _activation_vjp(name):
    """G ⊙ f'(Z) from the primitive table: the output form documents write where the table has one."""
    entry = primitives.lookup(name)
    if not entry.elementwise:
        return _softmax_vjp
    if entry.output_derivative is not None:
        if entry.name == "identity":
            return lambda G, Z, A, axis: G
        return lambda G, Z, A, axis: had(G, entry.output_derivative(A, Z))
    return lambda G, Z, A, axis: had(G, ew(entry.derivative_lambda, Z))


class _ActivationVJPs(dict):
    """name -> rule(G, Z, A, axis), built from the primitive table on first use (parameterised names too)."""

    def __missing__(self, name):
        rule = self[name] = _activation_vjp(name)
        return rule


ACTIVATION_VJPS = _ActivationVJPs()
_FUNCTION_NAMES = {sigmoid: "sigmoid", sp.tanh: "tanh", relu: "relu"}


def activation_vjp(f):
    """The rule for a function class or a table Lambda; an undefined function (the generic g) gets G o g'(Z)."""
    name = f if isinstance(f, str) else _FUNCTION_NAMES.get(f) or primitives.name_of_lambda(f)
    if name is not None:
        return ACTIVATION_VJPS[name]
    if f is sp.log:
        return lambda G, Z, A, axis: had(G, HadamardPower(Z, -1))
    if f is sp.exp:
        return lambda G, Z, A, axis: had(G, A)
    return lambda G, Z, A, axis: had(G, ew(derivative_of(f), Z))


def softmax_jacobian(a):
    """The softmax Jacobian of one example a (n x 1): diag(a) - a a^T (document 002, eqs 22-30)."""
    from sympy.matrices.expressions.diagonal import DiagMatrix
    return DiagMatrix(a) - a * a.T


# --- losses --------------------------------------------------------------------------------------

def _log(X):
    return ew(sp.log, X)


LOSSES = {
    # -c sum(Y log A + (1 - Y) log(1 - A))
    "bce": (lambda A, Y, c: -c * total(had(Y, _log(A)) + had(ones_like(Y) - Y, _log(ones_like(A) - A))),
            lambda A, Y, c: c * (had(ones_like(Y) - Y, HadamardPower(ones_like(A) - A, -1)) - had(Y, HadamardPower(A, -1)))),
    # -c sum(Y log A)
    "cce": (lambda A, Y, c: -c * total(had(Y, _log(A))),
            lambda A, Y, c: -c * had(Y, HadamardPower(A, -1))),
    # c sum((A - Y)^2)
    "sse": (lambda A, Y, c: c * total(HadamardPower(A - Y, 2)),
            lambda A, Y, c: 2 * c * (A - Y)),
}

# (activation, loss) -> (dZ rule, assumption it needs or None)
PAIR_RULES = {
    ("sigmoid", "bce"): (lambda A, Y, c: c * (A - Y), None),
    ("softmax", "cce"): (lambda A, Y, c: c * (A - Y),
                         "the labels Y of each example sum to 1 over the classes (one-hot or probabilities)"),
}

def activation(name: str, Z, axis: int, functions: dict | None = None):
    """The forward activation; `functions` maps a generic name ('g') to a Function (default: undefined g)."""
    if primitives.is_known(name) and name != "g":
        entry = primitives.lookup(name)
        if not entry.elementwise:
            return Softmax(Z, axis)
        if entry.name == "identity":
            return Z
        return ew(entry.function or entry.lambda_, Z)
    f = (functions or {}).get(name) or sp.Function(name)
    return ew(f, Z)
