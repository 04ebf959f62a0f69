"""numnet.initializers: fans, the statistics of each initializer, dtypes, seeding, name resolution."""

from __future__ import annotations

import math

import numpy as np
import pytest

from numnet.initializers import (
    INITIALIZER_NAMES,
    compute_fans,
    get_initializer,
    glorot_uniform,
    he,
    normal,
    xavier,
    zeros,
)


@pytest.mark.parametrize(
    "shape, fans",
    [
        ((784, 100), (784, 100)),  # fully connected (in, out)
        ((16, 3, 5, 5), (3 * 25, 16 * 25)),  # conv (out_c, in_c, kh, kw)
        ((8, 4, 3), (12, 24)),  # 1-D conv (out_c, in_c, k)
        ((7,), (7, 7)),
        ((), (1, 1)),
    ],
)
def test_compute_fans(shape, fans):
    assert compute_fans(shape) == fans


def _assert_gaussian(w: np.ndarray, std: float) -> None:
    sample_std = float(np.std(w, dtype=np.float64))
    assert abs(sample_std - std) <= 0.03 * std
    # the mean's standard error is std / sqrt(n); allow five of them
    assert abs(float(np.mean(w, dtype=np.float64))) <= 5 * std / math.sqrt(w.size)


@pytest.mark.parametrize(
    "init, shape, expected_std",
    [
        (he, (400, 1000), math.sqrt(2 / 400)),
        (he, (256, 16, 3, 3), math.sqrt(2 / (16 * 9))),
        (xavier, (400, 1000), math.sqrt(1 / 400)),
        (xavier, (256, 16, 3, 3), math.sqrt(1 / (16 * 9))),
        (normal(), (400, 1000), 0.01),
        (normal(0.5), (300, 300), 0.5),
    ],
)
def test_gaussian_initializers_have_the_expected_std(init, shape, expected_std):
    w = init(shape, np.random.default_rng(0), np.float64)
    assert w.shape == shape
    _assert_gaussian(w, expected_std)


@pytest.mark.parametrize("shape", [(400, 1000), (64, 16, 3, 3)])
def test_glorot_uniform_fills_its_interval_with_the_glorot_variance(shape):
    fan_in, fan_out = compute_fans(shape)
    bound = math.sqrt(6 / (fan_in + fan_out))
    w = glorot_uniform(shape, np.random.default_rng(0), np.float64)
    assert w.shape == shape
    assert np.abs(w).max() <= bound and np.abs(w).max() >= 0.999 * bound
    assert abs(float(np.var(w)) - 2 / (fan_in + fan_out)) <= 0.03 * 2 / (fan_in + fan_out)
    assert abs(float(np.mean(w))) <= 5 * bound / math.sqrt(3 * w.size)


@pytest.mark.parametrize("shape", [(300, 200), (32, 8, 5, 5)])
def test_glorot_uniform_has_the_interval_of_torch_xavier_uniform(shape):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    torch_weights = torch.nn.init.xavier_uniform_(torch.empty(shape, dtype=torch.float64)).numpy()
    ours = glorot_uniform(shape, np.random.default_rng(0), np.float64)
    np.testing.assert_allclose(np.abs(ours).max(), np.abs(torch_weights).max(), rtol=2e-3)
    np.testing.assert_allclose(ours.var(), torch_weights.var(), rtol=0.05)


def test_zeros():
    w = zeros((3, 4), np.random.default_rng(0), np.float64)
    assert w.shape == (3, 4) and w.dtype == np.float64
    assert not np.any(w)


@pytest.mark.parametrize("init", [zeros, normal(0.1), xavier, he, glorot_uniform])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, "float32"])
def test_initializers_return_the_requested_dtype(init, dtype):
    assert init((5, 6), np.random.default_rng(1), dtype).dtype == np.dtype(dtype)


@pytest.mark.parametrize("init", [zeros, normal(0.1), xavier, he, glorot_uniform])
def test_integer_dtype_is_refused(init):
    with pytest.raises(TypeError, match="dtype"):
        init((2, 2), np.random.default_rng(0), np.int32)


@pytest.mark.parametrize("init", [normal(0.1), xavier, he, glorot_uniform])
def test_same_seed_same_weights_and_dtype_independent(init):
    a = init((20, 30), np.random.default_rng(42), np.float64)
    b = init((20, 30), np.random.default_rng(42), np.float64)
    c = init((20, 30), np.random.default_rng(43), np.float64)
    single = init((20, 30), np.random.default_rng(42), np.float32)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    assert np.array_equal(single, a.astype(np.float32))


@pytest.mark.parametrize("init", [he, glorot_uniform])
def test_rng_must_be_a_generator(init):
    with pytest.raises(TypeError, match="rng"):
        init((2, 2), 0, np.float32)


@pytest.mark.parametrize(
    "name, function", [("zeros", zeros), ("xavier", xavier), ("he", he), ("glorot_uniform", glorot_uniform)]
)
def test_get_initializer_by_name(name, function):
    assert get_initializer(name) is function


def test_get_initializer_normal_by_name_is_the_textbook_std():
    w = get_initializer("normal")((400, 500), np.random.default_rng(0), np.float64)
    _assert_gaussian(w, 0.01)


@pytest.mark.parametrize("std", [0.05, 1, np.float32(0.25)])
def test_get_initializer_from_a_number_is_normal_with_that_std(std):
    w = get_initializer(std)((400, 500), np.random.default_rng(0), np.float64)
    _assert_gaussian(w, float(std))


def test_get_initializer_returns_a_callable_unchanged():
    def custom(shape, rng, dtype):
        return np.ones(shape, dtype)

    assert get_initializer(custom) is custom


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="init") as error:
        get_initializer("glorot")
    message = str(error.value)
    assert "'glorot'" in message
    assert all(name in message for name in INITIALIZER_NAMES)


@pytest.mark.parametrize("std", [-0.1, float("nan"), float("inf")])
def test_bad_std_is_refused(std):
    with pytest.raises(ValueError, match="std"):
        get_initializer(std)
    with pytest.raises(ValueError, match="std"):
        normal(std)


@pytest.mark.parametrize("init", [None, True, [0.1], {"name": "he"}])
def test_init_of_a_wrong_type_is_refused(init):
    with pytest.raises(TypeError, match="init"):
        get_initializer(init)
