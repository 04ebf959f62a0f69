"""Recurrent layers and attention: gradient checks (cells, time layers, stateful chunks), PyTorch parity, errors."""

from __future__ import annotations

import numpy as np
import pytest

from numnet.gradient import TOLERANCE, check_layer, numerical_gradients, relative_error
from numnet.layers import (
    GRU,
    LAYER_REGISTRY,
    LSTM,
    RNN,
    Dropout,
    Embedding,
    TimeAttention,
    TimeBiLSTM,
    TimeDropout,
    TimeEmbedding,
    TimeGRU,
    TimeLSTM,
    TimeRNN,
)

TIME_LAYERS = [TimeRNN, TimeLSTM, TimeGRU]
CELLS = [RNN, LSTM, GRU]


def randomized(layer, seed: int, scale: float = 0.5):
    """The layer with every parameter (biases too) drawn from N(0, scale^2), so no gradient is trivially zero."""
    rng = np.random.default_rng(seed)
    for param in layer.params:
        param[...] = scale * rng.standard_normal(param.shape)
    return layer


def normal(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape)


def assert_ok(errors: dict[str, float]) -> None:
    assert max(errors.values()) < TOLERANCE, errors


# ------------------------------------------------------------ cells


@pytest.mark.parametrize("cell_cls", CELLS)
@pytest.mark.parametrize("seed", [0, 1])
def test_cell_gradients_of_inputs_states_and_weights(cell_cls, seed):
    n, d, h = 3, 4, 5
    cell = randomized(cell_cls(d, h, dtype=np.float64), seed)
    lstm = cell_cls is LSTM
    x, h_prev, c_prev = normal((n, d), seed + 1), normal((n, h), seed + 2), normal((n, h), seed + 3)
    weights = [normal((n, h), seed + 4), normal((n, h), seed + 5)]

    def outputs():
        out = cell.forward(x, h_prev, c_prev) if lstm else (cell.forward(x, h_prev),)
        return out

    def objective():
        return float(sum(np.sum(o * w) for o, w in zip(outputs(), weights)))

    outputs()
    grads_in = cell.backward(*weights[: 2 if lstm else 1])
    analytic = dict(zip(cell.param_names, [g.copy() for g in cell.grads]))
    analytic.update({"x": grads_in[0], "h_prev": grads_in[1]})
    arrays = {"x": x, "h_prev": h_prev, **dict(zip(cell.param_names, cell.params))}
    if lstm:
        analytic["c_prev"] = grads_in[2]
        arrays["c_prev"] = c_prev
    numeric = numerical_gradients(objective, arrays, 1e-5)
    assert_ok({name: relative_error(analytic[name], numeric[name]) for name in arrays})


@pytest.mark.parametrize("cell_cls, time_cls", list(zip(CELLS, TIME_LAYERS)))
def test_time_layer_equals_its_cell_applied_step_by_step(cell_cls, time_cls):
    n, steps, d, h = 2, 4, 3, 5
    time_layer = randomized(time_cls(d, h, dtype=np.float64), 0)
    cell = cell_cls.from_arrays(*time_layer.params)
    x, h0, c0 = normal((n, steps, d), 1), normal((n, h), 2), normal((n, h), 3)
    lstm = time_cls is TimeLSTM
    time_layer.set_state(h0, c0 if lstm else None)
    hs = time_layer.forward(x)
    state, c = h0, c0
    for t in range(steps):
        if lstm:
            state, c = cell.forward(x[:, t], state, c)
        else:
            state = cell.forward(x[:, t], state)
        np.testing.assert_allclose(hs[:, t], state, rtol=1e-13, atol=1e-14)


# ------------------------------------------------------------ time layers


@pytest.mark.parametrize("layer_cls", TIME_LAYERS)
@pytest.mark.parametrize("n, steps, d, h", [(1, 1, 1, 1), (2, 5, 3, 4), (3, 7, 4, 2)])
def test_time_layer_gradients(layer_cls, n, steps, d, h):
    layer = randomized(layer_cls(d, h, dtype=np.float64), n + steps)
    assert_ok(check_layer(layer, normal((n, steps, d), 7), seed=n))


