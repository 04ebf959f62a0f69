"""The README's promises: its two commands, and the code of its tour that needs no data."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _code_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def test_the_first_lines_give_the_install_and_run_and_the_test_commands():
    first_block = _code_blocks("bash")[0]
    assert README.index(first_block) < 200, "the newcomer's commands must come first"
    commands = [line.split("#")[0].strip() for line in first_block.strip().splitlines()]
    assert commands == ["pip install '.[all]' && numnet train", "pip install -e '.[test]' && python -m pytest"]


def test_ci_runs_exactly_the_readmes_test_command():
    test_command = _code_blocks("bash")[0].strip().splitlines()[1].split("#")[0].strip()
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    assert test_command in ci_lines


def test_the_textbook_functions_snippet_runs_and_says_the_truth():
    namespace: dict = {}
    snippet = _code_blocks("python")[0]
    exec(compile(snippet, "README.md", "exec"), namespace)
    softmax, sigmoid, xor = namespace["softmax"], namespace["sigmoid"], namespace["XOR"]
    np.testing.assert_allclose(softmax(np.array([1010.0, 1000.0])), [0.9999546, 0.0000454], atol=1e-7)
    assert sigmoid(-1000.0) == 0.0 and xor(1, 0) == 1
    np.testing.assert_allclose(namespace["x"], [0, 0], atol=1e-8)


def test_importing_numnet_loads_no_optional_extra():
    code = (
        "import sys, numnet; print(sorted(m for m in ('matplotlib', 'h5py', 'tqdm', 'PIL', 'onnx', 'sklearn', 'scipy', "
        "'dask', 'distributed', 'joblib', 'numnet.cli', 'numnet.plotting', 'numnet.onnx', 'numnet.sklearn', "
        "'numnet.sweep') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.slow
def test_the_scikit_learn_snippet_runs_and_says_the_truth():
    pytest.importorskip("sklearn")
    snippet = next(block for block in _code_blocks("python") if "NumnetClassifier" in block)
    printed = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(printed):
        warnings.simplefilter("error")  # a newcomer sees no warning
        exec(compile(snippet, "README.md", "exec"), {})
    cross_validated, best = printed.getvalue().splitlines()
    assert round(float(cross_validated), 3) == 0.915
    assert best == "{'numnetclassifier__alpha': 0.0001, 'numnetclassifier__dropout': 0.2} " + best.split()[-1]
    assert round(float(best.split()[-1]), 3) == 0.920


def test_the_word_vectors_snippet_runs_and_says_the_truth():
    snippet = next(block for block in _code_blocks("python") if "create_contexts_target" in block)
    namespace: dict = {}
    exec(compile(snippet, "README.md", "exec"), namespace)
    assert namespace["W"].shape == (7, 7) and namespace["contexts"].shape == (6, 2)
    from numnet.text import most_similar

    top = most_similar("you", namespace["word_to_id"], namespace["id_to_word"], namespace["W"], top=3)
    assert top[0][0] == "goodbye"
    assert namespace["model"].word_vecs.shape == (7, 5)
