"""ONNX Runtime (CPU) as a contender for inference: numnet's own trained model, exported with ``numnet.onnx``.

The session runs the exported graph as a deployment would: Gemm, ReLU, Gemm,
then the prediction head (Softmax for the probabilities and ArgMax for the
labels, a fraction of a percent of the work), with ONNX Runtime's default
graph optimizations and ``threads`` intra-op threads.
"""

from __future__ import annotations

import numpy as np
import onnxruntime

from numnet.models import Sequential
from numnet.onnx import to_onnx

VERSION = onnxruntime.__version__
_threads = 1


def set_threads(threads: int) -> None:
    global _threads
    _threads = threads


class OnnxRuntimePredictor:
    """An ``InferenceSession`` on ``to_onnx(model)``, on the thread count given to :func:`set_threads`."""

    name = "ONNX Runtime"

    def __init__(self, model: Sequential) -> None:
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = _threads
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(
            to_onnx(model).SerializeToString(), options, providers=["CPUExecutionProvider"]
        )

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities for all of ``x`` in one call."""
        return self.session.run(None, {"input": x})[0]
