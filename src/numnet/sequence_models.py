"""Sequence models of "Deep Learning from Scratch 2": the LSTM language model and the encoder-decoders.

- :class:`RNNLM` (chapter 6): embedding -> LSTM layers -> affine over the
  vocabulary, with dropout and optional weight tying; a
  :class:`~numnet.models.Sequential`, trained by truncated backpropagation
  through time on batches from :func:`numnet.data.bptt_batches`, measured
  by perplexity, and :meth:`RNNLM.generate` samples text.
- :class:`Seq2seq` and :class:`PeekySeq2seq` (chapter 7) and
  :class:`AttentionSeq2seq` (chapter 8): an LSTM encoder reads the
  question, an LSTM decoder writes the answer.

Encoder-decoder data is the book's: x (N, T_in) holds the ids of the
questions and t (N, 1 + T_out) those of the answers, whose first column is
the start symbol the decoder begins with (``_`` in the book's files). In
training the decoder is fed t[:, :-1] (teacher forcing) and scored against
t[:, 1:], :meth:`Seq2seq.score_targets`; :meth:`Seq2seq.generate` decodes
greedily, feeding the decoder its own last output. The exact-match accuracy
measured with teacher forcing equals that of greedy generation: a sequence
right at every step under teacher forcing is one whose generated steps are
fed exactly the teacher's inputs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from numnet._checks import check_ids, check_positive_int
from numnet.data.batching import bptt_batches
from numnet.initializers import xavier
from numnet.layers import Dropout, Embedding, Layer, SoftmaxWithLoss, TimeAffine, TimeAttention, TimeLSTM
from numnet.layers.base import ArraySpec
from numnet.models import InputSpec, Model, _Built, _BuiltModel, _check_depth, _check_lengths, _named_specs

__all__ = ["RNNLM", "Seq2seq", "PeekySeq2seq", "AttentionSeq2seq"]

#: The book's initial embedding vectors: N(0, 0.01^2).
EMBEDDING_INIT = 0.01


def _output_layer(in_features: int, vocab_size: int, rng: np.random.Generator, dtype: np.dtype) -> TimeAffine:
    """The projection onto the vocabulary: W ~ N(0, 1/in_features) as the book draws it, b = 0."""
    return TimeAffine(xavier((in_features, vocab_size), rng, dtype), np.zeros(vocab_size, dtype=dtype))


def _check_rate(rate: Any) -> float:
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0.0 <= rate < 1.0:
        raise ValueError(f"dropout must be a rate in [0, 1), got {rate!r}")
    return float(rate)


def _sample(scores: NDArray, temperature: float, rng: np.random.Generator, skip: NDArray[np.intp]) -> int:
    """One id from softmax(scores / temperature), never one of ``skip``; the argmax for temperature 0."""
    logits = scores.astype(np.float64)
    logits[skip] = -np.inf
    if temperature == 0:
        return int(np.argmax(logits))
    logits = (logits - logits.max()) / temperature
    probabilities = np.exp(logits)
    probabilities /= probabilities.sum()
    return int(rng.choice(len(probabilities), p=probabilities))


class RNNLM(_BuiltModel):
    """The LSTM language model: Embedding -> [Dropout] -> (TimeLSTM -> [Dropout]) x num_layers -> TimeAffine.

    Trained on ids (N, T) with the next ids as targets (N, T); scores
    (N, T, vocab_size). The book's ``Rnnlm`` is ``RNNLM(10000, 100, 100)``,
    its ``BetterRnnlm`` ``RNNLM(10000, 650, 650, num_layers=2, dropout=0.5,
    tie_weights=True)``.

    Args:
        vocab_size, wordvec_size, hidden_size: V, D and H.
        num_layers: stacked LSTM layers.
        dropout: the rate of the dropout after the embedding and after every
            LSTM layer (0: none).
        tie_weights: the output projection is the embedding matrix
            transposed, one parameter (needs wordvec_size == hidden_size).
        stateful: the LSTM layers carry their state from one batch to the
            next (truncated BPTT); :meth:`reset_state` clears it.
        seed: seeds the initial weights and the dropout masks.
    """

    def __init__(
        self,
        vocab_size: int = 10000,
        wordvec_size: int = 100,
        hidden_size: int = 100,
        num_layers: int = 1,
        dropout: float = 0.0,
        tie_weights: bool = False,
        stateful: bool = True,
        seed: int | None = None,
        dtype: DTypeLike = np.float32,
    ) -> None:
        for name, size in (
            ("vocab_size", vocab_size),
            ("wordvec_size", wordvec_size),
            ("hidden_size", hidden_size),
            ("num_layers", num_layers),
        ):
            check_positive_int(name, size)
        dropout = _check_rate(dropout)
        if tie_weights and wordvec_size != hidden_size:
            raise ValueError(
                f"tie_weights needs wordvec_size == hidden_size (the output projection is the embedding "
                f"transposed), got {wordvec_size} and {hidden_size}"
            )
        dtype = np.dtype(dtype)
        rng = np.random.default_rng(seed)
        self.config = {
            "vocab_size": vocab_size,
            "wordvec_size": wordvec_size,
            "hidden_size": hidden_size,
            "num_layers": num_layers,
            "dropout": dropout,
            "tie_weights": bool(tie_weights),
            "stateful": bool(stateful),
        }
        embedding = Embedding(vocab_size, wordvec_size, init=EMBEDDING_INIT, rng=rng, dtype=dtype)
        layers: list[Layer] = [embedding]
        size = wordvec_size
        for _ in range(num_layers):
            if dropout:
                layers.append(Dropout(dropout))
            layers.append(TimeLSTM(size, hidden_size, stateful=stateful, rng=rng, dtype=dtype))
            size = hidden_size
        if dropout:
            layers.append(Dropout(dropout))
        if tie_weights:
            layers.append(TimeAffine(embedding.W.T, np.zeros(vocab_size, dtype=dtype)))
        else:
            layers.append(_output_layer(hidden_size, vocab_size, rng, dtype))
        super().__init__(layers, SoftmaxWithLoss(), seed=seed)

    @classmethod
    def array_specs(cls, config: dict[str, Any]) -> dict[str, ArraySpec]:
        """The layers' parameters as the constructor stacks them (a tied projection's W is the embedding's)."""
        args = cls._arguments(config)
        vocab_size, wordvec_size, hidden_size = args["vocab_size"], args["wordvec_size"], args["hidden_size"]
        check_positive_int("num_layers", args["num_layers"])
        _check_depth(args["num_layers"], "num_layers")
        dropout: list[dict[str, ArraySpec]] = [{}] if _check_rate(args["dropout"]) else []
        layers = [Embedding.array_specs({"vocab_size": vocab_size, "embedding_dim": wordvec_size})]
        size = wordvec_size
        for _ in range(args["num_layers"]):
            layers += [*dropout, TimeLSTM.array_specs({"input_size": size, "hidden_size": hidden_size})]
            size = hidden_size
        output = TimeAffine.array_specs({"in_features": hidden_size, "out_features": vocab_size})
        if args["tie_weights"]:
            if wordvec_size != hidden_size:
                raise ValueError(f"tie_weights needs wordvec_size == hidden_size, got {wordvec_size} and {hidden_size}")
            del output["W"]
        return _named_specs([*layers, *dropout, output])

    @property
    def default_metrics(self) -> tuple[str, ...]:
        return ("perplexity",)

    @property
    def vocab_size(self) -> int:
        return int(self.config["vocab_size"])

    def perplexity(self, corpus: ArrayLike, batch_size: int = 10, time_size: int = 35) -> float:
        """exp of the mean cross-entropy of predicting each next id of ``corpus`` (the book's ``eval_perplexity``).

        The corpus is read as by :func:`numnet.data.bptt_batches`, the state
        carried from chunk to chunk starting from zeros, in inference mode.
        The model's state is put back afterwards.
        """
        x, t = bptt_batches(corpus, batch_size, time_size)
        check_ids(x, self.vocab_size, "corpus")
        states, flags = self._carrying()
        try:
            losses = [
                self.forward(x[start : start + batch_size], t[start : start + batch_size], train=False)
                for start in range(0, len(x), batch_size)
            ]
        finally:
            self._restore(states, flags)
        return float(np.exp(np.mean(losses)))

    def generate(
        self,
        start_ids: ArrayLike,
        length: int,
        temperature: float = 1.0,
        seed: int | np.random.Generator | None = None,
        skip_ids: ArrayLike = (),
    ) -> NDArray[np.int64]:
        """Sample ``length`` ids that continue ``start_ids`` (the book's ``RnnlmGen.generate``).

        The model reads ``start_ids`` (a non-empty 1-D sequence), then draws
        each next id from softmax(scores / temperature) and feeds it back.
        ``temperature`` 1 samples the model's distribution, smaller values
        sharpen it and 0 always takes the most probable id. ``skip_ids`` are
        never drawn (``<unk>``, say). ``seed`` makes the draws reproducible.
        The model's recurrent state is put back afterwards.

        Returns:
            The ``length`` new ids, int64.
        """
        start = check_ids(np.asarray(start_ids), self.vocab_size, "start_ids")
        if start.ndim != 1 or len(start) == 0:
            raise ValueError(f"start_ids must be a non-empty 1-D sequence of ids, got shape {start.shape}")
        if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 0:
            raise ValueError(f"length must be a non-negative integer, got {length!r}")
        if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or not temperature >= 0:
            raise ValueError(f"temperature must be a number >= 0, got {temperature!r}")
        skip = check_ids(np.asarray(skip_ids, dtype=np.intp).reshape(-1), self.vocab_size, "skip_ids", allow_empty=True)
        if len(np.unique(skip)) >= self.vocab_size:
            raise ValueError("skip_ids leaves no id to generate")
        rng = np.random.default_rng(seed)
        generated = np.empty(length, dtype=np.int64)
        states, flags = self._carrying()
        try:
            scores = self._run_layers(start[None, :], train=False)
            for k in range(length):
                generated[k] = _sample(scores[0, -1], float(temperature), rng, skip)
                if k + 1 < length:
                    scores = self._run_layers(generated[None, k : k + 1], train=False)
        finally:
            self._restore(states, flags)
        return generated

    def _carrying(self) -> tuple[list[Any], list[bool]]:
        """Save the recurrent state and statefulness, then make every LSTM carry its state, starting from zeros."""
        lstms = [layer for layer in self.layers if isinstance(layer, TimeLSTM)]
        states, flags = self.get_state(), [layer.stateful for layer in lstms]
        for layer in lstms:
            layer.stateful = True
        self.reset_state()
        return states, flags

    def _restore(self, states: list[Any], flags: list[bool]) -> None:
        lstms = [layer for layer in self.layers if isinstance(layer, TimeLSTM)]
        for layer, flag in zip(lstms, flags):
            layer.stateful = flag
        self.set_state(states)


