"""Evaluate a formula's syntax tree at the random point of a NumericModel.

Three kinds of value come out:
- a NumPy array (a matrix, a vector, or a 0-d scalar);
- a Jac: the Jacobian d(out)/d(in) of two named quantities, shape out.shape + in.shape.
  A product of Jacobians whose shapes chain is their contraction: the chain rule itself,
  so "dC/dW = dC/dZ dZ/dW" is checked as mathematics, not as a pattern;
- a Lab: an array whose axes carry index labels (i, j, ...), for index notation
  (w_{i,j}, a_j, x_{[i+p,j+q]}); products broadcast by label, sums reduce a label.
Strict reading: juxtaposition and \\cdot are matrix products (a 1 x 1 factor is a scalar),
* and \\odot are elementwise, broadcasting only a bias-shaped operand. A product that does
not conform raises DimensionError; the layout repair in audit/layout.py tries the other readings.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from fractions import Fraction

from ..notation import ast as N
from .. import primitives
from .model import NumericModel, _softmax, conv2d, conv2d_channels, imag, maxpool
from .aliases import expand_alias, is_tool_name, lookup_alias, tool_vocabulary
from .budget import check as _check_budget, check_elements
from .tree import DimensionError, EvalError, UnknownSymbol, show as _show, walk

ALPHA = 0.1          # the learning rate's value when a formula names alpha
STEP = 1e-30


@dataclass
class Jac:
    data: np.ndarray
    out_shape: tuple
    in_shape: tuple

    def as_array(self):
        if self.out_shape == ():
            return self.data
        return None

    @property
    def is_elementwise(self) -> bool:
        """True when each output depends only on the input at the same position (a diagonal Jacobian)."""
        if self.out_shape != self.in_shape or not self.out_shape:
            return False
        n = int(np.prod(self.out_shape))
        mat = self.data.reshape(n, n)
        off = mat - np.diag(np.diag(mat))
        if off.dtype == object:   # 60-digit numbers: the structure was read in float64, read it the same way
            off = off.astype(complex)
        return bool(np.allclose(off, 0, atol=1e-12))

    def diagonal(self):
        n = int(np.prod(self.out_shape))
        return np.diag(self.data.reshape(n, n)).reshape(self.out_shape)


@dataclass
class Lab:
    data: np.ndarray
    labels: tuple

    def aligned(self, labels):
        if np.ndim(self.data) != len(self.labels):   # unnamed axes left: no order of the labels covers them
            raise EvalError("an indexed quantity with axes its indices do not name")
        return np.transpose(self.data, [self.labels.index(label) for label in labels])


@dataclass
class Context:
    """What a section's text means by its names, and the layer being checked."""
    model: NumericModel
    shorthand: str = "total"                 # 'total' | 'per-example'
    default_layer: object = None             # int or None
    superscript: str = "power"
    subscript: str = "index"
    aliases: dict = field(default_factory=dict)   # (name, tag) -> parsed node
    bindings: dict = field(default_factory=dict)  # 'l' -> int, 'L' -> int
    overrides: dict = field(default_factory=dict) # model key -> value (for d/dX of an explicit expression)
    index_ranges: dict = field(default_factory=dict)
    index_base: int = 1
    informal_ops: dict = field(default_factory=dict)  # id(Mul) -> forced reading, set by the layout repair
    summing: set = field(default_factory=set)         # labels bound by an enclosing sum with limits
    free_summing: set = field(default_factory=set)    # labels bound by an enclosing sum without limits
    lengths: dict = field(default_factory=dict)       # n of \\sum_{i=1}^{n} when the text defines n nowhere
    layer_variable: str = "l"                         # the letter of the free layer: l, or Goodfellow's k

    @property
    def depth(self):
        return self.model.output_layer


# ---- names ----------------------------------------------------------------------------------------

BASE = {"W": "W", "w": "W", "b": "b", "B": "b", "Z": "Z", "z": "Z", "A": "A", "a": "A",
        "X": "X", "x": "X", "Y": "Y", "y": "Y", "K": "K", "k": "K"}
LOSS_NAMES = {"J", "C", "L", "mathcal{J}", "mathcal{C}", "mathcal{L}", "E"}


def layer_value(node, ctx: Context):
    """The integer a layer index denotes: 2, l, L, L-1, l-1."""
    if node is None:
        return None
    if isinstance(node, N.Num):
        if node.value.denominator != 1:
            raise EvalError(f"a layer index with {float(node.value):g} in it is not a whole number")
        return int(node.value)
    if isinstance(node, N.Sym) and not node.index and node.layer is None:
        if node.name in ctx.bindings:
            return ctx.bindings[node.name]
        raise EvalError(f"layer index {node.name} has no value here")
    if isinstance(node, N.Add):
        return sum(layer_value(t, ctx) for t in node.terms)
    if isinstance(node, N.Neg):
        return -layer_value(node.arg, ctx)
    raise EvalError("layer index is not a whole number expression")


def _loss_call(call) -> bool:
    return call.func.replace("mathcal", "").strip("{}\\") in ("J", "C", "L", "E")


def is_loss(sym) -> bool:
    return isinstance(sym, N.Sym) and sym.layer is None and not sym.index and (
        sym.name in LOSS_NAMES or (sym.font == "mathcal" and sym.name in ("J", "C", "L")))


def quantity_key(sym: N.Sym, ctx: Context) -> str:
    """The model's key for a named quantity: 'W2', 'A0', 'Z3', 'P1', 'J', 'X', 'Y'; one the network checked has."""
    key = _quantity_key(sym, ctx)
    if key not in ctx.model.values:   # \hat{y} or X in a network of scalars without them: not a KeyError later
        raise UnknownSymbol(_show(sym))
    return key


def _quantity_key(sym: N.Sym, ctx: Context) -> str:
    if isinstance(sym, N.Call) and _loss_call(sym):
        return "J"
    if not isinstance(sym, N.Sym):
        raise EvalError("a derivative of an expression, not of a named quantity")
    if sym.name in getattr(ctx.model, "direct_names", ()) and sym.layer is None and not sym.index:
        return sym.name
    alias = expand_alias(sym, ctx)
    if isinstance(alias, N.Sym):
        with tool_vocabulary(ctx, is_tool_name(sym, ctx)):
            return quantity_key(alias, ctx)
    if alias is not None:
        raise EvalError(f"{_show(sym)} stands for an expression, not a quantity")
    if is_loss(sym):
        return "J"
    if sym.hat and sym.name in ("y", "Y"):
        return f"A{ctx.depth}"
    name = BASE.get(sym.name)
    if name is None:
        raise UnknownSymbol(_show(sym))
    if sym.tag == "pool" and name == "Y":
        name = "P"
    elif sym.tag not in (None, "current", "new"):
        raise UnknownSymbol(_show(sym))
    layer = layer_value(sym.layer, ctx)
    if layer is None and sym.sublayer is not None:
        layer = layer_value(sym.sublayer, ctx)
    if name in ("X", "Y") and name != "P":
        if layer not in (None,):
            raise UnknownSymbol(_show(sym))
        return name
    if layer is None:
        layer = ctx.default_layer
    if layer is None:
        # a name only one layer has (the kernel K of a one-convolution CNN) needs no index
        owners = [k for k in ctx.model.values if k[:1] == name and k[1:].isdigit() and k != "A0"]
        if len(owners) == 1:
            return owners[0]
        if ctx.layer_variable in ctx.bindings:
            # W in R^{n^{[l]} x n^{[l-1]}}: the claim is about layer l, and so is W
            layer = ctx.bindings[ctx.layer_variable]
        else:
            hint = ("; if its subscript is the layer (W_1, Z_2), say 'subscript: layer'"
                    if len(sym.index) == 1 and isinstance(sym.index[0], N.Num) else "")
            raise EvalError(f"{_show(sym)} has no layer index and the section sets no default layer{hint}")
    if name == "A" and layer == 0:
        return "A0"
    key = f"{name}{layer}"
    if not ctx.model.known(key):
        raise UnknownSymbol(_show(sym))
    return key


# ---- the evaluator ----------------------------------------------------------------------------------

def evaluate(node, ctx: Context):
    _check_budget()   # every step of every evaluation: a slow formula stops within one step of its deadline
    handler = HANDLERS.get(type(node))
    if handler is None:
        raise EvalError(f"cannot evaluate {type(node).__name__}")
    return handler(node, ctx)


