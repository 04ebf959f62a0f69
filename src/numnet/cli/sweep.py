"""``numnet sweep``: the textbook's random hyperparameter search (see :mod:`numnet.sweep`)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from numnet import plotting, sweep
from numnet.cli.common import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    PROG,
    add_command,
    add_data_dir,
    count,
    non_negative_int,
    positive_int,
    printer,
)
from numnet.data.catalogue import DATASETS
from numnet.models import ACTIVATIONS
from numnet.optimizers import OPTIMIZERS

RESULTS_FILE, FIGURE_FILE = "sweep.json", "sweep.png"
DEFAULTS = sweep.SweepSettings()


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = add_command(
        subparsers,
        "sweep",
        help="random search over the learning rate and the weight decay",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="The random hyperparameter search of 'Deep Learning from Scratch' (6.5): each trial draws "
        "a learning rate and a weight decay log-uniformly, trains a network and measures its validation "
        "accuracy; the trials are ranked by it.",
        epilog="Trials run in local worker processes (--workers, default: the cores), or on a running Dask\n"
        "cluster with --scheduler ADDRESS (pip install 'numnet[dask]'). Every finished trial is saved\n"
        f"at once in OUT/{RESULTS_FILE}; running the same command again resumes an interrupted sweep\n"
        "without repeating finished trials (a larger --trials extends it). A trial whose worker dies\n"
        f"is retried. The ranked table is printed and OUT/{FIGURE_FILE} shows every trial over the two\n"
        "hyperparameters and the best trials' learning curves (needs matplotlib).",
    )
    parser.add_argument("--trials", type=positive_int, default=100, help="how many trials (default: 100)")
    parser.add_argument(
        "--dataset", choices=list(DATASETS), default=DEFAULTS.dataset, help="(default: mnist-mini, bundled)"
    )
    add_data_dir(parser)
    parser.add_argument(
        "--train-size",
        type=positive_int,
        default=DEFAULTS.train_size,
        metavar="N",
        help="use the first N training samples, 20%% of them for validation (default: %(default)s)",
    )
    parser.add_argument(
        "--hidden",
        type=positive_int,
        nargs="+",
        default=list(DEFAULTS.hidden),
        metavar="WIDTH",
        help="hidden layer widths (default: six of 100)",
    )
    parser.add_argument("--activation", choices=list(ACTIVATIONS), default=DEFAULTS.activation)
    parser.add_argument("--optimizer", choices=list(OPTIMIZERS), default=DEFAULTS.optimizer, help="(default: sgd)")
    parser.add_argument("--epochs", type=positive_int, default=DEFAULTS.epochs, help="per trial (default: 50)")
    parser.add_argument("--batch-size", type=positive_int, default=DEFAULTS.batch_size, metavar="N")
    for option, (low, high), drawn in (
        ("--lr-range", DEFAULTS.lr_range, "the learning rate"),
        ("--weight-decay-range", DEFAULTS.weight_decay_range, "the weight decay"),
    ):
        parser.add_argument(
            option,
            type=float,
            nargs=2,
            default=[low, high],
            metavar=("LOW", "HIGH"),
            help=f"log10 of {drawn} is drawn uniformly between LOW and HIGH (default: {low:g} {high:g})",
        )
    parser.add_argument("--seed", type=non_negative_int, default=DEFAULTS.seed, help="(default: 0)")
    parser.add_argument(
        "--workers", type=positive_int, help="local worker processes (default: the cores this process may use)"
    )
    parser.add_argument("--scheduler", metavar="ADDRESS", help="run on the Dask cluster at ADDRESS instead")
    parser.add_argument("--out", metavar="DIR", help="the sweep folder (default: runs/sweep-<dataset>-seed<seed>)")
    parser.add_argument("--top", type=positive_int, default=20, help="trials in the table and the figure (20)")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    return parser


def run(args: argparse.Namespace) -> int:
    say = printer(args.quiet)
    if args.scheduler is not None and args.workers is not None:
        raise ValueError("give --workers (local processes) or --scheduler (a Dask cluster), not both")
    settings = sweep.SweepSettings(
        dataset=args.dataset,
        train_size=args.train_size,
        hidden=tuple(args.hidden),
        activation=args.activation,
        optimizer=args.optimizer,
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr_range=tuple(args.lr_range),
        weight_decay_range=tuple(args.weight_decay_range),
        seed=args.seed,
    )
    out = Path(args.out or Path("runs") / f"sweep-{settings.dataset}-seed{settings.seed}")
    data = sweep.load_sweep_data(settings, args.data_dir, verbose=not args.quiet)
    if args.scheduler is not None:
        backend: sweep.LocalBackend | sweep.DaskBackend = sweep.DaskBackend(args.scheduler)
    else:
        backend = sweep.LocalBackend(args.workers or _cores())
    say(
        f"sweep of {count(args.trials, 'trial')} on {settings.dataset} ({len(data.x_train)} training, "
        f"{len(data.x_val)} validation samples), {count(settings.epochs, 'epoch')} each, on {backend.description}"
    )
    say(f"results: {out / RESULTS_FILE}")

    def report(record: dict[str, Any], finished: int, total: int) -> None:
        accuracy = "diverged" if record["val_acc"] is None else f"val acc {record['val_acc']:.4f}"
        say(
            f"[{finished}/{total}] trial {record['index']}: {accuracy} | lr {record['lr']:.3e}, "
            f"weight decay {record['weight_decay']:.3e} ({record['seconds']:.1f}s)"
        )

    try:
        with backend:
            outcome = sweep.run_sweep(settings, args.trials, out / RESULTS_FILE, backend, data, on_result=report)
    except KeyboardInterrupt:
        print(
            f"{PROG}: interrupted; the finished trials are saved in {out / RESULTS_FILE}: "
            "run the same command to resume",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    if outcome.resumed:
        say(f"resumed: {count(outcome.resumed, 'trial')} finished earlier")
    say(f"\n===== the best {min(args.top, len(outcome.results))} of {count(len(outcome.results), 'trial')} =====")
    say(sweep.ranked_table(outcome.results, top=args.top))
    _save_figure(outcome.results, out / FIGURE_FILE, args.top, say)
    for index, reason in sorted(outcome.failed.items()):
        print(f"{PROG}: trial {index} failed: {reason}", file=sys.stderr)
    if outcome.failed:
        print(f"{PROG}: {count(len(outcome.failed), 'trial')} failed; run the same command to retry", file=sys.stderr)
        return EXIT_ERROR
    return 0


def _cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _save_figure(results: dict[int, dict[str, Any]], path: Path, top: int, say: Any) -> None:
    try:  # matplotlib is an optional extra
        plotting.save_figure(plotting.sweep_figure(sweep.ranked(results), top=top), path)
    except ImportError:
        say("(no figure: pip install 'numnet[plot]' for matplotlib)")
        return
    say(f"figure: {path}")
