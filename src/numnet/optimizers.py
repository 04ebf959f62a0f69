"""Gradient-based optimizers that update parameters in place.

Every optimizer is used the same way::

    optimizer = Adam(lr=1e-3)
    for x, t in batches:
        model.forward(x, t, train=True)   # training mode: dropout masks, batch statistics
        model.backward()
        optimizer.update(model.params, model.grads)

which is what :meth:`numnet.training.Trainer.train_step` does.

``params`` and ``grads`` are aligned lists of arrays (see
:mod:`numnet.layers.base`). ``update`` writes into the parameter arrays
themselves, never into the gradient arrays, so layers may keep references to
both. An optimizer's state (velocities, accumulators, moments) is created on
the first ``update`` with the shapes and dtypes of the parameters; float32
parameters stay float32.

Two options are shared by all optimizers and applied, in this order, to the
gradients g_1 ... g_n before the optimizer's own update rule:

1. ``clip_norm`` — if the global norm ||g|| = sqrt(sum_i sum(g_i**2)) of all
   gradients together exceeds ``clip_norm``, every g_i is multiplied by
   clip_norm / ||g||. Clipping sees the loss gradients only, as with
   ``torch.nn.utils.clip_grad_norm_`` called before ``optimizer.step()``. A
   non-finite norm (an inf or NaN gradient) is left unscaled, so that the
   problem shows up in the parameters instead of being hidden.
2. ``weight_decay`` (λ) — L2 regularization: λ·p is added to the gradient of
   every *weight*, a parameter with ``ndim >= 2`` (dense and convolution
   kernels). Biases and other 1-D parameters (batch-norm scale and shift) are
   not decayed, as in the textbook where the penalty λ/2·Σ||W||² covers the
   weight matrices only.

The update rules follow "Deep Learning from Scratch", chapter 6, with η the
learning rate ``lr`` and g the gradient after clipping and weight decay.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "Optimizer",
    "SGD",
    "Momentum",
    "Nesterov",
    "AdaGrad",
    "RMSprop",
    "Adam",
    "OPTIMIZERS",
    "get_optimizer",
    "global_norm",
]

#: Keys of :meth:`Optimizer.state_dict` besides hyperparameters and state lists.
_NAME_KEY = "optimizer"
_STEP_KEY = "step_count"


# ---------------------------------------------------------------- validation


def _real(owner: str, name: str, value: object) -> float:
    """``value`` as a Python float: TypeError for a non-number, ValueError for NaN."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a real number, got {value!r}")
    value = float(value)
    if math.isnan(value):
        raise ValueError(f"{owner}: {name} must be a number, got nan")
    return value


def _positive(owner: str, name: str, value: object) -> float:
    number = _real(owner, name, value)
    if not (0.0 < number < math.inf):
        raise ValueError(f"{owner}: {name} must be a finite number > 0, got {value!r}")
    return number


def _non_negative(owner: str, name: str, value: object) -> float:
    number = _real(owner, name, value)
    if not (0.0 <= number < math.inf):
        raise ValueError(f"{owner}: {name} must be a finite number >= 0, got {value!r}")
    return number


def _unit_interval(owner: str, name: str, value: object) -> float:
    number = _real(owner, name, value)
    if not (0.0 <= number < 1.0):
        raise ValueError(f"{owner}: {name} must be in [0, 1), got {value!r}")
    return number


def global_norm(arrays: Sequence[NDArray]) -> float:
    """sqrt(sum of squares of all entries of all ``arrays``), as a Python float.

    Computed with fast dot products in the arrays' own dtype; if that
    overflows (float32 gradients above ~1e19) it is recomputed in float64
    after dividing by the largest magnitude. inf or NaN entries give inf / NaN.
    """
    total = 0.0
    for array in arrays:
        total += float(np.vdot(array, array))
    if math.isfinite(total):
        return math.sqrt(total)
    largest = max(float(np.max(np.abs(array), initial=0.0)) for array in arrays)
    if not math.isfinite(largest):
        return largest
    scaled_total = 0.0
    for array in arrays:
        scaled = np.divide(array, largest, dtype=np.float64)
        scaled_total += float(np.vdot(scaled, scaled))
    return largest * math.sqrt(scaled_total)


