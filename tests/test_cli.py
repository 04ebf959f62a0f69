"""End-to-end tests of the ``numnet`` command, run as ``python -m numnet`` in subprocesses."""

from __future__ import annotations

import dataclasses
import json
import os
import queue
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from numnet import cli, io
from numnet.cli import main
from numnet.data import load_mnist_mini
from numnet.data.pictures import mnist_digit
from numnet.models import MLP, LogisticRegression

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
RUN_FILES = {"model.npz", "history.json", "history.csv", "run.json", "learning_curves.png"}


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


def check_ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def check_error(result: subprocess.CompletedProcess[str], status: int, *fragments: str) -> str:
    """The command failed with ``status`` and one line ``numnet: error: ...`` holding every fragment."""
    assert result.returncode == status, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("numnet: error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


def is_png(path: Path) -> bool:
    if not path.read_bytes().startswith(PNG_SIGNATURE):
        return False
    with Image.open(path) as image:
        image.verify()
    return True


@pytest.fixture(scope="module")
def mnist_test() -> tuple[np.ndarray, np.ndarray]:
    _, test = load_mnist_mini()
    return test


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """A one-epoch MLP 784-32-10 trained by ``numnet train``: (working dir, run folder, stdout)."""
    home = tmp_path_factory.mktemp("cli")
    stdout = check_ok(numnet("train", "--epochs", "1", "--hidden", "32", cwd=home))
    (run_dir,) = (home / "runs").iterdir()
    return home, run_dir, stdout


# ------------------------------------------------------------------ train


def test_train_writes_a_complete_run_folder(trained, mnist_test) -> None:
    _, run_dir, stdout = trained
    assert re.fullmatch(r"\d{8}-\d{6}-mnist-mini-mlp", run_dir.name)
    assert {p.name for p in run_dir.iterdir()} == RUN_FILES

    model = io.load(run_dir / "model.npz")
    assert isinstance(model, MLP) and model.get_config()["sizes"] == [784, 32, 10]

    history = json.loads((run_dir / "history.json").read_text())
    assert len(history["train_loss"]) == 1 and len(history["train_acc"]) == 1 and len(history["val_acc"]) == 1
    assert len(history["loss"]) == 5400 // 100  # one loss per mini-batch; 600 held out for validation
    header, row = (run_dir / "history.csv").read_text().splitlines()
    assert header == "epoch,train_loss,train_acc,val_loss,val_acc,epoch_time"
    values = row.split(",")
    assert values[0] == "1" and float(values[1]) == history["train_loss"][0]

    x_test, t_test = mnist_test
    accuracy = model.accuracy(x_test, t_test)
    assert f"test accuracy {accuracy:.4f}" in stdout
    assert "epoch 1/1" in stdout and "MLP 784-32-10 (25,450 parameters)" in stdout
    assert model.metadata == {"dataset": "mnist-mini", "class_names": list("0123456789")}
    run = json.loads((run_dir / "run.json").read_text())
    assert run["dataset"] == "mnist-mini" and run["results"]["test_accuracy"] == accuracy
    assert run["epochs"] == 1 and run["batch_size"] == 100 and run["seed"] == 0
    assert is_png(run_dir / "learning_curves.png")


def test_train_quietly_on_spiral_and_evaluate_on_the_same_data(tmp_path) -> None:
    assert (
        check_ok(numnet("train", "--dataset", "spiral", "--epochs", "5", "--quiet", "--out", "r", cwd=tmp_path)) == ""
    )
    model = io.load(tmp_path / "r" / "model.npz")
    assert model.get_config()["sizes"] == [2, 100, 3]
    assert json.loads((tmp_path / "r" / "run.json").read_text())["batch_size"] is None  # full batch
    # evaluate finds the dataset in the run folder: the 60 test points of spiral
    assert "spiral test set (60 samples)" in check_ok(numnet("evaluate", "r/model.npz", cwd=tmp_path))
    Image.new("L", (28, 28)).save(tmp_path / "digit.png")
    check_error(
        numnet("predict", "r/model.npz", "digit.png", cwd=tmp_path),
        1,
        "the model takes 2 input values, not 28x28 gray or 64x64 RGB pictures",
    )
    check_error(
        numnet("evaluate", "r/model.npz", "--dataset", "planar", cwd=tmp_path),
        1,
        "the model predicts 3 classes, but planar has 2",
    )


def test_a_model_file_knows_its_dataset_and_class_names_outside_its_run_folder(tmp_path) -> None:
    check_ok(numnet("train", "--dataset", "spiral", "--epochs", "2", "--quiet", "--out", "r", cwd=tmp_path))
    shutil.copy(tmp_path / "r" / "model.npz", tmp_path / "copy.npz")
    assert "spiral test set (60 samples)" in check_ok(numnet("evaluate", "copy.npz", cwd=tmp_path))
    model = io.load(tmp_path / "copy.npz")
    assert model.metadata == {"dataset": "spiral", "class_names": ["0", "1", "2"]}
    names = ["red", "green", "blue"]
    model.metadata["class_names"] = names
    io.save(model, tmp_path / "colours.npz")
    points = np.array([[0.5, 0.1], [-0.3, 0.4], [0.0, -0.6]], dtype=np.float32)
    np.save(tmp_path / "points.npy", points)
    stdout = check_ok(numnet("predict", "colours.npz", "points.npy", cwd=tmp_path))
    predicted, p = model.predict_labels(points), model.predict_proba(points)
    for i, line in enumerate(stdout.splitlines()):
        label, rest = line.split(": ", 1)
        name, ranking = rest.split("   top-3: ")
        assert label == f"points.npy[{i}]" and name == names[predicted[i]]
        assert [pair.split()[0] for pair in ranking.split("  ")] == [names[c] for c in np.argsort(-p[i])]
    assert 'metadata: {"dataset": "spiral", "class_names": ["red", "green", "blue"]}' in check_ok(
        numnet("info", "colours.npz", cwd=tmp_path)
    )


def test_train_with_early_stopping_validates_on_a_held_out_tenth(tmp_path) -> None:
    stdout = check_ok(
        numnet("train", "--dataset", "spiral", "--epochs", "20", "--early-stopping", "2", "--out", "r", cwd=tmp_path)
    )
    assert "216 training / 24 validation / 60 test samples" in stdout
    assert "early stopping on the validation loss (patience 2)" in stdout
    history = json.loads((tmp_path / "r" / "history.json").read_text())
    assert 1 <= len(history["val_loss"]) == len(history["train_loss"]) <= 20


def test_train_without_matplotlib_skips_the_learning_curves(tmp_path) -> None:
    script = (
        "import sys; sys.modules['matplotlib'] = None; from numnet.cli import main; "
        "raise SystemExit(main(['train', '--dataset', 'spiral', '--epochs', '2', '--out', 'r']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False
    )
    stdout = check_ok(result)
    assert "note: matplotlib is not installed" in stdout and "pip install 'numnet[plot]'" in stdout
    assert {p.name for p in (tmp_path / "r").iterdir()} == RUN_FILES - {"learning_curves.png"}


@pytest.mark.needs_data
def test_catvnoncat_trains_logistic_regression_on_flattened_photos(tmp_path) -> None:
    stdout = check_ok(numnet("train", "--dataset", "catvnoncat", "--epochs", "2", "--out", "r", cwd=tmp_path))
    assert "LogisticRegression 12288-1" in stdout
    assert isinstance(io.load(tmp_path / "r" / "model.npz"), LogisticRegression)
    Image.new("RGB", (80, 80), (200, 120, 40)).save(tmp_path / "photo.jpg")
    # a model file copied out of its run folder still knows its classes and its dataset
    (tmp_path / "elsewhere").mkdir()
    shutil.copy(tmp_path / "r" / "model.npz", tmp_path / "elsewhere" / "cat_model.npz")
    for model_file in ("r/model.npz", "elsewhere/cat_model.npz"):
        line = check_ok(numnet("predict", model_file, "photo.jpg", cwd=tmp_path)).strip()
        assert re.fullmatch(
            r"photo\.jpg: (non-cat|cat)   top-3: (non-cat|cat) [01]\.\d{4}  (non-cat|cat) [01]\.\d{4}", line
        )
    evaluation = check_ok(numnet("evaluate", "elsewhere/cat_model.npz", cwd=tmp_path))
    assert "on the catvnoncat test set (50 samples)" in evaluation and "0 non-cat" in evaluation


# --------------------------------------------------------------- evaluate


def test_evaluate_prints_accuracy_per_class_metrics_and_the_confusion_matrix(trained, mnist_test) -> None:
    home, run_dir, _ = trained
    stdout = check_ok(numnet("evaluate", run_dir / "model.npz", "--plot", "cm.png", cwd=home))
    x_test, t_test = mnist_test
    predicted = io.load(run_dir / "model.npz").predict_labels(x_test)
    expected = np.zeros((10, 10), dtype=int)
    np.add.at(expected, (t_test, predicted), 1)
    correct = int(np.sum(predicted == t_test))
    assert f"accuracy {correct / 1000:.4f} ({correct:,}/1,000)" in stdout

    lines = stdout.splitlines()
    start = lines.index("confusion matrix (rows: true class, columns: predicted class)") + 2
    printed = np.array([[int(n) for n in line.split()[1:]] for line in lines[start : start + 10]])
    np.testing.assert_array_equal(printed, expected)

    assert lines[3] == "class      precision  recall      f1  support"
    (row_3,) = [line.split() for line in lines if line.startswith("3 ") and len(line.split()) == 5]
    precision, recall = expected[3, 3] / expected[:, 3].sum(), expected[3, 3] / 100
    assert float(row_3[1]) == pytest.approx(precision, abs=5e-5)
    assert float(row_3[2]) == pytest.approx(recall, abs=5e-5)
    assert float(row_3[3]) == pytest.approx(2 * precision * recall / (precision + recall), abs=5e-5)  # F1
    assert row_3[4] == "100"
    (macro,) = [line.split() for line in lines if line.startswith("macro avg")]
    assert macro[-1] == "1000"
    assert lines[-1] == "wrote cm.png" and is_png(home / "cm.png")


# ---------------------------------------------------------------- predict


def predictions(stdout: str) -> dict[str, tuple[int, list[tuple[int, float]]]]:
    """``{input label: (class, [(class, probability)] * 3)}`` from predict's output."""
    result = {}
    for line in stdout.splitlines():
        label, rest = line.split(": ", 1)
        predicted, ranking = rest.split("   top-3: ")
        pairs = ranking.split("  ")
        result[label] = (int(predicted), [(int(c), float(p)) for c, p in (pair.split() for pair in pairs)])
    return result


def check_prediction(model, x: np.ndarray, printed: tuple[int, list[tuple[int, float]]]) -> None:
    """The printed class and top-3 are the model's own, for the single sample ``x`` (1, D)."""
    predicted, top = printed
    assert predicted == model.predict_labels(x)[0]
    p = model.predict_proba(x)[0]
    assert [c for c, _ in top] == list(np.argsort(-p)[:3])
    np.testing.assert_allclose([q for _, q in top], np.sort(p)[::-1][:3], atol=5e-5)


def test_predict_npy_arrays_of_one_sample_or_a_batch(trained, mnist_test, tmp_path) -> None:
    _, run_dir, _ = trained
    x_test, _ = mnist_test
    np.save(tmp_path / "batch.npy", x_test[:3])
    np.save(tmp_path / "one.npy", x_test[7].reshape(28, 28))
    np.save(tmp_path / "pixels.npy", np.round(x_test[:2] * 255).astype(np.uint8))
    stdout = check_ok(numnet("predict", run_dir / "model.npz", "batch.npy", "one.npy", "pixels.npy", cwd=tmp_path))
    printed = predictions(stdout)
    assert list(printed) == [
        "batch.npy[0]",
        "batch.npy[1]",
        "batch.npy[2]",
        "one.npy",
        "pixels.npy[0]",
        "pixels.npy[1]",
    ]
    model = io.load(run_dir / "model.npz")
    for i in range(3):
        check_prediction(model, x_test[i : i + 1], printed[f"batch.npy[{i}]"])
    check_prediction(model, x_test[7:8], printed["one.npy"])
    assert printed["pixels.npy[0]"] == printed["batch.npy[0]"]  # uint8 pixels are divided by 255


def test_predict_pictures_converted_like_mnist(trained, tmp_path) -> None:
    _, run_dir, _ = trained
    dark_on_light = Image.new("L", (28, 28), 255)
    ImageDraw.Draw(dark_on_light).line([(14, 4), (14, 23)], fill=0, width=3)
    dark_on_light.save(tmp_path / "ink.png")
    Image.eval(dark_on_light, lambda v: 255 - v).save(tmp_path / "chalk.png")
    dark_on_light.convert("RGB").resize((112, 112)).save(tmp_path / "big.jpg")
    stdout = check_ok(numnet("predict", run_dir / "model.npz", "ink.png", "chalk.png", "big.jpg", cwd=tmp_path))
    printed = predictions(stdout)
    # a light picture is inverted (white digit on black, as in MNIST), cropped, fitted into 20x20 and centred
    expected_input = mnist_digit(np.asarray(dark_on_light, dtype=np.float32) / 255).reshape(1, 784)
    model = io.load(run_dir / "model.npz")
    check_prediction(model, expected_input, printed["ink.png"])
    assert printed["chalk.png"] == printed["ink.png"]
    predicted, top = printed["big.jpg"]
    assert 0 <= predicted <= 9 and top[0][0] == predicted
    assert top[0][1] >= top[1][1] >= top[2][1] and sum(p for _, p in top) <= 1 + 1e-4


# ------------------------------------------------------------- info, plot


def test_info_describes_layers_shapes_and_counts(trained) -> None:
    home, run_dir, _ = trained
    stdout = check_ok(numnet("info", run_dir / "model.npz", cwd=home))
    n_params = 784 * 32 + 32 + 32 * 10 + 10
    assert "numnet model file, format version 2" in stdout
    assert f"model: MLP, float32, {n_params:,} parameters" in stdout
    assert "W (784, 32), b (32,)" in stdout and "W (32, 10), b (10,)" in stdout
    assert "SoftmaxWithLoss" in stdout


@pytest.mark.parametrize(
    ("figure", "argument"),
    [("activations", None), ("history", "run"), ("weights", "model"), ("misclassified", "model")],
)
def test_plot_commands_write_a_png_and_print_its_path(trained, tmp_path, figure, argument) -> None:
    home, run_dir, _ = trained
    inputs = {None: [], "run": [run_dir], "model": [run_dir / "model.npz"]}[argument]
    out = tmp_path / f"{figure}.png"
    stdout = check_ok(numnet("plot", figure, *inputs, "--out", out, cwd=home))
    assert stdout == f"{out}\n"
    assert is_png(out)


def test_plot_weights_defaults_to_a_file_beside_the_model(trained) -> None:
    home, run_dir, _ = trained
    stdout = check_ok(numnet("plot", "weights", run_dir / "model.npz", cwd=home))
    assert stdout == f"{run_dir / 'weights.png'}\n" and is_png(run_dir / "weights.png")


# ----------------------------------------------------------------- errors


def test_usage_errors_exit_2_with_one_line(tmp_path) -> None:
    check_error(
        numnet("train", "--dataset", "imagenet", cwd=tmp_path), 2, "invalid choice: 'imagenet'", "numnet train --help"
    )
    check_error(numnet("train", "--epochs", "0", cwd=tmp_path), 2, "--epochs", "'0'")
    check_error(numnet(cwd=tmp_path), 2, "required")


def test_bad_files_exit_1_with_one_line(trained, tmp_path) -> None:
    _, run_dir, _ = trained
    check_error(numnet("evaluate", "missing.npz", cwd=tmp_path), 1, "missing.npz", "not found")
    (tmp_path / "corrupt.npz").write_bytes(b"PK\x03\x04 this is not a zip archive at all")
    check_error(numnet("info", "corrupt.npz", cwd=tmp_path), 1, "corrupt.npz", "truncated or corrupted")
    (tmp_path / "notes.txt").write_text("not a picture")
    check_error(
        numnet("predict", run_dir / "model.npz", "notes.txt", cwd=tmp_path), 1, "notes.txt is neither a picture"
    )
    check_error(numnet("train", "--resume", run_dir / "model.npz", cwd=tmp_path), 1, "not a checkpoint")


def test_a_model_that_does_not_fit_the_data_exits_1(trained, tmp_path) -> None:
    _, run_dir, _ = trained
    check_error(
        numnet("evaluate", run_dir / "model.npz", "--dataset", "spiral", cwd=tmp_path),
        1,
        "the model takes 784 input values per sample, but dataset spiral has 2",
    )
    np.save(tmp_path / "wrong.npy", np.zeros((4, 10), dtype=np.float32))
    check_error(numnet("predict", run_dir / "model.npz", "wrong.npy", cwd=tmp_path), 1, "shape (4, 10)", "784")


def test_diverging_training_stops_with_an_error_and_writes_nothing(tmp_path) -> None:
    result = numnet("train", "--dataset", "spiral", "--optimizer", "sgd", "--lr", "1e30", "--out", "r", cwd=tmp_path)
    check_error(result, 1, "training diverged", "smaller learning rate")
    assert not (tmp_path / "r").exists()


def test_missing_data_is_one_line_even_for_a_multi_line_message(tmp_path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "NUMNET_DATA_DIR"}
    check_error(numnet("train", "--dataset", "catvnoncat", cwd=tmp_path, env=env), 1, "train_catvnoncat.h5 not found")
    assert not (tmp_path / "runs").exists()  # nothing written for a failed run


def test_debug_shows_the_real_exception(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="missing.npz"):
        main(["evaluate", str(tmp_path / "missing.npz"), "--debug"])
    assert main(["evaluate", str(tmp_path / "missing.npz")]) == 1


# --------------------------------------------------------------- commands


def test_every_command_is_a_module_with_add_parser_and_run(capsys) -> None:
    assert [command.__name__ for command in cli.COMMANDS] == [
        "numnet.cli.train",
        "numnet.cli.evaluate",
        "numnet.cli.predict",
        "numnet.cli.generate",
        "numnet.cli.plot",
        "numnet.cli.info",
        "numnet.cli.compare",
        "numnet.cli.export",
        "numnet.cli.sweep",
        "numnet.cli.check",
        "numnet.cli.lab",
    ]
    assert main(["--help"]) == 0
    listed = capsys.readouterr().out
    commands = (
        "train",
        "evaluate",
        "predict",
        "generate",
        "plot",
        "info",
        "compare",
        "export",
        "sweep",
        "check",
        "lab",
    )
    for name in commands:
        assert f"    {name} " in listed


def test_a_new_command_module_plugs_in_without_touching_the_others(monkeypatch, capsys) -> None:
    class Hello:  # what a module such as numnet/cli/hello.py provides
        @staticmethod
        def add_parser(subparsers):
            parser = subparsers.add_parser("hello", help="greet")
            parser.add_argument("name")
            return parser

        @staticmethod
        def run(args) -> int:
            if args.name == "nobody":
                raise ValueError("nobody to greet")
            print(f"hello {args.name}")
            return 0

    monkeypatch.setattr(cli, "COMMANDS", [*cli.COMMANDS, Hello])
    assert main(["hello", "world"]) == 0 and capsys.readouterr().out == "hello world\n"
    assert main(["hello", "nobody"]) == 1  # errors are reported by main, as for every command
    assert capsys.readouterr().err == "numnet: error: nobody to greet\n"


# ------------------------------------------------------------ interrupts


def test_ctrl_c_saves_a_checkpoint_and_the_printed_command_resumes(tmp_path) -> None:
    command = [sys.executable, "-m", "numnet", "train", "--epochs", "4", "--hidden", "300", "--out", "run"]
    lines: queue.Queue[str] = queue.Queue()
    with subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True)
        reader.start()
        try:
            while not (line := lines.get(timeout=120)).startswith("epoch 1/4"):
                pass
            process.send_signal(signal.SIGINT)
            process.wait(timeout=120)
        finally:
            if process.poll() is None:
                process.kill()
            reader.join(timeout=10)
        stderr = process.stderr.read()
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    checkpoint_path = tmp_path / "run" / "checkpoint.npz"
    resume = "numnet train --epochs 4 --hidden 300 --out run --resume run/checkpoint.npz"
    assert stderr.splitlines() == [
        f"numnet: interrupted; saved {Path('run', 'checkpoint.npz')}",
        f"resume with: {resume}",
    ]
    assert not (tmp_path / "run" / "model.npz").exists()
    checkpoint = io.load_checkpoint(checkpoint_path)
    assert checkpoint.epoch >= 1
    first_loss = checkpoint.history["train_loss"][0]
    assert f"train_loss {first_loss:.4f}" in line

    resumed = check_ok(numnet(*shlex.split(resume)[1:], cwd=tmp_path))
    assert "resuming from run/checkpoint.npz" in resumed and "epoch 4/4" in resumed
    history = json.loads((tmp_path / "run" / "history.json").read_text())
    assert len(history["train_loss"]) == 4 and history["train_loss"][0] == first_loss


