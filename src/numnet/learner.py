"""A learner's own layer: loaded from their file, built with random parameters, compared with numnet's.

:func:`numnet.gradient.check_learner_layer` checks any layer's gradients;
this module adds what needs numnet's layers or a file:

* :func:`compare_with_numnet` — when the class name says which layer it is
  (the book's ``Affine``, ``Relu``, ``Sigmoid``, ``SoftmaxWithLoss``,
  ``Convolution``, ``Pooling``, ``BatchNormalization``, ``Dropout``, or
  numnet's names), numnet's layer is built from the same parameters and its
  forward output and gradients are compared with the learner's;
* :func:`load_layer_class` and :func:`build_layer` — ``numnet check
  FILE.py:ClassName`` runs the learner's file (their code, as ``python``
  would run it) and builds the class with random float64 arguments that fit
  the input: ``W``, ``b``, ``gamma``, ``beta``, ``pool_h``, ``pool_w`` and
  numnet's ``in_features``-style sizes.
"""

from __future__ import annotations

import importlib.util
import inspect
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from numnet.gradient import GradientCheck, LayerCheckError, LayerReport, _worst_element
from numnet.layers import Affine, BatchNorm, Conv2D, MaxPool2D, ReLU, Sigmoid, SoftmaxWithLoss

__all__ = [
    "COUNTERPARTS",
    "counterpart_name",
    "compare_with_numnet",
    "suggest_input_shape",
    "load_layer_class",
    "build_layer",
]

#: A class name, lower case without underscores -> numnet's layer of the same kind.
COUNTERPARTS = {
    "affine": "Affine",
    "relu": "ReLU",
    "sigmoid": "Sigmoid",
    "softmaxwithloss": "SoftmaxWithLoss",
    "convolution": "Conv2D",
    "conv2d": "Conv2D",
    "pooling": "MaxPool2D",
    "maxpooling": "MaxPool2D",
    "maxpool2d": "MaxPool2D",
    "batchnormalization": "BatchNorm",
    "batchnorm": "BatchNorm",
    "dropout": "Dropout",
}
#: The book's BatchNormalization adds 10e-7 to the variance.
BOOK_BATCH_NORM_EPS = 1e-6


def counterpart_name(layer_or_class: Any) -> str | None:
    """numnet's layer of the same kind as ``layer_or_class``, by its class name (or a base class's), or None."""
    cls = layer_or_class if isinstance(layer_or_class, type) else type(layer_or_class)
    for klass in cls.__mro__:
        name = COUNTERPARTS.get(klass.__name__.lower().replace("_", ""))
        if name is not None:
            return name
    return None


def _parameters(layer: Any) -> list[NDArray]:
    """The layer's parameter arrays in order: its ``params`` list, or its arrays ``W`` that have a ``dW``."""
    params = getattr(layer, "params", None)
    if isinstance(params, list) and params:
        return list(params)
    return [
        value
        for name, value in vars(layer).items()
        if isinstance(value, np.ndarray) and value.dtype.kind == "f" and hasattr(layer, "d" + name)
    ]


def suggest_input_shape(layer: Any) -> tuple[int, ...]:
    """An input shape that fits ``layer``: from its first parameter, or one for any element-wise or pooling layer.

    Filters (FN, C, FH, FW) take (2, C, FH + 3, FW + 3); weights (D, K) take
    (4, D); a scale (D,) takes (5, D); a loss takes scores (4, 5); anything
    else (2, 3, 6, 6), which 2x2 and 3x3 pooling divide.
    """
    params = _parameters(layer)
    forward = getattr(layer, "forward", None)
    if callable(forward) and len(_required(forward)) >= 2:
        return (4, 5)
    if params:
        first = params[0]
        if first.ndim == 4:
            return (2, first.shape[1], first.shape[2] + 3, first.shape[3] + 3)
        if first.ndim == 2:
            return (4, first.shape[0])
        if first.ndim == 1:
            return (5, first.shape[0])
    return (2, 3, 6, 6)


def _required(function: Callable[..., Any] | None) -> list[str]:
    """The names of the parameters of ``function`` (a bound method, or a class: its constructor) without a default."""
    if function is None:
        return []
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return []
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return [p.name for p in parameters if p.default is p.empty and p.kind in kinds]


