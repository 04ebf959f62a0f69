"""Saving and loading models and training checkpoints, safely.

A numnet file is one ``.npz`` archive. Nothing in it is pickled, and it is
read with ``allow_pickle=False``, so opening a file can never run code. It
holds:

- ``"__numnet__"``: a JSON header, UTF-8 encoded in a 1-D ``uint8`` array;
- ``"param/<name>"``: the model's parameters and ``"state/<name>"`` its other
  arrays (batch-norm running statistics), named as by
  :meth:`numnet.models.Model.named_arrays` (``"param/0.W"``,
  ``"state/3.running_mean"``, ``"param/W1"``);
- in checkpoints only, ``"optimizer/<key>"``: the optimizer's
  :meth:`~numnet.optimizers.Optimizer.state_dict`, and ``"extra/<name>"``:
  other arrays of the training state (early stopping's best weights).

The header holds ``format`` (``"numnet-model"`` or ``"numnet-checkpoint"``),
``format_version`` (:data:`FORMAT_VERSION`), ``numnet_version``,
``model_class`` (a key of :data:`numnet.models.MODEL_REGISTRY`), ``config``
(the model's ``get_config()``), ``dtype``, ``input`` (the model's
:class:`~numnet.models.InputSpec`) and ``metadata`` (the model's
``metadata``: dataset, class names); a checkpoint adds
``optimizer_class`` (a key of :data:`numnet.optimizers.OPTIMIZERS`),
``optimizer_config``, ``epoch``, ``rng_state``, ``history`` and ``extra``.

Every write is atomic: the archive is written to a temporary file in the
target's directory, flushed and fsynced, then renamed onto the target with
:func:`os.replace`. A failure part way leaves an existing file at the target
untouched and no temporary file behind; a process killed part way (``kill
-9``) leaves the previous file intact, and its temporary file
(``.<name>.<host>.<pid>.<random>.numnet-tmp``) is removed by the next write
into the same folder. A folder that cannot be written (no permission,
read-only, full) gives an :class:`OSError` naming the target path.

Reading hostile files
---------------------
Model files travel between people, so :func:`load`, :func:`load_checkpoint`
and :func:`model_info` treat every file as hostile. For any file that is not
what numnet wrote — truncated, corrupted, tampered with, encrypted, oddly
compressed, oversized, or crafted to do harm — they raise
:class:`ModelFileError` (a ``ValueError``) naming the file and the cause, and
no other exception. (A path that cannot be opened at all raises the usual
``OSError``: ``FileNotFoundError``, ``IsADirectoryError``, ``PermissionError``.)
Before anything is built they check, in this order:

1. the zip directory: at most :data:`MAX_ENTRIES` entries in at most
   :data:`MAX_DIRECTORY_BYTES` bytes, checked before it is read; every entry
   a ``.npy`` array, stored or deflated (no other method), not encrypted,
   named once (duplicate names are refused);
2. every entry's ``.npy`` header (at most :data:`MAX_NPY_HEADER_BYTES`,
   versions 1.0 and 2.0, parsed without evaluating code): non-negative
   dimensions, a numeric dtype (object arrays, which need pickle, are
   refused), and exactly ``prod(shape) * itemsize`` bytes of data in the
   entry's uncompressed size as the zip directory lists it;
3. the JSON header: at most :data:`MAX_HEADER_BYTES` bytes, valid UTF-8,
   every integer within 128 bits (a generator's state), every string valid
   Unicode, every field of the documented type, a format version this numnet
   reads (:func:`save` refuses to write a header that load would refuse);
4. the architecture: from the header's ``config`` alone, without allocating,
   the model class computes every array it would make
   (:meth:`~numnet.models.Model.array_specs`; a description of more than
   :data:`numnet.models.MAX_LAYERS` layers is refused before it is spelled
   out); more than
   ``max_parameters`` values (default :data:`MAX_PARAMETERS`) is refused,
   and every array must be in the file with exactly that shape and the
   header's dtype, and nothing else;
5. in checkpoints, every optimizer array against the model's parameters
   (state ``<name>.<i>`` has parameter i's shape and dtype, scalars are 0-d),
   the generator state against NumPy's bit generators, and the ``extra/``
   arrays: at most ``max_parameters`` values together.

Only then is the model built and its arrays read, each straight into its
place, reading no more than its declared size (deflated entries are
inflated only that far, and their CRC is checked). So a file never makes
numnet allocate more than the model its architecture declares (its arrays
and their gradients, within ``max_parameters``) and, for a checkpoint, the
optimizer state of that model, plus a bounded overhead: the parsed zip
directory (at most about 35 MiB, measured on directories of minimal
records) and the parsed JSON header (at most about 110 MiB, measured on a
header of nothing but empty objects; a few hundred KiB for real files).

Format history: format 1 (numnet 0.1) had no ``input`` and ``metadata``;
such files load as before, with the input taken from the first layer and
empty metadata.

Paths are used exactly as given: unlike :func:`numpy.savez`, no ``.npz``
suffix is added (``save(model, "net")`` writes ``net``, which ``load("net")``
reads back). :func:`save` and :func:`save_checkpoint` return the path written.

:func:`load` also accepts a checkpoint and returns its model, so a checkpoint
can be evaluated or exported like a model file.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import struct
import tokenize
import warnings
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from numpy.typing import NDArray

from numnet import __version__
from numnet._atomic import atomic_write
from numnet.models import MODEL_REGISTRY, Model
from numnet.optimizers import OPTIMIZERS, Optimizer

__all__ = [
    "FORMAT_VERSION",
    "MAX_PARAMETERS",
    "MAX_HEADER_BYTES",
    "MAX_ENTRIES",
    "MAX_DIRECTORY_BYTES",
    "MAX_NPY_HEADER_BYTES",
    "ModelFileError",
    "Checkpoint",
    "save",
    "load",
    "save_checkpoint",
    "load_checkpoint",
    "model_info",
]

#: The newest file format this numnet writes and reads (see the module docstring for the history).
FORMAT_VERSION = 2

#: Default of ``max_parameters``: the most values (parameters and layer state) a loaded architecture may have.
MAX_PARAMETERS = 100_000_000
#: The largest JSON header numnet reads (and writes): its parsed form takes at most about 28 times as much.
MAX_HEADER_BYTES = 4 * 2**20
#: The most zip entries a file may have.
MAX_ENTRIES = 32_768
#: The largest zip directory numnet reads: its parsed form takes at most about 8 times as much.
MAX_DIRECTORY_BYTES = 4 * 2**20
#: The largest ``.npy`` header of an entry (NumPy's own default limit).
MAX_NPY_HEADER_BYTES = 10_000

MODEL_FORMAT = "numnet-model"
CHECKPOINT_FORMAT = "numnet-checkpoint"
HEADER_KEY = "__numnet__"
PARAM_PREFIX = "param/"
STATE_PREFIX = "state/"
OPTIMIZER_PREFIX = "optimizer/"
EXTRA_PREFIX = "extra/"

_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a zip archive, an empty zip archive
_NPY_MAGIC = b"\x93NUMPY"
#: .npy versions numnet reads -> the struct format of their header length.
_NPY_LENGTH_FORMATS = {(1, 0): "<H", (2, 0): "<I"}
#: Zip flag bits of entries numnet refuses: encrypted (0), patched data (5), strong encryption (6).
_UNSUPPORTED_FLAGS = 0x1 | 0x20 | 0x40
#: Indexes of the entry count and the directory size in zipfile's end-of-directory record.
_END_ENTRIES, _END_DIRECTORY_SIZE = 4, 5
#: What reading a damaged zip archive or .npy entry raises (each becomes a ModelFileError).
_CORRUPTION_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, struct.error, OSError, ValueError, NotImplementedError)
#: What rebuilding from a tampered description raises (each becomes a ModelFileError).
_CONFIG_ERRORS = (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError, RecursionError)
#: The longest 0-d string entry (the optimizer's name), in bytes of UCS-4.
_MAX_TEXT_BYTES = 4 * 64
#: Array-entry prefixes each format may hold.
_PREFIXES = {
    MODEL_FORMAT: (PARAM_PREFIX, STATE_PREFIX),
    CHECKPOINT_FORMAT: (PARAM_PREFIX, STATE_PREFIX, OPTIMIZER_PREFIX, EXTRA_PREFIX),
}
#: Header fields every file has, and those checkpoints add, with their JSON types.
_MODEL_FIELDS: dict[str, tuple[type, ...]] = {
    "numnet_version": (str,),
    "model_class": (str,),
    "config": (dict,),
    "dtype": (str,),
    "input": (dict,),
    "metadata": (dict,),
}
_CHECKPOINT_FIELDS: dict[str, tuple[type, ...]] = {
    "optimizer_class": (str,),
    "optimizer_config": (dict,),
    "epoch": (int,),
    "rng_state": (dict, type(None)),
    "history": (dict,),
    "extra": (dict,),
}


class ModelFileError(ValueError):
    """A file cannot be loaded: not a numnet file, damaged, too new, or not fitting its architecture."""


@dataclass(frozen=True)
class Checkpoint:
    """What :func:`load_checkpoint` returns.

    Attributes:
        model: the rebuilt model, weights and layer state loaded.
        optimizer: the rebuilt optimizer, its state (moments, step count) loaded.
        epoch: the number of completed epochs (a checkpoint written part way
            through an epoch holds ``epoch`` = the index of that epoch, from 0).
        rng_state: a ``Generator.bit_generator.state`` dict, or None.
        history: lists of recorded values by name.
        extra: any other JSON-able data saved with the checkpoint.
        arrays: any other arrays saved with the checkpoint, by name.
    """

    model: Model
    optimizer: Optimizer
    epoch: int
    rng_state: dict[str, Any] | None
    history: dict[str, list[Any]]
    extra: dict[str, Any]
    arrays: dict[str, NDArray] = field(default_factory=dict)


# ---------------------------------------------------------------- public API


def save(model: Model, path: str | os.PathLike) -> Path:
    """Save ``model`` (architecture, weights and layer state) to ``path``, atomically.

    Args:
        model: a registered subclass of :class:`numnet.models.Model` (a Sequential, ...).
        path: the file to write, used as given (no suffix is added);
            ``.npz`` is the customary suffix. Its directory must exist.

    Returns:
        The path written.

    Raises:
        TypeError: ``model`` is not a registered numnet model, or its
            configuration is not JSON-able.
    """
    path = _as_path(path)
    _check_model(model)
    header = {"format": MODEL_FORMAT, "format_version": FORMAT_VERSION, **_model_header(model)}
    _write_atomically(path, {HEADER_KEY: _encode_header(header, path), **_model_entries(model)})
    return path


def load(path: str | os.PathLike, *, max_parameters: int | None = MAX_PARAMETERS) -> Model:
    """Load a model saved by :func:`save` (or the model of a checkpoint).

    Args:
        path: the file.
        max_parameters: the most values (parameters and layer state) the
            file's architecture may have; None for no limit (trusted files).

    Returns:
        A model of the saved class and dtype with the saved arrays, giving
        bit-identical predictions.

    Raises:
        FileNotFoundError: there is no file at ``path`` (other ``OSError``
            when it cannot be opened).
        ModelFileError: for anything wrong with the file (see the module
            docstring): not a numnet file, truncated or corrupted, object
            (pickled) arrays, written by a newer numnet, an unknown model or
            layer class, arrays that do not fit the architecture, an
            architecture above ``max_parameters``, a limit exceeded.
    """
    max_parameters = _check_max_parameters(max_parameters)
    with _Archive.open(_as_path(path)) as archive:
        return _read_model(archive, max_parameters)


def save_checkpoint(
    path: str | os.PathLike,
    model: Model,
    optimizer: Optimizer,
    epoch: int,
    rng_state: Mapping[str, Any] | None,
    history: Mapping[str, Any],
    extra: Mapping[str, Any] | None = None,
    arrays: Mapping[str, NDArray] | None = None,
) -> Path:
    """Save everything needed to resume training to ``path``, atomically.

    Args:
        path: the file to write, used as given (no suffix is added).
        model: the model being trained.
        optimizer: its optimizer, registered in :data:`numnet.optimizers.OPTIMIZERS`.
        epoch: the number of completed epochs (an int >= 0).
        rng_state: ``Generator.bit_generator.state`` of the shuffling
            generator, or None.
        history: recorded values by name, e.g. ``History.to_dict()``.
        extra: any other JSON-able data (NumPy scalars and arrays are
            stored as plain numbers and lists).
        arrays: any other arrays, stored as arrays (never pickled), by name.

    Returns:
        The path written.

    Raises:
        TypeError: an argument has the wrong type or is not JSON-able.
        ValueError: ``epoch`` is negative.
    """
    path = _as_path(path)
    _check_model(model)
    if not isinstance(optimizer, Optimizer) or OPTIMIZERS.get(optimizer.name) is not type(optimizer):
        raise TypeError(f"optimizer must be an optimizer registered in numnet.optimizers.OPTIMIZERS, got {optimizer!r}")
    if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)):
        raise TypeError(f"epoch must be an int, got {epoch!r}")
    if epoch < 0:
        raise ValueError(f"epoch must be >= 0, got {epoch}")
    if not isinstance(history, Mapping):
        raise TypeError(f"history must be a dict, got {type(history).__name__}")
    for name, value in (("rng_state", rng_state), ("extra", extra)):
        if not (value is None or isinstance(value, Mapping)):
            raise TypeError(f"{name} must be a dict or None, got {type(value).__name__}")
    header = {
        "format": CHECKPOINT_FORMAT,
        "format_version": FORMAT_VERSION,
        **_model_header(model),
        "optimizer_class": optimizer.name,
        "optimizer_config": optimizer.get_config(),
        "epoch": int(epoch),
        "rng_state": None if rng_state is None else dict(rng_state),
        "history": {str(name): list(values) for name, values in history.items()},
        "extra": {} if extra is None else dict(extra),
    }
    optimizer_entries = {OPTIMIZER_PREFIX + key: array for key, array in optimizer.state_dict().items()}
    extra_entries = {EXTRA_PREFIX + str(name): np.asarray(array) for name, array in (arrays or {}).items()}
    entries = {
        HEADER_KEY: _encode_header(header, path),
        **_model_entries(model),
        **optimizer_entries,
        **extra_entries,
    }
    _write_atomically(path, entries)
    return path


def load_checkpoint(path: str | os.PathLike, *, max_parameters: int | None = MAX_PARAMETERS) -> Checkpoint:
    """Load a checkpoint written by :func:`save_checkpoint`.

    ``max_parameters`` limits the model as for :func:`load`, and separately
    the values of the checkpoint's other arrays (``extra/``) together.

    Raises:
        FileNotFoundError: there is no file at ``path`` (other ``OSError``
            when it cannot be opened).
        ModelFileError: as :func:`load`, and also when the file is a model
            file (no optimizer or progress), its optimizer state does not fit
            the model's parameters or its generator state is not valid.
    """
    max_parameters = _check_max_parameters(max_parameters)
    with _Archive.open(_as_path(path)) as archive:
        header = archive.header
        if header["format"] != CHECKPOINT_FORMAT:
            raise archive.error(
                "is a numnet model file, not a checkpoint: it holds no optimizer state or training "
                "progress (load it with numnet.io.load)"
            )
        _check_rng_state(archive, header["rng_state"])
        extra_keys = [key for key in archive.entries if key.startswith(EXTRA_PREFIX)]
        extra_size = sum(math.prod(archive.entries[key].shape) for key in extra_keys)
        if max_parameters is not None and extra_size > max_parameters:
            raise archive.error(
                f"holds extra arrays of {extra_size:,} values, more than max_parameters={max_parameters:,}; "
                "if you trust the file, load it with a larger max_parameters"
            )
        model = _read_model(archive, max_parameters)
        optimizer = _read_optimizer(archive, model)
        arrays = {key[len(EXTRA_PREFIX) :]: archive.read(key) for key in extra_keys}
    return Checkpoint(
        model=model,
        optimizer=optimizer,
        epoch=header["epoch"],
        rng_state=header["rng_state"],
        history=header["history"],
        extra=header["extra"],
        arrays=arrays,
    )


def model_info(path: str | os.PathLike) -> dict[str, Any]:
    """Describe a model or checkpoint file from its header and array headers, without loading weights.

    Returns:
        A dict with ``path``, ``format``, ``format_version``,
        ``numnet_version``, ``model_class``, ``config``, ``dtype``,
        ``arrays`` (a list of ``(name, shape, dtype)`` for every array in the
        file, e.g. ``("param/0.W", (784, 100), "float32")``) and
        ``parameter_count`` (the number of trainable values, the ``param/``
        arrays), ``input`` and ``metadata``. Checkpoints add ``epoch``, ``optimizer_class`` and
        ``optimizer_config``.

    Every shape and count is checked against the file's size (never negative
    or made up); the architecture itself is checked only by :func:`load`.

    Raises:
        FileNotFoundError, ModelFileError: as :func:`load`.
    """
    path = _as_path(path)
    with _Archive.open(path) as archive:
        header = archive.header
        arrays = [(key, entry.shape, str(entry.dtype)) for key, entry in archive.entries.items() if key != HEADER_KEY]
    info: dict[str, Any] = {
        "path": str(path),
        "format": header["format"],
        "format_version": header["format_version"],
        **{name: header[name] for name in _MODEL_FIELDS},
        "arrays": arrays,
        "parameter_count": sum(math.prod(shape) for key, shape, _ in arrays if key.startswith(PARAM_PREFIX)),
    }
    if header["format"] == CHECKPOINT_FORMAT:
        info.update({name: header[name] for name in ("epoch", "optimizer_class", "optimizer_config")})
    return info


# ---------------------------------------------------------------- writing


def _as_path(path: str | os.PathLike) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    return Path(path)


def _check_max_parameters(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise TypeError(f"max_parameters must be a non-negative int or None, got {value!r}")
    return int(value)


def _check_model(model: Model) -> None:
    if not isinstance(model, Model):
        raise TypeError(f"model must be a numnet model (a subclass of numnet.models.Model), got {type(model).__name__}")
    name = type(model).__name__
    if MODEL_REGISTRY.get(name) is not type(model):
        raise TypeError(f"model class {name} is not the one registered under that name in numnet.models.MODEL_REGISTRY")


def _model_header(model: Model) -> dict[str, Any]:
    return {
        "numnet_version": __version__,
        "model_class": type(model).__name__,
        "config": model.get_config(),
        "dtype": model.dtype.name,
        "input": model.input_spec.to_config(),
        "metadata": model.metadata,
    }


def _entry_names(model: Model) -> dict[str, str]:
    """Archive key -> name in ``model.named_arrays()``: ``param/`` for parameters, ``state/`` for the rest."""
    params = set(model.param_names)
    return {(PARAM_PREFIX if name in params else STATE_PREFIX) + name: name for name in model.named_arrays()}


def _model_entries(model: Model) -> dict[str, NDArray]:
    arrays = model.named_arrays()
    return {key: arrays[name] for key, name in _entry_names(model).items()}


def _json_default(value: Any) -> Any:
    """NumPy scalars become Python numbers, arrays nested lists; anything else is refused."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} {value!r} is not JSON-serializable")


