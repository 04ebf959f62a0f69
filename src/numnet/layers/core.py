"""Fully connected layers: ``Affine`` (wraps given W, b), ``Dense`` (creates them), ``TimeAffine``, ``Flatten``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from numnet._checks import check_positive_int
from numnet.initializers import Initializer, describe_init, get_initializer
from numnet.layers.base import ArraySpec, Layer, check_dout

__all__ = ["Affine", "Dense", "TimeAffine", "Flatten"]


class Affine(Layer):
    """Fully connected layer ``out = x @ W + b`` on given arrays (the textbook's Affine).

    Args:
        W: weights, a float array of shape (in_features, out_features).
        b: biases, shape (out_features,), W's dtype.

    The arrays are wrapped, not copied: the layer's ``params`` are ``W`` and
    ``b`` themselves, so an optimizer (or the caller) updating them in place
    updates the layer. ``grads`` are ``dW`` and ``db``, preallocated once and
    overwritten by every ``backward``.

    ``forward`` takes x of shape (N, in_features), or (N, d1, d2, ...) with
    d1*d2*... = in_features (e.g. images (N, C, H, W)), flattened per sample;
    ``backward`` gives dx back in x's shape. The layer computes in W's dtype:
    an x of another numeric dtype is cast once, on the way in.
    """

    param_names = ("W", "b")

    def __init__(self, W: NDArray, b: NDArray) -> None:
        super().__init__()
        self._check_params(W, b)
        self.W, self.b = W, b
        self.dW, self.db = np.zeros_like(W), np.zeros_like(b)
        self.params = [self.W, self.b]
        self.grads = [self.dW, self.db]
        self.x: NDArray | None = None  # the last input as (N, in_features), not copied
        self.x_shape: tuple[int, ...] | None = None

    @classmethod
    def _check_params(cls, W: Any, b: Any) -> None:
        name = cls.__name__
        if not isinstance(W, np.ndarray) or W.dtype.kind != "f":
            raise TypeError(
                f"{name}: W must be a float NumPy array, got {type(W).__name__} {getattr(W, 'dtype', '')}".rstrip()
            )
        if W.ndim != 2:
            raise ValueError(f"{name}: W must have shape (in_features, out_features), got shape {W.shape}")
        if not isinstance(b, np.ndarray) or b.shape != (W.shape[1],):
            raise ValueError(
                f"{name}: b must be an array of shape ({W.shape[1]},) to match W of shape "
                f"{W.shape}, got {type(b).__name__} of shape {np.shape(b)}"
            )
        if b.dtype != W.dtype:
            raise TypeError(f"{name}: b must have W's dtype {W.dtype}, got {b.dtype}")

    @property
    def in_features(self) -> int:
        return self.W.shape[0]

    @property
    def out_features(self) -> int:
        return self.W.shape[1]

    def forward(self, x: ArrayLike, train: bool = True) -> NDArray:
        """(N, in_features) or (N, ...) -> (N, out_features)."""
        x = np.asarray(x)
        if x.ndim < 2 or math.prod(x.shape[1:]) != self.in_features:
            raise ValueError(
                f"{self!r}: x must have shape (N, {self.in_features}), or (N, ...) with "
                f"{self.in_features} features per sample, got shape {x.shape}"
            )
        if x.dtype.kind not in "biuf":
            raise TypeError(f"{self!r}: x must be a numeric array, got dtype {x.dtype}")
        x_shape = x.shape
        self.x = x.reshape(x_shape[0], self.in_features).astype(self.W.dtype, copy=False)
        self.x_shape = x_shape
        out = self.x @ self.W
        out += self.b
        return out

    def backward(self, dout: ArrayLike) -> NDArray:
        """dout (N, out_features) -> dx = dout W^T in x's shape; writes dW and db (see backward_params)."""
        dout = self._param_grads(dout)
        assert self.x is not None
        if self.x.flags.f_contiguous and not self.x.flags.c_contiguous:
            # x came Fortran-ordered (the flattened view of a convolution's batch-innermost
            # output): give dx that layout too, so that the layer before sees the layout it made.
            return np.matmul(self.W, dout.T).T.reshape(self.x_shape)
        return (dout @ self.W.T).reshape(self.x_shape)

    def backward_params(self, dout: ArrayLike) -> None:
        """Writes dW = x^T dout and db = sum_n dout only, without the product for dx."""
        self._param_grads(dout)

    def _param_grads(self, dout: ArrayLike) -> NDArray:
        """Check ``dout``, write dW and db; return ``dout`` as an array in W's dtype."""
        shape = None if self.x is None else (self.x.shape[0], self.out_features)
        dout = check_dout(self, dout, shape, self.W.dtype)
        assert self.x is not None
        np.matmul(self.x.T, dout, out=self.dW)
        # np.sum's own reduction without its Python wrapper (a few µs on tiny batches). The product
        # ones^T @ dout is faster still but sums in another order, which changes trained weights
        # in the last bits (and with them scikit-learn's float32 subset-invariance check).
        np.add.reduce(dout, axis=0, out=self.db)
        return dout

    def get_config(self) -> dict[str, Any]:
        return {"in_features": self.in_features, "out_features": self.out_features}

    @classmethod
    def from_config(cls, config: dict[str, Any], dtype: DTypeLike = np.float32) -> Affine:
        """Zero arrays of the configured shape in ``dtype``; the saved values are loaded afterwards."""
        shape = (config["in_features"], config["out_features"])
        return cls(np.zeros(shape, dtype=dtype), np.zeros(shape[1], dtype=dtype))

    @classmethod
    def array_specs(cls, config: dict[str, Any]) -> dict[str, ArraySpec]:
        """W (in_features, out_features) and b (out_features,)."""
        check_positive_int("in_features", config["in_features"])
        check_positive_int("out_features", config["out_features"])
        return cls._specs({"W": (config["in_features"], config["out_features"]), "b": (config["out_features"],)})


class Dense(Affine):
    """An :class:`Affine` layer that creates its parameters: W drawn by ``init``, b zeros.

    Args:
        in_features: size of each input sample (C*H*W for image input).
        out_features: size of each output sample.
        init: a name (``"he"``, ``"xavier"``, ``"normal"``, ``"zeros"``), a
            float standard deviation, or a callable ``init(shape, rng, dtype)``
            (see :mod:`numnet.initializers`).
        rng: a ``numpy.random.Generator``, a seed, or None for a fresh one.
        dtype: the float dtype of the parameters and of the computation.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        init: str | float | Initializer = "he",
        rng: np.random.Generator | int | None = None,
        dtype: DTypeLike = np.float32,
    ) -> None:
        check_positive_int("in_features", in_features)
        check_positive_int("out_features", out_features)
        shape = (int(in_features), int(out_features))
        initializer = get_initializer(init)
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"Dense: dtype must be a floating dtype, got {dtype}")
        W = np.asarray(initializer(shape, np.random.default_rng(rng), dtype))
        if W.shape != shape or W.dtype != dtype:
            raise ValueError(
                f"Dense: init returned an array of shape {W.shape} and dtype {W.dtype}, "
                f"expected shape {shape} and dtype {dtype}"
            )
        super().__init__(W, np.zeros(shape[1], dtype=dtype))
        self.init = describe_init(init)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "init": self.init}

    @classmethod
    def from_config(cls, config: dict[str, Any], dtype: DTypeLike = np.float32) -> Dense:
        """A layer of the configured shape in ``dtype`` with zero arrays, loaded afterwards."""
        layer = cls(config["in_features"], config["out_features"], init="zeros", dtype=dtype)
        layer.init = config.get("init", "he")
        return layer


class TimeAffine(Affine):
    """An :class:`Affine` applied at every position: (N, ..., in_features) -> (N, ..., out_features).

    The second volume's TimeAffine: the same W and b for every time step (or
    any other leading axes), computed as one matrix product over the
    positions. ``Affine`` instead flattens each sample into one vector.
    """

    def forward(self, x: ArrayLike, train: bool = True) -> NDArray:
        """(N, ..., in_features) -> (N, ..., out_features)."""
        x = np.asarray(x)
        if x.ndim < 2 or x.shape[-1] != self.in_features:
            raise ValueError(f"{self!r}: x must have shape (N, ..., {self.in_features}), got shape {x.shape}")
        if x.dtype.kind not in "biuf":
            raise TypeError(f"{self!r}: x must be a numeric array, got dtype {x.dtype}")
        self.x_shape = x.shape
        self.x = x.reshape(-1, self.in_features).astype(self.W.dtype, copy=False)
        out = self.x @ self.W
        out += self.b
        return out.reshape(*x.shape[:-1], self.out_features)

    def backward(self, dout: ArrayLike) -> NDArray:
        """dout (N, ..., out_features) -> dx (N, ..., in_features); writes dW and db."""
        dout = self._param_grads(dout)
        assert self.x_shape is not None
        return (dout @ self.W.T).reshape(self.x_shape)

    def _param_grads(self, dout: ArrayLike) -> NDArray:
        shape = None if self.x_shape is None else (*self.x_shape[:-1], self.out_features)
        dout = check_dout(self, dout, shape, self.W.dtype).reshape(-1, self.out_features)
        assert self.x is not None
        np.matmul(self.x.T, dout, out=self.dW)
        np.sum(dout, axis=0, out=self.db)
        return dout


class Flatten(Layer):
    """(N, d1, d2, ...) -> (N, d1*d2*...); backward reshapes the gradient back. Keeps the dtype."""

    def __init__(self) -> None:
        super().__init__()
        self.x_shape: tuple[int, ...] | None = None

    def forward(self, x: ArrayLike, train: bool = True) -> NDArray:
        x = np.asarray(x)
        if x.ndim < 1:
            raise ValueError(f"{self!r}: x must have a batch axis, shape (N, ...), got a scalar")
        self.x_shape = x.shape
        return x.reshape(x.shape[0], math.prod(x.shape[1:]))

    def backward(self, dout: ArrayLike) -> NDArray:
        shape = None if self.x_shape is None else (self.x_shape[0], math.prod(self.x_shape[1:]))
        return check_dout(self, dout, shape).reshape(self.x_shape)
