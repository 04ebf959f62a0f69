"""Numerical differentiation, gradient descent and gradient checks.

Numerical differentiation and gradient descent are the textbook's chapter 4;
they are the reference every analytic backward pass is checked against:
:func:`check_layer` and :func:`check_loss` check one layer or loss (yours
too), :func:`gradient_check` a whole model. All of them run in float64.
"""

from __future__ import annotations

import contextlib
import inspect
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from numnet.functions import as_float_array

__all__ = [
    "numerical_diff",
    "numerical_gradient",
    "numerical_gradients",
    "gradient_descent",
    "relative_error",
    "gradient_check",
    "check_layer",
    "check_loss",
    "check_learner_layer",
    "LayerReport",
    "GradientCheck",
    "Mistake",
    "LayerCheckError",
    "MISTAKES",
    "TOLERANCE",
    "LEARNER_TOLERANCE",
]

#: Relative error below which an analytic gradient counts as right (float64, central differences).
TOLERANCE = 1e-6


def numerical_diff(f: Callable[[float], float], x: float, h: float = 1e-4) -> float:
    """Central difference (f(x + h) - f(x - h)) / 2h, an O(h^2) estimate of f'(x)."""
    return (f(x + h) - f(x - h)) / (2 * h)


def numerical_gradient(f: Callable[[NDArray], float], x: NDArray, h: float = 1e-4) -> NDArray:
    """Gradient of the scalar function ``f`` at ``x`` by central differences.

    Args:
        f: called with ``x`` itself (perturbed one element at a time), so that
            ``f`` may ignore its argument and read an array it closes over.
        x: a writeable float array of any shape and memory layout; it is
            restored exactly (bit for bit) after each perturbation, even if
            ``f`` raises.
        h: the step.

    Returns:
        An array of ``x``'s shape and dtype.
    """
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise TypeError(f"x must be a float NumPy array, got {type(x).__name__} {getattr(x, 'dtype', '')}".rstrip())
    if not x.flags.writeable:
        raise ValueError("x must be writeable so that it can be perturbed in place, got a read-only array")
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        try:
            x[index] = original + h
            f_plus = f(x)
            x[index] = original - h
            f_minus = f(x)
        finally:
            x[index] = original
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad


def numerical_gradients(
    objective: Callable[[], float], arrays: Mapping[str, NDArray], h: float = 1e-4
) -> dict[str, NDArray]:
    """Numerical gradients of ``objective()`` with respect to each named array, perturbed in place.

    The one loop behind :meth:`numnet.models.Sequential.numerical_gradient`,
    :func:`gradient_check`, :func:`check_layer` and :func:`check_loss`:
    ``objective`` reads the arrays it closes over (a model's parameters, a
    layer's input).
    """
    return {name: numerical_gradient(lambda _: objective(), array, h) for name, array in arrays.items()}


def gradient_descent(
    f: Callable[[NDArray], float], init_x: ArrayLike, lr: float = 0.01, step_num: int = 100
) -> tuple[NDArray, NDArray]:
    """Minimize ``f`` by ``step_num`` steps x <- x - lr * grad f(x), numerically differentiated.

    Returns:
        ``(x, path)``: the final point, shape of ``init_x``, and the points
        visited before each step, shape (step_num, *init_x.shape).
    """
    if isinstance(step_num, bool) or not isinstance(step_num, (int, np.integer)) or step_num < 0:
        raise ValueError(f"step_num must be a non-negative integer, got {step_num!r}")
    x = as_float_array(init_x, "init_x").copy()
    path = np.empty((step_num, *x.shape), dtype=x.dtype)
    for step in range(step_num):
        path[step] = x
        x -= lr * numerical_gradient(f, x)
    return x, path


def relative_error(analytic: NDArray, numeric: NDArray) -> float:
    """max |a - n| / max(|a| + |n|, 1e-8): a scale-free distance between two gradients."""
    return _worst_element(analytic, numeric)[0]


def _worst_element(analytic: NDArray, numeric: NDArray) -> tuple[float, tuple[int, ...] | None]:
    """:func:`relative_error` and the index of the element where it is reached (None for empty arrays)."""
    if analytic.shape != numeric.shape:
        raise ValueError(f"analytic and numeric must have the same shape, got {analytic.shape} and {numeric.shape}")
    if analytic.size == 0:
        return 0.0, None
    scale = np.maximum(np.abs(analytic) + np.abs(numeric), 1e-8)
    errors = np.abs(analytic - numeric) / scale
    index = np.unravel_index(int(np.argmax(errors)), errors.shape)
    return float(errors[index]), tuple(int(i) for i in index)


