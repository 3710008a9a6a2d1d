"""Numerically stable NumPy kernels the generated code calls for what is not a matrix product.

Each kernel is a plain function of NumPy arrays that keeps the input dtype (float32 in,
float32 out), so the standalone-module writer can copy its source verbatim into a file that
imports only NumPy. Stability is the point: sigmoid never overflows, softmax and
log-softmax go through log-sum-exp, and the cross-entropies are computed from logits, so
logits of +-1000 give a finite loss and finite gradients.

Image tensors are (examples, channels, height, width); kernels are
(filters, channels, k, k); convolution is the cross-correlation of the CNN document
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
    peak = np.max(z, axis=axis, keepdims=True)
    return peak + np.log(np.sum(np.exp(z - peak), axis=axis, keepdims=True))


def log_softmax(z, axis):
    return z - logsumexp(z, axis)


def softmax(z, axis):
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def conv2d(x, k):
    """Valid cross-correlation: (m, c, h, w) with (f, c, kh, kw) -> (m, f, h-kh+1, w-kw+1)."""
    windows = sliding_window_view(x, k.shape[2:], axis=(2, 3))          # m c H W kh kw
    return np.tensordot(windows, k, axes=([1, 4, 5], [1, 2, 3])).transpose(0, 3, 1, 2)


def conv2d_grad_kernel(x, dz):
    """dJ/dK[f, c, a, b] = sum_{m, i, j} dZ[m, f, i, j] x[m, c, i+a, j+b]."""
    kh, kw = x.shape[2] - dz.shape[2] + 1, x.shape[3] - dz.shape[3] + 1
    windows = sliding_window_view(x, (kh, kw), axis=(2, 3))             # m c H W kh kw
    return np.tensordot(dz, windows, axes=([0, 2, 3], [0, 2, 3]))         # f c kh kw


def conv2d_grad_input(dz, k):
    """dJ/dx[m, c, i, j] = sum_{f, a, b} K[f, c, a, b] dZ[m, f, i-a, j-b]: a full correlation with the flipped kernel."""
    kh, kw = k.shape[2:]
    padded = np.pad(dz, ((0, 0), (0, 0), (kh - 1, kh - 1), (kw - 1, kw - 1)))
    windows = sliding_window_view(padded, (kh, kw), axis=(2, 3))         # m f H W kh kw
    return np.tensordot(windows, k[:, :, ::-1, ::-1], axes=([1, 4, 5], [0, 2, 3])).transpose(0, 3, 1, 2)


def _pool_windows(a, size, stride):
    return sliding_window_view(a, (size, size), axis=(2, 3))[:, :, ::stride, ::stride]


def maxpool2d(a, size, stride):
    """Maximum over size x size windows every `stride` pixels (a partial last window is dropped)."""
    return _pool_windows(a, size, stride).max(axis=(4, 5))


def maxpool2d_grad(a, dy, size, stride):
    """Route each pooled gradient to the first maximum of its window (0 elsewhere), as the mask M of the CNN document."""
    windows = _pool_windows(a, size, stride)
    m, c, ho, wo = windows.shape[:4]
    first = windows.reshape(m, c, ho, wo, size * size).argmax(axis=4)
    da = np.zeros_like(a)
    if stride == size:                      # non-overlapping windows: one scatter by reshaping
        block = np.zeros((m, c, ho, wo, size * size), dtype=a.dtype)
        np.put_along_axis(block, first[..., None], dy[..., None], axis=4)
        block = block.reshape(m, c, ho, wo, size, size).transpose(0, 1, 2, 4, 3, 5)
        da[:, :, :ho * size, :wo * size] = block.reshape(m, c, ho * size, wo * size)
        return da
    rows = np.arange(ho)[:, None] * stride + first // size
    cols = np.arange(wo)[None, :] * stride + first % size
    mi, ci = np.meshgrid(np.arange(m), np.arange(c), indexing="ij")
    np.add.at(da, (mi[..., None, None], ci[..., None, None], rows, cols), dy)
    return da
