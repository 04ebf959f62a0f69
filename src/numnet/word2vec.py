"""word2vec ("Deep Learning from Scratch 2", chapters 3 and 4): CBOW and skip-gram.

Four models on the ordinary model contract (trained by :class:`~numnet.training.Trainer`,
saved by :mod:`numnet.io`), all with word ids in (see
:func:`numnet.text.create_contexts_target`):

=================  ===============================  =======================  ============================
model              x                                t                        output
=================  ===============================  =======================  ============================
``SimpleCBOW``     contexts (N, 2 * window_size)    targets (N,)             softmax over the vocabulary
``SimpleSkipGram`` targets (N,)                     contexts (N, 2 * window) softmax, once per context word
``CBOW``           contexts (N, 2 * window_size)    targets (N,)             negative sampling
``SkipGram``       targets (N,)                     contexts (N, 2 * window) negative sampling
=================  ===============================  =======================  ============================

Skip-gram predicts the contexts from the target, so its ``x`` is the target and its
``t`` the contexts (the book's ``forward(contexts, target)`` swaps them inside).
``word_vecs`` is the input embedding ``W_in`` (V, hidden_size), the word vectors.

The book's simple models use ``MatMul`` layers on one-hot vectors without a bias; here
the input side is an :class:`~numnet.layers.Embedding` (the same product, without the
one-hot) and the output side a :class:`~numnet.layers.Dense`, whose bias starts at
zero. Losses are means over the predicted words: the book's skip-gram sums over the
context words, so its loss is ``2 * window_size`` times this one.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from numnet._checks import check_ids, check_positive_int
from numnet.initializers import Initializer, describe_init
from numnet.layers import ContextMean, ContextRepeat, Dense, Embedding, NegativeSamplingLoss, SoftmaxWithLoss
from numnet.layers.base import ArraySpec
from numnet.models import _BuiltModel, _named_specs
from numnet.text import UnigramSampler

__all__ = ["SimpleCBOW", "SimpleSkipGram", "CBOW", "SkipGram", "word_counts", "negative_sampling_baseline"]


def word_counts(corpus: ArrayLike, vocab_size: int) -> NDArray[np.int64]:
    """How often each of the ``vocab_size`` word ids occurs in ``corpus`` (T,): (V,) int64."""
    check_positive_int("vocab_size", vocab_size)
    corpus = check_ids(corpus, vocab_size, "corpus")
    if corpus.ndim != 1:
        raise ValueError(f"corpus must be a 1-d array of word ids, got shape {corpus.shape}")
    return np.bincount(corpus, minlength=vocab_size).astype(np.int64)


def negative_sampling_baseline(counts: ArrayLike, power: float = 0.75, sample_size: int = 5) -> float:
    """The lowest negative-sampling loss a model that ignores the context can reach.

    True words follow the unigram distribution ``p`` of ``counts`` (V,); each brings
    ``k = sample_size`` negatives from ``q`` ∝ ``counts ** power``, never itself. A
    model that does not look at the context gives each word one score ``s_w``, and
    its expected loss separates over the words:
    ``Σ_w p(w) softplus(-s_w) + k r(w) softplus(s_w)``, with ``r(w)`` the expected
    share of negatives that are ``w``, ``q(w) Σ_{u≠w} p(u) / (1 - q(u))``. The best
    score is ``s_w = log(p(w) / (k r(w)))``; this returns the loss it gives, the
    baseline a trained CBOW or skip-gram must beat to have learned anything from
    the contexts (the counterpart of the unigram entropy for a softmax model).
    """
    sampler = UnigramSampler.from_counts(counts, power, sample_size)
    p = sampler.counts / sampler.counts.sum()
    q = sampler.word_p
    r = q * (np.sum(p / (1 - q)) - p / (1 - q))
    kr = sample_size * r
    with np.errstate(divide="ignore", invalid="ignore"):
        true_word = np.where(p > 0, p * np.log1p(kr / p), 0.0)
        negative = np.where(kr > 0, kr * np.log1p(p / kr), 0.0)
    return float(np.sum(true_word + negative))


def _saved_init(init: str | float | Initializer) -> str | float:
    """``init`` as the config records it: a name or a std; a callable becomes 0.01 (weights are saved anyway)."""
    described = describe_init(init)
    return described if isinstance(init, (str, int, float)) else 0.01


class _Word2Vec(_BuiltModel):
    """What the four models share: sizes checked, ``word_vecs``."""

    config: dict[str, Any]

    @staticmethod
    def _check_sizes(vocab_size: int, hidden_size: int, window_size: int) -> None:
        check_positive_int("vocab_size", vocab_size)
        check_positive_int("hidden_size", hidden_size)
        check_positive_int("window_size", window_size)

    @property
    def word_vecs(self) -> NDArray:
        """The word vectors: the input embedding ``W_in`` (vocab_size, hidden_size), not a copy."""
        return self.layers[0].params[0]

    @classmethod
    def array_specs(cls, config: dict[str, Any]) -> dict[str, ArraySpec]:
        """The input embedding (V, H), then the output weights: a Dense's or the loss's ``W``."""
        args = cls._arguments(config)
        vocab_size, hidden_size = args["vocab_size"], args["hidden_size"]
        cls._check_sizes(vocab_size, hidden_size, args["window_size"])
        embedding = Embedding.array_specs({"vocab_size": vocab_size, "embedding_dim": hidden_size})
        return cls._output_specs(embedding, vocab_size, hidden_size, args)

    @classmethod
    def _output_specs(
        cls, embedding: dict[str, ArraySpec], vocab_size: int, hidden_size: int, args: dict[str, Any]
    ) -> dict[str, ArraySpec]:
        raise NotImplementedError(f"{cls.__name__} does not describe its arrays (array_specs)")


class _Softmax(_Word2Vec):
    """SimpleCBOW and SimpleSkipGram: an embedding and a dense layer around a context layer, softmax loss."""

    #: CBOW averages the contexts before the dense layer; skip-gram repeats the dense output per context word.
    _cbow: ClassVar[bool]

    def _setup(
        self,
        vocab_size: int,
        hidden_size: int,
        window_size: int,
        init: str | float | Initializer,
        seed: int | None,
        dtype: DTypeLike,
    ) -> None:
        self._check_sizes(vocab_size, hidden_size, window_size)
        rng = np.random.default_rng(seed)
        self.config = {
            "vocab_size": vocab_size,
            "hidden_size": hidden_size,
            "window_size": window_size,
            "init": _saved_init(init),
        }
        embed = Embedding(vocab_size, hidden_size, init=init, rng=rng, dtype=dtype)
        dense = Dense(hidden_size, vocab_size, init=init, rng=rng, dtype=dtype)
        cbow = self._cbow
        layers = [embed, ContextMean(), dense] if cbow else [embed, dense, ContextRepeat(2 * window_size)]
        input_shape: tuple[int, ...] = (2 * window_size,) if cbow else ()
        super().__init__(layers, SoftmaxWithLoss(), seed=seed, input_shape=input_shape)

    @classmethod
    def _output_specs(
        cls, embedding: dict[str, ArraySpec], vocab_size: int, hidden_size: int, args: dict[str, Any]
    ) -> dict[str, ArraySpec]:
        dense = Dense.array_specs({"in_features": hidden_size, "out_features": vocab_size})
        return _named_specs([embedding, {}, dense] if cls._cbow else [embedding, dense, {}])


class SimpleCBOW(_Softmax):
    """Chapter 3's CBOW: the mean of the context words' vectors, then a softmax over the vocabulary.

    Embedding(V, H) on the contexts → ContextMean → Dense(H, V) → SoftmaxWithLoss
    with the target ids as labels.

    Args:
        vocab_size, hidden_size: V and H.
        window_size: context words on each side; x must be (N, 2 * window_size).
        init: initializer of both weight matrices (the book's 0.01).
        seed: seeds the initial weights and the model's generator.
    """

    _cbow = True

    def __init__(
        self,
        vocab_size: int,
        hidden_size: int,
        window_size: int = 1,
        init: str | float | Initializer = 0.01,
        seed: int | None = None,
        dtype: DTypeLike = np.float32,
    ) -> None:
        self._setup(vocab_size, hidden_size, window_size, init, seed, dtype)


class SimpleSkipGram(_Softmax):
    """Chapter 3's skip-gram: the target's vector, a softmax over the vocabulary for each context word.

    Embedding(V, H) on the targets → Dense(H, V) → ContextRepeat(2 * window_size)
    → SoftmaxWithLoss with the contexts (N, 2 * window_size) as labels.
    Arguments as :class:`SimpleCBOW`; x is the targets (N,).
    """

    _cbow = False

    def __init__(
        self,
        vocab_size: int,
        hidden_size: int,
        window_size: int = 1,
        init: str | float | Initializer = 0.01,
        seed: int | None = None,
        dtype: DTypeLike = np.float32,
    ) -> None:
        self._setup(vocab_size, hidden_size, window_size, init, seed, dtype)


class _NegativeSampling(_Word2Vec):
    """CBOW and SkipGram: the word counts for the sampler come from a corpus or are given."""

    def _setup(
        self,
        layers: list,
        vocab_size: int,
        hidden_size: int,
        window_size: int,
        corpus: ArrayLike | None,
        counts: ArrayLike | None,
        power: float,
        sample_size: int,
        init: str | float | Initializer,
        rng: np.random.Generator,
        seed: int | None,
        dtype: DTypeLike,
        input_shape: tuple[int, ...],
    ) -> None:
        if (corpus is None) == (counts is None):
            raise ValueError("give the training corpus (corpus=) or its word counts (counts=), exactly one of them")
        if corpus is not None:
            counts = word_counts(corpus, vocab_size)
        counts = np.asarray(counts)
        if counts.shape != (vocab_size,):
            raise ValueError(f"counts must hold one count per word, shape ({vocab_size},), got shape {counts.shape}")
        loss = NegativeSamplingLoss(counts, hidden_size, power, sample_size, init=init, rng=rng, dtype=dtype)
        self.config = {
            "vocab_size": vocab_size,
            "hidden_size": hidden_size,
            "window_size": window_size,
            "counts": loss.sampler.counts.tolist(),
            "power": power,
            "sample_size": sample_size,
            "init": _saved_init(init),
        }
        super().__init__(layers, loss, seed=seed, input_shape=input_shape)
        loss.rng = self.rng  # negatives are drawn from the model's generator

    @classmethod
    def _output_specs(
        cls, embedding: dict[str, ArraySpec], vocab_size: int, hidden_size: int, args: dict[str, Any]
    ) -> dict[str, ArraySpec]:
        counts = args["counts"]
        if not isinstance(counts, list) or len(counts) != vocab_size:
            raise ValueError(f"counts must hold one count per word, {vocab_size} of them")
        loss = NegativeSamplingLoss.array_specs({"word_counts": counts, "hidden_size": hidden_size})
        return {"0.W": embedding["W"], **{f"loss.{name}": spec for name, spec in loss.items()}}


class CBOW(_NegativeSampling):
    """Chapter 4's CBOW: the mean of the context words' vectors, scored by negative sampling.

    Embedding(V, H) on the contexts → ContextMean → NegativeSamplingLoss with the
    target ids as true words; the output embedding ``W_out`` is the loss's
    parameter ``"loss.W"``.

    Args:
        vocab_size, hidden_size: V and H.
        window_size: context words on each side; x must be (N, 2 * window_size).
        corpus: the training corpus (T,), whose word counts the negatives follow;
            or ``counts`` (V,) directly (a saved model keeps its counts).
        power, sample_size: of the :class:`~numnet.text.UnigramSampler` (0.75, 5).
        init: initializer of both embeddings (the book's 0.01).
        seed: seeds the initial weights and the model's generator, which draws
            the negatives (and the Trainer's shuffling).
    """

    def __init__(
        self,
        vocab_size: int,
        hidden_size: int,
        window_size: int = 1,
        corpus: ArrayLike | None = None,
        *,
        counts: ArrayLike | None = None,
        power: float = 0.75,
        sample_size: int = 5,
        init: str | float | Initializer = 0.01,
        seed: int | None = None,
        dtype: DTypeLike = np.float32,
    ) -> None:
        self._check_sizes(vocab_size, hidden_size, window_size)
        rng = np.random.default_rng(seed)
        layers = [Embedding(vocab_size, hidden_size, init=init, rng=rng, dtype=dtype), ContextMean()]
        self._setup(
            layers, vocab_size, hidden_size, window_size, corpus, counts, power, sample_size, init, rng, seed, dtype,
            input_shape=(2 * window_size,),
        )  # fmt: skip


class SkipGram(_NegativeSampling):
    """Chapter 4's skip-gram: the target's vector scored against each context word by negative sampling.

    Embedding(V, H) on the targets (N,) → NegativeSamplingLoss with the contexts
    (N, 2 * window_size) as true words. Arguments as :class:`CBOW`.
    """

    def __init__(
        self,
        vocab_size: int,
        hidden_size: int,
        window_size: int = 1,
        corpus: ArrayLike | None = None,
        *,
        counts: ArrayLike | None = None,
        power: float = 0.75,
        sample_size: int = 5,
        init: str | float | Initializer = 0.01,
        seed: int | None = None,
        dtype: DTypeLike = np.float32,
    ) -> None:
        self._check_sizes(vocab_size, hidden_size, window_size)
        rng = np.random.default_rng(seed)
        layers = [Embedding(vocab_size, hidden_size, init=init, rng=rng, dtype=dtype)]
        self._setup(
            layers, vocab_size, hidden_size, window_size, corpus, counts, power, sample_size, init, rng, seed, dtype,
            input_shape=(),
        )  # fmt: skip
