"""Shared float64 gradient checks for layer tests.

A layer's backward pass is checked through the scalar L = sum(forward(x) * R)
for a fixed random R: dL/dx must equal ``backward(R)`` and dL/dp the layer's
grads, against :func:`numnet.gradient.numerical_gradient`.
"""

from __future__ import annotations

import numpy as np

from numnet.gradient import numerical_gradient, relative_error

TOLERANCE = 1e-6


def check_layer_gradients(layer, x: np.ndarray, seed: int = 0, h: float = 1e-5) -> dict[str, float]:
    """Max relative error of the input gradient ("x") and of each parameter gradient.

    ``layer`` must be deterministic in ``forward(x, train=True)`` (fix any
    dropout mask beforehand). ``x`` must be float64.
    """
    assert x.dtype == np.float64, "gradient checks run in float64"
    rng = np.random.default_rng(seed)
    weights = rng.standard_normal(layer.forward(x.copy(), train=True).shape)

    def objective(_: np.ndarray) -> float:
        return float(np.sum(layer.forward(x, train=True) * weights))

    x = x.copy()
    layer.forward(x, train=True)
    dout = weights.copy()
    dx = layer.backward(dout)
    assert np.array_equal(dout, weights), "backward must not mutate dout"
    analytic_param_grads = [g.copy() for g in layer.grads]
    errors = {"x": relative_error(dx, numerical_gradient(objective, x, h))}
    names = getattr(layer, "param_names", ()) or [str(i) for i in range(len(layer.params))]
    for name, param, grad in zip(names, layer.params, analytic_param_grads):
        errors[name] = relative_error(grad, numerical_gradient(objective, param, h))
    return errors


def check_loss_gradient(loss_layer, x: np.ndarray, t: np.ndarray, h: float = 1e-5) -> float:
    """Max relative error of a loss layer's ``backward()`` against d loss / d x."""
    assert x.dtype == np.float64, "gradient checks run in float64"
    x = x.copy()
    loss_layer.forward(x, t)
    dx = loss_layer.backward()
    numeric = numerical_gradient(lambda _: loss_layer.forward(x, t), x, h)
    return relative_error(dx, numeric)