def _aligned(buffers: list[NDArray], params: Sequence[NDArray]) -> bool:
    """Whether ``buffers`` match ``params`` one to one in shape and dtype."""
    return len(buffers) == len(params) and all(
        b.shape == p.shape and b.dtype == p.dtype for b, p in zip(buffers, params)
    )


# ---------------------------------------------------------------- base class


class Optimizer:
    """Shared machinery: validation, clipping, weight decay, state (de)serialization.

    A subclass sets ``name`` (its key in :data:`OPTIMIZERS`), lists its extra
    constructor arguments in ``hyperparameter_names`` and its per-parameter
    state lists in ``state_names``, and implements :meth:`_step`, the update
    of one parameter.

    Attributes:
        lr, weight_decay, clip_norm: the hyperparameters (Python floats).
        step_count: number of completed ``update`` calls.
        <state name>: for each name in ``state_names`` (``v``, ``h``, ``m``), a
            list of arrays aligned with the parameters; empty until the first
            ``update``.
    """

    #: Registry key of the optimizer, stored in its state dict.
    name: ClassVar[str] = ""
    #: Constructor arguments besides lr, weight_decay and clip_norm.
    hyperparameter_names: ClassVar[tuple[str, ...]] = ()
    #: Per-parameter state lists, saved as "<name>.<index>".
    state_names: ClassVar[tuple[str, ...]] = ()

    def __init__(self, lr: float, *, weight_decay: float = 0.0, clip_norm: float | None = None) -> None:
        owner = type(self).__name__
        self.lr = _positive(owner, "lr", lr)
        self.weight_decay = _non_negative(owner, "weight_decay", weight_decay)
        self.clip_norm = None if clip_norm is None else _positive(owner, "clip_norm", clip_norm)
        self.step_count = 0
        for state_name in self.state_names:
            setattr(self, state_name, [])
        # Scratch space, one array per parameter: ``_work`` for the update
        # math, ``_grad_work`` for gradients changed by clipping / weight decay.
        self._work: list[NDArray] = []
        self._grad_work: list[NDArray] = []

    # ---------------------------------------------------------- the update

    def update(self, params: Sequence[NDArray], grads: Sequence[NDArray], *, checked: bool = False) -> None:
        """Take one optimization step, writing into the arrays of ``params``.

        Args:
            params: the parameter arrays (any shapes, floating dtype, writeable).
            grads: the gradients, aligned with ``params``, of the same shapes;
                they are read, never modified.
            checked: the caller vouches that the last update took these same
                arrays (unchanged in shape and dtype) and passed its checks:
                they and the state are not checked again. The training loop
                checks its first update of each ``fit``, not every one.

        Raises:
            ValueError / TypeError: before any parameter changes, if the lists
                are not aligned, an array is not a floating ndarray, or the
                parameters do not match the state of earlier updates.
        """
        if not checked or len(self._work) != len(params):
            self._check_arguments(params, grads)
            self._check_state(params)
            self._allocate(params)
        scale = self._clip_scale(grads)
        self.step_count += 1
        for i, (param, grad) in enumerate(zip(params, grads, strict=True)):
            self._step(i, param, self._effective_grad(i, param, grad, scale), self._work[i])

    def _step(self, i: int, param: NDArray, grad: NDArray, work: NDArray) -> None:
        """Update ``param`` (the i-th parameter) in place from ``grad``.

        ``work`` is scratch space of the parameter's shape and dtype;
        ``grad`` must not be written to.
        """
        raise NotImplementedError

    def _check_arguments(self, params: Sequence[NDArray], grads: Sequence[NDArray]) -> None:
        owner = type(self).__name__
        if len(params) != len(grads):
            raise ValueError(
                f"{owner}.update: params and grads must have the same length, "
                f"got {len(params)} params and {len(grads)} grads"
            )
        for i, (param, grad) in enumerate(zip(params, grads, strict=True)):
            for label, array in ((f"params[{i}]", param), (f"grads[{i}]", grad)):
                if not isinstance(array, np.ndarray) or array.dtype.kind != "f":
                    kind = getattr(array, "dtype", type(array).__name__)
                    raise TypeError(f"{owner}.update: {label} must be a floating-point numpy array, got {kind}")
            if grad.shape != param.shape:
                raise ValueError(
                    f"{owner}.update: grads[{i}] has shape {grad.shape} but params[{i}] has shape {param.shape}"
                )
            if not param.flags.writeable:
                raise ValueError(f"{owner}.update: params[{i}] is read-only")

    def _check_state(self, params: Sequence[NDArray]) -> None:
        """The existing state must have been created for parameters like these."""
        owner = type(self).__name__
        for state_name in self.state_names:
            state = getattr(self, state_name)
            if not state or _aligned(state, params):
                continue
            if len(state) != len(params):
                raise ValueError(
                    f"{owner}.update: got {len(params)} params but the optimizer state "
                    f"{state_name!r} holds {len(state)} arrays; use a new optimizer "
                    "for a different set of parameters"
                )
            for i, (array, param) in enumerate(zip(state, params, strict=True)):
                if array.shape != param.shape or array.dtype != param.dtype:
                    raise ValueError(
                        f"{owner}.update: params[{i}] has shape {param.shape} and dtype "
                        f"{param.dtype} but the optimizer state {state_name}[{i}] has shape "
                        f"{array.shape} and dtype {array.dtype}; use a new optimizer for "
                        "a different set of parameters"
                    )

    def _allocate(self, params: Sequence[NDArray]) -> None:
        """Create zero state and scratch buffers for ``params`` where missing."""
        for state_name in self.state_names:
            if not getattr(self, state_name):
                setattr(self, state_name, [np.zeros_like(p) for p in params])
        if not _aligned(self._work, params):
            self._work = [np.empty_like(p) for p in params]
        needs_grad_work = self.clip_norm is not None or self.weight_decay > 0.0
        if needs_grad_work and not _aligned(self._grad_work, params):
            self._grad_work = [np.empty_like(p) for p in params]

    def _clip_scale(self, grads: Sequence[NDArray]) -> float:
        """The factor that brings the global gradient norm down to ``clip_norm`` (or 1)."""
        if self.clip_norm is None:
            return 1.0
        norm = global_norm(grads)
        if math.isfinite(norm) and norm > self.clip_norm:
            return self.clip_norm / norm
        return 1.0

    def _effective_grad(self, i: int, param: NDArray, grad: NDArray, scale: float) -> NDArray:
        """scale·grad (+ weight_decay·param for weights), in a scratch buffer if it differs."""
        decayed = self.weight_decay > 0.0 and param.ndim >= 2
        if scale == 1.0 and not decayed:
            return grad
        out = self._grad_work[i]
        if not decayed:
            return np.multiply(grad, scale, out=out)
        np.multiply(param, self.weight_decay, out=out)
        if scale == 1.0:
            out += grad
        else:
            work = self._work[i]
            np.multiply(grad, scale, out=work)
            out += work
        return out

    # ---------------------------------------------------- configuration / state

    def get_config(self) -> dict[str, Any]:
        """The JSON-able constructor arguments: ``type(self)(**get_config())`` is a fresh copy."""
        names = ("lr", *self.hyperparameter_names, "weight_decay", "clip_norm")
        return {name: getattr(self, name) for name in names}

    def state_dict(self) -> dict[str, NDArray]:
        """Everything needed to continue exactly, as a flat ``{str: ndarray}`` dict.

        Keys: ``"optimizer"`` (the registry name, a 0-d string array),
        ``"step_count"`` (0-d int64), each hyperparameter of
        :meth:`get_config` as a 0-d float64 array (``clip_norm`` only when
        set), and each state list as ``"<name>.<index>"`` (``"v.0"``, ...).
        The arrays are copies; the dict round-trips through ``np.savez`` and
        ``np.load(allow_pickle=False)``.
        """
        state: dict[str, NDArray] = {
            _NAME_KEY: np.array(self.name),
            _STEP_KEY: np.array(self.step_count, dtype=np.int64),
        }
        for key, value in self.get_config().items():
            if value is not None:
                state[key] = np.array(value, dtype=np.float64)
        for state_name in self.state_names:
            for i, array in enumerate(getattr(self, state_name)):
                state[f"{state_name}.{i}"] = array.copy()
        return state

    def load_state_dict(self, state: Mapping[str, ArrayLike]) -> None:
        """Restore hyperparameters, step count and state saved by :meth:`state_dict`.

        Everything is validated first (optimizer type, keys, scalar values,
        state shapes); on error a ``ValueError`` says what is wrong and this
        optimizer is unchanged. Whether the state fits the parameters is
        checked at the next :meth:`update`.
        """
        owner = type(self).__name__
        arrays = {str(key): np.asarray(value) for key, value in state.items()}
        saved_name = str(arrays[_NAME_KEY]) if _NAME_KEY in arrays else None
        if saved_name != self.name:
            raise ValueError(
                f"{owner}.load_state_dict: the state is for optimizer {saved_name!r}, expected {self.name!r}"
            )
        config: dict[str, Any] = {}
        for key in self.get_config():
            if key in arrays:
                config[key] = _saved_scalar(owner, arrays, key, "f")
            elif key != "clip_norm":
                raise ValueError(f"{owner}.load_state_dict: missing hyperparameter {key!r}")
        config.setdefault("clip_norm", None)
        if _STEP_KEY not in arrays:
            raise ValueError(f"{owner}.load_state_dict: missing {_STEP_KEY!r}")
        step_count = _saved_scalar(owner, arrays, _STEP_KEY, "iu")
        if step_count < 0:
            raise ValueError(f"{owner}.load_state_dict: {_STEP_KEY} must be >= 0, got {step_count}")
        restored = type(self)(**config)  # validates the hyperparameters

        lists = {name: _saved_list(owner, arrays, name) for name in self.state_names}
        known = {_NAME_KEY, _STEP_KEY, *config}
        known.update(f"{name}.{i}" for name, items in lists.items() for i in range(len(items)))
        unknown = sorted(set(arrays) - known)
        if unknown:
            raise ValueError(f"{owner}.load_state_dict: unexpected keys {unknown}")
        _check_lists_aligned(owner, lists)

        for key in config:
            setattr(self, key, getattr(restored, key))
        self.step_count = step_count
        for name, items in lists.items():
            setattr(self, name, items)

    def __repr__(self) -> str:
        args = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _saved_scalar(owner: str, arrays: dict[str, NDArray], key: str, kinds: str) -> Any:
    """The 0-d entry ``key`` as a Python float (kind "f") or int (kinds "iu")."""
    array = arrays[key]
    if array.ndim != 0 or array.dtype.kind not in kinds:
        expected = "a 0-d float array" if kinds == "f" else "a 0-d integer array"
        raise ValueError(
            f"{owner}.load_state_dict: {key!r} must be {expected}, got shape {array.shape} and dtype {array.dtype}"
        )
    return float(array) if kinds == "f" else int(array)


