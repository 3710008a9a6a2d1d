"""`gradaudit coverage [PATH ...]`: per document, formulas transcribed, parsed into claims, and unsupported with why."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from .. import corpus
from ..errors import NotationError
from ..notation import ast as N


def add_arguments(parser) -> None:
    parser.add_argument("paths", nargs="*", default=["derivations"], metavar="PATH")
    parser.add_argument("--format", choices=("text", "json"), default="text")


def coverage(paths) -> list[dict]:
    from ..notation.parser import parse
    rows = []
    for path, _ in corpus.collect(paths):
        doc = corpus.load(Path(path))
        row = {"file": str(path), "document": doc.document, "formulas": 0, "parsed": 0, "claims": 0,
               "context_lines": 0, "unparsed": []}
        for section in doc.sections:
            for formula in section.formulas:
                row["formulas"] += 1
                try:
                    parsed = parse(formula.latex)
                except NotationError as exc:
                    row["unparsed"].append({"id": formula.id, "line": formula.line, "reason": exc.message})
                    continue
                row["parsed"] += 1
                statements = [s for s in parsed.statements if isinstance(s, N.Statement)]
                if not statements:
                    row["context_lines"] += 1
                row["claims"] += sum(max(0, len([x for x in s.steps if x is not None]) - 1) for s in statements)
        rows.append(row)
    return rows


def run(args) -> int:
    rows = coverage(args.paths)
    if args.format == "json":
        print(json.dumps(rows, indent=2))
        return 0
    total = Counter()
    for row in rows:
        pct = 100.0 * row["parsed"] / row["formulas"] if row["formulas"] else 100.0
        print(f"{row['document']}: {row['formulas']} formulas, {row['parsed']} parsed ({pct:.1f}%), "
              f"{row['claims']} claims, {row['context_lines']} algorithm/context lines")
        for item in row["unparsed"]:
            print(f"    unsupported {row['file']}:{item['line']} [{item['id']}]: {item['reason']}")
        for key in ("formulas", "parsed", "claims"):
            total[key] += row[key]
    if total["formulas"]:
        print(f"total: {total['formulas']} formulas, {total['parsed']} parsed "
              f"({100.0 * total['parsed'] / total['formulas']:.1f}%), {total['claims']} claims")
    return 0
