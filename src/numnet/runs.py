"""Run folders: what a training run leaves behind, written and read back.

A run folder (``runs/<time>-<dataset>-<model>/`` by default) holds

* ``model.npz`` — the trained model (:func:`numnet.io.save`);
* ``history.json`` — :meth:`numnet.training.History.to_dict`, and
  ``history.csv`` — one row per epoch;
* ``run.json`` — the settings and results (:class:`Run`);
* ``learning_curves.png`` — when matplotlib is installed;
* ``initial_filters.npy`` — a convolutional model's first filters before training;
* ``checkpoint.npz`` — only in the folder of an interrupted run (with its
  ``run.json``, ``"status": "interrupted"``), to resume from; a completed
  run has none.

A run folder is written as a whole: into a temporary folder beside it, which
is then renamed into place (:func:`write_run`, :func:`write_interrupted`), so
an interrupted write never mixes old and new files, and a folder that holds a
run is replaced only when asked to. :func:`check_run_dir` says, before
training starts, whether a folder can take the run: not a file, not someone
else's files, writable, with room for the model file (whose size the
architecture gives, :func:`required_bytes`).
"""

from __future__ import annotations

import contextlib
import csv
import io as text_io
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from numnet import __version__, io, plotting
from numnet._atomic import ASIDE_SUFFIX, atomic_write, stale_temporaries, temporary_path
from numnet.models import Model
from numnet.optimizers import Optimizer
from numnet.training import History, Trainer

__all__ = [
    "MODEL_FILE",
    "HISTORY_JSON",
    "HISTORY_CSV",
    "RUN_FILE",
    "CURVES_FILE",
    "INITIAL_FILTERS_FILE",
    "CHECKPOINT_FILE",
    "RUN_FILES",
    "RUNS_ROOT",
    "RunFolderError",
    "Run",
    "new_run_dir",
    "folder_state",
    "check_run_dir",
    "model_file_bytes",
    "required_bytes",
    "write_run",
    "write_interrupted",
    "rescue_model",
    "read_run",
    "find_run",
    "read_history",
    "read_labelled_history",
    "read_initial_filters",
    "dataset_of",
    "training_warnings",
]

MODEL_FILE = "model.npz"
HISTORY_JSON = "history.json"
HISTORY_CSV = "history.csv"
RUN_FILE = "run.json"
CURVES_FILE = "learning_curves.png"
INITIAL_FILTERS_FILE = "initial_filters.npy"
CHECKPOINT_FILE = "checkpoint.npz"
#: The files a run folder may hold, in the order they are written.
RUN_FILES = (MODEL_FILE, HISTORY_JSON, HISTORY_CSV, RUN_FILE, CURVES_FILE, INITIAL_FILTERS_FILE, CHECKPOINT_FILE)
#: Where new run folders go, relative to the working directory.
RUNS_ROOT = Path("runs")

#: Room kept beyond the model file(s) for the history, run.json and the figures.
_SMALL_FILES_BYTES = 2**20
#: The ``status`` of a run folder's run.json.
COMPLETE, INTERRUPTED = "complete", "interrupted"

# run.json keys that are fields of Run; every other key is a setting.
_RECORD_KEYS = (
    "numnet_version",
    "command",
    "dataset",
    "data_dir",
    "model_class",
    "model_config",
    "optimizer",
    "optimizer_config",
    "model_description",
    "status",
)