def infer_ranges(nodes, ctx: Context) -> None:
    """Index conventions of a claim: 0-based if any index or limit is 0, else 1-based; a label used
    bare as an index ranges over that axis of the quantity it indexes."""
    zero = indexed = summed = False
    for node in nodes:   # one walk decides what the two below need to look at: most claims have no index at all
        for sub in walk(node):
            if isinstance(sub, N.Sym) and sub.index:
                indexed = True
                if (any(isinstance(i, N.Num) and i.value == 0 for i in sub.index)
                                                      or "0" in sub.index_style.partition("digits:")[2]):
                    zero = True
            if isinstance(sub, (N.Sum, N.Max)):
                summed = True
                if isinstance(sub.lower, N.Num) and sub.lower.value == 0:
                    zero = True
    ctx.index_base = 0 if zero else 1
    ctx.lengths = _named_lengths(nodes, ctx) if summed else {}
    if indexed:
        for label, rng in label_ranges(nodes, ctx).items():
            ctx.index_ranges.setdefault(label, rng)


def _named_lengths(nodes, ctx: Context) -> dict:
    """\\sum_{i=1}^{n} ... with n defined nowhere: n is the length of what i runs over, and a_n its last entry."""
    lengths = {}
    for node in nodes:
        for sub in walk(node):
            if not (isinstance(sub, N.Sum) and isinstance(sub.index, N.Sym) and sub.upper is not None
                    and _names_a_length(sub.upper)):
                continue
            name = (sub.upper if isinstance(sub.upper, N.Sym) else sub.upper.terms[0]).name
            if name in lengths or name in SCALARS or name in ctx.bindings or name in ("C", "m") or _resolves(name, ctx):
                continue
            axis = label_ranges([sub.body], ctx).get(sub.index.name)
            if axis is not None:
                lengths[name] = axis[1] - axis[0] + 1
    return lengths


def _resolves(name: str, ctx: Context) -> bool:
    try:
        quantity_key(N.Sym(name), ctx)
        return True
    except EvalError:
        return False


def label_ranges(nodes, ctx: Context) -> dict:
    """label -> (first, last) for each bare label that indexes an axis of a known quantity."""
    ranges = {}
    for node in nodes:
        for sub in walk(node):
            if not (isinstance(sub, N.Sym) and sub.index):
                continue
            try:
                key = quantity_key(replace(sub, index=(), index_style=""), ctx)
                data = _index_arrays(sub, key, ctx.model.values[key], ctx)
            except Exception:  # a name that does not resolve gives no range
                continue
            data = with_channel_axis(data, sub.index, key, ctx)
            if len(sub.index) != np.ndim(data):
                continue
            for axis, idx in enumerate(sub.index):
                if isinstance(idx, N.Sym) and not idx.index and idx.layer is None and not _is_class_count(idx) \
                        and idx.name not in ctx.lengths:
                    ranges.setdefault(idx.name, (ctx.index_base, ctx.index_base + np.shape(data)[axis] - 1))
    return ranges


def _num(node, ctx):
    return ctx.model.constant(node.value)   # float64, or the exact decimal in the 60-digit confirmation


def _cnn_size(kind):
    def value(ctx):
        layer = next((x for x in ctx.model.layers if x.kind == ("conv" if kind == "k" else "maxpool")), None)
        if layer is None:
            raise UnknownSymbol(kind)
        return {"k": layer.kernel, "p": layer.size, "s": layer.stride}[kind]
    return value


def _reg_lambda(ctx):
    if ctx.model.arch.regularization is None:
        raise UnknownSymbol("lambda (the network has no L2 penalty: declare regularization)")
    return ctx.model.arch.reg_lambda


SCALARS = {"alpha": lambda ctx: ALPHA, "eta": lambda ctx: ALPHA, "m": lambda ctx: ctx.model.sizes.m,
           "lambda": _reg_lambda,
           "k": _cnn_size("k"), "p": _cnn_size("p"), "s": _cnn_size("s")}
FEATURE_MAP = {"H": 0, "W": 1}   # n_H, n_W: height and width of the first convolution's output


def _sym(node: N.Sym, ctx: Context):
    if node.name in ctx.bindings and node.layer is None and not node.index and node.name not in ctx.index_ranges \
            and not node.font:   # \mathcal{L} is the loss, never the depth L
        return np.array(float(ctx.bindings[node.name]))   # a layer number in a condition: l = L
    if node.name in ctx.lengths and node.layer is None and not node.index:
        return np.array(float(ctx.lengths[node.name]))
    alias = expand_alias(node, ctx)
    if alias is not None:
        with tool_vocabulary(ctx, is_tool_name(node, ctx)):
            return evaluate(alias, ctx)
    if node.name in SCALARS and node.layer is None and not node.index and node.name not in ctx.index_ranges:
        if node.name in ("k", "p", "s") and not ctx.model.arch.is_cnn:
            raise UnknownSymbol(node.name)
        return ctx.model.constant(SCALARS[node.name](ctx))
    if node.name == "n" and len(node.index) == 1 and isinstance(node.index[0], N.Sym) \
            and node.index[0].name in FEATURE_MAP and "Z1" in ctx.model.values:
        return np.array(float(np.shape(ctx.model.values["Z1"])[FEATURE_MAP[node.index[0].name]]))
    if node.name == "n" and not node.index and (node.layer is not None or node.sublayer is not None):
        return np.array(float(width(ctx, layer_value(node.layer if node.layer is not None else node.sublayer, ctx))))
    if node.name == "N" and node.tag in ("out", "in"):
        widths = ctx.model.sizes.widths
        return np.array(float(widths[-1] if node.tag == "out" else widths[0]))
    kronecker = _kronecker(node, ctx)
    if kronecker is not None:
        return kronecker
    if node.index:
        return _indexed(node, ctx)
    key = quantity_key(node, ctx)
    value = ctx.overrides.get(key, ctx.model.values[key])
    if node.shape is not None:
        check_shape(node, value, ctx)
    if node.tag == "new":
        value = value - ALPHA * ctx.model.grad(key)
    return value


def check_shape(node: N.Sym, value, ctx: Context) -> None:
    """A written size (b_{n^{[3]} \\times m}) must be the quantity's size."""
    try:
        dims = tuple(whole(_one_number(evaluate(d, ctx), d), f"the size {_show(d)}") for d in node.shape)
    except EvalError:
        return
    if dims != tuple(np.shape(value)):
        raise DimensionError(f"{_show(replace(node, shape=None))} is {' x '.join(map(str, np.shape(value)))}, "
                             f"not {' x '.join(map(str, dims))} as written")


def _shorthand(node: N.Shorthand, ctx: Context):
    key = quantity_key(node.of, ctx)
    grad = ctx.model.grad(key)
    if node.of.shape is not None:
        check_shape(node.of, grad, ctx)   # dW_{n x 1}: the written size is the gradient's, which is W's
    if ctx.shorthand == "per-example" and key[0] in ("Z", "A", "X", "P") and ctx.model.arch.averaging == "mean":
        grad = grad * ctx.model.sizes.m
    if node.of.index:
        return _label(grad, node.of, key, ctx)
    return grad


def _deriv(node: N.Deriv, ctx: Context):
    num, den = node.num, node.den
    if isinstance(num, N.Call) and _loss_call(num):
        num = N.Sym("J")
    if not isinstance(num, N.Sym) and isinstance(den, N.Sym):
        return _derivop(N.DerivOp(den, num, node.partial), ctx)   # \partial \sigma(z) / \partial z: of an expression
    if ctx.shorthand == "per-example" and isinstance(num, N.Sym) and num.name == "L" and num.font == "mathcal" \
            and isinstance(den, N.Sym) and not den.index:
        # where the text's dA is per example, \mathcal{L} is one example's loss (J averages it): dL/dA is dA
        return evaluate(N.Shorthand(den), ctx)
    if not isinstance(num, N.Sym) or not isinstance(den, N.Sym):
        raise EvalError("a derivative of something other than a named quantity")
    out_key = quantity_key(num, ctx)
    in_key = quantity_key(den, ctx)
    if out_key == "J":
        grad = ctx.model.grad(in_key)
        if den.index:
            return _label(grad, den, in_key, ctx, derivative=True)
        return grad
    jac = ctx.model.jacobian(out_key, in_key)
    if num.index or den.index:
        return _label_jac(jac, num, out_key, den, in_key, ctx)
    return Jac(jac, np.shape(ctx.model.values[out_key]), np.shape(ctx.model.values[in_key]))


