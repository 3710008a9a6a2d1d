"""One architecture at concrete sizes: every named quantity as a NumPy array, and exact Jacobians.

The auditor compares a document's formula with the truth at random points. The truth is
this forward pass: W, b, K, X, Y drawn at random, Z, A, pooled maps and the loss J computed
in complex arithmetic, so that any Jacobian d(out)/d(in) between two named quantities comes
from complex-step differentiation (Squire & Trapp 1998): f(x + ih) = f(x) + ih f'(x) + O(h^2),
so Im f(x + ih) / h is the derivative to machine precision, with no step-size trade-off.
Tests check these against the symbolic core's closed forms.

Layouts follow the architecture's convention:
  column     X: n0 x m,  W_l: n_l x n_{l-1},  b_l: n_l x 1,  Z = W A + b
  column-wT  X: n0 x m,  W_l: n_{l-1} x n_l,  b_l: n_l x 1,  Z = W^T A + b
  row        X: m x n0,  W_l: n_{l-1} x n_l,  b_l: 1 x n_l,  Z = A W + b
  index      as row with m = 1 (w_{i,j}: i the input unit, j the output unit)
CNN layers take one example, one channel: X is H x W, a kernel K is k x k, its bias is 1 x 1.
With channels (a multi-channel architecture) maps are tensors (C, H, W), a kernel (C_out, C_in, k, k)
and its bias (C_out, 1, 1): the row-major reshapes of the symbolic core's stacked matrices.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from .. import primitives
from ..architectures import Architecture
from ..convention import Convention
from .budget import check, check_elements

STEP = 1e-30  # complex step: far below rounding, so no truncation error
# How close a random point may come to a kink (a ReLU's 0) or a max-pooling window to a tie: far above the
# 1e-16 by which float64 and the 60-digit confirmation differ, so both take the same branch everywhere, and
# a claim that differs from the truth only at a kink (ReLU'(0) = 0 or 1) is never seen to differ.
KINK_MARGIN = 1e-6
DRAWS = 64      # draws tried before a point with no value near a kink is given up on (never, in practice)


# ---- elementwise activations: the primitive table's, complex-step safe (branches decide on the real part) --

def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _softmax(z, axis):
    shifted = z - np.max(z.real, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


class _Activations(dict):
    """name -> (f, f'), lambdified from the primitive table on first use (parameterised names too)."""

    def __missing__(self, name):
        pair = self[name] = primitives.numeric(name)
        return pair


ACTIVATIONS = _Activations()
# Two concrete activations substituted for a generic g: a formula must hold for both.
G_CHOICES = ("tanh", "softplus")


@dataclass
class Sizes:
    widths: tuple          # n0, n1, ..., nL (dense widths; for CNNs the dense widths after flattening)
    m: int                 # examples


@dataclass
class NumericModel:
    """Random values for every named quantity of `arch` at `sizes`; J and any Jacobian on demand."""
    arch: Architecture
    depth: int
    sizes: Sizes
    g: str = "tanh"
    seed: int = 0
    values: dict = field(default_factory=dict)
    order: list = field(default_factory=list)      # computed quantities in evaluation order
    _jac_cache: dict = field(default_factory=dict)
    table = ACTIVATIONS     # name -> (f, f') for the model's numbers (audit/exact.py: 60-digit ones)

    def __post_init__(self):
        widths = tuple(getattr(self.sizes, "widths", ()))
        check_elements(sum(a * b for a, b in zip(widths, widths[1:], strict=False)) + max(widths, default=0) * self.sizes.m,
                       "the network at the sizes it is checked at (its weights and one layer's batch)")
        self.layers = self.arch.layers_at(self.depth) if self.arch.general else self.arch.layers
        for draw in range(DRAWS):   # the first draw is the seed's own; another only when it lands near a kink
            self.values, self.order = {}, []
            self._draw(draw)
            self.values.update(self.forward({}))
            if not self.near_kink():
                break

    def near_kink(self) -> bool:
        """Is a pre-activation within KINK_MARGIN of a kink, or does a max-pooling window (nearly) tie?"""
        layer_no = 0
        for layer in self.layers:
            if layer.kind in ("dense", "conv"):
                layer_no += 1
                name = self.g if layer.activation == "g" else layer.activation
                if name != "softmax" and primitives.kinked(name) and \
                        np.min(np.abs(self.values[f"Z{layer_no}"])) < KINK_MARGIN:
                    return True
            elif layer.kind == "maxpool" and _pool_ties(self.values[f"A{layer_no}"], layer.size,
                                                       layer.stride or layer.size):
                return True   # the pooled map P{layer_no} is taken from the map A{layer_no} before it
        return False

    # ---- set-up -----------------------------------------------------------------------------------
    @property
    def convention(self) -> str:
        return self.arch.convention

    @property
    def layout(self) -> Convention:
        return self.arch.layout

    @property
    def class_axis(self) -> int:
        return self.layout.unit_axis

    def _draw(self, draw: int = 0):
        rng = np.random.default_rng(self.seed if draw == 0 else (self.seed, draw))
        m = self.sizes.m
        widths = list(self.sizes.widths)
        if self.arch.is_cnn:
            h, w = self.arch.image
            multi, channels = self.arch.multichannel, self.arch.channels
            self.values["X"] = rng.normal(size=(channels, h, w) if multi else (h, w))
            shape = (h, w)
            dense_index = 0
            layer_no = 0
            for layer in self.layers:
                if layer.kind == "conv":
                    layer_no += 1
                    k, co = layer.kernel, layer.channels
                    if multi:
                        self.values[f"K{layer_no}"] = rng.normal(size=(co, channels, k, k)) / (k * np.sqrt(channels))
                        self.values[f"b{layer_no}"] = rng.normal(size=(co, 1, 1)) * 0.3
                    else:
                        self.values[f"K{layer_no}"] = rng.normal(size=(k, k)) / k
                        self.values[f"b{layer_no}"] = rng.normal(size=(1, 1)) * 0.3
                    pad = (k - 1) // 2 if layer.padding == "same" else 0
                    shape = (shape[0] + 2 * pad - k + 1, shape[1] + 2 * pad - k + 1)
                    channels = co
                elif layer.kind == "maxpool":
                    shape = ((shape[0] - layer.size) // layer.stride + 1, (shape[1] - layer.size) // layer.stride + 1)
                elif layer.kind == "flatten":
                    n_in = shape[0] * shape[1] * (channels if multi else 1)
                elif layer.kind == "dense":
                    layer_no += 1
                    n_out = layer.units or (widths[dense_index] if dense_index < len(widths) else 2)
                    dense_index += 1
                    self.values[f"W{layer_no}"] = rng.normal(size=(n_in, n_out)) / np.sqrt(n_in)
                    self.values[f"b{layer_no}"] = rng.normal(size=(1, n_out)) * 0.3
                    n_in = n_out
            self.values["Y"] = self._labels(rng, (1, n_in))
            return
        layout = self.arch.layout
        self.values["X"] = rng.normal(size=layout.batch_shape(widths[0], m))
        for l in range(1, len(widths)):
            n_in, n_out = widths[l - 1], widths[l]
            W, b = rng.normal(size=layout.weight_shape(n_out, n_in)), rng.normal(size=layout.bias_shape(n_out))
            self.values[f"W{l}"] = W / np.sqrt(n_in)
            self.values[f"b{l}"] = b * 0.5 if self.arch.biases else b * 0.0   # notes without biases: zero
        out_shape = layout.batch_shape(widths[-1], m)
        self.values["Y"] = self._labels(rng, out_shape)

    def _labels(self, rng, shape):
        """Soft targets: BCE in (0, 1); CCE a distribution over the class axis (Σ y = 1); SSE any real."""
        if self.arch.loss == "cce":
            y = rng.uniform(0.1, 1.0, size=shape)
            return y / y.sum(axis=self.class_axis if not self.arch.is_cnn else 1, keepdims=True)
        if self.arch.loss == "bce":
            return rng.uniform(0.05, 0.95, size=shape)
        return rng.normal(size=shape) * 0.5

    # ---- the forward pass -------------------------------------------------------------------------
    def activation(self, name):
        return self.table[self.g if name == "g" else name]

    def constant(self, value):
        """A number of a formula or of the loss (a Fraction, 1/N, lambda) in the model's arithmetic."""
        return np.array(float(value))

    def forward(self, overrides: dict, until: str | None = None) -> dict:
        """All computed quantities, with any named quantity replaced by `overrides[name]`; with `until`, those up to
        the layer that computes it (a Jacobian of A1 needs no pass through the layers after it). The layers before
        the first overridden one keep their values (a Jacobian of J by Z3 passes through layer 3 on only)."""
        v = dict(self.values)
        v.update(overrides)
        out = {}
        # without overrides everything is computed from the inputs in self.values, which may have been set anew
        first = min((int(k[1:]) for k in overrides if k[1:].isdigit()), default=0)
        if "X" in overrides:
            first = 0

        def put(name, value):
            value = overrides.get(name, value)
            out[name] = v[name] = value
            if name not in self.order:
                self.order.append(name)
            return value

        def kept(number, *names):   # the quantities of layer `number`, before the first overridden one: as they are
            return number < first and all(n in self.values for n in names)

        a = put("A0", v["X"])
        layer_no = 0
        for layer in self.layers:
            if layer.kind in ("dense", "conv") and kept(layer_no + 1, f"Z{layer_no + 1}", f"A{layer_no + 1}"):
                layer_no += 1
                put(f"Z{layer_no}", self.values[f"Z{layer_no}"])
                a = put(f"A{layer_no}", self.values[f"A{layer_no}"])
            elif layer.kind in ("maxpool", "flatten") and kept(layer_no, f"{layer.kind[0].upper()}{layer_no}"):
                a = put(f"{layer.kind[0].upper()}{layer_no}", self.values[f"{layer.kind[0].upper()}{layer_no}"])
            elif layer.kind == "dense":
                layer_no += 1
                W, b = v[f"W{layer_no}"], v[f"b{layer_no}"]
                z = self.arch.layout.affine(W, a, b)   # NumPy broadcasts b over the examples
                z = put(f"Z{layer_no}", z)
                if layer.activation == "softmax":
                    a = _softmax(z, self.class_axis)
                else:
                    a = self.activation(layer.activation)[0](z)
                a = put(f"A{layer_no}", a)
            elif layer.kind == "conv":
                layer_no += 1
                pad = (layer.kernel - 1) // 2 if layer.padding == "same" else 0
                x = np.pad(a, [(0, 0)] * (a.ndim - 2) + [(pad, pad), (pad, pad)]) if pad else a
                k = v[f"K{layer_no}"]
                z = put(f"Z{layer_no}", (conv2d_channels(x, k) if k.ndim == 4 else conv2d(x, k)) + v[f"b{layer_no}"])
                a = put(f"A{layer_no}", self.activation(layer.activation)[0](z))
            elif layer.kind == "maxpool":
                stride = layer.stride or layer.size
                a = put(f"P{layer_no}", np.stack([maxpool(c, layer.size, stride) for c in a]) if a.ndim == 3
                        else maxpool(a, layer.size, stride))
            elif layer.kind == "flatten":
                a = put(f"F{layer_no}", a.reshape(1, -1))
            if until is not None and until in out:
                return out
        put("J", np.asarray(self.loss_of(a, v["Y"], v)).reshape(()))
        return out

    def with_label(self, label: int) -> NumericModel:
        """The same network and values with every example's target the one class `label` (one-hot): a worked
        example's claims (-scores_2 + log sum e^{scores_j}) hold for its own label only."""
        other = copy.copy(self)
        other.values, other._jac_cache = dict(self.values), {}
        y = np.zeros_like(np.real(np.asarray(self.values["Y"], dtype=float)))
        np.moveaxis(y, self.class_axis, 0)[label] = 1.0
        other.values["Y"] = y
        other.values.update(other.forward({}))
        return other

    def loss_of(self, a, y, values=None):
        """J for the output a and labels y; `values` holds the weights an L2 penalty reads (default: the model's)."""
        arch = self.arch
        if arch.loss == "bce":
            total = -np.sum(y * np.log(a) + (1 - y) * np.log(1 - a))
        elif arch.loss == "cce":
            total = -np.sum(y * np.log(a))
        elif arch.loss == "sse":
            scale = self.constant(Fraction(1, a.shape[self.class_axis]) if arch.loss_scale == "1/N" else arch.scale)
            total = scale * np.sum((a - y) ** 2)
        else:
            raise ValueError(f"architecture {arch.id} has no loss")
        if arch.averaging == "mean":
            total = total / self.sizes.m
        if arch.regularization is not None:   # + r sum_l ||W_l||^2 over the weights and kernels, biases excluded
            r = self.constant(arch.regularization.factor(Fraction(arch.reg_lambda), Fraction(self.sizes.m)))
            total = total + r * sum(np.sum(v * v) for k, v in (values or self.values).items() if k[0] in "WK" and k[1:].isdigit())
        return total

    # ---- derivatives --------------------------------------------------------------------------------
    @property
    def output_layer(self) -> int:
        return sum(1 for layer in self.layers if layer.kind in ("dense", "conv"))

    def known(self, name: str) -> bool:
        return name in self.values

    def jacobian(self, out: str, inp: str) -> np.ndarray:
        """d out / d inp with shape out.shape + inp.shape, by complex step through the forward pass.

        An input that does not influence `out` (downstream of it, or another branch) gives zeros.
        """
        key = (out, inp)
        if key not in self._jac_cache:
            self._jac_cache[key] = complex_step_jacobian(
                lambda bumped: self._recompute(out, inp, bumped), self.values[inp], np.shape(self.values[out]))
        return self._jac_cache[key]

    def _recompute(self, out: str, inp: str, value):
        """`out` after replacing `inp` by `value` (a quantity not downstream of `inp` comes back unchanged)."""
        overrides = {inp: value}
        if inp in ("X", "A0"):
            overrides = {"X": value, "A0": value}
        if out == inp:
            return value
        result = self.forward(overrides, until=out)
        return result.get(out, self.values[out])

    def grad(self, name: str) -> np.ndarray:
        """dJ/d(name), in the shape of the quantity."""
        return self.jacobian("J", name)


def complex_step_jacobian(f, base, out_shape) -> np.ndarray:
    """d f / d base with shape out_shape + base.shape: one complex-step evaluation of f per input entry."""
    base = np.asarray(base)
    exact = base.dtype == object   # 60-digit numbers (audit/exact.py): complex already, and kept so
    check_elements(int(np.prod(out_shape, dtype=object)) * base.size, "a Jacobian of the network")
    jac = np.zeros(tuple(out_shape) + base.shape, dtype=object if exact else float)
    flat = base.reshape(-1)
    columns = jac.reshape(tuple(out_shape) + (flat.size,))
    for k in range(flat.size):
        check()   # one forward pass per entry: a wide network's Jacobian stops at the formula's deadline
        bumped = flat.copy() if exact else flat.astype(complex)
        bumped[k] += 1j * STEP
        columns[..., k] = imag(f(bumped.reshape(base.shape))) / STEP
    return jac


def imag(value):
    """The imaginary part, of float64 complex arrays and of object arrays of 60-digit numbers alike."""
    value = np.asarray(value)
    if value.dtype == object:
        return np.asarray(_imag_parts(value), dtype=object)
    return np.imag(value)


_imag_parts = np.frompyfunc(lambda x: x.imag, 1, 1)


# ---- convolution and pooling (valid cross-correlation, stride-s max pooling) -------------------------

def conv2d(x, k):
    kh, kw = k.shape
    oh, ow = x.shape[0] - kh + 1, x.shape[1] - kw + 1
    out = np.zeros((oh, ow), dtype=np.result_type(x, k))
    for a in range(kh):
        for b in range(kw):
            out = out + x[a:a + oh, b:b + ow] * k[a, b]
    return out


def full_convolution(g, k):
    """The input gradient of a valid cross-correlation: g padded and correlated with the flipped kernel."""
    kh, kw = k.shape
    padded = np.pad(g, ((kh - 1, kh - 1), (kw - 1, kw - 1)))
    return conv2d(padded, k[::-1, ::-1])


def conv2d_channels(x, k):
    """z[o, i, j] = sum_{c,a,b} x[c, i+a, j+b] k[o, c, a, b] for x (C_in, H, W), k (C_out, C_in, kh, kw)."""
    return np.stack([sum(conv2d(x[c], k[o, c]) for c in range(k.shape[1])) for o in range(k.shape[0])])


def maxpool(x, size, stride):
    oh, ow = (x.shape[0] - size) // stride + 1, (x.shape[1] - size) // stride + 1
    out = np.zeros((oh, ow), dtype=x.dtype)
    for i in range(oh):
        for j in range(ow):
            window = x[i * stride:i * stride + size, j * stride:j * stride + size]
            flat = np.argmax(window.real)
            out[i, j] = window.reshape(-1)[flat]
    return out


def _pool_ties(a, size, stride) -> bool:
    """Does some window's largest entry come within KINK_MARGIN of its second largest?"""
    maps = a if np.ndim(a) == 3 else [a]
    for x in maps:
        oh, ow = (x.shape[0] - size) // stride + 1, (x.shape[1] - size) // stride + 1
        for i in range(oh):
            for j in range(ow):
                window = np.sort(np.real(x[i * stride:i * stride + size, j * stride:j * stride + size]).reshape(-1))
                if window.size > 1 and window[-1] - window[-2] < KINK_MARGIN:
                    return True
    return False


def _linear_regression(arch: Architecture) -> bool:
    """One identity layer under a squared error: linear regression, whose notes predict one number per example
    (their (y^{(i)} - \\hat{y}^{(i)})^2 is a number's square, X^T (\\hat{y} - y) a column of one weight per feature)."""
    return arch.loss == "sse" and not arch.general and not arch.is_cnn and len(arch.layers) == 1 \
        and arch.layers[0].kind == "dense" and arch.layers[0].activation in ("identity", "linear")


def size_choices(arch: Architecture, depth: int) -> list[Sizes]:
    """Pairwise-distinct widths (the document's output width kept) and two example counts.

    Sizes of 1 alone hide transpose errors, and equal dimensions let a wrong product conform
    by accident, so every hidden width differs from every other and from m.
    """
    # a declared network without sizes: a sigmoid + BCE output is one unit, as binary classifiers and logistic
    # regression write it (dw = x dz holds there); other outputs get 3 units
    doc = list(arch.sizes[0]) if arch.sizes else [1] if arch.loss == "bce" or _linear_regression(arch) else [3]
    out_width = doc[-1]
    pools = ([4, 3, 5, 6, 2, 8, 9], [3, 5, 2, 4, 6, 9, 8])
    ms = (1, 1) if arch.averaging == "single" else (7, 11)
    choices = []
    for pool, m in zip(pools, ms, strict=False):
        if arch.is_cnn:
            choices.append(Sizes(tuple(doc), 1))
            continue
        n = depth + 1
        out = out_width if out_width == 1 else pool[-1] if not choices else out_width
        widths = [w for w in pool + list(range(10, 10 + n)) if w != out and w != m][: n - 1] + [out]   # deep nets too
        choices.append(Sizes(tuple(widths), m))
    if not arch.is_cnn and len(doc) == depth + 1:
        choices.insert(0, Sizes(tuple(doc), ms[0]))
    return choices
