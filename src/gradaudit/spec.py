"""A network spec, as users declare it, becomes an Architecture.

The spec is the `network:` mapping of a notes file's YAML front matter, a TOML section's
`[section.network]`, a `--network` YAML file or `compile(network={...})`:

    layers: [tanh, sigmoid]            # or "relu x (L-1), softmax" for a general depth L
    loss: bce | cce | squared
    loss_scale: "1/2"                  # squared only: 1, 1/2 or 1/N (N the output width)
    averaging: mean | sum | single
    convention: column | row | column-wT | index-out-in | index-in-out
    regularization: 'l2 \\frac{\\lambda}{2m}'   # optional
    architecture: ID                   # optional: start from a built-in and override keys

Every check raises SpecError naming the key, so the caller can point at its file and line.
Built-in architectures are specs too: `describe(arch)` gives the YAML a user would write.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from fractions import Fraction

from . import architectures, primitives
from .architectures import Architecture, Layer, Regularization
from .errors import GradauditError

KEYS = ("layers", "loss", "loss_scale", "averaging", "convention", "regularization", "architecture", "lambda",
        "image", "sizes", "depth", "biases")
CONVENTIONS = {"column": "column", "row": "row", "column-wT": "column-wT", "index-out-in": "column",
               "index-in-out": "index"}
AVERAGING = ("mean", "sum", "single")
DEFAULT_IMAGE = (8, 8)   # a declared CNN's input when it names none: the digits' size
REPEAT = re.compile(r"^\s*([A-Za-z_]+(?:\([^()]*\))?)\s*(?:[x×*]\s*\(?\s*L\s*-\s*1\s*\)?)\s*$")
CALL = re.compile(r"^\s*([A-Za-z_]+)\s*(?:\((.*)\))?\s*$")


class SpecError(GradauditError):
    """A bad spec; `key` names the offending key so the reader can give its line."""

    def __init__(self, message: str, key: str | None = None):
        super().__init__(message)
        self.key = key


def from_mapping(data, name: str = "network") -> Architecture:
    """The Architecture a spec mapping declares (SpecError on anything it cannot be)."""
    if not isinstance(data, dict):
        raise SpecError(f"{name} must be a mapping of keys (layers, loss, ...), not {type(data).__name__}")
    for key in data:
        if key not in KEYS:
            raise SpecError(f"unknown network key {str(key)[:40]!r} (known: {', '.join(KEYS)})", key=str(key))
    base = None
    if "architecture" in data:
        try:
            base = architectures.get(str(data["architecture"]))
        except GradauditError as exc:
            raise SpecError(exc.message, key="architecture") from None
    elif "layers" not in data:
        raise SpecError("a network needs its layers (e.g. layers: [tanh, sigmoid]) or an architecture to start from",
                        key="layers")
    fields = {}
    if "layers" in data:
        fields.update(_layers(data["layers"]))
    for key, allowed in (("averaging", AVERAGING), ("convention", tuple(CONVENTIONS))):
        if key in data:
            value = str(data[key])
            if value not in allowed:
                raise SpecError(f"{key} must be one of {', '.join(allowed)}, got {value[:40]!r}", key=key)
            fields[key] = CONVENTIONS[value] if key == "convention" else value
    if "convention" in data:
        fields["declared_convention"] = str(data["convention"])
    if "loss" in data:
        fields["loss"] = _loss(data["loss"])
    loss = fields.get("loss", base.loss if base else None)
    if loss is None:
        raise SpecError("a network needs its loss: bce, cce or squared", key="loss")
    if "loss_scale" in data:
        fields["loss_scale"] = _loss_scale(data["loss_scale"], loss)
    elif "loss" in data and (base is None or base.loss != loss):
        fields["loss_scale"] = "1"
    if "regularization" in data:
        fields["regularization"] = parse_regularization(data["regularization"])
    if "lambda" in data:
        fields["reg_value"] = _positive(data["lambda"], "lambda")
    if "image" in data:
        fields["image"] = _pair(data["image"], "image")
    if "sizes" in data:
        fields["sizes"] = (_widths(data["sizes"]),)
    if "depth" in data:
        fields.update(_depth(data["depth"], fields, base))
    if "biases" in data:
        if not isinstance(data["biases"], bool):
            raise SpecError("biases must be true or false (false: the layers have no bias, as in w_{ji} x_i sums)",
                            key="biases")
        fields["biases"] = data["biases"]
    if base is None:
        for key, default in (("averaging", "mean"), ("convention", "column"), ("loss_scale", "1")):
            fields.setdefault(key, default)
        arch = Architecture(id="", title="declared network", source="", place="", **fields)
    else:
        arch = replace(base, **fields)
    if arch.is_cnn and not arch.image:
        arch = replace(arch, image=DEFAULT_IMAGE)   # what the auditor draws; training takes the data's own
    _check(arch)
    return replace(arch, id=_id(arch), title=describe_title(arch), source=arch.source or "declared")


def _layers(value) -> dict:
    """layers: a list of activations (one dense layer each, input to output), or 'act x (L-1), act'."""
    if isinstance(value, str):
        parts = [p.strip() for p in _split_top(value)]
        if len(parts) == 2 and REPEAT.match(parts[0]):
            hidden = _layer(REPEAT.match(parts[0]).group(1))
            return {"depth": "L", "hidden": hidden, "output": _layer(parts[1]), "layers": ()}
        value = parts
    if isinstance(value, list):
        value = _rejoin(value)
    if not isinstance(value, list) or not value:
        raise SpecError("layers must be a list of activations, input to output (e.g. [tanh, sigmoid]), "
                        "or 'relu x (L-1), softmax' for a general depth L", key="layers")
    layers = tuple(_layer(item) for item in value)
    if not any(layer.kind in ("dense", "conv") for layer in layers):
        raise SpecError("layers has no dense or convolution layer", key="layers")
    if layers[-1].kind != "dense":
        raise SpecError("the last layer must be a dense layer (the output)", key="layers")
    return {"depth": sum(1 for x in layers if x.kind in ("dense", "conv")), "layers": layers, "hidden": None,
            "output": None}


def _depth(value, fields: dict, base) -> dict:
    """depth: L. A general network ('relu x (L-1), softmax') becomes that many layers; a list must have L."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 64:
        raise SpecError(f"depth must be a whole number from 1 to 64, got {str(value)[:20]!r}", key="depth")
    general = fields.get("depth", base.depth if base else None) == "L"
    if general:
        hidden = fields.get("hidden") or base.hidden
        output = fields.get("output") or base.output
        return {"depth": value, "layers": tuple([hidden] * (value - 1) + [output]), "hidden": None, "output": None}
    layers = fields.get("layers") or (base.layers if base else ())
    count = sum(1 for x in layers if x.kind in ("dense", "conv"))
    if count != value:
        raise SpecError(f"depth {value} contradicts the layers, which have {count} layer(s) with parameters",
                        key="depth")
    return {}


