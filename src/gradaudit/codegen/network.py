"""compile_network: an architecture's derived closed forms turned into NumPy functions.

`gradaudit.compile(ARCH, sizes=[...])` derives the architecture (gradaudit.symbolic.derive),
rewrites its loss to be computed from the logits (stable.py), and prints three functions with
SymPy's lambdify: the forward pass, the loss and the parameter gradients. Lambdify's `cse`
hook receives the core's own named steps (Z1, A1, ..., dZ3, dW3, ...) as the common
subexpressions, so each is computed once, in evaluation order, and steps no output needs are
dropped (dJ/dA of the output, dJ/dX). The printer (printer.py) adds what NumPyPrinter lacks.

Layouts (`net.convention`): "column" (column and column-wT documents): X is features x
examples, Y outputs x examples; "row" (row and index documents): X is examples x features,
Y examples x outputs. CNNs: X is (examples, height, width), Y (examples, outputs). The
documents' single-example networks (averaging "single", all CNNs) run per-example formulas on
a stack of examples, and their loss and gradients are the sums over the examples given.
A CNN's `filters` (sizes) runs that many independent copies of each convolution chain side by
side (the one-channel formulas on a leading filter axis), concatenated by the flatten.
A multi-channel CNN (layers with `channels`, e.g. from architectures.cnn or a network spec) takes X
as (examples, H, W), or (examples, C, H, W) with input channels; its kernels are (C_out, C_in, k, k),
its conv biases (C_out, 1, 1), and the flatten is channel-major, as PyTorch's.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import numpy as np
import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixExpr

from .. import architectures
from ..errors import GradauditError
from .programs import build_programs, param_shapes

GENERIC = {"relu": "relu", "tanh": "tanh", "sigmoid": "sigmoid"}
DEFAULT_GENERIC = "relu"


def _generic_function(name: str):
    from ..symbolic.functions import relu, sigmoid
    return {"relu": relu, "tanh": sp.tanh, "sigmoid": sigmoid}[name]


@lru_cache(maxsize=64)
def _derive(arch, depth, sizes_key, activation):
    """arch: a registered id, or an Architecture built in Python (architectures.cnn)."""
    from ..symbolic import derive
    functions = {"g": _generic_function(activation)} if activation else None
    sizes = dict(sizes_key) if sizes_key else None
    return derive(arch, depth=depth, sizes=sizes, functions=functions)


@dataclass
class Network:
    """Generated NumPy functions of one architecture at fixed sizes; see the module docstring."""
    arch: architectures.Architecture
    derivation: object
    dims: dict
    param_shapes: dict
    dtype: np.dtype
    batched: bool
    filters: int = 1
    image: tuple = ()
    activation: str | None = None
    notes: list = field(default_factory=list)
    programs: dict = field(default_factory=dict)
    dim_symbols: list = field(default_factory=list)
    _dim_values: list = field(default_factory=list)     # per dim argument: an int, or None for m (from X)

    # --- what the network is ------------------------------------------------------------------
    @property
    def convention(self) -> str:
        return "column" if self.arch.layout.examples_in_columns else "row"

    @property
    def averaging(self) -> str:
        """How loss() and grads() combine the examples given: per-example formulas (a CNN's, or averaging
        'single') are summed over them, whatever the network's own averaging; training divides by the batch."""
        return "single" if self.batched else self.arch.averaging

    @cached_property
    def outputs(self) -> int:
        d = self.derivation
        values = {d.dims[k]: v for k, v in self.dims.items() if k in d.dims and isinstance(d.dims[k], sp.Symbol)}
        return int(sp.sympify(d.inputs["Y"].shape[0 if self._column else 1]).xreplace(values))

    @cached_property
    def _column(self) -> bool:
        return self.convention == "column" and not self.arch.is_cnn

    @property
    def features(self):
        return self.image if self.arch.is_cnn else int(self.dims["n0"])

    def describe(self) -> str:
        chans = " -> ".join(str(c) for c in [self.arch.channels] + [x.channels for x in self.arch.layers if x.kind == "conv"])
        shape = (f"image {self.image[0]}x{self.image[1]}, channels {chans}" if self.arch.multichannel else
                 f"image {self.image[0]}x{self.image[1]}, {self.filters} filter(s) per convolution"
                 if self.arch.is_cnn else f"widths {[int(self.dims[f'n{i}']) for i in range(self.derivation.depth + 1)]}")
        text = (f"{self.arch.id}: {self.arch.title}; {shape}; {self.arch.loss} loss ({self.averaging}); "
                f"layout {self.convention}; {self.dtype}")
        return text + "".join(f"\nnote: {n}" for n in self.notes)

    # --- the public functions ---------------------------------------------------------------
    def init(self, seed: int = 0) -> dict:
        """He-normal weights for ReLU layers, 1/sqrt(fan-in) otherwise; zero biases."""
        rng = np.random.default_rng(seed)
        params = {}
        for name, shape in self.param_shapes.items():
            if name.startswith("b"):
                params[name] = np.zeros(shape, dtype=self.dtype)
                continue
            fan_in = int(np.prod(shape[1:])) if len(shape) == 4 else (
                shape[-1] * shape[-2] if name.startswith("K") else (shape[1] if self._wT_column else shape[0]))
            gain = 2.0 if self._activation_of(name) == "relu" else 1.0
            params[name] = (rng.standard_normal(shape) * np.sqrt(gain / fan_in)).astype(self.dtype)
        return params

    def loss(self, params: dict, X, Y) -> float:
        value = float(np.sum(self._call("loss", params, X, Y)))
        return self._checked(value, value, params, X, Y)

    def grads(self, params: dict, X, Y) -> dict:
        out = self._call("grads", params, X, Y)
        out = out if isinstance(out, (list, tuple)) else [out]
        self._checked(out, out[-1], params, X, Y)      # the output layer's bias gradient: every NaN reaches it
        return {name: g if type(g) is np.ndarray and g.shape == shape and g.dtype is self.dtype
                else np.asarray(g, dtype=self.dtype).reshape(shape)
                for (name, shape), g in zip(self.param_shapes.items(), out, strict=False)}

    def predict(self, params: dict, X) -> np.ndarray:
        """The output activations (probabilities), laid out like Y."""
        out = self._from_internal(self._call("predict", params, X, None))
        return self._checked(out, out, params, X, None)

    def classify(self, params: dict, X) -> np.ndarray:
        """Integer labels: argmax over the classes, or output > 1/2 for one sigmoid unit."""
        out = self.predict(params, X)
        axis = 0 if self._column else 1
        if out.shape[axis] == 1:
            return (out.take(0, axis=axis) > 0.5).astype(np.int64)
        return out.argmax(axis=axis)

    # --- data layout helpers (the trainer uses them) -----------------------------------------
    def layout(self, X_rows, Y_rows=None):
        """Examples-x-features data in this network's layout (transposed for column, images for a CNN)."""
        X = np.asarray(X_rows, dtype=self.dtype)
        if self.arch.is_cnn:
            X = X.reshape(X.shape[0], *self._x_tail)
        elif self._column:
            X = X.T.copy()
        if Y_rows is None:
            return X
        Y = np.asarray(Y_rows, dtype=self.dtype)
        return X, (Y.T.copy() if self._column else Y)

    def take(self, array, idx):
        return array[:, idx] if self._column else array[idx]

    def examples(self, X) -> int:
        return np.shape(X)[1] if self._column else np.shape(X)[0]

    # --- internals ------------------------------------------------------------------------------
    @property
    def _wT_column(self) -> bool:
        return self.arch.convention == "column"

    def _activation_of(self, pname: str) -> str:
        layers = [x for x in self.arch.layers_at(self.derivation.depth if self.arch.general else None)
                  if x.kind in ("dense", "conv")]
        act = layers[int(pname[1:]) - 1].activation
        return self.activation if act == "g" else act

    def _check_params(self, params):
        """The parameter arrays in order, or an error naming what is wrong.

        The usual call (the right keys, arrays of the right shape and dtype) costs no pass over
        the data: finiteness is checked on the result instead (`_checked`), since a NaN in any
        parameter reaches the output layer, and only a non-finite result makes us look
        array by array to name the culprit.
        """
        if not isinstance(params, dict) or params.keys() != self.param_shapes.keys():
            return self._explain_params(params)
        values = [params[k] for k in self.param_shapes]
        dtype = self.dtype
        for v, shape in zip(values, self.param_shapes.values(), strict=False):
            if type(v) is not np.ndarray or v.shape != shape or v.dtype is not dtype:   # canonical dtypes are singletons
                return self._explain_params(params)
        return values

    def _checked(self, result, probe, params, X, Y):
        """result, if `probe` (a small piece of it) is finite; else the reason it is not."""
        if np.isfinite(probe.sum() if type(probe) is np.ndarray else probe):
            return result
        self._explain_params(params)
        self._check_data(X, Y, full=True)
        raise GradauditError("the result is not finite although every input is: a value overflowed")

    def _explain_params(self, params):
        if not isinstance(params, dict):
            raise GradauditError(f"params must be a dict of arrays named {', '.join(self.param_shapes)}")
        missing = [k for k in self.param_shapes if k not in params]
        extra = [k for k in params if k not in self.param_shapes]
        if missing or extra:
            raise GradauditError(f"params do not match {self.arch.id}: missing {missing or 'none'}, "
                                 f"unexpected {extra or 'none'} (expected {', '.join(self.param_shapes)})")
        values = []
        for name, shape in self.param_shapes.items():
            v = np.asarray(params[name])
            if v.shape != shape:
                raise GradauditError(f"parameter {name} has shape {v.shape}, expected {shape}")
            if not _finite(v):
                raise GradauditError(f"parameter {name} contains NaN or infinity")
            values.append(v.astype(self.dtype, copy=False))
        return values

    def _real(self, name, value):
        """value as this network's float array; complex, text or object data is refused, not cast."""
        if type(value) is np.ndarray and value.dtype is self.dtype:
            return value
        raw = np.asarray(value)
        if raw.dtype.kind == "c":
            raise GradauditError(f"{name} is complex; the network takes real numbers")
        if raw.dtype.kind not in "biuf":
            raise GradauditError(f"{name} is not numeric (dtype {raw.dtype}); pass an array of numbers")
        return raw.astype(self.dtype, copy=False)

    def _check_data(self, X, Y, full=False):
        X = self._real("X", X)
        bad = X.shape[1:] != self._x_tail if self._x_tail is not None else X.ndim != 2 or X.shape[0] != self._x_head
        if bad:
            raise GradauditError(f"X has shape {X.shape}; {self.arch.id} ({self.convention} layout) expects {self._x_layout}")
        m = X.shape[1] if self._column else X.shape[0]
        if m < 1:
            raise GradauditError("X has no examples")
        if Y is not None:
            Y = self._real("Y", Y)
            shape = (self.outputs, m) if self._column else (m, self.outputs)
            if Y.shape != shape:
                raise GradauditError(f"Y has shape {Y.shape}, expected {shape} ({self.convention} layout, {m} examples)")
        if full or not np.isfinite(X.sum() + (0.0 if Y is None else Y.sum())):
            if not _finite(X):
                raise GradauditError("X contains NaN or infinity")
            if Y is not None and not _finite(Y):
                raise GradauditError("Y contains NaN or infinity")
        return X, Y, m

    @cached_property
    def _x_tail(self):
        """X.shape[1:] for every X this network takes, or None for the column layout (features first)."""
        if self.arch.is_cnn:
            return (self.arch.channels,) * (self.arch.channels > 1) + tuple(self.image)
        return None if self._column else (int(self.dims["n0"]),)

    @cached_property
    def _x_head(self):
        return int(self.dims["n0"])

    @cached_property
    def _x_layout(self):
        if self.arch.is_cnn:
            return "(examples, " + ", ".join(str(v) for v in self._x_tail) + ")"
        return f"({self._x_head}, examples)" if self._column else f"(examples, {self._x_head})"

    def _to_internal(self, A):
        if not self.batched:
            return A
        if self.arch.is_cnn:
            return A[:, None] if A.ndim == 3 else A[:, None, :] if A.ndim == 2 else A
        return A.T[:, :, None] if self._column else A[:, None, :]

    def _from_internal(self, out):
        out = np.asarray(out)
        if not self.batched:
            return out
        return out[:, :, 0].T if self._column else out[:, 0, :]

    def _call(self, which, params, X, Y):
        if which != "predict" and Y is None:
            raise GradauditError(f"{which} needs the labels Y")
        values = self._check_params(params)
        X, Y, m = self._check_data(X, Y)
        dims = [m if v is None else v for v in self._dim_values]
        args = [self._to_internal(X)] + ([] if which == "predict" else [self._to_internal(Y)]) + values + dims
        # the kernels never overflow; underflow to 0 is NumPy's silent default; a NaN input (checked lazily, only
        # when the result is not finite) is reported by _checked, not as a RuntimeWarning
        with np.errstate(invalid="ignore"):
            return self.programs[which].function(*args)


