"""Read the IDX format of MNIST-style datasets, as a stream with limits.

An IDX file of unsigned bytes is a big-endian header followed by the data:
a 4-byte magic number ``0x00 0x00 0x08 <ndim>`` (2051 for a 3-d image array,
2049 for a 1-d label array), then ``ndim`` 4-byte dimension sizes, then
``prod(dims)`` bytes in row-major order.

:func:`read_idx` reads from any binary stream (a file, a
:class:`gzip.GzipFile`), so a compressed file is never inflated beyond what
its header declares: the magic number and the dimensions are checked from
the first bytes, the data is read in chunks into a buffer that grows only as
data arrives, and reading stops with :class:`DatasetError` as soon as the
stream holds more than the header declares, or the header declares more
than the expected shape or :data:`MAX_IDX_BYTES`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from io import BytesIO
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from numnet.data.errors import DatasetError

__all__ = ["IDX_UBYTE", "MAX_IDX_BYTES", "ByteStream", "idx_magic", "read_idx", "parse_idx"]

#: Type code of unsigned bytes in the third byte of the magic number.
IDX_UBYTE = 0x08
#: The most bytes of data :func:`read_idx` reads when the shape is not known in advance.
MAX_IDX_BYTES = 2**30

_CHUNK_SIZE = 1 << 20


class ByteStream(Protocol):
    """What :func:`read_idx` reads from: an open binary file, a :class:`gzip.GzipFile`, a :class:`io.BytesIO`."""

    def read(self, size: int = -1, /) -> bytes: ...


def idx_magic(ndim: int) -> int:
    """The magic number of an IDX file of unsigned bytes with ``ndim`` dimensions."""
    return (IDX_UBYTE << 8) | ndim


def read_idx(
    stream: ByteStream,
    ndim: int,
    source: str,
    *,
    shape: tuple[int, ...] | None = None,
    max_bytes: int = MAX_IDX_BYTES,
    on_data: Callable[[bytes], object] | None = None,
) -> NDArray[np.uint8]:
    """The uint8 array of ``ndim`` dimensions read from the IDX ``stream``.

    Args:
        stream: a binary stream positioned at the start of the IDX data.
        ndim: the number of dimensions the file must have.
        source: names the file in error messages.
        shape: the dimensions the header must declare, when known.
        max_bytes: the most data bytes the header may declare.
        on_data: called with every block of bytes read, header included
            (e.g. ``hashlib.sha256().update``).

    Raises :class:`DatasetError` naming ``source`` for a wrong magic number,
    a short header, an unexpected or oversized shape, or data shorter or
    longer than the header declares. Memory used is the data actually read.
    """
    header_size = 4 + 4 * ndim
    header = stream.read(header_size)
    if on_data is not None:
        on_data(header)
    magic = int.from_bytes(header[:4], "big")
    if len(header) >= 4 and magic != idx_magic(ndim):
        raise DatasetError(
            f"{source}: wrong magic number {magic} (0x{magic:08x}); expected {idx_magic(ndim)} "
            f"(0x{idx_magic(ndim):08x}), the IDX header of a {ndim}-d array of unsigned bytes"
        )
    if len(header) < header_size:
        raise DatasetError(
            f"{source}: truncated: {len(header)} bytes, shorter than the {header_size}-byte "
            f"IDX header of a {ndim}-d array"
        )
    dims = tuple(int.from_bytes(header[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = math.prod(dims)
    if shape is not None and dims != tuple(shape):
        raise DatasetError(f"{source}: the header declares shape {dims}, expected {tuple(shape)}")
    if expected > max_bytes:
        raise DatasetError(
            f"{source}: the header declares shape {dims} ({expected:,} bytes of data), "
            f"more than the {max_bytes:,} bytes numnet reads"
        )
    data = bytearray()
    while len(data) < expected:
        chunk = stream.read(min(_CHUNK_SIZE, expected - len(data)))
        if not chunk:
            raise DatasetError(
                f"{source}: truncated: the header declares shape {dims} ({expected} bytes of data) "
                f"but the file holds {len(data)}"
            )
        data += chunk
        if on_data is not None:
            on_data(chunk)
    if stream.read(1):
        raise DatasetError(
            f"{source}: trailing bytes: the header declares shape {dims} ({expected} bytes of data) "
            "but the file holds more"
        )
    return np.frombuffer(data, dtype=np.uint8).reshape(dims)


def parse_idx(data: bytes, ndim: int, source: str) -> NDArray[np.uint8]:
    """The uint8 array of ``ndim`` dimensions held by the IDX bytes ``data`` (see :func:`read_idx`)."""
    return read_idx(BytesIO(data), ndim, source)
