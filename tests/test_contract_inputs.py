"""Models know their input (issue 9): the recorded InputSpec, ids never cast, clear errors before any state
changes, and metadata that survives saving, loading and astype."""

from __future__ import annotations

import numpy as np
import pytest

from numnet import io
from numnet.layers import Dense, Embedding, ReLU, SoftmaxWithLoss, Tanh, TimeAffine
from numnet.models import MLP, InputSpec, Sequential, SimpleConvNet
from numnet.optimizers import Adam
from numnet.training import Trainer
from sequence_task import IGNORE, STEPS, VOCAB, copy_task, sequence_model

# ------------------------------------------------------------ the recorded input


def test_input_spec_is_inferred_from_the_first_layers():
    assert MLP([4, 8, 3]).input_spec == InputSpec("float", (4,))
    assert SimpleConvNet((1, 8, 8), filters=2, hidden_size=4, output_size=2).input_spec == InputSpec("float", (1, 8, 8))
    embedding = Sequential([Embedding(5, 2), TimeAffine(np.zeros((2, 3)), np.zeros(3))], SoftmaxWithLoss())
    assert embedding.input_spec == InputSpec("ids", None)
    assert sequence_model().input_spec == InputSpec("ids", (None,))


def test_input_kind_must_fit_the_first_layer():
    with pytest.raises(ValueError, match="input_kind='float' does not fit the first layer Embedding"):
        Sequential([Embedding(5, 2)], SoftmaxWithLoss(), input_kind="float")
    with pytest.raises(ValueError, match="input_kind must be one of"):
        Sequential([Dense(2, 2)], SoftmaxWithLoss(), input_kind="tokens")


@pytest.mark.parametrize(
    "make",
    [
        lambda: sequence_model(),
        lambda: Sequential([Dense(6, 3, rng=0), ReLU(), Dense(3, 2, rng=1)], SoftmaxWithLoss(), input_shape=(2, 3)),
        lambda: Sequential([Dense(4, 3, rng=0)], SoftmaxWithLoss()),
    ],
)
def test_input_spec_is_in_the_config_and_survives_saving(tmp_path, make):
    model = make()
    rebuilt = Sequential.from_config(model.get_config())
    assert rebuilt.input_spec == model.input_spec
    if model.input_spec != InputSpec("float", (4,)):  # the explicit specs are written into the config
        assert InputSpec.from_config(model.get_config()["input"]) == model.input_spec
    io.save(model, tmp_path / "model.npz")
    assert io.load(tmp_path / "model.npz").input_spec == model.input_spec
    assert io.model_info(tmp_path / "model.npz")["input"] == model.input_spec.to_config()


def test_integer_ids_reach_the_embedding_as_integers():
    model = sequence_model()
    seen = []
    forward = model.layers[0].forward
    model.layers[0].forward = lambda x, train=True: seen.append(x) or forward(x, train)
    ids, labels = copy_task(4, seed=0)
    for dtype in (np.int8, np.uint16, np.int64):
        model.predict(ids.astype(dtype))
        model.loss(ids.astype(dtype), labels)
        Trainer(model, Adam()).train_step(ids.astype(dtype), labels)
    assert len(seen) >= 9
    assert all(x.dtype.kind in "iu" for x in seen)
    # an id beyond float32's exact integers stays exact: 2**24 + 1 has no float32
    assert InputSpec("ids", None).prepare(np.array([[2**24 + 1]]), np.dtype(np.float32))[0, 0] == 2**24 + 1


def test_float_features_are_cast_to_the_model_dtype():
    model = MLP([4, 3], dtype=np.float64)
    for dtype in (np.int32, np.bool_, np.float32):
        assert model.prepare_input(np.ones((2, 4), dtype=dtype)).dtype == np.float64


# ------------------------------------------------------------ bad input, before any state change


def _ids_model_trainer():
    model = sequence_model()
    return model, Trainer(model, Adam(lr=0.01))


def _mlp_trainer():
    model = MLP([4, 8, 3], seed=0)
    return model, Trainer(model, Adam(lr=0.01))


