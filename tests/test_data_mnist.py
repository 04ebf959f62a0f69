"""numnet.data: IDX parsing, load_mnist on local files, and the bundled mnist-mini.

Tests that read the real MNIST files take them from $NUMNET_DATA_DIR/mnist
(CI sets it) and skip when it is unset. Nothing here downloads: the download
path is tested against a local server in test_data_download.py.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import shared_data
from numnet.data import DatasetError, load_mnist, load_mnist_mini
from numnet.data.idx import parse_idx
from numnet.data.mnist import DATASETS, IdxFile, decode_idx

MNIST_FILES = [spec.name for spec in DATASETS["mnist"]]
# class counts of the official MNIST splits, as published with the dataset
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
REPO = Path(__file__).resolve().parents[1]
MINI_PATH = REPO / "src" / "numnet" / "data" / "mnist_mini.npz"


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    """No user cache and no NUMNET_DATA_DIR unless a test sets it."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def mnist():
    """Full MNIST with the default arguments, loaded once for the module."""
    return load_mnist(shared_data("mnist"), download=False)


@pytest.fixture
def mnist_copy(tmp_path, monkeypatch):
    """A data directory of links to the shared files, with NUMNET_DATA_DIR unset."""
    source = shared_data("mnist")
    monkeypatch.delenv("NUMNET_DATA_DIR")
    directory = tmp_path / "data"
    directory.mkdir()
    for name in MNIST_FILES:
        (directory / f"{name}.gz").symlink_to(source / f"{name}.gz")
    return directory


def idx_bytes(magic: int, dims: tuple[int, ...], payload: bytes) -> bytes:
    return b"".join(v.to_bytes(4, "big") for v in (magic, *dims)) + payload


# ------------------------------------------------------------------ IDX parsing


def test_parse_idx_reads_big_endian_header_and_row_major_payload():
    data = idx_bytes(2051, (2, 2, 3), bytes(range(12)))
    array = parse_idx(data, 3, "x")
    assert array.dtype == np.uint8 and array.shape == (2, 2, 3)
    assert array[1, 0, 2] == 1 * 6 + 0 * 3 + 2
    labels = parse_idx(idx_bytes(2049, (3,), b"\x07\x00\x09"), 1, "y")
    np.testing.assert_array_equal(labels, [7, 0, 9])


@pytest.mark.parametrize(
    "data, message",
    [
        (idx_bytes(2049, (3,), b"\x01\x02\x03"), "wrong magic number 2049"),
        (idx_bytes(2051, (2, 2, 3), bytes(11)), "truncated"),
        (idx_bytes(2051, (2, 2, 3), bytes(13)), "trailing bytes"),
        (b"\x00\x00\x08\x03\x00\x00", "shorter than the 16-byte"),
        (b"\x00\x00", "shorter than the 16-byte"),
    ],
    ids=["wrong-magic", "truncated-payload", "trailing-bytes", "truncated-header", "two-bytes"],
)
def test_parse_idx_rejects_malformed_files(data, message):
    with pytest.raises(DatasetError, match=message) as error:
        parse_idx(data, 3, "some-file")
    assert "some-file" in str(error.value)


def test_decode_idx_verifies_the_digest_of_what_the_spec_names():
    content = idx_bytes(2049, (2,), b"\x01\x02")
    by_content = IdxFile("labels", 1, hashlib.sha256(content).hexdigest())
    packed = gzip.compress(content)
    np.testing.assert_array_equal(decode_idx(content, by_content, gzipped=False, source="s"), [1, 2])
    np.testing.assert_array_equal(decode_idx(packed, by_content, gzipped=True, source="s"), [1, 2])
    by_gzip = IdxFile("labels", 1, hashlib.sha256(packed).hexdigest(), "gzip")
    np.testing.assert_array_equal(decode_idx(packed, by_gzip, gzipped=True, source="s"), [1, 2])
    recompressed = gzip.compress(content, compresslevel=1, mtime=12345)
    with pytest.raises(DatasetError, match="checksum mismatch: SHA-256 of its file"):
        decode_idx(recompressed, by_gzip, gzipped=True, source="s")
    with pytest.raises(DatasetError, match="cannot verify an uncompressed copy"):
        decode_idx(content, by_gzip, gzipped=False, source="s")


