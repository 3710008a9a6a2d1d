"""The chain-rule engine: reverse mode over named forward steps, driven by the rule table.

An architecture becomes a list of forward steps (name, expression over earlier names). Walking
them backwards, each step's VJP (rules.NODE_VJPS over its expression tree, or a loss / pair rule)
sends its gradient to the MatrixSymbols it reads; once every consumer of a name has been
visited, its gradient is complete and is emitted as ('d' + name, expression). Expressions refer
to earlier gradients by name (dZ3 ...), so their size grows linearly with depth.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sympy as sp
from sympy import MatAdd, MatrixSymbol, OneMatrix
from sympy.matrices.expressions.matexpr import MatrixExpr

from ..architectures import Architecture
from ..errors import GradauditError
from . import rules
from .cnn import ChannelBias, Conv2D, Flatten, MaxPool, Pad

CONSTANTS = (sp.OneMatrix, sp.ZeroMatrix, sp.Identity)
LAMBDA = sp.Symbol("lambda", positive=True)   # the L2 penalty's strength, where a network has one


@dataclass
class Step:
    name: str
    expr: object
    kind: str = "node"          # node | loss | pair
    rule: object = None         # for loss / pair steps: G -> [(symbol, contribution)]

    @property
    def symbol(self):
        return MatrixSymbol(self.name, *self.expr.shape)


@dataclass
class Derivation:
    """Everything derived for one architecture at one depth and size choice (see the package docstring)."""
    arch: Architecture
    depth: int
    dims: dict
    inputs: dict
    params: dict
    forward: list
    loss: object
    backward: list
    scale: object = 1
    per_example: bool = False
    assumptions: list = field(default_factory=list)
    functions: dict = field(default_factory=dict)
    _closed: dict = field(default_factory=dict, repr=False)

    @property
    def convention(self) -> str:
        return self.arch.convention

    def symbol(self, name: str):
        """The MatrixSymbol a forward, backward, input or parameter name stands for."""
        for table in (self.inputs, self.params):
            if name in table:
                return table[name]
        for n, e in self.forward + self.backward:
            if n == name:
                return MatrixSymbol(n, *e.shape) if isinstance(e, MatrixExpr) else sp.Symbol(n)
        raise KeyError(name)

    def expr(self, name: str):
        for n, e in self.forward + self.backward:
            if n == name:
                return e
        raise KeyError(name)

    def closed(self, name: str):
        """The gradient `name` with every earlier backward name substituted away."""
        if not self._closed:
            done = {}
            for n, e in self.backward:
                full = e.xreplace(done)
                self._closed[n] = full
                done[self.symbol(n)] = full
        return self._closed[name]

    @property
    def gradient_names(self) -> list:
        return [n for n, _ in self.backward]


# --- the engine ----------------------------------------------------------------------------------

def _rule_for(node):
    for cls in type(node).__mro__:
        if cls in rules.NODE_VJPS:
            return rules.NODE_VJPS[cls]
    return None


def _tree_vjp(expr, G, ans, out):
    """Push G through one step's expression tree, appending (symbol, contribution) to out."""
    if isinstance(expr, MatrixSymbol):
        out.append((expr, G))
        return
    if isinstance(expr, CONSTANTS):
        return
    rule = _rule_for(expr)
    if rule is None:
        raise GradauditError(f"no VJP rule for {type(expr).__name__} in {expr}")
    for child, contribution in rule(expr, G, ans):
        _tree_vjp(child, contribution, child, out)


