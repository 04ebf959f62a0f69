"""The training loop: Trainer and History.

``Trainer(model, optimizer).fit(x, t, ...)`` runs mini-batch gradient descent:
for each batch, :meth:`Trainer.train_step` — forward (the loss), backward (the
gradients) and an in-place optimizer update. After each epoch it records the
epoch's mean training loss and metrics (over all the positions of its
mini-batches, as they were seen during the epoch), the validation loss and metrics when there
is validation data, and calls the callbacks (:mod:`numnet.callbacks`,
:mod:`numnet.schedules`), which may stop training early.

The metrics follow the model's loss unless asked for: accuracy for
classifiers, MAE for regression (:attr:`numnet.models.Model.default_metrics`).
Logged names are ``train_loss``, ``val_loss`` and ``train_<metric>``,
``val_<metric>``, where accuracy is shortened to ``acc`` (``val_acc``).

A stateful model (recurrent layers that carry their state from one batch
to the next, :attr:`numnet.models.Sequential.stateful`) trains by truncated
backpropagation through time on batches in order (from
:func:`numnet.data.bptt_batches`, with ``shuffle=False``): its state is
reset at the start of every epoch, and evaluation reads the validation data
the same way, in batches of the training batch size from a fresh state,
putting the training state back afterwards. A run resumed part way through
an epoch restarts the carried state from zeros.

Training is exactly reproducible: a ``seed`` fixes the validation split and
the shuffling (without one they are drawn from the model's generator, so a
model built with a seed trains the same way every time), and a run resumed
from a checkpoint (:meth:`Trainer.save_checkpoint`, written at any iteration
boundary) continues to the very same result as an uninterrupted one, the
callbacks' state (early stopping's best weights, schedules) included.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import signal
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from numnet import io, metrics
from numnet._checks import check_positive_int
from numnet.callbacks import Callback, EarlyStopping, join_state, split_state
from numnet.data.batching import batch_indices, train_validation_split
from numnet.models import Model
from numnet.optimizers import Optimizer

__all__ = [
    "Trainer",
    "History",
    "Callback",
    "EarlyStopping",
    "TrainingError",
    "TrainingInterrupted",
    "log_name",
]

#: Extra checkpoint entries a Trainer writes (beyond model, optimizer, epoch, history).
_PROGRESS_KEYS = ("iteration", "loss_sum", "seen", "metric_states", "seconds", "model_rng_state", "data_seed")


class TrainingError(RuntimeError):
    """Training cannot go on (for example the loss became NaN or infinite)."""


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped training at an iteration boundary; the trainer's state is consistent.

    ``trainer.save_checkpoint(path)`` then saves a checkpoint from which
    ``fit(..., resume_from=path)`` continues exactly.
    """


def log_name(metric: str) -> str:
    """The short name a metric is logged under: ``"accuracy"`` -> ``"acc"``, others unchanged."""
    return "acc" if metric == "accuracy" else metric


