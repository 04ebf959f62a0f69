"""The course's planar-data classifier: one hidden layer (tanh), hidden sizes 1 to 50, with decision boundaries.

The deeplearning.ai week-3 assignment ("Planar data classification with one
hidden layer"), step by step with numnet's layers:

* the "flower" data set exactly as the course makes it
  (``make_planar(mode="course")``: np.random.seed(1), 400 points);
* the course's network 2 → n_h (tanh) → 1 (sigmoid), cross-entropy cost,
  initialised as the course does (``np.random.seed(2)``, then
  ``W1 = randn(n_h, 2) * 0.01``, ``W2 = randn(1, n_h) * 0.01``, zero biases;
  numnet's ``W`` is the course's transposed), trained by full-batch gradient
  descent with learning rate 1.2;
* n_h = 4 for 10,000 iterations, printing the cost every 1,000 as the course
  does, then hidden sizes 1, 2, 3, 4, 5, 20 and 50 for 5,000 iterations each
  (the course's loop), printing the accuracies and drawing every decision
  boundary (needs matplotlib: ``pip install 'numnet[plot]'``).

The course prints costs 0.693048, 0.288083, ..., 0.217504 up to iteration
7,000 and accuracies 67.5, 67.25, 90.75, 90.5, 91.25, 90.0 and 90.25 %;
numnet reproduces all of them but the last two. Those runs, like the costs
after iteration 8,000, sit where gradient descent is sensitive to the last
bit of rounding: the course's own published copies disagree there (0.219454
or 0.219471 at iteration 8,000), and its NumPy code gives 90.0 or 90.5 % for
20 units and 90.25 or 90.75 % for 50 depending on the BLAS kernel and on
writing ``1 / m * dot`` or ``dot / m``. numnet gets 90.5 and 90.75 %.

    python examples/planar_hidden_sizes.py [--out planar_hidden_sizes.png]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

from numnet.data import make_planar
from numnet.layers import Affine, SigmoidWithLoss, Tanh
from numnet.models import Sequential
from numnet.optimizers import SGD

#: The hidden sizes of the course's loop, and its iterations and learning rate.
HIDDEN_SIZES = (1, 2, 3, 4, 5, 20, 50)
ITERATIONS, LOOP_ITERATIONS, LEARNING_RATE = 10_000, 5_000, 1.2


def course_network(n_h: int, seed: int = 2) -> Sequential:
    """2 → n_h (tanh) → 1 (sigmoid) with the course's initial weights (float64)."""
    legacy = np.random.RandomState(seed)  # the course's np.random.seed(2), without NumPy's global state
    W1 = legacy.randn(n_h, 2) * 0.01
    W2 = legacy.randn(1, n_h) * 0.01
    layers = [Affine(W1.T.copy(), np.zeros(n_h)), Tanh(), Affine(W2.T.copy(), np.zeros(1))]
    return Sequential(layers, SigmoidWithLoss())


def train(model: Sequential, x: np.ndarray, y: np.ndarray, iterations: int) -> list[float]:
    """Full-batch gradient descent (learning rate 1.2), as the course's nn_model; returns the cost before each step."""
    optimizer, costs = SGD(lr=LEARNING_RATE), []
    for _ in range(iterations):
        costs.append(model.forward(x, y))
        model.backward()
        optimizer.update(model.params, model.grads)
    return costs


def accuracy_percent(model: Sequential, x: np.ndarray, y: np.ndarray) -> float:
    """Percentage of points whose predicted probability is on the right side of 0.5."""
    predictions = model.predict_proba(x) > 0.5
    return 100 * int(np.sum(predictions == (y > 0.5))) / len(y)


def boundaries_figure(models: dict[int, Sequential], accuracies: dict[int, float], x: np.ndarray, labels: np.ndarray):
    """One panel per hidden size, the plane coloured by the predicted class, and a last panel with the data alone."""
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure

    colours = ListedColormap(["#d7301f", "#2b8cbe"])  # red for y = 0, blue for y = 1, as the course's plots
    (x0_min, x1_min), (x0_max, x1_max) = x.min(axis=0) - 1, x.max(axis=0) + 1
    grid0, grid1 = np.meshgrid(np.linspace(x0_min, x0_max, 300), np.linspace(x1_min, x1_max, 300))
    points = np.column_stack([grid0.ravel(), grid1.ravel()])
    figure = Figure(figsize=(16, 8.4), layout="constrained")
    figure.suptitle(
        f"Planar data: one hidden layer (tanh), {LOOP_ITERATIONS} iterations of gradient descent", fontsize=16
    )
    axes = figure.subplots(2, 4, sharex=True, sharey=True).ravel()
    for ax, (n_h, model) in zip(axes, models.items()):
        regions = (model.predict_proba(points) > 0.5).reshape(grid0.shape)
        ax.contourf(grid0, grid1, regions, levels=[-0.5, 0.5, 1.5], cmap=colours, alpha=0.35)
        ax.set_title(f"hidden layer of size {n_h}: {accuracies[n_h]:g}%", fontsize=13)
    for ax in axes:
        ax.scatter(x[:, 0], x[:, 1], c=labels, cmap=colours, s=8, edgecolors="black", linewidths=0.2)
        ax.set(xlim=(x0_min, x0_max), ylim=(x1_min, x1_max))
    axes[-1].set_title("the data (red: y = 0, blue: y = 1)", fontsize=13)
    for ax in axes[4:]:
        ax.set_xlabel("x1", fontsize=12)
    for ax in axes[::4]:
        ax.set_ylabel("x2", fontsize=12)
    return figure


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("planar_hidden_sizes.png"), help="the figure to write")
    args = parser.parse_args(argv)

    x, labels = make_planar(mode="course", dtype="float64")  # the course's X.T and Y[0]
    y = labels[:, None].astype(np.float64)  # one sigmoid output per point
    print(f"The flower data set: x {x.shape}, labels {labels.shape} (the course's X and Y, transposed)")

    print(f"\nHidden layer of size 4, {ITERATIONS} iterations:")
    model = course_network(4)
    costs = train(model, x, y, ITERATIONS)
    for i in range(0, ITERATIONS, 1000):
        print(f"Cost after iteration {i}: {costs[i]:f}")
    print(f"Accuracy: {int(accuracy_percent(model, x, y))}%\n")

    models: dict[int, Sequential] = {}
    accuracies: dict[int, float] = {}
    for n_h in HIDDEN_SIZES:
        models[n_h] = course_network(n_h)
        train(models[n_h], x, y, LOOP_ITERATIONS)
        accuracies[n_h] = accuracy_percent(models[n_h], x, y)
        print(f"Accuracy for {n_h} hidden units: {accuracies[n_h]} %")

    try:
        figure: Any = boundaries_figure(models, accuracies, x, labels)
    except ImportError:
        print("\nnote: the decision-boundary figure needs matplotlib: pip install 'numnet[plot]'")
        return 0
    figure.savefig(args.out, dpi=100)
    print(f"\nsaved {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