def reverse(steps: list, params: dict, inputs_wanted: tuple = ("X",), param_scale=1, penalties=None):
    """Run reverse mode over the steps (the last one the loss); returns the backward list.

    penalties: parameter name -> the gradient of a penalty term of J that reads the parameter directly (L2),
    added to the parameter's gradient after `param_scale`.
    """
    penalties = penalties or {}
    produced = {s.name for s in steps}
    acc = defaultdict(list)
    backward = []
    done_params = set()
    for step in reversed(steps):
        if step.kind == "loss":
            G = None
        else:
            if not acc[step.name]:
                continue
            backward.append(("d" + step.name, _sum(acc[step.name])))
            G = MatrixSymbol("d" + step.name, *step.expr.shape)
        out = []
        if step.rule is not None:
            out = step.rule(G)
        else:
            _tree_vjp(step.expr, G, step.symbol, out)
        for sym, contribution in out:
            acc[sym.name].append(contribution)
        for pname, psym in params.items():
            if pname not in done_params and acc[pname] and pname not in produced:
                consumers_left = any(psym in s.expr.free_symbols for s in steps[:steps.index(step)])
                if not consumers_left:
                    grad = _scaled(param_scale, _sum(acc[pname]))
                    backward.append(("d" + pname, MatAdd(grad, penalties[pname]) if pname in penalties else grad))
                    done_params.add(pname)
    for name in inputs_wanted:
        if acc[name]:
            backward.append(("d" + name, _sum(acc[name])))
    return backward


def _sum(terms):
    return terms[0] if len(terms) == 1 else MatAdd(*terms)


def _scaled(c, e):
    return e if c == 1 else c * e


# --- architectures as steps ----------------------------------------------------------------------

def _dim(name, sizes, default=None):
    if sizes is not None and name in sizes:
        return sp.Integer(sizes[name])
    if default is not None:
        return sp.Integer(default)
    return sp.Symbol(name, integer=True, positive=True)


def _scale(arch, n_out, m, per_example):
    s = arch.scale
    c = 1 / n_out if s == "1/N" else sp.Rational(s.numerator, s.denominator)
    if arch.averaging == "mean" and not per_example:
        c = c / m
    return c


def build(arch: Architecture, depth: int | None, sizes: dict | None, per_example: bool, functions: dict | None):
    if arch.convention == "scalar":
        from .scalar import build_scalar
        return build_scalar(arch, sizes)
    if arch.is_cnn:
        return _build_cnn(arch, sizes, per_example, functions)
    return _build_dense(arch, depth, sizes, per_example, functions)


def _build_dense(arch, depth, sizes, per_example, functions):
    layers = arch.layers_at(depth)
    L = len(layers)
    layout = arch.layout
    axis = layout.unit_axis
    dims = {f"n{l}": _dim(f"n{l}", sizes) for l in range(L + 1)}
    dims["m"] = _dim("m", sizes, 1 if arch.averaging == "single" else None)
    m = dims["m"]
    X = MatrixSymbol("X", *layout.batch_shape(dims["n0"], m))
    params, steps = {}, []
    A = X
    for l, layer in enumerate(layers, start=1):
        W = MatrixSymbol(f"W{l}", *layout.weight_shape(dims[f"n{l}"], dims[f"n{l-1}"]))
        b = MatrixSymbol(f"b{l}", *layout.bias_shape(dims[f"n{l}"]))
        params[f"W{l}"], params[f"b{l}"] = W, b
        steps.append(Step(f"Z{l}", layout.affine(W, A, b, OneMatrix)))
        Z = steps[-1].symbol
        steps.append(Step(f"A{l}", rules.activation(layer.activation, Z, axis, functions)))
        A = steps[-1].symbol
    Y = MatrixSymbol("Y", *A.shape)
    return _finish(arch, L, dims, X, Y, params, steps, layers[-1].activation, dims[f"n{L}"], m, per_example, functions)


