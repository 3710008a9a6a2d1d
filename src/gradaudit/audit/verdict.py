"""A claim's verdict: one step of a chain against the chain's reference, in every environment.

A claim that holds is `correct`. One that cannot be evaluated, or does not hold, is first tried
under the readings a careful reader gives notes that leave something open: each reading is a named
function in one of the ordered tables below, and returns True when it decided the verdict. A claim
no reading explains goes to the diagnosis (a layout repair, then the edit search), whose correction
is shown only once its LaTeX parses back to a claim that holds, in float64 and in 60 digits. To add
a reading, write one function `reading(auditor, claim) -> bool` in reading_table.py with a docstring
that says when it applies, and put it in its table at the place it should be tried.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from .. import infer
from ..notation import ast as N
from ..notation.tree import walk
from . import diagnose, exact, layout
from .compare import Match
from .judge import Outcome, judge, written_size
from .kinds import ErrorItem
from .readings import (operator_readings, OPAQUE, evaluable, fails_on_dimensions, foreign,
                       update_rule)
from .reading_table import decide, READINGS_BEFORE_DIAGNOSIS, READINGS_OF_A_DEFINITION, READINGS_WHEN_UNEQUAL, READINGS_WHEN_UNREAD
from .resolve import normalize
from .tree import show as _latex

# GRADAUDIT_EXACT=0 switches the 60-digit confirmation off (bench/RESULTS.md measures its cost with it)
CONFIRM = os.environ.get("GRADAUDIT_EXACT", "1") != "0"
VERDICTS = ("correct", "notation", "error", "unsupported")


@dataclass
class Result:
    """One claim's verdict, as the reports print it."""
    file: str
    line: int
    id: str
    source: str
    latex: str
    claim: str
    verdict: str
    errors: list = field(default_factory=list)
    corrected_latex: str = ""
    seconds: float = 0.0
    step: int = 1
    steps: int = 1
    reason: str = ""
    section: str = ""
    document: str = ""
    notes: list = field(default_factory=list)

    def as_json(self) -> dict:
        return {"file": self.file, "line": self.line, "id": self.id, "step": self.step, "steps": self.steps,
                "source": self.source, "latex": self.latex, "claim": self.claim, "verdict": self.verdict,
                "errors": [e.__dict__ for e in self.errors], "corrected_latex": self.corrected_latex,
                "reason": self.reason, "seconds": round(self.seconds, 4), "section": self.section,
                "document": self.document}


@dataclass
class Claim:
    """What a reading looks at: the claim's two sides, where it is evaluated, and how it fared as written."""
    result: Result
    ref: object
    step: object
    contexts: list
    deadline: float
    budget: float                 # the diagnosis's share of the formula's time
    outcome: Outcome
    claims: int = 1


