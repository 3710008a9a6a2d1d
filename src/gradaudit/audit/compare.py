"""Comparing two evaluated sides: equal, equal under a local-derivative reading, or different.

A document writes dA/dZ = A(1 - A) for a Jacobian that is diagonal, dZ/db = 1 for an
identity, and dZ/dW = A^{[2]} for a Jacobian no matrix can spell. The first two are exact
under the usual identification (a diagonal Jacobian is its diagonal; 1 is the identity).
The third is read by what the factor does in backpropagation: for a random upstream
gradient G, some placement of E (G E^T, E^T G, G ⊙ E, a sum over the broadcast axis)
must give G's pull-back through the true Jacobian. Then the verdict is `notation`.
"""
from __future__ import annotations

import enum

import numpy as np

from . import exact
from .tree import EvalError
from .values import Jac, Lab, ShapeOnly, as_lab_like, broadcast_lab
from .model import conv2d, full_convolution

RTOL = 1e-9     # complex-step truth is exact to rounding: a 1.000001 factor is a wrong factor


class Match(enum.Enum):
    EQUAL = "equal"          # equal as written
    LOCAL = "local"          # a Jacobian written as the factor it contributes in backpropagation
    DIFFER = "differ"
    SHAPE = "shape"          # different shapes


def close(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    if a.size == 1 and b.size == 1:
        a, b = a.reshape(()), b.reshape(())
    if a.shape != b.shape:
        return False
    if a.dtype == object or b.dtype == object:   # the 60-digit confirmation's numbers: its own tolerance
        return exact.close(a, b)
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return bool(np.array_equal(np.isnan(a), np.isnan(b))) and bool(np.allclose(np.nan_to_num(a), np.nan_to_num(b)))
    scale = max(1.0, float(np.max(np.abs(a))) if a.size else 1.0)
    return bool(np.allclose(a, b, rtol=RTOL, atol=RTOL * scale * 1e-3))


def compare(ref, val, reshape_ok: bool = False) -> Match:
    """reshape_ok: in a CNN the pooled map and the flattened vector the dense layer sees are one quantity."""
    if isinstance(ref, ShapeOnly) or isinstance(val, ShapeOnly):
        return Match.EQUAL if _shape(ref) == _shape(val) else Match.SHAPE
    if isinstance(ref, Lab) or isinstance(val, Lab):
        return _compare_lab(ref, val)
    if isinstance(ref, Jac) and ref.as_array() is not None:
        ref = ref.as_array()
    if isinstance(val, Jac) and val.as_array() is not None:
        val = val.as_array()
    if isinstance(ref, Jac) and isinstance(val, Jac):
        if ref.out_shape == val.out_shape and ref.in_shape == val.in_shape:
            return Match.EQUAL if close(ref.data, val.data) else Match.DIFFER
        return Match.SHAPE
    if isinstance(ref, Jac) or isinstance(val, Jac):
        jac, arr = (ref, val) if isinstance(ref, Jac) else (val, ref)
        return _compare_jacobian(jac, np.asarray(arr))
    a, b = np.asarray(ref), np.asarray(val)
    if a.size == 1 and b.size == 1:
        return Match.EQUAL if close(a, b) else Match.DIFFER
    # NumPy broadcasts a 1-D array as a row: np.sum(dZ, axis=0) is db in the row convention, and in the
    # column convention its (n,) against b's (n, 1) is a real shape bug
    if a.ndim == 1 and b.ndim == 2:
        a = a.reshape(1, -1)
    if b.ndim == 1 and a.ndim == 2:
        b = b.reshape(1, -1)
    if reshape_ok and a.shape != b.shape and a.size == b.size and a.ndim == b.ndim == 2 and \
            (1 in a.shape) != (1 in b.shape):   # a map against a row; a row against a column is a transpose
        # a pooled map and the flattened row the dense layer sees: the same numbers, reshaped
        flat_a, flat_b = a.reshape(-1), b.reshape(-1)
        return Match.LOCAL if close(flat_a, flat_b) else Match.DIFFER
    if a.shape != b.shape:
        return Match.SHAPE
    return Match.EQUAL if close(a, b) else Match.DIFFER


def finite(v) -> bool:
    """Is every number of a value finite? An overflowed side cannot be compared with anything."""
    if isinstance(v, ShapeOnly):
        return True
    data = v.data if isinstance(v, (Jac, Lab)) else v
    try:
        return bool(np.all(np.isfinite(np.asarray(data, dtype=complex))))
    except (TypeError, ValueError):
        return True


def describe_shape(v) -> str:
    """A side's shape in words, for a dimension error's detail."""
    if isinstance(v, Lab):
        free = ", ".join(v.labels)
        extra = np.ndim(v.data) - len(v.labels)
        return f"indexed by {free}" + (f" with {extra} more unnamed ax{'is' if extra == 1 else 'es'}" if extra > 0 else "")
    shape = _shape(v)
    return " x ".join(str(n) for n in shape) if shape else "a scalar"


def _shape(v):
    if isinstance(v, ShapeOnly):
        return tuple(v.shape)
    if isinstance(v, Jac):
        return tuple(v.out_shape) + tuple(v.in_shape)
    return tuple(np.shape(v))


def _compare_lab(ref, val) -> Match:
    if isinstance(ref, Lab) and isinstance(val, Lab):
        if set(val.labels) < set(ref.labels) or set(ref.labels) < set(val.labels):
            big, small = (ref, val) if len(ref.labels) > len(val.labels) else (val, ref)
            try:
                spread = np.broadcast_to(broadcast_lab(small, big.labels), big.data.shape)
            except (EvalError, ValueError):
                return Match.SHAPE
            return Match.EQUAL if close(big.data, spread) else Match.DIFFER
        if set(ref.labels) != set(val.labels):
            return Match.SHAPE
        b = val.aligned(ref.labels)
        if b.shape != ref.data.shape:
            return Match.SHAPE
        return Match.EQUAL if close(ref.data, b) else Match.DIFFER
    lab, other = (ref, val) if isinstance(ref, Lab) else (val, ref)
    if isinstance(other, Jac) and other.as_array() is None:
        raise EvalError("one side is indexed (its entries named by indices), the other a whole Jacobian: "
                        "write both with indices, or both as matrices")
    other = np.asarray(other.as_array() if isinstance(other, Jac) else other)
    spread = as_lab_like(other, lab)
    if isinstance(spread, Lab):
        return Match.EQUAL if close(lab.data, spread.data) else Match.DIFFER
    if len(lab.labels) == 1 and other.ndim == 2 and 1 in other.shape and other.size == lab.data.size > 1:
        # a_j against the vector A: index notation for the same components
        return Match.EQUAL if close(lab.data, other.reshape(-1)) else Match.DIFFER
    if other.size == 1:
        return Match.EQUAL if close(lab.data, np.broadcast_to(other.reshape(()), lab.data.shape)) else Match.DIFFER
    return Match.SHAPE


def _compare_jacobian(jac: Jac, arr: np.ndarray) -> Match:
    n_out = int(np.prod(jac.out_shape))
    if jac.is_elementwise and (arr.shape == jac.out_shape or arr.size == 1):
        return Match.EQUAL if close(jac.diagonal(), np.broadcast_to(arr.reshape(()) if arr.size == 1 else arr,
                                                                    jac.out_shape)) else Match.DIFFER
    if arr.size == 1 and jac.out_shape == jac.in_shape:
        eye = np.eye(n_out).reshape(jac.data.shape) * arr.reshape(())
        if close(jac.data, eye):
            return Match.EQUAL
    if _is_vector(jac.out_shape) and _is_vector(jac.in_shape) and arr.shape == (n_out, int(np.prod(jac.in_shape))) \
            and close(jac.data.reshape(arr.shape), arr):
        return Match.EQUAL      # a vector's Jacobian written as its matrix (numerator layout): dz/da = W
    return Match.LOCAL if local_reading(jac, arr) else Match.DIFFER


def _is_vector(shape) -> bool:
    """A column, a row or a scalar: at most one axis longer than 1."""
    return sum(1 for n in shape if n != 1) <= 1


def local_reading(jac: Jac, arr: np.ndarray) -> bool:
    """Does some placement of E give the pull-back G -> G . J for random G?"""
    rng = np.random.default_rng(7)
    G = rng.normal(size=jac.out_shape)
    if G.ndim != 2 and G.ndim != 0:
        return False
    target = np.tensordot(G, jac.data, axes=len(jac.out_shape))
    for candidate in _placements(G, arr, target.shape):
        if candidate is not None and candidate.shape == target.shape and close(candidate, target):
            return True
    return False


def _placements(G, E, shape):
    """Ways a text places a local factor E against the upstream gradient G."""
    if E.ndim != 2:
        E = E.reshape(E.shape + (1,) * (2 - E.ndim)) if E.ndim < 2 else None
        if E is None:
            return
    if G.ndim == 2 and E.ndim == 2 and E.shape[0] > G.shape[0] and E.shape[1] > G.shape[1]:
        yield conv2d(E, G)                      # dZ/dK = X: the kernel gradient correlates X with G
    if G.ndim == 2 and E.ndim == 2 and E.shape[0] < G.shape[0] and E.shape[1] < G.shape[1] and E.shape[0] > 1:
        yield full_convolution(G, E)           # dZ/dX = K: the input gradient is G convolved with K
    pairs = [(G, E.T), (E.T, G), (G, E), (E, G), (G.T, E), (E, G.T), (E.T, G.T), (G.T, E.T)]
    for left, right in pairs:
        if left.ndim == 2 and right.ndim == 2 and left.shape[1] == right.shape[0]:
            yield left @ right
    if G.shape == E.shape or E.size == 1:
        prod = G * (E.reshape(()) if E.size == 1 else E)
        yield prod
        for axis in (0, 1):
            yield prod.sum(axis=axis, keepdims=True)
