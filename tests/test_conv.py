"""im2col / col2im, Conv2D, MaxPool2D and AvgPool2D.

The references here are written independently of numnet, with plain loops
over output positions: a naive im2col / col2im, and a direct convolution.
"""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

from numnet.gradient import TOLERANCE, check_layer
from numnet.layers.conv import AvgPool2D, Conv2D, MaxPool2D, col2im, im2col

# (input shape (N, C, H, W), (KH, KW), stride, pad): square and non-square,
# overlapping and gapped windows, int and pair strides / paddings.
WINDOW_CASES = [
    ((2, 3, 5, 5), (3, 3), 1, 0),
    ((2, 3, 5, 5), (3, 3), 1, 1),
    ((1, 2, 7, 6), (3, 2), 2, 1),
    ((2, 1, 6, 9), (2, 4), (1, 3), (2, 0)),
    ((1, 2, 4, 4), (2, 2), 2, 0),
    ((1, 1, 5, 5), (1, 1), 3, 0),
    ((1, 2, 3, 4), (5, 4), 1, (1, 0)),
]


def _as_pair(value):
    return (value, value) if isinstance(value, int) else value


def naive_im2col(x, kh, kw, stride, pad):
    (sh, sw), (ph, pw) = _as_pair(stride), _as_pair(pad)
    n, c, h, w = x.shape
    xp = np.zeros((n, c, h + 2 * ph, w + 2 * pw))
    xp[:, :, ph : ph + h, pw : pw + w] = x
    oh, ow = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    rows = []
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                rows.append(xp[b, :, i * sh : i * sh + kh, j * sw : j * sw + kw].ravel())
    return np.array(rows)


def naive_col2im(col, shape, kh, kw, stride, pad):
    (sh, sw), (ph, pw) = _as_pair(stride), _as_pair(pad)
    n, c, h, w = shape
    xp = np.zeros((n, c, h + 2 * ph, w + 2 * pw))
    oh, ow = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    row = 0
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                xp[b, :, i * sh : i * sh + kh, j * sw : j * sw + kw] += col[row].reshape(c, kh, kw)
                row += 1
    return xp[:, :, ph : ph + h, pw : pw + w]


def naive_conv(x, W, b, stride, pad):
    (sh, sw), (ph, pw) = _as_pair(stride), _as_pair(pad)
    n, _, h, w = x.shape
    fn, _, kh, kw = W.shape
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    oh, ow = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    out = np.zeros((n, fn, oh, ow))
    for s in range(n):
        for f in range(fn):
            for i in range(oh):
                for j in range(ow):
                    patch = xp[s, :, i * sh : i * sh + kh, j * sw : j * sw + kw]
                    out[s, f, i, j] = np.sum(patch * W[f]) + b[f]
    return out


# ------------------------------------------------------------ im2col / col2im


def test_im2col_by_hand():
    x = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    expected = np.array([[1, 2, 4, 5], [2, 3, 5, 6], [4, 5, 7, 8], [5, 6, 8, 9]], dtype=float)
    np.testing.assert_array_equal(im2col(x, 2, 2), expected)


def test_im2col_padding_by_hand():
    x = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    # 2x2 input padded to 4x4, 3x3 windows at stride 1 -> 2x2 windows; the first is
    # rows 0..2, cols 0..2 of [[0,0,0,0],[0,1,2,0],[0,3,4,0],[0,0,0,0]].
    col = im2col(x, 3, 3, stride=1, pad=1)
    np.testing.assert_array_equal(col[0], [0, 0, 0, 0, 1, 2, 0, 3, 4])
    np.testing.assert_array_equal(col[3], [1, 2, 0, 3, 4, 0, 0, 0, 0])


def test_col2im_counts_overlaps_by_hand():
    ones = np.ones((4, 4))  # 3x3 input, 2x2 kernel, stride 1: 4 windows
    counts = col2im(ones, (1, 1, 3, 3), 2, 2)
    np.testing.assert_array_equal(counts[0, 0], [[1, 2, 1], [2, 4, 2], [1, 2, 1]])


