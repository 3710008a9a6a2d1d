"""Reading one formula of a forward pass: an affine step, an activation, a loss's name, a layer label."""
from __future__ import annotations

from dataclasses import replace

from .. import primitives
from ..notation.tree import walk
from ..notation import ast as N
from ..notation.latex import to_latex

WEIGHT_NAMES = {"W", "w", "Theta", "theta"}
BIAS_NAMES = {"b", "B"}
LOSS_NAMES = {"J", "C", "L", "E", "ell", "mathcal{L}", "mathcal{J}", "mathcal{C}", "mathcal{E}"}
GENERIC_FUNCTIONS = {"g", "f", "h", "phi", "varphi"}   # a letter applied to a pre-activation: the generic g
EXAMPLE_COUNTS = {"m", "N", "n"}
BACKWARD_NODES = (N.Deriv, N.DerivOp, N.Shorthand, N.Prime)
DEFAULT_LETTER = {"W": "W", "w": "W", "b": "b", "B": "b", "Z": "Z", "z": "Z", "A": "A", "a": "A"}
WRITTEN_FUNCTION = {"sigmoid": "sigma"}   # how a correction writes a table activation


def backward(node) -> bool:
    return any(isinstance(n, BACKWARD_NODES) or isinstance(n, N.Call) and n.prime
               or isinstance(n, N.Sym) and n.name in ("delta", "nabla", "Delta") for n in walk(node))


def key(sym: N.Sym) -> tuple:
    """A name as the notes write it, without element indices: the same name in component and matrix form. A name
    with no layer label keeps its unit letter: in Bishop's notation a_j (hidden, j) and a_k (output, k) are two
    layers' quantities."""
    return (sym.name, sym.hat, sym.font, sym.tag, _label_text(sym.layer), _label_text(sym.sublayer),
            unit_letter(sym))


def unit_letter(sym: N.Sym) -> str:
    """The unit letters of a name with no layer label: 'j' of a_j, 'kj' of w_{kj} ('' otherwise)."""
    if sym.layer is None and sym.sublayer is None and 1 <= len(sym.index) <= 2 and all(
            isinstance(i, N.Sym) and len(i.name) == 1 and not i.index and i.layer is None for i in sym.index):
        return "".join(i.name for i in sym.index)
    return ""


def without_indices(sym: N.Sym) -> N.Sym:
    """The name a step defines: element indices dropped, except the unit letter of a name with no layer label."""
    return sym if unit_letter(sym) else replace(sym, index=(), index_style="")


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


def sym_label(sym):
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


def affine(rhs, lhs: N.Sym):
    """(weight, input, bias, layout) of `W X + b`, `X W + b`, `W^T x + b`, `b + W h`, `\\sum_k w_{jk} a_k + b_j`."""
    terms = rhs.terms if isinstance(rhs, N.Add) else (rhs,)
    products = [t for t in terms if not isinstance(t, N.Sym)]
    others = [t for t in terms if isinstance(t, N.Sym)]
    if len(products) != 1 or len(others) > 1:
        return None
    bias = others[0] if others else None
    product = products[0]
    if bias is not None and bias.name not in BIAS_NAMES and not _weight_bias(bias, product, lhs):
        return None
    if isinstance(product, N.Mul) and len(product.factors) == 2 and product.op in ("juxt", "cdot"):
        first, second = product.factors
        dot = product.op == "cdot" and all(isinstance(f, N.Sym) and f.name.islower() for f in (first, second))
        if _is_weight(first) and not _is_weight(second) and isinstance(_strip(second), N.Sym):
            # w \cdot x of two vectors is their inner product w^T x
            layout = "column-wT" if isinstance(first, N.Transpose) or dot else "column"
            return _strip(first), _strip(second), bias, layout
        if _is_weight(second) and not _is_weight(first) and isinstance(_strip(first), N.Sym) \
                and not isinstance(second, N.Transpose):
            return _strip(second), _strip(first), bias, "column-wT" if dot else "row"
        return None
    if isinstance(product, N.Sum) and isinstance(product.body, N.Mul) and len(product.body.factors) == 2:
        w, x = product.body.factors
        if _is_weight(x) and not _is_weight(w):
            w, x = x, w
        if not (_is_weight(w) and isinstance(w, N.Sym) and isinstance(x, N.Sym) and len(x.index) == 1):
            return None
        summed = x.index[0]
        if len(w.index) == 1 and w.index[0] == summed and not lhs.index:
            return replace(w, index=()), without_indices(x), _bare_bias(bias), "column-wT"
        if len(w.index) == 2 and len(lhs.index) == 1 and summed in w.index:
            out = lhs.index[0]
            if w.index == (out, summed):
                layout = "index-out-in"
            elif w.index == (summed, out):
                layout = "index-in-out"
            else:
                return None
            return without_indices(w), without_indices(x), _bare_bias(bias), layout
    return None


