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
    peak = np.max(z, axis=axis, keepdims=True)
    return peak + np.log(np.sum(np.exp(z - peak), axis=axis, keepdims=True))


def log_softmax(z, axis):
    return z - logsumexp(z, axis)


def softmax(z, axis):
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def conv2d(x, k):
    """Valid cross-correlation over the last two axes: out[..., i, j] = sum_ab x[..., i+a, j+b] k[..., a, b].

    Leading axes broadcast (examples x filters), so the same call is the forward pass
    Conv2D(X, K) and the kernel gradient Conv2D(A_prev, dZ) of the CNN document (eq. 55).
    """
    windows = sliding_window_view(x, k.shape[-2:], axis=(-2, -1))      # ... I J a b
    return np.einsum("...ijab,...ab->...ij", windows, k, optimize=True)


def conv2d_grad_input(g, k):
    """dJ/dx[..., i, j] = sum_pq k[..., p, q] g[..., i-p, j-q]: a full correlation with the flipped kernel (eq. 62)."""
    kh, kw = k.shape[-2:]
    pad = [(0, 0)] * (g.ndim - 2) + [(kh - 1, kh - 1), (kw - 1, kw - 1)]
    return conv2d(np.pad(g, pad), k[..., ::-1, ::-1])


def maxpool2d(a, size, stride):
    """Maximum over size x size windows of the last two axes every `stride` pixels (a partial last window is dropped)."""
    return sliding_window_view(a, (size, size), axis=(-2, -1))[..., ::stride, ::stride, :, :].max(axis=(-2, -1))


def maxpool2d_grad(a, g, size, stride):
    """Route each pooled gradient to the first maximum of its window, 0 elsewhere (the mask M of eqs 49-50)."""
    windows = sliding_window_view(a, (size, size), axis=(-2, -1))[..., ::stride, ::stride, :, :]
    ho, wo = windows.shape[-4:-2]
    first = windows.reshape(windows.shape[:-2] + (size * size,)).argmax(axis=-1)
    lead = a.shape[:-2]
    rows = np.arange(ho)[:, None] * stride + first // size               # ... ho wo
    cols = np.arange(wo)[None, :] * stride + first % size
    flat = np.zeros(lead + (a.shape[-2] * a.shape[-1],), dtype=np.result_type(a, g))
    target = (rows * a.shape[-1] + cols).reshape(lead + (-1,))
    values = np.broadcast_to(g, lead + (ho, wo)).reshape(lead + (-1,))
    if stride >= size:                      # windows do not overlap: every target is hit once
        np.put_along_axis(flat, target, values, axis=-1)
    else:
        for t, v in zip(np.moveaxis(target, -1, 0), np.moveaxis(values, -1, 0)):
            np.put_along_axis(flat, t[..., None], np.take_along_axis(flat, t[..., None], -1) + v[..., None], axis=-1)
    return flat.reshape(a.shape)


def flatten(p):
    """(examples, filters, h, w) -> (examples, 1, filters*h*w): one row per example, row-major as the document."""
    return p.reshape(p.shape[0], 1, -1)


def unflatten(g, h, w):
    """The inverse of flatten: (examples, 1, filters*h*w) -> (examples, filters, h, w)."""
    return g.reshape(g.shape[0], -1, h, w)
