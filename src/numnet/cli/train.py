"""``numnet train``: train a preset model on a catalogued dataset, or a sequence model, and write a run folder."""

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

from numnet import io, presets, runs, sequence_presets
from numnet.cli.common import (
    EXIT_INTERRUPTED,
    PROG,
    UsageError,
    add_command,
    add_data_dir,
    batch_size,
    classifier,
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
from numnet.models import ACTIVATIONS, Model, Sequential
from numnet.optimizers import OPTIMIZERS, Optimizer, get_optimizer
from numnet.sequence_models import RNNLM, Seq2seq
from numnet.sequence_presets import (
    SEQUENCE_DEFAULTS,
    SEQUENCE_MODELS,
    WORD2VEC_DEFAULTS,
    WORD2VEC_MODELS,
    SequenceData,
    SequenceDefaults,
    Word2VecDefaults,
)
from numnet.training import Callback, EarlyStopping, Trainer, TrainingError, TrainingInterrupted
from numnet.word2vec import CBOW, SkipGram

#: Share of the training set held out for validation unless --validation-split says otherwise.
VALIDATION_FRACTION = 0.1
#: Longer runs print about 20 epoch lines instead of one per epoch.
MAX_EPOCH_LINES = 100
#: The options that choose the architecture, and those that set up training, by their Namespace names.
ARCHITECTURE_OPTIONS = ("model", "hidden", "activation", "init", "dropout", "batch_norm", "wordvec", "reverse")
TRAINING_OPTIONS = ("batch_size", "seed", "validation_split", "validate_on", "early_stopping", "train_split")
#: The options of the layer-stack presets, and those of the sequence datasets only.
PRESET_OPTIONS = ("activation", "init", "dropout", "batch_norm")
SEQUENCE_OPTIONS = ("wordvec", "reverse", "train_split")


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
        "refuses options that conflict with them.\n\n" + _sequence_table(),
    )
    parser.add_argument(
        "--dataset",
        choices=[*DATASETS, *SEQUENCE_DEFAULTS],
        help="the data to train on (default: mnist-mini, bundled)",
    )
    add_data_dir(parser)
    parser.add_argument(
        "--model",
        choices=[*presets.PRESETS, *SEQUENCE_MODELS, *WORD2VEC_MODELS],
        help="the architecture (default: by dataset)",
    )
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
    sequences = parser.add_argument_group("sequence datasets (addition, dates, ptb)")
    sequences.add_argument("--wordvec", type=positive_int, metavar="D", help="embedding size (default: by dataset)")
    sequences.add_argument(
        "--reverse",
        action=argparse.BooleanOptionalAction,
        help="read the questions backwards (default: yes for addition and dates)",
    )
    sequences.add_argument(
        "--train-split",
        choices=["train", "valid"],
        help="ptb: the split to train on; 'valid' where ptb.train.txt is not at hand (default: train)",
    )
    sequences.add_argument(
        "--window",
        type=positive_int,
        metavar="W",
        help=f"ptb with cbow or skipgram: context words on each side (default: {WORD2VEC_DEFAULTS.window_size})",
    )
    return parser


def _models_table() -> str:
    width = max(len(name) for name in presets.PRESETS)
    lines = ["models:"]
    lines += [f"  {name:<{width}}  {preset.description}" for name, preset in presets.PRESETS.items()]
    return "\n".join(lines)


