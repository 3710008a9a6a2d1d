"""Sums written out with an ellipsis, e^{z_1} + e^{z_2} + \\dots + e^{z_n}, read as the sum they abbreviate.

The explicit terms before the dots must be one pattern in a single integer index with the values
lo..hi (in any order), and the term after the dots the same pattern at the upper limit; a single
term before the dots counts only as a_1 + \\dots + a_n, with a named upper limit. Anything
else (two indices that move together, a gap, a pattern that changes) is left as written, and the
evaluator reports it unsupported: an ellipsis means only what its pattern makes unambiguous.
"""
from __future__ import annotations

from dataclasses import fields, replace
from fractions import Fraction

from ..notation import ast as N

HOLE_NAMES = ("q", "r", "u", "v", "nu", "mu", "kappa")


def read_elided_sums(node):
    from .resolve import transform
    used = {n.name for n in _walk(node) if isinstance(n, N.Sym)}
    hole = next((h for h in HOLE_NAMES if h not in used), None)
    if hole is None or not any(isinstance(n, N.Dots) for n in _walk(node)):
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
    if type(a) is not type(b) or not isinstance(a, N.Node):
        return None
    out = []
    for f in fields(a):
        if not f.compare:
            continue
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, tuple) and isinstance(y, tuple):
            if len(x) != len(y):
                return None
            for k, (u, v) in enumerate(zip(x, y)):
                sub = _differences(u, v, path + ((f.name, k),))
                if sub is None:
                    return None
                out += sub
        elif isinstance(x, N.Node) and isinstance(y, N.Node):
            sub = _differences(x, y, path + ((f.name, None),))
            if sub is None:
                return None
            out += sub
        elif x != y:
            return None
    return out


def _fill(node, paths, value):
    """node with the subtree at each path replaced by value."""
    if () in paths:
        return value
    changes = {}
    for name in {p[0][0] for p in paths}:
        inner = [p for p in paths if p[0][0] == name]
        current = getattr(node, name)
        if inner[0][0][1] is None:
            changes[name] = _fill(current, [p[1:] for p in inner], value)
        else:
            items = list(current)
            for k in {p[0][1] for p in inner}:
                items[k] = _fill(items[k], [p[1:] for p in inner if p[0][1] == k], value)
            changes[name] = tuple(items)
    return replace(node, **changes)


def _walk(node):
    from .evaluate import walk
    return walk(node)
