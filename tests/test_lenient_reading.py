"""LaTeX as people write it in their notes (issue 20's lenient reading, issue 13's standard notations), audited
as a user audits it: one note per formula through `gradaudit check`. Each construct has a right formula (read as
a careful reader reads it: `correct`, or `notation` where the parser repaired the LaTeX) and, where the construct
carries meaning, a wrong formula of the same shape (`error` with its kind). What cannot be read is `unsupported`
with a sentence about the formula, never a parser's 'unexpected ... at position ...'."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gradaudit.audit.runner import audit_paths
from gradaudit.notation import ast as N
from gradaudit.notation.parser import parse

ROOT = Path(__file__).resolve().parents[1]
NG = "architecture: d001-mlp-L-g\nshorthand: per-example"            # deeplearning.ai, column layout, [l]
RELU = "architecture: d002-mlp-L-relu-sigmoid"                        # ReLU hidden layers, row layout
NIELSEN = "architecture: d004-mlp-L-sigmoid-sse\nsuperscript: layer"  # sigmoid, quadratic cost, z^l
SOFTMAX = "architecture: activations\nactivation: softmax\nsubscript: index"   # one softmax, a_j, z_j, y_j


def audit(tmp_path, front: str, body: str):
    notes = tmp_path / "notes.md"
    notes.write_text(f"---\n{front}\n---\n{body}\n")
    return audit_paths([notes]).results


def verdicts(tmp_path, front: str, formula: str):
    results = audit(tmp_path, front, f"$${formula}$$")
    return results, [r.verdict for r in results]


# (front matter, formula, verdicts, error kind or None); one line per reading a careful reader makes
CASES = [
    # sizing and spacing macros only set how the formula looks
    (NG, r"{\Large dZ^{[L]} = A^{[L]} - Y}", ["correct"], None),
    (NG, r"{\Large dZ^{[L]} = Y - A^{[L]}}", ["error"], "sign"),
    (NG, r"dZ^{[L]} = \big( A^{[L]} - Y \big)", ["correct"], None),
    (NG, r"dZ^{[L]} = \Big( A^{[L]} - Y \Big) \displaystyle", ["correct"], None),
    (NG, r"dW^{[l]} = \frac{1}{m} \; dZ^{[l]} \, A^{[l-1]T} \! \quad", ["correct"], None),
    (NG, r"dW^{[l]} = \frac{1}{m} \; dZ^{[l]} \, A^{[l]T}", ["error"], "index"),
    # a name in braces is the name
    (NG, r"A^{[l]} = {g}^{[l]}(Z^{[l]})", ["correct"], None),
    (NG, r"A^{[l]} = {g}^{[l]}(A^{[l]})", ["error"], None),
    (NG, r"dZ^{[l]} = {dA}^{[l]} * g'(Z^{[l]})", ["correct"], None),
    (NG, r"dZ^{[l]} = {dA}^{[l]} * g(Z^{[l]})", ["error"], "factor"),
    (NG, r"dZ^{[l]} = (dA + 0)^{[l]} * g'(Z^{[l]})", ["unsupported"], None),    # a layer on a sum: not a name
    # a layer index without its '^' is a repair: right becomes notation, wrong stays an error
    (NG, r"Z^{[l]} = W[l] A[l-1] + b[l]", ["notation"], None),
    (NG, r"Z^{[l]} = W^{[l]} A^{[l-1]} + b[l]", ["notation"], None),
    (NG, r"Z^{[l]} = W[l] A[l] + b[l]", ["error"], None),
    (NG, r"dW[l] = \frac{1}{m} dZ[l] A[l-1]^T", ["notation"], None),
    (NG, r"dW^{[l]} = \frac{1}{m} dZ^{[l]} A^{[l-1]}^T", ["notation"], None),
    (NG, r"dW^{[l]} = \frac{1}{m} dZ^{[l]} A^{[l]}^T", ["error"], "index"),
    # ':' and ';' inside a display: a shape annotation, and two statements
    (NG, r"A^{[l]} : (n^{[l]}, m)", ["correct"], None),
    (NG, r"A^{[l]} : (m, n^{[l]})", ["error"], None),
    (NG, r"W^{[l]} : n^{[l]} \times n^{[l-1]}", ["correct"], None),
    (NG, r"W^{[l]} : n^{[l-1]} \times n^{[l]}", ["error"], None),
    # 001's dimension tables, as a note writes them
    ("architecture: d001-mlp3-g", r"dW^{[3]} : n^{[3]}\times n^{[2]}", ["correct"], None),
    ("architecture: d001-mlp3-g", r"db^{[2]} : n^{[2]}\times 1", ["correct"], None),
    ("architecture: d001-mlp3-g", r"dW^{[2]} : n^{[1]}\times n^{[2]}", ["error"], None),
    (NG, r"W^{[L-1]} : n^{[L-1]}\times n^{[L-2]}", ["correct"], None),
    (NG, r"dZ^{[L]} = A^{[L]} - Y:", ["correct"], None),            # a colon ending the line is punctuation
    (NG, r"A^{[l]} : \text{the activations}", ["unsupported"], None),  # a name and prose: no claim
    (NG, r"dZ^{[l]} = dA^{[l]} * g'(Z^{[l]}); \quad dW^{[l]} = \frac{1}{m} dZ^{[l]} A^{[l-1]T}",
     ["correct", "correct"], None),
    (NG, r"dZ^{[l]} = dA^{[l]} * g'(Z^{[l]}); \quad dW^{[l]} = \frac{1}{m} dZ^{[l]} A^{[l]T}",
     ["correct", "error"], "index"),
    # a shape written as a tuple is a shape claim
    (NG, r"W^{[l]} = (n^{[l]}, n^{[l-1]})", ["correct"], None),
    (NG, r"b^{[l]} = (n^{[l]}, 1)", ["correct"], None),
    (NG, r"W^{[l]} = (n^{[l-1]}, n^{[l]})", ["error"], None),
    # a prime after a bracketed superscript
    (NG, r"dZ^{[l]} = dA^{[l]} * g^{[l]'}(Z^{[l]})", ["correct"], None),
    (NG, r"dZ^{[l]} = dA^{[l]} * {g^{[l]}}'(Z^{[l]})", ["correct"], None),
    (NG, r"dZ^{[l]} = dA^{[l]} * {g^{[l]}}'(Z^{[l-1]})", ["error"], None),
    # unbalanced brackets a reader repairs without noticing
    (NG, r"Z^{[l]} = W^{[l]} A^{[l-1} + b^{[l]}", ["notation"], None),
    (NG, r"Z^{[l]} = W^{[l]} A^{l-1]} + b^{[l]}", ["notation"], None),
    (NG, r"dW^{[l]} = \frac{1}{m} dZ^{[l]} A^{[l-1]T", ["notation"], None),
    (NG, r"Z^{[l]} = W^{[l]} A^{[l} + b^{[l]}", ["error"], None),
    (NG, r"Z^{[l]} = W^[l] A^[l-1] + b^[l]", ["notation"], None),
    # \text{, where ...} and \text{, for ...}: prose after the formula
    (NG, r"dZ^{[L]} = A^{[L]} - Y \text{, where } Y \text{ holds the labels}", ["correct"], None),
    (RELU, r"A^{[l]} = \max(0, Z^{[l]}) \text{, for } l < L", ["correct"], None),
    # prose before the mathematics is a heading; code's .shape and np.divide are what they compute
    (NG, r"\text{Forward: } Z^{[l]} = W^{[l]} A^{[l-1]} + b^{[l]}", ["correct"], None),
    (NG, r"\textbf{Backward:} \quad dZ^{[L]} = Y - A^{[L]}", ["error"], "sign"),
    (NG, r"W^{[l]}.shape = (n^{[l]}, n^{[l-1]})", ["correct"], None),
    (NG, r"W^{[l]}.shape == (n^{[l-1]}, n^{[l]})", ["error"], None),
    (NG, r"dA^{[L]} = - (np.divide(Y, A^{[L]}) - np.divide(1 - Y, 1 - A^{[L]}))", ["correct"], None),
    (NG, r"dA^{[L]} = np.divide(Y, A^{[L]}) - np.divide(1 - Y, 1 - A^{[L]})", ["error"], "sign"),
    (NG, r"dZ^{[l]} = np.multiply(dA^{[l]}, g'(Z^{[l]}))", ["correct"], None),
    (NG, r"dA^{[l-1]} = np.dot(W^{[l]T}, dZ^{[l]})", ["correct"], None),
    # the per-example loss and cost
    (NG, r"L^{(i)} = -(y^{(i)} \log a^{[L](i)} + (1 - y^{(i)}) \log(1 - a^{[L](i)}))", ["correct"], None),
    (NG, r"L^{(i)} = y^{(i)} \log a^{[L](i)} + (1 - y^{(i)}) \log(1 - a^{[L](i)})", ["error"], None),
    (NG, r"\mathcal{L} = -(y \log \hat{y} + (1 - y) \log(1 - \hat{y}))", ["correct"], None),
    (NG, r"J = \frac{1}{m} \sum_{i=1}^{m} \mathcal{L}(\hat{y}^{(i)}, y^{(i)})", ["correct"], None),
    (NG, r"J = \frac{1}{m} \sum_{i=1}^{m} L^{(i)}", ["correct"], None),
    (NG, r"J = \sum_{i=1}^{m} L^{(i)}", ["error"], None),
    (NG, r"dz^{[L](i)} = a^{[L](i)} - y^{(i)}", ["correct"], None),
    (NG, r"dz^{[L](i)} = y^{(i)} - a^{[L](i)}", ["error"], "sign"),
    (NG, r"dW^{[l]} = dz^{[l](i)} a^{[l-1](i)T}", ["correct"], None),
    (NG, r"J = -\frac{1}{m} \sum_{i=1}^{m} (y^{(i)} \log a^{[L](i)} + (1 - y^{(i)}) \log(1 - a^{[L](i)}))", ["correct"], None),
    (NG, r"J = -\sum_{i=1}^{m} (y^{(i)} \log a^{[L](i)} + (1 - y^{(i)}) \log(1 - a^{[L](i)}))", ["error"], "factor"),
    (NG, r"dW^{[l]} = \frac{1}{m} \sum_{i=1}^{m} dz^{[l](i)} a^{[l-1](i)T}", ["correct"], None),
    (NG, r"dW^{[l]} = \frac{1}{m} \sum_{i=1}^{m} dz^{[l](i)} a^{[l](i)T}", ["error"], "index"),
    (NG, r"db^{[l]} = \frac{1}{m} \sum_{i=1}^{m} dZ^{[l](i)}", ["correct"], None),
    (NG, r"db^{[l]} = \sum_{i=1}^{m} dZ^{[l](i)}", ["error"], "factor"),
    (NG, r"W^{(i)} = W^{[l]}", ["unsupported"], None),
    # functions named in words
    (RELU, r"A^{[l]} = ReLU(Z^{[l]}) \text{ for } l < L", ["correct"], None),
    (RELU, r"A^{[l]} = ReLu(Z^{[l]}) \text{ for } l < L", ["correct"], None),
    (RELU, r"A^{[l]} = \text{ReLU}(Z^{[l]}) \text{ for } l < L", ["correct"], None),
    (RELU, r"A^{[l]} = \operatorname{relu}(Z^{[l]}) \text{ for } l < L", ["correct"], None),
    (RELU, r"A^{[l]} = \mathrm{Relu}(Z^{[l]}) \text{ for } l < L", ["correct"], None),
    (RELU, r"A^{[l]} = ReLU(A^{[l-1]}) \text{ for } l < L", ["error"], None),
    (RELU, r"A^{[L]} = Sigmoid(Z^{[L]})", ["correct"], None),
    # the primitive table's leaky ReLU, named in words: not the ReLU this network declares
    (RELU, r"A^{[l]} = \text{leaky ReLU}(Z^{[l]}) \text{ for } l < L", ["error"], None),
    (RELU, r"dZ^{[l]} = dA^{[l]} * sign(Z^{[l]})", ["unsupported"], None),
    # issue 13: bold and vector names are the plain letter
    (NG, r"\mathbf{Z}^{[l]} = \mathbf{W}^{[l]} \mathbf{A}^{[l-1]} + \mathbf{b}^{[l]}", ["correct"], None),
    (NG, r"\boldsymbol{Z}^{[l]} = \boldsymbol{W}^{[l]} \boldsymbol{A}^{[l]} + \boldsymbol{b}^{[l]}", ["error"], None),
    (NIELSEN, r"\bm{z}^l = (\bm{w}^l)^T \bm{a}^{l-1} + \bm{b}^l", ["correct"], None),
    (NIELSEN, r"\vec{z}^l = (\vec{w}^l)^T \vec a^{l-1} + \vec{b}^l", ["correct"], None),
    (NIELSEN, r"\vec{z}^l = (\vec{w}^l)^T \vec a^{l} + \vec{b}^l", ["error"], None),
    # transposes
    (NG, r"dW^{[l]} = \frac{1}{m} dZ^{[l]} (A^{[l-1]})^\top", ["correct"], None),
    (NG, r"dW^{[l]} = \frac{1}{m} dZ^{[l]} (A^{[l-1]})^{\top}", ["correct"], None),
    (NG, r"dW^{[l]} = \frac{1}{m} dZ^{[l]} (A^{[l-1]})^\intercal", ["correct"], None),
    (NG, r"dW^{[l]} = \frac{1}{m} dZ^{[l]} (A^{[l-1]})^{\mathsf{T}}", ["correct"], None),
    (NG, r"dW^{[l]} = \frac{1}{m} dZ^{[l]} A^{[l-1]^{\top}}", ["correct"], None),
    (NG, r"dA^{[l-1]} = W^{[l]\mathsf{T}} dZ^{[l]}", ["correct"], None),
    (NG, r"dA^{[l-1]} = dZ^{[l]} (W^{[l]})^{\mathsf{T}}", ["error"], None),
    (NG, r"dW^{[l]} = \frac{1}{m} dZ^{[l]} A^{[l-1]}{}^T", ["correct"], None),
    (NG, r"dW^{[l]} = \frac{1}{m} dZ^{[l]} {A^{[l-1]}}^{\top}", ["correct"], None),
    (NG, r"\frac{\mathrm{d} J}{\mathrm{d} W^{[l]}} = \frac{1}{m} \mathrm{d}Z^{[l]} A^{[l-1]T}", ["correct"], None),
    (NG, r"\frac{\mathrm{d} J}{\mathrm{d} W^{[l]}} = \mathrm{d}Z^{[l]} A^{[l-1]T}", ["error"], "factor"),
    # \operatorname{diag}(v) M and \dot\sigma
    (NIELSEN, r"\frac{\partial C}{\partial z^L} = \operatorname{diag}(\sigma'(z^L)) (a^L - y)", ["correct"], None),
    (NIELSEN, r"\frac{\partial C}{\partial z^L} = \operatorname{diag}(\sigma'(z^L)) (y - a^L)", ["error"], "sign"),
    (NIELSEN, r"\frac{\partial C}{\partial z^L} = (a^L - y) \odot \dot\sigma(z^L)", ["correct"], None),
    (NIELSEN, r"\frac{\partial C}{\partial z^L} = (a^L - y) \odot \dot{\sigma}(z^{L-1})", ["error"], None),
    # updates written with \leftarrow, \gets and :=
    (NG, r"W^{[l]} \leftarrow W^{[l]} - \alpha \, dW^{[l]}", ["correct"], None),
    (NG, r"b^{[l]} \gets b^{[l]} - \eta \, db^{[l]}", ["correct"], None),
    (NG, r"W^{[l]} \leftarrow W^{[l]} + \alpha \, dW^{[l]}", ["error"], "sign"),
    # the gradient written with \nabla
    (NIELSEN, r"\nabla_a C = a^L - y", ["correct"], None),
    (NIELSEN, r"\nabla_a C = y - a^L", ["error"], "sign"),
    (NIELSEN, r"\frac{\partial C}{\partial z^L} = \nabla_a C \odot \sigma'(z^L)", ["correct"], None),
    (NG, r"\nabla_{W^{[l]}} J = \frac{1}{m} dZ^{[l]} A^{[l-1]T}", ["correct"], None),
    (NG, r"\nabla_{\boldsymbol{W}^{[l]}} J = dZ^{[l]} A^{[l-1]T}", ["error"], "factor"),
    (NG, r"\nabla_{\boldsymbol{A}^{[l]}} J = \frac{1}{m} dA^{[l]}", ["correct"], None),
    # CS231n: indicator masks, ones vectors, norms
    (RELU, r"\frac{\partial J}{\partial Z^{[l]}} = \frac{\partial J}{\partial A^{[l]}} \odot \mathbb{1}(Z^{[l]} > 0) \text{ for } l < L",
     ["correct"], None),
    (RELU, r"\frac{\partial J}{\partial Z^{[l]}} = \frac{\partial J}{\partial A^{[l]}} \odot \mathbf{1}[Z^{[l]} > 0] \text{ for } l < L",
     ["correct"], None),
    (RELU, r"\frac{\partial J}{\partial Z^{[l]}} = \frac{\partial J}{\partial A^{[l]}} \odot \mathbb{1}(Z^{[l]} < 0) \text{ for } l < L",
     ["error"], None),
    (SOFTMAX, r"\frac{\partial L}{\partial z_j} = a_j - \mathbb{1}[j = y]", ["correct"], None),
    (SOFTMAX, r"\frac{\partial L}{\partial z_j} = a_j - \mathbb{1}(y = j)", ["correct"], None),
    (SOFTMAX, r"\frac{\partial L}{\partial z_j} = \mathbb{1}[j = y] - a_j", ["error"], "sign"),
    (NG, r"db^{[l]} = \frac{1}{m} dZ^{[l]} \mathbf{1}", ["correct"], None),
    (NG, r"db^{[l]} = dZ^{[l]} \mathbf{1}", ["error"], "factor"),
    (RELU, r"\frac{\partial J}{\partial b^{[l]}} = \mathbf{1}^T \frac{\partial J}{\partial Z^{[l]}}", ["correct"], None),
    (NIELSEN, r"C = \frac{1}{2} \|y - a^L\|^2", ["correct"], None),
    (NIELSEN, r"C = \frac{1}{2} \left\| y - a^L \right\|_2^2", ["correct"], None),
    (NIELSEN, r"C = \|y - a^L\|^2", ["error"], "factor"),
    # a layer written as a subscript, in a section that says so
    ("architecture: d001-mlp-L-g\nshorthand: per-example\nsubscript: layer", r"Z_l = W_l A_{l-1} + b_l", ["correct"], None),
    ("architecture: d001-mlp-L-g\nshorthand: per-example\nsubscript: layer", r"Z_l = W_l A_l + b_l", ["error"], None),
]


@pytest.mark.parametrize("front,formula,expected,kind", CASES, ids=[c[1][:60] for c in CASES])
def test_lenient_construct(tmp_path, front, formula, expected, kind):
    results, got = verdicts(tmp_path, front, formula)
    assert got == expected, [(r.verdict, r.claim, r.reason, [e.kind for e in r.errors]) for r in results]
    if kind:
        assert kind in {e.kind for r in results for e in r.errors}, [(e.kind, e.detail) for r in results for e in r.errors]
    for r in results:
        assert "position" not in r.reason and "expected one of" not in r.reason, r.reason


@pytest.mark.parametrize("front,formula,sentence", [
    (NG, r"A^{[l]}[:, i] = g(Z^{[l]}[:, i])", "slice"),
    (NG, r": A^{[l]}", "no shape"),
    (NG, r"A^{[l]} : \sigma(Z^{[l]})", "not a shape"),
    (RELU, r"dZ^{[l]} = dA^{[l]} * sign(Z^{[l]})", "sign"),
    (RELU, r"A^{[l]} = f(Z^{[l]})", "function f"),   # with g declared, f is its letter (test_note_readings)
    (SOFTMAX, r"\frac{\partial L_i}{\partial z_j} = a_j - \mathbb{1}[j = y_i]", "class label"),
])
def test_what_cannot_be_read_says_so_in_a_sentence(tmp_path, front, formula, sentence):
    results, got = verdicts(tmp_path, front, formula)
    assert got == ["unsupported"], [(r.verdict, r.reason) for r in results]
    assert sentence in results[0].reason and "position" not in results[0].reason, results[0].reason


def test_a_definition_names_the_quantity_for_the_formulas_after_it(tmp_path):
    """Nielsen's \\delta^l_j \\equiv \\partial C / \\partial z^l_j, used in component and vector form afterwards."""
    body = "\n\n".join(f"$${f}$$" for f in [
        r"\delta^l_j \equiv \frac{\partial C}{\partial z^l_j}",
        r"\delta^L = \nabla_a C \odot \sigma'(z^L)",
        r"\delta^L_j = \frac{\partial C}{\partial a^L_j} \sigma'(z^L_j)",
        r"\frac{\partial C}{\partial b^l_j} = \delta^l_j",
        r"\delta^L = \nabla_a C \odot \sigma'(a^L)",
        r"\frac{\partial C}{\partial b^l} = \delta^{l+1}",
    ])
    results = audit(tmp_path, NIELSEN, body)
    assert [r.verdict for r in results] == ["correct"] * 4 + ["error"] * 2, [(r.verdict, r.reason) for r in results]
    assert [e.kind for e in results[5].errors] == ["index"]


