"""numnet.data.one_hot and numnet.data.batches."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from numnet.data import batches, one_hot


def test_one_hot_by_hand():
    encoded = one_hot(np.array([2, 0, 1, 2]), 3)
    assert encoded.dtype == np.float32
    np.testing.assert_array_equal(encoded, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    assert one_hot([1], 2, dtype="float64").dtype == np.float64
    np.testing.assert_array_equal(one_hot(np.array([[0], [1]], dtype=np.uint8), 2), [[[1, 0]], [[0, 1]]])
    assert one_hot(np.array([], dtype=np.int64), 4).shape == (0, 4)


@pytest.mark.parametrize(
    "labels, n_classes, error, message",
    [
        ([0, 3], 3, ValueError, r"labels must lie in \[0, 3\).*got values in \[0, 3\]"),
        ([-1, 0], 3, ValueError, r"got values in \[-1, 0\]"),
        ([0.0, 1.0], 3, TypeError, "labels must be an array of integer class ids, got dtype float64"),
        ([0, 1], 0, ValueError, "n_classes must be a positive integer"),
        ([0, 1], True, ValueError, "n_classes must be a positive integer"),
    ],
)
def test_one_hot_rejects_bad_input(labels, n_classes, error, message):
    with pytest.raises(error, match=message):
        one_hot(labels, n_classes)


def indexed_data(n: int) -> tuple[np.ndarray, np.ndarray]:
    """x whose rows carry their index, and t = 10 * index, to check pairing and coverage."""
    x = np.repeat(np.arange(n, dtype=np.float64)[:, None], 3, axis=1)
    return x, 10 * np.arange(n)


def test_every_sample_exactly_once_paired_with_its_label():
    x, t = indexed_data(103)
    seen = []
    for xb, tb in batches(x, t, batch_size=10, seed=0):
        np.testing.assert_array_equal(tb, 10 * xb[:, 0])
        seen.extend(xb[:, 0].astype(int))
    assert sorted(seen) == list(range(103))


def test_last_partial_batch_is_yielded():
    x, t = indexed_data(103)
    sizes = [len(xb) for xb, _ in batches(x, t, batch_size=25, shuffle=False)]
    assert sizes == [25, 25, 25, 25, 3]
    assert [len(xb) for xb, _ in batches(x, t, batch_size=200)] == [103]
    assert list(batches(x[:0], t[:0], batch_size=4)) == []


def test_without_shuffle_the_order_is_kept():
    x, t = indexed_data(10)
    order = np.concatenate([tb for _, tb in batches(x, t, batch_size=3, shuffle=False)])
    np.testing.assert_array_equal(order, t)


def order_of(x, t, **kwargs) -> np.ndarray:
    return np.concatenate([tb for _, tb in batches(x, t, batch_size=7, **kwargs)]) // 10


def test_shuffle_is_deterministic_by_seed_and_changes_the_order():
    x, t = indexed_data(50)
    first = order_of(x, t, seed=3)
    np.testing.assert_array_equal(order_of(x, t, seed=3), first)
    assert not np.array_equal(first, np.arange(50))
    assert not np.array_equal(order_of(x, t, seed=4), first)
    np.testing.assert_array_equal(first, np.random.default_rng(3).permutation(50))


def test_a_generator_gives_a_new_order_each_epoch():
    x, t = indexed_data(50)
    rng = np.random.default_rng(0)
    epoch1, epoch2 = order_of(x, t, seed=rng), order_of(x, t, seed=rng)
    assert not np.array_equal(epoch1, epoch2)
    assert sorted(epoch1) == sorted(epoch2) == list(range(50))


def test_batches_are_independent_new_arrays():
    x, t = indexed_data(12)
    x_before = x.copy()
    collected = list(batches(x, t, batch_size=4, shuffle=False))
    for i, (xb, _) in enumerate(collected):  # earlier batches survive later ones
        np.testing.assert_array_equal(xb[:, 0], np.arange(4 * i, 4 * i + 4))
    collected[0][0][...] = -1
    np.testing.assert_array_equal(x, x_before)


def test_images_and_one_hot_labels_keep_their_trailing_shape_and_dtype():
    x = np.zeros((9, 1, 28, 28), dtype=np.float32)
    t = one_hot(np.arange(9) % 10, 10)
    xb, tb = next(batches(x, t, batch_size=4))
    assert xb.shape == (4, 1, 28, 28) and xb.dtype == np.float32
    assert tb.shape == (4, 10) and tb.dtype == np.float32


def test_iterating_never_copies_the_dataset():
    x = np.ones((100_000, 100), dtype=np.float32)  # 40 MB
    t = np.zeros(100_000, dtype=np.int64)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        count = sum(len(xb) for xb, _ in batches(x, t, batch_size=1000, seed=0))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 100_000
    assert peak < x.nbytes / 10  # a permutation (0.8 MB) and a few batches (0.4 MB each)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"t": np.zeros(9)}, ValueError, r"same number of samples, got x of shape \(10, 3\) and t of shape \(9,\)"),
        ({"batch_size": 0}, ValueError, "batch_size must be a positive integer, got 0"),
        ({"batch_size": 2.0}, ValueError, "batch_size must be a positive integer, got 2.0"),
        ({"x": np.float64(1.0)}, ValueError, "leading sample axis"),
        ({"shuffle": "yes"}, TypeError, "shuffle must be a bool"),
        ({"seed": 1.5}, TypeError, "seed must be None, a non-negative int"),
    ],
)
def test_bad_arguments_fail_at_the_call_not_at_the_first_batch(kwargs, error, message):
    arguments = {"x": np.zeros((10, 3)), "t": np.zeros(10), "batch_size": 4, **kwargs}
    with pytest.raises(error, match=message):
        batches(**arguments)  # not iterated
