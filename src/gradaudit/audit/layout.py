"""Layout repair: is an informal product right under some placement of transposes, order and ⊙?

Texts write (A^{[3]} - Y) W^{[3]} A^{[2]}(1 - A^{[2]}) A^{[1]} for
(W^{[3]T}(A^{[3]} - Y) ⊙ A^{[2]} ⊙ (1 - A^{[2]})) A^{[1]T}: a chain-rule product read left to
right, each factor applied to the running gradient the way its shape allows. The search
folds the factors in order; at each factor it tries the placements a backpropagation step
can take (G F, G F^T, F G, F^T G, G ⊙ F, also with G transposed), keeps those whose shapes
conform, and drops duplicates by value, so it stays small even for eight factors.
A repair that only reads juxtaposition as ⊙, or sums a bias gradient over the examples, is
pure notation; one that moves or adds transposes is notation in an informal text and a
`transpose` error in a strict one.
"""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

import numpy as np

from ..notation import ast as N
from ..notation import tree
from .compare import Match, close
from .judge import judge
from .model import conv2d, full_convolution
from ..notation.tree import walk
from .evaluate import evaluate
from .tree import EvalError
from .values import Jac

MAX_CANDIDATES = 400
MAX_FACTORS = 12


@dataclass
class Repair:
    node: N.Node
    kind: str
    detail: str
    layout_only: bool


def repair(ref, step, contexts, deadline) -> Repair | None:
    for finder in (_elementwise_reading, _summed_over_examples, _fold_reading):
        if time.monotonic() > deadline:
            raise TimeoutError
        found = finder(ref, step, contexts, deadline)
        if found is not None:
            outcome = judge(ref, found.node, contexts, deadline)
            if outcome.match is Match.EQUAL:
                return found
    return None


def _products(node):
    """The paths of the products a reader might mean elementwise (juxtaposition, \\cdot, \\times), outside
    derivatives."""
    return [path for path, n in tree.subtrees(node, stop=lambda n: isinstance(n, (N.Deriv, N.DerivOp)))
            if isinstance(n, N.Mul) and n.op in ("juxt", "cdot", "times")]


def _with_ops(node, paths):
    """A copy of node with the products at the chosen paths rewritten as ⊙ products."""
    for path in paths:
        node = tree.replace_at(node, path, N.Mul(tree.at(node, path).factors, "odot"))
    return node


def _elementwise_reading(ref, step, contexts, deadline):
    products = _products(step)
    if not products or len(products) > 8:
        return None
    for r in range(1, len(products) + 1):
        for subset in itertools.combinations(products, r):
            if time.monotonic() > deadline:
                raise TimeoutError
            candidate = _with_ops(step, subset)
            outcome = judge(ref, candidate, contexts[:1], deadline)
            if outcome.match is Match.EQUAL:
                return Repair(candidate, "notation", "a product written by juxtaposition or \\cdot is elementwise (⊙)",
                              True)
    return None


def _summed_over_examples(ref, step, contexts, deadline):
    if isinstance(ref, N.Sym) and ref.name in ("b", "B") and not ref.index:
        return None   # the bias itself (b : n x m in a dimension table), not its gradient: nothing is elided
    ctx = contexts[0]
    axis = ctx.model.layout.example_axis
    if ctx.model.arch.is_cnn:
        axis = None   # one shared bias per feature map: the sum over every position
    where = "every position of the feature map (one bias per map)" if axis is None else "the examples"
    for body in (_without_times_one(step), step, _with_ops(step, _products(step))):
        candidate = N.Sum(body, axis=axis, keepdims=axis is not None, style="np")
        outcome = judge(ref, candidate, contexts[:1], deadline)
        if outcome.match is Match.EQUAL:
            if axis is not None and any(isinstance(n, N.Div) and n.num == N.Num(1) and n.den == N.Sym("m")
                                        for n in walk(step)):
                # an explicit 1/m averages over the examples: the sum it averages is missing, not elided
                return Repair(candidate, "sum", "the 1/m averages over the m examples, but the sum over them is "
                                                "missing", False)
            return Repair(candidate, "notation", f"the bias gradient is the sum over {where}", True)
    return None


