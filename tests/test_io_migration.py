"""Files written by numnet 0.1.0 (format 1) still load and predict exactly what they did."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from numnet import io

FIXTURES = Path(__file__).parent / "fixtures" / "format_v1"
MODEL_FILES = [
    "sequential",
    "two_layer_net",
    "mlp",
    "mlp_regression",
    "logistic_regression",
    "simple_conv_net",
    "conv_net",
]


@pytest.fixture(scope="module")
def expected() -> dict[str, np.ndarray]:
    with np.load(FIXTURES / "expected_outputs.npz") as archive:
        return dict(archive)


@pytest.mark.parametrize("name", MODEL_FILES)
def test_a_format_1_model_file_loads_and_predicts_as_it_did(name: str, expected: dict[str, np.ndarray]) -> None:
    model = io.load(FIXTURES / f"{name}.npz")
    x = expected[f"{name}/x"]
    np.testing.assert_array_equal(model.predict(x), expected[f"{name}/predict"])
    np.testing.assert_array_equal(model.predict_proba(x), expected[f"{name}/predict_proba"])


def test_a_format_1_checkpoint_loads_with_its_optimizer_and_progress(expected: dict[str, np.ndarray]) -> None:
    checkpoint = io.load_checkpoint(FIXTURES / "checkpoint.npz")
    assert checkpoint.epoch == 2
    assert type(checkpoint.optimizer).__name__ == "Adam"
    assert len(checkpoint.history["train_loss"]) == 2
    np.testing.assert_array_equal(checkpoint.model.predict(expected["checkpoint/x"]), expected["checkpoint/predict"])
