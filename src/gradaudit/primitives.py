"""The primitive table: every activation and loss defined once.

An activation entry gives its scalar SymPy formula f(z) written in a numerically stable form,
its derivative f'(z), optionally the output form documents write (sigmoid: A (1 - A)), the
names notes write it by in LaTeX, and the SymPy Function class the core builds where one
exists (printing and codegen key on it). Everything else is derived from the entry:

- the core's forward node and its VJP (rules.py): G ⊙ f'(Z), or G ⊙ (output form);
- the element-level ground truth (element.py): sympy.diff of `formula`, independent of `derivative`;
- the auditor's complex-step model (audit/model.py): `formula` and `derivative` lambdified
  for NumPy, branch conditions on the real part so a complex step never changes a branch;
- generated code: the printer prints `formula`'s nodes (Piecewise -> numpy.select, relu ->
  the relu kernel), so no new kernel is needed unless a formula has a node the printer lacks.

Parameterised activations are written with their parameter: `leaky_relu(0.01)`, `elu(1)`.
`lookup("leaky_relu(0.2)")` returns the entry with the parameter bound; a bare `leaky_relu`
takes the default. The generic `g` has no formula: the auditor substitutes concrete ones.
A test walks the table and proves every entry complete (tests/test_primitives.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from collections.abc import Callable

import numpy as np
import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from .errors import GradauditError


# ---- the SymPy function classes the core applies (printing and codegen key on them) ----------------------

class sigmoid(sp.Function):  # noqa: N801 - the name documents write
    """sigma(x) = 1 / (1 + e^-x); its derivative is sigma (1 - sigma), the identity documents use."""

    def fdiff(self, argindex=1):
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return 1 / (1 + sp.exp(-x))

    @classmethod
    def eval(cls, x):
        if x.is_zero:
            return sp.S.Half


class step(sp.Function):  # noqa: N801
    """The ReLU derivative: 1 if x > 0 else 0 (0 at x = 0, as the documents' cases write it)."""

    def fdiff(self, argindex=1):
        return sp.S.Zero

    @classmethod
    def eval(cls, x):
        if x.is_positive:
            return sp.S.One
        if x.is_nonpositive:
            return sp.S.Zero


class relu(sp.Function):  # noqa: N801
    """max(0, x), with derivative step(x)."""

    def fdiff(self, argindex=1):
        return step(self.args[0])

    @classmethod
    def eval(cls, x):
        if x.is_nonnegative:
            return x
        if x.is_nonpositive:
            return sp.S.Zero




@dataclass(frozen=True)
class Activation:
    name: str                                   # canonical spec name, with its parameter: 'leaky_relu(0.01)'
    formula: Callable | None                    # z -> f(z), a SymPy expression (None: generic, or softmax)
    derivative: Callable | None                 # z -> f'(z)
    latex: tuple = ()                           # how notes write it: \sigma, \tanh, \operatorname{ReLU}, ...
    function: object = None                     # the SymPy Function class the core applies (printing, codegen)
    output_derivative: Callable | None = None   # (A, Z) -> f'(Z) written with the layer's output, as documents do
    elementwise: bool = True
    parameter: str | None = None                # the parameter's name, for parameterised activations
    default: Fraction | None = None             # its default value
    value: Fraction | None = None               # the bound value

    @property
    def lambda_(self) -> sp.Lambda:
        """Lambda(d, f(d)): what the core applies elementwise when the entry has no Function class."""
        return _lambda(self.name, "f")

    @property
    def derivative_lambda(self) -> sp.Lambda:
        return _lambda(self.name, "df")


def _one_minus(X):
    return sp.OneMatrix(*X.shape) - X


def _leaky(alpha):
    return (lambda z: sp.Piecewise((z, z > 0), (alpha * z, True)),
            lambda z: sp.Piecewise((1, z > 0), (alpha, True)))


def _elu(alpha):
    # exp only ever sees min(z, 0) = -relu(-z): no overflow on the branch numpy.select discards
    return (lambda z: sp.Piecewise((z, z > 0), (alpha * (sp.exp(-relu(-z)) - 1), True)),
            lambda z: sp.Piecewise((1, z > 0), (alpha * sp.exp(-relu(-z)), True)))


# name -> (constructor from the bound parameter, or a fixed entry)
_FIXED = {
    "sigmoid": Activation(
        "sigmoid", lambda z: sigmoid(z), lambda z: sigmoid(z) * (1 - sigmoid(z)),
        latex=(r"\sigma", "sigmoid", "sig"), function=sigmoid,
        output_derivative=lambda A, Z: sp.HadamardProduct(A, _one_minus(A))),
    "tanh": Activation(
        "tanh", sp.tanh, lambda z: 1 - sp.tanh(z) ** 2, latex=(r"\tanh", "tanh"), function=sp.tanh,
        output_derivative=lambda A, Z: _one_minus(sp.HadamardPower(A, 2))),
    "relu": Activation(
        "relu", lambda z: relu(z), lambda z: sp.Piecewise((1, z > 0), (0, True)),
        latex=("relu", "ReLU", r"\operatorname{ReLU}"), function=relu,
        output_derivative=lambda A, Z: ElementwiseApplyFunction(step, Z)),
    "softplus": Activation(
        "softplus", lambda z: relu(z) + sp.log(1 + sp.exp(-sp.Abs(z))), lambda z: sigmoid(z),
        latex=("softplus", r"\operatorname{softplus}")),
    "identity": Activation(
        "identity", lambda z: z, lambda z: sp.S.One, latex=("identity", "linear"),
        output_derivative=lambda A, Z: sp.OneMatrix(*Z.shape)),
    "softmax": Activation("softmax", None, None, latex=(r"\operatorname{softmax}", "softmax"), elementwise=False),
    "g": Activation("g", None, None, latex=("g",)),
}
_PARAMETERISED = {
    "leaky_relu": ("alpha", Fraction(1, 100), _leaky, ("leaky ReLU", r"\operatorname{LeakyReLU}", "lrelu")),
    "elu": ("alpha", Fraction(1), _elu, ("ELU", r"\operatorname{ELU}", "elu")),
}
NAMES = tuple(_FIXED) + tuple(_PARAMETERISED)
_CALL = re.compile(r"^([a-z_]+)\s*(?:\(\s*([-+0-9.eE/]+)\s*\))?$")


def _number(text: str) -> Fraction:
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise GradauditError(f"not a number: {text!r}") from None


def canonical(name: str) -> str:
    """The spec name with its parameter written out ('leaky_relu' -> 'leaky_relu(1/100)'); GradauditError if unknown."""
    m = _CALL.match(str(name).strip())
    if not m or m.group(1) not in NAMES:
        raise GradauditError(f"unknown activation {str(name)[:40]!r} (known: {', '.join(NAMES)}; "
                             f"leaky_relu and elu take a parameter, e.g. leaky_relu(0.01))")
    base, arg = m.groups()
    if base in _FIXED:
        if arg is not None:
            raise GradauditError(f"activation {base} takes no parameter")
        return base
    value = _number(arg) if arg is not None else _PARAMETERISED[base][1]
    return f"{base}({value})"


@cache
def lookup(name: str) -> Activation:
    """The table entry for a (possibly parameterised) activation name."""
    name = canonical(name)
    if name in _FIXED:
        return _FIXED[name]
    base, arg = _CALL.match(name).groups()
    parameter, default, make, latex = _PARAMETERISED[base]
    value = Fraction(arg)
    formula, derivative = make(sp.Rational(value.numerator, value.denominator))
    return Activation(name, formula, derivative, latex=latex, parameter=parameter, default=default, value=value)


def word(text: str) -> str:
    """A function's name as notes write it, reduced to lowercase letters: 'Leaky ReLU', 'leaky_relu',
    '\\operatorname{LeakyReLU}' -> 'leakyrelu'."""
    text = re.sub(r"\\(operatorname|text|mathrm|mathit)\s*\{([^{}]*)\}", r"\2", str(text))
    return re.sub(r"[^a-z]", "", text.lower())


def _words() -> dict:
    """Every written name of every activation (its table name and its LaTeX names) -> its table name."""
    out = {}
    for name in NAMES:
        entry = _FIXED.get(name)
        names = (name,) + (entry.latex if entry else _PARAMETERISED[name][3])
        for written in names:
            out.setdefault(word(written), name)
    return out


def named(func: str) -> str | None:
    """The table name of an activation notes call `func` ('LeakyReLU' -> 'leaky_relu'), or None."""
    return WORDS.get(word(func))


def is_known(name: str) -> bool:
    try:
        canonical(name)
    except GradauditError:
        return False
    return True


@cache
def _lambda(name: str, which: str) -> sp.Lambda:
    entry = lookup(name)
    d = sp.Dummy("d", real=True)
    lam = sp.Lambda(d, entry.formula(d) if which == "f" else entry.derivative(d))
    if which == "f":
        _LAMBDA_NAMES[lam] = name
    return lam


def name_of_lambda(f) -> str | None:
    """The table name whose Lambda (or derivative Lambda) f is, or None."""
    return _LAMBDA_NAMES.get(f)


_LAMBDA_NAMES: dict = {}


# ---- numeric forms for the auditor's complex-step model --------------------------------------------------

def _real_conditions(expr):
    """Branch conditions on the real part: a complex step (1e-30 i) must never change a branch."""
    return expr.replace(lambda e: isinstance(e, sp.core.relational.Relational),
                        lambda e: e.func(sp.re(e.lhs), sp.re(e.rhs)))


def _stable_sigmoid(x):
    """1 / (1 + e^-x) with exp only of a number whose real part is <= 0: no overflow, complex-step safe."""
    sign = np.where(np.real(x) >= 0, 1.0, -1.0)
    e = np.exp(-x * sign)
    return np.where(sign > 0, 1.0 / (1.0 + e), e / (1.0 + e))


_NUMPY_MODULES = [{"sigmoid": _stable_sigmoid,
                   "relu": lambda x: np.where(np.real(x) > 0, x, 0.0 * x),
                   "Abs": lambda x: np.where(np.real(x) >= 0, x, -x)}, "numpy"]


@cache
def numeric(name: str) -> tuple:
    """(f, f') as NumPy functions safe for complex-step differentiation, lambdified from the table."""
    entry = lookup(name)
    if entry.formula is None:
        raise GradauditError(f"activation {name} has no elementwise formula")
    w = sp.Symbol("w")   # complex: the model differentiates by complex step
    f = sp.lambdify(w, _real_conditions(entry.formula(w)), modules=_NUMPY_MODULES)
    df = sp.lambdify(w, _real_conditions(entry.derivative(w)), modules=_NUMPY_MODULES)

    def value(fn):
        return lambda z: np.asarray(fn(z)) + 0.0 * z   # constants broadcast to z's shape and dtype
    return value(f), value(df)


@cache
def kinked(name: str) -> bool:
    """Has the activation a kink, a point where its derivative jumps (ReLU, leaky ReLU, ELU at 0)? Its branch
    conditions then decide values, and random points must keep away from them."""
    entry = lookup(name)
    if entry.derivative is None:
        return False
    d = sp.Dummy("d", real=True)
    return entry.derivative(d).has(sp.Piecewise, step, relu, sp.Abs, sp.Heaviside, sp.sign)


# ---- losses ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Loss:
    name: str                      # spec name
    internal: str                  # the core's rules.LOSSES key
    latex: tuple = ()


LOSSES = {
    "bce": Loss("bce", "bce", (r"-\left(y \log a + (1 - y) \log(1 - a)\right)",)),
    "cce": Loss("cce", "cce", (r"-\sum_k y_k \log a_k",)),
    "squared": Loss("squared", "sse", (r"\frac{1}{2}\|a - y\|^2",)),
}
LOSS_ALIASES = {"sse": "squared", "mse": "squared", "ce": "cce", "cross-entropy": "cce",
                "binary-cross-entropy": "bce", "categorical-cross-entropy": "cce"}


WORDS = _words()   # written name -> table name: what the notation reader and the auditor look names up in


# ---- the public extension point ----------------------------------------------------------------------------

_ON_REGISTER: list = []   # what the notation reader and the printer refresh when an activation is added


def on_register(refresh: Callable[[], None]) -> None:
    """A module whose tables are built from WORDS asks to be told of a new activation (tokens.py, latex.py)."""
    _ON_REGISTER.append(refresh)


def register(entry: Activation) -> None:
    """Add an activation to the table: the spec, the core's derivation, the element truth, the auditor's model,
    the notation reader and generated code all take it from here (CONTRIBUTING.md, "Adding an activation").

    The entry needs a name of lowercase letters and underscores, a SymPy formula f(z) and its derivative f'(z);
    `latex` lists the names notes write it by (\\operatorname{softsign}). A name already in the table is refused.
    """
    global NAMES
    if not isinstance(entry, Activation) or not re.fullmatch(r"[a-z][a-z_]*", entry.name or ""):
        raise GradauditError("register an Activation whose name is lowercase letters and underscores")
    if entry.name in NAMES:
        raise GradauditError(f"activation {entry.name} is already in the table")
    if entry.formula is None or entry.derivative is None:
        raise GradauditError(f"activation {entry.name} needs its formula and its derivative")
    _FIXED[entry.name] = entry
    NAMES = tuple(_FIXED) + tuple(_PARAMETERISED)
    WORDS.update(_words())
    lookup.cache_clear()
    numeric.cache_clear()
    for refresh in _ON_REGISTER:
        refresh()