# ---------------------------------------------------------------- default


@pytest.mark.slow
def test_default_train_reaches_94_percent_on_mnist_mini_within_a_minute(tmp_path, mnist_test) -> None:
    started = time.perf_counter()
    stdout = check_ok(numnet("train", "--out", "default", cwd=tmp_path))
    seconds = time.perf_counter() - started
    x_test, t_test = mnist_test
    accuracy = io.load(tmp_path / "default" / "model.npz").accuracy(x_test, t_test)
    assert accuracy >= 0.94
    assert f"test accuracy {accuracy:.4f}" in stdout and "epoch 10/10" in stdout and "val_acc" in stdout
    assert seconds < 60


def test_cnn_trains_on_images_and_plots_its_filters_before_and_after(tmp_path) -> None:
    run = tmp_path / "cnn"
    out = check_ok(
        numnet("train", "--model", "cnn", "--epochs", "1", "--hidden", "20", "--quiet", "--out", run, cwd=tmp_path)
    )
    assert out == ""
    model = io.load(run / "model.npz")
    assert type(model).__name__ == "SimpleConvNet" and model.params[0].shape == (30, 1, 5, 5)
    initial = np.load(run / "initial_filters.npy")
    assert initial.shape == (30, 1, 5, 5) and not np.array_equal(initial, model.params[0])
    (_, _), (x_test, t_test) = load_mnist_mini(flatten=False)
    assert model.accuracy(x_test, t_test) > 0.85
    assert check_ok(numnet("plot", "filters", run / "model.npz", cwd=tmp_path)).strip() == str(run / "filters.png")
    assert is_png(run / "filters.png")
    check_error(
        numnet("train", "--model", "cnn", "--dataset", "spiral", "--out", tmp_path / "x", cwd=tmp_path),
        1,
        "needs image data",
    )


