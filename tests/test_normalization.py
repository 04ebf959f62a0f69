"""BatchNorm on (N, D) and (N, C, H, W) batches."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from numnet.gradient import TOLERANCE, check_layer, numerical_gradient, relative_error
from numnet.layers.normalization import BatchNorm

SHAPES = [((8, 5), (0,)), ((4, 3, 3, 2), (0, 2, 3))]  # (input shape, statistics axes)


def _feature_view(v, ndim):
    return v.reshape(1, -1) if ndim == 2 else v.reshape(1, -1, 1, 1)


@pytest.mark.parametrize("shape, axes", SHAPES)
def test_training_output_is_standardized_per_feature(shape, axes):
    x = np.random.default_rng(0).normal(3.0, 2.0, shape) * np.arange(1, shape[1] + 1).reshape(
        _feature_view(np.ones(shape[1]), len(shape)).shape
    )
    out = BatchNorm(shape[1], dtype="float64").forward(x)
    np.testing.assert_allclose(out.mean(axis=axes), 0.0, atol=1e-12)
    # variance eps / (var + eps) short of one
    np.testing.assert_allclose(out.var(axis=axes), 1.0, rtol=1e-4)


@pytest.mark.parametrize("shape, axes", SHAPES)
def test_gamma_and_beta_scale_and_shift(shape, axes):
    bn = BatchNorm(shape[1], eps=1e-12, dtype="float64")
    bn.gamma[...] = np.linspace(0.5, 2.0, shape[1])
    bn.beta[...] = np.linspace(-1.0, 1.0, shape[1])
    out = bn.forward(np.random.default_rng(1).standard_normal(shape))
    np.testing.assert_allclose(out.mean(axis=axes), bn.beta, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=axes), bn.gamma, rtol=1e-9)


def test_forward_by_hand():
    x = np.array([[1.0, 10.0], [3.0, 10.0]])  # feature 0: mean 2, var 1; feature 1: constant
    out = BatchNorm(2, eps=1e-300, dtype="float64").forward(x)
    np.testing.assert_allclose(out, [[-1.0, 0.0], [1.0, 0.0]])


@pytest.mark.parametrize("shape, axes", SHAPES)
def test_running_statistics_follow_the_momentum_formula(shape, axes):
    rng = np.random.default_rng(2)
    bn = BatchNorm(shape[1], momentum=0.8, dtype="float64")
    x1, x2 = rng.normal(1.0, 2.0, shape), rng.normal(-1.0, 0.5, shape)
    bn.forward(x1)
    np.testing.assert_allclose(bn.running_mean, 0.2 * x1.mean(axis=axes))
    np.testing.assert_allclose(bn.running_var, 0.8 * 1.0 + 0.2 * x1.var(axis=axes))  # biased var
    bn.forward(x2)
    np.testing.assert_allclose(bn.running_mean, 0.8 * 0.2 * x1.mean(axis=axes) + 0.2 * x2.mean(axis=axes))
    np.testing.assert_allclose(bn.running_var, 0.8 * (0.8 + 0.2 * x1.var(axis=axes)) + 0.2 * x2.var(axis=axes))


@pytest.mark.parametrize("shape, axes", SHAPES)
def test_inference_uses_running_statistics_and_leaves_them_alone(shape, axes):
    rng = np.random.default_rng(3)
    d = shape[1]
    bn = BatchNorm(d, eps=1e-3, dtype="float64")
    bn.gamma[...], bn.beta[...] = rng.uniform(0.5, 2.0, d), rng.standard_normal(d)
    bn.running_mean[...], bn.running_var[...] = rng.standard_normal(d), rng.uniform(0.5, 2.0, d)
    saved = bn.running_mean.copy(), bn.running_var.copy()
    x = rng.standard_normal(shape)
    out = bn.forward(x, train=False)
    view = lambda v: _feature_view(v, len(shape))  # noqa: E731
    expected = view(bn.gamma) * (x - view(saved[0])) / np.sqrt(view(saved[1]) + 1e-3) + view(bn.beta)
    np.testing.assert_allclose(out, expected, rtol=1e-12)
    np.testing.assert_array_equal(bn.running_mean, saved[0])
    np.testing.assert_array_equal(bn.running_var, saved[1])
    # one sample at a time gives the same result: nothing depends on the batch
    np.testing.assert_allclose(bn.forward(x[:1], train=False), out[:1], rtol=1e-12)


@pytest.mark.parametrize("shape, axes", SHAPES)
def test_training_gradients(shape, axes):
    rng = np.random.default_rng(4)
    bn = BatchNorm(shape[1], dtype="float64")
    bn.gamma[...], bn.beta[...] = rng.uniform(0.5, 2.0, shape[1]), rng.standard_normal(shape[1])
    errors = check_layer(bn, rng.normal(1.0, 3.0, shape))
    assert max(errors.values()) < TOLERANCE, errors


@pytest.mark.parametrize("shape, axes", SHAPES)
def test_inference_gradients(shape, axes):
    rng = np.random.default_rng(5)
    d = shape[1]
    bn = BatchNorm(d, dtype="float64")
    bn.gamma[...], bn.beta[...] = rng.uniform(0.5, 2.0, d), rng.standard_normal(d)
    bn.running_mean[...], bn.running_var[...] = rng.standard_normal(d), rng.uniform(0.5, 2.0, d)
    x, weights = rng.standard_normal(shape), rng.standard_normal(shape)

    def objective(_):
        return float(np.sum(bn.forward(x, train=False) * weights))

    bn.forward(x, train=False)
    dx = bn.backward(weights)
    dgamma, dbeta = bn.dgamma.copy(), bn.dbeta.copy()
    assert relative_error(dx, numerical_gradient(objective, x, 1e-5)) < TOLERANCE
    assert relative_error(dgamma, numerical_gradient(objective, bn.gamma, 1e-5)) < TOLERANCE
    assert relative_error(dbeta, numerical_gradient(objective, bn.beta, 1e-5)) < TOLERANCE


def test_float32_end_to_end():
    bn = BatchNorm(3)
    x = np.random.default_rng(6).standard_normal((4, 3, 2, 2)).astype(np.float32)
    out = bn.forward(x)
    dx = bn.backward(np.ones_like(out))
    dtypes = {a.dtype for a in (out, dx, bn.gamma, bn.dgamma, bn.dbeta, bn.running_mean, bn.running_var)}
    assert dtypes == {np.dtype(np.float32)}
    assert bn.params == [bn.gamma, bn.beta] and bn.grads == [bn.dgamma, bn.dbeta]
    np.testing.assert_allclose(bn.dbeta, [16.0] * 3)
    # a float64 input to a float32 layer is computed in float32
    assert bn.forward(x.astype(np.float64)).dtype == np.float32


def test_grads_are_written_in_place():
    bn = BatchNorm(2, dtype="float64")
    dgamma, dbeta = bn.dgamma, bn.dbeta
    bn.forward(np.array([[1.0, 2.0], [3.0, 5.0]]))
    bn.backward(np.array([[1.0, 0.0], [0.0, 1.0]]))
    assert bn.grads[0] is dgamma and bn.grads[1] is dbeta
    np.testing.assert_allclose(dbeta, [1.0, 1.0])
    np.testing.assert_allclose(dgamma, [-1.0, 1.0], rtol=1e-5)  # x_hat = [[-1, -1], [1, 1]]


@pytest.mark.parametrize("bad_shape", [(4, 3), (4, 5, 2, 2), (4, 4, 2), (4,)])
def test_rejects_wrong_feature_count_before_state_changes(bad_shape):
    bn = BatchNorm(4)
    before = bn.running_mean.copy(), bn.running_var.copy()
    expected = re.escape(f"expected input of shape (N, 4) or (N, 4, H, W), got shape {bad_shape}")
    with pytest.raises(ValueError, match=r"BatchNorm\(num_features=4.*" + expected):
        bn.forward(np.ones(bad_shape, dtype=np.float32))
    np.testing.assert_array_equal(bn.running_mean, before[0])
    np.testing.assert_array_equal(bn.running_var, before[1])


def test_backward_checks_dout():
    bn = BatchNorm(2)
    with pytest.raises(RuntimeError, match="before forward"):
        bn.backward(np.ones((3, 2), dtype=np.float32))
    bn.forward(np.ones((3, 2), dtype=np.float32))
    with pytest.raises(ValueError, match=r"dout must have the forward output's shape \(3, 2\), got \(3, 1\)"):
        bn.backward(np.ones((3, 1), dtype=np.float32))


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"num_features": 0}, ValueError, "BatchNorm: num_features must be a positive integer, got 0"),
        ({"num_features": 2.0}, ValueError, "BatchNorm: num_features must be a positive integer, got 2.0"),
        (
            {"num_features": 2, "momentum": 1.5},
            ValueError,
            r"BatchNorm: momentum must be a number in \[0, 1\], got 1.5",
        ),
        ({"num_features": 2, "eps": 0.0}, ValueError, "BatchNorm: eps must be a number > 0, got 0.0"),
    ],
)
def test_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        BatchNorm(**kwargs)


def test_config_round_trip_and_state_names():
    bn = BatchNorm(6, momentum=0.95, eps=1e-3)
    config = json.loads(json.dumps(bn.get_config()))
    assert config == {"num_features": 6, "momentum": 0.95, "eps": 1e-3}
    rebuilt = BatchNorm.from_config(config, dtype="float64")
    assert rebuilt.get_config() == config and rebuilt.gamma.dtype == np.float64
    assert BatchNorm.param_names == ("gamma", "beta")
    assert BatchNorm.state_names == ("running_mean", "running_var")
    for name in BatchNorm.param_names + BatchNorm.state_names:
        assert getattr(rebuilt, name).shape == (6,)
