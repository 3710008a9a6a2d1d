"""The named edits of the diagnosis: one decorated function each, tried in the order written here.

An edit walks a wrong formula's tree and yields (kind, detail, edited tree); the search (diagnose.py)
keeps the first edited tree that holds. `@diagnosis(kinds..., side=...)` registers an edit: the kinds
of mistake it may name (audit/kinds.py) and the side of the claim it edits (`right`: the formula,
`left`: the quantity the claim names, `both`). Its docstring is its explanation. To add a diagnosis,
write one decorated function here, at the place in the order where it should be tried.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from collections.abc import Callable

from ..notation import ast as N
from ..notation import tree
from ..notation.tree import replace_at, subtrees, transform
from . import budget
from .names import BASE
from .kinds import Kind
from .tree import show as _show

M = N.Sym("m")
SIDES = ("right", "left", "both")


@dataclass(frozen=True)
class Given:
    """What an edit may use besides the tree: the notes' declared letter swaps, and the free element-index
    letters of the claim's left side (the i, j of dE/dw_{ji})."""
    swaps: dict | None = None
    letters: frozenset = frozenset()


@dataclass(frozen=True)
class Edit:
    """A registered edit: the function, the kinds of mistake it names and the side it edits."""
    find: Callable
    kinds: tuple
    side: str

    @property
    def name(self) -> str:
        return self.find.__name__

    @property
    def explanation(self) -> str:
        return " ".join((self.find.__doc__ or "").split())


REGISTRY: list[Edit] = []


def diagnosis(*kinds: Kind, side: str = "right"):
    """Register an edit; refused without a kind, a known side or a docstring that explains it."""
    def register(find):
        if not kinds or not all(isinstance(k, Kind) for k in kinds):
            raise TypeError(f"{find.__name__}: name the kinds of mistake it finds (audit/kinds.py)")
        if side not in SIDES:
            raise TypeError(f"{find.__name__}: side must be one of {SIDES}")
        if not (find.__doc__ or "").strip():
            raise TypeError(f"{find.__name__}: a diagnosis explains itself in its docstring")
        REGISTRY.append(Edit(find, tuple(kinds), side))
        return find
    return register


def candidates(root, given: Given = Given(), side: str = "right", skip=()):
    """Every edit of the right side (or the left), in the registry's order, each checked against its kinds."""
    wanted = (side, "both")
    for edit in REGISTRY:
        if edit.side not in wanted or edit.name in skip:
            continue
        for kind, detail, node in edit.find(root, given):
            budget.check()   # a long formula has many edits, each a new tree: the budget bounds them
            if kind not in edit.kinds:
                raise ValueError(f"{edit.name} named the kind {kind!r}, which its @diagnosis does not list")
            yield kind, detail, node


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
    for step in path:
        if isinstance(node, (N.Deriv, N.DerivOp)):
            return True
        node = tree.at(node, (step,))
    return False


@diagnosis(Kind.DIMENSION)
def edit_shape(root, given: Given):
    """A written size that is not the quantity's size: drop it (the report names the right one)."""
    for path, node in subtrees(root):
        if isinstance(node, N.Sym) and node.shape is not None:
            yield "dimension", f"the size written on {_show(replace(node, shape=None))} is wrong", \
                replace_at(root, path, replace(node, shape=None))


@diagnosis(Kind.DIMENSION)
def edit_keepdims(root, given: Given):
    """np.sum(dZ, axis=1) without keepdims: an (n,) array, which broadcasts against b (n x 1) as a row."""
    for path, node in subtrees(root):
        if isinstance(node, N.Sum) and node.style == "np" and node.axis is not None and not node.keepdims:
            yield "dimension", f"{_show(node)} drops the summed axis: keepdims=True keeps the shape of b", \
                replace_at(root, path, replace(node, keepdims=True))


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


@diagnosis(Kind.SIGN)
def edit_sign(root, given: Given):
    """The sign flipped: of the whole side, of a difference (A - Y for Y - A), or of one term."""
    yield "sign", "the sign is flipped", _negated(root)
    for path, node in subtrees(root):
        if isinstance(node, N.Add) and len(node.terms) == 2 and isinstance(node.terms[1], N.Neg):
            a, b = node.terms[0], node.terms[1].arg
            yield "sign", f"{_show(node)} should be {_show(N.Add((b, N.Neg(a))))}", replace_at(root, path, N.Add((b, N.Neg(a))))
        if isinstance(node, N.Add):
            for i, term in enumerate(node.terms):
                flipped = term.arg if isinstance(term, N.Neg) else N.Neg(term)
                terms = node.terms[:i] + (flipped,) + node.terms[i + 1:]
                yield "sign", f"the term {_show(term)} has the wrong sign", replace_at(root, path, N.Add(terms))


