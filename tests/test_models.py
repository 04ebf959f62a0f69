"""Models: gradient checks, float64 end to end, predictions, configs and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from numnet.callbacks import EarlyStopping
from numnet.gradient import gradient_check, numerical_gradient, relative_error
from numnet.layers import Affine, Dense, Flatten, ReLU, Sigmoid, SoftmaxWithLoss, Tanh
from numnet.models import MLP, MODEL_REGISTRY, LogisticRegression, Sequential, SimpleConvNet, TwoLayerNet
from numnet.optimizers import SGD
from numnet.schedules import StepDecay
from numnet.training import Trainer

TOLERANCE = 1e-6


def _classification_batch(rng: np.random.Generator, n: int, d: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    return rng.standard_normal((n, d)), rng.integers(0, k, size=n)


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("sizes", [[5, 3], [4, 6, 3], [3, 7, 5, 4]])
def test_mlp_softmax_gradients_match_numerical(activation, sizes):
    rng = np.random.default_rng(len(sizes))
    model = MLP(sizes, activation=activation, seed=1, dtype="float64")
    x, t = _classification_batch(rng, 4, sizes[0], sizes[-1])
    errors = gradient_check(model, x, t)
    assert set(errors) == set(model.param_names)
    assert max(errors.values()) < TOLERANCE, errors


def test_mlp_sigmoid_and_identity_outputs_gradients_match_numerical():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 4))
    binary = MLP([4, 6, 1], activation="tanh", output="sigmoid", seed=0)
    assert max(gradient_check(binary, x, rng.integers(0, 2, size=(5, 1))).values()) < TOLERANCE
    regression = MLP([4, 6, 2], output="identity", seed=0)
    assert max(gradient_check(regression, x, rng.standard_normal((5, 2))).values()) < TOLERANCE


def test_two_layer_net_and_logistic_regression_gradients_match_numerical():
    rng = np.random.default_rng(4)
    net = TwoLayerNet(6, 5, 3, weight_init_std=0.5, seed=0)
    x, t = _classification_batch(rng, 4, 6, 3)
    errors = gradient_check(net, x, t)
    assert set(errors) == {"W1", "b1", "W2", "b2"} and max(errors.values()) < TOLERANCE
    logreg = LogisticRegression(6, init="normal", seed=0)
    assert max(gradient_check(logreg, x, rng.integers(0, 2, size=4)).values()) < TOLERANCE


def test_dense_on_image_batches_gradient_check():
    rng = np.random.default_rng(5)
    model = Sequential(
        [Dense(2 * 3 * 3, 4, rng=rng, dtype="float64"), Tanh(), Dense(4, 3, rng=rng, dtype="float64")],
        SoftmaxWithLoss(),
    )
    x = rng.standard_normal((3, 2, 3, 3))
    assert max(gradient_check(model, x, np.array([0, 2, 1])).values()) < TOLERANCE
    model.forward(x, np.array([0, 2, 1]))
    assert model.backward(input_grad=True).shape == x.shape


@pytest.mark.parametrize("leading", [[], [Flatten()]])
def test_backward_returns_the_input_gradient_only_on_request_with_the_same_parameter_gradients(leading):
    rng = np.random.default_rng(6)
    model = Sequential(
        [*leading, Dense(2 * 3 * 3, 4, rng=rng, dtype="float64"), Tanh(), Dense(4, 3, rng=rng, dtype="float64")],
        SoftmaxWithLoss(),
    )
    x, t = rng.standard_normal((3, 2, 3, 3)), np.array([0, 2, 1])
    model.forward(x, t)
    dx = model.backward(input_grad=True)
    with_dx = [grad.copy() for grad in model.grads]
    numeric = numerical_gradient(lambda _: model.forward(x, t), x)
    assert relative_error(dx, numeric) < TOLERANCE
    model.forward(x, t)
    assert model.backward() is None
    for grad, expected in zip(model.grads, with_dx):
        np.testing.assert_array_equal(grad, expected)


def test_gradient_check_leaves_a_float32_model_unchanged():
    model = MLP([3, 4, 2], seed=0)
    before = {k: v.copy() for k, v in model.named_arrays().items()}
    gradient_check(model, np.ones((2, 3)), np.array([0, 1]))
    assert model.dtype == np.float32
    assert all(np.array_equal(before[k], v) for k, v in model.named_arrays().items())


def test_two_layer_net_textbook_gradient_and_numerical_gradient_agree():
    rng = np.random.default_rng(6)
    net = TwoLayerNet(5, 4, 3, weight_init_std=0.3, seed=2, dtype="float64")
    x, t = _classification_batch(rng, 3, 5, 3)
    t_one_hot = np.eye(3)[t]
    numeric = net.numerical_gradient(x, t_one_hot)
    analytic = {k: v.copy() for k, v in net.gradient(x, t_one_hot).items()}
    for name in ("W1", "b1", "W2", "b2"):
        np.testing.assert_allclose(analytic[name], numeric[name], rtol=1e-5, atol=1e-8)


def test_float64_model_computes_in_float64_throughout():
    model = MLP([4, 5, 3], seed=0, dtype="float64")
    x, t = np.ones((2, 4), dtype=np.float32), np.array([0, 2])
    assert model.predict(x).dtype == np.float64
    model.gradient(x, t)
    assert all(g.dtype == np.float64 for g in model.grads)


def test_float32_is_the_default_and_input_is_cast_once():
    model = MLP([4, 5, 3], seed=0)
    assert model.dtype == np.float32
    assert model.predict(np.ones((2, 4))).dtype == np.float32


def test_param_names_are_stable_and_aligned():
    model = MLP([4, 5, 6, 3], seed=0)
    assert model.param_names == ["0.W", "0.b", "2.W", "2.b", "4.W", "4.b"]
    assert [p.shape for p in model.params] == [(4, 5), (5,), (5, 6), (6,), (6, 3), (3,)]
    assert all(p.shape == g.shape for p, g in zip(model.params, model.grads))


def test_grads_are_written_in_place():
    model = MLP([3, 4, 2], seed=0)
    grads = list(model.grads)
    model.gradient(np.ones((2, 3)), np.array([0, 1]))
    assert all(a is b for a, b in zip(grads, model.grads))
    assert any(np.any(g != 0) for g in grads)


def test_same_seed_gives_same_weights_and_different_seeds_differ():
    a, b, c = MLP([4, 3, 2], seed=7), MLP([4, 3, 2], seed=7), MLP([4, 3, 2], seed=8)
    assert all(np.array_equal(p, q) for p, q in zip(a.params, b.params))
    assert not np.array_equal(a.params[0], c.params[0])


def test_accuracy_reads_argmax_of_scores_and_one_hot_targets():
    identity = Sequential([Affine(np.eye(3), np.zeros(3))], SoftmaxWithLoss())
    x = np.array([[1.0, 0, 0], [0, 2.0, 0], [0, 0, 3.0], [5.0, 0, 0]])
    assert identity.accuracy(x, np.array([0, 1, 2, 2])) == 0.75
    assert identity.accuracy(x, np.eye(3)[[0, 1, 2, 2]]) == 0.75
    assert identity.accuracy(x, np.array([0, 1, 2, 2]), batch_size=3) == 0.75


def test_predict_proba_is_softmax_of_predict():
    model = MLP([4, 3], seed=0, dtype="float64")
    x = np.random.default_rng(0).standard_normal((5, 4))
    scores, proba = model.predict(x), model.predict_proba(x)
    expected = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(proba, expected, rtol=1e-12)
    np.testing.assert_allclose(model.predict(x, batch_size=2), scores, rtol=1e-12)


def test_logistic_regression_starts_at_one_half_and_predicts_labels():
    model = LogisticRegression(3)
    x = np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 1.0]])
    np.testing.assert_array_equal(model.predict_proba(x), [0.5, 0.5])
    assert model.loss(x, np.array([1, 0])) == pytest.approx(np.log(2), rel=1e-6)
    model.params[0][...] = np.array([[1.0], [0.0], [0.0]])
    np.testing.assert_array_equal(model.predict(x), [1, 0])
    assert model.predict(x).shape == (2,)
    assert model.accuracy(x, np.array([1, 0])) == 1.0
    assert model.accuracy(x, np.array([[1], [1]])) == 0.5


def test_mlp_defaults_to_he_for_relu_and_xavier_for_sigmoid():
    relu = MLP([1000, 500], activation="relu", seed=0)
    sigmoid = MLP([1000, 500, 2], activation="sigmoid", seed=0)
    assert relu.params[0].std() == pytest.approx(np.sqrt(2 / 1000), rel=0.02)
    assert sigmoid.params[0].std() == pytest.approx(np.sqrt(1 / 1000), rel=0.02)


def test_config_round_trip_rebuilds_the_same_architecture():
    for model in (
        MLP([4, 6, 3], activation="tanh", seed=0),
        TwoLayerNet(4, 5, 3),
        LogisticRegression(4),
        Sequential([Dense(4, 3), ReLU(), Dense(3, 2)], SoftmaxWithLoss()),
    ):
        clone = type(model).from_config(model.get_config(), dtype="float32")
        assert clone.get_config() == model.get_config()
        assert [p.shape for p in clone.params] == [p.shape for p in model.params]
        assert MODEL_REGISTRY[type(model).__name__] is type(model)


def test_astype_copies_weights_and_changes_dtype():
    model = MLP([4, 5, 3], seed=0)
    x = np.random.default_rng(1).standard_normal((3, 4)).astype(np.float32)
    as64 = model.astype("float64")
    assert as64.dtype == np.float64 and model.dtype == np.float32
    np.testing.assert_allclose(as64.predict(x), model.predict(x), rtol=1e-5)


def test_load_named_arrays_checks_everything_before_writing():
    model = MLP([4, 3, 2], seed=0)
    before = model.params[0].copy()
    arrays = {k: np.zeros_like(v) for k, v in model.named_arrays().items()}
    arrays["2.W"] = np.zeros((4, 4), dtype=np.float32)
    with pytest.raises(ValueError, match=r"2\.W.*\(4, 4\).*\(3, 2\)"):
        model.load_named_arrays(arrays)
    np.testing.assert_array_equal(model.params[0], before)
    with pytest.raises(ValueError, match="missing"):
        model.load_named_arrays({"0.W": before})


def test_summary_prints_and_returns_a_table_of_layers_output_shapes_and_parameters(capsys):
    text = MLP([784, 100, 10], seed=0).summary()
    assert capsys.readouterr().out == text + "\n"
    lines = text.splitlines()
    assert lines[0] == "MLP: input (N, 784) float features"
    assert lines[2].split() == ["#", "layer", "output", "shape", "parameters"]
    assert lines[4].split() == ["0", "Dense", "W", "(784,", "100),", "b", "(100,)", "(N,", "100)", "78,500"]
    assert lines[5].split() == ["1", "ReLU", "(N,", "100)", "0"]
    assert lines[6].split()[-3:] == ["(N,", "10)", "1,010"]
    assert lines[-1] == "79,510 parameters, float32"
    assert MLP([3, 2]).summary(print_fn=None) and capsys.readouterr().out == ""


def test_summary_follows_images_through_convolutions_and_pools():
    lines = SimpleConvNet((1, 28, 28), seed=0).summary(print_fn=None).splitlines()
    assert "(N, 30, 24, 24)" in lines[4] and "780" in lines[4].split()
    assert "(N, 30, 12, 12)" in lines[6] and "(N, 100)" in lines[7] and "432,100" in lines[7].split()


def test_reprs_show_the_sizes():
    assert repr(MLP([784, 100, 10])) == "MLP(784-100-10, 79,510 parameters)"
    assert repr(MLP([784, 100, 10], batch_norm=True, dropout=0.5)) == "MLP(784-100-10, 79,710 parameters)"
    assert repr(SimpleConvNet()) == "SimpleConvNet(input (N, 1, 28, 28) float features, 6 layers, 433,890 parameters)"
    model = Sequential([Dense(3, 2)], SoftmaxWithLoss())
    assert repr(model) == "Sequential(3-2, 8 parameters)"
    assert repr(Trainer(model, SGD(lr=0.1))).startswith("Trainer(Sequential, SGD(lr=0.1")
    assert repr(Trainer(model, SGD(lr=0.1))).endswith("metrics=['accuracy'], epochs done=0)")
    assert repr(EarlyStopping(patience=2)) == "EarlyStopping(monitor='val_loss', patience=2, best=inf)"
    assert repr(StepDecay(step_size=3, gamma=0.5)) == "StepDecay(step_size=3, gamma=0.5)"
    x = np.random.default_rng(0).standard_normal((4000, 3)).astype(np.float32)
    history = Trainer(model, SGD(lr=0.1)).fit(x, (x[:, 0] > 0).astype(int), epochs=2, batch_size=2, verbose=0)
    assert len(history.loss) == 4000 and len(repr(history)) < 100  # no thousands of losses


def test_bad_construction_arguments_are_named():
    with pytest.raises(ValueError, match="activation.*'swish'"):
        MLP([4, 2], activation="swish")
    with pytest.raises(ValueError, match="output"):
        MLP([4, 2], output="softplus")
    with pytest.raises(ValueError, match="sizes"):
        MLP([4])
    with pytest.raises(ValueError, match=r"sizes\[1\]"):
        MLP([4, 0, 2])
    with pytest.raises(ValueError, match="init"):
        MLP([4, 2], init="uniformish")
    with pytest.raises(ValueError, match="hidden_size"):
        TwoLayerNet(4, -1, 2)
    with pytest.raises(TypeError, match=r"layers\[1\]"):
        Sequential([Dense(2, 2), "relu"], SoftmaxWithLoss())
    with pytest.raises(TypeError, match="loss"):
        Sequential([Dense(2, 2)], Sigmoid())


def test_data_that_does_not_fit_is_refused_before_any_change():
    model = MLP([784, 100, 10], seed=0)
    before = [p.copy() for p in model.params]
    with pytest.raises(ValueError, match=r"784.*100|100.*784"):
        model.gradient(np.zeros((5, 100)), np.zeros(5, dtype=int))
    with pytest.raises(ValueError, match="same number of samples"):
        model.gradient(np.zeros((5, 784)), np.zeros(4, dtype=int))
    with pytest.raises(ValueError, match="t"):
        model.gradient(np.zeros((2, 784)), np.array([0, 10]))
    assert all(np.array_equal(p, b) for p, b in zip(model.params, before))
