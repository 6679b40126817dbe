"""caret's ``postResample`` and the summary functions of ``trainControl(summaryFunction = )``:
``defaultSummary``, ``twoClassSummary``, ``prSummary``, ``multiClassSummary``, ``mnLogLoss``.

``data`` is caret's: a pandas DataFrame with ``obs`` and ``pred`` (Categoricals: R's factors,
their categories R's levels) and, for the probability summaries, one column of class
probabilities per level, named by the level. ``lev`` is caret's ``lev`` (``levels(y)`` in
``train``); left out it is R's NULL, with caret's consequences (NA statistics, or caret's
error), exactly as in R. Each function returns a pandas Series with caret's names in caret's
order; R's NA is :data:`python_impl.caret.NA` (see ``is_na``), apart from NaN.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from parity.rnum import na_mask
from python_impl.caret.confusion import NA, confusion_matrix_from_table, is_na, kappa
from python_impl.caret.factors import Factor, as_factor, column, factor_or_none, r_levels_equal
from python_impl.caret.measures import _f, _prec_rec_table, _sens_factor, _xtab
from python_impl.caret.rnumeric import R_NULL, RError, r_col_mean, r_cor_pairwise, r_mean, r_warn
from python_impl.caret.roc import auc_of, pr_auc, roc_split

__all__ = [
    "post_resample",
    "default_summary",
    "two_class_summary",
    "pr_summary",
    "multi_class_summary",
    "mn_log_loss",
]

_LOG_LOSS_EPS = 1e-15  # ModelMetrics::mlogLoss clips probabilities to [eps, 1 - eps]


def _series(values, names) -> pd.Series:
    return pd.Series([np.float64(v) for v in values], index=list(names), dtype=np.float64)


def _nan_to_na(values: list) -> list:
    """postResample's last step: ``out[is.nan(out)] <- NA``."""
    return [NA if math.isnan(v) else v for v in values]


def _numeric(x) -> np.ndarray | None:
    """A numeric (non-factor, non-logical) vector as doubles, or None."""
    if isinstance(x, pd.Series):
        if isinstance(x.dtype, pd.CategoricalDtype):
            return None
        x = x.to_numpy()
    if isinstance(x, pd.Categorical):
        return None
    arr = np.asarray(x)
    return arr.astype(np.float64) if arr.dtype.kind in "iuf" else None


def _n_unique(x: np.ndarray) -> int:
    """R's ``length(unique(x))`` of doubles: NA and NaN are two distinct values."""
    nan = np.isnan(x)
    na = na_mask(x)
    return int(np.unique(x[~nan]).size) + int(na.any()) + int((nan & ~na).any())


