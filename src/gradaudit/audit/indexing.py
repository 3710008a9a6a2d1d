"""Index notation: w_{i,j}, a_j, x_{[i+p,j+q]}, \\delta_{ij} read as labelled arrays (values.Lab).

A label used bare as an index ranges over the axis it indexes; a sum bounds it; an index expression
(i + p, i s + a) is evaluated over every label's range, and a term past a map's edge is zero.
"""
from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import numpy as np

from ..notation import ast as N
from ..notation.tree import walk
from .aliases import names_its_index
from .budget import check_elements
from .names import ALPHA, SCALARS, Context, is_class_count, output_width, quantity_key
from .tree import DimensionError, EvalError, show as _show
from .values import Lab, label_text


def label_ranges(nodes, ctx: Context) -> dict:
    """label -> (first, last) for each bare label that indexes an axis of a known quantity."""
    ranges = {}
    for node in nodes:
        for sub in walk(node):
            if not (isinstance(sub, N.Sym) and sub.index):
                continue
            try:
                key = _key_of(sub, ctx)
                data = index_arrays(sub, key, ctx.model.values[key], ctx)
            except Exception:  # a name that does not resolve gives no range
                continue
            data = with_channel_axis(data, sub.index, key, ctx)
            if len(sub.index) != np.ndim(data):
                continue
            for axis, idx in enumerate(sub.index):
                if isinstance(idx, N.Sym) and not idx.index and idx.layer is None and not is_class_count(idx) \
                        and idx.name not in ctx.lengths:
                    ranges.setdefault(idx.name, (ctx.index_base, ctx.index_base + np.shape(data)[axis] - 1))
    return ranges


def _key_of(sym: N.Sym, ctx: Context) -> str:
    """The quantity an indexed name indexes: its letter's, or the one its unit letters name (Bishop's w_{kj}, when
    the notes name w_{kj} as the second layer's weights and w_{ji} as the first's)."""
    if names_its_index(sym, ctx):
        return quantity_key(sym, ctx)
    return quantity_key(replace(sym, index=(), index_style=""), ctx)


def index_arrays(sym: N.Sym, key: str, value: np.ndarray, ctx: Context):
    """The array sym's element indices address: one example's vector of units for A, Z, Y, X, b."""
    data = np.asarray(value)
    columns = ctx.model.layout.examples_in_columns and not ctx.model.arch.is_cnn
    if key[0] in ("A", "Z", "Y", "X", "b") and data.ndim == 2:
        # a vector of units of one example: index the unit axis
        if columns and data.shape[1] == 1:
            data = data[:, 0]
        elif not columns and data.shape[0] == 1:
            data = data[0, :]
    return data


def kronecker(node: N.Sym, ctx: Context):
    """\\delta_{ij} (or \\delta_{i,j}): 1 where the two indices agree. None when the symbol is not one."""
    if node.name != "delta" or node.layer is not None:
        return None
    if len(node.index) == 2 and all(isinstance(i, N.Sym) and not i.index for i in node.index):
        labels = tuple(i.name for i in node.index)
    elif not node.index and node.tag and len(node.tag) == 2 and node.tag.isalpha():
        labels = tuple(node.tag)
    else:
        return None
    if not all(label in ctx.index_ranges for label in labels):
        return None
    (lo_a, hi_a), (lo_b, hi_b) = (ctx.index_ranges[label] for label in labels)
    if labels[0] == labels[1]:
        return np.array(1.0)   # \delta_{ii}: the two indices agree
    check_elements((hi_a - lo_a + 1) * (hi_b - lo_b + 1), f"the Kronecker delta {_show(node)}")
    a, b = np.arange(lo_a, hi_a + 1), np.arange(lo_b, hi_b + 1)
    return Lab((a[:, None] == b[None, :]).astype(float), labels)


def indexed(sym: N.Sym, ctx: Context):
    if any(isinstance(i, N.Sym) and (i.index or i.layer is not None) for i in sym.index):
        raise EvalError(f"an index that is itself a quantity ({_show(sym)}: the class label as an index) is not read")
    key = quantity_key(sym, ctx)
    value = ctx.overrides.get(key, ctx.model.values[key])
    if sym.tag == "new":   # w_j := w_j - \alpha dJ/dw_j: the updated entry
        value = value - ALPHA * ctx.model.grad(key)
    return labelled(value, sym, key, ctx)


