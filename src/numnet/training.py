"""The training loop: Trainer, History and callbacks.

``Trainer(model, optimizer).fit(x, t, ...)`` runs mini-batch gradient descent:
for each batch, forward (the loss), backward (the gradients), and an in-place
optimizer update. After each epoch it records the epoch's mean training loss
and accuracy (averaged over its mini-batches, as they were seen during the
epoch), the validation loss and accuracy when ``validation_data`` is given,
and calls the callbacks, which may stop training early.

Training is exactly reproducible: a ``seed`` fixes the shuffling, and a run
resumed from a checkpoint (:func:`numnet.io.save_checkpoint`, written at any
iteration boundary) continues to the very same result as an uninterrupted one.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from os import PathLike
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from numnet._checks import check_positive_int
from numnet.data.batching import batches
from numnet.models import Sequential
from numnet.optimizers import Optimizer

__all__ = [
    "Trainer",
    "History",
    "Callback",
    "EarlyStopping",
    "TrainingError",
    "TrainingInterrupted",
]

EPOCH_METRICS = ("train_loss", "train_acc", "val_loss", "val_acc")


class TrainingError(RuntimeError):
    """Training cannot go on (for example the loss became NaN or infinite)."""


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped training at an iteration boundary; the trainer's state is consistent.

    ``trainer.save_checkpoint(path)`` then saves a checkpoint from which
    ``fit(..., resume_from=path)`` continues exactly.
    """


@dataclass
class History:
    """What training recorded.

    Attributes:
        loss: the mini-batch loss of every iteration.
        train_loss, train_acc: per epoch, the mean over that epoch's mini-batches.
        val_loss, val_acc: per epoch, on ``validation_data`` (empty without it).
        epoch_time: per epoch, seconds spent (training and validation).
    """

    loss: list[float] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    epoch_time: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        """Number of completed epochs."""
        return len(self.train_loss)

    def to_dict(self) -> dict[str, list[float]]:
        """Plain lists by name, ready for JSON."""
        return {name: list(values) for name, values in vars(self).items()}

    @classmethod
    def from_dict(cls, data: dict[str, Sequence[float]]) -> History:
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown history entries {sorted(unknown)}")
        return cls(**{name: [float(v) for v in values] for name, values in data.items()})

    def epoch_rows(self) -> list[dict[str, float]]:
        """One dict per epoch (``epoch`` from 1, then the recorded metrics), e.g. for a CSV file."""
        columns = [name for name in (*EPOCH_METRICS, "epoch_time") if getattr(self, name)]
        return [
            {"epoch": epoch + 1, **{name: getattr(self, name)[epoch] for name in columns}}
            for epoch in range(self.epochs)
        ]