def _sequence_table() -> str:
    lines = ["sequence datasets, the book's settings (model, word vectors, hidden, epochs, batch, optimizer, clip):"]
    for name, d in SEQUENCE_DEFAULTS.items():
        reverse = ", reversed questions" if d.reverse else f", time size {d.time_size}"
        lines.append(
            f"  {name:<9} {d.model}, {d.wordvec_size}, {d.hidden_size}, {d.epochs} epochs, batch {d.batch_size}, "
            f"{d.optimizer} lr {d.lr:g}, clip {d.clip_norm:g}{reverse}"
        )
    d2 = WORD2VEC_DEFAULTS
    lines.append(
        f"  ptb       cbow (word vectors), {d2.hidden_size}, window {d2.window_size}, {d2.epochs} epochs, "
        f"batch {d2.batch_size}, {d2.optimizer} lr {d2.lr:g}, negative sampling"
    )
    lines.append("  models: seq2seq, peeky, attention (addition, dates); rnnlm, cbow, skipgram (ptb); --hidden: one")
    lines.append(
        "  10% of the questions are held out for validation (ptb: the last tenth of each stream of the text);\n"
        "  --validate-on test tracks the test set instead, as the book does"
    )
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
    _check_applies(args, dataset)
    defaults = SEQUENCE_DEFAULTS[dataset] if dataset in SEQUENCE_DEFAULTS else presets.training_defaults(dataset)

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
    sequence = dataset in SEQUENCE_DEFAULTS
    other = PRESET_OPTIONS if sequence else SEQUENCE_OPTIONS  # options the dataset's models do not have
    architecture = [name for name in ARCHITECTURE_OPTIONS if name not in other]
    settings = {
        "epochs": args.epochs or saved_settings.get("epochs") or defaults.epochs,
        "batch_size": batch or None,
        "seed": setting("seed", 0),
        "validate_on": validate_on,
        "validation_split": split,
        "early_stopping": setting("early_stopping", None),
        **{name: setting(name, None) for name in architecture},
    }
    if sequence:
        reverse = checkpoint.model.metadata.get("reverse") if checkpoint is not None else None
        reverse = SEQUENCE_DEFAULTS[dataset].reverse if reverse is None else reverse
        settings["reverse"] = bool(setting("reverse", reverse))
        if dataset == "ptb":
            settings["train_split"] = setting("train_split", "train")
    if settings["model"] is None and checkpoint is not None:  # a checkpoint without its run.json
        settings["model"] = _PRESET_OF_CLASS.get(type(checkpoint.model).__name__)
    settings["model"] = settings["model"] or defaults.model
    data_dir = args.data_dir if args.data_dir is not None else saved.data_dir if saved is not None else None
    return _Plan(dataset, data_dir, settings["epochs"], settings, checkpoint, checkpoint_path, saved, given)


#: The preset that builds each model class, for checkpoints that do not say.
_PRESET_OF_CLASS = {
    "MLP": "mlp",
    "TwoLayerNet": "two-layer",
    "LogisticRegression": "logreg",
    "SimpleConvNet": "cnn",
    **{cls.__name__: name for name, cls in SEQUENCE_MODELS.items()},
}


def _check_applies(args: argparse.Namespace, dataset: str) -> None:
    """Refuse a model, or options, that the dataset's kind of model does not have (they would be ignored)."""
    if dataset in SEQUENCE_DEFAULTS:
        if args.model is not None and args.model not in SEQUENCE_MODELS:
            raise ValueError(f"--model {args.model} does not train on {dataset}: use {', '.join(SEQUENCE_MODELS)}")
        given = [_option(name) for name in PRESET_OPTIONS if getattr(args, name) is not None]
        if given:
            raise ValueError(f"{_named(given)} not apply to the sequence models of {dataset}: drop them")
        if args.hidden is not None and len(args.hidden) > 1:
            raise ValueError(f"the sequence models have one hidden size: give --hidden N, not {len(args.hidden)}")
        if args.batch_size == 0:
            raise ValueError("the sequence datasets train in mini-batches: give --batch-size N")
        if dataset == "ptb" and args.reverse is not None:
            raise ValueError("--reverse applies to the questions of addition and dates, not to ptb's text")
        if dataset != "ptb" and args.train_split is not None:
            raise ValueError(f"--train-split applies to ptb, not to {dataset}")
        return
    if args.model in SEQUENCE_MODELS:
        raise ValueError(f"--model {args.model} is for the sequence datasets {', '.join(SEQUENCE_DEFAULTS)}")
    given = [_option(name) for name in SEQUENCE_OPTIONS if getattr(args, name) is not None]
    if given:
        raise ValueError(f"{' and '.join(given)} apply to the sequence datasets {', '.join(SEQUENCE_DEFAULTS)} only")


def _named(options: list[str]) -> str:
    """E.g. ``"--dropout does"``, ``"--dropout and --init do"``: the options a sentence refuses, and its verb."""
    return f"{', '.join(options[:-1])} and {options[-1]} do" if len(options) > 1 else f"{options[0]} does"


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
    resumed = classifier(plan.checkpoint.model, plan.checkpoint_path or "the checkpoint")
    asked = any(name in plan.given for name in ARCHITECTURE_OPTIONS)
    _check_resume(args, plan, presets.build_model(s["model"], dataset, **architecture) if asked else None)
    presets.attach_dataset(resumed, dataset)
    return resumed, plan.checkpoint.optimizer


