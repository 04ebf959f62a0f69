"""numnet: neural networks in NumPy, from logistic regression to convolutional networks."""

from __future__ import annotations

__version__ = "0.1.0"

from numnet import functions  # noqa: E402

__all__ = ["__version__", "functions"]
