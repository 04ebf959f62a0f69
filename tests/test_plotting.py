"""Tests of numnet.plotting: what each figure shows, and atomic saving."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from numnet import plotting

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def image_axes(fig: Figure) -> list:
    return [ax for ax in fig.axes if ax.images]


def labelled_lines(ax) -> list:
    """The lines shown in the legend (matplotlib labels the others '_child<n>')."""
    return [line for line in ax.lines if not line.get_label().startswith("_")]


def test_activations_figure_draws_functions_and_derivatives() -> None:
    fig = plotting.activations_figure(x_range=(-2.0, 2.0))
    values, slopes = (labelled_lines(ax) for ax in fig.axes)
    assert [line.get_label() for line in values] == ["step", "sigmoid", "tanh", "ReLU"]
    assert [line.get_label() for line in slopes] == ["sigmoid'", "tanh'", "ReLU'"]
    x = values[1].get_xdata()
    assert x[0] == -2.0 and x[-1] == 2.0
    np.testing.assert_array_equal(values[0].get_ydata(), (x > 0).astype(int))
    sigmoid = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(values[1].get_ydata(), sigmoid)
    np.testing.assert_allclose(values[2].get_ydata(), np.tanh(x))
    np.testing.assert_allclose(values[3].get_ydata(), np.maximum(x, 0))
    np.testing.assert_allclose(slopes[0].get_ydata(), sigmoid * (1 - sigmoid))
    np.testing.assert_allclose(slopes[1].get_ydata(), 1 / np.cosh(x) ** 2)
    np.testing.assert_array_equal(slopes[2].get_ydata(), (x > 0).astype(float))


def test_history_figure_plots_every_recorded_series() -> None:
    history = {
        "loss": [2.0, 1.5, 1.2, 1.0, 0.9, 0.8],  # 3 iterations per epoch
        "train_loss": [1.6, 1.0, 0.8],
        "train_acc": [0.5, 0.7, 0.8],
        "val_loss": [1.7, 1.1, 0.95],
        "val_acc": [0.45, 0.65, 0.75],
        "epoch_time": [0.1, 0.1, 0.1],
    }
    fig = plotting.history_figure(history)
    loss_ax, acc_ax = fig.axes
    iterations, train_loss, val_loss = loss_ax.lines
    # six iterations spread over three epochs end at epoch 3
    np.testing.assert_allclose(iterations.get_xdata(), [0.5, 1, 1.5, 2, 2.5, 3])
    np.testing.assert_array_equal(iterations.get_ydata(), history["loss"])
    np.testing.assert_array_equal(train_loss.get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(train_loss.get_ydata(), history["train_loss"])
    np.testing.assert_array_equal(val_loss.get_ydata(), history["val_loss"])
    assert [line.get_label() for line in acc_ax.lines] == ["training", "validation"]
    np.testing.assert_array_equal(acc_ax.lines[1].get_ydata(), history["val_acc"])


def test_history_figure_accepts_a_history_object_without_validation() -> None:
    from numnet.training import History

    history = History(loss=[1.0, 0.5], train_loss=[0.75], train_acc=[0.6], epoch_time=[0.2])
    fig = plotting.history_figure(history)
    assert [len(ax.lines) for ax in fig.axes] == [2, 1]  # mini-batch + training loss; training accuracy


def test_history_figure_rejects_an_empty_history() -> None:
    with pytest.raises(ValueError, match="no completed epoch"):
        plotting.history_figure({"loss": [], "train_loss": []})


def test_weights_figure_shows_each_dense_unit_as_an_image() -> None:
    weights = np.random.default_rng(0).standard_normal((6 * 4, 5))
    fig = plotting.weights_figure(weights, image_shape=(6, 4))
    axes = image_axes(fig)
    assert len(axes) == 5
    for unit, ax in enumerate(axes):
        np.testing.assert_array_equal(ax.images[0].get_array(), weights[:, unit].reshape(6, 4))


def test_weights_figure_limits_units_and_handles_rgb_and_filters() -> None:
    weights = np.arange(2 * 2 * 3 * 7, dtype=float).reshape(12, 7)
    fig = plotting.weights_figure(weights, image_shape=(2, 2, 3), max_units=3)
    axes = image_axes(fig)
    assert len(axes) == 3
    first = weights[:, 0].reshape(2, 2, 3)
    np.testing.assert_allclose(axes[0].images[0].get_array(), (first - first.min()) / np.ptp(first))

    filters = np.random.default_rng(1).standard_normal((4, 1, 5, 5))
    axes = image_axes(plotting.weights_figure(filters))
    assert len(axes) == 4
    np.testing.assert_array_equal(axes[2].images[0].get_array(), filters[2, 0])


@pytest.mark.parametrize(
    ("weights", "match"),
    [(np.zeros((10, 3)), r"10 inputs per unit.*\(28, 28\)"), (np.zeros((3, 2, 5, 5)), r"shape \(3, 2, 5, 5\)")],
)
def test_weights_figure_rejects_weights_that_are_not_images(weights: np.ndarray, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        plotting.weights_figure(weights)


def test_misclassified_figure_shows_only_the_wrong_images() -> None:
    images = np.arange(10 * 4 * 4, dtype=np.float32).reshape(10, 4, 4) / 160
    true = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2, 0])
    predicted = np.array([0, 2, 2, 1, 1, 2, 0, 0, 2, 0])  # wrong at 1, 3, 7
    fig = plotting.misclassified_figure(images, true, predicted, class_names=["cat", "dog", "owl"])
    axes = image_axes(fig)
    assert [ax.get_title() for ax in axes] == ["dog → owl", "cat → dog", "dog → cat"]
    for ax, index in zip(axes, (1, 3, 7), strict=True):
        np.testing.assert_array_equal(ax.images[0].get_array(), images[index])
    assert len(image_axes(plotting.misclassified_figure(images, true, predicted, max_images=2))) == 2


def test_misclassified_figure_says_so_when_nothing_is_wrong() -> None:
    labels = np.array([1, 0])
    fig = plotting.misclassified_figure(np.zeros((2, 3, 3)), labels, labels)
    assert len(fig.axes) == 1 and not fig.axes[0].images
    assert "no misclassified images among 2" in fig.axes[0].texts[0].get_text()


def test_misclassified_figure_checks_label_shapes() -> None:
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        plotting.misclassified_figure(np.zeros((3, 2, 2)), np.zeros(3, int), np.zeros(2, int))


def test_confusion_matrix_figure_writes_every_count() -> None:
    matrix = np.array([[5, 1, 0], [2, 7, 0], [0, 3, 9]])
    fig = plotting.confusion_matrix_figure(matrix, ["a", "b", "c"])
    (ax,) = fig.axes
    np.testing.assert_array_equal(ax.images[0].get_array(), matrix)
    assert sorted(int(text.get_text()) for text in ax.texts) == sorted(matrix.ravel().tolist())
    assert [label.get_text() for label in ax.get_xticklabels()] == ["a", "b", "c"]
    with pytest.raises(ValueError, match="square"):
        plotting.confusion_matrix_figure(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="3 names"):
        plotting.confusion_matrix_figure(matrix, ["a"])


def test_save_figure_writes_a_png_atomically(tmp_path) -> None:
    fig = plotting.images_figure(np.zeros((2, 5, 5)), columns=2, cell_size=1.0)
    assert len(image_axes(fig)) == 2
    path = plotting.save_figure(fig, tmp_path / "new" / "grid.png", dpi=50)
    assert path == tmp_path / "new" / "grid.png"
    assert path.read_bytes().startswith(PNG_SIGNATURE)
    with Image.open(path) as image:
        assert image.size == tuple(round(inches * 50) for inches in fig.get_size_inches())
    assert [p.name for p in path.parent.iterdir()] == ["grid.png"]  # no temporary file left


def test_save_figure_follows_the_suffix_and_cleans_up_on_failure(tmp_path) -> None:
    fig = plotting.activations_figure()
    assert plotting.save_figure(fig, tmp_path / "curves.svg").read_text().lstrip().startswith("<?xml")
    (tmp_path / "kept.xyz").write_text("old")
    with pytest.raises(ValueError, match="xyz"):
        plotting.save_figure(fig, tmp_path / "kept.xyz")
    assert (tmp_path / "kept.xyz").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["curves.svg", "kept.xyz"]


def test_a_missing_matplotlib_is_named_with_the_extra_to_install(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r"plotting needs matplotlib: pip install 'numnet\[plot\]'"):
        plotting.activations_figure()


def test_filters_figure_shows_initial_then_trained_filters() -> None:
    rng = np.random.default_rng(2)
    trained, initial = rng.standard_normal((4, 1, 3, 3)), rng.standard_normal((4, 1, 3, 3))
    axes = image_axes(plotting.filters_figure(trained, initial))
    assert len(axes) == 8
    assert axes[0].get_title() == "before" and axes[4].get_title() == "after"
    np.testing.assert_array_equal(axes[1].images[0].get_array(), initial[1, 0])
    np.testing.assert_array_equal(axes[5].images[0].get_array(), trained[1, 0])
    assert len(image_axes(plotting.filters_figure(trained))) == 4
    with pytest.raises(ValueError, match="initial"):
        plotting.filters_figure(trained, initial[:2])
    with pytest.raises(ValueError, match="filters"):
        plotting.filters_figure(np.zeros((3, 4)))


# ------------------------------------------------------------------ graphs


def texts(fig: Figure) -> list:
    """Every text artist of a figure's axes (labels, annotations)."""
    return [text for ax in fig.axes for text in ax.texts]


