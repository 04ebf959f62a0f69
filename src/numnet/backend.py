"""The array module numnet computes with.

Layers ask this module for their array namespace instead of importing NumPy
directly, so that a CuPy backend can slot in later without rewriting them.
Today the only backend is NumPy; an array that belongs to CuPy selects CuPy.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np

__all__ = ["get_array_module", "xp"]

#: The default array module.
xp: ModuleType = np


def get_array_module(*arrays: object) -> ModuleType:
    """Return the array module (``numpy`` or ``cupy``) that owns ``arrays``.

    Falls back to NumPy for Python scalars, NumPy arrays or no argument.
    """
    for array in arrays:
        if type(array).__module__.split(".")[0] == "cupy":
            import cupy  # noqa: PLC0415 - only present on a GPU machine

            return cupy
    return np
