"""Logistic regression on the cat / non-cat images, as in the deeplearning.ai week-2 walkthrough.

The 64x64x3 images are flattened to 12,288 features and divided by 255; the
weights start at zero and full-batch gradient descent runs 2,000 iterations
with learning rate 0.005, in float64. The course prints the cost every 100
iterations (0.693147 at iteration 0 ... 0.140872 at iteration 1900) and ends
with 99.04% train and 70% test accuracy.

    python examples/logistic_regression_cat.py [--data-dir DIR]

The two HDF5 files are looked for in ``--data-dir`` and ``$NUMNET_DATA_DIR``
(as ``catvnoncat/*.h5``); reading them needs h5py.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from numnet.data import DatasetError, load_catvnoncat
from numnet.models import LogisticRegression
from numnet.optimizers import SGD
from numnet.training import Callback, Trainer


class PrintCost(Callback):
    """Print the cost every ``every`` iterations, as the course does.

    ``history.loss[i]`` is the cost of iteration i computed before that
    iteration's update, which is what the course prints as "cost after iteration i".
    """

    def __init__(self, every: int) -> None:
        self.every = every

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        iteration = len(trainer.history.loss) - 1
        if iteration % self.every == 0:
            print(f"cost after iteration {iteration}: {trainer.history.loss[iteration]:.6f}", flush=True)


def flatten_images(images: np.ndarray) -> np.ndarray:
    """uint8 images (N, 64, 64, 3) -> float64 features (N, 12288) in [0, 1]."""
    return images.reshape(len(images), -1) / 255.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="directory holding catvnoncat/ (default: $NUMNET_DATA_DIR)")
    parser.add_argument("--iterations", type=int, default=2000, help="gradient-descent steps (default: 2000)")
    parser.add_argument("--lr", type=float, default=0.005, help="learning rate (default: 0.005)")
    args = parser.parse_args(argv)
    try:
        (x_train, y_train), (x_test, y_test), _ = load_catvnoncat(args.data_dir)
    except (DatasetError, ImportError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    x_train, x_test = flatten_images(x_train), flatten_images(x_test)

    model = LogisticRegression(x_train.shape[1], init="zeros", dtype=np.float64)
    trainer = Trainer(model, SGD(lr=args.lr))
    trainer.fit(
        x_train,
        y_train,
        epochs=args.iterations,
        batch_size=None,
        shuffle=False,
        verbose=0,
        callbacks=[PrintCost(every=100)],
    )

    print(f"train accuracy: {100 * model.accuracy(x_train, y_train):.2f} %")
    print(f"test accuracy: {100 * model.accuracy(x_test, y_test):.2f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
