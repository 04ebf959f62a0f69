"""``numnet export RUN_OR_MODEL --onnx PATH``: a model file or run folder as an ONNX file."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from numnet import io
from numnet.cli.common import add_command
from numnet.data.catalogue import DATASETS
from numnet.models import Sequential
from numnet.onnx import DEFAULT_OPSET, MIN_OPSET, export
from numnet.runs import MODEL_FILE, dataset_of

__all__ = ["add_parser", "run"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``export`` command to ``subparsers``."""
    parser = add_command(
        subparsers,
        "export",
        help="write a model as an ONNX file (needs numnet[onnx])",
        description="Write a model file, or the model of a run folder, as an ONNX file that any ONNX runtime runs: "
        "input 'input' with a dynamic batch axis, outputs 'probabilities' and 'labels' ('values' for "
        "regression). The dataset, its class names and the input's value range are taken from the model, "
        "else from the run folder's run.json.",
    )
    parser.add_argument("model", metavar="RUN_OR_MODEL", help="a run folder, or a model or checkpoint file")
    parser.add_argument("--onnx", required=True, metavar="PATH", help="the ONNX file to write")
    parser.add_argument(
        "--opset",
        type=int,
        default=DEFAULT_OPSET,
        help=f"the ONNX operator set, {MIN_OPSET} or later (default: %(default)s)",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    source = Path(args.model)
    model_path = source / MODEL_FILE if source.is_dir() else source
    if source.is_dir() and not model_path.is_file():
        raise FileNotFoundError(f"cannot export: the run folder {str(source)!r} has no {MODEL_FILE}")
    model = io.load(model_path)
    if not isinstance(model, Sequential):
        raise ValueError(f"cannot export {model_path}: ONNX export takes a Sequential, not a {type(model).__name__}")
    dataset = dataset_of(model, model_path)
    if dataset is not None:
        model.metadata.setdefault("dataset", dataset)
        info = DATASETS.get(dataset)
        if info is not None:
            model.metadata.setdefault("class_names", list(info.class_names))
            if info.is_images and model.input_spec.kind == "float":  # numnet train scales pixels to [0, 1]
                model.metadata.setdefault("input_range", [0.0, 1.0])
    try:
        path = export(model, args.onnx, opset=args.opset)
    except NotImplementedError as error:
        raise ValueError(str(error)) from None
    print(f"wrote {path}: {type(model).__name__}, ONNX opset {args.opset}")
    print(f"input: {model.input_spec.describe()}")
    if "class_names" in model.metadata:
        print(f"classes: {json.dumps(model.metadata['class_names'])}")
    return 0
