"""The notebooks: every one runs headlessly without a cell error, every formula of a derivation file
gets a verdict computed when its notebook runs, and the committed notebooks are exactly what the
builder makes (without outputs)."""
from __future__ import annotations

import json
import re
import shutil
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from gradaudit import GradauditError, corpus, notebooks
from gradaudit.cli import main
from gradaudit.notebook_helpers import SectionAudit, audit_formula

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
DERIVATIONS = REPO / "derivations"
DOCUMENT_FILES = sorted(DERIVATIONS.glob(notebooks.DOCUMENT_FILES))
ALL = sorted(NOTEBOOKS.glob("*.ipynb"))
CELL_TIMEOUT = 120          # seconds per cell; the slowest (a section's CNN training) takes a few
VERDICT_LINE = re.compile(r"^(\S+): (correct|notation|error|unsupported)\b", re.M)


@pytest.fixture(scope="session")
def kernel(tmp_path_factory):
    """A 'python3' kernel spec that runs this very interpreter (the venv with gradaudit installed).

    Put first on JUPYTER_PATH, so a user's or the system's python3 kernel (another Python, perhaps
    without gradaudit) is never picked up, and a fresh clone needs nothing but `pip install -e '.[dev]'`.
    """
    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (gradaudit tests)", "language": "python"}))
    mp = pytest.MonkeyPatch()
    mp.setenv("JUPYTER_PATH", str(root))
    mp.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    yield "python3"
    mp.undo()


_executed: dict = {}


def execute(path: Path, kernel: str):
    """The notebook run top to bottom from notebooks/ (as `jupyter lab notebooks/` would); cached per session."""
    if path.name not in _executed:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name=kernel,
                                resources={"metadata": {"path": str(path.parent)}})
        client.execute()          # raises CellExecutionError on the first cell that fails
        _executed[path.name] = nb
    return _executed[path.name]


def outputs_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                parts.append(out.text)
            elif "data" in out:
                parts.append(out.data.get("text/plain", ""))
    return "\n".join(parts)


def test_the_builder_makes_one_notebook_per_document_and_two_more():
    names = {p.name for p in ALL}
    assert len(DOCUMENT_FILES) == 5
    assert names == {p.with_suffix(".ipynb").name for p in DOCUMENT_FILES} | {
        "audit_your_own.ipynb", "derivation_to_training.ipynb"}


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_notebook_runs_without_a_cell_error(path, kernel):
    nb = execute(path, kernel)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    assert all(c.execution_count for c in nb.cells if c.cell_type == "code")


def test_audit_your_own_shows_the_magics_verdicts_as_html(kernel):
    nb = execute(NOTEBOOKS / "audit_your_own.ipynb", kernel)
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith("%%audit\ndW")]
    page = cell.outputs[0].data["text/html"]
    assert '<b style="color:#1a7f37">correct</b>' in page and '<b style="color:#cf222e">error</b>' in page, page
    assert "<b>sign</b>" in page and "$$dZ^{[L]} = A^{[L]} - Y$$" in page, page


@pytest.mark.parametrize("toml", DOCUMENT_FILES, ids=lambda p: p.stem)
def test_every_formula_gets_a_verdict_when_the_notebook_runs(toml, kernel):
    """Ids come from the derivation file read independently; verdicts only from executed outputs."""
    data = tomllib.loads(toml.read_text(encoding="utf-8"))
    ids = [f["id"] for s in data["section"] for f in s.get("formula", [])]
    built = nbformat.read(NOTEBOOKS / toml.with_suffix(".ipynb").name, as_version=4)
    assert not VERDICT_LINE.search("\n".join(c.source for c in built.cells)), "a verdict pasted at build time"
    audited = VERDICT_LINE.findall(outputs_text(execute(NOTEBOOKS / toml.with_suffix(".ipynb").name, kernel)))
    verdicts = dict(audited)
    assert [i for i in ids if i not in verdicts] == []
    # one audit cell per formula, in document order
    checked = [fid for fid, _ in audited if fid in set(ids)]
    assert checked == ids


@pytest.mark.parametrize("toml", DOCUMENT_FILES, ids=lambda p: p.stem)
def test_each_section_shows_its_architecture_gradients_and_training(toml, kernel):
    doc = corpus.load_toml(toml)
    text = outputs_text(execute(NOTEBOOKS / toml.with_suffix(".ipynb").name, kernel))
    for section in doc.sections:
        assert f"id: {section.architecture.id}" in text
        assert f"{section.architecture.id}: derived gradients" in text
    trained = re.findall(r"after \d+ epochs .*?test accuracy ([0-9.]+)", text)
    assert trained and all(float(a) > 0.6 for a in trained), trained


