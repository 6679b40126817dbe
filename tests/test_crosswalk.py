"""The crosswalk (parity.rules.crosswalk) against live caret, pROC and R's stats (rpy2), entry by entry.

For every CROSSWALK entry, ``test_entry_<key>`` runs the library call on generated data, maps it
with ``map_call`` and checks, against the value R computes on the same data:

- where the definition is the same: the library's value equals R's under the entry's rule -
  exact where both do the same IEEE operations (one division of two exact integer counts),
  relative 1e-12 where the same formula runs in another order or with R's long-double sums
  (a few ulps; any definitional difference on these inputs is orders of magnitude larger), and
  the measured exceptions the entries state (SciPy's brentq xtol, Boost vs TOMS 708, SciPy's
  chi-square tail vs pchisq, Boost's inverse beta vs qbeta, Kappa's cancellation near 0);
- where it differs: an input where the difference shows (the value is not R's), and the row's
  ``caret_value`` - the named Python call on the same inputs - is R's value (relative 1e-12:
  ``python_impl.caret``'s rule, and NumPy's sums vs R's).

NaN and NA are equal only to NaN and NA; where R has NA, the port's value is R's NA (is_na).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.stats
import sklearn.metrics as skm
from conftest import unavailable
from sklearn.exceptions import UndefinedMetricWarning
from statsmodels.stats.contingency_tables import SquareTable, mcnemar
from statsmodels.stats.inter_rater import cohens_kappa
from statsmodels.stats.proportion import proportion_confint

from parity.rules.compare import Tolerance, values_agree
from parity.rules.crosswalk import CROSSWALK, MAPPED_FUNCTIONS, CrosswalkRow, entry, map_call, markdown_table
from python_impl.caret import confusion_matrix, is_na

CARET_CALL_RULE = Tolerance(rel=1e-12)

_R_CODE = r"""
local({
  suppressPackageStartupMessages({library(caret); library(pROC)})
  fac <- function(x, levels) factor(as.vector(x), levels = as.vector(levels))
  opt <- function(x) if (length(x)) as.vector(x)
  .xw_cm <<- function(pred, obs, levels, positive, prevalence)
    confusionMatrix(fac(pred, levels), fac(obs, levels), positive = opt(positive),
                    prevalence = opt(prevalence), mode = "everything")
  .xw_overall <<- function(pred, obs, levels, stat)
    unname(.xw_cm(pred, obs, levels, character(0), numeric(0))$overall[as.vector(stat)])
  .xw_by_class <<- function(pred, obs, levels, positive, prevalence, stat, class) {
    bc <- .xw_cm(pred, obs, levels, positive, prevalence)$byClass
    unname(if (is.matrix(bc)) bc[paste("Class:", as.vector(class)), as.vector(stat)]
           else bc[as.vector(stat)])
  }
  # overall and by-class statistics in one call: c(overall, t(byClass)) (byClass k x 11 or 11)
  .xw_all <<- function(pred, obs, levels, positive) {
    cm <- .xw_cm(pred, obs, levels, positive, numeric(0))
    bc <- cm$byClass
    c(unname(cm$overall), as.vector(if (is.matrix(bc)) t(bc) else bc))
  }
  .xw_mcs <<- function(pred, obs, levels, stats)
    unname(multiClassSummary(data.frame(obs = fac(obs, levels), pred = fac(pred, levels)),
                             lev = as.vector(levels))[as.vector(stats)])
  .xw_table <<- function(pred, obs, levels)
    unclass(.xw_cm(pred, obs, levels, character(0), numeric(0))$table)
  # summary functions take a data frame: obs, pred and one probability column per level
  frame <- function(obs, pred, probs, levels) {
    d <- data.frame(obs = fac(obs, levels), pred = fac(pred, levels))
    probs <- matrix(as.vector(probs), ncol = length(levels))
    for (j in seq_along(levels)) d[[as.vector(levels)[j]]] <- probs[, j]
    d
  }
  .xw_summary <<- function(fun, obs, pred, probs, levels, stat) {
    f <- get(as.vector(fun), envir = asNamespace("caret"))
    unname(f(frame(obs, pred, probs, levels), lev = as.vector(levels))[as.vector(stat)])
  }
  .xw_proc_auto <<- function(obs, score, levels)
    as.numeric(pROC::roc(fac(obs, levels), as.vector(score), quiet = TRUE)$auc)
  .xw_post_resample <<- function(pred, obs, stat)
    unname(postResample(as.vector(pred), as.vector(obs))[as.vector(stat)])
  .xw_r2_traditional <<- function(pred, obs) R2(as.vector(pred), as.vector(obs), formula = "traditional")
  .xw_f_meas <<- function(pred, obs, levels, relevant, beta)
    F_meas(fac(pred, levels), fac(obs, levels), relevant = as.vector(relevant), beta = beta)
  # more than two classes: F_meas's table method (its factor method takes two levels only)
  .xw_f_meas_table <<- function(pred, obs, levels, relevant, beta)
    F_meas(table(fac(pred, levels), fac(obs, levels)), relevant = as.vector(relevant), beta = beta)
  # confusionMatrix of a table of counts (rows = Prediction, levels "0".."k-1"): overall statistics
  .xw_table_overall <<- function(counts, stats) {
    k <- nrow(counts)
    lv <- as.character(seq_len(k) - 1)
    tab <- as.table(matrix(as.vector(counts), k, dimnames = list(Prediction = lv, Reference = lv)))
    unname(confusionMatrix(tab)$overall[as.vector(stats)])
  }
})
"""


@pytest.fixture(scope="module")
def r(r_caret):
    """R with caret, pROC and this module's helpers; ``r.<helper>(...)`` converts both ways."""
    from rpy2.robjects import default_converter, numpy2ri
    from rpy2.robjects.conversion import localconverter

    ro = r_caret.r_env()
    # caret's summary functions need these (setup.sh installs them from Debian)
    needed = ("pROC", "ModelMetrics", "MLmetrics")
    with localconverter(default_converter + numpy2ri.converter):
        installed = np.asarray(ro.r(f"sapply(c{needed!r}, requireNamespace, quietly = TRUE)"))
    missing = [p for p, ok in zip(needed, installed, strict=True) if not ok]
    if missing:
        unavailable(f"R packages {missing} not installed; run ./setup.sh")
    ro.r(_R_CODE)

    class R:
        def __getattr__(self, name):
            fn = ro.globalenv[f".xw_{name}"]

            def call(*args):
                with localconverter(default_converter + numpy2ri.converter):
                    return np.asarray(fn(*[_r_arg(a) for a in args]), dtype=float)

            return call

    return R()


def _r_arg(a):
    if isinstance(a, str):
        return np.array([a])
    if isinstance(a, list | tuple):
        return np.array(a)
    return a


def strings(y) -> np.ndarray:
    """Labels as R receives them (R's factor levels are strings)."""
    return np.array([str(v) for v in y])


