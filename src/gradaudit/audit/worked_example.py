"""A worked example's numbered elements (scores_0 + scores_1 + scores_2, W2_{01}): the notes' own example, whose
sizes and true class they fix and gradaudit does not know unless they declare them.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..notation import ast as N
from ..notation.tree import walk
from .compare import Match
from .judge import judge
from .names import quantity_key
from .tree import EvalError, UnknownSymbol


def numbered_element(chain):
    """The first name the chain indexes by a number (scores_0, W_{12}), or None."""
    for node in chain:
        for n in walk(node):
            if isinstance(n, N.Sym) and any(isinstance(i, N.Num) for i in n.index):
                return n
    return None


def _writes_target(ref, step, ctx) -> bool:
    """Does the claim name the target (y, or the notes' trueprob)?"""
    for x in (ref, step):
        for n in walk(x):
            if isinstance(n, N.Sym):
                try:
                    if quantity_key(n, ctx) == "Y":
                        return True
                except UnknownSymbol:   # a name that is no quantity is not the target
                    continue
    return False


def enumerates(chain) -> bool:
    """Does a sum of the chain write out elements 0, 1, 2 (or 1, 2, ...) of one quantity, one a term
    (scores_0 + scores_1 + scores_2)? Such a sum states the width of its example's network."""
    for node in chain:
        for add in walk(node):
            if not isinstance(add, N.Add) or len(add.terms) < 2:
                continue
            seen = [{(n.name, k, i.value) for n in walk(t) if isinstance(n, N.Sym)
                     for k, i in enumerate(n.index) if isinstance(i, N.Num)} for t in add.terms]
            for name, k, _ in seen[0]:
                values = sorted({v for term in seen for (m, j, v) in term if (m, j) == (name, k)})
                counts = all(any((m, j) == (name, k) for m, j, _ in term) for term in seen)
                if counts and len(values) == len(add.terms) and values[0] in (0, 1) \
                        and values == list(range(int(values[0]), int(values[0]) + len(values))):
                    return True
    return False


def example_label(result, ref, step, contexts, deadline, arch) -> None:
    r"""A worked example's claim by numbered elements that holds when the example's target is one class
    (-scores_2 + \log \sum_j e^{scores_j}: the true class is 2) speaks of that example's label, which the notes
    fix and gradaudit cannot know: unsupported, saying which class, never an error."""
    if arch.loss != "cce" or _writes_target(ref, step, contexts[0]):
        return   # a claim that writes the target (trueprob_2) speaks of every target
    width = min(np.shape(c.model.values["Y"])[c.model.class_axis] for c in contexts)
    labels = []
    for label in range(width):
        labelled = [replace(c, model=c.model.with_label(label)) for c in contexts]
        try:
            outcome = judge(ref, step, labelled, deadline)
        except (EvalError, ValueError, ArithmeticError, IndexError):
            continue
        if outcome.match is Match.EQUAL:
            labels.append(label)
    if labels:
        base = 0 if any(isinstance(n, N.Sym) and (N.Num(0) in n.index or "0" in n.index_style.partition("digits:")[2])
                        for x in (ref, step) for n in walk(x)) else 1
        classes = " or ".join(str(c + base) for c in labels)
        result.verdict, result.errors, result.corrected_latex = "unsupported", [], ""
        result.reason = (f"it holds only when the example's true class is {classes} (as the formula counts): "
                         "the notes' example fixes its label, which gradaudit does not know")
