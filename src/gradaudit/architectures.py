"""Architectures as data: the registry read from architectures.toml.

An architecture says what network a document derives (layers, activations, loss,
averaging) and the convention it writes in; the symbolic core, the auditor and codegen all
start from it. Nothing here is code from a document.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from importlib import resources

import sympy

from . import primitives
from .convention import CONVENTIONS as LAYOUTS, Convention
from .errors import GradauditError

CONVENTIONS = tuple(LAYOUTS)
LOSSES = ("bce", "cce", "sse", "none")
AVERAGING = ("mean", "sum", "single")
LAYER_KINDS = ("dense", "conv", "maxpool", "flatten")
PADDINGS = ("valid", "same")
REG_LAMBDA = Fraction(7, 10)   # the value \lambda takes where a network has an L2 penalty and names no value


@dataclass(frozen=True)
class Regularization:
    """An L2 penalty added to J: coefficient * (lambda if has_lambda) * (1/m if per_example) * sum_l ||W_l||_F^2."""
    text: str
    coefficient: Fraction
    has_lambda: bool = True
    per_example: bool = False

    def factor(self, lam, m):
        """The penalty's scale for a value of lambda and of m: a Fraction for Fractions, floats for other numbers,
        exact for SymPy symbols."""
        if all(isinstance(v, (int, Fraction)) for v in (lam, m)):   # exact: the 60-digit confirmation's constant
            out = self.coefficient * lam if self.has_lambda else self.coefficient
            return out / m if self.per_example else Fraction(out)
        numeric = all(isinstance(v, (int, float, Fraction)) for v in (lam, m))
        c = float(self.coefficient) if numeric else sympy.Rational(self.coefficient.numerator,
                                                                    self.coefficient.denominator)
        out = c * (float(lam) if numeric else lam) if self.has_lambda else c
        return out / m if self.per_example else out


@dataclass(frozen=True)
class Layer:
    kind: str                      # dense | conv | maxpool | flatten
    activation: str = "identity"   # for dense and conv
    kernel: int = 0                # conv: square kernel size
    size: int = 0                  # maxpool: window
    stride: int = 0                # maxpool: stride
    channels: int = 1              # conv: output channels (the document CNNs: 1)
    padding: str = "valid"         # conv: valid, or same (odd kernel, (k-1)/2 zeros each side)
    units: int = 0                 # dense: width, 0 = from the sizes (or the data's class count)


@dataclass(frozen=True)
class Architecture:
    id: str
    title: str
    source: str
    place: str
    convention: str
    loss: str
    loss_scale: str
    averaging: str
    depth: int | str               # an int, or "L" for the general network
    layers: tuple = ()             # fixed-depth layers
    hidden: Layer | None = None    # general depth: the repeated hidden layer
    output: Layer | None = None    # general depth: the output layer
    image: tuple = ()              # CNN input height, width
    sizes: tuple = ()              # the document's own size choices
    graph: tuple = ()              # scalar graphs: ({name, op, args, fn}, ...)
    constants: tuple = ()
    channels: int = 1              # CNN input channels
    declared_convention: str = ""  # the spec's name for the convention (index-out-in is stored as column)
    regularization: Regularization | None = None
    reg_value: Fraction | None = None   # lambda's value for training; the auditor draws its own
    biases: bool = True            # False: notes that write no bias (Bishop's sums, or w_{j0} folded in): zero

    @property
    def layout(self) -> Convention:
        """The convention as an object: example axis, weight shape, affine product."""
        return LAYOUTS[self.convention]

    @property
    def reg_lambda(self) -> Fraction:
        return self.reg_value if self.reg_value is not None else REG_LAMBDA

    @property
    def multichannel(self) -> bool:
        """A CNN with real channels (C_in -> C_out convolutions), not the documents' one-channel maps."""
        return self.is_cnn and (self.channels > 1 or any(x.kind == "conv" and x.channels > 1 for x in self.layers))

    @property
    def general(self) -> bool:
        """True for the L-layer network whose formulas hold for any depth."""
        return self.depth == "L"

    @property
    def is_cnn(self) -> bool:
        return any(layer.kind == "conv" for layer in self.layers)

    @property
    def scale(self) -> Fraction | str:
        """The loss scale as a Fraction, or the string '1/N' (one over the output width)."""
        return self.loss_scale if "N" in self.loss_scale else Fraction(self.loss_scale)

    def layers_at(self, depth: int | None = None) -> tuple:
        """The concrete layer list; for a general network, `depth` dense layers (L = depth)."""
        if not self.general:
            return self.layers
        if depth is None or depth < 1:
            raise GradauditError(f"architecture {self.id} has general depth L: give a depth >= 1")
        return tuple([self.hidden] * (depth - 1) + [self.output])

    @property
    def parameter_layers(self) -> int:
        """How many layers have parameters (the L of the document) at the default depth."""
        return sum(1 for layer in self.layers if layer.kind in ("dense", "conv"))


