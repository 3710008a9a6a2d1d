"""Convolution, max-pooling and flatten as SymPy matrix expressions with an index-form definition.

Each class is a MatrixExpr whose `_entry(i, j)` is the document's own index formula (document
002, eqs 35, 37, 55, 62), so `as_explicit()` at concrete sizes gives the element-level matrix and
the numeric evaluator (evaluate.py) computes the same thing with NumPy. All sizes are concrete
integers: one channel, no padding, cross-correlation as the document writes it.
"""
from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixExpr


def _ints(*xs):
    return tuple(sp.Integer(x) for x in xs)


class Conv2D(MatrixExpr):
    """Valid cross-correlation: out[i, j] = sum_{a,b} X[i+a, j+b] K[a, b] (eq. 35 without the bias).

    Also the kernel gradient: dK = Conv2D(X, dZ), since dJ/dk[p,q] = sum_{i,j} dZ[i,j] x[i+p, j+q] (eq. 55).
    """

    def __new__(cls, X, K):
        return super().__new__(cls, X, K)

    @property
    def shape(self):
        (h, w), (kh, kw) = self.args[0].shape, self.args[1].shape
        return (h - kh + 1, w - kw + 1)

    def _entry(self, i, j, **kwargs):
        X, K = self.args
        kh, kw = K.shape
        return sp.Add(*[X[i + a, j + b] * K[a, b] for a in range(int(kh)) for b in range(int(kw))])

    def _latex(self, printer):
        X, K = self.args
        return r"%s \ast %s" % (printer.parenthesize(X, 60), printer.parenthesize(K, 60))


class ConvGradInput(MatrixExpr):
    """Full convolution: dX[i, j] = sum_{p,q} K[p, q] G[i-p, j-q] over indices inside G (eq. 62)."""

    def __new__(cls, G, K):
        return super().__new__(cls, G, K)

    @property
    def shape(self):
        (h, w), (kh, kw) = self.args[0].shape, self.args[1].shape
        return (h + kh - 1, w + kw - 1)

    def _entry(self, i, j, **kwargs):
        G, K = self.args
        (h, w), (kh, kw) = G.shape, K.shape
        return sp.Add(*[K[p, q] * G[i - p, j - q] for p in range(int(kh)) for q in range(int(kw))
                        if 0 <= i - p < h and 0 <= j - q < w])

    def _latex(self, printer):
        G, K = self.args
        return r"\operatorname{conv\_full}\left(%s, \operatorname{rot180}(%s)\right)" % (printer._print(G), printer._print(K))


class MaxPool(MatrixExpr):
    """y[i, j] = max_{a,b < p} A[i s + a, j s + b] (eq. 37)."""

    def __new__(cls, A, size, stride):
        return super().__new__(cls, A, *_ints(size, stride))

    size = property(lambda self: int(self.args[1]))
    stride = property(lambda self: int(self.args[2]))

    @property
    def shape(self):
        h, w = self.args[0].shape
        p, s = self.size, self.stride
        return ((h - p) // s + 1, (w - p) // s + 1)

    def window(self, i, j):
        p, s = self.size, self.stride
        return [(i * s + a, j * s + b) for a in range(p) for b in range(p)]

    def _entry(self, i, j, **kwargs):
        A = self.args[0]
        return sp.Max(*[A[r, c] for r, c in self.window(i, j)])

    def _latex(self, printer):
        return r"\operatorname{maxpool}\left(%s\right)" % printer._print(self.args[0])


class MaxPoolGrad(MatrixExpr):
    """dJ/dA of y = MaxPool(A): each window's upstream gradient G goes to its (first) maximum (eqs 49-50)."""

    def __new__(cls, A, G, size, stride):
        return super().__new__(cls, A, G, *_ints(size, stride))

    size = property(lambda self: int(self.args[2]))
    stride = property(lambda self: int(self.args[3]))

    @property
    def shape(self):
        return self.args[0].shape

    def _entry(self, i, j, **kwargs):
        A, G = self.args[:2]
        pool = MaxPool(A, self.size, self.stride)
        ph, pw = pool.shape
        terms = []
        for wi in range(int(ph)):
            for wj in range(int(pw)):
                cells = pool.window(wi, wj)
                if (i, j) in cells:
                    rest = [A[r, c] for r, c in cells if (r, c) != (i, j)]
                    terms.append(sp.Piecewise((G[wi, wj], sp.And(*[A[i, j] > x for x in rest])), (0, True)))
        return sp.Add(*terms)

    def _latex(self, printer):
        A, G = self.args[:2]
        return r"%s \cdot M_{%s}" % (printer.parenthesize(G, 60), printer._print(A))


class Flatten(MatrixExpr):
    """Row-major flatten of an h x w map into a 1 x (h w) row (the row convention's feature axis)."""

    def __new__(cls, P):
        return super().__new__(cls, P)

    @property
    def shape(self):
        h, w = self.args[0].shape
        return (1, h * w)

    def _entry(self, i, j, **kwargs):
        P = self.args[0]
        w = int(P.shape[1])
        return P[j // w, j % w]

    def _latex(self, printer):
        return r"\operatorname{flatten}\left(%s\right)" % printer._print(self.args[0])


class Unflatten(MatrixExpr):
    """The inverse of Flatten: a 1 x (h w) row back to an h x w map (the VJP of Flatten)."""

    def __new__(cls, G, rows, cols):
        return super().__new__(cls, G, *_ints(rows, cols))

    @property
    def shape(self):
        return (self.args[1], self.args[2])

    def _entry(self, i, j, **kwargs):
        return self.args[0][0, i * int(self.args[2]) + j]

    def _latex(self, printer):
        return r"\operatorname{unflatten}\left(%s\right)" % printer._print(self.args[0])
