"""numnet.graph: the textbook's multiplication and addition nodes, the shopping examples, the course's graph."""

from __future__ import annotations

import math

import numpy as np
import pytest

from numnet.functions import sigmoid
from numnet.gradient import numerical_diff
from numnet.graph import (
    AddLayer,
    Graph,
    LinearNode,
    LogLossNode,
    MulLayer,
    SigmoidNode,
    logistic_regression_graph,
    shopping_graph,
)


def test_mul_layer_swaps_its_inputs_on_the_way_back():
    layer = MulLayer()
    assert layer.forward(100, 2) == 200
    assert layer.backward(1.1) == pytest.approx((2.2, 110.0))


def test_add_layer_passes_the_gradient_through():
    layer = AddLayer()
    assert layer.forward(200, 450) == 650
    assert layer.backward(1.1) == (1.1, 1.1)


def test_nodes_work_on_arrays():
    x, y = np.array([1.0, 2.0]), np.array([3.0, -4.0])
    layer = MulLayer()
    np.testing.assert_array_equal(layer.forward(x, y), [3.0, -8.0])
    dx, dy = layer.backward(np.array([1.0, 0.5]))
    np.testing.assert_array_equal(dx, [3.0, -2.0])
    np.testing.assert_array_equal(dy, [1.0, 1.0])


@pytest.mark.parametrize("node", [MulLayer(), SigmoidNode(), LogLossNode(), LinearNode()])
def test_backward_before_forward_is_refused(node):
    with pytest.raises(RuntimeError, match="before forward"):
        node.backward(1.0)


# --------------------------------------------------------- the book's numbers


def test_buying_apples_gives_the_books_numbers():
    graph = shopping_graph(apple=100, apple_num=2, tax=1.1)
    assert int(graph["price"].value) == 220
    assert graph["apple"].grad == pytest.approx(2.2, abs=1e-12)
    assert int(graph["apple_num"].grad) == 110
    assert graph["tax"].grad == 200
    assert graph["price"].grad == 1


def test_buying_apples_and_oranges_gives_the_books_numbers():
    graph = shopping_graph(apple=100, apple_num=2, orange=150, orange_num=3, tax=1.1)
    assert int(graph["price"].value) == 715
    expected = {"apple_num": 110, "apple": 2.2, "orange": 3.3, "orange_num": 165, "tax": 650}
    for name, value in expected.items():
        assert graph[name].grad == pytest.approx(value, abs=1e-12), name
    assert graph["all_price"].grad == pytest.approx(1.1) and graph["orange_price"].grad == pytest.approx(1.1)


def test_the_gradients_are_the_derivatives_of_the_price():
    def price(apple=100.0, apple_num=2.0, orange=150.0, orange_num=3.0, tax=1.1):
        return (apple * apple_num + orange * orange_num) * tax

    graph = shopping_graph(apple=100, apple_num=2, orange=150, orange_num=3, tax=1.1)
    for name in ("apple", "apple_num", "orange", "orange_num", "tax"):
        derivative = numerical_diff(lambda v, name=name: price(**{name: v}), float(graph[name].value))
        assert graph[name].grad == pytest.approx(derivative, rel=1e-8), name


# --------------------------------------------------------- the course's graph


@pytest.mark.parametrize(
    ("x", "w", "b", "y"), [((1.0, 2.0), (0.5, -0.25), 0.1, 1.0), ((-3.0, 0.5), (0.2, 1.5), -0.4, 0.0)]
)
def test_logistic_regression_graph_has_the_course_derivatives(x, w, b, y):
    graph = logistic_regression_graph(x=x, w=w, b=b, y=y)
    z = w[0] * x[0] + w[1] * x[1] + b
    a = float(sigmoid(z))
    assert graph["z"].value == pytest.approx(z, abs=1e-15)
    assert graph["a"].value == pytest.approx(a, abs=1e-15)
    assert graph["L"].value == pytest.approx(-(y * math.log(a) + (1 - y) * math.log(1 - a)), abs=1e-15)
    assert graph["a"].grad == pytest.approx(-y / a + (1 - y) / (1 - a), rel=1e-12)
    assert graph["z"].grad == pytest.approx(a - y, rel=1e-12)  # dz = a - y
    assert graph["w1"].grad == pytest.approx(x[0] * (a - y), rel=1e-12)
    assert graph["w2"].grad == pytest.approx(x[1] * (a - y), rel=1e-12)
    assert graph["b"].grad == pytest.approx(a - y, rel=1e-12)
    assert graph["x1"].grad is None and graph["y"].grad is None  # data and label are constants


def test_logistic_regression_gradients_match_numerical_ones():
    def loss(w1=0.5, w2=-0.25, b=0.1):
        return logistic_regression_graph(x=(1.0, 2.0), w=(w1, w2), b=b, y=1.0)["L"].value

    graph = logistic_regression_graph()
    for name in ("w1", "w2", "b"):
        derivative = numerical_diff(lambda v, name=name: loss(**{name: v}), graph[name].value)
        assert graph[name].grad == pytest.approx(derivative, rel=1e-7), name


def test_the_course_writes_z_out():
    assert logistic_regression_graph().nodes[0].symbol == "z = w1x1 + w2x2 + b"


# ------------------------------------------------------------ graph mechanics


def test_a_value_used_twice_collects_both_gradients():
    graph = Graph()
    x = graph.input("x", 3.0)
    graph.mul(x, x, "square")
    graph.backward()
    assert graph["x"].grad == 6.0  # d(x*x)/dx = 2x


def test_backward_starts_afresh_and_scales_with_dout():
    graph = shopping_graph()
    graph.backward(dout=2)
    assert graph["tax"].grad == 400
    graph.backward()
    assert graph["tax"].grad == 200


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda g: g.input("a", 1) and g.input("a", 2), "already has a value named 'a'"),
        (lambda g: g.input("", 1), "non-empty string"),
        (lambda g: g.mul(Graph().input("x", 1), g.input("y", 2), "z"), "values of this graph"),
        (lambda g: g.mul(g.input("x", 1), g.input("y", 2), "x"), "already has a value named 'x'"),
        (lambda g: g.output, "no node"),
        (lambda g: g["nothing"], "no value named 'nothing'"),
        (lambda g: g.apply(LogLossNode(), "L", g.input("a", 1.5), g.input("y", 1)), r"probability in \(0, 1\)"),
        (lambda g: g.apply(LinearNode(), "z", g.input("x", 1.0), g.input("w", 2.0)), "odd number"),
    ],
)
def test_mistakes_are_refused_clearly(build, message):
    with pytest.raises((ValueError, KeyError), match=message):
        build(Graph())


def test_a_refused_node_leaves_the_graph_as_it_was():
    graph = shopping_graph()
    before = list(graph.values)
    with pytest.raises(ValueError):
        graph.mul(graph["tax"], graph["apple"], "price")
    assert list(graph.values) == before and graph.output.name == "price"
