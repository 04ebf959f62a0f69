"""The benchmarks: GEMM roofline, MLP, wide MLP, inference, convolution, peak memory.

Each section adds :class:`harness.Row` objects (and :class:`harness.Target`
verdicts) to the :class:`Results`; a section that fails, or a peer that is
missing, gives rows that say so and the rest of the suite still runs.
:func:`run_suite` runs them all.

Import this module only after the thread count is fixed (``run.py`` does it
through environment variables read when NumPy and PyTorch load their
thread pools).
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import subprocess
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

import numnet
import numnet_side
from harness import SECTIONS, Row, Stats, Target, ratio, seconds, time_interleaved
from numnet.data import load_mnist, make_planar
from numpy_loop import NumpyLoop

BENCH_DIR = Path(__file__).resolve().parent
SEED = 0
MLP_SIZES = (784, 100, 10)
WIDE_SIZES = (784, 1024, 1024, 10)
WARM_UP_SAMPLES = 1_000


@dataclass
class Config:
    """What to run: ``repeats`` timed epochs (or calls) per contender, on ``threads`` threads.

    ``train_samples`` limits the training set of the epoch benchmarks (None:
    all 60,000; ``--quick`` uses fewer). ``peers`` are the peers to try,
    ``sections`` the sections to run (all when empty).
    """

    repeats: int
    threads: int
    train_samples: int | None
    gemm_size: int
    peers: tuple[str, ...] = ("torch", "sklearn", "onnxruntime")
    quick: bool = False
    sections: tuple[str, ...] = ()  # names from SECTIONS; empty: all


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "meta": self.meta,
            "rows": [r.to_dict() for r in self.rows],
            "targets": [t.to_dict() for t in self.targets],
        }


def progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ peers


PEER_NAMES = {"torch": "PyTorch", "sklearn": "scikit-learn", "onnxruntime": "ONNX Runtime"}


def load_peers(config: Config) -> dict[str, ModuleType | str]:
    """Each peer's adapter module (``torch_side``, ``sklearn_side``), or why it is absent."""
    peers: dict[str, ModuleType | str] = {}
    for peer in PEER_NAMES:
        if peer not in config.peers:
            peers[peer] = "skipped (--peers)"
            continue
        try:
            peers[peer] = importlib.import_module(f"{peer}_side")
        except ImportError as error:
            peers[peer] = f"not installed ({error.name}): pip install -e '.[bench]'"
    for module in peers.values():
        if isinstance(module, ModuleType) and hasattr(module, "set_threads"):
            module.set_threads(config.threads)
    return peers


# ------------------------------------------------------------------ sections


def gemm(n: int, dtype: str, products: int = 1) -> Callable[[], None]:
    """A call that multiplies two fixed n x n matrices ``products`` times (2 n^3 FLOPs each)."""
    rng = np.random.default_rng(SEED)
    a, b = (rng.standard_normal((n, n)).astype(dtype) for _ in range(2))
    out = np.empty((n, n), dtype)

    def multiply() -> None:
        for _ in range(products):
            np.matmul(a, b, out=out)

    return multiply


def gemm_rate(n: int, products: int, stats: Stats) -> Stats:
    """Seconds per call of :func:`gemm` as GFLOP/s."""
    return stats.scaled("GFLOP/s", lambda s: products * 2 * n**3 / s / 1e9)


def gemm_roofline(config: Config) -> list[Row]:
    """float32 and float64 GEMM throughput of NumPy on n x n matrices, in GFLOP/s."""
    n = config.gemm_size
    calls = {dtype: gemm(n, dtype) for dtype in ("float32", "float64")}
    for call in calls.values():
        call()  # warm-up
    timed = time_interleaved(calls, max(5, 2 * config.repeats))
    gflops = {dtype: gemm_rate(n, 1, stats) for dtype, stats in timed.items()}
    return [Row(f"GEMM {n}×{n}", f"NumPy {dtype}", stats) for dtype, stats in gflops.items()]


Factory = Callable[[np.ndarray, np.ndarray], Any]


