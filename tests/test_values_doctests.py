"""The docstring examples of every values module run as tests, so the documentation cannot rot."""
from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["text", "placeholders", "periods", "numbers", "targets", "benchmarks", "rag", "units", "repair"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(f"extractors.values.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
