"""caret's ``confusionMatrix``, ported exactly: every statistic, every NA, and the printed text.

Structure follows caret's ``confusionMatrix.R``: :func:`confusion_matrix` plays
``confusionMatrix.default`` (it validates and tabulates labels, applying caret's level rules)
and :func:`confusion_matrix_from_table` plays ``confusionMatrix.table`` (it computes).

Orientation (caret's, the only one used here): rows = Prediction (``data``), columns =
Reference.

NA and NaN. R distinguishes ``NA`` (caret's ``ifelse(denom > 0, ..., NA)``, a failed
``binom.test``) from ``NaN`` (``0/0``), and prints them differently. Both are NaN floats here;
R's NA is the NaN carrying R's payload (1954), which IEEE arithmetic propagates exactly as it
does in R, so :func:`is_na` tells them apart and the printed text says "NA" or "NaN" where R
does.

Numerical rules, chosen to agree with R to the last bits:

- counts are taken as doubles, as R does once it divides them (exact below 2**53);
- sums of doubles accumulate in extended precision, as R's ``sum()`` does (long double);
- Kappa is ``e1071::classAgreement``'s ``(p0 - pc) / (1 - pc)``;
- the CI is ``binom.test``'s Clopper-Pearson interval (beta quantiles), the P-value is
  ``binom.test(..., alternative = "greater")`` against the largest reference share (the NIR),
  computed by R's own ``pbeta`` algorithm (:mod:`python_impl.caret.toms708`), so it is R's double;
- McNemar is ``stats::mcnemar.test``: continuity-corrected for 2x2 unless b = c, Bowker's
  symmetry test for k > 2, NaN when some pair has n_ij + n_ji = 0.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from parity import rnum
from python_impl.caret import rformat, toms708

__all__ = [
    "MODES",
    "OVERALL_NAMES",
    "BY_CLASS_NAMES",
    "NA",
    "R_INT_MAX",
    "is_na",
    "na_mask",
    "kappa",
    "ConfusionMatrix",
    "confusion_matrix",
    "confusion_matrix_from_table",
    "binom_ci",
]

MODES = ("sens_spec", "prec_recall", "everything")

#: caret's names for ``$overall``, in caret's order.
OVERALL_NAMES = (
    "Accuracy", "Kappa", "AccuracyLower", "AccuracyUpper",
    "AccuracyNull", "AccuracyPValue", "McnemarPValue",
)
#: caret's names for ``$byClass``, in caret's order.
BY_CLASS_NAMES = (
    "Sensitivity", "Specificity", "Pos Pred Value", "Neg Pred Value", "Precision",
    "Recall", "F1", "Prevalence", "Detection Rate", "Detection Prevalence",
    "Balanced Accuracy",
)
#: by-class statistics each mode leaves out of the printed report (caret's ``grepl`` filters).
_HIDDEN_IN_MODE = {
    "sens_spec": {"Precision", "Recall", "F1"},
    "prec_recall": {"Sensitivity", "Specificity", "Pos Pred Value", "Neg Pred Value"},
    "everything": set(),
}
#: printed labels of the overall block; "" is a blank line. (value key, label)
_OVERALL_PRINT = (
    ("Accuracy", "Accuracy"),
    ("CI", "95% CI"),
    ("AccuracyNull", "No Information Rate"),
    ("AccuracyPValue", "P-Value [Acc > NIR]"),
    ("", ""),
    ("Kappa", "Kappa"),
    ("", ""),
    ("McnemarPValue", "Mcnemar's Test P-Value"),
)
_PRINT_DIGITS = 4  # caret: max(3, getOption("digits") - 3)

#: R's ``NA_real_``: a NaN whose low word is 1954.
NA = rnum.NA
R_INT_MAX = rnum.R_INT_MAX  # R's integer maximum (parity.rnum), re-exported for the port's callers
na_mask = rnum.na_mask  # the one NA test (parity.rnum), re-exported for the port's callers


def is_na(x: float | np.floating) -> bool:
    """True for R's ``NA`` (as opposed to ``NaN`` or a number).

    Examples
    --------
    >>> is_na(NA), is_na(float("nan")), is_na(0.5)
    (True, False, False)
    """
    return bool(na_mask(float(x)))


class _RDouble:
    """A double under R's NA/NaN propagation: an operation with a NaN operand returns the first
    NaN operand (R's C arithmetic on x86-64 keeps the first operand's payload, so NA * NaN is NA
    and NaN * NA is NaN). Python and NumPy may evaluate operands in either order, so the rule is
    applied explicitly here rather than left to the hardware.
    """

    __slots__ = ("v", "na")

    def __init__(self, v, na: bool = False):
        self.v = float(v)
        self.na = na

    @staticmethod
    def of(x) -> _RDouble:
        return x if isinstance(x, _RDouble) else _RDouble(x, is_na(x))

    def _op(self, other, fn, reflected=False) -> _RDouble:
        a, b = (_RDouble.of(other), self) if reflected else (self, _RDouble.of(other))
        for x in (a, b):
            if math.isnan(x.v):
                return _RDouble(math.nan, x.na)
        with np.errstate(all="ignore"):
            return _RDouble(fn(np.float64(a.v), np.float64(b.v)))

    def __add__(self, o): return self._op(o, np.add)
    def __radd__(self, o): return self._op(o, np.add, True)
    def __sub__(self, o): return self._op(o, np.subtract)
    def __rsub__(self, o): return self._op(o, np.subtract, True)
    def __mul__(self, o): return self._op(o, np.multiply)
    def __rmul__(self, o): return self._op(o, np.multiply, True)
    def __truediv__(self, o): return self._op(o, np.divide)
    def __rtruediv__(self, o): return self._op(o, np.divide, True)

    def value(self) -> np.float64:
        return NA if self.na else np.float64(self.v)


def _ifelse_div(numer, denom) -> _RDouble:
    """caret's ``ifelse(denom > 0, numer / denom, NA)``."""
    return _RDouble(numer) / _RDouble(denom) if denom > 0 else _RDouble(math.nan, na=True)