def test_output_size_formula():
    x = np.zeros((2, 3, 7, 5))
    # OH = (7 + 2*1 - 3)//2 + 1 = 4, OW = (5 + 2*1 - 2)//2 + 1 = 3
    assert im2col(x, 3, 2, stride=2, pad=1).shape == (2 * 4 * 3, 3 * 3 * 2)


@pytest.mark.parametrize("shape, kernel, stride, pad", WINDOW_CASES)
def test_im2col_matches_naive_loop(shape, kernel, stride, pad):
    x = np.random.default_rng(1).standard_normal(shape)
    np.testing.assert_array_equal(im2col(x, *kernel, stride, pad), naive_im2col(x, *kernel, stride, pad))


@pytest.mark.parametrize("shape, kernel, stride, pad", WINDOW_CASES)
def test_col2im_matches_naive_loop_and_is_adjoint(shape, kernel, stride, pad):
    rng = np.random.default_rng(2)
    x = rng.standard_normal(shape)
    col = rng.standard_normal(im2col(x, *kernel, stride, pad).shape)
    folded = col2im(col, shape, *kernel, stride, pad)
    assert folded.shape == shape
    np.testing.assert_allclose(folded, naive_col2im(col, shape, *kernel, stride, pad), rtol=1e-12, atol=1e-12)
    # <im2col(x), col> == <x, col2im(col)>: col2im is the transpose of im2col.
    np.testing.assert_allclose(np.sum(im2col(x, *kernel, stride, pad) * col), np.sum(x * folded), rtol=1e-12)


def test_im2col_keeps_float32():
    x = np.ones((1, 2, 4, 4), dtype=np.float32)
    col = im2col(x, 3, 3, pad=1)
    assert col.dtype == np.float32
    assert col2im(col, x.shape, 3, 3, pad=1).dtype == np.float32


def test_im2col_and_col2im_reject_bad_shapes():
    with pytest.raises(ValueError, match=r"im2col: expected a 4-D input .*got shape \(3, 4\)"):
        im2col(np.zeros((3, 4)), 2, 2)
    with pytest.raises(ValueError, match=r"im2col: kernel 5x5 is larger than the padded input 4x4"):
        im2col(np.zeros((1, 1, 4, 4)), 5, 5)
    with pytest.raises(ValueError, match=r"col2im: expected col of shape .*\(4, 4\).*got \(4, 3\)"):
        col2im(np.zeros((4, 3)), (1, 1, 3, 3), 2, 2)
    with pytest.raises(ValueError, match="im2col: stride must be >= 1"):
        im2col(np.zeros((1, 1, 4, 4)), 2, 2, stride=0)


# ------------------------------------------------------------------ Conv2D


def test_conv2d_is_cross_correlation_by_hand():
    conv = Conv2D(1, 1, 2, dtype="float64")
    conv.W[...] = [[[[1.0, 0.0], [0.0, -1.0]]]]
    conv.b[...] = 10.0
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    # out[i, j] = x[i, j] - x[i+1, j+1] + 10 = -4 + 10 everywhere
    np.testing.assert_array_equal(conv.forward(x), np.full((1, 1, 2, 2), 6.0))


