"""Small synthetic classification datasets for walkthroughs and tests.

Each returns ``x`` of shape ``(N, 2)`` (float32 unless asked otherwise) and
integer labels ``(N,)`` (int64), samples grouped by class in order.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike, NDArray

from numnet._checks import Seed, as_generator

__all__ = ["make_spiral", "make_planar", "make_circles", "make_moons", "make_xor", "PLANAR_MODES"]

#: How :func:`make_planar` draws its noise: numnet's generator, or the course's own code.
PLANAR_MODES = ("generator", "course")


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


def make_planar(
    m: int = 400, seed: Seed = None, mode: str = "generator", dtype: DTypeLike = np.float32
) -> tuple[NDArray, NDArray[np.int64]]:
    """The two-class "flower" of the deeplearning.ai planar-data walkthrough.

    Each class has ``m / 2`` points on four petals: angle ``t`` runs evenly
    over ``[3.12 k, 3.12 (k + 1)]`` for class ``k``, radius ``4 sin(4t)``, both
    with Gaussian noise of standard deviation 0.2; a point is
    ``(r sin t, r cos t)``. ``m`` must be even. Returns ``x (m, 2)`` and labels
    (the course's ``X`` and ``Y``, transposed to numnet's row-major layout).

    Args:
        m: the number of points.
        seed: seeds the noise (see ``mode``).
        mode: ``"generator"`` draws the noise from a ``numpy.random.Generator``
            (``seed`` as everywhere in numnet). ``"course"`` runs the course's
            ``load_planar_dataset``: a legacy ``numpy.random.RandomState(seed)``
            (``np.random.seed(seed)`` without touching NumPy's global state;
            ``seed`` an int, by default the course's 1), drawing per class the
            angle noise, then the radius noise. With the defaults and
            ``dtype="float64"`` that is the course's data set bit for bit:
            ``x == X.T`` and ``labels == Y[0]``.
        dtype: the float dtype of ``x``.
    """
    _check_count("m", m, 2)
    if m % 2:
        raise ValueError(f"m must be even (two classes of m / 2 points), got {m}")
    if mode not in PLANAR_MODES:
        raise ValueError(f"mode must be one of {list(PLANAR_MODES)}, got {mode!r}")
    half = m // 2
    labels = np.repeat(np.arange(2, dtype=np.int64), half)
    angles = [np.linspace(3.12 * k, 3.12 * (k + 1), half) for k in (0, 1)]
    if mode == "course":
        if seed is None:
            seed = 1
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise TypeError(f"seed must be an int for mode='course' (the course's np.random.seed), got {seed!r}")
        if not 0 <= seed < 2**32:
            raise ValueError(f"seed must be in [0, 2**32) for mode='course', got {seed}")
        legacy = np.random.RandomState(seed)
        angle, radius = [], []
        for k in (0, 1):  # the course's drawing order: class by class, angle noise then radius noise
            t = angles[k] + legacy.randn(half) * 0.2
            angle.append(t)
            radius.append(4 * np.sin(4 * t) + legacy.randn(half) * 0.2)
        t, r = np.concatenate(angle), np.concatenate(radius)
    else:
        rng = as_generator(seed)
        t = np.concatenate(angles) + 0.2 * rng.standard_normal(m)
        r = 4.0 * np.sin(4.0 * t) + 0.2 * rng.standard_normal(m)
    x = np.stack([r * np.sin(t), r * np.cos(t)], axis=1)
    return x.astype(dtype), labels


def _two_arcs(
    arcs: tuple[NDArray, NDArray, NDArray, NDArray], noise: float, seed: Seed, dtype: DTypeLike
) -> tuple[NDArray, NDArray[np.int64]]:
    """Stack the arcs (x0, y0) of class 0 and (x1, y1) of class 1 and add Gaussian noise of std ``noise``."""
    if not isinstance(noise, (int, float, np.floating, np.integer)) or isinstance(noise, bool) or not noise >= 0:
        raise ValueError(f"noise must be a number >= 0, got {noise!r}")
    x0, y0, x1, y1 = arcs
    x = np.stack([np.concatenate([x0, x1]), np.concatenate([y0, y1])], axis=1)
    if noise:
        x = x + noise * as_generator(seed).standard_normal(x.shape)
    labels = np.repeat(np.arange(2, dtype=np.int64), [len(x0), len(x1)])
    return x.astype(dtype), labels


def make_circles(
    n_samples: int = 100, noise: float = 0.0, factor: float = 0.8, seed: Seed = None, dtype: DTypeLike = np.float32
) -> tuple[NDArray, NDArray[np.int64]]:
    """Two concentric circles: class 0 on the unit circle, class 1 on a circle of radius ``factor``.

    The points of each circle are spaced evenly (``n_samples // 2`` outside,
    the rest inside), then moved by Gaussian noise of standard deviation
    ``noise``: scikit-learn's ``make_circles(shuffle=False)`` (its noise is
    drawn differently). The course's extra data set is
    ``make_circles(200, noise=0.3, factor=0.5)``.
    """
    _check_count("n_samples", n_samples, 2)
    if not isinstance(factor, (int, float, np.floating)) or isinstance(factor, bool) or not 0 <= factor < 1:
        raise ValueError(f"factor must be a number in [0, 1), got {factor!r}")
    outer, inner = n_samples // 2, n_samples - n_samples // 2
    t_out = np.linspace(0.0, 2 * np.pi, outer, endpoint=False)
    t_in = np.linspace(0.0, 2 * np.pi, inner, endpoint=False)
    arcs = (np.cos(t_out), np.sin(t_out), factor * np.cos(t_in), factor * np.sin(t_in))
    return _two_arcs(arcs, noise, seed, dtype)


def make_moons(
    n_samples: int = 100, noise: float = 0.0, seed: Seed = None, dtype: DTypeLike = np.float32
) -> tuple[NDArray, NDArray[np.int64]]:
    """Two interleaving half circles: class 0 the upper arc, class 1 the lower one shifted right by 1.

    As scikit-learn's ``make_moons(shuffle=False)`` (its noise is drawn
    differently). The course's extra data set is ``make_moons(200, noise=0.2)``.
    """
    _check_count("n_samples", n_samples, 2)
    outer, inner = n_samples // 2, n_samples - n_samples // 2
    t_out, t_in = np.linspace(0.0, np.pi, outer), np.linspace(0.0, np.pi, inner)
    arcs = (np.cos(t_out), np.sin(t_out), 1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5)
    return _two_arcs(arcs, noise, seed, dtype)


def make_xor() -> tuple[NDArray[np.float32], NDArray[np.int64]]:
    """The four corners of the unit square labelled by XOR: (0,0)->0, (0,1)->1, (1,0)->1, (1,1)->0."""
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    labels = np.array([0, 1, 1, 0], dtype=np.int64)
    return x, labels
