"""Numerical differentiation and gradient descent, as in the textbook's chapter 4.

These are the reference every analytic backward pass is checked against.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["numerical_diff", "numerical_gradient", "gradient_descent"]


def numerical_diff(f: Callable[[float], float], x: float, h: float = 1e-4) -> float:
    """Central difference (f(x + h) - f(x - h)) / 2h, an O(h^2) estimate of f'(x)."""
    return (f(x + h) - f(x - h)) / (2 * h)


def numerical_gradient(f: Callable[[NDArray], float], x: NDArray, h: float = 1e-4) -> NDArray:
    """Gradient of the scalar function ``f`` at ``x`` by central differences.

    Args:
        f: called with ``x`` itself (perturbed one element at a time), so that
            ``f`` may ignore its argument and read an array it closes over.
        x: a float array of any shape; it is restored exactly (bit for bit)
            after each perturbation.
        h: the step.

    Returns:
        An array of ``x``'s shape and dtype.
    """
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise TypeError(f"x must be a float NumPy array, got {type(x).__name__} "
                        f"{getattr(x, 'dtype', '')}".rstrip())
    grad = np.zeros_like(x)
    flat_x, flat_grad = x.reshape(-1), grad.reshape(-1)
    if not np.shares_memory(flat_x, x):
        raise ValueError("x must be contiguous so that it can be perturbed in place")
    for i in range(flat_x.size):
        original = flat_x[i]
        flat_x[i] = original + h
        f_plus = f(x)
        flat_x[i] = original - h
        f_minus = f(x)
        flat_x[i] = original
        flat_grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def gradient_descent(
    f: Callable[[NDArray], float], init_x: ArrayLike, lr: float = 0.01, step_num: int = 100
) -> tuple[NDArray, NDArray]:
    """Minimize ``f`` by ``step_num`` steps x <- x - lr * grad f(x), numerically differentiated.

    Returns:
        ``(x, path)``: the final point, shape of ``init_x``, and the points
        visited before each step, shape (step_num, *init_x.shape).
    """
    if step_num < 0:
        raise ValueError(f"step_num must be >= 0, got {step_num}")
    x = np.array(init_x, dtype=np.float64 if np.asarray(init_x).dtype.kind != "f" else None)
    path = np.empty((step_num, *x.shape), dtype=x.dtype)
    for step in range(step_num):
        path[step] = x
        x -= lr * numerical_gradient(f, x)
    return x, path
