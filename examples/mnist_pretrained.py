"""Classify the MNIST test set with the pretrained network of "Deep Learning from Scratch", chapter 3.

The network is 784 → 50 → 100 → 10 with sigmoid hidden units and a softmax
output; its weights (W1, b1, W2, b2, W3, b3, float32) are the book's
``sample_weight.pkl``, converted to ``dlfs_ch03_sample_weight.npz``. The book
reports an accuracy of 0.9352 on the 10,000 test images.

    python examples/mnist_pretrained.py [--data-dir DIR] [--weights PATH]

MNIST is looked for in ``--data-dir``, then ``$NUMNET_DATA_DIR`` (as
``mnist/*.gz``), then downloaded; the weights default to
``$NUMNET_DATA_DIR/reference/dlfs_ch03_sample_weight.npz``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

from numnet.data import DatasetError, load_mnist
from numnet.layers import Affine, Sigmoid, SoftmaxWithLoss
from numnet.models import Sequential

WEIGHTS_FILE = Path("reference") / "dlfs_ch03_sample_weight.npz"
WEIGHT_NAMES = ("W1", "b1", "W2", "b2", "W3", "b3")


def default_weights_path(data_dir: str | None) -> Path | None:
    """``<data_dir>/reference/...npz``, else ``$NUMNET_DATA_DIR/reference/...npz``, else None."""
    root = data_dir or os.environ.get("NUMNET_DATA_DIR")
    return Path(root) / WEIGHTS_FILE if root else None


def load_network(path: Path) -> Sequential:
    """Affine → Sigmoid → Affine → Sigmoid → Affine → SoftmaxWithLoss on the weights in ``path``."""
    with np.load(path, allow_pickle=False) as arrays:
        missing = [name for name in WEIGHT_NAMES if name not in arrays.files]
        if missing:
            raise ValueError(f"{path}: missing arrays {missing} (found {arrays.files})")
        W1, b1, W2, b2, W3, b3 = (arrays[name] for name in WEIGHT_NAMES)
    layers = [Affine(W1, b1), Sigmoid(), Affine(W2, b2), Sigmoid(), Affine(W3, b3)]
    return Sequential(layers, SoftmaxWithLoss())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="directory holding mnist/ (default: $NUMNET_DATA_DIR)")
    parser.add_argument(
        "--weights", type=Path, help=f"the .npz weights (default: <data dir>/{WEIGHTS_FILE.as_posix()})"
    )
    args = parser.parse_args(argv)

    weights = args.weights or default_weights_path(args.data_dir)
    if weights is None or not weights.is_file():
        where = weights or "nowhere (give --weights, --data-dir or set NUMNET_DATA_DIR)"
        print(f"error: pretrained weights not found: {where}", file=sys.stderr)
        return 1
    try:
        network = load_network(weights)
        _, (x_test, t_test) = load_mnist(args.data_dir, normalize=True, flatten=True)
    except (DatasetError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1

    # the argmax of the scores is the argmax of the softmax probabilities
    correct = int(np.count_nonzero(network.predict_labels(x_test, batch_size=100) == t_test))
    print(f"weights: {weights}")
    print(f"correct: {correct} of {len(x_test)} test images")
    print(f"accuracy: {correct / len(x_test):.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
