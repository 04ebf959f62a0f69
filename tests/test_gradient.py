"""numnet.gradient against derivatives worked out by hand.

The central difference is exact for quadratics up to rounding, and for x^3 it
is off by exactly h^2 (the Taylor terms of odd order cancel), which tells it
apart from a one-sided difference.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from numnet.gradient import gradient_descent, numerical_diff, numerical_gradient, relative_error

pytestmark = pytest.mark.filterwarnings("error")

FAST = settings(max_examples=40, deadline=None)


def sum_of_squares(x: np.ndarray) -> float:
    """The textbook's function_2: x0^2 + x1^2 (+ ...), gradient 2x."""
    return float(np.sum(x**2))


# ------------------------------------------------------------ numerical_diff


def test_numerical_diff_textbook_function_1():
    # f(x) = 0.01 x^2 + 0.1 x, f'(x) = 0.02 x + 0.1
    def function_1(x):
        return 0.01 * x**2 + 0.1 * x

    assert numerical_diff(function_1, 5.0) == pytest.approx(0.2, abs=1e-9)
    assert numerical_diff(function_1, 10.0) == pytest.approx(0.3, abs=1e-9)


def test_numerical_diff_is_a_central_difference():
    # ((2 + h)^3 - (2 - h)^3) / 2h = 3 * 2^2 + h^2: the error of a central
    # difference; a forward difference would be off by 3 * 2 * h = 6e-4.
    assert numerical_diff(lambda x: x**3, 2.0) == pytest.approx(12 + 1e-8, abs=1e-10)
    assert numerical_diff(lambda x: x**3, 2.0, h=1e-2) == pytest.approx(12 + 1e-4, abs=1e-10)


def test_numerical_diff_of_a_python_function():
    assert numerical_diff(lambda x: 3.0 * x + 1.0, -7.0) == pytest.approx(3.0, abs=1e-10)


# -------------------------------------------------------- numerical_gradient


def test_numerical_gradient_textbook_points():
    for point, expected in [((3.0, 4.0), (6.0, 8.0)), ((0.0, 2.0), (0.0, 4.0)), ((3.0, 0.0), (6.0, 0.0))]:
        np.testing.assert_allclose(numerical_gradient(sum_of_squares, np.array(point)), expected, atol=1e-9)


@FAST
@given(data=st.data(), shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=4))
def test_numerical_gradient_of_a_quadratic_is_exact(data, shape):
    # f(x) = sum(a x^2) + b.x + c has gradient 2 a x + b
    values = st.floats(-10, 10)
    a = data.draw(hnp.arrays(np.float64, shape, elements=values), label="a")
    b = data.draw(hnp.arrays(np.float64, shape, elements=values), label="b")
    x = data.draw(hnp.arrays(np.float64, shape, elements=values), label="x")

    def quadratic(z):
        return float(np.sum(a * z**2) + np.sum(b * z) + 3.0)

    grad = numerical_gradient(quadratic, x)
    assert grad.shape == x.shape and grad.dtype == np.float64
    np.testing.assert_allclose(grad, 2 * a * x + b, rtol=0, atol=1e-6)


@FAST
@given(
    x=hnp.arrays(
        st.sampled_from([np.float32, np.float64]),
        hnp.array_shapes(min_dims=0, max_dims=3, max_side=4),
        elements={"allow_nan": False, "allow_infinity": False},
    ),
    transpose=st.booleans(),
)
def test_numerical_gradient_leaves_x_bit_for_bit_unchanged(x, transpose):
    x = x.T if transpose else x  # a non-contiguous view when x has two or more axes
    before = x.copy()
    numerical_gradient(lambda z: float(np.count_nonzero(z > 0)), x)
    assert x.tobytes() == before.tobytes()


def test_numerical_gradient_restores_x_when_f_raises():
    x = np.array([1.0, -0.0, 2.5])
    before = x.copy()

    def failing(z):
        if z[1] != 0:
            raise RuntimeError("boom")
        return 0.0

    with pytest.raises(RuntimeError, match="boom"):
        numerical_gradient(failing, x)
    assert x.tobytes() == before.tobytes()


def test_numerical_gradient_of_an_array_read_by_closure():
    # The textbook's pattern: f ignores its argument and reads W, which is perturbed in place.
    W = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])
    x = np.array([0.5, -1.5])

    def loss(_):
        return float(np.sum((x @ W) ** 2))

    # d/dW sum((xW)_j^2) = 2 x_i (xW)_j
    expected = 2 * np.outer(x, x @ W)
    np.testing.assert_allclose(numerical_gradient(loss, W), expected, atol=1e-6)
    np.testing.assert_allclose(numerical_gradient(loss, W.T), expected.T, atol=1e-6)


