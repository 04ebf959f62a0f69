"""Model presets: which network for which dataset, built with the dataset's metadata."""

from __future__ import annotations

import numpy as np
import pytest

from numnet import io
from numnet.data.catalogue import DATASETS, Dataset, load_dataset
from numnet.models import MLP, DeepConvNet, LogisticRegression, SimpleConvNet, TwoLayerNet
from numnet.presets import PRESETS, TRAINING_DEFAULTS, attach_dataset, build_model, model_inputs, training_defaults


def test_every_dataset_has_defaults_naming_a_preset_and_every_preset_says_what_it_is():
    assert set(TRAINING_DEFAULTS) == set(DATASETS)
    assert {defaults.model for defaults in TRAINING_DEFAULTS.values()} <= set(PRESETS)
    assert list(PRESETS) == ["mlp", "two-layer", "logreg", "cnn", "deep-cnn"]
    for name, preset in PRESETS.items():
        assert preset.name == name and len(preset.description) > 20
    assert training_defaults("planar").activation == "tanh"
    with pytest.raises(ValueError, match="unknown dataset 'nope'"):
        training_defaults("nope")


def test_the_default_model_of_a_dataset_carries_its_name_and_class_names():
    model = build_model(None, "mnist-mini", seed=0)
    assert isinstance(model, MLP) and model.get_config()["sizes"] == [784, 256, 10]
    assert model.get_config()["activation"] == "relu"
    assert model.metadata == {"dataset": "mnist-mini", "class_names": list("0123456789")}
    planar = build_model(None, DATASETS["planar"])
    assert planar.get_config()["sizes"] == [2, 4, 2] and planar.get_config()["activation"] == "tanh"


def test_the_metadata_survives_saving(tmp_path):
    model = build_model("logreg", "catvnoncat")  # no data needed to build it
    assert isinstance(model, LogisticRegression) and model.get_config()["n_features"] == 64 * 64 * 3
    loaded = io.load(io.save(model, tmp_path / "m.npz"))
    assert loaded.metadata == {"dataset": "catvnoncat", "class_names": ["non-cat", "cat"]}


def test_options_override_the_defaults_and_the_seed_fixes_the_weights():
    model = build_model("mlp", "spiral", hidden=[8, 6], activation="sigmoid", init="xavier", seed=3)
    assert model.get_config()["sizes"] == [2, 8, 6, 3] and model.get_config()["activation"] == "sigmoid"
    again = build_model("mlp", "spiral", hidden=[8, 6], activation="sigmoid", init="xavier", seed=3)
    other = build_model("mlp", "spiral", hidden=[8, 6], activation="sigmoid", init="xavier", seed=4)
    for a, b in zip(model.params, again.params):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(model.params[0], other.params[0])


def test_logreg_is_softmax_regression_beyond_two_classes():
    model = build_model("logreg", "spiral")
    assert isinstance(model, MLP) and model.get_config()["sizes"] == [2, 3]
    assert not np.any(model.params[0])  # zeros, as the course starts


def test_the_textbook_networks():
    two_layer = build_model("two-layer", "mnist-mini", hidden=[50], seed=0)
    assert isinstance(two_layer, TwoLayerNet) and two_layer.get_config()["hidden_size"] == 50
    cnn = build_model("cnn", "mnist-mini", hidden=[20])
    assert isinstance(cnn, SimpleConvNet) and cnn.get_config()["input_shape"] == [1, 28, 28]
    assert cnn.get_config()["hidden_size"] == 20
    photos = build_model("cnn", "catvnoncat")
    assert photos.get_config()["input_shape"] == [3, 64, 64] and photos.get_config()["output_size"] == 2
    deep = build_model("deep-cnn", "mnist-mini", seed=0)
    assert isinstance(deep, DeepConvNet) and deep.get_config()["hidden_size"] == 50  # the book's width
    wider = build_model("deep-cnn", "catvnoncat", hidden=[64])
    assert wider.get_config()["input_shape"] == [3, 64, 64] and wider.params[-4].shape == (64 * 8 * 8, 64)