def _layer(data: dict, where: str) -> Layer:
    kind = data.get("kind")
    if kind not in LAYER_KINDS:
        raise GradauditError(f"{where}: unknown layer kind {kind!r} (known: {', '.join(LAYER_KINDS)})")
    try:
        activation = primitives.canonical(data.get("activation", "identity"))
    except GradauditError as exc:
        raise GradauditError(f"{where}: {exc.message}") from None
    padding = data.get("padding", "valid")
    if padding not in PADDINGS:
        raise GradauditError(f"{where}: padding must be one of {', '.join(PADDINGS)}, got {padding!r}")
    layer = Layer(kind=kind, activation=activation, kernel=int(data.get("kernel", 0)),
                  size=int(data.get("size", 0)), stride=int(data.get("stride", 0)),
                  channels=int(data.get("channels", 1)), padding=padding, units=int(data.get("units", 0)))
    return _checked_layer(layer, where)


def _checked_layer(layer: Layer, where: str) -> Layer:
    if layer.kind == "conv":
        if layer.kernel < 1 or layer.channels < 1:
            raise GradauditError(f"{where}: a conv layer needs a kernel size >= 1 and channels >= 1")
        if layer.padding == "same" and layer.kernel % 2 == 0:
            raise GradauditError(f"{where}: same padding needs an odd kernel, got {layer.kernel}")
    if layer.kind == "maxpool" and layer.size < 1:
        raise GradauditError(f"{where}: a maxpool layer needs a window size >= 1")
    return layer


def _architecture(data: dict) -> Architecture:
    aid = data.get("id", "?")
    where = f"architecture {aid}"
    for key, allowed in (("convention", CONVENTIONS), ("loss", LOSSES), ("averaging", AVERAGING)):
        if data.get(key) not in allowed:
            raise GradauditError(f"{where}: {key} must be one of {', '.join(allowed)}")
    depth = data["depth"]
    return Architecture(
        id=aid, title=data["title"], source=data["source"], place=data["place"],
        convention=data["convention"], loss=data["loss"], loss_scale=str(data.get("loss_scale", "1")),
        averaging=data["averaging"], depth=depth,
        layers=tuple(_layer(layer, where) for layer in data.get("layers", [])),
        hidden=_layer(data["hidden"], where) if "hidden" in data else None,
        output=_layer(data["output"], where) if "output" in data else None,
        image=tuple(data.get("image", ())),
        sizes=tuple(tuple(s) for s in data.get("sizes", ())),
        graph=tuple(dict(node) for node in data.get("graph", ())),
        constants=tuple(data.get("constants", ())),
        channels=int(data.get("channels", 1)),
    )


OUTPUT_LOSS = {"softmax": "cce", "sigmoid": "bce"}


