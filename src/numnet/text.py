"""Words as vectors: a corpus and its vocabulary, co-occurrence counts, PPMI and SVD,
similarity queries, and the data word2vec trains on ("Deep Learning from Scratch 2",
chapters 2 to 4).

A *corpus* here is a 1-d integer array of word ids ``(T,)``; a *vocabulary* maps each
word to an id in ``[0, V)`` and back. :func:`preprocess` splits a text as the book does
and numbers its words by first appearance; :class:`Vocabulary` does the same for real
corpora, with an unknown-word token and a minimum count.

The count-based word vectors of chapter 2: :func:`create_co_matrix` counts the words
around each word, :func:`ppmi` turns the counts into positive pointwise mutual
information, and :func:`truncated_svd` / :func:`reduce_dimensions` compress the rows.
:func:`cos_similarity`, :func:`most_similar` and :func:`analogy` query any word matrix
``(V, D)``, whatever made it. For word2vec (chapters 3 and 4):
:func:`create_contexts_target`, :func:`convert_one_hot` and :class:`UnigramSampler`.

Only NumPy is needed; tqdm (progress of :func:`ppmi` on large matrices) and
scikit-learn (the randomized SVD of large matrices) are used when installed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from numnet._checks import Seed, as_generator, check_ids, check_positive_int

__all__ = [
    "tokenize",
    "lines_to_tokens",
    "preprocess",
    "Vocabulary",
    "create_co_matrix",
    "ppmi",
    "cos_similarity",
    "most_similar",
    "analogy",
    "truncated_svd",
    "reduce_dimensions",
    "create_contexts_target",
    "convert_one_hot",
    "UnigramSampler",
]

#: A word: letters and digits, with inner apostrophes or hyphens ("don't", "well-known").
#: Every other visible character is a token of its own (".", ",", "?", ...).
_TOKEN = re.compile(r"\w+(?:['’-]\w+)*|[^\w\s]")

#: Matrices whose smaller side is at most this use NumPy's full SVD when ``method="auto"``.
FULL_SVD_MAX = 1000

MISSING_SKLEARN = "a randomized SVD needs scikit-learn: pip install scikit-learn (or pass method='full')"

IdToWord = Mapping[int, str] | Sequence[str]


# ------------------------------------------------------------------ text and vocabulary


def tokenize(text: str) -> list[str]:
    """Split ``text`` as "Deep Learning from Scratch 2" does: lower case, punctuation apart.

    ``"You say goodbye and I say hello."`` gives ``['you', 'say', 'goodbye', 'and', 'i',
    'say', 'hello', '.']``. The book only splits off the full stop; here every
    punctuation character is a token of its own, and apostrophes or hyphens inside a
    word stay in it (``"don't"``, ``"well-known"``).
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    return _TOKEN.findall(text.lower())


def lines_to_tokens(lines: Iterable[str], eos: str | None = "<eos>") -> list[str]:
    """The whitespace-separated tokens of ``lines``, each line followed by ``eos``.

    This is how the Penn Treebank files are read (one sentence a line, already
    tokenized and lower-cased); ``eos=None`` adds no end-of-sentence token.
    """
    if isinstance(lines, str):
        raise TypeError("lines must be an iterable of lines, got a single str (use str.splitlines())")
    tokens: list[str] = []
    for line in lines:
        tokens.extend(line.split())
        if eos is not None:
            tokens.append(eos)
    return tokens


def preprocess(text: str) -> tuple[NDArray[np.int64], dict[str, int], dict[int, str]]:
    """The book's ``preprocess``: ``(corpus, word_to_id, id_to_word)`` of ``text``.

    ``corpus`` is the ``(T,)`` int64 array of word ids, words numbered ``0, 1, ...`` in
    order of first appearance (see :func:`tokenize` for the splitting). A text with no
    word raises ``ValueError``.
    """
    tokens = tokenize(text)
    if not tokens:
        raise ValueError(f"text must hold at least one word, got {text[:50]!r}")
    vocab = Vocabulary.from_tokens(tokens, unk=None)
    return vocab.encode(tokens), vocab.word_to_id, vocab.id_to_word


