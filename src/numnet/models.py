"""Networks built from layers: the Model contract, Sequential and the classic models on top of it.

:class:`Model` is what every model offers the trainer and :mod:`numnet.io`;
:class:`Sequential` is a list of layers followed by a loss
(:class:`numnet.layers.Loss`), the form of most models. Models whose layers
do not form one chain (an encoder and a decoder, :mod:`numnet.sequence_models`)
are written on :class:`Model` directly.
``predict(x)`` runs the layers with ``train=False`` and returns the scores
(the input of the loss, as in the textbook); ``forward(x, t)`` runs them in
training mode and returns the loss; ``backward()`` fills every layer's
``grads``.

A model knows its input (:class:`InputSpec`): float features or integer ids,
and the per-sample shape where it is fixed. Data is checked against it with
a clear error, and ids are never cast to float.

Every model describes itself for saving: ``get_config()`` is JSON-able and
``from_config(config, dtype)`` rebuilds the architecture; ``named_arrays()``
and ``load_named_arrays()`` carry the parameters and layer state under stable
names (``"0.W"``, ``"0.b"``, ``"3.running_mean"``, ...); ``metadata`` is a
JSON-able dict saved with the model (the dataset's name and class names, say).

Shared parameters (weight tying). A parameter array used by several layers
of a :class:`Sequential` (the same array, or one layer's weight wrapped
transposed by another, as the book's ``TimeAffine(embed_W.T, b)``) is one
parameter of the model: it appears once in ``params``, its gradient in
``grads`` is the sum of its uses' gradients, and the configuration records
the tie so that a loaded model shares the array again.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from numnet._checks import check_finite, check_ids, check_positive_int
from numnet.gradient import numerical_gradients
from numnet.layers import (
    LAYER_REGISTRY,
    LOSS_REGISTRY,
    Affine,
    BatchNorm,
    Conv2D,
    Dense,
    Dropout,
    Embedding,
    Flatten,
    Layer,
    Loss,
    MaxPool2D,
    MeanSquaredLoss,
    ReLU,
    Sigmoid,
    SigmoidWithLoss,
    SoftmaxWithLoss,
    Tanh,
    TimeAffine,
)
from numnet.layers.base import ArraySpec
from numnet.metrics import accuracy

__all__ = [
    "MODEL_REGISTRY",
    "InputSpec",
    "Model",
    "Sequential",
    "TwoLayerNet",
    "MLP",
    "LogisticRegression",
    "SimpleConvNet",
    "DeepConvNet",
    "ConvNet",
    "ACTIVATIONS",
    "MAX_LAYERS",
    "OUTPUTS",
]

_M = TypeVar("_M", bound="Model")

#: Class name -> model class, filled by every subclass of :class:`Model`.
MODEL_REGISTRY: dict[str, type[Model]] = {}

#: Hidden activations by name.
ACTIVATIONS: dict[str, type[Layer]] = {"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh}
#: Output kinds by name -> the loss that ends the network.
OUTPUTS: dict[str, type[Loss]] = {
    "softmax": SoftmaxWithLoss,
    "sigmoid": SigmoidWithLoss,
    "identity": MeanSquaredLoss,
}

INPUT_KINDS = ("float", "ids")
#: The most layers :meth:`Model.array_specs` describes: no model file holds more arrays
#: (:data:`numnet.io.MAX_ENTRIES`), so a deeper description is refused before it is spelled out.
MAX_LAYERS = 32_768


def _check_depth(count: int, argument: str) -> None:
    """Raise ValueError when an architecture description asks for more than :data:`MAX_LAYERS` layers."""
    if count > MAX_LAYERS:
        raise ValueError(f"{argument} describes {count:,} layers, more than MAX_LAYERS={MAX_LAYERS:,}")


def _layer_spec(layer: Layer | Loss) -> dict[str, Any]:
    return {"type": type(layer).__name__, "config": layer.get_config()}


def _registered(spec: dict[str, Any], registry: dict[str, Any], what: str) -> Any:
    try:
        return registry[spec["type"]]
    except KeyError:
        raise ValueError(f"unknown {what} type {spec.get('type')!r} in the model description") from None


def _build(spec: dict[str, Any], registry: dict[str, Any], what: str, dtype: DTypeLike) -> Any:
    return _registered(spec, registry, what).from_config(spec.get("config", {}), dtype=dtype)


def _named_specs(layers: Sequence[dict[str, ArraySpec]]) -> dict[str, ArraySpec]:
    """Per-layer array specs keyed as :meth:`Sequential.named_arrays` names them: parameters, then state."""
    named = {f"{i}.{name}": spec for i, specs in enumerate(layers) for name, spec in specs.items() if spec.trainable}
    named.update(
        (f"{i}.{name}", spec) for i, specs in enumerate(layers) for name, spec in specs.items() if not spec.trainable
    )
    return named


def _choose(name: str, options: dict[str, Any], argument: str) -> Any:
    if name not in options:
        raise ValueError(f"{argument} must be one of {sorted(options)}, got {name!r}")
    return options[name]


@dataclass(frozen=True)
class InputSpec:
    """The input a model takes, per sample.

    Attributes:
        kind: ``"float"`` features (bool, integer and float arrays are cast
            to the model's dtype) or ``"ids"`` (integer indices, kept as
            integers; a float array is refused, never truncated).
        shape: the shape of one sample, ``None`` for an axis of any length
            (a sequence's length, an image's height), or None altogether when
            the model does not fix it. A one-axis shape ``(D,)`` of float
            features also accepts samples of any layout holding D values
            (images (C, H, W) for an MLP, which flattens them).
    """

    kind: str = "float"
    shape: tuple[int | None, ...] | None = None

    def __post_init__(self) -> None:
        if self.kind not in INPUT_KINDS:
            raise ValueError(f"input_kind must be one of {list(INPUT_KINDS)}, got {self.kind!r}")
        if self.shape is not None:
            shape = tuple(self.shape)
            for size in shape:
                if size is not None:
                    check_positive_int("input_shape entries", size)
            object.__setattr__(self, "shape", tuple(None if s is None else int(s) for s in shape))

    def to_config(self) -> dict[str, Any]:
        return {"kind": self.kind, "shape": None if self.shape is None else list(self.shape)}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> InputSpec:
        shape = config.get("shape")
        return cls(kind=config.get("kind", "float"), shape=None if shape is None else tuple(shape))

    def describe(self) -> str:
        """E.g. ``"float features of shape (784,)"`` or ``"integer ids of shape (any,)"``."""
        what = "integer ids" if self.kind == "ids" else "float features"
        if self.shape is None:
            return f"{what} (N, ...)"
        shape = ", ".join("any" if s is None else str(s) for s in self.shape)
        return f"{what} of shape (N, {shape}{',' if len(self.shape) == 1 else ''})"

    def prepare(self, x: ArrayLike, dtype: np.dtype, name: str = "x") -> NDArray:
        """``x`` checked against this spec: float features cast to ``dtype``, ids as integers.

        Raises TypeError for the wrong kind of array (complex, strings,
        objects, datetimes; floats where ids are expected) and ValueError for
        a NaN or infinite feature (naming the first one's index) or a shape
        that does not fit, naming ``name`` and what was expected.
        """
        try:
            array = np.asarray(x)
        except (TypeError, ValueError) as error:
            raise TypeError(f"{name} must be a numeric array, could not convert it: {error}") from None
        if self.kind == "ids":
            if array.dtype.kind not in "iu":
                raise TypeError(f"{name} must hold integer ids for this model, got dtype {array.dtype}")
        elif array.dtype.kind not in "biuf":
            raise TypeError(f"{name} must be a real numeric array for this model, got dtype {array.dtype}")
        else:
            check_finite(name, array)  # a NaN is never predicted as a class
        if array.ndim == 0:
            raise ValueError(f"{name} must be a batch with a leading sample axis, got a scalar")
        if self.shape is not None and not self._fits(array.shape[1:]):
            raise ValueError(f"{name} must be {self.describe()}, got shape {array.shape}")
        if self.kind == "float" and array.dtype != dtype:
            array = array.astype(dtype)
        return array

    def _fits(self, sample: tuple[int, ...]) -> bool:
        assert self.shape is not None
        if len(sample) == len(self.shape) and all(s is None or s == n for s, n in zip(self.shape, sample)):
            return True
        flat = len(self.shape) == 1 and self.shape[0] is not None and self.kind == "float"
        return flat and len(sample) >= 1 and math.prod(sample) == self.shape[0]


def _inferred_input(layers: Sequence[Layer]) -> InputSpec:
    """The input spec the first layers imply: ids for an Embedding, the features of an Affine, a Conv2D's channels."""
    kind = layers[0].input_kind if layers else "float"
    for layer in layers:
        if isinstance(layer, TimeAffine):
            return InputSpec(kind, None)
        if isinstance(layer, Affine):
            return InputSpec(kind, (layer.in_features,))
        if isinstance(layer, Conv2D):
            return InputSpec(kind, (layer.in_channels, None, None))
        if layer.params or not isinstance(layer, Flatten):
            break
    return InputSpec(kind, None)


class Model:
    """What every numnet model offers: the contract :class:`numnet.training.Trainer` and :mod:`numnet.io` use.

    A subclass sets, in its constructor, ``params`` and ``grads`` (aligned
    lists; each parameter once), ``param_names`` (stable names),
    ``loss_fn`` (a :class:`numnet.layers.Loss`), ``input_spec``
    (:class:`InputSpec`), ``metadata`` (a JSON-able dict), ``rng`` (the
    model's ``numpy.random.Generator``) and ``scores`` (None until the first
    ``forward``); and implements :meth:`forward`, :meth:`backward`,
    :meth:`check_data`, :meth:`predict`, :meth:`get_config` and
    :meth:`from_config`. Every subclass registers itself by class name in
    :data:`MODEL_REGISTRY`, which is how :func:`numnet.io.load` finds it.
    """

    params: list[NDArray]
    grads: list[NDArray]
    param_names: list[str]
    loss_fn: Loss
    input_spec: InputSpec
    metadata: dict[str, Any]
    rng: np.random.Generator
    scores: NDArray | None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__name__.startswith("_"):  # private bases are not models one saves
            MODEL_REGISTRY[cls.__name__] = cls

    # ------------------------------------------------------------ to implement
    def forward(
        self, x: NDArray, t: NDArray, train: bool = True, sample_weight: NDArray | None = None, checked: bool = False
    ) -> float:
        """The loss of the batch ``(x, t)`` (``x`` already prepared); sets ``scores`` and caches for backward.

        ``checked=True``: :meth:`check_data` has checked ``t`` and ``sample_weight`` (the training loop
        does once per fit), so the loss skips its per-batch checks.
        """
        raise NotImplementedError

    def backward(self, input_grad: bool = False) -> NDArray | None:
        """Backpropagate from the loss of the last ``forward``, filling ``grads``.

        Returns dL/dx with ``input_grad=True`` where the input has a gradient (float features), else None.
        """
        raise NotImplementedError

    def check_data(
        self, x: ArrayLike, t: ArrayLike, sample_weight: ArrayLike | None = None, name: str = "x"
    ) -> NDArray:
        """Check that ``(x, t)`` fits the model, changing nothing; return ``x`` prepared."""
        raise NotImplementedError

    def predict(self, x: ArrayLike, batch_size: int | None = None) -> NDArray:
        """Scores for ``x`` in inference mode."""
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """JSON-able description of the architecture (not the weights)."""
        raise NotImplementedError

    @classmethod
    def from_config(cls, config: dict[str, Any], dtype: DTypeLike = np.float32) -> Model:
        """Rebuild the architecture described by :meth:`get_config` (weights not loaded)."""
        raise NotImplementedError

    # ------------------------------------------------------------ shared
    @property
    def dtype(self) -> np.dtype:
        """The floating dtype of the parameters (float32 unless built otherwise)."""
        return self.params[0].dtype if self.params else np.dtype(np.float32)

    @property
    def default_metrics(self) -> tuple[str, ...]:
        """What training reports besides the loss by default: accuracy for classifiers, MAE for regression."""
        return self.loss_fn.default_metrics

    def prepare_input(self, x: ArrayLike, name: str = "x") -> NDArray:
        """``x`` checked against :attr:`input_spec` and cast to the model's dtype (float features only)."""
        return self.input_spec.prepare(x, self.dtype, name)

    # ------------------------------------------------------------ recurrent state (none by default)
    @property
    def stateful(self) -> bool:
        """Whether the model carries a recurrent state from one batch to the next (truncated BPTT)."""
        return False

    def reset_state(self) -> None:
        """Start the next forward pass from a fresh recurrent state (nothing to do without one)."""

    def get_state(self) -> list[Any]:
        """The recurrent state, as :meth:`set_state` takes it back."""
        return []

    def set_state(self, states: Sequence[Any]) -> None:
        """Put back a recurrent state :meth:`get_state` returned."""

    def score_targets(self, t: NDArray) -> NDArray:
        """The part of the targets ``t`` that ``scores`` are compared with (all of it, but for decoders)."""
        return t

    def _target_labels(self, t: NDArray) -> NDArray:
        """Class ids from labels (N, ...), binary targets (N, 1) or one-hot (N, ..., K)."""
        t = self.score_targets(t)
        if self.loss_fn.task == "classification" and t.dtype.kind == "f" and t.ndim >= 2 and t.shape[-1] > 1:
            return np.argmax(t, axis=-1)
        if self.loss_fn.task == "binary" and t.ndim == 2 and t.shape[1] == 1:
            return t.reshape(len(t))
        return t

    def loss(self, x: ArrayLike, t: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
        """The loss on ``(x, t)`` in inference mode (no dropout, running batch-norm statistics)."""
        x, t = self.prepare_input(x), np.asarray(t)
        return self.forward(
            x, t, train=False, sample_weight=None if sample_weight is None else np.asarray(sample_weight)
        )

    def gradient(self, x: ArrayLike, t: ArrayLike) -> dict[str, NDArray]:
        """Gradients of the loss by backpropagation (training mode), keyed by :attr:`param_names`.

        The values are the model's own gradient arrays (overwritten by the next backward).
        """
        self.forward(self.prepare_input(x), np.asarray(t), train=True)
        self.backward()
        return dict(zip(self.param_names, self.grads))

    def numerical_gradient(self, x: ArrayLike, t: ArrayLike, h: float = 1e-4) -> dict[str, NDArray]:
        """Gradients of the loss by central differences (slow; for checking), keyed like :meth:`gradient`."""
        x, t = self.prepare_input(x), np.asarray(t)
        return numerical_gradients(lambda: self.forward(x, t, train=True), dict(zip(self.param_names, self.params)), h)

    def _state_arrays(self) -> dict[str, NDArray]:
        """Arrays saved with the parameters that are not trained (running statistics), by stable name."""
        return {}

    @classmethod
    def array_specs(cls, config: dict[str, Any]) -> dict[str, ArraySpec]:
        """The arrays ``from_config(config)`` would make, keyed as :meth:`named_arrays`, without making them.

        :mod:`numnet.io` checks a file against these before it builds the
        model, and refuses to load a model class that does not describe them.
        Raises ValueError, TypeError or KeyError for a config that
        ``from_config`` refuses; NotImplementedError when the class (or one
        of its layers) cannot tell.
        """
        raise NotImplementedError(f"{cls.__name__} does not describe its arrays (array_specs)")

    def named_arrays(self) -> dict[str, NDArray]:
        """Parameters and saved state under stable names."""
        return {**dict(zip(self.param_names, self.params)), **self._state_arrays()}

    def load_named_arrays(self, arrays: dict[str, NDArray]) -> None:
        """Copy ``arrays`` (as given by :meth:`named_arrays`) into the model, in place.

        Every name, shape and dtype is checked before anything is written.
        """
        own = self.named_arrays()
        missing, unexpected = sorted(own.keys() - arrays.keys()), sorted(arrays.keys() - own.keys())
        if missing or unexpected:
            raise ValueError(f"arrays do not fit the model: missing {missing}, unexpected {unexpected}")
        for name, target in own.items():
            source = np.asarray(arrays[name])
            if source.shape != target.shape:
                raise ValueError(f"array {name!r} has shape {source.shape}, the model expects {target.shape}")
            if source.dtype.kind != "f":
                raise ValueError(f"array {name!r} has dtype {source.dtype}, expected a float array")
        for name, target in own.items():
            target[...] = arrays[name]

    def astype(self: _M, dtype: DTypeLike) -> _M:
        """A copy of the model (same class, same weights, same metadata) computing in ``dtype``."""
        clone = cast(_M, type(self).from_config(self.get_config(), dtype=dtype))
        clone.load_named_arrays(self.named_arrays())
        clone.metadata = dict(self.metadata)
        return clone

    def _in_batches(self, x: NDArray, batch_size: int | None, fn: Callable[[NDArray], NDArray]) -> NDArray:
        if batch_size is not None and (isinstance(batch_size, bool) or batch_size <= 0):
            raise ValueError(f"batch_size must be a positive integer or None, got {batch_size}")
        if batch_size is None or len(x) <= batch_size:
            return fn(x)
        return np.concatenate([fn(x[i : i + batch_size]) for i in range(0, len(x), batch_size)])

    def summary(self, print_fn: Callable[[str], object] | None = print) -> str:
        """The input, each parameter's shape, the loss and the parameter count, one per line.

        The text is printed with ``print_fn`` (None: not printed) and returned.
        """
        lines = [f"     input: {self.input_spec.describe()}"]
        lines += [f"     {name} {tuple(param.shape)}" for name, param in zip(self.param_names, self.params)]
        lines.append(f"     {self.loss_fn!r}")
        lines.append(f"     {sum(p.size for p in self.params):,} parameters, {self.dtype}")
        text = "\n".join(lines)
        if print_fn is not None:
            print_fn(text)
        return text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({sum(p.size for p in self.params):,} parameters, loss={self.loss_fn!r})"


def _layout(array: NDArray) -> tuple[int, tuple[int, ...], tuple[int, ...]]:
    """Where an array's elements are: its data address, shape and strides."""
    return array.__array_interface__["data"][0], array.shape, array.strides


def _sharing(param: NDArray, other: NDArray, where: str) -> str | None:
    """How ``param`` shares ``other``'s memory: ``"same"`` array, ``"transposed"``, or None (not at all).

    Raises ValueError for a partial overlap (a slice of another parameter),
    which numnet cannot treat as one parameter.
    """
    if param is other or (param.dtype == other.dtype and _layout(param) == _layout(other)):
        return "same"
    if not np.may_share_memory(param, other):
        return None
    if param.ndim == 2 and param.dtype == other.dtype and _layout(param.T) == _layout(other):
        return "transposed"
    raise ValueError(
        f"{where} overlaps another parameter in memory without being the same array or its transpose; "
        "numnet ties whole weight matrices only"
    )


@dataclass
class _Tie:
    """A parameter used by several layers: its model gradient is the sum of its uses' gradients."""

    grad: NDArray  # what the model's ``grads`` holds for the parameter
    uses: list[tuple[NDArray, bool]] = field(default_factory=list)  # each layer gradient, and whether transposed

    def sum_gradients(self) -> None:
        first, _ = self.uses[0]
        np.copyto(self.grad, first)
        for grad, transposed in self.uses[1:]:
            self.grad += grad.T if transposed else grad


def _collect_params(
    layers: Sequence[Layer],
) -> tuple[list[NDArray], list[NDArray], list[str], list[_Tie], list[dict[str, Any]]]:
    """Every distinct parameter once: params, grads, names, the ties, and the ties' description for the config."""
    params: list[NDArray] = []
    grads: list[NDArray] = []
    names: list[str] = []
    ties: dict[int, _Tie] = {}
    described: list[dict[str, Any]] = []
    for index, layer in enumerate(layers):
        for name, param, grad in zip(layer.param_names, layer.params, layer.grads):
            where = f"layers[{index}].{name}"
            shared = next(((k, how) for k, other in enumerate(params) if (how := _sharing(param, other, where))), None)
            if shared is None:
                params.append(param)
                grads.append(grad)
                names.append(f"{index}.{name}")
                continue
            k, how = shared
            if k not in ties:
                ties[k] = _Tie(np.zeros_like(params[k]), [(grads[k], False)])
                grads[k] = ties[k].grad
            ties[k].uses.append((grad, how == "transposed"))
            described.append({"param": f"{index}.{name}", "shares": names[k], "transposed": how == "transposed"})
    return params, grads, names, list(ties.values()), described


def _tie_layers(layers: Sequence[Layer], ties: Sequence[dict[str, Any]]) -> None:
    """Make the layers share the parameters a config's ``tied`` list names (see :func:`_collect_params`)."""
    by_name = {f"{i}.{name}": (layer, name) for i, layer in enumerate(layers) for name in layer.param_names}
    for tie in ties:
        try:
            layer, name = by_name[tie["param"]]
            source_layer, source_name = by_name[tie["shares"]]
        except KeyError as error:
            raise ValueError(f"the model description ties an unknown parameter {error}") from None
        source = source_layer.params[source_layer.param_names.index(source_name)]
        layer.share_param(name, source.T if tie.get("transposed") else source)


class Sequential(Model):
    """A stack of layers ending in a loss.

    Args:
        layers: the layers in order, e.g. ``[Dense(784, 100), ReLU(), Dense(100, 10)]``.
        loss: the loss, e.g. ``SoftmaxWithLoss()``.
        seed: seeds the model's generator, which layers that draw random
            numbers (``Dropout``) use when they were given none, and which
            ``Trainer.fit(seed=None)`` draws its shuffling from.
        input_shape: the shape of one sample (``None`` for an axis of any
            length); by default what the first layers imply (``(784,)`` for
            a ``Dense(784, ...)``, ``(1, None, None)`` for a one-channel
            ``Conv2D``), or unchecked.
        input_kind: ``"float"`` or ``"ids"``; by default the first layer's
            ``input_kind`` (ids for an ``Embedding``).

    Attributes:
        params, grads: every distinct parameter and its gradient, in order
            (a parameter shared by several layers once, its gradient the sum
            of its uses').
        param_names: stable names of ``params`` (``"<layer index>.<name>"``).
        loss_fn: the loss that ends the network.
        input_spec: the :class:`InputSpec` data is checked against.
        metadata: a JSON-able dict saved with the model (``dataset``,
            ``class_names``, ...).

    Recurrent layers that carry their state from one batch to the next
    (``stateful=True``) make the model :attr:`stateful`; :meth:`reset_state`
    resets them all.
    """

    def __init__(
        self,
        layers: Sequence[Layer],
        loss: Loss,
        seed: int | None = None,
        input_shape: Sequence[int | None] | None = None,
        input_kind: str | None = None,
    ) -> None:
        layers = list(layers)
        for index, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layers[{index}] must be a numnet layer, got {layer!r}")
        if not isinstance(loss, Loss):
            raise TypeError(f"loss must be a numnet loss such as SoftmaxWithLoss(), got {loss!r}")
        inferred = _inferred_input(layers)
        if input_kind is not None and input_kind not in INPUT_KINDS:
            raise ValueError(f"input_kind must be one of {list(INPUT_KINDS)}, got {input_kind!r}")
        if input_kind is not None and layers and input_kind != layers[0].input_kind:
            raise ValueError(
                f"input_kind={input_kind!r} does not fit the first layer {layers[0]!r}, "
                f"which takes {layers[0].input_kind!r} input"
            )
        self.input_spec = InputSpec(
            kind=inferred.kind if input_kind is None else input_kind,
            shape=inferred.shape if input_shape is None else tuple(input_shape),
        )
        self._explicit_input = input_shape is not None
        self.layers = layers
        self.loss_fn = loss
        self.metadata: dict[str, Any] = {}
        self.rng = np.random.default_rng(seed)
        for part in [*layers, loss]:
            if getattr(part, "rng", False) is None:
                part.rng = self.rng  # type: ignore[attr-defined]  # parts that draw (Dropout, negative sampling)
        self.params, self.grads, self.param_names, self._ties, self._tied = _collect_params(layers)
        # a loss may own parameters too (NegativeSamplingLoss's output embedding): "loss.<name>"
        self.params += list(getattr(loss, "params", ()))
        self.grads += list(getattr(loss, "grads", ()))
        self.param_names += [f"loss.{name}" for name in getattr(loss, "param_names", ())]
        self.scores: NDArray | None = None

    # ------------------------------------------------------------ computing
    def _run_layers(self, x: NDArray, train: bool) -> NDArray:
        for layer in self.layers:
            x = layer.forward(x, train=train)
        return x

    def predict(self, x: ArrayLike, batch_size: int | None = None) -> NDArray:
        """Scores (the loss's input) for ``x`` (N, ...), in inference mode: (N, ..., K)."""
        return self._scores(x, batch_size)

    def predict_proba(self, x: ArrayLike, batch_size: int | None = None) -> NDArray:
        """The loss's output (softmax, sigmoid or identity) applied to :meth:`predict`."""
        return self.loss_fn.output(self._scores(x, batch_size))

    def _scores(self, x: ArrayLike, batch_size: int | None) -> NDArray:
        return self._in_batches(self.prepare_input(x), batch_size, lambda xb: self._run_layers(xb, train=False))

    def forward(
        self, x: NDArray, t: NDArray, train: bool = True, sample_weight: NDArray | None = None, checked: bool = False
    ) -> float:
        """The loss of the batch ``x`` (N, ...) with targets ``t``; caches for :meth:`backward`.

        ``x`` must already fit the model (see :meth:`prepare_input`); this is
        the inner loop, so it does not check it again. ``checked=True`` says
        that :meth:`check_data` has checked ``t`` (and ``sample_weight``) too,
        as the training loop does once per ``fit``, and skips the loss's
        per-batch checks.
        """
        _check_lengths(x, t)
        self.scores = self._run_layers(x, train)
        return self.loss_fn.forward(self.scores, t, sample_weight, checked=checked)

    def check_data(
        self, x: ArrayLike, t: ArrayLike, sample_weight: ArrayLike | None = None, name: str = "x"
    ) -> NDArray:
        """Check that ``(x, t)`` fits the model without training on it; return ``x`` prepared.

        Cheap: ``x`` is checked against :attr:`input_spec`, one sample goes
        through the layers (checking that the input shape chains; a stateful
        layer's state is left as it was) and the loss checks every target
        (and weight) for scores of that shape.

        Raises:
            TypeError, ValueError: naming the argument and what was expected.
        """
        x = self.prepare_input(x, name)
        t = np.asarray(t)
        check_finite("t", t)
        _check_lengths(x, t)
        if len(x) == 0:
            raise ValueError(f"{name} must hold at least one sample, got an empty array")
        if self.layers and isinstance(self.layers[0], Embedding):  # every id, not only the sample run below
            check_ids(x, self.layers[0].vocab_size, name)
        states = self.get_state()
        self.reset_state()
        try:
            scores = self._run_layers(x[:1], train=False)
        finally:
            self.set_state(states)
        self.loss_fn.check_targets(t, (len(t), *scores.shape[1:]), sample_weight)
        return x

    def backward(self, input_grad: bool = False) -> NDArray | None:
        """Backpropagate from the loss, filling ``grads``.

        Returns dL/dx, of the input's shape, with ``input_grad=True`` (None
        for integer ids, which have no gradient); None by default. Training
        never needs the gradient of its data, so by default the first layer
        with parameters only writes its own gradients
        (:meth:`Layer.backward_params`: for an MLP on MNIST that skips a third
        of all the arithmetic) and the layers before it are not visited.
        """
        dout: Any = self.loss_fn.backward()
        first = next((i for i, layer in enumerate(self.layers) if layer.params), None)
        if input_grad:
            for index, layer in enumerate(reversed(self.layers)):
                if layer.input_kind == "ids":  # integer ids have no gradient
                    if index != len(self.layers) - 1:
                        raise ValueError(f"{layer!r} takes integer ids, so it must be the first layer")
                    layer.backward(dout)
                    dout = None
                    break
                dout = layer.backward(dout)
        elif first is not None:  # without parameters there is nothing to compute
            for layer in reversed(self.layers[first + 1 :]):
                dout = layer.backward(dout)
            self.layers[first].backward_params(dout)
        for tie in self._ties:
            tie.sum_gradients()
        return dout if input_grad else None

    # ------------------------------------------------------------ recurrent state
    @property
    def stateful(self) -> bool:
        """Whether a layer carries its state from one batch to the next (truncated BPTT)."""
        return any(getattr(layer, "stateful", False) for layer in self.layers)

    def reset_state(self) -> None:
        """Start every recurrent layer from zeros at the next forward pass."""
        for layer in self.layers:
            if hasattr(layer, "reset_state"):
                layer.reset_state()

    def get_state(self) -> list[Any]:
        """The state of every recurrent layer (what :meth:`set_state` takes back)."""
        return [layer.get_state() for layer in self.layers if hasattr(layer, "get_state")]

    def set_state(self, states: Sequence[Any]) -> None:
        """Give every recurrent layer back the state :meth:`get_state` returned."""
        for layer, state in zip((layer for layer in self.layers if hasattr(layer, "set_state")), states):
            layer.set_state(*state)

    # ------------------------------------------------------------ classifying
    def accuracy(self, x: ArrayLike, t: ArrayLike, batch_size: int | None = 1000) -> float:
        """Fraction of counted positions whose predicted class equals the target.

        Several outputs: the class is the argmax of the scores. One output: the
        class is 1 where the output activation gives >= 0.5. ``t`` may be labels
        (N, ...), binary targets (N, 1) or one-hot (N, ..., K); positions
        labelled with the loss's ``ignore_index`` do not count.
        """
        x, t = self.prepare_input(x), np.asarray(t)
        _check_lengths(x, t)
        return accuracy(
            self._target_labels(t), self.predict_labels(x, batch_size), ignore_index=self.loss_fn.ignore_index
        )

    def predict_labels(self, x: ArrayLike, batch_size: int | None = 1000) -> NDArray[np.intp]:
        """Predicted class ids (N, ...) — see :meth:`accuracy` for how they are read off the scores."""
        return self.loss_fn.labels(self._scores(x, batch_size))

    # ------------------------------------------------------------ describing
    def get_config(self) -> dict[str, Any]:
        """JSON-able description of the architecture (not the weights)."""
        config: dict[str, Any] = {
            "layers": [_layer_spec(layer) for layer in self.layers],
            "loss": _layer_spec(self.loss_fn),
        }
        inferred = _inferred_input(self.layers)
        if self.input_spec != inferred:
            config["input"] = self.input_spec.to_config()
        if self._tied:
            config["tied"] = [dict(tie) for tie in self._tied]
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any], dtype: DTypeLike = np.float32) -> Sequential:
        """Rebuild the architecture described by :meth:`get_config` (weights not loaded)."""
        layers = [_build(spec, LAYER_REGISTRY, "layer", dtype) for spec in config["layers"]]
        _tie_layers(layers, config.get("tied", ()))
        loss = _build(config["loss"], LOSS_REGISTRY, "loss", dtype)
        spec = InputSpec.from_config(config["input"]) if "input" in config else None
        if spec is None:
            return cls(layers, loss)
        return cls(layers, loss, input_shape=spec.shape, input_kind=spec.kind)

    @classmethod
    def array_specs(cls, config: dict[str, Any]) -> dict[str, ArraySpec]:
        """The layers' arrays (a tied parameter once, under the name it shares), then the loss's (``loss.<name>``)."""
        _check_depth(len(config["layers"]), "layers")
        layers = [
            _registered(spec, LAYER_REGISTRY, "layer").array_specs(spec.get("config", {})) for spec in config["layers"]
        ]
        specs = _named_specs(layers)
        for tie in config.get("tied", ()):
            if tie["param"] not in specs or tie["shares"] not in specs:
                raise ValueError(f"the model description ties an unknown parameter {tie['param']!r}")
            shape, shared = specs.pop(tie["param"]).shape, specs[tie["shares"]].shape
            if shape != (shared[::-1] if tie.get("transposed") else shared):
                raise ValueError(f"the model description ties {tie['param']!r} {shape} to {tie['shares']!r} {shared}")
        loss = _registered(config["loss"], LOSS_REGISTRY, "loss").array_specs(config["loss"].get("config", {}))
        params = {name: spec for name, spec in specs.items() if spec.trainable}
        state = {name: spec for name, spec in specs.items() if not spec.trainable}
        return {**params, **{f"loss.{name}": spec for name, spec in loss.items()}, **state}

    def _state_arrays(self) -> dict[str, NDArray]:
        return {
            f"{index}.{name}": getattr(layer, name)
            for index, layer in enumerate(self.layers)
            for name in layer.state_names
        }

    def summary(self, print_fn: Callable[[str], object] | None = print) -> str:
        """A table of the layers — index, layer and its parameter shapes, output shape, parameter count — and totals.

        The output shapes come from one zero sample run through the layers in
        inference mode; ``N`` is the batch axis, ``?`` an axis whose length
        follows the input's. The table is printed with ``print_fn`` (None: not
        printed) and returned.
        """
        shapes = self._output_shapes()
        tied = {tie["param"]: tie["shares"] for tie in self._tied}
        rows = [("#", "layer", "output shape", "parameters")]
        for index, (layer, shape) in enumerate(zip(self.layers, shapes)):
            weights = ", ".join(
                f"{n} {tuple(p.shape)}" + (f" = {tied[f'{index}.{n}']}" if f"{index}.{n}" in tied else "")
                for n, p in zip(layer.param_names, layer.params)
            )
            name = type(layer).__name__ + (f"  {weights}" if weights else "")
            rows.append((str(index), name, shape, f"{sum(p.size for p in layer.params):,}"))
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        lines = [
            f"{row[0]:>{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]:>{widths[3]}}"
            for row in rows
        ]
        rule = "-" * len(lines[0])
        total = sum(p.size for p in self.params)
        table = "\n".join(
            [
                f"{type(self).__name__}: input {self._input_text()}",
                rule,
                lines[0],
                rule,
                *lines[1:],
                rule,
                f"loss: {self.loss_fn!r}",
                f"{total:,} parameters, {self.dtype}",
            ]
        )
        if print_fn is not None:
            print_fn(table)
        return table

    def _output_shapes(self) -> list[str]:
        """Each layer's output shape for one sample, e.g. ``"(N, 100)"``; ``"?"`` where it cannot be computed."""
        spec = self.input_spec
        if spec.shape is None:
            return ["?"] * len(self.layers)
        runs = []
        for free in (7, 8):  # two lengths for the axes the model leaves free: the axes that follow them differ
            sample = tuple(free if size is None else size for size in spec.shape)
            x: NDArray = np.zeros((1, *sample), dtype=np.int64 if spec.kind == "ids" else self.dtype)
            shapes = []
            try:
                for layer in self.layers:
                    x = layer.forward(x, train=False)
                    shapes.append(x.shape[1:])
            except (ValueError, TypeError, IndexError):
                return ["?"] * len(self.layers)
            runs.append(shapes)
        return [
            "(" + ", ".join(["N", *(str(a) if a == b else "?" for a, b in zip(first, second))]) + ")"
            for first, second in zip(*runs)
        ]

    def _input_text(self) -> str:
        """E.g. ``"(N, 784) float features"``, ``"(N, ?) integer ids"``."""
        spec = self.input_spec
        axes = ["..."] if spec.shape is None else ["?" if size is None else str(size) for size in spec.shape]
        return f"({', '.join(['N', *axes])}) {'integer ids' if spec.kind == 'ids' else 'float features'}"

    def __repr__(self) -> str:
        """E.g. ``MLP(784-100-10, 79,510 parameters)``; models not made of dense layers give their input and depth."""
        weighted = [layer for layer in self.layers if layer.params]
        dense = [layer for layer in weighted if isinstance(layer, Affine) and not isinstance(layer, TimeAffine)]
        count = f"{sum(p.size for p in self.params):,} parameters"
        if dense and all(isinstance(layer, (Affine, BatchNorm)) for layer in weighted):
            widths = [dense[0].params[0].shape[0], *(layer.params[0].shape[1] for layer in dense)]
            return f"{type(self).__name__}({'-'.join(map(str, widths))}, {count})"
        return f"{type(self).__name__}(input {self._input_text()}, {len(self.layers)} layers, {count})"


