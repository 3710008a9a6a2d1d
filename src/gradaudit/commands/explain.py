"""`gradaudit explain`: not built yet."""
from __future__ import annotations

from ..errors import GradauditError


def add_arguments(parser) -> None:
    parser.add_argument("rest", nargs="*")


def run(args) -> int:
    raise GradauditError("'explain' is not built yet")