# --------------------------------------------------------------------------- result


@dataclass(frozen=True)
class ConfusionMatrix:
    """The port of caret's ``confusionMatrix`` object.

    Attributes
    ----------
    table : pandas.DataFrame
        Counts, rows = Prediction, columns = Reference, both indexed by the levels.
    positive : str or None
        The positive level (two classes only).
    overall : dict
        caret's ``$overall``: keys :data:`OVERALL_NAMES`; NaN where R has NA or NaN.
    by_class : pandas.DataFrame or pandas.Series
        caret's ``$byClass``: for k > 2, rows ``"Class: <level>"`` and the 11
        :data:`BY_CLASS_NAMES` columns; for k = 2, a Series of those 11 statistics.
    mode : str
        One of :data:`MODES`; it chooses what ``str()`` prints, as in caret.
    """

    table: pd.DataFrame
    positive: str | None
    overall: dict[str, np.float64]
    by_class: pd.DataFrame | pd.Series
    mode: str
    dnn: tuple[str | None, str | None] = field(default=("Prediction", "Reference"))
    #: how R would store these counts, which decides how ``print`` formats them: "integer"
    #: (a table of factors; any table of integers that fits R's 32-bit integers) or "double".
    count_storage: str = "integer"

    def level_codes(self, labels) -> np.ndarray:
        """0-based codes of ``labels`` into :attr:`levels` (-1: not a level, or missing), each
        label turned into its level string as R's ``factor()`` does (``as.character``); how a
        run directory records the labels given to caret (:class:`parity.contract.RunWriter`).

        Examples
        --------
        >>> cm = confusion_matrix([0, 1, 1], [0, 1, 0])
        >>> cm.level_codes([1, 0, 2]).tolist()
        [1, 0, -1]
        """
        if isinstance(labels, pd.Series) and isinstance(labels.dtype, pd.CategoricalDtype):
            labels = labels.array
        if isinstance(labels, pd.Categorical):
            names = [str(c) for c in labels.categories]
            strings = [names[c] if c >= 0 else None for c in labels.codes]
        else:
            strings = [None if pd.isna(x) else level_string(x) for x in np.asarray(labels).tolist()]
        index = {level: i for i, level in enumerate(self.levels)}
        return np.array([index.get(s, -1) if s is not None else -1 for s in strings], dtype=np.int32)

    @property
    def levels(self) -> list[str]:
        return [str(x) for x in self.table.columns]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; NA and NaN become ``None``."""

        def num(x):
            return None if np.isnan(x) else float(x)

        if isinstance(self.by_class, pd.Series):
            by_class: Any = {k: num(v) for k, v in self.by_class.items()}
        else:
            by_class = {
                row: {k: num(v) for k, v in vals.items()}
                for row, vals in self.by_class.iterrows()
            }
        return {
            "levels": self.levels,
            "positive": self.positive,
            "mode": self.mode,
            "dnn": list(self.dnn),
            "table": self.table.to_numpy().astype(np.int64).tolist(),
            "overall": {k: num(v) for k, v in self.overall.items()},
            "by_class": by_class,
        }

    def __str__(self) -> str:
        return "\n".join(_print_lines(self))


# --------------------------------------------------------------------------- validation


def _check_options(mode, positive, prevalence) -> None:
    """Validate the keyword options before anything is computed (caret checks mode first)."""
    if not isinstance(mode, str) or mode not in MODES:
        raise ValueError(f"mode={mode!r}: expected one of {', '.join(map(repr, MODES))}")
    if positive is not None and not isinstance(positive, str | int | np.integer | bool):
        raise TypeError(f"positive={positive!r}: expected a class label (str or int), or None")
    if prevalence is None:
        return
    items: Any
    if isinstance(prevalence, Mapping):
        items = prevalence.items()
    elif isinstance(prevalence, int | float | np.floating | np.integer) and not isinstance(prevalence, bool):
        items = [("prevalence", prevalence)]
    else:
        raise TypeError(
            f"prevalence={prevalence!r}: expected a float (two classes) or a mapping "
            "label -> probability (more than two classes)"
        )
    for key, p in items:
        if not isinstance(p, int | float | np.floating | np.integer) or isinstance(p, bool) \
                or not 0.0 <= float(p) <= 1.0:
            raise ValueError(f"prevalence[{key!r}]={p!r}: expected a probability in [0, 1]")


def _resolve_positive(positive, levels: list[str]) -> str | None:
    if len(levels) != 2:
        return None
    if positive is None:
        return levels[0]  # caret: the first level
    label = str(positive)
    if label not in levels:
        raise ValueError(f"positive={positive!r}: not a level; expected one of {levels}")
    return label


def _resolve_prevalence(prevalence, levels: list[str]):
    """None, a float (k = 2), or a list of floats in level order (k > 2)."""
    if prevalence is None:
        return None
    k = len(levels)
    if k == 2:
        if isinstance(prevalence, Mapping):
            raise ValueError(
                f"prevalence={dict(prevalence)!r}: with two classes give one probability "
                "(the positive class's prevalence), as caret does"
            )
        return np.float64(prevalence)
    if not isinstance(prevalence, Mapping):
        raise ValueError(
            f"prevalence={prevalence!r}: with {k} classes give a mapping label -> "
            f"probability for every level {levels}"
        )
    given = {str(key): np.float64(v) for key, v in prevalence.items()}
    missing = [lv for lv in levels if lv not in given]
    extra = [key for key in given if key not in levels]
    if missing or extra:
        raise ValueError(
            f"prevalence keys {sorted(given)}: expected exactly the levels {levels}"
            + (f"; missing {missing}" if missing else "")
            + (f"; unknown {extra}" if extra else "")
        )
    return [given[lv] for lv in levels]


def _as_label_array(x, name: str) -> np.ndarray | pd.Categorical:
    if isinstance(x, pd.Series) and isinstance(x.dtype, pd.CategoricalDtype):
        x = x.array
    if isinstance(x, pd.Categorical):
        bad = np.flatnonzero(x.codes < 0)
        if bad.size:
            raise ValueError(f"{name}: missing label (NaN) at position {int(bad[0])}")
        return x
    if isinstance(x, str) or np.ndim(x) != 1:
        raise TypeError(f"{name}: expected a 1-D array-like of labels, got {type(x).__name__} "
                        f"with {np.ndim(x)} dimensions")
    arr = np.asarray(x)
    if arr.dtype.kind == "f":
        bad = np.flatnonzero(np.isnan(arr))
    elif arr.dtype.kind == "O":
        bad = np.flatnonzero(pd.isna(arr))
    else:
        bad = np.array([], dtype=int)
    if bad.size:
        raise ValueError(f"{name}: missing label (NaN/None) at position {int(bad[0])}")
    if arr.dtype.kind not in "iubfUSO":
        raise TypeError(f"{name}: labels of dtype {arr.dtype} are not supported; "
                        "expected integers, floats, strings or a pandas Categorical")
    return arr


def level_string(v) -> str:
    """The level a label becomes in R's ``factor()``: ``as.character`` of it."""
    if isinstance(v, float | np.floating):
        return rformat.as_character(float(v))  # R: as.character(factor(c(1.5, 2)))
    return str(v)


