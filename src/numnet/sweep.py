"""Random hyperparameter search, as in "Deep Learning from Scratch" §6.5, on local processes or a Dask cluster.

The textbook's search: each trial draws a learning rate and a weight decay
log-uniformly (10**uniform(-6, -2) and 10**uniform(-8, -4)), trains a
784-100-100-100-100-100-100-10 ReLU network with SGD for 50 epochs on 400
MNIST images and records the accuracy on 100 held-out ones; the trials are
ranked by their final validation accuracy. :class:`SweepSettings` holds all of
that (the defaults are the book's, on the bundled mnist-mini).

::

    settings = SweepSettings(epochs=20)
    data = load_sweep_data(settings)
    with LocalBackend(workers=2) as backend:
        outcome = run_sweep(settings, trials=50, results_path="runs/sweep/sweep.json", backend=backend, data=data)
    print(ranked_table(outcome.results))

Trials run on a backend: :class:`LocalBackend` (worker processes on this
machine, nothing to start) or :class:`DaskBackend` (a running
``dask.distributed`` scheduler, with the ``dask`` extra). Either way:

- every finished trial is written to the results file at once, atomically
  (a temporary file, then a rename), so an interrupted sweep loses only the
  trials that were running; running the sweep again with the same settings
  resumes it without repeating finished trials. Trial i always draws the same
  hyperparameters (its generator is seeded by the sweep's seed and i), so a
  resumed or extended sweep is the one that would have run at once;
- a worker that dies mid-trial (killed, out of memory) loses only that trial,
  which is retried on another worker, up to ``max_attempts`` times.

A trial whose training diverges (the loss becomes NaN) is a result, recorded
as ``"diverged"``; a trial that raises any other error is reported as failed
and not recorded, so that a resumed sweep tries it again.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import math
import multiprocessing
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future
from dataclasses import asdict, dataclass, field, fields
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from numnet._atomic import atomic_write
from numnet._checks import check_positive_int
from numnet.data.batching import train_validation_split
from numnet.data.catalogue import DATASETS, load_dataset
from numnet.models import ACTIVATIONS, MLP
from numnet.optimizers import OPTIMIZERS, get_optimizer
from numnet.training import Trainer, TrainingError

__all__ = [
    "SweepSettings",
    "SweepData",
    "Trial",
    "SweepOutcome",
    "WorkerLost",
    "draw_trials",
    "load_sweep_data",
    "run_trial",
    "run_sweep",
    "read_results",
    "ranked",
    "ranked_table",
    "LocalBackend",
    "LocalWorkers",
    "DaskBackend",
]

#: Marks a results file; ``RESULTS_VERSION`` is its layout.
RESULTS_FORMAT, RESULTS_VERSION = "numnet-sweep", 1


@dataclass(frozen=True)
class SweepSettings:
    """Everything that decides a sweep's trials, except how many there are.

    Attributes:
        dataset: a dataset of :mod:`numnet.data.catalogue` (the bundled mnist-mini by default).
        train_size: the first ``train_size`` training images are used, as in the book (500).
        validation_fraction: the share of them held out (stratified) to measure each trial (0.2).
        hidden: hidden layer widths (six of 100 in the book).
        activation: hidden activation.
        optimizer: a numnet optimizer name (``"sgd"`` in the book).
        epochs, batch_size: training of each trial (50 epochs of batches of 100).
        lr_range, weight_decay_range: the exponents between which log10 of the learning rate and of the
            weight decay are drawn uniformly ((-6, -2) and (-8, -4)).
        seed: seeds the hyperparameters, the validation split, the weights and the shuffling.
    """

    dataset: str = "mnist-mini"
    train_size: int = 500
    validation_fraction: float = 0.2
    hidden: tuple[int, ...] = (100, 100, 100, 100, 100, 100)
    activation: str = "relu"
    optimizer: str = "sgd"
    epochs: int = 50
    batch_size: int = 100
    lr_range: tuple[float, float] = (-6.0, -2.0)
    weight_decay_range: tuple[float, float] = (-8.0, -4.0)
    seed: int = 0

    def __post_init__(self) -> None:
        if self.dataset not in DATASETS:
            raise ValueError(f"dataset must be one of {sorted(DATASETS)}, got {self.dataset!r}")
        for name in ("train_size", "epochs", "batch_size"):
            check_positive_int(name, getattr(self, name))
        if self.train_size < 2:
            raise ValueError(
                f"train_size must be at least 2 (one sample to train on, one to validate), got {self.train_size}"
            )
        if not 0 < self.validation_fraction < 1:
            raise ValueError(f"validation_fraction must be in (0, 1), got {self.validation_fraction!r}")
        object.__setattr__(self, "hidden", tuple(self.hidden))
        for index, width in enumerate(self.hidden):
            check_positive_int(f"hidden[{index}]", width)
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {self.activation!r}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}, got {self.optimizer!r}")
        for name in ("lr_range", "weight_decay_range"):
            low, high = (float(value) for value in getattr(self, name))
            if not (math.isfinite(low) and math.isfinite(high) and low <= high):
                raise ValueError(f"{name} must be two finite exponents low <= high, got {getattr(self, name)!r}")
            object.__setattr__(self, name, (low, high))
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {self.seed!r}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-able values (tuples as lists)."""
        return {key: list(value) if isinstance(value, tuple) else value for key, value in asdict(self).items()}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> SweepSettings:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown sweep settings {unknown}; known: {sorted(known)}")
        arguments: dict[str, Any] = {key: tuple(v) if isinstance(v, list) else v for key, v in values.items()}
        return cls(**arguments)


