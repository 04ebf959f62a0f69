"""numnet.io against hostile files: each class of defect found by fuzzing, as a minimal reproducer.

Every malformed, truncated, tampered, encrypted, oddly compressed or oversized
file gives a ModelFileError naming the file (and nothing else), before numnet
allocates anything the architecture does not need.
"""

from __future__ import annotations

import io as bytes_io
import json
import tracemalloc
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from numnet import io
from numnet.cli import main
from numnet.io import MAX_PARAMETERS, ModelFileError, load, load_checkpoint, model_info, save, save_checkpoint
from numnet.layers import Embedding, SoftmaxWithLoss, TimeAffine, TimeLSTM
from numnet.models import MLP, Sequential
from numnet.optimizers import Adam
from numnet.sequence_models import RNNLM, AttentionSeq2seq
from numnet.word2vec import CBOW, SkipGram

READERS = [load, load_checkpoint, model_info]

# ---------------------------------------------------------------- building files by hand


def _npy(array: np.ndarray) -> bytes:
    buffer = bytes_io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def _npy_raw(header: str, data: bytes = b"", version: bytes = b"\x01\x00") -> bytes:
    """A .npy entry with a header text of our choosing."""
    text = header.encode("latin1") + b"\n"
    length = len(text).to_bytes(2 if version == b"\x01\x00" else 4, "little")
    return b"\x93NUMPY" + version + length + text + data


def _json_entry(header: dict[str, Any] | str) -> bytes:
    text = header if isinstance(header, str) else json.dumps(header)
    return _npy(np.frombuffer(text.encode("utf-8", "surrogatepass"), np.uint8))


def _entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _zip(path: Path, entries: dict[str, bytes] | list[tuple[str, bytes]], method: int = zipfile.ZIP_STORED) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names, when a test wants them
        with zipfile.ZipFile(path, "w", method) as archive:
            for name, content in entries.items() if isinstance(entries, dict) else entries:
                archive.writestr(name, content)
    return path


def _header(path: Path) -> dict[str, Any]:
    return json.loads(np.load(path)["__numnet__"].tobytes())


@pytest.fixture
def mlp_file(tmp_path: Path) -> Path:
    return save(MLP([4, 8, 3], seed=0), tmp_path / "mlp.npz")


@pytest.fixture
def checkpoint_file(tmp_path: Path) -> Path:
    model = MLP([4, 8, 3], seed=0)
    optimizer = Adam()
    model.forward(np.ones((2, 4), np.float32), np.array([0, 1]))
    model.backward()
    optimizer.update(model.params, model.grads)
    state = np.random.default_rng(0).bit_generator.state
    return save_checkpoint(tmp_path / "checkpoint.npz", model, optimizer, 1, state, {"loss": [0.5]})


def _tampered(source: Path, target: Path, header: dict[str, Any] | str | None = None, **entries: bytes | None) -> Path:
    """``source`` with its header and some entries (``param_0_W`` for ``param/0.W.npy``) replaced or dropped."""
    contents = _entries(source)
    if header is not None:
        contents["__numnet__.npy"] = _json_entry(header)
    for key, value in entries.items():
        name = key.replace("_", "/", 1).replace("_", ".") + ".npy"
        if value is None:
            del contents[name]
        else:
            contents[name] = value
    return _zip(target, contents)


def _refused(reader: Callable[[Path], Any], path: Path, match: str) -> str:
    with pytest.raises(ModelFileError, match=match) as error:
        reader(path)
    message = str(error.value)
    assert message.startswith(f"cannot load {str(path)!r}: the file ") and "\n" not in message
    message.encode("utf-8")  # printable anywhere
    return message


def _peak_bytes(call: Callable[[], Any]) -> int:
    """The peak of memory traced while ``call()`` runs (NumPy's arrays included)."""
    tracemalloc.start()
    try:
        call()
    except ModelFileError:
        pass
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


# ---------------------------------------------------------------- bounded loading