def _factor(x) -> tuple[np.ndarray, list[str]]:
    """R's ``factor(x)``: integer codes and levels (categories, else sorted unique values)."""
    if isinstance(x, pd.Categorical):
        return np.asarray(x.codes, dtype=np.intp), [str(c) for c in x.categories]
    if x.dtype.kind in "OUS":
        # hash-based factorize, then sort only the k distinct labels (code point order, as
        # np.unique would): much faster than sorting n strings
        codes, uniq = pd.factorize(x.astype(str) if x.dtype.kind == "O" else x, sort=False)
        order = np.argsort(np.asarray(uniq, dtype=object))
        rank = np.empty(len(order), dtype=np.intp)
        rank[order] = np.arange(len(order))
        return rank[codes], [str(uniq[i]) for i in order]
    uniq, codes = np.unique(x, return_inverse=True)
    return codes.astype(np.intp), [level_string(v) for v in uniq]


def _crosstab(data, reference) -> tuple[np.ndarray, list[str], list[str]]:
    """Counts (rows = data levels, columns = reference levels) and both level lists."""
    if len(data) != len(reference):
        raise ValueError(
            f"data has {len(data)} labels and reference has {len(reference)}: "
            "expected the same length"
        )
    if (isinstance(data, np.ndarray) and isinstance(reference, np.ndarray)
            and data.dtype.kind in "iu" and reference.dtype.kind in "iu" and data.size):
        # Integer labels: one bincount over the value span gives the table and, from its
        # non-empty rows and columns, both factors' levels, in one pass over the pairs.
        lo = int(min(data.min(), reference.min()))
        span = int(max(data.max(), reference.max())) - lo + 1
        if span * span <= 4 * data.size + 4096:
            d = data.astype(np.intp, copy=False)
            r = reference.astype(np.intp, copy=False)
            combined = d * span
            combined += r
            if lo:
                combined -= lo * span + lo
            full = np.bincount(combined, minlength=span * span).reshape(span, span)
            rows = np.flatnonzero(full.sum(axis=1))
            cols = np.flatnonzero(full.sum(axis=0))
            return (full[np.ix_(rows, cols)], [str(lo + i) for i in rows],
                    [str(lo + j) for j in cols])
    dc, dl = _factor(data)
    rc, rl = _factor(reference)
    counts = np.bincount(dc * len(rl) + rc, minlength=len(dl) * len(rl))
    return counts.reshape(len(dl), len(rl)), dl, rl


