"""Pinned verdicts of the five documents' formulas, each checked by hand (the comment says why).

The whole corpus is audited once per test session; each pin names the formula's worst verdict
and, for errors, the kinds that must be reported. A pin is (verdict, kinds, reason).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from gradaudit.audit.runner import audit_paths
from gradaudit.notation.parser import parse

ROOT = Path(__file__).resolve().parents[1]
ORDER = {"correct": 0, "notation": 1, "unsupported": 2, "error": 3}

D0 = "000_mlp3_differentials.toml"
D1 = "001_deep_network_vectorised.toml"
D2 = "002_unveiling_derivatives.toml"
D3 = "003_two_layer_mse.toml"
D4 = "004_index_notation.toml"

PINS = {
    # --- 000: informal chain-rule products, one example, sigmoid output with cross-entropy
    (D0, "sig.dW3.chain"): ("correct", set(), "dC/dW3 = dC/dZ3 dZ3/dW3 chains exactly"),
    (D0, "sig.dW3.dC_dZ3"): ("correct", set(), "sigmoid + BCE gives A3 - Y"),
    (D0, "sig.dW3.final"): ("notation", set(), "(A3 - Y) A2 needs A2^T: informal layout"),
    (D0, "sig.db3.final"): ("correct", set(), "db3 = A3 - Y for one example"),
    (D0, "sig.dW2.final"): ("notation", set(), "right once W3^T, ⊙ and A1^T are placed"),
    (D0, "sig.dW1.final"): ("notation", set(), "right once transposes and ⊙ are placed"),
    (D0, "sig.db1.final"): ("notation", set(), "right once transposes and ⊙ are placed"),
    (D0, "sig.dW2.dA2_dZ2"): ("notation", set(), "sigmoid' = A(1 - A), written with a misplaced parenthesis"),
    (D0, "tanh.dW2.final"): ("notation", set(), "1 - tanh^2(Z2) is tanh'; layout informal"),
    (D0, "tanh.db2.final"): ("error", {"label"}, "dC/dh^{[2]}: h is a typo for b"),
    (D0, "tanh.dW1.chain"): ("error", {"step"}, "dZ1/dA1 where dZ2/dA1 belongs: the chain breaks"),
    (D0, "tanh.db1.chain"): ("error", {"step"}, "dZ2/dZ2 and dA1/dA1 do not chain"),
    (D0, "tanh.db1.final"): ("error", {"factor"}, "a stray A2 factor (copied from the sigmoid part)"),
    (D0, "tanh.dW1.final"): ("notation", set(), "right once transposes and ⊙ are placed"),
    # --- 001: column convention, BCE averaged over m
    (D1, "fwd1.A"): ("error", {"definition"}, "A1 = g(A1): the argument must be Z1"),
    (D1, "fwd2.A"): ("correct", set(), "A2 = g(Z2)"),
    (D1, "fwd3.Z"): ("error", {"dimension"}, "b3 written n3 x m: a bias is n3 x 1"),
    (D1, "fwd1.Z"): ("correct", set(), "sizes written on Z1 = W1 A0 + b1 all agree"),
    (D1, "cost.3"): ("correct", set(), "J = -1/m sum(Y log A + (1 - Y) log(1 - A))"),
    (D1, "l3.dA3"): ("error", {"sign"}, "Y/A + (1-Y)/(1-A): the second term's sign is flipped"),
    (D1, "l3.dA3_dZ3"): ("correct", set(), "sigmoid derivative"),
    (D1, "l3.dZ3"): ("correct", set(), "dZ3 = 1/m (A3 - Y)"),
    (D1, "l3.dZ3_dW3"): ("notation", set(), "dZ3/dW3 = A2 is the factor A2^T contributes"),
    (D1, "l3.dW3"): ("error", {"step", "sign"}, "chain ends in dZ3/db3 for dW3; 1/m (Y - A3) A2^T has the sign flipped"),
    (D1, "l2.dA2"): ("error", {"label", "transpose"}, "left side dJ/dA3 for dA2; dZ3 W3 lacks the transpose"),
    (D1, "l2.dZ2"): ("error", {"label", "index"}, "left side dJ/dZ3 for dZ2; g'(Z3) where g'(Z2) belongs"),
    (D1, "l2.dW2"): ("error", {"index"}, "dZ2 A2^T where A1^T belongs"),
    (D1, "l1.dW1"): ("correct", set(), "dW1 = dZ1 A0^T"),
    (D1, "l1.db1"): ("error", {"label"}, "left side dJ/dW1 for db1"),
    (D1, "bp.dZL"): ("error", {"sign"}, "dZ^{[L]} = Y - A^{[L]} has the sign flipped"),
    (D1, "bp.dWL"): ("correct", set(), "per-example dZ: dW carries the 1/m"),
    (D1, "bp.dbL"): ("correct", set(), "np.sum over the examples, 1/m"),
    (D1, "bp.dZLm1"): ("correct", set(), "general layer backward step"),
    (D1, "bp.dW1"): ("correct", set(), "dW1 = 1/m dZ1 A0^T"),
    (D1, "dims.dWL"): ("correct", set(), "n^L x m times m x n^{L-1}"),
    (D1, "dims.dbL"): ("correct", set(), "np.sum(.., axis=1, keepdims=True) gives n^L x 1"),
    # --- 002: Rasheed & Zarkoosh
    (D2, "eq1"): ("error", {"step"}, "dG/dW is zero: G does not depend on W (the chain runs the wrong way)"),
    (D2, "eq2"): ("correct", set(), "dJ/dG = dJ/dW dW/dG"),
    (D2, "eq9"): ("error", {"sign"}, "the log loss lacks its minus sign"),
    (D2, "eq10"): ("correct", set(), "derivative of the (correct) BCE"),
    (D2, "eq12"): ("notation", set(), "dA/dZ used as the operator d/dZ; every step of the sigmoid derivative holds"),
    (D2, "s1.dJdW"): ("error", {"precedence"}, "(-Y/A + (1-Y)/(1-A)) needs parentheses before A(1-A)X"),
    (D2, "eq15"): ("correct", set(), "gradient descent step"),
    (D2, "eq17"): ("correct", set(), "tanh as exponentials"),
    (D2, "eq18"): ("error", set(), "middle steps of the tanh derivative are wrong; the end 1 - A^2 is right"),
    (D2, "eq20a"): ("correct", set(), "ReLU derivative"),
    (D2, "t2.l1.b2"): ("error", {"transpose"}, "row convention: X^T dZ1, not dZ1 X^T"),
    (D2, "t2.l2.b2"): ("error", {"index"}, "dJ/dW2 uses A1, not A2"),
    (D2, "t2.l2.b6"): ("correct", set(), "dJ/dA2 of BCE"),
    (D2, "t2.loss.f1"): ("error", {"sign"}, "loss without its minus sign"),
    (D2, "eq21"): ("correct", set(), "categorical cross-entropy"),
    (D2, "eq30"): ("correct", set(), "softmax + CE gives A - Y"),
    (D2, "eq31"): ("error", {"transpose"}, "dJ/dW^{[L]} = A^{[L-1]T}(A - Y) in the row convention"),
    (D2, "t4.lL.f3"): ("error", {"index"}, "z^{[L]} = X W^{[L]}: the input of layer L is A^{[L-1]}"),
    (D2, "t4.lL.b2"): ("error", {"index"}, "dJ/dW^{[L]} uses A^{[L-1]}, not A^{[L]}"),
    (D2, "eq35b"): ("correct", set(), "convolution as a double sum"),
    (D2, "eq55.3"): ("correct", set(), "kernel gradient as a correlation of X with dJ/dZ1"),
    (D2, "eq58"): ("correct", set(), "dJ/dx[0,0] = dJ/dz[0,0] k[0,0]"),
    (D2, "eq61"): ("error", set(), "x[1,1] feeds four outputs; the formula has two, with the wrong kernel entries"),
    # --- 003: two-layer sigmoid network, MSE over N_out, one example
    (D3, "dC_dA2"): ("error", {"sum"}, "the derivative is per output: no sum over i"),
    (D3, "dC_dW2"): ("notation", set(), "dC/dZ2 A1 needs the outer product dC/dZ2 A1^T"),
    (D3, "dC_dB2"): ("error", {"sum"}, "the bias gradient is dC/dZ2 itself, not a sum"),
    (D3, "dC_dB1"): ("error", {"sum"}, "the bias gradient is dC/dZ1 itself, not a sum over N_in"),
    # --- 004: index notation, C = 1/2 sum (a - y)^2
    (D4, "out.DbL"): ("correct", set(), "delta of the output layer"),
    (D4, "gen.Dbl"): ("correct", set(), "the cases formula, for l = L and l < L"),
    (D4, "alg.a1"): ("error", {"sum"}, "sum over l of w_{i,j} x_l: the index of the sum and of the terms differ"),
    (D4, "alg.al"): ("error", {"sum"}, "sum over l reuses the layer index; the terms are indexed by i"),
}


@pytest.fixture(scope="module")
def corpus_results():
    run = audit_paths([ROOT / "derivations"], timeout=10.0)
    assert not run.file_errors
    by_formula = {}
    for r in run.results:
        key = (Path(r.file).name, r.id)
        verdict, kinds, rows = by_formula.get(key, ("correct", set(), []))
        if ORDER[r.verdict] > ORDER[verdict]:
            verdict = r.verdict
        by_formula[key] = (verdict, kinds | {e.kind for e in r.errors}, rows + [r])
    return run, by_formula


@pytest.mark.parametrize("key", sorted(PINS), ids=lambda k: f"{k[0][:3]}:{k[1]}")
def test_pinned_verdict(corpus_results, key):
    _, by_formula = corpus_results
    verdict, kinds, reason = PINS[key]
    assert key in by_formula, f"{key} not audited"
    got_verdict, got_kinds, rows = by_formula[key]
    detail = [(r.step, r.verdict, [(e.kind, e.detail) for e in r.errors], r.reason) for r in rows]
    assert got_verdict == verdict, f"{reason}: got {detail}"
    assert kinds <= got_kinds, f"{reason}: kinds {got_kinds}, want {kinds}"


def test_every_formula_gets_a_verdict(corpus_results):
    run, by_formula = corpus_results
    assert len(by_formula) >= 400
    assert all(r.verdict in ORDER for r in run.results)
    unsupported = [r for r in run.results if r.verdict == "unsupported"]
    assert all(r.reason for r in unsupported), "an unsupported claim must say why"


def test_corrected_latex_parses(corpus_results):
    """Every correction printed is LaTeX the parser reads back."""
    run, _ = corpus_results
    fixes = [r.corrected_latex for r in run.results if r.verdict == "error" and r.corrected_latex]
    assert len(fixes) >= 30
    for fix in fixes:
        parse(fix)
