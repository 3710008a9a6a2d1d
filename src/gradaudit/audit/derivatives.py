"""Derivatives in a formula: dJ/dW and dZ/dA from the model's exact gradients and Jacobians, and d/dX of an
explicit expression (d(log p_k)/do_i, f'(z)) by the complex step on X, element by element where indexed.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..notation import ast as N
from ..notation.tree import walk
from .aliases import expand_alias, names_its_index
from .budget import check_elements
from .dispatch import HANDLERS, evaluate
from .indexing import label_jac, labelled
from .model import STEP, imag
from .names import Context, is_loss, loss_call, quantity_key
from .tree import EvalError, show as _show
from .values import Jac, Lab, plain


def _deriv(node: N.Deriv, ctx: Context):
    num, den = node.num, node.den
    if _example_term(num, den):
        num = replace(num, layer=None, style="")
    if isinstance(num, N.Call) and loss_call(num):
        num = N.Sym("J")
    if not isinstance(num, N.Sym) and isinstance(den, N.Sym):
        return _derivop(N.DerivOp(den, num, node.partial), ctx)   # \partial \sigma(z) / \partial z: of an expression
    if ctx.shorthand == "per-example" and isinstance(num, N.Sym) and num.name == "L" and num.font == "mathcal" \
            and isinstance(den, N.Sym) and not den.index:
        # where the text's dA is per example, \mathcal{L} is one example's loss (J averages it): dL/dA is dA
        return evaluate(N.Shorthand(den), ctx)
    if not isinstance(num, N.Sym) or not isinstance(den, N.Sym):
        raise EvalError("a derivative of something other than a named quantity")
    out_key = quantity_key(num, ctx)
    in_key = quantity_key(den, ctx)
    num, den = _named_index(num, ctx), _named_index(den, ctx)
    if out_key == "J":
        grad = ctx.model.grad(in_key)
        if den.index:
            return labelled(grad, den, in_key, ctx, derivative=True)
        return grad
    jac = ctx.model.jacobian(out_key, in_key)
    if num.index or den.index:
        return label_jac(jac, num, out_key, den, in_key, ctx)
    return Jac(jac, np.shape(ctx.model.values[out_key]), np.shape(ctx.model.values[in_key]))


def _named_index(sym: N.Sym, ctx: Context) -> N.Sym:
    """Bishop's bias w_{j0} named b_j: the element its name stands for is b's element j (the 0 is part of the name)."""
    if not names_its_index(sym, ctx):
        return sym
    alias = expand_alias(sym, ctx)
    return replace(sym, index=alias.index, index_style=alias.index_style) if isinstance(alias, N.Sym) else sym


def _derivop(node: N.DerivOp, ctx: Context):
    """d/dX (body): the Jacobian of an explicit expression, by complex step on X."""
    if not isinstance(node.den, N.Sym):
        raise EvalError("d/d of something other than a named quantity")
    key = quantity_key(node.den, ctx)
    base = np.asarray(ctx.overrides.get(key, ctx.model.values[key]))
    exact = base.dtype == object   # 60-digit numbers (audit/exact.py) carry the complex step themselves
    base = base if exact else base.astype(complex)
    if node.den.index:
        return _derivop_element(node, key, base, ctx)
    value0 = evaluate(node.body, ctx)
    if not isinstance(value0, np.ndarray):
        raise EvalError("d/d of a derivative")
    out_shape = value0.shape
    check_elements(value0.size * base.size, f"the derivative of {_show(node.body)}")
    jac = np.zeros(out_shape + base.shape, dtype=object if exact else float)
    flat = base.reshape(-1)
    saved = dict(ctx.overrides)
    try:
        for k in range(flat.size):
            bumped = flat.copy()
            bumped[k] += 1j * STEP
            ctx.overrides = bumped_overrides(ctx, saved, {key: bumped.reshape(base.shape)})
            value = evaluate(node.body, ctx)
            jac.reshape(out_shape + (flat.size,))[..., k] = imag(value) / STEP
    finally:
        ctx.overrides = saved
    if out_shape == ():
        return jac
    return Jac(jac, out_shape, base.shape)


def bumped_overrides(ctx: Context, saved: dict, changes: dict) -> dict:
    """The values with each quantity in `changes` set to its new value and everything computed from them
    recomputed, so that d/dZ (J) sees J move: a partial derivative holds the other inputs where they are."""
    forced = {k: v for k, v in saved.items() if k in ctx.model.values}
    forced.update(changes)
    for key in ("X", "A0"):
        if key in changes:
            forced["X"] = forced["A0"] = changes[key]
    try:
        downstream = ctx.model.forward(forced)
    except Exception:  # noqa: BLE001 - a model without a forward pass: only the bumped values move
        downstream = {}
    return {**saved, **downstream, **forced}


def element_position(sym: N.Sym, key: str, ctx: Context) -> int:
    """The flat position in quantity `key` of the one element sym names (z_1, x_{[0,1]}): read sym from an
    array of positions, so that every index convention the evaluator knows applies unchanged."""
    base = ctx.model.values[key]
    saved = dict(ctx.overrides)
    try:
        ctx.overrides = dict(saved, **{key: np.arange(np.size(base), dtype=float).reshape(np.shape(base))})
        position = evaluate(sym, ctx)
    finally:
        ctx.overrides = saved
    if isinstance(position, Lab) and len(position.labels) == 1 and np.ndim(position.data) == 1:
        return position   # o_i, i free: every element, labelled i
    if isinstance(position, Lab) or np.size(position) != 1:
        raise EvalError(f"{_show(sym)}: the index must name one element")
    return int(np.real(plain(position)).reshape(()))


def _derivop_element(node: N.DerivOp, key: str, base, ctx: Context):
    """d/dz_1 (body): bump the one element z_1 names; d(log p_k)/do_i with i free: each element o_i in turn,
    the results labelled i."""
    if _free_element(node.den, key, ctx):
        return _derivop_elements(node, key, base, ctx)
    position = element_position(node.den, key, ctx)
    if isinstance(position, Lab):
        label = position.labels[0]
        if label in ctx.summing or label in ctx.free_summing:
            raise EvalError(f"{_show(node.den)}: the index must name one element")
        values = [_derivop_at(node, key, base, int(np.real(p)), ctx) for p in np.asarray(position.data).reshape(-1)]
        return _stack(values, label)
    return _derivop_at(node, key, base, position, ctx)


def _stack(values: list, label: str) -> Lab:
    """Results for each value of a label, as one value with that label first."""
    if all(isinstance(v, Lab) and v.labels == values[0].labels for v in values):
        if label in values[0].labels:
            raise EvalError("d/d of an expression indexed by the same letter as its variable")
        return Lab(np.stack([v.data for v in values]), (label,) + values[0].labels)
    if any(isinstance(v, (Lab, Jac)) for v in values) or any(np.size(v) != 1 for v in values):
        raise EvalError("d/d by an element with a free index of a non-scalar expression")
    return Lab(np.array([np.reshape(v, ()) for v in values]), (label,))


def _derivop_at(node: N.DerivOp, key: str, base, position: int, ctx: Context):
    bumped = base.reshape(-1).copy()
    bumped[position] += 1j * STEP
    saved = dict(ctx.overrides)
    try:
        ctx.overrides = bumped_overrides(ctx, saved, {key: bumped.reshape(base.shape)})
        value = evaluate(node.body, ctx)
    finally:
        ctx.overrides = saved
    if isinstance(value, Lab):
        return Lab(imag(value.data) / STEP, value.labels)
    if isinstance(value, Jac):
        raise EvalError("d/d of a derivative")
    return imag(value) / STEP


def _example_term(num, den) -> bool:
    """dE^q/dU_{qj}: E^q, the loss marked with the example index q of what it is differentiated by, is E's term of
    example q (E = \\sum_q E^q); no other term depends on example q's quantities, so its derivative is E's."""
    if not (isinstance(num, N.Sym) and isinstance(num.layer, N.Sym) and not num.layer.index and num.layer.layer is None
            and is_loss(replace(num, layer=None))):
        return False
    return isinstance(den, N.Sym) and len(den.index) >= 2 and den.index[0] == N.Sym(num.layer.name)


def _element_labels(sym: N.Sym, key: str, ctx: Context):
    """The positions in quantity `key` of the elements sym names, as read from an array of positions."""
    base = ctx.model.values[key]
    saved = dict(ctx.overrides)
    try:
        ctx.overrides = dict(saved, **{key: np.arange(np.size(base), dtype=float).reshape(np.shape(base))})
        return evaluate(sym, ctx)
    finally:
        ctx.overrides = saved


def _free_element(sym: N.Sym, key: str, ctx: Context) -> bool:
    """Does sym (W_{ij} with i, j free) name one element for each value of its free indices?"""
    try:
        positions = _element_labels(sym, key, ctx)
    except EvalError:
        return False
    return isinstance(positions, Lab) and np.ndim(positions.data) == len(positions.labels)


def _derivop_elements(node: N.DerivOp, key: str, base, ctx: Context):
    """d(\\sum_k h_k W_{kj} + b_j)/dW_{ij}: the derivative of an indexed expression by the element W_{ij}, for every
    value of the free indices. An index the expression and the element share (j here) is one index: the entry
    where both take the same value."""
    positions = _element_labels(node.den, key, ctx)
    labels, grid = positions.labels, np.asarray(positions.data)
    check_elements(grid.size * base.size, f"the derivative of {_show(node.body)}")
    flat, saved, entries, rest = base.reshape(-1), dict(ctx.overrides), {}, None
    try:
        for at in np.ndindex(grid.shape):
            bumped = flat.copy()
            bumped[int(round(float(np.real(grid[at]))))] += 1j * STEP
            ctx.overrides = bumped_overrides(ctx, saved, {key: bumped.reshape(base.shape)})
            value = evaluate(node.body, ctx)
            if isinstance(value, Jac):
                raise EvalError("d/d of a derivative")
            if isinstance(value, Lab):
                own = tuple(x for x in value.labels if x not in labels)
                data = value.aligned(tuple(x for x in value.labels if x in labels) + own)
                for x in (x for x in value.labels if x in labels):
                    data = data[at[labels.index(x)]]
            else:
                own, data = (), np.asarray(value)
                if data.size != 1:
                    raise EvalError("d/d of an element by an expression that is not indexed")
                data = data.reshape(())
            if rest is not None and own != rest:
                raise EvalError("the expression's indices change with the element")
            rest, entries[at] = own, imag(data) / STEP
    finally:
        ctx.overrides = saved
    out = np.stack([entries[at] for at in np.ndindex(grid.shape)]).reshape(grid.shape + np.shape(entries[at]))
    return Lab(out, tuple(labels) + tuple(rest or ()))


def _prime(node: N.Prime, ctx):
    free = free_scalar(node.body, ctx)
    return _derivop(N.DerivOp(N.Sym(free), node.body), ctx)


def free_scalar(node, ctx) -> str:
    names = {s.name for s in walk(node) if isinstance(s, N.Sym) and not s.index and s.layer is None
             and s.name in ctx.model.values}
    names -= {"J"}
    if len(names) != 1:
        raise EvalError("(...)' needs exactly one free variable")
    return names.pop()


HANDLERS.update({N.Deriv: _deriv, N.DerivOp: _derivop, N.Prime: _prime})
