"""The values a formula evaluates to, and the arithmetic on them.

Three kinds of value come out of the evaluator (evaluate.py):
- a NumPy array (a matrix, a vector, or a 0-d scalar);
- a Jac: the Jacobian d(out)/d(in) of two named quantities, shape out.shape + in.shape. A product of
  Jacobians whose shapes chain is their contraction: the chain rule itself;
- a Lab: an array whose axes carry index labels (i, j, ...), for index notation; products broadcast by
  label, sums reduce a label;
and a ShapeOnly for \\mathbb{R}^{[a,b]}, whose shape alone is known.
Strict reading: juxtaposition and \\cdot are matrix products (a 1 x 1 factor is a scalar), * and \\odot
are elementwise, broadcasting only a bias-shaped operand. A product that does not conform raises
DimensionError; the layout repair in audit/layout.py tries the other readings.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .budget import check_elements
from .model import conv2d, conv2d_channels
from .tree import DimensionError, EvalError


@dataclass
class Jac:
    data: np.ndarray
    out_shape: tuple
    in_shape: tuple

    def as_array(self):
        if self.out_shape == ():
            return self.data
        return None

    @property
    def is_elementwise(self) -> bool:
        """True when each output depends only on the input at the same position (a diagonal Jacobian)."""
        if self.out_shape != self.in_shape or not self.out_shape:
            return False
        n = int(np.prod(self.out_shape))
        mat = self.data.reshape(n, n)
        off = mat - np.diag(np.diag(mat))
        if off.dtype == object:   # 60-digit numbers: the structure was read in float64, read it the same way
            off = off.astype(complex)
        return bool(np.allclose(off, 0, atol=1e-12))

    def diagonal(self):
        n = int(np.prod(self.out_shape))
        return np.diag(self.data.reshape(n, n)).reshape(self.out_shape)


@dataclass
class Lab:
    data: np.ndarray
    labels: tuple

    def aligned(self, labels):
        if np.ndim(self.data) != len(self.labels):   # unnamed axes left: no order of the labels covers them
            raise EvalError("an indexed quantity with axes its indices do not name")
        return np.transpose(self.data, [self.labels.index(label) for label in labels])


@dataclass
class ShapeOnly:
    """A value of \\mathbb{R}^{[a,b]}: only its shape is known (dimension analyses)."""
    shape: tuple


def plain(value):
    if isinstance(value, Jac):
        arr = value.as_array()
        if arr is None:
            raise EvalError("a Jacobian used where a matrix is needed")
        return arr
    if isinstance(value, Lab):
        raise EvalError("an indexed quantity mixed with a matrix expression")
    if isinstance(value, ShapeOnly):
        raise EvalError("a shape used as a value")
    return np.asarray(value)


def describe(value) -> str:
    shape = np.shape(value)
    return "a scalar" if not shape else " x ".join(map(str, shape))


def whole(value, what: str) -> int:
    """int() of a finite real number; inf, NaN or a number past any size is a reason, not an OverflowError."""
    number = float(np.real(np.asarray(value).reshape(())))
    if not np.isfinite(number) or abs(number) > 1e15:
        raise EvalError(f"{what} is {number:g}, not a usable whole number")
    return int(round(number))


def is_scalar(value) -> bool:
    return isinstance(value, np.ndarray) and (value.ndim == 0 or value.size == 1) or np.isscalar(value)


def _bias_broadcastable(a, b) -> bool:
    """One operand is the other with some axes of length 1 (a bias broadcast over examples)."""
    if a.shape == b.shape or a.ndim != b.ndim:
        return a.shape == b.shape
    small, big = (a, b) if a.size < b.size else (b, a)
    return all(s == g or s == 1 for s, g in zip(small.shape, big.shape, strict=False))


def combine(a, b, op):
    """a + b or a / b, elementwise."""
    fns = {"add": np.add, "div": np.divide, "mul": np.multiply}
    if isinstance(a, ShapeOnly) or isinstance(b, ShapeOnly):
        return shape_combine(a, b, op)
    if isinstance(a, Lab) or isinstance(b, Lab):
        return lab_op(a, b, fns[op])
    a, b = plain(a), plain(b)
    if is_scalar(a) or is_scalar(b):
        return fns[op](a.reshape(()) if a.size == 1 and b.size != 1 else a, b.reshape(()) if b.size == 1 and a.size != 1 else b)
    if not _bias_broadcastable(a, b):
        raise DimensionError(f"shapes {a.shape} and {b.shape} do not match")
    return fns[op](a, b)


def elementwise(fn, *args):
    if any(isinstance(a, Lab) for a in args):
        if len(args) == 1:
            return Lab(fn(args[0].data), args[0].labels)
        return lab_op(args[0], args[1], fn)
    arrays = [plain(a) for a in args]
    if len(arrays) == 2 and not (is_scalar(arrays[0]) or is_scalar(arrays[1])) and not _bias_broadcastable(*arrays):
        raise DimensionError(f"shapes {arrays[0].shape} and {arrays[1].shape} do not match")
    return fn(*arrays)


def select(cond, a, b):
    if isinstance(cond, Lab) or isinstance(a, Lab) or isinstance(b, Lab):
        labels = tuple(dict.fromkeys(sum((x.labels for x in (cond, a, b) if isinstance(x, Lab)), ())))
        check_labelled((cond, a, b), labels)
        c, x, y = (broadcast_lab(v, labels, ) for v in (cond, a, b))
        return Lab(np.where(c, x, y), labels)
    cond, a, b = plain(cond), plain(a), plain(b)
    try:
        np.broadcast_shapes(cond.shape, a.shape, b.shape)
    except ValueError:
        raise EvalError(f"a case's condition is {describe(cond)} and its value {describe(a)}: they do not match, "
                        "so which entries the condition picks is not written") from None
    out = np.where(cond, a, b)    # np.where keeps a complex step in either branch; an unmatched case stays NaN
    return out.astype(complex) if np.iscomplexobj(a) or np.iscomplexobj(b) else out


def product(a, b, op, ctx):
    """The product of two values under one operator (see the module docstring).

    On a CNN with channels, a product of stacked channel maps (C x h x w, or a C_out x C_in x k x k
    kernel) that does not conform is no evidence of a mistake: notes write the layer's backward pass
    as dK = X * dZ or dX = dZ * rot180(K), meaning a correlation over every pair of channels or a sum
    over the output channels, and which of these a shorthand means is not read here.
    """
    try:
        return _product(a, b, op, ctx)
    except DimensionError as e:
        if ctx.model.arch.multichannel and (_stacked(a) or _stacked(b)):
            raise EvalError(f"{e}: a product of stacked channel maps, whose channel pairing is not read") from None
        raise


def _stacked(value) -> bool:
    return not isinstance(value, (Lab, Jac, ShapeOnly)) and np.ndim(value) > 2


def _product(a, b, op, ctx):
    if isinstance(a, ShapeOnly) or isinstance(b, ShapeOnly):
        return shape_combine(a, b, "matmul" if op in ("juxt", "cdot", "times") else "mul")
    if isinstance(a, Lab) or isinstance(b, Lab):
        contracted = _chain_into_lab(a, b) if op in ("juxt", "cdot") else None
        return contracted if contracted is not None else lab_op(a, b, np.multiply)
    if isinstance(a, Jac) or isinstance(b, Jac):
        return jac_product(a, b, op)
    a, b = np.asarray(a), np.asarray(b)
    cnn = ctx.model.arch.is_cnn
    if cnn and a.ndim == 2 and b.ndim == 2 and a.shape[0] > 1 and a.shape[1] != b.shape[0] \
            and a.size == b.shape[0] and not _is_kernel(b, ctx):
        a = a.reshape(1, -1)  # the pooled map enters the dense layer flattened (the document's flatten layer)
    if op == "star" and ctx.model.arch.multichannel:
        read = _channel_correlation(a, b)
        if read is not None:
            return read
    if op in ("star", "odot", "elementwise"):
        if op == "star" and cnn and a.ndim == 2 and b.ndim == 2 and b.shape != a.shape \
                and not (is_scalar(a) or is_scalar(b)):
            if _is_kernel(b, ctx) or (a.shape[0] > b.shape[0] and a.shape[1] > b.shape[1] and b.shape[0] > 1):
                return conv2d(a, b)   # X * K (and X * dJ/dZ): the valid correlation the CNN tables write with *
            if a.shape[1] == b.shape[0]:
                return a @ b          # A * W: the tables write the dense layer with * too
        return elementwise(np.multiply, a, b)
    if is_scalar(a) or is_scalar(b):
        return (a.reshape(()) if a.size == 1 else a) * (b.reshape(()) if b.size == 1 else b)
    if op in ("juxt", "cdot", "times"):
        if a.ndim == 2 and b.ndim == 2 and a.shape == b.shape and a.shape[1] != b.shape[0]:
            return a * b  # equal shapes that cannot be multiplied as matrices: A(1 - A) is elementwise
        if cnn and a.ndim == 2 and a.shape == b.shape and _is_feature_map(a, ctx) and _is_feature_map(b, ctx):
            return a * b  # two maps of one shape: a map is not a linear map, so square or not this is elementwise
        if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
            raise DimensionError(f"a {a.shape[0]}x{a.shape[1]} matrix times a {b.shape[0]}x{b.shape[1]} matrix does not conform"
                                 if a.ndim == 2 and b.ndim == 2 else "a product of non-matrices")
        return a @ b
    raise EvalError(f"unknown product {op}")


def _channel_correlation(a, b):
    """X * K and X * dZ on stacked channel maps, the valid correlation over channels; None for other shapes.

    X (C_in x H x W) * K (C_out x C_in x k x k) is the layer's forward pass: the input channels are
    summed, z[o] = sum_c X[c] * K[o, c]. X * dZ with dZ (C_out x h x w) smaller than X has no channel
    axis in common, so every pair is correlated: (X * dZ)[o, c] = X[c] * dZ[o], the kernel gradient.
    """
    if a.ndim != 3 or a.shape[1] < 2 or a.shape[2] < 2:
        return None
    if b.ndim == 4 and b.shape[1] == a.shape[0] and a.shape[1] >= b.shape[2] and a.shape[2] >= b.shape[3]:
        return conv2d_channels(a, b)
    if b.ndim == 3 and a.shape[1] > b.shape[1] and a.shape[2] > b.shape[2]:
        return np.stack([np.stack([conv2d(a[c], b[o]) for c in range(a.shape[0])]) for o in range(b.shape[0])])
    return None


def _is_feature_map(value, ctx) -> bool:
    shapes = {np.shape(v) for k, v in ctx.model.values.items() if k[0] in ("K", "W")}
    return min(value.shape) > 1 and value.shape not in shapes


def _is_kernel(value, ctx):
    return any(np.shape(ctx.model.values.get(f"K{l}")) == value.shape for l in range(1, 8))


def jac_product(a, b, op):
    """Chain-rule products: contract the inner quantity's axes. A scalar factor just scales."""
    if not isinstance(a, Jac):
        a_arr = np.asarray(a)
        if isinstance(b, Jac) and a_arr.shape == tuple(b.out_shape):
            a = Jac(a_arr, (), a_arr.shape)       # a gradient dJ/dX acting as the first row of the chain
        elif a_arr.size == 1:
            return Jac(a_arr.reshape(()) * b.data, b.out_shape, b.in_shape)
        else:
            a = Jac(a_arr, (), a_arr.shape)
    if not isinstance(b, Jac):
        b_arr = np.asarray(b)
        if b_arr.size == 1:
            return Jac(a.data * b_arr.reshape(()), a.out_shape, a.in_shape)
        if a.in_shape == () or op in ("star", "odot"):
            raise DimensionError("a Jacobian times a matrix")
        raise DimensionError("a Jacobian times a matrix that is not a derivative")
    if a.in_shape != b.out_shape:
        raise DimensionError(f"chain-rule factors do not chain: {a.in_shape} vs {b.out_shape}")
    k = len(a.in_shape)
    data = np.tensordot(a.data, b.data, axes=k)
    if a.out_shape == ():
        return data if data.shape == b.in_shape else Jac(data, (), b.in_shape)
    return Jac(data, a.out_shape, b.in_shape)


