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

from parity.contract import CaretValues, caret_values_of_port
from parity.rules.rbridge import CaretResult
from parity.rules.stats import bits_equal
from python_impl.caret import BY_CLASS_NAMES, NA, ConfusionMatrix
from python_impl.caret.confusion import na_mask

__all__ = ["Tolerance", "EXACT", "STATS", "stat_tolerance", "values_agree", "max_abs_diff", "differences",
           "agree_and_differences",
           "agreement", "StatComparison", "compare_caret", "caret_values", "caret_values_of_r", "NA_RULE",
           "na_values_agree", "json_safe", "TYPEOF_TO_DTYPES", "typeof_matches", "MeasureValues",
           "compare_measures", "printed_lines"]


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
    return a.shape == b.shape and bool(agreement(a, b, tol).all())


def agreement(r, py, tol: Tolerance = EXACT) -> np.ndarray:
    """Element by element, whether two arrays of the same shape agree under ``tol`` (NaN
    agrees only with NaN; exact means the same value, so -0.0 agrees with 0.0 as IEEE says).

    Examples
    --------
    >>> agreement([1.0, float("nan"), 2.0], [1.0, float("nan"), 2.5]).tolist()
    [True, True, False]
    """
    a = np.asarray(r, dtype=np.float64)
    b = np.asarray(py, dtype=np.float64)
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    with np.errstate(invalid="ignore", over="ignore"):
        ok = a == b
        if tol.rel != 0 or tol.abs_floor != 0:
            diff = np.abs(a - b)
            ok |= (diff <= tol.rel * np.abs(a)) | (diff <= tol.abs_floor)
    return (ok & ~nan_a & ~nan_b) | (nan_a & nan_b)


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


def differences(r, py) -> dict[str, float] | None:
    """The absolute and the relative difference of two scalars or arrays, as a check reports
    them: ``{"abs": max |R - Python|, "rel": max |R - Python| / |R|}`` over the finite pairs
    (``rel`` is infinite where R is 0 and Python is not). None when the shapes or the NaN
    patterns differ (there is no number to give).

    Examples
    --------
    >>> differences([1.0, 4.0], [1.0, 5.0])
    {'abs': 1.0, 'rel': 0.25}
    >>> differences(0.0, 0.0)
    {'abs': 0.0, 'rel': 0.0}
    """
    a = np.asarray(r, dtype=np.float64)
    b = np.asarray(py, dtype=np.float64)
    if a.shape != b.shape or not np.array_equal(np.isnan(a), np.isnan(b)):
        return None
    finite = np.isfinite(a) & np.isfinite(b)
    if not finite.any():
        return {"abs": 0.0, "rel": 0.0}
    a, b = a[finite], b[finite]
    diff = np.abs(a - b)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(diff == 0, 0.0, diff / np.abs(a))
    return {"abs": float(diff.max()), "rel": float(rel.max())}


def agree_and_differences(r, py, tol: Tolerance = EXACT) -> tuple[bool, dict[str, float] | None]:
    """:func:`values_agree` and :func:`differences` of two scalars or arrays, in one call.

    Bit-identical values (the audit's usual case: the normalized images, 47 million doubles a
    side) agree under any tolerance and differ by 0: they take one pass of bit equality
    (:func:`parity.rules.stats.bits_equal`) and no difference arithmetic.

    Examples
    --------
    >>> agree_and_differences([1.0, 2.0], [1.0, 2.0])
    (True, {'abs': 0.0, 'rel': 0.0})
    >>> agree_and_differences([1.0, 4.0], [1.0, 5.0])
    (False, {'abs': 1.0, 'rel': 0.25})
    """
    a = np.asarray(r, dtype=np.float64)
    b = np.asarray(py, dtype=np.float64)
    if bits_equal(a, b):
        return True, {"abs": 0.0, "rel": 0.0}
    return values_agree(a, b, tol), differences(a, b)


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


# --------------------------------------------------------------------------- caret, once


@dataclass(frozen=True)
class StatComparison:
    """One compared part of two caret results: ``table``, ``overall.<name>``,
    ``by_class.<statistic>`` (a value per class) or ``printed_text``."""

    name: str
    r: object
    python: object
    ok: bool
    rule: str
    difference: object = None


