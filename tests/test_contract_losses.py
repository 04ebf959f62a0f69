"""The loss contract of issue 9: losses over (N, ..., K) with ignore_index and sample weights, checked
numerically in float64 and against PyTorch; the layers a sequence model needs (Embedding, TimeAffine)."""

from __future__ import annotations

import numpy as np
import pytest

from numnet.gradient import TOLERANCE, check_layer, check_loss
from numnet.layers import Embedding, MeanSquaredLoss, SigmoidWithLoss, SoftmaxWithLoss, TimeAffine

PAD = -100


def _sequence_batch(seed: int, n: int = 3, steps: int = 4, k: int = 5, ignored: float = 0.3):
    """Scores (N, T, K) and labels (N, T) with about ``ignored`` of the positions set to PAD (never all)."""
    rng = np.random.default_rng(seed)
    scores = rng.standard_normal((n, steps, k))
    labels = rng.integers(0, k, size=(n, steps))
    labels[rng.random((n, steps)) < ignored] = PAD
    labels[0, 0] = rng.integers(0, k)
    return scores, labels


def _weights(seed: int, n: int) -> np.ndarray:
    return np.random.default_rng(seed + 100).uniform(0.1, 3.0, size=n)


# ------------------------------------------------------------ float64 gradient checks


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_softmax_with_loss_gradient_on_sequences_with_integer_labels(seed):
    scores, labels = _sequence_batch(seed, ignored=0.0)
    assert check_loss(SoftmaxWithLoss(), scores, labels) < TOLERANCE


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_softmax_with_loss_gradient_on_sequences_with_ignore_index(seed):
    scores, labels = _sequence_batch(seed)
    assert (labels == PAD).any()
    assert check_loss(SoftmaxWithLoss(ignore_index=PAD), scores, labels) < TOLERANCE


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_softmax_with_loss_gradient_on_sequences_with_sample_weights(seed):
    scores, labels = _sequence_batch(seed, ignored=0.0)
    assert check_loss(SoftmaxWithLoss(), scores, labels, _weights(seed, 3)) < TOLERANCE
    scores, labels = _sequence_batch(seed)
    assert check_loss(SoftmaxWithLoss(ignore_index=PAD), scores, labels, _weights(seed, 3)) < TOLERANCE


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_softmax_with_loss_gradient_on_sequences_with_one_hot_targets(seed):
    scores, labels = _sequence_batch(seed, ignored=0.0)
    one_hot = np.eye(5)[labels]
    assert check_loss(SoftmaxWithLoss(), scores, one_hot) < TOLERANCE
    assert check_loss(SoftmaxWithLoss(), scores, one_hot, _weights(seed, 3)) < TOLERANCE


@pytest.mark.parametrize("loss_class", [SigmoidWithLoss, MeanSquaredLoss])
@pytest.mark.parametrize("shape", [(6,), (6, 1), (3, 4, 2)])
@pytest.mark.parametrize("weighted", [False, True])
def test_sigmoid_and_squared_loss_gradients_in_every_shape(loss_class, shape, weighted):
    rng = np.random.default_rng(len(shape))
    scores = 2 * rng.standard_normal(shape)
    t = rng.uniform(0, 1, size=shape) if loss_class is SigmoidWithLoss else rng.standard_normal(shape)
    weights = _weights(len(shape), shape[0]) if weighted else None
    assert check_loss(loss_class(), scores, t, weights) < TOLERANCE


@pytest.mark.parametrize("loss_class", [SigmoidWithLoss, MeanSquaredLoss])
def test_sigmoid_and_squared_loss_weights_are_a_weighted_mean_of_samples(loss_class):
    rng = np.random.default_rng(4)
    scores, t = rng.standard_normal((3, 2, 2)), rng.uniform(0, 1, size=(3, 2, 2))
    weights = np.array([1.0, 2.0, 0.0])
    per_sample = [loss_class().forward(scores[i : i + 1], t[i : i + 1]) for i in range(3)]
    expected = np.dot(weights, per_sample) / weights.sum()
    assert loss_class().forward(scores, t, weights) == pytest.approx(expected, rel=1e-13)
    # integer weights of one are the plain mean
    assert loss_class().forward(scores, t, np.ones(3, dtype=int)) == pytest.approx(np.mean(per_sample), rel=1e-13)


