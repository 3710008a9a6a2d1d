"""The network notes define by their own forward pass and loss, for notes that declare none.

Nearly every set of notes writes its forward pass and its loss before it differentiates them:
`Z^{[1]} = W^{[1]} X + b^{[1]}`, `A^{[1]} = \\tanh(Z^{[1]})`, ... `J = -\\frac{1}{m}\\sum ...`, or
`H = \\max(0, X W_1 + b_1)`, `S = H W_2 + b_2`, `P = \\mathrm{softmax}(S)`. They are read as a reader
reads them:
- an affine step (a weight times an input, plus a bias) is a layer; where its weight stands says
  the layout (`W A` column, `X W` row, `W^T x` column-wT; a component sum's index order says
  which index of `w_{jk}` is the output unit);
- a function applied to a layer's pre-activation is that layer's activation;
- the loss formula says the loss (a log of 1 - the output: binary cross-entropy; a log alone:
  categorical; a square: squared error), its 1/2, its 1/m averaging and an added L2 penalty;
- a name the forward pass defines (`H`, `S`, Goodfellow's `a^{(k)}`) means what it was defined as.
Layers come from the labels the notes write (`[2]`, `(k)`, `^l`, `_1`); unlabelled steps are placed
by the chain (the step that takes the input is layer 1, the one that takes layer k's output k + 1).

The result is a spec with `names:`, the keys a user would declare, shown to the user as YAML so
that a wrong guess can be declared instead. Only what the formulas state is used; what they leave
open raises Underdetermined, which says what to declare. The forward formulas are then audited
like every other claim in the inferred network, so one that disagrees with the rest is reported.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

import yaml

from .. import primitives
from ..notation.tree import transform, walk
from ..errors import NotationError
from ..notation import ast as N
from ..notation.latex import to_latex
from ..notation.parser import parse
from .loss import LossFacts, loss_facts, shorthand_reading
from .names import names_of
from .numbering import digit_layer, digit_layers, input_layer, layer_condition, listed_layers
from .reading import (WRITTEN_FUNCTION, activation_of, affine, backward, defined_function, generic_letter,
                      is_loss_name, key, model_name, sym_label, unit_letter, without_indices)
from .units import unit_letters

__all__ = ["Inferred", "Underdetermined", "WRITTEN_FUNCTION", "activation_of", "affine_of", "canonical_name",
           "defines_layer", "infer",
           "shorthand_reading", "statements"]


def affine_of(rhs, lhs):
    """(weight, input, bias, layout) when rhs is an affine step W X + b (in any layout), else None."""
    return affine(rhs, lhs)


class Underdetermined(Exception):
    """The notes do not pin the network down; the message says what to declare."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message, self.line = message, line


@dataclass
class Step:
    kind: str                      # 'affine' | 'act'
    out: tuple                     # name key of what the step defines
    out_sym: N.Sym | None
    arg: tuple | None              # name key of the input (affine) or the pre-activation (act)
    arg_sym: N.Node | None
    line: int
    label: object = None           # int, 'l' (a general layer), 'L' (the output layer) or None
    weight: N.Sym | None = None
    bias: N.Sym | None = None
    layout: str = ""
    activation: str = ""
    function: str = ""             # the letter a generic activation is written with (g, f, h)
    variable: str = ""             # the layer variable as written (l, k) for a general step
    condition: object = None       # (variable, test(k, last)) of a general step's side condition: 'for k = 1, 2'
    units: tuple = ()              # (output, input) unit letters of a component sum a_j = \sum_i w_{ji} x_i


@dataclass
class Inferred:
    network: dict                  # spec keys (spec.load reads them)
    options: dict                  # section options: names, subscript, shorthand
    lines: dict                    # the formula line each fact came from ('network', 'aliases.NAME')
    layout_open: bool = False      # every affine step is one example's (w^T x + b): the batch's layout is not written

    def yaml(self) -> str:
        """The front matter a user can paste to declare this network (and change what was guessed)."""
        data = {"network": self.network}
        if self.options.get("aliases"):
            data["names"] = dict(self.options["aliases"])
        for option in ("subscript", "superscript", "shorthand", "layer_variable"):
            if option in self.options:
                data[option] = self.options[option]
        return yaml.safe_dump(data, sort_keys=False, default_flow_style=None, allow_unicode=True, width=100)