class History:
    """What training recorded.

    Attributes:
        loss: the mini-batch loss of every iteration.
        epoch_time: per epoch, seconds spent (training and validation).
        values: per-epoch values by logged name (``train_loss``,
            ``train_acc``, ``val_loss``, ``val_mae``, ...), each a list with
            one float per epoch; each name is also an attribute
            (``history.val_acc``).
    """

    def __init__(self, loss: Sequence[float] = (), epoch_time: Sequence[float] = (), **values: Sequence[float]) -> None:
        self.loss: list[float] = [float(v) for v in loss]
        self.epoch_time: list[float] = [float(v) for v in epoch_time]
        for name in values:
            if not name.startswith(("train_", "val_")):
                raise ValueError(f"history values must be named train_<name> or val_<name>, got {name!r}")
        self.values: dict[str, list[float]] = {name: [float(v) for v in vals] for name, vals in values.items()}

    def __getattr__(self, name: str) -> list[float]:
        values = self.__dict__.get("values", {})
        if name in values:
            return values[name]
        raise AttributeError(f"History has no {name!r}; it recorded {sorted(values)}")

    def record(self, logs: dict[str, float], seconds: float) -> None:
        """Append one epoch's logged values and its duration."""
        for name, value in logs.items():
            self.values.setdefault(name, []).append(float(value))
        self.epoch_time.append(float(seconds))

    @property
    def epochs(self) -> int:
        """Number of completed epochs."""
        return len(self.epoch_time)

    def to_dict(self) -> dict[str, list[float]]:
        """Plain lists by name, ready for JSON."""
        return {
            "loss": list(self.loss),
            **{k: list(v) for k, v in self.values.items()},
            "epoch_time": list(self.epoch_time),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Sequence[float]]) -> History:
        """The inverse of :meth:`to_dict` (empty lists, as older files hold for unrecorded values, are dropped)."""
        values = {name: vals for name, vals in data.items() if name not in ("loss", "epoch_time") and len(vals)}
        return cls(loss=data.get("loss", ()), epoch_time=data.get("epoch_time", ()), **values)

    def epoch_rows(self) -> list[dict[str, float]]:
        """One dict per epoch (``epoch`` from 1, then the recorded values), e.g. for a CSV file."""
        return [
            {"epoch": epoch + 1, **{name: vals[epoch] for name, vals in self.values.items()}, "epoch_time": seconds}
            for epoch, seconds in enumerate(self.epoch_time)
        ]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, History):
            return NotImplemented
        return (self.loss, self.epoch_time, self.values) == (other.loss, other.epoch_time, other.values)

    def __repr__(self) -> str:
        last = ", ".join(f"{name}={vals[-1]:.4g}" for name, vals in self.values.items() if vals)
        return f"History({self.epochs} epochs, {len(self.loss)} iterations{', ' + last if last else ''})"


@dataclass
class _Progress:
    """Where training stands: enough to checkpoint at any iteration boundary."""

    epoch: int = 0
    iteration: int = 0  # iterations done within ``epoch``
    epoch_rng_state: dict[str, Any] | None = None  # shuffling generator at the start of ``epoch``
    loss_sum: float = 0.0  # sum of the batch losses of ``epoch`` so far, each times its total_weight
    seen: float = 0.0  # sum of those total weights (counted positions or sample weights)
    metric_states: dict[str, dict[str, float]] = field(default_factory=dict)
    seconds: float = 0.0