def _derivop(node: N.DerivOp, ctx: Context):
    """d/dX (body): the Jacobian of an explicit expression, by complex step on X."""
    if not isinstance(node.den, N.Sym):
        raise EvalError("d/d of something other than a named quantity")
    key = quantity_key(node.den, ctx)
    base = np.asarray(ctx.overrides.get(key, ctx.model.values[key]))
    exact = base.dtype == object   # 60-digit numbers (audit/exact.py) carry the complex step themselves
    base = base if exact else base.astype(complex)
    if node.den.index:
        return _derivop_element(node, key, base, ctx)
    value0 = evaluate(node.body, ctx)
    if not isinstance(value0, np.ndarray):
        raise EvalError("d/d of a derivative")
    out_shape = value0.shape
    check_elements(value0.size * base.size, f"the derivative of {_show(node.body)}")
    jac = np.zeros(out_shape + base.shape, dtype=object if exact else float)
    flat = base.reshape(-1)
    saved = dict(ctx.overrides)
    try:
        for k in range(flat.size):
            bumped = flat.copy()
            bumped[k] += 1j * STEP
            ctx.overrides = bumped_overrides(ctx, saved, {key: bumped.reshape(base.shape)})
            value = evaluate(node.body, ctx)
            jac.reshape(out_shape + (flat.size,))[..., k] = imag(value) / STEP
    finally:
        ctx.overrides = saved
    if out_shape == ():
        return jac
    return Jac(jac, out_shape, base.shape)


def bumped_overrides(ctx: Context, saved: dict, changes: dict) -> dict:
    """The values with each quantity in `changes` set to its new value and everything computed from them
    recomputed, so that d/dZ (J) sees J move: a partial derivative holds the other inputs where they are."""
    forced = {k: v for k, v in saved.items() if k in ctx.model.values}
    forced.update(changes)
    for key in ("X", "A0"):
        if key in changes:
            forced["X"] = forced["A0"] = changes[key]
    try:
        downstream = ctx.model.forward(forced)
    except Exception:  # noqa: BLE001 - a model without a forward pass: only the bumped values move
        downstream = {}
    return {**saved, **downstream, **forced}


def element_position(sym: N.Sym, key: str, ctx: Context) -> int:
    """The flat position in quantity `key` of the one element sym names (z_1, x_{[0,1]}): read sym from an
    array of positions, so that every index convention the evaluator knows applies unchanged."""
    base = ctx.model.values[key]
    saved = dict(ctx.overrides)
    try:
        ctx.overrides = dict(saved, **{key: np.arange(np.size(base), dtype=float).reshape(np.shape(base))})
        position = evaluate(sym, ctx)
    finally:
        ctx.overrides = saved
    if isinstance(position, Lab) or np.size(position) != 1:
        raise EvalError(f"{_show(sym)}: the index must name one element")
    return int(np.real(_plain(position)).reshape(()))


def _derivop_element(node: N.DerivOp, key: str, base, ctx: Context):
    """d/dz_1 (body): bump the one element z_1 names."""
    bumped = base.reshape(-1).copy()
    bumped[element_position(node.den, key, ctx)] += 1j * STEP
    saved = dict(ctx.overrides)
    try:
        ctx.overrides = bumped_overrides(ctx, saved, {key: bumped.reshape(base.shape)})
        value = evaluate(node.body, ctx)
    finally:
        ctx.overrides = saved
    if isinstance(value, Lab):
        return Lab(imag(value.data) / STEP, value.labels)
    if isinstance(value, Jac):
        raise EvalError("d/d of a derivative")
    return imag(value) / STEP


def _transpose(node, ctx):
    value = evaluate(node.arg, ctx)
    if isinstance(value, Jac):
        arr = value.as_array()
        if arr is None:
            raise EvalError("transpose of a Jacobian")
        value = arr
    if isinstance(value, Lab):
        return value
    return np.asarray(value).T


def _neg(node, ctx):
    value = evaluate(node.arg, ctx)
    if isinstance(value, ShapeOnly):
        return value
    if isinstance(value, Jac):
        return Jac(-value.data, value.out_shape, value.in_shape)
    if isinstance(value, Lab):
        return Lab(-value.data, value.labels)
    return -value


def _add(node, ctx):
    values = [evaluate(t, ctx) for t in node.terms]
    total = values[0]
    for v in values[1:]:
        total = combine(total, v, "add")
    return total


def _mul(node, ctx):
    values = [evaluate(f, ctx) for f in node.factors]
    op = ctx.informal_ops.get(id(node), node.op)
    total = values[0]
    for v in values[1:]:
        total = product(total, v, op, ctx)
    return total


def _div(node, ctx):
    return combine(evaluate(node.num, ctx), evaluate(node.den, ctx), "div")


def _pow(node, ctx):
    base = evaluate(node.base, ctx)
    exp = evaluate(node.exp, ctx)
    if isinstance(base, Jac) or isinstance(exp, (Jac, Lab)) or np.ndim(exp) != 0:
        raise EvalError("power of a Jacobian or by a non-scalar")
    if isinstance(base, Lab):
        return Lab(base.data ** exp, base.labels)
    return np.asarray(base) ** exp


def softmax_of_element(node) -> bool:
    """softmax(scores_0): softmax of one element, which informal notes write for the element of softmax(scores)."""
    return isinstance(node, N.Call) and node.func == "softmax" and len(node.args) == 1 and not node.prime \
        and isinstance(node.args[0], N.Sym) and bool(node.args[0].index)


def _softmax_element(sym: N.Sym, ctx: Context):
    """The element sym names of the softmax of the whole quantity: softmax(scores_0) is softmax(scores)_0."""
    key = quantity_key(sym, ctx)
    saved = ctx.overrides
    ctx.overrides = dict(saved, **{key: _softmax(ctx.overrides.get(key, ctx.model.values[key]), ctx.model.class_axis)})
    try:
        return evaluate(sym, ctx)
    finally:
        ctx.overrides = saved


def _activation_call(name, prime, ctx):
    fn, dfn = ctx.model.table[name]
    return dfn if prime == 1 else fn


CALLS = {
    "sigma": "sigmoid", "sig": "sigmoid", "sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu", "ReLU": "relu",
    "g": "g",
}
ACTIVATION_LETTERS = ("f", "phi")   # f(Z), \phi(u): other letters notes give a generic activation g


def _call(node: N.Call, ctx: Context):
    func = node.func
    if func in LOSS_NAMES:
        return ctx.model.values["J"]
    if func in ("max", "Max") and len(node.args) == 2:
        a, b = (evaluate(x, ctx) for x in node.args)
        return elementwise(lambda u, v: np.where(np.real(u) >= np.real(v), u, v), a, b)
    if func in ("corr", "fullconv") and len(node.args) == 2:
        from .compare import full_convolution
        a, b = (_plain(evaluate(x, ctx)) for x in node.args)
        if a.ndim != 2 or b.ndim != 2 or (func == "corr" and (a.shape[0] < b.shape[0] or a.shape[1] < b.shape[1])):
            raise DimensionError(f"{func} of shapes {a.shape} and {b.shape}")
        return conv2d(a, b) if func == "corr" else full_convolution(a, b)
    if func == "nabla":
        raise EvalError(f"\\nabla {_show(node.args[0])} does not say which quantity the gradient is taken by "
                        "(\\nabla_{z} J, or \\nabla J(z))")
    if len(node.args) != 1:
        raise EvalError(f"{func} with {len(node.args)} arguments")
    if func == "softmax" and softmax_of_element(node):
        return _softmax_element(node.args[0], ctx)
    arg = evaluate(node.args[0], ctx)
    if func in ("log", "ln"):
        return elementwise(np.log, arg)
    if func == "exp":
        return elementwise(np.exp, arg)
    if func == "flatten":
        value = _plain(arg)
        return value.reshape(-1, 1) if ctx.model.convention in ("column", "column-wT") else value.reshape(1, -1)
    if func in ("maxpool", "Maxpooling", "MaxPool", "maxpooling"):
        pool = next((lay for lay in ctx.model.layers if lay.kind == "maxpool"), None)
        if pool is None or not isinstance(arg, np.ndarray):
            raise EvalError("max-pooling outside a CNN")
        return maxpool(arg, pool.size, pool.stride)
    if func == "softmax":
        return _softmax(arg, ctx.model.class_axis)
    if func in ACTIVATION_LETTERS and any(x.activation == "g" for x in ctx.model.layers if x.kind in ("dense", "conv")):
        func = "g"   # a network declared with a generic activation: the notes name it by a letter of their own
    if func in CALLS or primitives.named(func) not in (None, "softmax", "g"):
        name = CALLS.get(func) or _table_activation(primitives.named(func), node, ctx)
        if name == "g":
            name = _layer_activation(node, ctx)
        if node.prime > 1:
            raise EvalError("second derivatives")
        return elementwise(_activation_call(name, node.prime, ctx), arg)
    named = N.Sym(name=func)
    declared = lookup_alias(named, ctx)
    if is_function_name(declared) and node.layer is None:
        # the notes' letter for an activation function (Goodfellow's f, names: {f: g}): call the declared one;
        # its argument stays in the notes' vocabulary, and the declared name is one the branch above reads
        return evaluate(replace(node, func=declared.name), ctx)
    named = _declared_name(node, ctx)
    if not node.prime and named is not None:
        # a name the notes declared, before brackets (Goodfellow's h (y - t)^T, h^{(k-1)} (y - t)): a product,
        # not a call
        return product(evaluate(named, ctx), arg, "juxt", ctx)
    raise EvalError(f"unknown function {func}")


