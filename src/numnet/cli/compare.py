"""``numnet compare``: runs side by side, a table and one figure of their validation curves."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from numnet import plotting, runs
from numnet.cli.common import add_command
from numnet.training import History

#: Where the figure goes unless --out says otherwise.
DEFAULT_FIGURE = "comparison.png"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = add_command(
        subparsers,
        "compare",
        help="compare runs: a table and their validation curves in one figure",
        description="Print, for each run, its dataset, model, best and final validation accuracy (or loss, "
        "for models without accuracy), epochs and training time; draw their validation curves in one "
        "figure (needs matplotlib). A run without validation shows its training curves, dashed.",
    )
    parser.add_argument("runs", metavar="RUN", nargs="+", help="run folders (or a file in one)")
    parser.add_argument("--out", metavar="FILE", help=f"the figure to write (default: {DEFAULT_FIGURE})")
    return parser


def run(args: argparse.Namespace) -> int:
    found = [runs.read_run(path) for path in args.runs]
    names = _names(found)
    metric = "acc" if all(_history(r).values.get("train_acc") for r in found) else "loss"
    rows = [("run", "dataset", "model", f"best val {metric} (epoch)", f"final val {metric}", "epochs", "time")]
    curves: dict[str, History] = {}
    for name, record in zip(names, found):
        history = _history(record)
        values = history.values.get(f"val_{metric}", [])
        test = record.validation_label == "test"
        if values:
            best = max(range(len(values)), key=values.__getitem__) if metric == "acc" else values.index(min(values))
            best_text, final_text = f"{values[best]:.4f} ({best + 1})", f"{values[-1]:.4f}"
            if test:
                best_text, final_text = best_text + " test", final_text + " test"
        else:
            best_text = final_text = "-"
        seconds = record.results.get("seconds")
        rows.append(
            (
                name,
                record.dataset,
                record.model_description or record.model_class,
                best_text,
                final_text,
                str(history.epochs),
                "-" if seconds is None else f"{seconds:.1f} s",
            )
        )
        curves[name + (" (test set)" if test else "")] = history
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    datasets = sorted({record.dataset for record in found})
    title = f"validation curves of {len(found)} runs on {', '.join(datasets)}"
    print(plotting.save_figure(plotting.compare_figure(curves, title=title), args.out or DEFAULT_FIGURE))
    return 0


def _history(record: runs.Run) -> History:
    if record.history is None:
        raise FileNotFoundError(f"{record.path} has no {runs.HISTORY_JSON}: nothing to compare")
    return record.history


def _names(found: list[runs.Run]) -> list[str]:
    """Each run's folder name, or its path where two folders share a name."""
    names = [record.path.name for record in found]
    if len(set(names)) < len(names):
        names = [str(record.path) for record in found]
    if len(set(names)) < len(names):
        raise ValueError(f"a run is given twice: {', '.join(str(Path(n)) for n in names)}")
    return names
