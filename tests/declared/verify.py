"""Independent finite-difference check of the gradient formulas the notes in this folder call right.

NumPy only (no gradaudit import): each network's loss is written here from its spec, each right
formula of its notes is written here as NumPy, and every one must equal central differences of
the loss; each wrong formula's NumPy must differ. `python tests/declared/verify.py` prints one line
per network; test_declared_networks.py runs `check_all()`.
"""
from __future__ import annotations

import numpy as np

EPS = 1e-6


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def numgrad(f, x):
    """Central differences of the scalar f() in every entry of the array x (changed in place, restored)."""
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + EPS
        up = f()
        x[idx] = old - EPS
        down = f()
        x[idx] = old
        g[idx] = (up - down) / (2 * EPS)
    return g


def close(a, b):
    return np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=1e-5, atol=1e-7)


def net1(rng):
    """[tanh, sigmoid], column (Z = W A + b), BCE averaged over m; per-example dZ, dW carries 1/m."""
    n0, n1, m = 3, 4, 5
    X, Y = rng.normal(size=(n0, m)), (rng.random((1, m)) > 0.5).astype(float)
    W1, b1, W2, b2 = rng.normal(size=(n1, n0)), rng.normal(size=(n1, 1)), rng.normal(size=(1, n1)), rng.normal(size=(1, 1))

    def J():
        A2 = sig(W2 @ np.tanh(W1 @ X + b1) + b2)
        return -np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))

    Z1 = W1 @ X + b1
    A1 = np.tanh(Z1)
    A2 = sig(W2 @ A1 + b2)
    dZ2 = A2 - Y                                   # f5
    dZ1 = (W2.T @ dZ2) * (1 - A1 ** 2)            # f8
    right = {"dW2 (f6)": (1 / m * dZ2 @ A1.T, W2), "db2 (f7)": (1 / m * dZ2.sum(1, keepdims=True), b2),
             "dW1 (f9)": (1 / m * dZ1 @ X.T, W1), "db1": (1 / m * dZ1.sum(1, keepdims=True), b1)}
    wrong = {"sign f11": (-dZ2 @ A1.T / m, W2), "factor f15": (dZ1 @ X.T, W1),
             "tanh' as 1-A (f20)": (1 / m * ((W2.T @ dZ2) * (1 - A1)) @ X.T, W1)}
    return J, right, wrong


def net2(rng):
    """[relu, softmax], row (Z = X W + b), CE averaged over N, + lambda/2 sum W^2; total derivatives."""
    N, D, H, C, lam = 5, 3, 4, 3, 0.3
    X = rng.normal(size=(N, D))
    Y = np.eye(C)[rng.integers(0, C, N)]
    W1, b1, W2, b2 = rng.normal(size=(D, H)), rng.normal(size=(1, H)), rng.normal(size=(H, C)), rng.normal(size=(1, C))

    def soft(S):
        e = np.exp(S - S.max(1, keepdims=True))
        return e / e.sum(1, keepdims=True)

    def J():
        P = soft(np.maximum(0, X @ W1 + b1) @ W2 + b2)
        return -np.sum(Y * np.log(P)) / N + lam / 2 * (np.sum(W1 ** 2) + np.sum(W2 ** 2))

    Z1 = X @ W1 + b1
    A1 = np.maximum(0, Z1)
    P = soft(A1 @ W2 + b2)
    dZ2 = (P - Y) / N                             # f5
    dA1 = dZ2 @ W2.T                              # f8
    dZ1 = dA1 * (Z1 > 0)                          # f9
    right = {"dW2 (f6)": (A1.T @ dZ2 + lam * W2, W2), "db2 (f7)": (dZ2.sum(0, keepdims=True), b2),
             "dW1 (f10)": (X.T @ dZ1 + lam * W1, W1), "db1": (dZ1.sum(0, keepdims=True), b1)}
    wrong = {"no penalty (f19)": (X.T @ dZ1, W1), "2 lambda (f20)": (A1.T @ dZ2 + 2 * lam * W2, W2),
             "factor f15": (A1.T @ (P - Y) + lam * W2, W2)}
    return J, right, wrong


