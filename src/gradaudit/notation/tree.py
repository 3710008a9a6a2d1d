"""The one way to walk and rebuild a parsed tree.

A node's children are the Nodes in its fields, in a tuple field (`Add.terms`) or in a tuple of
tuples (`Cases.branches`, `Matrix.rows`), so every traversal sees the same subtrees: an edit of the
diagnosis reaches inside a `cases` branch as the evaluator does. A path is a tuple of steps, each
(field name, positions): positions is () for a Node field, (i,) for a tuple's item, (i, j) for an
item of a tuple of tuples. Walks are iterative, so a deep tree cannot exhaust the recursion limit.
"""
from __future__ import annotations

from dataclasses import replace

from .ast import Node


def children(node):
    """Every (step, child) of a node, in field order."""
    if not isinstance(node, Node):
        return
    for key, value in node.__dict__.items():
        if isinstance(value, Node):
            yield (key, ()), value
        elif isinstance(value, tuple):
            for positions, item in _items(value, ()):
                yield (key, positions), item


def _items(value: tuple, positions: tuple):
    for i, item in enumerate(value):
        if isinstance(item, Node):
            yield positions + (i,), item
        elif isinstance(item, tuple):
            yield from _items(item, positions + (i,))


def subtrees(node, stop=None):
    """Every (path, subtree), preorder; below a subtree for which `stop` is true nothing is visited."""
    stack = [((), node)]
    while stack:
        path, current = stack.pop()
        yield path, current
        if stop is not None and stop(current):
            continue
        stack.extend(reversed([(path + (step,), child) for step, child in children(current)]))


def walk(node, stop=None):
    """Every subtree, preorder (the order of `subtrees`, without building paths: the evaluator walks often)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if not isinstance(current, Node) or (stop is not None and stop(current)):
            continue
        found = []
        for value in current.__dict__.values():
            if isinstance(value, Node):
                found.append(value)
            elif isinstance(value, tuple) and value:
                _nodes_in(value, found)
        found.reverse()
        stack.extend(found)


def _nodes_in(value: tuple, found: list) -> None:
    for item in value:
        if isinstance(item, Node):
            found.append(item)
        elif isinstance(item, tuple):
            _nodes_in(item, found)


def depth(node) -> int:
    """The number of nodes on the longest path from the root down."""
    best, stack = 0, [(node, 1)]
    while stack:
        current, d = stack.pop()
        best = max(best, d)
        stack.extend((child, d + 1) for _, child in children(current))
    return best


def at(node, path):
    """The subtree at `path`."""
    for key, positions in path:
        node = getattr(node, key)
        for i in positions:
            node = node[i]
    return node


def _put(value, positions, new):
    if not positions:
        return new
    items = list(value)
    items[positions[0]] = _put(items[positions[0]], positions[1:], new)
    return tuple(items)


def replace_at(node, path, new):
    """The tree with the subtree at `path` replaced by `new` (the rest shared, not copied)."""
    if not path:
        return new
    (key, positions), rest = path[0], path[1:]
    value = getattr(node, key)
    inner = at(node, (path[0],))
    return replace(node, **{key: _put(value, positions, replace_at(inner, rest, new))})


def transform(node, fn, stop=None):
    """The tree rebuilt bottom-up through fn (fn sees each node after its children are rebuilt); a subtree
    for which `stop` is true is passed to fn as it is, its children untouched."""
    if not isinstance(node, Node):
        return node
    if stop is None or not stop(node):
        changes = {}
        for key, value in node.__dict__.items():
            new = _rebuilt(value, fn, stop)
            if new is not value:
                changes[key] = new
        if changes:
            node = replace(node, **changes)
    return fn(node)


def _rebuilt(value, fn, stop):
    if isinstance(value, Node):
        return transform(value, fn, stop)
    if isinstance(value, tuple) and any(isinstance(v, (Node, tuple)) for v in value):
        new = tuple(_rebuilt(v, fn, stop) for v in value)
        return value if all(a is b for a, b in zip(new, value, strict=True)) else new
    return value
