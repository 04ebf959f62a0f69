"""Small argument checks shared by the public API (private module)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["check_positive_int"]


def check_positive_int(name: str, value: Any) -> None:
    """Raise ValueError naming ``name`` unless ``value`` is an integer > 0 (bool excluded)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
