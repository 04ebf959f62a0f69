#!/usr/bin/env python
"""Time numnet.io.load of a SimpleConvNet file: this numnet against another (the one before a change).

The file is MNIST's SimpleConvNet (conv 30@5x5, 100, 10: 433,890 float32
parameters, 1.7 MB), written by this numnet. Each contender runs in its own
process (``PYTHONPATH`` = its ``src`` folder), loads the file once to warm
up, then ``--loads`` times, and reports its median; the rounds alternate the
contenders (ABBA order), so that load from elsewhere falls on both alike.
Prints a Markdown table: median, min and max of the per-round medians, and
the ratio of this numnet's median to the baseline's.

    python bench/io_load.py --baseline-src /path/to/old/src [--rounds 12] [--loads 40]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE_SRC = Path(__file__).resolve().parents[1] / "src"

TIMER = """
import statistics, sys, time
from numnet import io
path, loads = sys.argv[1], int(sys.argv[2])
io.load(path)
times = []
for _ in range(loads):
    started = time.perf_counter()
    io.load(path)
    times.append(time.perf_counter() - started)
print(statistics.median(times))
"""


def median_load_seconds(src: Path, path: Path, loads: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(src), "OPENBLAS_NUM_THREADS": "1"}
    result = subprocess.run(
        [sys.executable, "-c", TIMER, str(path), str(loads)], env=env, capture_output=True, text=True, check=True
    )
    return float(result.stdout.split()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline-src", type=Path, required=True, help="the src folder of the numnet to compare to")
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--loads", type=int, default=40)
    args = parser.parse_args()

    sys.path.insert(0, str(HERE_SRC))
    from numnet import io
    from numnet.models import SimpleConvNet

    contenders = {"baseline": args.baseline_src.resolve(), "this numnet": HERE_SRC}
    times: dict[str, list[float]] = {name: [] for name in contenders}
    with tempfile.TemporaryDirectory() as directory:
        path = io.save(SimpleConvNet(seed=0), Path(directory) / "simple_conv_net.npz")
        size = path.stat().st_size
        for round_ in range(args.rounds):
            order = list(contenders) if round_ % 4 in (0, 3) else list(contenders)[::-1]  # ABBA
            for name in order:
                times[name].append(median_load_seconds(contenders[name], path, args.loads))

    base = statistics.median(times["baseline"])
    print(f"io.load of SimpleConvNet ({size:,} bytes), {args.rounds} rounds of {args.loads} loads, ABBA order\n")
    print("| contender | median (ms) | min (ms) | max (ms) | ÷ baseline |")
    print("|---|--:|--:|--:|--:|")
    for name, values in times.items():
        median = statistics.median(values)
        print(
            f"| {name} | {median * 1e3:.3f} | {min(values) * 1e3:.3f} | {max(values) * 1e3:.3f} | {median / base:.3f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
