"""The contract carries sequences (issue 9): integer ids (N, T) -> Embedding -> Tanh -> TimeAffine -> scores
(N, T, K), padded positions labelled with the ignored label, trained end to end through Trainer.fit with
validation and early stopping, saved, loaded and resumed exactly."""

from __future__ import annotations

import numpy as np
import pytest

from interruption import interrupt_after
from numnet import io, metrics
from numnet.callbacks import EarlyStopping
from numnet.gradient import TOLERANCE, gradient_check
from numnet.optimizers import Adam
from numnet.schedules import ExponentialDecay
from numnet.training import Trainer, TrainingInterrupted
from sequence_task import IGNORE, STEPS, VOCAB, copy_task, position_accuracy, sequence_model


def test_the_task_pads_some_positions_and_never_a_whole_sequence():
    ids, labels = copy_task(50, seed=0)
    assert ids.shape == labels.shape == (50, STEPS) and ids.dtype.kind == "i"
    padded = labels == IGNORE
    assert 0.1 < padded.mean() < 0.5 and not padded.all(axis=1).any()
    assert np.all(ids[padded] == 0) and np.all(ids[~padded] > 0)


def test_the_whole_model_passes_a_float64_gradient_check_with_padding():
    ids, labels = copy_task(4, seed=2)
    assert (labels == IGNORE).any()
    errors = gradient_check(sequence_model(seed=1), ids, labels)
    assert set(errors) == {"0.W", "2.W", "2.b"}
    assert max(errors.values()) < TOLERANCE


def test_scores_have_a_class_axis_per_position_and_ids_of_any_length():
    model = sequence_model()
    assert model.predict(np.ones((3, STEPS), dtype=int)).shape == (3, STEPS, VOCAB)
    assert model.predict(np.ones((2, 11), dtype=np.int16)).shape == (2, 11, VOCAB)
    probabilities = model.predict_proba(np.ones((2, 4), dtype=int))
    np.testing.assert_allclose(probabilities.sum(axis=-1), 1.0, rtol=1e-6)


def _fit(model, **kwargs):
    x, t = copy_task(240, seed=0)
    validation = copy_task(60, seed=1)
    trainer = Trainer(model, Adam(lr=0.05), metrics=["accuracy", "perplexity"])
    stopper = EarlyStopping("val_loss", patience=1, min_delta=0.002)
    fit = {"epochs": 25, "batch_size": 30, "validation_data": validation, "verbose": 0, "seed": 0, **kwargs}
    history = trainer.fit(x, t, callbacks=[stopper, ExponentialDecay(0.95)], **fit)
    return trainer, history, validation


def test_a_per_position_model_learns_through_fit_with_validation_and_early_stopping(tmp_path):
    model = sequence_model(seed=0)
    ids, labels = copy_task(60, seed=1)
    assert position_accuracy(model, ids, labels) < 0.4  # untrained
    trainer, history, _ = _fit(model)
    assert history.epochs < 25  # early stopping ended the run
    assert history.train_loss[-1] < 0.1 * history.train_loss[0]  # the loss falls
    assert history.val_loss[-1] < 0.1
    assert position_accuracy(model, ids, labels) >= 0.99  # a learning result on the non-padded positions
    # the logged accuracy and perplexity leave the padding out, as the loss does
    assert history.val_acc[-1] == pytest.approx(position_accuracy(model, ids, labels), abs=1e-12)
    assert history.val_perplexity[-1] == pytest.approx(np.exp(history.val_loss[-1]), rel=1e-6)
    scores = model.predict(ids)
    assert metrics.accuracy(labels, scores, ignore_index=IGNORE) == history.val_acc[-1]
    # the padded positions do not count: other ids there change neither the loss nor the accuracy
    padded_ids = ids.copy()
    padded_ids[labels == IGNORE] = 5
    assert trainer.evaluate(padded_ids, labels) == trainer.evaluate(ids, labels)

    io.save(model, tmp_path / "sequence.npz")
    loaded = io.load(tmp_path / "sequence.npz")
    np.testing.assert_array_equal(loaded.predict(ids), model.predict(ids))
    assert loaded.input_spec == model.input_spec and loaded.loss_fn.ignore_index == IGNORE


def _outcome(trainer, history):
    return {k: v for k, v in history.to_dict().items() if k != "epoch_time"}, trainer.model.named_arrays()


def test_an_interrupted_sequence_run_resumes_to_the_uninterrupted_result(tmp_path):
    split = {"validation_data": None, "validation_split": 0.2, "seed": None}
    whole_history, whole_arrays = _outcome(*_fit(sequence_model(seed=0), **split)[:2])
    assert len(whole_history["train_loss"]) < 25, "early stopping should end the run"

    trainer = Trainer(sequence_model(seed=0), Adam(lr=0.05), metrics=["accuracy", "perplexity"])
    interrupt_after(trainer, 3 * 7 + 4)  # 192 training samples: 7 steps an epoch; Ctrl-C in epoch 4
    x, t = copy_task(240, seed=0)
    with pytest.raises(TrainingInterrupted, match="epoch 4, iteration 4"):
        trainer.fit(
            x,
            t,
            epochs=25,
            batch_size=30,
            validation_split=0.2,
            verbose=0,
            callbacks=[EarlyStopping("val_loss", patience=1, min_delta=0.002), ExponentialDecay(0.95)],
        )
    trainer.save_checkpoint(tmp_path / "interrupted.npz")

    resumed = sequence_model(seed=42)
    _, history, _ = _fit(resumed, resume_from=tmp_path / "interrupted.npz", **split)
    history_dict, arrays = _outcome(Trainer(resumed, Adam()), history)
    assert history_dict == whole_history
    for name, array in whole_arrays.items():
        np.testing.assert_array_equal(arrays[name], array)


def _uneven_padding(n: int, seed: int):
    """Sequences whose first half keep one position only: batches with very different numbers of positions."""
    ids, labels = copy_task(n, seed)
    ids[: n // 2, 1:], labels[: n // 2, 1:] = 0, IGNORE
    return ids, labels


def test_validation_loss_is_the_mean_over_all_positions_across_evaluation_batches():
    model = sequence_model(seed=0).astype(np.float64)
    ids, labels = _uneven_padding(2400, seed=3)  # evaluated in batches of 1000
    trainer = Trainer(model, Adam(), metrics=["perplexity"])
    evaluation = trainer.evaluate(ids, labels)
    assert evaluation["loss"] == pytest.approx(model.loss(ids, labels), rel=1e-12)
    assert evaluation["perplexity"] == pytest.approx(np.exp(evaluation["loss"]), rel=1e-12)


def test_batches_of_padding_only_or_of_zero_weight_do_not_stop_training():
    ids, labels = copy_task(12, seed=4)
    labels[:3] = IGNORE  # the first batch of 3 is all padding
    weights = np.r_[np.ones(6), np.zeros(3), np.ones(3)]  # the third batch weighs nothing
    model = sequence_model(seed=0)
    trainer = Trainer(model, Adam(lr=0.05))
    history = trainer.fit(ids, labels, epochs=2, batch_size=3, shuffle=False, sample_weight=weights, verbose=0)
    assert history.loss[0] == history.loss[2] == 0.0 and trainer.optimizer.step_count == 8
    # the epoch's loss is the mean over its counted (weighted) positions: batch losses weighed by theirs
    counted = ((labels != IGNORE) * weights[:, None]).reshape(4, -1).sum(axis=1)
    assert history.train_loss[0] == pytest.approx(np.dot(history.loss[:4], counted) / counted.sum(), rel=1e-12)
