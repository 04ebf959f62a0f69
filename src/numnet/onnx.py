"""ONNX export: a trained model as a standard ONNX graph that any ONNX runtime can run.

Needs the optional extra ``onnx`` (``pip install 'numnet[onnx]'``: the
``onnx`` package builds and checks the graph; ``onnxruntime`` runs it)::

    from numnet.onnx import export
    export(model, "model.onnx")

    import onnxruntime as ort
    session = ort.InferenceSession("model.onnx")
    probabilities, labels = session.run(None, {"input": x})

The graph is the model in inference mode, computing in float32. Its input
``"input"`` has a dynamic batch axis: float32 features ``(batch, *shape)``
for the per-sample shape the model records (:attr:`Sequential.input_spec`),
or int64 ids ``(batch, sequence)`` for a model that starts with an
``Embedding``. The loss becomes the prediction head:

========================  =====================================================
loss                      outputs
========================  =====================================================
``SoftmaxWithLoss``       ``probabilities`` = Softmax over the last axis
                          (N, ..., K); ``labels`` = ArgMax over the last axis
                          (N, ...), int64
``SigmoidWithLoss``       ``probabilities`` = Sigmoid (N, ...); ``labels`` =
                          1 where the score is >= 0 (the probability >= 0.5),
                          int64; one output (N, 1) gives labels (N,)
``MeanSquaredLoss``       ``values`` = the scores themselves; no labels
========================  =====================================================

These are what ``model.predict_proba`` and ``model.predict_labels`` give
(``LogisticRegression``'s probabilities are (N,), as its ``predict_proba``).

Layers map to standard operators (opset 13 or later: Softmax's ``axis``
means one axis from opset 13 on, a flattened block of axes before):
``Affine``/``Dense`` → Flatten (for inputs of more than two axes) + Gemm;
``TimeAffine`` → MatMul + Add over the last axis; ``ReLU``, ``LeakyReLU``,
``Sigmoid``, ``Tanh``, ``Identity``, ``Softmax`` (last axis) → the operators
of the same names; ``Conv2D`` → Conv (numnet's filters (FN, C, KH, KW) are
ONNX's layout); ``MaxPool2D``/``AvgPool2D`` → MaxPool/AveragePool (no
padding, so ``count_include_pad`` does not arise; floor rounding of the
output size, as numnet); ``Flatten`` → Flatten; ``BatchNorm`` →
BatchNormalization with the running statistics and ``eps`` (both
``(N, D)`` and ``(N, C, H, W)``); ``Dropout`` → nothing (identity at
inference); ``Embedding`` → Gather. Any other layer (a subclass included:
it may compute something else) is refused with an error naming it.

The model's description goes into the ONNX model's ``metadata_props``
(string keys and values, JSON where structured): ``numnet_version``,
``model_class``, ``model_config``, ``task``, ``outputs``, ``input`` (name,
kind, per-sample shape, dtype and value range where known: ids are in
[0, vocab_size - 1]; float features in ``model.metadata["input_range"]`` when
the model records one), and ``class_names`` and ``dataset`` when
``model.metadata`` holds them. ``model.summary()`` is the graph's doc string.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from numnet import __version__
from numnet._atomic import atomic_write
from numnet.layers import (
    Affine,
    AvgPool2D,
    BatchNorm,
    Conv2D,
    Dense,
    Dropout,
    Embedding,
    Flatten,
    Identity,
    Layer,
    LeakyReLU,
    Loss,
    MaxPool2D,
    MeanSquaredLoss,
    ReLU,
    Sigmoid,
    SigmoidWithLoss,
    Softmax,
    SoftmaxWithLoss,
    Tanh,
    TimeAffine,
)
from numnet.models import LogisticRegression, Sequential

if TYPE_CHECKING:
    import onnx

__all__ = ["export", "to_onnx", "MIN_OPSET", "DEFAULT_OPSET", "INPUT_NAME"]

#: Softmax takes one axis from opset 13 on; earlier opsets flatten the axes from ``axis`` on.
MIN_OPSET = 13
DEFAULT_OPSET = 17
INPUT_NAME = "input"

#: One dimension of a tensor: a size, a symbolic name ("batch"), or None when unknown.
Dim = int | str | None
Shape = tuple[Dim, ...]


def export(
    model: Sequential,
    path: str | os.PathLike[str],
    opset: int = DEFAULT_OPSET,
    input_shape: Sequence[int | None] | None = None,
) -> Path:
    """Write ``model`` as an ONNX file at ``path`` (atomically); return the path.

    Args:
        model: a numnet model (any :class:`~numnet.models.Sequential`).
        path: the file to write; an existing file is replaced only once the
            whole model is built, checked and written.
        opset: the ONNX operator set, ``MIN_OPSET`` (13) up to what the
            installed ``onnx`` knows.
        input_shape: the shape of one sample (None for an axis of any
            length), for a model that records none; by default
            ``model.input_spec.shape`` (ids without one: ``(None,)``, a
            sequence of any length).

    Raises:
        ValueError: a bad ``opset`` or ``input_shape``, or a model whose input
            shape is unknown; NotImplementedError: a layer or loss with no
            ONNX mapping (named in the message); ImportError: ``onnx`` missing.
        Nothing is written when an error is raised.
    """
    proto = to_onnx(model, opset, input_shape)
    path = Path(path)
    with atomic_write(path, "wb") as file:
        file.write(proto.SerializeToString())
    return path


def to_onnx(
    model: Sequential, opset: int = DEFAULT_OPSET, input_shape: Sequence[int | None] | None = None
) -> onnx.ModelProto:
    """The ONNX model of ``model``, checked by ``onnx.checker.check_model(full_check=True)``; see :func:`export`."""
    onnx = _import_onnx()
    if not isinstance(model, Sequential):
        raise TypeError(f"model must be a numnet model (Sequential), got {type(model).__name__}")
    opset = _check_opset(opset, onnx.defs.onnx_opset_version())
    graph = _GraphBuilder(onnx)
    kind = model.input_spec.kind
    sample_shape = _sample_shape(model, input_shape)
    shape = ("batch", *_dim_names(sample_shape, kind))
    value = graph.input(INPUT_NAME, np.int64 if kind == "ids" else np.float32, shape)
    for index, layer in enumerate(model.layers):
        convert = LAYER_CONVERTERS.get(type(layer))
        if convert is None:
            raise NotImplementedError(
                f"layers[{index}] {layer!r} has no ONNX mapping; the layers that export are "
                f"{', '.join(sorted(cls.__name__ for cls in LAYER_CONVERTERS))}"
            )
        value = convert(graph, layer, f"{index}.{type(layer).__name__}", value)
    outputs = _prediction_head(graph, model, value)

    proto = onnx.helper.make_model(
        graph.build(type(model).__name__, model.summary()),
        opset_imports=[onnx.helper.make_opsetid("", opset)],
        producer_name="numnet",
        producer_version=__version__,
    )
    # The oldest IR version that carries this opset, so that older runtimes read the file too.
    proto.ir_version = onnx.helper.find_min_ir_version_for(proto.opset_import)
    onnx.helper.set_model_props(proto, _metadata(model, sample_shape, kind, outputs))
    onnx.checker.check_model(proto, full_check=True)
    return proto


def _import_onnx() -> Any:
    try:
        import onnx  # noqa: PLC0415 - optional extra
    except ImportError:
        raise ImportError("ONNX export needs the onnx package: pip install 'numnet[onnx]'") from None
    return onnx


def _check_opset(opset: object, newest: int) -> int:
    if isinstance(opset, bool) or not isinstance(opset, (int, np.integer)):
        raise TypeError(f"opset must be an int, got {opset!r}")
    if opset < MIN_OPSET:
        raise ValueError(
            f"opset must be >= {MIN_OPSET}, got {opset}: before opset 13 Softmax normalizes over all axes "
            "from `axis` on instead of over one axis"
        )
    if opset > newest:
        raise ValueError(f"opset must be <= {newest}, the newest the installed onnx knows, got {opset}")
    return int(opset)


def _sample_shape(model: Sequential, input_shape: Sequence[int | None] | None) -> tuple[int | None, ...]:
    """The per-sample input shape: ``input_shape``, else the model's, else (None,) for ids."""
    if input_shape is not None:
        shape = tuple(input_shape)
        if not all(
            s is None or (isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s > 0) for s in shape
        ):
            raise ValueError(f"input_shape must hold positive ints or None, got {input_shape!r}")
        return tuple(None if s is None else int(s) for s in shape)
    if model.input_spec.shape is not None:
        return model.input_spec.shape
    if model.input_spec.kind == "ids":
        return (None,)
    raise ValueError(
        f"the input shape of {model!r} is unknown: pass export(..., input_shape=(...)) with the shape of "
        "one sample, or build the model with Sequential(..., input_shape=...)"
    )


