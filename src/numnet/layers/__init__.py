"""Layers: each a forward/backward pair following the contract in :mod:`numnet.layers.base`."""

from numnet.layers.activations import Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from numnet.layers.attention import TimeAttention
from numnet.layers.base import LAYER_REGISTRY, Layer
from numnet.layers.context import ContextMean, ContextRepeat
from numnet.layers.conv import AvgPool2D, Conv2D, MaxPool2D, col2im, im2col
from numnet.layers.core import Affine, Dense, Flatten, TimeAffine
from numnet.layers.embedding import Embedding
from numnet.layers.losses import LOSS_REGISTRY, Loss, MeanSquaredLoss, SigmoidWithLoss, SoftmaxWithLoss
from numnet.layers.negative_sampling import EmbeddingDot, NegativeSamplingLoss
from numnet.layers.normalization import BatchNorm
from numnet.layers.recurrent import (
    GRU,
    LSTM,
    RNN,
    TimeBiLSTM,
    TimeDropout,
    TimeEmbedding,
    TimeGRU,
    TimeLSTM,
    TimeRNN,
)
from numnet.layers.regularization import Dropout

__all__ = [
    "Layer",
    "Loss",
    "LOSS_REGISTRY",
    "LAYER_REGISTRY",
    "Affine",
    "Dense",
    "Flatten",
    "TimeAffine",
    "Sigmoid",
    "ReLU",
    "LeakyReLU",
    "Tanh",
    "Identity",
    "Softmax",
    "SoftmaxWithLoss",
    "SigmoidWithLoss",
    "MeanSquaredLoss",
    "Conv2D",
    "MaxPool2D",
    "AvgPool2D",
    "im2col",
    "col2im",
    "BatchNorm",
    "Dropout",
    "Embedding",
    "EmbeddingDot",
    "NegativeSamplingLoss",
    "ContextMean",
    "ContextRepeat",
    "RNN",
    "LSTM",
    "GRU",
    "TimeRNN",
    "TimeLSTM",
    "TimeGRU",
    "TimeBiLSTM",
    "TimeEmbedding",
    "TimeDropout",
    "TimeAttention",
]
