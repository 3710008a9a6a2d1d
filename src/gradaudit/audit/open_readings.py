"""Readings the notes leave open: a claim that fails as first read but holds under another reading the
notes allow is not an error (issue 20: an error needs a claim false under every reading the notes allow).

Each reading here is one a careful reader gives a construct real notes use without pinning it down:

- `\\sum dZ^{[l]}` with no index and no limits, in a batch layout: the sum over the m examples (the
  column sums np.sum(dZ, axis=1, keepdims=True) of a bias gradient), not the sum of every entry;
- `\\sum_{j=1}^{m} w_{i,j} a_j`: m, the limit of a sum over a unit index, the length of the axis j runs
  over (notes name a layer's width m as often as the number of examples);
- a layer number n in a note about an L-layer network, in a claim that names no L: layer n of an n-layer
  example (the output), as well as a hidden layer of a deeper network.

The auditor tries them only after the claim failed as first read; a claim that holds under one of them is
`notation`, with the reading named, so that the author can pin it down.
"""
from __future__ import annotations

from ..notation import ast as N
from ..notation.tree import transform, walk


def sums_over_examples(step, ctx):
    """Every unlimited, unindexed \\sum of the step read as the sum over the examples' axis (keepdims)."""
    if ctx.model.arch.is_cnn or not ctx.model.layout.batched:
        return step
    axis = ctx.model.layout.example_axis

    def fn(n):
        if isinstance(n, N.Sum) and n.style == "sigma" and n.index is None and not n.over \
                and n.lower is None and n.upper is None and n.axis is None:
            return N.Sum(n.body, axis=axis, keepdims=True, style="np")
        return n
    return transform(step, fn)


def limits_as_lengths(step):
    """\\sum_{j=1}^{m} with j an element index of the body: the limits dropped, so that j runs over the axis
    it indexes (a bare name as the upper limit, other than the depth L)."""
    def fn(n):
        if isinstance(n, N.Sum) and isinstance(n.index, N.Sym) and isinstance(n.upper, N.Sym) \
                and not n.upper.index and n.upper.layer is None and n.upper.name not in ("L", "l") \
                and isinstance(n.lower, N.Num) and n.lower.value in (0, 1) and _indexes(n.body, n.index.name):
            return N.Sum(n.body, index=n.index, over=n.over, style=n.style)
        return n
    return transform(step, fn)


def _indexes(body, label: str) -> bool:
    return any(isinstance(x, N.Sym) and x.index and any(isinstance(i, N.Sym) and i.name == label for i in x.index)
               for x in walk(body))


def rename(node, name: str, to: str):
    """node with the bare name `name` (no index, layer or tag) written `to` instead."""
    return transform(node, lambda n: N.Sym(to) if isinstance(n, N.Sym) and n.name == name and not n.index
                     and n.layer is None and not n.tag and not n.font else n)


SUMS_OVER_EXAMPLES = ("\\sum without limits is read as the sum over the m examples (as np.sum(..., axis) of "
                      "the batch): write its index and limits to pin it down")
LIMITS_AS_LENGTHS = ("the sum's upper limit is read as the length of the axis its index runs over, not as the "
                     "number of examples")
READINGS = (
    (sums_over_examples, SUMS_OVER_EXAMPLES),
    (lambda step, ctx: limits_as_lengths(step), LIMITS_AS_LENGTHS),
)
