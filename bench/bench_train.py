"""Training speed of the generated functions against hand-written NumPy, PyTorch eager and scikit-learn.

One run, side by side: the same network (64-128-64-10, ReLU hidden layers, softmax output,
cross-entropy), the same data (scikit-learn's digits, standardised, 75% train split), batch 64,
30 epochs, float64, SGD with heavy-ball momentum 0.9. Each peer's full training is timed
several times and the median is printed, with its ratio to the hand-written NumPy backprop;
then the achieved GFLOP/s of one epoch against this machine's NumPy matmul rate measured in
the same run. PyTorch is optional (the `bench` extra): without it its row says so.

    .venv/bin/python bench/bench_train.py [--repeats 5] [--epochs 30]
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

import gradaudit
from gradaudit.datasets import load

SIZES = [64, 128, 64, 10]
ARCH = "d002-mlp-L-relu-softmax"
BATCH, LR, MOMENTUM = 64, 0.05, 0.9


def blas_threads() -> int:
    """How many threads NumPy's own BLAS uses (threadpoolctl ships with scikit-learn)."""
    from threadpoolctl import threadpool_info
    counts = [p["num_threads"] for p in threadpool_info() if p.get("user_api") == "blas" and "numpy" in p["filepath"]]
    return max(counts) if counts else 1


def init_params(seed: int) -> dict:
    """He-normal weights, zero biases, row convention (W is n_in x n_out, b is 1 x n_out)."""
    rng = np.random.default_rng(seed)
    params = {}
    for i, (a, b) in enumerate(zip(SIZES[:-1], SIZES[1:], strict=False), start=1):
        params[f"W{i}"] = rng.normal(0.0, np.sqrt(2.0 / a), size=(a, b))
        params[f"b{i}"] = np.zeros((1, b))
    return params


def sgd(grads_fn, params: dict, X, Y, epochs: int, seed: int) -> dict:
    """The loop every NumPy peer shares, so only the gradient function differs."""
    velocity = {k: np.zeros_like(v) for k, v in params.items()}
    rng = np.random.default_rng(seed)
    m = X.shape[0]
    for _ in range(epochs):
        order = rng.permutation(m)
        for lo in range(0, m, BATCH):
            idx = order[lo:lo + BATCH]
            grads = grads_fn(params, X[idx], Y[idx])
            step = LR / len(idx)
            for k, g in grads.items():
                v = velocity[k]
                v *= MOMENTUM
                v -= step * g
                params[k] += v
    return params


def handwritten_grads(p, X, Y):
    """Backprop written by hand: the summed cross-entropy's gradients, row convention."""
    Z1 = X @ p["W1"] + p["b1"]
    A1 = np.maximum(Z1, 0)
    Z2 = A1 @ p["W2"] + p["b2"]
    A2 = np.maximum(Z2, 0)
    Z3 = A2 @ p["W3"] + p["b3"]
    E = np.exp(Z3 - Z3.max(axis=1, keepdims=True))
    dZ3 = E / E.sum(axis=1, keepdims=True) - Y
    dZ2 = (dZ3 @ p["W3"].T) * (Z2 > 0)
    dZ1 = (dZ2 @ p["W2"].T) * (Z1 > 0)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0, keepdims=True),
            "W2": A1.T @ dZ2, "b2": dZ2.sum(axis=0, keepdims=True),
            "W3": A2.T @ dZ3, "b3": dZ3.sum(axis=0, keepdims=True)}


def handwritten_predict(p, X):
    A = X
    for i in (1, 2):
        A = np.maximum(A @ p[f"W{i}"] + p[f"b{i}"], 0)
    return (A @ p["W3"] + p["b3"]).argmax(axis=1)


def run_numpy(grads_fn, predict, data, epochs, seed):
    Y = np.eye(10)[data.y_train]
    params = sgd(grads_fn, init_params(seed), data.X_train, Y, epochs, seed)
    return float(np.mean(predict(params, data.X_test) == data.y_test))


def run_torch(torch, data, epochs, seed):
    """PyTorch eager on the CPU: autograd, summed cross-entropy, the same momentum update."""
    X = torch.from_numpy(data.X_train)
    y = torch.from_numpy(data.y_train)
    params = {k: torch.from_numpy(v.copy()).requires_grad_() for k, v in init_params(seed).items()}
    velocity = {k: torch.zeros_like(v) for k, v in params.items()}
    rng = np.random.default_rng(seed)
    F = torch.nn.functional
    m = X.shape[0]

    def logits(inp):
        a = F.relu(inp @ params["W1"] + params["b1"])
        a = F.relu(a @ params["W2"] + params["b2"])
        return a @ params["W3"] + params["b3"]

    for _ in range(epochs):
        order = torch.from_numpy(rng.permutation(m))
        for lo in range(0, m, BATCH):
            idx = order[lo:lo + BATCH]
            loss = F.cross_entropy(logits(X[idx]), y[idx], reduction="sum")
            grads = torch.autograd.grad(loss, list(params.values()))
            step = LR / len(idx)
            with torch.no_grad():
                for (k, p), g in zip(params.items(), grads, strict=False):
                    v = velocity[k]
                    v.mul_(MOMENTUM).sub_(g, alpha=step)
                    p.add_(v)
    with torch.no_grad():
        pred = logits(torch.from_numpy(data.X_test)).argmax(dim=1).numpy()
    return float(np.mean(pred == data.y_test))


