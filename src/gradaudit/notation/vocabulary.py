"""The words notes write: Greek names, loss words, every spelling of a function, and the macros the lexer knows.

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
# macros that are one token: name -> (type, value)
SIMPLE = {
    "frac": ("FRAC", "frac"), "dfrac": ("FRAC", "frac"), "tfrac": ("FRAC", "frac"),
    "partial": ("PARTIAL", "partial"), "sum": ("SUM", "sum"), "Delta": ("DELTA", "Delta"),
    "cdot": ("MULOP", "cdot"), "times": ("MULOP", "times"), "odot": ("MULOP", "odot"), "ast": ("MULOP", "star"),
    "circ": ("MULOP", "odot"),
    "log": ("FUNC", "log"), "ln": ("FUNC", "log"), "exp": ("FUNC", "exp"), "tanh": ("FUNC", "tanh"),
    "sigma": ("FUNC", "sigma"), "prime": ("PRIME", "'"), "top": ("TOP", "top"), "intercal": ("TOP", "top"),
    "dots": ("DOTS", "dots"), "ldots": ("DOTS", "dots"), "cdots": ("DOTS", "cdots"), "vdots": ("DOTS", "vdots"),
    "ddots": ("DOTS", "ddots"),
    "neq": ("REL", "!="), "ne": ("REL", "!="), "geq": ("REL", ">="), "ge": ("REL", ">="), "leq": ("REL", "<="),
    "le": ("REL", "<="), "rightarrow": ("REL", "->"), "to": ("REL", "->"), "Rightarrow": ("REL", "->"),
    "longrightarrow": ("REL", "->"), "in": ("REL", "in"),
    # an update (W \leftarrow W - \alpha dW) and a definition (\delta \equiv ...) are both ':='
    "leftarrow": ("REL", ":="), "gets": ("REL", ":="), "longleftarrow": ("REL", ":="), "equiv": ("REL", ":="),
    "triangleq": ("REL", ":="), "coloneqq": ("REL", ":="), "doteq": ("REL", ":="), "eqqcolon": ("REL", ":="),
    "defeq": ("REL", ":="), "coloneq": ("REL", ":="),
    "{": ("LCURLY", "{"), "}": ("RCURLY", "}"), "lbrace": ("LCURLY", "{"), "rbrace": ("RCURLY", "}"),
    "\\": ("LINESEP", "\\\\"), "newline": ("LINESEP", "newline"), "therefore": ("THEREFORE", "therefore"),
    "quad": ("QUAD", "quad"), "qquad": ("QUAD", "qquad"),
    "onesvec": ("ONES", "1"), "indicator": ("INDIC", "1"), "nabla": ("NABLA", "nabla"),
    "|": ("NORM", "|"), "Vert": ("NORM", "|"), "lVert": ("NORM", "|"), "rVert": ("NORM", "|"),
}
SPACING = {",", ";", ":", "!", " ", "displaystyle", "nonumber", "notag", "limits", "nolimits", "textstyle",
           "scriptstyle", "scriptscriptstyle", "tiny", "scriptsize", "footnotesize", "small", "normalsize", "large",
           "Large", "LARGE", "huge", "Huge", "middle"}
SIZED = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr", "Biggl",
         "Biggr", "bigm", "Bigm"}
WRAPPERS = {"equation", "equation*", "aligned", "align", "align*", "gathered", "gather", "gather*", "split",
            "alignedat", "displaymath", "math"}
MATRICES = {"bmatrix", "pmatrix", "matrix", "vmatrix", "Bmatrix", "smallmatrix"}
