"""``numnet plot FIGURE``: draw a figure into a PNG file and print its path (needs matplotlib)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from numnet import plotting, presets, runs
from numnet.cli.common import (
    UsageParser,
    add_command,
    add_data_dir,
    add_model,
    add_model_and_data,
    dataset_for,
    figure_title,
    load_classifier,
    load_model,
)
from numnet.data.pictures import image_format_for
from numnet.sequence_models import AttentionSeq2seq
from numnet.sequence_presets import answer_questions, decode, load_sequence_data


def _activations(args: argparse.Namespace) -> Path:
    return plotting.save_figure(plotting.activations_figure(), args.out or "activations.png")


def _history(args: argparse.Namespace) -> Path:
    history, label = runs.read_labelled_history(args.run)
    source = Path(args.run)
    folder = source if source.is_dir() else source.parent
    run = runs.find_run(folder)
    figure = plotting.history_figure(
        history,
        title=run.title if run is not None else str(source),
        validation_label=label,
        best_epoch=run.results.get("best_epoch") if run is not None else None,
        weights_kept=run is not None and run.settings.get("early_stopping") is not None,
    )
    return plotting.save_figure(figure, args.out or folder / runs.CURVES_FILE)


def _weights(args: argparse.Namespace) -> Path:
    model, file = load_classifier(args.model)
    weights = model.params[0]
    title = figure_title(model, file)
    if weights.ndim == 2:  # dense: each unit's weights form an image of the model's picture format
        try:
            shape = image_format_for(model.input_spec, runs.dataset_of(model, file)).shape
        except ValueError as error:
            raise ValueError(
                f"plot weights draws weights as pictures, and {error} (plot boundary draws 2-D points)"
            ) from None
        figure = plotting.weights_figure(weights, shape, title=title)
    else:  # convolution filters
        figure = plotting.weights_figure(weights, title=title)
    return plotting.save_figure(figure, args.out or file.with_name("weights.png"))


def _filters(args: argparse.Namespace) -> Path:
    model, file = load_classifier(args.model)
    filters = model.params[0] if model.params else None
    if filters is None or filters.ndim != 4:
        raise ValueError(f"{file} does not start with a convolution: use 'numnet plot weights' for it")
    figure = plotting.filters_figure(filters, runs.read_initial_filters(file), title=figure_title(model, file))
    return plotting.save_figure(figure, args.out or file.with_name("filters.png"))


def _misclassified(args: argparse.Namespace) -> Path:
    model, file = load_classifier(args.model)
    dataset = dataset_for(args, model, file)
    if not dataset.is_images:
        raise ValueError(f"dataset {dataset.name} holds points, not images; plot misclassified needs an image dataset")
    _, x_test = presets.model_inputs(model, dataset)
    figure = plotting.misclassified_figure(
        dataset.x_test,
        dataset.t_test,
        model.predict_labels(x_test),
        dataset.class_names,
        title=f"{figure_title(model, file)}\non the {dataset.name} test set",
    )
    return plotting.save_figure(figure, args.out or file.with_name("misclassified.png"))


def _boundary(args: argparse.Namespace) -> Path:
    model, file = load_classifier(args.model)
    dataset = dataset_for(args, model, file)
    if dataset.x_train.shape[1:] != (2,):
        raise ValueError(
            f"plot boundary draws the decision regions of models of 2-D points (spiral, planar); "
            f"dataset {dataset.name} has samples of shape {dataset.x_train.shape[1:]}"
        )
    x_train, _ = presets.model_inputs(model, dataset)
    figure = plotting.boundary_figure(
        model,
        x_train,
        dataset.t_train,
        dataset.class_names,
        title=f"{figure_title(model, file)}\nthe {dataset.name} training points",
    )
    return plotting.save_figure(figure, args.out or file.with_name("boundary.png"))


def _attention(args: argparse.Namespace) -> Path:
    model, path = load_model(args.model)
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
    title = f"{figure_title(model, path)}\nattention while answering {question.strip()!r}"
    figure = plotting.attention_figure(weights, list(decode(model, read)), list(decode(model, answers[0])), title=title)
    return plotting.save_figure(figure, args.out or path.with_name("attention.png"))


#: Figure name -> (help, what it reads, drawing function).
FIGURES: dict[str, tuple[str, str | None, Callable[[argparse.Namespace], Path]]] = {
    "activations": ("activation functions and their derivatives", None, _activations),
    "history": ("learning curves of a run", "run", _history),
    "weights": ("first-layer weights as images", "model", _weights),
    "filters": ("the first convolution's filters, before and after training", "model", _filters),
    "misclassified": ("test images the model gets wrong", "model and data", _misclassified),
    "boundary": ("decision regions of a model of 2-D points (spiral, planar)", "model and data", _boundary),
    "attention": (
        "an AttentionSeq2seq's attention map for a question (the book's figure 8-26)",
        "question",
        _attention,
    ),
}


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = add_command(
        subparsers,
        "plot",
        help="draw a figure into a PNG file (needs matplotlib)",
        description="Draw a figure and print the path of the file written. MODEL is a model file or a run folder.",
    )
    figures = parser.add_subparsers(dest="figure", required=True, metavar="FIGURE", parser_class=UsageParser)
    for name, (helptext, reads, draw) in FIGURES.items():
        figure = add_command(figures, name, help=helptext, description=helptext)
        if reads == "run":
            figure.add_argument("run", metavar="RUN", help="a run folder or its history.json")
        elif reads == "model":
            add_model(figure)
        elif reads == "model and data":
            add_model_and_data(figure)
        elif reads == "question":
            add_model(figure)
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
