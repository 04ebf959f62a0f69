"""Figures for learners and for the ``numnet`` command (needs matplotlib).

Every function returns a :class:`matplotlib.figure.Figure` built directly,
without ``pyplot``, so nothing needs a display and no global figure state is
kept; :func:`save_figure` writes one to disk atomically. matplotlib is an
optional dependency (``pip install 'numnet[plot]'``), imported only when a
figure is made. Nothing in numnet below the command line imports this module.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from numnet import functions as F
from numnet._atomic import atomic_write

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from numnet.graph import Graph, Node, Value

__all__ = [
    "activations_figure",
    "history_figure",
    "sweep_figure",
    "weights_figure",
    "filters_figure",
    "images_figure",
    "misclassified_figure",
    "confusion_matrix_figure",
    "graph_figure",
    "attention_figure",
    "save_figure",
]

MISSING_MATPLOTLIB = "plotting needs matplotlib: pip install 'numnet[plot]'"


def _new_figure(**kwargs: Any) -> Figure:
    try:
        from matplotlib.figure import Figure  # noqa: PLC0415 - optional dependency
    except ImportError:
        raise ImportError(MISSING_MATPLOTLIB) from None
    return Figure(**kwargs)


def save_figure(fig: Figure, path: str | os.PathLike[str], dpi: int = 100) -> Path:
    """Write ``fig`` to ``path`` atomically (a temporary file, then a rename) and return the path.

    The format follows the file's suffix (``.png``, ``.pdf``, ``.svg``, ...;
    PNG when there is none). Missing parent directories are created.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    file_format = path.suffix[1:].lower() or "png"
    with atomic_write(path) as file:
        fig.savefig(file, format=file_format, dpi=dpi)
    return path


# ------------------------------------------------------------------ curves


def activations_figure(x_range: tuple[float, float] = (-5.0, 5.0)) -> Figure:
    """The hidden-layer activations (left) and their derivatives (right) over ``x_range``.

    Left: step, sigmoid, tanh and ReLU. Right: the derivatives backpropagation
    multiplies by: s(1 - s), 1 - tanh², and ReLU's 0/1 step.
    """
    x = np.linspace(*x_range, 501)
    fig = _new_figure(figsize=(10, 4), layout="constrained")
    values, slopes = fig.subplots(1, 2)
    for label, y in (
        ("step", F.step_function(x)),
        ("sigmoid", F.sigmoid(x)),
        ("tanh", F.tanh(x)),
        ("ReLU", F.relu(x)),
    ):
        values.plot(x, y, label=label)
    values.set(title="activation functions", xlabel="x", ylabel="h(x)", ylim=(-1.2, 2.2))
    for label, y in (
        ("sigmoid'", F.sigmoid_derivative(x)),
        ("tanh'", 1.0 - F.tanh(x) ** 2),
        ("ReLU'", F.relu_derivative(x)),
    ):
        slopes.plot(x, y, label=label)
    slopes.set(title="their derivatives", xlabel="x", ylabel="h'(x)", ylim=(-0.1, 1.2))
    for ax in (values, slopes):
        ax.axhline(0.0, color="0.8", linewidth=0.8, zorder=0)
        ax.axvline(0.0, color="0.8", linewidth=0.8, zorder=0)
        ax.legend()
    return fig