# ------------------------------------------------------------ load_mnist: values


def test_load_mnist_shapes_dtypes_and_range(mnist):
    (x_train, t_train), (x_test, t_test) = mnist
    assert x_train.shape == (60000, 784) and x_test.shape == (10000, 784)
    assert x_train.dtype == np.float32 and x_test.dtype == np.float32
    assert t_train.shape == (60000,) and t_test.shape == (10000,)
    assert t_train.dtype == np.int64 and t_test.dtype == np.int64
    assert x_train.min() == 0.0 and x_train.max() == 1.0
    assert x_test.min() == 0.0 and x_test.max() == 1.0


def test_load_mnist_labels_match_the_published_dataset(mnist):
    (_, t_train), (_, t_test) = mnist
    np.testing.assert_array_equal(t_train[:5], [5, 0, 4, 1, 9])
    np.testing.assert_array_equal(t_test[:5], [7, 2, 1, 0, 4])
    np.testing.assert_array_equal(np.bincount(t_train), TRAIN_COUNTS)
    np.testing.assert_array_equal(np.bincount(t_test), TEST_COUNTS)


def test_load_mnist_pixels_match_the_bytes_of_the_file(mnist):
    (x_train, _), (x_test, _) = mnist
    directory = shared_data("mnist")
    # pixel (row 14, column 12) of image 3, read straight from its byte offset
    for x, name in ((x_train, "train-images-idx3-ubyte.gz"), (x_test, "t10k-images-idx3-ubyte.gz")):
        content = gzip.decompress((directory / name).read_bytes())
        image, row, col = 3, 14, 12
        byte = content[16 + image * 784 + row * 28 + col]
        assert x[image, row * 28 + col] == np.float32(byte) / np.float32(255)
        pixels = content[16 + image * 784 : 16 + (image + 1) * 784]
        assert np.count_nonzero(x[image]) == sum(b != 0 for b in pixels)


def test_load_mnist_raw_unflattened_one_hot(mnist):
    (x_float, t_labels), _ = mnist
    (x_train, t_train), (x_test, t_test) = load_mnist(
        shared_data("mnist"), normalize=False, flatten=False, one_hot=True, dtype="float64", download=False
    )
    assert x_train.shape == (60000, 1, 28, 28) and x_test.shape == (10000, 1, 28, 28)
    assert x_train.dtype == np.uint8 and x_train.flags.writeable
    assert np.array_equal(x_train.reshape(60000, 784) / np.float32(255), x_float)
    assert t_train.shape == (60000, 10) and t_train.dtype == np.float64 and t_test.shape == (10000, 10)
    np.testing.assert_array_equal(t_train.sum(axis=1), 1.0)
    np.testing.assert_array_equal(t_train.argmax(axis=1), t_labels)


# -------------------------------------------------------------- load_mnist: lookup


def test_finds_files_in_data_dir_kind_subfolder_and_in_data_dir_itself(mnist, mnist_copy, tmp_path):
    (root := tmp_path / "root").mkdir()
    (root / "mnist").symlink_to(mnist_copy)
    for data_dir in (root, mnist_copy):
        (x_train, t_train), (_x_test, _) = load_mnist(data_dir, download=False)
        assert np.array_equal(x_train, mnist[0][0])
        assert np.array_equal(t_train, mnist[0][1])
    assert not (tmp_path / "cache").exists()  # nothing downloaded or cached


def test_finds_files_through_numnet_data_dir(mnist, mnist_copy, monkeypatch):
    monkeypatch.setenv("NUMNET_DATA_DIR", str(mnist_copy))
    (_, t_train), _ = load_mnist(download=False)
    np.testing.assert_array_equal(t_train, mnist[0][1])


