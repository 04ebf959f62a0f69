"""Which sequence model for which sequence dataset, with the book's settings: what ``numnet train`` uses.

:data:`SEQUENCE_DEFAULTS` holds the settings of "Deep Learning from Scratch 2"
for each sequence dataset: ``addition`` (chapter 7: the peeky decoder on
reversed questions), ``dates`` (chapter 8: attention) and ``ptb`` (chapter 6:
the LSTM language model, trained by truncated BPTT). :func:`load_sequence_data`
loads a dataset in the layout its models train on (:class:`SequenceData`),
:func:`build_sequence_model` builds a model of :data:`SEQUENCE_MODELS` for it.
The model's metadata records the dataset, its symbols and whether the
questions were reversed, so that a saved model can decode and answer on its
own (:func:`encode_questions`, :func:`decode`).

PTB comes from :func:`numnet.data.ptb.load_ptb`; without ``ptb.train.txt``
(``train_split="valid"``) the model trains on ``ptb.valid.txt`` and is
evaluated on ``ptb.test.txt``, the words numbered by those two files.

PTB also trains word vectors (chapter 4): :data:`WORD2VEC_DEFAULTS` holds the
book's settings, :data:`WORD2VEC_MODELS` the two models (CBOW and skip-gram
with negative sampling), :func:`load_word2vec_data` the contexts and targets
of a split and :func:`build_word2vec_model` the model, whose metadata keeps
the words so that :func:`nearest_words` can name each query's neighbours.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from os import PathLike
from typing import Any

import numpy as np
from numpy.typing import NDArray

from numnet.data.batching import bptt_batches
from numnet.data.ptb import load_ptb
from numnet.data.sequences import SEQUENCE_FILES, START, load_sequences
from numnet.models import Model
from numnet.sequence_models import RNNLM, AttentionSeq2seq, PeekySeq2seq, Seq2seq
from numnet.text import create_contexts_target, most_similar
from numnet.word2vec import CBOW, SkipGram, negative_sampling_baseline

__all__ = [
    "SequenceDefaults",
    "SEQUENCE_DEFAULTS",
    "SEQUENCE_MODELS",
    "SequenceData",
    "load_sequence_data",
    "build_sequence_model",
    "encode_questions",
    "answer_questions",
    "decode",
    "Word2VecDefaults",
    "WORD2VEC_DEFAULTS",
    "WORD2VEC_MODELS",
    "QUERY_WORDS",
    "Word2VecData",
    "load_word2vec_data",
    "build_word2vec_model",
    "unigram_baseline",
    "nearest_words",
]


@dataclass(frozen=True)
class SequenceDefaults:
    """The book's settings for a sequence dataset."""

    model: str  # a key of SEQUENCE_MODELS
    wordvec_size: int
    hidden_size: int
    epochs: int
    batch_size: int
    optimizer: str
    lr: float
    clip_norm: float
    reverse: bool = False  # read the questions backwards
    time_size: int = 0  # truncated BPTT: steps per chunk (the language model only)


#: The settings of chapters 7, 8 and 6.
SEQUENCE_DEFAULTS: dict[str, SequenceDefaults] = {
    "addition": SequenceDefaults("peeky", 16, 128, 25, 128, "adam", 1e-3, 5.0, reverse=True),
    "dates": SequenceDefaults("attention", 16, 256, 10, 128, "adam", 1e-3, 5.0, reverse=True),
    "ptb": SequenceDefaults("rnnlm", 100, 100, 4, 20, "sgd", 20.0, 0.25, time_size=35),
}

#: Model name -> class; ``rnnlm`` is for ``ptb``, the others for ``addition`` and ``dates``.
SEQUENCE_MODELS: dict[str, type[Model]] = {
    "seq2seq": Seq2seq,
    "peeky": PeekySeq2seq,
    "attention": AttentionSeq2seq,
    "rnnlm": RNNLM,
}


@dataclass(frozen=True)
class SequenceData:
    """A sequence dataset in the layout its models train on.

    Attributes:
        name: ``"addition"``, ``"dates"`` or ``"ptb"``.
        x_train, t_train, x_test, t_test: questions (N, T_in) and answers
            (N, 1 + T_out) starting with the start symbol; for ``ptb``
            truncated-BPTT chunks (see :func:`numnet.data.bptt_batches`).
        symbols: the symbol of each id (characters, or words for ``ptb``).
        reverse: whether the questions are read backwards.
        test_corpus: for ``ptb``, the test split as one sequence of ids.
    """

    name: str
    x_train: NDArray[np.int64]
    t_train: NDArray[np.int64]
    x_test: NDArray[np.int64]
    t_test: NDArray[np.int64]
    symbols: tuple[str, ...]
    reverse: bool = False
    test_corpus: NDArray[np.int64] | None = None

    @property
    def is_language_model(self) -> bool:
        return self.test_corpus is not None