def post_resample(pred, obs) -> pd.Series:
    """caret's ``postResample(pred, obs)``: RMSE, Rsquared, MAE, or Accuracy, Kappa.

    Numeric ``obs``: regression. The pairs whose ``pred`` is NA are dropped (NA in ``obs`` is
    not: RMSE and MAE are then NA, while Rsquared uses the complete pairs); Rsquared is the
    squared Pearson correlation, NA when either side has fewer than two distinct values.
    A factor ``obs`` (Categorical): ``pred`` is re-leveled to ``obs``'s levels, Accuracy and
    Kappa as ``e1071::classAgreement``. NaN results become NA.

    Parameters
    ----------
    pred : array-like or pandas.Categorical
    obs : array-like of numbers, or pandas.Categorical

    Returns
    -------
    pandas.Series
        ``RMSE``, ``Rsquared``, ``MAE`` (numeric ``obs``), else ``Accuracy``, ``Kappa``.

    Warns
    -----
    RWarning
        R's "the standard deviation is zero" where the complete pairs of a side are constant.

    Notes
    -----
    scikit-learn's ``r2_score`` is 1 - SSE/SST, not caret's squared correlation: they differ
    for any biased prediction (and r2_score can be negative). ``mean_squared_error`` is the
    square of RMSE. caret's Kappa is Cohen's, as ``cohen_kappa_score``, up to rounding.

    Examples
    --------
    >>> s = post_resample([1.0, 2.0, 3.5], [1.0, 2.5, 3.0])
    >>> list(s.index), round(float(s["MAE"]), 4)
    (['RMSE', 'Rsquared', 'MAE'], 0.3333)
    """
    pred_num = _numeric(pred)
    obs_num = _numeric(obs)
    if obs_num is not None:
        p = pred_num if pred_num is not None else None
        if p is None:
            raise TypeError("pred: expected numbers for a numeric obs (regression)")
        if p.size != obs_num.size:
            raise ValueError(f"pred has {p.size} values and obs has {obs_num.size}: expected the same length")
        keep = ~np.isnan(p)
        p, o = p[keep], obs_num[keep]
        if p.size + o.size == 0:
            return _series([NA] * 3, ["RMSE", "Rsquared", "MAE"])
        if _n_unique(p) < 2 or _n_unique(o) < 2:
            cor = NA
        else:
            cor, sd_zero = r_cor_pairwise(p, o)
            if sd_zero:
                r_warn("the standard deviation is zero")
        with np.errstate(all="ignore"):
            diff = p - o
            out = [
                np.sqrt(r_mean(diff * diff)),
                np.float64(cor) * np.float64(cor) if not is_na(cor) else NA,
                r_mean(np.abs(diff)),
            ]
        return _series(_nan_to_na(out), ["RMSE", "Rsquared", "MAE"])
    if not (
        isinstance(obs, pd.Categorical)
        or (isinstance(obs, pd.Series) and isinstance(obs.dtype, pd.CategoricalDtype))
    ):
        # R: factor(pred, levels = levels(obs)) with a character obs has no levels; the table
        # then has no column and classAgreement stops
        raise RError("subscript out of bounds")
    o = as_factor(obs, "obs")
    pf = as_factor(pred, "pred")
    if pf.codes.size != o.codes.size:
        raise ValueError(
            f"pred has {pf.codes.size} labels and obs has {o.codes.size}: expected the same length"
        )
    keep = pf.codes >= 0
    # factor(pred, levels = levels(obs)): labels outside obs's levels become NA
    remap = np.array([o.levels.index(lv) if lv in o.levels else -1 for lv in pf.levels] + [-1], dtype=np.intp)
    pc, oc = remap[pf.codes[keep]], o.codes[keep]
    if pc.size + oc.size == 0:
        return _series([NA, NA], ["Accuracy", "Kappa"])
    k = len(o.levels)
    both = (pc >= 0) & (oc >= 0)
    counts = np.bincount(oc[both] * k + pc[both], minlength=k * k).reshape(k, k)
    n = np.float64(counts.sum())
    with np.errstate(all="ignore"):
        accuracy = np.float64(np.trace(counts)) / n
        kappa_ = kappa(
            np.float64(np.trace(counts)),
            n,
            counts.sum(axis=1).astype(np.float64),
            counts.sum(axis=0).astype(np.float64),
        )
    return _series(_nan_to_na([accuracy, kappa_]), ["Accuracy", "Kappa"])


def _lev(lev) -> list[str] | None:
    if lev is None:
        return None
    if isinstance(lev, str):
        return [lev]
    return [str(x) for x in lev]


def default_summary(data: pd.DataFrame, lev=None) -> pd.Series:
    """caret's ``defaultSummary``: :func:`post_resample` of ``data$pred`` and ``data$obs``
    (a character ``obs`` first becomes ``factor(obs, levels = lev)``).

    Parameters
    ----------
    data : pandas.DataFrame
        Columns ``obs`` and ``pred``.
    lev : sequence of str, optional

    Returns
    -------
    pandas.Series

    Notes
    -----
    As :func:`post_resample`.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"obs": [1.0, 2.0, 3.0], "pred": [1.5, 2.0, 2.5]})
    >>> round(float(default_summary(d)["Rsquared"]), 6)
    1.0
    """
    obs = column(data, "obs")
    levels = _lev(lev)
    if not isinstance(obs.dtype, pd.CategoricalDtype) and obs.dtype.kind == "O":
        obs = pd.Categorical(obs, categories=levels or [])
    return post_resample(column(data, "pred"), obs)


