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
from dataclasses import dataclass, field, replace
from fractions import Fraction

import yaml

from . import primitives
from .errors import NotationError
from .notation import ast as N
from .notation.latex import to_latex
from .notation.parser import parse

WEIGHT_NAMES = {"W", "w", "Theta", "theta"}
BIAS_NAMES = {"b", "B"}
LOSS_NAMES = {"J", "C", "L", "E", "ell", "mathcal{L}", "mathcal{J}", "mathcal{C}", "mathcal{E}"}
GENERIC_FUNCTIONS = {"g", "f", "h", "phi", "varphi"}   # a letter applied to a pre-activation: the generic g
EXAMPLE_COUNTS = {"m", "N", "n"}
BACKWARD_NODES = (N.Deriv, N.DerivOp, N.Shorthand, N.Prime)
DEFAULT_LETTER = {"W": "W", "w": "W", "b": "b", "B": "b", "Z": "Z", "z": "Z", "A": "A", "a": "A"}


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


@dataclass
class Inferred:
    network: dict                  # spec keys (spec.load reads them)
    options: dict                  # section options: names, subscript, shorthand
    lines: dict                    # the formula line each fact came from ('network', 'aliases.NAME')
    evidence: list = field(default_factory=list)   # (line, fact) for the report

    def yaml(self) -> str:
        """The front matter a user can paste to declare this network (and change what was guessed)."""
        data = {"network": self.network}
        if self.options.get("aliases"):
            data["names"] = dict(self.options["aliases"])
        for key in ("subscript", "shorthand", "layer_variable"):
            if key in self.options:
                data[key] = self.options[key]
        return yaml.safe_dump(data, sort_keys=False, default_flow_style=None, allow_unicode=True, width=100)


# ---- reading one formula ------------------------------------------------------------------------------------

def _walk(node):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        if isinstance(n, N.Node):
            for value in vars(n).values():
                if isinstance(value, N.Node):
                    stack.append(value)
                elif isinstance(value, tuple):
                    stack.extend(_flat(value))


def _flat(items):
    for x in items:
        if isinstance(x, tuple):
            yield from _flat(x)
        elif isinstance(x, N.Node):
            yield x


def _backward(node) -> bool:
    return any(isinstance(n, BACKWARD_NODES) or isinstance(n, N.Call) and n.prime
               or isinstance(n, N.Sym) and n.name in ("delta", "nabla", "Delta") for n in _walk(node))


def key(sym: N.Sym) -> tuple:
    """A name as the notes write it, without element indices: the same name in component and matrix form. A name
    with no layer label keeps its unit letter: in Bishop's notation a_j (hidden, j) and a_k (output, k) are two
    layers' quantities."""
    return (sym.name, sym.hat, sym.font, sym.tag, _label_text(sym.layer), _label_text(sym.sublayer),
            _unit_letter(sym))


def _unit_letter(sym: N.Sym) -> str:
    if sym.layer is None and sym.sublayer is None and len(sym.index) == 1 and isinstance(sym.index[0], N.Sym) \
            and not sym.index[0].index and sym.index[0].layer is None:
        return sym.index[0].name
    return ""


def _without_indices(sym: N.Sym) -> N.Sym:
    """The name a step defines: element indices dropped, except the unit letter of a name with no layer label."""
    return sym if _unit_letter(sym) else replace(sym, index=(), index_style="")


def _label_text(node) -> str:
    return "" if node is None else to_latex(node)


def _label(node):
    """A layer label: a number, 'L' for the output layer, ('var', name) for a general layer; None otherwise."""
    if isinstance(node, N.Num) and node.value.denominator == 1 and node.value >= 0:
        return int(node.value)
    if isinstance(node, N.Sym) and not node.index and node.layer is None:
        if node.name == "L":
            return "L"
        if len(node.name) == 1 and node.name.isalpha():
            return ("var", node.name)
    return None


def sym_label(sym, subscript_layers: bool = False):
    if not isinstance(sym, N.Sym):
        return None
    if sym.layer is not None:
        return _label(sym.layer)
    if sym.sublayer is not None:
        return _label(sym.sublayer)
    return None


def _strip(node):
    """The name under a transpose, bold or vector mark: the quantity the step reads."""
    while isinstance(node, N.Transpose):
        node = node.arg
    return node


