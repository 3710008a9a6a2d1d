"""The `names:` an inferred network gives the notes' own letters (Bishop's a_j, Goodfellow's h^{(k)}).
"""
from __future__ import annotations

from dataclasses import replace


from ..notation import ast as N
from ..notation.latex import to_latex
from .numbering import BASE_INPUT
from .reading import (DEFAULT_LETTER, key, sym_label, unit_letter, weight_bias, without_indices)
from .units import unit_names



def names_of(steps, renames, general: bool, base: int = 0):
    """`names:` for every name whose default reading (z pre-activation, a activation, W, b by their layer
    labels) is not what the forward pass defines it as; `subscript: layer` when layers are subscripts (W_1)."""
    options, lines, names, votes = {}, {}, {}, {}
    subscripted = any(s.weight is not None and s.weight.sublayer is not None and s.weight.layer is None for s in steps)
    max_label = max((s.label for s in steps if isinstance(s.label, int)), default=None)
    if subscripted:
        options["subscript"] = "layer"

    depth_one = not general and {s.label for s in steps} <= {1}

    general_letters = {x.name for st in steps if st.variable for x in (st.out_sym, st.weight, st.bias, st.arg_sym)
                       if isinstance(x, N.Sym)}

    lettered = []   # (name, tool letter, layer) of the unit-lettered names: Bishop's a_j at layer 1

    def want(sym, letter: str, label, line):
        if sym is None or label is None:
            return
        if len(unit_letter(sym)) == 1 and letter in ("Z", "A"):
            lettered.append((sym, letter, label))
        written = sym_label(sym)
        if label == "L" and isinstance(written, tuple) and written[1] == "l" and sym.name in general_letters:
            return   # Goodfellow's h^{(l)}, the last layer: his h^{(k)} entry names it (l is read as L)
        base = DEFAULT_LETTER.get(sym.name, {"X": "X", "x": "X", "Y": "Y", "y": "Y"}.get(sym.name))
        votes.setdefault(sym.name, [0, 0])[base == letter] += 1   # [roles unlike its default letter, like it]
        default = _default(sym, subscripted)
        if default == (letter, label) or depth_one and default == (letter, None):
            return   # read so already (a one-layer network's z, w, b need no layer)
        if sym.hat and sym.name in ("y", "Y") and letter == "A" and (label == "L" or depth_one or
                                                                     label == max_label):
            return   # \hat{y} is read as the output already
        written = to_latex(without_indices(sym))
        layer = _layer_tex(label, sym)
        target = f"{letter}^{{[{layer}]}}" if letter not in ("X",) else "X"
        if weight_bias(sym):   # Bishop's w_{j0}: element j of the layer's bias, named with its indices
            written, target = to_latex(sym), f"{target}_{{{to_latex(sym.index[0])}}}"
            options.setdefault("bias_weights", set()).add(written)
        if written not in names:
            names[written] = target
            lines[f"aliases.{written}"] = line

    by_out = {s.out: s for s in steps}
    for s in steps:
        if s.kind == "affine":
            want(s.out_sym, "Z", s.label, s.line)
            want(s.weight, "W", s.label, s.line)
            want(s.bias, "b", s.label, s.line)
            source = by_out.get(s.arg)
            if source is None and s.label == 1 and isinstance(s.arg_sym, N.Sym):
                layer_zero = s.arg_sym.layer == N.Num(0) and DEFAULT_LETTER.get(s.arg_sym.name) != "A"
                numbered = bool(base) and s.arg_sym.layer == N.Num(base)   # Nielsen's a^1 = x
                if BASE_INPUT.get(s.arg_sym.name) is None and (s.arg_sym.layer is None or layer_zero or numbered):
                    want(s.arg_sym, "X", 1, s.line)   # h, or Goodfellow's h^{(0)}: layer 1's input is the input
                else:
                    votes.setdefault(s.arg_sym.name, [0, 0])[1] += 1   # X, x as the input: read so already
        else:
            want(s.out_sym, "A", s.label, s.line)
            if by_out.get(s.arg) is None and isinstance(s.arg_sym, N.Sym):
                want(s.arg_sym, "Z", s.label, s.line)
    if base:   # the input layer has no weights: w^1, z^1 of notes numbered from the input name nothing
        for s in steps:
            roles = ((s.out_sym, "Z"), (s.weight, "W"), (s.bias, "b")) if s.kind == "affine" else ((s.out_sym, "X"),)
            for sym, letter in roles:   # and a^1 is the input x, whether written or not
                if s.label == 1 and isinstance(sym, N.Sym) and sym_label(sym) == base + 1:
                    written = to_latex(without_indices(replace(sym, layer=N.Num(base))))
                    if written not in names:
                        names[written] = "X" if letter == "X" else f"{letter}^{{[0]}}"
                        lines[f"aliases.{written}"] = s.line
    activated = {s.label for s in steps if s.kind == "act"}
    for line, new, old in renames:
        source = by_out.get(key(old))
        if source is None or new.hat:
            continue
        # y_k = a_k: another name for a quantity; for a layer with no activation written, its (identity) output
        want(new, "A" if source.kind == "act" or source.label not in activated else "Z", source.label, line)
        if new.name == "y" and source.label == max_label:   # Bishop's y is the output: the target is then t
            names.setdefault("t", "Y")
            lines.setdefault("aliases.t", line)
    last = [s for s in steps if s.label == max_label]
    output = next((s for s in last if s.kind == "act"), last[0] if last else None)
    if output is not None and output.out_sym is not None and output.out_sym.name == "y" and not output.out_sym.hat:
        names.setdefault("t", "Y")   # Bishop's y is the network's output: the target is then t
        lines.setdefault("aliases.t", output.line)
    letters = {s.function for s in steps if s.kind == "act" and s.function not in ("", "g")}
    for letter in sorted(letters):
        names[letter] = "g"     # Goodfellow's f(a^{(k)}): the notes' letter for the generic activation
        lines[f"aliases.{letter}"] = next(s.line for s in steps if s.kind == "act" and s.function == letter)
    if not general and max_label is not None:
        extra = unit_names(steps, lettered, names, max_label)
        for name, target in extra.items():
            names[name] = target
            lines[f"aliases.{name}"] = steps[0].line
        if extra:
            options["unit_names"] = set(extra)
    if names:
        options["aliases"] = names
        options["names"] = set(names)
    # letters the forward pass uses unlike their default meaning more often than like it (Bishop's a, z, y):
    # a declared network adopts only the names of these letters and of letters with no meaning of their own
    options["renamed_letters"] = {letter for letter, (unlike, like) in votes.items() if unlike > like}
    return options, lines




def _layer_tex(label, sym) -> str:
    if label == "l":
        variable = sym_label(sym)
        return variable[1] if isinstance(variable, tuple) else "l"
    return str(label)


def _default(sym: N.Sym, subscripted: bool):
    """How the auditor reads a name without `names:`: (letter, layer label)."""
    letter = DEFAULT_LETTER.get(sym.name)
    if letter is None or sym.hat or sym.tag:
        return None
    label = sym_label(sym) if sym.layer is not None or subscripted else None
    if isinstance(label, tuple):
        label = "l"
    return letter, label
