"""Generated NumPy functions: gradients against central finite differences, stability, dtypes, errors, standalone module."""
from __future__ import annotations

import importlib.util
import re

import numpy as np
import pytest

import gradaudit
from gradaudit import GradauditError, architectures
from gradaudit.codegen.network import compile_network
from gradaudit.codegen.writer import write_module

# Small sizes with pairwise distinct widths (equal ones could hide a transpose); CNNs on small images.
SMALL = {
    "d002-cnn-sigmoid": {"image": (6, 6), "filters": 2, "dense": [1]},
    "d002-cnn-multi-softmax": {"image": (12, 12), "filters": 2, "dense": [4, 3]},
}
PARAMETERISED = [a.id for a in architectures.registry().values() if a.convention != "scalar"]


def small_net(arch_id, dtype="float64"):
    a = architectures.get(arch_id)
    if a.is_cnn:
        return compile_network(arch_id, sizes=SMALL[arch_id], dtype=dtype)
    sizes = [4, 3, 5, 2] if a.general else [4, 3, 5, 2][: a.parameter_layers] + [2]
    activation = "tanh" if any(x.activation == "g" for x in (a.layers or (a.hidden,))) else None
    return compile_network(arch_id, sizes=sizes, dtype=dtype, activation=activation)


def sample(net, m=5, seed=1):
    """Random inputs and valid targets (one-hot for softmax, in (0, 1) otherwise) in the net's layout."""
    rng = np.random.default_rng(seed)
    feats = int(np.prod(net.image)) if net.arch.is_cnn else int(net.dims["n0"])
    X = rng.normal(size=(m, feats))
    softmax = "softmax" in net.arch.title.lower()
    Y = np.eye(net.outputs)[rng.integers(0, net.outputs, m)] if softmax else rng.random((m, net.outputs))
    return net.layout(X, Y)


def perturbed(net, seed=2):
    rng = np.random.default_rng(seed)
    return {k: v + 0.3 * rng.normal(size=v.shape) for k, v in net.init(seed=0).items()}


@pytest.mark.parametrize("arch_id", PARAMETERISED)
def test_gradients_equal_central_finite_differences(arch_id):
    net = small_net(arch_id)
    params = perturbed(net)
    X, Y = sample(net)
    grads = net.grads(params, X, Y)
    assert list(grads) == list(params)
    eps = 1e-6
    for name, value in params.items():
        numeric = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            up = {k: v.copy() for k, v in params.items()}
            up[name][idx] += eps
            down = {k: v.copy() for k, v in params.items()}
            down[name][idx] -= eps
            numeric[idx] = (net.loss(up, X, Y) - net.loss(down, X, Y)) / (2 * eps)
        err = np.linalg.norm(numeric - grads[name]) / max(np.linalg.norm(numeric) + np.linalg.norm(grads[name]), 1e-12)
        assert err < 1e-6, f"{arch_id} d{name}: relative error {err:.2e}"


