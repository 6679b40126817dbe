"""The docstring examples of the caret measures run and print what they say (the values were
taken from R; tests/test_caret_measures_vs_r.py checks two of them against live R)."""

from __future__ import annotations

import doctest

import pytest

from python_impl.caret import factors, measures, rnumeric, roc, summaries


@pytest.mark.parametrize("module", [measures, roc, summaries, factors, rnumeric], ids=lambda m: m.__name__)
def test_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    if module in (measures, roc, summaries):
        assert result.attempted > 0
