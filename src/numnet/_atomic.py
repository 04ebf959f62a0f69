"""Atomic file writes: a temporary file beside the target, then a rename (private module).

Temporary files have recognizable names,
``.<target name>.<host>.<pid>.<random>.numnet-tmp``: the host (8 hex digits
of a hash of its name) and the process id of the writer. A process killed
while writing (``kill -9``, a power cut) cannot remove its temporary file, so
every later write into the same folder first removes the temporaries of
writers on this host that no longer run (:func:`remove_stale_temporaries`).
A temporary of a live process, or of another host sharing the folder, is
never touched. Folders written whole (``numnet.runs``) use the same names,
and ``.numnet-old`` for a folder moved aside while its replacement is renamed
into place (:func:`stale_temporaries` lists both kinds).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

__all__ = [
    "TEMPORARY_SUFFIX",
    "ASIDE_SUFFIX",
    "atomic_write",
    "temporary_path",
    "stale_temporaries",
    "remove_stale_temporaries",
]

#: The suffix of every temporary file numnet writes.
TEMPORARY_SUFFIX = ".numnet-tmp"
#: The suffix of a folder moved aside while the folder replacing it is renamed into place.
ASIDE_SUFFIX = ".numnet-old"

_HOST = hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]
_TEMPORARY_NAME = re.compile(
    r"\..+\.(?P<host>[0-9a-f]{8})\.(?P<pid>[0-9]{1,10})\.[0-9a-f]{16}"
    + f"({re.escape(TEMPORARY_SUFFIX)}|{re.escape(ASIDE_SUFFIX)})"
)


def temporary_path(path: Path, suffix: str = TEMPORARY_SUFFIX) -> Path:
    """A fresh temporary name beside ``path`` that :func:`stale_temporaries` recognizes once its writer is gone."""
    return path.with_name(f".{path.name}.{_HOST}.{os.getpid()}.{secrets.token_hex(8)}{suffix}")


def stale_temporaries(directory: str | os.PathLike[str]) -> list[Path]:
    """numnet's temporary names in ``directory`` (files and folders) whose writer, on this host, no longer runs.

    Never raises: a folder that cannot be listed has none.
    """
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return []
    stale = []
    for entry in entries:
        match = _TEMPORARY_NAME.fullmatch(entry.name)
        if match is not None and match["host"] == _HOST and not _running(int(match["pid"])):
            stale.append(Path(entry.path))
    return sorted(stale)


def remove_stale_temporaries(directory: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporary files in ``directory`` left by writers of this host that no longer run.

    Returns the paths removed. Folders are left to :mod:`numnet.runs`, which
    may have to put one back. Never raises: a file that cannot be removed
    (read-only, already gone) is left as it is.
    """
    removed: list[Path] = []
    for path in stale_temporaries(directory):
        with contextlib.suppress(OSError):
            if not path.is_dir():
                path.unlink()
                removed.append(path)
    return removed


def _running(pid: int) -> bool:
    """Whether process ``pid`` of this host exists (a zombie counts until it is reaped)."""
    if pid == os.getpid():
        return True
    if os.name != "posix":  # os.kill(pid, 0) would terminate the process on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):  # another user's process, or not a valid pid: leave it
        return True
    return True


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "wb", **open_kwargs: Any) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path``; when the block succeeds it is synced and renamed onto ``path``.

    On any error (KeyboardInterrupt included) the temporary file is removed
    and an existing file at ``path`` is left untouched. An OSError of the
    file system (no permission, a read-only folder, no space left) is raised
    again naming ``path`` instead of the temporary file, as ``[Errno 28] No
    space left on device: '<path>'``. Stale temporaries of killed writers in
    the folder are removed first. The file gets the usual permissions
    (0o666 minus the umask), not mkstemp's private 0o600.
    """
    path = Path(path)
    remove_stale_temporaries(path.parent)
    temporary = temporary_path(path)
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as error:
        raise _naming(error, path, temporary) from None
    try:
        with os.fdopen(descriptor, mode, **open_kwargs) as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise _naming(error, path, temporary) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _naming(error: OSError, path: Path, temporary: Path) -> OSError:
    """``error`` with ``path`` as its file name, when it is about the temporary file (or names no file)."""
    if error.errno is None or error.filename not in (None, str(temporary), temporary):
        return error
    return type(error)(error.errno, error.strerror, str(path))
