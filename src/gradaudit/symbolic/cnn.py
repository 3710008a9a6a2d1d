"""Convolution, max-pooling and flatten as SymPy matrix expressions with an index-form definition.

Each class is a MatrixExpr whose `_entry(i, j)` is the document's own index formula (document
002, eqs 35, 37, 55, 62), so `as_explicit()` at concrete sizes gives the element-level matrix and
the numeric evaluator (evaluate.py) computes the same thing with NumPy. All sizes are concrete
integers, cross-correlation as the document writes it.

Channels: a map with C channels of h x w is the (C h) x w matrix of its channels stacked
(channel c is rows c h .. c h + h - 1), a kernel from C_in to C_out channels is the
(C_out C_in k) x k matrix of its k x k slices stacked in (o, c) order, a bias b is C_out x 1:
the row-major reshapes of the tensors (C, h, w), (C_out, C_in, k, k) and (C_out,). One channel
gives the document's own h x w maps and k x k kernel; the channel counts are node arguments
only when they are not 1, so the one-channel expressions are the document's.
"""
from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixExpr


def _ints(*xs):
    return tuple(sp.Integer(x) for x in xs)


class _Channels:
    """Channel counts stored as trailing arguments after `n_fixed` ones, omitted when all are 1."""
    n_fixed = 2

    @classmethod
    def _make(cls, fixed, channels):
        channels = tuple(int(c) for c in channels)
        extra = _ints(*channels) if any(c != 1 for c in channels) else ()
        return MatrixExpr.__new__(cls, *fixed, *extra)

    def _channel(self, k):
        rest = self.args[self.n_fixed:]
        return int(rest[k]) if rest else 1