def _apply_level_rules(counts: np.ndarray, dl: list[str], rl: list[str]) -> np.ndarray:
    """caret's level rules of ``confusionMatrix.default``; returns the table over ``rl``."""
    if len(dl) > len(rl):
        raise ValueError(
            f"data has {len(dl)} levels {dl}, more than the {len(rl)} levels of reference "
            f"{rl}: the data cannot have more levels than the reference"
        )
    if not set(dl) & set(rl):
        raise ValueError(f"data levels {dl} and reference levels {rl} do not overlap")
    ref_set = set(rl)
    foreign = [i for i, lv in enumerate(dl) if lv not in ref_set]
    if foreign:
        used = {dl[i]: int(counts[i].sum()) for i in foreign if counts[i].sum() > 0}
        if used:
            raise ValueError(
                f"data contain levels not found in reference {rl}: "
                + ", ".join(f"{lv!r} ({n} labels)" for lv, n in used.items())
            )
        warnings.warn(
            f"data levels {[dl[i] for i in foreign]} are not in reference but are empty; "
            "dropped (caret does the same)", UserWarning, stacklevel=3,
        )
        keep = [i for i in range(len(dl)) if i not in foreign]
        counts, dl = counts[keep], [dl[i] for i in keep]
    # caret re-factors the data (to sorted levels after a drop) and warns when its levels then
    # differ from the reference's; the table is always over the reference's levels.
    shown = sorted(dl) if foreign else dl
    if shown != rl:
        warnings.warn(
            f"data levels {shown} differ from reference levels {rl} (order or set); "
            "data re-factored to the reference's levels, as caret does",
            UserWarning, stacklevel=3,
        )
    table = np.zeros((len(rl), len(rl)), dtype=np.int64)
    position = {lv: j for j, lv in enumerate(rl)}
    table[[position[lv] for lv in dl]] = counts
    return table


