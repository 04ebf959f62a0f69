"""``numnet train``: train a preset model on a catalogued dataset and write a run folder."""

from __future__ import annotations

import argparse
import math
import shlex
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from os import sep
from pathlib import Path
from typing import Any

import numpy as np

from numnet import io, presets, runs
from numnet.cli.common import (
    EXIT_INTERRUPTED,
    PROG,
    UsageError,
    add_command,
    add_data_dir,
    batch_size,
    count,
    describe_model,
    fraction,
    load_data,
    non_negative_float,
    non_negative_int,
    positive_float,
    positive_int,
    printer,
)
from numnet.data.batching import train_validation_split
from numnet.data.catalogue import DATASETS, Dataset
from numnet.initializers import INITIALIZER_NAMES
from numnet.models import ACTIVATIONS, Sequential
from numnet.optimizers import OPTIMIZERS, Optimizer, get_optimizer
from numnet.training import Callback, EarlyStopping, Trainer, TrainingError, TrainingInterrupted

#: Share of the training set held out for validation unless --validation-split says otherwise.
VALIDATION_FRACTION = 0.1
#: Longer runs print about 20 epoch lines instead of one per epoch.
MAX_EPOCH_LINES = 100
#: The options that choose the architecture, and those that set up training, by their Namespace names.
ARCHITECTURE_OPTIONS = ("model", "hidden", "activation", "init", "dropout", "batch_norm")
TRAINING_OPTIONS = ("batch_size", "seed", "validation_split", "validate_on", "early_stopping")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = add_command(
        subparsers,
        "train",
        help="train a model and write a run folder",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Train a model; write model.npz, history.json, history.csv, run.json and "
        "learning_curves.png into a run folder.",
        epilog=_models_table() + "\n\n" + _defaults_table() + "\n\n"
        "--lr defaults to the dataset's lr for adam and to the optimizer's own default otherwise.\n"
        "10% of the training set (drawn with --seed, stratified by class) is held out for validation:\n"
        "its loss and accuracy are reported every epoch and drawn in learning_curves.png.\n"
        "--validate-on test tracks the test set instead (labelled test_...). --early-stopping stops when\n"
        "the validation loss has not improved for PATIENCE epochs and keeps the best weights; it never\n"
        "watches the test set.\n"
        "spiral (300 points, 3 classes) and planar (400 points, 2 classes) are generated with seed 0\n"
        "and split 80/20 into training and test sets, the same every time.\n"
        "catvnoncat images are flattened (HWC order) and divided by 255; logreg is then one sigmoid\n"
        "unit, mlp and two-layer use a 2-class softmax.\n"
        "The model file records the dataset and its class names, so predict names the classes.\n"
        "An existing run folder is replaced only with --force; the folder is written whole at the end.\n"
        "Ctrl-C saves checkpoint.npz and run.json in the run folder and prints the command that resumes;\n"
        "--resume trains to the total --epochs with the checkpoint's model, optimizer and settings, and\n"
        "refuses options that conflict with them.",
    )
    parser.add_argument("--dataset", choices=list(DATASETS), help="the data to train on (default: mnist-mini, bundled)")
    add_data_dir(parser)
    parser.add_argument("--model", choices=list(presets.PRESETS), help="the architecture (default: by dataset)")
    parser.add_argument(
        "--hidden",
        type=positive_int,
        nargs="+",
        metavar="WIDTH",
        help="hidden layer widths, e.g. --hidden 100 50 (default: by dataset)",
    )
    parser.add_argument(
        "--activation", choices=list(ACTIVATIONS), help="hidden activation of mlp (default: by dataset)"
    )
    parser.add_argument(
        "--init",
        choices=list(INITIALIZER_NAMES),
        help="weight initialization (default: he for relu, xavier otherwise; zeros for logreg)",
    )
    parser.add_argument(
        "--dropout", type=fraction, metavar="RATE", help="dropout after each hidden activation (mlp, cnn)"
    )
    parser.add_argument(
        "--batch-norm",
        action="store_true",
        default=None,
        help="batch normalization after each hidden layer (mlp, cnn)",
    )
    parser.add_argument("--optimizer", choices=list(OPTIMIZERS), help="(default: adam)")
    parser.add_argument("--lr", type=positive_float, help="learning rate (default: see below)")
    parser.add_argument(
        "--weight-decay", type=non_negative_float, metavar="LAMBDA", help="L2 penalty on the weights (default: 0)"
    )
    parser.add_argument(
        "--batch-size",
        type=batch_size,
        metavar="N",
        help="samples per step; 0 or 'full' for full-batch gradient descent (default: by dataset)",
    )
    parser.add_argument("--epochs", type=positive_int, help="passes over the training set (default: by dataset)")
    parser.add_argument(
        "--validation-split",
        type=fraction,
        metavar="FRACTION",
        help="share of the training set held out for validation; 0 for none (default: 0.1)",
    )
    parser.add_argument(
        "--validate-on",
        choices=("split", "test"),
        help="validate on the held-out split (default) or track the test set instead",
    )
    parser.add_argument(
        "--early-stopping",
        type=non_negative_int,
        metavar="PATIENCE",
        help="stop when the validation loss has not improved for PATIENCE epochs; keep the best weights",
    )
    parser.add_argument(
        "--seed", type=non_negative_int, help="seeds the weights, the shuffling and the validation split (default: 0)"
    )
    parser.add_argument("--out", metavar="DIR", help="the run folder (default: runs/<time>-<dataset>-<model>)")
    parser.add_argument("--force", action="store_true", help="replace the run already in --out")
    parser.add_argument(
        "--resume",
        metavar="CHECKPOINT",
        help="continue an interrupted run (its checkpoint.npz or its folder) to the total --epochs",
    )
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors and warnings")
    return parser