# ---- the whole notes ----------------------------------------------------------------------------------------

def statements(formulas):
    """(line, lhs, rhs) of each first equality of each formula that parses; others are not evidence."""
    for line, lhs, rhs, _ in _annotated(formulas):
        yield line, lhs, rhs


def _annotated(formulas):
    """(line, lhs, rhs, the side condition written after it: 'for k = 1, 2')."""
    for formula in formulas:
        try:
            parsed = parse(formula.latex)
        except NotationError:
            continue
        for st in parsed.statements:
            if isinstance(st, N.Statement) and len(st.steps) >= 2 and st.rels and st.rels[0] in ("=", ":=") \
                    and not st.opens_with and all(r in ("=", ":=") for r in st.rels):
                # \hat{y} = a = \sigma(z): each name on the left is what the last side defines
                for name in st.steps[:-1]:
                    yield formula.line, name, st.steps[-1], st.annotation


def read_statements(formulas):
    """(statements, digits): the notes' first equalities with their model names read (h_\\theta(x) the prediction,
    J(\\theta) the cost) and, where the notes write layers as bare digit superscripts (z^2 = w^2 a^1 + b^2), with
    those read as layers (digits True)."""
    found = [(line, model_name(lhs), rhs, note) for line, lhs, rhs, note in _annotated(formulas)]
    digits = digit_layers([x[:3] for x in found])
    if digits:
        found = [(line, transform(lhs, digit_layer), transform(rhs, digit_layer), note)
                 for line, lhs, rhs, note in found]
    return found, digits


def writes_quantity(formulas, letter: str) -> bool:
    """Does some formula write `letter` as a quantity (t, t_q, t_{qj}), not only as an index (x_t)?"""
    for formula in formulas:
        try:
            parsed = parse(formula.latex)
        except NotationError:
            continue
        for st in parsed.statements:
            for step in getattr(st, "steps", ()):
                if any(isinstance(n, N.Sym) and n.name == letter for n in _quantities(step)):
                    return True
    return False


def _quantities(node):
    """The symbols of a tree that stand for quantities: an index or a layer of another symbol is not one."""
    if isinstance(node, N.Sym):
        yield node
        return
    if isinstance(node, N.Node):
        for value in node.__dict__.values():
            for item in (value if isinstance(value, tuple) else (value,)):
                if isinstance(item, N.Node):
                    yield from _quantities(item)


def canonical_name(latex: str) -> str:
    """A name as the tool prints it (w^{(1)}_{j0} and w_{j,0}^{(1)} are one name), or as written if unreadable."""
    try:
        return to_latex(parse(latex))
    except NotationError:
        return latex


def defines_layer(formula) -> bool:
    """Does this formula write an affine step (a layer) of a forward pass?"""
    for _, lhs, rhs, _ in read_statements([formula])[0]:
        if isinstance(lhs, N.Sym) and not backward(rhs) and any(s.kind == "affine" for s in _steps_of(0, lhs, rhs, [])):
            return True
    return False


