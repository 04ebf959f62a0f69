"""Training you can extend (issue 9): metrics that follow the loss, train_step, validation_split, seeds."""

from __future__ import annotations

import numpy as np
import pytest

from numnet import metrics
from numnet.data.batching import train_validation_split
from numnet.layers import Dense, SoftmaxWithLoss
from numnet.models import MLP, LogisticRegression, Sequential
from numnet.optimizers import SGD, Adam
from numnet.training import History, Trainer


def _classes(n: int = 60, k: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = rng.integers(0, k, size=n)
    return (rng.standard_normal((k, 3))[t] + 0.3 * rng.standard_normal((n, 3))).astype(np.float32), t


def _regression(n: int = 60, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 3)).astype(np.float32)
    return x, (x @ np.array([[1.0], [-2.0], [0.5]], np.float32)) + 0.1


# ------------------------------------------------------------ metrics follow the loss


def test_a_regression_model_records_mae_and_no_accuracy():
    x, t = _regression()
    trainer = Trainer(MLP([3, 8, 1], output="identity", seed=0), Adam(lr=0.01))
    history = trainer.fit(x, t, epochs=3, batch_size=20, validation_data=(x[:20], t[:20]), verbose=0, seed=0)
    assert sorted(history.values) == ["train_loss", "train_mae", "val_loss", "val_mae"]
    assert trainer.metrics == ("mae",)
    evaluation = trainer.evaluate(x[:20], t[:20])
    assert sorted(evaluation) == ["loss", "mae"]
    assert history.val_mae[-1] == pytest.approx(evaluation["mae"], rel=1e-12)
    predictions = trainer.model.predict(x[:20])
    assert evaluation["mae"] == pytest.approx(metrics.mean_absolute_error(t[:20], predictions), rel=1e-6)
    with pytest.raises(AttributeError, match="History has no 'val_acc'; it recorded"):
        _ = history.val_acc


@pytest.mark.parametrize("model", [MLP([3, 8, 8], seed=0), LogisticRegression(3, seed=0)], ids=["softmax", "sigmoid"])
def test_a_classifier_records_accuracy(model):
    x, t = _classes()
    if isinstance(model, LogisticRegression):
        t = t % 2
    history = Trainer(model, Adam(lr=0.01)).fit(x, t, epochs=2, validation_data=(x, t), verbose=0, seed=0)
    assert sorted(history.values) == ["train_acc", "train_loss", "val_acc", "val_loss"]
    assert history.val_acc[-1] == model.accuracy(x, t)


def test_metrics_asked_for_are_recorded_in_order_and_equal_the_functions():
    x, t = _classes()
    model = MLP([3, 8, 8], seed=0)
    trainer = Trainer(model, Adam(lr=0.01), metrics=["top5_accuracy", "accuracy", "perplexity"])
    history = trainer.fit(x, t, epochs=2, batch_size=60, validation_data=(x, t), verbose=0, seed=0)
    assert list(history.values) == [
        "train_loss",
        "train_top5_accuracy",
        "train_acc",
        "train_perplexity",
        "val_loss",
        "val_top5_accuracy",
        "val_acc",
        "val_perplexity",
    ]
    scores = model.predict(x)
    assert history.val_top5_accuracy[-1] == metrics.top_k_accuracy(t, scores, k=5)
    assert history.val_acc[-1] == metrics.accuracy(t, scores)
    assert history.val_perplexity[-1] == pytest.approx(metrics.perplexity(t, scores), rel=1e-5)
    assert history.val_perplexity[-1] == pytest.approx(np.exp(history.val_loss[-1]), rel=1e-5)
    assert 0 < history.val_acc[-1] <= history.val_top5_accuracy[-1] <= 1


def test_unknown_metrics_are_refused_when_the_trainer_is_made():
    with pytest.raises(ValueError, match="unknown metric 'f1'"):
        Trainer(MLP([3, 2]), SGD(), metrics=["f1"])
    with pytest.raises(ValueError, match="ignore_index applies to class-id metrics, not to 'mae'"):
        Trainer(Sequential([Dense(3, 2)], SoftmaxWithLoss(ignore_index=-1)), SGD(), metrics=["mae"])


