"""Plot the step function, the sigmoid and ReLU on one figure, saved as a PNG.

Needs matplotlib:  pip install 'numnet[plot]'
Run:  python examples/activation_plots.py [--out activations.png]
"""

from __future__ import annotations

import argparse

import numpy as np

from numnet.functions import relu, sigmoid, step_function


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="activations.png", help="where to save the PNG (default activations.png)")
    args = parser.parse_args(argv)
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise SystemExit("activation_plots.py needs matplotlib: pip install 'numnet[plot]'") from None

    x = np.linspace(-5.0, 5.0, 1001)
    figure = Figure(figsize=(8, 4.5), dpi=100)
    FigureCanvasAgg(figure)  # the Agg (PNG) renderer, no display needed
    axes = figure.add_subplot()
    axes.plot(x, step_function(x), label="step", linestyle="--")
    axes.plot(x, sigmoid(x), label="sigmoid")
    axes.plot(x, relu(x), label="ReLU", linestyle=":")
    axes.set(xlabel="x", ylabel="activation", ylim=(-0.1, 2.0), title="Activation functions")
    axes.grid(True, alpha=0.3)
    axes.legend()
    figure.savefig(args.out)
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
