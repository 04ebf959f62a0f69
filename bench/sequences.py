"""Benchmark numnet's recurrent models against the same models in PyTorch (CPU), in one run.

    python bench/sequences.py [--repeats N] [--threads N] [--quick] [--out PATH]

Two rows, each timed interleaved (see harness.py):

- **LSTM language model iteration**: the book's ``Rnnlm`` shape (vocabulary
  10,000, word vectors 100, hidden 100, batch 20, time 35): one training
  iteration - forward, backward, gradient clipping at 0.25, SGD step - on
  truncated-BPTT batches of ``ptb.valid.txt`` read in order with the state
  carried. numnet through ``Trainer.train_step``; PyTorch as
  Embedding -> LSTM -> Linear with ``cross_entropy``, ``clip_grad_norm_``,
  ``torch.optim.SGD``, the state detached between batches.
- **addition seq2seq epoch**: chapter 7's ``Seq2seq`` (word vectors 16, hidden
  128) on the 45,000 training problems, batch 128, Adam 0.001, clipping 5.0:
  one epoch of training in a fresh shuffled order. numnet through
  ``Trainer.fit`` recording no metrics; PyTorch as two Embedding + LSTM
  pairs and a Linear, the decoder LSTM started from the encoder's last state.

Data from ``$NUMNET_DATA_DIR`` (``ptb/``, ``dlfs2/``). Threads as in
``run.py``: ``--threads`` sets NumPy's BLAS and PyTorch alike (default 1: on a
busy machine, spinning thread pools make small products ten times slower).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from run import THREAD_VARIABLES, available_cores, busy_warning

LM_SHAPE = {"vocab": 10_000, "wordvec": 100, "hidden": 100, "batch": 20, "time": 35}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark numnet's recurrent models against PyTorch.")
    parser.add_argument("--repeats", type=int, default=5, help="timed samples per contender (default 5)")
    parser.add_argument("--threads", type=int, default=1, help="threads for NumPy's BLAS and PyTorch (default 1)")
    parser.add_argument("--quick", action="store_true", help="5 LM iterations a sample, a tenth of an epoch")
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parent / "results" / "sequences.json", help="JSON results"
    )
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

    torch.set_num_threads(args.threads)
    data_dir = Path(os.environ.get("NUMNET_DATA_DIR", "."))
    load_start = os.getloadavg()
    iterations = 5 if args.quick else 20
    rows, targets = [], []

    # ------------------------------------------------------------ the language model
    lm_numnet, lm_torch = language_model_contenders(data_dir, iterations)
    stats = time_interleaved({"numnet": lm_numnet, "PyTorch": lm_torch}, args.repeats)
    per_iteration = {name: s.scaled("ms", lambda v: 1000 * v / iterations) for name, s in stats.items()}
    lm_ratio = ratio(per_iteration["numnet"], per_iteration["PyTorch"])
    name = "LSTM LM iteration (V 10,000, D 100, H 100, batch 20, T 35)"
    rows.append(Row(name, "numnet", per_iteration["numnet"], note=f"mean of {iterations} iterations a sample"))
    rows.append(Row(name, "PyTorch", per_iteration["PyTorch"], lm_ratio))
    targets.append(Target("LSTM LM iteration, numnet ÷ PyTorch", lm_ratio, "<= 1.5"))

    # ------------------------------------------------------------ the addition epoch
    fraction = 0.1 if args.quick else 1.0
    epoch_numnet, epoch_torch, accuracies = addition_contenders(fraction)
    stats = time_interleaved({"numnet": epoch_numnet, "PyTorch": epoch_torch}, max(2, args.repeats // 2))
    epoch_ratio = ratio(stats["numnet"], stats["PyTorch"])
    name = f"addition Seq2seq epoch ({int(45_000 * fraction):,} problems, batch 128)"
    rows.append(Row(name, "numnet", stats["numnet"], note=accuracies("numnet")))
    rows.append(Row(name, "PyTorch", stats["PyTorch"], epoch_ratio, note=accuracies("PyTorch")))
    targets.append(Target("addition Seq2seq epoch, numnet ÷ PyTorch", epoch_ratio, "<= 1.5"))

    load_end = os.getloadavg()
    cores = available_cores()
    print(f"\n{args.threads} thread(s) of {cores} cores; load average {load_start[0]:.1f} -> {load_end[0]:.1f}\n")
    if busy:
        print(f"Warning: {busy}\n")
    print(markdown_tables(rows, targets))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "threads": args.threads,
        "load_average": [load_start, load_end],
        "numpy": np.__version__,
        "torch": torch.__version__,
        "rows": [row.to_dict() for row in rows],
        "targets": [target.to_dict() for target in targets],
    }
    args.out.write_text(json.dumps(record, indent=2) + "\n")
    print(f"\nJSON written to {args.out}", file=sys.stderr)


def ptb_valid(data_dir: Path):
    import numpy as np

    words = (data_dir / "ptb" / "ptb.valid.txt").read_text().replace("\n", " <eos> ").split()
    ids: dict[str, int] = {}
    return np.array([ids.setdefault(word, len(ids)) for word in words], dtype=np.int64)


def language_model_contenders(data_dir: Path, iterations: int):
    """Two callables, each running ``iterations`` training iterations of its LSTM language model."""
    import torch

    from numnet.data import bptt_batches
    from numnet.optimizers import SGD
    from numnet.sequence_models import RNNLM
    from numnet.training import Trainer

    V, D, H, B, T = (LM_SHAPE[k] for k in ("vocab", "wordvec", "hidden", "batch", "time"))
    x, t = bptt_batches(ptb_valid(data_dir), batch_size=B, time_size=T)
    batches = len(x) // B
    model = RNNLM(V, D, H, seed=0)
    trainer = Trainer(model, SGD(lr=20.0, clip_norm=0.25), metrics=())

    class TorchLM(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed = torch.nn.Embedding(V, D)
            self.lstm = torch.nn.LSTM(D, H, batch_first=True)
            self.affine = torch.nn.Linear(H, V)

        def forward(self, ids, state):
            out, state = self.lstm(self.embed(ids), state)
            return self.affine(out), state

    torch.manual_seed(0)
    net = TorchLM()
    optimizer = torch.optim.SGD(net.parameters(), lr=20.0)
    x_torch, t_torch = torch.from_numpy(x), torch.from_numpy(t)
    position = {"numnet": 0, "PyTorch": 0}
    state: list = [None]

    def run_numnet() -> None:
        for _ in range(iterations):
            k = position["numnet"] % batches
            trainer.train_step(x[k * B : (k + 1) * B], t[k * B : (k + 1) * B])
            position["numnet"] += 1

    def run_torch() -> None:
        for _ in range(iterations):
            k = position["PyTorch"] % batches
            scores, new_state = net(x_torch[k * B : (k + 1) * B], state[0])
            state[0] = tuple(s.detach() for s in new_state)
            loss = torch.nn.functional.cross_entropy(scores.reshape(-1, V), t_torch[k * B : (k + 1) * B].reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 0.25)
            optimizer.step()
            position["PyTorch"] += 1

    run_numnet()  # one-time costs out of the timings
    run_torch()
    return run_numnet, run_torch


def addition_contenders(fraction: float):
    """Two callables training one epoch of chapter 7's Seq2seq each, and a function describing their accuracy."""
    import numpy as np
    import torch

    from numnet.data import load_addition
    from numnet.optimizers import Adam
    from numnet.sequence_models import Seq2seq
    from numnet.training import Trainer

    (x, t), (x_test, t_test), vocab = load_addition()
    n = int(len(x) * fraction)
    x, t = x[:n], t[:n]
    V, D, H, batch = len(vocab), 16, 128, 128
    model = Seq2seq(V, D, H, seed=0)
    trainer = Trainer(model, Adam(lr=0.001, clip_norm=5.0), metrics=())
    rng = np.random.default_rng(0)

    class TorchSeq2seq(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder_embed, self.decoder_embed = torch.nn.Embedding(V, D), torch.nn.Embedding(V, D)
            self.encoder = torch.nn.LSTM(D, H, batch_first=True)
            self.decoder = torch.nn.LSTM(D, H, batch_first=True)
            self.affine = torch.nn.Linear(H, V)

        def forward(self, questions, decoder_in):
            _, (h, _) = self.encoder(self.encoder_embed(questions))
            out, _ = self.decoder(self.decoder_embed(decoder_in), (h, torch.zeros_like(h)))
            return self.affine(out)

    torch.manual_seed(0)
    net = TorchSeq2seq()
    optimizer = torch.optim.Adam(net.parameters(), lr=0.001)
    x_torch, t_torch = torch.from_numpy(x), torch.from_numpy(t)

    def run_numnet() -> None:
        trainer.fit(x, t, epochs=1, batch_size=batch, seed=int(rng.integers(2**31)), verbose=0)

    def run_torch() -> None:
        order = torch.from_numpy(rng.permutation(n))
        for start in range(0, n, batch):
            index = order[start : start + batch]
            questions, answers = x_torch[index], t_torch[index]
            scores = net(questions, answers[:, :-1])
            loss = torch.nn.functional.cross_entropy(scores.reshape(-1, V), answers[:, 1:].reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 5.0)
            optimizer.step()

    epochs = {"numnet": 0, "PyTorch": 0}

    def counted(name, run):
        def call() -> None:
            run()
            epochs[name] += 1

        return call

    def accuracies(name: str) -> str:
        if name == "numnet":
            accuracy = model.exact_match(x_test, t_test)
        else:
            with torch.inference_mode():
                accuracy = torch_exact_match(net, torch.from_numpy(x_test), torch.from_numpy(t_test))
        return f"exact match {accuracy:.1%} on the 5,000 test problems after {epochs[name]} epochs (not reversed)"

    return counted("numnet", run_numnet), counted("PyTorch", run_torch), accuracies


def torch_exact_match(net, questions, answers) -> float:
    """Greedy decoding with PyTorch: the fraction of answers right at every position."""
    import torch

    _, (h, c) = net.encoder(net.encoder_embed(questions))
    state, ids, generated = (h, torch.zeros_like(c)), answers[:, :1], []
    for _ in range(answers.shape[1] - 1):
        out, state = net.decoder(net.decoder_embed(ids), state)
        ids = net.affine(out).argmax(dim=2)
        generated.append(ids)
    return float((torch.cat(generated, dim=1) == answers[:, 1:]).all(dim=1).float().mean())


if __name__ == "__main__":
    main()
