"""MNIST and Fashion-MNIST: find, download, verify and load the IDX files.

Both datasets ship as four IDX files (see :mod:`numnet.data.idx`), usually
gzipped: ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``; 60,000 training and
10,000 test images of 28x28 pixels, labels 0-9.

Every file is verified, whether found locally or downloaded:

* MNIST files by the SHA-256 of their *decompressed* content, so any faithful
  copy passes, gzipped or raw, whichever mirror or compressor produced it
  (the ``.gz`` files of the usual mirrors differ byte for byte).
* Fashion-MNIST files by the SHA-256 of the ``.gz`` files as the authors
  distribute them. No digest of the decompressed Fashion-MNIST files is
  published (the authors publish MD5s of the ``.gz`` files; the SHA-256
  values below are of those same ``.gz`` files, as pinned by independent
  downloaders), so only the original ``.gz`` files can be verified and an
  uncompressed Fashion-MNIST file is rejected.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import BinaryIO, Literal

import numpy as np
from numpy.typing import DTypeLike, NDArray

from numnet.data.batching import one_hot as to_one_hot
from numnet.data.download import check_mirrors, download_verified
from numnet.data.errors import DatasetError
from numnet.data.idx import read_idx
from numnet.data.paths import PathLike, cache_dir, find_file, search_dirs

__all__ = [
    "IdxFile",
    "DATASETS",
    "MIRRORS",
    "N_CLASSES",
    "load_mnist",
    "format_split",
    "read_idx_file",
    "read_idx_stream",
    "decode_idx",
    "check_float_dtype",
]

#: Both datasets have ten classes.
N_CLASSES = 10


@dataclass(frozen=True)
class IdxFile:
    """One IDX file of a dataset and its reference SHA-256.

    ``digest_of`` says what the digest covers: ``"content"`` the decompressed
    IDX bytes, ``"gzip"`` the ``.gz`` file itself. ``shape``, when given, is
    the shape the file's header must declare: nothing larger is read.
    """

    name: str
    ndim: int
    sha256: str
    digest_of: Literal["content", "gzip"] = "content"
    shape: tuple[int, ...] | None = None

    @property
    def gz_name(self) -> str:
        return self.name + ".gz"

    @property
    def max_download_bytes(self) -> int | None:
        """The most bytes a download of ``gz_name`` may take: the content, plus gzip's worst-case overhead."""
        if self.shape is None:
            return None
        content = 4 + 4 * self.ndim + math.prod(self.shape)
        return content + content // 100 + 4096


#: The four files of each dataset: train images, train labels, test images, test labels.
DATASETS: dict[str, tuple[IdxFile, IdxFile, IdxFile, IdxFile]] = {
    "mnist": (
        IdxFile(
            "train-images-idx3-ubyte",
            3,
            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            shape=(60000, 28, 28),
        ),
        IdxFile(
            "train-labels-idx1-ubyte",
            1,
            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            shape=(60000,),
        ),
        IdxFile(
            "t10k-images-idx3-ubyte",
            3,
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            shape=(10000, 28, 28),
        ),
        IdxFile(
            "t10k-labels-idx1-ubyte",
            1,
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
            shape=(10000,),
        ),
    ),
    "fashion-mnist": (
        IdxFile(
            "train-images-idx3-ubyte",
            3,
            "08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc",
            "gzip",
            (60000, 28, 28),
        ),
        IdxFile(
            "train-labels-idx1-ubyte",
            1,
            "b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc",
            "gzip",
            (60000,),
        ),
        IdxFile(
            "t10k-images-idx3-ubyte",
            3,
            "78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229",
            "gzip",
            (10000, 28, 28),
        ),
        IdxFile(
            "t10k-labels-idx1-ubyte",
            1,
            "42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf",
            "gzip",
            (10000,),
        ),
    ),
}

#: Base URLs that serve ``<name>.gz``, tried in order (override with ``mirrors=``).
MIRRORS: dict[str, tuple[str, ...]] = {
    "mnist": (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ),
    "fashion-mnist": (
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    ),
}


