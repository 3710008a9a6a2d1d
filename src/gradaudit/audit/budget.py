"""One budget per formula, and one for the run: what bounds the time and the memory of any input.

Time: the auditor sets the formula's deadline (the earlier of its --timeout and the run's --max-seconds)
around everything the formula costs: reading, normalizing, evaluating and diagnosing. The loops that can
grow (every evaluation step, the diagnosis and layout searches, the written-terms check) call `check()`,
so a slow formula stops within one step, not after its whole evaluation.

Memory: an index-notation value is an array with one axis per free or summed label, so its size is the
product of the labels' ranges. `check_elements` is called with that product *before* an array is built;
past MAX_ELEMENTS the formula is `unsupported` with a reason that names the bound. The networks the
auditor builds are small (widths of a few units), so the model's own arrays are far below it. With
MAX_ELEMENTS complex entries of 16 bytes (32 MB per array, a handful alive at once), a run stays under
MEMORY_CEILING whatever the input.
"""
from __future__ import annotations

import time
from contextlib import contextmanager

from .tree import EvalError

MAX_ELEMENTS = 2_000_000             # entries of one value the evaluator builds (complex: 32 MB)
MEMORY_CEILING = 1024 * 1024 * 1024  # bytes: the documented ceiling of a whole run (tests/test_budget.py)

_deadline = float("inf")


class BudgetSpent(TimeoutError):
    """The formula's (or the run's) time is spent: the auditor reports it `unsupported` and goes on."""


class TooLarge(EvalError):
    """A value would exceed MAX_ELEMENTS entries: refused before it is allocated."""


def check() -> None:
    """Raise BudgetSpent once the current deadline has passed (cheap: one clock read)."""
    if time.monotonic() > _deadline:
        raise BudgetSpent


def remaining() -> float:
    return _deadline - time.monotonic()


@contextmanager
def limit(deadline: float):
    """Everything inside runs under `deadline` (a time.monotonic() value), or under an outer, earlier one."""
    global _deadline
    saved = _deadline
    _deadline = min(saved, deadline)
    try:
        yield
    finally:
        _deadline = saved


def check_elements(count: int, what: str) -> None:
    """Refuse, before allocating it, a value of `count` entries past the bound."""
    if count > MAX_ELEMENTS:
        raise TooLarge(f"{what} would have {count:,} entries; the auditor evaluates at most {MAX_ELEMENTS:,} "
                       f"(its memory bound): write the sums with smaller limits")