@pytest.mark.parametrize("layer_cls", TIME_LAYERS)
def test_gradient_of_the_initial_state(layer_cls):
    """After backward, dh (and dc) are the gradient of the state forward started from."""
    n, steps, d, h = 2, 4, 3, 5
    layer = randomized(layer_cls(d, h, dtype=np.float64), 3)
    lstm = layer_cls is TimeLSTM
    layer.set_state(normal((n, h), 1), normal((n, h), 2) if lstm else None)
    x, weights = normal((n, steps, d), 4), normal((n, steps, h), 5)
    layer.forward(x)
    layer.backward(weights)
    analytic = {"h": layer.dh, "c": layer.dc}
    # forward reads the held state arrays, so perturbing them in place perturbs the start
    states = {"h": layer.h, "c": layer.c} if lstm else {"h": layer.h}
    numeric = numerical_gradients(lambda: float(np.sum(layer.forward(x) * weights)), states, 1e-5)
    assert_ok({name: relative_error(analytic[name], numeric[name]) for name in states})
    assert_ok(check_layer(layer, x))  # the parameter and input gradients from that start too


def check_chunk_gradients(layer, x_chunk, start, weights) -> None:
    """The gradient of one chunk, its start held fixed (set back before every evaluation)."""

    def objective():
        layer.set_state(*start)
        return float(np.sum(layer.forward(x_chunk) * weights))

    objective()
    dx = layer.backward(weights)
    analytic = {"x": dx, **dict(zip(layer.param_names, [g.copy() for g in layer.grads]))}
    arrays = {"x": x_chunk, **dict(zip(layer.param_names, layer.params))}
    numeric = numerical_gradients(objective, arrays, 1e-5)
    assert_ok({name: relative_error(analytic[name], numeric[name]) for name in arrays})


@pytest.mark.parametrize("layer_cls", TIME_LAYERS)
def test_stateful_layer_over_several_batches(layer_cls):
    """Truncated BPTT: each chunk starts from the last state of the one before, a constant for its gradient."""
    n, d, h, chunk = 2, 3, 4, 3
    layer = randomized(layer_cls(d, h, stateful=True, dtype=np.float64), 0)
    whole = randomized(layer_cls(d, h, dtype=np.float64), 0)  # same weights, not stateful
    x = normal((n, 4 * chunk, d), 1)
    expected = whole.forward(x)
    for k in range(4):
        x_chunk = x[:, k * chunk : (k + 1) * chunk]
        start = layer.get_state()
        out = layer.forward(x_chunk)
        np.testing.assert_allclose(out, expected[:, k * chunk : (k + 1) * chunk], rtol=1e-12, atol=1e-13)
        np.testing.assert_array_equal(layer.h, out[:, -1])
        carried = layer.get_state()

        check_chunk_gradients(layer, np.array(x_chunk), start, normal(out.shape, 10 + k))
        layer.set_state(*carried)


def test_stateless_layer_starts_from_zeros_or_the_state_it_was_given():
    layer = randomized(TimeLSTM(3, 4, dtype=np.float64), 0)
    x = normal((2, 5, 3), 1)
    first = layer.forward(x)
    np.testing.assert_array_equal(layer.forward(x), first)  # no state carried
    assert layer.h is None
    layer.set_state(normal((2, 4), 2))
    given = layer.forward(x)
    assert not np.allclose(given, first)
    np.testing.assert_array_equal(layer.forward(x), given)  # the given state is kept, not replaced
    layer.reset_state()
    np.testing.assert_array_equal(layer.forward(x), first)


@pytest.mark.parametrize("layer_cls", TIME_LAYERS)
def test_time_layer_keeps_float32(layer_cls):
    layer = layer_cls(3, 4, rng=0)
    out = layer.forward(np.ones((2, 5, 3), dtype=np.float64))
    assert out.dtype == np.float32 and out.shape == (2, 5, 4)
    assert layer.backward(np.ones_like(out)).dtype == np.float32
    assert all(g.dtype == np.float32 for g in layer.grads)


