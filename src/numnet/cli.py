"""The ``numnet`` command: train, evaluate, predict, plot and inspect models.

::

    numnet train                              the default MLP on the bundled mnist-mini
    numnet train --dataset spiral --hidden 50 50 --epochs 500
    numnet evaluate runs/<name>/model.npz     accuracy, precision, recall, confusion matrix
    numnet predict runs/<name>/model.npz digit.png samples.npy
    numnet plot history runs/<name>           also: activations, weights, misclassified
    numnet info runs/<name>/model.npz

``numnet train`` writes a run folder ``runs/<time>-<dataset>-<model>/`` (or
``--out DIR``) holding ``model.npz``, ``history.json``, ``history.csv``,
``run.json`` (settings and results) and, with matplotlib, ``learning_curves.png``.
Ctrl-C saves ``checkpoint.npz`` there and prints the command that resumes it.

A user's mistake (a missing or damaged file, a bad option value, a model that
does not fit the data) prints one line ``numnet: error: ...`` on stderr and
exits with status 2 for command-line usage errors, 1 for the others, and 130
after Ctrl-C; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import csv
import io as text_io
import json
import math
import os
import shlex
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from numnet import __version__, io, plotting
from numnet._atomic import atomic_write
from numnet.data import load_catvnoncat, load_mnist, load_mnist_mini, make_planar, make_spiral
from numnet.initializers import INITIALIZER_NAMES
from numnet.models import ACTIVATIONS, MLP, DeepConvNet, LogisticRegression, Sequential, SimpleConvNet, TwoLayerNet
from numnet.optimizers import OPTIMIZERS, get_optimizer
from numnet.training import Callback, EarlyStopping, Trainer, TrainingError, TrainingInterrupted

__all__ = ["main", "build_parser", "DATASETS", "CLASS_NAMES", "MODELS", "TRAIN_DEFAULTS"]

PROG = "numnet"
EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130
RUN_FILE, HISTORY_JSON, HISTORY_CSV = "run.json", "history.json", "history.csv"
MODEL_FILE, CHECKPOINT_FILE, CURVES_FILE = "model.npz", "checkpoint.npz", "learning_curves.png"
INITIAL_FILTERS_FILE = "initial_filters.npy"  # convolutional runs: the first filters before training
#: Share of the training set held out for validation by ``--early-stopping``.
VALIDATION_FRACTION = 0.1
#: Share of the synthetic datasets (generated with seed 0) kept for testing.
SYNTHETIC_TEST_FRACTION = 0.2
SYNTHETIC_SEED = 0
#: Longer runs print about 20 epoch lines instead of one per epoch.
MAX_EPOCH_LINES = 100


# ====================================================================== data


@dataclass(frozen=True)
class Dataset:
    """A dataset as the command uses it: float32 inputs in their natural layout.

    Inputs are ``(N, 28, 28)`` gray or ``(N, 64, 64, 3)`` RGB images in [0, 1],
    or ``(N, 2)`` points; labels are class ids ``(N,)``.
    """

    name: str
    x_train: NDArray
    t_train: NDArray
    x_test: NDArray
    t_test: NDArray
    class_names: tuple[str, ...]

    @property
    def is_images(self) -> bool:
        return self.x_train.ndim >= 3


_DIGITS = tuple(str(digit) for digit in range(10))
#: Class names by dataset, indexed by class id.
CLASS_NAMES: dict[str, tuple[str, ...]] = {
    "mnist-mini": _DIGITS,
    "mnist": _DIGITS,
    "fashion-mnist": (
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ),
    "catvnoncat": ("non-cat", "cat"),
    "spiral": ("0", "1", "2"),
    "planar": ("0", "1"),
}


def _mnist(name: str, data_dir: str | None, verbose: bool) -> Dataset:
    if name == "mnist-mini":
        (x_train, t_train), (x_test, t_test) = load_mnist_mini(flatten=False)
    else:
        (x_train, t_train), (x_test, t_test) = load_mnist(data_dir, kind=name, flatten=False, verbose=verbose)
    return Dataset(name, x_train[:, 0], t_train, x_test[:, 0], t_test, CLASS_NAMES[name])


def _catvnoncat(name: str, data_dir: str | None, verbose: bool) -> Dataset:
    (x_train, t_train), (x_test, t_test), _ = load_catvnoncat(data_dir)
    return Dataset(
        name,
        np.divide(x_train, 255, dtype=np.float32),
        t_train,
        np.divide(x_test, 255, dtype=np.float32),
        t_test,
        CLASS_NAMES[name],
    )


def _synthetic(name: str, data_dir: str | None, verbose: bool) -> Dataset:
    x, t = make_spiral(100, 3, seed=SYNTHETIC_SEED) if name == "spiral" else make_planar(400, seed=SYNTHETIC_SEED)
    order = np.random.default_rng(SYNTHETIC_SEED).permutation(len(x))
    n_test = round(len(x) * SYNTHETIC_TEST_FRACTION)
    test, train = order[:n_test], order[n_test:]
    return Dataset(name, x[train], t[train], x[test], t[test], CLASS_NAMES[name])


#: Dataset name -> loader(name, data_dir, verbose).
DATASETS: dict[str, Callable[[str, str | None, bool], Dataset]] = {
    "mnist-mini": _mnist,
    "mnist": _mnist,
    "fashion-mnist": _mnist,
    "catvnoncat": _catvnoncat,
    "spiral": _synthetic,
    "planar": _synthetic,
}


def _load_dataset(name: str, data_dir: str | None = None, verbose: bool = True) -> Dataset:
    """The dataset ``name`` (a key of :data:`DATASETS`)."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose from {', '.join(DATASETS)}")
    return DATASETS[name](name, data_dir, verbose)


