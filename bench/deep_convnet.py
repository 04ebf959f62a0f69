"""Train the textbook's DeepConvNet (chapter 8) on full MNIST: numnet, and the same network in PyTorch (CPU).

    python bench/deep_convnet.py [--epochs 20] [--torch-epochs 2] [--threads N] [--train-samples N] [--out PATH]

numnet trains ``DeepConvNet`` as the book does (Adam, lr 0.001, batches of
100, He initialization, seed 0) for ``--epochs`` epochs and records each
epoch's training time and the test accuracy after it. PyTorch trains the same
network with the same settings for the first ``--torch-epochs`` epochs,
interleaved with numnet's (numnet's epoch e and PyTorch's epoch e run back to
back, the order alternating), so that the two epoch times of a round see the
same load. Each epoch is printed when it ends and the JSON (``--out``) is
rewritten after every epoch, so an interrupted run keeps what it measured.
Threads are set as in ``run.py`` (the same count for NumPy's BLAS and PyTorch).
This is a long run: a training run of this size is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from run import THREAD_VARIABLES, available_cores, busy_warning

SEED = 0
BATCH_SIZE, LR = 100, 0.001
TARGET_ACCURACY = 0.993


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20, help="numnet's epochs (default: %(default)s, the book's)")
    parser.add_argument(
        "--torch-epochs", type=int, default=2, help="PyTorch's epochs, interleaved with numnet's first ones (0: none)"
    )
    parser.add_argument("--threads", type=int, default=available_cores(), help="threads (default: %(default)s)")
    parser.add_argument("--train-samples", type=int, default=None, help="train on the first N images only")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent / "results" / "deep_convnet.json",
        help="the JSON results (default: bench/results/deep_convnet.json)",
    )
    args = parser.parse_args()
    if min(args.epochs, args.threads) < 1 or args.torch_epochs < 0:
        parser.error("--epochs and --threads must be positive, --torch-epochs not negative")
    return args


def main() -> None:
    args = parse_args()
    busy = busy_warning(args.threads)
    if busy:
        print(f"[deep_convnet] warning: {busy}", file=sys.stderr)
    for variable in THREAD_VARIABLES:
        os.environ[variable] = str(args.threads)
    import numpy as np

    import numnet
    import numnet_side
    from numnet.data import load_mnist

    (x_train, t_train), (x_test, t_test) = load_mnist(flatten=False)
    x_train, t_train = x_train[: args.train_samples], t_train[: args.train_samples]
    factories: dict[str, Callable[[Any, Any], Any]] = {
        "numnet": lambda x, t: numnet_side.NumnetTrainer(
            numnet_side.deep_convnet(SEED), x, t, BATCH_SIZE, LR, SEED, optimizer="adam"
        )
    }
    meta: dict[str, Any] = {
        "numnet": numnet.__version__,
        "numpy": np.__version__,
        "threads": args.threads,
        "cores": available_cores(),
        "train_samples": len(x_train),
        "load_average_start": os.getloadavg(),
        "settings": f"Adam lr {LR}, batch {BATCH_SIZE}, He init, seed {SEED}",
    }
    if args.torch_epochs:
        try:
            import torch_side
        except ImportError as error:
            print(f"[deep_convnet] PyTorch not installed ({error.name}): numnet alone", file=sys.stderr)
        else:
            torch_side.set_threads(args.threads)
            meta["torch"] = torch_side.VERSION
            factories["PyTorch"] = lambda x, t: torch_side.TorchTrainer(
                torch_side.deep_convnet(SEED), x, t, BATCH_SIZE, LR, SEED, optimizer="adam"
            )
    # A throwaway copy of each trains on 500 images first: one-time costs stay out of the timings.
    for make in factories.values():
        make(x_train[:500], t_train[:500]).epoch()
    contenders = {name: make(x_train, t_train) for name, make in factories.items()}

    records: list[dict[str, Any]] = []
    print("| epoch | contender | epoch time (s) | test accuracy |\n|--:|---|--:|--:|", flush=True)
    for epoch in range(1, args.epochs + 1):
        names = ["numnet"] + (["PyTorch"] if "PyTorch" in contenders and epoch <= args.torch_epochs else [])
        for name in names if epoch % 2 else names[::-1]:
            started = time.perf_counter()
            contenders[name].epoch()
            seconds = time.perf_counter() - started
            accuracy = contenders[name].accuracy(x_test, t_test)
            records.append({"epoch": epoch, "contender": name, "seconds": seconds, "test_accuracy": accuracy})
            print(f"| {epoch} | {name} | {seconds:.1f} | {accuracy:.4f} |", flush=True)
        meta["load_average_end"] = os.getloadavg()
        write(args.out, meta, records)
    print("\n" + summary(records), flush=True)


def summary(records: list[dict[str, Any]]) -> str:
    """The first epoch at the target accuracy, the best accuracy, and numnet's epoch time over PyTorch's."""
    import statistics

    numnet_runs = [r for r in records if r["contender"] == "numnet"]
    reached = next((r["epoch"] for r in numnet_runs if r["test_accuracy"] >= TARGET_ACCURACY), None)
    best = max(numnet_runs, key=lambda r: r["test_accuracy"])
    target = f"{TARGET_ACCURACY:.1%} first reached after epoch {reached}" if reached else "target not reached"
    lines = [
        f"numnet: best test accuracy {best['test_accuracy']:.4f} (epoch {best['epoch']}); {target}",
        f"numnet: median epoch {statistics.median(r['seconds'] for r in numnet_runs):.1f} s",
    ]
    torch_runs = {r["epoch"]: r["seconds"] for r in records if r["contender"] == "PyTorch"}
    if torch_runs:
        ratios = [r["seconds"] / torch_runs[r["epoch"]] for r in numnet_runs if r["epoch"] in torch_runs]
        lines.append(
            f"PyTorch: median epoch {statistics.median(torch_runs.values()):.1f} s; numnet ÷ PyTorch epoch time "
            f"{statistics.median(ratios):.2f} (median over {len(ratios)} interleaved epochs)"
        )
    return "\n".join(lines)


def write(path: Path, meta: dict[str, Any], records: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"meta": meta, "epochs": records}, indent=2) + "\n")


if __name__ == "__main__":
    main()
