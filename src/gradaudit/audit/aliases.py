"""A section's own names for the network's quantities (aliases = { "Y_{relu}" = "A^{[1]}" }): how a
written symbol finds its alias, and which aliases lead back to themselves."""
from __future__ import annotations

from dataclasses import dataclass, replace

from ..notation import ast as N
from .tree import EvalError, show as _show, walk


def alias_key(sym: N.Sym):
    """Aliases match a symbol as written, whatever bracket style its layer index used."""
    def plain(n):
        return replace(n, style="") if isinstance(n, N.Sym) else n
    return replace(sym, style="", layer=plain(sym.layer)) if isinstance(sym, N.Sym) else sym


@dataclass(frozen=True)
class AliasCycle:
    """Wraps an alias that leads back to itself, so that using it says so instead of recursing."""
    path: str
    target: object


def _alias_entry(sym: N.Sym, aliases: dict):
    """(key, expansion) of the alias that covers `sym`, or (None, None). An alias of a bare name also
    covers the name with an index or a layer."""
    def get(key):
        value = aliases.get(key)
        return value.target if isinstance(value, AliasCycle) else value
    key = alias_key(sym)
    if get(key) is not None:
        return key, get(key)
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
        if indexed is not None:
            return key, indexed
    if sym.layer is not None:
        key = alias_key(replace(sym, layer=None, style=""))
        bare = get(key)
        if isinstance(bare, N.Sym) and bare.layer is None:
            return key, replace(bare, layer=sym.layer, style=sym.style)
        # \delta^{[l]} = dZ^{[l]} also names \delta^{[l+1]} and \delta^{[L]}: the layer is a variable (but the
        # output layer L is one layer: \delta^{[L]} = dZ^{[L]} names only that one)
        unlayered = alias_key(replace(sym, layer=None, style=""))
        for key in aliases:
            if isinstance(key, N.Sym) and isinstance(key.layer, N.Sym) and not key.layer.index \
                    and key.layer.name != "L" \
                    and key.layer.layer is None and replace(key, layer=None) == unlayered:
                return key, _put_layer(get(key), key.layer.name, sym.layer)
    return None, None


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
    from .resolve import transform
    return transform(target, lambda n: layer if isinstance(n, N.Sym) and n.name == variable and not n.index
                     and n.layer is None else n)


def mark_alias_cycles(aliases: dict) -> dict:
    """Wrap every alias whose expansion reaches itself (V -> U -> V, Q -> Q + Q) in an AliasCycle.
    Linear in the size of the alias table: one pass of Tarjan's strongly connected components."""
    edges = {}
    for key, target in aliases.items():
        found = (_alias_entry(n, aliases)[0] for n in walk(target) if isinstance(n, N.Sym))
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


def lookup_alias(sym: N.Sym, ctx):
    """The section's alias for a symbol (see _alias_entry); an alias in a cycle is a reason, not a recursion."""
    if not ctx.aliases:
        return None
    key, alias = _alias_entry(sym, ctx.aliases)
    if isinstance(ctx.aliases.get(key), AliasCycle):
        raise EvalError(f"the section's aliases refer to each other in a cycle: {ctx.aliases[key].path}")
    return alias


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
        plain = {k: (v.target if isinstance(v, AliasCycle) else v) for k, v in aliases.items()}
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
    from .resolve import transform
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