def cnn(layers, image=(8, 8), channels: int = 1, name: str = "cnn", loss: str | None = None,
        title: str | None = None) -> Architecture:
    """A CNN architecture from a layer list, the Python form of a network spec.

    Each entry is a Layer or a tuple: ("conv", kernel, channels, activation[, padding]),
    ("maxpool", size[, stride]), ("flatten",), ("dense", activation) or ("dense", units, activation).
    Row convention, one example per formula (codegen runs a batch); the loss follows the output
    activation (softmax: cross-entropy, sigmoid: binary cross-entropy) unless given.
    """
    built = tuple(_layer_of(x, f"{name} layer {i + 1}") for i, x in enumerate(layers))
    if not any(x.kind == "conv" for x in built):
        raise GradauditError(f"{name}: a CNN needs at least one conv layer")
    if built[-1].kind != "dense":
        raise GradauditError(f"{name}: the last layer must be dense (the output)")
    seen_flatten = False
    for x in built:
        if x.kind == "flatten":
            seen_flatten = True
        elif x.kind in ("conv", "maxpool") and seen_flatten:
            raise GradauditError(f"{name}: {x.kind} after flatten")
        elif x.kind == "dense" and not seen_flatten:
            raise GradauditError(f"{name}: dense layers come after flatten")
    out = built[-1].activation
    loss = loss or OUTPUT_LOSS.get(out)
    if loss not in LOSSES or loss == "none":
        raise GradauditError(f"{name}: output activation {out!r} has no default loss; give loss=")
    if len(image) != 2 or min(image) < 1 or channels < 1:
        raise GradauditError(f"{name}: image must be (height, width) and channels >= 1")
    widths = [x.units for x in built if x.kind == "dense"]
    return Architecture(id=name, title=title or f"CNN {name}", source="network spec", place="", convention="row",
                        loss=loss, loss_scale="1", averaging="single", depth=len(widths) + sum(
                            1 for x in built if x.kind == "conv"), layers=built, image=tuple(int(v) for v in image),
                        sizes=(tuple(widths),) if all(widths) else (), channels=int(channels))


def _layer_of(entry, where: str) -> Layer:
    if isinstance(entry, Layer):
        return _checked_layer(entry, where)
    if isinstance(entry, str):
        entry = (entry,)
    kind, *rest = entry
    try:
        if kind == "conv":
            kernel, channels, activation, *pad = rest
            return _layer({"kind": "conv", "kernel": kernel, "channels": channels, "activation": activation,
                           "padding": pad[0] if pad else "valid"}, where)
        if kind == "maxpool":
            size, *stride = rest
            return _layer({"kind": "maxpool", "size": size, "stride": stride[0] if stride else size}, where)
        if kind == "flatten" and not rest:
            return Layer(kind="flatten")
        if kind == "dense":
            units, activation = (0, rest[0]) if len(rest) == 1 else rest
            return _layer({"kind": "dense", "activation": activation, "units": units}, where)
    except (ValueError, TypeError):
        pass
    raise GradauditError(f"{where}: cannot read layer {entry!r} (conv(kernel, channels, activation), maxpool(size), "
                         f"flatten, dense(activation) or dense(units, activation))")


@lru_cache(maxsize=1)
def registry() -> dict[str, Architecture]:
    """Every architecture, by id, in file order."""
    text = resources.files("gradaudit").joinpath("architectures.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    return {a.id: a for a in (_architecture(d) for d in data["architecture"])}


_DECLARED: dict[str, Architecture] = {}


def register(arch: Architecture) -> None:
    """Make a declared network (spec.py) known by its id, as the built-ins are, for this process."""
    _DECLARED[arch.id] = arch


def get(arch_id: str) -> Architecture:
    """The architecture with this id, or a GradauditError that lists the known ids."""
    if arch_id in _DECLARED:
        return _DECLARED[arch_id]
    archs = registry()
    if arch_id not in archs:
        raise GradauditError(f"unknown architecture {arch_id!r}; known: {', '.join(archs)}")
    return archs[arch_id]