def test_a_header_declaring_a_huge_layer_is_refused_before_anything_is_allocated(tmp_path, mlp_file):
    # the reproducer of the issue: a few kilobytes declaring a layer of 2**31 features
    header = {**_header(mlp_file), "config": {**_header(mlp_file)["config"], "sizes": [2**31, 2**31, 3]}}
    hostile = _tampered(mlp_file, tmp_path / "huge.npz", header)
    assert hostile.stat().st_size < 4096
    message = _refused(
        load, hostile, r"describes a MLP of 4,611,686,[\d,]+ values .*more than max_parameters=100,000,000"
    )
    assert "load it with a larger max_parameters" in message
    assert _peak_bytes(lambda: load(hostile)) < 2**20


def test_a_sequential_declaring_a_huge_layer_is_refused_before_anything_is_allocated(tmp_path):
    path = save(MLP([3, 2], seed=0), tmp_path / "m.npz")
    header = _header(path)
    header.update(
        model_class="Sequential",
        config={
            "layers": [{"type": "Dense", "config": {"in_features": 2**40, "out_features": 2**40}}],
            "loss": {"type": "SoftmaxWithLoss", "config": {}},
        },
    )
    hostile = _tampered(path, tmp_path / "seq.npz", header)
    _refused(load, hostile, r"describes a Sequential of [\d,]+ values")
    assert _peak_bytes(lambda: load(hostile)) < 2**20


@pytest.mark.parametrize(
    ("make", "change"),
    [
        (lambda: RNNLM(9, 4, 4, tie_weights=True), {"vocab_size": 2**31}),
        (lambda: AttentionSeq2seq(9, 3, 4), {"hidden_size": 2**20}),
        (lambda: CBOW(5, 3, counts=[3, 1, 2, 1, 1]), {"hidden_size": 2**40}),
    ],
)
def test_sequence_and_word2vec_models_declaring_huge_layers_are_refused_before_allocating(tmp_path, make, change):
    path = save(make(), tmp_path / "model.npz")
    header = _header(path)
    header["config"] = {**header["config"], **change}
    hostile = _tampered(path, tmp_path / "huge.npz", header)
    _refused(load, hostile, rf"describes a {header['model_class']} of [\d,]+ values .*max_parameters")
    assert _peak_bytes(lambda: load(hostile)) < 2**20


def test_models_with_tied_weights_and_loss_parameters_load_and_must_hold_each_array_once(tmp_path):
    embedding = Embedding(6, 4)
    tied = Sequential(
        [embedding, TimeLSTM(4, 4), TimeAffine(embedding.W.T, np.zeros(6, np.float32))], SoftmaxWithLoss()
    )
    for model in (tied, RNNLM(9, 4, 4, tie_weights=True), SkipGram(5, 3, counts=[3, 1, 2, 1, 1])):
        path = save(model, tmp_path / "model.npz")
        loaded = load(path)
        assert loaded.param_names == model.param_names
        assert all(np.array_equal(a, b) for a, b in zip(loaded.params, model.params))
    # the tied projection stored as its own array too: refused before anything is built
    contents = _entries(save(tied, tmp_path / "tied.npz"))
    contents["param/2.W.npy"] = _npy(np.zeros((4, 6), np.float32))
    _refused(load, _zip(tmp_path / "twice.npz", contents), r"unexpected arrays \['param/2.W'\]")


def test_extra_checkpoint_arrays_count_against_max_parameters(tmp_path):
    model, optimizer = MLP([4, 3], seed=0), Adam()
    best = {"best/0.W": np.zeros((4, 3), np.float32), "best/0.b": np.zeros(3, np.float32)}
    path = save_checkpoint(tmp_path / "c.npz", model, optimizer, 1, None, {}, arrays=best)
    assert load_checkpoint(path, max_parameters=15).arrays.keys() == best.keys()
    _refused(
        lambda p: load_checkpoint(p, max_parameters=14), path, r"holds extra arrays of 15 values, more than max_param"
    )


