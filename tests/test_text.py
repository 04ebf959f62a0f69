"""numnet.text: the book's printed values for its toy sentence, the vocabulary, the
count-based vectors against plain-loop references, SVD, and the negative sampler.

Reference values are the ones "Deep Learning from Scratch 2" prints in chapter 2 for
"You say goodbye and I say hello." (its ch02 scripts: similarity.py, most_similar.py,
ppmi.py, count_method_small.py).
"""

from __future__ import annotations

import json
import math
import sys

import numpy as np
import pytest

from numnet import text
from numnet.text import (
    UnigramSampler,
    Vocabulary,
    analogy,
    convert_one_hot,
    cos_similarity,
    create_co_matrix,
    create_contexts_target,
    lines_to_tokens,
    most_similar,
    ppmi,
    preprocess,
    reduce_dimensions,
    tokenize,
    truncated_svd,
)

TOY = "You say goodbye and I say hello."

BOOK_CO_MATRIX = [
    [0, 1, 0, 0, 0, 0, 0],
    [1, 0, 1, 0, 1, 1, 0],
    [0, 1, 0, 1, 0, 0, 0],
    [0, 0, 1, 0, 1, 0, 0],
    [0, 1, 0, 1, 0, 0, 0],
    [0, 1, 0, 0, 0, 0, 1],
    [0, 0, 0, 0, 0, 1, 0],
]
# ppmi.py, printed with np.set_printoptions(precision=3)
BOOK_PPMI = [
    [0.0, 1.807, 0.0, 0.0, 0.0, 0.0, 0.0],
    [1.807, 0.0, 0.807, 0.0, 0.807, 0.807, 0.0],
    [0.0, 0.807, 0.0, 1.807, 0.0, 0.0, 0.0],
    [0.0, 0.0, 1.807, 0.0, 1.807, 0.0, 0.0],
    [0.0, 0.807, 0.0, 1.807, 0.0, 0.0, 0.0],
    [0.0, 0.807, 0.0, 0.0, 0.0, 0.0, 2.807],
    [0.0, 0.0, 0.0, 0.0, 0.0, 2.807, 0.0],
]
BOOK_COS_YOU_I = 0.7071067691154799
BOOK_MOST_SIMILAR_YOU = """
[query] you
 goodbye: 0.7071067691154799
 i: 0.7071067691154799
 hello: 0.7071067691154799
 say: 0.0
 and: 0.0
"""


@pytest.fixture
def toy():
    corpus, word_to_id, id_to_word = preprocess(TOY)
    C = create_co_matrix(corpus, len(word_to_id), window_size=1)
    return corpus, word_to_id, id_to_word, C


def book_co_matrix(corpus, vocab_size, window_size):
    """The book's definition, one position at a time."""
    C = np.zeros((vocab_size, vocab_size), dtype=np.int64)
    for i, word in enumerate(corpus):
        for d in range(1, window_size + 1):
            if i - d >= 0:
                C[word, corpus[i - d]] += 1
            if i + d < len(corpus):
                C[word, corpus[i + d]] += 1
    return C


# ------------------------------------------------------------------ the book's toy sentence


def test_preprocess_numbers_words_by_first_appearance_as_the_book_does():
    corpus, word_to_id, id_to_word = preprocess(TOY)
    np.testing.assert_array_equal(corpus, [0, 1, 2, 3, 4, 1, 5, 6])
    assert id_to_word == {0: "you", 1: "say", 2: "goodbye", 3: "and", 4: "i", 5: "hello", 6: "."}
    assert word_to_id == {word: i for i, word in id_to_word.items()}
    assert corpus.dtype == np.int64


def test_co_occurrence_matrix_is_the_books(toy):
    _, _, _, C = toy
    np.testing.assert_array_equal(C, BOOK_CO_MATRIX)
    assert C.dtype == np.int32


