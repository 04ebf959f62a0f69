"""RNNLM and the encoder-decoders: gradient checks, generation, saving, errors; truncated BPTT in the Trainer."""

from __future__ import annotations

import math

import numpy as np
import pytest

from numnet import io
from numnet.data import bptt_batches
from numnet.gradient import TOLERANCE, gradient_check
from numnet.layers import Dropout
from numnet.metrics import ExactMatch, exact_match, get_metric
from numnet.optimizers import Adam
from numnet.sequence_models import RNNLM, AttentionSeq2seq, PeekySeq2seq, Seq2seq
from numnet.training import Trainer

SEQ2SEQ = [Seq2seq, PeekySeq2seq, AttentionSeq2seq]


def randomized(model, seed: int | np.random.Generator, scale: float = 0.5):
    """Every parameter drawn from N(0, scale^2): well-scaled gradients, no symmetric start."""
    rng = np.random.default_rng(seed)
    for param in model.params:
        param[...] = scale * rng.standard_normal(param.shape)
    return model


def copy_task(n: int, seed: int, vocab: int = 6, length: int = 4):
    """Questions of random symbols 1..vocab-1; answers: start symbol 0, then the question reversed."""
    x = np.random.default_rng(seed).integers(1, vocab, (n, length))
    return x, np.concatenate([np.zeros((n, 1), dtype=x.dtype), x[:, ::-1]], axis=1)


# ------------------------------------------------------------ gradient checks
# The loss is a mean over positions, so its gradients are small and h = 1e-4 keeps the central
# differences out of rounding noise; the seeds give gradients without near-zero entries.


@pytest.mark.parametrize("model_cls, seed", [(Seq2seq, 0), (PeekySeq2seq, 6), (AttentionSeq2seq, 2)])
def test_encoder_decoder_gradients(model_cls, seed):
    rng = np.random.default_rng(seed + 50)
    model = randomized(model_cls(6, 3, 4, seed=seed, dtype=np.float64), rng)
    x, t = rng.integers(0, 6, (2, 3)), rng.integers(0, 6, (2, 3))
    errors = gradient_check(model, x, t, h=1e-4)
    assert max(errors.values()) < TOLERANCE, errors
    assert set(errors) == set(model.param_names) and len(errors) == 10


@pytest.mark.parametrize("num_layers, tie_weights, seed", [(1, False, 0), (2, True, 36)])
def test_language_model_gradients(num_layers, tie_weights, seed):
    model = RNNLM(6, 4, 4, num_layers=num_layers, tie_weights=tie_weights, stateful=False, seed=seed, dtype="float64")
    rng = np.random.default_rng(seed + 50)
    randomized(model, rng)
    x, t = rng.integers(0, 6, (2, 3)), rng.integers(0, 6, (2, 3))
    errors = gradient_check(model, x, t, h=1e-4)
    assert max(errors.values()) < TOLERANCE, errors


def test_language_model_layers_and_tying():
    model = RNNLM(50, 8, 8, num_layers=2, dropout=0.5, tie_weights=True, seed=0)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Embedding", "Dropout", "TimeLSTM", "Dropout", "TimeLSTM", "Dropout", "TimeAffine"]
    assert model.param_names == ["0.W", "2.Wx", "2.Wh", "2.b", "4.Wx", "4.Wh", "4.b", "6.b"]
    assert np.shares_memory(model.layers[-1].W, model.layers[0].W) and model.stateful
    assert all(layer.rng is model.rng for layer in model.layers if isinstance(layer, Dropout))
    with pytest.raises(ValueError, match="tie_weights needs wordvec_size == hidden_size"):
        RNNLM(50, 8, 9, tie_weights=True)
    with pytest.raises(ValueError, match=r"dropout must be a rate in \[0, 1\)"):
        RNNLM(50, 8, 8, dropout=1.0)


# ------------------------------------------------------------ encoder-decoders


