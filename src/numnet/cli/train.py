"""``numnet train``: train a preset model on a catalogued dataset and write a run folder."""

from __future__ import annotations

import argparse
import math
import shlex
import sys
import time
from collections.abc import Sequence
from os import sep
from pathlib import Path
from typing import Any

from numnet import io, presets, runs, sequence_presets
from numnet.cli.common import (
    EXIT_INTERRUPTED,
    PROG,
    add_command,
    add_data_dir,
    batch_size,
    classifier,
    count,
    describe_model,
    non_negative_float,
    non_negative_int,
    positive_float,
    positive_int,
    printer,
)
from numnet.data.batching import train_validation_split
from numnet.data.catalogue import DATASETS, load_dataset
from numnet.initializers import INITIALIZER_NAMES
from numnet.models import ACTIVATIONS, Model
from numnet.optimizers import OPTIMIZERS, Optimizer, get_optimizer
from numnet.sequence_presets import SEQUENCE_DEFAULTS, SEQUENCE_MODELS, WORD2VEC_DEFAULTS, WORD2VEC_MODELS, SequenceData
from numnet.training import Callback, EarlyStopping, Trainer, TrainingInterrupted

#: Share of the training set held out for validation by ``--early-stopping``.
VALIDATION_FRACTION = 0.1
#: Longer runs print about 20 epoch lines instead of one per epoch.
MAX_EPOCH_LINES = 100


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
        "--early-stopping holds out 10% of the training set (drawn with --seed, stratified by class) for\n"
        "validation, stops when the validation loss has not improved for PATIENCE epochs and keeps the\n"
        "best weights.\n"
        "spiral (300 points, 3 classes) and planar (400 points, 2 classes) are generated with seed 0\n"
        "and split 80/20 into training and test sets, the same every time.\n"
        "catvnoncat images are flattened (HWC order) and divided by 255; logreg is then one sigmoid\n"
        "unit, mlp and two-layer use a 2-class softmax.\n"
        "The model file records the dataset and its class names, so predict names the classes.\n"
        "Ctrl-C saves checkpoint.npz in the run folder and prints the command that resumes training;\n"
        "with --resume the model and the optimizer come from the checkpoint (their options are ignored).\n\n"
        + _sequence_table(),
    )
    parser.add_argument(
        "--dataset",
        choices=[*DATASETS, *SEQUENCE_DEFAULTS],
        default="mnist-mini",
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
        nargs="*",
        metavar="WIDTH",
        help="hidden layer widths, e.g. --hidden 100 50 (default: by dataset)",
    )
    parser.add_argument("--activation", choices=list(ACTIVATIONS), help="hidden activation (default: by dataset)")
    parser.add_argument(
        "--init",
        choices=list(INITIALIZER_NAMES),
        help="weight initialization (default: he for relu, xavier otherwise; zeros for logreg)",
    )
    parser.add_argument("--optimizer", choices=list(OPTIMIZERS), help="(default: adam)")
    parser.add_argument("--lr", type=positive_float, help="learning rate (default: see below)")
    parser.add_argument(
        "--weight-decay",
        type=non_negative_float,
        default=0.0,
        metavar="LAMBDA",
        help="L2 penalty on the weights (default: 0)",
    )
    parser.add_argument(
        "--batch-size",
        type=batch_size,
        metavar="N",
        help="samples per step; 0 or 'full' for full-batch gradient descent (default: by dataset)",
    )
    parser.add_argument("--epochs", type=positive_int, help="passes over the training set (default: by dataset)")
    parser.add_argument(
        "--early-stopping",
        type=non_negative_int,
        metavar="PATIENCE",
        help="stop when the validation loss has not improved for PATIENCE epochs",
    )
    parser.add_argument(
        "--seed",
        type=non_negative_int,
        default=0,
        help="seeds the weights, the shuffling and the validation split (default: 0)",
    )
    parser.add_argument("--out", metavar="DIR", help="the run folder (default: runs/<time>-<dataset>-<model>)")
    parser.add_argument(
        "--resume", metavar="CHECKPOINT", help="continue from a checkpoint.npz; the model and optimizer come from it"
    )
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
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
        default="train",
        help="ptb: the split to train on; 'valid' where ptb.train.txt is not at hand (default: train)",
    )
    sequences.add_argument(
        "--window",
        type=positive_int,
        metavar="W",
        help=f"ptb with cbow or skipgram: context words on each side (default: {WORD2VEC_DEFAULTS.window_size})",
    )
    return parser


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
    lines.append("  models: seq2seq, peeky, attention (addition, dates); rnnlm, cbow, skipgram (ptb)")
    return "\n".join(lines)


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