def _roc_auc_or_na(response, predictor, direction: str) -> np.float64:
    """``try(pROC::roc(...))$auc`` as caret uses it: NA where pROC stops, R's error where pROC
    returns NaN (an infinite predictor) and caret then takes ``$auc`` of it."""
    try:
        predictor = np.asarray(predictor)
        split = roc_split(response, predictor)
    except (RError, TypeError):
        return NA
    if split is None:
        raise RError("$ operator is invalid for atomic vectors")
    controls, cases = split
    return auc_of(controls, cases, direction)


def _factor_col(data, key) -> Factor | None:
    return factor_or_none(column(data, key))


def two_class_summary(data: pd.DataFrame, lev=None) -> pd.Series:
    """caret's ``twoClassSummary``: ROC (pROC's AUC), Sens, Spec.

    The ROC curve takes ``obs``'s first two levels as (control, case) and the probability of
    ``lev[0]`` as the score with ``direction = ">"``, so the AUC is that of ``lev[0]`` being
    the event. Sens is the sensitivity of ``lev[0]``, Spec the specificity of ``lev[1]``.

    Parameters
    ----------
    data : pandas.DataFrame
        ``obs``, ``pred`` (Categoricals) and a probability column named ``lev[0]``.
    lev : sequence of two str, optional
        caret's ``lev``; left out (R's NULL), all three statistics are NA, as in caret.

    Returns
    -------
    pandas.Series
        ``ROC``, ``Sens``, ``Spec``.

    Raises
    ------
    RError
        caret's "Your outcome has k levels. The twoClassSummary() function isn't appropriate.",
        "levels of observed and predicted data do not match", "input data must have the same
        two levels", "inputs must be factors".

    Notes
    -----
    ``sklearn.metrics.roc_auc_score(obs == lev[1], prob[lev[1]])`` is the same area, but when
    pROC cannot build a curve (one class only) caret gives NA where scikit-learn raises.

    Examples
    --------
    >>> import pandas as pd
    >>> lv = ["yes", "no"]
    >>> d = pd.DataFrame({"obs": pd.Categorical(["yes", "no", "yes", "no"], categories=lv),
    ...                   "pred": pd.Categorical(["yes", "no", "no", "no"], categories=lv),
    ...                   "yes": [0.9, 0.2, 0.4, 0.3], "no": [0.1, 0.8, 0.6, 0.7]})
    >>> two_class_summary(d, lev=lv).round(4).to_dict()
    {'ROC': 1.0, 'Sens': 0.5, 'Spec': 1.0}
    """
    levels = _lev(lev)
    if levels is not None and len(levels) > 2:
        raise RError(
            f"Your outcome has {len(levels)} levels. The twoClassSummary() function isn't appropriate."
        )
    pred = _factor_col(data, "pred")
    if not r_levels_equal(pred.levels if pred else None, levels):
        raise RError("levels of observed and predicted data do not match")
    obs_col = column(data, "obs")
    first = levels[0] if levels else None
    roc = (
        NA
        if first is None or first not in data.columns
        else _roc_auc_or_na(obs_col, data[first].to_numpy(), ">")
    )
    obs = factor_or_none(obs_col)
    if pred is None or obs is None:
        raise RError("inputs must be factors")
    if len(set(obs.levels) | set(pred.levels)) != 2:
        raise RError("input data must have the same two levels")
    sens = _sens_factor(pred, obs, levels[0] if levels else R_NULL)
    spec = _sens_factor(pred, obs, levels[1] if levels and len(levels) > 1 else R_NULL)
    return _series([roc, sens, spec], ["ROC", "Sens", "Spec"])