def test_softmax_sample_weights_weigh_each_sample_positions():
    scores, labels = _sequence_batch(5)
    weights = np.array([2.0, 0.5, 1.0])
    per_position = np.repeat(weights[:, None], 4, axis=1)[labels != PAD]
    kept = labels != PAD
    log_y = scores - np.log(np.exp(scores).sum(axis=-1, keepdims=True))
    picked = np.take_along_axis(log_y, np.where(kept, labels, 0)[..., None], axis=-1)[..., 0][kept]
    expected = -np.sum(per_position * picked) / per_position.sum()
    assert SoftmaxWithLoss(ignore_index=PAD).forward(scores, labels, weights) == pytest.approx(expected, rel=1e-13)


# ------------------------------------------------------------ ignore_index semantics


def test_ignored_positions_change_neither_loss_nor_gradient():
    scores, labels = _sequence_batch(7)
    ignored = labels == PAD
    loss = SoftmaxWithLoss(ignore_index=PAD)
    value, grad = loss.forward(scores, labels), loss.backward()
    np.testing.assert_array_equal(grad[ignored], 0.0)
    other = scores.copy()
    other[ignored] = 50 * np.random.default_rng(1).standard_normal((ignored.sum(), 5))
    assert loss.forward(other, labels) == value
    np.testing.assert_array_equal(loss.backward(), grad)
    # the counted positions alone, as a flat batch, give the same loss and the same gradient there
    flat = SoftmaxWithLoss()
    assert flat.forward(scores[~ignored], labels[~ignored]) == pytest.approx(value, rel=1e-14)
    np.testing.assert_allclose(flat.backward(), grad[~ignored], rtol=1e-13, atol=1e-17)


def test_an_ignore_index_inside_the_class_range_ignores_that_class():
    scores, labels = _sequence_batch(8, ignored=0.0)
    loss = SoftmaxWithLoss(ignore_index=0)
    value = loss.forward(scores, labels)
    kept = labels != 0
    assert value == pytest.approx(SoftmaxWithLoss().forward(scores[kept], labels[kept]), rel=1e-14)
    np.testing.assert_array_equal(loss.backward()[~kept], 0.0)


@pytest.mark.parametrize("weights", [None, np.array([0.0, 1.0])])
def test_ignore_index_on_every_counted_position_is_an_error(weights):
    loss = SoftmaxWithLoss(ignore_index=PAD)
    loss.forward(np.zeros((2, 3, 4)), np.zeros((2, 3), dtype=int))
    cached = loss.y, loss.t, loss.scale
    labels = np.full((2, 3), PAD)
    if weights is not None:
        labels[0] = 1  # only the sample of weight 0 has counted positions
    with pytest.raises(ValueError, match="every position of t is ignore_index=-100"):
        loss.forward(np.zeros((2, 3, 4)), labels, weights)
    with pytest.raises(ValueError, match="ignore_index=-100"):
        loss.check_targets(labels, (2, 3, 4), weights)
    assert (loss.y, loss.t, loss.scale) == cached


def test_labels_out_of_range_name_the_value_and_its_index():
    loss = SoftmaxWithLoss(ignore_index=PAD)
    labels = np.zeros((2, 3), dtype=int)
    labels[1, 2] = 5
    words = r"t holds label 5 at index \(1, 2\); expected class ids in \[0, 5\) or ignore_index=-100"
    with pytest.raises(ValueError, match=words):
        loss.forward(np.zeros((2, 3, 5)), labels)
    labels[1, 2] = -1
    with pytest.raises(ValueError, match=r"t holds label -1 at index \(1, 2\)"):
        loss.forward(np.zeros((2, 3, 5)), labels)
    assert loss.y is None


