"""``numnet evaluate``: accuracy, per-class precision, recall and F1, and the confusion matrix on a test set."""

from __future__ import annotations

import argparse
from typing import Any

from numnet import io, plotting, presets
from numnet.cli.common import add_command, add_model_and_data, classifier, dataset_for
from numnet.metrics import classification_report_text, confusion_matrix, confusion_matrix_text


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = add_command(
        subparsers,
        "evaluate",
        help="accuracy, per-class precision, recall and F1, confusion matrix",
        description="Evaluate a model on a test set (default: the dataset it was trained on, else mnist-mini).",
    )
    add_model_and_data(parser)
    parser.add_argument("--plot", metavar="OUT.png", help="also draw the confusion matrix into this file")
    return parser


def run(args: argparse.Namespace) -> int:
    model = classifier(io.load(args.model), args.model)
    dataset = dataset_for(args, model)
    _, x_test = presets.model_inputs(model, dataset)
    predicted = model.predict_labels(x_test)
    matrix = confusion_matrix(dataset.t_test, predicted, n_classes=len(dataset.class_names))
    print(f"{args.model} on the {dataset.name} test set ({len(x_test):,} samples)")
    print(classification_report_text(dataset.t_test, predicted, dataset.class_names))
    print()
    print(confusion_matrix_text(matrix, dataset.class_names))
    if args.plot:
        path = plotting.save_figure(plotting.confusion_matrix_figure(matrix, dataset.class_names), args.plot)
        print(f"wrote {path}")
    return 0