# ---- labelled arrays (index notation) -------------------------------------------------------------------


def broadcast_lab(value, labels):
    if isinstance(value, Lab):
        data = value.data
        present = list(value.labels)
        if np.ndim(data) != len(present):
            raise EvalError("an indexed quantity with axes its indices do not name")
        for label in labels:
            if label not in present:
                data = data[..., None]
                present.append(label)
        return np.transpose(data, [present.index(l) for l in labels])
    if isinstance(value, Jac):
        value = value.as_array()
        if value is None:
            raise EvalError("an indexed quantity times a whole Jacobian: write both with indices, or both as matrices")
    if isinstance(value, ShapeOnly):
        raise EvalError("a shape used as a value")
    arr = np.asarray(value)
    if arr.size != 1:
        raise EvalError("an indexed quantity mixed with a matrix expression")
    return arr.reshape((1,) * len(labels))


def _chain_into_lab(a, b):
    """dJ/dA . dA/dz_j: a gradient against the unnamed trailing axes of an indexed Jacobian sums over them."""
    if isinstance(b, Lab) and not isinstance(a, Lab):
        grad, lab = a, b
    elif isinstance(a, Lab) and not isinstance(b, Lab):
        grad, lab = b, a
    else:
        return None
    if isinstance(grad, Jac):
        grad = grad.as_array()
    if not isinstance(grad, np.ndarray) or grad.size == 1:
        return None
    extra = np.ndim(lab.data) - len(lab.labels)
    trailing = tuple(np.shape(lab.data)[len(lab.labels):])
    if extra <= 0 or int(np.prod(trailing)) != grad.size:
        return None
    if trailing != grad.shape:
        if sum(1 for n in grad.shape if n != 1) > 1:
            return None
        grad = grad.reshape(trailing)   # a column vector against the vector's own axis
    return Lab(np.tensordot(lab.data, grad, axes=(tuple(range(len(lab.labels), np.ndim(lab.data))),
                                                    tuple(range(grad.ndim)))), lab.labels)


