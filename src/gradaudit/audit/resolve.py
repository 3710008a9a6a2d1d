"""A section's notation conventions applied to a parsed tree, before anything is evaluated.

The parser records what is written (Z_2 has a digit subscript, Y_{pool}^2 a digit
superscript); the section says what that means (a layer, an element index, a power).
"""
from __future__ import annotations

from dataclasses import replace

from ..notation import ast as N
from .elided import read_elided_sums


def transform(node, fn):
    """Rebuild a tree bottom-up through fn."""
    if not isinstance(node, N.Node):
        return node
    changes = {}
    for key, value in node.__dict__.items():
        if isinstance(value, N.Node):
            new = transform(value, fn)
            if new is not value:
                changes[key] = new
        elif isinstance(value, tuple) and any(isinstance(v, (N.Node, tuple)) for v in value):
            new = tuple(transform(v, fn) if isinstance(v, N.Node)
                        else tuple(transform(x, fn) for x in v) if isinstance(v, tuple) else v for v in value)
            if new != value:
                changes[key] = new
    if changes:
        node = replace(node, **changes)
    return fn(node)


def normalize(node, section):
    subscript = getattr(section, "subscript", "index")
    superscript = getattr(section, "superscript", "power")

    def fn(n):
        if isinstance(n, N.Sym) and n.sublayer is not None:
            if subscript == "layer" and n.layer is None:
                return replace(n, layer=n.sublayer, sublayer=None)
            if subscript == "index" and not n.index and n.layer is not None or (subscript == "index" and not n.index):
                return replace(n, index=(n.sublayer,), sublayer=None)
        if superscript == "layer" and isinstance(n, N.Pow) and isinstance(n.base, N.Sym) \
                and n.base.layer is None and isinstance(n.exp, (N.Num, N.Sym)):
            return replace(n.base, layer=n.exp, style="^")
        return n

    return read_elided_sums(transform(transform(node, fn), _juxtaposition_binds_tighter))


def _juxtaposition_binds_tighter(n):
    """g'(Z) \\odot W^T dZ is g'(Z) \\odot (W^T dZ): a matrix product written by juxtaposition binds tighter
    than an explicit elementwise product (\\odot, *), as W^T dZ \\odot g'(Z) is (W^T dZ) \\odot g'(Z)."""
    if isinstance(n, N.Mul) and n.op == "juxt" and len(n.factors) >= 2 and isinstance(n.factors[0], N.Mul) \
            and n.factors[0].op in ("odot", "star") and len(n.factors[0].factors) >= 2:
        inner = n.factors[0]
        tail = N.Mul((inner.factors[-1],) + n.factors[1:], "juxt")
        return N.Mul(inner.factors[:-1] + (tail,), inner.op)
    return n
