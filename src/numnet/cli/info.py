"""``numnet info``: what a model or checkpoint file holds."""

from __future__ import annotations

import argparse
import json
from typing import Any

from numnet import io
from numnet.cli.common import add_command, count


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = add_command(
        subparsers,
        "info",
        help="describe a model file",
        description="Layers, shapes, parameter counts, dtype, format version and what the model was trained on.",
    )
    parser.add_argument("model", metavar="MODEL", help="a model or checkpoint file")
    return parser


def run(args: argparse.Namespace) -> int:
    info = io.model_info(args.model)
    model = io.load(args.model)
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
        print(f"metadata: {json.dumps(model.metadata)}")
    print(f"config: {json.dumps(info['config'])}")
    print("layers:")
    print(model.summary())
    return 0