def pr_summary(data: pd.DataFrame, lev=None) -> pd.Series:
    """caret's ``prSummary``: AUC (MLmetrics' PR AUC), Precision, Recall, F.

    The PR curve is ROCR's for the probability of ``lev[0]``; MLmetrics drops its first point
    (recall 0, precision NaN at cutoff Inf), so the area left of the first recall is missing.

    Parameters
    ----------
    data : pandas.DataFrame
        ``obs``, ``pred`` and a probability column named ``lev[0]``.
    lev : sequence of str
        caret's ``lev``; required (R stops with "argument is of length zero" without it).

    Returns
    -------
    pandas.Series
        ``AUC``, ``Precision``, ``Recall``, ``F``.

    Notes
    -----
    scikit-learn's ``average_precision_score`` is a step sum from recall 0, not this
    trapezoid from the first recall; ``auc(recall, precision)`` on
    ``precision_recall_curve`` includes the (0, 1) point MLmetrics lacks. Both differ.

    Examples
    --------
    >>> import pandas as pd
    >>> lv = ["yes", "no"]
    >>> d = pd.DataFrame({"obs": pd.Categorical(["yes", "no", "yes", "no"], categories=lv),
    ...                   "pred": pd.Categorical(["yes", "no", "no", "no"], categories=lv),
    ...                   "yes": [0.9, 0.2, 0.4, 0.3], "no": [0.1, 0.8, 0.6, 0.7]})
    >>> pr_summary(d, lev=lv).round(4).to_dict()
    {'AUC': 0.5, 'Precision': 1.0, 'Recall': 0.5, 'F': 0.6667}
    """
    levels = _lev(lev)
    obs_col = column(data, "obs")
    obs = factor_or_none(obs_col)
    if obs is not None and len(obs.levels) > 2:
        raise RError(
            f"Your outcome has {len(obs.levels)} levels. `prSummary`` function isn't appropriate. FALSE"
        )
    pred = _factor_col(data, "pred")
    if not r_levels_equal(pred.levels if pred else None, obs.levels if obs else None):
        raise RError("Levels of observed and predicted data do not match.")
    if not levels:
        raise RError("argument is of length zero")
    first = levels[0]
    if first not in data.columns:
        raise RError(
            "Class probabilities are needed to score models using the area under the PR "
            "curve. Set `classProbs = TRUE` in the trainControl() function."
        )
    auc = _pr_auc_or_na(data[first], _event_indicator(obs, obs_col, first))
    if pred is None or obs is None:
        raise RError("input data must be a factor")
    if len(set(obs.levels) | set(pred.levels)) != 2:
        raise RError("input data must have the same two levels")
    counts, names = _xtab(pred, obs)
    prec = _prec_rec_table(counts, names, first, True)
    rec = _prec_rec_table(counts, names, first, False)
    return _series([auc, prec, rec, _f(prec, rec, 1)], ["AUC", "Precision", "Recall", "F"])


def _event_indicator(obs: Factor | None, obs_col, level: str) -> np.ndarray:
    """``ifelse(obs == level, 1, 0)``: NA where obs is NA."""
    f = obs if obs is not None else as_factor(obs_col, "obs")
    out = (f.strings() == level).astype(np.float64)
    out[f.codes < 0] = NA
    return out


def _pr_auc_or_na(prob, indicator: np.ndarray) -> np.float64:
    prob_arr = prob.to_numpy() if isinstance(prob, pd.Series) else np.asarray(prob)
    if prob_arr.dtype.kind not in "iuf":
        return NA
    return pr_auc(prob_arr.astype(np.float64), indicator)


def _complete_cases(data: pd.DataFrame) -> np.ndarray:
    return ~np.asarray(data.isna().any(axis=1), dtype=bool)