def test_cos_similarity_of_you_and_i_is_the_books_value(toy):
    _, word_to_id, _, C = toy
    similarity = cos_similarity(C[word_to_id["you"]], C[word_to_id["i"]])
    assert isinstance(similarity, float)
    assert similarity == pytest.approx(BOOK_COS_YOU_I, rel=1e-15, abs=0)


def test_most_similar_you_ranks_and_prints_as_the_book(toy, capsys):
    _, word_to_id, id_to_word, C = toy
    ranked = most_similar("you", word_to_id, id_to_word, C, top=5)
    assert [word for word, _ in ranked] == ["goodbye", "i", "hello", "say", "and"]
    np.testing.assert_allclose([s for _, s in ranked], [BOOK_COS_YOU_I] * 3 + [0.0, 0.0], rtol=1e-15, atol=0)
    assert capsys.readouterr().out == ""  # silent unless asked
    most_similar("you", word_to_id, id_to_word, C, top=5, verbose=True)
    assert capsys.readouterr().out == BOOK_MOST_SIMILAR_YOU


def test_ppmi_is_the_books_matrix_to_its_printed_precision(toy):
    _, _, _, C = toy
    W = ppmi(C)
    assert W.dtype == np.float32
    np.testing.assert_array_equal(np.round(W, 3), np.array(BOOK_PPMI, dtype=np.float32))
    # and exactly its definition: N = 14 pairs, you (1 pair) next to say (4 pairs): log2(14 / 4)
    assert W[0, 1] == np.float32(math.log2(14 / 4 + 1e-8))
    assert W[5, 6] == np.float32(math.log2(14 / 2 + 1e-8))


def test_most_similar_on_ppmi_follows_from_the_ppmi_rows(toy):
    _, word_to_id, id_to_word, C = toy
    W = ppmi(C, dtype="float64")
    ranked = dict(most_similar("you", word_to_id, id_to_word, W, top=6))
    # you = (0, log2 3.5, 0...), goodbye = (0, log2 1.75, 0, log2 3.5, 0...)
    a, b = math.log2(3.5), math.log2(1.75)
    assert ranked["goodbye"] == pytest.approx(b / math.hypot(a, b), rel=1e-7)
    assert ranked["i"] == ranked["goodbye"]
    assert ranked["say"] == 0.0


def test_svd_of_the_toy_ppmi_gives_the_books_u0_up_to_its_free_rotations(toy):
    _, _, _, C = toy
    W = ppmi(C)
    U, S, Vt = truncated_svd(W)
    np.testing.assert_allclose((U * S) @ Vt, W, atol=1e-5)
    np.testing.assert_allclose(U.T @ U, np.eye(7), atol=1e-5)
    # the singular values come in equal pairs, so each pair's two columns of U are any
    # orthonormal basis of their plane; what is fixed is the length of U[0] in each plane.
    # The book prints U[0] = [3.409e-01 -1.110e-16 -1.205e-01 -4.441e-16 0.000e+00 -9.323e-01 ...]
    np.testing.assert_allclose(S[0:6:2], S[1:6:2], rtol=1e-5)
    lengths = [np.hypot(U[0, k], U[0, k + 1]) for k in (0, 2, 4)]
    np.testing.assert_allclose(lengths, [0.3409, 0.1205, 0.9323], atol=5e-5)
    np.testing.assert_array_equal(reduce_dimensions(W, 2), U[:, :2])


# ------------------------------------------------------------------ tokens and vocabulary


def test_tokenize_puts_punctuation_apart_and_keeps_words_whole():
    assert tokenize("Hello, world! Don't stop: well-known (yes).") == [
        "hello", ",", "world", "!", "don't", "stop", ":", "well-known", "(", "yes", ")", ".",
    ]  # fmt: skip
    assert tokenize("  \n ") == []


def test_lines_to_tokens_ends_each_line_with_eos():
    assert lines_to_tokens([" a b ", "c"]) == ["a", "b", "<eos>", "c", "<eos>"]
    assert lines_to_tokens(["a b"], eos=None) == ["a", "b"]
    with pytest.raises(TypeError, match="single str"):
        lines_to_tokens("a b\nc")