def test_peeky_and_attention_differ_from_the_plain_decoder_only_in_the_decoder():
    shapes = {cls: [p.shape for p in cls(13, 16, 128, seed=0).params] for cls in SEQ2SEQ}
    plain, peeky, attention = shapes[Seq2seq], shapes[PeekySeq2seq], shapes[AttentionSeq2seq]
    assert plain[:5] == peeky[:5] == attention[:5]  # the encoder and the decoder's embedding
    assert plain[5] == (16, 512) and peeky[5] == (16 + 128, 512) and attention[5] == (16, 512)
    assert plain[8] == (128, 13) and peeky[8] == (256, 13) and attention[8] == (256, 13)


@pytest.mark.parametrize("model_cls", SEQ2SEQ)
def test_teacher_forced_exact_match_equals_greedy_generation(model_cls):
    """After a little training some answers are right and some wrong; both ways of counting agree."""
    x, t = copy_task(300, seed=1)
    model = model_cls(6, 8, 16, seed=0)
    trainer = Trainer(model, Adam(lr=0.01, clip_norm=5.0))
    trainer.fit(x, t, epochs=6, batch_size=32, seed=0, verbose=0)
    x_val, t_val = copy_task(200, seed=2)
    evaluated = trainer.evaluate(x_val, t_val)
    generated = model.exact_match(x_val, t_val)
    assert 0.05 < generated < 0.95, generated  # a test that could fail either way
    assert evaluated["exact_match"] == pytest.approx(generated, abs=1e-12)
    answers = model.generate(x_val, 0, 4)
    assert answers.shape == (200, 4) and answers.dtype == np.int64
    np.testing.assert_array_equal(answers, np.argmax(model.predict(x_val, 0, 4, batch_size=64), axis=2))


def test_attention_map_of_generation():
    x, _ = copy_task(5, seed=3)
    model = AttentionSeq2seq(6, 4, 8, seed=0)
    model.generate(x, 0, 4)
    assert model.attention_weights.shape == (5, 4, 4)
    np.testing.assert_allclose(model.attention_weights.sum(axis=2), 1.0, rtol=1e-5)


@pytest.mark.parametrize("model_cls", [*SEQ2SEQ, RNNLM])
def test_saved_and_loaded_like_every_model(model_cls, tmp_path):
    model = randomized(model_cls(7, 4, 6, seed=0), 1, 0.3)
    model.metadata = {"dataset": "toy"}
    loaded = io.load(io.save(model, tmp_path / "model.npz"))
    assert type(loaded) is model_cls and loaded.get_config() == model.get_config()
    assert loaded.param_names == model.param_names and loaded.metadata == {"dataset": "toy"}
    x, t = copy_task(3, seed=4, vocab=7)
    if model_cls is RNNLM:
        np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
        assert loaded.generate([1, 2], 5, seed=0).tolist() == model.generate([1, 2], 5, seed=0).tolist()
    else:
        np.testing.assert_array_equal(loaded.generate(x, 0, 4), model.generate(x, 0, 4))
        assert loaded.loss(x, t) == model.loss(x, t)
    assert model.astype(np.float64).dtype == np.float64


def test_bad_encoder_decoder_data_is_refused_before_training():
    model = Seq2seq(6, 4, 8, seed=0)
    before = [p.copy() for p in model.params]
    trainer = Trainer(model, Adam())
    x, t = copy_task(10, seed=0)
    with pytest.raises(ValueError, match=r"x holds id 6 at index \(0, 0\); expected ids in \[0, 6\)"):
        trainer.fit(np.where(np.arange(4) == 0, 6, x), t, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"t holds id 9"):
        trainer.fit(x, np.where(t == 3, 9, t), epochs=1, verbose=0)
    with pytest.raises(TypeError, match="t must hold integer ids"):
        trainer.fit(x, t.astype(float), epochs=1, verbose=0)
    with pytest.raises(TypeError, match="x must hold integer ids"):
        trainer.fit(x.astype(float), t, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"t must have shape \(N, 1 \+ T_out\)"):
        trainer.fit(x, t[:, :1], epochs=1, verbose=0)
    with pytest.raises(ValueError, match="same number of samples"):
        trainer.fit(x, t[:5], epochs=1, verbose=0)
    with pytest.raises(ValueError, match="length must be a positive integer"):
        model.generate(x, 0, 0)
    assert all(np.array_equal(p, q) for p, q in zip(model.params, before))


