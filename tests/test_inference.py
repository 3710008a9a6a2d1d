"""Notes with no front matter: the network is inferred from their own forward pass and loss (issue 14).

Each note of tests/inferred/ is written in one notation family from the texts' formulas, with right formulas
and realistic slips. Every verdict below was worked out by hand (the reason says why); the same notes with
the inferred network pasted as front matter, as the report invites, must give the same verdicts.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).parent / "inferred"

C, N, E, U = "correct", "notation", "error", "unsupported"
PINS = {
    "dlai_two_layer.md": {
        "f1": (C, "Z1 = W1 X + b1: the forward pass defines the network"), "f2": (C, "A1 = tanh(Z1)"),
        "f3": (C, "Z2 = W2 A1 + b2"), "f4": (C, "A2 = sigma(Z2)"), "f5": (C, "the mean binary cross-entropy"),
        "f6": (C, "dZ2 = A2 - Y: sigmoid + BCE, per example"), "f7": (C, "dW2 = 1/m dZ2 A1^T"),
        "f8": (C, "db2 = 1/m row sums of dZ2"), "f9": (C, "tanh' = 1 - A1^2"), "f10": (C, "dW1 = 1/m dZ1 X^T"),
        "f11": (E, "index: A1 where A0 = X belongs"), "f12": (E, "sign: Y - A2"), "f13": (E, "factor: the 1/m lost"),
    },
    "deep_l2.md": {
        "f1": (C, "the general affine step"), "f2": (C, "ReLU for l < L, said so"), "f3": (C, "sigmoid output"),
        "f4": (C, "BCE + (lambda/2m) sum ||W||^2"), "f5": (C, "dZ^L = A^L - Y"),
        "f6": (C, "the L2 term's gradient lambda/m W"), "f7": (E, "factor: lambda/2m where lambda/m belongs"),
        "f8": (C, "db = 1/m row sums"), "f9": (C, "dA^{l-1} = W^{lT} dZ^l"), "f10": (E, "index: W^{l-1}"),
        "f11": (C, "dZ = dA * g'(Z)"),
    },
    "cs231n_two_layer.md": {
        "f1": (C, "H = max(0, X W1 + b1)"), "f2": (C, "S = H W2 + b2"), "f3": (C, "P = softmax(S)"),
        "f4": (C, "-(1/N) sum_i sum_k Y_ik log P_ik: a sum up to N, the notes' example count, runs over the batch"),
        "f5": (C, "dL/dS = (P - Y)/N"), "f6": (C, "dL/dW2 = H^T dL/dS"), "f7": (E, "transpose: H for H^T"),
        "f8": (C, "db2 = 1^T dL/dS, the column sums"), "f9": (C, "dL/dH = dL/dS W2^T"),
        "f10": (E, "factor: the 1/N lost"),
    },
    "nielsen_quadratic.md": {
        "f1": (C, "z^l = w^l a^{l-1} + b^l"), "f2": (C, "a^l = sigma(z^l)"), "f3": (C, "C = 1/2 ||y - a^L||^2"),
        "f4": (C, "the definition of delta"), "f5": (C, "BP1"), "f6": (C, "BP2"), "f7": (C, "BP3"),
        "f8": (C, "BP4 in components"), "f9": (E, "index: w^l for w^{l+1}"),
        "f10": (E, "index: sigma'(z^{l+1}) for sigma'(z^l)"), "f11": (E, "sign: y - a^L"),
    },
    "goodfellow_general.md": {
        "f1": (C, "a^{(k)} = b^{(k)} + W^{(k)} h^{(k-1)}"), "f2": (C, "h^{(k)} = f(a^{(k)})"),
        "f3": (C, "J = 1/2 ||y - h^{(L)}||^2"), "f4": (C, "grad_a J = grad_h J ⊙ f'(a)"), "f5": (C, "grad_b = grad_a"),
        "f6": (C, "grad_W = grad_a h^{(k-1)T}"), "f7": (C, "grad_h^{(k-1)} = W^T grad_a"),
        "f8": (E, "transpose: W for W^T"), "f9": (E, "index: h^{(k)} for h^{(k-1)}"),
    },
    "logistic_regression.md": {
        "f1": (C, "z = w^T x + b"), "f2": (C, "y-hat = a = sigma(z): two claims"), "f3": (C, "the BCE of one example"),
        "f4": (C, "dL/da"), "f5": (C, "dz = a - y"), "f6": (C, "dw = x dz"), "f7": (C, "db = dz"),
        "f8": (E, "sign: y - a"), "f9": (E, "sign: dL/da negated"),
    },
    "bishop_two_layer.md": {
        "f1": (C, "a_j = sum_i w_ji x_i + b_j: the hidden unit j's input"), "f2": (C, "z_j = h(a_j)"),
        "f3": (C, "a_k = sum_j w_kj z_j + b_k: the output unit k's input"), "f4": (C, "y_k = a_k: a linear output"),
        "f5": (C, "E_n = 1/2 sum_k (y_k - t_k)^2"), "f6": (C, "delta_j defined as dE_n/da_j"),
        "f7": (C, "delta_k = y_k - t_k: the definition read for the output unit k"),
        "f8": (C, "delta_j = h'(a_j) sum_k w_kj delta_k"), "f9": (C, "dE_n/dw_ji = delta_j x_i"),
        "f10": (C, "dE_n/dw_kj = delta_k z_j"),
        "f11": (E, "delta_j z_k is wrong: z_k is unit k of the notes' z_j (the hidden layer), which has no unit k "
                   "of the outputs"),
    },
    "bishop_no_bias.md": {   # the same derivation with no bias written anywhere: the network has none
        **{f"f{k}": (C, "as in bishop_two_layer.md, the biases zero") for k in range(1, 11)},
        "f11": (E, "delta_j z_k is wrong, as in bishop_two_layer.md"),
    },
    "linear_regression.md": {
        "f1": (C, "y-hat = w^T x + b: a linear output"),
        "f2": (N, "the sum over i of per-example squares, read as the sum over the examples"),
        "f3": (N, "(y-hat - y) x^{(i)} summed: a product of a scalar and a vector per example, elementwise"),
        "f4": (N, "dJ/db = 1/m sum (y-hat - y)"), "f5": (E, "factor: 2/m for 1/m"), "f6": (E, "sign: y - y-hat"),
    },
}


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "gradaudit", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


def verdicts(report: dict) -> dict:
    out = {}
    for r in report["results"]:
        name = Path(r["file"]).name
        worst = out.get(name, {}).get(r["id"])
        order = [C, N, U, E]
        if worst is None or order.index(r["verdict"]) > order.index(worst):
            out.setdefault(name, {})[r["id"]] = r["verdict"]
    return out


@pytest.fixture(scope="module")
def inferred():
    run = cli("check", HERE, "--format", "json")
    assert run.returncode == 1, run.stderr
    return json.loads(run.stdout)


def test_every_verdict_as_keyed_by_hand(inferred):
    got = verdicts(inferred)
    for name, pins in PINS.items():
        want = {fid: verdict for fid, (verdict, _) in pins.items()}
        assert got[name] == want, name


def test_the_inferred_network_pasted_as_front_matter_gives_the_same_verdicts(inferred, tmp_path):
    fronts = {Path(n["file"]).name: n["front_matter"] for n in inferred["inferred_networks"]}
    assert set(fronts) == set(PINS)
    for name, front in fronts.items():
        assert isinstance(yaml.safe_load(front)["network"], dict)
        body = (HERE / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(f"---\n{front}---\n{body}", encoding="utf-8")
    run = cli("check", tmp_path, "--format", "json")
    declared = json.loads(run.stdout)
    assert declared["inferred_networks"] == []
    assert verdicts(declared) == verdicts(inferred)


@pytest.mark.parametrize("name,network", [
    ("dlai_two_layer.md", {"layers": ["tanh", "sigmoid"], "loss": "bce", "averaging": "mean", "convention": "column"}),
    ("cs231n_two_layer.md", {"layers": ["relu", "softmax"], "loss": "cce", "averaging": "mean", "convention": "row"}),
    ("nielsen_quadratic.md", {"layers": "sigmoid x (L-1), sigmoid", "loss": "squared", "loss_scale": "1/2",
                              "averaging": "single", "convention": "column"}),
    ("goodfellow_general.md", {"layers": "g x (L-1), g", "loss": "squared", "loss_scale": "1/2",
                               "averaging": "single", "convention": "column"}),
    ("bishop_no_bias.md", {"layers": ["g", "identity"], "loss": "squared", "loss_scale": "1/2",
                           "averaging": "single", "convention": "index-out-in", "biases": False}),
    ("linear_regression.md", {"layers": ["identity"], "loss": "squared", "loss_scale": "1/2", "averaging": "mean",
                              "convention": "column-wT", "sizes": [4, 1]}),
])
def test_the_network_each_note_defines(inferred, name, network):
    fronts = {Path(n["file"]).name: yaml.safe_load(n["front_matter"]) for n in inferred["inferred_networks"]}
    assert fronts[name]["network"] == network


def test_the_notes_names_are_inferred(inferred):
    fronts = {Path(n["file"]).name: yaml.safe_load(n["front_matter"]) for n in inferred["inferred_networks"]}
    assert fronts["cs231n_two_layer.md"]["names"] == {"H": "A^{[1]}", "S": "Z^{[2]}", "P": "A^{[2]}", "N": "m"}
    assert fronts["cs231n_two_layer.md"]["subscript"] == "layer"
    assert fronts["goodfellow_general.md"]["names"] == {"a^{(k)}": "Z^{[k]}", "h^{(k)}": "A^{[k]}", "f": "g"}
    assert fronts["goodfellow_general.md"]["layer_variable"] == "k"
    assert fronts["deep_l2.md"]["network"]["regularization"] == "l2 \\frac{\\lambda}{2m}"
    assert fronts["deep_l2.md"]["shorthand"] == "per-example"


def test_the_report_starts_with_the_inferred_network():
    run = cli("check", HERE / "cs231n_two_layer.md")
    head = run.stdout.splitlines()[:4]
    assert "network inferred from the notes' forward pass and loss" in head[1]
    assert head[2].strip() == "network:"


UNDERDETERMINED = [
    ("only a backward pass", "$$dZ^{[2]} = A^{[2]} - Y$$\n", 1, "no forward pass is written"),
    ("no loss", "$$Z^{[1]} = W^{[1]} X + b^{[1]}$$\n$$A^{[1]} = \\sigma(Z^{[1]})$$\n", 1, "no loss is defined"),
    ("a hidden activation missing",
     "$$Z^{[1]} = W^{[1]} X + b^{[1]}$$\n$$Z^{[2]} = W^{[2]} A^{[1]} + b^{[2]}$$\n$$A^{[2]} = \\sigma(Z^{[2]})$$\n"
     "$$J = -\\frac{1}{m}\\sum (Y \\log A^{[2]} + (1 - Y)\\log(1 - A^{[2]}))$$\n", 1,
     "the activation of layer 1 is not written"),
    ("activations but no layer", "$$A = \\sigma(Z)$$\n$$J = \\frac{1}{2}\\|Y - A\\|^2$$\n", 1,
     "the notes write activations but no layer"),
    ("two layouts", "$$Z^{[1]} = W^{[1]} X + b^{[1]}$$\n$$A^{[1]} = \\tanh(Z^{[1]})$$\n"
     "$$Z^{[2]} = A^{[1]} W^{[2]} + b^{[2]}$$\n$$A^{[2]} = \\sigma(Z^{[2]})$$\n"
     "$$J = -\\frac{1}{m}\\sum (Y \\log A^{[2]} + (1 - Y)\\log(1 - A^{[2]}))$$\n", 1,
     "the forward formulas use different layouts (column, row as often)"),
]


@pytest.mark.parametrize("case,body,line,message", UNDERDETERMINED, ids=[c[0] for c in UNDERDETERMINED])
def test_notes_that_leave_the_network_open_say_what_to_declare(tmp_path, case, body, line, message):
    (tmp_path / "n.md").write_text(body, encoding="utf-8")
    run = cli("check", "n.md", cwd=tmp_path)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert f"n.md:{line}: no network is declared and the notes do not define one: {message}" in run.stderr, run.stderr
    assert "declare" in run.stderr.split(message, 1)[1]


def test_a_forward_formula_against_the_majority_is_reported(tmp_path):
    (tmp_path / "n.md").write_text(
        "$$Z^{[1]} = W^{[1]} X + b^{[1]}$$\n\n$$A^{[1]} = \\tanh(Z^{[1]})$$\n\n$$Z^{[2]} = W^{[2]} A^{[1]} + b^{[2]}$$\n\n"
        "$$Z^{[2]} = A^{[1]} W^{[2]} + b^{[2]}$$\n\n$$A^{[2]} = \\sigma(Z^{[2]})$$\n\n$$A^{[2]} = \\tanh(Z^{[2]})$$\n\n"
        "$$J = -\\frac{1}{m}\\sum (Y \\log A^{[2]} + (1 - Y)\\log(1 - A^{[2]}))$$\n", encoding="utf-8")
    report = json.loads(cli("check", "n.md", "--format", "json", cwd=tmp_path).stdout)
    got = {r["id"]: (r["verdict"], [e["kind"] for e in r["errors"]]) for r in report["results"]}
    assert got["f4"] == (E, ["definition"])       # A W where two formulas write W A: another layout
    assert got["f6"] == (E, ["definition"])       # tanh where the first formula for A2 said sigmoid
    assert [got[f][0] for f in ("f1", "f2", "f3", "f5", "f7")] == [C] * 5


def test_front_matter_of_other_tools_is_inferred_like_none(tmp_path):
    body = (HERE / "logistic_regression.md").read_text(encoding="utf-8")
    (tmp_path / "n.md").write_text(f"---\ntitle: Week 2\ntags: [ml, notes]\nauthor: someone\n---\n{body}")
    run = cli("check", "n.md", "--format", "json", cwd=tmp_path)
    report = json.loads(run.stdout)
    assert report["inferred_networks"] and verdicts(report)["n.md"] == {
        fid: v for fid, (v, _) in PINS["logistic_regression.md"].items()}


def test_a_forward_formula_that_contradicts_the_declared_network_is_a_definition_error(tmp_path):
    (tmp_path / "n.md").write_text(
        "---\nnetwork: {layers: [tanh, sigmoid], loss: bce}\n---\n"
        "$$Z^{[1]} = W^{[1]} X + b^{[1]}$$\n\n$$A^{[1]} = \\sigma(Z^{[1]})$$\n\n$$A^{[1]} = \\max(0, Z^{[1]})$$\n\n"
        "$$A^{[1]} = \\tanh(Z^{[1]})$$\n\n$$Z^{[2]} = A^{[1]} W^{[2]} + b^{[2]}$$\n", encoding="utf-8")
    report = json.loads(cli("check", "n.md", "--format", "json", cwd=tmp_path).stdout)
    got = {r["id"]: (r["verdict"], [e["kind"] for e in r["errors"]], r["corrected_latex"]) for r in report["results"]}
    assert got["f1"][0] == C and got["f4"][0] == C
    assert got["f2"] == (E, ["definition"], "A^{[1]} = \\tanh(Z^{[1]})")
    assert got["f3"] == (E, ["definition"], "A^{[1]} = \\tanh(Z^{[1]})")
    assert got["f5"] == (E, ["definition"], "Z^{[2]} = W^{[2]} A^{[1]} + b^{[2]}")   # the row layout in a column net


def test_a_folder_audits_what_it_can_and_names_what_it_skips(tmp_path):
    (tmp_path / "a.md").write_text((HERE / "logistic_regression.md").read_text(encoding="utf-8"))
    (tmp_path / "todo.md").write_text("# Things to read\n\nNothing to audit here.\n")
    (tmp_path / "back.md").write_text("$$dZ^{[2]} = A^{[2]} - Y$$\n")
    run = cli("check", tmp_path, "--exit-zero")
    assert run.returncode == 0, run.stderr
    assert "a.md  [section notes]" in run.stdout
    assert f"{tmp_path / 'back.md'}:1: note: skipped: no network is declared" in run.stdout
    assert f"{tmp_path / 'todo.md'}:1: note: skipped: no formula and no network" in run.stdout


def test_each_heading_with_its_own_forward_pass_defines_its_own_network():
    report = json.loads(cli("check", HERE.parent / "data" / "inferred_sections.md", "--format", "json").stdout)
    got = {r["id"]: (r["section"], r["verdict"]) for r in report["results"]}
    sections = {r["section"] for r in report["results"]}
    assert sections == {"logistic-regression", "a-two-layer-network", "deep-networks"}
    fronts = {n["section"]: yaml.safe_load(n["front_matter"])["network"] for n in report["inferred_networks"]}
    assert fronts["logistic-regression"]["layers"] == ["sigmoid"]
    assert fronts["a-two-layer-network"]["layers"] == ["tanh", "sigmoid"]   # its loss is the file's: bce
    assert fronts["deep-networks"]["layers"] == "relu x (L-1), sigmoid"
    # the sub-heading "Backward" writes no layer: it continues the two-layer network
    assert got["f10"] == ("a-two-layer-network", N)   # dZ2 = A2 - Y: right if dZ is per example, not pinned here
    assert got["f11"] == ("a-two-layer-network", C)   # dA1 = W2^T dZ2 either way
    assert got["f14"] == ("deep-networks", N)         # max(0, Z) with no 'for l < L'
    assert got["f17"] == ("deep-networks", N)         # dZ^L = A^L - Y, the same open reading
    assert all(v == C for k, (_, v) in got.items() if k not in ("f10", "f14", "f17"))


# Notes a tester wrote without seeing the code (tests/inferred_more/), the right formulas checked by finite
# differences; each pin is what the tool must say, the false alarms they first raised fixed.
MORE = {
    "cs231n_batch_gradient.md": {**{f"f{k}": C for k in range(1, 7)},   # dS = (P - Y)/N pins dS as the batch's
                                 "f7": U},   # db2 = sum_i dS_i: i over examples or units, not pinned
    "dlai_batch_dz.md": {f"f{k}": C for k in range(1, 8)},   # dZ2 = (A2 - Y)/m, then dW2 = dZ2 A1^T: no 1/m again
    "goodfellow_output_l.md": {f"f{k}": C for k in range(1, 6)},   # h^{(l)}: l the depth when k is the layer
    "scalar_regression.md": {f"f{k}": C for k in range(1, 5)},   # 1/2 (y-hat - y)^2: one output unit
    "bishop_unlabelled.md": {**{f"f{k}": C for k in range(1, 5)},   # a_j, w_ji, b_j / y_k, w_kj, b_k: two layers
                             **{f"f{k}": U for k in range(5, 10)}},   # delta never defined here
    "leaky_max_form.md": {**{f"f{k}": C for k in range(1, 14) if k != 11}, "f11": U,
                          "f14": E, "f15": E, "f16": E},   # max(0.01 Z, Z) is leaky_relu(1/100)
    "seven_layers.md": {f"f{k}": C for k in range(1, 16)},
    "nielsen_sum_over_x.md": {"f1": C, "f2": C,   # 1/(2n) sum_x ||y(x) - a^L(x)||^2, Nielsen's (6): not read yet,
                              "f3": U},          # once an error (y(x) read y times x)
}


def test_a_testers_notes_get_their_verdicts():
    report = json.loads(cli("check", HERE.parent / "inferred_more", "--format", "json").stdout)
    assert verdicts(report) == MORE
    fronts = {Path(n["file"]).name: yaml.safe_load(n["front_matter"]) for n in report["inferred_networks"]}
    assert fronts["leaky_max_form.md"]["network"]["layers"] == ["leaky_relu(1/100)", "sigmoid"]
    assert fronts["scalar_regression.md"]["network"]["sizes"] == [4, 3, 1]
    assert fronts["cs231n_batch_gradient.md"]["shorthand"] == "total"
    assert fronts["bishop_unlabelled.md"]["names"]["w_{k,j}"] == "W^{[2]}"


def test_a_layer_numbered_zero_says_so(tmp_path):
    (tmp_path / "n.md").write_text("$$Z^{[0]} = W^{[0]} X + b^{[0]}$$\n\n$$A^{[0]} = \\tanh(Z^{[0]})$$\n\n"
                                   "$$J = \\frac{1}{2}\\|A^{[0]} - Y\\|^2$$\n")
    run = cli("check", "n.md", cwd=tmp_path)
    assert run.returncode == 2 and "n.md:1: " in run.stderr and "a layer numbered 0" in run.stderr, run.stderr
