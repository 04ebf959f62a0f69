"""array_specs: the arrays a layer or model would make, foreseen from its config without making them.

numnet.io relies on it to check a file before building anything, so it must
agree exactly with what from_config builds, for every layer that owns arrays
and every model class.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numnet import layers as L
from numnet.layers import (
    LAYER_REGISTRY,
    BatchNorm,
    Conv2D,
    Dense,
    Embedding,
    Flatten,
    MaxPool2D,
    NegativeSamplingLoss,
    ReLU,
    SoftmaxWithLoss,
    TimeAffine,
)
from numnet.layers.base import ArraySpec, Layer
from numnet.layers.core import Affine
from numnet.models import (
    MAX_LAYERS,
    MLP,
    MODEL_REGISTRY,
    ConvNet,
    DeepConvNet,
    LogisticRegression,
    Model,
    Sequential,
    SimpleConvNet,
    TwoLayerNet,
)
from numnet.sequence_models import RNNLM, AttentionSeq2seq, PeekySeq2seq, Seq2seq
from numnet.word2vec import CBOW, SimpleCBOW, SimpleSkipGram, SkipGram

#: A layer of every registered class that owns arrays.
LAYERS_WITH_ARRAYS = {
    "Affine": Affine(np.zeros((3, 2), np.float32), np.zeros(2, np.float32)),
    "Dense": Dense(4, 5),
    "Conv2D": Conv2D(2, 3, (3, 2), stride=2, padding=1),
    "BatchNorm": BatchNorm(6),
    "Embedding": Embedding(7, 3),
    "TimeAffine": TimeAffine(np.zeros((3, 5), np.float32), np.zeros(5, np.float32)),
    "RNN": L.RNN(3, 4),
    "LSTM": L.LSTM(3, 4),
    "GRU": L.GRU(3, 4),
    "TimeRNN": L.TimeRNN(2, 5, stateful=True),
    "TimeLSTM": L.TimeLSTM(2, 5),
    "TimeGRU": L.TimeGRU(2, 5),
    "TimeBiLSTM": L.TimeBiLSTM(3, 2),
}


def _described(arrays: dict[str, np.ndarray], trainable: set[str]) -> dict[str, ArraySpec]:
    return {name: ArraySpec(array.shape, array.dtype.kind, name in trainable) for name, array in arrays.items()}


def _layer_arrays(layer: Layer) -> dict[str, np.ndarray]:
    return {**dict(zip(layer.param_names, layer.params)), **{name: getattr(layer, name) for name in layer.state_names}}


def test_every_layer_class_with_arrays_describes_them():
    numnet_layers = {name: cls for name, cls in LAYER_REGISTRY.items() if cls.__module__.startswith("numnet.")}
    owners = sorted(name for name, cls in numnet_layers.items() if cls.param_names or cls.state_names)
    assert owners == sorted(LAYERS_WITH_ARRAYS), "add a sample of the new layer to LAYERS_WITH_ARRAYS"
    for name, layer in LAYERS_WITH_ARRAYS.items():
        specs = type(layer).array_specs(layer.get_config())
        assert specs == _described(_layer_arrays(layer), set(layer.param_names)), name
        assert list(specs) == [*layer.param_names, *layer.state_names]


def test_layers_without_arrays_describe_none_and_unknown_owners_say_so():
    assert ReLU.array_specs({}) == {} and MaxPool2D.array_specs({"pool_size": 2}) == {}

    class _Owner(Layer):
        param_names = ("W",)

    with pytest.raises(NotImplementedError, match="_Owner owns arrays but does not describe them"):
        _Owner.array_specs({})


@pytest.mark.parametrize(
    ("cls", "config", "message"),
    [
        (Dense, {"in_features": 0, "out_features": 3}, "in_features must be a positive integer"),
        (Dense, {"in_features": 2.5, "out_features": 3}, "in_features must be a positive integer"),
        (Conv2D, {"in_channels": 1, "out_channels": 2, "kernel_size": [3, -1]}, "kernel_size must be >= 1"),
        (BatchNorm, {"num_features": True}, "num_features must be a positive integer"),
    ],
)
def test_layer_specs_refuse_what_from_config_refuses(cls, config, message):
    with pytest.raises((ValueError, TypeError), match=message):
        cls.array_specs(config)
    with pytest.raises((ValueError, TypeError)):
        cls.from_config(config)


def _assert_specs_match(model: Model) -> None:
    specs = type(model).array_specs(model.get_config())
    assert specs == _described(model.named_arrays(), set(model.param_names))
    assert list(specs) == list(model.named_arrays())
    assert [name for name, spec in specs.items() if spec.trainable] == list(model.param_names)


sizes = st.integers(1, 6)


@settings(max_examples=25, deadline=None)
@given(
    widths=st.lists(sizes, min_size=2, max_size=5),
    batch_norm=st.booleans(),
    dropout=st.sampled_from([0.0, 0.3]),
)
def test_mlp_specs_match_the_built_model(widths, batch_norm, dropout):
    _assert_specs_match(MLP(widths, batch_norm=batch_norm, dropout=dropout, seed=0))


@pytest.mark.parametrize(
    ("input_shape", "dropout"), [((1, 28, 28), 0.5), ((3, 9, 12), 0.0), ((1, 20, 20), 0.25), ((1, 3, 3), 0.5)]
)
def test_deep_conv_net_specs_match_the_built_model(input_shape, dropout):
    config = {"input_shape": list(input_shape), "filters": [2, 2, 3, 3, 4, 4], "hidden_size": 5, "dropout": dropout}
    try:
        model = DeepConvNet(**config)
    except ValueError:  # too small for the three poolings: array_specs refuses it too
        with pytest.raises(ValueError, match="too small for three 2×2 poolings"):
            DeepConvNet.array_specs(config)
    else:
        _assert_specs_match(model)
    assert DeepConvNet.array_specs({})["0.W"] == ArraySpec((16, 1, 3, 3), "f", True)  # the book's network


@settings(max_examples=25, deadline=None)
@given(
    channels=st.integers(1, 3),
    side=st.integers(4, 9),
    filters=st.integers(1, 3),
    kernel=st.integers(1, 4),
    stride=st.integers(1, 3),
    padding=st.integers(0, 2),
)
def test_simple_conv_net_specs_match_the_built_model(channels, side, filters, kernel, stride, padding):
    config = {"input_shape": [channels, side, side + 1], "filters": filters, "kernel_size": kernel}
    config.update(stride=stride, padding=padding, hidden_size=3, output_size=2)
    try:
        model = SimpleConvNet(**config)
    except ValueError:  # nothing left after the pooling: array_specs refuses it too
        with pytest.raises(ValueError):
            SimpleConvNet.array_specs(config)
    else:
        _assert_specs_match(model)


@settings(max_examples=15, deadline=None)
@given(
    blocks=st.lists(st.lists(st.integers(1, 3), min_size=1, max_size=2), min_size=1, max_size=2),
    batch_norm=st.booleans(),
    dropout=st.sampled_from([0.0, 0.25]),
)
def test_conv_net_specs_match_the_built_model(blocks, batch_norm, dropout):
    model = ConvNet((2, 5, 4), blocks, hidden_size=3, output_size=2, batch_norm=batch_norm, dropout=dropout)
    _assert_specs_match(model)


def test_other_models_specs_match_the_built_model():
    layers = [Conv2D(2, 3, 3, padding=1), BatchNorm(3), ReLU(), MaxPool2D(2), Flatten(), Dense(12, 2)]
    for model in (
        TwoLayerNet(5, 7, 3),
        LogisticRegression(4),
        Sequential(layers, SoftmaxWithLoss()),
        SimpleConvNet(),
        ConvNet(),
    ):
        _assert_specs_match(model)


def _tied_sequential() -> Sequential:
    embedding = Embedding(6, 4)
    layers = [embedding, L.TimeLSTM(4, 4), TimeAffine(embedding.W.T, np.zeros(6, np.float32))]
    return Sequential(layers, SoftmaxWithLoss())


#: A model of every registered class (and of Sequential's variants: ties, a loss with parameters).
MODELS = {
    "Sequential": lambda: Sequential([Embedding(6, 3), L.ContextMean()], NegativeSamplingLoss([1, 2, 3, 1, 1, 2], 3)),
    "TwoLayerNet": lambda: TwoLayerNet(5, 7, 3),
    "MLP": lambda: MLP([4, 3, 2]),
    "LogisticRegression": lambda: LogisticRegression(4),
    "SimpleConvNet": lambda: SimpleConvNet((1, 8, 8), filters=2, kernel_size=3, hidden_size=4),
    "DeepConvNet": lambda: DeepConvNet((2, 10, 10), filters=(2, 2, 3, 3, 4, 4), hidden_size=5, output_size=3),
    "ConvNet": lambda: ConvNet((1, 4, 4), [[2]], hidden_size=3),
    "RNNLM": lambda: RNNLM(9, 4, 5, num_layers=2, dropout=0.5),
    "Seq2seq": lambda: Seq2seq(9, 3, 4),
    "PeekySeq2seq": lambda: PeekySeq2seq(9, 3, 4),
    "AttentionSeq2seq": lambda: AttentionSeq2seq(9, 3, 4),
    "SimpleCBOW": lambda: SimpleCBOW(7, 3, window_size=2),
    "SimpleSkipGram": lambda: SimpleSkipGram(7, 3),
    "CBOW": lambda: CBOW(5, 3, counts=[3, 1, 2, 1, 1]),
    "SkipGram": lambda: SkipGram(5, 3, window_size=2, corpus=[0, 1, 2, 3, 4, 1]),
}


def test_every_model_class_describes_its_arrays():
    numnet_models = sorted(name for name, cls in MODEL_REGISTRY.items() if cls.__module__.startswith("numnet."))
    assert numnet_models == sorted(MODELS), "add a sample of the new model to MODELS"
    for name, make in MODELS.items():
        model = make()
        assert type(model).__name__ == name
        _assert_specs_match(model)


@pytest.mark.parametrize("tied", [False, True])
def test_sequence_models_with_tied_weights_describe_each_parameter_once(tied):
    model = RNNLM(9, 4, 4, tie_weights=tied)
    _assert_specs_match(model)
    assert ("2.W" in model.param_names) is not tied  # the projection's W is the embedding's, transposed
    _assert_specs_match(_tied_sequential())
    assert "2.W" not in RNNLM.array_specs(RNNLM(9, 4, 4, tie_weights=True).get_config())


def test_a_tie_that_does_not_fit_is_refused_before_building():
    config = _tied_sequential().get_config()
    config["tied"][0]["transposed"] = False  # (4, 6) cannot be the same array as (6, 4)
    with pytest.raises(ValueError, match="ties '2.W'"):
        Sequential.array_specs(config)
    with pytest.raises(ValueError):
        Sequential.from_config(config)


def test_specs_of_a_huge_architecture_are_computed_without_allocating_it():
    started = time.perf_counter()
    specs = MLP.array_specs({"sizes": [2**31, 2**31, 10]})
    assert specs["0.W"] == ArraySpec((2**31, 2**31), "f", True)
    assert sum(math.prod(spec.shape) for spec in specs.values()) > 2**62
    assert time.perf_counter() - started < 0.1


@pytest.mark.parametrize(
    ("cls", "config", "error"),
    [
        (MLP, {"sizes": [3]}, ValueError),
        (MLP, {"sizes": [3, 2], "colour": "red"}, TypeError),
        (TwoLayerNet, {"input_size": 3, "hidden_size": -1, "output_size": 2}, ValueError),
        (SimpleConvNet, {"input_shape": [1, 2, 2], "kernel_size": 5}, ValueError),
        (ConvNet, {"input_shape": [1, 2, 2], "blocks": [[1], [1], [1]]}, ValueError),
        (Sequential, {"layers": [{"type": "Attention"}]}, ValueError),
    ],
)
def test_model_specs_refuse_what_from_config_refuses(cls, config, error):
    with pytest.raises(error):
        cls.array_specs(config)
    with pytest.raises(error):
        cls.from_config(config)


@pytest.mark.parametrize(
    ("cls", "config"),
    [
        (MLP, {"sizes": [1] * (MAX_LAYERS + 1)}),
        (ConvNet, {"blocks": [[1] * (MAX_LAYERS + 1)]}),
        (RNNLM, {"num_layers": 10**12}),
        (Sequential, {"layers": [{"type": "ReLU"}] * (MAX_LAYERS + 1), "loss": {"type": "SoftmaxWithLoss"}}),
    ],
)
def test_descriptions_deeper_than_any_file_are_refused_before_they_are_spelled_out(cls, config):
    # a header of a few MB listing a million layers made array_specs build a million spec dicts (670 MiB)
    started = time.perf_counter()
    with pytest.raises(ValueError, match=rf"describes [\d,]+ layers, more than MAX_LAYERS={MAX_LAYERS:,}"):
        cls.array_specs(config)
    assert time.perf_counter() - started < 0.5