# ------------------------------------------------------------ the language model


def test_generate_samples_reproducibly_skips_ids_and_keeps_the_state():
    model = randomized(RNNLM(9, 5, 5, seed=0), 0, 1.0)
    model.layers[1].set_state(np.ones((2, 5), np.float32), np.ones((2, 5), np.float32))
    first = model.generate([1, 2, 3], 40, seed=7)
    assert first.tolist() == model.generate([1, 2, 3], 40, seed=7).tolist()
    assert len(set(first.tolist())) > 3  # sampled, not a fixed point
    assert not set(model.generate([1], 200, seed=1, skip_ids=[0, 4]).tolist()) & {0, 4}
    np.testing.assert_array_equal(model.layers[1].h, np.ones((2, 5)))  # the training state is put back
    greedy = model.generate([1, 2, 3], 5, temperature=0)
    ids = [1, 2, 3]
    for _ in range(5):  # greedy decoding by hand: rerun the whole prefix, take the argmax of the last step
        model.reset_state()
        ids.append(int(np.argmax(model.predict(np.array([ids]))[0, -1])))
    assert greedy.tolist() == ids[3:]
    with pytest.raises(ValueError, match="start_ids holds id 9"):
        model.generate([9], 3)
    with pytest.raises(ValueError, match="temperature must be a number >= 0"):
        model.generate([1], 3, temperature=-1)
    with pytest.raises(ValueError, match="skip_ids leaves no id"):
        model.generate([1], 3, skip_ids=range(9))


def test_bptt_batches_read_the_corpus_as_the_books_trainer():
    corpus = np.arange(1000) % 97
    x, t = bptt_batches(corpus, batch_size=4, time_size=7)
    iterations, jump = 999 // 28, 999 // 4
    assert x.shape == t.shape == (iterations * 4, 7)
    xs, ts = corpus[:-1], corpus[1:]
    time_idx = 0
    for k in range(iterations):  # the book's RnnlmTrainer.get_batch
        book_x, book_t = np.empty((4, 7), int), np.empty((4, 7), int)
        for step in range(7):
            for i in range(4):
                book_x[i, step], book_t[i, step] = xs[(i * jump + time_idx) % 999], ts[(i * jump + time_idx) % 999]
            time_idx += 1
        np.testing.assert_array_equal(x[4 * k : 4 * k + 4], book_x)
        np.testing.assert_array_equal(t[4 * k : 4 * k + 4], book_t)
    with pytest.raises(ValueError, match="time_size=300 is too long for a corpus of 1000 ids"):
        bptt_batches(corpus, 4, 300)
    with pytest.raises(TypeError, match="integer ids"):
        bptt_batches(corpus.astype(float), 4, 7)


