"""Rewrites that make the derived loss numerically stable before it is printed.

The core writes cross-entropy as the documents do, log of the output activation:
-sum(Y∘log(A) + (1-Y)∘log(1-A)) with A = sigmoid(Z), or -sum(Y∘log(A)) with A = softmax(Z).
At logits of +-1000, A is exactly 0 or 1 in floating point and log gives -inf. With A's
definition substituted, each log of an activation becomes the same quantity computed from the
logits (one rule per pattern):

    log(sigmoid(Z))     -> log_sigmoid(Z)      = -log(1 + e^-Z)
    log(1 - sigmoid(Z)) -> log_sigmoid(-Z)
    log(softmax(Z))     -> log_softmax(Z)      = Z - logsumexp(Z)

The gradients need no rewrite: the core's pair rules give dZ = c (A - Y) for both pairs, and
no parameter gradient depends on dJ/dA of the output (codegen prunes it).
"""
from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.matexpr import MatrixExpr

from ..symbolic.functions import Softmax, ew, head, sigmoid


class log_sigmoid(sp.Function):  # noqa: N801 - printed as the kernel of the same name
    """log(sigmoid(x)), computed as -log(1 + e^-x)."""

    def fdiff(self, argindex=1):
        return 1 - sigmoid(self.args[0])


class LogSoftmax(MatrixExpr):
    """log(softmax(Z)) over one axis, computed as Z - logsumexp(Z)."""

    def __new__(cls, Z, axis):
        return super().__new__(cls, Z, sp.Integer(axis))

    @property
    def axis(self) -> int:
        return int(self.args[1])

    @property
    def shape(self):
        return self.args[0].shape

    def _latex(self, printer):
        return r"\log\operatorname{softmax}\left(%s\right)" % printer._print(self.args[0])


def _sigmoid_arg(e):
    if isinstance(e, ElementwiseApplyFunction) and head(e) is sigmoid:
        return e.expr
    return None


def _one_minus(e):
    """X when e is 1 - X (OneMatrix minus X; SymPy writes a 1 x 1 OneMatrix as Identity(1)), else None."""
    if isinstance(e, sp.MatAdd) and len(e.args) == 2:
        ones = [a for a in e.args if isinstance(a, sp.OneMatrix) or (isinstance(a, sp.Identity) and a.shape == (1, 1))]
        if ones:
            other = e.args[1] if e.args[0] is ones[0] else e.args[0]
            coeff, factors = other.as_coeff_matrices() if isinstance(other, sp.MatMul) else (1, [other])
            if coeff == -1 and len(factors) == 1:
                return factors[0]
    return None


def _stable_log(arg):
    """The logits form of log(arg), or None when arg is not an activation of logits."""
    if isinstance(arg, Softmax):
        return LogSoftmax(arg.arg, arg.axis)
    z = _sigmoid_arg(arg)
    if z is not None:
        return ew(log_sigmoid, z)
    inner = _one_minus(arg)
    z = _sigmoid_arg(inner) if inner is not None else None
    if z is not None:
        return ew(log_sigmoid, -z)
    return None


def stable_loss(loss, definitions: dict):
    """The loss with the output activation's definition substituted wherever a log of it can go to the logits."""
    def is_log(e):
        return isinstance(e, ElementwiseApplyFunction) and head(e) is sp.log

    def rewrite(e):
        arg = e.expr.xreplace(definitions)
        return _stable_log(arg) or e

    return loss.replace(is_log, rewrite)


def unstable_logs(expr) -> list:
    """The logs left in an expression (reported, never silently printed as stable)."""
    return [e for e in expr.atoms(ElementwiseApplyFunction) if head(e) is sp.log]
