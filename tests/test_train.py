"""Training with the generated gradients on scikit-learn's bundled real data (no downloads)."""
from __future__ import annotations

import numpy as np
import pytest

from gradaudit import GradauditError
from gradaudit.cli import main
from gradaudit.codegen.network import compile_for_data
from gradaudit.datasets import load
from gradaudit.train import fit


@pytest.fixture(scope="module")
def digits():
    return load("digits", seed=0)


def test_split_is_stratified_standardised_and_seeded(digits):
    again = load("digits", seed=0)
    np.testing.assert_array_equal(digits.y_test, again.y_test)
    np.testing.assert_allclose(digits.X_train.mean(axis=0), 0, atol=1e-9)
    assert digits.image == (8, 8) and digits.classes == 10
    counts = np.bincount(digits.y_test) / len(digits.y_test)
    np.testing.assert_allclose(counts, np.bincount(digits.y_train) / len(digits.y_train), atol=0.01)


def test_relu_softmax_mlp_reaches_95_percent_on_digits(digits):
    net = compile_for_data("d002-mlp-L-relu-softmax", digits, sizes=[64, 128, 64, 10])
    _, h = fit(net, digits, epochs=15, lr=0.05, batch_size=64, seed=0)
    assert h.test_acc[-1] >= 0.95, h.test_acc
    assert h.train_loss[-1] < h.train_loss[0]


def test_cnn_reaches_95_percent_on_digits(digits):
    """The CNN document's sigmoid network at 8x8 with 10 output units and 16 filters."""
    net = compile_for_data("d002-cnn-sigmoid", digits, sizes=[16, 10])
    assert net.image == (8, 8) and net.outputs == 10
    _, h = fit(net, digits, epochs=15, lr=0.05, batch_size=32, seed=0)
    assert h.test_acc[-1] >= 0.95, h.test_acc


def test_sigmoid_bce_network_reaches_95_percent_on_breast_cancer():
    data = load("breast_cancer", seed=0)
    net = compile_for_data("d002-mlp-L-relu-sigmoid", data, sizes=[30, 32, 16, 1])
    _, h = fit(net, data, epochs=30, lr=0.01, batch_size=32, seed=0)
    assert h.test_acc[-1] >= 0.95, h.test_acc


def test_archs_that_do_not_fit_a_data_set_say_so(digits):
    with pytest.raises(GradauditError, match="sigmoid output for two classes"):
        compile_for_data("d002-mlp2-relu-sigmoid", digits, sizes=[64, 16, 1])
    with pytest.raises(GradauditError, match="no images"):
        compile_for_data("d002-cnn-sigmoid", load("iris"))
    with pytest.raises(GradauditError, match="no parameters"):
        compile_for_data("activations", digits)
    with pytest.raises(GradauditError, match="must start with 64"):
        compile_for_data("d002-mlp-L-relu-softmax", digits, sizes=[30, 16, 10])


def test_train_command_prints_accuracy_and_saves_a_plot(tmp_path, capsys):
    png = tmp_path / "iris.png"
    code = main(["train", "d002-mlp-L-relu-softmax", "--dataset", "iris", "--epochs", "20", "--sizes", "4,16,3",
                 "--batch-size", "16", "--plot", str(png)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "test accuracy" in out and "epoch   20" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["train", "d000-mlp3-sigmoid", "--dataset", "digits", "--sizes", "64,8,8,1"]) == 2
