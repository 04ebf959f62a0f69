"""Weight tying: a parameter several layers share is one model parameter whose gradient sums its uses."""

from __future__ import annotations

import numpy as np
import pytest

from numnet import io
from numnet.gradient import TOLERANCE, gradient_check
from numnet.layers import Affine, Dense, Embedding, SoftmaxWithLoss, Tanh, TimeAffine, TimeLSTM
from numnet.models import Sequential
from numnet.optimizers import Adam
from numnet.training import Trainer

V, D = 11, 6


def tied_language_model(seed: int = 0, dtype=np.float64) -> Sequential:
    """The book's tying: the output projection wraps the embedding matrix transposed."""
    rng = np.random.default_rng(seed)
    embedding = Embedding(V, D, init=0.5, rng=rng, dtype=dtype)
    lstm = TimeLSTM(D, D, init=0.5, rng=rng, dtype=dtype)
    lstm.b[...] = 0.5 * rng.standard_normal(lstm.b.shape)
    output = TimeAffine(embedding.W.T, 0.1 * rng.standard_normal(V).astype(dtype))
    return Sequential([embedding, lstm, output], SoftmaxWithLoss(), seed=seed)


def batch(seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.integers(0, V, (2, 4)), rng.integers(0, V, (2, 4))


def test_the_shared_matrix_is_one_parameter():
    model = tied_language_model()
    embedding, _, output = model.layers
    assert model.param_names == ["0.W", "1.Wx", "1.Wh", "1.b", "2.b"]
    assert model.params[0] is embedding.W
    assert sum(p is embedding.W for p in model.params) == 1
    assert np.shares_memory(output.W, embedding.W)


def test_its_gradient_is_the_sum_of_both_uses_and_checks_numerically():
    model = tied_language_model(seed=1)
    x, t = batch()
    grads = model.gradient(x, t)
    embedding, _, output = model.layers
    np.testing.assert_allclose(grads["0.W"], embedding.dW + output.dW.T, rtol=1e-15)
    assert not np.allclose(embedding.dW, 0) and not np.allclose(output.dW, 0)
    # h = 1e-4: the loss is a mean over positions, so its gradients are small and h = 1e-5 sits in rounding noise
    errors = gradient_check(model, x, t, h=1e-4)
    assert max(errors.values()) < TOLERANCE, errors


def test_the_same_array_in_two_layers_is_tied_too():
    rng = np.random.default_rng(0)
    first = Dense(4, 4, init="xavier", rng=rng, dtype=np.float64)
    again = Affine(first.W, rng.standard_normal(4))
    model = Sequential([first, Tanh(), again], SoftmaxWithLoss())
    assert model.param_names == ["0.W", "0.b", "2.b"]
    x, t = rng.standard_normal((5, 4)), rng.integers(0, 4, 5)
    grads = model.gradient(x, t)
    np.testing.assert_allclose(grads["0.W"], first.dW + again.dW, rtol=1e-15)
    assert max(gradient_check(model, x, t).values()) < TOLERANCE


def test_the_optimizer_sees_and_updates_one_array():
    model = tied_language_model(dtype=np.float32)
    embedding, _, output = model.layers
    optimizer = Adam(lr=0.01)
    x, t = batch()
    before = embedding.W.copy()
    Trainer(model, optimizer).train_step(x, t)
    assert len([key for key in optimizer.state_dict() if key.startswith("m.")]) == len(model.params)
    assert not np.allclose(embedding.W, before)
    np.testing.assert_array_equal(output.W, embedding.W.T)  # still one matrix


def test_save_and_load_keep_it_shared(tmp_path):
    model = tied_language_model()
    path = io.save(model, tmp_path / "tied.npz")
    with np.load(path) as archive:
        assert "param/0.W" in archive.files and "param/2.W" not in archive.files
    loaded = io.load(path)
    embedding, _, output = loaded.layers
    assert np.shares_memory(output.W, embedding.W) and loaded.param_names == model.param_names
    x, _ = batch()
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    embedding.W[0, 0] += 1.0  # one array: a change shows through both uses
    assert output.W[0, 0] == embedding.W[0, 0]
    copy = model.astype(np.float32)
    assert np.shares_memory(copy.layers[2].W, copy.layers[0].W) and copy.dtype == np.float32


def test_a_partial_overlap_is_refused():
    W = np.zeros((4, 6))
    with pytest.raises(ValueError, match=r"layers\[1\]\.W overlaps another parameter"):
        Sequential([Affine(W[:, :3], np.zeros(3)), Affine(W[:3, 3:], np.zeros(3))], SoftmaxWithLoss())