def as_lab_like(value, lab: Lab):
    """A whole matrix next to an expression in free indices (dJ/dY . {1 if z_{i,j} > 0}): read it at those
    indices, when its shape is the indexed expression's (a one-channel axis aside)."""
    if isinstance(value, (Lab, Jac, ShapeOnly)):
        return value
    arr = np.asarray(value)
    if arr.size <= 1 or np.ndim(lab.data) != len(lab.labels):
        return value
    squeeze = lambda shape: tuple(n for n in shape if n != 1)
    if squeeze(arr.shape) != squeeze(np.shape(lab.data)) or arr.size != np.size(lab.data):
        return value
    return Lab(arr.reshape(np.shape(lab.data)), lab.labels)


def lab_op(a, b, fn):
    if isinstance(a, Lab) and isinstance(b, Lab) and a.labels == b.labels and np.shape(a.data) == np.shape(b.data) \
            and np.ndim(a.data) > len(a.labels):
        return Lab(fn(a.data, b.data), a.labels)   # t_q - y_q: two rows of example q, unit by unit
    if isinstance(a, Lab) and not isinstance(b, Lab):
        b = as_lab_like(b, a)
    elif isinstance(b, Lab) and not isinstance(a, Lab):
        a = as_lab_like(a, b)
    labels = tuple(dict.fromkeys((a.labels if isinstance(a, Lab) else ()) + (b.labels if isinstance(b, Lab) else ())))
    check_labelled((a, b), labels)
    return Lab(fn(broadcast_lab(a, labels), broadcast_lab(b, labels)), labels)