def test_accepts_uncompressed_copies(mnist, mnist_copy):
    for name in MNIST_FILES:
        gz = mnist_copy / f"{name}.gz"
        (mnist_copy / name).write_bytes(gzip.decompress(gz.read_bytes()))
        gz.unlink()
    (x_train, _t_train), (x_test, t_test) = load_mnist(mnist_copy, download=False)
    assert np.array_equal(x_train, mnist[0][0])
    assert np.array_equal(x_test, mnist[1][0])
    assert np.array_equal(t_test, mnist[1][1])


def test_data_dir_comes_before_numnet_data_dir(mnist, mnist_copy, monkeypatch, tmp_path):
    (broken := tmp_path / "broken").mkdir()
    for name in MNIST_FILES:
        (broken / name).write_bytes(b"not an idx file")
    monkeypatch.setenv("NUMNET_DATA_DIR", str(broken))
    (_, t_train), _ = load_mnist(mnist_copy, download=False)
    np.testing.assert_array_equal(t_train[:5], [5, 0, 4, 1, 9])
    with pytest.raises(DatasetError, match="train-images-idx3-ubyte"):
        load_mnist(download=False)


def _replace_labels(directory: Path, content: bytes | None = None, gz: bytes | None = None) -> Path:
    """Put a modified train-labels file in ``directory``; return its path."""
    (directory / "train-labels-idx1-ubyte.gz").unlink()
    if gz is not None:
        path = directory / "train-labels-idx1-ubyte.gz"
        path.write_bytes(gz)
    else:
        path = directory / "train-labels-idx1-ubyte"
        path.write_bytes(content)
    return path


def _labels_content(directory: Path) -> bytes:
    return gzip.decompress((directory / "train-labels-idx1-ubyte.gz").read_bytes())


@pytest.mark.parametrize(
    "corrupt, message",
    [
        (lambda c: c[:-100], "truncated: the header declares shape \\(60000,\\)"),
        (lambda c: (2051).to_bytes(4, "big") + c[4:], "wrong magic number 2051"),
        (lambda c: c[:5000] + bytes([(c[5000] + 1) % 10]) + c[5001:], "checksum mismatch"),
    ],
    ids=["truncated", "wrong-magic", "changed-label"],
)
def test_rejects_a_corrupt_local_file_naming_it(mnist_copy, corrupt, message):
    path = _replace_labels(mnist_copy, content=corrupt(_labels_content(mnist_copy)))
    with pytest.raises(DatasetError, match=message) as error:
        load_mnist(mnist_copy, download=False)
    assert str(path) in str(error.value)


def test_rejects_a_truncated_gzip_file_naming_it(mnist_copy):
    gz = (mnist_copy / "train-labels-idx1-ubyte.gz").read_bytes()
    path = _replace_labels(mnist_copy, gz=gz[: len(gz) // 2])
    with pytest.raises(DatasetError, match="not a complete gzip file") as error:
        load_mnist(mnist_copy, download=False)
    assert str(path) in str(error.value)


def test_missing_file_without_download_lists_the_places_searched(tmp_path, monkeypatch):
    monkeypatch.delenv("NUMNET_DATA_DIR", raising=False)
    (empty := tmp_path / "empty").mkdir()
    with pytest.raises(DatasetError, match="train-images-idx3-ubyte.gz .* not found") as error:
        load_mnist(empty, download=False)
    assert str(empty / "mnist") in str(error.value)
    assert str(tmp_path / "cache" / "numnet" / "mnist") in str(error.value)


def test_fashion_mnist_rejects_files_it_cannot_verify(tmp_path, monkeypatch):
    monkeypatch.delenv("NUMNET_DATA_DIR", raising=False)
    (fashion := tmp_path / "fashion-mnist").mkdir()
    images = idx_bytes(2051, (1, 28, 28), bytes(784))
    (fashion / "train-images-idx3-ubyte").write_bytes(images)
    with pytest.raises(DatasetError, match="cannot verify an uncompressed copy"):
        load_mnist(tmp_path, kind="fashion-mnist", download=False)
    (fashion / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(images))
    with pytest.raises(DatasetError, match="checksum mismatch: SHA-256 of its file"):
        load_mnist(tmp_path, kind="fashion-mnist", download=False)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"kind": "emnist"}, ValueError, "kind must be one of"),
        ({"dtype": "int32"}, TypeError, "dtype must be a floating dtype"),
        ({"dtype": "nonsense"}, TypeError, "dtype must be a floating dtype"),
        ({"mirrors": "http://127.0.0.1/"}, TypeError, "mirrors must be a sequence"),
        ({"mirrors": []}, ValueError, "mirrors must name at least one"),
        ({"data_dir": "/nonexistent/numnet"}, ValueError, "data_dir must be an existing directory"),
    ],
)
def test_load_mnist_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        load_mnist(**kwargs, download=False)


