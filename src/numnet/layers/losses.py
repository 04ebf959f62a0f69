"""Losses: softmax + cross-entropy, sigmoid + binary cross-entropy, mean squared error.

A loss is its own kind, not a layer: it ends a network instead of sitting in
it. Each takes the network's raw scores, so that the output activation and the
loss fuse into one stable computation with the simple gradient
``(prediction - t) / count``:

- ``forward(scores, t, sample_weight=None) -> float``: the loss, a weighted
  mean over the counted positions (see below), caching what ``backward`` needs;
- ``backward(dout=1.0) -> dscores``: d loss / d scores, in the scores' float
  dtype (float32 in, float32 out); it starts the chain;
- ``output(scores)``: the prediction without a loss (probabilities for the
  classification losses, the values themselves for regression);
- ``check_targets(t, scores_shape, sample_weight=None)``: validates targets
  exactly as ``forward`` does, without scores, so a model can check its data
  before training changes anything. A caller that did (the training loop,
  once per ``fit``) passes ``checked=True`` to ``forward``, which then skips
  the per-batch checks of values (label ranges, finiteness) and only reshapes.

Shapes: scores are ``(N, ...)``; every loss averages over all positions of
the batch. ``sample_weight`` (N,) weighs each sample's positions; the loss is
then ``sum(w * l) / sum(w)`` over the counted positions, so weights of one
give the plain mean. Targets are validated before anything is cached.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from numnet.functions import as_float_array, sigmoid, softmax
from numnet.layers.base import ArraySpec

__all__ = ["Loss", "LOSS_REGISTRY", "SoftmaxWithLoss", "SigmoidWithLoss", "MeanSquaredLoss"]

#: Class name -> loss class, filled by every subclass of :class:`Loss`.
LOSS_REGISTRY: dict[str, type[Loss]] = {}


class Loss:
    """Base class of the losses (see the module docstring for the contract).

    Attributes:
        task: ``"classification"`` (classes over the last axis),
            ``"binary"`` (independent yes/no outputs) or ``"regression"``.
        default_metrics: what a model ending in this loss reports by default
            (names of :mod:`numnet.metrics`).
        ignore_index: the label that counts neither in the loss nor in its
            mean (only losses over class labels have one; None otherwise).
        total_weight: the denominator of the last ``forward``'s mean: the
            number of counted positions, or the sum of their sample weights.
            A mean over several batches weighs each batch's loss by it.
    """

    task: ClassVar[str] = "regression"
    default_metrics: ClassVar[tuple[str, ...]] = ()
    ignore_index: int | None = None
    total_weight: float = 0.0

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__name__.startswith("_"):
            LOSS_REGISTRY[cls.__name__] = cls

    def forward(
        self, scores: ArrayLike, t: ArrayLike, sample_weight: ArrayLike | None = None, *, checked: bool = False
    ) -> float:
        raise NotImplementedError

    def backward(self, dout: float = 1.0) -> NDArray:
        raise NotImplementedError

    def output(self, scores: ArrayLike) -> NDArray:
        raise NotImplementedError

    def check_targets(
        self, t: ArrayLike, scores_shape: tuple[int, ...], sample_weight: ArrayLike | None = None
    ) -> None:
        """Raise ValueError/TypeError unless ``forward`` would accept ``t`` for scores of ``scores_shape``."""
        raise NotImplementedError

    def labels(self, scores: NDArray) -> NDArray[np.intp]:
        """Predicted class ids from scores (classification losses only)."""
        raise TypeError(f"{self!r} is a regression loss: its predictions are values, not class labels")

    def __call__(self, scores: ArrayLike, t: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
        return self.forward(scores, t, sample_weight)

    def get_config(self) -> dict[str, Any]:
        """JSON-able keyword arguments from which ``from_config`` rebuilds this loss."""
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any], dtype: DTypeLike | None = None) -> Loss:
        return cls(**config)

    @classmethod
    def array_specs(cls, config: dict[str, Any]) -> dict[str, ArraySpec]:
        """The parameters ``from_config(config)`` would make, without making them (none but for a loss that owns some).

        A loss with ``param_names`` overrides this (see :meth:`numnet.layers.Layer.array_specs`).
        """
        if getattr(cls, "param_names", ()):
            raise NotImplementedError(f"{cls.__name__} owns arrays but does not describe them (array_specs)")
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({args})"

    # ------------------------------------------------------------ shared checks
    def _scores(self, scores: ArrayLike) -> NDArray:
        """Scores as a float array with at least one sample."""
        scores = as_float_array(scores, "scores")
        if scores.ndim < 1 or scores.shape[0] == 0:
            raise ValueError(f"{self!r}: scores must be a batch of at least one sample, got shape {scores.shape}")
        return scores

    def _dout(self, dout: float, cached: object) -> float:
        """The upstream gradient as a Python float (which keeps the gradient's dtype)."""
        if cached is None:
            raise RuntimeError(f"{self!r}: backward() called before forward()")
        dout_array = np.asarray(dout)
        if dout_array.shape != ():
            raise ValueError(f"{self!r}: dout must be a scalar (the loss is one number), got shape {dout_array.shape}")
        return float(dout_array)

    def _weights(self, sample_weight: ArrayLike | None, n: int, checked: bool = False) -> NDArray | None:
        """Per-sample weights (N,) as float64, checked (unless ``checked``): finite, >= 0."""
        if sample_weight is None:
            return None
        weights = np.asarray(sample_weight)
        if checked:
            return weights.astype(np.float64, copy=False)
        if weights.dtype.kind not in "biuf":
            raise TypeError(f"{self!r}: sample_weight must be numeric, got dtype {weights.dtype}")
        if weights.shape != (n,):
            raise ValueError(
                f"{self!r}: sample_weight must have shape ({n},), one weight per sample, got {weights.shape}"
            )
        weights = weights.astype(np.float64, copy=False)
        bad = np.flatnonzero(~np.isfinite(weights) | (weights < 0))
        if bad.size:
            raise ValueError(
                f"{self!r}: sample_weight must be finite and >= 0, got {weights[bad[0]]} at index {bad[0]}"
            )
        return weights

    def _targets_like(self, t: ArrayLike, shape: tuple[int, ...], checked: bool = False) -> NDArray:
        """Numeric targets of ``shape`` (scores (N, 1) also take t of shape (N,)), checked unless ``checked``."""
        t = np.asarray(t)
        if checked:
            return t.reshape(shape)
        if t.dtype.kind not in "biuf":
            raise TypeError(f"{self!r}: t must be a numeric array, got dtype {t.dtype}")
        column = len(shape) == 2 and shape[1] == 1
        if t.shape != shape and not (column and t.shape == shape[:1]):
            expected = f"{shape} or ({shape[0]},)" if column else f"{shape}"
            raise ValueError(f"{self!r}: t must have shape {expected} to match the scores, got shape {t.shape}")
        bad = np.flatnonzero(~np.isfinite(t)) if t.dtype.kind == "f" else np.empty(0, np.intp)
        if bad.size:
            raise ValueError(f"{self!r}: t must be finite, got {t.reshape(-1)[bad[0]]} at flat index {bad[0]}")
        return t.reshape(shape)


def _position_weights(
    weights: NDArray | None, shape: tuple[int, ...], loss: Loss, checked: bool = False
) -> tuple[NDArray | None, float]:
    """Weights of every position of ``shape`` (None for all ones) and their total, the loss's denominator.

    A total of zero is an error, except for data ``checked`` once for a whole
    fit (which has weight somewhere): a mini-batch without weight then has a
    loss and a gradient of zero (see :func:`_shares`).
    """
    if weights is None:
        return None, float(math.prod(shape))
    full = np.broadcast_to(weights.reshape((-1,) + (1,) * (len(shape) - 1)), shape)
    total = float(full.sum())
    if total <= 0 and not checked:
        raise ValueError(f"{loss!r}: sample_weight gives every sample a weight of zero; at least one must be > 0")
    return full, total


def _shares(position_weights: NDArray | None, total: float) -> NDArray | float:
    """Each position's share ``w_p / sum w`` of the loss (zeros when nothing counts)."""
    if position_weights is None:
        return 1.0 / total
    if total <= 0:
        return np.zeros(np.shape(position_weights))
    return position_weights / total


class SoftmaxWithLoss(Loss):
    """Softmax over the last axis followed by the cross-entropy, averaged over the counted positions.

    forward(scores, t, sample_weight=None):
        scores: (N, ..., K), e.g. (N, K) for images, (N, T, K) for sequences.
        t: integer labels (N, ...) in [0, K) — or ``ignore_index`` — or
            one-hot (any distribution over classes) of the scores' shape.
        sample_weight: (N,) weights, or None.

    The loss is ``-sum_p w_p log softmax(scores)[p, t_p] / sum_p w_p`` over
    the positions p whose label is not ``ignore_index``, computed by the exact
    log-softmax, so it is finite for any scores. (The textbook adds 1e-7 inside
    the logarithm of ``cross_entropy_error``; the two agree to about 1e-7 / p
    for a predicted probability p of the true class.)

    backward: ``w_p (y_p - t_p) / sum w`` with y = softmax(scores), found for
    integer labels by subtracting 1 at the labels, without a one-hot matrix.

    Args:
        ignore_index: a label value (e.g. -100 or the id of ``<pad>``)
            whose positions count neither in the loss nor in its mean.
    """

    task = "classification"
    default_metrics = ("accuracy",)

    def __init__(self, ignore_index: int | None = None) -> None:
        if ignore_index is not None and (
            isinstance(ignore_index, bool) or not isinstance(ignore_index, (int, np.integer))
        ):
            raise TypeError(f"ignore_index must be an int or None, got {ignore_index!r}")
        self.ignore_index = None if ignore_index is None else int(ignore_index)
        self.y: NDArray | None = None  # softmax of the last scores, flattened to (M, K)
        self.t: NDArray | None = None  # labels (M,) as intp, or targets (M, K)
        self.scale: NDArray | float = 1.0  # each position's share of the loss: w_p / sum w, (M, 1), or 1 / M
        self.shape: tuple[int, ...] = ()

    def get_config(self) -> dict[str, Any]:
        return {} if self.ignore_index is None else {"ignore_index": self.ignore_index}

    def check_targets(
        self, t: ArrayLike, scores_shape: tuple[int, ...], sample_weight: ArrayLike | None = None
    ) -> None:
        self._prepare(t, scores_shape, sample_weight)

    def _prepare(
        self, t: ArrayLike, shape: tuple[int, ...], sample_weight: ArrayLike | None, checked: bool = False
    ) -> tuple[NDArray, NDArray | None, NDArray | float, float]:
        """Flattened targets, the mask of counted positions, each position's weight, and their total."""
        if len(shape) < 2:
            raise ValueError(f"{self!r}: scores must have shape (N, ..., K) with a class axis, got shape {shape}")
        k = shape[-1]
        weights = self._weights(sample_weight, shape[0], checked)
        t = np.asarray(t)
        if t.shape == shape:  # one-hot, or any distribution over the classes
            targets = self._targets_like(t, shape, checked).reshape(-1, k)
            mask = None
            position_weights, total = _position_weights(weights, shape[:-1], self, checked)
        else:
            targets, mask = self._labels(t, shape, checked)
            position_weights, total = _position_weights(weights, shape[:-1], self, checked)
            if mask is not None:
                position_weights = mask if position_weights is None else position_weights.reshape(-1) * mask
                total = float(np.sum(position_weights))
                if total <= 0 and not checked:
                    raise ValueError(
                        f"{self!r}: every position of t is ignore_index={self.ignore_index} (or has weight 0): "
                        "there is nothing to compute a loss on"
                    )
        if position_weights is not None:
            position_weights = np.asarray(position_weights, np.float64).reshape(-1, 1)
        return targets, mask, _shares(position_weights, total), total

    def _labels(
        self, t: NDArray, shape: tuple[int, ...], checked: bool = False
    ) -> tuple[NDArray[np.intp], NDArray[np.bool_] | None]:
        """Labels (M,) as intp (ignored positions set to 0) and the mask of counted positions (None: all)."""
        lead, k = shape[:-1], shape[-1]
        if checked:
            labels = t.reshape(-1).astype(np.intp, copy=False)
            if self.ignore_index is None:
                return labels, None
            counted = labels != self.ignore_index
            return (labels, None) if counted.all() else (np.where(counted, labels, 0), counted)
        if t.shape != lead:
            raise ValueError(
                f"{self!r}: t must be integer labels of shape {lead} or one-hot of shape {shape}, got shape {t.shape}"
            )
        if t.dtype.kind == "f":
            if not np.all(np.isfinite(t)) or np.any(t != np.round(t)):
                raise ValueError(f"{self!r}: t holds non-integer labels; expected class ids in [0, {k})")
        elif t.dtype.kind not in "biu":
            raise TypeError(f"{self!r}: t must hold integer class labels, got dtype {t.dtype}")
        labels = t.reshape(-1).astype(np.intp, copy=False)
        mask = None
        if self.ignore_index is not None:
            counted = labels != self.ignore_index
            if not counted.all():
                mask = counted
                labels = np.where(counted, labels, 0)
        out_of_range = np.flatnonzero((labels < 0) | (labels >= k))
        if out_of_range.size:
            index = np.unravel_index(out_of_range[0], lead)
            ignored = "" if self.ignore_index is None else f" or ignore_index={self.ignore_index}"
            raise ValueError(
                f"{self!r}: t holds label {labels[out_of_range[0]]} at index {tuple(map(int, index))}; "
                f"expected class ids in [0, {k}){ignored}"
            )
        return labels, mask

    def forward(
        self, scores: ArrayLike, t: ArrayLike, sample_weight: ArrayLike | None = None, *, checked: bool = False
    ) -> float:
        scores = np.asarray(scores) if checked else self._scores(scores)
        targets, mask, scale, self.total_weight = self._prepare(t, scores.shape, sample_weight, checked)
        k = scores.shape[-1]
        flat = scores.reshape(-1, k)
        # The exact log-softmax log y = s - log(sum_k exp(s_k)), s = x - max(x), sharing
        # its one exp with the softmax y that backward needs.
        shifted = flat - flat.max(axis=1, keepdims=True)
        y = np.exp(shifted)
        sums = y.sum(axis=1, keepdims=True)
        y /= sums
        log_sums = np.log(sums)
        if targets.ndim == 1:
            losses = log_sums[:, 0] - shifted[np.arange(len(flat)), targets]  # -log y[p, t_p]
            if mask is not None:
                losses = np.where(mask, losses, 0)
        else:
            losses = -np.sum(targets * (shifted - log_sums), axis=1)
        loss = float(np.sum(losses * scale[:, 0])) if isinstance(scale, np.ndarray) else float(losses.sum() * scale)
        self.y, self.t, self.scale, self.shape = y, targets, scale, scores.shape
        return loss

    def backward(self, dout: float = 1.0) -> NDArray:
        dout = self._dout(dout, self.y)
        assert self.y is not None and self.t is not None
        dx = self.y.copy()
        if self.t.ndim == 1:
            dx[np.arange(len(dx)), self.t] -= 1
        else:
            dx -= self.t
        if isinstance(self.scale, np.ndarray):
            dx *= (self.scale * dout).astype(dx.dtype)
        else:
            dx *= dout * self.scale
        return dx.reshape(self.shape)

    def output(self, scores: ArrayLike) -> NDArray:
        """Class probabilities softmax(scores) over the last axis, the scores' shape."""
        return softmax(as_float_array(scores, "scores"), axis=-1)

    def labels(self, scores: NDArray) -> NDArray[np.intp]:
        """The most probable class of every position: argmax over the last axis, shape (N, ...)."""
        return np.argmax(scores, axis=-1)


class SigmoidWithLoss(Loss):
    """Sigmoid followed by the binary cross-entropy, averaged over all elements.

    forward(scores, t, sample_weight=None): scores (logits) of any shape
    (N, ...), usually (N,) or (N, 1); t targets in [0, 1] of the scores' shape
    ((N,) is also accepted for scores of shape (N, 1)). The loss is computed
    from the logits as mean(max(x, 0) - x t + log(1 + exp(-|x|))), which
    equals -mean(t log s + (1 - t) log(1 - s)) with s = sigmoid(x) and is
    finite and warning-free for any x (``functions.binary_cross_entropy``
    instead clips s to [1e-7, 1 - 1e-7]).

    backward: w (sigmoid(x) - t) / sum w (1 / x.size without weights).
    """

    task = "binary"
    default_metrics = ("accuracy",)

    def __init__(self) -> None:
        self.y: NDArray | None = None  # sigmoid of the last scores
        self.t: NDArray | None = None
        self.scale: NDArray | float = 1.0

    def check_targets(
        self, t: ArrayLike, scores_shape: tuple[int, ...], sample_weight: ArrayLike | None = None
    ) -> None:
        self._prepare(t, scores_shape, sample_weight)

    def _prepare(
        self, t: ArrayLike, shape: tuple[int, ...], sample_weight: ArrayLike | None, checked: bool = False
    ) -> tuple[NDArray, NDArray | float, float]:
        targets = self._targets_like(t, shape, checked)
        outside = np.empty(0, np.intp) if checked else np.flatnonzero((targets < 0) | (targets > 1))
        if outside.size:
            raise ValueError(
                f"{self!r}: t must hold targets in [0, 1], got {targets.reshape(-1)[outside[0]]} "
                f"at flat index {outside[0]}"
            )
        weights, total = _position_weights(self._weights(sample_weight, shape[0], checked), shape, self, checked)
        return targets, _shares(weights, total), total

    def forward(
        self, scores: ArrayLike, t: ArrayLike, sample_weight: ArrayLike | None = None, *, checked: bool = False
    ) -> float:
        x = np.asarray(scores) if checked else self._scores(scores)
        targets, scale, self.total_weight = self._prepare(t, x.shape, sample_weight, checked)
        targets = targets.astype(x.dtype, copy=False)
        e = np.exp(-np.abs(x))  # shared by the loss and the sigmoid, as in functions.sigmoid
        losses = np.maximum(x, 0)
        losses -= x * targets
        losses += np.log1p(e)
        y = np.where(x >= 0, 1, e)
        y /= 1 + e  # sigmoid(x): 1 / (1 + e^-x) for x >= 0, e^x / (1 + e^x) below
        self.y, self.t, self.scale = y, targets, scale
        return float((losses * scale).sum())

    def backward(self, dout: float = 1.0) -> NDArray:
        dout = self._dout(dout, self.y)
        assert self.y is not None and self.t is not None
        dx = self.y - self.t
        dx *= np.asarray(self.scale * dout, dtype=dx.dtype)
        return dx

    def output(self, scores: ArrayLike) -> NDArray:
        """Probabilities sigmoid(scores), the scores' shape."""
        return sigmoid(as_float_array(scores, "scores"))

    def labels(self, scores: NDArray) -> NDArray[np.intp]:
        """1 where the probability is >= 0.5 (the logit >= 0), else 0; scores (N, 1) give (N,)."""
        labels = (scores >= 0).astype(np.intp)
        return labels.reshape(len(labels)) if labels.ndim == 2 and labels.shape[1] == 1 else labels


class MeanSquaredLoss(Loss):
    """Mean squared error mean((x - t)^2) over all elements, as ``functions.mean_squared_error``.

    forward(scores, t, sample_weight=None): predictions of any shape (N, ...);
    t targets of the same shape ((N,) is also accepted for (N, 1)).

    backward: 2 w (x - t) / sum w. ``output(scores)`` is the scores themselves.
    """

    task = "regression"
    default_metrics = ("mae",)

    def __init__(self) -> None:
        self.diff: NDArray | None = None  # x - t of the last call
        self.scale: NDArray | float = 1.0

    def check_targets(
        self, t: ArrayLike, scores_shape: tuple[int, ...], sample_weight: ArrayLike | None = None
    ) -> None:
        self._targets_like(t, scores_shape)
        _position_weights(self._weights(sample_weight, scores_shape[0]), scores_shape, self)

    def forward(
        self, scores: ArrayLike, t: ArrayLike, sample_weight: ArrayLike | None = None, *, checked: bool = False
    ) -> float:
        x = np.asarray(scores) if checked else self._scores(scores)
        diff = x - self._targets_like(t, x.shape, checked).astype(x.dtype, copy=False)
        weights, total = _position_weights(self._weights(sample_weight, x.shape[0], checked), x.shape, self, checked)
        self.diff, self.scale, self.total_weight = diff, _shares(weights, total), total
        return float(np.sum(np.square(diff) * self.scale))

    def backward(self, dout: float = 1.0) -> NDArray:
        dout = self._dout(dout, self.diff)
        assert self.diff is not None
        return self.diff * np.asarray(2 * dout * self.scale, dtype=self.diff.dtype)

    def output(self, scores: ArrayLike) -> NDArray:
        """The predictions, unchanged."""
        return as_float_array(scores, "scores")
