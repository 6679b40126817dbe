"""Comparators: tolerance rules, NA/NaN equality, typeof/dtype mapping."""

from __future__ import annotations

import math

import numpy as np
import pytest

from parity.rules.compare import (
    EXACT,
    STATS,
    Tolerance,
    max_abs_diff,
    stat_tolerance,
    typeof_matches,
    values_agree,
)
from python_impl.caret.confusion import NA


@pytest.mark.parametrize(("r", "py", "tol", "expected"), [
    (math.nan, math.nan, EXACT, True),
    (NA, math.nan, STATS, True),  # both "missing": NA and NaN are both NaN to the comparator
    (math.nan, 0.0, STATS, False),
    (0.0, math.nan, STATS, False),
    (1.0, 1.0, EXACT, True),
    (1.0, np.nextafter(1.0, 2.0), EXACT, False),  # exact means exact: one ulp fails
    (0.3, 0.3 * (1 + 5e-13), STATS, True),
    (0.3, 0.3 * (1 + 5e-12), STATS, False),
    (7.4e-323, 0.0, STATS, True),  # subnormal floor
    (1e-250, 2e-250, STATS, False),
    ([1.0, math.nan], [1.0, math.nan], EXACT, True),
    ([1.0, math.nan], [math.nan, 1.0], EXACT, False),
    ([1.0, 2.0], [1.0, 2.0, 3.0], EXACT, False),
])
def test_values_agree(r, py, tol, expected):
    assert values_agree(r, py, tol) is expected


def test_stat_tolerance_names_the_pvalue_only():
    assert stat_tolerance("AccuracyPValue") is EXACT  # R's own pbeta algorithm: R's double
    assert stat_tolerance("Kappa") is STATS and stat_tolerance("Sensitivity") is STATS


def test_rules_are_described():
    assert "exact" in EXACT.describe()
    assert "1e-12" in STATS.describe() and "NaN" in STATS.describe()
    assert Tolerance(rel=1e-3).describe().startswith("|R - Python| <= 0.001")


def test_max_abs_diff():
    assert max_abs_diff([1.0, 2.0], [1.0, 2.5]) == 0.5
    assert max_abs_diff([], []) == 0.0
    assert math.isnan(max_abs_diff([1.0, math.nan], [1.0, 2.0]))


@pytest.mark.parametrize(("typeof", "dtype", "expected"), [
    ("integer", "uint8", True), ("integer", "int32", True), ("integer", "float64", False),
    ("integer", "int64", False),  # R integers are 32-bit: int64 would not fit back
    ("double", "float64", True), ("double", "float32", False),
])
def test_typeof_mapping(typeof, dtype, expected):
    assert typeof_matches(typeof, dtype) is expected


def test_unknown_typeof_is_an_error():
    with pytest.raises(ValueError, match=r"typeof 'complex': expected one of"):
        typeof_matches("complex", "complex128")