def gradient_check(model: Any, x: ArrayLike, t: ArrayLike, h: float = 1e-5) -> dict[str, float]:
    """Compare backpropagation with numerical gradients, in float64, for every parameter of a model.

    Args:
        model: a numnet model (``forward``/``backward``/``params``/``grads``/
            ``param_names``/``astype``); it is copied to float64, never changed.
            Layers that draw random numbers (dropout) must be deterministic.
        x, t: a small batch, e.g. 3 samples.
        h: the central-difference step.

    Returns:
        ``{parameter name: maximum relative error}``; below 1e-6 means the
        backward pass is right.
    """
    model64 = model.astype(np.float64)
    x64, t = model64.prepare_input(x), np.asarray(t)
    model64.forward(x64, t, train=True)
    model64.backward()
    analytic = dict(zip(model64.param_names, [grad.copy() for grad in model64.grads]))
    numeric = numerical_gradients(
        lambda: model64.forward(x64, t, train=True), dict(zip(model64.param_names, model64.params)), h
    )
    return {name: relative_error(analytic[name], numeric[name]) for name in analytic}


# ------------------------------------------------------------ checking one layer


#: Relative error below which a learner's gradient counts as right: looser than :data:`TOLERANCE`, because
#: textbook code adds small constants (1e-7 inside the log of its cross-entropy) that move the numerical
#: gradient by a few 1e-6 on correct code.
LEARNER_TOLERANCE = 1e-5

#: The mistakes a report names, by kind.
MISTAKES = {
    "dout-in-place": "backward changes dout in place",
    "batch-size": "missing division by the batch size",
    "transposed": "transposed weight gradient",
    "no-cache": "forward keeps no cache",
    "scaled": "gradient off by a constant factor",
    "wrong-shape": "gradient of the wrong shape",
    "missing-gradient": "gradient never written",
    "backward-failed": "backward raised an error",
}


class LayerCheckError(ValueError):
    """The layer could not be checked at all: its forward failed on the input, or it is not a layer."""


@dataclass
class GradientCheck:
    """One gradient against its numerical estimate.

    Attributes:
        name: ``"x"`` (the input) or a parameter's name (``"W"``, ``"params[0]"``).
        error: the maximum relative error (:func:`relative_error`); inf when
            the gradient is missing or has the wrong shape.
        index: where that error is reached (None when it is not an element).
        analytic, numeric: the two values there.
    """

    name: str
    error: float
    index: tuple[int, ...] | None = None
    analytic: float | None = None
    numeric: float | None = None

    def describe(self) -> str:
        if not math.isfinite(self.error):
            return f"d{self.name}: missing, or not of {self.name}'s shape"
        where = "" if self.index is None else f" at index {self.index}"
        values = "" if self.analytic is None else f" (backward {self.analytic:.6g}, numerical {self.numeric:.6g})"
        return f"d{self.name}: relative error {self.error:.2e}{where}{values}"


@dataclass
class Mistake:
    """A mistake the check recognised: ``kind`` (a key of :data:`MISTAKES`), the gradient, and what to do."""

    kind: str
    gradient: str
    detail: str

    def describe(self) -> str:
        return f"{MISTAKES[self.kind]} (d{self.gradient}): {self.detail}"