def test_backward_params_writes_the_same_gradients_without_dx():
    layer = randomized(TimeGRU(3, 4, dtype=np.float64), 0)
    x, dout = normal((2, 5, 3), 1), normal((2, 5, 4), 2)
    layer.forward(x)
    layer.backward(dout)
    expected = [g.copy() for g in layer.grads]
    for g in layer.grads:
        g.fill(0)
    layer.forward(x)
    assert layer.backward_params(dout) is None
    for got, want in zip(layer.grads, expected):
        np.testing.assert_array_equal(got, want)


def test_bidirectional_lstm_gradients_and_layout():
    layer = randomized(TimeBiLSTM(3, 4, dtype=np.float64), 0)
    x = normal((2, 5, 3), 1)
    assert_ok(check_layer(layer, x))
    out = layer.forward(x)
    assert out.shape == (2, 5, 8)
    reverse = TimeLSTM.from_arrays(*layer.params[3:])
    np.testing.assert_allclose(out[:, :, 4:], reverse.forward(x[:, ::-1])[:, ::-1], rtol=1e-13)


@pytest.mark.parametrize("layer_cls", [*TIME_LAYERS, *CELLS, TimeBiLSTM])
def test_config_round_trip(layer_cls):
    kwargs = {"stateful": True} if layer_cls in TIME_LAYERS else {}
    layer = layer_cls(3, 4, rng=0, **kwargs)
    rebuilt = LAYER_REGISTRY[layer_cls.__name__].from_config(layer.get_config(), dtype=np.float64)
    assert type(rebuilt) is layer_cls and rebuilt.get_config() == layer.get_config()
    assert [p.shape for p in rebuilt.params] == [p.shape for p in layer.params]
    assert all(p.dtype == np.float64 for p in rebuilt.params)
    assert list(rebuilt.param_names) == [n for n in layer.param_names]


def test_from_arrays_wraps_the_given_arrays():
    Wx, Wh, b = normal((3, 16), 0), normal((4, 16), 1), np.zeros(16)
    layer = TimeLSTM.from_arrays(Wx, Wh, b, stateful=True)
    assert layer.params[0] is Wx and layer.Wh is Wh and layer.b is b and layer.stateful
    with pytest.raises(ValueError, match="shape"):
        TimeLSTM.from_arrays(Wx, normal((4, 15), 1), b)
    with pytest.raises(TypeError, match="takes Wx, Wh, bx, bh"):
        TimeGRU.from_arrays(Wx, Wh, b)


def test_book_names_are_the_layers_that_already_take_sequences():
    assert TimeEmbedding is Embedding and TimeDropout is Dropout
    embedding = TimeEmbedding(10, 3, rng=0)
    assert embedding.forward(np.array([[1, 2, 3], [4, 5, 6]])).shape == (2, 3, 3)


# ------------------------------------------------------------ errors


