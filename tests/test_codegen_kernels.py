"""The NumPy kernels generated code calls: against brute force and finite differences, stable at the extremes."""
from __future__ import annotations

import numpy as np
import pytest

from gradaudit.codegen import kernels as K

rng = np.random.default_rng(0)


def brute_conv(x, k):
    kh, kw = k.shape[-2:]
    ho, wo = x.shape[-2] - kh + 1, x.shape[-1] - kw + 1
    out = np.zeros(np.broadcast_shapes(x.shape[:-2], k.shape[:-2]) + (ho, wo))
    for i in range(ho):
        for j in range(wo):
            out[..., i, j] = (x[..., i:i + kh, j:j + kw] * k).sum(axis=(-2, -1))
    return out


@pytest.mark.parametrize("xshape,kshape", [((3, 1, 7, 6), (4, 3, 2)), ((3, 4, 6, 6), (4, 2, 2)), ((2, 5, 5), (5, 5))])
def test_convolution_is_the_documents_cross_correlation(xshape, kshape):
    x, k = rng.normal(size=xshape), rng.normal(size=kshape)
    np.testing.assert_allclose(K.conv2d(x, k), brute_conv(x, k[..., :, :] if len(kshape) == 2 else k), atol=1e-12)


def test_convolution_gradients_match_finite_differences():
    x, k = rng.normal(size=(3, 1, 6, 5)), rng.normal(size=(4, 3, 2))
    g = rng.normal(size=K.conv2d(x, k).shape)

    def loss(x, k):
        return float((g * K.conv2d(x, k)).sum())

    eps = 1e-6
    dk = K.conv2d_grad_kernel_sum(x, g)
    np.testing.assert_allclose(dk, K.conv2d(x, g).sum(axis=0), atol=1e-12)
    dx = K.conv2d_grad_input(g, k).sum(axis=1, keepdims=True)
    for idx in [(0, 0, 0), (3, 2, 1), (1, 1, 0)]:
        e = np.zeros_like(k)
        e[idx] = eps
        assert dk[idx] == pytest.approx((loss(x, k + e) - loss(x, k - e)) / (2 * eps), rel=1e-6)
    for idx in [(0, 0, 0, 0), (2, 0, 5, 4), (1, 0, 3, 2)]:
        e = np.zeros_like(x)
        e[idx] = eps
        assert dx[idx] == pytest.approx((loss(x + e, k) - loss(x - e, k)) / (2 * eps), rel=1e-6)


@pytest.mark.parametrize("stride", [2, 1, 3])
def test_max_pool_gradient_matches_finite_differences(stride):
    a = rng.normal(size=(2, 3, 7, 7))
    g = rng.normal(size=K.maxpool2d(a, 2, stride).shape)
    da = K.maxpool2d_grad(a, g, 2, stride)
    eps = 1e-6
    numeric = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        e = np.zeros_like(a)
        e[idx] = eps
        numeric[idx] = ((g * K.maxpool2d(a + e, 2, stride)).sum() - (g * K.maxpool2d(a - e, 2, stride)).sum()) / (2 * eps)
    np.testing.assert_allclose(da, numeric, atol=1e-8)


def test_max_pool_ties_go_to_the_first_maximum():
    routed = K.maxpool2d_grad(np.zeros((1, 1, 4, 4)), np.ones((1, 1, 2, 2)), 2, 2)[0, 0]
    assert routed.sum() == 4 and routed[0, 0] == routed[0, 2] == routed[2, 0] == routed[2, 2] == 1


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stable_functions_at_the_extremes(dtype):
    z = np.array([[-1000.0, 0.0, 1000.0]], dtype=dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):     # underflow to 0 is fine; overflow is not
        s = K.sigmoid(np.array([-1000.0, 1000.0], dtype=dtype))
    for out in (K.sigmoid(z), K.log_sigmoid(z), K.softmax(z, axis=-1), K.log_softmax(z, axis=-1)):
        assert out.dtype == dtype and np.all(np.isfinite(out))
    assert K.log_sigmoid(z)[0, 0] == pytest.approx(-1000.0)
    assert K.log_softmax(z, axis=-1)[0, 0] == pytest.approx(-2000.0)
    assert K.softmax(z, axis=-1).sum() == pytest.approx(1.0)
    assert s[0] == 0.0 and s[1] == 1.0


def brute_conv_mc(x, k):
    """z[m, o] = sum_c brute_conv(x[m, c], k[o, c]): the multi-channel convolution written out."""
    return np.stack([sum(brute_conv(x[:, c], k[o, c]) for c in range(k.shape[1])) for o in range(k.shape[0])], axis=1)


