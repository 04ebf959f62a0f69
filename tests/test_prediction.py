"""Class probabilities, top classes and class names of a classifier's predictions."""

from __future__ import annotations

import numpy as np
import pytest

from numnet.models import MLP, LogisticRegression
from numnet.prediction import class_name, class_names, class_probabilities, n_classes, top_classes


def test_a_softmax_model_gives_its_own_probabilities():
    model = MLP([4, 6, 3], seed=0)
    x = np.random.default_rng(0).standard_normal((5, 4))
    p = class_probabilities(model, x)
    np.testing.assert_array_equal(p, model.predict_proba(x))
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-6)
    assert n_classes(model, x[:1]) == 3


def test_a_one_output_model_gives_two_columns():
    model = LogisticRegression(4, init="normal", seed=1)
    x = np.random.default_rng(1).standard_normal((5, 4))
    p = class_probabilities(model, x)
    y = model.predict_proba(x)
    assert p.shape == (5, 2)
    np.testing.assert_allclose(p[:, 1], y)
    np.testing.assert_allclose(p[:, 0], 1 - y)
    assert n_classes(model, x[:1]) == 2
    sigmoid_mlp = MLP([4, 1], output="sigmoid", seed=0)
    assert class_probabilities(sigmoid_mlp, x).shape == (5, 2)


def test_top_classes_are_the_most_probable_first_ties_to_the_lower_id():
    p = np.array([[0.1, 0.5, 0.4], [0.3, 0.3, 0.4]])
    np.testing.assert_array_equal(top_classes(p, 2), [[1, 2], [2, 0]])
    assert top_classes(p, 5).shape == (2, 3)
    with pytest.raises(ValueError, match="k"):
        top_classes(p, 0)
    with pytest.raises(ValueError, match=r"probabilities must have shape \(N, K\)"):
        top_classes(p[0])


def test_class_names_come_from_the_model_then_the_catalogue():
    model = MLP([2, 2])
    assert class_names(model) is None
    assert class_names(model, "catvnoncat") == ("non-cat", "cat")
    assert class_names(model, "unknown") is None
    model.metadata = {"dataset": "weather", "class_names": ["rain", "sun"]}
    assert class_names(model, "catvnoncat") == ("rain", "sun")
    assert class_name(1, ("rain", "sun")) == "sun"
    assert class_name(2, ("rain", "sun")) == "2" and class_name(0, None) == "0"
