"""Index notation with channel indices on a declared multi-channel CNN, verdicts checked by hand.

The network (conv(3, 4, relu), conv(3, 6, relu), maxpool(2), flatten, dense(softmax), one 8x8 input
channel) computes z^{[l]}_{d,i,j} = b^{[l]}_d + sum_{c,a,b} K^{[l]}_{d,c,a,b} a^{[l-1]}_{c,i+a,j+b}. Its
gradients, by the chain rule on that definition:
  dJ/dK_{d,c,p,q} = sum_{i,j} dJ/dz_{d,i,j} a_{c,i+p,j+q}       (a correlation of the input with dz)
  dJ/db_d         = sum_{i,j} dJ/dz_{d,i,j}
  dJ/da_{c,i,j}   = sum_{d,p,q} K_{d,c,p,q} dJ/dz_{d,i-p,j-q}   (the full convolution: terms past the edge
                                                                 do not exist, i.e. count zero)
the same sums the generated kernels compute (tests/test_codegen_kernels.py checks them against brute force,
finite differences and PyTorch). Sums written without limits run over the terms that exist. Whole maps:
X * K is the forward pass (input channels summed), X * dZ the kernel gradient (every channel pair); other
products of stacked maps (dZ . X, dZ * K for the input gradient) are shorthands whose channel pairing is
not read: unsupported.
"""
from __future__ import annotations

import pytest

from gradaudit.audit.runner import audit_paths

SECTION = '''document = "mc"
title = "multi-channel convolution in index notation"

[[section]]
id = "mc"
heading = "two convolution layers with channels"
superscript = "layer"
subscript = "index"

[section.network]
layers = ["conv(3, 4, relu)", "conv(3, 6, relu)", "maxpool(2)", "flatten", "dense(softmax)"]
loss = "cce"
convention = "row"
averaging = "single"
image = [8, 8]

[[section.formula]]
id = "f"
latex = \'\'\'{formula}\'\'\'
'''

DZ1, DZ2 = r"\frac{\partial J}{\partial z^{[1]}_{d,i,j}}", r"\frac{\partial J}{\partial z^{[2]}_{d,i-p,j-q}}"


def verdict(tmp_path, formula):
    path = tmp_path / "mc.toml"
    path.write_text(SECTION.replace("{formula}", formula))
    (result,) = audit_paths([path]).results
    return result.verdict, tuple(e.kind for e in result.errors)


@pytest.mark.parametrize("formula,expected", [
    # the forward pass, bias per output channel, kernel over input channels and window
    (r"z^{[1]}_{d,i,j} = b^{[1]}_d + \sum_{c} \sum_{a=0}^{2} \sum_{b=0}^{2} K^{[1]}_{d,c,a,b} x_{c,i+a,j+b}",
     ("correct", ())),
    (r"z^{[2]}_{d,i,j} = b^{[2]}_d + \sum_{c} \sum_{a} \sum_{b} K^{[2]}_{d,c,a,b} a^{[1]}_{c,i+a,j+b}", ("correct", ())),
    # kernel and bias gradients
    (r"\frac{\partial J}{\partial K^{[1]}_{d,c,p,q}} = \sum_{i} \sum_{j} " + DZ1 + r" x_{c,i+p,j+q}", ("correct", ())),
    (r"\frac{\partial J}{\partial b^{[1]}_{d}} = \sum_{i} \sum_{j} " + DZ1, ("correct", ())),
    # the input gradient: full convolution with the kernel, sums with and without limits
    (r"\frac{\partial J}{\partial a^{[1]}_{c,i,j}} = \sum_{d} \sum_{p} \sum_{q} K^{[2]}_{d,c,p,q} " + DZ2,
     ("correct", ())),
    (r"\frac{\partial J}{\partial a^{[1]}_{c,i,j}} = \sum_{d=0}^{5} \sum_{p=0}^{2} \sum_{q=0}^{2} K^{[2]}_{d,c,p,q} "
     + DZ2, ("correct", ())),
    # wrong: the window read backwards in the kernel gradient, forwards in the input gradient
    (r"\frac{\partial J}{\partial K^{[1]}_{d,c,p,q}} = \sum_{i} \sum_{j} " + DZ1 + r" x_{c,i-p,j-q}", ("error", ("sign",))),
    (r"\frac{\partial J}{\partial a^{[1]}_{c,i,j}} = \sum_{d} \sum_{p} \sum_{q} K^{[2]}_{d,c,p,q} "
     + r"\frac{\partial J}{\partial z^{[2]}_{d,i+p,j+q}}", ("error", ("sign",))),
    # wrong: the channels of the kernel swapped (K_{c,d}: 4 x 6 against the kernel's 6 x 4)
    (r"\frac{\partial J}{\partial a^{[1]}_{c,i,j}} = \sum_{d} \sum_{p} \sum_{q} K^{[2]}_{c,d,p,q} " + DZ2,
     ("error", None)),
    # matrix-form shorthands of the backward pass (CS231n-style dW = X * dout, dx = dout * K; document 002's
    # dJ/dZ . X): right read as a correlation over every channel pair or a sum over output channels, which
    # is not read on stacked channel maps, so no verdict rather than a false dimension error
    # whole maps: X * K sums the input channels (the forward pass); X * dZ, with no channel axis in common,
    # correlates every pair (the kernel gradient dK[o, c] = X[c] * dZ[o])
    (r"Z^{[1]} = X * K^{[1]} + b^{[1]}", ("correct", ())),
    (r"Z^{[2]} = A^{[1]} * K^{[2]} + b^{[2]}", ("correct", ())),
    (r"Z^{[2]} = A^{[1]} * K^{[2]} - b^{[2]}", ("error", ("sign",))),
    (r"\frac{\partial J}{\partial K^{[1]}} = X * \frac{\partial J}{\partial Z^{[1]}}", ("correct", ())),
    (r"\frac{\partial J}{\partial K^{[2]}} = A^{[1]} * \frac{\partial J}{\partial Z^{[2]}}", ("correct", ())),
    # dJ/dA2 for dJ/dZ2: max-pooling passes the gradient only to each window's largest entry, positive when no
    # window ties (the models keep away from ties, issue 17), where ReLU' = 1: equal off the ties, so correct
    (r"\frac{\partial J}{\partial K^{[2]}} = A^{[1]} * \frac{\partial J}{\partial A^{[2]}}", ("correct", ())),
    (r"\frac{\partial J}{\partial K^{[2]}} = \frac{\partial J}{\partial Z^{[2]}} \cdot A^{[1]}", ("unsupported", ())),
    (r"dK^{[2]} = dZ^{[2]} * A^{[1]}", ("unsupported", ())),
    (r"dA^{[1]} = dZ^{[2]} * K^{[2]}", ("unsupported", ())),
])
def test_channel_index_notation(tmp_path, formula, expected):
    got = verdict(tmp_path, formula)
    assert got[0] == expected[0], got
    if expected[1] is not None:
        assert got[1] == expected[1], got