def test_bad_numnet_data_dir_is_reported(monkeypatch):
    monkeypatch.setenv("NUMNET_DATA_DIR", "/nonexistent/numnet")
    with pytest.raises(ValueError, match="NUMNET_DATA_DIR must be an existing directory"):
        load_mnist(download=False)


# ------------------------------------------------------------------- mnist-mini


def test_mnist_mini_file_is_small_uint8_and_balanced():
    assert MINI_PATH.stat().st_size <= 2 * 1024 * 1024
    with np.load(MINI_PATH, allow_pickle=False) as arrays:
        assert sorted(arrays.files) == ["t_test", "t_train", "x_test", "x_train"]
        assert arrays["x_train"].shape == (6000, 28, 28) and arrays["x_test"].shape == (1000, 28, 28)
        assert all(arrays[key].dtype == np.uint8 for key in arrays.files)
        np.testing.assert_array_equal(np.bincount(arrays["t_train"]), [600] * 10)
        np.testing.assert_array_equal(np.bincount(arrays["t_test"]), [100] * 10)


def test_load_mnist_mini_matches_load_mnist_conventions():
    (x_train, t_train), (x_test, t_test) = load_mnist_mini()
    assert x_train.shape == (6000, 784) and x_test.shape == (1000, 784)
    assert x_train.dtype == np.float32 and t_train.dtype == np.int64
    assert x_train.min() == 0.0 and x_train.max() == 1.0
    np.testing.assert_array_equal(np.bincount(t_train), [600] * 10)
    np.testing.assert_array_equal(np.bincount(t_test), [100] * 10)
    (raw, onehot), _ = load_mnist_mini(normalize=False, flatten=False, one_hot=True, dtype="float64")
    assert raw.shape == (6000, 1, 28, 28) and raw.dtype == np.uint8
    with np.load(MINI_PATH, allow_pickle=False) as arrays:
        np.testing.assert_array_equal(raw[:, 0], arrays["x_train"])
    np.testing.assert_array_equal(raw.reshape(6000, -1) / np.float32(255), x_train)
    assert onehot.shape == (6000, 10) and onehot.dtype == np.float64
    np.testing.assert_array_equal(onehot.argmax(axis=1), t_train)


def test_make_mnist_mini_reproduces_the_bundled_file(tmp_path):
    directory = shared_data("mnist")
    output = tmp_path / "mini.npz"
    subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "make_mnist_mini.py"),
            "--data-dir",
            str(directory),
            "--output",
            str(output),
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")},
    )
    with np.load(output, allow_pickle=False) as made, np.load(MINI_PATH, allow_pickle=False) as bundled:
        assert sorted(made.files) == sorted(bundled.files)
        for key in bundled.files:
            assert made[key].dtype == bundled[key].dtype
            np.testing.assert_array_equal(made[key], bundled[key], err_msg=key)
