"""Multi-channel convolutions (C_in -> C_out, a 4-D kernel), valid and same padding, through every layer of the tool.

Closed forms == element level (sympy.diff entry by entry) at small distinct sizes (C_in != C_out,
C_out != k, k != the image side); the generated batch step == the sum of the closed forms per
example; the one-channel document CNNs are the channels = 1 case (their own tests pin them).
"""
from __future__ import annotations

import numpy as np
import pytest

from gradaudit.architectures import Layer, cnn, get
from gradaudit.codegen.network import compile_network
from gradaudit.errors import GradauditError
from gradaudit.symbolic import derive
from gradaudit.symbolic.element import ground_truth
from gradaudit.symbolic.evaluate import evaluate, evaluate_all

from symbolic_helpers import concrete_shapes, random_point

VALID = cnn([("conv", 2, 3, "relu"), ("flatten",), ("dense", 1, "sigmoid")], image=(4, 3), channels=2, name="valid")
SAME = cnn([("conv", 3, 2, "relu", "same"), ("flatten",), ("dense", 1, "sigmoid")], image=(2, 3), channels=3, name="same")
POOLED = cnn([("conv", 3, 4, "relu"), ("maxpool", 2), ("conv", 3, 5, "tanh", "same"), ("flatten",), ("dense", 6, "relu"),
              ("dense", 3, "softmax")], image=(9, 8), channels=2, name="pooled")


@pytest.mark.parametrize("arch", [VALID, SAME], ids=["valid", "same"])
def test_channel_closed_forms_equal_element_level(arch):
    d = derive(arch)
    vals = random_point(d, concrete_shapes(d), seed=4)
    ref = ground_truth(arch).evaluate(vals)
    got = evaluate_all(d, vals)
    assert set(ref) == {n for n, _ in d.backward}
    for name in ref:
        assert got[name].shape == ref[name].shape, name
        np.testing.assert_allclose(got[name], ref[name], rtol=1e-8, atol=1e-10, err_msg=name)


def test_channel_closed_forms_equal_finite_differences_with_pooling():
    d = derive(POOLED)
    vals = random_point(d, concrete_shapes(d), seed=5)
    env = evaluate_all(d, vals)
    rng = np.random.default_rng(0)
    for name in ("K1", "b1", "K2", "b2", "W3", "X"):
        for _ in range(4):
            idx = tuple(int(rng.integers(0, s)) for s in vals[name].shape)
            bumped = [dict(vals), dict(vals)]
            for sign, v in zip((1, -1), bumped, strict=False):
                v[name] = vals[name].copy()
                v[name][idx] += sign * 1e-6
            fd = (evaluate(d.loss, _forward(d, bumped[0])) - evaluate(d.loss, _forward(d, bumped[1]))).item() / 2e-6
            assert env["d" + name][idx] == pytest.approx(fd, rel=1e-5, abs=1e-8), (name, idx)


def _forward(d, vals):
    env = dict(vals)
    for n, e in d.forward:
        env[n] = evaluate(e, env)
    return env


def test_kernel_and_bias_shapes_are_the_4d_tensors_stacked():
    d = derive(POOLED)
    assert d.params["K1"].shape == (4 * 2 * 3, 3) and d.params["b1"].shape == (4, 1)
    assert d.params["K2"].shape == (5 * 4 * 3, 3) and d.params["b2"].shape == (5, 1)
    assert dict(d.forward)["Z2"].shape == (5 * 3, 3)       # 9x8 -> conv 7x6 -> pool 3x3; same padding keeps 3x3
    net = compile_network(POOLED)
    assert net.param_shapes["K1"] == (4, 2, 3, 3) and net.param_shapes["b2"] == (5, 1, 1)
    assert net.param_shapes["W3"] == (5 * 3 * 3, 6)