def infer(formulas, context=()) -> Inferred:
    """The network, names and options the notes' forward pass and loss define (Underdetermined if they do not).
    `context`: the whole file's formulas, whose loss is used when `formulas` (one section) define none."""
    if not any(is_loss_name(model_name(lhs)) for _, lhs, _ in statements(formulas)):
        formulas = list(formulas) + [f for f in context
                                     if any(is_loss_name(model_name(lhs)) for _, lhs, _ in statements([f]))]
    steps, loss = [], LossFacts()
    renames = []                       # (line, lhs, rhs) of `\hat{y} = a^{[2]}`: another name for a quantity
    example_losses = {}
    first_line = None
    layered_names = set()          # names written with a layer or an index somewhere (n^{[l]}): not a count
    found, digits = read_statements(formulas)
    functions = {}                 # g(z) = \frac{1}{1 + e^{-z}}: the notes' letter for an activation they define
    for line, lhs, rhs, note in found:
        layered_names |= {n.name for n in walk(rhs) if isinstance(n, N.Sym) and (n.layer is not None or n.index)}
        first_line = first_line or line
        if is_loss_name(lhs):
            if not backward(rhs):
                loss_facts(rhs, line, loss)
                if isinstance(lhs, N.Sym) and lhs.index:
                    example_losses.setdefault(to_latex(lhs), line)   # Bishop's E_n: one example's loss
            continue
        defined = defined_function(lhs, rhs)
        if defined:
            functions.setdefault(*defined)
            continue
        if not isinstance(lhs, N.Sym) or backward(rhs) or backward(lhs):
            continue
        for step in _steps_of(line, lhs, rhs, renames):
            step.condition = layer_condition(note) if note else None
            steps.append(step)
    for s in steps:
        if s.kind == "act" and s.activation == "g" and s.function in functions:
            s.activation = functions[s.function]   # h_\theta(x) = g(\theta^T x) with g the sigmoid the notes define
    if not steps:
        raise Underdetermined("no forward pass is written (such as Z^{[1]} = W^{[1]} X + b^{[1]}, "
                              "A^{[1]} = \\sigma(Z^{[1]})); declare the network in front matter: "
                              "`network: {layers: [...], loss: ...}`", first_line or 1)
    net = _assemble(steps, renames, loss, first_line or 1, layered_names)
    if digits:
        net.options["superscript"] = "layer"   # Nielsen's w^2, a^1: the digits are layers, not powers
    for name, line in example_losses.items():
        net.options.setdefault("aliases", {}).setdefault(name, "J")
        net.options.setdefault("names", set()).add(name)
        net.lines.setdefault(f"aliases.{name}", line)
    reading = shorthand_reading(statements(formulas))   # a section's own formulas: another section may differ
    if reading and net.network.get("averaging") == "mean":
        net.options["shorthand"] = reading   # what the notes' dZ means, pinned by their own formulas
    return net


def _defined_name(sym: N.Sym) -> N.Sym:
    """The name a formula defines: P_{ij} = \\frac{e^{S_{ij}}}{\\sum_k e^{S_{ik}}} defines the matrix P entry by entry
    (its two indices are an entry's), while Bishop's a_j keeps its one unit letter (a_k is another layer's)."""
    return replace(sym, index=(), index_style="") if len(unit_letter(sym)) == 2 else without_indices(sym)


def _steps_of(line, lhs: N.Sym, rhs, renames) -> list:
    out_sym = _defined_name(lhs)
    act = activation_of(rhs)
    if act is not None:
        name, arg = act
        inner = affine(arg, lhs)
        found = []
        if inner is not None:   # H = \max(0, X W_1 + b_1): a layer and its activation in one formula
            weight, x, bias, layout = inner
            pre = ("pre-of",) + key(out_sym)
            found.append(Step("affine", pre, None, key(x), x, line, weight=weight, bias=bias, layout=layout,
                              units=unit_letters(arg, lhs)))
            found.append(Step("act", key(out_sym), out_sym, pre, None, line, activation=name,
                              function=generic_letter(rhs, name)))
            return found
        if isinstance(arg, N.Sym):
            arg = _defined_name(arg)
            return [Step("act", key(out_sym), out_sym, key(arg), arg, line, activation=name,
                         function=generic_letter(rhs, name))]
        return []
    aff = affine(rhs, lhs)
    if aff is not None:
        weight, x, bias, layout = aff
        return [Step("affine", key(out_sym), out_sym, key(x), x, line, weight=weight, bias=bias, layout=layout,
                     units=unit_letters(rhs, lhs))]
    if isinstance(rhs, N.Sym):
        renames.append((line, out_sym, _defined_name(rhs)))
    return []