def run(args: argparse.Namespace) -> int:
    if args.model in WORD2VEC_MODELS:
        if args.dataset != "ptb":
            raise ValueError(f"--model {args.model} trains word vectors on --dataset ptb, not on {args.dataset}")
        return _run_word2vec(args)
    if args.window is not None:
        raise ValueError("--window is for word vectors: --dataset ptb --model cbow|skipgram")
    if args.dataset in SEQUENCE_DEFAULTS:
        return _run_sequences(args)
    if args.model in SEQUENCE_MODELS:
        raise ValueError(f"--model {args.model} is for the sequence datasets {', '.join(SEQUENCE_DEFAULTS)}")
    say = printer(args.quiet)
    defaults = presets.training_defaults(args.dataset)
    epochs = args.epochs or defaults.epochs
    batch = defaults.batch_size if args.batch_size is None else args.batch_size or None
    dataset = load_dataset(args.dataset, args.data_dir, verbose=not args.quiet)

    if args.resume:
        checkpoint = io.load_checkpoint(args.resume)
        model, optimizer = classifier(checkpoint.model, args.resume), checkpoint.optimizer
        model_name = type(model).__name__
        presets.attach_dataset(model, dataset)
    else:
        model_name = args.model or defaults.model
        model = presets.build_model(
            model_name, dataset, hidden=args.hidden, activation=args.activation, init=args.init, seed=args.seed
        )
        optimizer = _optimizer(args, defaults)
    x_train, x_test = presets.model_inputs(model, dataset)
    t_train, validation = dataset.t_train, None
    callbacks: list[Callback] = []
    if args.early_stopping is not None:
        train_index, val_index = train_validation_split(len(x_train), VALIDATION_FRACTION, args.seed, labels=t_train)
        validation = (x_train[val_index], t_train[val_index])
        x_train, t_train = x_train[train_index], t_train[train_index]
        callbacks.append(EarlyStopping("val_loss", patience=args.early_stopping, restore_best=True))
    verbose = 0 if args.quiet or epochs > MAX_EPOCH_LINES else 1
    if not args.quiet and epochs > MAX_EPOCH_LINES:
        callbacks.append(_SparseEpochLog(epochs))

    decay = f", weight decay {optimizer.weight_decay:g}" if optimizer.weight_decay else ""
    say(
        f"training {describe_model(model)} on {dataset.name} "
        f"({len(x_train):,} training / {len(x_test):,} test samples)\n"
        f"  {optimizer.name} lr {optimizer.lr:g}{decay}, batch {batch or 'full'}, {count(epochs, 'epoch')}, "
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
            batch_size=batch,
            shuffle=batch is not None,
            validation_data=validation,
            seed=args.seed,
            verbose=verbose,
            callbacks=callbacks,
            resume_from=args.resume,
        )
    except TrainingInterrupted:
        checkpoint_path = _run_dir(args, dataset.name, model_name) / runs.CHECKPOINT_FILE
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
    written = runs.write_run(
        run_dir,
        model,
        history,
        dataset=dataset.name,
        optimizer=optimizer,
        settings={"epochs": epochs, "batch_size": batch, "seed": args.seed, "early_stopping": args.early_stopping},
        results=results,
        command=shlex.join([PROG, *args.argv]),
        data_dir=args.data_dir,
        resumed_from=args.resume,
        initial_filters=None if args.resume else initial_filters,
    )
    if runs.CURVES_FILE not in written.files:
        say(f"note: matplotlib is not installed, so no {runs.CURVES_FILE} (pip install 'numnet[plot]')")
    say(
        f"train accuracy {results['train_accuracy']:.4f}  test accuracy {results['test_accuracy']:.4f}  "
        f"({seconds:.1f} s)\n"
        f"saved {run_dir}{sep}: {', '.join(written.files)}"
    )
    return 0


