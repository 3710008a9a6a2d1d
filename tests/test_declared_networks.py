"""Six networks no built-in has, declared in notes front matter and checked as a user checks them.

Each notes file in tests/declared/ holds right formulas and wrong ones of every kind of mistake.
Every verdict below was worked out by hand first (the gradients also by finite differences in
tests/declared/verify.py, NumPy only) and only then compared with `gradaudit check`; the reason
column says why the verdict is what it is. A case the tool gets wrong today is an xfail(strict)
that names the disagreement; a right formula the tool cannot read yet is `unsupported`, never `error`.
"""
from __future__ import annotations

import functools
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from gradaudit.audit.runner import audit_paths

ROOT = Path(__file__).resolve().parents[1]
DECLARED = ROOT / "tests" / "declared"
FILES = {
    "n1": "n1_tanh_sigmoid_column.md",
    "n2": "n2_relu_softmax_row.md",
    "n3": "n3_leaky_regression_L2.md",
    "n4": "n4_logistic_column_wT.md",
    "n5": "n5_nielsen_sigmoid_quadratic.md",
    "n6": "n6_tanh_identity_index.md",
    "n7": "n7_goodfellow_algorithm.md",
    "n8": "n8_bishop_error_backprop.md",
}


def miss(reason: str):
    """A case where the tool and the hand-worked verdict disagree today (listed in the report)."""
    return pytest.mark.xfail(strict=True, reason=reason)


OK, ERR, UNS = "correct", "error", "unsupported"

