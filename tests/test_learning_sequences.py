"""Learning on the book's sequence data: addition with reversed input and the peeky decoder, attention on
dates, an LSTM language model on PTB; quick smoke runs of the same pipelines.

The data comes from $NUMNET_DATA_DIR (``dlfs2/``, ``ptb/``, the ``data_dir`` fixture); the tests skip when
it is unset. The full
runs take minutes each and are marked long, left out unless asked for (``pytest -m long -s`` prints
their epoch times). Settings are the
book's: word vectors 16, hidden 128 (256 for dates), batch 128, Adam 0.001, gradient clipping 5.0.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from numnet.callbacks import Callback
from numnet.data import bptt_batches, load_addition, load_dates
from numnet.optimizers import SGD, Adam
from numnet.sequence_models import RNNLM, AttentionSeq2seq, PeekySeq2seq, Seq2seq
from numnet.training import Trainer


class StopAt(Callback):
    """Stop once a logged value reaches ``goal`` (the tests ask "within N epochs")."""

    def __init__(self, monitor: str, goal: float) -> None:
        self.monitor, self.goal = monitor, goal

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        print(f"epoch {epoch + 1}: {self.monitor} {logs[self.monitor]:.4f} ({trainer.history.epoch_time[-1]:.1f} s)")
        if logs[self.monitor] >= self.goal:
            trainer.stop_training = True


def read_ptb(directory: Path) -> tuple[np.ndarray, np.ndarray, int]:
    """ptb.valid.txt and ptb.test.txt read as the book reads PTB (each line's words, then <eos>), one numbering."""
    word_to_id: dict[str, int] = {}
    corpora = []
    for name in ("ptb.valid.txt", "ptb.test.txt"):
        words = (directory / "ptb" / name).read_text().replace("\n", " <eos> ").split()
        corpora.append(np.array([word_to_id.setdefault(word, len(word_to_id)) for word in words], dtype=np.int64))
    return corpora[0], corpora[1], len(word_to_id)


# ------------------------------------------------------------ smoke runs (seconds)


@pytest.mark.parametrize("model_cls, load", [(PeekySeq2seq, load_addition), (AttentionSeq2seq, load_dates)])
def test_seq2seq_pipeline_smoke(model_cls, load, data_dir):
    """Loader, model, trainer and exact match end to end: one short epoch lowers the held-out loss."""
    (x, t), (x_test, t_test), vocab = load(data_dir, reverse=True)
    model = model_cls(len(vocab), 16, 32, seed=0)
    trainer = Trainer(model, Adam(lr=0.01, clip_norm=5.0))
    before = trainer.evaluate(x_test[:500], t_test[:500])
    history = trainer.fit(x[:3000], t[:3000], epochs=1, batch_size=128, validation_data=(x_test[:500], t_test[:500]))
    assert history.val_loss[-1] < 0.8 * before["loss"], (before, history)
    assert 0.0 <= model.exact_match(x_test[:500], t_test[:500]) == history.val_exact_match[-1]


def test_language_model_pipeline_smoke(data_dir):
    train, test, vocab_size = read_ptb(data_dir)
    assert (len(train), len(test)) == (73760, 82430)  # the shared data README's counts
    assert vocab_size == 7596  # of the 10,000 words, those that occur in these two splits
    model = RNNLM(vocab_size, 32, 32, seed=0)
    x, t = bptt_batches(train[:12001], batch_size=20, time_size=20)
    trainer = Trainer(model, SGD(lr=20.0, clip_norm=0.25), metrics=())  # perplexity: exp of the loss here
    history = trainer.fit(x, t, epochs=1, batch_size=20, shuffle=False)
    assert np.exp(history.train_loss[0]) < 2500  # from about 7,600, the vocabulary size, at the start
    assert model.perplexity(test[:4001], batch_size=10, time_size=35) < 2500


# ------------------------------------------------------------ the book's experiments (minutes)


@pytest.mark.slow
@pytest.mark.long
def test_addition_reversed_with_peeky_decoder_reaches_97_percent_within_25_epochs(data_dir):
    (x, t), (x_test, t_test), vocab = load_addition(data_dir, reverse=True)
    model = PeekySeq2seq(len(vocab), 16, 128, seed=0)
    trainer = Trainer(model, Adam(lr=0.001, clip_norm=5.0))
    history = trainer.fit(
        x, t, epochs=25, batch_size=128, validation_data=(x_test, t_test), seed=0, verbose=0,
        callbacks=[StopAt("val_exact_match", 0.97)],
    )  # fmt: skip
    print(f"epoch times (s): {[round(s, 1) for s in history.epoch_time]}")
    assert history.val_exact_match[-1] >= 0.97, history.val_exact_match
    assert model.exact_match(x_test, t_test) == history.val_exact_match[-1]  # greedy generation, as the book counts


@pytest.mark.slow
@pytest.mark.long
def test_addition_tricks_beat_the_plain_model(data_dir):
    """Ten epochs each: reversing the input helps the plain model, the peeky decoder helps more (the book's order)."""
    results = {}
    for name, model_cls, reverse in [
        ("plain", Seq2seq, False),
        ("reversed", Seq2seq, True),
        ("peeky", PeekySeq2seq, True),
    ]:
        (x, t), (x_test, t_test), vocab = load_addition(data_dir, reverse=reverse)
        model = model_cls(len(vocab), 16, 128, seed=0)
        trainer = Trainer(model, Adam(lr=0.001, clip_norm=5.0), metrics=["exact_match"])
        history = trainer.fit(x, t, epochs=10, batch_size=128, validation_data=(x_test, t_test), seed=0, verbose=0)
        results[name] = history.val_exact_match[-1]
    print(results)
    assert results["plain"] < results["reversed"] < results["peeky"], results


@pytest.mark.slow
@pytest.mark.long
def test_attention_on_dates_reaches_99_percent_within_10_epochs(data_dir):
    (x, t), (x_test, t_test), vocab = load_dates(data_dir, reverse=True)
    model = AttentionSeq2seq(len(vocab), 16, 256, seed=0)
    trainer = Trainer(model, Adam(lr=0.001, clip_norm=5.0))
    history = trainer.fit(
        x, t, epochs=10, batch_size=128, validation_data=(x_test, t_test), seed=0, verbose=0,
        callbacks=[StopAt("val_exact_match", 0.99)],
    )  # fmt: skip
    print(f"epoch times (s): {[round(s, 1) for s in history.epoch_time]}")
    assert history.val_exact_match[-1] >= 0.99, history.val_exact_match
    # the book's figure 8-26: writing the year's last two digits, the decoder attends to those digits
    answers = model.generate(x_test[:200], vocab.start_id, 10)
    hits = [x_test[i, np.argmax(model.attention_weights[i, k])] == answers[i, k] for i in range(200) for k in (2, 3)]
    assert np.mean(hits) > 0.8, np.mean(hits)


@pytest.mark.slow
@pytest.mark.long
def test_language_model_on_ptb_test_perplexity(data_dir):
    """Chapter 6's Rnnlm trained on ptb.valid.txt: its test perplexity falls far below the vocabulary size."""
    train, test, vocab_size = read_ptb(data_dir)
    model = RNNLM(vocab_size, 100, 100, seed=0)
    x, t = bptt_batches(train, batch_size=20, time_size=35)
    trainer = Trainer(model, SGD(lr=20.0, clip_norm=0.25))
    history = trainer.fit(x, t, epochs=5, batch_size=20, shuffle=False, verbose=0)
    perplexity = model.perplexity(test, batch_size=10, time_size=35)
    print(f"train perplexity {history.train_perplexity}, test perplexity {perplexity:.1f}")
    assert perplexity < 450, perplexity  # about 300: 5 epochs are best, then it overfits the 73,760 words