def _run_sequences(args: argparse.Namespace) -> int:
    """``numnet train --dataset addition|dates|ptb``: the book's sequence experiments (see _sequence_table)."""
    say = printer(args.quiet)
    defaults = SEQUENCE_DEFAULTS[args.dataset]
    if args.model is not None and args.model not in SEQUENCE_MODELS:
        raise ValueError(f"--model {args.model} does not train on {args.dataset}: use {', '.join(SEQUENCE_MODELS)}")
    if args.batch_size == 0:
        raise ValueError("the sequence datasets train in mini-batches: give --batch-size N")
    checkpoint = io.load_checkpoint(args.resume) if args.resume else None
    reverse = args.reverse if checkpoint is None else bool(checkpoint.model.metadata.get("reverse"))
    batch = args.batch_size or defaults.batch_size
    data = sequence_presets.load_sequence_data(
        args.dataset, args.data_dir, reverse, batch, train_split=args.train_split, verbose=not args.quiet
    )
    if checkpoint is not None:
        model: Model = checkpoint.model
        optimizer = checkpoint.optimizer
    else:
        hidden = args.hidden[0] if args.hidden else None
        model = sequence_presets.build_sequence_model(
            args.model or defaults.model, data, args.wordvec, hidden, seed=args.seed
        )
        name = args.optimizer or defaults.optimizer
        lr = args.lr if args.lr is not None else defaults.lr if name == defaults.optimizer else None
        optimizer = get_optimizer(
            name, **({} if lr is None else {"lr": lr}), weight_decay=args.weight_decay, clip_norm=defaults.clip_norm
        )
    model_name = type(model).__name__
    epochs = args.epochs or defaults.epochs
    say(
        f"training {describe_model(model)} on {data.name} ({len(data.x_train):,} training / "
        f"{len(data.x_test):,} test sequences{', questions reversed' if data.reverse else ''})\n"
        f"  {optimizer.name} lr {optimizer.lr:g}, clip {optimizer.clip_norm}, batch {batch}, "
        f"{count(epochs, 'epoch')}, seed {args.seed}"
    )
    trainer = Trainer(model, optimizer)
    started = time.perf_counter()
    try:
        history = trainer.fit(
            data.x_train,
            data.t_train,
            epochs=epochs,
            batch_size=batch,
            shuffle=not data.is_language_model,
            validation_data=(data.x_test, data.t_test),
            seed=args.seed,
            verbose=0 if args.quiet else 1,
            resume_from=args.resume,
        )
    except TrainingInterrupted:
        checkpoint_path = _run_dir(args, data.name, model_name) / runs.CHECKPOINT_FILE
        trainer.save_checkpoint(checkpoint_path)
        print(
            f"{PROG}: interrupted; saved {checkpoint_path}\nresume with: {_resume_command(args.argv, checkpoint_path)}",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    seconds = time.perf_counter() - started
    results = _sequence_results(model, data, history.epochs, seconds)
    run_dir = _run_dir(args, data.name, model_name)
    written = runs.write_run(
        run_dir,
        model,
        history,
        dataset=data.name,
        optimizer=optimizer,
        settings={"epochs": epochs, "batch_size": batch, "seed": args.seed, "reverse": data.reverse},
        results=results,
        command=shlex.join([PROG, *args.argv]),
        data_dir=args.data_dir,
        resumed_from=args.resume,
    )
    measured = "  ".join(f"{key.replace('_', ' ')} {value:.4g}" for key, value in results.items() if key != "epochs")
    say(f"{measured}\nsaved {run_dir}{sep}: {', '.join(written.files)}")
    return 0


def _run_word2vec(args: argparse.Namespace) -> int:
    """``numnet train --dataset ptb --model cbow|skipgram``: chapter 4's word vectors (see _sequence_table)."""
    say = printer(args.quiet)
    refused = [
        option
        for option, given in (("--hidden", args.hidden), ("--reverse", args.reverse is not None),
                              ("--resume", args.resume), ("--early-stopping", args.early_stopping is not None))
        if given
    ]  # fmt: skip
    if refused:
        raise ValueError(f"{', '.join(refused)} does not apply to word vectors (the vector size is --wordvec)")
    if args.batch_size == 0:
        raise ValueError("word vectors train in mini-batches: give --batch-size N")
    defaults = WORD2VEC_DEFAULTS
    data = sequence_presets.load_word2vec_data(args.data_dir, args.window, args.train_split, verbose=not args.quiet)
    model = sequence_presets.build_word2vec_model(args.model, data, args.wordvec, seed=args.seed)
    name = args.optimizer or defaults.optimizer
    lr = args.lr if args.lr is not None else defaults.lr if name == defaults.optimizer else None
    optimizer = get_optimizer(name, **({} if lr is None else {"lr": lr}), weight_decay=args.weight_decay)
    epochs, batch = args.epochs or defaults.epochs, args.batch_size or defaults.batch_size
    baseline = sequence_presets.unigram_baseline(model)
    say(
        f"training {describe_model(model)} on ptb.{data.split}.txt ({len(data.corpus):,} words, "
        f"{len(data.words):,} in the vocabulary, window {data.window_size}: {len(data.target):,} samples)\n"
        f"  {optimizer.name} lr {optimizer.lr:g}, batch {batch}, {count(epochs, 'epoch')}, seed {args.seed}; "
        f"unigram baseline loss {baseline:.4f}"
    )
    started = time.perf_counter()
    x, t = data.xy(args.model)
    history = Trainer(model, optimizer).fit(
        x, t, epochs=epochs, batch_size=batch, seed=args.seed, verbose=0 if args.quiet else 1
    )
    seconds = time.perf_counter() - started
    neighbours = sequence_presets.nearest_words(model)
    results = {
        "epochs": history.epochs,
        "train_loss": history.train_loss[-1],
        "unigram_baseline": baseline,
        "nearest_words": neighbours,
        "seconds": round(seconds, 3),
    }
    run_dir = _run_dir(args, "ptb", type(model).__name__)
    written = runs.write_run(
        run_dir,
        model,
        history,
        dataset="ptb",
        optimizer=optimizer,
        settings={"epochs": epochs, "batch_size": batch, "seed": args.seed, "window": data.window_size},
        results=results,
        command=shlex.join([PROG, *args.argv]),
        data_dir=args.data_dir,
    )
    lines = [f"  {query}: {', '.join(words)}" for query, words in neighbours.items()]
    say(
        f"train loss {results['train_loss']:.4f} (unigram baseline {baseline:.4f})  ({seconds:.1f} s)\n"
        "nearest words:\n" + "\n".join(lines) + f"\nsaved {run_dir}{sep}: {', '.join(written.files)}"
    )
    return 0


def _sequence_results(model: Model, data: SequenceData, epochs: int, seconds: float) -> dict[str, Any]:
    """Test perplexity (the book's way: batch 10, time 35) for a language model, else test exact match."""
    if data.test_corpus is not None:
        assert isinstance(model, sequence_presets.RNNLM)
        measured = {"test_perplexity": model.perplexity(data.test_corpus, batch_size=10, time_size=35)}
    else:
        assert isinstance(model, sequence_presets.Seq2seq)
        measured = {"test_exact_match": model.exact_match(data.x_test, data.t_test)}
    return {"epochs": epochs, **measured, "seconds": round(seconds, 3)}


def _optimizer(args: argparse.Namespace, defaults: presets.TrainingDefaults) -> Optimizer:
    """``--optimizer`` with ``--lr`` (else the dataset's lr for its default optimizer, else the optimizer's own)."""
    name = args.optimizer or defaults.optimizer
    lr = args.lr if args.lr is not None else defaults.lr if name == defaults.optimizer else None
    return get_optimizer(name, **({} if lr is None else {"lr": lr}), weight_decay=args.weight_decay)


class _SparseEpochLog(Callback):
    """About 20 epoch lines (every k-th epoch and the last) for runs of many short epochs."""

    def __init__(self, epochs: int, lines: int = 20) -> None:
        self.epochs, self.every = epochs, math.ceil(epochs / lines)

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        done = epoch + 1
        if done % self.every == 0 or done == self.epochs or trainer.stop_training:
            metrics = "  ".join(f"{name} {value:.4f}" for name, value in logs.items())
            print(f"epoch {done}/{self.epochs}  {metrics}  ({sum(trainer.history.epoch_time):.1f}s in all)", flush=True)


def _run_dir(args: argparse.Namespace, dataset: str, model: str) -> Path:
    """``--out``, else the resumed checkpoint's folder, else a new ``runs/<time>-<dataset>-<model>``."""
    if args.out:
        path = Path(args.out)
        path.mkdir(parents=True, exist_ok=True)
        return path
    if args.resume:
        return Path(args.resume).parent
    return runs.new_run_dir(dataset, model)


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