def test_max_parameters_limits_the_architecture(mlp_file):
    size = 4 * 8 + 8 + 8 * 3 + 3
    assert MAX_PARAMETERS == 100_000_000
    _refused(
        lambda path: load(path, max_parameters=size - 1), mlp_file, rf"of {size} values .*max_parameters={size - 1}"
    )
    assert load(mlp_file, max_parameters=size).param_names == MLP([4, 8, 3]).param_names
    assert load(mlp_file, max_parameters=None).param_names == MLP([4, 8, 3]).param_names
    with pytest.raises(TypeError, match="max_parameters must be a non-negative int or None, got -1"):
        load(mlp_file, max_parameters=-1)


def test_an_entry_declaring_more_data_than_it_holds_is_refused_without_allocating(tmp_path, checkpoint_file):
    # an optimizer entry of 2**36 floats (256 GiB) in a few bytes: it was read (MemoryError) before
    hostile = _tampered(
        checkpoint_file,
        tmp_path / "lie.npz",
        optimizer_m_0=_npy_raw("{'descr': '<f4', 'fortran_order': False, 'shape': (68719476736,), }", bytes(16)),
    )
    for reader in READERS:
        _refused(
            reader,
            hostile,
            r"entry 'optimizer/m\.0' whose \.npy header declares shape \(68719476736,\) .*holds 16 bytes",
        )
    assert _peak_bytes(lambda: load_checkpoint(hostile)) < 2**20


def test_a_deflated_bomb_is_refused_before_it_is_inflated(tmp_path, checkpoint_file):
    # 64 MiB of zeros in a 64 KiB file, as optimizer state that does not fit the model's parameters
    contents = _entries(checkpoint_file)
    contents["optimizer/m.0.npy"] = _npy(np.zeros(2**24, np.float32))
    bomb = _zip(tmp_path / "bomb.npz", contents, zipfile.ZIP_DEFLATED)
    assert bomb.stat().st_size < 2**17
    _refused(
        load_checkpoint,
        bomb,
        r"optimizer state 'optimizer/m\.0' \(shape \(16777216,\), dtype float32\) that does not fit",
    )
    assert _peak_bytes(lambda: load_checkpoint(bomb)) < 2**20


def test_a_deflated_file_within_the_limits_loads(tmp_path, mlp_file):
    # numpy.savez_compressed writes such files; they load like stored ones
    deflated = _zip(tmp_path / "deflated.npz", _entries(mlp_file), zipfile.ZIP_DEFLATED)
    model, original = load(deflated), load(mlp_file)
    for name, array in original.named_arrays().items():
        assert np.array_equal(model.named_arrays()[name], array)


def test_a_fortran_ordered_entry_loads_with_the_same_values(tmp_path, mlp_file):
    weights = load(mlp_file).named_arrays()["0.W"]
    fortran = _tampered(mlp_file, tmp_path / "fortran.npz", param_0_W=_npy(np.asfortranarray(weights)))
    assert np.array_equal(load(fortran).named_arrays()["0.W"], weights)


def test_optimizer_state_must_fit_the_model_parameters(tmp_path, checkpoint_file):
    wrong_shape = _tampered(checkpoint_file, tmp_path / "a.npz", optimizer_m_0=_npy(np.zeros((8, 4), np.float32)))
    _refused(load_checkpoint, wrong_shape, r"optimizer state 'optimizer/m\.0' \(shape \(8, 4\), dtype float32\)")
    beyond = _tampered(checkpoint_file, tmp_path / "b.npz", optimizer_m_9=_npy(np.zeros(3, np.float32)))
    _refused(load_checkpoint, beyond, r"optimizer state 'optimizer/m\.9'")
    unknown = _tampered(checkpoint_file, tmp_path / "c.npz", optimizer_velocity_0=_npy(np.zeros(3, np.float32)))
    _refused(load_checkpoint, unknown, r"optimizer state 'optimizer/velocity\.0'")
    long_name = _tampered(checkpoint_file, tmp_path / "d.npz", optimizer_optimizer=_npy(np.array("a" * 1000)))
    _refused(load_checkpoint, long_name, r"entry 'optimizer/optimizer' of dtype <U1000")
    nameless = _tampered(checkpoint_file, tmp_path / "e.npz", optimizer_optimizer=None)
    _refused(load_checkpoint, nameless, r"optimizer state that cannot be restored \(Adam.load_state_dict")


