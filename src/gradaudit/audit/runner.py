"""Auditing files: load each, audit each formula of each section, collect results and file errors."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import corpus
from ..errors import GradauditError
from . import net
from .auditor import RUN_SPENT, SectionAuditor
from .verdict import Result

DEFAULT_TIMEOUT = 5.0


@dataclass
class AuditRun:
    results: list = field(default_factory=list)
    file_errors: list = field(default_factory=list)     # GradauditError per bad file
    documents: list = field(default_factory=list)       # (path, document, title)
    notes: list = field(default_factory=list)           # (file, line, message) a reader left unaudited
    networks: list = field(default_factory=list)        # (file, section, front matter YAML) of each inferred network
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


def audit_document(doc: corpus.Document, timeout: float = DEFAULT_TIMEOUT,
                   run_deadline: float = float("inf")) -> list[Result]:
    results = []
    auditors = [None if section.undetermined else SectionAuditor(section, doc.document, timeout=timeout,
                                                                  run_deadline=run_deadline)
                for section in doc.sections]
    for auditor in auditors:   # a names: entry for nothing is a file error, before any formula is audited
        if auditor is not None:
            auditor.check_names(doc.path)
    for section, auditor in zip(doc.sections, auditors, strict=True):
        if auditor is None:   # a heading whose network is neither declared nor inferable
            results.extend(_not_audited(section, doc.document,
                                        f"this section's network is not declared and cannot be inferred: "
                                        f"{section.undetermined}"))
            continue
        if time.monotonic() >= run_deadline:   # not even the section's models are built: nothing is audited
            results.extend(_not_audited(section, doc.document))
            continue
        for formula in section.formulas:
            results.extend(auditor.audit(formula))
    return results


def _not_audited(section, document: str, reason: str = RUN_SPENT) -> list[Result]:
    return [Result(file=f.file, line=f.line, id=f.id, source=f.locator, latex=f.latex, claim="",
                   verdict="unsupported", reason=reason, section=section.id, document=document)
            for f in section.formulas]


def audit_paths(paths, timeout: float = DEFAULT_TIMEOUT, raise_errors: bool = False,
                max_seconds: float | None = None, inline: bool = False) -> AuditRun:
    """Every file's formulas; a bad file is a GradauditError with its file and line, and the others go on.

    `max_seconds` bounds the whole run: what is left when it is spent is `unsupported` ("run budget spent").
    """
    run = AuditRun()
    start = time.monotonic()
    run_deadline = start + max_seconds if max_seconds is not None else float("inf")
    for path, in_folder in corpus.collect(paths):
        try:
            doc = corpus.load(Path(path), inline=inline)
            results = audit_document(doc, timeout=timeout, run_deadline=run_deadline)
        except GradauditError as exc:
            if in_folder and isinstance(exc, corpus.UndeclaredNetwork):   # a folder's other Markdown: named, skipped
                run.notes.append((str(path), exc.line or 1, f"skipped: {exc.message}"))
                continue
            if exc.file is None:
                exc.file = str(path)
            if raise_errors:
                raise
            run.file_errors.append(exc)
            continue
        except Exception as exc:  # noqa: BLE001 - the safety net: a bug of ours loses this file, not the run
            error = GradauditError(net.reason(exc), file=str(path))
            if raise_errors:
                raise error from exc
            run.file_errors.append(error)
            continue
        run.documents.append((doc.path, doc.document, doc.title))
        run.notes.extend((doc.path, line, message) for line, message in doc.notes)
        run.networks.extend((doc.path, s.id, s.inferred) for s in doc.sections if s.inferred)
        run.results.extend(results)
    if not run.documents and not run.file_errors and run.notes:
        run.file_errors.append(GradauditError("nothing to audit: every notes file was skipped (the notes above say "
                                              "why)", file=str(paths[0])))
    run.seconds = time.monotonic() - start
    return run

