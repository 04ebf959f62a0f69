"""Callbacks: the order of the hooks, monitors of any logged value, ModelCheckpoint, ReduceLROnPlateau."""

from __future__ import annotations

import os

import numpy as np
import pytest

from numnet import io
from numnet.callbacks import Callback, EarlyStopping, ModelCheckpoint
from numnet.models import MLP
from numnet.optimizers import SGD, Adam
from numnet.schedules import ReduceLROnPlateau
from numnet.training import Trainer, TrainingInterrupted


def _blobs(n: int = 37, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = rng.integers(0, 4, size=n)
    centers = np.array([[2.0, 0.0], [-2.0, 0.0], [0.0, 2.5], [0.0, -2.5]])
    return (centers[t] + 0.8 * rng.standard_normal((n, 2))).astype(np.float32), t


class Recorder(Callback):
    """Writes down every hook call, and the weights and learning rate at each epoch's end."""

    def __init__(self) -> None:
        self.events: list[tuple] = []
        self.weights: list[dict[str, np.ndarray]] = []
        self.lrs: list[float] = []

    def on_train_begin(self, trainer):
        self.events.append(("train_begin",))

    def on_epoch_begin(self, trainer, epoch):
        self.events.append(("epoch_begin", epoch))

    def on_batch_begin(self, trainer, iteration):
        self.events.append(("batch_begin", iteration))

    def on_batch_end(self, trainer, iteration, logs):
        self.events.append(("batch_end", iteration, logs["loss"]))

    def on_epoch_end(self, trainer, epoch, logs):
        self.events.append(("epoch_end", epoch, sorted(logs)))
        self.weights.append({k: v.copy() for k, v in trainer.model.named_arrays().items()})
        self.lrs.append(trainer.optimizer.lr)

    def on_train_end(self, trainer):
        self.events.append(("train_end",))


def _expected_events(epochs: range, iterations: int, logged: list[str], losses: list[float], first: int = 0):
    """The hook calls of a run over ``epochs`` of ``iterations`` each, starting at iteration ``first``."""
    events: list[tuple] = [("train_begin",)]
    step = 0
    for epoch in epochs:
        start = first if epoch == epochs[0] else 0
        if start == 0:
            events.append(("epoch_begin", epoch))
        for iteration in range(start, iterations):
            events += [("batch_begin", iteration), ("batch_end", iteration, losses[step])]
            step += 1
        events.append(("epoch_end", epoch, logged))
    assert step == len(losses)
    return [*events, ("train_end",)]


# ------------------------------------------------------------ hooks


def test_hooks_are_called_once_per_iteration_in_order():
    x, t = _blobs()
    recorder = Recorder()
    history = Trainer(MLP([2, 8, 4], seed=0), SGD(lr=0.1)).fit(
        x, t, epochs=2, batch_size=8, validation_data=(x[:10], t[:10]), callbacks=[recorder], verbose=0, seed=0
    )
    assert len(history.loss) == 2 * 5  # 37 samples in batches of 8
    logged = ["train_acc", "train_loss", "val_acc", "val_loss"]
    assert recorder.events == _expected_events(range(2), 5, logged, history.loss)


def test_batch_hooks_of_a_resumed_run_continue_at_the_interrupted_iteration(tmp_path):
    x, t = _blobs()
    trainer = Trainer(MLP([2, 8, 4], seed=0), SGD(lr=0.1))

    class InterruptAt(Callback):
        def on_batch_end(self, trainer, iteration, logs):
            if len(trainer.history.loss) == 7:  # epoch 2, iteration 2
                trainer._interrupt_requested = True  # what Ctrl-C does

    with pytest.raises(TrainingInterrupted, match="epoch 2, iteration 2"):
        trainer.fit(x, t, epochs=3, batch_size=8, callbacks=[InterruptAt(), Recorder()], verbose=0, seed=0)
    trainer.save_checkpoint(tmp_path / "checkpoint.npz")

    recorder = Recorder()
    history = Trainer(MLP([2, 8, 4], seed=5), SGD(lr=0.1)).fit(
        x,
        t,
        epochs=3,
        batch_size=8,
        callbacks=[InterruptAt(), recorder],  # a resumed run takes the same callbacks
        verbose=0,
        resume_from=tmp_path / "checkpoint.npz",
    )
    expected = _expected_events(range(1, 3), 5, ["train_acc", "train_loss"], history.loss[7:], first=2)
    assert recorder.events == expected


# ------------------------------------------------------------ monitors


def _fit_with(callback, metrics=None, validation=True, output="softmax", epochs=6):
    x, t = _blobs(n=60)
    if output == "identity":
        t = x @ np.array([1.0, -2.0], np.float32) + 0.5
    model = MLP([2, 8, 4 if output == "softmax" else 1], output=output, seed=0)
    recorder = Recorder()
    trainer = Trainer(model, Adam(lr=0.05), metrics=metrics)
    history = trainer.fit(
        x[:40],
        t[:40],
        epochs=epochs,
        batch_size=10,
        validation_data=(x[40:], t[40:]) if validation else None,
        callbacks=[callback, recorder],
        verbose=0,
        seed=0,
    )
    return history, recorder


MONITORS = [
    ("train_loss", None, "softmax", min),
    ("val_loss", None, "softmax", min),
    ("train_acc", None, "softmax", max),
    ("val_accuracy", None, "softmax", max),
    ("val_top2_accuracy", ["top2_accuracy"], "softmax", max),
    ("val_perplexity", ["perplexity"], "softmax", min),
    ("val_mae", None, "identity", min),
    ("train_r2", ["r2", "mse"], "identity", max),
]


def _best_epoch(values, better):
    best = better(values)
    return values.index(best), best


@pytest.mark.parametrize(("monitor", "metrics", "output", "better"), MONITORS)
def test_early_stopping_monitors_any_logged_value(monitor, metrics, output, better):
    stopper = EarlyStopping(monitor=monitor, patience=100, restore_best=True)
    history, recorder = _fit_with(stopper, metrics, output=output)
    values = history.values[monitor.replace("val_accuracy", "val_acc")]
    epoch, best = _best_epoch(values, better)
    assert (stopper.best_epoch, stopper.best) == (epoch, best)
    assert all(np.array_equal(stopper._best_arrays[k], v) for k, v in recorder.weights[epoch].items())


@pytest.mark.parametrize(("monitor", "metrics", "output", "better"), MONITORS)
def test_model_checkpoint_monitors_any_logged_value_and_holds_the_best_epoch(
    tmp_path, monitor, metrics, output, better
):
    checkpoint = ModelCheckpoint(tmp_path / "best.npz", monitor=monitor)
    history, recorder = _fit_with(checkpoint, metrics, output=output)
    epoch, best = _best_epoch(history.values[checkpoint.monitor], better)
    assert (checkpoint.best_epoch, checkpoint.best) == (epoch, best)
    saved = io.load(tmp_path / "best.npz").named_arrays()
    assert all(np.array_equal(saved[k], v) for k, v in recorder.weights[epoch].items())


def test_model_checkpoint_without_save_best_only_holds_the_last_epoch(tmp_path):
    checkpoint = ModelCheckpoint(tmp_path / "last.npz", monitor="val_loss", save_best_only=False)
    _, recorder = _fit_with(checkpoint)
    saved = io.load(tmp_path / "last.npz").named_arrays()
    assert all(np.array_equal(saved[k], v) for k, v in recorder.weights[-1].items())


def test_model_checkpoint_writes_atomically_a_failed_save_leaves_the_previous_best(tmp_path, monkeypatch):
    path = tmp_path / "best.npz"
    saves = []
    real_savez = np.savez

    def savez_failing_the_second_time(file, *args, **kwargs):
        saves.append(1)
        if len(saves) == 2:
            file.write(b"PK\x03\x04 half an archive")
            raise OSError("disk full")
        return real_savez(file, *args, **kwargs)

    monkeypatch.setattr(np, "savez", savez_failing_the_second_time)
    recorder = Recorder()
    x, t = _blobs(n=60)
    with pytest.raises(OSError, match="disk full"):
        Trainer(MLP([2, 8, 4], seed=0), Adam(lr=0.05)).fit(
            x, t, epochs=5, batch_size=10, callbacks=[recorder, ModelCheckpoint(path, "train_loss")], verbose=0, seed=0
        )
    assert os.listdir(tmp_path) == ["best.npz"]
    saved = io.load(path).named_arrays()
    assert all(np.array_equal(saved[k], v) for k, v in recorder.weights[0].items())


def test_keras_accuracy_names_are_the_logged_acc():
    for callback in (EarlyStopping("val_accuracy"), ModelCheckpoint("best.npz", "val_accuracy")):
        assert callback.monitor == "val_acc"
    assert ReduceLROnPlateau("train_accuracy").monitor == "train_acc"


@pytest.mark.parametrize(
    "make",
    [
        lambda path: EarlyStopping("val_mae"),
        lambda path: ModelCheckpoint(path / "best.npz", "train_top5_accuracy"),
        lambda path: ReduceLROnPlateau("val_accuarcy"),
    ],
)
def test_a_monitor_the_run_does_not_log_is_refused_before_training(tmp_path, make):
    x, t = _blobs()
    model = MLP([2, 8, 4], seed=0)
    trainer = Trainer(model, Adam())
    before = {k: v.copy() for k, v in model.named_arrays().items()}
    with pytest.raises(ValueError, match=r"does not log it; it logs \['train_loss', 'train_acc', 'val_loss'"):
        trainer.fit(x, t, epochs=2, validation_data=(x, t), callbacks=[make(tmp_path)], verbose=0)
    assert trainer.optimizer.step_count == 0 and trainer.history.epochs == 0
    assert all(np.array_equal(v, before[k]) for k, v in model.named_arrays().items())
    assert not (tmp_path / "best.npz").exists()


def test_model_checkpoint_wants_an_existing_folder(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        ModelCheckpoint(tmp_path / "missing" / "best.npz")


# ------------------------------------------------------------ ReduceLROnPlateau


def _plateau_lrs(callback, values, lr=1.0, monitor="val_loss"):
    trainer = Trainer(MLP([2, 2], seed=0), SGD(lr=lr))
    trainer.has_validation = True
    callback.on_train_begin(trainer)
    lrs = []
    for epoch, value in enumerate(values):
        callback.on_epoch_end(trainer, epoch, {monitor: value})
        lrs.append(trainer.optimizer.lr)
    return lrs


def test_reduce_lr_on_plateau_reduces_after_patience_epochs_without_improvement():
    values = [1.0, 0.9, 0.95, 0.9, 0.91, 0.8, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85]
    lrs = _plateau_lrs(ReduceLROnPlateau(factor=0.5, patience=2, min_lr=0.2), values)
    # 3 epochs without improvement (0.95, 0.9, 0.91) -> halve; then 0.8 improves; 3 more -> halve; 3 more -> floor
    assert lrs == [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.2, 0.2]


@pytest.mark.parametrize(
    ("monitor", "mode", "values"),
    [
        ("val_loss", "min", [3, 2, 2.5, 2.5, 2.5, 1, 1.5, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 0.4, 0.45, 0.46]),
        ("val_acc", "max", [0.2, 0.5, 0.4, 0.45, 0.49, 0.6, 0.6, 0.6, 0.6, 0.7, 0.69, 0.68, 0.67, 0.66]),
    ],
)
@pytest.mark.parametrize("patience", [0, 1, 3])
def test_reduce_lr_on_plateau_equals_torch(monitor, mode, values, patience):
    torch = pytest.importorskip("torch")
    parameter = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([parameter], lr=1.0)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
        optimizer, mode=mode, factor=0.5, patience=patience, threshold=0.0, threshold_mode="abs", min_lr=0.05
    )
    expected = []
    for value in values:
        scheduler.step(value)
        expected.append(optimizer.param_groups[0]["lr"])
    callback = ReduceLROnPlateau(monitor, factor=0.5, patience=patience, min_lr=0.05)
    assert _plateau_lrs(callback, values, monitor=monitor) == pytest.approx(expected, rel=1e-15)
