"""Convolution and pooling on image batches of shape (N, C, H, W).

Both are computed on *windows*: the (KH, KW) patches of the (padded) input at
every output position. ``im2col`` lays the windows out as a matrix, so that a
convolution is one matrix product; ``col2im`` is its adjoint (the transpose of
that linear map): it scatters columns back onto the image, summing where
windows overlap, which is exactly how the backward pass gathers the input
gradient.

An output side is ``OH = (H + 2*pad - KH) // stride + 1`` (and alike for OW).
Kernel sizes, strides and paddings are an int or an (height, width) pair.

Speed notes. Inside, images are kept *batch-innermost*: an (N, C, H, W) batch
lives in memory as a (C, H, W, N) array, and every layer here returns such a
view (``np.ascontiguousarray`` makes it row-major when needed). In that layout

- the windows at one kernel offset (i, j) are, for a stride of 1, runs of
  OW*N contiguous numbers, so im2col is KH*KW block copies at memory speed
  into a column matrix of shape (C*KH*KW, OH*OW*N) that holds one contiguous
  block per kernel offset; col2im is KH*KW block additions;
- the product of the filters (FN, C*KH*KW) with that matrix is the output,
  (FN, OH, OW, N): again batch-innermost, with no transposing copy; a row of
  ones under the columns adds the bias inside the same product, and gives the
  bias gradient inside the weight-gradient product;
- element-wise layers (ReLU) keep the layout, pooling reads runs of N numbers
  per window offset, and a Dense layer takes the flattened (N, C*H*W) view as
  a Fortran-ordered matrix without copying (and returns its input gradient in
  the same layout).

Padding is never materialized: the windows that reach into it get zeros
written (im2col) or are skipped (col2im).
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
from numnet.layers.base import ArraySpec, Layer, check_dout

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
    the view is (N, C, OH, OW, KH, KW). Nothing is copied.
    """
    windows = sliding_window_view(x, kernel, axis=axes)
    steps = [slice(None)] * x.ndim
    steps[axes[0]], steps[axes[1]] = slice(None, None, stride[0]), slice(None, None, stride[1])
    return windows[tuple(steps)]


def _batch_innermost(x: NDArray) -> NDArray:
    """Images (N, C, H, W) as a contiguous (C, H, W, N) array: a view when ``x`` is laid out so, else a copy."""
    moved = x.transpose(1, 2, 3, 0)
    return moved if moved.flags.c_contiguous else np.ascontiguousarray(moved)