# (file, formula id, expected verdict, expected error kinds, why) -- or pytest.param(..., marks=miss(...))
CASES = [
    # 1. [tanh, sigmoid], column Z = W A + b, BCE averaged over m; dZ per example (dW carries the 1/m)
    ("n1", "f1", OK, (), "the first layer's pre-activation in the column layout"),
    ("n1", "f2", OK, (), "the hidden activation is tanh"),
    ("n1", "f3", OK, (), "the output is sigmoid of the second layer's pre-activation, written inline"),
    ("n1", "f4", OK, (), "binary cross-entropy summed over all entries, averaged by 1/m"),
    ("n1", "f5", OK, (), "sigmoid + BCE: dL/dz = a - y per example (sigma' cancels 1/(a(1-a)))"),
    ("n1", "f6", OK, (), "dW2 = (1/m) dZ2 A1^T: the batch sum of per-example outer products"),
    ("n1", "f7", OK, (), "db2 = (1/m) sum over the examples (axis 1), keepdims keeps n2 x 1"),
    ("n1", "f8", OK, (), "backprop through W2 (transpose) and tanh' = 1 - A1^2"),
    ("n1", "f9", OK, (), "dW1 = (1/m) dZ1 X^T, X = A^{[0]}"),
    ("n1", "f10", OK, (), "two-factor chain rule dJ/dW1 = dJ/dZ1 dZ1/dW1 (no penalty)"),
    ("n1", "f11", ERR, ("sign",), "Y - A is the negative of dZ2 = A - Y"),
    ("n1", "f12", ERR, ("index",), "dW2 pairs dZ2 with the layer's input A1, not its output A2"),
    ("n1", "f13", ERR, ("transpose",), "(1/m) X dZ1^T is n0 x n1, the transpose of dW1 (n1 x n0)"),
    ("n1", "f14", OK, (), "one output unit (a declared sigmoid + BCE output): the 1-D sum is db2's one entry"),
    ("n1", "f15", ERR, ("factor",), "J averages over m: dW1 needs 1/m, dZ1 is per example"),
    ("n1", "f16", ERR, ("sum",), "1/m written, but the sum over the m examples is missing (db1 is n1 x 1)"),
    ("n1", "f17", ERR, ("step",), "the chain skips dA1/dZ1: dZ2/dA1 is followed by dZ1/dW1"),
    ("n1", "f18", ERR, ("label",), "db2 is the bias gradient, not dJ/dW2"),
    ("n1", "f19", ERR, ("definition",), "tanh is applied to Z1, not to A1 (tanh(tanh z) != tanh z)"),
    pytest.param("n1", "f20", ERR, ("factor",), "tanh'(z) = 1 - A1^2, not 1 - A1", marks=miss(
        "kinds: the tool explains it as label+factor (dA1 = W2^T dZ2) instead of the one wrong factor 1 - A1")),
    ("n1", "f21", ERR, ("dimension",), "np.sum without keepdims is a 1-D array of n1 entries, not b1's n1 x 1"),

    # 2. [relu, softmax], row Z = X W + b (CS231n), CE averaged over N (names: N = m), + (lambda/2) sum W^2
    ("n2", "f1", OK, (), "row layout: examples are rows, Z1 = X W1 + b1"),
    ("n2", "f2", OK, (), "ReLU elementwise"),
    ("n2", "f3", OK, (), "the second layer in the row layout"),
    ("n2", "f4", OK, (), "CE averaged over N plus (lambda/2) times the sum of squared weights (biases excluded)"),
    ("n2", "f5", OK, (), "softmax + CE averaged over N: dJ/dZ2 = (P - Y)/N"),
    ("n2", "f6", OK, (), "A1^T dZ2 plus the penalty's gradient lambda W2"),
    ("n2", "f7", OK, (), "db2 sums dZ2 over the examples, which are rows (axis 0)"),
    ("n2", "f8", OK, (), "dA1 = dZ2 W2^T in the row layout"),
    ("n2", "f9", OK, (), "ReLU' is 1 where Z1 > 0, else 0"),
    ("n2", "f10", OK, (), "X^T dZ1 plus lambda W1"),
    ("n2", "f11", ERR, ("sign",), "(Y - A)/N is the negative of (A - Y)/N"),
    ("n2", "f12", ERR, ("index",), "W2's gradient needs the layer input A1, not A2"),
    ("n2", "f13", ERR, ("transpose",), "W2 dZ2^T is H x N, the transpose of dA1 (N x H)"),
    ("n2", "f14", ERR, ("dimension",), "N x C elementwise-times C x H does not conform: a matrix product is needed"),
    ("n2", "f15", ERR, ("factor",), "J averages over N: the 1/N is missing"),
    ("n2", "f16", ERR, ("sum",), "axis=1 sums over the classes; db2 sums over the examples (axis 0)"),
    ("n2", "f17", ERR, ("step",), "the chain skips dA1/dZ1 (the penalty term is right)"),
    ("n2", "f18", ERR, ("label",), "X^T dZ1 + lambda W1 is dJ/dW1, not dJ/db1"),
    ("n2", "f19", ERR, ("unexplained",), "lambda W1, the penalty's gradient, is missing (no kind names a missing term)"),
    ("n2", "f20", ERR, ("factor",), "d/dW (lambda/2) sum W^2 = lambda W, not 2 lambda W"),
    ("n2", "f21", ERR, ("dimension",), "max(0, X) is N x D, A1 is N x H"),
    ("n2", "f22", OK, (), "ReLU is idempotent: A1 >= 0, so max(0, A1) = A1"),
    ("n2", "f23", OK, (), "dJ/dZ1 dZ1/dW1 + lambda W1: the chain through Z1 plus J's direct dependence on W1"),
    ("n2", "f24", OK, (), "softmax of each row of Z2"),
    ("n2", "f25", ERR, ("definition",), "layer 2 multiplies the activations A1, not the pre-activations Z1"),

    # 3. leaky_relu(0.01) x (L-1), identity; column; (1/(2m)) sum (A - Y)^2 + (lambda/(2m)) sum_l |W_l|^2
    ("n3", "f1", OK, (), "any layer l in the column layout"),
    ("n3", "f2", OK, (), "leaky ReLU with alpha = 0.01 < 1 is max(0.01 z, z), for the hidden layers"),
    ("n3", "f3", OK, (), "the output layer is linear"),
    ("n3", "f4", OK, (), "half the mean squared error plus lambda/(2m) times every layer's sum of squared weights"),
    ("n3", "f5", OK, (), "identity output, loss (1/2)|a - y|^2 per example: dZ = A - Y"),
    ("n3", "f6", OK, (), "(1/m) dZ A^T plus the penalty's gradient (lambda/m) W"),
    ("n3", "f7", OK, (), "backprop through W^{[l]}"),
    ("n3", "f8", OK, (), "leaky ReLU' is 1 for z > 0 and 0.01 otherwise, for l < L"),
    ("n3", "f9", OK, (), "db = (1/m) sum over the examples, n_l x 1"),
    ("n3", "f10", OK, (), "a gradient-descent step"),
    ("n3", "f11", ERR, ("sign",), "Y - A is the negative of A - Y"),
    ("n3", "f12", ERR, ("index",), "dA^{[l-1]} comes through W^{[l]}, not W^{[l-1]}"),
    ("n3", "f13", ERR, ("transpose",), "W^{[l]} dZ^{[l]} does not conform: W^{[l]T} is needed"),
    ("n3", "f14", ERR, ("dimension",), "np.sum without keepdims drops the axis: not n_l x 1"),
    ("n3", "f15", ERR, ("factor",), "d/dW (lambda/(2m)) sum W^2 = (lambda/m) W: the square's 2 cancels the 2"),
    ("n3", "f16", ERR, ("factor",), "d/da (1/2)(a - y)^2 = a - y: the 1/2 is already used up"),
    ("n3", "f17", ERR, ("sum",), "1/m written, but the sum over the examples is missing"),
    ("n3", "f18", ERR, ("step",), "the chain skips dA^{[l]}/dZ^{[l]}"),
    ("n3", "f19", ERR, ("label",), "the weight gradient's right side under the bias's label"),
    ("n3", "f20", ERR, ("definition",), "leaky ReLU applies to Z: leaky(leaky(z)) = 0.0001 z for z < 0 (fixed below)"),
    ("n3", "f21", ERR, ("unexplained",), "(lambda/m) W, the penalty's gradient, is missing (no kind names a missing term)"),
    ("n3", "f22", ERR, ("unexplained",), "ReLU's derivative, 0 for z < 0, where leaky ReLU's is 0.01"),
    ("n3", "f23", ERR, ("definition",), "layer l multiplies the activations A^{[l-1]}, not Z^{[l-1]}"),

    # 4. logistic regression, column-wT z = w^T x + b (sizes: one output unit), BCE averaged over m
    ("n4", "f1", OK, (), "w is n x 1, X n x m: w^T X + b is 1 x m"),
    ("n4", "f2", OK, (), "the sigmoid"),
    ("n4", "f3", OK, (), "BCE averaged over m"),
    ("n4", "f4", OK, (), "sigmoid + BCE per example: dz = a - y"),
    ("n4", "f5", OK, (), "dw = (1/m) X dZ^T, n x 1 like w"),
    ("n4", "f6", OK, (), "b is a single number: np.sum over all of the 1 x m dZ is the sum over the examples"),
    ("n4", "f7", OK, (), "one example's dz (lowercase names are one example's)"),
    ("n4", "f8", OK, (), "one example: dw = x dz, no 1/m (Ng's notation); needs the column-wT fix below"),
    ("n4", "f9", OK, (), "f5 with dZ = A - Y written out"),
    ("n4", "f10", OK, (), "three-factor chain rule through A and Z"),
    ("n4", "f11", OK, (), "a gradient-descent step"),
    ("n4", "f12", ERR, ("sign",), "Y - A is the negative of dZ"),
    ("n4", "f13", ERR, ("index",), "the input of layer 1 is A^{[0]} = X, not A^{[1]}"),
    ("n4", "f14", ERR, ("transpose",), "(1/m) dZ X^T is 1 x n, the transpose of dw (n x 1)"),
    ("n4", "f15", ERR, ("transpose",), "w X does not conform (n x 1 times n x m): z = w^T X + b"),
    ("n4", "f16", ERR, ("dimension",), "b is 1 x 1; an m x 1 column cannot be added to the 1 x m row w^T X"),
    ("n4", "f17", ERR, ("factor",), "J averages over m: the 1/m is missing"),
    ("n4", "f18", ERR, ("sum",), "1/m written, but the sum over the examples is missing (b is one number)"),
    ("n4", "f19", ERR, ("step",), "the chain skips dA/dZ"),
    ("n4", "f20", ERR, ("label",), "(1/m) X dZ^T is dJ/dw, not dJ/db"),
    ("n4", "f21", ERR, ("definition",), "the sigmoid applies to Z, not to A"),
    ("n4", "f22", ERR, ("dimension",), "dw has w's size n x 1, not 1 x n as written (fixed below)"),
    ("n4", "f23", ERR, ("dimension",), "Z is 1 x m, not m x 1 as written (fixed below)"),

    # 5. sigmoid x (L-1), sigmoid; index-out-in (Nielsen: w^l_{jk}, j the output unit); C = (1/2)|y - a^L|^2
    ("n5", "f1", OK, (), "column vectors, w^l is n_l x n_{l-1}"),
    ("n5", "f2", OK, (), "the sigmoid"),
    ("n5", "f3", OK, (), "the quadratic cost of one example"),
    ("n5", "f4", OK, (), "BP1: dC/da^L = a^L - y times sigma'(z^L)"),
    ("n5", "f5", OK, (), "BP2 (the issue's example): ((w^{l+1})^T delta^{l+1}) (.) sigma'(z^l)"),
    ("n5", "f6", OK, (), "BP3: dC/db^l = delta^l"),
    ("n5", "f7", OK, (), "BP4 in matrix form: delta^l (a^{l-1})^T, n_l x n_{l-1} like w^l"),
    ("n5", "f8", OK, (), "BP4 element-wise: a^{l-1}_k delta^l_j, with the comma between j and k"),
    ("n5", "f9", OK, (), "BP2 element-wise: sum over k of w^{l+1}_{kj} delta^{l+1}_k sigma'(z^l_j)"),
    ("n5", "f10", OK, (), "sigma' = sigma (1 - sigma)"),
    ("n5", "f11", OK, (), "right (BP4 as the book writes it): delta^l_j is element j of the named delta^l"),
    ("n5", "f12", OK, (), "right (BP3 element-wise): delta^l_j is element j of the named delta^l"),
    ("n5", "f13", OK, (), "BP1 with the gradient nabla_a C"),
    ("n5", "f14", ERR, ("sign",), "y - a^L is the negative of dC/da^L"),
    ("n5", "f15", ERR, ("index",), "sigma' is taken at z^l, the layer whose delta it is"),
    ("n5", "f16", ERR, ("transpose",), "w^{l+1} delta^{l+1} does not conform: (w^{l+1})^T is needed"),
    ("n5", "f17", ERR, ("transpose",), "a^{l-1} (delta^l)^T is n_{l-1} x n_l, the transpose of dC/dw^l"),
    ("n5", "f18", ERR, ("dimension",), "(w^{l+1})^T (.) delta^{l+1}: n_l x n_{l+1} elementwise with n_{l+1} x 1"),
    ("n5", "f19", ERR, ("dimension",), "j and k swapped: a^{l-1}_j runs j over n_l units where a^{l-1} has n_{l-1}"),
    ("n5", "f20", ERR, ("factor",), "C = (1/2)|.|^2 already gives a - y; no further 1/2"),
    ("n5", "f21", ERR, ("sum",), "dC/db^l is a vector (one entry per unit), not the sum of its entries"),
    ("n5", "f22", ERR, ("step",), "dC/dz^{l+1} is followed by dz^l/dw^l: the chain does not link"),
    ("n5", "f23", ERR, ("label",), "dC/db^l = delta^l is n_l x 1, not the weight gradient"),
    ("n5", "f24", ERR, ("definition",), "sigma applies to z^l, not to a^l"),
    ("n5", "f25", ERR, ("index",), "w^{l+1}_{j,k} where BP2 needs w^{l+1}_{k,j}: the unit indices are swapped"),

    # 6. [tanh, identity]; index-out-in; E = (1/2) sum_i (yhat_i - y_i)^2, one example; names: h = a^{(1)}
    ("n6", "f1", OK, (), "z^{(1)}_j = sum_k w^{(1)}_{j,k} x_k + b^{(1)}_j: j the output unit"),
    ("n6", "f2", OK, (), "h = tanh(z^{(1)})"),
    ("n6", "f3", OK, (), "the linear output layer"),
    ("n6", "f4", OK, (), "the loss as declared, loss_scale 1/2"),
    ("n6", "f5", OK, (), "dE/dz^{(2)}_i = yhat_i - y_i times dz_i/dw_{ij} = h_j"),
    ("n6", "f6", OK, (), "h_j feeds every output i through w^{(2)}_{i,j}"),
    ("n6", "f7", OK, (), "tanh' = 1 - h^2"),
    ("n6", "f8", OK, (), "dz^{(1)}_j/dw^{(1)}_{j,k} = x_k"),
    ("n6", "f9", OK, (), "dz_j/db_j = 1"),
    ("n6", "f10", OK, (), "matrix form of f5: (yhat - y) h^T, n2 x n1"),
    ("n6", "f11", OK, (), "matrix form of f6: w^{(2)T} (yhat - y)"),
    ("n6", "f12", ERR, ("sign",), "y - yhat is the negative of dE/dyhat"),
    ("n6", "f13", ERR, ("index",), "the input of layer 1 is a^{(0)} = x, not a^{(1)}"),
    ("n6", "f14", ERR, ("transpose",), "h (yhat - y)^T is n1 x n2, the transpose of dE/dw^{(2)}"),
    ("n6", "f15", ERR, ("transpose",), "w^{(2)} (yhat - y) does not conform: w^{(2)T} is needed"),
    ("n6", "f16", ERR, ("dimension",), "(yhat - y) (.) w^{(2)} is n2 x n1, not h's n1: a matrix product is needed"),
    ("n6", "f17", ERR, ("dimension",), "i and j swapped: yhat_j runs j over n1 hidden units where yhat has n2"),
    ("n6", "f18", ERR, ("factor",), "the 1/2 of E cancels the square's 2"),
    ("n6", "f19", ERR, ("sum",), "dE/db^{(2)}_i is one output's error, not the sum over outputs"),
    ("n6", "f20", ERR, ("step",), "dE/dh_j is followed by dz_j/dw: the chain skips dh_j/dz_j"),
    ("n6", "f21", ERR, ("label",), "dE/db^{(2)} is a vector of n2, not the n2 x n1 weight gradient"),
    ("n6", "f22", ERR, ("definition",), "tanh applies to z^{(1)}, not to a^{(1)}"),
    pytest.param("n6", "f23", ERR, ("factor",), "tanh'(z) = 1 - h^2, not 1 - h", marks=miss(
        "kinds: the tool explains it as label+factor (dE/da_j = dE/dh_j) instead of the one wrong factor 1 - h_j")),

    # 7. Goodfellow et al. 6.5: a^{(k)} = b^{(k)} + W^{(k)} h^{(k-1)}, h^{(k)} = f(a^{(k)}), \nabla_{W^{(k)}} J;
    #    [tanh, tanh, sigmoid], log loss of one example + (lambda/2) sum ||W||^2; names: a, h, f declared
    ("n7", "f1", OK, (), "the pre-activation a^{(k)} of any layer k"),
    ("n7", "f2", OK, (), "h^{(k)} = f(a^{(k)}), f each layer's activation (tanh, tanh, sigmoid)"),
    ("n7", "f3", OK, (), "the output is the last layer's h"),
    ("n7", "f4", OK, (), "d/dyhat of -y log yhat - (1 - y) log(1 - yhat)"),
    ("n7", "f5", OK, (), "sigmoid + log loss: yhat - y"),
    ("n7", "f6", OK, (), "Algorithm 6.4: g <- g (.) f'(a^{(k)})"),
    ("n7", "f7", OK, (), "tanh' = 1 - h^2 for the hidden layers k < L"),
    ("n7", "f8", OK, (), "the bias gradient is the pre-activation gradient (biases are not penalised)"),
    ("n7", "f9", OK, (), "g h^{(k-1)T} + lambda W^{(k)}: the penalty (lambda/2)||W||^2 has gradient lambda W"),
    ("n7", "f10", OK, (), "W^{(k)T} g passes the gradient to the layer below"),
    ("n7", "f11", OK, (), "f9 component-wise: dJ/da_i h_j + lambda W_ij"),
    ("n7", "f12", OK, (), "f10 component-wise: h_j feeds every a_i through W_ij"),
    ("n7", "f13", ERR, ("sign",), "y - yhat is the negative of yhat - y"),
    ("n7", "f14", ERR, ("index",), "W^{(k)} multiplies h^{(k-1)}, so its gradient pairs g with h^{(k-1)}, not h^{(k)}"),
    ("n7", "f15", ERR, ("dimension",), "h (g)^T is n_{k-1} x n_k, the transpose, and cannot be added to lambda W"),
    ("n7", "f16", ERR, ("transpose",), "W^{(k)} g does not conform: W^{(k)T} is needed"),
    ("n7", "f17", ERR, ("dimension",), "W^T (.) g: an n_{k-1} x n_k matrix elementwise with an n_k vector"),
    ("n7", "f18", ERR, ("factor",), "(lambda/2)||W||^2 has gradient lambda W, not 2 lambda W"),
    ("n7", "f19", ERR, ("index",), "f' is taken at a^{(k)}, the layer whose gradient it is, not a^{(k+1)}"),
    ("n7", "f20", ERR, ("sum",), "h^{(1)}_2 feeds every unit of layer 2; only a^{(2)}_1's term is written"),
    ("n7", "f21", ERR, ("step",), "a product of two sums where the chain rule's sum of products belongs"),
    ("n7", "f22", ERR, ("label",), "the weight gradient's right side under the bias's label"),
    ("n7", "f23", ERR, ("definition",), "f applies to a^{(k)}, not to h^{(k)}"),
    ("n7", "f24", ERR, ("dimension",), "i and j swapped: a^{(k)}_j runs j over the n_{k-1} inputs where a^{(k)} has n_k"),
    ("n7", "f25", ERR, ("sign",), "the log loss's derivative with both signs flipped"),
    ("n7", "f26", ERR, ("sum",), "dJ/db_i is one unit's gradient, not the sum over units"),

    # 8. Bishop, PRML 5.3: a_j = sum_i w_ji z_i, z_j = h(a_j), delta_k = y_k - t_k, delta_j = h'(a_j) sum_k w_kj delta_k;
    #    [tanh, identity], E_n = 1/2 sum_k (y_k - t_k)^2; names: a is the pre-activation, z the activation
    ("n8", "f1", OK, (), "a_j = sum_i w_ji z_i plus the bias w_j0 (the inputs z_i are x_i)"),
    ("n8", "f2", OK, (), "z_j = h(a_j), h the hidden activation (tanh)"),
    ("n8", "f3", OK, (), "linear outputs: y_k = a_k"),
    ("n8", "f4", OK, (), "the sum-of-squares error of one example"),
    ("n8", "f5", OK, (), "the definition delta_j = dE_n/da_j"),
    ("n8", "f6", OK, (), "the definition delta_k = dE_n/da_k"),
    ("n8", "f7", OK, (), "dE_n/dw_ji = dE_n/da_j da_j/dw_ji: w_ji enters E_n only through a_j"),
    ("n8", "f8", OK, (), "da_j/dw_ji = z_i"),
    ("n8", "f9", OK, (), "dE_n/dw_ji = delta_j z_i"),
    ("n8", "f10", OK, (), "linear output, squared error: delta_k = y_k - t_k"),
    ("n8", "f11", OK, (), "a_j reaches E_n through every a_k"),
    ("n8", "f12", OK, (), "the backpropagation formula delta_j = h'(a_j) sum_k w_kj delta_k"),
    ("n8", "f13", OK, (), "tanh: h'(a) = 1 - h(a)^2 = 1 - z_j^2"),
    ("n8", "f14", OK, (), "dE_n/dw_kj = delta_k z_j"),
    ("n8", "f15", OK, (), "the vector definition delta^{(2)} = dE_n/da^{(2)}"),
    ("n8", "f16", OK, (), "the vector definition delta^{(1)} = dE_n/da^{(1)}"),
    ("n8", "f17", OK, (), "delta^{(2)} = y - t"),
    ("n8", "f18", OK, (), "f12 in matrix form: h'(a^{(1)}) (.) W^{(2)T} delta^{(2)}"),
    ("n8", "f19", OK, (), "f9 in matrix form: delta^{(1)} x^T"),
    ("n8", "f20", OK, (), "f14 in matrix form: delta^{(2)} z^{(1)T}"),
    ("n8", "f21", ERR, ("sign",), "t_k - y_k is the negative of delta_k"),
    ("n8", "f22", ERR, ("index",), "z_j (a hidden unit) where z_i (the input of w_ji) belongs"),
    ("n8", "f23", ERR, ("transpose",), "W^{(2)} delta^{(2)} does not conform: W^{(2)T} is needed"),
    ("n8", "f24", ERR, ("transpose",), "x delta^{(1)T} is the transpose of dE_n/dW^{(1)}"),
    ("n8", "f25", ERR, ("dimension",), "W^{(2)T} (.) delta^{(2)}: a matrix elementwise with a vector of another length"),
    ("n8", "f26", ERR, ("factor",), "the 1/2 of E_n cancels the square's 2"),
    ("n8", "f27", ERR, ("sum",), "the sum runs over j where its terms are indexed by k"),
    ("n8", "f28", ERR, ("step",), "a product of two sums where the sum of products w_kj delta_k belongs"),
    ("n8", "f29", ERR, ("step",), "dE_n/dz_j where dE_n/da_j belongs: the chain does not link to da_j/dw_ji"),
    ("n8", "f30", ERR, ("index",), "h' at the output layer's a^{(2)}, not at a^{(1)}"),
    ("n8", "f31", ERR, ("definition",), "h applies to a_j, not to z_j"),
    ("n8", "f32", ERR, ("label",), "delta^{(1)} x^T is dE_n/dW^{(1)}, written under W^{(2)}"),
    ("n8", "f33", ERR, ("sign",), "t_k - y_k where delta_k = y_k - t_k belongs"),
]


