"""Layers over a word's context axis: ``ContextMean`` (CBOW's average of the context
vectors) and ``ContextRepeat`` (one prediction scored against every context word)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from numnet._checks import check_positive_int
from numnet.layers.base import Layer, check_dout

__all__ = ["ContextMean", "ContextRepeat"]


class ContextMean(Layer):
    """The mean over the context axis: (N, C, D) -> (N, D).

    CBOW's hidden layer ``h = (W_in[c_1] + ... + W_in[c_C]) / C`` is an
    :class:`~numnet.layers.Embedding` of the C context ids followed by this layer.
    backward spreads ``dout / C`` over the C positions.
    """

    def __init__(self) -> None:
        super().__init__()
        self.x_shape: tuple[int, ...] | None = None

    def forward(self, x: ArrayLike, train: bool = True) -> NDArray:
        x = np.asarray(x)
        if x.ndim != 3 or x.shape[1] == 0:
            raise ValueError(f"{self!r}: x must have shape (N, C, D) with C >= 1 context words, got {x.shape}")
        self.x_shape = x.shape
        return x.mean(axis=1)

    def backward(self, dout: ArrayLike) -> NDArray:
        shape = None if self.x_shape is None else (self.x_shape[0], self.x_shape[2])
        dout = check_dout(self, dout, shape)
        assert self.x_shape is not None
        return np.broadcast_to((dout / self.x_shape[1])[:, None, :], self.x_shape).copy()


class ContextRepeat(Layer):
    """The same vector for each of ``count`` context positions: (N, K) -> (N, count, K).

    The simple skip-gram scores its one prediction (N, V) against each of its
    2 * window_size context words; repeating it lets ``SoftmaxWithLoss`` take
    the contexts (N, count) as labels. backward sums the positions' gradients.
    """

    def __init__(self, count: int) -> None:
        super().__init__()
        check_positive_int("count", count)
        self.count = int(count)
        self.x_shape: tuple[int, ...] | None = None

    def forward(self, x: ArrayLike, train: bool = True) -> NDArray:
        x = np.asarray(x)
        if x.ndim != 2:
            raise ValueError(f"{self!r}: x must have shape (N, K), got {x.shape}")
        self.x_shape = x.shape
        return np.repeat(x[:, None, :], self.count, axis=1)

    def backward(self, dout: ArrayLike) -> NDArray:
        shape = None if self.x_shape is None else (self.x_shape[0], self.count, self.x_shape[1])
        return check_dout(self, dout, shape).sum(axis=1)

    def get_config(self) -> dict[str, Any]:
        return {"count": self.count}
