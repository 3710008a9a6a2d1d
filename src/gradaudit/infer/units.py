"""Bishop's unit letters: in a_j = \\sum_i w_{ji} x_i and y_k = \\sum_j w_{kj} z_j the letters i, j, k name the
input, hidden and output units, in the order the forward pass chains them. A reader then knows what the notes'
letters mean at the layers their forward pass does not write them for: a_k is the output layer's pre-activation
when a_j is the hidden one's, z_i the input when z_j is the hidden activation, w_{kj} (no layer label) the second
layer's weights, w_{k0} its bias (the weight from the unit fixed at 1)."""
from __future__ import annotations

from dataclasses import replace

from ..notation import ast as N
from ..notation.latex import to_latex
from ..notation.tree import walk
from .reading import unit_letter, weight_bias


def unit_letters(rhs, lhs: N.Sym) -> tuple:
    """(output letter, input letter) of a component sum a_j = \\sum_i w_{ji} x_i, or ()."""
    sums = [n for n in walk(rhs) if isinstance(n, N.Sum) and isinstance(n.index, N.Sym)]
    if len(lhs.index) != 1 or not isinstance(lhs.index[0], N.Sym) or len(sums) != 1:
        return ()
    out, summed = lhs.index[0].name, sums[0].index.name
    return (out, summed) if len(out) == 1 and len(summed) == 1 and out != summed else ()


def layers_of_letters(steps) -> dict:
    """{unit letter: layer} when every layer's sum chains one letter to the next (i -> j -> k), else {}."""
    letters = {}
    for s in steps:
        if s.kind != "affine" or not s.units or not isinstance(s.label, int):
            continue
        out, into = s.units
        for letter, layer in ((out, s.label), (into, s.label - 1)):
            if letters.setdefault(letter, layer) != layer:
                return {}
    if len(letters) < 3 or len(set(letters.values())) != len(letters):
        return {}   # one layer (the general rule) says nothing of the others; one letter per layer
    return letters


def unit_names(steps, lettered: list, names: dict, depth: int) -> dict:
    """{name: target} the unit letters give the names the forward pass writes at one layer only.
    `lettered`: (symbol, tool letter Z or A, layer) of each unit-lettered name the forward pass defines."""
    letters = layers_of_letters(steps)
    if not letters:
        return {}
    found = {}
    for sym, letter, label in lettered:
        unit = unit_letter(sym)
        if letters.get(unit) != label or not isinstance(label, int) or label >= depth:
            continue   # a name of the output layer (y_k) is the output's own name, not a letter for every layer
        for other, layer in letters.items():
            target = (f"{letter}^{{[{layer}]}}" if 1 <= layer <= depth
                      else "X" if layer == 0 and letter == "A" else None)
            if other != unit and target is not None:
                found.setdefault(to_latex(replace(sym, index=(N.Sym(other),))), target)
    for s in steps:
        if s.kind != "affine" or not s.units or not isinstance(s.label, int):
            continue
        out, into = s.units
        for sym in (s.weight, s.bias):
            if not isinstance(sym, N.Sym) or (sym.layer is None and sym.sublayer is None):
                continue   # written without a layer label in the forward pass: named so already
            if weight_bias(sym):
                bare = replace(sym, layer=None, sublayer=None, style="")
                found.setdefault(to_latex(bare), f"b^{{[{s.label}]}}_{{{out}}}")
            elif sym is s.weight:
                pair = (out, into) if s.layout == "index-out-in" else (into, out)
                bare = replace(sym, layer=None, sublayer=None, style="", index=tuple(N.Sym(c) for c in pair))
                found.setdefault(to_latex(bare), f"W^{{[{s.label}]}}")
    return {name: target for name, target in found.items() if name not in names}