@pytest.mark.parametrize("shape, kernel, stride, pad", WINDOW_CASES)
def test_conv2d_forward_matches_direct_convolution(shape, kernel, stride, pad):
    rng = np.random.default_rng(3)
    conv = Conv2D(shape[1], 4, kernel, stride, pad, rng=rng, dtype="float64")
    conv.b[...] = rng.standard_normal(4)
    x = rng.standard_normal(shape)
    np.testing.assert_allclose(conv.forward(x), naive_conv(x, conv.W, conv.b, stride, pad), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    "in_c, out_c, kernel, stride, pad, hw",
    [
        (1, 2, 3, 1, 0, (5, 5)),
        (2, 3, 3, 1, 1, (4, 5)),
        (3, 2, (2, 3), 2, 1, (5, 6)),
        (2, 2, 2, 2, 0, (4, 4)),
        (1, 3, (3, 1), (2, 1), (0, 2), (6, 3)),
        (2, 1, 2, 3, 1, (5, 4)),
    ],
)
def test_conv2d_gradients(in_c, out_c, kernel, stride, pad, hw):
    rng = np.random.default_rng(4)
    conv = Conv2D(in_c, out_c, kernel, stride, pad, rng=rng, dtype="float64")
    conv.b[...] = rng.standard_normal(out_c)
    errors = check_layer(conv, rng.standard_normal((2, in_c, *hw)))
    assert max(errors.values()) < TOLERANCE, errors


def test_conv2d_float32_end_to_end_and_grads_in_place():
    conv = Conv2D(2, 3, 3, padding=1, rng=np.random.default_rng(0))
    dW, db = conv.dW, conv.db
    x = np.random.default_rng(1).standard_normal((2, 2, 5, 5)).astype(np.float32)
    out = conv.forward(x)
    dx = conv.backward(np.ones_like(out))
    assert out.shape == (2, 3, 5, 5)
    assert {out.dtype, dx.dtype, conv.W.dtype, conv.dW.dtype, conv.db.dtype} == {np.dtype(np.float32)}
    assert conv.grads[0] is dW and conv.grads[1] is db and conv.params == [conv.W, conv.b]
    np.testing.assert_allclose(db, [2 * 5 * 5] * 3)  # db = sum of dout over N, OH, OW


def test_conv2d_casts_input_to_its_dtype():
    conv = Conv2D(1, 2, 2, rng=np.random.default_rng(0))
    assert conv.forward(np.ones((1, 1, 3, 3))).dtype == np.float32


def test_conv2d_he_init_scale():
    conv = Conv2D(8, 64, 3, rng=np.random.default_rng(0), dtype="float64")
    assert conv.W.shape == (64, 8, 3, 3)
    np.testing.assert_allclose(conv.W.std(), np.sqrt(2.0 / (8 * 3 * 3)), rtol=0.05)
    np.testing.assert_array_equal(conv.b, 0.0)


def test_conv2d_seeded_rng_is_reproducible():
    a = Conv2D(2, 3, 3, rng=np.random.default_rng(7))
    b = Conv2D(2, 3, 3, rng=7)
    np.testing.assert_array_equal(a.W, b.W)


def test_conv2d_rejects_bad_input_before_state_changes():
    conv = Conv2D(1, 30, 5, dtype="float64")
    x = np.random.default_rng(0).standard_normal((2, 1, 6, 6))
    dout = np.random.default_rng(1).standard_normal((2, 30, 2, 2))
    conv.forward(x)
    dx = conv.backward(dout).copy()
    name = r"Conv2D\(in_channels=1, out_channels=30, kernel_size=5, .*\): "
    with pytest.raises(ValueError, match=name + r"expected a 4-D input .*got shape \(28, 28\)"):
        conv.forward(np.zeros((28, 28)))
    with pytest.raises(ValueError, match=name + r"expected 1 input channels .*got shape \(2, 3, 28, 28\)"):
        conv.forward(np.zeros((2, 3, 28, 28)))
    with pytest.raises(ValueError, match=name + "kernel 5x5 is larger than the padded input 4x4"):
        conv.forward(np.zeros((2, 1, 4, 4)))
    # the failed calls left the cache of the good forward pass alone
    np.testing.assert_array_equal(conv.backward(dout), dx)
    with pytest.raises(ValueError, match=r"dout must have the forward output's shape \(2, 30, 2, 2\)"):
        conv.backward(np.zeros((2, 30, 3, 3)))