def scalar(x) -> float:
    return float(np.asarray(x).reshape(-1)[0])


def rows_of(name, *args, **kwargs) -> tuple[object, list[CrosswalkRow]]:
    fn = {"binomtest": scipy.stats.binomtest, "pearsonr": scipy.stats.pearsonr, "mcnemar": mcnemar,
          "proportion_confint": proportion_confint, "cohens_kappa": cohens_kappa}.get(name) \
        or getattr(skm, name)
    result = fn(*args, **kwargs)
    return result, map_call(name, args, kwargs, result)


def one(rows: list[CrosswalkRow], key: str, caret_class: str | None = None,
        statistic: str | None = None) -> CrosswalkRow:
    found = [r for r in rows if r.entry == key and (caret_class is None or r.caret_class == caret_class)
             and (statistic is None or r.caret_statistic == statistic)]
    assert len(found) == 1, f"expected one {key} row for {caret_class}: {rows}"
    return found[0]


def assert_same(row: CrosswalkRow, r_value):
    """A 'same definition' row: the library's value is R's under the entry's rule."""
    assert row.caret_equal, row
    tol = Tolerance(rel=row.rtol, abs_floor=row.atol)
    assert values_agree(r_value, row.value, tol), \
        f"{row.caret_statistic}: R {r_value!r}, {row.python_call} {row.value!r} ({tol.describe()})"
    assert values_agree(r_value, row.caret_value, CARET_CALL_RULE), (row.caret_value, r_value)


def assert_caret_value(row: CrosswalkRow, r_value):
    """A 'differs' row on an input where the values may coincide: the caret value is R's."""
    assert not row.caret_equal and row.why, row
    assert values_agree(r_value, row.caret_value, CARET_CALL_RULE), \
        f"{row.caret_statistic}: R {r_value!r}, {row.caret_call} {row.caret_value!r}"


def assert_differs(row: CrosswalkRow, r_value):
    """A 'differs' row: the library's value is not R's; the named caret call gives R's value."""
    assert not row.caret_equal and row.why, row
    assert not values_agree(r_value, row.value, Tolerance(rel=1e-6)), \
        f"{row.caret_statistic}: expected a difference, both {r_value!r}"
    assert values_agree(r_value, row.caret_value, CARET_CALL_RULE), \
        f"{row.caret_statistic}: R {r_value!r}, {row.caret_call} {row.caret_value!r}"


def classes(seed: int, n: int, k: int, accuracy: float = 0.6, absent_true: int | None = None):
    """True and predicted labels 0..k-1 of a classifier right with probability ``accuracy``."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    if absent_true is not None:
        y[y == absent_true] = (absent_true + 1) % k
    p = np.where(rng.random(n) < accuracy, y, rng.integers(0, k, n))
    return y, p


def probabilities(seed: int, y: np.ndarray, k: int, *, ties: bool = True) -> np.ndarray:
    """Class probabilities (rows sum to 1) that favour the true class."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(len(y), k))
    logits[np.arange(len(y)), y] += 1.0
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    if ties:
        probs = np.round(probs, 1)
        probs[:, -1] = 1 - probs[:, :-1].sum(axis=1)
        probs = np.clip(probs, 0.0, 1.0)
    return probs


def levels_of(*ys) -> list[str]:
    return [str(v) for v in sorted(set(np.concatenate(ys).tolist()))]


# --------------------------------------------------------------------------- not needing R


def test_every_entry_has_a_live_test():
    keys = [e.key for e in CROSSWALK]
    assert len(set(keys)) == len(keys)
    missing = [k for k in keys if f"test_entry_{k}" not in globals()]
    assert not missing, f"CROSSWALK entries without a live test: {missing}"


def test_map_call_rejects_unmapped_functions_and_bad_arguments():
    with pytest.raises(ValueError, match=r"'matthews_corrcoef': not mapped to caret; expected one of"):
        map_call("matthews_corrcoef", ([0, 1], [0, 1]), {}, 1.0)
    with pytest.raises(ValueError, match=r"accuracy_score: arguments it would not accept"):
        map_call("sklearn.metrics.accuracy_score", ([0, 1],), {"bogus": 1}, 1.0)
    with pytest.raises(ValueError, match=r"y_true: a 'multilabel-indicator' target"):
        map_call("precision_score", ([[0, 1], [1, 0]], [[0, 1], [1, 1]]), {"average": "samples"}, 0.5)
    with pytest.raises(ValueError, match=r"there must be at least 2 levels"):
        map_call("precision_score", ([1, 1, 1], [1, 1, 1]), {}, 1.0)
    with pytest.raises(ValueError, match=r"crosswalk entry 'nope': expected one of"):
        entry("nope")
    with pytest.raises(ValueError, match=r"table of shape \(2, 3\): expected a square k x k table"):
        map_call("mcnemar", (np.ones((2, 3)),), {}, mcnemar(np.ones((2, 2))))
    with pytest.raises(ValueError, match=r"count=7, nobs=5: expected whole numbers with 0 <= count <= nobs"):
        map_call("proportion_confint", (7, 5), {}, (0.0, 1.0))
    with pytest.raises(ValueError, match=r"table\[0, 1\] = 1.5: expected non-negative integer counts"):
        map_call("cohens_kappa", ([[1, 1.5], [2, 3]],), {"return_results": False}, 0.0)
    assert all(name.startswith(("sklearn.metrics.", "scipy.stats.", "statsmodels.stats."))
               for name in MAPPED_FUNCTIONS)


def test_short_and_qualified_names_map_alike():
    y, p = classes(1, 30, 3)
    result = skm.accuracy_score(y, p)
    assert map_call("accuracy_score", (y, p), {}, result) == \
        map_call("sklearn.metrics.accuracy_score", (), {"y_true": y, "y_pred": p}, result)


def test_every_mapped_function_gives_rows_of_known_entries():
    y, p = classes(36, 80, 3)
    probs = probabilities(36, y, 3, ties=False)
    obs, pred = _regression(36)
    k, n = int(np.sum(y == p)), len(y)
    calls = {
        "accuracy_score": (y, p), "cohen_kappa_score": (y, p), "confusion_matrix": (y, p),
        "precision_score": (y, p, {"average": "macro"}), "recall_score": (y, p, {"average": None}),
        "f1_score": (y, p, {"average": "weighted"}), "fbeta_score": (y, p, {"beta": 2.0, "average": "micro"}),
        "precision_recall_fscore_support": (y, p), "classification_report": (y, p),
        "balanced_accuracy_score": (y, p), "roc_auc_score": (y, probs, {"multi_class": "ovr"}),
        "log_loss": (y, probs), "mean_squared_error": (obs, pred), "root_mean_squared_error": (obs, pred),
        "mean_absolute_error": (obs, pred), "r2_score": (obs, pred), "pearsonr": (obs, pred),
        "binomtest": (k, n), "mcnemar": (skm.confusion_matrix(y, p),), "proportion_confint": (k, n),
        "cohens_kappa": (skm.confusion_matrix(y, p),),
    }
    assert sorted(calls) == sorted(name.rsplit(".", 1)[1] for name in MAPPED_FUNCTIONS)
    keys = {e.key for e in CROSSWALK}
    for name, call in calls.items():
        args, kwargs = (call[:-1], call[-1]) if isinstance(call[-1], dict) else (call, {})
        _, rows = rows_of(name, *args, **kwargs)
        assert rows, name
        for row in rows:
            assert row.entry in keys and row.caret_statistic and row.python_call and row.caret_call, row
            assert row.caret_equal or row.why, f"{name}: a differing row must say why: {row}"