def load_sequence_data(
    name: str,
    data_dir: str | PathLike[str] | None = None,
    reverse: bool | None = None,
    batch_size: int | None = None,
    time_size: int | None = None,
    train_split: str = "train",
    verbose: bool = True,
) -> SequenceData:
    """Load ``name`` (a key of :data:`SEQUENCE_DEFAULTS`); unset options take the dataset's defaults.

    ``reverse`` applies to ``addition`` and ``dates``; ``batch_size``,
    ``time_size`` and ``train_split`` (``"train"``, or ``"valid"`` where the
    training file is not at hand) to ``ptb``.
    """
    defaults = _defaults(name)
    if name == "ptb":
        return _load_ptb(data_dir, batch_size or defaults.batch_size, time_size or defaults.time_size, train_split)
    reverse = defaults.reverse if reverse is None else reverse
    (x_train, t_train), (x_test, t_test), vocab = load_sequences(name, data_dir, reverse, verbose=verbose)
    return SequenceData(name, x_train, t_train, x_test, t_test, vocab.chars, reverse=reverse)


def _load_ptb(data_dir: str | PathLike[str] | None, batch_size: int, time_size: int, train_split: str) -> SequenceData:
    if train_split not in ("train", "valid"):
        raise ValueError(f"train_split must be 'train' or 'valid', got {train_split!r}")
    download = train_split == "train"  # without the training file, number the words by valid and test
    train, _, id_to_word = load_ptb(train_split, data_dir, download=download)
    test, _, _ = load_ptb("test", data_dir, download=download)
    x_train, t_train = bptt_batches(train, batch_size, time_size)
    x_test, t_test = bptt_batches(test, batch_size, time_size)
    symbols = tuple(id_to_word[i] for i in range(len(id_to_word)))
    return SequenceData("ptb", x_train, t_train, x_test, t_test, symbols, test_corpus=np.asarray(test))


def build_sequence_model(
    model: str,
    data: SequenceData,
    wordvec_size: int | None = None,
    hidden_size: int | None = None,
    seed: int | None = None,
) -> Model:
    """A new model of :data:`SEQUENCE_MODELS` for ``data``, the dataset's sizes unless given; metadata attached."""
    if model not in SEQUENCE_MODELS:
        raise ValueError(f"model must be one of {sorted(SEQUENCE_MODELS)}, got {model!r}")
    if (model == "rnnlm") != data.is_language_model:
        fitting = "rnnlm" if data.is_language_model else "seq2seq, peeky or attention"
        raise ValueError(f"model {model!r} does not fit the {data.name} dataset: use {fitting}")
    defaults = _defaults(data.name)
    sizes = (len(data.symbols), wordvec_size or defaults.wordvec_size, hidden_size or defaults.hidden_size)
    built: Model = SEQUENCE_MODELS[model](*sizes, seed=seed)  # type: ignore[call-arg]
    built.metadata = {"dataset": data.name, "symbols": list(data.symbols), "reverse": data.reverse}
    return built


def _defaults(name: str) -> SequenceDefaults:
    if name not in SEQUENCE_DEFAULTS:
        raise ValueError(f"dataset must be one of {sorted(SEQUENCE_DEFAULTS)}, got {name!r}")
    return SEQUENCE_DEFAULTS[name]


# ---------------------------------------------------------------- text in and out


def _symbols(model: Model) -> list[str]:
    symbols = model.metadata.get("symbols")
    if not isinstance(symbols, list) or not symbols:
        raise ValueError(f"this {type(model).__name__} records no symbols: it was not trained by numnet train")
    return symbols


def encode_questions(model: Model, questions: Sequence[str], width: int) -> NDArray[np.int64]:
    """Questions as the model reads them: padded with spaces to ``width``, ids, reversed if it was trained so.

    Raises ValueError naming a question that is too long or holds a character the model does not know.
    """
    index = {symbol: i for i, symbol in enumerate(_symbols(model))}
    rows = []
    for question in questions:
        if len(question) > width:
            raise ValueError(f"question {question!r} is longer than the {width} characters the model reads")
        unknown = sorted(set(question) - index.keys())
        if unknown:
            raise ValueError(f"question {question!r} holds characters the model does not know: {unknown}")
        rows.append([index[char] for char in question.ljust(width)])
    ids = np.array(rows, dtype=np.int64).reshape(len(rows), width)
    return np.ascontiguousarray(ids[:, ::-1]) if model.metadata.get("reverse") else ids


def decode(model: Model, ids: Any, separator: str = "") -> str:
    """The text of ``ids`` in the model's symbols (characters joined by ``separator``; words by a space)."""
    symbols = _symbols(model)
    return separator.join(symbols[int(i)] for i in np.asarray(ids).reshape(-1))


