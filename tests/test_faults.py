"""kill -9 at random moments while numnet writes: the previous file survives, nothing half-written is accepted.

Each test runs at least 50 trials. A trial starts a process that writes,
kills it with SIGKILL after a random delay, and checks the files it was
writing: each must be either the previous version or a complete new one
(both load), and the next write into the folder must leave no temporary file.
The tests print how many kills landed in the middle of a write (a temporary
file was left behind) and how many trials ended before the kill.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from numnet import io, runs
from numnet._atomic import TEMPORARY_SUFFIX

TRIALS = 50

pytestmark = pytest.mark.slow


def _temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(TEMPORARY_SUFFIX))


def _same_arrays(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[name], b[name]) for name in a)


# ---------------------------------------------------------------- io.save and io.save_checkpoint

BUILD = textwrap.dedent(
    """
    import numpy as np
    from numnet.models import MLP
    from numnet.optimizers import Adam

    def trained(seed):
        model, optimizer = MLP([784, 128, 10], seed=seed), Adam()
        model.forward(np.ones((2, 784), np.float32), np.array([0, 1]))
        model.backward()
        optimizer.update(model.params, model.grads)
        return model, optimizer
    """
)
WRITER = BUILD + textwrap.dedent(
    """
    import sys
    from numnet import io

    path, kind = sys.argv[1], sys.argv[2]
    versions = [trained(seed) for seed in (1, 2)]
    print("ready", flush=True)
    while True:  # write the two versions in turn until killed
        for epoch, (model, optimizer) in enumerate(versions):
            if kind == "model":
                io.save(model, path)
            else:
                io.save_checkpoint(path, model, optimizer, epoch, None, {"loss": [0.5]})
    """
)


def _versions() -> list[dict[str, np.ndarray]]:
    """The arrays the file may hold: the previous file's (seed 0) and the writer's two versions (seeds 1, 2)."""
    namespace: dict[str, object] = {}
    exec(BUILD, namespace)
    return [namespace["trained"](seed)[0].named_arrays() for seed in (0, 1, 2)]


@pytest.mark.parametrize("kind", ["model", "checkpoint"])
def test_kill_9_during_save_leaves_the_previous_or_the_new_file(tmp_path, kind):
    from numnet.models import MLP

    path = tmp_path / f"{kind}.npz"
    versions = _versions()
    namespace: dict[str, object] = {}
    exec(BUILD, namespace)
    model, optimizer = namespace["trained"](0)
    if kind == "model":
        io.save(model, path)
    else:
        io.save_checkpoint(path, model, optimizer, 0, None, {})
    reader = io.load if kind == "model" else (lambda p: io.load_checkpoint(p).model)
    rng = np.random.default_rng(0)
    outcomes: Counter[str] = Counter()
    for _ in range(TRIALS):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path), kind], stdout=subprocess.PIPE, text=True)
        assert writer.stdout.readline() == "ready\n"
        time.sleep(rng.uniform(0, 0.2))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        writer.stdout.close()
        assert writer.returncode == -signal.SIGKILL
        left = _temporaries(tmp_path)
        outcomes["temporary left (killed mid-write)" if left else "no temporary left"] += 1
        arrays = reader(path).named_arrays()  # never half-written: it loads
        outcomes[f"file holds version {next(i for i, v in enumerate(versions) if _same_arrays(arrays, v))}"] += 1
        io.save(MLP([2, 2]), tmp_path / "next.npz")  # the next write into the folder
        assert _temporaries(tmp_path) == []
    print(f"\n{kind}: {TRIALS} kills: {dict(outcomes)}")
    assert outcomes["temporary left (killed mid-write)"] > 0  # the kills did land inside writes


# ---------------------------------------------------------------- numnet train's final write

TRAIN = textwrap.dedent(
    """
    import os, signal, sys, threading, time
    from numnet import runs
    from numnet.cli import main

    write_run = runs.write_run

    def killed_while_writing(*args, **kwargs):
        delay = float(os.environ["KILL_AFTER"])
        if delay >= 0:
            timer = threading.Timer(delay, os.kill, (os.getpid(), signal.SIGKILL))
            timer.daemon = True  # a run that finishes first exits normally
            timer.start()
        started = time.perf_counter()
        written = write_run(*args, **kwargs)
        print("write_run took", time.perf_counter() - started, flush=True)
        return written

    runs.write_run = killed_while_writing  # what numnet train calls for its final write
    sys.exit(main(sys.argv[1:]))
    """
)
RUN_FILES = ("model.npz", "history.json", "history.csv", "run.json", "learning_curves.png")


def _train(out: Path, seed: int, kill_after: float) -> subprocess.CompletedProcess[str]:
    argv = ["train", "--dataset", "spiral", "--epochs", "2", "--quiet", "--force", "--out", str(out)]
    argv += ["--seed", str(seed)]
    env = {**os.environ, "KILL_AFTER": str(kill_after)}
    return subprocess.run([sys.executable, "-c", TRAIN, *argv], capture_output=True, text=True, env=env, timeout=120)


def _check_complete(folder: Path) -> None:
    """Every run file is there and whole: the model loads, the JSON and CSV parse, the picture decodes."""
    io.load(folder / "model.npz")
    json.loads((folder / "history.json").read_text())
    assert json.loads((folder / "run.json").read_text())["dataset"] == "spiral"
    rows = (folder / "history.csv").read_text().splitlines()
    assert rows[0].startswith("epoch,") and len(rows) == 3
    with Image.open(folder / "learning_curves.png") as picture:
        picture.load()


def test_kill_9_during_the_final_write_of_numnet_train(tmp_path):
    """The run folder is written whole beside ``out`` and renamed into place; a kill leaves the old or the new run.

    A kill between the two renames leaves the old run moved aside: the next start (``recover_run_dir``, as
    ``numnet train`` calls it) puts it back. Leftovers of killed writers are removed by the next start.
    """
    out = tmp_path / "run"
    first = _train(out, seed=0, kill_after=-1)  # the previous run, complete
    assert first.returncode == 0, first.stderr
    duration = float(first.stdout.split("write_run took")[-1])
    previous = {name: (out / name).read_bytes() for name in RUN_FILES}
    rng = np.random.default_rng(0)
    outcomes: Counter[str] = Counter()
    for trial in range(TRIALS):
        result = _train(out, seed=trial + 1, kill_after=rng.uniform(0, duration))
        outcomes["killed" if result.returncode == -signal.SIGKILL else f"exit {result.returncode}"] += 1
        leftovers = [p for p in tmp_path.iterdir() if p != out]
        outcomes["leftovers beside the run (killed mid-write)" if leftovers else "nothing left beside the run"] += 1
        outcomes["old run moved aside, put back"] += not out.exists()
        runs.recover_run_dir(out)  # what the next start does first
        assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]
        assert sorted(p.name for p in out.iterdir()) == sorted(RUN_FILES)
        _check_complete(out)  # the previous run or a complete new one, never a mix or half-written
        current = {name: (out / name).read_bytes() for name in RUN_FILES}
        assert current == previous or all(current[name] != previous[name] for name in ("model.npz", "run.json"))
        outcomes["run replaced"] += current != previous
        previous = current
    last = _train(out, seed=0, kill_after=-1)
    assert last.returncode == 0 and sorted(p.name for p in tmp_path.iterdir()) == ["run"]
    _check_complete(out)
    print(f"\nnumnet train: {TRIALS} kills during the final write (about {duration:.2f} s): {dict(outcomes)}")
    assert outcomes["killed"] > TRIALS // 2 and outcomes["leftovers beside the run (killed mid-write)"] > 0