@dataclass
class LayerReport:
    """What :func:`check_learner_layer` found.

    Attributes:
        layer: the class name.
        convention: how the layer was read (``"numnet layer"``, ``"params/grads
            lists"``, ``"W/dW attributes"``, ``"loss"``, ...).
        input_shape: the shape of the input it was checked on.
        tolerance: the relative error below which a gradient counts as right.
        gradients: one :class:`GradientCheck` per gradient, input first.
        mistakes: the mistakes recognised, at most one per gradient plus
            ``dout-in-place``.
        counterpart: the numnet layer compared against, or None.
        comparisons: name (``"output"``, ``"x"``, ``"W"``, ...) -> the
            relative error between the learner's and numnet's values.
        notes: remarks that are no error (conventions that differ from numnet's).
    """

    layer: str
    convention: str
    input_shape: tuple[int, ...]
    tolerance: float
    gradients: dict[str, GradientCheck] = field(default_factory=dict)
    mistakes: list[Mistake] = field(default_factory=list)
    counterpart: str | None = None
    comparisons: dict[str, GradientCheck] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: The checked pass: the forward ``output``, the ``dout`` given to backward and the gradients by name.
    arrays: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def errors(self) -> dict[str, float]:
        """``{gradient name: maximum relative error}``, what :func:`check_layer` returns."""
        return {name: check.error for name, check in self.gradients.items()}

    @property
    def wrong(self) -> list[GradientCheck]:
        """The gradients whose error is not below the tolerance."""
        return [check for check in self.gradients.values() if not check.error < self.tolerance]

    @property
    def ok(self) -> bool:
        """Every gradient right, no mistake seen, and the same numbers as numnet's counterpart."""
        differ = [c for c in self.comparisons.values() if not c.error < self.tolerance]
        return not self.wrong and not self.mistakes and not differ

    def mistake_kinds(self) -> list[str]:
        return [mistake.kind for mistake in self.mistakes]

    def __str__(self) -> str:
        lines = [f"{self.layer} ({self.convention}), input {self.input_shape}:"]
        for check in self.gradients.values():
            verdict = "ok" if check.error < self.tolerance else "WRONG"
            lines.append(f"  {verdict:5} {check.describe()}")
        for mistake in self.mistakes:
            lines.append(f"  mistake: {mistake.describe()}")
        if self.counterpart is not None:
            lines.append(f"  against {self.counterpart}:")
            for name, comparison in self.comparisons.items():
                verdict = "same" if comparison.error < self.tolerance else "DIFFERENT"
                label = "forward output" if name == "output" else f"d{name}"
                where = "" if comparison.index is None else f" at index {comparison.index}"
                lines.append(f"    {verdict:9} {label}: relative error {comparison.error:.2e}{where}")
        lines.extend(f"  note: {note}" for note in self.notes)
        if self.ok:
            lines.append("  all gradients right")
        else:
            mistakes = f", {len(self.mistakes)} mistake(s)" if self.mistakes else ""
            lines.append(f"  {len(self.wrong)} wrong gradient(s){mistakes}")
        return "\n".join(lines)


def _is_float_array(value: Any) -> bool:
    return isinstance(value, np.ndarray) and value.dtype.kind == "f"


def _takes_targets(layer: Any) -> bool:
    """A loss layer: ``forward`` needs two arguments, ``forward(x, t)``."""
    try:
        parameters = inspect.signature(layer.forward).parameters.values()
    except (TypeError, ValueError):
        return False
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return sum(1 for p in parameters if p.default is p.empty and p.kind in positional) >= 2


class _LayerUnderTest:
    """One interface over the conventions a layer may follow.

    * numnet's contract and the second volume's: aligned ``params`` and
      ``grads`` lists (named by ``param_names``, or by the attribute holding
      the array, or ``params[i]``);
    * the first volume's: parameter attributes ``W``, ``b``, ``gamma`` ... and
      their gradients ``dW``, ``db``, ``dgamma`` ..., found after ``backward``;
    * a loss: ``forward(x, t)`` returning a number and ``backward(dout=1)``.
    """

    def __init__(self, layer: Any, t: Any = None, loss_args: tuple[Any, ...] = ()) -> None:
        for method in ("forward", "backward"):
            if not callable(getattr(layer, method, None)):
                raise LayerCheckError(
                    f"{type(layer).__name__} has no {method} method: a layer needs forward(x) and backward(dout)"
                )
        self.layer = layer
        self.is_loss = _takes_targets(layer)
        self.t, self.loss_args = t, loss_args
        self.ids = getattr(layer, "input_kind", "float") == "ids"
        self.uses_lists = isinstance(getattr(layer, "params", None), list) and bool(layer.params)
        if self.is_loss:
            self.convention = "loss: forward(x, t), backward(dout=1)"
        elif self.uses_lists:
            self.convention = "numnet layer" if hasattr(layer, "param_names") else "params/grads lists"
        else:
            self.convention = "forward(x)/backward(dout)"

    def forward(self, x: NDArray) -> Any:
        if self.is_loss:
            return float(self.layer.forward(x, self.t, *self.loss_args))
        return self.layer.forward(x)

    def backward(self, dout: NDArray | None) -> Any:
        return self.layer.backward() if self.is_loss else self.layer.backward(dout)

    def parameters(self, x: NDArray) -> dict[str, NDArray]:
        """The parameter arrays by name (perturbed in place by the numerical check)."""
        layer = self.layer
        if self.uses_lists:
            names = list(getattr(layer, "param_names", ()) or [])
            if len(names) != len(layer.params):
                attributes = {id(v): k for k, v in vars(layer).items() if isinstance(v, np.ndarray)}
                names = [attributes.get(id(p), f"params[{i}]") for i, p in enumerate(layer.params)]
            return dict(zip(names, layer.params))
        found = {}
        for name, value in vars(layer).items():
            if _is_float_array(value) and hasattr(layer, "d" + name) and not np.shares_memory(value, x):
                found[name] = value
        if found and self.convention == "forward(x)/backward(dout)":
            self.convention = "/".join(found) + " with " + "/".join("d" + name for name in found)
        return found

    def gradients(self, names: list[str]) -> dict[str, Any]:
        """The parameter gradients the last ``backward`` wrote, copied (None where one is missing)."""
        if self.uses_lists:
            grads = list(self.layer.grads)
            return {name: np.array(grads[i], copy=True) if i < len(grads) else None for i, name in enumerate(names)}
        values = {name: getattr(self.layer, "d" + name, None) for name in names}
        return {name: None if v is None else np.array(v, dtype=float, copy=True) for name, v in values.items()}


