"""A section's own names for the network's quantities (aliases = { "Y_{relu}" = "A^{[1]}" }): how a
written symbol finds its alias, and which aliases lead back to themselves.

Two vocabularies meet here. A `names:` entry maps a name of the notes to a quantity written in the tool's
own vocabulary (z the pre-activation, a the activation, w_{j,k}, Y the target), so its target is final:
it is never read through the notes' names again. That is what lets a text whose letters mean something
else declare them (Bishop's a_j is the pre-activation and z_j the activation: names a_j: z^{(1)}_j and
z_j: a^{(1)}_j, a swap that is no cycle). An `alias:` line, an `aliases` table of a derivation file and a
definition the notes write (\\delta_j \\equiv \\partial E / \\partial a_j) are in the notes' vocabulary: their
targets are read through the notes' names, so aliases may chain and a chain that closes is a cycle.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, replace

from ..notation import ast as N
from ..notation.tree import transform, walk
from .tree import EvalError, show as _show


def alias_key(sym: N.Sym):
    """Aliases match a symbol as written, whatever bracket style its layer index used."""
    def plain(n):
        return replace(n, style="") if isinstance(n, N.Sym) else n
    return replace(sym, style="", layer=plain(sym.layer)) if isinstance(sym, N.Sym) else sym


# names an activation function goes by in a target (f: g); the evaluator knows more, these suffice to tell a
# function letter from a quantity when reading h (y - t) as a product
FUNCTION_LETTERS = {"g", "sigma", "sig", "sigmoid", "tanh", "relu", "ReLU"}


@dataclass(frozen=True)
class ToolName:
    """Wraps a `names:` entry's target: a quantity in the tool's own vocabulary, read without the notes' names."""
    target: object


def _unwrapped(value):
    """The expansion an entry stands for, whatever wraps it."""
    if isinstance(value, AliasCycle):
        value = value.target
    return value.target if isinstance(value, ToolName) else value


@dataclass(frozen=True)
class AliasCycle:
    """Wraps an alias that leads back to itself, so that using it says so instead of recursing."""
    path: str
    target: object


def _alias_entry(sym: N.Sym, aliases: dict):
    """(key, expansion) of the alias that covers `sym`, or (None, None). An alias of a bare name also
    covers the name with an index or a layer."""
    def get(key):
        return _unwrapped(aliases.get(key))
    key = alias_key(sym)
    if get(key) is not None:
        return key, get(key)
    if sym.tag == "new":   # \theta := \theta - \alpha ...: the updated value of what the notes name \theta
        key, target = _alias_entry(replace(sym, tag=None), aliases)
        if isinstance(target, N.Sym) and target.tag is None:
            return key, replace(target, tag="new")
    if sym.index:
        key = alias_key(replace(sym, index=(), index_style=""))
        if isinstance(get(key), N.Sym):
            return key, get(key)
        indexed = _with_index(get(key), sym)
        if indexed is not None:
            return key, indexed
        # u^{l} names Z^{[l]}: so u^{L}_j is Z^{[L]}_j, element j of the named vector at that layer
        key, target = _alias_entry(replace(sym, index=(), index_style=""), aliases)
        indexed = _with_index(target, sym)
        if indexed is not None and not getattr(key, "index", ()):   # a_n is no a_j's element: _unit_lettered
            return key, indexed
    found = _unit_pattern(sym, aliases, get) or _unit_lettered(sym, aliases, get)
    if found is not None:
        return found
    if sym.layer is not None:
        key = alias_key(replace(sym, layer=None, style=""))
        bare = get(key)
        if isinstance(bare, N.Sym) and bare.layer is None:
            return key, replace(bare, layer=sym.layer, style=sym.style)
        # \delta^{[l]} = dZ^{[l]} also names \delta^{[l+1]} and \delta^{[L]}: the layer is a variable (but the
        # output layer L is one layer: \delta^{[L]} = dZ^{[L]} names only that one)
        unlayered = alias_key(replace(sym, layer=None, style=""))
        # h^{(k)}: a^{(k)} also names the element h^{(k-1)}_j (expand_alias puts the index on)
        bare = alias_key(replace(sym, layer=None, style="", index=(), index_style=""))
        for key in aliases:
            if isinstance(key, N.Sym) and isinstance(key.layer, N.Sym) and not key.layer.index \
                    and key.layer.name != "L" \
                    and key.layer.layer is None and replace(key, layer=None) in (unlayered, bare):
                return key, _put_layer(get(key), key.layer.name, sym.layer)
    key, target = _error_pattern(sym, aliases, get)
    if key is not None:
        return key, target
    return _batch_letter(sym, aliases)