def _dim_names(sample_shape: tuple[int | None, ...], kind: str) -> Shape:
    """The input's per-sample dims, each axis of any length named: "sequence" for ids, "height"/"width" of images."""
    if kind == "ids":
        names = ["sequence"] + [f"axis{i}" for i in range(2, len(sample_shape) + 1)]
    elif len(sample_shape) == 3:
        names = ["channels", "height", "width"]
    else:
        names = [f"axis{i}" for i in range(1, len(sample_shape) + 1)]
    return tuple(name if size is None else size for name, size in zip(names, sample_shape))


def _differs(dim: Dim, size: int) -> bool:
    """Whether ``dim`` is a known size other than ``size`` (a symbolic or unknown dim may be anything)."""
    return isinstance(dim, int) and dim != size


# ------------------------------------------------------------------ the graph


class _Value:
    """A tensor of the graph under construction: its name and its (partly known) shape."""

    def __init__(self, name: str, shape: Shape) -> None:
        self.name, self.shape = name, shape


class _GraphBuilder:
    """Collects nodes, initializers and the graph's inputs and outputs, built with onnx.helper."""

    def __init__(self, onnx: Any) -> None:
        self.onnx = onnx
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self.inputs: list[Any] = []
        self.outputs: list[Any] = []

    def _info(self, name: str, dtype: type, shape: Shape) -> Any:
        elem_type = self.onnx.helper.np_dtype_to_tensor_dtype(np.dtype(dtype))
        return self.onnx.helper.make_tensor_value_info(name, elem_type, list(shape))

    def input(self, name: str, dtype: type, shape: Shape) -> _Value:
        self.inputs.append(self._info(name, dtype, shape))
        return _Value(name, shape)

    def output(self, value: _Value, dtype: type) -> None:
        self.outputs.append(self._info(value.name, dtype, value.shape))

    def constant(self, name: str, array: np.ndarray, dtype: type = np.float32) -> str:
        """An initializer holding ``array`` cast to ``dtype`` (float32: what the graph computes in)."""
        self.initializers.append(self.onnx.numpy_helper.from_array(np.asarray(array, dtype=dtype), name))
        return name

    def node(
        self, op: str, inputs: Sequence[str], name: str, shape: Shape, output: str | None = None, **attrs: Any
    ) -> _Value:
        """Add one ``op`` node reading ``inputs``; returns its one output (named ``output`` or after the node)."""
        output = output or f"{name}.out"
        self.nodes.append(self.onnx.helper.make_node(op, list(inputs), [output], name=name, **attrs))
        return _Value(output, shape)

    def build(self, name: str, doc: str) -> Any:
        return self.onnx.helper.make_graph(
            self.nodes, name, self.inputs, self.outputs, self.initializers, doc_string=doc
        )