def test_generated_batch_step_is_the_sum_of_the_closed_forms_per_example():
    net = compile_network(POOLED)
    rng = np.random.default_rng(0)
    params = {k: v + 0.1 * rng.standard_normal(v.shape) for k, v in net.init(0).items()}
    X, Y = rng.standard_normal((5, 2, 9, 8)), np.eye(3)[rng.integers(0, 3, 5)]
    got = net.grads(params, X, Y)
    d = net.derivation
    total = {k: 0 for k in got}
    for i in range(5):
        vals = {"X": X[i].reshape(-1, 8), "Y": Y[i:i + 1]}
        vals.update({k: v.reshape(tuple(int(s) for s in d.params[k].shape)) for k, v in params.items()})
        env = evaluate_all(d, vals)
        total = {k: total[k] + env["d" + k] for k in got}
    for k in got:
        np.testing.assert_allclose(got[k], total[k].reshape(got[k].shape), rtol=1e-10, atol=1e-12, err_msg=k)
    f32 = compile_network(POOLED, dtype="float32")
    g32 = f32.grads({k: v.astype(np.float32) for k, v in params.items()}, X.astype(np.float32), Y.astype(np.float32))
    assert all(v.dtype == np.float32 for v in g32.values())
    np.testing.assert_allclose(g32["K1"], got["K1"], rtol=1e-3, atol=1e-4)


def test_document_cnns_are_the_one_channel_case():
    for aid in ("d002-cnn-sigmoid", "d002-cnn-multi-softmax"):
        a = get(aid)
        assert not a.multichannel and all(x.channels == 1 and x.padding == "valid" for x in a.layers)
    same = cnn([Layer("conv", "relu", kernel=2), ("maxpool", 2, 2), ("flatten",), ("dense", "sigmoid")], image=(6, 6))
    assert not same.multichannel and same.layers[:2] == get("d002-cnn-sigmoid").layers[:2]


@pytest.mark.parametrize("layers,message", [
    ([("conv", 2, 3, "relu", "same"), ("flatten",), ("dense", "softmax")], "odd kernel"),
    ([("conv", 3, 3, "relu"), ("dense", "softmax")], "after flatten"),
    ([("conv", 3, 3, "relu"), ("flatten",), ("maxpool", 2), ("dense", "softmax")], "maxpool after flatten"),
    ([("conv", 3, "relu"), ("flatten",), ("dense", "softmax")], "cannot read layer"),
    ([("conv", 3, 3, "swish"), ("flatten",), ("dense", "softmax")], "unknown activation"),
    ([("flatten",), ("dense", "softmax")], "at least one conv"),
])
def test_bad_layer_lists_are_refused(layers, message):
    with pytest.raises(GradauditError, match=message):
        cnn(layers)


def test_auditors_complex_step_model_has_the_same_channel_gradients():
    from gradaudit.audit.model import NumericModel, Sizes
    model = NumericModel(POOLED, 4, Sizes((6, 3), 1))
    assert model.values["K2"].shape == (5, 4, 3, 3) and model.values["X"].shape == (2, 9, 8)
    d = derive(POOLED)
    vals = {k: model.values[k].real.reshape(tuple(int(s) for s in d.symbol(k).shape)) for k in ["X", "Y", *d.params]}
    env = evaluate_all(d, vals)
    for name in ("K1", "b1", "K2", "b2", "W3", "X", "Z2", "P1", "A1"):
        np.testing.assert_allclose(model.grad(name).reshape(env["d" + name].shape), env["d" + name], atol=1e-12, err_msg=name)


def test_train_cli_trains_a_declared_two_conv_network_on_digits(tmp_path):
    import subprocess
    import sys
    spec = tmp_path / "cnn.yaml"
    spec.write_text("layers:\n  - conv(3, 8, relu)\n  - conv(3, 16, relu)\n  - maxpool(2)\n  - flatten\n  - dense(softmax)\n"
                    "loss: cce\nconvention: row\naveraging: single\nimage: [8, 8]\n")
    plot = tmp_path / "curve.png"
    out = subprocess.run([sys.executable, "-m", "gradaudit", "train", "--network", str(spec), "--dataset", "digits",
                          "--epochs", "3", "--lr", "0.02", "--plot", str(plot)], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert "channels 1 -> 8 -> 16" in out.stdout and "16 channels of 2x2, 64 features" in out.stdout
    epochs = [line for line in out.stdout.splitlines() if line.startswith("epoch")]
    assert len(epochs) == 3
    accuracy = float(out.stdout.split("test accuracy")[1].split(",")[0])
    assert accuracy > 0.85
    assert plot.stat().st_size > 1000
