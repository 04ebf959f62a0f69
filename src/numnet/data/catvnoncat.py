"""The cat / non-cat images of the deeplearning.ai logistic-regression walkthrough.

Two HDF5 files from the course "Neural Networks and Deep Learning" (week 2
assignment): ``train_catvnoncat.h5`` (209 images) and ``test_catvnoncat.h5``
(50 images) of 64x64 RGB pixels labelled 1 (cat) or 0 (non-cat). They are
course material, not downloadable from a stable public source, so numnet never
downloads them: put them in ``<data_dir>/catvnoncat/`` (or ``<data_dir>``, or
the same under ``$NUMNET_DATA_DIR``). Reading them needs h5py
(``pip install 'numnet[hdf5]'``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from numnet.data.errors import DatasetError
from numnet.data.paths import DATA_DIR_ENV, PathLike, find_file, search_dirs

__all__ = ["CATVNONCAT_FILES", "load_catvnoncat"]

#: The two course files: training set, test set.
CATVNONCAT_FILES = ("train_catvnoncat.h5", "test_catvnoncat.h5")

_IMAGE_SHAPE = (64, 64, 3)

#: Images (N, 64, 64, 3) and labels (N,).
Split = tuple[NDArray[np.uint8], NDArray[np.int64]]


def load_catvnoncat(
    data_dir: PathLike | None = None,
) -> tuple[Split, Split, NDArray]:
    """Load ``(x_train, y_train), (x_test, y_test), classes`` as the course does.

    Images stay raw: ``uint8`` of shape ``(N, 64, 64, 3)`` (flatten and divide
    by 255 yourself, as the walkthrough teaches). Labels are ``int64`` of
    shape ``(N,)`` holding 0 (non-cat) or 1 (cat); ``classes`` is the bytes
    array ``[b'non-cat', b'cat']``. N is 209 for training and 50 for test.
    """
    h5py = _import_h5py()
    dirs = search_dirs("catvnoncat", data_dir)
    train_path, test_path = (_locate(filename, dirs) for filename in CATVNONCAT_FILES)
    try:
        with h5py.File(train_path, "r") as train, h5py.File(test_path, "r") as test:
            train_split = _split(train, "train", train_path)
            test_split = _split(test, "test", test_path)
            classes = _dataset(train, "list_classes", train_path)
    except OSError as error:
        if isinstance(error, DatasetError):
            raise
        raise DatasetError(f"cannot read the HDF5 files {train_path}, {test_path}: {error}") from None
    return train_split, test_split, classes


def _import_h5py() -> Any:
    try:
        import h5py  # noqa: PLC0415 - optional dependency
    except ImportError:
        raise ImportError("load_catvnoncat reads HDF5 files and needs h5py: pip install 'numnet[hdf5]'") from None
    return h5py


def _locate(filename: str, dirs: list[Path]) -> Path:
    path = find_file((filename,), dirs)
    if path is None:
        looked_in = "".join(f"\n  {d}" for d in dirs)
        if not looked_in:
            looked_in = f" nowhere (no data_dir given, ${DATA_DIR_ENV} unset)"
        raise DatasetError(
            f"{filename} not found; looked in:{looked_in}\n"
            f"numnet does not download the deeplearning.ai course files: put "
            f"{' and '.join(CATVNONCAT_FILES)} in <data_dir>/catvnoncat/ and pass data_dir=, "
            f"or set {DATA_DIR_ENV}=<data_dir>"
        )
    return path


def _dataset(file: Any, key: str, path: Path) -> NDArray:
    if key not in file:
        raise DatasetError(f"{path}: no dataset {key!r} (found {sorted(file)})")
    return file[key][()]


def _split(file: Any, split: str, path: Path) -> Split:
    """Read and check ``<split>_set_x`` and ``<split>_set_y``."""
    x = _dataset(file, f"{split}_set_x", path)
    y = _dataset(file, f"{split}_set_y", path).reshape(-1)
    if x.dtype != np.uint8 or x.ndim != 4 or x.shape[1:] != _IMAGE_SHAPE:
        raise DatasetError(f"{path}: {split}_set_x must be uint8 images (N, 64, 64, 3), got {x.dtype} {x.shape}")
    if y.shape != (len(x),) or not np.isin(y, (0, 1)).all():
        raise DatasetError(
            f"{path}: {split}_set_y must hold {len(x)} labels in {{0, 1}}, "
            f"got shape {y.shape} with values {np.unique(y)[:10]}"
        )
    return x, y.astype(np.int64)