def _case(case):
    return case.values if hasattr(case, "values") else case


@functools.cache
def checked(name: str) -> dict:
    """gradaudit check FILE --format json, run as a user runs it: id -> result."""
    path = DECLARED / FILES[name]
    proc = subprocess.run([sys.executable, "-m", "gradaudit", "check", str(path), "--format", "json"],
                          capture_output=True, text=True, cwd=ROOT, timeout=600, check=False)
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    return {r["id"]: r for r in report["results"]}


@pytest.mark.parametrize("name,fid,verdict,kinds,reason", CASES,
                         ids=[f"{_case(c)[0]}-{_case(c)[1]}" for c in CASES])
def test_declared_network_verdict(name, fid, verdict, kinds, reason):
    result = checked(name)[fid]
    got = (result["verdict"], tuple(e["kind"] for e in result["errors"]))
    assert got == (verdict, kinds), f"{FILES[name]}:{result['line']} {result['latex']}: {reason}; got {got}, " \
                                    f"{result['reason']} {[e['detail'] for e in result['errors']]}"


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_formula_is_pinned_and_no_right_formula_is_an_error(name):
    """The table covers each file's formulas exactly, and a right formula (any verdict the table does not
    call error) is never reported as an error, whatever else the tool gets wrong about it."""
    pinned = {(_case(c)[1]): _case(c)[2] for c in CASES if _case(c)[0] == name}
    results = checked(name)
    assert set(pinned) == set(results), sorted(set(pinned) ^ set(results))
    false_alarms = [(fid, results[fid]["latex"]) for fid, verdict in pinned.items()
                    if verdict != ERR and results[fid]["verdict"] == "error"]
    assert not false_alarms, false_alarms
    wrong = [fid for fid, verdict in pinned.items() if verdict == ERR]
    assert len(wrong) >= 10 and len(pinned) - len(wrong) >= 10, (len(wrong), len(pinned))


