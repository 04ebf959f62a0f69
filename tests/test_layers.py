"""Core and activation layers: gradients, hand-computed values, dtypes, in-place grads, errors, configs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from numnet.gradient import TOLERANCE, check_layer
from numnet.initializers import normal
from numnet.layers import (
    LAYER_REGISTRY,
    Affine,
    Dense,
    Flatten,
    Identity,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
)

SEEDS = [0, 1, 2]


def away_from_zero(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """Random float64 values with |x| >= 0.1, so that no finite difference straddles a kink at 0."""
    z = np.random.default_rng(seed).standard_normal(shape)
    return np.sign(z) * (0.1 + np.abs(z))


def assert_gradients_ok(layer, x: np.ndarray, seed: int = 0) -> None:
    errors = check_layer(layer, x, seed=seed)
    assert max(errors.values()) < TOLERANCE, errors


# ------------------------------------------------------------ gradient checks


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n, d_in, d_out", [(1, 1, 1), (3, 4, 5), (7, 6, 2)])
def test_affine_gradients(seed, n, d_in, d_out):
    rng = np.random.default_rng(seed)
    layer = Affine(rng.standard_normal((d_in, d_out)), rng.standard_normal(d_out))
    assert_gradients_ok(layer, rng.standard_normal((n, d_in)), seed)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [(2, 3, 4, 4), (3, 1, 5, 2), (4, 6)])
def test_dense_gradients_on_flat_and_image_input(seed, shape):
    layer = Dense(math.prod(shape[1:]), 3, init="he", rng=seed, dtype=np.float64)
    layer.b[...] = np.random.default_rng(seed + 10).standard_normal(3)
    assert_gradients_ok(layer, np.random.default_rng(seed).standard_normal(shape), seed)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [(4, 5), (2, 3, 4), (2, 2, 3, 3)])
@pytest.mark.parametrize("make_layer", [Sigmoid, Tanh, Identity, Softmax, Flatten])
def test_smooth_layer_gradients(make_layer, shape, seed):
    x = np.random.default_rng(seed).standard_normal(shape)
    assert_gradients_ok(make_layer(), x, seed)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [(4, 5), (2, 2, 3, 3)])
@pytest.mark.parametrize("make_layer", [ReLU, LeakyReLU, lambda: LeakyReLU(0.3)])
def test_piecewise_linear_layer_gradients(make_layer, shape, seed):
    assert_gradients_ok(make_layer(), away_from_zero(shape, seed), seed)


# ------------------------------------------------------ hand-computed values


def test_affine_forward_and_backward_by_hand():
    W = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    b = np.array([0.5, -1.0, 0.0])
    layer = Affine(W, b)
    out = layer.forward(np.array([[1.0, 2.0]]))
    np.testing.assert_array_equal(out, [[9.5, 11.0, 15.0]])
    dx = layer.backward(np.array([[1.0, 0.0, -1.0]]))
    np.testing.assert_array_equal(dx, [[-2.0, -2.0]])
    np.testing.assert_array_equal(layer.dW, [[1.0, 0.0, -1.0], [2.0, 0.0, -2.0]])
    np.testing.assert_array_equal(layer.db, [1.0, 0.0, -1.0])


def test_affine_sums_the_bias_gradient_over_the_batch():
    layer = Affine(np.eye(2), np.zeros(2))
    layer.forward(np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 3.0]]))
    layer.backward(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))
    np.testing.assert_array_equal(layer.db, [9.0, 12.0])
    # dW = x^T dout: rows of x weight the rows of dout
    np.testing.assert_array_equal(layer.dW, [[11.0, 14.0], [18.0, 22.0]])


def test_affine_flattens_image_input_and_returns_dx_in_its_shape():
    x = np.arange(2 * 2 * 1 * 3, dtype=np.float64).reshape(2, 2, 1, 3)
    layer = Affine(np.ones((6, 1)), np.zeros(1))
    np.testing.assert_array_equal(layer.forward(x), [[15.0], [51.0]])
    dx = layer.backward(np.array([[1.0], [2.0]]))
    assert dx.shape == x.shape
    np.testing.assert_array_equal(dx[1], np.full((2, 1, 3), 2.0))


def test_relu_by_hand():
    layer = ReLU()
    np.testing.assert_array_equal(layer.forward(np.array([[-1.0, 0.0, 2.0]])), [[0.0, 0.0, 2.0]])
    np.testing.assert_array_equal(layer.backward(np.array([[5.0, 5.0, 5.0]])), [[0.0, 0.0, 5.0]])


def test_leaky_relu_by_hand():
    layer = LeakyReLU(alpha=0.1)
    np.testing.assert_allclose(layer.forward(np.array([[-2.0, 0.0, 3.0]])), [[-0.2, 0.0, 3.0]], rtol=1e-15)
    np.testing.assert_allclose(layer.backward(np.array([[1.0, 1.0, 1.0]])), [[0.1, 0.1, 1.0]], rtol=1e-15)


def test_sigmoid_by_hand():
    layer = Sigmoid()
    # sigmoid(ln 3) = 3 / 4, whose derivative is 3/4 * 1/4
    np.testing.assert_allclose(layer.forward(np.array([0.0, math.log(3.0)])), [0.5, 0.75], rtol=1e-15)
    np.testing.assert_allclose(layer.backward(np.array([2.0, 1.0])), [0.5, 0.1875], rtol=1e-15)


def test_sigmoid_at_extreme_inputs_is_finite():
    y = Sigmoid().forward(np.array([-1000.0, 1000.0], dtype=np.float32))
    np.testing.assert_array_equal(y, [0.0, 1.0])


def test_tanh_by_hand():
    layer = Tanh()
    # tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 0.6, derivative 1 - 0.36
    np.testing.assert_allclose(layer.forward(np.array([0.0, math.log(2.0)])), [0.0, 0.6], rtol=1e-15)
    np.testing.assert_allclose(layer.backward(np.array([1.0, 1.0])), [1.0, 0.64], rtol=1e-14)


def test_identity_passes_through():
    x = np.array([[1.0, -2.0]])
    layer = Identity()
    assert layer.forward(x) is x
    dout = np.array([[3.0, 4.0]])
    assert layer.backward(dout) is dout


def test_softmax_rows_by_hand():
    layer = Softmax()
    x = np.log(np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 2.0]]))
    np.testing.assert_allclose(layer.forward(x), [[1 / 6, 1 / 3, 1 / 2], [1 / 4, 1 / 4, 1 / 2]], rtol=1e-14)
    # a constant dout changes no probability: the rows always sum to one
    np.testing.assert_allclose(layer.backward(np.full((2, 3), 7.0)), 0.0, atol=1e-15)


def test_softmax_backward_by_hand():
    layer = Softmax()
    layer.forward(np.log(np.array([[1.0, 1.0, 2.0]])))
    # y = (1/4, 1/4, 1/2); dout = e_3: dx = y * (e_3 - 1/2) = (-1/8, -1/8, 1/4)
    np.testing.assert_allclose(layer.backward(np.array([[0.0, 0.0, 1.0]])), [[-0.125, -0.125, 0.25]], rtol=1e-14)


def test_softmax_of_huge_logits_has_no_overflow():
    y = Softmax().forward(np.array([[1000.0, 1000.0], [-1000.0, 1000.0]], dtype=np.float32))
    np.testing.assert_array_equal(y, [[0.5, 0.5], [0.0, 1.0]])


def test_flatten_by_hand():
    x = np.arange(24.0).reshape(2, 3, 2, 2)
    layer = Flatten()
    out = layer.forward(x)
    np.testing.assert_array_equal(out, np.arange(24.0).reshape(2, 12))
    dx = layer.backward(2 * out)
    np.testing.assert_array_equal(dx, 2 * x)


# --------------------------------------------------------------------- dtypes


def _dense32() -> Dense:
    return Dense(12, 3, rng=0)


ALL_LAYERS = [_dense32, Flatten, Sigmoid, ReLU, LeakyReLU, Tanh, Identity, Softmax]


@pytest.mark.parametrize("make_layer", ALL_LAYERS)
def test_float32_in_float32_out_and_grads(make_layer):
    layer = make_layer()
    x = np.random.default_rng(0).standard_normal((4, 3, 2, 2)).astype(np.float32)
    out = layer.forward(x)
    assert out.dtype == np.float32
    dx = layer.backward(np.ones_like(out))
    assert dx.dtype == np.float32
    assert all(grad.dtype == np.float32 for grad in layer.grads)


@pytest.mark.parametrize(
    "make_layer",
    [lambda: Dense(12, 3, rng=0, dtype=np.float64), Flatten, Sigmoid, ReLU, LeakyReLU, Tanh, Identity, Softmax],
)
def test_float64_end_to_end(make_layer):
    layer = make_layer()
    x = np.random.default_rng(0).standard_normal((4, 3, 2, 2))
    out = layer.forward(x)
    assert out.dtype == np.float64
    assert layer.backward(np.ones_like(out)).dtype == np.float64
    assert all(p.dtype == np.float64 for p in layer.params + layer.grads)


@pytest.mark.parametrize("make_layer", [_dense32, Sigmoid, ReLU, LeakyReLU, Tanh, Identity, Softmax])
def test_a_float64_dout_gives_a_float32_dx_in_a_float32_layer(make_layer):
    layer = make_layer()
    out = layer.forward(np.ones((2, 12), dtype=np.float32))
    assert layer.backward(np.ones(out.shape, dtype=np.float64)).dtype == np.float32


def test_dense_casts_other_input_dtypes_to_its_own():
    layer = Dense(3, 2, rng=0)  # float32
    for x in (np.ones((2, 3), dtype=np.float64), np.ones((2, 3), dtype=np.uint8)):
        out = layer.forward(x)
        assert out.dtype == np.float32
        assert layer.x.dtype == np.float32
        np.testing.assert_allclose(out, np.ones((2, 3), np.float32) @ layer.W + layer.b, rtol=1e-6)


def test_activations_compute_integer_input_in_float64():
    assert ReLU().forward(np.array([[-1, 2]])).dtype == np.float64


# ------------------------------------------------------ in-place, no mutation


def test_affine_wraps_the_given_arrays_and_writes_grads_in_place():
    rng = np.random.default_rng(0)
    W, b = rng.standard_normal((4, 3)), rng.standard_normal(3)
    layer = Affine(W, b)
    assert layer.params[0] is W and layer.params[1] is b
    grads = list(layer.grads)
    x = rng.standard_normal((5, 4))
    layer.forward(x)
    layer.backward(rng.standard_normal((5, 3)))
    first = [g.copy() for g in layer.grads]
    layer.forward(x)
    dout = rng.standard_normal((5, 3))
    layer.backward(dout)
    assert all(after is before for after, before in zip(layer.grads, grads))
    assert layer.grads[0] is layer.dW and layer.grads[1] is layer.db
    assert not np.array_equal(layer.dW, first[0])
    np.testing.assert_allclose(layer.dW, x.T @ dout, rtol=1e-12)
    np.testing.assert_allclose(layer.db, dout.sum(axis=0), rtol=1e-12)


def test_parameters_updated_in_place_take_effect():
    layer = Affine(np.zeros((2, 1)), np.zeros(1))
    layer.params[0] += 1.0  # what an optimizer does
    np.testing.assert_array_equal(layer.forward(np.array([[2.0, 3.0]])), [[5.0]])


def test_affine_caches_the_input_without_copying():
    x = np.ones((3, 4))
    layer = Affine(np.ones((4, 2)), np.zeros(2))
    layer.forward(x)
    assert np.shares_memory(layer.x, x)


@pytest.mark.parametrize(
    "make_layer",
    [lambda: Dense(4, 3, rng=0, dtype=np.float64), Flatten, Sigmoid, ReLU, LeakyReLU, Tanh, Identity, Softmax],
)
def test_backward_never_mutates_dout_or_x(make_layer):
    layer = make_layer()
    x = away_from_zero((3, 4), 0)
    x_before = x.copy()
    out = layer.forward(x)
    dout = np.random.default_rng(1).standard_normal(out.shape)
    dout_before = dout.copy()
    layer.backward(dout)
    np.testing.assert_array_equal(dout, dout_before)
    np.testing.assert_array_equal(x, x_before)


# ------------------------------------------------------------------ bad input


def test_dense_with_the_wrong_feature_count_names_layer_and_shapes():
    layer = Dense(784, 100, rng=0)
    with pytest.raises(ValueError) as error:
        layer.forward(np.zeros((5, 100), dtype=np.float32))
    message = str(error.value)
    assert "Dense" in message and "784" in message and "100" in message and "(5, 100)" in message
    assert layer.x is None and layer.x_shape is None


def test_bad_input_leaves_the_cached_forward_in_place():
    layer = Dense(4, 2, rng=0, dtype=np.float64)
    x = np.ones((3, 4))
    layer.forward(x)
    cached, W_before = layer.x, layer.W.copy()
    for bad in (np.ones((3, 5)), np.ones(4), np.array([["a"] * 4])):
        with pytest.raises((ValueError, TypeError)):
            layer.forward(bad)
    assert layer.x is cached and layer.x_shape == (3, 4)
    np.testing.assert_array_equal(layer.W, W_before)
    assert layer.backward(np.ones((3, 2))).shape == (3, 4)


def test_affine_refuses_a_non_float_input():
    layer = Affine(np.ones((2, 2)), np.zeros(2))
    with pytest.raises(TypeError, match="x"):
        layer.forward(np.array([["a", "b"]]))


@pytest.mark.parametrize(
    "W, b, error, words",
    [
        (np.ones(3), np.zeros(3), ValueError, "W must have shape"),
        (np.ones((2, 3), dtype=np.int64), np.zeros(3, dtype=np.int64), TypeError, "W must be a float"),
        ([[1.0, 2.0]], np.zeros(2), TypeError, "W must be a float"),
        (np.ones((2, 3)), np.zeros(2), ValueError, r"b must be an array of shape \(3,\)"),
        (np.ones((2, 3)), np.zeros((1, 3)), ValueError, "b must be"),
        (np.ones((2, 3)), np.zeros(3, dtype=np.float32), TypeError, "dtype float64"),
    ],
)
def test_affine_validates_its_arrays(W, b, error, words):
    with pytest.raises(error, match=words):
        Affine(W, b)


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"in_features": 0, "out_features": 3}, ValueError, "in_features"),
        ({"in_features": 2, "out_features": -1}, ValueError, "out_features"),
        ({"in_features": 2.5, "out_features": 3}, ValueError, "in_features"),
        ({"in_features": True, "out_features": 3}, ValueError, "in_features"),
        ({"in_features": 2, "out_features": 3, "init": "glorot"}, ValueError, "init"),
        ({"in_features": 2, "out_features": 3, "dtype": np.int32}, TypeError, "dtype"),
        (
            {"in_features": 2, "out_features": 3, "init": lambda s, r, d: np.ones((3, 2), d)},
            ValueError,
            r"init returned .*\(3, 2\)",
        ),
    ],
)
def test_dense_validates_its_arguments(kwargs, error, words):
    with pytest.raises(error, match=words):
        Dense(**kwargs)


@pytest.mark.parametrize(
    "make_layer", [lambda: Dense(3, 2, rng=0), Flatten, Sigmoid, ReLU, LeakyReLU, Tanh, Identity, Softmax]
)
def test_backward_before_forward_is_an_error(make_layer):
    with pytest.raises(RuntimeError, match="before forward"):
        make_layer().backward(np.ones((2, 3)))


@pytest.mark.parametrize(
    "make_layer", [lambda: Dense(3, 2, rng=0), Flatten, Sigmoid, ReLU, LeakyReLU, Tanh, Identity, Softmax]
)
def test_dout_of_the_wrong_shape_is_an_error(make_layer):
    layer = make_layer()
    out = layer.forward(np.ones((4, 3), dtype=np.float32))
    with pytest.raises(ValueError, match=rf"dout must have the forward output's shape \({out.shape[0]}, "):
        layer.backward(np.ones((4, 1), dtype=np.float32))  # would broadcast silently


@pytest.mark.parametrize("alpha", ["0.1", float("nan"), None])
def test_leaky_relu_refuses_a_bad_alpha(alpha):
    with pytest.raises(ValueError, match="alpha"):
        LeakyReLU(alpha)


# ------------------------------------------------------------------ Dense init


def test_dense_draws_he_weights_with_fan_in_and_zero_biases():
    layer = Dense(500, 400, rng=0)
    assert layer.W.shape == (500, 400) and layer.W.dtype == np.float32
    assert abs(float(layer.W.std()) - math.sqrt(2 / 500)) < 0.03 * math.sqrt(2 / 500)
    assert not np.any(layer.b)


def test_dense_is_reproducible_from_a_seed_or_generator():
    assert np.array_equal(Dense(5, 4, rng=7).W, Dense(5, 4, rng=7).W)
    assert np.array_equal(Dense(5, 4, rng=np.random.default_rng(7)).W, Dense(5, 4, rng=7).W)
    assert not np.array_equal(Dense(5, 4, rng=7).W, Dense(5, 4, rng=8).W)


def test_dense_honours_textbook_weight_init_std():
    layer = Dense(400, 300, init=0.01, rng=0, dtype=np.float64)
    assert abs(float(layer.W.std()) - 0.01) < 0.0003


def test_dense_is_an_affine():
    assert isinstance(Dense(2, 2, rng=0), Affine)


# -------------------------------------------------------------------- configs


@pytest.mark.parametrize(
    "init, described",
    [("he", "he"), ("xavier", "xavier"), (0.05, 0.05), (normal(0.2), 0.2)],
)
def test_dense_config_round_trip(init, described):
    layer = Dense(6, 4, init=init, rng=0)
    config = layer.get_config()
    assert config == {"in_features": 6, "out_features": 4, "init": described}
    rebuilt = LAYER_REGISTRY["Dense"].from_config(config, dtype=np.float64)
    assert type(rebuilt) is Dense
    assert rebuilt.W.shape == (6, 4) and rebuilt.b.shape == (4,)
    assert rebuilt.W.dtype == np.float64 and rebuilt.b.dtype == np.float64
    assert rebuilt.get_config() == config


def test_affine_config_round_trip():
    layer = Affine(np.ones((3, 5), dtype=np.float32), np.zeros(5, dtype=np.float32))
    assert layer.get_config() == {"in_features": 3, "out_features": 5}
    assert layer.param_names == ("W", "b")
    rebuilt = LAYER_REGISTRY["Affine"].from_config(layer.get_config(), dtype=np.float32)
    assert type(rebuilt) is Affine
    assert rebuilt.W.shape == (3, 5) and rebuilt.W.dtype == np.float32
    assert not np.any(rebuilt.W) and not np.any(rebuilt.b)


@pytest.mark.parametrize("layer", [LeakyReLU(0.2), Sigmoid(), ReLU(), Tanh(), Identity(), Softmax(), Flatten()])
def test_activation_config_round_trip(layer):
    rebuilt = LAYER_REGISTRY[type(layer).__name__].from_config(layer.get_config())
    assert type(rebuilt) is type(layer) and rebuilt.get_config() == layer.get_config()
    assert rebuilt.params == [] and rebuilt.grads == []


def test_leaky_relu_config_records_alpha():
    assert LeakyReLU(0.2).get_config() == {"alpha": 0.2}
    np.testing.assert_allclose(LeakyReLU.from_config({"alpha": 0.2}).forward(np.array([-1.0])), [-0.2])