def _error_pattern(sym: N.Sym, aliases: dict, get):
    """\\delta_j: \\partial J/\\partial Z^{[l]}_j, or the notes' \\delta^{(2)}_k = \\partial E_n/\\partial a^{(2)}_k: a name defined as a
    derivative at one layer and one unit is the same derivative at every layer and unit, and without the unit
    index the vector of them (\\delta^{(1)}, \\delta^l): (key, expansion) or (None, None)."""
    if len(sym.index) > 1 or (sym.index and not _letter(sym.index[0])):
        return None, None
    bare = alias_key(replace(sym, layer=None, index=(), index_style=""))
    for key in aliases:
        target = get(key)
        if not isinstance(key, N.Sym) or not isinstance(target, N.Deriv) or len(key.index) > 1 \
                or (key.index and not _letter(key.index[0])) \
                or alias_key(replace(key, layer=None, index=(), index_style="")) != bare:
            continue
        target = _at_layer(target, key.layer, sym.layer)
        target = _at_unit(target, key.index, sym) if target is not None else None
        if target is not None:
            return key, target
    return None, None


def _batch_letter(sym: N.Sym, aliases: dict):
    """H^{l} where the notes name h^{l} (as A^{[l]}): the capital of a quantity's letter is the same quantity with
    the examples stacked, the batch matrix, as A is of a in the tool's own letters. Only for a letter the notes name
    as the tool's activation or pre-activation, and only when the capital has no entry of its own."""
    if len(sym.name) != 1 or not sym.name.isupper() or sym.name.lower() == sym.name:
        return None, None
    key, target = _alias_entry(replace(sym, name=sym.name.lower()), aliases)
    if not isinstance(aliases.get(key), ToolName) or not isinstance(target, N.Sym) or target.name not in ("A", "Z"):
        return None, None
    return key, target


def _at_layer(target, written, wanted):
    """The definition's expansion at layer `wanted`: its layer letter l, or its one written layer number, replaced;
    None when the expansion does not say where its layer is."""
    layers = [n.layer for n in walk(target) if isinstance(n, (N.Sym, N.Call)) and n.layer is not None]
    if wanted is None or wanted == written:
        return target if written is None or wanted is not None else None
    if written is None or isinstance(written, N.Sym) and _letter(written):
        letter = "l" if written is None else written.name
        if not any(_letter(x) and x.name == letter for layer in layers for x in walk(layer)):
            return None
        return _put_layer(target, letter, wanted)
    if isinstance(written, N.Num) and layers and all(x == written for x in layers):
        return transform(target, lambda n: replace(n, layer=wanted)
                         if isinstance(n, (N.Sym, N.Call)) and n.layer == written else n)
    return None


def _at_unit(target, written: tuple, sym: N.Sym):
    """The expansion at sym's unit index: the definition's unit letter renamed, dropped (the vector), or added."""
    if written and sym.index:
        variable, letter = written[0].name, sym.index[0].name
        if not any(_letter(n) and n.name == variable for n in walk(target)):
            return None
        return transform(target, lambda n: replace(n, name=letter) if _letter(n) and n.name == variable else n)
    if written:
        return _drop_index(target, written[0])
    if sym.index:
        return _with_index(target, sym)
    return target


def _unit_pattern(sym: N.Sym, aliases: dict, get):
    """\\delta_j \\equiv \\partial E/\\partial a_j also defines \\delta_k: a definition over a unit index j holds for any
    letter, when its expansion uses j (an alias of a_j for one layer's quantity does not, and is not a pattern)."""
    if len(sym.index) != 1 or not _letter(sym.index[0]):
        return None
    letter = sym.index[0].name
    for key in aliases:
        if not isinstance(key, N.Sym) or len(key.index) != 1 or not _letter(key.index[0]) \
                or key.index[0].name == letter or replace(key, index=sym.index) != alias_key(sym):
            continue
        variable = key.index[0].name
        target = get(key)
        if target is None or not any(_letter(n) and n.name == variable for n in walk(target)):
            continue
        return key, transform(target, lambda n, v=variable: replace(n, name=letter) if _letter(n) and n.name == v else n)
    return None


def _unit_lettered(sym: N.Sym, aliases: dict, get):
    """y_k: A^{[2]} (the notes' y_k = a^{(2)}_k, element k of a layer's vector) also names y_j, element j of it,
    and y, the vector itself. Not when the letter's unit letters name different layers (Bishop's a_j: Z^{[1]} and
    a_k: Z^{[2]}): a third unit letter then says no layer (the bare a is still the first one named, the forward
    pass's own)."""
    if len(sym.index) > 1 or (sym.index and not _letter(sym.index[0])):
        return None
    found = []
    for key in aliases:
        if isinstance(key, N.Sym) and len(key.index) == 1 and _letter(key.index[0]) \
                and replace(key, index=(), index_style="") == alias_key(replace(sym, index=(), index_style="")):
            target = get(key)
            if isinstance(target, N.Sym) and not target.index:
                found.append((key, target))
    return found[0] if found and (not sym.index or all(target == found[0][1] for _, target in found)) else None


