"""The IPython extension run in a real InteractiveShell, and audit_text's HTML in any notebook."""
from __future__ import annotations

import pytest

import gradaudit

IPython = pytest.importorskip("IPython")
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402
from IPython.utils.capture import capture_output  # noqa: E402


@pytest.fixture(scope="module")
def shell():
    sh = InteractiveShell.instance()
    sh.run_cell("%load_ext gradaudit", store_history=False)
    yield sh
    InteractiveShell.clear_instance()


def run(shell, cell: str):
    with capture_output() as cap:
        result = shell.run_cell(cell, store_history=False)
    return result, cap


def test_the_cell_magic_shows_each_verdict_as_html(shell):
    result, cap = run(shell, "%gradaudit network architecture: d001-mlp-L-g; shorthand: per-example")
    assert result.success and "network d001-mlp-L-g" in cap.stdout
    result, cap = run(shell, "%%audit\ndZ^{[L]} = A^{[L]} - Y\ndZ^{[L]} = Y - A^{[L]}\n")
    assert result.success, result.error_in_exec
    (output,) = cap.outputs
    page = output.data["text/html"]
    first, second = page.split('<div class="gradaudit-result">')[1:]
    assert '<b style="color:#1a7f37">correct</b>' in first and "$dZ^{[L]} = A^{[L]} - Y$" in first
    assert '<b style="color:#cf222e">error</b>' in second and "<b>sign</b>: " in second
    assert '<span class="gradaudit-corrected">$$dZ^{[L]} = A^{[L]} - Y$$</span>' in second


def test_a_cell_of_display_blocks_is_audited_per_block(shell):
    run(shell, "%%gradaudit network\narchitecture: d001-mlp-L-g\nshorthand: per-example")
    result, cap = run(shell, "%%audit\nThe output layer:\n$$dW^{[L]} = \\frac{1}{m} dZ^{[L]}\n A^{[L]T}$$\n")
    page = cap.outputs[0].data["text/html"]
    assert page.count('class="gradaudit-result"') == 1 and "<b>index</b>" in page, page


@pytest.mark.parametrize("cell,message", [
    ("%gradaudit network architecture: resnet-152", "unknown architecture 'resnet-152'"),
    ("%gradaudit networks d001-mlp-L-g", "usage: %gradaudit network"),
    ("%audit x = y", "cell magic"),
])
def test_a_bad_spec_is_one_line_not_a_traceback(shell, cell, message):
    result, cap = run(shell, cell)
    assert not result.success and message in str(result.error_in_exec), result.error_in_exec
    assert "Traceback" not in cap.stdout + cap.stderr


def test_audit_text_results_display_the_same_way_outside_the_magic():
    results = gradaudit.audit_text("dZ^{[L]} = Y - A^{[L]}", network="architecture: d001-mlp-L-g\nshorthand: per-example")
    assert [r.verdict for r in results] == ["error"]
    assert '<b style="color:#cf222e">error</b>' in results._repr_html_() and "sign" in repr(results)
    with pytest.raises(gradaudit.GradauditError, match="name the network .* no forward pass is written"):
        gradaudit.audit_text("x = y")


def test_audit_text_without_a_network_infers_it_from_the_text():
    results = gradaudit.audit_text("$$z = w^T x + b$$\n$$a = \\sigma(z)$$\n"
                                   "$$\\mathcal{L}(a, y) = -(y \\log a + (1 - y)\\log(1 - a))$$\n$$dz = a - y$$\n"
                                   "$$dz = y - a$$")
    assert [r.verdict for r in results] == ["correct", "correct", "correct", "correct", "error"]


def test_the_network_magic_takes_a_yaml_network_spec_from_its_cell(shell):
    result, cap = run(shell, "%%gradaudit network\nnetwork:\n  layers: [tanh, sigmoid]\n  loss: bce\n"
                             "  averaging: mean\n  convention: column\n")
    assert result.success, result.error_in_exec
    result, cap = run(shell, "%%audit\n\\frac{\\partial J}{\\partial Z^{[2]}} = \\frac{1}{m} (Y - A^{[2]})\n")
    assert '<b style="color:#cf222e">error</b>' in cap.outputs[0].data["text/html"]
