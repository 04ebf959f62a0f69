"""Recurrent layers: the RNN, LSTM and GRU cells and their sequence versions.

A *cell* computes one time step: ``RNN`` and ``GRU`` map ``(x, h_prev)`` to
``h``, ``LSTM`` maps ``(x, h_prev, c_prev)`` to ``(h, c)``, on batches
x (N, D) and h, c (N, H). Their ``backward`` takes the gradients of the
outputs and returns those of the inputs, ``(dx, dh_prev[, dc_prev])``.

A *time layer* (``TimeRNN``, ``TimeLSTM``, ``TimeGRU``, ``TimeBiLSTM``) runs
its cell over a sequence: x (N, T, D) -> hs (N, T, H), the hidden state of
every step, on the ordinary layer contract (``forward(x, train)``,
``backward(dout)``), so it sits in a :class:`numnet.models.Sequential`.

State. A time layer starts from the state it holds, zeros while it holds
none: :meth:`set_state` gives it one (a decoder starting from its encoder's
last state), :meth:`reset_state` forgets it. A ``stateful`` layer keeps its
last state as the start of the next ``forward``: truncated backpropagation
through time, where a long sequence is cut into chunks fed in order. The
carried state is a constant for the next chunk (its gradient stops there);
after ``backward``, ``dh`` (and ``dc``) hold the gradient with respect to
the state the forward pass started from.

Weights and their layout. ``Wx`` (D, G·H) and ``Wh`` (H, G·H) hold the G
gates side by side, in PyTorch's order, so that weights move between the two
by a transpose (``Wx = weight_ih.T``):

- ``RNN``: h = tanh(x Wx + h_prev Wh + b).
- ``LSTM``: gates i, f, g, o; i, f, o = sigmoid, g = tanh;
  c = f * c_prev + i * g, h = o * tanh(c). One bias ``b`` (PyTorch's two
  add up: ``b = b_ih + b_hh``). The book orders the gates f, g, i, o.
- ``GRU`` (as PyTorch and cuDNN): gates r, z, n;
  r = sigmoid(x Wx_r + bx_r + h_prev Wh_r + bh_r), z likewise,
  n = tanh(x Wx_n + bx_n + r * (h_prev Wh_n + bh_n)), h = (1 - z) * n + z * h_prev.
  The reset gate multiplies the hidden projection *after* the product, so
  the hidden side has a bias of its own: two biases ``bx`` and ``bh``. The
  book's GRU (Cho et al.) resets before the product, tanh(x Wx + (r * h) Wh),
  and writes h = (1 - z) * h_prev + z * h_hat.

Speed. A time layer projects the inputs of all T steps in one matrix product
before its loop, and after the backward loop computes the gradients of
``Wx``, ``Wh``, ``b`` and of x each in one product over all N·T positions;
only ``h_prev @ Wh`` and its gradient remain in the loop over time, which
works on time-major buffers (T, N, ...).

``TimeEmbedding`` and ``TimeDropout``, the book's names, are
:class:`~numnet.layers.Embedding` and :class:`~numnet.layers.Dropout`
themselves: both already take (N, T, ...) inputs.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from numnet._checks import check_positive_int
from numnet.initializers import Initializer, describe_init, get_initializer
from numnet.layers.base import ArraySpec, Layer, check_dout
from numnet.layers.embedding import Embedding
from numnet.layers.regularization import Dropout

__all__ = [
    "RNN",
    "LSTM",
    "GRU",
    "TimeRNN",
    "TimeLSTM",
    "TimeGRU",
    "TimeBiLSTM",
    "TimeEmbedding",
    "TimeDropout",
]

#: The book's TimeEmbedding: ``Embedding`` maps ids (N, T) to vectors (N, T, D) already.
TimeEmbedding = Embedding
#: The book's TimeDropout: ``Dropout`` drops elements of (N, T, D) inputs already.
TimeDropout = Dropout


# ---------------------------------------------------------------- one step, forward and backward


def _sigmoid_inplace(a: NDArray) -> None:
    """a <- sigmoid(a), as (1 + tanh(a / 2)) / 2: one transcendental, no overflow."""
    a *= 0.5
    np.tanh(a, out=a)
    a *= 0.5
    a += 0.5


def _rnn_step(a: NDArray) -> NDArray:
    """a (N, H) = x Wx + h_prev Wh + b, overwritten by h = tanh(a), which is returned."""
    return np.tanh(a, out=a)


def _rnn_step_backward(dh: NDArray, h: NDArray, da: NDArray) -> None:
    """da <- dh * (1 - h^2): the gradient of the pre-activation."""
    np.multiply(h, h, out=da)
    np.subtract(1.0, da, out=da)
    da *= dh


def _lstm_step(a: NDArray, c_prev: NDArray, c: NDArray, tanh_c: NDArray) -> NDArray:
    """One LSTM step from the pre-activations a (N, 4H) = x Wx + h_prev Wh + b, gates i, f, g, o.

    Overwrites ``a`` with the gate values, writes the cell state ``c`` and
    ``tanh_c`` (both (N, H)), and returns h = o * tanh(c).
    """
    hidden = c_prev.shape[1]
    _sigmoid_inplace(a[:, : 2 * hidden])  # i, f
    np.tanh(a[:, 2 * hidden : 3 * hidden], out=a[:, 2 * hidden : 3 * hidden])  # g
    _sigmoid_inplace(a[:, 3 * hidden :])  # o
    i, f, g, o = (a[:, k * hidden : (k + 1) * hidden] for k in range(4))
    np.multiply(f, c_prev, out=c)
    c += i * g
    np.tanh(c, out=tanh_c)
    return o * tanh_c


def _lstm_step_backward(
    dh: NDArray, dc: NDArray, gates: NDArray, c_prev: NDArray, tanh_c: NDArray, da: NDArray
) -> NDArray:
    """Write the gradient of the pre-activations into da (N, 4H); return dc_prev.

    ``dh``, ``dc``: the gradients reaching h and c of this step (from the
    output and from the next step); ``gates``, ``c_prev``, ``tanh_c``: what
    :func:`_lstm_step` computed.
    """
    hidden = c_prev.shape[1]
    i, f, g, o = (gates[:, k * hidden : (k + 1) * hidden] for k in range(4))
    ds = dc + dh * o * (1 - tanh_c * tanh_c)  # the gradient reaching c, through h and directly
    da[:, :hidden] = ds * g * i * (1 - i)
    da[:, hidden : 2 * hidden] = ds * c_prev * f * (1 - f)
    da[:, 2 * hidden : 3 * hidden] = ds * i * (1 - g * g)
    da[:, 3 * hidden :] = dh * tanh_c * o * (1 - o)
    return ds * f


def _gru_step(ax: NDArray, ah: NDArray, h_prev: NDArray) -> NDArray:
    """One GRU step: ax (N, 3H) = x Wx + bx and ah (N, 3H) = h_prev Wh + bh, gates r, z, n.

    Overwrites ``ax`` with the gate values r, z, n; returns h = n + z * (h_prev - n).
    """
    hidden = h_prev.shape[1]
    ax[:, : 2 * hidden] += ah[:, : 2 * hidden]
    _sigmoid_inplace(ax[:, : 2 * hidden])
    r, z, n = (ax[:, k * hidden : (k + 1) * hidden] for k in range(3))
    n += r * ah[:, 2 * hidden :]  # the reset gate scales the hidden projection, after the product
    np.tanh(n, out=n)
    return n + z * (h_prev - n)


def _gru_step_backward(
    dh: NDArray, gates: NDArray, h_prev: NDArray, ah_n: NDArray, dax: NDArray, dah: NDArray
) -> NDArray:
    """Write the gradients of ax and ah (N, 3H); return the part of dh_prev that bypasses Wh (dh * z).

    ``ah_n`` (N, H) is the candidate's hidden projection h_prev Wh_n + bh_n.
    """
    hidden = h_prev.shape[1]
    r, z, n = (gates[:, k * hidden : (k + 1) * hidden] for k in range(3))
    dn = dh * (1 - z) * (1 - n * n)
    dax[:, 2 * hidden :] = dn
    np.multiply(dn, r, out=dah[:, 2 * hidden :])
    dax[:, :hidden] = dn * ah_n * r * (1 - r)
    dax[:, hidden : 2 * hidden] = dh * (h_prev - n) * z * (1 - z)
    dah[:, : 2 * hidden] = dax[:, : 2 * hidden]
    return dh * z


# ---------------------------------------------------------------- parameters shared by cells and time layers


class _Recurrent(Layer):
    """Creates and checks the weights of a recurrent cell: Wx (D, G·H), Wh (H, G·H) and the bias(es).

    Args:
        input_size: D, the features of x.
        hidden_size: H, the size of the hidden state.
        init: the initializer of Wx and Wh (the book's ``"xavier"``:
            N(0, 1/D) and N(0, 1/H)); the biases start at zero.
        rng: a ``numpy.random.Generator``, a seed, or None.
        dtype: the float dtype of the weights and of the computation.
    """

    #: Number of gates G side by side in Wx, Wh and the biases.
    n_gates: ClassVar[int] = 1
    param_names: ClassVar[tuple[str, ...]] = ("Wx", "Wh", "b")
    Wx: NDArray
    Wh: NDArray

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        init: str | float | Initializer = "xavier",
        rng: np.random.Generator | int | None = None,
        dtype: DTypeLike = np.float32,
    ) -> None:
        super().__init__()
        check_positive_int("input_size", input_size)
        check_positive_int("hidden_size", hidden_size)
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"{type(self).__name__}: dtype must be a floating dtype, got {dtype}")
        rng = np.random.default_rng(rng)
        initializer = get_initializer(init)
        width = self.n_gates * int(hidden_size)
        shapes = {"Wx": (int(input_size), width), "Wh": (int(hidden_size), width)}
        for name in self.param_names:
            shape = shapes.get(name, (width,))
            array = np.asarray(initializer(shape, rng, dtype)) if name in shapes else np.zeros(shape, dtype)
            if array.shape != shape or array.dtype != dtype:
                raise ValueError(
                    f"{type(self).__name__}: init returned shape {array.shape} {array.dtype}, expected {shape} {dtype}"
                )
            setattr(self, name, array)
        self.params = [getattr(self, name) for name in self.param_names]
        self.grads = [np.zeros_like(p) for p in self.params]
        self.init = describe_init(init)
        self._cache: Any = None  # what backward needs, set by forward

    def _cached(self) -> Any:
        """What forward cached for backward; RuntimeError before the first forward."""
        if self._cache is None:
            raise RuntimeError(f"{self!r}: backward() called before forward()")
        return self._cache

    @classmethod
    def from_arrays(cls, *arrays: NDArray, **kwargs: Any) -> Any:
        """The book's form: a layer that wraps the given arrays (``Wx, Wh, b``; for a GRU ``Wx, Wh, bx, bh``).

        The arrays are used, not copied. ``kwargs`` go to the constructor
        (``stateful=True``).
        """
        if len(arrays) != len(cls.param_names):
            raise TypeError(f"{cls.__name__}.from_arrays takes {', '.join(cls.param_names)}, got {len(arrays)} arrays")
        Wx, Wh = arrays[0], arrays[1]
        for name, array in zip(cls.param_names, arrays):
            if not isinstance(array, np.ndarray) or array.dtype.kind != "f":
                raise TypeError(f"{cls.__name__}: {name} must be a float NumPy array, got {type(array).__name__}")
        if Wx.ndim != 2 or Wh.ndim != 2 or Wh.shape[1] % cls.n_gates:
            raise ValueError(
                f"{cls.__name__}: Wx must have shape (D, {cls.n_gates}*H) and Wh ({cls.n_gates}*H / "
                f"{cls.n_gates}, {cls.n_gates}*H), got {Wx.shape} and {Wh.shape}"
            )
        layer = cls(Wx.shape[0], Wh.shape[1] // cls.n_gates, init="zeros", dtype=Wx.dtype, **kwargs)
        for name, array in zip(cls.param_names, arrays):
            layer.share_param(name, array)
        return layer

    @property
    def input_size(self) -> int:
        return self.Wx.shape[0]

    @property
    def hidden_size(self) -> int:
        return self.Wh.shape[0]

    def _write_grads(self, inputs: NDArray, h_prev: NDArray, da: NDArray, dah: NDArray | None = None) -> None:
        """dWx = inputs^T da, dWh = h_prev^T dah (dah = da unless given), and the bias gradients (rows summed)."""
        dah = da if dah is None else dah
        np.matmul(inputs.T, da, out=self.grads[0])
        np.matmul(h_prev.T, dah, out=self.grads[1])
        np.sum(da, axis=0, out=self.grads[2])
        if len(self.grads) == 4:
            np.sum(dah, axis=0, out=self.grads[3])

    def _check_step_input(self, x: ArrayLike, h_prev: ArrayLike, c_prev: ArrayLike | None = None) -> list[NDArray]:
        x = np.asarray(x)
        if x.ndim != 2 or x.shape[1] != self.input_size or x.dtype.kind not in "biuf":
            raise ValueError(f"{self!r}: x must be a numeric array (N, {self.input_size}), got {x.dtype} {x.shape}")
        arrays = [x.astype(self.Wx.dtype, copy=False)]
        for name, state in (("h_prev", h_prev), ("c_prev", c_prev)):
            if name == "c_prev" and c_prev is None:
                continue
            state = np.asarray(state, dtype=self.Wx.dtype)
            if state.shape != (len(x), self.hidden_size):
                raise ValueError(f"{self!r}: {name} must have shape ({len(x)}, {self.hidden_size}), got {state.shape}")
            arrays.append(state)
        return arrays

    def get_config(self) -> dict[str, Any]:
        return {"input_size": self.input_size, "hidden_size": self.hidden_size, "init": self.init}

    @classmethod
    def from_config(cls, config: dict[str, Any], dtype: DTypeLike = np.float32) -> Any:
        """A layer of the configured sizes in ``dtype``, zero weights (the saved ones are loaded afterwards)."""
        config = dict(config)
        init = config.pop("init", "xavier")
        layer = cls(**config, init="zeros", dtype=dtype)
        layer.init = init
        return layer

    @classmethod
    def array_specs(cls, config: dict[str, Any]) -> dict[str, ArraySpec]:
        """Wx (D, G·H), Wh (H, G·H) and the bias(es) (G·H,), G the number of gates."""
        check_positive_int("input_size", config["input_size"])
        check_positive_int("hidden_size", config["hidden_size"])
        width = cls.n_gates * config["hidden_size"]
        shapes = {"Wx": (config["input_size"], width), "Wh": (config["hidden_size"], width)}
        return cls._specs({name: shapes.get(name, (width,)) for name in cls.param_names})


# ---------------------------------------------------------------- cells: one time step


class _Cell(_Recurrent):
    """A cell: one time step, forward and backward on (N, D) inputs and (N, H) states."""


class RNN(_Cell):
    """The simple recurrent cell: h = tanh(x Wx + h_prev Wh + b); x (N, D), h (N, H)."""

    n_gates = 1
    b: NDArray

    def forward(self, x: ArrayLike, h_prev: ArrayLike, train: bool = True) -> NDArray:  # type: ignore[override]
        x, h_prev = self._check_step_input(x, h_prev)
        h = _rnn_step(x @ self.Wx + h_prev @ self.Wh + self.b)
        self._cache = (x, h_prev, h)
        return h

    def backward(self, dh: ArrayLike) -> tuple[NDArray, NDArray]:  # type: ignore[override]
        """dh (N, H) -> (dx, dh_prev); writes dWx, dWh, db."""
        x, h_prev, h = self._cached()
        dh = check_dout(self, dh, h)
        da = np.empty_like(h)
        _rnn_step_backward(dh, h, da)
        self._write_grads(x, h_prev, da)
        return da @ self.Wx.T, da @ self.Wh.T


class LSTM(_Cell):
    """The long short-term memory cell (gates i, f, g, o): (x, h_prev, c_prev) -> (h, c)."""

    n_gates = 4
    b: NDArray

    def forward(  # type: ignore[override]
        self, x: ArrayLike, h_prev: ArrayLike, c_prev: ArrayLike, train: bool = True
    ) -> tuple[NDArray, NDArray]:
        x, h_prev, c_prev = self._check_step_input(x, h_prev, c_prev)
        gates = x @ self.Wx + h_prev @ self.Wh + self.b
        c, tanh_c = np.empty_like(c_prev), np.empty_like(c_prev)
        h = _lstm_step(gates, c_prev, c, tanh_c)
        self._cache = (x, h_prev, c_prev, gates, tanh_c)
        return h, c

    def backward(self, dh: ArrayLike, dc: ArrayLike) -> tuple[NDArray, NDArray, NDArray]:  # type: ignore[override]
        """(dh, dc) (N, H) each -> (dx, dh_prev, dc_prev); writes dWx, dWh, db."""
        x, h_prev, c_prev, gates, tanh_c = self._cached()
        dh, dc = check_dout(self, dh, tanh_c), check_dout(self, dc, tanh_c)
        da = np.empty_like(gates)
        dc_prev = _lstm_step_backward(dh, dc, gates, c_prev, tanh_c, da)
        self._write_grads(x, h_prev, da)
        return da @ self.Wx.T, da @ self.Wh.T, dc_prev


class GRU(_Cell):
    """The gated recurrent unit, PyTorch's form (gates r, z, n; biases bx, bh): (x, h_prev) -> h."""

    n_gates = 3
    param_names: ClassVar[tuple[str, ...]] = ("Wx", "Wh", "bx", "bh")
    bx: NDArray
    bh: NDArray

    def forward(self, x: ArrayLike, h_prev: ArrayLike, train: bool = True) -> NDArray:  # type: ignore[override]
        x, h_prev = self._check_step_input(x, h_prev)
        gates = x @ self.Wx + self.bx
        ah = h_prev @ self.Wh + self.bh
        h = _gru_step(gates, ah, h_prev)
        self._cache = (x, h_prev, gates, ah[:, 2 * self.hidden_size :], h)
        return h

    def backward(self, dh: ArrayLike) -> tuple[NDArray, NDArray]:  # type: ignore[override]
        """dh (N, H) -> (dx, dh_prev); writes dWx, dWh, dbx, dbh."""
        x, h_prev, gates, ah_n, h = self._cached()
        dh = check_dout(self, dh, h)
        dax, dah = np.empty_like(gates), np.empty_like(gates)
        dh_prev = _gru_step_backward(dh, gates, h_prev, ah_n, dax, dah)
        self._write_grads(x, h_prev, dax, dah)
        return dax @ self.Wx.T, dh_prev + dah @ self.Wh.T


