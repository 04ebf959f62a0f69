"""Timing, statistics and reporting shared by the benchmarks.

Nothing here knows about numnet or its peers: a benchmark hands in plain
callables and gets numbers back.

Timings on a shared machine are noisy, so contenders that are compared are
timed *interleaved*: repeat r runs every contender once, the order rotating
from one repeat to the next, so that a burst of load from elsewhere falls on
all of them alike. The ratios reported are ratios of medians.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

#: The sections of the suite, in the order they run (``run.py --only`` picks some).
SECTIONS = ("gemm", "mlp", "wide", "inference", "conv", "planar", "memory")


@dataclass
class Stats:
    """Median, min and max of repeated measurements (in ``unit``), with the raw samples."""

    unit: str
    samples: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def min(self) -> float:
        return min(self.samples)

    @property
    def max(self) -> float:
        return max(self.samples)

    def scaled(self, unit: str, convert: Callable[[float], float]) -> Stats:
        """The same measurements in another unit, e.g. seconds -> images per second.

        A decreasing ``convert`` swaps min and max, which the properties handle.
        """
        return Stats(unit, [convert(sample) for sample in self.samples])

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "median": self.median, "min": self.min, "max": self.max, "samples": self.samples}


def seconds(fn: Callable[[], object]) -> float:
    """Wall-clock seconds of one call of ``fn``."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def time_interleaved(contenders: Mapping[str, Callable[[], object]], repeats: int) -> dict[str, Stats]:
    """Seconds per call of each contender, ``repeats`` calls each, interleaved.

    Repeat r starts with contender number r (mod the count) and goes round,
    so no contender is always first (or always right after the same one).
    """
    names = list(contenders)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        for k in range(len(names)):
            name = names[(r + k) % len(names)]
            samples[name].append(seconds(contenders[name]))
    return {name: Stats("s", values) for name, values in samples.items()}


# ------------------------------------------------------------------ results


@dataclass
class Row:
    """One line of the results table.

    ``stats`` is None when the contender did not run; ``note`` then says why
    (a peer that is not installed, a failure). ``ratio`` is numnet's median
    divided by this row's median, in the row's unit: below 1 numnet is faster
    for times, above 1 it is faster for rates.
    """

    benchmark: str
    contender: str
    stats: Stats | None = None
    ratio: float | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["stats"] = None if self.stats is None else self.stats.to_dict()
        return data


@dataclass
class Target:
    """A speed target of the issue: ``value`` against ``goal`` (``"<= 1.0"``, ``">= 0.7"``)."""

    name: str
    value: float | None
    goal: str
    note: str = ""

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        op, bound = self.goal.split()
        return self.value <= float(bound) if op == "<=" else self.value >= float(bound)

    @property
    def status(self) -> str:
        return {True: "met", False: "MISSED", None: "not measured"}[self.met]

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "met": self.met, "status": self.status}


def ratio(numnet: Stats | None, peer: Stats | None) -> float | None:
    """numnet's median over the peer's median (None if either is missing)."""
    if numnet is None or peer is None:
        return None
    return numnet.median / peer.median


def _number(value: float) -> str:
    """A value with three significant digits, thousands separated (``0.123``, ``12.3``, ``4,560``)."""
    if value == 0 or abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def markdown_tables(rows: list[Row], targets: list[Target]) -> str:
    """The results and the targets as two Markdown tables."""
    lines = [
        "| benchmark | contender | median | min | max | unit | numnet ÷ peer | note |",
        "|---|---|--:|--:|--:|---|--:|---|",
    ]
    for row in rows:
        if row.stats is None:
            cells = ["–", "–", "–", ""]
        else:
            cells = [_number(row.stats.median), _number(row.stats.min), _number(row.stats.max), row.stats.unit]
        shown_ratio = "" if row.ratio is None else f"{row.ratio:.2f}×"
        lines.append(f"| {row.benchmark} | {row.contender} | " + " | ".join(cells) + f" | {shown_ratio} | {row.note} |")
    lines += ["", "| target | measured | goal | status | note |", "|---|--:|---|---|---|"]
    for target in targets:
        value = "–" if target.value is None else f"{target.value:.2f}"
        lines.append(f"| {target.name} | {value} | {target.goal} | {target.status} | {target.note} |")
    return "\n".join(lines)
