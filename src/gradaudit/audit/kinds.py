"""The kinds of mistake a diagnosis names: one list, read by the auditor (which refuses any other), the
SARIF rules, the README's verdict table (tests/test_kinds.py keeps them equal) and CONTRIBUTING.md."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """A kind of mistake; its value is the name reports print, its description the SARIF rule's text."""

    def __new__(cls, value: str, description: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.description = description
        return member

    SIGN = "sign", "a sign is flipped"
    INDEX = "index", "a layer or unit index is wrong"
    TRANSPOSE = "transpose", "a transpose is missing or extra"
    DIMENSION = "dimension", "a stated dimension is wrong"
    FACTOR = "factor", "a constant factor (1/m, 2) is wrong"
    SUM = "sum", "a sum is missing or extra, or some of its terms are"
    STEP = "step", "a step of the chain rule is wrong"
    LABEL = "label", "the formula computes a different gradient than its left side names"
    DEFINITION = "definition", "a forward-pass definition is wrong, or defines another network than declared"
    PRECEDENCE = "precedence", "the formula's grouping is wrong"
    UNEXPLAINED = "unexplained", "the formula is wrong and no small edit explains it"


NAMES = tuple(kind.value for kind in Kind)


def checked(kind: str) -> str:
    """The kind, refused if no entry of the table names it (a new diagnosis adds its Kind first)."""
    if kind not in NAMES:
        raise ValueError(f"{kind!r} is not a kind of mistake (audit/kinds.py lists them: {', '.join(NAMES)})")
    return kind


@dataclass
class ErrorItem:
    """One mistake found in a claim: its kind, what is wrong, and the corrected LaTeX."""
    kind: str                     # one of kinds.Kind: any other is a bug, refused here
    detail: str
    fix_latex: str = ""

    def __post_init__(self):
        checked(self.kind)
