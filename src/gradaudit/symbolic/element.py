"""Ground truth: explicit matrices of symbols at small concrete sizes, the loss as one SymPy
scalar, and sympy.diff entry by entry.

Built from the architecture alone, independently of the rule table and the engine: layers are
written out entry by entry (the convolution and pooling as document 002's index sums, eqs 35
and 37), activations as their plain formulas (relu = Max(0, z), sigmoid = 1/(1 + e^-z)).
The gradient with respect to an intermediate N (Z2, A1, P1, ...) is taken by replacing N with
fresh symbols and re-running the forward pass from N on.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from .. import primitives
from ..architectures import Architecture, get
from ..primitives import relu, sigmoid
from .closed_form import LAMBDA

CSE = True
# scalar evaluation: Piecewise (from Max) prints as a conditional expression, Heaviside as a step
_SCALAR_MODULES = [{"Heaviside": lambda x, h0=0.5: 1.0 if x > 0 else (0.0 if x < 0 else h0)}, "math"]


def _sym(name, rows, cols):
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}_{i}_{j}"))


def _plain(name):
    """The table's f(z) with the core's function classes written out (sigmoid = 1/(1 + e^-z), relu = Max(0, z)),
    so sympy.diff differentiates the formula itself, not the rules the classes carry."""
    formula = primitives.lookup(name).formula
    # |x| = sqrt(x^2): the element symbols are not declared real, and sympy.diff of Abs needs them to be
    return lambda z: (formula(z).replace(sigmoid, lambda x: 1 / (1 + sp.exp(-x))).replace(relu, lambda x: sp.Max(0, x))
                      .replace(sp.Abs, lambda x: sp.sqrt(x ** 2)))


class _ScalarActivations(dict):
    def __missing__(self, name):
        f = self[name] = _plain(name)
        return f


SCALAR_ACT = _ScalarActivations()


def _activate(name, Z, axis, functions):
    if name == "softmax":
        E = Z.applyfunc(sp.exp)
        if axis == 0:
            return sp.Matrix(Z.rows, Z.cols, lambda i, j: E[i, j] / sum(E[k, j] for k in range(Z.rows)))
        return sp.Matrix(Z.rows, Z.cols, lambda i, j: E[i, j] / sum(E[i, k] for k in range(Z.cols)))
    f = functions[name] if name in functions else SCALAR_ACT[name]
    return Z.applyfunc(f)


def _dense(layout, W, A, b):
    if layout.name == "index":   # z_j = b_j + sum_i w_{i,j} a_i, one row per example, written as its sum
        return sp.Matrix(A.rows, W.cols, lambda r, j: b[0, j] + sum(W[i, j] * A[r, i] for i in range(W.rows)))
    return layout.affine(W, A, b, sp.ones)


def _conv(X, K, b):   # eq. 35: z[i,j] = B + sum_{a,b} x[i+a, j+b] K[a,b]
    k = K.rows
    return sp.Matrix(X.rows - k + 1, X.cols - k + 1,
                     lambda i, j: b[0, 0] + sum(X[i + a, j + c] * K[a, c] for a in range(k) for c in range(k)))


def _max(cells):
    """The maximum of a window as a Piecewise that picks its first maximum.

    sympy.Max would do, but its derivative re-simplifies Max of the other cells, which for
    convolution sums takes minutes; the Piecewise differentiates branch by branch.
    """
    branches = []
    for k, a in enumerate(cells[:-1]):
        cond = sp.And(*[a > b for b in cells[:k]], *[a >= b for b in cells[k + 1:]])
        branches.append((a, cond))
    return sp.Piecewise(*branches, (cells[-1], True)) if branches else cells[0]


def _pool(A, p, s):   # eq. 37
    return sp.Matrix((A.rows - p) // s + 1, (A.cols - p) // s + 1,
                     lambda i, j: _max([A[i * s + a, j * s + c] for a in range(p) for c in range(p)]))


# Channels: a map is a list of C matrices, a kernel a C_out x C_in grid of k x k matrices (as
# written out by hand), joined into the core's stacked layout only at the step boundary.

def _split(M, c):
    h = M.rows // c
    return [M[i * h:(i + 1) * h, :] for i in range(c)]


def _join(maps):
    return sp.Matrix.vstack(*maps)


def _conv_channels(X, K, b, c_in, c_out, pad):
    """z[o, i, j] = b[o] + sum_{c,a,b} x[c, i+a, j+b] K[o, c, a, b], x zero-padded by `pad`."""
    x = [_padded(m, pad) for m in _split(X, c_in)]
    k = _split(K, c_out * c_in)
    return _join([_conv(x[0], k[o * c_in], b[o:o + 1, :]) + sum(
        (_conv(x[c], k[o * c_in + c], sp.zeros(1, 1)) for c in range(1, c_in)),
        sp.zeros(x[0].rows - k[0].rows + 1, x[0].cols - k[0].cols + 1)) for o in range(c_out)])


def _padded(M, p):
    if not p:
        return M
    out = sp.zeros(M.rows + 2 * p, M.cols + 2 * p)
    out[p:p + M.rows, p:p + M.cols] = M
    return out


def _loss(kind, A, Y, c, penalty=0):
    if kind == "bce":
        data = -c * sum(Y[k] * sp.log(A[k]) + (1 - Y[k]) * sp.log(1 - A[k]) for k in range(len(A)))
    elif kind == "cce":
        data = -c * sum(Y[k] * sp.log(A[k]) for k in range(len(A)))
    else:
        data = c * sum((A[k] - Y[k]) ** 2 for k in range(len(A)))
    return data + penalty


def _penalty(a, base, m):
    """The L2 penalty r sum ||W||^2 over the weights (and kernels), with lambda a symbol."""
    if a.regularization is None:
        return 0
    r = a.regularization.factor(LAMBDA, m)
    return r * sum(v ** 2 for name, M in base.items() if name[0] in "WK" for v in M)


@dataclass
class GroundTruth:
    base: dict                    # name -> Matrix of symbols (X, Y, parameters)
    grads: dict                   # 'dN' -> Matrix of derivatives (in base symbols and fresh symbols)
    fresh: dict = field(default_factory=dict)   # intermediate name -> its fresh symbol Matrix
    steps: list = field(default_factory=list)   # [(name, env -> Matrix, shape)]: the forward pass

    def evaluate(self, values: dict) -> dict:
        """Numeric gradients at the given arrays (X, Y, parameters; 'lambda' for an L2 penalty's strength)."""
        point = {s: float(v) for name, M in self.base.items() for s, v in zip(M, np.ravel(values[name]), strict=False)}
        point[LAMBDA] = float(values.get("lambda", 0.0))
        env = {name: sp.Matrix(np.asarray(values[name], dtype=float).reshape(M.shape)) for name, M in self.base.items()}
        for name, fn, _ in self.steps:   # the forward pass on numbers gives the fresh symbols' values
            env[name] = fn(env)
            if name in self.fresh:
                point.update({s: float(v) for s, v in zip(self.fresh[name], env[name], strict=False)})
        syms = list(point)
        names = list(self.grads)
        fn = sp.lambdify(syms, [self.grads[n].tolist() for n in names], modules=_SCALAR_MODULES, cse=CSE)
        out = fn(*[point[s] for s in syms])
        return {n: np.array(v, dtype=float).reshape(self.grads[n].shape) for n, v in zip(names, out, strict=False)}


def ground_truth(arch: str | Architecture, depth: int | None = None, sizes: dict | None = None,
                 functions: dict | None = None, per_example: bool = False, names=None) -> GroundTruth:
    """Element-level gradients of every parameter, input and intermediate (sizes must be concrete).

    names: only these gradients ('dZ2', 'dK2', ...), for networks too deep to differentiate whole.
    """
    a = get(arch) if isinstance(arch, str) else arch
    if a.convention == "scalar":
        return _scalar(a, sizes or {}, functions or {})
    functions = functions or {}
    steps, base, out_width = _steps(a, depth, sizes or {}, functions)
    m = (sizes or {}).get("m", 1)
    s = a.scale
    c = sp.Rational(1, out_width) if s == "1/N" else sp.Rational(s.numerator, s.denominator)
    if a.averaging == "mean" and not per_example:
        c = c / m
    base["Y"] = _sym("Y", *steps[-1][2])
    wanted = lambda n: names is None or n in names  # noqa: E731
    index = {name: k for k, (name, _, _) in enumerate(steps)}
    params = [n for n in base if n not in ("X", "Y")] + ["X"]
    # A parameter of step k is differentiated in the loss as a function of step k-1's output (fresh
    # symbols evaluated at the forward value): the same dJ/dp, at a fraction of the cost for deep layers.
    source = {p: (index["Z" + p[1:]] - 1 if p != "X" else -1) for p in params}
    cuts = sorted({index[n[1:]] for n in (names or ["d" + s[0] for s in steps]) if n[1:] in index}
                  | {source[p] for p in params if wanted("d" + p)})
    grads, fresh = {}, {}
    for k in cuts:
        env = dict(base)
        if k >= 0:
            name, _, shape = steps[k]
            env[name] = fresh[name] = _sym("f" + name, *shape)
        for later, fn, _ in steps[k + 1:]:
            env[later] = fn(env)
        J = _loss(a.loss, env[steps[-1][0]], base["Y"], c, _penalty(a, base, m))
        if k >= 0 and wanted("d" + steps[k][0]):
            grads["d" + steps[k][0]] = fresh[steps[k][0]].applyfunc(lambda v, J=J: sp.diff(J, v))
        for p in params:
            if source[p] == k and wanted("d" + p):
                factor = sp.Rational(1, m) if per_example and a.averaging == "mean" and p != "X" else 1
                grads["d" + p] = base[p].applyfunc(lambda v, J=J, f=factor: f * sp.diff(J, v))
    return GroundTruth(base=base, grads=grads, fresh=fresh, steps=steps)


def _steps(a, depth, sizes, functions):
    """[(name, env -> Matrix, shape)] and the base symbol matrices, from the architecture."""
    layout = a.layout
    axis = layout.unit_axis
    m = sizes.get("m", 1)
    steps, base = [], {}
    if a.is_cnn:
        H, W = sizes.get("H", a.image[0]), sizes.get("W", a.image[1])
        ch = a.channels
        base["X"] = _sym("X", ch * H, W)
        shape, prev, l, flat, widths = (H, W), "X", 0, False, list(a.sizes[0]) if a.sizes else []
        for layer in a.layers:
            if layer.kind == "conv":
                l += 1
                k, co = layer.kernel, layer.channels
                pad = (k - 1) // 2 if layer.padding == "same" else 0
                base[f"K{l}"], base[f"b{l}"] = _sym(f"K{l}", co * ch * k, k), _sym(f"b{l}", co, 1)
                shape = (shape[0] + 2 * pad - k + 1, shape[1] + 2 * pad - k + 1)
                steps.append((f"Z{l}", lambda env, p=prev, l=l, ci=ch, co=co, pad=pad:
                              _conv_channels(env[p], env[f"K{l}"], env[f"b{l}"], ci, co, pad), (co * shape[0], shape[1])))
                steps.append((f"A{l}", lambda env, l=l, act=layer.activation: _activate(act, env[f"Z{l}"], 1, functions),
                              (co * shape[0], shape[1])))
                prev, ch = f"A{l}", co
            elif layer.kind == "maxpool":
                p, s = layer.size, layer.stride or layer.size
                shape = ((shape[0] - p) // s + 1, (shape[1] - p) // s + 1)
                steps.append((f"P{l}", lambda env, src=prev, p=p, s=s, c=ch:
                              _join([_pool(m, p, s) for m in _split(env[src], c)]), (ch * shape[0], shape[1])))
                prev = f"P{l}"
            elif layer.kind == "flatten":
                flat = True
            else:
                l += 1
                n_in = ch * shape[0] * shape[1] if flat else shape[1]
                n_out = sizes.get(f"n{l}", layer.units or (widths.pop(0) if widths else 1))
                base[f"W{l}"], base[f"b{l}"] = _sym(f"W{l}", n_in, n_out), _sym(f"b{l}", 1, n_out)
                steps.append((f"Z{l}", lambda env, src=prev, l=l, fl=flat:
                              (env[src].reshape(1, len(env[src])) if fl else env[src]) * env[f"W{l}"] + env[f"b{l}"], (1, n_out)))
                flat = False
                steps.append((f"A{l}", lambda env, l=l, act=layer.activation: _activate(act, env[f"Z{l}"], 1, functions), (1, n_out)))
                shape, prev = (1, n_out), f"A{l}"
        return steps, base, shape[1]
    layers = a.layers_at(depth)
    n = [sizes[f"n{l}"] for l in range(len(layers) + 1)]
    base["X"] = _sym("X", *layout.batch_shape(n[0], m))
    prev = "X"
    for l, layer in enumerate(layers, start=1):
        base[f"W{l}"] = _sym(f"W{l}", *layout.weight_shape(n[l], n[l - 1]))
        base[f"b{l}"] = _sym(f"b{l}", *layout.bias_shape(n[l]))
        shape = layout.batch_shape(n[l], m)
        steps.append((f"Z{l}", lambda env, p=prev, l=l: _dense(layout, env[f"W{l}"], env[p], env[f"b{l}"]), shape))
        steps.append((f"A{l}", lambda env, l=l, act=layer.activation: _activate(act, env[f"Z{l}"], axis, functions), shape))
        prev = f"A{l}"
    return steps, base, n[-1]


def _scalar(a, sizes, functions):
    if a.graph:   # chain toy: J = j(A B + C) with a concrete j
        A, B, C = sp.symbols("A B C")
        j = functions.get("j", sp.sin)
        fG, fW = sp.symbols("fG fW")
        J = j(A * B + C)
        grads = {"dA": sp.Matrix([[sp.diff(J, A)]]), "dB": sp.Matrix([[sp.diff(J, B)]]),
                 "dG": sp.Matrix([[sp.diff(j(fG + C), fG).subs(fG, A * B)]]),
                 "dW": sp.Matrix([[sp.diff(j(fW), fW).subs(fW, A * B + C)]])}
        base = {"A": sp.Matrix([[A]]), "B": sp.Matrix([[B]]), "C": sp.Matrix([[C]])}
        return GroundTruth(base=base, grads=grads)
    n = sizes.get("n", 4)
    z, y = _sym("z", n, 1), _sym("y", n, 1)
    grads = {f"d_{k}": z.applyfunc(lambda v, f=SCALAR_ACT[k]: sp.diff(f(v), v)) for k in ("sigmoid", "tanh", "relu")}
    s = _activate("softmax", z, 0, {})
    grads["jac_softmax"] = sp.Matrix(n, n, lambda i, j: sp.diff(s[i], z[j]))
    J = _loss("cce", s, y, 1)
    grads["dz_softmax_ce"] = z.applyfunc(lambda v, J=J: sp.diff(J, v))
    return GroundTruth(base={"z": z, "y": y}, grads=grads)