def test_bad_input_is_refused_with_a_clear_error():
    layer = TimeLSTM(3, 4, stateful=True)
    with pytest.raises(ValueError, match=r"x must have shape \(N, T, 3\)"):
        layer.forward(np.ones((2, 5, 4)))
    with pytest.raises(ValueError, match=r"x must have shape \(N, T, 3\)"):
        layer.forward(np.ones((2, 3)))
    with pytest.raises(TypeError, match="numeric"):
        layer.forward(np.full((2, 5, 3), "a"))
    with pytest.raises(ValueError, match="at least one"):
        layer.forward(np.ones((2, 0, 3)))
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward(np.ones((2, 5, 4)))
    layer.forward(np.ones((2, 5, 3)))
    with pytest.raises(ValueError, match="dout must have the forward output's shape"):
        layer.backward(np.ones((2, 4, 4)))
    with pytest.raises(ValueError, match="holds the state of 2 sequences, but x has 3; call reset_state"):
        layer.forward(np.ones((3, 5, 3)))
    layer.reset_state()
    assert layer.forward(np.ones((3, 5, 3))).shape == (3, 5, 4)
    with pytest.raises(ValueError, match=r"h must have shape \(N, 4\)"):
        layer.set_state(np.ones((3, 5)))
    with pytest.raises(ValueError, match="only an LSTM has a cell state"):
        TimeGRU(3, 4).set_state(np.ones((2, 4)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="input_size must be a positive integer"):
        TimeRNN(0, 4)
    with pytest.raises(TypeError, match="stateful must be True or False"):
        TimeRNN(3, 4, stateful="yes")
    with pytest.raises(ValueError, match=r"h_prev must have shape \(2, 4\)"):
        LSTM(3, 4).forward(np.ones((2, 3)), np.ones((3, 4)), np.ones((2, 4)))


# ------------------------------------------------------------ attention


def book_attention(hs_enc, hs_dec):
    """The book's AttentionWeight + WeightSum, one decoder step at a time."""
    contexts, weights = [], []
    for t in range(hs_dec.shape[1]):
        s = np.sum(hs_enc * hs_dec[:, t : t + 1], axis=2)
        a = np.exp(s - s.max(axis=1, keepdims=True))
        a /= a.sum(axis=1, keepdims=True)
        contexts.append(np.sum(hs_enc * a[:, :, None], axis=1))
        weights.append(a)
    return np.stack(contexts, axis=1), np.stack(weights, axis=1)


@pytest.mark.parametrize("n, t_enc, t_dec, h", [(1, 1, 1, 1), (2, 5, 3, 4), (3, 4, 6, 2)])
def test_attention_equals_the_book_and_its_gradients_check(n, t_enc, t_dec, h):
    attention = TimeAttention()
    hs_enc, hs_dec, weights = normal((n, t_enc, h), 0), normal((n, t_dec, h), 1), normal((n, t_dec, h), 2)
    contexts = attention.forward(hs_enc, hs_dec)
    expected_contexts, expected_weights = book_attention(hs_enc, hs_dec)
    np.testing.assert_allclose(contexts, expected_contexts, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(attention.attention_weights, expected_weights, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(attention.attention_weights.sum(axis=2), 1.0, rtol=1e-14)
    dhs_enc, dhs_dec = attention.backward(weights)
    numeric = numerical_gradients(
        lambda: float(np.sum(attention.forward(hs_enc, hs_dec) * weights)), {"enc": hs_enc, "dec": hs_dec}, 1e-5
    )
    assert_ok({"enc": relative_error(dhs_enc, numeric["enc"]), "dec": relative_error(dhs_dec, numeric["dec"])})


def test_attention_refuses_mismatched_states():
    with pytest.raises(ValueError, match="one N and H"):
        TimeAttention().forward(np.ones((2, 5, 4)), np.ones((2, 3, 5)))


# ------------------------------------------------------------ PyTorch parity (float64, same weights)


def torch_pair(torch, kind: str, d: int, h: int, seed: int, **kwargs):
    """A torch.nn.RNN/LSTM/GRU (batch_first, float64) and numnet layers with its weights, per layer of the stack."""
    torch.manual_seed(seed)
    module = getattr(torch.nn, kind)(d, h, batch_first=True, dtype=torch.float64, **kwargs)
    layer_cls = {"RNN": TimeRNN, "LSTM": TimeLSTM, "GRU": TimeGRU}[kind]

    def arrays(suffix):
        w_ih, w_hh, b_ih, b_hh = (
            getattr(module, f"{name}{suffix}").detach().numpy().copy()
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        )
        return (
            (w_ih.T.copy(), w_hh.T.copy(), b_ih, b_hh) if kind == "GRU" else (w_ih.T.copy(), w_hh.T.copy(), b_ih + b_hh)
        )

    return module, layer_cls, arrays


def torch_grads(module, suffix, kind):
    grads = {name: getattr(module, f"{name}{suffix}").grad.numpy() for name in ("weight_ih", "weight_hh")}
    grads.update({name: getattr(module, f"{name}{suffix}").grad.numpy() for name in ("bias_ih", "bias_hh")})
    return grads


def assert_layer_grads_equal_torch(layer, grads, kind):
    np.testing.assert_allclose(layer.grads[0], grads["weight_ih"].T, rtol=0, atol=1e-10)
    np.testing.assert_allclose(layer.grads[1], grads["weight_hh"].T, rtol=0, atol=1e-10)
    if kind == "GRU":
        np.testing.assert_allclose(layer.grads[2], grads["bias_ih"], rtol=0, atol=1e-10)
        np.testing.assert_allclose(layer.grads[3], grads["bias_hh"], rtol=0, atol=1e-10)
    else:  # one bias b = b_ih + b_hh: its gradient is the gradient of each
        np.testing.assert_allclose(layer.grads[2], grads["bias_ih"], rtol=0, atol=1e-10)
        np.testing.assert_allclose(layer.grads[2], grads["bias_hh"], rtol=0, atol=1e-10)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_forward_and_every_gradient_equal_pytorch(kind, num_layers):
    torch = pytest.importorskip("torch")
    n, steps, d, h = 3, 7, 4, 5
    module, layer_cls, arrays = torch_pair(torch, kind, d, h, seed=num_layers, num_layers=num_layers)
    layers = [layer_cls.from_arrays(*arrays(f"_l{k}")) for k in range(num_layers)]
    x = torch.randn(n, steps, d, dtype=torch.float64, requires_grad=True)
    h0 = torch.randn(num_layers, n, h, dtype=torch.float64, requires_grad=True)
    c0 = torch.randn(num_layers, n, h, dtype=torch.float64, requires_grad=True)
    out, _ = module(x, (h0, c0) if kind == "LSTM" else h0)
    weights = torch.randn(n, steps, h, dtype=torch.float64)
    (out * weights).sum().backward()

    hs = x.detach().numpy()
    for k, layer in enumerate(layers):
        layer.set_state(h0.detach().numpy()[k], c0.detach().numpy()[k] if kind == "LSTM" else None)
        hs = layer.forward(hs)
    np.testing.assert_allclose(hs, out.detach().numpy(), rtol=0, atol=1e-10)
    dout = weights.numpy()
    for k, layer in reversed(list(enumerate(layers))):
        dout = layer.backward(dout)
        assert_layer_grads_equal_torch(layer, torch_grads(module, f"_l{k}", kind), kind)
        np.testing.assert_allclose(layer.dh, h0.grad.numpy()[k], rtol=0, atol=1e-10)
        if kind == "LSTM":
            np.testing.assert_allclose(layer.dc, c0.grad.numpy()[k], rtol=0, atol=1e-10)
    np.testing.assert_allclose(dout, x.grad.numpy(), rtol=0, atol=1e-10)


def test_bidirectional_lstm_equals_pytorch():
    torch = pytest.importorskip("torch")
    n, steps, d, h = 2, 6, 3, 4
    module, _, arrays = torch_pair(torch, "LSTM", d, h, seed=5, bidirectional=True)
    layer = TimeBiLSTM(d, h, dtype=np.float64)
    for name, array in zip(layer.param_names, (*arrays("_l0"), *arrays("_l0_reverse"))):
        layer.share_param(name, array)
    x = torch.randn(n, steps, d, dtype=torch.float64, requires_grad=True)
    out, _ = module(x)
    weights = torch.randn(n, steps, 2 * h, dtype=torch.float64)
    (out * weights).sum().backward()
    np.testing.assert_allclose(layer.forward(x.detach().numpy()), out.detach().numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(layer.backward(weights.numpy()), x.grad.numpy(), rtol=0, atol=1e-10)
    assert_layer_grads_equal_torch(layer.forward_lstm, torch_grads(module, "_l0", "LSTM"), "LSTM")
    assert_layer_grads_equal_torch(layer.backward_lstm, torch_grads(module, "_l0_reverse", "LSTM"), "LSTM")
