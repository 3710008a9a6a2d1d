"""One CNN training step (forward + backward) of the generated code against a torch.nn.functional.conv2d equivalent.

The network is the CNN document's (d002-cnn-sigmoid): convolution 2x2, ReLU, max-pool 2x2
stride 2, flatten, dense sigmoid output with binary cross-entropy, at digits' size: 8x8 images,
16 filters, 10 output units, a batch of 64, float64. Both compute the same summed loss; the
script first checks that their gradients agree, then prints the median step time of each and
the ratio. PyTorch is optional (the `bench` extra): without it the comparison is skipped.

    .venv/bin/python bench/bench_cnn.py [--repeats 200]
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from gradaudit.codegen.network import compile_network

BATCH, FILTERS, CLASSES, IMAGE = 64, 16, 10, (8, 8)


def timed(fn, repeats):
    fn()
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return statistics.median(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--threads", type=int, default=None, help="limit NumPy's BLAS (and so torch) to this many threads")
    args = parser.parse_args()
    try:
        import torch  # noqa: F401 - loaded before the thread limit so the limit reaches its pool
    except ImportError:
        pass
    if args.threads:
        from threadpoolctl import threadpool_limits
        globals()["_limits"] = threadpool_limits(args.threads)   # kept alive: the limit lasts the run
    net = compile_network("d002-cnn-sigmoid", sizes={"image": IMAGE, "filters": FILTERS, "dense": [CLASSES]})
    rng = np.random.default_rng(0)
    params = {k: v + 0.1 * rng.standard_normal(v.shape) for k, v in net.init(seed=0).items()}
    X = rng.standard_normal((BATCH,) + IMAGE)
    Y = np.eye(CLASSES)[rng.integers(0, CLASSES, BATCH)]
    print(f"CNN d002-cnn-sigmoid: {IMAGE[0]}x{IMAGE[1]} images, {FILTERS} filters 2x2, max-pool 2, dense {CLASSES} sigmoid, "
          f"BCE summed, batch {BATCH}, float64")
    generated = timed(lambda: net.grads(params, X, Y), args.repeats)
    print(f"generated (gradaudit)        {generated * 1e3:8.3f} ms per step")
    try:
        import torch
    except ImportError:
        print("note: PyTorch not installed (pip install torch==2.13.0): the torch comparison is skipped")
        return
    from threadpoolctl import threadpool_info
    threads = max([p["num_threads"] for p in threadpool_info()
                   if p.get("user_api") == "blas" and "numpy" in p["filepath"]] or [1])
    torch.set_num_threads(threads)
    F = torch.nn.functional
    t = {k: torch.from_numpy(v.copy()).requires_grad_() for k, v in params.items()}
    tX = torch.from_numpy(X)[:, None]
    tY = torch.from_numpy(Y)

    def torch_step():
        z = F.conv2d(tX, t["K1"][:, None], t["b1"].reshape(-1))
        p = F.max_pool2d(F.relu(z), 2, 2)
        logits = p.reshape(BATCH, -1) @ t["W2"] + t["b2"]
        loss = F.binary_cross_entropy_with_logits(logits, tY, reduction="sum")
        return torch.autograd.grad(loss, list(t.values()))

    ours = net.grads(params, X, Y)
    theirs = dict(zip(t, (g.numpy() for g in torch_step())))
    worst = max(np.max(np.abs(ours[k] - theirs[k].reshape(ours[k].shape))) / (np.max(np.abs(theirs[k])) + 1e-300)
                for k in ours)
    print(f"gradients agree with torch: max relative difference {worst:.1e}")
    assert worst < 1e-10, worst
    peer = timed(torch_step, args.repeats)
    print(f"PyTorch eager conv2d ({threads} threads) {peer * 1e3:8.3f} ms per step")
    print(f"generated / torch: {generated / peer:.2f}x  (load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
