"""Declared networks: the spec keys, the front matter that carries them, and every bad spec refused with its line."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import gradaudit
from gradaudit import spec
from gradaudit.errors import GradauditError

ROOT = Path(__file__).resolve().parents[1]


def cli(*args, cwd=None, timeout=120):
    return subprocess.run([sys.executable, "-m", "gradaudit", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout)


def test_the_issue_example_declares_a_two_layer_network():
    arch = spec.from_mapping({"layers": ["tanh", "sigmoid"], "loss": "bce", "averaging": "mean",
                              "convention": "column"})
    assert [layer.activation for layer in arch.layers] == ["tanh", "sigmoid"]
    assert (arch.loss, arch.averaging, arch.convention, arch.depth) == ("bce", "mean", "column", 2)


def test_general_depth_and_parameterised_activations():
    arch = spec.from_mapping({"layers": "leaky_relu(0.2) x (L-1), identity", "loss": "squared", "loss_scale": "1/2",
                              "regularization": r"l2 \frac{\lambda}{2m}"})
    assert arch.general and arch.hidden.activation == "leaky_relu(1/5)" and arch.output.activation == "identity"
    assert arch.loss == "sse" and arch.loss_scale == "1/2"
    reg = arch.regularization
    assert (reg.coefficient, reg.has_lambda, reg.per_example) == (0.5, True, True)
    fixed = spec.from_mapping({"layers": "relu x (L-1), softmax", "loss": "cce", "depth": 3})
    assert [x.activation for x in fixed.layers] == ["relu", "relu", "softmax"]


@pytest.mark.parametrize("text,coefficient,per_example", [
    (r"l2 \frac{\lambda}{2m}", 0.5, True), (r"l2 \lambda", 1, False), (r"l2 \frac{\lambda}{m}", 1, True),
    (r"l2 0.5\lambda", 0.5, False), (r"L2 \frac{1}{2}\lambda", 0.5, False), ("l2 \\frac{\\lambda}{2N}", 0.5, True),
])
def test_regularization_scales(text, coefficient, per_example):
    reg = spec.parse_regularization(text)
    assert reg.coefficient == coefficient and reg.per_example == per_example


def test_a_spec_may_start_from_a_built_in_and_override_keys():
    arch = spec.from_mapping({"architecture": "d002-mlp-L-relu-softmax", "averaging": "sum"})
    assert arch.averaging == "sum" and arch.general and arch.hidden.activation == "relu"


def test_equal_specs_share_one_id_and_the_description_round_trips():
    a = spec.load({"layers": ["relu", "softmax"], "loss": "cce", "convention": "row"})
    import yaml
    b = spec.load(yaml.safe_load(spec.describe(a))["network"])
    assert a.id == b.id and gradaudit.architectures.get(a.id) is not None


def test_compile_a_declared_network_and_its_gradients_match_finite_differences():
    net = gradaudit.compile(network={"layers": ["elu(1)", "softplus", "sigmoid"], "loss": "bce",
                                     "convention": "column-wT", "regularization": r"l2 \frac{\lambda}{2m}",
                                     "lambda": 0.3}, sizes=[3, 4, 5, 1])
    rng = np.random.default_rng(1)
    params = net.init(seed=0)
    X, Y = rng.normal(size=(3, 6)), (rng.random((1, 6)) > 0.5) * 1.0
    grads = net.grads(params, X, Y)
    for name, value in params.items():
        numeric = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            up, down = {k: v.copy() for k, v in params.items()}, {k: v.copy() for k, v in params.items()}
            up[name][idx] += 1e-6
            down[name][idx] -= 1e-6
            numeric[idx] = (net.loss(up, X, Y) - net.loss(down, X, Y)) / 2e-6
        assert np.allclose(grads[name], numeric, rtol=1e-5, atol=1e-8), name


# ---- the CLI with a declared network -------------------------------------------------------------------------

NOTE = """---
title: my notes
network:
  layers: [tanh, sigmoid]
  loss: bce
  averaging: mean
  convention: column
names:
  '\\delta^{[l]}': 'dZ^{[l]}'
