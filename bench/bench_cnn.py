"""One CNN training step (forward + backward) of the generated code against PyTorch eager, side by side.

Two networks on digits' 8x8 images, a batch of 64, summed losses:
  doc    the CNN document's (d002-cnn-sigmoid): conv 2x2 with 16 one-channel filters, ReLU,
         max-pool 2, flatten, dense 10 sigmoid, binary cross-entropy;
  multi  conv(3, 8, relu), conv(3, 16, relu), maxpool(2), flatten, dense(10, softmax), cross-entropy
         (1 -> 8 -> 16 channels, 4-D kernels).
Each row is one network, dtype (float64, float32) and thread count (1, 2): the median step time
of each side and their ratio. The script first checks that the gradients agree (float64: 1e-12
relative). PyTorch is the optional `bench` extra; without it only the generated side is timed.
The rate is the step's multiply-adds (convolutions and dense products, forward and backward)
over its time, beside NumPy's own matmul rate at the same size.

    python bench/bench_cnn.py [--repeats 200]
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
from threadpoolctl import threadpool_limits

from gradaudit.architectures import cnn
from gradaudit.codegen.network import compile_network

BATCH, CLASSES, IMAGE = 64, 10, (8, 8)
MULTI = cnn([("conv", 3, 8, "relu"), ("conv", 3, 16, "relu"), ("maxpool", 2), ("flatten",), ("dense", CLASSES, "softmax")],
            image=IMAGE, name="multi")


def timed(fn, repeats):
    for _ in range(5):
        fn()
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return statistics.median(out)


def compiled(which, dtype):
    if which == "doc":
        return compile_network("d002-cnn-sigmoid", sizes={"image": IMAGE, "filters": 16, "dense": [CLASSES]}, dtype=dtype)
    return compile_network(MULTI, dtype=dtype)


def flops(which) -> float:
    """Floating-point operations of one step: 2 per multiply-add, forward + kernel and input gradients."""
    if which == "doc":
        conv = BATCH * 16 * 7 * 7 * 4
        dense = BATCH * 16 * 3 * 3 * CLASSES
        return 2 * (2 * conv + 3 * dense)
    c1 = BATCH * 8 * 6 * 6 * 9
    c2 = BATCH * 16 * 4 * 4 * 8 * 9
    dense = BATCH * 64 * CLASSES
    return 2 * (2 * c1 + 3 * c2 + 3 * dense)


def torch_step(which, params, X, Y):
    import torch
    F = torch.nn.functional
    t = {k: torch.from_numpy(v.copy()).requires_grad_() for k, v in params.items()}
    tX, tY = torch.from_numpy(X), torch.from_numpy(Y)
    if which == "doc":
        tX = tX[:, None]

        def step():
            z = F.conv2d(tX, t["K1"][:, None], t["b1"].reshape(-1))
            p = F.max_pool2d(F.relu(z), 2, 2)
            logits = p.reshape(BATCH, -1) @ t["W2"] + t["b2"]
            loss = F.binary_cross_entropy_with_logits(logits, tY, reduction="sum")
            return torch.autograd.grad(loss, list(t.values()))
    else:
        tX, labels = tX[:, None], tY.argmax(dim=1)

        def step():
            a = F.relu(F.conv2d(tX, t["K1"], t["b1"].reshape(-1)))
            a = F.relu(F.conv2d(a, t["K2"], t["b2"].reshape(-1)))
            logits = F.max_pool2d(a, 2, 2).reshape(BATCH, -1) @ t["W3"] + t["b3"]
            loss = F.cross_entropy(logits, labels, reduction="sum")
            return torch.autograd.grad(loss, list(t.values()))
    return step, list(t)


def matmul_rate(dtype, repeats) -> float:
    """NumPy's matmul GFLOP/s on the multi network's largest product (im2col of conv 2: 1024 x 72 by 72 x 16)."""
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((BATCH * 16, 72)).astype(dtype), rng.standard_normal((72, 16)).astype(dtype)
    return 2 * a.shape[0] * 72 * 16 / timed(lambda: a @ b, repeats) / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of the multi network's float32 step")
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        torch = None
        print("note: PyTorch not installed (pip install torch==2.13.0): only the generated side is timed")
    rng = np.random.default_rng(0)
    X64 = rng.standard_normal((BATCH,) + IMAGE)
    Y64 = np.eye(CLASSES)[rng.integers(0, CLASSES, BATCH)]
    print(f"batch {BATCH}, {IMAGE[0]}x{IMAGE[1]} images; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} cores")
    print(f"{'network':8s} {'dtype':8s} {'threads':>7s} {'generated ms':>13s} {'torch ms':>9s} {'ratio':>6s} "
          f"{'GFLOP/s':>8s} {'matmul GFLOP/s':>15s}")
    for which in ("doc", "multi"):
        for dtype in ("float64", "float32"):
            net = compiled(which, dtype)
            params = {k: (v + 0.1 * rng.standard_normal(v.shape)).astype(dtype) for k, v in net.init(seed=0).items()}
            X, Y = X64.astype(dtype), Y64.astype(dtype)
            peer = None
            if torch is not None:
                peer, names = torch_step(which, params, X, Y)
                ours = net.grads(params, X, Y)
                theirs = dict(zip(names, (g.numpy() for g in peer())))
                worst = max(np.max(np.abs(ours[k] - theirs[k].reshape(ours[k].shape))) / np.max(np.abs(theirs[k]))
                            for k in ours)
                assert worst < (1e-12 if dtype == "float64" else 1e-4), (which, dtype, worst)
            for threads in (1, 2):
                with threadpool_limits(threads):
                    if torch is not None:
                        torch.set_num_threads(threads)
                    ours_t = timed(lambda: net.grads(params, X, Y), args.repeats)
                    peer_t = timed(peer, args.repeats) if peer else float("nan")
                    rate = matmul_rate(dtype, args.repeats)
                print(f"{which:8s} {dtype:8s} {threads:7d} {ours_t * 1e3:13.3f} {peer_t * 1e3:9.3f} {ours_t / peer_t:5.2f}x "
                      f"{flops(which) / ours_t / 1e9:8.2f} {rate:15.2f}", flush=True)
    if args.profile:
        import cProfile
        import pstats
        net = compiled("multi", "float32")
        params = {k: v.astype("float32") for k, v in net.init(seed=0).items()}
        X, Y = X64.astype("float32"), Y64.astype("float32")
        with threadpool_limits(1):
            prof = cProfile.Profile()
            prof.enable()
            for _ in range(300):
                net.grads(params, X, Y)
            prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(12)


if __name__ == "__main__":
    main()
