"""The experiments of "Deep Learning from Scratch", chapter 6, as a lab bench: numbers and figures.

Each experiment returns a result with ``summary()`` (the numbers, as text)
and ``figures()`` (name -> matplotlib figure; needs matplotlib). All are
seeded and reproducible, and run offline on the bundled mnist-mini by
default (pass ``data=`` for another split, such as full MNIST):

* :func:`optimizers` — SGD, Momentum, AdaGrad and Adam on
  f(x, y) = x²/20 + y² from (-7, 2), the book's figure 6-8 (its learning
  rates 0.95, 0.1, 1.5, 0.3), and the same four on MNIST as loss curves
  (a 5-layer ReLU network, batches of 128, as the book's figure 6-9);
* :func:`initial_weights` — the activations of a 5-layer, 100-unit network
  fed 1,000 random inputs, as histograms per layer, for weight scales 1,
  0.01, Xavier and He with sigmoid, tanh and ReLU (figures 6-10 to 6-14);
* :func:`batch_norm` — training accuracy with and without batch
  normalization over a grid of initial weight scales (figure 6-19);
* :func:`overfitting` — 300 training images, a 7-layer network: no
  regularization, weight decay λ = 0.1 and dropout 0.2, training and test
  accuracy per epoch (figures 6-20 to 6-23).

The command line runs them as ``numnet lab optimizers|init|batchnorm|overfit``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from numnet.data import load_mnist_mini
from numnet.initializers import normal
from numnet.layers import Dense, Layer, ReLU, Sigmoid, Tanh
from numnet.models import MLP
from numnet.optimizers import SGD, AdaGrad, Adam, Momentum, Optimizer
from numnet.plotting import _new_figure
from numnet.training import Callback, Trainer, TrainingError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "EXPERIMENTS",
    "PATH_LEARNING_RATES",
    "RACE_LEARNING_RATES",
    "INITIAL_WEIGHTS",
    "OptimizersResult",
    "InitialWeightsResult",
    "BatchNormResult",
    "OverfittingResult",
    "optimizer_paths",
    "optimizer_race",
    "optimizers",
    "initial_weights",
    "batch_norm",
    "overfitting",
]

Split = tuple[NDArray, NDArray]
Data = tuple[Split, Split]

#: The learning rates of the book's figure 6-8 (paths on x²/20 + y²).
PATH_LEARNING_RATES = {"SGD": 0.95, "Momentum": 0.1, "AdaGrad": 1.5, "Adam": 0.3}
#: The learning rates of the book's MNIST comparison (its optimizers' defaults).
RACE_LEARNING_RATES = {"SGD": 0.01, "Momentum": 0.01, "AdaGrad": 0.01, "Adam": 0.001}
_OPTIMIZERS: dict[str, type[Optimizer]] = {"SGD": SGD, "Momentum": Momentum, "AdaGrad": AdaGrad, "Adam": Adam}
#: Initial weight scales of the activation-histogram experiment: a std, or an initializer's name.
INITIAL_WEIGHTS: dict[str, float | str] = {"std 1": 1.0, "std 0.01": 0.01, "Xavier": "xavier", "He": "he"}
_ACTIVATIONS: dict[str, type[Layer]] = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU}
#: The histogram range per activation: the book's (0, 1), and (-1, 1) for tanh.
_HISTOGRAM_RANGE = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "relu": (0.0, 1.0)}


def _mnist(data: Data | None) -> Data:
    """``data`` or the bundled mnist-mini, flattened and scaled to [0, 1]."""
    return load_mnist_mini() if data is None else data


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[int]) -> list[str]:
    """Left-aligned text columns, floats with 4 decimals."""

    def cell(value: Any, width: int) -> str:
        text = f"{value:.4f}" if isinstance(value, (float, np.floating)) else str(value)
        return text.ljust(width)

    return ["  " + "".join(cell(v, w) for v, w in zip(row, widths)).rstrip() for row in [header, *rows]]


# ====================================================================== optimizers


def _bowl(point: NDArray) -> float:
    """f(x, y) = x²/20 + y², the book's elongated bowl."""
    return float(point[0] ** 2 / 20.0 + point[1] ** 2)