def _leaky(first, second):
    """\\max(0.01 z, z) (either order): a leaky ReLU with that slope, when 0 < slope < 1."""
    for scaled, plain in ((first, second), (second, first)):
        if isinstance(scaled, N.Mul) and len(scaled.factors) == 2 and isinstance(scaled.factors[0], N.Num) \
                and scaled.factors[1] == plain and 0 < scaled.factors[0].value < 1:
            return f"leaky_relu({scaled.factors[0].value})", plain
    return None


def _bare_bias(sym):
    if sym is not None and weight_bias(sym):
        return sym   # w_{j0}: the index says which layer's bias it is, and names it
    return None if sym is None else without_indices(sym)


def weight_bias(sym) -> bool:
    """w_{j0}: Bishop's bias, the weight from a unit fixed at 1 (index 0) into unit j."""
    return isinstance(sym, N.Sym) and sym.name in WEIGHT_NAMES and len(sym.index) == 2 \
        and isinstance(sym.index[0], N.Sym) and sym.index[1] == N.Num(0)


def _weight_bias(bias: N.Sym, product, lhs: N.Sym) -> bool:
    """a_j = \\sum_i w_{ji} x_i + w_{j0}: the bias written as the weight from unit 0, the same weight (letter and
    layer) at the output unit j of the left side."""
    if not (weight_bias(bias) and isinstance(product, N.Sum) and isinstance(product.body, N.Mul)
            and len(lhs.index) == 1 and bias.index[0] == lhs.index[0]):
        return False
    return any(isinstance(f, N.Sym) and f.name == bias.name and f.layer == bias.layer
               and f.sublayer == bias.sublayer for f in product.body.factors)




def activation_of(rhs):
    """(activation, argument) of f(z), \\max(0, z), \\frac{1}{1 + e^{-z}}, \\frac{e^{z_j}}{\\sum_k e^{z_k}}."""
    if isinstance(rhs, N.Call) and not rhs.prime:
        if rhs.func in ("max", "Max") and len(rhs.args) == 2:
            zero = [a for a in rhs.args if isinstance(a, N.Num) and a.value == 0]
            rest = [a for a in rhs.args if not (isinstance(a, N.Num) and a.value == 0)]
            if len(zero) == 1 and len(rest) == 1:
                return "relu", rest[0]
            return _leaky(*rhs.args)
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
            return "softmax", arg   # a_k of y_k = e^{a_k} / \\sum_l e^{a_l}: its unit letter says the layer
    return None


PARAMETER_LETTERS = {"theta", "Theta", "w", "W", "b"}


def model_name(node):
    """The name a left side gives: h_\\theta(x), f_{w,b}(x) (the model of its parameters at the input) is the
    prediction \\hat{y}, the forward pass's output; J(\\theta) (the cost as a function of the parameters) is J.
    The parser reads a subscripted letter before brackets as a product."""
    if not (isinstance(node, N.Mul) and node.op == "juxt" and len(node.factors) == 2):
        return node
    f, arg = node.factors
    if not (isinstance(f, N.Sym) and f.layer is None and f.sublayer is None and not f.hat and f.tag is None
            and isinstance(arg, N.Sym) and arg.layer is None and not arg.index and not arg.hat):
        return node
    if f.name in ("h", "f") and f.index and all(isinstance(i, N.Sym) and i.name in PARAMETER_LETTERS and not i.index
                                                for i in f.index) and arg.name in ("x", "X"):
        return N.Sym("y", hat=True)
    if f.name in ("J", "C", "E") and not f.index and arg.name in PARAMETER_LETTERS:
        return f
    return node


def defined_function(lhs, rhs):
    """(letter, activation) of `g(z) = \\frac{1}{1 + e^{-z}}`: a generic letter defined as a known activation."""
    if not (isinstance(lhs, N.Call) and not lhs.prime and len(lhs.args) == 1 and isinstance(lhs.args[0], N.Sym)):
        return None
    found = activation_of(lhs)
    if found is None or found[0] != "g":
        return None
    act = activation_of(rhs)
    if act is None or act[0] == "g" or act[1] != lhs.args[0]:
        return None
    return generic_letter(lhs, "g"), act[0]


def generic_letter(rhs, name: str) -> str:
    return rhs.func.strip("\\") if name == "g" and isinstance(rhs, N.Call) else ""


def is_loss_name(node) -> bool:
    """J, C, E, L, \\mathcal{L}(a, y), and one example's E_n or L_i."""
    if isinstance(node, N.Call):
        return node.func.replace("\\", "") in LOSS_NAMES and not node.prime
    one_example = not node.index or len(node.index) == 1 and isinstance(node.index[0], N.Sym) \
        and node.index[0].name in ("n", "i") if isinstance(node, N.Sym) else False
    return isinstance(node, N.Sym) and one_example and (node.name in LOSS_NAMES or (
        node.font == "mathcal" and f"mathcal{{{node.name}}}" in LOSS_NAMES)) and node.layer is None
