"""Peak resident memory of a numnet MNIST training run (run as a child process by the suite).

Loads full MNIST, trains the 784-100-10 MLP (or, with ``--model simple-cnn``,
``SimpleConvNet``; SGD, lr 0.1, batches of 100) for ``--epochs`` epochs with
``Trainer.fit`` and prints one JSON line: the resident set size (RSS) after
the imports, the peak after loading, the peak at the end, and the bytes of
the arrays the run holds (images and labels, train and test). Linux reads
``/proc/self/status``; elsewhere only the overall peak
(``resource.getrusage``) is known.

    python bench/peak_memory.py [--model mlp|simple-cnn] [--epochs 1] [--train-samples N]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
from pathlib import Path

import numpy as np

from numnet.data import load_mnist
from numnet.models import MLP, SimpleConvNet
from numnet.optimizers import SGD
from numnet.training import Trainer

MIB = 2**20


def status_bytes(field: str) -> int | None:
    """``VmRSS`` (current) or ``VmHWM`` (peak) of this process in bytes, None off Linux."""
    status = Path("/proc/self/status")
    if not status.exists():
        return None
    for line in status.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024  # reported in kB
    return None


def peak_bytes() -> int:
    """The process's peak RSS: VmHWM, or ru_maxrss (KiB on Linux, bytes on macOS)."""
    peak = status_bytes("VmHWM")
    if peak is not None:
        return peak
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss if sys.platform == "darwin" else maxrss * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=("mlp", "simple-cnn"), default="mlp")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--train-samples", type=int, default=None, help="train on the first N images only")
    args = parser.parse_args()

    after_imports = status_bytes("VmRSS")
    (x_train, t_train), (x_test, t_test) = load_mnist(verbose=False)
    data_bytes = sum(a.nbytes for a in (x_train, t_train, x_test, t_test))
    peak_after_load = peak_bytes()
    x, t = x_train[: args.train_samples], t_train[: args.train_samples]
    if args.model == "mlp":
        model = MLP([784, 100, 10], seed=0)
    else:  # images as (N, 1, 28, 28) views of the same arrays
        model, x, x_test = SimpleConvNet(seed=0), x.reshape(-1, 1, 28, 28), x_test.reshape(-1, 1, 28, 28)
    Trainer(model, SGD(lr=0.1)).fit(x, t, epochs=args.epochs, batch_size=100, seed=0, verbose=0)
    accuracy = model.accuracy(x_test, t_test)
    print(
        json.dumps(
            {
                "rss_after_imports_mib": None if after_imports is None else after_imports / MIB,
                "peak_after_load_mib": peak_after_load / MIB,
                "peak_mib": peak_bytes() / MIB,
                "data_mib": data_bytes / MIB,
                "model": args.model,
                "epochs": args.epochs,
                "train_samples": len(x),
                "test_accuracy": accuracy,
                "numpy": np.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()
