"""``numnet predict``: the class and the top-3 probabilities of each picture or sample."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from numnet import runs
from numnet.cli.common import add_command, add_model, load_classifier
from numnet.data.pictures import image_format_for, read_samples, samples_as_pictures, save_picture
from numnet.prediction import class_name, class_names, class_probabilities, top_classes

TOP = 3


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = add_command(
        subparsers,
        "predict",
        help="classify pictures or .npy arrays",
        description="Print the predicted class and the top-3 probabilities of each input. Pictures (PNG, "
        "JPEG, ...; needs Pillow) are converted the way MNIST was made: gray levels by the picture's bit "
        "depth, inverted when the background is light, cropped to the ink, fitted into 20x20 keeping the "
        "aspect ratio and centred by the ink's centre of mass in 28x28 (Fashion-MNIST models: fitted into "
        "28x28; catvnoncat models: the whole picture as 64x64 RGB). A .npy array holds one sample or a "
        "batch in any layout of a sample's values ((28, 28), (1, 28, 28) or (784,) for MNIST models), scaled "
        "like the training data (uint8: divided by 255). Classes are named as the model file records them.",
    )
    add_model(parser)
    parser.add_argument("inputs", metavar="INPUT", nargs="+", help="picture files or .npy arrays")
    parser.add_argument(
        "--show",
        metavar="PATH",
        help="write the input the network saw as a picture (PNG); with several inputs, PATH gets -1, -2, ...",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    model, file = load_classifier(args.model)
    dataset = runs.dataset_of(model, file)
    names = class_names(model, dataset)
    image_format = image_format_for(model.input_spec, dataset) if args.show else None
    shown: list[Any] = []
    for path in args.inputs:
        samples, labels = read_samples(path, model.input_spec, model.dtype, dataset)
        probabilities = class_probabilities(model, samples)
        predicted = model.predict_labels(samples)
        for label, p, k, top in zip(labels, probabilities, predicted, top_classes(probabilities, TOP)):
            ranking = "  ".join(f"{class_name(c, names)} {p[c]:.4f}" for c in top)
            print(f"{label}: {class_name(k, names)}   top-{TOP}: {ranking}")
        if image_format is not None:
            shown.extend(samples_as_pictures(samples, image_format))
    if image_format is not None:
        for path, picture in zip(_show_paths(Path(args.show), len(shown)), shown):
            save_picture(picture, path)
            print(f"wrote {path}")
    return 0


def _show_paths(path: Path, n: int) -> list[Path]:
    """``path`` for one picture; ``<stem>-1<suffix>``, ``<stem>-2<suffix>``, ... for several."""
    path = path if path.suffix else path.with_suffix(".png")
    if n == 1:
        return [path]
    return [path.with_name(f"{path.stem}-{i}{path.suffix}") for i in range(1, n + 1)]
