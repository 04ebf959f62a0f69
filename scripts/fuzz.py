#!/usr/bin/env python
"""Fuzz numnet's readers of untrusted files: only the documented error, and bounded memory.

Each target takes the bytes of a file, mutated from valid seed files, and
reads it with a numnet function that promises one documented error type:

==============  ==========================================  =================
target          reads the file with                         documented error
==============  ==========================================  =================
load            numnet.io.load                              ModelFileError
checkpoint      numnet.io.load_checkpoint                   ModelFileError
info            numnet.io.model_info                        ModelFileError
idx             numnet.data.mnist.read_idx_file (raw, gz)   DatasetError
picture         numnet predict's picture decoding           ValueError
==============  ==========================================  =================

Anything else is a crash: another exception type (MemoryError included: the
address space is capped, so an unbounded allocation fails), or a documented
error whose message does not name the file or spans several lines. Inputs
are built by mutators that know the formats (the JSON header and the
``.npy`` headers of a numnet file, its zip entries and compression) and by
plain byte mutations (bit flips, interesting integers, cuts, insertions).

Engines: atheris (coverage-guided, when installed) or hypothesis, both
driving the same mutators. Each target runs in its own process under
``RLIMIT_AS`` = its size after start-up + ``--memory-mb``. Prints a table of
outcomes per target and exits 1 if anything crashed; crashing inputs are
written to ``--crash-dir``.

    python scripts/fuzz.py [--targets load,idx] [--examples 100000] [--jobs 2]
                           [--engine auto|atheris|hypothesis] [--memory-mb 512]
"""

from __future__ import annotations

import argparse
import functools
import gzip
import hashlib
import io
import json
import math
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads: one small thread pool

import numpy as np

TARGETS = ("load", "checkpoint", "info", "idx", "picture")
#: Inputs per hypothesis example.
BATCH = 8
ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


# ------------------------------------------------------------- random choices