class RunFolderError(ValueError):
    """A run cannot be written into a folder.

    Attributes:
        kind: why: ``"file"`` (the path is a file), ``"not_a_run"`` (a folder
            of other files), ``"holds_run"`` (a run is there and may not be
            replaced), ``"interrupted"`` (an interrupted run is there),
            ``"unwritable"``, ``"no_space"``.
    """

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class Run:
    """A run folder: where it is, what ``run.json`` records, which files it holds and the history.

    Attributes:
        path: the run folder.
        dataset: the name of the dataset trained on (:data:`numnet.data.catalogue.DATASETS`).
        model_class, model_config: the model's class name and ``get_config()``.
        optimizer, optimizer_config: the optimizer's name and ``get_config()``.
        settings: the training settings (``epochs``, ``batch_size``, ``seed``, ...).
        results: what training achieved (``epochs``, ``train_accuracy``, ``test_accuracy``, ``seconds``, ...).
        command: the command line that made the run, if any.
        data_dir: where the dataset files were looked for, if given.
        resumed_from: the checkpoint the run continued, if any.
        model_description: the model's repr, e.g. ``MLP(784-256-10, 203,530 parameters)``.
        status: ``"complete"``, or ``"interrupted"`` for a folder holding a checkpoint to resume.
        numnet_version: the version that wrote the run.
        files: the names of the run files present (of :data:`RUN_FILES`).
        history: the training history (``history.json``), if present.
    """

    path: Path
    dataset: str
    model_class: str
    model_config: dict[str, Any] = field(default_factory=dict)
    optimizer: str = ""
    optimizer_config: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict)
    command: str | None = None
    data_dir: str | None = None
    resumed_from: str | None = None
    model_description: str = ""
    status: str = COMPLETE
    numnet_version: str = __version__
    files: tuple[str, ...] = ()
    history: History | None = None

    @property
    def model_path(self) -> Path:
        return self.path / MODEL_FILE

    @property
    def validation_label(self) -> str:
        """What the validation curves measure: ``"validation"`` (a held-out split) or ``"test"`` (the test set)."""
        return "test" if self.settings.get("validate_on") == "test" else "validation"

    @property
    def title(self) -> str:
        """A figure title naming the dataset, the model and the optimizer."""
        lr = self.optimizer_config.get("lr")
        optimizer = f"{self.optimizer} lr {lr:g}" if isinstance(lr, (int, float)) else self.optimizer
        batch = self.settings.get("batch_size", 0)
        batching = ", full batch" if batch is None else f", batch {batch}" if batch else ""
        return f"{self.dataset} · {self.model_description or self.model_class} · {optimizer}{batching}"

    def load_model(self) -> Model:
        """The run's trained model (``model.npz``)."""
        return io.load(self.model_path)

    def to_dict(self) -> dict[str, Any]:
        """The content of ``run.json``: the record fields, the settings (flat), ``resumed_from``, ``results``."""
        record = {key: getattr(self, key) for key in _RECORD_KEYS}
        return {**record, **self.settings, "resumed_from": self.resumed_from, "results": self.results}

    @classmethod
    def from_dict(
        cls, record: dict[str, Any], path: Path, files: tuple[str, ...] = (), history: History | None = None
    ) -> Run:
        """The run described by ``record`` (a ``run.json``'s content) in the folder ``path``.

        Raises:
            ValueError: ``record`` lacks ``dataset`` or ``model_class``, or a value has the wrong type.
        """
        if not isinstance(record, dict):
            raise ValueError(f"a run record must be a JSON object, got {type(record).__name__}")
        for key in ("dataset", "model_class"):
            if not isinstance(record.get(key), str):
                raise ValueError(f"a run record must name its {key} (a string), got {record.get(key)!r}")
        for key in ("model_config", "optimizer_config", "results"):
            if not isinstance(record.get(key, {}), dict):
                raise ValueError(f"a run record's {key} must be a JSON object, got {record[key]!r}")
        fields = {key: record[key] for key in _RECORD_KEYS if key in record}
        others = (*_RECORD_KEYS, "resumed_from", "results")
        settings = {key: value for key, value in record.items() if key not in others}
        return cls(
            path=Path(path),
            **fields,
            settings=settings,
            results=dict(record.get("results", {})),
            resumed_from=record.get("resumed_from"),
            files=tuple(files),
            history=history,
        )


def new_run_dir(dataset: str, model: str, root: str | os.PathLike[str] = RUNS_ROOT) -> Path:
    """Create and return a new folder ``root/<time>-<dataset>-<model>`` (``-2``, ``-3``, ... when taken)."""
    base = Path(root) / f"{time.strftime('%Y%m%d-%H%M%S')}-{dataset}-{model.lower()}"
    base.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", *(f"-{n}" for n in range(2, 1000))):
        path = base.with_name(base.name + suffix)
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path
    raise OSError(f"cannot create a new run folder: {base}-2 ... {base}-999 all exist")


