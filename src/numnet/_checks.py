"""Small argument checks shared by the public API (private module)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["Seed", "as_generator", "check_positive_int", "check_finite", "check_ids"]


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


#: What a dtype kind that is not a real number is, for error messages.
_NOT_REAL = {
    "c": "complex numbers",
    "M": "datetimes",
    "m": "time spans",
    "U": "strings",
    "S": "bytes",
    "O": "Python objects",
    "V": "structured records",
}


def check_finite(name: str, array: NDArray) -> None:
    """Raise unless ``array`` holds finite real numbers, before anything computes with it.

    TypeError naming ``name`` for complex, datetime, string, bytes, object or
    structured arrays (never cast silently: ``"3"`` is not 3, and a complex
    number is not its real part); ValueError naming ``name`` and the index of
    the first NaN or infinite entry (in row-major order). Bool and integer
    arrays always pass. Costs one pass over a float array (a sum) when every
    entry is finite.
    """
    kind = array.dtype.kind
    if kind not in "biuf":
        what = _NOT_REAL.get(kind, "values that are not real numbers")
        raise TypeError(f"{name} must hold real numbers (bool, integer or float), got dtype {array.dtype} ({what})")
    if kind != "f" or array.size == 0:
        return
    with np.errstate(all="ignore"):
        if np.isfinite(np.add.reduce(array, axis=None)):  # a NaN or inf anywhere makes the sum NaN or inf
            return
    bad = ~np.isfinite(array)
    if not bad.any():  # finite values whose sum overflowed
        return
    index = np.unravel_index(int(np.argmax(bad)), array.shape)
    where = ", ".join(str(int(i)) for i in index)
    raise ValueError(f"{name} must hold finite numbers, but {name}[{where}] is {array[index]} (NaN or infinite values)")


def check_ids(
    ids: ArrayLike, vocab_size: int | None = None, name: str = "ids", *, allow_empty: bool = False
) -> NDArray[np.intp]:
    """``ids`` as an intp array of word (or class) ids, every value in ``[0, vocab_size)``.

    Raises TypeError for a non-integer array (floats are never truncated into
    ids), ValueError for an empty one (unless ``allow_empty``) and ValueError
    naming the first id out of range and where it is (``vocab_size=None``
    checks only that ids are >= 0).
    """
    array = np.asarray(ids)
    if array.size == 0:
        if allow_empty:
            return array.astype(np.intp)
        raise ValueError(f"{name} must hold at least one id, got an empty array")
    if array.dtype.kind not in "iu":
        raise TypeError(f"{name} must be an array of integer ids, got dtype {array.dtype}")
    bad = array < 0 if vocab_size is None else (array < 0) | (array >= vocab_size)
    if bad.any():
        first = int(np.argmax(bad.reshape(-1)))
        index = tuple(int(i) for i in np.unravel_index(first, array.shape))
        where = index[0] if len(index) == 1 else index
        expected = "ids >= 0" if vocab_size is None else f"ids in [0, {vocab_size})"
        raise ValueError(f"{name} holds id {array.reshape(-1)[first]} at index {where}; expected {expected}")
    return array.astype(np.intp, copy=False)
