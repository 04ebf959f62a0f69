"""numnet.metrics: hand-worked examples, scikit-learn and PyTorch parity, properties, errors.

Expected values are counted by hand from the definitions or come from scikit-learn / PyTorch,
never from the implementation.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numnet import metrics
from numnet.metrics import (
    Accuracy,
    MeanAbsoluteError,
    MeanSquaredError,
    Metric,
    Perplexity,
    R2Score,
    TopKAccuracy,
    accuracy,
    classification_report_text,
    confusion_matrix,
    confusion_matrix_text,
    get_metric,
    mean_absolute_error,
    mean_squared_error,
    perplexity,
    perplexity_from_loss,
    precision_recall_f1,
    predicted_labels,
    r2_score,
    top_k_accuracy,
)


def one_hot(labels: np.ndarray, k: int) -> np.ndarray:
    return np.eye(k)[labels]


# --------------------------------------------------------- predicted_labels


def test_predicted_labels_argmax_over_the_last_axis_first_of_ties():
    scores = np.array([[0.1, 0.7, 0.2], [3.0, 3.0, 1.0], [-1.0, -2.0, -0.5]])
    np.testing.assert_array_equal(predicted_labels(scores), [1, 0, 2])
    sequences = np.stack([scores, scores[::-1]])  # (N=2, T=3, K=3)
    np.testing.assert_array_equal(predicted_labels(sequences), [[1, 0, 2], [2, 0, 1]])


def test_predicted_labels_thresholds_one_output():
    probabilities = np.array([0.2, 0.5, 0.9, 0.49])
    np.testing.assert_array_equal(predicted_labels(probabilities), [0, 1, 1, 0])
    np.testing.assert_array_equal(predicted_labels(probabilities[:, None]), [0, 1, 1, 0])  # (N, 1) -> (N,)
    logits = np.array([[-0.1], [0.0], [2.0]])
    np.testing.assert_array_equal(predicted_labels(logits, binary_threshold=0.0), [0, 1, 1])
    assert predicted_labels(probabilities).dtype == np.intp


@pytest.mark.parametrize("threshold", [math.nan, math.inf])
def test_predicted_labels_refuses_a_non_finite_threshold(threshold):
    with pytest.raises(ValueError, match="binary_threshold must be finite"):
        predicted_labels(np.array([0.3]), binary_threshold=threshold)


# ----------------------------------------------------------------- accuracy


def test_accuracy_hand_worked_in_every_form():
    t = np.array([0, 2, 1, 2])
    scores = np.array([[0.9, 0.1, 0.0], [0.1, 0.2, 0.7], [0.5, 0.3, 0.2], [0.2, 0.5, 0.3]])  # argmax 0, 2, 0, 1
    assert accuracy(t, scores) == 0.5
    assert accuracy(t, np.array([0, 2, 0, 1])) == 0.5
    assert accuracy(one_hot(t, 3), scores) == 0.5
    assert accuracy(one_hot(t, 3), np.array([0, 2, 0, 1])) == 0.5
    assert accuracy(t.astype(float), np.array([0, 2, 1, 1])) == 0.75  # float class ids are fine


def test_accuracy_binary_outputs_and_columns():
    t = np.array([1, 0, 1, 1])
    probabilities = np.array([[0.8], [0.6], [0.4], [0.5]])  # classes 1, 1, 0, 1
    assert accuracy(t, probabilities) == 0.5
    assert accuracy(t[:, None], probabilities) == 0.5
    assert accuracy(t[:, None], np.array([1, 1, 0, 1])) == 0.5
    assert accuracy(t[:, None], np.array([[1], [1], [0], [1]])) == 0.5
    logits = np.array([[2.0], [0.3], [-1.0], [0.0]])  # classes 1, 1, 0, 1 at threshold 0
    assert accuracy([1, 1, 0, 1], logits, binary_threshold=0.0) == 1.0
    assert accuracy([1, 1, 0, 1], logits) == 0.5  # at 0.5: classes 1, 0, 0, 0


def test_accuracy_over_sequences_ignores_padding():
    t = np.array([[1, 2, -100], [0, -100, -100]])  # (N=2, T=3), -100 = padding
    predicted = np.array([[1, 0, 2], [0, 1, 1]])
    scores = one_hot(predicted, 3)  # (2, 3, 3) float outputs with argmax = predicted
    # counted positions: (0,0) right, (0,1) wrong, (1,0) right
    assert accuracy(t, scores, ignore_index=-100) == pytest.approx(2 / 3)
    assert accuracy(t, predicted, ignore_index=-100) == pytest.approx(2 / 3)


def test_ignore_index_may_be_a_class_id():
    t, y = np.array([0, 1, 1, 2]), np.array([1, 1, 0, 2])
    assert accuracy(t, y, ignore_index=1) == 0.5  # positions 0 and 3 remain, one right


def test_accuracy_when_every_position_is_ignored():
    with pytest.raises(ValueError, match="every position of t equals ignore_index=0"):
        accuracy(np.zeros((2, 3), dtype=int), np.zeros((2, 3, 4)), ignore_index=0)


@pytest.mark.parametrize(
    "t, y, error, match",
    [
        (np.array([0, 1]), np.array([0, 1, 1]), ValueError, r"t of shape \(2,\) and y of shape \(3,\) do not fit"),
        (np.array([0, 1]), np.zeros((3, 2)), ValueError, r"t of shape \(2,\) and y of shape \(3, 2\)"),
        (np.array([[1, 1], [0, 0]]), np.array([[0.0, 1.0], [1.0, 1.0]]), ValueError, "rows are not one-hot"),
        (np.array([[0, 2], [1, 3]]), np.zeros((2, 2)), ValueError, "pass the predictions y as an integer"),
        (np.array([0, 1]), np.array([0.3, 0.8]), ValueError, "y must hold whole-number class ids, got 0.3"),
        (np.array([0.5, 1]), np.array([0, 1]), ValueError, "t must hold whole-number class ids"),
        (np.array([0, 3]), np.zeros((2, 3)), ValueError, r"t holds class ids in \[0, 3\]; expected .* \[0, 3\)"),
        (np.array([0, -1]), np.array([0, 1]), ValueError, "t holds class ids in .* non-negative"),
        (np.array([0, 1]), np.array([0.0, math.nan]), ValueError, "y must be finite"),
        (np.array([0, 1]), np.array([[0.5, np.inf], [0, 1]]), ValueError, "y must be finite"),
        (np.array([]), np.array([]), ValueError, r"t must not be empty, got shape \(0,\)"),
        (np.array(1), np.array(1), ValueError, "t must be an array with a sample axis"),
        (np.array(["a", "b"]), np.array([0, 1]), TypeError, "t must be a numeric"),
        (np.array([0, 1]), [[0, 1], [2]], TypeError, "y must be a numeric array"),
        (np.array([0, 1]), np.array([0, 1 + 1j]), TypeError, "y must be a numeric"),
    ],
)
def test_accuracy_bad_input(t, y, error, match):
    with pytest.raises(error, match=match):
        accuracy(t, y)


def test_ignore_index_is_for_class_ids_only():
    with pytest.raises(ValueError, match="ignore_index applies to class-id targets"):
        accuracy(one_hot(np.array([0, 1]), 3), np.zeros((2, 3)), ignore_index=0)
    with pytest.raises(TypeError, match="ignore_index must be None or an int"):
        accuracy(np.array([0, 1]), np.array([0, 1]), ignore_index=True)
    with pytest.raises(TypeError, match="ignore_index must be None or an int"):
        accuracy(np.array([0, 1]), np.array([0, 1]), ignore_index=1.0)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 30), st.integers(2, 6), st.integers(0, 3))
def test_accuracy_counts_matches(seed, n, k, extra_axes):
    """Accuracy equals the fraction of equal argmax over any leading shape (N, ...)."""
    rng = np.random.default_rng(seed)
    shape = (n, *rng.integers(1, 4, size=extra_axes))
    t = rng.integers(0, k, size=shape)
    scores = rng.integers(-3, 3, size=(*shape, k)).astype(float)  # small integers: ties happen
    expected = np.mean(np.argmax(scores, axis=-1) == t)
    assert accuracy(t, scores) == pytest.approx(expected, abs=1e-15)
    assert accuracy(one_hot(t, k), scores) == pytest.approx(expected, abs=1e-15)


def test_accuracy_equals_scikit_learn():
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(7)
    t, y = rng.integers(0, 5, 300), rng.integers(0, 5, 300)
    assert accuracy(t, y) == pytest.approx(sklearn_metrics.accuracy_score(t, y), abs=1e-15)


# ------------------------------------------------------------ top-k accuracy


def test_top_k_accuracy_hand_worked_with_ties_broken_by_the_lower_index():
    scores = np.array(
        [
            [0.1, 0.5, 0.3, 0.1],  # ranking 1, 2, then the tie 0 before 3
            [0.4, 0.4, 0.1, 0.1],  # 0 before 1 (tied), then 2 before 3
        ]
    )
    t = np.array([3, 1])
    # row 0: class 3 is 4th; row 1: class 1 is 2nd
    assert top_k_accuracy(t, scores, k=1) == 0.0
    assert top_k_accuracy(t, scores, k=2) == 0.5
    assert top_k_accuracy(t, scores, k=3) == 0.5
    assert top_k_accuracy(t, scores, k=4) == 1.0
    assert top_k_accuracy(t, scores, k=10) == 1.0
    assert top_k_accuracy(one_hot(t, 4), scores, k=2) == 0.5


def test_top_k_accuracy_over_sequences_with_padding():
    scores = np.array([[[3.0, 2.0, 1.0], [1.0, 2.0, 3.0]], [[1.0, 3.0, 2.0], [0.0, 0.0, 0.0]]])
    t = np.array([[1, 0], [0, -1]])  # ranks: 2nd, 3rd, 3rd; the last position padded
    assert top_k_accuracy(t, scores, k=2, ignore_index=-1) == pytest.approx(1 / 3)
    assert top_k_accuracy(t, scores, k=3, ignore_index=-1) == 1.0


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 40), st.integers(2, 7))
def test_top_1_is_accuracy_and_top_k_grows_with_k(seed, n, k):
    rng = np.random.default_rng(seed)
    scores = rng.integers(-2, 2, size=(n, k)).astype(float)  # many ties
    t = rng.integers(0, k, size=n)
    assert top_k_accuracy(t, scores, k=1) == accuracy(t, scores)
    values = [top_k_accuracy(t, scores, k=j) for j in range(1, k + 1)]
    assert values == sorted(values) and values[-1] == 1.0


@pytest.mark.parametrize("k", [1, 2, 3, 5, 9])
def test_top_k_accuracy_equals_scikit_learn_without_ties(k):
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(k)
    scores, t = rng.standard_normal((500, 10)), rng.integers(0, 10, 500)
    expected = sklearn_metrics.top_k_accuracy_score(t, scores, k=k, labels=np.arange(10))
    assert top_k_accuracy(t, scores, k=k) == pytest.approx(expected, abs=1e-15)


def test_top_k_accuracy_bad_input():
    with pytest.raises(ValueError, match="k must be a positive integer"):
        top_k_accuracy(np.array([0]), np.zeros((1, 3)), k=0)
    with pytest.raises(ValueError, match=r"scores must have a class axis last.*K >= 2, got shape \(3, 1\)"):
        top_k_accuracy(np.array([0, 1, 0]), np.zeros((3, 1)), k=1)
    with pytest.raises(ValueError, match=r"t must be class ids of shape \(3,\) or one-hot of shape \(3, 4\)"):
        top_k_accuracy(np.array([0, 1]), np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"t holds class ids in \[0, 4\]"):
        top_k_accuracy(np.array([0, 4]), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="every position"):
        top_k_accuracy(np.array([2, 2]), np.zeros((2, 4)), ignore_index=2)


# ---------------------------------------------------------- confusion matrix


def test_confusion_matrix_hand_worked():
    t = np.array([0, 0, 1, 2, 2, 2])
    y = np.array([0, 1, 1, 2, 0, 2])
    expected = np.array([[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    np.testing.assert_array_equal(confusion_matrix(t, y), expected)
    assert confusion_matrix(t, y).dtype == np.int64
    np.testing.assert_array_equal(confusion_matrix(t, one_hot(y, 3)), expected)
    padded = np.zeros((4, 4), dtype=np.int64)
    padded[:3, :3] = expected
    np.testing.assert_array_equal(confusion_matrix(t, y, n_classes=4), padded)


def test_confusion_matrix_takes_its_size_from_the_outputs():
    # class 3 appears nowhere, but the scores have 4 columns
    matrix = confusion_matrix(np.array([0, 1]), one_hot(np.array([0, 0]), 4))
    np.testing.assert_array_equal(matrix, [[1, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]])
    binary = confusion_matrix(np.array([1, 0, 1]), np.array([[0.9], [0.7], [0.1]]))
    np.testing.assert_array_equal(binary, [[0, 1], [1, 1]])


def test_confusion_matrix_ignores_padding():
    t = np.array([[0, 1, 9], [1, 9, 9]])
    y = np.array([[0, 0, 5], [1, 7, 3]])  # predictions at padded positions are never looked at
    np.testing.assert_array_equal(confusion_matrix(t, y, ignore_index=9), [[1, 0], [1, 1]])


def test_confusion_matrix_bad_input():
    with pytest.raises(ValueError, match=r"y holds class ids in \[0, 3\]; expected class ids in \[0, 3\)"):
        confusion_matrix(np.array([0, 1]), np.array([0, 3]), n_classes=3)
    with pytest.raises(ValueError, match=r"t holds class ids in \[-2, 1\]"):
        confusion_matrix(np.array([-2, 1]), np.array([0, 1]))
    with pytest.raises(ValueError, match="n_classes is 5 but the shapes of t and y give 3 classes"):
        confusion_matrix(np.array([0, 1]), np.zeros((2, 3)), n_classes=5)
    with pytest.raises(ValueError, match="n_classes must be a positive integer"):
        confusion_matrix(np.array([0, 1]), np.array([0, 1]), n_classes=0)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 60), st.integers(1, 6))
def test_confusion_matrix_counts_every_pair_once(seed, n, k):
    rng = np.random.default_rng(seed)
    t, y = rng.integers(0, k, n), rng.integers(0, k, n)
    expected = np.zeros((k, k), dtype=np.int64)
    np.add.at(expected, (t, y), 1)
    np.testing.assert_array_equal(confusion_matrix(t, y, n_classes=k), expected)
    assert np.trace(confusion_matrix(t, y, n_classes=k)) / n == pytest.approx(accuracy(t, y))


def test_confusion_matrix_equals_scikit_learn():
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(3)
    t, y = rng.integers(0, 6, 400), rng.integers(0, 6, 400)
    expected = sklearn_metrics.confusion_matrix(t, y, labels=np.arange(7))
    np.testing.assert_array_equal(confusion_matrix(t, y, n_classes=7), expected)


# -------------------------------------------------- precision, recall and F1


def test_precision_recall_f1_hand_worked():
    # matrix [[1, 1, 0], [0, 1, 0], [1, 0, 2]] (rows true, columns predicted)
    t = np.array([0, 0, 1, 2, 2, 2])
    y = np.array([0, 1, 1, 2, 0, 2])
    result = precision_recall_f1(t, y)
    np.testing.assert_allclose(result["precision"], [1 / 2, 1 / 2, 2 / 2])
    np.testing.assert_allclose(result["recall"], [1 / 2, 1 / 1, 2 / 3])
    np.testing.assert_allclose(result["f1"], [1 / 2, 2 / 3, 4 / 5])  # 2PR / (P + R)
    np.testing.assert_array_equal(result["support"], [2, 1, 3])
    assert result["macro_precision"] == pytest.approx(2 / 3)
    assert result["macro_recall"] == pytest.approx((1 / 2 + 1 + 2 / 3) / 3)
    assert result["macro_f1"] == pytest.approx((1 / 2 + 2 / 3 + 4 / 5) / 3)


def test_precision_recall_f1_zero_division():
    # class 2 is never predicted, class 3 appears nowhere
    t, y = np.array([0, 1, 2]), np.array([0, 1, 1])
    result = precision_recall_f1(t, y, n_classes=4, zero_division=math.nan)
    np.testing.assert_array_equal(result["precision"], [1, 0.5, math.nan, math.nan])
    np.testing.assert_array_equal(result["recall"], [1, 1, 0, math.nan])
    assert result["macro_precision"] == 0.75  # mean over the defined values
    result = precision_recall_f1(t, y, n_classes=4, zero_division=1.0)
    np.testing.assert_array_equal(result["precision"], [1, 0.5, 1, 1])
    with pytest.raises(ValueError, match="zero_division must be a number in"):
        precision_recall_f1(t, y, zero_division=2)


@pytest.mark.parametrize("zero_division", [0.0, 1.0, math.nan])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_precision_recall_f1_equals_scikit_learn(seed, zero_division):
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(seed)
    t, y = rng.integers(0, 5, 40), rng.integers(0, 4, 40)  # class 4 never predicted
    labels = np.arange(7)  # classes 5 and 6 appear nowhere
    result = precision_recall_f1(t, y, n_classes=7, zero_division=zero_division)
    precision, recall, f1, support = sklearn_metrics.precision_recall_fscore_support(
        t, y, labels=labels, zero_division=zero_division
    )
    np.testing.assert_allclose(result["precision"], precision, rtol=1e-15)
    np.testing.assert_allclose(result["recall"], recall, rtol=1e-15)
    np.testing.assert_allclose(result["f1"], f1, rtol=1e-14)
    np.testing.assert_array_equal(result["support"], support)
    macro = sklearn_metrics.precision_recall_fscore_support(
        t, y, labels=labels, zero_division=zero_division, average="macro"
    )
    assert [result["macro_precision"], result["macro_recall"], result["macro_f1"]] == pytest.approx(
        list(macro[:3]), rel=1e-14, nan_ok=True
    )


# -------------------------------------------------------------- regression


def test_regression_metrics_hand_worked():
    t = np.array([3.0, -0.5, 2.0, 7.0])
    y = np.array([2.5, 0.0, 2.0, 8.0])
    assert mean_absolute_error(t, y) == pytest.approx((0.5 + 0.5 + 0 + 1) / 4)
    assert mean_squared_error(t, y) == pytest.approx((0.25 + 0.25 + 0 + 1) / 4)
    # mean t = 2.875; Σ(t - mean)² = 29.1875; Σ(t - y)² = 1.5
    assert r2_score(t, y) == pytest.approx(1 - 1.5 / 29.1875)
    assert r2_score(t, t) == 1.0


def test_regression_metrics_with_sample_weight_hand_worked():
    t, y = np.array([1.0, 2.0, 4.0]), np.array([2.0, 2.0, 2.0])
    w = np.array([1.0, 0.0, 3.0])
    assert mean_absolute_error(t, y, sample_weight=w) == pytest.approx((1 * 1 + 3 * 2) / 4)
    assert mean_squared_error(t, y, sample_weight=w) == pytest.approx((1 * 1 + 3 * 4) / 4)
    # weighted mean of t = 13 / 4; Σw(t - mean)² = 1 * 2.25² + 3 * 0.75² = 6.75; Σw(t - y)² = 13
    assert r2_score(t, y, sample_weight=w) == pytest.approx(1 - 13 / 6.75)


def test_r2_of_constant_targets_follows_scikit_learn_force_finite():
    t = np.full(5, 0.1)  # its float mean is not exactly 0.1: the constant is found by max == min
    assert r2_score(t, t) == 1.0
    assert r2_score(t, t + 1) == 0.0
    two_outputs = np.stack([t, np.arange(5.0)], axis=1)
    assert r2_score(two_outputs, two_outputs + [[1.0, 0.0]]) == 0.5  # (0 + 1) / 2


def test_regression_metrics_any_shape_is_flattened_to_outputs():
    rng = np.random.default_rng(0)
    t, y = rng.standard_normal((20, 3, 2)), rng.standard_normal((20, 3, 2))
    assert mean_squared_error(t, y) == pytest.approx(np.mean((t - y) ** 2))
    assert r2_score(t, y) == pytest.approx(r2_score(t.reshape(20, 6), y.reshape(20, 6)), rel=1e-15)


@pytest.mark.parametrize("shape", [(30,), (30, 1), (30, 4)])
@pytest.mark.parametrize("weighted", [False, True])
def test_regression_metrics_equal_scikit_learn(shape, weighted):
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(len(shape) + weighted)
    t = rng.standard_normal(shape) * 3 + 1
    y = t + rng.standard_normal(shape)
    w = rng.uniform(0, 2, size=shape[0]) if weighted else None
    for ours, theirs in [
        (mean_squared_error, sklearn_metrics.mean_squared_error),
        (mean_absolute_error, sklearn_metrics.mean_absolute_error),
        (r2_score, sklearn_metrics.r2_score),
    ]:
        assert ours(t, y, sample_weight=w) == pytest.approx(theirs(t, y, sample_weight=w), rel=1e-12)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: mean_squared_error([1.0, 2.0], [1.0]), ValueError, r"same shape, got \(2,\) and \(1,\)"),
        (lambda: mean_absolute_error([1.0, math.nan], [1.0, 2.0]), ValueError, "t must be finite"),
        (lambda: mean_absolute_error([], []), ValueError, "t must not be empty"),
        (lambda: mean_absolute_error(["x"], [1.0]), TypeError, "t must be a numeric"),
        (lambda: r2_score([1.0], [1.0]), ValueError, "r2_score needs at least 2 samples"),
        (lambda: r2_score([1.0, 2.0], [1.0, 2.0], [1.0]), ValueError, r"sample_weight must have shape \(2,\)"),
        (lambda: mean_squared_error([1.0, 2.0], [1.0, 2.0], [1.0, -1.0]), ValueError, "non-negative"),
        (lambda: mean_squared_error([1.0, 2.0], [1.0, 2.0], [0.0, 0.0]), ValueError, "at least one positive"),
        (lambda: mean_squared_error([1.0, 2.0], [1.0, 2.0], [1.0, math.inf]), ValueError, "sample_weight must be"),
    ],
)
def test_regression_metrics_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


# -------------------------------------------------------------- perplexity


@pytest.mark.parametrize("k", [2, 7, 10_000])
def test_a_uniform_model_has_perplexity_k(k):
    t = np.arange(12) % k
    assert perplexity(t, np.zeros((12, k))) == pytest.approx(k, rel=1e-12)
    assert perplexity(t, np.full((12, k), 55.0, dtype=np.float32)) == pytest.approx(k, rel=1e-6)


def test_perplexity_hand_worked_and_stable():
    # probabilities of the true class 1/2 and 1/8: mean cross-entropy (ln 2 + ln 8) / 2 = 2 ln 2
    scores = np.log(np.array([[0.5, 0.25, 0.25], [0.125, 0.5, 0.375]]))
    t = np.array([0, 0])
    assert perplexity(t, scores) == pytest.approx(4.0, rel=1e-12)
    assert perplexity(t, scores + 1000) == pytest.approx(4.0, rel=1e-12)  # shift: no overflow
    assert perplexity(one_hot(t, 3), scores) == pytest.approx(4.0, rel=1e-12)
    assert perplexity(np.array([0]), np.array([[-1000.0, 0.0]])) == math.inf  # exp(1000) overflows


def test_perplexity_equals_pytorch_cross_entropy_with_ignore_index():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    scores = rng.standard_normal((4, 6, 11)) * 3  # (N, T, K)
    t = rng.integers(0, 11, (4, 6))
    t[:, 4:] = -100
    loss = torch.nn.functional.cross_entropy(
        torch.from_numpy(scores).reshape(-1, 11), torch.from_numpy(t).reshape(-1), ignore_index=-100
    )
    assert perplexity(t, scores, ignore_index=-100) == pytest.approx(math.exp(loss.item()), rel=1e-12)


def test_perplexity_from_loss():
    assert perplexity_from_loss(0.0) == 1.0
    assert perplexity_from_loss(math.log(50)) == pytest.approx(50, rel=1e-14)
    assert perplexity_from_loss(800.0) == math.inf
    assert perplexity_from_loss(math.inf) == math.inf
    with pytest.raises(ValueError, match="mean_loss must be a mean cross-entropy >= 0"):
        perplexity_from_loss(-0.5)
    with pytest.raises(ValueError, match="mean_loss must be"):
        perplexity_from_loss(math.nan)
    with pytest.raises(TypeError, match="mean_loss must be a real number"):
        perplexity_from_loss("1.0")  # type: ignore[arg-type]


def test_perplexity_bad_input():
    with pytest.raises(ValueError, match="scores must have a class axis last"):
        perplexity(np.array([1, 0]), np.array([[0.3], [0.1]]))  # one sigmoid output is not a softmax
    with pytest.raises(ValueError, match="every position"):
        perplexity(np.array([[-1, -1]]), np.zeros((1, 2, 3)), ignore_index=-1)


# -------------------------------------------------------------------- text


def test_confusion_matrix_text_layout():
    matrix = np.array([[12, 0, 3], [1, 9, 0], [0, 2, 100]])
    assert confusion_matrix_text(matrix) == (
        "confusion matrix (rows: true class, columns: predicted class)\n"
        "     0   1   2\n"
        "0   12   0   3\n"
        "1    1   9   0\n"
        "2    0   2 100"
    )
    named = confusion_matrix_text(matrix, ["cat", "dog", "2"]).splitlines()
    assert named[-1] == "classes: 0 cat, 1 dog, 2"
    with pytest.raises(ValueError, match="class_names must name the 3 classes, got 2"):
        confusion_matrix_text(matrix, ["cat", "dog"])
    with pytest.raises(ValueError, match=r"matrix must be a square \(K, K\)"):
        confusion_matrix_text(np.zeros((2, 3), dtype=int))


def test_confusion_matrix_text_reads_back_as_the_cli_test_reads_it():
    rng = np.random.default_rng(0)
    matrix = confusion_matrix(rng.integers(0, 12, 2000), rng.integers(0, 12, 2000))
    lines = confusion_matrix_text(matrix).splitlines()
    start = lines.index("confusion matrix (rows: true class, columns: predicted class)") + 2
    printed = np.array([[int(n) for n in line.split()[1:]] for line in lines[start : start + 12]])
    np.testing.assert_array_equal(printed, matrix)


def test_classification_report_text_layout():
    # matrix [[1, 1, 0], [0, 1, 0], [1, 0, 2]]; class 3 ("bird") is never predicted and absent
    t = np.array([0, 0, 1, 2, 2, 2])
    y = np.array([0, 1, 1, 2, 0, 2])
    report = classification_report_text(t, y, ["0", "cat", "dog", "bird"])
    assert report == (
        "accuracy 0.6667 (4/6)\n"
        "\n"
        "class      precision  recall      f1  support\n"
        "0             0.5000  0.5000  0.5000        2\n"
        "1 cat         0.5000  1.0000  0.6667        1\n"
        "2 dog         1.0000  0.6667  0.8000        3\n"
        "3 bird             -       -       -        0\n"
        "macro avg     0.6667  0.7222  0.6556        6"
    )


def test_classification_report_text_with_padding_and_outputs():
    t = np.array([[1, 0, -1]])
    scores = np.array([[[0.2, 0.8], [0.6, 0.4], [0.9, 0.1]]])
    report = classification_report_text(t, scores, ignore_index=-1)
    assert report.splitlines()[0] == "accuracy 1.0000 (2/2)"
    with pytest.raises(ValueError, match="class_names must name the 2 classes, got 3"):
        classification_report_text(np.array([0, 1]), np.zeros((2, 2)), ["a", "b", "c"], n_classes=2)


# --------------------------------------------------------------- streaming


def batch_bounds(n: int, cuts: list[int]) -> list[tuple[int, int]]:
    """Consecutive slices covering range(n), cut at ``cuts`` (taken modulo n)."""
    edges = sorted({0, n, *(c % n for c in cuts)})
    return list(zip(edges[:-1], edges[1:]))


def streamed(metric: Metric, t: np.ndarray, y: np.ndarray, bounds: list[tuple[int, int]]) -> float:
    metric.reset()
    for start, stop in bounds:
        metric.update(t[start:stop], y[start:stop])
    return metric.result()


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(2, 40),
    st.integers(2, 6),
    st.lists(st.integers(0, 1000), max_size=6),
)
def test_streaming_classification_metrics_equal_the_functions(seed, n, k, cuts):
    rng = np.random.default_rng(seed)
    t = rng.integers(0, k, size=(n, 3))
    t[rng.random((n, 3)) < 0.3] = -1  # padding
    t[0, 0] = 0  # at least one counted position
    scores = rng.integers(-2, 3, size=(n, 3, k)).astype(float)
    bounds = batch_bounds(n, cuts)
    assert streamed(Accuracy(ignore_index=-1), t, scores, bounds) == pytest.approx(
        accuracy(t, scores, ignore_index=-1), rel=1e-15
    )
    assert streamed(TopKAccuracy(2, ignore_index=-1), t, scores, bounds) == pytest.approx(
        top_k_accuracy(t, scores, k=2, ignore_index=-1), rel=1e-15
    )
    assert streamed(Perplexity(ignore_index=-1), t, scores, bounds) == pytest.approx(
        perplexity(t, scores, ignore_index=-1), rel=1e-12
    )


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(2, 40),
    st.sampled_from([(), (1,), (3,), (2, 2)]),
    st.lists(st.integers(0, 1000), max_size=6),
    st.booleans(),
)
def test_streaming_regression_metrics_equal_the_functions(seed, n, sample_shape, cuts, constant):
    rng = np.random.default_rng(seed)
    t = rng.standard_normal((n, *sample_shape)) * 10 + 5
    if constant:
        t[...] = 0.1
    y = t + rng.standard_normal(t.shape) * rng.choice([0.0, 1.0])
    bounds = batch_bounds(n, cuts)
    assert streamed(MeanAbsoluteError(), t, y, bounds) == pytest.approx(mean_absolute_error(t, y), rel=1e-12)
    assert streamed(MeanSquaredError(), t, y, bounds) == pytest.approx(mean_squared_error(t, y), rel=1e-12)
    assert streamed(R2Score(), t, y, bounds) == pytest.approx(r2_score(t, y), rel=1e-9, abs=1e-12)


def test_streaming_binary_accuracy_and_reset():
    metric = Accuracy()
    metric.update(np.array([1, 0]), np.array([[0.9], [0.8]]))
    metric.update(np.array([[1]]), np.array([[0.4]]))
    assert metric.result() == pytest.approx(1 / 3)
    metric.reset()
    metric.update(np.array([1]), np.array([[0.9]]))
    assert metric.result() == 1.0


def test_streaming_a_batch_of_padding_only_is_fine_but_an_epoch_of_it_is_not():
    metric = Perplexity(ignore_index=0)
    metric.update(np.array([0, 0]), np.zeros((2, 3)))  # all padding: nothing counted, no error
    with pytest.raises(ValueError, match="every position of t equals ignore_index=0"):
        metric.result()
    metric.update(np.array([1, 0]), np.zeros((2, 3)))
    assert metric.result() == pytest.approx(3.0)


def test_streaming_errors():
    with pytest.raises(ValueError, match="accuracy: no batch since the last reset"):
        Accuracy().result()
    r2 = R2Score()
    r2.update(np.ones((3, 2)), np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"samples of shape \(2,\) as in the earlier batches, got \(3,\)"):
        r2.update(np.ones((3, 3)), np.ones((3, 3)))
    with pytest.raises(ValueError, match="r2 needs at least 2 samples"):
        R2Score().result()
    with pytest.raises(ValueError, match="k must be a positive integer"):
        TopKAccuracy(0)


def test_get_metric_names():
    assert isinstance(get_metric("accuracy"), Accuracy)
    top5 = get_metric("top_k_accuracy", ignore_index=-1)
    assert isinstance(top5, TopKAccuracy) and top5.k == 5 and top5.ignore_index == -1 and top5.name == "top5_accuracy"
    assert get_metric("top3_accuracy").k == 3  # type: ignore[attr-defined]
    assert {get_metric(name).name for name in ["mae", "mse", "r2", "perplexity"]} == {"mae", "mse", "r2", "perplexity"}
    assert get_metric("perplexity", ignore_index=0).ignore_index == 0  # type: ignore[attr-defined]
    mine = Accuracy(ignore_index=3)
    assert get_metric(mine) is mine
    assert get_metric("accuracy") is not get_metric("accuracy")  # a fresh one each time


def test_get_metric_bad_names():
    with pytest.raises(ValueError, match="unknown metric 'acc'; valid names: accuracy, top<k>_accuracy, .*perplexity"):
        get_metric("acc")
    with pytest.raises(ValueError, match="unknown metric 'top0_accuracy'"):
        get_metric("top0_accuracy")
    with pytest.raises(ValueError, match="ignore_index applies to class-id metrics, not to 'mae'"):
        get_metric("mae", ignore_index=0)
    with pytest.raises(TypeError, match="metric must be a name or a Metric, got int"):
        get_metric(3)  # type: ignore[arg-type]


def test_the_module_lists_what_it_exports():
    assert all(hasattr(metrics, name) for name in metrics.__all__)