# ---------------------------------------------------------------- time layers: a cell over a sequence


class _TimeRecurrent(_Recurrent):
    """What the time layers share: input checks, the state, time-major buffers, the gradient products.

    Args (besides the cell's): stateful: carry the last state of each
    ``forward`` into the next (truncated BPTT).
    """

    #: Whether the cell has a memory c besides h (the LSTM).
    has_cell_state: ClassVar[bool] = False

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        stateful: bool = False,
        init: str | float | Initializer = "xavier",
        rng: np.random.Generator | int | None = None,
        dtype: DTypeLike = np.float32,
    ) -> None:
        super().__init__(input_size, hidden_size, init=init, rng=rng, dtype=dtype)
        if not isinstance(stateful, (bool, np.bool_)):
            raise TypeError(f"{type(self).__name__}: stateful must be True or False, got {stateful!r}")
        self.stateful = bool(stateful)
        self.h: NDArray | None = None  # the state the next forward starts from; None: zeros
        self.c: NDArray | None = None
        self.dh: NDArray | None = None  # after backward: the gradient of the state forward started from
        self.dc: NDArray | None = None

    # ------------------------------------------------------------ state
    def set_state(self, h: ArrayLike | None, c: ArrayLike | None = None) -> None:
        """Start the next ``forward`` from hidden state h (N, H) (and cell state c for an LSTM; zeros if None).

        ``set_state(None)`` is :meth:`reset_state`. The arrays are copied.
        """
        if c is not None and not self.has_cell_state:
            raise ValueError(f"{self!r}: only an LSTM has a cell state c; got c")
        states = []
        for name, state in (("h", h), ("c", c)):
            if state is not None:
                state = np.array(state, dtype=self.Wx.dtype)
                if state.ndim != 2 or state.shape[1] != self.hidden_size:
                    raise ValueError(f"{self!r}: {name} must have shape (N, {self.hidden_size}), got {state.shape}")
            states.append(state)
        if h is None and c is not None:
            raise ValueError(f"{self!r}: give h with c")
        if states[0] is not None and states[1] is not None and states[0].shape != states[1].shape:
            raise ValueError(f"{self!r}: h and c must have one shape, got {states[0].shape} and {states[1].shape}")
        self.h, self.c = states

    def reset_state(self) -> None:
        """Start the next ``forward`` from zeros."""
        self.h, self.c = None, None

    def get_state(self) -> tuple[NDArray | None, NDArray | None]:
        """``(h, c)``: the state the next ``forward`` starts from (None for zeros; c is None but for an LSTM)."""
        return self.h, self.c

    def _initial_state(self, n: int) -> tuple[NDArray, NDArray]:
        """(h0, c0) for a batch of n sequences: the held state, or zeros."""
        zeros = np.zeros((n, self.hidden_size), dtype=self.Wx.dtype)
        for state in (self.h, self.c):
            if state is not None and len(state) != n:
                raise ValueError(
                    f"{self!r} holds the state of {len(state)} sequences, but x has {n}; "
                    "call reset_state() before changing the batch size"
                )
        return (zeros if self.h is None else self.h), (zeros if self.c is None else self.c)

    def _keep_state(self, h: NDArray, c: NDArray | None = None) -> None:
        if self.stateful:
            self.h = h.copy()
            self.c = None if c is None else c.copy()

    # ------------------------------------------------------------ shapes
    def _time_major(self, x: ArrayLike) -> NDArray:
        """x (N, T, D) as a contiguous (T, N, D) array in the weights' dtype, checked."""
        x = np.asarray(x)
        if x.ndim != 3 or x.shape[2] != self.input_size:
            raise ValueError(f"{self!r}: x must have shape (N, T, {self.input_size}), got shape {x.shape}")
        if x.dtype.kind not in "biuf":
            raise TypeError(f"{self!r}: x must be a numeric array, got dtype {x.dtype}")
        if x.shape[0] == 0 or x.shape[1] == 0:
            raise ValueError(f"{self!r}: x must hold at least one sequence of at least one step, got {x.shape}")
        return np.ascontiguousarray(x.transpose(1, 0, 2), dtype=self.Wx.dtype)

    def _dout_time_major(self, dout: ArrayLike, hs: NDArray | None) -> NDArray:
        """dout (N, T, H) as a (T, N, H) view, checked against the cached outputs hs (T, N, H)."""
        expected = None if hs is None else (hs.shape[1], hs.shape[0], hs.shape[2])
        return check_dout(self, dout, expected, self.Wx.dtype).transpose(1, 0, 2)

    def _finish_backward(
        self, x_tm: NDArray, h_prev: NDArray, da: NDArray, dah: NDArray | None, input_grad: bool
    ) -> NDArray | None:
        """Parameter gradients from the per-step gradients da (T, N, G·H), each in one product; then dx (N, T, D)."""
        steps, n, width = da.shape
        da2 = da.reshape(steps * n, width)
        dah2 = None if dah is None else dah.reshape(steps * n, width)
        self._write_grads(x_tm.reshape(steps * n, -1), h_prev.reshape(steps * n, -1), da2, dah2)
        if not input_grad:
            return None
        return (da2 @ self.Wx.T).reshape(steps, n, -1).transpose(1, 0, 2)

    def backward(self, dout: ArrayLike) -> NDArray:
        """dout (N, T, H) -> dx (N, T, D); writes the weight gradients and ``dh`` (and ``dc``)."""
        return self._backward(dout, input_grad=True)  # type: ignore[return-value]

    def backward_params(self, dout: ArrayLike) -> None:
        self._backward(dout, input_grad=False)

    def _backward(self, dout: ArrayLike, input_grad: bool) -> NDArray | None:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "stateful": self.stateful}


