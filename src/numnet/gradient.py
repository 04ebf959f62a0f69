"""Numerical differentiation, gradient descent and gradient checks.

Numerical differentiation and gradient descent are the textbook's chapter 4;
they are the reference every analytic backward pass is checked against:
:func:`check_layer` and :func:`check_loss` check one layer or loss (yours
too), :func:`gradient_check` a whole model. All of them run in float64.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from numnet.functions import as_float_array

__all__ = [
    "numerical_diff",
    "numerical_gradient",
    "numerical_gradients",
    "gradient_descent",
    "relative_error",
    "gradient_check",
    "check_layer",
    "check_loss",
]

#: Relative error below which an analytic gradient counts as right (float64, central differences).
TOLERANCE = 1e-6


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


def numerical_gradients(
    objective: Callable[[], float], arrays: Mapping[str, NDArray], h: float = 1e-4
) -> dict[str, NDArray]:
    """Numerical gradients of ``objective()`` with respect to each named array, perturbed in place.

    The one loop behind :meth:`numnet.models.Sequential.numerical_gradient`,
    :func:`gradient_check`, :func:`check_layer` and :func:`check_loss`:
    ``objective`` reads the arrays it closes over (a model's parameters, a
    layer's input).
    """
    return {name: numerical_gradient(lambda _: objective(), array, h) for name, array in arrays.items()}


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
    """Compare backpropagation with numerical gradients, in float64, for every parameter of a model.

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
    x64, t = model64.prepare_input(x), np.asarray(t)
    model64.forward(x64, t, train=True)
    model64.backward()
    analytic = dict(zip(model64.param_names, [grad.copy() for grad in model64.grads]))
    numeric = numerical_gradients(
        lambda: model64.forward(x64, t, train=True), dict(zip(model64.param_names, model64.params)), h
    )
    return {name: relative_error(analytic[name], numeric[name]) for name in analytic}


def check_layer(layer: Any, x: ArrayLike, seed: int = 0, h: float = 1e-5) -> dict[str, float]:
    """Check a layer's backward pass against numerical gradients, in float64.

    The layer is differentiated through the scalar ``L = sum(forward(x) * R)``
    for a fixed random ``R`` (drawn from ``seed``): ``backward(R)`` must equal
    dL/dx, and each of ``grads`` dL/dp. Use it on a layer you wrote:

    >>> check_layer(Dense(4, 3, dtype="float64"), np.random.rand(2, 4))  # doctest: +SKIP
    {'x': 2.1e-10, 'W': 3.4e-11, 'b': 1.2e-11}

    Args:
        layer: follows the layer contract (``forward(x, train)``,
            ``backward(dout)``, aligned ``params``/``grads``) with float64
            parameters, and is deterministic in training mode (fix any
            dropout mask beforehand).
        x: an input batch; float inputs are checked in float64, integer ids
            (a layer whose ``input_kind`` is ``"ids"``) have no gradient.

    Returns:
        ``{"x": error of the input gradient, <parameter name>: error, ...}``,
        maximum relative errors; all below :data:`TOLERANCE` means right.

    Raises:
        AssertionError: ``backward`` changed its ``dout`` in place (the next
            layer down would see a wrong gradient).
    """
    ids = getattr(layer, "input_kind", "float") == "ids"
    x = np.array(x) if ids else np.array(x, dtype=np.float64)
    rng = np.random.default_rng(seed)
    weights = rng.standard_normal(np.shape(layer.forward(x.copy(), train=True)))

    def objective() -> float:
        return float(np.sum(layer.forward(x, train=True) * weights))

    layer.forward(x, train=True)
    dout = weights.copy()
    dx = layer.backward(dout)
    if not np.array_equal(dout, weights):
        raise AssertionError(f"{layer!r}: backward changed dout in place; it must leave its argument unchanged")
    analytic = [grad.copy() for grad in layer.grads]
    names = list(getattr(layer, "param_names", ()) or [str(i) for i in range(len(layer.params))])
    arrays = dict(zip(names, layer.params))
    if not ids:
        arrays = {"x": x, **arrays}
    numeric = numerical_gradients(objective, arrays, h)
    errors = {} if ids else {"x": relative_error(np.asarray(dx), numeric["x"])}
    errors.update({name: relative_error(grad, numeric[name]) for name, grad in zip(names, analytic)})
    return errors


def check_loss(loss: Any, x: ArrayLike, t: ArrayLike, sample_weight: ArrayLike | None = None, h: float = 1e-5) -> float:
    """Maximum relative error of a loss's ``backward()`` against the numerical d loss / d scores, in float64.

    Args:
        loss: ``forward(scores, t[, sample_weight])`` returning a float and
            ``backward()`` returning d loss / d scores.
        x: the scores; t: the targets; sample_weight: per-sample weights or None.
    """
    x = np.array(x, dtype=np.float64)
    extra = () if sample_weight is None else (sample_weight,)
    loss.forward(x, t, *extra)
    dx = np.asarray(loss.backward())
    numeric = numerical_gradients(lambda: loss.forward(x, t, *extra), {"x": x}, h)["x"]
    return relative_error(dx, numeric)
