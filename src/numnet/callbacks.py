"""Callbacks: code that runs at the boundaries of training (early stopping, checkpoints, schedules).

:meth:`numnet.training.Trainer.fit` calls, in order, ``on_train_begin``, then
for every epoch ``on_epoch_begin``, ``on_batch_begin``/``on_batch_end`` around
every iteration, ``on_epoch_end`` with the epoch's logs (``train_loss``,
``val_acc``, ...), and finally ``on_train_end``. A callback stops training
by setting ``trainer.stop_training = True``.

A callback that keeps state across epochs (a best value, a patience counter,
the best weights) returns it from :meth:`Callback.state_dict` and takes it
back in :meth:`Callback.load_state_dict`; the trainer saves it in its
checkpoints, so that a resumed run ends exactly as an uninterrupted one.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from numnet import io

if TYPE_CHECKING:
    from numnet.training import Trainer

__all__ = ["Callback", "EarlyStopping", "ModelCheckpoint", "improvement_sign"]

#: Logged values that improve by growing; every other one (losses, errors, perplexity) improves by shrinking.
_GROWING = ("acc", "accuracy", "r2", "exact_match")


def improvement_sign(monitor: str) -> float:
    """-1.0 for values that improve by growing (accuracies, R²), 1.0 for those that improve by shrinking."""
    name = monitor.split("_", 1)[-1] if monitor.startswith(("train_", "val_")) else monitor
    return -1.0 if name in _GROWING or name.endswith("_accuracy") or name.endswith("_acc") else 1.0


class Callback:
    """Hooks called by :meth:`Trainer.fit`; override the ones you need.

    ``epoch`` and ``iteration`` count from 0; ``logs`` maps names to floats.
    """

    def on_train_begin(self, trainer: Trainer) -> None:
        """Before the first epoch (also when resuming, before the saved state and weights are loaded).

        Raise ValueError/TypeError here for a callback that does not fit the run: nothing has changed yet.
        """

    def on_epoch_begin(self, trainer: Trainer, epoch: int) -> None:
        """Before each epoch's first iteration."""

    def on_batch_begin(self, trainer: Trainer, iteration: int) -> None:
        """Before each iteration; ``iteration`` counts within the epoch."""

    def on_batch_end(self, trainer: Trainer, iteration: int, logs: dict[str, float]) -> None:
        """After each iteration's update; ``logs`` holds the mini-batch ``loss``."""

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        """After each epoch; set ``trainer.stop_training`` to stop."""

    def on_train_end(self, trainer: Trainer) -> None:
        """After the last epoch, or after a callback stopped training."""

    def state_dict(self) -> dict[str, Any]:
        """What the callback must remember across a checkpoint: JSON-able values and NumPy arrays."""
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Take back what :meth:`state_dict` gave."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _check_monitor(monitor: str) -> str:
    """A logged name (``val_accuracy``, Keras's spelling, is the logged ``val_acc``)."""
    if not isinstance(monitor, str) or not monitor.startswith(("train_", "val_")):
        raise ValueError(f"monitor must name a logged value such as 'val_loss' or 'train_acc', got {monitor!r}")
    return monitor.removesuffix("uracy") if monitor in ("train_accuracy", "val_accuracy") else monitor


def _check_logged(callback: Callback, monitor: str, trainer: Trainer) -> None:
    """Refuse, before training starts, a monitor that the run will not log."""
    if monitor.startswith("val_") and not trainer.has_validation:
        raise ValueError(
            f"{type(callback).__name__}(monitor={monitor!r}) needs validation data: pass validation_data "
            "or validation_split to fit()"
        )
    if monitor not in trainer.log_names:
        raise ValueError(
            f"{type(callback).__name__}(monitor={monitor!r}): this run does not log it; it logs "
            f"{list(trainer.log_names)} (ask the Trainer for other metrics with metrics=[...])"
        )


def _logged(callback: Callback, monitor: str, logs: dict[str, float]) -> float:
    if monitor not in logs:
        raise ValueError(f"{type(callback).__name__}: {monitor!r} is not logged; this run logs {sorted(logs)}")
    return logs[monitor]


def _finite_or_none(value: float) -> float | None:
    """A best value for JSON: None before the first epoch (strict JSON has no infinity)."""
    return value if math.isfinite(value) else None