class Seq2seq(_Built, Model):
    """The encoder-decoder of chapter 7: the decoder starts from the encoder's last hidden state.

    Encoder: Embedding -> TimeLSTM over the question, its last hidden state h.
    Decoder: Embedding -> TimeLSTM (starting from h) -> TimeAffine over the
    answer so far. Initial weights as in the book: embeddings N(0, 0.01²),
    the other weights N(0, 1/fan_in), biases zero.

    Args:
        vocab_size: V, the number of symbols (one vocabulary for both sides).
        wordvec_size: D, the size of the embedding vectors (the book's 16).
        hidden_size: H, the size of the LSTM states (the book's 128).
        seed: seeds the initial weights.

    Parameters are named ``encoder.embed.W``, ``encoder.lstm.Wx``, ...,
    ``decoder.affine.b``.
    """

    #: After :meth:`predict` or :meth:`generate` of a model that attends: its map (N, length, T_in).
    attention_weights: NDArray | None = None

    def __init__(
        self,
        vocab_size: int,
        wordvec_size: int = 16,
        hidden_size: int = 128,
        seed: int | None = None,
        dtype: DTypeLike = np.float32,
    ) -> None:
        for name, size in (("vocab_size", vocab_size), ("wordvec_size", wordvec_size), ("hidden_size", hidden_size)):
            check_positive_int(name, size)
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"dtype must be a floating dtype, got {dtype}")
        self.config = {"vocab_size": vocab_size, "wordvec_size": wordvec_size, "hidden_size": hidden_size}
        rng = np.random.default_rng(seed)
        lstm_input, affine_input = self._decoder_sizes(wordvec_size, hidden_size)
        self.encoder_embed = Embedding(vocab_size, wordvec_size, init=EMBEDDING_INIT, rng=rng, dtype=dtype)
        self.encoder_lstm = TimeLSTM(wordvec_size, hidden_size, rng=rng, dtype=dtype)
        self.decoder_embed = Embedding(vocab_size, wordvec_size, init=EMBEDDING_INIT, rng=rng, dtype=dtype)
        self.decoder_lstm = TimeLSTM(lstm_input, hidden_size, stateful=True, rng=rng, dtype=dtype)
        self.decoder_affine = _output_layer(affine_input, vocab_size, rng, dtype)
        #: The parts by the prefix of their parameter names.
        self.layers: dict[str, Layer] = {
            "encoder.embed": self.encoder_embed,
            "encoder.lstm": self.encoder_lstm,
            "decoder.embed": self.decoder_embed,
            "decoder.lstm": self.decoder_lstm,
            "decoder.affine": self.decoder_affine,
        }
        self.params = [p for layer in self.layers.values() for p in layer.params]
        self.grads = [g for layer in self.layers.values() for g in layer.grads]
        self.param_names = [f"{key}.{name}" for key, layer in self.layers.items() for name in layer.param_names]
        self.loss_fn = SoftmaxWithLoss()
        self.input_spec = InputSpec("ids", (None,))
        self.metadata: dict[str, Any] = {}
        self.rng = np.random.default_rng(seed)
        self.scores: NDArray | None = None
        self._encoded_shape: tuple[int, ...] | None = None

    # ------------------------------------------------------------ the parts
    @property
    def vocab_size(self) -> int:
        return int(self.config["vocab_size"])

    @property
    def hidden_size(self) -> int:
        return int(self.config["hidden_size"])

    @classmethod
    def _decoder_sizes(cls, wordvec_size: int, hidden_size: int) -> tuple[int, int]:
        """The input sizes of the decoder's LSTM and affine layers."""
        return wordvec_size, hidden_size

    @classmethod
    def array_specs(cls, config: dict[str, Any]) -> dict[str, ArraySpec]:
        """The parts' parameters, named as :attr:`param_names` names them, without making them."""
        args = cls._arguments(config)
        vocab_size, wordvec_size, hidden_size = args["vocab_size"], args["wordvec_size"], args["hidden_size"]
        lstm_input, affine_input = cls._decoder_sizes(wordvec_size, hidden_size)
        embed = {"vocab_size": vocab_size, "embedding_dim": wordvec_size}
        parts = {
            "encoder.embed": Embedding.array_specs(embed),
            "encoder.lstm": TimeLSTM.array_specs({"input_size": wordvec_size, "hidden_size": hidden_size}),
            "decoder.embed": Embedding.array_specs(embed),
            "decoder.lstm": TimeLSTM.array_specs({"input_size": lstm_input, "hidden_size": hidden_size}),
            "decoder.affine": TimeAffine.array_specs({"in_features": affine_input, "out_features": vocab_size}),
        }
        return {f"{key}.{name}": spec for key, specs in parts.items() for name, spec in specs.items()}

    def _encode(self, x: NDArray, train: bool) -> NDArray:
        """Question ids (N, T_in) -> the encoder's hidden states (N, T_in, H)."""
        hs = self.encoder_lstm.forward(self.encoder_embed.forward(x, train), train)
        self._encoded_shape = hs.shape
        return hs

    def _encode_backward(self, dhs: NDArray) -> None:
        self.encoder_embed.backward_params(self.encoder_lstm.backward(dhs))

    def _decode(self, ids: NDArray, hs: NDArray, start: bool, train: bool) -> NDArray:
        """Decoder input ids (N, T) -> scores (N, T, V); ``start``: begin from the encoder's state, else go on."""
        lstm = self.decoder_lstm
        if start:
            lstm.set_state(hs[:, -1])
        out = lstm.forward(self.decoder_embed.forward(ids, train), train)
        return self.decoder_affine.forward(out, train)

    def _decode_backward(self, dscores: NDArray) -> NDArray:
        """dscores (N, T, V) -> the gradient of the encoder's states (N, T_in, H)."""
        lstm = self.decoder_lstm
        dout = lstm.backward(self.decoder_affine.backward(dscores))
        self.decoder_embed.backward_params(dout)
        return self._last_state_gradient(lstm.dh)

    def _last_state_gradient(self, dh: NDArray | None) -> NDArray:
        """The encoder states' gradient when only the last state was used: zeros, and dh at the last step."""
        assert self._encoded_shape is not None and dh is not None
        dhs = np.zeros(self._encoded_shape, dtype=dh.dtype)
        dhs[:, -1] = dh
        return dhs

    def _attention_map(self) -> NDArray | None:
        """The attention weights of the last decoder step (N, 1, T_in), for models that attend."""
        return None

    # ------------------------------------------------------------ the contract
    def score_targets(self, t: NDArray) -> NDArray:
        """The answer without its start symbol, t[:, 1:]: what the decoder's scores predict."""
        return t[:, 1:]

    @property
    def default_metrics(self) -> tuple[str, ...]:
        return ("accuracy", "exact_match")

    def forward(
        self, x: NDArray, t: NDArray, train: bool = True, sample_weight: NDArray | None = None, checked: bool = False
    ) -> float:
        """The mean cross-entropy of the answers t[:, 1:] given the questions x, the decoder fed t[:, :-1]."""
        _check_lengths(x, t)
        hs = self._encode(x, train)
        self.scores = self._decode(t[:, :-1], hs, start=True, train=train)
        return self.loss_fn.forward(self.scores, t[:, 1:], sample_weight, checked=checked)

    def backward(self, input_grad: bool = False) -> None:
        """Fill ``grads``; the questions are ids, which have no gradient (None whatever ``input_grad``)."""
        self._encode_backward(self._decode_backward(self.loss_fn.backward()))

    def check_data(
        self, x: ArrayLike, t: ArrayLike, sample_weight: ArrayLike | None = None, name: str = "x"
    ) -> NDArray:
        """Check questions x (N, T_in) and answers t (N, 1 + T_out), ids in [0, vocab_size); return x as ids."""
        x = self.prepare_input(x, name)
        check_ids(x, self.vocab_size, name)
        t = np.asarray(t)
        if t.dtype.kind not in "iu":
            raise TypeError(f"t must hold integer ids, got dtype {t.dtype}")
        if t.ndim != 2 or t.shape[1] < 2:
            raise ValueError(
                f"t must have shape (N, 1 + T_out): the start symbol, then at least one answer id; got {t.shape}"
            )
        _check_lengths(x, t)
        if len(x) == 0:
            raise ValueError(f"{name} must hold at least one sample, got an empty array")
        check_ids(t, self.vocab_size, "t")
        self.loss_fn.check_targets(t[:, 1:], (len(t), t.shape[1] - 1, self.vocab_size), sample_weight)
        return x

    # ------------------------------------------------------------ generating
    def predict(  # type: ignore[override]
        self, x: ArrayLike, start_id: ArrayLike, length: int, batch_size: int | None = None
    ) -> NDArray:
        """Scores (N, length, V) of greedy decoding: each step fed the argmax of the one before.

        ``start_id``: the id the decoder starts from (the book's ``_``), one
        for all or one per question (N,). After an attending model's
        ``predict``, ``attention_weights`` (N, length, T_in) is its map.
        """
        x = self.prepare_input(x)
        check_ids(x, self.vocab_size, "x")
        if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 1:
            raise ValueError(f"length must be a positive integer, got {length!r}")
        starts = check_ids(np.broadcast_to(np.asarray(start_id), (len(x),)), self.vocab_size, "start_id")
        indices = np.arange(len(x))
        batch = len(x) if batch_size is None else batch_size
        results = [self._greedy(x[i : i + batch], starts[i : i + batch], length) for i in indices[::batch]]
        maps = [weights for _, weights in results if weights is not None]
        if maps:
            self.attention_weights = np.concatenate(maps)
        return np.concatenate([scores for scores, _ in results])

    def _greedy(self, x: NDArray, starts: NDArray, length: int) -> tuple[NDArray, NDArray | None]:
        hs = self._encode(x, train=False)
        ids = starts[:, None]
        scores = np.empty((len(x), length, self.vocab_size), dtype=self.dtype)
        maps = []
        for k in range(length):
            step = self._decode(ids, hs, start=k == 0, train=False)
            scores[:, k] = step[:, 0]
            ids = np.argmax(step, axis=2)
            weights = self._attention_map()
            if weights is not None:
                maps.append(weights)
        return scores, np.concatenate(maps, axis=1) if maps else None

    def generate(
        self, x: ArrayLike, start_id: ArrayLike, length: int, batch_size: int | None = None
    ) -> NDArray[np.int64]:
        """Greedy decoding (the book's ``generate``): answer ids (N, length) for questions x (N, T_in)."""
        return np.argmax(self.predict(x, start_id, length, batch_size), axis=2).astype(np.int64)

    def exact_match(self, x: ArrayLike, t: ArrayLike, batch_size: int | None = 1000) -> float:
        """Fraction of questions whose generated answer equals t[:, 1:] at every position (the book's accuracy)."""
        t = np.asarray(t)
        x = self.check_data(np.asarray(x), t)
        answers = self.generate(x, t[:, 0], t.shape[1] - 1, batch_size)
        return float(np.mean(np.all(answers == t[:, 1:], axis=1)))

    def summary(self) -> str:
        """One line per part with its parameter shapes, then the total parameter count."""
        lines = [f"     input: {self.input_spec.describe()}"]
        for key, layer in self.layers.items():
            shapes = ", ".join(f"{n} {tuple(p.shape)}" for n, p in zip(layer.param_names, layer.params))
            lines.append(f"{key:>15}  {layer!r}" + (f"  [{shapes}]" if shapes else ""))
        lines.append(f"     {self.loss_fn!r}")
        lines.append(f"     {sum(p.size for p in self.params):,} parameters, {self.dtype}")
        return "\n".join(lines)