def load_mnist(
    data_dir: PathLike | None = None,
    kind: str = "mnist",
    normalize: bool = True,
    flatten: bool = True,
    one_hot: bool = False,
    dtype: DTypeLike = "float32",
    *,
    mirrors: Sequence[str] | None = None,
    download: bool = True,
    verbose: bool = True,
) -> tuple[tuple[NDArray, NDArray], tuple[NDArray, NDArray]]:
    """Load MNIST (``kind="mnist"``) or Fashion-MNIST (``kind="fashion-mnist"``).

    Returns ``(x_train, t_train), (x_test, t_test)`` with 60,000 and 10,000 samples:

    * images: ``(N, 784)`` if ``flatten`` else ``(N, 1, 28, 28)``; with
      ``normalize`` the pixels divided by 255 into ``dtype`` (values in
      [0, 1]), otherwise the raw ``uint8`` pixels (``dtype`` is then not used
      for the images); ``dtype`` must be a floating dtype;
    * labels: ``int64`` class ids ``(N,)``, or with ``one_hot`` a ``(N, 10)``
      one-hot array in ``dtype``.

    Each file is looked for as ``<name>.gz`` or ``<name>`` in
    ``data_dir/<kind>/``, ``data_dir``, ``$NUMNET_DATA_DIR/<kind>/``,
    ``$NUMNET_DATA_DIR`` and the cache ``$XDG_CACHE_HOME/numnet/<kind>``
    (default ``~/.cache/numnet/<kind>``), in that order; a file found nowhere
    is downloaded into the cache from ``mirrors`` (default ``MIRRORS[kind]``),
    unless ``download`` is false. Every file is verified by its SHA-256 (see
    the module docstring); a missing, corrupt, truncated or unverifiable file
    raises :class:`DatasetError` naming the file and the cause.
    """
    if kind not in DATASETS:
        raise ValueError(f"kind must be one of {sorted(DATASETS)}, got {kind!r}")
    float_dtype = check_float_dtype(dtype)
    mirrors = check_mirrors(MIRRORS[kind] if mirrors is None else mirrors)
    dirs = search_dirs(kind, data_dir)
    cache = cache_dir(kind)
    train_x, train_t, test_x, test_t = (
        _load_file(spec, dirs, cache, mirrors, download, verbose) for spec in DATASETS[kind]
    )
    train = format_split(_paired(train_x, train_t, "train"), normalize, flatten, one_hot, float_dtype)
    test = format_split(_paired(test_x, test_t, "test"), normalize, flatten, one_hot, float_dtype)
    return train, test


def format_split(
    split: tuple[NDArray[np.uint8], NDArray[np.uint8]],
    normalize: bool,
    flatten: bool,
    one_hot: bool,
    dtype: np.dtype,
) -> tuple[NDArray, NDArray]:
    """Images ``(N, 28, 28)`` uint8 and labels ``(N,)`` shaped as :func:`load_mnist` returns them."""
    images, labels = split
    n = len(images)
    x = images.reshape(n, -1) if flatten else images.reshape(n, 1, *images.shape[1:])
    # a new array either way: writable, and independent of the file's buffer
    x = np.divide(x, 255, dtype=dtype) if normalize else x.copy()
    t = labels.astype(np.int64)
    if one_hot:
        t = to_one_hot(t, N_CLASSES, dtype=dtype)
    return x, t


def read_idx_file(
    path: Path, spec: IdxFile, gzipped: bool | None = None, source: str | None = None
) -> NDArray[np.uint8]:
    """The verified array of the IDX file ``path``, read as a stream (see :func:`read_idx_stream`).

    ``gzipped`` defaults to whether the name ends in ``.gz``; ``source``
    names the file in errors (default: ``path``).
    """
    gzipped = path.name.endswith(".gz") if gzipped is None else gzipped
    with open(path, "rb") as file:
        return read_idx_stream(file, spec, gzipped, str(path) if source is None else source)


def decode_idx(raw: bytes, spec: IdxFile, gzipped: bool, source: str) -> NDArray[np.uint8]:
    """:func:`read_idx_stream` on the bytes of a whole file."""
    return read_idx_stream(BytesIO(raw), spec, gzipped, source)


