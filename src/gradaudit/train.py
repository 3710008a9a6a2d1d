"""Mini-batch training of a compiled network with its generated gradients.

The optimiser is SGD with classical (heavy-ball) momentum, v <- mu v - lr g, p <- p + v, the
update scikit-learn's MLPClassifier uses with nesterovs_momentum=False, so the benchmarks
compare like with like; `momentum=0` gives plain SGD. Architectures whose loss is summed
over the examples (averaging "sum" or "single") have their gradients divided by the batch
size here, so one learning rate means the same step for every architecture.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .datasets import Split
from .errors import GradauditError


@dataclass
class History:
    """Per-epoch mean loss and accuracy on the training and test splits."""
    train_loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    test_loss: list = field(default_factory=list)
    test_acc: list = field(default_factory=list)
    seconds: float = 0.0


def accuracy(net, params, X, y) -> float:
    return float(np.mean(net.classify(params, X) == y))


def mean_loss(net, params, X, Y) -> float:
    """The loss per example, whatever the architecture's own averaging."""
    m = net.examples(X)
    return net.loss(params, X, Y) / (1 if net.averaging == "mean" else m)


def fit(net, data: Split, *, epochs: int = 30, lr: float = 0.05, batch_size: int = 64, momentum: float = 0.9,
        seed: int = 0, params: dict | None = None, progress=None) -> tuple[dict, History]:
    """Train `net` on `data`; returns the trained parameters and the history.

    `progress(epoch, history)` is called after every epoch (the CLI prints a line from it).
    """
    if epochs < 1 or batch_size < 1 or lr <= 0:
        raise GradauditError("epochs and batch size must be >= 1 and the learning rate > 0")
    outputs = net.outputs
    X_tr, Y_tr = net.layout(data.X_train, data.targets(data.y_train, outputs))
    X_te, Y_te = net.layout(data.X_test, data.targets(data.y_test, outputs))
    params = net.init(seed=seed) if params is None else {k: v.copy() for k, v in params.items()}
    velocity = {k: np.zeros_like(v) for k, v in params.items()}
    rng = np.random.default_rng(seed)
    m = data.X_train.shape[0]
    scale_by_batch = net.averaging != "mean"
    history = History()
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        order = rng.permutation(m)
        for lo in range(0, m, batch_size):
            idx = order[lo:lo + batch_size]
            Xb, Yb = net.take(X_tr, idx), net.take(Y_tr, idx)
            grads = net.grads(params, Xb, Yb)
            step = lr / len(idx) if scale_by_batch else lr
            for k, g in grads.items():
                v = velocity[k]
                v *= momentum
                v -= step * g
                params[k] += v
        history.train_loss.append(mean_loss(net, params, X_tr, Y_tr))
        history.test_loss.append(mean_loss(net, params, X_te, Y_te))
        history.train_acc.append(accuracy(net, params, X_tr, data.y_train))
        history.test_acc.append(accuracy(net, params, X_te, data.y_test))
        if progress is not None:
            progress(epoch, history)
    history.seconds = time.perf_counter() - start
    return params, history


def plot(history: History, path: str, title: str) -> None:
    """Loss and accuracy per epoch, train and test, to a PNG (matplotlib's Agg backend: no display needed)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = range(1, len(history.train_loss) + 1)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(epochs, history.train_loss, label="train")
    left.plot(epochs, history.test_loss, label="test")
    left.set(xlabel="epoch", ylabel="loss per example", title="loss")
    right.plot(epochs, history.train_acc, label="train")
    right.plot(epochs, history.test_acc, label="test")
    right.set(xlabel="epoch", ylabel="accuracy", title="accuracy", ylim=(0, 1.02))
    for ax in (left, right):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
