"""The symbolic core: every gradient of every architecture, as closed forms (see closed_form.py).

    derive(arch, depth=None, sizes=None, per_example=False) -> Derivation

`depth` is required for general-depth architectures (L); `sizes` None gives symbolic dims
n0..nL, m (m = 1 for averaging "single"); a dict {'n0': 3, ..., 'm': 5} gives concrete shapes
(CNNs: 'H', 'W' and dense widths 'n<l>', default the architecture's own). `per_example=True`
gives the documents' shorthand for averaged losses: every intermediate dZ, dA, dX is m times
dJ/d(.) (per-example gradients stacked) and the parameter gradients carry the 1/m.

Derivation fields: arch, depth, dims (name -> Symbol or Integer), inputs ('X', 'Y' ->
MatrixSymbol), params (ordered 'W1', 'b1', 'K1', ... -> MatrixSymbol in the document's
convention), forward [(name, expr)] in evaluation order ('Z1', 'A1', 'P1', ...), loss (a 1 x 1
matrix expression, the sum written 1^T M 1 with OneMatrix), backward [(name, expr)] in evaluation
order ('dA3', 'dZ3', 'dW3', 'db3', 'dA2', ..., 'dX'), each of its quantity's own shape and
referring to forward and earlier backward names as MatrixSymbols of exactly those names;
closed(name) substitutes earlier backward names away; scale (the loss factor c, including 1/m
unless per_example); assumptions (strings: what a simplified rule needs, e.g. softmax + cce
needs labels summing to 1 per example); functions (generic activation name -> Function).

Shapes by convention: column: X n0 x m, W_l n_l x n_{l-1}, b_l n_l x 1, Z = W A + b 1_{1 x m};
column-wT: W_l n_{l-1} x n_l, Z = W^T A + b 1_{1 x m}; row and index: X m x n0, W_l n_{l-1} x n_l,
b_l 1 x n_l, Z = A W + 1_{m x 1} b (index: w_{i,j} = W[i, j], i the input unit, j the output unit;
a_j = A[0, j]). CNNs (row, one example, one channel): X H x W, K_l k x k, b_l 1 x 1,
Z = Conv2D(A, K) + 1 b 1^T, P_l = MaxPool(A_l), dense input Flatten(P) (1 x hw).
Multi-channel CNNs (Layer.channels, Architecture.channels): a C-channel map is (C h) x w, its
channels stacked; K_l is (C_out C_in k) x k (the 4-D kernel's k x k slices in (o, c) order), b_l
C_out x 1; Z = Conv2D(A, K, C_in, C_out) + ChannelBias(b, h, w), with Pad(A, p, C) before it for
same padding; dK = ConvGradKernel(A, dZ, C_in, C_out), db = ChannelSum(dZ, C_out).
Softmax normalises over the class axis = the feature axis (axis 0 column, 1 row).

NODE SET (stable; codegen and the auditor rely on it). Expressions use only:
  MatrixSymbol, MatMul (with a scalar coefficient first), MatAdd, Transpose, HadamardProduct,
  HadamardPower (exponent 2 or -1), OneMatrix (broadcasting b 1^T, row/column sums 1^T M, M 1),
  scalar Rational / Symbol coefficients (1/m, 1/n_L);
  ElementwiseApplyFunction(Lambda(d, f(d)), M) with f one of: functions.sigmoid, sympy.tanh,
  functions.relu, functions.step (relu' : 1 if x > 0 else 0), sympy.log, an undefined Function
  g (generic activation), or Lambda(d, Derivative(g(d), d)) (its derivative g');
  functions.Softmax(M, axis);
  cnn.Conv2D(X, K) (valid cross-correlation; also dK = Conv2D(A_prev, dZ)),
  cnn.ConvGradInput(G, K) (full convolution with the flipped kernel: dX),
  cnn.MaxPool(A, size, stride), cnn.MaxPoolGrad(A, G, size, stride) (G routed to each window's
  first maximum), cnn.Flatten(P) (row-major 1 x hw), cnn.Unflatten(G, h, w);
  with channels also cnn.ConvGradKernel, cnn.Pad / cnn.Crop, cnn.ChannelBias / cnn.ChannelSum, and
  a trailing channel-count argument on Conv2D, ConvGradInput, MaxPool(Grad), Flatten, Unflatten;
  for the "activations" system also DiagMatrix(a).
Each CNN class has an index-form _entry (the document's equations), so as_explicit() works at
concrete sizes; evaluate.evaluate() computes any of these nodes with NumPy.

Scalar systems: "activations" (inputs z, y: n x 1; backward d_sigmoid, d_tanh, d_relu (the
elementwise derivatives), jac_softmax = diag(a) - a a^T, dz_softmax_ce = a - y) and
"d002-chain-toy" (scalar Symbols A, B, C; forward G, W; loss j(W); backward dW, dG, dA, dB).
"""
from __future__ import annotations

from ..architectures import Architecture, get
from ..errors import GradauditError
from .closed_form import Derivation, build


def derive(arch: str | Architecture, depth: int | None = None, sizes: dict | None = None,
           per_example: bool = False, functions: dict | None = None) -> Derivation:
    """Derive every gradient of `arch` in closed form (functions: {'g': concrete Function} optional)."""
    a = get(arch) if isinstance(arch, str) else arch
    if a.general and depth is None:
        raise GradauditError(f"architecture {a.id} has general depth L: give a depth >= 1")
    if not a.general and depth is not None and depth != a.parameter_layers and a.convention != "scalar":
        raise GradauditError(f"architecture {a.id} has fixed depth {a.parameter_layers}, not {depth}")
    if isinstance(sizes, (list, tuple)):
        sizes = {f"n{i}": n for i, n in enumerate(sizes)}
    return build(a, depth, sizes, per_example, functions)


__all__ = ["derive", "Derivation"]
