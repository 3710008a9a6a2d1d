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
    if x.ndim == 4 and x.shape[1] == 1 and k.ndim == 3:                 # one input map, a bank of filters: one matmul
        return conv2d_mc(x, k[:, None])
    windows = sliding_window_view(x, k.shape[-2:], axis=(-2, -1))      # ... I J a b
    return np.einsum("...ijab,...ab->...ij", windows, k, optimize=True)


def conv2d_grad_kernel_sum(x, dz):
    """sum over examples of conv2d(x, dz): the kernel gradient of a batch, one tensordot for one input map."""
    if x.ndim == 4 and x.shape[1] == 1 and dz.ndim == 4:
        return conv2d_mc_grad_kernel_sum(x, dz)[:, 0]                          # f kh kw
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
    dtype = np.result_type(a, g)
    if lead == a.shape[:-2]:          # in a's memory order (a convolution's transposed layout stays one pass)
        out, taken = np.zeros_like(a, dtype=dtype), np.zeros_like(pooled, dtype=bool)
    else:
        out, taken = np.zeros(lead + a.shape[-2:], dtype=dtype), np.zeros(lead + pooled.shape[-2:], dtype=bool)
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


# --- multi-channel convolution: x (examples, C_in, h, w), k (C_out, C_in, kh, kw) -------------------
# im2col with the channel axis first, (C_in kh kw) x (examples h w), so that each convolution and
# each gradient is one BLAS product with long rows, and its result (C_out, examples, h, w) is
# returned as a transposed view: the elementwise steps after it keep that memory order, and the
# kernel gradient reads the upstream gradient in it without a copy.

def _im2col(x, kh, kw):
    """(C, kh, kw, examples, oh, ow) windows of x: kh kw slice copies (one per kernel offset)."""
    m, c, h, w = x.shape
    oh, ow = h - kh + 1, w - kw + 1
    cols = np.empty((c, kh, kw, m, oh, ow), dtype=x.dtype)
    xt = x.transpose(1, 0, 2, 3)
    for a in range(kh):
        for b in range(kw):
            cols[:, a, b] = xt[:, :, a:a + oh, b:b + ow]
    return cols.reshape(c * kh * kw, m * oh * ow)


def _channels_first(g):
    """(C, examples * h * w) of an (examples, C, h, w) array: free when g is a conv2d_mc result."""
    m, c, h, w = g.shape
    return g.transpose(1, 0, 2, 3).reshape(c, m * h * w)


def conv2d_mc(x, k):
    """z[m, o, i, j] = sum_{c,a,b} x[m, c, i+a, j+b] k[o, c, a, b]: one matrix product over the im2col windows."""
    co, ci, kh, kw = k.shape
    m, _, h, w = x.shape
    out = k.reshape(co, ci * kh * kw) @ _im2col(x, kh, kw)
    return out.reshape(co, m, h - kh + 1, w - kw + 1).transpose(1, 0, 2, 3)


def conv2d_mc_grad_kernel_sum(x, g):
    """dk[o, c, p, q] = sum_{m,i,j} g[m, o, i, j] x[m, c, i+p, j+q]: the kernel gradient summed over the batch."""
    kh, kw = x.shape[-2] - g.shape[-2] + 1, x.shape[-1] - g.shape[-1] + 1
    out = _channels_first(g) @ _im2col(x, kh, kw).T
    return out.reshape(g.shape[1], x.shape[1], kh, kw)


def conv2d_mc_grad_kernel(x, g):
    """The kernel gradient of each example (examples, C_out, C_in, kh, kw)."""
    windows = sliding_window_view(x, g.shape[-2:], axis=(-2, -1))
    return np.einsum("moij,mcpqij->mocpq", g, windows, optimize=True)


def conv2d_mc_grad_input(g, k):
    """dx[m, c, i, j] = sum_{o,p,q} k[o, c, p, q] g[m, o, i-p, j-q] (the full correlation with the flipped kernel).

    Computed as col2im: one product k^T G gives each kernel offset's contribution, added into place.
    """
    co, ci, kh, kw = k.shape
    m, _, oh, ow = g.shape
    cols = (k.reshape(co, ci * kh * kw).T @ _channels_first(g)).reshape(ci, kh, kw, m, oh, ow)
    dx = np.zeros((ci, m, oh + kh - 1, ow + kw - 1), dtype=cols.dtype)
    for a in range(kh):
        for b in range(kw):
            dx[:, :, a:a + oh, b:b + ow] += cols[:, a, b]
    return dx.transpose(1, 0, 2, 3)


def pad2d(x, p):
    """Zeros of width p around the last two axes (same padding)."""
    out = np.zeros(x.shape[:-2] + (x.shape[-2] + 2 * p, x.shape[-1] + 2 * p), dtype=x.dtype)
    out[..., p:p + x.shape[-2], p:p + x.shape[-1]] = x
    return out


def crop2d(g, p):
    """The gradient of pad2d: the border of width p dropped."""
    return g[..., p:g.shape[-2] - p, p:g.shape[-1] - p]


def channel_sum(g):
    """The bias gradient of a batch: each channel summed over examples and positions, (C, 1, 1)."""
    return _channels_first(g).sum(axis=1).reshape(-1, 1, 1)
