"""The layout a text writes its network in, as one object: where the examples go, how a weight matrix
is shaped, and how a layer's affine map multiplies.

`column`: Z = W A + b, one example per column, W is n_out x n_in (deeplearning.ai, Nielsen).
`column-wT`: Z = W^T A + b, one example per column, W is n_in x n_out.
`row`: Z = X W + b, one example per row, W is n_in x n_out (CS231n, code).
`index`: z_j = b_j + sum_i w_{ij} a_i, one example per row, w_{ij} from unit i to unit j.
`scalar`: a graph of scalars (the regression and logistic-regression notes); shaped like `row`.
The symbolic core, the auditor's numeric model, the evaluator and the generated code all ask this
object instead of comparing convention names.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Convention:
    name: str
    examples_in_columns: bool      # a batch is width x m (one example per column), else m x width
    weight_out_in: bool            # W is n_out x n_in (Z = W A), else n_in x n_out (W^T A, X W, w_{ij})

    @property
    def batched(self) -> bool:
        """A batch of m examples along one axis of every layer's matrix (not a scalar graph, not w_{ij})."""
        return self.name in ("column", "column-wT", "row")

    @property
    def example_axis(self) -> int:
        """The axis a batch's examples run along (the sum over examples, the bias gradient's sum)."""
        return 1 if self.examples_in_columns else 0

    @property
    def unit_axis(self) -> int:
        """The axis a layer's units (a softmax's classes) run along."""
        return 0 if self.examples_in_columns else 1

    def batch_shape(self, width, m) -> tuple:
        return (width, m) if self.examples_in_columns else (m, width)

    def weight_shape(self, n_out, n_in) -> tuple:
        return (n_out, n_in) if self.weight_out_in else (n_in, n_out)

    def bias_shape(self, n_out) -> tuple:
        return (n_out, 1) if self.examples_in_columns else (1, n_out)

    def vector(self, value):
        """A one-dimensional array as this layout's vector: a column, or a row."""
        return value.reshape(-1, 1) if self.examples_in_columns else value.reshape(1, -1)

    def affine(self, W, A, b, ones=None):
        """W A + b in this layout, for NumPy and SymPy matrices alike (`@`): `ones(rows, cols)` spreads b over
        the m examples; without it b is added as it is (NumPy broadcasts it)."""
        if self.examples_in_columns:
            product = (W if self.weight_out_in else W.T) @ A
            return product + (b if ones is None else b @ ones(1, A.shape[1]))
        return A @ W + (b if ones is None else ones(A.shape[0], 1) @ b)


CONVENTIONS = {c.name: c for c in (
    Convention("column", examples_in_columns=True, weight_out_in=True),
    Convention("column-wT", examples_in_columns=True, weight_out_in=False),
    Convention("row", examples_in_columns=False, weight_out_in=False),
    Convention("index", examples_in_columns=False, weight_out_in=False),
    Convention("scalar", examples_in_columns=False, weight_out_in=False),
)}
