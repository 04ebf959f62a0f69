"""Run folders: written atomically, read back as a Run."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

from numnet import io
from numnet._atomic import ASIDE_SUFFIX, TEMPORARY_SUFFIX, temporary_path
from numnet.models import MLP
from numnet.optimizers import Adam
from numnet.runs import (
    CHECKPOINT_FILE,
    CURVES_FILE,
    HISTORY_CSV,
    HISTORY_JSON,
    INITIAL_FILTERS_FILE,
    MODEL_FILE,
    RUN_FILE,
    Run,
    RunFolderError,
    check_run_dir,
    dataset_of,
    find_run,
    folder_state,
    model_file_bytes,
    new_run_dir,
    read_history,
    read_initial_filters,
    read_labelled_history,
    read_run,
    required_bytes,
    rescue_model,
    training_warnings,
    write_interrupted,
    write_run,
)
from numnet.training import History, Trainer

SETTINGS = {"epochs": 2, "batch_size": None, "seed": 0, "early_stopping": None}


@pytest.fixture
def trained():
    x = np.random.default_rng(0).standard_normal((20, 2)).astype(np.float32)
    t = (x[:, 0] > 0).astype(np.int64)
    model = MLP([2, 4, 2], seed=0)
    optimizer = Adam(lr=0.01)
    history = Trainer(model, optimizer).fit(x, t, epochs=2, batch_size=None, verbose=0, seed=0)
    return model, optimizer, history, x


def write(run_dir, trained, **options):
    model, optimizer, history, _ = trained
    return write_run(
        run_dir,
        model,
        history,
        dataset="spiral",
        optimizer=optimizer,
        settings=SETTINGS,
        results={"test_accuracy": 0.5},
        command="numnet train --epochs 2",
        **options,
    )


def test_a_written_run_reads_back_whole(tmp_path, trained):
    model, _, history, x = trained
    written = write(tmp_path, trained, data_dir=tmp_path / "data")
    assert written.files == (MODEL_FILE, HISTORY_JSON, HISTORY_CSV, RUN_FILE, CURVES_FILE)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(written.files)  # no temporary file left

    run = read_run(tmp_path)
    assert run == written
    assert run.dataset == "spiral" and run.model_class == "MLP" and run.optimizer == "adam"
    assert run.settings == SETTINGS and run.results == {"test_accuracy": 0.5}
    assert run.data_dir == str(tmp_path / "data") and run.resumed_from is None
    assert run.history == history
    np.testing.assert_array_equal(run.load_model().predict(x), model.predict(x))
    assert read_run(tmp_path / MODEL_FILE) == run  # a file in the folder names the folder too


def test_run_json_keeps_its_flat_layout(tmp_path, trained):
    write(tmp_path, trained)
    record = json.loads((tmp_path / RUN_FILE).read_text())
    assert list(record)[:8] == [
        "numnet_version",
        "command",
        "dataset",
        "data_dir",
        "model_class",
        "model_config",
        "optimizer",
        "optimizer_config",
    ]
    assert record["epochs"] == 2 and record["batch_size"] is None and list(record)[-2:] == ["resumed_from", "results"]
    assert record["model_config"]["sizes"] == [2, 4, 2] and record["optimizer_config"]["lr"] == 0.01


def test_the_history_files(tmp_path, trained):
    _, _, history, _ = trained
    write(tmp_path, trained)
    assert json.loads((tmp_path / HISTORY_JSON).read_text()) == history.to_dict()
    header, *rows = (tmp_path / HISTORY_CSV).read_text().splitlines()
    assert header == "epoch,train_loss,train_acc,epoch_time"
    assert [float(row.split(",")[1]) for row in rows] == history.train_loss
    assert read_history(tmp_path) == history == read_history(tmp_path / HISTORY_JSON)


def test_curves_need_matplotlib_and_filters_are_saved_when_given(tmp_path, trained, monkeypatch):
    filters = np.arange(6.0).reshape(1, 1, 2, 3)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    run = write(tmp_path, trained, initial_filters=filters)
    assert CURVES_FILE not in run.files and INITIAL_FILTERS_FILE in run.files
    np.testing.assert_array_equal(read_initial_filters(tmp_path / MODEL_FILE), filters)
    assert read_run(tmp_path).files == (MODEL_FILE, HISTORY_JSON, HISTORY_CSV, RUN_FILE, INITIAL_FILTERS_FILE)


def test_a_failed_rewrite_leaves_the_earlier_run_whole_and_no_temporary_folder(tmp_path, trained, monkeypatch):
    run_dir = tmp_path / "run"
    write(run_dir, trained, curves=False)
    before = {p.name: p.read_bytes() for p in run_dir.iterdir()}

    def failing_sync(descriptor: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", failing_sync)
    with pytest.raises(OSError, match="disk full"):
        write(run_dir, trained, curves=False, replace=True)
    assert {p.name: p.read_bytes() for p in run_dir.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_a_run_folder_is_replaced_whole_and_only_when_asked(tmp_path, trained):
    run_dir = tmp_path / "run"
    write(run_dir, trained, initial_filters=np.zeros((1, 1, 2, 2)))
    (run_dir / "weights.png").write_bytes(b"a figure drawn later")
    with pytest.raises(RunFolderError, match="already holds a run") as refused:
        write(run_dir, trained)
    assert refused.value.kind == "holds_run"
    assert (run_dir / INITIAL_FILTERS_FILE).is_file()  # untouched
    write(run_dir, trained, replace=True)
    # the new folder holds the new run's files only: nothing of the old one is mixed in
    assert sorted(p.name for p in run_dir.iterdir()) == sorted(
        [MODEL_FILE, HISTORY_JSON, HISTORY_CSV, RUN_FILE, CURVES_FILE]
    )
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_what_a_folder_holds(tmp_path, trained):
    assert folder_state(tmp_path / "new") == "absent"
    assert folder_state(tmp_path) == "empty"
    (tmp_path / "notes.txt").write_text("mine")
    assert folder_state(tmp_path) == "other" and folder_state(tmp_path / "notes.txt") == "file"
    write(tmp_path / "run", trained)
    assert folder_state(tmp_path / "run") == "run"
    (tmp_path / "stopped").mkdir()
    (tmp_path / "stopped" / CHECKPOINT_FILE).write_bytes(b"")
    assert folder_state(tmp_path / "stopped") == "interrupted"


def test_check_run_dir_refuses_before_training_with_the_reason(tmp_path, trained, monkeypatch):
    model = trained[0]
    (tmp_path / "file").write_text("x")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("x")
    write(tmp_path / "done", trained)
    (tmp_path / "stopped").mkdir()
    (tmp_path / "stopped" / CHECKPOINT_FILE).write_bytes(b"")
    cases = {
        "file": ("file", "is a file, not a folder"),
        "file/run": ("file", "is a file"),
        "mine": ("not_a_run", "holds other files than a run's"),
        "done": ("holds_run", "already holds a run"),
        "stopped": ("interrupted", "holds an interrupted run"),
    }
    for name, (kind, message) in cases.items():
        with pytest.raises(RunFolderError, match=message) as error:
            check_run_dir(tmp_path / name)
        assert error.value.kind == kind
    check_run_dir(tmp_path / "done", replace=True)
    check_run_dir(tmp_path / "stopped", resuming=tmp_path / "stopped" / CHECKPOINT_FILE)  # the run continued
    check_run_dir(tmp_path / "new" / "deeper")  # parents are created when the run is written
    assert not (tmp_path / "new").exists()
    with pytest.raises(RunFolderError, match="holds other files") as error:
        check_run_dir(tmp_path / "mine", replace=True)  # never someone else's files
    with pytest.raises(RunFolderError, match="cannot write to /proc") as error:
        check_run_dir("/proc/numnet-run")
    assert error.value.kind == "unwritable"

    needed = required_bytes(model)
    assert needed == 2 * model_file_bytes(model) + 2**20
    assert model_file_bytes(model) == sum(a.nbytes for a in model.named_arrays().values()) + 2**16
    monkeypatch.setattr(shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(10**9, 10**9 - 1000, 1000))
    with pytest.raises(RunFolderError, match=r"has 1.0 kB free, and the run needs 1.2 MB") as error:
        check_run_dir(tmp_path / "new", required=needed)
    assert error.value.kind == "no_space"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["done", "file", "mine", "stopped"]  # nothing written


def test_an_interrupted_run_is_a_checkpoint_and_its_record(tmp_path):
    x = np.random.default_rng(0).standard_normal((20, 2)).astype(np.float32)
    t = (x[:, 0] > 0).astype(np.int64)
    trainer = Trainer(MLP([2, 4, 2], seed=0), Adam(lr=0.01))
    trainer.fit(x, t, epochs=2, batch_size=None, verbose=0, seed=0)
    run = write_interrupted(tmp_path / "run", trainer, dataset="spiral", settings={"epochs": 5, "seed": 0})
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == [CHECKPOINT_FILE, RUN_FILE]
    again = read_run(tmp_path / "run")
    assert again.status == "interrupted" == run.status and again.settings == {"epochs": 5, "seed": 0}
    assert again.results == {"epochs": 2} and io.load_checkpoint(tmp_path / "run" / CHECKPOINT_FILE).epoch == 2
    assert folder_state(tmp_path / "run") == "interrupted"


def test_a_model_that_cannot_go_to_its_run_folder_is_rescued(trained):
    model, _, _, x = trained
    path = rescue_model(model)
    assert path.name == "model.npz" and path.parent.name.startswith("numnet-rescued-")
    np.testing.assert_array_equal(io.load(path).predict(x), model.predict(x))
    shutil.rmtree(path.parent)


def test_validating_on_the_test_set_names_the_values_test(tmp_path, trained):
    model, optimizer, _, _ = trained
    history = History(loss=[1.0], epoch_time=[0.1], train_loss=[1.0], train_acc=[0.5], val_loss=[0.9], val_acc=[0.6])
    run = write_run(
        tmp_path / "run",
        model,
        history,
        dataset="spiral",
        optimizer=optimizer,
        settings={"validate_on": "test"},
        results={},
        curves=False,
    )
    assert run.validation_label == "test"
    assert list(json.loads((tmp_path / "run" / HISTORY_JSON).read_text())) == [
        "loss",
        "train_loss",
        "train_acc",
        "test_loss",
        "test_acc",
        "epoch_time",
    ]
    assert (tmp_path / "run" / HISTORY_CSV).read_text().splitlines()[
        0
    ] == "epoch,train_loss,train_acc,test_loss,test_acc,epoch_time"
    assert read_labelled_history(tmp_path / "run") == (history, "test")
    assert read_run(tmp_path / "run").history == history


def test_training_warnings_name_a_growing_loss_and_chance_accuracy():
    healthy = History(train_loss=[1.0, 0.5, 0.3], train_acc=[0.5, 0.8, 0.9])
    assert training_warnings(healthy, chance=0.1) == []
    growing = History(train_loss=[1.0, 1.5, 2.5], train_acc=[0.5, 0.8, 0.9])
    (warning,) = training_warnings(growing, chance=0.1)
    assert "grew from 1 (epoch 1) to 2.5 (epoch 3)" in warning and "learning rate is probably too large" in warning
    stuck = History(train_loss=[2.3, 2.3, 2.3], train_acc=[0.1, 0.11, 0.12])
    (warning,) = training_warnings(stuck, chance=0.1)
    assert "stayed at chance level (12.0% at best" in warning and "gives 10.0%" in warning
    assert training_warnings(History(train_loss=[2.3, 2.3], train_acc=[0.1, 0.1]), chance=0.1) == []  # too short
    assert training_warnings(stuck) == []  # chance unknown


def test_new_run_folders_are_named_by_time_dataset_and_model_and_never_reused(tmp_path):
    first = new_run_dir("spiral", "MLP", root=tmp_path / "runs")
    second = new_run_dir("spiral", "MLP", root=tmp_path / "runs")
    assert first.is_dir() and second.is_dir() and first != second
    assert re.fullmatch(r"\d{8}-\d{6}-spiral-mlp", first.name)
    assert re.fullmatch(r"\d{8}-\d{6}-spiral-mlp(-\d+)?", second.name)


def test_what_is_not_a_run_is_told_apart(tmp_path):
    with pytest.raises(FileNotFoundError, match="is not a run folder: it has no run.json"):
        read_run(tmp_path)
    assert find_run(tmp_path / MODEL_FILE) is None
    (tmp_path / RUN_FILE).write_text('{"model_class": "MLP"}')
    with pytest.raises(ValueError, match="is not a run record .*must name its dataset"):
        read_run(tmp_path)
    (tmp_path / RUN_FILE).write_text("{not json")
    assert find_run(tmp_path / MODEL_FILE) is None
    with pytest.raises(ValueError, match="must be a JSON object"):
        Run.from_dict({"dataset": "spiral", "model_class": "MLP", "results": [1]}, tmp_path)
    with pytest.raises(FileNotFoundError, match="no history at .*give a run folder or its history.json"):
        read_history(tmp_path)
    (tmp_path / HISTORY_JSON).write_text('{"train_loss": 3}')
    with pytest.raises(ValueError, match="is not a training history"):
        read_history(tmp_path)
    (tmp_path / HISTORY_JSON).write_text('{"accuracy": [1.0]}')
    with pytest.raises(ValueError, match="is not a training history"):
        read_history(tmp_path / HISTORY_JSON)


def test_a_models_dataset_comes_from_its_metadata_else_from_its_run_folder(tmp_path, trained):
    model, _, _, _ = trained
    write(tmp_path, trained)
    loose = MLP([2, 4, 2])
    assert dataset_of(loose) is None and dataset_of(loose, tmp_path / "elsewhere" / MODEL_FILE) is None
    assert dataset_of(loose, tmp_path / MODEL_FILE) == "spiral"
    loose.metadata["dataset"] = "planar"
    assert dataset_of(loose, tmp_path / MODEL_FILE) == "planar"
    copied = io.load(io.save(model, tmp_path / "copy.npz"))
    assert copied.metadata == {}  # trained by hand: nothing recorded


def test_history_round_trip_of_an_empty_run(tmp_path):
    model, optimizer = MLP([2, 2]), Adam()
    run = write_run(
        tmp_path, model, History(), dataset="spiral", optimizer=optimizer, settings={}, results={}, curves=False
    )
    assert (tmp_path / HISTORY_CSV).read_text() == "epoch,epoch_time\n"
    assert read_run(tmp_path).history == History() and run.command is None


def test_initial_filters_are_read_from_beside_a_model_file_when_there(tmp_path):
    assert read_initial_filters(tmp_path / MODEL_FILE) is None
    np.save(tmp_path / INITIAL_FILTERS_FILE, np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"must hold filters \(F, C, H, W\), got an array of shape \(3, 3\)"):
        read_initial_filters(tmp_path / MODEL_FILE)
    (tmp_path / INITIAL_FILTERS_FILE).write_bytes(b"not an array")
    with pytest.raises(ValueError, match="cannot read .* as a .npy array"):
        read_initial_filters(tmp_path / MODEL_FILE)


def test_the_next_start_puts_back_a_run_moved_aside_by_a_killed_writer_and_removes_its_leftovers(tmp_path, trained):
    run_dir = tmp_path / "run"
    write(run_dir, trained)
    before = {path.name: path.read_bytes() for path in run_dir.iterdir()}
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)  # a process that has ended: its names are stale
    aside = temporary_path(run_dir, ASIDE_SUFFIX)
    aside = aside.with_name(re.sub(r"\.\d+\.([0-9a-f]{16})", rf".{pid}.\1", aside.name))
    half_written = aside.with_name(aside.name.replace(ASIDE_SUFFIX, TEMPORARY_SUFFIX))
    os.rename(run_dir, aside)  # killed between the two renames: the old run aside, the new one half-written
    half_written.mkdir()
    (half_written / "model.npz").write_bytes(b"half")
    live = temporary_path(tmp_path / "other")  # this process's own temporary folder: never touched
    live.mkdir()
    check_run_dir(run_dir, replace=True)  # the next start
    assert {path.name: path.read_bytes() for path in run_dir.iterdir()} == before
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(["run", live.name])
    assert read_run(run_dir).dataset == "spiral"