def net3(rng):
    """leaky_relu(0.01) x (L-1), identity; column; (1/2)(1/m) sum (A - Y)^2 + lambda/(2m) sum W^2; L = 3."""
    sizes, m, lam, alpha = [3, 4, 5, 2], 6, 0.7, 0.01
    X, Y = rng.normal(size=(sizes[0], m)), rng.normal(size=(sizes[-1], m))
    W = [None] + [rng.normal(size=(sizes[l], sizes[l - 1])) for l in (1, 2, 3)]
    b = [None] + [rng.normal(size=(sizes[l], 1)) for l in (1, 2, 3)]
    leaky = lambda z: np.where(z > 0, z, alpha * z)

    def forward():
        A, Z = [X], [None]
        for l in (1, 2, 3):
            Z.append(W[l] @ A[-1] + b[l])
            A.append(leaky(Z[-1]) if l < 3 else Z[-1])
        return A, Z

    def J():
        A, _ = forward()
        return np.sum((A[3] - Y) ** 2) / (2 * m) + lam / (2 * m) * sum(np.sum(W[l] ** 2) for l in (1, 2, 3))

    A, Z = forward()
    dZ = {3: A[3] - Y}                            # f5
    for l in (2, 1):
        dZ[l] = (W[l + 1].T @ dZ[l + 1]) * np.where(Z[l] > 0, 1.0, alpha)   # f7
    right = {f"dW{l} (f6)": (dZ[l] @ A[l - 1].T / m + lam / m * W[l], W[l]) for l in (1, 2, 3)}
    right.update({f"db{l} (f9)": (dZ[l].sum(1, keepdims=True) / m, b[l]) for l in (1, 2, 3)})
    wrong = {"lambda/(2m) W, the penalty's own scale (f15)": (dZ[2] @ A[1].T / m + lam / (2 * m) * W[2], W[2]),
             "no penalty (f21)": (dZ[2] @ A[1].T / m, W[2]),
             "relu' for leaky (f22)": (((W[3].T @ dZ[3]) * (Z[2] > 0)) @ A[1].T / m + lam / m * W[2], W[2])}
    return J, right, wrong


def net4(rng):
    """logistic regression, column-wT: z = w^T X + b, w an n x 1 column, BCE averaged over m."""
    n, m = 4, 6
    X, y = rng.normal(size=(n, m)), (rng.random((1, m)) > 0.5).astype(float)
    w, b = rng.normal(size=(n, 1)), rng.normal(size=(1, 1))

    def J():
        a = sig(w.T @ X + b)
        return -np.mean(y * np.log(a) + (1 - y) * np.log(1 - a))

    a = sig(w.T @ X + b)
    dz = a - y                                     # dZ, f4
    right = {"dw (f5)": (X @ dz.T / m, w), "db (f6)": (dz.sum(1, keepdims=True) / m, b)}
    wrong = {"transpose f14 (dZ X^T, 1 x n)": (dz @ X.T / m, w),
             "sign f12": (X @ (y - a).T / m, w)}
    return J, right, wrong


def net5(rng):
    """sigmoid x (L-1), sigmoid; index-out-in (w^l_{jk}, j the output unit); C = 1/2 |y - a^L|^2, one example."""
    sizes = [3, 4, 5, 2]
    x, y = rng.normal(size=(sizes[0], 1)), rng.random((sizes[-1], 1))
    w = [None] + [rng.normal(size=(sizes[l], sizes[l - 1])) for l in (1, 2, 3)]
    b = [None] + [rng.normal(size=(sizes[l], 1)) for l in (1, 2, 3)]

    def forward():
        a, z = [x], [None]
        for l in (1, 2, 3):
            z.append(w[l] @ a[-1] + b[l])
            a.append(sig(z[-1]))
        return a, z

    def C():
        a, _ = forward()
        return 0.5 * np.sum((y - a[3]) ** 2)

    a, z = forward()
    sp = lambda l: sig(z[l]) * (1 - sig(z[l]))
    delta = {3: (a[3] - y) * sp(3)}                # BP1 (f4)
    for l in (2, 1):
        delta[l] = (w[l + 1].T @ delta[l + 1]) * sp(l)   # BP2 (f5, f9)
    right = {f"b{l} (BP3, f6)": (delta[l], b[l]) for l in (1, 2, 3)}
    # BP4 (f9): dC/dw^l_{jk} = a^{l-1}_k delta^l_j, i.e. the matrix delta^l (a^{l-1})^T
    right.update({f"w{l} (BP4, f7, f8)": (np.array([[a[l - 1][k, 0] * delta[l][j, 0] for k in range(sizes[l - 1])]
                                                  for j in range(sizes[l])]), w[l]) for l in (1, 2, 3)})
    wrong = {"BP4 with j, k swapped (f19): a^{l-1}_j delta^l_k": (a[1] @ delta[2].T, w[2]),
             "BP1 without sigma'": ((a[3] - y), b[3])}
    return C, right, wrong


def net6(rng):
    """[tanh, identity]; index-out-in; E = 1/2 sum_i (yhat_i - y_i)^2, one example."""
    n0, n1, n2 = 3, 4, 2
    x, y = rng.normal(size=n0), rng.normal(size=n2)
    w1, b1, w2, b2 = rng.normal(size=(n1, n0)), rng.normal(size=n1), rng.normal(size=(n2, n1)), rng.normal(size=n2)

    def E():
        return 0.5 * np.sum((w2 @ np.tanh(w1 @ x + b1) + b2 - y) ** 2)

    h = np.tanh(w1 @ x + b1)
    e = w2 @ h + b2 - y                             # dE/dz^(2)_i (f5, f11)
    dz1 = (1 - h ** 2) * np.array([sum(e[i] * w2[i, j] for i in range(n2)) for j in range(n1)])   # f7
    right = {"w2 (f5, f10)": (np.array([[e[i] * h[j] for j in range(n1)] for i in range(n2)]), w2),
             "b2": (e, b2), "w1 (f8)": (np.array([[dz1[j] * x[k] for k in range(n0)] for j in range(n1)]), w1),
             "b1 (f9)": (dz1, b1)}
    wrong = {"sign f12": (-np.outer(e, h), w2), "tanh' as 1 - h (f23)": (np.outer((1 - h) * (w2.T @ e), x), w1)}
    return E, right, wrong