def _letter(node) -> bool:
    return isinstance(node, N.Sym) and len(node.name) == 1 and not node.index and node.layer is None \
        and node.sublayer is None


def _with_index(target, sym: N.Sym):
    """A name's expansion with the element index sym carries: Z^{[l]} -> Z^{[l]}_j, and dE/dZ^{[l]} ->
    dE/dZ^{[l]}_j (the derivative with respect to element j); None when the expansion has no single place for
    the index (an expression, or a name already indexed)."""
    if isinstance(target, N.Sym) and not target.index:
        return replace(target, index=sym.index, index_style=sym.index_style)
    if isinstance(target, N.Deriv) and isinstance(target.den, N.Sym) and not target.den.index \
            and not any(isinstance(n, N.Sym) and n.index for n in walk(target.num)):
        return replace(target, den=replace(target.den, index=sym.index, index_style=sym.index_style))
    return None


def _put_layer(target, variable: str, layer):
    return transform(target, lambda n: layer if isinstance(n, N.Sym) and n.name == variable and not n.index
                     and n.layer is None else n)


def mark_alias_cycles(aliases: dict) -> dict:
    """Wrap every alias whose expansion reaches itself (V -> U -> V, Q -> Q + Q) in an AliasCycle.
    Linear in the size of the alias table: one pass of Tarjan's strongly connected components."""
    edges = {}
    for key, target in aliases.items():
        if isinstance(target, ToolName):
            edges[key] = []   # final: read in the tool's vocabulary, it leads nowhere
            continue
        found = (_alias_entry(n, aliases)[0] for n in walk(_unwrapped(target)) if isinstance(n, N.Sym))
        edges[key] = list(dict.fromkeys(k for k in found if k is not None))
    out = dict(aliases)
    for component in _strong_components(edges):
        if len(component) == 1 and component[0] not in edges[component[0]]:
            continue
        path = _cycle_in(component, edges)
        shown = path if len(path) <= 8 else path[:6] + ("...", path[-1])
        text = " -> ".join(k if k == "..." else _show(k) for k in shown) + \
            (f" ({len(path) - 1} aliases)" if len(path) > 8 else "")
        for key in component:
            out[key] = AliasCycle(text, aliases[key])
    return out


def _strong_components(edges: dict) -> list:
    index, low, on_stack, stack, components, counter = {}, {}, set(), [], [], [0]
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component[::-1])
    return components


def _cycle_in(component: list, edges: dict) -> tuple:
    """One cycle through the component's first member, for the message (breadth-first, inside the component)."""
    start, members = component[0], set(component)
    previous, frontier = {start: None}, [start]
    while frontier:
        following = []
        for node in frontier:
            for child in edges[node]:
                if child == start:
                    back = [node]
                    while previous[back[-1]] is not None:
                        back.append(previous[back[-1]])
                    return tuple(reversed(back)) + (start,)
                if child in members and child not in previous:
                    previous[child] = node
                    following.append(child)
        frontier = following
    return (start, start)


def alias_target(sym: N.Sym, aliases: dict):
    """What the notes' names make of `sym` (None when no alias covers it), without evaluating anything."""
    return _alias_entry(sym, aliases)[1] if aliases else None


def lookup_alias(sym: N.Sym, ctx):
    """The section's alias for a symbol (see _alias_entry); an alias in a cycle is a reason, not a recursion."""
    if not ctx.aliases:
        return None
    key, alias = _alias_entry(sym, ctx.aliases)
    if isinstance(ctx.aliases.get(key), AliasCycle):
        raise EvalError(f"the section's aliases refer to each other in a cycle: {ctx.aliases[key].path}")
    return alias


def expand_alias(sym: N.Sym, ctx):
    """The alias of `sym`, carrying sym's element indices when the alias names the bare letter (h: a^{(1)}
    makes h_j the element a^{(1)}_j) or a unit-lettered name of a layer (a_j: Z^{[1]}); an alias of one
    example's loss (E_n: E) takes none. None if none."""
    alias = lookup_alias(sym, ctx)
    if alias is None:
        return None
    key, _ = _alias_entry(sym, ctx.aliases)
    if isinstance(alias, N.Sym) and sym.index and not alias.index and (
            not getattr(key, "index", ()) or not _names_the_loss(alias)):
        alias = replace(alias, index=sym.index, index_style=sym.index_style)   # a_j: Z^{[1]} (Bishop's unit letter j) makes a_j the element
    return alias


