"""write_module: a compiled network as one standalone, readable Python file that imports only NumPy.

The file holds the very functions `net.grads` runs (the lambdify source of each program), each
step commented with its derived formula in LaTeX, the stable kernels they call (copied from
kernels.py), and init / loss / grads / predict wrappers that lay the data out and check shapes,
so `import generated; generated.grads(params, X, Y)` equals `net.grads(params, X, Y)`.
"""
from __future__ import annotations

import inspect
import re

import numpy as np

from sympy.printing.latex import LatexPrinter

from . import kernels
from .network import Network


class _Latex(LatexPrinter):
    """SymPy's LaTeX with f.(Z) written f(Z), as the documents write an elementwise activation."""

    def __init__(self):
        super().__init__()
        self._bound = {}

    def _print_Dummy(self, expr):
        return self._bound.get(expr) or super()._print_Dummy(expr)

    def _print_ElementwiseApplyFunction(self, expr):
        lam = expr.function
        self._bound[lam.variables[0]] = self._print(expr.expr)
        try:
            return self._print(lam.expr)
        finally:
            self._bound.pop(lam.variables[0])

    def _print_OneMatrix(self, expr):
        return r"\mathbf{1}"


def latex(expr) -> str:
    return _Latex().doprint(expr)


def _kernel_sources(code: str) -> str:
    """The kernels the code calls, and the helpers those call, in kernels.py order."""
    every = {n: f for n, f in inspect.getmembers(kernels, inspect.isfunction) if f.__module__ == kernels.__name__}
    wanted = {n for n in every if re.search(rf"(?<![\w.]){n}\(", code)}
    todo = list(wanted)
    while todo:
        source = inspect.getsource(every[todo.pop()])
        for other in every:
            if other not in wanted and re.search(rf"(?<![\w.]){other}\(", source):
                wanted.add(other)
                todo.append(other)
    order = sorted(wanted, key=lambda n: inspect.getsourcelines(every[n])[1])
    return "\n\n".join(inspect.getsource(every[n]) for n in order)


def _commented(program, derivation, returns) -> str:
    """The program's source with each step, and what it returns, preceded by its derived formula."""
    formulas = {n: e for n, e in derivation.forward + derivation.backward}
    lines = []
    for line in program.source.splitlines():
        m = re.match(r"(\s+)(\w+) = ", line)
        if m and m.group(2) in formulas:
            lines.append(f"{m.group(1)}# {m.group(2)} = {latex(formulas[m.group(2)])}")
        if line.strip().startswith("return "):
            lines.extend(f"    # returns {name} = {formula}" for name, formula in returns)
        lines.append(line)
    return "\n".join(lines)


WRAPPERS = '''
def _real(name, value):
    raw = numpy.asarray(value)
    if raw.dtype.kind == "c":
        raise ValueError(f"{name} is complex; the network takes real numbers")
    if raw.dtype.kind not in "biuf":
        raise ValueError(f"{name} is not numeric (dtype {raw.dtype}); pass an array of numbers")
    return raw.astype(float if DTYPE is None else DTYPE, copy=False)


def _check(params, X, Y=None):
    if set(params) != set(PARAM_SHAPES):
        raise ValueError(f"params must have exactly the keys {list(PARAM_SHAPES)}, got {list(params)}")
    for name, shape in PARAM_SHAPES.items():
        if numpy.shape(params[name]) != shape:
            raise ValueError(f"parameter {name} has shape {numpy.shape(params[name])}, expected {shape}")
    X = _real("X", X)
    if X.shape[FEATURE_AXES[0]:][:len(FEATURE_SHAPE)] != FEATURE_SHAPE or X.ndim != len(FEATURE_SHAPE) + 1:
        raise ValueError(f"X has shape {X.shape}; expected {LAYOUT}")
    if not numpy.all(numpy.isfinite(X)):
        raise ValueError("X contains NaN or infinity")
    m = X.shape[EXAMPLE_AXIS]
    if Y is not None:
        Y = _real("Y", Y)
        expected = (OUTPUTS, m) if EXAMPLE_AXIS == 1 else (m, OUTPUTS)
        if Y.shape != expected:
            raise ValueError(f"Y has shape {Y.shape}, expected {expected}")
    return [numpy.asarray(params[k]) for k in PARAM_SHAPES], X, Y, m


def _internal(A):
    """Per-example formulas run on a stack of examples along a leading axis."""
    if A is None or not BATCHED:
        return A
    if IMAGE:
        return A[:, None] if A.ndim == 3 else A if A.ndim == 4 else A[:, None, :]
    return A.T[:, :, None] if EXAMPLE_AXIS == 1 else A[:, None, :]


def _dims(m):
    return [m if name == "m" else DIMS[name] for name in DIM_ARGS]


def init(seed=0):
    """He-normal weights for ReLU layers, 1/sqrt(fan-in) otherwise; zero biases."""
    rng = numpy.random.default_rng(seed)
    params = {}
    for name, shape in PARAM_SHAPES.items():
        if name.startswith("b"):
            params[name] = numpy.zeros(shape)
        else:
            params[name] = rng.standard_normal(shape) * numpy.sqrt(GAINS[name] / FAN_IN[name])
    return params


def loss(params, X, Y):
    if Y is None:
        raise ValueError("loss needs the labels Y")
    values, X, Y, m = _check(params, X, Y)
    with numpy.errstate(over="ignore", under="ignore"):
        return float(numpy.sum(_loss(_internal(X), _internal(Y), *values, *_dims(m))))


def grads(params, X, Y):
    if Y is None:
        raise ValueError("grads needs the labels Y")
    values, X, Y, m = _check(params, X, Y)
    with numpy.errstate(over="ignore", under="ignore"):
        out = _grads(_internal(X), _internal(Y), *values, *_dims(m))
    out = out if isinstance(out, (list, tuple)) else [out]
    return {k: numpy.asarray(g).reshape(PARAM_SHAPES[k]) for k, g in zip(PARAM_SHAPES, out)}


def predict(params, X):
    """The output activations, laid out like Y."""
    values, X, _, m = _check(params, X)
    with numpy.errstate(over="ignore", under="ignore"):
        out = numpy.asarray(_predict(_internal(X), *values, *_dims(m)))
    if not BATCHED:
        return out
    return out[:, :, 0].T if EXAMPLE_AXIS == 1 else out[:, 0, :]
'''


