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
untouched and no temporary file behind.

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
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
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

MODEL_FORMAT = "numnet-model"
CHECKPOINT_FORMAT = "numnet-checkpoint"
HEADER_KEY = "__numnet__"
PARAM_PREFIX = "param/"
STATE_PREFIX = "state/"
OPTIMIZER_PREFIX = "optimizer/"
EXTRA_PREFIX = "extra/"

_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a zip archive, an empty zip archive
_NPY_MAGIC = b"\x93NUMPY"
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


def load(path: str | os.PathLike) -> Model:
    """Load a model saved by :func:`save` (or the model of a checkpoint).

    Returns:
        A model of the saved class and dtype with the saved arrays, giving
        bit-identical predictions.

    Raises:
        FileNotFoundError: there is no file at ``path``.
        ModelFileError: the file is not a numnet file, is truncated or
            corrupted, holds object (pickled) arrays, was written by a newer
            numnet, names an unknown model or layer class, or holds arrays
            that do not fit the architecture.
    """
    with _Archive.open(_as_path(path)) as archive:
        return _read_model(archive)


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


def load_checkpoint(path: str | os.PathLike) -> Checkpoint:
    """Load a checkpoint written by :func:`save_checkpoint`.

    Raises:
        FileNotFoundError: there is no file at ``path``.
        ModelFileError: as :func:`load`, and also when the file is a model
            file (no optimizer or progress) or its optimizer cannot be restored.
    """
    with _Archive.open(_as_path(path)) as archive:
        header = archive.header
        if header["format"] != CHECKPOINT_FORMAT:
            raise archive.error(
                "is a numnet model file, not a checkpoint: it holds no optimizer state or training "
                "progress (load it with numnet.io.load)"
            )
        model = _read_model(archive)
        optimizer = _read_optimizer(archive)
        arrays = {
            key[len(EXTRA_PREFIX) :]: archive.read(key) for key in archive.entries if key.startswith(EXTRA_PREFIX)
        }
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

    Raises:
        FileNotFoundError, ModelFileError: as :func:`load`.
    """
    path = _as_path(path)
    with _Archive.open(path) as archive:
        header = archive.header
        arrays = [(key, shape, str(dtype)) for key, (shape, dtype) in archive.entries.items() if key != HEADER_KEY]
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
    """The header as UTF-8 JSON bytes in a uint8 array; TypeError naming the field that cannot be encoded."""
    try:
        text = json.dumps(header, default=_json_default)
    except (TypeError, ValueError):
        for name, value in header.items():
            try:
                json.dumps(value, default=_json_default)
            except (TypeError, ValueError) as error:
                raise TypeError(f"cannot save {str(path)!r}: {name} is not JSON-able ({error})") from None
        raise
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


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


class _Archive:
    """An open numnet file: its validated header and the shape and dtype of every array.

    Arrays are read only on request (:meth:`read`), after the caller has
    checked their shapes, so a damaged or hostile file cannot make numnet
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
        file.seek(0)
        with self._reading():
            self._npz = np.load(file, allow_pickle=False)
            names = self._npz.zip.namelist()
            strays = [name for name in names if not name.endswith(".npy")]
            if strays:
                raise self.error(f"holds entries that are not NumPy arrays: {strays}")
            self.entries = {name[: -len(".npy")]: self._array_header(name) for name in names}
        hostile = [key for key, (_, dtype) in self.entries.items() if dtype.hasobject]
        if hostile:
            raise self.error(
                f"holds object arrays {hostile}, which only pickle can read and which could run code; "
                "numnet files never contain them, so the file was not written by numnet or was tampered with"
            )
        self.header = self._read_header()
        allowed = _PREFIXES[self.header["format"]]
        unexpected = sorted(key for key in self.entries if key != HEADER_KEY and not key.startswith(allowed))
        if unexpected:
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
                archive._npz.close()

    def error(self, cause: str) -> ModelFileError:
        return ModelFileError(f"cannot load {str(self.path)!r}: the file {cause}")

    @contextlib.contextmanager
    def _reading(self) -> Iterator[None]:
        """Turn the errors of reading a damaged zip or .npy entry into a ModelFileError."""
        try:
            yield
        except ModelFileError:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, struct.error, OSError, ValueError) as error:
            raise self.error(f"is truncated or corrupted ({type(error).__name__}: {error})") from error

    def _array_header(self, name: str) -> tuple[tuple[int, ...], np.dtype]:
        """(shape, dtype) from the .npy header of entry ``name``, without reading its data."""
        with self._npz.zip.open(name) as member:
            version = np.lib.format.read_magic(member)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(member)
            elif version == (2, 0):
                shape, _, dtype = np.lib.format.read_array_header_2_0(member)
            else:
                raise self.error(f"holds entry {name!r} in .npy format {version}, which numnet does not write")
        return shape, dtype

    def read(self, key: str) -> NDArray:
        """The array stored under ``key`` (never unpickled)."""
        with self._reading():
            return self._npz[key]

    def _read_header(self) -> dict[str, Any]:
        if HEADER_KEY not in self.entries:
            raise self.error(
                f"is not a numnet file: it has no {HEADER_KEY!r} header (a plain .npz of arrays? "
                "numnet reads only files written by numnet.io.save and save_checkpoint)"
            )
        shape, dtype = self.entries[HEADER_KEY]
        if dtype != np.uint8 or len(shape) != 1:
            raise self.error(f"has a malformed header entry (shape {shape}, dtype {dtype}; expected 1-D uint8)")
        try:
            header = json.loads(self.read(HEADER_KEY).tobytes().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
            raise self.error(f"has an unreadable header ({type(error).__name__}: {error})") from None
        if not isinstance(header, dict):
            raise self.error(f"has a header that is not a JSON object but {type(header).__name__}")
        file_format = header.get("format")
        if not isinstance(file_format, str) or file_format not in _PREFIXES:
            raise self.error(f"has header format {file_format!r}; expected {MODEL_FORMAT!r} or {CHECKPOINT_FORMAT!r}")
        version = header.get("format_version")
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise self.error(f"has header format_version {version!r}; expected an integer >= 1")
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
        try:
            float_dtype = np.dtype(header["dtype"]).kind == "f"
        except TypeError:
            float_dtype = False
        if not float_dtype:
            raise self.error(f"has header dtype {header['dtype']!r}; expected a float dtype such as 'float32'")
        if file_format == CHECKPOINT_FORMAT:
            if header["epoch"] < 0:
                raise self.error(f"has header epoch {header['epoch']}; expected an integer >= 0")
            not_lists = sorted(name for name, values in header["history"].items() if not isinstance(values, list))
            if not_lists:
                raise self.error(f"has history entries {not_lists} that are not lists")
        return header


def _read_model(archive: _Archive) -> Model:
    """Rebuild the archive's model from its header, then load its arrays once their names and shapes fit."""
    header = archive.header
    class_name = header["model_class"]
    if class_name not in MODEL_REGISTRY:
        raise archive.error(
            f"holds a model of unknown class {class_name!r}; known classes: {sorted(MODEL_REGISTRY)} "
            "(import the module that defines it before loading)"
        )
    try:
        model = MODEL_REGISTRY[class_name].from_config(header["config"], dtype=np.dtype(header["dtype"]))
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as error:
        raise archive.error(
            f"describes a {class_name} that cannot be rebuilt ({type(error).__name__}: {error})"
        ) from error

    names = _entry_names(model)
    targets = model.named_arrays()
    stored = {key for key in archive.entries if key.startswith((PARAM_PREFIX, STATE_PREFIX))}
    missing, unexpected = sorted(names.keys() - stored), sorted(stored - names.keys())
    if missing or unexpected:
        raise archive.error(
            f"does not fit its {class_name} architecture: missing arrays {missing}, unexpected arrays {unexpected}"
        )
    for key, name in names.items():
        shape, dtype = archive.entries[key]
        target = targets[name]
        if shape != target.shape or dtype != target.dtype:
            raise archive.error(
                f"does not fit its {class_name} architecture: array {key!r} has shape {shape} and dtype {dtype}, "
                f"the model expects shape {target.shape} and dtype {target.dtype}"
            )
    model.load_named_arrays({name: archive.read(key) for key, name in names.items()})
    model.metadata = dict(header["metadata"])
    return model


def _read_optimizer(archive: _Archive) -> Optimizer:
    """Rebuild the checkpoint's optimizer from its class name and config, then load its state."""
    header = archive.header
    name = header["optimizer_class"]
    if name not in OPTIMIZERS:
        raise archive.error(f"holds an optimizer of unknown class {name!r}; known: {sorted(OPTIMIZERS)}")
    try:
        optimizer = OPTIMIZERS[name](**header["optimizer_config"])
    except (TypeError, ValueError) as error:
        raise archive.error(f"has an optimizer configuration that cannot be used ({error})") from error
    state = {
        key[len(OPTIMIZER_PREFIX) :]: archive.read(key) for key in archive.entries if key.startswith(OPTIMIZER_PREFIX)
    }
    try:
        optimizer.load_state_dict(state)
    except ValueError as error:
        raise archive.error(f"holds optimizer state that cannot be restored ({error})") from error
    return optimizer
