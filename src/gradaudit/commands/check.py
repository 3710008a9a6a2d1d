"""`gradaudit check [PATH ...]`: audit derivation files like a linter (exit 0 fine, 1 wrong, 2 bad input)."""
from __future__ import annotations

import sys
from pathlib import Path

from ..audit import report
from ..audit.runner import DEFAULT_TIMEOUT, audit_paths
from ..errors import GradauditError
from ..sources import declares_network


def add_arguments(parser) -> None:
    parser.add_argument("paths", nargs="*", default=["derivations"], metavar="PATH",
                        help="derivation files (.toml), Markdown notes or notebooks with front matter, LaTeX sources "
                             "with a '%% gradaudit:' header, or folders "
                             "(default: derivations/)")
    parser.add_argument("--format", choices=sorted(report.FORMATS), default="text", help="report format")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when a formula is wrong")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help=f"seconds allowed per formula (default {DEFAULT_TIMEOUT:g}); slower ones are unsupported")
    parser.add_argument("--max-seconds", type=float, default=None,
                        help="seconds allowed for the whole run; formulas not reached by then are unsupported "
                             "('run budget spent')")
    parser.add_argument("--verbose", action="store_true", help="list correct claims too (text format)")
    parser.add_argument("--declared-only", action="store_true",
                        help="skip the notes files named that declare no network, as a pre-commit hook does")
    parser.add_argument("--inline", action="store_true",
                        help="also audit inline $a = b$ equalities of notes files (off: prose is full of inline math "
                             "that asserts nothing)")


def run(args) -> int:
    if not args.timeout > 0 or args.timeout == float("inf"):   # also refuses nan, whose deadline never comes
        raise GradauditError("--timeout must be positive")
    if args.max_seconds is not None and not args.max_seconds > 0:   # also refuses nan
        raise GradauditError("--max-seconds must be positive")
    paths = args.paths or ["derivations"]
    if args.declared_only:   # a linter passes files outside its language silently
        paths = [p for p in paths if Path(p).is_dir() or not Path(p).exists() or declares_network(Path(p))]
        if not paths:
            return 0
    audit = audit_paths(paths, timeout=args.timeout, max_seconds=args.max_seconds, inline=args.inline)
    if args.format == "text":
        if audit.results or not audit.file_errors:   # a lone bad file: its error line, not a '0 formulas' report
            print(report.text(audit, verbose=args.verbose))
        else:   # but the files skipped are still named, with why
            for file, line, message in audit.notes:
                print(f"{file}:{line}: note: {message}")
    else:
        print(report.FORMATS[args.format](audit))
    for exc in audit.file_errors:
        print(f"gradaudit: error: {exc}", file=sys.stderr)
    if audit.file_errors:
        return 2
    if args.exit_zero:
        return 0
    return 1 if any(r.verdict == "error" for r in audit.results) else 0