def _check_lengths(x: NDArray, t: NDArray) -> None:
    if len(x) != len(t):
        raise ValueError(f"x and t must have the same number of samples, got {len(x)} and {len(t)}")


class _Built:
    """Mixin of a model that builds its own layers: its config is its constructor's arguments (``self.config``).

    The constructor takes those arguments and ``dtype``.
    """

    config: dict[str, Any]

    def get_config(self) -> dict[str, Any]:
        return dict(self.config)

    @classmethod
    def from_config(cls, config: dict[str, Any], dtype: DTypeLike = np.float32) -> Any:
        return cls(**config, dtype=dtype)  # type: ignore[call-arg]  # every built model takes dtype

    @classmethod
    def array_specs(cls, config: dict[str, Any]) -> dict[str, ArraySpec]:
        """Each built model describes its own arrays (see :meth:`Model.array_specs`)."""
        raise NotImplementedError(f"{cls.__name__} does not describe its arrays (array_specs)")

    @classmethod
    def _arguments(cls, config: dict[str, Any]) -> dict[str, Any]:
        """The constructor arguments ``from_config(config)`` passes, defaults filled in (TypeError for unknown ones)."""
        bound = inspect.signature(cls.__init__).bind(None, **config)
        bound.apply_defaults()
        return bound.arguments