def test_vocabulary_min_count_maps_rare_words_to_unk():
    tokens = ["the", "cat", "saw", "the", "dog", "and", "the", "cat", "ran"]
    vocab = Vocabulary.from_tokens(tokens, min_count=2)
    assert vocab.words == ["the", "cat", "<unk>"]
    assert vocab.counts == (3, 2, 4)  # saw, dog, and, ran
    np.testing.assert_array_equal(vocab.encode(["cat", "bird", "the"]), [1, 2, 0])
    assert vocab.decode(np.array([[0, 2]])) == ["the", "<unk>"]
    assert vocab.to_id("zebra") == vocab.unk_id == 2
    assert vocab.to_word(1) == "cat"
    assert "cat" in vocab and "dog" not in vocab and len(vocab) == 3


def test_vocabulary_keeps_an_unk_token_where_the_text_has_it():
    vocab = Vocabulary.from_lines(["a <unk> b", "a"])
    assert vocab.words == ["a", "<unk>", "b", "<eos>"]
    assert vocab.id_to_word == {0: "a", 1: "<unk>", 2: "b", 3: "<eos>"}
    assert vocab.word_to_id["b"] == 2


def test_vocabulary_without_unk_rejects_unknown_words_by_name():
    vocab = Vocabulary.from_tokens(["a", "b"], unk=None)
    with pytest.raises(KeyError, match="'zebra' is not in the vocabulary"):
        vocab.encode(["a", "zebra"])
    with pytest.raises(ValueError, match="unk must name a token"):
        Vocabulary.from_tokens(["a"], min_count=2, unk=None)


def test_vocabulary_round_trips_through_json():
    vocab = Vocabulary.from_tokens(["x", "y", "x", "z"], min_count=2)
    again = Vocabulary.from_dict(json.loads(json.dumps(vocab.to_dict())))
    assert again == vocab and again.counts == (2, 2)
    with pytest.raises(ValueError, match="list of 'words'"):
        Vocabulary.from_dict({"words": "abc"})


@pytest.mark.parametrize(
    "words, unk, counts, error, message",
    [
        (["a", "b", "a"], None, None, ValueError, "distinct, got 'a' twice"),
        (["a", ""], None, None, TypeError, "non-empty strings"),
        (["a", 3], None, None, TypeError, "got 3"),
        (["a"], "<unk>", None, ValueError, "unk must be one of the words"),
        (["a", "b"], None, [1], ValueError, "counts must be 2 non-negative"),
    ],
)
def test_vocabulary_rejects_malformed_words(words, unk, counts, error, message):
    with pytest.raises(error, match=message):
        Vocabulary(words, unk=unk, counts=counts)


def test_decode_names_an_id_out_of_range():
    vocab = Vocabulary(["a", "b"])
    with pytest.raises(ValueError, match=r"holds id 7 at index 1; expected ids in \[0, 2\)"):
        vocab.decode([1, 7])
    with pytest.raises(TypeError, match="array of integer ids"):
        vocab.decode([0.0])


# ------------------------------------------------------------------ count-based vectors


@pytest.mark.parametrize("window_size", [1, 2, 3, 50])
def test_co_matrix_equals_the_books_loop(window_size):
    rng = np.random.default_rng(window_size)
    corpus = rng.integers(0, 12, size=40)  # repeated neighbours and self-pairs included
    np.testing.assert_array_equal(create_co_matrix(corpus, 15, window_size), book_co_matrix(corpus, 15, window_size))


def test_co_matrix_of_one_word_is_empty():
    np.testing.assert_array_equal(create_co_matrix([2], 3), np.zeros((3, 3)))


