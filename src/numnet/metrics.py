"""Metrics: how good predictions are, as plain functions on arrays and as streaming accumulators.

Arguments come in scikit-learn's order: the targets ``t`` first, the predictions second.

Classification
--------------
Targets ``t`` are integer class ids of shape (N, ...), one per position (N samples, or N
sequences of T positions, ...); one-hot targets (N, ..., K) and binary 0/1 columns (N, ..., 1)
are accepted too. Predictions ``y`` are class ids, or a model's outputs with the class axis
last, (N, ..., K), read by :func:`predicted_labels` (argmax; a threshold for one output).
Which is which follows from the shapes:

=============================  ==============================================================
``y.shape == t.shape + (K,)``  ``t`` class ids, ``y`` outputs
``t.shape == y.shape + (K,)``  ``t`` one-hot (or a binary column when K == 1), ``y`` class ids
``y.shape == t.shape``         a last axis of size 1: binary columns (``y`` thresholded when
                               it is float); else a float ``y`` of two or more axes: ``t``
                               one-hot, ``y`` outputs; else both class ids
=============================  ==============================================================

So predicted class ids should be an integer array: a float ``y`` of ``t``'s shape (N, T) is read
as outputs with T classes, and that is refused unless ``t`` is one-hot.

``ignore_index``: positions whose target class id equals it count neither in the numerator nor in
the denominator (padding in sequences). It applies to class-id targets only, as in PyTorch.
When every position is ignored there is nothing to score: ``ValueError``.

Regression
----------
``t`` and ``y`` have one shape (N, ...); every element after the sample axis is an output.

Streaming
---------
A :class:`Metric` accumulates counts and sums over mini-batches (``update``), so that a trainer
gets the epoch's value (``result``) without keeping the predictions; it equals the function on
the concatenated batches. :func:`get_metric` makes one from a name.
"""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from numnet._checks import check_positive_int

__all__ = [
    "predicted_labels",
    "accuracy",
    "exact_match",
    "top_k_accuracy",
    "confusion_matrix",
    "precision_recall_f1",
    "mean_squared_error",
    "mean_absolute_error",
    "r2_score",
    "perplexity",
    "perplexity_from_loss",
    "confusion_matrix_text",
    "classification_report_text",
    "Metric",
    "Accuracy",
    "ExactMatch",
    "TopKAccuracy",
    "MeanAbsoluteError",
    "MeanSquaredError",
    "R2Score",
    "Perplexity",
    "METRIC_NAMES",
    "get_metric",
]

_NUMERIC_KINDS = "biuf"


# ------------------------------------------------------------ input checks


def _numeric(x: ArrayLike, name: str) -> NDArray:
    """``x`` as a non-empty, finite, real array with a sample axis, or an error naming ``name``."""
    try:
        array = np.asarray(x)
    except (ValueError, TypeError) as error:
        raise TypeError(f"{name} must be a numeric array, could not convert it: {error}") from None
    if array.dtype.kind not in _NUMERIC_KINDS:
        raise TypeError(f"{name} must be a numeric (bool, integer or float) array, got dtype {array.dtype}")
    if array.ndim == 0:
        raise ValueError(f"{name} must be an array with a sample axis, shape (N, ...), got a scalar")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite, it holds NaN or infinity")
    return array


def _as_labels(a: NDArray, name: str) -> NDArray[np.int64]:
    """Class ids as int64; float arrays must hold whole numbers."""
    if a.dtype.kind == "f" and np.any(a != np.round(a)):
        raise ValueError(f"{name} must hold whole-number class ids, got {a[a != np.round(a)].flat[0]}")
    return a.astype(np.int64)


def _check_ignore_index(ignore_index: Any) -> None:
    if ignore_index is not None and (isinstance(ignore_index, bool) or not isinstance(ignore_index, (int, np.integer))):
        raise TypeError(f"ignore_index must be None or an int, got {ignore_index!r}")


def _check_threshold(binary_threshold: Any) -> None:
    if isinstance(binary_threshold, bool) or not isinstance(binary_threshold, (int, float, np.integer, np.floating)):
        raise TypeError(f"binary_threshold must be a real number, got {binary_threshold!r}")
    if not math.isfinite(binary_threshold):
        raise ValueError(f"binary_threshold must be finite, got {binary_threshold}")


def _check_range(labels: NDArray, name: str, n_classes: int | None) -> None:
    """``labels`` (non-empty) lie in [0, n_classes), or are non-negative when n_classes is None."""
    low, high = int(labels.min()), int(labels.max())
    if low < 0 or (n_classes is not None and high >= n_classes):
        expected = f"in [0, {n_classes})" if n_classes is not None else "that are non-negative"
        raise ValueError(f"{name} holds class ids in [{low}, {high}]; expected class ids {expected}")


