"""The ``numnet`` command as a user meets it, run in subprocesses: validation, pictures, run folders that never
lose work, training health, consistent commands, info and compare (exit codes, messages, files afterwards)."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zlib
from io import BytesIO
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from numnet import io
from numnet.cli import main
from numnet.data import load_mnist_mini
from numnet.data.pictures import mnist_digit, read_gray
from numnet.presets import build_model

RUN_FILES = {"model.npz", "history.json", "history.csv", "run.json", "learning_curves.png"}
SPIRAL = ("--dataset", "spiral", "--epochs", "6")


def numnet(*args: object, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "numnet", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def patched(script: str, *args: object, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``numnet ARGS`` in a subprocess that first runs ``script`` (to break something on purpose)."""
    code = f"{script}\nfrom numnet.cli import main\nraise SystemExit(main({[str(a) for a in args]!r}))"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def check_ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def check_error(result: subprocess.CompletedProcess[str], status: int, *fragments: str) -> str:
    """The command failed with ``status`` and one line ``numnet: error: ...`` holding every fragment."""
    assert result.returncode == status, result.stderr
    assert "Traceback" not in result.stderr and "Warning" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("numnet: error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def interrupt_after(epochs: int) -> str:
    """A script that makes training stop as Ctrl-C would, at the first iteration after ``epochs`` epochs."""
    return (
        "import numnet.training as T\n"
        "train_epoch = T.Trainer._train_epoch\n"
        "def stopping(self, batches, bar):\n"
        f"    if self._progress.epoch == {epochs}:\n"
        "        self._interrupt_requested = True\n"
        "    return train_epoch(self, batches, bar)\n"
        "T.Trainer._train_epoch = stopping"
    )


@pytest.fixture(scope="module")
def spiral_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished spiral run (6 epochs), to read and to refuse to overwrite."""
    home = tmp_path_factory.mktemp("spiral")
    check_ok(numnet("train", *SPIRAL, "--quiet", "--out", "run", cwd=home))
    return home / "run"


# ------------------------------------------------------------ 1 validation


def test_train_validates_on_a_seeded_tenth_by_default(spiral_run) -> None:
    history = json.loads((spiral_run / "history.json").read_text())
    assert len(history["val_loss"]) == len(history["val_acc"]) == 6
    header = (spiral_run / "history.csv").read_text().splitlines()[0]
    assert header == "epoch,train_loss,train_acc,val_loss,val_acc,epoch_time"
    record = json.loads((spiral_run / "run.json").read_text())
    assert record["validate_on"] == "split" and record["validation_split"] == 0.1
    assert record["results"]["samples"] == {"training": 216, "validation": 24, "test": 60}
    stdout = check_ok(numnet("train", *SPIRAL, "--out", "again", cwd=spiral_run.parent))
    assert "(216 training / 24 validation / 60 test samples)" in stdout
    assert "val_loss" in stdout.splitlines()[2] and "validation accuracy" in stdout
    # seeded: the same split and the same run
    assert json.loads((spiral_run.parent / "again" / "history.json").read_text())["val_loss"] == history["val_loss"]


def test_validation_split_sizes_and_none(tmp_path) -> None:
    stdout = check_ok(numnet("train", *SPIRAL, "--validation-split", "0.25", "--out", "quarter", cwd=tmp_path))
    assert "(181 training / 59 validation / 60 test samples)" in stdout  # a quarter of each class
    stdout = check_ok(numnet("train", *SPIRAL, "--validation-split", "0", "--out", "none", cwd=tmp_path))
    assert "(240 training / 60 test samples)" in stdout and "no validation" in stdout
    assert "val_loss" not in (tmp_path / "none" / "history.json").read_text()
    check_error(numnet("train", "--validation-split", "1", cwd=tmp_path), 2, "--validation-split", "fraction")


def test_validate_on_test_tracks_the_test_set_labelled_as_such(tmp_path) -> None:
    stdout = check_ok(numnet("train", *SPIRAL, "--validate-on", "test", "--out", "r", cwd=tmp_path))
    assert "(240 training / 60 test samples)" in stdout and "tracking the test set" in stdout
    assert "test_loss" in stdout and "val_loss" not in stdout
    assert (tmp_path / "r" / "history.csv").read_text().startswith("epoch,train_loss,train_acc,test_loss,test_acc,")
    assert "test_acc" in json.loads((tmp_path / "r" / "history.json").read_text())
    stdout = check_ok(numnet("info", "r", cwd=tmp_path))
    assert "validation: tracks the test set" in stdout


def test_early_stopping_never_watches_the_test_set(tmp_path) -> None:
    check_error(
        numnet("train", *SPIRAL, "--early-stopping", "2", "--validate-on", "test", cwd=tmp_path),
        2,
        "never the test set",
    )
    check_error(numnet("train", "--early-stopping", "2", "--validation-split", "0", cwd=tmp_path), 2, "needs a valid")
    check_error(
        numnet("train", "--validation-split", "0.2", "--validate-on", "test", cwd=tmp_path), 2, "does not apply"
    )
    assert not (tmp_path / "runs").exists()


# ------------------------------------------------------------ 2 pictures


@pytest.fixture(scope="module")
def mnist_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with ``mlp/`` (a run of numnet train) and ``cnn/`` (a folder holding an untrained cnn's model.npz)."""
    home = tmp_path_factory.mktemp("mnist")
    check_ok(numnet("train", "--epochs", "2", "--hidden", "64", "--quiet", "--out", "mlp", cwd=home))
    (home / "cnn").mkdir()
    io.save(build_model("cnn", "mnist-mini", hidden=[20], seed=0), home / "cnn" / "model.npz")
    return home


def printed_classes(stdout: str) -> list[str]:
    return [line.split(": ", 1)[1].split()[0] for line in stdout.splitlines() if "top-3" in line]


def test_a_digit_anywhere_on_a_big_light_canvas_reads_like_the_mnist_digit(mnist_run, tmp_path) -> None:
    _, (x_test, _) = load_mnist_mini(flatten=False)
    digit = np.round(x_test[3, 0] * 255).astype(np.uint8)
    Image.fromarray(digit).save(tmp_path / "original.png")
    canvas = np.full((300, 500), 255, np.uint8)  # dark ink on white paper, off-centre, 6 times larger
    canvas[20:188, 300:468] = 255 - np.asarray(Image.fromarray(digit).resize((168, 168), Image.Resampling.BILINEAR))
    Image.fromarray(canvas).save(tmp_path / "page.png")
    stdout = check_ok(
        numnet("predict", mnist_run / "mlp", "original.png", "page.png", "--show", "seen.png", cwd=tmp_path)
    )
    original, page = printed_classes(stdout)
    assert original == page
    assert stdout.splitlines()[-2:] == ["wrote seen-1.png", "wrote seen-2.png"]
    seen = np.asarray(Image.open(tmp_path / "seen-2.png"))
    assert seen.shape == (28, 28) and seen.dtype == np.uint8
    expected = mnist_digit(read_gray(tmp_path / "page.png"))
    np.testing.assert_allclose(seen / 255, expected, atol=0.5 / 255 + 1e-6)


def test_blank_and_oversized_pictures_are_one_line_errors(mnist_run, tmp_path) -> None:
    Image.new("L", (50, 50), 255).save(tmp_path / "blank.png")
    check_error(numnet("predict", mnist_run / "mlp", "blank.png", cwd=tmp_path), 1, "blank.png is blank")
    header = bytearray(open_png(1, 1))
    ihdr = header.index(b"IHDR")
    header[ihdr + 4 : ihdr + 12] = struct.pack(">II", 7000, 7000)
    header[ihdr + 17 : ihdr + 21] = struct.pack(">I", zlib.crc32(bytes(header[ihdr : ihdr + 17])))
    (tmp_path / "huge.png").write_bytes(bytes(header))
    check_error(numnet("predict", mnist_run / "mlp", "huge.png", cwd=tmp_path), 1, "huge.png: it has 7000x7000 pixels")
    (tmp_path / "cut.png").write_bytes(open_png(30, 30)[:-30])
    check_error(numnet("predict", mnist_run / "mlp", "cut.png", cwd=tmp_path), 1, "cannot read the picture")


def open_png(width: int, height: int) -> bytes:
    buffer = BytesIO()
    Image.new("L", (width, height)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("shape", [(28, 28), (1, 28, 28), (784,)])
def test_npy_samples_of_any_layout_for_mlp_and_cnn(mnist_run, tmp_path, shape) -> None:
    _, (x_test, _) = load_mnist_mini()
    np.save(tmp_path / "one.npy", x_test[5].reshape(shape))
    for model, layout in (("mlp", (1, 784)), ("cnn", (1, 1, 28, 28))):
        stdout = check_ok(numnet("predict", mnist_run / model, "one.npy", cwd=tmp_path))
        expected = io.load(mnist_run / model / "model.npz").predict_labels(x_test[5].reshape(layout))
        assert printed_classes(stdout) == [str(expected[0])]
    np.save(tmp_path / "nan.npy", np.full(shape, np.nan, np.float32))
    check_error(numnet("predict", mnist_run / "mlp", "nan.npy", cwd=tmp_path), 1, "nan.npy must hold finite numbers")


# ------------------------------------------------------------ 3 run folders


def test_an_existing_run_is_never_overwritten_without_force(spiral_run, tmp_path) -> None:
    home = spiral_run.parent
    before = snapshot(spiral_run)
    result = numnet("train", *SPIRAL, "--out", spiral_run.name, cwd=home)
    check_error(result, 1, "run already holds a run: pass --force to replace it, or choose another --out")
    assert "epoch" not in result.stdout  # refused before training
    assert snapshot(spiral_run) == before

    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("years of work")
    for extra in ((), ("--force",)):
        check_error(numnet("train", *SPIRAL, "--out", "mine", *extra, cwd=tmp_path), 1, "holds other files")
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["thesis.tex"]
    (tmp_path / "file").write_text("x")
    check_error(numnet("train", *SPIRAL, "--out", "file", cwd=tmp_path), 1, "file is a file, not a folder")
    check_error(numnet("train", *SPIRAL, "--out", "/proc/numnet-run", cwd=tmp_path), 1, "cannot write to /proc")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "mine"]


def test_force_replaces_the_run_folder_whole(tmp_path) -> None:
    check_ok(numnet("train", *SPIRAL, "--quiet", "--out", "r", cwd=tmp_path))
    check_ok(numnet("plot", "boundary", "r", "--out", "r/extra.png", cwd=tmp_path))
    check_ok(numnet("train", *SPIRAL, "--quiet", "--hidden", "7", "--out", "r", "--force", cwd=tmp_path))
    assert {p.name for p in (tmp_path / "r").iterdir()} == RUN_FILES  # nothing of the old run mixed in
    assert io.load(tmp_path / "r" / "model.npz").get_config()["sizes"] == [2, 7, 3]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]  # no temporary folder left