@dataclass(frozen=True)
class ImageFormat:
    """How a picture file becomes one model input: its mode, size and polarity."""

    mode: str  # Pillow mode: "L" (gray) or "RGB"
    size: int  # width = height, in pixels
    invert_light: bool  # MNIST digits are white on black: invert pictures that are mostly light

    @property
    def shape(self) -> tuple[int, ...]:
        """The natural layout of one image: (h, w) gray or (h, w, 3) RGB."""
        return (self.size, self.size) if self.mode == "L" else (self.size, self.size, 3)

    @property
    def channels(self) -> int:
        return 1 if self.mode == "L" else 3


#: The picture formats of the image datasets: MNIST-like digits and cat / non-cat photos.
IMAGE_FORMATS = (ImageFormat("L", 28, invert_light=True), ImageFormat("RGB", 64, invert_light=False))


# ==================================================================== models


@dataclass(frozen=True)
class ModelRequest:
    """What a model builder gets; ``hidden``, ``activation`` and ``init`` are None when not given."""

    sample_shape: tuple[int, ...]
    n_classes: int
    hidden: list[int] | None
    activation: str | None
    init: str | None
    seed: int
    default_hidden: Sequence[int] = ()
    default_activation: str = "relu"

    @property
    def n_inputs(self) -> int:
        return math.prod(self.sample_shape)

    @property
    def widths(self) -> list[int]:
        """The hidden widths: as given, else the dataset's default."""
        return list(self.default_hidden if self.hidden is None else self.hidden)


def _build_mlp(request: ModelRequest) -> Sequential:
    return MLP(
        [request.n_inputs, *request.widths, request.n_classes],
        activation=request.activation or request.default_activation,
        init=request.init,
        seed=request.seed,
    )


def _build_two_layer(request: ModelRequest) -> Sequential:
    if len(request.widths) != 1:
        raise ValueError(f"--model two-layer has exactly one hidden layer, got --hidden {_words(request.widths)}")
    if request.activation not in (None, "relu"):
        raise ValueError("--model two-layer always uses ReLU; --activation is for --model mlp")
    if request.init not in (None, "normal"):
        raise ValueError(
            "--model two-layer draws its weights from N(0, 0.01²) (--init normal); "
            "other --init values are for --model mlp"
        )
    return TwoLayerNet(request.n_inputs, request.widths[0], request.n_classes, seed=request.seed)


def _build_logreg(request: ModelRequest) -> Sequential:
    if request.hidden:
        raise ValueError("--model logreg has no hidden layer: drop --hidden, or use --model mlp")
    if request.activation is not None:
        raise ValueError("--model logreg has no hidden activation: drop --activation, or use --model mlp")
    init = request.init or "zeros"
    if request.n_classes == 2:
        return LogisticRegression(request.n_inputs, init=init, seed=request.seed)
    return MLP([request.n_inputs, request.n_classes], init=init, seed=request.seed)  # softmax regression


def _convnet_inputs(request: ModelRequest, name: str, default_hidden: int) -> tuple[tuple[int, ...], int]:
    """The (C, H, W) image shape and the dense hidden width for ``--model name``, a ConvNet."""
    if request.activation not in (None, "relu"):
        raise ValueError(f"--model {name} always uses ReLU; --activation is for --model mlp")
    if request.hidden is not None and len(request.hidden) != 1:
        raise ValueError(f"--model {name} has exactly one dense hidden layer, got --hidden {_words(request.hidden)}")
    shape = request.sample_shape
    if len(shape) == 2:
        input_shape = (1, *shape)
    elif len(shape) == 3 and shape[-1] in (1, 3):
        input_shape = (shape[-1], *shape[:2])
    else:
        raise ValueError(f"--model {name} needs image data, but the samples have shape {shape}")
    return input_shape, request.hidden[0] if request.hidden else default_hidden


def _build_cnn(request: ModelRequest) -> Sequential:
    input_shape, hidden = _convnet_inputs(request, "cnn", 100)
    return SimpleConvNet(
        input_shape, hidden_size=hidden, output_size=request.n_classes, init=request.init or "he", seed=request.seed
    )


def _build_deep_cnn(request: ModelRequest) -> Sequential:
    input_shape, hidden = _convnet_inputs(request, "deep-cnn", 50)
    return DeepConvNet(
        input_shape, hidden_size=hidden, output_size=request.n_classes, init=request.init or "he", seed=request.seed
    )


#: ``--model`` name -> builder. Binary logreg is LogisticRegression (one sigmoid
#: output); with more classes it is softmax regression. mlp and two-layer use a
#: softmax output, two classes included.
MODELS: dict[str, Callable[[ModelRequest], Sequential]] = {
    "mlp": _build_mlp,
    "two-layer": _build_two_layer,
    "logreg": _build_logreg,
    "cnn": _build_cnn,
    "deep-cnn": _build_deep_cnn,
}


def _input_kind(model: Sequential) -> tuple[str, int]:
    """``("vectors", D)`` for a model starting with a dense layer, ``("images", C)`` for a convolution."""
    first = model.params[0] if model.params else None
    if first is not None and first.ndim == 2:
        return "vectors", first.shape[0]
    if first is not None and first.ndim == 4:
        return "images", first.shape[1]
    raise ValueError(f"cannot tell which inputs a {type(model).__name__} takes from its first layer")


