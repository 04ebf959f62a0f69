"""numnet.sweep and ``numnet sweep``: the textbook's random search, resumable, on worker processes that may die."""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

import numpy as np
import pytest

from numnet import sweep
from numnet.cli import main
from numnet.sweep import LocalBackend, LocalWorkers, SweepSettings, WorkerLost

#: A sweep small enough for tests: 2 epochs of a 784-16-10 network on 200 mnist-mini images.
SMALL = SweepSettings(train_size=200, hidden=(16,), epochs=2, batch_size=50)


@pytest.fixture(scope="module")
def data():
    return sweep.load_sweep_data(SMALL)


def _die_once(marker: str, die_on: int, settings, trial, data):
    """A trial function whose worker process dies the first time it runs trial ``die_on``."""
    if trial.index == die_on and not os.path.exists(marker):
        Path(marker).touch()
        os._exit(3)
    return sweep.run_trial(settings, trial, data)


def _always_die(settings, trial, data):
    if trial.index == 0:
        os._exit(4)
    return sweep.run_trial(settings, trial, data)


def _raise_on_one(settings, trial, data):
    if trial.index == 1:
        raise ArithmeticError("a bug in the trial")
    return sweep.run_trial(settings, trial, data)


# ---------------------------------------------------------------- settings and draws


def test_the_defaults_are_the_textbooks_search():
    settings = SweepSettings()
    assert settings.hidden == (100,) * 6 and settings.optimizer == "sgd" and settings.activation == "relu"
    assert (settings.epochs, settings.batch_size, settings.train_size) == (50, 100, 500)
    assert settings.validation_fraction == 0.2
    assert settings.lr_range == (-6.0, -2.0) and settings.weight_decay_range == (-8.0, -4.0)


