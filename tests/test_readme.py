"""The README's promises: its two commands, and the code of its tour that needs no data."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np

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
        "import sys, numnet; print(sorted(m for m in ('matplotlib', 'h5py', 'tqdm', 'PIL', 'onnx', 'numnet.cli', "
        "'numnet.plotting', 'numnet.onnx') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
