"""Dropout (inverted)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from numnet.gradient import TOLERANCE, check_layer
from numnet.layers.regularization import Dropout


class FixedMask:
    """Gradient-check adapter: every forward pass of ``layer`` draws the same mask.

    The gradient check calls ``forward`` many times; re-seeding the layer's
    generator before each call makes all of them drop the same values.
    """

    def __init__(self, layer: Dropout, seed: int) -> None:
        self.layer, self.seed = layer, seed
        self.params = self.grads = []

    def forward(self, x, train=True):
        self.layer.rng = np.random.default_rng(self.seed)
        return self.layer.forward(x, train=train)

    def backward(self, dout):
        return self.layer.backward(dout)


def test_inference_is_identity():
    layer = Dropout(0.5, rng=np.random.default_rng(0))
    x = np.random.default_rng(1).standard_normal((4, 5))
    np.testing.assert_array_equal(layer.forward(x, train=False), x)
    dout = np.random.default_rng(2).standard_normal((4, 5))
    np.testing.assert_array_equal(layer.backward(dout), dout)


@pytest.mark.parametrize("rate", [0.0, 0.3, 0.8])
def test_training_drops_a_fraction_rate_and_scales_the_rest(rate):
    layer = Dropout(rate, rng=np.random.default_rng(3))
    x = np.random.default_rng(4).uniform(1.0, 2.0, (400, 500))  # never 0, so zeros are drops
    out = layer.forward(x)
    dropped = out == 0
    assert abs(dropped.mean() - rate) < 0.01
    np.testing.assert_allclose(out[~dropped], x[~dropped] / (1 - rate), rtol=1e-15)
    # inverted dropout keeps the expected value: mean of out / x over 200,000 draws
    assert abs(np.mean(out / x) - 1.0) < 0.02


def test_backward_uses_the_forward_mask():
    layer = Dropout(0.4, rng=np.random.default_rng(5))
    x = np.ones((50, 40))
    out = layer.forward(x)
    dout = np.random.default_rng(6).standard_normal(x.shape)
    dout_before = dout.copy()
    dx = layer.backward(dout)
    np.testing.assert_array_equal(dx, dout * out)  # out = mask / (1 - rate) for x = 1
    np.testing.assert_array_equal(dout, dout_before)


def test_gradient_with_fixed_mask():
    layer = Dropout(0.5)
    x = np.random.default_rng(7).standard_normal((3, 4, 2))
    errors = check_layer(FixedMask(layer, seed=8), x)
    assert max(errors.values()) < TOLERANCE, errors
    assert 0 < np.count_nonzero(layer.forward(x) == 0) < x.size  # the check saw a real mask


def test_seeded_generator_is_deterministic_and_read_at_forward_time():
    x = np.ones((20, 30), dtype=np.float32)
    a = Dropout(0.5, rng=np.random.default_rng(9)).forward(x)
    b = Dropout(0.5, rng=np.random.default_rng(9)).forward(x)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(Dropout(0.5, rng=9).forward(x), a)  # a seed works too
    layer = Dropout(0.5)
    layer.rng = np.random.default_rng(9)  # as a model hands over its generator
    np.testing.assert_array_equal(layer.forward(x), a)
    assert not np.array_equal(layer.forward(x), a)  # the stream moves on


def test_without_generator_one_is_created_and_kept():
    layer = Dropout(0.5)
    assert layer.rng is None
    layer.forward(np.ones(10))
    rng = layer.rng
    assert isinstance(rng, np.random.Generator)
    layer.forward(np.ones(10))
    assert layer.rng is rng


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_keeps_dtype(dtype):
    layer = Dropout(0.3, rng=np.random.default_rng(10))
    x = np.ones((6, 7), dtype=dtype)
    out = layer.forward(x)
    assert out.dtype == dtype and layer.backward(np.ones_like(out)).dtype == dtype
    assert set(np.unique(out)) <= {dtype(0), dtype(1 / 0.7)}


@pytest.mark.parametrize(
    "rate, error, message",
    [
        (1.0, ValueError, r"Dropout: rate must be in \[0, 1\), got 1.0"),
        (-0.1, ValueError, r"Dropout: rate must be in \[0, 1\), got -0.1"),
        (float("nan"), ValueError, r"Dropout: rate must be in \[0, 1\), got nan"),
        ("0.5", TypeError, r"Dropout: rate must be a number in \[0, 1\), got str '0.5'"),
    ],
)
def test_rejects_bad_rate(rate, error, message):
    with pytest.raises(error, match=message):
        Dropout(rate)


def test_backward_checks_dout():
    layer = Dropout(0.5, rng=np.random.default_rng(0))
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward(np.ones(3))
    layer.forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"dout must have the forward output's shape \(2, 3\), got \(3,\)"):
        layer.backward(np.ones(3))


def test_config_round_trip():
    layer = Dropout(0.25, rng=np.random.default_rng(0))
    config = json.loads(json.dumps(layer.get_config()))
    assert config == {"rate": 0.25}
    rebuilt = Dropout.from_config(config)
    assert rebuilt.get_config() == config and rebuilt.params == [] and rebuilt.grads == []