def _fit_inputs(model: Sequential, x: NDArray, source: str) -> NDArray:
    """``x`` (N, ...) in natural layout, reshaped for ``model``: (N, D) vectors or (N, C, H, W) images.

    Raises a ValueError naming ``source`` when the samples do not fit the model.
    """
    kind, size = _input_kind(model)
    if kind == "vectors":
        values = math.prod(x.shape[1:])
        if values != size:
            raise ValueError(
                f"the model takes {size} input values per sample, but {source} has "
                f"{values} (samples of shape {x.shape[1:]})"
            )
        return x.reshape(len(x), size)
    if x.ndim == 3:
        x = x[:, np.newaxis]
    elif x.ndim == 4 and x.shape[-1] in (1, 3):
        x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    else:
        raise ValueError(f"the model takes images, but {source} has samples of shape {x.shape[1:]}")
    if x.shape[1] != size:
        raise ValueError(f"the model takes images of {size} channel(s), but {source} has {x.shape[1]}")
    return x


def _class_probabilities(model: Sequential, x: NDArray) -> NDArray:
    """Probabilities (N, K) of every class; a one-output (sigmoid) model gives K = 2 columns."""
    p = np.asarray(model.predict_proba(x, batch_size=1000))
    if p.ndim == 1 or p.shape[1] == 1:
        p = p.reshape(len(p))
        return np.stack([1.0 - p, p], axis=1)
    return p


def _check_classes(model: Sequential, x: NDArray, dataset: Dataset) -> None:
    n_outputs = _class_probabilities(model, x[:1]).shape[1]
    if n_outputs != len(dataset.class_names):
        raise ValueError(f"the model predicts {n_outputs} classes, but {dataset.name} has {len(dataset.class_names)}")


def _fit_dataset(model: Sequential, dataset: Dataset) -> tuple[NDArray, NDArray]:
    """(x_train, x_test) shaped for ``model``, after checking that inputs and classes fit."""
    x_train = _fit_inputs(model, dataset.x_train, f"dataset {dataset.name}")
    x_test = _fit_inputs(model, dataset.x_test, f"dataset {dataset.name}")
    _check_classes(model, x_test, dataset)
    return x_train, x_test


# ===================================================================== train


@dataclass(frozen=True)
class TrainDefaults:
    """What ``numnet train`` uses for a dataset when an option is not given."""

    model: str
    hidden: tuple[int, ...]
    activation: str
    epochs: int
    batch_size: int | None  # None: full batch
    optimizer: str = "adam"
    lr: float = 1e-3  # for ``optimizer``; another optimizer gets its own default


#: Measured to train in seconds: mnist-mini reaches about 94.5% test accuracy
#: in 10 epochs, catvnoncat about 74%, spiral and planar about 95%.
TRAIN_DEFAULTS: dict[str, TrainDefaults] = {
    "mnist-mini": TrainDefaults("mlp", (256,), "relu", epochs=10, batch_size=100),
    "mnist": TrainDefaults("mlp", (256,), "relu", epochs=10, batch_size=100),
    "fashion-mnist": TrainDefaults("mlp", (256,), "relu", epochs=10, batch_size=100),
    "catvnoncat": TrainDefaults("logreg", (), "relu", epochs=200, batch_size=32),
    "spiral": TrainDefaults("mlp", (100,), "relu", epochs=300, batch_size=None, lr=1e-2),
    "planar": TrainDefaults("mlp", (4,), "tanh", epochs=2000, batch_size=None, lr=1e-2),
}


