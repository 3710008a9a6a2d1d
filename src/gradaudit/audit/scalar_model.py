"""Models of the scalar systems: one activation on its own, and the chain-rule toy graph.

They offer the NumericModel interface the evaluator uses (values, grad, jacobian, known),
so identities like (sig x)' = sig x (1 - sig x), dA/dZ = 1 - A^2, the softmax Jacobian and
dJ/dz_j = a_j - y_j are checked by the same code as the networks' formulas.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..convention import CONVENTIONS
from .. import primitives
from .model import ACTIVATIONS, KINK_MARGIN, Sizes, _softmax, complex_step_jacobian

# the concrete function j of J = j(W) in the toy graph, with its derivative known to complex step
TOY_J = (lambda w: np.sin(w) + w ** 2)


@dataclass
class ScalarModel:
    arch: object
    activation: str = "sigmoid"      # what A = f(Z) is in this section
    seed: int = 0
    width: int = 4
    values: dict = field(default_factory=dict)
    g: str = "tanh"

    convention = "column"   # one activation's vector of units is a column
    layout = CONVENTIONS["column"]
    table = ACTIVATIONS     # name -> (f, f') for the model's numbers (audit/exact.py: 60-digit ones)
    class_axis = 0
    layers = ()
    output_layer = 1

    def __post_init__(self):
        rng = np.random.default_rng(self.seed)
        self.sizes = Sizes((self.width,), 1)
        self.direct_names = set()
        if self.arch.graph:
            for name in sorted({a for node in self.arch.graph for a in node.get("args", [])} - {n["name"] for n in self.arch.graph}):
                self.values[name] = rng.uniform(0.3, 1.5, size=(1, 1))
            self.direct_names = {n["name"] for n in self.arch.graph} | set(self.values)
            self.values.update(self.forward({}))
            return
        self.values["x"] = rng.normal(size=(self.width, 1))
        self.values["Z1"] = rng.normal(size=(self.width, 1))
        while primitives.is_known(self.activation) and primitives.kinked(self.activation) \
                and np.min(np.abs(self.values["Z1"])) < KINK_MARGIN:   # keep away from ReLU's kink (model.py)
            self.values["Z1"] = rng.normal(size=(self.width, 1))
        if self.activation == "softmax":
            y = rng.uniform(0.1, 1.0, size=(self.width, 1))
            self.values["Y"] = y / y.sum()
        else:
            self.values["Y"] = rng.uniform(0.05, 0.95, size=(self.width, 1))
        self.direct_names = {"x"}
        self.values.update(self.forward({}))

    def forward(self, overrides: dict) -> dict:
        v = dict(self.values)
        v.update(overrides)
        out = {}
        if self.arch.graph:
            for node in self.arch.graph:
                name = node["name"]
                if name in overrides:
                    out[name] = v[name] = overrides[name]
                    continue
                args = [v[a] for a in node["args"]]
                if node["op"] == "mul":
                    value = args[0] * args[1]
                elif node["op"] == "add":
                    value = args[0] + args[1]
                else:
                    value = TOY_J(args[0])
                out[name] = v[name] = value
            return out
        z = v["Z1"]
        a = overrides.get("A1")
        if a is None:
            a = _softmax(z, 0) if self.activation == "softmax" else self.table[self.activation][0](z)
        out["A1"] = v["A1"] = a
        if self.activation == "softmax":
            j = -np.sum(v["Y"] * np.log(a))
        else:
            j = -np.sum(v["Y"] * np.log(a) + (1 - v["Y"]) * np.log(1 - a)) if self.activation == "sigmoid" \
                else 0.5 * np.sum((a - v["Y"]) ** 2)
        out["J"] = np.asarray(j).reshape(())
        return out

    def known(self, name):
        return name in self.values

    def constant(self, value):
        """A number of a formula in the model's arithmetic (float64 here)."""
        return np.array(float(value))

    def jacobian(self, out, inp):
        def value_of(bumped):
            if out == inp:
                return bumped
            return self.forward({inp: bumped}).get(out, self.values[out] * 0)
        return complex_step_jacobian(value_of, self.values[inp], np.shape(self.values[out]))

    def grad(self, name):
        return self.jacobian("J", name)
