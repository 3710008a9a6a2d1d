"""Exact verdicts: a claim float64 accepts is evaluated once more in 60-digit arithmetic.

float64 compares to a relative 1e-9, so a factor 1 + 1e-10 or an added 1e-12 W passes it. Every
claim float64 calls `correct` or `notation`, and every correction before it is shown, is therefore
evaluated again by the same evaluator in the same numeric model, at the same random points, with
every number an mpmath complex of DIGITS significant digits: the model's random inputs are the
float64 model's, converted exactly; the activations are the primitive table's formulas lambdified
for mpmath; the numbers a formula writes (1.0000000001, 10^{-12}, 1/3) are its exact decimals.
NumPy object arrays of these numbers run through the evaluator's code unchanged: NumPy calls an
element's exp/log/tanh for np.exp/np.log/np.tanh. The complex step (1e-30 i) keeps working, since
its truncation error h^2 f''' / 6 ~ 1e-60 is far below the tolerance.

The element type is the mpc class of a private mpmath context (60 digits, leaving mpmath's global
precision alone), given an order by real part: the evaluator decides branches (ReLU, max-pooling,
\\max) on real parts, as it does for complex steps in float64.

The confirmation runs at one size choice (the cheapest), every depth, layer and activation of it,
since a 60-digit evaluation costs ~1000 times a float64 one. TOLERANCE leaves 20 digits of margin
for rounding and for the complex step.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp

from .. import primitives
from .evaluate import evaluate, infer_ranges
from .values import Jac, Lab
from .model import NumericModel
from .scalar_model import ScalarModel

DIGITS = 60
TOLERANCE = 1e-40          # relative: differences of float64 round-off (1e-16) are differences here

CTX = mpmath.MPContext()
CTX.dps = DIGITS


# ---- the numbers ----------------------------------------------------------------------------------------

def _real(x):
    return x.real if hasattr(x, "real") else x


def _ordered(cls):
    """Order complex numbers by real part: branch conditions (z > 0, argmax of a window) read the real part,
    as they do for float64's complex steps."""
    cls.__lt__ = lambda s, t: s.real < _real(t)
    cls.__le__ = lambda s, t: s.real <= _real(t)
    cls.__gt__ = lambda s, t: s.real > _real(t)
    cls.__ge__ = lambda s, t: s.real >= _real(t)
    cls.__float__ = lambda s: float(s.real)
    cls.__int__ = lambda s: int(s.real)


def _method(fn):
    return lambda s: fn(s)


def _methods(cls):
    """The methods NumPy's object loops call for np.exp(a), np.log(a), ..."""
    for name in ("exp", "log", "tanh", "sqrt", "sin", "cos", "sinh", "cosh", "expm1", "log1p"):
        setattr(cls, name, _method(getattr(CTX, name)))
    cls.arctan = lambda s: CTX.atan(s)
    cls.conjugate = lambda s: CTX.conj(s)


def _real_against_complex(cls):
    """mpf's own comparisons, with a complex operand read by its real part."""
    for name in ("__lt__", "__le__", "__gt__", "__ge__"):
        setattr(cls, name, _on_real(getattr(cls, name)))


def _on_real(compare):
    return lambda s, t: compare(s, t.real if isinstance(t, CTX.mpc) else t)


_ordered(CTX.mpc)
_real_against_complex(CTX.mpf)
_methods(CTX.mpc)
_methods(CTX.mpf)


def number(value):
    """One exact number: a Fraction, int or float (a float is a binary fraction, converted exactly).

    Real numbers are mpf, complex ones mpc: only what a complex step reaches pays for complex arithmetic."""
    if isinstance(value, (CTX.mpc, CTX.mpf)):
        return value
    if isinstance(value, Fraction):
        return CTX.mpf(value.numerator) / value.denominator
    if isinstance(value, (complex, np.complexfloating)):
        return CTX.mpc(complex(value).real, complex(value).imag)
    return CTX.mpf(float(value)) if not isinstance(value, (int, np.integer)) else CTX.mpf(int(value))


