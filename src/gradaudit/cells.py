"""Auditing LaTeX written in a notebook cell or a string: `gradaudit.audit_text(latex, network=...)`.

The network is given in the keys of a notes file's header (`architecture: ID`, `shorthand: ...`), read by
the same `frontmatter.parse`, so a cell, a Markdown note and a LaTeX paper accept the same settings with the
same errors. The results display as HTML in any notebook: the verdict coloured, the error's kind and
sentence, the corrected formula rendered as math.
"""
from __future__ import annotations

import dataclasses
import html
import textwrap
from pathlib import Path

import yaml

from . import corpus, frontmatter
from .errors import GradauditError

COLOURS = {"correct": "#1a7f37", "notation": "#0969da", "error": "#cf222e", "unsupported": "#9a6700"}
CELL = Path("<cell>")


def network_section(network) -> corpus.Section:
    """A section from a network spec: header text ('architecture: ID' lines), a bare ID, or a dict of keys."""
    if isinstance(network, corpus.Section):
        return network
    if isinstance(network, dict):
        text = yaml.safe_dump(network, sort_keys=False)   # nested network: specs stay nested
    elif isinstance(network, str):
        text = textwrap.dedent(network).strip("\n")
        if "\n" not in text:                  # one line: a bare architecture id, or keys separated by ';'
            text = text.strip()
            text = f"architecture: {text}" if text and ":" not in text else \
                "\n".join(part.strip() for part in text.split(";"))
    else:
        raise GradauditError("network must be header text ('architecture: ID'), an architecture id or a dict")
    options, lines = frontmatter.parse(text, 1, CELL, known=corpus.NOTES_KEYS)
    return corpus._notes_section(options, lines, CELL)


def cell_formulas(latex: str) -> list[tuple[int, str]]:
    """(line, LaTeX) of each formula: the `$$`, `\\[ \\]` and equation blocks if the text has any, else each
    non-blank line (a `%` line is a comment)."""
    from .sources.markdown import find_math
    found = list(find_math(latex))
    if found:
        return found
    return [(n, line.strip()) for n, line in enumerate(latex.splitlines(), start=1)
            if line.strip() and not line.strip().startswith("%")]


class TextAudit(list):
    """The results of auditing some LaTeX, one per claim; shown as HTML in a notebook, as text elsewhere."""

    def _repr_html_(self) -> str:
        return "\n".join(_result_html(r) for r in self) or "<p>no formula found</p>"

    def __repr__(self) -> str:
        out = []
        for r in self:
            out.append(f"{r.id} line {r.line}: {r.verdict}" + (f"  {r.claim}" if r.claim else ""))
            out += [f"    {e.kind}: {e.detail}" for e in r.errors]
            if r.reason and r.verdict in ("notation", "unsupported"):
                out.append(f"    why: {r.reason}")
            if r.corrected_latex:
                out.append(f"    corrected: {r.corrected_latex}")
        return "\n".join(out) or "no formula found"


def _result_html(r) -> str:
    colour = COLOURS.get(r.verdict, "#57606a")
    step = f" step {r.step}/{r.steps}" if r.steps > 1 else ""
    claim = f"${html.escape(r.claim)}$" if r.claim else "(no claim read)"
    parts = [f'<div class="gradaudit-result"><b style="color:{colour}">{r.verdict}</b> '
             f"<code>{html.escape(r.id)}</code>{step}: {claim}<ul>"]
    for e in r.errors:
        parts.append(f'<li><b>{html.escape(e.kind)}</b>: <span class="gradaudit-detail">{html.escape(e.detail)}</span></li>')
    if r.reason and r.verdict in ("notation", "unsupported"):
        parts.append(f"<li>why: {html.escape(r.reason)}</li>")
    if r.corrected_latex:
        label = "precise form" if r.verdict == "notation" else "corrected"
        parts.append(f'<li>{label}: <span class="gradaudit-corrected">$${html.escape(r.corrected_latex)}$$</span></li>')
    parts.append("</ul></div>")
    return "".join(parts)


def audit_text(latex: str, network=None, timeout: float = 5.0, name: str = "<cell>") -> TextAudit:
    """Audit the formulas of a LaTeX text against a network (see network_section), or against the network its own
    forward pass and loss define when none is named; one result per claim."""
    from .audit.runner import audit_document
    if not isinstance(latex, str):
        raise GradauditError("the LaTeX to audit must be a string")
    formulas = [corpus.Formula(id=f"f{k}", latex=text, file=name, line=line, locator=f"line {line}")
                for k, (line, text) in enumerate(cell_formulas(latex), start=1)]
    if network is None:   # the network the text's own forward pass and loss define
        try:
            section = corpus.inferred_section(formulas, {}, {}, Path(name))
        except corpus.UndeclaredNetwork as exc:
            raise GradauditError(f"name the network (audit_text(latex, network='architecture: ID'), see gradaudit "
                                 f"list) or write its forward pass and loss: {exc.message}") from None
    else:
        section = dataclasses.replace(network_section(network), formulas=[])
    section.formulas = formulas
    corpus._check_count(len(section.formulas) - 1, Path(name), section.formulas[-1].line if section.formulas else 1)
    doc = corpus.Document(path=name, document=name, title=name, sections=[section])
    return TextAudit(audit_document(doc, timeout=timeout))