@contextlib.contextmanager
def _repeatable_randomness(layer: Any, seed: int) -> Iterator[Callable[[], None]]:
    """Yield a function that makes the next ``forward`` draw the same random numbers as the first.

    A dropout layer draws a mask at every forward pass: from NumPy's global
    generator (``np.random.rand``, the textbook's) or from its own ``rng``
    attribute (numnet's). Both are rewound before each pass, so that the
    numerical derivative sees one fixed mask; afterwards they are put back as
    they were, so the check changes no random stream.
    """
    global_state = np.random.get_state()  # noqa: NPY002 - textbook layers draw from the global generator
    had_rng = hasattr(layer, "rng")
    rng = getattr(layer, "rng", None)
    if had_rng and rng is None:
        layer.rng = np.random.default_rng(seed)
    own = layer.rng.bit_generator.state if had_rng and isinstance(layer.rng, np.random.Generator) else None

    def rewind() -> None:
        np.random.set_state(global_state)  # noqa: NPY002
        if own is not None:
            layer.rng.bit_generator.state = own

    try:
        yield rewind
    finally:
        np.random.set_state(global_state)  # noqa: NPY002
        if had_rng:
            if rng is None:
                layer.rng = None
            elif own is not None:
                layer.rng.bit_generator.state = own


def _random_input(shape: tuple[int, ...], rng: np.random.Generator, scale: float = 1.0) -> NDArray:
    """Values with |x| in (0.1, 3.1) * scale, all different: away from ReLU's kink and from ties in a max pool."""
    size = math.prod(shape)
    magnitude = 0.1 + 3.0 * (rng.permutation(size) + 0.5) / max(size, 1)
    signs = rng.choice(np.array([-1.0, 1.0]), size)
    return (scale * signs * magnitude).reshape(shape)


def _transposed(analytic: NDArray, numeric: NDArray, tolerance: float) -> bool:
    """``analytic`` is ``numeric`` transposed: (in, out) written as (out, in), or a filter gradient
    (FN, C, FH, FW) reshaped from (C*FH*FW, FN) without its transpose."""
    if analytic.ndim < 2 or analytic.size != numeric.size or numeric.ndim < 2:
        return False
    if analytic.shape == numeric.shape:
        candidate = numeric.reshape(numeric.shape[0], -1).T.reshape(numeric.shape)
        return not np.array_equal(candidate, numeric) and relative_error(analytic, candidate) < tolerance
    candidate = analytic.reshape(-1, numeric.shape[0]).T.reshape(numeric.shape)
    return relative_error(candidate, numeric) < tolerance