@pytest.mark.parametrize(
    "make_layer",
    [
        lambda: Conv2D(3, 4, 3, padding=1, rng=np.random.default_rng(0), dtype="float64"),
        lambda: MaxPool2D(2),
        lambda: AvgPool2D(3, stride=2),
    ],
)
def test_results_do_not_depend_on_memory_layout(make_layer):
    """Channels-last buffers (what Conv2D returns) and sliced views give the same numbers."""
    rng = np.random.default_rng(11)
    x = _distinct_values((2, 3, 7, 6), 12)
    dout_shape = make_layer().forward(x).shape
    dout = rng.standard_normal(dout_shape)
    layouts = [
        np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2),  # channels-last
        np.repeat(x, 2, axis=3)[..., ::2],  # strided view
        np.asfortranarray(x),
    ]
    reference = make_layer()
    out, dx = reference.forward(x), reference.backward(dout)
    for x_view in layouts:
        layer = make_layer()
        np.testing.assert_allclose(layer.forward(x_view), out, rtol=1e-13, atol=1e-13)
        dout_view = np.ascontiguousarray(dout.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
        np.testing.assert_allclose(layer.backward(dout_view), dx, rtol=1e-13, atol=1e-13)
        for grad, reference_grad in zip(layer.grads, reference.grads):
            np.testing.assert_allclose(grad, reference_grad, rtol=1e-12)


def test_conv2d_padding_lets_a_large_kernel_fit():
    conv = Conv2D(1, 1, 5, padding=1)
    assert conv.forward(np.zeros((1, 1, 3, 3), dtype=np.float32)).shape == (1, 1, 1, 1)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"kernel_size": 0}, ValueError, "Conv2D: kernel_size must be >= 1"),
        ({"kernel_size": (3,)}, TypeError, "Conv2D: kernel_size must be an int or a pair"),
        ({"kernel_size": 3, "stride": 0}, ValueError, "Conv2D: stride must be >= 1"),
        ({"kernel_size": 3, "padding": -1}, ValueError, "Conv2D: padding must be >= 0"),
        ({"kernel_size": 3, "in_channels": 0}, ValueError, "Conv2D: in_channels must be a positive integer, got 0"),
        (
            {"kernel_size": 3, "out_channels": 2.0},
            ValueError,
            "Conv2D: out_channels must be a positive integer, got 2.0",
        ),
    ],
)
def test_conv2d_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        Conv2D(**{"in_channels": 1, "out_channels": 2, **kwargs})


def test_conv2d_config_round_trip():
    conv = Conv2D(3, 8, (3, 5), stride=2, padding=(1, 2), init="xavier")
    config = json.loads(json.dumps(conv.get_config()))
    assert config == {
        "in_channels": 3,
        "out_channels": 8,
        "kernel_size": [3, 5],
        "stride": 2,
        "padding": [1, 2],
        "init": "xavier",
    }
    rebuilt = Conv2D.from_config(config, dtype="float64")
    assert rebuilt.get_config() == conv.get_config()
    assert rebuilt.W.shape == (8, 3, 3, 5) and rebuilt.W.dtype == np.float64
    np.testing.assert_array_equal(rebuilt.W, 0.0)


# ----------------------------------------------------------------- pooling


def test_maxpool_forward_and_backward_by_hand():
    x = np.array([[[[1.0, 2.0, 5.0, 0.0], [4.0, 3.0, 1.0, 6.0], [0.0, 1.0, 2.0, 2.0], [9.0, 1.0, 3.0, 8.0]]]])
    pool = MaxPool2D(2)
    np.testing.assert_array_equal(pool.forward(x), [[[[4.0, 6.0], [9.0, 8.0]]]])
    dx = pool.backward(np.array([[[[10.0, 20.0], [30.0, 40.0]]]]))
    np.testing.assert_array_equal(dx, [[[[0, 0, 0, 0], [10, 0, 0, 20], [0, 0, 0, 0], [30, 0, 0, 40]]]])


