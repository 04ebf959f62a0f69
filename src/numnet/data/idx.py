"""Parse the IDX format of MNIST-style datasets.

An IDX file of unsigned bytes is a big-endian header followed by the data:
a 4-byte magic number ``0x00 0x00 0x08 <ndim>`` (2051 for a 3-d image array,
2049 for a 1-d label array), then ``ndim`` 4-byte dimension sizes, then
``prod(dims)`` bytes in row-major order.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from numnet.data.errors import DatasetError

__all__ = ["IDX_UBYTE", "idx_magic", "parse_idx"]

#: Type code of unsigned bytes in the third byte of the magic number.
IDX_UBYTE = 0x08


def idx_magic(ndim: int) -> int:
    """The magic number of an IDX file of unsigned bytes with ``ndim`` dimensions."""
    return (IDX_UBYTE << 8) | ndim


def parse_idx(data: bytes, ndim: int, source: str) -> NDArray[np.uint8]:
    """The uint8 array of ``ndim`` dimensions held by the IDX bytes ``data``.

    Checks the magic number, that the header is complete and that the payload
    is exactly as long as the dimensions declare; otherwise raises
    :class:`DatasetError` naming ``source``. The result is a read-only view of
    ``data`` (no copy).
    """
    header_size = 4 + 4 * ndim
    magic = int.from_bytes(data[:4], "big")
    if len(data) >= 4 and magic != idx_magic(ndim):
        raise DatasetError(
            f"{source}: wrong magic number {magic} (0x{magic:08x}); expected {idx_magic(ndim)} "
            f"(0x{idx_magic(ndim):08x}), the IDX header of a {ndim}-d array of unsigned bytes"
        )
    if len(data) < header_size:
        raise DatasetError(
            f"{source}: truncated: {len(data)} bytes, shorter than the {header_size}-byte "
            f"IDX header of a {ndim}-d array"
        )
    dims = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = math.prod(dims)
    payload = len(data) - header_size
    if payload != expected:
        problem = "truncated" if payload < expected else "trailing bytes"
        raise DatasetError(
            f"{source}: {problem}: the header declares shape {dims} ({expected} bytes of data) "
            f"but the file holds {payload}"
        )
    return np.frombuffer(data, dtype=np.uint8, count=expected, offset=header_size).reshape(dims)
