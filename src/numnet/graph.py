"""Computation graphs: the multiplication and addition nodes of the textbook's chapter 5.

Backpropagation is easiest to see on a graph of simple nodes. Each node
passes its inputs forward to one output and, backwards, turns the gradient of
the final result with respect to its output (``dout``) into the gradients with
respect to its inputs: the chain rule, one node at a time.

* :class:`MulLayer` — ``z = x * y``; backward ``(dout * y, dout * x)``: each
  input gets the upstream gradient times the *other* input.
* :class:`AddLayer` — ``z = x + y``; backward ``(dout, dout)``: passed through.
* :class:`LinearNode`, :class:`SigmoidNode` and :class:`LogLossNode` —
  ``z = w·x + b``, ``a = σ(z)`` and the cross-entropy ``L(a, y)`` of one
  example: the course's logistic-regression graph.

A :class:`Graph` wires nodes together and records every value on the way
forward and every gradient on the way back, so that they can be printed or
drawn (:func:`numnet.plotting.graph_figure`)::

    g = Graph()
    apple, count, tax = g.input("apple", 100), g.input("apple_num", 2), g.input("tax", 1.1)
    price = g.mul(g.mul(apple, count, "apple_price"), tax, "price")
    g.backward(price)           # d price / d price = 1
    g["apple"].grad             # 2.2: one more yen per apple costs 2.2 yen
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from numnet.functions import sigmoid

__all__ = [
    "MulLayer",
    "AddLayer",
    "LinearNode",
    "SigmoidNode",
    "LogLossNode",
    "Value",
    "Node",
    "Graph",
    "shopping_graph",
    "logistic_regression_graph",
]


class MulLayer:
    """z = x * y (numbers or arrays of one shape). Caches both inputs."""

    symbol = "×"

    def __init__(self) -> None:
        self.x: Any = None
        self.y: Any = None

    def forward(self, x: Any, y: Any) -> Any:
        self.x, self.y = x, y
        return x * y

    def backward(self, dout: Any) -> tuple[Any, Any]:
        """dz -> (dx, dy) = (dz * y, dz * x): the inputs swap places."""
        if self.x is None:
            raise RuntimeError("MulLayer: backward() called before forward()")
        return dout * self.y, dout * self.x


class AddLayer:
    """z = x + y. Caches nothing: its local derivatives are 1."""

    symbol = "+"

    def forward(self, x: Any, y: Any) -> Any:
        return x + y

    def backward(self, dout: Any) -> tuple[Any, Any]:
        """dz -> (dx, dy) = (dz, dz): an addition passes the gradient through unchanged."""
        return dout, dout


class LinearNode:
    """z = w1 x1 + ... + wn xn + b, the course's first node; inputs in the order x1, w1, ..., xn, wn, b.

    backward dz -> (w1 dz, x1 dz, ..., wn dz, xn dz, dz): d z / d xi = wi and d z / d wi = xi.
    """

    symbol = "z = w·x + b"

    def __init__(self) -> None:
        self.inputs: tuple[Any, ...] = ()

    def forward(self, *inputs: Any) -> Any:
        if len(inputs) < 3 or len(inputs) % 2 == 0:
            raise ValueError(
                f"LinearNode: expected inputs x1, w1, ..., xn, wn, b (an odd number >= 3), got {len(inputs)}"
            )
        self.inputs = inputs
        n = len(inputs) // 2
        if n <= 3:  # the course writes the sum out: z = w1x1 + w2x2 + b
            self.symbol = "z = " + " + ".join(f"w{i}x{i}" for i in range(1, n + 1)) + " + b"
        pairs = zip(inputs[:-1:2], inputs[1:-1:2])
        return sum(x * w for x, w in pairs) + inputs[-1]

    def backward(self, dout: Any) -> tuple[Any, ...]:
        if not self.inputs:
            raise RuntimeError("LinearNode: backward() called before forward()")
        grads: list[Any] = []
        for x, w in zip(self.inputs[:-1:2], self.inputs[1:-1:2]):
            grads += [dout * w, dout * x]
        return (*grads, dout)


class SigmoidNode:
    """a = σ(z) = 1 / (1 + e^-z); backward da -> dz = da * a * (1 - a). Caches a."""

    symbol = "a = σ(z)"

    def __init__(self) -> None:
        self.out: Any = None

    def forward(self, z: Any) -> Any:
        self.out = sigmoid(z)
        return self.out

    def backward(self, dout: Any) -> tuple[Any]:
        if self.out is None:
            raise RuntimeError("SigmoidNode: backward() called before forward()")
        return (dout * self.out * (1.0 - self.out),)


class LogLossNode:
    """L(a, y) = -(y log a + (1 - y) log(1 - a)), the cross-entropy of one example; 0 < a < 1.

    backward dL -> (da, dy) = (dL (-y / a + (1 - y) / (1 - a)), dL (log(1 - a) - log a)).
    """

    symbol = "L(a, y)"

    def __init__(self) -> None:
        self.a: float | None = None
        self.y: float | None = None

    def forward(self, a: float, y: float) -> float:
        if not 0.0 < a < 1.0:
            raise ValueError(f"LogLossNode: a must be a probability in (0, 1), got {a!r}")
        self.a, self.y = a, y
        return -(y * math.log(a) + (1.0 - y) * math.log(1.0 - a))

    def backward(self, dout: float) -> tuple[float, float]:
        a, y = self.a, self.y
        if a is None or y is None:
            raise RuntimeError("LogLossNode: backward() called before forward()")
        return dout * (-y / a + (1.0 - y) / (1.0 - a)), dout * (math.log(1.0 - a) - math.log(a))


@dataclass(eq=False)
class Value:
    """An edge of the graph: a named value and, after :meth:`Graph.backward`, its gradient.

    Attributes:
        name: unique in its graph.
        value: what flowed forward.
        grad: d output / d value (None before backward, and for constants).
        node: the node that computed it, None for an input.
        constant: an input held fixed (a label): it gets no gradient.
    """

    name: str
    value: Any
    node: Node | None = None
    constant: bool = False
    grad: Any = None


@dataclass(eq=False)
class Node:
    """One operation of the graph: ``output = op.forward(*inputs)``; ``symbol`` is what a figure draws."""

    op: Any
    symbol: str
    inputs: tuple[Value, ...]
    output: Value


@dataclass
class Graph:
    """Nodes wired into a graph, evaluated as they are added; :meth:`backward` fills in the gradients.

    Values are looked up by name: ``graph["tax"].value``, ``graph["tax"].grad``.
    """

    values: dict[str, Value] = field(default_factory=dict)
    nodes: list[Node] = field(default_factory=list)

    def _new_value(self, name: str, value: Any, constant: bool = False) -> Value:
        if not isinstance(name, str) or not name:
            raise ValueError(f"a value's name must be a non-empty string, got {name!r}")
        if name in self.values:
            raise ValueError(f"the graph already has a value named {name!r}; names must be unique")
        self.values[name] = Value(name, value, constant=constant)
        return self.values[name]

    def input(self, name: str, value: Any, constant: bool = False) -> Value:
        """An input of the graph; ``constant=True`` for one without a gradient (a label y)."""
        return self._new_value(name, value, constant=constant)

    def apply(self, op: Any, name: str, *inputs: Value) -> Value:
        """Run ``op.forward(*input values)`` now and record it as a node whose output is called ``name``.

        ``op`` has ``forward(*inputs)`` and ``backward(dout)`` returning one
        gradient per input (a tuple), and a ``symbol`` to draw.
        """
        for value in inputs:
            if not isinstance(value, Value) or self.values.get(value.name) is not value:
                raise ValueError(f"inputs must be values of this graph, got {value!r}")
        if name in self.values:
            raise ValueError(f"the graph already has a value named {name!r}; names must be unique")
        output = self._new_value(name, op.forward(*(value.value for value in inputs)))
        output.node = Node(op, getattr(op, "symbol", type(op).__name__), tuple(inputs), output)
        self.nodes.append(output.node)
        return output

    def mul(self, x: Value, y: Value, name: str) -> Value:
        """``name = x * y`` through a :class:`MulLayer`."""
        return self.apply(MulLayer(), name, x, y)

    def add(self, x: Value, y: Value, name: str) -> Value:
        """``name = x + y`` through an :class:`AddLayer`."""
        return self.apply(AddLayer(), name, x, y)

    @property
    def output(self) -> Value:
        """The value computed last: the graph's result."""
        if not self.nodes:
            raise ValueError("the graph has no node yet")
        return self.nodes[-1].output

    def backward(self, dout: Any = 1) -> None:
        """Backpropagate ``dout`` = d result / d :attr:`output` through every node, newest first.

        A value used by several nodes gets the sum of their gradients; every
        earlier gradient is cleared first.
        """
        for value in self.values.values():
            value.grad = None
        self.output.grad = dout
        for node in reversed(self.nodes):
            if node.output.grad is None:  # the result does not depend on this node
                continue
            grads = node.op.backward(node.output.grad)
            for value, grad in zip(node.inputs, grads, strict=True):
                if value.constant:
                    continue
                value.grad = grad if value.grad is None else value.grad + grad

    def __getitem__(self, name: str) -> Value:
        try:
            return self.values[name]
        except KeyError:
            raise KeyError(f"the graph has no value named {name!r}; it has {list(self.values)}") from None

    def __iter__(self) -> Iterator[Value]:
        return iter(self.values.values())