def _encode_header(header: dict[str, Any], path: Path) -> NDArray[np.uint8]:
    """The header as UTF-8 JSON bytes in a uint8 array, refused unless :func:`load` would read it back.

    TypeError naming the field that is not JSON-able; ValueError naming the
    field that load would refuse (an integer beyond 128 bits, text that is
    not valid Unicode) or a header above :data:`MAX_HEADER_BYTES`.
    """
    for name, value in header.items():
        try:
            _parse_header_json(json.dumps(value, default=_json_default, ensure_ascii=False).encode("utf-8"))
        except (TypeError, OverflowError) as error:
            raise TypeError(f"cannot save {str(path)!r}: {name} is not JSON-able ({_clip(error)})") from None
        except UnicodeEncodeError as error:
            raise ValueError(
                f"cannot save {str(path)!r}: {name} holds text that is not valid Unicode ({error})"
            ) from None
        except ValueError as error:
            raise ValueError(f"cannot save {str(path)!r}: {name} could not be read back ({error})") from None
    raw = json.dumps(header, default=_json_default, ensure_ascii=False).encode("utf-8")
    if len(raw) > MAX_HEADER_BYTES:
        raise ValueError(
            f"cannot save {str(path)!r}: its header would be {len(raw):,} bytes, more than numnet reads "
            f"({MAX_HEADER_BYTES:,}); shorten the history or extra data"
        )
    return np.frombuffer(raw, dtype=np.uint8)


