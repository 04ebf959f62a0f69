"""tiny-corpus: a few kilobytes of plain English bundled with numnet for the word-vector examples.

``tiny_corpus.txt`` (written for numnet, about 2.7 KB, 37 lines) tells of a king and
a queen, a man and a woman, their children, a cat and a dog, in sentences that
repeat their patterns with the words exchanged, so that the count-based word vectors
of :mod:`numnet.text` have something to find. It needs no download.
"""

from __future__ import annotations

from importlib import resources

import numpy as np
from numpy.typing import NDArray

from numnet.text import preprocess

__all__ = ["TINY_CORPUS_FILE", "tiny_corpus_text", "load_tiny_corpus"]

#: The bundled file, inside the ``numnet.data`` package.
TINY_CORPUS_FILE = "tiny_corpus.txt"


def tiny_corpus_text() -> str:
    """The bundled text, as written."""
    return resources.files(__package__).joinpath(TINY_CORPUS_FILE).read_text(encoding="utf-8")


def load_tiny_corpus() -> tuple[NDArray[np.int64], dict[str, int], dict[int, str]]:
    """``(corpus, word_to_id, id_to_word)`` of the bundled text, split by :func:`numnet.text.preprocess`."""
    return preprocess(tiny_corpus_text())
