"""Pure math on arrays: activations, softmax, losses and array helpers.

Every function accepts Python scalars and arrays of any shape, is vectorized,
and keeps the dtype of a floating input (float32 in, float32 out); integer and
boolean inputs are computed in float64. A scalar in gives a scalar out.
Nothing here imports the rest of numnet.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "step_function",
    "sigmoid",
    "sigmoid_derivative",
    "relu",
    "relu_derivative",
    "tanh",
    "identity_function",
    "softmax",
    "log_softmax",
    "sum_squares_error",
    "mean_squared_error",
    "cross_entropy_error",
    "binary_cross_entropy",
    "l1_loss",
    "l2_loss",
    "image2vector",
    "normalize_rows",
]

#: Added inside the logarithm of the cross-entropy, as in the textbook.
CROSS_ENTROPY_DELTA = 1e-7

_NUMERIC_KINDS = "biuf"


def as_float_array(x: ArrayLike, name: str = "x") -> NDArray[np.floating]:
    """``x`` as a floating array: float dtypes are kept, bool/int become float64.

    Raises ``TypeError`` naming ``name`` for anything that is not real numbers.
    """
    try:
        array = np.asarray(x)
    except (ValueError, TypeError) as error:
        raise TypeError(f"{name} must be a numeric array, could not convert it: {error}") from None
    if array.dtype.kind not in _NUMERIC_KINDS:
        raise TypeError(f"{name} must be a numeric (bool, integer or float) array, got dtype {array.dtype}")
    if array.dtype.kind != "f":
        array = array.astype(np.float64)
    return array


def _unwrap(result: NDArray[Any]) -> Any:
    """Return a 0-d array as a NumPy scalar (a Python float subclass for float64)."""
    return result[()] if result.ndim == 0 else result


# --------------------------------------------------------------- activations


def step_function(x: ArrayLike) -> Any:
    """Heaviside step: integer 1 where ``x > 0``, else 0; same shape as ``x``."""
    return _unwrap((as_float_array(x) > 0).astype(np.int64))


def sigmoid(x: ArrayLike) -> Any:
    """Logistic function 1 / (1 + exp(-x)), element-wise.

    Computed from exp(-|x|), which never overflows: for x >= 0 it is
    1 / (1 + e^-x), for x < 0 the algebraically equal e^x / (1 + e^x).
    """
    x = as_float_array(x)
    e = np.exp(-np.abs(x))
    return _unwrap(np.where(x >= 0, 1 / (1 + e), e / (1 + e)))


def sigmoid_derivative(x: ArrayLike) -> Any:
    """Derivative of the sigmoid at ``x``: s(x) * (1 - s(x))."""
    s = sigmoid(x)
    return s * (1 - s)


def relu(x: ArrayLike) -> Any:
    """Rectified linear unit max(x, 0), element-wise."""
    return _unwrap(np.maximum(as_float_array(x), 0))


def relu_derivative(x: ArrayLike) -> Any:
    """Derivative of ReLU: 1 where ``x > 0``, else 0 (0 at x = 0), in x's float dtype."""
    x = as_float_array(x)
    return _unwrap((x > 0).astype(x.dtype))


def tanh(x: ArrayLike) -> Any:
    """Hyperbolic tangent, element-wise."""
    return _unwrap(np.tanh(as_float_array(x)))


def identity_function(x: ArrayLike) -> Any:
    """The identity, used as the output activation of regression networks."""
    return _unwrap(as_float_array(x).copy())


def softmax(x: ArrayLike, axis: int = -1) -> Any:
    """Softmax along ``axis``: exp(x_i) / sum_j exp(x_j).

    The maximum along ``axis`` is subtracted first (softmax is invariant to
    that shift), so logits of any size give no overflow.
    """
    x = as_float_array(x)
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(x: ArrayLike, axis: int = -1) -> Any:
    """Logarithm of :func:`softmax`, computed as shifted x - log(sum(exp(shifted)))."""
    x = as_float_array(x)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


# --------------------------------------------------------------------- losses


def _pair(y: ArrayLike, t: ArrayLike, y_name: str, t_name: str) -> tuple[NDArray, NDArray]:
    """Both arguments as float arrays of one shape, or a ValueError naming them."""
    y, t = as_float_array(y, y_name), as_float_array(t, t_name)
    if y.shape != t.shape:
        raise ValueError(f"{y_name} and {t_name} must have the same shape, got {y.shape} and {t.shape}")
    return y, t


def sum_squares_error(y: ArrayLike, t: ArrayLike) -> float:
    """Sum of squares error 0.5 * sum((y - t)^2) over all elements."""
    y, t = _pair(y, t, "y", "t")
    return float(0.5 * np.sum((y - t) ** 2))


def mean_squared_error(y: ArrayLike, t: ArrayLike) -> float:
    """Mean squared error mean((y - t)^2) over all elements."""
    y, t = _pair(y, t, "y", "t")
    return float(np.mean((y - t) ** 2))