def test_numerical_gradient_any_layout_and_dtype():
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(numerical_gradient(sum_of_squares, x.T), 2 * x.T, atol=1e-8)
    np.testing.assert_allclose(numerical_gradient(sum_of_squares, x[:, ::2]), 2 * x[:, ::2], atol=1e-8)
    assert numerical_gradient(sum_of_squares, np.empty((0, 3))).shape == (0, 3)
    x32 = np.array([1.0, -2.0], dtype=np.float32)
    grad32 = numerical_gradient(lambda z: float(np.sum(z.astype(np.float64) ** 2)), x32, h=1e-2)
    assert grad32.dtype == np.float32
    np.testing.assert_allclose(grad32, [2.0, -4.0], rtol=1e-4)


def test_numerical_gradient_rejects_bad_x():
    with pytest.raises(TypeError, match=r"x must be a float NumPy array, got list"):
        numerical_gradient(sum_of_squares, [1.0, 2.0])
    with pytest.raises(TypeError, match=r"x must be a float NumPy array, got ndarray int64"):
        numerical_gradient(sum_of_squares, np.array([1, 2]))
    with pytest.raises(ValueError, match=r"x must be writeable"):
        numerical_gradient(sum_of_squares, np.broadcast_to(np.ones(1), (3,)))


def test_relative_error_hand_values():
    # the largest |a - n| / max(|a| + |n|, 1e-8): of 0 / 2, 0.2 / 4.2 and 1e-12 / 1e-8
    analytic, numeric = np.array([1.0, 2.0, 1e-12]), np.array([1.0, 2.2, 0.0])
    assert relative_error(analytic, numeric) == pytest.approx(0.2 / 4.2)
    assert relative_error(np.array([1e-9]), np.array([0.0])) == pytest.approx(0.1)  # floor of 1e-8
    assert relative_error(np.empty(0), np.empty(0)) == 0.0
    with pytest.raises(ValueError, match=r"analytic and numeric must have the same shape, got \(2,\) and \(3,\)"):
        relative_error(np.zeros(2), np.zeros(3))


# ---------------------------------------------------------- gradient_descent


def test_gradient_descent_textbook_run():
    # On x0^2 + x1^2 each step is x <- x - 0.1 * 2x = 0.8 x, so after k steps x = 0.8^k x_0.
    init = np.array([-3.0, 4.0])
    x, path = gradient_descent(sum_of_squares, init, lr=0.1, step_num=100)
    assert x.shape == (2,) and path.shape == (100, 2)
    np.testing.assert_allclose(x, 0.8**100 * init, rtol=1e-6)  # (-6.1e-10, 8.1e-10)
    assert np.all(np.abs(x) < 1e-9)
    np.testing.assert_array_equal(path[0], init)
    np.testing.assert_allclose(path, 0.8 ** np.arange(100)[:, None] * init, rtol=1e-6)
    np.testing.assert_array_equal(init, [-3.0, 4.0])  # the caller's array is not modified


def test_gradient_descent_learning_rates():
    init = [-3.0, 4.0]
    x, path = gradient_descent(sum_of_squares, init, lr=1.0, step_num=3)  # x <- x - 2x = -x
    np.testing.assert_allclose(path, [[-3.0, 4.0], [3.0, -4.0], [-3.0, 4.0]], rtol=1e-6)
    np.testing.assert_allclose(x, [3.0, -4.0], rtol=1e-6)
    x, _ = gradient_descent(sum_of_squares, init, lr=1e-10, step_num=100)  # too small to move
    np.testing.assert_allclose(x, init, rtol=1e-7)


def test_gradient_descent_shapes_and_dtypes():
    x, path = gradient_descent(sum_of_squares, [[1, 2], [3, 4]], lr=0.25, step_num=2)  # x <- x/2
    assert x.dtype == np.float64 and path.shape == (2, 2, 2)
    np.testing.assert_allclose(x, [[0.25, 0.5], [0.75, 1.0]], rtol=1e-6)
    x, path = gradient_descent(sum_of_squares, np.array([1.0, 2.0]), step_num=0)
    np.testing.assert_array_equal(x, [1.0, 2.0])
    assert path.shape == (0, 2)


def test_gradient_descent_rejects_negative_steps():
    with pytest.raises(ValueError, match=r"step_num must be a non-negative integer, got -1"):
        gradient_descent(sum_of_squares, [1.0], step_num=-1)


def test_gradient_descent_names_bad_arguments():
    with pytest.raises(TypeError, match="init_x"):
        gradient_descent(lambda x: float(np.sum(x**2)), np.array(["a", "b"]))
    with pytest.raises(ValueError, match="step_num"):
        gradient_descent(lambda x: float(np.sum(x**2)), np.zeros(2), step_num=2.5)