def optimizer_paths(steps: int = 30, start: tuple[float, float] = (-7.0, 2.0)) -> dict[str, NDArray]:
    """The points each optimizer visits on f(x, y) = x²/20 + y² with the book's learning rates.

    Returns ``{name: (steps + 1, 2) array}``: the start, then the point after each step.
    """
    paths = {}
    for name, lr in PATH_LEARNING_RATES.items():
        point = np.array(start, dtype=np.float64)
        gradient = np.empty(2)
        optimizer = _OPTIMIZERS[name](lr=lr)
        path = [point.copy()]
        for _ in range(steps):
            gradient[:] = point[0] / 10.0, 2.0 * point[1]
            optimizer.update([point], [gradient])
            path.append(point.copy())
        paths[name] = np.array(path)
    return paths


def _race_network(seed: int) -> MLP:
    """The book's MultiLayerNet of the comparison: 784-100-100-100-100-10, ReLU, He initial weights."""
    return MLP([784, 100, 100, 100, 100, 10], activation="relu", init="he", seed=seed)


def optimizer_race(
    data: Data | None = None, iterations: int = 500, batch_size: int = 128, seed: int = 0
) -> dict[str, NDArray]:
    """The mini-batch loss per iteration of four identical networks, one per optimizer, on the same batches.

    As the book's ``optimizer_compare_mnist.py`` (2,000 iterations on full
    MNIST there): each iteration draws a batch of ``batch_size`` training
    images (with replacement) and every network takes one step on it.
    Returns ``{name: (iterations,) losses}``, each before its step.
    """
    (x_train, t_train), _ = _mnist(data)
    rng = np.random.default_rng([seed, 1])
    models = {name: _race_network(seed) for name in RACE_LEARNING_RATES}
    steppers = {name: _OPTIMIZERS[name](lr=lr) for name, lr in RACE_LEARNING_RATES.items()}
    losses = {name: np.empty(iterations) for name in models}
    for i in range(iterations):
        batch = rng.integers(0, len(x_train), batch_size)
        x, t = x_train[batch], t_train[batch]
        for name, model in models.items():
            losses[name][i] = model.forward(x, t, train=True)
            model.backward()
            steppers[name].update(model.params, model.grads)
    return losses


def _smooth(values: NDArray, window: int = 20) -> NDArray:
    """The mean of each value and the ``window - 1`` before it (fewer at the start), for noisy mini-batch losses."""
    kernel = np.ones(window)
    return np.convolve(values, kernel)[: len(values)] / np.convolve(np.ones_like(values), kernel)[: len(values)]