def labelled(value, sym: N.Sym, key: str, ctx: Context, derivative: bool = False):
    data = index_arrays(sym, key, value, ctx)
    index = written_index(sym, data)
    if derivative or key[0] == "W":
        # \sum_i w_i x_i with one output unit: its 1 x n weights have one row, whose entries one index names
        data = as_vector(data, index, ctx)
    data = with_channel_axis(data, index, key, ctx)
    if len(index) == 1 and data.ndim == 2 and not ctx.model.arch.is_cnn and key[0] in ("A", "Z", "Y") \
            and ctx.model.sizes.m > 1 and 1 in data.shape and ctx.model.sizes.m in data.shape:
        # y_i, \hat{y}_i of an output of one unit (m x 1, or 1 x m): one number per example, the index is the example
        return gather(data.reshape(-1), index, ctx)
    if len(index) == 1 and data.ndim == 2 and ctx.model.convention == "row" and not ctx.model.arch.is_cnn \
            and key[0] in ("A", "Z", "X", "Y") and data.shape[0] == ctx.model.sizes.m > 1:
        # Z_i in the row convention (examples x units) is example i's row; its units stay an unnamed last axis
        return gather(data, index, ctx)
    if len(index) != data.ndim:
        raise EvalError(f"{len(index)} ind{'ex' if len(index) == 1 else 'ices'} on a quantity with {data.ndim} "
                        f"ax{'is' if data.ndim == 1 else 'es'}")
    return gather(data, index, ctx)


def notes_sizes(arch) -> tuple:
    """The widths the notes themselves declare for their network (`network: {sizes: [...]}`), or (): a built-in's
    sizes are its source document's example, not a statement of the notes that name it."""
    declared = getattr(arch, "id", "").startswith("net-") and getattr(arch, "source", "") == "declared"
    return tuple(arch.sizes[0]) if declared and getattr(arch, "sizes", ()) else ()


def _declared_widths(ctx: Context) -> bool:
    """Is the model checked at the widths the notes declare (where an element past the end does not exist)?"""
    sizes = notes_sizes(ctx.model.arch)
    return bool(sizes) and tuple(getattr(ctx.model.sizes, "widths", ())) == sizes


def written_index(sym: N.Sym, data) -> tuple:
    """sym's index on `data`: W_{12} of a matrix is its element (1, 2), the digits written together."""
    digits = sym.index_style[7:] if sym.index_style.startswith("digits:") else ""
    if len(sym.index) == 1 and isinstance(sym.index[0], N.Num) and 1 < len(digits) == np.ndim(data):
        return tuple(N.Num(Fraction(int(d))) for d in digits)
    return sym.index


def as_vector(data, index, ctx: Context):
    """d(...)/dw_i with w a vector stored as an n x 1 column (or a 1 x n row): element i along its long axis.
    (Only in a derivative, and for the weights of a layer of one unit: any other one-index name of a matrix is
    as often a note's own name for another quantity.)"""
    if len(index) == 1 and np.ndim(data) == 2 and 1 in np.shape(data) and not ctx.model.arch.is_cnn:
        return np.reshape(data, -1)
    return data


def with_channel_axis(data, index, key: str, ctx: Context):
    """x_{i,j,k} on a one-channel CNN: the third index is the channel, and there is one.

    b_d of a convolution layer: its bias is held as a (channels, 1, 1) map that broadcasts over the
    positions, and one index names the channel.
    """
    if ctx.model.arch.is_cnn and key[0] in ("X", "Z", "A", "P") and np.ndim(data) == 2 and len(index) == 3:
        return np.asarray(data)[..., None]
    if ctx.model.arch.is_cnn and key[0] == "b" and np.ndim(data) == 3 and np.shape(data)[1:] == (1, 1) \
            and len(index) == 1:
        return np.asarray(data)[:, 0, 0]
    return data


def gather(data, index, ctx: Context):
    """data[index expressions] over the ranges of the labels they use; labels become axes."""
    if len(index) > np.ndim(data):
        raise EvalError(f"{len(index)} indices on a quantity with {np.ndim(data)} "
                        f"ax{'is' if np.ndim(data) == 1 else 'es'}")
    labels = []
    for expr in index:
        for s in walk(expr):
            if isinstance(s, N.Sym) and s.name not in labels and s.name not in ctx.bindings \
                    and not is_size_name(s, ctx) and not is_class_count(s) and s.name not in ctx.lengths:
                labels.append(s.name)
    # ranges: a label used bare as an index takes that axis's length unless a sum bounds it
    ranges = {}
    for axis, expr in enumerate(index):
        if isinstance(expr, N.Sym) and expr.name in labels:
            if expr.name in ctx.index_ranges:
                lo, hi = ctx.index_ranges[expr.name]
                ranges[expr.name] = (lo - ctx.index_base, hi - ctx.index_base + 1)
            else:
                ranges.setdefault(expr.name, (0, data.shape[axis]))
    for label in labels:
        if label not in ranges:
            if label in ctx.index_ranges:
                lo, hi = ctx.index_ranges[label]
                ranges[label] = (lo - ctx.index_base, hi - ctx.index_base + 1)
            else:
                raise EvalError(f"index {label} has no range")
    check_elements(int(np.prod([max(0, hi - lo) for lo, hi in (ranges[l] for l in labels)], dtype=object)),
                   f"the indexed quantity {label_text(labels)}")
    grids = np.meshgrid(*[np.arange(*ranges[l]) for l in labels], indexing="ij") if labels else []
    env = dict(zip(labels, grids, strict=False))
    idx = []
    for expr in index:
        pos = _index_value(expr, env, ctx)
        if not labels or np.ndim(pos) == 0:
            pos = np.full(grids[0].shape if grids else (), pos - (ctx.index_base if not _has_label(expr, labels) else 0))
        idx.append(pos)
    outside = np.zeros(np.shape(idx[0]) if idx else (), dtype=bool)
    for axis, (pos, expr) in enumerate(zip(idx, index, strict=False)):
        off = (pos < 0) | (pos >= data.shape[axis])
        # a sum without limits runs over the terms that exist: \sum_p K_{p} g_{i-p} is the full convolution,
        # the terms past the edge left out, which is the same as counting them zero
        if np.any(off) and not _has_label(expr, ctx.summing | ctx.free_summing):
            if not _has_label(expr, labels) and _declared_widths(ctx):
                raise DimensionError(f"the index {_show(expr)} is past the {data.shape[axis]} entries of that axis in "
                                     "the network the notes declare (sizes:)")
            if not _has_label(expr, labels):   # z_{100}: the text's network may be that wide, the one checked is not
                raise EvalError(f"the index {_show(expr)} is past the {data.shape[axis]} entries of that axis in "
                                "the networks checked (their sizes are small and arbitrary)")
            raise DimensionError("an index runs outside the quantity")
        outside |= off
    if np.any(outside):
        # a sum's term that falls off the edge is zero: the full convolution's zero padding
        idx = [np.clip(pos, 0, data.shape[axis] - 1) for axis, pos in enumerate(idx)]
        picked = data[tuple(idx)]
        if np.shape(picked) != np.shape(outside):   # fewer indices than the quantity has axes
            raise EvalError("an indexed quantity with axes its indices do not name")
        picked = np.where(outside, 0, picked)
    else:
        picked = data[tuple(idx)]
    if not labels:
        return np.asarray(picked)
    return Lab(picked, tuple(labels))