BAD_IDS = [
    (np.zeros((3, STEPS)), TypeError, r"x must hold integer ids for this model, got dtype float64"),
    (np.zeros((3, STEPS), dtype=bool), TypeError, r"x must hold integer ids for this model, got dtype bool"),
    (np.zeros((3, STEPS, 1), dtype=int), ValueError, r"x must be integer ids of shape \(N, any,\), got shape"),
    (np.zeros(3, dtype=int), ValueError, r"x must be integer ids of shape \(N, any,\), got shape \(3,\)"),
    (np.full((3, STEPS), VOCAB), ValueError, r"x holds id 8 at index \(0, 0\); expected ids in \[0, 8\)"),
    (np.full((3, STEPS), "a"), TypeError, r"x must hold integer ids"),
]
BAD_FEATURES = [
    (np.zeros((3, 5)), ValueError, r"x must be float features of shape \(N, 4,\), got shape \(3, 5\)"),
    (np.zeros((3, 4), dtype=complex), TypeError, r"x must be a real numeric array for this model, got dtype complex"),
    (np.full((3, 4), "1.0"), TypeError, r"x must be a real numeric array for this model, got dtype <U3"),
    (np.zeros((3, 4), dtype="datetime64[s]"), TypeError, r"x must be a real numeric array .* datetime64"),
    (np.zeros((3, 4), dtype=object), TypeError, r"x must be a real numeric array .* object"),
    ([[1.0, 2.0], [3.0]], TypeError, r"x must be a numeric array, could not convert it"),
    (np.float64(1.0), ValueError, r"x must be a batch with a leading sample axis, got a scalar"),
]


def _assert_unchanged(model, trainer, before):
    arrays, step_count, rng_state = before
    for name, array in model.named_arrays().items():
        np.testing.assert_array_equal(array, arrays[name])
    assert trainer.optimizer.step_count == step_count
    assert model.rng.bit_generator.state == rng_state
    assert trainer.history.epochs == 0 and trainer.history.loss == []


def _snapshot(model, trainer):
    return (
        {name: array.copy() for name, array in model.named_arrays().items()},
        trainer.optimizer.step_count,
        model.rng.bit_generator.state,
    )


def _calls(x, t):
    """Every entry point that takes data, called with x and t."""
    return [
        lambda trainer: trainer.fit(x, t, epochs=1, verbose=0),
        lambda trainer: trainer.train_step(x, t),
        lambda trainer: trainer.evaluate(x, t),
        lambda trainer: trainer.model.predict(x),
        lambda trainer: trainer.model.loss(x, t),
    ]


@pytest.mark.parametrize(("x", "error", "words"), BAD_IDS)
def test_bad_input_for_an_ids_model_is_refused_before_any_change(x, error, words):
    model, trainer = _ids_model_trainer()
    _, labels = copy_task(3, seed=0)
    before = _snapshot(model, trainer)
    for call in _calls(x, labels):
        with pytest.raises(error, match=words):
            call(trainer)
        _assert_unchanged(model, trainer, before)


@pytest.mark.parametrize(("x", "error", "words"), BAD_FEATURES)
def test_bad_input_for_a_feature_model_is_refused_before_any_change(x, error, words):
    model, trainer = _mlp_trainer()
    before = _snapshot(model, trainer)
    for call in _calls(x, np.zeros(3, dtype=int)):
        with pytest.raises(error, match=words):
            call(trainer)
        _assert_unchanged(model, trainer, before)


def _bad_targets():
    ids, labels = copy_task(3, seed=0)
    out_of_range = labels.copy()
    out_of_range[2, 1] = VOCAB
    return [
        (ids, out_of_range, {}, ValueError, r"t holds label 8 at index \(2, 1\); expected class ids in \[0, 8\)"),
        (ids, np.full_like(labels, IGNORE), {}, ValueError, "every position of t is ignore_index=-100"),
        (ids, labels[:2], {}, ValueError, "x and t must have the same number of samples, got 3 and 2"),
        (ids, labels[:, :2], {}, ValueError, r"t must be integer labels of shape \(3, 6\)"),
        (ids, labels, {"sample_weight": [1, np.nan, 1]}, ValueError, "sample_weight must be finite and >= 0"),
        (ids, labels, {"sample_weight": [1, -1, 1]}, ValueError, "sample_weight must be finite and >= 0"),
        (ids, labels, {"sample_weight": [1, 1]}, ValueError, r"sample_weight must have shape \(3,\)"),
    ]