def history_figure(history: Mapping[str, Sequence[float]] | Any) -> Figure:
    """Learning curves: loss (left) and accuracy, or perplexity, (right) against epochs.

    Args:
        history: a :class:`numnet.training.History` or its ``to_dict()``
            (``loss`` per iteration; ``train_loss``, ``train_acc`` and, when
            validated, ``val_loss``, ``val_acc`` per epoch).

    The per-iteration loss is drawn faintly, spread evenly over the epochs;
    the per-epoch values are drawn at epochs 1, 2, ... with markers. The
    right panel shows accuracy (with the exact-match accuracy of sequences,
    dashed, when recorded) or, for a language model, the perplexity on a
    log scale.
    """
    data = history.to_dict() if hasattr(history, "to_dict") else dict(history)
    train_loss = list(data.get("train_loss", ()))
    epochs = len(train_loss)
    if epochs == 0:
        raise ValueError("history holds no completed epoch: nothing to plot")
    epoch_axis = np.arange(1, epochs + 1)
    fig = _new_figure(figsize=(10, 4), layout="constrained")
    loss_ax, right_ax = fig.subplots(1, 2)
    perplexity = any(len(data.get(f"{split}_perplexity", ())) for split in ("train", "val"))

    iteration_loss = np.asarray(data.get("loss", ()), dtype=float)
    if iteration_loss.size:
        spread = np.arange(1, iteration_loss.size + 1) * (epochs / iteration_loss.size)
        loss_ax.plot(spread, iteration_loss, color="0.75", linewidth=0.8, label="mini-batch loss")
    panels = [(loss_ax, "loss", "", "-")]
    if perplexity:
        panels.append((right_ax, "perplexity", "", "-"))
    else:
        panels += [(right_ax, "acc", "", "-"), (right_ax, "exact_match", ", exact match", "--")]
    for ax, metric, suffix, style in panels:
        for split in ("train", "val"):
            values = data.get(f"{split}_{metric}", ())
            if len(values):
                label = ("training" if split == "train" else "validation") + suffix
                ax.plot(epoch_axis[: len(values)], values, style, marker="o", markersize=3, label=label)
    loss_ax.set(title="loss", xlabel="epoch")
    loss_ax.legend()
    if perplexity:
        right_ax.set(title="perplexity", xlabel="epoch", yscale="log")
    else:
        right_ax.set(title="accuracy", xlabel="epoch")
        right_ax.set_ylim(top=1.0)
    if right_ax.lines:
        right_ax.legend()
    return fig


def attention_figure(
    weights: ArrayLike, question: Sequence[str], answer: Sequence[str], title: str | None = None
) -> Figure:
    """An attention map, as the book's figure 8-26: which question position each answer step looked at.

    Args:
        weights: (T_out, T_in) attention weights, each row summing to 1.
        question: the T_in symbols of the question (in the order of the weights' columns).
        answer: the T_out symbols of the answer.
    """
    weights = np.asarray(weights, dtype=float)
    if weights.ndim != 2 or weights.shape != (len(answer), len(question)):
        raise ValueError(
            f"weights must have shape (len(answer), len(question)) = ({len(answer)}, {len(question)}), "
            f"got {weights.shape}"
        )
    fig = _new_figure(figsize=(max(4.0, 0.3 * len(question) + 1.5), max(3.0, 0.3 * len(answer) + 1.2)))
    ax = fig.add_subplot()
    image = ax.pcolormesh(weights, cmap="Greys", vmin=0.0, vmax=max(float(weights.max()), 1e-12))
    ax.set_xticks(np.arange(len(question)) + 0.5, ["\u2423" if c == " " else c for c in question])  # a visible space
    ax.set_yticks(np.arange(len(answer)) + 0.5, list(answer))
    ax.invert_yaxis()
    ax.set(xlabel="question", ylabel="answer", title=title or "attention")
    fig.colorbar(image, ax=ax, fraction=0.04)
    fig.tight_layout()
    return fig