# --------------------------------------------------------------------------- public API


def confusion_matrix(data, reference, *, positive=None, prevalence=None, mode="sens_spec",
                     dnn=("Prediction", "Reference")) -> ConfusionMatrix:
    """caret's ``confusionMatrix(data, reference, ...)`` on two vectors of labels.

    Parameters
    ----------
    data : array-like or pandas.Categorical
        Predicted labels (caret's ``data`` factor).
    reference : array-like or pandas.Categorical
        True labels. Levels are a Categorical's categories, else the sorted unique labels
        (numerically for numbers, by code point for strings).
    positive : label, optional
        The positive class when there are two levels (default: the first level).
    prevalence : float or mapping, optional
        A probability (two classes) or a mapping level -> probability (more classes), used for
        the predictive values instead of the observed prevalence.
    mode : {"sens_spec", "prec_recall", "everything"}
        Which by-class statistics ``str()`` prints; all are computed.
    dnn : tuple of str
        Names of the table's dimensions.

    Returns
    -------
    ConfusionMatrix

    Raises
    ------
    ValueError
        Bad option, NaN labels, lengths that differ, caret's level errors (more levels in
        data than in reference, no overlap, data labels outside the reference's levels),
        fewer than two levels.
    TypeError
        Labels that are not a 1-D array-like; options of the wrong type.

    Warns
    -----
    UserWarning
        Where caret warns: empty foreign data levels dropped; data re-factored to the
        reference's levels.

    Examples
    --------
    >>> cm = confusion_matrix([0, 1, 1, 1], [0, 1, 0, 1])
    >>> round(cm.overall["Accuracy"], 4), cm.positive
    (0.75, '0')
    """
    _check_options(mode, positive, prevalence)
    d = _as_label_array(data, "data")
    r = _as_label_array(reference, "reference")
    counts, dl, rl = _crosstab(d, r)
    table = _apply_level_rules(counts, dl, rl)
    return _confusion_from_counts(table, rl, positive=positive, prevalence=prevalence,
                                  mode=mode, dnn=tuple(dnn))