def test_ppmi_by_blocks_with_progress_equals_the_formula(capsys):
    pytest.importorskip("tqdm")
    rng = np.random.default_rng(0)
    V = 2100  # more rows than one block holds
    C = rng.poisson(0.05, size=(V, V))
    C = C + C.T
    C[7] = C[:, 7] = 0  # a word that co-occurs with nothing
    N, S = C.sum(), C.sum(axis=0).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.nan_to_num(np.maximum(np.log2(C * N / np.outer(S, S) + 1e-8), 0))
    W = ppmi(C, verbose=True, dtype="float64")
    np.testing.assert_allclose(W, expected, rtol=1e-12, atol=0)
    assert not W[7].any()
    assert "ppmi" in capsys.readouterr().err


@pytest.mark.parametrize(
    "C, error, message",
    [
        (np.zeros((2, 3)), ValueError, r"square co-occurrence matrix \(V, V\), got shape \(2, 3\)"),
        (np.zeros((2, 2)), ValueError, "no co-occurrence"),
        (np.array([[0, -1], [1, 0]]), ValueError, "non-negative counts, got -1"),
        (np.array([["a"]]), TypeError, "must hold counts"),
    ],
)
def test_ppmi_rejects_what_is_not_a_count_matrix(C, error, message):
    with pytest.raises(error, match=message):
        ppmi(C)


def test_cos_similarity_of_rows_and_of_a_zero_vector():
    matrix = np.array([[3.0, 4.0], [0.0, 0.0], [-4.0, 3.0]])
    np.testing.assert_allclose(cos_similarity(matrix, np.array([3.0, 4.0])), [1.0, 0.0, 0.0], atol=1e-8)
    with pytest.raises(ValueError, match=r"same D, got shapes \(3, 2\) and \(3,\)"):
        cos_similarity(matrix, np.ones(3))


def test_analogy_solves_a_planted_parallelogram(capsys):
    words = ["man", "king", "woman", "queen", "apple"]
    vectors = np.array([[1.0, 0, 0], [1, 1, 0], [0, 0, 1], [0, 1, 1], [1, -1, 1]])
    word_to_id = {w: i for i, w in enumerate(words)}
    ranked = analogy("man", "king", "woman", word_to_id, words, vectors, top=2, verbose=True)
    assert ranked[0] == ("queen", pytest.approx(1.0))
    assert [w for w, _ in ranked] == ["queen", "apple"]  # a, b and c are left out
    assert capsys.readouterr().out.startswith("\n[analogy] man:king = woman:?\n queen: ")


def test_similarity_queries_name_what_is_wrong(toy):
    _, word_to_id, id_to_word, C = toy
    with pytest.raises(KeyError, match="query word 'zebra' is not in the vocabulary"):
        most_similar("zebra", word_to_id, id_to_word, C)
    with pytest.raises(KeyError, match="c word 'zebra'"):
        analogy("you", "i", "zebra", word_to_id, id_to_word, C)
    with pytest.raises(ValueError, match="top must be a positive integer, got 0"):
        most_similar("you", word_to_id, id_to_word, C, top=0)
    with pytest.raises(ValueError, match="word_matrix has 6 rows but id_to_word names 7 words"):
        most_similar("you", word_to_id, id_to_word, C[:6])


def test_randomized_svd_agrees_with_the_full_one():
    pytest.importorskip("sklearn")
    rng = np.random.default_rng(1)
    matrix = rng.normal(size=(300, 5)) @ np.diag([9.0, 7, 5, 3, 1]) @ rng.normal(size=(5, 200))
    matrix += 0.01 * rng.normal(size=matrix.shape)
    U_full, S_full, Vt_full = truncated_svd(matrix, 4, method="full")
    U_rand, S_rand, Vt_rand = truncated_svd(matrix, 4, method="randomized", seed=0)
    np.testing.assert_allclose(S_rand, S_full, rtol=1e-8)
    np.testing.assert_allclose(U_rand, U_full, atol=1e-6)  # same signs by the same convention
    np.testing.assert_allclose(Vt_rand, Vt_full, atol=1e-6)
    again = truncated_svd(matrix, 4, method="randomized", seed=0)
    assert all(np.array_equal(a, b) for a, b in zip(again, (U_rand, S_rand, Vt_rand)))