def _rejoin(items: list) -> list:
    """A YAML flow list splits `[conv(3, 8, relu), maxpool(2)]` at every comma: join the pieces of one call back."""
    out, open_piece = [], None
    for item in items:
        if not isinstance(item, (str, int, float)) or isinstance(item, bool):
            return items
        text = str(item).strip()
        piece = text if open_piece is None else f"{open_piece}, {text}"
        if piece.count("(") > piece.count(")"):
            open_piece = piece
        else:
            out.append(piece)
            open_piece = None
    return out + ([open_piece] if open_piece is not None else [])


def _split_top(text: str) -> list[str]:
    """Split at commas outside parentheses: 'leaky_relu(0.1) x (L-1), identity'."""
    out, depth, cur = [], 0, ""
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    return out + [cur]


def _layer(item) -> Layer:
    """One layer: an activation name (a dense layer), dense(act), conv(k, c, act), maxpool(p), flatten."""
    if not isinstance(item, str):
        raise SpecError(f"a layer is written as text (tanh, dense(relu), conv(3, 8, relu)), got {item!r:.40}",
                        key="layers")
    m = CALL.match(item)
    if not m:
        raise SpecError(f"cannot read the layer {item[:40]!r}", key="layers")
    kind, args = m.group(1), [a.strip() for a in _split_top(m.group(2))] if m.group(2) else []
    try:
        if kind == "dense":
            if len(args) != 1:
                raise SpecError(f"dense takes one activation: {item[:40]!r}", key="layers")
            return Layer("dense", activation=primitives.canonical(args[0]))
        if kind == "conv":
            if len(args) not in (2, 3, 4) or len(args) == 4 and args[3] not in ("valid", "same"):
                raise SpecError(f"conv takes (kernel, channels, activation[, valid|same]): {item[:40]!r}",
                                key="layers")
            activation = primitives.canonical(args[2]) if len(args) >= 3 else "identity"
            return Layer("conv", activation=activation, kernel=_whole(args[0], item),
                         channels=_whole(args[1], item), padding=args[3] if len(args) == 4 else "valid")
        if kind == "maxpool":
            if len(args) not in (1, 2):
                raise SpecError(f"maxpool takes (size) or (size, stride): {item[:40]!r}", key="layers")
            size = _whole(args[0], item)
            return Layer("maxpool", size=size, stride=_whole(args[1], item) if len(args) == 2 else size)
        if kind == "flatten" and not args:
            return Layer("flatten")
        return Layer("dense", activation=primitives.canonical(item))
    except GradauditError as exc:
        if isinstance(exc, SpecError):
            raise
        raise SpecError(exc.message, key="layers") from None


