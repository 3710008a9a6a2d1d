"""Evaluate a formula's syntax tree at the random point of a NumericModel.

The handlers here read names, products and calls; derivatives.py reads derivatives, sums.py reads sums, maxima and
cases, indexing.py index notation, and values.py holds the kinds of value and their arithmetic.
"""
from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import numpy as np

from .. import primitives
from ..notation import ast as N
from ..notation.tree import walk
from .aliases import ToolName, expand_alias, is_tool_name, lookup_alias, names_its_index, tool_vocabulary
from . import derivatives  # noqa: F401 - registers the derivative handlers (d/dx, dy/dx, f')
from .dispatch import HANDLERS, evaluate
from .indexing import gather, indexed, kronecker, label_ranges, labelled
from .model import _softmax, conv2d, full_convolution, maxpool
from .names import (ALPHA, BASE, LOSS_NAMES, SCALARS, Context, FEATURE_MAP, layer_value, quantity_key,
                    width)
from .sums import names_a_length
from .tree import DimensionError, EvalError, UnknownSymbol, show as _show
from .values import Jac, Lab, ShapeOnly, combine, elementwise, plain, product, whole



def infer_ranges(nodes, ctx: Context) -> None:
    """Index conventions of a claim: 0-based if any index or limit is 0, else 1-based; a label used
    bare as an index ranges over that axis of the quantity it indexes."""
    zero = has_index = summed = False
    for node in nodes:   # one walk decides what the two below need to look at: most claims have no index at all
        for sub in walk(node):
            if isinstance(sub, N.Sym) and sub.index:
                has_index = True
                if (any(isinstance(i, N.Num) and i.value == 0 for i in sub.index)
                        or "0" in sub.index_style.partition("digits:")[2]) and not names_its_index(sub, ctx):
                    zero = True
            if isinstance(sub, (N.Sum, N.Max)):
                summed = True
                if isinstance(sub.lower, N.Num) and sub.lower.value == 0:
                    zero = True
    ctx.index_base = 0 if zero else 1
    ctx.lengths = _named_lengths(nodes, ctx) if summed else {}
    if has_index:
        for label, rng in label_ranges(nodes, ctx).items():
            ctx.index_ranges.setdefault(label, rng)


def _named_lengths(nodes, ctx: Context) -> dict:
    """\\sum_{i=1}^{n} ... with n defined nowhere: n is the length of what i runs over, and a_n its last entry."""
    lengths = {}
    for node in nodes:
        for sub in walk(node):
            if not (isinstance(sub, N.Sum) and isinstance(sub.index, N.Sym) and sub.upper is not None
                    and names_a_length(sub.upper)):
                continue
            upper = sub.upper if isinstance(sub.upper, N.Sym) else sub.upper.terms[0]
            if upper.index:   # m_L: a layer's width, keyed by the whole name
                name = upper
                if name in lengths:
                    continue
            else:
                name = upper.name
                if name in lengths or name in SCALARS or name in ctx.bindings or name in ("C", "m") \
                        or _resolves(name, ctx):
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


def _num(node, ctx):
    return ctx.model.constant(node.value)   # float64, or the exact decimal in the 60-digit confirmation


def _sym(node: N.Sym, ctx: Context):
    if node.name in ctx.bindings and node.layer is None and not node.index and node.name not in ctx.index_ranges \
            and not node.font:   # \mathcal{L} is the loss, never the depth L
        return np.array(float(ctx.bindings[node.name]))   # a layer number in a condition: l = L
    if node.name in ctx.lengths and node.layer is None and not node.index:
        return np.array(float(ctx.lengths[node.name]))
    if ctx.lengths and node.index and node in ctx.lengths:
        return np.array(float(ctx.lengths[node]))
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
    delta = kronecker(node, ctx)
    if delta is not None:
        return delta
    error = _usual_error(node, ctx)
    if error is not None:
        with tool_vocabulary(ctx):
            return evaluate(error, ctx)
    if node.index:
        return indexed(node, ctx)
    key = quantity_key(node, ctx)
    value = ctx.overrides.get(key, ctx.model.values[key])
    if node.shape is not None:
        check_shape(node, value, ctx)
    if node.tag == "new":
        value = value - ALPHA * ctx.model.grad(key)
    return value


def _usual_error(node: N.Sym, ctx: Context):
    """\\delta^l_j, \\delta^L, \\delta^{(2)} that the notes never define: the error of Nielsen, Bishop and Rumelhart,
    the loss's derivative by the layer's weighted input, \\partial J/\\partial z^l_j (or by its activation, when the
    auditor tries that other reading of a claim that fails). None for any other name (a Kronecker \\delta_{ij})."""
    if node.name != "delta" or node.tag or node.hat or node.font or len(node.index) > 1 or node.sublayer is not None \
            or any(isinstance(k, N.Sym) and k.name == "delta" for k in ctx.aliases or ()):
        return None   # notes that define their \delta (at the output layer only, say) mean only what they define
    layer = node.layer if node.layer is not None else (N.Num(Fraction(ctx.default_layer))
                                                       if ctx.default_layer is not None else None)
    if layer is None or any(isinstance(i, N.Sym) and (i.index or i.layer is not None) for i in node.index):
        return None
    of = _named_at(layer, ctx) or N.Sym(ctx.usual_error, layer=layer, style=node.style if node.layer is not None else "[]")
    return N.Deriv(N.Sym("J"), replace(of, index=node.index, index_style=node.index_style), partial=True)