# ------------------------------------------------------------------ checking


def folder_state(path: str | os.PathLike[str]) -> str:
    """What is at ``path``: ``"absent"``, ``"file"``, ``"empty"`` (a folder), ``"run"`` (a completed run),
    ``"interrupted"`` (a run to resume: a checkpoint, with or without its run.json) or ``"other"`` (other files)."""
    path = Path(path)
    if not path.exists():
        return "absent"
    if not path.is_dir():
        return "file"
    names = {entry.name for entry in path.iterdir()}
    if not names:
        return "empty"
    if CHECKPOINT_FILE in names and names <= {CHECKPOINT_FILE, RUN_FILE}:
        return "interrupted"
    if RUN_FILE in names or MODEL_FILE in names:
        return "run"
    return "other"


def model_file_bytes(model: Model) -> int:
    """About the size of ``model``'s file: its arrays, plus 64 KiB for the description and the archive."""
    return sum(array.nbytes for array in model.named_arrays().values()) + 2**16


def required_bytes(model: Model) -> int:
    """The free space a run of ``model`` needs: its model file, as much again for a checkpoint, and 1 MiB more."""
    return 2 * model_file_bytes(model) + _SMALL_FILES_BYTES


def check_run_dir(
    path: str | os.PathLike[str],
    *,
    replace: bool = False,
    required: int = 0,
    resuming: str | os.PathLike[str] | None = None,
) -> None:
    """Check, before training, that a run can be written to the folder ``path``; change nothing.

    (Except for what a killed write left beside ``path``: see :func:`recover_run_dir`.)

    Args:
        path: the run folder (it may not exist yet).
        replace: a completed or interrupted run there may be replaced.
        required: the free space needed, in bytes (see :func:`required_bytes`).
        resuming: the checkpoint the run resumes from: an interrupted run in
            ``path`` holding it is the run being continued, not one to replace.

    Raises:
        RunFolderError: ``path`` is a file or a folder of other files, holds a
            run that may not be replaced, cannot be written, or its disk has
            less than ``required`` bytes free.
    """
    path = Path(path)
    recover_run_dir(path)
    state = folder_state(path)
    if state == "file":
        raise RunFolderError(f"{path} is a file, not a folder", "file")
    if state == "other":
        raise RunFolderError(f"{path} holds other files than a run's; a run folder must be new or empty", "not_a_run")
    continuing = resuming is not None and Path(resuming).resolve().parent == path.resolve()
    if state == "run" and not replace:
        raise RunFolderError(f"{path} already holds a run", "holds_run")
    if state == "interrupted" and not (replace or continuing):
        raise RunFolderError(f"{path} holds an interrupted run ({CHECKPOINT_FILE})", "interrupted")
    existing = path
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise RunFolderError(f"cannot create {path}: {existing} is a file", "file")
    try:  # a real write, not os.access: it also finds read-only file systems, and root's limits
        os.rmdir(tempfile.mkdtemp(prefix=".numnet-probe-", dir=existing))
    except OSError as error:
        raise RunFolderError(f"cannot write to {existing}: {error.strerror or error}", "unwritable") from None
    free = shutil.disk_usage(existing).free
    if free < required:
        raise RunFolderError(
            f"{existing} has {_size(free)} free, and the run needs {_size(required)} (the model file and "
            "room for a checkpoint)",
            "no_space",
        )