def test_graph_figure_writes_values_above_and_gradients_beneath_in_red() -> None:
    from numnet.graph import shopping_graph

    fig = plotting.graph_figure(shopping_graph(orange=150), title="Buying apples and oranges")
    shown = {text.get_text(): text for text in texts(fig)}
    assert "Buying apples and oranges" in shown
    for name in ("apple", "apple num", "orange", "orange num", "tax", "price"):
        assert name in shown, name
    red, black = plotting.BACKWARD_COLOR, plotting.FORWARD_COLOR
    numbers = [text for text in texts(fig) if text.get_text().replace(".", "").isdigit()]
    coloured = sorted((text.get_text(), text.get_color()) for text in numbers)
    values = ["100", "2", "150", "3", "200", "450", "650", "1.1", "715"]  # forward, edge by edge
    gradients = ["2.2", "110", "3.3", "165", "1.1", "1.1", "1.1", "650", "1"]  # the gradients on the same edges
    assert coloured == sorted([(v, black) for v in values] + [(g, red) for g in gradients])
    # the gradient sits beneath the value it belongs to: tax (1.1) and its gradient 650
    value_texts = [t for t in texts(fig) if t.get_text() == "1.1" and t.get_color() == plotting.FORWARD_COLOR]
    gradient_texts = [t for t in texts(fig) if t.get_text() == "650" and t.get_color() == red]
    assert len(value_texts) == 1 and len(gradient_texts) == 1
    assert value_texts[0].xy == gradient_texts[0].xy  # one anchor on the arrow ...
    assert value_texts[0].xyann[1] > 0 > gradient_texts[0].xyann[1]  # ... value above, gradient beneath
    nodes = [patch for ax in fig.axes for patch in ax.patches]
    assert len(nodes) == 4  # three multiplications and an addition
    assert sorted(t.get_text() for t in texts(fig) if t.get_text() in ("×", "+")) == ["+", "×", "×", "×"]


def test_graph_figure_in_the_courses_notation() -> None:
    from numnet.graph import logistic_regression_graph

    fig = plotting.graph_figure(logistic_regression_graph(), names=True, caption="dz = a - y")
    shown = {text.get_text(): text.get_color() for text in texts(fig)}
    for label in ("x1 = 1", "w1 = 0.5", "x2 = 2", "w2 = -0.25", "b = 0.1", "y = 1", "z = 0.1", "a = 0.525"):
        assert shown[label] == plotting.FORWARD_COLOR, label
    for label in ("dw1 = -0.475", "dw2 = -0.95", "db = -0.475", "dz = -0.475", "da = -1.905", "dL = 1"):
        assert shown[label] == plotting.BACKWARD_COLOR, label
    assert not any(text.startswith(("dx1", "dy")) for text in shown)  # data and label get no gradient
    for symbol in ("z = w1x1 + w2x2 + b", "a = σ(z)", "L(a, y)", "dz = a - y"):
        assert symbol in shown, symbol


def test_graph_figure_needs_a_node() -> None:
    from numnet.graph import Graph

    with pytest.raises(ValueError, match="no node"):
        plotting.graph_figure(Graph())
