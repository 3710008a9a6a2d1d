"""Diagnosis: the smallest edit of a wrong formula's tree that makes it right names the mistake.

EDITS is the table: each entry walks the tree and yields (kind, detail, edited tree). The
search tries every single edit, then (within the time budget) the edit followed by a layout
repair, then pairs of edits. The first that holds in every environment is the diagnosis;
its tree prints as the corrected LaTeX, which the auditor has therefore checked.
"""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field, replace
from fractions import Fraction

from ..notation import ast as N
from . import budget, chainsum
from .aliases import declared_swaps
from .compare import Match

M = N.Sym("m")


@dataclass
class Found:
    node: N.Node
    kind: str
    detail: str
    ref: N.Node | None = None
    more: list = field(default_factory=list)   # further (kind, detail) of the same correction


# ---- walking and rewriting ---------------------------------------------------------------------------------

def subtrees(node, path=()):
    """Every (path, subtree); a path is a tuple of (field, position or None)."""
    yield path, node
    if not isinstance(node, N.Node):
        return
    for key, value in node.__dict__.items():
        if isinstance(value, N.Node):
            yield from subtrees(value, path + ((key, None),))
        elif isinstance(value, tuple):
            for i, item in enumerate(value):
                if isinstance(item, N.Node):
                    yield from subtrees(item, path + ((key, i),))


def put(node, path, new):
    if not path:
        return new
    (key, index), rest = path[0], path[1:]
    value = getattr(node, key)
    if index is None:
        return replace(node, **{key: put(value, rest, new)})
    items = list(value)
    items[index] = put(items[index], rest, new)
    return replace(node, **{key: tuple(items)})


def _show(node):
    try:
        from ..notation.latex import to_latex
        return to_latex(node)
    except Exception:
        return repr(node)


def _shift(layer, delta):
    if isinstance(layer, N.Num):
        return N.Num(layer.value + delta)
    if isinstance(layer, N.Add) and isinstance(layer.terms[-1], N.Num):
        value = layer.terms[-1].value + delta
        rest = layer.terms[:-1]
        if value == 0:
            return rest[0] if len(rest) == 1 else N.Add(rest)
        return N.Add(rest + (N.Num(value),))
    return N.Add((layer, N.Num(Fraction(delta))))


def _inside_deriv(root, path) -> bool:
    node = root
    for key, index in path:
        if isinstance(node, (N.Deriv, N.DerivOp)):
            return True
        node = getattr(node, key) if index is None else getattr(node, key)[index]
    return False


# ---- the edits ---------------------------------------------------------------------------------------------

def _negated(node):
    """-node as a person writes it: -(Y - A) is A - Y, -(-x) is x."""
    if isinstance(node, N.Neg):
        return node.arg
    if isinstance(node, N.Add) and len(node.terms) == 2 and isinstance(node.terms[1], N.Neg):
        return N.Add((node.terms[1].arg, N.Neg(node.terms[0])))
    if isinstance(node, N.Mul) and node.factors:
        # negate the difference in the product if there is one: 1/m (Y - A) becomes 1/m (A - Y)
        k = next((i for i, f in enumerate(node.factors) if isinstance(f, N.Add) and len(f.terms) == 2
                  and isinstance(f.terms[1], N.Neg)), 0)
        return replace(node, factors=node.factors[:k] + (_negated(node.factors[k]),) + node.factors[k + 1:])
    return N.Neg(node)


def edit_sign(root):
    yield "sign", "the sign is flipped", _negated(root)
    for path, node in subtrees(root):
        if isinstance(node, N.Add) and len(node.terms) == 2 and isinstance(node.terms[1], N.Neg):
            a, b = node.terms[0], node.terms[1].arg
            yield "sign", f"{_show(node)} should be {_show(N.Add((b, N.Neg(a))))}", put(root, path, N.Add((b, N.Neg(a))))
        if isinstance(node, N.Add):
            for i, term in enumerate(node.terms):
                flipped = term.arg if isinstance(term, N.Neg) else N.Neg(term)
                terms = node.terms[:i] + (flipped,) + node.terms[i + 1:]
                yield "sign", f"the term {_show(term)} has the wrong sign", put(root, path, N.Add(terms))


