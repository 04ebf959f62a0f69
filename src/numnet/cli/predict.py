"""``numnet predict``: the class and the top-3 probabilities of each picture or sample."""

from __future__ import annotations

import argparse
from typing import Any

from numnet import io, runs
from numnet.cli.common import add_command, classifier
from numnet.data.pictures import read_samples
from numnet.prediction import class_name, class_names, class_probabilities, top_classes

TOP = 3


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = add_command(
        subparsers,
        "predict",
        help="classify pictures or .npy arrays",
        description="Print the predicted class and the top-3 probabilities of each input. Pictures (PNG, "
        "JPEG, ...; needs Pillow) are converted like MNIST: gray, 28x28, white on black (mostly "
        "light pictures are inverted), scaled to [0, 1] (64x64 RGB for catvnoncat models). A .npy "
        "array holds one sample or a batch, scaled like the training data (uint8: divided by 255). "
        "Classes are named as the model file records them.",
    )
    parser.add_argument("model", metavar="MODEL", help="a model file (model.npz)")
    parser.add_argument("inputs", metavar="INPUT", nargs="+", help="picture files or .npy arrays")
    return parser


def run(args: argparse.Namespace) -> int:
    model = classifier(io.load(args.model), args.model)
    names = class_names(model, runs.dataset_of(model, args.model))
    for path in args.inputs:
        samples, labels = read_samples(path, model.input_spec, model.dtype)
        probabilities = class_probabilities(model, samples)
        predicted = model.predict_labels(samples)
        for label, p, k, top in zip(labels, probabilities, predicted, top_classes(probabilities, TOP)):
            ranking = "  ".join(f"{class_name(c, names)} {p[c]:.4f}" for c in top)
            print(f"{label}: {class_name(k, names)}   top-{TOP}: {ranking}")
    return 0
