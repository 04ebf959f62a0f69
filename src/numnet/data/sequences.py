"""The sequence-to-sequence data sets of "Deep Learning from Scratch 2": addition and dates.

Two text files from the book's ``dataset/`` folder (MIT licence), 50,000
lines each, every line a question, ``_`` and its answer, padded with spaces
to one width:

* ``addition.txt`` (chapter 7): ``16+75  _91  `` - 7 question and 5 answer
  characters;
* ``date.txt`` (chapter 8): ``september 27, 1994           _1994-09-27`` -
  29 question and 11 answer characters, dates written in many ways.

They are loaded as the book's ``dataset/sequence.py`` loads them: each
character gets an id in order of first appearance (the question, then the
answer, line by line); the lines are shuffled by NumPy's legacy generator
seeded with 1984 (``numpy.random.seed(1984); numpy.random.shuffle``); the
last tenth is held out. The answers keep the leading ``_``, the symbol the
decoder starts from (see :mod:`numnet.sequence_models`).

Every file is verified by its SHA-256 before it is used, found locally or
downloaded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

from numnet.data.download import check_mirrors, find_or_download
from numnet.data.errors import DatasetError
from numnet.data.paths import PathLike, cache_dir, search_dirs

__all__ = [
    "CharVocabulary",
    "SequenceFile",
    "SEQUENCE_FILES",
    "MIRRORS",
    "START",
    "load_addition",
    "load_dates",
    "load_sequences",
]

#: The symbol that separates question and answer and starts every answer.
START = "_"

#: The book's seed of the split.
BOOK_SEED = 1984


@dataclass(frozen=True)
class SequenceFile:
    """One data file: its name, SHA-256 and the widths of its questions and answers (``_`` included)."""

    name: str
    sha256: str
    question_width: int
    answer_width: int


#: The two data sets by name.
SEQUENCE_FILES: dict[str, SequenceFile] = {
    "addition": SequenceFile("addition.txt", "34e0746f5014c11311c9452ee9050bf14e38eca44ec4aaf4d81eba2b38674009", 7, 5),
    "dates": SequenceFile("date.txt", "62e66a301ce8537868e725512d2a45663fc366526b7e42028cb703bda2b1c79a", 29, 11),
}

#: Base URLs that serve the files, tried in order (override with ``mirrors=``).
MIRRORS: tuple[str, ...] = (
    "https://raw.githubusercontent.com/oreilly-japan/deep-learning-from-scratch-2/master/dataset/",
    "https://raw.githubusercontent.com/WegraLee/deep-learning-from-scratch-2/master/dataset/",
)

#: The folder looked for under ``data_dir`` and ``$NUMNET_DATA_DIR``, and the cache's.
FOLDER = "dlfs2"


@dataclass(frozen=True)
class CharVocabulary:
    """Characters and their ids: ``chars[i]`` is the character of id i.

    ``encode("16+75")`` gives the ids, ``decode(ids)`` the string back;
    ``start_id`` is the id of ``_``.
    """

    chars: tuple[str, ...]
    char_to_id: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(set(self.chars)) != len(self.chars) or not all(isinstance(c, str) and len(c) == 1 for c in self.chars):
            raise ValueError("chars must be distinct single characters")
        object.__setattr__(self, "char_to_id", {char: i for i, char in enumerate(self.chars)})

    def __len__(self) -> int:
        return len(self.chars)

    @property
    def start_id(self) -> int:
        """The id of the start symbol ``_``."""
        return self.char_to_id[START]

    def encode(self, text: str) -> NDArray[np.int64]:
        """The ids of ``text``'s characters; ValueError naming a character not in the vocabulary."""
        unknown = sorted(set(text) - self.char_to_id.keys())
        if unknown:
            raise ValueError(f"text holds characters not in the vocabulary: {unknown}")
        return np.array([self.char_to_id[char] for char in text], dtype=np.int64)

    def decode(self, ids: ArrayLike) -> str:
        """The string of the ids (N,); ValueError for an id outside [0, len(self))."""
        ids = np.asarray(ids).reshape(-1)
        if ids.dtype.kind not in "iu" or (ids.size and (ids.min() < 0 or ids.max() >= len(self.chars))):
            raise ValueError(f"ids must be integers in [0, {len(self.chars)})")
        return "".join(self.chars[i] for i in ids)


Split = tuple[NDArray[np.int64], NDArray[np.int64]]


def load_addition(
    data_dir: PathLike | None = None,
    reverse: bool = False,
    *,
    download: bool = True,
    mirrors: Sequence[str] | None = None,
    verbose: bool = True,
) -> tuple[Split, Split, CharVocabulary]:
    """The addition problems of chapter 7: ``(x_train, t_train), (x_test, t_test), vocab``.

    45,000 training and 5,000 test problems; x (N, 7) the ids of questions
    such as ``"16+75  "``, t (N, 5) those of the answers ``"_91  "``. With
    ``reverse`` the questions are read backwards (the book's ``x[:, ::-1]``,
    which helps the plain encoder-decoder). See :func:`load_sequences`.
    """
    return load_sequences("addition", data_dir, reverse, download=download, mirrors=mirrors, verbose=verbose)


