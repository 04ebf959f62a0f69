"""``numnet lab EXPERIMENT``: the textbook's chapter-6 experiments, their numbers and figures (needs matplotlib)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from numnet import lab, plotting
from numnet.cli.common import UsageParser, add_command, add_data_dir, positive_int
from numnet.data import load_mnist

__all__ = ["add_parser", "run"]

#: Experiment (a key of numnet.lab.EXPERIMENTS) -> (help, the options that size it: flag -> (keyword of the lab
#: function, type, default, help)).
EXPERIMENTS: dict[str, tuple[str, dict[str, tuple[str, Any, Any, str]]]] = {
    "optimizers": (
        "SGD, Momentum, AdaGrad and Adam on x²/20 + y² from (-7, 2), and racing on MNIST",
        {
            "--iterations": ("iterations", positive_int, 500, "mini-batches of the MNIST race"),
            "--batch-size": ("batch_size", positive_int, 128, "images per mini-batch"),
        },
    ),
    "init": (
        "activation histograms of a 5-layer network for weight scales 1, 0.01, Xavier and He",
        {"--samples": ("samples", positive_int, 1000, "random inputs fed through the network")},
    ),
    "batchnorm": (
        "training with and without batch normalization over 16 initial weight scales",
        {
            "--epochs": ("epochs", positive_int, 20, "epochs per network"),
            "--scales": ("scales", positive_int, 16, "how many weight scales from 1 down to 1e-4"),
            "--train-size": ("train_size", positive_int, 1000, "training images"),
        },
    ),
    "overfit": (
        "300 training images, a 7-layer network: none, weight decay 0.1 and dropout 0.2",
        {
            "--epochs": ("epochs", positive_int, (201, 201, 301), "epochs of the three runs"),
            "--train-size": ("train_size", positive_int, 300, "training images"),
        },
    ),
}
USES_MNIST = ("optimizers", "batchnorm", "overfit")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``lab`` command and its experiments to ``subparsers``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "lab",
        help="run a chapter-6 experiment: optimizers, init, batchnorm, overfit",
        description="The experiments of 'Deep Learning from Scratch', chapter 6: print their numbers and write "
        "their figures (PNG, needs matplotlib). Seeded and reproducible; offline on the bundled mnist-mini by "
        "default.",
    )
    experiments = parser.add_subparsers(
        dest="experiment", required=True, metavar="EXPERIMENT", parser_class=UsageParser
    )
    for name, (helptext, options) in EXPERIMENTS.items():
        experiment = add_command(experiments, name, help=helptext, description=helptext + ".")
        for flag, (_, kind, default, text) in options.items():
            many = isinstance(default, tuple)
            shown = " ".join(map(str, default)) if many else default
            experiment.add_argument(
                flag,
                type=kind,
                default=default,
                nargs=len(default) if many else None,
                metavar="N",
                help=f"{text} (default: {shown})",
            )
        experiment.add_argument("--seed", type=int, default=0, help="seeds everything random (default: 0)")
        experiment.add_argument("--out-dir", type=Path, default=Path("."), help="where the figures go (default: .)")
        if name in USES_MNIST:
            experiment.add_argument(
                "--dataset", choices=["mnist-mini", "mnist"], default="mnist-mini", help="(default: %(default)s)"
            )
            add_data_dir(experiment)
    return parser


def run(args: argparse.Namespace) -> int:
    _, options = EXPERIMENTS[args.experiment]
    kwargs = {keyword: getattr(args, flag[2:].replace("-", "_")) for flag, (keyword, *_) in options.items()}
    if args.experiment == "batchnorm":
        kwargs["scales"] = np.logspace(0, -4, kwargs["scales"])
    if args.experiment in USES_MNIST and args.dataset == "mnist":
        kwargs["data"] = load_mnist(args.data_dir)
    result = lab.EXPERIMENTS[args.experiment](seed=args.seed, **kwargs)
    print(result.summary())
    print()
    for name, figure in result.figures().items():
        print(f"saved {plotting.save_figure(figure, args.out_dir / f'lab_{name}.png')}")
    return 0