def edit_layer(root):
    for path, node in subtrees(root):
        if isinstance(node, N.Sym) and node.layer is not None:
            for delta in (-1, 1):
                new = replace(node, layer=_shift(node.layer, delta))
                kind = "step" if _inside_deriv(root, path) else "index"
                yield kind, f"{_show(node)} should be {_show(new)}", put(root, path, new)
        if isinstance(node, N.Call) and node.layer is not None:
            for delta in (-1, 1):
                new = replace(node, layer=_shift(node.layer, delta))
                yield "index", f"{_show(node)} should be {_show(new)}", put(root, path, new)


def edit_output_layer(root):
    """Every quantity at the general layer l where only the output layer L fits: the loss written of a^{[l]} for
    a^{[L]}. One mistake, written wherever the layer is, so the edit moves them all."""
    layers = {n.layer for _, n in subtrees(root) if isinstance(n, (N.Sym, N.Call)) and n.layer is not None}
    if len(layers) != 1:
        return
    layer = layers.pop()
    if not (isinstance(layer, N.Sym) and len(layer.name) == 1 and layer.name.islower() and not layer.index):
        return
    edited, first = root, None
    for path, node in subtrees(root):
        if isinstance(node, (N.Sym, N.Call)) and node.layer == layer:
            first = first or node
            edited = put(edited, path, replace(node, layer=N.Sym("L")))
    if first is not None and not any(_inside_deriv(root, p) for p, n in subtrees(root) if n is first):
        yield "index", (f"{_show(first)} should be {_show(replace(first, layer=N.Sym('L')))} (everywhere it is "
                        "written): only the output layer's fits"), edited


SWAPS = {"Z": "A", "A": "Z", "z": "a", "a": "z", "W": "b", "b": "W"}


def edit_name(root, swaps=None):
    """One name for the other: Z for A, W for b (in the tool's letters), or the notes' declared letters for
    the activation and the pre-activation (`swaps`, Goodfellow's h and a)."""
    swaps = SWAPS if swaps is None else swaps
    for path, node in subtrees(root):
        if isinstance(node, N.Sym) and node.name in swaps and not node.tag:
            new = replace(node, name=swaps[node.name])
            kind = "step" if _inside_deriv(root, path) else \
                ("definition" if node.name in "ZzAa" or swaps is not SWAPS else "index")
            yield kind, f"{_show(node)} should be {_show(new)}", put(root, path, new)


def edit_name_everywhere(root):
    """Z written as A wherever it appears (leaky(A) = max(0.01 A, A)): one mistake, several occurrences."""
    seen = set()
    for _, node in subtrees(root):
        if isinstance(node, N.Sym) and node.name in SWAPS and not node.tag and node not in seen:
            seen.add(node)
            places = [p for p, n in subtrees(root) if n == node]
            if len(places) < 2 or any(_inside_deriv(root, p) for p in places):
                continue
            new, edited = replace(node, name=SWAPS[node.name]), root
            for place in places:
                edited = put(edited, place, new)
            kind = "definition" if node.name in "ZzAa" else "index"
            yield kind, f"{_show(node)} should be {_show(new)} (everywhere it is written)", edited


def edit_input(root):
    """X where a layer's input A^{[l-1]} belongs (and back)."""
    layers = sorted({n.layer for _, n in subtrees(root) if isinstance(n, N.Sym) and n.layer is not None}, key=repr)
    for path, node in subtrees(root):
        if isinstance(node, N.Sym) and node.name == "X" and not node.index:
            for layer in layers:
                new = N.Sym("A", layer=_shift(layer, -1), style=node.style or "[]")
                yield "index", f"X should be {_show(new)}", put(root, path, new)


def edit_shape(root):
    """A written size that is not the quantity's size: drop it (the report names the right one)."""
    for path, node in subtrees(root):
        if isinstance(node, N.Sym) and node.shape is not None:
            yield "dimension", f"the size written on {_show(replace(node, shape=None))} is wrong", \
                put(root, path, replace(node, shape=None))


