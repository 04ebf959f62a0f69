"""IDX files are read as streams with limits: a small file never inflates into a large allocation."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import tracemalloc
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from numnet.data import DatasetError
from numnet.data.idx import MAX_IDX_BYTES, read_idx
from numnet.data.mnist import DATASETS, IdxFile, read_idx_file

LABELS = DATASETS["mnist"][1]  # train-labels-idx1-ubyte: shape (60000,)
FASHION_LABELS = DATASETS["fashion-mnist"][1]


def _header(magic: int, *dims: int) -> bytes:
    return b"".join(value.to_bytes(4, "big") for value in (magic, *dims))


def _gzip_zeros(prefix: bytes, zeros: int) -> bytes:
    """gzip of ``prefix`` followed by ``zeros`` zero bytes, compressed as a stream (never held in memory)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip container
    parts = [compressor.compress(prefix)]
    block = bytes(1 << 20)
    for _ in range(zeros >> 20):
        parts.append(compressor.compress(block))
    parts.append(compressor.compress(bytes(zeros & ((1 << 20) - 1))))
    parts.append(compressor.flush())
    return b"".join(parts)


def _peak(call: Callable[[], Any]) -> int:
    """Peak traced memory (bytes) while ``call()`` runs, which must raise DatasetError."""
    tracemalloc.start()
    try:
        with pytest.raises(DatasetError):
            call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_gzip_bomb_stops_as_soon_as_it_exceeds_the_header(tmp_path):
    # the declared 60,000 labels followed by 64 MiB of zeros, in a file of 64 KiB
    bomb = tmp_path / "train-labels-idx1-ubyte.gz"
    bomb.write_bytes(_gzip_zeros(_header(2049, 60000), 60000 + 64 * 2**20))
    assert bomb.stat().st_size < 2**17
    with pytest.raises(DatasetError, match=r"train-labels-idx1-ubyte\.gz: trailing bytes: the header declares shape"):
        read_idx_file(bomb, LABELS)
    assert _peak(lambda: read_idx_file(bomb, LABELS)) < 4 * 2**20


def test_the_magic_number_is_checked_before_anything_is_inflated(tmp_path):
    wrong = tmp_path / "train-labels-idx1-ubyte.gz"
    wrong.write_bytes(_gzip_zeros(_header(2051, 60000, 28, 28), 64 * 2**20))
    with pytest.raises(DatasetError, match="wrong magic number 2051"):
        read_idx_file(wrong, LABELS)
    assert _peak(lambda: read_idx_file(wrong, LABELS)) < 2**20


def test_a_shape_other_than_the_datasets_is_refused_before_reading_data(tmp_path):
    huge = tmp_path / "train-labels-idx1-ubyte"
    huge.write_bytes(_header(2049, 2**32 - 1) + bytes(100))
    with pytest.raises(DatasetError, match=r"declares shape \(4294967295,\), expected \(60000,\)"):
        read_idx_file(huge, LABELS)


def test_without_a_known_shape_the_header_may_declare_at_most_max_bytes():
    assert MAX_IDX_BYTES == 2**30
    stream = io.BytesIO(_header(2051, 2**16, 2**16, 2**16) + bytes(10))
    with pytest.raises(DatasetError, match=r"s: the header declares shape .* more than the 1,073,741,824 bytes"):
        read_idx(stream, 3, "s")
    stream = io.BytesIO(_header(2049, 5) + bytes(5))
    with pytest.raises(DatasetError, match="more than the 4 bytes"):
        read_idx(stream, 1, "s", max_bytes=4)


def test_a_file_that_declares_much_but_holds_little_allocates_only_what_it_holds():
    stream = io.BytesIO(_header(2051, 1000, 1000, 1000) + bytes(1000))  # declares 1 GB minus a little
    assert _peak(lambda: read_idx(stream, 3, "s")) < 2**20


def test_streamed_content_is_hashed_as_it_is_read(tmp_path):
    content = _header(2049, 3) + bytes([7, 0, 9])
    spec = IdxFile("labels", 1, hashlib.sha256(content).hexdigest(), shape=(3,))
    (tmp_path / "labels.gz").write_bytes(gzip.compress(content))
    np.testing.assert_array_equal(read_idx_file(tmp_path / "labels.gz", spec), [7, 0, 9])
    (tmp_path / "labels").write_bytes(content[:-1] + b"\x08")
    with pytest.raises(DatasetError, match="checksum mismatch: SHA-256 of its decompressed content"):
        read_idx_file(tmp_path / "labels", spec)


def test_a_file_verified_by_its_gzip_digest_is_checked_before_it_is_inflated(tmp_path):
    bomb = tmp_path / "train-labels-idx1-ubyte.gz"
    bomb.write_bytes(_gzip_zeros(_header(2049, 60000), 60000 + 64 * 2**20))
    with pytest.raises(DatasetError, match="checksum mismatch: SHA-256 of its file"):
        read_idx_file(bomb, FASHION_LABELS)
    assert _peak(lambda: read_idx_file(bomb, FASHION_LABELS)) < 4 * 2**20  # blocks of the file being hashed


def test_download_caps_follow_the_known_sizes():
    sizes = {spec.name: spec.max_download_bytes for spec in DATASETS["mnist"]}
    assert sizes["train-images-idx3-ubyte"] == 47_040_016 + 470_400 + 4096
    assert sizes["t10k-labels-idx1-ubyte"] == 10_008 + 100 + 4096
    assert IdxFile("x", 1, "0" * 64).max_download_bytes is None


def test_real_mnist_labels_still_read():
    directory = Path(os.environ.get("NUMNET_DATA_DIR", "/nonexistent")) / "mnist"
    if not directory.is_dir():
        pytest.skip("NUMNET_DATA_DIR is unset: the real MNIST files are not available")
    labels = read_idx_file(directory / "t10k-labels-idx1-ubyte.gz", DATASETS["mnist"][3])
    np.testing.assert_array_equal(labels[:5], [7, 2, 1, 0, 4])