@pytest.mark.parametrize(
    ("loss", "scores", "t"),
    [
        (SoftmaxWithLoss(ignore_index=PAD), np.zeros((3, 2, 4)), np.zeros((3, 2), dtype=int)),
        (SoftmaxWithLoss(), np.zeros((3, 4)), np.eye(4)[:3]),
        (SigmoidWithLoss(), np.zeros((3, 2)), np.ones((3, 2))),
        (MeanSquaredLoss(), np.zeros((3, 1)), np.ones(3)),
    ],
)
@pytest.mark.parametrize(
    ("weights", "words"),
    [
        (np.array([1.0, np.nan, 1.0]), "sample_weight must be finite and >= 0, got nan at index 1"),
        (np.array([1.0, 1.0, np.inf]), "sample_weight must be finite and >= 0, got inf at index 2"),
        (np.array([1.0, -0.5, 1.0]), "sample_weight must be finite and >= 0, got -0.5 at index 1"),
        (np.array([1.0, 1.0]), r"sample_weight must have shape \(3,\), one weight per sample, got \(2,\)"),
        (np.zeros(3), "sample_weight gives every sample a weight of zero"),
    ],
)
def test_bad_sample_weights_are_refused_before_anything_is_cached(loss, scores, t, weights, words):
    loss.forward(scores + 1, t)
    cached = dict(vars(loss))
    with pytest.raises(ValueError, match=words):
        loss.forward(scores, t, weights)
    with pytest.raises(ValueError, match=words):
        loss.check_targets(t, scores.shape, weights)
    assert vars(loss).keys() == cached.keys()
    assert all(vars(loss)[name] is value for name, value in cached.items())


@pytest.mark.parametrize("weights", [np.array(["a", "b", "c"]), np.array([1 + 1j, 1, 1])])
def test_non_numeric_sample_weights_are_a_type_error(weights):
    with pytest.raises(TypeError, match="sample_weight must be numeric"):
        MeanSquaredLoss().forward(np.zeros(3), np.zeros(3), weights)


def test_ignore_index_must_be_an_int():
    for bad in (1.5, "pad", True):
        with pytest.raises(TypeError, match="ignore_index must be an int or None"):
            SoftmaxWithLoss(ignore_index=bad)
    assert SoftmaxWithLoss(ignore_index=np.int64(-1)).get_config() == {"ignore_index": -1}
    assert SoftmaxWithLoss.from_config({"ignore_index": -1}).ignore_index == -1


# ------------------------------------------------------------ PyTorch parity (float64)


def _torch_grad(torch, fn, scores: np.ndarray, *args):
    x = torch.tensor(scores, dtype=torch.float64, requires_grad=True)
    value = fn(x, *args)
    value.backward()
    return value.item(), x.grad.numpy()


@pytest.mark.parametrize("shape", [(7, 4), (3, 5, 4)])
@pytest.mark.parametrize("ignore_index", [None, PAD])
def test_softmax_with_loss_equals_torch_cross_entropy(shape, ignore_index):
    torch = pytest.importorskip("torch")
    functional = torch.nn.functional
    rng = np.random.default_rng(len(shape))
    scores = 3 * rng.standard_normal(shape)
    labels = rng.integers(0, shape[-1], size=shape[:-1])
    if ignore_index is not None:
        labels.reshape(-1)[[1, 3, 4]] = ignore_index
    loss = SoftmaxWithLoss(ignore_index=ignore_index)
    value, grad = loss.forward(scores, labels), loss.backward()

    def cross_entropy(x, t):  # torch wants the class axis at dim 1: (N, K, T)
        x = x if x.ndim == 2 else x.movedim(-1, 1)
        return functional.cross_entropy(x, t, ignore_index=-100 if ignore_index is None else ignore_index)

    expected, expected_grad = _torch_grad(torch, cross_entropy, scores, torch.tensor(labels))
    assert value == pytest.approx(expected, rel=1e-13)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-12, atol=1e-16)