class _BuiltModel(_Built, Sequential):
    """A :class:`Sequential` that builds its own layers (see :class:`_Built`)."""


class TwoLayerNet(_BuiltModel):
    """The textbook's two-layer network: Affine → ReLU → Affine → SoftmaxWithLoss.

    Weights are drawn from N(0, weight_init_std²), biases start at zero; the
    parameters are named ``W1``, ``b1``, ``W2``, ``b2`` as in the book.

    Args:
        input_size, hidden_size, output_size: D, H and K.
        weight_init_std: standard deviation of the initial weights.
        seed: seeds the initial weights.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        output_size: int,
        weight_init_std: float = 0.01,
        seed: int | None = None,
        dtype: DTypeLike = np.float32,
    ) -> None:
        for name, size in (("input_size", input_size), ("hidden_size", hidden_size), ("output_size", output_size)):
            check_positive_int(name, size)
        rng = np.random.default_rng(seed)
        dtype = np.dtype(dtype)
        self.config = {
            "input_size": input_size,
            "hidden_size": hidden_size,
            "output_size": output_size,
            "weight_init_std": weight_init_std,
        }
        w1 = (weight_init_std * rng.standard_normal((input_size, hidden_size))).astype(dtype)
        w2 = (weight_init_std * rng.standard_normal((hidden_size, output_size))).astype(dtype)
        layers = [
            Affine(w1, np.zeros(hidden_size, dtype)),
            ReLU(),
            Affine(w2, np.zeros(output_size, dtype)),
        ]
        super().__init__(layers, SoftmaxWithLoss(), seed=seed)
        self.param_names = ["W1", "b1", "W2", "b2"]

    @classmethod
    def array_specs(cls, config: dict[str, Any]) -> dict[str, ArraySpec]:
        args = cls._arguments(config)
        sizes = args["input_size"], args["hidden_size"], args["output_size"]
        first, second = (Affine.array_specs({"in_features": a, "out_features": b}) for a, b in zip(sizes, sizes[1:]))
        return {"W1": first["W"], "b1": first["b"], "W2": second["W"], "b2": second["b"]}


class MLP(_BuiltModel):
    """A multi-layer perceptron of any depth: Dense → activation → … → Dense → loss.

    Args:
        sizes: layer widths from input to output, e.g. ``[784, 100, 10]``.
        activation: hidden activation, ``"relu"``, ``"sigmoid"`` or ``"tanh"``.
        output: ``"softmax"`` (cross-entropy over classes), ``"sigmoid"``
            (binary cross-entropy, one output) or ``"identity"`` (squared error).
        init: weight initializer name or callable; by default He for ReLU and
            Xavier for sigmoid and tanh, as the textbook recommends.
        batch_norm: put a BatchNorm between each hidden Dense and its activation.
        dropout: if > 0, a Dropout of this rate after each hidden activation.
        seed: seeds the initial weights and the model's generator (dropout masks).
        dtype: parameter dtype.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str = "relu",
        output: str = "softmax",
        init: str | Callable | None = None,
        batch_norm: bool = False,
        dropout: float = 0.0,
        seed: int | None = None,
        dtype: DTypeLike = np.float32,
    ) -> None:
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(f"sizes must list at least the input and output widths, got {sizes}")
        for index, size in enumerate(sizes):
            check_positive_int(f"sizes[{index}]", size)
        activation_cls = _choose(activation, ACTIVATIONS, "activation")
        loss_cls = _choose(output, OUTPUTS, "output")
        if init is None:
            init = "he" if activation == "relu" else "xavier"
        rng = np.random.default_rng(seed)
        self.config = {
            "sizes": sizes,
            "activation": activation,
            "output": output,
            "init": init,
            "batch_norm": batch_norm,
            "dropout": dropout,
        }
        layers: list[Layer] = []
        for fan_in, fan_out in zip(sizes[:-2], sizes[1:-1]):
            layers.append(Dense(fan_in, fan_out, init=init, rng=rng, dtype=dtype))
            if batch_norm:
                layers.append(BatchNorm(fan_out, dtype=dtype))
            layers.append(activation_cls())
            if dropout:
                layers.append(Dropout(dropout))
        layers.append(Dense(sizes[-2], sizes[-1], init=init, rng=rng, dtype=dtype))
        super().__init__(layers, loss_cls(), seed=seed)

    def get_config(self) -> dict[str, Any]:
        config = dict(self.config)
        if callable(config["init"]):
            config["init"] = "he"  # the weights are saved; the initializer is not needed again
        return config

    @classmethod
    def array_specs(cls, config: dict[str, Any]) -> dict[str, ArraySpec]:
        args = cls._arguments(config)
        sizes, batch_norm, dropout = list(args["sizes"]), args["batch_norm"], args["dropout"]
        if len(sizes) < 2:
            raise ValueError(f"sizes must list at least the input and output widths, got {sizes}")
        _check_depth(len(sizes), "sizes")
        layers: list[dict[str, ArraySpec]] = []  # as __init__ stacks them
        for fan_in, fan_out in zip(sizes[:-2], sizes[1:-1]):
            layers.append(Dense.array_specs({"in_features": fan_in, "out_features": fan_out}))
            if batch_norm:
                layers.append(BatchNorm.array_specs({"num_features": fan_out}))
            layers += [{}, {}] if dropout else [{}]  # activation, dropout
        layers.append(Dense.array_specs({"in_features": sizes[-2], "out_features": sizes[-1]}))
        return _named_specs(layers)


