"""Generated CNN gradients == PyTorch's (conv2d, max_pool2d, cross_entropy) to 1e-12 relative in float64.

PyTorch is the optional `bench` extra (pip install torch==2.13.0): without it this file is skipped.
"""
from __future__ import annotations

import numpy as np
import pytest

from gradaudit.architectures import cnn
from gradaudit.codegen.network import compile_network

torch = pytest.importorskip("torch")
F = torch.nn.functional
BATCH = 16


def _relative(ours, theirs):
    return {k: float(np.max(np.abs(ours[k] - theirs[k].reshape(ours[k].shape))) / np.max(np.abs(theirs[k]))) for k in ours}


def _setup(net, seed=0):
    rng = np.random.default_rng(seed)
    params = {k: v + 0.1 * rng.standard_normal(v.shape) for k, v in net.init(seed=seed).items()}
    tail = net._x_tail
    X = rng.standard_normal((BATCH,) + tail)
    labels = rng.integers(0, net.outputs, BATCH)
    return params, X, labels


def test_two_conv_multi_channel_network_equals_torch():
    arch = cnn([("conv", 3, 8, "relu"), ("conv", 3, 16, "relu"), ("maxpool", 2), ("flatten",), ("dense", 10, "softmax")],
               image=(8, 8), name="multi")
    net = compile_network(arch)
    params, X, labels = _setup(net)
    t = {k: torch.from_numpy(v.copy()).requires_grad_() for k, v in params.items()}
    a = F.relu(F.conv2d(torch.from_numpy(X)[:, None], t["K1"], t["b1"].reshape(-1)))
    a = F.relu(F.conv2d(a, t["K2"], t["b2"].reshape(-1)))
    logits = F.max_pool2d(a, 2, 2).reshape(BATCH, -1) @ t["W3"] + t["b3"]
    loss = F.cross_entropy(logits, torch.from_numpy(labels), reduction="sum")
    theirs = dict(zip(t, (g.numpy() for g in torch.autograd.grad(loss, list(t.values()))), strict=False))
    ours = net.grads(params, X, np.eye(10)[labels])
    assert net.loss(params, X, np.eye(10)[labels]) == pytest.approx(loss.item(), rel=1e-12)
    worst = _relative(ours, theirs)
    assert max(worst.values()) < 1e-12, worst


def test_same_padding_and_input_channels_equal_torch():
    arch = cnn([("conv", 3, 4, "tanh", "same"), ("maxpool", 2), ("conv", 2, 5, "relu"), ("flatten",),
                ("dense", 7, "relu"), ("dense", 3, "softmax")], image=(7, 6), channels=3, name="same")
    net = compile_network(arch)
    params, X, labels = _setup(net, seed=1)
    t = {k: torch.from_numpy(v.copy()).requires_grad_() for k, v in params.items()}
    a = torch.tanh(F.conv2d(torch.from_numpy(X), t["K1"], t["b1"].reshape(-1), padding=1))
    a = F.relu(F.conv2d(F.max_pool2d(a, 2, 2), t["K2"], t["b2"].reshape(-1)))
    h = F.relu(a.reshape(BATCH, -1) @ t["W3"] + t["b3"])
    loss = F.cross_entropy(h @ t["W4"] + t["b4"], torch.from_numpy(labels), reduction="sum")
    theirs = dict(zip(t, (g.numpy() for g in torch.autograd.grad(loss, list(t.values()))), strict=False))
    worst = _relative(net.grads(params, X, np.eye(3)[labels]), theirs)
    assert max(worst.values()) < 1e-12, worst


def test_document_cnn_equals_torch():
    net = compile_network("d002-cnn-sigmoid", sizes={"image": (8, 8), "filters": 6, "dense": [10]})
    params, X, labels = _setup(net, seed=2)
    Y = np.eye(10)[labels]
    t = {k: torch.from_numpy(v.copy()).requires_grad_() for k, v in params.items()}
    z = F.conv2d(torch.from_numpy(X)[:, None], t["K1"][:, None], t["b1"].reshape(-1))
    logits = F.max_pool2d(F.relu(z), 2, 2).reshape(BATCH, -1) @ t["W2"] + t["b2"]
    loss = F.binary_cross_entropy_with_logits(logits, torch.from_numpy(Y), reduction="sum")
    theirs = dict(zip(t, (g.numpy() for g in torch.autograd.grad(loss, list(t.values()))), strict=False))
    worst = _relative(net.grads(params, X, Y), theirs)
    assert max(worst.values()) < 1e-12, worst