def _models_table() -> str:
    width = max(len(name) for name in presets.PRESETS)
    lines = ["models:"]
    lines += [f"  {name:<{width}}  {preset.description}" for name, preset in presets.PRESETS.items()]
    return "\n".join(lines)


def _defaults_table() -> str:
    lines = ["defaults by dataset (model, hidden widths and activation, epochs, batch, adam lr):"]
    for name, d in presets.TRAINING_DEFAULTS.items():
        hidden = f" {' '.join(map(str, d.hidden))} {d.activation}" if d.model != "logreg" else ""
        lines.append(
            f"  {name:<14} {d.model}{hidden}, {d.epochs} epochs, batch {d.batch_size or 'full'}, "
            f"{d.optimizer} lr {d.lr:g}"
        )
    return "\n".join(lines)


# ------------------------------------------------------------------ settings


@dataclass
class _Plan:
    """Everything a run is made of, resolved from the options, the checkpoint resumed and the defaults."""

    dataset: str
    data_dir: str | None
    epochs: int
    settings: dict[str, Any]  # what run.json records: the training settings and the architecture options
    checkpoint: io.Checkpoint | None = None
    checkpoint_path: Path | None = None
    saved: runs.Run | None = None  # the interrupted run's record, when resuming one
    given: list[str] = field(default_factory=list)

    @property
    def batch(self) -> int | None:
        value: int | None = self.settings["batch_size"]
        return value

    @property
    def validate_on(self) -> str | None:
        """Where the run validates: on the held-out ``"split"``, on the ``"test"`` set, or nowhere (None)."""
        value: str | None = self.settings["validate_on"]
        return value


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


def _check_combinations(args: argparse.Namespace) -> None:
    """Options that do not go together are refused before anything is loaded."""
    if args.validate_on == "test" and args.validation_split is not None:
        raise UsageError("--validation-split does not apply with --validate-on test (the test set is tracked)")
    if args.early_stopping is not None and args.validate_on == "test":
        raise UsageError("--early-stopping watches the validation split, never the test set: drop --validate-on test")
    if args.early_stopping is not None and args.validation_split == 0:
        raise UsageError("--early-stopping needs a validation split: drop --validation-split 0")
    if args.validate_on == "split" and args.validation_split == 0:
        raise UsageError("--validate-on split needs a validation split: drop --validation-split 0")


