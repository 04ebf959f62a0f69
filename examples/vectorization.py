"""Why vectorize: a dot product as a Python loop against NumPy's np.dot.

Both compute sum_i a_i * b_i over the same 1,000,000 random numbers; the
results agree (to rounding) and the vectorized one is many times faster.

Run:  python examples/vectorization.py [--size N] [--seed S]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

VECTORIZED_REPEATS = 5


def loop_dot(a: np.ndarray, b: np.ndarray) -> float:
    """The dot product one element at a time, in the Python interpreter."""
    total = 0.0
    for i in range(len(a)):
        total += a[i] * b[i]
    return float(total)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="vector length (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random vectors")
    args = parser.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    a, b = rng.random(args.size), rng.random(args.size)

    start = time.perf_counter()
    loop_result = loop_dot(a, b)
    loop_seconds = time.perf_counter() - start

    # The first call also starts up the BLAS library, so take the best of a few.
    vectorized_seconds = float("inf")
    for _ in range(VECTORIZED_REPEATS):
        start = time.perf_counter()
        vectorized_result = float(np.dot(a, b))
        vectorized_seconds = min(vectorized_seconds, time.perf_counter() - start)

    print(f"dot product of two random vectors of {args.size:,} elements")
    print(f"loop:       {loop_result:.6f} in {1000 * loop_seconds:9.3f} ms")
    print(f"vectorized: {vectorized_result:.6f} in {1000 * vectorized_seconds:9.3f} ms (best of {VECTORIZED_REPEATS})")
    print(f"the vectorized version is {loop_seconds / max(vectorized_seconds, 1e-9):.0f}x faster")


if __name__ == "__main__":
    main()
