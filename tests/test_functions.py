"""numnet.functions against values worked out by hand.

Expected values come from the definitions (e.g. softmax of (0, ln 2, ln 5) is
(1, 2, 5) / 8), never from the implementation. Warnings are errors, so the
extreme-input tests also prove that nothing overflows or divides by zero.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from numnet.functions import (
    binary_cross_entropy,
    cross_entropy_error,
    identity_function,
    image2vector,
    l1_loss,
    l2_loss,
    log_softmax,
    mean_squared_error,
    normalize_rows,
    relu,
    relu_derivative,
    sigmoid,
    sigmoid_derivative,
    softmax,
    step_function,
    sum_squares_error,
    tanh,
)

pytestmark = pytest.mark.filterwarnings("error")

FLOAT_DTYPES = [np.float32, np.float64]
LN2, LN3, LN5 = math.log(2), math.log(3), math.log(5)
#: -log(1e-7): the loss of a prediction of exactly 0 for the true class.
LOG_DELTA_LOSS = 7 * math.log(10)
FAST = settings(max_examples=40, deadline=None)


def tolerance(dtype) -> dict[str, float]:
    """A few units in the last place of ``dtype``."""
    eps = float(np.finfo(dtype).eps)
    return {"rtol": 4 * eps, "atol": 4 * eps}


def check(actual, expected, dtype) -> None:
    """``actual`` is an array of ``dtype`` equal to ``expected`` to rounding."""
    assert np.asarray(actual).dtype == dtype
    np.testing.assert_allclose(np.asarray(actual, dtype=np.float64), expected, **tolerance(dtype))


def finite_arrays(shape_strategy, low=-1e3, high=1e3):
    return hnp.arrays(np.float64, shape_strategy, elements=st.floats(low, high))


# --------------------------------------------------------------- step_function


def test_step_function_scalars_give_integers():
    for x, expected in [(2.5, 1), (1e-300, 1), (0.0, 0), (-0.0, 0), (-3.0, 0), (7, 1)]:
        out = step_function(x)
        assert isinstance(out, np.integer) and out == expected


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_step_function_arrays(dtype):
    x = np.array([[-1.0, 0.0, 0.5], [2.0, -0.25, 1000.0]], dtype=dtype)
    out = step_function(x)
    assert out.dtype.kind == "i"
    np.testing.assert_array_equal(out, [[0, 0, 1], [1, 0, 1]])
    np.testing.assert_array_equal(step_function(x[0]), [0, 0, 1])


# -------------------------------------------------------------------- sigmoid


def test_sigmoid_scalar_in_float_out():
    assert isinstance(sigmoid(0.0), float) and sigmoid(0.0) == 0.5
    assert isinstance(sigmoid(0), float) and sigmoid(0) == 0.5
    assert sigmoid(np.float32(0)).dtype == np.float32


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_sigmoid_hand_values(dtype):
    # e^{-ln 3} = 1/3, so sigmoid(ln 3) = 1 / (1 + 1/3) = 3/4, sigmoid(-ln 3) = 1/4.
    x = np.array([[0.0, LN3], [-LN3, LN2]], dtype=dtype)
    check(sigmoid(x), [[0.5, 0.75], [0.25, 2 / 3]], dtype)
    check(sigmoid(x[0]), [0.5, 0.75], dtype)


@pytest.mark.parametrize("x", [-30.0, -5.5, -1.0, -1e-3, 0.3, 2.0, 17.0, 30.0])
def test_sigmoid_exact_to_rounding_for_moderate_x(x):
    exact = 1 / (1 + math.exp(-x))
    assert sigmoid(x) == pytest.approx(exact, rel=2 * float(np.finfo(np.float64).eps), abs=0)
    assert sigmoid(np.float32(x)) == pytest.approx(exact, rel=4 * float(np.finfo(np.float32).eps), abs=0)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_sigmoid_extremes_do_not_overflow(dtype):
    # 1000 overflows exp in both dtypes, 100 overflows it in float32.
    out = sigmoid(np.array([-1000.0, -100.0, 100.0, 1000.0], dtype=dtype))
    assert out.dtype == dtype
    assert out[0] == 0.0 and out[-1] == 1.0
    assert 0.0 <= out[1] < 1e-43 and out[2] == 1.0
    assert sigmoid(1000.0) == 1.0 and sigmoid(-1000.0) == 0.0


@FAST
@given(
    x=hnp.arrays(
        np.float64, hnp.array_shapes(max_dims=2, max_side=5), elements=st.floats(allow_nan=False, allow_infinity=False)
    )
)
def test_sigmoid_symmetry(x):
    np.testing.assert_allclose(sigmoid(-x), 1 - sigmoid(x), rtol=0, atol=2e-16)


@FAST
@given(x=hnp.arrays(np.float32, hnp.array_shapes(max_dims=2, max_side=5), elements=st.floats(-1e4, 1e4, width=32)))
def test_sigmoid_symmetry_float32(x):
    out = sigmoid(-x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, 1 - sigmoid(x), rtol=0, atol=1.2e-7)


# ---------------------------------------------------------- sigmoid_derivative


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_sigmoid_derivative_hand_values(dtype):
    # s(ln 3) = 3/4 so s' = 3/4 * 1/4 = 3/16; s' is even.
    x = np.array([[0.0, LN3], [-LN3, 1000.0]], dtype=dtype)
    check(sigmoid_derivative(x), [[0.25, 3 / 16], [3 / 16, 0.0]], dtype)
    assert sigmoid_derivative(-1000.0) == 0.0
    assert isinstance(sigmoid_derivative(0.0), float) and sigmoid_derivative(0.0) == 0.25


@pytest.mark.parametrize("x", [-4.0, -0.7, 0.0, 0.2, 3.0])
def test_sigmoid_derivative_is_the_slope_of_sigmoid(x):
    h = 1e-5
    slope = (1 / (1 + math.exp(-(x + h))) - 1 / (1 + math.exp(-(x - h)))) / (2 * h)
    assert sigmoid_derivative(x) == pytest.approx(slope, abs=1e-9)


# ------------------------------------------------------------ relu, tanh, id


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_relu_and_derivative(dtype):
    x = np.array([[-2.0, 0.0, 3.5], [1e-30, -1e30, 7.0]], dtype=dtype)
    check(relu(x), [[0.0, 0.0, 3.5], [1e-30, 0.0, 7.0]], dtype)
    check(relu_derivative(x), [[0.0, 0.0, 1.0], [1.0, 0.0, 1.0]], dtype)
    check(relu(x[0]), [0.0, 0.0, 3.5], dtype)
    assert relu(-1.5) == 0.0 and relu(2.5) == 2.5 and isinstance(relu(2.5), float)
    assert relu_derivative(-1.0) == 0.0 and relu_derivative(0.0) == 0.0 and relu_derivative(4.0) == 1.0


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_tanh_hand_values(dtype):
    # tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 0.6
    x = np.array([[0.0, LN2], [-LN2, 1000.0], [-1000.0, 20.0]], dtype=dtype)
    check(tanh(x), [[0.0, 0.6], [-0.6, 1.0], [-1.0, 1.0]], dtype)
    assert tanh(LN2) == pytest.approx(0.6, rel=1e-15) and isinstance(tanh(LN2), float)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_identity_function(dtype):
    x = np.array([[-2.0, 0.0], [3.5, 1e30]], dtype=dtype)
    out = identity_function(x)
    assert out.dtype == dtype
    np.testing.assert_array_equal(out, x)
    assert identity_function(-1.25) == -1.25
    np.testing.assert_array_equal(identity_function([1, 2]), [1.0, 2.0])


# ------------------------------------------------------------------- softmax


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_softmax_hand_values(dtype):
    # exp(0), exp(ln 2), exp(ln 5) = 1, 2, 5; they sum to 8.
    check(softmax(np.array([0.0, LN2, LN5], dtype=dtype)), [1 / 8, 2 / 8, 5 / 8], dtype)
    x = np.array([[0.0, LN3], [LN2, LN2]], dtype=dtype)
    check(softmax(x), [[0.25, 0.75], [0.5, 0.5]], dtype)
    check(softmax(x.T, axis=0), [[0.25, 0.5], [0.75, 0.5]], dtype)


def test_softmax_along_any_axis_of_3d():
    x = np.zeros((2, 3, 4))
    x[:, 1, :] = LN2  # along axis 1: exp = (1, 2, 1), sum 4
    expected = np.broadcast_to(np.array([0.25, 0.5, 0.25])[None, :, None], x.shape)
    np.testing.assert_allclose(softmax(x, axis=1), expected, rtol=1e-15)
    np.testing.assert_allclose(softmax(x, axis=-1), np.full(x.shape, 0.25), rtol=1e-15)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_softmax_huge_logits(dtype):
    out = softmax(np.array([[1e4, 0.0, -1e4], [1e4, 1e4, 1e4]], dtype=dtype))
    check(out, [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]], dtype)
    # differences are what matter: (1e4, 1e4 - ln 3) behaves like (ln 3, 0)
    np.testing.assert_allclose(softmax(np.array([1e4, 1e4 - LN3])), [0.75, 0.25], rtol=1e-12)


row_batches = finite_arrays(hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=6), -1e4, 1e4)


@FAST
@given(x=row_batches)
def test_softmax_rows_are_distributions(x):
    out = softmax(x)
    assert np.all(out >= 0) and np.all(out <= 1)
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, rtol=1e-12)


@FAST
@given(x=finite_arrays(hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=6)), shift=st.floats(-1e3, 1e3))
def test_softmax_is_shift_invariant(x, shift):
    np.testing.assert_allclose(softmax(x + shift), softmax(x), rtol=1e-9, atol=1e-12)
    row_shifts = np.linspace(-shift, shift, x.shape[0])[:, None]
    np.testing.assert_allclose(softmax(x + row_shifts), softmax(x), rtol=1e-9, atol=1e-12)


# --------------------------------------------------------------- log_softmax


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_log_softmax_hand_values(dtype):
    ln8 = math.log(8)
    check(log_softmax(np.array([0.0, LN2, LN5], dtype=dtype)), [-ln8, LN2 - ln8, LN5 - ln8], dtype)
    x = np.array([[0.0, LN3], [LN2, LN2]], dtype=dtype)
    check(log_softmax(x), np.log([[0.25, 0.75], [0.5, 0.5]]), dtype)
    check(log_softmax(x.T, axis=0), np.log([[0.25, 0.5], [0.75, 0.5]]), dtype)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_log_softmax_huge_logits(dtype):
    # log softmax = x - max - log(sum exp(x - max)); the sum is 1 + exp(-1e4) (= 1) or 1 + 2e^{-2e4}.
    out = log_softmax(np.array([[1e4, 0.0], [-1e4, 1e4]], dtype=dtype))
    check(out, [[0.0, -1e4], [-2e4, 0.0]], dtype)


@FAST
@given(x=finite_arrays(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), -50, 50))
def test_log_softmax_is_log_of_softmax(x):
    for axis in range(-1, -x.ndim - 1, -1):
        np.testing.assert_allclose(log_softmax(x, axis=axis), np.log(softmax(x, axis=axis)), rtol=1e-12, atol=1e-12)


# ----------------------------------------------------------- squared errors

# The textbook's example: the network says class 2 with probability 0.6.
TEXTBOOK_Y = [0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0]
TEXTBOOK_T = [0, 0, 1, 0, 0, 0, 0, 0, 0, 0]


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_sum_squares_error(dtype):
    # 0.5 * (3 * 0.1^2 + 2 * 0.05^2 + 0.4^2) = 0.5 * 0.195
    y = np.array(TEXTBOOK_Y, dtype=dtype)
    assert sum_squares_error(y, np.array(TEXTBOOK_T, dtype=dtype)) == pytest.approx(0.0975, rel=1e-6)
    assert sum_squares_error(3.0, 1.0) == 2.0
    assert sum_squares_error(np.array([[1.0, 2.0], [3.0, 4.0]], dtype=dtype), np.zeros((2, 2))) == 15.0


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_mean_squared_error(dtype):
    assert mean_squared_error(np.array([[1.0, 2.0], [3.0, 4.0]], dtype=dtype), np.zeros((2, 2))) == 7.5
    assert mean_squared_error(np.array([1.0, -1.0, 0.5], dtype=dtype), [0.0, 1.0, 0.5]) == pytest.approx(5 / 3)
    assert mean_squared_error(3.0, 1.0) == 4.0


@pytest.mark.parametrize("loss", [sum_squares_error, mean_squared_error])
def test_squared_errors_reject_mismatched_shapes(loss):
    with pytest.raises(ValueError, match=r"y and t must have the same shape.*\(2,\).*\(3,\)"):
        loss(np.zeros(2), np.zeros(3))


# ------------------------------------------------------------- cross-entropy


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_cross_entropy_single_sample(dtype):
    y = np.array(TEXTBOOK_Y, dtype=dtype)
    expected = -math.log(0.6 + 1e-7)  # ~0.5108, the textbook's value
    assert cross_entropy_error(y, np.array(TEXTBOOK_T)) == pytest.approx(expected, rel=1e-6)
    assert cross_entropy_error(y, 2) == pytest.approx(expected, rel=1e-6)
    assert cross_entropy_error(y, np.int64(2)) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_cross_entropy_batch_is_averaged(dtype):
    y = np.array([[0.2, 0.8], [0.5, 0.5], [0.9, 0.1]], dtype=dtype)
    expected = -(math.log(0.8 + 1e-7) + math.log(0.5 + 1e-7) + math.log(0.9 + 1e-7)) / 3
    labels = np.array([1, 0, 0])
    assert cross_entropy_error(y, labels) == pytest.approx(expected, rel=1e-6)
    assert cross_entropy_error(y, np.eye(2)[labels]) == pytest.approx(expected, rel=1e-6)
    assert cross_entropy_error(y, labels.astype(np.float64)) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_cross_entropy_of_a_zero_probability_is_finite(dtype):
    y = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=dtype)
    # one sample certain and right (-log(1 + 1e-7) ~ -1e-7), one certain and wrong
    expected = (LOG_DELTA_LOSS - math.log(1 + 1e-7)) / 2
    assert cross_entropy_error(y, [1, 1]) == pytest.approx(expected, rel=1e-6)


def test_cross_entropy_rejects_labels_out_of_range():
    y = np.full((2, 3), 1 / 3)
    with pytest.raises(ValueError, match=r"t holds labels in \[0, 3\]; expected class ids in \[0, 3\)"):
        cross_entropy_error(y, [0, 3])
    with pytest.raises(ValueError, match=r"t holds labels in \[-1, 2\].*\[0, 3\)"):
        cross_entropy_error(y, [-1, 2])
    with pytest.raises(ValueError, match=r"t holds labels.*\[0, 3\)"):
        cross_entropy_error(y[0], 5)


def test_cross_entropy_rejects_labels_of_the_wrong_length():
    y = np.full((2, 3), 1 / 3)
    expected = "t must be integer labels of shape (2,) or one-hot of shape (2, 3), got shape (3,)"
    with pytest.raises(ValueError, match=re.escape(expected)):
        cross_entropy_error(y, [0, 1, 2])
    with pytest.raises(ValueError, match=r"t must be integer labels of shape \(2,\).*got shape \(2, 2\)"):
        cross_entropy_error(y, np.eye(2))


def test_cross_entropy_rejects_non_integer_labels():
    with pytest.raises(ValueError, match=r"t holds non-integer labels; expected class ids in \[0, 3\)"):
        cross_entropy_error(np.full((2, 3), 1 / 3), [0.5, 1.0])
    with pytest.raises(ValueError, match=r"t holds non-integer labels"):
        cross_entropy_error(np.full((2, 3), 1 / 3), [np.nan, 1.0])


def test_cross_entropy_rejects_bad_types_and_shapes():
    with pytest.raises(TypeError, match=r"t must be integer labels or one-hot targets, got dtype <U"):
        cross_entropy_error(np.full((2, 3), 1 / 3), ["a", "b"])
    with pytest.raises(TypeError, match=r"y must be a numeric"):
        cross_entropy_error(["a", "b"], 0)
    with pytest.raises(ValueError, match=r"y must have shape \(K,\) or \(N, K\), got \(2, 2, 2\)"):
        cross_entropy_error(np.full((2, 2, 2), 0.5), [0, 1])


# ------------------------------------------------------ binary cross-entropy


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_binary_cross_entropy_hand_values(dtype):
    y_hat = np.array([0.9, 0.2], dtype=dtype)
    expected = -(math.log(0.9) + math.log(0.8)) / 2
    assert binary_cross_entropy(y_hat, np.array([1.0, 0.0], dtype=dtype)) == pytest.approx(expected, rel=1e-6)
    y_hat_2d = np.array([[0.5, 0.75], [0.25, 0.5]], dtype=dtype)
    y_2d = np.array([[1, 1], [1, 0]])
    expected_2d = -(math.log(0.5) + math.log(0.75) + math.log(0.25) + math.log(0.5)) / 4
    assert binary_cross_entropy(y_hat_2d, y_2d) == pytest.approx(expected_2d, rel=1e-6)
    assert binary_cross_entropy(0.5, 1) == pytest.approx(LN2, rel=1e-12)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_binary_cross_entropy_safe_at_zero_and_one(dtype):
    right = binary_cross_entropy(np.array([0.0, 1.0], dtype=dtype), np.array([0.0, 1.0], dtype=dtype))
    assert 0.0 <= right < 1e-6
    wrong = binary_cross_entropy(np.array([0.0, 1.0], dtype=dtype), np.array([1.0, 0.0], dtype=dtype))
    assert math.isfinite(wrong)
    if dtype == np.float64:  # clipped to 1e-7: -log(1e-7) for each sample
        assert wrong == pytest.approx(LOG_DELTA_LOSS, rel=1e-6)
    else:  # float32 rounds the clip bounds, still about 16
        assert wrong == pytest.approx(LOG_DELTA_LOSS, rel=2e-2)


def test_binary_cross_entropy_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"y_hat and y must have the same shape, got \(3,\) and \(2,\)"):
        binary_cross_entropy(np.full(3, 0.5), [0, 1])


# --------------------------------------------------------------- L1 and L2


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_l1_and_l2_losses(dtype):
    y_hat = np.array([0.9, 0.2, 0.1, 0.4, 0.9], dtype=dtype)
    y = np.array([1, 0, 0, 1, 1], dtype=dtype)
    # |y - y_hat| = 0.1, 0.2, 0.1, 0.6, 0.1; squared: 0.01, 0.04, 0.01, 0.36, 0.01
    assert l1_loss(y_hat, y) == pytest.approx(1.1, rel=1e-6)
    assert l2_loss(y_hat, y) == pytest.approx(0.43, rel=1e-6)
    assert l1_loss(y_hat, y).dtype == dtype and l2_loss(y_hat, y).dtype == dtype
    batch_hat = np.array([[1.0, 2.0], [0.5, -1.0]], dtype=dtype)
    batch_y = np.array([[0.0, 4.0], [0.5, 2.0]], dtype=dtype)
    check(l1_loss(batch_hat, batch_y), [3.0, 3.0], dtype)  # sums over the last axis
    check(l2_loss(batch_hat, batch_y), [5.0, 9.0], dtype)


@pytest.mark.parametrize("loss", [l1_loss, l2_loss])
def test_l1_l2_reject_mismatched_shapes(loss):
    with pytest.raises(ValueError, match=r"y_hat and y must have the same shape"):
        loss(np.zeros((2, 3)), np.zeros((3, 2)))


# -------------------------------------------------------------- image2vector


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_image2vector(dtype):
    image = np.arange(18, dtype=dtype).reshape(3, 3, 2)
    column = image2vector(image)
    assert column.shape == (18, 1) and column.dtype == dtype
    # row-major unrolling: the depth index varies fastest
    assert column[1, 0] == image[0, 0, 1] and column[2, 0] == image[0, 1, 0]
    np.testing.assert_array_equal(column[:, 0], np.arange(18))
    assert image2vector(np.ones((2, 3, 4), dtype=np.uint8)).dtype == np.float64


@pytest.mark.parametrize("shape", [(3, 3), (18,), (1, 3, 3, 2), ()])
def test_image2vector_rejects_non_3d(shape):
    expected = f"image must be a 3-D array of shape (length, height, depth), got shape {shape}"
    with pytest.raises(ValueError, match=re.escape(expected)):
        image2vector(np.zeros(shape))


# ------------------------------------------------------------ normalize_rows


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_normalize_rows(dtype):
    x = np.array([[0.0, 3.0, 4.0], [1.0, 6.0, 4.0], [0.0, 0.0, 0.0]], dtype=dtype)
    root53 = math.sqrt(53)  # |(1, 6, 4)| = sqrt(1 + 36 + 16)
    check(normalize_rows(x), [[0.0, 0.6, 0.8], [1 / root53, 6 / root53, 4 / root53], [0.0, 0.0, 0.0]], dtype)
    check(normalize_rows(np.array([-3.0, 4.0], dtype=dtype)), [-0.6, 0.8], dtype)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_normalize_rows_extreme_magnitudes(dtype):
    big = float(np.finfo(dtype).max) / 2
    tiny = float(np.finfo(dtype).smallest_subnormal)
    x = np.array([[big, big], [tiny, 0.0], [0.0, 0.0], [-tiny, -tiny]], dtype=dtype)
    half_root2 = math.sqrt(0.5)
    check(normalize_rows(x), [[half_root2, half_root2], [1.0, 0.0], [0.0, 0.0], [-half_root2, -half_root2]], dtype)


@FAST
@given(x=finite_arrays(hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=6), -1e100, 1e100))
def test_normalize_rows_gives_unit_or_zero_rows(x):
    norms = np.linalg.norm(normalize_rows(x), axis=-1)
    nonzero = np.any(x != 0, axis=-1)
    np.testing.assert_allclose(norms[nonzero], 1.0, rtol=1e-12)
    assert np.all(norms[~nonzero] == 0)


def test_normalize_rows_rejects_a_scalar():
    with pytest.raises(ValueError, match=r"x must have at least one dimension"):
        normalize_rows(3.0)


# ---------------------------------------------------------------- bad input

UNARY = [
    step_function,
    sigmoid,
    sigmoid_derivative,
    relu,
    relu_derivative,
    tanh,
    identity_function,
    softmax,
    log_softmax,
    normalize_rows,
]
BINARY = [
    (sum_squares_error, "y", "t"),
    (mean_squared_error, "y", "t"),
    (binary_cross_entropy, "y_hat", "y"),
    (l1_loss, "y_hat", "y"),
    (l2_loss, "y_hat", "y"),
]
NON_NUMERIC = [np.array(["a", "b"]), np.array([1, None]), [[1.0, 2.0], [3.0]], np.array([1 + 2j])]


@pytest.mark.parametrize("bad", NON_NUMERIC, ids=["str", "object", "ragged", "complex"])
@pytest.mark.parametrize("function", UNARY, ids=lambda f: f.__name__)
def test_unary_functions_reject_non_numeric(function, bad):
    with pytest.raises(TypeError, match=r"^x must be a numeric"):
        function(bad)


@pytest.mark.parametrize("function, first, second", BINARY, ids=lambda v: getattr(v, "__name__", v))
def test_losses_reject_non_numeric_naming_the_argument(function, first, second):
    good = np.array([0.5, 0.5])
    with pytest.raises(TypeError, match=rf"^{first} must be a numeric .*got dtype <U1"):
        function(np.array(["a", "b"]), good)
    with pytest.raises(TypeError, match=rf"^{second} must be a numeric .*got dtype object"):
        function(good, np.array([1, None]))


def test_image2vector_rejects_non_numeric():
    with pytest.raises(TypeError, match=r"^image must be a numeric"):
        image2vector(np.full((2, 2, 2), "a"))


def test_cross_entropy_error_refuses_an_empty_batch_and_ill_shaped_single_targets():
    with pytest.raises(ValueError, match="empty batch"):
        cross_entropy_error(np.zeros((0, 3)), np.zeros(0, dtype=int))
    with pytest.raises(ValueError, match=r"t must be .*\(2,\).*got shape \(2, 2\)"):
        cross_entropy_error(np.array([0.5, 0.5]), np.eye(2))
    with pytest.raises(ValueError, match=r"got shape \(1, 1\)"):
        cross_entropy_error(np.array([0.5, 0.5]), np.array([[1]]))
