"""Mini-batches, train/validation splits and one-hot labels."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from numnet._checks import Seed, as_generator, check_positive_int

__all__ = ["batches", "batch_indices", "bptt_batches", "train_validation_split", "one_hot"]


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


def bptt_batches(corpus: ArrayLike, batch_size: int, time_size: int) -> tuple[NDArray, NDArray]:
    """A long sequence cut for truncated backpropagation through time, as the book's RnnlmTrainer reads it.

    The corpus (L,) is read as ``batch_size`` streams starting at offsets
    spread evenly over it (stream i at ``i * jump``, jump = (L - 1) //
    batch_size), each cut into chunks of ``time_size`` steps; targets are the
    next ids. Returns ``(x, t)``, both (iterations * batch_size, time_size),
    in the order a stateful model must see them: rows ``k * batch_size`` to
    ``(k + 1) * batch_size - 1`` are iteration k, the chunk after iteration
    k - 1's in every stream. Train on them with ``batch_size`` and
    ``shuffle=False`` so that each stream's state carries over. There are
    ``(L - 1) // (batch_size * time_size)`` iterations; the ids left over at
    the end of each stream are not used.

    Raises:
        TypeError: ``corpus`` does not hold integer ids.
        ValueError: ``corpus`` is not 1-D, or shorter than one chunk per stream
            (``batch_size * time_size + 1`` ids).
    """
    check_positive_int("batch_size", batch_size)
    check_positive_int("time_size", time_size)
    corpus = np.asarray(corpus)
    if corpus.dtype.kind not in "iu":
        raise TypeError(f"corpus must be an array of integer ids, got dtype {corpus.dtype}")
    if corpus.ndim != 1:
        raise ValueError(f"corpus must be a 1-D sequence of ids, got shape {corpus.shape}")
    iterations = (len(corpus) - 1) // (batch_size * time_size)
    if iterations == 0:
        raise ValueError(
            f"time_size={time_size} is too long for a corpus of {len(corpus)} ids read as batch_size={batch_size} "
            f"streams: it needs at least batch_size * time_size + 1 = {batch_size * time_size + 1} ids"
        )
    jump = (len(corpus) - 1) // batch_size
    # start[k, i]: where iteration k of stream i begins
    start = np.arange(iterations)[:, None] * time_size + np.arange(batch_size)[None, :] * jump
    index = start.reshape(-1, 1) + np.arange(time_size)
    return corpus[index], corpus[index + 1]