def test_statsmodels_results_map_as_a_capture_records_them():
    """A capture records a result object by its attributes and a tuple of numbers as an array:
    the rows are those of the objects themselves."""
    from types import SimpleNamespace

    table = np.array([[20, 9], [3, 30]])
    kappa = cohens_kappa(table)
    assert map_call("cohens_kappa", (table,), {}, SimpleNamespace(**kappa)) == \
        map_call("cohens_kappa", (table,), {}, kappa)
    test = mcnemar(table, exact=False)
    assert map_call("mcnemar", (table,), {"exact": False}, SimpleNamespace(pvalue=test.pvalue)) == \
        map_call("mcnemar", (table,), {"exact": False}, test)
    limits = proportion_confint(50, 62, method="beta")
    rows = map_call("proportion_confint", (50, 62), {"method": "beta"}, np.array(limits))
    assert [(r.caret_statistic, r.value, r.caret_equal) for r in rows] == \
        [(r.caret_statistic, r.value, r.caret_equal)
         for r in map_call("proportion_confint", (50, 62), {"method": "beta"}, limits)]

def test_printed_classification_report_maps_unrounded_values():
    y, p = classes(2, 60, 3)
    printed = skm.classification_report(y, p)
    as_dict = skm.classification_report(y, p, output_dict=True)
    rows_printed = map_call("classification_report", (y, p), {}, printed)
    rows_dict = map_call("classification_report", (y, p), {"output_dict": True}, as_dict)
    assert [r.value for r in rows_printed] == [r.value for r in rows_dict]
    assert all("digits=2" in r.why for r in rows_printed)
    stats = {(r.caret_statistic, r.caret_class) for r in rows_dict}
    assert {("Accuracy", None), ("Sensitivity", "2"), ("Precision", "0"), ("F1", "1"),
            ("Mean_F1", None), ("Prevalence", "0")} <= stats


# --------------------------------------------------------------------------- live caret, per entry



@pytest.mark.r
def test_entry_accuracy(r):
    y, p = classes(3, 200, 4)
    lv = levels_of(y, p)
    r_acc = scalar(r.overall(strings(p), strings(y), lv, "Accuracy"))
    _, rows = rows_of("accuracy_score", y, p)
    assert_same(one(rows, "accuracy"), r_acc)
    _, rows = rows_of("precision_score", y, p, average="micro")  # micro precision is the accuracy
    assert_same(one(rows, "accuracy"), r_acc)
    _, rows = rows_of("accuracy_score", y, p, normalize=False)  # a count
    assert_differs(one(rows, "accuracy"), r_acc)


@pytest.mark.r
def test_entry_kappa(r):
    y, p = classes(4, 300, 5, accuracy=0.5)
    r_kappa = scalar(r.overall(strings(p), strings(y), levels_of(y, p), "Kappa"))
    _, rows = rows_of("cohen_kappa_score", y, p)
    assert_same(one(rows, "kappa"), r_kappa)
    _, rows = rows_of("cohen_kappa_score", y, p, weights="quadratic")
    assert_differs(one(rows, "kappa"), r_kappa)


@pytest.mark.r
def test_entry_table(r):
    y, p = classes(5, 120, 3, accuracy=0.3)
    r_table = r.table(strings(p), strings(y), levels_of(y, p))
    result, rows = rows_of("confusion_matrix", y, p)
    assert not np.array_equal(result, r_table) and np.array_equal(result.T, r_table)
    row = one(rows, "table")
    assert not row.caret_equal and "transpose" in row.why
    np.testing.assert_array_equal(row.caret_value, r_table)


@pytest.mark.r
def test_entry_sensitivity(r):
    y, p = classes(6, 150, 2)
    lv = levels_of(y, p)
    r_sens_1 = scalar(r.by_class(strings(p), strings(y), lv, "1", [], "Sensitivity", ""))
    r_sens_default = scalar(r.by_class(strings(p), strings(y), lv, [], [], "Sensitivity", ""))
    _, rows = rows_of("recall_score", y, p)  # pos_label=1; caret's default positive is "0"
    row = one(rows, "sensitivity")
    assert row.caret_class == "1"
    assert_same(row, r_sens_1)
    assert not values_agree(r_sens_default, row.value, Tolerance(rel=1e-6))
    # per class, three classes: one row per class, each caret's "Class: c" row
    y3, p3 = classes(7, 200, 3)
    result, rows = rows_of("recall_score", y3, p3, average=None)
    for c in ("0", "1", "2"):
        r_value = scalar(r.by_class(strings(p3), strings(y3), levels_of(y3, p3), [], [], "Sensitivity", c))
        assert_same(one(rows, "sensitivity", c), r_value)
    # zero_division: a class absent from y_true; caret's Sensitivity is NA
    y3, p3 = classes(8, 100, 3, absent_true=2)
    with pytest.warns(UndefinedMetricWarning, match="Recall is ill-defined"):
        _, rows = rows_of("recall_score", y3, p3, average=None)
    r_na = scalar(r.by_class(strings(p3), strings(y3), levels_of(y3, p3), [], [], "Sensitivity", "2"))
    row = one(rows, "sensitivity", "2")
    assert np.isnan(r_na) and row.value == 0.0 and is_na(row.caret_value)
    assert_differs(row, r_na)


@pytest.mark.r
def test_entry_specificity(r):
    y, p = classes(9, 150, 2)
    r_spec = scalar(r.by_class(strings(p), strings(y), levels_of(y, p), "1", [], "Specificity", ""))
    _, rows = rows_of("recall_score", y, p, pos_label=0)  # the recall of the other class
    row = one(rows, "specificity")
    assert row.caret_class == "1"
    assert_same(row, r_spec)


