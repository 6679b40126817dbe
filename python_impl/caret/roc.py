"""pROC's ``auc(roc(...))`` and ``ci.auc(..., method = "delong")``, and MLmetrics' ``PRAUC``
(ROCR's precision-recall curve), as caret's summary functions call them, to R's last bit.

pROC's rules, reproduced:

- levels: ``levels(as.factor(response))`` (a Categorical's categories, used or not); the
  first is the **control**, the second the **case**; more than two: R's warning, the first two;
- NA (and NaN) in response or predictor: the pair is dropped;
- ``direction = "auto"``: ``"<"`` (controls below cases) when ``median(controls) <=
  median(cases)``, else ``">"`` - decided by the medians, not by which AUC is larger, so an
  AUC below 0.5 stays;
- the curve has one point per distinct predictor value (ties are one threshold) and the AUC is
  the trapezoid sum over it in pROC's order, summed as R's ``sum`` (long double);
- DeLong: ties count half (the placements of pROC's C++), the variance sums as R's ``sum``,
  the interval is R's ``qnorm`` (AS 241) clipped to [0, 1].

Both are O(n log n) (one sort).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import pandas as pd

from python_impl.caret.confusion import NA
from python_impl.caret.factors import Factor, as_factor, label_strings
from python_impl.caret.rnumeric import RError, r_mean_pairs, r_median, r_qnorm, r_sum, r_warn

__all__ = ["roc_auc", "ci_auc_delong", "DIRECTIONS"]

DIRECTIONS = ("auto", "<", ">")
_MISSING = object()


def _response_factor(response) -> Factor:
    """``as.factor(response)`` as pROC sees it."""
    if isinstance(response, pd.Series) and not isinstance(response.dtype, pd.CategoricalDtype):
        response = response.to_numpy()
    return as_factor(response, "response")


def _predictor(predictor, n: int) -> np.ndarray:
    if isinstance(predictor, pd.Series | pd.Index):
        predictor = predictor.to_numpy()
    arr = np.asarray(predictor)
    if arr.dtype.kind not in "iuf" or arr.ndim != 1:
        raise RError("Predictor must be numeric or ordered.")
    arr = arr.astype(np.float64)
    if arr.size != n:
        raise RError("Response and predictor must be vectors of the same length.")
    return arr


def roc_split(response, predictor, levels=_MISSING) -> tuple[np.ndarray, np.ndarray] | None:
    """pROC's ``roc.default`` up to the curve: (controls, cases), or None where pROC warns
    about infinite values and returns NaN instead of a curve."""
    fac = _response_factor(response)
    if levels is _MISSING or levels is None:
        chosen = fac.levels
        if len(chosen) > 2:
            r_warn(
                "'response' has more than two levels. Consider setting 'levels' explicitly "
                "or using 'multiclass.roc' instead",
                stacklevel=4,
            )
            chosen = chosen[:2]
        elif len(chosen) < 2:
            raise RError("'response' must have two levels")
    else:
        chosen = label_strings(np.asarray(list(levels), dtype=object))
        if len(chosen) != 2:
            raise RError("'levels' argument must have length 2")
    x = _predictor(predictor, len(fac.codes))
    keep = (fac.codes >= 0) & ~np.isnan(x)
    codes, x = fac.codes[keep], x[keep]
    code_of = {lv: i for i, lv in enumerate(fac.levels)}
    c_code, k_code = code_of.get(chosen[0], -2), code_of.get(chosen[1], -2)
    controls = x[codes == c_code]
    if controls.size == 0:
        raise RError("No control observation.")
    cases = x[codes == k_code]
    if cases.size == 0:
        raise RError("No case observation.")
    if np.isinf(controls).any() or np.isinf(cases).any():
        r_warn(
            "Infinite values(s) in predictor, cannot build a valid ROC curve. NaN returned instead.",
            stacklevel=4,
        )
        return None
    return controls, cases


def resolve_direction(controls: np.ndarray, cases: np.ndarray, direction: str) -> str:
    if direction != "auto":
        return direction
    return "<" if r_median(controls) <= r_median(cases) else ">"


class ValueCounts(NamedTuple):
    """Controls and cases per distinct predictor value (ascending), and each one's value rank."""

    rank: np.ndarray  # controls first, then cases
    controls: np.ndarray
    cases: np.ndarray


def value_counts(controls: np.ndarray, cases: np.ndarray) -> ValueCounts:
    """One sort serves the curve and DeLong's placements (equal values: one threshold, as
    pROC's ``duplicated`` and its C++'s ``!=`` decide; -0 equals 0)."""
    n = controls.size
    uniq, rank = np.unique(np.concatenate([controls, cases]), return_inverse=True)
    rank = rank.ravel()
    return ValueCounts(
        rank, np.bincount(rank[:n], minlength=uniq.size), np.bincount(rank[n:], minlength=uniq.size)
    )