def _class_axis_targets(t: NDArray, ignore_index: int | None) -> NDArray[np.int64]:
    """Class ids (N, ...) from targets with a class axis: a binary column (N, ..., 1) or one-hot (N, ..., K)."""
    if t.shape[-1] == 1:
        return _as_labels(t[..., 0], "t")
    if ignore_index is not None:
        raise ValueError(
            f"ignore_index applies to class-id targets, but t of shape {t.shape} is read as one-hot; "
            "pass class ids to ignore positions"
        )
    if not (np.all((t == 0) | (t == 1)) and np.all(np.sum(t, axis=-1) == 1)):
        raise ValueError(
            f"t of shape {t.shape} is read as one-hot targets (N, ..., K) but its rows are not one-hot "
            "(a single 1, the rest 0); to compare class ids, pass the predictions y as an integer array"
        )
    return np.argmax(t, axis=-1).astype(np.int64)


def _dropping_ignored(labels: NDArray, others: NDArray, ignore_index: int | None) -> tuple[NDArray, NDArray]:
    """Flat ``labels`` (M,) and ``others`` (M, ...) without the positions whose label is ``ignore_index``."""
    if ignore_index is None:
        return labels, others
    keep = labels != ignore_index
    return labels[keep], others[keep]


def _thresholded_or_argmax(y: NDArray, binary_threshold: float) -> NDArray[np.intp]:
    if y.ndim == 1 or y.shape[-1] == 1:
        above = y >= binary_threshold
        return (above if y.ndim == 1 else above[..., 0]).astype(np.intp)
    return np.argmax(y, axis=-1)


def _label_pair(
    t: ArrayLike, y: ArrayLike, ignore_index: int | None, binary_threshold: float
) -> tuple[NDArray[np.int64], NDArray[np.int64], int | None]:
    """Targets and predictions as flat class ids (M,) without the ignored positions, and the
    number of classes their shapes imply (None when both are class ids)."""
    _check_ignore_index(ignore_index)
    _check_threshold(binary_threshold)
    t, y = _numeric(t, "t"), _numeric(y, "y")
    if y.ndim == t.ndim + 1 and y.shape[:-1] == t.shape:  # class ids and outputs
        t_labels, n_classes = _as_labels(t, "t"), max(y.shape[-1], 2)
        y_labels = _thresholded_or_argmax(y, binary_threshold)
    elif t.ndim == y.ndim + 1 and t.shape[:-1] == y.shape:  # one-hot (or binary column) and class ids
        t_labels, n_classes = _class_axis_targets(t, ignore_index), max(t.shape[-1], 2)
        y_labels = _as_labels(y, "y")
    elif t.shape == y.shape and t.ndim >= 2 and t.shape[-1] == 1:  # binary columns
        t_labels, n_classes = _as_labels(t[..., 0], "t"), 2
        y_labels = _thresholded_or_argmax(y, binary_threshold) if y.dtype.kind == "f" else _as_labels(y[..., 0], "y")
    elif t.shape == y.shape and t.ndim >= 2 and y.dtype.kind == "f":  # one-hot and outputs
        t_labels, n_classes = _class_axis_targets(t, ignore_index), t.shape[-1]
        y_labels = _thresholded_or_argmax(y, binary_threshold)
    elif t.shape == y.shape:  # class ids and class ids
        t_labels, y_labels, n_classes = _as_labels(t, "t"), _as_labels(y, "y"), None
    else:
        raise ValueError(
            f"t of shape {t.shape} and y of shape {y.shape} do not fit: y must be class ids of t's shape, "
            "or outputs (N, ..., K) with t's shape plus a class axis (or t one-hot with y's shape plus one)"
        )
    t_labels, y_labels = _dropping_ignored(t_labels.ravel(), y_labels.ravel(), ignore_index)
    if t_labels.size:
        _check_range(t_labels, "t", n_classes)
        _check_range(y_labels, "y", n_classes)
    return t_labels, y_labels.astype(np.int64), n_classes


def _targets_for_scores(
    t: ArrayLike, scores: ArrayLike, ignore_index: int | None
) -> tuple[NDArray[np.int64], NDArray[np.floating]]:
    """Flat class ids (M,) and the matching score rows (M, K), without the ignored positions."""
    _check_ignore_index(ignore_index)
    t, scores = _numeric(t, "t"), _numeric(scores, "scores")
    if scores.ndim < 2 or scores.shape[-1] < 2:
        raise ValueError(f"scores must have a class axis last, shape (N, ..., K) with K >= 2, got shape {scores.shape}")
    if t.shape == scores.shape[:-1]:
        labels = _as_labels(t, "t")
    elif t.shape == scores.shape:
        labels = _class_axis_targets(t, ignore_index)
    else:
        raise ValueError(
            f"t must be class ids of shape {scores.shape[:-1]} or one-hot of shape {scores.shape} "
            f"for scores of shape {scores.shape}, got shape {t.shape}"
        )
    n_classes = scores.shape[-1]
    labels, rows = _dropping_ignored(labels.ravel(), scores.reshape(-1, n_classes), ignore_index)
    if labels.size:
        _check_range(labels, "t", n_classes)
    return labels, rows


