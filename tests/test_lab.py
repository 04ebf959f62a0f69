"""numnet.lab: the textbook's chapter-6 experiments give its numbers and figures, reproducibly."""

from __future__ import annotations

import math

import numpy as np
import pytest

from numnet import lab
from numnet.data import load_mnist_mini


@pytest.fixture(scope="module")
def small_data():
    """500 training and 200 test images of mnist-mini: enough to run every experiment in a second or two."""
    (x_train, t_train), (x_test, t_test) = load_mnist_mini()
    return (x_train[:500], t_train[:500]), (x_test[:200], t_test[:200])


def titles(fig) -> list[str]:
    return [ax.get_title() for ax in fig.axes]


def legend_labels(ax) -> list[str]:
    legend = ax.get_legend()
    return [] if legend is None else [text.get_text() for text in legend.get_texts()]


# ------------------------------------------------------------------ optimizers


def test_first_steps_on_the_bowl_follow_each_update_rule():
    paths = lab.optimizer_paths(steps=3)
    assert set(paths) == {"SGD", "Momentum", "AdaGrad", "Adam"}
    for path in paths.values():
        assert path.shape == (4, 2) and tuple(path[0]) == (-7.0, 2.0)
    # the gradient at (-7, 2) is (x / 10, 2y) = (-0.7, 4)
    np.testing.assert_allclose(paths["SGD"][1], [-7 + 0.95 * 0.7, 2 - 0.95 * 4])
    np.testing.assert_allclose(paths["Momentum"][1], [-7 + 0.1 * 0.7, 2 - 0.1 * 4])
    np.testing.assert_allclose(paths["AdaGrad"][1], [-7 + 1.5, 2 - 1.5], atol=1e-6)  # -lr * g / |g|
    np.testing.assert_allclose(paths["Adam"][1], [-7 + 0.3, 2 - 0.3], atol=1e-6)  # bias-corrected: -lr * sign(g)


def test_paths_show_the_books_behaviour():
    paths = lab.optimizer_paths()
    assert all(len(path) == 31 for path in paths.values())
    sgd_y = paths["SGD"][:10, 1]
    assert np.all(sgd_y[:-1] * sgd_y[1:] < 0)  # SGD zig-zags across the valley (y flips sign each step)
    assert abs(paths["AdaGrad"][-1, 1]) < 1e-3  # AdaGrad damps y at once and creeps along x
    for name, path in paths.items():
        assert lab._bowl(path[-1]) < lab._bowl(path[0]) / 50, name  # every one gets near the minimum


def test_the_mnist_race_starts_level_and_is_reproducible(small_data):
    losses = lab.optimizer_race(small_data, iterations=30, batch_size=64, seed=3)
    assert set(losses) == {"SGD", "Momentum", "AdaGrad", "Adam"}
    first = {name: values[0] for name, values in losses.items()}
    assert len(set(first.values())) == 1  # identical networks, identical first batch
    assert first["SGD"] == pytest.approx(math.log(10), rel=0.1)  # ten classes, near-uniform guesses
    again = lab.optimizer_race(small_data, iterations=30, batch_size=64, seed=3)
    for name in losses:
        np.testing.assert_array_equal(losses[name], again[name])
    other = lab.optimizer_race(small_data, iterations=30, batch_size=64, seed=4)
    assert not np.array_equal(other["Adam"], losses["Adam"])
    assert np.mean(losses["Adam"][-10:]) < np.mean(losses["SGD"][-10:])  # the adaptive ones pull ahead at once


