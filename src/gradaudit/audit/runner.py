"""Auditing files: load each, audit each formula of each section, collect results and file errors."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import corpus
from ..errors import GradauditError
from .auditor import Result, SectionAuditor

DEFAULT_TIMEOUT = 5.0


@dataclass
class AuditRun:
    results: list = field(default_factory=list)
    file_errors: list = field(default_factory=list)     # GradauditError per bad file
    documents: list = field(default_factory=list)       # (path, document, title)
    seconds: float = 0.0

    def summary(self) -> dict:
        counts = {v: 0 for v in ("correct", "notation", "error", "unsupported")}
        for r in self.results:
            counts[r.verdict] += 1
        formulas = {}
        for r in self.results:
            key = (r.file, r.id)
            formulas[key] = _worse(formulas.get(key), r.verdict)
        per_formula = {v: 0 for v in counts}
        for v in formulas.values():
            per_formula[v] += 1
        return {"claims": len(self.results), "formulas": len(formulas), "files": len(self.documents),
                "claims_by_verdict": counts, "formulas_by_verdict": per_formula,
                "file_errors": len(self.file_errors), "seconds": round(self.seconds, 3)}


ORDER = {"correct": 0, "notation": 1, "unsupported": 2, "error": 3}


def _worse(a, b):
    if a is None:
        return b
    return a if ORDER[a] >= ORDER[b] else b


def audit_document(doc: corpus.Document, timeout: float = DEFAULT_TIMEOUT) -> list[Result]:
    results = []
    auditors = [SectionAuditor(section, doc.document, timeout=timeout) for section in doc.sections]
    for auditor in auditors:   # a names: entry for nothing is a file error, before any formula is audited
        auditor.check_names(doc.path)
    for section, auditor in zip(doc.sections, auditors):
        for formula in section.formulas:
            results.extend(auditor.audit(formula))
    return results


def audit_paths(paths, timeout: float = DEFAULT_TIMEOUT, raise_errors: bool = False) -> AuditRun:
    run = AuditRun()
    start = time.monotonic()
    for path in corpus.collect(paths):
        try:
            doc = corpus.load(Path(path))
            results = audit_document(doc, timeout=timeout)
        except GradauditError as exc:
            if raise_errors:
                raise
            run.file_errors.append(exc)
            continue
        run.documents.append((doc.path, doc.document, doc.title))
        run.results.extend(results)
    run.seconds = time.monotonic() - start
    return run
