"""Judging a claim: both sides evaluated in every environment and compared.

The diagnosis, the layout search and the auditor all ask the same question of a candidate
formula (does it equal the reference wherever both can be evaluated?), so the answer lives here,
below all three, and none of them imports another to ask it.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..notation import ast as N
from . import net
from .compare import Match, compare, describe_shape, finite
from .evaluate import evaluate, infer_ranges
from .tree import DimensionError, EvalError, UnknownSymbol


@dataclass
class Outcome:
    match: Match | None           # None: not evaluable anywhere
    reason: str = ""
    dimension: bool = False       # a product did not conform
    unknown: str = ""             # an unknown quantity's text
    applicable: int = 0


def judge(ref: N.Node, step: N.Node, contexts: list, deadline: float, ops=None) -> Outcome:
    """How `step` compares with `ref` across the contexts where both can be evaluated."""
    with np.errstate(all="ignore"):   # log of a negative, 0/0: a formula's value, not our warning
        return _judge(ref, step, contexts, deadline, ops)


def _judge(ref, step, contexts, deadline, ops) -> Outcome:
    worst = Match.EQUAL
    applicable = 0
    reason = ""
    dimension = False
    unknown = ""
    for ctx in contexts:
        if time.monotonic() > deadline:
            raise TimeoutError
        ctx.index_ranges = {}
        infer_ranges((ref, step), ctx)
        ref_value, exc = attempt(ref, ctx)
        if isinstance(exc, DimensionError) and written_size(ref):
            applicable += 1   # Z_{m x 1} = ...: the size written on the left side is wrong, a mistake as on the right
            dimension = True
            reason = str(exc)
            worst = Match.SHAPE
            continue
        if exc is None:
            if ops:
                ctx.informal_ops = ops
            value, exc = attempt(step, ctx)
            if isinstance(exc, DimensionError):
                applicable += 1
                dimension = True
                reason = str(exc)
                worst = Match.SHAPE
                continue
        if exc is not None:
            unknown = unknown or (exc.text if isinstance(exc, UnknownSymbol) else "")
            reason = reason or (str(exc) if isinstance(exc, EvalError) else net.reason(exc))
            continue
        if not (finite(ref_value) and finite(value)):
            reason = reason or "a side is not a finite number at the points tried (overflow, or a division by zero)"
            continue
        try:
            m = compare(ref_value, value, reshape_ok=ctx.model.arch.is_cnn)
        except EvalError as exc:   # two kinds of value that cannot be set side by side: a reason, not a verdict
            reason = reason or str(exc)
            continue
        applicable += 1
        if m is Match.SHAPE and not reason:
            reason = f"the left side is {describe_shape(ref_value)}, the right side {describe_shape(value)}"
        if m is not Match.EQUAL:
            worst = m if worst in (Match.EQUAL, Match.LOCAL) else worst
        if m in (Match.DIFFER, Match.SHAPE):
            break
    if applicable == 0:
        return Outcome(None, reason or "nothing to evaluate", unknown=unknown)
    return Outcome(worst, reason, dimension=dimension, applicable=applicable)


def written_size(node) -> bool:
    """A quantity written with its size, Z_{1 x m} or dw_{n x 1}: a wrong size there is the claim's mistake."""
    of = node.of if isinstance(node, N.Shorthand) else node
    return isinstance(of, N.Sym) and of.shape is not None


def attempt(node, ctx):
    """(value, None), or (None, the exception): a side the evaluator cannot read is a reason, not a crash."""
    try:
        if isinstance(node, N.Sym) and node.name == "L" and node.layer is None and not node.index and not node.tag:
            return ctx.model.values["J"], None   # L alone as a side is the loss, not the depth
        return evaluate(node, ctx), None
    except TimeoutError:
        raise
    except Exception as exc:  # noqa: BLE001 - reported as the claim's reason
        return None, exc