# ---------------------------------------------------------------- the JSON header


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (
            lambda text: text.replace('"sizes": [4', '"sizes": [' + "1" + "0" * 50),
            r"integer 1000.*must fit in 128 bits",
        ),
        (
            lambda text: text.replace('"epoch": 1', '"epoch": ' + "9" * 5000),
            r"integer 9999.*\.\.\. has 5000 characters",
        ),
        (
            lambda text: text.replace('"model_class": "MLP"', '"model_class": "\\ud800"'),
            r"UnicodeEncodeError.*surrogates",
        ),
    ],
    ids=["128-bit", "5000-digit", "lone-surrogate"],
)
def test_header_integers_are_bounded_and_strings_valid(tmp_path, checkpoint_file, change, match):
    text = change(json.dumps(_header(checkpoint_file)))
    hostile = _tampered(checkpoint_file, tmp_path / "h.npz", text)
    for reader in READERS:
        _refused(reader, hostile, match)


def test_a_header_above_the_size_limit_is_refused_on_reading_and_on_writing(tmp_path, mlp_file, monkeypatch):
    monkeypatch.setattr(io, "MAX_HEADER_BYTES", 200)
    for reader in READERS:
        _refused(reader, mlp_file, r"has a header of \d+ bytes, more than numnet reads \(200\)")
    with pytest.raises(ValueError, match=r"its header would be \d+ bytes, more than numnet reads \(200\)"):
        save(MLP([4, 8, 3]), tmp_path / "new.npz")
    assert not (tmp_path / "new.npz").exists()


@pytest.mark.parametrize(
    ("extra", "error", "match"),
    [
        ({"name": "\ud800"}, ValueError, r"extra holds text that is not valid Unicode \('utf-8' codec can't encode"),
        ({"big": 2**200}, ValueError, r"extra could not be read back \(ValueError: integer"),
    ],
)
def test_save_refuses_a_header_that_load_would_refuse(tmp_path, extra, error, match):
    with pytest.raises(error, match=match):
        save_checkpoint(tmp_path / "c.npz", MLP([2, 2]), Adam(), 0, None, {}, extra)
    assert list(tmp_path.iterdir()) == []


def test_a_checkpoint_generator_state_must_be_valid(tmp_path, checkpoint_file):
    header = _header(checkpoint_file)
    missing_key = _tampered(checkpoint_file, tmp_path / "a.npz", {**header, "rng_state": {"bit_generator": "PCG64"}})
    _refused(load_checkpoint, missing_key, r"rng_state that is not a valid PCG64 state")
    unknown = _tampered(checkpoint_file, tmp_path / "b.npz", {**header, "rng_state": {"bit_generator": "os.system"}})
    _refused(load_checkpoint, unknown, r"rng_state of bit generator 'os.system'")


# ---------------------------------------------------------------- .npy headers