def _without_times_one(node):
    """dJ/dZ . 1 (dZ/db written as 1) reads as dJ/dZ inside the sum."""
    if isinstance(node, N.Mul):
        kept = tuple(f for f in node.factors if f != N.Num(1))
        if len(kept) < len(node.factors):
            return kept[0] if len(kept) == 1 else N.Mul(kept, node.op) if kept else node
    return node


# ---- the fold -------------------------------------------------------------------------------------------

def factors_of(node):
    """Flatten a product into (sign, factors)."""
    sign = 1
    while isinstance(node, N.Neg):
        sign, node = -sign, node.arg
    if isinstance(node, N.Mul) and node.op in ("juxt", "cdot", "times", "star", "odot"):
        out = []
        for f in node.factors:
            s, fs = factors_of(f) if isinstance(f, (N.Mul, N.Neg)) and getattr(f, "op", "juxt") in ("juxt", "cdot", "times") \
                else (1, [f])
            sign *= s
            out.extend(fs)
        return sign, out
    return sign, [node]


def _value(node, ctx):
    v = evaluate(node, ctx)
    if not isinstance(v, (Jac, np.ndarray)) and not np.isscalar(v):
        raise EvalError("not a matrix factor")
    if isinstance(v, Jac):
        v = v.as_array()
        if v is None:
            raise EvalError("a Jacobian factor")
    return np.asarray(v)


def transposed(node):
    """node^T as a person writes it: W^{[3]T}, and (A^T)^T is A."""
    if isinstance(node, N.Transpose):
        return node.arg
    if isinstance(node, N.Sym) and node.layer is not None and node.style in ("[]", "()") and not node.index:
        return N.Transpose(node, "inner")
    return N.Transpose(node)


def _odot(a, b):
    """a ⊙ b, flattened: ⊙ is associative, so (x ⊙ y) ⊙ z needs no brackets."""
    left = a.factors if isinstance(a, N.Mul) and a.op == "odot" else (a,)
    return N.Mul(left + (b,), "odot")


def _cnn_placements(g_node, g, f_node, f, cnn: bool):
    """In a CNN a pooled map also enters the dense layer flattened to a row (the document's flatten layer)."""
    yield from _placements(g_node, g, f_node, f)
    if cnn and f.ndim == 2 and min(f.shape) > 1 and g.ndim == 2 and 1 in g.shape:
        yield from _placements(g_node, g, N.Call("flatten", (f_node,), bracket="()"), f.reshape(1, -1))


def _placements(g_node, g, f_node, f):
    T = transposed
    if g.ndim == 2 and f.ndim == 2 and g.size > 1 and f.size > 1:
        if f.shape[0] > g.shape[0] and f.shape[1] > g.shape[1]:
            yield N.Mul((f_node, g_node), "star"), conv2d(f, g), 0        # dJ/dK = X * dJ/dZ (valid correlation)
        if 1 < f.shape[0] < g.shape[0] and 1 < f.shape[1] < g.shape[1]:
            yield N.Call("fullconv", (g_node, f_node)), full_convolution(g, f), 0   # dJ/dX from dJ/dZ and K
    if g.size == 1 or f.size == 1:
        scaled = (g.reshape(()) if g.size == 1 else g) * (f.reshape(()) if f.size == 1 else f)
        yield N.Mul((g_node, f_node), "juxt"), scaled, 0
        if g.size == 1 and f.ndim == 2 and f.size > 1 and 1 in f.shape:
            # one output unit makes A - Y a number; write the form that also holds with several:
            # a column's outer product (A - Y) A^T, a row's pull-back W^T (A - Y)
            pair = (g_node, T(f_node)) if f.shape[1] == 1 else (T(f_node), g_node)
            yield N.Mul(pair, "juxt"), scaled.T, 1
        return
    if g.shape == f.shape:
        yield _odot(g_node, f_node), g * f, 0
    if g.T.shape == f.shape:
        yield _odot(T(g_node), f_node), g.T * f, 1
    for left_node, left, right_node, right, cost in (
            (g_node, g, f_node, f, 0), (g_node, g, T(f_node), f.T, 1), (f_node, f, g_node, g, 1),
            (T(f_node), f.T, g_node, g, 1), (T(g_node), g.T, f_node, f, 1), (f_node, f, T(g_node), g.T, 1)):
        if left.ndim == 2 and right.ndim == 2 and left.shape[1] == right.shape[0]:
            yield N.Mul((left_node, right_node), "juxt"), left @ right, cost