@pytest.mark.r
def test_entry_precision(r):
    y, p = classes(10, 150, 3)
    _, rows = rows_of("precision_score", y, p, average=None)
    for c in ("0", "1", "2"):
        r_value = scalar(r.by_class(strings(p), strings(y), levels_of(y, p), [], [], "Precision", c))
        assert_same(one(rows, "precision", c), r_value)
    # zero_division: class 2 never predicted; caret's Precision is NA
    p = np.where(p == 2, 0, p)
    _, rows = rows_of("precision_score", y, p, average=None, zero_division=1.0)
    r_na = scalar(r.by_class(strings(p), strings(y), levels_of(y, p), [], [], "Precision", "2"))
    row = one(rows, "precision", "2")
    assert row.value == 1.0
    assert_differs(row, r_na)
    _, rows = rows_of("precision_score", y, p, average=None, zero_division=np.nan)
    assert_same(one(rows, "precision", "2"), r_na)  # NaN where caret has NA


@pytest.mark.r
def test_entry_ppv(r):
    y, p = classes(11, 200, 2)
    lv = levels_of(y, p)
    r_ppv = scalar(r.by_class(strings(p), strings(y), lv, "1", [], "Pos Pred Value", ""))
    _, rows = rows_of("precision_score", y, p)
    row = one(rows, "ppv")
    assert_same(row, r_ppv)
    # with a prevalence, caret's PPV is Bayes' rule at that prevalence, not the precision
    r_ppv_prev = scalar(r.by_class(strings(p), strings(y), lv, "1", [0.2], "Pos Pred Value", ""))
    assert not values_agree(r_ppv_prev, row.value, Tolerance(rel=1e-6))
    port = confusion_matrix(strings(p), strings(y), positive="1", prevalence=0.2)
    assert values_agree(r_ppv_prev, port.by_class["Pos Pred Value"], CARET_CALL_RULE)


@pytest.mark.r
def test_entry_npv(r):
    y, p = classes(12, 200, 2)
    lv = levels_of(y, p)
    r_npv = scalar(r.by_class(strings(p), strings(y), lv, "1", [], "Neg Pred Value", ""))
    _, rows = rows_of("precision_score", y, p, pos_label=0)
    assert_same(one(rows, "npv"), r_npv)
    r_npv_prev = scalar(r.by_class(strings(p), strings(y), lv, "1", [0.7], "Neg Pred Value", ""))
    port = confusion_matrix(strings(p), strings(y), positive="1", prevalence=0.7)
    assert not values_agree(r_npv_prev, one(rows, "npv").value, Tolerance(rel=1e-6))
    assert values_agree(r_npv_prev, port.by_class["Neg Pred Value"], CARET_CALL_RULE)


@pytest.mark.r
def test_entry_f1(r):
    y, p = classes(13, 200, 3)
    _, rows = rows_of("f1_score", y, p, average=None)
    for c in ("0", "1", "2"):
        r_value = scalar(r.by_class(strings(p), strings(y), levels_of(y, p), [], [], "F1", c))
        assert_same(one(rows, "f1", c), r_value)
    # TP = 0 for class 2 (predicted and present, never both): caret 0/0 = NaN, scikit-learn 0
    p = np.where((y == 2) & (p == 2), 0, p)
    _, rows = rows_of("f1_score", y, p, average=None)
    r_nan = scalar(r.by_class(strings(p), strings(y), levels_of(y, p), [], [], "F1", "2"))
    row = one(rows, "f1", "2")
    assert np.isnan(r_nan) and row.value == 0.0 and not is_na(row.caret_value)
    assert_differs(row, r_nan)


@pytest.mark.r
def test_entry_fbeta(r):
    y, p = classes(14, 200, 2)
    r_f2 = scalar(r.f_meas(strings(p), strings(y), levels_of(y, p), "1", 2.0))
    _, rows = rows_of("fbeta_score", y, p, beta=2.0)
    row = one(rows, "fbeta")
    assert row.caret_statistic == "F_meas(beta = 2)"
    assert_same(row, r_f2)
    y, p = classes(35, 200, 3)
    _, rows = rows_of("fbeta_score", y, p, beta=0.5, average=None)
    for c in ("0", "1", "2"):
        r_value = scalar(r.f_meas_table(strings(p), strings(y), levels_of(y, p), c, 0.5))
        assert_same(one(rows, "fbeta", c), r_value)


@pytest.mark.r
def test_entry_prevalence(r):
    y, p = classes(15, 90, 3)
    _, rows = rows_of("precision_recall_fscore_support", y, p)
    for c in ("0", "1", "2"):
        r_prev = scalar(r.by_class(strings(p), strings(y), levels_of(y, p), [], [], "Prevalence", c))
        row = one(rows, "prevalence", c)
        assert_differs(row, r_prev)
        assert row.value / len(y) == r_prev
    # the other three parts of the same call are caret's by-class statistics
    r_rec = scalar(r.by_class(strings(p), strings(y), levels_of(y, p), [], [], "Recall", "1"))
    assert_same(one(rows, "sensitivity", "1"), r_rec)


@pytest.mark.r
def test_entry_balanced_accuracy(r):
    y, p = classes(16, 200, 2)
    r_ba = scalar(r.by_class(strings(p), strings(y), levels_of(y, p), [], [], "Balanced Accuracy", ""))
    _, rows = rows_of("balanced_accuracy_score", y, p)
    assert_same(one(rows, "balanced_accuracy"), r_ba)
    # two classes, one absent from y_true: scikit-learn drops it, caret has NA
    y1 = np.zeros(20, dtype=int)
    p1 = np.r_[np.zeros(15, dtype=int), np.ones(5, dtype=int)]
    r_na = scalar(r.by_class(strings(p1), strings(y1), ["0", "1"], [], [], "Balanced Accuracy", ""))
    with pytest.warns(UserWarning, match="y_pred contains classes not in y_true"):
        _, rows = rows_of("balanced_accuracy_score", y1, p1)
    assert_differs(one(rows, "balanced_accuracy"), r_na)


@pytest.mark.r
def test_entry_mean_sensitivity(r):
    y, p = classes(17, 300, 4)
    probs = probabilities(17, y, 4)
    lv = levels_of(y, p)
    r_mean = scalar(r.summary("multiClassSummary", strings(y), strings(p), probs, lv, "Mean_Sensitivity"))
    _, rows = rows_of("recall_score", y, p, average="macro")
    assert_same(one(rows, "mean_sensitivity"), r_mean)
    _, rows = rows_of("balanced_accuracy_score", y, p)  # k > 2: the macro recall
    assert_same(one(rows, "mean_sensitivity"), r_mean)
    # a class absent from y_true: caret's colMeans is NA, scikit-learn averages zero_division
    y, p = classes(18, 300, 4, absent_true=3)
    r_na = scalar(r.summary("multiClassSummary", strings(y), strings(p), probabilities(18, y, 4), lv,
                            "Mean_Sensitivity"))
    _, rows = rows_of("recall_score", y, p, average="macro", zero_division=0.0)
    assert_differs(one(rows, "mean_sensitivity"), r_na)