@pytest.mark.parametrize(("x", "t", "kwargs", "error", "words"), _bad_targets())
def test_bad_targets_for_a_sequence_model_are_refused_before_any_change(x, t, kwargs, error, words):
    model, trainer = _ids_model_trainer()
    before = _snapshot(model, trainer)
    with pytest.raises(error, match=words):
        trainer.fit(x, t, epochs=1, verbose=0, **kwargs)
    _assert_unchanged(model, trainer, before)
    with pytest.raises(error, match=words):
        trainer.train_step(x, t, **kwargs)
    _assert_unchanged(model, trainer, before)


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"validation_data": (np.zeros((2, STEPS)), np.zeros((2, STEPS), int))}, TypeError, "validation_data.*x_val"),
        ({"validation_data": (np.zeros((2, STEPS), int), np.full((2, STEPS), 9))}, ValueError, "validation_data.*9"),
        ({"validation_data": (np.zeros((2, STEPS), int),)}, ValueError, r"validation_data must be a pair"),
        ({"validation_split": 1.5}, ValueError, r"validation_split must be a fraction in \(0, 1\), got 1.5"),
        ({"validation_split": 0}, ValueError, r"validation_split must be a fraction in \(0, 1\), got 0"),
        ({"validation_split": 0.5, "validation_data": ([[1]], [[1]])}, ValueError, "not both"),
        ({"epochs": 0}, ValueError, "epochs"),
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"seed": -1}, ValueError, "seed must be a non-negative integer"),
    ],
)
def test_bad_fit_arguments_are_refused_before_any_change_even_to_the_model_generator(kwargs, error, words):
    model, trainer = _ids_model_trainer()
    ids, labels = copy_task(6, seed=0)
    before = _snapshot(model, trainer)
    with pytest.raises(error, match=words):
        trainer.fit(ids, labels, verbose=0, **{"epochs": 1, **kwargs})
    _assert_unchanged(model, trainer, before)


# ------------------------------------------------------------ metadata


def test_metadata_survives_save_load_checkpoint_and_astype(tmp_path):
    model = MLP([4, 3], seed=0)
    model.metadata = {"dataset": "iris", "class_names": ["setosa", "versicolor", "virginica"]}
    io.save(model, tmp_path / "model.npz")
    assert io.load(tmp_path / "model.npz").metadata == model.metadata
    assert io.model_info(tmp_path / "model.npz")["metadata"] == model.metadata
    io.save_checkpoint(tmp_path / "checkpoint.npz", model, Adam(), epoch=0, rng_state=None, history={})
    assert io.load_checkpoint(tmp_path / "checkpoint.npz").model.metadata == model.metadata
    copy = model.astype(np.float64)
    assert copy.metadata == model.metadata
    copy.metadata["dataset"] = "other"  # a copy, not the same dict
    assert model.metadata["dataset"] == "iris"


def test_metadata_must_be_json(tmp_path):
    model = MLP([4, 3], seed=0)
    model.metadata = {"mean": np.float32(0.5), "bad": object()}
    with pytest.raises(TypeError):
        io.save(model, tmp_path / "model.npz")
    assert not (tmp_path / "model.npz").exists()


def test_an_ids_model_round_trips_with_identical_predictions(tmp_path):
    model = Sequential(
        [Embedding(VOCAB, 4, rng=0), Tanh(), TimeAffine(np.ones((4, 3), np.float32), np.zeros(3, np.float32))],
        SoftmaxWithLoss(ignore_index=IGNORE),
    )
    ids, _ = copy_task(5, seed=1)
    io.save(model, tmp_path / "model.npz")
    loaded = io.load(tmp_path / "model.npz")
    assert loaded.loss_fn.ignore_index == IGNORE
    np.testing.assert_array_equal(loaded.predict(ids), model.predict(ids))
