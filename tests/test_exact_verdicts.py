"""Exact verdicts (issue 17): `correct` means equal in 60-digit arithmetic, not to float64's 1e-9.

The notes in tests/exact/ are audited through the CLI as a user runs it. Every near miss there is
wrong by construction (a factor 1 + 1e-10, an added 1e-12 W, a term 1e-15, an exponent off by 1e-9
or 1e-10): it must be `error`, and no correction may be shown that is not itself right. The right
formulas there are algebraic identities whose float64 values carry round-off (sigmoid at 40,
cancellations, 0.1 / 0.1, targets that sum to 1, lambda / m): they stay `correct`. A ReLU derivative
written with > 0 and with >= 0 differs only at the kink Z = 0, which random points keep away from.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gradaudit.architectures import get as get_architecture
from gradaudit.audit import exact
from gradaudit.audit.model import KINK_MARGIN, NumericModel, size_choices

ROOT = Path(__file__).resolve().parents[1]
EXACT = ROOT / "tests" / "exact"


def check(path: Path, exact_on: bool = True) -> dict:
    """formula id -> its first claim's result, from `gradaudit check FILE --format json`."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    if not exact_on:
        env["GRADAUDIT_EXACT"] = "0"
    out = subprocess.run([sys.executable, "-m", "gradaudit.cli", "check", str(path), "--format", "json"], check=False,
                         capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert out.returncode in (0, 1), out.stderr
    results = json.loads(out.stdout)["results"]
    return {r["id"]: r for r in results}


def front_matter(path: Path) -> str:
    text = path.read_text()
    return text[:text.index("---", 3) + 3]


def shown_corrections(result: dict) -> list:
    return [x for x in [result["corrected_latex"]] + [e["fix_latex"] for e in result["errors"]] if x]


def assert_no_false_correction(path: Path, result: dict, tmp_path: Path) -> None:
    """A correction shown must itself be audited right (in 60 digits) in the same network."""
    for k, latex in enumerate(shown_corrections(result)):
        if "=" not in latex:
            continue
        notes = tmp_path / f"fix{k}.md"
        notes.write_text(front_matter(path) + f"\n$${latex}$$\n")
        fixed = check(notes)
        assert fixed["f1"]["verdict"] in ("correct", "notation"), (latex, fixed["f1"])


NEAR = EXACT / "near_misses.md"


@pytest.fixture(scope="module")
def near():
    return check(NEAR)


@pytest.mark.parametrize("fid, what", [
    ("f1", "a factor 1.0000000001"),
    ("f2", "a factor 1 + 10^{-10}"),
    ("f3", "an added 10^{-12} W (float64's search 'corrects' W to b, right only to float64's precision)"),
    ("f4", "an added term 10^{-15}"),
    ("f5", "an added term 10^{-15} in db"),
    ("f6", "an exponent of m off by 10^{-10}"),
])
def test_near_misses_are_errors_without_a_correction(near, fid, what):
    r = near[fid]
    assert r["verdict"] == "error", (what, r)
    assert shown_corrections(r) == [], (what, r)
    assert "60-digit" in r["errors"][0]["detail"]


def test_the_same_formulas_without_the_slip_are_correct(near):
    assert near["f7"]["verdict"] == "correct"
    assert near["f8"]["verdict"] == "correct"


def test_float64_alone_accepts_the_near_misses():
    """GRADAUDIT_EXACT=0 (the bench's switch) shows what the confirmation adds: float64 calls them correct."""
    alone = check(NEAR, exact_on=False)
    assert alone["f1"]["verdict"] == "correct"
    assert alone["f4"]["verdict"] == "correct"
    assert alone["f3"]["corrected_latex"].endswith(r"10^{-12} b^{[l]}")   # the false correction of the issue


def test_an_exponent_off_by_1e9_is_an_error_and_any_correction_holds(tmp_path):
    path = EXACT / "near_miss_tanh.md"
    results = check(path)
    assert results["f1"]["verdict"] == "error"
    assert_no_false_correction(path, results["f1"], tmp_path)
    assert results["f2"]["verdict"] == "correct"
    assert results["f3"]["verdict"] in ("correct", "notation") and results["f5"]["verdict"] in ("correct", "notation")
    for fid in ("f4", "f6"):   # a local factor 1 + 1e-10 off; a diagonal 1e-13 off
        assert results[fid]["verdict"] == "error" and shown_corrections(results[fid]) == [], results[fid]


def test_round_off_does_not_turn_right_formulas_wrong():
    results = check(EXACT / "round_off.md")
    assert {fid: r["verdict"] for fid, r in results.items()} == {f"f{k}": "correct" for k in range(1, 9)}


def test_exact_targets_and_penalty_and_kinks():
    results = check(EXACT / "softmax_l2.md")
    verdicts = {fid: r["verdict"] for fid, r in results.items()}
    assert verdicts == {"f1": "correct", "f2": "correct", "f3": "error", "f4": "correct", "f5": "correct"}
    assert shown_corrections(results["f3"]) == []


# ---- the model -------------------------------------------------------------------------------------------

def test_the_twin_is_the_float_model_at_60_digits():
    arch = get_architecture("d001-mlp-L-g")
    model = NumericModel(arch, 3, size_choices(arch, 3)[0], g="tanh", seed=0)
    twin = exact.twin(model)
    assert exact.CTX.dps == 60
    for key in ("X", "W1", "b2", "Y"):   # inputs: the same binary numbers, exactly
        assert all(complex(t) == complex(f) for t, f in zip(twin.values[key].reshape(-1), model.values[key].reshape(-1), strict=False))
    for key in ("Z3", "A3", "J"):        # computed: to float64's precision
        assert np.allclose(np.asarray(twin.values[key], dtype=complex), model.values[key], rtol=1e-13)
    grad = twin.grad("W2")               # complex step in 60 digits agrees with float64's
    assert grad.dtype == object
    assert np.allclose(np.asarray(grad, dtype=float), model.grad("W2"), rtol=1e-9, atol=1e-12)
    assert not exact.close(twin.values["W1"], twin.values["W1"] * (1 + exact.number(1e-30)))
    assert exact.close(twin.values["W1"], twin.values["W1"] * (1 + exact.number(1e-45)))


@pytest.mark.parametrize("arch_id", ["d002-cnn-sigmoid", "d002-cnn-multi-softmax", "d002-mlp-L-relu-softmax"])
def test_random_points_keep_away_from_kinks_and_ties(arch_id):
    arch = get_architecture(arch_id)
    depth = 4 if arch.general else arch.parameter_layers
    for seed, sizes in enumerate(size_choices(arch, depth)):
        model = NumericModel(arch, depth, sizes, seed=seed)
        assert not model.near_kink()
        numbered = [layer for layer in model.layers if layer.kind in ("dense", "conv")]
        relu = [k + 1 for k, layer in enumerate(numbered) if layer.activation == "relu"]
        assert relu
        for k in relu:
            assert np.min(np.abs(model.values[f"Z{k}"])) >= KINK_MARGIN
        twin = exact.twin(model)   # both arithmetics take the same branches: the same pooled maps, the same J
        for key in [k for k in model.values if k[0] in "PAJ"]:
            assert np.allclose(np.asarray(twin.values[key], dtype=complex), model.values[key], rtol=1e-12, atol=1e-14)