def caret_values_of_r(res):
    """:class:`parity.contract.CaretValues` of an rbridge result (R's NA marked by payload)."""

    names = list(res.overall)
    overall = np.array([res.overall[k] for k in names], dtype=np.float64)
    overall[np.array([res.overall_is_na[k] for k in names], dtype=bool)] = NA
    by_class = np.array(res.by_class, dtype=np.float64).reshape(-1, len(BY_CLASS_NAMES))
    by_class[np.asarray(res.by_class_is_na, dtype=bool).reshape(by_class.shape)] = NA
    return CaretValues(levels=list(res.levels), table=np.asarray(res.table), overall_names=names,
                       overall=overall, by_class_names=list(BY_CLASS_NAMES),
                       by_class_rows=list(res.by_class_rows), by_class=by_class,
                       positive=res.positive, text=res.text)


def na_values_agree(r, py, tol: Tolerance) -> bool:
    """:func:`values_agree`, and R's NA only where the other has NA (NaN only with NaN)."""
    return values_agree(r, py, tol) and bool(np.array_equal(na_mask(r), na_mask(py)))


def caret_values(x: CaretValues | ConfusionMatrix | CaretResult) -> CaretValues:
    """Any caret result as :class:`parity.contract.CaretValues`.

    Parameters
    ----------
    x : python_impl.caret.ConfusionMatrix, parity.contract.CaretValues or parity.rules.rbridge.CaretResult
        The port's result, a result in the contract's form, or R's result through rpy2.

    Returns
    -------
    CaretValues

    Raises
    ------
    TypeError
        For any other type; the message names the type and the accepted ones.
    """
    if isinstance(x, CaretValues):
        return x
    if isinstance(x, ConfusionMatrix):
        return caret_values_of_port(x)
    if isinstance(x, CaretResult):
        return caret_values_of_r(x)
    raise TypeError(f"{type(x).__module__}.{type(x).__qualname__}: expected a "
                    "python_impl.caret.ConfusionMatrix, a parity.contract.CaretValues or a "
                    "parity.rules.rbridge.CaretResult")


def compare_caret(r: CaretValues | ConfusionMatrix | CaretResult,
                  py: CaretValues | ConfusionMatrix | CaretResult, *,
                  tolerance=None) -> list[StatComparison]:
    """Compare two caret results, each R's (:mod:`parity.rules.rbridge`), the port's or a run's
    (:func:`caret_values`): the table, each ``$overall`` value, each ``$byClass`` statistic
    across classes, and the printed text.

    The one comparison of caret statistics in the project (the audit's checks, the battery,
    ``parity stats --r``, ``assert_caret_equal`` call it). Each statistic is compared under
    :func:`stat_tolerance` (or ``tolerance(name, default)``), and R's NA must meet NA, NaN
    meet NaN.
    """
    r, py = caret_values(r), caret_values(py)
    pick = tolerance or (lambda _name, default: default)
    out: list[StatComparison] = []
    same_levels = list(r.levels) == list(py.levels)
    out.append(StatComparison("levels", list(r.levels), list(py.levels), same_levels, "identical levels"))
    rt, pt = np.asarray(r.table, dtype=np.float64), np.asarray(py.table, dtype=np.float64)
    table_ok = rt.shape == pt.shape and values_agree(rt, pt, EXACT)
    out.append(StatComparison("table", rt.tolist(), pt.tolist(), table_ok, EXACT.describe(),
                              None if table_ok else differences(rt, pt)))
    for key in r.overall_names:
        name = f"overall.{key}"
        tol = pick(name, stat_tolerance(key))
        rv = r.overall_value(key)
        pv = py.overall_value(key) if key in py.overall_names else math.nan
        ok = key in py.overall_names and na_values_agree(rv, pv, tol)
        out.append(StatComparison(name, _r_repr(rv), _r_repr(pv), ok, tol.describe() + NA_RULE,
                                  differences(rv, pv)))
    for j, stat in enumerate(r.by_class_names):
        name = f"by_class.{stat}"
        tol = pick(name, STATS)
        rcol = r.by_class[:, j]
        pcol = py.by_class[:, py.by_class_names.index(stat)] if stat in py.by_class_names else None
        ok = pcol is not None and rcol.shape == pcol.shape and na_values_agree(rcol, pcol, tol)
        out.append(StatComparison(name, [_r_repr(x) for x in rcol],
                                  None if pcol is None else [_r_repr(x) for x in pcol], ok,
                                  tol.describe() + NA_RULE,
                                  None if pcol is None else differences(rcol, pcol)))
    out.append(_printed_text_row(r.text, py.text))
    return out