def test_deep_cnn_trains_a_few_batches_and_saves_a_model_that_loads(tmp_path, monkeypatch) -> None:
    """A smoke run of ``numnet train --model deep-cnn``: two batches of mnist-mini (the network
    trains for minutes per epoch on full data; bench/deep_convnet.py is the real run)."""
    from numnet.data import catalogue
    from numnet.models import DeepConvNet

    mini = catalogue.DATASETS["mnist-mini"]

    def first_images(data_dir, verbose):
        (x_train, t_train), (x_test, t_test) = mini.loader(data_dir, verbose)
        return (x_train[:200], t_train[:200]), (x_test[:100], t_test[:100])

    monkeypatch.setitem(catalogue.DATASETS, "mnist-mini", dataclasses.replace(mini, loader=first_images))
    run = tmp_path / "deep"
    args = ["train", "--model", "deep-cnn", "--epochs", "1", "--hidden", "8", "--quiet", "--out", str(run)]
    assert main(args) == 0
    model = io.load(run / "model.npz")
    assert isinstance(model, DeepConvNet)
    assert model.get_config()["input_shape"] == [1, 28, 28] and model.params[-4].shape == (1024, 8)
    untrained = DeepConvNet(hidden_size=8, seed=0)
    assert [p.shape for p in model.params] == [p.shape for p in untrained.params]
    assert not np.array_equal(model.params[0], untrained.params[0])  # two Adam steps moved the filters
    proba = model.predict_proba(load_mnist_mini(flatten=False)[1][0][:5])
    assert proba.shape == (5, 10) and np.allclose(proba.sum(axis=1), 1, atol=1e-5)


def test_plot_filters_refuses_a_dense_model(trained, tmp_path) -> None:
    check_error(numnet("plot", "filters", trained[1] / "model.npz", cwd=tmp_path), 1, "plot weights")