@pytest.mark.parametrize("arch_id", ["d002-mlp-L-relu-softmax", "d002-mlp2-tanh-sigmoid", "d001-mlp3-g",
                                     "d000-mlp3-sigmoid", "d002-cnn-multi-softmax", "d002-cnn-sigmoid"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_finite_loss_and_gradients_at_logits_of_1000(arch_id, dtype):
    net = small_net(arch_id, dtype)
    params = net.init(seed=0)
    X, Y = sample(net)
    last = [k for k in params if k.startswith("b")][-1]
    for logit in (1000.0, -1000.0):
        p = {k: v.copy() for k, v in params.items()}
        p[last][...] = logit
        if net.outputs > 1:                      # opposite signs across classes: softmax saturates too
            p[last].reshape(-1)[0] = -logit
        loss = net.loss(p, X, Y)
        grads = net.grads(p, X, Y)
        assert np.isfinite(loss) and loss > 1.0, (logit, loss)   # saturated and wrong for some example: large, finite
        assert all(np.all(np.isfinite(g)) for g in grads.values())
        assert all(g.dtype == np.dtype(dtype) for g in grads.values())


def test_float32_matches_float64():
    n64, n32 = small_net("d002-mlp-L-relu-softmax"), small_net("d002-mlp-L-relu-softmax", "float32")
    p = perturbed(n64)
    X, Y = sample(n64)
    g64 = n64.grads(p, X, Y)
    g32 = n32.grads({k: v.astype(np.float32) for k, v in p.items()}, X.astype(np.float32), Y.astype(np.float32))
    for k in g64:
        assert g32[k].dtype == np.float32
        np.testing.assert_allclose(g32[k], g64[k], rtol=1e-3, atol=1e-4)


def test_bad_inputs_are_named():
    net = small_net("d002-mlp-L-relu-softmax")
    params = net.init(seed=0)
    X, Y = sample(net)
    with pytest.raises(GradauditError, match="X has shape"):
        net.grads(params, X.T, Y)
    with pytest.raises(GradauditError, match="Y has shape"):
        net.loss(params, X, Y[:, :1])
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(GradauditError, match="NaN"):
        net.loss(params, bad, Y)
    nan_w = {k: v.copy() for k, v in params.items()}
    nan_w["W1"][2, 1] = np.nan
    for call in (net.grads, net.loss):
        with pytest.raises(GradauditError, match="parameter W1 contains NaN"):
            call(nan_w, X, Y)
    with pytest.raises(GradauditError, match="parameter W1 contains NaN"):
        net.predict(nan_w, X)
    bad_y = Y.copy()
    bad_y[1, 1] = np.inf
    with pytest.raises(GradauditError, match="Y contains NaN"):
        net.grads(params, X, bad_y)
    with pytest.raises(GradauditError, match="missing \\['b3'\\]"):
        net.grads({k: v for k, v in params.items() if k != "b3"}, X, Y)
    with pytest.raises(GradauditError, match="W2 has shape"):
        net.grads(dict(params, W2=params["W2"].T), X, Y)
    with pytest.raises(GradauditError, match="no parameters"):
        compile_network("activations")
    with pytest.raises(GradauditError, match="generic g"):
        compile_network("d001-mlp3-g", activation="softplus")


def test_generic_g_defaults_to_relu_with_a_note_and_follows_the_choice():
    default = compile_network("d001-mlp3-g")
    assert default.activation == "relu" and any("g = relu" in n for n in default.notes)
    tanh = compile_network("d001-mlp3-g", activation="tanh")
    assert "numpy.tanh" in tanh.programs["grads"].source
    assert "relu" in default.programs["grads"].source


def test_column_convention_and_mean_averaging():
    net = compile_network("d001-mlp-L-g", sizes=[4, 3, 2, 1], activation="sigmoid")
    assert net.convention == "column"
    p = net.init(seed=0)
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(4, 6)), rng.integers(0, 2, size=(1, 6)).astype(float)
    doubled = np.concatenate([X, X], axis=1), np.concatenate([Y, Y], axis=1)
    assert net.loss(p, X, Y) == pytest.approx(net.loss(p, *doubled))      # 1/m: the mean does not change
    assert net.predict(p, X).shape == (1, 6)


def test_gradaudit_compile_is_the_documented_entry_point():
    net = gradaudit.compile("d002-mlp-L-relu-softmax", sizes=[64, 32, 10])
    params = net.init(seed=0)
    assert set(params) == {"W1", "b1", "W2", "b2"} and params["W1"].shape == (64, 32)
    assert net.convention == "row"


@pytest.mark.parametrize("arch_id,sizes", [("d002-mlp-L-relu-softmax", [5, 4, 6, 3]), ("d000-mlp3-sigmoid", None),
                                           ("d002-cnn-multi-softmax", None), ("d001-mlp3-g", None)])
def test_written_module_imports_only_numpy_and_matches_net_grads(tmp_path, arch_id, sizes):
    net = compile_network(arch_id, sizes=sizes)
    text = write_module(net)
    imports = {m.group(1) for m in re.finditer(r"^(?:import|from) (\w+)", text, re.M)}
    # besides NumPy, only a CNN's convolution kernels import the standard library (their per-thread buffers)
    assert imports - ({"sys", "threading"} if net.arch.is_cnn else set()) == {"numpy"}
    assert r"\circ" in text or r"\ast" in text or "W_{" in text      # formulas sit beside the code
    path = tmp_path / "generated.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location("generated_net", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    params = perturbed(net)
    X, Y = sample(net)
    ours, theirs = net.grads(params, X, Y), mod.grads(params, X, Y)
    assert list(ours) == list(theirs)
    for k in ours:
        np.testing.assert_allclose(theirs[k], ours[k], rtol=1e-12, atol=1e-12)
    assert mod.loss(params, X, Y) == pytest.approx(net.loss(params, X, Y), rel=1e-12)
    np.testing.assert_allclose(mod.predict(params, X), net.predict(params, X), rtol=1e-12)
    assert {k: v.shape for k, v in mod.init(0).items()} == net.param_shapes
    with pytest.raises(ValueError):
        mod.grads(params, X[..., :-1], Y)
    with pytest.raises(ValueError, match="complex"):
        mod.grads(params, X + 1j, Y)
    with pytest.raises(ValueError, match="not numeric"):
        mod.loss(params, np.full(X.shape, "a"), Y)
    with pytest.raises(ValueError, match="labels"):
        mod.loss(params, X, None)


def test_codegen_command_writes_a_module(tmp_path):
    from gradaudit.cli import main
    out = tmp_path / "mlp.py"
    assert main(["codegen", "d002-mlp-L-relu-softmax", "--sizes", "6,5,3", "-o", str(out)]) == 0
    assert "def grads(params, X, Y)" in out.read_text()
    assert main(["codegen", "d002-mlp-L-relu-softmax", "--sizes", "6,x", "-o", str(out)]) == 2
    assert main(["codegen", "activations", "-o", str(out)]) == 2


def test_depth_alone_repeats_the_documents_hidden_width():
    arch = architectures.get("d002-mlp-L-relu-softmax")
    net = compile_network(arch.id, depth=5)
    assert len(net.param_shapes) == 10
    assert net.param_shapes["W1"][0] == arch.sizes[0][0] and net.param_shapes["W5"][1] == arch.sizes[0][-1]
    with pytest.raises(GradauditError, match="depth 5 needs 6 sizes"):
        compile_network(arch.id, depth=5, sizes=[3, 4])


def test_compile_takes_the_generic_activation():
    net = gradaudit.compile("d001-mlp-L-g", sizes=[4, 3, 1], activation="sigmoid")
    assert net.activation == "sigmoid" and "sigmoid(Z1)" in net.programs["grads"].source