@pytest.mark.parametrize("relation", [r"\triangleq", ":=", r"\coloneqq"])
def test_definitions_written_any_way_name_a_quantity(tmp_path, relation):
    body = f"$$\\delta^{{[l]}} {relation} dZ^{{[l]}}$$\n\n$$dW^{{[l]}} = \\frac{{1}}{{m}} \\delta^{{[l]}} A^{{[l-1]T}}$$\n"
    results = audit(tmp_path, NG, body)
    assert [r.verdict for r in results] == ["correct", "correct"], [(r.verdict, r.reason) for r in results]


def test_a_definition_at_the_output_layer_names_only_that_layer(tmp_path):
    body = ("$$\\delta^{[L]} := dZ^{[L]}$$\n\n$$\\delta^{[L]} = A^{[L]} - Y$$\n\n"
            "$$dW^{[l]} = \\frac{1}{m} \\delta^{[l]} A^{[l-1]T}$$\n")
    results = audit(tmp_path, NG, body)
    assert [r.verdict for r in results] == ["correct", "correct", "unsupported"], \
        [(r.verdict, r.reason) for r in results]


def test_an_update_is_not_a_definition(tmp_path):
    """W := W - alpha dW names nothing: W is the network's, and the update is checked."""
    body = "$$W^{[l]} := W^{[l]} + \\alpha dW^{[l]}$$\n\n$$dW^{[l]} = \\frac{1}{m} dZ^{[l]} A^{[l-1]T}$$\n"
    results = audit(tmp_path, NG, body)
    assert [r.verdict for r in results] == ["error", "correct"], [(r.verdict, r.reason) for r in results]