def _assemble(steps, renames, loss: LossFacts, first_line: int, other_uses: set) -> Inferred:
    _place(steps)
    base = input_layer(steps, renames)
    for s in steps:
        if isinstance(s.label, int) and base:
            s.label -= base   # Nielsen's a^1 = x: his layer 2 is the first with weights, the tool's layer 1
    concrete = sorted({s.label for s in steps if isinstance(s.label, int)})
    # a forward pass numbered from its input layer is one network's: its general formulas are the rule it follows
    general = any(s.label in ("l", "L") for s in steps) and not (base and concrete == list(range(1, len(concrete) + 1)))
    layouts = [s.layout for s in steps if s.kind == "affine"]
    if not any(s.kind == "affine" for s in steps):
        raise Underdetermined("the notes write activations but no layer (such as Z = W X + b); declare the network's "
                              "`network: layers:` and `convention:`", steps[0].line)
    if loss.kind == "":
        raise Underdetermined("no loss is defined (such as J = -\\frac{1}{m}\\sum ...); declare `network: loss:` "
                              "(bce, cce or squared)", first_line)
    if any(s.label == 0 for s in steps if s.kind == "affine"):
        raise Underdetermined("a layer numbered 0 (layer 0 is the input, X = A^{[0]}): number the layers from 1, or "
                              "declare `network: layers:`", next(s.line for s in steps if s.label == 0))
    acts = {}
    for s in steps:   # the first formula for a layer's activation decides; a later different one is then reported
        if s.kind == "act" and s.label is not None:
            if acts.get(s.label) == "g":   # z_j = h(a_j), then z_j = \tanh(a_j): the generic h is said to be tanh
                acts[s.label] = s.activation
            acts.setdefault(s.label, s.activation)
    if general and listed_layers(steps, concrete, acts):
        general = False
    network = {}
    if general:
        hidden = acts.get("l")
        out = acts.get("L", hidden)
        if hidden is None:
            raise Underdetermined("the hidden layers' activation is not written (such as A^{[l]} = g(Z^{[l]})); "
                                  "declare `network: layers:`", steps[0].line)
        network["layers"] = f"{primitives.canonical(hidden)} x (L-1), {primitives.canonical(out)}"
    else:
        depth = max(concrete) if concrete else 0
        if depth == 0 or concrete != list(range(1, depth + 1)) and not all(k in acts for k in range(1, depth + 1)):
            raise Underdetermined("the layers of the forward pass cannot be ordered (label them Z^{[1]}, Z^{[2]}, ...); "
                                  "declare `network: layers:`", steps[0].line)
        layers = []
        for k in range(1, depth + 1):
            if k in acts:
                layers.append(acts[k])
            elif k == depth:
                layers.append("identity")   # the output is the affine step itself (linear regression, S = H W + b)
            else:
                raise Underdetermined(f"the activation of layer {k} is not written; declare `network: layers:`",
                                      next(s.line for s in steps if s.label == k))
        network["layers"] = [primitives.canonical(x) for x in layers]   # a parameter assumed is shown: leaky_relu(1/100)
    network["loss"] = loss.kind
    if loss.scale:
        network["loss_scale"] = loss.scale
    network["averaging"] = loss.averaging or "single"
    counts = Counter(layouts)
    for index, forms in COMPONENT_FORMS.items():
        matrix = [f for f in forms if counts[f]]
        if counts[index] and len(matrix) == 1:   # z_j = \sum_k w_{jk} a_k is z = W a written by its components
            counts[matrix[0]] += counts.pop(index)
    votes = counts.most_common()
    if len(votes) > 1 and votes[0][1] == votes[1][1]:   # a clear majority decides; the others are then reported
        raise Underdetermined("the forward formulas use different layouts (" + ", ".join(sorted(dict(votes))) +
                              " as often); declare `network: convention:`", steps[0].line)
    network["convention"] = votes[0][0]
    if loss.regularization:
        network["regularization"] = loss.regularization
    if not any(s.bias is not None for s in steps if s.kind == "affine"):
        network["biases"] = False   # a_j = \sum_i w_{ji} x_i: no layer has a bias (or it is folded into w_{j0})
    vector_weights = [s for s in steps if s.kind == "affine" and s.weight is not None and s.weight.name.islower()
                      and s.layout == "column-wT"]
    if not general and (len(network["layers"]) == 1 and vector_weights or loss.scalar_output):
        # w^T x + b with a vector w, or a loss squaring one number: one output (linear or logistic regression)
        network["sizes"] = [4, 3, 5, 6, 2, 8, 9][:len(network["layers"])] + [1]
    if network["loss"] == "cce" and _output_activation(network) == "sigmoid":
        network["loss"] = "bce"   # -\log of a sigmoid's output and its complement: a binary cross-entropy
    if network["loss"] == "bce" and isinstance(network["layers"], list) and network["layers"][-1] == "g":
        network["layers"][-1] = "sigmoid"   # logistic regression's g(\theta^T x), a probability: the logistic function
    options, lines = names_of(steps, renames, general, base)
    variables = {s.variable for s in steps if s.variable and s.variable != "l"}
    if len(variables) == 1:
        options["layer_variable"] = variables.pop()   # Goodfellow's k: the general layer the auditor calls l
    if loss.count and loss.count != "m" and loss.count not in other_uses:
        options.setdefault("aliases", {})[loss.count] = "m"   # CS231n's N, Nielsen's n: the number of examples
        options.setdefault("names", set()).add(loss.count)
        lines[f"aliases.{loss.count}"] = loss.line
    lines["network"] = first_line
    affine = [s for s in steps if s.kind == "affine"]
    # a loss of one example (Nielsen's C = 1/2 ||y - a^L||^2) has no batch whose layout could be open
    one_example = bool(affine) and network["convention"] != "index" and network["averaging"] != "single" and all(
        isinstance(s.arg_sym, N.Sym) and s.arg_sym.name.islower() for s in affine)
    return Inferred(network=network, options=options, lines=lines, layout_open=one_example)


