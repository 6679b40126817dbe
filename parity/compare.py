"""Comparators: the tolerance rules every parity check uses, written once.

Rules
-----
- ``exact``: bit-for-bit equality; NaN equals only NaN. Used where both sides run the same
  IEEE operations on the same inputs (data, normalization, training under op determinism,
  predictions, count tables): any difference there is a real divergence, so the tolerance is 0.
- ``rel``: ``|r - py| <= rel * |r|`` (default ``rel = 1e-12``), or both below 1e-300 apart
  (``abs_floor``): in the subnormal range a double keeps only a few significant bits, so R's
  and SciPy's tail probabilities (e.g. 7.4e-323 against 0) cannot agree relatively. Used for
  statistics computed by different libraries (caret vs the port). NaN/NA equal only NaN/NA.
- ``AccuracyPValue`` is compared **exactly**: the port computes it with R's own ``pbeta``
  algorithm (TOMS 708 as R's nmath runs it, :mod:`python_impl.caret.toms708`) on the same doubles
  (x, n and the NIR are exact), so it is R's double, not an approximation of it; measured
  bit-identical to R's ``pbeta`` on 1.6 million random arguments (``tests/test_toms708.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Tolerance", "EXACT", "STATS", "stat_tolerance", "values_agree", "max_abs_diff",
           "TYPEOF_TO_DTYPES", "typeof_matches"]


@dataclass(frozen=True)
class Tolerance:
    rel: float = 0.0
    abs_floor: float = 0.0

    def describe(self) -> str:
        if self.rel == 0 and self.abs_floor == 0:
            return "exact (bit-identical; NaN equals only NaN)"
        return (f"|R - Python| <= {self.rel:g} * |R| or <= {self.abs_floor:g}; "
                "NaN/NA equal only NaN/NA")


EXACT = Tolerance()
STATS = Tolerance(rel=1e-12, abs_floor=1e-300)


def stat_tolerance(name: str) -> Tolerance:
    """The rule for one caret statistic (see the module docstring)."""
    return EXACT if name == "AccuracyPValue" else STATS


def values_agree(r, py, tol: Tolerance = EXACT) -> bool:
    """Whether two scalars or arrays agree under ``tol`` (shapes must match).

    Examples
    --------
    >>> values_agree(float("nan"), float("nan")), values_agree(float("nan"), 0.0)
    (True, False)
    >>> values_agree(0.1, 0.1 * (1 + 1e-13), STATS), values_agree(0.1, 0.1 * (1 + 1e-13))
    (True, False)
    """
    a = np.asarray(r, dtype=np.float64)
    b = np.asarray(py, dtype=np.float64)
    if a.shape != b.shape:
        return False
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    if not np.array_equal(nan_a, nan_b):
        return False
    a, b = a[~nan_a], b[~nan_b]
    if tol.rel == 0 and tol.abs_floor == 0:
        return bool(np.array_equal(a, b))
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.abs(a - b)
        ok = (a == b) | (diff <= tol.rel * np.abs(a)) | (diff <= tol.abs_floor)
    return bool(ok.all())


def max_abs_diff(r, py) -> float:
    """max |R - Python| over finite pairs (0.0 for empty input); NaN if NaN patterns differ."""
    a = np.asarray(r, dtype=np.float64)
    b = np.asarray(py, dtype=np.float64)
    if a.shape != b.shape:
        return math.nan
    if not np.array_equal(np.isnan(a), np.isnan(b)):
        return math.nan
    finite = np.isfinite(a) & np.isfinite(b)
    return float(np.abs(a[finite] - b[finite]).max()) if finite.any() else 0.0


#: R's typeof() and the NumPy dtypes that hold the same values after conversion
#: (reticulate turns uint8 arrays into R integers; R's doubles are float64).
TYPEOF_TO_DTYPES = {
    "integer": {"uint8", "int8", "int16", "uint16", "int32"},
    "double": {"float64"},
    "logical": {"bool"},
    "character": {"str", "object"},
}


def typeof_matches(r_typeof: str, dtype: str) -> bool:
    """Whether an R ``typeof`` corresponds to a NumPy dtype name.

    Examples
    --------
    >>> typeof_matches("integer", "uint8"), typeof_matches("integer", "float64")
    (True, False)
    """
    if r_typeof not in TYPEOF_TO_DTYPES:
        raise ValueError(f"typeof {r_typeof!r}: expected one of {sorted(TYPEOF_TO_DTYPES)}")
    return dtype in TYPEOF_TO_DTYPES[r_typeof]