@pytest.mark.parametrize(
    ("name", "dataset", "options", "message"),
    [
        ("two-layer", "spiral", {"hidden": [4, 4]}, "two-layer has exactly one hidden layer, got hidden widths 4 4"),
        ("two-layer", "spiral", {"activation": "tanh"}, "two-layer always uses ReLU"),
        ("two-layer", "spiral", {"init": "he"}, r"N\(0, 0.01²\)"),
        ("logreg", "spiral", {"hidden": [4]}, "logreg has no hidden layer"),
        ("logreg", "spiral", {"activation": "relu"}, "logreg has no hidden activation"),
        ("cnn", "spiral", {}, r"cnn needs image data, but dataset spiral has samples of shape \(2,\)"),
        ("cnn", "mnist-mini", {"hidden": [4, 4]}, "cnn has exactly one dense hidden layer"),
        ("two-layer", "spiral", {"dropout": 0.5}, "two-layer has no dropout; use model mlp or cnn"),
        ("logreg", "spiral", {"batch_norm": True}, "logreg has no batch norm; use model mlp or cnn"),
        ("deep-cnn", "mnist-mini", {"batch_norm": True}, "deep-cnn has no batch norm; use model mlp or cnn"),
        ("mlp", "spiral", {"dropout": 1.0}, r"dropout must be a rate in \[0, 1\), got 1.0"),
        ("deep-cnn", "mnist-mini", {"activation": "tanh"}, "model deep-cnn always uses ReLU"),
        ("deep-cnn", "planar", {}, r"deep-cnn needs image data, but dataset planar has samples of shape \(2,\)"),
        ("resnet", "spiral", {}, "unknown model preset 'resnet'; choose from mlp, two-layer, logreg, cnn, deep-cnn"),
        ("mlp", "imagenet", {}, "unknown dataset 'imagenet'"),
    ],
)
def test_options_a_preset_does_not_take_are_refused(name, dataset, options, message):
    with pytest.raises(ValueError, match=message):
        build_model(name, dataset, **options)


def test_dropout_and_batch_norm_for_mlps_and_cnns(tmp_path):
    mlp = build_model("mlp", "spiral", hidden=[8], dropout=0.25, batch_norm=True, seed=0)
    assert [type(layer).__name__ for layer in mlp.layers] == ["Dense", "BatchNorm", "ReLU", "Dropout", "Dense"]
    plain = build_model("cnn", "mnist-mini", hidden=[20], seed=0)
    cnn = build_model("cnn", "mnist-mini", hidden=[20], dropout=0.5, batch_norm=True, seed=0)
    assert [type(layer).__name__ for layer in cnn.layers] == [
        "Conv2D",
        "BatchNorm",
        "ReLU",
        "MaxPool2D",
        "Dense",
        "BatchNorm",
        "ReLU",
        "Dropout",
        "Dense",
    ]
    # the same initial weights as the textbook's network, with the new layers between
    np.testing.assert_array_equal(cnn.params[0], plain.params[0])
    assert cnn.layers[1].params[0].shape == (30,) and cnn.layers[5].params[0].shape == (20,)
    assert cnn.metadata["dataset"] == "mnist-mini"
    x = load_dataset("mnist-mini").x_test[:4].reshape(4, 1, 28, 28)
    again = io.load(io.save(cnn, tmp_path / "cnn.npz"))
    np.testing.assert_array_equal(again.predict(x), cnn.predict(x))


def test_model_inputs_shape_a_dataset_for_the_model_and_check_it_fits():
    mnist = load_dataset("mnist-mini")
    x_train, x_test = model_inputs(build_model("mlp", mnist, hidden=[5]), mnist)
    assert x_train.shape == (6000, 784) and x_test.shape == (1000, 784)
    x_train, x_test = model_inputs(build_model("cnn", mnist, hidden=[5]), mnist)
    assert x_train.shape == (6000, 1, 28, 28)
    spiral, planar = load_dataset("spiral"), load_dataset("planar")
    with pytest.raises(ValueError, match="the model predicts 3 classes, but planar has 2"):
        model_inputs(build_model("mlp", spiral), planar)
    with pytest.raises(ValueError, match="the model takes 784 input values per sample, but dataset spiral has 2"):
        model_inputs(build_model("mlp", mnist), spiral)
    broken = Dataset(spiral.info, spiral.x_train.copy(), spiral.t_train, spiral.x_test, spiral.t_test)
    broken.x_train[3, 1] = np.nan
    with pytest.raises(ValueError, match="dataset spiral holds non-finite values .* in its training inputs"):
        model_inputs(build_model("mlp", spiral), broken)


def test_attach_dataset_updates_the_metadata_and_keeps_the_rest():
    model = MLP([2, 3])
    model.metadata["note"] = "kept"
    assert attach_dataset(model, load_dataset("spiral")) is model
    assert model.metadata == {"note": "kept", "dataset": "spiral", "class_names": ["0", "1", "2"]}