def _train(args: argparse.Namespace) -> int:
    say = _printer(args.quiet)
    defaults = TRAIN_DEFAULTS[args.dataset]
    epochs = args.epochs or defaults.epochs
    batch_size = defaults.batch_size if args.batch_size is None else args.batch_size or None
    dataset = _load_dataset(args.dataset, args.data_dir, verbose=not args.quiet)

    if args.resume:
        checkpoint = io.load_checkpoint(args.resume)
        model, optimizer, model_name = checkpoint.model, checkpoint.optimizer, type(checkpoint.model).__name__
    else:
        model_name = args.model or defaults.model
        model = MODELS[model_name](
            ModelRequest(
                dataset.x_train.shape[1:],
                len(dataset.class_names),
                args.hidden,
                args.activation,
                args.init,
                args.seed,
                default_hidden=defaults.hidden,
                default_activation=defaults.activation,
            )
        )
        optimizer_name = args.optimizer or defaults.optimizer
        lr = args.lr if args.lr is not None else defaults.lr if optimizer_name == defaults.optimizer else None
        optimizer = get_optimizer(optimizer_name, **({} if lr is None else {"lr": lr}), weight_decay=args.weight_decay)
    x_train, x_test = _fit_dataset(model, dataset)
    t_train, validation, callbacks = dataset.t_train, None, []
    if args.early_stopping is not None:
        (x_train, t_train), validation = _hold_out(x_train, t_train, VALIDATION_FRACTION, args.seed)
        callbacks.append(EarlyStopping("val_loss", patience=args.early_stopping, restore_best=True))
    verbose = 0 if args.quiet or epochs > MAX_EPOCH_LINES else 1
    if not args.quiet and epochs > MAX_EPOCH_LINES:
        callbacks.append(_SparseEpochLog(epochs))

    decay = f", weight decay {optimizer.weight_decay:g}" if optimizer.weight_decay else ""
    say(
        f"training {_describe_model(model)} on {dataset.name} "
        f"({len(x_train):,} training / {len(x_test):,} test samples)\n"
        f"  {optimizer.name} lr {optimizer.lr:g}{decay}, batch {batch_size or 'full'}, {_count(epochs, 'epoch')}, "
        f"seed {args.seed}"
    )
    if validation is not None:
        say(f"  early stopping (patience {args.early_stopping}) on {len(validation[0]):,} held-out samples")
    if args.resume:
        say(f"  resuming from {args.resume}")

    # the textbook shows a convolution's filters before and after training: keep the "before"
    initial_filters = model.params[0].copy() if model.params and model.params[0].ndim == 4 else None
    trainer = Trainer(model, optimizer)
    started = time.perf_counter()
    try:
        history = trainer.fit(
            x_train,
            t_train,
            epochs=epochs,
            batch_size=batch_size,
            shuffle=batch_size is not None,
            validation_data=validation,
            seed=args.seed,
            verbose=verbose,
            callbacks=callbacks,
            resume_from=args.resume,
        )
    except TrainingInterrupted:
        checkpoint_path = _run_dir(args, dataset.name, model_name) / CHECKPOINT_FILE
        trainer.save_checkpoint(checkpoint_path)
        print(
            f"{PROG}: interrupted; saved {checkpoint_path}\nresume with: {_resume_command(args.argv, checkpoint_path)}",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    seconds = time.perf_counter() - started

    for callback in callbacks:
        if isinstance(callback, EarlyStopping) and callback.stopped_epoch is not None:
            say(
                f"early stopping after epoch {callback.stopped_epoch + 1}; "
                f"kept the weights of epoch {callback.best_epoch + 1}"
            )
    results = {
        "epochs": history.epochs,
        "train_accuracy": model.accuracy(x_train, t_train),
        "test_accuracy": model.accuracy(x_test, dataset.t_test),
        "seconds": round(seconds, 3),
    }
    run_dir = _run_dir(args, dataset.name, model_name)
    settings = {"epochs": epochs, "batch_size": batch_size, "seed": args.seed, "early_stopping": args.early_stopping}
    written = _write_run(run_dir, args, dataset, model, optimizer, settings, history, results, say)
    if initial_filters is not None and not args.resume:
        with atomic_write(run_dir / INITIAL_FILTERS_FILE) as file:
            np.save(file, initial_filters, allow_pickle=False)
        written.append(INITIAL_FILTERS_FILE)
    say(
        f"train accuracy {results['train_accuracy']:.4f}  test accuracy {results['test_accuracy']:.4f}  "
        f"({seconds:.1f} s)\n"
        f"saved {run_dir}{os.sep}: {', '.join(written)}"
    )
    return 0


class _SparseEpochLog(Callback):
    """About 20 epoch lines (every k-th epoch and the last) for runs of many short epochs."""

    def __init__(self, epochs: int, lines: int = 20) -> None:
        self.epochs, self.every = epochs, math.ceil(epochs / lines)

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        done = epoch + 1
        if done % self.every == 0 or done == self.epochs or trainer.stop_training:
            metrics = "  ".join(f"{name} {value:.4f}" for name, value in logs.items())
            print(f"epoch {done}/{self.epochs}  {metrics}  ({sum(trainer.history.epoch_time):.1f}s in all)", flush=True)


def _hold_out(x: NDArray, t: NDArray, fraction: float, seed: int) -> tuple[tuple[NDArray, NDArray], tuple]:
    """Split off a seeded random ``fraction`` (at least one sample) for validation: (train, validation)."""
    order = np.random.default_rng(seed).permutation(len(x))
    n_val = max(1, round(len(x) * fraction))
    if n_val >= len(x):
        raise ValueError(f"--early-stopping needs a validation split, but the training set has only {len(x)} samples")
    val, train = order[:n_val], order[n_val:]
    return (x[train], t[train]), (x[val], t[val])


def _run_dir(args: argparse.Namespace, dataset: str, model: str) -> Path:
    """``--out``, else the resumed checkpoint's folder, else a new ``runs/<time>-<dataset>-<model>``."""
    if args.out:
        path = Path(args.out)
        path.mkdir(parents=True, exist_ok=True)
        return path
    if args.resume:
        return Path(args.resume).parent
    base = Path("runs") / f"{time.strftime('%Y%m%d-%H%M%S')}-{dataset}-{model.lower()}"
    base.parent.mkdir(exist_ok=True)
    for suffix in ("", *(f"-{n}" for n in range(2, 1000))):
        path = base.with_name(base.name + suffix)
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path
    raise OSError(f"cannot create a new run folder: {base}-2 ... {base}-999 all exist")


def _resume_command(argv: Sequence[str], checkpoint: Path) -> str:
    """The command line that resumes: ``argv`` without any ``--resume``, then ``--resume checkpoint``."""
    kept: list[str] = []
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif word == "--resume":
            skip = True
        elif not word.startswith("--resume="):
            kept.append(word)
    return shlex.join([PROG, *kept, "--resume", str(checkpoint)])


def _write_run(
    run_dir: Path,
    args: argparse.Namespace,
    dataset: Dataset,
    model: Sequential,
    optimizer: Any,
    settings: dict[str, Any],
    history: Any,
    results: dict[str, Any],
    say: Callable[[str], None],
) -> list[str]:
    """Write the run folder's files; return their names."""
    io.save(model, run_dir / MODEL_FILE)
    _write_text(run_dir / HISTORY_JSON, json.dumps(history.to_dict(), indent=1))
    rows = history.epoch_rows()
    table = text_io.StringIO()
    writer = csv.DictWriter(table, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    _write_text(run_dir / HISTORY_CSV, table.getvalue())
    run = {
        "numnet_version": __version__,
        "command": shlex.join([PROG, *args.argv]),
        "dataset": dataset.name,
        "data_dir": args.data_dir,
        "model_class": type(model).__name__,
        "model_config": model.get_config(),
        "optimizer": optimizer.name,
        "optimizer_config": optimizer.get_config(),
        **settings,
        "resumed_from": args.resume,
        "results": results,
    }
    _write_text(run_dir / RUN_FILE, json.dumps(run, indent=1))
    written = [MODEL_FILE, HISTORY_JSON, HISTORY_CSV, RUN_FILE]
    try:
        plotting.save_figure(plotting.history_figure(history), run_dir / CURVES_FILE)
        written.append(CURVES_FILE)
    except ImportError:
        say(f"note: matplotlib is not installed, so no {CURVES_FILE} (pip install 'numnet[plot]')")
    return written


def _write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically: a temporary file beside it, then a rename."""
    with atomic_write(path, "w", encoding="utf-8") as file:
        file.write(text if text.endswith("\n") else text + "\n")


def _describe_model(model: Sequential) -> str:
    """E.g. ``MLP 784-256-10 (203,530 parameters)``: the widths of its dense layers, when it has some."""
    dense = [p for p in model.params if p.ndim == 2]
    widths = "-".join(str(w) for w in [dense[0].shape[0], *(p.shape[1] for p in dense)]) + " " if dense else ""
    return f"{type(model).__name__} {widths}({sum(p.size for p in model.params):,} parameters)"


# ================================================================ evaluate


def _run_info(model_path: str) -> dict[str, Any]:
    """The ``run.json`` beside a model file, or {} when there is none (or it is unreadable)."""
    try:
        info = json.loads((Path(model_path).parent / RUN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}


def _dataset_for(args: argparse.Namespace) -> Dataset:
    """``--dataset``, else the dataset of the model's run folder, else mnist-mini."""
    info = _run_info(args.model)
    name = args.dataset or info.get("dataset") or "mnist-mini"
    data_dir = args.data_dir if args.data_dir is not None else info.get("data_dir")
    return _load_dataset(name, data_dir)


def _confusion_matrix(true: NDArray, predicted: NDArray, n_classes: int) -> NDArray[np.int64]:
    """Counts (K, K): row = true class, column = predicted class."""
    return np.bincount(true * n_classes + predicted, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def _evaluate(args: argparse.Namespace) -> int:
    model = io.load(args.model)
    dataset = _dataset_for(args)
    _, x_test = _fit_dataset(model, dataset)
    predicted = model.predict_labels(x_test)
    k = len(dataset.class_names)
    matrix = _confusion_matrix(dataset.t_test, predicted, k)
    correct = int(np.trace(matrix))
    print(f"{args.model} on the {dataset.name} test set ({len(x_test):,} samples)")
    print(f"accuracy {correct / len(x_test):.4f} ({correct:,}/{len(x_test):,})")
    print()
    print(_class_table(matrix, dataset.class_names))
    print()
    print("confusion matrix (rows: true class, columns: predicted class)")
    print(_matrix_text(matrix))
    if args.plot:
        path = plotting.save_figure(plotting.confusion_matrix_figure(matrix, dataset.class_names), args.plot)
        print(f"wrote {path}")
    return 0


def _class_table(matrix: NDArray, class_names: Sequence[str]) -> str:
    """Per-class precision, recall and support; '-' where a class is never predicted (or absent)."""
    predicted_counts, true_counts = matrix.sum(axis=0), matrix.sum(axis=1)
    label_width = max(5, *(len(_class_label(k, n)) for k, n in enumerate(class_names)))
    lines = [f"{'class':<{label_width}}  precision  recall  support"]
    for k, name in enumerate(class_names):
        hits = matrix[k, k]
        precision = f"{hits / predicted_counts[k]:.4f}" if predicted_counts[k] else "-"
        recall = f"{hits / true_counts[k]:.4f}" if true_counts[k] else "-"
        lines.append(f"{_class_label(k, name):<{label_width}}  {precision:>9}  {recall:>6}  {true_counts[k]:>7}")
    return "\n".join(lines)


def _class_label(k: int, name: str) -> str:
    return name if name == str(k) else f"{k} {name}"


def _matrix_text(matrix: NDArray) -> str:
    width = max(len(str(matrix.max())), len(str(len(matrix) - 1)))
    label = len(str(len(matrix) - 1))
    lines = [" " * label + "  " + " ".join(f"{k:>{width}}" for k in range(len(matrix)))]
    lines += [f"{k:>{label}}  " + " ".join(f"{n:>{width}}" for n in row) for k, row in enumerate(matrix)]
    return "\n".join(lines)


# ================================================================= predict


def _predict(args: argparse.Namespace) -> int:
    model = io.load(args.model)
    class_names = CLASS_NAMES.get(_run_info(args.model).get("dataset"))
    for path in args.inputs:
        samples, labels = _read_input(model, Path(path))
        probabilities = _class_probabilities(model, samples)
        predicted = model.predict_labels(samples)
        for label, p, k in zip(labels, probabilities, predicted):
            top = np.argsort(-p, kind="stable")[:3]
            ranking = "  ".join(f"{_name(c, class_names)} {p[c]:.4f}" for c in top)
            print(f"{label}: {_name(k, class_names)}   top-3: {ranking}")
    return 0


def _name(k: int, class_names: Sequence[str] | None) -> str:
    """The name of class ``k``, or its id when the dataset is unknown."""
    return str(k) if class_names is None or k >= len(class_names) else class_names[k]


def _read_input(model: Sequential, path: Path) -> tuple[NDArray, list[str]]:
    """The samples in ``path`` shaped for ``model``, and a label for each (the file name, [i] for batches)."""
    if not path.is_file():
        raise FileNotFoundError(f"input file {str(path)!r} does not exist")
    if path.suffix.lower() == ".npy":
        samples = _npy_samples(model, path)
        if len(samples) == 1:
            return samples, [str(path)]
        return samples, [f"{path}[{i}]" for i in range(len(samples))]
    image = _read_image(path, _image_format(model))
    return _fit_inputs(model, image[np.newaxis], str(path)), [str(path)]


def _npy_samples(model: Sequential, path: Path) -> NDArray:
    """One sample or a batch from a .npy array; uint8 arrays are pixels and are divided by 255."""
    try:
        array = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise ValueError(f"cannot read {path} as a .npy array ({error})") from None
    if not isinstance(array, np.ndarray):
        array.close()
        raise ValueError(f"{path} is a .npz archive, not a .npy array")
    if array.dtype.kind not in "uif" or array.ndim == 0:
        raise ValueError(f"{path} must hold a numeric array of samples, got dtype {array.dtype}, shape {array.shape}")
    array = np.divide(array, 255, dtype=model.dtype) if array.dtype == np.uint8 else array.astype(model.dtype)
    kind, size = _input_kind(model)
    if kind == "vectors":
        if array.size == size:
            return array.reshape(1, size)
        if array.ndim >= 2 and math.prod(array.shape[1:]) == size:
            return array.reshape(len(array), size)
        raise ValueError(
            f"{path} holds an array of shape {array.shape}; the model takes samples of {size} "
            f"values: one sample ({size},) or a batch (N, {size})"
        )
    if array.ndim == 3 and array.shape[0] == size:
        return array[np.newaxis]
    if array.ndim == 4 and array.shape[1] == size:
        return array
    raise ValueError(
        f"{path} holds an array of shape {array.shape}; the model takes images of {size} "
        "channel(s): one image (C, H, W) or a batch (N, C, H, W)"
    )


def _image_format(model: Sequential) -> ImageFormat:
    """The picture format whose images ``model`` takes."""
    kind, size = _input_kind(model)
    for image_format in IMAGE_FORMATS:
        if size == (math.prod(image_format.shape) if kind == "vectors" else image_format.channels):
            return image_format
    known = " or ".join(f"{f.size}x{f.size} {'gray' if f.mode == 'L' else f.mode}" for f in IMAGE_FORMATS)
    what = f"{size} input values" if kind == "vectors" else f"images of {size} channel(s)"
    raise ValueError(f"the model takes {what}, not {known} pictures")


def _read_image(path: Path, image_format: ImageFormat) -> NDArray[np.float32]:
    """A picture converted like the training images: mode, size, white-on-black digits, scaled to [0, 1]."""
    try:
        from PIL import Image, UnidentifiedImageError  # noqa: PLC0415 - optional dependency
    except ImportError:
        raise ImportError("reading images needs Pillow: pip install 'numnet[images]'") from None
    try:
        with Image.open(path) as picture:
            picture.load()
    except UnidentifiedImageError:
        raise ValueError(f"{path} is neither a picture (PNG, JPEG, ...) nor a .npy array") from None
    except OSError as error:
        raise ValueError(f"cannot read the picture {path}: {error}") from None
    if "A" in picture.getbands() or (picture.mode == "P" and "transparency" in picture.info):
        background = Image.new("RGBA", picture.size, "white")
        picture = Image.alpha_composite(background, picture.convert("RGBA"))
    picture = picture.convert(image_format.mode)
    if picture.size != (image_format.size, image_format.size):
        picture = picture.resize((image_format.size, image_format.size), Image.Resampling.LANCZOS)
    pixels = np.asarray(picture, dtype=np.float32)
    if image_format.invert_light and pixels.mean() > 127:
        pixels = 255 - pixels
    return pixels / 255


# ==================================================================== plot


def _plot_activations(args: argparse.Namespace) -> Path:
    return plotting.save_figure(plotting.activations_figure(), args.out or "activations.png")


def _plot_history(args: argparse.Namespace) -> Path:
    source = Path(args.run)
    path = source / HISTORY_JSON if source.is_dir() else source
    if not path.is_file():
        raise FileNotFoundError(f"no history at {str(path)!r}: give a run folder or its {HISTORY_JSON}")
    try:
        history = json.loads(path.read_text(encoding="utf-8"))
        figure = plotting.history_figure(history)
    except (ValueError, TypeError, AttributeError) as error:
        raise ValueError(f"{path} is not a training history ({error})") from None
    return plotting.save_figure(figure, args.out or path.with_name(CURVES_FILE))


def _plot_weights(args: argparse.Namespace) -> Path:
    model = io.load(args.model)
    weights = model.params[0]
    if weights.ndim == 2:  # dense: each unit's weights form an image of the model's input format
        figure = plotting.weights_figure(weights, _image_format(model).shape)
    else:  # convolution filters
        figure = plotting.weights_figure(weights)
    return plotting.save_figure(figure, args.out or Path(args.model).with_name("weights.png"))


def _plot_filters(args: argparse.Namespace) -> Path:
    model = io.load(args.model)
    filters = model.params[0] if model.params else None
    if filters is None or filters.ndim != 4:
        raise ValueError(f"{args.model} does not start with a convolution: use 'numnet plot weights' for it")
    initial_path = Path(args.model).with_name(INITIAL_FILTERS_FILE)
    initial = np.load(initial_path, allow_pickle=False) if initial_path.is_file() else None
    figure = plotting.filters_figure(filters, initial)
    return plotting.save_figure(figure, args.out or Path(args.model).with_name("filters.png"))


def _plot_misclassified(args: argparse.Namespace) -> Path:
    model = io.load(args.model)
    dataset = _dataset_for(args)
    if not dataset.is_images:
        raise ValueError(f"dataset {dataset.name} holds points, not images; plot misclassified needs an image dataset")
    _, x_test = _fit_dataset(model, dataset)
    figure = plotting.misclassified_figure(
        dataset.x_test, dataset.t_test, model.predict_labels(x_test), dataset.class_names
    )
    return plotting.save_figure(figure, args.out or Path(args.model).with_name("misclassified.png"))


def _plot(args: argparse.Namespace) -> int:
    print(args.plot_command(args))
    return 0


# ==================================================================== info


def _info(args: argparse.Namespace) -> int:
    info = io.model_info(args.model)
    model = io.load(args.model)
    kind = "checkpoint" if info["format"] == "numnet-checkpoint" else "model"
    print(
        f"{info['path']}: numnet {kind} file, format version {info['format_version']} "
        f"(written by numnet {info['numnet_version']})"
    )
    print(f"model: {info['model_class']}, {info['dtype']}, {info['parameter_count']:,} parameters")
    if kind == "checkpoint":
        print(
            f"checkpoint: {_count(info['epoch'], 'epoch')} done, optimizer {info['optimizer_class']} "
            f"{json.dumps(info['optimizer_config'])}"
        )
    print(f"config: {json.dumps(info['config'])}")
    print("layers:")
    print(model.summary())
    return 0


# ================================================================== parser


class _Parser(argparse.ArgumentParser):
    """argparse with one-line usage errors: ``numnet: error: ...`` and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{PROG}: error: {message} (see '{self.prog} --help')\n")


def _parsed(text: str, kind: Callable[[str], Any], valid: Callable[[Any], bool], expected: str) -> Any:
    """``kind(text)`` if it parses and is ``valid``; else the error argparse reports for the option."""
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or not valid(value):
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
    return value


def _positive_int(text: str) -> int:
    return _parsed(text, int, lambda v: v > 0, "a positive integer")


def _non_negative_int(text: str) -> int:
    return _parsed(text, int, lambda v: v >= 0, "an integer >= 0")


def _positive_float(text: str) -> float:
    return _parsed(text, float, lambda v: 0 < v < math.inf, "a positive number")


def _non_negative_float(text: str) -> float:
    return _parsed(text, float, lambda v: 0 <= v < math.inf, "a number >= 0")


def _batch_size(text: str) -> int:
    """A positive batch size, or 0 / 'full' for full-batch gradient descent (returned as 0)."""
    return 0 if text == "full" else _parsed(text, int, lambda v: v >= 0, "a positive integer, or 0 / 'full'")


def _defaults_table() -> str:
    lines = ["defaults by dataset (model, hidden widths and activation, epochs, batch, adam lr):"]
    for name, d in TRAIN_DEFAULTS.items():
        hidden = f" {_words(d.hidden)} {d.activation}" if d.model != "logreg" else ""
        lines.append(
            f"  {name:<14} {d.model}{hidden}, {d.epochs} epochs, batch {d.batch_size or 'full'}, "
            f"{d.optimizer} lr {d.lr:g}"
        )
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    """The ``numnet`` argument parser."""
    debug_help = "show the full traceback of an error"
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: a subcommand without --debug keeps the value of `numnet --debug ...`
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=debug_help)
    parser = _Parser(prog=PROG, description="Neural networks in NumPy: train, evaluate, predict, plot, inspect.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("--debug", action="store_true", help=debug_help)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    train = commands.add_parser(
        "train",
        parents=[common],
        help="train a model and write a run folder",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Train a model; write model.npz, history.json, history.csv, run.json and "
        "learning_curves.png into a run folder.",
        epilog=_defaults_table() + "\n\n"
        "--lr defaults to the dataset's lr for adam and to the optimizer's own default otherwise.\n"
        "--early-stopping holds out 10% of the training set (drawn with --seed) for validation,\n"
        "stops when the validation loss has not improved for PATIENCE epochs and keeps the best weights.\n"
        "spiral (300 points, 3 classes) and planar (400 points, 2 classes) are generated with seed 0\n"
        "and split 80/20 into training and test sets, the same every time.\n"
        "catvnoncat images are flattened (HWC order) and divided by 255; logreg is then one sigmoid\n"
        "unit, mlp and two-layer use a 2-class softmax.\n"
        "Ctrl-C saves checkpoint.npz in the run folder and prints the command that resumes training;\n"
        "with --resume the model and the optimizer come from the checkpoint (their options are ignored).",
    )
    train.add_argument(
        "--dataset",
        choices=list(DATASETS),
        default="mnist-mini",
        help="the data to train on (default: mnist-mini, bundled)",
    )
    train.add_argument("--data-dir", help="where dataset files are looked for (also $NUMNET_DATA_DIR)")
    train.add_argument("--model", choices=list(MODELS), help="the architecture (default: by dataset)")
    train.add_argument(
        "--hidden",
        type=_positive_int,
        nargs="*",
        metavar="WIDTH",
        help="hidden layer widths, e.g. --hidden 100 50 (default: by dataset)",
    )
    train.add_argument("--activation", choices=list(ACTIVATIONS), help="hidden activation (default: by dataset)")
    train.add_argument(
        "--init",
        choices=list(INITIALIZER_NAMES),
        help="weight initialization (default: he for relu, xavier otherwise; zeros for logreg)",
    )
    train.add_argument("--optimizer", choices=list(OPTIMIZERS), help="(default: adam)")
    train.add_argument("--lr", type=_positive_float, help="learning rate (default: see below)")
    train.add_argument(
        "--weight-decay",
        type=_non_negative_float,
        default=0.0,
        metavar="LAMBDA",
        help="L2 penalty on the weights (default: 0)",
    )
    train.add_argument(
        "--batch-size",
        type=_batch_size,
        metavar="N",
        help="samples per step; 0 or 'full' for full-batch gradient descent (default: by dataset)",
    )
    train.add_argument("--epochs", type=_positive_int, help="passes over the training set (default: by dataset)")
    train.add_argument(
        "--early-stopping",
        type=_non_negative_int,
        metavar="PATIENCE",
        help="stop when the validation loss has not improved for PATIENCE epochs",
    )
    train.add_argument(
        "--seed",
        type=_non_negative_int,
        default=0,
        help="seeds the weights, the shuffling and the validation split (default: 0)",
    )
    train.add_argument("--out", metavar="DIR", help="the run folder (default: runs/<time>-<dataset>-<model>)")
    train.add_argument(
        "--resume", metavar="CHECKPOINT", help="continue from a checkpoint.npz; the model and optimizer come from it"
    )
    train.add_argument("--quiet", action="store_true", help="print nothing but errors")
    train.set_defaults(handler=_train)

    evaluate = commands.add_parser(
        "evaluate",
        parents=[common],
        help="accuracy, per-class precision and recall, confusion matrix",
        description="Evaluate a model on a test set (default: the dataset of its run folder, else mnist-mini).",
    )
    _add_model_and_data(evaluate)
    evaluate.add_argument("--plot", metavar="OUT.png", help="also draw the confusion matrix into this file")
    evaluate.set_defaults(handler=_evaluate)

    predict = commands.add_parser(
        "predict",
        parents=[common],
        help="classify pictures or .npy arrays",
        description="Print the predicted class and the top-3 probabilities of each input. Pictures (PNG, "
        "JPEG, ...; needs Pillow) are converted like MNIST: gray, 28x28, white on black (mostly "
        "light pictures are inverted), scaled to [0, 1] (64x64 RGB for catvnoncat models). A .npy "
        "array holds one sample or a batch, scaled like the training data (uint8: divided by 255).",
    )
    predict.add_argument("model", metavar="MODEL", help="a model file (model.npz)")
    predict.add_argument("inputs", metavar="INPUT", nargs="+", help="picture files or .npy arrays")
    predict.set_defaults(handler=_predict)

    plot = commands.add_parser(
        "plot",
        help="draw a figure into a PNG file (needs matplotlib)",
        description="Draw a figure and print the path of the file written.",
    )
    figures = plot.add_subparsers(dest="figure", required=True, metavar="FIGURE", parser_class=_Parser)
    for name, helptext, handler in (
        ("activations", "activation functions and their derivatives", _plot_activations),
        ("history", "learning curves of a run", _plot_history),
        ("weights", "first-layer weights as images", _plot_weights),
        ("filters", "the first convolution's filters, before and after training", _plot_filters),
        ("misclassified", "test images the model gets wrong", _plot_misclassified),
    ):
        figure = figures.add_parser(name, parents=[common], help=helptext, description=helptext)
        if name == "history":
            figure.add_argument("run", metavar="RUN", help="a run folder or its history.json")
        elif name in ("weights", "filters"):
            figure.add_argument("model", metavar="MODEL", help="a model file (model.npz)")
        elif name == "misclassified":
            _add_model_and_data(figure)
        figure.add_argument(
            "--out", metavar="FILE", help="the file to write (default: beside the input, or activations.png)"
        )
        figure.set_defaults(handler=_plot, plot_command=handler)

    info = commands.add_parser(
        "info",
        parents=[common],
        help="describe a model file",
        description="Layers, shapes, parameter counts, dtype and format version.",
    )
    info.add_argument("model", metavar="MODEL", help="a model or checkpoint file")
    info.set_defaults(handler=_info)
    return parser


def _add_model_and_data(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", metavar="MODEL", help="a model file (model.npz)")
    parser.add_argument(
        "--dataset", choices=list(DATASETS), help="(default: the dataset of the model's run folder, else mnist-mini)"
    )
    parser.add_argument("--data-dir", help="where dataset files are looked for (also $NUMNET_DATA_DIR)")


# ==================================================================== main


def _printer(quiet: bool) -> Callable[[str], None]:
    def say(line: str) -> None:
        if not quiet:
            print(line, flush=True)

    return say


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _words(values: Sequence[Any]) -> str:
    return " ".join(str(v) for v in values)


def _one_line(message: str) -> str:
    """A multi-line error message joined into one line."""
    parts = [part.strip() for part in message.splitlines() if part.strip()]
    line = parts[0] if parts else ""
    for part in parts[1:]:
        line += (" " if line.endswith((":", ";", ",")) else "; ") + part
    return line


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``numnet`` command with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # --help, --version and usage errors
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    args.argv = argv
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        if args.debug:
            raise
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (ValueError, TypeError, OSError, ImportError, TrainingError) as error:
        if args.debug:
            raise
        print(f"{PROG}: error: {_one_line(str(error)) or type(error).__name__}", file=sys.stderr)
        return EXIT_ERROR
