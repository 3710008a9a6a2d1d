"""Sums, maxima and cases: \\sum_{i=1}^{m}, \\sum_l over layers, np.sum(axis=...), \\max_{a=0}^{p-1}, and
piecewise values whose conditions are read as arrays (1 if z > 0)."""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..notation import ast as N
from ..notation.tree import transform, walk
from .dispatch import HANDLERS, evaluate
from .names import Context, is_class_count, layer_value, output_width
from .tree import DimensionError, EvalError, show as _show
from .values import Jac, Lab, ShapeOnly, describe, elementwise, plain, select, whole


def _sum(node: N.Sum, ctx: Context):
    if node.style == "np" or node.axis is not None:
        value = evaluate(node.body, ctx)
        if isinstance(value, ShapeOnly):
            shape = list(value.shape)
            if node.axis is None:
                return ShapeOnly(())
            shape[node.axis] = 1
            return ShapeOnly(tuple(shape) if node.keepdims else tuple(shape[:node.axis] + shape[node.axis + 1:]))
        if isinstance(value, Lab) and node.axis is None and np.ndim(value.data) > len(value.labels):
            # \|t_q - y_q\|^2 of example q's row: the sum over the row's units, the axis no index names
            unnamed = tuple(range(len(value.labels), np.ndim(value.data)))
            return Lab(np.sum(value.data, axis=unnamed), value.labels)
        value = plain(value)
        if node.axis is not None and not -value.ndim <= node.axis < value.ndim:
            raise EvalError(f"np.sum over axis {node.axis} of {describe(value)}, which has no axis {node.axis}")
        return np.sum(value, axis=node.axis, keepdims=node.keepdims)
    if node.index is not None and _over_layers(node):
        return _layer_sum(node, ctx)
    if node.index is not None:
        label = node.index.name
        saved = ctx.index_ranges.get(label)
        if node.lower is not None and node.upper is not None:
            lo = _limit(node.lower, ctx)
            hi = _limit(node.upper, ctx)   # a limit named nowhere else (n, M-1) is a length: see _named_lengths
            _check_range(lo, hi)
            ctx.index_ranges[label] = (lo, hi)
        bounded = node.lower is not None and node.upper is not None and label not in ctx.summing
        free = (node.lower is None or node.upper is None) and label not in ctx.summing | ctx.free_summing
        if bounded:
            ctx.summing.add(label)
        if free:
            ctx.free_summing.add(label)
        try:
            value = evaluate(node.body, ctx)
        finally:
            if bounded:
                ctx.summing.discard(label)
            if free:
                ctx.free_summing.discard(label)
            if saved is None:
                ctx.index_ranges.pop(label, None)
            else:
                ctx.index_ranges[label] = saved
        if isinstance(value, Lab) and label in value.labels:
            axis = value.labels.index(label)
            return Lab(np.sum(value.data, axis=axis), value.labels[:axis] + value.labels[axis + 1:]) \
                if len(value.labels) > 1 else np.sum(value.data, axis=axis)
        # a term that does not depend on the summation index is counted once per value of it
        if node.lower is None or node.upper is None:
            raise DimensionError(f"the sum over {label} has no term indexed by {label} and no limits")
        count = hi - lo + 1
        if isinstance(value, Lab):
            return Lab(value.data * count, value.labels)
        if isinstance(value, Jac):
            return Jac(value.data * count, value.out_shape, value.in_shape)
        return np.asarray(value) * count
    if node.style == "text":
        value = plain(evaluate(node.body, ctx))
        axis = ctx.model.layout.example_axis
        if value.ndim <= axis:
            raise EvalError(f"a sum along the examples of {describe(value)}, which has no axis of examples")
        return np.sum(value, axis=axis, keepdims=True)
    value = evaluate(node.body, ctx)
    if isinstance(value, Lab) and len(value.labels) == 1 and np.ndim(value.data) == 1:
        return np.sum(value.data)   # \sum (y_i - a^L_i)^2: a bare \sum over a body with one index is the sum over it
    return np.sum(plain(value))


def _over_layers(node: N.Sum) -> bool:
    """\\sum_{l=1}^{L} ... W^{[l]}: the summation index is a layer index of the body (an L2 penalty's sum)."""
    if (node.lower is None) != (node.upper is None) or not isinstance(node.index, N.Sym):
        return False   # \sum_l with no limits at all runs over every layer; half a range is read no further
    label = node.index.name
    return any(isinstance(n, N.Sym) and n.layer is not None
               and any(isinstance(x, N.Sym) and x.name == label for x in walk(n.layer)) for n in walk(node.body))


def _layer_sum(node: N.Sum, ctx: Context):
    """The body evaluated at each layer lo..hi (the index bound as a layer, shadowing the claim's own l), summed."""
    label = node.index.name
    if node.lower is None:   # \sum_l \|W^{[l]}\|^2: every layer of the network
        lo, hi = 1, ctx.depth
    else:
        lo, hi = (ctx.depth if b == N.Sym("L") and "L" not in ctx.bindings else layer_value(b, ctx)
                  for b in (node.lower, node.upper))
    _check_range(lo, hi)
    saved = ctx.bindings.get(label)
    total = 0.0
    try:
        for layer in range(lo, hi + 1):
            ctx.bindings[label] = layer
            value = plain(evaluate(node.body, ctx))
            if np.ndim(total) and np.shape(total) != np.shape(value):
                raise DimensionError(f"the terms of the sum over the layers {label} have different shapes")
            total = total + value
    finally:
        if saved is None:
            ctx.bindings.pop(label, None)
        else:
            ctx.bindings[label] = saved
    return np.asarray(total)