def _transposed_mistake(name: str, analytic: NDArray, numeric: NDArray) -> Mistake:
    shapes = "" if analytic.shape == numeric.shape else f" (shape {analytic.shape}, {name} has {numeric.shape})"
    if numeric.ndim == 4:
        fix = "transpose the (C*FH*FW, FN) product to (FN, C*FH*FW) before reshaping it to (FN, C, FH, FW)"
    else:
        fix = "for out = x @ W the weight gradient is x.T @ dout"
    return Mistake("transposed", name, f"d{name} is the transpose of the right gradient{shapes}: {fix}")


def _shape_mistake(name: str, analytic: NDArray, numeric: NDArray, tolerance: float) -> Mistake:
    """The mistake behind a gradient whose shape is not its array's."""
    if _transposed(analytic, numeric, tolerance):
        return _transposed_mistake(name, analytic, numeric)
    return Mistake("wrong-shape", name, f"d{name} has shape {analytic.shape}, but {name} has {numeric.shape}")


def _diagnose(name: str, analytic: NDArray, numeric: NDArray, batch_size: int, tolerance: float) -> Mistake | None:
    """Name the mistake that turns the right gradient ``numeric`` into ``analytic`` (one shape), if it is usual."""
    if _transposed(analytic, numeric, tolerance):
        return _transposed_mistake(name, analytic, numeric)
    norm = float(np.sum(numeric * numeric))
    if norm == 0.0:
        return None
    factor = float(np.sum(analytic * numeric)) / norm
    if abs(factor - 1.0) < 1e-3 or not relative_error(analytic, factor * numeric) < tolerance:
        return None
    gradient = "d" + name
    if batch_size > 1 and abs(factor - batch_size) < 1e-3 * batch_size:
        detail = f"{gradient} is {batch_size} times too large: divide by the batch size N = {batch_size}"
        return Mistake("batch-size", name, detail)
    if batch_size > 1 and abs(factor * batch_size - 1.0) < 1e-3:
        detail = f"{gradient} is {batch_size} times too small: it divides by the batch size N once too often"
        return Mistake("batch-size", name, detail)
    return Mistake("scaled", name, f"{gradient} is {factor:.4g} times the right gradient")


def _failed_backward(error: Exception) -> Mistake:
    message = f"{type(error).__name__}: {error}"
    if isinstance(error, AttributeError) or (isinstance(error, TypeError) and "NoneType" in str(error)):
        return Mistake(
            "no-cache", "x", f"backward failed with {message}; forward must keep what backward needs (self.x = x)"
        )
    return Mistake("backward-failed", "x", f"backward failed with {message}")


