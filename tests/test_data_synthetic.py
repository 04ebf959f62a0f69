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


# ------------------------------------------------------ the course's data sets


def course_planar_dataset(seed: int = 1, m: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """The deeplearning.ai ``load_planar_dataset`` (planar_utils.py), step by step as the course writes it."""
    np.random.seed(seed)  # noqa: NPY002 - the course's own global-state calls, to compare against
    n = m // 2
    X = np.zeros((m, 2))
    Y = np.zeros((m, 1), dtype="uint8")
    for j in range(2):
        ix = range(n * j, n * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, n) + np.random.randn(n) * 0.2  # noqa: NPY002
        r = 4 * np.sin(4 * t) + np.random.randn(n) * 0.2  # noqa: NPY002
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[ix] = j
    return X.T, Y.T


@pytest.fixture
def global_random_state():
    """Keep NumPy's global random state as it was around a test that calls np.random.seed."""
    state = np.random.get_state()  # noqa: NPY002
    yield
    np.random.set_state(state)  # noqa: NPY002


@pytest.mark.usefixtures("global_random_state")
def test_course_mode_is_the_courses_flower_bit_for_bit():
    X, Y = course_planar_dataset()
    x, labels = make_planar(mode="course", dtype="float64")
    np.testing.assert_array_equal(x, X.T)
    np.testing.assert_array_equal(labels, Y[0])
    # the float32 default is the same data, rounded
    np.testing.assert_array_equal(make_planar(mode="course")[0], X.T.astype(np.float32))
    X7, _ = course_planar_dataset(seed=7, m=100)
    np.testing.assert_array_equal(make_planar(100, seed=7, mode="course", dtype="float64")[0], X7.T)


def test_course_mode_leaves_numpys_global_state_alone():
    before = np.random.get_state()[1].copy()  # noqa: NPY002
    make_planar(mode="course")
    np.testing.assert_array_equal(np.random.get_state()[1], before)  # noqa: NPY002


@pytest.mark.parametrize(("make", "reference"), [("make_circles", "make_circles"), ("make_moons", "make_moons")])
@pytest.mark.parametrize("n_samples", [7, 100, 201])
def test_circles_and_moons_are_scikit_learns_without_noise(make, reference, n_samples):
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    from numnet import data

    x, labels = getattr(data, make)(n_samples, dtype="float64")
    x_ref, labels_ref = getattr(sklearn_datasets, reference)(n_samples, shuffle=False)
    np.testing.assert_allclose(x, x_ref, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(labels, labels_ref)
    assert labels.dtype == np.int64 and data.make_circles()[0].dtype == np.float32


def test_circles_radii_and_noise():
    from numnet.data import make_circles, make_moons

    x, labels = make_circles(200, factor=0.5, dtype="float64")
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), np.where(labels == 0, 1.0, 0.5))
    noisy, _ = make_circles(4000, noise=0.3, factor=0.5, seed=0, dtype="float64")
    clean, _ = make_circles(4000, factor=0.5, dtype="float64")
    assert np.std(noisy - clean) == pytest.approx(0.3, rel=0.05)
    np.testing.assert_array_equal(make_moons(50, noise=0.2, seed=3)[0], make_moons(50, noise=0.2, seed=3)[0])
    assert not np.array_equal(make_moons(50, noise=0.2, seed=3)[0], make_moons(50, noise=0.2, seed=4)[0])


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: make_planar(mode="sklearn"), ValueError, "mode must be one of"),
        (lambda: make_planar(seed=np.random.default_rng(0), mode="course"), TypeError, "seed must be an int"),
        (lambda: make_planar(seed=-1, mode="course"), ValueError, r"seed must be in \[0, 2\*\*32\)"),
    ],
)
def test_planar_mode_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda d: d.make_circles(1), "n_samples must be an integer >= 2"),
        (lambda d: d.make_circles(factor=1.0), r"factor must be a number in \[0, 1\)"),
        (lambda d: d.make_moons(noise=-0.1), "noise must be a number >= 0"),
        (lambda d: d.make_moons(noise="a"), "noise must be a number >= 0"),
    ],
)
def test_circles_and_moons_errors(call, message):
    from numnet import data

    with pytest.raises(ValueError, match=message):
        call(data)