def cross_entropy_error(y: ArrayLike, t: ArrayLike) -> float:
    """Cross-entropy -sum(t * log(y + 1e-7)) / N, averaged over the batch.

    Args:
        y: probabilities, shape (K,) for one sample or (N, K) for a batch.
        t: targets, either one-hot (or any distribution) of y's shape, or
            integer class labels in [0, K): a scalar for y of shape (K,),
            shape (N,) for y of shape (N, K).
    """
    y = as_float_array(y, "y")
    if y.ndim not in (1, 2):
        raise ValueError(f"y must have shape (K,) or (N, K), got {y.shape}")
    t = np.asarray(t)
    if t.dtype.kind not in _NUMERIC_KINDS:
        raise TypeError(f"t must be integer labels or one-hot targets, got dtype {t.dtype}")
    if y.ndim == 1:
        if t.shape not in ((), y.shape):
            raise ValueError(
                f"t must be a class label (a scalar) or one-hot of shape {y.shape} for y of shape {y.shape}, "
                f"got shape {t.shape}"
            )
        y, t = y.reshape(1, -1), t.reshape(1, -1) if t.ndim else t.reshape(1)
    n, k = y.shape
    if n == 0:
        raise ValueError("y must hold at least one sample, got an empty batch")
    if t.shape == y.shape:
        return float(-np.sum(t * np.log(y + CROSS_ENTROPY_DELTA)) / n)
    labels = check_labels(t, n, k, name="t")
    return float(-np.sum(np.log(y[np.arange(n), labels] + CROSS_ENTROPY_DELTA)) / n)


def check_labels(t: NDArray, n: int, n_classes: int, name: str = "t") -> NDArray[np.intp]:
    """Validate integer class labels: shape (n,), integral values in [0, n_classes).

    Returns them as an ``intp`` array ready for fancy indexing.
    """
    if t.shape != (n,):
        raise ValueError(
            f"{name} must be integer labels of shape ({n},) or one-hot of shape ({n}, {n_classes}), got shape {t.shape}"
        )
    if t.dtype.kind == "f":
        if not np.all(np.isfinite(t)) or np.any(t != np.round(t)):
            raise ValueError(f"{name} holds non-integer labels; expected class ids in [0, {n_classes})")
    elif t.dtype.kind not in "biu":
        raise TypeError(f"{name} must hold integer class labels, got dtype {t.dtype}")
    if n and (t.min() < 0 or t.max() >= n_classes):
        raise ValueError(f"{name} holds labels in [{t.min()}, {t.max()}]; expected class ids in [0, {n_classes})")
    return t.astype(np.intp, copy=False)


def binary_cross_entropy(y_hat: ArrayLike, y: ArrayLike) -> float:
    """Binary cross-entropy -mean(y log y_hat + (1 - y) log(1 - y_hat)).

    ``y_hat`` is clipped to [1e-7, 1 - 1e-7] so that predictions of exactly 0
    or 1 give a large finite loss instead of infinity or NaN.
    """
    y_hat, y = _pair(y_hat, y, "y_hat", "y")
    p = np.clip(y_hat, CROSS_ENTROPY_DELTA, 1 - CROSS_ENTROPY_DELTA)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def l1_loss(y_hat: ArrayLike, y: ArrayLike) -> Any:
    """L1 loss sum(|y - y_hat|) over the last axis (a float for 1-D input)."""
    y_hat, y = _pair(y_hat, y, "y_hat", "y")
    return _unwrap(np.sum(np.abs(y - y_hat), axis=-1))


def l2_loss(y_hat: ArrayLike, y: ArrayLike) -> Any:
    """L2 loss sum((y - y_hat)^2) over the last axis (a float for 1-D input)."""
    y_hat, y = _pair(y_hat, y, "y_hat", "y")
    return _unwrap(np.sum((y - y_hat) ** 2, axis=-1))


# -------------------------------------------------------------- array helpers


def image2vector(image: ArrayLike) -> NDArray:
    """Unroll an image of shape (length, height, depth) into a column (length*height*depth, 1)."""
    image = as_float_array(image, "image")
    if image.ndim != 3:
        raise ValueError(f"image must be a 3-D array of shape (length, height, depth), got shape {image.shape}")
    return image.reshape(-1, 1)


def normalize_rows(x: ArrayLike) -> NDArray:
    """Divide each row of ``x`` (its last axis) by its L2 norm; an all-zero row stays zero."""
    x = as_float_array(x)
    if x.ndim == 0:
        raise ValueError("x must have at least one dimension, got a scalar")
    # Dividing by the row's largest |entry| first keeps the squares inside the
    # norm from overflowing (entries ~1e200) or underflowing to 0 (~1e-200).
    largest = np.max(np.abs(x), axis=-1, keepdims=True, initial=0)
    scaled = np.divide(x, largest, out=np.zeros_like(x), where=largest > 0)
    norm = np.linalg.norm(scaled, axis=-1, keepdims=True)
    return np.divide(scaled, norm, out=scaled, where=norm > 0)