def _plan(args: argparse.Namespace) -> _Plan:
    """The run's dataset, epochs and settings: options given, else the resumed run's, else the defaults."""
    given = [name for name in (*ARCHITECTURE_OPTIONS, *TRAINING_OPTIONS) if getattr(args, name) is not None]
    checkpoint = checkpoint_path = saved = None
    saved_settings: dict[str, Any] = {}
    if args.resume:
        checkpoint_path = _checkpoint_path(args.resume)
        checkpoint = io.load_checkpoint(checkpoint_path)
        saved = runs.find_run(checkpoint_path)
        saved_settings = saved.settings if saved is not None else {}
        dataset = checkpoint.model.metadata.get("dataset") or (saved.dataset if saved else None)
        if args.dataset is not None and dataset is not None and args.dataset != dataset:
            raise UsageError(
                f"--dataset {args.dataset} conflicts with the checkpoint {checkpoint_path}, which trained on "
                f"{dataset}: drop --dataset, or train anew without --resume"
            )
        dataset = dataset or args.dataset or "mnist-mini"
    else:
        dataset = args.dataset or "mnist-mini"
    defaults = presets.training_defaults(dataset)

    def setting(name: str, default: Any) -> Any:
        value = getattr(args, name)
        return value if value is not None else saved_settings.get(name, default)

    validate_on = setting("validate_on", None)
    split = setting("validation_split", None)
    if validate_on is None:
        validate_on = None if split == 0 else "split"
    if validate_on == "split" and split is None:
        split = VALIDATION_FRACTION
    if validate_on == "test":
        split = None
    batch = setting("batch_size", defaults.batch_size)
    settings = {
        "epochs": args.epochs or saved_settings.get("epochs") or defaults.epochs,
        "batch_size": batch or None,
        "seed": setting("seed", 0),
        "validate_on": validate_on,
        "validation_split": split,
        "early_stopping": setting("early_stopping", None),
        **{name: setting(name, None) for name in ARCHITECTURE_OPTIONS},
    }
    if settings["model"] is None and checkpoint is not None:  # a checkpoint without its run.json
        settings["model"] = _PRESET_OF_CLASS.get(type(checkpoint.model).__name__)
    settings["model"] = settings["model"] or defaults.model
    data_dir = args.data_dir if args.data_dir is not None else saved.data_dir if saved is not None else None
    return _Plan(dataset, data_dir, settings["epochs"], settings, checkpoint, checkpoint_path, saved, given)


#: The preset that builds each model class, for checkpoints that do not say.
_PRESET_OF_CLASS = {"MLP": "mlp", "TwoLayerNet": "two-layer", "LogisticRegression": "logreg", "SimpleConvNet": "cnn"}


def _checkpoint_path(path: str) -> Path:
    """--resume names a checkpoint file, or the folder of an interrupted run."""
    given = Path(path)
    if given.is_dir():
        found = given / runs.CHECKPOINT_FILE
        if not found.is_file():
            raise FileNotFoundError(f"{given} holds no {runs.CHECKPOINT_FILE}: it is not an interrupted run")
        return found
    return given


def _build(args: argparse.Namespace, plan: _Plan, dataset: Dataset) -> tuple[Sequential, Optimizer]:
    """The model and optimizer: new, or the checkpoint's after checking that no option conflicts with it."""
    s = plan.settings
    architecture = {name: s[name] for name in ("hidden", "activation", "init", "dropout", "batch_norm")}
    if plan.checkpoint is None:
        model = presets.build_model(s["model"], dataset, seed=s["seed"], **architecture)
        return model, _optimizer(args, presets.training_defaults(dataset.name))
    checkpoint, saved = plan.checkpoint, plan.saved
    conflicts = []
    if any(name in plan.given for name in ARCHITECTURE_OPTIONS):
        wanted = presets.build_model(s["model"], dataset, **architecture)
        if type(wanted) is not type(checkpoint.model) or wanted.get_config() != checkpoint.model.get_config():
            named = " ".join(_shown(args, name) for name in ARCHITECTURE_OPTIONS if name in plan.given)
            conflicts.append(f"{named} (it holds {checkpoint.model!r})")
    old = checkpoint.optimizer
    for name, differs in (
        ("optimizer", args.optimizer not in (None, old.name)),
        ("lr", args.lr is not None and args.lr != old.lr),
        ("weight_decay", args.weight_decay is not None and args.weight_decay != old.weight_decay),
    ):
        if differs:
            conflicts.append(f"{_shown(args, name)} (it trains with {old!r})")
    if saved is not None:
        for name in TRAINING_OPTIONS:
            if name in plan.given and name in saved.settings and s[name] != saved.settings[name]:
                conflicts.append(f"{_shown(args, name)} (it was started with {saved.settings[name]})")
    if conflicts:
        raise UsageError(
            f"the checkpoint {plan.checkpoint_path} conflicts with {', '.join(conflicts)}: resume without "
            "those options, or train anew without --resume"
        )
    if plan.epochs <= checkpoint.epoch:
        raise UsageError(
            f"--epochs is the total number of epochs: the checkpoint {plan.checkpoint_path} has done "
            f"{checkpoint.epoch}, so ask for more (e.g. --epochs {checkpoint.epoch + plan.epochs})"
        )
    presets.attach_dataset(checkpoint.model, dataset)
    return checkpoint.model, checkpoint.optimizer