def sweep_figure(records: Sequence[Mapping[str, Any]], top: int = 20) -> Figure:
    """A hyperparameter sweep (:mod:`numnet.sweep`): every trial, and the best ones' learning curves.

    Left: each trial at its learning rate and weight decay (log scales),
    coloured by its final validation accuracy; diverged trials are grey
    crosses, and the best ``top`` are numbered by rank. Right, as in "Deep
    Learning from Scratch" §6.5: the validation (solid) and training (dashed)
    accuracy of the best ``top`` trials over the epochs.

    Args:
        records: trial records as :func:`numnet.sweep.run_trial` returns them, best first
            (:func:`numnet.sweep.ranked`).
        top: how many of the best trials get a curve panel (at most 20 are drawn).
    """
    records = list(records)
    if not records:
        raise ValueError("records holds no trial: nothing to plot")
    best = [r for r in records if r["val_acc"] is not None][: min(top, 20)]
    columns = min(5, max(1, len(best)))
    rows = max(1, math.ceil(len(best) / columns))
    fig = _new_figure(figsize=(6 + 2.2 * columns, max(5.0, 1.7 * rows + 1.5)), layout="constrained")
    halves: Any = fig.subfigures(1, 2, width_ratios=[6, 2.2 * columns])
    left, right = halves
    ax = left.subplots()
    finished = [r for r in records if r["val_acc"] is not None]
    diverged = [r for r in records if r["val_acc"] is None]
    if finished:
        points = ax.scatter(
            [r["lr"] for r in finished],
            [r["weight_decay"] for r in finished],
            c=[r["val_acc"] for r in finished],
            cmap="viridis",
            vmin=0.0,
            vmax=1.0,
            s=40,
            edgecolors="0.2",
            linewidths=0.5,
        )
        left.colorbar(points, ax=ax, label="validation accuracy")
    if diverged:
        ax.scatter(
            [r["lr"] for r in diverged],
            [r["weight_decay"] for r in diverged],
            marker="x",
            color="0.6",
            label="diverged",
        )
        ax.legend(loc="lower left")
    for rank, record in enumerate(best, start=1):
        ax.annotate(str(rank), (record["lr"], record["weight_decay"]), xytext=(4, 4), textcoords="offset points")
    ax.set(xscale="log", yscale="log", xlabel="learning rate", ylabel="weight decay")
    ax.set_title(f"{len(records)} trials (numbers: rank)")
    if best:
        panels = np.atleast_1d(right.subplots(rows, columns, sharex=True, sharey=True, squeeze=False)).ravel()
        for rank, (panel, record) in enumerate(zip(panels, best), start=1):
            epochs = np.arange(1, len(record["val_acc_curve"]) + 1)
            panel.plot(epochs, record["val_acc_curve"], label="validation")
            panel.plot(epochs, record["train_acc_curve"], "--", label="training")
            panel.set_title(f"Best-{rank}: {record['val_acc']:.3f}", fontsize=9)
            panel.set_ylim(0.0, 1.0)
            panel.tick_params(labelsize=7)
        for panel in panels[len(best) :]:
            panel.set_visible(False)
        panels[0].legend(fontsize=7, loc="lower right")
        right.suptitle("accuracy over the epochs of the best trials")
        right.supxlabel("epoch")
    return fig


# ------------------------------------------------------------------ images


def _image_stack(images: ArrayLike, name: str) -> NDArray:
    """``images`` as (n, h, w) gray or (n, h, w, 3) RGB, or a ValueError naming ``name``."""
    images = np.asarray(images)
    if not (images.ndim == 3 or (images.ndim == 4 and images.shape[-1] == 3)):
        raise ValueError(f"{name} must have shape (n, h, w) or (n, h, w, 3), got {images.shape}")
    return images


def _to_unit_range(image: NDArray) -> NDArray:
    """An RGB image scaled to [0, 1] (imshow needs that for floats), constant images to 0.5."""
    image = image.astype(float)
    low, high = image.min(), image.max()
    return np.full_like(image, 0.5) if high == low else (image - low) / (high - low)


