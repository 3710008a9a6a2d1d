"""What the notebooks call, so their cells stay one or two lines.

Everything here computes when the cell runs (architectures, verdicts, derived gradients,
training curves): the notebooks carry no pasted results, so they cannot go stale. Each view
returns an object with a Markdown form (rendered LaTeX, coloured verdicts) for Jupyter and a
plain-text form for terminals and for the tests that read executed notebooks.
"""
from __future__ import annotations

import dataclasses
import html
import re
from pathlib import Path

from . import architectures, corpus
from .errors import GradauditError

COLOURS = {"correct": "#1a7f37", "notation": "#0969da", "error": "#cf222e", "unsupported": "#9a6700"}
VERDICTS = ("correct", "notation", "error", "unsupported")
ORDER = {"correct": 0, "notation": 1, "unsupported": 2, "error": 3}   # the worse verdict of a formula's claims wins
CONVENTIONS = {
    "column": "column: Z = W A + b, A is features x examples",
    "column-wT": "column, transposed weights: Z = W^T X + b, W is inputs x outputs",
    "row": "row: Z = A W + b, A is examples x features",
    "index": "index: z_j = b_j + sum_i w_{i,j} a_i (i the input unit, j the output unit)",
    "scalar": "scalar identities and small graphs, no layers",
}
LOSSES = {"bce": "binary cross-entropy", "cce": "categorical cross-entropy", "sse": "squared error", "none": "none"}
DEFAULT_TIMEOUT = 2.0


class View:
    """A result shown in a notebook: Markdown for Jupyter, plain text everywhere else."""

    def __init__(self, markdown: str, text: str):
        self.markdown, self.text = markdown, text

    def _repr_markdown_(self) -> str:
        return self.markdown

    def __repr__(self) -> str:
        return self.text


def _escape(text: str) -> str:
    """Plain text inside Markdown: no HTML, no emphasis, no math, no table pipes."""
    return re.sub(r"([\\`*_$|\[\]])", r"\\\1", html.escape(str(text), quote=False))


def _code(text: str) -> str:
    """Diagnosis sentences mix prose and LaTeX: shown verbatim as code, not half-rendered."""
    return "`` " + str(text).replace("`", "'") + " ``"


def _badge(verdict: str) -> str:
    return f'<span style="color:{COLOURS.get(verdict, "#57606a")}">**{verdict}**</span>'


# ---- derivation files ----------------------------------------------------------------------------------

