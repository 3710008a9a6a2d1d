"""The primitive table is complete: every entry's rule, sympy.diff of its formula, finite differences, the
auditor's complex-step forms and generated code agree; and networks drawn at random from the spec space
have closed forms = element level = finite differences."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import gradaudit
from gradaudit import primitives, spec
from gradaudit.audit.model import STEP
from gradaudit.symbolic import derive
from gradaudit.symbolic.element import ground_truth
from gradaudit.symbolic.evaluate import evaluate_all

ELEMENTWISE = [n for n in primitives.NAMES if n not in ("softmax", "g")] + ["leaky_relu(0.2)", "elu(1/2)"]
POINTS = np.array([-3.1, -0.7, -0.05, 0.2, 0.9, 2.6])


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_each_entry_is_complete(name):
    entry = primitives.lookup(name)
    assert entry.latex, "every activation names how notes write it"
    z = sp.Symbol("z", real=True)
    f, df = primitives.numeric(name)
    for x in POINTS:
        # the table's derivative = sympy.diff of the table's formula
        rule = float(entry.derivative(sp.Float(x)))
        exact = float(sp.diff(entry.formula(z), z).subs(z, sp.Float(x)).doit())
        assert rule == pytest.approx(exact, rel=1e-12, abs=1e-14)
        # = central finite differences of the numeric forward
        fd = (f(np.array(x + 1e-6)) - f(np.array(x - 1e-6))) / 2e-6
        assert rule == pytest.approx(float(np.real(fd)), rel=1e-6, abs=1e-8)
        # = the complex step of the auditor's numeric form, and its f' agrees
        cs = np.imag(f(np.array(x + 1j * STEP))) / STEP
        assert rule == pytest.approx(float(cs), rel=1e-12, abs=1e-14)
        assert rule == pytest.approx(float(np.real(df(np.array(x)))), rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_each_entry_is_stable_at_large_arguments(name):
    f, df = primitives.numeric(name)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        values = f(np.array([-800.0, 800.0])), df(np.array([-800.0, 800.0]))
    assert all(np.isfinite(v).all() for v in values)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_each_entry_is_derived_and_generated(name):
    """One hidden layer of the activation: the core's closed form equals the element truth, and the generated
    NumPy gradient equals finite differences of the generated loss."""
    arch = spec.load({"layers": [name, "sigmoid"], "loss": "bce", "convention": "column"})
    sizes = {"n0": 2, "n1": 3, "n2": 2, "m": 2}   # small: sympy.diff of the whole loss grows with every width
    _closed_equals_element(arch, None, sizes)
    net = gradaudit.compile(arch.id, sizes=[3, 4, 2])
    _generated_equals_fd(net, (3, 5), (2, 5))


def _values(base, rng):
    return {k: rng.normal(size=tuple(int(s) for s in M.shape)) for k, M in base.items()}


def _closed_equals_element(arch, depth, sizes):
    rng = np.random.default_rng(7)
    truth = ground_truth(arch, depth=depth, sizes=sizes)
    values = _values(truth.base, rng)
    if arch.loss == "bce":
        values["Y"] = rng.uniform(0.05, 0.95, size=values["Y"].shape)
    elif arch.loss == "cce":
        y = rng.uniform(0.1, 1, size=values["Y"].shape)
        values["Y"] = y / y.sum(axis=0 if arch.convention in ("column", "column-wT") else 1, keepdims=True)
    values["lambda"] = 0.37
    element = truth.evaluate(values)
    closed = evaluate_all(derive(arch, depth=depth, sizes=sizes), values,
                          dims={"lambda": 0.37} if arch.regularization is not None else None)
    for name, expected in element.items():
        assert np.allclose(closed[name], expected, rtol=1e-9, atol=1e-11), name
    return values, element


def _generated_equals_fd(net, xshape, yshape):
    rng = np.random.default_rng(3)
    params = net.init(seed=1)
    X = rng.normal(size=xshape)
    Y = rng.uniform(0.1, 0.9, size=yshape)
    if net.arch.loss == "cce":
        Y = Y / Y.sum(axis=0 if net.convention == "column" else 1, keepdims=True)
    grads = net.grads(params, X, Y)
    for name, value in params.items():
        for idx in list(np.ndindex(value.shape))[:6]:
            up = {k: v.copy() for k, v in params.items()}
            down = {k: v.copy() for k, v in params.items()}
            up[name][idx] += 1e-6
            down[name][idx] -= 1e-6
            fd = (net.loss(up, X, Y) - net.loss(down, X, Y)) / 2e-6
            assert grads[name][idx] == pytest.approx(fd, rel=1e-5, abs=1e-8), (name, idx)


def _random_spec(rng) -> tuple[dict, int]:
    hidden = ["sigmoid", "tanh", "relu", "leaky_relu(0.1)", "elu(1)", "softplus", "identity"]
    loss = str(rng.choice(["bce", "cce", "squared"]))
    out = {"bce": "sigmoid", "cce": "softmax", "squared": str(rng.choice(["identity", "tanh", "sigmoid"]))}[loss]
    depth = int(rng.integers(1, 4))
    data = {"loss": loss, "averaging": str(rng.choice(["mean", "sum", "single"])),
            "convention": str(rng.choice(["column", "row", "column-wT", "index-out-in", "index-in-out"]))}
    if rng.random() < 0.5:
        data["layers"] = [str(rng.choice(hidden)) for _ in range(depth - 1)] + [out]
    else:
        data["layers"] = f"{rng.choice(hidden)} x (L-1), {out}"
    if loss == "squared":
        data["loss_scale"] = str(rng.choice(["1", "1/2", "1/N"]))
    if rng.random() < 0.5:
        data["regularization"] = str(rng.choice([r"l2 \frac{\lambda}{2m}", r"l2 \lambda", r"l2 0.5\lambda"]))
    return data, depth


@pytest.mark.parametrize("seed", range(8))
def test_random_networks_from_the_spec_space(seed):
    rng = np.random.default_rng(seed)
    data, depth = _random_spec(rng)
    arch = spec.load(data)
    depth = depth if arch.general else None
    L = depth or arch.parameter_layers
    widths = [3, 2, 4][: L] + [2]
    m = 1 if arch.averaging == "single" else 2
    sizes = {**{f"n{i}": w for i, w in enumerate(widths)}, "m": m}
    values, element = _closed_equals_element(arch, depth, sizes)
    # element level = central finite differences of the loss itself, for every parameter entry
    truth = ground_truth(arch, depth=depth, sizes=sizes)
    for name in [n for n in truth.base if n not in ("Y",)][:4]:
        value = values[name]
        for idx in list(np.ndindex(value.shape))[:3]:
            up = dict(values, **{name: value.copy()})
            down = dict(values, **{name: value.copy()})
            up[name][idx] += 1e-6
            down[name][idx] -= 1e-6
            fd = (_loss(arch, depth, sizes, up) - _loss(arch, depth, sizes, down)) / 2e-6
            assert element["d" + name][idx] == pytest.approx(fd, rel=1e-5, abs=1e-7), (data, name, idx)


def _loss(arch, depth, sizes, values):
    """J by the auditor's independent NumPy forward pass (audit/model.py) at the given arrays."""
    from gradaudit.audit.model import NumericModel, Sizes
    widths = tuple(sizes[f"n{i}"] for i in range(len(sizes) - 1))
    model = NumericModel(arch, depth or arch.parameter_layers, Sizes(widths, sizes["m"]))
    model.values.update({k: v for k, v in values.items() if k != "lambda"})
    J = model.forward({})["J"]
    return float(np.real(J)) + _penalty_shift(arch, values, sizes["m"])


def _penalty_shift(arch, values, m):
    """The model's penalty uses its own lambda; the element truth was given 0.37: correct the difference."""
    if arch.regularization is None:
        return 0.0
    total = sum(np.sum(v * v) for k, v in values.items() if k[0] == "W")
    return (arch.regularization.factor(0.37, m) - arch.regularization.factor(float(arch.reg_lambda), m)) * total