class LogisticRegression(_BuiltModel):
    """Logistic regression as a one-neuron network: Dense(n_features, 1) → SigmoidWithLoss.

    ``predict`` gives class labels 0/1 (N,), ``predict_proba`` gives ŷ (N,),
    ``decision_function`` the logits (N,).
    """

    def __init__(
        self, n_features: int, init: str | Callable = "zeros", seed: int | None = None, dtype: DTypeLike = np.float32
    ) -> None:
        check_positive_int("n_features", n_features)
        self.config = {"n_features": n_features, "init": init if isinstance(init, str) else "zeros"}
        dense = Dense(n_features, 1, init=init, rng=np.random.default_rng(seed), dtype=dtype)
        super().__init__([dense], SigmoidWithLoss(), seed=seed)

    @classmethod
    def array_specs(cls, config: dict[str, Any]) -> dict[str, ArraySpec]:
        n_features = cls._arguments(config)["n_features"]
        return _named_specs([Dense.array_specs({"in_features": n_features, "out_features": 1})])

    def decision_function(self, x: ArrayLike) -> NDArray:
        """The logits w·x + b, shape (N,)."""
        return self._scores(x, None).reshape(-1)

    def predict_proba(self, x: ArrayLike, batch_size: int | None = None) -> NDArray:
        """ŷ = sigmoid(w·x + b), shape (N,)."""
        return self.loss_fn.output(self.decision_function(x))

    def predict(self, x: ArrayLike, batch_size: int | None = None) -> NDArray:
        """Class labels (N,): 1 where ŷ >= 0.5."""
        return (self.decision_function(x) >= 0).astype(np.intp)