@pytest.mark.r
def test_entry_mean_precision(r):
    y, p = classes(19, 300, 4)
    lv = levels_of(y, p)
    r_mean = scalar(r.summary("multiClassSummary", strings(y), strings(p), probabilities(19, y, 4), lv,
                              "Mean_Precision"))
    _, rows = rows_of("precision_score", y, p, average="macro")
    assert_same(one(rows, "mean_precision"), r_mean)
    # a class never predicted: caret's mean is NA; zero_division=np.nan makes scikit-learn leave
    # the class out of its mean
    p = np.where(p == 3, 0, p)
    r_na = scalar(r.mcs(strings(p), strings(y), lv, "Mean_Precision"))
    _, rows = rows_of("precision_score", y, p, average="macro", zero_division=np.nan)
    assert_differs(one(rows, "mean_precision"), r_na)
    # two classes: multiClassSummary reports the first level's Precision, not a mean
    y, p = classes(34, 200, 2)
    r_first = scalar(r.summary("multiClassSummary", strings(y), strings(p), probabilities(34, y, 2),
                               levels_of(y, p), "Precision"))
    _, rows = rows_of("precision_score", y, p, average="macro")
    row = one(rows, "mean_precision")
    assert row.caret_statistic == "Precision" and row.caret_class == "0"
    assert_differs(row, r_first)


@pytest.mark.r
def test_entry_mean_f1(r):
    y, p = classes(20, 300, 4)
    lv = levels_of(y, p)
    r_mean = scalar(r.summary("multiClassSummary", strings(y), strings(p), probabilities(20, y, 4), lv,
                              "Mean_F1"))
    _, rows = rows_of("f1_score", y, p, average="macro")
    assert_same(one(rows, "mean_f1"), r_mean)
    _, rows = rows_of("classification_report", y, p, output_dict=True)  # its 'macro avg' row
    assert_same(one([x for x in rows if "macro avg" in x.python_call], "mean_f1"), r_mean)


@pytest.mark.r
def test_entry_weighted(r):
    # unbalanced classes, so the support-weighted mean is not the plain mean
    rng = np.random.default_rng(21)
    y = rng.choice(3, 300, p=[0.7, 0.2, 0.1])
    p = np.where(rng.random(300) < 0.6, y, rng.integers(0, 3, 300))
    lv = levels_of(y, p)
    r_prec = np.array([scalar(r.by_class(strings(p), strings(y), lv, [], [], "Precision", c)) for c in lv])
    r_prev = np.array([scalar(r.by_class(strings(p), strings(y), lv, [], [], "Prevalence", c)) for c in lv])
    r_weighted = float(np.sum(r_prec * r_prev))  # the weighted mean from caret's by-class values
    r_mean = scalar(r.summary("multiClassSummary", strings(y), strings(p), probabilities(21, y, 3), lv,
                              "Mean_Precision"))
    _, rows = rows_of("precision_score", y, p, average="weighted")
    row = one(rows, "weighted")
    assert not row.caret_equal
    assert not values_agree(r_mean, row.value, Tolerance(rel=1e-6))  # not caret's mean
    assert values_agree(r_weighted, row.value, CARET_CALL_RULE)  # caret's by-class values, weighted
    assert values_agree(r_weighted, row.caret_value, CARET_CALL_RULE)


@pytest.mark.r
def test_entry_mean_balanced_accuracy(r):
    y, p = classes(22, 300, 4)
    r_mba = scalar(r.summary("multiClassSummary", strings(y), strings(p), probabilities(22, y, 4),
                             levels_of(y, p), "Mean_Balanced_Accuracy"))
    _, rows = rows_of("balanced_accuracy_score", y, p)
    assert_differs(one(rows, "mean_balanced_accuracy"), r_mba)


def _two_class_probs(seed: int, n: int, *, informative: float):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    score = np.round(np.clip(0.5 + informative * (y - 0.5) + rng.normal(0, 0.25, n), 0, 1), 2)
    p = (score > 0.5).astype(int)
    return y, p, np.column_stack([1 - score, score]), score


@pytest.mark.r
def test_entry_roc(r):
    y, p, probs, score = _two_class_probs(23, 200, informative=0.4)  # rounded: ties
    r_roc = scalar(r.summary("twoClassSummary", strings(y), strings(p), probs, ["0", "1"], "ROC"))
    _, rows = rows_of("roc_auc_score", y, score)
    assert_same(one(rows, "roc"), r_roc)
    _, rows = rows_of("roc_auc_score", y, score, max_fpr=0.5)  # McClish's partial AUC
    assert_differs(one(rows, "roc"), r_roc)


@pytest.mark.r
def test_entry_proc_auto(r):
    # a classifier worse than chance: pROC's 'auto' turns the direction, twoClassSummary does not
    y, p, probs, score = _two_class_probs(24, 200, informative=-0.3)
    r_auto = scalar(r.proc_auto(strings(y), score, ["0", "1"]))
    result, rows = rows_of("roc_auc_score", y, score)
    assert result < 0.5
    assert_differs(one(rows, "proc_auto"), r_auto)
    assert_same(one(rows, "roc"), scalar(r.summary("twoClassSummary", strings(y), strings(p), probs,
                                                   ["0", "1"], "ROC")))
    y, p, probs, score = _two_class_probs(25, 200, informative=0.3)  # better than chance: the same
    _, rows = rows_of("roc_auc_score", y, score)
    assert_same(one(rows, "proc_auto"), scalar(r.proc_auto(strings(y), score, ["0", "1"])))


@pytest.mark.r
def test_entry_multiclass_auc(r):
    y, p = classes(26, 300, 4)
    probs = probabilities(26, y, 4, ties=False)  # scikit-learn requires rows summing to 1
    r_auc = scalar(r.summary("multiClassSummary", strings(y), strings(p), probs, levels_of(y, p), "AUC"))
    _, rows = rows_of("roc_auc_score", y, probs, multi_class="ovr")
    assert_same(one(rows, "multiclass_auc"), r_auc)
    _, rows = rows_of("roc_auc_score", y, probs, multi_class="ovo")  # Hand & Till
    assert_differs(one(rows, "multiclass_auc"), r_auc)


@pytest.mark.r
def test_entry_log_loss(r):
    y, p = classes(27, 300, 3)
    probs = probabilities(27, y, 3, ties=False)
    lv = levels_of(y, p)
    r_ll = scalar(r.summary("mnLogLoss", strings(y), strings(p), probs, lv, "logLoss"))
    _, rows = rows_of("log_loss", y, probs)
    assert_same(one(rows, "log_loss"), r_ll)
    # a true class given probability 0: caret clips at 1e-15, scikit-learn at 2.2e-16
    probs[0] = 0.0
    probs[0, (y[0] + 1) % 3] = 1.0
    r_ll = scalar(r.summary("mnLogLoss", strings(y), strings(p), probs, lv, "logLoss"))
    _, rows = rows_of("log_loss", y, probs)
    assert_differs(one(rows, "log_loss"), r_ll)


