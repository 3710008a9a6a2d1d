"""What every audit module shares: the evaluator's failures, and showing a parsed tree in a message."""
from __future__ import annotations

from ..notation.latex import to_latex


class EvalError(Exception):
    """The formula cannot be evaluated as written: the reason is shown as `unsupported`."""


class DimensionError(EvalError):
    """Operands that do not conform: a real mistake in a strict reading."""


class UnknownSymbol(EvalError):
    def __init__(self, text):
        super().__init__(f"unknown quantity {text}")
        self.text = text


def show(node) -> str:
    try:
        return to_latex(node)
    except Exception:  # the printer is optional for messages
        return repr(node)
