"""Dropout (Srivastava et al., 2014), in its inverted form."""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from numnet.functions import as_float_array
from numnet.layers.base import Layer, check_dout

__all__ = ["Dropout"]


class Dropout(Layer):
    """Zero each input with probability ``rate`` in training; identity at inference.

    Inverted dropout: the kept values are scaled by 1 / (1 - rate) during
    training, so that every output keeps its expected value and inference
    (``train=False``) needs no rescaling.

    Args:
        rate: probability of dropping a value, in [0, 1).
        rng: the ``numpy.random.Generator`` the masks are drawn from (or a
            seed for one). The attribute ``rng`` is read at every training
            forward pass, so a model may replace it with its own seeded
            generator; when it is ``None`` a fresh unseeded generator is
            created (and kept) at the first use.
    """

    def __init__(self, rate: float = 0.5, rng: np.random.Generator | int | None = None) -> None:
        super().__init__()
        if isinstance(rate, bool) or not isinstance(rate, Real):
            raise TypeError(f"Dropout: rate must be a number in [0, 1), got {type(rate).__name__} {rate!r}")
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"Dropout: rate must be in [0, 1), got {rate!r}")
        self.rate: float = float(rate)
        self.rng: np.random.Generator | None = None if rng is None else np.random.default_rng(rng)
        self._mask: NDArray | None = None  # the scaled mask, None after an inference pass
        self._shape: tuple[int, ...] | None = None

    def forward(self, x: ArrayLike, train: bool = True) -> NDArray:
        """Same shape and dtype as ``x`` (float32 or float64)."""
        x = as_float_array(x)
        self._shape = x.shape
        if not train:
            self._mask = None
            return x
        if self.rng is None:
            self.rng = np.random.default_rng()
        # One uniform draw per value, turned in place into the scaled mask:
        # 1 / (1 - rate) where kept (u >= rate), else 0.
        mask = self.rng.random(x.shape, dtype=x.dtype)
        np.multiply(mask >= self.rate, mask.dtype.type(1.0 / (1.0 - self.rate)), out=mask)
        self._mask = mask
        return x * mask

    def backward(self, dout: ArrayLike) -> NDArray:
        dout = check_dout(self, dout, self._shape)
        return dout if self._mask is None else dout * self._mask

    def get_config(self) -> dict[str, Any]:
        return {"rate": self.rate}
