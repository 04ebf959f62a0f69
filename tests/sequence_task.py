"""A small per-position sequence task and model shared by the contract tests.

Integer ids (N, T) -> Embedding -> Tanh -> TimeAffine -> scores (N, T, K) ->
SoftmaxWithLoss(ignore_index=IGNORE). Each sequence has a random length; the
positions after it hold the padding id and the ignored label. The target of
every position is a fixed function of its id (``(id + 3) % VOCAB``), which a
per-position model can learn exactly.
"""

from __future__ import annotations

import numpy as np

from numnet.layers import Embedding, SoftmaxWithLoss, Tanh, TimeAffine
from numnet.models import Sequential

VOCAB = 8  # ids and classes; id 0 is padding
STEPS = 6
PAD_ID = 0
IGNORE = -100


def copy_task(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """ids (n, STEPS) in [1, VOCAB) padded with PAD_ID, and labels (n, STEPS) with IGNORE at the padding."""
    rng = np.random.default_rng(seed)
    ids = rng.integers(1, VOCAB, size=(n, STEPS))
    lengths = rng.integers(2, STEPS + 1, size=n)
    padded = np.arange(STEPS) >= lengths[:, None]
    ids[padded] = PAD_ID
    labels = np.where(padded, IGNORE, (ids + 3) % VOCAB)
    return ids, labels


def sequence_model(seed: int = 0, dim: int = 8) -> Sequential:
    """The per-position model, its weights and its generator drawn from ``seed``; takes ids (N, any)."""
    rng = np.random.default_rng(seed)
    weights = (rng.standard_normal((dim, VOCAB)) / np.sqrt(dim)).astype(np.float32)
    layers = [Embedding(VOCAB, dim, init=0.5, rng=rng), Tanh(), TimeAffine(weights, np.zeros(VOCAB, np.float32))]
    return Sequential(layers, SoftmaxWithLoss(ignore_index=IGNORE), seed=seed, input_shape=(None,))


def position_accuracy(model: Sequential, ids: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of the non-padded positions whose predicted class is the label."""
    kept = labels != IGNORE
    return float(np.mean(model.predict_labels(ids)[kept] == labels[kept]))
