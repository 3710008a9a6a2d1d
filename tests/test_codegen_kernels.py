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
