"""scikit-learn's ``MLPClassifier`` as a contender, configured like numnet's MLP benchmark.

One hidden ReLU layer, softmax output with log-loss, solver "sgd" with a
constant learning rate, no momentum, no L2 penalty (``alpha=0``), shuffled
mini-batches; one ``partial_fit`` call is one epoch. ``MLPClassifier``
computes in the dtype of its input, so the dtype is a parameter (float32 to
match numnet; float64 is what a user gets from float64 data).
"""

from __future__ import annotations

import numpy as np
import sklearn
from sklearn.neural_network import MLPClassifier

VERSION = sklearn.__version__


class SklearnMLP:
    """``MLPClassifier(hidden_layer_sizes=(hidden,))`` trained one epoch per :meth:`epoch`."""

    def __init__(
        self, hidden: int, x: np.ndarray, t: np.ndarray, batch_size: int, lr: float, seed: int, dtype: str = "float32"
    ) -> None:
        self.name = f"scikit-learn {dtype}"
        self.dtype = np.dtype(dtype)
        self.x, self.t = x.astype(self.dtype, copy=False), t
        self.classes = np.unique(t)
        self.classifier = MLPClassifier(
            hidden_layer_sizes=(hidden,),
            activation="relu",
            solver="sgd",
            alpha=0.0,
            batch_size=batch_size,
            learning_rate="constant",
            learning_rate_init=lr,
            momentum=0.0,
            nesterovs_momentum=False,
            shuffle=True,
            random_state=seed,
        )

    def epoch(self) -> None:
        self.classifier.partial_fit(self.x, self.t, classes=self.classes)

    def accuracy(self, x: np.ndarray, t: np.ndarray) -> float:
        return float(self.classifier.score(x.astype(self.dtype, copy=False), t))

    @property
    def computed_in(self) -> str:
        """The dtype of the fitted weights: what the classifier actually computed in."""
        return str(self.classifier.coefs_[0].dtype)
