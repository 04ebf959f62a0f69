"""Small synthetic classification datasets for walkthroughs and tests.

Each returns ``x`` of shape ``(N, 2)`` (float32) and integer labels ``(N,)``
(int64), samples grouped by class in order.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from numnet._checks import Seed, as_generator

__all__ = ["make_spiral", "make_planar", "make_xor"]


def _check_count(name: str, value: int, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def make_spiral(
    n_per_class: int = 100, n_classes: int = 3, seed: Seed = None
) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
    """The interleaved spirals of CS231n: ``n_classes`` arms of ``n_per_class`` points.

    Arm ``k`` has radius ``r`` running evenly from 0 to 1 and angle
    ``4k + 4r`` plus Gaussian noise of standard deviation 0.2; a point is
    ``(r sin angle, r cos angle)``. Returns ``x (n_per_class * n_classes, 2)``
    and labels.
    """
    _check_count("n_per_class", n_per_class, 1)
    _check_count("n_classes", n_classes, 1)
    rng = as_generator(seed)
    radius = np.tile(np.linspace(0.0, 1.0, n_per_class), n_classes)
    labels = np.repeat(np.arange(n_classes, dtype=np.int64), n_per_class)
    angle = 4.0 * (labels + radius) + 0.2 * rng.standard_normal(labels.size)
    x = np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1)
    return x.astype(np.float32), labels


def make_planar(m: int = 400, seed: Seed = None) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
    """The two-class "flower" of the deeplearning.ai planar-data walkthrough.

    Each class has ``m / 2`` points on four petals: angle ``t`` runs evenly
    over ``[3.12 k, 3.12 (k + 1)]`` for class ``k``, radius ``4 sin(4t)``, both
    with Gaussian noise of standard deviation 0.2; a point is
    ``(r sin t, r cos t)``. ``m`` must be even. Returns ``x (m, 2)`` and labels
    (the course's ``X`` and ``Y``, transposed to numnet's row-major layout).
    """
    _check_count("m", m, 2)
    if m % 2:
        raise ValueError(f"m must be even (two classes of m / 2 points), got {m}")
    rng = as_generator(seed)
    half = m // 2
    labels = np.repeat(np.arange(2, dtype=np.int64), half)
    angle = np.concatenate([np.linspace(3.12 * k, 3.12 * (k + 1), half) for k in (0, 1)])
    angle += 0.2 * rng.standard_normal(m)
    radius = 4.0 * np.sin(4.0 * angle) + 0.2 * rng.standard_normal(m)
    x = np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1)
    return x.astype(np.float32), labels


def make_xor() -> tuple[NDArray[np.float32], NDArray[np.int64]]:
    """The four corners of the unit square labelled by XOR: (0,0)->0, (0,1)->1, (1,0)->1, (1,1)->0."""
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    labels = np.array([0, 1, 1, 0], dtype=np.int64)
    return x, labels
