"""Batch normalization (Ioffe and Szegedy, 2015)."""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from numnet._checks import check_positive_int
from numnet.layers.base import ArraySpec, Layer, check_dout

__all__ = ["BatchNorm"]


class BatchNorm(Layer):
    """Normalize each feature over the batch, then scale by ``gamma`` and shift by ``beta``.

    ``out = gamma * (x - mean) / sqrt(var + eps) + beta``

    Works on vectors (N, D), with statistics per feature over N, and on images
    (N, C, H, W), with statistics per channel over N, H and W (spatial batch
    normalization); ``num_features`` is D or C.

    In training (``train=True``) mean and var are the batch's own, the
    *biased* variance (divided by the number of values, as in the textbook;
    PyTorch stores the unbiased one instead), and the running statistics move
    towards them: ``running = momentum * running + (1 - momentum) * batch``.
    At inference (``train=False``) the running statistics are used instead.

    Args:
        num_features: D or C.
        momentum: weight of the old running statistics, in [0, 1].
        eps: added to the variance, > 0.
        dtype: the float dtype of the parameters, the running statistics and
            the computation (an input of another dtype is cast on the way in).

    Attributes:
        gamma, beta: (num_features,) scale (ones) and shift (zeros); ``dgamma``,
        ``dbeta`` their gradients. ``running_mean`` (zeros) and ``running_var``
        (ones): (num_features,) state saved with the model.
    """

    param_names = ("gamma", "beta")
    state_names = ("running_mean", "running_var")

    def __init__(
        self,
        num_features: int,
        momentum: float = 0.9,
        eps: float = 1e-5,
        dtype: DTypeLike = "float32",
    ) -> None:
        super().__init__()
        check_positive_int("BatchNorm: num_features", num_features)
        if not isinstance(momentum, Real) or not 0.0 <= momentum <= 1.0:
            raise ValueError(f"BatchNorm: momentum must be a number in [0, 1], got {momentum!r}")
        if not isinstance(eps, Real) or not eps > 0.0:
            raise ValueError(f"BatchNorm: eps must be a number > 0, got {eps!r}")
        self.num_features: int = int(num_features)
        self.momentum: float = float(momentum)
        self.eps: float = float(eps)
        self.gamma: NDArray = np.ones(self.num_features, dtype=dtype)
        self.beta: NDArray = np.zeros(self.num_features, dtype=dtype)
        self.dgamma: NDArray = np.zeros_like(self.gamma)
        self.dbeta: NDArray = np.zeros_like(self.beta)
        self.params = [self.gamma, self.beta]
        self.grads = [self.dgamma, self.dbeta]
        self.running_mean: NDArray = np.zeros(self.num_features, dtype=dtype)
        self.running_var: NDArray = np.ones(self.num_features, dtype=dtype)
        self._x_hat: NDArray | None = None
        self._inv_std: NDArray | None = None
        self._batch_stats: bool = True

    def _check_input(self, x: NDArray) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """The reduction axes and the broadcast shape of per-feature vectors for ``x``."""
        ndim = np.ndim(x)
        if ndim not in (2, 4) or x.shape[1] != self.num_features:
            d = self.num_features
            raise ValueError(f"{self!r}: expected input of shape (N, {d}) or (N, {d}, H, W), got shape {np.shape(x)}")
        if ndim == 2:
            return (0,), (1, self.num_features)
        return (0, 2, 3), (1, self.num_features, 1, 1)

    def forward(self, x: ArrayLike, train: bool = True) -> NDArray:
        """Same shape as ``x``, (N, D) or (N, C, H, W)."""
        x = np.asarray(x)
        axes, shape = self._check_input(x)
        x = x.astype(self.gamma.dtype, copy=False)
        if train:
            mean = x.mean(axis=axes)
            centered = x - mean.reshape(shape)
            var = np.mean(np.square(centered), axis=axes)
            self.running_mean *= self.momentum
            self.running_mean += (1.0 - self.momentum) * mean
            self.running_var *= self.momentum
            self.running_var += (1.0 - self.momentum) * var
        else:
            centered = x - self.running_mean.reshape(shape)
            var = self.running_var
        inv_std = 1.0 / np.sqrt(var + self.eps)
        x_hat = centered
        x_hat *= inv_std.reshape(shape)
        self._x_hat, self._inv_std, self._batch_stats = x_hat, inv_std, train
        out = x_hat * self.gamma.reshape(shape)
        out += self.beta.reshape(shape)
        return out

    def backward(self, dout: ArrayLike) -> NDArray:
        """Same shape as ``dout``; writes ``dgamma = sum(dout * x_hat)``, ``dbeta = sum(dout)``.

        With batch statistics, mean and var depend on every input of the
        feature, which gives the compact form over the M = N (or N*H*W) values
        of a feature: ``dx = gamma / std * (dout - dbeta / M - x_hat * dgamma / M)``.
        With running statistics it is just ``dout * gamma / std``.
        """
        x_hat = self._x_hat
        dout = check_dout(self, dout, None if x_hat is None else x_hat.shape, self.gamma.dtype)
        assert x_hat is not None
        axes, shape = self._check_input(x_hat)
        np.sum(dout, axis=axes, out=self.dbeta)
        np.sum(dout * x_hat, axis=axes, out=self.dgamma)
        scale = (self.gamma * self._inv_std).reshape(shape)
        if not self._batch_stats:
            return dout * scale
        m = dout.size // self.num_features
        dx = x_hat * (self.dgamma / m).reshape(shape)
        np.subtract(dout, dx, out=dx)
        dx -= (self.dbeta / m).reshape(shape)
        dx *= scale
        return dx

    def get_config(self) -> dict[str, Any]:
        return {"num_features": self.num_features, "momentum": self.momentum, "eps": self.eps}

    @classmethod
    def from_config(cls, config: dict[str, Any], dtype: DTypeLike = np.float32) -> BatchNorm:
        return cls(**config, dtype=dtype)

    @classmethod
    def array_specs(cls, config: dict[str, Any]) -> dict[str, ArraySpec]:
        """gamma, beta, running_mean and running_var, all (num_features,)."""
        check_positive_int("BatchNorm: num_features", config["num_features"])
        shape = (config["num_features"],)
        return cls._specs(dict.fromkeys((*cls.param_names, *cls.state_names), shape))
