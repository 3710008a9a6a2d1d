"""Reports of an audit: a readable text grouped by document and section, JSON, GitHub annotations, SARIF."""
from __future__ import annotations

import json
from itertools import groupby

from .runner import AuditRun
from .sarif import sarif

MARK = {"correct": "ok", "notation": "notation", "error": "ERROR", "unsupported": "unsupported"}


def text(run: AuditRun, verbose: bool = False) -> str:
    lines = []
    inferred = {(file, section): front for file, section, front in run.networks}
    for (doc, section), group in groupby(run.results, key=lambda r: (r.document, r.section)):
        group = list(group)
        lines.append(f"\n{doc}  [section {section}]")
        front = inferred.get((group[0].file, section))
        if front:
            lines.append("  network inferred from the notes' forward pass and loss (paste it as front matter to "
                         "declare it, and change what was guessed wrong):")
            lines.extend(f"    {row}" for row in front.rstrip().splitlines())
        for r in group:
            if r.verdict == "correct" and not verbose:
                continue
            step = f" step {r.step}/{r.steps}" if r.steps > 1 else ""
            where = f"  ({r.source})" if r.source else ""
            lines.append(f"  {r.file}:{r.line}  {r.id}{step}  {MARK[r.verdict]}{where}")
            if r.claim:
                lines.append(f"      claim:     {r.claim}")
            for e in r.errors:
                lines.append(f"      {e.kind}: {e.detail}")
            if r.reason and r.verdict in ("notation", "unsupported"):
                lines.append(f"      why:       {r.reason}")
            if r.corrected_latex:
                label = "precise:  " if r.verdict == "notation" else "corrected:"
                lines.append(f"      {label} {r.corrected_latex}")
        shown = sum(1 for r in group if r.verdict == "correct")
        if shown and not verbose:
            lines.append(f"  ({shown} correct claim{'s' if shown != 1 else ''} not shown; --verbose lists them)")
    for file, line, message in run.notes:
        lines.append(f"{file}:{line}: note: {message}")
    s = run.summary()
    c = s["claims_by_verdict"]
    f = s["formulas_by_verdict"]
    lines.append("")
    lines.append(f"{s['formulas']} formulas ({s['claims']} claims) in {s['files']} files, {s['seconds']:.1f} s: "
                 f"{c['correct']} correct, {c['notation']} notation, {c['error']} error, {c['unsupported']} unsupported "
                 f"claims; formulas: {f['correct']} correct, {f['notation']} notation, {f['error']} with an error, "
                 f"{f['unsupported']} unsupported")
    return "\n".join(lines).lstrip("\n")


def as_json(run: AuditRun) -> str:
    return json.dumps({"summary": run.summary(), "results": [r.as_json() for r in run.results],
                       "file_errors": [{"file": e.file, "line": e.line, "message": e.message} for e in run.file_errors],
                       "notes": [{"file": f, "line": n, "message": m} for f, n, m in run.notes],
                       "inferred_networks": [{"file": f, "section": s, "front_matter": front}
                                             for f, s, front in run.networks]},
                      indent=2)


def github(run: AuditRun) -> str:
    """GitHub workflow commands: one annotation per wrong or unsupported claim."""
    out = []
    for r in run.results:
        if r.verdict not in ("error", "unsupported"):
            continue
        level = "error" if r.verdict == "error" else "warning"
        kinds = ", ".join(e.kind for e in r.errors) or r.verdict
        message = "; ".join(e.detail for e in r.errors) or r.reason
        if r.corrected_latex:
            message += f" -- corrected: {r.corrected_latex}"
        out.append(f"::{level} file={_prop(r.file)},line={r.line},title={_prop(r.id + ' ' + kinds)}::{_escape(message)}")
    for e in run.file_errors:
        out.append(f"::error file={_prop(e.file)},line={e.line or 1}::{_escape(e.message)}")
    for file, line, message in run.notes:
        out.append(f"::notice file={_prop(file)},line={line}::{_escape(message)}")
    return "\n".join(out)


def _escape(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(s: str) -> str:
    """A workflow-command property (file=, title=): also ':' and ',' are escaped, so a name cannot inject."""
    return _escape(str(s)).replace(":", "%3A").replace(",", "%2C")


FORMATS = {"text": text, "json": as_json, "github": github, "sarif": sarif}
