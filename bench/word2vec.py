"""Benchmark numnet's word2vec against PyTorch (CPU), in one run.

    NUMNET_DATA_DIR=/path/to/data python bench/word2vec.py [--repeats N] [--threads N] [--out PATH]

Two measurements, each timed interleaved (see ``harness.py``):

* **CBOW with negative sampling**, one epoch on the Penn Treebank validation text
  (73,760 words; window 5, hidden 100, batches of 100, 5 negatives, Adam with
  lr 0.001): numnet's ``CBOW`` trained by ``Trainer.fit`` against the same model in
  PyTorch (two ``nn.Embedding``, ``binary_cross_entropy_with_logits``,
  ``torch.optim.Adam``, negatives drawn by ``torch.multinomial`` and redrawn where
  they hit the target, as numnet's sampler does).
* **Embedding backward**, a 10,000 x 100 table and 100,000 ids (Zipf-distributed, so
  with many repeats), float32: numnet's ``Embedding.backward`` (``np.bincount`` over
  the (row, column) cells, see ``numnet.layers.embedding.add_rows``) against
  ``np.add.at`` into a zeroed table, sorting the ids and summing each run with
  ``np.add.reduceat``, and PyTorch's ``nn.Embedding`` backward.

The words are numbered without the training file (``load_ptb(..., download=False)``
on a directory holding the validation and test splits), so the vocabulary is that of
the validation and test files (7,596 words).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from run import THREAD_VARIABLES, available_cores, busy_warning

WINDOW, HIDDEN, BATCH, NEGATIVES, LR, SEED = 5, 100, 100, 5, 0.001, 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed epochs (or calls) per contender (default 3)")
    parser.add_argument("--threads", type=int, default=available_cores(), help="threads for NumPy and PyTorch alike")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results" / "word2vec.json")
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.threads < 1:
        parser.error("--repeats and --threads must be positive")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    busy = busy_warning(args.threads)
    if busy:
        print(f"[bench] warning: {busy}", file=sys.stderr)
    for variable in THREAD_VARIABLES:
        os.environ[variable] = str(args.threads)
    import numpy as np
    import torch

    from harness import Row, Target, markdown_tables, ratio, time_interleaved
    from numnet.data import load_ptb
    from numnet.layers import Embedding
    from numnet.optimizers import Adam
    from numnet.text import create_contexts_target
    from numnet.training import Trainer
    from numnet.word2vec import CBOW, negative_sampling_baseline

    torch.set_num_threads(args.threads)
    load_start = os.getloadavg()
    rows: list[Row] = []
    targets: list[Target] = []

    # ---------------------------------------------------------- CBOW, one epoch
    corpus, word_to_id, _ = load_ptb("valid", download=False)
    contexts, target = create_contexts_target(corpus, WINDOW)
    vocab_size = len(word_to_id)
    counts = np.bincount(corpus, minlength=vocab_size)

    class NumnetCBOW:
        def __init__(self) -> None:
            self.model = CBOW(vocab_size, HIDDEN, WINDOW, corpus=corpus, sample_size=NEGATIVES, seed=SEED)
            self.trainer = Trainer(self.model, Adam(lr=LR))
            self.losses: list[float] = []

        def epoch(self) -> None:
            history = self.trainer.fit(contexts, target, epochs=1, batch_size=BATCH, verbose=0)
            self.losses.append(history.train_loss[0])

    class TorchCBOW(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            torch.manual_seed(SEED)
            self.w_in = torch.nn.Embedding(vocab_size, HIDDEN)
            self.w_out = torch.nn.Embedding(vocab_size, HIDDEN)
            for embedding in (self.w_in, self.w_out):
                torch.nn.init.normal_(embedding.weight, std=0.01)
            self.optimizer = torch.optim.Adam(self.parameters(), lr=LR)
            self.noise = torch.from_numpy(counts.astype(np.float64) ** 0.75)
            self.generator = torch.Generator().manual_seed(SEED)
            self.x, self.t = torch.from_numpy(contexts), torch.from_numpy(target)
            self.losses: list[float] = []

        def negatives(self, t: torch.Tensor) -> torch.Tensor:
            negative = torch.multinomial(self.noise, len(t) * NEGATIVES, True, generator=self.generator)
            negative = negative.view(len(t), NEGATIVES)
            while (hit := negative == t[:, None]).any():
                negative[hit] = torch.multinomial(self.noise, int(hit.sum()), True, generator=self.generator)
            return negative

        def epoch(self) -> None:
            order = torch.randperm(len(self.x), generator=self.generator)
            total = 0.0
            for start in range(0, len(self.x), BATCH):
                index = order[start : start + BATCH]
                x, t = self.x[index], self.t[index]
                h = self.w_in(x).mean(dim=1)
                ids = torch.cat([t[:, None], self.negatives(t)], dim=1)
                scores = (self.w_out(ids) * h[:, None, :]).sum(-1)
                labels = torch.zeros_like(scores)
                labels[:, 0] = 1
                loss = torch.nn.functional.binary_cross_entropy_with_logits(scores, labels, reduction="none")
                loss = loss.sum(dim=1).mean()
                self.optimizer.zero_grad(set_to_none=True)
                loss.backward()
                self.optimizer.step()
                total += loss.item() * len(index)
            self.losses.append(total / len(self.x))

    print("[bench] CBOW epochs on PTB validation text", file=sys.stderr, flush=True)
    contenders = {"numnet": NumnetCBOW(), "PyTorch": TorchCBOW()}
    epoch_stats = time_interleaved({name: c.epoch for name, c in contenders.items()}, args.repeats)
    baseline = negative_sampling_baseline(counts, sample_size=NEGATIVES)
    benchmark = f"CBOW+NS epoch, PTB valid ({len(target):,} samples, V={vocab_size:,})"
    for name, contender in contenders.items():
        note = "mean loss per epoch " + ", ".join(f"{loss:.3f}" for loss in contender.losses)
        rows.append(
            Row(
                benchmark,
                name,
                epoch_stats[name],
                None if name == "numnet" else ratio(epoch_stats["numnet"], epoch_stats[name]),
                note,
                {"epoch_losses": contender.losses},
            )
        )
    rows.append(Row("unigram baseline (best loss without context)", "-", None, None, f"{baseline:.3f}"))
    targets.append(
        Target(
            "CBOW epoch, numnet ÷ PyTorch",
            ratio(epoch_stats["numnet"], epoch_stats["PyTorch"]),
            "<= 1.0",
            f"{args.threads} thread(s)",
        )
    )

    # ---------------------------------------------------------- Embedding backward
    print("[bench] Embedding backward", file=sys.stderr, flush=True)
    rng = np.random.default_rng(SEED)
    table, n_ids = (10_000, 100), 100_000
    ids = (rng.zipf(1.2, size=n_ids) - 1) % table[0]
    dout = rng.standard_normal((n_ids, table[1])).astype(np.float32)
    layer = Embedding(*table, rng=SEED)
    layer.forward(ids)
    reference = torch.nn.Embedding(*table)
    ids_torch, dout_torch = torch.from_numpy(ids), torch.from_numpy(dout)

    def add_at() -> np.ndarray:
        grad = np.zeros(table, np.float32)
        np.add.at(grad, ids, dout)
        return grad

    def sort_reduceat() -> np.ndarray:
        grad = np.zeros(table, np.float32)
        order = np.argsort(ids, kind="stable")
        sorted_ids = ids[order]
        starts = np.flatnonzero(np.concatenate(([True], sorted_ids[1:] != sorted_ids[:-1])))
        grad[sorted_ids[starts]] = np.add.reduceat(dout[order], starts, axis=0)
        return grad

    def torch_backward() -> None:
        reference.weight.grad = None
        reference(ids_torch).backward(dout_torch)

    calls = {
        "numnet Embedding.backward (bincount)": lambda: layer.backward(dout),
        "np.add.at": add_at,
        "sort + np.add.reduceat": sort_reduceat,
        "PyTorch nn.Embedding backward": torch_backward,
    }
    for call in calls.values():
        call()
    np.testing.assert_allclose(layer.dW, add_at(), rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(sort_reduceat(), add_at(), rtol=1e-4, atol=1e-3)
    backward_stats = time_interleaved(calls, max(5, 3 * args.repeats))
    ours = backward_stats["numnet Embedding.backward (bincount)"]
    for name, stats in backward_stats.items():
        rows.append(
            Row(
                f"Embedding backward {table[0]:,}×{table[1]}, {n_ids:,} ids",
                name,
                stats,
                None if stats is ours else ratio(ours, stats),
            )
        )

    meta = {
        "threads": args.threads,
        "cores": available_cores(),
        "repeats": args.repeats,
        "numpy": np.__version__,
        "torch": torch.__version__,
        "load_average_start": load_start,
        "load_average_end": os.getloadavg(),
    }
    print(
        f"\n{args.threads} thread(s) of {meta['cores']} cores, {args.repeats} repeats; "
        f"load average {load_start[0]:.1f} -> {meta['load_average_end'][0]:.1f}\n"
    )
    print(markdown_tables(rows, targets))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    results = {"meta": meta, "rows": [r.to_dict() for r in rows], "targets": [t.to_dict() for t in targets]}
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nJSON written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
