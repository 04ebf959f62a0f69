"""ONNX export: every graph checked by onnx.checker, and every layer and model run by onnxruntime against numnet."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from numnet import __version__, io
from numnet.layers import (
    Affine,
    AvgPool2D,
    BatchNorm,
    Conv2D,
    Dense,
    Dropout,
    Embedding,
    Flatten,
    Identity,
    Layer,
    LeakyReLU,
    MaxPool2D,
    MeanSquaredLoss,
    ReLU,
    Sigmoid,
    SigmoidWithLoss,
    Softmax,
    SoftmaxWithLoss,
    Tanh,
    TimeAffine,
)
from numnet.models import MLP, ConvNet, LogisticRegression, Sequential, SimpleConvNet, TwoLayerNet

ROOT = Path(__file__).resolve().parent.parent
#: numnet's float32 probabilities against onnxruntime's, absolute.
TOLERANCE = 1e-5
N_SAMPLES = 1000
BATCH_SIZES = (1, 257, N_SAMPLES)
SEQUENCE_LENGTH = 7


@pytest.fixture
def onnx():
    return pytest.importorskip("onnx")


@pytest.fixture
def ort():
    pytest.importorskip("onnx")
    return pytest.importorskip("onnxruntime")


def randomized(model: Sequential, seed: int = 0) -> Sequential:
    """``model`` with every array drawn at random: batch-norm statistics away from 0 and 1, biases of scale
    0.5, weights of scale 1.5 / sqrt(fan-in) (scores of a few units: confident but not saturated everywhere)."""
    rng = np.random.default_rng(seed)
    arrays = {}
    for name, array in model.named_arrays().items():
        if name.endswith("running_var"):
            arrays[name] = rng.uniform(0.3, 2.0, array.shape)
        elif name.endswith("gamma"):
            arrays[name] = rng.uniform(0.5, 1.5, array.shape)
        elif array.ndim == 1:
            arrays[name] = 0.5 * rng.standard_normal(array.shape)
        else:
            fan_in = array.shape[0] if array.ndim == 2 else array.size // array.shape[0]
            arrays[name] = 1.5 / np.sqrt(fan_in) * rng.standard_normal(array.shape)
    model.load_named_arrays(arrays)
    return model


def inputs(model: Sequential, seed: int = 1, length: int = SEQUENCE_LENGTH) -> np.ndarray:
    """1,000 samples for ``model``: standard normal float32 features, or ids of sequences of ``length``."""
    rng = np.random.default_rng(seed)
    shape = tuple(length if size is None else size for size in model.input_spec.shape or (None,))
    if model.input_spec.kind == "ids":
        return rng.integers(0, model.layers[0].vocab_size, (N_SAMPLES, *shape))
    return rng.standard_normal((N_SAMPLES, *shape)).astype(np.float32)


def exported(model: Sequential, tmp_path: Path, **options):
    """Export ``model``; return the file read back (checked in full) and an onnxruntime session on it."""
    import onnx
    import onnxruntime

    path = tmp_path / "model.onnx"
    from numnet.onnx import export

    assert export(model, path, **options) == path
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto, full_check=True)
    return proto, onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def max_difference(model: Sequential, session, x: np.ndarray) -> float:
    """Run both on batches of 1, 257 and 1,000; assert labels equal and probabilities within TOLERANCE."""
    worst = 0.0
    for size in BATCH_SIZES:
        batch = x[:size]
        outputs = dict(zip([o.name for o in session.get_outputs()], session.run(None, {"input": batch})))
        expected = model.predict_proba(batch)
        key = "values" if model.loss_fn.task == "regression" else "probabilities"
        assert outputs[key].dtype == np.float32
        assert outputs[key].shape == expected.shape
        np.testing.assert_allclose(outputs[key], expected, rtol=0, atol=TOLERANCE)
        worst = max(worst, float(np.max(np.abs(outputs[key] - expected))))
        if model.loss_fn.task == "regression":
            assert set(outputs) == {"values"}
        else:
            assert outputs["labels"].dtype == np.int64
            np.testing.assert_array_equal(outputs["labels"], model.predict_labels(batch))
    return worst


def check_parity(model: Sequential, tmp_path: Path, **options) -> float:
    _, session = exported(model, tmp_path, **options)
    return max_difference(model, session, inputs(model))


# ------------------------------------------------------------------ one model per layer


def _dense(fan_in: int, fan_out: int) -> Dense:
    return Dense(fan_in, fan_out, rng=0)


def layer_models() -> dict[str, Sequential]:
    """A small model around each layer type (its first layer, or between two Dense layers)."""

    def around(layer: Layer) -> Sequential:
        return Sequential([_dense(5, 6), layer, _dense(6, 4)], SoftmaxWithLoss())

    affine = Affine(np.zeros((6, 4), np.float32), np.zeros(4, np.float32))
    return {
        "Affine on (2, 3) samples": Sequential([affine], SoftmaxWithLoss(), input_shape=(2, 3)),
        "Dense": Sequential([_dense(5, 4)], SoftmaxWithLoss()),
        "TimeAffine": Sequential(
            [TimeAffine(np.zeros((5, 3), np.float32), np.zeros(3, np.float32))],
            SoftmaxWithLoss(),
            input_shape=(None, 5),
        ),
        "ReLU": around(ReLU()),
        "LeakyReLU": around(LeakyReLU(0.2)),
        "Sigmoid": around(Sigmoid()),
        "Tanh": around(Tanh()),
        "Identity": around(Identity()),
        "Softmax": around(Softmax()),
        "Dropout": around(Dropout(0.5)),
        "BatchNorm (N, D)": around(BatchNorm(6, eps=0.1)),
        "Conv2D": Sequential(  # (2, 7, 6) -> (3, 4, 9): OH = (7 + 2 - 3) // 2 + 1, OW = (6 + 4 - 2) // 1 + 1
            [Conv2D(2, 3, (3, 2), stride=(2, 1), padding=(1, 2), rng=0), Flatten(), _dense(108, 4)],
            SoftmaxWithLoss(),
            input_shape=(2, 7, 6),
        ),
        "MaxPool2D": Sequential(  # (2, 7, 6) -> (2, 3, 5), overlapping windows
            [MaxPool2D((3, 2), stride=(2, 1)), Flatten(), _dense(30, 4)], SoftmaxWithLoss(), input_shape=(2, 7, 6)
        ),
        "AvgPool2D": Sequential(  # (2, 7, 6) -> (2, 3, 2)
            [AvgPool2D(3, stride=2), Flatten(), _dense(12, 4)], SoftmaxWithLoss(), input_shape=(2, 7, 6)
        ),
        "Flatten": Sequential([Flatten(), _dense(12, 3)], SoftmaxWithLoss(), input_shape=(3, 4)),
        "BatchNorm (N, C, H, W)": Sequential(
            [Conv2D(2, 3, 3, rng=0), BatchNorm(3), Flatten(), _dense(3 * 5 * 4, 4)],
            SoftmaxWithLoss(),
            input_shape=(2, 7, 6),
        ),
        "Embedding": Sequential([Embedding(11, 4, rng=0)], SoftmaxWithLoss()),
        "SigmoidWithLoss (N, 1)": Sequential([_dense(5, 1)], SigmoidWithLoss()),
        "SigmoidWithLoss (N, 3)": Sequential([_dense(5, 3)], SigmoidWithLoss()),
        "MeanSquaredLoss": Sequential([_dense(5, 3)], MeanSquaredLoss()),
    }


@pytest.mark.parametrize("name", list(layer_models()))
def test_each_layer_and_loss_runs_in_onnxruntime_as_in_numnet(name, ort, tmp_path):
    model = randomized(layer_models()[name])
    assert check_parity(model, tmp_path) < TOLERANCE


def test_the_layers_become_the_standard_operators(onnx, tmp_path):
    from numnet.onnx import to_onnx

    ops = {name: [node.op_type for node in to_onnx(randomized(m)).graph.node] for name, m in layer_models().items()}
    assert ops["Dense"] == ["Gemm", "Softmax", "ArgMax"]
    assert ops["Affine on (2, 3) samples"][:2] == ["Flatten", "Gemm"]
    assert ops["TimeAffine"][:2] == ["MatMul", "Add"]
    assert ops["Dropout"] == ["Gemm", "Gemm", "Softmax", "ArgMax"]  # nothing at inference
    assert ops["LeakyReLU"][1] == "LeakyRelu" and ops["Softmax"][1] == "Softmax"
    assert ops["BatchNorm (N, D)"][1] == "BatchNormalization"
    assert ops["Conv2D"][0] == "Conv" and ops["MaxPool2D"][0] == "MaxPool" and ops["AvgPool2D"][0] == "AveragePool"
    assert ops["Embedding"][0] == "Gather"
    nodes = {node.op_type: node for node in to_onnx(layer_models()["LeakyReLU"]).graph.node}
    assert nodes["LeakyRelu"].attribute[0].f == pytest.approx(0.2)
    bn = next(n for n in to_onnx(layer_models()["BatchNorm (N, D)"]).graph.node if n.op_type == "BatchNormalization")
    assert bn.attribute[0].name == "epsilon" and bn.attribute[0].f == pytest.approx(0.1)


def test_a_leaky_relu_at_and_around_zero_and_saturated_activations_agree(ort, tmp_path):
    model = randomized(Sequential([_dense(5, 6), LeakyReLU(0.3), Tanh(), Sigmoid(), _dense(6, 3)], SoftmaxWithLoss()))
    _, session = exported(model, tmp_path)
    x = inputs(model)
    x[:100] *= 100  # tanh and sigmoid saturate
    x[100:200] = 0
    assert max_difference(model, session, x) < TOLERANCE


# ------------------------------------------------------------------ the built-in models


def builtin_models() -> dict[str, Sequential]:
    per_position = Sequential(
        [Embedding(20, 6, rng=0), TimeAffine(np.zeros((6, 5), np.float32), np.zeros(5, np.float32))],
        SoftmaxWithLoss(),
    )
    return {
        "TwoLayerNet": TwoLayerNet(12, 8, 4, seed=0),
        "MLP with dropout": MLP([12, 10, 8, 4], dropout=0.3, seed=0),
        "MLP with batch norm": MLP([12, 10, 8, 4], activation="tanh", batch_norm=True, seed=0),
        "LogisticRegression": LogisticRegression(12, seed=0),
        "SimpleConvNet": SimpleConvNet((1, 10, 10), filters=4, kernel_size=3, hidden_size=8, output_size=5, seed=0),
        "ConvNet with batch norm": ConvNet((3, 8, 8), blocks=((4,), (6, 6)), hidden_size=8, output_size=4, seed=0),
        "regression MLP": MLP([12, 8, 2], activation="sigmoid", output="identity", seed=0),
        "Embedding + TimeAffine per position": per_position,
    }


@pytest.mark.parametrize("name", list(builtin_models()))
def test_each_builtin_model_runs_in_onnxruntime_as_in_numnet(name, ort, tmp_path):
    model = randomized(builtin_models()[name])
    assert check_parity(model, tmp_path) < TOLERANCE


def test_a_trained_convnet_with_batch_norm_and_dropout_agrees(ort, tmp_path):
    from numnet.optimizers import Adam
    from numnet.training import Trainer

    model = ConvNet((1, 8, 8), blocks=((4,),), hidden_size=8, output_size=3, seed=0)
    rng = np.random.default_rng(0)
    x, t = rng.standard_normal((200, 1, 8, 8)).astype(np.float32), rng.integers(0, 3, 200)
    Trainer(model, Adam(lr=0.01)).fit(x, t, epochs=3, batch_size=20, verbose=0, seed=0)
    assert check_parity(model, tmp_path) < TOLERANCE


def test_the_sequence_length_is_dynamic_for_ids(ort, tmp_path):
    model = randomized(builtin_models()["Embedding + TimeAffine per position"])
    proto, session = exported(model, tmp_path)
    (graph_input,) = proto.graph.input
    assert graph_input.type.tensor_type.elem_type == 7  # INT64
    assert [d.dim_param or d.dim_value for d in graph_input.type.tensor_type.shape.dim] == ["batch", "sequence"]
    for length in (1, 3, 12):
        x = inputs(model, length=length)
        assert max_difference(model, session, x) < TOLERANCE


def test_inputs_and_outputs_declare_their_types_and_a_dynamic_batch(onnx):
    from numnet.onnx import to_onnx

    def dims(value) -> list:
        return [d.dim_param or d.dim_value for d in value.type.tensor_type.shape.dim]

    graph = to_onnx(MLP([784, 100, 10])).graph
    assert [(v.name, dims(v)) for v in graph.input] == [("input", ["batch", 784])]
    assert [(v.name, dims(v)) for v in graph.output] == [("probabilities", ["batch", 10]), ("labels", ["batch"])]
    graph = to_onnx(ConvNet((3, 8, 8), blocks=((4,),), output_size=4)).graph
    assert dims(graph.input[0]) == ["batch", 3, 8, 8]
    graph = to_onnx(Sequential([Conv2D(3, 4, 3), Flatten(), Dense(4, 2)], SoftmaxWithLoss())).graph
    assert dims(graph.input[0]) == ["batch", 3, "height", "width"]
    graph = to_onnx(LogisticRegression(5)).graph
    assert [(v.name, dims(v)) for v in graph.output] == [("probabilities", ["batch"]), ("labels", ["batch"])]
    graph = to_onnx(MLP([5, 3], output="identity")).graph
    assert [(v.name, dims(v)) for v in graph.output] == [("values", ["batch", 3])]


def test_the_minimum_opset_exports_and_agrees(ort, tmp_path):
    model = randomized(builtin_models()["ConvNet with batch norm"])
    proto, session = exported(model, tmp_path, opset=13)
    assert [(o.domain, o.version) for o in proto.opset_import] == [("", 13)]
    assert max_difference(model, session, inputs(model)) < TOLERANCE


def test_a_float64_model_exports_in_float32(ort, tmp_path):
    model = randomized(MLP([12, 8, 4], seed=0, dtype=np.float64))
    assert check_parity(model, tmp_path) < TOLERANCE


# ------------------------------------------------------------------ metadata


def test_metadata_describes_the_model_and_its_input(onnx, tmp_path):
    model = MLP([784, 16, 10], seed=0)
    model.metadata = {"dataset": "mnist", "class_names": [str(k) for k in range(10)], "input_range": [0.0, 1.0]}
    from numnet.onnx import export

    proto = onnx.load(str(export(model, tmp_path / "mlp.onnx")))
    props = {p.key: p.value for p in proto.metadata_props}
    assert props["numnet_version"] == __version__
    assert props["model_class"] == "MLP"
    assert json.loads(props["model_config"]) == model.get_config()
    assert props["dataset"] == "mnist"
    assert json.loads(props["class_names"]) == [str(k) for k in range(10)]
    assert json.loads(props["input"]) == {
        "name": "input",
        "kind": "float",
        "shape": [784],
        "dtype": "float32",
        "value_range": [0.0, 1.0],
    }
    assert props["task"] == "classification" and json.loads(props["outputs"]) == ["probabilities", "labels"]
    assert proto.producer_name == "numnet" and proto.producer_version == __version__
    assert "Dense(in_features=784, out_features=16" in proto.graph.doc_string


def test_metadata_of_an_ids_model_gives_the_id_range_and_a_model_without_metadata_leaves_it_out(onnx):
    from numnet.onnx import to_onnx

    props = {p.key: p.value for p in to_onnx(builtin_models()["Embedding + TimeAffine per position"]).metadata_props}
    assert json.loads(props["input"]) == {
        "name": "input",
        "kind": "ids",
        "shape": [None],
        "dtype": "int64",
        "value_range": [0, 19],
    }
    assert "class_names" not in props and "dataset" not in props
    props = {p.key: p.value for p in to_onnx(MLP([4, 2], output="identity")).metadata_props}
    assert props["task"] == "regression" and json.loads(props["outputs"]) == ["values"]


# ------------------------------------------------------------------ errors


class Square(Layer):
    def forward(self, x, train=True):
        return np.square(x)


class ScaledDense(Dense):
    """A subclass computes something else: it must not export as a Dense."""

    def forward(self, x, train=True):
        return 2 * super().forward(x, train)


@pytest.mark.parametrize("layer", [Square(), ScaledDense(4, 4, rng=0)], ids=["custom layer", "Dense subclass"])
def test_a_layer_without_a_mapping_is_named_and_nothing_is_written(layer, onnx, tmp_path):
    from numnet.onnx import export

    model = Sequential([Dense(4, 4, rng=0), layer, Dense(4, 2, rng=0)], SoftmaxWithLoss())
    path = tmp_path / "model.onnx"
    path.write_bytes(b"an older file")
    with pytest.raises(NotImplementedError, match=rf"layers\[1\] {re.escape(repr(layer))} has no ONNX mapping"):
        export(model, path)
    assert path.read_bytes() == b"an older file"
    assert [p.name for p in tmp_path.iterdir()] == ["model.onnx"]


def test_a_loss_without_a_prediction_head_is_named(onnx):
    from numnet.onnx import to_onnx

    class HingeLoss(MeanSquaredLoss):
        pass

    with pytest.raises(NotImplementedError, match="HingeLoss"):
        to_onnx(Sequential([Dense(4, 2)], HingeLoss()))


@pytest.mark.parametrize(
    ("opset", "error", "message"),
    [
        (12, ValueError, "opset must be >= 13, got 12: before opset 13 Softmax"),
        (1000, ValueError, "opset must be <= "),
        (True, TypeError, "opset must be an int"),
        ("17", TypeError, "opset must be an int"),
    ],
)
def test_a_bad_opset_is_refused_before_anything_is_written(opset, error, message, onnx, tmp_path):
    from numnet.onnx import export

    with pytest.raises(error, match=message):
        export(MLP([4, 2]), tmp_path / "model.onnx", opset=opset)
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_input_shape_must_be_given(ort, tmp_path):
    from numnet.onnx import to_onnx

    model = randomized(Sequential([ReLU(), Dense(4, 3)], SoftmaxWithLoss()))
    with pytest.raises(ValueError, match=r"input shape .* is unknown: pass export\(\.\.\., input_shape="):
        to_onnx(model)
    with pytest.raises(ValueError, match="input_shape must hold positive ints or None"):
        to_onnx(model, input_shape=(0,))
    with pytest.raises(ValueError, match="takes 4 features per sample, gets shape"):
        to_onnx(model, input_shape=(5,))
    _, session = exported(model, tmp_path, input_shape=(4,))
    x = np.random.default_rng(0).standard_normal((N_SAMPLES, 4)).astype(np.float32)
    assert max_difference(model, session, x) < TOLERANCE


def test_export_without_the_onnx_package_names_the_extra(monkeypatch, tmp_path):
    from numnet.onnx import export

    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx now raises ImportError
    with pytest.raises(ImportError, match=re.escape("pip install 'numnet[onnx]'")):
        export(MLP([4, 2]), tmp_path / "model.onnx")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ the command and the README


def numnet(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "numnet", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_numnet_export_writes_a_run_folders_model_with_its_dataset(ort, tmp_path):
    import onnx
    import onnxruntime

    from numnet.optimizers import SGD
    from numnet.runs import write_run
    from numnet.training import History

    model = randomized(MLP([784, 16, 10], seed=0))  # no metadata: the dataset comes from run.json
    run = tmp_path / "run"
    run.mkdir()
    write_run(run, model, History(), dataset="mnist-mini", optimizer=SGD(), settings={}, results={}, curves=False)
    result = numnet("export", "run", "--onnx", "digits.onnx", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("wrote digits.onnx: MLP, ONNX opset 17")
    proto = onnx.load(str(tmp_path / "digits.onnx"))
    onnx.checker.check_model(proto, full_check=True)
    props = {p.key: p.value for p in proto.metadata_props}
    assert props["dataset"] == "mnist-mini"
    assert json.loads(props["class_names"]) == [str(k) for k in range(10)]
    assert json.loads(props["input"])["value_range"] == [0.0, 1.0]
    session = onnxruntime.InferenceSession(str(tmp_path / "digits.onnx"), providers=["CPUExecutionProvider"])
    assert max_difference(model, session, inputs(model)) < TOLERANCE


def test_numnet_export_takes_a_model_file_and_an_opset(onnx, tmp_path):
    io.save(MLP([4, 3], seed=0), tmp_path / "net.npz")
    result = numnet("export", "net.npz", "--onnx", "net.onnx", "--opset", "13", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [(o.domain, o.version) for o in onnx.load(str(tmp_path / "net.onnx")).opset_import] == [("", 13)]


@pytest.mark.parametrize(
    ("args", "status", "fragment"),
    [
        (("net.npz", "--onnx", "low.onnx", "--opset", "12"), 1, "opset must be >= 13"),
        (("missing.npz", "--onnx", "missing.onnx"), 1, "missing.npz"),
        ((".", "--onnx", "folder.onnx"), 1, "has no model.npz"),
        (("net.npz",), 2, "--onnx"),
    ],
)
def test_numnet_export_reports_errors_in_one_line_and_writes_nothing(args, status, fragment, onnx, tmp_path, capsys):
    from numnet.cli import main

    io.save(MLP([4, 3], seed=0), tmp_path / "net.npz")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        assert main(["export", *args]) == status
    error = capsys.readouterr().err
    assert error.startswith("numnet: error: ") and fragment in error and len(error.splitlines()) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["net.npz"]


def test_the_readme_exports_and_runs_a_model_in_onnxruntime(ort, tmp_path, monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Exporting to ONNX") :]
    snippet = re.search(r"```python\n(.*?)```", section, flags=re.DOTALL).group(1)
    model = randomized(MLP([784, 16, 10], seed=0))
    x_test = np.random.default_rng(0).random((5, 784), dtype=np.float32)
    monkeypatch.chdir(tmp_path)
    namespace = {"model": model, "x_test": x_test}
    exec(compile(snippet, "README.md", "exec"), namespace)
    np.testing.assert_allclose(namespace["probabilities"], model.predict_proba(x_test), rtol=0, atol=TOLERANCE)
    np.testing.assert_array_equal(namespace["labels"], model.predict_labels(x_test))
