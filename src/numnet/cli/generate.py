"""``numnet generate RUN``: a sequence model writes: answers to questions, or text from a language model."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from numnet import io, runs
from numnet.cli.common import add_command, add_data_dir, non_negative_float, non_negative_int, positive_int
from numnet.sequence_models import RNNLM, Seq2seq
from numnet.sequence_presets import answer_questions, decode, load_sequence_data

#: The book's generate_text never writes these PTB tokens.
SKIPPED_WORDS = ("N", "<unk>", "$")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = add_command(
        subparsers,
        "generate",
        help="answer questions with a sequence model, or write text with a language model",
        description="A Seq2seq model (addition, dates) answers --question texts, or without them the first "
        "--count test questions, marked right or wrong. An RNNLM (ptb) continues --start with --length "
        "words sampled at --temperature, never writing N, <unk> or $.",
    )
    parser.add_argument("run", metavar="RUN", help="a run folder or a model file (model.npz)")
    parser.add_argument("--question", action="append", metavar="TEXT", help="a question (repeatable)")
    parser.add_argument("--count", type=positive_int, default=10, help="test questions to answer (default: 10)")
    add_data_dir(parser)
    parser.add_argument("--start", default="you", metavar="WORDS", help="words to start from (default: you)")
    parser.add_argument("--length", type=positive_int, default=100, help="words to write (default: 100)")
    parser.add_argument("--temperature", type=non_negative_float, default=1.0, help="0: most probable (default: 1)")
    parser.add_argument("--seed", type=non_negative_int, default=0, help="seeds the sampling (default: 0)")
    return parser


def model_path(run: str) -> Path:
    """A run folder's model file, or the file given."""
    path = Path(run)
    return path / runs.MODEL_FILE if path.is_dir() else path


def run(args: argparse.Namespace) -> int:
    path = model_path(args.run)
    model = io.load(path)
    if isinstance(model, RNNLM):
        print(_text(model, args))
    elif isinstance(model, Seq2seq):
        for line in _answers(model, path, args):
            print(line)
    else:
        raise ValueError(f"{path} holds a {type(model).__name__}; generate takes a Seq2seq model or an RNNLM")
    return 0


def _text(model: RNNLM, args: argparse.Namespace) -> str:
    symbols = model.metadata.get("symbols") or []
    index = {word: i for i, word in enumerate(symbols)}
    unknown = [word for word in args.start.split() if word not in index]
    if not args.start.split() or unknown:
        raise ValueError(f"--start must be words the model knows; unknown: {unknown or [args.start]}")
    skip = [index[word] for word in SKIPPED_WORDS if word in index]
    start = [index[word] for word in args.start.split()]
    words = model.generate(start, args.length, temperature=args.temperature, seed=args.seed, skip_ids=skip)
    text = " ".join([args.start, decode(model, words, separator=" ")])
    return text.replace(" <eos>", ".\n").replace("<eos>", ".\n")


def _answers(model: Seq2seq, path: Path, args: argparse.Namespace) -> list[str]:
    """One line per question: the question, the answer, and for test questions the correct one with a mark."""
    if args.question:
        _, answers = answer_questions(model, args.question)
        return [f"Q {question}  A {decode(model, answer).rstrip()}" for question, answer in zip(args.question, answers)]
    name = model.metadata.get("dataset")
    if not isinstance(name, str):
        raise ValueError(f"{path} does not record its dataset: give --question")
    run_record = runs.find_run(path)
    data_dir = args.data_dir if args.data_dir is not None else run_record.data_dir if run_record else None
    data = load_sequence_data(name, data_dir, reverse=bool(model.metadata.get("reverse")), verbose=False)
    x, t = data.x_test[: args.count], data.t_test[: args.count]
    answers = model.generate(x, t[:, 0], t.shape[1] - 1)
    lines = []
    for question, correct, answer in zip(x, t, answers):
        shown = question[::-1] if data.reverse else question
        mark = "right" if np.array_equal(answer, correct[1:]) else "wrong"
        lines.append(f"Q {decode(model, shown)}  T {decode(model, correct[1:])}  {mark}  {decode(model, answer)}")
    return lines