def _size(n: int) -> str:
    """E.g. ``"1.6 MB"``."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


# ------------------------------------------------------------------ writing


def recover_run_dir(run_dir: str | os.PathLike[str]) -> None:
    """Put right what a killed write of the run folder ``run_dir`` left beside it (its writer no longer runs).

    A previous run moved aside (between the two renames that replace a run
    folder) is renamed back when ``run_dir`` is missing; the other leftovers,
    half-written new folders included, are removed. Never raises.
    """
    run_dir = Path(run_dir)
    prefix = f".{run_dir.name}."
    for path in stale_temporaries(run_dir.parent):
        if not path.name.startswith(prefix) or not path.is_dir():
            continue
        with contextlib.suppress(OSError):
            if path.name.endswith(ASIDE_SUFFIX) and not run_dir.exists():
                os.rename(path, run_dir)
            else:
                shutil.rmtree(path)


@contextlib.contextmanager
def _whole_folder(run_dir: Path, replace: bool) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``run_dir``; when the block succeeds it becomes ``run_dir``.

    An existing folder at ``run_dir`` (empty, or holding a run when
    ``replace``) is moved aside, the new one renamed into place, and the old
    one removed. On any error (KeyboardInterrupt included) the temporary
    folder is removed and ``run_dir`` is left as it was.
    """
    recover_run_dir(run_dir)
    state = folder_state(run_dir)
    if state == "file" or state == "other" or (state in ("run", "interrupted") and not replace):
        check_run_dir(run_dir, replace=replace)  # raises the error that says why
    run_dir.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_path(run_dir)
    temporary.mkdir()
    try:
        yield temporary
        if run_dir.exists():
            old = temporary_path(run_dir, ASIDE_SUFFIX)
            os.rename(run_dir, old)  # a kill before the next rename leaves the run here: recover_run_dir
            try:
                os.rename(temporary, run_dir)
            except BaseException:
                os.rename(old, run_dir)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(temporary, run_dir)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def _run_record(
    run_dir: Path,
    model: Model,
    optimizer: Optimizer,
    history: History,
    dataset: str,
    settings: dict[str, Any],
    results: dict[str, Any],
    command: str | None,
    data_dir: str | os.PathLike[str] | None,
    resumed_from: str | os.PathLike[str] | None,
) -> Run:
    """The :class:`Run` describing a run folder about to be written (status complete)."""
    return Run(
        path=run_dir,
        dataset=dataset,
        model_class=type(model).__name__,
        model_config=model.get_config(),
        optimizer=optimizer.name,
        optimizer_config=optimizer.get_config(),
        settings=dict(settings),
        results=dict(results),
        command=command,
        data_dir=None if data_dir is None else str(data_dir),
        resumed_from=None if resumed_from is None else str(resumed_from),
        model_description=repr(model),
        history=history,
    )


def write_run(
    run_dir: str | os.PathLike[str],
    model: Model,
    history: History,
    *,
    dataset: str,
    optimizer: Optimizer,
    settings: dict[str, Any],
    results: dict[str, Any],
    command: str | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    resumed_from: str | os.PathLike[str] | None = None,
    initial_filters: NDArray | None = None,
    curves: bool = True,
    replace: bool = False,
) -> Run:
    """Write a run folder ``run_dir`` as a whole; return the :class:`Run`.

    Writes the model, the history (JSON and CSV), ``run.json``, the learning
    curves (with ``curves``, when matplotlib is installed: else ``run.files``
    lacks :data:`CURVES_FILE`) and, when given, the initial filters. With
    ``settings["validate_on"] == "test"`` the validation values are named
    ``test_loss``, ``test_acc``, ... in the history files.

    Raises:
        RunFolderError: ``run_dir`` is a file or a folder of other files, or
            holds a run and ``replace`` is false.
        OSError: the folder could not be written; ``run_dir`` is as it was.
    """
    run_dir = Path(run_dir)
    run = _run_record(run_dir, model, optimizer, history, dataset, settings, results, command, data_dir, resumed_from)
    written = [MODEL_FILE, HISTORY_JSON, HISTORY_CSV, RUN_FILE]
    with _whole_folder(run_dir, replace) as folder:
        io.save(model, folder / MODEL_FILE)
        data = _labelled(history.to_dict(), run.validation_label)
        _write_text(folder / HISTORY_JSON, json.dumps(data, indent=1))
        _write_text(folder / HISTORY_CSV, _history_csv(history, run.validation_label))
        _write_text(folder / RUN_FILE, json.dumps(run.to_dict(), indent=1))
        if curves:
            try:  # matplotlib is an optional extra
                figure = plotting.history_figure(
                    history,
                    title=run.title,
                    validation_label=run.validation_label,
                    best_epoch=results.get("best_epoch"),
                    weights_kept=settings.get("early_stopping") is not None,
                )
                plotting.save_figure(figure, folder / CURVES_FILE)
                written.append(CURVES_FILE)
            except ImportError:
                pass
        if initial_filters is not None:
            with atomic_write(folder / INITIAL_FILTERS_FILE) as file:
                np.save(file, initial_filters, allow_pickle=False)
            written.append(INITIAL_FILTERS_FILE)
    run.files = tuple(written)
    return run