def edit_transpose(root):
    for path, node in subtrees(root):
        if _inside_deriv(root, path):
            continue
        if isinstance(node, N.Transpose):
            yield "transpose", f"{_show(node)} should not be transposed", put(root, path, node.arg)
        elif isinstance(node, (N.Sym, N.Shorthand, N.Deriv)) and path:
            yield "transpose", f"{_show(node)} should be transposed", put(root, path, N.Transpose(node))
        if isinstance(node, N.Sym) and len(node.index) == 2 and node.index[0] != node.index[1]:
            # w_{j,k} for w_{k,j}: the units are swapped (the weight of the other connection), an index slip
            new = replace(node, index=node.index[::-1])
            yield "index", f"{_show(node)} should be {_show(new)}: its two indices are the other way round", \
                put(root, path, new)


def edit_order(root):
    for path, node in subtrees(root):
        if isinstance(node, N.Mul) and len(node.factors) >= 2 and node.op in ("juxt", "cdot", "times"):
            for i in range(len(node.factors) - 1):
                f = list(node.factors)
                f[i], f[i + 1] = f[i + 1], f[i]
                yield "transpose", f"the factors {_show(node.factors[i])} and {_show(node.factors[i + 1])} are in the wrong order", \
                    put(root, path, N.Mul(tuple(f), node.op))


def _scaled(root, factor):
    """factor * root, folded into a written power of m (1/m^2 times m is 1/m) where there is one."""
    if isinstance(root, N.Neg):
        return N.Neg(_scaled(root.arg, factor))
    step = {M: -1, N.Div(N.Num(Fraction(1)), M): 1}.get(factor)
    if step is not None and isinstance(root, N.Mul):
        for i, f in enumerate(root.factors):
            power = _power_of_one_over_m(f)
            if power:
                new_power = power + step
                new = N.Div(N.Num(Fraction(1)), M if new_power == 1 else N.Pow(M, N.Num(Fraction(new_power)))) \
                    if new_power else None
                rest = root.factors[:i] + ((new,) if new is not None else ()) + root.factors[i + 1:]
                return rest[0] if len(rest) == 1 else N.Mul(rest, root.op)
    return N.Mul((factor, root), "juxt")


def _power_of_one_over_m(node) -> int:
    """k for 1/m^k (1 for 1/m), else 0."""
    if isinstance(node, N.Div) and node.num == N.Num(Fraction(1)):
        if node.den == M:
            return 1
        if isinstance(node.den, N.Pow) and node.den.base == M and isinstance(node.den.exp, N.Num) \
                and node.den.exp.value.denominator == 1 and node.den.exp.value > 0:
            return int(node.den.exp.value)
    return 0


def edit_factor(root):
    one_over_m, two, half = N.Div(N.Num(Fraction(1)), M), N.Num(Fraction(2)), N.Div(N.Num(Fraction(1)), N.Num(Fraction(2)))
    # a written factor that does not belong is removed, not cancelled: 'm (1/m X)' helps nobody
    for removed, added, too_big, too_small in ((M, one_over_m, "the factor m does not belong", "a factor 1/m is missing"),
                                               (one_over_m, M, "the factor 1/m does not belong", "a factor m is missing"),
                                               (half, two, "the factor 1/2 does not belong", "a factor 2 is missing"),
                                               (two, half, "the factor 2 does not belong", "a factor 1/2 is missing")):
        without = _without(root, removed)
        yield ("factor", too_big, without) if without is not None else ("factor", too_small, _scaled(root, added))
    for path, node in subtrees(root):
        if isinstance(node, N.Add) and path == ():
            # one term off by a factor (the penalty's gradient without its 1/m): the term, not the whole sum
            for i, term in enumerate(node.terms):
                for added, what in ((one_over_m, "1/m"), (M, "m"), (half, "1/2"), (two, "2")):
                    terms = node.terms[:i] + (_scaled(term, added),) + node.terms[i + 1:]
                    yield "factor", f"the term {_show(term)} lacks a factor {what}", N.Add(terms)
        if isinstance(node, N.Mul) and len(node.factors) >= 2:
            for i, f in enumerate(node.factors):
                rest = node.factors[:i] + node.factors[i + 1:]
                new = rest[0] if len(rest) == 1 else N.Mul(rest, node.op)
                yield "factor", f"the factor {_show(f)} does not belong", put(root, path, new)