def mn_log_loss(data: pd.DataFrame, lev=None) -> pd.Series:
    """caret's ``mnLogLoss``: ModelMetrics' multinomial log loss.

    Rows with any NA (in any column) are dropped; probabilities are clipped to
    [1e-15, 1 - 1e-15]; the observed class's code in ``levels(obs)`` picks the column of the
    probability matrix in **``lev``'s** order (caret's quirk: with ``lev`` in another order
    than ``obs``'s levels, the wrong columns are read, as in R).

    Parameters
    ----------
    data : pandas.DataFrame
    lev : sequence of str
        Required ("'lev' cannot be NULL").

    Returns
    -------
    pandas.Series
        ``logLoss``; NaN when no row is complete.

    Raises
    ------
    RError
        caret's "'lev' cannot be NULL", "'data' should have columns consistent with 'lev'",
        "'data$obs' should have levels consistent with 'lev'".
    ValueError
        An observed level beyond the probability columns (R reads outside the matrix there).

    Notes
    -----
    ``sklearn.metrics.log_loss`` clips with the dtype's eps (and renormalizes rows), sums
    pairwise; the values can differ in the last bits, and more where probabilities reach 0
    or 1 or ``lev``'s order differs from the levels'.

    Examples
    --------
    >>> import pandas as pd
    >>> lv = ["yes", "no"]
    >>> d = pd.DataFrame({"obs": pd.Categorical(["yes", "no"], categories=lv),
    ...                   "pred": pd.Categorical(["yes", "no"], categories=lv),
    ...                   "yes": [0.8, 0.4], "no": [0.2, 0.6]})
    >>> round(float(mn_log_loss(d, lev=lv)["logLoss"]), 6)
    0.366985
    """
    levels = _lev(lev)
    if levels is None:
        raise RError("'lev' cannot be NULL")
    if not all(lv in data.columns for lv in levels):
        raise RError("'data' should have columns consistent with 'lev'")
    obs = factor_or_none(column(data, "obs"))
    if not all(lv in (obs.levels if obs else []) for lv in levels):
        raise RError("'data$obs' should have levels consistent with 'lev'")
    assert obs is not None
    keep = _complete_cases(data)
    probs = data.loc[keep, levels].to_numpy(dtype=np.float64)
    codes = obs.codes[keep]
    rows = float(codes.size)
    if codes.size and codes.max() >= len(levels):
        raise ValueError(
            f"an observed level ({obs.levels[int(codes.max())]!r}) has no probability column "
            f"in lev={levels}: ModelMetrics would read outside the matrix"
        )
    clipped = np.maximum(np.minimum(probs, 1 - _LOG_LOSS_EPS), _LOG_LOSS_EPS)
    # the matrix is summed column by column (R's column-major order), in double
    order = np.lexsort((np.arange(codes.size), codes))
    picked = clipped[order, codes[order]]
    logs = np.fromiter(map(math.log, picked.tolist()), dtype=np.float64, count=picked.size)
    total = np.cumsum(logs)[-1] if logs.size else 0.0
    with np.errstate(all="ignore"):
        value = np.float64(-1 / rows) * np.float64(total) if rows else np.float64(math.nan)
    return _series([value], ["logLoss"])


_MULTI_STATS = (
    "Accuracy",
    "Kappa",
    "Mean_F1",
    "Mean_Sensitivity",
    "Mean_Specificity",
    "Mean_Pos_Pred_Value",
    "Mean_Neg_Pred_Value",
    "Mean_Precision",
    "Mean_Recall",
    "Mean_Detection_Rate",
    "Mean_Balanced_Accuracy",
)


