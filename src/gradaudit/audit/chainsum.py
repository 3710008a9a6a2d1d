"""A chain-rule sum with terms missing: dJ/dx_v written through some of the outputs x_v feeds, not all.

An input element that feeds several outputs of the next quantity (a pixel under several positions of a
convolution window, a unit read by every unit of the next layer) has the chain rule's sum over all of them:
dJ/dx_v = sum_u dJ/du_u du_u/dx_v. A text that writes the terms of some outputs only (often one) has left
the others out. The rule reads the outputs the written terms go through (each term starts with dJ/du_u, an
element of one quantity U), asks the network which elements of U depend on x_v (its Jacobian), and, when
the written ones are some of them and each written term is its output's own (the factor after dJ/du is
du/dx_v), adds the missing terms as partial derivatives. If the completed sum
holds everywhere, the diagnosis is `sum`; if it does not (a written term is itself wrong), nothing is said.
"""
from __future__ import annotations

import itertools
from dataclasses import replace
from fractions import Fraction

import numpy as np

from ..notation import ast as N
from .compare import Match
from .derivatives import element_position
from .names import quantity_key
from .tree import EvalError, show as _show

MAX_INDEX_TRIES = 4096   # index tuples tried to name a position: small maps only (the texts' worked examples)


def _first_deriv(term):
    factors = term.factors if isinstance(term, N.Mul) else (term,)
    first = factors[0]
    return first if isinstance(first, N.Deriv) else None


def complete(ref, step, contexts, deadline, judge):
    """(corrected tree, detail) when adding the outputs' missing terms makes the claim right, else None.

    `judge` is the auditor's (passed in: the auditor calls the diagnosis, which calls this)."""
    if not isinstance(ref, N.Deriv) or not isinstance(ref.den, N.Sym) or not ref.den.index:
        return None
    terms = step.terms if isinstance(step, N.Add) else (step,)
    firsts = [_first_deriv(t) for t in terms]
    if not terms or any(f is None or not isinstance(f.den, N.Sym) or not f.den.index for f in firsts):
        return None
    ctx = contexts[0]
    try:
        if quantity_key(ref.num, ctx) != "J" or any(quantity_key(f.num, ctx) != "J" for f in firsts):
            return None
        in_key = quantity_key(replace(ref.den, index=(), index_style=""), ctx)
        out_keys = {quantity_key(replace(f.den, index=(), index_style=""), ctx) for f in firsts}
        if len(out_keys) != 1 or in_key in out_keys:
            return None
        (out_key,) = out_keys
        v = element_position(ref.den, in_key, ctx)
        written = [element_position(f.den, out_key, ctx) for f in firsts]
        jac = np.asarray(ctx.model.jacobian(out_key, in_key))
        size_out = np.size(ctx.model.values[out_key])
        feeds = {int(p) for p in np.nonzero(jac.reshape(size_out, -1)[:, v])[0]}
    except (EvalError, AttributeError, KeyError, ValueError, IndexError):
        return None
    if len(set(written)) != len(written) or not set(written) < feeds:
        return None
    for term, first in zip(terms, firsts, strict=False):
        # each written term must be its output's own: the factor after dJ/du is du/dx_v (a max-pooling network
        # has dJ/du = 0 at most outputs, so the sum alone would let a wrong factor through)
        rest = term.factors[1:] if isinstance(term, N.Mul) else ()
        factor = N.Num(Fraction(1)) if not rest else rest[0] if len(rest) == 1 else N.Mul(tuple(rest), term.op)
        if judge(N.Deriv(first.den, ref.den, True), factor, contexts, deadline).match is not Match.EQUAL:
            return None
    names = _names_for(firsts[0].den, out_key, feeds - set(written), ctx)
    if names is None:
        return None
    added = tuple(N.Mul((N.Deriv(ref.num, u, True), N.Deriv(u, ref.den, True)), "juxt") for u in names)
    corrected = N.Add(tuple(terms) + added)
    if judge(ref, corrected, contexts, deadline).match is not Match.EQUAL:
        return None
    missing = ", ".join(_show(u) for u in names)
    return corrected, (f"the terms of the other outputs it feeds are missing: {_show(ref.den)} also feeds "
                       f"{missing}, and the chain rule sums over every output it feeds")


def _names_for(template: N.Sym, key: str, positions: set, ctx):
    """The template element renamed to each position (z_{1[0,0]} for position 0), read back through the
    evaluator so that the text's own index convention (0- or 1-based, the order of the axes) is kept."""
    shape = np.shape(ctx.model.values[key])
    width = max(shape, default=1) + 2
    arity = len(template.index)
    if width ** arity > MAX_INDEX_TRIES or not all(isinstance(i, N.Num) for i in template.index):
        return None
    found = {}
    for values in itertools.product(range(-1, width - 1), repeat=arity):
        sym = replace(template, index=tuple(N.Num(Fraction(x)) for x in values))
        try:
            position = element_position(sym, key, ctx)
        except (EvalError, IndexError, ValueError):
            continue
        if position in positions and position not in found:
            found[position] = sym
    if set(found) != positions:
        return None
    return [found[p] for p in sorted(positions)]