class TimeRNN(_TimeRecurrent):
    """:class:`RNN` over a sequence: x (N, T, D) -> hs (N, T, H)."""

    n_gates = 1
    b: NDArray

    def forward(self, x: ArrayLike, train: bool = True) -> NDArray:
        """x (N, T, D) -> hs (N, T, H), the hidden state after every step."""
        x_tm = self._time_major(x)
        steps, n, _ = x_tm.shape
        h0, _ = self._initial_state(n)
        hs = (x_tm.reshape(steps * n, -1) @ self.Wx).reshape(steps, n, -1)
        hs += self.b
        h = h0
        for t in range(steps):
            hs[t] += h @ self.Wh
            h = _rnn_step(hs[t])
        self._cache = (x_tm, h0, hs)
        self._keep_state(h)
        return hs.transpose(1, 0, 2)

    def _backward(self, dout: ArrayLike, input_grad: bool) -> NDArray | None:
        x_tm, h0, hs = self._cached()
        dhs = self._dout_time_major(dout, hs)
        da = np.empty_like(hs)
        dh = np.zeros_like(h0)
        for t in reversed(range(len(hs))):
            _rnn_step_backward(dhs[t] + dh, hs[t], da[t])
            dh = da[t] @ self.Wh.T
        self.dh = dh
        return self._finish_backward(x_tm, _previous(h0, hs), da, None, input_grad)


