"""The safety net: an exception that is not the tool's own is a bug of ours, never a lost run.

Every expected failure has its own class and sentence (EvalError and its kinds for a formula,
GradauditError for a file). Anything else that reaches a verdict goes through `reason()`: the
claim stays `unsupported` (never correct), its reason says it is an internal error to report,
and `--debug` (or GRADAUDIT_DEBUG=1) prints the traceback to stderr. The fuzz harness
(bench/fuzz.py) asserts that no verdict ever carries MARKER.
"""
from __future__ import annotations

import os
import sys
import traceback

MARKER = "internal error"
DEBUG = bool(os.environ.get("GRADAUDIT_DEBUG"))


def reason(exc: BaseException) -> str:
    """The reason a user reads for an unexpected exception; the traceback too under --debug."""
    if DEBUG:
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    return (f"the auditor cannot handle it ({MARKER}: {type(exc).__name__}: {exc}); this is a bug in gradaudit: "
            f"please report the formula")
