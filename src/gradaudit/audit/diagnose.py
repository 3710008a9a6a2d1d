"""Diagnosis: the smallest edit of a wrong formula's tree that makes it right names the mistake.

The edits are a table (edits.py, one decorated function each). The search tries a chain-rule
rebuild, the missing terms of a sum, every single edit, then (within the time budget) an edit
followed by a layout repair, a wrong label on the left side, then pairs of edits. The first that
holds in every environment is the diagnosis; its tree prints as the corrected LaTeX, which the
auditor has therefore checked.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from ..notation import ast as N
from ..notation.tree import subtrees
from . import budget, chainsum, layout
from .aliases import declared_swaps
from .compare import Match
from .edits import Given, candidates, free_letters
from .names import quantity_key
from .tree import EvalError
from .judge import judge
from .kinds import ErrorItem
from .layout import factors_of
from .tree import show as _show


@dataclass
class Found:
    """A diagnosis: the corrected tree, the kind of mistake and what is wrong."""
    node: N.Node
    kind: str
    detail: str
    ref: N.Node | None = None
    more: list = field(default_factory=list)   # further (kind, detail) of the same correction


# ---- the search ----------------------------------------------------------------------------------------------


def chain_fix(ref, step, contexts, deadline) -> Found | None:
    """A product of partial derivatives that does not chain: rebuild it along the network's path."""
    sign, factors = factors_of(step)
    if sign < 0 or len(factors) < 2 or not all(isinstance(f, N.Deriv) for f in factors):
        return None
    ctx = contexts[0]
    try:
        keys = [(quantity_key(f.num, ctx), quantity_key(f.den, ctx)) for f in factors]
    except EvalError:
        return None
    rebuilt = _rebuild(ref, factors, keys, contexts, deadline)
    if rebuilt is not None:
        return rebuilt
    for f, (num_key, den_key) in zip(factors, keys, strict=False):
        if num_key != den_key and _independent(ctx, num_key, den_key):
            return Found(None, "step", f"{_show(f)} is zero: {_show(f.num)} does not depend on {_show(f.den)}, "
                                       f"so the chain rule cannot pass through it")
    return None


def _rebuild(ref, factors, keys, contexts, deadline):
    ctx = contexts[0]
    kept = [factors[0]]
    for k in range(1, len(factors)):
        if keys[k][0] != keys[k - 1][1]:
            break
        kept.append(factors[k])
    else:
        return None
    start, end = keys[len(kept) - 1][1], keys[-1][1]
    path = _path(ctx.model, start, end)
    if path is None:
        return None
    style = factors[0].den.style if isinstance(factors[0].den, N.Sym) else ""
    rebuilt = kept + [N.Deriv(_sym_for(a, style), _sym_for(b, style), factors[0].partial) for a, b in zip(path, path[1:], strict=False)]
    node = N.Mul(tuple(rebuilt), "juxt")
    if judge(ref, node, contexts, deadline).match is Match.EQUAL:
        wrong = ", ".join(_show(f) for f in factors[len(kept):])
        return Found(node, "step", f"the chain-rule factors do not chain from {_show(factors[len(kept) - 1])} on "
                                   f"({wrong}): each denominator must be the next numerator")
    return None


def _independent(ctx, out_key, in_key) -> bool:
    try:
        jac = ctx.model.jacobian(out_key, in_key)
    except Exception:
        return False
    return bool(np.all(jac == 0))


def _path(model, start: str, end: str):
    """Quantities from `start` down to `end` through the forward pass: A2, Z2, A1, Z1, b1."""
    order = [k for k in getattr(model, "order", []) if k != "J"]
    if start not in order:
        return None
    consumer = end
    if end not in order:  # a parameter: the Z of its layer consumes it
        consumer = "Z" + end[1:]
        if consumer not in order:
            return None
    i, j = order.index(consumer), order.index(start)
    if i > j:
        return None
    path = list(reversed(order[i:j + 1]))
    return path + ([end] if end != consumer else [])


def _sym_for(key: str, style: str) -> N.Sym:
    if key in ("X", "Y", "J"):
        return N.Sym(key)
    name, layer = key[0], int(key[1:])
    if name == "P":
        return N.Sym("Y", layer=N.Num(Fraction(layer)), tag="pool", style=style)
    return N.Sym(name, layer=N.Num(Fraction(layer)), style=style)