def _named_at(layer, ctx: Context):
    """The quantity the notes' own names put at a written layer number: Nielsen's \\delta^3 is \\partial C/\\partial z^3,
    and his z^3 (numbered from the input layer a^1 = x) is the tool's Z^{[2]}. None when no name says."""
    if not isinstance(layer, N.Num):
        return None
    found = {value.target for key, value in (ctx.aliases or {}).items()
             if isinstance(key, N.Sym) and key.layer == layer and not key.index and isinstance(value, ToolName)
             and isinstance(value.target, N.Sym) and value.target.name == ctx.usual_error and not value.target.index}
    return found.pop() if len(found) == 1 else None


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
        return labelled(grad, node.of, key, ctx)
    return grad


def _entry(node: N.Entry, ctx: Context):
    """[M]_{qj}: the matrix expression's entries, its indices labels as a name's are."""
    value = evaluate(node.of, ctx)
    if isinstance(value, Jac):
        value = value.as_array()
    if value is None or isinstance(value, (Lab, ShapeOnly)):
        raise EvalError("the entry of something that is not a matrix")
    data = np.asarray(value)
    if len(node.index) != data.ndim:
        raise EvalError(f"{len(node.index)} indices on a matrix with {data.ndim} axes")
    return gather(data, node.index, ctx)


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
        a, b = (plain(evaluate(x, ctx)) for x in node.args)
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
        value = plain(arg)
        return ctx.model.layout.vector(value)
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
    if (func == "h" or node.prime and func in GENERIC_LETTERS) and _argument_layer(node, ctx) is not None:
        # Bishop's h'(a_j^{(1)}), f'(z^{(2)}): the derivative of a function of a layer's quantity, or Bishop's own
        # letter h, is that layer's activation (tanh where the section declares tanh); a bare f(Z) stays a name
        # the notes must define (f(x) = w x + b names a model as often)
        return _call(replace(node, func="g"), ctx)
    raise EvalError(f"unknown function {func}")


GENERIC_LETTERS = ("f", "h", "phi", "varphi")


def _argument_layer(node: N.Call, ctx: Context):
    """The layer number of the quantity a call is applied to (h(a^{(1)}), or a_j named Z^{[l]}_j), or None."""
    if node.layer is not None:
        return layer_value(node.layer, ctx)
    arg = node.args[0] if len(node.args) == 1 else None
    if not isinstance(arg, N.Sym):
        return None
    target = expand_alias(arg, ctx) if arg.layer is None else None
    sym = target if isinstance(target, N.Sym) else arg
    if sym.layer is None or BASE.get(sym.name) not in ("Z", "A"):
        return None
    try:
        return layer_value(sym.layer, ctx)
    except EvalError:
        return None


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
    layer = _argument_layer(node, ctx)
    dense = [x for x in ctx.model.layers if x.kind in ("dense", "conv")]
    if layer is not None and 1 <= layer <= len(dense):
        activation = dense[layer - 1].activation
        if activation not in ("g", "softmax"):
            return activation
    only = {x.activation for x in dense}
    if layer is None and len(only) == 1 and not only & {"g", "softmax"}:
        return only.pop()   # g(x) in a network with one activation (logistic regression's sigmoid): that one
    return ctx.model.g


def _either(node: N.Either, ctx):
    return evaluate(node.options[0], ctx)


def _matrix(node: N.Matrix, ctx: Context):
    r"""A bmatrix of entries that are each one number (\frac{\partial loss}{\partial scores_0} h1_0, W2_{01}): the
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
    if isinstance(node, N.Text) and node.reason:
        raise EvalError(node.reason)
    raise EvalError(f"{type(node).__name__} is not checkable mathematics")


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
    value = plain(value)
    if np.size(value) != 1:
        raise EvalError(f"the size {_show(node)} is not one number")
    return value


HANDLERS.update({
    N.Num: _num, N.Sym: _sym, N.Shorthand: _shorthand, N.Transpose: _transpose, N.Neg: _neg,
    N.Add: _add, N.Mul: _mul, N.Div: _div, N.Pow: _pow, N.Call: _call, N.Either: _either, N.Entry: _entry,
    N.Space: _space, N.Text: _not_math, N.Dots: _not_math, N.Matrix: _matrix, N.Rel: _not_math,
})
