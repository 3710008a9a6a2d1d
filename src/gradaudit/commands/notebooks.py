"""`gradaudit notebooks [--out notebooks/] [--check]`: build the Jupyter notebooks from derivations/ and the core."""
from __future__ import annotations

import sys
from pathlib import Path

from ..errors import GradauditError


def add_arguments(parser) -> None:
    parser.add_argument("--out", default="notebooks", metavar="DIR", help="where the notebooks go (default: notebooks/)")
    parser.add_argument("--derivations", default="derivations", metavar="DIR",
                        help="the derivation files, one notebook per NNN_*.toml (default: derivations/)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 and name every notebook that differs from what the builder makes")


def run(args) -> int:
    from .. import notebooks

    derivations = Path(args.derivations)
    if not derivations.is_dir():
        raise GradauditError("no such folder (run from the repository, or give --derivations)", file=str(derivations))
    if args.check:
        problems = notebooks.stale(Path(args.out), derivations)
        for path, why in problems:
            print(f"{path}: stale: {why}")
        if problems:
            print(f"{len(problems)} notebook(s) differ from the builder: run `gradaudit notebooks --out {args.out}`",
                  file=sys.stderr)
            return 1
        print(f"notebooks in {args.out} are up to date")
        return 0
    written = notebooks.write(Path(args.out), derivations)
    for path in written:
        print(f"wrote {path}")
    if not written:
        print(f"notebooks in {args.out} are up to date")
    return 0
