"""Trainer: learning, determinism, full-batch descent, callbacks, divergence and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from numnet.data import make_spiral, make_xor
from numnet.models import MLP, LogisticRegression
from numnet.optimizers import SGD, Adam
from numnet.training import Callback, EarlyStopping, History, Trainer, TrainingError


def _blobs(seed: int = 0, n: int = 200) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = rng.integers(0, 3, size=n)
    centers = np.array([[2.0, 0.0], [-2.0, 0.0], [0.0, 2.5]])
    return (centers[t] + 0.5 * rng.standard_normal((n, 2))).astype(np.float32), t


def test_xor_is_learned_to_100_percent():
    x, t = make_xor()
    model = MLP([2, 8, 2], activation="tanh", seed=0)
    Trainer(model, Adam(lr=0.05)).fit(x, t, epochs=300, batch_size=None, verbose=0, seed=0)
    assert model.accuracy(x, t) == 1.0


def test_spiral_reaches_95_percent_training_accuracy():
    x, t = make_spiral(n_per_class=100, n_classes=3, seed=0)
    model = MLP([2, 100, 3], seed=0)
    history = Trainer(model, Adam(lr=0.01)).fit(x, t, epochs=300, batch_size=None, verbose=0, seed=0)
    assert model.accuracy(x, t) >= 0.95
    assert history.train_loss[-1] < history.train_loss[0] / 5


def test_same_seed_gives_identical_history_and_weights():
    x, t = _blobs()
    runs = []
    for _ in range(2):
        model = MLP([2, 16, 3], seed=3)
        history = Trainer(model, Adam(lr=0.01)).fit(
            x, t, epochs=3, batch_size=32, seed=11, verbose=0, validation_data=(x[:50], t[:50])
        )
        runs.append((history.to_dict(), [p.copy() for p in model.params]))
    (h1, p1), (h2, p2) = runs
    assert {k: v for k, v in h1.items() if k != "epoch_time"} == {k: v for k, v in h2.items() if k != "epoch_time"}
    assert all(np.array_equal(a, b) for a, b in zip(p1, p2))


def test_different_shuffling_seeds_give_different_runs():
    x, t = _blobs()
    losses = [
        Trainer(MLP([2, 8, 3], seed=0), SGD(lr=0.1)).fit(x, t, epochs=1, batch_size=20, seed=s, verbose=0).loss
        for s in (1, 2)
    ]
    assert losses[0] != losses[1]


def test_history_records_iterations_and_epochs():
    x, t = _blobs(n=250)
    history = Trainer(MLP([2, 8, 3], seed=0), SGD(lr=0.1)).fit(
        x, t, epochs=4, batch_size=100, validation_data=(x, t), verbose=0, seed=0
    )
    assert len(history.loss) == 4 * 3  # 100 + 100 + 50 per epoch
    for name in ("train_loss", "train_acc", "val_loss", "val_acc", "epoch_time"):
        assert len(getattr(history, name)) == 4
    assert history.epochs == 4
    assert all(0 <= a <= 1 for a in history.train_acc + history.val_acc)
    # the epoch's train_loss is the sample-weighted mean of its batch losses
    first = history.loss[:3]
    assert history.train_loss[0] == pytest.approx((100 * first[0] + 100 * first[1] + 50 * first[2]) / 250)
    rows = history.epoch_rows()
    assert rows[0]["epoch"] == 1 and set(rows[0]) >= {"train_loss", "val_acc"}
    assert History.from_dict(history.to_dict()) == history


def test_validation_metrics_equal_evaluate():
    x, t = _blobs()
    model = MLP([2, 8, 3], seed=0)
    trainer = Trainer(model, SGD(lr=0.1))
    history = trainer.fit(x, t, epochs=2, batch_size=50, validation_data=(x[:60], t[:60]), verbose=0, seed=0)
    evaluation = trainer.evaluate(x[:60], t[:60])
    assert history.val_loss[-1] == pytest.approx(evaluation["loss"], rel=1e-6)
    assert history.val_acc[-1] == evaluation["accuracy"] == model.accuracy(x[:60], t[:60])
    assert evaluation["loss"] == pytest.approx(model.loss(x[:60], t[:60]), rel=1e-5)


def test_full_batch_gradient_descent_equals_hand_written_updates():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((30, 3))
    t = (x[:, 0] > 0).astype(int)
    model = LogisticRegression(3, dtype="float64")
    history = Trainer(model, SGD(lr=0.5)).fit(x, t, epochs=5, batch_size=None, verbose=0)
    assert len(history.loss) == 5

    w, b = np.zeros(3), 0.0
    for _ in range(5):
        y_hat = 1 / (1 + np.exp(-(x @ w + b)))
        w, b = w - 0.5 * x.T @ (y_hat - t) / 30, b - 0.5 * np.mean(y_hat - t)
    np.testing.assert_allclose(model.params[0].ravel(), w, rtol=1e-12)
    np.testing.assert_allclose(model.params[1], [b], rtol=1e-12)


def test_one_hot_targets_train_like_labels():
    x, t = _blobs()
    by_label, by_one_hot = MLP([2, 8, 3], seed=0), MLP([2, 8, 3], seed=0)
    Trainer(by_label, SGD(lr=0.1)).fit(x, t, epochs=2, batch_size=40, verbose=0, seed=1)
    Trainer(by_one_hot, SGD(lr=0.1)).fit(x, np.eye(3, dtype=np.float32)[t], epochs=2, batch_size=40, verbose=0, seed=1)
    for a, b in zip(by_label.params, by_one_hot.params):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_divergence_stops_with_epoch_and_iteration_named():
    x, t = _blobs()
    model = MLP([2, 32, 32, 3], seed=0)
    with pytest.raises(
        TrainingError, match=r"became (nan|inf) at epoch \d+, iteration \d+; try a smaller learning rate"
    ):
        Trainer(model, SGD(lr=1e4)).fit(x, t, epochs=5, verbose=0)


def test_non_finite_data_is_named_as_such_not_as_a_learning_rate():
    x, t = _blobs()
    x = x.copy()
    x[17, 1] = np.nan
    model = MLP([2, 8, 3], seed=0)
    before = [p.copy() for p in model.params]
    with pytest.raises(ValueError, match=r"x must hold finite numbers, but x\[17, 1\] is nan") as error:
        Trainer(model, SGD(lr=0.01)).fit(x, t, epochs=1, batch_size=40, verbose=0, seed=0)
    assert "learning rate" not in str(error.value)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.params))  # refused before any step


def test_early_stopping_stops_and_restores_the_best_weights():
    x, t = _blobs()
    seen = []

    class Spy(Callback):
        def on_epoch_end(self, trainer, epoch, logs):
            seen.append({k: v.copy() for k, v in trainer.model.named_arrays().items()})

    model = MLP([2, 8, 3], seed=0)
    x_val, t_val = x[:40], (t[:40] + 1) % 3  # wrong labels: validation loss rises as training improves
    stopper = EarlyStopping(monitor="val_loss", patience=1, restore_best=True)
    history = Trainer(model, Adam(lr=0.05)).fit(
        x, t, epochs=50, batch_size=50, validation_data=(x_val, t_val), callbacks=[stopper, Spy()], verbose=0, seed=0
    )
    assert history.epochs < 50
    assert stopper.stopped_epoch == history.epochs - 1
    best = int(np.argmin(history.val_loss))
    assert stopper.best_epoch == best and stopper.best == history.val_loss[best]
    assert all(np.array_equal(v, seen[best][k]) for k, v in model.named_arrays().items())


def test_early_stopping_on_validation_needs_validation_data():
    x, t = _blobs()
    with pytest.raises(ValueError, match="validation_data"):
        Trainer(MLP([2, 3], seed=0), SGD()).fit(x, t, epochs=1, callbacks=[EarlyStopping()], verbose=0)
    with pytest.raises(ValueError, match="monitor"):
        EarlyStopping(monitor="accuracy")
    assert EarlyStopping(monitor="val_accuracy").monitor == "val_acc"  # Keras's name is understood
    with pytest.raises(ValueError, match="patience"):
        EarlyStopping(patience=-1)


def test_verbose_prints_one_line_per_epoch_and_quiet_prints_nothing(capsys):
    x, t = _blobs()
    Trainer(MLP([2, 3], seed=0), SGD()).fit(x, t, epochs=2, verbose=2)
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split()[1] for line in lines] == ["1/2", "2/2"] and "train_acc" in lines[0]
    Trainer(MLP([2, 3], seed=0), SGD()).fit(x, t, epochs=2, verbose=0)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"epochs": 0}, "epochs"),
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": 2.5}, "batch_size"),
        ({"validation_data": (np.zeros((3, 2)),)}, "validation_data"),
        ({"validation_data": (np.zeros((3, 2)), np.zeros(2))}, "validation_data"),
    ],
)
def test_bad_fit_arguments_are_refused_before_training(kwargs, message):
    x, t = _blobs()
    model = MLP([2, 3], seed=0)
    before = [p.copy() for p in model.params]
    with pytest.raises(ValueError, match=message):
        Trainer(model, SGD()).fit(x, t, verbose=0, **kwargs)
    assert all(np.array_equal(p, b) for p, b in zip(model.params, before))


def test_bad_data_is_refused_before_training():
    x, t = _blobs()
    model = MLP([2, 3], seed=0)
    before = [p.copy() for p in model.params]
    with pytest.raises(ValueError, match="same number of samples"):
        Trainer(model, SGD()).fit(x, t[:-1], verbose=0)
    with pytest.raises(ValueError, match=r"t"):
        Trainer(model, SGD()).fit(x, t + 5, verbose=0)
    with pytest.raises(ValueError):
        Trainer(model, SGD()).fit(np.zeros((10, 5)), t[:10], verbose=0)
    assert all(np.array_equal(p, b) for p, b in zip(model.params, before))
    with pytest.raises(TypeError, match="optimizer"):
        Trainer(model, "adam")
    with pytest.raises(TypeError, match="model"):
        Trainer("mlp", SGD())


def test_each_fit_checks_the_parameters_at_its_first_update_and_full_batch_runs_as_train_steps():
    """The optimizer trusts the parameters after a fit's first update; a new fit checks them again."""
    x, t = make_spiral(20, 2, seed=0)
    model = MLP([2, 4, 1], activation="tanh", output="sigmoid", seed=0)
    twin = MLP([2, 4, 1], activation="tanh", output="sigmoid", seed=0)
    trainer = Trainer(model, SGD(lr=1.2))
    history = trainer.fit(x, t, epochs=5, batch_size=None, shuffle=False, verbose=0)
    stepper = Trainer(twin, SGD(lr=1.2))
    losses = [stepper.train_step(x, t) for _ in range(5)]
    assert history.loss == losses and history.train_loss == losses
    for p, q in zip(model.params, twin.params):
        np.testing.assert_array_equal(p, q)
    model.params[0].flags.writeable = False
    with pytest.raises(ValueError, match=r"params\[0\] is read-only"):
        trainer.fit(x, t, epochs=1, batch_size=None, verbose=0)