def _regression(seed: int, n: int = 100):
    rng = np.random.default_rng(seed)
    obs = rng.normal(10, 3, n)
    pred = 1.5 * obs - 4 + rng.normal(0, 1, n)  # correlated, but biased and mis-scaled
    return obs, pred


@pytest.mark.r
def test_entry_rmse(r):
    obs, pred = _regression(28)
    r_rmse = scalar(r.post_resample(pred, obs, "RMSE"))
    _, rows = rows_of("mean_squared_error", obs, pred)
    assert_differs(one(rows, "rmse"), r_rmse)
    _, rows = rows_of("root_mean_squared_error", obs, pred)
    assert_same(one(rows, "rmse"), r_rmse)


@pytest.mark.r
def test_entry_mae(r):
    obs, pred = _regression(29)
    _, rows = rows_of("mean_absolute_error", obs, pred)
    assert_same(one(rows, "mae"), scalar(r.post_resample(pred, obs, "MAE")))


@pytest.mark.r
def test_entry_rsquared(r):
    obs, pred = _regression(30)
    r_rsq = scalar(r.post_resample(pred, obs, "Rsquared"))
    _, rows = rows_of("r2_score", obs, pred)
    assert_differs(one(rows, "rsquared"), r_rsq)
    _, rows = rows_of("pearsonr", obs, pred)
    assert_differs(one(rows, "rsquared"), r_rsq)
    # constant predictions: caret's Rsquared is NA
    const = np.full_like(obs, 10.0)
    r_na = scalar(r.post_resample(const, obs, "Rsquared"))
    _, rows = rows_of("r2_score", obs, const)
    assert np.isnan(r_na)
    assert_differs(one(rows, "rsquared"), r_na)


@pytest.mark.r
def test_entry_r2_traditional(r):
    obs, pred = _regression(31)
    _, rows = rows_of("r2_score", obs, pred)
    assert_same(one(rows, "r2_traditional"), scalar(r.r2_traditional(pred, obs)))


@pytest.mark.r
def test_entry_accuracy_ci(r):
    y, p = classes(32, 500, 3)
    lv = levels_of(y, p)
    k, n = int(np.sum(y == p)), len(y)
    r_lower = scalar(r.overall(strings(p), strings(y), lv, "AccuracyLower"))
    r_upper = scalar(r.overall(strings(p), strings(y), lv, "AccuracyUpper"))
    _, rows = rows_of("binomtest", k, n)
    assert_same(one(rows, "accuracy_ci", statistic="AccuracyLower"), r_lower)
    assert_same(one(rows, "accuracy_ci", statistic="AccuracyUpper"), r_upper)
    _, rows = rows_of("binomtest", k, n, alternative="greater")  # a one-sided interval
    assert_differs(one(rows, "accuracy_ci", statistic="AccuracyLower"), r_lower)


@pytest.mark.r
def test_entry_accuracy_pvalue(r):
    y, p = classes(33, 500, 3, accuracy=0.1)  # accuracy near the NIR: a p-value far from 0 and 1
    lv = levels_of(y, p)
    k, n = int(np.sum(y == p)), len(y)
    nir = scalar(r.overall(strings(p), strings(y), lv, "AccuracyNull"))
    r_p = scalar(r.overall(strings(p), strings(y), lv, "AccuracyPValue"))
    assert 1e-6 < r_p < 0.999999
    _, rows = rows_of("binomtest", k, n, p=nir, alternative="greater")
    assert_same(one(rows, "accuracy_pvalue"), r_p)
    _, rows = rows_of("binomtest", k, n, p=nir)  # two-sided
    assert_differs(one(rows, "accuracy_pvalue"), r_p)


def table_overall(r, table, *stats: str) -> np.ndarray:
    """caret's confusionMatrix(as.table(table))$overall[stats], rows = Prediction."""
    return r.table_overall(np.asarray(table, dtype=float), list(stats))


def sm_rows(name, *args, **kwargs) -> tuple[object, list[CrosswalkRow]]:
    """rows_of for statsmodels, whose 0/0 on tables with empty cells is part of what is tested."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return rows_of(name, *args, **kwargs)


@pytest.mark.r
def test_entry_mcnemar(r):
    y, p = classes(54, 200, 2, accuracy=0.7)  # b = 23, c = 8: a p-value far from 1
    r_p = scalar(r.overall(strings(p), strings(y), levels_of(y, p), "McnemarPValue"))
    truth_rows = skm.confusion_matrix(y, p)  # scikit-learn's orientation; caret's is its transpose
    assert abs(truth_rows[0, 1] - truth_rows[1, 0]) > 1 and r_p < 0.05
    for table in (truth_rows.T, truth_rows):  # McNemar's statistic is symmetric: either orientation
        _, rows = sm_rows("mcnemar", table, exact=False)
        assert_same(one(rows, "mcnemar"), r_p)
        _, rows = sm_rows("mcnemar", table)  # exact=True: the binomial test
        assert_differs(one(rows, "mcnemar"), r_p)
        _, rows = sm_rows("mcnemar", table, exact=False, correction=False)
        assert_differs(one(rows, "mcnemar"), r_p)
    # b = c > 0: mcnemar.test leaves the statistic uncorrected (p = 1), mcnemar subtracts 1 anyway
    r_one = scalar(table_overall(r, [[10, 5], [5, 20]], "McnemarPValue"))
    assert r_one == 1.0
    _, rows = sm_rows("mcnemar", [[10, 5], [5, 20]], exact=False)
    assert_differs(one(rows, "mcnemar"), r_one)
    _, rows = sm_rows("mcnemar", [[10, 5], [5, 20]], exact=False, correction=False)
    assert_same(one(rows, "mcnemar"), r_one)
    # b = c = 0: R's 0/0 is NaN; mcnemar's corrected statistic is 1/0 (p = 0), its exact p is 1
    r_nan = scalar(table_overall(r, [[10, 0], [0, 7]], "McnemarPValue"))
    assert np.isnan(r_nan)
    for kwargs in ({"exact": False}, {}):
        _, rows = sm_rows("mcnemar", [[10, 0], [0, 7]], **kwargs)
        assert_differs(one(rows, "mcnemar"), r_nan)
    _, rows = sm_rows("mcnemar", [[10, 0], [0, 7]], exact=False, correction=False)  # 0/0 in both
    assert_same(one(rows, "mcnemar"), r_nan)


@pytest.mark.r
def test_entry_mcnemar_bowker(r):
    """k > 2: caret's McnemarPValue is Bowker's test; mcnemar tests one pair; the named
    SquareTable call gives caret's value only with shift_zeros=False and no empty pair."""
    y, p = classes(41, 300, 4, accuracy=0.4)
    table = skm.confusion_matrix(y, p).T
    assert np.all((table + table.T)[np.triu_indices(4, 1)] > 0)
    r_p = scalar(r.overall(strings(p), strings(y), levels_of(y, p), "McnemarPValue"))
    _, rows = sm_rows("mcnemar", table, exact=False)
    row = one(rows, "mcnemar")
    assert "Bowker" in row.why
    assert_differs(row, r_p)
    rule = Tolerance(rel=row.rtol, abs_floor=row.atol)
    for t in (table, table.T):
        assert values_agree(r_p, SquareTable(t, shift_zeros=False).symmetry().pvalue, rule)
    # an empty cell off the diagonal: the default shift_zeros=True counts it as 0.5
    zero_cell = np.array([[4, 0, 4], [5, 9, 2], [1, 6, 8]])
    r_zero = scalar(table_overall(r, zero_cell, "McnemarPValue"))
    assert values_agree(r_zero, SquareTable(zero_cell, shift_zeros=False).symmetry().pvalue, rule)
    assert not values_agree(r_zero, SquareTable(zero_cell).symmetry().pvalue, Tolerance(rel=1e-6))
    # an empty pair (n_12 + n_21 = 0): R's term is 0/0, so caret's p-value is NaN
    empty_pair = np.array([[7, 0, 4], [0, 9, 2], [1, 6, 8]])
    r_nan = scalar(table_overall(r, empty_pair, "McnemarPValue"))
    assert np.isnan(r_nan)
    assert np.isfinite(SquareTable(empty_pair, shift_zeros=False).symmetry().pvalue)
    _, rows = sm_rows("mcnemar", empty_pair, exact=False)
    assert_differs(one(rows, "mcnemar"), r_nan)