# the matrix layouts whose weight matrix an index order describes: w_{jk} with j the output unit is W of z = W a
COMPONENT_FORMS = {"index-out-in": ("column",), "index-in-out": ("column-wT", "row")}


def _output_activation(network) -> str:
    layers = network["layers"]
    return layers[-1] if isinstance(layers, list) else layers.rsplit(",", 1)[-1].strip()


def _place(steps) -> None:
    """Give every step its layer: the label written on the weight or the name, else its place in the chain."""
    found_labels = []
    for s in steps:
        label = None
        for sym in (s.weight, s.out_sym, s.arg_sym if s.kind == "act" else None, s.bias):
            found = sym_label(sym)
            if found is not None:
                label = found
                break
        found_labels.append(label)
    variables = {label[1] for label in found_labels if isinstance(label, tuple)}
    # Goodfellow's layers: k the general one and l the last (h^{(l)} = softmax(a^{(l)})): l is then L
    last_is_l = "l" in variables and len(variables - {"l"}) == 1
    for s, label in zip(steps, found_labels, strict=True):
        if isinstance(label, tuple):
            if last_is_l and label[1] == "l":
                label = "L"
            else:
                s.variable, label = label[1], "l"
        s.label = label
    by_out = {}
    for s in steps:
        by_out.setdefault(s.out, s)
    for _ in range(len(steps)):
        changed = False
        for s in steps:
            if s.label is not None:
                continue
            source = by_out.get(s.arg)
            if s.kind == "act" and source is not None and source.kind == "affine" and source.label is not None:
                s.label, changed = source.label, True
            elif s.kind == "affine" and source is None:
                s.label, changed = 1, True      # the step that takes the notes' input is the first layer
            elif s.kind == "affine" and source.label is not None and isinstance(source.label, int):
                s.label, changed = source.label + 1, True
        if not changed:
            break