# ------------------------------------------------------------------ layers

Converter = Callable[[_GraphBuilder, Any, str, _Value], _Value]


def _features(shape: Shape) -> Dim:
    """The number of values per sample of ``shape`` (batch, ...), None if any axis is not a known size."""
    sizes = shape[1:]
    return math.prod(sizes) if all(isinstance(s, int) for s in sizes) else None  # type: ignore[arg-type]


def _affine(graph: _GraphBuilder, layer: Affine, name: str, x: _Value) -> _Value:
    """Affine/Dense flatten each sample, then x @ W + b: Flatten (if needed) and Gemm."""
    features = _features(x.shape)
    if features is not None and features != layer.in_features:
        raise ValueError(f"{name} {layer!r} takes {layer.in_features} features per sample, gets shape {x.shape}")
    if len(x.shape) != 2:
        x = graph.node("Flatten", [x.name], f"{name}.flatten", (x.shape[0], layer.in_features), axis=1)
    w, b = graph.constant(f"{name}.W", layer.W), graph.constant(f"{name}.b", layer.b)
    return graph.node("Gemm", [x.name, w, b], name, (x.shape[0], layer.out_features))


def _time_affine(graph: _GraphBuilder, layer: TimeAffine, name: str, x: _Value) -> _Value:
    """The same x @ W + b at every position of (N, ..., D): MatMul broadcasts over the leading axes."""
    if len(x.shape) < 2 or _differs(x.shape[-1], layer.in_features):
        raise ValueError(f"{name} {layer!r} takes inputs (N, ..., {layer.in_features}), gets shape {x.shape}")
    shape = (*x.shape[:-1], layer.out_features)
    product = graph.node("MatMul", [x.name, graph.constant(f"{name}.W", layer.W)], f"{name}.matmul", shape)
    return graph.node("Add", [product.name, graph.constant(f"{name}.b", layer.b)], name, shape)