def _is_weight(node) -> bool:
    node = _strip(node)
    return isinstance(node, N.Sym) and node.name in WEIGHT_NAMES


def _affine(rhs, lhs: N.Sym):
    """(weight, input, bias, layout) of `W X + b`, `X W + b`, `W^T x + b`, `b + W h`, `\\sum_k w_{jk} a_k + b_j`."""
    terms = rhs.terms if isinstance(rhs, N.Add) else (rhs,)
    products = [t for t in terms if not isinstance(t, N.Sym)]
    others = [t for t in terms if isinstance(t, N.Sym)]
    if len(products) != 1 or len(others) > 1:
        return None
    bias = others[0] if others else None
    if bias is not None and bias.name not in BIAS_NAMES:
        return None
    product = products[0]
    if isinstance(product, N.Mul) and len(product.factors) == 2 and product.op in ("juxt", "cdot"):
        first, second = product.factors
        if _is_weight(first) and not _is_weight(second) and isinstance(_strip(second), N.Sym):
            layout = "column-wT" if isinstance(first, N.Transpose) else "column"
            return _strip(first), _strip(second), bias, layout
        if _is_weight(second) and not _is_weight(first) and isinstance(_strip(first), N.Sym) \
                and not isinstance(second, N.Transpose):
            return _strip(second), _strip(first), bias, "row"
        return None
    if isinstance(product, N.Sum) and isinstance(product.body, N.Mul) and len(product.body.factors) == 2:
        w, x = product.body.factors
        if _is_weight(x) and not _is_weight(w):
            w, x = x, w
        if not (_is_weight(w) and isinstance(w, N.Sym) and isinstance(x, N.Sym) and len(x.index) == 1):
            return None
        summed = x.index[0]
        if len(w.index) == 1 and w.index[0] == summed and not lhs.index:
            return replace(w, index=()), _without_indices(x), _bare(bias), "column-wT"
        if len(w.index) == 2 and len(lhs.index) == 1 and summed in w.index:
            out = lhs.index[0]
            if w.index == (out, summed):
                layout = "index-out-in"
            elif w.index == (summed, out):
                layout = "index-in-out"
            else:
                return None
            return w if _unit_letter(w) == "" and w.layer is None and w.sublayer is None else replace(w, index=()), \
                _without_indices(x), _bare(bias), layout
    return None


def _bare(sym):
    return None if sym is None else replace(sym, index=(), index_style="")


WRITTEN_FUNCTION = {"sigmoid": "sigma"}   # how a correction writes a table activation


def activation_of(rhs):
    """(table name, argument) when rhs is an activation applied to something (\\sigma(Z), \\max(0, Z))."""
    return _activation(rhs)


def _activation(rhs):
    """(activation, argument) of f(z), \\max(0, z), \\frac{1}{1 + e^{-z}}, \\frac{e^{z_j}}{\\sum_k e^{z_k}}."""
    if isinstance(rhs, N.Call) and not rhs.prime:
        if rhs.func in ("max", "Max") and len(rhs.args) == 2:
            zero = [a for a in rhs.args if isinstance(a, N.Num) and a.value == 0]
            rest = [a for a in rhs.args if not (isinstance(a, N.Num) and a.value == 0)]
            if len(zero) == 1 and len(rest) == 1:
                return "relu", rest[0]
            return None
        if len(rhs.args) != 1:
            return None
        name = primitives.named(rhs.func)
        if name is None and rhs.func.strip("\\") in GENERIC_FUNCTIONS:
            name = "g"
        if name is not None:
            return name, rhs.args[0]
        return None
    if isinstance(rhs, N.Div) and isinstance(rhs.num, N.Num) and rhs.num.value == 1 and isinstance(rhs.den, N.Add) \
            and len(rhs.den.terms) == 2:
        one, e = rhs.den.terms
        if isinstance(one, N.Num) and one.value == 1 and isinstance(e, N.Call) and e.func == "exp" \
                and isinstance(e.args[0], N.Neg):
            return "sigmoid", e.args[0].arg
    if isinstance(rhs, N.Div) and isinstance(rhs.num, N.Call) and rhs.num.func == "exp" \
            and isinstance(rhs.den, N.Sum) and isinstance(rhs.den.body, N.Call) and rhs.den.body.func == "exp":
        arg = rhs.num.args[0]
        if isinstance(arg, N.Sym):
            return "softmax", replace(arg, index=(), index_style="")
    return None