def _write_atomically(path: Path, entries: dict[str, NDArray]) -> None:
    """Write ``entries`` as an uncompressed .npz to a temporary file beside ``path``, then rename it onto ``path``."""
    directory = path.parent
    if not directory.is_dir():
        raise FileNotFoundError(f"cannot save to {str(path)!r}: the directory {str(directory)!r} does not exist")
    with atomic_write(path) as file:
        np.savez(file, allow_pickle=False, **entries)
    _fsync_directory(directory)


def _fsync_directory(directory: Path) -> None:
    """Make the rename durable (POSIX); where a directory cannot be synced the file is in place all the same."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class _Entry:
    """One ``.npy`` entry of the archive, from its zip directory record and its ``.npy`` header."""

    info: zipfile.ZipInfo
    shape: tuple[int, ...]
    dtype: np.dtype
    fortran_order: bool
    npy_header: bytes  # everything before the data: magic, version, header length and header

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize


class _Archive:
    """An open numnet file: its validated header and every entry's shape and dtype, checked against its size.

    Opening reads the zip directory (after checking its size) and the
    ``.npy`` header of every entry, never an array's data. Arrays are read
    only on request (:meth:`read`), after the caller has checked their shapes
    against the architecture, so a damaged or hostile file cannot make numnet
    allocate more than the architecture needs.
    """

    def __init__(self, path: Path, file: BinaryIO) -> None:
        self.path = path
        start = file.read(len(_NPY_MAGIC))
        if not start:
            raise self.error("is empty (0 bytes): not a numnet file, or a save that never completed")
        if start.startswith(_NPY_MAGIC):
            raise self.error("is a single .npy array, not a numnet file (a .npz archive written by numnet.io.save)")
        if not start.startswith(_ZIP_MAGICS):
            raise self.error("is not a numnet file: it is not a .npz (zip) archive")
        with self._reading():
            self._check_directory_size(file)
            file.seek(0)
            self._zip = zipfile.ZipFile(file)
        try:
            self.entries = self._read_entries()
            self.header = self._read_header()
        except BaseException:
            self._zip.close()
            raise
        allowed = _PREFIXES[self.header["format"]]
        unexpected = sorted(key for key in self.entries if key != HEADER_KEY and not key.startswith(allowed))
        if unexpected:
            self._zip.close()
            raise self.error(f"holds unexpected entries {unexpected}")

    @classmethod
    @contextlib.contextmanager
    def open(cls, path: Path) -> Iterator[_Archive]:
        try:
            file = open(path, "rb")  # noqa: SIM115 - closed by the `with file` below, after the error mapping
        except FileNotFoundError:
            raise FileNotFoundError(f"no numnet file at {str(path)!r}: file not found") from None
        with file:
            archive = cls(path, file)
            try:
                yield archive
            finally:
                archive._zip.close()

    def error(self, cause: str) -> ModelFileError:
        return ModelFileError(f"cannot load {str(self.path)!r}: the file {cause}")

    @contextlib.contextmanager
    def _reading(self) -> Iterator[None]:
        """Turn the errors of reading a damaged zip archive or .npy entry into a ModelFileError."""
        try:
            yield
        except ModelFileError:
            raise
        except _CORRUPTION_ERRORS as error:
            raise self.error(f"is truncated or corrupted ({type(error).__name__}: {_clip(error)})") from error

    def _check_directory_size(self, file: BinaryIO) -> None:
        """Refuse a zip directory above the limits before :mod:`zipfile` reads all of it into memory."""
        # zipfile's own reader of the end record, so that the size checked is the size zipfile then reads
        end = zipfile._EndRecData(file)  # type: ignore[attr-defined]
        if end is None:
            return  # not a zip archive: zipfile.ZipFile says so
        entries, size = end[_END_ENTRIES], end[_END_DIRECTORY_SIZE]
        if entries > MAX_ENTRIES or size > MAX_DIRECTORY_BYTES:
            raise self.error(
                f"has a zip directory of {entries:,} entries and {size:,} bytes, more than numnet reads "
                f"({MAX_ENTRIES:,} entries, {MAX_DIRECTORY_BYTES:,} bytes)"
            )

    def _read_entries(self) -> dict[str, _Entry]:
        infos = self._zip.infolist()
        if len(infos) > MAX_ENTRIES:
            raise self.error(f"has {len(infos):,} zip entries, more than numnet reads ({MAX_ENTRIES:,})")
        counts = Counter(info.filename for info in infos)
        duplicates = sorted(name for name, count in counts.items() if count > 1)
        if duplicates:
            raise self.error(
                f"holds entries stored more than once {_clip(duplicates)}: numnet never writes such a file, and "
                "readers could disagree on which copy counts (tampered?)"
            )
        strays = [info.filename for info in infos if not info.filename.endswith(".npy")]
        if strays:
            raise self.error(f"holds entries that are not NumPy arrays: {_clip(strays)}")
        for info in infos:
            if info.flag_bits & _UNSUPPORTED_FLAGS:
                raise self.error(f"holds entry {info.filename!r} encrypted or patched; numnet files never are")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise self.error(
                    f"holds entry {info.filename!r} compressed with zip method {info.compress_type}; numnet reads "
                    "stored and deflated entries only"
                )
            if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
                raise self.error(
                    f"holds entry {info.filename!r} stored uncompressed but listed with {info.compress_size:,} bytes "
                    f"in the archive and {info.file_size:,} bytes of content"
                )
        return {info.filename[: -len(".npy")]: self._read_entry_header(info) for info in infos}

    def _read_entry_header(self, info: zipfile.ZipInfo) -> _Entry:
        """The shape and dtype of an entry from its (bounded) .npy header, checked against its size."""
        name = info.filename[: -len(".npy")]
        with self._reading(), self._zip.open(info) as member:
            start = member.read(len(_NPY_MAGIC) + 2)
            if len(start) < len(_NPY_MAGIC) + 2 or not start.startswith(_NPY_MAGIC):
                raise self.error(f"holds entry {name!r} that is not a .npy array (no .npy magic string)")
            version = (start[-2], start[-1])
            if version not in _NPY_LENGTH_FORMATS:
                raise self.error(f"holds entry {name!r} in .npy format {version}, which numnet does not write")
            length_field = member.read(struct.calcsize(_NPY_LENGTH_FORMATS[version]))
            (length,) = struct.unpack(_NPY_LENGTH_FORMATS[version], length_field)
            if length > MAX_NPY_HEADER_BYTES:
                raise self.error(
                    f"holds entry {name!r} with a .npy header of {length:,} bytes (at most {MAX_NPY_HEADER_BYTES:,})"
                )
            text = member.read(length)
        if len(text) != length:
            raise self.error(f"is truncated or corrupted (entry {name!r} ends inside its .npy header)")
        shape, fortran_order, dtype = self._parse_npy_header(name, version, length_field + text)
        entry = _Entry(info, shape, dtype, fortran_order, start + length_field + text)
        if dtype.hasobject:
            raise self.error(
                f"holds object arrays {[name]}, which only pickle can read and which could run code; "
                "numnet files never contain them, so the file was not written by numnet or was tampered with"
            )
        if dtype.kind not in "biufU" or (dtype.kind == "U" and (shape != () or dtype.itemsize > _MAX_TEXT_BYTES)):
            raise self.error(f"holds entry {name!r} of dtype {dtype} and shape {shape}, which numnet files never hold")
        data_size = info.file_size - len(entry.npy_header)
        if data_size != entry.nbytes:
            raise self.error(
                f"holds entry {name!r} whose .npy header declares shape {shape} and dtype {dtype} "
                f"({entry.nbytes:,} bytes) but which holds {max(data_size, 0):,} bytes of data (truncated or tampered)"
            )
        return entry

    def _parse_npy_header(self, name: str, version: tuple[int, int], field: bytes) -> tuple[Any, bool, np.dtype]:
        """``(shape, fortran_order, dtype)`` from the header length field and text, by NumPy's own reader."""
        reader = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # a header that needs repairs (Python 2) is not numnet's
                shape, fortran_order, dtype = reader(BytesIO(field), max_header_size=MAX_NPY_HEADER_BYTES)
        except (*_CONFIG_ERRORS, SyntaxError, tokenize.TokenError, Warning) as error:
            raise self.error(f"holds entry {name!r} with a malformed .npy header ({_clip(error)})") from None
        if any(isinstance(size, bool) or size < 0 for size in shape):
            raise self.error(f"holds entry {name!r} with a malformed .npy header (shape {_clip(shape)})")
        return shape, fortran_order, dtype

    def read(self, key: str, out: NDArray | None = None) -> NDArray:
        """The array stored under ``key`` (never unpickled), read into ``out`` when given.

        ``out`` must have the entry's shape and dtype (the caller checked
        them); nothing beyond the entry's declared size is read or allocated.
        """
        entry = self.entries[key]
        with self._reading(), self._zip.open(entry.info) as member:
            if member.read(len(entry.npy_header)) != entry.npy_header:
                raise self.error(f"changed while being read (entry {key!r})")
            data = member.read(entry.nbytes)
            if len(data) != entry.nbytes or member.read(1):  # reading to the end checks the CRC
                raise self.error(f"is truncated or corrupted (entry {key!r} holds {len(data):,} bytes of data)")
        stored = np.frombuffer(data, entry.dtype).reshape(entry.shape[::-1] if entry.fortran_order else entry.shape)
        if entry.fortran_order:
            stored = stored.T
        if out is None:
            return stored.copy()  # writable, and not a view of the bytes read
        out[...] = stored
        return out

    def _read_header(self) -> dict[str, Any]:
        if HEADER_KEY not in self.entries:
            raise self.error(
                f"is not a numnet file: it has no {HEADER_KEY!r} header (a plain .npz of arrays? "
                "numnet reads only files written by numnet.io.save and save_checkpoint)"
            )
        entry = self.entries[HEADER_KEY]
        if entry.dtype != np.uint8 or len(entry.shape) != 1:
            raise self.error(
                f"has a malformed header entry (shape {entry.shape}, dtype {entry.dtype}; expected 1-D uint8)"
            )
        if entry.nbytes > MAX_HEADER_BYTES:
            raise self.error(f"has a header of {entry.nbytes:,} bytes, more than numnet reads ({MAX_HEADER_BYTES:,})")
        try:
            header = _parse_header_json(self.read(HEADER_KEY).tobytes())
        except ValueError as error:
            raise self.error(f"has an unreadable header ({_clip(error)})") from None
        if not isinstance(header, dict):
            raise self.error(f"has a header that is not a JSON object but {type(header).__name__}")
        file_format = header.get("format")
        if not isinstance(file_format, str) or file_format not in _PREFIXES:
            raise self.error(
                f"has header format {file_format!r:.100}; expected {MODEL_FORMAT!r} or {CHECKPOINT_FORMAT!r}"
            )
        version = header.get("format_version")
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise self.error(f"has header format_version {version!r:.100}; expected an integer >= 1")
        if version > FORMAT_VERSION:
            raise self.error(
                f"was written by a newer numnet (format {version}); this numnet ({__version__}) reads up to "
                f"format {FORMAT_VERSION}: upgrade numnet to load it"
            )
        if version == 1:  # format 1 recorded neither: the input is the first layer's, the metadata empty
            header = {**header, "input": {}, "metadata": {}}
        fields = dict(_MODEL_FIELDS)
        if file_format == CHECKPOINT_FORMAT:
            fields.update(_CHECKPOINT_FIELDS)
        for name, types in fields.items():
            value = header.get(name)
            if isinstance(value, bool) or not isinstance(value, types):
                expected = " or ".join("null" if t is type(None) else t.__name__ for t in types)
                raise self.error(f"has header field {name!r} = {value!r:.100}; expected {expected}")
        if _float_dtype(header["dtype"]) is None:
            raise self.error(f"has header dtype {header['dtype']!r:.100}; expected a float dtype such as 'float32'")
        if file_format == CHECKPOINT_FORMAT:
            if header["epoch"] < 0:
                raise self.error(f"has header epoch {header['epoch']}; expected an integer >= 0")
            not_lists = sorted(name for name, values in header["history"].items() if not isinstance(values, list))
            if not_lists:
                raise self.error(f"has history entries {_clip(not_lists)} that are not lists")
        return header