def roc_curve(counts: ValueCounts, direction: str) -> tuple[np.ndarray, np.ndarray]:
    """pROC's sensitivities and specificities, specificity ascending (after ``sort.roc``).

    pROC walks the sorted predictor (descending for "<") and keeps the cumulative counts at
    the end of each run of equal values; in ascending specificity that is, per distinct value,
    the cases (controls) at or above it for "<", at or below it (largest value first) for ">",
    then the (0, 1) point.
    """
    m, n = int(counts.cases.sum()), int(counts.controls.sum())
    if direction == "<":
        tp = np.cumsum(counts.cases[::-1])[::-1]
        fp = np.cumsum(counts.controls[::-1])[::-1]
    else:
        tp = np.cumsum(counts.cases)[::-1]
        fp = np.cumsum(counts.controls)[::-1]
    return np.append(tp / m, 0.0), np.append((n - fp) / n, 1.0)


def auc_from_curve(se: np.ndarray, sp: np.ndarray) -> np.float64:
    """``auc.roc``: ``sum(means.vert * diffs.x)``, trapezoids in pROC's order."""
    return r_sum(((se[1:] + se[:-1]) / 2) * (sp[1:] - sp[:-1]))


def auc_of(controls: np.ndarray, cases: np.ndarray, direction: str) -> np.float64:
    """pROC's AUC of the two groups (``direction`` may be "auto")."""
    direction = resolve_direction(controls, cases, direction)
    return auc_from_curve(*roc_curve(value_counts(controls, cases), direction))


def _check_direction(direction) -> None:
    if direction not in DIRECTIONS:
        raise ValueError(f"direction={direction!r}: expected one of {', '.join(map(repr, DIRECTIONS))}")


def roc_auc(response, predictor, *, levels=None, direction="auto") -> np.float64:
    """pROC's ``auc(response, predictor, levels = , direction = )``: the full ROC AUC.

    Parameters
    ----------
    response : array-like or pandas.Categorical
        The classes. Levels as R's ``as.factor``: a Categorical's categories, else the sorted
        distinct values; the first level is the control, the second the case.
    predictor : array-like of numbers
        The score.
    levels : sequence of two labels, optional
        (control, case), instead of the first two levels.
    direction : {"auto", "<", ">"}
        ``"<"``: controls score lower than cases. ``"auto"`` picks by the medians of the two
        groups (pROC's rule), so the AUC can be below 0.5.

    Returns
    -------
    numpy.float64

    Raises
    ------
    RError
        pROC's errors, with its messages ("'response' must have two levels", "No control
        observation.", "No case observation.", "Predictor must be numeric or ordered.", ...);
        an infinite predictor gives pROC's warning, then R's error
        "$ operator is invalid for atomic vectors".

    Notes
    -----
    scikit-learn's ``roc_auc_score`` always takes the larger label as positive and higher
    scores as positive, and never flips; pROC's ``direction="auto"`` and its control/case
    levels can give ``1 - roc_auc_score``. The value is otherwise the same Mann-Whitney area,
    summed in a different order (last bits may differ). pROC's messages ("Setting levels",
    "Setting direction") are not printed.

    Examples
    --------
    >>> float(roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]))
    0.75
    >>> float(roc_auc([0, 0, 1, 1], [0.9, 0.6, 0.65, 0.2]))  # "auto" flips the direction
    0.75
    """
    _check_direction(direction)
    split = roc_split(response, predictor, _MISSING if levels is None else levels)
    if split is None:
        raise RError("$ operator is invalid for atomic vectors")
    return auc_of(*split, direction)


def _delong_placements(counts: ValueCounts, direction: str):
    """pROC's ``delongPlacementsCpp``: each case's share of controls beyond it on the controls'
    side (ties half), each control's share of cases beyond it on the cases' side, and theta.
    (pROC negates both groups for ">"; counting from the other end is the same.)"""
    n, m = int(counts.controls.sum()), int(counts.cases.sum())
    if direction == ">":
        ctrl_beyond = n - np.cumsum(counts.controls)
        case_beyond = m - np.cumsum(counts.cases)
    else:
        ctrl_beyond = np.cumsum(counts.controls) - counts.controls
        case_beyond = np.cumsum(counts.cases) - counts.cases
    rc, rk = counts.rank[:n], counts.rank[n:]
    xy_cases = ctrl_beyond[rk] + counts.controls[rk] / 2.0
    xy_controls = case_beyond[rc] + counts.cases[rc] / 2.0
    # the sum of halves and integers is exact below 2**52, in any order
    theta = float(np.sum(xy_cases)) / m / n
    return xy_cases / n, 1.0 - xy_controls / m, theta


