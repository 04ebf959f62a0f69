"""``numnet plot FIGURE``: draw a figure into a PNG file and print its path (needs matplotlib)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from numnet import io, plotting, presets, runs
from numnet.cli.common import UsageParser, add_command, add_data_dir, add_model_and_data, classifier, dataset_for
from numnet.data.pictures import image_format_for
from numnet.sequence_models import AttentionSeq2seq
from numnet.sequence_presets import answer_questions, decode, load_sequence_data


def _activations(args: argparse.Namespace) -> Path:
    return plotting.save_figure(plotting.activations_figure(), args.out or "activations.png")


def _history(args: argparse.Namespace) -> Path:
    history = runs.read_history(args.run)
    source = Path(args.run)
    folder = source if source.is_dir() else source.parent
    return plotting.save_figure(plotting.history_figure(history), args.out or folder / runs.CURVES_FILE)


def _weights(args: argparse.Namespace) -> Path:
    model = io.load(args.model)
    weights = model.params[0]
    if weights.ndim == 2:  # dense: each unit's weights form an image of the model's picture format
        figure = plotting.weights_figure(weights, image_format_for(model.input_spec).shape)
    else:  # convolution filters
        figure = plotting.weights_figure(weights)
    return plotting.save_figure(figure, args.out or Path(args.model).with_name("weights.png"))


def _filters(args: argparse.Namespace) -> Path:
    model = io.load(args.model)
    filters = model.params[0] if model.params else None
    if filters is None or filters.ndim != 4:
        raise ValueError(f"{args.model} does not start with a convolution: use 'numnet plot weights' for it")
    figure = plotting.filters_figure(filters, runs.read_initial_filters(args.model))
    return plotting.save_figure(figure, args.out or Path(args.model).with_name("filters.png"))


def _misclassified(args: argparse.Namespace) -> Path:
    model = classifier(io.load(args.model), args.model)
    dataset = dataset_for(args, model)
    if not dataset.is_images:
        raise ValueError(f"dataset {dataset.name} holds points, not images; plot misclassified needs an image dataset")
    _, x_test = presets.model_inputs(model, dataset)
    figure = plotting.misclassified_figure(
        dataset.x_test, dataset.t_test, model.predict_labels(x_test), dataset.class_names
    )
    return plotting.save_figure(figure, args.out or Path(args.model).with_name("misclassified.png"))


def _attention(args: argparse.Namespace) -> Path:
    path = Path(args.model)
    model = io.load(path)
    if not isinstance(model, AttentionSeq2seq):
        raise ValueError(f"{path} holds a {type(model).__name__}; an attention map needs an AttentionSeq2seq")
    if args.question:
        question = args.question
    else:  # the first test question
        name = str(model.metadata.get("dataset"))
        data = load_sequence_data(name, args.data_dir, reverse=bool(model.metadata.get("reverse")), verbose=False)
        question = decode(model, data.x_test[0][::-1] if data.reverse else data.x_test[0])
    ids, answers = answer_questions(model, [question])
    assert model.attention_weights is not None
    weights, read = model.attention_weights[0], ids[0]
    if model.metadata.get("reverse"):  # show the question as written, as the book does
        weights, read = weights[:, ::-1], read[::-1]
    figure = plotting.attention_figure(
        weights, list(decode(model, read)), list(decode(model, answers[0])), title=question.strip()
    )
    return plotting.save_figure(figure, args.out or path.with_name("attention.png"))


#: Figure name -> (help, what it reads, drawing function).
FIGURES: dict[str, tuple[str, str | None, Callable[[argparse.Namespace], Path]]] = {
    "activations": ("activation functions and their derivatives", None, _activations),
    "history": ("learning curves of a run", "run", _history),
    "weights": ("first-layer weights as images", "model", _weights),
    "filters": ("the first convolution's filters, before and after training", "model", _filters),
    "misclassified": ("test images the model gets wrong", "model and data", _misclassified),
    "attention": (
        "an AttentionSeq2seq's attention map for a question (the book's figure 8-26)",
        "question",
        _attention,
    ),
}


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "plot",
        help="draw a figure into a PNG file (needs matplotlib)",
        description="Draw a figure and print the path of the file written.",
    )
    figures = parser.add_subparsers(dest="figure", required=True, metavar="FIGURE", parser_class=UsageParser)
    for name, (helptext, reads, draw) in FIGURES.items():
        figure = add_command(figures, name, help=helptext, description=helptext)
        if reads == "run":
            figure.add_argument("run", metavar="RUN", help="a run folder or its history.json")
        elif reads == "model":
            figure.add_argument("model", metavar="MODEL", help="a model file (model.npz)")
        elif reads == "model and data":
            add_model_and_data(figure)
        elif reads == "question":
            figure.add_argument("model", metavar="MODEL", help="a model file (model.npz)")
            figure.add_argument("--question", metavar="TEXT", help="the question (default: the first test question)")
            add_data_dir(figure)
        figure.add_argument(
            "--out", metavar="FILE", help="the file to write (default: beside the input, or activations.png)"
        )
        figure.set_defaults(draw=draw)
    return parser


def run(args: argparse.Namespace) -> int:
    print(args.draw(args))
    return 0