def _without(root, factor):
    """root with one written factor equal to `factor` taken out of its product (X/m loses its /m); None if none."""
    for path, node in subtrees(root):
        if isinstance(node, N.Mul) and factor in node.factors:
            rest = list(node.factors)
            rest.remove(factor)
            return put(root, path, rest[0] if len(rest) == 1 else N.Mul(tuple(rest), node.op))
        if isinstance(factor, N.Div) and factor.num == N.Num(1) and isinstance(node, N.Div) and node.den == factor.den \
                and node.num != N.Num(1):
            return put(root, path, node.num)
    return None


def edit_keepdims(root):
    """np.sum(dZ, axis=1) without keepdims: an (n,) array, which broadcasts against b (n x 1) as a row."""
    for path, node in subtrees(root):
        if isinstance(node, N.Sum) and node.style == "np" and node.axis is not None and not node.keepdims:
            yield "dimension", f"{_show(node)} drops the summed axis: keepdims=True keeps the shape of b", \
                put(root, path, replace(node, keepdims=True))


def edit_sum(root):
    for path, node in subtrees(root):
        if isinstance(node, N.Sum):
            yield "sum", f"the sum {_show(node)} should not be there: the derivative is per component", \
                put(root, path, node.body)


def edit_sum_index(root):
    """A sum over the wrong index (\\sum_l w_{i,j} x_l for \\sum_i w_{i,j} x_i)."""
    for path, node in subtrees(root):
        if isinstance(node, N.Sum) and isinstance(node.index, N.Sym):
            labels = {i.name for _, s in subtrees(node.body) if isinstance(s, N.Sym)
                      for i in s.index if isinstance(i, N.Sym)}
            for label in sorted(labels - {node.index.name}):
                new = replace(node, index=replace(node.index, name=label))
                yield "sum", f"the sum runs over {node.index.name} but its terms are indexed by {label}", \
                    put(root, path, new)
                renamed = replace(node, body=_rename_index(node.body, label, node.index.name))
                yield "sum", f"the terms of the sum over {node.index.name} are indexed by {label}", \
                    put(root, path, renamed)


def free_letters(node) -> set:
    """The element-index letters of a side that no sum binds: the i, j of dE/dw_{ji}."""
    bound = {n.index.name for _, n in subtrees(node) if isinstance(n, N.Sum) and isinstance(n.index, N.Sym)}
    return {i.name for _, s in subtrees(node) if isinstance(s, N.Sym)
            for i in s.index if isinstance(i, N.Sym) and not i.index and i.layer is None} - bound


def edit_index_letter(root, letters: set):
    """One element index written with the wrong letter, another free letter of the left side (z_j where
    dE/dw_{ji} needs z_i): an index slip."""
    for path, node in subtrees(root):
        if not isinstance(node, N.Sym) or not node.index or _inside_deriv(root, path):
            continue
        for k, index in enumerate(node.index):
            if not isinstance(index, N.Sym) or index.name not in letters:
                continue
            for letter in sorted(letters - {index.name}):
                new = replace(node, index=node.index[:k] + (replace(index, name=letter),) + node.index[k + 1:])
                yield "index", f"{_show(node)} should be {_show(new)}", put(root, path, new)


def _signed_sum(node):
    """(negated, Sum) for a sum written \\sum_i ... or -\\sum_i ...; None for anything else."""
    if isinstance(node, N.Neg):
        inner = _signed_sum(node.arg)
        return None if inner is None else (not inner[0], inner[1])
    if isinstance(node, N.Sum) and isinstance(node.index, N.Sym) and node.style == "sigma":
        return False, node
    return None