def train_race(
    factories: dict[str, Factory],
    x: np.ndarray,
    t: np.ndarray,
    repeats: int,
    alongside: dict[str, Callable[[], object]] | None = None,
) -> tuple[dict[str, Stats], dict[str, Any]]:
    """Seconds per training epoch of each contender, epochs interleaved; returns the trained contenders too.

    ``factories`` build a fresh contender on ``(x, t)``. Each first trains a
    throwaway copy on a small slice, so that one-time costs (allocations,
    lazy initialization) fall outside the timed epochs. The calls
    ``alongside`` are timed in the same rounds (their stats come back under
    their names), to measure a reference under the same load.
    """
    for make in factories.values():
        make(x[:WARM_UP_SAMPLES], t[:WARM_UP_SAMPLES]).epoch()
    contenders = {name: make(x, t) for name, make in factories.items()}
    calls = {name: c.epoch for name, c in contenders.items()} | (alongside or {})
    return time_interleaved(calls, repeats), contenders


def with_torch(
    factories: dict[str, Factory],
    peers: dict[str, ModuleType | str],
    build: Callable[[ModuleType], Any],
    batch_size: int,
    lr: float,
) -> list[str]:
    """Add PyTorch's factory (the network from ``build(torch_side)``) if the peer is there; return missing peers."""
    torch_side = peers["torch"]
    if not isinstance(torch_side, ModuleType):
        return ["torch"]
    factories["PyTorch"] = lambda x, t: torch_side.TorchTrainer(build(torch_side), x, t, batch_size, lr, SEED)
    return []


def missing_rows(benchmark: str, peers: dict[str, ModuleType | str], names: list[str]) -> list[Row]:
    return [Row(benchmark, PEER_NAMES[name], note=str(peers[name])) for name in names]


def timed_rows(
    benchmark: str,
    stats: dict[str, Stats],
    notes: dict[str, str] | None = None,
    extras: dict[str, dict[str, Any]] | None = None,
) -> list[Row]:
    """One row per contender; the ratio is numnet's median over the contender's."""
    notes, extras = notes or {}, extras or {}
    return [
        Row(
            benchmark,
            name,
            s,
            None if name == "numnet" else ratio(stats["numnet"], s),
            notes.get(name, ""),
            extras.get(name, {}),
        )
        for name, s in stats.items()
    ]


def accuracy_notes(
    contenders: dict[str, Any], x_test: np.ndarray, t_test: np.ndarray, epochs: int
) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """Each trained contender's test accuracy, as table notes and JSON extras."""
    notes, extras = {}, {}
    for name, contender in contenders.items():
        accuracy = contender.accuracy(x_test, t_test)
        notes[name] = f"test acc {accuracy:.4f} after {epochs} epochs"
        extras[name] = {"test_accuracy": accuracy, "epochs": epochs}
    return notes, extras


def mlp_section(
    config: Config, data: dict[str, np.ndarray], peers: dict[str, ModuleType | str], results: Results
) -> dict[str, Any]:
    """784-100-10 ReLU MLP, SGD lr 0.1, batch 100: seconds per epoch and test accuracy.

    Returns the trained contenders.
    """
    batch_size, lr = 100, 0.1
    benchmark = f"MLP {'-'.join(map(str, MLP_SIZES))} epoch"
    factories: dict[str, Factory] = {
        "numnet": lambda x, t: numnet_side.NumnetTrainer(numnet_side.mlp(MLP_SIZES, SEED), x, t, batch_size, lr, SEED)
    }
    missing = with_torch(factories, peers, lambda ts: ts.mlp(MLP_SIZES, SEED), batch_size, lr)
    sklearn_side = peers["sklearn"]
    if isinstance(sklearn_side, ModuleType):
        for dtype in ("float32", "float64"):
            factories[f"scikit-learn {dtype}"] = lambda x, t, dtype=dtype: sklearn_side.SklearnMLP(
                MLP_SIZES[1], x, t, batch_size, lr, SEED, dtype
            )
    else:
        missing.append("sklearn")
    stats, contenders = train_race(factories, data["x_train"], data["t_train"], config.repeats)
    notes, extras = accuracy_notes(contenders, data["x_test"], data["t_test"], config.repeats)
    for name, contender in contenders.items():
        if name.startswith("scikit-learn"):
            notes[name] += f"; computed in {contender.computed_in}"
    results.rows += timed_rows(benchmark, stats, notes, extras) + missing_rows(benchmark, peers, missing)
    torch_ratio = ratio(stats["numnet"], stats.get("PyTorch"))
    sk32, sk64 = (ratio(stats["numnet"], stats.get(f"scikit-learn {d}")) for d in ("float32", "float64"))
    results.targets += [
        Target("MLP epoch, numnet ÷ PyTorch", torch_ratio, "<= 1.0", "aim 0.7"),
        Target(
            "MLP epoch, numnet ÷ scikit-learn (float32)",
            sk32,
            "<= 0.33",
            "" if sk64 is None else f"÷ scikit-learn float64 (its default dtype): {sk64:.2f}",
        ),
    ]
    return contenders


