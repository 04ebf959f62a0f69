"""``numnet info``: what a run folder, a model file or a checkpoint holds."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from numnet import io, runs
from numnet.cli.common import add_command, count
from numnet.data.catalogue import DATASETS


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = add_command(
        subparsers,
        "info",
        help="describe a run, a model file or a checkpoint",
        description="A run folder: the dataset and its classes, the architecture with each layer's output shape "
        "and parameter count, the training settings and the results. A model or checkpoint file: its "
        "layers, shapes, parameter counts, dtype, format version and what it was trained on (and its run, "
        "when it lies in a run folder).",
    )
    parser.add_argument("model", metavar="RUN", help="a run folder, a model file or a checkpoint file")
    return parser


def run(args: argparse.Namespace) -> int:
    given = Path(args.model)
    record: runs.Run | None
    if given.is_dir():
        record = runs.read_run(given)
        file = record.path / (runs.CHECKPOINT_FILE if record.status == runs.INTERRUPTED else runs.MODEL_FILE)
    else:
        record, file = runs.find_run(given), given
    if record is not None:
        _print_run(record)
        print()
    _print_file(file)
    return 0


def _print_run(run: runs.Run) -> None:
    print(f"{run.path}: a numnet run ({run.status}), written by numnet {run.numnet_version}")
    if run.command:
        print(f"command: {run.command}")
    info = DATASETS.get(run.dataset)
    print(f"dataset: {run.dataset}" + (f": {info.description}" if info else ""))
    if info is not None:
        print(f"  {info.n_classes} classes: {', '.join(info.class_names)}")
    samples = run.results.get("samples")
    if isinstance(samples, dict):
        noun = "chunks" if run.model_class == "RNNLM" else "sequences" if "Seq2seq" in run.model_class else "samples"
        print("  " + " / ".join(f"{n:,} {split}" for split, n in samples.items()) + f" {noun}")
    s = run.settings
    lr = run.optimizer_config.get("lr")
    decay = run.optimizer_config.get("weight_decay")
    batch = s.get("batch_size")
    validation = "none"
    if s.get("validate_on") == "split":
        validation = f"{s.get('validation_split', 0):.0%} of the training set held out"
    elif s.get("validate_on") == "test":
        validation = "tracks the test set (no validation split)"
    stopping = s.get("early_stopping")
    print(
        f"training: {run.optimizer} lr {lr:g}"
        + (f", weight decay {decay:g}" if decay else "")
        + f", batch {batch or 'full'}, {count(s.get('epochs', 0), 'epoch')}, seed {s.get('seed')}"
    )
    print(
        f"  validation: {validation}; early stopping: "
        + (f"patience {stopping} on the validation loss" if stopping is not None else "off")
    )
    architecture = [f"--{name.replace('_', '-')} {_shown(s[name])}".strip() for name in _ARCHITECTURE if s.get(name)]
    print(f"  model: {s.get('model', run.model_class)}" + (f" ({' '.join(architecture)})" if architecture else ""))
    if run.resumed_from:
        print(f"  resumed from {run.resumed_from}")
    r = run.results
    if run.status == runs.INTERRUPTED:
        print(f"results: interrupted after {count(r.get('epochs', 0), 'epoch')}; resume with --resume {run.path}")
    else:
        line = f"results: {count(r.get('epochs', 0), 'epoch')} in {r.get('seconds', 0):.1f} s"
        line += f"; train accuracy {r['train_accuracy']:.4f}" if "train_accuracy" in r else ""
        if "val_accuracy" in r and s.get("validate_on") == "split":
            line += f", validation accuracy {r['val_accuracy']:.4f}"
        line += f", test accuracy {r['test_accuracy']:.4f}" if "test_accuracy" in r else ""
        for key in ("val_exact_match", "val_perplexity") if s.get("validate_on") == "split" else ():
            line += f", validation {key[4:].replace('_', ' ')} {r[key]:.4f}" if key in r else ""
        for key in ("test_exact_match", "test_perplexity"):
            line += f", test {key[5:].replace('_', ' ')} {r[key]:.4f}" if key in r else ""
        print(line)
        if "best_epoch" in r:
            label = "test" if s.get("validate_on") == "test" else "validation"
            best = f"  best epoch {r['best_epoch']}: {label} loss {r['best_val_loss']:.4f}"
            if "best_val_accuracy" in r:
                best += f", {label} accuracy {r['best_val_accuracy']:.4f}"
            kept = " (its weights kept by early stopping)" if stopping is not None else ""
            print(best + kept)
        for warning in r.get("warnings", []):
            print(f"  warning: {warning}")
    print(f"files: {', '.join(run.files)}")


_ARCHITECTURE = ("hidden", "activation", "init", "dropout", "batch_norm", "wordvec", "reverse")


def _shown(value: Any) -> str:
    if value is True:
        return ""
    return " ".join(map(str, value)) if isinstance(value, list) else str(value)


#: Lists longer than this (a vocabulary, word counts) are shown by their first items and their length.
LONG_LIST = 12


def _brief(value: Any) -> str:
    """``value`` as JSON, each list of more than LONG_LIST items cut to its first five and its length."""

    def cut(item: Any) -> Any:
        if isinstance(item, dict):
            return {key: cut(inner) for key, inner in item.items()}
        if isinstance(item, list):
            if len(item) > LONG_LIST:
                return [*map(cut, item[:5]), f"... {len(item):,} items"]
            return list(map(cut, item))
        return item

    return json.dumps(cut(value))


def _print_file(file: Path) -> None:
    info = io.model_info(file)
    model = io.load(file) if info["format"] != io.CHECKPOINT_FORMAT else io.load_checkpoint(file).model
    kind = "checkpoint" if info["format"] == io.CHECKPOINT_FORMAT else "model"
    print(
        f"{info['path']}: numnet {kind} file, format version {info['format_version']} "
        f"(written by numnet {info['numnet_version']})"
    )
    print(f"model: {info['model_class']}, {info['dtype']}, {info['parameter_count']:,} parameters")
    if kind == "checkpoint":
        print(
            f"checkpoint: {count(info['epoch'], 'epoch')} done, optimizer {info['optimizer_class']} "
            f"{json.dumps(info['optimizer_config'])}"
        )
    if model.metadata:
        print(f"metadata: {_brief(model.metadata)}")
    print(f"config: {_brief(info['config'])}")
    print("layers:")
    model.summary()