class TimeLSTM(_TimeRecurrent):
    """:class:`LSTM` over a sequence: x (N, T, D) -> hs (N, T, H)."""

    n_gates = 4
    has_cell_state = True
    b: NDArray

    def forward(self, x: ArrayLike, train: bool = True) -> NDArray:
        """x (N, T, D) -> hs (N, T, H), the hidden state after every step."""
        x_tm = self._time_major(x)
        steps, n, _ = x_tm.shape
        h0, c0 = self._initial_state(n)
        gates = (x_tm.reshape(steps * n, -1) @ self.Wx).reshape(steps, n, -1)
        gates += self.b
        hs, cs, tanh_cs = (np.empty((steps, n, self.hidden_size), dtype=self.Wx.dtype) for _ in range(3))
        h, c = h0, c0
        for t in range(steps):
            gates[t] += h @ self.Wh
            h = hs[t] = _lstm_step(gates[t], c, cs[t], tanh_cs[t])
            c = cs[t]
        self._cache = (x_tm, h0, c0, gates, hs, cs, tanh_cs)
        self._keep_state(h, c)
        return hs.transpose(1, 0, 2)

    def _backward(self, dout: ArrayLike, input_grad: bool) -> NDArray | None:
        x_tm, h0, c0, gates, hs, cs, tanh_cs = self._cached()
        dhs = self._dout_time_major(dout, hs)
        da = np.empty_like(gates)
        dh, dc = np.zeros_like(h0), np.zeros_like(c0)
        c_prev = _previous(c0, cs)
        for t in reversed(range(len(hs))):
            dc = _lstm_step_backward(dhs[t] + dh, dc, gates[t], c_prev[t], tanh_cs[t], da[t])
            dh = da[t] @ self.Wh.T
        self.dh, self.dc = dh, dc
        return self._finish_backward(x_tm, _previous(h0, hs), da, None, input_grad)