def check_labelled(values, labels) -> None:
    """The broadcast of labelled values over `labels`: its size is the product of each label's length."""
    sizes = {}
    for v in values:
        if isinstance(v, Lab):
            for label, n in zip(v.labels, np.shape(v.data), strict=False):
                sizes[label] = max(sizes.get(label, 1), n)
    count = 1
    for label in labels:
        count *= sizes.get(label, 1)
    check_elements(count, f"a product {label_text(labels)}")


def label_text(labels) -> str:
    return "over the indices " + ", ".join(labels)


# ---- shape algebra for \mathbb{R}^{[a, b]} ---------------------------------------------------------------


def shape_combine(a, b, op):
    sa = a.shape if isinstance(a, ShapeOnly) else np.shape(plain(a))
    sb = b.shape if isinstance(b, ShapeOnly) else np.shape(plain(b))
    if op == "matmul":
        if len(sa) == 0 or np.prod(sa) == 1:
            return ShapeOnly(tuple(sb))
        if len(sb) == 0 or np.prod(sb) == 1:
            return ShapeOnly(tuple(sa))
        if sa[-1] != sb[0]:
            raise DimensionError(f"shapes {sa} and {sb} do not conform")
        return ShapeOnly((sa[0], sb[-1]))
    if len(sa) == 0 or np.prod(sa) == 1:
        return ShapeOnly(tuple(sb))
    if len(sb) == 0 or np.prod(sb) == 1:
        return ShapeOnly(tuple(sa))
    if tuple(sa) != tuple(sb):
        raise DimensionError(f"shapes {sa} and {sb} do not match")
    return ShapeOnly(tuple(sa))