def _require_positions(count: int, ignore_index: int | None) -> None:
    if count == 0:
        raise ValueError(f"every position of t equals ignore_index={ignore_index}: there is nothing to score")


def _ratio(total: float, count: int, ignore_index: int | None) -> float:
    _require_positions(count, ignore_index)
    return total / count


# ---------------------------------------------------------- classification


def predicted_labels(outputs: ArrayLike, binary_threshold: float = 0.5) -> NDArray[np.intp]:
    """Class ids (N, ...) from a model's outputs.

    Outputs (N, ..., K) with K >= 2: the argmax over the last axis (the first of tied maxima),
    the same for scores and for probabilities. One output — shape (N, ..., 1) or (N,) — is a
    binary classifier: class 1 where ``outputs >= binary_threshold``. The default 0.5 suits
    probabilities (a sigmoid's output); pass ``binary_threshold=0.0`` for logits.
    """
    _check_threshold(binary_threshold)
    return _thresholded_or_argmax(_numeric(outputs, "outputs"), binary_threshold)


def _accuracy_counts(t: ArrayLike, y: ArrayLike, ignore_index: int | None, binary_threshold: float) -> tuple[int, int]:
    t_labels, y_labels, _ = _label_pair(t, y, ignore_index, binary_threshold)
    return int(np.count_nonzero(t_labels == y_labels)), t_labels.size


def accuracy(t: ArrayLike, y: ArrayLike, ignore_index: int | None = None, *, binary_threshold: float = 0.5) -> float:
    """Fraction of positions whose predicted class is the target class.

    ``t``: class ids (N, ...) or one-hot (N, ..., K); ``y``: class ids of the same positions or
    outputs (N, ..., K) (see the module's table). ``binary_threshold``: see :func:`predicted_labels`.
    """
    return _ratio(*_accuracy_counts(t, y, ignore_index, binary_threshold), ignore_index)


def _exact_match_counts(t: ArrayLike, y: ArrayLike, ignore_index: int | None) -> tuple[int, int]:
    _check_ignore_index(ignore_index)
    targets, predictions = _numeric(t, "t"), _numeric(y, "y")
    if predictions.ndim == targets.ndim + 1 and predictions.shape[:-1] == targets.shape:
        predictions = np.argmax(predictions, axis=-1)
    elif predictions.shape != targets.shape:
        raise ValueError(
            f"t of shape {targets.shape} and y of shape {predictions.shape} do not fit: y must be class ids of "
            "t's shape or scores with t's shape plus a class axis"
        )
    labels, predicted = _as_labels(targets, "t"), _as_labels(predictions, "y")
    if labels.ndim == 0:
        raise ValueError("t must have a leading sample axis, got a scalar")
    n = len(labels)
    counted = np.ones(labels.shape, dtype=bool) if ignore_index is None else labels != ignore_index
    counted, wrong = counted.reshape(n, -1), ((labels != predicted) & counted).reshape(n, -1)
    samples = counted.any(axis=1)  # a sample all of whose positions are ignored does not count
    return int(np.count_nonzero(samples & ~wrong.any(axis=1))), int(np.count_nonzero(samples))


def exact_match(t: ArrayLike, y: ArrayLike, ignore_index: int | None = None) -> float:
    """Fraction of samples whose every position is predicted right: sequence accuracy.

    ``t``: class ids (N, ...); ``y``: class ids of the same shape or scores (N, ..., K). Positions
    whose target is ``ignore_index`` (padding) are not compared; a sample with none left does not
    count. For a decoder trained with teacher forcing, a sample that matches exactly under teacher
    forcing is exactly one that greedy generation gets right (each step is then fed its own output).
    """
    correct, count = _exact_match_counts(t, y, ignore_index)
    if count == 0:
        raise ValueError(f"every position of t equals ignore_index={ignore_index}: there is nothing to score")
    return correct / count


def _top_k_counts(t: ArrayLike, scores: ArrayLike, k: int, ignore_index: int | None) -> tuple[int, int]:
    check_positive_int("k", k)
    labels, rows = _targets_for_scores(t, scores, ignore_index)
    true_scores = rows[np.arange(len(labels)), labels][:, None]
    # The rank of the true class: the classes scored higher, and the tied ones with a lower index.
    ahead = (rows > true_scores) | ((rows == true_scores) & (np.arange(rows.shape[1]) < labels[:, None]))
    return int(np.count_nonzero(np.count_nonzero(ahead, axis=1) < k)), labels.size