def test_auto_uses_the_randomized_svd_above_the_threshold(monkeypatch):
    pytest.importorskip("sklearn")
    monkeypatch.setattr(text, "FULL_SVD_MAX", 10)
    matrix = np.random.default_rng(2).normal(size=(30, 20))
    auto = reduce_dimensions(matrix, 3, seed=5, n_iter=1)
    np.testing.assert_array_equal(auto, reduce_dimensions(matrix, 3, method="randomized", seed=5, n_iter=1))
    assert not np.allclose(auto, reduce_dimensions(matrix, 3, method="full"), atol=1e-9)


def test_a_large_matrix_without_scikit_learn_names_the_package(monkeypatch):
    for name in [m for m in sys.modules if m == "sklearn" or m.startswith("sklearn.")] or ["sklearn"]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setattr(text, "FULL_SVD_MAX", 10)
    with pytest.raises(ImportError, match=r"needs scikit-learn.*method='full'.*30x20"):
        reduce_dimensions(np.ones((30, 20)), 2)
    assert reduce_dimensions(np.eye(30)[:, :20], 2, method="full").shape == (30, 2)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n_components": 8}, r"at most min\(matrix.shape\) = 7, got 8"),
        ({"n_components": 0}, "n_components must be a positive integer"),
        ({"method": "fast"}, "method must be 'auto', 'full' or 'randomized', got 'fast'"),
    ],
)
def test_svd_rejects_bad_arguments(toy, kwargs, message):
    _, _, _, C = toy
    with pytest.raises(ValueError, match=message):
        truncated_svd(C, **kwargs)


# ------------------------------------------------------------------ word2vec data


def test_contexts_and_target_of_the_toy_sentence_are_the_books(toy):
    corpus, _, _, _ = toy
    contexts, target = create_contexts_target(corpus, window_size=1)
    np.testing.assert_array_equal(contexts, [[0, 2], [1, 3], [2, 4], [3, 1], [4, 5], [1, 6]])
    np.testing.assert_array_equal(target, [1, 2, 3, 4, 1, 5])


def test_contexts_and_target_with_a_wider_window_equal_a_loop():
    corpus = np.arange(100, 111)
    contexts, target = create_contexts_target(corpus, window_size=3)
    expected = [[corpus[i + d] for d in (-3, -2, -1, 1, 2, 3)] for i in range(3, 8)]
    np.testing.assert_array_equal(contexts, expected)
    np.testing.assert_array_equal(target, corpus[3:8])
    with pytest.raises(ValueError, match="at least 2 \\* window_size \\+ 1 = 23 words for one target, got 11"):
        create_contexts_target(corpus, window_size=11)


