"""numnet.io: exact round trips, atomic writes, refusal of foreign or damaged files, checkpoints and resuming."""

from __future__ import annotations

import builtins
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import numnet
from numnet import io
from numnet.io import Checkpoint, ModelFileError, load, load_checkpoint, model_info, save, save_checkpoint
from numnet.layers import (
    Affine,
    Dense,
    Flatten,
    Identity,
    LeakyReLU,
    MeanSquaredLoss,
    ReLU,
    Sigmoid,
    SigmoidWithLoss,
    Softmax,
    SoftmaxWithLoss,
    Tanh,
)
from numnet.layers.conv import Conv2D, MaxPool2D
from numnet.layers.normalization import BatchNorm
from numnet.layers.regularization import Dropout
from numnet.models import MLP, LogisticRegression, Sequential, TwoLayerNet
from numnet.optimizers import SGD, Adam, Momentum
from numnet.training import Trainer, TrainingInterrupted

# ---------------------------------------------------------------- models of every kind


def _dense_stack(dtype: str) -> Sequential:
    rng = np.random.default_rng(0)
    layers = [
        Affine(rng.standard_normal((5, 6)).astype(dtype), rng.standard_normal(6).astype(dtype)),
        LeakyReLU(alpha=0.05),
        Dense(6, 6, init="xavier", rng=rng, dtype=dtype),
        Sigmoid(),
        Dense(6, 4, rng=rng, dtype=dtype),
        Tanh(),
        Identity(),
        Dense(4, 3, init="normal", rng=rng, dtype=dtype),
        Softmax(),
    ]
    return Sequential(layers, MeanSquaredLoss())


def _conv_net(dtype: str) -> Sequential:
    rng = np.random.default_rng(1)
    layers = [
        Conv2D(2, 3, kernel_size=(3, 2), stride=1, padding=(1, 0), rng=rng, dtype=dtype),
        BatchNorm(3, dtype=dtype),
        ReLU(),
        MaxPool2D(2),
        Flatten(),
        Dropout(0.3),
        Dense(3 * 3 * 2, 4, rng=rng, dtype=dtype),
    ]
    return Sequential(layers, SoftmaxWithLoss(), seed=0)


#: name -> (model builder taking a dtype, input shape without the batch axis)
MODELS: dict[str, tuple[Callable[[str], Sequential], tuple[int, ...]]] = {
    "sequential": (_dense_stack, (5,)),
    "sequential-sigmoid-loss": (
        lambda dtype: Sequential([Dense(5, 1, init="normal", rng=2, dtype=dtype)], SigmoidWithLoss()),
        (5,),
    ),
    "two-layer-net": (lambda dtype: TwoLayerNet(5, 7, 3, weight_init_std=0.5, seed=3, dtype=dtype), (5,)),
    "mlp": (lambda dtype: MLP([5, 8, 6, 3], activation="tanh", seed=4, dtype=dtype), (5,)),
    "logistic-regression": (lambda dtype: LogisticRegression(5, init="normal", seed=5, dtype=dtype), (5,)),
    "conv-batchnorm-dropout": (_conv_net, (2, 6, 6)),
}


def _inputs(shape: tuple[int, ...], dtype: str, n: int = 6, seed: int = 9) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, *shape)).astype(dtype)


def _assert_same_arrays(expected: dict[str, np.ndarray], actual: dict[str, np.ndarray]) -> None:
    """Same names, shapes, dtypes and bytes."""
    assert expected.keys() == actual.keys()
    for name, array in expected.items():
        assert actual[name].dtype == array.dtype, name
        assert actual[name].shape == array.shape, name
        assert actual[name].tobytes() == array.tobytes(), name


def _entries(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as archive:
        return {key: archive[key] for key in archive.files}


def _header(path: Path) -> dict[str, Any]:
    return json.loads(_entries(path)["__numnet__"].tobytes().decode("utf-8"))


def _rewrite(
    source: Path, target: Path, header: dict[str, Any] | None = None, arrays: dict[str, Any] | None = None
) -> Path:
    """Copy a numnet file with its header and some arrays replaced (None drops an array), as a tamperer would."""
    entries = _entries(source)
    if header is not None:
        entries["__numnet__"] = np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8)
    for key, value in (arrays or {}).items():
        if value is None:
            del entries[key]
        else:
            entries[key] = value
    with open(target, "wb") as file:
        np.savez(file, **entries)
    return target


