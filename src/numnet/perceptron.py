"""Logic gates as perceptrons, as in the textbook's chapter 2.

A perceptron with weights (w1, w2) and bias b outputs 1 when
w1*x1 + w2*x2 + b > 0 and 0 otherwise. AND, NAND and OR are single
perceptrons; XOR, which no single perceptron can compute (its 1s and 0s are
not linearly separable), is the two-layer network AND(NAND(x1, x2), OR(x1, x2)).

Every gate takes two scalars (returning a Python ``int``) or two arrays that
broadcast together (returning an integer array of the broadcast shape).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from numnet.functions import as_float_array, step_function

__all__ = ["perceptron", "AND", "NAND", "OR", "XOR"]

#: What a gate returns: an ``int`` for two scalars, an integer array otherwise.
GateOutput = int | NDArray[np.int64]


def perceptron(x1: ArrayLike, x2: ArrayLike, weights: tuple[float, float], bias: float) -> GateOutput:
    """Output of the two-input perceptron: 1 where w1*x1 + w2*x2 + b > 0, else 0.

    Args:
        x1, x2: numbers or arrays of shapes that broadcast together.
        weights: (w1, w2).
        bias: b.

    Returns:
        A Python ``int`` for two scalars, else an integer array of the
        broadcast shape of ``x1`` and ``x2``.
    """
    x1, x2 = as_float_array(x1, "x1"), as_float_array(x2, "x2")
    try:
        np.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        raise ValueError(f"x1 and x2 must have shapes that broadcast together, got {x1.shape} and {x2.shape}") from None
    w1, w2 = weights
    output = step_function(w1 * x1 + w2 * x2 + bias)
    return int(output) if np.ndim(output) == 0 else output


def AND(x1: ArrayLike, x2: ArrayLike) -> GateOutput:
    """1 only where both inputs are 1: weights (0.5, 0.5), bias -0.7."""
    return perceptron(x1, x2, weights=(0.5, 0.5), bias=-0.7)


def NAND(x1: ArrayLike, x2: ArrayLike) -> GateOutput:
    """NOT AND, 0 only where both inputs are 1: weights (-0.5, -0.5), bias 0.7."""
    return perceptron(x1, x2, weights=(-0.5, -0.5), bias=0.7)


def OR(x1: ArrayLike, x2: ArrayLike) -> GateOutput:
    """1 where at least one input is 1: weights (0.5, 0.5), bias -0.2."""
    return perceptron(x1, x2, weights=(0.5, 0.5), bias=-0.2)


def XOR(x1: ArrayLike, x2: ArrayLike) -> GateOutput:
    """1 where exactly one input is 1: the two-layer perceptron AND(NAND, OR)."""
    return AND(NAND(x1, x2), OR(x1, x2))
