"""Backpropagation on computation graphs: the textbook's shopping examples and the course's logistic regression.

"Deep Learning from Scratch", chapter 5: two apples at 100 yen with 10% tax
cost 220 yen, and backpropagation says how the price moves with each input
(dapple = 2.2, dapple_num = 110, dtax = 200); with three oranges at 150 yen
the price is 715 and the gradients are 110, 2.2, 3.3, 165 and 650. The
course's logistic-regression graph (z = w1x1 + w2x2 + b, a = σ(z), L(a, y))
gets the derivatives of its lecture: dz = a - y, dw = x dz, db = dz.

Each graph is also drawn, forward values above the arrows and gradients
beneath them (needs matplotlib: ``pip install 'numnet[plot]'``).

    python examples/computation_graph.py [--out-dir .]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from numnet.graph import Graph, logistic_regression_graph, shopping_graph

#: The figures written, by graph.
FIGURES = {
    "apple": "graph_apple.png",
    "apple_orange": "graph_apple_orange.png",
    "logistic_regression": "graph_logistic_regression.png",
}
LOGISTIC_CAPTION = "da = -y/a + (1-y)/(1-a)     dz = a - y     dw1 = x1·dz     dw2 = x2·dz     db = dz"


def number(value: float) -> str:
    """A value as the book prints it: 220 for 220.00000000000003, 3.3 for 3.3000000000000003."""
    return f"{float(value):.10g}"


def print_gradients(title: str, graph: Graph, names: list[str]) -> None:
    print(title)
    print(f"price: {number(graph['price'].value)}")
    for name in names:
        print(f"d{name}: {number(graph[name].grad)}")
    print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=Path("."), help="where to write the figures (default: .)")
    args = parser.parse_args(argv)

    apple = shopping_graph(apple=100, apple_num=2, tax=1.1)
    print_gradients("Buying 2 apples at 100 yen, tax 1.1:", apple, ["apple", "apple_num", "tax"])
    both = shopping_graph(apple=100, apple_num=2, orange=150, orange_num=3, tax=1.1)
    print_gradients(
        "Buying 2 apples at 100 yen and 3 oranges at 150 yen, tax 1.1:",
        both,
        ["apple_num", "apple", "orange", "orange_num", "tax"],
    )

    logistic = logistic_regression_graph(x=(1.0, 2.0), w=(0.5, -0.25), b=0.1, y=1.0)
    print("Logistic regression, x = (1, 2), w = (0.5, -0.25), b = 0.1, y = 1:")
    for name in ("z", "a", "L"):
        print(f"{name} = {logistic[name].value:.6f}")
    for name in ("a", "z", "w1", "w2", "b"):
        print(f"d{name} = {logistic[name].grad:.6f}")

    try:
        from numnet.plotting import graph_figure, save_figure

        figures = {
            "apple": graph_figure(apple, "Buying apples: price = apple × apple num × tax"),
            "apple_orange": graph_figure(both, "Buying apples and oranges: (apple × num + orange × num) × tax"),
            "logistic_regression": graph_figure(
                logistic, "Logistic regression: z = w·x + b, a = σ(z), L(a, y)", names=True, caption=LOGISTIC_CAPTION
            ),
        }
    except ImportError:
        print("\nnote: the figures need matplotlib: pip install 'numnet[plot]'")
        return 0
    print()
    for key, figure in figures.items():
        path = save_figure(figure, args.out_dir / FIGURES[key])
        print(f"saved {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