def _finite(a) -> bool:
    """All entries finite. A sum is one fast pass that NaN and infinity poison; only then look entry by entry."""
    with np.errstate(over="ignore", invalid="ignore"):
        return bool(np.isfinite(a.sum())) or bool(np.isfinite(a).all())


# --- building one ---------------------------------------------------------------------------------

def _resolve(arch, sizes, depth, image):
    """(depth, derive-sizes key, filters, image, dense widths) from the user's choices."""
    if arch.is_cnn:
        filters, dense, img = 1, list(arch.sizes[0]) if arch.sizes else [], tuple(arch.image)
        if isinstance(sizes, dict):
            filters = int(sizes.get("filters", 1))
            dense = list(sizes.get("dense", dense))
            img = tuple(sizes.get("image", img))
        elif sizes is not None:
            sizes = list(sizes)
            filters, dense = sizes[0], sizes[1:] or dense
        img = tuple(image) if image else img
        n_dense = sum(1 for x in arch.layers if x.kind == "dense")
        if len(dense) != n_dense and all(x.units for x in arch.layers if x.kind == "dense"):
            dense = [x.units for x in arch.layers if x.kind == "dense"]
        if arch.multichannel and filters != 1:
            raise GradauditError(f"{arch.id} has multi-channel convolutions: their channels are in the layers, not filters")
        if len(dense) != n_dense or filters < 1 or len(img) != 2:
            raise GradauditError(f"{arch.id} has {n_dense} dense layer(s): give sizes [filters, {', '.join(['width'] * n_dense)}] "
                                 f"(got {sizes}), and an image (height, width)")
        first = sum(1 for x in arch.layers if x.kind == "conv") + 1
        key = (("H", int(img[0])), ("W", int(img[1]))) + tuple((f"n{first + i}", int(w)) for i, w in enumerate(dense))
        return None, key, int(filters), (int(img[0]), int(img[1])), dense
    layers = depth if arch.general and depth else (arch.parameter_layers if not arch.general else 2)
    own = list(arch.sizes[0]) if arch.sizes else [4] + [5] * (layers - 1) + [3]   # a declared network's default widths
    if sizes is None and arch.general and depth is not None:     # the document's widths, hidden width repeated
        sizes = [own[0]] + [own[1 % (len(own) - 1)]] * (depth - 1) + [own[-1]] if depth >= 1 else own
    sizes = list(sizes) if sizes is not None else own
    if arch.general:
        if depth is not None and depth != len(sizes) - 1:
            raise GradauditError(f"depth {depth} needs {depth + 1} sizes (input first), got {len(sizes)}: {sizes}")
        depth = len(sizes) - 1
    elif len(sizes) != arch.parameter_layers + 1:
        raise GradauditError(f"{arch.id} has {arch.parameter_layers} layers: give {arch.parameter_layers + 1} sizes "
                             f"(input first, output last), got {sizes}")
    if depth is not None and depth < 1 or min(sizes) < 1:
        raise GradauditError(f"sizes must be positive and the depth >= 1, got {sizes}")
    return depth, None, 1, (), sizes