def _declared_name(node: N.Call, ctx: Context):
    """The name a call's function letter is, when the notes declared it as a quantity (h, h^{(k-1)}); else None."""
    named = N.Sym(name=node.func, layer=node.layer, style="()" if node.layer is not None else "")
    declared = lookup_alias(named, ctx)
    if declared is None or is_function_name(declared):
        return None
    return named


def is_function_name(node) -> bool:
    """Whether a parsed name is an activation function the evaluator knows (g, \\sigma, tanh, ReLU, softplus)."""
    return isinstance(node, N.Sym) and node.layer is None and not node.index and not node.tag and (
        node.name in CALLS or primitives.named(node.name) not in (None, "softmax"))


def _table_activation(name: str, node: N.Call, ctx: Context) -> str:
    """An activation of the primitive table named in the notes (softplus, \\text{LeakyReLU}); a parameterised one
    takes the parameter of the layer it is applied to when that layer has it, else the table's default."""
    layer = _layer_activation(node, ctx)
    if layer.split("(")[0] == name:
        return layer
    return primitives.canonical(name)


def _layer_activation(node: N.Call, ctx: Context) -> str:
    """g is the activation of the layer it is applied to: g^{[l]}, or g(Z^{[l]}); a generic layer's g is
    one of the concrete substitutes, an output layer the document made sigmoid is sigmoid."""
    layer = layer_value(node.layer, ctx) if node.layer is not None else None
    arg = node.args[0] if node.args else None
    if layer is None and isinstance(arg, N.Sym) and arg.layer is not None and BASE.get(arg.name) in ("Z", "A"):
        try:
            layer = layer_value(arg.layer, ctx)
        except EvalError:
            layer = None
    dense = [x for x in ctx.model.layers if x.kind in ("dense", "conv")]
    if layer is not None and 1 <= layer <= len(dense):
        activation = dense[layer - 1].activation
        if activation not in ("g", "softmax"):
            return activation
    only = {x.activation for x in dense}
    if layer is None and len(only) == 1 and not only & {"g", "softmax"}:
        return only.pop()   # g(x) in a network with one activation (logistic regression's sigmoid): that one
    return ctx.model.g


def _sum(node: N.Sum, ctx: Context):
    if node.style == "np" or node.axis is not None:
        value = evaluate(node.body, ctx)
        if isinstance(value, ShapeOnly):
            shape = list(value.shape)
            if node.axis is None:
                return ShapeOnly(())
            shape[node.axis] = 1
            return ShapeOnly(tuple(shape) if node.keepdims else tuple(shape[:node.axis] + shape[node.axis + 1:]))
        value = _plain(value)
        if node.axis is not None and not -value.ndim <= node.axis < value.ndim:
            raise EvalError(f"np.sum over axis {node.axis} of {describe(value)}, which has no axis {node.axis}")
        return np.sum(value, axis=node.axis, keepdims=node.keepdims)
    if node.index is not None and _over_layers(node):
        return _layer_sum(node, ctx)
    if node.index is not None:
        label = node.index.name
        saved = ctx.index_ranges.get(label)
        if node.lower is not None and node.upper is not None:
            lo = _limit(node.lower, ctx)
            hi = _limit(node.upper, ctx)   # a limit named nowhere else (n, M-1) is a length: see _named_lengths
            _check_range(lo, hi)
            ctx.index_ranges[label] = (lo, hi)
        bounded = node.lower is not None and node.upper is not None and label not in ctx.summing
        free = (node.lower is None or node.upper is None) and label not in ctx.summing | ctx.free_summing
        if bounded:
            ctx.summing.add(label)
        if free:
            ctx.free_summing.add(label)
        try:
            value = evaluate(node.body, ctx)
        finally:
            if bounded:
                ctx.summing.discard(label)
            if free:
                ctx.free_summing.discard(label)
            if saved is None:
                ctx.index_ranges.pop(label, None)
            else:
                ctx.index_ranges[label] = saved
        if isinstance(value, Lab) and label in value.labels:
            axis = value.labels.index(label)
            return Lab(np.sum(value.data, axis=axis), value.labels[:axis] + value.labels[axis + 1:]) \
                if len(value.labels) > 1 else np.sum(value.data, axis=axis)
        # a term that does not depend on the summation index is counted once per value of it
        if node.lower is None or node.upper is None:
            raise DimensionError(f"the sum over {label} has no term indexed by {label} and no limits")
        count = hi - lo + 1
        if isinstance(value, Lab):
            return Lab(value.data * count, value.labels)
        if isinstance(value, Jac):
            return Jac(value.data * count, value.out_shape, value.in_shape)
        return np.asarray(value) * count
    if node.style == "text":
        value = _plain(evaluate(node.body, ctx))
        axis = 1 if ctx.model.convention in ("column", "column-wT") else 0
        if value.ndim <= axis:
            raise EvalError(f"a sum along the examples of {describe(value)}, which has no axis of examples")
        return np.sum(value, axis=axis, keepdims=True)
    value = evaluate(node.body, ctx)
    return np.sum(_plain(value))


def _over_layers(node: N.Sum) -> bool:
    """\\sum_{l=1}^{L} ... W^{[l]}: the summation index is a layer index of the body (an L2 penalty's sum)."""
    if (node.lower is None) != (node.upper is None) or not isinstance(node.index, N.Sym):
        return False   # \sum_l with no limits at all runs over every layer; half a range is read no further
    label = node.index.name
    return any(isinstance(n, N.Sym) and n.layer is not None
               and any(isinstance(x, N.Sym) and x.name == label for x in walk(n.layer)) for n in walk(node.body))


def _layer_sum(node: N.Sum, ctx: Context):
    """The body evaluated at each layer lo..hi (the index bound as a layer, shadowing the claim's own l), summed."""
    label = node.index.name
    if node.lower is None:   # \sum_l \|W^{[l]}\|^2: every layer of the network
        lo, hi = 1, ctx.depth
    else:
        lo, hi = (ctx.depth if b == N.Sym("L") and "L" not in ctx.bindings else layer_value(b, ctx)
                  for b in (node.lower, node.upper))
    _check_range(lo, hi)
    saved = ctx.bindings.get(label)
    total = 0.0
    try:
        for layer in range(lo, hi + 1):
            ctx.bindings[label] = layer
            value = _plain(evaluate(node.body, ctx))
            if np.ndim(total) and np.shape(total) != np.shape(value):
                raise DimensionError(f"the terms of the sum over the layers {label} have different shapes")
            total = total + value
    finally:
        if saved is None:
            ctx.bindings.pop(label, None)
        else:
            ctx.bindings[label] = saved
    return np.asarray(total)


def _max(node: N.Max, ctx: Context):
    """\\max_{a=0}^{p-1} body: the largest value of body over the label's range (max-pooling's window)."""
    if node.index is None or node.lower is None or node.upper is None:
        raise EvalError("a \\max over indices without limits")
    label = node.index.name
    saved = ctx.index_ranges.get(label)
    lo, hi = _limit(node.lower, ctx), _limit(node.upper, ctx)
    _check_range(lo, hi)
    ctx.index_ranges[label] = (lo, hi)
    try:
        value = evaluate(node.body, ctx)
    finally:
        if saved is None:
            ctx.index_ranges.pop(label, None)
        else:
            ctx.index_ranges[label] = saved
    if not isinstance(value, Lab) or label not in value.labels:
        return value   # the body does not depend on the label: every value is the same
    axis = value.labels.index(label)
    best = np.expand_dims(np.argmax(np.real(value.data), axis=axis), axis)
    data = np.take_along_axis(value.data, best, axis=axis).squeeze(axis)   # keeps complex-step parts
    labels = value.labels[:axis] + value.labels[axis + 1:]
    return Lab(data, labels) if labels else data


MAX_TERMS = 10_000   # a sum or max evaluated term by term; the networks checked have at most a few hundred


