"""numnet.data synthetic datasets: spiral, planar flower, XOR."""

from __future__ import annotations

import numpy as np
import pytest

from numnet.data import make_planar, make_spiral, make_xor


def test_spiral_shapes_dtypes_and_balance():
    x, labels = make_spiral(n_per_class=50, n_classes=4, seed=0)
    assert x.shape == (200, 2) and x.dtype == np.float32
    assert labels.shape == (200,) and labels.dtype == np.int64
    np.testing.assert_array_equal(labels, np.repeat(np.arange(4), 50))


def test_spiral_radius_runs_evenly_from_0_to_1_in_each_arm():
    # the noise is on the angle only, so |x| is exactly the radius linspace(0, 1)
    x, _ = make_spiral(n_per_class=11, n_classes=3, seed=1)
    radius = np.linalg.norm(x.astype(np.float64), axis=1).reshape(3, 11)
    np.testing.assert_allclose(radius, np.tile(np.linspace(0, 1, 11), (3, 1)), atol=1e-6)


def test_spiral_arm_angles_follow_4k_plus_4r_up_to_noise():
    x, labels = make_spiral(n_per_class=200, n_classes=3, seed=2)
    radius = np.linalg.norm(x.astype(np.float64), axis=1)
    angle = np.arctan2(x[:, 0], x[:, 1])  # the point is (r sin a, r cos a)
    expected = 4.0 * (labels + radius)
    wrapped = np.angle(np.exp(1j * (angle - expected)))  # difference modulo 2 pi
    keep = radius > 0
    assert abs(wrapped[keep].mean()) < 0.05 and 0.15 < wrapped[keep].std() < 0.25


def test_planar_shapes_balance_and_petal_radius():
    x, labels = make_planar(m=400, seed=0)
    assert x.shape == (400, 2) and x.dtype == np.float32
    assert labels.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(labels), [200, 200])
    radius = np.linalg.norm(x, axis=1)
    # r = 4 sin(4t) + noise with noise std 0.2: never much beyond 4
    assert radius.max() < 4 + 6 * 0.2 and radius.max() > 3.5


def test_xor_is_the_truth_table():
    x, labels = make_xor()
    assert x.dtype == np.float32 and labels.dtype == np.int64
    np.testing.assert_array_equal(x, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(labels, [0, 1, 1, 0])
    np.testing.assert_array_equal(labels, np.logical_xor(x[:, 0], x[:, 1]))


@pytest.mark.parametrize("make", [lambda s: make_spiral(seed=s), lambda s: make_planar(seed=s)])
def test_same_seed_same_data_and_generators_advance(make):
    x1, t1 = make(7)
    x2, t2 = make(7)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(t1, t2)
    assert not np.array_equal(make(8)[0], x1)
    rng = np.random.default_rng(7)
    first, second = make(rng)[0], make(rng)[0]
    np.testing.assert_array_equal(first, x1)  # a Generator seeded 7 gives the seed-7 data...
    assert not np.array_equal(second, first)  # ...and its state advances


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: make_spiral(n_per_class=0), ValueError, "n_per_class must be an integer >= 1"),
        (lambda: make_spiral(n_classes=2.5), ValueError, "n_classes must be an integer"),
        (lambda: make_planar(m=401), ValueError, "m must be even"),
        (lambda: make_planar(m=0), ValueError, "m must be an integer >= 2"),
        (lambda: make_spiral(seed="a"), TypeError, "seed must be None, a non-negative int"),
        (lambda: make_planar(seed=-1), ValueError, "seed must be a non-negative int"),
    ],
)
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()
