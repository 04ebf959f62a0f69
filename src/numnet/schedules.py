"""Learning-rate schedules: callbacks that set the optimizer's ``lr`` before each epoch.

The rate of epoch e (from 0) is computed from the rate the optimizer had when
training began (``base_lr``), so a schedule is a pure function of the epoch
and a resumed run follows the same curve (``base_lr`` is saved in
checkpoints). :class:`ReduceLROnPlateau` instead reacts to a logged value.

    Trainer(model, SGD(lr=0.1)).fit(x, t, epochs=30, callbacks=[CosineAnnealing(t_max=30)])
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from numnet.callbacks import Callback, _check_logged, _check_monitor, _float_or_inf, _logged, improvement_sign

if TYPE_CHECKING:
    from numnet.training import Trainer

__all__ = ["LearningRateSchedule", "StepDecay", "ExponentialDecay", "CosineAnnealing", "ReduceLROnPlateau"]


def _positive(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0 or not math.isfinite(value):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return float(value)


def _fraction(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
        raise ValueError(f"{name} must lie in (0, 1), got {value!r}")
    return float(value)


class LearningRateSchedule(Callback):
    """Base of the epoch-wise schedules: subclasses give :meth:`lr_at`.

    Attributes:
        base_lr: the optimizer's rate when training began (None before).
    """

    def __init__(self) -> None:
        self.base_lr: float | None = None

    def lr_at(self, epoch: int, base_lr: float) -> float:
        """The learning rate of ``epoch`` (from 0)."""
        raise NotImplementedError

    def on_train_begin(self, trainer: Trainer) -> None:
        self.base_lr = trainer.optimizer.lr

    def on_epoch_begin(self, trainer: Trainer, epoch: int) -> None:
        assert self.base_lr is not None
        trainer.optimizer.lr = self.lr_at(epoch, self.base_lr)

    def state_dict(self) -> dict[str, Any]:
        return {"base_lr": self.base_lr}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.base_lr = float(state["base_lr"])


class StepDecay(LearningRateSchedule):
    """lr = base_lr · gamma^floor(epoch / step_size): divide by 1/gamma every ``step_size`` epochs."""

    def __init__(self, step_size: int, gamma: float = 0.1) -> None:
        super().__init__()
        if isinstance(step_size, bool) or not isinstance(step_size, int) or step_size <= 0:
            raise ValueError(f"step_size must be a positive integer, got {step_size!r}")
        self.step_size, self.gamma = step_size, _fraction("gamma", gamma)

    def lr_at(self, epoch: int, base_lr: float) -> float:
        return base_lr * self.gamma ** (epoch // self.step_size)

    def __repr__(self) -> str:
        return f"StepDecay(step_size={self.step_size}, gamma={self.gamma})"


class ExponentialDecay(LearningRateSchedule):
    """lr = base_lr · gamma^epoch."""

    def __init__(self, gamma: float) -> None:
        super().__init__()
        self.gamma = _fraction("gamma", gamma)

    def lr_at(self, epoch: int, base_lr: float) -> float:
        return base_lr * self.gamma**epoch

    def __repr__(self) -> str:
        return f"ExponentialDecay(gamma={self.gamma})"


class CosineAnnealing(LearningRateSchedule):
    """lr = min_lr + (base_lr - min_lr) · (1 + cos(π · epoch / t_max)) / 2, then min_lr after ``t_max`` epochs.

    Loshchilov & Hutter's SGDR curve without restarts, as ``torch.optim.lr_scheduler.CosineAnnealingLR``.
    """

    def __init__(self, t_max: int, min_lr: float = 0.0) -> None:
        super().__init__()
        if isinstance(t_max, bool) or not isinstance(t_max, int) or t_max <= 0:
            raise ValueError(f"t_max must be a positive integer, got {t_max!r}")
        if isinstance(min_lr, bool) or not isinstance(min_lr, (int, float)) or not min_lr >= 0:
            raise ValueError(f"min_lr must be >= 0, got {min_lr!r}")
        self.t_max, self.min_lr = t_max, float(min_lr)

    def lr_at(self, epoch: int, base_lr: float) -> float:
        progress = min(epoch, self.t_max) / self.t_max
        return self.min_lr + (base_lr - self.min_lr) * (1 + math.cos(math.pi * progress)) / 2

    def __repr__(self) -> str:
        return f"CosineAnnealing(t_max={self.t_max}, min_lr={self.min_lr})"


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` when ``monitor`` has not improved for ``patience`` epochs.

    Args:
        monitor: a logged value (``"val_loss"`` by default; see :class:`numnet.callbacks.EarlyStopping`).
        factor: in (0, 1).
        patience: epochs without improvement before the rate is reduced.
        min_lr: the rate is never reduced below this.
        min_delta: the smallest change that counts as an improvement.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 5,
        min_lr: float = 0.0,
        min_delta: float = 0.0,
    ) -> None:
        self.monitor = _check_monitor(monitor)
        self.factor = _fraction("factor", factor)
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            raise ValueError(f"patience must be a non-negative integer, got {patience!r}")
        if not min_lr >= 0 or not min_delta >= 0:
            raise ValueError(f"min_lr and min_delta must be >= 0, got {min_lr!r} and {min_delta!r}")
        self.patience, self.min_lr, self.min_delta = patience, float(min_lr), float(min_delta)
        self._sign = improvement_sign(monitor)
        self.best, self._wait = math.inf * self._sign, 0

    def on_train_begin(self, trainer: Trainer) -> None:
        _check_logged(self, self.monitor, trainer)
        self.best, self._wait = math.inf * self._sign, 0

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        value = _logged(self, self.monitor, logs)
        if self._sign * (self.best - value) > self.min_delta:
            self.best, self._wait = value, 0
            return
        self._wait += 1
        if self._wait > self.patience:
            trainer.optimizer.lr = max(trainer.optimizer.lr * self.factor, self.min_lr)
            self._wait = 0

    def state_dict(self) -> dict[str, Any]:
        return {"best": self.best if math.isfinite(self.best) else None, "wait": self._wait}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best, self._wait = _float_or_inf(state["best"], self._sign), int(state["wait"])

    def __repr__(self) -> str:
        return f"ReduceLROnPlateau(monitor={self.monitor!r}, factor={self.factor}, patience={self.patience})"
