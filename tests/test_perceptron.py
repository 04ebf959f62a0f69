"""The logic gates of numnet.perceptron against their truth tables and weights."""

from __future__ import annotations

import operator

import numpy as np
import pytest

from numnet.perceptron import AND, NAND, OR, XOR, perceptron

pytestmark = pytest.mark.filterwarnings("error")

TRUTH = {
    AND: operator.and_,
    NAND: lambda a, b: 1 - (a & b),
    OR: operator.or_,
    XOR: operator.xor,
}
GATES = list(TRUTH)
PAIRS = [(0, 0), (0, 1), (1, 0), (1, 1)]


@pytest.mark.parametrize("gate", GATES, ids=lambda g: g.__name__)
@pytest.mark.parametrize("x1, x2", PAIRS)
def test_truth_table_on_scalars(gate, x1, x2):
    expected = TRUTH[gate](x1, x2)
    for a, b in [(x1, x2), (float(x1), float(x2)), (bool(x1), bool(x2)), (np.float32(x1), np.float32(x2))]:
        out = gate(a, b)
        assert type(out) is int and out == expected


@pytest.mark.parametrize("dtype", [np.int64, np.float32, np.float64, bool])
@pytest.mark.parametrize("gate", GATES, ids=lambda g: g.__name__)
def test_truth_table_on_arrays(gate, dtype):
    x1 = np.array([0, 0, 1, 1], dtype=dtype)
    x2 = np.array([0, 1, 0, 1], dtype=dtype)
    out = gate(x1, x2)
    assert out.dtype.kind == "i" and out.shape == (4,)
    np.testing.assert_array_equal(out, [TRUTH[gate](a, b) for a, b in PAIRS])


@pytest.mark.parametrize("gate", GATES, ids=lambda g: g.__name__)
def test_arrays_broadcast(gate):
    column, row = np.array([[0], [1]]), np.array([0, 1])  # an outer truth table, shape (2, 2)
    out = gate(column, row)
    assert out.shape == (2, 2) and out.dtype.kind == "i"
    np.testing.assert_array_equal(out, [[TRUTH[gate](a, b) for b in (0, 1)] for a in (0, 1)])
    np.testing.assert_array_equal(gate(1, row), [TRUTH[gate](1, b) for b in (0, 1)])


def test_textbook_weights_and_biases():
    # Inputs between 0 and 1 pin down w and b: AND is 0.5 x1 + 0.5 x2 - 0.7 > 0,
    # NAND is -0.5 x1 - 0.5 x2 + 0.7 > 0, OR is 0.5 x1 + 0.5 x2 - 0.2 > 0.
    assert AND(1.0, 0.5) == 1 and AND(1.0, 0.3) == 0  # +0.05 and -0.05
    assert NAND(1.0, 0.3) == 1 and NAND(1.0, 0.5) == 0  # +0.05 and -0.05
    assert OR(0.5, 0.0) == 1 and OR(0.3, 0.0) == 0  # +0.05 and -0.05
    # XOR(0.3, 0.3) = AND(NAND = 1 (+0.4), OR = 1 (+0.1)) = 1 although both inputs are "low"
    assert XOR(0.3, 0.3) == 1
    # XOR(0.9, 0.9) = AND(NAND = 0 (-0.2), OR = 1) = 0
    assert XOR(0.9, 0.9) == 0


def test_perceptron_helper():
    x1 = np.array([1.0, 2.0, -1.0])
    x2 = np.array([1.0, -1.0, 3.0])
    # 2 x1 - x2 - 0.5 = 0.5, 4.5, -5.5
    np.testing.assert_array_equal(perceptron(x1, x2, weights=(2.0, -1.0), bias=-0.5), [1, 1, 0])
    assert perceptron(1.0, 1.0, weights=(1.0, 1.0), bias=-2.0) == 0  # exactly 0 is not > 0


def test_non_numeric_input_names_the_argument():
    with pytest.raises(TypeError, match=r"^x1 must be a numeric"):
        AND("a", 1)
    with pytest.raises(TypeError, match=r"^x2 must be a numeric"):
        OR(1, [None, 1])
    with pytest.raises(TypeError, match=r"^x2 must be a numeric"):
        XOR(np.zeros(2), np.array(["a", "b"]))


def test_shapes_that_do_not_broadcast():
    with pytest.raises(ValueError, match=r"x1 and x2 must have shapes that broadcast together, got \(2,\) and \(3,\)"):
        XOR(np.zeros(2), np.zeros(3))