def _saved_list(owner: str, arrays: dict[str, NDArray], name: str) -> list[NDArray]:
    """The entries "<name>.0", "<name>.1", ... as a list of fresh floating arrays."""
    prefix = f"{name}."
    entries = {key[len(prefix) :]: array for key, array in arrays.items() if key.startswith(prefix)}
    expected = [str(i) for i in range(len(entries))]
    if set(entries) != set(expected):
        raise ValueError(
            f"{owner}.load_state_dict: state {name!r} must be numbered "
            f"{prefix}0 ... {prefix}{len(entries) - 1}, got keys "
            f"{sorted(prefix + index for index in entries)}"
        )
    for index in expected:
        if entries[index].dtype.kind != "f":
            raise ValueError(
                f"{owner}.load_state_dict: {prefix}{index} must be a floating-point "
                f"array, got dtype {entries[index].dtype}"
            )
    return [np.array(entries[index], copy=True) for index in expected]


def _check_lists_aligned(owner: str, lists: dict[str, list[NDArray]]) -> None:
    """All state lists must describe the same parameters (same count, shapes, dtypes)."""
    if not lists:
        return
    (first_name, first), *others = lists.items()
    for name, items in others:
        if not _aligned(items, first):
            raise ValueError(
                f"{owner}.load_state_dict: state {name!r} "
                f"{[(a.shape, str(a.dtype)) for a in items]} does not match state "
                f"{first_name!r} {[(a.shape, str(a.dtype)) for a in first]}"
            )


