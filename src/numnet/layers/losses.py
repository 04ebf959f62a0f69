"""Loss layers: softmax + cross-entropy, sigmoid + binary cross-entropy, mean squared error.

Each takes the network's raw scores ``x``, so that the output activation and
the loss fuse into one stable computation with the simple gradient
``(prediction - t) / N``. ``forward(x, t)`` returns the loss as a float,
``backward(dout=1.0)`` returns d loss / d x in x's float dtype (float32 in,
float32 out), and ``output(x)`` gives the prediction without a loss.
Targets are validated before anything is cached.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from numnet.functions import as_float_array, check_labels, sigmoid, softmax
from numnet.layers.base import LossLayer, check_dout

__all__ = ["SoftmaxWithLoss", "SigmoidWithLoss", "MeanSquaredLoss"]


def _scalar_dout(layer: LossLayer, dout: float, started: bool) -> float:
    """The upstream gradient of the loss as a Python float (which keeps the gradient's dtype)."""
    if not started:
        raise RuntimeError(f"{layer!r}: backward() called before forward()")
    return float(check_dout(layer, dout, ()))


def _scores(layer: LossLayer, x: ArrayLike) -> NDArray:
    """x as a float array with at least one sample."""
    x = as_float_array(x, "x")
    if x.ndim < 1 or x.shape[0] == 0:
        raise ValueError(f"{layer!r}: x must be a batch of at least one sample, shape (N, ...), got shape {x.shape}")
    return x


def _targets_like(layer: LossLayer, x: NDArray, t: ArrayLike) -> NDArray:
    """Numeric targets of x's shape (x of shape (N, 1) also takes t of shape (N,)), in x's dtype."""
    t = np.asarray(t)
    if t.dtype.kind not in "biuf":
        raise TypeError(f"{layer!r}: t must be a numeric array, got dtype {t.dtype}")
    if t.shape != x.shape and not (x.shape == (x.shape[0], 1) and t.shape == (x.shape[0],)):
        expected = f"{x.shape} or ({x.shape[0]},)" if x.shape == (x.shape[0], 1) else f"{x.shape}"
        raise ValueError(f"{layer!r}: t must have shape {expected} to match x, got shape {t.shape}")
    return t.reshape(x.shape).astype(x.dtype, copy=False)


class SoftmaxWithLoss(LossLayer):
    """Softmax over classes followed by the cross-entropy, averaged over the batch.

    forward(x, t): x scores (N, K); t integer labels (N,) in [0, K), or one-hot
    (any distribution over classes) of shape (N, K). The loss is
    -mean_n log softmax(x)[n, t_n], computed by the exact log-softmax, so it is
    finite for any scores. (The textbook adds 1e-7 inside the logarithm of
    ``cross_entropy_error``; the two agree to about 1e-7 / p for a predicted
    probability p of the true class.)

    backward: (y - t) / N with y = softmax(x), found for integer labels by
    subtracting 1 at the labels' positions, without a one-hot matrix.
    """

    def __init__(self) -> None:
        super().__init__()
        self.y: NDArray | None = None  # softmax of the last x, (N, K)
        self.t: NDArray | None = None  # labels (N,) as intp, or targets (N, K)

    def forward(self, x: ArrayLike, t: ArrayLike) -> float:
        x = _scores(self, x)
        if x.ndim != 2:
            raise ValueError(f"{self!r}: x must have shape (N, K), got shape {x.shape}")
        n, k = x.shape
        t = np.asarray(t)
        if t.shape == x.shape:
            t = _targets_like(self, x, t)
        else:
            try:
                t = check_labels(t, n, k, name="t")
            except (ValueError, TypeError) as error:
                raise type(error)(f"{self!r}: {error}") from None
        # The exact log-softmax log y = s - log(sum_k exp(s_k)), s = x - max(x), sharing
        # its one exp with the softmax y that backward needs.
        shifted = x - x.max(axis=1, keepdims=True)
        y = np.exp(shifted)
        sums = y.sum(axis=1, keepdims=True)
        y /= sums
        log_sums = np.log(sums)
        if t.ndim == 1:
            loss = (log_sums.sum() - shifted[np.arange(n), t].sum()) / n  # -mean_n log y[n, t_n]
        else:
            loss = -np.sum(t * (shifted - log_sums)) / n
        self.y, self.t = y, t
        return float(loss)

    def backward(self, dout: float = 1.0) -> NDArray:
        dout = _scalar_dout(self, dout, self.y is not None)
        n = self.y.shape[0]
        dx = self.y.copy()
        if self.t.ndim == 1:
            dx[np.arange(n), self.t] -= 1
        else:
            dx -= self.t
        dx *= dout / n
        return dx

    def output(self, x: ArrayLike) -> NDArray:
        """Class probabilities softmax(x), shape (N, K)."""
        return softmax(as_float_array(x, "x"), axis=-1)


class SigmoidWithLoss(LossLayer):
    """Sigmoid followed by the binary cross-entropy, averaged over all elements.

    forward(x, t): x scores (logits) of any shape (N, ...), usually (N,) or
    (N, 1); t targets in [0, 1] of x's shape ((N,) is also accepted for x of
    shape (N, 1)). The loss is computed from the logits as
    mean(max(x, 0) - x t + log(1 + exp(-|x|))), which equals
    -mean(t log s + (1 - t) log(1 - s)) with s = sigmoid(x) and is finite and
    warning-free for any x (``functions.binary_cross_entropy`` instead clips s
    to [1e-7, 1 - 1e-7]).

    backward: (sigmoid(x) - t) / x.size.
    """

    def __init__(self) -> None:
        super().__init__()
        self.y: NDArray | None = None  # sigmoid of the last x
        self.t: NDArray | None = None

    def forward(self, x: ArrayLike, t: ArrayLike) -> float:
        x = _scores(self, x)
        t = _targets_like(self, x, t)
        if not np.all((t >= 0) & (t <= 1)):
            raise ValueError(
                f"{self!r}: t must hold targets in [0, 1], got values in [{np.min(t)}, {np.max(t)}] (or NaN)"
            )
        losses = np.maximum(x, 0)
        losses -= x * t
        losses += np.log1p(np.exp(-np.abs(x)))
        self.y, self.t = sigmoid(x), t
        return float(np.mean(losses))

    def backward(self, dout: float = 1.0) -> NDArray:
        dout = _scalar_dout(self, dout, self.y is not None)
        dx = self.y - self.t
        dx *= dout / dx.size
        return dx

    def output(self, x: ArrayLike) -> NDArray:
        """Probabilities sigmoid(x), x's shape."""
        return sigmoid(as_float_array(x, "x"))


class MeanSquaredLoss(LossLayer):
    """Mean squared error mean((x - t)^2) over all elements, as ``functions.mean_squared_error``.

    forward(x, t): x predictions of any shape (N, ...); t targets of x's shape
    ((N,) is also accepted for x of shape (N, 1)).

    backward: 2 (x - t) / x.size. ``output(x)`` is x itself (identity output).
    """

    def __init__(self) -> None:
        super().__init__()
        self.diff: NDArray | None = None  # x - t of the last call

    def forward(self, x: ArrayLike, t: ArrayLike) -> float:
        x = _scores(self, x)
        diff = x - _targets_like(self, x, t)
        self.diff = diff
        return float(np.mean(np.square(diff)))

    def backward(self, dout: float = 1.0) -> NDArray:
        dout = _scalar_dout(self, dout, self.diff is not None)
        return self.diff * (2 * dout / self.diff.size)

    def output(self, x: ArrayLike) -> NDArray:
        """The predictions x, unchanged."""
        return as_float_array(x, "x")