def parameter_count(sizes: tuple[int, ...]) -> int:
    return sum(fan_in * fan_out + fan_out for fan_in, fan_out in zip(sizes[:-1], sizes[1:]))


def wide_mlp_section(
    config: Config, data: dict[str, np.ndarray], peers: dict[str, ModuleType | str], results: Results
) -> None:
    """784-1024-1024-10, batch 256: seconds per epoch and numnet's fraction of the float32 GEMM roofline.

    The roofline is measured again between the epochs (about a second of
    n x n float32 products per round), so that both see the same load. The
    work per sample is counted as 6 x parameters FLOPs (forward, weight
    gradients, input gradients: two FLOPs per weight each), the convention of
    the issue; numnet and PyTorch both skip the first layer's input gradient,
    so the products actually computed are 2 x 784 x 1024 FLOPs per sample
    fewer (reported as ``performed_fraction``).
    """
    batch_size, lr = 256, 0.05
    benchmark = f"wide MLP {'-'.join(map(str, WIDE_SIZES))} epoch"
    factories: dict[str, Factory] = {
        "numnet": lambda x, t: numnet_side.NumnetTrainer(numnet_side.mlp(WIDE_SIZES, SEED), x, t, batch_size, lr, SEED)
    }
    missing = with_torch(factories, peers, lambda ts: ts.mlp(WIDE_SIZES, SEED), batch_size, lr)
    n = config.gemm_size
    one_product = gemm(n, "float32")
    products = max(1, round(1.0 / seconds(one_product)))  # about one second per call
    x, t = data["x_train"], data["t_train"]
    stats, _ = train_race(factories, x, t, config.repeats, alongside={"GEMM": gemm(n, "float32", products)})
    peak = gemm_rate(n, products, stats.pop("GEMM")).median * 1e9
    nominal = 6 * parameter_count(WIDE_SIZES) * len(x)
    performed = nominal - 2 * WIDE_SIZES[0] * WIDE_SIZES[1] * len(x)
    notes, extras = {}, {}
    for name, s in stats.items():
        notes[name] = (
            f"{nominal / s.median / 1e9:.1f} GFLOP/s = {nominal / s.median / peak:.0%} of float32 GEMM "
            f"({peak / 1e9:.1f} GFLOP/s, timed between these epochs)"
        )
        extras[name] = {
            "gflops_nominal": nominal / s.median / 1e9,
            "roofline_gflops": peak / 1e9,
            "roofline_fraction": nominal / s.median / peak,
            "performed_fraction": performed / s.median / peak,
        }
    results.rows += timed_rows(benchmark, stats, notes, extras) + missing_rows(benchmark, peers, missing)
    results.targets.append(
        Target(
            "wide MLP, numnet's fraction of the float32 GEMM roofline",
            extras["numnet"]["roofline_fraction"],
            ">= 0.70",
            "6×params FLOPs/sample; counting only the products performed: "
            f"{extras['numnet']['performed_fraction']:.2f}",
        )
    )


