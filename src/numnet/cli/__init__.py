"""The ``numnet`` command: train, evaluate, predict, plot and inspect models.

::

    numnet train                              the default MLP on the bundled mnist-mini
    numnet train --dataset spiral --hidden 50 50 --epochs 500
    numnet evaluate runs/<name>/model.npz     accuracy, precision, recall, F1, confusion matrix
    numnet predict runs/<name>/model.npz digit.png samples.npy
    numnet train --dataset addition --model peeky     the book's sequence experiments (also dates, ptb)
    numnet generate runs/<name>               answers of a Seq2seq model, or text of a language model
    numnet plot history runs/<name>           also: activations, weights, filters, misclassified
    numnet info runs/<name>/model.npz
    numnet sweep --trials 100                 random search over lr and weight decay (local processes or Dask)
    numnet check mylayers.py:Affine           your own layer's gradients (runs your file)
    numnet lab optimizers                     the textbook's chapter-6 experiments: numbers and figures

``numnet train`` writes a run folder ``runs/<time>-<dataset>-<model>/`` (or
``--out DIR``; see :mod:`numnet.runs`) holding ``model.npz``, ``history.json``,
``history.csv``, ``run.json`` (settings and results) and, with matplotlib,
``learning_curves.png``. Ctrl-C saves ``checkpoint.npz`` there and prints the
command that resumes it.

A user's mistake (a missing or damaged file, a bad option value, a model that
does not fit the data) prints one line ``numnet: error: ...`` on stderr and
exits with status 2 for command-line usage errors, 1 for the others, and 130
after Ctrl-C; ``--debug`` shows the traceback instead.

The command only parses arguments and prints; the work is done by the library
(:mod:`numnet.presets`, :mod:`numnet.data.catalogue`, :mod:`numnet.runs`,
:mod:`numnet.metrics`, :mod:`numnet.data.pictures`, ...). Each command is a
module of this package with ``add_parser(subparsers)`` (returning its parser)
and ``run(args) -> int`` (the exit status), listed in :data:`COMMANDS`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from numnet import __version__
from numnet.cli import check, evaluate, export, generate, info, lab, plot, predict, sweep, train
from numnet.cli.common import DEBUG_HELP, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_USAGE, PROG, UsageParser, one_line
from numnet.training import TrainingError

__all__ = ["main", "build_parser", "COMMANDS"]

#: The command modules, in the order ``numnet --help`` lists them.
COMMANDS = [train, evaluate, predict, generate, plot, info, export, sweep, check, lab]


def build_parser() -> argparse.ArgumentParser:
    """The ``numnet`` argument parser: the common options and one subcommand per module of :data:`COMMANDS`."""
    description = "Neural networks in NumPy: train, evaluate, predict, generate, plot, inspect, sweep."
    parser = UsageParser(prog=PROG, description=description)
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=UsageParser)
    for command in COMMANDS:
        command.add_parser(subparsers).set_defaults(handler=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``numnet`` command with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # --help, --version and usage errors
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    args.argv = argv
    try:
        status: int = args.handler(args)
        return status
    except KeyboardInterrupt:
        if args.debug:
            raise
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (ValueError, TypeError, OSError, ImportError, TrainingError) as error:
        if args.debug:
            raise
        print(f"{PROG}: error: {one_line(str(error)) or type(error).__name__}", file=sys.stderr)
        return EXIT_ERROR