def _run_check(
    layer: Any,
    x: NDArray,
    seed: int,
    h: float,
    tolerance: float,
    t: Any = None,
    loss_args: tuple[Any, ...] = (),
    learner: bool = False,
) -> LayerReport:
    """The loop behind :func:`check_layer`, :func:`check_loss` and :func:`check_learner_layer`.

    ``learner=True`` reports what goes wrong (a failing backward, a gradient
    of the wrong shape, dout changed in place) instead of raising, and
    raises :class:`LayerCheckError` when ``forward`` fails on ``x``.
    """
    under_test = _LayerUnderTest(layer, t, loss_args)
    report = LayerReport(type(layer).__name__, under_test.convention, tuple(x.shape), tolerance)
    rng = np.random.default_rng(seed)
    warm = np.flip(x, axis=0).copy() if under_test.ids else _random_input(x.shape, np.random.default_rng([seed, 1]))
    with _repeatable_randomness(layer, seed) as rewind:

        def forward(inputs: NDArray) -> Any:
            rewind()
            try:
                return under_test.forward(inputs)
            except Exception as error:
                if not learner:
                    raise
                raise LayerCheckError(
                    f"{report.layer}.forward failed on an input of shape {inputs.shape}: "
                    f"{type(error).__name__}: {error}"
                ) from error

        # A first pass on other values: a backward that uses them instead of the last input's keeps a stale cache.
        weights = None if under_test.is_loss else rng.standard_normal(np.shape(forward(warm)))
        if under_test.is_loss:
            forward(warm)

        def objective() -> float:
            out = forward(x)
            return float(out) if weights is None else float(np.sum(out * weights))

        report.arrays["output"] = np.array(forward(x), dtype=float)
        report.arrays["dout"] = weights
        dout = None if weights is None else weights.copy()
        try:
            dx = under_test.backward(dout)
        except Exception as error:
            if not learner:
                raise
            report.mistakes.append(_failed_backward(error))
            report.gradients["x"] = GradientCheck("x", math.inf)
            return report
        if dout is not None and weights is not None and not np.array_equal(dout, weights):
            mistake = Mistake(
                "dout-in-place",
                "x",
                "backward wrote into its argument dout; the layer below would get a wrong gradient "
                "(compute dx = dout * mask instead of dout[mask] = 0)",
            )
            if not learner:
                raise AssertionError(f"{layer!r}: {mistake.describe()}")
            report.mistakes.append(mistake)
        parameters = under_test.parameters(x)
        report.convention = under_test.convention
        if learner:
            for name, array in parameters.items():
                if array.dtype != np.float64:
                    raise LayerCheckError(
                        f"{report.layer}.{name} is {array.dtype}: the check needs float64 parameters "
                        "(numerical derivatives in float32 are too coarse); build the layer from float64 arrays"
                    )
        analytic = under_test.gradients(list(parameters))
        if not under_test.ids:
            analytic = {"x": None if dx is None else np.asarray(dx, dtype=float), **analytic}
            parameters = {"x": x, **parameters}
        report.arrays.update(analytic)
        numeric = numerical_gradients(objective, parameters, h)
        for name, gradient in analytic.items():
            if gradient is None or gradient.shape != numeric[name].shape:
                if not learner:
                    raise ValueError(f"{layer!r}: the gradient of {name} is missing or has the wrong shape")
                report.gradients[name] = GradientCheck(name, math.inf)
                report.mistakes.append(
                    Mistake("missing-gradient", name, f"backward never wrote d{name}")
                    if gradient is None
                    else _shape_mistake(name, gradient, numeric[name], tolerance)
                )
                continue
            relative, index = _worst_element(gradient, numeric[name])
            at = (float(gradient[index]), float(numeric[name][index])) if index is not None else (None, None)
            report.gradients[name] = GradientCheck(name, relative, index, *at)
            if learner and not relative < tolerance:
                found = _diagnose(name, gradient, numeric[name], len(x) if x.ndim else 1, tolerance) or _stale(
                    name, gradient, warm, objective, parameters, forward, weights, h, tolerance
                )
                if found is not None:
                    report.mistakes.append(found)
    return report


def _stale(
    name: str,
    gradient: NDArray,
    warm: NDArray,
    objective: Callable[[], float],
    parameters: dict[str, NDArray],
    forward: Callable[[NDArray], Any],
    weights: NDArray | None,
    h: float,
    tolerance: float,
) -> Mistake | None:
    """A "no-cache" mistake if ``gradient`` is the right one for the earlier input ``warm`` instead of the last."""

    def objective_at_warm() -> float:
        out = forward(warm)
        return float(out) if weights is None else float(np.sum(out * weights))

    arrays = {key: (warm if key == "x" else array) for key, array in parameters.items() if key == name}
    earlier = numerical_gradients(objective_at_warm, arrays, h)[name]
    objective()  # leave the layer as the last pass on x left it
    if relative_error(gradient, earlier) < tolerance:
        return Mistake(
            "no-cache",
            name,
            f"d{name} is the gradient for the input of an earlier forward call: forward must store "
            "this call's input (self.x = x), and backward use it",
        )
    return None


def check_layer(layer: Any, x: ArrayLike, seed: int = 0, h: float = 1e-5) -> dict[str, float]:
    """Check a layer's backward pass against numerical gradients, in float64.

    The layer is differentiated through the scalar ``L = sum(forward(x) * R)``
    for a fixed random ``R`` (drawn from ``seed``): ``backward(R)`` must equal
    dL/dx, and each of ``grads`` dL/dp. Use it on a layer you wrote (see also
    :func:`check_learner_layer`, which explains what it finds):

    >>> check_layer(Dense(4, 3, dtype="float64"), np.random.rand(2, 4))  # doctest: +SKIP
    {'x': 2.1e-10, 'W': 3.4e-11, 'b': 1.2e-11}

    Args:
        layer: follows the layer contract (``forward(x, train)``,
            ``backward(dout)``, aligned ``params``/``grads``) or the textbook's
            (``forward(x)``, ``backward(dout)``, ``W``/``dW`` attributes) with
            float64 parameters. A layer that draws random numbers (dropout)
            draws the same ones at every pass of the check.
        x: an input batch; float inputs are checked in float64, integer ids
            (a layer whose ``input_kind`` is ``"ids"``) have no gradient.

    Returns:
        ``{"x": error of the input gradient, <parameter name>: error, ...}``,
        maximum relative errors; all below :data:`TOLERANCE` means right.

    Raises:
        AssertionError: ``backward`` changed its ``dout`` in place (the next
            layer down would see a wrong gradient).
    """
    ids = getattr(layer, "input_kind", "float") == "ids"
    x = np.array(x) if ids else np.array(x, dtype=np.float64)
    return _run_check(layer, x, seed, h, TOLERANCE).errors