def _build_sequence_model(args: argparse.Namespace, plan: _Plan, data: SequenceData) -> tuple[Model, Optimizer]:
    """A new sequence model and its optimizer (the book's), or the checkpoint's after checking the options."""
    s = plan.settings
    hidden = s["hidden"][0] if s["hidden"] else None
    if plan.checkpoint is None:
        model = sequence_presets.build_sequence_model(s["model"], data, s["wordvec"], hidden, seed=s["seed"])
        return model, _optimizer(args, SEQUENCE_DEFAULTS[data.name])
    asked = any(name in plan.given for name in ("model", "hidden", "wordvec"))
    wanted = sequence_presets.build_sequence_model(s["model"], data, s["wordvec"], hidden) if asked else None
    _check_resume(args, plan, wanted)
    return plan.checkpoint.model, plan.checkpoint.optimizer


def _check_resume(args: argparse.Namespace, plan: _Plan, wanted: Model | None) -> None:
    """Refuse options that conflict with the checkpoint resumed (``wanted``: the model the options ask for, if any),
    and a total number of epochs the checkpoint has already done."""
    checkpoint, saved, s = plan.checkpoint, plan.saved, plan.settings
    assert checkpoint is not None
    conflicts = []
    if wanted is not None and (
        type(wanted) is not type(checkpoint.model) or wanted.get_config() != checkpoint.model.get_config()
    ):
        named = " ".join(_shown(args, name) for name in ARCHITECTURE_OPTIONS if name in plan.given)
        conflicts.append(f"{named} (it holds {checkpoint.model!r})")
    reverse = checkpoint.model.metadata.get("reverse")
    if args.reverse is not None and reverse is not None and args.reverse != reverse:
        conflicts.append(f"{_shown(args, 'reverse')} (its questions are {'' if reverse else 'not '}reversed)")
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


def _shown(args: argparse.Namespace, name: str) -> str:
    """An option as given, e.g. ``--hidden 100 50``."""
    value = getattr(args, name)
    if isinstance(value, bool):
        return _option(name) if value else "--no-" + _option(name)[2:]
    shown = " ".join(map(str, value)) if isinstance(value, list) else value
    return f"{_option(name)} {shown}"


def _optimizer(
    args: argparse.Namespace, defaults: presets.TrainingDefaults | SequenceDefaults | Word2VecDefaults
) -> Optimizer:
    """``--optimizer`` with ``--lr`` (else the dataset's lr for its default optimizer, else the optimizer's own);
    the sequence datasets clip the gradients' norm as the book does."""
    name = args.optimizer or defaults.optimizer
    lr = args.lr if args.lr is not None else defaults.lr if name == defaults.optimizer else None
    clip = {"clip_norm": defaults.clip_norm} if isinstance(defaults, SequenceDefaults) else {}
    return get_optimizer(name, **({} if lr is None else {"lr": lr}), weight_decay=args.weight_decay or 0.0, **clip)


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


def _check_folder(path: Path, args: argparse.Namespace, plan: _Plan, model: Model) -> bool:
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


@dataclass
class _Fit:
    """A run's data as Trainer.fit takes it, what the console says of it, and how the run is judged at the end."""

    x: np.ndarray
    t: np.ndarray
    x_test: np.ndarray
    t_test: np.ndarray
    samples: dict[str, int]  # samples (or sequences) by split, as the console and run.json report them
    noun: str  # what the samples are: "samples", "sequences"
    described: str  # e.g. "addition (... sequences, questions reversed)"
    fit_index: np.ndarray  # the rows of x that are trained on (the rest, with a split, validate)
    validation_split: float | None = None  # drawn by Trainer.fit
    validation_data: tuple[np.ndarray, np.ndarray] | None = None
    shuffle: bool = True
    chance: float | None = None  # the accuracy of always guessing the most common class
    test_corpus: np.ndarray | None = None  # a language model's test text, for its perplexity