def _inside(outputs: int, size: int, offset: int, stride: int, pad: int) -> tuple[slice, slice]:
    """The output positions o whose input ``o*stride + offset - pad`` lies in [0, size), and those inputs.

    Returns two slices: of the outputs, and of the inputs they read (the
    rest of the outputs read padding).
    """
    first = max(0, -((offset - pad) // stride))  # ceil((pad - offset) / stride), at least 0
    stop = min(outputs, (size - 1 + pad - offset) // stride + 1)
    if stop <= first:
        return slice(0, 0), slice(0, 0)
    start = first * stride + offset - pad
    return slice(first, stop), slice(start, start + (stop - first - 1) * stride + 1, stride)


def _unfold(images: NDArray, stride: tuple[int, int], pad: tuple[int, int], col: NDArray) -> None:
    """Write the windows of ``images`` (C, H, W, N) into ``col`` (C, KH, KW, OH, OW, N).

    ``col[c, i, j, p, q, n]`` is the padded image n at channel c, row
    ``p*sh + i``, column ``q*sw + j``: one block copy per kernel offset, zeros
    where the window reads padding.
    """
    _, h, w, _ = images.shape
    _, kh, kw, oh, ow, _ = col.shape
    for i in range(kh):
        rows, image_rows = _inside(oh, h, i, stride[0], pad[0])
        for j in range(kw):
            cols, image_cols = _inside(ow, w, j, stride[1], pad[1])
            block = col[:, i, j]
            block[:, rows, cols] = images[:, image_rows, image_cols]
            block[:, : rows.start] = 0
            block[:, rows.stop :] = 0
            block[:, rows, : cols.start] = 0
            block[:, rows, cols.stop :] = 0


def _fold(col: NDArray, stride: tuple[int, int], pad: tuple[int, int], images: NDArray) -> None:
    """The adjoint of :func:`_unfold`: add ``col`` (C, KH, KW, OH, OW, N) into ``images`` (C, H, W, N).

    Entries that :func:`_unfold` read from padding are dropped.
    """
    _, h, w, _ = images.shape
    _, kh, kw, oh, ow, _ = col.shape
    for i in range(kh):
        rows, image_rows = _inside(oh, h, i, stride[0], pad[0])
        for j in range(kw):
            cols, image_cols = _inside(ow, w, j, stride[1], pad[1])
            images[:, image_rows, image_cols] += col[:, i, j, rows, cols]


# ------------------------------------------------------------ im2col / col2im


def im2col(x: NDArray, kh: int, kw: int, stride: Size2D = 1, pad: Size2D = 0) -> NDArray:
    """Unfold the (KH, KW) windows of an image batch into the rows of a matrix (the textbook's layout).

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
        (N*OH*OW, FN). (:class:`Conv2D` uses the transpose of this matrix with
        its columns in (i, j, n) order, which it builds faster.)
    """
    kernel = _pair((kh, kw), "im2col: (kh, kw)", 1)
    stride, pad = _pair(stride, "im2col: stride", 1), _pair(pad, "im2col: pad", 0)
    _check_images(x, "im2col")
    n, c, h, w = x.shape
    oh, ow = _output_size((h, w), kernel, stride, pad, "im2col")
    col = np.empty((c, *kernel, oh, ow, n), dtype=x.dtype)
    _unfold(_batch_innermost(x), stride, pad, col)
    return col.transpose(5, 3, 4, 0, 1, 2).reshape(n * oh * ow, c * kh * kw)


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
        result is a view of a batch-innermost (C, H, W, N) buffer.
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
    images = np.zeros((c, h, w, n), dtype=col.dtype)
    _fold(col.reshape(n, oh, ow, c, kh, kw).transpose(3, 4, 5, 1, 2, 0), stride, pad, images)
    return images.transpose(3, 0, 1, 2)


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

    The output and the input gradient are (N, C, H, W) views of
    batch-innermost (C, H, W, N) buffers (see the module notes);
    ``np.ascontiguousarray`` makes them row-major when needed. Memory: one
    batch's column matrix, (C*KH*KW + 1) x (OH*OW*N), is kept between
    ``forward`` and ``backward`` and reused by the next batch of that size.
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
        self._new_scratch()
        self._x_shape: tuple[int, ...] = ()
        self._out_shape: tuple[int, ...] | None = None

    def _new_scratch(self) -> None:
        """Fresh work arrays: [W | b] as an (FN, C*KH*KW + 1) matrix and [dW | db] transposed
        (the bias is the weight of the row of ones under the columns), and no columns yet."""
        fan_in = self.W[0].size
        self._weights = np.empty((self.out_channels, fan_in + 1), dtype=self.W.dtype)
        self._weight_grads = np.empty((fan_in + 1, self.out_channels), dtype=self.W.dtype)
        self._col: NDArray | None = None  # the columns of the last input, with the row of ones

    def __getstate__(self) -> dict[str, Any]:
        """The layer without its work arrays: a pickle holds no column matrix, and an
        unpickled layer writes into arrays of its own (not into read-only memory maps)."""
        state = self.__dict__.copy()
        for name in ("_weights", "_weight_grads", "_col"):
            del state[name]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._new_scratch()

    def output_size(self, height: int, width: int) -> tuple[int, int]:
        """(OH, OW) of this convolution on (height, width) inputs; ValueError if the kernel does not fit."""
        return _output_size((height, width), self.kernel_size, self.stride, self.padding, repr(self))

    def forward(self, x: ArrayLike, train: bool = True) -> NDArray:
        """(N, C, H, W) -> (N, FN, OH, OW), as one product of the filters with the columns of x."""
        x = np.asarray(x)
        _check_images(x, repr(self), self.in_channels)
        n, c, h, w = x.shape
        oh, ow = self.output_size(h, w)
        x = x.astype(self.W.dtype, copy=False)
        fan_in, rows = self._weights.shape[1] - 1, oh * ow * n
        if self._col is None or self._col.shape != (fan_in + 1, rows):
            self._col = np.empty((fan_in + 1, rows), dtype=self.W.dtype)
        col = self._col
        _unfold(_batch_innermost(x), self.stride, self.padding, col[:fan_in].reshape(c, *self.kernel_size, oh, ow, n))
        col[fan_in] = 1
        self._weights[:, :fan_in] = self.W.reshape(self.out_channels, fan_in)
        self._weights[:, fan_in] = self.b
        out = self._weights @ col  # (FN, OH*OW*N)
        self._x_shape, self._out_shape = x.shape, (n, self.out_channels, oh, ow)
        return out.reshape(self.out_channels, oh, ow, n).transpose(3, 0, 1, 2)

    def backward(self, dout: ArrayLike) -> NDArray:
        """(N, FN, OH, OW) -> (N, C, H, W); writes ``dW`` and ``db`` (see backward_params)."""
        dout_rows = self._param_grads(dout)
        assert self._out_shape is not None
        n, c, h, w = self._x_shape
        _, _, oh, ow = self._out_shape
        dcol = self.W.reshape(self.out_channels, -1).T @ dout_rows  # (C*KH*KW, OH*OW*N)
        dx = np.zeros((c, h, w, n), dtype=self.W.dtype)
        _fold(dcol.reshape(c, *self.kernel_size, oh, ow, n), self.stride, self.padding, dx)
        return dx.transpose(3, 0, 1, 2)

    def backward_params(self, dout: ArrayLike) -> None:
        """Writes ``dW`` and ``db`` only, without the product and col2im for dx."""
        self._param_grads(dout)

    def _param_grads(self, dout: ArrayLike) -> NDArray:
        """Check ``dout``, write dW and db; return ``dout`` as an (FN, OH*OW*N) matrix."""
        dout = check_dout(self, dout, self._out_shape, self.W.dtype)
        assert self._col is not None
        # (FN, OH, OW, N): free when dout is batch-innermost like the forward output.
        dout_rows = dout.transpose(1, 2, 3, 0).reshape(self.out_channels, -1)
        # [dW | db]^T = [col; ones] @ dout^T: the bias gradient (the row sums of dout)
        # comes out of the same product. (This orientation runs faster in OpenBLAS
        # than dout @ [col; ones]^T for these shapes: a long inner dimension.)
        np.matmul(self._col, dout_rows.T, out=self._weight_grads)
        self.dW[...] = self._weight_grads[:-1].T.reshape(self.W.shape)
        self.db[...] = self._weight_grads[-1]
        return dout_rows

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

    @classmethod
    def array_specs(cls, config: dict[str, Any]) -> dict[str, ArraySpec]:
        """W (out_channels, in_channels, KH, KW) and b (out_channels,)."""
        check_positive_int("Conv2D: in_channels", config["in_channels"])
        check_positive_int("Conv2D: out_channels", config["out_channels"])
        kernel = _pair(config["kernel_size"], "Conv2D: kernel_size", 1)
        filters = config["out_channels"]
        return cls._specs({"W": (filters, config["in_channels"], *kernel), "b": (filters,)})

    @classmethod
    def output_size_of(cls, config: dict[str, Any], height: int, width: int) -> tuple[int, int]:
        """(OH, OW) of the convolution ``from_config(config)`` on (height, width) inputs, without building it."""
        kernel = _pair(config["kernel_size"], "Conv2D: kernel_size", 1)
        stride = _pair(config.get("stride", 1), "Conv2D: stride", 1)
        padding = _pair(config.get("padding", 0), "Conv2D: padding", 0)
        return _output_size((height, width), kernel, stride, padding, f"Conv2D({config})")


# ------------------------------------------------------------------ pooling


def _memory_order(a: NDArray) -> tuple[int, ...]:
    """The axes of ``a`` from the slowest-varying in memory to the fastest: its layout."""
    return tuple(sorted(range(a.ndim), key=lambda axis: -abs(a.strides[axis])))


def _new_in_order(shape: tuple[int, ...], order: tuple[int, ...], dtype: DTypeLike) -> NDArray:
    """An uninitialized array of ``shape`` laid out contiguously in the axis ``order``."""
    return np.empty([shape[axis] for axis in order], dtype=dtype).transpose(np.argsort(order))


def _in_memory_order(a: NDArray, order: tuple[int, ...]) -> NDArray:
    """``a`` itself if laid out contiguously in ``order`` (see :func:`_memory_order`), else such a copy.

    Element-wise operations that mix layouts run several times slower than
    on arrays of one layout.
    """
    if a.transpose(order).flags.c_contiguous:
        return a
    copy = _new_in_order(a.shape, order, a.dtype)
    copy[...] = a
    return copy


class _Pool2D(Layer):
    """Shared set-up of the pooling layers: windows of ``pool_size`` at ``stride``, no padding.

    Forward passes reduce the (N, C, OH, OW, PH, PW) windows view of the input
    with one vectorized operation per window offset (PH * PW of them), which
    is far faster than reducing the strided view over its last two axes; the
    backward pass writes each offset's share of the gradient into the input
    gradient the same way. Outputs and input gradients keep the memory layout
    of the input (batch-innermost after a :class:`Conv2D`). The input itself
    is not kept.
    """

    def __init__(self, pool_size: Size2D, stride: Size2D | None = None) -> None:
        super().__init__()
        name = type(self).__name__
        self.pool_size = _pair(pool_size, f"{name}: pool_size", 1)
        self.stride = self.pool_size if stride is None else _pair(stride, f"{name}: stride", 1)
        self._x_shape: tuple[int, ...] = ()
        self._x_order: tuple[int, ...] = ()  # the input's memory layout
        self._dtype: np.dtype | None = None
        self._out_shape: tuple[int, ...] | None = None

    def _input_windows(self, x: ArrayLike) -> NDArray:
        """Validate ``x``, remember its shape and layout and return its (N, C, OH, OW, PH, PW) windows view."""
        x = as_float_array(x)
        _check_images(x, repr(self))
        oh, ow = _output_size(x.shape[2:], self.pool_size, self.stride, (0, 0), repr(self))
        self._x_shape, self._x_order, self._dtype = x.shape, _memory_order(x), x.dtype
        self._out_shape = (*x.shape[:2], oh, ow)
        return _windows(x, self.pool_size, self.stride, axes=(2, 3))

    def _check_dout(self, dout: ArrayLike) -> NDArray:
        """``dout`` as an array in the input's dtype and memory layout, of the last output's shape."""
        dout = check_dout(self, dout, self._out_shape, self._dtype)
        return _in_memory_order(dout, self._x_order)

    def _offsets(self) -> list[tuple[int, int]]:
        """The window offsets (i, j) in row-major order."""
        return [(i, j) for i in range(self.pool_size[0]) for j in range(self.pool_size[1])]

    def _scatter(self, gradient_at: Callable[[int, NDArray], NDArray]) -> NDArray:
        """Input gradient (N, C, H, W) from ``gradient_at(k, out)``, which writes into ``out`` and
        returns the (N, C, OH, OW) gradient that flows to the input under window offset number k
        of :meth:`_offsets`. The offsets are visited last to first."""
        assert self._out_shape is not None and self._dtype is not None
        (oh, ow), (sh, sw), (ph, pw) = self._out_shape[2:], self.stride, self.pool_size
        # Windows that do not overlap (the default) reach every input at most once: each
        # offset's gradient is written straight into its pixels, with no scratch array to add.
        disjoint = sh >= ph and sw >= pw
        tiled = (sh, sw) == (ph, pw) and (oh * ph, ow * pw) == tuple(self._x_shape[2:])
        # dx in the input's layout, left uninitialized when every pixel gets written.
        dx = _new_in_order(self._x_shape, self._x_order, self._dtype)
        if not tiled:
            dx[...] = 0
        scratch = None if disjoint else _new_in_order(self._out_shape, self._x_order, self._dtype)
        offsets = self._offsets()
        for k in reversed(range(len(offsets))):
            i, j = offsets[k]
            pixels = dx[:, :, i : i + sh * oh : sh, j : j + sw * ow : sw]
            if disjoint:
                gradient_at(k, pixels)
            else:
                assert scratch is not None
                pixels += gradient_at(k, scratch)
        return dx

    def get_config(self) -> dict[str, Any]:
        return {"pool_size": _compact(self.pool_size), "stride": _compact(self.stride)}


class MaxPool2D(_Pool2D):
    """Max over each (PH, PW) window: (N, C, H, W) -> (N, C, OH, OW).

    ``stride`` defaults to ``pool_size`` (non-overlapping windows). The
    gradient of each output goes to one input: the first maximum of its
    window in row-major order (ties are not split). The forward pass records,
    for every window offset after the first, where that offset's input
    exceeds the maximum of the offsets before it (one boolean per output and
    offset); the first maximum is the last offset that did, or the first
    offset when none did.
    """

    def __init__(self, pool_size: Size2D, stride: Size2D | None = None) -> None:
        super().__init__(pool_size, stride)
        self._rises: list[NDArray] = []  # per offset k >= 1: input k > max of inputs 0..k-1

    def forward(self, x: ArrayLike, train: bool = True) -> NDArray:
        windows = self._input_windows(x)
        offsets = self._offsets()
        if len(offsets) == 1:
            self._rises = []
            return windows[..., 0, 0].copy(order="K")
        first, second = windows[..., 0, 0], windows[..., offsets[1][0], offsets[1][1]]
        self._rises = [np.greater(second, first)]
        out = np.maximum(first, second)
        for i, j in offsets[2:]:
            self._rises.append(np.greater(windows[..., i, j], out))
            np.maximum(out, windows[..., i, j], out=out)
        return out

    def backward(self, dout: ArrayLike) -> NDArray:
        grad = self._check_dout(dout)
        rises = self._rises
        later = _new_in_order(grad.shape, self._x_order, bool)  # a later offset rose: k is not the first max
        later[...] = False
        first = np.empty_like(later)

        def gradient_at(k: int, out: NDArray) -> NDArray:
            """grad where offset k holds its window's first maximum, else 0 (called for k = last .. 0)."""
            if k == 0:
                np.logical_not(later, out=first)
            else:
                np.greater(rises[k - 1], later, out=first)  # rose, and no later offset did
                np.logical_or(later, rises[k - 1], out=later)
            return np.multiply(first, grad, out=out)

        return self._scatter(gradient_at)


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
        share = self._check_dout(dout) / (self.pool_size[0] * self.pool_size[1])

        def gradient_at(k: int, out: NDArray) -> NDArray:
            out[...] = share
            return out

        return self._scatter(gradient_at)