class TimeGRU(_TimeRecurrent):
    """:class:`GRU` over a sequence: x (N, T, D) -> hs (N, T, H)."""

    n_gates = 3
    param_names: ClassVar[tuple[str, ...]] = ("Wx", "Wh", "bx", "bh")
    bx: NDArray
    bh: NDArray

    def forward(self, x: ArrayLike, train: bool = True) -> NDArray:
        """x (N, T, D) -> hs (N, T, H), the hidden state after every step."""
        x_tm = self._time_major(x)
        steps, n, _ = x_tm.shape
        h0, _ = self._initial_state(n)
        hidden = self.hidden_size
        gates = (x_tm.reshape(steps * n, -1) @ self.Wx).reshape(steps, n, -1)
        gates += self.bx
        hs, ah_n = (np.empty((steps, n, hidden), dtype=self.Wx.dtype) for _ in range(2))
        h = h0
        for t in range(steps):
            ah = h @ self.Wh
            ah += self.bh
            ah_n[t] = ah[:, 2 * hidden :]
            h = hs[t] = _gru_step(gates[t], ah, h)
        self._cache = (x_tm, h0, gates, hs, ah_n)
        self._keep_state(h)
        return hs.transpose(1, 0, 2)

    def _backward(self, dout: ArrayLike, input_grad: bool) -> NDArray | None:
        x_tm, h0, gates, hs, ah_n = self._cached()
        dhs = self._dout_time_major(dout, hs)
        dax, dah = np.empty_like(gates), np.empty_like(gates)
        dh = np.zeros_like(h0)
        h_prev = _previous(h0, hs)
        for t in reversed(range(len(hs))):
            direct = _gru_step_backward(dhs[t] + dh, gates[t], h_prev[t], ah_n[t], dax[t], dah[t])
            dh = direct + dah[t] @ self.Wh.T
        self.dh = dh
        return self._finish_backward(x_tm, h_prev, dax, dah, input_grad)


