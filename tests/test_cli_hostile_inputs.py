"""numnet predict's inputs (pictures, .npy arrays) from strangers: one-line errors, bounded memory."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from numnet import io as numnet_io
from numnet.cli import main
from numnet.data.pictures import IMAGE_FORMATS, MAX_PICTURE_BYTES, MAX_PICTURE_PIXELS, read_picture
from numnet.models import MLP

GRAY = IMAGE_FORMATS[0]


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares ``width`` x ``height`` gray pixels and holds one compressed row."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(width + 1)))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    return numnet_io.save(MLP([784, 10, 10], seed=0), tmp_path / "model.npz")


def test_a_picture_declaring_too_many_pixels_is_refused_before_decoding(tmp_path):
    side = int(MAX_PICTURE_PIXELS**0.5) + 100  # above numnet's limit, below Pillow's own
    path = tmp_path / "big.png"
    path.write_bytes(_png_header_only(side, side))
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=rf"cannot read the picture .*big\.png: it has {side}x{side} pixels, more"):
            read_picture(path, GRAY)
        assert tracemalloc.get_traced_memory()[1] < 2**20
    finally:
        tracemalloc.stop()


def test_a_decompression_bomb_is_refused_in_one_line(tmp_path):
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_header_only(30000, 30000))
    with pytest.raises(ValueError, match=r"cannot read the picture .*bomb\.png: .*exceeds limit") as error:
        read_picture(path, GRAY)
    assert "\n" not in str(error.value)


def test_a_chunk_length_cannot_size_an_allocation_beyond_the_file(tmp_path):
    # found by scripts/fuzz.py: Pillow skips the rest of an IDAT chunk with fp.read(length), which
    # allocated 2 GiB for this 900-byte file when it read from disk
    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (28, 28), dtype=np.uint8)).save(buffer, "PNG")
    data = buffer.getvalue()
    at = data.index(b"IDAT") - 4
    path = tmp_path / "long-chunk.png"
    path.write_bytes(data[:at] + struct.pack(">I", 0x7FFFFFF0) + data[at + 4 :])
    tracemalloc.start()
    try:
        assert read_picture(path, GRAY).shape == (28, 28)
        assert tracemalloc.get_traced_memory()[1] < 16 * 2**20
    finally:
        tracemalloc.stop()


def test_a_picture_file_above_the_size_limit_is_refused_unread(tmp_path, monkeypatch):
    path = tmp_path / "large.png"
    path.write_bytes(bytes(1000))
    monkeypatch.setattr("numnet.data.pictures.MAX_PICTURE_BYTES", 999)
    with pytest.raises(ValueError, match=r"large\.png: it has 1,000 bytes, more than 999"):
        read_picture(path, GRAY)
    assert MAX_PICTURE_BYTES == 2**26


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.95])
def test_a_truncated_picture_is_refused_in_one_line(tmp_path, cut):
    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (28, 28), dtype=np.uint8)).save(buffer, "PNG")
    path = tmp_path / "cut.png"
    path.write_bytes(buffer.getvalue()[: int(len(buffer.getvalue()) * cut)])
    with pytest.raises(ValueError, match=r"cut\.png") as error:
        read_picture(path, GRAY)
    assert "\n" not in str(error.value)


def test_an_npy_declaring_more_than_it_holds_is_refused_without_allocating(tmp_path, model_file, capsys):
    path = tmp_path / "lie.npy"
    path.write_bytes(
        b"\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (100000000000,), }"
        + b" " * 50
        + b"\n"
        + bytes(64)
    )
    assert main(["predict", str(model_file), str(path)]) == 1
    line = capsys.readouterr().err.strip()
    assert line.startswith(f"numnet: error: cannot read {path} as a .npy array") and "\n" not in line


def test_an_npy_with_nan_is_refused_naming_the_file_and_the_index(tmp_path, model_file, capsys):
    samples = np.zeros((3, 784), np.float32)
    samples[2, 100] = np.nan
    np.save(tmp_path / "nan.npy", samples)
    assert main(["predict", str(model_file), str(tmp_path / "nan.npy")]) == 1
    line, path = capsys.readouterr().err.strip(), tmp_path / "nan.npy"
    assert line == f"numnet: error: {path} must hold finite numbers, but {path}[2, 100] is nan (NaN or infinite values)"
