"""What a loss formula says: the loss, its 1/2, its averaging over the examples, and an added L2 penalty."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

from ..notation.tree import walk
from ..notation import ast as N
from .reading import EXAMPLE_COUNTS, WEIGHT_NAMES

# ---- the loss -----------------------------------------------------------------------------------------------

@dataclass
class LossFacts:
    kind: str = ""                 # 'bce' | 'cce' | 'squared'
    kind_line: int = 0
    averaging: str = ""
    scale: str = ""
    regularization: str = ""
    count: str = ""                # the name of the number of examples the loss divides by: m, N, n
    scalar_output: bool = False    # (\hat{y} - y)^2 with no sum over units and no norm: one output unit
    line: int = 0


def loss_facts(rhs, line: int, facts: LossFacts) -> None:
    logs = [n for n in walk(rhs) if isinstance(n, N.Call) and n.func in ("log", "ln")]
    terms = rhs.terms if isinstance(rhs, N.Add) else (rhs,)
    penalty = [t for t in terms if any(isinstance(n, N.Sym) and n.name == "lambda" for n in walk(t))]
    data_terms = [t for t in terms if t not in penalty]
    if penalty and len(penalty) == 1:
        scale = _penalty_scale(penalty[0])
        if scale:
            facts.regularization = f"l2 {scale}"
    kind = ""
    if logs:
        one_minus = any(_is_one_minus(c.args[0]) for c in logs if c.args)
        kind = "bce" if one_minus else "cce"
    elif any(_squares(t) for t in data_terms):
        kind = "squared"
        facts.scalar_output = facts.scalar_output or _scalar_square(data_terms)
    if kind and not facts.kind:
        facts.kind, facts.kind_line = kind, line
    if kind and kind != facts.kind:
        return   # a second, different loss: the first decides, and this one is then reported
    constant, counts, example_sum = _coefficient(data_terms[0] if len(data_terms) == 1 else N.Add(tuple(data_terms)))
    if counts:
        facts.averaging = facts.averaging or "mean"
        facts.count = facts.count or counts[0]
    elif example_sum and not facts.averaging:
        facts.averaging = "sum"
    if kind == "squared" and constant == Fraction(1, 2):
        facts.scale = "1/2"
    facts.line = facts.line or line


def _scalar_square(terms) -> bool:
    """1/2 (\\hat{y} - y)^2, or 1/(2m) \\sum_i (\\hat{y}^{(i)} - y^{(i)})^2: a difference of unindexed names squared,
    summed over nothing but the examples: the output is one number per example."""
    for term in terms:
        for n in walk(term):
            if isinstance(n, N.Pow) and isinstance(n.exp, N.Num) and n.exp.value == 2 and isinstance(n.base, N.Add) \
                    and all(isinstance(x, N.Sym) and not x.index for t in n.base.terms
                            for x in [t.arg if isinstance(t, N.Neg) else t]):
                sums = [s for s in walk(term) if isinstance(s, N.Sum)]
                return all(s.upper is not None and isinstance(s.upper, N.Sym) and s.upper.name in EXAMPLE_COUNTS
                           for s in sums)
    return False


def _is_one_minus(node) -> bool:
    return isinstance(node, N.Add) and len(node.terms) == 2 and isinstance(node.terms[0], N.Num) \
        and node.terms[0].value == 1 and isinstance(node.terms[1], N.Neg)


def _squares(node) -> bool:
    for n in walk(node):
        if isinstance(n, N.Pow) and isinstance(n.exp, N.Num) and n.exp.value == 2:
            return True
        if isinstance(n, N.Mul) and len(n.factors) == 2 and n.factors[0] == n.factors[1]:
            return True   # \|y - a\|^2 is read as the sum of (y - a)(y - a)
    return False


def _coefficient(node):
    """(number, example counts divided by, is there a sum over the examples) of a loss term's leading factors."""
    constant, counts, example_sum = Fraction(1), [], False
    pending = [node]
    while pending:
        n = pending.pop()
        if isinstance(n, N.Neg):
            pending.append(n.arg)
        elif isinstance(n, N.Mul):
            pending.extend(n.factors)
        elif isinstance(n, N.Num):
            constant *= n.value
        elif isinstance(n, N.Div):
            c, found, _ = _coefficient(n.num)
            inverse = inverse_factors(n.den)
            if inverse is None:
                continue
            constant *= c / inverse[0]
            counts += inverse[1] + found
            if not isinstance(n.num, N.Num):
                pending.append(n.num)
        elif isinstance(n, N.Sum):
            if isinstance(n.upper, N.Sym) and n.upper.name in EXAMPLE_COUNTS:
                example_sum = True
            if n.index is not None and n.index.name in ("i", "x", "n") and n.upper is None:
                example_sum = True
    return constant, counts, example_sum


def inverse_factors(den):
    """(number, example-count names) of a denominator such as 2m or 2n; None if it is anything else."""
    parts = den.factors if isinstance(den, N.Mul) else (den,)
    number, names = Fraction(1), []
    for p in parts:
        if isinstance(p, N.Num):
            number *= p.value
        elif isinstance(p, N.Sym) and p.name in EXAMPLE_COUNTS and not p.index and p.layer is None:
            names.append(p.name)
        else:
            return None
    return number, names


def _penalty_scale(term) -> str:
    """The scale of an L2 term `\\frac{\\lambda}{2m} \\sum \\|W\\|^2`, as a spec string; '' if it is no such term."""
    if not _squares(term) and not any(isinstance(n, N.Sym) and n.name in WEIGHT_NAMES for n in walk(term)):
        return ""
    constant, lam, per = Fraction(1), 0, 0
    pending = [term]
    while pending:
        n = pending.pop()
        if isinstance(n, N.Mul):
            pending.extend(n.factors)
        elif isinstance(n, N.Num):
            constant *= n.value
        elif isinstance(n, N.Sym) and n.name == "lambda" and not n.index:
            lam += 1
        elif isinstance(n, N.Div):
            inverse = inverse_factors(n.den)
            if inverse is None:
                return ""
            constant /= inverse[0]
            per += len(inverse[1])
            pending.append(n.num)
    if lam != 1 or per > 1 or constant <= 0:
        return ""
    number = f"{constant.numerator}" if constant.numerator != 1 else ""
    den = f"{constant.denominator if constant.denominator != 1 else ''}{'m' if per else ''}"
    return f"\\frac{{{number}\\lambda}}{{{den}}}" if den else f"{number}\\lambda"


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