def derivation_path(name: str, start: Path | None = None) -> Path:
    """derivations/NAME in the current folder or a parent (notebooks run from notebooks/)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "derivations" / name
        if candidate.is_file():
            return candidate
    raise GradauditError(f"derivations/{name} not found in {here} or a parent folder: run the notebook from the repository")


# ---- architectures and derived gradients -------------------------------------------------------------

def _layer_text(layer) -> str:
    if layer.kind == "conv":
        return f"convolution {layer.kernel}x{layer.kernel}, {layer.activation}"
    if layer.kind == "maxpool":
        return f"max-pool {layer.size}x{layer.size}, stride {layer.stride}"
    if layer.kind == "flatten":
        return "flatten"
    return f"dense, {layer.activation}"


def architecture_rows(arch_id: str) -> list[tuple[str, str]]:
    a = architectures.get(arch_id)
    if a.general:
        layers = f"L-1 x ({_layer_text(a.hidden)}), then {_layer_text(a.output)}"
    elif a.layers:
        layers = "; ".join(f"{i}. {_layer_text(x)}" for i, x in enumerate(a.layers, start=1))
    else:
        layers = "none (" + ", ".join(node["name"] + " = " + node["op"] for node in a.graph) + ")" if a.graph else "none"
    scale = "" if a.loss_scale == "1" else f", scaled by {a.loss_scale}"
    rows = [("id", a.id), ("title", a.title), ("source", f"{a.source}, {a.place}"), ("layers", layers),
            ("loss", f"{LOSSES[a.loss]}{scale}, {dict(mean='averaged over the m examples', sum='summed over the examples', single='one example')[a.averaging]}"),
            ("convention", CONVENTIONS[a.convention])]
    if a.image:
        rows.append(("input image", f"{a.image[0]} x {a.image[1]}"))
    if a.sizes:
        rows.append(("document's sizes", ", ".join(str(list(s)) for s in a.sizes)))
    return rows


def show_architecture(arch_id: str) -> View:
    rows = architecture_rows(arch_id)
    md = "| | |\n|---|---|\n" + "\n".join(f"| {k} | {_escape(v)} |" for k, v in rows)
    return View(md, "\n".join(f"{k:>17}: {v}" for k, v in rows))


def show_architectures() -> View:
    """Every architecture the auditor knows (what `gradaudit list` prints)."""
    reg = architectures.registry()
    md = ["| id | title | convention | loss |", "|---|---|---|---|"]
    md += [f"| `{a.id}` | {_escape(a.title)} | {a.convention} | {LOSSES[a.loss]} |" for a in reg.values()]
    return View("\n".join(md), "\n".join(f"{a.id:26} {a.convention:9} {a.loss:4} {a.title}" for a in reg.values()))


def show_gradients(arch: str, depth: int | None = None) -> View:
    """The core's derived gradients, exactly as `gradaudit derive ARCH --format latex` prints them.

    A general-depth architecture without `depth` shows the layer-l and output-layer (L) formulas.
    """
    from .commands.derive import sections
    from .symbolic.printing import DocLatexPrinter, lhs, rhs

    a = architectures.get(arch)
    md, text = [f"**{a.id}: derived gradients**"], [f"{a.id}: derived gradients"]
    for title, d, labels, names in sections(a.id, depth):
        p = DocLatexPrinter(d.convention, labels)
        notes = [f"{d.convention} convention"]
        if d.per_example:
            notes.append("dZ, dA are per example, stacked over the m examples; dW and db carry the 1/m")
        notes += [f"assumes {x}" for x in d.assumptions]
        lines = [(lhs(p, n, getattr(d.expr(n), "shape", (1, 1))), rhs(p, n, d.expr(n))) for n in names]
        md += ["", f"*{_escape(title)}* ({_escape('; '.join(notes))})", "", "$$", r"\begin{aligned}"]
        md += [rf"{left} &= {right} \\" for left, right in lines]
        md += [r"\end{aligned}", "$$"]
        text += [f"{title} ({'; '.join(notes)})"] + [f"  {left} = {right}" for left, right in lines]
    return View("\n".join(md), "\n".join(text))


# ---- audits ------------------------------------------------------------------------------------------

def _worst(results) -> str:
    return max((r.verdict for r in results), key=ORDER.__getitem__, default="unsupported")


class FormulaAudit(View):
    """The verdicts of one formula's claims, with each error's diagnosis and corrected LaTeX."""

    def __init__(self, formula_id: str, results: list, edited: bool = False):
        self.id, self.results, self.edited = formula_id, list(results), edited
        self.verdict = _worst(self.results)
        super().__init__(self._markdown(), self._text())

    def _markdown(self) -> str:
        edited = " (edited: not the document's text)" if self.edited else ""
        out = [f"`{self.id}`: {_badge(self.verdict)}{edited}", ""]
        for r in self.results:
            claim = f"${r.claim}$" if r.claim else "(no claim read)"
            step = f"step {r.step}/{r.steps}: " if r.steps > 1 else ""
            out.append(f"- {step}{claim} {_badge(r.verdict)}")
            for e in r.errors:
                fix = f" Fix: ${e.fix_latex}$" if e.fix_latex else ""
                out.append(f"  - **{e.kind}**: {_code(e.detail)}{fix}")
            if r.reason and r.verdict in ("notation", "unsupported"):
                out.append(f"  - why: {_code(r.reason)}")
            if r.corrected_latex:
                label = "precise form" if r.verdict == "notation" else "corrected"
                out.append(f"  - {label}: $${r.corrected_latex}$$")
        return "\n".join(out)

    def _text(self) -> str:
        out = [f"{self.id}: {self.verdict}" + (" (edited)" if self.edited else "")]
        for r in self.results:
            out.append(f"  step {r.step}/{r.steps}: {r.verdict}" + (f"  claim: {r.claim}" if r.claim else ""))
            out += [f"    {e.kind}: {e.detail}" + (f"  fix: {e.fix_latex}" if e.fix_latex else "") for e in r.errors]
            if r.reason and r.verdict in ("notation", "unsupported"):
                out.append(f"    why: {r.reason}")
            if r.corrected_latex:
                out.append(f"    corrected: {r.corrected_latex}")
        return "\n".join(out)


def show_formula_audit(results) -> View:
    """Results (of any formulas) grouped per formula id, in order."""
    groups: dict = {}
    for r in results:
        groups.setdefault(r.id, []).append(r)
    views = [FormulaAudit(fid, rs) for fid, rs in groups.items()]
    return View("\n\n".join(v.markdown for v in views), "\n".join(v.text for v in views))


def _unsupported(formula: corpus.Formula, section: corpus.Section, reason: str):
    from .audit.auditor import Result
    return Result(file=formula.file, line=formula.line, id=formula.id, source=formula.locator, latex=formula.latex,
                  claim="", verdict="unsupported", reason=reason, section=section.id)


class SectionAudit:
    """One section's auditor, kept across cells so chain context (continued lines) carries over in order."""

    def __init__(self, section: corpus.Section, document: str, timeout: float = DEFAULT_TIMEOUT):
        self.section, self.document, self.timeout = section, document, timeout
        self.formulas = {f.id: f for f in section.formulas}
        self.results: dict = {}
        self._next = 0
        try:
            from .audit.auditor import SectionAuditor
            self._auditor = SectionAuditor(section, document, timeout=timeout)
            self._broken = ""
        except ImportError as exc:   # a part of the auditor missing: every formula unsupported, and why
            self._auditor, self._broken = None, f"the auditor cannot run: {exc}"

    def check(self, formula_id: str, latex: str | None = None) -> FormulaAudit:
        """Audit one formula of the section; `latex` (edited in the cell) replaces the document's text."""
        if formula_id not in self.formulas:
            raise GradauditError(f"no formula {formula_id!r} in section {self.section.id!r}")
        original = self.formulas[formula_id]
        formula = original if latex is None else dataclasses.replace(original, latex=latex)
        self._context_before(formula_id)
        results = self._audit(formula)
        self.results[formula_id] = results
        return FormulaAudit(formula_id, results, edited=formula.latex != original.latex)

    def _context_before(self, formula_id: str) -> None:
        """Replay the earlier formulas' chains when cells run out of order (continuation lines need them)."""
        order = [f.id for f in self.section.formulas]
        index = order.index(formula_id)
        if self._auditor is not None and index != self._next:
            self._auditor.previous_reference = None
            for f in self.section.formulas[:index]:
                self._auditor.remember(f)
        self._next = index + 1

    def _audit(self, formula):
        if self._auditor is None:
            return [_unsupported(formula, self.section, self._broken)]
        try:
            return self._auditor.audit(formula)
        except GradauditError as exc:
            return [_unsupported(formula, self.section, exc.message)]
        except Exception as exc:  # a bug of the auditor: shown as unsupported with its cause, never as a verdict
            return [_unsupported(formula, self.section, f"internal error: {type(exc).__name__}: {exc}")]