def write_interrupted(
    run_dir: str | os.PathLike[str],
    trainer: Trainer,
    *,
    dataset: str,
    settings: dict[str, Any],
    command: str | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    resumed_from: str | os.PathLike[str] | None = None,
    replace: bool = False,
) -> Run:
    """Write the folder of an interrupted run as a whole: ``checkpoint.npz`` and ``run.json`` (status interrupted).

    ``numnet train --resume`` reads the settings back, so the run continues as it began.

    Raises:
        RunFolderError, OSError: as :func:`write_run`.
    """
    run_dir = Path(run_dir)
    history = trainer.history
    run = _run_record(
        run_dir, trainer.model, trainer.optimizer, history, dataset, settings, {"epochs": history.epochs}, command,
        data_dir, resumed_from,
    )  # fmt: skip
    run.status = INTERRUPTED
    with _whole_folder(run_dir, replace) as folder:
        trainer.save_checkpoint(folder / CHECKPOINT_FILE)
        _write_text(folder / RUN_FILE, json.dumps(run.to_dict(), indent=1))
    run.files = (RUN_FILE, CHECKPOINT_FILE)
    return run


def rescue_model(model: Model, name: str = "model") -> Path:
    """Save ``model`` into a new folder of the system's temporary directory, when its run folder could not be
    written; returns the file's path (``<tmp>/numnet-rescued-<time>-<random>/<name>.npz``)."""
    folder = Path(tempfile.mkdtemp(prefix=f"numnet-rescued-{time.strftime('%Y%m%d-%H%M%S')}-"))
    return io.save(model, folder / f"{name}.npz")


def _labelled(data: dict[str, Any], label: str) -> dict[str, Any]:
    """History values with ``val_`` names renamed ``test_`` when the validation set is the test set."""
    if label != "test":
        return data
    return {("test_" + name[4:] if name.startswith("val_") else name): values for name, values in data.items()}


