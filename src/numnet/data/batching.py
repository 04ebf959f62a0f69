"""Mini-batches, train/validation splits and one-hot labels."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from numnet._checks import Seed, as_generator, check_positive_int

__all__ = ["batches", "batch_indices", "train_validation_split", "one_hot"]


def one_hot(labels: ArrayLike, n_classes: int, dtype: DTypeLike = "float32") -> NDArray:
    """One-hot encoding of integer class ids: shape ``labels.shape + (n_classes,)``.

    ``labels`` must hold integers (any integer dtype) in ``[0, n_classes)``;
    anything else raises ``TypeError`` / ``ValueError`` naming the argument.
    """
    check_positive_int("n_classes", n_classes)
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"labels must be an array of integer class ids, got dtype {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(
            f"labels must lie in [0, {n_classes}) for n_classes={n_classes}, "
            f"got values in [{labels.min()}, {labels.max()}]"
        )
    flat = labels.reshape(-1)
    encoded = np.zeros((flat.size, n_classes), dtype=dtype)
    encoded[np.arange(flat.size), flat] = 1
    return encoded.reshape(*labels.shape, n_classes)


def batches(
    x: ArrayLike,
    t: ArrayLike,
    batch_size: int,
    shuffle: bool = True,
    seed: Seed = None,
) -> Iterator[tuple[NDArray, NDArray]]:
    """Iterate once over ``(x, t)`` in mini-batches ``(x_batch, t_batch)``.

    ``x`` is ``(N, ...)`` and ``t`` is ``(N, ...)`` (labels ``(N,)`` or
    one-hot ``(N, K)``); every sample appears exactly once. With ``shuffle``
    the order is a fresh permutation drawn from ``seed`` (an int for a
    reproducible order, a ``Generator`` whose state advances so that each
    call - each epoch - gets a new order, or ``None``). The last batch holds
    the ``N % batch_size`` remaining samples when ``N`` is not a multiple of
    ``batch_size``.

    Each batch is gathered by index into a new array: the dataset itself is
    never copied, and a batch stays valid (and may be modified) after the
    iteration moves on. Arguments are checked when ``batches`` is called, not
    at the first ``next``.
    """
    x = np.asarray(x)
    t = np.asarray(t)
    if x.ndim == 0 or t.ndim == 0:
        raise ValueError(f"x and t must be arrays with a leading sample axis, got shapes {x.shape} and {t.shape}")
    if len(x) != len(t):
        raise ValueError(
            f"x and t must hold the same number of samples, got x of shape {x.shape} and t of shape {t.shape}"
        )
    return _gather(x, t, batch_indices(len(x), batch_size, shuffle, seed))


def _gather(x: NDArray, t: NDArray, indices: Iterator[NDArray[np.intp]]) -> Iterator[tuple[NDArray, NDArray]]:
    for index in indices:
        yield np.take(x, index, axis=0), np.take(t, index, axis=0)


def batch_indices(n: int, batch_size: int, shuffle: bool = True, seed: Seed = None) -> Iterator[NDArray[np.intp]]:
    """The sample indices of each mini-batch of one pass over ``n`` samples (see :func:`batches`).

    Arguments are checked and the permutation drawn when it is called, not at the first ``next``.
    """
    check_positive_int("batch_size", batch_size)
    if not isinstance(shuffle, (bool, np.bool_)):
        raise TypeError(f"shuffle must be a bool, got {type(shuffle).__name__}")
    order = as_generator(seed).permutation(n) if shuffle else None
    return _index_batches(n, int(batch_size), order)


def _index_batches(n: int, batch_size: int, order: NDArray[np.intp] | None) -> Iterator[NDArray[np.intp]]:
    for start in range(0, n, batch_size):
        stop = min(start + batch_size, n)
        yield np.arange(start, stop) if order is None else order[start:stop]


def train_validation_split(
    n: int, fraction: float, seed: Seed = None, labels: ArrayLike | None = None
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Indices ``(train, validation)`` that hold out ``fraction`` of ``n`` samples, at random.

    With ``labels`` (N,) the split is stratified: each class gives
    round(fraction x its count) samples (at least one when it has two or
    more), so the validation set keeps the class proportions. Both index
    arrays are sorted, so the data keep their order.

    Raises:
        ValueError: ``fraction`` is not in (0, 1), or leaves no sample on one side.
    """
    if isinstance(fraction, bool) or not isinstance(fraction, (float, int)) or not 0 < fraction < 1:
        raise ValueError(f"validation_split must be a fraction in (0, 1), got {fraction!r}")
    rng = as_generator(seed)
    if labels is None:
        groups = [np.arange(n)]
    else:
        labels = np.asarray(labels)
        if labels.shape != (n,):
            raise ValueError(f"labels must have shape ({n},) to stratify the split, got {labels.shape}")
        groups = [np.flatnonzero(labels == value) for value in np.unique(labels)]
    held_out = []
    for group in groups:
        count = round(fraction * len(group))
        if len(group) >= 2:
            count = min(max(count, 1), len(group) - 1)
        held_out.append(rng.permutation(group)[:count])
    validation = np.sort(np.concatenate(held_out)).astype(np.intp)
    if len(validation) == 0 or len(validation) == n:
        raise ValueError(
            f"validation_split={fraction} of {n} samples leaves {n - len(validation)} for training and "
            f"{len(validation)} for validation; both need at least one"
        )
    train = np.setdiff1d(np.arange(n), validation, assume_unique=True).astype(np.intp)
    return train, validation