class Trainer:
    """Trains a model with an optimizer on in-memory arrays.

    Args:
        model: a :class:`numnet.models.Model` (a Sequential, an RNNLM, a Seq2seq, ...).
        optimizer: a :class:`numnet.optimizers.Optimizer`.
        metrics: names from :mod:`numnet.metrics` to record besides the loss
            (``"accuracy"``, ``"top5_accuracy"``, ``"mae"``, ``"mse"``,
            ``"perplexity"``); by default the model's ``default_metrics``.

    Attributes:
        history: the :class:`History` of the last (or current) ``fit``.
        stop_training: set by a callback to stop after the current epoch.
        has_validation: whether the current ``fit`` has validation data.
    """

    def __init__(self, model: Model, optimizer: Optimizer, metrics: Sequence[str] | None = None) -> None:
        if not isinstance(model, Model):
            raise TypeError(
                f"model must be a numnet model (a subclass of numnet.models.Model), got {type(model).__name__}"
            )
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"optimizer must be a numnet optimizer, got {type(optimizer).__name__}")
        names = tuple(model.default_metrics if metrics is None else metrics)
        self._metrics = {name: _metric(name, model) for name in names}
        self.model, self.optimizer = model, optimizer
        self.history = History()
        self.stop_training = False
        self.has_validation = False
        self._progress = _Progress()
        self._data_seed = 0
        self._interrupt_requested = False
        self._optimizer_checked = False  # the optimizer checked this fit's parameters at its first update

    @property
    def metrics(self) -> tuple[str, ...]:
        """The metric names recorded besides the loss."""
        return tuple(self._metrics)

    @property
    def log_names(self) -> tuple[str, ...]:
        """The names every epoch of the current ``fit`` logs: ``train_loss``, ``train_<metric>``, then ``val_...``."""
        names = ("loss", *(log_name(name) for name in self._metrics))
        prefixes = ("train_", "val_") if self.has_validation else ("train_",)
        return tuple(prefix + name for prefix in prefixes for name in names)

    def __repr__(self) -> str:
        return (
            f"Trainer({type(self.model).__name__}, {self.optimizer!r}, metrics={list(self._metrics)}, "
            f"epochs done={self.history.epochs})"
        )

    # ------------------------------------------------------------ one step
    def train_step(self, x: ArrayLike, t: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
        """One forward, backward and update on the batch ``(x, t)``; returns its loss (before the update).

        The batch is checked first (a wrong shape or label changes nothing).

        Raises:
            TrainingError: the loss is NaN or infinite (the parameters are left unchanged).
        """
        x = self.model.check_data(x, t, sample_weight)
        weights = None if sample_weight is None else np.asarray(sample_weight)
        self._optimizer_checked = False
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return self._step(x, np.asarray(t), weights)

    def _step(self, x: NDArray, t: NDArray, sample_weight: NDArray | None) -> float:
        """:meth:`train_step` on data already checked: the inner loop."""
        model = self.model
        loss = model.forward(x, t, train=True, sample_weight=sample_weight, checked=True)
        if not math.isfinite(loss):
            progress = self._progress
            where = f"epoch {progress.epoch + 1}, iteration {progress.iteration + 1}"
            raise TrainingError(f"training diverged: the loss became {loss} at {where}; try a smaller learning rate")
        model.backward()
        self.optimizer.update(model.params, model.grads, checked=self._optimizer_checked)
        self._optimizer_checked = True
        return loss

    # ------------------------------------------------------------ fitting
    def fit(
        self,
        x: ArrayLike,
        t: ArrayLike,
        epochs: int = 10,
        batch_size: int | None = 100,
        shuffle: bool = True,
        validation_data: tuple[ArrayLike, ArrayLike] | None = None,
        validation_split: float | None = None,
        seed: int | None = None,
        verbose: int = 1,
        callbacks: Sequence[Callback] = (),
        resume_from: str | PathLike | None = None,
        sample_weight: ArrayLike | None = None,
    ) -> History:
        """Train for ``epochs`` epochs and return the :class:`History`.

        Args:
            x: inputs (N, ...) as the model takes them (see its ``input_spec``);
                float features are cast once to the model's dtype.
            t: integer labels (N, ...), one-hot (N, ..., K), or targets for the loss.
            epochs: the total number of epochs (a resumed run counts the ones done).
            batch_size: samples per iteration; ``None`` means full-batch
                gradient descent (one iteration per epoch).
            shuffle: draw a new sample order every epoch.
            validation_data: ``(x_val, t_val)`` evaluated after every epoch.
            validation_split: instead, a fraction in (0, 1) of ``(x, t)`` held
                out for validation: drawn with the seed, stratified by class
                for classifiers (each class keeps its share).
            seed: seeds the split and the shuffling; the same seed gives the
                same run. None draws them from the model's generator.
            verbose: 0 silent, 1 a progress bar per epoch (tqdm, on a terminal)
                and a line per epoch, 2 a line per epoch.
            callbacks: e.g. ``[EarlyStopping(patience=3)]``.
            resume_from: a checkpoint written by :meth:`save_checkpoint`;
                training continues exactly where it stopped, with the same
                data, arguments and callbacks.
            sample_weight: (N,) weights of the training samples, or None.

        A stateful model needs ``shuffle=False``, no ``validation_split``, and
        data (and validation data) whose length is a multiple of
        ``batch_size`` (see the module docstring).

        Raises:
            TypeError, ValueError: the data or an argument does not fit,
                before anything changes.
            TrainingError: the loss became NaN or infinite.
            TrainingInterrupted: Ctrl-C; the state is consistent, so
                :meth:`save_checkpoint` can be called.
        """
        check_positive_int("epochs", epochs)
        if batch_size is not None:
            check_positive_int("batch_size", batch_size)
        if validation_data is not None and validation_split is not None:
            raise ValueError("give validation_data or validation_split, not both")
        checkpoint = io.load_checkpoint(resume_from) if resume_from is not None else None
        x = self.model.check_data(x, t, sample_weight)
        t = np.asarray(t)
        weights = None if sample_weight is None else np.asarray(sample_weight)
        if validation_data is not None:
            x_val, t_val = self._validation_data(validation_data)
        # Everything that may still refuse the call runs before training state changes; a draw from the
        # model's generator (seed=None) is taken back if it does refuse.
        model_rng_state = self.model.rng.bit_generator.state
        self.stop_training = False
        try:
            data_seed = self._data_seed_for(seed, checkpoint)
            if validation_split is not None:
                train_index, val_index = train_validation_split(
                    len(x), validation_split, seed=data_seed, labels=self._stratify_labels(t)
                )
                x_val, t_val = x[val_index], t[val_index]
                x, t = x[train_index], t[train_index]
                weights = None if weights is None else weights[train_index]
            self.has_validation = validation_data is not None or validation_split is not None
            for callback in callbacks:
                callback.on_train_begin(self)
            if checkpoint is not None:
                self._load_callback_states(callbacks, _saved_callback_states(checkpoint), str(resume_from))
        except (TypeError, ValueError):
            self.model.rng.bit_generator.state = model_rng_state
            raise
        batch_size = len(x) if batch_size is None else min(batch_size, len(x))
        stateful = self.model.stateful
        if stateful:
            self._check_stateful_data(shuffle, validation_split, len(x), batch_size)
            if validation_data is not None:
                self._check_stateful_data(False, None, len(x_val), batch_size, "validation_data")

        rng = np.random.default_rng(data_seed)
        if checkpoint is not None:
            self._restore(checkpoint, str(resume_from), rng)
        else:
            self.history, self._progress = History(), _Progress(epoch_rng_state=dict(rng.bit_generator.state))
        self._data_seed = data_seed
        self._callbacks = list(callbacks)
        self._optimizer_checked = False

        assert self._progress.epoch_rng_state is not None
        rng.bit_generator.state = self._progress.epoch_rng_state  # where this epoch's shuffling starts
        # Overflow on the way to a NaN loss is reported below as a TrainingError, not as warnings.
        with self._deferred_interrupt(), np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            while self._progress.epoch < epochs and not self.stop_training:
                progress = self._progress
                if progress.iteration == 0:
                    for callback in callbacks:
                        callback.on_epoch_begin(self, progress.epoch)
                if stateful and progress.iteration == 0:
                    self.model.reset_state()
                n_iterations = math.ceil(len(x) / batch_size)
                epoch_batches: Iterable[tuple[NDArray, NDArray, NDArray | None]]
                if n_iterations == 1 and not shuffle and progress.iteration == 0:  # full batch: the data itself
                    epoch_batches = ((x, t, weights),)
                else:
                    epoch_batches = itertools.islice(
                        self._batches(x, t, weights, batch_size, shuffle, rng), progress.iteration, None
                    )
                bar = _progress_bar(n_iterations, progress, epochs, verbose)
                self._train_epoch(epoch_batches, bar)
                logs = {"train_loss": progress.loss_sum / progress.seen}
                # the metrics hold the whole epoch's state (resumed mid-epoch included)
                logs.update({"train_" + log_name(name): metric.result() for name, metric in self._metrics.items()})
                if self.has_validation:
                    evaluation = self._evaluate(x_val, t_val, batch_size=batch_size if stateful else 1000)
                    logs.update({"val_" + log_name(name): value for name, value in evaluation.items()})
                seconds = progress.seconds + (time.perf_counter() - self._epoch_started)
                self.history.record(logs, seconds)
                # without shuffling the generator is never drawn from: its state stays as it was
                next_state = dict(rng.bit_generator.state) if shuffle else progress.epoch_rng_state
                self._progress = _Progress(epoch=progress.epoch + 1, epoch_rng_state=next_state)
                if verbose:
                    _print_epoch(progress.epoch + 1, epochs, logs, seconds, bar)
                for callback in callbacks:
                    callback.on_epoch_end(self, progress.epoch, logs)
        for callback in callbacks:
            callback.on_train_end(self)
        return self.history

    def _validation_data(self, validation_data: Any) -> tuple[NDArray, NDArray]:
        """``(x_val, t_val)`` checked against the model, x_val prepared."""
        if not (isinstance(validation_data, (tuple, list)) and len(validation_data) == 2):
            raise ValueError("validation_data must be a pair (x_val, t_val)")
        try:
            x_val = self.model.check_data(validation_data[0], validation_data[1], name="x_val")
        except (TypeError, ValueError) as error:
            raise type(error)(f"validation_data does not fit the model: {error}") from None
        return x_val, np.asarray(validation_data[1])

    def _data_seed_for(self, seed: int | None, checkpoint: io.Checkpoint | None) -> int:
        """The seed of the validation split and the shuffling: given, saved in the checkpoint, or drawn."""
        if checkpoint is not None and "data_seed" in checkpoint.extra:
            return int(checkpoint.extra["data_seed"])
        if seed is not None:
            if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
                raise ValueError(f"seed must be a non-negative integer or None, got {seed!r}")
            return int(seed)
        return int(self.model.rng.integers(2**63))

    def _stratify_labels(self, t: NDArray) -> NDArray | None:
        """Class ids (N,) to stratify a split by, for classifiers with one label per sample; None otherwise."""
        if self.model.loss_fn.task == "regression":
            return None
        labels = self.model._target_labels(t)
        return labels if labels.ndim == 1 else None

    @staticmethod
    def _batches(
        x: NDArray, t: NDArray, weights: NDArray | None, batch_size: int, shuffle: bool, rng: np.random.Generator
    ) -> Iterator[tuple[NDArray, NDArray, NDArray | None]]:
        if not shuffle:  # consecutive slices: views, no copies (a full batch is the data itself)
            for start in range(0, len(x), batch_size):
                part = slice(start, start + batch_size)
                yield x[part], t[part], None if weights is None else weights[part]
            return
        for index in batch_indices(len(x), batch_size, shuffle=True, seed=rng):
            yield np.take(x, index, axis=0), np.take(t, index, axis=0), None if weights is None else weights[index]

    def _train_epoch(self, epoch_batches: Iterable[tuple[NDArray, NDArray, NDArray | None]], bar: Any) -> None:
        progress, history, callbacks = self._progress, self.history, self._callbacks
        trackers = self._trackers(progress.metric_states)
        self._epoch_started = time.perf_counter()
        for x_batch, t_batch, w_batch in epoch_batches:
            for callback in callbacks:
                callback.on_batch_begin(self, progress.iteration)
            loss = self._step(x_batch, t_batch, w_batch)
            history.loss.append(loss)
            weight = self.model.loss_fn.total_weight  # the epoch's loss is the mean over all its positions
            progress.loss_sum += loss * weight
            progress.seen += weight
            assert self.model.scores is not None
            for tracker in trackers:
                tracker.update(t_batch, self.model.scores)
            progress.iteration += 1
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{loss:.4f}", refresh=False)
            for callback in callbacks:
                callback.on_batch_end(self, progress.iteration - 1, {"loss": loss})
            if self._interrupt_requested:
                progress.metric_states = {tracker.name: tracker.metric.state_dict() for tracker in trackers}
                progress.seconds += time.perf_counter() - self._epoch_started
                raise TrainingInterrupted(
                    f"training interrupted at epoch {progress.epoch + 1}, iteration {progress.iteration}"
                )

    def _trackers(self, states: dict[str, dict[str, float]]) -> list[_Tracker]:
        trackers = []
        for name, metric in self._metrics.items():
            metric.reset()
            if name in states:
                metric.load_state_dict(states[name])
            trackers.append(_Tracker(name, metric, self.model))
        return trackers

    def evaluate(self, x: ArrayLike, t: ArrayLike, batch_size: int = 1000) -> dict[str, float]:
        """Loss and metrics on ``(x, t)`` in inference mode: ``{"loss": ..., "accuracy": ...}``.

        A stateful model needs the ``batch_size`` its data was arranged for (see the module docstring).
        """
        x = self.model.check_data(x, t)
        check_positive_int("batch_size", batch_size)
        if self.model.stateful:
            self._check_stateful_data(False, None, len(x), batch_size)
        return self._evaluate(x, np.asarray(t), batch_size)

    def _evaluate(self, x: NDArray, t: NDArray, batch_size: int) -> dict[str, float]:
        """:meth:`evaluate` on data already cast and checked (``fit`` checks its validation data once).

        A stateful model reads the batches in order from a fresh state; its
        training state is put back afterwards.
        """
        stateful = self.model.stateful
        if stateful:
            training_state = self.model.get_state()
            self.model.reset_state()
        trackers = self._trackers({})
        loss_sum = total = 0.0
        try:
            for start in range(0, len(x), batch_size):
                x_batch, t_batch = x[start : start + batch_size], t[start : start + batch_size]
                loss_sum += (
                    self.model.forward(x_batch, t_batch, train=False, checked=True) * self.model.loss_fn.total_weight
                )
                total += self.model.loss_fn.total_weight
                assert self.model.scores is not None
                for tracker in trackers:
                    tracker.update(t_batch, self.model.scores)
        finally:
            if stateful:
                self.model.set_state(training_state)
        results = {"loss": loss_sum / total}
        results.update({tracker.name: tracker.metric.result() for tracker in trackers})
        return results

    def _check_stateful_data(
        self, shuffle: bool, validation_split: float | None, n: int, batch_size: int, name: str = "x"
    ) -> None:
        """A stateful model reads batches of one size, in order (see the module docstring)."""
        model = type(self.model).__name__
        if shuffle:
            raise ValueError(
                f"{model} is stateful (its recurrent layers carry their state from batch to batch): "
                "train it on batches in order, with shuffle=False (see numnet.data.bptt_batches)"
            )
        if validation_split is not None:
            raise ValueError(
                f"{model} is stateful: a random validation_split would break its sequences; give validation_data"
            )
        if n % batch_size:
            raise ValueError(
                f"{model} is stateful and needs batches of one size: {name} holds {n} rows, "
                f"not a multiple of batch_size={batch_size}"
            )

    # ------------------------------------------------------------ checkpoints
    def save_checkpoint(self, path: str | PathLike) -> None:
        """Save model, optimizer, progress, history and callback state for ``fit(resume_from=path)``."""
        progress = self._progress
        states = {
            f"{index}.{type(callback).__name__}": callback.state_dict()
            for index, callback in enumerate(getattr(self, "_callbacks", ()))
        }
        values, arrays = split_state(states)
        io.save_checkpoint(
            path,
            self.model,
            self.optimizer,
            epoch=progress.epoch,
            rng_state=progress.epoch_rng_state,
            history=self.history.to_dict(),
            extra={
                "iteration": progress.iteration,
                "loss_sum": progress.loss_sum,
                "seen": progress.seen,
                "metric_states": progress.metric_states,
                "seconds": progress.seconds,
                "model_rng_state": self.model.rng.bit_generator.state,
                "data_seed": self._data_seed,
                "callbacks": values,
            },
            arrays=arrays,
        )

    def _restore(self, checkpoint: io.Checkpoint, path: str, rng: np.random.Generator) -> None:
        """Load the checkpoint's weights, optimizer, history and progress."""
        if checkpoint.model.get_config() != self.model.get_config() or type(checkpoint.model) is not type(self.model):
            raise ValueError(f"the checkpoint {path!r} holds a different model architecture than this trainer's")
        extra = checkpoint.extra
        missing = sorted(set(_PROGRESS_KEYS) - {"data_seed", "metric_states"} - extra.keys())
        if missing:
            raise ValueError(f"the checkpoint {path!r} was not written by Trainer.save_checkpoint: it lacks {missing}")
        metric_states = extra.get("metric_states", {})
        if set(metric_states) - set(self._metrics):
            raise ValueError(
                f"the checkpoint {path!r} recorded the metrics {sorted(metric_states)}; this trainer records "
                f"{sorted(self._metrics)}: create it with metrics={sorted(metric_states)}"
            )
        self.model.load_named_arrays(checkpoint.model.named_arrays())
        self.optimizer.load_state_dict(checkpoint.optimizer.state_dict())
        self.optimizer.lr = checkpoint.optimizer.lr
        self.model.rng.bit_generator.state = extra["model_rng_state"]
        self.history = History.from_dict(checkpoint.history)
        self._progress = _Progress(
            epoch=checkpoint.epoch,
            iteration=extra["iteration"],
            # a checkpoint written without a generator state starts shuffling from the seed
            epoch_rng_state=checkpoint.rng_state or dict(rng.bit_generator.state),
            loss_sum=extra["loss_sum"],
            seen=extra["seen"],
            metric_states=metric_states,
            seconds=extra["seconds"],
        )

    def _load_callback_states(
        self, callbacks: Sequence[Callback], states: dict[str, dict[str, Any]] | None, path: str
    ) -> None:
        """Give each callback its saved state (a checkpoint of numnet 0.1 saved none: nothing to give)."""
        if states is None:
            return
        keys = [f"{index}.{type(callback).__name__}" for index, callback in enumerate(callbacks)]
        if sorted(keys) != sorted(states):
            raise ValueError(
                f"the checkpoint {path!r} was written with the callbacks {sorted(states)}; resume with the same "
                f"callbacks in the same order (got {keys})"
            )
        for key, callback in zip(keys, callbacks):
            callback.load_state_dict(states[key])

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


def _saved_callback_states(checkpoint: io.Checkpoint) -> dict[str, dict[str, Any]] | None:
    """The callbacks' state saved in ``checkpoint``; None when it holds none (numnet 0.1 saved none)."""
    if "callbacks" not in checkpoint.extra:
        return None
    return join_state(checkpoint.extra["callbacks"], checkpoint.arrays)


def _metric(name: str, model: Model) -> metrics.Metric:
    """The streaming metric ``name``, minding the loss's ``ignore_index``."""
    return metrics.get_metric(name, ignore_index=model.loss_fn.ignore_index)


@dataclass
class _Tracker:
    """Feeds a streaming metric what it needs from a batch: class labels, scores or output values."""

    name: str
    metric: metrics.Metric
    model: Model

    def update(self, t: NDArray, scores: NDArray) -> None:
        model = self.model
        if self.metric.input == "labels":  # the targets were checked once per fit: count without checking again
            self.metric.update(model._target_labels(t), model.loss_fn.labels(scores), checked=True)
        elif self.metric.input == "outputs":
            t = model.score_targets(t)
            self.metric.update(t.reshape(scores.shape) if t.size == scores.size else t, model.loss_fn.output(scores))
        else:
            self.metric.update(model.score_targets(t), scores)


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
    values = "  ".join(f"{name} {value:.4f}" for name, value in logs.items())
    print(f"epoch {epoch}/{epochs}  {values}  ({seconds:.1f}s)", flush=True)
