"""`gradaudit codegen ARCH -o FILE.py`: write a standalone NumPy module of the derived forward pass and gradients."""
from __future__ import annotations

from pathlib import Path

from ..corpus import architecture_arg
from ..errors import GradauditError
from .train import parse_sizes


def add_arguments(parser) -> None:
    parser.add_argument("arch", nargs="?", help="architecture id (see `gradaudit list`), or give --network")
    parser.add_argument("--network", metavar="FILE", help="a declared network: a YAML file of the network's keys "
                        "(layers, loss, ...), or notes whose front matter declares one")
    parser.add_argument("--depth", type=int, help="L for an L-layer architecture (default: from --sizes, else the document's)")
    parser.add_argument("--sizes", help="layer widths, comma-separated, input first, e.g. 64,128,64,10")
    parser.add_argument("--activation", default=None, help="the generic g of an architecture that has one: relu, tanh or sigmoid")
    parser.add_argument("--dtype", default="float64", choices=("float64", "float32"), help="dtype of init()'s parameters")
    parser.add_argument("-o", "--output", required=True, metavar="FILE.py", help="where to write the module")


def run(args) -> int:
    from ..codegen.network import compile_network
    from ..codegen.writer import write_module

    if not args.output.endswith(".py"):
        raise GradauditError(f"--output must name a .py file, got {args.output!r}")
    net = compile_network(architecture_arg(args.arch, args.network), sizes=parse_sizes(args.sizes), depth=args.depth, dtype=args.dtype,
                          activation=args.activation)
    path = Path(args.output)
    path.write_text(write_module(net), encoding="utf-8")
    print(f"wrote {path}: {net.describe()}")
    return 0