def test_too_little_free_space_is_refused_before_training(tmp_path) -> None:
    script = "import shutil\nshutil.disk_usage = lambda path: shutil._ntuple_diskusage(10**9, 10**9 - 5000, 5000)"
    result = patched(script, "train", "--out", "r", cwd=tmp_path)
    check_error(result, 1, "has 5.0 kB free, and the run needs 2.8 MB", "free some space or choose another --out")
    assert "epoch" not in result.stdout and not (tmp_path / "r").exists()
    result = patched(script, "train", cwd=tmp_path)  # the default folder is not left behind either
    check_error(result, 1, "free")
    assert list((tmp_path / "runs").iterdir()) == []


def test_a_failure_after_training_keeps_the_model_and_says_where(tmp_path) -> None:
    script = (
        "import numnet.plotting\n"
        "def broken(*args, **kwargs):\n"
        "    raise OSError(28, 'No space left on device')\n"
        "numnet.plotting.save_figure = broken"
    )
    result = patched(script, "train", *SPIRAL, "--out", "r", cwd=tmp_path)
    line = check_error(result, 1, "could not write the run folder r", "No space left on device")
    rescued = Path(line.split("the trained model is saved in ")[1])
    assert rescued.name == "model.npz" and io.load(rescued).get_config()["sizes"] == [2, 100, 3]
    assert list(tmp_path.iterdir()) == []  # no half-written run folder, no temporary folder
    rescued.unlink()
    rescued.parent.rmdir()


