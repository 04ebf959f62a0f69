"""Samples in their natural layout, put into the layout a model takes.

The dataset catalogue and picture files give samples in their natural layout:
vectors (N, D), gray images (N, H, W) and colour images (N, H, W, C), channels
last. A model's :class:`~numnet.models.InputSpec` says what it takes: float
features ``(D,)`` (samples of any layout holding D values, flattened in C
order: catvnoncat photos become H·W·C vectors) or images ``(C, H, W)``,
channels first.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from numnet.models import InputSpec

__all__ = ["to_model_layout", "vectors_or_images"]


def vectors_or_images(spec: InputSpec) -> tuple[str, int]:
    """``("vectors", D)`` for a model of float features (D,), ``("images", C)`` for one of images (C, H, W).

    Raises:
        ValueError: the model takes something else (integer ids, or an unfixed shape).
    """
    shape = spec.shape
    if spec.kind == "float" and shape is not None:
        if len(shape) == 1 and shape[0] is not None:
            return "vectors", shape[0]
        if len(shape) == 3 and shape[0] is not None:
            return "images", shape[0]
    raise ValueError(f"the model takes {spec.describe()}, neither feature vectors nor images")


def to_model_layout(x: NDArray, spec: InputSpec, source: str = "x") -> NDArray:
    """``x`` (N, ...) in natural layout, in the layout ``spec`` takes: (N, D) vectors or (N, C, H, W) images.

    Raises:
        ValueError: the samples do not fit the model; the message names ``source``.
    """
    kind, size = vectors_or_images(spec)
    if kind == "vectors":
        values = math.prod(x.shape[1:])
        if values != size:
            raise ValueError(
                f"the model takes {size} input values per sample, but {source} has "
                f"{values} (samples of shape {x.shape[1:]})"
            )
        return x.reshape(len(x), size)
    if x.ndim == 3:
        x = x[:, np.newaxis]
    elif x.ndim == 4 and x.shape[-1] in (1, 3):
        x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    else:
        raise ValueError(f"the model takes images, but {source} has samples of shape {x.shape[1:]}")
    if x.shape[1] != size:
        raise ValueError(f"the model takes images of {size} channel(s), but {source} has {x.shape[1]}")
    assert spec.shape is not None
    if any(fixed is not None and fixed != given for fixed, given in zip(spec.shape[1:], x.shape[2:])):
        pixels = "x".join("any" if size is None else str(size) for size in spec.shape[1:])
        raise ValueError(f"the model takes images of {pixels} pixels, but {source} has {x.shape[2]}x{x.shape[3]}")
    return x
