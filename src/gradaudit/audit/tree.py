"""What every audit module shares: the evaluator's failures, and walking and showing a parsed tree."""
from __future__ import annotations

from ..notation import ast as N


class EvalError(Exception):
    """The formula cannot be evaluated as written: the reason is shown as `unsupported`."""


class DimensionError(EvalError):
    """Operands that do not conform: a real mistake in a strict reading."""


class UnknownSymbol(EvalError):
    def __init__(self, text):
        super().__init__(f"unknown quantity {text}")
        self.text = text


def walk(node):
    yield node
    if isinstance(node, N.Node):
        for value in node.__dict__.values():
            if isinstance(value, N.Node):
                yield from walk(value)
            elif isinstance(value, tuple):
                for item in value:
                    if isinstance(item, N.Node):
                        yield from walk(item)
                    elif isinstance(item, tuple):
                        for sub in item:
                            if isinstance(sub, N.Node):
                                yield from walk(sub)


def show(node) -> str:
    try:
        from ..notation.latex import to_latex
        return to_latex(node)
    except Exception:  # the printer is optional for messages
        return repr(node)
