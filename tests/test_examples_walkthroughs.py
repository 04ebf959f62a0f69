"""Smoke tests of the classic walkthrough examples: run each script, check what it prints.

The reference numbers come from the books and courses the examples follow,
not from numnet: "Deep Learning from Scratch" chapter 3 (the fixed
three-layer network, the pretrained MNIST network's accuracy 0.9352), and the
deeplearning.ai logistic-regression assignment (its costs and accuracies).
Tests that need the shared MNIST / cat data skip when ``NUMNET_DATA_DIR`` is
unset.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import DATA_DIR_ENV

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
needs_data = pytest.mark.needs_data

#: "Cost after iteration i" of the deeplearning.ai assignment (lr 0.005, 2,000 iterations).
COURSE_COSTS = {
    0: 0.693147, 100: 0.584508, 200: 0.466949, 300: 0.376007, 400: 0.331463,
    500: 0.303273, 600: 0.279880, 700: 0.260042, 800: 0.242941, 900: 0.228004,
    1000: 0.214820, 1100: 0.203078, 1200: 0.192544, 1300: 0.183033, 1400: 0.174399,
    1500: 0.166521, 1600: 0.159305, 1700: 0.152667, 1800: 0.146542, 1900: 0.140872,
}  # fmt: skip


def run_example(script: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``examples/<script>`` with this interpreter; the environment (NUMNET_DATA_DIR) is passed on."""
    return subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        check=False, capture_output=True, text=True, timeout=600, env=os.environ.copy() if env is None else env,
    )  # fmt: skip


def succeeded(result: subprocess.CompletedProcess[str]) -> str:
    """The standard output of a run that must have exited with 0."""
    assert result.returncode == 0, f"exit code {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    return result.stdout


def value(pattern: str, text: str) -> float:
    match = re.search(pattern, text, re.MULTILINE)
    assert match, f"no line matching {pattern!r} in:\n{text}"
    return float(match.group(1))


def assert_one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    """Exit code 1, an ``error:`` message naming ``words`` on stderr, no traceback."""
    assert result.returncode == 1, f"exit code {result.returncode}\nstderr:\n{result.stderr}"
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr


def numbers(line: str) -> list[float]:
    return [float(s) for s in re.findall(r"[-+]?\d+\.\d*(?:e[-+]?\d+)?", line)]


# ---------------------------------------------------------------- three-layer forward pass


def test_three_layer_forward_prints_the_books_output():
    out = succeeded(run_example("three_layer_forward.py"))
    output_line = next(line for line in out.splitlines() if line.startswith("output:"))
    np.testing.assert_allclose(numbers(output_line), [0.31682708, 0.69627909], rtol=0, atol=1e-6)


def test_three_layer_forward_on_another_input_matches_a_hand_written_forward_pass():
    def sigmoid(a):
        return 1 / (1 + np.exp(-a))

    x = np.array([-2.0, 3.0])
    z1 = sigmoid(x @ np.array([[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]]) + [0.1, 0.2, 0.3])
    z2 = sigmoid(z1 @ np.array([[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]]) + [0.1, 0.2])
    y = z2 @ np.array([[0.1, 0.3], [0.2, 0.4]]) + [0.1, 0.2]

    out = succeeded(run_example("three_layer_forward.py", "--input", "-2", "3"))
    output_line = next(line for line in out.splitlines() if line.startswith("output:"))
    np.testing.assert_allclose(numbers(output_line), y, rtol=0, atol=1e-7)


# ---------------------------------------------------------------- pretrained MNIST network


@needs_data
def test_mnist_pretrained_reaches_the_books_accuracy():
    out = succeeded(run_example("mnist_pretrained.py"))
    assert re.search(r"^correct: 9352 of 10000 test images$", out, re.MULTILINE), out
    assert value(r"^accuracy: ([\d.]+)$", out) == pytest.approx(0.9352, abs=5e-4)


