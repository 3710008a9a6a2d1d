"""Sums written term by term with an ellipsis whose pattern is not one index (Z_{[0,1]} = x_{[0,1]}k_{[0,0]} +
x_{[0,2]}k_{[0,1]} + \\dots + ...): what the dots leave out cannot be checked, but every term written out can.

- A term that is a product of elements of the network's quantities (x_{[r,c]} k_{[p,q]}, b) must be a term
  of the left side's expansion: its coefficient there, a (mixed) difference of the left side over those
  elements, must be the term's own constant. A term that is not one names the wrong element: `index`.
- A term that is a product of partial derivatives, in a sum for dJ/du, must chain from J to u; a chain
  that ends at another quantity (dz/dx in a sum for dJ/dk) does not follow: `step`.
If every written term holds, the claim stays `unsupported`: the elided terms are not checked.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..notation import ast as N
from ..notation.tree import walk
from .derivatives import bumped_overrides, element_position
from .evaluate import evaluate
from .names import quantity_key
from .tree import EvalError, show as _show
from .values import Jac, Lab, ShapeOnly


@dataclass
class TermVerdict:
    kind: str = ""          # "" when every written term holds
    detail: str = ""


def has_ellipsis(node) -> bool:
    return any(isinstance(n, N.Dots) for n in walk(node))


def check_written_terms(ref, step, ctx) -> TermVerdict | None:
    """None when the written terms are not of a form this check reads."""
    add = _elided_add(step)
    if add is None:
        return None
    terms = [t for t in add.terms if not isinstance(t, N.Dots)]
    if all(_is_chain(t) for t in terms) and isinstance(ref, N.Deriv):
        return _check_chains(ref, terms, ctx)
    return _check_monomials(ref, terms, ctx)


def _elided_add(step):
    if isinstance(step, N.Add) and any(isinstance(t, N.Dots) for t in step.terms):
        return step
    return None


# ---- terms that are chain-rule products --------------------------------------------------------------------

def _factors(term):
    if isinstance(term, N.Mul):
        return list(term.factors)
    return [term]


def _is_chain(term) -> bool:
    factors = _factors(term)
    return len(factors) >= 2 and all(isinstance(f, N.Deriv) for f in factors)


def _key(node, ctx):
    plain = replace(node, index=(), index_style="") if isinstance(node, N.Sym) else node
    return quantity_key(plain, ctx)


def _check_chains(ref: N.Deriv, terms, ctx) -> TermVerdict | None:
    try:
        want_num, want_den = _key(ref.num, ctx), _key(ref.den, ctx)
        for term in terms:
            keys = [(_key(f.num, ctx), _key(f.den, ctx)) for f in _factors(term)]
            links = all(keys[i][1] == keys[i + 1][0] for i in range(len(keys) - 1))
            if keys[0][0] != want_num or keys[-1][1] != want_den or not links:
                return TermVerdict("step", f"the term {_show(term)} does not chain from {_show(ref.num)} to "
                                           f"{_show(ref.den)}: it is not a term of {_show(ref)}")
    except (EvalError, AttributeError):
        return None
    return TermVerdict()


# ---- terms that are products of elements --------------------------------------------------------------------

def _check_monomials(ref, terms, ctx) -> TermVerdict | None:
    model = ctx.model
    if not hasattr(model, "forward"):
        return None
    try:
        base = _scalar(evaluate(ref, ctx))
        seen = set()
        for term in terms:
            constant, elements = _split(term, ctx)
            if not elements or len(elements) > 2 or elements in seen:
                return None
            seen.add(elements)
            coefficient = _coefficient(ref, elements, ctx, base)
            if coefficient is None:
                return None
            if not np.isclose(coefficient, constant, rtol=1e-6, atol=1e-9):
                return TermVerdict("index", f"{_show(term)} is not a term of {_show(ref)}: the element it names "
                                            "does not enter there with that partner")
    except EvalError:
        return None
    return TermVerdict()


def _split(term, ctx):
    """(constant, frozenset of (key, flat position)) for a product of elements; EvalError otherwise."""
    constant = 1.0
    elements = []
    for factor in _factors(term):
        if isinstance(factor, N.Num):
            constant *= float(factor.value)
            continue
        if not isinstance(factor, N.Sym):
            raise EvalError("a term that is not a product of elements")
        key = _key(factor, ctx)
        values = ctx.model.values[key]
        if factor.index:
            elements.append((key, element_position(factor, key, ctx)))
        elif np.size(values) == 1:
            elements.append((key, 0))
        else:
            raise EvalError("a whole matrix in a written-out sum")
    return constant, frozenset(elements)


def _value_with(ref, ctx, bumps: dict):
    """The left side recomputed with elements bumped by 1."""
    changes = {}
    for (key, position), amount in bumps.items():
        value = np.array(changes.get(key, ctx.model.values[key]), dtype=complex)
        value.reshape(-1)[position] += amount
        changes[key] = value
    saved = dict(ctx.overrides)
    try:
        ctx.overrides = bumped_overrides(ctx, saved, changes)
        return _scalar(evaluate(ref, ctx))
    finally:
        ctx.overrides = saved


def _coefficient(ref, elements, ctx, base):
    elements = sorted(elements)
    if len(elements) == 1:
        (e,) = elements
        one, two = _value_with(ref, ctx, {e: 1.0}), _value_with(ref, ctx, {e: 2.0})
        if not np.isclose(two - 2 * one + base, 0, atol=1e-9):
            return None   # not affine in the element: no coefficient to speak of
        return one - base
    a, b = elements
    both = _value_with(ref, ctx, {a: 1.0, b: 1.0})
    return both - _value_with(ref, ctx, {a: 1.0}) - _value_with(ref, ctx, {b: 1.0}) + base


def _scalar(value) -> float:
    if isinstance(value, Jac):
        value = value.as_array()   # a Jacobian of a scalar is a number; of a matrix, not one number
    if value is None or isinstance(value, (Lab, ShapeOnly)) or np.size(value) != 1:
        raise EvalError("the left side is not one number")
    return float(np.real(np.asarray(value).reshape(())))