def write_module(net: Network) -> str:
    d = net.derivation
    column = net.convention == "column" and not net.arch.is_cnn
    if net.arch.is_cnn:
        feature_shape, layout, axes = net._x_tail, net._x_layout, 1
    else:
        n0 = int(net.dims["n0"])
        feature_shape = (n0,)
        layout, axes = (f"({n0}, examples)", 0) if column else (f"(examples, {n0})", 1)
    init_params = net.init(0)
    fan_in, gains = {}, {}
    for name, shape in net.param_shapes.items():
        if not name.startswith("b"):
            fan_in[name] = int(np.prod(shape[1:])) if len(shape) == 4 else shape[-1] * shape[-2] if name.startswith("K") else (shape[1] if net.arch.convention == "column" else shape[0])
            gains[name] = 2.0 if net._activation_of(name) == "relu" else 1.0
    del init_params
    out_name = d.forward[-1][0]
    returns = {"predict": [(out_name, latex(d.forward[-1][1]))],
               "loss": [("J", latex(d.loss) + "  (computed from the logits)")],
               "grads": [(f"d{p}", latex(d.expr(f"d{p}"))) for p in d.params]}
    programs = "\n\n".join(_commented(net.programs[k], d, returns[k]).replace(f"def {k}(", f"def _{k}(", 1)
                           for k in ("predict", "loss", "grads"))
    dims = {str(s): int(net.dims[str(s)]) for s in net.dim_symbols if str(s) != "m"}
    kernels = _kernel_sources(programs)
    # the convolution kernels keep per-thread buffers (the standard library's sys and threading)
    stdlib = "import sys\nimport threading\n\n" if "_scratch(" in kernels else ""
    header = f'''"""{net.arch.id}: {net.arch.title}.

Generated by gradaudit from the derived closed forms (source: {net.arch.source}, {net.arch.place}).
Needs only NumPy. Each step of _predict, _loss and _grads is preceded by the formula it computes.
{net.describe()}

Layout: X is {layout}; Y is {"outputs x examples" if column else "examples x outputs"}.
The loss is computed from the logits (log-sigmoid / log-softmax), so saturated outputs stay finite.
API: params = init(seed); loss(params, X, Y) -> float; grads(params, X, Y) -> dict; predict(params, X).
"""
{stdlib}import numpy
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

CONVENTION = {net.convention!r}
PARAM_SHAPES = {dict(net.param_shapes)!r}
FAN_IN = {fan_in!r}
GAINS = {gains!r}
DIMS = {dims!r}
DIM_ARGS = {[str(s) for s in net.dim_symbols]!r}
OUTPUTS = {net.outputs}
BATCHED = {net.batched!r}
IMAGE = {tuple(net.image)!r}
FEATURE_SHAPE = {tuple(feature_shape)!r}
FEATURE_AXES = ({axes},)
EXAMPLE_AXIS = {1 if column else 0}
LAYOUT = {layout!r}
DTYPE = None
'''
    body = "\n\n# --- stable kernels (from gradaudit.codegen.kernels) ---\n\n" + kernels
    body += "\n\n# --- the derived formulas, as generated ---\n\n" + programs + "\n" + WRAPPERS
    return header + body
