"""Smoke tests of the foundation examples: each runs as a script and prints the right things."""

from __future__ import annotations

import math
import operator
import re
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import numnet.functions

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PLOT_MESSAGE = "activation_plots.py needs matplotlib: pip install 'numnet[plot]'"


def run_python(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the interpreter of this test session with warnings as errors."""
    return subprocess.run([sys.executable, "-W", "error", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def run_example(name: str, *args: str, cwd: Path | None = None) -> str:
    """Run ``examples/<name>`` and return its standard output, checking it succeeded quietly."""
    result = run_python(str(EXAMPLES / name), *args, cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def labelled_values(output: str) -> dict[str, str]:
    """``label = value`` lines (a value may continue on the following lines) as a dict."""
    values: dict[str, str] = {}
    label = None
    for line in output.splitlines():
        match = re.fullmatch(r"(\S.*?) =(?: (.*))?", line)
        if match:
            label = match.group(1)
            values[label] = match.group(2) or ""
        elif label is not None and line.strip() and not line.startswith("#"):
            values[label] += " " + line.strip()
        else:
            label = None
    return values


def numbers(text: str) -> np.ndarray:
    return np.array([float(n) for n in re.findall(r"-?\d+(?:\.\d*)?(?:e[-+]?\d+)?", text)])


def test_numpy_basics_prints_every_function_with_right_values():
    values = labelled_values(run_example("numpy_basics.py"))
    for name in numnet.functions.__all__:
        assert any(label.startswith(f"{name}(") for label in values), f"{name} is not shown"
    e = math.e
    assert values["step_function(x)"] == "[0 0 1]"  # x = (-1, 0, 1)
    np.testing.assert_allclose(numbers(values["sigmoid(x)"]), [1 / (1 + e), 0.5, e / (1 + e)], atol=1e-4)
    assert float(values["sigmoid(0.0)"]) == 0.5
    np.testing.assert_array_equal(numbers(values["sigmoid([-1000, 1000])"]), [0.0, 1.0])
    np.testing.assert_allclose(numbers(values["relu(x)"]), [0.0, 0.0, 1.0])
    # softmax of (1, 2, 3) is (1, e, e^2) / (1 + e + e^2); of equal logits, 1/3 each
    first_row = np.array([1, e, e**2]) / (1 + e + e**2)
    np.testing.assert_allclose(numbers(values["softmax(logits)"]), [*first_row, 1 / 3, 1 / 3, 1 / 3], atol=1e-4)
    np.testing.assert_allclose(numbers(values["softmax(logits).sum(axis=-1)"]), [1.0, 1.0])
    assert float(values["sum_squares_error(y, t)"]) == pytest.approx(0.0975)
    assert float(values["cross_entropy_error(y, t)"]) == pytest.approx(-math.log(0.6 + 1e-7))
    assert float(values["cross_entropy_error(y, 2)"]) == pytest.approx(-math.log(0.6 + 1e-7))
    assert float(values["l1_loss(y_hat, labels)"]) == pytest.approx(1.1)
    assert float(values["l2_loss(y_hat, labels)"]) == pytest.approx(0.43)
    assert values["image2vector(image of shape (2, 3, 2)).shape"] == "(12, 1)"
    root53 = math.sqrt(53)
    np.testing.assert_allclose(
        numbers(values["normalize_rows(rows)"]), [0, 0.6, 0.8, 1 / root53, 6 / root53, 4 / root53, 0, 0, 0], atol=1e-4
    )


def test_perceptron_gates_prints_truth_tables():
    output = run_example("perceptron_gates.py")
    tables: dict[str, dict[tuple[int, int], int]] = {}
    for line in output.splitlines():
        if re.fullmatch(r"[A-Z]+", line):
            gate = line
            tables[gate] = {}
        elif row := re.fullmatch(r"\s*([01])\s+([01])\s*\|\s*([01])", line):
            x1, x2, y = map(int, row.groups())
            tables[gate][x1, x2] = y
    expected = {"AND": operator.and_, "NAND": lambda a, b: 1 - (a & b), "OR": operator.or_, "XOR": operator.xor}
    assert list(tables) == list(expected)
    for gate, truth in expected.items():
        assert tables[gate] == {(a, b): truth(a, b) for a in (0, 1) for b in (0, 1)}, gate


def test_vectorization_loop_and_np_dot_agree():
    output = run_example("vectorization.py")
    assert "1,000,000 elements" in output
    loop = re.search(r"^loop:\s+(\S+) in\s+(\S+) ms", output, re.MULTILINE)
    vectorized = re.search(r"^vectorized:\s+(\S+) in\s+(\S+) ms", output, re.MULTILINE)
    assert loop and vectorized, output
    loop_dot, vectorized_dot = float(loop.group(1)), float(vectorized.group(1))
    assert loop_dot == pytest.approx(vectorized_dot, rel=1e-9)
    # for uniform [0, 1) entries, a.b has mean n/4 = 250,000 and standard deviation ~220
    assert abs(vectorized_dot - 250_000) < 2_000
    assert float(loop.group(2)) > 0 and float(vectorized.group(2)) > 0


def test_vectorization_size_option():
    output = run_example("vectorization.py", "--size", "1000", "--seed", "7")
    assert "1,000 elements" in output


def check_png(path: Path) -> None:
    """``path`` is a valid 800 x 450 PNG with an actual drawing on it."""
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC
    assert data[12:16] == b"IHDR" and struct.unpack(">II", data[16:24]) == (800, 450)
    assert len(data) > 5_000
    from PIL import Image

    with Image.open(path) as image:
        image.load()
        assert image.size == (800, 450)
        dark = np.asarray(image.convert("L")) < 128  # axes, curves and text, not a blank canvas
        assert dark.mean() > 0.005


def test_activation_plots_writes_png(tmp_path):
    out = tmp_path / "plots" / "act.png"
    out.parent.mkdir()
    output = run_example("activation_plots.py", "--out", str(out))
    assert output.strip() == f"saved {out}"
    check_png(out)


def test_activation_plots_default_path(tmp_path):
    output = run_example("activation_plots.py", cwd=tmp_path)
    assert output.strip() == "saved activations.png"
    check_png(tmp_path / "activations.png")


def test_activation_plots_without_matplotlib(tmp_path):
    script = EXAMPLES / "activation_plots.py"
    hide_matplotlib = (
        "import runpy, sys\n"
        "sys.modules['matplotlib'] = None  # makes `import matplotlib...` raise ImportError\n"
        f"sys.argv = [{str(script)!r}]\n"
        f"runpy.run_path({str(script)!r}, run_name='__main__')\n"
    )
    result = run_python("-c", hide_matplotlib, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == PLOT_MESSAGE + "\n"
    assert result.stdout == ""
    assert not (tmp_path / "activations.png").exists()
