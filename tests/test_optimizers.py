"""Tests for numnet.optimizers, against update rules written out by hand."""

from __future__ import annotations

import json
import math
import tracemalloc

import numpy as np
import pytest

from numnet.optimizers import (
    OPTIMIZERS,
    SGD,
    AdaGrad,
    Adam,
    Momentum,
    Nesterov,
    Optimizer,
    RMSprop,
    get_optimizer,
    global_norm,
)

NAMES = sorted(OPTIMIZERS)

# A fixed parameter and three fixed gradients for the hand-unrolled steps.
P0 = np.array([1.0, -2.0, 0.5])
G = [np.array([0.3, -1.2, 2.0]), np.array([-0.5, 0.4, 1.0]), np.array([0.1, 0.1, -3.0])]


def run_steps(optimizer: Optimizer, steps: int = 3) -> list[np.ndarray]:
    """The parameter after each of ``steps`` updates with the fixed gradients G."""
    p = P0.copy()
    history = []
    for g in G[:steps]:
        optimizer.update([p], [g])
        history.append(p.copy())
    return history


def model_arrays(dtype=np.float64, seed=0) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Parameters and gradients shaped like a small network: W1, b1, a conv kernel, b2."""
    rng = np.random.default_rng(seed)
    shapes = [(4, 3), (3,), (2, 3, 2, 2), (2,)]
    params = [rng.standard_normal(s).astype(dtype) for s in shapes]
    grads = [rng.standard_normal(s).astype(dtype) for s in shapes]
    return params, grads


# ------------------------------------------------------- hand-unrolled steps


def test_sgd_steps_by_hand():
    lr = 0.1
    p1 = P0 - lr * G[0]
    p2 = p1 - lr * G[1]
    p3 = p2 - lr * G[2]
    np.testing.assert_allclose(run_steps(SGD(lr=lr)), [p1, p2, p3], rtol=1e-15)
    # One coordinate worked out on paper: 1.0 - 0.1 * 0.3 = 0.97.
    assert run_steps(SGD(lr=lr))[0][0] == pytest.approx(0.97, rel=1e-15)


def test_momentum_steps_by_hand():
    lr, a = 0.1, 0.9
    v1 = -lr * G[0]
    p1 = P0 + v1
    v2 = a * v1 - lr * G[1]
    p2 = p1 + v2
    v3 = a * v2 - lr * G[2]
    p3 = p2 + v3
    np.testing.assert_allclose(run_steps(Momentum(lr=lr, momentum=a)), [p1, p2, p3], rtol=1e-14)
    # Second step of the first coordinate on paper: v2 = 0.9*(-0.03) + 0.05 = 0.023,
    # p2 = 1 - 0.03 + 0.023 = 0.993.
    assert run_steps(Momentum(lr=lr, momentum=a))[1][0] == pytest.approx(0.993, rel=1e-14)


def test_nesterov_steps_by_hand():
    lr, a = 0.1, 0.9
    # p <- p + a^2 v_old - (1 + a) lr g, then v <- a v_old - lr g.
    p1 = P0 - (1 + a) * lr * G[0]
    v1 = -lr * G[0]
    p2 = p1 + a**2 * v1 - (1 + a) * lr * G[1]
    v2 = a * v1 - lr * G[1]
    p3 = p2 + a**2 * v2 - (1 + a) * lr * G[2]
    np.testing.assert_allclose(run_steps(Nesterov(lr=lr, momentum=a)), [p1, p2, p3], rtol=1e-14)


def test_nesterov_tracks_the_lookahead_point_of_the_original_method():
    """Original NAG on theta: v <- a v - lr grad(theta + a v); theta <- theta + v.

    The optimizer's parameter must equal the look-ahead point theta + a v.
    """
    lr, a = 0.05, 0.8
    c = np.array([0.5, 2.0, 3.0])

    def grad(x):
        return 2 * c * x  # gradient of sum(c * x**2)

    theta, v = P0.copy(), np.zeros(3)
    p = P0.copy()
    optimizer = Nesterov(lr=lr, momentum=a)
    for _ in range(6):
        optimizer.update([p], [grad(p)])
        v = a * v - lr * grad(theta + a * v)
        theta = theta + v
        np.testing.assert_allclose(p, theta + a * v, rtol=1e-12)


def test_adagrad_steps_by_hand():
    lr, eps = 0.1, 1e-7
    h1 = G[0] ** 2
    p1 = P0 - lr * G[0] / (np.sqrt(h1) + eps)
    h2 = h1 + G[1] ** 2
    p2 = p1 - lr * G[1] / (np.sqrt(h2) + eps)
    h3 = h2 + G[2] ** 2
    p3 = p2 - lr * G[2] / (np.sqrt(h3) + eps)
    np.testing.assert_allclose(run_steps(AdaGrad(lr=lr)), [p1, p2, p3], rtol=1e-14)
    # The first AdaGrad step moves every coordinate by lr * sign(g) (up to eps).
    np.testing.assert_allclose(p1, P0 - lr * np.sign(G[0]), rtol=1e-6)


def test_rmsprop_steps_by_hand():
    lr, rho, eps = 0.01, 0.9, 1e-7
    h1 = (1 - rho) * G[0] ** 2
    p1 = P0 - lr * G[0] / (np.sqrt(h1) + eps)
    h2 = rho * h1 + (1 - rho) * G[1] ** 2
    p2 = p1 - lr * G[1] / (np.sqrt(h2) + eps)
    h3 = rho * h2 + (1 - rho) * G[2] ** 2
    p3 = p2 - lr * G[2] / (np.sqrt(h3) + eps)
    got = run_steps(RMSprop(lr=lr, decay_rate=rho))
    np.testing.assert_allclose(got, [p1, p2, p3], rtol=1e-14)


def test_adam_steps_by_hand():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    m, v, p = np.zeros(3), np.zeros(3), P0.copy()
    expected = []
    for t, g in enumerate(G, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
        expected.append(p)
    np.testing.assert_allclose(run_steps(Adam(lr=lr)), expected, rtol=1e-13)


def test_adam_first_step_moves_each_coordinate_by_lr_times_sign():
    """With bias correction m_hat = g and v_hat = g**2 on step 1, whatever |g| is."""
    lr = 0.01
    g = np.array([1e-3, -5.0, 1e3, -1e-2])
    p = np.zeros(4)
    Adam(lr=lr).update([p], [g])
    np.testing.assert_allclose(p, -lr * np.sign(g), rtol=1e-4)


def test_a_zero_gradient_leaves_the_parameter_where_it_is():
    for name in NAMES:
        p = P0.copy()
        get_optimizer(name).update([p], [np.zeros(3)])
        np.testing.assert_array_equal(p, P0, err_msg=name)


# ---------------------------------------------------------------- convergence


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("sgd", {"lr": 0.1}),
        ("momentum", {"lr": 0.05}),
        ("nesterov", {"lr": 0.05}),
        ("adagrad", {"lr": 0.5}),
        ("rmsprop", {"lr": 0.01}),
        ("adam", {"lr": 0.05}),
    ],
)
def test_converges_to_the_bottom_of_a_quadratic_bowl(name, kwargs):
    c = np.array([0.5, 1.0, 4.0])  # f(p) = sum(c * p**2), minimum at 0
    p = np.array([3.0, -2.0, 1.5])
    optimizer = get_optimizer(name, **kwargs)
    for _ in range(1000):
        optimizer.update([p], [2 * c * p])
    assert np.max(np.abs(p)) < 1e-6
    assert optimizer.step_count == 1000


# ------------------------------------------------------ weight decay, clipping


def test_weight_decay_by_hand_decays_weights_and_not_biases():
    lr, decay = 0.1, 0.5
    W, b, kernel = np.full((2, 2), 2.0), np.full(2, 2.0), np.full((1, 1, 2, 2), -4.0)
    zero = [np.zeros_like(W), np.zeros_like(b), np.zeros_like(kernel)]
    SGD(lr=lr, weight_decay=decay).update([W, b, kernel], zero)
    np.testing.assert_allclose(W, 2.0 - 0.1 * 0.5 * 2.0)  # 1.9
    np.testing.assert_allclose(kernel, -4.0 + 0.1 * 0.5 * 4.0)  # -3.8
    np.testing.assert_array_equal(b, 2.0)


@pytest.mark.parametrize("name", NAMES)
def test_weight_decay_shrinks_weights_and_leaves_biases(name):
    W, b = np.array([[1.0, -2.0], [3.0, -0.5]]), np.array([1.0, -2.0])
    W0, b0 = W.copy(), b.copy()
    get_optimizer(name, lr=0.1, weight_decay=0.1).update([W, b], [np.zeros_like(W), np.zeros_like(b)])
    assert np.all(np.abs(W) < np.abs(W0))
    np.testing.assert_array_equal(b, b0)


def test_weight_decay_gradient_is_added_to_the_loss_gradient():
    lr, decay = 0.1, 0.01
    W, g = np.array([[1.0, 2.0]]), np.array([[0.5, -0.5]])
    expected = W - lr * (g + decay * W)
    SGD(lr=lr, weight_decay=decay).update([W], [g])
    np.testing.assert_allclose(W, expected, rtol=1e-15)


def test_clip_norm_caps_the_sgd_step_at_lr_times_clip_norm():
    lr, clip = 0.1, 1.0
    params, grads = model_arrays()
    grads = [g * 1e6 for g in grads]
    before = [p.copy() for p in params]
    SGD(lr=lr, clip_norm=clip).update(params, grads)
    steps = [p - b for p, b in zip(params, before)]
    assert global_norm(steps) == pytest.approx(lr * clip, rel=1e-9)
    # The direction is still that of -g: every step is the same multiple of -g.
    ratios = np.concatenate([(-s / g).ravel() for s, g in zip(steps, grads)])
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-6)


def test_clip_norm_leaves_small_gradients_alone():
    params, grads = model_arrays()
    clipped = [p.copy() for p in params]
    assert global_norm(grads) < 100.0
    SGD(lr=0.1).update(params, grads)
    SGD(lr=0.1, clip_norm=100.0).update(clipped, grads)
    for p, q in zip(params, clipped):
        np.testing.assert_array_equal(p, q)


def test_clip_norm_works_on_float32_gradients_too_big_to_square():
    params, grads = model_arrays(np.float32)
    grads = [np.full_like(g, 1e30) for g in grads]
    before = [p.copy() for p in params]
    SGD(lr=0.1, clip_norm=1.0).update(params, grads)
    steps = [(p - b).astype(np.float64) for p, b in zip(params, before)]
    assert global_norm(steps) == pytest.approx(0.1, rel=1e-3)


def test_clipping_comes_before_weight_decay():
    lr, clip, decay = 0.1, 1.0, 0.5
    W, g = np.array([[3.0, 4.0]]), np.array([[30.0, -40.0]])  # |g| = 50
    expected = W - lr * (g / 50.0 * clip + decay * W)
    SGD(lr=lr, clip_norm=clip, weight_decay=decay).update([W], [g])
    np.testing.assert_allclose(W, expected, rtol=1e-14)


def test_a_non_finite_gradient_is_not_hidden_by_clipping():
    p = np.zeros(2)
    SGD(lr=0.1, clip_norm=1.0).update([p], [np.array([np.inf, 1.0])])
    assert np.isinf(p[0])


def test_global_norm_by_hand():
    assert global_norm([np.array([3.0, 4.0])]) == 5.0
    assert global_norm([np.array([[3.0]]), np.array([4.0, 12.0])]) == 13.0
    assert global_norm([np.full(2, 1e30, dtype=np.float32)]) == pytest.approx(math.sqrt(2) * 1e30)
    assert global_norm([np.array([1.0, -np.inf])]) == math.inf
    assert global_norm([]) == 0.0


# ------------------------------------------------- dtype, in place, no copies


def all_options(name: str) -> Optimizer:
    return get_optimizer(name, lr=0.01, weight_decay=0.01, clip_norm=1.0)


@pytest.mark.parametrize("name", NAMES)
def test_float32_stays_float32_and_agrees_with_float64(name):
    params32, grads32 = model_arrays(np.float32)
    params64 = [p.astype(np.float64) for p in params32]
    grads64 = [g.astype(np.float64) for g in grads32]
    opt32, opt64 = all_options(name), all_options(name)
    for _ in range(3):
        opt32.update(params32, grads32)
        opt64.update(params64, grads64)
    assert all(p.dtype == np.float32 for p in params32)
    assert all(a.dtype == np.float32 for key, a in opt32.state_dict().items() if "." in key)
    for p32, p64 in zip(params32, params64):
        np.testing.assert_allclose(p32, p64, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_updates_the_caller_arrays_in_place_and_never_writes_grads(name):
    params, grads = model_arrays()
    objects = list(params)
    before = [p.copy() for p in params]
    grads_before = [g.copy() for g in grads]
    all_options(name).update(params, grads)
    for obj, p, b in zip(objects, params, before):
        assert obj is p
        assert not np.array_equal(obj, b)
    for g, g0 in zip(grads, grads_before):
        np.testing.assert_array_equal(g, g0)


def test_updates_a_view_into_a_larger_array():
    storage = np.ones((2, 3))
    SGD(lr=0.5).update([storage[0]], [np.ones(3)])
    np.testing.assert_array_equal(storage, [[0.5, 0.5, 0.5], [1.0, 1.0, 1.0]])


@pytest.mark.parametrize("name", NAMES)
def test_update_allocates_no_parameter_sized_temporaries(name):
    p, g = np.ones((256, 256)), np.full((256, 256), 0.5)  # 512 KiB each
    optimizer = all_options(name)
    optimizer.update([p], [g])  # state and scratch buffers are created here
    tracemalloc.start()
    try:
        optimizer.update([p], [g])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < p.nbytes // 4


# ------------------------------------------------------------------ state dict


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("options", [{}, {"weight_decay": 0.01, "clip_norm": 1.0}])
def test_state_dict_round_trip_through_npz_continues_bit_identically(name, options, tmp_path):
    params, _ = model_arrays(np.float32)
    rng = np.random.default_rng(1)
    grad_sequence = [[rng.standard_normal(p.shape).astype(np.float32) for p in params] for _ in range(6)]
    kwargs = {"lr": 0.02, **options}

    uninterrupted = [p.copy() for p in params]
    optimizer = get_optimizer(name, **kwargs)
    for grads in grad_sequence:
        optimizer.update(uninterrupted, grads)

    resumed = [p.copy() for p in params]
    first = get_optimizer(name, **kwargs)
    for grads in grad_sequence[:3]:
        first.update(resumed, grads)
    np.savez(tmp_path / "optimizer.npz", **first.state_dict())
    with np.load(tmp_path / "optimizer.npz", allow_pickle=False) as saved:
        second = get_optimizer(name)  # default hyperparameters, replaced by the load
        second.load_state_dict(saved)
    assert second.get_config() == first.get_config()
    assert second.step_count == 3
    for grads in grad_sequence[3:]:
        second.update(resumed, grads)

    for p, q in zip(uninterrupted, resumed):
        np.testing.assert_array_equal(p, q)


def test_state_dict_keys_and_values():
    optimizer = Adam(lr=0.01, clip_norm=2.0)
    params, grads = model_arrays()
    optimizer.update(params, grads)
    state = optimizer.state_dict()
    expected_keys = {"optimizer", "step_count", "lr", "beta1", "beta2", "eps", "weight_decay"}
    expected_keys |= {"clip_norm"} | {f"{s}.{i}" for s in "mv" for i in range(4)}
    assert set(state) == expected_keys
    assert str(state["optimizer"]) == "adam"
    assert state["step_count"].ndim == 0 and int(state["step_count"]) == 1
    assert float(state["clip_norm"]) == 2.0
    # m after one step is (1 - beta1) * g, with g clipped to global norm 2.
    clipped = grads[2] * 2.0 / global_norm(grads)
    np.testing.assert_allclose(state["m.2"], 0.1 * clipped, rtol=1e-14)


def test_state_dict_without_clipping_has_no_clip_norm_and_round_trips():
    state = Momentum(lr=0.5).state_dict()  # before any update: no state lists
    assert "clip_norm" not in state and "v.0" not in state
    restored = Momentum(lr=0.1, clip_norm=3.0)
    restored.load_state_dict(state)
    assert restored.get_config() == Momentum(lr=0.5).get_config()
    assert restored.v == []


def test_state_dict_holds_copies():
    optimizer = Momentum()
    p = P0.copy()
    optimizer.update([p], [G[0]])
    state = optimizer.state_dict()
    state["v.0"][...] = 123.0
    assert not np.any(optimizer.v[0] == 123.0)


def adam_state() -> dict[str, np.ndarray]:
    optimizer = Adam()
    params, grads = model_arrays()
    optimizer.update(params, grads)
    return optimizer.state_dict()


def corrupt(change) -> dict[str, np.ndarray]:
    state = adam_state()
    change(state)
    return state


@pytest.mark.parametrize(
    "state, message",
    [
        (Momentum().state_dict(), "'momentum', expected 'adam'"),
        (corrupt(lambda s: s.pop("optimizer")), "None, expected 'adam'"),
        (corrupt(lambda s: s.pop("beta1")), "missing hyperparameter 'beta1'"),
        (corrupt(lambda s: s.pop("step_count")), "missing 'step_count'"),
        (corrupt(lambda s: s.update(lr=np.array(-1.0))), "lr must be a finite number > 0"),
        (corrupt(lambda s: s.update(lr=np.array([0.1]))), "'lr' must be a 0-d float array"),
        (corrupt(lambda s: s.update(step_count=np.array(1.5))), "'step_count' must be a 0-d int"),
        (corrupt(lambda s: s.update(step_count=np.array(-2))), "step_count must be >= 0"),
        (corrupt(lambda s: s.pop("m.1")), "must be numbered m.0 ... m.2"),
        (corrupt(lambda s: [s.pop("m.3"), s.pop("v.3")]), None),  # consistent: loads
        (corrupt(lambda s: s.pop("m.3")), "state 'v' .* does not match state 'm'"),
        (corrupt(lambda s: s.update({"v.0": np.zeros((5, 5))})), "does not match state 'm'"),
        (corrupt(lambda s: s.update({"m.0": np.zeros((4, 3), int)})), "m.0 must be a floating"),
        (corrupt(lambda s: s.update(extra=np.array(1.0))), r"unexpected keys \['extra'\]"),
    ],
)
def test_load_state_dict_validates_before_changing_anything(state, message):
    optimizer = Adam(lr=0.5)
    params, grads = model_arrays(seed=3)
    optimizer.update(params, grads)
    before = optimizer.state_dict()
    if message is None:
        optimizer.load_state_dict(state)
        assert len(optimizer.m) == 3
        return
    with pytest.raises(ValueError, match=message):
        optimizer.load_state_dict(state)
    after = optimizer.state_dict()
    assert set(after) == set(before)
    for key in before:
        np.testing.assert_array_equal(after[key], before[key])


def test_loaded_state_for_other_parameters_is_refused_at_update():
    optimizer = Adam()
    optimizer.load_state_dict(adam_state())
    p = np.ones((2, 2))
    with pytest.raises(ValueError, match="got 1 params but the optimizer state 'm' holds 4"):
        optimizer.update([p], [np.ones((2, 2))])
    np.testing.assert_array_equal(p, 1.0)


@pytest.mark.parametrize("name", NAMES)
def test_checked_updates_step_exactly_as_checked_ones(name):
    rng = np.random.default_rng(0)
    params = [rng.standard_normal((3, 2)), rng.standard_normal(2)]
    twins = [p.copy() for p in params]
    checking, trusting = OPTIMIZERS[name](lr=0.1), OPTIMIZERS[name](lr=0.1)
    for step in range(3):
        grads = [rng.standard_normal(p.shape) for p in params]
        checking.update(params, grads)
        trusting.update(twins, grads, checked=step > 0)  # the first update checks, as in Trainer.fit
        for p, twin in zip(params, twins):
            np.testing.assert_array_equal(twin, p)


def test_checked_is_ignored_until_an_update_has_checked_the_parameters():
    p = np.ones(3)
    with pytest.raises(TypeError, match=r"grads\[0\] must be a floating-point numpy array"):
        SGD().update([p], [np.ones(3, dtype=int)], checked=True)
    with pytest.raises(ValueError, match="got 1 params but the optimizer state 'm' holds 4"):
        adam = Adam()
        adam.load_state_dict(adam_state())
        adam.update([p], [np.ones(3)], checked=True)
    np.testing.assert_array_equal(p, 1.0)


# ------------------------------------------------------------- bad arguments


@pytest.mark.parametrize(
    "cls, kwargs, argument",
    [
        (SGD, {"lr": 0.0}, "lr"),
        (SGD, {"lr": -0.1}, "lr"),
        (SGD, {"lr": math.nan}, "lr"),
        (SGD, {"lr": math.inf}, "lr"),
        (SGD, {"weight_decay": -1e-4}, "weight_decay"),
        (SGD, {"clip_norm": 0.0}, "clip_norm"),
        (SGD, {"clip_norm": -3.0}, "clip_norm"),
        (Momentum, {"momentum": 1.0}, "momentum"),
        (Momentum, {"momentum": -0.1}, "momentum"),
        (Nesterov, {"momentum": 1.5}, "momentum"),
        (AdaGrad, {"eps": 0.0}, "eps"),
        (RMSprop, {"decay_rate": 1.0}, "decay_rate"),
        (Adam, {"beta1": 1.0}, "beta1"),
        (Adam, {"beta2": -0.5}, "beta2"),
        (Adam, {"eps": -1e-8}, "eps"),
    ],
)
def test_bad_hyperparameters_raise_value_error_naming_argument_and_value(cls, kwargs, argument):
    value = kwargs[argument]
    with pytest.raises(ValueError, match=rf"{cls.__name__}: {argument} must .*got {value!r}"):
        cls(**kwargs)


@pytest.mark.parametrize("value", ["0.1", True, None, [0.1]])
def test_non_numeric_hyperparameters_raise_type_error(value):
    with pytest.raises(TypeError, match="Adam: lr must be a real number"):
        Adam(lr=value)


def test_boundary_hyperparameters_are_accepted():
    assert Momentum(momentum=0.0).momentum == 0.0
    assert Adam(beta1=0.0, beta2=0.0).get_config()["beta2"] == 0.0
    assert SGD(weight_decay=0.0, clip_norm=1e-12).clip_norm == 1e-12
    assert isinstance(Adam(lr=np.float32(0.5)).lr, float)


def assert_update_refused(optimizer, params, grads, error, message):
    before = [p.copy() for p in params]
    with pytest.raises(error, match=message):
        optimizer.update(params, grads)
    for p, b in zip(params, before):
        np.testing.assert_array_equal(p, b)


@pytest.mark.parametrize("name", NAMES)
def test_mismatched_params_and_grads_raise_before_any_change(name):
    params, grads = model_arrays()
    optimizer = get_optimizer(name)
    assert_update_refused(optimizer, params, grads[:3], ValueError, "3 grads")
    bad = grads[:3] + [np.zeros(5)]
    assert_update_refused(optimizer, params, bad, ValueError, r"grads\[3\] has shape \(5,\)")
    bad = grads[:2] + [grads[2].astype(np.int64)] + grads[3:]
    assert_update_refused(optimizer, params, bad, TypeError, r"grads\[2\] must be a floating")
    bad_params = params[:1] + [[0.0, 0.0, 0.0]] + params[2:]
    assert_update_refused(optimizer, bad_params, grads, TypeError, r"params\[1\] must be a float")
    params[3].flags.writeable = False
    assert_update_refused(optimizer, params, grads, ValueError, r"params\[3\] is read-only")
    assert optimizer.step_count == 0


@pytest.mark.parametrize("name", [n for n in NAMES if OPTIMIZERS[n].state_names])
def test_parameters_that_no_longer_match_the_state_raise(name):
    params, grads = model_arrays()
    optimizer = get_optimizer(name)
    optimizer.update(params, grads)
    changed = params[:2] + [np.zeros((2, 3, 3, 3))] + params[3:]
    changed_grads = grads[:2] + [np.zeros((2, 3, 3, 3))] + grads[3:]
    assert_update_refused(optimizer, changed, changed_grads, ValueError, r"params\[2\] has shape")
    as_float32 = [p.astype(np.float32) for p in params]
    grads32 = [g.astype(np.float32) for g in grads]
    assert_update_refused(optimizer, as_float32, grads32, ValueError, "dtype float32")
    assert_update_refused(optimizer, params[:3], grads[:3], ValueError, "got 3 params")
    assert optimizer.step_count == 1


def test_stateless_sgd_accepts_a_different_set_of_parameters():
    optimizer = SGD(lr=1.0)
    params, grads = model_arrays()
    optimizer.update(params, grads)
    p = np.zeros((7,), dtype=np.float32)
    optimizer.update([p], [np.ones(7, dtype=np.float32)])
    np.testing.assert_array_equal(p, -1.0)


# ------------------------------------------------------------------ registry


def test_registry_names_and_classes():
    assert {
        "sgd": SGD,
        "momentum": Momentum,
        "nesterov": Nesterov,
        "adagrad": AdaGrad,
        "rmsprop": RMSprop,
        "adam": Adam,
    } == OPTIMIZERS


def test_defaults_follow_the_textbook():
    assert SGD().get_config() == {"lr": 0.01, "weight_decay": 0.0, "clip_norm": None}
    assert Momentum().momentum == 0.9 and Nesterov().momentum == 0.9
    assert AdaGrad().lr == 0.01 and AdaGrad().eps == 1e-7
    assert (RMSprop().lr, RMSprop().decay_rate) == (0.01, 0.99)
    assert (Adam().lr, Adam().beta1, Adam().beta2, Adam().eps) == (0.001, 0.9, 0.999, 1e-8)


def test_get_optimizer_builds_with_keyword_arguments():
    optimizer = get_optimizer("RMSprop", lr=0.5, decay_rate=0.9, clip_norm=2.0)
    assert isinstance(optimizer, RMSprop)
    assert (optimizer.lr, optimizer.decay_rate, optimizer.clip_norm) == (0.5, 0.9, 2.0)


def test_get_optimizer_rejects_unknown_names_listing_valid_ones():
    valid = "sgd, momentum, nesterov, adagrad, rmsprop, adam"
    with pytest.raises(ValueError, match=f"'adamw'; valid names: {valid}$"):
        get_optimizer("adamw")
    with pytest.raises(TypeError, match="name must be a string"):
        get_optimizer(Adam)


@pytest.mark.parametrize("name", NAMES)
def test_get_config_is_json_able_and_rebuilds_the_optimizer(name):
    optimizer = get_optimizer(name, lr=0.3, weight_decay=0.2, clip_norm=5.0)
    config = json.loads(json.dumps(optimizer.get_config()))
    rebuilt = OPTIMIZERS[name](**config)
    assert rebuilt.get_config() == optimizer.get_config()
    assert repr(rebuilt) == repr(optimizer)
    assert (config["lr"], config["weight_decay"], config["clip_norm"]) == (0.3, 0.2, 5.0)