class DocumentAudit:
    """A derivation file and the section audits a notebook runs over it."""

    def __init__(self, name: str, timeout: float = DEFAULT_TIMEOUT):
        self.path = derivation_path(name)
        self.doc = corpus.load(self.path)
        self.timeout = timeout
        self.sections: dict = {}

    def section(self, section_id: str) -> SectionAudit:
        for s in self.doc.sections:
            if s.id == section_id:
                self.sections[section_id] = SectionAudit(s, self.doc.document, timeout=self.timeout)
                return self.sections[section_id]
        raise GradauditError(f"no section {section_id!r} in {self.path.name}")

    def summary(self) -> View:
        """Formulas per verdict in each section audited so far, and the wrong ones by id."""
        md = ["| section | formulas | correct | notation | error | unsupported |", "|---|---|---|---|---|---|"]
        text, wrong = [], []
        for sid, audit in self.sections.items():
            verdicts = [_worst(rs) for rs in audit.results.values()]
            counts = [verdicts.count(v) for v in VERDICTS]
            md.append(f"| {sid} | {len(verdicts)} | " + " | ".join(map(str, counts)) + " |")
            text.append(f"{sid}: {len(verdicts)} formulas, " + ", ".join(f"{c} {v}" for v, c in zip(VERDICTS, counts, strict=False)))
            wrong += [fid for fid, rs in audit.results.items() if _worst(rs) == "error"]
        if wrong:
            md.append("\nFormulas with an error: " + ", ".join(f"`{w}`" for w in wrong))
            text.append("with an error: " + ", ".join(wrong))
        return View("\n".join(md), "\n".join(text))