def edit_sum_product(root):
    """A product of two sums over one index where the sum of the products belongs: the chain rule's
    dJ/dz_j = sum_i dJ/da_i da_i/dz_j pairs each term with its own, (sum_i u_i)(sum_i v_i) pairs every
    term with every other. A wrong middle step, so its kind is `step`."""
    for path, node in subtrees(root):
        if not isinstance(node, N.Mul) or len(node.factors) < 2:
            continue
        for i in range(len(node.factors) - 1):
            left, right = _signed_sum(node.factors[i]), _signed_sum(node.factors[i + 1])
            if left is None or right is None:
                continue
            (neg_a, a), (neg_b, b) = left, right
            if (a.index.name, a.lower, a.upper) != (b.index.name, b.lower, b.upper):
                continue
            merged = replace(a, body=N.Mul((a.body, b.body), node.op))
            merged = N.Neg(merged) if neg_a != neg_b else merged
            rest = node.factors[:i] + (merged,) + node.factors[i + 2:]
            new = rest[0] if len(rest) == 1 else N.Mul(rest, node.op)
            yield "step", (f"{_show(node.factors[i])} times {_show(node.factors[i + 1])} multiplies every term by "
                           f"every other: the chain rule sums the products term by term, {_show(merged)}"), \
                put(root, path, new)


def _rename_index(body, old, new):
    from .resolve import transform

    def fn(n):
        if isinstance(n, N.Sym) and n.index:
            return replace(n, index=tuple(replace(i, name=new) if isinstance(i, N.Sym) and i.name == old else i
                                          for i in n.index))
        return n
    return transform(body, fn)


def edit_precedence(root):
    for path, node in subtrees(root):
        if isinstance(node, N.Add) and len(node.terms) >= 2 and isinstance(node.terms[-1], N.Mul) \
                and len(node.terms[-1].factors) >= 2:
            last = node.terms[-1]
            grouped = N.Add(node.terms[:-1] + (last.factors[0],))
            new = N.Mul((grouped,) + last.factors[1:], last.op)
            yield "precedence", f"parentheses are missing: ({_show(grouped)}) multiplies the rest", put(root, path, new)


ACTIVATION_CALLS = ("g", "sigma", "sig", "sigmoid", "tanh", "relu", "ReLU")


def edit_derivative(root):
    """g(Z) where g'(Z) belongs (or the reverse): the activation instead of its derivative."""
    for path, node in subtrees(root):
        if isinstance(node, N.Call) and node.func in ACTIVATION_CALLS and node.prime in (0, 1):
            new = replace(node, prime=1 - node.prime)
            yield "factor", f"{_show(node)} should be {_show(new)}", put(root, path, new)


FLIPPED = {">": "<", "<": ">", ">=": "<=", "<=": ">=", "=": "!=", "!=": "="}


def edit_condition(root):
    """A case condition the wrong way round: 1 if z < 0 where ReLU' is 1 if z > 0."""
    for path, node in subtrees(root):
        if not isinstance(node, N.Cases):
            continue
        for i, (value, cond) in enumerate(node.branches):
            if isinstance(cond, N.Rel) and cond.op in FLIPPED:
                new = replace(cond, op=FLIPPED[cond.op])
                branches = node.branches[:i] + ((value, new),) + node.branches[i + 1:]
                yield "sign", f"the condition {_show(cond)} should be {_show(new)}", put(root, path, N.Cases(branches))


EDITS = (edit_shape, edit_keepdims, edit_sign, edit_condition, edit_derivative, edit_layer, edit_name,
         edit_name_everywhere, edit_output_layer, edit_input, edit_sum, edit_sum_index, edit_sum_product, edit_transpose,
         edit_order, edit_factor, edit_precedence)


def candidates(root):
    for edit in EDITS:
        for found in edit(root):
            budget.check()   # a long formula has many edits, each a new tree: the budget bounds them
            yield found


# ---- the search ----------------------------------------------------------------------------------------------