def read_idx_stream(raw: BinaryIO, spec: IdxFile, gzipped: bool, source: str) -> NDArray[np.uint8]:
    """The array held by the file ``raw`` (a seekable binary stream) of ``spec``, checked and verified.

    A file verified by the digest of its ``.gz`` bytes is hashed before
    anything is decompressed; one verified by its content is hashed as it is
    decompressed. Decompression stops as soon as the data differs from what
    the header (and ``spec.shape``) declares, so a small file can never
    inflate into a large allocation. Raises :class:`DatasetError` naming
    ``source`` for a broken gzip stream, a malformed IDX file (see
    :func:`~numnet.data.idx.read_idx`) or a checksum mismatch.
    """
    if not gzipped and spec.digest_of == "gzip":
        raise DatasetError(
            f"{source}: cannot verify an uncompressed copy of {spec.name}: only the SHA-256 of "
            f"the original {spec.gz_name} is known; use that file instead"
        )
    if spec.digest_of == "gzip":
        file_digest = hashlib.sha256()
        while block := raw.read(1 << 20):
            file_digest.update(block)
        _check_digest(file_digest.hexdigest(), spec, source)
        raw.seek(0)
    content_digest = hashlib.sha256()
    try:
        stream = gzip.GzipFile(fileobj=raw, mode="rb") if gzipped else raw
        array = read_idx(stream, spec.ndim, source, shape=spec.shape, on_data=content_digest.update)
    except DatasetError:
        raise
    except (OSError, EOFError, zlib.error) as error:
        raise DatasetError(f"{source}: not a complete gzip file ({error})") from None
    if spec.digest_of == "content":
        _check_digest(content_digest.hexdigest(), spec, source)
    return array


def _check_digest(digest: str, spec: IdxFile, source: str) -> None:
    if digest != spec.sha256:
        what = "file" if spec.digest_of == "gzip" else "decompressed content"
        raise DatasetError(
            f"{source}: checksum mismatch: SHA-256 of its {what} is {digest}, expected "
            f"{spec.sha256} for {spec.name}; the file is corrupt or not the right one"
        )


def check_float_dtype(dtype: DTypeLike) -> np.dtype:
    """``dtype`` as a floating NumPy dtype, else ``TypeError`` naming ``dtype``."""
    try:
        result = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be a floating dtype such as 'float32', got {dtype!r}") from None
    if result.kind != "f":
        raise TypeError(f"dtype must be a floating dtype such as 'float32', got {result}")
    return result


def _paired(
    images: NDArray[np.uint8], labels: NDArray[np.uint8], split: str
) -> tuple[NDArray[np.uint8], NDArray[np.uint8]]:
    """Check that a split has as many labels as images."""
    if len(images) != len(labels):
        raise DatasetError(f"the {split} images and labels do not match: {len(images)} images, {len(labels)} labels")
    return images, labels


def _load_file(
    spec: IdxFile,
    dirs: list[Path],
    cache: Path,
    mirrors: tuple[str, ...],
    download: bool,
    verbose: bool,
) -> NDArray[np.uint8]:
    """Find ``spec`` locally (or in the cache) and read it, else download it into the cache."""
    places = [*dirs, cache]
    looked_in = "\n".join(f"  {place}" for place in places)
    path = find_file((spec.gz_name, spec.name), places)
    if path is not None:
        return read_idx_file(path, spec)
    if not download:
        raise DatasetError(
            f"{spec.gz_name} (or uncompressed {spec.name}) not found; looked in:\n{looked_in}\n"
            "pass download=True to fetch it, or data_dir= the directory that holds it"
        )
    try:
        return download_verified(
            spec.gz_name,
            mirrors,
            cache,
            lambda temp: read_idx_file(temp, spec, gzipped=True, source="downloaded file"),
            verbose=verbose,
            max_bytes=spec.max_download_bytes,
        )
    except DatasetError as error:
        raise DatasetError(
            f"{error}\nA copy placed in one of these directories is used instead:\n{looked_in}"
        ) from None
