"""`gradaudit list` / `gradaudit derive`, and the Derivation interface others build on."""
from __future__ import annotations

import json

import pytest
import sympy as sp

from gradaudit.architectures import registry
from gradaudit.cli import main
from gradaudit.errors import GradauditError
from gradaudit.symbolic import derive


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_list_text_and_json(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0
    for aid in registry():
        assert aid in out
    code, out, _ = run(capsys, "list", "--format", "json")
    rows = json.loads(out)["architectures"]
    assert [r["id"] for r in rows] == list(registry())
    cnn = next(r for r in rows if r["id"] == "d002-cnn-sigmoid")
    assert cnn["source"] == "002_7c149b51d80cd905.txt" and cnn["convention"] == "row" and cnn["loss"] == "bce"
    assert cnn["activations"] == ["relu", "sigmoid"] and cnn["layers"][1].startswith("maxpool")


def test_derive_column_general_layer_in_document_001_style(capsys):
    code, out, _ = run(capsys, "derive", "d001-mlp-L-g")
    assert code == 0
    assert r"dW^{[l]} = \frac{1}{m} dZ^{[l]} A^{[l-1]T}" in out
    assert r"dZ^{[l]} = dA^{[l]} \odot g'(Z^{[l]})" in out
    assert r"dA^{[l]} = W^{[l+1]T} dZ^{[l+1]}" in out
    assert r"dZ^{[L]} = A^{[L]} - Y" in out


def test_derive_row_and_index_styles(capsys):
    _, out, _ = run(capsys, "derive", "d002-mlp2-tanh-sigmoid")
    assert r"\frac{\partial J}{\partial W^{[1]}} = X^{T} \frac{\partial J}{\partial Z^{[1]}}" in out
    _, out, _ = run(capsys, "derive", "d004-mlp-L-sigmoid-sse")
    assert r"\frac{\partial C}{\partial w_{i,j}^{(l)}} = a_{i}^{(l-1)} \delta_{j}^{(l)}" in out
    assert r"\frac{\partial C}{\partial b_{j}^{(L)}} = \delta_{j}^{(L)}" in out


def test_derive_text_json_and_depth(capsys):
    code, out, _ = run(capsys, "derive", "d002-mlp-L-relu-softmax", "--depth", "5", "--format", "text")
    assert code == 0 and "dW5 = A4.T*dZ5" in out and "dZ5 = A5 - Y" in out
    code, out, _ = run(capsys, "derive", "d002-cnn-multi-softmax", "--format", "json")
    data = json.loads(out)
    names = [g["name"] for g in data["sections"][0]["gradients"]]
    assert {"dK1", "dK2", "dP1", "dP2", "dX", "dW4"} <= set(names)


def test_unknown_architecture_exits_2_listing_known_ids(capsys):
    code, _, err = run(capsys, "derive", "no-such-net")
    assert code == 2 and "d001-mlp-L-g" in err
    with pytest.raises(GradauditError):
        derive("d001-mlp-L-g")  # general depth needs a depth


def test_interface_names_shapes_and_closed_forms():
    d = derive("d001-mlp-L-g", 3)
    n0, n1, m = d.dims["n0"], d.dims["n1"], d.dims["m"]
    assert list(d.params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert d.params["W1"].shape == (n1, n0) and d.inputs["X"].shape == (n0, m)
    assert [n for n, _ in d.forward] == ["Z1", "A1", "Z2", "A2", "Z3", "A3"]
    assert [n for n, _ in d.backward][:4] == ["dA3", "dZ3", "dW3", "db3"] and d.backward[-1][0] == "dX"
    for name, e in d.backward:
        assert e.shape == d.symbol(name[1:]).shape, name
    names = {sp.MatrixSymbol(n, *e.shape) for n, e in d.backward}
    assert not (d.closed("dW1").atoms(sp.MatrixSymbol) & names)
    assert d.closed("dW3").doit() == (d.expr("dZ3") * d.symbol("A2").T).doit()   # (1/m)(A3 - Y) A2^T
    assert d.expr("dW3") == d.symbol("dZ3") * d.symbol("A2").T
    concrete = derive("d002-mlp-L-relu-sigmoid", 2, {"n0": 3, "n1": 4, "n2": 1, "m": 5})
    assert concrete.params["W1"].shape == (3, 4) and concrete.params["b1"].shape == (1, 4)


def test_closed_form_size_grows_linearly_with_depth():
    sizes = [sp.count_ops(derive("d002-mlp-L-relu-sigmoid", L).closed("dW1")) for L in (4, 8, 16)]
    assert sizes[1] - sizes[0] == pytest.approx((sizes[2] - sizes[1]) / 2, rel=0.1)