def test_optimizers_summary_and_figure(small_data):
    result = lab.optimizers(small_data, steps=30, iterations=20, batch_size=32, seed=0)
    summary = result.summary()
    assert "from (-7, 2), 30 steps" in summary and "batches of 32, 20 iterations" in summary
    final = result.paths["SGD"][-1]
    assert f"({final[0]:.4f}, {final[1]:.4f})" in summary
    assert f"{result.losses['Adam'][0]:.4f}" in summary
    ((name, fig),) = result.figures().items()
    assert name == "optimizers"
    assert titles(fig)[:4] == ["SGD (lr 0.95)", "Momentum (lr 0.1)", "AdaGrad (lr 1.5)", "Adam (lr 0.3)"]
    race = fig.axes[4]
    assert legend_labels(race) == ["SGD", "Momentum", "AdaGrad", "Adam"]
    assert race.get_xlabel() == "iterations" and race.get_ylabel() == "loss (smoothed)"
    path_line = fig.axes[0].lines[0]
    np.testing.assert_array_equal(path_line.get_xdata(), result.paths["SGD"][:, 0])
    assert fig.axes[0].get_xlabel() == "x" and fig.axes[0].get_ylabel() == "y"
    assert "x²/20 + y²" in fig._suptitle.get_text()


# ------------------------------------------------------------------ initial weights


def test_initial_weights_reproduce_the_books_findings():
    result = lab.initial_weights(samples=300)
    stds = result.stds
    assert set(stds) == {(a, w) for a in ("sigmoid", "tanh", "relu") for w in ("std 1", "std 0.01", "Xavier", "He")}
    assert all(v.shape == (5,) for v in stds.values())
    # std 1 with sigmoid: saturated at 0 and 1 in every layer (the outer bins hold most values)
    counts = result.counts["sigmoid", "std 1"]
    assert np.all((counts[:, 0] + counts[:, -1]) > 0.3 * counts.sum(axis=1))
    # std 0.01: activations collapse (sigmoid to 0.5, tanh and ReLU to 0)
    assert stds["sigmoid", "std 0.01"][-1] < 0.05 and stds["tanh", "std 0.01"][-1] < 1e-3
    assert stds["relu", "std 0.01"][-1] < 1e-4
    # ReLU: std 1 explodes by about sqrt(100 / 2) = 7 per layer, He keeps the scale, Xavier lets it shrink
    relu_growth = stds["relu", "std 1"][1:] / stds["relu", "std 1"][:-1]
    assert np.all((relu_growth > 4) & (relu_growth < 10))
    assert 0.5 < stds["relu", "He"][-1] / stds["relu", "He"][0] < 2
    assert stds["relu", "Xavier"][-1] < 0.5 * stds["relu", "Xavier"][0]
    np.testing.assert_allclose(result.zeros["relu", "He"], 0.5, atol=0.05)  # half of ReLU's outputs are 0
    assert np.all(result.beyond["relu", "std 1"][1:] > 0.4)  # most non-zero values leave the (0, 1) range


def test_initial_weights_figures_and_reproducibility():
    result = lab.initial_weights(activations=("tanh", "relu"), weights=("Xavier", "He"), samples=100, seed=5)
    again = lab.initial_weights(activations=("tanh", "relu"), weights=("Xavier", "He"), samples=100, seed=5)
    for key in result.counts:
        np.testing.assert_array_equal(result.counts[key], again.counts[key])
    assert not np.array_equal(
        result.stds["tanh", "He"], lab.initial_weights(activations=("tanh",), samples=100, seed=6).stds["tanh", "He"]
    )
    figures = result.figures()
    assert list(figures) == ["init_tanh", "init_relu"]
    fig = figures["init_relu"]
    assert titles(fig)[:5] == [f"layer {i}" for i in range(1, 6)]
    assert [ax.get_ylabel() for ax in fig.axes[::5]] == ["Xavier", "He"]
    assert fig.axes[-1].get_xlabel() == "activation"
    assert "relu activations" in fig._suptitle.get_text()
    assert any(text.get_text().startswith("zeros ") for ax in fig.axes for text in ax.texts)
    summary = result.summary()
    assert "layer 5" in summary and f"{result.stds['relu', 'He'][4]:.4f}" in summary


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"activations": ("softplus",)}, "activations must be among"), ({"weights": ("LeCun",)}, "weights must be among")],
)
def test_initial_weights_refuses_unknown_names(kwargs, message):
    with pytest.raises(ValueError, match=message):
        lab.initial_weights(**kwargs)