# ---------------------------------------------------------------- optimizers


class SGD(Optimizer):
    """Stochastic gradient descent: p ← p − η·g."""

    name = "sgd"

    def __init__(self, lr: float = 0.01, *, weight_decay: float = 0.0, clip_norm: float | None = None) -> None:
        super().__init__(lr, weight_decay=weight_decay, clip_norm=clip_norm)

    def _step(self, i: int, param: NDArray, grad: NDArray, work: NDArray) -> None:
        np.multiply(grad, self.lr, out=work)
        param -= work


class Momentum(Optimizer):
    """SGD with momentum (α = ``momentum``, velocity v starting at 0)::

    v ← α·v − η·g
    p ← p + v
    """

    v: list[NDArray]

    name = "momentum"
    hyperparameter_names = ("momentum",)
    state_names = ("v",)

    def __init__(
        self,
        lr: float = 0.01,
        momentum: float = 0.9,
        *,
        weight_decay: float = 0.0,
        clip_norm: float | None = None,
    ) -> None:
        super().__init__(lr, weight_decay=weight_decay, clip_norm=clip_norm)
        self.momentum = _unit_interval(type(self).__name__, "momentum", momentum)

    def _step(self, i: int, param: NDArray, grad: NDArray, work: NDArray) -> None:
        velocity = self.v[i]
        velocity *= self.momentum
        np.multiply(grad, self.lr, out=work)
        velocity -= work
        param += velocity