def top_k_accuracy(t: ArrayLike, scores: ArrayLike, k: int = 5, ignore_index: int | None = None) -> float:
    """Fraction of positions whose target class is among the ``k`` highest scores.

    ``scores``: (N, ..., K) with K >= 2; ``t``: class ids (N, ...) or one-hot (N, ..., K).
    Ties are broken by class index, the lower first, as :func:`predicted_labels` does: so
    ``k=1`` gives :func:`accuracy`. (scikit-learn's ``top_k_accuracy_score`` puts the higher
    index first; without ties the two agree.) ``k >= K`` gives 1.
    """
    return _ratio(*_top_k_counts(t, scores, k, ignore_index), ignore_index)


def confusion_matrix(
    t: ArrayLike,
    y: ArrayLike,
    n_classes: int | None = None,
    ignore_index: int | None = None,
    *,
    binary_threshold: float = 0.5,
) -> NDArray[np.int64]:
    """Counts (K, K): entry [i, j] is the number of positions of true class i predicted as j.

    ``t`` and ``y`` as for :func:`accuracy`. ``n_classes`` (K) defaults to the class axis of the
    outputs or one-hot targets (2 for a single output), else to the largest class id + 1.
    """
    if n_classes is not None:
        check_positive_int("n_classes", n_classes)
    t_labels, y_labels, implied = _label_pair(t, y, ignore_index, binary_threshold)
    _require_positions(t_labels.size, ignore_index)
    if n_classes is None:
        n_classes = implied if implied is not None else int(max(t_labels.max(), y_labels.max())) + 1
    elif implied is not None and n_classes != implied:
        raise ValueError(f"n_classes is {n_classes} but the shapes of t and y give {implied} classes")
    _check_range(t_labels, "t", n_classes)
    _check_range(y_labels, "y", n_classes)
    counts = np.bincount(t_labels * n_classes + y_labels, minlength=n_classes * n_classes)
    return counts.reshape(n_classes, n_classes).astype(np.int64)


def _check_zero_division(zero_division: Any) -> None:
    if isinstance(zero_division, bool) or not isinstance(zero_division, (int, float, np.integer, np.floating)):
        raise TypeError(f"zero_division must be a number in [0, 1] or NaN, got {zero_division!r}")
    if not (math.isnan(zero_division) or 0 <= zero_division <= 1):
        raise ValueError(f"zero_division must be a number in [0, 1] or NaN, got {zero_division}")


def _divide(numerator: NDArray, denominator: NDArray, zero_division: float) -> NDArray[np.float64]:
    out = np.full(numerator.shape, float(zero_division))
    return np.divide(numerator, denominator, out=out, where=denominator != 0)


def _mean_of_defined(values: NDArray[np.float64]) -> float:
    """Mean over the entries that are not NaN; NaN when there are none."""
    defined = values[~np.isnan(values)]
    return float(np.mean(defined)) if defined.size else math.nan


def _per_class_scores(matrix: NDArray[np.int64], zero_division: float) -> dict[str, Any]:
    hits = np.diag(matrix).astype(np.float64)
    predicted, support = matrix.sum(axis=0), matrix.sum(axis=1)
    precision = _divide(hits, predicted, zero_division)
    recall = _divide(hits, support, zero_division)
    f1 = _divide(2 * hits, predicted + support, zero_division)  # = 2PR / (P + R)
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "support": support,
        "macro_precision": _mean_of_defined(precision),
        "macro_recall": _mean_of_defined(recall),
        "macro_f1": _mean_of_defined(f1),
    }


def precision_recall_f1(
    t: ArrayLike,
    y: ArrayLike,
    n_classes: int | None = None,
    ignore_index: int | None = None,
    zero_division: float = 0.0,
    *,
    binary_threshold: float = 0.5,
) -> dict[str, Any]:
    """Per-class precision, recall, F1 and support, and their macro averages.

    ``t``, ``y``, ``n_classes``, ``ignore_index`` as for :func:`confusion_matrix`. Returns
    ``{"precision", "recall", "f1": float64 (K,), "support": int64 (K,),
    "macro_precision", "macro_recall", "macro_f1": float}``. Precision of class k is
    hits / predicted as k, recall hits / true k, F1 = 2·hits / (predicted + true). Where a
    denominator is 0 the value is ``zero_division`` (0, 1 or NaN); the macro averages are the
    plain means over the K classes, leaving out NaN values — as scikit-learn's
    ``precision_recall_fscore_support(labels=range(K))`` computes them.
    """
    _check_zero_division(zero_division)
    matrix = confusion_matrix(t, y, n_classes, ignore_index, binary_threshold=binary_threshold)
    return _per_class_scores(matrix, zero_division)


# -------------------------------------------------------------- regression