def test_ctrl_c_while_the_run_folder_is_written_keeps_the_model_and_says_where(tmp_path) -> None:
    script = (
        "import numnet.plotting\n"
        "def interrupted(*args, **kwargs):\n"
        "    raise KeyboardInterrupt\n"
        "numnet.plotting.save_figure = interrupted"
    )
    result = patched(script, "train", *SPIRAL, "--quiet", "--out", "r", cwd=tmp_path)
    assert result.returncode == 130 and "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("numnet: interrupted while writing r; the trained model is saved in ")
    rescued = Path(line.rsplit(" ", 1)[1])
    assert io.load(rescued).get_config()["sizes"] == [2, 100, 3] and list(tmp_path.iterdir()) == []
    rescued.unlink()
    rescued.parent.rmdir()


def test_an_interrupted_run_resumes_to_the_total_epochs_and_ends_as_an_uninterrupted_one(tmp_path) -> None:
    result = patched(interrupt_after(2), "train", *SPIRAL, "--batch-size", "30", "--out", "r", cwd=tmp_path)
    assert result.returncode == 130 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0] == f"numnet: interrupted; saved {Path('r', 'checkpoint.npz')}"
    assert {p.name for p in (tmp_path / "r").iterdir()} == {"checkpoint.npz", "run.json"}
    assert json.loads((tmp_path / "r" / "run.json").read_text())["status"] == "interrupted"
    assert "interrupted after 2 epochs" in check_ok(numnet("info", "r", cwd=tmp_path))
    check_error(numnet("train", *SPIRAL, "--out", "r", cwd=tmp_path), 1, "holds an interrupted run", "--resume r")
    check_error(numnet("evaluate", "r", cwd=tmp_path), 1, "holds an interrupted run", "train --resume r")

    before = snapshot(tmp_path / "r")
    for options, fragments in (
        (("--epochs", "2"), ("--epochs is the total number of epochs", "has done 2", "--epochs 4")),
        (("--hidden", "50", "--lr", "0.5"), ("--hidden 50 (it holds MLP(2-100-3", "--lr 0.5 (it trains with Adam")),
        (("--batch-size", "10"), ("--batch-size 10 (it was started with 30)",)),
        (("--dataset", "planar"), ("--dataset planar conflicts", "trained on spiral")),
    ):
        check_error(numnet("train", "--resume", "r", *options, cwd=tmp_path), 2, *fragments)
        assert snapshot(tmp_path / "r") == before

    stdout = check_ok(numnet("train", "--resume", "r", cwd=tmp_path))  # the rest from run.json
    assert "resuming from r/checkpoint.npz (epoch 2)" in stdout.replace(os.sep, "/") and "epoch 6/6" in stdout
    assert {p.name for p in (tmp_path / "r").iterdir()} == RUN_FILES  # checkpoint.npz removed
    check_ok(numnet("train", *SPIRAL, "--batch-size", "30", "--quiet", "--out", "whole", cwd=tmp_path))
    resumed, whole = io.load(tmp_path / "r" / "model.npz"), io.load(tmp_path / "whole" / "model.npz")
    for name, array in whole.named_arrays().items():
        np.testing.assert_array_equal(resumed.named_arrays()[name], array)
    assert len(json.loads((tmp_path / "r" / "history.json").read_text())["train_loss"]) == 6


