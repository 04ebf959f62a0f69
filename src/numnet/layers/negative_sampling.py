"""Negative sampling ("Deep Learning from Scratch 2", chapter 4): ``EmbeddingDot`` and
``NegativeSamplingLoss``.

Instead of a softmax over the whole vocabulary, word2vec scores the true word and a
few words drawn at random ("negatives") by the dot product of the hidden vector with
their rows of an output embedding ``W_out`` (V, D), and asks a sigmoid to say yes to
the first and no to the others. The cost per sample is O((1 + k) D), not O(V D).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from numnet._checks import check_ids, check_positive_int
from numnet.functions import sigmoid
from numnet.initializers import Initializer, describe_init, get_initializer
from numnet.layers.base import ArraySpec
from numnet.layers.embedding import add_rows
from numnet.layers.losses import Loss, _position_weights, _shares
from numnet.text import UnigramSampler

__all__ = ["EmbeddingDot", "NegativeSamplingLoss"]


class EmbeddingDot:
    """Dot products of hidden vectors with rows of ``W``: ``h`` (N, D) and ids (N, ...) -> (N, ...).

    ``out[n, j] = W[ids[n, j]] · h[n]``. It wraps the given ``W`` (V, D), as the
    book's ``EmbeddingDot(W)`` does, and follows the layer conventions (``params``
    and ``grads`` aligned, gradients written in place, ``dout`` never changed), but
    takes two inputs, so it is a part of :class:`NegativeSamplingLoss` rather than a
    layer of a ``Sequential``.

    backward(dout (N, ...)) returns dh (N, D) and writes ``dW``: each id's row
    collects ``dout * h`` of every position holding it (repeated ids summed).
    """

    param_names = ("W",)

    def __init__(self, W: NDArray) -> None:
        if not isinstance(W, np.ndarray) or W.dtype.kind != "f" or W.ndim != 2:
            raise TypeError(f"EmbeddingDot: W must be a 2-d float array (V, D), got {type(W).__name__}")
        self.W = W
        self.dW = np.zeros_like(W)
        self.params, self.grads = [self.W], [self.dW]
        self.h: NDArray | None = None
        self.ids: NDArray[np.intp] | None = None
        self.rows: NDArray | None = None  # W[ids] as (N, M, D)

    def __repr__(self) -> str:
        return f"EmbeddingDot(vocab_size={self.W.shape[0]}, dim={self.W.shape[1]})"

    def forward(self, h: ArrayLike, ids: ArrayLike) -> NDArray:
        h = np.asarray(h, dtype=self.W.dtype)
        ids = check_ids(ids, self.W.shape[0], "ids")
        if h.ndim != 2 or h.shape[1] != self.W.shape[1] or ids.ndim < 1 or ids.shape[0] != h.shape[0]:
            raise ValueError(
                f"{self!r}: h must be (N, {self.W.shape[1]}) and ids (N, ...) with the same N, "
                f"got shapes {h.shape} and {ids.shape}"
            )
        n = len(h)
        rows = self.W[ids.reshape(n, -1)]  # (N, M, D)
        self.h, self.ids, self.rows = h, ids, rows
        return (rows @ h[:, :, None]).reshape(ids.shape)

    def backward(self, dout: ArrayLike) -> NDArray:
        if self.rows is None or self.h is None or self.ids is None:
            raise RuntimeError(f"{self!r}: backward() called before forward()")
        dout = np.asarray(dout, dtype=self.W.dtype)
        if dout.shape != self.ids.shape:
            raise ValueError(f"{self!r}: dout must have the forward output's shape {self.ids.shape}, got {dout.shape}")
        d = dout.reshape(len(self.h), 1, -1)  # (N, 1, M)
        dh = (d @ self.rows)[:, 0, :]
        self.dW.fill(0)
        add_rows(self.dW, self.ids, d.transpose(0, 2, 1) * self.h[:, None, :])
        return dh


class NegativeSamplingLoss(Loss):
    """Word2vec's loss with negative sampling, on the hidden vectors ``h`` (N, D).

    forward(scores, t, sample_weight=None):
        scores: the hidden vectors ``h`` (N, D) the layers computed (CBOW's mean of
            the context embeddings, skip-gram's target embedding).
        t: the true word ids, (N,) (CBOW's targets) or (N, C) (skip-gram's C
            context words, each scored against the same ``h``).
        sample_weight: (N,) weights, or None.

    For each true word ``w`` it draws ``sample_size`` negatives ``n_j`` from its
    :class:`~numnet.text.UnigramSampler` (never ``w`` itself) and takes
    ``-log σ(W[w]·h) - Σ_j log σ(-W[n_j]·h)``, the binary cross-entropy of the true
    word (label 1) and the negatives (label 0); the loss is its mean over the true
    words. For CBOW that is the book's loss; for skip-gram the book sums over the C
    context words where this averages (its loss is C times this one).

    Unlike the other losses it owns a parameter, the output embedding ``W``
    (V, D) (``params``/``grads``/``param_names`` as a layer has them): a model
    trains and saves it with its layers' parameters, as ``"loss.W"``.

    Args:
        word_counts: (V,) how often each word occurs in the training corpus
            (``np.bincount(corpus, minlength=V)``); negatives are drawn with
            probability proportional to ``count ** power``.
        hidden_size: D.
        power, sample_size: of the sampler (0.75 and 5 as in the book).
        init: initializer of ``W`` (the book's 0.01: N(0, 0.01²)).
        rng: a ``numpy.random.Generator`` or seed: initializes ``W`` and, when
            given, draws the negatives. Without one, a model sets ``rng`` to its
            own generator; standing alone, a fresh one is made at the first draw.
        dtype: the float dtype of ``W``.

    ``sampler`` may be replaced by any object with the same
    ``get_negative_sample(target, rng)`` (fixed negatives, for a gradient check).
    """

    task = "binary"
    default_metrics = ()
    param_names = ("W",)

    def __init__(
        self,
        word_counts: ArrayLike,
        hidden_size: int,
        power: float = 0.75,
        sample_size: int = 5,
        init: str | float | Initializer = 0.01,
        rng: np.random.Generator | int | None = None,
        dtype: DTypeLike = np.float32,
    ) -> None:
        check_positive_int("hidden_size", hidden_size)
        self.sampler = UnigramSampler.from_counts(word_counts, power, sample_size)
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"NegativeSamplingLoss: dtype must be a floating dtype, got {dtype}")
        generator = None if rng is None else np.random.default_rng(rng)
        shape = (self.sampler.vocab_size, int(hidden_size))
        W = np.asarray(get_initializer(init)(shape, np.random.default_rng(generator), dtype))
        if W.shape != shape or W.dtype != dtype:
            raise ValueError(f"NegativeSamplingLoss: init returned {W.shape} {W.dtype}, expected {shape} {dtype}")
        self.init = describe_init(init)
        self.word_counts, self.power, self.sample_size = (
            self.sampler.counts,
            self.sampler.power,
            self.sampler.sample_size,
        )
        self.rng = generator
        self.embed_dot = EmbeddingDot(W)
        self.params, self.grads = self.embed_dot.params, self.embed_dot.grads
        self.dscores: NDArray | None = None  # d loss / d scores of the last forward, before the upstream dout

    @property
    def W(self) -> NDArray:
        return self.embed_dot.W

    @property
    def vocab_size(self) -> int:
        return self.W.shape[0]

    @property
    def hidden_size(self) -> int:
        return self.W.shape[1]

    def __repr__(self) -> str:
        return (
            f"NegativeSamplingLoss(vocab_size={self.vocab_size}, hidden_size={self.hidden_size}, "
            f"power={self.power}, sample_size={self.sample_size})"
        )

    def get_config(self) -> dict[str, Any]:
        return {
            "word_counts": self.word_counts.tolist(),
            "hidden_size": self.hidden_size,
            "power": self.power,
            "sample_size": self.sample_size,
            "init": self.init,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], dtype: DTypeLike | None = None) -> NegativeSamplingLoss:
        loss = cls(**{**config, "init": "zeros"}, dtype=np.float32 if dtype is None else dtype)
        loss.init = config.get("init", 0.01)
        return loss

    @classmethod
    def array_specs(cls, config: dict[str, Any]) -> dict[str, ArraySpec]:
        """W (V, D): a row per word counted in ``word_counts``."""
        check_positive_int("hidden_size", config["hidden_size"])
        counts = config["word_counts"]
        if not isinstance(counts, list) or not counts:
            raise ValueError("NegativeSamplingLoss: word_counts must be a non-empty list of counts")
        return {"W": ArraySpec((len(counts), config["hidden_size"]))}

    # ------------------------------------------------------------ the loss
    def _prepare(
        self, t: ArrayLike, shape: tuple[int, ...], sample_weight: ArrayLike | None, checked: bool = False
    ) -> tuple[NDArray[np.intp], NDArray | float, float]:
        """The true word ids (N, ...), each one's share of the loss (w_p / sum w, or 1 / count), and sum w."""
        if len(shape) != 2 or shape[1] != self.hidden_size:
            raise ValueError(f"{self!r}: scores must be hidden vectors (N, {self.hidden_size}), got shape {shape}")
        t = np.asarray(t)
        if t.ndim not in (1, 2) or t.shape[0] != shape[0]:
            raise ValueError(
                f"{self!r}: t must be word ids (N,) or (N, C) with N = {shape[0]} to match the scores, "
                f"got shape {t.shape}"
            )
        targets = t.astype(np.intp, copy=False) if checked else check_ids(t, self.vocab_size, "t")
        weights = self._weights(sample_weight, shape[0], checked)
        position_weights, total = _position_weights(weights, targets.shape, self, checked)
        return targets, _shares(position_weights, total), total

    def check_targets(
        self, t: ArrayLike, scores_shape: tuple[int, ...], sample_weight: ArrayLike | None = None
    ) -> None:
        self._prepare(t, scores_shape, sample_weight)

    def forward(
        self, scores: ArrayLike, t: ArrayLike, sample_weight: ArrayLike | None = None, *, checked: bool = False
    ) -> float:
        h = np.asarray(scores) if checked else self._scores(scores)
        targets, scale, self.total_weight = self._prepare(t, h.shape, sample_weight, checked)
        if self.rng is None:
            self.rng = np.random.default_rng()
        negatives = self.sampler.get_negative_sample(targets, rng=self.rng)
        ids = np.concatenate([targets[..., None], negatives], axis=-1)  # (N, ..., 1 + k), the true word first
        s = self.embed_dot.forward(h, ids)
        # -log σ(s) = softplus(-s) for the true word, -log σ(-s) = softplus(s) for a negative:
        # softplus(sign * s) with its derivative sign * σ(sign * s)
        sign = np.ones(ids.shape[-1], dtype=s.dtype)
        sign[0] = -1
        z = s * sign
        losses = np.logaddexp(0, z).sum(axis=-1)
        share = scale[..., None] if isinstance(scale, np.ndarray) else scale
        self.dscores = (sigmoid(z) * sign * share).astype(s.dtype, copy=False)
        return float(np.sum(losses * scale))

    def backward(self, dout: float = 1.0) -> NDArray:
        dout = self._dout(dout, self.dscores)
        assert self.dscores is not None
        return self.embed_dot.backward(self.dscores * np.asarray(dout, dtype=self.dscores.dtype))

    def output(self, scores: ArrayLike) -> NDArray:
        """σ(h · W[w]) for every word w, (N, V): the probability that each word is the true one."""
        return sigmoid(self._logits(scores))

    def labels(self, scores: NDArray) -> NDArray[np.intp]:
        """The most probable true word of each sample, (N,)."""
        return np.argmax(self._logits(scores), axis=-1)

    def _logits(self, scores: ArrayLike) -> NDArray:
        h = self._scores(scores)
        if h.ndim != 2 or h.shape[1] != self.hidden_size:
            raise ValueError(f"{self!r}: scores must be hidden vectors (N, {self.hidden_size}), got shape {h.shape}")
        return h @ self.W.T
