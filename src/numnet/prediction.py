"""What a classifier says about inputs, ready to show: every class's probability, the top classes, their names."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from numnet._checks import check_positive_int
from numnet.data.catalogue import DATASETS
from numnet.models import Sequential

__all__ = ["class_probabilities", "n_classes", "top_classes", "class_names", "class_name"]


def class_probabilities(model: Sequential, x: ArrayLike, batch_size: int | None = 1000) -> NDArray:
    """The probability of every class for each sample of ``x``: (N, K).

    A one-output (sigmoid) model gives K = 2 columns, P(class 0) = 1 - ŷ and P(class 1) = ŷ.
    """
    p = np.asarray(model.predict_proba(x, batch_size=batch_size))
    if p.ndim == 1 or (p.ndim == 2 and p.shape[1] == 1):
        p = p.reshape(len(p))
        return np.stack([1.0 - p, p], axis=1)
    return p


def n_classes(model: Sequential, x: ArrayLike) -> int:
    """The number of classes ``model`` tells apart, read off its output for the samples ``x`` (one will do)."""
    return int(class_probabilities(model, x, batch_size=None).shape[-1])


def top_classes(probabilities: ArrayLike, k: int = 3) -> NDArray[np.intp]:
    """The ``k`` most probable classes of each row of ``probabilities`` (N, K): (N, min(k, K)), best first.

    Ties go to the lower class id.
    """
    check_positive_int("k", k)
    p = np.asarray(probabilities)
    if p.ndim != 2:
        raise ValueError(f"probabilities must have shape (N, K), got {p.shape}")
    return np.argsort(-p, axis=1, kind="stable")[:, :k]


def class_names(model: Sequential, dataset: str | None = None) -> tuple[str, ...] | None:
    """The names of the classes ``model`` predicts, indexed by class id.

    Those it carries in ``model.metadata["class_names"]`` (numnet sets them
    when it trains a model on a catalogued dataset), else those of
    ``dataset`` in the catalogue (for models saved without them), else None.
    """
    names = model.metadata.get("class_names")
    if isinstance(names, (list, tuple)) and names:
        return tuple(str(name) for name in names)
    if dataset in DATASETS:
        return DATASETS[dataset].class_names
    return None


def class_name(k: int, names: Sequence[str] | None) -> str:
    """The name of class ``k``, or its id when the names are unknown (or do not reach ``k``)."""
    return str(k) if names is None or not 0 <= k < len(names) else names[k]