def test_softmax_with_loss_with_sample_weights_equals_torch_weighted_cross_entropy():
    torch = pytest.importorskip("torch")
    scores, labels = _sequence_batch(9)
    weights = _weights(9, 3)
    loss = SoftmaxWithLoss(ignore_index=PAD)
    value, grad = loss.forward(scores, labels, weights), loss.backward()

    def weighted(x, t, w):
        per_position = torch.nn.functional.cross_entropy(x.movedim(-1, 1), t, ignore_index=PAD, reduction="none")
        w = w[:, None] * (t != PAD)
        return (w * per_position).sum() / w.sum()

    expected, expected_grad = _torch_grad(torch, weighted, scores, torch.tensor(labels), torch.tensor(weights))
    assert value == pytest.approx(expected, rel=1e-13)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-12, atol=1e-16)


@pytest.mark.parametrize("shape", [(6,), (6, 1), (2, 3, 4)])
def test_sigmoid_with_loss_equals_torch_bce_with_logits(shape):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    scores, t = 4 * rng.standard_normal(shape), rng.uniform(0, 1, size=shape)
    loss = SigmoidWithLoss()
    value, grad = loss.forward(scores, t), loss.backward()
    expected, expected_grad = _torch_grad(
        torch, torch.nn.functional.binary_cross_entropy_with_logits, scores, torch.tensor(t)
    )
    assert value == pytest.approx(expected, rel=1e-13)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-12, atol=1e-16)


@pytest.mark.parametrize("shape", [(6,), (6, 1), (2, 3, 4)])
def test_mean_squared_loss_equals_torch_mse(shape):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    scores, t = rng.standard_normal(shape), rng.standard_normal(shape)
    loss = MeanSquaredLoss()
    value, grad = loss.forward(scores, t), loss.backward()
    expected, expected_grad = _torch_grad(torch, torch.nn.functional.mse_loss, scores, torch.tensor(t))
    assert value == pytest.approx(expected, rel=1e-13)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-12, atol=1e-16)


# ------------------------------------------------------------ Embedding and TimeAffine


def _ids_with_repeats() -> np.ndarray:
    ids = np.array([[1, 4, 1, 0], [4, 4, 6, 1]])
    assert len(np.unique(ids)) < ids.size
    return ids


def test_embedding_gradient_with_repeated_ids():
    layer = Embedding(7, 3, init=1.0, rng=0, dtype=np.float64)
    errors = check_layer(layer, _ids_with_repeats())
    assert set(errors) == {"W"}
    assert errors["W"] < TOLERANCE


def test_embedding_rows_of_absent_ids_get_no_gradient_and_ids_no_gradient():
    layer = Embedding(7, 3, rng=0, dtype=np.float64)
    ids = _ids_with_repeats()
    layer.forward(ids)
    assert layer.backward(np.ones((2, 4, 3))) is None
    counts = np.bincount(ids.reshape(-1), minlength=7)
    np.testing.assert_array_equal(layer.dW, np.repeat(counts[:, None], 3, axis=1).astype(float))


@pytest.mark.parametrize("shape", [(2, 5, 3), (4, 3), (2, 2, 2, 3)])
def test_time_affine_gradients(shape):
    rng = np.random.default_rng(0)
    layer = TimeAffine(rng.standard_normal((3, 4)), rng.standard_normal(4))
    errors = check_layer(layer, rng.standard_normal(shape))
    assert set(errors) == {"x", "W", "b"}
    assert max(errors.values()) < TOLERANCE


def test_time_affine_is_an_affine_at_every_position():
    rng = np.random.default_rng(1)
    w, b, x = rng.standard_normal((3, 4)), rng.standard_normal(4), rng.standard_normal((2, 5, 3))
    out = TimeAffine(w, b).forward(x)
    assert out.shape == (2, 5, 4)
    np.testing.assert_allclose(out, np.einsum("ntd,dk->ntk", x, w) + b, rtol=1e-13)