def _build_cnn(arch, sizes, per_example, functions):
    """One example; a C-channel map is its channels stacked, (C h) x w (see cnn.py)."""
    if arch.convention != "row":
        raise GradauditError(f"{arch.id}: CNNs are supported in the row convention only")
    sizes = sizes or {}
    H = sizes["H"] if "H" in sizes else arch.image[0]
    Wd = sizes["W"] if "W" in sizes else arch.image[1]
    dense_widths = list(arch.sizes[0]) if arch.sizes else []
    dims = {"H": sp.Integer(H), "W": sp.Integer(Wd), "m": sp.Integer(1)}
    channels = arch.channels
    X = MatrixSymbol("X", channels * H, Wd)
    cur, params, steps, l, flat, pending = X, {}, [], 0, False, 0
    for layer in arch.layers:
        if layer.kind == "conv":
            l += 1
            k, c_out = layer.kernel, layer.channels
            K, b = MatrixSymbol(f"K{l}", c_out * channels * k, k), MatrixSymbol(f"b{l}", c_out, 1)
            params[f"K{l}"], params[f"b{l}"] = K, b
            dims[f"k{l}"] = sp.Integer(k)
            inp = Pad(cur, (k - 1) // 2, channels) if layer.padding == "same" and k > 1 else cur
            conv = Conv2D(inp, K, channels, c_out)
            oh, ow = conv.shape
            bias = OneMatrix(oh, 1) * b * OneMatrix(1, ow) if c_out == 1 else ChannelBias(b, oh // c_out, ow)
            steps.append(Step(f"Z{l}", conv + bias))
            steps.append(Step(f"A{l}", rules.activation(layer.activation, steps[-1].symbol, 1, functions)))
            cur, channels = steps[-1].symbol, c_out
        elif layer.kind == "maxpool":
            steps.append(Step(f"P{l}", MaxPool(cur, layer.size, layer.stride or layer.size, channels)))
            cur = steps[-1].symbol
        elif layer.kind == "flatten":
            flat = True
        else:
            l += 1
            inp = Flatten(cur, channels) if flat else cur
            flat = False
            n_in = inp.shape[1]
            key = f"n{l}"
            default = layer.units or (dense_widths[pending] if pending < len(dense_widths) else 1)
            n_out = sp.Integer(sizes.get(key, default))
            pending += 1
            dims[key] = n_out
            W, b = MatrixSymbol(f"W{l}", n_in, n_out), MatrixSymbol(f"b{l}", 1, n_out)
            params[f"W{l}"], params[f"b{l}"] = W, b
            steps.append(Step(f"Z{l}", inp * W + b))
            steps.append(Step(f"A{l}", rules.activation(layer.activation, steps[-1].symbol, 1, functions)))
            cur = steps[-1].symbol
    Y = MatrixSymbol("Y", *cur.shape)
    last = [x for x in arch.layers if x.kind == "dense"][-1].activation
    return _finish(arch, l, dims, X, Y, params, steps, last, cur.shape[1], dims["m"], per_example, functions)


def _finish(arch, L, dims, X, Y, params, steps, out_act, n_out, m, per_example, functions):
    c = _scale(arch, n_out, m, per_example)
    forward_loss, loss_vjp = rules.LOSSES[arch.loss]
    A_step, Z_step = steps[-1], steps[-2]
    A, Z = A_step.symbol, Z_step.symbol
    assumptions = []
    param_scale = 1 / m if (per_example and arch.averaging == "mean") else 1
    J, penalties = forward_loss(A, Y, c), {}
    if arch.regularization is not None:   # + r sum_l ||W_l||_F^2 (biases excluded); dW gets 2 r W
        dims["lambda"] = LAMBDA
        r = arch.regularization.factor(LAMBDA, m)
        weights = [p for name, p in params.items() if name[0] in "WK"]
        J = MatAdd(J, *(r * rules.total(sp.HadamardPower(W, 2)) for W in weights))
        penalties = {W.name: 2 * r * W for W in weights}   # added after the per-example shorthand's 1/m
    steps.append(Step("J", J, kind="loss", rule=lambda G: [(A, loss_vjp(A, Y, c))]))
    pair = rules.PAIR_RULES.get((out_act, arch.loss))
    if pair is not None:
        pair_rule, assumption = pair
        A_step.kind, A_step.rule = "pair", (lambda G: [(Z, pair_rule(A, Y, c))])
        if assumption:
            assumptions.append(assumption)
    backward = reverse(steps, params, ("X",), param_scale, penalties)
    return Derivation(arch=arch, depth=L, dims=dims, inputs={"X": X, "Y": Y}, params=params,
                      forward=[(s.name, s.expr) for s in steps[:-1]], loss=steps[-1].expr,
                      backward=backward, scale=c, per_example=per_example, assumptions=assumptions,
                      functions=dict(functions or {}))
