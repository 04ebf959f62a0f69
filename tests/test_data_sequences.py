"""load_addition / load_dates: the book's vocabulary and seeded split, reverse, verification and download.

The real files come from $NUMNET_DATA_DIR/dlfs2 (the ``data_dir`` fixture); tests that need them skip when it is
unset.
Downloads are served from file:// mirrors in a temporary folder; the cache is isolated.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from numnet.data import CharVocabulary, DatasetError, load_addition, load_dates
from numnet.data.sequences import SEQUENCE_FILES, SequenceFile, _parse


@pytest.fixture
def shared(data_dir) -> Path:
    """The shared data folder (loaders are given it as data_dir, $NUMNET_DATA_DIR being unset)."""
    return data_dir


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    """No user cache and no NUMNET_DATA_DIR: each test says where the files are."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("NUMNET_DATA_DIR", raising=False)


def test_addition_is_the_books_split_and_vocabulary(shared):
    """The numbers ch07/show_addition_dataset.py prints."""
    (x_train, t_train), (x_test, t_test), vocab = load_addition(shared)
    assert (x_train.shape, t_train.shape, x_test.shape, t_test.shape) == ((45000, 7), (45000, 5), (5000, 7), (5000, 5))
    np.testing.assert_array_equal(x_train[0], [3, 0, 2, 0, 0, 11, 5])
    np.testing.assert_array_equal(t_train[0], [6, 0, 11, 7, 5])
    assert vocab.decode(x_train[0]) == "71+118 " and vocab.decode(t_train[0]) == "_189 "
    assert len(vocab) == 13 and vocab.start_id == 6 and vocab.chars[:7] == ("1", "6", "+", "7", "5", " ", "_")
    assert x_train.dtype == np.int64 and np.all(t_train[:, 0] == vocab.start_id)
    questions = [vocab.decode(row).strip() for row in x_test[:50]]
    answers = [int(vocab.decode(row[1:])) for row in t_test[:50]]
    assert answers == [eval(question) for question in questions]


def test_reverse_reads_the_questions_backwards_only(shared):
    (x, t), (x_test, _), _ = load_addition(shared)
    (x_reversed, t_same), (x_test_reversed, _), _ = load_addition(shared, reverse=True)
    np.testing.assert_array_equal(x_reversed, x[:, ::-1])
    np.testing.assert_array_equal(x_test_reversed, x_test[:, ::-1])
    np.testing.assert_array_equal(t_same, t)
    assert x_reversed.flags.c_contiguous


def test_dates(shared):
    (x_train, t_train), (x_test, t_test), vocab = load_dates(shared)
    assert (x_train.shape, t_train.shape, x_test.shape, t_test.shape) == (
        (45000, 29),
        (45000, 11),
        (5000, 29),
        (5000, 11),
    )
    assert len(vocab) == 59
    # the first test question ch08's evaluation prints: "Q 10/15/94  T 1994-10-15"
    assert vocab.decode(x_test[0]).strip() == "10/15/94" and vocab.decode(t_test[0]) == "_1994-10-15"
    for row in t_test[:100]:
        answer = vocab.decode(row)
        assert answer[0] == "_" and np.datetime64(answer[1:])  # an ISO date


def test_data_dir_and_cache_and_download(tmp_path, shared, monkeypatch):
    source = shared / "dlfs2"
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    shutil.copy(source / "addition.txt", mirror / "addition.txt")
    (_, _), (x_test, _), _ = load_addition(mirrors=[mirror.as_uri() + "/"], verbose=False)
    cached = tmp_path / "cache" / "numnet" / "dlfs2" / "addition.txt"
    assert cached.is_file()
    (mirror / "addition.txt").unlink()
    (_, _), (again, _), _ = load_addition(mirrors=[mirror.as_uri() + "/"])  # from the cache now
    np.testing.assert_array_equal(again, x_test)
    local = tmp_path / "mine"
    local.mkdir()
    shutil.copy(source / "addition.txt", local / "addition.txt")
    cached.unlink()
    (_, _), (from_dir, _), _ = load_addition(data_dir=local, download=False)
    np.testing.assert_array_equal(from_dir, x_test)
    monkeypatch.setenv("NUMNET_DATA_DIR", str(shared))  # $NUMNET_DATA_DIR/dlfs2/ is looked in too
    (_, _), (from_env, _), _ = load_addition(download=False)
    np.testing.assert_array_equal(from_env, x_test)


def test_corrupt_or_missing_files_raise_dataset_error(tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "date.txt").write_text("june 1, 2000                 _2000-06-01\n")
    with pytest.raises(DatasetError, match="checksum mismatch"):
        load_dates(data_dir=bad)
    with pytest.raises(DatasetError, match="addition.txt not found; looked in"):
        load_addition(data_dir=tmp_path / "bad", download=False)


def test_download_rejects_a_corrupt_mirror_and_leaves_nothing(tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "date.txt").write_text("not the file\n")
    with pytest.raises(DatasetError, match=r"(?s)could not download date\.txt.*checksum mismatch"):
        load_dates(mirrors=[bad.as_uri() + "/"], verbose=False)
    assert not [path for path in (tmp_path / "cache").rglob("*") if path.is_file()]  # nothing unverified left


def test_a_malformed_line_is_reported():
    spec = SequenceFile("toy.txt", "", 3, 3)
    questions, answers, vocab = _parse("1+2_3 \n2+2_4 \n", spec)
    assert vocab.decode(questions[1]) == "2+2" and vocab.decode(answers[0]) == "_3 "
    with pytest.raises(DatasetError, match="line 2 is not a 3-character question"):
        _parse("1+2_3 \n2+2 4 \n", spec)


def test_arguments_are_checked():
    with pytest.raises(TypeError, match="reverse must be True or False"):
        load_addition(reverse="yes")
    with pytest.raises(TypeError, match="mirrors must be a sequence"):
        load_addition(mirrors="http://example.org/")
    assert set(SEQUENCE_FILES) == {"addition", "dates"}


def test_char_vocabulary():
    vocab = CharVocabulary(("a", "b", "_"))
    np.testing.assert_array_equal(vocab.encode("ba_"), [1, 0, 2])
    assert vocab.decode([1, 0, 2]) == "ba_" and vocab.start_id == 2 and len(vocab) == 3
    with pytest.raises(ValueError, match=r"not in the vocabulary: \['c'\]"):
        vocab.encode("abc")
    with pytest.raises(ValueError, match=r"ids must be integers in \[0, 3\)"):
        vocab.decode([3])
    with pytest.raises(ValueError, match="distinct single characters"):
        CharVocabulary(("a", "a"))