def confusion_matrix_from_table(table, *, labels=None, positive=None, prevalence=None,
                                mode="sens_spec") -> ConfusionMatrix:
    """caret's ``confusionMatrix(as.table(m), ...)`` on a square table of counts.

    Parameters
    ----------
    table : pandas.DataFrame or 2-D array-like
        Counts with rows = Prediction and columns = Reference. A DataFrame's index must equal
        its columns (they are the levels; its axis names, when set, are the dimension names);
        an array takes ``labels`` (default ``"0" .. "k-1"``).
    labels : sequence of str, optional
        Level names for an array.
    positive, prevalence, mode
        As in :func:`confusion_matrix`.

    Examples
    --------
    >>> cm = confusion_matrix_from_table([[5, 1], [2, 7]], labels=["yes", "no"])
    >>> cm.positive, round(cm.by_class["Sensitivity"], 4)
    ('yes', 0.7143)
    """
    _check_options(mode, positive, prevalence)
    dnn: tuple[str | None, str | None] = ("Prediction", "Reference")
    if isinstance(table, pd.DataFrame):
        if labels is not None:
            raise ValueError("labels=...: not allowed with a DataFrame (its index holds the levels)")
        rows = [str(x) for x in table.index]
        cols = [str(x) for x in table.columns]
        if rows != cols:
            raise ValueError(
                f"table index {rows} and columns {cols}: expected the same levels in the same "
                "order (rows = Prediction, columns = Reference)"
            )
        if table.index.name is not None or table.columns.name is not None:
            dnn = (table.index.name, table.columns.name)
        values = table.to_numpy()
        levels = rows
    else:
        values = np.asarray(table)
        levels = None
    if values.ndim != 2 or values.shape[0] != values.shape[1]:
        raise ValueError(f"table of shape {values.shape}: expected a square 2-D table of counts")
    k = values.shape[0]
    if levels is None:
        levels = [str(x) for x in labels] if labels is not None else [str(i) for i in range(k)]
        if len(levels) != k or len(set(levels)) != k:
            raise ValueError(f"labels={list(levels)!r}: expected {k} distinct labels")
    if values.dtype.kind not in "iuf" or values.dtype == bool:
        raise TypeError(f"table of dtype {values.dtype}: expected integer counts")
    bad = ~np.isfinite(values) | (values < 0) | (values != np.floor(values)) if values.dtype.kind == "f" \
        else values < 0
    if bad.any():
        i, j = (int(v) for v in np.argwhere(bad)[0])
        raise ValueError(
            f"table[{i}, {j}] = {values[i, j].item()!r}: expected non-negative integer counts"
        )
    counts = values.astype(np.int64)
    storage = "integer" if values.dtype.kind in "iu" and _fits_r_integer(counts) else "double"
    return _confusion_from_counts(counts, levels, positive=positive, prevalence=prevalence,
                                  mode=mode, dnn=dnn, count_storage=storage)


def _fits_r_integer(counts: np.ndarray) -> bool:
    """Whether R could hold these counts (and their total) as integers."""
    return int(counts.sum()) <= R_INT_MAX


# --------------------------------------------------------------------------- statistics


def _confusion_from_counts(counts: np.ndarray, levels: list[str], *, positive, prevalence,
                           mode: str, dnn, count_storage: str = "integer") -> ConfusionMatrix:
    """caret's ``confusionMatrix.table``: every statistic from the count table."""
    k = len(levels)
    if k < 2:
        raise ValueError(f"levels {levels}: there must be at least 2 levels")
    positive = _resolve_positive(positive, levels)
    prev = _resolve_prevalence(prevalence, levels)

    tab = counts.astype(np.float64)
    # Totals of integer counts are exact in doubles below 2**53, in any order, as in R.
    n = np.float64(counts.sum())
    ni = counts.sum(axis=1).astype(np.float64)  # prediction (row) totals
    nj = counts.sum(axis=0).astype(np.float64)  # reference (column) totals
    correct = np.float64(np.trace(counts))
    with np.errstate(all="ignore"):
        overall = {
            "Accuracy": correct / n,
            "Kappa": kappa(correct, n, ni, nj),
        }
        lower, upper = binom_ci(correct, n)
        nir, p_value = _binom_greater(correct, n, nj)
        overall.update(AccuracyLower=lower, AccuracyUpper=upper, AccuracyNull=nir,
                       AccuracyPValue=p_value, McnemarPValue=_mcnemar(tab))

        if k == 2:
            p = levels.index(positive)
            prev_p = _RDouble(nj[p]) / n if prev is None else prev
            by_class: pd.DataFrame | pd.Series = pd.Series(
                _class_stats(tab, n, ni, nj, p, prev_p), index=list(BY_CLASS_NAMES),
                dtype=np.float64,
            )
        else:
            rows = [
                _class_stats(tab, n, ni, nj, i, _RDouble(nj[i]) / n if prev is None else prev[i])
                for i in range(k)
            ]
            by_class = pd.DataFrame(rows, index=[f"Class: {lv}" for lv in levels],
                                    columns=list(BY_CLASS_NAMES), dtype=np.float64)
    frame = pd.DataFrame(counts, index=pd.Index(levels, name=dnn[0]),
                         columns=pd.Index(levels, name=dnn[1]))
    return ConfusionMatrix(
        table=frame, positive=positive,
        overall={key: np.float64(overall[key]) for key in OVERALL_NAMES},
        by_class=by_class, mode=mode, dnn=dnn, count_storage=count_storage,
    )


