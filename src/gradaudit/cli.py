"""The `gradaudit` command line: one table of subcommands, each in its own module.

Every module in gradaudit.commands exports `add_arguments(parser)` and `run(args) -> int`.
Errors in the input or the call become one line on stderr and exit code 2; a traceback
is shown only with --debug.
"""
from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
import warnings

from .errors import GradauditError

# name -> (module under gradaudit.commands, one-line help)
COMMANDS = {
    "check": ("check", "audit derivation files (.toml), Markdown notes or notebooks; exit 1 if a formula is wrong"),
    "explain": ("explain", "show one formula in full: both sides, sizes tried, values that differ, the edit found"),
    "coverage": ("coverage", "per document: formulas transcribed, parsed into claims, unsupported and why"),
    "list": ("list_cmd", "list every architecture with its source document, layers, loss and convention"),
    "derive": ("derive", "print the derived gradients of an architecture"),
    "codegen": ("codegen", "write a standalone NumPy module of an architecture's forward pass and gradients"),
    "train": ("train", "train an architecture with the generated gradients on a real data set"),
    "notebooks": ("notebooks", "build the Jupyter notebooks from derivations/ and the core"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gradaudit", description="Audit hand-written backpropagation formulas.")
    parser.add_argument("--debug", action="store_true", help="show a traceback on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        sp = sub.add_parser(name, help=help_text, description=help_text)
        sp.set_defaults(_module=module)
        _load(module).add_arguments(sp)
    return parser


def _load(module: str):
    return importlib.import_module(f"gradaudit.commands.{module}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    debug = "--debug" in argv
    if debug:   # the safety net prints the traceback of what it catches (gradaudit.audit.net)
        from .audit import net
        net.DEBUG = True
    for stream in (sys.stdout, sys.stderr):   # a file's non-ASCII text must not crash an ASCII terminal
        with contextlib.suppress(AttributeError, ValueError, OSError):  # not a text stream we may reconfigure
            stream.reconfigure(errors="backslashreplace")
    if not debug and not sys.warnoptions:     # overflow in a hostile formula is a verdict, not a stderr warning
        warnings.simplefilter("ignore")
    try:
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # argparse already printed its usage message
            return 0 if exc.code == 0 else 2
        if not getattr(args, "command", None):
            parser.print_help()
            return 2
        return int(_load(args._module).run(args) or 0)
    except GradauditError as exc:
        if debug:
            raise
        print(f"gradaudit: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gradaudit: interrupted", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug of ours: still one line, never a traceback unless asked
        if debug:
            raise
        print(f"gradaudit: internal error: {type(exc).__name__}: {exc} (run with --debug for a traceback)", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