@pytest.mark.parametrize(
    ("entry", "match"),
    [
        (
            _npy_raw("{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 8), }"),
            r"malformed \.npy header \(shape \(-1, 8\)",
        ),
        (_npy_raw("[1, 2]"), r"malformed \.npy header \(Header is not a dictionary"),
        (
            _npy_raw("{'descr': '<f4', 'shape': (4, 8), }"),
            r"malformed \.npy header \(Header does not contain the correct keys",
        ),
        (_npy_raw("{'descr': '<f4', 'fortran_order': 1, 'shape': (4, 8), }"), r"fortran_order is not a valid bool"),
        (_npy_raw("{'descr': 'nonsense', 'fortran_order': False, 'shape': (4, 8), }"), r"descr is not a valid dtype"),
        (_npy_raw("{'descr': '<f4', 'fortran_order': False, 'shape': (4L, 8L), }"), r"malformed \.npy header"),
        (_npy_raw("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 8), '''"), r"malformed \.npy header"),
        (
            _npy_raw("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 8), }", version=b"\x03\x00"),
            r"in \.npy format \(3, 0\)",
        ),
        (_npy_raw(" " * 20000, version=b"\x02\x00"), r"with a \.npy header of 20,001 bytes \(at most 10,000\)"),
        (b"\x93NUMPY\x01\x00\xff", r"is truncated or corrupted \(error: unpack requires"),
        (b"\x93NUMPY\x01\x00\xff\x00{'descr'", r"ends inside its \.npy header"),
        (b"PK not an array", r"is not a \.npy array \(no \.npy magic string\)"),
        (
            _npy(np.zeros((4, 8), np.complex64)),
            r"entry 'param/0\.W' of dtype complex64 .*which numnet files never hold",
        ),
        (_npy(np.zeros((4, 8), "S3")), r"entry 'param/0\.W' of dtype \|S3"),
    ],
    ids=[
        "negative-shape",
        "not-a-dict",
        "missing-key",
        "fortran-not-bool",
        "bad-descr",
        "python-2-long",
        "unterminated",
        "version-3",
        "header-too-long",
        "cut-in-length",
        "cut-in-header",
        "no-magic",
        "complex",
        "bytes",
    ],
)
def test_malformed_npy_headers_are_refused(tmp_path, mlp_file, entry, match):
    hostile = _tampered(mlp_file, tmp_path / "npy.npz", param_0_W=entry)
    for reader in READERS:
        _refused(reader, hostile, match)


# ---------------------------------------------------------------- zip archives


def _with_directory_field(path: Path, target: Path, offset: int, value: int, size: int) -> Path:
    """``path`` with a field of its first central directory record changed (8: flags, 10: method)."""
    data = path.read_bytes()
    at = data.index(b"PK\x01\x02")
    target.write_bytes(data[: at + offset] + value.to_bytes(size, "little") + data[at + offset + size :])
    return target


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_entries_compressed_otherwise_than_numpy_does_are_refused(tmp_path, mlp_file, method):
    hostile = _zip(tmp_path / "odd.npz", _entries(mlp_file), method)
    for reader in READERS:
        _refused(reader, hostile, rf"holds entry '.*' compressed with zip method {method}; numnet reads stored")


def test_encrypted_entries_are_refused(tmp_path, mlp_file):
    hostile = _with_directory_field(mlp_file, tmp_path / "encrypted.npz", 8, 0x1, 2)
    for reader in READERS:
        _refused(reader, hostile, r"holds entry '__numnet__\.npy' encrypted or patched")


def test_a_stored_entry_listed_with_two_sizes_is_refused(tmp_path, mlp_file):
    hostile = _with_directory_field(mlp_file, tmp_path / "sizes.npz", 24, 10**6, 4)  # uncompressed size
    for reader in READERS:
        _refused(reader, hostile, r"stored uncompressed but listed with [\d,]+ bytes in the archive and 1,000,000")


def test_duplicate_entries_are_refused(tmp_path, mlp_file):
    contents = list(_entries(mlp_file).items())
    evil = ("param/0.W.npy", _npy(np.full((4, 8), 7.0, np.float32)))
    hostile = _zip(tmp_path / "twice.npz", [*contents, evil])
    for reader in READERS:
        _refused(reader, hostile, r"holds entries stored more than once \['param/0\.W\.npy'\]")


def test_a_zip_directory_above_the_limits_is_refused_before_it_is_read(tmp_path, mlp_file, monkeypatch):
    monkeypatch.setattr(io, "MAX_ENTRIES", 4)
    for reader in READERS:
        _refused(
            reader, mlp_file, r"has a zip directory of 5 entries and [\d,]+ bytes, more than numnet reads \(4 entries"
        )
    monkeypatch.undo()
    data = bytearray(mlp_file.read_bytes())
    end = data.rindex(b"PK\x05\x06")
    data[end + 12 : end + 16] = (2**31).to_bytes(4, "little")  # the directory's size
    (tmp_path / "large.npz").write_bytes(bytes(data))
    for reader in READERS:
        _refused(reader, tmp_path / "large.npz", r"and 2,147,483,648 bytes, more than numnet reads")


