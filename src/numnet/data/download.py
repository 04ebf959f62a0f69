"""Download a file from a list of mirrors, verified, atomically, with a deadline and a size cap.

Each mirror is tried in turn. The bytes stream into a temporary file in the
destination directory; the caller's ``verify`` checks that file, and only a
file that passes is renamed into place (``os.replace``, atomic on one file
system). Whatever fails, no partial or unverified file is left behind, and
no cache directory that the download created and left empty.

Every attempt ends: it has an overall deadline (``deadline`` seconds, not
only a timeout per read, so a server that drips bytes or never ends is cut
off; a read in progress when the deadline passes ends within ``timeout``)
and a size cap (``max_bytes``: a server that announces or sends more is cut
off at once). A redirect loop ends after :mod:`urllib`'s ten redirections.
Temporary files have numnet's recognizable names (see
:mod:`numnet._atomic`), and those of killed downloads are removed by the
next download into the same directory. A progress bar is shown with tqdm
when it is installed and ``verbose`` is true.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import time
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from numnet._atomic import remove_stale_temporaries, temporary_path
from numnet.data.errors import DatasetError
from numnet.data.paths import find_file

__all__ = ["DOWNLOAD_TIMEOUT", "DOWNLOAD_DEADLINE", "check_mirrors", "download_verified", "find_or_download"]

#: Seconds to wait for a mirror to connect or to send the next bytes.
DOWNLOAD_TIMEOUT = 60.0
#: Seconds one attempt at a file may take in all.
DOWNLOAD_DEADLINE = 900.0

_CHUNK_SIZE = 1 << 16

T = TypeVar("T")


def check_mirrors(mirrors: Any) -> tuple[str, ...]:
    """``mirrors`` as a tuple of base URLs; ``TypeError``/``ValueError`` naming ``mirrors``."""
    if isinstance(mirrors, (str, bytes)) or not isinstance(mirrors, Sequence):
        raise TypeError(f"mirrors must be a sequence of base URL strings, got {type(mirrors).__name__}")
    if not mirrors:
        raise ValueError("mirrors must name at least one base URL, got an empty sequence")
    for mirror in mirrors:
        if not isinstance(mirror, str):
            raise TypeError(f"mirrors must hold URL strings, got {mirror!r}")
    return tuple(mirrors)


def download_verified(
    filename: str,
    mirrors: Sequence[str],
    dest_dir: Path,
    verify: Callable[[Path], T],
    *,
    verbose: bool = True,
    max_bytes: int | None = None,
    deadline: float = DOWNLOAD_DEADLINE,
    timeout: float = DOWNLOAD_TIMEOUT,
) -> T:
    """Fetch ``<mirror>/<filename>`` into ``dest_dir/filename`` from the first good mirror.

    ``verify(path)`` is called on the downloaded temporary file and must
    raise :class:`DatasetError` if it is not the expected content; what it
    returns is returned. Each attempt may take ``deadline`` seconds and
    ``max_bytes`` bytes (None: no cap); ``timeout`` bounds each wait for the
    server. Raises :class:`DatasetError` listing every mirror's failure
    when none delivers a verified file.
    """
    created = _make_directories(dest_dir)
    try:
        remove_stale_temporaries(dest_dir)
        failures = []
        for mirror in mirrors:
            url = f"{mirror.rstrip('/')}/{filename}"
            temp = temporary_path(dest_dir / filename)
            try:
                with open(temp, "xb") as out:
                    _fetch(url, out, filename, verbose, max_bytes, deadline, timeout)
                result = verify(temp)
                os.replace(temp, dest_dir / filename)
                return result
            except (OSError, http.client.HTTPException, ValueError) as error:
                failures.append(f"  {url}: {type(error).__name__}: {error}")
            finally:
                temp.unlink(missing_ok=True)
        raise DatasetError(
            f"could not download {filename} from any of {len(failures)} mirror(s):\n" + "\n".join(failures)
        )
    except BaseException:
        for directory in reversed(created):
            with contextlib.suppress(OSError):  # not empty (another download's files): keep it
                directory.rmdir()
        raise


def find_or_download(
    filename: str,
    places: Sequence[Path],
    mirrors: Sequence[str],
    decode: Callable[[bytes, str], T],
    *,
    download: bool,
    verbose: bool = True,
    max_bytes: int | None = None,
) -> T:
    """``decode(raw, source)`` of ``filename`` found in ``places``, else downloaded into the last place (the cache).

    ``decode`` verifies the bytes (raising :class:`DatasetError` naming
    ``source``, the file's path or ``"downloaded file"``) and returns what
    they hold; a download may bring ``max_bytes`` at the most (see
    :func:`download_verified`). Without ``download`` a missing file is a :class:`DatasetError`
    listing where it was looked for; a failed download lists the same places.
    """
    looked_in = "\n".join(f"  {place}" for place in places)
    path = find_file((filename,), places)
    if path is not None:
        return decode(path.read_bytes(), str(path))
    if not download:
        raise DatasetError(
            f"{filename} not found; looked in:\n{looked_in}\n"
            "pass download=True to fetch it, or data_dir= the directory that holds it"
        )
    try:
        return download_verified(
            filename,
            mirrors,
            places[-1],
            lambda temp: decode(temp.read_bytes(), "downloaded file"),
            verbose=verbose,
            max_bytes=max_bytes,
        )
    except DatasetError as error:
        raise DatasetError(
            f"{error}\nA copy placed in one of these directories is used instead:\n{looked_in}"
        ) from None


def _make_directories(directory: Path) -> list[Path]:
    """Create ``directory`` and its missing parents; return those created, outermost first."""
    missing = [path for path in (directory, *directory.parents) if not path.exists()][::-1]
    directory.mkdir(parents=True, exist_ok=True)
    return missing


def _fetch(
    url: str, out: BinaryIO, desc: str, verbose: bool, max_bytes: int | None, deadline: float, timeout: float
) -> None:
    """Stream the body of ``url`` into ``out`` within ``deadline`` seconds and ``max_bytes`` bytes.

    Raises :class:`DatasetError` when the deadline passes, the body is (or is
    announced) larger than ``max_bytes``, or it is shorter than its declared
    ``Content-Length`` (``http.client`` returns a cut-off body silently).
    """
    end = time.monotonic() + deadline
    with urllib.request.urlopen(url, timeout=min(timeout, deadline)) as response:
        header = response.headers.get("Content-Length")
        length = int(header) if header and header.isdigit() else None
        if max_bytes is not None and length is not None and length > max_bytes:
            raise DatasetError(f"the server announces {length:,} bytes, more than this file can have ({max_bytes:,})")
        bar = _progress_bar(length, desc) if verbose else None
        received = 0
        try:
            while chunk := response.read1(_CHUNK_SIZE):
                received += len(chunk)
                if max_bytes is not None and received > max_bytes:
                    raise DatasetError(f"the server sent more than this file can have ({max_bytes:,} bytes)")
                if time.monotonic() > end:
                    raise DatasetError(f"the download took longer than {deadline:g} s ({received:,} bytes received)")
                out.write(chunk)
                if bar is not None:
                    bar.update(len(chunk))
        finally:
            if bar is not None:
                bar.close()
    if length is not None and received != length:
        raise DatasetError(f"transfer cut short: received {received} of {length} bytes")


def _progress_bar(total: int | None, desc: str) -> Any:
    """A tqdm byte counter, or ``None`` when tqdm is not installed (then silent)."""
    try:
        from tqdm import tqdm  # noqa: PLC0415 - optional dependency
    except ImportError:
        return None
    return tqdm(total=total, desc=desc, unit="B", unit_scale=True, unit_divisor=1024, leave=False)