@pytest.fixture
def mlp_file(tmp_path: Path) -> Path:
    return save(MLP([4, 8, 3], seed=0), tmp_path / "mlp.npz")


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(MODELS))
def test_round_trip_is_bit_exact_with_identical_predictions(tmp_path, name, dtype):
    build, shape = MODELS[name]
    model = build(dtype)
    x = _inputs(shape, dtype)
    path = save(model, tmp_path / "model.npz")
    loaded = load(path)

    assert path == tmp_path / "model.npz"
    assert type(loaded) is type(model)
    assert loaded.dtype == np.dtype(dtype)
    assert loaded.get_config() == model.get_config()
    assert loaded.param_names == model.param_names
    _assert_same_arrays(model.named_arrays(), loaded.named_arrays())
    assert np.array_equal(loaded.predict(x), model.predict(x))
    assert np.array_equal(loaded.predict_proba(x), model.predict_proba(x))


def test_batchnorm_running_statistics_survive(tmp_path):
    model = _conv_net("float32")
    x, t = _inputs((2, 6, 6), "float32", n=8), np.arange(8) % 4
    for _ in range(3):
        model.forward(x, t, train=True)
    batchnorm = model.layers[1]
    assert not np.all(batchnorm.running_mean == 0) and not np.all(batchnorm.running_var == 1)

    loaded = load(save(model, tmp_path / "bn.npz"))

    assert loaded.layers[1].running_mean.tobytes() == batchnorm.running_mean.tobytes()
    assert loaded.layers[1].running_var.tobytes() == batchnorm.running_var.tobytes()
    assert np.array_equal(loaded.predict(x), model.predict(x))  # inference uses the running statistics
    assert {"state/1.running_mean", "state/1.running_var", "param/1.gamma"} <= _entries(tmp_path / "bn.npz").keys()


