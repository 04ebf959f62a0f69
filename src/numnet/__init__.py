"""numnet: neural networks in NumPy, from logistic regression to convolutional networks.

The modules, from the bottom up: :mod:`numnet.functions` (pure math),
:mod:`numnet.gradient`, :mod:`numnet.perceptron`, :mod:`numnet.layers` (and
the losses), :mod:`numnet.initializers`, :mod:`numnet.metrics`,
:mod:`numnet.models` (and :mod:`numnet.sequence_models`: RNNLM, Seq2seq,
attention), :mod:`numnet.optimizers`, :mod:`numnet.io`,
:mod:`numnet.callbacks`, :mod:`numnet.schedules`, :mod:`numnet.training`,
:mod:`numnet.data`, :mod:`numnet.text` (words as vectors) and
:mod:`numnet.word2vec` (CBOW and skip-gram). On top, and imported only when
used: :mod:`numnet.presets` (which model for which dataset), :mod:`numnet.runs`
(run folders), :mod:`numnet.prediction`, the learner's bench
(:mod:`numnet.graph`: computation graphs; :mod:`numnet.learner`: your own
layer against numnet's; :mod:`numnet.lab`: the chapter-6 experiments), the
figures (:mod:`numnet.plotting`, needs matplotlib) and the command line
(:mod:`numnet.cli`).
"""

from __future__ import annotations

__version__ = "0.1.0"

from numnet import (
    callbacks,
    data,
    functions,
    gradient,
    initializers,
    io,
    layers,
    metrics,
    models,
    optimizers,
    perceptron,
    schedules,
    sequence_models,
    text,
    training,
    word2vec,
)
from numnet.models import MLP, ConvNet, DeepConvNet, LogisticRegression, Sequential, SimpleConvNet, TwoLayerNet
from numnet.optimizers import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop
from numnet.sequence_models import RNNLM, AttentionSeq2seq, PeekySeq2seq, Seq2seq
from numnet.training import EarlyStopping, History, Trainer

__all__ = [
    "__version__",
    "data",
    "functions",
    "gradient",
    "initializers",
    "io",
    "layers",
    "models",
    "optimizers",
    "perceptron",
    "sequence_models",
    "text",
    "training",
    "word2vec",
    "metrics",
    "callbacks",
    "schedules",
    "Sequential",
    "TwoLayerNet",
    "MLP",
    "LogisticRegression",
    "SimpleConvNet",
    "DeepConvNet",
    "ConvNet",
    "RNNLM",
    "Seq2seq",
    "PeekySeq2seq",
    "AttentionSeq2seq",
    "SGD",
    "Momentum",
    "Nesterov",
    "AdaGrad",
    "RMSprop",
    "Adam",
    "Trainer",
    "History",
    "EarlyStopping",
]
