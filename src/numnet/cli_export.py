"""``numnet export RUN_OR_MODEL --onnx PATH``: a model file or run folder as an ONNX file.

One command module: :func:`add_parser` registers it with the ``numnet``
parser's subcommands, :func:`run` carries it out and returns the exit status.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from numnet import io
from numnet.onnx import DEFAULT_OPSET, MIN_OPSET, export

__all__ = ["add_parser", "run"]

#: Datasets whose inputs ``numnet train`` scales to [0, 1] (pixels divided by 255).
UNIT_RANGE_DATASETS = ("mnist-mini", "mnist", "fashion-mnist", "catvnoncat")


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``export`` command to ``subparsers``; its handler is :func:`run`."""
    parser = subparsers.add_parser(
        "export",
        help="write a model as an ONNX file (needs numnet[onnx])",
        description="Write a model file, or the model of a run folder, as an ONNX file that any ONNX runtime runs: "
        "input 'input' with a dynamic batch axis, outputs 'probabilities' and 'labels' ('values' for "
        "regression). The dataset, its class names and the input's value range are taken from the model, "
        "else from the run folder's run.json.",
    )
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show the full traceback")
    parser.add_argument("model", metavar="RUN_OR_MODEL", help="a run folder, or a model or checkpoint file")
    parser.add_argument("--onnx", required=True, metavar="PATH", help="the ONNX file to write")
    parser.add_argument(
        "--opset",
        type=int,
        default=DEFAULT_OPSET,
        help=f"the ONNX operator set, {MIN_OPSET} or later (default: %(default)s)",
    )
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from numnet.cli import CLASS_NAMES, MODEL_FILE, _run_info  # noqa: PLC0415 - numnet.cli imports this module

    source = Path(args.model)
    model_path = source / MODEL_FILE if source.is_dir() else source
    if source.is_dir() and not model_path.is_file():
        raise FileNotFoundError(f"cannot export: the run folder {str(source)!r} has no {MODEL_FILE}")
    model = io.load(model_path)
    dataset = model.metadata.get("dataset") or _run_info(str(model_path)).get("dataset")
    if dataset is not None:
        model.metadata.setdefault("dataset", dataset)
        if dataset in CLASS_NAMES:
            model.metadata.setdefault("class_names", list(CLASS_NAMES[dataset]))
        if dataset in UNIT_RANGE_DATASETS and model.input_spec.kind == "float":
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