class Nesterov(Momentum):
    """Nesterov's accelerated gradient (Bengio et al. 2012, arXiv:1212.0901).

    Takes the arguments of :class:`Momentum`.

    The original method evaluates the gradient at the look-ahead point
    θ + α·v: v ← α·v − η·∇f(θ + α·v), θ ← θ + v. Storing the look-ahead point
    p = θ + α·v as the parameters instead (so that g = ∇f(p) is the ordinary
    gradient) gives, with v the velocity *before* this step::

        p ← p + α²·v − (1 + α)·η·g
        v ← α·v − η·g

    which is computed here in the equivalent form v ← α·v − η·g;
    p ← p + α·v − η·g (v now the *updated* velocity). This is also what
    ``torch.optim.SGD(nesterov=True)`` computes.

    Note: the textbook's ``Nesterov`` class applies α²·v *after* updating v,
    which amounts to p ← p + α³·v − (1 + α + α²)·η·g; numnet uses the exact
    form above.
    """

    name = "nesterov"

    def _step(self, i: int, param: NDArray, grad: NDArray, work: NDArray) -> None:
        velocity = self.v[i]
        velocity *= self.momentum
        np.multiply(grad, self.lr, out=work)
        velocity -= work
        param -= work
        np.multiply(velocity, self.momentum, out=work)
        param += work


def _adaptive_step(param: NDArray, grad: NDArray, h: NDArray, lr: float, eps: float, work: NDArray) -> None:
    """p ← p − η·g / (√h + eps), shared by AdaGrad and RMSprop."""
    np.sqrt(h, out=work)
    work += eps
    np.divide(grad, work, out=work)
    work *= lr
    param -= work


class AdaGrad(Optimizer):
    """AdaGrad: a per-coordinate learning rate that shrinks with the gradients seen::

        h ← h + g ⊙ g
        p ← p − η·g / (√h + eps)

    ``eps`` (default 1e-7, as in the textbook) keeps the division finite.
    """

    h: list[NDArray]

    name = "adagrad"
    hyperparameter_names = ("eps",)
    state_names = ("h",)

    def __init__(
        self,
        lr: float = 0.01,
        eps: float = 1e-7,
        *,
        weight_decay: float = 0.0,
        clip_norm: float | None = None,
    ) -> None:
        super().__init__(lr, weight_decay=weight_decay, clip_norm=clip_norm)
        self.eps = _positive(type(self).__name__, "eps", eps)

    def _step(self, i: int, param: NDArray, grad: NDArray, work: NDArray) -> None:
        np.multiply(grad, grad, out=work)
        self.h[i] += work
        _adaptive_step(param, grad, self.h[i], self.lr, self.eps, work)