_lift = np.frompyfunc(number, 1, 1)


def lift(array):
    """A float64 (or complex) array as an object array of exact numbers of the same values."""
    return np.asarray(_lift(np.asarray(array)), dtype=object)


# ---- the activations: the primitive table lambdified for mpmath ---------------------------------------------

def _stable_sigmoid(x):
    if _real(x) >= 0:
        return 1 / (1 + CTX.exp(-x))
    e = CTX.exp(x)
    return e / (1 + e)


_MP_NAMESPACE = {name: getattr(CTX, name) for name in dir(mpmath) if not name.startswith("_") and hasattr(CTX, name)}
_MP_NAMESPACE.update({"sigmoid": _stable_sigmoid,
                      "relu": lambda x: x if _real(x) > 0 else 0 * x,
                      "Abs": lambda x: x if _real(x) >= 0 else -x,   # complex-step safe, as in float64
                      "re": _real})


def _elementwise(fn):
    apply = np.frompyfunc(fn, 1, 1)

    def value(z):
        z = np.asarray(z, dtype=object)
        return np.asarray(apply(z), dtype=object) if z.ndim else np.asarray(fn(z.reshape(())[()]), dtype=object)
    return value


def _numeric(name: str) -> tuple:
    """(f, f') of a table entry for object arrays of 60-digit numbers."""
    entry = primitives.lookup(name)
    w = sp.Symbol("w")
    pair = []
    for expr in (entry.formula(w), entry.derivative(w)):
        fn = sp.lambdify(w, primitives._real_conditions(expr), modules=[_MP_NAMESPACE, "mpmath"])
        pair.append(_elementwise(lambda z, fn=fn: number(fn(z))))
    return tuple(pair)


class _Table(dict):
    def __missing__(self, name):
        pair = self[name] = _numeric(name)
        return pair


TABLE = _Table()


# ---- the models -----------------------------------------------------------------------------------------------

class _Exact:
    """The float64 model's random inputs, exactly; everything computed from them recomputed in 60 digits."""
    table = TABLE

    def constant(self, value):
        return np.asarray(number(value), dtype=object)


class ExactModel(_Exact, NumericModel):
    pass


class ExactScalarModel(_Exact, ScalarModel):
    pass


def twin(model):
    """The 60-digit twin of a float64 model, at the same random point (built once, kept on the model)."""
    found = model.__dict__.get("_exact_twin")
    if found is None:
        found = object.__new__(ExactScalarModel if isinstance(model, ScalarModel) else ExactModel)
        found.__dict__.update({k: v for k, v in model.__dict__.items() if k != "_exact_twin"})
        computed = set(model.forward({}))
        found.values = {k: lift(v) for k, v in model.values.items() if k not in computed}
        axis = _distribution_axis(model)
        if axis is not False:   # targets that are a distribution sum to 1 exactly, not to 1 +- 1e-16
            y = found.values["Y"]
            found.values["Y"] = y / np.sum(y, axis=axis, keepdims=axis is not None)
        if isinstance(model, NumericModel):
            found.order, found._jac_cache = [], {}
        found.values.update(found.forward({}))
        model.__dict__["_exact_twin"] = found
    return found


def _distribution_axis(model):
    """The axis the targets Y sum to 1 over (None: all of Y), or False when they are no distribution."""
    if isinstance(model, ScalarModel):
        return None if model.activation == "softmax" and not model.arch.graph else False
    if model.arch.loss != "cce":
        return False
    return 1 if model.arch.is_cnn else model.class_axis


def _cost(model) -> int:
    """Roughly the work of one forward pass: entries of every value."""
    return sum(int(np.size(v)) for v in model.values.values())


