"""Checking a learner's own layer: right layers pass and agree with numnet's, each usual mistake is named."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from numnet.gradient import (
    LEARNER_TOLERANCE,
    TOLERANCE,
    LayerCheckError,
    check_layer,
    check_learner_layer,
    check_loss,
)
from numnet.layers import BatchNorm, Conv2D, Dense, Dropout, MaxPool2D, ReLU, Sigmoid, SoftmaxWithLoss
from numnet.learner import build_layer, counterpart_name, load_layer_class, suggest_input_shape

FIXTURES = Path(__file__).parent / "fixtures"
LAYERS_FILE = FIXTURES / "learner_layers.py"
sys.path.insert(0, str(FIXTURES))
import learner_layers as book  # noqa: E402 - the fixture folder is put on the path just above


def built(name: str, input_shape=None, seed: int = 0):
    return build_layer(getattr(book, name), input_shape, seed)


# ------------------------------------------------------------ right layers


@pytest.mark.parametrize(
    ("name", "input_shape", "counterpart"),
    [
        ("Affine", None, "Affine"),
        ("Relu", None, "ReLU"),
        ("Sigmoid", None, "Sigmoid"),
        ("SoftmaxWithLoss", None, "SoftmaxWithLoss"),
        ("Convolution", None, "Conv2D"),
        ("Convolution", (3, 1, 7, 5), "Conv2D"),
        ("Pooling", None, "MaxPool2D"),
        ("BatchNormalization", None, "BatchNorm"),
        ("BatchNormalization", (4, 2, 3, 3), "BatchNorm"),
        ("Dropout", None, "Dropout"),
    ],
)
def test_textbook_layers_pass_and_agree_with_numnet(name, input_shape, counterpart):
    layer, shape = built(name, input_shape)
    report = check_learner_layer(layer, input_shape=shape)
    assert report.ok, report
    assert report.mistakes == [] and max(report.errors.values()) < LEARNER_TOLERANCE
    assert report.counterpart is not None and counterpart in report.counterpart
    assert "output" in report.comparisons and "x" in report.comparisons
    limit = 1e-6 if name == "SoftmaxWithLoss" else 1e-12  # the book's loss adds 1e-7 inside its log
    for comparison in report.comparisons.values():
        assert comparison.error < limit, (name, comparison)
    assert "all gradients right" in str(report)


def test_parameters_are_found_by_their_gradient_attributes():
    layer, shape = built("Convolution")
    report = check_learner_layer(layer, input_shape=shape)
    assert list(report.gradients) == ["x", "W", "b"]
    assert report.convention == "W/b with dW/db"
    assert set(report.comparisons) == {"output", "x", "W", "b"}
    layer, shape = built("BatchNormalization")
    assert list(check_learner_layer(layer, input_shape=shape).gradients) == ["x", "gamma", "beta"]


def test_params_and_grads_lists_are_checked_too():
    rng = np.random.default_rng(1)
    report = check_learner_layer(book.TimeAffine(rng.standard_normal((4, 3)), rng.standard_normal(3)))
    assert report.ok, report
    assert report.convention == "params/grads lists"
    assert list(report.gradients) == ["x", "params[0]", "params[1]"]
    assert report.input_shape == (4, 4)  # suggested from W (4, 3)


def test_a_layer_numnet_has_no_counterpart_for_is_checked_alone():
    report = check_learner_layer(book.Tanh())
    assert report.ok and report.counterpart is None and report.comparisons == {}


@pytest.mark.parametrize(
    ("make", "x_shape"),
    [
        (lambda: Dense(5, 3, rng=0, dtype=np.float64), (4, 5)),
        (ReLU, (3, 4)),
        (Sigmoid, (2, 3, 4)),
        (lambda: Conv2D(2, 3, 3, stride=2, padding=1, rng=0, dtype=np.float64), (2, 2, 5, 5)),
        (lambda: MaxPool2D(2), (2, 3, 4, 4)),
        (lambda: BatchNorm(3, dtype=np.float64), (6, 3)),
        (lambda: BatchNorm(2, dtype=np.float64), (3, 2, 4, 4)),
        (lambda: Dropout(0.3, rng=5), (8, 10)),
        (SoftmaxWithLoss, (4, 6)),
    ],
)
def test_numnets_own_layers_pass_and_agree_with_themselves(make, x_shape):
    report = check_learner_layer(make(), input_shape=x_shape)
    assert report.ok, report
    assert report.counterpart is not None
    assert all(c.error < 1e-12 for c in report.comparisons.values()), report


def test_book_dropout_is_compared_under_its_own_mask_and_its_convention_is_named():
    layer, shape = built("Dropout")
    report = check_learner_layer(layer, input_shape=shape)
    assert any("kept values are not scaled" in note for note in report.notes)
    assert any(note.startswith("dropped ") and "far from it" not in note for note in report.notes)
    numnet_report = check_learner_layer(Dropout(0.5, rng=2), input_shape=shape)
    assert not any("not scaled" in note for note in numnet_report.notes)  # numnet's is inverted


def test_a_wrong_dropout_scale_differs_from_numnet():
    class HalfScaledDropout(book.Dropout):
        def forward(self, x, train_flg=True):
            return 0.5 * super().forward(x, train_flg)

        def backward(self, dout):
            return 0.5 * super().backward(dout)

    report = check_learner_layer(HalfScaledDropout(0.5), input_shape=(6, 10))
    assert report.gradients["x"].error < LEARNER_TOLERANCE  # consistent with its own forward ...
    assert report.comparisons["output"].error > 0.1 and not report.ok  # ... but neither dropout


# ------------------------------------------------------------ the usual mistakes


def test_backward_that_changes_dout_in_place():
    layer, shape = built("ReluInPlace")
    report = check_learner_layer(layer, input_shape=shape)
    assert report.mistake_kinds() == ["dout-in-place"]
    assert report.gradients["x"].error < LEARNER_TOLERANCE  # the gradient itself is right
    assert not report.ok and "dout[mask] = 0" in str(report)


def test_missing_division_by_the_batch_size():
    layer, _ = built("SoftmaxWithLossNoBatchDivision")
    report = check_learner_layer(layer, input_shape=(4, 5))
    assert report.mistake_kinds() == ["batch-size"]
    check = report.gradients["x"]
    assert check.error == pytest.approx(3 / 5)  # (4n - n) / (4|n| + |n|) everywhere
    assert check.analytic == pytest.approx(4 * check.numeric, rel=1e-5)
    assert "4 times too large: divide by the batch size N = 4" in str(report)
    assert report.comparisons["x"].error == pytest.approx(3 / 5)  # numnet's SoftmaxWithLoss disagrees too


@pytest.mark.parametrize("batch", [2, 7])
def test_the_batch_size_in_the_message_is_the_inputs(batch):
    layer, _ = built("SoftmaxWithLossNoBatchDivision")
    report = check_learner_layer(layer, input_shape=(batch, 3))
    assert report.mistakes[0].detail.startswith(f"dx is {batch} times too large")


def test_an_extra_division_by_the_batch_size():
    class DividesTwice(book.SoftmaxWithLoss):
        def backward(self, dout=1):
            return super().backward(dout) / len(self.t)

    report = check_learner_layer(DividesTwice(), input_shape=(5, 3))
    assert report.mistake_kinds() == ["batch-size"] and "once too often" in str(report)


def test_transposed_weight_gradient_of_the_wrong_shape():
    layer, shape = built("AffineTransposedGradient")
    report = check_learner_layer(layer, input_shape=shape)
    assert report.mistake_kinds() == ["transposed"]
    assert [check.name for check in report.wrong] == ["W"]
    assert "x.T @ dout" in report.mistakes[0].detail and "shape (3, 4), W has (4, 3)" in report.mistakes[0].detail


def test_transposed_weight_gradient_of_a_square_weight():
    rng = np.random.default_rng(4)
    layer = book.SquareAffineTransposedGradient(rng.standard_normal((4, 4)), rng.standard_normal(4))
    report = check_learner_layer(layer, input_shape=(3, 4))
    assert report.mistake_kinds() == ["transposed"]
    check = report.gradients["W"]
    assert check.index is not None and check.error > 0.1
    assert check.analytic == report.arrays["W"][check.index]  # "where": the worst element, with both values
    assert report.comparisons["W"].error > 0.1 and report.comparisons["x"].error < 1e-12


def test_convolution_gradient_reshaped_without_its_transpose():
    layer, shape = built("ConvolutionWithoutTranspose", (2, 2, 6, 6))
    report = check_learner_layer(layer, input_shape=shape)
    assert report.mistake_kinds() == ["transposed"]
    assert "(FN, C*FH*FW) before reshaping" in report.mistakes[0].detail
    assert report.counterpart is not None and "Conv2D" in report.counterpart  # a subclass of Convolution


def test_forward_that_keeps_no_cache_so_backward_fails():
    layer, shape = built("AffineWithoutCache")
    report = check_learner_layer(layer, input_shape=shape)
    assert report.mistake_kinds() == ["no-cache"]
    assert "self.x = x" in report.mistakes[0].detail and "NoneType" in report.mistakes[0].detail


def test_forward_that_keeps_a_stale_cache():
    layer, shape = built("SigmoidFirstCallCache")
    report = check_learner_layer(layer, input_shape=shape)
    assert report.mistake_kinds() == ["no-cache"]
    assert "earlier forward call" in report.mistakes[0].detail


def test_an_unknown_mistake_is_reported_without_a_name():
    class WrongSigmoid(book.Sigmoid):
        def backward(self, dout):
            return dout * self.out  # forgot (1 - out)

    report = check_learner_layer(WrongSigmoid(), input_shape=(3, 4))
    assert report.mistakes == [] and [check.name for check in report.wrong] == ["x"]
    assert "WRONG dx" in str(report)


def test_a_gradient_never_written():
    class ForgetsDb(book.Affine):
        def backward(self, dout):
            self.dW = self.x.T @ dout
            return dout @ self.W.T

    layer, shape = build_layer(ForgetsDb, None)
    report = check_learner_layer(layer, input_shape=shape)
    assert report.mistake_kinds() == ["missing-gradient"] and report.mistakes[0].gradient == "b"


# ------------------------------------------------------------ check_layer and check_loss


def test_check_layer_takes_the_books_conventions():
    rng = np.random.default_rng(0)
    errors = check_layer(book.Affine(rng.standard_normal((4, 3)), rng.standard_normal(3)), rng.standard_normal((2, 4)))
    assert set(errors) == {"x", "W", "b"} and max(errors.values()) < TOLERANCE
    errors = check_layer(
        book.TimeAffine(rng.standard_normal((4, 3)), rng.standard_normal(3)), rng.standard_normal((2, 4))
    )
    assert set(errors) == {"x", "params[0]", "params[1]"} and max(errors.values()) < TOLERANCE
    assert check_layer(book.Dropout(0.5), rng.standard_normal((5, 6)))["x"] < TOLERANCE  # one mask for every pass
    with pytest.raises(AssertionError, match="changes dout in place"):
        check_layer(book.ReluInPlace(), rng.standard_normal((3, 4)))


def test_check_layer_draws_one_dropout_mask_and_leaves_the_generators_as_they_were():
    layer = Dropout(0.5, rng=3)
    state = layer.rng.bit_generator.state
    global_state = np.random.get_state()[1].copy()  # noqa: NPY002
    x = np.random.default_rng(1).standard_normal((4, 5))
    assert check_layer(layer, x)["x"] < TOLERANCE
    check_layer(book.Dropout(0.5), x)
    assert layer.rng.bit_generator.state == state
    np.testing.assert_array_equal(np.random.get_state()[1], global_state)  # noqa: NPY002


def test_check_loss_takes_a_book_loss():
    scores = np.random.default_rng(2).standard_normal((3, 4)) * 0.3
    assert check_loss(book.SoftmaxWithLoss(), scores, np.array([0, 3, 1])) < LEARNER_TOLERANCE


def test_the_check_is_reproducible_and_the_seed_matters():
    layer, shape = built("Convolution")
    first = check_learner_layer(layer, input_shape=shape, seed=3)
    again = check_learner_layer(layer, input_shape=shape, seed=3)
    other = check_learner_layer(layer, input_shape=shape, seed=4)
    assert first.errors == again.errors and first.errors != other.errors
    np.testing.assert_array_equal(first.arrays["output"], again.arrays["output"])


# ------------------------------------------------------------ bad input


def test_errors_that_stop_the_check():
    with pytest.raises(LayerCheckError, match="NoBackward has no backward method"):
        check_learner_layer(book.NoBackward(), input_shape=(2, 3))
    layer, _ = built("Affine")  # W (4, 3)
    with pytest.raises(LayerCheckError, match=r"Affine.forward failed on an input of shape \(2, 5\): ValueError"):
        check_learner_layer(layer, input_shape=(2, 5))
    float32 = book.Affine(np.ones((4, 3), np.float32), np.zeros(3, np.float32))
    with pytest.raises(LayerCheckError, match="Affine.W is float32: the check needs float64"):
        check_learner_layer(float32, input_shape=(2, 4))
    with pytest.raises(LayerCheckError, match=r"scores of shape \(N, K\)"):
        check_learner_layer(book.SoftmaxWithLoss(), input_shape=(4,))


def test_loading_a_learners_file(tmp_path):
    assert load_layer_class(f"{LAYERS_FILE}:Affine").__name__ == "Affine"
    cases = [
        ("nothing-here.py:Affine", "no such file: nothing-here.py"),
        (f"{LAYERS_FILE}", "expected FILE.py:ClassName"),
        (f"{LAYERS_FILE}:Missing", "defines no Missing; it defines Affine, AffineTransposedGradient"),
        (f"{LAYERS_FILE}:not_a_class", "not_a_class in .* is a function, not a class"),
        (f"{LAYERS_FILE}:NoBackward", "NoBackward in .* has no backward method"),
    ]
    broken = tmp_path / "broken.py"
    broken.write_text("class Affine:\n    def forward(self, x)\n        return x\n")
    cases.append((f"{broken}:Affine", r"running .*broken.py raised SyntaxError \(line 2\)"))
    failing = tmp_path / "failing.py"
    failing.write_text("from common.functions import softmax\n")
    cases.append((f"{failing}:Affine", "raised ModuleNotFoundError: No module named 'common'"))
    for spec, message in cases:
        with pytest.raises(LayerCheckError, match=message):
            load_layer_class(spec)
    assert str(tmp_path) not in sys.path  # the file's folder is on the path only while it runs


def test_the_file_imports_its_neighbours(tmp_path):
    (tmp_path / "helpers.py").write_text("import numpy as np\n\ndef relu(x):\n    return np.maximum(x, 0)\n")
    (tmp_path / "mine.py").write_text(
        "from helpers import relu\n\nclass Relu:\n    def forward(self, x):\n        self.x = x\n"
        "        return relu(x)\n\n    def backward(self, dout):\n        return dout * (self.x > 0)\n"
    )
    layer, shape = build_layer(load_layer_class(f"{tmp_path / 'mine.py'}:Relu"))
    assert check_learner_layer(layer, input_shape=shape).ok


def test_building_a_layer_from_its_arguments():
    layer, shape = built("Convolution")
    assert layer.W.shape == (3, 2, 3, 3) and shape == (2, 2, 6, 6)
    layer, shape = built("Affine", (5, 7))
    assert layer.W.shape == (7, 3) and layer.b.shape == (3,) and shape == (5, 7)
    layer, shape = built("Affine", (2, 3, 4, 4))  # an Affine flattens images
    assert layer.W.shape == (48, 3)
    layer, shape = built("BatchNormalization", (4, 2, 3, 3))
    assert layer.gamma.shape == (18,)
    layer, shape = built("Pooling")
    assert (layer.pool_h, layer.pool_w) == (2, 2)
    with pytest.raises(LayerCheckError, match="cannot guess the argument 'vocabulary' of NeedsAName"):
        built("NeedsAName")
    with pytest.raises(LayerCheckError, match="input-shape must be positive"):
        built("Affine", (0, 4))


def test_counterparts_and_suggested_shapes():
    assert counterpart_name(book.Relu) == "ReLU" and counterpart_name(book.ConvolutionWithoutTranspose) == "Conv2D"
    assert counterpart_name(book.Tanh) is None
    assert suggest_input_shape(book.SoftmaxWithLoss()) == (4, 5)
    assert suggest_input_shape(book.Relu()) == (2, 3, 6, 6)
    assert suggest_input_shape(Conv2D(3, 4, 5, dtype=np.float64)) == (2, 3, 8, 8)