def test_embedding_gradient_equals_torch_embedding():
    torch = pytest.importorskip("torch")
    ids = _ids_with_repeats()
    layer = Embedding(7, 3, init=1.0, rng=0, dtype=np.float64)
    dout = np.random.default_rng(5).standard_normal((2, 4, 3))
    out = layer.forward(ids)
    layer.backward(dout)

    reference = torch.nn.Embedding(7, 3, dtype=torch.float64)
    with torch.no_grad():
        reference.weight.copy_(torch.tensor(layer.W))
    torch_out = reference(torch.tensor(ids))
    torch_out.backward(torch.tensor(dout))
    np.testing.assert_array_equal(out, torch_out.detach().numpy())
    np.testing.assert_allclose(layer.dW, reference.weight.grad.numpy(), rtol=1e-14, atol=1e-16)


@pytest.mark.parametrize("ids", [np.array([[0.0, 1.0]]), np.array([[True, False]])])
def test_embedding_refuses_non_integer_ids(ids):
    layer = Embedding(3, 2)
    with pytest.raises(TypeError, match="x must be an array of integer ids"):
        layer.forward(ids)
    assert layer.ids is None


def test_embedding_names_an_id_out_of_range_and_where_it_is():
    layer = Embedding(3, 2)
    with pytest.raises(ValueError, match=r"x holds id 3 at index \(1, 0\); expected ids in \[0, 3\)"):
        layer.forward(np.array([[0, 1], [3, 2]]))
    assert layer.ids is None


# ------------------------------------------------------------ batches checked once per fit


@pytest.mark.parametrize(
    ("loss", "scores", "t", "weights", "expected_total"),
    [
        (SoftmaxWithLoss(ignore_index=PAD), np.ones((2, 3, 4)), np.array([[1, PAD, 2], [PAD, PAD, 0]]), None, 3.0),
        (SoftmaxWithLoss(ignore_index=PAD), np.ones((2, 3, 4)), np.array([[1, PAD, 2], [PAD, 3, 0]]), [0.5, 2], 5.0),
        (SoftmaxWithLoss(), np.ones((2, 4)), np.eye(4)[:2], [0.5, 2], 2.5),
        (SigmoidWithLoss(), np.ones((2, 3)), np.ones((2, 3)), None, 6.0),
        (MeanSquaredLoss(), np.ones((2, 3)), np.ones((2, 3)), [1, 3], 12.0),
    ],
)
def test_total_weight_is_the_denominator_of_the_mean(loss, scores, t, weights, expected_total):
    loss.forward(scores, t, weights)
    assert loss.total_weight == expected_total


@pytest.mark.parametrize(
    ("loss", "t", "weights"),
    [
        (SoftmaxWithLoss(ignore_index=PAD), np.full((2, 3), PAD), None),
        (SoftmaxWithLoss(ignore_index=PAD), np.array([[PAD, PAD, PAD], [1, 2, 3]]), [1.0, 0.0]),
        (SoftmaxWithLoss(), np.zeros((2, 3), dtype=int), [0, 0]),
        (SigmoidWithLoss(), np.ones((2, 3, 4)), [0, 0]),
        (MeanSquaredLoss(), np.ones((2, 3, 4)), [0.0, 0.0]),
    ],
)
def test_a_checked_batch_with_nothing_to_count_has_zero_loss_and_gradient(loss, t, weights):
    """The training loop checks a fit's data once (something counts), then passes checked=True per batch:
    a mini-batch of padding only, or of zero weights, must not stop training half way."""
    scores = np.random.default_rng(0).standard_normal((2, 3, 4))
    with pytest.raises(ValueError, match="ignore_index|weight of zero"):
        loss.forward(scores, t, weights)
    assert loss.forward(scores, t, weights, checked=True) == 0.0
    assert loss.total_weight == 0.0
    grad = loss.backward()
    assert grad.shape == scores.shape and not grad.any()
