"""Word embeddings: integer ids in, rows of a weight matrix out."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from numnet._checks import check_ids, check_positive_int
from numnet.initializers import Initializer, describe_init, get_initializer
from numnet.layers.base import ArraySpec, Layer, check_dout

__all__ = ["Embedding", "check_ids", "add_rows"]


#: Cells (ids x columns, and rows x columns) that one np.bincount call of add_rows covers at most.
_BINCOUNT_CELLS = 1 << 22


def add_rows(out: NDArray, ids: NDArray[np.intp], values: NDArray) -> None:
    """``out[ids[p]] += values[p]`` for every position p, repeated ids summed; in place.

    ``ids`` (...) and ``values`` (..., D) with ``out`` (V, D); no Python loop over
    ids. Fewer ids than half the rows (a word2vec batch) go through ``np.add.at``,
    whose cost grows with the ids. More (a large batch over a small table) are
    summed by ``np.bincount`` with each (row, column) cell a bin weighted by the
    values, in float64, a few columns at a time so that the temporary arrays stay
    within tens of megabytes; its cost grows with ids + rows, and for many ids it
    beats ``np.add.at`` (and sorting the ids to sum each run with
    ``np.add.reduceat``): see bench/README.md.
    """
    rows, width = out.shape
    ids = ids.reshape(-1)
    values = values.reshape(len(ids), width)
    if 2 * len(ids) < rows:
        np.add.at(out, ids, values)
        return
    chunk = int(np.clip(_BINCOUNT_CELLS // max(len(ids), rows, 1), 1, width))
    for start in range(0, width, chunk):
        stop = min(start + chunk, width)
        cells = (ids[:, None] * (stop - start) + np.arange(stop - start)).reshape(-1)
        sums = np.bincount(cells, weights=values[:, start:stop].reshape(-1), minlength=rows * (stop - start))
        out[:, start:stop] += sums.reshape(rows, stop - start)


class Embedding(Layer):
    """Look up one row of ``W`` (vocab_size, embedding_dim) per id: (N, ...) ids -> (N, ..., embedding_dim).

    forward gathers ``W[ids]``. backward adds each position's gradient into
    the row of its id (an id that occurs several times in the batch collects
    the sum of its gradients) with :func:`add_rows`, without a Python loop.
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
        self.dW.fill(0)
        add_rows(self.dW, self.ids, dout)

    def get_config(self) -> dict[str, Any]:
        return {"vocab_size": self.vocab_size, "embedding_dim": self.embedding_dim, "init": self.init}

    @classmethod
    def from_config(cls, config: dict[str, Any], dtype: DTypeLike = np.float32) -> Embedding:
        layer = cls(config["vocab_size"], config["embedding_dim"], init="zeros", dtype=dtype)
        layer.init = config.get("init", 0.01)
        return layer

    @classmethod
    def array_specs(cls, config: dict[str, Any]) -> dict[str, ArraySpec]:
        """W (vocab_size, embedding_dim)."""
        check_positive_int("vocab_size", config["vocab_size"])
        check_positive_int("embedding_dim", config["embedding_dim"])
        return cls._specs({"W": (config["vocab_size"], config["embedding_dim"])})
