"""Atomic writes: recognizable temporary names, stale ones removed, one-line errors naming the path.

The read-only and full file system tests mount a small tmpfs when they run as
root (root ignores folder permissions) and skip, saying why, where they cannot.
"""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from numnet import _atomic, io
from numnet._atomic import TEMPORARY_SUFFIX, atomic_write, remove_stale_temporaries, temporary_path
from numnet.cli import main
from numnet.models import MLP


def _dead_pid() -> int:
    """The id of a process that has exited and been reaped."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _temporary_of(target: Path, pid: int, host: str = _atomic._HOST) -> Path:
    path = target.with_name(f".{target.name}.{host}.{pid}.{'ab' * 8}{TEMPORARY_SUFFIX}")
    path.write_bytes(b"half a file")
    return path


def test_temporary_names_are_recognizable_and_unique(tmp_path):
    first, second = temporary_path(tmp_path / "m.npz"), temporary_path(tmp_path / "m.npz")
    assert first != second and first.parent == tmp_path
    assert first.name.startswith(f".m.npz.{_atomic._HOST}.{os.getpid()}.") and first.name.endswith(".numnet-tmp")


def test_stale_temporaries_of_dead_writers_are_removed_by_the_next_write(tmp_path):
    target = tmp_path / "m.npz"
    stale = [_temporary_of(target, _dead_pid()), _temporary_of(tmp_path / "other.json", _dead_pid())]
    live = _temporary_of(target, os.getppid())  # a process that runs
    own = _temporary_of(target, os.getpid())  # this process may be writing it in another thread
    foreign = _temporary_of(target, _dead_pid(), host="0123abcd")  # another machine sharing the folder
    unrelated = [tmp_path / ".m.npz.tmp", tmp_path / f".m.npz.1.2{TEMPORARY_SUFFIX}", tmp_path / "notes.txt"]
    for path in unrelated:
        path.write_text("keep")
    with atomic_write(target) as file:
        file.write(b"new")
    assert target.read_bytes() == b"new"
    assert not any(path.exists() for path in stale)
    assert all(path.exists() for path in (live, own, foreign, *unrelated))


def test_remove_stale_temporaries_survives_a_missing_folder(tmp_path):
    assert remove_stale_temporaries(tmp_path / "absent") == []


def test_an_error_in_the_block_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "m.txt"
    target.write_text("old")
    with pytest.raises(ZeroDivisionError), atomic_write(target, "w") as file:
        file.write("half")
        1 / 0  # noqa: B018
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["m.txt"]


# ---------------------------------------------------------------- read-only and full file systems


@contextlib.contextmanager
def _tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``path`` (root only), unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    path.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder holding model.npz (an MLP([4, 8, 3])) that cannot be written to."""
    if os.geteuid() != 0:
        folder = tmp_path / "ro"
        folder.mkdir()
        io.save(MLP([4, 8, 3], seed=0), folder / "model.npz")
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(0o755)
        return
    with _tmpfs(tmp_path / "ro", "1m") as folder:
        io.save(MLP([4, 8, 3], seed=0), folder / "model.npz")
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        yield folder


@pytest.fixture
def full_folder(tmp_path: Path) -> Iterator[Path]:
    """A file system of 64 KiB holding model.npz (an MLP([4, 8, 3])) and filled to the last byte."""
    with _tmpfs(tmp_path / "full", "64k") as folder:
        io.save(MLP([4, 8, 3], seed=0), folder / "model.npz")
        with contextlib.suppress(OSError), open(folder / "filler", "wb") as filler:
            while True:
                filler.write(bytes(4096))
                filler.flush()
        yield folder


def _assert_one_line_naming(error: OSError, path: Path) -> None:
    message = str(error)
    assert "\n" not in message and str(path) in message and ".numnet-tmp" not in message


def test_saving_into_a_read_only_folder_names_the_path_and_keeps_the_old_file(read_only_folder):
    target = read_only_folder / "model.npz"
    before = target.read_bytes()
    with pytest.raises(OSError) as error:
        io.save(MLP([4, 8, 3], seed=1), target)
    assert error.value.errno in (errno.EACCES, errno.EROFS, errno.EPERM)
    _assert_one_line_naming(error.value, target)
    assert target.read_bytes() == before and os.listdir(read_only_folder) == ["model.npz"]


def test_saving_onto_a_full_file_system_names_the_path_and_keeps_the_old_file(full_folder):
    target = full_folder / "model.npz"
    before = target.read_bytes()
    with pytest.raises(OSError) as error:
        io.save(MLP([40, 80, 3], seed=1), target)  # about 14 KB more than there is room for
    assert error.value.errno == errno.ENOSPC
    _assert_one_line_naming(error.value, target)
    assert str(error.value) == f"[Errno 28] No space left on device: '{target}'"
    assert target.read_bytes() == before and sorted(os.listdir(full_folder)) == ["filler", "model.npz"]
    assert io.load(target).named_arrays().keys() == MLP([4, 8, 3]).named_arrays().keys()


@pytest.mark.parametrize("folder", ["read_only_folder", "full_folder"])
def test_numnet_train_reports_an_unwritable_run_folder_in_one_line(folder, request, capsys):
    out = request.getfixturevalue(folder)
    status = main(["train", "--dataset", "spiral", "--epochs", "1", "--quiet", "--out", str(out)])
    assert status == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("numnet: error: [Errno") and str(out) in lines[0]
    assert ".numnet-tmp" not in lines[0]