def kappa(correct, n, ni, nj):
    """Cohen's Kappa as caret reports it, ``e1071::classAgreement(tab)$kappa``: the one Kappa
    of the project (caret's port, the graded verdicts and their bootstrap call it).

    ``correct`` is the table's diagonal total, ``n`` its total, ``ni``/``nj`` its row and
    column totals; with ``ni``/``nj`` of shape (m, k) and ``correct``/``n`` of length m it
    returns m Kappas, each with R's arithmetic (sequential sums in long double).

    Examples
    --------
    >>> float(kappa(3.0, 4.0, np.array([2.0, 2.0]), np.array([3.0, 1.0])))
    0.5
    """
    p0 = correct / n
    n_ = np.asarray(n, dtype=np.float64)[..., None]
    terms = np.asarray((ni / n_) * (nj / n_), dtype=np.float64)
    pc = rnum._ldsum(np.moveaxis(terms, -1, 0)).astype(np.float64)  # R's sum(), row by row
    return (p0 - pc) / (1 - pc)



def binom_ci(x, n):
    """``binom.test(x, n)$conf.int`` (Clopper-Pearson, 95%); NA when binom.test fails."""
    if not n >= 1:
        return NA, NA
    alpha = 0.025
    lower = np.float64(0.0) if x == 0 else np.float64(special.betaincinv(x, n - x + 1, alpha))
    upper = np.float64(1.0) if x == n else np.float64(special.betaincinv(x + 1, n - x, 1 - alpha))
    return lower, upper


def _binom_greater(x, n, nj):
    """caret's ``propTest``: (NIR, ``binom.test(x, n, p = NIR, "greater")$p.value``)."""
    if not n >= 1:
        return NA, NA
    nir = np.float64(np.max(nj / n))
    # pbinom(x - 1, n, p, lower.tail = FALSE) = pbeta(p, x, n - x + 1), by R's own algorithm
    if x <= 0:
        return nir, np.float64(1.0)
    return nir, np.float64(toms708.pbeta(nir, x, n - x + 1))


def _mcnemar(tab: np.ndarray):
    """``mcnemar.test(tab)$p.value``."""
    k = tab.shape[0]
    diff = tab - tab.T
    if k == 2 and np.any(diff != 0):
        y = np.abs(diff) - 1  # continuity correction
    else:
        y = diff
    s = tab + tab.T
    # upper.tri in column-major order (R's order of the terms), summed as R does
    i, j = np.triu_indices(k, 1)
    order = np.lexsort((i, j))  # by column, then row
    i, j = i[order], j[order]
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = y[i, j] ** 2 / s[i, j]
    stat = rnum.sum(terms)
    return np.float64(special.chdtrc(k * (k - 1) / 2, stat))


def _class_stats(tab, n, ni, nj, p: int, prev) -> list[np.float64]:
    """One class's 11 statistics, one-vs-rest, in caret's operation order."""
    tp = tab[p, p]
    prev = _RDouble.of(prev)
    sens = _ifelse_div(tp, nj[p])  # sensitivity.table
    tn = n - ni[p] - nj[p] + tp  # sum(tmp[negCol, negCol]): exact in doubles
    spec = _ifelse_div(tn, n - nj[p])  # specificity.table
    ppv = (sens * prev) / ((sens * prev) + ((1 - spec) * (1 - prev)))
    npv = (spec * (1 - prev)) / (((1 - sens) * prev) + ((spec) * (1 - prev)))
    precision = _ifelse_div(tp, ni[p])
    recall = _ifelse_div(tp, nj[p])
    f1 = (1 + 1**2) * precision * recall / ((1**2 * precision) + recall)
    detection_rate = _RDouble(tp) / n
    detection_prev = _RDouble(ni[p]) / n
    balanced = (sens + spec) / 2
    return [x.value() for x in (sens, spec, ppv, npv, precision, recall, f1, prev,
                                detection_rate, detection_prev, balanced)]


