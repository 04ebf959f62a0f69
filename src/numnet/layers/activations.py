"""Element-wise activation layers and Softmax.

Each layer keeps its input's float dtype (integer or boolean input is
computed in float64), returns its input gradient in that dtype too, caches
the least that its backward needs, and never mutates ``dout``. They have no parameters.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from numnet.functions import as_float_array, sigmoid, softmax
from numnet.layers.base import Layer, check_dout

__all__ = ["Sigmoid", "ReLU", "LeakyReLU", "Tanh", "Identity", "Softmax"]


class Sigmoid(Layer):
    """y = 1 / (1 + exp(-x)); dx = dout * y * (1 - y). Caches y."""

    def __init__(self) -> None:
        super().__init__()
        self.out: NDArray | None = None

    def forward(self, x: ArrayLike, train: bool = True) -> NDArray:
        self.out = sigmoid(as_float_array(x, "x"))
        return self.out

    def backward(self, dout: ArrayLike) -> NDArray:
        y = self.out
        dout = check_dout(self, dout, y)
        assert y is not None
        dx = 1 - y
        dx *= y
        dx *= dout
        return dx


class ReLU(Layer):
    """y = max(x, 0); dx = dout where x > 0, else 0 (also at x = 0). Caches the mask x > 0."""

    def __init__(self) -> None:
        super().__init__()
        self.mask: NDArray[np.bool_] | None = None
        self.dtype: np.dtype | None = None

    def forward(self, x: ArrayLike, train: bool = True) -> NDArray:
        x = as_float_array(x, "x")
        self.mask, self.dtype = x > 0, x.dtype
        return np.maximum(x, 0)

    def backward(self, dout: ArrayLike) -> NDArray:
        mask = self.mask
        dout = check_dout(self, dout, mask, self.dtype)
        assert mask is not None
        return dout * mask


class LeakyReLU(Layer):
    """y = x where x > 0, else alpha * x; dx = dout where x > 0, else alpha * dout.

    Args:
        alpha: the slope for x <= 0 (0 gives ReLU).
    """

    def __init__(self, alpha: float = 0.01) -> None:
        super().__init__()
        if isinstance(alpha, bool) or not isinstance(alpha, Real) or not math.isfinite(alpha):
            raise ValueError(f"LeakyReLU: alpha must be a finite real number, got {alpha!r}")
        self.alpha: float = float(alpha)
        self.mask: NDArray[np.bool_] | None = None
        self.dtype: np.dtype | None = None

    def forward(self, x: ArrayLike, train: bool = True) -> NDArray:
        x = as_float_array(x, "x")
        self.mask, self.dtype = x > 0, x.dtype
        return np.where(self.mask, x, self.alpha * x)

    def backward(self, dout: ArrayLike) -> NDArray:
        mask = self.mask
        dout = check_dout(self, dout, mask, self.dtype)
        assert mask is not None
        return np.where(mask, dout, self.alpha * dout)

    def get_config(self) -> dict[str, Any]:
        return {"alpha": self.alpha}


class Tanh(Layer):
    """y = tanh(x); dx = dout * (1 - y^2). Caches y."""

    def __init__(self) -> None:
        super().__init__()
        self.out: NDArray | None = None

    def forward(self, x: ArrayLike, train: bool = True) -> NDArray:
        self.out = np.tanh(as_float_array(x, "x"))
        return self.out

    def backward(self, dout: ArrayLike) -> NDArray:
        y = self.out
        dout = check_dout(self, dout, y)
        assert y is not None
        dx = y * y
        np.subtract(1, dx, out=dx)
        dx *= dout
        return dx


class Identity(Layer):
    """y = x; dx = dout (both passed through without a copy)."""

    def __init__(self) -> None:
        super().__init__()
        self.x_shape: tuple[int, ...] | None = None
        self.dtype: np.dtype | None = None

    def forward(self, x: ArrayLike, train: bool = True) -> NDArray:
        x = as_float_array(x, "x")
        self.x_shape, self.dtype = x.shape, x.dtype
        return x

    def backward(self, dout: ArrayLike) -> NDArray:
        return check_dout(self, dout, self.x_shape, self.dtype)


class Softmax(Layer):
    """y = softmax(x) along the last axis; dx = y * (dout - sum(dout * y, last axis)). Caches y."""

    def __init__(self) -> None:
        super().__init__()
        self.out: NDArray | None = None

    def forward(self, x: ArrayLike, train: bool = True) -> NDArray:
        x = as_float_array(x, "x")
        if x.ndim < 1:
            raise ValueError(f"{self!r}: x must have a class axis, shape (..., K), got a scalar")
        self.out = softmax(x, axis=-1)
        return self.out

    def backward(self, dout: ArrayLike) -> NDArray:
        y = self.out
        dout = check_dout(self, dout, y)
        assert y is not None
        dx = dout - np.sum(dout * y, axis=-1, keepdims=True)
        dx *= y
        return dx