def test_maxpool_overlapping_windows_add_up_by_hand():
    x = np.array([[[[1.0, 2.0, 0.0], [0.0, 9.0, 0.0], [3.0, 0.0, 4.0]]]])
    pool = MaxPool2D(2, stride=1)
    np.testing.assert_array_equal(pool.forward(x), np.full((1, 1, 2, 2), 9.0))
    dx = pool.backward(np.ones((1, 1, 2, 2)))
    np.testing.assert_array_equal(dx[0, 0], [[0, 0, 0], [0, 4, 0], [0, 0, 0]])


def test_maxpool_tie_sends_gradient_to_first_maximum_only():
    pool = MaxPool2D(2)
    pool.forward(np.full((1, 1, 2, 2), 3.0))
    np.testing.assert_array_equal(pool.backward(np.full((1, 1, 1, 1), 5.0))[0, 0], [[5, 0], [0, 0]])


def _distinct_values(shape, seed):
    """A random permutation of 0, 0.1, 0.2, ...: no ties, gaps far wider than the step h."""
    return np.random.default_rng(seed).permutation(np.prod(shape)).reshape(shape) * 0.1


@pytest.mark.parametrize(
    "pool_size, stride, hw",
    [(2, None, (4, 4)), (2, None, (5, 7)), (3, 1, (5, 4)), ((2, 3), (1, 2), (4, 7)), (2, 3, (8, 8))],
)
def test_maxpool_gradients(pool_size, stride, hw):
    errors = check_layer(MaxPool2D(pool_size, stride), _distinct_values((2, 3, *hw), 5))
    assert max(errors.values()) < TOLERANCE, errors


def test_avgpool_forward_and_backward_by_hand():
    x = np.array([[[[1.0, 2.0, 5.0, 0.0], [4.0, 3.0, 1.0, 6.0], [0.0, 1.0, 2.0, 2.0], [9.0, 2.0, 3.0, 9.0]]]])
    pool = AvgPool2D(2)
    np.testing.assert_array_equal(pool.forward(x), [[[[2.5, 3.0], [3.0, 4.0]]]])
    dx = pool.backward(np.array([[[[4.0, 8.0], [12.0, 16.0]]]]))
    np.testing.assert_array_equal(dx[0, 0], [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]])


@pytest.mark.parametrize(
    "pool_size, stride, hw",
    [(2, None, (4, 4)), (2, None, (5, 5)), (3, 1, (5, 4)), ((2, 3), (1, 2), (4, 7)), (2, 3, (8, 8))],
)
def test_avgpool_gradients(pool_size, stride, hw):
    x = np.random.default_rng(6).standard_normal((2, 2, *hw))
    errors = check_layer(AvgPool2D(pool_size, stride), x)
    assert max(errors.values()) < TOLERANCE, errors


@pytest.mark.parametrize("pool_class", [MaxPool2D, AvgPool2D])
def test_pooling_keeps_float32_and_shapes(pool_class):
    pool = pool_class(2)
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 5)).astype(np.float32)
    out = pool.forward(x)
    assert out.shape == (2, 3, 3, 2) and out.dtype == np.float32
    dx = pool.backward(np.ones_like(out))
    assert dx.shape == x.shape and dx.dtype == np.float32
    # the last column is in no window (5 = 2*2 + 1) and gets no gradient
    np.testing.assert_array_equal(dx[..., -1], 0.0)


@pytest.mark.parametrize("pool_class", [MaxPool2D, AvgPool2D])
def test_pooling_rejects_bad_input(pool_class):
    pool = pool_class(3)
    name = pool_class.__name__
    expected = rf"{name}\(pool_size=3, stride=3\): expected a 4-D input .*got shape \(4, 9\)"
    with pytest.raises(ValueError, match=expected):
        pool.forward(np.zeros((4, 9)))
    with pytest.raises(ValueError, match=rf"{name}\(.*kernel 3x3 is larger than the padded input 2x5"):
        pool.forward(np.zeros((1, 1, 2, 5)))
    with pytest.raises(RuntimeError, match="backward.. called before forward"):
        pool.backward(np.zeros((1, 1, 1, 1)))
    with pytest.raises(ValueError, match=rf"{name}: pool_size must be >= 1"):
        pool_class(0)


