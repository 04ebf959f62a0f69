"""What the ``numnet`` commands share: exit codes, the parser class, option types, common options, printing."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import Any

from numnet import runs
from numnet.data.catalogue import DATASETS, Dataset, load_dataset
from numnet.models import Model, Sequential

PROG = "numnet"
EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130
#: What evaluate and plot misclassified use when neither --dataset nor the model names a dataset.
DEFAULT_DATASET = "mnist-mini"
DEBUG_HELP = "show the full traceback of an error"


class UsageParser(argparse.ArgumentParser):
    """argparse with one-line usage errors: ``numnet: error: ...`` and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{PROG}: error: {message} (see '{self.prog} --help')\n")


def debug_option() -> argparse.ArgumentParser:
    """A parent parser giving a command ``--debug``."""
    parent = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: a command without --debug keeps the value of `numnet --debug ...`
    parent.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=DEBUG_HELP)
    return parent


def add_command(subparsers: Any, name: str, **kwargs: Any) -> argparse.ArgumentParser:
    """A command's parser, with ``--debug``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(name, parents=[debug_option()], **kwargs)
    return parser


# ------------------------------------------------------------ option types


def _parsed(text: str, kind: Callable[[str], Any], valid: Callable[[Any], bool], expected: str) -> Any:
    """``kind(text)`` if it parses and is ``valid``; else the error argparse reports for the option."""
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or not valid(value):
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
    return value


def positive_int(text: str) -> int:
    return _parsed(text, int, lambda v: v > 0, "a positive integer")


def non_negative_int(text: str) -> int:
    return _parsed(text, int, lambda v: v >= 0, "an integer >= 0")


def positive_float(text: str) -> float:
    return _parsed(text, float, lambda v: 0 < v < math.inf, "a positive number")


def non_negative_float(text: str) -> float:
    return _parsed(text, float, lambda v: 0 <= v < math.inf, "a number >= 0")


def batch_size(text: str) -> int:
    """A positive batch size, or 0 / 'full' for full-batch gradient descent (returned as 0)."""
    return 0 if text == "full" else _parsed(text, int, lambda v: v >= 0, "a positive integer, or 0 / 'full'")


# ---------------------------------------------------------- common options


def add_model_and_data(parser: argparse.ArgumentParser) -> None:
    """MODEL, --dataset and --data-dir: a model file and the data to judge it on."""
    parser.add_argument("model", metavar="MODEL", help="a model file (model.npz)")
    parser.add_argument(
        "--dataset",
        choices=list(DATASETS),
        help=f"(default: the dataset the model was trained on, else {DEFAULT_DATASET})",
    )
    add_data_dir(parser)


def add_data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", help="where dataset files are looked for (also $NUMNET_DATA_DIR)")


def classifier(model: Model, path: str) -> Sequential:
    """``model`` as the layer stack ``evaluate``, ``predict`` and ``plot`` work on; ValueError for another model."""
    if not isinstance(model, Sequential):
        raise ValueError(
            f"{path} holds a {type(model).__name__}, not a classifier this command takes; "
            f"'{PROG} generate' runs sequence models"
        )
    return model


def dataset_for(args: argparse.Namespace, model: Model) -> Dataset:
    """``--dataset``, else the dataset the model was trained on (its metadata or run folder), else mnist-mini.

    Files are looked for in ``--data-dir``, else where the model's run looked for them.
    """
    run = runs.find_run(args.model)
    name = args.dataset or runs.dataset_of(model, args.model) or DEFAULT_DATASET
    data_dir = args.data_dir if args.data_dir is not None else run.data_dir if run is not None else None
    return load_dataset(name, data_dir, verbose=True)


# ---------------------------------------------------------------- printing


def printer(quiet: bool) -> Callable[[str], None]:
    """``say(line)``: print and flush, unless ``quiet``."""

    def say(line: str) -> None:
        if not quiet:
            print(line, flush=True)

    return say


def count(n: int, noun: str) -> str:
    """E.g. ``"1 epoch"``, ``"1,000 epochs"``."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def describe_model(model: Model) -> str:
    """E.g. ``MLP 784-256-10 (203,530 parameters)``: the widths of its dense layers, when they form one chain.

    Models whose weight matrices do not chain (recurrent layers, an encoder and a decoder) get no widths.
    """
    dense = [p for p in model.params if p.ndim == 2]
    chained = bool(dense) and all(a.shape[1] == b.shape[0] for a, b in zip(dense, dense[1:]))
    widths = "-".join(str(w) for w in [dense[0].shape[0], *(p.shape[1] for p in dense)]) + " " if chained else ""
    return f"{type(model).__name__} {widths}({sum(p.size for p in model.params):,} parameters)"


def one_line(message: str) -> str:
    """A multi-line error message joined into one line."""
    parts = [part.strip() for part in message.splitlines() if part.strip()]
    line = parts[0] if parts else ""
    for part in parts[1:]:
        line += (" " if line.endswith((":", ";", ",")) else "; ") + part
    return line
