"""numnet.data.load_catvnoncat: the shared course files, and small made-up HDF5 files."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import DATA_DIR_ENV, SKIP_REASON
from numnet.data import DatasetError, load_catvnoncat

h5py = pytest.importorskip("h5py")


def shared_data_dir() -> Path:
    if not os.environ.get(DATA_DIR_ENV):
        pytest.skip(SKIP_REASON)
    return Path(os.environ[DATA_DIR_ENV])


@pytest.fixture
def no_env(monkeypatch):
    monkeypatch.delenv("NUMNET_DATA_DIR", raising=False)


def write_course_file(path: Path, split: str, x: np.ndarray, y: np.ndarray) -> None:
    with h5py.File(path, "w") as file:
        file[f"{split}_set_x"] = x
        file[f"{split}_set_y"] = y
        file["list_classes"] = np.array([b"non-cat", b"cat"])


def made_up_files(directory: Path, n_train: int = 3, n_test: int = 2) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x_train = rng.integers(0, 256, (n_train, 64, 64, 3), dtype=np.uint8)
    x_test = rng.integers(0, 256, (n_test, 64, 64, 3), dtype=np.uint8)
    directory.mkdir(parents=True, exist_ok=True)
    write_course_file(directory / "train_catvnoncat.h5", "train", x_train, np.arange(n_train) % 2)
    write_course_file(directory / "test_catvnoncat.h5", "test", x_test, np.ones(n_test, dtype=np.int64))
    return x_train, x_test


def test_shared_course_files_through_numnet_data_dir(monkeypatch):
    monkeypatch.setenv("NUMNET_DATA_DIR", str(shared_data_dir()))
    (x_train, y_train), (x_test, y_test), classes = load_catvnoncat()
    assert x_train.shape == (209, 64, 64, 3) and x_test.shape == (50, 64, 64, 3)
    assert x_train.dtype == np.uint8 and x_test.dtype == np.uint8
    assert y_train.shape == (209,) and y_test.shape == (50,) and y_train.dtype == np.int64
    assert set(np.unique(y_train)) == {0, 1} and set(np.unique(y_test)) == {0, 1}
    assert list(classes) == [b"non-cat", b"cat"]
    with h5py.File(shared_data_dir() / "catvnoncat" / "train_catvnoncat.h5", "r") as file:
        np.testing.assert_array_equal(x_train, file["train_set_x"][()])


def test_data_dir_may_be_the_root_or_the_catvnoncat_folder(no_env, tmp_path):
    x_train, x_test = made_up_files(tmp_path / "catvnoncat")
    for data_dir in (tmp_path, tmp_path / "catvnoncat"):
        (xa, ya), (xb, yb), classes = load_catvnoncat(data_dir)
        np.testing.assert_array_equal(xa, x_train)
        np.testing.assert_array_equal(xb, x_test)
        np.testing.assert_array_equal(ya, [0, 1, 0])
        np.testing.assert_array_equal(yb, [1, 1])
        assert list(classes) == [b"non-cat", b"cat"]


def test_labels_stored_as_a_row_are_flattened(no_env, tmp_path):
    made_up_files(tmp_path)
    x = np.zeros((4, 64, 64, 3), dtype=np.uint8)
    write_course_file(tmp_path / "train_catvnoncat.h5", "train", x, np.array([[1, 0, 0, 1]]))
    (_, y_train), _, _ = load_catvnoncat(tmp_path)
    np.testing.assert_array_equal(y_train, [1, 0, 0, 1])


def test_missing_files_say_where_to_put_them(no_env, tmp_path):
    with pytest.raises(DatasetError, match="train_catvnoncat.h5 not found") as error:
        load_catvnoncat(tmp_path)
    message = str(error.value)
    assert str(tmp_path / "catvnoncat") in message
    assert "does not download" in message and "NUMNET_DATA_DIR" in message


def test_no_data_dir_and_no_env_is_explained(no_env):
    with pytest.raises(DatasetError, match=r"no data_dir given, \$NUMNET_DATA_DIR unset"):
        load_catvnoncat()


def test_unreadable_or_malformed_files_are_named(no_env, tmp_path):
    made_up_files(tmp_path)
    train = tmp_path / "train_catvnoncat.h5"
    write_course_file(train, "train", np.zeros((2, 32, 32, 3), dtype=np.uint8), np.zeros(2, np.int64))
    with pytest.raises(DatasetError, match=r"train_set_x must be uint8 images \(N, 64, 64, 3\)"):
        load_catvnoncat(tmp_path)
    write_course_file(train, "train", np.zeros((2, 64, 64, 3), dtype=np.uint8), np.array([0, 2]))
    with pytest.raises(DatasetError, match=r"train_set_y must hold 2 labels in \{0, 1\}"):
        load_catvnoncat(tmp_path)
    with h5py.File(train, "w") as file:
        file["other"] = np.zeros(1)
    with pytest.raises(DatasetError, match="no dataset 'train_set_x'") as error:
        load_catvnoncat(tmp_path)
    assert str(train) in str(error.value)
    train.write_bytes(b"this is not HDF5")
    with pytest.raises(DatasetError, match="cannot read the HDF5 files") as error:
        load_catvnoncat(tmp_path)
    assert str(train) in str(error.value)


def test_without_h5py_the_extra_to_install_is_named(no_env, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "h5py", None)
    with pytest.raises(ImportError, match=r"pip install 'numnet\[hdf5\]'"):
        load_catvnoncat(tmp_path)
