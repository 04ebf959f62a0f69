"""Small argument checks shared by the public API (private module)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["Seed", "as_generator", "check_positive_int"]


def check_positive_int(name: str, value: Any) -> None:
    """Raise ValueError naming ``name`` unless ``value`` is an integer > 0 (bool excluded)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


#: What a ``seed=`` argument accepts.
Seed = int | np.random.Generator | None


def as_generator(seed: Seed, name: str = "seed") -> np.random.Generator:
    """A Generator from ``seed``: a Generator is used as is (its state advances),
    an int gives a fresh reproducible one, ``None`` a fresh unpredictable one."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng()
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(
            f"{name} must be None, a non-negative int or a numpy.random.Generator, got {type(seed).__name__}"
        )
    if seed < 0:
        raise ValueError(f"{name} must be a non-negative int, got {seed}")
    return np.random.default_rng(seed)