@pytest.mark.r
def test_entry_accuracy_ci_statsmodels(r):
    y, p = classes(42, 500, 3)
    lv = levels_of(y, p)
    k, n = int(np.sum(y == p)), len(y)
    r_lower = scalar(r.overall(strings(p), strings(y), lv, "AccuracyLower"))
    r_upper = scalar(r.overall(strings(p), strings(y), lv, "AccuracyUpper"))
    _, rows = sm_rows("proportion_confint", k, n, method="beta")
    assert_same(one(rows, "accuracy_ci_statsmodels", statistic="AccuracyLower"), r_lower)
    assert_same(one(rows, "accuracy_ci_statsmodels", statistic="AccuracyUpper"), r_upper)
    for kwargs in ({}, {"method": "wilson"}, {"method": "beta", "alpha": 0.1}):  # 'normal' by default
        _, rows = sm_rows("proportion_confint", k, n, **kwargs)
        assert_differs(one(rows, "accuracy_ci_statsmodels", statistic="AccuracyLower"), r_lower)
        assert_differs(one(rows, "accuracy_ci_statsmodels", statistic="AccuracyUpper"), r_upper)
    # small tables, none or all of them right (an end of the interval is 0 or 1), as arrays
    tables = ([[0, 3], [2, 0]], [[4, 0], [0, 1]], [[1, 0], [0, 0]], [[2, 1], [0, 0]])
    r_limits = np.array([table_overall(r, t, "AccuracyLower", "AccuracyUpper") for t in tables])
    counts = [int(np.trace(t)) for t in np.asarray(tables)]
    totals = [int(np.sum(t)) for t in tables]
    _, rows = sm_rows("proportion_confint", counts, totals, method="beta")
    assert_same(one(rows, "accuracy_ci_statsmodels", statistic="AccuracyLower"), r_limits[:, 0])
    assert_same(one(rows, "accuracy_ci_statsmodels", statistic="AccuracyUpper"), r_limits[:, 1])
    assert r_limits[0, 0] == 0.0 and r_limits[1, 1] == 1.0


@pytest.mark.r
def test_entry_kappa_statsmodels(r):
    y, p = classes(43, 300, 4, accuracy=0.5)
    lv = levels_of(y, p)
    r_kappa = scalar(r.overall(strings(p), strings(y), lv, "Kappa"))
    truth_rows = skm.confusion_matrix(y, p)
    for table in (truth_rows.T, truth_rows):  # Kappa is symmetric: either orientation
        _, rows = sm_rows("cohens_kappa", table)
        assert_same(one(rows, "kappa_statsmodels"), r_kappa)
        _, rows = sm_rows("cohens_kappa", table, return_results=False)
        assert_same(one(rows, "kappa_statsmodels"), r_kappa)
        for kwargs in ({"wt": "quadratic"}, {"wt": "linear"}, {"weights": [0, 1, 3, 4]}):
            _, rows = sm_rows("cohens_kappa", table, **kwargs)
            assert_differs(one(rows, "kappa_statsmodels"), r_kappa)
    # small tables with empty cells, one of them Kappa = 0 exactly
    for table in ([[3, 0, 1], [0, 0, 2], [1, 0, 4]], [[1, 1], [1, 1]], [[5, 0], [2, 0]]):
        r_small = scalar(table_overall(r, table, "Kappa"))
        _, rows = sm_rows("cohens_kappa", np.asarray(table))
        assert_same(one(rows, "kappa_statsmodels"), r_small)
    # pd.crosstab with a different class missing on each side: 2 x 2, paired by position
    y2 = np.array([0, 2, 2, 2, 0, 0, 2, 0, 2, 2])
    p2 = np.array([0, 0, 1, 1, 0, 1, 1, 0, 1, 0])
    crosstab = pd.crosstab(pd.Series(p2, name="Prediction"), pd.Series(y2, name="Reference"))
    assert crosstab.shape == (2, 2)
    r_three = scalar(r.overall(strings(p2), strings(y2), ["0", "1", "2"], "Kappa"))
    _, rows = sm_rows("cohens_kappa", crosstab)
    row = one(rows, "kappa_statsmodels")
    assert "same labels in the same order" in row.why
    assert_differs(row, r_three)


@pytest.mark.r
def test_statsmodels_rows_hold_over_many_tables(r):
    """McNemar (and Bowker's named call), Kappa and the Clopper-Pearson limits on 60 random tables
    (k = 2, 3, 5; 1 to about 3,000 cases; many empty cells): each row holds the claim it makes
    against caret's confusionMatrix of the same table."""
    rng = np.random.default_rng(77)
    stats = ("Kappa", "AccuracyLower", "AccuracyUpper", "McnemarPValue")
    mcnemar_rule = Tolerance(rel=entry("mcnemar").rtol, abs_floor=entry("mcnemar").atol)
    checked = 0
    for i in range(60):
        k = (2, 3, 5)[i % 3]
        table = rng.poisson(rng.uniform(0, 1, (k, k)) * 10 ** rng.uniform(0, 2.5))
        if table.sum() == 0:
            continue
        r_kappa, r_lower, r_upper, r_mcnemar = table_overall(r, table, *stats)
        for orientation in (table, table.T):
            _, rows = sm_rows("mcnemar", orientation, exact=False)
            row = one(rows, "mcnemar")
            (assert_same if row.caret_equal else assert_caret_value)(row, r_mcnemar)
            _, rows = sm_rows("cohens_kappa", orientation, return_results=False)
            row = one(rows, "kappa_statsmodels")
            assert_same(row, r_kappa)
        if k > 2 and np.all((table + table.T)[np.triu_indices(k, 1)] > 0):
            bowker = SquareTable(table, shift_zeros=False).symmetry().pvalue
            assert values_agree(r_mcnemar, bowker, mcnemar_rule), (table, r_mcnemar, bowker)
        _, rows = sm_rows("proportion_confint", int(np.trace(table)), int(table.sum()), method="beta")
        assert_same(one(rows, "accuracy_ci_statsmodels", statistic="AccuracyLower"), r_lower)
        assert_same(one(rows, "accuracy_ci_statsmodels", statistic="AccuracyUpper"), r_upper)
        checked += 1
    assert checked >= 55