def exact_contexts(contexts: list) -> list:
    """The contexts of the cheapest size choice, every depth and layer of it, with the first concrete activation
    substituted for a generic g, in 60 digits. (float64 has checked both g and every size choice: a slip below its
    tolerance is a change of the formula's value, seen wherever it does not vanish.)"""
    if not contexts:
        return []
    first_g = getattr(contexts[0].model, "g", None)
    by_seed = {}
    for ctx in contexts:
        if getattr(ctx.model, "g", None) == first_g:
            by_seed.setdefault(getattr(ctx.model, "seed", 0), []).append(ctx)
    chosen = min(by_seed.values(), key=lambda group: (sum(_cost(c.model) for c in group), len(group)))
    return [replace(ctx, model=twin(ctx.model), overrides={}, index_ranges={}, informal_ops={}, summing=set())
            for ctx in chosen]


# ---- comparing ----------------------------------------------------------------------------------------------

def _magnitude(x) -> float:
    try:
        return float(abs(x))
    except (TypeError, ValueError):
        return float("nan")


_abs = np.frompyfunc(_magnitude, 1, 1)


def close(a, b) -> bool:
    """Equal to TOLERANCE relative (of the larger side's largest entry, at least 1): as compare.close, 40 digits on."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    if a.size == 0:
        return True
    diff = np.asarray(_abs(np.asarray(a, dtype=object) - np.asarray(b, dtype=object)), dtype=float)
    sizes = np.asarray(_abs(np.asarray(a, dtype=object)), dtype=float)
    if not (np.all(np.isfinite(diff)) and np.all(np.isfinite(sizes))):
        return False
    scale = max(1.0, float(np.max(sizes)))
    return bool(np.all(diff <= TOLERANCE * sizes + TOLERANCE * scale * 1e-3))


def relative_gap(a, b) -> float:
    """The largest difference of two evaluated sides relative to the larger side's size (for a detail)."""
    try:
        a, b = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
        diff = np.asarray(_abs(a - b), dtype=float)
        scale = max(float(np.max(np.asarray(_abs(a), dtype=float))), 1e-300)
        return float(np.max(diff)) / scale
    except Exception:  # noqa: BLE001 - only for the wording of a detail
        return float("nan")


@dataclass
class Confirmation:
    holds: bool
    detail: str = ""
    evaluated: bool = True   # False: the 60-digit evaluation failed, which says nothing about the claim


def confirm(judge, left, right, contexts, deadline, accept) -> Confirmation:
    """Does left = right hold in 60 digits where float64 said it does? `accept`: the matches that count."""
    start = time.monotonic()
    try:
        exact = exact_contexts(contexts)
        outcome = judge(left, right, exact, deadline)
        if outcome.match is None:
            # not evaluable in 60 digits where float64 evaluated it (a division by an exact zero): not confirmed
            return Confirmation(False, "it could not be confirmed in 60-digit arithmetic" +
                                (f" ({outcome.reason})" if outcome.reason else ""), evaluated=False)
        if outcome.match in accept:
            return Confirmation(True)
        gap = next((g for g in (_gap(left, right, ctx) for ctx in exact) if g is not None and g > 0), None)
        said = f"by a relative {gap:.1e} " if gap is not None else ""
        return Confirmation(False, f"it differs from the truth {said}in 60-digit arithmetic, below float64's "
                                   f"tolerance of 1e-9")
    finally:
        _spent[0] += time.monotonic() - start


def _gap(left, right, ctx):
    """How far apart the two sides are in one context (None when they cannot be set side by side)."""
    try:
        ctx.index_ranges = {}
        infer_ranges((left, right), ctx)
        a, b = (_array(evaluate(side, ctx)) for side in (left, right))
    except Exception:  # noqa: BLE001 - only for the wording of a detail
        return None
    if a is None or b is None or np.size(a) != np.size(b):
        return None
    return relative_gap(np.reshape(a, -1), np.reshape(b, -1))


def _array(value):
    if isinstance(value, Jac):
        value = value.as_array() if value.as_array() is not None else value.data
    if isinstance(value, Lab):
        return None
    return np.asarray(value) if isinstance(value, np.ndarray) else None


_spent = [0.0]


def seconds_spent() -> float:
    """Time spent confirming in this process (bench)."""
    return _spent[0]