# ------------------------------------------------------------ 4 training health


def test_a_growing_loss_warns_with_the_cause_and_the_fix(tmp_path) -> None:
    result = numnet(
        "train", "--dataset", "spiral", "--optimizer", "sgd", "--lr", "20", "--epochs", "30", "--out", "r", cwd=tmp_path
    )
    assert result.returncode == 0
    (warning,) = [line for line in result.stderr.splitlines() if line.startswith("numnet: warning: ")]
    assert "the training loss grew from" in warning and "learning rate is probably too large; try --lr 2" in warning
    assert json.loads((tmp_path / "r" / "run.json").read_text())["results"]["warnings"]
    assert "warning: the training loss grew" in check_ok(numnet("info", "r", cwd=tmp_path))


def test_non_finite_data_is_named_not_blamed_on_the_learning_rate(tmp_path) -> None:
    script = (
        "import numpy as np, numnet.data.catalogue as c\n"
        "info = c.DATASETS['spiral']\n"
        "load = info.loader\n"
        "def broken(data_dir, verbose):\n"
        "    (x, t), test = load(data_dir, verbose)\n"
        "    x = x.copy(); x[5, 0] = np.nan\n"
        "    return (x, t), test\n"
        "object.__setattr__(info, 'loader', broken)"
    )
    line = check_error(patched(script, "train", *SPIRAL, "--out", "r", cwd=tmp_path), 1, "non-finite values")
    assert "learning rate" not in line and not (tmp_path / "r").exists()