def _shown(args: argparse.Namespace, name: str) -> str:
    """An option as given, e.g. ``--hidden 100 50``."""
    value = getattr(args, name)
    if value is True:
        return _option(name)
    shown = " ".join(map(str, value)) if isinstance(value, list) else value
    return f"{_option(name)} {shown}"


def _optimizer(args: argparse.Namespace, defaults: presets.TrainingDefaults) -> Optimizer:
    """``--optimizer`` with ``--lr`` (else the dataset's lr for its default optimizer, else the optimizer's own)."""
    name = args.optimizer or defaults.optimizer
    lr = args.lr if args.lr is not None else defaults.lr if name == defaults.optimizer else None
    return get_optimizer(name, **({} if lr is None else {"lr": lr}), weight_decay=args.weight_decay or 0.0)


# ------------------------------------------------------------------ the run folder


def _run_dir(args: argparse.Namespace, plan: _Plan, model_name: str) -> tuple[Path, bool]:
    """The run folder and whether it is a new placeholder to remove if the run fails.

    ``--out``, else the resumed checkpoint's folder, else a new ``runs/<time>-<dataset>-<model>``.
    """
    if args.out:
        return Path(args.out), False
    if plan.checkpoint_path is not None:
        return plan.checkpoint_path.parent, False
    return runs.new_run_dir(plan.dataset, model_name), True


_FOLDER_FIXES = {
    "file": "choose another --out",
    "not_a_run": "choose another --out (a run folder must be new or empty)",
    "holds_run": "pass --force to replace it, or choose another --out",
    "interrupted": "resume it with --resume {path}, pass --force to replace it, or choose another --out",
    "unwritable": "choose another --out",
    "no_space": "free some space or choose another --out",
}


def _check_folder(path: Path, args: argparse.Namespace, plan: _Plan, model: Sequential) -> bool:
    """Refuse a run folder that cannot take the run, before training; return whether it may be replaced."""
    continuing = plan.checkpoint_path is not None and plan.checkpoint_path.resolve().parent == path.resolve()
    try:
        runs.check_run_dir(path, replace=args.force, required=runs.required_bytes(model), resuming=plan.checkpoint_path)
    except runs.RunFolderError as error:
        raise runs.RunFolderError(f"{error}: {_FOLDER_FIXES[error.kind].format(path=path)}", error.kind) from None
    return bool(args.force or continuing)


# ------------------------------------------------------------------ console


class _Console(Callback):
    """Epoch lines (every epoch, or about 20 for long runs) and a progress bar per epoch on a terminal.

    ``val_`` values are printed as ``test_`` when the test set is tracked.
    """

    def __init__(self, epochs: int, iterations: int, quiet: bool, label: str) -> None:
        self.epochs, self.iterations, self.quiet, self.label = epochs, iterations, quiet, label
        self.every = 1 if epochs <= MAX_EPOCH_LINES else math.ceil(epochs / 20)
        self.bar: Any = None

    def on_epoch_begin(self, trainer: Trainer, epoch: int) -> None:
        if self.quiet or self.every > 1 or not sys.stderr.isatty():
            return
        try:
            from tqdm.auto import tqdm  # noqa: PLC0415 - optional extra
        except ImportError:
            return
        self.bar = tqdm(total=self.iterations, desc=f"epoch {epoch + 1}/{self.epochs}", leave=False)

    def on_batch_end(self, trainer: Trainer, iteration: int, logs: dict[str, float]) -> None:
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix(loss=f"{logs['loss']:.4f}", refresh=False)

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        done = epoch + 1
        if self.quiet or not (done % self.every == 0 or done == self.epochs or trainer.stop_training):
            return
        values = "  ".join(f"{_labelled(name, self.label)} {value:.4f}" for name, value in logs.items())
        history = trainer.history
        seconds = f"{history.epoch_time[-1]:.1f}s" if self.every == 1 else f"{sum(history.epoch_time):.1f}s in all"
        print(f"epoch {done}/{self.epochs}  {values}  ({seconds})", flush=True)