def inference_section(
    config: Config,
    data: dict[str, np.ndarray],
    contenders: dict[str, Any],
    peers: dict[str, ModuleType | str],
    results: Results,
) -> None:
    """Images per second of the trained 784-100-10 MLPs scoring the 10,000 test images in one call.

    ONNX Runtime runs numnet's trained model, exported with ``numnet.onnx``;
    its probabilities must match numnet's (within 1e-5) before it is timed.
    """
    x_test = data["x_test"]
    benchmark = f"inference {'-'.join(map(str, MLP_SIZES))}, {len(x_test):,} images"
    predictors = {name: c for name, c in contenders.items() if name in ("numnet", "PyTorch")}
    onnxruntime_side = peers["onnxruntime"]
    notes = {}
    if isinstance(onnxruntime_side, ModuleType):
        numnet_model = contenders["numnet"].model
        predictors["ONNX Runtime"] = onnxruntime_side.OnnxRuntimePredictor(numnet_model)
        difference = np.max(np.abs(predictors["ONNX Runtime"].predict(x_test) - numnet_model.predict_proba(x_test)))
        if difference > 1e-5:
            raise AssertionError(f"ONNX Runtime's probabilities differ from numnet's by {difference:.2g}")
        notes["ONNX Runtime"] = f"numnet's model exported; probabilities within {difference:.1g} of numnet's"
    calls = {name: (lambda p=p: p.predict(x_test)) for name, p in predictors.items()}
    for call in calls.values():
        call()  # warm-up
    timed = time_interleaved(calls, max(10, 5 * config.repeats))
    rates = {name: s.scaled("images/s", lambda sec: len(x_test) / sec) for name, s in timed.items()}
    results.rows += timed_rows(benchmark, rates, notes)
    results.rows += missing_rows(benchmark, peers, [p for p in ("torch", "onnxruntime") if PEER_NAMES[p] not in rates])
    results.targets.append(
        Target("inference, numnet ÷ PyTorch images/s", ratio(rates["numnet"], rates.get("PyTorch")), ">= 1.0")
    )


def conv_section(
    config: Config, data: dict[str, np.ndarray], peers: dict[str, ModuleType | str], results: Results
) -> None:
    """SimpleConvNet (Conv 30@5x5, pool, 100, 10), SGD lr 0.1, batch 100: seconds per epoch."""
    batch_size, lr = 100, 0.1
    benchmark = "SimpleConvNet epoch"
    factories: dict[str, Factory] = {
        "numnet": lambda x, t: numnet_side.NumnetTrainer(numnet_side.simple_convnet(SEED), x, t, batch_size, lr, SEED)
    }
    missing = with_torch(factories, peers, lambda ts: ts.simple_convnet(SEED), batch_size, lr)
    images = data["x_train"].reshape(-1, 1, 28, 28)  # a view, no copy
    stats, contenders = train_race(factories, images, data["t_train"], config.repeats)
    test_images = data["x_test"].reshape(-1, 1, 28, 28)
    notes, extras = accuracy_notes(contenders, test_images, data["t_test"], config.repeats)
    results.rows += timed_rows(benchmark, stats, notes, extras) + missing_rows(benchmark, peers, missing)
    results.targets.append(
        Target("SimpleConvNet epoch, numnet ÷ PyTorch", ratio(stats["numnet"], stats.get("PyTorch")), "<= 1.0")
    )


PLANAR_POINTS, PLANAR_LR, PLANAR_ITERATIONS = 400, 1.2, 1000


def planar_section(config: Config, peers: dict[str, ModuleType | str], results: Results) -> None:
    """The course's planar network (2-4-1, tanh, sigmoid output, 400 points, full batch, SGD lr 1.2):
    microseconds per iteration of numnet's ``Trainer.fit``, a bare NumPy loop of the same math, and PyTorch.

    Every timed call runs 1,000 iterations (numnet: ``fit(epochs=1000, batch_size=None)``).
    """
    x, t = make_planar(PLANAR_POINTS, seed=SEED)
    benchmark = "planar 2-4-1, 400 points, full batch"
    contenders: dict[str, Any] = {
        "numnet": numnet_side.NumnetFullBatch(numnet_side.planar_network(SEED), x, t, PLANAR_LR, PLANAR_ITERATIONS),
        "NumPy loop": NumpyLoop(x, t, PLANAR_LR, PLANAR_ITERATIONS, seed=SEED),
    }
    torch_side = peers["torch"]
    if isinstance(torch_side, ModuleType):
        net = torch_side.planar_network(SEED)
        contenders["PyTorch"] = torch_side.TorchFullBatch(net, x, t, PLANAR_LR, PLANAR_ITERATIONS)
    for contender in contenders.values():
        contender.run()  # warm-up
    timed = time_interleaved({name: c.run for name, c in contenders.items()}, max(5, 2 * config.repeats))
    per_iteration = {name: s.scaled("µs", lambda sec: sec / PLANAR_ITERATIONS * 1e6) for name, s in timed.items()}
    notes = {
        "numnet": "Trainer.fit(epochs=1000, batch_size=None): per-epoch bookkeeping included",
        "NumPy loop": "forward, cost, backward, update written out (bench/numpy_loop.py)",
    }
    results.rows += timed_rows(benchmark, per_iteration, notes)
    if "PyTorch" not in contenders:
        results.rows += missing_rows(benchmark, peers, ["torch"])
    results.targets.append(
        Target(
            "planar network iteration, numnet ÷ bare NumPy loop",
            ratio(per_iteration["numnet"], per_iteration["NumPy loop"]),
            "<= 1.3",
        )
    )