def test_each_network_has_every_kind_of_mistake():
    """Across the table, each network has a wrong formula of each kind that is meaningful for it."""
    for name in FILES:   # the xfail cases do not count: their kind is what the tool misses
        kinds = {k for c in CASES if _case(c)[0] == name and not hasattr(c, "marks") for k in _case(c)[3]}
        assert {"sign", "index", "transpose", "dimension", "factor", "sum", "step", "label"} <= kinds, (name, kinds)
        assert "definition" in kinds, (name, kinds)


def test_gradients_agree_with_finite_differences():
    """The hand-written gradients of the right formulas equal central differences; the wrong ones differ."""
    spec = importlib.util.spec_from_file_location("declared_verify", DECLARED / "verify.py")
    verify = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(verify)
    counts = verify.check_all()
    assert set(counts) == set(FILES) and all(right >= 2 and wrong >= 2 for right, wrong in counts.values()), counts


# ---- the tool fixes these notes needed, each on its smallest note -------------------------------------------

ROW = ("network:\n  layers: [relu, softmax]\n  loss: cce\n  convention: row\n"
       "  regularization: 'l2 \\frac{\\lambda}{2}'")
LEAKY = ("network:\n  layers: \"leaky_relu(0.01) x (L-1), identity\"\n  loss: squared\n  loss_scale: \"1/2\"\n"
         "  regularization: 'l2 \\frac{\\lambda}{2m}'\nshorthand: per-example")
