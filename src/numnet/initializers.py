"""Weight initializers: ``zeros``, ``normal(std)``, ``xavier``, ``he`` and ``glorot_uniform``.

An initializer is a callable ``init(shape, rng, dtype) -> ndarray`` that
draws an array of ``shape`` in ``dtype`` from the ``numpy.random.Generator``
``rng``. Layers take one by name (``"zeros"``, ``"normal"``, ``"xavier"``,
``"he"``, ``"glorot_uniform"``), as a float (a normal with that standard deviation, the textbook's
``weight_init_std=0.01``) or as any such callable; :func:`get_initializer`
resolves all three.

Random draws are made in float64 and then cast, so one seed gives the same
weights (up to rounding) whatever the dtype.

Fan-in and fan-out (:func:`compute_fans`) follow the shapes numnet uses:

- a fully connected weight ``(in_features, out_features)`` has
  fan_in = ``in_features``, fan_out = ``out_features``;
- a convolution filter ``(out_channels, in_channels, kh, kw)`` has
  fan_in = ``in_channels * kh * kw`` (``prod(shape[1:])``), the inputs one
  output value sees, and fan_out = ``out_channels * kh * kw``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from numbers import Real

import numpy as np
from numpy.typing import DTypeLike, NDArray

__all__ = [
    "Initializer",
    "compute_fans",
    "zeros",
    "normal",
    "xavier",
    "he",
    "glorot_uniform",
    "get_initializer",
    "describe_init",
    "INITIALIZER_NAMES",
]

Initializer = Callable[[tuple[int, ...], np.random.Generator, DTypeLike], NDArray]

#: The standard deviation of ``"normal"``: the textbook's ``weight_init_std``.
DEFAULT_NORMAL_STD = 0.01


def compute_fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of ``shape`` (see the module docstring).

    A 1-D shape ``(n,)`` counts as fan_in = fan_out = n, a 0-D shape as 1.
    """
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive_field = math.prod(shape[2:])
    return shape[1] * receptive_field, shape[0] * receptive_field


def _float_dtype(dtype: DTypeLike) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"dtype must be a floating dtype, got {dtype}")
    return dtype


def _gaussian(shape: tuple[int, ...], rng: np.random.Generator, dtype: DTypeLike, std: float) -> NDArray:
    dtype = _float_dtype(dtype)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    weights = rng.standard_normal(shape)
    weights *= std
    return weights.astype(dtype, copy=False)


def zeros(shape: tuple[int, ...], rng: np.random.Generator | None = None, dtype: DTypeLike = np.float32) -> NDArray:
    """All zeros (``rng`` is accepted for a uniform signature and not used)."""
    return np.zeros(shape, dtype=_float_dtype(dtype))


def _check_std(std: object) -> float:
    if isinstance(std, bool) or not isinstance(std, Real):
        raise TypeError(f"std must be a real number, got {type(std).__name__} {std!r}")
    if not math.isfinite(std) or std < 0:
        raise ValueError(f"std must be finite and >= 0, got {std}")
    return float(std)


def normal(std: float = DEFAULT_NORMAL_STD) -> Initializer:
    """An initializer drawing from N(0, std^2): the textbook's ``weight_init_std * randn``."""
    std = _check_std(std)

    def init(shape: tuple[int, ...], rng: np.random.Generator, dtype: DTypeLike = np.float32) -> NDArray:
        return _gaussian(shape, rng, dtype, std)

    init.__name__ = init.__qualname__ = "normal"
    init.std = std  # type: ignore[attr-defined]  # lets a layer's config record the std
    return init


def xavier(shape: tuple[int, ...], rng: np.random.Generator, dtype: DTypeLike = np.float32) -> NDArray:
    """N(0, 1/fan_in): the textbook's "Xavier" initial value, std = sqrt(1 / fan_in).

    This is the form "Deep Learning from Scratch" uses for sigmoid and tanh
    networks; Glorot and Bengio's original also counts fan_out
    (std = sqrt(2 / (fan_in + fan_out))): see :func:`glorot_uniform`.
    """
    fan_in, _ = compute_fans(shape)
    return _gaussian(shape, rng, dtype, math.sqrt(1.0 / max(fan_in, 1)))


def he(shape: tuple[int, ...], rng: np.random.Generator, dtype: DTypeLike = np.float32) -> NDArray:
    """N(0, 2/fan_in): He et al.'s initial value for ReLU networks, std = sqrt(2 / fan_in)."""
    fan_in, _ = compute_fans(shape)
    return _gaussian(shape, rng, dtype, math.sqrt(2.0 / max(fan_in, 1)))


def glorot_uniform(shape: tuple[int, ...], rng: np.random.Generator, dtype: DTypeLike = np.float32) -> NDArray:
    """U(-a, a) with a = sqrt(6 / (fan_in + fan_out)): Glorot and Bengio's (2010) uniform initial value.

    Its variance a²/3 = 2 / (fan_in + fan_out). This is what scikit-learn's
    MLPClassifier / MLPRegressor draw for ReLU and tanh networks (for the
    weights; their biases are drawn alike, numnet's start at zero) and what
    ``torch.nn.init.xavier_uniform_`` draws.
    """
    dtype = _float_dtype(dtype)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    fan_in, fan_out = compute_fans(shape)
    bound = math.sqrt(6.0 / max(fan_in + fan_out, 1))
    return rng.uniform(-bound, bound, size=shape).astype(dtype, copy=False)


_BY_NAME: dict[str, Initializer] = {
    "zeros": zeros,
    "normal": normal(DEFAULT_NORMAL_STD),
    "xavier": xavier,
    "he": he,
    "glorot_uniform": glorot_uniform,
}

#: The names :func:`get_initializer` accepts.
INITIALIZER_NAMES: tuple[str, ...] = tuple(_BY_NAME)


def get_initializer(init: str | float | Initializer) -> Initializer:
    """Resolve ``init``: a name in :data:`INITIALIZER_NAMES`, a float std, or a callable.

    Raises:
        ValueError: an unknown name (the message lists the valid ones) or a
            negative / non-finite std.
        TypeError: anything else.
    """
    if isinstance(init, str):
        try:
            return _BY_NAME[init]
        except KeyError:
            raise ValueError(
                f"unknown init {init!r}; expected one of {', '.join(map(repr, INITIALIZER_NAMES))}, "
                "a float standard deviation or a callable init(shape, rng, dtype)"
            ) from None
    if isinstance(init, Real) and not isinstance(init, bool):
        return normal(float(init))
    if callable(init):
        return init
    raise TypeError(
        f"init must be a name ({', '.join(INITIALIZER_NAMES)}), a float standard deviation "
        f"or a callable init(shape, rng, dtype), got {type(init).__name__} {init!r}"
    )


def describe_init(init: str | float | Initializer) -> str | float:
    """A JSON-able description of ``init``: its name, its std, or a callable's name."""
    if isinstance(init, str):
        return init
    if isinstance(init, Real):
        return float(init)
    std = getattr(init, "std", None)  # set by initializers.normal(std)
    return float(std) if std is not None else getattr(init, "__name__", type(init).__name__)
