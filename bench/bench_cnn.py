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

    python bench/bench_cnn.py [--repeats 200] [--runs 3] [--profile] [--lines]

With --runs N the whole table is measured N times, one run after the other (each ratio still from
the two sides timed back to back), and a last table gives each row's medians over the runs.
"""
from __future__ import annotations

import argparse
import ast
import functools
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


def prepared(which, dtype, X64, Y64, rng, torch):
    """The compiled network, its parameters and data in dtype, and PyTorch's step after checking it agrees."""
    net = compiled(which, dtype)
    params = {k: (v + 0.1 * rng.standard_normal(v.shape)).astype(dtype) for k, v in net.init(seed=0).items()}
    X, Y = X64.astype(dtype), Y64.astype(dtype)
    peer = None
    if torch is not None:
        peer, names = torch_step(which, params, X, Y)
        ours = net.grads(params, X, Y)
        theirs = dict(zip(names, (g.numpy() for g in peer()), strict=False))
        worst = max(np.max(np.abs(ours[k] - theirs[k].reshape(ours[k].shape))) / np.max(np.abs(theirs[k]))
                    for k in ours)
        assert worst < (1e-12 if dtype == "float64" else 1e-4), (which, dtype, worst)
    return net, params, X, Y, peer


def row(which, dtype, threads, ours_t, peer_t, ratio, rate) -> str:
    return (f"{which:8s} {dtype:8s} {threads:7d} {ours_t * 1e3:13.3f} {peer_t * 1e3:9.3f} {ratio:5.2f}x "
            f"{flops(which) / ours_t / 1e9:8.2f} {rate:15.2f}")


def line_times(net, params, X, Y, repeats):
    """Median time of each statement of the generated step (and of each returned gradient), in seconds.

    The step's source is re-parsed with a clock read after every assignment and every returned
    expression, and run on the network's own arguments (what net.grads passes it).
    """
    from gradaudit.codegen.programs import KERNELS
    fn = ast.parse(net.programs["grads"].source).body[0]
    body, labels = [], []
    tick = ast.parse("_ticks.append(_clock())").body[0]
    for stmt in fn.body:
        if isinstance(stmt, ast.Return):
            names = [f"_g{i}" for i in range(len(stmt.value.elts))]
            for name, expr in zip(names, stmt.value.elts, strict=False):
                body += [ast.Assign([ast.Name(name, ast.Store())], expr), tick]
                labels.append(f"{name} = {ast.unparse(expr)}")
            body.append(ast.parse(f"return [{', '.join(names)}]").body[0])
        else:
            body += [stmt, tick]
            labels.append(ast.unparse(stmt))
    fn.body = [tick] + body
    module = ast.fix_missing_locations(ast.Module([fn], []))
    scope = dict(KERNELS, numpy=np, _clock=time.perf_counter)
    exec(compile(module, "<generated step, timed>", "exec"), scope)       # noqa: S102 (our own generated source)
    args = [net._to_internal(X), net._to_internal(Y)] + [params[k] for k in net.param_shapes]
    runs = []
    for _ in range(repeats):
        scope["_ticks"] = ticks = []
        scope[fn.name](*args)
        runs.append(np.diff(ticks))
    return list(zip(labels, np.median(runs, axis=0), strict=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--runs", type=int, default=1, help="measure the table this many times; print the medians")
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of the multi network's float32 step")
    parser.add_argument("--lines", action="store_true", help="also print each line's time in both networks' steps")
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
    header = (f"{'network':8s} {'dtype':8s} {'threads':>7s} {'generated ms':>13s} {'torch ms':>9s} {'ratio':>6s} "
              f"{'GFLOP/s':>8s} {'matmul GFLOP/s':>15s}")
    nets = {(which, dtype): prepared(which, dtype, X64, Y64, rng, torch) for which in ("doc", "multi")
            for dtype in ("float64", "float32")}
    rows = {}
    for run in range(args.runs):
        print(f"run {run + 1}, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n{header}")
        for (which, dtype), (net, params, X, Y, peer) in nets.items():
            for threads in (1, 2):
                with threadpool_limits(threads):
                    if torch is not None:
                        torch.set_num_threads(threads)
                    ours_t = timed(functools.partial(net.grads, params, X, Y), args.repeats)
                    peer_t = timed(peer, args.repeats) if peer else float("nan")
                    rate = matmul_rate(dtype, args.repeats)
                rows.setdefault((which, dtype, threads), []).append((ours_t, peer_t, ours_t / peer_t, rate))
                print(row(which, dtype, threads, ours_t, peer_t, ours_t / peer_t, rate), flush=True)
    if args.runs > 1:
        print(f"medians over {args.runs} runs\n{header}")
        for (which, dtype, threads), runs in rows.items():
            print(row(which, dtype, threads, *(statistics.median(c) for c in zip(*runs, strict=False))))
    if args.lines:
        for (which, dtype), (net, params, X, Y, _) in nets.items():
            with threadpool_limits(1):
                times = line_times(net, params, X, Y, args.repeats)
            print(f"{which} {dtype}, 1 thread: {sum(t for _, t in times) * 1e6:.0f} us per step, line by line (median)")
            for label, t in times:
                print(f"  {t * 1e6:8.1f} us  {label}")
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