def _has_label(expr, labels):
    return any(isinstance(s, N.Sym) and s.name in labels for s in walk(expr))


def is_size_name(sym: N.Sym, ctx: Context) -> bool:
    """s in y(i s + a): the stride (a size of the network), not an index that runs."""
    return sym.name in SCALARS and sym.name not in ctx.index_ranges and not sym.index and sym.layer is None \
        and (sym.name not in ("k", "p", "s") or ctx.model.arch.is_cnn)


MAX_INDEX = 10 ** 9   # an index past any size the auditor builds, and far inside what NumPy's integers hold


def _index_value(expr, env, ctx):
    if isinstance(expr, N.Num):
        if abs(expr.value) > MAX_INDEX:
            raise EvalError(f"the index {_show(expr)} is past any size the networks checked have")
        return int(expr.value)
    if isinstance(expr, N.Sym):
        if expr.name in env:
            return env[expr.name]
        if expr.name in ctx.bindings:
            return ctx.bindings[expr.name]
        if is_size_name(expr, ctx):
            return int(np.real(SCALARS[expr.name](ctx)))
        if is_class_count(expr):
            return output_width(ctx)   # a_C: the last class
        if expr.name in ctx.lengths:
            return ctx.lengths[expr.name]   # a_n: the last entry
        raise EvalError(f"index {expr.name} has no value")
    if isinstance(expr, N.Add):
        return sum(_index_value(t, env, ctx) for t in expr.terms)
    if isinstance(expr, N.Neg):
        return -_index_value(expr.arg, env, ctx)
    if isinstance(expr, N.Mul):
        out = 1
        for f in expr.factors:
            out = out * _index_value(f, env, ctx)
            if np.max(np.abs(out)) > MAX_INDEX:   # before a product of large indices overflows NumPy's integers
                raise EvalError(f"the index {_show(expr)} is past any size the networks checked have")
        return out
    raise EvalError("an index expression the auditor cannot read")


def label_jac(jac, num, out_key, den, in_key, ctx):
    out_val = ctx.model.values[out_key]
    in_val = ctx.model.values[in_key]
    out_data = index_arrays(num, out_key, out_val, ctx)
    in_data = index_arrays(den, in_key, in_val, ctx)
    num_index, den_index = written_index(num, out_data), written_index(den, in_data)
    out_data, in_data = (as_vector(d, x, ctx) for d, x in ((out_data, num_index), (in_data, den_index)))
    j = jac.reshape(out_data.shape + in_data.shape) if jac.size == out_data.size * in_data.size else None
    if j is None:
        raise EvalError("indexed Jacobian of quantities with several examples")
    if out_key[0] == "W" and ctx.model.convention == "column":
        raise EvalError("indexed Jacobian of a weight")
    if not num.index and out_data.size == 1:
        # dz/dw_i of one number z (one example's 1 x 1 z): indexed by i alone, no unnamed axes of length 1
        j = j.reshape(in_data.shape)
    elif not num.index:
        # dA/dz_j: the named element's axes first, so the index picks them; A's axes stay unnamed at the end
        j = np.moveaxis(j, tuple(range(out_data.ndim)), tuple(range(j.ndim - out_data.ndim, j.ndim)))
    return gather(j, tuple(num_index) + tuple(den_index), ctx)
