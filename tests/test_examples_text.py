"""Smoke test of examples/word_vectors.py: it prints the book's chapter-2 values and saves its plot."""

from __future__ import annotations

import os
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


def run_word2vec_ptb(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-W", "error", str(EXAMPLES / "word2vec_ptb.py"), *args],
        capture_output=True, text=True, timeout=300, cwd=cwd,
    )  # fmt: skip


def test_word2vec_ptb_trains_prints_neighbours_and_saves(tmp_path):
    if not os.environ.get("NUMNET_DATA_DIR"):
        pytest.skip("NUMNET_DATA_DIR is unset: the shared Penn Treebank files are not available")
    out = tmp_path / "cbow.npz"
    result = run_word2vec_ptb(
        "--split", "valid", "--words", "4000", "--epochs", "2", "--hidden", "10", "--window", "2", "--save", str(out)
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout
    assert "ptb.valid.txt: 4,000 words, vocabulary of 7,596, 3,996 samples" in lines
    assert re.search(r"^unigram baseline \(best loss ignoring the context\) = \d\.\d{4}$", lines, re.MULTILINE)
    assert re.search(r"^epoch 2/2  train_loss \d\.\d{4}", lines, re.MULTILINE)
    for query in ("you", "year", "car"):
        assert re.search(rf"^\[query\] {query}\n( \S+: -?\d\.\d+\n){{5}}", lines, re.MULTILINE), query
    assert "[analogy] man:king = woman:?" in lines
    from numnet import io
    from numnet.word2vec import CBOW

    model = io.load(out)
    assert isinstance(model, CBOW) and model.word_vecs.shape == (7596, 10)
    assert model.metadata["dataset"] == "ptb-valid" and model.metadata["words"][:3] == ["consumers", "may", "want"]


def test_word2vec_ptb_without_the_data_says_so_in_one_line(tmp_path):
    env_free = tmp_path / "empty"
    env_free.mkdir()
    env = {**os.environ, "NUMNET_DATA_DIR": "", "XDG_CACHE_HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "word2vec_ptb.py"), "--data-dir", str(env_free)],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.startswith("error: ptb.valid.txt not found; looked in:")
    assert "Traceback" not in result.stderr