def test_saved_file_loads_in_a_fresh_interpreter(tmp_path):
    """The registries must be complete without the test having imported layer modules by hand."""
    model = _conv_net("float64")
    x = _inputs((2, 6, 6), "float64")
    np.save(tmp_path / "x.npy", x)
    save(model, tmp_path / "conv.npz")
    script = (
        "import sys, numpy as np, numnet.io; "
        "m = numnet.io.load(sys.argv[1]); np.save(sys.argv[3], m.predict(np.load(sys.argv[2])))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "conv.npz"), str(tmp_path / "x.npy"), str(tmp_path / "y.npy")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert np.array_equal(np.load(tmp_path / "y.npy"), model.predict(x))


def test_path_is_used_as_given_without_adding_a_suffix(tmp_path):
    model = MLP([3, 2], seed=0)
    assert save(model, str(tmp_path / "net")) == tmp_path / "net"
    assert sorted(os.listdir(tmp_path)) == ["net"]
    _assert_same_arrays(model.named_arrays(), load(tmp_path / "net").named_arrays())


def test_header_and_entries_follow_the_documented_format(tmp_path):
    model = TwoLayerNet(3, 4, 2, seed=0)
    path = save(model, tmp_path / "net.npz")
    header = _header(path)
    assert header == {
        "format": "numnet-model",
        "format_version": 2,
        "numnet_version": numnet.__version__,
        "model_class": "TwoLayerNet",
        "config": model.get_config(),
        "dtype": "float32",
        "input": {"kind": "float", "shape": [3]},
        "metadata": {},
    }
    assert set(_entries(path)) == {"__numnet__", "param/W1", "param/b1", "param/W2", "param/b2"}


def test_saving_again_replaces_the_file(tmp_path):
    first, second = MLP([3, 2], seed=0), MLP([3, 2], seed=1)
    path = save(first, tmp_path / "m.npz")
    save(second, path)
    _assert_same_arrays(second.named_arrays(), load(path).named_arrays())
    assert os.listdir(tmp_path) == ["m.npz"]


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_saved_file_gets_the_usual_permissions(tmp_path):
    umask = os.umask(0o022)
    os.umask(umask)
    path = save(MLP([3, 2], seed=0), tmp_path / "m.npz")
    assert os.stat(path).st_mode & 0o777 == 0o666 & ~umask


# ---------------------------------------------------------------- atomic writes


def _save_model(path: Path) -> Path:
    return save(MLP([4, 8, 3], seed=1), path)


def _save_checkpoint(path: Path) -> Path:
    return save_checkpoint(path, MLP([4, 8, 3], seed=1), Adam(), 0, None, {})


@pytest.mark.parametrize("writer", [_save_model, _save_checkpoint])
@pytest.mark.parametrize("failure", [OSError("disk full"), KeyboardInterrupt()])
def test_failure_while_writing_leaves_the_old_file_and_no_temporary_file(
    tmp_path, monkeypatch, mlp_file, writer, failure
):
    before = mlp_file.read_bytes()

    def write_half_then_fail(file, *args, **kwargs):
        file.write(b"PK\x03\x04 half an archive")
        raise failure

    monkeypatch.setattr(np, "savez", write_half_then_fail)
    with pytest.raises(type(failure)):
        writer(mlp_file)
    assert mlp_file.read_bytes() == before
    assert os.listdir(tmp_path) == [mlp_file.name]


def test_failure_of_the_final_rename_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch, mlp_file):
    before = mlp_file.read_bytes()

    def refuse(source, target):
        raise PermissionError("rename refused")

    monkeypatch.setattr(io.os, "replace", refuse)
    with pytest.raises(PermissionError, match="rename refused"):
        save(MLP([4, 8, 3], seed=1), mlp_file)
    assert mlp_file.read_bytes() == before
    assert os.listdir(tmp_path) == [mlp_file.name]


def test_failed_first_save_leaves_nothing(tmp_path, monkeypatch):
    def refuse(source, target):
        raise OSError("rename refused")

    monkeypatch.setattr(io.os, "replace", refuse)
    with pytest.raises(OSError, match="rename refused"):
        save(MLP([3, 2], seed=0), tmp_path / "new.npz")
    assert os.listdir(tmp_path) == []


def test_save_into_a_missing_directory_names_it(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"directory .*missing.* does not exist"):
        save(MLP([3, 2], seed=0), tmp_path / "missing" / "m.npz")


def test_save_refuses_non_models_and_bad_paths(tmp_path):
    with pytest.raises(TypeError, match="model must be a numnet model"):
        save(Dense(3, 2), tmp_path / "m.npz")
    with pytest.raises(TypeError, match="path must be a str or os.PathLike, got int"):
        save(MLP([3, 2]), 3)
    assert os.listdir(tmp_path) == []


# ---------------------------------------------------------------- refusing bad files


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no numnet file at .*absent\.npz.*file not found"):
        load(tmp_path / "absent.npz")


def test_plain_npz_without_header_is_refused(tmp_path):
    np.savez(tmp_path / "plain.npz", W=np.zeros((2, 2)))
    with pytest.raises(ModelFileError, match=r"plain\.npz.*not a numnet file: it has no '__numnet__' header"):
        load(tmp_path / "plain.npz")


@pytest.mark.parametrize("keep", [0.5, 0.9, 100])
def test_truncated_file_is_refused(tmp_path, mlp_file, keep):
    data = mlp_file.read_bytes()
    cut = tmp_path / "cut.npz"
    cut.write_bytes(data[: int(len(data) * keep) if keep < 1 else keep])
    with pytest.raises(ModelFileError, match=r"cut\.npz.*the file is truncated or corrupted \(BadZipFile"):
        load(cut)


def test_corrupted_weights_are_detected(tmp_path):
    model = MLP([4, 8, 3], seed=0)
    data = bytearray(save(model, tmp_path / "m.npz").read_bytes())
    offset = bytes(data).index(model.params[0].tobytes())  # stored uncompressed
    data[offset + 5] ^= 0xFF
    (tmp_path / "m.npz").write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match=r"truncated or corrupted \(BadZipFile: Bad CRC-32"):
        load(tmp_path / "m.npz")


