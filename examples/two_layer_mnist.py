"""Train the two-layer network of "Deep Learning from Scratch", chapters 4-5, on MNIST.

TwoLayerNet(784, 50, 10): Affine → ReLU → Affine → softmax, weights drawn
from N(0, 0.01²), trained by SGD with learning rate 0.1 on mini-batches of
100. The book runs 10,000 iterations (about 17 epochs of 600 iterations) and
prints the accuracy on the whole training and test sets after every epoch,
ending near 0.98 / 0.97.

    python examples/two_layer_mnist.py [--data-dir DIR] [--epochs 17] [--seed 0]

MNIST is looked for in ``--data-dir``, then ``$NUMNET_DATA_DIR`` (as
``mnist/*.gz``), then downloaded.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from numnet.data import DatasetError, load_mnist
from numnet.models import TwoLayerNet
from numnet.optimizers import SGD
from numnet.training import Callback, Trainer


class PrintAccuracy(Callback):
    """After each epoch, print the accuracy on the whole training set and on the test set."""

    def __init__(self, x_train: np.ndarray, t_train: np.ndarray, x_test: np.ndarray, t_test: np.ndarray) -> None:
        self.train, self.test = (x_train, t_train), (x_test, t_test)

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        model = trainer.model
        train_acc, test_acc = model.accuracy(*self.train), model.accuracy(*self.test)
        print(
            f"epoch {trainer.history.epochs}: train accuracy {train_acc:.4f}, test accuracy {test_acc:.4f}", flush=True
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="directory holding mnist/ (default: $NUMNET_DATA_DIR)")
    parser.add_argument("--epochs", type=int, default=17, help="epochs of 600 iterations (default: 17)")
    parser.add_argument("--seed", type=int, default=0, help="seeds the initial weights and the shuffling")
    args = parser.parse_args(argv)
    try:
        (x_train, t_train), (x_test, t_test) = load_mnist(args.data_dir, normalize=True, flatten=True)
    except (DatasetError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1

    model = TwoLayerNet(784, 50, 10, weight_init_std=0.01, seed=args.seed)
    trainer = Trainer(model, SGD(lr=0.1))
    trainer.fit(
        x_train,
        t_train,
        epochs=args.epochs,
        batch_size=100,
        seed=args.seed,
        verbose=0,
        callbacks=[PrintAccuracy(x_train, t_train, x_test, t_test)],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