def _generic_letter(rhs, name: str) -> str:
    return rhs.func.strip("\\") if name == "g" and isinstance(rhs, N.Call) else ""


def _is_loss_name(node) -> bool:
    """J, C, E, L, \\mathcal{L}(a, y), and one example's E_n or L_i."""
    if isinstance(node, N.Call):
        return node.func.replace("\\", "") in LOSS_NAMES and not node.prime
    one_example = not node.index or len(node.index) == 1 and isinstance(node.index[0], N.Sym) \
        and node.index[0].name in ("n", "i") if isinstance(node, N.Sym) else False
    return isinstance(node, N.Sym) and one_example and (node.name in LOSS_NAMES or (
        node.font == "mathcal" and f"mathcal{{{node.name}}}" in LOSS_NAMES)) and node.layer is None


# ---- the loss -----------------------------------------------------------------------------------------------

@dataclass
class LossFacts:
    kind: str = ""                 # 'bce' | 'cce' | 'squared'
    kind_line: int = 0
    averaging: str = ""
    scale: str = ""
    regularization: str = ""
    count: str = ""                # the name of the number of examples the loss divides by: m, N, n
    line: int = 0


def _loss_facts(rhs, line: int, facts: LossFacts) -> None:
    logs = [n for n in _walk(rhs) if isinstance(n, N.Call) and n.func in ("log", "ln")]
    terms = rhs.terms if isinstance(rhs, N.Add) else (rhs,)
    penalty = [t for t in terms if any(isinstance(n, N.Sym) and n.name == "lambda" for n in _walk(t))]
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
    if kind and not facts.kind:
        facts.kind, facts.kind_line = kind, line
    constant, counts, example_sum = _coefficient(data_terms[0] if len(data_terms) == 1 else N.Add(tuple(data_terms)))
    if counts:
        facts.averaging = facts.averaging or "mean"
        facts.count = facts.count or counts[0]
    elif example_sum and not facts.averaging:
        facts.averaging = "sum"
    if kind == "squared" and constant == Fraction(1, 2):
        facts.scale = "1/2"
    facts.line = facts.line or line


def _is_one_minus(node) -> bool:
    return isinstance(node, N.Add) and len(node.terms) == 2 and isinstance(node.terms[0], N.Num) \
        and node.terms[0].value == 1 and isinstance(node.terms[1], N.Neg)


def _squares(node) -> bool:
    for n in _walk(node):
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
            inverse = _inverse_factors(n.den)
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


def _inverse_factors(den):
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
    if not _squares(term) and not any(isinstance(n, N.Sym) and n.name in WEIGHT_NAMES for n in _walk(term)):
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
            inverse = _inverse_factors(n.den)
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


# ---- the whole notes ----------------------------------------------------------------------------------------

def statements(formulas):
    """(line, lhs, rhs) of each first equality of each formula that parses; others are not evidence."""
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
                    yield formula.line, name, st.steps[-1]


def defines_layer(formula) -> bool:
    """Does this formula write an affine step (a layer) of a forward pass?"""
    for _, lhs, rhs in statements([formula]):
        if isinstance(lhs, N.Sym) and not _backward(rhs) and any(s.kind == "affine" for s in _steps_of(0, lhs, rhs, [])):
            return True
    return False


