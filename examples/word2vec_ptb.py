"""CBOW with negative sampling on the Penn Treebank ("Deep Learning from Scratch 2", chapter 4).

Trains numnet's CBOW (window 5, 100 dimensions, 5 negatives, Adam, batches of 100,
as the book does) on one split of the corpus, prints each epoch's loss next to the
unigram baseline (the best loss of a model that ignores the context), then the
nearest neighbours of the book's query words and an analogy.

The book trains 10 epochs on ptb.train.txt. Offline, with only the validation and
test files at hand (as in numnet's shared data), train on the validation text:

    NUMNET_DATA_DIR=/path/to/data python examples/word2vec_ptb.py --split valid --epochs 3

Options: --split train|valid|test, --epochs, --hidden, --window, --words N (only the
first N words, for a quick run), --download (fetch missing files; the words are then
numbered by the training file as the book does), --save PATH (the trained model, with
its vocabulary in the metadata), --data-dir DIR, --seed.
"""

from __future__ import annotations

import argparse
import sys

from numnet import io
from numnet.data import DatasetError, load_ptb
from numnet.optimizers import Adam
from numnet.text import analogy, create_contexts_target, most_similar
from numnet.training import Trainer
from numnet.word2vec import CBOW, negative_sampling_baseline

QUERIES = ("you", "year", "car", "toyota")
ANALOGIES = (("man", "king", "woman"), ("take", "took", "go"), ("car", "cars", "child"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="valid", choices=["train", "valid", "test"])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--hidden", type=int, default=100)
    parser.add_argument("--window", type=int, default=5)
    parser.add_argument("--words", type=int, default=None, help="train on the first N words only")
    parser.add_argument("--download", action="store_true", help="download missing files (default: offline)")
    parser.add_argument("--data-dir", default=None, help="where the ptb files are (default: $NUMNET_DATA_DIR)")
    parser.add_argument("--save", default=None, help="save the trained model here")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    try:
        corpus, word_to_id, id_to_word = load_ptb(args.split, args.data_dir, download=args.download, verbose=False)
    except (DatasetError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(1) from None
    corpus = corpus[: args.words]
    vocab_size = len(word_to_id)
    contexts, target = create_contexts_target(corpus, args.window)
    model = CBOW(vocab_size, args.hidden, args.window, corpus=corpus, seed=args.seed)
    model.metadata = {"dataset": f"ptb-{args.split}", "words": [id_to_word[i] for i in range(vocab_size)]}
    baseline = negative_sampling_baseline(model.loss_fn.sampler.counts)
    print(f"ptb.{args.split}.txt: {len(corpus):,} words, vocabulary of {vocab_size:,}, {len(target):,} samples")
    print(f"unigram baseline (best loss ignoring the context) = {baseline:.4f}")

    history = Trainer(model, Adam()).fit(contexts, target, epochs=args.epochs, batch_size=100, verbose=2)
    print(f"final mean training loss = {history.train_loss[-1]:.4f}")

    vectors = model.word_vecs
    for query in QUERIES:
        if query in word_to_id:
            most_similar(query, word_to_id, id_to_word, vectors, top=5, verbose=True)
    for a, b, c in ANALOGIES:
        if all(word in word_to_id for word in (a, b, c)):
            analogy(a, b, c, word_to_id, id_to_word, vectors, top=5, verbose=True)
    if args.save:
        print(f"\nsaved {io.save(model, args.save)}")


if __name__ == "__main__":
    main()