class Verdicts:
    """The verdict half of SectionAuditor (auditor.py): it needs the section, its environments and the
    formula's time budget, and keeps what float64 accepted for the 60-digit confirmation."""

    def _verdict(self, result: Result, ref, step, contexts, deadline, claims: int = 1):
        budget = min(deadline, time.monotonic() + max(0.5, self.timeout / (2 * max(1, claims))))
        if any(reading(self, Claim(result, ref, step, contexts, deadline, budget, Outcome(None), claims))
               for reading in READINGS_OF_A_DEFINITION):
            return
        outcome = judge(ref, step, contexts, deadline)
        c = Claim(result, ref, step, contexts, deadline, budget, outcome, claims)
        if outcome.match is None:
            if any(reading(self, c) for reading in READINGS_WHEN_UNREAD):
                return
            searchable = not any(isinstance(n, OPAQUE) for n in walk(step)) and fails_on_dimensions(step, contexts)
            if searchable and foreign(outcome.unknown):
                searchable = False   # a name of the notes' own (N): an edit deleting it would explain nothing
            if searchable and (outcome.unknown or evaluable(ref, contexts)):
                found = diagnose.bounded_search(ref, step, contexts, budget, self.strict)
                if found is not None:
                    self._apply(result, ref, found)
                    return
            decide(result, "unsupported", outcome.reason)
            return
        if outcome.match is Match.SHAPE and written_size(ref) and not evaluable(ref, contexts):
            result.verdict = "error"   # the left side's written size is wrong: no edit of the right side helps
            result.errors.append(ErrorItem("dimension", outcome.reason, ""))
            return
        if outcome.match is Match.EQUAL:
            result.verdict = "correct"
            self._accepted = (ref, step, contexts, (Match.EQUAL,))
            return
        if outcome.match is Match.LOCAL:
            decide(result, "notation", "a Jacobian written as the factor it contributes in backpropagation")
            self._accepted = (ref, step, contexts, (Match.EQUAL, Match.LOCAL))
            return
        if any(reading(self, c) for reading in READINGS_WHEN_UNEQUAL):
            return
        self._diagnose(c)

    def _diagnose(self, c: Claim):
        """A claim that does not hold: a reading the notes allow, a layout repair, else the smallest edit that
        makes it right."""
        if any(reading(self, c) for reading in READINGS_BEFORE_DIAGNOSIS):
            return
        result, ref, step, contexts, deadline = c.result, c.ref, c.step, c.contexts, c.deadline
        repaired = layout.repair(ref, step, contexts, deadline)
        if repaired is not None:
            if repaired.layout_only or not self.strict:
                result.verdict = "notation"
                result.reason = repaired.detail
                result.corrected_latex = f"{_latex(ref)} = {_latex(repaired.node)}"
                self._accepted = (ref, repaired.node, contexts, (Match.EQUAL,))   # if its LaTeX does not parse back
                return
            result.verdict = "error"
            result.errors.append(ErrorItem(repaired.kind, repaired.detail, _latex(repaired.node)))
            result.corrected_latex = f"{_latex(ref)} = {_latex(repaired.node)}"
            return
        found = diagnose.bounded_search(ref, step, contexts, c.budget, self.strict)
        if found is not None:
            self._apply(result, ref, found)
            return
        result.verdict = "error"
        kind = "dimension" if c.outcome.match is Match.SHAPE else "unexplained"
        detail = (c.outcome.reason or "the two sides have different shapes") if c.outcome.match is Match.SHAPE \
            else "no small edit makes it right"
        result.errors.append(ErrorItem(kind, detail, ""))

    def _local_substitution(self, result: Result, before, step, contexts, deadline) -> None:
        """dL/dw = dL/dz dz/dw = dL/dz a^{[l-1]}: a step that puts a value for one Leibniz factor of the step before
        (which holds) says what that local derivative is. When the value is the derivative, or the factor it
        contributes in backpropagation (a^{[l-1]} for dz/dw, w for dz/da), the step is right as the chain rule is
        written, with the product's layout left to the reader: notation, not a transpose error. Only for one
        example's vectors (lowercase names in a batch text), where the step is the scalar chain rule
        (dL/dw_{jk} = dL/dz_j a_k), and among Leibniz fractions, whose layout the notation leaves open; a batch's
        dJ/dZ X^T is a matrix product that does not conform."""
        if result.verdict != "error":
            return
        sign, old = layout.factors_of(before)
        sign_new, new = layout.factors_of(step)
        if sign != sign_new or len(old) != len(new):
            return
        changed = [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
        if len(changed) != 1 or not isinstance(old[changed[0]], N.Deriv) or isinstance(new[changed[0]], N.Deriv):
            return
        if not all(isinstance(f, N.Deriv) for i, f in enumerate(new) if i != changed[0]):
            return   # dZ W: a shorthand has its quantity's shape, so its layout is not the reader's to choose
        factor, value = old[changed[0]], new[changed[0]]
        if judge(factor, value, contexts, deadline).match not in (Match.EQUAL, Match.LOCAL):
            return
        result.verdict, result.errors, result.corrected_latex = "notation", [], ""
        result.reason = (f"the step before with {_latex(factor)} written as {_latex(value)}, the factor it "
                         "contributes in backpropagation; the product's layout (order, transposes) is left to "
                         "the reader")

    def _layout_definition(self, result: Result, ref, step) -> None:
        """Z = A W + b in a network whose layout is W A: the forward formula defines another network than the one
        declared (or inferred from the notes' other formulas), an error of kind `definition`."""
        if result.verdict != "error" or [e.kind for e in result.errors] != ["transpose"] or not result.corrected_latex \
                or not isinstance(ref, N.Sym):
            return
        written = infer.affine_of(step, ref)
        network_rows = self.section.architecture.convention == "row"
        if written is None or (written[3] == "row") == network_rows:
            return   # the weight on the network's side: a transpose slip (w X for w^T X), not another network
        network = "the network inferred from the notes' other formulas" if self.section.inferred \
            else "the declared network"
        layout = self.section.architecture.declared_convention or self.section.architecture.convention
        error = result.errors[0]
        error.kind = "definition"
        error.detail = f"this forward formula writes another layout than {network} ({layout}): {error.detail}"

    def _verify_correction(self, result: Result, contexts, deadline):
        """A corrected formula is shown only if its LaTeX parses back to a claim that holds, in float64 and then
        in 60-digit arithmetic (an edit that holds only to float64's precision is no diagnosis)."""
        if not result.corrected_latex:
            return
        repaired = None
        try:
            parsed = self.parse(result.corrected_latex)
            statement = next(s for s in parsed.statements if isinstance(s, N.Statement))
            left, right = update_rule(operator_readings([normalize(x, self.section) for x in statement.steps[:2]],
                                                        contexts)[0])   # read as the claim was
            budget = max(deadline, time.monotonic() + 1.0)
            outcome = judge(left, right, contexts, budget)
            ok = outcome.match in (Match.EQUAL, Match.LOCAL)
            if not ok and not self.strict and outcome.match is not None:
                repaired = layout.repair(left, right, contexts, budget)
                ok = repaired is not None
        except Exception:  # unreadable or unevaluable: not a verified correction
            ok = False
        if ok and CONFIRM:
            right = repaired.node if repaired is not None else right
            confirmed = exact.confirm(judge, left, right, contexts, budget, (Match.EQUAL, Match.LOCAL))
            ok = confirmed.evaluated   # unconfirmable: not shown, as a correction that does not parse back
            if ok and not confirmed.holds:
                self._near_miss(result, "the edit the search found is right only to float64's precision (corrected, "
                                        f"{confirmed.detail})")
                return
        if not ok:
            result.corrected_latex = ""
            for e in result.errors:
                e.fix_latex = ""
            result.reason = (result.reason + "; " if result.reason else "") + \
                "the correction found could not be verified from its LaTeX, so it is not shown"

    def _confirm(self, result: Result, ref, step, contexts, deadline, claims: int) -> None:
        """A claim float64 accepts is evaluated once more in 60 digits (audit/exact.py); one that fails there is
        an error, diagnosed as any other (its correction, if one is found, confirmed in 60 digits too)."""
        accepted, self._accepted = self._accepted, None
        if not CONFIRM or accepted is None or result.verdict not in ("correct", "notation") or result.corrected_latex:
            return
        left, right, where, accept = accepted
        confirmed = exact.confirm(judge, left, right, where, deadline, accept)
        if confirmed.holds:
            return
        if not confirmed.evaluated:   # a failure of the 60-digit evaluation is no evidence against the claim
            result.verdict, result.reason, result.errors, result.corrected_latex = "unsupported", confirmed.detail, [], ""
            return
        result.verdict, result.reason, result.errors, result.corrected_latex = "error", "", [], ""
        budget = min(deadline, time.monotonic() + max(0.5, self.timeout / (2 * max(1, claims))))
        self._diagnose(Claim(result, ref, step, contexts, deadline, budget, Outcome(Match.DIFFER), claims))
        self._verify_correction(result, contexts, deadline)
        if result.verdict != "error" or (result.errors and result.errors[0].kind == "unexplained"):
            self._near_miss(result, confirmed.detail)

    def _near_miss(self, result: Result, detail: str) -> None:
        """An error float64 cannot see: no correction is shown, only what the 60-digit evaluation found."""
        result.verdict = "error"
        result.corrected_latex = ""
        result.reason = ""
        result.errors = [ErrorItem("unexplained", f"{detail}; no small edit makes it right", "")]

    def _apply(self, result, ref, found):
        result.verdict = "error"
        if found.ref is None and isinstance(found.node, (N.Shorthand, N.Deriv)) \
                and found.kind in ("index", "step", "definition"):
            found.kind = "label"   # one name equated to another: the name is what is wrong
        if found.node is None:   # a diagnosis without a correction (a chain factor that is zero)
            result.errors.append(ErrorItem(found.kind, found.detail, ""))
            return
        fixed_ref = found.ref if found.ref is not None else ref
        fixed_label = found.kind == "label" and found.ref is not None
        result.errors.append(ErrorItem(found.kind, found.detail, _latex(fixed_ref if fixed_label else found.node)))
        for kind, detail in found.more:
            result.errors.append(ErrorItem(kind, detail, _latex(found.node)))
        result.corrected_latex = f"{_latex(fixed_ref)} = {_latex(found.node)}"

    @property
    def strict(self) -> bool:
        """Strict sections treat a misplaced transpose or order as an error; informal ones as notation."""
        return self.section.notation != "informal"
