"""numnet.data.load_ptb on the shared Penn Treebank files and through a local HTTP mirror,
and the bundled tiny corpus.

The shared directory ($NUMNET_DATA_DIR/ptb) holds the validation and test splits only;
tests that need it skip when NUMNET_DATA_DIR is unset. The training file cannot be had
here, so the tests of its MD5 path serve a stand-in file under a patched digest table.
"""

from __future__ import annotations

import hashlib
import os
import socket
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from numnet.data import DatasetError, load_ptb, load_tiny_corpus
from numnet.data import ptb as ptb_module
from numnet.data.ptb import PTB_FILES, PtbFile
from numnet.data.tiny_corpus import tiny_corpus_text

# words with one <eos> a line, and lines, of the standard files (shared data README)
WORDS = {"valid": 73_760, "test": 82_430}
LINES = {"valid": 3_370, "test": 3_761}
FAKE_TRAIN = b" the <unk> said N shares <unk>\n the market fell\n"


def shared_ptb_dir() -> Path:
    if not os.environ.get("NUMNET_DATA_DIR"):
        pytest.skip("NUMNET_DATA_DIR is unset: the shared Penn Treebank files are not available")
    return Path(os.environ["NUMNET_DATA_DIR"]) / "ptb"


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    """An empty user cache for every test."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "numnet" / "ptb"


@pytest.fixture
def ptb_copy(tmp_path, monkeypatch):
    """A data directory of links to the shared files, with NUMNET_DATA_DIR unset."""
    source = shared_ptb_dir()
    monkeypatch.delenv("NUMNET_DATA_DIR")
    directory = tmp_path / "data"
    directory.mkdir()
    for split in ("valid", "test"):
        (directory / PTB_FILES[split].name).symlink_to(source / PTB_FILES[split].name)
    return directory


@pytest.fixture
def fake_train(monkeypatch):
    """Trust FAKE_TRAIN as ptb.train.txt by its MD5, as the real file is trusted."""
    digest = hashlib.md5(FAKE_TRAIN, usedforsecurity=False).hexdigest()
    monkeypatch.setitem(PTB_FILES, "train", PtbFile("ptb.train.txt", "md5", digest))
    return FAKE_TRAIN


def read_lines(split: str) -> list[str]:
    return (shared_ptb_dir() / PTB_FILES[split].name).read_text().splitlines()


# ------------------------------------------------------------------ the shared files


@pytest.mark.parametrize("split", ["valid", "test"])
def test_splits_have_the_standard_word_counts_with_one_eos_a_line(split):
    corpus, word_to_id, id_to_word = load_ptb(split, shared_ptb_dir(), download=False)
    assert corpus.shape == (WORDS[split],) and corpus.dtype == np.int64
    assert np.count_nonzero(corpus == word_to_id["<eos>"]) == LINES[split]
    assert corpus[-1] == word_to_id["<eos>"]
    first_line = read_lines(split)[0].split()
    assert [id_to_word[int(i)] for i in corpus[: len(first_line) + 1]] == [*first_line, "<eos>"]


def test_without_the_training_file_valid_and_test_share_one_numbering():
    shared = shared_ptb_dir()
    valid, valid_w2i, valid_i2w = load_ptb("valid", shared, download=False)
    np.testing.assert_array_equal(load_ptb("val", shared, download=False)[0], valid)  # the book's name for "valid"
    test, test_w2i, test_i2w = load_ptb("test", shared, download=False)
    assert test_w2i == valid_w2i and test_i2w == valid_i2w
    # numbered by first appearance in ptb.valid.txt, then ptb.test.txt
    tokens = [w for line in read_lines("valid") + read_lines("test") for w in [*line.split(), "<eos>"]]
    assert list(valid_i2w.values()) == list(dict.fromkeys(tokens))
    assert valid_w2i["<eos>"] == 13 and valid_w2i["<unk>"] == 14 and len(valid_w2i) == len(set(tokens))
    assert [valid_i2w[int(i)] for i in test[:5]] == read_lines("test")[0].split()[:5]


def test_a_local_training_file_numbers_the_words_of_every_split(ptb_copy, fake_train):
    (ptb_copy / "ptb.train.txt").write_bytes(fake_train)
    train, word_to_id, _ = load_ptb("train", ptb_copy, download=False)
    np.testing.assert_array_equal(train, [0, 1, 2, 3, 4, 1, 5, 0, 6, 7, 5])
    assert list(word_to_id)[:6] == ["the", "<unk>", "said", "N", "shares", "<eos>"]
    valid, valid_w2i, _ = load_ptb("valid", ptb_copy, download=False)
    assert valid_w2i == word_to_id
    assert len(valid) == WORDS["valid"]
    # the stand-in lacks most words: the real training file holds every word of the others
    assert np.count_nonzero(valid == word_to_id["<unk>"]) > 60_000


def test_a_corrupt_local_file_is_rejected_by_name(tmp_path, monkeypatch):
    source = shared_ptb_dir()
    monkeypatch.delenv("NUMNET_DATA_DIR")
    raw = bytearray((source / "ptb.valid.txt").read_bytes())
    raw[100] = ord("X")
    (tmp_path / "ptb.valid.txt").write_bytes(bytes(raw))
    with pytest.raises(DatasetError, match=r"ptb.valid.txt: checksum mismatch: SHA256 of the file is [0-9a-f]{64}"):
        load_ptb("valid", tmp_path, download=False)


def test_a_missing_file_without_download_says_where_it_looked(ptb_copy, isolated):
    (ptb_copy / "ptb.test.txt").unlink()
    with pytest.raises(DatasetError) as error:
        load_ptb("test", ptb_copy, download=False)
    assert str(error.value).startswith(f"ptb.test.txt not found; looked in:\n  {ptb_copy / 'ptb'}\n  {ptb_copy}\n")
    assert str(isolated) in str(error.value)
    # valid is there, but numbering its words without the training file needs the test file too
    with pytest.raises(DatasetError, match="ptb.test.txt not found"):
        load_ptb("valid", ptb_copy, download=False)


def test_bad_arguments_are_named_before_any_file_is_touched():
    with pytest.raises(ValueError, match=r"split must be one of \['train', 'valid', 'test'\] \(or 'val'\), got 'dev'"):
        load_ptb("dev")
    with pytest.raises(TypeError, match="mirrors must be a sequence"):
        load_ptb("valid", mirrors="http://example.org/")


# ------------------------------------------------------------------ downloads from a local mirror


@pytest.fixture
def server(tmp_path):
    """Mirrors under http://127.0.0.1:<port>/{good,bad,empty}/ and the request log."""
    source = shared_ptb_dir()
    root = tmp_path / "www"
    for mirror in ("good", "bad", "empty"):
        (root / mirror).mkdir(parents=True)
    for split in ("valid", "test"):
        name = PTB_FILES[split].name
        (root / "good" / name).symlink_to(source / name)
        (root / "bad" / name).write_bytes((source / name).read_bytes()[:-10])  # cut off
    (root / "good" / "ptb.train.txt").write_bytes(FAKE_TRAIN)
    (root / "bad" / "ptb.train.txt").write_bytes(FAKE_TRAIN.upper())
    requests: list[str] = []

    class Handler(SimpleHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            super().do_GET()

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", requests
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture
def offline(monkeypatch):
    """No NUMNET_DATA_DIR: every file must come from the cache or a mirror."""
    monkeypatch.delenv("NUMNET_DATA_DIR", raising=False)


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def test_downloads_verify_and_cache_the_split_and_the_training_file(server, offline, fake_train, isolated):
    base, requests = server
    mirrors = [closed_port_url(), f"{base}/empty/", f"{base}/bad/", f"{base}/good/"]
    valid, word_to_id, _ = load_ptb("valid", mirrors=mirrors, verbose=False)
    assert len(valid) == WORDS["valid"] and word_to_id["the"] == 0  # the training file's numbering
    assert requests == [f"/{m}/{name}" for name in ("ptb.valid.txt", "ptb.train.txt") for m in ("empty", "bad", "good")]
    assert sorted(p.name for p in isolated.iterdir()) == ["ptb.train.txt", "ptb.valid.txt"]
    assert (isolated / "ptb.train.txt").read_bytes() == FAKE_TRAIN
    requests.clear()
    again, again_w2i, _ = load_ptb("valid", mirrors=mirrors, verbose=False)
    assert requests == [] and again_w2i == word_to_id  # from the cache
    np.testing.assert_array_equal(again, valid)


def test_an_unverifiable_training_file_is_refused_with_the_offline_way_out(server, offline, isolated):
    base, _ = server
    refused = closed_port_url()
    with pytest.raises(DatasetError) as error:
        load_ptb("valid", mirrors=[refused, f"{base}/good/"], verbose=False)
    message = str(error.value)
    assert message.startswith("could not download ptb.train.txt from any of 2 mirror(s):\n")
    assert f"{refused}ptb.train.txt: URLError" in message
    assert f"{base}/good/ptb.train.txt: DatasetError: downloaded file: checksum mismatch: MD5 of the file is" in message
    assert message.endswith("pass download=False to number the words by ptb.valid.txt and ptb.test.txt instead")
    # the verified validation file was kept; nothing unverified was left behind
    assert [p.name for p in isolated.iterdir()] == ["ptb.valid.txt"]


def test_a_cut_off_download_is_rejected_and_leaves_nothing(server, offline, isolated):
    base, _ = server
    with pytest.raises(DatasetError, match=r"bad/ptb.test.txt: DatasetError: downloaded file: checksum mismatch"):
        load_ptb("test", mirrors=[f"{base}/bad/"], verbose=False)
    assert not isolated.exists()  # not even the cache folder the download made (issue 11)


# ------------------------------------------------------------------ the bundled tiny corpus


def test_tiny_corpus_is_small_plain_text_split_as_the_book_does():
    raw = tiny_corpus_text()
    assert 1_000 < len(raw.encode()) < 8_000 and raw.isascii()
    corpus, word_to_id, id_to_word = load_tiny_corpus()
    assert len(corpus) == 622 and len(word_to_id) == 133
    assert [id_to_word[int(i)] for i in corpus[:7]] == ["the", "king", "lived", "in", "a", "castle", "on"]
    for word in ("king", "queen", "man", "woman", "cat", "dog", "monday", "tuesday"):
        assert word in word_to_id


def test_ptb_module_lists_every_split_with_a_digest():
    assert list(PTB_FILES) == ["train", "valid", "test"]
    assert {spec.name for spec in PTB_FILES.values()} == {"ptb.train.txt", "ptb.valid.txt", "ptb.test.txt"}
    for spec in PTB_FILES.values():
        assert len(spec.digest) == {"md5": 32, "sha256": 64}[spec.algorithm]
    assert ptb_module.MIRRORS and all(m.startswith("https://") for m in ptb_module.MIRRORS)
