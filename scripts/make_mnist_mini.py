#!/usr/bin/env python
"""Build src/numnet/data/mnist_mini.npz, the bundled class-balanced MNIST subset.

From full MNIST (found like ``numnet.data.load_mnist`` finds it: ``--data-dir``,
``$NUMNET_DATA_DIR``, the cache, else a download), take for each digit the
first 600 training and 100 test images in the order of a permutation seeded
with SEED, and keep the chosen samples in their original MNIST order. The
choice depends only on the labels and SEED, so every run gives the same arrays;
the zip entries carry a fixed timestamp, so the file bytes repeat too (for one
zlib version).

    python scripts/make_mnist_mini.py [--data-dir DIR] [--output PATH]
"""

from __future__ import annotations

import argparse
import zipfile
from pathlib import Path

import numpy as np

from numnet.data import load_mnist

SEED = 0
TRAIN_PER_CLASS = 600
TEST_PER_CLASS = 100
N_CLASSES = 10
DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "src" / "numnet" / "data" / "mnist_mini.npz"
# the earliest date a zip entry can hold, so that the file does not depend on when it was made
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def balanced_indices(labels: np.ndarray, per_class: int, rng: np.random.Generator) -> np.ndarray:
    """Sorted indices of the first ``per_class`` samples of each class in a random order."""
    order = rng.permutation(len(labels))
    chosen = [order[labels[order] == k][:per_class] for k in range(N_CLASSES)]
    for k, indices in enumerate(chosen):
        if len(indices) < per_class:
            raise ValueError(f"class {k} has only {len(indices)} samples, {per_class} wanted")
    return np.sort(np.concatenate(chosen))


def save_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` as a compressed .npz (what ``np.load`` reads) with fixed zip timestamps."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for key, array in arrays.items():
            entry = zipfile.ZipInfo(f"{key}.npy", date_time=_ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(entry, "w") as file:
                np.lib.format.write_array(file, array, allow_pickle=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="directory holding the four MNIST files")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="the .npz to write")
    args = parser.parse_args()

    (x_train, t_train), (x_test, t_test) = load_mnist(args.data_dir, normalize=False, flatten=False, verbose=False)
    rng = np.random.default_rng(SEED)
    train = balanced_indices(t_train, TRAIN_PER_CLASS, rng)
    test = balanced_indices(t_test, TEST_PER_CLASS, rng)
    save_npz(
        args.output,
        {
            "x_train": x_train[train, 0],
            "t_train": t_train[train].astype(np.uint8),
            "x_test": x_test[test, 0],
            "t_test": t_test[test].astype(np.uint8),
        },
    )
    print(f"wrote {args.output} ({args.output.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