@pytest.mark.parametrize(
    "changes, name",
    [
        ({"dataset": "imagenet"}, "dataset"),
        ({"hidden": (10, 0)}, "hidden"),
        ({"optimizer": "lbfgs"}, "optimizer"),
        ({"activation": "swish"}, "activation"),
        ({"lr_range": (-2.0, -6.0)}, "lr_range"),
        ({"weight_decay_range": (float("nan"), 1.0)}, "weight_decay_range"),
        ({"validation_fraction": 1.0}, "validation_fraction"),
        ({"epochs": 0}, "epochs"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_settings_are_value_errors_naming_the_setting(changes, name):
    with pytest.raises(ValueError, match=name):
        SweepSettings(**changes)


def test_settings_round_trip_through_json():
    settings = SweepSettings(hidden=(50, 20), lr_range=(-3, -1), seed=7)
    assert SweepSettings.from_dict(json.loads(json.dumps(settings.to_dict()))) == settings


def test_trials_are_drawn_log_uniformly_and_each_depends_only_on_its_index():
    trials = sweep.draw_trials(SweepSettings(), 2000)
    log_lr = np.log10([trial.lr for trial in trials])
    log_decay = np.log10([trial.weight_decay for trial in trials])
    assert log_lr.min() >= -6 and log_lr.max() <= -2 and log_decay.min() >= -8 and log_decay.max() <= -4
    # uniform in the exponent: each quarter of the range holds a quarter of the trials
    for values, low in ((log_lr, -6), (log_decay, -8)):
        counts = np.histogram(values, bins=4, range=(low, low + 4))[0]
        assert np.all(np.abs(counts - 500) < 80)
    assert sweep.draw_trials(SweepSettings(), 5) == trials[:5]
    assert sweep.draw_trials(SweepSettings(seed=1), 5) != trials[:5]


def test_the_data_is_the_first_train_size_images_with_a_fifth_held_out(data):
    assert len(data.x_train) + len(data.x_val) == 200 and abs(len(data.x_val) - 40) <= 2
    assert data.x_train.shape[1] == 784 and data.n_classes == 10
    assert not set(map(bytes, data.x_val)) & set(map(bytes, data.x_train))


def test_a_trial_records_its_curves_and_its_final_validation_accuracy(data):
    trial = sweep.Trial(index=3, lr=0.05, weight_decay=1e-6, seed=0)
    record = sweep.run_trial(SMALL, trial, data)
    assert record["index"] == 3 and record["status"] == "done" and record["lr"] == 0.05
    assert len(record["val_acc_curve"]) == len(record["train_acc_curve"]) == 2
    assert record["val_acc"] == record["val_acc_curve"][-1]
    assert record == {**sweep.run_trial(SMALL, trial, data), "seconds": record["seconds"]}  # reproducible


def test_a_diverging_trial_is_a_result_that_says_so(data):
    record = sweep.run_trial(SMALL, sweep.Trial(0, lr=1e10, weight_decay=0.0, seed=0), data)
    assert record["status"] == "diverged" and record["val_acc"] is None


# ---------------------------------------------------------------- running, saving, resuming


def _run(tmp_path, data, trials, trial_fn=sweep.run_trial, workers=2, **kwargs):
    finished = []
    with LocalBackend(workers) as backend:
        outcome = sweep.run_sweep(
            SMALL,
            trials,
            tmp_path / "sweep.json",
            backend,
            data,
            on_result=lambda record, done, total: finished.append(record["index"]),
            trial_fn=trial_fn,
            **kwargs,
        )
    return outcome, finished


def test_a_sweep_runs_every_trial_and_saves_each(tmp_path, data):
    outcome, finished = _run(tmp_path, data, 4)
    assert sorted(finished) == [0, 1, 2, 3] and outcome.failed == {} and outcome.resumed == 0
    settings, saved = sweep.read_results(tmp_path / "sweep.json")
    assert settings == SMALL and saved == outcome.results
    expected = {trial.index: trial for trial in sweep.draw_trials(SMALL, 4)}
    for index, record in saved.items():
        assert (record["lr"], record["weight_decay"]) == (expected[index].lr, expected[index].weight_decay)
        assert record["attempts"] == 1


def test_a_finished_sweep_run_again_repeats_nothing_and_a_larger_one_runs_only_the_new_trials(tmp_path, data):
    first, _ = _run(tmp_path, data, 3)
    again, finished = _run(tmp_path, data, 3)
    assert finished == [] and again.resumed == 3 and again.results == first.results
    extended, finished = _run(tmp_path, data, 5)
    assert sorted(finished) == [3, 4] and extended.resumed == 3
    assert {i: extended.results[i] for i in range(3)} == first.results


def test_an_interrupted_sweep_resumes_without_repeating_finished_trials(tmp_path, data):
    def interrupt_after_two(record, done, total):
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), LocalBackend(1) as backend:
        sweep.run_sweep(SMALL, 5, tmp_path / "sweep.json", backend, data, on_result=interrupt_after_two)
    _, saved = sweep.read_results(tmp_path / "sweep.json")  # a complete file: written atomically
    assert len(saved) == 2
    outcome, finished = _run(tmp_path, data, 5)
    assert sorted(finished) == sorted(set(range(5)) - set(saved)) and outcome.resumed == 2
    assert sorted(outcome.results) == [0, 1, 2, 3, 4]


def test_the_results_file_is_never_half_written(tmp_path, data, monkeypatch):
    _run(tmp_path, data, 2)
    before = (tmp_path / "sweep.json").read_bytes()

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(sweep.json, "dump", fail)
    with pytest.raises(OSError, match="disk full"):
        _run(tmp_path, data, 3)
    assert (tmp_path / "sweep.json").read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["sweep.json"]  # no temporary file left behind


def test_a_results_file_of_other_settings_is_refused(tmp_path, data):
    _run(tmp_path, data, 1)
    with pytest.raises(ValueError, match="other settings.*epochs"), LocalBackend(1) as backend:
        sweep.run_sweep(SweepSettings(train_size=200, hidden=(16,), epochs=3, batch_size=50), 1,
                        tmp_path / "sweep.json", backend, data)  # fmt: skip


@pytest.mark.parametrize("content", ["{not json", '{"format": "something else"}', '{"format": "numnet-sweep"}'])
def test_a_damaged_results_file_is_a_clear_error(tmp_path, content):
    path = tmp_path / "sweep.json"
    path.write_text(content)
    with pytest.raises(ValueError, match="not a readable numnet sweep results file"):
        sweep.read_results(path)


def test_a_worker_dying_mid_trial_loses_only_that_trial_which_is_retried(tmp_path, data):
    marker = str(tmp_path / "died")
    outcome, finished = _run(tmp_path, data, 4, trial_fn=functools.partial(_die_once, marker, 1))
    assert os.path.exists(marker)  # trial 1's worker did die
    assert sorted(finished) == [0, 1, 2, 3] and outcome.failed == {}
    assert outcome.results[1]["attempts"] == 2
    assert [outcome.results[i]["attempts"] for i in (0, 2, 3)] == [1, 1, 1]


def test_a_trial_that_keeps_killing_its_worker_fails_after_max_attempts_and_is_not_saved(tmp_path, data):
    outcome, finished = _run(tmp_path, data, 3, trial_fn=_always_die, max_attempts=2)
    assert sorted(finished) == [1, 2]
    assert list(outcome.failed) == [0] and "lost 2 times" in outcome.failed[0]
    assert sorted(sweep.read_results(tmp_path / "sweep.json")[1]) == [1, 2]


def test_a_trial_raising_an_error_fails_without_retry_and_the_others_finish(tmp_path, data):
    outcome, finished = _run(tmp_path, data, 3, trial_fn=_raise_on_one)
    assert sorted(finished) == [0, 2]
    assert outcome.failed == {1: "ArithmeticError: a bug in the trial"}


def test_local_workers_report_a_task_that_cannot_be_sent_and_carry_on():
    workers = LocalWorkers(1)
    try:
        unpicklable = workers.submit(lambda: 1)
        with pytest.raises(Exception, match="pickle|lambda"):
            unpicklable.result(timeout=60)
        assert workers.submit(abs, -3).result(timeout=60) == 3
        killed = workers.submit(os._exit, 5)
        with pytest.raises(WorkerLost, match="exit code 5"):
            killed.result(timeout=60)
        assert workers.submit(abs, -4).result(timeout=60) == 4  # a fresh process took over
    finally:
        workers.shutdown()
    with pytest.raises(RuntimeError, match="shutdown"):
        workers.submit(abs, 1)


# ---------------------------------------------------------------- ranking and the figure


def _record(index, val_acc, lr=1e-3, weight_decay=1e-6):
    curve = [] if val_acc is None else [0.1, val_acc]
    return {
        "index": index,
        "lr": lr,
        "weight_decay": weight_decay,
        "seed": 0,
        "status": "diverged" if val_acc is None else "done",
        "val_acc": val_acc,
        "train_acc_curve": curve,
        "val_acc_curve": curve,
        "seconds": 1.0,
    }


def test_trials_rank_by_validation_accuracy_with_diverged_ones_last():
    records = {0: _record(0, 0.5), 1: _record(1, None), 2: _record(2, 0.9), 3: _record(3, 0.5)}
    assert [r["index"] for r in sweep.ranked(records)] == [2, 0, 3, 1]
    table = sweep.ranked_table(records, top=2).splitlines()
    assert len(table) == 3 and table[1].split()[:3] == ["1", "2", "0.9000"]


def test_the_sweep_figure_shows_every_trial_and_the_best_curves():
    pytest.importorskip("matplotlib")
    from numnet import plotting

    records = [_record(i, acc, lr=10.0**-i, weight_decay=10.0 ** -(i + 4)) for i, acc in enumerate([0.9, 0.7, 0.4])]
    records.append(_record(3, None, lr=1e-2))
    fig = plotting.sweep_figure(records, top=2)
    scatter_ax = fig.axes[0]
    assert scatter_ax.get_xscale() == "log" and scatter_ax.get_xlabel() == "learning rate"
    finished, diverged = scatter_ax.collections[:2]
    np.testing.assert_allclose(finished.get_array(), [0.9, 0.7, 0.4])
    assert len(diverged.get_offsets()) == 1
    curve_axes = [ax for ax in fig.axes if ax.get_title().startswith("Best-")]
    assert [ax.get_title() for ax in curve_axes] == ["Best-1: 0.900", "Best-2: 0.700"]
    with pytest.raises(ValueError, match="no trial"):
        plotting.sweep_figure([])


# ---------------------------------------------------------------- the command


def test_numnet_sweep_prints_the_ranking_writes_the_files_and_resumes(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    command = ["sweep", "--trials", "3", "--epochs", "2", "--hidden", "16", "--train-size", "200"]
    command += ["--batch-size", "50", "--workers", "2", "--out", str(tmp_path / "sweep")]
    assert main(command) == 0
    out = capsys.readouterr().out
    assert "sweep of 3 trials on mnist-mini" in out and "rank  trial  val acc" in out
    assert (tmp_path / "sweep" / "sweep.json").exists() and (tmp_path / "sweep" / "sweep.png").exists()
    settings, results = sweep.read_results(tmp_path / "sweep" / "sweep.json")
    assert settings == SMALL and len(results) == 3
    assert main(command) == 0
    assert "resumed: 3 trials finished earlier" in capsys.readouterr().out


def test_numnet_sweep_refuses_workers_with_a_scheduler_and_other_settings(tmp_path, capsys):
    assert main(["sweep", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"]) == 1
    assert "not both" in capsys.readouterr().err
    out = ["--out", str(tmp_path)]
    assert main(["sweep", "--trials", "1", "--epochs", "1", "--hidden", "8", "--workers", "1", *out]) == 0
    assert main(["sweep", "--trials", "1", "--epochs", "2", "--hidden", "8", "--workers", "1", *out]) == 1
    assert "other settings" in capsys.readouterr().err


def test_numnet_sweep_interrupted_says_how_to_resume(tmp_path, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(sweep, "run_sweep", interrupted)
    assert main(["sweep", "--trials", "1", "--workers", "1", "--out", str(tmp_path)]) == 130
    assert "run the same command to resume" in capsys.readouterr().err