def infer(formulas, context=()) -> Inferred:
    """The network, names and options the notes' forward pass and loss define (Underdetermined if they do not).
    `context`: the whole file's formulas, whose loss is used when `formulas` (one section) define none."""
    if not any(_is_loss_name(lhs) for _, lhs, _ in statements(formulas)):
        formulas = list(formulas) + [f for f in context if any(_is_loss_name(lhs) for _, lhs, _ in statements([f]))]
    pinned_per_example = any(isinstance(lhs, N.Shorthand) and _has_mean_factor(rhs)
                             for _, lhs, rhs in statements(context))
    steps, loss = [], LossFacts()
    renames = []                       # (line, lhs, rhs) of `\hat{y} = a^{[2]}`: another name for a quantity
    per_example = pinned_per_example
    example_losses = {}
    first_line = None
    layered_names = set()          # names written with a layer or an index somewhere (n^{[l]}): not a count
    for line, lhs, rhs in statements(formulas):
        layered_names |= {n.name for n in _walk(rhs) if isinstance(n, N.Sym) and (n.layer is not None or n.index)}
        first_line = first_line or line
        if isinstance(lhs, (N.Shorthand,)) and _has_mean_factor(rhs):
            per_example = True     # dW = \frac{1}{m} dZ A^T: dZ is one example's, stacked (deeplearning.ai)
        if _is_loss_name(lhs):
            if not _backward(rhs):
                _loss_facts(rhs, line, loss)
                if isinstance(lhs, N.Sym) and lhs.index:
                    example_losses.setdefault(to_latex(lhs), line)   # Bishop's E_n: one example's loss
            continue
        if not isinstance(lhs, N.Sym) or _backward(rhs) or _backward(lhs):
            continue
        steps.extend(_steps_of(line, lhs, rhs, renames))
    if not steps:
        raise Underdetermined("no forward pass is written (such as Z^{[1]} = W^{[1]} X + b^{[1]}, "
                              "A^{[1]} = \\sigma(Z^{[1]})); declare the network in front matter: "
                              "`network: {layers: [...], loss: ...}`", first_line or 1)
    net = _assemble(steps, renames, loss, first_line or 1, layered_names)
    for name, line in example_losses.items():
        net.options.setdefault("aliases", {}).setdefault(name, "J")
        net.options.setdefault("names", set()).add(name)
        net.lines.setdefault(f"aliases.{name}", line)
    if per_example and net.network.get("averaging") == "mean":
        net.options["shorthand"] = "per-example"
    return net


def _has_mean_factor(node) -> bool:
    return any(isinstance(n, N.Div) and _inverse_factors(n.den) is not None and _inverse_factors(n.den)[1]
               for n in _walk(node))


def _steps_of(line, lhs: N.Sym, rhs, renames) -> list:
    out_sym = _without_indices(lhs)
    act = _activation(rhs)
    if act is not None:
        name, arg = act
        inner = _affine(arg, lhs)
        found = []
        if inner is not None:   # H = \max(0, X W_1 + b_1): a layer and its activation in one formula
            weight, x, bias, layout = inner
            pre = ("pre-of",) + key(out_sym)
            found.append(Step("affine", pre, None, key(x), x, line, weight=weight, bias=bias, layout=layout))
            found.append(Step("act", key(out_sym), out_sym, pre, None, line, activation=name,
                              function=_generic_letter(rhs, name)))
            return found
        if isinstance(arg, N.Sym):
            arg = _without_indices(arg)
            return [Step("act", key(out_sym), out_sym, key(arg), arg, line, activation=name,
                         function=_generic_letter(rhs, name))]
        return []
    aff = _affine(rhs, lhs)
    if aff is not None:
        weight, x, bias, layout = aff
        return [Step("affine", key(out_sym), out_sym, key(x), x, line, weight=weight, bias=bias, layout=layout)]
    if isinstance(rhs, N.Sym) and (not rhs.index or _unit_letter(rhs)):
        renames.append((line, out_sym, _without_indices(rhs)))
    return []


