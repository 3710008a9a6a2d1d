"""What the notes' dZ means, by their own formulas: one example's gradient stacked (the 1/m in dW, deeplearning.ai)
or the batch loss's own gradient (the 1/m in dZ, CS231n's dscores /= N)."""
from __future__ import annotations

from collections import Counter

from ..notation import ast as N
from ..notation.tree import walk
from .loss import inverse_factors

PARAMETERS = {"W", "w", "b", "B", "K", "k"}


def shorthand_reading(found) -> str:
    """'per-example', 'total' or '' (not pinned, or as often one way as the other): what the notes' dZ means.

    dW = \\frac{1}{m} dZ A^T (a parameter's gradient carrying the 1/m over a d-quantity) says dZ is one
    example's, stacked (deeplearning.ai); dZ = \\frac{1}{m}(A - Y), or dW = dZ A^T with no 1/m, says dZ is the
    batch loss's own gradient. A formula of one example (dw = x dz, db = dz) says neither: for one example the
    two readings are the same."""
    votes = Counter()
    for _, lhs, rhs in found:
        if not isinstance(lhs, N.Shorthand) or one_examples(rhs):
            continue
        uses_d = any(isinstance(n, N.Shorthand) for n in walk(rhs))
        parameter = lhs.of.name in PARAMETERS
        if parameter and uses_d:
            votes["per-example" if _has_mean_factor(rhs) else "total"] += 1
        elif not parameter and not uses_d and _has_mean_factor(rhs):
            votes["total"] += 1
    ranked = votes.most_common()
    if not ranked or len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return ""   # a clear majority decides (a lost 1/m is then reported); a tie leaves the reading open
    return ranked[0][0]


def one_examples(node) -> bool:
    """dw = x dz, dW^{[2]} = dz^{[2]} a^{[1]T}: every quantity besides the parameters is a lowercase name, with no sum
    and no 1/m (a batch formula writes X, A, dZ, or sums over the examples)."""
    names = [n.of if isinstance(n, N.Shorthand) else n for n in walk(node) if isinstance(n, (N.Sym, N.Shorthand))]
    data = [n for n in names if isinstance(n, N.Sym) and n.name not in PARAMETERS]
    return bool(data) and all(n.name.islower() and len(n.name) == 1 for n in data) \
        and not any(isinstance(n, N.Sum) for n in walk(node)) and not _has_mean_factor(node)


def _has_mean_factor(node) -> bool:
    return any(isinstance(n, N.Div) and inverse_factors(n.den) is not None and inverse_factors(n.den)[1]
               for n in walk(node))
