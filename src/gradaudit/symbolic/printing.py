"""Print derived formulas in a document's own convention and notation style.

DocLatexPrinter subclasses SymPy's LatexPrinter: names become W^{[l]} (column, row) or
w_{i,j}^{(l)} (index), Hadamard products \\odot, OneMatrix \\mathbf{1}, g' for the derivative of an
undefined activation. Layer numbers go through a label map, so a derivation at a concrete
depth prints the general layer-l formulas (2 -> l, 1 -> l-1, 3 -> l+1) and the output layer (L).
Index form: the entry (i, j) of a matrix formula, which SymPy expands into sums of MatrixElements.
"""
from __future__ import annotations

import re

import sympy as sp
from sympy.printing.latex import LatexPrinter

from .functions import head

_NAME = re.compile(r"^(d?)([A-Za-z]+?)(\d+)$")
_LOSS_SYMBOL = {"index": "C"}


class DocLatexPrinter(LatexPrinter):
    """LaTeX in the document's style; `labels` maps a layer number to its printed label."""

    def __init__(self, convention="column", labels=None, **settings):
        super().__init__(settings)
        self.convention = convention
        self.labels = labels or {}
        self.J = _LOSS_SYMBOL.get(convention, "J")

    def layer(self, n: str) -> str:
        return self.labels.get(int(n), n)

    def name(self, name: str, transpose: bool = False) -> str:
        m = _NAME.match(name)
        t = "T" if transpose else ""
        if not m:
            base = name.replace("_", r"\_") if "_" in name else name
            return base + (r"^{T}" if transpose else "")
        d, base, n = m.groups()
        label = self.layer(n)
        core = r"Y_{pool}^{[%s]%s}" % (label, t) if base == "P" else r"%s^{[%s]%s}" % (base, label, t)
        if not d:
            return core
        if self.convention == "column":
            return "d" + core
        inner = core if not transpose else core.replace("T}", "}")
        grad = r"\frac{\partial %s}{\partial %s}" % (self.J, inner)
        return grad + (r"^{T}" if transpose else "")

    def _print_MatrixSymbol(self, expr):
        return self.name(expr.name)

    def _print_Transpose(self, expr):
        if isinstance(expr.arg, sp.MatrixSymbol):
            return self.name(expr.arg.name, transpose=True)
        return r"\left(%s\right)^{T}" % self._print(expr.arg)

    def _print_Identity(self, expr):
        return r"\mathbf{1}" if expr.shape == (1, 1) else r"I"

    def _print_Symbol(self, expr, style="plain"):
        n = expr.name
        if self.convention == "scalar" and n.startswith("d") and len(n) > 1:
            return r"\frac{\partial J}{\partial %s}" % n[1:]
        return super()._print_Symbol(expr, style)

    def _print_OneMatrix(self, expr):
        return r"\mathbf{1}"

    def _print_HadamardProduct(self, expr):
        return r" \odot ".join(self.parenthesize(a, 60) for a in expr.args)

    def _print_HadamardPower(self, expr):
        base, k = expr.args
        if k == -1:
            return r"\frac{1}{%s}" % self._print(base)
        return r"%s^{%s}" % (self.parenthesize(base, 1000), self._print(k))

    def _print_ElementwiseApplyFunction(self, expr):
        f = head(expr)
        arg = self._print(expr.expr)
        if isinstance(f, sp.Lambda):
            body = f.expr
            if isinstance(body, sp.Derivative):
                return r"%s'(%s)" % (body.expr.func.__name__, arg)
            return r"\left(%s\right)(%s)" % (self._print(f), arg)
        name = {"sigmoid": r"\sigma", "tanh": r"\tanh", "log": r"\log", "relu": r"\operatorname{ReLU}",
                "step": r"\mathbb{1}_{>0}"}.get(f.__name__, f.__name__)
        return r"%s(%s)" % (name, arg)

    def _print_MatrixElement(self, expr):
        if self.convention != "index":
            return super()._print_MatrixElement(expr)
        M, i, j = expr.args
        m = _NAME.match(M.name)
        if not m:
            return r"%s_{%s}" % (M.name.lower(), self._print(j))
        d, base, n = m.groups()
        label = self.layer(n)
        if base == "W":
            core = r"w_{%s,%s}^{(%s)}" % (self._print(i), self._print(j), label)
        elif d and base == "Z":
            return r"\delta_{%s}^{(%s)}" % (self._print(j), label)
        else:
            core = r"%s_{%s}^{(%s)}" % (base.lower(), self._print(j), label)
        return r"\frac{\partial C}{\partial %s}" % core if d else core

    def _print_Derivative(self, expr):
        if len(expr.variables) == 1 and isinstance(expr.expr, sp.core.function.AppliedUndef):
            return r"%s'(%s)" % (expr.expr.func.__name__, self._print(expr.variables[0]))
        return super()._print_Derivative(expr)


def lhs(printer: DocLatexPrinter, name: str, shape) -> str:
    """The left side: dW^{[l]} (column), \\frac{\\partial J}{\\partial W^{[l]}}, or index form."""
    if printer.convention == "index" and name.startswith("d") and _NAME.match(name):
        base = _NAME.match(name).group(2)
        i, j = sp.symbols("i j")
        M = sp.MatrixSymbol(name, *shape)
        return printer._print(M[i if base == "W" else 0, j])
    if printer.convention == "scalar" and "_" in name:
        return r"\operatorname{%s}" % name.replace("_", r"\_")
    if printer.convention != "column" and name.startswith("d") and not _NAME.match(name):
        return r"\frac{\partial %s}{\partial %s}" % (printer.J, name[1:])
    return printer.name(name) if _NAME.match(name) else ("d" + name[1:] if name.startswith("d") else name)


def rhs(printer: DocLatexPrinter, name: str, expr) -> str:
    if printer.convention == "index" and hasattr(expr, "shape") and _NAME.match(name):
        i, j = sp.symbols("i j")
        base = _NAME.match(name).group(2)
        entry = expr[i if base == "W" else 0, j]
        return printer._print(entry)
    return printer._print(expr)