def _previous(first: NDArray, steps: NDArray) -> NDArray:
    """The state before every step, (T, N, H): ``first``, then ``steps[:-1]``."""
    return np.concatenate((first[None], steps[:-1]))


class TimeBiLSTM(Layer):
    """Two :class:`TimeLSTM`, one reading the sequence forwards and one backwards: (N, T, D) -> (N, T, 2H).

    Output step t is ``[h_forward_t, h_backward_t]``, as in PyTorch's
    ``LSTM(bidirectional=True)``; the parameters are ``Wx, Wh, b`` of the
    forward direction and ``Wx_reverse, Wh_reverse, b_reverse``. Not
    stateful: the backward direction reads each sequence from its end.
    """

    param_names: ClassVar[tuple[str, ...]] = ("Wx", "Wh", "b", "Wx_reverse", "Wh_reverse", "b_reverse")

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        init: str | float | Initializer = "xavier",
        rng: np.random.Generator | int | None = None,
        dtype: DTypeLike = np.float32,
    ) -> None:
        super().__init__()
        rng = np.random.default_rng(rng)
        self.forward_lstm = TimeLSTM(input_size, hidden_size, init=init, rng=rng, dtype=dtype)
        self.backward_lstm = TimeLSTM(input_size, hidden_size, init=init, rng=rng, dtype=dtype)
        self.params = self.forward_lstm.params + self.backward_lstm.params
        self.grads = self.forward_lstm.grads + self.backward_lstm.grads

    @property
    def hidden_size(self) -> int:
        return self.forward_lstm.hidden_size

    def share_param(self, name: str, array: NDArray) -> None:
        lstm = self.backward_lstm if name.endswith("_reverse") else self.forward_lstm
        lstm.share_param(name.removesuffix("_reverse"), array)
        self.params[self.param_names.index(name)] = array

    def forward(self, x: ArrayLike, train: bool = True) -> NDArray:
        """x (N, T, D) -> (N, T, 2H)."""
        forwards = self.forward_lstm.forward(x, train)
        backwards = self.backward_lstm.forward(np.asarray(x)[:, ::-1], train)[:, ::-1]
        return np.concatenate((forwards, backwards), axis=2)

    def backward(self, dout: ArrayLike) -> NDArray:
        """dout (N, T, 2H) -> dx (N, T, D)."""
        return self._backward(dout, input_grad=True)  # type: ignore[return-value]

    def backward_params(self, dout: ArrayLike) -> None:
        self._backward(dout, input_grad=False)

    def _backward(self, dout: ArrayLike, input_grad: bool) -> NDArray | None:
        cache = self.forward_lstm._cache
        expected = None if cache is None else (cache[0].shape[1], cache[0].shape[0], 2 * self.hidden_size)
        dout = check_dout(self, dout, expected, self.forward_lstm.Wx.dtype)
        hidden = self.hidden_size
        dx_forward = self.forward_lstm._backward(dout[:, :, :hidden], input_grad)
        dx_backward = self.backward_lstm._backward(dout[:, ::-1, hidden:], input_grad)
        if not input_grad:
            return None
        assert dx_forward is not None and dx_backward is not None
        return dx_forward + dx_backward[:, ::-1]

    def get_config(self) -> dict[str, Any]:
        config = self.forward_lstm.get_config()
        del config["stateful"]
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any], dtype: DTypeLike = np.float32) -> TimeBiLSTM:
        config = dict(config)
        init = config.pop("init", "xavier")
        layer = cls(**config, init="zeros", dtype=dtype)
        layer.forward_lstm.init = layer.backward_lstm.init = init
        return layer

    @classmethod
    def array_specs(cls, config: dict[str, Any]) -> dict[str, ArraySpec]:
        """A :class:`TimeLSTM`'s arrays for each direction, the backward ones named ``<name>_reverse``."""
        forward = TimeLSTM.array_specs(config)
        return {**forward, **{f"{name}_reverse": spec for name, spec in forward.items()}}