shorthand: per-example
---
$$dZ^{[2]} = A^{[2]} - Y$$
$$dW^{[1]} = \\frac{1}{m} \\delta^{[1]} X^T$$
$$dW^{[2]} = \\frac{1}{m} dZ^{[2]} A^{[2]T}$$
"""


def test_check_audits_notes_with_a_declared_network(tmp_path):
    (tmp_path / "notes.md").write_text(NOTE)
    run = cli("check", "notes.md", "--format", "json", cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    verdicts = {r["id"]: (r["verdict"], [e["kind"] for e in r["errors"]]) for r in json.loads(run.stdout)["results"]}
    assert verdicts == {"f1": ("correct", []),           # sigmoid + BCE: dJ/dZ per example is A - Y
                        "f2": ("correct", []),           # delta^{[1]} names dZ^{[1]}; A^{[0]} is X
                        "f3": ("error", ["index"])}      # dW^{[2]} reads the layer below: A^{[1]}


def test_toml_sections_declare_networks_too(tmp_path):
    (tmp_path / "d.toml").write_text(
        'document = "mine"\ntitle = "t"\n[[section]]\nid = "s"\nshorthand = "per-example"\n'
        '[section.network]\nlayers = ["relu", "softmax"]\nloss = "cce"\nconvention = "row"\n'
        "[[section.formula]]\nid = \"a\"\nlatex = '''dZ^{[2]} = A^{[2]} - Y'''\n"
        "[[section.formula]]\nid = \"b\"\nlatex = '''dW^{[2]} = \\frac{1}{m} A^{[1]T} dZ^{[2]}'''\n")
    run = cli("check", "d.toml", "--format", "json", cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert {r["id"]: r["verdict"] for r in json.loads(run.stdout)["results"]} == {"a": "correct", "b": "correct"}


def test_derive_codegen_and_train_take_a_network_file(tmp_path):
    (tmp_path / "net.yaml").write_text("network:\n  layers: [relu, softmax]\n  loss: cce\n  convention: row\n"
                                       "  regularization: 'l2 \\frac{\\lambda}{2}'\n  lambda: 0.0001\n")
    derive = cli("derive", "--network", "net.yaml", cwd=tmp_path)
    assert derive.returncode == 0 and r"\lambda W^{[2]}" in derive.stdout, derive.stdout + derive.stderr
    code = cli("codegen", "--network", "net.yaml", "--sizes", "64,16,10", "-o", "net.py", cwd=tmp_path)
    assert code.returncode == 0, code.stderr
    module = (tmp_path / "net.py").read_text()
    imports = {line.split()[1] for line in module.splitlines() if line.startswith(("import ", "from "))}
    assert {name.split(".")[0] for name in imports} == {"numpy"}, imports
    train = cli("train", "--network", "net.yaml", "--dataset", "digits", "--sizes", "64,32,10",
                "--epochs", "4", cwd=tmp_path, timeout=300)
    assert train.returncode == 0, train.stderr
    accuracy = float(train.stdout.split("test accuracy")[1].split(",")[0])
    assert accuracy > 0.9, train.stdout
    # the same network from a notes file's front matter
    (tmp_path / "notes.md").write_text(NOTE)
    assert cli("derive", "--network", "notes.md", cwd=tmp_path).returncode == 0


# ---- bad specs: exit 2, file and line, nothing executed ---------------------------------------------------------

BAD = [
    ("unknown activation", "network:\n  layers: [tanh, swish]\n  loss: bce\n", 3, "unknown activation 'swish'"),
    ("unknown loss", "network:\n  layers: [tanh, sigmoid]\n  loss: hinge\n", 4, "loss must be one of"),
    ("unknown convention", "network:\n  layers: [tanh, sigmoid]\n  loss: bce\n  convention: diagonal\n", 5,
     "convention must be one of"),
    ("depth contradicts", "network:\n  layers: [tanh, sigmoid]\n  loss: bce\n  depth: 3\n", 5,
     "depth 3 contradicts the layers"),
    ("not a mapping", "- tanh\n- sigmoid\n", 2, "must be 'key: value' lines"),
    ("network not a mapping", "network: tanh\n", 2, "network must be a mapping"),
    ("syntax error", "network:\n  layers: [tanh, sigmoid\n  loss: bce\n", 4, "not valid YAML"),
    ("duplicate key", "network:\n  layers: [tanh]\n  layers: [sigmoid]\n  loss: bce\n", 4, "given twice"),
    ("softmax hidden", "network:\n  layers: [softmax, sigmoid]\n  loss: bce\n", 3, "softmax is an output activation"),
    ("cce without softmax", "network:\n  layers: [tanh, sigmoid]\n  loss: cce\n", 4, "cce needs a softmax output"),
    ("bad regularization", "network:\n  layers: [sigmoid]\n  loss: bce\n  regularization: l1 0.1\n", 5,
     "regularization must read 'l2 SCALE'"),
    ("names for nothing", "network:\n  layers: [tanh, sigmoid]\n  loss: bce\nnames:\n  'D': 'Q^{[1]}'\n", 6,
     "no quantity of the network"),
    ("aliases not a mapping", "architecture: d001-mlp3-g\naliases: foo\n", 3, "aliases must map each name"),
    ("python in a value", "network:\n  layers: [\"__import__('os').system('touch CANARY')\"]\n  loss: bce\n", 3,
     "unknown activation"),
]


@pytest.mark.parametrize("case,header,line,message", BAD, ids=[b[0] for b in BAD])
def test_bad_specs_are_refused_with_file_and_line(tmp_path, case, header, line, message):
    (tmp_path / "notes.md").write_text(f"---\n{header}---\n$$dZ^{{[2]}} = A^{{[2]}} - Y$$\n")
    run = cli("check", "notes.md", cwd=tmp_path)
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    assert f"notes.md:{line}: " in run.stderr and message in run.stderr, run.stderr
    assert not (tmp_path / "CANARY").exists()


def test_a_yaml_alias_bomb_is_refused_quickly(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    (tmp_path / "notes.md").write_text("---\narchitecture: d001-mlp3-g\n" + "\n".join(lines) + "\n---\n$$Z = W A + b$$\n")
    start = time.monotonic()
    run = cli("check", "notes.md", cwd=tmp_path)
    assert time.monotonic() - start < 20
    assert run.returncode == 2 and "YAML aliases" in run.stderr, run.stderr


def test_a_bad_network_file_names_its_line(tmp_path):
    (tmp_path / "net.yaml").write_text("layers: [relu, softmax]\nloss: cce\nconvention: sideways\n")
    run = cli("derive", "--network", "net.yaml", cwd=tmp_path)
    assert run.returncode == 2 and "net.yaml:3: convention must be one of" in run.stderr, run.stderr


def test_the_api_raises_only_gradaudit_errors():
    with pytest.raises(GradauditError):
        gradaudit.compile(network={"layers": ["tanh", "nope"], "loss": "bce"})
    with pytest.raises(GradauditError):
        gradaudit.compile("d001-mlp3-g", network={"layers": ["sigmoid"], "loss": "bce"})


def test_a_yaml_flow_list_of_layer_calls_is_read_as_written():
    """YAML splits [conv(3, 8, relu), maxpool(2)] at every comma; the pieces of one call are joined back."""
    import yaml
    data = yaml.safe_load("layers: [conv(3, 8, relu, same), maxpool(2), flatten, dense(softmax)]\nloss: cce\n"
                          "convention: row\n")
    arch = spec.from_mapping(data)
    conv = arch.layers[0]
    assert (conv.kind, conv.kernel, conv.channels, conv.activation, conv.padding) == ("conv", 3, 8, "relu", "same")
    assert [x.kind for x in arch.layers] == ["conv", "maxpool", "flatten", "dense"] and arch.image == (8, 8)


def test_notes_name_table_activations_in_words_and_use_the_declared_parameter():
    """\\text{LeakyReLU}, \\operatorname{leaky ReLU} and \\operatorname{ELU} are the table's activations; the declared
    leaky_relu(0.1) gives LeakyReLU its slope, and the L2 term's factor is checked."""
    run = cli("check", ROOT / "tests" / "data" / "leaky_relu_l2.md", "--format", "json")
    got = {r["id"]: (r["verdict"], [e["kind"] for e in r["errors"]]) for r in json.loads(run.stdout)["results"]}
    assert got == {
        "f1": ("correct", []),                 # the hidden layers are leaky ReLU (for l < L)
        "f2": ("correct", []),                 # layer 1 is hidden at every depth checked
        "f3": ("error", ["definition"]),       # ELU where the network declares leaky ReLU: another network
        "f4": ("correct", []),                 # dZ = dA ⊙ leaky ReLU'(Z), slope 0.1 below 0
        "f5": ("correct", []),                 # identity output, 1/2 squared error: per example A - Y
        "f6": ("correct", []),                 # d/dW of (lambda/2m) ||W||^2 is (lambda/m) W
        "f7": ("error", ["factor"]),           # lambda/(2m) W: the 2 of the square is lost
        "f8": ("error", ["unexplained"]),      # the penalty's gradient is missing
        "f9": ("unsupported", []),             # the per-example norm inside a sum is not read yet
    }