# ------------------------------------------------------------ comparing with numnet


def _compare(report: LayerReport, name: str, learner: Any, numnet: Any) -> None:
    learner, numnet = np.asarray(learner, dtype=float), np.asarray(numnet, dtype=float)
    if learner.shape != numnet.shape:
        report.notes.append(f"cannot compare {name}: shape {learner.shape}, numnet's {numnet.shape}")
        return
    error, index = _worst_element(learner, numnet)
    report.comparisons[name] = GradientCheck(name, error, index)


def _learner_arrays(layer: Any, report: LayerReport) -> list[tuple[str, NDArray]]:
    """The learner's parameters by the names the report uses, in order."""
    names = [name for name in report.gradients if name != "x"]
    params = getattr(layer, "params", None)
    if isinstance(params, list) and len(params) == len(names):
        return list(zip(names, params))
    return [(name, getattr(layer, name)) for name in names]


def _counterpart(kind: str, layer: Any, arrays: list[NDArray], x: NDArray, report: LayerReport) -> Any:
    """numnet's layer of ``kind`` with the learner's parameters (copies), or None with a note saying why not."""
    shapes = [a.shape for a in arrays]
    if kind in ("ReLU", "Sigmoid", "SoftmaxWithLoss"):
        return {"ReLU": ReLU, "Sigmoid": Sigmoid, "SoftmaxWithLoss": SoftmaxWithLoss}[kind]()
    if kind == "Affine" and len(arrays) == 2 and arrays[0].ndim == 2 and shapes[1] == (shapes[0][1],):
        return Affine(arrays[0].copy(), arrays[1].copy())
    if kind == "Conv2D" and len(arrays) == 2 and arrays[0].ndim == 4 and shapes[1] == (shapes[0][0],):
        stride, pad = getattr(layer, "stride", 1), getattr(layer, "pad", getattr(layer, "padding", 0))
        fn, c, fh, fw = shapes[0]
        conv = Conv2D(c, fn, (fh, fw), stride=stride, padding=pad, dtype=np.float64)
        conv.W[...], conv.b[...] = arrays
        return conv
    if kind == "MaxPool2D":
        pad = getattr(layer, "pad", 0)
        size: Any = getattr(layer, "pool_size", (getattr(layer, "pool_h", None), getattr(layer, "pool_w", None)))
        if pad or None in size:
            report.notes.append("not compared with numnet's MaxPool2D: it needs pool_h and pool_w, and no padding")
            return None
        return MaxPool2D(size, stride=getattr(layer, "stride", 1))
    if kind == "BatchNorm" and len(arrays) == 2 and arrays[0].ndim == 1 and shapes[1] == shapes[0]:
        eps = getattr(layer, "eps", BOOK_BATCH_NORM_EPS)
        norm = BatchNorm(arrays[0].size, momentum=getattr(layer, "momentum", 0.9), eps=eps, dtype=np.float64)
        norm.gamma[...], norm.beta[...] = arrays
        if x.ndim == 4 and arrays[0].size == math.prod(x.shape[1:]):
            report.notes.append(
                "normalises every value of a (C, H, W) sample on its own, as the book's BatchNormalization; "
                "numnet's BatchNorm normalises channels of images: compared on the flattened input"
            )
        if not hasattr(layer, "eps"):
            report.notes.append(f"numnet's BatchNorm built with eps={eps:g}, the book's 10e-7")
        return norm
    report.notes.append(f"not compared with numnet's {kind}: its parameters have shapes {shapes}")
    return None


