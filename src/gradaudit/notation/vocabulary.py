"""The words notes write for functions and letters: Greek names, loss words, and every spelling of a function.

The lexer (tokens.py) reads a run of letters with these; words.py uses them to tell a name from a function.
"""
from __future__ import annotations

import re

from .. import primitives

GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "pi", "rho", "tau", "upsilon", "phi", "varphi", "chi", "psi", "omega",
    "Gamma", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Phi", "Psi", "Omega",
}
# words naming the loss as a whole (MSE = \frac{1}{n} \sum ...): one name, not a product of letters
LOSS_WORDS = {"MSE", "SSE", "RSS", "BCE", "NLL"}
# words naming a function, written as plain letters or inside \text / \operatorname
FUNC_WORDS = {
    "sig": "sig", "sigmoid": "sigmoid", "tanh": "tanh", "log": "log", "ln": "log", "exp": "exp",
    "relu": "relu", "ReLU": "relu", "softmax": "softmax", "maxpool": "maxpool",
}
# y ln(a), written without a space or a backslash: the letters before the function are factors
GLUED_FUNC = re.compile(r"([A-Za-z]+?)(ln|log|exp)")
# plain-letter words read as a function in any capitalisation (ReLu, Relu, Sigmoid, Softmax, sign)
FUNC_ANYCASE = {"relu": "relu", "sigmoid": "sigmoid", "softmax": "softmax", "sign": "sign", "sgn": "sign",
                "leakyrelu": "leakyrelu", "diag": "diag"}
FUNC_TEXT = {w.lower(): f for w, f in FUNC_WORDS.items()} | FUNC_ANYCASE | {
    "maxpooling": "maxpool", "max": "max", "flatten": "flatten", "leaky relu": "leakyrelu", "leaky_relu": "leakyrelu",
    "lrelu": "leakyrelu"}
# the primitive table's activations by every name notes write them with (\text{softplus}, \operatorname{ELU})
FUNC_TEXT |= {w: w for w in primitives.WORDS if len(w) > 1 and w not in FUNC_TEXT}
primitives.on_register(lambda: FUNC_TEXT.update({w: w for w in primitives.WORDS if len(w) > 1 and w not in FUNC_TEXT}))
FUNC_ANYCASE["softplus"] = "softplus"
