"""Shared test configuration: the real data in $NUMNET_DATA_DIR.

Tests that read the shared data (MNIST, the cat pictures, the reference
weights, PTB, the second volume's sequence files) are marked
``@pytest.mark.needs_data`` or take the ``data_dir`` fixture; both skip, with
the reason, when ``NUMNET_DATA_DIR`` is unset. ``.ci/run`` sets it, so CI runs
them all.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

DATA_DIR_ENV = "NUMNET_DATA_DIR"
SKIP_REASON = f"needs ${DATA_DIR_ENV}, the folder of the shared data (mnist/, catvnoncat/, reference/, ...)"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get(DATA_DIR_ENV):
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if "needs_data" in item.keywords:
            item.add_marker(skip)


def shared_data(*parts: str) -> Path:
    """A path in the shared data folder ($NUMNET_DATA_DIR); the calling test skips when it is unset."""
    value = os.environ.get(DATA_DIR_ENV)
    if not value:
        pytest.skip(SKIP_REASON)
    return Path(value).joinpath(*parts)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The shared data folder ($NUMNET_DATA_DIR); the test skips when it is unset."""
    return shared_data()
