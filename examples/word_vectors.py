"""Count-based word vectors ("Deep Learning from Scratch 2", chapter 2), printed as the book prints them.

The book's sentence "You say goodbye and I say hello." goes through the co-occurrence
matrix, cosine similarity, most_similar("you"), PPMI and SVD; the words are plotted by
their first two SVD components. Then the same steps on numnet's bundled tiny corpus
find similar words and solve man : king = woman : ?.

The plot needs matplotlib:  pip install 'numnet[plot]'
Run:  python examples/word_vectors.py [--out word_vectors.png]
"""

from __future__ import annotations

import argparse

import numpy as np

from numnet.data import load_tiny_corpus
from numnet.text import (
    analogy,
    cos_similarity,
    create_co_matrix,
    most_similar,
    ppmi,
    preprocess,
    reduce_dimensions,
    truncated_svd,
)

TEXT = "You say goodbye and I say hello."


def toy_sentence() -> tuple[np.ndarray, dict[int, str]]:
    """The book's section 2.3 and 2.4 on its one sentence; returns the SVD's U and id_to_word."""
    corpus, word_to_id, id_to_word = preprocess(TEXT)
    print(f"text = {TEXT}")
    print(f"corpus = {corpus}")
    print(f"id_to_word = {id_to_word}")

    C = create_co_matrix(corpus, len(word_to_id), window_size=1)
    print("co-occurrence matrix =")
    print(C)
    print(f"cos_similarity(you, i) = {cos_similarity(C[word_to_id['you']], C[word_to_id['i']])}")
    most_similar("you", word_to_id, id_to_word, C, top=5, verbose=True)

    W = ppmi(C)
    with np.printoptions(precision=3):
        print("\nPPMI =")
        print(W)
        U, S, _ = truncated_svd(W)
        print(f"C[0] = {C[0]}")
        print(f"W[0] = {W[0]}")
        print(f"U[0] = {U[0]}")
        print(f"singular values = {S}")
    # the singular values come in equal pairs here, so within a pair the columns of U
    # are any orthonormal basis: the book's U[0] may show the same numbers in other places
    return U, id_to_word


def tiny_corpus() -> None:
    """PPMI and a 10-dimensional SVD of the bundled tiny corpus."""
    corpus, word_to_id, id_to_word = load_tiny_corpus()
    vectors = reduce_dimensions(ppmi(create_co_matrix(corpus, len(word_to_id), window_size=1)), 10)
    print(f"\ntiny corpus: {len(corpus)} words, vocabulary of {len(word_to_id)}, vectors of 10 dimensions")
    for query in ("cat", "monday", "prince"):
        most_similar(query, word_to_id, id_to_word, vectors, top=3, verbose=True)
    analogy("man", "king", "woman", word_to_id, id_to_word, vectors, top=3, verbose=True)


def plot_words(U: np.ndarray, id_to_word: dict[int, str], out: str) -> None:
    """The book's figure 2-11: each word at its first two SVD components."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise SystemExit("word_vectors.py needs matplotlib for its plot: pip install 'numnet[plot]'") from None
    figure = Figure(figsize=(6, 5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.scatter(U[:, 0], U[:, 1], alpha=0.5)
    # words at the same point share one label, put to the right of it, or above it
    # when another point lies just to its right
    points: dict[tuple[float, float], list[str]] = {}
    for word_id, word in id_to_word.items():
        points.setdefault((round(float(U[word_id, 0]), 6), round(float(U[word_id, 1]), 6)), []).append(repr(word))
    x_span = float(np.ptp(U[:, 0])) or 1.0
    y_span = float(np.ptp(U[:, 1])) or 1.0
    for (x, y), words in points.items():
        crowded = any(0 < ox - x < 0.1 * x_span and abs(oy - y) < 0.05 * y_span for ox, oy in points)
        offset, align = ((0, 8), "center") if crowded else ((6, -3), "left")
        axes.annotate(", ".join(words), (x, y), xytext=offset, textcoords="offset points", ha=align)
    axes.set(xlabel="SVD component 1", ylabel="SVD component 2", title=f"PPMI + SVD of {TEXT!r}")
    axes.margins(0.15)
    axes.grid(True, alpha=0.3)
    figure.savefig(out)
    print(f"\nsaved {out}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="word_vectors.png", help="where to save the PNG (default word_vectors.png)")
    args = parser.parse_args(argv)
    U, id_to_word = toy_sentence()
    tiny_corpus()
    plot_words(U, id_to_word, args.out)


if __name__ == "__main__":
    main()
