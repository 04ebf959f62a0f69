"""What the ``numnet`` commands share: exit codes, the parser class, option types, common options, printing."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from numnet import io, runs
from numnet.data.catalogue import DATASETS, Dataset, load_dataset
from numnet.data.errors import DatasetError
from numnet.data.paths import DATA_DIR_ENV, cache_dir
from numnet.models import Model, Sequential

PROG = "numnet"
EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130
#: What evaluate and plot misclassified use when neither --dataset nor the model names a dataset.
DEFAULT_DATASET = "mnist-mini"
DEBUG_HELP = "show the full traceback of an error"


class UsageError(ValueError):
    """Options that do not go together, or do not apply: reported like argparse's errors, exit status 2."""


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


def fraction(text: str) -> float:
    """A share in [0, 1)."""
    return _parsed(text, float, lambda v: 0 <= v < 1, "a fraction in [0, 1)")


def batch_size(text: str) -> int:
    """A positive batch size, or 0 / 'full' for full-batch gradient descent (returned as 0)."""
    return 0 if text == "full" else _parsed(text, int, lambda v: v >= 0, "a positive integer, or 0 / 'full'")


# ---------------------------------------------------------- common options


MODEL_HELP = "a model file (model.npz) or a run folder"


def add_model(parser: argparse.ArgumentParser) -> None:
    """MODEL: a model file or a run folder."""
    parser.add_argument("model", metavar="MODEL", help=MODEL_HELP)


def add_model_and_data(parser: argparse.ArgumentParser) -> None:
    """MODEL, --dataset and --data-dir: a model (file or run folder) and the data to judge it on."""
    add_model(parser)
    parser.add_argument(
        "--dataset",
        choices=list(DATASETS),
        help=f"(default: the dataset the model was trained on, else {DEFAULT_DATASET})",
    )
    add_data_dir(parser)


def add_data_dir(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    parser.add_argument("--data-dir", help=f"where dataset files are looked for (also ${DATA_DIR_ENV})")


def model_path(path: str) -> Path:
    """The model file MODEL names: the file itself, or the ``model.npz`` of a run folder.

    Raises:
        FileNotFoundError: a folder without a model (an interrupted run says how to resume it).
    """
    given = Path(path)
    if not given.is_dir():
        return given
    found = given / runs.MODEL_FILE
    if found.is_file():
        return found
    if (given / runs.CHECKPOINT_FILE).is_file():
        raise FileNotFoundError(
            f"{given} holds an interrupted run, not a trained model: finish it with '{PROG} train --resume {given}'"
        )
    raise FileNotFoundError(f"{given} is a folder without {runs.MODEL_FILE}: give a model file or a run folder")


def load_model(path: str) -> tuple[Model, Path]:
    """The model MODEL names (a file or a run folder) and its file's path."""
    file = model_path(path)
    return io.load(file), file


def classifier(model: Model, path: str | Path) -> Sequential:
    """``model`` as the layer stack ``evaluate``, ``predict`` and ``plot`` work on; ValueError for another model."""
    if not isinstance(model, Sequential):
        raise ValueError(
            f"{path} holds a {type(model).__name__}, not a classifier this command takes; "
            f"'{PROG} generate' runs sequence models"
        )
    return model


def load_classifier(path: str) -> tuple[Sequential, Path]:
    """The layer stack MODEL names (a file or a run folder) and its file's path; ValueError for another model."""
    model, file = load_model(path)
    return classifier(model, path), file


def load_data(name: str, data_dir: str | None, verbose: bool = True) -> Dataset:
    """The catalogued dataset ``name``; a dataset that is not on this machine is one error naming every fix."""
    try:
        return load_dataset(name, data_dir, verbose=verbose)
    except DatasetError as error:
        if name not in ("mnist", "fashion-mnist") or not ("not found" in str(error) or "download" in str(error)):
            raise
        cause = one_line(str(error)).split(";")[0]
        raise DatasetError(
            f"{name} is not on this machine and could not be downloaded ({cause}). Put its four files in a "
            f"folder and pass --data-dir FOLDER, or set {DATA_DIR_ENV}=FOLDER, or copy them into the cache "
            f"folder {cache_dir(name)}; or train offline on the bundled --dataset mnist-mini"
        ) from None


def dataset_for(args: argparse.Namespace, model: Model, file: Path) -> Dataset:
    """``--dataset``, else the dataset the model was trained on (its metadata or run folder), else mnist-mini.

    Files are looked for in ``--data-dir``, else where the model's run looked for them.
    """
    run = runs.find_run(file)
    name = args.dataset or runs.dataset_of(model, file) or DEFAULT_DATASET
    data_dir = args.data_dir if args.data_dir is not None else run.data_dir if run is not None else None
    return load_data(name, data_dir)


def figure_title(model: Model, file: Path) -> str:
    """A figure title naming the dataset, the model and the optimizer it was trained with (when its run says)."""
    run = runs.find_run(file)
    if run is not None and run.status == runs.COMPLETE:
        return run.title
    return f"{runs.dataset_of(model, file) or 'unknown dataset'} · {model!r} · {file}"


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
