"""The dataset catalogue: every dataset numnet trains on by name, with its shape and class names.

``load_dataset("mnist-mini")`` gives a :class:`Dataset`: float32 inputs in
their natural layout — gray images (N, 28, 28) or RGB images (N, 64, 64, 3)
with pixels in [0, 1], or points (N, 2) — and integer class ids (N,), split
into training and test sets. :data:`DATASETS` describes each one without
loading it (:class:`DatasetInfo`). :func:`numnet.data.layout.to_model_layout`
puts the inputs into the layout a model takes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from os import PathLike

import numpy as np
from numpy.typing import NDArray

from numnet.data.catvnoncat import load_catvnoncat
from numnet.data.errors import DatasetError
from numnet.data.mini import load_mnist_mini
from numnet.data.mnist import load_mnist
from numnet.data.synthetic import make_planar, make_spiral

__all__ = [
    "DatasetInfo",
    "Dataset",
    "DATASETS",
    "dataset_info",
    "load_dataset",
    "SYNTHETIC_SEED",
    "SYNTHETIC_TEST_FRACTION",
]

Split = tuple[NDArray, NDArray]
#: (data_dir, verbose) -> (train, test) in natural layout.
Loader = Callable[[str | PathLike[str] | None, bool], tuple[Split, Split]]

#: The synthetic datasets are generated with this seed ...
SYNTHETIC_SEED = 0
#: ... and this share of them (drawn with the same seed) is kept for testing.
SYNTHETIC_TEST_FRACTION = 0.2


@dataclass(frozen=True)
class DatasetInfo:
    """What the catalogue knows of a dataset without loading it.

    Attributes:
        name: its name in :data:`DATASETS` (``numnet train --dataset NAME``).
        description: one line for people.
        sample_shape: the natural layout of one input: (H, W) gray images,
            (H, W, C) colour images, (D,) vectors.
        class_names: the name of each class, indexed by class id.
        loader: ``loader(data_dir, verbose)`` -> ``((x_train, t_train), (x_test, t_test))``.
    """

    name: str
    description: str
    sample_shape: tuple[int, ...]
    class_names: tuple[str, ...]
    loader: Loader

    @property
    def is_images(self) -> bool:
        """Whether the inputs are images (two or three axes per sample) rather than vectors."""
        return len(self.sample_shape) >= 2

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    def load(self, data_dir: str | PathLike[str] | None = None, verbose: bool = False) -> Dataset:
        """Load the dataset; see :func:`load_dataset`."""
        (x_train, t_train), (x_test, t_test) = self.loader(data_dir, verbose)
        for split, x in (("training", x_train), ("test", x_test)):
            if x.shape[1:] != self.sample_shape:
                raise DatasetError(
                    f"the {self.name} {split} set has samples of shape {x.shape[1:]}, expected {self.sample_shape}"
                )
        return Dataset(self, x_train, t_train, x_test, t_test)


@dataclass(frozen=True, eq=False)
class Dataset:
    """A loaded dataset: inputs (N, ...) in natural layout (float32) and class ids (N,), train and test."""

    info: DatasetInfo
    x_train: NDArray
    t_train: NDArray
    x_test: NDArray
    t_test: NDArray

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def class_names(self) -> tuple[str, ...]:
        return self.info.class_names

    @property
    def is_images(self) -> bool:
        return self.info.is_images


def _mnist_loader(kind: str) -> Loader:
    def load(data_dir: str | PathLike[str] | None, verbose: bool) -> tuple[Split, Split]:
        if kind == "mnist-mini":
            (x_train, t_train), (x_test, t_test) = load_mnist_mini(flatten=False)
        else:
            (x_train, t_train), (x_test, t_test) = load_mnist(data_dir, kind=kind, flatten=False, verbose=verbose)
        return (x_train[:, 0], t_train), (x_test[:, 0], t_test)  # (N, 1, 28, 28) -> (N, 28, 28)

    return load


def _load_catvnoncat(data_dir: str | PathLike[str] | None, verbose: bool) -> tuple[Split, Split]:
    (x_train, t_train), (x_test, t_test), _ = load_catvnoncat(data_dir)
    return (np.divide(x_train, 255, dtype=np.float32), t_train), (np.divide(x_test, 255, dtype=np.float32), t_test)


def _synthetic_loader(make: Callable[[], tuple[NDArray, NDArray]]) -> Loader:
    """A fixed train / test split of a generated dataset: the same every time."""

    def load(data_dir: str | PathLike[str] | None, verbose: bool) -> tuple[Split, Split]:
        x, t = make()
        order = np.random.default_rng(SYNTHETIC_SEED).permutation(len(x))
        n_test = round(len(x) * SYNTHETIC_TEST_FRACTION)
        test, train = order[:n_test], order[n_test:]
        return (x[train], t[train]), (x[test], t[test])

    return load


_DIGITS = tuple(str(digit) for digit in range(10))
_FASHION = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

#: Every dataset by name.
DATASETS: dict[str, DatasetInfo] = {
    info.name: info
    for info in (
        DatasetInfo(
            "mnist-mini",
            "6,000 training and 1,000 test MNIST digits, bundled with numnet",
            (28, 28),
            _DIGITS,
            _mnist_loader("mnist-mini"),
        ),
        DatasetInfo(
            "mnist", "handwritten digits: 60,000 training, 10,000 test", (28, 28), _DIGITS, _mnist_loader("mnist")
        ),
        DatasetInfo(
            "fashion-mnist",
            "Zalando's clothes pictures: 60,000 training, 10,000 test",
            (28, 28),
            _FASHION,
            _mnist_loader("fashion-mnist"),
        ),
        DatasetInfo(
            "catvnoncat",
            "the deeplearning.ai cat / non-cat photos: 209 training, 50 test (needs h5py)",
            (64, 64, 3),
            ("non-cat", "cat"),
            _load_catvnoncat,
        ),
        DatasetInfo(
            "spiral",
            "three interleaved spirals of 100 points (seed 0), split 80/20",
            (2,),
            ("0", "1", "2"),
            _synthetic_loader(lambda: make_spiral(100, 3, seed=SYNTHETIC_SEED)),
        ),
        DatasetInfo(
            "planar",
            "the two-class planar 'flower' of 400 points (seed 0), split 80/20",
            (2,),
            ("0", "1"),
            _synthetic_loader(lambda: make_planar(400, seed=SYNTHETIC_SEED)),
        ),
    )
}


def dataset_info(name: str) -> DatasetInfo:
    """The catalogue entry ``name``; ValueError naming the known datasets for another name."""
    if not isinstance(name, str) or name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose from {', '.join(DATASETS)}")
    return DATASETS[name]


def load_dataset(name: str, data_dir: str | PathLike[str] | None = None, verbose: bool = False) -> Dataset:
    """The dataset ``name`` (a key of :data:`DATASETS`), loaded.

    Args:
        name: e.g. ``"mnist-mini"`` (bundled), ``"mnist"``, ``"catvnoncat"``, ``"spiral"``.
        data_dir: where dataset files are looked for (then ``$NUMNET_DATA_DIR``).
        verbose: report downloads.

    Raises:
        ValueError: an unknown name.
        DatasetError, ImportError: the data is missing or damaged, or its reader is not installed.
    """
    return dataset_info(name).load(data_dir, verbose)