def audit_formula(latex: str, architecture: str | None = None, section=None, timeout: float = DEFAULT_TIMEOUT,
                  **options) -> FormulaAudit:
    """Audit one formula written in a cell, against an architecture or with a section's conventions.

    options are a section's: shorthand, default_layer, superscript, subscript, notation, activation, aliases.
    """
    if isinstance(section, SectionAudit):
        section = section.section
    if section is not None:
        base = dataclasses.replace(section, formulas=[])
        if architecture is not None:
            base.architecture = architectures.get(architecture)
    elif architecture is not None:
        base = corpus.Section(id="cell", architecture=architectures.get(architecture))
    else:
        raise GradauditError("give an architecture (see show_architectures()) or a section")
    fields = {f.name for f in dataclasses.fields(corpus.Section)} - {"id", "architecture", "heading", "formulas"}
    unknown = set(options) - fields
    if unknown:
        raise GradauditError(f"unknown option(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(fields))}")
    for key, value in options.items():
        allowed = corpus.OPTION_VALUES.get(key)
        if allowed and value not in allowed:
            raise GradauditError(f"{key} must be one of {', '.join(allowed)}")
        setattr(base, key, value)
    formula = corpus.Formula(id="cell", latex=latex, file="<cell>", line=1, locator="this cell")
    base.formulas = [formula]
    return SectionAudit(base, "notebook cell", timeout=timeout).check("cell")


# ---- training ----------------------------------------------------------------------------------------

def load_dataset(name: str, seed: int = 0):
    """A scikit-learn bundled data set, split and standardised (gradaudit.datasets.load)."""
    from .datasets import load
    return load(name, seed=seed)


def plot_history(history, title: str = "") -> View:
    """Loss and accuracy per epoch, train and test, drawn inline; returns the final numbers."""
    import matplotlib.pyplot as plt

    epochs = range(1, len(history.train_loss) + 1)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2))
    for ax, (train, test, label) in zip((left, right), ((history.train_loss, history.test_loss, "loss per example"),
                                                         (history.train_acc, history.test_acc, "accuracy")), strict=False):
        ax.plot(epochs, train, label="train")
        ax.plot(epochs, test, label="test")
        ax.set(xlabel="epoch", ylabel=label)
        ax.grid(alpha=0.3)
        ax.legend()
    right.set_ylim(0, 1.02)
    fig.suptitle(title)
    fig.tight_layout()
    plt.show()
    final = (f"after {len(history.train_loss)} epochs ({history.seconds:.2f} s): train accuracy {history.train_acc[-1]:.3f}, "
             f"test accuracy {history.test_acc[-1]:.3f}, test loss {history.test_loss[-1]:.4f}")
    return View(final, final)


def gradient_check(net, params: dict, X, Y, eps: float = 1e-6, entries: int = 5, seed: int = 0) -> View:
    """Generated gradients against central finite differences of net.loss at a few entries of each parameter."""
    import numpy as np

    rng = np.random.default_rng(seed)
    grads = net.grads(params, X, Y)
    rows = []
    for name, value in params.items():
        worst = 0.0
        for flat in rng.choice(value.size, size=min(entries, value.size), replace=False):
            idx = np.unravel_index(flat, value.shape)
            plus, minus = {k: v.copy() for k, v in params.items()}, {k: v.copy() for k, v in params.items()}
            plus[name][idx] += eps
            minus[name][idx] -= eps
            numeric = (net.loss(plus, X, Y) - net.loss(minus, X, Y)) / (2 * eps)
            worst = max(worst, abs(numeric - grads[name][idx]) / max(1e-8, abs(numeric) + abs(grads[name][idx])))
        rows.append((name, value.shape, worst))
    md = ["| parameter | shape | largest relative difference |", "|---|---|---|"]
    md += [f"| {n} | {s} | {w:.2e} |" for n, s, w in rows]
    return View("\n".join(md), "\n".join(f"{n} {s}: largest relative difference {w:.2e}" for n, s, w in rows))