def names_its_index(sym: N.Sym, ctx) -> bool:
    """Is sym's index part of a name the notes give, so that its letter alone does not say what the index is: Bishop's
    bias w_{j0}: b_j (the 0 is no position counted from 0), a_k: Z^{[2]} beside a_j: Z^{[1]} (k runs over the
    second layer's units)?"""
    if not ctx.aliases or not sym.index:
        return False
    key, _ = _alias_entry(sym, ctx.aliases)
    return isinstance(key, N.Sym) and bool(key.index) and key.index == alias_key(sym).index


def _names_the_loss(sym: N.Sym) -> bool:
    return sym.layer is None and sym.name in ("J", "C", "L", "E")


def declared_quantity(sym: N.Sym, aliases: dict) -> bool:
    """Whether the notes declared `sym` as a quantity (not as a function letter such as f: g)."""
    _, target = _alias_entry(sym, aliases)
    if target is None:
        return False
    return not (isinstance(target, N.Sym) and target.layer is None and not target.index and not target.tag
                and target.name in FUNCTION_LETTERS)


def declared_loss(sym: N.Sym, aliases: dict) -> bool:
    """Whether the notes declared `sym` as their name for the loss (loss: L, E_n: E)."""
    _, target = _alias_entry(sym, aliases)
    return isinstance(target, N.Sym) and not target.index and _names_the_loss(target)


def declared_swaps(aliases: dict) -> dict:
    """The notes' own letters for the activation and the pre-activation, each to the other ({h: a, a: h} for
    Goodfellow, {z: a, a: z} for Bishop), from the `names:` entries: a slip that writes one for the other is
    a wrong definition in the notes' letters, as A for Z is in the tool's."""
    letters = {}
    for key, value in aliases.items():
        if isinstance(value, ToolName) and isinstance(key, N.Sym) and isinstance(value.target, N.Sym):
            kind = value.target.name.upper()
            if kind in ("A", "Z") and not key.tag:
                letters.setdefault(kind, key.name)
    if len(letters) == 2 and letters["A"] != letters["Z"]:
        return {letters["A"]: letters["Z"], letters["Z"]: letters["A"]}
    return {}


def is_tool_name(sym: N.Sym, ctx) -> bool:
    """Whether the alias covering `sym` is a `names:` entry, whose target is in the tool's vocabulary."""
    if not ctx.aliases:
        return False
    key, _ = _alias_entry(sym, ctx.aliases)
    return isinstance(ctx.aliases.get(key), ToolName)


@contextmanager
def tool_vocabulary(ctx, on: bool = True):
    """Read what is inside in the tool's own vocabulary (the notes' names set aside) when `on`."""
    if not on:
        yield
        return
    saved = ctx.aliases
    ctx.aliases = {}
    try:
        yield
    finally:
        ctx.aliases = saved


def register_definitions(statements, aliases: dict, known) -> list:
    """A definition the notes write (\\delta^l_j \\equiv \\frac{\\partial C}{\\partial z^l_j}, \\delta := dZ) names that
    quantity for the rest of the section, as an `alias:` line would. Only a name the network does not already
    know (known(sym) is False) is defined this way: W := W - \\alpha dW stays an update rule to check.
    Returns the names defined; aliases is updated in place, cycles marked."""
    defined = []
    for st in statements:
        if not isinstance(st, N.Statement) or len(st.steps) != 2 or st.rels != (":=",):
            continue
        name, target = st.steps
        if not isinstance(name, N.Sym) or known(name) or any(
                isinstance(n, N.Sym) and n.name == name.name for n in walk(target)):
            continue
        plain = {k: (v.target if isinstance(v, AliasCycle) else v) for k, v in aliases.items()}   # ToolName kept
        plain[alias_key(name)] = target
        if len(name.index) == 1 and isinstance(name.index[0], N.Sym):
            # \delta^l_j := dC/dz^l_j also names the vector \delta^l := dC/dz^l
            j = name.index[0]
            vector = _drop_index(target, j)
            if vector is not None:
                plain.setdefault(alias_key(replace(name, index=(), index_style="")), vector)
        aliases.clear()
        aliases.update(mark_alias_cycles(plain))
        defined.append(name)
    return defined


def _drop_index(target, j: N.Sym):
    """The expression with element index j taken off every name that carries exactly it; None when j appears
    any other way (then the vector form is not the same expression)."""
    found = []

    def fn(n):
        if isinstance(n, N.Sym) and n.index == (j,):
            found.append(n)
            return replace(n, index=(), index_style="")
        return n
    out = transform(target, fn)
    if not found or any(isinstance(n, N.Sym) and n == j for n in walk(out)):
        return None
    return out