@dataclass
class OptimizersResult:
    """Paths on the bowl and the MNIST race (see :func:`optimizers`)."""

    paths: dict[str, NDArray]
    losses: dict[str, NDArray]
    batch_size: int

    def summary(self) -> str:
        steps = len(next(iter(self.paths.values()))) - 1
        lines = [f"Paths on f(x, y) = x²/20 + y² from (-7, 2), {steps} steps (the book's figure 6-8):"]
        rows = [
            (name, PATH_LEARNING_RATES[name], f"({path[-1, 0]:.4f}, {path[-1, 1]:.4f})", _bowl(path[-1]))
            for name, path in self.paths.items()
        ]
        lines += _table(("optimizer", "lr", "final (x, y)", "f(x, y)"), rows, (11, 7, 22, 10))
        iterations = len(next(iter(self.losses.values())))
        lines += [
            "",
            f"MNIST: 784-100-100-100-100-10 (ReLU, He), batches of {self.batch_size}, {iterations} iterations "
            "(mini-batch loss; the book's figure 6-9):",
        ]
        marks = list(range(0, iterations, max(iterations // 5, 1)))
        last = min(50, iterations)
        race = [(f"iteration {i}", *(v[i] for v in self.losses.values())) for i in marks]
        race.append((f"last {last} (mean)", *(float(np.mean(v[-last:])) for v in self.losses.values())))
        lines += _table(("", *self.losses), race, (20, 10, 10, 10, 10))
        return "\n".join(lines)

    def figures(self) -> dict[str, Figure]:
        fig = _new_figure(figsize=(16, 8.5), layout="constrained")
        grid = fig.add_gridspec(2, 4, height_ratios=(1, 1.1))
        x, y = np.meshgrid(np.linspace(-10, 10, 400), np.linspace(-5, 5, 200))
        z = x**2 / 20 + y**2
        for column, (name, path) in enumerate(self.paths.items()):
            ax = fig.add_subplot(grid[0, column])
            ax.contour(x, y, np.where(z > 7, np.nan, z), levels=12, cmap="viridis", linewidths=0.8)
            ax.plot(path[:, 0], path[:, 1], "o-", color="tab:red", markersize=3, linewidth=1.2)
            ax.plot(0, 0, "+", color="black", markersize=12)
            ax.set(xlim=(-10, 10), ylim=(-10, 10), xlabel="x", ylabel="y")
            ax.set_title(f"{name} (lr {PATH_LEARNING_RATES[name]})", fontsize=14)
        ax = fig.add_subplot(grid[1, :])
        markers = {"SGD": "o", "Momentum": "x", "AdaGrad": "s", "Adam": "D"}
        iterations = np.arange(len(next(iter(self.losses.values()))))
        every = max(len(iterations) // 10, 1)
        for name, losses in self.losses.items():
            ax.plot(iterations, _smooth(losses), marker=markers[name], markevery=every, label=name)
        ax.set(xlabel="iterations", ylabel="loss (smoothed)", ylim=(0, 2.5))
        ax.set_title("the same optimizers on MNIST: mini-batch loss", fontsize=14)
        ax.legend(fontsize=12)
        fig.suptitle("Optimizers on f(x, y) = x²/20 + y² from (-7, 2), and on MNIST", fontsize=16)
        return {"optimizers": fig}


def optimizers(
    data: Data | None = None, steps: int = 30, iterations: int = 500, batch_size: int = 128, seed: int = 0
) -> OptimizersResult:
    """``numnet lab optimizers``: :func:`optimizer_paths` and :func:`optimizer_race` together."""
    return OptimizersResult(optimizer_paths(steps), optimizer_race(data, iterations, batch_size, seed), batch_size)


# ====================================================================== initial weights


@dataclass
class InitialWeightsResult:
    """Histograms of a deep network's activations (see :func:`initial_weights`).

    Attributes:
        counts: ``{(activation, weights): (layers, bins) counts}``; ReLU's
            exact zeros (half of its outputs) are left out, as the book's
            figure leaves them off the scale.
        edges: ``{activation: (bins + 1,) bin edges}``.
        stds: ``{(activation, weights): (layers,) standard deviation of the activations}``.
        zeros, beyond: ``{(activation, weights): (layers,)}`` shares of exact
            zeros and of values beyond the histogram's range.
    """

    counts: dict[tuple[str, str], NDArray]
    edges: dict[str, NDArray]
    stds: dict[tuple[str, str], NDArray]
    zeros: dict[tuple[str, str], NDArray]
    beyond: dict[tuple[str, str], NDArray]

    def summary(self) -> str:
        layers = len(next(iter(self.stds.values())))
        lines = [f"Standard deviation of the activations, layer by layer ({layers} layers of 100 units):"]
        rows = [(activation, weights, *stds) for (activation, weights), stds in self.stds.items()]
        lines += _table(
            ("activation", "weights", *(f"layer {i + 1}" for i in range(layers))), rows, (12, 10) + (10,) * layers
        )
        return "\n".join(lines)

    def figures(self) -> dict[str, Figure]:
        figures = {}
        for activation, edges in self.edges.items():
            inits = [weights for act, weights in self.counts if act == activation]
            layers = len(self.counts[activation, inits[0]])
            fig = _new_figure(figsize=(15, 2.6 * len(inits) + 0.8), layout="constrained")
            axes = fig.subplots(len(inits), layers, sharex=True, squeeze=False)
            for row, weights in enumerate(inits):
                counts = self.counts[activation, weights]
                top = max(counts.max(), 1) * 1.05
                for layer in range(layers):
                    ax = axes[row, layer]
                    ax.stairs(counts[layer], edges, fill=True, color="tab:blue")
                    ax.set_ylim(0, top)
                    shares = [
                        f"{label} {values[activation, weights][layer]:.0%}"
                        for label, values in (("zeros", self.zeros), (f"> {edges[-1]:g}", self.beyond))
                        if values[activation, weights][layer] >= 0.005
                    ]
                    ax.text(0.97, 0.95, "\n".join(shares), transform=ax.transAxes, ha="right", va="top", fontsize=10)
                    if row == 0:
                        ax.set_title(f"layer {layer + 1}", fontsize=13)
                    if layer == 0:
                        ax.set_ylabel(weights, fontsize=13)
                    else:
                        ax.set_yticklabels([])
                    if row == len(inits) - 1:
                        ax.set_xlabel("activation", fontsize=11)
            fig.suptitle(f"{activation} activations of a 5-layer network by initial weights", fontsize=15)
            figures[f"init_{activation}"] = fig
        return figures


def initial_weights(
    activations: Sequence[str] = ("sigmoid", "tanh", "relu"),
    weights: Sequence[str] = tuple(INITIAL_WEIGHTS),
    samples: int = 1000,
    units: int = 100,
    layers: int = 5,
    bins: int = 30,
    seed: int = 0,
) -> InitialWeightsResult:
    """Feed ``samples`` standard-normal inputs through ``layers`` Dense layers of ``units`` units and histogram each.

    As the book's ``weight_init_activation_histogram.py``: no biases to
    speak of (they start at 0), one activation after every layer. Every
    combination sees the same inputs and the same underlying normal draws,
    so that only the scale differs.

    Args:
        activations: names among ``"sigmoid"``, ``"tanh"``, ``"relu"``.
        weights: keys of :data:`INITIAL_WEIGHTS` (``"std 1"``, ``"std 0.01"``, ``"Xavier"``, ``"He"``).
    """
    for name in activations:
        if name not in _ACTIVATIONS:
            raise ValueError(f"activations must be among {list(_ACTIVATIONS)}, got {name!r}")
    for name in weights:
        if name not in INITIAL_WEIGHTS:
            raise ValueError(f"weights must be among {list(INITIAL_WEIGHTS)}, got {name!r}")
    inputs = np.random.default_rng([seed, 2]).standard_normal((samples, units))
    result = InitialWeightsResult({}, {}, {}, {}, {})
    for activation in activations:
        low, high = _HISTOGRAM_RANGE[activation]
        result.edges[activation] = np.linspace(low, high, bins + 1)
        for name in weights:
            z, per_layer = inputs, []
            for layer in range(layers):
                dense = Dense(
                    units,
                    units,
                    init=INITIAL_WEIGHTS[name],
                    rng=np.random.default_rng([seed, 3, layer]),
                    dtype=np.float64,
                )
                z = _ACTIVATIONS[activation]().forward(dense.forward(z, train=False), train=False)
                shown = z[z != 0] if activation == "relu" else z
                per_layer.append(
                    (np.histogram(shown, result.edges[activation])[0], np.std(z), np.mean(z == 0), np.mean(z > high))
                )
            key = (activation, name)
            result.counts[key] = np.array([counts for counts, *_ in per_layer])
            result.stds[key], result.zeros[key], result.beyond[key] = (np.array(v) for v in list(zip(*per_layer))[1:])
    return result


# ====================================================================== training helpers


class _AccuracyRecorder(Callback):
    """Training (and test) accuracy in inference mode before training and after every epoch."""

    def __init__(self, train: Split, test: Split | None) -> None:
        self.train, self.test = train, test
        self.train_acc: list[float] = []
        self.test_acc: list[float] = []

    def record(self, model: MLP) -> None:
        self.train_acc.append(model.accuracy(*self.train))
        if self.test is not None:
            self.test_acc.append(model.accuracy(*self.test))

    def on_train_begin(self, trainer: Trainer) -> None:
        self.record(trainer.model)  # type: ignore[arg-type]

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        self.record(trainer.model)  # type: ignore[arg-type]


def _train(
    model: MLP, optimizer: Optimizer, train: Split, test: Split | None, epochs: int, batch_size: int, seed: int
) -> tuple[NDArray, NDArray, int | None]:
    """Accuracy curves (epochs + 1 points, NaN after a divergence) and the epoch training diverged in, if it did."""
    recorder = _AccuracyRecorder(train, test)
    diverged = None
    try:
        Trainer(model, optimizer).fit(
            *train, epochs=epochs, batch_size=batch_size, seed=seed, verbose=0, callbacks=[recorder]
        )
    except TrainingError:
        diverged = len(recorder.train_acc)

    def curve(values: list[float]) -> NDArray:
        return np.concatenate([values, np.full(epochs + 1 - len(values), np.nan)]) if values else np.array([])

    return curve(recorder.train_acc), curve(recorder.test_acc), diverged


# ====================================================================== batch normalization


@dataclass
class BatchNormResult:
    """Training accuracy per epoch with and without batch normalization, per initial weight scale."""

    scales: NDArray
    with_bn: NDArray  # (scales, epochs + 1)
    without_bn: NDArray
    diverged: dict[float, int]  # scale -> epoch, for the networks without batch norm that diverged

    def summary(self) -> str:
        epochs = self.with_bn.shape[1] - 1
        lines = [f"Training accuracy after {epochs} epochs, 784-100x5-10 (ReLU), SGD lr 0.01 (the book's figure 6-19):"]
        rows = []
        for scale, bn, plain in zip(self.scales, self.with_bn, self.without_bn):
            note = f"diverged in epoch {self.diverged[float(scale)]}" if float(scale) in self.diverged else ""
            rows.append((f"{scale:.3g}", float(plain[-1]), float(bn[-1]), note))
        lines += _table(("weight std", "without BN", "with BN", ""), rows, (12, 12, 10, 20))
        return "\n".join(lines)

    def figures(self) -> dict[str, Figure]:
        columns = 4
        rows = -(-len(self.scales) // columns)
        fig = _new_figure(figsize=(15, 3 * rows + 0.9), layout="constrained")
        axes = fig.subplots(rows, columns, sharex=True, sharey=True, squeeze=False).ravel()
        epochs = np.arange(self.with_bn.shape[1])
        for ax, scale, bn, plain in zip(axes, self.scales, self.with_bn, self.without_bn):
            ax.plot(epochs, bn, label="with batch norm", color="tab:blue", linewidth=2)
            ax.plot(epochs, plain, "--", label="without", color="tab:orange", linewidth=2)
            ax.set_title(f"initial weight std {scale:.3g}", fontsize=12)
            ax.set_ylim(0, 1)
            if float(scale) in self.diverged:
                epoch = self.diverged[float(scale)]
                ax.text(
                    0.5,
                    0.8,
                    f"without: diverged\nin epoch {epoch}",
                    transform=ax.transAxes,
                    ha="center",
                    color="tab:orange",
                    fontsize=11,
                )
        for ax in axes[len(self.scales) :]:
            ax.set_axis_off()
        for ax in axes[::columns]:
            ax.set_ylabel("training accuracy", fontsize=11)
        for ax in axes[(rows - 1) * columns :]:
            ax.set_xlabel("epochs", fontsize=11)
        axes[0].legend(loc="lower right", fontsize=11)
        fig.suptitle("Batch normalization: training accuracy by initial weight scale", fontsize=15)
        return {"batchnorm": fig}


def batch_norm(
    data: Data | None = None,
    scales: Sequence[float] | None = None,
    epochs: int = 20,
    train_size: int = 1000,
    batch_size: int = 100,
    seed: int = 0,
) -> BatchNormResult:
    """The book's ``batch_norm_test.py``: 1,000 training images, 784-100x5-10 ReLU networks trained by SGD (lr 0.01).

    For every initial weight std in ``scales`` (by default 16 values from 1
    down to 1e-4, ``np.logspace(0, -4, 16)``) one network with batch norm and
    one without start from the same weights and see the same batches.
    """
    (x_train, t_train), _ = _mnist(data)
    train = (x_train[:train_size], t_train[:train_size])
    stds = np.logspace(0, -4, 16) if scales is None else np.asarray(scales, dtype=float)
    with_bn, without_bn, diverged = [], [], {}
    for scale in stds:
        curves = {}
        for bn in (True, False):
            model = MLP([784, 100, 100, 100, 100, 100, 10], init=normal(float(scale)), batch_norm=bn, seed=seed)
            curves[bn], _, epoch = _train(model, SGD(lr=0.01), train, None, epochs, batch_size, seed)
            if epoch is not None and not bn:
                diverged[float(scale)] = epoch
        with_bn.append(curves[True])
        without_bn.append(curves[False])
    return BatchNormResult(stds, np.array(with_bn), np.array(without_bn), diverged)


# ====================================================================== overfitting


#: The three runs of the overfitting experiment: (label, weight decay λ, dropout rate, epochs), as the book's.
OVERFIT_RUNS = (
    ("no regularization", 0.0, 0.0, 201),
    ("weight decay 0.1", 0.1, 0.0, 201),
    ("dropout 0.2", 0.0, 0.2, 301),
)


@dataclass
class OverfittingResult:
    """Training and test accuracy per epoch for each run of :data:`OVERFIT_RUNS`."""

    train_acc: dict[str, NDArray]
    test_acc: dict[str, NDArray]
    train_size: int

    def summary(self) -> str:
        lines = [f"{self.train_size} training images, 784-100x6-10 (ReLU, He), SGD lr 0.01, batches of 100:"]
        rows = []
        for name in self.train_acc:
            train, test = self.train_acc[name][-1], self.test_acc[name][-1]
            rows.append((name, len(self.train_acc[name]) - 1, float(train), float(test), float(train - test)))
        lines += _table(("run", "epochs", "train acc", "test acc", "gap"), rows, (20, 8, 11, 10, 8))
        return "\n".join(lines)

    def figures(self) -> dict[str, Figure]:
        fig = _new_figure(figsize=(16, 5), layout="constrained")
        axes = fig.subplots(1, len(self.train_acc), sharey=True, squeeze=False)[0]
        for ax, name in zip(axes, self.train_acc):
            epochs = np.arange(len(self.train_acc[name]))
            every = max(len(epochs) // 20, 1)
            ax.plot(epochs, self.train_acc[name], marker="o", markevery=every, label="train", linewidth=1.5)
            ax.plot(epochs, self.test_acc[name], marker="s", markevery=every, label="test", linewidth=1.5)
            ax.set(ylim=(0, 1), xlabel="epochs")
            ax.set_title(name, fontsize=14)
            ax.legend(loc="lower right", fontsize=12)
        axes[0].set_ylabel("accuracy", fontsize=12)
        fig.suptitle(f"Overfitting {self.train_size} training images, and two cures", fontsize=15)
        return {"overfit": fig}


def overfitting(
    data: Data | None = None, train_size: int = 300, epochs: Sequence[int] | None = None, seed: int = 0
) -> OverfittingResult:
    """The book's ``overfit_weight_decay.py`` and ``overfit_dropout.py`` on ``train_size`` training images.

    A 784-100x6-10 ReLU network (7 layers, He initial weights) trained by
    SGD (lr 0.01, batches of 100) three times: without regularization, with
    weight decay λ = 0.1 (λ·W added to every weight's gradient, the penalty
    λ/2·ΣW²), and with dropout 0.2 after every hidden layer; ``epochs`` per
    run (the book's 201, 201, 301 by default). Accuracy on the whole
    training and test sets in inference mode, before training and after
    every epoch.
    """
    (x_train, t_train), test = _mnist(data)
    train = (x_train[:train_size], t_train[:train_size])
    epochs = [run[3] for run in OVERFIT_RUNS] if epochs is None else list(epochs)
    if len(epochs) != len(OVERFIT_RUNS):
        raise ValueError(f"epochs must give one count per run ({len(OVERFIT_RUNS)}), got {epochs}")
    train_acc, test_acc = {}, {}
    for (name, decay, dropout, _), count in zip(OVERFIT_RUNS, epochs):
        model = MLP([784] + [100] * 6 + [10], dropout=dropout, seed=seed)
        train_acc[name], test_acc[name], _ = _train(
            model, SGD(lr=0.01, weight_decay=decay), train, test, count, 100, seed
        )
    return OverfittingResult(train_acc, test_acc, train_size)


#: ``numnet lab`` experiments by name.
EXPERIMENTS: dict[str, Callable[..., Any]] = {
    "optimizers": optimizers,
    "init": initial_weights,
    "batchnorm": batch_norm,
    "overfit": overfitting,
}