def _elementwise(op: str, **attrs: Any) -> Converter:
    def convert(graph: _GraphBuilder, layer: Layer, name: str, x: _Value) -> _Value:
        return graph.node(op, [x.name], name, x.shape, **attrs)

    return convert


def _leaky_relu(graph: _GraphBuilder, layer: LeakyReLU, name: str, x: _Value) -> _Value:
    """numnet: x where x > 0, else alpha * x; ONNX LeakyRelu: x where x >= 0, else alpha * x (equal at 0)."""
    return graph.node("LeakyRelu", [x.name], name, x.shape, alpha=layer.alpha)


def _dropout(graph: _GraphBuilder, layer: Dropout, name: str, x: _Value) -> _Value:
    """Inverted dropout is the identity at inference: no node."""
    return x


def _check_images(name: str, layer: Layer, x: _Value, channels: int | None = None) -> None:
    if len(x.shape) != 4 or (channels is not None and _differs(x.shape[1], channels)):
        expected = f"(N, {channels}, H, W)" if channels is not None else "(N, C, H, W)"
        raise ValueError(f"{name} {layer!r} takes images {expected}, gets shape {x.shape}")


def _sliding(size: Dim, kernel: int, stride: int, pad: int) -> Dim:
    """Output length of a window sliding over ``size`` (floor rounding, as numnet), None if unknown."""
    return None if not isinstance(size, int) else (size + 2 * pad - kernel) // stride + 1


def _conv(graph: _GraphBuilder, layer: Conv2D, name: str, x: _Value) -> _Value:
    """numnet's filters (FN, C, KH, KW) are ONNX Conv's (M, C, kH, kW); pads [top, left, bottom, right]."""
    _check_images(name, layer, x, layer.in_channels)
    (kh, kw), (sh, sw), (ph, pw) = layer.kernel_size, layer.stride, layer.padding
    shape = (x.shape[0], layer.out_channels, _sliding(x.shape[2], kh, sh, ph), _sliding(x.shape[3], kw, sw, pw))
    w, b = graph.constant(f"{name}.W", layer.W), graph.constant(f"{name}.b", layer.b)
    return graph.node(
        "Conv", [x.name, w, b], name, shape, kernel_shape=[kh, kw], strides=[sh, sw], pads=[ph, pw, ph, pw]
    )


def _pool(op: str) -> Converter:
    def convert(graph: _GraphBuilder, layer: MaxPool2D | AvgPool2D, name: str, x: _Value) -> _Value:
        """No padding and floor rounding (``ceil_mode=0``), as numnet's pooling."""
        _check_images(name, layer, x)
        (kh, kw), (sh, sw) = layer.pool_size, layer.stride
        shape = (*x.shape[:2], _sliding(x.shape[2], kh, sh, 0), _sliding(x.shape[3], kw, sw, 0))
        return graph.node(op, [x.name], name, shape, kernel_shape=[kh, kw], strides=[sh, sw])

    return convert


def _flatten(graph: _GraphBuilder, layer: Flatten, name: str, x: _Value) -> _Value:
    return graph.node("Flatten", [x.name], name, (x.shape[0], _features(x.shape)), axis=1)


def _batch_norm(graph: _GraphBuilder, layer: BatchNorm, name: str, x: _Value) -> _Value:
    """Inference: gamma (x - running_mean) / sqrt(running_var + eps) + beta over axis 1 of (N, D) or (N, C, H, W)."""
    if len(x.shape) not in (2, 4) or _differs(x.shape[1], layer.num_features):
        d = layer.num_features
        raise ValueError(f"{name} {layer!r} takes inputs (N, {d}) or (N, {d}, H, W), gets shape {x.shape}")
    inputs = [
        graph.constant(f"{name}.{attribute}", getattr(layer, attribute))
        for attribute in ("gamma", "beta", "running_mean", "running_var")
    ]
    return graph.node("BatchNormalization", [x.name, *inputs], name, x.shape, epsilon=layer.eps)


def _embedding(graph: _GraphBuilder, layer: Embedding, name: str, x: _Value) -> _Value:
    """ids (N, ...) -> W[ids] (N, ..., D)."""
    w = graph.constant(f"{name}.W", layer.W)
    return graph.node("Gather", [w, x.name], name, (*x.shape, layer.embedding_dim), axis=0)