def _elementwise_ops(node) -> int:
    return sum(len(n.factors) - 1 for n in walk(node) if isinstance(n, N.Mul) and n.op in ("odot", "star"))


def _compound_transposes(node) -> int:
    return sum(1 for n in walk(node) if isinstance(n, N.Transpose) and not isinstance(n.arg, N.Sym))


def _fold_reading(ref, step, contexts, deadline):
    ctx = contexts[0]
    sign, factors = factors_of(step)
    if len(factors) < 2 or len(factors) > MAX_FACTORS:
        return None
    try:
        target = evaluate(ref, ctx)
        if isinstance(target, Jac):
            target = target.as_array()
        if target is None or not isinstance(target, np.ndarray) and not np.isscalar(target):
            return None   # index notation (labelled arrays) has no layout to repair
        target = np.asarray(target)
        values = [_value(f, ctx) for f in factors]
    except EvalError:
        return None
    frontier = [(factors[0], values[0], 0)]
    for f_node, f in zip(factors[1:], values[1:], strict=False):
        if time.monotonic() > deadline:
            raise TimeoutError
        seen = {}
        for g_node, g, cost in frontier:
            for node, value, extra in _cnn_placements(g_node, g, f_node, f, ctx.model.arch.is_cnn):
                key = (value.shape, np.round(np.real(value), 9).tobytes())
                rank = (cost + extra, _compound_transposes(node))
                if key not in seen or (seen[key][2], _compound_transposes(seen[key][0])) > rank:
                    seen[key] = (node, value, cost + extra)
        frontier = sorted(seen.values(), key=lambda t: t[2])[:MAX_CANDIDATES]
        if not frontier:
            return None
    matches = []
    for node, value, cost in frontier:
        finals = [(node, value, 0), (transposed(node), value.T, 1)]
        if ctx.model.arch.is_cnn and value.size == target.size and value.shape != target.shape and 1 in value.shape:
            finals.append((node, value.reshape(target.shape), 0))   # a flattened row back to the pooled map
        for final_node, final, extra in finals:
            v = -final if sign < 0 else final
            if v.shape == target.shape and close(v, target):
                matches.append((cost + extra, _compound_transposes(final_node), len(matches), node, final_node))
    if not matches:
        return None
    # the cheapest reading; on a tie the one that transposes names, not products: W^T (A - Y), not ((A - Y) W)^T
    cost, _, _, node, final_node = min(matches, key=lambda t: t[:3])
    out = N.Neg(final_node) if sign < 0 else final_node
    moved = cost > 0 or final_node is not node
    if not ctx.model.arch.is_cnn and _elementwise_ops(out) < _elementwise_ops(step):
        # W^T \odot dZ: the text insists on an elementwise product where the shapes need a matrix product
        return Repair(out, "dimension", "an explicit elementwise product (\\odot or *) where the shapes need a matrix "
                                        "product", False)
    convolved = any(isinstance(n, N.Call) and n.func == "fullconv" or isinstance(n, N.Mul) and n.op == "star"
                    for n in walk(out))
    detail = ("the chain-rule product needs transposes and a different order: "
              "each factor applied the way its shape allows") if moved else \
        ("the product with the convolution's input or kernel is a correlation (dK) or a full "
         "convolution (dX)") if convolved else \
        "the chain-rule product is right read with elementwise products"
    return Repair(out, "transpose" if moved else "notation", detail, not moved)