class RMSprop(Optimizer):
    """RMSprop: AdaGrad with an exponentially decaying average (ρ = ``decay_rate``)::

        h ← ρ·h + (1 − ρ)·g ⊙ g
        p ← p − η·g / (√h + eps)

    ``eps`` (default 1e-7, as in the textbook) is added outside the square
    root, as in ``torch.optim.RMSprop`` (whose default eps is 1e-8).
    """

    h: list[NDArray]

    name = "rmsprop"
    hyperparameter_names = ("decay_rate", "eps")
    state_names = ("h",)

    def __init__(
        self,
        lr: float = 0.01,
        decay_rate: float = 0.99,
        eps: float = 1e-7,
        *,
        weight_decay: float = 0.0,
        clip_norm: float | None = None,
    ) -> None:
        super().__init__(lr, weight_decay=weight_decay, clip_norm=clip_norm)
        owner = type(self).__name__
        self.decay_rate = _unit_interval(owner, "decay_rate", decay_rate)
        self.eps = _positive(owner, "eps", eps)

    def _step(self, i: int, param: NDArray, grad: NDArray, work: NDArray) -> None:
        h = self.h[i]
        h *= self.decay_rate
        np.multiply(grad, grad, out=work)
        work *= 1.0 - self.decay_rate
        h += work
        _adaptive_step(param, grad, h, self.lr, self.eps, work)


class Adam(Optimizer):
    """Adam (Kingma & Ba, arXiv:1412.6980) with bias correction; t = ``step_count``::

        m ← β1·m + (1 − β1)·g
        v ← β2·v + (1 − β2)·g ⊙ g
        m̂ = m / (1 − β1^t),   v̂ = v / (1 − β2^t)
        p ← p − η·m̂ / (√v̂ + eps)

    The bias correction undoes the pull of the zero initial moments towards 0:
    on the first step m̂ = g and v̂ = g ⊙ g, so every coordinate moves by
    about η·sign(g). (The textbook folds the corrections into η and adds eps
    to √v instead of √v̂; this is the paper's and ``torch.optim.Adam``'s form.)
    """

    m: list[NDArray]
    v: list[NDArray]

    name = "adam"
    hyperparameter_names = ("beta1", "beta2", "eps")
    state_names = ("m", "v")

    def __init__(
        self,
        lr: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        *,
        weight_decay: float = 0.0,
        clip_norm: float | None = None,
    ) -> None:
        super().__init__(lr, weight_decay=weight_decay, clip_norm=clip_norm)
        owner = type(self).__name__
        self.beta1 = _unit_interval(owner, "beta1", beta1)
        self.beta2 = _unit_interval(owner, "beta2", beta2)
        self.eps = _positive(owner, "eps", eps)

    def _step(self, i: int, param: NDArray, grad: NDArray, work: NDArray) -> None:
        m, v = self.m[i], self.v[i]
        m *= self.beta1
        np.multiply(grad, 1.0 - self.beta1, out=work)
        m += work
        v *= self.beta2
        np.multiply(grad, grad, out=work)
        work *= 1.0 - self.beta2
        v += work
        # Python floats, so float32 arrays stay float32.
        correction1 = 1.0 - self.beta1**self.step_count
        correction2 = 1.0 - self.beta2**self.step_count
        np.sqrt(v, out=work)
        work /= math.sqrt(correction2)  # √v̂
        work += self.eps
        np.divide(m, work, out=work)
        work *= self.lr / correction1  # η·m̂ / (√v̂ + eps)
        param -= work


# ---------------------------------------------------------------- registry

#: Registry name -> optimizer class.
OPTIMIZERS: dict[str, type[Optimizer]] = {cls.name: cls for cls in (SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam)}


def get_optimizer(name: str, **kwargs: Any) -> Optimizer:
    """Build the optimizer registered as ``name`` (case-insensitive) with ``kwargs``.

    >>> get_optimizer("adam", lr=0.01)
    Adam(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-08, weight_decay=0.0, clip_norm=None)
    """
    if not isinstance(name, str):
        raise TypeError(f"get_optimizer: name must be a string, got {name!r}")
    key = name.lower()
    if key not in OPTIMIZERS:
        raise ValueError(f"get_optimizer: unknown optimizer {name!r}; valid names: {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[key](**kwargs)