@pytest.mark.parametrize("pool_class", [MaxPool2D, AvgPool2D])
def test_pooling_config_round_trip(pool_class):
    pool = pool_class((2, 3), stride=1)
    config = json.loads(json.dumps(pool.get_config()))
    assert config == {"pool_size": [2, 3], "stride": 1}
    assert pool_class.from_config(config).get_config() == pool.get_config()
    assert pool_class(2).get_config() == {"pool_size": 2, "stride": 2}


# ---------------------------------------------------------- PyTorch parity

# (input shape (N, C, H, W), filters, kernel, stride, padding)
TORCH_CONV_CASES = [
    ((2, 3, 7, 6), 4, 3, 1, 1),
    ((2, 2, 9, 8), 3, (3, 2), 2, (1, 0)),
    ((3, 1, 12, 12), 5, 5, 1, 0),
    ((1, 4, 8, 7), 2, 3, (2, 1), 2),
    ((2, 16, 6, 6), 8, 3, 1, 2),
]


@pytest.mark.parametrize("shape, filters, kernel, stride, pad", TORCH_CONV_CASES)
def test_conv2d_matches_pytorch_forward_and_all_gradients(shape, filters, kernel, stride, pad):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(21)
    conv = Conv2D(shape[1], filters, kernel, stride, pad, rng=rng, dtype="float64")
    conv.b[...] = rng.standard_normal(filters)
    x = rng.standard_normal(shape)
    out = conv.forward(x)
    dout = rng.standard_normal(out.shape)
    dx = conv.backward(dout)

    x_t, w_t, b_t = (torch.tensor(a, requires_grad=True) for a in (x, conv.W, conv.b))
    out_t = torch.nn.functional.conv2d(x_t, w_t, b_t, stride=stride, padding=pad)
    out_t.backward(torch.tensor(dout))
    np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dx, x_t.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(conv.dW, w_t.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(conv.db, b_t.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("pool_class", [MaxPool2D, AvgPool2D])
@pytest.mark.parametrize(
    "shape, pool_size, stride",
    [((2, 3, 8, 8), 2, None), ((2, 2, 7, 9), 3, 2), ((1, 3, 6, 7), (2, 3), (1, 2)), ((2, 1, 9, 9), 2, 3)],
)
def test_pooling_matches_pytorch_forward_and_gradient(pool_class, shape, pool_size, stride):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(22)
    x = _distinct_values(shape, 23) - 1.0  # no ties: the max pool's gradient has one destination
    pool = pool_class(pool_size, stride)
    out = pool.forward(x)
    dout = rng.standard_normal(out.shape)
    dx = pool.backward(dout)

    x_t = torch.tensor(x, requires_grad=True)
    torch_pool = torch.nn.functional.max_pool2d if pool_class is MaxPool2D else torch.nn.functional.avg_pool2d
    out_t = torch_pool(x_t, pool_size, stride=stride)
    out_t.backward(torch.tensor(dout))
    np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dx, x_t.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_conv2d_pickles_without_its_work_arrays_and_computes_the_same_after():
    rng = np.random.default_rng(7)
    conv = Conv2D(2, 3, 3, padding=1, rng=rng, dtype="float64")
    conv.b[...] = rng.standard_normal(3)
    x = rng.standard_normal((4, 2, 8, 8))
    out = conv.forward(x)
    assert conv._col is not None
    data = pickle.dumps(conv)
    assert len(data) < conv._col.nbytes  # the (C*KH*KW + 1) x (OH*OW*N) columns stay out of the pickle
    loaded = pickle.loads(data)
    np.testing.assert_array_equal(loaded.forward(x), out)
    dout = rng.standard_normal(out.shape)
    np.testing.assert_array_equal(loaded.backward(dout), conv.backward(dout))
    np.testing.assert_array_equal(loaded.dW, conv.dW)