@dataclass(frozen=True)
class Trial:
    """One point of the search: its number, the hyperparameters drawn for it and the seed of its training."""

    index: int
    lr: float
    weight_decay: float
    seed: int


def draw_trials(settings: SweepSettings, count: int) -> list[Trial]:
    """Trials 0 .. count-1; trial i's draws depend only on the sweep's seed and i."""
    check_positive_int("trials", count)
    trials = []
    for index in range(count):
        rng = np.random.default_rng([settings.seed, index])
        lr = 10 ** rng.uniform(*settings.lr_range)
        weight_decay = 10 ** rng.uniform(*settings.weight_decay_range)
        trials.append(Trial(index, float(lr), float(weight_decay), int(rng.integers(2**31))))
    return trials


@dataclass(frozen=True)
class SweepData:
    """What a sweep trains and validates on: ``x`` (N, D) float32 features, ``t`` class ids (N,)."""

    x_train: NDArray
    t_train: NDArray
    x_val: NDArray
    t_val: NDArray
    n_classes: int


def load_sweep_data(
    settings: SweepSettings, data_dir: str | PathLike | None = None, verbose: bool = False
) -> SweepData:
    """The first ``train_size`` training samples of the dataset, flattened, split into training and validation.

    Raises:
        numnet.data.DatasetError, ImportError: the dataset is missing (and cannot be downloaded) or damaged.
        ValueError: ``train_size`` is larger than the training set.
    """
    dataset = load_dataset(settings.dataset, data_dir, verbose)
    x, t = dataset.x_train, dataset.t_train
    if settings.train_size > len(x):
        raise ValueError(f"train_size={settings.train_size} exceeds the {len(x)} training samples of {dataset.name}")
    x, t = x[: settings.train_size].reshape(settings.train_size, -1), t[: settings.train_size]
    train, validation = train_validation_split(len(x), settings.validation_fraction, seed=settings.seed, labels=t)
    return SweepData(x[train], t[train], x[validation], t[validation], dataset.info.n_classes)


def run_trial(settings: SweepSettings, trial: Trial, data: SweepData) -> dict[str, Any]:
    """Train one trial's network; its record for the results file.

    The record holds the hyperparameters, ``status`` (``"done"`` or
    ``"diverged"``), ``val_acc`` (the final validation accuracy, None when
    diverged), the per-epoch ``train_acc_curve`` and ``val_acc_curve`` and the
    ``seconds`` it took.
    """
    started = time.perf_counter()
    n_classes = int(max(data.t_train.max(), data.t_val.max())) + 1
    model = MLP([data.x_train.shape[1], *settings.hidden, n_classes], activation=settings.activation, seed=trial.seed)
    optimizer = get_optimizer(settings.optimizer, lr=trial.lr, weight_decay=trial.weight_decay)
    trainer = Trainer(model, optimizer, metrics=("accuracy",))
    status = "done"
    try:
        trainer.fit(
            data.x_train,
            data.t_train,
            epochs=settings.epochs,
            batch_size=settings.batch_size,
            validation_data=(data.x_val, data.t_val),
            seed=trial.seed,
            verbose=0,
        )
    except TrainingError:
        status = "diverged"
    history = trainer.history
    val_curve = list(history.values.get("val_acc", []))
    return {
        **asdict(trial),
        "status": status,
        "val_acc": val_curve[-1] if status == "done" else None,
        "train_acc_curve": list(history.values.get("train_acc", [])),
        "val_acc_curve": val_curve,
        "seconds": time.perf_counter() - started,
    }


