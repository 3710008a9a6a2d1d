"""How notes number their layers: bare digit superscripts (Nielsen's w^2), the number of the input layer (his
a^1 = x), and the side conditions that say which layers a general formula is for (Goodfellow's 'for k = 1, 2')."""
from __future__ import annotations

import re
from dataclasses import replace

from ..notation import ast as N
from ..notation.tree import transform
from .reading import affine, key, sym_label

BASE_INPUT = {"X": "X", "x": "X"}


def digit_layer(node):
    """a^2 read as the name a at layer 2 (Nielsen's w^2, a^1): a bare digit superscript on a letter."""
    if isinstance(node, N.Pow) and isinstance(node.base, N.Sym) and node.base.layer is None \
            and isinstance(node.exp, N.Num) and node.exp.value.denominator == 1 and node.exp.value >= 0:
        return replace(node.base, layer=node.exp, style="^")
    return node


def digit_layers(found) -> bool:
    """Do the notes write their layers as bare digit superscripts? `z^2 = w^2 a^1 + b^2`: the name and its weight
    carry the same digit, which no power would (a squared weight times a first power): the digits are layers."""
    for _, lhs, rhs in found:
        out = digit_layer(lhs)
        if out is lhs or not isinstance(out, N.Sym):
            continue
        step = affine(transform(rhs, digit_layer), out)
        if step is not None and step[0].layer == out.layer:
            return True
    return False


CONDITION = re.compile(r"^(?:for|if|when|where)\s+(?:all\s+|every\s+)?(.+?)\s*[,.;:]?$")
COMPARISONS = {"<": lambda a, b: a < b, "\\le": lambda a, b: a <= b, "\\leq": lambda a, b: a <= b, "<=": lambda a, b: a <= b,
               ">": lambda a, b: a > b, "\\ge": lambda a, b: a >= b, "\\geq": lambda a, b: a >= b, ">=": lambda a, b: a >= b,
               "=": lambda a, b: a == b, "\\neq": lambda a, b: a != b, "\\ne": lambda a, b: a != b}
DOTS = {"dots", "ldots", "cdots", "...", "\\dots", "\\ldots", "\\cdots"}


def layer_condition(annotation: str):
    """(variable, test) of a side condition that says which layers a general formula is for: 'for k = 1, 2',
    'for k = 1, \\dots, L-1', 'for k \\in \\{1, 2\\}', 'for k < 3', 'for 1 \\le k < l'; test(k, last) says whether
    it holds at layer k of a network whose output layer is `last` (L, or Goodfellow's l when the variable is
    another letter). None when the annotation is no such condition."""
    found = CONDITION.match(annotation.strip())
    if not found:
        return None
    words = found.group(1).replace("{", " ").replace("}", " ").replace(" and ", " , ").split()
    letters = {w for w in words if len(w) == 1 and w.isalpha() and w != "L"}
    others = letters - {"l"}   # beside another letter, Goodfellow's l is the last layer, not the variable
    variable = others.pop() if len(others) == 1 else "l" if letters == {"l"} else None
    if variable is None:
        return None
    at = words.index(variable)
    if at + 1 < len(words) and words[at + 1] in ("=", "in", "\\in") and at == 0:
        return _listed(variable, " ".join(words[at + 2:]))
    return _compared(variable, words)


def _layer_term(text: str, variable: str):
    """A layer written in a condition: 2, L, L - 1, (Goodfellow's l when the variable is not l) as (offset, from_last)."""
    text = text.replace(" ", "")
    if text.isdigit():
        return int(text), False
    match = re.fullmatch(r"([lL])([+-]\d+)?", text)
    if match and (match.group(1) == "L" or variable != "l"):
        return int(match.group(2) or 0), True
    return None


def _listed(variable: str, rest: str):
    items = [x.strip() for x in rest.split(",") if x.strip()]
    terms = []
    for item in items:
        term = "..." if item in DOTS else _layer_term(item, variable)
        if term is None:
            return None
        terms.append(term)
    if not terms or terms[0] == "..." or terms[-1] == "..." or any(a == b == "..." for a, b in zip(terms, terms[1:], strict=False)):
        return None

    def value(term, last):
        return term[0] + (last if term[1] else 0)

    def test(k: int, last: int) -> bool:
        for i, term in enumerate(terms):
            if term == "...":
                if value(terms[i - 1], last) <= k <= value(terms[i + 1], last):
                    return True
            elif value(term, last) == k:
                return True
        return False
    return variable, test


def _compared(variable: str, words: list):
    """'k < 3', '1 \\le k < l': a chain of comparisons around the variable."""
    parts, current = [], []
    for w in words:
        if w in COMPARISONS:
            parts.append(" ".join(current))
            parts.append(w)
            current = []
        else:
            current.append(w)
    parts.append(" ".join(current))
    if len(parts) < 3 or len(parts) % 2 == 0:
        return None
    sides = [parts[i] for i in range(0, len(parts), 2)]
    ops = [parts[i] for i in range(1, len(parts), 2)]
    terms = [None if side == variable else _layer_term(side, variable) for side in sides]
    if sides.count(variable) != 1 or any(t is None and side != variable for t, side in zip(terms, sides, strict=True)):
        return None

    def test(k: int, last: int) -> bool:
        values = [k if t is None else t[0] + (last if t[1] else 0) for t in terms]
        return all(COMPARISONS[op](a, b) for op, a, b in zip(ops, values, values[1:], strict=False))
    return variable, test


def listed_layers(steps, concrete: list, acts: dict) -> bool:
    """Goodfellow's h^{(k)} = \\tanh(a^{(k)}) for k = 1, 2 and \\hat{y} = softmax(a^{(3)}): a general activation whose
    side condition lists layers is for those layers only, and the output layer's own formula is for its layer.
    When every general activation is so restricted and the listed layers and the numbered output layer cover the
    network, it is that network of numbered layers (True; acts gets the listed layers)."""
    general = [s for s in steps if s.kind == "act" and s.label in ("l", "L")]
    last = max(concrete, default=0)
    if not last or not general or any(s.label == "L" or s.condition is None or s.condition[0] != s.variable
                                      or s.condition[1](last, last) for s in general):
        return False
    listed = {k: s.activation for s in general for k in range(1, last) if s.condition[1](k, last)}
    if not all(k in acts or k in listed for k in range(1, last + 1)):
        return False
    for k, activation in listed.items():
        acts.setdefault(k, activation)
    return True


def input_layer(steps, renames) -> int:
    """The number the notes give their input layer: 1 for Nielsen's a^1 = x (his first weights are w^2), 0 (the
    tool's own numbering) otherwise. Only a name the notes equate to the input x, which the first layer takes and
    no step defines, numbers the input layer, or the input x itself taken by a first layer numbered above 1
    (z^2 = w^2 x + b^2: the layer before it, the input, is 1)."""
    affine = [s for s in steps if s.kind == "affine" and isinstance(s.label, int)]
    if not affine:
        return 0
    first = min(s.label for s in affine)
    defined = {s.out for s in steps}
    inputs = {key(new) for _, new, old in renames if old.name in BASE_INPUT and not old.index and old.layer is None}
    for s in affine:
        if s.label == first and s.arg not in defined and s.arg in inputs and sym_label(s.arg_sym) == first - 1:
            return first - 1
        if s.label == first > 1 and isinstance(s.arg_sym, N.Sym) and s.arg_sym.name in BASE_INPUT \
                and s.arg_sym.layer is None and not s.arg_sym.index:
            return first - 1
    return 0