def compare_with_numnet(layer: Any, x: NDArray, t: Any, report: LayerReport, seed: int = 0) -> None:
    """Compare the checked pass in ``report`` with numnet's layer of the same kind, built from the same parameters.

    Fills ``report.counterpart`` and ``report.comparisons``: the forward
    output (or the loss) and every gradient, as relative errors. A layer of
    no known kind is left alone; dropout is compared under the learner's own
    mask (the masks come from different generators).
    """
    kind = counterpart_name(layer)
    if kind is None:
        return
    if kind == "Dropout":
        _compare_dropout(layer, x, report)
        return
    arrays = _learner_arrays(layer, report)
    numnet = _counterpart(kind, layer, [a for _, a in arrays], x, report)
    if numnet is None:
        return
    report.counterpart = f"numnet.layers.{numnet!r}"
    if isinstance(numnet, SoftmaxWithLoss):
        _compare(report, "output", report.arrays["output"], numnet.forward(x, t))
        _compare(report, "x", report.arrays["x"], numnet.backward())
        return
    flat = isinstance(numnet, BatchNorm) and x.ndim == 4 and numnet.num_features != x.shape[1]
    inputs = x.reshape(len(x), -1) if flat else x
    output = numnet.forward(inputs, train=True)
    _compare(report, "output", report.arrays["output"], output.reshape(report.arrays["output"].shape))
    dx = numnet.backward(report.arrays["dout"].reshape(output.shape))
    _compare(report, "x", report.arrays["x"], dx.reshape(x.shape))
    for (name, _), grad in zip(arrays, numnet.grads):
        _compare(report, name, report.arrays[name], grad)


def _compare_dropout(layer: Any, x: NDArray, report: LayerReport) -> None:
    """Dropout against numnet's under the learner's mask: the kept values must be scaled one way or the other."""
    rate = getattr(layer, "dropout_ratio", getattr(layer, "rate", None))
    output = report.arrays["output"]
    if rate is None or output.shape != x.shape:
        report.notes.append("not compared with numnet's Dropout: no dropout_ratio (or rate) attribute")
        return
    kept = output != 0
    dropped = 1.0 - float(np.mean(kept))
    report.counterpart = f"numnet.layers.Dropout(rate={rate}) with the same mask"
    spread = 5 * math.sqrt(rate * (1 - rate) / x.size)
    far = "" if abs(dropped - rate) <= spread else "; far from it: is the mask drawn against the rate?"
    report.notes.append(f"dropped {dropped:.1%} of {x.size} values (rate {rate}{far})")
    inverted = 1.0 / (1.0 - rate)
    scale = inverted if np.allclose(output[kept], inverted * x[kept]) else 1.0
    if scale == 1.0:
        report.notes.append(
            f"kept values are not scaled: the book's dropout, which multiplies by 1 - rate = {1 - rate:g} at "
            f"inference; numnet's Dropout is inverted: it scales them by 1 / (1 - rate) = {inverted:g} in "
            "training and leaves inference alone (the same expected output)"
        )
    _compare(report, "output", output, x * kept * scale)
    _compare(report, "x", report.arrays["x"], report.arrays["dout"] * kept * scale)


# ------------------------------------------------------------ a learner's file


def load_layer_class(spec: str) -> type:
    """The class ``ClassName`` of ``FILE.py:ClassName``, from running the file (the learner's code).

    The file runs as a module (not as ``__main__``), with its folder first on
    ``sys.path`` while it runs, so that it imports its neighbours as it does
    when run from there.

    Raises:
        LayerCheckError: one line each for a spec without ``:``, a missing
            file, a file that fails to run, a name it does not define, a name
            that is no class, and a class without ``forward`` or ``backward``.
    """
    path_text, sep, class_name = spec.rpartition(":")
    if not sep or not path_text or not class_name:
        raise LayerCheckError(f"expected FILE.py:ClassName, got {spec!r}")
    path = Path(path_text)
    if not path.is_file():
        raise LayerCheckError(f"no such file: {path}")
    module_name = f"numnet_learner_{abs(hash(path.resolve()))}"
    module_spec = importlib.util.spec_from_file_location(module_name, path)
    if module_spec is None or module_spec.loader is None:
        raise LayerCheckError(f"{path} is not a Python file")
    module = importlib.util.module_from_spec(module_spec)
    folder = str(path.resolve().parent)
    sys.path.insert(0, folder)
    try:
        module_spec.loader.exec_module(module)
    except Exception as error:
        where = f" (line {error.lineno})" if isinstance(error, SyntaxError) else ""
        raise LayerCheckError(f"running {path} raised {type(error).__name__}{where}: {error}") from error
    finally:
        if folder in sys.path:
            sys.path.remove(folder)
    found = getattr(module, class_name, None)
    if found is None:
        classes = sorted(
            name for name, value in vars(module).items() if inspect.isclass(value) and value.__module__ == module_name
        )
        defined = f"; it defines {', '.join(classes)}" if classes else "; it defines no class"
        raise LayerCheckError(f"{path} defines no {class_name}{defined}")
    if not inspect.isclass(found):
        raise LayerCheckError(f"{class_name} in {path} is a {type(found).__name__}, not a class")
    for method in ("forward", "backward"):
        if not callable(getattr(found, method, None)):
            raise LayerCheckError(
                f"{class_name} in {path} has no {method} method: a layer needs forward(x) and backward(dout)"
            )
    return found


