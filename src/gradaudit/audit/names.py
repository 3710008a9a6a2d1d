"""What a formula's names mean in the network checked: the evaluation context, the model's key for a
named quantity (W^{[2]} -> 'W2', \\hat{y} -> the output), layer numbers, and the scalars a text names
(m, \\alpha, \\lambda, a CNN's k, p, s)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..notation import ast as N
from .aliases import expand_alias, is_tool_name, tool_vocabulary
from .model import NumericModel
from .tree import EvalError, UnknownSymbol, show as _show


EXAMPLE_COUNTS = ("n", "N")   # the other letters notes use for the number of examples m
ALPHA = 0.1          # the learning rate's value when a formula names alpha


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
    usual_error: str = "Z"                            # an undefined \delta is dJ/dZ (or, as a second reading, dJ/dA)

    @property
    def depth(self):
        return self.model.output_layer


BASE = {"W": "W", "w": "W", "b": "b", "B": "b", "Z": "Z", "z": "Z", "A": "A", "a": "A",
        "X": "X", "x": "X", "Y": "Y", "y": "Y", "K": "K", "k": "K"}


LOSS_NAMES = {"J", "C", "L", "mathcal{J}", "mathcal{C}", "mathcal{L}", "E", "MSE", "SSE", "RSS", "BCE", "NLL"}


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


def loss_call(call) -> bool:
    return call.func.replace("mathcal", "").strip("{}\\") in ("J", "C", "L", "E")


def is_loss(sym) -> bool:
    return isinstance(sym, N.Sym) and sym.layer is None and not sym.index and (
        sym.name in LOSS_NAMES or (sym.font == "mathcal" and sym.name in ("J", "C", "L")))


EXAMPLE_LETTERS = ("n", "i", "x")   # Bishop's E_n, CS231n's L_i, Nielsen's C_x: the loss of one example


def _one_examples_loss(sym: N.Sym, ctx: Context) -> bool:
    """E_n, L_i, C_x: one example's loss, in a network of one example (averaging: single) the loss itself."""
    return len(sym.index) == 1 and isinstance(sym.index[0], N.Sym) and sym.index[0].name in EXAMPLE_LETTERS \
        and not sym.index[0].index and is_loss(replace(sym, index=(), index_style="")) \
        and ctx.model.arch.averaging == "single"


def quantity_key(sym: N.Sym, ctx: Context) -> str:
    """The model's key for a named quantity: 'W2', 'A0', 'Z3', 'P1', 'J', 'X', 'Y'; one the network checked has."""
    key = _quantity_key(sym, ctx)
    if key not in ctx.model.values:   # \hat{y} or X in a network of scalars without them: not a KeyError later
        raise UnknownSymbol(_show(sym))
    return key


def _quantity_key(sym: N.Sym, ctx: Context) -> str:
    if isinstance(sym, N.Call) and loss_call(sym):
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
    if is_loss(sym) or _one_examples_loss(sym, ctx):
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


def width(ctx, layer):
    widths = getattr(ctx.model.sizes, "widths", ())
    if layer is None or not 0 <= layer < len(widths):
        raise EvalError(f"no layer {layer} to take a width of")
    return widths[layer]


def output_width(ctx) -> int:
    widths = getattr(ctx.model.sizes, "widths", ())
    if ctx.model.arch.is_cnn or not widths:
        return int(np.size(ctx.model.values["Y"]))
    return widths[-1]


def is_class_count(node) -> bool:
    return isinstance(node, N.Sym) and node.name == "C" and node.layer is None and not node.index and not node.tag