def shopping_graph(
    apple: float = 100, apple_num: int = 2, tax: float = 1.1, orange: float | None = None, orange_num: int = 3
) -> Graph:
    """The textbook's shopping example (chapter 5), evaluated and backpropagated.

    Apples only: ``price = apple * apple_num * tax``. With ``orange`` (a
    unit price, e.g. 150): ``price = (apple * apple_num + orange * orange_num) * tax``.
    """
    graph = Graph()
    apple_price = graph.mul(graph.input("apple", apple), graph.input("apple_num", apple_num), "apple_price")
    if orange is None:
        total = apple_price
    else:
        orange_price = graph.mul(graph.input("orange", orange), graph.input("orange_num", orange_num), "orange_price")
        total = graph.add(apple_price, orange_price, "all_price")
    graph.mul(total, graph.input("tax", tax), "price")
    graph.backward()
    return graph


def logistic_regression_graph(
    x: tuple[float, float] = (1.0, 2.0), w: tuple[float, float] = (0.5, -0.25), b: float = 0.1, y: float = 1.0
) -> Graph:
    """The course's logistic-regression graph for one example with two features, backpropagated.

    ``z = w1 x1 + w2 x2 + b`` → ``a = σ(z)`` → ``L(a, y)``, as the course's
    week-2 lecture draws it; the data ``x1, x2`` and the label ``y`` are
    constants. Afterwards the gradients are the course's
    ``da = -y/a + (1-y)/(1-a)``, ``dz = a - y``, ``dw1 = x1 dz``,
    ``dw2 = x2 dz`` and ``db = dz`` (``graph["w1"].grad`` ...).
    """
    graph = Graph()
    inputs = [
        graph.input("x1", x[0], constant=True),
        graph.input("w1", w[0]),
        graph.input("x2", x[1], constant=True),
        graph.input("w2", w[1]),
        graph.input("b", b),
    ]
    z = graph.apply(LinearNode(), "z", *inputs)
    a = graph.apply(SigmoidNode(), "a", z)
    graph.apply(LogLossNode(), "L", a, graph.input("y", y, constant=True))
    graph.backward()
    return graph