#: Constructor arguments build_layer can make up, by name: the input feature count and the output size.
_INPUT_SIZES = ("input_size", "in_features", "in_channels", "num_features")
_OUTPUT_SIZES = ("output_size", "out_features", "out_channels", "hidden_size")


def _default_shape(cls: type, required: Sequence[str]) -> tuple[int, ...]:
    """An input shape for a class that is not built yet, from its kind and the arguments it needs."""
    kind = counterpart_name(cls)
    if kind == "SoftmaxWithLoss" or len(_required(getattr(cls, "forward", None))) >= 3:  # unbound: forward(self, x, t)
        return (4, 5)
    if kind in ("Conv2D", "MaxPool2D") or {"pool_h", "pool_w", "in_channels"} & set(required):
        return (2, 2, 6, 6)
    if kind == "BatchNorm" or "gamma" in required:
        return (5, 4)
    return (3, 4)


def build_layer(cls: type, input_shape: Sequence[int] | None = None, seed: int = 0) -> tuple[Any, tuple[int, ...]]:
    """An instance of the learner's ``cls`` and an input shape that fits it.

    Arguments without defaults are made up by name, float64 and random
    (seeded): ``W`` (filters (3, C, 3, 3) for a convolution, else weights
    (D, 3)), ``b``, ``gamma`` and ``beta`` (one per input feature), ``pool_h``
    and ``pool_w`` (2), and ``input_size``/``output_size``-style sizes.

    Raises:
        LayerCheckError: an argument that cannot be guessed, or a constructor that fails.
    """
    required = _required(cls)
    shape = tuple(int(n) for n in input_shape) if input_shape is not None else None
    if shape is not None and (not shape or min(shape) < 1):
        raise LayerCheckError(f"--input-shape must be positive sizes (N, ...), got {shape}")
    if not required:
        layer = _construct(cls, {})
        return layer, shape if shape is not None else suggest_input_shape(layer)
    shape = shape if shape is not None else _default_shape(cls, required)
    rng = np.random.default_rng([seed, 3])
    convolution = counterpart_name(cls) == "Conv2D" or (len(shape) == 4 and counterpart_name(cls) != "Affine")
    features = math.prod(shape[1:])
    outputs = 3
    if "W" in required:
        w_shape = (outputs, shape[1], 3, 3) if convolution and len(shape) == 4 else (features, outputs)
    values: dict[str, Any] = {}
    for name in required:
        if name == "W":
            values[name] = 0.5 * rng.standard_normal(w_shape)
        elif name == "b":
            values[name] = 0.1 * rng.standard_normal(outputs)
        elif name == "gamma":
            values[name] = 1.0 + 0.1 * rng.standard_normal(features)
        elif name == "beta":
            values[name] = 0.1 * rng.standard_normal(features)
        elif name in ("pool_h", "pool_w"):
            values[name] = 2
        elif name in _INPUT_SIZES:
            values[name] = shape[1] if len(shape) == 4 or name == "num_features" else features
        elif name in _OUTPUT_SIZES:
            values[name] = outputs
        else:
            raise LayerCheckError(
                f"cannot guess the argument {name!r} of {cls.__name__}(...): give it a default value, or check "
                f"the layer from Python: check_learner_layer({cls.__name__}(...), x)"
            )
    return _construct(cls, values), shape


def _construct(cls: type, values: dict[str, Any]) -> Any:
    try:
        return cls(**values)
    except Exception as error:
        arguments = ", ".join(f"{k}={v.shape if isinstance(v, np.ndarray) else v}" for k, v in values.items())
        raise LayerCheckError(f"{cls.__name__}({arguments}) raised {type(error).__name__}: {error}") from error