def chain_fix(ref, step, contexts, deadline) -> Found | None:
    """A product of partial derivatives that does not chain: rebuild it along the network's path."""
    from .evaluate import EvalError, quantity_key
    from .layout import _factors
    sign, factors = _factors(step)
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
    for f, (num_key, den_key) in zip(factors, keys):
        if num_key != den_key and _independent(ctx, num_key, den_key):
            return Found(None, "step", f"{_show(f)} is zero: {_show(f.num)} does not depend on {_show(f.den)}, "
                                       f"so the chain rule cannot pass through it")
    return None


def _rebuild(ref, factors, keys, contexts, deadline):
    from .auditor import judge
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
    rebuilt = kept + [N.Deriv(_sym_for(a, style), _sym_for(b, style), factors[0].partial) for a, b in zip(path, path[1:])]
    node = N.Mul(tuple(rebuilt), "juxt")
    if judge(ref, node, contexts, deadline).match is Match.EQUAL:
        wrong = ", ".join(_show(f) for f in factors[len(kept):])
        return Found(node, "step", f"the chain-rule factors do not chain from {_show(factors[len(kept) - 1])} on "
                                   f"({wrong}): each denominator must be the next numerator")
    return None


def _independent(ctx, out_key, in_key) -> bool:
    import numpy as np
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
    from .auditor import judge
    from . import layout
    chained = chain_fix(ref, step, contexts, deadline)
    if chained is not None:
        return chained
    completed = chainsum.complete(ref, step, contexts, deadline, judge)
    if completed is not None:
        return Found(completed[0], "sum", completed[1])
    singles = []
    declared = declared_swaps(getattr(contexts[0], "aliases", None) or {})
    letters = free_letters(ref) if isinstance(ref, N.Node) else set()
    for candidate in itertools.chain(candidates(step), edit_name(step, declared) if declared else (),
                                     edit_index_letter(step, letters) if len(letters) > 1 else ()):
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
    for lkind, ldetail, lnode in list(edit_underived(ref)) + list(edit_unknown_name(ref)) + list(edit_layer(ref)) \
            + list(edit_name(ref)):
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
        for kind2, detail2, node2 in candidates(node):
            if time.monotonic() > deadline:
                raise TimeoutError
            if _circular(ref, node2):
                continue
            if judge(ref, node2, quick, deadline).match is Match.EQUAL and \
                    judge(ref, node2, contexts, deadline).match is Match.EQUAL:
                return Found(node2, kind, f"{detail}; {detail2}")
    return None


def edit_underived(root):
    """dJ/dA = (the loss itself): the right side is the quantity, not its derivative."""
    if isinstance(root, N.Deriv) and root.num is not None:
        quantity = root.num
        if isinstance(quantity, N.Sym) and quantity.name == "L" and quantity.layer is None and not quantity.index:
            quantity = N.Call("L", (N.Sym("Y"), N.Sym("A")))   # a bare L is also the depth: write the loss's call
        yield "label", f"{_show(root)} should be {_show(quantity)}: the right side is {_show(root.num)} itself, " \
                       "not its derivative", quantity


def edit_unknown_name(root):
    """A name the network does not have (dh for db): try each quantity of the same layer."""
    from .evaluate import BASE
    for path, node in subtrees(root):
        if isinstance(node, N.Sym) and node.layer is not None and node.name not in BASE:
            for name in ("b", "W", "Z", "A"):
                new = replace(node, name=name)
                yield "label", f"{_show(node)} should be {_show(new)}", put(root, path, new)


def relabel(first, second, contexts, deadline):
    """A label edit of the chain's first step that makes it name what the steps compute."""
    from .auditor import ErrorItem, judge
    for kind, detail, node in list(edit_unknown_name(first)) + list(edit_layer(first)) + list(edit_name(first)):
        if time.monotonic() > deadline:
            raise TimeoutError
        from . import layout
        if judge(node, second, contexts, deadline).match in (Match.EQUAL, Match.LOCAL) or \
                layout.repair(node, second, contexts, deadline) is not None:
            return ErrorItem("label", f"the left side names the wrong quantity: {detail}", _show(node))
    return None
