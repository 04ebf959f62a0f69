"""Networks built from layers: Sequential and the classic models on top of it.

A model is a list of layers followed by a loss layer. ``predict(x)`` runs the
layers with ``train=False`` and returns the scores (the input of the loss
layer, as in the textbook); ``forward(x, t)`` runs them in training mode and
returns the loss; ``backward()`` fills every layer's ``grads``.

Every model describes itself for saving: ``get_config()`` is JSON-able and
``from_config(config, dtype)`` rebuilds the architecture; ``named_arrays()``
and ``load_named_arrays()`` carry the parameters and layer state under stable
names (``"0.W"``, ``"0.b"``, ``"3.running_mean"``, ...).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from numnet._checks import check_positive_int
from numnet.gradient import numerical_gradient
from numnet.layers import (
    LAYER_REGISTRY,
    Affine,
    BatchNorm,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    Layer,
    LossLayer,
    MaxPool2D,
    MeanSquaredLoss,
    ReLU,
    Sigmoid,
    SigmoidWithLoss,
    SoftmaxWithLoss,
    Tanh,
)

__all__ = [
    "MODEL_REGISTRY",
    "Sequential",
    "TwoLayerNet",
    "MLP",
    "LogisticRegression",
    "SimpleConvNet",
    "DeepConvNet",
    "ConvNet",
    "ACTIVATIONS",
    "OUTPUTS",
]

#: Class name -> model class, filled by every subclass of :class:`Sequential`.
MODEL_REGISTRY: dict[str, type[Sequential]] = {}

#: Hidden activations by name.
ACTIVATIONS: dict[str, type[Layer]] = {"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh}
#: Output kinds by name -> the loss layer that ends the network.
OUTPUTS: dict[str, type[LossLayer]] = {
    "softmax": SoftmaxWithLoss,
    "sigmoid": SigmoidWithLoss,
    "identity": MeanSquaredLoss,
}


def _layer_spec(layer: Layer) -> dict[str, Any]:
    return {"type": type(layer).__name__, "config": layer.get_config()}


def _build_layer(spec: dict[str, Any], dtype: DTypeLike) -> Layer:
    try:
        cls = LAYER_REGISTRY[spec["type"]]
    except KeyError:
        raise ValueError(f"unknown layer type {spec.get('type')!r} in the model description") from None
    return cls.from_config(spec.get("config", {}), dtype=dtype)


def _choose(name: str, options: dict[str, Any], argument: str) -> Any:
    if name not in options:
        raise ValueError(f"{argument} must be one of {sorted(options)}, got {name!r}")
    return options[name]


class Sequential:
    """A stack of layers ending in a loss layer.

    Args:
        layers: the layers in order, e.g. ``[Dense(784, 100), ReLU(), Dense(100, 10)]``.
        loss: the loss layer, e.g. ``SoftmaxWithLoss()``.
        seed: seeds the model's generator, which layers that draw random
            numbers (``Dropout``) use when they were given none.

    Attributes:
        params, grads: every layer's parameters and gradients, in order.
        param_names: stable names of ``params`` (``"<layer index>.<name>"``).
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__name__.startswith("_"):  # private bases are not models one saves
            MODEL_REGISTRY[cls.__name__] = cls

    def __init__(self, layers: Sequence[Layer], loss: LossLayer, seed: int | None = None) -> None:
        layers = list(layers)
        for index, layer in enumerate(layers):
            if not isinstance(layer, Layer) or isinstance(layer, LossLayer):
                raise TypeError(f"layers[{index}] must be a numnet layer (not a loss), got {layer!r}")
        if not isinstance(loss, LossLayer):
            raise TypeError(f"loss must be a loss layer such as SoftmaxWithLoss(), got {loss!r}")
        self.layers = layers
        self.loss_layer = loss
        self.rng = np.random.default_rng(seed)
        for layer in layers:
            if getattr(layer, "rng", False) is None:
                layer.rng = self.rng
        self.params: list[NDArray] = [p for layer in layers for p in layer.params]
        self.grads: list[NDArray] = [g for layer in layers for g in layer.grads]
        self.param_names: list[str] = [
            f"{index}.{name}" for index, layer in enumerate(layers) for name in layer.param_names
        ]
        self.scores: NDArray | None = None

    # ------------------------------------------------------------ computing
    @property
    def dtype(self) -> np.dtype:
        """The floating dtype of the parameters (float32 unless built otherwise)."""
        return self.params[0].dtype if self.params else np.dtype(np.float32)

    def _run_layers(self, x: NDArray, train: bool) -> NDArray:
        for layer in self.layers:
            x = layer.forward(x, train=train)
        return x

    def predict(self, x: ArrayLike, batch_size: int | None = None) -> NDArray:
        """Scores (the loss layer's input) for ``x`` (N, ...), in inference mode: (N, K)."""
        return self._scores(x, batch_size)

    def predict_proba(self, x: ArrayLike, batch_size: int | None = None) -> NDArray:
        """The output activation (softmax, sigmoid or identity) applied to :meth:`predict`."""
        return self.loss_layer.output(self._scores(x, batch_size))

    def _scores(self, x: ArrayLike, batch_size: int | None) -> NDArray:
        return self._in_batches(x, batch_size, lambda xb: self._run_layers(xb, train=False))

    def forward(self, x: NDArray, t: NDArray, train: bool = True) -> float:
        """The loss of the batch ``x`` (N, ...) with targets ``t``; caches for :meth:`backward`."""
        _check_lengths(x, t)
        self.scores = self._run_layers(x, train)
        return self.loss_layer.forward(self.scores, t)

    def check_data(self, x: NDArray, t: NDArray) -> None:
        """Raise ValueError unless ``(x, t)`` fits the model, without training on it.

        Cheap: one sample goes through the layers (checking that the input
        shape chains) and the loss layer checks every target against zero scores.
        """
        _check_lengths(x, t)
        if len(x) == 0:
            raise ValueError("x must hold at least one sample, got an empty array")
        scores = self._run_layers(x[:1], train=False)
        self.loss_layer.forward(np.zeros((len(t), *scores.shape[1:]), scores.dtype), t)

    def backward(self, input_grad: bool = False) -> NDArray | None:
        """Backpropagate from the loss, filling ``grads``.

        Returns dL/dx, of the input's shape, with ``input_grad=True``; None by
        default. Training never needs the gradient of its data, so by default
        the first layer with parameters only writes its own gradients
        (:meth:`Layer.backward_params`: for an MLP on MNIST that skips a third
        of all the arithmetic) and the layers before it are not visited.
        """
        dout = self.loss_layer.backward()
        if input_grad:
            for layer in reversed(self.layers):
                dout = layer.backward(dout)
            return dout
        first = next((i for i, layer in enumerate(self.layers) if layer.params), None)
        if first is None:  # no parameters: nothing to compute
            return None
        for layer in reversed(self.layers[first + 1 :]):
            dout = layer.backward(dout)
        self.layers[first].backward_params(dout)
        return None

    def loss(self, x: ArrayLike, t: ArrayLike) -> float:
        """The loss on ``(x, t)`` in inference mode (no dropout, running batch-norm statistics)."""
        x, t = self._as_input(x), np.asarray(t)
        return self.forward(x, t, train=False)

    def gradient(self, x: NDArray, t: NDArray) -> dict[str, NDArray]:
        """Gradients of the loss by backpropagation, keyed by :attr:`param_names`.

        The values are the layers' own gradient arrays (overwritten by the next backward).
        """
        self.forward(self._as_input(x), np.asarray(t), train=True)
        self.backward()
        return dict(zip(self.param_names, self.grads))

    def numerical_gradient(self, x: NDArray, t: NDArray) -> dict[str, NDArray]:
        """Gradients of the loss by central differences (slow; for checking), keyed like :meth:`gradient`."""
        x, t = self._as_input(x), np.asarray(t)
        return {
            name: numerical_gradient(lambda _: self.forward(x, t, train=True), param)
            for name, param in zip(self.param_names, self.params)
        }

    def accuracy(self, x: ArrayLike, t: ArrayLike, batch_size: int | None = 1000) -> float:
        """Fraction of samples whose predicted class equals the target.

        Several outputs: the class is the argmax of the scores. One output: the
        class is 1 where the output activation gives >= 0.5. ``t`` may be labels
        (N,), binary targets (N, 1) or one-hot (N, K).
        """
        x, t = self._as_input(x), np.asarray(t)
        _check_lengths(x, t)
        return self.count_correct(self._scores(x, batch_size), t) / len(t) if len(t) else math.nan

    def predict_labels(self, x: ArrayLike, batch_size: int | None = 1000) -> NDArray[np.intp]:
        """Predicted class ids (N,) — see :meth:`accuracy` for how they are read off the scores."""
        return self.labels_from_scores(self._scores(x, batch_size))

    def labels_from_scores(self, scores: NDArray) -> NDArray[np.intp]:
        """Class ids (N,) from scores (N, K): argmax, or output >= 0.5 for one output."""
        if scores.ndim == 2 and scores.shape[1] > 1:
            return np.argmax(scores, axis=1)
        return (self.loss_layer.output(scores).reshape(len(scores)) >= 0.5).astype(np.intp)

    def count_correct(self, scores: NDArray, t: NDArray) -> int:
        """How many rows of ``scores`` (N, K) give the class of the target ``t`` (see :meth:`accuracy`)."""
        return int(np.count_nonzero(self.labels_from_scores(scores) == _target_labels(t)))

    def _as_input(self, x: ArrayLike) -> NDArray:
        x = np.asarray(x)
        if x.dtype != self.dtype:
            x = x.astype(self.dtype)
        return x

    def _in_batches(self, x: ArrayLike, batch_size: int | None, fn: Callable[[NDArray], NDArray]) -> NDArray:
        x = self._as_input(x)
        if batch_size is None or len(x) <= batch_size:
            return fn(x)
        if batch_size <= 0:
            raise ValueError(f"batch_size must be a positive integer or None, got {batch_size}")
        return np.concatenate([fn(x[i : i + batch_size]) for i in range(0, len(x), batch_size)])

    # ------------------------------------------------------------ describing
    def get_config(self) -> dict[str, Any]:
        """JSON-able description of the architecture (not the weights)."""
        return {"layers": [_layer_spec(layer) for layer in self.layers], "loss": _layer_spec(self.loss_layer)}

    @classmethod
    def from_config(cls, config: dict[str, Any], dtype: DTypeLike = np.float32) -> Sequential:
        """Rebuild the architecture described by :meth:`get_config` (weights not loaded)."""
        layers = [_build_layer(spec, dtype) for spec in config["layers"]]
        return cls(layers, _build_layer(config["loss"], dtype))

    def named_arrays(self) -> dict[str, NDArray]:
        """Parameters and layer state (running statistics) under stable names."""
        arrays = dict(zip(self.param_names, self.params))
        for index, layer in enumerate(self.layers):
            for name in layer.state_names:
                arrays[f"{index}.{name}"] = getattr(layer, name)
        return arrays

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

    def astype(self, dtype: DTypeLike) -> Sequential:
        """A copy of the model (same class, same weights) computing in ``dtype``."""
        clone = type(self).from_config(self.get_config(), dtype=dtype)
        clone.load_named_arrays(self.named_arrays())
        return clone

    def summary(self) -> str:
        """One line per layer with its parameter shapes, then the total parameter count."""
        lines = []
        for index, layer in enumerate(self.layers):
            shapes = ", ".join(f"{n} {tuple(p.shape)}" for n, p in zip(layer.param_names, layer.params))
            lines.append(f"{index:>3}  {layer!r}" + (f"  [{shapes}]" if shapes else ""))
        lines.append(f"     {self.loss_layer!r}")
        lines.append(f"     {sum(p.size for p in self.params):,} parameters, {self.dtype}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.layers)} layers, loss={self.loss_layer!r})"


MODEL_REGISTRY["Sequential"] = Sequential


def _check_lengths(x: NDArray, t: NDArray) -> None:
    if len(x) != len(t):
        raise ValueError(f"x and t must have the same number of samples, got {len(x)} and {len(t)}")


def _target_labels(t: NDArray) -> NDArray:
    """Class ids (N,) from labels (N,), binary targets (N, 1) or one-hot (N, K)."""
    if t.ndim == 2 and t.shape[1] > 1:
        return np.argmax(t, axis=1)
    return t.reshape(len(t))


class _BuiltModel(Sequential):
    """A model that builds its own layers: its config is its constructor's arguments (``self.config``)."""

    config: dict[str, Any]

    def get_config(self) -> dict[str, Any]:
        return dict(self.config)

    @classmethod
    def from_config(cls, config: dict[str, Any], dtype: DTypeLike = np.float32) -> Sequential:
        return cls(**config, dtype=dtype)


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

    def decision_function(self, x: ArrayLike) -> NDArray:
        """The logits w·x + b, shape (N,)."""
        return self._scores(x, None).reshape(-1)

    def predict_proba(self, x: ArrayLike, batch_size: int | None = None) -> NDArray:
        """ŷ = sigmoid(w·x + b), shape (N,)."""
        return self.loss_layer.output(self.decision_function(x))

    def predict(self, x: ArrayLike, batch_size: int | None = None) -> NDArray:  # type: ignore[override]
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
        super().__init__(layers, SoftmaxWithLoss(), seed=seed)


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
        self.config = {
            "input_shape": [channels, height, width],
            "filters": filters,
            "hidden_size": hidden_size,
            "output_size": output_size,
            "dropout": dropout,
            "init": init,
        }
        layers: list[Layer] = []
        for index, (count, padding) in enumerate(zip(filters, self.PADDINGS)):
            conv = Conv2D(channels, count, 3, padding=padding, init=init, rng=rng, dtype=dtype)
            height, width = conv.output_size(height, width)
            layers += [conv, ReLU()]
            channels = count
            if index % 2 == 1:
                if height < 2 or width < 2:
                    raise ValueError(f"input_shape {tuple(input_shape)} is too small for three 2×2 poolings")
                layers.append(MaxPool2D(2))
                height, width = height // 2, width // 2
        layers += [Dense(channels * height * width, hidden_size, init=init, rng=rng, dtype=dtype), ReLU()]
        if dropout:
            layers.append(Dropout(dropout))
        layers.append(Dense(hidden_size, output_size, init=init, rng=rng, dtype=dtype))
        if dropout:
            layers.append(Dropout(dropout))
        super().__init__(layers, SoftmaxWithLoss(), seed=seed)


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
        super().__init__(layers, SoftmaxWithLoss(), seed=seed)


def _image_shape(input_shape: Sequence[int]) -> tuple[int, int, int]:
    shape = tuple(input_shape)
    if len(shape) != 3:
        raise ValueError(f"input_shape must be (channels, height, width), got {shape}")
    for name, size in zip(("channels", "height", "width"), shape):
        check_positive_int(f"input_shape {name}", size)
    return shape  # type: ignore[return-value]
