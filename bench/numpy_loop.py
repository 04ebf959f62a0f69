"""The planar network as a bare NumPy loop: the same math as numnet's, with no framework around it.

The course's two-layer network (2 -> 4 tanh -> 1 sigmoid, binary
cross-entropy, full-batch gradient descent), each iteration written out:
forward, the cost, backward (without the gradient of the data) and the
update, in the dtype of the data. The reference that numnet's per-iteration
overhead is measured against.
"""

from __future__ import annotations

import numpy as np


class NumpyLoop:
    """``iterations`` full-batch gradient-descent steps per :meth:`run`, on row-major data x (m, 2)."""

    name = "NumPy loop"

    def __init__(self, x: np.ndarray, t: np.ndarray, lr: float, iterations: int, hidden: int = 4, seed: int = 0):
        rng = np.random.default_rng(seed)
        dtype = x.dtype
        self.x, self.y = x, t.astype(dtype).reshape(-1, 1)
        self.lr, self.iterations = dtype.type(lr), iterations
        self.w1 = (rng.standard_normal((x.shape[1], hidden)) * np.sqrt(1 / x.shape[1])).astype(dtype)
        self.b1 = np.zeros(hidden, dtype)
        self.w2 = (rng.standard_normal((hidden, 1)) * np.sqrt(1 / hidden)).astype(dtype)
        self.b2 = np.zeros(1, dtype)
        self.cost = np.nan

    def run(self) -> None:
        x, y, lr = self.x, self.y, self.lr
        m = len(x)
        for _ in range(self.iterations):
            a1 = np.tanh(x @ self.w1 + self.b1)
            z2 = a1 @ self.w2 + self.b2
            a2 = 1 / (1 + np.exp(-z2))
            # The cost from the logits (finite for any z2), as numnet computes it.
            self.cost = float(np.mean(np.maximum(z2, 0) - z2 * y + np.log1p(np.exp(-np.abs(z2)))))
            dz2 = (a2 - y) / m
            dw2, db2 = a1.T @ dz2, dz2.sum(axis=0)
            dz1 = (dz2 @ self.w2.T) * (1 - a1 * a1)
            dw1, db1 = x.T @ dz1, dz1.sum(axis=0)
            self.w1 -= lr * dw1
            self.b1 -= lr * db1
            self.w2 -= lr * dw2
            self.b2 -= lr * db2