def test_mnist_pretrained_without_weights_fails_with_a_clear_message(tmp_path):
    missing = tmp_path / "no_such_weights.npz"
    result = run_example("mnist_pretrained.py", "--weights", str(missing))
    assert_one_line_error(result, "weights not found", str(missing))


# ---------------------------------------------------------------- logistic regression on cat / non-cat


def course_costs_printed(out: str) -> dict[int, float]:
    return {int(i): float(c) for i, c in re.findall(r"^cost after iteration (\d+): ([\d.]+)$", out, re.MULTILINE)}


@needs_data
def test_logistic_regression_first_costs_match_the_course():
    out = succeeded(run_example("logistic_regression_cat.py", "--iterations", "201"))
    costs = course_costs_printed(out)
    assert sorted(costs) == [0, 100, 200]
    for iteration, cost in costs.items():
        assert cost == pytest.approx(COURSE_COSTS[iteration], abs=1.5e-6), iteration


@pytest.mark.slow
@needs_data
def test_logistic_regression_matches_the_course_costs_and_accuracies():
    out = succeeded(run_example("logistic_regression_cat.py"))
    costs = course_costs_printed(out)
    assert sorted(costs) == sorted(COURSE_COSTS)
    for iteration, cost in costs.items():
        assert cost == pytest.approx(COURSE_COSTS[iteration], abs=1.5e-6), iteration
    # 207 of 209 training images and 35 of 50 test images
    assert value(r"^train accuracy: ([\d.]+) %$", out) == pytest.approx(99.04, abs=0.005)
    assert value(r"^test accuracy: ([\d.]+) %$", out) == pytest.approx(70.0, abs=0.005)


def test_logistic_regression_without_data_fails_with_a_clear_message(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != DATA_DIR_ENV}
    result = run_example("logistic_regression_cat.py", "--data-dir", str(tmp_path), env=env)
    assert_one_line_error(result, "train_catvnoncat.h5")


# ---------------------------------------------------------------- two-layer network on MNIST


@needs_data
def test_two_layer_mnist_one_epoch_reaches_90_percent():
    out = succeeded(run_example("two_layer_mnist.py", "--epochs", "1"))
    lines = [line for line in out.splitlines() if line.startswith("epoch ")]
    assert len(lines) == 1, out
    assert value(r"^epoch 1: .*test accuracy ([\d.]+)$", out) >= 0.90
    # the accuracy on all 60,000 training images is as close to 0.90 after one epoch
    assert value(r"^epoch 1: train accuracy ([\d.]+),", out) >= 0.89


# ---------------------------------------------------------------- spiral


def test_spiral_fits_the_training_set_and_saves_the_plot(tmp_path):
    plt_image = pytest.importorskip("matplotlib.image", reason="the plot needs matplotlib")
    png = tmp_path / "spiral.png"
    out = succeeded(run_example("spiral.py", "--out", str(png)))
    assert value(r"^training accuracy: ([\d.]+)$", out) >= 0.95
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = plt_image.imread(png)
    assert image.shape[:2] == (500, 500)
    # three class regions plus points: far from a blank canvas
    assert len(np.unique(image.reshape(-1, image.shape[-1]), axis=0)) > 10


def test_spiral_without_matplotlib_prints_the_accuracy_and_a_note(tmp_path):
    png = tmp_path / "spiral.png"
    # run the script with matplotlib made unimportable
    code = (
        "import runpy, sys; sys.modules['matplotlib'] = None; "
        f"sys.argv = ['spiral.py', '--out', {str(png)!r}]; "
        f"runpy.run_path({str(EXAMPLES / 'spiral.py')!r}, run_name='__main__')"
    )
    result = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=600)
    out = succeeded(result)
    assert value(r"^training accuracy: ([\d.]+)$", out) >= 0.95
    assert "pip install 'numnet[plot]'" in out
    assert not png.exists()