def _clip(value: Any, limit: int = 300) -> str:
    """``str(value)`` cut to ``limit`` characters: error messages stay one readable line for any file."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _bounded_int(text: str) -> int:
    """A JSON integer of the header, refused unless it fits in 128 bits (a generator state's size)."""
    if len(text) > 40:  # a sign and 39 digits hold every 128-bit integer
        raise ValueError(f"integer {text[:30]}... has {len(text)} characters; integers must fit in 128 bits")
    value = int(text)
    if not -(2**128) < value < 2**128:
        raise ValueError(f"integer {text} does not fit in 128 bits")
    return value


def _parse_header_json(raw: bytes) -> Any:
    """The header's JSON value; ValueError for invalid UTF-8 or JSON, a huge integer or text that is not Unicode."""
    try:
        value = json.loads(raw.decode("utf-8"), parse_int=_bounded_int)
        # lone surrogates ("\ud800") parse, but no text file or terminal can hold them
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    except ValueError as error:  # UnicodeError and JSONDecodeError included
        raise ValueError(f"{type(error).__name__}: {_clip(error)}") from None
    return value


def _float_dtype(name: str) -> np.dtype | None:
    """The float dtype called ``name`` ("float32"), or None for anything else."""
    try:
        dtype = np.dtype(name)
    except (TypeError, ValueError, SyntaxError, OverflowError, KeyError, RecursionError):
        return None
    return dtype if dtype.kind == "f" else None


def _read_model(archive: _Archive, max_parameters: int | None) -> Model:
    """Check the archive's arrays against the architecture its header declares, then build it and read them."""
    header = archive.header
    class_name = header["model_class"]
    if class_name not in MODEL_REGISTRY:
        raise archive.error(
            f"holds a model of unknown class {class_name!r:.100}; known classes: {sorted(MODEL_REGISTRY)} "
            "(import the module that defines it before loading)"
        )
    model_class = MODEL_REGISTRY[class_name]
    try:
        specs = model_class.array_specs(header["config"])
    except NotImplementedError as error:
        raise archive.error(f"holds a {class_name} whose arrays numnet cannot foresee ({error})") from None
    except _CONFIG_ERRORS as error:
        raise archive.error(
            f"describes a {class_name} that cannot be rebuilt ({type(error).__name__}: {_clip(error)})"
        ) from None
    size = sum(math.prod(spec.shape) for spec in specs.values())
    if max_parameters is not None and size > max_parameters:
        raise archive.error(
            f"describes a {class_name} of {size:,} values (parameters and state), more than "
            f"max_parameters={max_parameters:,}; if you trust the file, load it with a larger max_parameters"
        )
    dtype = np.dtype(header["dtype"])
    names = {(PARAM_PREFIX if spec.trainable else STATE_PREFIX) + name: name for name, spec in specs.items()}
    stored = {key for key in archive.entries if key.startswith((PARAM_PREFIX, STATE_PREFIX))}
    missing, unexpected = sorted(names.keys() - stored), sorted(stored - names.keys())
    if missing or unexpected:
        raise archive.error(
            f"does not fit its {class_name} architecture: missing arrays {_clip(missing)}, "
            f"unexpected arrays {_clip(unexpected)}"
        )
    for key, name in names.items():
        entry, spec = archive.entries[key], specs[name]
        if entry.shape != spec.shape or entry.dtype != dtype:
            raise archive.error(
                f"does not fit its {class_name} architecture: array {key!r} has shape {entry.shape} and dtype "
                f"{entry.dtype}, the model expects shape {spec.shape} and dtype {dtype}"
            )

    try:
        model = model_class.from_config(header["config"], dtype=dtype)
    except _CONFIG_ERRORS as error:
        raise archive.error(
            f"describes a {class_name} that cannot be rebuilt ({type(error).__name__}: {_clip(error)})"
        ) from None
    targets = model.named_arrays()
    built = {name: (array.shape, array.dtype.kind) for name, array in targets.items()}
    if built != {name: (spec.shape, spec.kind) for name, spec in specs.items()}:  # a bug in array_specs, not the file
        raise archive.error(f"holds a {class_name} whose array_specs do not match the model it builds")
    for key, name in names.items():
        archive.read(key, out=targets[name])
    model.metadata = dict(header["metadata"])
    return model


def _read_optimizer(archive: _Archive, model: Model) -> Optimizer:
    """Rebuild the checkpoint's optimizer, after checking every state array against the model's parameters."""
    header = archive.header
    name = header["optimizer_class"]
    if name not in OPTIMIZERS:
        raise archive.error(f"holds an optimizer of unknown class {name!r:.100}; known: {sorted(OPTIMIZERS)}")
    try:
        optimizer = OPTIMIZERS[name](**header["optimizer_config"])
    except (TypeError, ValueError, OverflowError) as error:
        raise archive.error(f"has an optimizer configuration that cannot be used ({_clip(error)})") from error
    keys = [key for key in archive.entries if key.startswith(OPTIMIZER_PREFIX)]
    for key in keys:
        if not _fits_optimizer(key[len(OPTIMIZER_PREFIX) :], archive.entries[key], optimizer, model):
            entry = archive.entries[key]
            raise archive.error(
                f"holds optimizer state {key!r} (shape {entry.shape}, dtype {entry.dtype}) that does not fit "
                f"a {type(optimizer).__name__} of this {type(model).__name__}"
            )
    state = {key[len(OPTIMIZER_PREFIX) :]: archive.read(key) for key in keys}
    try:
        optimizer.load_state_dict(state)
    except (ValueError, TypeError, KeyError, OverflowError) as error:
        raise archive.error(f"holds optimizer state that cannot be restored ({_clip(error)})") from error
    return optimizer


def _fits_optimizer(key: str, entry: _Entry, optimizer: Optimizer, model: Model) -> bool:
    """Whether an optimizer entry can be what :meth:`Optimizer.state_dict` writes for ``model``'s parameters."""
    if key == "optimizer":  # the optimizer's name
        return entry.shape == () and entry.dtype.kind == "U"
    if key == "step_count":
        return entry.shape == () and entry.dtype.kind in "iu"
    if key in optimizer.get_config():  # a hyperparameter
        return entry.shape == () and entry.dtype.kind == "f"
    state_name, _, index = key.rpartition(".")
    if state_name not in optimizer.state_names or not (index.isascii() and index.isdigit() and len(index) < 10):
        return False
    i = int(index)
    return i < len(model.params) and (entry.shape, entry.dtype) == (model.params[i].shape, model.params[i].dtype)


#: Bit generators whose state a checkpoint may hold.
_BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")


def _check_rng_state(archive: _Archive, state: dict[str, Any] | None) -> None:
    """Refuse an ``rng_state`` that no NumPy bit generator accepts (so that resuming cannot fail on it)."""
    if state is None:
        return
    name = state.get("bit_generator")
    if name not in _BIT_GENERATORS:
        raise archive.error(f"has an rng_state of bit generator {name!r:.100}; expected one of {_BIT_GENERATORS}")
    try:
        getattr(np.random, name)().state = state
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as error:
        raise archive.error(f"has an rng_state that is not a valid {name} state ({_clip(error)})") from None
