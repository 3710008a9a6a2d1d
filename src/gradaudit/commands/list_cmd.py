"""`gradaudit list`: every architecture with its source document and place, layers, activations,
loss, averaging and convention (text table or JSON)."""
from __future__ import annotations

import json

from ..architectures import registry


def add_arguments(parser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")


def _layers(a) -> list:
    if a.general:
        return [f"{a.hidden.kind}({a.hidden.activation}) x (L-1)", f"{a.output.kind}({a.output.activation})"]
    out = []
    for layer in a.layers:
        extra = {"conv": f"k={layer.kernel}, {layer.activation}", "maxpool": f"{layer.size}/{layer.stride}",
                 "dense": layer.activation}.get(layer.kind, "")
        out.append(f"{layer.kind}({extra})" if extra else layer.kind)
    return out


def _activations(a) -> list:
    layers = [a.hidden, a.output] if a.general else a.layers
    return list(dict.fromkeys(x.activation for x in layers if x.kind in ("dense", "conv")))


def describe(a) -> dict:
    return {"id": a.id, "title": a.title, "source": a.source, "place": a.place,
            "depth": a.depth, "layers": _layers(a), "activations": _activations(a), "loss": a.loss,
            "loss_scale": a.loss_scale, "averaging": a.averaging, "convention": a.convention}


def run(args) -> int:
    rows = [describe(a) for a in registry().values()]
    if args.format == "json":
        print(json.dumps({"architectures": rows}, indent=2))
        return 0
    for r in rows:
        print(f"{r['id']}  [{r['convention']}, {r['loss']} x {r['loss_scale']}, {r['averaging']}, depth {r['depth']}]")
        print(f"    {r['title']}")
        print(f"    source: {r['source']} ({r['place']})")
        print(f"    layers: {' -> '.join(r['layers']) or '-'}")
    return 0
