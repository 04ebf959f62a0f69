"""Bad numbers in, clear errors out: NaN, infinities and non-numbers are refused before training or prediction."""

from __future__ import annotations

import numpy as np
import pytest

from numnet._checks import check_finite
from numnet.layers import ContextMean, Dense, Embedding, SoftmaxWithLoss
from numnet.models import MLP, Sequential
from numnet.optimizers import SGD
from numnet.training import Trainer


@pytest.fixture
def model() -> MLP:
    return MLP([3, 4, 2], seed=0)


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.standard_normal((6, 3)).astype(np.float32), np.array([0, 1, 0, 1, 1, 0])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_check_finite_names_the_argument_and_the_first_bad_index(bad):
    x = np.zeros((3, 4))
    x[1, 2] = bad
    x[2, 0] = bad
    with pytest.raises(ValueError, match=rf"x must hold finite numbers, but x\[1, 2\] is {bad}"):
        check_finite("x", x)


@pytest.mark.parametrize(
    ("values", "what"),
    [
        (np.array([1 + 2j, 3 + 0j]), "complex numbers"),
        (np.array(["1.5", "2"]), "strings"),
        (np.array([b"1", b"2"]), "bytes"),
        (np.array(["2024-01-01"], dtype="datetime64[D]"), "datetimes"),
        (np.array([1, 2], dtype="timedelta64[s]"), "time spans"),
        (np.array([1.0, None], dtype=object), "Python objects"),
    ],
)
def test_check_finite_refuses_what_is_not_real_numbers(values, what):
    with pytest.raises(TypeError, match=rf"t must hold real numbers \(bool, integer or float\), got dtype .*{what}"):
        check_finite("t", values)


def test_check_finite_accepts_numbers_and_sums_that_overflow():
    check_finite("x", np.array([True, False]))
    check_finite("x", np.arange(5, dtype=np.int64))
    check_finite("x", np.full(4, 3e38, np.float32))  # the sum overflows, the values are finite
    check_finite("x", np.empty((0, 3)))


@pytest.mark.parametrize("method", ["predict", "predict_proba", "predict_labels", "accuracy", "loss"])
def test_prediction_on_nan_input_is_refused_and_never_returns_a_label(model, method):
    x, t = _data()
    x[4, 1] = np.nan
    call = getattr(model, method)
    with pytest.raises(ValueError, match=r"x must hold finite numbers, but x\[4, 1\] is nan"):
        call(x, t) if method in ("accuracy", "loss") else call(x)


def test_prediction_refuses_strings_instead_of_casting_them(model):
    with pytest.raises(TypeError, match="x must be a real numeric array for this model, got dtype <U3"):
        model.predict(np.array([["1.5", "2.0", "3.0"]]))
    with pytest.raises(TypeError, match="got dtype complex64"):
        model.predict(np.ones((1, 3), np.complex64))


def test_integer_ids_are_checked_as_ids_not_as_floats():
    model = Sequential([Embedding(5, 2), ContextMean(), Dense(2, 3)], SoftmaxWithLoss(), seed=0)
    ids = np.array([[0, 4], [3, 1]])
    assert model.predict_labels(ids).shape == (2,)
    Trainer(model, SGD()).fit(ids, np.array([0, 2]), epochs=1, verbose=0)
    with pytest.raises(TypeError, match="x must hold integer ids"):
        model.predict(np.array([[0.0, np.nan]]))


@pytest.mark.parametrize("where", ["x", "t"])
def test_training_on_nan_or_inf_is_refused_before_any_change(model, where):
    x, t = _data()
    t = t.astype(np.float64)
    if where == "x":
        x[2, 0] = np.inf
    else:
        t[3] = np.nan
    before = [p.copy() for p in model.params]
    with pytest.raises(ValueError, match=rf"{where} must hold finite numbers, but {where}\[{2 if where == 'x' else 3}"):
        Trainer(model, SGD()).fit(x, t, epochs=1, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.params))


def test_validation_data_is_named(model):
    x, t = _data()
    x_val = x.copy()
    x_val[0, 0] = np.nan
    with pytest.raises(
        ValueError, match=r"validation_data does not fit the model: x_val must hold finite numbers, but x_val\[0, 0\]"
    ):
        Trainer(model, SGD()).fit(x, t, epochs=1, verbose=0, validation_data=(x_val, t))


def test_datetime_targets_are_refused(model):
    x, _ = _data()
    with pytest.raises(TypeError, match="t must hold real numbers.*datetimes"):
        Trainer(model, SGD()).fit(x, np.arange(6).astype("datetime64[D]"), epochs=1, verbose=0)
