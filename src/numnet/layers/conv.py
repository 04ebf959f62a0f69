"""Convolution and pooling on image batches of shape (N, C, H, W).

Both are computed on *windows*: the (KH, KW) patches of the (padded) input at
every output position, taken as a strided view of the input without copying
(:func:`numpy.lib.stride_tricks.sliding_window_view`). ``im2col`` lays the
windows out as the rows of a matrix, so that a convolution is one matrix
product; ``col2im`` is its adjoint (the transpose of that linear map): it
scatters columns back onto the image, summing where windows overlap, which is
exactly how the backward pass gathers the input gradient.

An output side is ``OH = (H + 2*pad - KH) // stride + 1`` (and alike for OW).
Kernel sizes, strides and paddings are an int or an (height, width) pair.

Speed notes. Every copy or reduction over windows runs as one vectorized
operation per kernel offset (KH * KW of them, never a loop over positions or
images): NumPy handles each (N, ..., OH, OW) slab at memory speed, whereas a
single operation over the 6-D window view crawls through tiny KH x KW inner
loops. The convolution works channels-last inside, so its output and its
input gradient are (N, C, H, W) views of channels-last buffers; NumPy keeps
that layout through element-wise layers, and the next Conv2D then reads it
without a transposing copy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike, DTypeLike, NDArray

from numnet._checks import check_positive_int
from numnet.functions import as_float_array
from numnet.initializers import Initializer, describe_init, get_initializer
from numnet.layers.base import Layer, check_dout

__all__ = ["im2col", "col2im", "Conv2D", "MaxPool2D", "AvgPool2D"]

#: An int for both sides, or a (height, width) pair.
Size2D = int | Sequence[int]


# ------------------------------------------------------------------ helpers


def _pair(value: Size2D, name: str, minimum: int) -> tuple[int, int]:
    """``value`` as a (height, width) pair of ints >= ``minimum``."""
    pair = (value, value) if isinstance(value, (int, np.integer)) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in pair):
        raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}")
    if min(pair) < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return int(pair[0]), int(pair[1])


def _compact(pair: tuple[int, int]) -> int | tuple[int, int]:
    """The config form of a pair: one int when both sides agree."""
    return pair[0] if pair[0] == pair[1] else pair


def _check_images(x: NDArray, who: str, channels: int | None = None) -> None:
    """Raise ``ValueError`` unless ``x`` is an (N, C, H, W) batch with ``channels`` channels."""
    expected = f"(N, {channels}, H, W)" if channels is not None else "(N, C, H, W)"
    if np.ndim(x) != 4:
        raise ValueError(f"{who}: expected a 4-D input {expected}, got shape {np.shape(x)}")
    if channels is not None and x.shape[1] != channels:
        raise ValueError(f"{who}: expected {channels} input channels {expected}, got shape {x.shape}")


def _output_size(
    input_hw: tuple[int, int],
    kernel: tuple[int, int],
    stride: tuple[int, int],
    pad: tuple[int, int],
    who: str,
) -> tuple[int, int]:
    """(OH, OW) of sliding ``kernel`` over the padded input; ``ValueError`` if it does not fit."""
    padded = (input_hw[0] + 2 * pad[0], input_hw[1] + 2 * pad[1])
    if kernel[0] > padded[0] or kernel[1] > padded[1]:
        raise ValueError(
            f"{who}: kernel {kernel[0]}x{kernel[1]} is larger than the padded input "
            f"{padded[0]}x{padded[1]} (input {input_hw[0]}x{input_hw[1]}, padding {pad})"
        )
    return (
        (padded[0] - kernel[0]) // stride[0] + 1,
        (padded[1] - kernel[1]) // stride[1] + 1,
    )


def _windows(x: NDArray, kernel: tuple[int, int], stride: tuple[int, int], axes: tuple[int, int]) -> NDArray:
    """Read-only strided view of the ``kernel`` windows of ``x`` over its two ``axes``.

    The two window axes (KH, KW) are appended: for (N, C, H, W) and axes (2, 3)
    the view is (N, C, OH, OW, KH, KW); for (N, H, W, C) and axes (1, 2) it is
    (N, OH, OW, C, KH, KW). Nothing is copied.
    """
    windows = sliding_window_view(x, kernel, axis=axes)
    steps = [slice(None)] * x.ndim
    steps[axes[0]], steps[axes[1]] = slice(None, None, stride[0]), slice(None, None, stride[1])
    return windows[tuple(steps)]


def _scatter_windows(windows: NDArray, padded_hw: tuple[int, int], stride: tuple[int, int]) -> NDArray:
    """Adjoint of taking windows: sum ``windows`` (N, OH, OW, C, KH, KW) into an image.

    Returns an (N, H, W, C) array, (H, W) = ``padded_hw``, every pixel holding
    the sum of the window entries that were read from it: one vectorized
    addition per kernel offset. The image is accumulated channels-last, where
    each addition runs over contiguous memory (several times faster than
    channels-first for multi-channel images).
    """
    n, oh, ow, c, kh, kw = windows.shape
    sh, sw = stride
    image = np.zeros((n, *padded_hw, c), dtype=windows.dtype)
    for i in range(kh):
        for j in range(kw):
            image[:, i : i + sh * oh : sh, j : j + sw * ow : sw] += windows[..., i, j]
    return image


# ------------------------------------------------------------ im2col / col2im


def im2col(x: NDArray, kh: int, kw: int, stride: Size2D = 1, pad: Size2D = 0) -> NDArray:
    """Unfold the (KH, KW) windows of an image batch into the rows of a matrix.

    Args:
        x: images, shape (N, C, H, W).
        kh, kw: kernel height and width.
        stride, pad: int or (height, width) pair; ``pad`` zeros are added on
            every side.

    Returns:
        ``col`` of shape (N*OH*OW, C*KH*KW), row ``(n*OH + i)*OW + j`` holding
        the window of image n at output position (i, j), ordered channel,
        then kernel row, then kernel column. So a convolution with weights
        ``W`` (FN, C, KH, KW) is ``col @ W.reshape(FN, -1).T``, shape
        (N*OH*OW, FN).
    """
    kernel = _pair((kh, kw), "im2col: (kh, kw)", 1)
    stride, pad = _pair(stride, "im2col: stride", 1), _pair(pad, "im2col: pad", 0)
    _check_images(x, "im2col")
    n, c, h, w = x.shape
    oh, ow = _output_size((h, w), kernel, stride, pad, "im2col")
    padded = x.transpose(0, 2, 3, 1)  # channels-last view (N, H, W, C)
    if pad != (0, 0):
        padded = np.zeros((n, h + 2 * pad[0], w + 2 * pad[1], c), dtype=x.dtype)
        padded[:, pad[0] : pad[0] + h, pad[1] : pad[1] + w] = x.transpose(0, 2, 3, 1)
    windows = _windows(padded, kernel, stride, axes=(1, 2))  # (N, OH, OW, C, KH, KW)
    # One copy per kernel offset: each moves an (N, OH, OW, C) slab at memory
    # speed, where copying the 6-D view at once crawls through tiny KH x KW loops.
    col = np.empty((n, oh, ow, c, kh, kw), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            col[..., i, j] = windows[..., i, j]
    return col.reshape(n * oh * ow, c * kh * kw)


def col2im(
    col: NDArray,
    input_shape: tuple[int, int, int, int],
    kh: int,
    kw: int,
    stride: Size2D = 1,
    pad: Size2D = 0,
) -> NDArray:
    """The adjoint of :func:`im2col`: fold columns back into images, summing overlaps.

    Args:
        col: shape (N*OH*OW, C*KH*KW), laid out as :func:`im2col` produces.
        input_shape: the (N, C, H, W) of the images ``col`` was taken from.
        kh, kw, stride, pad: as given to :func:`im2col`.

    Returns:
        Images of shape (N, C, H, W): each pixel is the sum of all entries of
        ``col`` that :func:`im2col` copied from it (padding is cut away), so
        that ``<im2col(x), col> == <x, col2im(col)>`` for every ``x``. The
        result is a view of a channels-last (N, H, W, C) buffer.
    """
    kernel = _pair((kh, kw), "col2im: (kh, kw)", 1)
    stride, pad = _pair(stride, "col2im: stride", 1), _pair(pad, "col2im: pad", 0)
    n, c, h, w = input_shape
    oh, ow = _output_size((h, w), kernel, stride, pad, "col2im")
    if col.shape != (n * oh * ow, c * kh * kw):
        raise ValueError(
            f"col2im: expected col of shape (N*OH*OW, C*KH*KW) = {(n * oh * ow, c * kh * kw)} "
            f"for input shape {tuple(input_shape)}, got {col.shape}"
        )
    windows = col.reshape(n, oh, ow, c, kh, kw)
    image = _scatter_windows(windows, (h + 2 * pad[0], w + 2 * pad[1]), stride)
    return image[:, pad[0] : pad[0] + h, pad[1] : pad[1] + w].transpose(0, 3, 1, 2)


# -------------------------------------------------------------- convolution


class Conv2D(Layer):
    """2-D convolution (cross-correlation, as in every deep-learning library).

    ``out[n, f, i, j] = b[f] + sum_{c,p,q} W[f, c, p, q] * xpad[n, c, i*sh + p, j*sw + q]``

    Args:
        in_channels: C, channels of the input (N, C, H, W).
        out_channels: FN, number of filters; the output is (N, FN, OH, OW).
        kernel_size: KH = KW as an int, or a (KH, KW) pair.
        stride, padding: int or (height, width) pair; ``padding`` zeros on
            every side.
        init: weight initializer: a name (``"he"``, ``"xavier"``, ``"normal"``,
            ``"zeros"``), a float standard deviation or a callable
            ``init(shape, rng, dtype)`` (see :mod:`numnet.initializers`); the
            fan-in of a filter is C*KH*KW. Biases start at zero.
        rng: a ``numpy.random.Generator``, a seed, or None for a fresh one;
            the weights are drawn from it.
        dtype: the float dtype of the parameters and of the computation (an
            input of another dtype is cast once, on the way in).

    Attributes:
        W: (FN, C, KH, KW) filters; ``b``: (FN,) biases; ``dW``, ``db`` their
        gradients, written in place by ``backward``.

    The output and the input gradient are (N, C, H, W) views of channels-last
    buffers (see the module notes); ``np.ascontiguousarray`` makes them
    row-major when needed. Memory: one batch's im2col matrix is kept between
    ``forward`` and ``backward``.
    """

    param_names = ("W", "b")

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Size2D,
        stride: Size2D = 1,
        padding: Size2D = 0,
        init: str | float | Initializer = "he",
        rng: np.random.Generator | int | None = None,
        dtype: DTypeLike = "float32",
    ) -> None:
        super().__init__()
        check_positive_int("Conv2D: in_channels", in_channels)
        check_positive_int("Conv2D: out_channels", out_channels)
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size = _pair(kernel_size, "Conv2D: kernel_size", 1)
        self.stride = _pair(stride, "Conv2D: stride", 1)
        self.padding = _pair(padding, "Conv2D: padding", 0)
        initializer = get_initializer(init)
        self.init = describe_init(init)
        shape = (self.out_channels, self.in_channels, *self.kernel_size)
        self.W = initializer(shape, np.random.default_rng(rng), np.dtype(dtype))
        self.b = np.zeros(self.out_channels, dtype=dtype)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
        self.params = [self.W, self.b]
        self.grads = [self.dW, self.db]
        self._col: NDArray | None = None  # im2col of the last input: one batch, not more
        self._x_shape: tuple[int, ...] = ()
        self._out_shape: tuple[int, ...] | None = None

    def output_size(self, height: int, width: int) -> tuple[int, int]:
        """(OH, OW) of this convolution on (height, width) inputs; ValueError if the kernel does not fit."""
        return _output_size((height, width), self.kernel_size, self.stride, self.padding, repr(self))

    def forward(self, x: ArrayLike, train: bool = True) -> NDArray:
        """(N, C, H, W) -> (N, FN, OH, OW), as one product of im2col(x) with the filters."""
        x = np.asarray(x)
        _check_images(x, repr(self), self.in_channels)
        n = x.shape[0]
        oh, ow = self.output_size(*x.shape[2:])
        x = x.astype(self.W.dtype, copy=False)
        col = im2col(x, *self.kernel_size, self.stride, self.padding)
        out = col @ self.W.reshape(self.out_channels, -1).T
        out += self.b
        self._col, self._x_shape = col, x.shape
        self._out_shape = (n, self.out_channels, oh, ow)
        # (N*OH*OW, FN) rows are (n, i, j): view them as (N, FN, OH, OW) without copying.
        return out.reshape(n, oh, ow, self.out_channels).transpose(0, 3, 1, 2)

    def backward(self, dout: ArrayLike) -> NDArray:
        """(N, FN, OH, OW) -> (N, C, H, W); writes ``dW`` and ``db`` (see backward_params)."""
        dout_col = self._param_grads(dout)
        dcol = dout_col @ self.W.reshape(self.out_channels, -1)
        n, c, h, w = self._x_shape
        return col2im(dcol, (n, c, h, w), *self.kernel_size, self.stride, self.padding)

    def backward_params(self, dout: ArrayLike) -> None:
        """Writes ``dW = dout_col^T @ col`` and ``db`` only, without the product and col2im for dx."""
        self._param_grads(dout)

    def _param_grads(self, dout: ArrayLike) -> NDArray:
        """Check ``dout``, write dW and db; return ``dout`` as rows (n, i, j) x FN."""
        dout = check_dout(self, dout, self._out_shape, self.W.dtype)
        # One copy to rows (n, i, j) x FN, the layout of the forward product (free when
        # dout is laid out like the forward output).
        dout_col = dout.transpose(0, 2, 3, 1).reshape(-1, self.out_channels)
        # db = the column sums of dout_col, taken as the product ones^T @ dout_col: one BLAS
        # pass, several times faster than np.sum over the long axis 0.
        np.matmul(np.ones(len(dout_col), dout_col.dtype), dout_col, out=self.db)
        assert self._col is not None
        np.matmul(dout_col.T, self._col, out=self.dW.reshape(self.out_channels, -1))
        return dout_col

    def get_config(self) -> dict[str, Any]:
        return {
            "in_channels": self.in_channels,
            "out_channels": self.out_channels,
            "kernel_size": _compact(self.kernel_size),
            "stride": _compact(self.stride),
            "padding": _compact(self.padding),
            "init": self.init,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], dtype: DTypeLike = np.float32) -> Conv2D:
        """A layer of the configured shape in ``dtype`` with zero arrays, loaded afterwards."""
        layer = cls(**{**config, "init": "zeros"}, dtype=dtype)
        layer.init = config.get("init", "he")
        return layer


# ------------------------------------------------------------------ pooling


class _Pool2D(Layer):
    """Shared set-up of the pooling layers: windows of ``pool_size`` at ``stride``, no padding.

    Forward passes reduce the (N, C, OH, OW, PH, PW) windows view of the input
    with one vectorized operation per window offset (PH * PW of them), which
    is far faster than reducing the strided view over its last two axes.
    """

    def __init__(self, pool_size: Size2D, stride: Size2D | None = None) -> None:
        super().__init__()
        name = type(self).__name__
        self.pool_size = _pair(pool_size, f"{name}: pool_size", 1)
        self.stride = self.pool_size if stride is None else _pair(stride, f"{name}: stride", 1)
        self._x: NDArray | None = None  # the last input, by reference (not copied)
        self._out_shape: tuple[int, ...] | None = None

    def _input_windows(self, x: ArrayLike) -> NDArray:
        """Validate ``x``, remember it and return its (N, C, OH, OW, PH, PW) windows view."""
        x = as_float_array(x)
        _check_images(x, repr(self))
        oh, ow = _output_size(x.shape[2:], self.pool_size, self.stride, (0, 0), repr(self))
        self._x, self._out_shape = x, (*x.shape[:2], oh, ow)
        return _windows(x, self.pool_size, self.stride, axes=(2, 3))

    def _check_dout(self, dout: ArrayLike) -> NDArray:
        """``dout`` as an array in the input's dtype, of the last output's shape."""
        dtype = None if self._x is None else self._x.dtype
        return check_dout(self, dout, self._out_shape, dtype)

    def _offsets(self) -> list[tuple[int, int]]:
        """The window offsets (i, j) in row-major order."""
        return [(i, j) for i in range(self.pool_size[0]) for j in range(self.pool_size[1])]

    def _scatter(self, gradient_at: Callable[[int, NDArray], NDArray], like: NDArray) -> NDArray:
        """Input gradient (N, C, H, W) from ``gradient_at(k, out)``, which writes into ``out``
        and returns the (N, C, OH, OW) gradient flowing to the input under window offset
        number k of :meth:`_offsets`; ``like`` is an array of that shape and layout."""
        assert self._out_shape is not None and self._x is not None
        oh, ow = self._out_shape[2:]
        sh, sw = self.stride
        dx = np.zeros_like(self._x)  # in x's memory layout (channels-last after a Conv2D)
        # Windows that do not overlap (the default) reach every input at most once: each
        # offset's gradient is written straight into its pixels, with no scratch array to add.
        disjoint = sh >= self.pool_size[0] and sw >= self.pool_size[1]
        scratch = like if disjoint else np.empty_like(like)  # scratch is only written when windows overlap
        for k, (i, j) in enumerate(self._offsets()):
            pixels = dx[:, :, i : i + sh * oh : sh, j : j + sw * ow : sw]
            if disjoint:
                gradient_at(k, pixels)
            else:
                pixels += gradient_at(k, scratch)
        return dx

    def _like_windows(self, dout: NDArray) -> NDArray:
        """A copy of ``dout`` in the memory layout of the input's windows.

        ``dout`` usually arrives row-major (from a Dense layer) while the input
        is channels-last (from a Conv2D); element-wise operations mixing the
        two layouts run several times slower than on arrays of one layout.
        """
        assert self._x is not None
        windows = _windows(self._x, self.pool_size, self.stride, axes=(2, 3))
        copy = np.empty_like(windows[..., 0, 0])  # order "K": the slab's layout
        copy[...] = dout
        return copy

    def get_config(self) -> dict[str, Any]:
        return {"pool_size": _compact(self.pool_size), "stride": _compact(self.stride)}


class MaxPool2D(_Pool2D):
    """Max over each (PH, PW) window: (N, C, H, W) -> (N, C, OH, OW).

    ``stride`` defaults to ``pool_size`` (non-overlapping windows). The
    gradient of each output goes to one input: the first maximum of its
    window in row-major order (ties are not split). ``backward`` finds it from
    the input and the output of the last forward pass, both kept by
    reference, not copied.
    """

    def __init__(self, pool_size: Size2D, stride: Size2D | None = None) -> None:
        super().__init__(pool_size, stride)
        self._out: NDArray | None = None  # the last output (the maxima), by reference

    def forward(self, x: ArrayLike, train: bool = True) -> NDArray:
        windows = self._input_windows(x)
        out = windows[..., 0, 0].copy(order="K")
        for i, j in self._offsets()[1:]:
            np.maximum(out, windows[..., i, j], out=out)
        self._out = out
        return out

    def backward(self, dout: ArrayLike) -> NDArray:
        grad = self._like_windows(self._check_dout(dout))
        assert self._x is not None
        windows = _windows(self._x, self.pool_size, self.stride, axes=(2, 3))
        maxima, offsets = self._out, self._offsets()
        assert maxima is not None
        taken = np.zeros_like(maxima, dtype=bool)  # windows whose maximum got the gradient
        first_max = np.empty_like(taken)

        def gradient_at(k: int, out: NDArray) -> NDArray:
            """grad where offset k holds its window's first maximum, else 0."""
            i, j = offsets[k]
            np.equal(windows[..., i, j], maxima, out=first_max)
            np.greater(first_max, taken, out=first_max)  # a maximum, and no earlier one: a and not b
            np.logical_or(taken, first_max, out=taken)
            return np.multiply(first_max, grad, out=out)

        return self._scatter(gradient_at, grad)


class AvgPool2D(_Pool2D):
    """Mean over each (PH, PW) window: (N, C, H, W) -> (N, C, OH, OW).

    ``stride`` defaults to ``pool_size``. Every input of a window receives
    1/(PH*PW) of that window's output gradient.
    """

    def forward(self, x: ArrayLike, train: bool = True) -> NDArray:
        windows = self._input_windows(x)
        out = windows[..., 0, 0].copy(order="K")
        for i, j in self._offsets()[1:]:
            out += windows[..., i, j]
        out /= self.pool_size[0] * self.pool_size[1]
        return out

    def backward(self, dout: ArrayLike) -> NDArray:
        share = self._like_windows(self._check_dout(dout))
        share /= self.pool_size[0] * self.pool_size[1]

        def gradient_at(k: int, out: NDArray) -> NDArray:
            out[...] = share
            return out

        return self._scatter(gradient_at, share)
