"""Word embeddings: integer ids in, rows of a weight matrix out."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from numnet._checks import check_positive_int
from numnet.initializers import Initializer, describe_init, get_initializer
from numnet.layers.base import Layer, check_dout

__all__ = ["Embedding", "check_ids"]


def check_ids(ids: ArrayLike, vocab_size: int, name: str = "ids") -> NDArray[np.intp]:
    """``ids`` as an intp array, checked: integer dtype, every value in [0, vocab_size).

    Raises TypeError for a non-integer array (floats are never truncated into
    ids) and ValueError naming the first id out of range and where it is.
    """
    ids = np.asarray(ids)
    if ids.dtype.kind not in "iu":
        raise TypeError(f"{name} must be an array of integer ids, got dtype {ids.dtype}")
    if ids.size:
        bad = np.flatnonzero((ids < 0) | (ids >= vocab_size))
        if bad.size:
            index = tuple(int(i) for i in np.unravel_index(bad[0], ids.shape))
            raise ValueError(
                f"{name} holds id {ids.reshape(-1)[bad[0]]} at index {index}; expected ids in [0, {vocab_size})"
            )
    return ids.astype(np.intp, copy=False)


class Embedding(Layer):
    """Look up one row of ``W`` (vocab_size, embedding_dim) per id: (N, ...) ids -> (N, ..., embedding_dim).

    forward gathers ``W[ids]``. backward adds each position's gradient into
    the row of its id (an id that occurs several times in the batch collects
    the sum of its gradients), by sorting the ids and summing each run with
    ``np.add.reduceat`` instead of a Python loop or an unbuffered ``np.add.at``.
    Ids have no gradient: ``backward`` returns None.

    Args:
        vocab_size: number of rows (distinct ids).
        embedding_dim: length of each vector.
        init: initializer name, float standard deviation (the book's 0.01)
            or callable (see :mod:`numnet.initializers`).
        rng: a ``numpy.random.Generator``, a seed, or None.
        dtype: the float dtype of ``W``.
    """

    param_names = ("W",)
    input_kind = "ids"

    def __init__(
        self,
        vocab_size: int,
        embedding_dim: int,
        init: str | float | Initializer = 0.01,
        rng: np.random.Generator | int | None = None,
        dtype: DTypeLike = np.float32,
    ) -> None:
        super().__init__()
        check_positive_int("vocab_size", vocab_size)
        check_positive_int("embedding_dim", embedding_dim)
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"Embedding: dtype must be a floating dtype, got {dtype}")
        shape = (int(vocab_size), int(embedding_dim))
        self.W = np.asarray(get_initializer(init)(shape, np.random.default_rng(rng), dtype))
        if self.W.shape != shape or self.W.dtype != dtype:
            raise ValueError(f"Embedding: init returned shape {self.W.shape} {self.W.dtype}, expected {shape} {dtype}")
        self.dW = np.zeros_like(self.W)
        self.params, self.grads = [self.W], [self.dW]
        self.init = describe_init(init)
        self.ids: NDArray[np.intp] | None = None

    @property
    def vocab_size(self) -> int:
        return self.W.shape[0]

    @property
    def embedding_dim(self) -> int:
        return self.W.shape[1]

    def forward(self, x: ArrayLike, train: bool = True) -> NDArray:
        """ids (N, ...) -> vectors (N, ..., embedding_dim)."""
        ids = check_ids(x, self.vocab_size, "x")
        if ids.ndim < 1:
            raise ValueError(f"{self!r}: x must have a batch axis, shape (N, ...), got a scalar")
        self.ids = ids
        return self.W[ids]

    def backward(self, dout: ArrayLike) -> None:  # type: ignore[override]
        """Writes dW (rows of ids absent from the batch are zero); ids have no gradient, so returns None."""
        self.backward_params(dout)

    def backward_params(self, dout: ArrayLike) -> None:
        shape = None if self.ids is None else (*self.ids.shape, self.embedding_dim)
        dout = check_dout(self, dout, shape, self.W.dtype)
        assert self.ids is not None
        ids = self.ids.reshape(-1)
        order = np.argsort(ids, kind="stable")
        sorted_ids = ids[order]
        starts = np.flatnonzero(np.concatenate(([True], sorted_ids[1:] != sorted_ids[:-1])))
        self.dW.fill(0)
        self.dW[sorted_ids[starts]] = np.add.reduceat(dout.reshape(-1, self.embedding_dim)[order], starts, axis=0)

    def get_config(self) -> dict[str, Any]:
        return {"vocab_size": self.vocab_size, "embedding_dim": self.embedding_dim, "init": self.init}

    @classmethod
    def from_config(cls, config: dict[str, Any], dtype: DTypeLike = np.float32) -> Embedding:
        layer = cls(config["vocab_size"], config["embedding_dim"], init="zeros", dtype=dtype)
        layer.init = config.get("init", 0.01)
        return layer
