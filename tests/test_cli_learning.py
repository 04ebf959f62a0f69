"""``numnet check`` and ``numnet lab``: a learner's layer checked from the shell, the chapter-6 experiments run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from numnet.cli import main

LAYERS = Path(__file__).parent / "fixtures" / "learner_layers.py"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def run(capsys, *args: object) -> tuple[int, str, str]:
    status = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


def one_line_error(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("numnet: error: "), err
    return lines[0]


# ------------------------------------------------------------------ numnet check


def test_check_a_right_layer(capsys):
    status, out, err = run(capsys, "check", f"{LAYERS}:Convolution")
    assert status == 0 and err == ""
    assert out.startswith("Convolution (W/b with dW/db), input (2, 2, 6, 6):")
    assert "against numnet.layers.Conv2D(" in out and "DIFFERENT" not in out
    assert out.rstrip().endswith("all gradients right")


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("ReluInPlace", (), "backward changes dout in place"),
        ("SoftmaxWithLossNoBatchDivision", ("--input-shape", 5, 3), "dx is 5 times too large"),
        ("AffineTransposedGradient", (), "transposed weight gradient (dW)"),
        ("ConvolutionWithoutTranspose", ("--input-shape", 2, 3, 7, 7), "transposed weight gradient (dW)"),
        ("AffineWithoutCache", (), "forward keeps no cache"),
        ("SigmoidFirstCallCache", (), "forward keeps no cache"),
    ],
)
def test_check_names_the_mistake(capsys, name, args, expected):
    status, out, err = run(capsys, "check", f"{LAYERS}:{name}", *args)
    assert status == 3 and err == ""
    assert expected in out and "mistake: " in out


def test_check_input_shape_and_seed(capsys):
    status, out, _ = run(capsys, "check", f"{LAYERS}:Affine", "--input-shape", 5, 7, "--seed", 4)
    assert status == 0 and "input (5, 7)" in out
    assert run(capsys, "check", f"{LAYERS}:Affine", "--input-shape", 5, 7, "--seed", 4)[1] == out
    assert run(capsys, "check", f"{LAYERS}:Affine", "--input-shape", 5, 7, "--seed", 5)[1] != out


def test_check_help_says_it_runs_your_file(capsys):
    assert main(["check", "--help"]) == 0
    assert "RUNS FILE.py, your own code" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "status", "fragment"),
    [
        (("missing.py:Affine",), 1, "no such file: missing.py"),
        ((f"{LAYERS}:Missing",), 1, "defines no Missing; it defines Affine,"),
        ((f"{LAYERS}:not_a_class",), 1, "not_a_class in "),
        ((f"{LAYERS}:NoBackward",), 1, "NoBackward in "),
        ((f"{LAYERS}:NeedsAName",), 1, "cannot guess the argument 'vocabulary' of NeedsAName"),
        ((f"{LAYERS}:Convolution", "--input-shape", 2, 5), 1, "Convolution.forward failed on an input of shape (2, 5)"),
        ((f"{LAYERS}:Affine", "--input-shape", 0, 4), 2, "argument --input-shape: expected a positive integer"),
        ((str(LAYERS),), 1, "expected FILE.py:ClassName"),
    ],
)
def test_check_bad_input_is_one_line(capsys, args, status, fragment):
    code, out, err = run(capsys, "check", *args)
    assert code == status and out == ""
    assert fragment in one_line_error(err)


def test_check_as_a_command(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "numnet", "check", "nowhere.py:Relu"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == "numnet: error: no such file: nowhere.py\n"


# ------------------------------------------------------------------ numnet lab


def lab(capsys, tmp_path: Path, *args: object) -> str:
    status, out, err = run(capsys, "lab", *args, "--out-dir", tmp_path)
    assert status == 0 and err == "", err
    return out


def saved(out: str) -> list[Path]:
    return [Path(line.removeprefix("saved ")) for line in out.splitlines() if line.startswith("saved ")]


def test_lab_optimizers(capsys, tmp_path):
    out = lab(capsys, tmp_path, "optimizers", "--iterations", 12, "--batch-size", 16)
    assert "Paths on f(x, y) = x²/20 + y² from (-7, 2), 30 steps" in out
    assert "batches of 16, 12 iterations" in out
    assert [p.name for p in saved(out)] == ["lab_optimizers.png"]
    assert saved(out)[0].read_bytes()[:8] == PNG_SIGNATURE


def test_lab_init_writes_one_figure_per_activation(capsys, tmp_path):
    out = lab(capsys, tmp_path, "init", "--samples", 50)
    assert "Standard deviation of the activations" in out and "relu        He" in out
    assert [p.name for p in saved(out)] == ["lab_init_sigmoid.png", "lab_init_tanh.png", "lab_init_relu.png"]


def test_lab_batchnorm_and_seed(capsys, tmp_path):
    args = ("batchnorm", "--epochs", 1, "--scales", 2, "--train-size", 100, "--seed", 3)
    out = lab(capsys, tmp_path, *args)
    assert "Training accuracy after 1 epochs" in out
    assert [line.split()[0] for line in out.splitlines()[2:4]] == ["1", "0.0001"]  # the scales, 1 down to 1e-4
    assert lab(capsys, tmp_path, *args) == out  # seeded: the same numbers again
    assert [p.name for p in saved(out)] == ["lab_batchnorm.png"]


def test_lab_overfit(capsys, tmp_path):
    out = lab(capsys, tmp_path, "overfit", "--epochs", 2, 2, 3, "--train-size", 50)
    assert out.startswith("50 training images")
    for name, epochs in (("no regularization", 2), ("weight decay 0.1", 2), ("dropout 0.2", 3)):
        line = next(line for line in out.splitlines() if line.strip().startswith(name))
        assert line.split()[len(name.split())] == str(epochs)
    assert [p.name for p in saved(out)] == ["lab_overfit.png"]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("lab", "dropout"), "argument EXPERIMENT: invalid choice: 'dropout'"),
        (("lab", "overfit", "--epochs", 2, 2), "argument --epochs: expected 3 arguments"),
        (("lab", "init", "--dataset", "mnist"), "unrecognized arguments: --dataset mnist"),
        (("lab", "optimizers", "--iterations", 0), "argument --iterations: expected a positive integer"),
    ],
)
def test_lab_bad_options_are_one_line(capsys, args, fragment):
    status, out, err = run(capsys, *args)
    assert status == 2 and out == ""
    assert fragment in one_line_error(err)


@pytest.mark.needs_data
def test_lab_on_full_mnist(capsys, tmp_path, data_dir):
    out = lab(capsys, tmp_path, "overfit", "--epochs", 1, 1, 1, "--dataset", "mnist", "--data-dir", data_dir / "mnist")
    assert out.startswith("300 training images")
