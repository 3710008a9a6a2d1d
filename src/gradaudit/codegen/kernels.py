"""Numerically stable NumPy kernels the generated code calls for what is not a matrix product.

Each kernel is a plain function of NumPy arrays that keeps the input dtype (float32 in,
float32 out), so the standalone-module writer can copy its source verbatim into a file that
imports only NumPy (and, for the convolution kernels' per-thread buffers, sys and threading). Stability is the point: sigmoid never overflows, softmax and
log-softmax go through log-sum-exp, and the cross-entropies are computed from logits, so
logits of +-1000 give a finite loss and finite gradients.

Image kernels work on the last two axes and broadcast over the leading ones
(examples, filters): the CNN document's formulas are for one example and one channel, and
the generated code runs them for a batch of examples and a bank of independent filters at
once. Convolution is the document's cross-correlation
(z[i, j] = b + sum_ab x[i+a, j+b] K[a, b]), valid padding, stride 1. The convolutions return
their maps stored examples-last (see the multi-channel section below); every kernel accepts
either memory order.
"""
from __future__ import annotations

import sys
import threading

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


def _offsets(a, size, stride, axes=(-2, -1)):
    """For each offset (r, c) inside a window, in row-major order: the index that picks it from every window.

    axes are the image axes of a (the last two, or axes 1 and 2 of a map stored examples-last).
    """
    h, w = a.shape[axes[0]], a.shape[axes[1]]
    ho, wo = (h - size) // stride + 1, (w - size) // stride + 1
    for r in range(size):
        for c in range(size):
            where = [slice(None)] * a.ndim
            where[axes[0]] = slice(r, r + (ho - 1) * stride + 1, stride)
            where[axes[1]] = slice(c, c + (wo - 1) * stride + 1, stride)
            yield tuple(where)


def _image_axes(a):
    """(a view of a, its image axes, the map back): a map stored examples-last is read as (C, h, w, examples).

    Element-wise steps over strided views run as fast as the memory allows only when the innermost
    loop is the contiguous axis, and for conv2d_mc's maps that is the examples axis.
    """
    if a.ndim == 4 and a.strides[0] < a.strides[3]:
        return a.transpose(1, 2, 3, 0), (1, 2), (lambda r: r.transpose(3, 0, 1, 2))
    return a, (a.ndim - 2, a.ndim - 1), (lambda r: r)


def maxpool2d(a, size, stride):
    """Maximum over size x size windows of the last two axes every `stride` pixels (a partial last window is dropped).

    One elementwise maximum per offset inside the window, over strided views: no window copies.
    """
    view, axes, back = _image_axes(a)
    out = None
    for where in _offsets(view, size, stride, axes):
        out = np.array(view[where]) if out is None else np.maximum(out, view[where], out=out)
    return back(out)


def maxpool2d_grad(a, g, size, stride):
    """Route each pooled gradient to the first maximum of its window, 0 elsewhere (the mask M of eqs 49-50).

    Offset by offset over strided views, in row-major order: an offset takes the gradient where it
    holds the window's maximum and no earlier offset did (ties go to the first, as PyTorch), so
    each step is a few element-wise passes over pooled-size arrays; the gradient is assigned when
    windows do not overlap (every pixel in at most one window), added when they do. (NumPy's
    argmax over a stack of the offsets, and a masked assignment of the offset's number, measured
    slower.)
    """
    lead = np.broadcast_shapes(a.shape[:-2], g.shape[:-2])
    a = np.broadcast_to(a, lead + a.shape[-2:]) if lead != a.shape[:-2] else a
    view, axes, back = _image_axes(a)
    g = np.broadcast_to(g, lead + g.shape[-2:])
    gv = np.ascontiguousarray(g.transpose(1, 2, 3, 0)) if view is not a else g
    offsets = list(_offsets(view, size, stride, axes))
    peak = _scratch("pool-max", view[offsets[0]].shape, a.dtype)
    peak[...] = view[offsets[0]]
    for where in offsets[1:]:
        np.maximum(peak, view[where], out=peak)
    hit, taken = _scratch("pool-hit", peak.shape, bool), _scratch("pool-taken", peak.shape, bool)
    taken.fill(False)
    out = _recycled(view.shape, np.result_type(a, g))
    out.fill(0)
    for where in offsets:
        np.equal(view[where], peak, out=hit)
        np.greater(hit, taken, out=hit)                # hit and not taken
        if stride >= size:
            np.multiply(hit, gv, out=out[where])
        else:
            out[where] += hit * gv
        taken |= hit
    return back(out)


def flatten(p):
    """(examples, filters, h, w) -> (examples, 1, filters*h*w): one row per example, row-major as the document."""
    return p.reshape(p.shape[0], 1, -1)


def unflatten(g, h, w):
    """The inverse of flatten: (examples, 1, filters*h*w) -> (examples, filters, h, w)."""
    return g.reshape(g.shape[0], -1, h, w)


