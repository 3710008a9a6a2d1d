"""`gradaudit derive ARCH`: the derived closed forms, printed in the document's own convention.

For a general-depth architecture without --depth: the general layer-l formulas (read off a
depth-4 derivation at layer 2, labelled l-1, l, l+1) and the output layer (labelled L, L-1).
Averaged losses print in the documents' shorthand: dZ per example, dW and db carry the 1/m.
"""
from __future__ import annotations

import json
import re

import sympy as sp

from ..architectures import get
from ..corpus import architecture_arg
from ..symbolic import derive
from ..symbolic.printing import DocLatexPrinter, lhs, rhs

_LAYER = re.compile(r"^d?[A-Za-z]+?(\d+)$")


def add_arguments(parser) -> None:
    parser.add_argument("arch", nargs="?", help="architecture id (see `gradaudit list`), or give --network")
    parser.add_argument("--network", metavar="FILE", help="a declared network: a YAML file of the network's keys "
                        "(layers, loss, ...), or notes whose front matter declares one")
    parser.add_argument("--depth", type=int, default=None, help="depth L of a general-depth architecture")
    parser.add_argument("--format", choices=("latex", "text", "json"), default="latex")


def _layer(name):
    m = _LAYER.match(name)
    return int(m.group(1)) if m else None


def sections(arch, depth: int | None):
    """[(title, derivation, layer labels, names)] to print."""
    a = get(arch) if isinstance(arch, str) else arch
    per_example = a.averaging == "mean"
    if a.general and depth is None:
        d = derive(a, 4, per_example=per_example)
        names = [n for n, _ in d.backward]
        out = [n for n in names if _layer(n) == 4]
        hidden = [n for n in names if _layer(n) == 2]
        return [("output layer L", d, {4: "L", 3: "L-1"}, out),
                ("hidden layer l", d, {1: "l-1", 2: "l", 3: "l+1"}, hidden)]
    d = derive(a, depth, per_example=per_example)
    return [(f"{a.id}" + (f" at L = {d.depth}" if a.general else ""), d, {}, [n for n, _ in d.backward])]


def run(args) -> int:
    arch = architecture_arg(args.arch, args.network)
    secs = sections(arch, args.depth)
    if args.format == "json":
        out = []
        for title, d, labels, names in secs:
            p = DocLatexPrinter(d.convention, labels)
            out.append({"section": title, "convention": d.convention, "per_example": d.per_example,
                        "assumptions": d.assumptions,
                        "gradients": [{"name": n, "shape": [str(s) for s in getattr(d.expr(n), "shape", ())],
                                       "latex": f"{lhs(p, n, getattr(d.expr(n), 'shape', (1, 1)))} = {rhs(p, n, d.expr(n))}",
                                       "text": f"{n} = {sp.sstr(d.expr(n))}"} for n in names]})
        print(json.dumps({"arch": arch.id, "sections": out}, indent=2))
        return 0
    for title, d, labels, names in secs:
        print(f"% {title} ({d.convention} convention)" if args.format == "latex" else f"# {title} ({d.convention} convention)")
        for a in d.assumptions:
            print(f"% assumes: {a}" if args.format == "latex" else f"# assumes: {a}")
        p = DocLatexPrinter(d.convention, labels)
        for n in names:
            e = d.expr(n)
            if args.format == "latex":
                print(f"{lhs(p, n, getattr(e, 'shape', (1, 1)))} = {rhs(p, n, e)}")
            else:
                print(f"{n} = {sp.sstr(e)}")
    return 0