class _RunsCodeWhenUnpickled:
    """Unpickling it opens (creates) a marker file: proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return builtins.open, (str(self.marker), "w")


def test_object_array_is_refused_without_running_its_code(tmp_path, mlp_file):
    marker = tmp_path / "code-ran"
    hostile = np.array([_RunsCodeWhenUnpickled(marker)], dtype=object)
    tampered = _rewrite(mlp_file, tmp_path / "tampered.npz", arrays={"param/0.W": hostile})
    for reader in (load, model_info, load_checkpoint):
        with pytest.raises(ModelFileError, match=r"tampered\.npz.*holds object arrays \['param/0\.W'\].*tampered"):
            reader(tampered)
    assert not marker.exists()


def test_file_from_a_newer_numnet_is_refused_with_advice(tmp_path, mlp_file):
    header = {**_header(mlp_file), "format_version": 3, "config": {"changed": "beyond recognition"}}
    newer = _rewrite(mlp_file, tmp_path / "newer.npz", header)
    message = r"newer\.npz.*written by a newer numnet \(format 3\); this numnet .* reads up to format 2: upgrade"
    for reader in (load, model_info):
        with pytest.raises(ModelFileError, match=message):
            reader(newer)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", r"is empty \(0 bytes\)"),
        (np.random.default_rng(0).bytes(300), r"is not a numnet file: it is not a \.npz \(zip\) archive"),
        (b"\x93NUMPY\x01\x00", r"is a single \.npy array, not a numnet file"),
    ],
    ids=["empty", "random-bytes", "npy"],
)
def test_files_that_are_not_archives_are_refused(tmp_path, content, message):
    (tmp_path / "other.npz").write_bytes(content)
    with pytest.raises(ModelFileError, match=message):
        load(tmp_path / "other.npz")


def test_archive_with_a_non_array_entry_is_refused(tmp_path, mlp_file):
    smuggled = tmp_path / "smuggled.npz"
    smuggled.write_bytes(mlp_file.read_bytes())
    with zipfile.ZipFile(smuggled, "a") as archive:
        archive.writestr("run_me.py", "print('hello')")
    with pytest.raises(ModelFileError, match=r"holds entries that are not NumPy arrays: \['run_me\.py'\]"):
        load(smuggled)


def test_unknown_model_class_is_refused(tmp_path, mlp_file):
    unknown = _rewrite(mlp_file, tmp_path / "unknown.npz", {**_header(mlp_file), "model_class": "Transformer"})
    with pytest.raises(ModelFileError, match=r"unknown class 'Transformer'; known classes: \[.*'MLP'.*import"):
        load(unknown)


def test_unknown_layer_type_is_refused(tmp_path):
    path = save(Sequential([Dense(3, 2)], SoftmaxWithLoss()), tmp_path / "seq.npz")
    header = _header(path)
    header["config"]["layers"][0]["type"] = "Attention"
    with pytest.raises(
        ModelFileError,
        match=r"describes a Sequential that cannot be rebuilt.*unknown layer type "
        r"'Attention'",
    ):
        load(_rewrite(path, tmp_path / "attention.npz", header))


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"param/2.b": None}, r"missing arrays \['param/2\.b'\], unexpected arrays \[\]"),
        ({"param/9.W": np.zeros(2, np.float32)}, r"missing arrays \[\], unexpected arrays \['param/9\.W'\]"),
        ({"param/0.W": np.zeros((8, 4), np.float32)}, r"'param/0\.W' has shape \(8, 4\).*expects shape \(4, 8\)"),
        ({"param/0.b": np.zeros(8, np.float64)}, r"'param/0\.b' has shape \(8,\) and dtype float64.*dtype float32"),
        ({"optimizer/m.0": np.zeros(8, np.float32)}, r"holds unexpected entries \['optimizer/m\.0'\]"),
    ],
    ids=["missing", "extra", "shape", "dtype", "optimizer-in-model-file"],
)
def test_arrays_that_do_not_fit_the_architecture_are_refused(tmp_path, mlp_file, arrays, message):
    with pytest.raises(ModelFileError, match=message):
        load(_rewrite(mlp_file, tmp_path / "misfit.npz", arrays=arrays))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "numnet-dataset"}, r"header format 'numnet-dataset'; expected 'numnet-model' or"),
        ({"format_version": "1"}, r"header format_version '1'; expected an integer >= 1"),
        ({"dtype": "int32"}, r"header dtype 'int32'; expected a float dtype"),
        ({"config": [1, 2]}, r"header field 'config' = \[1, 2\]; expected dict"),
    ],
)
def test_malformed_headers_are_refused(tmp_path, mlp_file, change, message):
    with pytest.raises(ModelFileError, match=message):
        load(_rewrite(mlp_file, tmp_path / "bad.npz", {**_header(mlp_file), **change}))


def test_header_that_is_not_json_is_refused(tmp_path, mlp_file):
    bad = _rewrite(mlp_file, tmp_path / "bad.npz", arrays={"__numnet__": np.frombuffer(b"{not json", np.uint8)})
    with pytest.raises(ModelFileError, match=r"has an unreadable header \(JSONDecodeError"):
        load(bad)


# ---------------------------------------------------------------- model_info


def test_model_info_describes_the_file_from_its_headers(tmp_path):
    model = Sequential([Dense(4, 3, dtype="float64"), BatchNorm(3, dtype="float64")], SoftmaxWithLoss())
    path = save(model, tmp_path / "m.npz")
    info = model_info(path)
    assert info == {
        "path": str(path),
        "format": "numnet-model",
        "format_version": 2,
        "numnet_version": numnet.__version__,
        "model_class": "Sequential",
        "config": model.get_config(),
        "dtype": "float64",
        "input": {"kind": "float", "shape": [4]},
        "metadata": {},
        "arrays": [
            ("param/0.W", (4, 3), "float64"),
            ("param/0.b", (3,), "float64"),
            ("param/1.gamma", (3,), "float64"),
            ("param/1.beta", (3,), "float64"),
            ("state/1.running_mean", (3,), "float64"),
            ("state/1.running_var", (3,), "float64"),
        ],
        "parameter_count": 4 * 3 + 3 + 3 + 3,  # running statistics are not parameters
    }


def test_model_info_of_a_checkpoint_adds_epoch_and_optimizer(tmp_path):
    model, optimizer = MLP([2, 3], seed=0), Momentum(lr=0.5, momentum=0.8)
    info = model_info(save_checkpoint(tmp_path / "c.npz", model, optimizer, 7, None, {}))
    assert info["format"] == "numnet-checkpoint"
    assert info["epoch"] == 7
    assert info["optimizer_class"] == "momentum"
    assert info["optimizer_config"] == {"lr": 0.5, "momentum": 0.8, "weight_decay": 0.0, "clip_norm": None}
    assert info["parameter_count"] == 2 * 3 + 3
    assert ("optimizer/step_count", (), "int64") in info["arrays"]


# ---------------------------------------------------------------- checkpoints


def _trained_adam(model: Sequential, steps: int = 3) -> Adam:
    optimizer = Adam(lr=0.01, beta1=0.8, clip_norm=5.0)
    rng = np.random.default_rng(1)
    for _ in range(steps):
        model.forward(rng.standard_normal((6, 4)).astype(model.dtype), rng.integers(0, 3, size=6))
        model.backward()
        optimizer.update(model.params, model.grads)
    return optimizer


def test_checkpoint_round_trip_restores_everything_exactly(tmp_path):
    model = MLP([4, 8, 3], seed=0)
    optimizer = _trained_adam(model)
    shuffler = np.random.default_rng(2)
    shuffler.random(5)
    history = {"loss": [1.25, np.float32(0.5), float("nan")], "train_acc": [0.75]}
    extra = {"iteration": 3, "nested": {"big": 2**100, "list": [1, 2.5]}, "scalar": np.float64(0.1)}
    path = save_checkpoint(tmp_path / "c.npz", model, optimizer, 4, shuffler.bit_generator.state, history, extra)
    checkpoint = load_checkpoint(path)

    assert isinstance(checkpoint, Checkpoint)
    assert type(checkpoint.model) is MLP
    _assert_same_arrays(model.named_arrays(), checkpoint.model.named_arrays())
    assert type(checkpoint.optimizer) is Adam
    assert checkpoint.optimizer.get_config() == optimizer.get_config()
    _assert_same_arrays(optimizer.state_dict(), checkpoint.optimizer.state_dict())
    assert checkpoint.epoch == 4
    restored = np.random.default_rng()
    restored.bit_generator.state = checkpoint.rng_state
    assert np.array_equal(restored.random(10), shuffler.random(10))
    assert checkpoint.history["loss"][:2] == [1.25, 0.5] and np.isnan(checkpoint.history["loss"][2])
    assert checkpoint.history["train_acc"] == [0.75]
    assert checkpoint.extra == {"iteration": 3, "nested": {"big": 2**100, "list": [1, 2.5]}, "scalar": 0.1}

    # Both optimizers take the same next step on the same gradients.
    for target in (model, checkpoint.model):
        target.forward(np.ones((2, 4), np.float32), np.array([0, 2]))
        target.backward()
    optimizer.update(model.params, model.grads)
    checkpoint.optimizer.update(checkpoint.model.params, checkpoint.model.grads)
    _assert_same_arrays(model.named_arrays(), checkpoint.model.named_arrays())


def test_checkpoint_is_frozen(tmp_path):
    checkpoint = load_checkpoint(save_checkpoint(tmp_path / "c.npz", MLP([2, 2]), SGD(), 0, None, {}))
    assert checkpoint.rng_state is None and checkpoint.extra == {}
    with pytest.raises(AttributeError):
        checkpoint.epoch = 3


def test_load_of_a_checkpoint_returns_its_model(tmp_path):
    model = MLP([4, 8, 3], seed=0)
    path = save_checkpoint(tmp_path / "c.npz", model, _trained_adam(model), 1, None, {"loss": [0.5]})
    loaded = load(path)
    assert type(loaded) is MLP
    _assert_same_arrays(model.named_arrays(), loaded.named_arrays())


def test_load_checkpoint_of_a_model_file_is_refused(mlp_file):
    with pytest.raises(ModelFileError, match=r"is a numnet model file, not a checkpoint.*numnet\.io\.load"):
        load_checkpoint(mlp_file)


def test_checkpoint_with_an_unknown_optimizer_is_refused(tmp_path):
    path = save_checkpoint(tmp_path / "c.npz", MLP([2, 2]), SGD(), 0, None, {})
    header = {**_header(path), "optimizer_class": "lion"}
    with pytest.raises(ModelFileError, match=r"optimizer of unknown class 'lion'; known: \[.*'adam'"):
        load_checkpoint(_rewrite(path, tmp_path / "lion.npz", header))


def test_checkpoint_with_mismatched_optimizer_state_is_refused(tmp_path):
    model = MLP([4, 8, 3], seed=0)
    path = save_checkpoint(tmp_path / "c.npz", model, _trained_adam(model), 0, None, {})
    broken = _rewrite(path, tmp_path / "broken.npz", arrays={"optimizer/v.1": None})
    with pytest.raises(ModelFileError, match=r"optimizer state that cannot be restored \(.*'v'"):
        load_checkpoint(broken)


class _UnregisteredSGD(SGD):
    pass


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"epoch": -1}, ValueError, r"epoch must be >= 0, got -1"),
        ({"epoch": 1.0}, TypeError, r"epoch must be an int, got 1\.0"),
        ({"history": [1.0]}, TypeError, r"history must be a dict, got list"),
        ({"rng_state": "seed"}, TypeError, r"rng_state must be a dict or None, got str"),
        ({"extra": {"callback": print}}, TypeError, r"extra is not JSON-able"),
        ({"optimizer": _UnregisteredSGD()}, TypeError, r"optimizer must be an optimizer registered"),
    ],
)
def test_save_checkpoint_refuses_bad_arguments_before_writing(tmp_path, kwargs, error, message):
    arguments = {"model": MLP([2, 2]), "optimizer": SGD(), "epoch": 0, "rng_state": None, "history": {}, **kwargs}
    with pytest.raises(error, match=message):
        save_checkpoint(tmp_path / "c.npz", **arguments)
    assert os.listdir(tmp_path) == []


# ---------------------------------------------------------------- resuming training


def _data() -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((37, 4)).astype(np.float32)  # 5 iterations of 8, the last one partial
    t = rng.integers(0, 3, size=37)
    return x, t, (x[:10], t[:10])


FIT = {"batch_size": 8, "seed": 7, "verbose": 0}


def _uninterrupted(epochs: int) -> tuple[dict[str, list[float]], dict[str, np.ndarray], dict[str, np.ndarray]]:
    x, t, validation = _data()
    model, optimizer = MLP([4, 8, 3], seed=0), Adam(lr=0.01)
    history = Trainer(model, optimizer).fit(x, t, epochs=epochs, validation_data=validation, **FIT)
    return _without_times(history.to_dict()), model.named_arrays(), optimizer.state_dict()


def _without_times(history: dict[str, list[float]]) -> dict[str, list[float]]:
    return {name: values for name, values in history.items() if name != "epoch_time"}


def _resume(path: Path, epochs: int) -> tuple[dict[str, list[float]], dict[str, np.ndarray], dict[str, np.ndarray]]:
    """A new model (other initial weights), optimizer and trainer continuing from ``path``."""
    x, t, validation = _data()
    model, optimizer = MLP([4, 8, 3], seed=99), Adam(lr=0.01)
    history = Trainer(model, optimizer).fit(x, t, epochs=epochs, validation_data=validation, resume_from=path, **FIT)
    return _without_times(history.to_dict()), model.named_arrays(), optimizer.state_dict()


def _assert_same_run(expected, actual) -> None:
    (history, arrays, state), (resumed_history, resumed_arrays, resumed_state) = expected, actual
    assert len(resumed_history["train_loss"]) == len(history["train_loss"])
    assert resumed_history == history
    _assert_same_arrays(arrays, resumed_arrays)
    _assert_same_arrays(state, resumed_state)


def test_resume_from_an_end_of_epoch_checkpoint_equals_an_uninterrupted_run(tmp_path):
    x, t, validation = _data()
    trainer = Trainer(MLP([4, 8, 3], seed=0), Adam(lr=0.01))
    trainer.fit(x, t, epochs=2, validation_data=validation, **FIT)
    trainer.save_checkpoint(tmp_path / "epoch2.npz")

    _assert_same_run(_uninterrupted(4), _resume(tmp_path / "epoch2.npz", 4))


def test_resume_from_a_mid_epoch_interruption_equals_an_uninterrupted_run(tmp_path):
    x, t, validation = _data()
    model = MLP([4, 8, 3], seed=0)
    trainer = Trainer(model, Adam(lr=0.01))
    forward, training_steps = model.forward, []

    def forward_then_interrupt(x_batch, t_batch, train=True, **kwargs):
        if train:
            training_steps.append(len(x_batch))
            if len(training_steps) == 8:  # epoch 2, iteration 3 of 5
                trainer._interrupt_requested = True  # what Ctrl-C does
        return forward(x_batch, t_batch, train=train, **kwargs)

    model.forward = forward_then_interrupt
    with pytest.raises(TrainingInterrupted, match="epoch 2, iteration 3"):
        trainer.fit(x, t, epochs=4, validation_data=validation, **FIT)
    trainer.save_checkpoint(tmp_path / "interrupted.npz")
    checkpoint = load_checkpoint(tmp_path / "interrupted.npz")
    assert checkpoint.epoch == 1 and checkpoint.extra["iteration"] == 3
    assert len(checkpoint.history["loss"]) == 8

    _assert_same_run(_uninterrupted(4), _resume(tmp_path / "interrupted.npz", 4))