def _assemble(steps, renames, loss: LossFacts, first_line: int, other_uses: set) -> Inferred:
    _place(steps)
    general = any(s.label in ("l", "L") for s in steps)
    concrete = sorted({s.label for s in steps if isinstance(s.label, int)})
    layouts = [s.layout for s in steps if s.kind == "affine"]
    if not any(s.kind == "affine" for s in steps):
        raise Underdetermined("the notes write activations but no layer (such as Z = W X + b); declare the network's "
                              "`network: layers:` and `convention:`", steps[0].line)
    if loss.kind == "":
        raise Underdetermined("no loss is defined (such as J = -\\frac{1}{m}\\sum ...); declare `network: loss:` "
                              "(bce, cce or squared)", first_line)
    acts = {}
    for s in steps:   # the first formula for a layer's activation decides; a later different one is then reported
        if s.kind == "act" and s.label is not None:
            acts.setdefault(s.label, s.activation)
    network = {}
    if general:
        hidden = acts.get("l")
        out = acts.get("L", hidden)
        if hidden is None:
            raise Underdetermined("the hidden layers' activation is not written (such as A^{[l]} = g(Z^{[l]})); "
                                  "declare `network: layers:`", steps[0].line)
        network["layers"] = f"{hidden} x (L-1), {out}"
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
        network["layers"] = layers
    network["loss"] = loss.kind
    if loss.scale:
        network["loss_scale"] = loss.scale
    network["averaging"] = loss.averaging or "single"
    votes = Counter(layouts).most_common()
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
    if not general and network["layers"] and len(network["layers"]) == 1 and vector_weights:
        network["sizes"] = [4, 1]   # w^T x + b with a vector w: one output (linear or logistic regression)
    if network["loss"] == "cce" and _output_activation(network) == "sigmoid":
        network["loss"] = "bce"   # -\log of a sigmoid's output and its complement: a binary cross-entropy
    options, lines = _names(steps, renames, general)
    variables = {s.variable for s in steps if s.variable and s.variable != "l"}
    if len(variables) == 1:
        options["layer_variable"] = variables.pop()   # Goodfellow's k: the general layer the auditor calls l
    if loss.count and loss.count != "m" and loss.count not in other_uses:
        options.setdefault("aliases", {})[loss.count] = "m"   # CS231n's N, Nielsen's n: the number of examples
        options.setdefault("names", set()).add(loss.count)
        lines[f"aliases.{loss.count}"] = loss.line
    lines["network"] = first_line
    return Inferred(network=network, options=options, lines=lines,
                    evidence=[(s.line, s.kind) for s in steps] + [(loss.kind_line, "loss")])


def _output_activation(network) -> str:
    layers = network["layers"]
    return layers[-1] if isinstance(layers, list) else layers.rsplit(",", 1)[-1].strip()


def _place(steps) -> None:
    """Give every step its layer: the label written on the weight or the name, else its place in the chain."""
    variables = set()
    for s in steps:
        label = None
        for sym in (s.weight, s.out_sym, s.arg_sym if s.kind == "act" else None, s.bias):
            found = sym_label(sym)
            if found is not None:
                label = found
                break
        if isinstance(label, tuple):
            variables.add(label[1])
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
    for s in steps:
        if s.kind == "act" and s.label is None and by_out.get(s.arg) is None:
            s.label = None


def _names(steps, renames, general: bool):
    """`names:` for every name whose default reading (z pre-activation, a activation, W, b by their layer
    labels) is not what the forward pass defines it as; `subscript: layer` when layers are subscripts (W_1)."""
    options, lines, names = {}, {}, {}
    subscripted = any(s.weight is not None and s.weight.sublayer is not None and s.weight.layer is None for s in steps)
    max_label = max((s.label for s in steps if isinstance(s.label, int)), default=None)
    if subscripted:
        options["subscript"] = "layer"

    depth_one = not general and {s.label for s in steps} <= {1}

    def want(sym, letter: str, label, line):
        if sym is None or label is None:
            return
        default = _default(sym, subscripted)
        if default == (letter, label) or depth_one and default == (letter, None):
            return   # read so already (a one-layer network's z, w, b need no layer)
        if sym.hat and sym.name in ("y", "Y") and letter == "A" and (label == "L" or depth_one or
                                                                     label == max_label):
            return   # \hat{y} is read as the output already
        written = to_latex(_without_indices(sym))
        layer = _layer_tex(label, sym)
        target = f"{letter}^{{[{layer}]}}" if letter not in ("X",) else "X"
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
                if BASE_INPUT.get(s.arg_sym.name) is None and s.arg_sym.layer is None:
                    want(s.arg_sym, "X", 1, s.line)
        else:
            want(s.out_sym, "A", s.label, s.line)
            if by_out.get(s.arg) is None and isinstance(s.arg_sym, N.Sym):
                want(s.arg_sym, "Z", s.label, s.line)
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
    letters = {s.function for s in steps if s.kind == "act" and s.function not in ("", "g")}
    for letter in sorted(letters):
        names[letter] = "g"     # Goodfellow's f(a^{(k)}): the notes' letter for the generic activation
        lines[f"aliases.{letter}"] = next(s.line for s in steps if s.kind == "act" and s.function == letter)
    if names:
        options["aliases"] = names
        options["names"] = set(names)
    return options, lines


BASE_INPUT = {"X": "X", "x": "X"}


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
