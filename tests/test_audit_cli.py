"""The verifier as a user runs it: Markdown notes, exit codes, JSON and GitHub formats, explain,
and one deliberately wrong formula for each kind of diagnosis."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import gradaudit
from gradaudit import architectures
from gradaudit.audit.model import NumericModel, Sizes
from gradaudit.audit.runner import audit_paths

ROOT = Path(__file__).resolve().parents[1]


def audit_note(tmp_path, front_matter: str, formula: str, name: str = "notes.md"):
    """Audit one display formula in a Markdown note, as a user writes it; the results, one per claim."""
    notes = tmp_path / name
    notes.write_text(f"---\n{front_matter}\n---\n$${formula}$$\n")
    return audit_paths([notes]).results


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "gradaudit", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=300)


NOTES = textwrap.dedent(r"""
    ---
    architecture: d001-mlp-L-g
    shorthand: per-example
    ---
    # My backprop notes

    The output layer:

    $$dW^{[L]} = \frac{1}{m} dZ^{[L]} A^{[L-1]T}$$

    A hidden layer:

    $$dZ^{[l]} = W^{[l+1]T} dZ^{[l+1]} * g'(Z^{[l]})$$

    Two I got wrong:

    $$db^{[L]} = np.sum(dZ^{[L]}, axis=1, keepdims=True)$$

    $$dW^{[l]} = \frac{1}{m} dZ^{[l]} A^{[l]T}$$
    """)


def test_markdown_notes_two_right_two_wrong(tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES)
    proc = run_cli("check", str(notes), "--format", "json")
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    verdicts = [(r["id"], r["verdict"], [e["kind"] for e in r["errors"]]) for r in report["results"]]
    assert verdicts[0][1] == "correct" and verdicts[1][1] == "correct", verdicts
    assert verdicts[2] == ("f3", "error", ["factor"]), verdicts
    assert verdicts[3] == ("f4", "error", ["index"]), verdicts
    fixes = [r["corrected_latex"] for r in report["results"][2:]]
    assert "\\frac{1}{m}" in fixes[0] and "A^{[l-1]T}" in fixes[1].replace(" ", "")
    assert report["summary"]["formulas"] == 4
    line_of_f4 = NOTES.splitlines().index(r"$$dW^{[l]} = \frac{1}{m} dZ^{[l]} A^{[l]T}$$") + 1
    assert report["results"][3]["line"] == line_of_f4


def test_text_and_github_formats_and_exit_zero(tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES)
    text = run_cli("check", str(notes))
    assert text.returncode == 1
    assert "ERROR" in text.stdout and "corrected:" in text.stdout and "4 formulas" in text.stdout
    gh = run_cli("check", str(notes), "--format", "github", "--exit-zero")
    assert gh.returncode == 0
    lines = [line for line in gh.stdout.splitlines() if line.startswith("::error")]
    assert len(lines) == 2 and all(f"file={notes}" in line for line in lines)


def test_all_right_exits_zero(tmp_path):
    notes = tmp_path / "ok.md"
    notes.write_text("---\narchitecture: d002-mlp2-tanh-sigmoid\n---\n"
                     "$$\\frac{\\partial J}{\\partial W^{[2]}} = A^{[1]T} \\frac{\\partial J}{\\partial Z^{[2]}}$$\n")
    proc = run_cli("check", str(notes))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_explain_shows_sizes_values_and_the_edit():
    proc = run_cli("explain", "derivations/001_deep_network_vectorised.toml:bp.dZL")
    assert proc.returncode == 1
    out = proc.stdout
    assert "sizes tried" in out and "sign" in out and "corrected" in out and "shape" in out


# One deliberately wrong formula per kind: (architecture, options, wrong formula, expected kind).
WRONG = [
    ("d001-mlp-L-g", "per-example", r"dZ^{[L]} = Y - A^{[L]}", "sign"),
    ("d001-mlp-L-g", "per-example", r"dW^{[2]} = \frac{1}{m} dZ^{[2]} A^{[2]T}", "index"),
    ("d001-mlp-L-g", "per-example", r"dW^{[L]} = dZ^{[L]} A^{[L-1]T}", "factor"),
    ("d002-mlp2-tanh-sigmoid", "total", r"\frac{\partial J}{\partial W^{[1]}} = \frac{\partial J}{\partial Z^{[1]}} X^T", "transpose"),
    ("d003-mlp2-sigmoid-mse", "total", r"\frac{\partial C}{\partial b^{(2)}} = \sum_{i=1}^{N_{out}} \frac{\partial C}{\partial Z^{(2)}}", "sum"),
    ("d000-mlp3-tanh", "total", r"\frac{dC}{dW^{[1]}} = \frac{\partial C}{\partial Z^{[3]}} \frac{\partial Z^{[3]}}{\partial A^{[2]}} \frac{\partial A^{[2]}}{\partial Z^{[2]}} \frac{\partial Z^{[1]}}{\partial A^{[1]}} \frac{\partial Z^{[1]}}{\partial W^{[1]}}", "step"),
    ("d001-mlp3-g", "total", r"\frac{\partial J}{\partial W^{[3]}} = db^{[3]}", "label"),
    ("d001-mlp3-g", "total", r"\frac{\partial J}{\partial A^{[3]}} = -\frac{1}{m} \sum (Y \log A^{[3]} + (1 - Y) \log(1 - A^{[3]}))", "label"),
    ("d001-mlp3-g", "total", r"A^{[2]} = g(A^{[2]})", "definition"),
    ("d002-single-sigmoid", "total", r"\frac{\partial J}{\partial b} = -\frac{Y}{A} + \frac{1-Y}{1-A} A(1-A)", "precedence"),
    ("d001-mlp3-g", "total", r"Z_{n^{[2]} \times m}^{[2]} = W^{[2]} A^{[1]} + b_{n^{[2]} \times m}^{[2]}", "dimension"),
]


@pytest.mark.parametrize("arch,shorthand,formula,kind", WRONG, ids=[w[3] for w in WRONG])
def test_each_kind_of_mistake_is_named(tmp_path, arch, shorthand, formula, kind):
    extra = "\ndefault_layer: 1" if arch == "d002-single-sigmoid" else ""
    results = audit_note(tmp_path, f"architecture: {arch}\nshorthand: {shorthand}{extra}", formula, f"{kind}.md")
    assert results and results[0].verdict == "error", [(r.verdict, r.reason) for r in results]
    kinds = {e.kind for r in results for e in r.errors}
    assert kind in kinds, [(e.kind, e.detail) for r in results for e in r.errors]


def test_right_formulas_are_not_errors(tmp_path):
    """The corrected forms of the mistakes above audit as right."""
    right = [
        ("d001-mlp-L-g", "per-example", r"dZ^{[L]} = A^{[L]} - Y"),
        ("d001-mlp-L-g", "per-example", r"dW^{[2]} = \frac{1}{m} dZ^{[2]} A^{[1]T}"),
        ("d002-mlp2-tanh-sigmoid", "total", r"\frac{\partial J}{\partial W^{[1]}} = X^T \frac{\partial J}{\partial Z^{[1]}}"),
        ("d003-mlp2-sigmoid-mse", "total", r"\frac{\partial C}{\partial b^{(2)}} = \frac{\partial C}{\partial Z^{(2)}}"),
        ("d001-mlp3-g", "total", r"A^{[2]} = g(Z^{[2]})"),
    ]
    for n, (arch, shorthand, formula) in enumerate(right):
        results = audit_note(tmp_path, f"architecture: {arch}\nshorthand: {shorthand}", formula, f"right{n}.md")
        assert [r.verdict for r in results] == ["correct"], (formula, [(r.verdict, r.reason) for r in results])


@pytest.mark.parametrize("arch_id,act", [("d001-mlp3-g", "tanh"), ("d002-mlp-L-relu-softmax", None),
                                          ("d003-mlp2-sigmoid-mse", None), ("d002-mlp2-tanh-sigmoid", None)])
def test_auditor_truth_equals_generated_closed_forms(arch_id, act):
    """The auditor's complex-step Jacobians and the core's closed forms (through codegen) agree."""
    arch = architectures.get(arch_id)
    depth = 3 if arch.general else None
    sizes = [4, 3, 5, 2] if (arch.general or arch.parameter_layers == 3) else [4, 3, 2]
    net = gradaudit.compile(arch_id, sizes=sizes, depth=depth, activation=act)
    m = 1 if arch.averaging == "single" else 6
    model = NumericModel(arch, depth or arch.parameter_layers, Sizes(tuple(sizes), m), g=act or "tanh")
    params = {k: np.real(model.values[k]) for k in net.init(seed=0)}
    X, Y = np.real(model.values["X"]), np.real(model.values["Y"])
    grads = net.grads(params, X, Y)
    for key, g in grads.items():
        np.testing.assert_allclose(g, model.grad(key), rtol=1e-9, atol=1e-12)
    assert abs(net.loss(params, X, Y) - float(np.real(model.values["J"]))) < 1e-10


@pytest.mark.parametrize("arch,formula,verdict", [
    # one example: z = W a, so dz/da is the matrix W itself (numerator layout)
    ("d003-mlp2-sigmoid-mse", r"\frac{\partial Z^{(2)}}{\partial A^{(1)}} = W^{(2)}", "correct"),
    # the denominator layout W^T is a convention of its own: the factor backpropagation uses
    ("d003-mlp2-sigmoid-mse", r"\frac{\partial Z^{(2)}}{\partial A^{(1)}} = W^{(2)T}", "notation"),
    # m examples: dZ/dA is a 4-index tensor, and W only the factor it contributes
    ("d001-mlp3-g", r"\frac{\partial Z^{[2]}}{\partial A^{[1]}} = W^{[2]}", "notation"),
    ("d003-mlp2-sigmoid-mse", r"\frac{\partial Z^{(2)}}{\partial A^{(1)}} = A^{(1)}", "error"),
    # a leading \therefore is "hence", not something to repair
    ("d003-mlp2-sigmoid-mse", r"\therefore A^{(2)} = \sigma(Z^{(2)})", "correct"),
])
def test_jacobian_layouts(tmp_path, arch, formula, verdict):
    results = audit_note(tmp_path, f"architecture: {arch}", formula)
    assert [r.verdict for r in results] == [verdict], [(r.verdict, r.reason) for r in results]


def test_front_matter_alias_names_a_quantity(tmp_path):
    notes = tmp_path / "alias.md"
    notes.write_text("---\narchitecture: d001-mlp-L-g\nshorthand: per-example\nalias: \\delta^{[l]} = dZ^{[l]}\n---\n"
                     "$$dW^{[l]} = \\frac{1}{m} \\delta^{[l]} A^{[l-1]T}$$\n")
    run = run_cli("check", str(notes), "--format", "json")
    assert run.returncode == 0, run.stdout + run.stderr
    assert [r["verdict"] for r in json.loads(run.stdout)["results"]] == ["correct"]
    notes.write_text("---\narchitecture: d001-mlp-L-g\nalias: \\delta^{[l]}\n---\n$$Z^{[1]} = W^{[1]} X + b^{[1]}$$\n")
    run = run_cli("check", str(notes))
    assert run.returncode == 2 and "alias.md:3" in run.stderr and "Traceback" not in run.stderr, run.stderr


@pytest.mark.parametrize("formula,verdict", [
    (r"W \in \mathbb{R}^{n^{[l]} \times n^{[l-1]}}", "correct"),
    (r"b \in \mathbb{R}^{n^{[l]} \times 1}", "correct"),
    (r"W \in \mathbb{R}^{n^{[l-1]} \times n^{[l]}}", "error"),
    (r"W \in \mathbb{R}^{n^{[2]} \times n^{[1]}}", "unsupported"),   # no l: which W is meant is not said
])
def test_an_unindexed_quantity_in_a_claim_about_layer_l_is_layer_l(tmp_path, formula, verdict):
    results = audit_note(tmp_path, "architecture: d001-mlp3-g", formula)
    assert [r.verdict for r in results] == [verdict], [(r.verdict, r.reason) for r in results]


@pytest.mark.parametrize("arch,formula,verdict,kind", [
    # d/dZ written as an operator on the loss: J moves with Z
    ("d001-mlp-L-g", r"\frac{\partial}{\partial Z^{[L]}} \mathcal{J} = \frac{1}{m}(A^{[L]} - Y)", "correct", None),
    ("d001-mlp-L-g", r"\frac{\partial}{\partial W^{[l]}} J = \frac{\partial J}{\partial Z^{[l]}} A^{[l]T}", "error", "index"),
    # a side condition on the layers restricts the claim to them; without it a hidden-layer formula is notation
    ("d002-mlp-L-relu-sigmoid", r"A^{[l]} = \max(0, Z^{[l]}) \text{ for } l < L", "correct", None),
    ("d002-mlp-L-relu-sigmoid", r"A^{[l]} = \max(0, Z^{[l]}) \quad \text{for } l \le L-1", "correct", None),
    ("d002-mlp-L-relu-sigmoid", r"A^{[l]} = \max(0, Z^{[l]})", "notation", None),
    ("d002-mlp-L-relu-sigmoid", r"A^{[l]} = \sigma(Z^{[l]}) \text{ for } l < L", "error", None),
    # the activation where its derivative belongs
    ("d001-mlp-L-g", r"dZ^{[l]} = dA^{[l]} * g(Z^{[l]})", "error", "factor"),
    # an explicit elementwise product where the shapes need a matrix product
    ("d001-mlp-L-g", r"dA^{[l-1]} = W^{[l]T} \odot dZ^{[l]}", "error", "dimension"),
    # np.sum without keepdims: a row, fine against the row convention's b, a bug against the column one's
    ("d002-mlp-L-relu-sigmoid", r"\frac{\partial J}{\partial b^{[l]}} = np.sum(\frac{\partial J}{\partial Z^{[l]}}, axis=0)", "correct", None),
    ("d001-mlp-L-g", r"db^{[l]} = \frac{1}{m} np.sum(dZ^{[l]}, axis=1)", "error", "dimension"),
    # an index-notation network's whole vectors may be written as columns, z = w^T a + b, or as rows
    ("d004-mlp-L-sigmoid-sse", r"z^{(l)} = w^{(l)T} a^{(l-1)} + b^{(l)}", "correct", None),
    ("d004-mlp-L-sigmoid-sse", r"z^{(l)} = a^{(l-1)} w^{(l)} + b^{(l)}", "correct", None),
    ("d004-mlp-L-sigmoid-sse", r"\frac{\partial C}{\partial w^{(l)}} = a^{(l-1)} (\frac{\partial C}{\partial z^{(l)}})^T", "correct", None),
    ("d004-mlp-L-sigmoid-sse", r"\frac{\partial C}{\partial w^{(l)}} = a^{(l)} (\frac{\partial C}{\partial z^{(l)}})^T", "error", "index"),
    # lowercase z, a, dz in a batch text are one example's vectors (Ng): no 1/m
    ("d001-mlp-L-g", r"dW^{[l]} = dz^{[l]} a^{[l-1]T}", "correct", None),
    ("d001-mlp-L-g", r"db^{[l]} = dz^{[l]}", "correct", None),
    ("d001-mlp-L-g", r"dW^{[l]} = dz^{[l]} a^{[l]T}", "error", "index"),
    # a bias gradient without its sum is informal, unless a written 1/m shows the batch is meant
    ("d001-mlp-L-g", r"db^{[l]} = \frac{1}{m} dZ^{[l]}", "error", "sum"),
    # a sum over i = 1..m of dZ with the example index left off
    ("d002-mlp-L-relu-softmax", r"\frac{\partial J}{\partial b^{[l]}}=\sum_{i=1}^m \frac{\partial J}{\partial Z^{[l]}}", "notation", None),
    ("d002-mlp-L-relu-softmax", r"\frac{\partial J}{\partial b^{[l]}}=\frac{1}{m}\sum_{i=1}^m \frac{\partial J}{\partial Z^{[l]}}", "error", "factor"),
])
def test_operator_derivatives_side_conditions_and_activation_slips(tmp_path, arch, formula, verdict, kind):
    results = audit_note(tmp_path, f"architecture: {arch}\nshorthand: per-example", formula)
    assert [r.verdict for r in results] == [verdict], [(r.verdict, r.reason, r.corrected_latex) for r in results]
    if kind:
        assert kind in {e.kind for r in results for e in r.errors}
    for r in results:   # a correction never defines a quantity by itself (A = max(0, A), dZ = dZ)
        if r.corrected_latex:
            left, right = r.corrected_latex.split(" = ", 1)
            assert left.strip() != right.strip() and left.strip() not in right, r.corrected_latex


def test_corrections_remove_what_is_wrong_instead_of_cancelling_it(tmp_path):
    notes = tmp_path / "fixes.md"
    notes.write_text("---\narchitecture: d001-mlp-L-g\nshorthand: per-example\n---\n"
                     "$$dZ^{[L]} = \\frac{1}{m} (Y - A^{[L]})$$\n\n"
                     "$$dW^{[L]} = \\frac{1}{m^2} dZ^{[L]} A^{[L-1]T}$$\n\n"
                     "$$dW^{[L]} = \\frac{1}{m} \\frac{1}{m} dZ^{[L]} A^{[L-1]T}$$\n")
    fixes = [r.corrected_latex for r in audit_paths([notes]).results]
    assert fixes[0] == r"dZ^{[L]} = A^{[L]} - Y", fixes      # not -(Y - A) and not m-scaled
    assert fixes[1] == r"dW^{[L]} = \frac{1}{m} dZ^{[L]} A^{[L-1]T}", fixes   # 1/m^2 becomes 1/m, not m (1/m^2 ...)
    assert fixes[2] == r"dW^{[L]} = \frac{1}{m} dZ^{[L]} A^{[L-1]T}", fixes   # the extra 1/m taken out, not times m


def test_an_empty_display_does_not_swallow_the_formulas_after_it(tmp_path):
    notes = tmp_path / "empty.md"
    notes.write_text("---\narchitecture: d001-mlp-L-g\nshorthand: per-example\n---\n$$$$\n$$dZ^{[L]} = Y - A^{[L]}$$\n")
    run = run_cli("check", str(notes), "--format", "json")
    results = json.loads(run.stdout)["results"]
    assert [(r["line"], r["verdict"]) for r in results] == [(5, "unsupported"), (6, "error")], results


@pytest.mark.parametrize("head,formula,verdict", [
    # L alone on a side is the loss, not the depth
    ("architecture: activations\nactivation: softmax\nsubscript: index", r"L = -\sum_{i=1}^{C} y_i \log(a_i)", "correct"),
    ("architecture: d002-mlp-L-relu-softmax", r"\mathcal{L} = -\sum Y \odot \log A^{[L]}", "correct"),
    # C in a limit or an index is the number of classes
    ("architecture: activations\nactivation: softmax\nsubscript: index", r"\sum_{i=1}^{C-1} a_i = 1 - a_C", "correct"),
    ("architecture: activations\nactivation: softmax\nsubscript: index", r"\sum_{i=1}^{C-1} a_i = a_C", "error"),
    # cases with two explicit conditions and no 'otherwise'
    ("architecture: d002-mlp-L-relu-softmax",
     r"\frac{\partial J}{\partial Z^{[1]}} = \frac{\partial J}{\partial A^{[1]}} \odot \begin{cases} 1 & \text{if } Z^{[1]}>0 \\ 0 & \text{if } Z^{[1]} \le 0\end{cases}",
     "correct"),
    # an alias written for layer l names every layer
    ("architecture: d001-mlp-L-g\nshorthand: per-example\nalias: \\delta^{[l]} = dZ^{[l]}",
     r"\delta^{[l]} = W^{[l+1]T}\delta^{[l+1]} * g'(Z^{[l]})", "correct"),
    ("architecture: d001-mlp-L-g\nshorthand: per-example\nalias: \\delta^{[l]} = dZ^{[l]}",
     r"dW^{[L]} = \frac{1}{m} \delta^{[L]} A^{[L-1]T}", "correct"),
    ("architecture: d001-mlp-L-g\nshorthand: per-example\nalias: \\delta^{[l]} = dZ^{[l]}",
     r"\delta^{[l]} = W^{[l+1]T}\delta^{[l+1]} * g'(Z^{[l+1]})", "error"),
    # g in the activations system is the section's activation
    ("architecture: activations\nactivation: sigmoid", r"g'(z) = g(z)(1 - g(z))", "correct"),
    ("architecture: activations\nactivation: relu", r"g(z) = \max(0, z)", "correct"),
    # a length the text names only as a sum's limit, and the entry it indexes
    ("architecture: activations\nactivation: softmax", r"\sum_{i=1}^{n-1} a_i = 1 - a_n", "correct"),
    ("architecture: activations\nactivation: softmax", r"\sum_{i=1}^{K-1} a_i = a_K", "error"),
    # where dA is per example, \mathcal{L} is one example's loss (J averages it)
    ("architecture: d001-mlp-L-g\nshorthand: per-example", r"dZ^{[L]} = \frac{\partial \mathcal{L}}{\partial Z^{[L]}}", "correct"),
    ("architecture: d001-mlp-L-g\nshorthand: per-example", r"dZ^{[L]} = \frac{\partial \mathcal{J}}{\partial Z^{[L]}}", "error"),
    # Z_i in the row convention is example i's row
    ("architecture: d002-mlp-L-relu-softmax", r"\frac{\partial J}{\partial b^{[l]}} = \sum_{i=1}^{m} \frac{\partial J}{\partial Z^{[l]}_{i}}", "correct"),
    ("architecture: d002-mlp-L-relu-softmax", r"\frac{\partial J}{\partial b^{[l]}} = \frac{1}{m}\sum_{i=1}^{m} \frac{\partial J}{\partial Z^{[l]}_{i}}", "error"),
])
def test_loss_names_class_counts_cases_and_layer_aliases(tmp_path, head, formula, verdict):
    results = audit_note(tmp_path, head, formula)
    assert [r.verdict for r in results] == [verdict], [(r.verdict, r.reason, r.corrected_latex) for r in results]


def test_update_rules_with_eta_and_their_corrections(tmp_path):
    notes = tmp_path / "update.md"
    notes.write_text("---\narchitecture: d001-mlp-L-g\nshorthand: per-example\n---\n"
                     "$$W^{[l]} := W^{[l]} - \\eta \\, dW^{[l]}$$\n\n$$W^{[l]} := W^{[l]} + \\eta \\, dW^{[l]}$$\n")
    right, climbs = audit_paths([notes]).results
    assert right.verdict == "correct", right.reason
    assert climbs.verdict == "error" and climbs.errors[0].kind == "sign"
    assert climbs.corrected_latex == r"W^{[l]} = W^{[l]} - \eta dW^{[l]}", climbs.corrected_latex   # no W_{new}


def test_the_activations_system_must_name_its_activation(tmp_path):
    notes = tmp_path / "act.md"
    notes.write_text("---\narchitecture: activations\n---\n$$\\frac{dA}{dZ} = 1 - A^2$$\n")
    run = run_cli("check", str(notes))
    assert run.returncode == 2 and "act.md:2" in run.stderr and "needs an activation" in run.stderr, run.stderr


def test_notes_as_editors_and_notebooks_write_them(tmp_path):
    """BOM and CRLF, \\[ \\] and bare align, code that shows a $$, a continued aligned line, '\\quad\\text{and}\\quad'."""
    notes = tmp_path / "notes.md"
    body = ("---\narchitecture: d001-mlp-L-g\nshorthand: per-example\n---\n"
            "Write `$$` for display math.\n\n```\nprint('$$')\n```\n\n"
            "\\[dZ^{[L]} = Y - A^{[L]}\\]\n\n"
            "\\begin{align}\ndW^{[L]} &= \\frac{1}{m} dZ^{[L]} A^{[L-1]T} \\quad \\text{and} \\quad db^{[L]} = \\frac{1}{m} np.sum(dZ^{[L]}, axis=1, keepdims=True)\n\\end{align}\n\n"
            "$$\\mathcal{J} = -\\frac{1}{m} \\sum (Y \\log A^{[L]} \\\\ + (1 - Y) \\log(1 - A^{[L]}))$$\n")
    notes.write_bytes(b"\xef\xbb\xbf" + body.replace("\n", "\r\n").encode())
    run = run_cli("check", str(notes), "--format", "json")
    assert run.returncode == 1, run.stderr
    got = [(r["line"], r["verdict"]) for r in json.loads(run.stdout)["results"]]
    assert got == [(11, "error"), (13, "correct"), (13, "correct"), (17, "correct")], got


def test_notebook_formulas_are_located_by_cell(tmp_path):
    import nbformat
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("---\narchitecture: d001-mlp-L-g\nshorthand: per-example\n---\n# notes"),
                nbformat.v4.new_code_cell("x = 1"),
                nbformat.v4.new_markdown_cell("text\n\n$$dZ^{[L]} = Y - A^{[L]}$$")]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, str(path))
    run = run_cli("check", str(path), "--format", "json")
    (result,) = json.loads(run.stdout)["results"]
    assert result["source"] == "cell 3, line 3" and result["verdict"] == "error", result


def test_a_near_miss_front_matter_key_is_refused_others_are_left_alone(tmp_path):
    notes = tmp_path / "typo.md"
    notes.write_text("---\narchitecture: d001-mlp-L-g\nnotaton: strict\nauthor: me\n---\n$$Z^{[1]} = W^{[1]} X + b^{[1]}$$\n")
    run = run_cli("check", str(notes))
    assert run.returncode == 2 and "typo.md:3" in run.stderr and "did you mean 'notation'" in run.stderr, run.stderr
    notes.write_text("---\narchitecture: d001-mlp-L-g\nauthor: me\ndate: 2026\n---\n$$Z^{[1]} = W^{[1]} X + b^{[1]}$$\n")
    assert run_cli("check", str(notes)).returncode == 0


@pytest.mark.parametrize("command", ["check", "explain", "coverage", "list", "derive", "codegen", "train"])
def test_every_command_prints_its_help(command):
    """A '%' in a help text is argparse's format character: `check -h` crashed on the '% gradaudit:' header."""
    run = run_cli(command, "-h")
    assert run.returncode == 0 and "usage: gradaudit" in run.stdout, run.stderr