def images_figure(
    images: ArrayLike,
    titles: Sequence[str] | None = None,
    columns: int | None = None,
    cell_size: float = 1.2,
    normalize_each: bool = True,
    title: str | None = None,
) -> Figure:
    """A grid of images, one axes each (no ticks), titled when ``titles`` is given.

    Args:
        images: (n, h, w) gray or (n, h, w, 3) RGB, n >= 1.
        titles: one per image.
        columns: grid width (default: about the square root of n).
        normalize_each: stretch every image over the full color range (for
            weights); otherwise gray images map 0 to black and 1 (or 255 for
            integers) to white.
        title: a title above the grid.
    """
    images = _image_stack(images, "images")
    n = len(images)
    if n == 0:
        raise ValueError("images must hold at least one image, got 0")
    if titles is not None and len(titles) != n:
        raise ValueError(f"titles must give one title per image ({n}), got {len(titles)}")
    columns = columns or math.ceil(math.sqrt(n))
    rows = math.ceil(n / columns)
    title_room = 0.3 if titles is not None else 0.0  # inches above each image for its title
    top_room = 0.1 + (0.4 if title else 0.0) + title_room
    height = rows * (cell_size + title_room) + top_room
    fig = _new_figure(figsize=(columns * cell_size, height))
    fig.subplots_adjust(
        left=0.02, right=0.98, bottom=0.02, top=1 - top_room / height, wspace=0.1, hspace=0.4 if titles else 0.1
    )
    if title:
        fig.suptitle(title, fontsize=10)
    white = 255 if np.issubdtype(images.dtype, np.integer) else 1.0
    for index, image in enumerate(images):
        ax = fig.add_subplot(rows, columns, index + 1)
        if image.ndim == 3:
            ax.imshow(_to_unit_range(image) if normalize_each else image)
        elif normalize_each:
            ax.imshow(image, cmap="gray")
        else:
            ax.imshow(image, cmap="gray", vmin=0, vmax=white)
        ax.set_xticks([])
        ax.set_yticks([])
        if titles is not None:
            ax.set_title(titles[index], fontsize=8)
    return fig


def weights_figure(weights: ArrayLike, image_shape: tuple[int, ...] = (28, 28), max_units: int = 100) -> Figure:
    """First-layer weights as images: what each unit looks for in its input.

    Args:
        weights: a dense layer's W (D, H), each column an image of
            ``image_shape`` (D = its product), or convolution filters
            (FN, C, FH, FW) with C = 1 (gray) or 3 (RGB).
        image_shape: (h, w) or (h, w, 3), for dense weights.
        max_units: show at most this many units (the first ones).
    """
    weights = np.asarray(weights)
    if weights.ndim == 2:
        if weights.shape[0] != math.prod(image_shape):
            raise ValueError(
                f"weights have {weights.shape[0]} inputs per unit, which is not an image of shape "
                f"{tuple(image_shape)} ({math.prod(image_shape)} values)"
            )
        images = weights.T.reshape(-1, *image_shape)
    elif weights.ndim == 4:
        images = _filter_images(weights, "weights")
    else:
        raise ValueError(
            f"weights must be dense (D, H) or convolution filters (FN, 1 or 3, FH, FW), got shape {weights.shape}"
        )
    return images_figure(images[:max_units])


def _filter_images(filters: NDArray, name: str) -> NDArray:
    """Convolution filters (FN, C, FH, FW), C = 1 or 3, as images (FN, FH, FW) or (FN, FH, FW, 3)."""
    if filters.ndim != 4 or filters.shape[1] not in (1, 3):
        raise ValueError(f"{name} must be convolution filters (FN, 1 or 3, FH, FW), got shape {filters.shape}")
    return filters[:, 0] if filters.shape[1] == 1 else filters.transpose(0, 2, 3, 1)


def filters_figure(filters: ArrayLike, initial: ArrayLike | None = None, max_filters: int = 30) -> Figure:
    """A convolution's filters (FN, C, FH, FW) as images, as the textbook shows them.

    With ``initial`` (the same layer's filters before training), the initial
    filters come first, titled "before", and the trained ones after, titled
    "after": random noise turning into edge and blob detectors.
    """
    trained = _filter_images(np.asarray(filters), "filters")[:max_filters]
    if initial is None:
        return images_figure(trained, columns=min(len(trained), 10), title="convolution filters")
    before = _filter_images(np.asarray(initial), "initial")[:max_filters]
    if before.shape != trained.shape:
        raise ValueError(f"initial must have the filters' shape {trained.shape}, got {before.shape}")
    titles = ["before"] + [""] * (len(before) - 1) + ["after"] + [""] * (len(trained) - 1)
    return images_figure(
        np.concatenate([before, trained]),
        titles=titles,
        columns=min(len(trained), 10),
        title="convolution filters before and after training",
    )