def net7(rng):
    """Goodfellow 6.5: [tanh, tanh, sigmoid], column, log loss of one example + (lambda/2) sum ||W^(k)||^2."""
    sizes, lam = [3, 4, 3, 1], 0.3
    x, y = rng.normal(size=(3, 1)), np.array([[1.0]])
    W = [rng.normal(size=(sizes[k + 1], sizes[k])) for k in range(3)]
    b = [rng.normal(size=(sizes[k + 1], 1)) for k in range(3)]

    def forward():
        h, hs, acts = x, [x], [np.tanh, np.tanh, sig]
        for k in range(3):
            h = acts[k](W[k] @ h + b[k])
            hs.append(h)
        return hs

    def J():
        yhat = forward()[-1]
        return float(-(y * np.log(yhat) + (1 - y) * np.log(1 - yhat)).sum() + lam / 2 * sum((w ** 2).sum() for w in W))

    hs = forward()
    g = hs[3] - y                                   # nabla_{a^(L)} J = yhat - y (f5)
    grads_W, grads_b = [None] * 3, [None] * 3
    for k in (2, 1, 0):                             # Algorithm 6.4, k = L..1
        grads_b[k] = g                              # f8
        grads_W[k] = g @ hs[k].T + lam * W[k]       # f9, f11
        g = (W[k].T @ g) * (1 - hs[k] ** 2) if k else None   # f10 then f6/f7 with tanh' = 1 - h^2
    right = {f"W{k + 1} (f9)": (grads_W[k], W[k]) for k in range(3)}
    right.update({f"b{k + 1} (f8)": (grads_b[k], b[k]) for k in range(3)})
    wrong = {"2 lambda (f18)": (grads_W[1] + lam * W[1], W[1]),
             "transposed h (f15 without the penalty)": ((grads_W[1] - lam * W[1]).T, W[1]),
             "sign (f13)": (-grads_b[2], b[2])}
    return J, right, wrong


def net8(rng):
    """Bishop 5.3: [tanh, identity], w_ji to unit j from unit i, E_n = 1/2 sum_k (y_k - t_k)^2, one example."""
    ni, nj, nk = 3, 4, 2
    x, t = rng.normal(size=ni), rng.normal(size=nk)
    w1, w10, w2, w20 = rng.normal(size=(nj, ni)), rng.normal(size=nj), rng.normal(size=(nk, nj)), rng.normal(size=nk)

    def E():
        return 0.5 * np.sum((w2 @ np.tanh(w1 @ x + w10) + w20 - t) ** 2)

    z = np.tanh(w1 @ x + w10)
    dk = w2 @ z + w20 - t                                                           # f10
    dj = (1 - z ** 2) * np.array([sum(w2[k, j] * dk[k] for k in range(nk)) for j in range(nj)])   # f12, f13
    right = {"w_ji (f9)": (np.array([[dj[j] * x[i] for i in range(ni)] for j in range(nj)]), w1),
             "w_kj (f14)": (np.array([[dk[k] * z[j] for j in range(nj)] for k in range(nk)]), w2),
             "w_j0": (dj, w10), "w_k0": (dk, w20)}
    wrong = {"sign (f21)": (-np.outer(dk, z), w2), "factor 2 (f26)": (2 * np.outer(dk, z), w2)}
    return E, right, wrong


NETWORKS = {"n1": net1, "n2": net2, "n3": net3, "n4": net4, "n5": net5, "n6": net6, "n7": net7, "n8": net8}


def check(name: str, seed: int = 0) -> tuple[int, int]:
    """(right formulas that match finite differences, wrong ones that do not); AssertionError otherwise."""
    loss, right, wrong = NETWORKS[name](np.random.default_rng(seed))
    for label, (formula, param) in right.items():
        fd = numgrad(loss, param)
        assert close(formula, fd), f"{name} {label}: the right formula disagrees with finite differences"
    for label, (formula, param) in wrong.items():
        assert not close(formula, numgrad(loss, param)), f"{name} {label}: the wrong formula matches"
    return len(right), len(wrong)


def check_all() -> dict:
    return {name: check(name) for name in NETWORKS}


if __name__ == "__main__":
    for name, (r, w) in check_all().items():
        print(f"{name}: {r} right formulas = finite differences, {w} wrong ones differ")
