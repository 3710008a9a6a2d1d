"""A heading whose notes define the loss otherwise than the file's declared network.

Notes declare one network in their front matter and then, under a later heading, go on to a variant:
"## Without the one-half", J = \\frac{1}{m} \\sum_i (\\hat{y}^{(i)} - y^{(i)})^2 where the front matter said
loss_scale 1/2. The definition is the notes' own, not a mistake: that heading's formulas are checked in the
network it defines (the declared one with that loss scale and averaging), and the next heading returns to the
declared network. Only a loss definition is read so, and only when it holds in exactly one such variant.
"""
from __future__ import annotations

from dataclasses import replace

from ..corpus import Formula
from ..errors import NotationError
from ..notation import ast as N
from ..notation.tree import walk
from .names import is_loss
from .resolve import normalize

SCALES = ("1", "1/2")
AVERAGINGS = ("mean", "sum")


class OwnLoss:
    """Mixed into SectionAuditor: it brings self.section, self.parse, self._audit_within and the envs caches."""

    def _enter_heading(self, formula: Formula) -> None:
        """Back to the declared network when a new heading starts."""
        if formula.heading != self._heading:
            self._heading = formula.heading
            if self.section.architecture is not self._declared:
                self._use(self._declared)

    def _use(self, arch) -> None:
        self.section.architecture = arch
        self._envs, self._other_envs = None, {}

    def _own_loss(self, formula: Formula, base: dict, start: float, deadline: float, results: list) -> list:
        """The formula's results, re-read in the network a loss definition under a heading gives (see above)."""
        arch = self.section.architecture
        if self.section.inferred or not formula.heading or arch is None or arch.is_cnn \
                or not any(r.verdict == "error" and any(e.kind == "factor" for e in r.errors) for r in results) \
                or not self._defines_the_loss(formula):
            return results
        variants = [replace(arch, loss_scale=scale, averaging=averaging) for scale in SCALES for averaging in AVERAGINGS
                    if (scale, averaging) != (arch.loss_scale, arch.averaging)]
        for variant in variants:
            self._use(variant)
            found = self._audit_within(formula, base, start, deadline)
            if found and all(r.verdict in ("correct", "notation") for r in found):
                for r in found:
                    r.verdict = "notation"
                    r.reason = (f"{r.reason + '; ' if r.reason else ''}this heading defines its own loss (scale {variant.loss_scale}, averaging "
                                f"{variant.averaging}), not the declared network's ({arch.loss_scale}, "
                                f"{arch.averaging}): its formulas are checked in the network it defines")
                return found
        self._use(arch)
        return results

    def _defines_the_loss(self, formula: Formula) -> bool:
        """J = ... with no derivative on the right: the loss written out."""
        try:
            parsed = self.parse(formula.latex)
        except NotationError:
            return False
        statements = [s for s in parsed.statements if isinstance(s, N.Statement)]
        if len(statements) != 1 or len(statements[0].steps) != 2:
            return False
        left, right = (normalize(x, self.section) for x in statements[0].steps)   # J(\\theta) is the cost J
        named = is_loss(left) or (isinstance(left, N.Call) and is_loss(N.Sym(left.func)))
        return named and not any(isinstance(n, (N.Deriv, N.DerivOp, N.Shorthand)) for n in walk(right))