def _printed_text_row(r_text: str, py_text: str) -> StatComparison:
    """The ``printed_text`` comparison: identical lines, else where they first differ."""
    r_lines, p_lines = printed_lines(r_text), printed_lines(py_text)
    first = next((i for i, (a, b) in enumerate(zip(r_lines, p_lines, strict=False)) if a != b),
                 None if len(r_lines) == len(p_lines) else min(len(r_lines), len(p_lines)))
    where = None
    if first is not None:
        where = {"first_different_line": first + 1,
                 "r": r_lines[first] if first < len(r_lines) else None,
                 "python": p_lines[first] if first < len(p_lines) else None}
    return StatComparison("printed_text", f"{len(r_lines)} lines", f"{len(p_lines)} lines",
                          first is None, "identical lines (trailing spaces and blank lines aside)",
                          where)


NA_RULE = "; R's NA only equals NA, NaN only NaN"


@dataclass(frozen=True)
class MeasureValues:
    """A named result of one of caret's other performance measures (``postResample``, a
    summary function), from R or from the port: caret's names in caret's order, the values
    (R's NA as the NaN with payload 1954), R's warnings and the printed text."""

    function: str
    names: list[str]
    values: np.ndarray
    warnings: tuple[str, ...] = ()
    text: str = ""


def compare_measures(r: MeasureValues, py: MeasureValues, *, tolerance=None) -> list[StatComparison]:
    """Compare two :class:`MeasureValues`: the names and their order, every value bit for bit
    (:data:`EXACT`: caret computes each in a fixed order, and the port does the same IEEE
    operations; R's NA only meets NA, NaN only NaN; ``tolerance(name, default)``, as
    :func:`compare_caret` takes it, may give another rule), R's warnings, and the printed text.
    The one comparison of caret's other measures (``parity stats``, the audit's measures group).

    Examples
    --------
    >>> a = MeasureValues("postResample", ["RMSE"], np.array([0.5]), text="RMSE\\n 0.5")
    >>> [(row.name, row.ok) for row in compare_measures(a, a)]
    [('names', True), ('RMSE', True), ('warnings', True), ('printed_text', True)]
    """
    pick = tolerance or (lambda _name, default: default)
    out = [StatComparison("names", list(r.names), list(py.names), list(r.names) == list(py.names),
                          "identical names in caret's order")]
    for i, name in enumerate(r.names):
        rv = r.values[i]
        pv = py.values[py.names.index(name)] if name in py.names else None
        tol = pick(name, EXACT)
        ok = pv is not None and na_values_agree(rv, pv, tol)
        out.append(StatComparison(name, _r_repr(rv), None if pv is None else _r_repr(pv), ok,
                                  tol.describe() + NA_RULE,
                                  None if pv is None else differences(rv, pv)))
    out.append(StatComparison("warnings", list(r.warnings), list(py.warnings),
                              list(r.warnings) == list(py.warnings), "R's warnings, same text and order"))
    out.append(_printed_text_row(r.text, py.text))
    return out


def printed_lines(text: str) -> list[str]:
    """Printed lines as compared: trailing spaces and trailing blank lines aside (caret's
    two-class print ends with a line of spaces, which a text file may or may not keep)."""
    lines = [s.rstrip() for s in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def json_safe(x, *, null: bool = False):
    """``x`` as strict JSON values: NumPy scalars and arrays become Python ones, R's NA becomes
    ``"NA"``, NaN ``"NaN"``, infinities ``"Inf"``/``"-Inf"`` (``null=True``: ``None`` for all).
    The one rule for every JSON the engine writes (report.json, verdicts, ``stats --json``)."""
    if isinstance(x, dict):
        return {str(k): json_safe(v, null=null) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [json_safe(v, null=null) for v in x]
    if isinstance(x, np.ndarray):
        return json_safe(x.tolist(), null=null)
    if isinstance(x, np.generic):
        return json_safe(x.item(), null=null)
    if isinstance(x, float) and not math.isfinite(x):
        if null:
            return None
        return _r_repr(x) if math.isnan(x) else ("Inf" if x > 0 else "-Inf")
    return x


def _r_repr(x) -> object:
    """A value for a report: R's NA as "NA", NaN as "NaN", numbers as floats."""
    x = float(x)
    if math.isnan(x):
        return "NA" if bool(na_mask(x)) else "NaN"
    return x