def run_sklearn(data, epochs, seed):
    import warnings
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=tuple(SIZES[1:-1]), activation="relu", solver="sgd", alpha=0.0,
                        batch_size=BATCH, learning_rate_init=LR, momentum=MOMENTUM, nesterovs_momentum=False,
                        max_iter=epochs, shuffle=True, early_stopping=False, n_iter_no_change=epochs + 1,
                        tol=0.0, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(data.X_train, data.y_train)
    return float(clf.score(data.X_test, data.y_test))


def matmul_gflops(n: int = 512, repeats: int = 20) -> float:
    a, b = np.random.default_rng(0).normal(size=(2, n, n))
    a @ b
    best = min(_timed(lambda: a @ b) for _ in range(repeats))
    return 2 * n ** 3 / best / 1e9


def epoch_flops(m: int) -> float:
    """Matmul flops of one epoch: forward X W, then dW = A^T dZ and dA = dZ W^T (3 products per layer, 2 flops each)."""
    per_example = sum(2 * a * b for a, b in zip(SIZES[:-1], SIZES[1:], strict=False))
    return 3 * per_example * m


def _timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--threads", type=int, default=None,
                        help="limit NumPy's BLAS (and so torch) to this many threads; default: NumPy's own setting")
    args = parser.parse_args()
    data = load("digits", seed=0)
    try:
        import torch
    except ImportError:
        torch = None
    if args.threads:        # after every library is loaded, so the limit reaches each one's thread pool
        from threadpoolctl import threadpool_limits
        globals()["_limits"] = threadpool_limits(args.threads)   # kept alive: the limit lasts the run
    net = gradaudit.compile(ARCH, sizes=SIZES, dtype="float64")
    assert net.convention == "row", "the peers below are written in the row convention"
    threads = blas_threads()

    peers = {
        "generated (gradaudit)": lambda s: run_numpy(net.grads, lambda p, X: net.classify(p, X), data, args.epochs, s),
        "hand-written NumPy": lambda s: run_numpy(handwritten_grads, handwritten_predict, data, args.epochs, s),
    }
    if torch is not None:
        torch.set_num_threads(threads)
        peers["PyTorch eager (CPU)"] = lambda s: run_torch(torch, data, args.epochs, s)
        torch_note = f"torch {torch.__version__}, {torch.get_num_threads()} threads"
    else:
        torch_note = "PyTorch not installed (pip install torch==2.13.0): its row is skipped"
    peers["scikit-learn MLPClassifier"] = lambda s: run_sklearn(data, args.epochs, s)

    print(f"network {SIZES}, ReLU/softmax/cross-entropy, digits train {data.X_train.shape[0]} / test "
          f"{data.X_test.shape[0]}, batch {BATCH}, {args.epochs} epochs, float64, lr {LR}, momentum {MOMENTUM}")
    print(f"NumPy {np.__version__}, BLAS threads {threads}; {torch_note}; load average before: "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    times = {name: [] for name in peers}
    accs = {name: [] for name in peers}
    for r in range(args.repeats):            # interleaved, so drift in the machine hits every peer alike
        for name, run in peers.items():
            start = time.perf_counter()
            accs[name].append(run(r))
            times[name].append(time.perf_counter() - start)
    base = statistics.median(times["hand-written NumPy"])
    print(f"\n{'peer':30s} {'median s':>9s} {'vs hand-written':>16s} {'test acc':>9s}")
    for name in peers:
        med = statistics.median(times[name])
        print(f"{name:30s} {med:9.3f} {med / base:15.2f}x {statistics.median(accs[name]):9.3f}")

    rate = matmul_gflops()
    flops = epoch_flops(data.X_train.shape[0])
    print(f"\nNumPy matmul 512x512 float64: {rate:.2f} GFLOP/s")
    for name in ("generated (gradaudit)", "hand-written NumPy"):
        per_epoch = statistics.median(times[name]) / args.epochs
        achieved = flops / per_epoch / 1e9
        print(f"{name:30s} {flops / 1e9:.3f} GFLOP per epoch, {achieved:.2f} GFLOP/s = {achieved / rate:.1%} of matmul peak")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (other processes skew every ratio)")
    if "PyTorch not" in torch_note:
        print(f"note: {torch_note}")


if __name__ == "__main__":
    main()