def test_convert_one_hot_of_targets_and_of_contexts(toy):
    corpus, _, _, _ = toy
    contexts, target = create_contexts_target(corpus)
    one_hot_target = convert_one_hot(target, 7)
    assert one_hot_target.shape == (6, 7) and one_hot_target.dtype == np.int32
    np.testing.assert_array_equal(one_hot_target.argmax(axis=1), target)
    one_hot_contexts = convert_one_hot(contexts, 7)
    assert one_hot_contexts.shape == (6, 2, 7)
    np.testing.assert_array_equal(one_hot_contexts.argmax(axis=2), contexts)
    assert one_hot_contexts.sum() == 12


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: create_co_matrix([], 3), ValueError, "corpus must hold at least one id, got an empty array"),
        (
            lambda: create_co_matrix([0, 1, 9, 2], 7),
            ValueError,
            r"corpus holds id 9 at index 2; expected ids in \[0, 7\)",
        ),
        (lambda: create_co_matrix([0, -1], 7), ValueError, "id -1 at index 1"),
        (lambda: create_co_matrix([0.0, 1.0], 7), TypeError, "integer ids, got dtype float64"),
        (lambda: create_co_matrix([[0, 1]], 7), ValueError, r"1-d array of word ids, got shape \(1, 2\)"),
        (lambda: create_co_matrix([0, 1], 7, window_size=0), ValueError, "window_size must be a positive integer"),
        (lambda: create_contexts_target([]), ValueError, "at least one id"),
        (lambda: convert_one_hot([[0, 8]], 7), ValueError, r"id 8 at index \(0, 1\)"),
        (lambda: preprocess(" \n"), ValueError, "at least one word"),
        (lambda: preprocess(None), TypeError, "text must be a str, got NoneType"),
    ],
)
def test_bad_corpora_get_errors_naming_the_value(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ------------------------------------------------------------------ negative sampling


ZIPF_COUNTS = [400, 200, 100, 50, 25, 12, 6, 3, 1, 0, 1]


def zipf_corpus() -> np.ndarray:
    corpus = np.repeat(np.arange(len(ZIPF_COUNTS)), ZIPF_COUNTS)
    return np.random.default_rng(0).permutation(corpus)


def test_sampler_probabilities_are_counts_to_the_power():
    sampler = UnigramSampler(zipf_corpus(), power=0.75, sample_size=3, seed=0)
    weights = np.array(ZIPF_COUNTS, dtype=float) ** 0.75
    np.testing.assert_allclose(sampler.word_p, weights / weights.sum(), rtol=1e-15)
    assert sampler.vocab_size == len(ZIPF_COUNTS)


@pytest.mark.parametrize("target", [0, 4])
def test_negatives_follow_the_distribution_without_the_target(target):
    sampler = UnigramSampler(zipf_corpus(), sample_size=5, seed=1)
    draws = sampler.get_negative_sample(np.full(40_000, target)).ravel()
    assert not np.any(draws == target)
    expected = sampler.word_p.copy()
    expected[target] = 0
    expected /= expected.sum()
    frequency = np.bincount(draws, minlength=len(expected)) / draws.size
    # within 5 standard errors of a binomial proportion for every word
    tolerance = 5 * np.sqrt(expected * (1 - expected) / draws.size) + 1e-12
    assert np.all(np.abs(frequency - expected) <= tolerance), (frequency, expected)
    assert frequency[9] == 0  # a word never seen is never drawn


def test_negatives_never_include_their_own_target_even_for_a_dominant_word():
    corpus = np.array([0] * 10_000 + [1, 2])  # word 0 has probability ~0.998
    sampler = UnigramSampler(corpus, sample_size=4, seed=2)
    target = np.random.default_rng(3).integers(0, 3, size=(500, 2))
    negative = sampler.get_negative_sample(target)
    assert negative.shape == (500, 2, 4) and negative.dtype == np.int64
    assert not np.any(negative == target[..., None])
    assert np.all(negative[target == 0] != 0)


def test_sampler_is_reproducible_by_seed_and_advances_a_shared_generator():
    corpus, target = zipf_corpus(), np.arange(10)
    first = UnigramSampler(corpus, seed=7).get_negative_sample(target)
    np.testing.assert_array_equal(UnigramSampler(corpus, seed=7).get_negative_sample(target), first)
    assert not np.array_equal(UnigramSampler(corpus, seed=8).get_negative_sample(target), first)
    shared = np.random.default_rng(7)
    sampler = UnigramSampler(corpus, seed=shared)
    assert sampler.rng is shared
    assert not np.array_equal(sampler.get_negative_sample(target), sampler.get_negative_sample(target))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: UnigramSampler([3, 3, 3]), "at least two distinct words"),
        (lambda: UnigramSampler([]), "at least one id"),
        (lambda: UnigramSampler([0, 1], power=0), "power must be a positive number, got 0"),
        (lambda: UnigramSampler([0, 1], sample_size=0), "sample_size must be a positive integer"),
        (lambda: UnigramSampler([0, 1, 5], vocab_size=4), r"id 5 at index 2; expected ids in \[0, 4\)"),
        (lambda: UnigramSampler([0, 1]).get_negative_sample([1, 2]), r"target holds id 2 at index 1"),
    ],
)
def test_sampler_rejects_bad_input_by_name(call, message):
    with pytest.raises(ValueError, match=message):
        call()
