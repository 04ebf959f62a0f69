"""Loss layers: gradients, hand-computed values, agreement with numnet.functions, dtypes, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from numnet import functions
from numnet.gradient import TOLERANCE, check_loss
from numnet.layers import LOSS_REGISTRY, MeanSquaredLoss, SigmoidWithLoss, SoftmaxWithLoss

SEEDS = [0, 1, 2]


def one_hot(labels: np.ndarray, k: int) -> np.ndarray:
    return np.eye(k)[labels]


# ------------------------------------------------------------ gradient checks


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n, k", [(1, 2), (4, 3), (6, 10)])
def test_softmax_with_loss_gradient_integer_and_one_hot_labels(seed, n, k):
    rng = np.random.default_rng(seed)
    x = 2 * rng.standard_normal((n, k))
    labels = rng.integers(0, k, size=n)
    assert check_loss(SoftmaxWithLoss(), x, labels) < TOLERANCE
    assert check_loss(SoftmaxWithLoss(), x, one_hot(labels, k)) < TOLERANCE


@pytest.mark.parametrize("seed", SEEDS)
def test_softmax_with_loss_gradient_soft_targets(seed):
    rng = np.random.default_rng(seed)
    targets = functions.softmax(rng.standard_normal((5, 4)))
    assert check_loss(SoftmaxWithLoss(), rng.standard_normal((5, 4)), targets) < TOLERANCE


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("x_shape, t_shape", [((5,), (5,)), ((5, 1), (5, 1)), ((5, 1), (5,)), ((3, 4), (3, 4))])
def test_sigmoid_with_loss_gradient(seed, x_shape, t_shape):
    rng = np.random.default_rng(seed)
    x = 2 * rng.standard_normal(x_shape)
    t = rng.integers(0, 2, size=t_shape)
    assert check_loss(SigmoidWithLoss(), x, t) < TOLERANCE
    assert check_loss(SigmoidWithLoss(), x, rng.uniform(0, 1, size=t_shape)) < TOLERANCE


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("x_shape, t_shape", [((6,), (6,)), ((4, 3), (4, 3)), ((4, 1), (4,)), ((2, 3, 2), (2, 3, 2))])
def test_mean_squared_loss_gradient(seed, x_shape, t_shape):
    rng = np.random.default_rng(seed)
    x, t = rng.standard_normal(x_shape), rng.standard_normal(t_shape)
    assert check_loss(MeanSquaredLoss(), x, t) < TOLERANCE


def test_backward_scales_with_dout():
    x, labels = np.random.default_rng(0).standard_normal((3, 4)), np.array([0, 3, 1])
    layer = SoftmaxWithLoss()
    layer.forward(x, labels)
    np.testing.assert_allclose(layer.backward(2.5), 2.5 * layer.backward(), rtol=1e-15)


# ------------------------------------------------------ hand-computed values


def test_softmax_with_loss_by_hand():
    layer = SoftmaxWithLoss()
    x = np.log(np.array([[1.0, 2.0, 3.0], [2.0, 1.0, 1.0]]))  # softmax rows (1/6, 1/3, 1/2), (1/2, 1/4, 1/4)
    loss = layer.forward(x, np.array([2, 1]))
    assert loss == pytest.approx((math.log(2) + math.log(4)) / 2, rel=1e-14)
    expected = np.array([[1 / 6, 1 / 3, 1 / 2 - 1], [1 / 2, 1 / 4 - 1, 1 / 4]]) / 2
    np.testing.assert_allclose(layer.backward(), expected, rtol=1e-13)
    np.testing.assert_allclose(layer.output(x), [[1 / 6, 1 / 3, 1 / 2], [1 / 2, 1 / 4, 1 / 4]], rtol=1e-14)


def test_softmax_with_loss_one_hot_equals_integer_labels():
    x = np.random.default_rng(3).standard_normal((6, 5))
    labels = np.array([0, 4, 2, 2, 1, 3])
    by_label, by_one_hot = SoftmaxWithLoss(), SoftmaxWithLoss()
    assert by_label.forward(x, labels) == pytest.approx(by_one_hot.forward(x, one_hot(labels, 5)), rel=1e-14)
    np.testing.assert_allclose(by_label.backward(), by_one_hot.backward(), rtol=1e-14, atol=1e-17)


def test_softmax_with_loss_is_exact_at_huge_scores():
    layer = SoftmaxWithLoss()
    x = np.array([[1000.0, 0.0], [0.0, 1000.0]], dtype=np.float32)
    assert layer.forward(x, np.array([1, 1])) == pytest.approx(500.0)  # (1000 + 0) / 2
    np.testing.assert_allclose(layer.backward(), [[0.5, -0.5], [0.0, 0.0]])


@pytest.mark.parametrize("seed", SEEDS)
def test_softmax_with_loss_matches_functions_cross_entropy(seed):
    rng = np.random.default_rng(seed)
    x, labels = rng.standard_normal((8, 5)), rng.integers(0, 5, size=8)
    y = functions.softmax(x)
    loss = SoftmaxWithLoss().forward(x, labels)
    # the textbook function adds 1e-7 inside the log: -log(p + 1e-7) = -log p - 1e-7 / p + O(1e-14 / p^2)
    bias = np.mean(1e-7 / y[np.arange(8), labels])
    assert functions.cross_entropy_error(y, labels) == pytest.approx(loss - bias, rel=1e-9)
    assert functions.cross_entropy_error(y, one_hot(labels, 5)) == pytest.approx(loss - bias, rel=1e-9)


def test_sigmoid_with_loss_by_hand():
    layer = SigmoidWithLoss()
    x = np.array([[0.0], [math.log(3)]])  # sigmoid 1/2 and 3/4
    loss = layer.forward(x, np.array([1, 0]))
    assert loss == pytest.approx((math.log(2) - math.log(1 / 4)) / 2, rel=1e-14)
    dx = layer.backward()
    assert dx.shape == (2, 1)
    np.testing.assert_allclose(dx, [[(0.5 - 1) / 2], [0.75 / 2]], rtol=1e-14)
    np.testing.assert_allclose(layer.output(x), [[0.5], [0.75]], rtol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_with_loss_at_extreme_logits(dtype):
    layer = SigmoidWithLoss()
    x = np.array([1000.0, -1000.0, 1000.0, -1000.0], dtype=dtype)
    # right with certainty costs 0, wrong with certainty costs |x| = 1000
    loss = layer.forward(x, np.array([1, 0, 0, 1]))
    assert math.isfinite(loss) and loss == pytest.approx(500.0)
    np.testing.assert_array_equal(layer.backward(), np.array([0.0, 0.0, 1.0, -1.0], dtype=dtype) / 4)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_with_loss_caches_exactly_functions_sigmoid(dtype):
    """The loss shares exp(-|x|) between its value and the sigmoid: the same bits as functions.sigmoid."""
    x = np.concatenate([np.random.default_rng(0).normal(0, 5, 50), [0.0, -0.0, 40.0, -40.0, 800.0, -800.0]])
    x = x.astype(dtype)
    layer = SigmoidWithLoss()
    layer.forward(x, (x > 1).astype(int))
    np.testing.assert_array_equal(layer.y, functions.sigmoid(x))
    assert layer.y.dtype == dtype


@pytest.mark.parametrize("seed", SEEDS)
def test_sigmoid_with_loss_matches_functions_binary_cross_entropy(seed):
    rng = np.random.default_rng(seed)
    x, t = 2 * rng.standard_normal(10), rng.integers(0, 2, size=10)
    expected = functions.binary_cross_entropy(functions.sigmoid(x), t)
    assert SigmoidWithLoss().forward(x, t) == pytest.approx(expected, rel=1e-12)


def test_mean_squared_loss_by_hand():
    layer = MeanSquaredLoss()
    x, t = np.array([[1.0, 2.0], [3.0, 4.0]]), np.ones((2, 2))
    assert layer.forward(x, t) == pytest.approx((0 + 1 + 4 + 9) / 4, rel=1e-15)
    np.testing.assert_allclose(layer.backward(), [[0.0, 0.5], [1.0, 1.5]], rtol=1e-15)
    assert layer.output(x) is x
    assert layer.forward(x, t) == pytest.approx(functions.mean_squared_error(x, t), rel=1e-15)


# --------------------------------------------------------------------- dtypes


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "layer, t",
    [
        (SoftmaxWithLoss(), np.array([0, 2, 1])),
        (SoftmaxWithLoss(), np.eye(3)),
        (SigmoidWithLoss(), np.array([[1, 0, 1], [0, 0, 1], [1, 1, 0]])),
        (MeanSquaredLoss(), np.ones((3, 3))),
    ],
)
def test_losses_keep_the_input_dtype(layer, t, dtype):
    x = np.random.default_rng(0).standard_normal((3, 3)).astype(dtype)
    assert isinstance(layer.forward(x, t), float)
    assert layer.backward().dtype == dtype
    assert layer.backward(np.float64(2.0)).dtype == dtype
    assert layer.output(x).dtype == dtype


# ------------------------------------------------------------------ bad input


def test_labels_out_of_range_name_t_and_the_layer_before_any_change():
    layer = SoftmaxWithLoss()
    x = np.zeros((3, 4))
    layer.forward(x, np.array([0, 1, 2]))
    y, t = layer.y, layer.t
    for bad, words in [
        (np.array([0, 4, 1]), r"t holds label 4 at index \(1,\); expected class ids in \[0, 4\)"),
        (np.array([-1, 0, 1]), "t holds label -1 at index"),
        (np.array([0, 1]), r"t must be integer labels of shape \(3,\)"),
        (np.zeros((3, 5)), r"\(3, 4\)"),
        (np.array([0.5, 1.0, 2.0]), "non-integer"),
    ]:
        with pytest.raises(ValueError, match=words) as error:
            layer.forward(x, bad)
        assert "SoftmaxWithLoss" in str(error.value)
    assert layer.y is y and layer.t is t


def test_softmax_with_loss_refuses_non_numeric_labels():
    with pytest.raises(TypeError, match="SoftmaxWithLoss.*t"):
        SoftmaxWithLoss().forward(np.zeros((2, 3)), np.array(["a", "b"]))


@pytest.mark.parametrize(
    ("x", "words"),
    [
        (np.zeros(3), r"scores must have shape \(N, \.\.\., K\)"),
        (np.zeros((0, 3)), "scores must be a batch of at least one sample"),
        (np.zeros((2, 3, 4)), r"t must be integer labels of shape \(2, 3\) or one-hot of shape \(2, 3, 4\)"),
    ],
)
def test_softmax_with_loss_wants_scores_with_a_class_axis_and_labels_of_their_leading_shape(x, words):
    with pytest.raises(ValueError, match=rf"SoftmaxWithLoss.*{words}"):
        SoftmaxWithLoss().forward(x, np.zeros(len(x), dtype=int))


@pytest.mark.parametrize("layer", [SigmoidWithLoss(), MeanSquaredLoss()])
@pytest.mark.parametrize("t", [np.zeros(4), np.zeros((3, 2)), np.zeros((3, 1, 1))])
def test_targets_must_match_x(layer, t):
    with pytest.raises(ValueError, match=rf"{type(layer).__name__}.*t must have shape \(3, 1\) or \(3,\)"):
        layer.forward(np.zeros((3, 1)), t)
    assert getattr(layer, "y", None) is None and getattr(layer, "diff", None) is None


@pytest.mark.parametrize(
    ("t", "words"),
    [
        (np.array([0.0, 1.5]), r"t must hold targets in \[0, 1\], got 1.5 at flat index 1"),
        (np.array([-0.1, 1.0]), r"t must hold targets in \[0, 1\], got -0.1 at flat index 0"),
        (np.array([np.nan, 1.0]), "t must be finite, got nan at flat index 0"),
    ],
)
def test_sigmoid_with_loss_targets_must_lie_in_0_1(t, words):
    layer = SigmoidWithLoss()
    with pytest.raises(ValueError, match=rf"SigmoidWithLoss.*{words}"):
        layer.forward(np.zeros(2), t)
    assert layer.y is None and layer.t is None


@pytest.mark.parametrize("layer", [SoftmaxWithLoss(), SigmoidWithLoss(), MeanSquaredLoss()])
def test_loss_backward_before_forward_is_an_error(layer):
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward()


def test_loss_backward_wants_a_scalar_dout():
    layer = MeanSquaredLoss()
    layer.forward(np.zeros(3), np.ones(3))
    with pytest.raises(ValueError, match=r"dout must be a scalar \(the loss is one number\), got shape \(3,\)"):
        layer.backward(np.ones(3))


@pytest.mark.parametrize("name", ["SoftmaxWithLoss", "SigmoidWithLoss", "MeanSquaredLoss"])
def test_losses_rebuild_from_config(name):
    loss = LOSS_REGISTRY[name]()
    assert loss.get_config() == {}
    assert type(LOSS_REGISTRY[name].from_config(loss.get_config())) is type(loss)