# --- multi-channel convolution: x (examples, C_in, h, w), k (C_out, C_in, kh, kw) -------------------
# The maps live in memory with the examples axis innermost, (C, h, w, examples), and are handed to the
# generated code as the transposed view (examples, C, h, w). Then a slice of the image axes keeps rows of
# w * examples contiguous numbers, so the im2col copies and the col2im additions move long rows (with the
# examples axis first they moved rows of w numbers, and 9 such copies cost more than the product), each
# convolution and gradient is one BLAS product with long rows, and the elementwise steps NumPy runs
# between them keep that memory order.

def _examples_last(x):
    """x (examples, C, h, w) as a C-contiguous (C, h, w, examples) array: free for conv2d_mc's results."""
    xt = x.transpose(1, 2, 3, 0)
    return xt if xt.flags.c_contiguous else np.ascontiguousarray(xt)


def _scratch(role, shape, dtype):
    """A buffer of this thread's, reused from call to call, for a kernel's temporaries (im2col windows).

    Allocating them afresh costs more than filling them: blocks of a few hundred kB are handed
    back to the operating system when freed (glibc's trim threshold) and page-faulted in again on
    the next step, which measured 3x the whole convolution. A temporary never leaves its kernel,
    so reuse is safe; per thread, so concurrent calls do not share one.
    """
    local = _scratch.__dict__.setdefault("local", threading.local())
    store = local.__dict__.setdefault("buffers", {})
    key = (role, shape, np.dtype(dtype).str)
    if key not in store:
        if len(store) >= 32:                       # a few shapes per layer; new batch sizes replace old ones
            store.clear()
        store[key] = np.empty(shape, dtype=dtype)
    return store[key]


def _recycled(shape, dtype):
    """An uninitialised array for a kernel's result, recycled from an earlier call once nothing holds it any more.

    The same reason as _scratch, for arrays the kernel returns: the pool keeps a few per shape,
    and one is handed out again only when its reference count shows that the pool alone holds it
    (a view of it, such as the transposed map conv2d_mc returns, holds its base).
    """
    local = _scratch.__dict__.setdefault("local", threading.local())
    pools = local.__dict__.setdefault("results", {})
    if len(pools) >= 32 and (shape, np.dtype(dtype).str) not in pools:
        pools.clear()                              # arrays still held elsewhere live on; the pool just forgets them
    pool = pools.setdefault((shape, np.dtype(dtype).str), [])
    alone = _recycled.__dict__.get("alone") or _recycled.__dict__.setdefault("alone", _pool_only_count())
    for buf in pool:
        if sys.getrefcount(buf) == alone:
            return buf
    buf = np.empty(shape, dtype=dtype)
    if len(pool) < 4:
        pool.append(buf)
    return buf


def _pool_only_count():
    """The reference count _recycled sees of an array that only its pool holds (3 on CPython 3.11: the
    list, the loop's name, getrefcount's argument), measured the same way, since interpreters that
    borrow references count fewer."""
    for buf in [np.empty(0)]:
        return sys.getrefcount(buf)


def _im2col(x, kh, kw):
    """(C kh kw) x (oh ow examples) windows of x: kh kw slice copies of long rows, one per kernel offset.

    The result is a scratch buffer: use it before the next _im2col of the same shape.
    """
    xt = _examples_last(x)
    c, h, w, m = xt.shape
    oh, ow = h - kh + 1, w - kw + 1
    cols = _scratch("im2col", (c, kh, kw, oh, ow, m), x.dtype)
    for a in range(kh):
        for b in range(kw):
            cols[:, a, b] = xt[:, a:a + oh, b:b + ow]
    return cols.reshape(c * kh * kw, oh * ow * m)


def _channels_first(g):
    """(C, h w examples) of an (examples, C, h, w) array: free when g is in conv2d_mc's memory order."""
    m, c, h, w = g.shape
    return g.transpose(1, 2, 3, 0).reshape(c, h * w * m)


def conv2d_mc(x, k):
    """z[m, o, i, j] = sum_{c,a,b} x[m, c, i+a, j+b] k[o, c, a, b]: one matrix product over the im2col windows."""
    co, ci, kh, kw = k.shape
    m, _, h, w = x.shape
    oh, ow = h - kh + 1, w - kw + 1
    out = np.matmul(k.reshape(co, ci * kh * kw), _im2col(x, kh, kw),
                    out=_recycled((co, oh * ow * m), np.result_type(x, k)))
    return out.reshape(co, oh, ow, m).transpose(3, 0, 1, 2)


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

    Computed as col2im: one product k^T G gives each kernel offset's contribution, added into place
    (kh kw additions of long rows).
    """
    co, ci, kh, kw = k.shape
    m, _, oh, ow = g.shape
    cols = np.matmul(k.reshape(co, ci * kh * kw).T, _channels_first(g),
                     out=_scratch("col2im", (ci * kh * kw, oh * ow * m), np.result_type(k, g)))
    cols = cols.reshape(ci, kh, kw, oh, ow, m)
    dx = _recycled((ci, oh + kh - 1, ow + kw - 1, m), cols.dtype)
    dx.fill(0)
    for a in range(kh):
        for b in range(kw):
            dx[:, a:a + oh, b:b + ow] += cols[:, a, b]
    return dx.transpose(3, 0, 1, 2)


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