def _whole(text: str, item: str) -> int:
    if not re.fullmatch(r"[1-9][0-9]{0,2}", text):
        raise SpecError(f"{text[:20]!r} in {item[:40]!r} is not a whole number from 1 to 999", key="layers")
    return int(text)


def _loss(value) -> str:
    name = primitives.LOSS_ALIASES.get(str(value), str(value))
    if name not in primitives.LOSSES:
        raise SpecError(f"loss must be one of {', '.join(primitives.LOSSES)}, got {str(value)[:40]!r}", key="loss")
    return primitives.LOSSES[name].internal


def _loss_scale(value, loss: str) -> str:
    text = str(value).strip().replace(" ", "").replace("N_out", "N").replace("N_{out}", "N")
    if text in ("1/N", "1/n"):
        if loss != "sse":
            raise SpecError("loss_scale 1/N is for the squared loss", key="loss_scale")
        return "1/N"
    try:
        scale = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise SpecError(f"loss_scale must be a number such as 1, 1/2 or 1/N, got {str(value)[:40]!r}",
                        key="loss_scale") from None
    if scale <= 0:
        raise SpecError("loss_scale must be positive", key="loss_scale")
    if loss != "sse" and scale != 1:
        raise SpecError("loss_scale is for the squared loss; cross-entropy is written with scale 1", key="loss_scale")
    return str(scale)


def _pair(value, key: str) -> tuple:
    if not isinstance(value, list) or len(value) != 2 or not all(isinstance(v, int) and 1 <= v <= 999 for v in value):
        raise SpecError(f"{key} must be [height, width], whole numbers from 1 to 999", key=key)
    return tuple(value)


def _widths(value) -> tuple:
    if not isinstance(value, list) or not value or not all(isinstance(v, int) and 1 <= v <= 4096 for v in value):
        raise SpecError("sizes must be a list of layer widths [n0, n1, ..., nL], whole numbers from 1 to 4096",
                        key="sizes")
    return tuple(value)


def _positive(value, key: str) -> Fraction:
    try:
        number = Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        raise SpecError(f"{key} must be a number, got {str(value)[:40]!r}", key=key) from None
    if number <= 0:
        raise SpecError(f"{key} must be positive", key=key)
    return number


# ---- the L2 penalty: 'l2 \frac{\lambda}{2m}' --------------------------------------------------------------

_REG_TOKEN = re.compile(r"\s*(\\lambda|λ|[0-9]+(?:\.[0-9]+)?|[mN]|[()/*])")


def parse_regularization(value) -> Regularization:
    """'l2 SCALE': SCALE a product/quotient of numbers, \\lambda and m (or N), e.g. \\frac{\\lambda}{2m}."""
    text = str(value).strip()
    m = re.match(r"(?i)^l2\b\s*(.*)$", text)
    if not m:
        raise SpecError(f"regularization must read 'l2 SCALE', e.g. 'l2 \\frac{{\\lambda}}{{2m}}', got {text[:40]!r}",
                        key="regularization")
    scale = m.group(1).strip() or r"\lambda"
    for _ in range(4):   # \frac{a}{b} -> (a)/(b), innermost first
        scale = re.sub(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}", r"(\1)/(\2)", scale)
    tokens, pos = [], 0
    scale = scale.replace("\\cdot", "*").replace("{", "(").replace("}", ")")
    while pos < len(scale):
        t = _REG_TOKEN.match(scale, pos)
        if not t:
            raise SpecError(f"cannot read the regularization scale {m.group(1)[:40]!r}: write numbers, \\lambda and m",
                            key="regularization")
        tokens.append(t.group(1))
        pos = t.end()
    coefficient, lam, per_m = _reg_product(tokens)
    if coefficient <= 0 or lam not in (0, 1) or per_m not in (0, -1):
        raise SpecError("the regularization scale must be c \\lambda or c \\lambda / m with c > 0", key="regularization")
    return Regularization(text=text, coefficient=coefficient, has_lambda=bool(lam), per_example=bool(per_m))


