"""word2vec: Embedding, ContextMean/ContextRepeat, EmbeddingDot and NegativeSamplingLoss
(float64 gradient checks, PyTorch parity), the four models (gradient checks, saving),
and learning: a planted analogy, and PTB validation text against the unigram baseline.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from numnet import io
from numnet.gradient import TOLERANCE, check_layer, check_loss, gradient_check, numerical_gradients, relative_error
from numnet.layers import ContextMean, ContextRepeat, Embedding, EmbeddingDot, NegativeSamplingLoss, SigmoidWithLoss
from numnet.layers import embedding as embedding_module
from numnet.layers.embedding import add_rows
from numnet.optimizers import Adam
from numnet.text import UnigramSampler, Vocabulary, analogy, create_contexts_target
from numnet.training import Trainer
from numnet.word2vec import CBOW, SimpleCBOW, SimpleSkipGram, SkipGram, negative_sampling_baseline, word_counts

COUNTS = [9, 7, 5, 4, 3, 2, 2, 1]  # a small vocabulary's word counts


class FixedSampler:
    """Stands in for a UnigramSampler: the same negatives at every call (for numerical gradients)."""

    def __init__(self, negatives: np.ndarray) -> None:
        self.negatives = negatives

    def get_negative_sample(self, target, rng=None):
        assert self.negatives.shape[:-1] == np.shape(target)
        return self.negatives


def fixed_negatives(loss: NegativeSamplingLoss, targets: np.ndarray, seed: int = 0) -> np.ndarray:
    """Draw one set of negatives for ``targets`` and make ``loss`` use it from now on."""
    negatives = UnigramSampler.from_counts(COUNTS, sample_size=loss.sampler.sample_size, seed=seed).get_negative_sample(
        targets
    )
    loss.sampler = FixedSampler(negatives)
    return negatives


def model_gradient_errors(model, x, t) -> dict[str, float]:
    """``gradient_check`` for a float64 model used as it is (its sampler may have been replaced)."""
    x = model.prepare_input(x)
    model.forward(x, t)
    model.backward()
    analytic = {name: grad.copy() for name, grad in zip(model.param_names, model.grads)}
    numeric = numerical_gradients(lambda: model.forward(x, t), dict(zip(model.param_names, model.params)), 1e-5)
    return {name: relative_error(analytic[name], numeric[name]) for name in analytic}


# ------------------------------------------------------------------ Embedding


def test_embedding_gradient_with_repeated_ids():
    layer = Embedding(6, 4, init=1.0, rng=0, dtype="float64")
    ids = np.array([[0, 3, 3], [5, 0, 3]])  # 3 three times, 0 twice
    errors = check_layer(layer, ids)
    assert set(errors) == {"W"} and errors["W"] < TOLERANCE
    assert not layer.dW[[1, 2, 4]].any()  # rows of ids absent from the batch get no gradient


def test_embedding_backward_equals_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    layer = Embedding(50, 8, init=1.0, rng=1, dtype="float64")
    ids = rng.integers(0, 50, size=(32, 6))  # many duplicates
    dout = rng.standard_normal((32, 6, 8))
    out = layer.forward(ids)
    layer.backward(dout)
    reference = torch.nn.Embedding(50, 8, dtype=torch.float64)
    with torch.no_grad():
        reference.weight.copy_(torch.from_numpy(layer.W))
    torch_out = reference(torch.from_numpy(ids))
    torch_out.backward(torch.from_numpy(dout))
    np.testing.assert_array_equal(out, torch_out.detach().numpy())
    np.testing.assert_allclose(layer.dW, reference.weight.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("n_ids, rows", [(900, 20), (5, 20), (3000, 20)], ids=["many-ids", "few-ids", "chunked"])
def test_add_rows_equals_a_loop(n_ids, rows, monkeypatch):
    monkeypatch.setattr(embedding_module, "_BINCOUNT_CELLS", 4 * n_ids)  # bincount in chunks of 4 columns
    rng = np.random.default_rng(n_ids)
    ids = rng.integers(0, rows, size=(n_ids // 3, 3)) if n_ids > 5 else np.array([3, 1, 3, 3, 0])
    values = rng.standard_normal((*ids.shape, 10))
    out = np.ones((rows, 10))
    expected = out.copy()
    for i, row in zip(ids.reshape(-1), values.reshape(-1, 10)):
        expected[i] += row
    add_rows(out, ids, values)
    np.testing.assert_allclose(out, expected, rtol=1e-12)


@pytest.mark.parametrize(
    "x, error, message",
    [
        (np.array([[1, 7]]), ValueError, r"x holds id 7 at index \(0, 1\); expected ids in \[0, 6\)"),
        (np.array([[1, -2]]), ValueError, "x holds id -2"),
        (np.array([[1.0, 2.0]]), TypeError, "x must be an array of integer ids, got dtype float64"),
    ],
)
def test_embedding_names_bad_ids(x, error, message):
    with pytest.raises(error, match=message):
        Embedding(6, 4).forward(x)


# ------------------------------------------------------------------ context layers


def test_context_mean_and_repeat_gradients():
    rng = np.random.default_rng(2)
    assert all(e < TOLERANCE for e in check_layer(ContextMean(), rng.standard_normal((3, 4, 5))).values())
    assert all(e < TOLERANCE for e in check_layer(ContextRepeat(3), rng.standard_normal((2, 5))).values())
    np.testing.assert_allclose(ContextMean().forward(np.arange(12.0).reshape(1, 3, 4)), [[4, 5, 6, 7]])
    repeated = ContextRepeat(2).forward(np.array([[1.0, 2.0]]))
    np.testing.assert_array_equal(repeated, [[[1, 2], [1, 2]]])
    with pytest.raises(ValueError, match=r"x must have shape \(N, C, D\)"):
        ContextMean().forward(np.ones((2, 3)))


# ------------------------------------------------------------------ EmbeddingDot


def test_embedding_dot_gradients_with_repeated_ids():
    rng = np.random.default_rng(3)
    dot = EmbeddingDot(rng.standard_normal((6, 4)))
    h = rng.standard_normal((3, 4))
    ids = np.array([[1, 1, 4], [0, 1, 5], [4, 4, 4]])
    weights = rng.standard_normal(ids.shape)

    def objective() -> float:
        return float(np.sum(dot.forward(h, ids) * weights))

    out = dot.forward(h, ids)
    np.testing.assert_allclose(out, np.einsum("nkd,nd->nk", dot.W[ids], h), rtol=1e-12)
    dh = dot.backward(weights.copy())
    analytic = {"h": dh, "W": dot.dW.copy()}
    numeric = numerical_gradients(objective, {"h": h, "W": dot.W}, 1e-5)
    for name in ("h", "W"):
        assert relative_error(analytic[name], numeric[name]) < TOLERANCE, name


# ------------------------------------------------------------------ NegativeSamplingLoss


@pytest.mark.parametrize("target_shape", [(4,), (4, 3)], ids=["cbow-targets", "skipgram-contexts"])
def test_negative_sampling_loss_gradients_with_fixed_negatives(target_shape):
    rng = np.random.default_rng(4)
    loss = NegativeSamplingLoss(COUNTS, 5, sample_size=3, init=0.5, rng=0, dtype="float64")
    h = rng.standard_normal((4, 5))
    t = rng.integers(0, 8, size=target_shape)
    fixed_negatives(loss, t)
    assert check_loss(loss, h, t) < TOLERANCE
    weights = np.array([1.0, 0.0, 2.0, 0.5])
    assert check_loss(loss, h, t, sample_weight=weights) < TOLERANCE
    loss.forward(h, t)
    loss.backward()
    analytic = loss.grads[0].copy()
    numeric = numerical_gradients(lambda: loss.forward(h, t), {"W": loss.W}, 1e-5)["W"]
    assert relative_error(analytic, numeric) < TOLERANCE


def test_negative_sampling_loss_is_the_books_sum_of_binary_cross_entropies():
    rng = np.random.default_rng(5)
    loss = NegativeSamplingLoss(COUNTS, 5, sample_size=2, init=0.5, rng=1, dtype="float64")
    h, t = rng.standard_normal((6, 5)), rng.integers(0, 8, size=6)
    negatives = fixed_negatives(loss, t)
    # the book: a SigmoidWithLoss (a batch mean) for the true words, one for each column of negatives, summed
    expected = SigmoidWithLoss().forward(np.einsum("nd,nd->n", loss.W[t], h), np.ones(6))
    for j in range(2):
        expected += SigmoidWithLoss().forward(np.einsum("nd,nd->n", loss.W[negatives[:, j]], h), np.zeros(6))
    assert loss.forward(h, t) == pytest.approx(expected, rel=1e-12)


def test_negative_sampling_loss_equals_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    loss = NegativeSamplingLoss(COUNTS, 5, sample_size=4, init=0.5, rng=2, dtype="float64")
    h, t = rng.standard_normal((10, 5)), rng.integers(0, 8, size=(10, 2))
    negatives = fixed_negatives(loss, t)
    value = loss.forward(h, t)
    dh = loss.backward()
    h_torch = torch.tensor(h, requires_grad=True)
    W_torch = torch.tensor(loss.W, requires_grad=True)
    out = torch.nn.functional.embedding(torch.from_numpy(t), W_torch)  # (10, 2, 5)
    positive = (out * h_torch[:, None, :]).sum(-1)
    negative = (torch.nn.functional.embedding(torch.from_numpy(negatives), W_torch) * h_torch[:, None, None, :]).sum(-1)
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    true_words = bce(positive, torch.ones_like(positive))
    reference = true_words + bce(negative, torch.zeros_like(negative), reduction="none").sum(-1).mean()
    reference.backward()
    assert value == pytest.approx(reference.item(), rel=1e-12)
    np.testing.assert_allclose(dh, h_torch.grad.numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(loss.grads[0], W_torch.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_negative_sampling_loss_names_bad_input():
    loss = NegativeSamplingLoss(COUNTS, 5)
    h = np.zeros((2, 5))
    with pytest.raises(ValueError, match=r"t holds id 8 at index 1; expected ids in \[0, 8\)"):
        loss.forward(h, np.array([0, 8]))
    with pytest.raises(TypeError, match="t must be an array of integer ids, got dtype float64"):
        loss.forward(h, np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"scores must be hidden vectors \(N, 5\), got shape \(2, 4\)"):
        loss.forward(np.zeros((2, 4)), np.array([0, 1]))
    with pytest.raises(ValueError, match=r"t must be word ids \(N,\) or \(N, C\) with N = 2"):
        loss.forward(h, np.array([0, 1, 2]))
    with pytest.raises(RuntimeError, match="backward\\(\\) called before forward\\(\\)"):
        NegativeSamplingLoss(COUNTS, 5).backward()
    with pytest.raises(ValueError, match="at least two distinct words"):
        NegativeSamplingLoss([0, 5, 0], 5)


# ------------------------------------------------------------------ the models


def toy_data(window_size=1):
    corpus = np.array([0, 1, 2, 3, 4, 1, 5, 6, 0, 2, 7, 3])
    contexts, target = create_contexts_target(corpus, window_size)
    return corpus, contexts, target


@pytest.mark.parametrize("model_class", [SimpleCBOW, SimpleSkipGram])
def test_simple_models_gradients(model_class):
    _, contexts, target = toy_data(2)
    model = model_class(8, 4, window_size=2, init=0.5, seed=0)
    x, t = (contexts[:3], target[:3]) if model_class is SimpleCBOW else (target[:3], contexts[:3])
    errors = gradient_check(model, x, t)
    assert max(errors.values()) < TOLERANCE, errors


@pytest.mark.parametrize("model_class", [CBOW, SkipGram])
def test_negative_sampling_models_gradients(model_class):
    corpus, contexts, target = toy_data(2)
    model = model_class(8, 4, window_size=2, corpus=corpus, sample_size=3, init=0.5, seed=0, dtype="float64")
    x, t = (contexts[:3], target[:3]) if model_class is CBOW else (target[:3], contexts[:3])
    fixed_negatives(model.loss_fn, t)
    errors = model_gradient_errors(model, x, t)
    assert set(errors) == {"0.W", "loss.W"}
    assert max(errors.values()) < TOLERANCE, errors


@pytest.mark.parametrize("model_class", [CBOW, SkipGram])
def test_negatives_come_from_the_models_generator(model_class):
    corpus, contexts, target = toy_data()
    x, t = (contexts, target) if model_class is CBOW else (target, contexts)

    def losses(seed):
        model = model_class(8, 4, corpus=corpus, seed=seed)
        assert model.loss_fn.rng is model.rng
        return Trainer(model, Adam()).fit(x, t, epochs=3, batch_size=4, verbose=0).loss

    assert losses(7) == losses(7)
    assert losses(7) != losses(8)


@pytest.mark.parametrize("model_class", [SimpleCBOW, SimpleSkipGram, CBOW, SkipGram])
def test_models_save_and_load_with_their_word_vectors(model_class, tmp_path):
    corpus, contexts, target = toy_data()
    extra = {"corpus": corpus} if model_class in (CBOW, SkipGram) else {}
    model = model_class(8, 4, seed=3, **extra)
    x, t = (contexts, target) if model_class in (SimpleCBOW, CBOW) else (target, contexts)
    Trainer(model, Adam()).fit(x, t, epochs=2, batch_size=4, verbose=0)
    model.metadata = {"dataset": "toy", "words": [str(i) for i in range(8)]}
    loaded = io.load(io.save(model, tmp_path / "w2v.npz"))
    assert type(loaded) is model_class and loaded.get_config() == model.get_config()
    np.testing.assert_array_equal(loaded.word_vecs, model.word_vecs)
    assert loaded.word_vecs is loaded.layers[0].W
    for name, array in model.named_arrays().items():
        np.testing.assert_array_equal(loaded.named_arrays()[name], array)
    assert loaded.metadata == model.metadata
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


def test_models_check_their_data_before_training():
    corpus, contexts, target = toy_data()
    model = CBOW(8, 4, window_size=1, corpus=corpus)
    trainer = Trainer(model, Adam())
    before = model.word_vecs.copy()
    with pytest.raises(ValueError, match=r"x must be integer ids of shape \(N, 2,\), got shape \(10, 3\)"):
        trainer.train_step(np.zeros((10, 3), dtype=int), target)
    with pytest.raises(TypeError, match="x must hold integer ids for this model, got dtype float64"):
        trainer.train_step(contexts.astype(float), target)
    with pytest.raises(ValueError, match=r"t holds id 9 at index 2"):
        trainer.train_step(contexts[:3], np.array([1, 2, 9]))
    np.testing.assert_array_equal(model.word_vecs, before)
    with pytest.raises(ValueError, match="exactly one of them"):
        CBOW(8, 4)
    with pytest.raises(ValueError, match=r"counts must hold one count per word, shape \(9,\)"):
        SkipGram(9, 4, counts=COUNTS)
    with pytest.raises(ValueError, match=r"corpus holds id 8 at index 0; expected ids in \[0, 8\)"):
        CBOW(8, 4, corpus=[8, 1])


def test_word_counts_and_the_unigram_baseline():
    np.testing.assert_array_equal(word_counts([0, 2, 2, 1, 2], 4), [1, 1, 3, 0])
    # one true word and one negative, two equally frequent words: the negative is always the other
    # word, so a context-free model cannot tell them apart: its best loss is 2 log 2
    assert negative_sampling_baseline([5, 5], sample_size=1) == pytest.approx(2 * np.log(2), rel=1e-12)
    assert negative_sampling_baseline(COUNTS, sample_size=5) < negative_sampling_baseline(COUNTS, sample_size=6)


# ------------------------------------------------------------------ learning


def planted_corpus(n_sentences: int = 3000, seed: int = 0) -> list[str]:
    """Sentences whose only structure is gender (he/she words) and rank (crown/farm words).

    king = male + royal, queen = female + royal, man = male + common, woman =
    female + common; every entity is seen only with its own two kinds of words,
    among filler words, so ``man : king = woman : ?`` has one answer: queen.
    """
    rng = np.random.default_rng(seed)
    gender = {"male": ["he", "his", "him"], "female": ["she", "her", "hers"]}
    rank = {"royal": ["crown", "throne", "palace"], "common": ["farm", "field", "market"]}
    entities = {"king": ("male", "royal"), "queen": ("female", "royal"), "man": ("male", "common"),
                "woman": ("female", "common")}  # fmt: skip
    fillers = ["the", "a", "and", "of", "to", "in"]
    names = list(entities)
    tokens: list[str] = []
    for _ in range(n_sentences):
        entity = names[rng.integers(len(names))]
        sex, standing = entities[entity]
        words = [gender[sex][rng.integers(3)], entity, rank[standing][rng.integers(3)]]
        tokens += (words if rng.random() < 0.5 else words[::-1]) + [fillers[rng.integers(len(fillers))], "."]
    return tokens


@pytest.mark.parametrize("model_class", [CBOW, SkipGram])
def test_word2vec_learns_the_planted_analogy(model_class):
    tokens = planted_corpus()
    vocab = Vocabulary.from_tokens(tokens, unk=None)
    corpus = vocab.encode(tokens)
    contexts, target = create_contexts_target(corpus, window_size=1)
    x, t = (contexts, target) if model_class is CBOW else (target, contexts)
    model = model_class(len(vocab), 10, window_size=1, corpus=corpus, sample_size=3, seed=0)
    history = Trainer(model, Adam(lr=0.01)).fit(x, t, epochs=3, batch_size=50, verbose=0)
    assert history.train_loss[-1] < history.train_loss[0]
    ranked = analogy("man", "king", "woman", vocab.word_to_id, vocab.words, model.word_vecs, top=3)
    assert ranked[0][0] == "queen" and ranked[0][1] > 0.9, ranked
    assert ranked[0][1] - ranked[1][1] > 0.2, ranked  # by a clear margin
    assert analogy("woman", "queen", "man", vocab.word_to_id, vocab.words, model.word_vecs)[0][0] == "king"


def ptb_valid() -> tuple[np.ndarray, dict[str, int]]:
    from numnet.data import load_ptb

    if not os.environ.get("NUMNET_DATA_DIR"):
        pytest.skip("NUMNET_DATA_DIR is unset: the shared Penn Treebank files are not available")
    corpus, word_to_id, _ = load_ptb("valid", Path(os.environ["NUMNET_DATA_DIR"]), download=False)
    return corpus, word_to_id


@pytest.mark.slow
def test_cbow_on_ptb_validation_text_beats_the_unigram_baseline():
    corpus, word_to_id = ptb_valid()
    contexts, target = create_contexts_target(corpus, window_size=2)
    model = CBOW(len(word_to_id), 50, window_size=2, corpus=corpus, sample_size=5, seed=0)
    trainer = Trainer(model, Adam(lr=0.005))
    before = trainer.evaluate(contexts, target)["loss"]
    trainer.fit(contexts, target, epochs=1, batch_size=100, verbose=0)
    after = trainer.evaluate(contexts, target)["loss"]
    baseline = negative_sampling_baseline(model.loss_fn.sampler.counts, sample_size=5)
    # untrained, every score is about 0: the loss is 6 log 2; after one epoch the loss is
    # below the best loss of any model that ignores the context
    assert before == pytest.approx(6 * np.log(2), abs=0.01)
    assert after < baseline - 0.1, (after, baseline)