def test_a_corrupted_deflate_stream_is_refused(tmp_path, mlp_file):
    deflated = _zip(tmp_path / "d.npz", _entries(mlp_file), zipfile.ZIP_DEFLATED)
    data = bytearray(deflated.read_bytes())
    at = data.index(b"param/0.W.npy") + len("param/0.W.npy") + 30  # inside the compressed data
    data[at : at + 8] = b"\xff" * 8
    (tmp_path / "broken.npz").write_bytes(bytes(data))
    _refused(load, tmp_path / "broken.npz", r"is truncated or corrupted \((error|BadZipFile)")  # zlib.error or CRC


# ---------------------------------------------------------------- the command line


def _hostile_files(tmp_path: Path, mlp_file: Path) -> list[Path]:
    header = _header(mlp_file)
    huge = {**header, "config": {**header["config"], "sizes": [2**31, 2**31, 3]}}
    return [
        _tampered(mlp_file, tmp_path / "huge.npz", huge),
        _tampered(mlp_file, tmp_path / "surrogate.npz", {**header, "model_class": "\ud800"}),
        _tampered(
            mlp_file,
            tmp_path / "negative.npz",
            param_0_W=_npy_raw("{'descr': '<f4', 'fortran_order': False, 'shape': (-4, 8), }"),
        ),
        _zip(tmp_path / "twice.npz", [*_entries(mlp_file).items(), ("param/0.b.npy", _npy(np.ones(8, np.float32)))]),
        _zip(tmp_path / "bzip2.npz", _entries(mlp_file), zipfile.ZIP_BZIP2),
    ]


@pytest.mark.parametrize("command", ["info", "evaluate", "predict"])
def test_numnet_prints_one_line_for_each_hostile_file(tmp_path, mlp_file, command, capsys):
    sample = tmp_path / "sample.npy"
    np.save(sample, np.zeros(4, np.float32))
    for path in _hostile_files(tmp_path, mlp_file):
        argv = {"info": [path], "evaluate": [path, "--dataset", "spiral"], "predict": [path, sample]}[command]
        assert main([command, *map(str, argv)]) == 1
        lines = capsys.readouterr().err.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"numnet: error: cannot load {str(path)!r}: the file"), lines


@pytest.mark.slow  # tracing a few million allocations takes a while
def test_the_overhead_of_a_largest_header_is_bounded_as_documented(tmp_path):
    # the worst case the module docstring quotes: a header of nothing but empty objects
    objects = b"[" + b"{}," * ((io.MAX_HEADER_BYTES - 2) // 3 - 1) + b"{}]"
    header = _zip(tmp_path / "objects.npz", {"__numnet__.npy": _npy(np.frombuffer(objects, np.uint8))})
    assert _peak_bytes(lambda: _refused(load, header, "has a header that is not a JSON object but list")) < 128 * 2**20


@pytest.mark.slow
def test_the_overhead_of_a_largest_zip_directory_is_bounded_as_documented(tmp_path):
    # the worst case the module docstring quotes: minimal records, the end record claiming one entry
    record = b"PK\x01\x02" + bytes([20, 0, 20, 0]) + bytes(20) + (1).to_bytes(2, "little") + bytes(16) + b"a"
    directory = record * (io.MAX_DIRECTORY_BYTES // len(record))
    end = b"PK\x05\x06" + bytes(4) + (1).to_bytes(2, "little") * 2 + len(directory).to_bytes(4, "little") + bytes(6)
    (tmp_path / "records.npz").write_bytes(b"PK\x03\x04" + directory + end)
    assert (
        _peak_bytes(lambda: _refused(load, tmp_path / "records.npz", "zip entries, more than numnet reads"))
        < 40 * 2**20
    )