def run(args: argparse.Namespace) -> int:
    say = printer(args.quiet)
    _check_combinations(args)
    if args.model in WORD2VEC_MODELS:
        if args.dataset != "ptb":
            raise ValueError(f"--model {args.model} trains word vectors on --dataset ptb, not on {args.dataset}")
        return _run_word2vec(args, say)
    if args.window is not None:
        raise ValueError("--window is for word vectors: --dataset ptb --model cbow|skipgram")
    plan = _plan(args)
    if plan.dataset in SEQUENCE_DEFAULTS:
        data = sequence_presets.load_sequence_data(
            plan.dataset,
            plan.data_dir,
            plan.settings["reverse"],
            plan.batch,
            train_split=plan.settings.get("train_split", "train"),
            verbose=not args.quiet,
        )
        model, optimizer = _build_sequence_model(args, plan, data)
        fit = _sequence_fit(plan, data)
    else:
        dataset = load_data(plan.dataset, plan.data_dir, verbose=not args.quiet)
        model, optimizer = _build(args, plan, dataset)
        fit = _classifier_fit(plan, model, dataset)
    run_dir, placeholder = _run_dir(args, plan, plan.settings["model"])
    try:
        replace = _check_folder(run_dir, args, plan, model)
        return _train(args, plan, model, optimizer, fit, run_dir, replace, say)
    finally:
        if placeholder and run_dir.is_dir() and not any(run_dir.iterdir()):
            run_dir.rmdir()  # a failed run leaves no empty folder behind


def _classifier_fit(plan: _Plan, model: Sequential, dataset: Dataset) -> _Fit:
    """A catalogued dataset as the model takes it, with the split Trainer.fit(validation_split=...) will draw."""
    x_train, x_test = presets.model_inputs(model, dataset)
    t_train = dataset.t_train
    split = plan.settings["validation_split"]
    fit_index = np.arange(len(x_train))
    samples = {"training": len(x_train), "test": len(x_test)}
    if split:  # the same split Trainer.fit(validation_split=...) draws: reported here, drawn there
        fit_index, val_index = train_validation_split(len(x_train), split, plan.settings["seed"], labels=t_train)
        samples = {"training": len(fit_index), "validation": len(val_index), "test": len(x_test)}
    sizes = " / ".join(f"{n:,} {name}" for name, n in samples.items())
    return _Fit(
        x_train,
        t_train,
        x_test,
        dataset.t_test,
        samples,
        "samples",
        f"{dataset.name} ({sizes} samples)",
        fit_index,
        validation_split=split or None,
        validation_data=(x_test, dataset.t_test) if plan.validate_on == "test" else None,
        shuffle=plan.batch is not None,
        chance=float(np.bincount(t_train).max() / len(t_train)) if t_train.ndim == 1 else None,
    )


def _sequence_fit(plan: _Plan, data: SequenceData) -> _Fit:
    """A sequence dataset with its validation: a random 10% of the questions, or for a language model (stateful:
    its batches are read in order) the last tenth of each stream of the training text."""
    split = plan.settings["validation_split"]
    fit_index = np.arange(len(data.x_train))
    validation_data = (data.x_test, data.t_test) if plan.validate_on == "test" else None
    if split and data.is_language_model:
        batch = plan.batch or 1
        iterations = len(data.x_train) // batch
        held = max(1, round(split * iterations))
        if held >= iterations:
            raise ValueError(
                f"the {data.name} training text has {iterations} batches of {batch} chunks, too few to hold out "
                f"{split:g} of them for validation: use a smaller --batch-size, or --validation-split 0"
            )
        fit_index = np.arange((iterations - held) * batch)
        validation_data = (data.x_train[len(fit_index) :], data.t_train[len(fit_index) :])
    elif split:
        fit_index, _ = train_validation_split(len(data.x_train), split, plan.settings["seed"])
    samples = {"training": len(fit_index), "test": len(data.x_test)}
    if split:
        samples = {"training": len(fit_index), "validation": len(data.x_train) - len(fit_index), **samples}
    noun = "chunks" if data.is_language_model else "sequences"
    sizes = " / ".join(f"{n:,} {name}" for name, n in samples.items())
    return _Fit(
        data.x_train[fit_index] if data.is_language_model else data.x_train,
        data.t_train[fit_index] if data.is_language_model else data.t_train,
        data.x_test,
        data.t_test,
        samples,
        noun,
        f"{data.name} ({sizes} {noun}{', questions reversed' if data.reverse else ''})",
        np.arange(len(fit_index)) if data.is_language_model else fit_index,
        validation_split=None if data.is_language_model else split or None,
        validation_data=validation_data,
        shuffle=not data.is_language_model,
        test_corpus=data.test_corpus,
    )


