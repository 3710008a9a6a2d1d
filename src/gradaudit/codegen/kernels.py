"""Numerically stable NumPy kernels the generated code calls for what is not a matrix product.

Each kernel is a plain function of NumPy arrays that keeps the input dtype (float32 in,
float32 out), so the standalone-module writer can copy its source verbatim into a file that
imports only NumPy. Stability is the point: sigmoid never overflows, softmax and
log-softmax go through log-sum-exp, and the cross-entropies are computed from logits, so
logits of +-1000 give a finite loss and finite gradients.

Image kernels work on the last two axes and broadcast over the leading ones
(examples, filters): the CNN document's formulas are for one example and one channel, and
the generated code runs them for a batch of examples and a bank of independent filters at
once. Convolution is the document's cross-correlation
(z[i, j] = b + sum_ab x[i+a, j+b] K[a, b]), valid padding, stride 1.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def sigmoid(z):
    """1 / (1 + e^-z) without overflow: exp only ever sees -|z|."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def log_sigmoid(z):
    """log(sigmoid(z)) = -log(1 + e^-z), finite for any z."""
    return -np.logaddexp(0, -z)


def relu(z):
    return np.maximum(z, 0)


def relu_step(z):
    """ReLU's derivative: 1 where z > 0, else 0 (the subgradient 0 at z = 0)."""
    return (z > 0).astype(z.dtype)


def logsumexp(z, axis):
    """log(sum(exp(z), axis)) with the maximum factored out, keeping the reduced axis."""
    peak = z.max(axis=axis, keepdims=True)
    return peak + np.log(np.exp(z - peak).sum(axis=axis, keepdims=True))


def log_softmax(z, axis):
    return z - logsumexp(z, axis)


def softmax(z, axis):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def conv2d(x, k):
    """Valid cross-correlation over the last two axes: out[..., i, j] = sum_ab x[..., i+a, j+b] k[..., a, b].

    Leading axes broadcast (examples x filters), so the same call is the forward pass
    Conv2D(X, K) and the kernel gradient Conv2D(A_prev, dZ) of the CNN document (eq. 55).
    """
    windows = sliding_window_view(x, k.shape[-2:], axis=(-2, -1))      # ... I J a b
    if x.ndim == 4 and x.shape[1] == 1 and k.ndim == 3:                 # one input map, a bank of filters: one matmul
        m, _, ho, wo, kh, kw = windows.shape
        out = windows.reshape(m * ho * wo, kh * kw) @ k.reshape(len(k), kh * kw).T
        return out.reshape(m, ho, wo, len(k)).transpose(0, 3, 1, 2)
    return np.einsum("...ijab,...ab->...ij", windows, k, optimize=True)


def conv2d_grad_kernel_sum(x, dz):
    """sum over examples of conv2d(x, dz): the kernel gradient of a batch, one tensordot for one input map."""
    if x.ndim == 4 and x.shape[1] == 1:
        windows = sliding_window_view(x[:, 0], dz.shape[-2:], axis=(-2, -1))   # m kh kw ho wo
        return np.tensordot(dz, windows, axes=([0, 2, 3], [0, 3, 4]))          # f kh kw
    return np.sum(conv2d(x, dz), axis=0)


def conv2d_grad_input(g, k):
    """dJ/dx[..., i, j] = sum_pq k[..., p, q] g[..., i-p, j-q]: a full correlation with the flipped kernel (eq. 62)."""
    kh, kw = k.shape[-2:]
    pad = [(0, 0)] * (g.ndim - 2) + [(kh - 1, kh - 1), (kw - 1, kw - 1)]
    return conv2d(np.pad(g, pad), k[..., ::-1, ::-1])


def _offsets(a, size, stride):
    """For each offset (r, c) inside a window, in row-major order: the slices that pick it from every window."""
    ho, wo = (a.shape[-2] - size) // stride + 1, (a.shape[-1] - size) // stride + 1
    for r in range(size):
        for c in range(size):
            yield (Ellipsis, slice(r, r + (ho - 1) * stride + 1, stride), slice(c, c + (wo - 1) * stride + 1, stride))


def maxpool2d(a, size, stride):
    """Maximum over size x size windows of the last two axes every `stride` pixels (a partial last window is dropped).

    One elementwise maximum per offset inside the window, over strided views: no window copies.
    """
    out = None
    for where in _offsets(a, size, stride):
        out = a[where].copy() if out is None else np.maximum(out, a[where], out=out)
    return out


def maxpool2d_grad(a, g, size, stride):
    """Route each pooled gradient to the first maximum of its window, 0 elsewhere (the mask M of eqs 49-50).

    Offset by offset over strided views (measured faster here than a reshape into window axes
    or an argmax over stacked views): an offset takes the gradient where it holds the maximum
    and no earlier offset of the same window did.
    """
    pooled = maxpool2d(a, size, stride)
    lead = np.broadcast_shapes(a.shape[:-2], g.shape[:-2])
    out = np.zeros(lead + a.shape[-2:], dtype=np.result_type(a, g))
    taken = np.zeros(lead + pooled.shape[-2:], dtype=bool)
    for where in _offsets(a, size, stride):
        hit = (a[where] == pooled) & ~taken
        out[where] += hit * g
        taken |= hit
    return out


def flatten(p):
    """(examples, filters, h, w) -> (examples, 1, filters*h*w): one row per example, row-major as the document."""
    return p.reshape(p.shape[0], 1, -1)


def unflatten(g, h, w):
    """The inverse of flatten: (examples, 1, filters*h*w) -> (examples, filters, h, w)."""
    return g.reshape(g.shape[0], -1, h, w)