class SimpleConvNet(_BuiltModel):
    """The textbook's convolutional network for MNIST.

    Conv2D(C, filters, kernel_size) → ReLU → MaxPool2D(2) → Dense(hidden_size)
    → ReLU → Dense(output_size) → SoftmaxWithLoss.

    Args:
        input_shape: (C, H, W) of one image, (1, 28, 28) for MNIST.
        filters, kernel_size, stride, padding: the convolution (30 filters of 5×5 in the book).
        hidden_size, output_size: widths of the two dense layers.
        init: weight initializer (He by default; the book uses ``0.01``).
        seed: seeds the initial weights.
    """

    def __init__(
        self,
        input_shape: Sequence[int] = (1, 28, 28),
        filters: int = 30,
        kernel_size: int = 5,
        stride: int = 1,
        padding: int = 0,
        hidden_size: int = 100,
        output_size: int = 10,
        init: str | float = "he",
        seed: int | None = None,
        dtype: DTypeLike = np.float32,
    ) -> None:
        channels, height, width = _image_shape(input_shape)
        rng = np.random.default_rng(seed)
        self.config = {
            "input_shape": [channels, height, width],
            "filters": filters,
            "kernel_size": kernel_size,
            "stride": stride,
            "padding": padding,
            "hidden_size": hidden_size,
            "output_size": output_size,
            "init": init,
        }
        conv = Conv2D(channels, filters, kernel_size, stride, padding, init=init, rng=rng, dtype=dtype)
        conv_height, conv_width = conv.output_size(height, width)
        pooled = filters * (conv_height // 2) * (conv_width // 2)
        layers = [
            conv,
            ReLU(),
            MaxPool2D(2),
            Dense(pooled, hidden_size, init=init, rng=rng, dtype=dtype),
            ReLU(),
            Dense(hidden_size, output_size, init=init, rng=rng, dtype=dtype),
        ]
        super().__init__(layers, SoftmaxWithLoss(), seed=seed, input_shape=(channels, height, width))

    @classmethod
    def array_specs(cls, config: dict[str, Any]) -> dict[str, ArraySpec]:
        args = cls._arguments(config)
        channels, height, width = _image_shape(args["input_shape"])
        conv = {
            "in_channels": channels,
            "out_channels": args["filters"],
            "kernel_size": args["kernel_size"],
            "stride": args["stride"],
            "padding": args["padding"],
        }
        conv_height, conv_width = Conv2D.output_size_of(conv, height, width)
        pooled = conv["out_channels"] * (conv_height // 2) * (conv_width // 2)
        hidden_size, output_size = args["hidden_size"], args["output_size"]
        return _named_specs(
            [
                Conv2D.array_specs(conv),
                {},
                {},
                Dense.array_specs({"in_features": pooled, "out_features": hidden_size}),
                {},
                Dense.array_specs({"in_features": hidden_size, "out_features": output_size}),
            ]
        )


class DeepConvNet(_BuiltModel):
    """The textbook's deep network for MNIST (chapter 8, about 99.4% test accuracy).

    Three blocks of two 3×3 convolutions, each followed by ReLU, and a 2×2 max
    pool after each block; then Dense(hidden_size) → ReLU → Dropout →
    Dense(output_size) → Dropout → SoftmaxWithLoss. The convolutions pad by 1,
    except the fourth, which pads by 2 as in the book (so a 28×28 image
    becomes 28, 14, 16, 8, then 4×4 after the last pool: 64·4·4 = 1024 inputs
    to the dense layer). He initialization; the book trains it with Adam
    (lr 0.001, batch 100, 20 epochs).

    Args:
        input_shape: (C, H, W) of one image, (1, 28, 28) for MNIST.
        filters: the six convolutions' filter counts, (16, 16, 32, 32, 64, 64) in the book.
        hidden_size, output_size: widths of the two dense layers.
        dropout: rate of both Dropout layers (0 leaves them out).
        init: weight initializer (He by default, as in the book).
        seed: seeds the initial weights and the model's generator (dropout masks).
    """

    PADDINGS = (1, 1, 1, 2, 1, 1)

    def __init__(
        self,
        input_shape: Sequence[int] = (1, 28, 28),
        filters: Sequence[int] = (16, 16, 32, 32, 64, 64),
        hidden_size: int = 50,
        output_size: int = 10,
        dropout: float = 0.5,
        init: str | float = "he",
        seed: int | None = None,
        dtype: DTypeLike = np.float32,
    ) -> None:
        channels, height, width = _image_shape(input_shape)
        filters = list(filters)
        if len(filters) != len(self.PADDINGS):
            raise ValueError(f"filters must give the {len(self.PADDINGS)} convolutions' filter counts, got {filters}")
        for index, count in enumerate(filters):
            check_positive_int(f"filters[{index}]", count)
        check_positive_int("hidden_size", hidden_size)
        check_positive_int("output_size", output_size)
        rng = np.random.default_rng(seed)
        image_shape = (channels, height, width)
        self.config = {
            "input_shape": list(image_shape),
            "filters": filters,
            "hidden_size": hidden_size,
            "output_size": output_size,
            "dropout": dropout,
            "init": init,
        }
        layers: list[Layer] = []
        for kind, config in self._plan(image_shape, filters, hidden_size, output_size, dropout):
            if kind == "conv":
                layers.append(Conv2D(**config, init=init, rng=rng, dtype=dtype))
            elif kind == "dense":
                layers.append(Dense(**config, init=init, rng=rng, dtype=dtype))
            else:
                layers.append({"relu": ReLU, "pool": lambda: MaxPool2D(2), "dropout": lambda: Dropout(dropout)}[kind]())
        super().__init__(layers, SoftmaxWithLoss(), seed=seed, input_shape=image_shape)

    @classmethod
    def _plan(
        cls,
        input_shape: tuple[int, int, int],
        filters: Sequence[int],
        hidden_size: int,
        output_size: int,
        dropout: float,
    ) -> list[tuple[str, dict[str, Any]]]:
        """The layers as (kind, shape arguments): "conv" and "dense" with their sizes, "relu", "pool", "dropout"."""
        channels, height, width = input_shape
        plan: list[tuple[str, dict[str, Any]]] = []
        for index, (count, padding) in enumerate(zip(filters, cls.PADDINGS)):
            conv = {"in_channels": channels, "out_channels": count, "kernel_size": 3, "padding": padding}
            height, width = Conv2D.output_size_of(conv, height, width)
            plan += [("conv", conv), ("relu", {})]
            channels = count
            if index % 2 == 1:
                if height < 2 or width < 2:
                    raise ValueError(f"input_shape {input_shape} is too small for three 2×2 poolings")
                plan.append(("pool", {}))
                height, width = height // 2, width // 2
        plan += [("dense", {"in_features": channels * height * width, "out_features": hidden_size}), ("relu", {})]
        plan += [("dropout", {})] if dropout else []
        plan.append(("dense", {"in_features": hidden_size, "out_features": output_size}))
        plan += [("dropout", {})] if dropout else []
        return plan

    @classmethod
    def array_specs(cls, config: dict[str, Any]) -> dict[str, ArraySpec]:
        args = cls._arguments(config)
        filters = list(args["filters"])
        if len(filters) != len(cls.PADDINGS):
            raise ValueError(f"filters must give the {len(cls.PADDINGS)} convolutions' filter counts, got {filters}")
        plan = cls._plan(
            _image_shape(args["input_shape"]), filters, args["hidden_size"], args["output_size"], args["dropout"]
        )
        specs = {"conv": Conv2D.array_specs, "dense": Dense.array_specs}
        return _named_specs([specs[kind](shape) if kind in specs else {} for kind, shape in plan])


class ConvNet(_BuiltModel):
    """A deeper convolutional network built from blocks, in the style of VGG.

    Each block is a run of 3×3 convolutions (padding 1), each followed by
    BatchNorm (optional) and ReLU, then a 2×2 max pool and, optionally,
    Dropout. Then Flatten → Dense(hidden) → ReLU → Dropout → Dense(output).

    Args:
        input_shape: (C, H, W) of one image.
        blocks: filters of each convolution, per block, e.g. ``((16, 16), (32, 32))``.
        hidden_size: width of the dense layer after the blocks.
        output_size: number of classes.
        batch_norm: add BatchNorm after each convolution.
        dropout: rate of the Dropout after each block and after the dense layer (0 for none).
        seed: seeds the initial weights and the dropout masks.
    """

    def __init__(
        self,
        input_shape: Sequence[int] = (1, 28, 28),
        blocks: Sequence[Sequence[int]] = ((16, 16), (32, 32)),
        hidden_size: int = 128,
        output_size: int = 10,
        batch_norm: bool = True,
        dropout: float = 0.25,
        seed: int | None = None,
        dtype: DTypeLike = np.float32,
    ) -> None:
        channels, height, width = _image_shape(input_shape)
        blocks = [list(block) for block in blocks]
        if not blocks or not all(blocks):
            raise ValueError(f"blocks must list at least one block of at least one convolution, got {blocks}")
        rng = np.random.default_rng(seed)
        self.config = {
            "input_shape": [channels, height, width],
            "blocks": blocks,
            "hidden_size": hidden_size,
            "output_size": output_size,
            "batch_norm": batch_norm,
            "dropout": dropout,
        }
        layers: list[Layer] = []
        for block in blocks:
            for filters in block:
                layers.append(Conv2D(channels, filters, 3, padding=1, rng=rng, dtype=dtype))
                if batch_norm:
                    layers.append(BatchNorm(filters, dtype=dtype))
                layers.append(ReLU())
                channels = filters
            if height < 2 or width < 2:
                raise ValueError(f"input_shape {tuple(input_shape)} is too small for {len(blocks)} pooling blocks")
            layers.append(MaxPool2D(2))
            height, width = height // 2, width // 2
            if dropout:
                layers.append(Dropout(dropout))
        layers += [Flatten(), Dense(channels * height * width, hidden_size, rng=rng, dtype=dtype), ReLU()]
        if dropout:
            layers.append(Dropout(dropout))
        layers.append(Dense(hidden_size, output_size, rng=rng, dtype=dtype))
        super().__init__(layers, SoftmaxWithLoss(), seed=seed, input_shape=tuple(input_shape))

    @classmethod
    def array_specs(cls, config: dict[str, Any]) -> dict[str, ArraySpec]:
        args = cls._arguments(config)
        channels, height, width = _image_shape(args["input_shape"])
        blocks = [list(block) for block in args["blocks"]]
        if not blocks or not all(blocks):
            raise ValueError(f"blocks must list at least one block of at least one convolution, got {blocks}")
        _check_depth(sum(len(block) for block in blocks), "blocks")
        batch_norm, dropout = args["batch_norm"], args["dropout"]
        hidden_size, output_size = args["hidden_size"], args["output_size"]
        layers: list[dict[str, ArraySpec]] = []  # as __init__ stacks them
        for block in blocks:
            for filters in block:
                conv = {"in_channels": channels, "out_channels": filters, "kernel_size": 3}
                layers.append(Conv2D.array_specs(conv))
                if batch_norm:
                    layers.append(BatchNorm.array_specs({"num_features": filters}))
                layers.append({})  # ReLU
                channels = filters
            if height < 2 or width < 2:
                raise ValueError(f"input_shape {args['input_shape']} is too small for {len(blocks)} pooling blocks")
            height, width = height // 2, width // 2
            layers += [{}, {}] if dropout else [{}]  # pooling, dropout
        layers += [{}, Dense.array_specs({"in_features": channels * height * width, "out_features": hidden_size}), {}]
        layers += [{}] if dropout else []
        layers.append(Dense.array_specs({"in_features": hidden_size, "out_features": output_size}))
        return _named_specs(layers)


def _image_shape(input_shape: Sequence[int]) -> tuple[int, int, int]:
    shape = tuple(input_shape)
    if len(shape) != 3:
        raise ValueError(f"input_shape must be (channels, height, width), got {shape}")
    for name, size in zip(("channels", "height", "width"), shape):
        check_positive_int(f"input_shape {name}", size)
    return shape[0], shape[1], shape[2]
