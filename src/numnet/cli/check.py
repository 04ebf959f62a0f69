"""``numnet check FILE.py:ClassName``: check the gradients of a layer you wrote (runs your file)."""

from __future__ import annotations

import argparse
from typing import Any

from numnet.cli.common import add_command, positive_int
from numnet.gradient import LEARNER_TOLERANCE, check_learner_layer
from numnet.learner import build_layer, load_layer_class

__all__ = ["add_parser", "run"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``check`` command to ``subparsers``."""
    parser = add_command(
        subparsers,
        "check",
        help="check the gradients of your own layer (runs your file)",
        description="Check a layer you wrote against numerical gradients, and against numnet's layer of the "
        "same kind (Affine, Relu, Sigmoid, SoftmaxWithLoss, Convolution, Pooling, BatchNormalization, Dropout). "
        "This RUNS FILE.py, your own code, as python would (put scripts under if __name__ == '__main__'). "
        "The class may follow numnet's layer contract or the textbook's: forward(x) and backward(dout) with "
        "W/b and dW/db attributes, or params/grads lists, or a loss forward(x, t) and backward(dout=1). "
        "Arguments it needs are made up: W, b, gamma, beta (random float64), pool_h, pool_w. "
        "The report names the usual mistakes: dout changed in place, a missing division by the batch size, a "
        "transposed weight gradient, a forward that keeps no cache. Exit status 0 when everything is right, "
        "3 when something is wrong.",
    )
    parser.add_argument("layer", metavar="FILE.py:ClassName", help="the file that defines the layer, and its class")
    parser.add_argument(
        "--input-shape",
        type=positive_int,
        nargs="+",
        metavar="N",
        help="the shape of the random input, batch first, e.g. 4 10 or 2 3 8 8 (default: one that fits the layer)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seeds the input and the arguments (default: 0)")
    return parser


#: The exit status of a check that found something wrong (1 and 2 are numnet's errors).
EXIT_WRONG = 3


def run(args: argparse.Namespace) -> int:
    cls = load_layer_class(args.layer)
    layer, shape = build_layer(cls, args.input_shape, args.seed)
    report = check_learner_layer(layer, input_shape=shape, seed=args.seed, tolerance=LEARNER_TOLERANCE)
    print(report)
    return 0 if report.ok else EXIT_WRONG
