"""The backend switch: NumPy for NumPy arrays and scalars, CuPy only for CuPy arrays."""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest

from numnet.backend import get_array_module, xp


def test_numpy_arrays_scalars_and_nothing_select_numpy():
    assert xp is np
    assert get_array_module() is np
    assert get_array_module(np.zeros(3), 1.5, [1, 2]) is np


def test_an_array_of_cupy_selects_cupy(monkeypatch):
    fake_cupy = types.ModuleType("cupy")
    monkeypatch.setitem(sys.modules, "cupy", fake_cupy)
    cupy_array = type("ndarray", (), {"__module__": "cupy._core.core"})()
    assert get_array_module(np.zeros(2), cupy_array) is fake_cupy


def test_a_cupy_array_without_cupy_installed_fails_loudly(monkeypatch):
    monkeypatch.setitem(sys.modules, "cupy", None)
    cupy_array = type("ndarray", (), {"__module__": "cupy"})()
    with pytest.raises(ImportError):
        get_array_module(cupy_array)
