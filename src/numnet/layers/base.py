"""The contract every layer follows.

A layer holds two aligned lists, ``params`` and ``grads``. ``forward(x,
train=True)`` computes the output and caches what ``backward`` needs;
``backward(dout)`` writes the parameter gradients *in place*
(``grad[...] = ...``, so that optimizers may keep references to them) and
returns the gradient with respect to the input. ``backward`` never mutates
``dout``. ``backward_params(dout)`` writes the same parameter gradients without
computing the input gradient: a network calls it on its first layer with
parameters, whose input is data (as PyTorch skips the gradient of an input
that does not require one). Layers for which that gradient is costly (a
matrix product, a col2im) override it; the default calls ``backward``.

A layer declares the input it expects in ``input_kind``: ``"float"``
features (the default) or ``"ids"``, integer indices (``Embedding``); a model
checks its data against its first layer's kind and never casts ids to float.
Losses are not layers: they follow their own contract in
:mod:`numnet.layers.losses`.

For saving (:mod:`numnet.io`) a layer describes itself: ``get_config()`` gives
the JSON-able keyword arguments that ``from_config`` rebuilds it from,
``param_names`` names its parameters and ``state_names`` the non-trainable
arrays (attributes, such as running statistics) that must be saved too. Every
subclass registers itself by class name in :data:`LAYER_REGISTRY`.

A layer that owns arrays also says, without allocating them, which arrays
``from_config(config)`` would make: ``array_specs(config)`` gives each
array's shape, dtype kind and whether it is a parameter. :mod:`numnet.io`
checks a file against these before it builds anything, so that a hostile
file cannot make numnet allocate more than the arrays it holds.
"""

from __future__ import annotations

from typing import Any, ClassVar, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

__all__ = ["Layer", "LAYER_REGISTRY", "ArraySpec", "check_dout"]

#: Class name -> layer class, filled by every subclass of :class:`Layer`.
LAYER_REGISTRY: dict[str, type[Layer]] = {}


class ArraySpec(NamedTuple):
    """An array a layer (or model) would own, described without allocating it.

    Attributes:
        shape: its shape.
        kind: its dtype kind: ``"f"``, the layer's float dtype.
        trainable: True for a parameter (in ``params``), False for state
            (in ``state_names``).
    """

    shape: tuple[int, ...]
    kind: str = "f"
    trainable: bool = True


class Layer:
    """Base class of all layers (see the module docstring for the contract)."""

    #: Names of the trainable parameters, aligned with ``params``.
    param_names: ClassVar[tuple[str, ...]] = ()
    #: Names of array attributes that are state but not parameters.
    state_names: ClassVar[tuple[str, ...]] = ()
    #: The input this layer takes: "float" features or "ids" (integer indices).
    input_kind: ClassVar[str] = "float"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__name__.startswith("_"):  # private bases are not layers one saves
            LAYER_REGISTRY[cls.__name__] = cls

    def __init__(self) -> None:
        self.params: list[NDArray] = []
        self.grads: list[NDArray] = []

    def forward(self, x: NDArray, train: bool = True) -> NDArray:
        raise NotImplementedError

    def backward(self, dout: NDArray) -> NDArray:
        raise NotImplementedError

    def backward_params(self, dout: NDArray) -> None:
        """Write the parameter gradients as ``backward`` does, skipping the input gradient."""
        self.backward(dout)

    def share_param(self, name: str, array: NDArray) -> None:
        """Use ``array`` as the parameter ``name`` instead of the layer's own (weight tying, wrapped arrays).

        ``array`` must have the parameter's shape and dtype; it is used, not
        copied (a transposed view of another layer's weight ties the two).
        The parameter's gradient array stays the layer's own.
        """
        if name not in self.param_names:
            raise ValueError(f"{self!r} has no parameter {name!r}; its parameters are {list(self.param_names)}")
        index = self.param_names.index(name)
        own = self.params[index]
        if not isinstance(array, np.ndarray) or array.shape != own.shape or array.dtype != own.dtype:
            raise ValueError(
                f"{self!r}: {name} must be an array of shape {own.shape} and dtype {own.dtype}, got "
                f"{type(array).__name__} {getattr(array, 'shape', '')} {getattr(array, 'dtype', '')}".rstrip()
            )
        setattr(self, name, array)
        self.params[index] = array

    def __call__(self, x: NDArray, train: bool = True) -> NDArray:
        return self.forward(x, train=train)

    def get_config(self) -> dict[str, Any]:
        """JSON-able keyword arguments from which ``from_config`` rebuilds this layer."""
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any], dtype: DTypeLike = np.float32) -> Layer:
        """Build a layer of the saved architecture; its arrays are loaded afterwards."""
        return cls(**config)

    @classmethod
    def array_specs(cls, config: dict[str, Any]) -> dict[str, ArraySpec]:
        """The arrays ``from_config(config)`` would make, by name (parameters, then state), without making them.

        Raises ValueError or TypeError for a config that ``from_config``
        refuses. A layer class with ``param_names`` or ``state_names`` must
        override this (:mod:`numnet.io` refuses to load a model with a layer
        whose arrays it cannot foresee); the default is right for layers
        without arrays.
        """
        if cls.param_names or cls.state_names:
            raise NotImplementedError(f"{cls.__name__} owns arrays but does not describe them (array_specs)")
        return {}

    @classmethod
    def _specs(cls, shapes: dict[str, tuple[int, ...]]) -> dict[str, ArraySpec]:
        """``array_specs`` from the shape of every array in ``param_names`` and ``state_names``."""
        return {
            name: ArraySpec(tuple(shapes[name]), "f", name in cls.param_names)
            for name in (*cls.param_names, *cls.state_names)
        }

    def __repr__(self) -> str:
        args = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({args})"


def check_dout(
    layer: Layer, dout: ArrayLike, expected: NDArray | tuple[int, ...] | None, dtype: DTypeLike | None = None
) -> NDArray:
    """``dout`` as an array of the forward output's shape, in the layer's dtype.

    Args:
        expected: the forward output's shape, or a cached array of that shape
            (whose dtype is then the default ``dtype``); None when ``forward``
            has not run yet.
        dtype: the dtype to return ``dout`` in (no copy if it already is);
            None keeps it.

    Raises RuntimeError before the first ``forward``, and ValueError when
    ``dout``'s shape differs (instead of letting NumPy broadcast it into a
    silently wrong gradient).
    """
    if expected is None:
        raise RuntimeError(f"{layer!r}: backward() called before forward()")
    if isinstance(expected, np.ndarray):
        dtype = expected.dtype if dtype is None else dtype
        expected = expected.shape
    dout = np.asarray(dout, dtype=dtype)
    if dout.shape != expected:
        raise ValueError(f"{layer!r}: dout must have the forward output's shape {expected}, got {dout.shape}")
    return dout