def answer_questions(model: Seq2seq, questions: Sequence[str]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Greedy answers to ``questions`` (strings) by a model trained on ``addition`` or ``dates``.

    Returns the questions' ids as the model reads them (padded, reversed if
    it was trained so) and the answers' ids (N, T_out), without the start
    symbol. After an attending model answers, ``model.attention_weights`` is its map.
    """
    dataset = model.metadata.get("dataset")
    if dataset not in SEQUENCE_FILES:
        raise ValueError(f"the model records the dataset {dataset!r}, not one of {sorted(SEQUENCE_FILES)}")
    spec = SEQUENCE_FILES[str(dataset)]
    ids = encode_questions(model, questions, spec.question_width)
    return ids, model.generate(ids, _symbols(model).index(START), spec.answer_width - 1)


# ---------------------------------------------------------------- word vectors on PTB (chapter 4)


@dataclass(frozen=True)
class Word2VecDefaults:
    """The book's settings for word2vec on PTB (``ch04/train.py``)."""

    model: str  # a key of WORD2VEC_MODELS
    hidden_size: int
    window_size: int
    epochs: int
    batch_size: int
    optimizer: str
    lr: float


#: Chapter 4: CBOW, 100-dimensional vectors, window 5, 10 epochs of batch 100, Adam.
WORD2VEC_DEFAULTS = Word2VecDefaults("cbow", 100, 5, 10, 100, "adam", 1e-3)

#: Model name -> class; both train on PTB by negative sampling.
WORD2VEC_MODELS: dict[str, type[CBOW] | type[SkipGram]] = {"cbow": CBOW, "skipgram": SkipGram}

#: The words whose neighbours the book prints after training.
QUERY_WORDS = ("you", "year", "car", "toyota")


@dataclass(frozen=True)
class Word2VecData:
    """One PTB split cut into word2vec samples.

    Attributes:
        split: the file trained on, ``"train"`` or ``"valid"``.
        corpus: its word ids (T,), whose counts the negatives follow.
        contexts: (T - 2w, 2w) the ``w = window_size`` words on each side of ``target``.
        target: (T - 2w,) the middle words.
        words: the word of each id.
        window_size: w.
    """

    split: str
    corpus: NDArray[np.int64]
    contexts: NDArray[np.int64]
    target: NDArray[np.int64]
    words: tuple[str, ...]
    window_size: int

    def xy(self, model: str) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """The model's ``(x, t)``: contexts and targets for CBOW, swapped for skip-gram (it predicts contexts)."""
        return (self.contexts, self.target) if model == "cbow" else (self.target, self.contexts)


def load_word2vec_data(
    data_dir: str | PathLike[str] | None = None,
    window_size: int | None = None,
    train_split: str = "train",
    verbose: bool = True,
) -> Word2VecData:
    """The PTB ``train_split`` (``"train"``, or ``"valid"`` offline) as word2vec samples.

    Without the training file (``"valid"``) the words are numbered by the
    validation and test files, as for the language model.
    """
    if train_split not in ("train", "valid"):
        raise ValueError(f"train_split must be 'train' or 'valid', got {train_split!r}")
    window_size = window_size or WORD2VEC_DEFAULTS.window_size
    corpus, _, id_to_word = load_ptb(train_split, data_dir, download=train_split == "train", verbose=verbose)
    contexts, target = create_contexts_target(corpus, window_size)
    words = tuple(id_to_word[i] for i in range(len(id_to_word)))
    return Word2VecData(train_split, np.asarray(corpus), contexts, target, words, window_size)


def build_word2vec_model(
    model: str, data: Word2VecData, hidden_size: int | None = None, seed: int | None = None
) -> CBOW | SkipGram:
    """A new ``"cbow"`` or ``"skipgram"`` for ``data`` (its vocabulary, window and word counts); metadata attached."""
    if model not in WORD2VEC_MODELS:
        raise ValueError(f"model must be one of {sorted(WORD2VEC_MODELS)}, got {model!r}")
    hidden = hidden_size or WORD2VEC_DEFAULTS.hidden_size
    built = WORD2VEC_MODELS[model](len(data.words), hidden, data.window_size, corpus=data.corpus, seed=seed)
    built.metadata = {"dataset": "ptb", "train_split": data.split, "symbols": list(data.words)}
    return built


def unigram_baseline(model: CBOW | SkipGram) -> float:
    """The loss of a model that ignores the context (see :func:`numnet.word2vec.negative_sampling_baseline`)."""
    config = model.config
    return negative_sampling_baseline(config["counts"], config["power"], config["sample_size"])


def nearest_words(model: CBOW | SkipGram, queries: Sequence[str] = QUERY_WORDS, top: int = 5) -> dict[str, list[str]]:
    """The ``top`` nearest words (cosine similarity of ``model.word_vecs``) of each query the model trained on.

    Queries outside the vocabulary, or absent from the training corpus (whose
    vectors kept their random start), are left out.
    """
    words = _symbols(model)
    word_to_id = {word: i for i, word in enumerate(words)}
    id_to_word = dict(enumerate(words))
    counts = model.config["counts"]
    return {
        query: [word for word, _ in most_similar(query, word_to_id, id_to_word, model.word_vecs, top)]
        for query in queries
        if query in word_to_id and counts[word_to_id[query]] > 0
    }