def test_history_has_a_short_repr():
    x, t = _classes()
    history = Trainer(MLP([3, 8, 8], seed=0), Adam()).fit(x, t, epochs=3, batch_size=20, verbose=0, seed=0)
    text = repr(history)
    assert text.startswith("History(3 epochs, 9 iterations, train_loss=")
    assert "train_acc=" in text and len(text) < 120 and "\n" not in text
    assert repr(History()) == "History(0 epochs, 0 iterations)"


# ------------------------------------------------------------ train_step


def test_train_step_is_one_update_and_returns_the_loss_before_it():
    x, t = _classes(n=16)
    model = MLP([3, 8, 8], seed=0, dtype=np.float64)
    before = [p.copy() for p in model.params]
    expected_loss = model.loss(x, t)
    gradients = [g.copy() for g in model.gradient(x, t).values()]
    trainer = Trainer(model, SGD(lr=0.3))
    assert trainer.train_step(x, t) == expected_loss
    assert trainer.optimizer.step_count == 1
    for param, old, grad in zip(model.params, before, gradients):
        np.testing.assert_allclose(param, old - 0.3 * grad, rtol=1e-15, atol=1e-17)
    assert trainer.history.epochs == 0  # a step is not an epoch


@pytest.mark.parametrize("weighted", [False, True])
def test_train_step_equals_one_full_batch_epoch_of_fit(weighted):
    x, t = _classes(n=30)
    weights = np.random.default_rng(1).uniform(0, 2, size=30) if weighted else None
    stepped, fitted = MLP([3, 8, 8], seed=0), MLP([3, 8, 8], seed=0)
    step_trainer, fit_trainer = Trainer(stepped, Adam(lr=0.01)), Trainer(fitted, Adam(lr=0.01))
    loss = step_trainer.train_step(x, t, sample_weight=weights)
    history = fit_trainer.fit(x, t, epochs=1, batch_size=None, shuffle=False, sample_weight=weights, verbose=0)
    assert history.loss == [loss] and history.train_loss == [loss]
    for name, array in stepped.named_arrays().items():
        np.testing.assert_array_equal(array, fitted.named_arrays()[name])
    np.testing.assert_array_equal(step_trainer.optimizer.state_dict()["m.0"], fit_trainer.optimizer.state_dict()["m.0"])


def test_sample_weights_in_fit_weigh_the_samples():
    x, t = _classes(n=30)
    doubled, weighted = MLP([3, 8, 8], seed=0, dtype=np.float64), MLP([3, 8, 8], seed=0, dtype=np.float64)
    # a weight of 2 counts a sample twice: the same full-batch step as the sample repeated
    repeat = np.r_[np.arange(30), np.arange(10)]
    weights = np.r_[np.full(10, 2.0), np.ones(20)]
    Trainer(doubled, SGD(lr=0.5)).fit(x[repeat], t[repeat], epochs=3, batch_size=None, shuffle=False, verbose=0)
    Trainer(weighted, SGD(lr=0.5)).fit(x, t, epochs=3, batch_size=None, shuffle=False, sample_weight=weights, verbose=0)
    for a, b in zip(doubled.params, weighted.params):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


# ------------------------------------------------------------ validation_split


def test_train_validation_split_is_seeded_disjoint_and_complete():
    train, validation = train_validation_split(50, 0.2, seed=3)
    assert len(validation) == 10 and len(train) == 40
    assert np.array_equal(np.sort(np.r_[train, validation]), np.arange(50))
    assert np.all(np.diff(train) > 0) and np.all(np.diff(validation) > 0)
    again = train_validation_split(50, 0.2, seed=3)
    assert np.array_equal(again[1], validation)
    assert not np.array_equal(train_validation_split(50, 0.2, seed=4)[1], validation)


def test_train_validation_split_is_stratified():
    labels = np.repeat([0, 1, 2], [50, 30, 20])
    np.random.default_rng(0).shuffle(labels)
    for seed in range(5):
        train, validation = train_validation_split(100, 0.3, seed=seed, labels=labels)
        assert np.bincount(labels[validation]).tolist() == [15, 9, 6]  # each class keeps its share
        assert np.bincount(labels[train]).tolist() == [35, 21, 14]
    # a class of two or more samples gives at least one and keeps at least one
    small = np.array([0, 0, 1, 1, 1, 1, 1, 1, 1, 1])
    train, validation = train_validation_split(10, 0.1, seed=0, labels=small)
    assert sorted(small[validation]) == [0, 1] and set(small[train]) == {0, 1}


