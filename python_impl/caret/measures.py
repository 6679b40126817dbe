"""caret's single statistics: ``sensitivity``, ``specificity``, ``posPredValue``,
``negPredValue``, ``precision``, ``recall``, ``F_meas``, both methods of each.

- The factor method (``data`` and ``reference`` label vectors): caret checks that both are
  factors whose levels together are exactly two, drops incomplete pairs (not for the
  predictive values, whose observed prevalence is then NA), and counts.
- The table method (``data`` a square count table, rows = prediction, columns = reference,
  as a DataFrame whose index equals its columns): for more than two levels caret collapses the
  table to "positive vs the rest" first.

The value is ``ifelse(denominator > 0, numerator / denominator, NA)``: R's NA (see
:func:`python_impl.caret.is_na`) when no reference (or prediction) has the level, NaN where
the predictive values divide 0 by 0.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from python_impl.caret.confusion import NA, _ifelse_div, _RDouble
from python_impl.caret.factors import Factor, as_factor
from python_impl.caret.rnumeric import R_NULL, RError, r_warn

__all__ = ["sensitivity", "specificity", "pos_pred_value", "neg_pred_value", "precision", "recall", "f_meas"]

# None (an argument left out) takes caret's default; R_NULL is R's NULL passed on purpose (as
# caret's summaries do with ``lev[1]`` of a NULL ``lev``), which matches no level.


# --------------------------------------------------------------------------- inputs


def _labels_set(value) -> set[str]:
    """R's ``x %in% value``'s right side: NULL matches nothing, a vector matches any of it."""
    if value is R_NULL or value is None:
        return set()
    if isinstance(value, list | tuple | np.ndarray | pd.Index):
        return {str(v) for v in value}
    return {str(value)}


def _two_factors(data, reference, message: str) -> tuple[Factor, Factor]:
    d, r = as_factor(data, "data"), as_factor(reference, "reference")
    if len(d.codes) != len(r.codes):
        raise ValueError(
            f"data has {len(d.codes)} labels and reference has {len(r.codes)}: expected the same length"
        )
    if len(set(r.levels) | set(d.levels)) != 2:
        raise RError(message)
    return d, r


def _complete(d: Factor, r: Factor) -> tuple[np.ndarray, np.ndarray]:
    """Labels as strings of the complete pairs (caret's ``na.rm = TRUE``)."""
    keep = (d.codes >= 0) & (r.codes >= 0)
    return d.strings()[keep], r.strings()[keep]


def _in(labels: np.ndarray, wanted: set[str]) -> np.ndarray:
    return np.isin(labels.astype(object), list(wanted)) if wanted else np.zeros(labels.size, bool)


def _is_table(data) -> bool:
    return isinstance(data, pd.DataFrame)


def _table(data: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """A count table's counts and names, with caret's checks (R's ``!all.equal(...)``: a
    mismatch makes ``all.equal`` return text, and ``!`` on text is R's error below)."""
    rows, cols = [str(x) for x in data.index], [str(x) for x in data.columns]
    if len(rows) != len(cols) or rows != cols:
        raise RError("invalid argument type")
    counts = data.to_numpy()
    if counts.dtype.kind not in "iuf":
        raise TypeError(f"table of dtype {counts.dtype}: expected counts")
    return counts.astype(np.float64), rows


def _collapse(counts: np.ndarray, names: list[str], chosen: set[str], first_is_chosen: bool):
    """caret's k > 2 reduction to a 2 x 2 table: the chosen levels against the rest."""
    inside = np.array([n in chosen for n in names])
    a, b = (inside, ~inside) if first_is_chosen else (~inside, inside)
    return np.array(
        [
            [counts[np.ix_(a, a)].sum(), counts[np.ix_(a, b)].sum()],
            [counts[np.ix_(b, a)].sum(), counts[np.ix_(b, b)].sum()],
        ]
    )


def _cell_index(names: list[str], label) -> int:
    if label is R_NULL or label is None:
        return -1
    if str(label) not in names:
        raise RError("subscript out of bounds")
    return names.index(str(label))


# --------------------------------------------------------------------------- sensitivity, specificity


# caret's table methods default to ``rownames(data)[1]`` (or ``[-1]``), a promise R evaluates
# only after a k > 2 table has been replaced by its 2 x 2 collapse: the default then names the
# collapsed table's own row ("pos", "neg", "rel"), matches no level, and the statistic is NA.
def _default_name(names: list[str], collapsed: str, first: bool):
    if len(names) > 2:
        return collapsed
    return names[0] if first else names[1:]


def _sens_table(counts, names, positive) -> np.float64:
    if positive is None:
        positive = _default_name(names, "pos", True)
    if len(names) > 2:
        counts, names, positive = _collapse(counts, names, _labels_set(positive), True), ["pos", "neg"], "pos"
    if positive is R_NULL or positive is None:
        return NA
    p = _cell_index(names, positive)
    return _ifelse_div(counts[p, p], counts[:, p].sum()).value()


def _spec_table(counts, names, negative) -> np.float64:
    if negative is None:
        negative = _default_name(names, "neg", False)
    if len(names) > 2:
        counts, names, negative = (
            _collapse(counts, names, _labels_set(negative), False),
            ["pos", "neg"],
            "neg",
        )
    wanted = _labels_set(negative)
    idx = [i for i, n in enumerate(names) if n in wanted]
    if not isinstance(negative, str) and len(idx) != len(wanted):
        raise RError("subscript out of bounds")
    if isinstance(negative, str):
        idx = [_cell_index(names, negative)]
    numer = counts[np.ix_(idx, idx)].sum()
    return _ifelse_div(numer, counts[:, idx].sum()).value()


def _sens_factor(d: Factor, r: Factor, positive) -> np.float64:
    dl, rl = _complete(d, r)
    wanted = _labels_set(positive)
    in_ref = _in(rl, wanted)
    return _ifelse_div(float(np.sum(_in(dl, wanted) & in_ref)), float(np.sum(in_ref))).value()


def sensitivity(data, reference=None, positive=None) -> np.float64:
    """caret's ``sensitivity``: the share of the reference's positives predicted positive.

    Parameters
    ----------
    data : array-like, pandas.Categorical or pandas.DataFrame
        Predicted labels (a factor in caret), or a square count table (rows = prediction,
        columns = reference; index equal to columns) for caret's table method.
    reference : array-like or pandas.Categorical, optional
        True labels (the factor method only).
    positive : label or list of labels, optional
        The positive level(s); default: the reference's first level (the table's first row).

    Returns
    -------
    numpy.float64
        R's NA when the reference holds no positive.

    Raises
    ------
    RError
        caret's "input data must have the same two levels" when the two factors' levels
        together are not exactly two; "subscript out of bounds" for an unknown ``positive``
        of a table.

    Notes
    -----
    scikit-learn's ``recall_score(pos_label=...)`` gives the same number but returns 0 with a
    warning where caret returns NA, and needs the positive label; incomplete pairs (NA) are
    dropped here as caret drops them.

    Examples
    --------
    >>> import pandas as pd
    >>> lv = ["yes", "no"]
    >>> pred = pd.Categorical(["yes", "no", "yes", "yes"], categories=lv)
    >>> obs = pd.Categorical(["yes", "no", "no", "yes"], categories=lv)
    >>> float(sensitivity(pred, obs))
    1.0
    """
    if _is_table(data):
        counts, names = _table(data)
        return _sens_table(counts, names, positive)
    d, r = _two_factors(data, reference, "input data must have the same two levels")
    return _sens_factor(d, r, r.levels[0] if positive is None else positive)


def _spec_factor(d: Factor, r: Factor, negative) -> np.float64:
    return _sens_factor(d, r, negative)  # the same count, with the negatives as "positive"


def specificity(data, reference=None, negative=None) -> np.float64:
    """caret's ``specificity``: the share of the reference's negatives predicted negative.

    Parameters
    ----------
    data, reference
        As in :func:`sensitivity`.
    negative : label or list of labels, optional
        The negative level(s); default: every reference level but the first.

    Returns
    -------
    numpy.float64
        R's NA when the reference holds no negative.

    Notes
    -----
    scikit-learn has no specificity; ``recall_score(pos_label=negative)`` is the same number
    with 0 (and a warning) where caret has NA.

    Examples
    --------
    >>> import pandas as pd
    >>> lv = ["yes", "no"]
    >>> pred = pd.Categorical(["yes", "no", "yes", "yes"], categories=lv)
    >>> obs = pd.Categorical(["yes", "no", "no", "yes"], categories=lv)
    >>> float(specificity(pred, obs))
    0.5
    """
    if _is_table(data):
        counts, names = _table(data)
        return _spec_table(counts, names, negative)
    d, r = _two_factors(data, reference, "input data must have the same two levels")
    return _spec_factor(d, r, r.levels[1:] if negative is None else negative)


# --------------------------------------------------------------------------- predictive values


def _check_prevalence(prevalence) -> None:
    if prevalence is not None and (
        isinstance(prevalence, bool) or not isinstance(prevalence, int | float | np.integer | np.floating)
    ):
        raise TypeError(f"prevalence={prevalence!r}: expected a number (a probability) or None")


def _observed_prevalence(r: Factor, label_or_labels) -> np.float64:
    """``mean(reference == x)`` (integer mean: long double count / n), x recycled as R does."""
    wanted = (
        [str(v) for v in label_or_labels]
        if isinstance(label_or_labels, list | tuple)
        else [str(label_or_labels)]
    )
    n = len(r.codes)
    if not wanted or n == 0:
        return np.float64(math.nan)
    if max(n, len(wanted)) % min(n, len(wanted)):
        r_warn("longer object length is not a multiple of shorter object length", stacklevel=4)
    if np.any(r.codes < 0):
        return NA
    ref = r.strings()
    size = max(n, len(wanted))
    hits = (
        sum(ref[i % n] == wanted[i % len(wanted)] for i in range(size))
        if len(wanted) > 1
        else int(np.sum(ref == wanted[0]))
    )
    return np.float64(np.longdouble(hits) / np.longdouble(size))


def _ppv(sens, spec, prev) -> np.float64:
    sens, spec, prev = _RDouble.of(sens), _RDouble.of(spec), _RDouble.of(prev)
    return ((sens * prev) / ((sens * prev) + ((1 - spec) * (1 - prev)))).value()


def _npv(sens, spec, prev) -> np.float64:
    sens, spec, prev = _RDouble.of(sens), _RDouble.of(spec), _RDouble.of(prev)
    return ((spec * (1 - prev)) / (((1 - sens) * prev) + ((spec) * (1 - prev)))).value()


def pos_pred_value(data, reference=None, positive=None, prevalence=None) -> np.float64:
    """caret's ``posPredValue``: PPV through sensitivity, specificity and prevalence.

    ``sens * prev / (sens * prev + (1 - spec) * (1 - prev))``, with the observed prevalence
    (the positive's share of the reference, NA if the reference has NA) unless given.

    Parameters
    ----------
    data, reference, positive
        As in :func:`sensitivity`.
    prevalence : float, optional
        The positive class's prevalence.

    Returns
    -------
    numpy.float64

    Notes
    -----
    With the observed prevalence this is scikit-learn's ``precision_score`` up to rounding
    (caret goes through Bayes' rule, so the last bits can differ); caret returns NaN where
    nothing is predicted positive, scikit-learn 0.

    Examples
    --------
    >>> import pandas as pd
    >>> lv = ["yes", "no"]
    >>> pred = pd.Categorical(["yes", "no", "yes", "yes"], categories=lv)
    >>> obs = pd.Categorical(["yes", "no", "no", "yes"], categories=lv)
    >>> round(float(pos_pred_value(pred, obs)), 6)
    0.666667
    """
    _check_prevalence(prevalence)
    if _is_table(data):
        counts, names = _table(data)
        if positive is None:
            positive = _default_name(names, "pos", True)
        if len(names) > 2:
            counts, names, positive = (
                _collapse(counts, names, _labels_set(positive), True),
                ["pos", "neg"],
                "pos",
            )
        negative = [n for n in names if n != str(positive)]
        p = _cell_index(names, positive)
        prev = (
            (_RDouble(counts[:, p].sum()) / float(counts.sum())).value() if prevalence is None else prevalence
        )
        return _ppv(_sens_table(counts, names, positive), _spec_table(counts, names, negative), prev)
    d, r = _two_factors(data, reference, "input data must have the same two levels")
    if positive is None:
        positive = r.levels[0]
    prev = _observed_prevalence(r, positive) if prevalence is None else prevalence
    others = [lv for lv in d.levels if lv not in _labels_set(positive)]
    return _ppv(_sens_factor(d, r, positive), _spec_factor(d, r, others), prev)


def neg_pred_value(data, reference=None, negative=None, prevalence=None) -> np.float64:
    """caret's ``negPredValue``: NPV through sensitivity, specificity and prevalence.

    ``spec * (1 - prev) / ((1 - sens) * prev + spec * (1 - prev))``; ``prevalence`` is the
    positive (non-``negative``) class's.

    Parameters
    ----------
    data, reference
        As in :func:`sensitivity`.
    negative : label, optional
        The negative level; default: the reference's second level.
    prevalence : float, optional
        The positive class's prevalence.

    Returns
    -------
    numpy.float64

    Notes
    -----
    scikit-learn has no NPV; ``precision_score(pos_label=negative)`` is the same number up to
    rounding, 0 where caret has NaN.

    Examples
    --------
    >>> import pandas as pd
    >>> lv = ["yes", "no"]
    >>> pred = pd.Categorical(["yes", "no", "yes", "yes"], categories=lv)
    >>> obs = pd.Categorical(["yes", "no", "no", "yes"], categories=lv)
    >>> float(neg_pred_value(pred, obs))
    1.0
    """
    _check_prevalence(prevalence)
    if _is_table(data):
        counts, names = _table(data)
        if negative is None:
            negative = _default_name(names, "neg", False)
        if len(names) > 2:
            counts, names, negative = (
                _collapse(counts, names, _labels_set(negative), False),
                ["pos", "neg"],
                "neg",
            )
        positive = [n for n in names if n not in _labels_set(negative)]
        if len(positive) != 1:
            raise RError("subscript out of bounds")
        p = names.index(positive[0])
        prev = (
            (_RDouble(counts[:, p].sum()) / float(counts.sum())).value() if prevalence is None else prevalence
        )
        return _npv(_sens_table(counts, names, positive[0]), _spec_table(counts, names, negative), prev)
    d, r = _two_factors(data, reference, "input data must have the same two levels")
    if negative is None:
        negative = r.levels[1] if len(r.levels) > 1 else R_NULL
    others = [lv for lv in d.levels if lv not in _labels_set(negative)]
    prev = _observed_prevalence(r, others) if prevalence is None else prevalence
    return _npv(_sens_factor(d, r, others), _spec_factor(d, r, negative), prev)


# --------------------------------------------------------------------------- precision, recall, F


def _xtab(d: Factor, r: Factor) -> tuple[np.ndarray, list[str]]:
    """``table(data, reference)`` of the complete pairs, with precision.table's checks."""
    if d.levels != r.levels:
        raise RError("invalid argument type")
    keep = (d.codes >= 0) & (r.codes >= 0)
    k = len(r.levels)
    counts = np.bincount(d.codes[keep] * k + r.codes[keep], minlength=k * k).reshape(k, k)
    return counts.astype(np.float64), r.levels


def _prec_rec_table(counts, names, relevant, by_row: bool) -> np.float64:
    if relevant is None:
        relevant = _default_name(names, "rel", True)
    if len(names) > 2:
        counts, names, relevant = (
            _collapse(counts, names, _labels_set(relevant), True),
            ["rel", "irrel"],
            "rel",
        )
    if relevant is R_NULL or relevant is None:
        return NA
    i = _cell_index(names, relevant)
    return _ifelse_div(counts[i, i], counts[i, :].sum() if by_row else counts[:, i].sum()).value()


def _prec_rec(data, reference, relevant, by_row: bool) -> np.float64:
    if _is_table(data):
        counts, names = _table(data)
    else:
        d, r = _two_factors(data, reference, "input data must have the same two levels")
        counts, names = _xtab(d, r)
        if relevant is None:
            relevant = r.levels[0]
    return _prec_rec_table(counts, names, relevant, by_row)


def precision(data, reference=None, relevant=None) -> np.float64:
    """caret's ``precision``: the share of predictions of ``relevant`` that are right.

    Parameters
    ----------
    data, reference
        As in :func:`sensitivity`.
    relevant : label, optional
        The relevant level; default: the reference's first level.

    Returns
    -------
    numpy.float64
        R's NA when ``relevant`` is never predicted.

    Notes
    -----
    scikit-learn's ``precision_score`` returns 0 (``zero_division="warn"``) where caret
    returns NA.

    Examples
    --------
    >>> import pandas as pd
    >>> lv = ["yes", "no"]
    >>> pred = pd.Categorical(["yes", "no", "yes", "yes"], categories=lv)
    >>> obs = pd.Categorical(["yes", "no", "no", "yes"], categories=lv)
    >>> round(float(precision(pred, obs)), 6)
    0.666667
    """
    return _prec_rec(data, reference, relevant, by_row=True)


def recall(data, reference=None, relevant=None) -> np.float64:
    """caret's ``recall`` (sensitivity computed through the count table).

    Parameters
    ----------
    data, reference, relevant
        As in :func:`precision`.

    Returns
    -------
    numpy.float64
        R's NA when ``relevant`` is absent from the reference.

    Notes
    -----
    scikit-learn's ``recall_score`` returns 0 where caret returns NA.

    Examples
    --------
    >>> import pandas as pd
    >>> lv = ["yes", "no"]
    >>> pred = pd.Categorical(["yes", "no", "yes", "yes"], categories=lv)
    >>> obs = pd.Categorical(["yes", "no", "no", "yes"], categories=lv)
    >>> float(recall(pred, obs))
    1.0
    """
    return _prec_rec(data, reference, relevant, by_row=False)


def _f(prec, rec, beta) -> np.float64:
    b2 = float(beta) * float(beta)
    prec, rec = _RDouble.of(prec), _RDouble.of(rec)
    return ((1 + b2) * prec * rec / ((b2 * prec) + rec)).value()


def f_meas(data, reference=None, relevant=None, beta=1) -> np.float64:
    """caret's ``F_meas``: ``(1 + beta^2) * precision * recall / (beta^2 * precision + recall)``.

    Parameters
    ----------
    data, reference, relevant
        As in :func:`precision`.
    beta : float
        Weight of recall.

    Returns
    -------
    numpy.float64
        NA when precision or recall is NA; NaN when both are 0.

    Notes
    -----
    scikit-learn's ``fbeta_score`` returns 0 where caret returns NA or NaN.

    Examples
    --------
    >>> import pandas as pd
    >>> lv = ["yes", "no"]
    >>> pred = pd.Categorical(["yes", "no", "yes", "yes"], categories=lv)
    >>> obs = pd.Categorical(["yes", "no", "no", "yes"], categories=lv)
    >>> float(f_meas(pred, obs))
    0.8
    """
    if isinstance(beta, bool) or not isinstance(beta, int | float | np.integer | np.floating):
        raise TypeError(f"beta={beta!r}: expected a number")
    if _is_table(data):
        counts, names = _table(data)
        if relevant is None:
            relevant = names[0]  # F_meas.table forces its default before any collapse
    else:
        d, r = _two_factors(data, reference, "input data must have the same two levels")
        counts, names = _xtab(d, r)
        if relevant is None:
            relevant = r.levels[0]
    return _f(
        _prec_rec_table(counts, names, relevant, True), _prec_rec_table(counts, names, relevant, False), beta
    )