def ci_auc_delong(response, predictor, *, levels=None, direction="auto", conf_level=0.95) -> np.ndarray:
    """pROC's ``ci.auc(response, predictor, method = "delong")``: lower, AUC, upper.

    Parameters
    ----------
    response, predictor, levels, direction
        As in :func:`roc_auc`.
    conf_level : float
        The interval's level.

    Returns
    -------
    numpy.ndarray
        Three doubles (R's unnamed vector): the lower bound, the AUC, the upper bound, each
        clipped to [0, 1]; three NA when there is one control or one case.

    Raises
    ------
    RError
        As :func:`roc_auc`, and "conf.level must be within the interval [0,1]."

    Warns
    -----
    RWarning
        pROC's "ci.auc() of a ROC curve with AUC == 1 is always 1-1 and can be misleading."

    Notes
    -----
    scikit-learn has no AUC interval. DeLong's variance here is pROC's: structural components
    with ties counted half, ``qnorm`` around the AUC.

    Examples
    --------
    >>> ci = ci_auc_delong([0, 0, 0, 1, 1, 1], [0.1, 0.4, 0.5, 0.35, 0.8, 0.9])
    >>> [round(float(v), 4) for v in ci]
    [0.2908, 0.7778, 1.0]
    """
    _check_direction(direction)
    if isinstance(conf_level, bool) or not isinstance(conf_level, int | float | np.integer | np.floating):
        raise TypeError(f"conf_level={conf_level!r}: expected a number in [0, 1]")
    split = roc_split(response, predictor, _MISSING if levels is None else levels)
    if split is None:
        raise RError("No valid data provided.")
    controls, cases = split
    direction = resolve_direction(controls, cases, direction)
    if conf_level > 1 or conf_level < 0:
        raise RError("conf.level must be within the interval [0,1].")
    counts = value_counts(controls, cases)
    se, sp = roc_curve(counts, direction)
    if abs(float(np.max(se + sp)) - 2) < math.sqrt(np.finfo(float).eps):
        r_warn("ci.auc() of a ROC curve with AUC == 1 is always 1-1 and can be misleading.")
    n, m = controls.size, cases.size
    if m <= 1 or n <= 1:
        return np.array([NA, NA, NA])
    x, y, theta = _delong_placements(counts, direction)
    sx = r_sum((x - theta) * (x - theta)) / (m - 1)
    sy = r_sum((y - theta) * (y - theta)) / (n - 1)
    sd = math.sqrt(sx / m + sy / n)
    alpha = (1 - float(conf_level)) / 2
    ci = np.array([r_qnorm(0 + alpha, theta, sd), r_qnorm(0.5, theta, sd), r_qnorm(1 - alpha, theta, sd)])
    return np.clip(ci, 0.0, 1.0)


def pr_auc(y_pred, y_true) -> np.float64:
    """MLmetrics' ``PRAUC(y_pred, y_true)`` (caret's prAUC); NA where caret's ``try`` fails.

    ROCR's curve has one point per distinct score (descending) after the (recall 0, precision
    NaN) point at cutoff Inf; MLmetrics drops that NaN point (``na.omit``), so the area from
    recall 0 to the first recall is never counted; trapezoids with R's ``mean`` of the two
    heights, summed as R's ``sum``.
    """
    pred = np.asarray(y_pred, dtype=np.float64)
    truth = np.asarray(y_true, dtype=np.float64)
    if np.isnan(pred).any():
        return NA  # ROCR: "'predictions' contains NA."
    finite = np.isfinite(pred)
    pred, truth = pred[finite], truth[finite]
    if np.isnan(truth).any():
        return NA  # n.pos is NA, every recall NA: approxfun finds "zero non-NA points"
    if np.unique(truth).size != 2:
        return NA  # ROCR: "Number of classes is not equal to 2."
    positive = truth == np.max(truth)
    # ROCR walks the scores in decreasing order and keeps the counts at the end of each run of
    # equal scores: per distinct score, from the largest down
    counts = value_counts(pred[~positive], pred[positive])
    tp_g = np.cumsum(counts.cases[::-1]).astype(np.float64)
    fp_g = np.cumsum(counts.controls[::-1]).astype(np.float64)
    recall = tp_g / float(positive.sum())
    prec = tp_g / (fp_g + tp_g)
    return r_sum(r_mean_pairs(prec[:-1], prec[1:]) * (recall[1:] - recall[:-1]))