def test_truncated_bptt_training_carries_the_state_and_reports_perplexity():
    """A stateful model sees each stream's chunks in order: its loss equals that of the whole stream at once."""
    rng = np.random.default_rng(0)
    corpus = np.tile(rng.permutation(12), 40)  # a repeating sentence: learnable from the carried state
    x, t = bptt_batches(corpus, batch_size=4, time_size=5)
    model = RNNLM(12, 8, 16, seed=0)
    trainer = Trainer(model, Adam(lr=0.02, clip_norm=5.0))
    history = trainer.fit(x, t, epochs=12, batch_size=4, shuffle=False, validation_data=(x, t), verbose=0)
    assert history.train_perplexity[-1] < history.train_perplexity[0] / 3
    assert history.val_perplexity[-1] == pytest.approx(math.exp(history.val_loss[-1]))
    # evaluation from a fresh state equals the model's own perplexity over the stream
    assert model.perplexity(corpus, batch_size=4, time_size=5) == pytest.approx(history.val_perplexity[-1], rel=1e-5)
    # carried state: chunk by chunk equals each whole stream at once (in float64, to compare closely)
    model64 = model.astype(np.float64)
    stateless = RNNLM(12, 8, 16, stateful=False, seed=0, dtype=np.float64)
    stateless.load_named_arrays(model.named_arrays())
    starts, length = np.arange(4) * ((len(corpus) - 1) // 4), len(x) // 4 * 5
    streams = np.stack([corpus[start : start + length] for start in starts])
    targets = np.stack([corpus[start + 1 : start + 1 + length] for start in starts])
    chunked = Trainer(model64, Adam()).evaluate(x, t, batch_size=4)["loss"]
    assert stateless.loss(streams, targets) == pytest.approx(chunked, rel=1e-10)


def test_stateful_training_needs_ordered_batches_of_one_size():
    x, t = bptt_batches(np.arange(200) % 10, batch_size=4, time_size=5)
    trainer = Trainer(RNNLM(10, 4, 4, seed=0), Adam())
    with pytest.raises(ValueError, match="shuffle=False"):
        trainer.fit(x, t, batch_size=4, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="validation_split would break"):
        trainer.fit(x, t, batch_size=4, shuffle=False, validation_split=0.2, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="x holds 36 rows, not a multiple of batch_size=5"):
        trainer.fit(x, t, batch_size=5, shuffle=False, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="validation_data holds 6 rows"):
        trainer.fit(x, t, batch_size=4, shuffle=False, validation_data=(x[:6], t[:6]), epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"x holds id 10 at index \(3, 1\)"):  # every id checked, not just a sample
        bad = x.copy()
        bad[3, 1] = 10
        trainer.fit(bad, t, batch_size=4, shuffle=False, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"t must be integer labels of shape \(36, 5\).*got shape \(36, 4\)"):
        trainer.fit(x, t[:, :4], batch_size=4, shuffle=False, epochs=1, verbose=0)
    with pytest.raises(TypeError, match="x must hold integer ids"):
        trainer.fit(x.astype(np.float32), t, batch_size=4, shuffle=False, epochs=1, verbose=0)
    model = trainer.model
    model.forward(x[:4], t[:4])
    assert model.layers[1].h.shape == (4, 4)
    model.check_data(x[:1], t[:1])  # checking data leaves the carried state alone
    assert model.layers[1].h.shape == (4, 4)
    with pytest.raises(ValueError, match="holds the state of 4 sequences, but x has 2; call reset_state"):
        model.forward(x[:2], t[:2])


# ------------------------------------------------------------ exact match


def test_exact_match_metric():
    t = np.array([[1, 2, 3], [1, 2, 3], [4, 4, -1], [-1, -1, -1]])
    y = np.array([[1, 2, 3], [1, 0, 3], [4, 4, 0], [0, 0, 0]])
    assert exact_match(t[:2], y[:2]) == 0.5
    assert exact_match(t, y, ignore_index=-1) == pytest.approx(2 / 3)  # the all-ignored sample does not count
    scores = np.eye(5)[np.maximum(y, 0)]
    assert exact_match(t[:3], scores[:3], ignore_index=-1) == pytest.approx(2 / 3)
    metric = get_metric("exact_match", ignore_index=-1)
    assert isinstance(metric, ExactMatch)
    metric.update(t[:2], y[:2])
    metric.update(t[2:], y[2:])
    assert metric.result() == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="do not fit"):
        exact_match(t, y[:, :2])