@pytest.mark.parametrize("fraction", [0, 1, -0.1, 1.5, True, "0.2", float("nan")])
def test_train_validation_split_refuses_fractions_outside_0_1(fraction):
    with pytest.raises(ValueError, match=r"validation_split must be a fraction in \(0, 1\)"):
        train_validation_split(10, fraction, seed=0)


def test_train_validation_split_needs_a_sample_on_each_side():
    with pytest.raises(ValueError, match="leaves 1 for training and 0 for validation"):
        train_validation_split(1, 0.3, seed=0)


def test_fit_validation_split_holds_out_a_stratified_seeded_part():
    x, t = _classes(n=80, k=4)
    model = MLP([3, 8, 4], seed=0)
    trainer = Trainer(model, Adam(lr=0.01))
    history = trainer.fit(x, t, epochs=2, batch_size=16, validation_split=0.25, verbose=0, seed=11)
    train, validation = train_validation_split(80, 0.25, seed=11, labels=t)
    evaluation = trainer.evaluate(x[validation], t[validation])
    assert history.val_loss[-1] == evaluation["loss"] and history.val_acc[-1] == evaluation["accuracy"]
    # it trained on the rest only: 60 samples in batches of 16
    assert len(history.loss) == 2 * 4
    same = Trainer(MLP([3, 8, 4], seed=0), Adam(lr=0.01)).fit(
        x[train], t[train], epochs=2, batch_size=16, validation_data=(x[validation], t[validation]), verbose=0, seed=11
    )
    assert same.loss == history.loss and same.val_loss == history.val_loss


def test_fit_validation_split_of_a_regression_model_is_not_stratified():
    x, t = _regression(n=40)
    history = Trainer(MLP([3, 4, 1], output="identity", seed=0), SGD(lr=0.01)).fit(
        x, t, epochs=1, batch_size=40, validation_split=0.5, verbose=0, seed=0
    )
    assert "val_mae" in history.values and len(history.loss) == 1


# ------------------------------------------------------------ seeds


def _seedless_run(model_seed: int, **kwargs):
    x, t = _classes(n=50)
    model = MLP([3, 8, 8], dropout=0.2, seed=model_seed)
    history = Trainer(model, Adam(lr=0.01)).fit(x, t, epochs=3, batch_size=16, verbose=0, **kwargs)
    return {k: v for k, v in history.to_dict().items() if k != "epoch_time"}, model.named_arrays()


@pytest.mark.parametrize("kwargs", [{}, {"validation_split": 0.2}])
def test_fit_without_a_seed_is_reproducible_from_the_model_seed(kwargs):
    history, arrays = _seedless_run(3, **kwargs)
    again_history, again_arrays = _seedless_run(3, **kwargs)
    assert again_history == history
    assert all(np.array_equal(again_arrays[k], v) for k, v in arrays.items())
    other_history, _ = _seedless_run(4, **kwargs)
    assert other_history != history


def test_a_refused_fit_does_not_change_the_next_seedless_fit():
    x, t = _classes(n=50)
    refused, fresh = MLP([3, 8, 8], seed=3), MLP([3, 8, 8], seed=3)
    trainer = Trainer(refused, Adam(lr=0.01))
    with pytest.raises(ValueError, match="validation_split"):
        trainer.fit(x, t, epochs=2, validation_split=1.0, verbose=0)
    with pytest.raises(TypeError, match="validation_data"):
        trainer.fit(x, t, epochs=2, validation_data=(x.astype(complex), t), verbose=0)
    first = trainer.fit(x, t, epochs=2, validation_split=0.2, verbose=0)
    second = Trainer(fresh, Adam(lr=0.01)).fit(x, t, epochs=2, validation_split=0.2, verbose=0)
    assert first.loss == second.loss and first.val_loss == second.val_loss
