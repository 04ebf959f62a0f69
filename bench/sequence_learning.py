"""The book's sequence experiments with numnet, with their accuracies, perplexities and epoch times.

    python bench/sequence_learning.py addition [--model seq2seq|peeky] [--reverse] [--epochs 25]
    python bench/sequence_learning.py dates [--epochs 10]
    python bench/sequence_learning.py ptb [--epochs 40]

- ``addition`` (chapter 7): word vectors 16, hidden 128, batch 128, Adam
  (lr 0.001), gradient clipping 5.0; exact-match accuracy on the 5,000 held
  out problems after every epoch (the book: plain 9.98%, reversed 54.06%,
  reversed + peeky 98.14% after 25 epochs).
- ``dates`` (chapter 8): AttentionSeq2seq, word vectors 16, hidden 256, batch
  128, reversed input, 10 epochs.
- ``ptb`` (chapter 6's Rnnlm on the splits these machines have): trained on
  ``ptb.valid.txt`` and evaluated on ``ptb.test.txt`` (the 7,596 words of
  the two files, numbered in order of appearance), word vectors 100,
  hidden 100, batch 20, time 35, SGD lr 20 and clipping 0.25 as the book.

Data from ``$NUMNET_DATA_DIR``. One JSON line per epoch goes to stdout and
the whole record to ``--out``. Set ``OPENBLAS_NUM_THREADS=1`` on a busy
machine (see bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

from numnet import io
from numnet.callbacks import Callback
from numnet.data import bptt_batches
from numnet.optimizers import SGD, Adam
from numnet.sequence_models import RNNLM
from numnet.sequence_presets import SEQUENCE_MODELS, build_sequence_model, load_sequence_data
from numnet.training import Trainer


class Report(Callback):
    """Prints every epoch's logs as a JSON line; stops once ``stop_at`` of ``metric`` is reached (if given)."""

    def __init__(self, metric: str, stop_at: float | None) -> None:
        self.metric, self.stop_at = metric, stop_at

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        seconds = trainer.history.epoch_time[-1]
        print(json.dumps({"epoch": epoch + 1, **logs, "seconds": round(seconds, 2)}), flush=True)
        if self.stop_at is not None and logs[self.metric] >= self.stop_at:
            trainer.stop_training = True


def read_ptb(data_dir: Path) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """ptb.valid.txt and ptb.test.txt as the book reads them (words of each line, then <eos>), one numbering."""
    word_to_id: dict[str, int] = {}
    corpora = []
    for name in ("ptb.valid.txt", "ptb.test.txt"):
        words = (data_dir / "ptb" / name).read_text().replace("\n", " <eos> ").split()
        corpora.append(np.array([word_to_id.setdefault(word, len(word_to_id)) for word in words], dtype=np.int64))
    return corpora[0], corpora[1], list(word_to_id)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("task", choices=["addition", "dates", "ptb"])
    parser.add_argument("--model", choices=sorted(set(SEQUENCE_MODELS) - {"rnnlm"}), default=None)
    parser.add_argument("--reverse", action="store_true")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--stop-at", type=float, default=None, help="stop once the validation metric reaches it")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="write the record (JSON) here")
    parser.add_argument("--save", type=Path, default=None, help="save the trained model here (numnet.io)")
    args = parser.parse_args(argv)
    data_dir = Path(os.environ.get("NUMNET_DATA_DIR", "."))

    started = time.perf_counter()
    if args.task == "ptb":
        train, test, words = read_ptb(data_dir)
        vocab_size = len(words)
        model = RNNLM(vocab_size, 100, 100, seed=args.seed)
        model.metadata = {"dataset": "ptb", "symbols": words, "reverse": False}
        x, t = bptt_batches(train, batch_size=20, time_size=35)
        x_test, t_test = bptt_batches(test, batch_size=20, time_size=35)
        trainer = Trainer(model, SGD(lr=20.0, clip_norm=0.25), metrics=["perplexity"])
        epochs = args.epochs or 40
        history = trainer.fit(
            x, t, epochs=epochs, batch_size=20, shuffle=False, validation_data=(x_test, t_test),
            verbose=0, callbacks=[Report("val_perplexity", None)],
        )  # fmt: skip
        result = {"test_perplexity": model.perplexity(test, batch_size=10, time_size=35), "vocab_size": vocab_size}
    else:
        name = args.model or ("peeky" if args.task == "addition" else "attention")
        data = load_sequence_data(args.task, data_dir, reverse=args.reverse or args.task == "dates")
        reverse = data.reverse
        x, t, x_test, t_test = data.x_train, data.t_train, data.x_test, data.t_test
        model = build_sequence_model(name, data, seed=args.seed)  # the book's sizes: 16, 128 (256 for dates)
        trainer = Trainer(model, Adam(lr=0.001, clip_norm=5.0))
        epochs = args.epochs or (25 if args.task == "addition" else 10)
        history = trainer.fit(
            x, t, epochs=epochs, batch_size=128, validation_data=(x_test, t_test), seed=args.seed,
            verbose=0, callbacks=[Report("val_exact_match", args.stop_at)],
        )  # fmt: skip
        result = {"model": name, "reverse": reverse, "final_exact_match": history.val_exact_match[-1]}
    record = {
        "task": args.task,
        "epochs": history.epochs,
        "history": history.to_dict(),
        **result,
        "total_seconds": time.perf_counter() - started,
        "machine": {"python": sys.version.split()[0], "numpy": np.__version__, "platform": platform.platform()},
        "threads": {var: os.environ.get(var) for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")},
        "load_average": os.getloadavg(),
    }
    print(json.dumps({key: value for key, value in record.items() if key != "history"}), flush=True)
    if args.save is not None:
        io.save(model, args.save)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(record, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