class Vocabulary:
    """A one-to-one map between ``V`` words and the ids ``0 .. V-1``.

    ``words`` lists the distinct words in id order. ``unk`` names the token that
    stands for unknown words: :meth:`encode` maps any word not in the vocabulary to
    its id; with ``unk=None`` an unknown word is an error. ``counts`` optionally
    records how often each word occurred (aligned with ``words``).

    Build one with :meth:`from_tokens` or :meth:`from_lines`; save it with
    :meth:`to_dict` (JSON-able) and :meth:`from_dict`.
    """

    def __init__(self, words: Iterable[str], *, unk: str | None = None, counts: Iterable[int] | None = None) -> None:
        words = list(words)
        for word in words:
            if not isinstance(word, str) or not word:
                raise TypeError(f"words must be non-empty strings, got {word!r}")
        index = {word: i for i, word in enumerate(words)}
        if len(index) != len(words):
            duplicate = next(word for i, word in enumerate(words) if index[word] != i)
            raise ValueError(f"words must be distinct, got {duplicate!r} twice")
        if unk is not None and unk not in index:
            raise ValueError(f"unk must be one of the words or None, got {unk!r}")
        if counts is not None:
            counts = [int(count) for count in counts]
            if len(counts) != len(words) or any(count < 0 for count in counts):
                raise ValueError(f"counts must be {len(words)} non-negative integers, one per word, got {counts[:10]}")
        self._words = words
        self._index = index
        self.unk = unk
        self.counts: tuple[int, ...] | None = None if counts is None else tuple(counts)

    @classmethod
    def from_tokens(cls, tokens: Iterable[str], *, min_count: int = 1, unk: str | None = "<unk>") -> Vocabulary:
        """The vocabulary of ``tokens``: words numbered by first appearance.

        Words seen fewer than ``min_count`` times are left out and counted as ``unk``.
        With ``unk`` set, the vocabulary always holds it: at its first appearance if
        it occurs among the tokens (as ``<unk>`` does in the Penn Treebank), else after
        all the words. ``unk=None`` requires ``min_count=1``.
        """
        check_positive_int("min_count", min_count)
        if unk is None and min_count > 1:
            raise ValueError(f"min_count={min_count} drops words, so unk must name a token for them, got None")
        if isinstance(tokens, str):
            raise TypeError("tokens must be an iterable of words, got a single str (use tokenize() or str.split())")
        counter = Counter(tokens)  # keeps first-appearance order
        words = [word for word, count in counter.items() if count >= min_count or word == unk]
        if unk is not None and unk not in counter:
            words.append(unk)
        dropped = sum(count for word, count in counter.items() if count < min_count and word != unk)
        counts = [counter.get(word, 0) + (dropped if word == unk else 0) for word in words]
        return cls(words, unk=unk, counts=counts)

    @classmethod
    def from_lines(
        cls, lines: Iterable[str], *, eos: str | None = "<eos>", min_count: int = 1, unk: str | None = "<unk>"
    ) -> Vocabulary:
        """The vocabulary of whitespace-tokenized ``lines`` (see :func:`lines_to_tokens`)."""
        return cls.from_tokens(lines_to_tokens(lines, eos), min_count=min_count, unk=unk)

    def __len__(self) -> int:
        return len(self._words)

    def __contains__(self, word: object) -> bool:
        return word in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._words)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Vocabulary):
            return NotImplemented
        return self._words == other._words and self.unk == other.unk and self.counts == other.counts

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} words, unk={self.unk!r})"

    @property
    def words(self) -> list[str]:
        """The words in id order (a copy)."""
        return list(self._words)

    @property
    def word_to_id(self) -> dict[str, int]:
        """``{word: id}`` as the book's code uses it (a copy)."""
        return dict(self._index)

    @property
    def id_to_word(self) -> dict[int, str]:
        """``{id: word}`` as the book's code uses it (a copy)."""
        return dict(enumerate(self._words))

    @property
    def unk_id(self) -> int | None:
        """The id of the unknown-word token, or ``None``."""
        return None if self.unk is None else self._index[self.unk]

    def to_id(self, word: str) -> int:
        """The id of ``word`` (the ``unk`` id for an unknown word; ``KeyError`` without ``unk``)."""
        found = self._index.get(word)
        if found is not None:
            return found
        if self.unk is None:
            raise KeyError(f"word {word!r} is not in the vocabulary ({len(self)} words) and there is no unk token")
        return self._index[self.unk]

    def to_word(self, word_id: int) -> str:
        """The word of id ``word_id``; ``ValueError`` naming it when out of ``[0, V)``."""
        return self.decode([word_id])[0]

    def encode(self, tokens: Iterable[str]) -> NDArray[np.int64]:
        """The ``(T,)`` int64 ids of ``tokens`` (unknown words as :meth:`to_id` maps them)."""
        if isinstance(tokens, str):
            raise TypeError("tokens must be an iterable of words, got a single str (use tokenize() or str.split())")
        index = self._index
        if self.unk is None:
            return np.fromiter((self.to_id(word) for word in tokens), dtype=np.int64)
        unk_id = index[self.unk]
        return np.fromiter((index.get(word, unk_id) for word in tokens), dtype=np.int64)

    def decode(self, ids: ArrayLike) -> list[str]:
        """The words of the integer ids ``ids`` (any shape, flattened in C order)."""
        ids = check_ids(ids, len(self), "ids", allow_empty=True).reshape(-1)
        return [self._words[i] for i in ids.tolist()]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able description: ``{"words": [...], "unk": ..., "counts": [...] or None}``."""
        return {
            "words": list(self._words),
            "unk": self.unk,
            "counts": None if self.counts is None else list(self.counts),
        }

    @classmethod
    def from_dict(cls, description: Mapping[str, Any]) -> Vocabulary:
        """The vocabulary :meth:`to_dict` described; ``ValueError`` for a malformed description."""
        if not isinstance(description, Mapping) or not isinstance(description.get("words"), list):
            raise ValueError("a vocabulary description must be a mapping with a list of 'words'")
        return cls(description["words"], unk=description.get("unk"), counts=description.get("counts"))


# ------------------------------------------------------------------ argument checks


def _check_corpus(corpus: ArrayLike, vocab_size: int | None = None) -> NDArray[np.integer]:
    array = np.asarray(corpus)
    if array.ndim != 1:
        raise ValueError(f"corpus must be a 1-d array of word ids, got shape {array.shape}")
    return check_ids(array, vocab_size, "corpus")


def _check_window(window_size: int) -> int:
    check_positive_int("window_size", window_size)
    return int(window_size)


def _check_word_matrix(word_matrix: ArrayLike, id_to_word: IdToWord) -> NDArray:
    matrix = np.asarray(word_matrix)
    if matrix.ndim != 2 or matrix.dtype.kind not in "iuf":
        raise ValueError(f"word_matrix must be a 2-d numeric array (V, D), got shape {matrix.shape} {matrix.dtype}")
    if len(id_to_word) != len(matrix):
        raise ValueError(
            f"word_matrix has {len(matrix)} rows but id_to_word names {len(id_to_word)} words; they must match"
        )
    return matrix


def _word_id(word: str, word_to_id: Mapping[str, int], name: str) -> int:
    if word not in word_to_id:
        raise KeyError(f"{name} word {word!r} is not in the vocabulary ({len(word_to_id)} words)")
    return word_to_id[word]


# ------------------------------------------------------------------ count-based vectors


def create_co_matrix(corpus: ArrayLike, vocab_size: int, window_size: int = 1) -> NDArray[np.int32]:
    """The co-occurrence matrix ``C`` ``(V, V)`` int32 of ``corpus`` ``(T,)``.

    ``C[w, c]`` counts the positions where word ``c`` appears within ``window_size``
    words to the left or right of word ``w`` (the book's definition; symmetric).
    """
    check_positive_int("vocab_size", vocab_size)
    window_size = _check_window(window_size)
    corpus = _check_corpus(corpus, vocab_size).astype(np.int64)
    pairs = [(corpus[:-d], corpus[d:]) for d in range(1, min(window_size, len(corpus) - 1) + 1)]
    co_matrix = np.zeros((vocab_size, vocab_size), dtype=np.int32)
    if not pairs:
        return co_matrix
    left = np.concatenate([a for a, _ in pairs])
    right = np.concatenate([b for _, b in pairs])
    # each neighbouring pair counts once in each direction; np.unique adds up repeated cells
    cells, counts = np.unique(
        np.concatenate([left * vocab_size + right, right * vocab_size + left]), return_counts=True
    )
    co_matrix.flat[cells] = counts
    return co_matrix


def ppmi(C: ArrayLike, eps: float = 1e-8, verbose: bool = False, dtype: DTypeLike = "float32") -> NDArray[np.floating]:
    """Positive pointwise mutual information of the co-occurrence matrix ``C`` ``(V, V)``.

    ``PPMI(i, j) = max(0, log2(C[i, j] * N / (S[i] * S[j]) + eps))`` with ``N`` the sum
    of ``C`` and ``S`` its column sums, as the book computes it (``S`` stands for the
    word counts, which the column sums of a symmetric ``C`` approximate). A word that
    co-occurs with nothing gets a zero row. Computed in float64 a block of rows at a
    time (bounded memory), returned in ``dtype``; ``verbose`` shows a tqdm bar over
    the blocks when tqdm is installed.
    """
    C = np.asarray(C)
    if C.ndim != 2 or C.shape[0] != C.shape[1]:
        raise ValueError(f"C must be a square co-occurrence matrix (V, V), got shape {C.shape}")
    if C.dtype.kind not in "iuf":
        raise TypeError(f"C must hold counts, got dtype {C.dtype}")
    if C.size and C.min() < 0:
        raise ValueError(f"C must hold non-negative counts, got {C.min()}")
    total = float(C.sum(dtype=np.float64))
    if total == 0:
        raise ValueError("C holds no co-occurrence (all its counts are zero)")
    if not eps >= 0:
        raise ValueError(f"eps must be >= 0, got {eps!r}")
    column_sums = C.sum(axis=0, dtype=np.float64)
    result = np.empty(C.shape, dtype=dtype)
    rows_per_block = max(1, (1 << 22) // max(1, C.shape[1]))
    starts = range(0, len(C), rows_per_block)
    for start in _progress(starts, verbose, desc="ppmi"):
        stop = start + rows_per_block
        expected = column_sums[start:stop, None] * column_sums[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            pmi = np.log2(C[start:stop] * total / expected + eps)
        # a word that co-occurs with nothing gives 0/0 = nan there: its PPMI is 0
        result[start:stop] = np.where(pmi > 0, pmi, 0.0)
    return result


def _progress(items: Sequence[int], verbose: bool, desc: str) -> Iterable[int]:
    """``items``, wrapped in a tqdm bar when ``verbose``, there is more than one, and tqdm is installed."""
    if not verbose or len(items) < 2:
        return items
    try:
        from tqdm import tqdm  # noqa: PLC0415 - optional dependency
    except ImportError:
        return items
    return tqdm(items, desc=desc, leave=False)


def cos_similarity(x: ArrayLike, y: ArrayLike, eps: float = 1e-8) -> float | NDArray[np.floating]:
    """Cosine similarity of ``x`` and ``y`` as the book computes it.

    ``x / (||x|| + eps) · y / (||y|| + eps)``: ``eps`` keeps a zero vector from dividing
    by zero (its similarity is 0). ``x`` is a vector ``(D,)`` (a float is returned)
    or a matrix ``(N, D)`` (the ``(N,)`` similarities of its rows to ``y``); ``y`` is
    ``(D,)``.
    """
    x = _as_float(x)
    similarity = _cosine(x, y, eps)
    return float(similarity) if x.ndim == 1 else similarity


def _cosine(x: ArrayLike, y: ArrayLike, eps: float = 1e-8) -> NDArray[np.floating]:
    """:func:`cos_similarity` as an array (0-d for a vector ``x``)."""
    x = _as_float(x)
    y = _as_float(y)
    if y.ndim != 1 or x.ndim not in (1, 2) or x.shape[-1] != y.shape[0]:
        raise ValueError(f"x must be (D,) or (N, D) and y (D,) with the same D, got shapes {x.shape} and {y.shape}")
    nx = x / (np.sqrt(np.sum(x**2, axis=-1, keepdims=True)) + eps)
    ny = y / (np.sqrt(np.sum(y**2)) + eps)
    return np.asarray(nx @ ny)


def _as_float(values: ArrayLike) -> NDArray[np.floating]:
    """``values`` as a floating array (integer counts become float64, so squares cannot overflow)."""
    array = np.asarray(values)
    return array if array.dtype.kind == "f" else array.astype(np.float64)


def _ranked(similarity: NDArray, skip: Sequence[int], id_to_word: IdToWord, top: int) -> list[tuple[str, float]]:
    """The ``top`` highest similarities (ties in id order), leaving out the ids ``skip``."""
    check_positive_int("top", top)
    order = np.argsort(-similarity, kind="stable")
    order = order[~np.isin(order, skip)][:top]
    return [(id_to_word[int(i)], float(similarity[i])) for i in order]


def _print_ranked(header: str, ranked: list[tuple[str, float]]) -> None:
    """Ranked words as the book prints them: a blank line, the header, then `` word: similarity`` lines."""
    print(f"\n{header}")
    for word, similarity in ranked:
        print(f" {word}: {similarity}")


def most_similar(
    query: str,
    word_to_id: Mapping[str, int],
    id_to_word: IdToWord,
    word_matrix: ArrayLike,
    top: int = 5,
    verbose: bool = False,
) -> list[tuple[str, float]]:
    """The ``top`` words most similar to ``query``: ``[(word, cosine similarity), ...]``.

    ``word_matrix`` ``(V, D)`` holds one vector per word id. Words are ranked by
    :func:`cos_similarity` to the query's vector, highest first, ties in id order;
    the query itself is left out. With ``verbose`` the result is also printed as the
    book prints it (``[query] you`` then `` goodbye: 0.7071067691154799`` ...). A
    query not in ``word_to_id`` raises ``KeyError`` naming it.
    """
    matrix = _check_word_matrix(word_matrix, id_to_word)
    query_id = _word_id(query, word_to_id, "query")
    ranked = _ranked(_cosine(matrix, matrix[query_id]), [query_id], id_to_word, top)
    if verbose:
        _print_ranked(f"[query] {query}", ranked)
    return ranked


def analogy(
    a: str,
    b: str,
    c: str,
    word_to_id: Mapping[str, int],
    id_to_word: IdToWord,
    word_matrix: ArrayLike,
    top: int = 5,
    verbose: bool = False,
) -> list[tuple[str, float]]:
    """Solve ``a : b = c : ?`` by vector arithmetic: the words nearest ``b - a + c``.

    For ``analogy("man", "king", "woman", ...)`` a good word matrix ranks ``"queen"``
    first. Returns ``[(word, cosine similarity to b - a + c), ...]`` for the ``top``
    best words other than ``a``, ``b`` and ``c``. The book scores by the dot product of
    each (unnormalized) row with the normalized query; this uses the cosine (rows
    normalized too), so that frequent words with long vectors do not win by length.
    With ``verbose`` it is printed as the book prints it. A word not in
    ``word_to_id`` raises ``KeyError`` naming it.
    """
    matrix = _check_word_matrix(word_matrix, id_to_word)
    ids = [_word_id(word, word_to_id, name) for word, name in ((a, "a"), (b, "b"), (c, "c"))]
    query = matrix[ids[1]] - matrix[ids[0]] + matrix[ids[2]]
    ranked = _ranked(_cosine(matrix, query), ids, id_to_word, top)
    if verbose:
        _print_ranked(f"[analogy] {a}:{b} = {c}:?", ranked)
    return ranked


def truncated_svd(
    matrix: ArrayLike,
    n_components: int | None = None,
    *,
    method: Literal["auto", "full", "randomized"] = "auto",
    n_iter: int = 5,
    seed: Seed = None,
) -> tuple[NDArray, NDArray, NDArray]:
    """The ``n_components`` leading singular triplets ``(U, S, Vt)`` of ``matrix`` ``(M, N)``.

    ``U`` is ``(M, k)``, ``S`` ``(k,)`` in decreasing order, ``Vt`` ``(k, N)`` with ``k =
    n_components`` (default ``min(M, N)``). ``method="full"`` uses NumPy's full SVD;
    ``"randomized"`` scikit-learn's ``randomized_svd`` (Halko et al., ``n_iter`` power
    iterations, seeded by ``seed``), which a vocabulary of 10,000 words needs;
    ``"auto"`` picks full when ``min(M, N) <= 1000`` and randomized otherwise.
    Signs are made deterministic: in each column of ``U`` the entry of largest
    magnitude is positive (scikit-learn's convention), so both methods agree.
    """
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.dtype.kind not in "iuf" or matrix.size == 0:
        raise ValueError(f"matrix must be a non-empty 2-d numeric array, got shape {matrix.shape} {matrix.dtype}")
    if matrix.dtype.kind != "f":
        matrix = matrix.astype(np.float64)
    smaller = min(matrix.shape)
    k = smaller if n_components is None else n_components
    check_positive_int("n_components", k)
    if k > smaller:
        raise ValueError(f"n_components must be at most min(matrix.shape) = {smaller}, got {k}")
    if method not in ("auto", "full", "randomized"):
        raise ValueError(f"method must be 'auto', 'full' or 'randomized', got {method!r}")
    if method == "full" or (method == "auto" and smaller <= FULL_SVD_MAX):
        U, S, Vt = np.linalg.svd(matrix, full_matrices=False)
        U, S, Vt = U[:, :k], S[:k], Vt[:k]
    else:
        check_positive_int("n_iter", n_iter)
        try:
            from sklearn.utils.extmath import randomized_svd  # noqa: PLC0415 - optional dependency
        except ImportError:
            raise ImportError(f"{MISSING_SKLEARN}; the matrix is {matrix.shape[0]}x{matrix.shape[1]}") from None
        random_state = int(as_generator(seed).integers(2**32 - 1))
        U, S, Vt = randomized_svd(matrix, k, n_iter=n_iter, random_state=random_state, flip_sign=False)
    # the sign of each singular pair is arbitrary: fix it as scikit-learn's svd_flip does
    signs = np.sign(U[np.argmax(np.abs(U), axis=0), np.arange(k)])
    signs[signs == 0] = 1
    return U * signs, S, Vt * signs[:, None]


def reduce_dimensions(
    word_matrix: ArrayLike,
    n_components: int = 2,
    *,
    method: Literal["auto", "full", "randomized"] = "auto",
    n_iter: int = 5,
    seed: Seed = None,
) -> NDArray:
    """Dense word vectors ``(V, n_components)``: the leading left singular vectors of ``word_matrix``.

    This is the book's ``U[:, :wordvec_size]`` of the PPMI matrix (see
    :func:`truncated_svd` for ``method``, ``n_iter`` and ``seed``).
    """
    return truncated_svd(word_matrix, n_components, method=method, n_iter=n_iter, seed=seed)[0]


# ------------------------------------------------------------------ word2vec data


def create_contexts_target(corpus: ArrayLike, window_size: int = 1) -> tuple[NDArray, NDArray]:
    """``(contexts, target)`` for word2vec: ``contexts`` ``(T - 2w, 2w)``, ``target`` ``(T - 2w,)``.

    Row ``i`` of ``contexts`` holds the ``w = window_size`` words left and the ``w``
    words right of ``target[i] = corpus[i + w]``, in corpus order. Both are intp
    arrays (int64 on 64-bit machines).
    """
    window_size = _check_window(window_size)
    corpus = _check_corpus(corpus)
    width = 2 * window_size + 1
    if len(corpus) < width:
        raise ValueError(
            f"corpus must hold at least 2 * window_size + 1 = {width} words for one target, got {len(corpus)}"
        )
    windows = np.lib.stride_tricks.sliding_window_view(corpus, width)
    target = windows[:, window_size].copy()
    contexts = np.delete(windows, window_size, axis=1)
    return contexts, target


def convert_one_hot(corpus: ArrayLike, vocab_size: int) -> NDArray[np.int32]:
    """One-hot word ids: ``(N,)`` gives ``(N, V)``, ``(N, C)`` gives ``(N, C, V)``, int32 as in the book."""
    ids = np.asarray(corpus)
    if ids.ndim not in (1, 2):
        raise ValueError(f"corpus must be (N,) or (N, C) word ids, got shape {ids.shape}")
    ids = check_ids(ids, vocab_size, "corpus")
    encoded = np.zeros((*ids.shape, vocab_size), dtype=np.int32)
    np.put_along_axis(encoded, ids[..., None], 1, axis=-1)
    return encoded


class UnigramSampler:
    """Negative samples for word2vec, drawn from the unigram distribution raised to ``power``.

    Word ``w`` is drawn with probability proportional to ``count(w) ** power``
    (``power=0.75`` raises rare words a little, as word2vec does), counted over
    ``corpus`` ``(T,)``; ``vocab_size`` (default ``max(corpus) + 1``) sets how many
    ids there are, words never seen having probability 0. :meth:`from_counts` takes
    the counts instead. Randomness comes from ``seed`` (an int, a
    ``numpy.random.Generator`` shared with a model, or ``None``).

    :meth:`get_negative_sample` never returns a target as its own negative. The
    ``sample_size`` negatives of a target are drawn with replacement (as word2vec's
    C code draws them; the book's CPU version draws without), each from the
    distribution above conditioned on not being the target.

    Attributes:
        counts: ``(V,)`` int64 word counts; ``word_p``: ``(V,)`` the probabilities.
    """

    def __init__(
        self,
        corpus: ArrayLike,
        power: float = 0.75,
        sample_size: int = 5,
        seed: Seed = None,
        *,
        vocab_size: int | None = None,
    ) -> None:
        corpus = _check_corpus(corpus, vocab_size)
        size = int(corpus.max()) + 1 if vocab_size is None else int(vocab_size)
        self._setup(np.bincount(corpus, minlength=size), power, sample_size, seed, "corpus")

    @classmethod
    def from_counts(
        cls, counts: ArrayLike, power: float = 0.75, sample_size: int = 5, seed: Seed = None
    ) -> UnigramSampler:
        """A sampler over the word counts ``counts`` ``(V,)`` (non-negative integers) instead of a corpus."""
        counts = np.asarray(counts)
        if counts.ndim != 1 or counts.dtype.kind not in "iu" or (counts.size and counts.min() < 0):
            raise ValueError(f"counts must be a 1-d array of non-negative integers, got {counts.dtype} {counts.shape}")
        sampler = cls.__new__(cls)
        sampler._setup(counts, power, sample_size, seed, "counts")
        return sampler

    def _setup(self, counts: NDArray, power: float, sample_size: int, seed: Seed, source: str) -> None:
        check_positive_int("sample_size", sample_size)
        if isinstance(power, bool) or not (isinstance(power, (int, float)) and np.isfinite(power) and power > 0):
            raise ValueError(f"power must be a positive number, got {power!r}")
        if np.count_nonzero(counts) < 2:
            raise ValueError(
                f"{source} must hold at least two distinct words to draw negatives that differ from a target"
            )
        weights = counts.astype(np.float64) ** power
        self.counts = counts.astype(np.int64)
        self.vocab_size = len(counts)
        self.sample_size = int(sample_size)
        self.power = float(power)
        self.word_p = weights / weights.sum()
        self._cdf = np.cumsum(weights)
        self._cdf /= self._cdf[-1]  # exactly 1.0 at the end, so every draw u < 1 finds a word
        self.rng = as_generator(seed)

    def get_negative_sample(self, target: ArrayLike, rng: np.random.Generator | None = None) -> NDArray[np.intp]:
        """``sample_size`` negative word ids for each target id: shape ``target.shape + (sample_size,)``.

        ``rng`` draws them instead of the sampler's own generator (a model passes its own).
        """
        rng = self.rng if rng is None else rng
        target = check_ids(target, self.vocab_size, "target", allow_empty=True)
        targets = np.repeat(target[..., None], self.sample_size, axis=-1)
        negative = np.empty(targets.shape, dtype=np.intp)
        # draw every entry, then redraw the entries that hit their target until none does
        # (exact rejection sampling; each round keeps a fraction <= max(word_p) of them)
        pending = np.arange(targets.size)
        while pending.size:
            drawn = np.searchsorted(self._cdf, rng.random(pending.size), side="right")
            negative.flat[pending] = drawn
            pending = pending[drawn == targets.flat[pending]]
        return negative