def misclassified_figure(
    images: ArrayLike,
    true_labels: ArrayLike,
    predicted_labels: ArrayLike,
    class_names: Sequence[str] | None = None,
    max_images: int = 25,
) -> Figure:
    """The images a model gets wrong, titled ``true → predicted``.

    Args:
        images: (N, h, w) or (N, h, w, 3), all the images evaluated.
        true_labels, predicted_labels: class ids (N,).
        class_names: names by class id (default: the ids).
        max_images: show at most this many (the first ones).

    A figure with one empty axes saying so is returned when nothing is wrong.
    """
    images = _image_stack(images, "images")
    true_labels, predicted_labels = np.asarray(true_labels), np.asarray(predicted_labels)
    if true_labels.shape != (len(images),) or predicted_labels.shape != (len(images),):
        raise ValueError(
            f"true_labels and predicted_labels must have shape ({len(images)},) like images, "
            f"got {true_labels.shape} and {predicted_labels.shape}"
        )
    wrong = np.flatnonzero(true_labels != predicted_labels)[:max_images]
    if wrong.size == 0:
        fig = _new_figure(figsize=(4, 2))
        ax = fig.add_subplot()
        ax.text(0.5, 0.5, f"no misclassified images among {len(images)}", ha="center", va="center")
        ax.set_axis_off()
        return fig

    def name(label: int) -> str:
        return str(label) if class_names is None else str(class_names[label])

    titles = [f"{name(true_labels[i])} → {name(predicted_labels[i])}" for i in wrong]
    return images_figure(
        images[wrong], titles=titles, normalize_each=False, cell_size=1.4, title="misclassified: true → predicted"
    )


def confusion_matrix_figure(matrix: ArrayLike, class_names: Sequence[str] | None = None) -> Figure:
    """A confusion matrix (K, K), rows the true class and columns the predicted, with counts."""
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] == 0:
        raise ValueError(f"matrix must be square (K, K) with K >= 1, got shape {matrix.shape}")
    k = len(matrix)
    names = [str(i) for i in range(k)] if class_names is None else [str(c) for c in class_names]
    if len(names) != k:
        raise ValueError(f"class_names must give {k} names, got {len(names)}")
    size = max(4.0, 0.6 * k + 2.0)
    fig = _new_figure(figsize=(size, size), layout="constrained")
    ax = fig.add_subplot()
    ax.imshow(matrix, cmap="Blues")
    threshold = matrix.max() / 2
    for (row, column), count in np.ndenumerate(matrix):
        color = "white" if count > threshold else "black"
        ax.text(column, row, f"{count}", ha="center", va="center", color=color, fontsize=8)
    long_names = max(len(name) for name in names) > 2
    ax.set_xticks(range(k), names, rotation=45 if long_names else 0, ha="right" if long_names else "center")
    ax.set_yticks(range(k), names)
    ax.set(xlabel="predicted", ylabel="true", title="confusion matrix")
    return fig


# ------------------------------------------------------------------ graphs

#: Colours of a computation graph: values flowing forward, gradients flowing back.
FORWARD_COLOR, BACKWARD_COLOR = "black", "tab:red"
#: A one-symbol node's radius, in inches.
NODE_RADIUS = 0.28