# ---------------------------------------------------------------- backends


class WorkerLost(RuntimeError):
    """The process running a trial died before the trial finished."""


def _worker_main(connection: Any) -> None:
    """A worker process: run ``(fn, args)`` tasks from ``connection`` and send back ``(ok, value)``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    while True:
        try:
            task = connection.recv()
        except EOFError:
            return
        if task is None:
            return
        fn, args = task
        try:
            reply = (True, fn(*args))
        except Exception as error:
            reply = (False, error)
        try:
            connection.send(reply)
        except Exception as error:  # an unpicklable result or exception
            connection.send((False, RuntimeError(f"the task's result could not be sent back: {error}")))


def _process_context() -> Any:
    """Fork from a clean server process where the platform has one (no threads inherited), else spawn."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


class LocalWorkers(Executor):
    """A pool of worker processes in which a dying worker fails only its own task.

    Each of ``workers`` threads owns one process and feeds it one task at a
    time. When the process dies, the task's future fails with
    :class:`WorkerLost` and the thread starts a fresh process for the next
    task; the other workers go on. (``concurrent.futures.ProcessPoolExecutor``
    instead breaks as a whole, failing every pending task.)
    """

    def __init__(self, workers: int) -> None:
        check_positive_int("workers", workers)
        self._context = _process_context()
        self._tasks: queue.SimpleQueue[tuple[Future, Callable[..., Any], tuple[Any, ...]] | None] = queue.SimpleQueue()
        self._processes: set[Any] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._threads = [threading.Thread(target=self._serve, daemon=True) for _ in range(workers)]
        for thread in self._threads:
            thread.start()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        if kwargs:
            raise TypeError("LocalWorkers.submit takes positional arguments only")
        if self._closed:
            raise RuntimeError("cannot submit to LocalWorkers after shutdown")
        future: Future = Future()
        self._tasks.put((future, fn, args))
        return future

    def _start_process(self) -> tuple[Any, Any]:
        parent_end, child_end = self._context.Pipe()
        process = self._context.Process(target=_worker_main, args=(child_end,), daemon=True)
        process.start()
        child_end.close()
        with self._lock:
            self._processes.add(process)
        return process, parent_end

    def _serve(self) -> None:
        process: Any = None
        connection: Any = None
        while (task := self._tasks.get()) is not None:
            future, fn, args = task
            if not future.set_running_or_notify_cancel():
                continue
            try:
                if process is None:
                    process, connection = self._start_process()
                connection.send((fn, args))
                ok, value = connection.recv()
            except (EOFError, OSError):  # the process died: a broken pipe, or no reply
                process.join(timeout=5)
                future.set_exception(
                    WorkerLost(f"the worker process died (exit code {process.exitcode}) during the task")
                )
                with self._lock:
                    self._processes.discard(process)
                process = connection = None
                continue
            except Exception as error:  # no process could start, or the task does not pickle
                future.set_exception(error)
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)
        if process is not None:
            with contextlib.suppress(OSError):  # the process may be gone already (terminated by shutdown)
                connection.send(None)
            process.join(timeout=5)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop taking tasks; with ``cancel_futures`` cancel the waiting ones; without ``wait`` kill the workers."""
        self._closed = True
        if cancel_futures:
            while True:
                try:
                    task = self._tasks.get_nowait()
                except queue.Empty:
                    break
                if task is not None:
                    task[0].cancel()
        for _ in self._threads:
            self._tasks.put(None)
        if not wait:
            with self._lock:
                for process in self._processes:
                    process.terminate()
        for thread in self._threads:
            thread.join()


class LocalBackend:
    """Trials in :class:`LocalWorkers` processes on this machine (the default: nothing to start)."""

    lost: tuple[type[BaseException], ...] = (WorkerLost,)

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._executor = LocalWorkers(workers)
        self.description = f"{workers} local worker process{'es' if workers != 1 else ''}"

    def share(self, data: Any) -> Any:
        return data

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        return self._executor.submit(fn, *args)

    def close(self, interrupted: bool = False) -> None:
        self._executor.shutdown(wait=not interrupted, cancel_futures=True)

    def __enter__(self) -> LocalBackend:
        return self

    def __exit__(self, kind: Any, error: Any, traceback: Any) -> None:
        self.close(interrupted=error is not None)


class DaskBackend:
    """Trials on a running Dask cluster (``dask-scheduler`` / ``dask-worker``, or a ``LocalCluster``'s address).

    The data is scattered to the workers once. When a worker dies mid-trial,
    Dask runs the trial again on another worker; a trial that kills several
    workers ends with Dask's ``KilledWorker``, which the sweep counts as a
    lost attempt. Needs ``pip install 'numnet[dask]'``.
    """

    def __init__(self, address: str, timeout: float = 10.0) -> None:
        try:
            from distributed import Client  # noqa: PLC0415 - optional extra
            from distributed.scheduler import KilledWorker  # noqa: PLC0415
        except ImportError:
            raise ImportError("running a sweep on Dask needs dask.distributed: pip install 'numnet[dask]'") from None
        try:
            self.client = Client(address, timeout=timeout)
        except OSError as error:
            raise ConnectionError(f"could not reach the Dask scheduler at {address!r}: {error}") from None
        self.lost = (KilledWorker,)
        self._executor = self.client.get_executor(pure=False)
        workers = len(self.client.scheduler_info().get("workers", {}))
        self.description = f"the Dask cluster at {address} ({workers} worker{'s' if workers != 1 else ''})"

    def share(self, data: Any) -> Any:
        return self.client.scatter(data, broadcast=True)

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        return self._executor.submit(fn, *args)

    def close(self, interrupted: bool = False) -> None:
        self._executor.shutdown(wait=not interrupted)
        self.client.close()

    def __enter__(self) -> DaskBackend:
        return self

    def __exit__(self, kind: Any, error: Any, traceback: Any) -> None:
        self.close(interrupted=error is not None)


# ---------------------------------------------------------------- the sweep


@dataclass
class SweepOutcome:
    """What :func:`run_sweep` did.

    Attributes:
        results: every finished trial's record (from the results file too), by trial index.
        resumed: how many of them an earlier run had finished.
        failed: trial index -> why, for trials that did not finish (retried by the next run).
    """

    results: dict[int, dict[str, Any]]
    resumed: int = 0
    failed: dict[int, str] = field(default_factory=dict)


def read_results(path: str | PathLike) -> tuple[SweepSettings, dict[int, dict[str, Any]]]:
    """The settings and the finished trials of a results file written by :func:`run_sweep`.

    Raises:
        ValueError: the file is not a numnet sweep results file (or is damaged).
    """
    path = Path(path)
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
        if content.get("format") != RESULTS_FORMAT or content.get("version") != RESULTS_VERSION:
            raise ValueError(f"format {content.get('format')!r} version {content.get('version')!r}")
        settings = SweepSettings.from_dict(content["settings"])
        results = {int(record["index"]): record for record in content["trials"]}
    except (
        OSError,
        UnicodeDecodeError,
        json.JSONDecodeError,
        AttributeError,
        KeyError,
        TypeError,
        ValueError,
    ) as error:
        raise ValueError(f"{str(path)!r} is not a readable numnet sweep results file: {error}") from None
    return settings, results


def _write_results(path: Path, settings: SweepSettings, results: dict[int, dict[str, Any]]) -> None:
    content = {
        "format": RESULTS_FORMAT,
        "version": RESULTS_VERSION,
        "settings": settings.to_dict(),
        "trials": [results[index] for index in sorted(results)],
    }
    with atomic_write(path, "w", encoding="utf-8") as file:
        json.dump(content, file, indent=1)
        file.write("\n")


def run_sweep(
    settings: SweepSettings,
    trials: int,
    results_path: str | PathLike,
    backend: LocalBackend | DaskBackend,
    data: SweepData,
    *,
    max_attempts: int = 3,
    on_result: Callable[[dict[str, Any], int, int], None] | None = None,
    trial_fn: Callable[[SweepSettings, Trial, Any], dict[str, Any]] = run_trial,
) -> SweepOutcome:
    """Run trials 0 .. trials-1 that the results file does not hold yet, writing each result as it comes.

    Args:
        settings: the search; a results file written with other settings is refused.
        trials: how many trials the sweep has (a resumed sweep may ask for more).
        results_path: the JSON results file, created (with its folder) or resumed.
        backend: where trials run (:class:`LocalBackend` or :class:`DaskBackend`).
        data: from :func:`load_sweep_data`.
        max_attempts: tries per trial when workers die under it.
        on_result: called with ``(record, finished, total)`` after each finished trial.
        trial_fn: what runs a trial (``run_trial``); it must be importable by the workers.

    Raises:
        ValueError: the results file is damaged or was written with other settings.
        KeyboardInterrupt: Ctrl-C; the finished trials are saved, and the same call resumes.
    """
    check_positive_int("max_attempts", max_attempts)
    path = Path(results_path)
    results: dict[int, dict[str, Any]] = {}
    if path.exists():
        saved_settings, results = read_results(path)
        if saved_settings != settings:
            differences = {
                key: (value, settings.to_dict()[key])
                for key, value in saved_settings.to_dict().items()
                if settings.to_dict()[key] != value
            }
            raise ValueError(
                f"{str(path)!r} holds a sweep with other settings (saved, asked): {differences}; "
                "resume it with the same settings or choose another results file"
            )
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_results(path, settings, results)
    outcome = SweepOutcome(results, resumed=len(results))
    pending = [trial for trial in draw_trials(settings, trials) if trial.index not in results]
    if not pending:
        return outcome
    shared = backend.share(data)
    attempts = dict.fromkeys((trial.index for trial in pending), 0)
    running: dict[Future, Trial] = {}

    def submit(trial: Trial) -> None:
        attempts[trial.index] += 1
        running[backend.submit(trial_fn, settings, trial, shared)] = trial

    for trial in pending:
        submit(trial)
    total = len(results) + len(pending)
    while running:
        done, _ = concurrent.futures.wait(running, return_when=FIRST_COMPLETED)
        for future in done:
            trial = running.pop(future)
            try:
                record = future.result()
            except backend.lost as error:
                if attempts[trial.index] < max_attempts:
                    submit(trial)
                else:
                    outcome.failed[trial.index] = f"lost {attempts[trial.index]} times: {error}"
                continue
            except Exception as error:
                outcome.failed[trial.index] = f"{type(error).__name__}: {error}"
                continue
            record["attempts"] = attempts[trial.index]
            results[trial.index] = record
            _write_results(path, settings, results)
            if on_result is not None:
                on_result(record, len(results), total)
    return outcome


def ranked(results: dict[int, dict[str, Any]] | Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records best first: by final validation accuracy, diverged trials last, ties by trial index."""
    records = list(results.values()) if isinstance(results, dict) else list(results)
    return sorted(records, key=lambda r: (r["val_acc"] is None, -(r["val_acc"] or 0.0), r["index"]))


def ranked_table(results: dict[int, dict[str, Any]] | Sequence[dict[str, Any]], top: int | None = None) -> str:
    """The trials best first, as a text table: rank, validation and training accuracy, lr, weight decay."""
    rows = ranked(results)[:top]
    lines = [f"{'rank':>4}  {'trial':>5}  {'val acc':>7}  {'train acc':>9}  {'lr':>9}  {'weight decay':>12}  status"]
    for rank, record in enumerate(rows, start=1):
        val = "-" if record["val_acc"] is None else f"{record['val_acc']:.4f}"
        train = f"{record['train_acc_curve'][-1]:.4f}" if record["train_acc_curve"] else "-"
        lines.append(
            f"{rank:>4}  {record['index']:>5}  {val:>7}  {train:>9}  {record['lr']:>9.2e}  "
            f"{record['weight_decay']:>12.2e}  {record['status']}"
        )
    return "\n".join(lines)