def test_lenient_reading_through_the_command_line(tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text("---\narchitecture: d001-mlp-L-g\nshorthand: per-example\n---\n"
                     "$$Z^{[l]} = W[l] A[l-1] + b[l]$$\n\n$$A^{[l]} : (n^{[l]}, m)$$\n\n"
                     "$${\\Large dZ^{[L]} = Y - A^{[L]}}$$\n")
    run = subprocess.run([sys.executable, "-m", "gradaudit", "check", str(notes), "--format", "json"],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 1, run.stdout + run.stderr
    results = json.loads(run.stdout)["results"]
    assert [r["verdict"] for r in results] == ["notation", "correct", "error"], results
    assert "without '^'" in results[0]["reason"]


@pytest.mark.parametrize("latex,expected", [
    (r"\|W\|_F^2", N.Sum(N.Mul((N.Sym("W"), N.Sym("W")), "odot"), style="np")),
    (r"dZ \mathbf{1}", N.Sum(N.Shorthand(N.Sym("Z")), axis=1, keepdims=True, style="np")),
    (r"\mathbb{1}[j = k]", N.Cases(((N.Num(1), N.Rel("=", N.Sym("j"), N.Sym("k"))), (N.Num(0), None)))),
    (r"\mathbb{1}(j = k)", N.Cases(((N.Num(1), N.Rel("=", N.Sym("j"), N.Sym("k"))), (N.Num(0), None)))),
    (r"\mathbf{1}_{Z > 0}", N.Cases(((N.Num(1), N.Rel(">", N.Sym("Z"), N.Num(0))), (N.Num(0), None)))),
    (r"\mathbb{1}[j = y]", N.Sym("y", index=(N.Sym("j"),))),
    (r"f'(a^{(k)})", N.Call("f", (N.Sym("a", layer=N.Sym("k"), style="()"),), prime=1)),
    (r"\nabla_{W^{(k)}} J", N.Deriv(N.Sym("J"), N.Sym("W", layer=N.Sym("k"), style="()"))),
    (r"a^{[l](i)}", N.Sym("a", layer=N.Sym("l"), style="[]")),
    (r"dZ^{[l](i)}", N.Shorthand(N.Sym("z", layer=N.Sym("l"), style="[]"))),
    (r"w^l_{jk}", N.Sym("w", layer=N.Sym("l"), index=(N.Sym("j"), N.Sym("k")), style="^")),
])
def test_standard_notations_parse_to_the_index_ast(latex, expected):
    (statement,) = parse(latex).statements
    assert statement.steps == (expected,)


def test_words_are_names_on_evidence():
    """ab is a times b in italic mathematics; a run of letters is one name only on evidence (words.words_in)."""
    from gradaudit.notation.parser import parse
    from gradaudit.notation.words import reading_words, words_in
    assert words_in([r"\frac{\partial loss}{\partial scores_0}"]) == {"loss", "scores"}
    assert words_in([r"\mathit{h1_0} W1 + W2"]) == {"h1", "W1", "W2"}
    assert words_in([r"W x + b", r"\frac{\partial}{\partial x}(ab)", r"dW = dZ X^T", r"ReLU(z) = \max(0, z)"]) == set()
    assert parse(r"ab").statements[0].steps[0] == parse(r"a b").statements[0].steps[0]
    with reading_words({"ab"}):
        assert parse(r"ab").statements[0].steps[0] == parse(r"\mathit{ab}").statements[0].steps[0]
    # \log{(x)} is \log(x); a sentence's comma at a line's end is punctuation; \partial{} is \partial
    assert parse(r"\log{(1 + x)}").statements == parse(r"\log(1 + x)").statements
    assert parse("a = b, \\\\ c = d").statements == parse("a = b \\\\ c = d").statements
    assert parse(r"\frac{\partial{}}{\partial{x}}(x y)").statements == parse(r"\frac{\partial}{\partial x}(x y)").statements


def test_the_partial_of_a_model_at_its_input():
    """\\frac{\\partial h_\\theta(x)}{\\partial \\theta_j}: the \\partial of a numerator is of all written after it there, the
    model h_\\theta applied to x (the parser reads h_\\theta (x) as a product); it was 'cannot parse' (probe 5)."""
    node = parse(r"a = \frac{\partial h_\theta(x)}{\partial \theta_j}").statements[0].steps[1]
    assert isinstance(node, N.Deriv) and isinstance(node.num, N.Mul) and node.num.factors[1] == N.Sym("x")


@pytest.mark.parametrize("formula,expected", [
    (r"\frac{\partial h_\theta(x)}{\partial \theta_j} = x_j", ["correct"]),
    (r"\frac{\partial h_\theta(x)}{\partial \theta_j} = \theta_j x_j", ["error"]),
])
def test_the_derivative_of_the_hypothesis(tmp_path, formula, expected):
    notes = tmp_path / "notes.md"
    notes.write_text("$$h_\\theta(x) = \\theta^T x$$\n\n$$J(\\theta) = \\frac{1}{2m} \\sum_{i=1}^{m} "
                     "\\left( h_\\theta(x^{(i)}) - y^{(i)} \\right)^2$$\n\n" + f"$${formula}$$\n")
    assert [r.verdict for r in audit_paths([notes]).results][2:] == expected


@pytest.mark.parametrize("latex,index", [
    (r"w_{j0}", (N.Sym("j"), N.Num(0))),            # Bishop's bias: the weight from unit 0 (fixed at 1) into unit j
    (r"w^{(2)}_{k0}", (N.Sym("k"), N.Num(0))),
    (r"a_{i1}", (N.Sym("i"), N.Num(1))),
])
def test_a_unit_letter_and_a_digit_are_two_indices(latex, index):
    assert parse(latex).statements[0].steps[0].index == index


def test_a_number_before_a_letter_stays_an_index_expression():
    assert len(parse(r"x_{2k}").statements[0].steps[0].index) == 1
