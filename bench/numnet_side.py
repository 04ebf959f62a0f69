"""numnet as a contender: training epochs through ``Trainer.fit``, inference through ``predict``."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from numnet.models import MLP, DeepConvNet, Sequential, SimpleConvNet
from numnet.optimizers import SGD, Adam
from numnet.training import Trainer


def mlp(sizes: Sequence[int], seed: int) -> MLP:
    """ReLU MLP with softmax cross-entropy, float32, He initialization."""
    return MLP(list(sizes), activation="relu", output="softmax", seed=seed)


def simple_convnet(seed: int) -> SimpleConvNet:
    """The textbook's network: Conv 30@5x5 -> ReLU -> MaxPool 2 -> Dense 100 -> ReLU -> Dense 10."""
    return SimpleConvNet(seed=seed)


def deep_convnet(seed: int) -> DeepConvNet:
    """The textbook's chapter-8 network (see :class:`numnet.models.DeepConvNet`)."""
    return DeepConvNet(seed=seed)


OPTIMIZERS = {"sgd": SGD, "adam": Adam}


def planar_network(seed: int) -> MLP:
    """The course's planar network: 2 -> 4 tanh -> 1 sigmoid (binary cross-entropy)."""
    return MLP([2, 4, 1], activation="tanh", output="sigmoid", seed=seed)


class NumnetFullBatch:
    """Full-batch gradient descent through ``Trainer.fit``: ``iterations`` epochs of one batch per call."""

    name = "numnet"

    def __init__(self, model: Sequential, x: np.ndarray, t: np.ndarray, lr: float, iterations: int) -> None:
        self.model, self.x, self.t, self.iterations = model, x, t, iterations
        self.trainer = Trainer(model, SGD(lr=lr))

    def run(self) -> None:
        self.trainer.fit(self.x, self.t, epochs=self.iterations, batch_size=None, shuffle=False, verbose=0)


class NumnetTrainer:
    """Plain SGD (or Adam) on ``(x, t)``, one shuffled epoch per :meth:`epoch`, as a user would train.

    Every epoch is one ``Trainer.fit(epochs=1)`` call (with its bookkeeping:
    the per-batch loss and accuracy and the NaN check), seeded anew so that
    each epoch draws a new order.
    """

    name = "numnet"

    def __init__(
        self,
        model: Sequential,
        x: np.ndarray,
        t: np.ndarray,
        batch_size: int,
        lr: float,
        seed: int,
        optimizer: str = "sgd",
    ) -> None:
        self.model, self.x, self.t = model, x, t
        self.trainer = Trainer(model, OPTIMIZERS[optimizer](lr=lr))
        self.batch_size, self.seed, self.epochs = batch_size, seed, 0

    def epoch(self) -> None:
        self.trainer.fit(
            self.x, self.t, epochs=1, batch_size=self.batch_size, shuffle=True, seed=self.seed + self.epochs, verbose=0
        )
        self.epochs += 1

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Scores for all of ``x`` in one pass, inference mode."""
        return self.model.predict(x)

    def accuracy(self, x: np.ndarray, t: np.ndarray) -> float:
        return self.model.accuracy(x, t)