def _max(node: N.Max, ctx: Context):
    """\\max_{a=0}^{p-1} body: the largest value of body over the label's range (max-pooling's window)."""
    if node.index is None or node.lower is None or node.upper is None:
        raise EvalError("a \\max over indices without limits")
    label = node.index.name
    saved = ctx.index_ranges.get(label)
    lo, hi = _limit(node.lower, ctx), _limit(node.upper, ctx)
    _check_range(lo, hi)
    ctx.index_ranges[label] = (lo, hi)
    try:
        value = evaluate(node.body, ctx)
    finally:
        if saved is None:
            ctx.index_ranges.pop(label, None)
        else:
            ctx.index_ranges[label] = saved
    if not isinstance(value, Lab) or label not in value.labels:
        return value   # the body does not depend on the label: every value is the same
    axis = value.labels.index(label)
    best = np.expand_dims(np.argmax(np.real(value.data), axis=axis), axis)
    data = np.take_along_axis(value.data, best, axis=axis).squeeze(axis)   # keeps complex-step parts
    labels = value.labels[:axis] + value.labels[axis + 1:]
    return Lab(data, labels) if labels else data


MAX_TERMS = 10_000   # a sum or max evaluated term by term; the networks checked have at most a few hundred


def _check_range(lo: int, hi: int) -> None:
    if hi - lo + 1 > MAX_TERMS:
        raise EvalError(f"a sum or max over {hi - lo + 1} terms is longer than the {MAX_TERMS} the auditor evaluates")


def _limit(node, ctx) -> int:
    """A sum's or max's limit as a whole number: one finite number, or a sentence saying why not."""
    value = _bound(node, ctx)
    if isinstance(value, (Jac, Lab, ShapeOnly)) or np.size(value) != 1:
        raise EvalError(f"the limit {_show(node)} is not a number")
    return whole(plain(value), f"the limit {_show(node)}")


def names_a_length(node) -> bool:
    """n, or M - 1: a limit that is a length written as a name; m_L, n_l: a layer's width, its layer as subscript."""
    if isinstance(node, N.Sym) and not node.index and node.layer is None:
        return True
    if isinstance(node, N.Sym) and len(node.index) == 1 and node.layer is None and not node.tag \
            and any(isinstance(x, N.Sym) and x.name in ("L", "l") for x in walk(node.index[0])):
        return True
    return isinstance(node, N.Add) and len(node.terms) == 2 and names_a_length(node.terms[0]) \
        and node.terms[1] in (N.Num(-1), N.Neg(N.Num(1)))


def _bound(node, ctx):
    """A sum's limit: C there (C, C-1) is the number of classes (the output width), not the cost."""
    classes = N.Num(Fraction(output_width(ctx)))
    return evaluate(transform(node, lambda n: classes if is_class_count(n) else n), ctx)


def _cases(node: N.Cases, ctx: Context):
    """Piecewise values; a condition on layer numbers (l = L) picks its branch before anything else runs."""
    for value, cond in node.branches:
        if cond is None:
            continue
        try:
            test = _condition(cond, ctx)
        except EvalError:
            break
        if np.ndim(test) == 0 and not isinstance(test, Lab):
            if bool(test):
                return evaluate(value, ctx)
            continue
        break
    else:
        default = [v for v, c in node.branches if c is None]
        if default:
            return evaluate(default[0], ctx)
    default = None
    conds, values = [], []
    for value, cond in node.branches:
        v = evaluate(value, ctx)
        if cond is None:
            default = v
        else:
            conds.append(_condition(cond, ctx))
            values.append(v)
    if default is None:
        default = np.array(np.nan)
    result = default
    for cond, v in reversed(list(zip(conds, values, strict=False))):
        result = select(cond, v, result)
    return result


def _condition(rel: N.Rel, ctx: Context):
    if not isinstance(rel, N.Rel):
        raise EvalError("a case condition that is not a comparison")
    left, right = _condition_side(rel.left, ctx), _condition_side(rel.right, ctx)
    ops = {">": np.greater, "<": np.less, ">=": np.greater_equal, "<=": np.less_equal,
           "!=": np.not_equal, "=": np.equal}
    fn = ops[rel.op]
    return elementwise(lambda a, b: fn(np.real(a), np.real(b)), left, right)


def _condition_side(node, ctx: Context):
    """In `if i \\neq j` an index label stands for its own values."""
    if isinstance(node, N.Sym) and node.name in ctx.index_ranges and node.layer is None and not node.index:
        lo, hi = ctx.index_ranges[node.name]
        return Lab(np.arange(lo, hi + 1, dtype=float), (node.name,))
    return evaluate(node, ctx)


HANDLERS.update({N.Sum: _sum, N.Max: _max, N.Cases: _cases})
