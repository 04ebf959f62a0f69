"""Run folders: what a training run leaves behind, written and read back.

A run folder (``runs/<time>-<dataset>-<model>/`` by default) holds

* ``model.npz`` — the trained model (:func:`numnet.io.save`);
* ``history.json`` — :meth:`numnet.training.History.to_dict`, and
  ``history.csv`` — one row per epoch;
* ``run.json`` — the settings and results (:class:`Run`);
* ``learning_curves.png`` — when matplotlib is installed;
* ``initial_filters.npy`` — a convolutional model's first filters before training;
* ``checkpoint.npz`` — after an interrupted run, to resume from.

Every file is written atomically (a temporary file beside it, then a rename),
so an interrupted write never leaves a damaged file.
"""

from __future__ import annotations

import csv
import io as text_io
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from numnet import __version__, io, plotting
from numnet._atomic import atomic_write
from numnet.models import Model
from numnet.optimizers import Optimizer
from numnet.training import History

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
    "Run",
    "new_run_dir",
    "write_run",
    "read_run",
    "find_run",
    "read_history",
    "read_initial_filters",
    "dataset_of",
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
)


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
    numnet_version: str = __version__
    files: tuple[str, ...] = ()
    history: History | None = None

    @property
    def model_path(self) -> Path:
        return self.path / MODEL_FILE

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
) -> Run:
    """Write a run's files into the existing folder ``run_dir``; return the :class:`Run`.

    Writes the model, the history (JSON and CSV), ``run.json``, the learning
    curves (with ``curves``, when matplotlib is installed: else ``run.files``
    lacks :data:`CURVES_FILE`) and, when given, the initial filters.
    """
    run_dir = Path(run_dir)
    run = Run(
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
        history=history,
    )
    io.save(model, run_dir / MODEL_FILE)
    _write_text(run_dir / HISTORY_JSON, json.dumps(history.to_dict(), indent=1))
    _write_text(run_dir / HISTORY_CSV, _history_csv(history))
    _write_text(run_dir / RUN_FILE, json.dumps(run.to_dict(), indent=1))
    written = [MODEL_FILE, HISTORY_JSON, HISTORY_CSV, RUN_FILE]
    if curves:
        try:  # matplotlib is an optional extra
            plotting.save_figure(plotting.history_figure(history), run_dir / CURVES_FILE)
            written.append(CURVES_FILE)
        except ImportError:
            pass
    if initial_filters is not None:
        with atomic_write(run_dir / INITIAL_FILTERS_FILE) as file:
            np.save(file, initial_filters, allow_pickle=False)
        written.append(INITIAL_FILTERS_FILE)
    run.files = tuple(written)
    return run


def _history_csv(history: History) -> str:
    rows = history.epoch_rows()
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

    Raises:
        FileNotFoundError: there is no such file.
        ValueError: the file is not a training history.
    """
    source = Path(path)
    history_path = source / HISTORY_JSON if source.is_dir() else source
    if not history_path.is_file():
        raise FileNotFoundError(f"no history at {str(history_path)!r}: give a run folder or its {HISTORY_JSON}")
    try:
        data = json.loads(history_path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"expected a JSON object, got {type(data).__name__}")
        return History.from_dict(data)
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
