"""The evaluator's dispatch: one handler per kind of syntax-tree node.

The handlers live beside what they read (evaluate.py: names, products, calls and derivatives;
sums.py: sums, maxima and cases) and register themselves in HANDLERS; both call `evaluate` for
their subtrees, so it lives here, below them.
"""
from __future__ import annotations

from .budget import check as _check_budget
from .tree import EvalError

HANDLERS: dict = {}   # node type -> handler(node, ctx)


def evaluate(node, ctx):
    """A subtree's value at the context's point (values.py lists the kinds of value)."""
    _check_budget()   # every step of every evaluation: a slow formula stops within one step of its deadline
    handler = HANDLERS.get(type(node))
    if handler is None:
        raise EvalError(f"cannot evaluate {type(node).__name__}")
    return handler(node, ctx)