def _regression_pair(t: ArrayLike, y: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Targets and predictions of one shape (N, ...) as float64 arrays (N, outputs)."""
    t, y = _numeric(t, "t"), _numeric(y, "y")
    if t.shape != y.shape:
        raise ValueError(f"t and y must have the same shape, got {t.shape} and {y.shape}")
    return t.reshape(len(t), -1).astype(np.float64), y.reshape(len(y), -1).astype(np.float64)


def _sample_weights(sample_weight: ArrayLike | None, n: int) -> NDArray[np.float64] | None:
    if sample_weight is None:
        return None
    weights = _numeric(sample_weight, "sample_weight").astype(np.float64)
    if weights.shape != (n,):
        raise ValueError(f"sample_weight must have shape ({n},), one weight per sample, got shape {weights.shape}")
    if np.any(weights < 0) or not np.any(weights > 0):
        raise ValueError("sample_weight must be non-negative with at least one positive weight")
    return weights


def _error_mean(t: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None, power: int) -> float:
    t, y = _regression_pair(t, y)
    errors = np.mean(np.abs(y - t) ** power, axis=1)
    return float(np.average(errors, weights=_sample_weights(sample_weight, len(t))))


def mean_squared_error(t: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
    """Mean of (y - t)² over all elements of ``t`` and ``y`` (N, ...); ``sample_weight`` (N,) weights samples."""
    return _error_mean(t, y, sample_weight, 2)


def mean_absolute_error(t: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
    """Mean of |y - t| over all elements of ``t`` and ``y`` (N, ...); ``sample_weight`` (N,) weights samples."""
    return _error_mean(t, y, sample_weight, 1)


def _r2_per_output(residual_ss: NDArray, total_ss: NDArray, constant: NDArray[np.bool_]) -> NDArray[np.float64]:
    """1 - residual/total per output; where the targets are constant: 1 for an exact fit, else 0."""
    scores = np.where(residual_ss == 0, 1.0, 0.0)
    varying = ~constant
    scores[varying] = 1 - residual_ss[varying] / total_ss[varying]
    return scores


def r2_score(t: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
    """Coefficient of determination R² = 1 - Σ(t - y)² / Σ(t - mean t)², averaged over the outputs.

    ``t`` and ``y``: (N, ...) with N >= 2; each element after the sample axis is an output with
    its own R², and the result is their plain mean (scikit-learn's ``multioutput="uniform_average"``).
    An output whose targets are all equal has no variance to explain: its R² is 1 for an exact
    fit and 0 otherwise (scikit-learn's ``force_finite=True``). ``sample_weight`` (N,) weights
    the sums and the mean; samples of weight 0 do not count.
    """
    t, y = _regression_pair(t, y)
    if len(t) < 2:
        raise ValueError(f"r2_score needs at least 2 samples (the variance of one is 0), got {len(t)}")
    weights = _sample_weights(sample_weight, len(t))
    if weights is None:
        weights = np.ones(len(t))
    mean = np.average(t, axis=0, weights=weights)
    residual_ss = weights @ (t - y) ** 2
    total_ss = weights @ (t - mean) ** 2
    counted = t[weights > 0]
    constant = counted.max(axis=0) == counted.min(axis=0)
    return float(np.mean(_r2_per_output(residual_ss, total_ss, constant)))


# -------------------------------------------------------------- perplexity


def _cross_entropy_sum(t: ArrayLike, scores: ArrayLike, ignore_index: int | None) -> tuple[float, int]:
    labels, rows = _targets_for_scores(t, scores, ignore_index)
    if not labels.size:
        return 0.0, 0
    # -log softmax(s)[label] = logsumexp(s) - s[label]; the row's maximum is taken out of the exp.
    top = rows.max(axis=1)
    log_norm = top + np.log(np.sum(np.exp(rows - top[:, None]), axis=1, dtype=np.float64))
    return float(np.sum(log_norm - rows[np.arange(len(labels)), labels])), labels.size


def perplexity_from_loss(mean_loss: float) -> float:
    """exp(mean cross-entropy): the perplexity of a model whose mean loss (in nats) is ``mean_loss``.

    ``inf`` when the exponential overflows a float.
    """
    if isinstance(mean_loss, bool) or not isinstance(mean_loss, (int, float, np.integer, np.floating)):
        raise TypeError(f"mean_loss must be a real number, got {mean_loss!r}")
    if math.isnan(mean_loss) or mean_loss < 0:
        raise ValueError(f"mean_loss must be a mean cross-entropy >= 0, got {mean_loss}")
    try:
        return math.exp(mean_loss)
    except OverflowError:
        return math.inf


def perplexity(t: ArrayLike, scores: ArrayLike, ignore_index: int | None = None) -> float:
    """exp of the mean softmax cross-entropy of ``scores`` (N, ..., K) against ``t``.

    ``t``: class ids (N, ...) or one-hot (N, ..., K); ``scores``: unnormalized log-probabilities
    (logits), K >= 2. A model that gives all K classes one probability has perplexity K.
    """
    return perplexity_from_loss(_ratio(*_cross_entropy_sum(t, scores, ignore_index), ignore_index))


# -------------------------------------------------------------------- text

CONFUSION_MATRIX_TITLE = "confusion matrix (rows: true class, columns: predicted class)"


def _class_names(class_names: Sequence[str] | None, n_classes: int) -> list[str]:
    if class_names is None:
        return [str(k) for k in range(n_classes)]
    names = [str(name) for name in class_names]
    if len(names) != n_classes:
        raise ValueError(f"class_names must name the {n_classes} classes, got {len(names)} names")
    return names


def _class_label(k: int, name: str) -> str:
    return name if name == str(k) else f"{k} {name}"


def _check_matrix(matrix: ArrayLike) -> NDArray[np.int64]:
    counts = _numeric(matrix, "matrix")
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
        raise ValueError(f"matrix must be a square (K, K) array of counts, got shape {counts.shape}")
    integral = _as_labels(counts, "matrix")
    if integral.min() < 0:
        raise ValueError("matrix must hold non-negative counts")
    return integral


def confusion_matrix_text(matrix: ArrayLike, class_names: Sequence[str] | None = None) -> str:
    """The (K, K) counts of :func:`confusion_matrix` as text: a title line, a header of
    predicted class ids, then one row per true class id. Class names other than the ids are
    listed on a last line, so that the rows stay numbers.
    """
    matrix = _check_matrix(matrix)
    n = len(matrix)
    names = _class_names(class_names, n)
    width = max(len(str(matrix.max())), len(str(n - 1)))
    label = len(str(n - 1))
    lines = [CONFUSION_MATRIX_TITLE, " " * label + "  " + " ".join(f"{k:>{width}}" for k in range(n))]
    lines += [f"{k:>{label}}  " + " ".join(f"{count:>{width}}" for count in row) for k, row in enumerate(matrix)]
    if names != [str(k) for k in range(n)]:
        lines.append("classes: " + ", ".join(_class_label(k, name) for k, name in enumerate(names)))
    return "\n".join(lines)


def classification_report_text(
    t: ArrayLike,
    y: ArrayLike,
    class_names: Sequence[str] | None = None,
    *,
    n_classes: int | None = None,
    ignore_index: int | None = None,
    binary_threshold: float = 0.5,
) -> str:
    """Accuracy, then a table of per-class precision, recall, F1 and support, then their macro average.

    ``t`` and ``y`` as for :func:`accuracy`; ``n_classes`` defaults to ``len(class_names)`` when
    names are given. A value whose denominator is 0 (a class never predicted, or absent) is
    printed as "-" and left out of the macro average.
    """
    if n_classes is None and class_names is not None:
        n_classes = len(class_names)
    matrix = confusion_matrix(t, y, n_classes, ignore_index, binary_threshold=binary_threshold)
    names = _class_names(class_names, len(matrix))
    scores = _per_class_scores(matrix, zero_division=math.nan)
    correct, total = int(np.trace(matrix)), int(matrix.sum())

    def number(value: float) -> str:
        return "-" if math.isnan(value) else f"{value:.4f}"

    labels = [_class_label(k, name) for k, name in enumerate(names)]
    width = max(len("macro avg"), *(len(label) for label in labels))

    def row(label: str, precision: float, recall: float, f1: float, support: int) -> str:
        return f"{label:<{width}}  {number(precision):>9}  {number(recall):>6}  {number(f1):>6}  {support:>7}"

    lines = [f"accuracy {correct / total:.4f} ({correct:,}/{total:,})", ""]
    lines.append(f"{'class':<{width}}  precision  recall      f1  support")
    lines += [
        row(label, *values)
        for label, values in zip(labels, zip(scores["precision"], scores["recall"], scores["f1"], scores["support"]))
    ]
    lines.append(row("macro avg", scores["macro_precision"], scores["macro_recall"], scores["macro_f1"], total))
    return "\n".join(lines)


# --------------------------------------------------------------- streaming


class Metric(ABC):
    """A metric accumulated over mini-batches.

    ``update(t, y)`` with each batch (the same arguments as the function of the same name),
    ``result()`` for the value over all batches since the last ``reset()``. Only counts and
    sums are kept, never the predictions. ``name`` is the key a trainer records it under.
    """

    name: str
    #: What ``update`` takes as ``y`` from a model: ``"labels"`` (predicted class ids),
    #: ``"scores"`` (the raw scores, classes on the last axis) or ``"outputs"`` (predicted values).
    input: str = "scores"

    @abstractmethod
    def update(self, t: ArrayLike, y: ArrayLike, *, checked: bool = False) -> None:
        """Add one batch: targets ``t`` and predictions or outputs ``y``.

        ``checked=True`` is the training loop's promise that ``t`` and ``y``
        are valid already (class ids of one shape for the label metrics):
        the batch is counted without checking it again.
        """

    @abstractmethod
    def result(self) -> float:
        """The metric over every batch since the last reset (ValueError when there is none)."""

    @abstractmethod
    def reset(self) -> None:
        """Forget every batch."""

    def state_dict(self) -> dict[str, Any]:
        """The accumulated sums as JSON-able values, for checkpoints taken part way through an epoch."""
        raise NotImplementedError(f"{type(self).__name__} cannot be checkpointed")

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Take back what :meth:`state_dict` gave."""
        raise NotImplementedError(f"{type(self).__name__} cannot be checkpointed")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


class _MeanMetric(Metric):
    """The mean of a per-position quantity: keeps its sum and the number of positions."""

    ignore_index: int | None = None
    _total: float
    _count: int
    _batches: int

    def __init__(self) -> None:
        self.reset()

    @abstractmethod
    def _batch(self, t: ArrayLike, y: ArrayLike) -> tuple[float, int]:
        """The quantity's sum over the batch's counted positions, and their number."""

    def _checked_batch(self, t: NDArray, y: NDArray) -> tuple[float, int]:
        """:meth:`_batch` for inputs known to be valid; the same unless a metric has a faster way."""
        return self._batch(t, y)

    def update(self, t: ArrayLike, y: ArrayLike, *, checked: bool = False) -> None:
        total, count = self._checked_batch(np.asarray(t), np.asarray(y)) if checked else self._batch(t, y)
        self._total += total
        self._count += count
        self._batches += 1

    def result(self) -> float:
        if self._batches == 0:
            raise ValueError(f"{self.name}: no batch since the last reset; call update() first")
        return _ratio(self._total, self._count, self.ignore_index)

    def reset(self) -> None:
        self._total, self._count, self._batches = 0.0, 0, 0

    def state_dict(self) -> dict[str, Any]:
        return {"total": self._total, "count": self._count, "batches": self._batches}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self._total, self._count, self._batches = float(state["total"]), int(state["count"]), int(state["batches"])


class Accuracy(_MeanMetric):
    """Streaming :func:`accuracy`."""

    name = "accuracy"
    input = "labels"

    def __init__(self, ignore_index: int | None = None, *, binary_threshold: float = 0.5) -> None:
        _check_ignore_index(ignore_index)
        _check_threshold(binary_threshold)
        self.ignore_index, self.binary_threshold = ignore_index, binary_threshold
        super().__init__()

    def _batch(self, t: ArrayLike, y: ArrayLike) -> tuple[float, int]:
        return _accuracy_counts(t, y, self.ignore_index, self.binary_threshold)

    def _checked_batch(self, t: NDArray, y: NDArray) -> tuple[float, int]:
        """Class ids ``t`` and ``y`` of one shape: count the matches among the counted positions."""
        if self.ignore_index is None:
            return float(np.count_nonzero(t == y)), t.size
        counted = t != self.ignore_index
        return float(np.count_nonzero((t == y) & counted)), int(np.count_nonzero(counted))


class ExactMatch(_MeanMetric):
    """Streaming :func:`exact_match`: counts samples, and those predicted right at every position."""

    name = "exact_match"
    input = "labels"

    def __init__(self, ignore_index: int | None = None) -> None:
        _check_ignore_index(ignore_index)
        self.ignore_index = ignore_index
        super().__init__()

    def _batch(self, t: ArrayLike, y: ArrayLike) -> tuple[float, int]:
        return _exact_match_counts(t, y, self.ignore_index)


class TopKAccuracy(_MeanMetric):
    """Streaming :func:`top_k_accuracy`; its name is ``f"top{k}_accuracy"``."""

    def __init__(self, k: int = 5, ignore_index: int | None = None) -> None:
        check_positive_int("k", k)
        _check_ignore_index(ignore_index)
        self.k, self.ignore_index, self.name = k, ignore_index, f"top{k}_accuracy"
        super().__init__()

    def _batch(self, t: ArrayLike, y: ArrayLike) -> tuple[float, int]:
        return _top_k_counts(t, y, self.k, self.ignore_index)


class MeanAbsoluteError(_MeanMetric):
    """Streaming :func:`mean_absolute_error` (without sample weights)."""

    name = "mae"
    input = "outputs"

    def _batch(self, t: ArrayLike, y: ArrayLike) -> tuple[float, int]:
        t, y = _regression_pair(t, y)
        return float(np.sum(np.abs(y - t))), t.size


class MeanSquaredError(_MeanMetric):
    """Streaming :func:`mean_squared_error` (without sample weights)."""

    name = "mse"
    input = "outputs"

    def _batch(self, t: ArrayLike, y: ArrayLike) -> tuple[float, int]:
        t, y = _regression_pair(t, y)
        return float(np.sum((y - t) ** 2)), t.size


class Perplexity(_MeanMetric):
    """Streaming :func:`perplexity`: sums the cross-entropy and counts positions, exp at the end."""

    name = "perplexity"

    def __init__(self, ignore_index: int | None = None) -> None:
        _check_ignore_index(ignore_index)
        self.ignore_index = ignore_index
        super().__init__()

    def _batch(self, t: ArrayLike, y: ArrayLike) -> tuple[float, int]:
        return _cross_entropy_sum(t, y, self.ignore_index)

    def result(self) -> float:
        return perplexity_from_loss(super().result())


class R2Score(Metric):
    """Streaming :func:`r2_score` (without sample weights).

    Per output it keeps the count, the mean and the sum of squared deviations of the targets
    (merged batch by batch with Chan et al.'s parallel update, which does not lose precision
    as Σt² - (Σt)²/n does), the residual sum of squares, and the targets' minimum and maximum
    (an output is constant when they are equal).
    """

    name = "r2"
    input = "outputs"

    def __init__(self) -> None:
        self.reset()

    _sample_shape: tuple[int, ...] | None

    def reset(self) -> None:
        self._count, self._sample_shape = 0, None

    def update(self, t: ArrayLike, y: ArrayLike, *, checked: bool = False) -> None:
        sample_shape = np.shape(t)[1:]
        t, y = _regression_pair(t, y)
        if self._sample_shape is None:
            outputs = t.shape[1]
            self._sample_shape = sample_shape
            self._mean, self._deviation_ss, self._residual_ss = np.zeros(outputs), np.zeros(outputs), np.zeros(outputs)
            self._low, self._high = np.full(outputs, np.inf), np.full(outputs, -np.inf)
        elif sample_shape != self._sample_shape:
            raise ValueError(
                f"t must have samples of shape {self._sample_shape} as in the earlier batches, got {sample_shape}"
            )
        n, batch_mean = len(t), t.mean(axis=0)
        total = self._count + n
        delta = batch_mean - self._mean
        self._deviation_ss = (
            self._deviation_ss + np.sum((t - batch_mean) ** 2, axis=0) + delta**2 * (self._count * n / total)
        )
        self._mean = self._mean + delta * (n / total)
        self._residual_ss = self._residual_ss + np.sum((t - y) ** 2, axis=0)
        self._low, self._high = np.minimum(self._low, t.min(axis=0)), np.maximum(self._high, t.max(axis=0))
        self._count = total

    _ARRAYS = ("_mean", "_deviation_ss", "_residual_ss", "_low", "_high")

    def state_dict(self) -> dict[str, Any]:
        if self._sample_shape is None:
            return {"count": 0}
        state: dict[str, Any] = {"count": self._count, "sample_shape": list(self._sample_shape)}
        state.update({name.lstrip("_"): getattr(self, name).tolist() for name in self._ARRAYS})
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.reset()
        if int(state["count"]) == 0:
            return
        self._count, self._sample_shape = int(state["count"]), tuple(state["sample_shape"])
        for name in self._ARRAYS:
            setattr(self, name, np.array(state[name.lstrip("_")], dtype=np.float64))

    def result(self) -> float:
        if self._count < 2:
            raise ValueError(f"r2 needs at least 2 samples since the last reset, got {self._count}")
        constant = self._low == self._high
        return float(np.mean(_r2_per_output(self._residual_ss, self._deviation_ss, constant)))


#: The names :func:`get_metric` knows (``top<k>_accuracy`` stands for any k, e.g. ``top5_accuracy``).
METRIC_NAMES = ("accuracy", "top<k>_accuracy", "top_k_accuracy", "exact_match", "mae", "mse", "r2", "perplexity")

_REGRESSION_METRICS: dict[str, type[Metric]] = {
    "mae": MeanAbsoluteError,
    "mse": MeanSquaredError,
    "r2": R2Score,
}


def get_metric(name: str | Metric, *, ignore_index: int | None = None) -> Metric:
    """A fresh streaming metric for ``name`` (see :data:`METRIC_NAMES`); a :class:`Metric` is returned as is.

    ``"top_k_accuracy"`` is top-5 accuracy. ``ignore_index`` goes to the metrics that read class
    ids (accuracy, top-k accuracy, perplexity); the regression metrics refuse it.
    """
    if isinstance(name, Metric):
        return name
    if not isinstance(name, str):
        raise TypeError(f"metric must be a name or a Metric, got {type(name).__name__}")
    top_k = re.fullmatch(r"top([1-9][0-9]*)_accuracy", name)
    if name == "accuracy":
        return Accuracy(ignore_index)
    if name == "exact_match":
        return ExactMatch(ignore_index)
    if name == "top_k_accuracy" or top_k:
        return TopKAccuracy(int(top_k.group(1)) if top_k else 5, ignore_index)
    if name == "perplexity":
        return Perplexity(ignore_index)
    if name in _REGRESSION_METRICS:
        if ignore_index is not None:
            raise ValueError(f"ignore_index applies to class-id metrics, not to {name!r}")
        return _REGRESSION_METRICS[name]()
    raise ValueError(f"unknown metric {name!r}; valid names: {', '.join(METRIC_NAMES)}")
