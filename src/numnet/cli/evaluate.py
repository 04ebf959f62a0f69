"""``numnet evaluate``: accuracy, per-class precision, recall and F1, and the confusion matrix on a test set."""

from __future__ import annotations

import argparse
from typing import Any

from numnet import plotting, presets
from numnet.cli.common import add_command, add_model_and_data, dataset_for, figure_title, load_classifier
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
    model, file = load_classifier(args.model)
    dataset = dataset_for(args, model, file)
    _, x_test = presets.model_inputs(model, dataset)
    predicted = model.predict_labels(x_test)
    matrix = confusion_matrix(dataset.t_test, predicted, n_classes=len(dataset.class_names))
    print(f"{file} on the {dataset.name} test set ({len(x_test):,} samples)")
    print(classification_report_text(dataset.t_test, predicted, dataset.class_names))
    print()
    print(confusion_matrix_text(matrix, dataset.class_names))
    if args.plot:
        title = f"{figure_title(model, file)}\non the {dataset.name} test set ({len(x_test):,} samples)"
        path = plotting.save_figure(plotting.confusion_matrix_figure(matrix, dataset.class_names, title), args.plot)
        print(f"wrote {path}")
    return 0