def _labelled(name: str, label: str) -> str:
    return "test_" + name[4:] if label == "test" and name.startswith("val_") else name


# ------------------------------------------------------------------ run


def run(args: argparse.Namespace) -> int:
    say = printer(args.quiet)
    _check_combinations(args)
    plan = _plan(args)
    dataset = load_data(plan.dataset, plan.data_dir, verbose=not args.quiet)
    model, optimizer = _build(args, plan, dataset)
    x_train, x_test = presets.model_inputs(model, dataset)
    t_train = dataset.t_train
    settings = plan.settings
    run_dir, placeholder = _run_dir(args, plan, settings["model"])
    try:
        replace = _check_folder(run_dir, args, plan, model)
        return _train(args, plan, dataset, model, optimizer, x_train, t_train, x_test, run_dir, replace, say)
    finally:
        if placeholder and run_dir.is_dir() and not any(run_dir.iterdir()):
            run_dir.rmdir()  # a failed run leaves no empty folder behind


def _train(
    args: argparse.Namespace,
    plan: _Plan,
    dataset: Dataset,
    model: Sequential,
    optimizer: Optimizer,
    x_train: np.ndarray,
    t_train: np.ndarray,
    x_test: np.ndarray,
    run_dir: Path,
    replace: bool,
    say: Any,
) -> int:
    settings, epochs, batch = plan.settings, plan.epochs, plan.batch
    label = "test" if plan.validate_on == "test" else "validation"
    split = settings["validation_split"]
    train_index = np.arange(len(x_train))
    samples = {"training": len(x_train), "test": len(x_test)}
    if split:  # the same split Trainer.fit(validation_split=...) draws: reported here, drawn there
        train_index, val_index = train_validation_split(len(x_train), split, settings["seed"], labels=t_train)
        samples = {"training": len(train_index), "validation": len(val_index), "test": len(x_test)}
    sizes = " / ".join(f"{n:,} {name}" for name, n in samples.items()) + " samples"
    callbacks: list[Callback] = []
    if settings["early_stopping"] is not None:
        callbacks.append(EarlyStopping("val_loss", patience=settings["early_stopping"], restore_best=True))
    iterations = math.ceil(len(train_index) / (batch or len(train_index)))
    callbacks.append(_Console(epochs, iterations, args.quiet, label))

    decay = f", weight decay {optimizer.weight_decay:g}" if optimizer.weight_decay else ""
    say(
        f"training {describe_model(model)} on {dataset.name} ({sizes})\n"
        f"  {optimizer.name} lr {optimizer.lr:g}{decay}, batch {batch or 'full'}, {count(epochs, 'epoch')}, "
        f"seed {settings['seed']}"
    )
    if plan.validate_on == "test":
        say("  tracking the test set every epoch (test_loss, test_acc): it is not a validation set")
    elif plan.validate_on is None:
        say("  no validation (--validation-split 0)")
    if settings["early_stopping"] is not None:
        say(f"  early stopping on the validation loss (patience {settings['early_stopping']})")
    if plan.checkpoint_path is not None:
        say(f"  resuming from {plan.checkpoint_path} (epoch {plan.checkpoint.epoch if plan.checkpoint else 0})")

    # the textbook shows a convolution's filters before and after training: keep the "before"
    initial_filters = model.params[0].copy() if model.params and model.params[0].ndim == 4 else None
    trainer = Trainer(model, optimizer)
    command = shlex.join([PROG, *args.argv])
    started = time.perf_counter()
    try:
        history = trainer.fit(
            x_train,
            t_train,
            epochs=epochs,
            batch_size=batch,
            shuffle=batch is not None,
            validation_split=split or None,
            validation_data=(x_test, dataset.t_test) if plan.validate_on == "test" else None,
            seed=settings["seed"],
            verbose=0,
            callbacks=callbacks,
            resume_from=plan.checkpoint_path,
        )
    except TrainingInterrupted:
        runs.write_interrupted(
            run_dir,
            trainer,
            dataset=dataset.name,
            settings=settings,
            command=command,
            data_dir=plan.data_dir,
            resumed_from=plan.checkpoint_path,
            replace=True,  # checked before training: new, empty, the run resumed, or --force
        )
        checkpoint = run_dir / runs.CHECKPOINT_FILE
        print(
            f"{PROG}: interrupted; saved {checkpoint}\nresume with: {_resume_command(args.argv, checkpoint)}",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    except TrainingError as error:
        if "learning rate" in str(error):
            raise TrainingError(f"{error} (it is {optimizer.lr:g}: try --lr {optimizer.lr / 10:g})") from None
        raise
    seconds = time.perf_counter() - started

    results = _results(trainer, callbacks, x_train[train_index], t_train[train_index], x_test, dataset, seconds)
    chance = float(np.bincount(t_train).max() / len(t_train)) if t_train.ndim == 1 else None
    warnings = runs.training_warnings(history, chance)
    results["samples"] = samples
    results["warnings"] = warnings
    for callback in callbacks:
        if isinstance(callback, EarlyStopping) and callback.stopped_epoch is not None:
            say(
                f"early stopping after epoch {callback.stopped_epoch + 1}; "
                f"kept the weights of epoch {callback.best_epoch + 1}"
            )
    try:
        written = runs.write_run(
            run_dir,
            model,
            history,
            dataset=dataset.name,
            optimizer=optimizer,
            settings=settings,
            results=results,
            command=command,
            data_dir=plan.data_dir,
            resumed_from=plan.checkpoint_path,
            initial_filters=None if plan.checkpoint is not None else initial_filters,
            replace=replace,
        )
    except OSError as error:
        rescued = runs.rescue_model(model)
        raise OSError(
            f"could not write the run folder {run_dir} ({error}); the trained model is saved in {rescued}"
        ) from None
    except KeyboardInterrupt:  # Ctrl-C while the folder was written: it is as it was, and the model is kept
        rescued = runs.rescue_model(model)
        print(f"{PROG}: interrupted while writing {run_dir}; the trained model is saved in {rescued}", file=sys.stderr)
        return EXIT_INTERRUPTED
    if runs.CURVES_FILE not in written.files:
        say(f"note: matplotlib is not installed, so no {runs.CURVES_FILE} (pip install 'numnet[plot]')")
    validated = f"  validation accuracy {results['val_accuracy']:.4f}" if plan.validate_on == "split" else ""
    say(
        f"train accuracy {results['train_accuracy']:.4f}{validated}  test accuracy {results['test_accuracy']:.4f}  "
        f"({seconds:.1f} s)\n"
        f"saved {run_dir}{sep}: {', '.join(written.files)}"
    )
    for warning in warnings:
        print(f"{PROG}: warning: {warning}; try --lr {optimizer.lr / 10:g}", file=sys.stderr)
    return 0


def _results(
    trainer: Trainer,
    callbacks: Sequence[Callback],
    x_fit: np.ndarray,
    t_fit: np.ndarray,
    x_test: np.ndarray,
    dataset: Dataset,
    seconds: float,
) -> dict[str, Any]:
    """What run.json records of the run: accuracies, the best epoch and its values, time."""
    model, history = trainer.model, trainer.history
    results: dict[str, Any] = {
        "epochs": history.epochs,
        "train_accuracy": model.accuracy(x_fit, t_fit),
        "test_accuracy": model.accuracy(x_test, dataset.t_test),
        "seconds": round(seconds, 3),
    }
    val_loss = history.values.get("val_loss")
    if val_loss:
        stopping = next((c for c in callbacks if isinstance(c, EarlyStopping)), None)
        best = stopping.best_epoch if stopping is not None else int(np.argmin(val_loss))
        results["best_epoch"] = best + 1
        results["best_val_loss"] = val_loss[best]
        if "val_acc" in history.values:
            results["best_val_accuracy"] = history.val_acc[best]
            results["val_accuracy"] = history.val_acc[best] if stopping is not None else history.val_acc[-1]
    return results


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
