"""Issue 9's key requirement: a run with early stopping, a schedule and checkpoints, interrupted part way
through an epoch and resumed from its checkpoint, trains the same epochs and ends bit-identical to an
uninterrupted run — its weights, optimizer, History and callbacks' state."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from interruption import interrupt_after
from numnet import io
from numnet.callbacks import EarlyStopping, ModelCheckpoint
from numnet.models import MLP
from numnet.optimizers import Adam
from numnet.schedules import CosineAnnealing, ReduceLROnPlateau, StepDecay
from numnet.training import Trainer, TrainingInterrupted

ITERATIONS = 5  # 37 training samples in batches of 8


def _classification():
    rng = np.random.default_rng(0)
    t = rng.integers(0, 3, size=47)
    x = (rng.standard_normal((3, 2))[t] * 2 + 0.7 * rng.standard_normal((47, 2))).astype(np.float32)
    # validation labels shifted by one: the validation loss rises once training fits the training labels
    return {"x": x[:37], "t": t[:37], "validation_data": (x[37:], (t[37:] + 1) % 3)}


def _regression():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((37, 2)).astype(np.float32)
    return {"x": x, "t": x @ np.array([[1.5], [-1.0]], np.float32) + 0.2 * rng.standard_normal((37, 1))}


def _run(scenario, folder: Path, model_seed: int, interrupt: int | None = None, resume: Path | None = None):
    """One fit of ``scenario``; interrupted after ``interrupt`` steps (then checkpointed), or resumed."""
    make_model, make_callbacks, fit_kwargs, metrics = scenario
    trainer = Trainer(make_model(model_seed), Adam(lr=0.05), metrics=metrics)
    callbacks = make_callbacks(folder)
    if interrupt is not None:
        interrupt_after(trainer, interrupt)
        with pytest.raises(TrainingInterrupted):
            trainer.fit(callbacks=callbacks, resume_from=resume, **fit_kwargs)
        trainer.save_checkpoint(folder / "interrupted.npz")
        return None
    history = trainer.fit(callbacks=callbacks, resume_from=resume, **fit_kwargs)
    return {
        "history": {k: v for k, v in history.to_dict().items() if k != "epoch_time"},
        "arrays": trainer.model.named_arrays(),
        "optimizer": trainer.optimizer.state_dict(),
        "lr": trainer.optimizer.lr,
        "callbacks": [callback.state_dict() for callback in callbacks],
        "saved": io.load(folder / "best.npz").named_arrays() if (folder / "best.npz").exists() else None,
    }


def _assert_identical(expected, actual) -> None:
    assert actual["history"] == expected["history"]
    for name in ("arrays", "optimizer", "saved"):
        if expected[name] is None:
            assert actual[name] is None
            continue
        assert expected[name].keys() == actual[name].keys()
        for key, value in expected[name].items():
            np.testing.assert_array_equal(actual[name][key], value, err_msg=f"{name} {key}")
    assert actual["lr"] == expected["lr"]
    for mine, theirs in zip(actual["callbacks"], expected["callbacks"]):
        assert mine.keys() == theirs.keys()
        for key, value in theirs.items():
            np.testing.assert_array_equal(mine[key], value, err_msg=key)


def _interrupted_and_resumed(scenario, tmp_path: Path, steps: int):
    folder = tmp_path / "pieces"  # one run folder: ModelCheckpoint goes on writing the same file
    folder.mkdir()
    _run(scenario, folder, model_seed=0, interrupt=steps)
    # a new model with other initial weights, a new optimizer, new callbacks: all state comes from the file
    return _run(scenario, folder, model_seed=99, resume=folder / "interrupted.npz")


def _early_stopping_scenario(schedule: Callable[[], object], seed: int | None, split: bool):
    data = _classification()
    if split:  # validation_split instead: held out of the 37, with wrong labels only through training noise
        x = np.concatenate([data["x"], data["validation_data"][0]])
        t = np.concatenate([data["t"], data["validation_data"][1]])
        fit_kwargs = {"x": x, "t": t, "validation_split": 0.25}
    else:
        fit_kwargs = dict(data)
    fit_kwargs.update(epochs=30, batch_size=8, verbose=0, seed=seed)

    def callbacks(folder: Path):
        return [
            EarlyStopping("val_loss", patience=2, restore_best=True),
            schedule(),
            ModelCheckpoint(folder / "best.npz", monitor="val_loss"),
        ]

    return (lambda s: MLP([2, 16, 3], dropout=0.2, seed=s), callbacks, fit_kwargs, None)


SCENARIOS = {
    "cosine, seed": lambda: _early_stopping_scenario(lambda: CosineAnnealing(t_max=30, min_lr=0.001), 7, False),
    "step decay, no seed": lambda: _early_stopping_scenario(lambda: StepDecay(2, 0.7), None, False),
    "validation_split, no seed": lambda: _early_stopping_scenario(lambda: StepDecay(3, 0.5), None, True),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_a_run_with_early_stopping_resumed_mid_epoch_equals_the_uninterrupted_run(tmp_path, name):
    scenario = SCENARIOS[name]()
    (tmp_path / "whole").mkdir()
    whole = _run(scenario, tmp_path / "whole", model_seed=0)
    stopper = whole["callbacks"][0]
    epochs = len(whole["history"]["train_loss"])
    assert stopper["stopped_epoch"] == epochs - 1 < 29, "early stopping must end the run for the test to mean much"
    # interrupt inside the epoch after the first one without improvement: the stopper then holds best
    # weights and a patience count of 1, and the schedule has moved the rate
    interrupted_epoch = stopper["best_epoch"] + 2
    assert interrupted_epoch <= stopper["stopped_epoch"]
    resumed = _interrupted_and_resumed(scenario, tmp_path, steps=interrupted_epoch * ITERATIONS + 3)
    checkpoint = io.load_checkpoint(tmp_path / "pieces" / "interrupted.npz")
    assert (checkpoint.epoch, checkpoint.extra["iteration"]) == (interrupted_epoch, 3)
    assert checkpoint.extra["callbacks"]["0.EarlyStopping"]["wait"] == 1

    assert len(resumed["history"]["train_loss"]) == epochs
    _assert_identical(whole, resumed)
    # restore_best: the weights at the end are the best epoch's, and ModelCheckpoint saved the same
    for key, value in whole["saved"].items():
        np.testing.assert_array_equal(resumed["arrays"][key], value)


def test_a_regression_run_with_r2_and_reduce_on_plateau_resumed_mid_epoch_equals_the_uninterrupted_run(tmp_path):
    fit_kwargs = {**_regression(), "epochs": 12, "batch_size": 8, "validation_split": 0.2, "verbose": 0, "seed": None}

    def callbacks(folder: Path):
        return [ReduceLROnPlateau("val_r2", factor=0.5, patience=1), EarlyStopping("train_mae", patience=3)]

    scenario = (lambda s: MLP([2, 8, 1], output="identity", seed=s), callbacks, fit_kwargs, ["mae", "r2"])
    (tmp_path / "whole").mkdir()
    whole = _run(scenario, tmp_path / "whole", model_seed=0)
    assert whole["lr"] < 0.05, "the plateau must have reduced the rate for the test to mean much"
    # 29 training samples: 4 steps an epoch. Interrupted in epoch 3, after epoch 2 did not improve val_r2:
    # the plateau waits for one more epoch without improvement (and then halves the rate) when resumed.
    resumed = _interrupted_and_resumed(scenario, tmp_path, steps=3 * 4 + 2)
    saved = io.load_checkpoint(tmp_path / "pieces" / "interrupted.npz").extra["callbacks"]["0.ReduceLROnPlateau"]
    assert saved["wait"] == 1
    _assert_identical(whole, resumed)


def test_resuming_with_other_callbacks_is_refused_before_anything_changes(tmp_path):
    scenario = SCENARIOS["cosine, seed"]()
    (tmp_path / "first").mkdir()
    _run(scenario, tmp_path / "first", model_seed=0, interrupt=7)
    model = MLP([2, 16, 3], dropout=0.2, seed=99)
    before = {k: v.copy() for k, v in model.named_arrays().items()}
    trainer = Trainer(model, Adam(lr=0.05))
    _, _, fit_kwargs, _ = scenario
    with pytest.raises(ValueError, match="resume with the same callbacks in the same order"):
        trainer.fit(callbacks=[EarlyStopping()], resume_from=tmp_path / "first" / "interrupted.npz", **fit_kwargs)
    assert all(np.array_equal(v, before[k]) for k, v in model.named_arrays().items())
    assert trainer.optimizer.step_count == 0 and trainer.history.epochs == 0
