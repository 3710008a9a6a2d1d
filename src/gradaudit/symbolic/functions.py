"""Elementwise activations as SymPy Function classes, and the matrix-valued softmax.

Elementwise application to a matrix is SymPy's own ElementwiseApplyFunction (what
`X.applyfunc(f)` builds): its `.function` is `Lambda(d, f(d))`. `head()` recovers `f`, so the
rule table can be keyed by the function class. The generic activation `g` is an undefined
SymPy Function; its derivative is `Lambda(d, Derivative(g(d), d))`, exactly what SymPy itself
builds, printed `g'(Z)`.
"""
from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.matexpr import MatrixExpr

from ..primitives import relu, sigmoid, step  # noqa: F401 - the core's names for the table's classes



_d = sp.Dummy("d")


def ew(f, X: MatrixExpr) -> ElementwiseApplyFunction:
    """f applied elementwise to X (f a Function class or a Lambda)."""
    return ElementwiseApplyFunction(f, X)


def derivative_of(f) -> sp.Lambda:
    """Lambda(d, f'(d)) for a Function class f (for undefined g: Derivative(g(d), d))."""
    return sp.Lambda(_d, sp.diff(f(_d), _d))


def head(e: ElementwiseApplyFunction):
    """The function class an ElementwiseApplyFunction applies, or its Lambda when it is not f(d)."""
    lam = e.function
    if isinstance(lam, sp.Lambda) and len(lam.variables) == 1:
        body = lam.expr
        if isinstance(body, sp.Function) and body.args == lam.variables:
            return body.func
        return lam
    return lam


class Softmax(MatrixExpr):
    """softmax over one axis of a matrix: axis 0 normalises each column, axis 1 each row.

    The class axis is the feature axis of the convention (axis 0 for column, 1 for row).
    """

    def __new__(cls, Z, axis):
        return super().__new__(cls, Z, sp.Integer(axis))

    @property
    def arg(self):
        return self.args[0]

    @property
    def axis(self) -> int:
        return int(self.args[1])

    @property
    def shape(self):
        return self.arg.shape

    def _entry(self, i, j, **kwargs):
        Z = self.arg
        rows, cols = Z.shape
        if self.axis == 0:
            denom = sum(sp.exp(Z[k, j]) for k in range(rows))
        else:
            denom = sum(sp.exp(Z[i, k]) for k in range(cols))
        return sp.exp(Z[i, j]) / denom

    def _latex(self, printer):
        return r"\operatorname{softmax}\left(%s\right)" % printer._print(self.arg)