def _check_range(lo: int, hi: int) -> None:
    if hi - lo + 1 > MAX_TERMS:
        raise EvalError(f"a sum or max over {hi - lo + 1} terms is longer than the {MAX_TERMS} the auditor evaluates")


def _limit(node, ctx) -> int:
    """A sum's or max's limit as a whole number: one finite number, or a sentence saying why not."""
    value = _bound(node, ctx)
    if isinstance(value, (Jac, Lab, ShapeOnly)) or np.size(value) != 1:
        raise EvalError(f"the limit {_show(node)} is not a number")
    return whole(_plain(value), f"the limit {_show(node)}")


def whole(value, what: str) -> int:
    """int() of a finite real number; inf, NaN or a number past any size is a reason, not an OverflowError."""
    number = float(np.real(np.asarray(value).reshape(())))
    if not np.isfinite(number) or abs(number) > 1e15:
        raise EvalError(f"{what} is {number:g}, not a usable whole number")
    return int(round(number))


def _names_a_length(node) -> bool:
    """n, or M - 1: a limit that is a length written as a name."""
    if isinstance(node, N.Sym) and not node.index and node.layer is None:
        return True
    return isinstance(node, N.Add) and len(node.terms) == 2 and _names_a_length(node.terms[0]) \
        and node.terms[1] in (N.Num(-1), N.Neg(N.Num(1)))


def _bound(node, ctx):
    """A sum's limit: C there (C, C-1) is the number of classes (the output width), not the cost."""
    from .resolve import transform
    classes = N.Num(Fraction(output_width(ctx)))
    return evaluate(transform(node, lambda n: classes if _is_class_count(n) else n), ctx)


def _is_class_count(node) -> bool:
    return isinstance(node, N.Sym) and node.name == "C" and node.layer is None and not node.index and not node.tag


def output_width(ctx) -> int:
    widths = getattr(ctx.model.sizes, "widths", ())
    if ctx.model.arch.is_cnn or not widths:
        return int(np.size(ctx.model.values["Y"]))
    return widths[-1]


def _cases(node: N.Cases, ctx: Context):
    """Piecewise values; a condition on layer numbers (l = L) picks its branch before anything else runs."""
    for value, cond in node.branches:
        if cond is None:
            continue
        try:
            test = _condition(cond, ctx)
        except EvalError:
            break
        if np.ndim(test) == 0 and not isinstance(test, Lab):
            if bool(test):
                return evaluate(value, ctx)
            continue
        break
    else:
        default = [v for v, c in node.branches if c is None]
        if default:
            return evaluate(default[0], ctx)
    default = None
    conds, values = [], []
    for value, cond in node.branches:
        v = evaluate(value, ctx)
        if cond is None:
            default = v
        else:
            conds.append(_condition(cond, ctx))
            values.append(v)
    if default is None:
        default = np.array(np.nan)
    result = default
    for cond, v in reversed(list(zip(conds, values))):
        result = select(cond, v, result)
    return result


def _condition(rel: N.Rel, ctx: Context):
    if not isinstance(rel, N.Rel):
        raise EvalError("a case condition that is not a comparison")
    left, right = _condition_side(rel.left, ctx), _condition_side(rel.right, ctx)
    ops = {">": np.greater, "<": np.less, ">=": np.greater_equal, "<=": np.less_equal,
           "!=": np.not_equal, "=": np.equal}
    fn = ops[rel.op]
    return elementwise(lambda a, b: fn(np.real(a), np.real(b)), left, right)


def _condition_side(node, ctx: Context):
    """In `if i \\neq j` an index label stands for its own values."""
    if isinstance(node, N.Sym) and node.name in ctx.index_ranges and node.layer is None and not node.index:
        lo, hi = ctx.index_ranges[node.name]
        return Lab(np.arange(lo, hi + 1, dtype=float), (node.name,))
    return evaluate(node, ctx)


def describe(value) -> str:
    shape = np.shape(value)
    return "a scalar" if not shape else " x ".join(map(str, shape))


def select(cond, a, b):
    if isinstance(cond, Lab) or isinstance(a, Lab) or isinstance(b, Lab):
        labels = tuple(dict.fromkeys(sum((x.labels for x in (cond, a, b) if isinstance(x, Lab)), ())))
        _check_labelled((cond, a, b), labels)
        c, x, y = (_broadcast_lab(v, labels, ) for v in (cond, a, b))
        return Lab(np.where(c, x, y), labels)
    cond, a, b = _plain(cond), _plain(a), _plain(b)
    try:
        np.broadcast_shapes(cond.shape, a.shape, b.shape)
    except ValueError:
        raise EvalError(f"a case's condition is {describe(cond)} and its value {describe(a)}: they do not match, "
                        "so which entries the condition picks is not written") from None
    out = np.where(cond, a, b)    # np.where keeps a complex step in either branch; an unmatched case stays NaN
    return out.astype(complex) if np.iscomplexobj(a) or np.iscomplexobj(b) else out


def _either(node: N.Either, ctx):
    return evaluate(node.options[0], ctx)


def _matrix(node: N.Matrix, ctx: Context):
    """A bmatrix of entries that are each one number (\frac{\partial loss}{\partial scores_0} h1_0, W2_{01}): the
    matrix of those numbers, rows as written. An entry that is not one number (a block, a vector) is not read."""
    if any(isinstance(n, N.Dots) for n in walk(node)) or not node.rows:
        return _not_math(node, ctx)
    width_ = len(node.rows[0])
    if any(len(row) != width_ for row in node.rows):
        raise EvalError("a matrix whose rows have different numbers of entries")
    out = []
    for row in node.rows:
        values = []
        for entry in row:
            value = evaluate(entry, ctx)
            if isinstance(value, (Lab, Jac, ShapeOnly)) or np.size(value) != 1:
                raise EvalError("a matrix whose entries are not each one number (blocks or indexed entries)")
            values.append(np.asarray(value).reshape(()))
        out.append(values)
    return np.array([[v[()] for v in row] for row in out])


def _not_math(node, ctx):
    if isinstance(node, N.Matrix) and any(isinstance(n, N.Dots) for n in walk(node)):
        raise EvalError("a matrix with entries elided by \\vdots or \\cdots: what they stand for is not written")
    if isinstance(node, N.Dots):
        raise EvalError("an ellipsis whose terms follow no single-index pattern: what it stands for is not written")
    raise EvalError(f"{type(node).__name__} is not checkable mathematics")


def width(ctx, layer):
    widths = getattr(ctx.model.sizes, "widths", ())
    if layer is None or not 0 <= layer < len(widths):
        raise EvalError(f"no layer {layer} to take a width of")
    return widths[layer]


def _space(node: N.Space, ctx):
    dims = []
    for d in node.dims:
        if isinstance(d, N.Pow) and isinstance(d.base, N.Sym) and d.base.name == "n":
            d = N.Sym("n", layer=d.exp)  # n^{2} in a dimension is the width of layer 2
        elif isinstance(d, N.Sym) and d.name == "n" and d.layer is None and d.index:
            d = N.Sym("n", layer=d.index[0])
        dims.append(whole(_one_number(evaluate(d, ctx), d), f"the size {_show(d)}"))
    return ShapeOnly(tuple(dims))


def _one_number(value, node):
    value = _plain(value)
    if np.size(value) != 1:
        raise EvalError(f"the size {_show(node)} is not one number")
    return value


@dataclass
class ShapeOnly:
    """A value of \\mathbb{R}^{[a,b]}: only its shape is known (dimension analyses)."""
    shape: tuple


def _prime(node: N.Prime, ctx):
    free = free_scalar(node.body, ctx)
    return _derivop(N.DerivOp(N.Sym(free), node.body), ctx)


def free_scalar(node, ctx) -> str:
    names = {s.name for s in walk(node) if isinstance(s, N.Sym) and not s.index and s.layer is None
             and s.name in ctx.model.values}
    names -= {"J"}
    if len(names) != 1:
        raise EvalError("(...)' needs exactly one free variable")
    return names.pop()


HANDLERS = {
    N.Num: _num, N.Sym: _sym, N.Shorthand: _shorthand, N.Transpose: _transpose, N.Neg: _neg,
    N.Add: _add, N.Mul: _mul, N.Div: _div, N.Pow: _pow, N.Call: _call, N.Deriv: _deriv,
    N.DerivOp: _derivop, N.Prime: _prime, N.Sum: _sum, N.Cases: _cases, N.Either: _either,
    N.Space: _space, N.Text: _not_math, N.Dots: _not_math, N.Matrix: _matrix, N.Max: _max,
    N.Rel: _not_math,
}


