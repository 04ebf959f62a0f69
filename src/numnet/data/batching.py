"""Mini-batches and one-hot labels."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from numnet._checks import Seed, as_generator, check_positive_int

__all__ = ["batches", "one_hot"]


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
    check_positive_int("batch_size", batch_size)
    if not isinstance(shuffle, (bool, np.bool_)):
        raise TypeError(f"shuffle must be a bool, got {type(shuffle).__name__}")
    rng = as_generator(seed)
    order = rng.permutation(len(x)) if shuffle else None
    return _gather(x, t, order, int(batch_size))


def _gather(
    x: NDArray, t: NDArray, order: NDArray[np.intp] | None, batch_size: int
) -> Iterator[tuple[NDArray, NDArray]]:
    for start in range(0, len(x), batch_size):
        stop = min(start + batch_size, len(x))
        index = np.arange(start, stop) if order is None else order[start:stop]
        yield np.take(x, index, axis=0), np.take(t, index, axis=0)
