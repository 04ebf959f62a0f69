"""Fuzzing in CI: scripts/fuzz.py with hypothesis, 2,000 inputs per target, under a capped address space.

Each target runs in its own process whose address space is capped at its
size after start-up plus 512 MiB, so an unbounded allocation fails (and is
counted as a crash) instead of going unnoticed. Only the documented error
may occur, its message naming the file on one line. About a minute in all.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "fuzz.py"
EXAMPLES = 2000
DOCUMENTED = {"load": "ModelFileError", "checkpoint": "ModelFileError", "info": "ModelFileError"}
DOCUMENTED.update(idx="DatasetError", picture="ValueError")


@pytest.mark.slow
@pytest.mark.parametrize("target", list(DOCUMENTED))
def test_only_the_documented_error_occurs_and_memory_stays_bounded(target, tmp_path):
    command = [sys.executable, str(SCRIPT), "--targets", target, "--examples", str(EXAMPLES), "--engine", "hypothesis"]
    command += ["--memory-mb", "512", "--crash-dir", str(tmp_path / "crashes"), "--json", str(tmp_path / "report.json")]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, (
        result.stdout + result.stderr + "".join(path.read_text() for path in (tmp_path / "crashes").glob("*.txt"))
    )
    (report,) = json.loads((tmp_path / "report.json").read_text())["reports"]
    assert report["inputs"] == EXAMPLES and report["crashes"] == 0
    assert set(report["outcomes"]) == {"read", DOCUMENTED[target]}  # valid inputs read, the others refused
    assert report["outcomes"]["read"] > EXAMPLES // 50


def test_the_capped_address_space_turns_an_unbounded_allocation_into_a_crash():
    code = "import fuzz, numpy as np; fuzz.cap_address_space(64); np.ones(2**27)"  # 1 GiB, above the cap
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=SCRIPT.parent)
    assert result.returncode == 1 and "MemoryError" in result.stderr