FIXED3 = LEAKY.replace('"leaky_relu(0.01) x (L-1), identity"', "[tanh, tanh, identity]")
LOGISTIC = ("network:\n  layers: [sigmoid]\n  loss: bce\n  convention: column-wT\n  sizes: [4, 1]\n"
            "shorthand: per-example")
PENALTY = r"\frac{\lambda}{2m} \sum_{l=1}^{%s} \sum W^{[l]} \odot W^{[l]}"
INDEX = ("network:\n  layers: [tanh, identity]\n  loss: squared\n  loss_scale: \"1/2\"\n  averaging: single\n"
         "  convention: index-out-in\nnames:\n  'h': 'a^{(1)}'")


def audit_note(tmp_path, front_matter: str, formula: str):
    notes = tmp_path / "notes.md"
    notes.write_text(f"---\n{front_matter}\n---\n$${formula}$$\n")
    return [(r.verdict, tuple(e.kind for e in r.errors)) for r in audit_paths([notes]).results]


@pytest.mark.parametrize("head,formula,expected", [
    # a bare name the network does not have (N) is unknown: unsupported, never 'fixed' by deleting it; in a
    # loss averaged over the examples N, named nowhere, is read as their number m (named in the verdict)
    (ROW.replace("  convention: row", "  averaging: sum\n  convention: row"),
     r"\frac{\partial J}{\partial Z^{[2]}} = \frac{1}{N} (A^{[2]} - Y)", ("unsupported", ())),
    (ROW, r"\frac{\partial J}{\partial Z^{[2]}} = \frac{1}{N} (A^{[2]} - Y)", ("notation", ())),
    (ROW + "\nnames:\n  'N': 'm'", r"\frac{\partial J}{\partial Z^{[2]}} = \frac{1}{N} (A^{[2]} - Y)", ("correct", ())),
    (ROW + "\nnames:\n  'N': 'm'", r"\frac{\partial J}{\partial Z^{[2]}} = A^{[2]} - Y", ("error", ("factor",))),
    # a sum over the layers binds its index as a layer (it was read as the claim's own l)
    (LEAKY, r"J = \frac{1}{2m} \sum (A^{[L]} - Y)^2 + " + PENALTY % "L", ("correct", ())),
    (LEAKY, r"J = \frac{1}{2m} \sum (A^{[L]} - Y)^2 + " + PENALTY % "L-1", ("error", ("unexplained",))),
    (FIXED3, r"J = \frac{1}{2m} \sum (A^{[3]} - Y)^2 + " + PENALTY % "3", ("correct", ())),
    (FIXED3, r"J = \frac{1}{2m} \sum (A^{[L]} - Y)^2 + " + PENALTY % "L", ("correct", ())),
    # lowercase x, dz are one example's in the column-wT convention too (Ng's logistic regression)
    (LOGISTIC, r"dw = x dz", ("correct", ())),
    (LOGISTIC, r"dw = x^T dz", ("error", ("transpose",))),
    # a size written on the left side is checked: a wrong one is a dimension error, not unsupported
    (LOGISTIC, r"Z_{1 \times m} = w^T X + b", ("correct", ())),
    (LOGISTIC, r"Z_{m \times 1} = w^T X + b", ("error", ("dimension",))),
    (LOGISTIC, r"dw_{n^{[0]} \times 1} = \frac{1}{m} X dZ^T", ("correct", ())),
    (LOGISTIC, r"dw_{1 \times n^{[0]}} = \frac{1}{m} X dZ^T", ("error", ("dimension",))),
    # diagnosis: one name wrong wherever it is written is one edit; swapped unit indices (w_{j,i} for w_{i,j}) are an index slip
    (LEAKY, r"A^{[l]} = \max(0.01 A^{[l]}, A^{[l]}) \text{ for } l < L", ("error", ("definition",))),
    (INDEX, r"\frac{\partial E}{\partial h_j} = \sum_i (\hat{y}_i - y_i) w^{(2)}_{j,i}", ("error", ("index",))),
    (INDEX, r"\frac{\partial E}{\partial h_j} = \sum_i (\hat{y}_i - y_i) w^{(2)}_{i,j}", ("correct", ())),
])
def test_fixes_found_by_the_declared_networks(tmp_path, head, formula, expected):
    assert audit_note(tmp_path, head, formula) == [expected]