# ---- arithmetic on values -----------------------------------------------------------------------------

def _plain(value):
    if isinstance(value, Jac):
        arr = value.as_array()
        if arr is None:
            raise EvalError("a Jacobian used where a matrix is needed")
        return arr
    if isinstance(value, Lab):
        raise EvalError("an indexed quantity mixed with a matrix expression")
    if isinstance(value, ShapeOnly):
        raise EvalError("a shape used as a value")
    return np.asarray(value)


def is_scalar(value) -> bool:
    return isinstance(value, np.ndarray) and (value.ndim == 0 or value.size == 1) or np.isscalar(value)


def _bias_broadcastable(a, b) -> bool:
    """One operand is the other with some axes of length 1 (a bias broadcast over examples)."""
    if a.shape == b.shape or a.ndim != b.ndim:
        return a.shape == b.shape
    small, big = (a, b) if a.size < b.size else (b, a)
    return all(s == g or s == 1 for s, g in zip(small.shape, big.shape))


def combine(a, b, op):
    """a + b or a / b, elementwise."""
    fns = {"add": np.add, "div": np.divide, "mul": np.multiply}
    if isinstance(a, ShapeOnly) or isinstance(b, ShapeOnly):
        return shape_combine(a, b, op)
    if isinstance(a, Lab) or isinstance(b, Lab):
        return lab_op(a, b, fns[op])
    a, b = _plain(a), _plain(b)
    if is_scalar(a) or is_scalar(b):
        return fns[op](a.reshape(()) if a.size == 1 and b.size != 1 else a, b.reshape(()) if b.size == 1 and a.size != 1 else b)
    if not _bias_broadcastable(a, b):
        raise DimensionError(f"shapes {a.shape} and {b.shape} do not match")
    return fns[op](a, b)


def elementwise(fn, *args):
    if any(isinstance(a, Lab) for a in args):
        if len(args) == 1:
            return Lab(fn(args[0].data), args[0].labels)
        return lab_op(args[0], args[1], fn)
    plain = [_plain(a) for a in args]
    if len(plain) == 2 and not (is_scalar(plain[0]) or is_scalar(plain[1])) and not _bias_broadcastable(*plain):
        raise DimensionError(f"shapes {plain[0].shape} and {plain[1].shape} do not match")
    return fn(*plain)


def product(a, b, op, ctx: Context):
    """The product of two values under one operator (see the module docstring).

    On a CNN with channels, a product of stacked channel maps (C x h x w, or a C_out x C_in x k x k
    kernel) that does not conform is no evidence of a mistake: notes write the layer's backward pass
    as dK = X * dZ or dX = dZ * rot180(K), meaning a correlation over every pair of channels or a sum
    over the output channels, and which of these a shorthand means is not read here.
    """
    try:
        return _product(a, b, op, ctx)
    except DimensionError as e:
        if ctx.model.arch.multichannel and (_stacked(a) or _stacked(b)):
            raise EvalError(f"{e}: a product of stacked channel maps, whose channel pairing is not read") from None
        raise


def _stacked(value) -> bool:
    return not isinstance(value, (Lab, Jac, ShapeOnly)) and np.ndim(value) > 2


def _product(a, b, op, ctx: Context):
    if isinstance(a, ShapeOnly) or isinstance(b, ShapeOnly):
        return shape_combine(a, b, "matmul" if op in ("juxt", "cdot", "times") else "mul")
    if isinstance(a, Lab) or isinstance(b, Lab):
        contracted = _chain_into_lab(a, b) if op in ("juxt", "cdot") else None
        return contracted if contracted is not None else lab_op(a, b, np.multiply)
    if isinstance(a, Jac) or isinstance(b, Jac):
        return jac_product(a, b, op)
    a, b = np.asarray(a), np.asarray(b)
    cnn = ctx.model.arch.is_cnn
    if cnn and a.ndim == 2 and b.ndim == 2 and a.shape[0] > 1 and a.shape[1] != b.shape[0] \
            and a.size == b.shape[0] and not _is_kernel(b, ctx):
        a = a.reshape(1, -1)  # the pooled map enters the dense layer flattened (the document's flatten layer)
    if op == "star" and ctx.model.arch.multichannel:
        read = _channel_correlation(a, b)
        if read is not None:
            return read
    if op in ("star", "odot", "elementwise"):
        if op == "star" and cnn and a.ndim == 2 and b.ndim == 2 and b.shape != a.shape \
                and not (is_scalar(a) or is_scalar(b)):
            if _is_kernel(b, ctx) or (a.shape[0] > b.shape[0] and a.shape[1] > b.shape[1] and b.shape[0] > 1):
                return conv2d(a, b)   # X * K (and X * dJ/dZ): the valid correlation the CNN tables write with *
            if a.shape[1] == b.shape[0]:
                return a @ b          # A * W: the tables write the dense layer with * too
        return elementwise(np.multiply, a, b)
    if is_scalar(a) or is_scalar(b):
        return (a.reshape(()) if a.size == 1 else a) * (b.reshape(()) if b.size == 1 else b)
    if op in ("juxt", "cdot", "times"):
        if a.ndim == 2 and b.ndim == 2 and a.shape == b.shape and a.shape[1] != b.shape[0]:
            return a * b  # equal shapes that cannot be multiplied as matrices: A(1 - A) is elementwise
        if cnn and a.ndim == 2 and a.shape == b.shape and _is_feature_map(a, ctx) and _is_feature_map(b, ctx):
            return a * b  # two maps of one shape: a map is not a linear map, so square or not this is elementwise
        if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
            raise DimensionError(f"a {a.shape[0]}x{a.shape[1]} matrix times a {b.shape[0]}x{b.shape[1]} matrix does not conform"
                                 if a.ndim == 2 and b.ndim == 2 else "a product of non-matrices")
        return a @ b
    raise EvalError(f"unknown product {op}")


def _channel_correlation(a, b):
    """X * K and X * dZ on stacked channel maps, the valid correlation over channels; None for other shapes.

    X (C_in x H x W) * K (C_out x C_in x k x k) is the layer's forward pass: the input channels are
    summed, z[o] = sum_c X[c] * K[o, c]. X * dZ with dZ (C_out x h x w) smaller than X has no channel
    axis in common, so every pair is correlated: (X * dZ)[o, c] = X[c] * dZ[o], the kernel gradient.
    """
    if a.ndim != 3 or a.shape[1] < 2 or a.shape[2] < 2:
        return None
    if b.ndim == 4 and b.shape[1] == a.shape[0] and a.shape[1] >= b.shape[2] and a.shape[2] >= b.shape[3]:
        return conv2d_channels(a, b)
    if b.ndim == 3 and a.shape[1] > b.shape[1] and a.shape[2] > b.shape[2]:
        return np.stack([np.stack([conv2d(a[c], b[o]) for c in range(a.shape[0])]) for o in range(b.shape[0])])
    return None


def _is_feature_map(value, ctx) -> bool:
    shapes = {np.shape(v) for k, v in ctx.model.values.items() if k[0] in ("K", "W")}
    return min(value.shape) > 1 and value.shape not in shapes


def _is_kernel(value, ctx):
    return any(np.shape(ctx.model.values.get(f"K{l}")) == value.shape for l in range(1, 8))


def jac_product(a, b, op):
    """Chain-rule products: contract the inner quantity's axes. A scalar factor just scales."""
    if not isinstance(a, Jac):
        a_arr = np.asarray(a)
        if isinstance(b, Jac) and a_arr.shape == tuple(b.out_shape):
            a = Jac(a_arr, (), a_arr.shape)       # a gradient dJ/dX acting as the first row of the chain
        elif a_arr.size == 1:
            return Jac(a_arr.reshape(()) * b.data, b.out_shape, b.in_shape)
        else:
            a = Jac(a_arr, (), a_arr.shape)
    if not isinstance(b, Jac):
        b_arr = np.asarray(b)
        if b_arr.size == 1:
            return Jac(a.data * b_arr.reshape(()), a.out_shape, a.in_shape)
        if a.in_shape == () or op in ("star", "odot"):
            raise DimensionError("a Jacobian times a matrix")
        raise DimensionError("a Jacobian times a matrix that is not a derivative")
    if a.in_shape != b.out_shape:
        raise DimensionError(f"chain-rule factors do not chain: {a.in_shape} vs {b.out_shape}")
    k = len(a.in_shape)
    data = np.tensordot(a.data, b.data, axes=k)
    if a.out_shape == ():
        return data if data.shape == b.in_shape else Jac(data, (), b.in_shape)
    return Jac(data, a.out_shape, b.in_shape)


