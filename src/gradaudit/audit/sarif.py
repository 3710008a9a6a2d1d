"""SARIF 2.1.0, the format GitHub code scanning reads: one rule per kind of mistake, one result per wrong or
unsupported claim, bad files and reader notes as notifications.

Written by hand (a dozen fields) rather than with `sarif-om`, which would be a dependency for the same
dictionaries; tests/test_sarif.py validates the output against the official schema.
"""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from .. import __version__
from .kinds import Kind

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
KINDS = {kind.value: kind.description for kind in Kind}   # one rule per kind of mistake (kinds.py)


def _rules() -> list[dict]:
    rules = [{"id": f"wrong-{kind}", "name": f"Wrong{kind.title()}",
              "shortDescription": {"text": f"Wrong formula: {text}"},
              "defaultConfiguration": {"level": "error"}} for kind, text in KINDS.items()]
    rules.append({"id": "unsupported", "name": "Unsupported",
                  "shortDescription": {"text": "The formula could not be checked (never counted as correct)"},
                  "defaultConfiguration": {"level": "warning"}})
    return rules


def _location(file: str, line: int | None) -> dict:
    path = Path(file)
    uri = path.resolve().as_uri() if path.is_absolute() else quote(path.as_posix())
    region = {"startLine": line} if line and line > 0 else {}
    physical = {"artifactLocation": {"uri": uri}}
    if region:
        physical["region"] = region
    return {"physicalLocation": physical}


def sarif(run) -> str:
    rules = _rules()
    index = {rule["id"]: k for k, rule in enumerate(rules)}
    results = []
    for r in run.results:
        if r.verdict not in ("error", "unsupported"):
            continue
        kind = r.errors[0].kind if r.errors else "unexplained"
        rule = "unsupported" if r.verdict == "unsupported" else f"wrong-{kind if kind in KINDS else 'unexplained'}"
        message = "; ".join(f"{e.kind}: {e.detail}" for e in r.errors) or r.reason or r.verdict
        if r.corrected_latex:
            message += f" -- corrected: {r.corrected_latex}"
        step = f" (step {r.step}/{r.steps})" if r.steps > 1 else ""
        results.append({"ruleId": rule, "ruleIndex": index[rule], "level": "error" if r.verdict == "error" else "warning",
                        "message": {"text": f"{r.id}{step}: {message}"}, "locations": [_location(r.file, r.line)],
                        "partialFingerprints": {"formula": f"{r.file}:{r.id}:{r.step}"}})
    notifications = [{"level": "error", "message": {"text": e.message}, "locations": [_location(e.file or ".", e.line)]}
                     for e in run.file_errors]
    notifications += [{"level": "note", "message": {"text": message}, "locations": [_location(file, line)]}
                      for file, line, message in run.notes]
    log = {"$schema": SCHEMA, "version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "gradaudit", "version": __version__, "rules": rules}},
        "invocations": [{"executionSuccessful": not run.file_errors, "toolExecutionNotifications": notifications}],
        "results": results}]}
    return json.dumps(log, indent=2)