def compile_network(arch, sizes=None, depth=None, dtype="float64", activation=None, image=None) -> Network:
    """Compile an architecture into NumPy functions (see the module docstring for layouts).

    sizes: dense networks, the widths [n0, ..., nL] (input first); CNNs, [filters, dense widths...]
    or {'image': (h, w), 'filters': f, 'dense': [...]}. activation: the generic g's choice.
    """
    a = architectures.get(arch) if isinstance(arch, str) else arch
    if a.convention == "scalar" or not (a.layers or a.general):
        raise GradauditError(f"{a.id} has no parameters to train: only architectures with layers compile")
    try:
        np_dtype = np.dtype(dtype)
    except TypeError:
        raise GradauditError(f"dtype must be float32 or float64, got {dtype!r}") from None
    if np_dtype not in (np.float32, np.float64):
        raise GradauditError(f"dtype must be float32 or float64, got {dtype!r}")
    layers = a.layers_at(depth if a.general else None) if (not a.general or depth) else (a.hidden, a.output)
    has_g = any(x.activation == "g" for x in layers)
    notes = []
    if has_g:
        if activation is None:
            activation = DEFAULT_GENERIC
            notes.append(f"{a.id} has a generic activation g: compiled with g = {DEFAULT_GENERIC} "
                         f"(choose with activation='tanh' | 'relu' | 'sigmoid')")
        if activation not in GENERIC:
            raise GradauditError(f"activation must be one of {', '.join(GENERIC)} for the generic g, got {activation!r}")
    elif activation is not None:
        raise GradauditError(f"{a.id} has no generic activation g; its activations are fixed")
    depth, key, filters, img, widths = _resolve(a, sizes, depth, image)
    d = _derive(a.id if a.id in architectures.registry() else a, depth, key, activation if has_g else None)
    dims = dict(d.dims)
    if not a.is_cnn:
        dims.update({f"n{i}": sp.Integer(w) for i, w in enumerate(widths)})
    batched = d.dims["m"] == 1
    if a.averaging == "single" or batched:
        notes.append("the formulas are for one example: loss and gradients are summed over the examples given")
    net = Network(a, d, dims, {}, np_dtype, batched, filters, img, activation if has_g else None, notes)
    net.param_shapes = param_shapes(d, dims, filters)
    build_programs(net)
    return net