def _circular(ref, node) -> bool:
    """A = max(0, A) or dZ = dZ: a 'correction' that defines a quantity by itself says nothing."""
    budget.check()
    if node == ref:
        return True
    # the loss L against a^{[L]}: a layer's number is not the quantity
    return isinstance(ref, N.Sym) and any(sub == ref and all(key != "layer" for key, _ in path)
                                          for path, sub in subtrees(node))


def bounded_search(ref, step, contexts, deadline, strict: bool) -> Found | None:
    """The search within its own budget: running out of time means no diagnosis, not a failure."""
    try:
        with budget.limit(deadline):   # building the edits counts too, not only evaluating them
            return search(ref, step, contexts, deadline, strict)
    except TimeoutError:
        return None


def search(ref, step, contexts, deadline, strict: bool) -> Found | None:
    chained = chain_fix(ref, step, contexts, deadline)
    if chained is not None:
        return chained
    completed = chainsum.complete(ref, step, contexts, deadline, judge)
    if completed is not None:
        return Found(completed[0], "sum", completed[1])
    singles = []
    declared = declared_swaps(getattr(contexts[0], "aliases", None) or {})
    letters = free_letters(ref) if isinstance(ref, N.Node) else set()
    for candidate in candidates(step, Given(declared or None, frozenset(letters))):
        # each check walks the tree: a 500-term formula must stay in its budget
        if time.monotonic() > deadline:
            raise TimeoutError
        if not _circular(ref, candidate[2]):
            singles.append(candidate)
    quick = contexts[:1]
    # 1. one edit, as written; failing that, one edit that is right read as notation (a flattened map, a
    #    Jacobian written as its factor)
    for wanted in (Match.EQUAL, Match.LOCAL):
        for kind, detail, node in singles:
            if time.monotonic() > deadline:
                raise TimeoutError
            if judge(ref, node, quick, deadline).match is wanted and judge(ref, node, contexts, deadline).match is wanted:
                return Found(node, kind, detail)
    # 2. one edit, then a layout repair (informal products around the real mistake)
    for kind, detail, node in singles:
        if time.monotonic() > deadline:
            raise TimeoutError
        if kind == "transpose":
            continue
        try:
            fixed = layout.repair(ref, node, quick, deadline)
        except TimeoutError:
            raise
        if fixed is not None and judge(ref, fixed.node, contexts, deadline).match is Match.EQUAL:
            if fixed.layout_only or not strict:
                return Found(fixed.node, kind, detail)
            return Found(fixed.node, kind, detail, more=[(fixed.kind, fixed.detail)])
    # 3. a wrong label on the left side, with at most one edit of the right side
    for _, ldetail, lnode in list(candidates(ref, side="left")):
        for kind, detail, node in [(None, "", step)] + singles:
            if time.monotonic() > deadline:
                raise TimeoutError
            if lnode == node:
                continue   # X = X holds but says nothing: not a correction
            if judge(lnode, node, quick, deadline).match is Match.EQUAL and \
                    judge(lnode, node, contexts, deadline).match is Match.EQUAL:
                found = Found(node, "label", f"the left side names the wrong quantity: {ldetail}", ref=lnode)
                if kind is not None:
                    found.more = [(kind, detail)]
                return found
    # 4. two edits (small trees only: the pairs grow with the square)
    if len(singles) > 80:
        return None
    for kind, detail, node in singles:
        for _, detail2, node2 in candidates(node):
            if time.monotonic() > deadline:
                raise TimeoutError
            if _circular(ref, node2):
                continue
            if judge(ref, node2, quick, deadline).match is Match.EQUAL and \
                    judge(ref, node2, contexts, deadline).match is Match.EQUAL:
                return Found(node2, kind, f"{detail}; {detail2}")
    return None


def relabel(first, second, contexts, deadline):
    """A label edit of the chain's first step that makes it name what the steps compute."""
    # a renamed left side: never its underived quantity, which the chain's first step may well be
    for _, detail, node in list(candidates(first, side="left", skip=("edit_underived",))):
        if time.monotonic() > deadline:
            raise TimeoutError
        if judge(node, second, contexts, deadline).match in (Match.EQUAL, Match.LOCAL) or \
                layout.repair(node, second, contexts, deadline) is not None:
            return ErrorItem("label", f"the left side names the wrong quantity: {detail}", _show(node))
    return None