def _number(value: Any) -> str:
    """A value as the textbook prints it: 220 for 220.00000000000003, 2.2, -0.475."""
    value = float(np.asarray(value).item()) if np.size(value) == 1 else value
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _graph_layout(graph: Graph) -> tuple[dict[Node, tuple[float, float]], dict[Value, tuple[float, float]]]:
    """Column and row of every node and input: the result on the right, each input one column left of its node.

    Columns count back from the result (a value used twice sits left of its
    earlier user). A node lies level with the nodes it takes, or halfway
    between its inputs when it takes only inputs; those inputs are placed
    top to bottom in the order the nodes take them, and an input joining a
    node that also takes nodes (the tax) comes in from just below.
    """
    depth: dict[Any, int] = {graph.nodes[-1]: 0}
    for node in reversed(graph.nodes):
        for value in node.inputs:
            key = value.node or value
            depth[key] = max(depth.get(key, 0), depth.get(node, 0) + 1)
    deepest = max(depth.values())
    rows: dict[Any, float] = {}
    leaves = 0

    def place(node: Node) -> None:
        nonlocal leaves
        inner = [value.node for value in node.inputs if value.node is not None]
        for inner_node in inner:
            if inner_node not in rows:
                place(inner_node)
        anchor = float(np.mean([rows[inner_node] for inner_node in inner])) if inner else None
        below = 0
        for value in node.inputs:
            if value.node is None and value not in rows:
                if anchor is None:
                    rows[value] = -float(leaves)
                    leaves += 1
                else:
                    below += 1
                    rows[value] = anchor - below
        rows[node] = anchor if anchor is not None else float(np.mean([rows[value] for value in node.inputs]))

    place(graph.nodes[-1])
    nodes = {node: (float(deepest - depth[node]), rows[node]) for node in graph.nodes if node in rows}
    inputs = {value: (float(deepest - depth[value]), rows[value]) for value in graph if value in rows}
    return nodes, inputs