class PeekySeq2seq(Seq2seq):
    """Chapter 7's peeky decoder: every decoder step also sees the encoder's last state h.

    h is concatenated to the decoder LSTM's input (D + H) and to the
    affine layer's input (2H) at every step, so its gradient sums those of
    all steps besides the one through the LSTM's initial state.
    """

    @classmethod
    def _decoder_sizes(cls, wordvec_size: int, hidden_size: int) -> tuple[int, int]:
        return hidden_size + wordvec_size, 2 * hidden_size

    def _decode(self, ids: NDArray, hs: NDArray, start: bool, train: bool) -> NDArray:
        lstm, h = self.decoder_lstm, hs[:, -1]
        if start:
            lstm.set_state(h)
        peek = np.broadcast_to(h[:, None, :], (*ids.shape, h.shape[1]))
        embedded = self.decoder_embed.forward(ids, train)
        out = lstm.forward(np.concatenate((peek, embedded), axis=2), train)
        return self.decoder_affine.forward(np.concatenate((peek, out), axis=2), train)

    def _decode_backward(self, dscores: NDArray) -> NDArray:
        lstm, hidden = self.decoder_lstm, self.hidden_size
        dout = self.decoder_affine.backward(dscores)
        dinput = lstm.backward(dout[:, :, hidden:])
        self.decoder_embed.backward_params(dinput[:, :, hidden:])
        dpeek = dout[:, :, :hidden].sum(axis=1) + dinput[:, :, :hidden].sum(axis=1)
        return self._last_state_gradient(lstm.dh + dpeek)


