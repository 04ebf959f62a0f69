"""Learning-rate schedules: the per-epoch rates of a real fit equal PyTorch's schedulers; argument checks."""

from __future__ import annotations

import math

import numpy as np
import pytest

from numnet.callbacks import Callback
from numnet.models import MLP
from numnet.optimizers import SGD, Adam
from numnet.schedules import CosineAnnealing, ExponentialDecay, ReduceLROnPlateau, StepDecay
from numnet.training import Trainer

BASE_LR = 0.1
EPOCHS = 12


class LearningRates(Callback):
    """The optimizer's rate at every iteration, by epoch."""

    def __init__(self) -> None:
        self.by_epoch: list[list[float]] = []

    def on_epoch_begin(self, trainer, epoch):
        self.by_epoch.append([])

    def on_batch_begin(self, trainer, iteration):
        self.by_epoch[-1].append(trainer.optimizer.lr)


def _fit_rates(schedule, epochs: int = EPOCHS, optimizer=None) -> list[float]:
    rng = np.random.default_rng(0)
    x, t = rng.standard_normal((20, 3)).astype(np.float32), rng.integers(0, 2, size=20)
    rates = LearningRates()
    optimizer = optimizer or SGD(lr=BASE_LR)
    Trainer(MLP([3, 4, 2], seed=0), optimizer).fit(
        x, t, epochs=epochs, batch_size=7, callbacks=[schedule, rates], verbose=0, seed=0
    )
    assert all(len(set(epoch)) == 1 and len(epoch) == 3 for epoch in rates.by_epoch)  # constant within an epoch
    return [epoch[0] for epoch in rates.by_epoch]


def _torch_rates(make_scheduler, epochs: int = EPOCHS) -> list[float]:
    torch = pytest.importorskip("torch")
    parameter = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([parameter], lr=BASE_LR)
    scheduler = make_scheduler(torch.optim.lr_scheduler, optimizer)
    rates = []
    for _ in range(epochs):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return rates


@pytest.mark.parametrize(("step_size", "gamma"), [(3, 0.1), (1, 0.5), (5, 0.9)])
def test_step_decay_equals_torch_step_lr(step_size, gamma):
    expected = _torch_rates(lambda s, o: s.StepLR(o, step_size=step_size, gamma=gamma))
    assert _fit_rates(StepDecay(step_size, gamma)) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("gamma", [0.5, 0.9, 0.99])
def test_exponential_decay_equals_torch_exponential_lr(gamma):
    expected = _torch_rates(lambda s, o: s.ExponentialLR(o, gamma=gamma))
    assert _fit_rates(ExponentialDecay(gamma)) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("t_max", "min_lr"), [(EPOCHS - 1, 0.0), (EPOCHS - 1, 0.01), (5, 0.001)])
def test_cosine_annealing_equals_torch_cosine_annealing_lr_up_to_t_max(t_max, min_lr):
    expected = _torch_rates(lambda s, o: s.CosineAnnealingLR(o, T_max=t_max, eta_min=min_lr))
    rates = _fit_rates(CosineAnnealing(t_max, min_lr))
    assert rates[: t_max + 1] == pytest.approx(expected[: t_max + 1], rel=1e-9, abs=1e-15)
    assert rates[t_max] == pytest.approx(min_lr, abs=1e-15)
    # beyond t_max numnet stays at min_lr (torch's curve would rise again: it is periodic)
    assert rates[t_max:] == [rates[t_max]] * (EPOCHS - t_max)


def test_cosine_annealing_by_hand():
    schedule = CosineAnnealing(t_max=4, min_lr=0.0)
    assert [schedule.lr_at(epoch, 1.0) for epoch in range(6)] == pytest.approx(
        [1.0, (1 + math.cos(math.pi / 4)) / 2, 0.5, (1 + math.cos(3 * math.pi / 4)) / 2, 0.0, 0.0], abs=1e-16
    )


def test_schedules_start_from_the_optimizer_rate_and_work_with_any_optimizer():
    rates = _fit_rates(StepDecay(2, 0.5), epochs=5, optimizer=Adam(lr=0.004))
    assert rates == pytest.approx([0.004, 0.004, 0.002, 0.002, 0.001], rel=1e-15)


def test_reduce_lr_on_plateau_in_a_fit_reduces_after_patience_epochs():
    rng = np.random.default_rng(0)
    x, t = rng.standard_normal((20, 3)).astype(np.float32), rng.integers(0, 2, size=20)
    rates = LearningRates()
    plateau = ReduceLROnPlateau("val_loss", factor=0.5, patience=1)
    model = MLP([3, 4, 2], seed=0)
    # a validation set with the opposite labels: its loss rises while training lowers the training loss
    history = Trainer(model, SGD(lr=0.5)).fit(
        x, t, epochs=8, batch_size=20, validation_data=(x, 1 - t), callbacks=[plateau, rates], verbose=0, seed=0
    )
    lrs = [epoch[0] for epoch in rates.by_epoch]
    expected, best, wait, lr = [], math.inf, 0, 0.5
    for value in history.val_loss:
        expected.append(lr)
        if value < best:
            best, wait = value, 0
        else:
            wait += 1
            if wait > 1:
                lr, wait = lr * 0.5, 0
    assert lrs == expected
    assert lrs[-1] < 0.5  # it did reduce


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: StepDecay(0), "step_size must be a positive integer"),
        (lambda: StepDecay(2.5), "step_size must be a positive integer"),
        (lambda: StepDecay(2, gamma=1.5), r"gamma must lie in \(0, 1\)"),
        (lambda: ExponentialDecay(0.0), r"gamma must lie in \(0, 1\)"),
        (lambda: ExponentialDecay(True), r"gamma must lie in \(0, 1\)"),
        (lambda: CosineAnnealing(0), "t_max must be a positive integer"),
        (lambda: CosineAnnealing(5, min_lr=-1), "min_lr must be >= 0"),
        (lambda: ReduceLROnPlateau(factor=1.0), r"factor must lie in \(0, 1\)"),
        (lambda: ReduceLROnPlateau(patience=-1), "patience must be a non-negative integer"),
        (lambda: ReduceLROnPlateau(min_lr=-0.1), "min_lr and min_delta must be >= 0"),
        (lambda: ReduceLROnPlateau(monitor="loss"), "monitor must name a logged value"),
    ],
)
def test_bad_schedule_arguments_name_the_argument(make, words):
    with pytest.raises(ValueError, match=words):
        make()