FLIPPED = {">": "<", "<": ">", ">=": "<=", "<=": ">=", "=": "!=", "!=": "="}


@diagnosis(Kind.SIGN)
def edit_condition(root, given: Given):
    """A case condition the wrong way round: 1 if z < 0 where ReLU' is 1 if z > 0."""
    for path, node in subtrees(root):
        if not isinstance(node, N.Cases):
            continue
        for i, (value, cond) in enumerate(node.branches):
            if isinstance(cond, N.Rel) and cond.op in FLIPPED:
                new = replace(cond, op=FLIPPED[cond.op])
                branches = node.branches[:i] + ((value, new),) + node.branches[i + 1:]
                yield "sign", f"the condition {_show(cond)} should be {_show(new)}", replace_at(root, path, N.Cases(branches))


ACTIVATION_CALLS = ("g", "sigma", "sig", "sigmoid", "tanh", "relu", "ReLU")


@diagnosis(Kind.FACTOR)
def edit_derivative(root, given: Given):
    """g(Z) where g'(Z) belongs (or the reverse): the activation instead of its derivative."""
    for path, node in subtrees(root):
        if isinstance(node, N.Call) and node.func in ACTIVATION_CALLS and node.prime in (0, 1):
            new = replace(node, prime=1 - node.prime)
            yield "factor", f"{_show(node)} should be {_show(new)}", replace_at(root, path, new)


@diagnosis(Kind.LABEL, side="left")
def edit_underived(root, given: Given):
    """dJ/dA = (the loss itself): the right side is the quantity, not its derivative."""
    if isinstance(root, N.Deriv) and root.num is not None:
        quantity = root.num
        if isinstance(quantity, N.Sym) and quantity.name == "L" and quantity.layer is None and not quantity.index:
            quantity = N.Call("L", (N.Sym("Y"), N.Sym("A")))   # a bare L is also the depth: write the loss's call
        yield "label", f"{_show(root)} should be {_show(quantity)}: the right side is {_show(root.num)} itself, " \
                       "not its derivative", quantity


@diagnosis(Kind.LABEL, side="left")
def edit_unknown_name(root, given: Given):
    """A name the network does not have (dh for db): try each quantity of the same layer."""
    for path, node in subtrees(root):
        if isinstance(node, N.Sym) and node.layer is not None and node.name not in BASE:
            for name in ("b", "W", "Z", "A"):
                new = replace(node, name=name)
                yield "label", f"{_show(node)} should be {_show(new)}", replace_at(root, path, new)


@diagnosis(Kind.INDEX, Kind.STEP, side="both")
def edit_layer(root, given: Given):
    """A layer index off by one (A^{[l]} for A^{[l-1]}); inside a derivative a wrong chain step."""
    for path, node in subtrees(root):
        if isinstance(node, N.Sym) and node.layer is not None:
            for delta in (-1, 1):
                new = replace(node, layer=_shift(node.layer, delta))
                kind = "step" if _inside_deriv(root, path) else "index"
                yield kind, f"{_show(node)} should be {_show(new)}", replace_at(root, path, new)
        if isinstance(node, N.Call) and node.layer is not None:
            for delta in (-1, 1):
                new = replace(node, layer=_shift(node.layer, delta))
                yield "index", f"{_show(node)} should be {_show(new)}", replace_at(root, path, new)


SWAPS = {"Z": "A", "A": "Z", "z": "a", "a": "z", "W": "b", "b": "W"}


@diagnosis(Kind.INDEX, Kind.STEP, Kind.DEFINITION, side="both")
def edit_name(root, given: Given):
    """One name for the other: Z for A, W for b (in the tool's letters)."""
    yield from _swapped(root, SWAPS)


@diagnosis(Kind.INDEX, Kind.DEFINITION)
def edit_name_everywhere(root, given: Given):
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
                edited = replace_at(edited, place, new)
            kind = "definition" if node.name in "ZzAa" else "index"
            yield kind, f"{_show(node)} should be {_show(new)} (everywhere it is written)", edited


