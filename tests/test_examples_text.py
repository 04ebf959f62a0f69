"""Smoke test of examples/word_vectors.py: it prints the book's chapter-2 values and saves its plot."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

BOOK_PRINTS = [
    "corpus = [0 1 2 3 4 1 5 6]",
    "id_to_word = {0: 'you', 1: 'say', 2: 'goodbye', 3: 'and', 4: 'i', 5: 'hello', 6: '.'}",
    """co-occurrence matrix =
[[0 1 0 0 0 0 0]
 [1 0 1 0 1 1 0]
 [0 1 0 1 0 0 0]
 [0 0 1 0 1 0 0]
 [0 1 0 1 0 0 0]
 [0 1 0 0 0 0 1]
 [0 0 0 0 0 1 0]]""",
    "cos_similarity(you, i) = 0.7071067691154799",
    """[query] you
 goodbye: 0.7071067691154799
 i: 0.7071067691154799
 hello: 0.7071067691154799
 say: 0.0
 and: 0.0""",
    """PPMI =
[[0.    1.807 0.    0.    0.    0.    0.   ]
 [1.807 0.    0.807 0.    0.807 0.807 0.   ]
 [0.    0.807 0.    1.807 0.    0.    0.   ]
 [0.    0.    1.807 0.    1.807 0.    0.   ]
 [0.    0.807 0.    1.807 0.    0.    0.   ]
 [0.    0.807 0.    0.    0.    0.    2.807]
 [0.    0.    0.    0.    0.    2.807 0.   ]]""",
    "C[0] = [0 1 0 0 0 0 0]",
    "W[0] = [0.    1.807 0.    0.    0.    0.    0.   ]",
]


def run_word_vectors(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-W", "error", str(EXAMPLES / "word_vectors.py"), *args],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_word_vectors_prints_the_books_values_and_saves_the_plot(tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "figures" / "words.png"
    out.parent.mkdir()
    result = run_word_vectors("--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    for block in BOOK_PRINTS:
        assert block in result.stdout, f"missing:\n{block}\nin:\n{result.stdout}"
    # U[0]: the book's magnitudes 3.409e-01, 1.205e-01, 9.323e-01 (their places depend on LAPACK)
    u0 = re.search(r"U\[0\] = \[([^\]]*)\]", result.stdout).group(1)
    magnitudes = sorted(abs(float(v)) for v in u0.split())
    assert magnitudes[-3:] == [0.1205, 0.3409, 0.9323]
    # the tiny corpus: the count-based vectors find the planted neighbours and the analogy
    assert "[query] cat\n dog: " in result.stdout
    assert "[query] monday\n tuesday: " in result.stdout
    assert "[analogy] man:king = woman:?\n queen: " in result.stdout
    assert result.stdout.rstrip().endswith(f"saved {out}")
    png = out.read_bytes()
    assert png.startswith(PNG_MAGIC)
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (600, 500)


def test_word_vectors_without_matplotlib_says_what_to_install(tmp_path):
    script = (
        "import sys, runpy; sys.modules['matplotlib'] = None; sys.argv = ['word_vectors.py', '--out', 'x.png']; "
        f"runpy.run_path({str(EXAMPLES / 'word_vectors.py')!r}, run_name='__main__')"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 1
    assert "word_vectors.py needs matplotlib for its plot: pip install 'numnet[plot]'" in result.stderr
    assert "[query] you" in result.stdout  # the printed part does not need it
    assert not (tmp_path / "x.png").exists()