#: Layer class -> converter. Exact classes: a subclass may compute something else, so it is refused.
LAYER_CONVERTERS: dict[type[Layer], Converter] = {
    Affine: _affine,
    Dense: _affine,
    TimeAffine: _time_affine,
    ReLU: _elementwise("Relu"),
    LeakyReLU: _leaky_relu,
    Sigmoid: _elementwise("Sigmoid"),
    Tanh: _elementwise("Tanh"),
    Identity: _elementwise("Identity"),
    Softmax: _elementwise("Softmax", axis=-1),
    Conv2D: _conv,
    MaxPool2D: _pool("MaxPool"),
    AvgPool2D: _pool("AveragePool"),
    Flatten: _flatten,
    BatchNorm: _batch_norm,
    Dropout: _dropout,
    Embedding: _embedding,
}


# ------------------------------------------------------------------ the head


def _to_vector(graph: _GraphBuilder, value: _Value, name: str, output: str) -> _Value:
    """(N, 1) -> (N,)."""
    target = graph.constant(f"{name}.shape", np.array([-1]), np.int64)
    return graph.node("Reshape", [value.name, target], name, value.shape[:1], output=output)


def _prediction_head(graph: _GraphBuilder, model: Sequential, scores: _Value) -> list[str]:
    """The loss as outputs: probabilities and labels, or values for regression; returns their names."""
    loss: Loss = model.loss_fn
    kind = type(loss)
    if kind is SoftmaxWithLoss:
        if len(scores.shape) < 2:
            raise ValueError(f"{loss!r} needs scores (N, ..., K), the layers give shape {scores.shape}")
        probabilities = graph.node("Softmax", [scores.name], "head.softmax", scores.shape, "probabilities", axis=-1)
        labels = graph.node("ArgMax", [scores.name], "head.argmax", scores.shape[:-1], "labels", axis=-1, keepdims=0)
    elif kind is SigmoidWithLoss:
        # SigmoidWithLoss.labels: scores >= 0 (the probability >= 0.5), and (N, 1) gives (N,).
        column = len(scores.shape) == 2 and scores.shape[1] == 1
        vector = column and isinstance(model, LogisticRegression)  # its predict_proba is (N,) too
        probabilities = graph.node(
            "Sigmoid", [scores.name], "head.sigmoid", scores.shape, None if vector else "probabilities"
        )
        if vector:
            probabilities = _to_vector(graph, probabilities, "head.probabilities", "probabilities")
        zero = graph.constant("head.zero", np.zeros(()))
        positive = graph.node("GreaterOrEqual", [scores.name, zero], "head.threshold", scores.shape)
        labels = graph.node(
            "Cast", [positive.name], "head.labels", scores.shape, None if column else "labels", to=_int64(graph)
        )
        if column:
            labels = _to_vector(graph, labels, "head.labels_vector", "labels")
    elif kind is MeanSquaredLoss:
        graph.output(graph.node("Identity", [scores.name], "head.values", scores.shape, "values"), np.float32)
        return ["values"]
    else:
        raise NotImplementedError(
            f"the loss {loss!r} has no ONNX prediction head; SoftmaxWithLoss, SigmoidWithLoss and "
            "MeanSquaredLoss export"
        )
    graph.output(probabilities, np.float32)
    graph.output(labels, np.int64)
    return ["probabilities", "labels"]


def _int64(graph: _GraphBuilder) -> int:
    return graph.onnx.TensorProto.INT64


# ------------------------------------------------------------------ metadata


def _metadata(model: Sequential, sample_shape: Shape, kind: str, outputs: list[str]) -> dict[str, str]:
    """``metadata_props``: strings, JSON where structured."""
    value_range: list[float] | None = None
    first = model.layers[0] if model.layers else None
    if kind == "ids" and isinstance(first, Embedding):
        value_range = [0, first.vocab_size - 1]
    elif "input_range" in model.metadata:
        value_range = list(model.metadata["input_range"])
    props = {
        "numnet_version": __version__,
        "model_class": type(model).__name__,
        "model_config": json.dumps(model.get_config()),
        "task": model.loss_fn.task,
        "outputs": json.dumps(outputs),
        "input": json.dumps(
            {
                "name": INPUT_NAME,
                "kind": kind,
                "shape": list(sample_shape),
                "dtype": "int64" if kind == "ids" else "float32",
                "value_range": value_range,
            }
        ),
    }
    if "class_names" in model.metadata:
        props["class_names"] = json.dumps(list(model.metadata["class_names"]))
    if "dataset" in model.metadata:
        props["dataset"] = str(model.metadata["dataset"])
    return props