def _reg_product(tokens):
    """(number, power of lambda, power of m) of a product/quotient of factors; parentheses group."""
    def factor(i):
        t = tokens[i]
        if t == "(":
            value, i = term(i + 1)
            if i >= len(tokens) or tokens[i] != ")":
                raise SpecError("unbalanced parentheses in the regularization scale", key="regularization")
            return value, i + 1
        if t in ("\\lambda", "λ"):
            return (Fraction(1), 1, 0), i + 1
        if t in ("m", "N"):
            return (Fraction(1), 0, 1), i + 1
        if t[0].isdigit():
            return (Fraction(t), 0, 0), i + 1
        raise SpecError(f"unexpected {t!r} in the regularization scale", key="regularization")

    def term(i):
        value, i = factor(i)
        while i < len(tokens) and tokens[i] != ")":
            op = tokens[i]
            if op in ("*", "/"):
                i += 1
            nxt, i = factor(i)
            if op == "/":
                if nxt[0] == 0:
                    raise SpecError("division by zero in the regularization scale", key="regularization")
                value = (value[0] / nxt[0], value[1] - nxt[1], value[2] - nxt[2])
            else:
                value = (value[0] * nxt[0], value[1] + nxt[1], value[2] + nxt[2])
        return value, i

    if not tokens:
        raise SpecError("an empty regularization scale", key="regularization")
    value, i = term(0)
    if i != len(tokens):
        raise SpecError("unbalanced parentheses in the regularization scale", key="regularization")
    return value


# ---- consistency, identity, description ---------------------------------------------------------------------

def _check(arch: Architecture) -> None:
    out = arch.output if arch.general else next((x for x in reversed(arch.layers) if x.kind == "dense"), None)
    if out is None:
        raise SpecError("the network has no dense output layer", key="layers")
    if arch.general and arch.layers:
        raise SpecError("layers gives both a fixed list and a general depth", key="layers")
    hidden = [arch.hidden] if arch.general else list(arch.layers[:-1])
    if any(x.activation == "softmax" for x in hidden if x):
        raise SpecError("softmax is an output activation: a hidden layer cannot use it", key="layers")
    if arch.loss == "cce" and out.activation != "softmax":
        raise SpecError(f"cce needs a softmax output layer, not {out.activation}", key="loss")
    if arch.loss == "bce" and out.activation not in ("sigmoid", "g"):
        raise SpecError(f"bce needs a sigmoid output layer (probabilities in (0, 1)), not {out.activation}", key="loss")
    if arch.sizes and not arch.general and not arch.is_cnn and len(arch.sizes[0]) != arch.parameter_layers + 1:
        raise SpecError(f"sizes has {len(arch.sizes[0])} widths; the layers need {arch.parameter_layers + 1} "
                        f"(input first)", key="sizes")
    if arch.is_cnn and arch.convention != "row":
        raise SpecError("convolution networks are written in the row convention (convention: row)", key="convention")


def _id(arch: Architecture) -> str:
    """A stable id for a declared network: its description's hash, so equal specs share derivations."""
    digest = hashlib.sha1(describe(arch).encode()).hexdigest()[:10]
    return f"net-{digest}"


def layer_text(layer: Layer) -> str:
    if layer.kind == "dense":
        return layer.activation
    if layer.kind == "conv":
        padding = "" if layer.padding == "valid" else f", {layer.padding}"
        return f"conv({layer.kernel}, {layer.channels}, {layer.activation}{padding})"
    if layer.kind == "maxpool":
        return f"maxpool({layer.size})" if layer.stride in (0, layer.size) else f"maxpool({layer.size}, {layer.stride})"
    return "flatten"


def describe(arch: Architecture) -> str:
    """The network as the YAML a user would declare it with."""
    if arch.general:
        layers = f'"{arch.hidden.activation} x (L-1), {arch.output.activation}"'
    else:
        layers = "[" + ", ".join(layer_text(x) for x in arch.layers) + "]"
    loss = {"sse": "squared"}.get(arch.loss, arch.loss)
    lines = ["network:", f"  layers: {layers}", f"  loss: {loss}"]
    if arch.loss == "sse":
        lines.append(f'  loss_scale: "{arch.loss_scale}"')
    lines += [f"  averaging: {arch.averaging}", f"  convention: {arch.declared_convention or arch.convention}"]
    if arch.regularization is not None:
        lines.append(f"  regularization: '{arch.regularization.text}'")
        if arch.reg_value is not None:
            lines.append(f"  lambda: {arch.reg_value}")
    if arch.image:
        lines.append(f"  image: [{arch.image[0]}, {arch.image[1]}]")
    if not arch.biases:
        lines.append("  biases: false")
    return "\n".join(lines)


def describe_title(arch: Architecture) -> str:
    layers = (f"{arch.hidden.activation} x (L-1), {arch.output.activation}" if arch.general
              else ", ".join(layer_text(x) for x in arch.layers))
    return f"declared network: {layers}; {arch.loss}, {arch.averaging}, {arch.declared_convention or arch.convention}"


def without_biases(arch: Architecture) -> Architecture:
    """The same network with no biases (registered under its own id)."""
    arch = replace(arch, biases=False)
    arch = replace(arch, id=_id(arch))
    architectures.register(arch)
    return arch


def load(data, name: str = "network") -> Architecture:
    """from_mapping, with the built network registered so that every command can name it by its id."""
    arch = from_mapping(data, name)
    architectures.register(arch)
    return arch
