"""Where dataset files are looked for, and the per-user download cache.

A loader given ``data_dir`` looks first in ``data_dir/<name>/`` and then in
``data_dir`` itself; then the same two places under the directory named by the
environment variable ``NUMNET_DATA_DIR``. Downloads go to the per-user cache
``$XDG_CACHE_HOME/numnet/<name>`` (``~/.cache/numnet/<name>`` when
``XDG_CACHE_HOME`` is unset).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

__all__ = ["DATA_DIR_ENV", "PathLike", "search_dirs", "cache_dir", "find_file"]

#: Environment variable naming a directory of shared datasets.
DATA_DIR_ENV = "NUMNET_DATA_DIR"

PathLike = str | os.PathLike[str]


def _root(path: PathLike, what: str) -> Path:
    root = Path(path).expanduser()
    if not root.is_dir():
        raise ValueError(f"{what} must be an existing directory, got {str(path)!r}")
    return root


def search_dirs(name: str, data_dir: PathLike | None = None) -> list[Path]:
    """The directories to look in for dataset ``name``, in order.

    Raises ``ValueError`` when ``data_dir`` or ``$NUMNET_DATA_DIR`` is given
    but is not a directory (a typo should not silently trigger a download).
    """
    roots = []
    if data_dir is not None:
        roots.append(_root(data_dir, "data_dir"))
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        roots.append(_root(env, f"${DATA_DIR_ENV}"))
    return [directory for root in roots for directory in (root / name, root)]


def cache_dir(name: str) -> Path:
    """The per-user cache directory for dataset ``name`` (not created here)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "numnet" / name


def find_file(filenames: Sequence[str], dirs: Sequence[Path]) -> Path | None:
    """The first existing ``dir/filename``, directories in order, then names in order."""
    for directory in dirs:
        for filename in filenames:
            path = directory / filename
            if path.is_file():
                return path
    return None