def multi_class_summary(data: pd.DataFrame, lev=None) -> pd.Series:
    """caret's ``multiClassSummary``.

    With a probability column for every ``lev``: ``logLoss`` (:func:`mn_log_loss`), ``AUC``
    (the mean over ``pred``'s levels of the one-vs-rest pROC AUC, ``direction = "<"``) and
    ``prAUC`` (the mean of MLmetrics' PR AUCs); both means skip the NA of levels where the
    curve cannot be built and are NaN when every level is NA. Then ``Accuracy``, ``Kappa`` and
    the by-class statistics of ``confusionMatrix(pred, obs, mode = "everything")``: as they
    are for two levels (``F1``, ``Sensitivity``, ...), their plain means for more
    (``Mean_F1``, ...: NA as soon as one class's value is NA).

    Parameters
    ----------
    data : pandas.DataFrame
    lev : sequence of str
        Required when the probabilities are there (R: "'lev' cannot be NULL").

    Returns
    -------
    pandas.Series

    Notes
    -----
    scikit-learn's ``roc_auc_score(multi_class="ovr", average="macro")`` averages the same
    one-vs-rest areas but raises where a class is absent (caret skips it); its macro
    precision/recall/F1 replace NA by 0 where caret's means become NA.

    Examples
    --------
    >>> import pandas as pd
    >>> lv = ["a", "b", "c"]
    >>> d = pd.DataFrame({"obs": pd.Categorical(["a", "b", "c", "a"], categories=lv),
    ...                   "pred": pd.Categorical(["a", "b", "b", "a"], categories=lv),
    ...                   "a": [0.7, 0.1, 0.2, 0.6], "b": [0.2, 0.8, 0.5, 0.3],
    ...                   "c": [0.1, 0.1, 0.3, 0.1]})
    >>> s = multi_class_summary(d, lev=lv)
    >>> list(s.index[:4]), float(s["Accuracy"])
    (['logLoss', 'AUC', 'prAUC', 'Accuracy'], 0.75)
    """
    levels = _lev(lev)
    pred = _factor_col(data, "pred")
    obs_col = column(data, "obs")
    obs = factor_or_none(obs_col)
    if not r_levels_equal(pred.levels if pred else None, obs.levels if obs else None):
        raise RError("levels of observed and predicted data do not match")
    has_probs = levels is None or all(lv in data.columns for lv in levels)
    extra: list[np.float64] = []
    if has_probs:
        log_loss = mn_log_loss(data, levels)["logLoss"]
        if pred is None:  # lapply over NULL levels: rbind of nothing is NULL, colMeans stops
            raise RError("'x' must be an array of at least two dimensions")
        rocs, prs = [], []
        for level in pred.levels:
            indicator = _event_indicator(obs, obs_col, level)
            prob = column(data, level)
            rocs.append(_roc_auc_or_na(indicator, prob.to_numpy(), "<"))
            prs.append(_pr_auc_or_na(prob, indicator))
        extra = [log_loss, r_col_mean(rocs, na_rm=True), r_col_mean(prs, na_rm=True)]
    if pred is None or obs is None:
        raise RError("`data` and `reference` should be factors with the same levels.")
    counts, names = _xtab(pred, obs)
    table = pd.DataFrame(counts.astype(np.int64), index=names, columns=names)  # rows = pred
    cm = confusion_matrix_from_table(table, mode="everything")
    overall = [cm.overall["Accuracy"], cm.overall["Kappa"]]
    by_class = cm.by_class
    if len(names) == 2:
        cls = dict(by_class.items())
        names_out = [s.replace("Mean_", "") for s in _MULTI_STATS]
    else:
        cls = {f"Mean {col}": r_col_mean(by_class[col].to_numpy(), na_rm=False) for col in by_class.columns}
        names_out = list(_MULTI_STATS)
    stats = dict(zip(("Accuracy", "Kappa"), overall, strict=True))
    stats.update({k.replace(" ", "_"): v for k, v in cls.items()})
    values = [stats[k] for k in names_out]
    if has_probs:
        names_out = ["logLoss", "AUC", "prAUC"] + names_out
        values = extra + values
    return _series(values, names_out)