class Callback:
    """Hooks called by :meth:`Trainer.fit`; override the ones you need."""

    def on_train_begin(self, trainer: Trainer) -> None:
        """Before the first epoch (also when resuming)."""

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        """After each epoch; ``epoch`` counts from 0; set ``trainer.stop_training`` to stop."""

    def on_train_end(self, trainer: Trainer) -> None:
        """After the last epoch, or after a callback stopped training."""


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved for ``patience`` epochs.

    Args:
        monitor: ``"val_loss"``, ``"val_acc"``, ``"train_loss"`` or ``"train_acc"``;
            losses must decrease, accuracies increase.
        patience: epochs without improvement to accept before stopping.
        restore_best: at the end, put back the weights of the best epoch.
        min_delta: the smallest change that counts as an improvement.

    Attributes:
        best, best_epoch: the best value seen and its epoch (from 0).
        stopped_epoch: the epoch after which training stopped, or None.
    """

    def __init__(
        self, monitor: str = "val_loss", patience: int = 5, restore_best: bool = True, min_delta: float = 0.0
    ) -> None:
        if monitor not in EPOCH_METRICS:
            raise ValueError(f"monitor must be one of {list(EPOCH_METRICS)}, got {monitor!r}")
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            raise ValueError(f"patience must be a non-negative integer, got {patience!r}")
        if min_delta < 0:
            raise ValueError(f"min_delta must be >= 0, got {min_delta}")
        self.monitor, self.patience, self.restore_best, self.min_delta = monitor, patience, restore_best, min_delta
        self._sign = 1.0 if monitor.endswith("loss") else -1.0  # compare as "smaller is better"

    def on_train_begin(self, trainer: Trainer) -> None:
        if self.monitor.startswith("val") and not trainer.has_validation:
            raise ValueError(f"EarlyStopping(monitor={self.monitor!r}) needs validation_data in fit()")
        self.best, self.best_epoch, self.stopped_epoch = math.inf * self._sign, -1, None
        self._wait, self._best_arrays = 0, None

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        value = logs[self.monitor]
        if self._sign * (self.best - value) > self.min_delta:
            self.best, self.best_epoch, self._wait = value, epoch, 0
            if self.restore_best:
                self._best_arrays = {k: v.copy() for k, v in trainer.model.named_arrays().items()}
            return
        self._wait += 1
        if self._wait > self.patience:
            self.stopped_epoch = epoch
            trainer.stop_training = True

    def on_train_end(self, trainer: Trainer) -> None:
        if self.restore_best and self._best_arrays is not None:
            trainer.model.load_named_arrays(self._best_arrays)


@dataclass
class _Progress:
    """Where training stands: enough to checkpoint at any iteration boundary."""

    epoch: int = 0
    iteration: int = 0  # iterations done within ``epoch``
    epoch_rng_state: dict[str, Any] | None = None  # shuffling generator at the start of ``epoch``
    loss_sum: float = 0.0  # over the samples of ``epoch`` seen so far
    correct: int = 0
    seen: int = 0
    seconds: float = 0.0


class Trainer:
    """Trains a model with an optimizer on in-memory arrays.

    Args:
        model: a :class:`numnet.models.Sequential` (or any of its subclasses).
        optimizer: a :class:`numnet.optimizers.Optimizer`.

    Attributes:
        history: the :class:`History` of the last (or current) ``fit``.
        stop_training: set by a callback to stop after the current epoch.
    """

    def __init__(self, model: Sequential, optimizer: Optimizer) -> None:
        if not isinstance(model, Sequential):
            raise TypeError(f"model must be a numnet model (Sequential or a subclass), got {type(model).__name__}")
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"optimizer must be a numnet optimizer, got {type(optimizer).__name__}")
        self.model, self.optimizer = model, optimizer
        self.history = History()
        self.stop_training = False
        self.has_validation = False
        self._progress = _Progress()
        self._interrupt_requested = False

    def fit(
        self,
        x: ArrayLike,
        t: ArrayLike,
        epochs: int = 10,
        batch_size: int | None = 100,
        shuffle: bool = True,
        validation_data: tuple[ArrayLike, ArrayLike] | None = None,
        seed: int | None = None,
        verbose: int = 1,
        callbacks: Sequence[Callback] = (),
        resume_from: str | PathLike | None = None,
    ) -> History:
        """Train for ``epochs`` epochs and return the :class:`History`.

        Args:
            x: inputs (N, D) or (N, C, H, W); cast once to the model's dtype.
            t: integer labels (N,), one-hot (N, K), or targets for the loss.
            epochs: the total number of epochs (a resumed run counts the ones done).
            batch_size: samples per iteration; ``None`` means full-batch
                gradient descent (one iteration per epoch).
            shuffle: draw a new sample order every epoch.
            validation_data: ``(x_val, t_val)`` evaluated after every epoch.
            seed: seeds the shuffling; the same seed gives the same run.
            verbose: 0 silent, 1 a progress bar per epoch (tqdm, on a terminal)
                and a line per epoch, 2 a line per epoch.
            callbacks: e.g. ``[EarlyStopping(patience=3)]``.
            resume_from: a checkpoint written by :meth:`save_checkpoint`;
                training continues exactly where it stopped.

        Raises:
            TrainingError: the loss became NaN or infinite.
            TrainingInterrupted: Ctrl-C; the state is consistent, so
                :meth:`save_checkpoint` can be called.
        """
        x, t = self.model._as_input(x), np.asarray(t)
        check_positive_int("epochs", epochs)
        if batch_size is not None:
            check_positive_int("batch_size", batch_size)
        self.model.check_data(x, t)
        if validation_data is not None:
            if not (isinstance(validation_data, (tuple, list)) and len(validation_data) == 2):
                raise ValueError("validation_data must be a pair (x_val, t_val)")
            x_val, t_val = (
                self.model._as_input(validation_data[0], "validation_data[0]"),
                np.asarray(validation_data[1]),
            )
            try:
                self.model.check_data(x_val, t_val)
            except ValueError as error:
                raise ValueError(f"validation_data does not fit the model: {error}") from None
        self.has_validation = validation_data is not None
        batch_size = len(x) if batch_size is None else min(batch_size, len(x))

        rng = np.random.default_rng(seed)
        if resume_from is not None:
            self._restore(resume_from, rng)
        else:
            self.history, self._progress = History(), _Progress(epoch_rng_state=rng.bit_generator.state)
        self.stop_training = False
        for callback in callbacks:
            callback.on_train_begin(self)

        # Overflow on the way to a NaN loss is reported below as a TrainingError, not as warnings.
        with self._deferred_interrupt(), np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            while self._progress.epoch < epochs and not self.stop_training:
                progress = self._progress
                rng.bit_generator.state = progress.epoch_rng_state
                n_iterations = math.ceil(len(x) / batch_size)
                epoch_batches = itertools.islice(
                    batches(x, t, batch_size, shuffle=shuffle, seed=rng), progress.iteration, None
                )
                bar = _progress_bar(n_iterations, progress, epochs, verbose)
                self._train_epoch(epoch_batches, bar)
                logs = {"train_loss": progress.loss_sum / progress.seen, "train_acc": progress.correct / progress.seen}
                if validation_data is not None:
                    evaluation = self._evaluate(x_val, t_val, batch_size=1000)
                    logs["val_loss"], logs["val_acc"] = evaluation["loss"], evaluation["accuracy"]
                seconds = progress.seconds + (time.perf_counter() - self._epoch_started)
                self._end_epoch(logs, seconds, next_rng_state=rng.bit_generator.state)
                if verbose:
                    _print_epoch(progress.epoch + 1, epochs, logs, seconds, bar)
                for callback in callbacks:
                    callback.on_epoch_end(self, progress.epoch, logs)
        for callback in callbacks:
            callback.on_train_end(self)
        return self.history

    def _train_epoch(self, epoch_batches: Iterator[tuple[NDArray, NDArray]], bar: Any) -> None:
        model, optimizer, progress, history = self.model, self.optimizer, self._progress, self.history
        self._epoch_started = time.perf_counter()
        for x_batch, t_batch in epoch_batches:
            loss = model.forward(x_batch, t_batch, train=True)
            if not math.isfinite(loss):
                raise TrainingError(
                    f"training diverged: the loss became {loss} at epoch {progress.epoch + 1}, "
                    f"iteration {progress.iteration + 1}; try a smaller learning rate"
                )
            model.backward()
            optimizer.update(model.params, model.grads)
            n = len(x_batch)
            history.loss.append(loss)
            progress.loss_sum += loss * n
            progress.correct += model.count_correct(model.scores, t_batch)
            progress.seen += n
            progress.iteration += 1
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{loss:.4f}", refresh=False)
            if self._interrupt_requested:
                progress.seconds += time.perf_counter() - self._epoch_started
                raise TrainingInterrupted(
                    f"training interrupted at epoch {progress.epoch + 1}, iteration {progress.iteration}"
                )

    def _end_epoch(self, logs: dict[str, float], seconds: float, next_rng_state: dict[str, Any]) -> None:
        for name, value in logs.items():
            getattr(self.history, name).append(float(value))
        self.history.epoch_time.append(seconds)
        self._progress = _Progress(epoch=self._progress.epoch + 1, epoch_rng_state=next_rng_state)

    def evaluate(self, x: ArrayLike, t: ArrayLike, batch_size: int = 1000) -> dict[str, float]:
        """Loss and accuracy on ``(x, t)`` in inference mode: ``{"loss": ..., "accuracy": ...}``."""
        x, t = self.model._as_input(x), np.asarray(t)
        self.model.check_data(x, t)
        check_positive_int("batch_size", batch_size)
        return self._evaluate(x, t, batch_size)

    def _evaluate(self, x: NDArray, t: NDArray, batch_size: int) -> dict[str, float]:
        """:meth:`evaluate` on data already cast and checked (``fit`` checks its validation data once)."""
        loss_sum, correct = 0.0, 0
        for start in range(0, len(x), batch_size):
            x_batch, t_batch = x[start : start + batch_size], t[start : start + batch_size]
            loss_sum += self.model.forward(x_batch, t_batch, train=False) * len(x_batch)
            correct += self.model.count_correct(self.model.scores, t_batch)
        return {"loss": loss_sum / len(x), "accuracy": correct / len(x)}

    # ------------------------------------------------------------ checkpoints
    def save_checkpoint(self, path: str | PathLike) -> None:
        """Save model, optimizer, progress and history so that ``fit(resume_from=path)`` continues exactly."""
        from numnet.io import save_checkpoint  # noqa: PLC0415 - io sits above training

        progress = self._progress
        save_checkpoint(
            path,
            self.model,
            self.optimizer,
            epoch=progress.epoch,
            rng_state=progress.epoch_rng_state,
            history=self.history.to_dict(),
            extra={
                "iteration": progress.iteration,
                "loss_sum": progress.loss_sum,
                "correct": progress.correct,
                "seen": progress.seen,
                "seconds": progress.seconds,
                "model_rng_state": self.model.rng.bit_generator.state,
            },
        )

    def _restore(self, path: str | PathLike, rng: np.random.Generator) -> None:
        from numnet.io import load_checkpoint  # noqa: PLC0415 - io sits above training

        checkpoint = load_checkpoint(path)
        if checkpoint.model.get_config() != self.model.get_config() or type(checkpoint.model) is not type(self.model):
            raise ValueError(f"the checkpoint {str(path)!r} holds a different model architecture than this trainer's")
        self.model.load_named_arrays(checkpoint.model.named_arrays())
        self.optimizer.load_state_dict(checkpoint.optimizer.state_dict())
        extra = checkpoint.extra
        missing = {"iteration", "loss_sum", "correct", "seen", "seconds", "model_rng_state"} - extra.keys()
        if missing:
            raise ValueError(
                f"the checkpoint {str(path)!r} was not written by Trainer.save_checkpoint: it lacks {sorted(missing)}"
            )
        self.model.rng.bit_generator.state = extra["model_rng_state"]
        self.history = History.from_dict(checkpoint.history)
        self._progress = _Progress(
            epoch=checkpoint.epoch,
            iteration=extra["iteration"],
            # a checkpoint written without a generator state starts shuffling from ``seed``
            epoch_rng_state=checkpoint.rng_state or rng.bit_generator.state,
            loss_sum=extra["loss_sum"],
            correct=extra["correct"],
            seen=extra["seen"],
            seconds=extra["seconds"],
        )

    @contextlib.contextmanager
    def _deferred_interrupt(self) -> Iterator[None]:
        """Turn Ctrl-C into a request honoured at the next iteration boundary (main thread only)."""
        self._interrupt_requested = False
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def request_stop(signum: int, frame: Any) -> None:
            self._interrupt_requested = True

        previous = signal.signal(signal.SIGINT, request_stop)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)


def _progress_bar(total: int, progress: _Progress, epochs: int, verbose: int) -> Any:
    """A tqdm bar over the epoch's iterations, or None when quiet, not on a terminal, or without tqdm."""
    if verbose != 1 or not sys.stderr.isatty():
        return None
    try:
        from tqdm.auto import tqdm  # noqa: PLC0415 - optional extra
    except ImportError:
        return None
    return tqdm(total=total, initial=progress.iteration, desc=f"epoch {progress.epoch + 1}/{epochs}", leave=False)


def _print_epoch(epoch: int, epochs: int, logs: dict[str, float], seconds: float, bar: Any) -> None:
    if bar is not None:
        bar.close()
    metrics = "  ".join(f"{name} {value:.4f}" for name, value in logs.items())
    print(f"epoch {epoch}/{epochs}  {metrics}  ({seconds:.1f}s)", flush=True)
