"""Benchmark numnet against PyTorch (CPU) and scikit-learn on full MNIST, in one run.

    python bench/run.py [--quick] [--repeats N] [--threads N] [--peers torch,sklearn,onnxruntime] [--only SECTIONS]
                        [--out PATH]

MNIST is read from ``$NUMNET_DATA_DIR`` or numnet's cache (downloaded there
if missing). The table is printed as Markdown and the full results (every
sample, machine and versions) are written as JSON to ``--out``. See
``bench/README.md`` for what each benchmark measures.

Every thread pool (NumPy's BLAS, PyTorch's intra-op pool) gets the same
``--threads`` threads, set through the environment before any of them
loads; numnet itself never changes thread settings.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from harness import SECTIONS  # imports no thread pool: NumPy and PyTorch load only once --threads is set

THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity where the OS tells)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def busy_warning(threads: int) -> str:
    """A warning when other work already keeps the cores busy (the 1-minute load average), else ''.

    Thread pools spin while they wait for each other: with every core asked
    for and other processes running, an epoch can take ten times longer, for
    numnet and PyTorch alike, and the timings say more about the load than
    about the libraries.
    """
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return ""
    cores = available_cores()
    if load + threads <= cores + 0.5:
        return ""
    fewer = max(1, min(threads - 1, int(cores - load)))
    advice = f"try --threads {fewer}, or run" if fewer < threads else "run"
    return (
        f"the load average is {load:.1f} on {cores} cores before the run; timings on {threads} thread(s) "
        f"will be noisy ({advice} at a quieter moment)"
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark numnet against PyTorch and scikit-learn on MNIST.")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run (~2 min): 10,000 training images per epoch, 2 repeats, smaller GEMM",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=None,
        help="timed epochs per contender (default 3, or 2 with --quick); inference and GEMM repeat more",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=available_cores(),
        help="threads for NumPy's BLAS and PyTorch alike (default: the available cores, %(default)s)",
    )
    parser.add_argument(
        "--peers",
        default="torch,sklearn,onnxruntime",
        help="comma-separated peers to run: torch, sklearn, onnxruntime, or none (default: %(default)s)",
    )
    parser.add_argument(
        "--only",
        default="",
        help=f"comma-separated sections to run, from {', '.join(SECTIONS)} (default: all)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent / "results" / "latest.json",
        help="where to write the JSON results (default: bench/results/latest.json)",
    )
    args = parser.parse_args(argv)
    if args.repeats is None:
        args.repeats = 2 if args.quick else 3
    if args.repeats < 1 or args.threads < 1:
        parser.error("--repeats and --threads must be positive")
    peers = tuple(p for p in args.peers.split(",") if p and p != "none")
    unknown = set(peers) - {"torch", "sklearn", "onnxruntime"}
    if unknown:
        parser.error(f"--peers: unknown peer(s) {sorted(unknown)}; choose from torch, sklearn, onnxruntime, none")
    args.peers = peers
    args.only = tuple(name for name in args.only.split(",") if name)
    unknown = set(args.only) - set(SECTIONS)
    if unknown:
        parser.error(f"--only: unknown section(s) {sorted(unknown)}; choose from {', '.join(SECTIONS)}")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    busy = busy_warning(args.threads)
    if busy:
        print(f"[bench] warning: {busy}", file=sys.stderr)
    for variable in THREAD_VARIABLES:  # read once, when the libraries start their thread pools
        os.environ[variable] = str(args.threads)
    from harness import markdown_tables
    from suite import Config, run_suite

    config = Config(
        repeats=args.repeats,
        threads=args.threads,
        train_samples=10_000 if args.quick else None,
        gemm_size=1024 if args.quick else 2048,
        peers=args.peers,
        quick=args.quick,
        sections=args.only,
    )
    results = run_suite(config)
    meta = results.meta
    print(
        f"\nnumnet {meta['numnet']} on {meta['cpu']}, {meta['threads']} thread(s) of {meta['cores']} cores; "
        f"{meta['train_samples']:,} training images per epoch, {meta['repeats']} repeats; "
        f"load average {meta['load_average_start'][0]:.1f} -> {meta['load_average_end'][0]:.1f}\n"
    )
    if busy:
        print(f"Warning: {busy}\n")
    print(markdown_tables(results.rows, results.targets))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results.to_dict(), indent=2) + "\n")
    print(f"\nJSON written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