def memory_section(config: Config, results: Results) -> None:
    """Peak RSS of a child process that loads MNIST and trains the 784-100-10 MLP one epoch."""
    command = [sys.executable, str(BENCH_DIR / "peak_memory.py"), "--epochs", "1"]
    if config.train_samples is not None:
        command += ["--train-samples", str(config.train_samples)]
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(f"peak_memory.py exited with {completed.returncode}: {completed.stderr.strip()[-500:]}")
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    peak, data_mib = report["peak_mib"], report["data_mib"]
    note = f"data held {data_mib:.0f} MiB (peak = {peak / data_mib:.2f}× data); "
    if report["rss_after_imports_mib"] is not None:
        note += f"Python+NumPy+numnet alone {report['rss_after_imports_mib']:.0f} MiB; "
    note += f"peak while loading {report['peak_after_load_mib']:.0f} MiB"
    results.rows.append(
        Row("peak RSS, MNIST load + 1 epoch MLP", "numnet", Stats("MiB", [peak]), note=note, extra=report)
    )


# ------------------------------------------------------------------ driver


def load_data(config: Config) -> dict[str, np.ndarray]:
    """Full MNIST as float32 (N, 784) in [0, 1] with int64 labels; the training set cut for ``--quick``."""
    (x_train, t_train), (x_test, t_test) = load_mnist(verbose=True)
    x_train, t_train = x_train[: config.train_samples], t_train[: config.train_samples]
    return {"x_train": x_train, "t_train": t_train, "x_test": x_test, "t_test": t_test}


def machine_info(config: Config, peers: dict[str, ModuleType | str]) -> dict[str, Any]:
    info: dict[str, Any] = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "threads": config.threads,
        "numnet": numnet.__version__,
        "numpy": np.__version__,
        "blas": _blas_name(),
        "load_average_start": os.getloadavg(),
        "repeats": config.repeats,
        "train_samples": config.train_samples or 60_000,
        "quick": config.quick,
    }
    for peer, module in peers.items():
        info[peer] = module.VERSION if isinstance(module, ModuleType) else module
    try:
        from threadpoolctl import threadpool_info

        info["threadpools"] = [
            {key: pool.get(key) for key in ("internal_api", "num_threads", "version")} for pool in threadpool_info()
        ]
    except ImportError:
        pass
    return info


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _blas_name() -> str:
    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        return f"{blas.get('name')} {blas.get('version')}"
    except Exception:
        return "unknown"


def guarded(section: str, results: Results, run: Callable[[], Any]) -> Any:
    """Run one section; on failure add a row saying so, print the traceback, and go on."""
    progress(section)
    try:
        return run()
    except Exception as error:
        traceback.print_exc()
        results.rows.append(Row(section, "–", note=f"failed: {type(error).__name__}: {error}"))
        return None


def run_suite(config: Config) -> Results:
    results = Results()
    peers = load_peers(config)
    results.meta = machine_info(config, peers)
    run = set(config.sections or SECTIONS)
    data = load_data(config) if run & {"mlp", "wide", "inference", "conv"} else {}
    if "gemm" in run:
        results.rows += guarded("GEMM roofline", results, lambda: gemm_roofline(config)) or []
    contenders = None
    if run & {"mlp", "inference"}:
        contenders = guarded("MLP", results, lambda: mlp_section(config, data, peers, results))
    if "wide" in run:
        guarded("wide MLP", results, lambda: wide_mlp_section(config, data, peers, results))
    if "inference" in run and contenders is not None:
        guarded("inference", results, lambda: inference_section(config, data, contenders, peers, results))
    if "conv" in run:
        guarded("SimpleConvNet", results, lambda: conv_section(config, data, peers, results))
    if "planar" in run:
        guarded("planar network", results, lambda: planar_section(config, peers, results))
    if "memory" in run:
        guarded("peak memory", results, lambda: memory_section(config, results))
    results.meta["load_average_end"] = os.getloadavg()
    return results
