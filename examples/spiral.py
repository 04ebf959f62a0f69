"""Classify the three interleaved spirals of CS231n with a one-hidden-layer network.

300 points (100 per class) in the plane; an MLP 2 → 10 (ReLU) → 3 (softmax)
trained full-batch with Adam (learning rate 0.05, 500 epochs) fits them to
about 99% training accuracy (the three points at the origin, one per class,
cannot all be right). The decision regions are drawn into a PNG (needs
matplotlib: ``pip install 'numnet[plot]'``).

    python examples/spiral.py [--out spiral.png] [--seed 0] [--epochs 500]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from numnet.data import make_spiral
from numnet.models import MLP
from numnet.optimizers import Adam
from numnet.training import Trainer


def train(x: np.ndarray, labels: np.ndarray, epochs: int, seed: int) -> MLP:
    """MLP([2, 10, 3]) trained full-batch with Adam(lr=0.05)."""
    model = MLP([2, 10, 3], activation="relu", output="softmax", seed=seed)
    Trainer(model, Adam(lr=0.05)).fit(x, labels, epochs=epochs, batch_size=None, seed=seed, verbose=0)
    return model


def save_decision_boundary(model: MLP, x: np.ndarray, labels: np.ndarray, path: Path, resolution: int = 300) -> None:
    """Colour the plane by the predicted class, scatter the points on top, and save a PNG."""
    from matplotlib.figure import Figure  # optional dependency, imported only here

    margin = 0.2
    (x0_min, x1_min), (x0_max, x1_max) = x.min(axis=0) - margin, x.max(axis=0) + margin
    grid0, grid1 = np.meshgrid(np.linspace(x0_min, x0_max, resolution), np.linspace(x1_min, x1_max, resolution))
    regions = model.predict_labels(np.column_stack([grid0.ravel(), grid1.ravel()])).reshape(grid0.shape)

    n_classes = int(labels.max()) + 1
    colours = [f"C{k}" for k in range(n_classes)]  # matplotlib's default colour cycle
    figure = Figure(figsize=(5, 5))
    axes = figure.add_subplot()
    axes.contourf(grid0, grid1, regions, levels=np.arange(-0.5, n_classes), colors=colours, alpha=0.3)
    axes.scatter(x[:, 0], x[:, 1], c=[colours[k] for k in labels], s=20, edgecolors="black", linewidths=0.5)
    axes.set(xlim=(x0_min, x0_max), ylim=(x1_min, x1_max), title="spiral: MLP 2-10-3 decision regions")
    figure.savefig(path, dpi=100)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("spiral.png"), help="PNG to write (default: spiral.png)")
    parser.add_argument("--epochs", type=int, default=500, help="full-batch epochs (default: 500)")
    parser.add_argument("--seed", type=int, default=0, help="seeds the data, the weights and the training")
    args = parser.parse_args(argv)

    x, labels = make_spiral(n_per_class=100, n_classes=3, seed=args.seed)
    model = train(x, labels, args.epochs, args.seed)
    print(f"training accuracy: {model.accuracy(x, labels):.4f}")

    try:
        import matplotlib  # noqa: F401 - optional dependency
    except ImportError:
        print("note: the decision-boundary plot needs matplotlib: pip install 'numnet[plot]'")
        return 0
    save_decision_boundary(model, x, labels, args.out)
    print(f"decision boundary saved to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