def _history_csv(history: History, label: str = "validation") -> str:
    rows = [_labelled(row, label) for row in history.epoch_rows()]
    table = text_io.StringIO()
    writer = csv.DictWriter(table, fieldnames=list(rows[0]) if rows else ["epoch", "epoch_time"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return table.getvalue()


def _write_text(path: Path, text: str) -> None:
    """Write ``text`` (ending in a newline) to ``path`` atomically."""
    with atomic_write(path, "w", encoding="utf-8") as file:
        file.write(text if text.endswith("\n") else text + "\n")


def _folder(path: str | os.PathLike[str]) -> Path:
    path = Path(path)
    return path if path.is_dir() else path.parent


def read_run(path: str | os.PathLike[str]) -> Run:
    """The run in the folder ``path`` (or the folder of the file ``path``, e.g. its ``model.npz``).

    Raises:
        FileNotFoundError: the folder has no ``run.json``.
        ValueError: ``run.json`` or ``history.json`` is not what a run writes.
    """
    if not Path(path).exists():
        raise FileNotFoundError(f"{path} does not exist: give a run folder (or a file in one)")
    folder = _folder(path)
    record_path = folder / RUN_FILE
    if not record_path.is_file():
        raise FileNotFoundError(f"{folder} is not a run folder: it has no {RUN_FILE}")
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
        run = Run.from_dict(record, folder)
    except ValueError as error:
        raise ValueError(f"{record_path} is not a run record ({error})") from None
    history_path = folder / HISTORY_JSON
    run.history = read_history(history_path) if history_path.is_file() else None
    run.files = tuple(name for name in RUN_FILES if (folder / name).is_file())
    return run


def find_run(path: str | os.PathLike[str]) -> Run | None:
    """The run whose folder holds ``path`` (a model file, say), or None when there is none or it is unreadable."""
    try:
        return read_run(path)
    except (OSError, ValueError):
        return None


def read_history(path: str | os.PathLike[str]) -> History:
    """The training history of the run folder ``path``, or in the ``history.json`` file ``path``.

    Values validated on the test set (``test_loss``, ...) come back under their History names (``val_loss``).

    Raises:
        FileNotFoundError: there is no such file.
        ValueError: the file is not a training history.
    """
    return read_labelled_history(path)[0]


def read_labelled_history(path: str | os.PathLike[str]) -> tuple[History, str]:
    """:func:`read_history` and what its validation values measure: ``"validation"`` or ``"test"``."""
    source = Path(path)
    history_path = source / HISTORY_JSON if source.is_dir() else source
    if not history_path.is_file():
        raise FileNotFoundError(f"no history at {str(history_path)!r}: give a run folder or its {HISTORY_JSON}")
    try:
        data = json.loads(history_path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"expected a JSON object, got {type(data).__name__}")
        label = "test" if any(name.startswith("test_") for name in data) else "validation"
        data = {("val_" + name[5:] if name.startswith("test_") else name): values for name, values in data.items()}
        return History.from_dict(data), label
    except (ValueError, TypeError) as error:
        raise ValueError(f"{history_path} is not a training history ({error})") from None


def read_initial_filters(model_path: str | os.PathLike[str]) -> NDArray | None:
    """The first filters before training saved beside the model file ``model_path``, or None when there are none."""
    path = Path(model_path).with_name(INITIAL_FILTERS_FILE)
    if not path.is_file():
        return None
    try:
        filters = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise ValueError(f"cannot read {path} as a .npy array ({error})") from None
    if not isinstance(filters, np.ndarray):
        filters.close()
        raise ValueError(f"{path} is a .npz archive, not a .npy array")
    if filters.ndim != 4:
        raise ValueError(f"{path} must hold filters (F, C, H, W), got an array of shape {filters.shape}")
    return filters


def dataset_of(model: Model, model_path: str | os.PathLike[str] | None = None) -> str | None:
    """The name of the dataset ``model`` was trained on.

    From its metadata (numnet records it when it trains a model), else from
    the ``run.json`` beside ``model_path`` (models saved before metadata),
    else None.
    """
    name = model.metadata.get("dataset")
    if isinstance(name, str):
        return name
    run = None if model_path is None else find_run(model_path)
    return None if run is None else run.dataset


# ------------------------------------------------------------------ health


def training_warnings(history: History, chance: float | None = None) -> list[str]:
    """What went wrong in a finished run, each as a sentence giving the likely cause; empty when nothing did.

    Args:
        history: the run's history.
        chance: the accuracy of always guessing the most common class (1/K
            for K balanced classes); None skips the accuracy check.

    Two signs of a learning rate that is too large: a training loss that
    ends far above (more than twice) its first epoch's, and an accuracy that
    never rose clearly above chance level (within a tenth of the way from
    chance to perfect) over three epochs or more.
    """
    found = []
    losses = history.values.get("train_loss", [])
    if len(losses) >= 2 and losses[-1] > 2 * losses[0]:
        found.append(
            f"the training loss grew from {losses[0]:.4g} (epoch 1) to {losses[-1]:.4g} (epoch {len(losses)}): "
            "the learning rate is probably too large"
        )
    accuracies = history.values.get("train_acc", [])
    if chance is not None and len(accuracies) >= 3 and max(accuracies) <= chance + 0.1 * (1 - chance):
        found.append(
            f"the training accuracy stayed at chance level ({max(accuracies):.1%} at best; guessing the most "
            f"common class gives {chance:.1%}): the model learned nothing, most likely because the learning rate "
            "is too large (or far too small)"
        )
    return found