def graph_figure(graph: Graph, title: str | None = None, names: bool = False, caption: str | None = None) -> Figure:
    """A computation graph drawn as the textbook draws it (needs the values and gradients of :meth:`Graph.backward`).

    Nodes are circles (or boxes, for a longer symbol) joined by arrows; the
    value flowing forward is written above each arrow (black) and the
    gradient flowing back beneath it (red). Inputs are named at the left, the
    result at the right.

    Args:
        graph: a :class:`numnet.graph.Graph`, backpropagated.
        title: a title above the graph.
        names: write ``name = value`` and ``dname = gradient`` (the course's
            notation; an input's pair stands at its name) instead of the bare
            numbers on the arrows (the book's).
        caption: a line beneath the graph (the derivatives' formulas, say).
    """
    if not graph.nodes:
        raise ValueError("graph has no node to draw")
    columns_at, rows_at = _graph_layout(graph)
    columns = max(x for x, _ in columns_at.values())
    # Everything is laid out in inches (the axes fill the figure, one unit an inch). Columns lie further apart
    # than rows, so that edges slope gently and their labels clear them; the figure stays at most 15 inches
    # wide, so that its text stays legible on a slide.
    column = max(2.0, 2 * max(_node_half_width(node) for node in graph.nodes) + 1.2)
    left_room, right_room, row = 1.5, 1.0, 1.05
    column = min(column, (15.0 - left_room - right_room) / (columns + 1))
    ys = [y for _, y in [*columns_at.values(), *rows_at.values()]]
    top_room, bottom_room = (0.8 if title else 0.4), (1.0 if caption else 0.6)
    width = left_room + column * (columns + 1) + right_room
    height = top_room + row * (max(ys) - min(ys)) + bottom_room

    def place(x: float, y: float) -> tuple[float, float]:
        return left_room + column * x, bottom_room + row * (y - min(ys))

    node_at = {node: place(*at) for node, at in columns_at.items()}
    input_at = {value: place(*at) for value, at in rows_at.items()}
    fig = _new_figure(figsize=(width, height))
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_axis_off()
    ax.set(xlim=(0.0, width), ylim=(0.0, height))
    if title:
        ax.text(width / 2, height - 0.25, title, ha="center", va="top", fontsize=16)
    patches = {node: _draw_node(ax, node, at) for node, at in node_at.items()}

    def labels(value: Value, at: tuple[float, float], normal: tuple[float, float], name: bool) -> None:
        """The forward value on one side of ``at`` (``normal``, in points) and the gradient on the other."""
        forward = f"{value.name} = {_number(value.value)}" if name else _number(value.value)
        ax.annotate(forward, at, xytext=normal, textcoords="offset points", ha="center", va="center", fontsize=13)
        if value.grad is not None:
            backward = f"d{value.name} = {_number(value.grad)}" if name else _number(value.grad)
            ax.annotate(
                backward,
                at,
                xytext=(-normal[0], -normal[1]),
                textcoords="offset points",
                ha="center",
                va="center",
                fontsize=13,
                color=BACKWARD_COLOR,
            )

    def arrow(start: tuple[float, float], end: tuple[float, float], source: Any, target: Any) -> None:
        ax.annotate(
            "",
            xy=end,
            xytext=start,
            arrowprops={
                "arrowstyle": "-|>",
                "color": "0.3",
                "lw": 1.4,
                "patchA": source,
                "patchB": target,
                "shrinkA": 2,
                "shrinkB": 2,
            },
        )

    for value, (x, y) in input_at.items():
        if names:
            labels(value, (x - 0.6, y), (0, 9), name=True)
        else:
            ax.text(x - 0.08, y, value.name.replace("_", " "), ha="right", va="center", fontsize=13)
    for node, (x, y) in node_at.items():
        for value in node.inputs:
            source = value.node
            x0, y0 = start = node_at[source] if source is not None else input_at[value]
            arrow(start, (x, y), patches[source] if source is not None else None, patches[node])
            if value.node is None and names:
                continue  # the input's value and gradient stand at its name
            length = np.hypot(x - x0, y - y0)
            # halfway along the visible arrow; an input's labels a little nearer its name, where edges part
            gap = _node_half_width(value.node) - _node_half_width(node) if value.node is not None else 0.0
            along = 0.5 + gap / (2 * length) if value.node is not None else 0.4
            normal = (-(y - y0) / length * 11, (x - x0) / length * 11)  # points: above the arrow, and beneath
            labels(value, (x0 + along * (x - x0), y0 + along * (y - y0)), normal, name=names)
    result = graph.nodes[-1]
    x, y = node_at[result]
    end = x + _node_half_width(result) + 1.3
    arrow((x, y), (end, y), patches[result], None)
    labels(result.output, ((x + _node_half_width(result) + end) / 2, y), (0, 11), name=names)
    if not names:
        ax.text(end + 0.08, y, result.output.name.replace("_", " "), ha="left", va="center", fontsize=13)
    ax.text(0.1, 0.1, "black: forward values    red: backward gradients", fontsize=11, color="0.35", va="bottom")
    if caption:
        ax.text(0.1, 0.45, caption, fontsize=13, va="bottom")
    return fig


def _node_half_width(node: Node) -> float:
    """About half a drawn node's width, in inches."""
    return NODE_RADIUS if len(node.symbol) <= 2 else 0.15 + 0.06 * len(node.symbol)


def _draw_node(ax: Axes, node: Node, at: tuple[float, float]) -> Any:
    """A circle around a one-character symbol (×, +), a rounded box around a longer one; returns the patch."""
    if len(node.symbol) <= 2:
        from matplotlib.patches import Circle  # noqa: PLC0415 - optional dependency

        circle = Circle(at, NODE_RADIUS, facecolor="white", edgecolor="black", lw=1.6, zorder=2)
        ax.add_patch(circle)
        ax.text(*at, node.symbol, ha="center", va="center", fontsize=17, zorder=3)
        return circle
    box = {"boxstyle": "round,pad=0.4", "facecolor": "white", "edgecolor": "black", "lw": 1.6}
    return ax.text(*at, node.symbol, ha="center", va="center", fontsize=14, zorder=3, bbox=box).get_bbox_patch()