# --------------------------------------------------------------------------- printing


def _r_value(x: float | np.floating) -> float | None:
    """For rformat: None for R's NA, the float otherwise (NaN stays NaN)."""
    return None if is_na(x) else float(x)


def _table_lines(cm: ConfusionMatrix) -> list[str]:
    # print.table formats all cells together (one width), then prints them as text.
    counts = cm.table.to_numpy()
    levels = cm.levels
    k = len(levels)
    flat = counts.ravel(order="F").tolist()
    cells = rformat.format_int(flat) if cm.count_storage == "integer" else \
        rformat.format_real([float(c) for c in flat], 7)
    columns = [cells[j * k:(j + 1) * k] for j in range(k)]
    row_title, col_title = cm.dnn
    return rformat.print_matrix(columns, row_labels=levels, col_labels=levels,
                                row_title=row_title if row_title is not None else "",
                                col_title=col_title if col_title is not None else "")


def _overall_text(cm: ConfusionMatrix) -> dict[str, str]:
    # caret: round(overall, digits) turned into text by as.character(), except the two
    # p-values, which format.pval() formats together.
    text = {
        key: ("NA" if is_na(v) else rformat.as_character(rformat.r_round(float(v), _PRINT_DIGITS))
              if np.isfinite(v) else rformat.as_character(float(v)))
        for key, v in cm.overall.items()
    }
    pvals = rformat.format_pval([_r_value(cm.overall["AccuracyPValue"]),
                                 _r_value(cm.overall["McnemarPValue"])], _PRINT_DIGITS)
    text["AccuracyPValue"], text["McnemarPValue"] = pvals
    text["CI"] = f"({text['AccuracyLower']}, {text['AccuracyUpper']})"
    text[""] = ""
    return text


def _label(name: str) -> str:
    return f"{name} :" if name else ""


def _char_matrix_lines(names: list[str], texts: list[str]) -> list[str]:
    """caret's ``print(cbind(format(names, justify = "right"), texts), quote = FALSE)``."""
    width = max(len(s) for s in names)
    return rformat.print_matrix([[s.rjust(width) for s in names], texts],
                                row_labels=[""] * len(names), col_labels=["", ""], right=False)


def _print_lines(cm: ConfusionMatrix) -> list[str]:
    lines = ["Confusion Matrix and Statistics", ""] + _table_lines(cm)
    text = _overall_text(cm)
    names = [_label(label) for _, label in _OVERALL_PRINT]
    values = [text[key] for key, _ in _OVERALL_PRINT]
    hidden = _HIDDEN_IN_MODE[cm.mode]
    if len(cm.levels) > 2:
        lines += ["", "Overall Statistics"] + _char_matrix_lines(names, values)
        lines += ["", "Statistics by Class:", ""]
        stats = [s for s in BY_CLASS_NAMES if s not in hidden]
        # R formats each column over the rows it prints: all of them unless the matrix has
        # more than max.print entries (more than 12,499 classes)
        shown = min(len(stats), rformat.R_MAX_PRINT // len(cm.by_class.index))
        columns = [
            rformat.format_real([_r_value(v) for v in cm.by_class.loc[row, stats[:shown]]],
                                _PRINT_DIGITS) + [""] * (len(stats) - shown)
            for row in cm.by_class.index
        ]
        lines += rformat.print_matrix(columns, row_labels=stats, col_labels=list(cm.by_class.index))
    else:
        stats = [s for s in BY_CLASS_NAMES if s not in hidden]
        formatted = rformat.format_real([_r_value(cm.by_class[s]) for s in stats], _PRINT_DIGITS)
        names += [""] + [_label(s) for s in stats] + ["", "'Positive' Class :"]
        values += [""] + formatted + ["", str(cm.positive)]
        lines += _char_matrix_lines(names + [""], values + [""])
    return [line.rstrip() for line in lines]
