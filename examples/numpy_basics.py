"""Each function of numnet.functions on small inputs, printed with labels.

Run:  python examples/numpy_basics.py
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from numnet.functions import (
    binary_cross_entropy,
    cross_entropy_error,
    identity_function,
    image2vector,
    l1_loss,
    l2_loss,
    log_softmax,
    mean_squared_error,
    normalize_rows,
    relu,
    relu_derivative,
    sigmoid,
    sigmoid_derivative,
    softmax,
    step_function,
    sum_squares_error,
    tanh,
)


def show(label: str, value: Any) -> None:
    """Print ``label = value``; arrays of two or more axes start on the next line."""
    if np.ndim(value) >= 2:
        print(f"{label} =\n{value}")
    else:
        print(f"{label} = {value}")


def main(argv: list[str] | None = None) -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    np.set_printoptions(precision=4, suppress=True)
    x = np.array([-1.0, 0.0, 1.0])
    print(f"x = {x}\n")

    print("# activations")
    show("step_function(x)", step_function(x))
    show("sigmoid(x)", sigmoid(x))
    show("sigmoid(0.0)", sigmoid(0.0))
    show("sigmoid([-1000, 1000])", sigmoid([-1000.0, 1000.0]))
    show("sigmoid_derivative(x)", sigmoid_derivative(x))
    show("relu(x)", relu(x))
    show("relu_derivative(x)", relu_derivative(x))
    show("tanh(x)", tanh(x))
    show("identity_function(x)", identity_function(x))

    print("\n# softmax")
    logits = np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, 1000.0]])
    show("logits", logits)
    show("softmax(logits)", softmax(logits))
    show("softmax(logits).sum(axis=-1)", softmax(logits).sum(axis=-1))
    show("log_softmax(logits)", log_softmax(logits))

    print("\n# losses")
    y = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
    t = np.eye(10)[2]
    show("y (probabilities)", y)
    show("t (one-hot, class 2)", t)
    show("sum_squares_error(y, t)", sum_squares_error(y, t))
    show("mean_squared_error(y, t)", mean_squared_error(y, t))
    show("cross_entropy_error(y, t)", cross_entropy_error(y, t))
    show("cross_entropy_error(y, 2)", cross_entropy_error(y, 2))
    y_hat = np.array([0.9, 0.2, 0.1, 0.4, 0.9])
    labels = np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    show("y_hat", y_hat)
    show("labels", labels)
    show("binary_cross_entropy(y_hat, labels)", binary_cross_entropy(y_hat, labels))
    show("l1_loss(y_hat, labels)", l1_loss(y_hat, labels))
    show("l2_loss(y_hat, labels)", l2_loss(y_hat, labels))

    print("\n# array helpers")
    image = np.arange(12.0).reshape(2, 3, 2)
    show("image2vector(image of shape (2, 3, 2)).shape", image2vector(image).shape)
    show("image2vector(image).T", image2vector(image).T)
    rows = np.array([[0.0, 3.0, 4.0], [1.0, 6.0, 4.0], [0.0, 0.0, 0.0]])
    show("rows", rows)
    show("normalize_rows(rows)", normalize_rows(rows))


if __name__ == "__main__":
    main()