@pytest.mark.parametrize("contiguous", [True, False])
def test_multi_channel_kernels_in_either_memory_order(contiguous):
    """The kernels store maps examples-last; inputs in NumPy's usual order give the same numbers."""
    x, k = rng.normal(size=(5, 3, 7, 6)), rng.normal(size=(4, 3, 3, 2))
    z = K.conv2d_mc(x, k)
    assert z.transpose(1, 2, 3, 0).flags.c_contiguous       # examples innermost
    np.testing.assert_allclose(z, brute_conv_mc(x, k), atol=1e-12)
    g = rng.normal(size=z.shape)
    g = g if contiguous else K._examples_last(g).transpose(3, 0, 1, 2)
    dk = np.stack([np.stack([sum(brute_conv(x[m, c], g[m, o]) for m in range(5)) for c in range(3)])
                   for o in range(4)])
    np.testing.assert_allclose(K.conv2d_mc_grad_kernel_sum(x, g), dk, atol=1e-12)
    flipped = k[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)
    full = brute_conv_mc(np.pad(g, [(0, 0), (0, 0), (2, 2), (1, 1)]), flipped)
    np.testing.assert_allclose(K.conv2d_mc_grad_input(g, k), full, atol=1e-12)
    a = z if contiguous else np.ascontiguousarray(z)
    for stride in (2, 1):
        pg = rng.normal(size=K.maxpool2d(a, 2, stride).shape)
        np.testing.assert_allclose(K.maxpool2d_grad(a, pg, 2, stride), K.maxpool2d_grad(np.ascontiguousarray(a), pg, 2, stride))


def test_recycled_results_are_never_handed_out_while_held():
    """conv2d_mc reuses its result arrays across calls only once nothing holds them."""
    x, k = rng.normal(size=(4, 2, 6, 6)), rng.normal(size=(3, 2, 3, 3))
    kept = [K.conv2d_mc(x * s, k) for s in (1.0, 2.0, 3.0, 4.0, 5.0, 6.0)]      # more than the pool keeps per shape
    for s, z in zip((1.0, 2.0, 3.0, 4.0, 5.0, 6.0), kept, strict=False):
        np.testing.assert_allclose(z, s * brute_conv_mc(x, k), atol=1e-12)
    g = rng.normal(size=kept[0].shape)
    dx = K.conv2d_mc_grad_input(g, k)
    again = K.conv2d_mc_grad_input(2 * g, k)
    np.testing.assert_allclose(again, 2 * dx, atol=1e-12)


def test_kernels_from_two_threads_at_once():
    """The scratch buffers are per thread: concurrent convolutions do not overwrite each other's windows."""
    from concurrent.futures import ThreadPoolExecutor
    x, k = rng.normal(size=(32, 8, 20, 20)), rng.normal(size=(16, 8, 3, 3))   # products long enough to overlap
    want = [K.conv2d_mc(x, k) * s for s in range(1, 5)]
    with ThreadPoolExecutor(4) as pool:
        for _ in range(10):
            got = list(pool.map(lambda s: K.conv2d_mc(x * s, k), range(1, 5)))
            for w, g in zip(want, got, strict=False):
                np.testing.assert_allclose(g, w, atol=1e-10)


def brute_pool_grad(a, g, size, stride):
    """Each window's gradient to its first maximum (row-major), window by window."""
    out = np.zeros(a.shape)
    for idx in np.ndindex(g.shape):
        *lead, i, j = idx
        window = a[(*lead, slice(i * stride, i * stride + size), slice(j * stride, j * stride + size))]
        r, c = np.unravel_index(np.argmax(window), window.shape)
        out[(*lead, i * stride + r, j * stride + c)] += g[idx]
    return out


@pytest.mark.parametrize("stride", [2, 3, 1])
def test_max_pool_gradient_window_by_window_with_reused_buffers(stride):
    """Repeated calls of one shape (the step's buffers are reused) on maps with ties and a dropped border."""
    x, k = rng.normal(size=(3, 2, 8, 8)), rng.normal(size=(4, 2, 2, 2))
    for _ in range(3):
        a = K.relu(K.conv2d_mc(np.round(x * 2) / 2, k))            # 7x7 maps, zeros and ties from ReLU
        g = rng.normal(size=K.maxpool2d(a, 2, stride).shape)
        np.testing.assert_allclose(K.maxpool2d_grad(a, g, 2, stride), brute_pool_grad(a, g, 2, stride), atol=1e-12)
        x = rng.normal(size=x.shape)


def test_kernel_buffers_stay_bounded_over_many_shapes():
    """A run over many batch sizes does not keep a buffer for every shape it has seen."""
    k = rng.normal(size=(3, 2, 3, 3))
    for m in range(1, 80):
        K.conv2d_mc_grad_input(K.conv2d_mc(rng.normal(size=(m, 2, 5, 5)), k), k)
    local = K._scratch.local
    assert len(local.buffers) <= 32 and len(local.results) <= 32