# ------------------------------------------------------------ 5 consistent commands


def test_every_command_takes_a_run_folder_where_it_takes_a_model(spiral_run, tmp_path) -> None:
    home = spiral_run.parent
    assert "spiral test set (60 samples)" in check_ok(numnet("evaluate", "run", cwd=home))
    np.save(tmp_path / "points.npy", np.zeros((2, 2), np.float32))
    assert len(check_ok(numnet("predict", "run", tmp_path / "points.npy", cwd=home)).splitlines()) == 2
    assert check_ok(numnet("plot", "boundary", "run", cwd=home)) == f"{Path('run', 'boundary.png')}\n"


def test_every_figure_of_a_model_takes_a_run_folder(spiral_run, mnist_run, monkeypatch, capsys) -> None:
    monkeypatch.chdir(mnist_run)
    for figure, folder in (("weights", "mlp"), ("misclassified", "mlp"), ("filters", "cnn")):
        assert main(["plot", figure, folder]) == 0
        assert capsys.readouterr().out == f"{Path(folder, figure + '.png')}\n"
        assert (mnist_run / folder / f"{figure}.png").is_file()
    assert main(["plot", "weights", str(spiral_run)]) == 1
    assert "takes 2 input values" in capsys.readouterr().err


def test_folders_that_hold_no_model_are_named(mnist_run, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(mnist_run)
    assert main(["plot", "boundary", "mlp"]) == 1
    assert "2-D points (spiral, planar)" in capsys.readouterr().err
    assert main(["evaluate", str(tmp_path)]) == 1
    error = capsys.readouterr().err
    assert error == f"numnet: error: {tmp_path} is a folder without model.npz: give a model file or a run folder\n"


@pytest.mark.parametrize(
    "argv",
    [
        ["train", "--resume", "missing.npz"],
        ["evaluate", "missing"],
        ["predict", "missing", "x.png"],
        ["plot", "history", "missing"],
        ["plot", "weights", "missing"],
        ["plot", "boundary", "missing"],
        ["info", "missing"],
        ["compare", "missing"],
    ],
)
def test_debug_is_accepted_by_every_command(tmp_path, monkeypatch, argv) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 1
    with pytest.raises(FileNotFoundError, match="missing"):
        main([*argv, "--debug"])
    with pytest.raises(FileNotFoundError, match="missing"):
        main(["--debug", *argv])
    if argv[0] == "plot":
        with pytest.raises(FileNotFoundError, match="missing"):
            main(["plot", "--debug", *argv[1:]])


def test_options_that_do_not_apply_are_refused(tmp_path) -> None:
    check_error(numnet("train", "--hidden", cwd=tmp_path), 2, "--hidden", "expected at least one argument")
    check_error(
        numnet("train", "--dataset", "spiral", "--model", "logreg", "--dropout", "0.5", cwd=tmp_path),
        1,
        "model logreg has no dropout; use model mlp or cnn",
    )
    check_error(numnet("train", "--model", "two-layer", "--batch-norm", cwd=tmp_path), 1, "two-layer has no batch")
    check_error(numnet("train", "--model", "cnn", "--activation", "tanh", cwd=tmp_path), 1, "always uses ReLU")
    assert not (tmp_path / "runs").exists()


def test_dropout_and_batch_norm_train_mlps_and_cnns(tmp_path) -> None:
    check_ok(numnet("train", *SPIRAL, "--dropout", "0.2", "--batch-norm", "--quiet", "--out", "mlp", cwd=tmp_path))
    assert [type(layer).__name__ for layer in io.load(tmp_path / "mlp" / "model.npz").layers] == [
        "Dense",
        "BatchNorm",
        "ReLU",
        "Dropout",
        "Dense",
    ]
    record = json.loads((tmp_path / "mlp" / "run.json").read_text())
    assert record["dropout"] == 0.2 and record["batch_norm"] is True
    assert "--dropout 0.2 --batch-norm" in check_ok(numnet("info", "mlp", cwd=tmp_path))


def test_offline_mnist_names_every_way_to_get_it(tmp_path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "NUMNET_DATA_DIR"}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    script = "import numnet.data.mnist as m\nm.MIRRORS['mnist'] = ('http://127.0.0.1:9/',)"
    check_error(
        patched(script, "train", "--dataset", "mnist", cwd=tmp_path, env=env),
        1,
        "mnist is not on this machine and could not be downloaded",
        "--data-dir",
        "NUMNET_DATA_DIR",
        str(tmp_path / "cache" / "numnet" / "mnist"),
        "--dataset mnist-mini",
    )
    assert list(tmp_path.iterdir()) == []  # a failed download leaves not even the cache folder behind


# ------------------------------------------------------------ 6 info and compare


def test_info_of_a_run_shows_dataset_classes_layers_settings_and_results(spiral_run) -> None:
    stdout = check_ok(numnet("info", "run", cwd=spiral_run.parent))
    assert "run: a numnet run (complete)" in stdout
    assert "dataset: spiral: three interleaved spirals" in stdout and "3 classes: 0, 1, 2" in stdout
    assert "216 training / 24 validation / 60 test samples" in stdout
    assert "training: adam lr 0.01, batch full, 6 epochs, seed 0" in stdout
    assert "validation: 10% of the training set held out; early stopping: off" in stdout
    record = json.loads((spiral_run / "run.json").read_text())["results"]
    assert f"test accuracy {record['test_accuracy']:.4f}" in stdout and "best epoch" in stdout
    table = [line.split() for line in stdout.splitlines()]
    assert ["0", "Dense", "W", "(2,", "100),", "b", "(100,)", "(N,", "100)", "300"] in table
    assert ["2", "Dense", "W", "(100,", "3),", "b", "(3,)", "(N,", "3)", "303"] in table
    assert stdout.splitlines()[-1] == "603 parameters, float32"


def test_compare_prints_a_table_and_draws_the_validation_curves(spiral_run, tmp_path) -> None:
    check_ok(numnet("train", *SPIRAL, "--hidden", "10", "--quiet", "--out", tmp_path / "small", cwd=tmp_path))
    stdout = check_ok(numnet("compare", spiral_run, tmp_path / "small", "--out", "both.png", cwd=tmp_path))
    header, first, second, path = stdout.splitlines()
    assert header.split()[:7] == ["run", "dataset", "model", "best", "val", "acc", "(epoch)"]
    assert first.startswith("run ") and second.startswith("small ")
    history = json.loads((spiral_run / "history.json").read_text())
    best = int(np.argmax(history["val_acc"]))
    assert f"{history['val_acc'][best]:.4f} ({best + 1})" in first and f"{history['val_acc'][-1]:.4f}" in first
    assert "MLP(2-10-3, 63 parameters)" in second and path == "both.png"
    assert (tmp_path / "both.png").read_bytes().startswith(b"\x89PNG")
    check_error(numnet("compare", tmp_path, cwd=tmp_path), 1, "is not a run folder")