def compile_for_data(arch, data, sizes=None, depth=None, dtype="float64", activation=None) -> Network:
    """Compile for a data set: input width, image and class count from the data; says when the output layer cannot fit it."""
    a = architectures.get(arch) if isinstance(arch, str) else arch
    if a.convention == "scalar" or not (a.layers or a.general):
        raise GradauditError(f"{a.id} has no parameters to train: only architectures with layers train")
    out_act = (a.output if a.general else [x for x in a.layers if x.kind == "dense"][-1]).activation
    outputs = data.classes if (out_act == "softmax" or data.classes > 2) else 1
    if out_act == "softmax" and a.loss != "cce" or out_act == "sigmoid" and a.loss not in ("bce", "sse"):
        raise GradauditError(f"{a.id}: output {out_act} with loss {a.loss} is not a classifier")
    if out_act == "softmax" and data.classes == 2:
        outputs = 2
    if out_act not in ("softmax", "sigmoid"):
        raise GradauditError(f"{a.id} ends in {out_act}: it does not fit a classification data set")
    if out_act == "sigmoid" and data.classes > 2 and not a.is_cnn:
        raise GradauditError(f"{a.id} has a sigmoid output for two classes; {data.name} has {data.classes} classes: "
                             f"use a softmax architecture such as d002-mlp-L-relu-softmax")
    if a.is_cnn:
        if out_act == "sigmoid" and data.classes > 2:
            outputs = data.classes      # the CNN document's sigmoid output, one unit per class (one-vs-rest BCE)
        if not data.image:
            raise GradauditError(f"{a.id} is a CNN: data set {data.name} has no images (use digits)")
        n_dense = sum(1 for x in a.layers if x.kind == "dense")
        if sizes is None and a.multichannel:
            sizes = [1] + [x.units or 64 for x in a.layers if x.kind == "dense"][:-1] + [outputs]
        if sizes is None:
            sizes = [16] + [32] * (n_dense - 1) + [outputs]
        sizes = {"image": data.image, "filters": sizes[0], "dense": list(sizes[1:])}
        if sizes["dense"][-1] != outputs:
            raise GradauditError(f"{data.name} has {data.classes} classes: the last size must be {outputs}")
        net = compile_network(a, sizes=sizes, dtype=dtype, activation=activation)
        flat = [f for _, e in net.derivation.forward for f in e.atoms(MatrixExpr) if type(f).__name__ == "Flatten"]
        if flat:
            c = flat[0].channels
            h, w = (int(x) for x in flat[0].args[0].shape)
            h //= c
            per = f"{c} channels of {h}x{w}" if a.multichannel else f"{h}x{w} per filter"
            net.notes.append(f"at {data.image[0]}x{data.image[1]} the convolution and pooling leave {per}, "
                             f"{h * w * net.filters * c} features for the dense layers")
        if out_act == "sigmoid" and outputs > 1:
            net.notes.append(f"sigmoid output with {outputs} units, one per class (one-vs-rest BCE); the prediction is the largest")
        return net
    if sizes is None:
        sizes = [data.features] + ([] if not a.general and a.parameter_layers == 1 else
                                   [64] * ((depth or 3) - 1 if a.general else a.parameter_layers - 1)) + [outputs]
    if sizes[0] != data.features or sizes[-1] != outputs:
        raise GradauditError(f"{data.name} has {data.features} features and needs {outputs} output unit(s) for "
                             f"{a.id} ({out_act} output): sizes must start with {data.features} and end with {outputs}, got {sizes}")
    return compile_network(a, sizes=sizes, depth=depth, dtype=dtype, activation=activation)
