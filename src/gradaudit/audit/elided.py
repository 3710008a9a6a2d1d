"""Sums written out with an ellipsis, e^{z_1} + e^{z_2} + \\dots + e^{z_n}, read as the sum they abbreviate.

The explicit terms before the dots must be one pattern in a single integer index with the values
lo..hi (in any order), and the term after the dots the same pattern at the upper limit; a single
term before the dots counts only as a_1 + \\dots + a_n, with a named upper limit. Anything
else (two indices that move together, a gap, a pattern that changes) is left as written, and the
evaluator reports it unsupported: an ellipsis means only what its pattern makes unambiguous.
"""
from __future__ import annotations

from dataclasses import fields
from fractions import Fraction

from ..notation import ast as N
from ..notation import tree
from ..notation.tree import transform, walk
from . import budget

HOLE_NAMES = ("q", "r", "u", "v", "nu", "mu", "kappa")


def read_elided_sums(node):
    used = {n.name for n in walk(node) if isinstance(n, N.Sym)}
    hole = next((h for h in HOLE_NAMES if h not in used), None)
    if hole is None or not any(isinstance(n, N.Dots) for n in walk(node)):
        return node
    return transform(node, lambda n: _read_add(n, hole) if isinstance(n, N.Add) else n)


def _read_add(add: N.Add, hole: str):
    terms = list(add.terms)
    dots = [i for i, t in enumerate(terms) if isinstance(t, N.Dots)]
    if len(dots) != 1 or dots[0] == 0 or dots[0] + 1 >= len(terms):
        return add
    d = dots[0]
    last = terms[d + 1]
    values, paths, bound = [], None, None
    start = d
    for j in range(d - 1, -1, -1):
        budget.check()   # a long written-out sum is read term by term, inside the formula's budget
        found = _differences(terms[j], last)
        if not found:
            break
        these = tuple(p for p, _, _ in found)
        ints = {a for _, a, _ in found}
        ends = {b for _, _, b in found}
        if len(ints) != 1 or len(ends) != 1 or (paths is not None and these != paths):
            break
        paths, bound = these, ends.pop()
        values.append(ints.pop())
        start = j
    if not values or len(set(values)) != len(values) or max(values) - min(values) + 1 != len(values):
        return add   # distinct and without a gap (never a list of every index: z_{10^8} is one written term)
        return add
    if isinstance(bound, N.Num) and bound.value <= max(values):
        return add
    if len(values) == 1 and (isinstance(bound, N.Num) or values[0] not in (0, 1)):
        return add   # one term shows no pattern: only a_1 + \dots + a_n (or a_0 + ...) is unambiguous
    body = _fill(last, paths, N.Sym(hole))
    total = N.Sum(body, index=N.Sym(hole), lower=N.Num(Fraction(min(values))), upper=bound)
    rest = terms[:start] + [total] + terms[d + 2:]
    return rest[0] if len(rest) == 1 else N.Add(tuple(rest))


def _differences(a, b, path=()):
    """Where a and b differ: a list of (path, integer in a, subtree of b); None if they differ otherwise."""
    if a == b:
        return []
    if isinstance(a, N.Num) and a.value.denominator == 1 and not isinstance(b, N.Dots):
        return [(path, int(a.value), b)]
    if type(a) is not type(b) or not isinstance(a, N.Node) or _skeleton(a) != _skeleton(b):
        return None
    ours, theirs = list(tree.children(a)), list(tree.children(b))
    if [step for step, _ in ours] != [step for step, _ in theirs]:
        return None
    out = []
    for (step, u), (_, v) in zip(ours, theirs, strict=True):
        sub = _differences(u, v, path + (step,))
        if sub is None:
            return None
        out += sub
    return out


def _skeleton(node):
    """A node's compared fields with every subtree blanked: equal skeletons differ only in their subtrees."""
    def blank(value):
        if isinstance(value, N.Node):
            return None
        return tuple(blank(v) for v in value) if isinstance(value, tuple) else value
    return tuple(blank(getattr(node, f.name)) for f in fields(node) if f.compare)


def _fill(node, paths, value):
    """node with the subtree at each path replaced by value."""
    for path in paths:
        node = tree.replace_at(node, path, value)
    return node