class Choices:
    """The random decisions of a mutator, read from a string of bytes (from hypothesis or atheris).

    Like libFuzzer's FuzzedDataProvider: each decision consumes the next
    bytes, and an exhausted string gives zeros, so that a short input makes
    few, simple changes and the engine's mutations of the bytes become
    mutations of the decisions.
    """

    def __init__(self, entropy: bytes) -> None:
        self.entropy, self.at = entropy, 0

    def raw(self, n: int) -> bytes:
        chunk = self.entropy[self.at : self.at + n]
        self.at += n
        return chunk.ljust(n, b"\0")

    def integer(self, low: int, high: int) -> int:
        span = high - low
        return low + int.from_bytes(self.raw((span.bit_length() + 7) // 8), "little") % (span + 1)

    def choice(self, options: Any) -> Any:
        return options[self.integer(0, len(options) - 1)]

    def chance(self, numerator: int, denominator: int) -> bool:
        """True with probability numerator / denominator; never for exhausted (zero) bytes."""
        return self.integer(0, denominator - 1) >= denominator - numerator


# ------------------------------------------------------------- seed files


def model_seeds() -> list[bytes]:
    """Valid numnet model and checkpoint files, stored and deflated, of every built-in kind of model."""
    from numnet import io as numnet_io
    from numnet.layers import BatchNorm, Conv2D, Dense, Flatten, MaxPool2D, ReLU, SoftmaxWithLoss
    from numnet.models import MLP, LogisticRegression, Sequential, SimpleConvNet, TwoLayerNet
    from numnet.optimizers import SGD, Adam, Momentum
    from numnet.sequence_models import RNNLM, AttentionSeq2seq
    from numnet.word2vec import CBOW

    conv = Sequential(
        [Conv2D(1, 2, 3, padding=1, rng=0), BatchNorm(2), ReLU(), MaxPool2D(2), Flatten(), Dense(18, 3, rng=0)],
        SoftmaxWithLoss(),
    )
    models = [
        MLP([4, 5, 3], batch_norm=True, seed=0),
        TwoLayerNet(3, 4, 2, seed=0),
        LogisticRegression(3, seed=0),
        SimpleConvNet((1, 6, 6), filters=2, kernel_size=3, hidden_size=4, output_size=3, seed=0),
        conv,
        RNNLM(7, 3, 3, tie_weights=True, seed=0),  # a tied parameter
        AttentionSeq2seq(7, 2, 3, seed=0),
        CBOW(5, 2, counts=[3, 1, 2, 1, 1], seed=0),  # a loss with a parameter
    ]
    seeds = []
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "seed.npz"
        for model in models:
            numnet_io.save(model, path)
            seeds.append(path.read_bytes())
        for model, optimizer in ((models[0], Adam(lr=0.01)), (models[4], Momentum()), (models[1], SGD())):
            x = np.zeros((2, *_input_shape(model)), np.float32)
            model.forward(x, np.array([0, 1]))
            model.backward()
            optimizer.update(model.params, model.grads)
            state = np.random.default_rng(0).bit_generator.state
            numnet_io.save_checkpoint(path, model, optimizer, 1, state, {"loss": [0.5, 0.25]}, {"iteration": 2})
            seeds.append(path.read_bytes())
    seeds += [rezip(_entries(seed), zipfile.ZIP_DEFLATED) for seed in seeds[::3]]
    return seeds


def _input_shape(model: Any) -> tuple[int, ...]:
    first = model.params[0]
    return (first.shape[1], 6, 6) if first.ndim == 4 else (first.shape[0],)


def idx_seeds() -> list[bytes]:
    """Small IDX files: two bytes say raw or gzipped (r, g) and the dimensions (1, 3), then the content."""
    labels = b"\x00\x00\x08\x01" + (5).to_bytes(4, "big") + bytes([3, 1, 4, 1, 5])
    images = b"\x00\x00\x08\x03" + b"".join(n.to_bytes(4, "big") for n in (2, 3, 4)) + bytes(range(24))
    return [kind + ndim + content for ndim, content in ((b"1", labels), (b"3", images)) for kind in (b"r", b"g")]


def picture_seeds() -> list[bytes]:
    """Pictures of every common format and mode that ``numnet predict`` reads."""
    from PIL import Image

    rng = np.random.default_rng(0)
    gray = Image.fromarray(rng.integers(0, 256, (28, 28), dtype=np.uint8), "L")
    rgb = Image.fromarray(rng.integers(0, 256, (16, 12, 3), dtype=np.uint8), "RGB")
    rgba = Image.fromarray(rng.integers(0, 256, (8, 8, 4), dtype=np.uint8), "RGBA")
    formats = {"PNG": (gray, rgb, rgba), "JPEG": (gray, rgb), "WEBP": (rgb,), "BMP": (gray,), "GIF": (gray,)}
    formats["TIFF"] = (gray,)
    seeds = []
    for picture_format, pictures in formats.items():
        for picture in pictures:
            buffer = io.BytesIO()
            picture.save(buffer, picture_format)
            seeds.append(buffer.getvalue())
    palette = gray.convert("P")
    buffer = io.BytesIO()
    palette.save(buffer, "PNG", transparency=0)
    return [*seeds, buffer.getvalue()]


# ------------------------------------------------------------- mutators

INTERESTING_INTS = (0, 1, -1, 2, 255, 256, 65535, 65536, 2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**63 - 1, 2**64, 10**40)
INTERESTING_JSON = (
    None,
    True,
    0,
    -1,
    2**31,
    2**63,
    2**127,
    10**50,
    1.5,
    float("nan"),
    float("inf"),
    "",
    "\ud800",
    "x" * 1000,
    [],
    {},
    [[[[[[[[[[[[]]]]]]]]]]]],
    {"type": "Dense", "config": {"in_features": 2**31, "out_features": 2**31}},
)
DTYPES = ("<f4", "<f8", ">f4", "|u1", "<i8", "|b1", "|O", "<c16", "|S5", "<U3", "<U99999999", "<M8[s]", "|V8")


def mutate_model_file(seed: bytes, choices: Choices) -> bytes:
    """Structure-aware changes to a numnet file (header, .npy headers, entries, compression), then byte changes."""
    if choices.chance(2, 3):
        entries = _entries(seed)
        for _ in range(choices.integer(1, 3)):
            choices.choice(ENTRY_MUTATIONS)(entries, choices)
        method = choices.choice((*ZIP_METHODS, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)) if choices.chance(1, 8) else None
        seed = rezip(entries, method if method is not None else choices.choice(ZIP_METHODS))
        if choices.chance(1, 10):
            seed = _patch_directory(seed, choices)
    if choices.chance(1, 3):
        seed = mutate_bytes(seed, choices, most=3)
    return seed


def _entries(data: bytes) -> list[list[Any]]:
    """The [name, content] pairs of a zip archive (a fresh list: the mutators change it)."""
    return [list(entry) for entry in _parsed(data)]


@functools.lru_cache(maxsize=64)  # the seeds, parsed once
def _parsed(data: bytes) -> tuple[tuple[str, bytes], ...]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return tuple((info.filename, archive.read(info)) for info in archive.infolist())


def rezip(entries: list[list[Any]], method: int) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are on purpose
        with zipfile.ZipFile(buffer, "w", method) as archive:
            for name, content in entries:
                archive.writestr(name, content)
    return buffer.getvalue()


def _npy_parts(content: bytes) -> tuple[dict[str, Any], bytes] | None:
    """The header dict and the data of a .npy entry, or None for one already mangled by an earlier mutation."""
    try:
        stream = io.BytesIO(content)
        version = np.lib.format.read_magic(stream)
        reader = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, fortran_order, dtype = reader(stream)
        header = {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": fortran_order, "shape": shape}
    except Exception:
        return None
    return header, content[stream.tell() :]


def _npy(header: dict[str, Any] | str, data: bytes, version: tuple[int, int] = (1, 0)) -> bytes:
    text = (header if isinstance(header, str) else repr(header)).encode("latin1", "replace") + b"\n"
    length = len(text).to_bytes(2 if version == (1, 0) else 4, "little")
    return b"\x93NUMPY" + bytes(version) + length + text + data


def _mutate_json(entries: list[list[Any]], choices: Choices) -> None:
    for entry in entries:
        if entry[0] == "__numnet__.npy":
            parts = _npy_parts(entry[1])
            if parts is None:
                return
            try:
                header = json.loads(parts[1])
            except ValueError:
                return
            header = _mutate_json_value(header, choices)
            raw = json.dumps(header).encode("utf-8", "surrogatepass")
            entry[1] = _npy({**parts[0], "shape": (len(raw),)}, raw)
            return


def _mutate_json_value(value: Any, choices: Choices) -> Any:
    """``value`` with one node somewhere in it replaced (or a container emptied or grown)."""
    if isinstance(value, dict) and value and choices.chance(4, 5):
        key = choices.choice(sorted(value))
        return {**value, key: _mutate_json_value(value[key], choices)}
    if isinstance(value, list) and value and choices.chance(4, 5):
        index = choices.integer(0, len(value) - 1)
        return [*value[:index], _mutate_json_value(value[index], choices), *value[index + 1 :]]
    if isinstance(value, list) and choices.chance(1, 3):
        return value * choices.integer(0, 3)
    return choices.choice(INTERESTING_JSON)


def _mutate_npy_header(entries: list[list[Any]], choices: Choices) -> None:
    entry = choices.choice(entries)
    parts = _npy_parts(entry[1])
    if parts is None:
        return
    header, data = parts
    change = choices.integer(0, 6)
    if change == 0:
        header["shape"] = tuple(choices.choice(INTERESTING_INTS) for _ in range(choices.integer(0, 3)))
    elif change == 1:
        header["descr"] = choices.choice(DTYPES)
    elif change == 2:
        header["fortran_order"] = not header["fortran_order"]
    elif change == 3:
        data = data[: choices.integer(0, len(data))]
    elif change == 4:
        entry[1] = _npy(repr(header)[: choices.integer(0, 60)], data)
        return
    elif change == 5:
        entry[1] = _npy(header, data, choices.choice(((1, 0), (2, 0), (3, 0), (0, 1))))
        return
    else:
        header = {**header, "shape": header["shape"][:1]}
    entry[1] = _npy(header, data)


def _mutate_entry_list(entries: list[list[Any]], choices: Choices) -> None:
    index = choices.integer(0, len(entries) - 1)
    change = choices.integer(0, 3)
    if change == 0:
        del entries[index]
    elif change == 1:
        entries.append(list(entries[index]))  # the same name twice
    elif change == 2:
        entries[index][0] = choices.choice(("x.npy", "param/0.W.npy", "optimizer/m.0.npy", "run.py", "a/" * 40))
    else:
        entries[index][1] = entries[choices.integer(0, len(entries) - 1)][1]  # another entry's content


def _inflate_arrays(entries: list[list[Any]], choices: Choices) -> None:
    """Make an array entry declare a much larger shape, with (deflatable) zeros to match."""
    entry = choices.choice(entries)
    parts = _npy_parts(entry[1])
    if parts is None or not parts[0]["shape"]:
        return
    header, _ = parts
    factor = choices.choice((2, 100, 10_000))
    shape = (header["shape"][0] * factor, *header["shape"][1:])
    size = math.prod(shape) * np.dtype(header["descr"]).itemsize
    if min(shape) >= 0 and size <= 32 * 2**20:
        entry[1] = _npy({**header, "shape": shape}, bytes(size))


ENTRY_MUTATIONS = (
    _mutate_json,
    _mutate_json,
    _mutate_npy_header,
    _mutate_npy_header,
    _mutate_entry_list,
    _inflate_arrays,
)


def _patch_directory(data: bytes, choices: Choices) -> bytes:
    """Change a field of a central directory record: flags (encryption), method or sizes."""
    at = data.find(b"PK\x01\x02")
    if at < 0:
        return data
    field, size = choices.choice(((8, 2), (10, 2), (20, 4), (24, 4), (28, 2)))  # flags, method, sizes, name length
    value = choices.choice((1, 0x20, 0x41, 12, 14, 99, 0, 2**31 - 1, 2**32 - 1)) % (1 << (8 * size))
    return data[: at + field] + value.to_bytes(size, "little") + data[at + field + size :]


def mutate_bytes(data: bytes, choices: Choices, most: int = 8) -> bytes:
    """One to ``most`` plain byte-level mutations."""
    data = bytearray(data)
    for _ in range(choices.integer(1, most)):
        if not data:
            data += choices.raw(choices.integer(1, 16))
            continue
        at = choices.integer(0, len(data) - 1)
        change = choices.integer(0, 6)
        if change == 0:
            data[at] ^= 1 << choices.integer(0, 7)
        elif change == 1:
            data[at] = choices.choice((0, 1, 0x7F, 0x80, 0xFF))
        elif change == 2:
            value = choices.choice(INTERESTING_INTS) % 2**32
            data[at : at + 4] = value.to_bytes(4, choices.choice(("little", "big")))
        elif change == 3:
            data[at:at] = choices.raw(choices.integer(1, 32))
        elif change == 4:
            del data[at : at + choices.integer(1, 64)]
        elif change == 5:
            del data[at:]
        else:
            source = choices.integer(0, len(data) - 1)
            data[at:at] = data[source : source + choices.integer(1, 64)]
    return bytes(data)


def mutate_idx(seed: bytes, choices: Choices) -> bytes:
    flag, content = seed[:2], seed[2:]
    if choices.chance(1, 3):  # header fields first: the magic, then a dimension
        at = choices.choice((0, 2, 3, 4, 8, 12))
        value = choices.choice(INTERESTING_INTS) % 2**32
        content = content[:at] + value.to_bytes(4, "big") + content[at + 4 :]
    if choices.chance(1, 4):
        content += bytes(choices.choice((1, 1000, 10**6)))  # trailing data (a bomb, once compressed)
    if flag.startswith(b"g"):
        content = gzip.compress(content, mtime=0)
    if choices.chance(1, 2):
        content = mutate_bytes(content, choices)
    return flag + content


def mutate_picture(seed: bytes, choices: Choices) -> bytes:
    return mutate_bytes(seed, choices)


# ------------------------------------------------------------- targets


class Target:
    """A reader to fuzz: its seeds, its mutator, the call, and the one error type it may raise."""

    def __init__(self, name: str) -> None:
        from numnet.data import DatasetError
        from numnet.io import ModelFileError

        self.name = name
        if name in ("load", "checkpoint", "info"):
            self.seeds, self.mutate, self.documented = model_seeds(), mutate_model_file, ModelFileError
        elif name == "idx":
            self.seeds, self.mutate, self.documented = idx_seeds(), mutate_idx, DatasetError
        else:
            self.seeds, self.mutate, self.documented = picture_seeds(), mutate_picture, ValueError
        memory = "/dev/shm" if os.path.isdir("/dev/shm") else None  # a file system in memory: no disk in the loop
        self.directory = Path(tempfile.mkdtemp(prefix="numnet-fuzz-", dir=memory))
        self.path = self.directory / ("input.gz" if name == "idx" else "input.npz")
        self.read = self._reader()

    def _reader(self) -> Callable[[Path], Any]:
        from numnet import io as numnet_io
        from numnet.data import pictures
        from numnet.data.mnist import IdxFile, read_idx_file

        if self.name == "load":
            return numnet_io.load
        if self.name == "checkpoint":
            return numnet_io.load_checkpoint
        if self.name == "info":
            return numnet_io.model_info
        if self.name == "picture":
            return lambda path: pictures.read_picture(path, pictures.IMAGE_FORMATS[len(path.read_bytes()) % 2])
        # each seed's own digest: an input that survives its mutations intact is read back
        digests = {seed[1:2]: hashlib.sha256(seed[2:]).hexdigest() for seed in self.seeds}
        specs = {ndim: IdxFile("fuzz", ndim, digests[str(ndim).encode()]) for ndim in (1, 3)}

        def read_idx(path: Path) -> Any:
            raw = path.read_bytes()
            path.write_bytes(raw[2:])
            return read_idx_file(path, specs[3 if raw[1:2] == b"3" else 1], gzipped=raw[:1] == b"g")

        return read_idx

    def run(self, data: bytes) -> tuple[str, str, str | None]:
        """(outcome, cause, traceback of a crash or None) of reading ``data``."""
        self.path.write_bytes(data)
        try:
            self.read(self.path)
        except self.documented as error:
            message = str(error)
            if str(self.path) not in message or "\n" in message:
                return f"{type(error).__name__} (bad message)", "", f"{type(error).__name__}: {message}"
            return type(error).__name__, _cause(message, str(self.path)), None
        except Exception as error:
            return f"{type(error).__name__} (undocumented)", "", traceback.format_exc()
        return "read", "", None


def _cause(message: str, path: str) -> str:
    """The kind of a documented error: the first words of its message after the file's name, digits as N."""
    text = message.split(path, 1)[-1].removeprefix("'").removeprefix(": the file ").removeprefix(": ")
    words = re.sub(r"[0-9]+", "N", text.split("(")[0]).split()
    return " ".join(words[:5])


# ------------------------------------------------------------- engines


class Tally:
    def __init__(self, target: Target, crash_dir: Path) -> None:
        self.target, self.crash_dir = target, crash_dir
        self.outcomes: Counter[str] = Counter()
        self.causes: Counter[str] = Counter()
        self.crashes = 0
        self.started = time.monotonic()

    def record(self, data: bytes) -> None:
        outcome, cause, crash = self.target.run(data)
        self.outcomes[outcome] += 1
        if cause:
            self.causes[cause] += 1
        if crash is not None:
            self.crashes += 1
            self.crash_dir.mkdir(parents=True, exist_ok=True)
            name = f"{self.target.name}-{hashlib.sha256(data).hexdigest()[:16]}"
            (self.crash_dir / name).write_bytes(data)
            (self.crash_dir / f"{name}.txt").write_text(crash)

    def report(self) -> dict[str, Any]:
        return {
            "target": self.target.name,
            "inputs": sum(self.outcomes.values()),
            "outcomes": dict(self.outcomes.most_common()),
            "causes": dict(self.causes.most_common()),
            "crashes": self.crashes,
            "seconds": round(time.monotonic() - self.started, 1),
            "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }


def run_hypothesis(tally: Tally, examples: int) -> None:
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st

    target = tally.target
    # raw bytes, which hypothesis keeps near zeros (few, simple changes), and uniformly random ones
    random_bytes = st.integers(0, 2**64 - 1).map(lambda seed: random.Random(seed).randbytes(256))

    @settings(
        max_examples=-(-examples // BATCH),
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    # several inputs per example: hypothesis's own work per example is then shared
    @given(st.lists(st.one_of(st.binary(min_size=8, max_size=256), random_bytes), min_size=BATCH, max_size=BATCH))
    def fuzz(batch: list[bytes]) -> None:
        for entropy in batch:
            choices = Choices(entropy)
            tally.record(target.mutate(choices.choice(target.seeds), choices))

    while sum(tally.outcomes.values()) < examples:  # hypothesis may stop early on a small search space
        fuzz()


def run_atheris(tally: Tally, examples: int) -> None:
    import atheris

    target = tally.target

    def one_input(entropy: bytes) -> None:
        choices = Choices(entropy)
        tally.record(target.mutate(choices.choice(target.seeds), choices))
        if sum(tally.outcomes.values()) >= examples:
            print(json.dumps(tally.report()), flush=True)
            os._exit(0)

    atheris.Setup([sys.argv[0], "-rss_limit_mb=0", "-max_len=256", f"-runs={examples * 2}"], one_input)
    atheris.Fuzz()


def cap_address_space(extra_mb: int) -> None:
    """Limit this process to its current address space plus ``extra_mb``: a larger allocation fails."""
    with open("/proc/self/status") as status:
        size_kb = next(int(line.split()[1]) for line in status if line.startswith("VmSize:"))
    limit = (size_kb + extra_mb * 1024) * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def fuzz_one(target_name: str, examples: int, engine: str, memory_mb: int, crash_dir: Path) -> dict[str, Any]:
    """Fuzz one target in this process; returns its report (the atheris engine prints it and exits)."""
    if engine == "atheris":
        import atheris

        with atheris.instrument_imports():
            import gzip as _gzip  # noqa: F401 - instrumented with numnet's readers
            import json as _json  # noqa: F401
            import zipfile as _zipfile  # noqa: F401

            import numnet.cli
            import numnet.io  # noqa: F401
    tally = Tally(Target(target_name), crash_dir)
    cap_address_space(memory_mb)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a decoder's warnings are not failures; errors are what is counted
        (run_atheris if engine == "atheris" else run_hypothesis)(tally, examples)
    return tally.report()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", default=",".join(TARGETS), help=f"comma-separated, from {', '.join(TARGETS)}")
    parser.add_argument("--examples", type=int, default=100_000, help="inputs per target")
    parser.add_argument("--engine", choices=("auto", "atheris", "hypothesis"), default="auto")
    parser.add_argument("--memory-mb", type=int, default=512, help="address space beyond start-up, per target")
    parser.add_argument("--shards", type=int, default=1, help="processes per target, each taking a share")
    parser.add_argument("--jobs", type=int, default=1, help="processes at once")
    parser.add_argument("--crash-dir", type=Path, default=Path("fuzz-crashes"))
    parser.add_argument("--json", type=Path, help="also write the reports here")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: fuzz this target in this process
    args = parser.parse_args()
    engine = args.engine
    if engine == "auto":
        try:
            import atheris  # noqa: F401
        except ImportError:
            engine = "hypothesis"
        else:
            engine = "atheris"
    if args.one:
        print(json.dumps(fuzz_one(args.one, args.examples, engine, args.memory_mb, args.crash_dir)), flush=True)
        return 0

    targets = [name for name in args.targets.split(",") if name]
    unknown = sorted(set(targets) - set(TARGETS))
    if unknown:
        parser.error(f"unknown targets {unknown}; choose from {', '.join(TARGETS)}")
    started = time.monotonic()
    per_shard = -(-args.examples // args.shards)
    pending = [name for name in targets for _ in range(args.shards)]
    shards: dict[str, list[dict[str, Any]]] = {name: [] for name in targets}
    running: list[tuple[str, subprocess.Popen[str]]] = []
    while pending or running:
        while pending and len(running) < args.jobs:
            name = pending.pop(0)
            command = [sys.executable, __file__, "--one", name, "--examples", str(per_shard), "--engine", engine]
            command += ["--memory-mb", str(args.memory_mb), "--crash-dir", str(args.crash_dir)]
            running.append((name, subprocess.Popen(command, stdout=subprocess.PIPE, text=True)))
        time.sleep(0.2)
        for name, process in list(running):
            if process.poll() is None:
                continue
            running.remove((name, process))
            lines = [line for line in process.stdout.read().splitlines() if line.startswith("{")]
            if process.returncode != 0 or not lines:  # the process itself died: a crash too
                shards[name].append({"inputs": 0, "outcomes": {f"exit {process.returncode}": 1}, "crashes": 1})
            else:
                shards[name].append(json.loads(lines[-1]))
    reports = [merge(name, reports) for name, reports in shards.items()]
    print_table(reports, engine, time.monotonic() - started)
    if args.json:
        args.json.write_text(json.dumps({"engine": engine, "reports": reports}, indent=1))
    return 1 if any(report["crashes"] for report in reports) else 0


def merge(target: str, shards: list[dict[str, Any]]) -> dict[str, Any]:
    """One report from those of a target's shards."""
    outcomes: Counter[str] = Counter()
    causes: Counter[str] = Counter()
    for shard in shards:
        outcomes.update(shard["outcomes"])
        causes.update(shard.get("causes", {}))
    return {
        "target": target,
        "inputs": sum(shard["inputs"] for shard in shards),
        "outcomes": dict(outcomes.most_common()),
        "causes": dict(causes.most_common()),
        "crashes": sum(shard["crashes"] for shard in shards),
        "seconds": max((shard.get("seconds", 0) for shard in shards), default=0),
        "max_rss_mb": max((shard.get("max_rss_mb", 0) for shard in shards), default=0),
    }


def print_table(reports: list[dict[str, Any]], engine: str, seconds: float) -> None:
    print(f"engine: {engine}; {seconds:.0f} s in all\n")
    print("| target | inputs | outcomes | crashes | seconds | max RSS (MB) |")
    print("|---|---:|---|---:|---:|---:|")
    for report in reports:
        outcomes = ", ".join(f"{name} {count:,}" for name, count in report["outcomes"].items())
        print(
            f"| {report['target']} | {report['inputs']:,} | {outcomes} | {report['crashes']} "
            f"| {report['seconds']} | {report['max_rss_mb']} |"
        )
    print("\nmost frequent causes of the documented errors:")
    for report in reports:
        top = "; ".join(f"{cause} {count:,}" for cause, count in list(report["causes"].items())[:6])
        print(f"  {report['target']}: {top}")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