def _train(
    args: argparse.Namespace,
    plan: _Plan,
    model: Model,
    optimizer: Optimizer,
    fit: _Fit,
    run_dir: Path,
    replace: bool,
    say: Any,
) -> int:
    settings, epochs, batch = plan.settings, plan.epochs, plan.batch
    label = "test" if plan.validate_on == "test" else "validation"
    callbacks: list[Callback] = []
    if settings["early_stopping"] is not None:
        callbacks.append(EarlyStopping("val_loss", patience=settings["early_stopping"], restore_best=True))
    iterations = math.ceil(len(fit.fit_index) / (batch or len(fit.fit_index)))
    callbacks.append(_Console(epochs, iterations, args.quiet, label))

    decay = f", weight decay {optimizer.weight_decay:g}" if optimizer.weight_decay else ""
    clip = f", clip {optimizer.clip_norm:g}" if optimizer.clip_norm else ""
    say(
        f"training {describe_model(model)} on {fit.described}\n"
        f"  {optimizer.name} lr {optimizer.lr:g}{decay}{clip}, batch {batch or 'full'}, {count(epochs, 'epoch')}, "
        f"seed {settings['seed']}"
    )
    if plan.validate_on == "test":
        say("  tracking the test set every epoch (test_loss, ...): it is not a validation set")
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
            fit.x,
            fit.t,
            epochs=epochs,
            batch_size=batch,
            shuffle=fit.shuffle,
            validation_split=fit.validation_split,
            validation_data=fit.validation_data,
            seed=settings["seed"],
            verbose=0,
            callbacks=callbacks,
            resume_from=plan.checkpoint_path,
        )
    except TrainingInterrupted:
        runs.write_interrupted(
            run_dir,
            trainer,
            dataset=plan.dataset,
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

    results = _results(trainer, callbacks, fit, seconds)
    warnings = runs.training_warnings(history, fit.chance)
    results["samples"] = fit.samples
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
            dataset=plan.dataset,
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
    say(f"{_measured(results, plan.validate_on)}  ({seconds:.1f} s)\nsaved {run_dir}{sep}: {', '.join(written.files)}")
    for warning in warnings:
        print(f"{PROG}: warning: {warning}; try --lr {optimizer.lr / 10:g}", file=sys.stderr)
    return 0


def _measured(results: dict[str, Any], validate_on: str | None) -> str:
    """The final line's numbers, e.g. ``train accuracy 0.9600  validation accuracy 0.9500  test accuracy 0.9400``."""
    validated = ["val_accuracy", "val_exact_match", "val_perplexity"] if validate_on == "split" else []
    shown = ["train_accuracy", *validated, "test_accuracy", "test_exact_match", "test_perplexity"]
    words = {"val": "validation"}
    return "  ".join(
        f"{' '.join(words.get(w, w) for w in key.split('_'))} {results[key]:.4f}" for key in shown if key in results
    )


def _run_word2vec(args: argparse.Namespace, say: Any) -> int:
    """``numnet train --dataset ptb --model cbow|skipgram``: chapter 4's word vectors (see _sequence_table).

    They have no validation (the book judges them by their nearest words) and no resuming: those options are
    refused. The run folder is checked before training and written whole, like any other.
    """
    lacking = ("hidden", "reverse", "resume", "early_stopping", "validation_split", "validate_on", *PRESET_OPTIONS)
    refused = [_option(name) for name in lacking if getattr(args, name) is not None]
    if refused:
        raise ValueError(f"{_named(refused)} not apply to word vectors (the vector size is --wordvec)")
    if args.batch_size == 0:
        raise ValueError("word vectors train in mini-batches: give --batch-size N")
    if args.out:  # before the data is read (or downloaded); the space the model needs once it is built
        _check_word2vec_folder(Path(args.out), args.force, 0)
    data = sequence_presets.load_word2vec_data(
        args.data_dir, args.window, args.train_split or "train", verbose=not args.quiet
    )
    model = sequence_presets.build_word2vec_model(args.model, data, args.wordvec, seed=args.seed)
    run_dir = Path(args.out) if args.out else runs.new_run_dir("ptb", args.model)
    try:
        _check_word2vec_folder(run_dir, args.force, runs.required_bytes(model))
        return _train_word2vec(args, say, run_dir, data, model)
    finally:
        if not args.out and run_dir.is_dir() and not any(run_dir.iterdir()):
            run_dir.rmdir()  # a failed run leaves no empty folder behind


def _check_word2vec_folder(run_dir: Path, force: bool, required: int) -> None:
    try:
        runs.check_run_dir(run_dir, replace=force, required=required)
    except runs.RunFolderError as error:
        raise runs.RunFolderError(f"{error}: {_FOLDER_FIXES[error.kind].format(path=run_dir)}", error.kind) from None


def _train_word2vec(
    args: argparse.Namespace, say: Any, run_dir: Path, data: sequence_presets.Word2VecData, model: CBOW | SkipGram
) -> int:
    defaults = WORD2VEC_DEFAULTS
    optimizer = _optimizer(args, defaults)
    epochs, batch, seed = args.epochs or defaults.epochs, args.batch_size or defaults.batch_size, args.seed or 0
    baseline = sequence_presets.unigram_baseline(model)
    say(
        f"training {describe_model(model)} on ptb.{data.split}.txt ({len(data.corpus):,} words, "
        f"{len(data.words):,} in the vocabulary, window {data.window_size}: {len(data.target):,} samples)\n"
        f"  {optimizer.name} lr {optimizer.lr:g}, batch {batch}, {count(epochs, 'epoch')}, seed {seed}; "
        f"unigram baseline loss {baseline:.4f}; no validation"
    )
    started = time.perf_counter()
    x, t = data.xy(args.model)
    try:
        history = Trainer(model, optimizer).fit(
            x, t, epochs=epochs, batch_size=batch, seed=seed, verbose=0 if args.quiet else 1
        )
    except TrainingInterrupted:
        print(f"{PROG}: interrupted; word vectors are not resumed, and {run_dir} is as it was", file=sys.stderr)
        return EXIT_INTERRUPTED
    seconds = time.perf_counter() - started
    neighbours = sequence_presets.nearest_words(model)
    results: dict[str, Any] = {
        "epochs": history.epochs,
        "train_loss": history.train_loss[-1],
        "unigram_baseline": baseline,
        "nearest_words": neighbours,
        "seconds": round(seconds, 3),
        "warnings": runs.training_warnings(history),
    }
    settings = {"epochs": epochs, "batch_size": batch, "seed": seed, "window": data.window_size, "model": args.model}
    try:
        written = runs.write_run(
            run_dir,
            model,
            history,
            dataset="ptb",
            optimizer=optimizer,
            settings=settings,
            results=results,
            command=shlex.join([PROG, *args.argv]),
            data_dir=args.data_dir,
            replace=True,  # checked before training: new, empty, or --force
        )
    except OSError as error:
        rescued = runs.rescue_model(model)
        raise OSError(
            f"could not write the run folder {run_dir} ({error}); the trained model is saved in {rescued}"
        ) from None
    lines = [f"  {query}: {', '.join(words)}" for query, words in neighbours.items()]
    say(
        f"train loss {results['train_loss']:.4f} (unigram baseline {baseline:.4f})  ({seconds:.1f} s)\n"
        "nearest words:\n" + "\n".join(lines) + f"\nsaved {run_dir}{sep}: {', '.join(written.files)}"
    )
    for warning in results["warnings"]:
        print(f"{PROG}: warning: {warning}; try --lr {optimizer.lr / 10:g}", file=sys.stderr)
    return 0


def _results(trainer: Trainer, callbacks: Sequence[Callback], fit: _Fit, seconds: float) -> dict[str, Any]:
    """What run.json records of the run: accuracies (or a sequence model's exact match or perplexity, measured as
    the book does), the best epoch and its values, time."""
    model, history = trainer.model, trainer.history
    results: dict[str, Any] = {"epochs": history.epochs}
    if isinstance(model, RNNLM):
        assert fit.test_corpus is not None
        results["test_perplexity"] = model.perplexity(fit.test_corpus, batch_size=10, time_size=35)
    elif isinstance(model, Seq2seq):
        results["test_exact_match"] = model.exact_match(fit.x_test, fit.t_test)
    else:
        model = classifier(model, "the model")
        results["train_accuracy"] = model.accuracy(fit.x[fit.fit_index], fit.t[fit.fit_index])
        results["test_accuracy"] = model.accuracy(fit.x_test, fit.t_test)
    results["seconds"] = round(seconds, 3)
    val_loss = history.values.get("val_loss")
    if val_loss:
        stopping = next((c for c in callbacks if isinstance(c, EarlyStopping)), None)
        best = stopping.best_epoch if stopping is not None else int(np.argmin(val_loss))
        results["best_epoch"] = best + 1
        results["best_val_loss"] = val_loss[best]
        for logged, name in (("acc", "accuracy"), ("exact_match", "exact_match"), ("perplexity", "perplexity")):
            values = history.values.get(f"val_{logged}")
            if values:
                results[f"best_val_{name}"] = values[best]
                results[f"val_{name}"] = values[best] if stopping is not None else values[-1]
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
