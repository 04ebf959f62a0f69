"""Run folders: written atomically, read back as a Run."""

from __future__ import annotations

import json
import os
import re
import sys

import numpy as np
import pytest

from numnet import io
from numnet.models import MLP
from numnet.optimizers import Adam
from numnet.runs import (
    CURVES_FILE,
    HISTORY_CSV,
    HISTORY_JSON,
    INITIAL_FILTERS_FILE,
    MODEL_FILE,
    RUN_FILE,
    Run,
    dataset_of,
    find_run,
    new_run_dir,
    read_history,
    read_initial_filters,
    read_run,
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


def test_a_failed_rewrite_leaves_every_earlier_file_whole(tmp_path, trained, monkeypatch):
    write(tmp_path, trained, curves=False)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def failing_sync(descriptor: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", failing_sync)
    with pytest.raises(OSError, match="disk full"):
        write(tmp_path, trained, curves=False)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


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
