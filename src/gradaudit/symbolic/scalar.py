"""The scalar systems: activation identities ("activations") and the chain-rule toy graph.

activations: for a vector z (n x 1), the derivative of each elementwise activation (the diagonal of
its Jacobian, from the same rule table with G = 1), the softmax Jacobian diag(a) - a a^T, and the
softmax + cross-entropy gradient a - y (the pair rule).
d002-chain-toy: G = A B, W = G + C, J = j(W) with j undefined and C constant, through SCALAR_VJPS.
"""
from __future__ import annotations

import sympy as sp
from sympy import HadamardProduct, MatrixSymbol, OneMatrix

from . import rules
from .functions import Softmax, ew, relu, sigmoid

# one entry per scalar primitive of the toy graph: (G, args, out) -> contribution per argument
SCALAR_VJPS = {
    "mul": lambda G, args, fn: [G * sp.Mul(*(args[:i] + args[i + 1:])) for i in range(len(args))],
    "add": lambda G, args, fn: [G for _ in args],
    "apply": lambda G, args, fn: [G * sp.diff(fn(args[0]), args[0])],
}
SCALAR_FORWARD = {
    "mul": lambda args, fn: sp.Mul(*args),
    "add": lambda args, fn: sp.Add(*args),
    "apply": lambda args, fn: fn(*args),
}


def _drop_ones(e):
    """G o X o ... with G = 1 (a OneMatrix) is X o ...: the derivative itself, not a product with 1."""
    if isinstance(e, HadamardProduct):
        rest = [a for a in e.args if not isinstance(a, OneMatrix)]
        return rest[0] if len(rest) == 1 else HadamardProduct(*rest)
    return e


def build_scalar(arch, sizes):
    from .closed_form import Derivation, _dim
    if arch.graph:
        return _chain(arch)
    n = _dim("n", sizes)
    z, y = MatrixSymbol("z", n, 1), MatrixSymbol("y", n, 1)
    one = OneMatrix(n, 1)
    forward, backward = [], []
    for name, f in (("sigmoid", sigmoid), ("tanh", sp.tanh), ("relu", relu)):
        a = MatrixSymbol(f"a_{name}", n, 1)
        forward.append((a.name, ew(f, z)))
        backward.append((f"d_{name}", _drop_ones(rules.ACTIVATION_VJPS[name](one, z, a, 0))))
    a = MatrixSymbol("a_softmax", n, 1)
    forward.append((a.name, Softmax(z, 0)))
    backward.append(("jac_softmax", rules.softmax_jacobian(a)))
    loss_forward, _ = rules.LOSSES["cce"]
    pair_rule, assumption = rules.PAIR_RULES[("softmax", "cce")]
    backward.append(("dz_softmax_ce", pair_rule(a, y, 1)))
    return Derivation(arch=arch, depth=0, dims={"n": n}, inputs={"z": z, "y": y}, params={},
                      forward=forward, loss=loss_forward(a, y, 1), backward=backward,
                      assumptions=[assumption])


def _chain(arch):
    from .closed_form import Derivation
    fns = {node["fn"]: sp.Function(node["fn"]) for node in arch.graph if "fn" in node}
    syms = {}
    forward = []
    for node in arch.graph:
        for a in node["args"]:
            syms.setdefault(a, sp.Symbol(a))
        syms[node["name"]] = sp.Symbol(node["name"])
        args = [syms[a] for a in node["args"]]
        forward.append((node["name"], SCALAR_FORWARD[node["op"]](args, fns.get(node.get("fn")))))
    loss_name = arch.graph[-1]["name"]
    acc = {loss_name: [sp.S.One]}
    backward = []
    for node in reversed(arch.graph):
        name = node["name"]
        G = sp.Add(*acc.get(name, []))
        if name != loss_name:
            backward.append(("d" + name, G))
            G = sp.Symbol("d" + name)
        args = [syms[a] for a in node["args"]]
        for a, c in zip(node["args"], SCALAR_VJPS[node["op"]](G, args, fns.get(node.get("fn"))), strict=False):
            acc.setdefault(a, []).append(c)
    leaves = [a for node in arch.graph for a in node["args"]
              if a not in {n["name"] for n in arch.graph} and a not in arch.constants]
    for a in dict.fromkeys(leaves):
        backward.append(("d" + a, sp.Add(*acc[a])))
    inputs = {a: syms[a] for a in dict.fromkeys(leaves)}
    inputs.update({c: syms[c] for c in arch.constants})
    return Derivation(arch=arch, depth=0, dims={}, inputs=inputs, params={},
                      forward=forward[:-1], loss=forward[-1][1], backward=backward, functions=fns)
