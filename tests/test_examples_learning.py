"""The learner's examples: the computation graphs and the planar data's hidden-layer sizes print the texts' numbers."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from test_examples_foundation import PNG_MAGIC, run_example


def test_computation_graph_prints_the_books_numbers(tmp_path: Path):
    output = run_example("computation_graph.py", "--out-dir", str(tmp_path))
    apples, both, logistic, saved = output.split("\n\n")
    assert apples.splitlines()[1:] == ["price: 220", "dapple: 2.2", "dapple_num: 110", "dtax: 200"]
    assert both.splitlines()[1:] == [
        "price: 715",
        "dapple_num: 110",
        "dapple: 2.2",
        "dorange: 3.3",
        "dorange_num: 165",
        "dtax: 650",
    ]
    values = dict(line.split(" = ") for line in logistic.splitlines()[1:])
    assert values == {
        "z": "0.100000",
        "a": "0.524979",
        "L": "0.644397",
        "da": "-1.904837",
        "dz": "-0.475021",
        "dw1": "-0.475021",
        "dw2": "-0.950042",
        "db": "-0.475021",
    }
    for name in ("graph_apple.png", "graph_apple_orange.png", "graph_logistic_regression.png"):
        path = tmp_path / name
        assert f"saved {path}" in saved
        assert path.read_bytes()[:8] == PNG_MAGIC
        with Image.open(path) as image:
            width, height = image.size
        assert 600 <= width <= 1500 and 200 <= height <= 800  # slide-sized at 100 dpi