# ------------------------------------------------------------------ batch normalization


def test_batch_norm_curves_divergence_and_figure(small_data):
    result = lab.batch_norm(small_data, scales=[1.0, 0.01], epochs=3, train_size=200, seed=1)
    assert result.with_bn.shape == result.without_bn.shape == (2, 4)  # before training and after each epoch
    assert np.all(np.isfinite(result.with_bn))
    assert 1.0 in result.diverged and np.isnan(result.without_bn[0, -1])  # std 1 without batch norm blows up
    assert np.all(np.isfinite(result.without_bn[1]))
    again = lab.batch_norm(small_data, scales=[1.0, 0.01], epochs=3, train_size=200, seed=1)
    np.testing.assert_array_equal(result.with_bn, again.with_bn)
    np.testing.assert_array_equal(result.without_bn, again.without_bn)
    summary = result.summary()
    assert "after 3 epochs" in summary and f"{result.with_bn[1, -1]:.4f}" in summary and "diverged in epoch" in summary
    fig = result.figures()["batchnorm"]
    assert titles(fig)[:2] == ["initial weight std 1", "initial weight std 0.01"]
    assert legend_labels(fig.axes[0]) == ["with batch norm", "without"]
    assert fig.axes[0].get_ylabel() == "training accuracy" and fig.axes[0].get_xlabel() == "epochs"
    assert any("diverged" in text.get_text() for text in fig.axes[0].texts)


# ------------------------------------------------------------------ overfitting


def test_overfitting_curves_and_figure(small_data):
    result = lab.overfitting(small_data, train_size=100, epochs=(4, 4, 6), seed=2)
    assert list(result.train_acc) == ["no regularization", "weight decay 0.1", "dropout 0.2"]
    assert [len(v) for v in result.train_acc.values()] == [5, 5, 7]
    assert [len(v) for v in result.test_acc.values()] == [5, 5, 7]
    assert all(0 <= a <= 1 for v in result.train_acc.values() for a in v)
    again = lab.overfitting(small_data, train_size=100, epochs=(4, 4, 6), seed=2)
    for name in result.train_acc:
        np.testing.assert_array_equal(result.train_acc[name], again.train_acc[name])
        np.testing.assert_array_equal(result.test_acc[name], again.test_acc[name])
    summary = result.summary()
    assert summary.startswith("100 training images")
    assert f"{result.test_acc['dropout 0.2'][-1]:.4f}" in summary
    fig = result.figures()["overfit"]
    assert titles(fig) == ["no regularization", "weight decay 0.1", "dropout 0.2"]
    assert all(legend_labels(ax) == ["train", "test"] for ax in fig.axes)
    assert fig.axes[0].get_ylabel() == "accuracy" and fig.axes[0].get_xlabel() == "epochs"
    np.testing.assert_array_equal(fig.axes[2].lines[1].get_ydata(), result.test_acc["dropout 0.2"])


def test_overfitting_needs_one_epoch_count_per_run():
    with pytest.raises(ValueError, match="one count per run"):
        lab.overfitting(epochs=(3, 3))


# ------------------------------------------------------------------ the full experiments


@pytest.mark.slow
def test_full_experiments_show_what_the_book_shows():
    race = lab.optimizers()
    final = {name: float(np.mean(losses[-50:])) for name, losses in race.losses.items()}
    assert final["SGD"] > max(final["Momentum"], final["AdaGrad"], final["Adam"])
    overfit = lab.overfitting()
    gap = {name: overfit.train_acc[name][-1] - overfit.test_acc[name][-1] for name in overfit.train_acc}
    assert overfit.train_acc["no regularization"][-1] > 0.99  # 300 images learnt by heart
    assert gap["weight decay 0.1"] < gap["no regularization"] and gap["dropout 0.2"] < gap["no regularization"]
    norm = lab.batch_norm()
    better = np.nan_to_num(norm.with_bn[:, -1]) > np.nan_to_num(norm.without_bn[:, -1])
    assert better.sum() >= 12  # batch norm wins at most initial scales (the book's figure 6-19)