class AttentionSeq2seq(Seq2seq):
    """Chapter 8's model: each decoder step attends over all the encoder's states.

    The decoder LSTM starts from the encoder's last state; at every step a
    :class:`~numnet.layers.TimeAttention` context c (a weighted sum of the
    encoder states, weights from dot products with the decoder state) is
    concatenated with the decoder state, [c, h] (2H), before the affine layer.
    After :meth:`predict` or :meth:`generate`, ``attention_weights``
    (N, length, T_in) holds the attention map (the book's figure 8-26).
    """

    def __init__(
        self,
        vocab_size: int,
        wordvec_size: int = 16,
        hidden_size: int = 256,
        seed: int | None = None,
        dtype: DTypeLike = np.float32,
    ) -> None:
        self.attention = TimeAttention()
        super().__init__(vocab_size, wordvec_size, hidden_size, seed=seed, dtype=dtype)

    @classmethod
    def _decoder_sizes(cls, wordvec_size: int, hidden_size: int) -> tuple[int, int]:
        return wordvec_size, 2 * hidden_size

    def _decode(self, ids: NDArray, hs: NDArray, start: bool, train: bool) -> NDArray:
        lstm = self.decoder_lstm
        if start:
            lstm.set_state(hs[:, -1])
        decoded = lstm.forward(self.decoder_embed.forward(ids, train), train)
        contexts = self.attention.forward(hs, decoded)
        return self.decoder_affine.forward(np.concatenate((contexts, decoded), axis=2), train)

    def _decode_backward(self, dscores: NDArray) -> NDArray:
        lstm, hidden = self.decoder_lstm, self.hidden_size
        dout = self.decoder_affine.backward(dscores)
        dhs, ddecoded = self.attention.backward(dout[:, :, :hidden])
        dinput = lstm.backward(ddecoded + dout[:, :, hidden:])
        self.decoder_embed.backward_params(dinput)
        dhs[:, -1] += lstm.dh
        return dhs

    def _attention_map(self) -> NDArray | None:
        return self.attention.attention_weights
