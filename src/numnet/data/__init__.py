"""Datasets and batching: MNIST / Fashion-MNIST, the bundled mnist-mini,
cat / non-cat, the Penn Treebank and the bundled tiny-corpus, the addition
and date sequences, synthetic 2-d problems, mini-batches (and truncated-BPTT
batches of a corpus) and one-hot labels; the catalogue of datasets by name
(:mod:`numnet.data.catalogue`) and pictures as model inputs
(:mod:`numnet.data.pictures`).

Loaders look for files under ``data_dir`` and ``$NUMNET_DATA_DIR`` (see
:mod:`numnet.data.paths`) and raise :class:`DatasetError` when data is
missing or corrupt.
"""

from __future__ import annotations

from numnet.data.batching import batches, bptt_batches, one_hot
from numnet.data.catalogue import DATASETS, load_dataset
from numnet.data.catvnoncat import load_catvnoncat
from numnet.data.errors import DatasetError
from numnet.data.mini import load_mnist_mini
from numnet.data.mnist import load_mnist
from numnet.data.ptb import load_ptb
from numnet.data.sequences import CharVocabulary, load_addition, load_dates
from numnet.data.synthetic import make_circles, make_moons, make_planar, make_spiral, make_xor
from numnet.data.tiny_corpus import load_tiny_corpus

__all__ = [
    "DatasetError",
    "load_mnist",
    "load_mnist_mini",
    "load_catvnoncat",
    "load_ptb",
    "load_tiny_corpus",
    "load_addition",
    "load_dates",
    "CharVocabulary",
    "make_spiral",
    "make_planar",
    "make_circles",
    "make_moons",
    "make_xor",
    "one_hot",
    "batches",
    "bptt_batches",
    "DATASETS",
    "load_dataset",
]
