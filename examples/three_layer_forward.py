"""The forward pass of the fixed three-layer network of "Deep Learning from Scratch", chapter 3.

Two inputs, hidden layers of 3 and 2 sigmoid units, two identity outputs, with
the book's hand-picked weights. The book's output for x = [1.0, 0.5] is
[0.31682708 0.69627909].

    python examples/three_layer_forward.py
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from numnet.layers import Affine, Identity, Layer, Sigmoid


def build_network() -> list[Layer]:
    """Affine → Sigmoid → Affine → Sigmoid → Affine → Identity with the book's float64 weights."""
    W1 = np.array([[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]])
    b1 = np.array([0.1, 0.2, 0.3])
    W2 = np.array([[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]])
    b2 = np.array([0.1, 0.2])
    W3 = np.array([[0.1, 0.3], [0.2, 0.4]])
    b3 = np.array([0.1, 0.2])
    return [Affine(W1, b1), Sigmoid(), Affine(W2, b2), Sigmoid(), Affine(W3, b3), Identity()]


def forward(layers: list[Layer], x: np.ndarray) -> np.ndarray:
    """Run ``x`` (N, 2) through ``layers`` in inference mode: (N, 2)."""
    for layer in layers:
        x = layer.forward(x, train=False)
    return x


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--input",
        nargs=2,
        type=float,
        default=[1.0, 0.5],
        metavar=("X1", "X2"),
        help="the two inputs (default: 1.0 0.5, as in the book)",
    )
    args = parser.parse_args(argv)
    x = np.array([args.input])
    y = forward(build_network(), x)
    print(f"input:  {x[0]}")
    print(f"output: {y[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