def load_dates(
    data_dir: PathLike | None = None,
    reverse: bool = False,
    *,
    download: bool = True,
    mirrors: Sequence[str] | None = None,
    verbose: bool = True,
) -> tuple[Split, Split, CharVocabulary]:
    """The dates of chapter 8: ``(x_train, t_train), (x_test, t_test), vocab``.

    45,000 training and 5,000 test dates; x (N, 29) a date as people write
    it (``"september 27, 1994"``, padded), t (N, 11) the ISO date
    ``"_1994-09-27"``. The book trains its attention model with ``reverse``.
    See :func:`load_sequences`.
    """
    return load_sequences("dates", data_dir, reverse, download=download, mirrors=mirrors, verbose=verbose)


def load_sequences(
    name: str,
    data_dir: PathLike | None = None,
    reverse: bool = False,
    *,
    download: bool = True,
    mirrors: Sequence[str] | None = None,
    verbose: bool = True,
) -> tuple[Split, Split, CharVocabulary]:
    """Load ``"addition"`` or ``"dates"`` as the book does (see the module docstring).

    The file is looked for in ``data_dir/dlfs2/``, ``data_dir``,
    ``$NUMNET_DATA_DIR/dlfs2/``, ``$NUMNET_DATA_DIR`` and the cache
    ``$XDG_CACHE_HOME/numnet/dlfs2`` (default ``~/.cache/numnet/dlfs2``), in
    that order; a file found nowhere is downloaded into the cache from
    ``mirrors`` (default :data:`MIRRORS`), unless ``download`` is false. A
    missing, corrupt or unverifiable file raises :class:`DatasetError`.

    Returns:
        ``(x_train, t_train), (x_test, t_test), vocab``: int64 ids, the
        questions (N, T_in) (read backwards with ``reverse``) and the
        answers (N, 1 + T_out) starting with ``_``; 90% and 10% of the lines,
        split as the book splits them; and the :class:`CharVocabulary`.
    """
    if name not in SEQUENCE_FILES:
        raise ValueError(f"name must be one of {sorted(SEQUENCE_FILES)}, got {name!r}")
    if not isinstance(reverse, (bool, np.bool_)):
        raise TypeError(f"reverse must be True or False, got {reverse!r}")
    spec = SEQUENCE_FILES[name]
    mirrors = check_mirrors(MIRRORS if mirrors is None else mirrors)
    text = _load_text(spec, search_dirs(FOLDER, data_dir), cache_dir(FOLDER), mirrors, download, verbose)
    questions, answers, vocab = _parse(text, spec)
    order = np.random.RandomState(BOOK_SEED).permutation(len(questions))  # the book's split, bit for bit
    x, t = questions[order], answers[order]
    if reverse:
        x = np.ascontiguousarray(x[:, ::-1])
    split = len(x) - len(x) // 10
    return (x[:split], t[:split]), (x[split:], t[split:]), vocab


def _parse(text: str, spec: SequenceFile) -> tuple[NDArray[np.int64], NDArray[np.int64], CharVocabulary]:
    """Questions and answers as ids, numbered by first appearance; DatasetError for a malformed line."""
    width = spec.question_width + spec.answer_width
    raw = text.encode("ascii")
    raw += b"" if raw.endswith(b"\n") else b"\n"
    codes = np.frombuffer(raw, dtype=np.uint8)
    rows = codes.reshape(-1, width + 1) if codes.size % (width + 1) == 0 else None
    if rows is None or np.any(rows[:, width] != ord("\n")) or np.any(rows[:, spec.question_width] != ord(START)):
        _raise_malformed(text, spec)
    assert rows is not None
    table = rows[:, :width]
    present, first = np.unique(table, return_index=True)  # first: where each character first appears
    by_appearance = present[np.argsort(first)]
    ids = np.zeros(256, dtype=np.int64)
    ids[by_appearance] = np.arange(len(by_appearance))
    codes_as_ids = ids[table]
    vocab = CharVocabulary(tuple(chr(code) for code in by_appearance))
    return codes_as_ids[:, : spec.question_width], codes_as_ids[:, spec.question_width :], vocab


def _raise_malformed(text: str, spec: SequenceFile) -> None:
    """The DatasetError naming the first line that is not a question, ``_`` and an answer of the right widths."""
    width = spec.question_width + spec.answer_width
    for number, line in enumerate(text.split("\n"), 1):
        if len(line) != width or line[spec.question_width] != START:
            raise DatasetError(
                f"{spec.name}: line {number} is not a {spec.question_width}-character question, "
                f"{START!r} and a {spec.answer_width - 1}-character answer: {line!r}"
            )
    raise DatasetError(f"{spec.name}: the lines are not all {width} characters long")


def _decode_file(raw: bytes, spec: SequenceFile, source: str) -> str:
    digest = hashlib.sha256(raw).hexdigest()
    if digest != spec.sha256:
        raise DatasetError(
            f"{source}: checksum mismatch: SHA-256 {digest}, expected {spec.sha256} for {spec.name}; "
            "the file is corrupt or not the right one"
        )
    return raw.decode("ascii")


def _load_text(
    spec: SequenceFile, dirs: list[Path], cache: Path, mirrors: tuple[str, ...], download: bool, verbose: bool
) -> str:
    """Find the file locally (or in the cache) and read it verified, else download it into the cache."""
    return find_or_download(
        spec.name,
        [*dirs, cache],
        mirrors,
        lambda raw, source: _decode_file(raw, spec, source),
        download=download,
        verbose=verbose,
    )