#: (mapped call, its kwargs, row entry) checked against confusionMatrix over many inputs
_BY_CLASS_CALLS = (
    ("recall_score", {"average": None}, "sensitivity", "Sensitivity"),
    ("precision_score", {"average": None}, "precision", "Precision"),
    ("precision_score", {"average": None}, "ppv", "Pos Pred Value"),
    ("f1_score", {"average": None}, "f1", "F1"),
)


@pytest.mark.r
@pytest.mark.parametrize("k", [2, 3, 6])
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.UndefinedMetricWarning")  # zero_division cases
def test_same_definitions_hold_over_many_inputs(r, k):
    """The 'same definition' rows within their rule on 12 random tables per k (sizes 5..2000,
    accuracies 0.05..0.95): the exact rules are bit-identical every time."""
    from python_impl.caret import BY_CLASS_NAMES, OVERALL_NAMES

    rng = np.random.default_rng(1000 + k)
    checked = 0
    for seed in range(12):
        n = int(rng.integers(5, 2000))
        y, p = classes(seed, n, k, accuracy=float(rng.uniform(0.05, 0.95)))
        lv = levels_of(y, p)
        if len(lv) < 2:
            continue
        if len(lv) == 2:  # byClass is the positive class's: one call per positive class
            r_all = {c: r.all(strings(p), strings(y), lv, c) for c in lv}
            overall = dict(zip(OVERALL_NAMES, r_all["0"][:7], strict=True))
            by_class = {c: v[7:] for c, v in r_all.items()}
        else:
            both = r.all(strings(p), strings(y), lv, [])
            overall = dict(zip(OVERALL_NAMES, both[:7], strict=True))
            by_class = dict(zip(lv, both[7:].reshape(-1, 11), strict=True))

        def r_by_class(stat: str, c: str, by_class=by_class) -> float:
            return float(by_class[c][BY_CLASS_NAMES.index(stat)])

        for name, kwargs, key, stat in _BY_CLASS_CALLS:
            _, rows = rows_of(name, y, p, **kwargs)
            for row in rows:
                if row.entry == key and row.caret_equal:
                    assert_same(row, r_by_class(stat, row.caret_class))
                    checked += 1
        for name, key, stat in (("accuracy_score", "accuracy", "Accuracy"),
                                ("cohen_kappa_score", "kappa", "Kappa")):
            _, rows = rows_of(name, y, p)
            assert_same(one(rows, key), overall[stat])
            checked += 1
        # macro averages, zero_division as given: caret's multiClassSummary (NA when a class is)
        for zero_division in ("warn", np.nan):
            rows = [row for name in ("precision_score", "recall_score", "f1_score")
                    for row in rows_of(name, y, p, average="macro", zero_division=zero_division)[1]
                    if row.entry.startswith("mean_")]
            r_means = r.mcs(strings(p), strings(y), lv, [row.caret_statistic for row in rows])
            for row, r_mean in zip(rows, r_means, strict=True):
                (assert_same if row.caret_equal else assert_caret_value)(row, r_mean)
                checked += 1
        if len(lv) == 2:
            _, rows = rows_of("balanced_accuracy_score", y, p)
            row = one(rows, "balanced_accuracy")
            if row.caret_equal:
                assert_same(row, r_by_class("Balanced Accuracy", row.caret_class))
                checked += 1
    assert checked > 12 * 2 * k


@pytest.mark.r
def test_scores_hold_over_many_inputs(r):
    """ROC, pROC's auto direction, logLoss and postResample's statistics on 10 random inputs each
    (sizes 10..3000, informative and uninformative scores, with and without ties)."""
    rng = np.random.default_rng(2024)
    same_log_loss = 0
    for seed in range(10):
        n = int(rng.integers(10, 3000))
        informative = float(rng.uniform(-0.4, 0.4))
        y, p, probs, score = _two_class_probs(100 + seed, n, informative=informative)
        if seed % 2:  # no ties, no probability 0 or 1
            score = np.clip(score + rng.normal(0, 1e-3, n), 1e-3, 1 - 1e-3)
            probs = np.column_stack([1 - score, score])
        if len(set(y.tolist())) < 2 or len(set(p.tolist())) < 2:
            continue
        _, rows = rows_of("roc_auc_score", y, score)
        assert_same(one(rows, "roc"), scalar(r.summary("twoClassSummary", strings(y), strings(p), probs,
                                                       ["0", "1"], "ROC")))
        row, r_auto = one(rows, "proc_auto"), scalar(r.proc_auto(strings(y), score, ["0", "1"]))
        (assert_same if row.caret_equal else assert_caret_value)(row, r_auto)
        _, rows = rows_of("log_loss", y, probs)  # probabilities 0 and 1 (clipped scores): differs
        row, r_ll = one(rows, "log_loss"), scalar(r.summary("mnLogLoss", strings(y), strings(p), probs,
                                                            ["0", "1"], "logLoss"))
        (assert_same if row.caret_equal else assert_caret_value)(row, r_ll)
        same_log_loss += row.caret_equal
        obs = rng.normal(0, 10 ** rng.uniform(-3, 3), n)
        pred = obs * rng.uniform(0.5, 2) + rng.normal(0, 1, n) * np.std(obs)
        for name, key, stat in (("root_mean_squared_error", "rmse", "RMSE"),
                                ("mean_absolute_error", "mae", "MAE"),
                                ("r2_score", "rsquared", "Rsquared")):
            _, rows = rows_of(name, obs, pred)
            row, r_value = one(rows, key), scalar(r.post_resample(pred, obs, stat))
            (assert_same if row.caret_equal else assert_caret_value)(row, r_value)
        assert_same(one(rows, "r2_traditional"), scalar(r.r2_traditional(pred, obs)))
    assert same_log_loss >= 3


def test_readme_holds_the_crosswalk_table():
    """The README's crosswalk table is ``markdown_table()``, not a copy that drifts."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert markdown_table().strip() in readme
