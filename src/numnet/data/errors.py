"""The error every dataset loader raises when data cannot be had."""

from __future__ import annotations

__all__ = ["DatasetError"]


class DatasetError(OSError):
    """A dataset file is missing, corrupt or could not be downloaded.

    The message names the file (or URL) and the cause. It subclasses
    ``OSError`` because every such failure is one of reading or fetching a
    file, alongside :class:`gzip.BadGzipFile` and :class:`urllib.error.URLError`
    (both ``OSError`` too), so ``except OSError`` catches all of them. Bad
    *arguments* to a loader raise ``ValueError`` / ``TypeError`` instead.
    """