def check_loss(loss: Any, x: ArrayLike, t: ArrayLike, sample_weight: ArrayLike | None = None, h: float = 1e-5) -> float:
    """Maximum relative error of a loss's ``backward()`` against the numerical d loss / d scores, in float64.

    Args:
        loss: ``forward(scores, t[, sample_weight])`` returning a float and
            ``backward()`` returning d loss / d scores.
        x: the scores; t: the targets; sample_weight: per-sample weights or None.
    """
    extra = () if sample_weight is None else (sample_weight,)
    return _run_check(loss, np.array(x, dtype=np.float64), 0, h, TOLERANCE, t=t, loss_args=extra).errors["x"]


def check_learner_layer(
    layer: Any,
    x: ArrayLike | None = None,
    t: ArrayLike | None = None,
    *,
    input_shape: Sequence[int] | None = None,
    seed: int = 0,
    tolerance: float = LEARNER_TOLERANCE,
    h: float = 1e-5,
    compare: bool = True,
) -> LayerReport:
    """Check a layer you wrote, explain what is wrong, and compare it with numnet's layer of the same kind.

    The layer may follow numnet's contract or the textbooks': ``forward(x)``
    and ``backward(dout)`` with parameter attributes ``W``, ``b`` (``gamma``,
    ``beta`` ...) and gradients ``dW``, ``db``; ``params``/``grads`` lists; or
    a loss layer ``forward(x, t)``, ``backward(dout=1)``. Every gradient is
    compared with a numerical one (central differences, in float64) on
    random input, and the report says which is wrong, by how much, and where
    (the index of the worst element). It names the usual mistakes: a
    backward that changes ``dout`` in place, a missing division by the batch
    size, a transposed weight gradient, a forward that keeps no cache (so that
    backward fails, or uses the values of an earlier call).

    When numnet has a layer of the same kind, recognised by the class name
    (the book's ``Affine``, ``Relu``, ``Sigmoid``, ``SoftmaxWithLoss``,
    ``Convolution``, ``Pooling``, ``BatchNormalization``, ``Dropout``, or
    numnet's own names), the forward output and the gradients are compared with
    it too, built from the same parameters (:mod:`numnet.learner`).

    Args:
        layer: the layer, with float64 parameters.
        x: the input; by default random values of ``input_shape`` (by default
            a shape that fits the layer's parameters), away from 0 and all
            different, so that ReLU's kink and ties in a max pool stay out of
            the numerical derivative.
        t: a loss layer's targets; by default random class labels for the last axis.
        input_shape: the shape of the random input.
        seed: seeds the random input, targets and output weights.
        tolerance: the relative error below which a gradient counts as right.
        compare: compare with numnet's counterpart when there is one.

    Raises:
        LayerCheckError: the layer has no forward or backward method, its
            forward fails on the input (it does not fit), or its parameters
            are not float64.
    """
    from numnet.learner import compare_with_numnet, suggest_input_shape  # noqa: PLC0415 - learner sits above gradient

    rng = np.random.default_rng([seed, 2])
    is_loss = _takes_targets(layer)
    if x is None:
        shape = tuple(input_shape) if input_shape is not None else suggest_input_shape(layer)
        x = _random_input(shape, rng, scale=0.3 if is_loss else 1.0)
    else:
        x = np.array(x, dtype=np.float64)
    if is_loss and t is None:
        if x.ndim < 2:
            raise LayerCheckError(f"a loss layer needs scores of shape (N, K), got shape {x.shape}")
        t = rng.integers(0, x.shape[-1], size=x.shape[:-1])
    report = _run_check(layer, x, seed, h, tolerance, t=t, learner=True)
    if compare and "x" in report.gradients and math.isfinite(report.gradients["x"].error):
        compare_with_numnet(layer, x, t, report, seed)
    return report
