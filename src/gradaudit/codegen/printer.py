"""NumPy printer for the symbolic core's matrix expressions: SymPy's NumPyPrinter plus what it lacks.

SymPy 1.14's NumPyPrinter prints neither HadamardPower (A∘A becomes one automatically) nor
ElementwiseApplyFunction, writes scalar factors as `.dot(1/2)`, and turns the broadcasting
products of the closed forms (b 1^T, 1^T M 1) into real products with `numpy.ones`. This
subclass prints those as NumPy does them: `A**2`, `f(A)`, `0.5*(...)`, plain broadcasting and
`.sum(axis, keepdims=True)`. The core's own nodes (sigmoid, ReLU and its step, softmax,
convolution, max-pooling, flatten) and codegen's stable rewrites (log-sigmoid, log-softmax)
print from one table, class name -> call of a kernel in gradaudit.codegen.kernels, so a new
primitive is a new row.

`batched=True` prints per-example formulas (the documents' single-example networks and CNNs)
for a stack of examples on a leading axis: transposes swap the last two axes, and a
parameter gradient (a BatchSum) adds the per-example gradients, as one tensordot when it is
a product A^T B or A B^T.
"""
from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixExpr
from sympy.printing.numpy import NumPyPrinter

# class name -> template over the printed arguments; {axis} is a softmax axis, printed negative
CALLS = {
    "sigmoid": "sigmoid({0})",
    "log_sigmoid": "log_sigmoid({0})",
    "relu": "relu({0})",
    "step": "({0} > 0)",          # ReLU's derivative as a boolean mask: a product with it keeps the float dtype
    "Softmax": "softmax({0}, axis={axis})",
    "LogSoftmax": "log_softmax({0}, axis={axis})",
    "Conv2D": "conv2d({0}, {1})",
    "ConvGradInput": "conv2d_grad_input({0}, {1})",
    "MaxPool": "maxpool2d({0}, {1}, {2})",
    "MaxPoolGrad": "maxpool2d_grad({0}, {1}, {2}, {3})",
    "Flatten": "flatten({0})",
    "Unflatten": "unflatten({0}, {1}, {2})",
    "ConvGradKernel": "conv2d_mc_grad_kernel({0}, {1})",
    "Pad": "pad2d({0}, {1})",
    "Crop": "crop2d({0}, {1})",
    "ChannelBias": "{0}",             # a (C, 1, 1) bias broadcasts over (examples, C, h, w)
    "ChannelSum": "{0}.sum(axis=(-2, -1), keepdims=True)",
}
# multi-channel convolutions: (examples, C, h, w) maps, (C_out, C_in, k, k) kernels
MULTICHANNEL = {"Conv2D": "conv2d_mc({0}, {1})", "ConvGradInput": "conv2d_mc_grad_input({0}, {1})"}


def _is_negative(term) -> bool:
    return isinstance(term, sp.MatMul) and bool(sp.sympify(term.as_coeff_matrices()[0]).could_extract_minus_sign())


class BatchSum(MatrixExpr):
    """The sum over the leading example axis of a per-example parameter gradient."""

    def __new__(cls, expr):
        return super().__new__(cls, expr)

    @property
    def shape(self):
        return self.args[0].shape