@diagnosis(Kind.INDEX)
def edit_output_layer(root, given: Given):
    """Every quantity at the general layer l where only the output layer L fits: the loss written of a^{[l]} for
    a^{[L]}. One mistake, written wherever the layer is, so the edit moves them all."""
    layers = {n.layer for _, n in subtrees(root) if isinstance(n, (N.Sym, N.Call)) and n.layer is not None}
    if len(layers) != 1:
        return
    layer = layers.pop()
    if not (isinstance(layer, N.Sym) and len(layer.name) == 1 and layer.name.islower() and not layer.index):
        return
    edited, first, inside = root, None, False
    for path, node in subtrees(root):
        if isinstance(node, (N.Sym, N.Call)) and node.layer == layer:
            first = first or node
            inside = inside or _inside_deriv(root, path)
            edited = replace_at(edited, path, replace(node, layer=N.Sym("L")))
    if first is not None and not inside:
        yield "index", (f"{_show(first)} should be {_show(replace(first, layer=N.Sym('L')))} (everywhere it is "
                        "written): only the output layer's fits"), edited


@diagnosis(Kind.INDEX)
def edit_input(root, given: Given):
    """X where a layer's input A^{[l-1]} belongs (and back)."""
    layers = sorted({n.layer for _, n in subtrees(root) if isinstance(n, N.Sym) and n.layer is not None}, key=repr)
    for path, node in subtrees(root):
        if isinstance(node, N.Sym) and node.name == "X" and not node.index:
            for layer in layers:
                new = N.Sym("A", layer=_shift(layer, -1), style=node.style or "[]")
                yield "index", f"X should be {_show(new)}", replace_at(root, path, new)


@diagnosis(Kind.SUM)
def edit_sum(root, given: Given):
    """A sum that does not belong: the derivative is per component."""
    for path, node in subtrees(root):
        if isinstance(node, N.Sum) and not _sums_examples_losses(node):
            yield "sum", f"the sum {_show(node)} should not be there: the derivative is per component", \
                replace_at(root, path, node.body)


def _sums_examples_losses(node: N.Sum) -> bool:
    """\\sum_x C_x: the examples' losses (resolve.py marks each with the sum's label); without the sum C_x is one
    example's loss, no correction of the total."""
    label = node.index.name if isinstance(node.index, N.Sym) else None
    return label is not None and any(isinstance(s, N.Sym) and s.tag == label and not s.index
                                     for _, s in subtrees(node.body))


@diagnosis(Kind.SUM)
def edit_sum_index(root, given: Given):
    """A sum over the wrong index (\\sum_l w_{i,j} x_l for \\sum_i w_{i,j} x_i)."""
    for path, node in subtrees(root):
        if isinstance(node, N.Sum) and isinstance(node.index, N.Sym):
            labels = {i.name for _, s in subtrees(node.body) if isinstance(s, N.Sym)
                      for i in s.index if isinstance(i, N.Sym)}
            for label in sorted(labels - {node.index.name}):
                new = replace(node, index=replace(node.index, name=label))
                yield "sum", f"the sum runs over {node.index.name} but its terms are indexed by {label}", \
                    replace_at(root, path, new)
                renamed = replace(node, body=_rename_index(node.body, label, node.index.name))
                yield "sum", f"the terms of the sum over {node.index.name} are indexed by {label}", \
                    replace_at(root, path, renamed)


def _rename_index(body, old, new):

    def fn(n):
        if isinstance(n, N.Sym) and n.index:
            return replace(n, index=tuple(replace(i, name=new) if isinstance(i, N.Sym) and i.name == old else i
                                          for i in n.index))
        return n
    return transform(body, fn)


def _signed_sum(node):
    """(negated, Sum) for a sum written \\sum_i ... or -\\sum_i ...; None for anything else."""
    if isinstance(node, N.Neg):
        inner = _signed_sum(node.arg)
        return None if inner is None else (not inner[0], inner[1])
    if isinstance(node, N.Sum) and isinstance(node.index, N.Sym) and node.style == "sigma":
        return False, node
    return None


@diagnosis(Kind.STEP)
def edit_sum_product(root, given: Given):
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
                replace_at(root, path, new)


@diagnosis(Kind.TRANSPOSE, Kind.INDEX)
def edit_transpose(root, given: Given):
    """A transpose missing or extra; or a weight w_{jk} written w_{kj}, its unit indices swapped."""
    for path, node in subtrees(root):
        if _inside_deriv(root, path):
            continue
        if isinstance(node, N.Transpose):
            yield "transpose", f"{_show(node)} should not be transposed", replace_at(root, path, node.arg)
        elif isinstance(node, (N.Sym, N.Shorthand, N.Deriv)) and path:
            yield "transpose", f"{_show(node)} should be transposed", replace_at(root, path, N.Transpose(node))
        if isinstance(node, N.Sym) and len(node.index) == 2 and node.index[0] != node.index[1]:
            # w_{j,k} for w_{k,j}: the units are swapped (the weight of the other connection), an index slip
            new = replace(node, index=node.index[::-1])
            yield "index", f"{_show(node)} should be {_show(new)}: its two indices are the other way round", \
                replace_at(root, path, new)


