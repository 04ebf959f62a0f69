"""numnet: neural networks in NumPy, from logistic regression to convolutional networks.

The modules, from the bottom up: :mod:`numnet.functions` (pure math),
:mod:`numnet.gradient`, :mod:`numnet.perceptron`, :mod:`numnet.layers`,
:mod:`numnet.initializers`, :mod:`numnet.models`, :mod:`numnet.optimizers`,
:mod:`numnet.training`, :mod:`numnet.data` and :mod:`numnet.io`. The figures
(:mod:`numnet.plotting`, needs matplotlib) and the command line
(:mod:`numnet.cli`) are imported only when used.
"""

from __future__ import annotations

__version__ = "0.1.0"

from numnet import (
    data,
    functions,
    gradient,
    initializers,
    io,
    layers,
    models,
    optimizers,
    perceptron,
    training,
)
from numnet.models import MLP, ConvNet, DeepConvNet, LogisticRegression, Sequential, SimpleConvNet, TwoLayerNet
from numnet.optimizers import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop
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
    "training",
    "Sequential",
    "TwoLayerNet",
    "MLP",
    "LogisticRegression",
    "SimpleConvNet",
    "DeepConvNet",
    "ConvNet",
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