class GeneratedPrinter(NumPyPrinter):
    """Prints matrix closed forms as plain NumPy over arrays named like the core's symbols."""

    printmethod = "_gradaudit_numpy"

    def __init__(self, settings=None, batched=False):
        super().__init__(dict({"fully_qualified_modules": True}, **(settings or {})))
        self.batched = batched
        self._bound = {}

    # names -----------------------------------------------------------------------------------
    def _print_Symbol(self, expr):
        return self._bound.get(expr) or super()._print_Symbol(expr)

    _print_Dummy = _print_Symbol
    _print_MatrixSymbol = _print_Symbol

    def _print_Integer(self, expr):
        return str(int(expr))

    # broadcasting and elementwise -------------------------------------------------------------
    def _print_OneMatrix(self, expr):
        """A matrix of ones is 1 wherever NumPy broadcasts it (sums, Hadamard products)."""
        return "1"

    def _print_ZeroMatrix(self, expr):
        return "0"

    def _print_HadamardProduct(self, expr):
        return "*".join(self.parenthesize(a, 50) for a in expr.args)

    def _print_HadamardPower(self, expr):
        return f"{self.parenthesize(expr.base, 60)}**{self._print(expr.exp)}"

    def _print_ElementwiseApplyFunction(self, expr):
        """f.(A): print f's body with its variable bound to the printed argument."""
        lam = expr.function
        var = lam.variables[0]
        saved = dict(self._bound)
        self._bound[var] = self._print(expr.expr)
        try:
            return self._print(lam.expr)
        finally:
            self._bound = saved

    def _print_MatAdd(self, expr):
        """Terms with a positive sign first, so A - Y is one subtraction, not a negation and an addition."""
        out = ""
        args = sorted(expr.args, key=lambda a: _is_negative(a))
        for i, a in enumerate(args):
            t = self.parenthesize(a, 40) if isinstance(a, sp.HadamardProduct) else self._print(a)
            out += t if i == 0 else (f" - {t[1:]}" if t.startswith("-") else f" + {t}")
        return out

    def _print_Transpose(self, expr):
        if self.batched:
            return f"numpy.swapaxes({self._print(expr.arg)}, -1, -2)"
        return f"{self.parenthesize(expr.arg, 60)}.T"

    # products ---------------------------------------------------------------------------------
    def _print_MatMul(self, expr):
        coeff, factors = expr.as_coeff_matrices()
        body = self._matmul(list(factors))
        if coeff == 1:
            return body
        if coeff == -1:
            return f"-{body}"
        return f"{self.parenthesize(coeff, 50)}*{body}"

    def _matmul(self, factors):
        """A product of matrices; ones-matrices become sums over an axis or plain broadcasting."""
        if len(factors) == 1:
            return self.parenthesize(factors[0], 60)
        first, last = factors[0], factors[-1]
        if (len(factors) == 3 and isinstance(first, sp.OneMatrix) and isinstance(last, sp.OneMatrix)
                and first.shape[0] == 1 and last.shape[1] == 1):                                     # 1^T M 1: total
            return f"{self._group(factors[1:2])}.sum(axis=(-2, -1), keepdims=True)"
        if isinstance(last, sp.OneMatrix) and last.shape[1] == 1 and factors[-2].shape[1] != 1:   # M 1: row sums
            return f"{self._group(factors[:-1])}.sum(axis=-1, keepdims=True)"
        if isinstance(first, sp.OneMatrix) and first.shape[0] == 1 and factors[1].shape[0] != 1:  # 1^T M: column sums
            return f"{self._group(factors[1:])}.sum(axis=-2, keepdims=True)"
        if isinstance(last, sp.OneMatrix):                                                         # b 1^T: broadcast b
            return self._matmul(factors[:-1])
        if isinstance(first, sp.OneMatrix):                                                        # 1 b: broadcast b
            return self._matmul(factors[1:])
        return " @ ".join(self.parenthesize(f, 60) for f in factors)

    def _group(self, factors):
        text = self._matmul(factors)
        return text if len(factors) == 1 and isinstance(factors[0], sp.MatrixSymbol) else f"({text})"

    def _print_BatchSum(self, expr):
        """sum_m A_m^T B_m = tensordot over (examples, rows); sum_m A_m B_m^T over (examples, columns)."""
        inner = expr.args[0]
        if type(inner).__name__ == "ConvGradKernel":
            return f"conv2d_mc_grad_kernel_sum({self._print(inner.args[0])}, {self._print(inner.args[1])})"
        if type(inner).__name__ == "ChannelSum":
            return f"channel_sum({self._print(inner.args[0])})"
        if type(inner).__name__ == "Conv2D":
            return f"conv2d_grad_kernel_sum({self._print(inner.args[0])}, {self._print(inner.args[1])})"
        if isinstance(inner, sp.MatMul):
            coeff, factors = inner.as_coeff_matrices()
            if len(factors) == 2 and coeff == 1:
                a, b = factors
                if isinstance(a, sp.Transpose):
                    return f"numpy.tensordot({self._print(a.arg)}, {self._print(b)}, axes=([0, 1], [0, 1]))"
                if isinstance(b, sp.Transpose):
                    return f"numpy.tensordot({self._print(a)}, {self._print(b.arg)}, axes=([0, 2], [0, 2]))"
        return f"numpy.sum({self._print(inner)}, axis=0)"

    # the core's own nodes, from the table --------------------------------------------------------
    def _call(self, expr):
        name = type(expr).__name__
        if name == "Unflatten" and expr.channels != 1:      # (examples, 1, C h w) -> (examples, C, h, w)
            g, rows, cols = expr.args[:3]
            return f"unflatten({self._print(g)}, {int(rows) // expr.channels}, {int(cols)})"
        args = [self._print(a) for a in expr.args]
        axis = getattr(expr, "axis", None)
        if name in MULTICHANNEL and (expr.c_in != 1 or expr.c_out != 1):
            return MULTICHANNEL[name].format(*args)
        return CALLS[name].format(*args, axis=None if axis is None else int(axis) - 2)


for _name in CALLS:
    setattr(GeneratedPrinter, f"_print_{_name}", GeneratedPrinter._call)