@diagnosis(Kind.TRANSPOSE)
def edit_order(root, given: Given):
    """Two factors of a matrix product in the wrong order (A^T dZ for dZ A^T)."""
    for path, node in subtrees(root):
        if isinstance(node, N.Mul) and len(node.factors) >= 2 and node.op in ("juxt", "cdot", "times"):
            for i in range(len(node.factors) - 1):
                f = list(node.factors)
                f[i], f[i + 1] = f[i + 1], f[i]
                yield "transpose", f"the factors {_show(node.factors[i])} and {_show(node.factors[i + 1])} are in the wrong order", \
                    replace_at(root, path, N.Mul(tuple(f), node.op))


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


@diagnosis(Kind.FACTOR)
def edit_factor(root, given: Given):
    """A constant factor wrong: 1/m, m, 1/2 or 2 missing or extra, for the whole side or one term, or a written factor that does not belong."""
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
                yield "factor", f"the factor {_show(f)} does not belong", replace_at(root, path, new)


def _without(root, factor):
    """root with one written factor equal to `factor` taken out of its product (X/m loses its /m); None if none."""
    for path, node in subtrees(root):
        if isinstance(node, N.Mul) and factor in node.factors:
            rest = list(node.factors)
            rest.remove(factor)
            return replace_at(root, path, rest[0] if len(rest) == 1 else N.Mul(tuple(rest), node.op))
        if isinstance(factor, N.Div) and factor.num == N.Num(1) and isinstance(node, N.Div) and node.den == factor.den \
                and node.num != N.Num(1):
            return replace_at(root, path, node.num)
    return None


@diagnosis(Kind.PRECEDENCE)
def edit_precedence(root, given: Given):
    """Parentheses missing: a + b c where (a + b) c belongs."""
    for path, node in subtrees(root):
        if isinstance(node, N.Add) and len(node.terms) >= 2 and isinstance(node.terms[-1], N.Mul) \
                and len(node.terms[-1].factors) >= 2:
            last = node.terms[-1]
            grouped = N.Add(node.terms[:-1] + (last.factors[0],))
            new = N.Mul((grouped,) + last.factors[1:], last.op)
            yield "precedence", f"parentheses are missing: ({_show(grouped)}) multiplies the rest", replace_at(root, path, new)


@diagnosis(Kind.STEP, Kind.DEFINITION)
def edit_declared_name(root, given: Given):
    """The notes' own letters for the activation and the pre-activation swapped (Goodfellow's h and a)."""
    if given.swaps:
        yield from _swapped(root, given.swaps)


def free_letters(node) -> set:
    """The element-index letters of a side that no sum binds: the i, j of dE/dw_{ji}."""
    bound = {n.index.name for _, n in subtrees(node) if isinstance(n, N.Sum) and isinstance(n.index, N.Sym)}
    return {i.name for _, s in subtrees(node) if isinstance(s, N.Sym)
            for i in s.index if isinstance(i, N.Sym) and not i.index and i.layer is None} - bound


@diagnosis(Kind.INDEX)
def edit_index_letter(root, given: Given):
    """One element index written with the wrong letter, another free letter of the left side (z_j where
    dE/dw_{ji} needs z_i): an index slip."""
    letters = given.letters
    if len(letters) < 2:
        return
    for path, node in subtrees(root):
        if not isinstance(node, N.Sym) or not node.index or _inside_deriv(root, path):
            continue
        for k, index in enumerate(node.index):
            if not isinstance(index, N.Sym) or index.name not in letters:
                continue
            for letter in sorted(letters - {index.name}):
                new = replace(node, index=node.index[:k] + (replace(index, name=letter),) + node.index[k + 1:])
                yield "index", f"{_show(node)} should be {_show(new)}", replace_at(root, path, new)


def _swapped(root, swaps):
    """Each name of `swaps` written for the other."""
    for path, node in subtrees(root):
        if isinstance(node, N.Sym) and node.name in swaps and not node.tag:
            new = replace(node, name=swaps[node.name])
            kind = "step" if _inside_deriv(root, path) else \
                ("definition" if node.name in "ZzAa" or swaps is not SWAPS else "index")
            yield kind, f"{_show(node)} should be {_show(new)}", replace_at(root, path, new)