def _float_or_inf(value: float | None, sign: float) -> float:
    return math.inf * sign if value is None else float(value)


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved for ``patience`` epochs.

    Args:
        monitor: a logged value, ``"val_loss"``, ``"val_acc"``, ``"val_mae"``,
            ``"train_loss"``...; losses and errors must decrease, accuracies
            and R² increase.
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
        self.monitor = _check_monitor(monitor)
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            raise ValueError(f"patience must be a non-negative integer, got {patience!r}")
        if not min_delta >= 0:
            raise ValueError(f"min_delta must be >= 0, got {min_delta}")
        self.patience, self.restore_best, self.min_delta = patience, restore_best, min_delta
        self._sign = improvement_sign(monitor)  # compare as "smaller is better"
        self._reset()

    def _reset(self) -> None:
        self.best, self.best_epoch = math.inf * self._sign, -1
        self.stopped_epoch: int | None = None
        self._wait = 0
        self._best_arrays: dict[str, NDArray] | None = None

    def on_train_begin(self, trainer: Trainer) -> None:
        _check_logged(self, self.monitor, trainer)
        self._reset()

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        value = _logged(self, self.monitor, logs)
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

    def state_dict(self) -> dict[str, Any]:
        state: dict[str, Any] = {
            "best": _finite_or_none(self.best),
            "best_epoch": self.best_epoch,
            "wait": self._wait,
            "stopped_epoch": self.stopped_epoch,
        }
        for name, array in (self._best_arrays or {}).items():
            state[f"best_arrays/{name}"] = array
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best, self.best_epoch = _float_or_inf(state["best"], self._sign), int(state["best_epoch"])
        self._wait, self.stopped_epoch = int(state["wait"]), state["stopped_epoch"]
        prefix = "best_arrays/"
        arrays = {key[len(prefix) :]: value for key, value in state.items() if key.startswith(prefix)}
        self._best_arrays = arrays or None

    def __repr__(self) -> str:
        return f"EarlyStopping(monitor={self.monitor!r}, patience={self.patience}, best={self.best:.4g})"


class ModelCheckpoint(Callback):
    """Save the model after an epoch, by default only when ``monitor`` reaches a new best.

    Each save is atomic (:func:`numnet.io.save`): the file at ``path`` is
    always a complete model, the best so far.

    Args:
        path: the model file to write (its folder must exist).
        monitor: the logged value that decides what is best (see :class:`EarlyStopping`).
        save_best_only: save only on improvement; False saves after every epoch.

    Attributes:
        best, best_epoch: the best value so far and its epoch (from 0).
    """

    def __init__(self, path: str | os.PathLike, monitor: str = "val_loss", save_best_only: bool = True) -> None:
        self.path = Path(path)
        if not self.path.parent.is_dir():
            raise ValueError(f"path {str(path)!r}: the folder {str(self.path.parent)!r} does not exist")
        self.monitor = _check_monitor(monitor)
        self.save_best_only = bool(save_best_only)
        self._sign = improvement_sign(monitor)
        self.best, self.best_epoch = math.inf * self._sign, -1

    def on_train_begin(self, trainer: Trainer) -> None:
        _check_logged(self, self.monitor, trainer)
        self.best, self.best_epoch = math.inf * self._sign, -1

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        value = _logged(self, self.monitor, logs)
        improved = self._sign * (self.best - value) > 0
        if improved:
            self.best, self.best_epoch = value, epoch
        if improved or not self.save_best_only:
            io.save(trainer.model, self.path)

    def state_dict(self) -> dict[str, Any]:
        return {"best": _finite_or_none(self.best), "best_epoch": self.best_epoch}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best, self.best_epoch = _float_or_inf(state["best"], self._sign), int(state["best_epoch"])

    def __repr__(self) -> str:
        return f"ModelCheckpoint({str(self.path)!r}, monitor={self.monitor!r}, save_best_only={self.save_best_only})"


def split_state(states: dict[str, dict[str, Any]]) -> tuple[dict[str, dict[str, Any]], dict[str, NDArray]]:
    """Callback states as JSON-able values and a flat dict of arrays (``"<callback key>/<name>"``)."""
    values: dict[str, dict[str, Any]] = {}
    arrays: dict[str, NDArray] = {}
    for key, state in states.items():
        values[key] = {}
        for name, value in state.items():
            if isinstance(value, np.ndarray):
                arrays[f"{key}/{name}"] = value
            else:
                values[key][name] = value
    return values, arrays


def join_state(values: dict[str, dict[str, Any]], arrays: dict[str, NDArray]) -> dict[str, dict[str, Any]]:
    """The inverse of :func:`split_state`."""
    states = {key: dict(state) for key, state in values.items()}
    for flat_name, array in arrays.items():
        key, _, name = flat_name.partition("/")
        states.setdefault(key, {})[name] = array
    return states