class Conv2D(_Channels, MatrixExpr):
    """Valid cross-correlation: out[i, j] = sum_{a,b} X[i+a, j+b] K[a, b] (eq. 35 without the bias).

    With channels: Z[o, i, j] = sum_{c,a,b} X[c, i+a, j+b] K[o, c, a, b] (stacked, see the module docstring).
    One channel, it is also the kernel gradient: dK = Conv2D(X, dZ), since dJ/dk[p,q] = sum_{i,j}
    dZ[i,j] x[i+p, j+q] (eq. 55); with channels that is ConvGradKernel.
    """

    def __new__(cls, X, K, c_in=1, c_out=1):
        return cls._make((X, K), (c_in, c_out))

    c_in = property(lambda self: self._channel(0))
    c_out = property(lambda self: self._channel(1))

    @property
    def kernel(self):
        kh, kw = self.args[1].shape
        return (kh // (self.c_in * self.c_out), kw)

    @property
    def shape(self):
        (h, w), (kh, kw) = self.args[0].shape, self.kernel
        return (self.c_out * (h // self.c_in - kh + 1), w - kw + 1)

    def _entry(self, i, j, **kwargs):
        X, K = self.args[:2]
        kh, kw = (int(v) for v in self.kernel)
        if self.c_in == self.c_out == 1:
            return sp.Add(*[X[i + a, j + b] * K[a, b] for a in range(kh) for b in range(kw)])
        h, oh = int(X.shape[0]) // self.c_in, int(self.shape[0]) // self.c_out
        o, r = divmod(int(i), oh)
        return sp.Add(*[X[c * h + r + a, j + b] * K[(o * self.c_in + c) * kh + a, b]
                        for c in range(self.c_in) for a in range(kh) for b in range(kw)])

    def _latex(self, printer):
        X, K = self.args
        return r"%s \ast %s" % (printer.parenthesize(X, 60), printer.parenthesize(K, 60))


class ConvGradInput(_Channels, MatrixExpr):
    """Full convolution: dX[i, j] = sum_{p,q} K[p, q] G[i-p, j-q] over indices inside G (eq. 62).

    With channels: dX[c, i, j] = sum_{o,p,q} K[o, c, p, q] G[o, i-p, j-q].
    """

    def __new__(cls, G, K, c_in=1, c_out=1):
        return cls._make((G, K), (c_in, c_out))

    c_in = property(lambda self: self._channel(0))
    c_out = property(lambda self: self._channel(1))

    @property
    def kernel(self):
        kh, kw = self.args[1].shape
        return (kh // (self.c_in * self.c_out), kw)

    @property
    def shape(self):
        (h, w), (kh, kw) = self.args[0].shape, self.kernel
        return (self.c_in * (h // self.c_out + kh - 1), w + kw - 1)

    def _entry(self, i, j, **kwargs):
        G, K = self.args[:2]
        (h, w), (kh, kw) = G.shape, self.kernel
        if self.c_in == self.c_out == 1:
            return sp.Add(*[K[p, q] * G[i - p, j - q] for p in range(int(kh)) for q in range(int(kw))
                            if 0 <= i - p < h and 0 <= j - q < w])
        oh, kh, kw, w = int(h) // self.c_out, int(kh), int(kw), int(w)
        c, r = divmod(int(i), int(self.shape[0]) // self.c_in)
        return sp.Add(*[K[(o * self.c_in + c) * kh + p, q] * G[o * oh + r - p, j - q]
                        for o in range(self.c_out) for p in range(kh) for q in range(kw)
                        if 0 <= r - p < oh and 0 <= j - q < w])


class ConvGradKernel(_Channels, MatrixExpr):
    """The kernel gradient with channels: dK[o, c, p, q] = sum_{i,j} G[o, i, j] X[c, i+p, j+q].

    One channel it is Conv2D(X, G), which the core writes instead (eq. 55).
    """

    def __new__(cls, X, G, c_in=1, c_out=1):
        return cls._make((X, G), (c_in, c_out))

    c_in = property(lambda self: self._channel(0))
    c_out = property(lambda self: self._channel(1))

    @property
    def kernel(self):
        (h, w), (gh, gw) = self.args[0].shape, self.args[1].shape
        return (h // self.c_in - gh // self.c_out + 1, w - gw + 1)

    @property
    def shape(self):
        kh, kw = self.kernel
        return (self.c_out * self.c_in * kh, kw)

    def _entry(self, i, j, **kwargs):
        X, G = self.args[:2]
        kh = int(self.kernel[0])
        h, oh, ow = int(X.shape[0]) // self.c_in, int(G.shape[0]) // self.c_out, int(G.shape[1])
        block, p = divmod(int(i), kh)
        o, c = divmod(block, self.c_in)
        return sp.Add(*[G[o * oh + r, s] * X[c * h + r + p, s + j] for r in range(oh) for s in range(ow)])

    def _latex(self, printer):
        X, G = self.args[:2]
        return r"%s \ast %s" % (printer.parenthesize(X, 60), printer.parenthesize(G, 60))


class Pad(_Channels, MatrixExpr):
    """Zero padding of every channel by p on each side (same padding: p = (k - 1) / 2)."""
    n_fixed = 2

    def __new__(cls, X, p, channels=1):
        return cls._make((X, sp.Integer(p)), (channels,))

    p = property(lambda self: int(self.args[1]))
    channels = property(lambda self: self._channel(0))

    @property
    def shape(self):
        (h, w), p, c = self.args[0].shape, self.p, self.channels
        return (h + 2 * p * c, w + 2 * p)

    def _entry(self, i, j, **kwargs):
        X, p = self.args[0], self.p
        h = int(X.shape[0]) // self.channels
        c, r = divmod(int(i), h + 2 * p)
        inside = 0 <= r - p < h and 0 <= int(j) - p < int(X.shape[1])
        return X[c * h + r - p, int(j) - p] if inside else sp.Integer(0)

    def _latex(self, printer):
        return r"\operatorname{pad}_{%d}\left(%s\right)" % (self.p, printer._print(self.args[0]))


class Crop(_Channels, MatrixExpr):
    """The VJP of Pad: every channel's border of width p dropped."""
    n_fixed = 2

    def __new__(cls, G, p, channels=1):
        return cls._make((G, sp.Integer(p)), (channels,))

    p = property(lambda self: int(self.args[1]))
    channels = property(lambda self: self._channel(0))

    @property
    def shape(self):
        (h, w), p, c = self.args[0].shape, self.p, self.channels
        return (h - 2 * p * c, w - 2 * p)

    def _entry(self, i, j, **kwargs):
        G, p = self.args[0], self.p
        h = int(self.shape[0]) // self.channels
        c, r = divmod(int(i), h)
        return G[c * (h + 2 * p) + r + p, int(j) + p]

    def _latex(self, printer):
        return r"\operatorname{crop}_{%d}\left(%s\right)" % (self.p, printer._print(self.args[0]))


class ChannelBias(MatrixExpr):
    """A C x 1 bias spread over C stacked h x w maps: entry (c h + i, j) is b[c]."""

    def __new__(cls, b, h, w):
        return super().__new__(cls, b, *_ints(h, w))

    @property
    def shape(self):
        return (self.args[0].shape[0] * self.args[1], self.args[2])

    def _entry(self, i, j, **kwargs):
        return self.args[0][int(i) // int(self.args[1]), 0]

    def _latex(self, printer):
        return r"%s \mathbf{1}" % printer._print(self.args[0])


class ChannelSum(MatrixExpr):
    """The VJP of ChannelBias: each of C stacked maps summed to one entry, a C x 1 column."""

    def __new__(cls, G, channels):
        return super().__new__(cls, G, sp.Integer(channels))

    @property
    def shape(self):
        return (self.args[1], sp.Integer(1))

    def _entry(self, i, j, **kwargs):
        G, c = self.args[0], int(self.args[1])
        h = int(G.shape[0]) // c
        return sp.Add(*[G[int(i) * h + r, s] for r in range(h) for s in range(int(G.shape[1]))])

    def _latex(self, printer):
        return r"\sum_{i,j} %s" % printer.parenthesize(self.args[0], 60)

    def _latex(self, printer):
        G, K = self.args
        return r"\operatorname{conv\_full}\left(%s, \operatorname{rot180}(%s)\right)" % (printer._print(G), printer._print(K))


class MaxPool(_Channels, MatrixExpr):
    """y[i, j] = max_{a,b < p} A[i s + a, j s + b] (eq. 37), channel by channel."""
    n_fixed = 3

    def __new__(cls, A, size, stride, channels=1):
        return cls._make((A, *_ints(size, stride)), (channels,))

    size = property(lambda self: int(self.args[1]))
    stride = property(lambda self: int(self.args[2]))
    channels = property(lambda self: self._channel(0))

    @property
    def shape(self):
        h, w = self.args[0].shape
        p, s, c = self.size, self.stride, self.channels
        return (c * ((h // c - p) // s + 1), (w - p) // s + 1)

    def window(self, i, j):
        p, s, c = self.size, self.stride, self.channels
        if c == 1:
            return [(i * s + a, j * s + b) for a in range(p) for b in range(p)]
        h, ph = int(self.args[0].shape[0]) // c, int(self.shape[0]) // c
        ch, r = divmod(int(i), ph)
        return [(ch * h + r * s + a, j * s + b) for a in range(p) for b in range(p)]

    def _entry(self, i, j, **kwargs):
        A = self.args[0]
        return sp.Max(*[A[r, c] for r, c in self.window(i, j)])

    def _latex(self, printer):
        return r"\operatorname{maxpool}\left(%s\right)" % printer._print(self.args[0])


class MaxPoolGrad(_Channels, MatrixExpr):
    """dJ/dA of y = MaxPool(A): each window's upstream gradient G goes to its (first) maximum (eqs 49-50)."""
    n_fixed = 4

    def __new__(cls, A, G, size, stride, channels=1):
        return cls._make((A, G, *_ints(size, stride)), (channels,))

    size = property(lambda self: int(self.args[2]))
    stride = property(lambda self: int(self.args[3]))
    channels = property(lambda self: self._channel(0))

    @property
    def shape(self):
        return self.args[0].shape

    def _entry(self, i, j, **kwargs):
        A, G = self.args[:2]
        pool = MaxPool(A, self.size, self.stride, self.channels)
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


class Flatten(_Channels, MatrixExpr):
    """Row-major flatten of an h x w map into a 1 x (h w) row (the row convention's feature axis).

    With C stacked channels the same row-major order is channel-major (c, i, j), as PyTorch's flatten.
    """
    n_fixed = 1

    def __new__(cls, P, channels=1):
        return cls._make((P,), (channels,))

    channels = property(lambda self: self._channel(0))

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


class Unflatten(_Channels, MatrixExpr):
    """The inverse of Flatten: a 1 x (h w) row back to an h x w map (the VJP of Flatten)."""
    n_fixed = 3

    def __new__(cls, G, rows, cols, channels=1):
        return cls._make((G, *_ints(rows, cols)), (channels,))

    channels = property(lambda self: self._channel(0))

    @property
    def shape(self):
        return (self.args[1], self.args[2])

    def _entry(self, i, j, **kwargs):
        return self.args[0][0, i * int(self.args[2]) + j]

    def _latex(self, printer):
        return r"\operatorname{unflatten}\left(%s\right)" % printer._print(self.args[0])