# ---- index notation --------------------------------------------------------------------------------

def _index_arrays(sym: N.Sym, key: str, value: np.ndarray, ctx: Context):
    """The array sym's element indices address: one example's vector of units for A, Z, Y, X, b."""
    data = np.asarray(value)
    conv = ctx.model.convention
    if key[0] in ("A", "Z", "Y", "X", "b") and data.ndim == 2:
        # a vector of units of one example: index the unit axis
        if conv in ("column", "column-wT") and data.shape[1] == 1 and not ctx.model.arch.is_cnn:
            data = data[:, 0]
        elif data.shape[0] == 1 and (conv not in ("column", "column-wT") or ctx.model.arch.is_cnn):
            data = data[0, :]
    return data


def _kronecker(node: N.Sym, ctx: Context):
    """\\delta_{ij} (or \\delta_{i,j}): 1 where the two indices agree. None when the symbol is not one."""
    if node.name != "delta" or node.layer is not None:
        return None
    if len(node.index) == 2 and all(isinstance(i, N.Sym) and not i.index for i in node.index):
        labels = tuple(i.name for i in node.index)
    elif not node.index and node.tag and len(node.tag) == 2 and node.tag.isalpha():
        labels = tuple(node.tag)
    else:
        return None
    if not all(label in ctx.index_ranges for label in labels):
        return None
    (lo_a, hi_a), (lo_b, hi_b) = (ctx.index_ranges[label] for label in labels)
    if labels[0] == labels[1]:
        return np.array(1.0)   # \delta_{ii}: the two indices agree
    check_elements((hi_a - lo_a + 1) * (hi_b - lo_b + 1), f"the Kronecker delta {_show(node)}")
    a, b = np.arange(lo_a, hi_a + 1), np.arange(lo_b, hi_b + 1)
    return Lab((a[:, None] == b[None, :]).astype(float), labels)


def _indexed(sym: N.Sym, ctx: Context):
    if any(isinstance(i, N.Sym) and (i.index or i.layer is not None) for i in sym.index):
        raise EvalError(f"an index that is itself a quantity ({_show(sym)}: the class label as an index) is not read")
    key = quantity_key(sym, ctx)
    value = ctx.overrides.get(key, ctx.model.values[key])
    return _label(value, sym, key, ctx)


def _label(value, sym: N.Sym, key: str, ctx: Context, derivative: bool = False):
    data = _index_arrays(sym, key, value, ctx)
    index = written_index(sym, data)
    if derivative:
        data = _as_vector(data, index, ctx)
    data = with_channel_axis(data, index, key, ctx)
    if len(index) == 1 and data.ndim == 2 and ctx.model.convention == "row" and not ctx.model.arch.is_cnn \
            and key[0] in ("A", "Z", "X", "Y") and data.shape[0] == ctx.model.sizes.m > 1:
        # Z_i in the row convention (examples x units) is example i's row; its units stay an unnamed last axis
        return gather(data, index, ctx)
    if len(index) != data.ndim:
        raise EvalError(f"{len(index)} ind{'ex' if len(index) == 1 else 'ices'} on a quantity with {data.ndim} "
                        f"ax{'is' if data.ndim == 1 else 'es'}")
    return gather(data, index, ctx)


def notes_sizes(arch) -> tuple:
    """The widths the notes themselves declare for their network (`network: {sizes: [...]}`), or (): a built-in's
    sizes are its source document's example, not a statement of the notes that name it."""
    declared = getattr(arch, "id", "").startswith("net-") and getattr(arch, "source", "") == "declared"
    return tuple(arch.sizes[0]) if declared and getattr(arch, "sizes", ()) else ()


def _declared_widths(ctx: Context) -> bool:
    """Is the model checked at the widths the notes declare (where an element past the end does not exist)?"""
    sizes = notes_sizes(ctx.model.arch)
    return bool(sizes) and tuple(getattr(ctx.model.sizes, "widths", ())) == sizes


def written_index(sym: N.Sym, data) -> tuple:
    """sym's index on `data`: W_{12} of a matrix is its element (1, 2), the digits written together."""
    digits = sym.index_style[7:] if sym.index_style.startswith("digits:") else ""
    if len(sym.index) == 1 and isinstance(sym.index[0], N.Num) and 1 < len(digits) == np.ndim(data):
        return tuple(N.Num(Fraction(int(d))) for d in digits)
    return sym.index


def _as_vector(data, index, ctx: Context):
    """d(...)/dw_i with w a vector stored as an n x 1 column (or a 1 x n row): element i along its long axis.
    (Only in a derivative: the value w_i alone is still read as written, a one-index name of a matrix being
    as often a note's own name for another quantity.)"""
    if len(index) == 1 and np.ndim(data) == 2 and 1 in np.shape(data) and not ctx.model.arch.is_cnn:
        return np.reshape(data, -1)
    return data


def with_channel_axis(data, index, key: str, ctx: Context):
    """x_{i,j,k} on a one-channel CNN: the third index is the channel, and there is one.

    b_d of a convolution layer: its bias is held as a (channels, 1, 1) map that broadcasts over the
    positions, and one index names the channel.
    """
    if ctx.model.arch.is_cnn and key[0] in ("X", "Z", "A", "P") and np.ndim(data) == 2 and len(index) == 3:
        return np.asarray(data)[..., None]
    if ctx.model.arch.is_cnn and key[0] == "b" and np.ndim(data) == 3 and np.shape(data)[1:] == (1, 1) \
            and len(index) == 1:
        return np.asarray(data)[:, 0, 0]
    return data


def gather(data, index, ctx: Context):
    """data[index expressions] over the ranges of the labels they use; labels become axes."""
    if len(index) > np.ndim(data):
        raise EvalError(f"{len(index)} indices on a quantity with {np.ndim(data)} "
                        f"ax{'is' if np.ndim(data) == 1 else 'es'}")
    labels = []
    for expr in index:
        for s in walk(expr):
            if isinstance(s, N.Sym) and s.name not in labels and s.name not in ctx.bindings \
                    and not _is_size_name(s, ctx) and not _is_class_count(s) and s.name not in ctx.lengths:
                labels.append(s.name)
    # ranges: a label used bare as an index takes that axis's length unless a sum bounds it
    ranges = {}
    for axis, expr in enumerate(index):
        if isinstance(expr, N.Sym) and expr.name in labels:
            if expr.name in ctx.index_ranges:
                lo, hi = ctx.index_ranges[expr.name]
                ranges[expr.name] = (lo - ctx.index_base, hi - ctx.index_base + 1)
            else:
                ranges.setdefault(expr.name, (0, data.shape[axis]))
    for label in labels:
        if label not in ranges:
            if label in ctx.index_ranges:
                lo, hi = ctx.index_ranges[label]
                ranges[label] = (lo - ctx.index_base, hi - ctx.index_base + 1)
            else:
                raise EvalError(f"index {label} has no range")
    check_elements(int(np.prod([max(0, hi - lo) for lo, hi in (ranges[l] for l in labels)], dtype=object)),
                   f"the indexed quantity {_label_text(labels)}")
    grids = np.meshgrid(*[np.arange(*ranges[l]) for l in labels], indexing="ij") if labels else []
    env = dict(zip(labels, grids))
    idx = []
    for expr in index:
        pos = _index_value(expr, env, ctx)
        if not labels or np.ndim(pos) == 0:
            pos = np.full(grids[0].shape if grids else (), pos - (ctx.index_base if not _has_label(expr, labels) else 0))
        idx.append(pos)
    outside = np.zeros(np.shape(idx[0]) if idx else (), dtype=bool)
    for axis, (pos, expr) in enumerate(zip(idx, index)):
        off = (pos < 0) | (pos >= data.shape[axis])
        # a sum without limits runs over the terms that exist: \sum_p K_{p} g_{i-p} is the full convolution,
        # the terms past the edge left out, which is the same as counting them zero
        if np.any(off) and not _has_label(expr, ctx.summing | ctx.free_summing):
            if not _has_label(expr, labels) and _declared_widths(ctx):
                raise DimensionError(f"the index {_show(expr)} is past the {data.shape[axis]} entries of that axis in "
                                     "the network the notes declare (sizes:)")
            if not _has_label(expr, labels):   # z_{100}: the text's network may be that wide, the one checked is not
                raise EvalError(f"the index {_show(expr)} is past the {data.shape[axis]} entries of that axis in "
                                "the networks checked (their sizes are small and arbitrary)")
            raise DimensionError("an index runs outside the quantity")
        outside |= off
    if np.any(outside):
        # a sum's term that falls off the edge is zero: the full convolution's zero padding
        idx = [np.clip(pos, 0, data.shape[axis] - 1) for axis, pos in enumerate(idx)]
        picked = data[tuple(idx)]
        if np.shape(picked) != np.shape(outside):   # fewer indices than the quantity has axes
            raise EvalError("an indexed quantity with axes its indices do not name")
        picked = np.where(outside, 0, picked)
    else:
        picked = data[tuple(idx)]
    if not labels:
        return np.asarray(picked)
    return Lab(picked, tuple(labels))


