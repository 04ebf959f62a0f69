"""Numerical differentiation and gradient descent, as in the textbook's chapter 4.

These are the reference every analytic backward pass is checked against.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from numnet.functions import as_float_array

__all__ = ["numerical_diff", "numerical_gradient", "gradient_descent", "relative_error", "gradient_check"]


def numerical_diff(f: Callable[[float], float], x: float, h: float = 1e-4) -> float:
    """Central difference (f(x + h) - f(x - h)) / 2h, an O(h^2) estimate of f'(x)."""
    return (f(x + h) - f(x - h)) / (2 * h)


def numerical_gradient(f: Callable[[NDArray], float], x: NDArray, h: float = 1e-4) -> NDArray:
    """Gradient of the scalar function ``f`` at ``x`` by central differences.

    Args:
        f: called with ``x`` itself (perturbed one element at a time), so that
            ``f`` may ignore its argument and read an array it closes over.
        x: a writeable float array of any shape and memory layout; it is
            restored exactly (bit for bit) after each perturbation, even if
            ``f`` raises.
        h: the step.

    Returns:
        An array of ``x``'s shape and dtype.
    """
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise TypeError(f"x must be a float NumPy array, got {type(x).__name__} {getattr(x, 'dtype', '')}".rstrip())
    if not x.flags.writeable:
        raise ValueError("x must be writeable so that it can be perturbed in place, got a read-only array")
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        try:
            x[index] = original + h
            f_plus = f(x)
            x[index] = original - h
            f_minus = f(x)
        finally:
            x[index] = original
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad


def gradient_descent(
    f: Callable[[NDArray], float], init_x: ArrayLike, lr: float = 0.01, step_num: int = 100
) -> tuple[NDArray, NDArray]:
    """Minimize ``f`` by ``step_num`` steps x <- x - lr * grad f(x), numerically differentiated.

    Returns:
        ``(x, path)``: the final point, shape of ``init_x``, and the points
        visited before each step, shape (step_num, *init_x.shape).
    """
    if isinstance(step_num, bool) or not isinstance(step_num, (int, np.integer)) or step_num < 0:
        raise ValueError(f"step_num must be a non-negative integer, got {step_num!r}")
    x = as_float_array(init_x, "init_x").copy()
    path = np.empty((step_num, *x.shape), dtype=x.dtype)
    for step in range(step_num):
        path[step] = x
        x -= lr * numerical_gradient(f, x)
    return x, path


def relative_error(analytic: NDArray, numeric: NDArray) -> float:
    """max |a - n| / max(|a| + |n|, 1e-8): a scale-free distance between two gradients."""
    if analytic.shape != numeric.shape:
        raise ValueError(f"analytic and numeric must have the same shape, got {analytic.shape} and {numeric.shape}")
    if analytic.size == 0:
        return 0.0
    scale = np.maximum(np.abs(analytic) + np.abs(numeric), 1e-8)
    return float(np.max(np.abs(analytic - numeric) / scale))


def gradient_check(model: Any, x: ArrayLike, t: ArrayLike, h: float = 1e-5) -> dict[str, float]:
    """Compare backpropagation with numerical gradients, in float64, for every parameter.

    Args:
        model: a numnet model (``forward``/``backward``/``params``/``grads``/
            ``param_names``/``astype``); it is copied to float64, never changed.
            Layers that draw random numbers (dropout) must be deterministic.
        x, t: a small batch, e.g. 3 samples.
        h: the central-difference step.

    Returns:
        ``{parameter name: maximum relative error}``; below 1e-6 means the
        backward pass is right.
    """
    model64 = model.astype(np.float64)
    x64, t = np.asarray(x, dtype=np.float64), np.asarray(t)
    model64.forward(x64, t, train=True)
    model64.backward()
    analytic = [grad.copy() for grad in model64.grads]
    errors = {}
    for name, param, grad in zip(model64.param_names, model64.params, analytic):
        numeric = numerical_gradient(lambda _: model64.forward(x64, t, train=True), param, h)
        errors[name] = relative_error(grad, numeric)
    return errors