def test_committed_notebooks_are_what_the_builder_makes():
    """Committed without outputs: reviewable diffs, and no verdict saved that a later auditor would change."""
    assert notebooks.stale(NOTEBOOKS, DERIVATIONS) == []
    for path in ALL:
        nb = nbformat.read(path, as_version=4)
        assert all(not c.get("outputs") and not c.get("execution_count") for c in nb.cells if c.cell_type == "code")


def test_check_names_stale_notebooks(tmp_path, capsys):
    derivations = tmp_path / "derivations"
    shutil.copytree(DERIVATIONS, derivations)
    out = tmp_path / "nb"
    assert main(["notebooks", "--out", str(out), "--derivations", str(derivations)]) == 0
    assert main(["notebooks", "--out", str(out), "--derivations", str(derivations), "--check"]) == 0
    # a formula changed in the derivation file makes its notebook stale, and only that one
    toml = derivations / "003_two_layer_mse.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(r"(\hat{y}_i - y_i)", r"(y_i - \hat{y}_i)", 1), encoding="utf-8")
    # a committed notebook with outputs is stale too
    executed = out / "004_index_notation.ipynb"
    nb = json.loads(executed.read_text(encoding="utf-8"))
    code = next(c for c in nb["cells"] if c["cell_type"] == "code")
    code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x\n"}]
    executed.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    capsys.readouterr()
    assert main(["notebooks", "--out", str(out), "--derivations", str(derivations), "--check"]) == 1
    printed = capsys.readouterr().out
    assert "003_two_layer_mse.ipynb: stale: cells differ" in printed
    assert "004_index_notation.ipynb: stale: has outputs" in printed
    assert "001_" not in printed
    assert main(["notebooks", "--out", str(out), "--derivations", str(derivations)]) == 0
    assert main(["notebooks", "--out", str(out), "--derivations", str(derivations), "--check"]) == 0


def test_builds_are_byte_identical():
    assert notebooks.build(DERIVATIONS) == notebooks.build(DERIVATIONS)


def test_formula_latex_round_trips_through_the_code_cells():
    """The string in each audit cell is the derivation file's LaTeX exactly (raw strings, backslashes kept)."""
    import ast
    for toml in DOCUMENT_FILES:
        doc = corpus.load_toml(toml)
        latex = {f.id: f.latex for s in doc.sections for f in s.formulas}
        nb = notebooks.document_notebook(toml)
        for cell in nb.cells:
            call = cell.source if cell.cell_type == "code" else ""
            if call.startswith("audit.check("):
                args = ast.parse(call).body[0].value.args
                assert args[1].value == latex[args[0].value]


def test_out_of_order_cells_keep_the_chain_context():
    """A continuation line audited first (cells run out of order) reads the chain it continues."""
    doc = corpus.load_toml(DERIVATIONS / "002_unveiling_derivatives.toml")
    section = next(s for s in doc.sections if any(f.continues for f in s.formulas))
    target = next(f for f in section.formulas if f.continues)
    alone = SectionAudit(section, doc.document, timeout=5)
    alone_results = alone.check(target.id).results
    ordered = SectionAudit(section, doc.document, timeout=5)
    for f in section.formulas:
        results = ordered.check(f.id).results
        if f.id == target.id:
            break
    # the chain the target continues: without the replay it would start at the target's own first step
    assert ordered._auditor.previous_reference is not None
    assert repr(alone._auditor.previous_reference) == repr(ordered._auditor.previous_reference)
    assert [(r.claim, r.verdict, r.reason) for r in alone_results] == [(r.claim, r.verdict, r.reason) for r in results]


def test_audit_formula_rejects_unknown_options():
    with pytest.raises(GradauditError, match="unknown option"):
        audit_formula("dW = A", architecture="d001-mlp-L-g", shorthnd="per-example")
    with pytest.raises(GradauditError, match="shorthand must be one of"):
        audit_formula("dW = A", architecture="d001-mlp-L-g", shorthand="each")
    with pytest.raises(GradauditError, match="architecture"):
        audit_formula("dW = A")