def _label_text(labels) -> str:
    return "over the indices " + ", ".join(labels)


def _check_labelled(values, labels) -> None:
    """The broadcast of labelled values over `labels`: its size is the product of each label's length."""
    sizes = {}
    for v in values:
        if isinstance(v, Lab):
            for label, n in zip(v.labels, np.shape(v.data)):
                sizes[label] = max(sizes.get(label, 1), n)
    count = 1
    for label in labels:
        count *= sizes.get(label, 1)
    check_elements(count, f"a product {_label_text(labels)}")


def _has_label(expr, labels):
    return any(isinstance(s, N.Sym) and s.name in labels for s in walk(expr))


def _is_size_name(sym: N.Sym, ctx: Context) -> bool:
    """s in y(i s + a): the stride (a size of the network), not an index that runs."""
    return sym.name in SCALARS and sym.name not in ctx.index_ranges and not sym.index and sym.layer is None \
        and (sym.name not in ("k", "p", "s") or ctx.model.arch.is_cnn)


MAX_INDEX = 10 ** 9   # an index past any size the auditor builds, and far inside what NumPy's integers hold


def _index_value(expr, env, ctx):
    if isinstance(expr, N.Num):
        if abs(expr.value) > MAX_INDEX:
            raise EvalError(f"the index {_show(expr)} is past any size the networks checked have")
        return int(expr.value)
    if isinstance(expr, N.Sym):
        if expr.name in env:
            return env[expr.name]
        if expr.name in ctx.bindings:
            return ctx.bindings[expr.name]
        if _is_size_name(expr, ctx):
            return int(np.real(SCALARS[expr.name](ctx)))
        if _is_class_count(expr):
            return output_width(ctx)   # a_C: the last class
        if expr.name in ctx.lengths:
            return ctx.lengths[expr.name]   # a_n: the last entry
        raise EvalError(f"index {expr.name} has no value")
    if isinstance(expr, N.Add):
        return sum(_index_value(t, env, ctx) for t in expr.terms)
    if isinstance(expr, N.Neg):
        return -_index_value(expr.arg, env, ctx)
    if isinstance(expr, N.Mul):
        out = 1
        for f in expr.factors:
            out = out * _index_value(f, env, ctx)
            if np.max(np.abs(out)) > MAX_INDEX:   # before a product of large indices overflows NumPy's integers
                raise EvalError(f"the index {_show(expr)} is past any size the networks checked have")
        return out
    raise EvalError("an index expression the auditor cannot read")


def _label_jac(jac, num, out_key, den, in_key, ctx):
    out_val = ctx.model.values[out_key]
    in_val = ctx.model.values[in_key]
    out_data = _index_arrays(num, out_key, out_val, ctx)
    in_data = _index_arrays(den, in_key, in_val, ctx)
    num_index, den_index = written_index(num, out_data), written_index(den, in_data)
    out_data, in_data = (_as_vector(d, x, ctx) for d, x in ((out_data, num_index), (in_data, den_index)))
    j = jac.reshape(out_data.shape + in_data.shape) if jac.size == out_data.size * in_data.size else None
    if j is None:
        raise EvalError("indexed Jacobian of quantities with several examples")
    if out_key[0] == "W" and ctx.model.convention == "column":
        raise EvalError("indexed Jacobian of a weight")
    if not num.index and out_data.size == 1:
        # dz/dw_i of one number z (one example's 1 x 1 z): indexed by i alone, no unnamed axes of length 1
        j = j.reshape(in_data.shape)
    elif not num.index:
        # dA/dz_j: the named element's axes first, so the index picks them; A's axes stay unnamed at the end
        j = np.moveaxis(j, tuple(range(out_data.ndim)), tuple(range(j.ndim - out_data.ndim, j.ndim)))
    return gather(j, tuple(num_index) + tuple(den_index), ctx)


def _broadcast_lab(value, labels):
    if isinstance(value, Lab):
        data = value.data
        present = list(value.labels)
        if np.ndim(data) != len(present):
            raise EvalError("an indexed quantity with axes its indices do not name")
        for label in labels:
            if label not in present:
                data = data[..., None]
                present.append(label)
        return np.transpose(data, [present.index(l) for l in labels])
    if isinstance(value, Jac):
        value = value.as_array()
        if value is None:
            raise EvalError("an indexed quantity times a whole Jacobian: write both with indices, or both as matrices")
    if isinstance(value, ShapeOnly):
        raise EvalError("a shape used as a value")
    arr = np.asarray(value)
    if arr.size != 1:
        raise EvalError("an indexed quantity mixed with a matrix expression")
    return arr.reshape((1,) * len(labels))


def _chain_into_lab(a, b):
    """dJ/dA . dA/dz_j: a gradient against the unnamed trailing axes of an indexed Jacobian sums over them."""
    if isinstance(b, Lab) and not isinstance(a, Lab):
        grad, lab = a, b
    elif isinstance(a, Lab) and not isinstance(b, Lab):
        grad, lab = b, a
    else:
        return None
    if isinstance(grad, Jac):
        grad = grad.as_array()
    if not isinstance(grad, np.ndarray) or grad.size == 1:
        return None
    extra = np.ndim(lab.data) - len(lab.labels)
    trailing = tuple(np.shape(lab.data)[len(lab.labels):])
    if extra <= 0 or int(np.prod(trailing)) != grad.size:
        return None
    if trailing != grad.shape:
        if sum(1 for n in grad.shape if n != 1) > 1:
            return None
        grad = grad.reshape(trailing)   # a column vector against the vector's own axis
    return Lab(np.tensordot(lab.data, grad, axes=(tuple(range(len(lab.labels), np.ndim(lab.data))),
                                                    tuple(range(grad.ndim)))), lab.labels)


def as_lab_like(value, lab: Lab):
    """A whole matrix next to an expression in free indices (dJ/dY . {1 if z_{i,j} > 0}): read it at those
    indices, when its shape is the indexed expression's (a one-channel axis aside)."""
    if isinstance(value, Lab) or isinstance(value, (Jac, ShapeOnly)):
        return value
    arr = np.asarray(value)
    if arr.size <= 1 or np.ndim(lab.data) != len(lab.labels):
        return value
    squeeze = lambda shape: tuple(n for n in shape if n != 1)
    if squeeze(arr.shape) != squeeze(np.shape(lab.data)) or arr.size != np.size(lab.data):
        return value
    return Lab(arr.reshape(np.shape(lab.data)), lab.labels)


def lab_op(a, b, fn):
    if isinstance(a, Lab) and not isinstance(b, Lab):
        b = as_lab_like(b, a)
    elif isinstance(b, Lab) and not isinstance(a, Lab):
        a = as_lab_like(a, b)
    labels = tuple(dict.fromkeys((a.labels if isinstance(a, Lab) else ()) + (b.labels if isinstance(b, Lab) else ())))
    _check_labelled((a, b), labels)
    return Lab(fn(_broadcast_lab(a, labels), _broadcast_lab(b, labels)), labels)


# ---- shape algebra for \mathbb{R}^{[a, b]} ---------------------------------------------------------------

def shape_combine(a, b, op):
    sa = a.shape if isinstance(a, ShapeOnly) else np.shape(_plain(a))
    sb = b.shape if isinstance(b, ShapeOnly) else np.shape(_plain(b))
    if op == "matmul":
        if len(sa) == 0 or np.prod(sa) == 1:
            return ShapeOnly(tuple(sb))
        if len(sb) == 0 or np.prod(sb) == 1:
            return ShapeOnly(tuple(sa))
        if sa[-1] != sb[0]:
            raise DimensionError(f"shapes {sa} and {sb} do not conform")
        return ShapeOnly((sa[0], sb[-1]))
    if len(sa) == 0 or np.prod(sa) == 1:
        return ShapeOnly(tuple(sb))
    if len(sb) == 0 or np.prod(sb) == 1:
        return ShapeOnly(tuple(sa))
    if tuple(sa) != tuple(sb):
        raise DimensionError(f"shapes {sa} and {sb} do not match")
    return ShapeOnly(tuple(sa))
