"""Python's statistics libraries mapped to caret's statistics: the crosswalk.

A port often computes caret's statistics with scikit-learn, statsmodels or SciPy. :data:`CROSSWALK` says,
for each caret statistic, which library calls give it, whether their definition is caret's and,
where it is not, why and which Python call gives caret's value. :func:`map_call` applies it to
one captured call (its function, arguments and result) and returns :class:`CrosswalkRow` s: the
library's value, the caret statistic it stands for, whether it equals caret's on this call, and
caret's value by the named Python call on the same inputs.

A difference is information, not a failure: a port may compute a library's statistic for
another purpose.

Orientation and names are caret's: ``confusionMatrix(data = predictions, reference = truth)``,
rows = Prediction; by-class statistics belong to a level (``caret_class``); a two-class table's
positive class is its first level unless ``positive`` is given (scikit-learn's is ``pos_label``,
default 1). Levels are the sorted union of both label vectors, as scikit-learn's
``unique_labels`` sorts them and as R's ``factor()`` does for numbers and, in the C locale,
for strings (other locales collate strings differently: the first level can differ).

statsmodels' calls take a contingency table (``mcnemar``, ``cohens_kappa``) or counts
(``proportion_confint``). McNemar's statistic and Kappa are symmetric in the table's transpose,
so either orientation (caret's rows = Prediction, or scikit-learn's rows = truth) gives caret's
value; a DataFrame's labels are aligned as statsmodels' ``mcnemar`` aligns them (the sorted union
of index and columns, a missing label a zero row or column).

This module is a leaf: it imports NumPy, pandas and :mod:`python_impl.caret`; scikit-learn (a
test extra, not a dependency) only inside the functions that map its calls, and the mapped
library's function itself (scikit-learn's, SciPy's, statsmodels') only when :func:`map_call`
binds its arguments.

Examples
--------
>>> rows = map_call("sklearn.metrics.r2_score", ([1.0, 2.0, 3.0], [2.0, 3.0, 4.0]), {}, -0.5)
>>> [(r.caret_statistic, r.caret_equal, round(float(r.caret_value), 12)) for r in rows]
[('Rsquared', False, 1.0), ('R2(formula = "traditional")', True, -0.5)]
"""

from __future__ import annotations

import importlib
import inspect
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from python_impl.caret import (
    RWarning,
    binom_ci,
    confusion_matrix,
    confusion_matrix_from_table,
    f_meas,
    mn_log_loss,
    multi_class_summary,
    post_resample,
    roc_auc,
)
from python_impl.caret.confusion import level_string
from python_impl.caret.roc import resolve_direction, roc_split
from python_impl.caret.toms708 import pbeta

__all__ = ["CrosswalkEntry", "CrosswalkRow", "CROSSWALK", "MAPPED_FUNCTIONS", "map_call", "entry",
           "markdown_table"]

#: agreement rules (rtol, atol) of a library's value with caret's where the definition is the same
EXACT = (0.0, 0.0)  # the same IEEE operations: one division of two exact integer sums
REL_1E12 = (1e-12, 0.0)  # the same formula, different operation order or extended-precision sums
#: SciPy's exact binomial CI is a root of binom.sf/cdf found by brentq with its default
#: xtol = 2e-12 (absolute); R inverts the beta distribution (qbeta)
BRENTQ_XTOL = (0.0, 2e-12)
#: Boost's incomplete beta (SciPy) vs R's TOMS 708: measured <= 6.1e-13 relative down to 1e-150,
#: up to 3.0e-12 in the deep tail (p-values near 1e-200)
REL_1E11 = (1e-11, 0.0)
#: statsmodels' chi-square p-values (scipy.stats.chi2.sf, Cephes) vs R's pchisq: measured
#: <= 1.6e-13 relative down to 1e-276 on 600 tables; below the normal range SciPy returns 0
#: where R returns a subnormal (4.4e-312): the project's rule for caret's p-values
#: (parity.rules.compare.STATS)
CHI2_SF = (1e-12, 1e-300)
#: statsmodels' Clopper-Pearson limits (Boost's inverse incomplete beta, scipy.stats.beta.ppf/isf)
#: vs R's qbeta: measured <= 1.3e-13 absolute on 3,071 (k, n), n up to 1e7; relative up to
#: 6.6e-11 for limits near 0 (5.6e-7 for k = 1, n = 1e7), so the rule is absolute
QBETA_ABS = (0.0, 1e-12)
#: Kappa from a table, the same formula in another operation order: relative 1e-12, and absolute
#: 1e-15 near Kappa = 0, where p0 - pc cancels (measured <= 1.4e-16 absolute, <= 5e-14 relative
#: on 1,500 tables)
KAPPA_TABLE = (1e-12, 1e-15)


@dataclass(frozen=True)
class CrosswalkEntry:
    """One caret statistic and the library calls that compute it (a row of README's table).

    Attributes
    ----------
    key : str
        Identifier of the entry (rows and tests refer to it).
    caret_statistic : str
        caret's name, exactly as caret reports it.
    caret_source : str
        Where caret reports it.
    python_calls : tuple of str
        The library calls that compute it (or a value the entry relates to it).
    same_definition : bool
        Whether the library's definition is caret's (with the exceptions in ``difference``).
    difference : str
        Why and where they differ; empty when never.
    caret_call : str
        The Python call that gives caret's value.
    rtol, atol : float
        Agreement of the library's value with caret's where the definition is the same:
        ``|caret - value| <= rtol * |caret|`` or ``<= atol`` (NaN and NA equal only NaN and NA),
        i.e. ``parity.compare.Tolerance(rel=rtol, abs_floor=atol)``.
    """

    key: str
    caret_statistic: str
    caret_source: str
    python_calls: tuple[str, ...]
    same_definition: bool
    difference: str
    caret_call: str
    rtol: float = 0.0
    atol: float = 0.0


@dataclass(frozen=True)
class CrosswalkRow:
    """One library value of a captured call, mapped to a caret statistic.

    Attributes
    ----------
    python_call : str
        The library function with the options that decide the mapping.
    value : float or numpy.ndarray
        The library's value.
    caret_statistic : str
        caret's name for the statistic this value stands for.
    caret_class : str or None
        The level a by-class statistic is for (caret's ``positive``, or the ``"Class: <level>"``
        row), as R's ``factor()`` writes it; None for overall statistics.
    caret_equal : bool
        Whether the value is caret's on this call (within the entry's rtol/atol).
    why : str
        Why it differs on this call; for an equal row, the condition it rests on, if any.
    caret_call : str
        The Python call that gives caret's value (a :mod:`python_impl.caret` function; in
        parentheses, the expression that equals it).
    caret_value : float or numpy.ndarray
        caret's value on the captured inputs (NaN where caret has NA or NaN), computed with
        :func:`python_impl.caret.confusion_matrix` or the NumPy/scikit-learn expression in
        ``caret_call``.
    entry : str
        The :class:`CrosswalkEntry` key.
    rtol, atol : float
        The entry's agreement rule for an equal row.
    """

    python_call: str
    value: Any
    caret_statistic: str
    caret_class: str | None
    caret_equal: bool
    why: str
    caret_call: str
    caret_value: Any
    entry: str
    rtol: float
    atol: float


_CM = "python_impl.caret.confusion_matrix(y_pred, y_true"
_GIVEN = "_given"  # key of the bound arguments: the names the caller passed (not defaulted)
_ZERO_DIV = ("zero_division: where the denominator is 0 caret reports NA, scikit-learn the "
             "zero_division value (0.0 by default); only zero_division=np.nan gives a missing value")

CROSSWALK: tuple[CrosswalkEntry, ...] = (
    CrosswalkEntry(
        "accuracy", "Accuracy", "confusionMatrix $overall; postResample / defaultSummary (factors)",
        ("sklearn.metrics.accuracy_score", "precision/recall/f1/fbeta_score(average='micro')",
         "classification_report['accuracy']"),
        True, "normalize=False gives the count of correct predictions; sample_weight weighs cases, "
        "caret counts each once; average='micro' with labels= leaving out a class is no longer "
        "the accuracy", f"{_CM}).overall['Accuracy']", *EXACT),
    CrosswalkEntry(
        "kappa", "Kappa", "confusionMatrix $overall; postResample / defaultSummary (factors)",
        ("sklearn.metrics.cohen_kappa_score",), True,
        "weights='linear'/'quadratic' is a weighted kappa (caret's is unweighted); labels= leaving "
        "out a class and sample_weight change the table; replace_undefined_by= where caret has NaN",
        f"{_CM}).overall['Kappa']", *REL_1E12),
    CrosswalkEntry(
        "table", "table", "confusionMatrix $table",
        ("sklearn.metrics.confusion_matrix",), False,
        "scikit-learn's rows are the true classes, caret's rows are the predictions: caret's "
        "table is the transpose (labels= in another order or leaving out a class, normalize= and "
        "sample_weight change it further)", f"{_CM}).table  (= result.T)", *EXACT),
    CrosswalkEntry(
        "sensitivity", "Sensitivity", "confusionMatrix $byClass (also 'Recall'); twoClassSummary 'Sens'",
        ("sklearn.metrics.recall_score(pos_label=c)", "recall_score(average=None)",
         "precision_recall_fscore_support", "classification_report"), True,
        "caret's positive class is its first level unless positive= is given; scikit-learn's is "
        f"pos_label (default 1). {_ZERO_DIV}", f"{_CM}, positive=c).by_class['Sensitivity']", *EXACT),
    CrosswalkEntry(
        "specificity", "Specificity", "confusionMatrix $byClass; twoClassSummary 'Spec'",
        ("sklearn.metrics.recall_score(pos_label=<the other class>)",), True,
        f"two classes: the recall of the class that is not caret's positive. {_ZERO_DIV}",
        f"{_CM}, positive=c).by_class['Specificity']", *EXACT),
    CrosswalkEntry(
        "precision", "Precision", "confusionMatrix $byClass (mode 'prec_recall'/'everything')",
        ("sklearn.metrics.precision_score(pos_label=c)", "precision_score(average=None)",
         "precision_recall_fscore_support", "classification_report"), True,
        f"the positive class as for Sensitivity. {_ZERO_DIV}",
        f"{_CM}, positive=c).by_class['Precision']", *EXACT),
    CrosswalkEntry(
        "ppv", "Pos Pred Value", "confusionMatrix $byClass",
        ("sklearn.metrics.precision_score(pos_label=c)",), True,
        "caret computes it from sensitivity, specificity and prevalence (Bayes' rule): precision "
        "to rounding at the observed prevalence (caret's default); with confusionMatrix(prevalence=) "
        "it differs; NA where the sensitivity or specificity is NA (a class absent from y_true, "
        f"or present in every case) while the precision is defined. {_ZERO_DIV}",
        f"{_CM}, positive=c, prevalence=...).by_class['Pos Pred Value']",
        *REL_1E12),
    CrosswalkEntry(
        "npv", "Neg Pred Value", "confusionMatrix $byClass",
        ("sklearn.metrics.precision_score(pos_label=<the other class>)",), True,
        "two classes: the precision of the class that is not caret's positive, at the observed "
        f"prevalence; with confusionMatrix(prevalence=) it differs. {_ZERO_DIV}",
        f"{_CM}, positive=c, prevalence=...).by_class['Neg Pred Value']", *REL_1E12),
    CrosswalkEntry(
        "f1", "F1", "confusionMatrix $byClass (mode 'prec_recall'/'everything')",
        ("sklearn.metrics.f1_score(pos_label=c)", "fbeta_score(beta=1)", "f1_score(average=None)",
         "precision_recall_fscore_support", "classification_report"), True,
        "caret's F1 is 2PR/(P+R) of its precision and recall: NaN when TP = 0 (0/0), NA when "
        "precision or recall is NA; scikit-learn's is 2TP/(2TP+FP+FN): 0 when TP = 0 "
        "(zero_division only when TP+FP+FN = 0)", f"{_CM}, positive=c).by_class['F1']", *REL_1E12),
    CrosswalkEntry(
        "fbeta", "F_meas(beta = b)", "caret::F_meas(data, reference, relevant = c, beta = b)",
        ("sklearn.metrics.fbeta_score(beta=b, pos_label=c)",), True,
        "as for F1 (caret's F_meas is (1+b^2)PR/(b^2 P+R)); confusionMatrix reports F1 (beta = 1) only",
        f"python_impl.caret.f_meas({_CM}).table, relevant=c, beta=b)", *REL_1E12),
    CrosswalkEntry(
        "prevalence", "Prevalence", "confusionMatrix $byClass",
        ("precision_recall_fscore_support(...)[3] (support)", "classification_report[c]['support']"),
        False, "support is the class's count in y_true; caret's Prevalence is that count / n",
        f"{_CM}, positive=c).by_class['Prevalence']  (= support / n)", *EXACT),
    CrosswalkEntry(
        "balanced_accuracy", "Balanced Accuracy", "confusionMatrix $byClass",
        ("sklearn.metrics.balanced_accuracy_score",), True,
        "two classes: (Sensitivity + Specificity) / 2 in both, but scikit-learn drops a class "
        "absent from y_true (caret: NA); k > 2: scikit-learn's is the macro recall "
        "(multiClassSummary's Mean_Sensitivity) while caret's is per class, (Sensitivity + "
        "Specificity) / 2 one-vs-rest, averaged as Mean_Balanced_Accuracy; adjusted=True rescales "
        "it to chance 0", f"{_CM}).by_class['Balanced Accuracy'] (k > 2: its mean)", *EXACT),
    CrosswalkEntry(
        "mean_sensitivity", "Mean_Sensitivity", "multiClassSummary (k > 2; also Mean_Recall)",
        ("sklearn.metrics.recall_score(average='macro')", "balanced_accuracy_score (k > 2)",
         "classification_report['macro avg']['recall']"), True,
        "caret's colMeans is NA when some class's value is NA (a class absent from y_true); "
        "scikit-learn averages the zero_division value there, or leaves the class out with "
        "zero_division=np.nan (balanced_accuracy_score drops it); "
        "two classes: the macro recall is caret's Balanced Accuracy",
        "python_impl.caret.multi_class_summary(data, lev)['Mean_Sensitivity']  "
        f"(= {_CM}).by_class['Sensitivity'].mean())", *REL_1E12),
    CrosswalkEntry(
        "mean_precision", "Mean_Precision", "multiClassSummary (k > 2; also Mean_Pos_Pred_Value)",
        ("sklearn.metrics.precision_score(average='macro')",
         "classification_report['macro avg']['precision']"), True,
        "NA in caret when some class's precision is NA (a class never predicted); scikit-learn "
        "averages the zero_division value there, or leaves the class out with zero_division=np.nan; "
        "two classes: multiClassSummary reports the first level's value, not a mean",
        "python_impl.caret.multi_class_summary(data, lev)['Mean_Precision']  "
        f"(= {_CM}).by_class['Precision'].mean())", *REL_1E12),
    CrosswalkEntry(
        "mean_f1", "Mean_F1", "multiClassSummary (k > 2)",
        ("sklearn.metrics.f1_score(average='macro')", "classification_report['macro avg']['f1-score']"),
        True, "NA/NaN in caret when some class's F1 is (see F1); two classes: multiClassSummary "
        "reports the first level's F1", "python_impl.caret.multi_class_summary(data, lev)['Mean_F1']  "
        f"(= {_CM}).by_class['F1'].mean())", *REL_1E12),
    CrosswalkEntry(
        "weighted", "(no caret statistic)", "-",
        ("precision/recall/f1/fbeta_score(average='weighted')", "classification_report['weighted avg']"),
        False, "a support-weighted mean over classes; caret reports per-class values and their "
        "unweighted means only",
        f"np.average({_CM}).by_class[stat], weights=by_class['Prevalence'])", *REL_1E12),
    CrosswalkEntry(
        "mean_balanced_accuracy", "Mean_Balanced_Accuracy", "multiClassSummary (k > 2)",
        ("sklearn.metrics.balanced_accuracy_score (k > 2)",), False,
        "scikit-learn's balanced accuracy is the macro recall; caret's is the mean of the "
        "per-class (Sensitivity + Specificity) / 2",
        "python_impl.caret.multi_class_summary(data, lev)['Mean_Balanced_Accuracy']  "
        f"(= {_CM}).by_class['Balanced Accuracy'].mean())",
        *REL_1E12),
    CrosswalkEntry(
        "roc", "ROC", "twoClassSummary (pROC::roc(obs, prob of level 1, direction = '>'))",
        ("sklearn.metrics.roc_auc_score (binary)",), True,
        "the same area (ties count 1/2) with the direction fixed; y_score must be the probability "
        "of the greater label (caret's second level); max_fpr= is McClish's standardized partial "
        "AUC; sample_weight weighs cases",
        "python_impl.caret.roc_auc(y_true, y_score, direction='<')  (= twoClassSummary's ROC, "
        "python_impl.caret.two_class_summary(data, lev)['ROC'], which takes 1 - y_score with '>')",
        *REL_1E12),
    CrosswalkEntry(
        "proc_auto", "auc (pROC::roc, direction = 'auto')", "pROC::roc(response, predictor)$auc",
        ("sklearn.metrics.roc_auc_score (binary)",), False,
        "pROC's default direction 'auto' compares the medians of the two groups and takes '>' "
        "when the first level's median is larger: then its AUC is 1 - scikit-learn's (which "
        "keeps the direction fixed)",
        "python_impl.caret.roc_auc(y_true, y_score)  (direction='auto'; = 1 - roc_auc_score(...) "
        "when the first level's median score is the larger)",
        *REL_1E12),
    CrosswalkEntry(
        "multiclass_auc", "AUC", "multiClassSummary (mean of one-vs-all pROC::roc, direction = '<')",
        ("sklearn.metrics.roc_auc_score(multi_class='ovr', average='macro')",), True,
        "multi_class='ovo' is Hand & Till's pairwise mean; average='weighted' weighs by support",
        "python_impl.caret.multi_class_summary(data, lev)['AUC']  (= sklearn.metrics.roc_auc_score(y_true, "
        "y_score, multi_class='ovr', average='macro'))", *REL_1E12),
    CrosswalkEntry(
        "log_loss", "logLoss", "mnLogLoss (ModelMetrics::mlogLoss); multiClassSummary",
        ("sklearn.metrics.log_loss",), True,
        "caret clips probabilities to [1e-15, 1 - 1e-15], scikit-learn to [eps, 1 - eps] with "
        "eps = 2.2e-16 (float64): they differ when a true class's probability is outside "
        "[1e-15, 1 - 1e-15]; normalize=False is the sum; sample_weight weighs cases",
        "python_impl.caret.mn_log_loss(data, lev)['logLoss']  "
        "(= -np.mean(np.log(np.clip(p_true, 1e-15, 1 - 1e-15))))", *REL_1E12),
    CrosswalkEntry(
        "rmse", "RMSE", "postResample / defaultSummary (numeric)",
        ("sklearn.metrics.mean_squared_error", "sklearn.metrics.root_mean_squared_error"), False,
        "mean_squared_error is the mean squared error, caret reports its square root "
        "(root_mean_squared_error is caret's); multioutput= and sample_weight differ",
        "python_impl.caret.post_resample(y_pred, y_true)['RMSE']  "
        "(= sklearn.metrics.root_mean_squared_error(y_true, y_pred))", *REL_1E12),
    CrosswalkEntry(
        "mae", "MAE", "postResample / defaultSummary (numeric)",
        ("sklearn.metrics.mean_absolute_error",), True,
        "multioutput= and sample_weight differ",
        "python_impl.caret.post_resample(y_pred, y_true)['MAE']  "
        "(= sklearn.metrics.mean_absolute_error(y_true, y_pred))",
        *REL_1E12),
    CrosswalkEntry(
        "rsquared", "Rsquared", "postResample / defaultSummary (numeric)",
        ("sklearn.metrics.r2_score", "scipy.stats.pearsonr"), False,
        "caret's Rsquared is cor(pred, obs)^2 (NA when either is constant); r2_score is "
        "1 - SS_res/SS_tot, which is below cor^2 for biased or mis-scaled predictions and can be "
        "negative; pearsonr gives r, not r^2",
        "python_impl.caret.post_resample(y_pred, y_true)['Rsquared']  (= np.corrcoef(y_true, y_pred)[0, 1] "
        "** 2 = scipy.stats.pearsonr(...).statistic ** 2; NA for a constant vector)",
        *REL_1E12),
    CrosswalkEntry(
        "r2_traditional", 'R2(formula = "traditional")', "caret::R2(pred, obs, formula = 'traditional')",
        ("sklearn.metrics.r2_score",), True,
        "a constant y_true: caret divides by 0 (-Inf or NaN), r2_score reports 1.0 or 0.0 "
        "(force_finite=True)", "sklearn.metrics.r2_score(y_true, y_pred)", *REL_1E12),
    CrosswalkEntry(
        "accuracy_ci", "AccuracyLower / AccuracyUpper", "confusionMatrix $overall (binom.test's CI)",
        ("scipy.stats.binomtest(k, n).proportion_ci()",), True,
        "both Clopper-Pearson (exact) 95% two-sided; method='wilson'/'wilsoncc' are approximations, "
        "alternative='less'/'greater' gives a one-sided interval, another confidence_level "
        "another interval", "python_impl.caret.binom_ci(k, n)", *BRENTQ_XTOL),
    CrosswalkEntry(
        "accuracy_pvalue", "AccuracyPValue", "confusionMatrix $overall (binom.test(x, n, NIR, 'greater'))",
        ("scipy.stats.binomtest(k, n, p=NIR, alternative='greater').pvalue",), True,
        "caret's test is one-sided ('greater') against p = AccuracyNull (the largest class's share "
        "of the reference); binomtest's default is two-sided against p = 0.5",
        "python_impl.caret.toms708.pbeta(NIR, k, n - k + 1)  (R's pbeta)", *REL_1E11),
    CrosswalkEntry(
        "mcnemar", "McnemarPValue", "confusionMatrix $overall (mcnemar.test(table))",
        ("statsmodels.stats.contingency_tables.mcnemar(table, exact=False, correction=True).pvalue",), True,
        "caret's is R's mcnemar.test: 2x2, the chi-square test with continuity correction, "
        "(|b - c| - 1)^2 / (b + c), uncorrected when b = c (p = 1; NaN when b = c = 0); k > 2, "
        "Bowker's symmetry test over every pair (NaN when some n_ij + n_ji = 0). mcnemar's default "
        "exact=True is the exact binomial test; correction=False drops the correction; with b = c "
        "it corrects anyway (p < 1; p = 0 when b = c = 0); on a k x k table it tests cells [0, 1] "
        "and [1, 0] only. Either orientation (the statistic is symmetric)",
        "python_impl.caret.confusion_matrix_from_table(table).overall['McnemarPValue']  (k > 2: = "
        "statsmodels.stats.contingency_tables.SquareTable(table, shift_zeros=False).symmetry().pvalue "
        "when every n_ij + n_ji > 0; the default shift_zeros=True turns empty cells into 0.5)",
        *CHI2_SF),
    CrosswalkEntry(
        "accuracy_ci_statsmodels", "AccuracyLower / AccuracyUpper",
        "confusionMatrix $overall (binom.test's CI)",
        ("statsmodels.stats.proportion.proportion_confint(count, nobs, method='beta')",), True,
        "method='beta' is Clopper-Pearson (exact), binom.test's interval; the default method='normal' "
        "is the Wald interval (normal approximation, clipped to [0, 1]), 'wilson', 'agresti_coull', "
        "'jeffreys' and 'binom_test' are other intervals; alpha other than 0.05 another level",
        "python_impl.caret.binom_ci(count, nobs)", *QBETA_ABS),
    CrosswalkEntry(
        "kappa_statsmodels", "Kappa", "confusionMatrix $overall (e1071::classAgreement)",
        ("statsmodels.stats.inter_rater.cohens_kappa(table)['kappa']",
         "cohens_kappa(table, return_results=False)"), True,
        "its input is the table (either orientation: Kappa is symmetric); weights= or wt= give a "
        "weighted kappa (wt alone: weights 0..k-1), caret's is unweighted; a DataFrame whose rows "
        "and columns are not the same labels in the same order (pd.crosstab with a different class "
        "missing on each side, or columns reordered) is paired by position, while caret's table "
        "has every level on both sides",
        "python_impl.caret.confusion_matrix_from_table(table).overall['Kappa']", *KAPPA_TABLE),
)

_BY_KEY = {e.key: e for e in CROSSWALK}


def entry(key: str) -> CrosswalkEntry:
    """The :data:`CROSSWALK` entry ``key``; ValueError naming the keys when unknown."""
    try:
        return _BY_KEY[key]
    except KeyError:
        raise ValueError(f"crosswalk entry {key!r}: expected one of {sorted(_BY_KEY)}") from None


def _rule(e: CrosswalkEntry) -> str:
    if e.rtol == 0 and e.atol == 0:
        return "exact"
    if e.atol == 0:
        return f"relative {e.rtol:g}"
    return f"absolute {e.atol:g}" if e.rtol == 0 else f"relative {e.rtol:g} or absolute {e.atol:g}"


def markdown_table() -> str:
    """:data:`CROSSWALK` as the Markdown table README shows.

    Examples
    --------
    >>> markdown_table().splitlines()[2].split(" | ")[:2]
    ['| Accuracy', 'confusionMatrix $overall; postResample / defaultSummary (factors)']
    """
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = ["| caret statistic | reported by | Python calls | same definition | known difference | "
             "caret's value in Python | agreement |", "|---|---|---|---|---|---|---|"]
    for e in CROSSWALK:
        calls = "<br>".join(f"`{cell(c)}`" for c in e.python_calls)
        lines.append(f"| {cell(e.caret_statistic)} | {cell(e.caret_source)} | {calls} | "
                     f"{'yes' if e.same_definition else 'no'} | {cell(e.difference)} | "
                     f"`{cell(e.caret_call)}` | {_rule(e) if e.same_definition else '-'} |")
    return "\n".join(lines)


# --------------------------------------------------------------------------- labels and caret


@dataclass
class _Labels:
    """Two label vectors as caret sees them: the levels are the sorted union (both sides)."""

    y_true: np.ndarray
    y_pred: np.ndarray
    levels: list  # sorted union, in scikit-learn's order
    _cms: dict = field(default_factory=dict)  # confusionMatrix by positive

    @classmethod
    def of(cls, y_true, y_pred, labels=None) -> _Labels:
        # scikit-learn is a test extra, not a dependency: imported only to map its own calls
        from sklearn.utils.multiclass import type_of_target, unique_labels

        for name, y in (("y_true", y_true), ("y_pred", y_pred)):
            kind = type_of_target(y)
            if kind not in ("binary", "multiclass"):
                raise ValueError(f"{name}: a {kind!r} target; caret's statistics cover binary and "
                                 "multiclass labels only")
        yt, yp = np.asarray(y_true), np.asarray(y_pred)
        levels = list(unique_labels(yt, yp, *(() if labels is None else (np.asarray(labels),))))
        return cls(yt, yp, levels)

    def name(self, label) -> str:
        """The level as R's factor() writes it."""
        return level_string(label)

    def factor(self, y) -> pd.Categorical:
        """R's factor(y, levels): the levels are all labels, sorted."""
        return _factor(y, self.levels)

    def cm(self, positive=None):
        """caret's confusionMatrix(factor(y_pred, levels), factor(y_true, levels)), computed once
        per positive class."""
        if positive not in self._cms:
            self._cms[positive] = confusion_matrix(
                self.factor(self.y_pred), self.factor(self.y_true),
                positive=None if positive is None else self.name(positive), mode="everything")
        return self._cms[positive]

    def summary(self, stat: str) -> np.float64:
        """multiClassSummary's statistic (no probability columns: the confusion matrix's)."""
        data = pd.DataFrame({"obs": self.factor(self.y_true), "pred": self.factor(self.y_pred)})
        return np.float64(multi_class_summary(data, lev=[self.name(v) for v in self.levels])[stat])

    def by_class(self, stat: str, label) -> np.float64:
        """caret's by-class statistic for one level (the positive one when there are two)."""
        if len(self.levels) == 2:
            return np.float64(self.cm(positive=label).by_class[stat])
        return np.float64(self.cm().by_class.loc[f"Class: {self.name(label)}", stat])

    def per_class(self, stat: str, labels=None) -> np.ndarray:
        return np.array([self.by_class(stat, c) for c in (self.levels if labels is None else labels)])

    def counts(self, label) -> tuple[int, int, int]:
        """(TP, predicted, true) counts of one class."""
        t, p = self.y_true == label, self.y_pred == label
        return int(np.sum(t & p)), int(np.sum(p)), int(np.sum(t))


def _factor(y, levels: list) -> pd.Categorical:
    """R's ``factor(y, levels)`` with the levels written as R writes them."""
    index = {v: i for i, v in enumerate(levels)}
    return pd.Categorical.from_codes([index[v] for v in np.asarray(y).tolist()],
                                     categories=[level_string(v) for v in levels])


def _row(key: str, call: str, value, caret_class, equal: bool, why: str, caret_value,
         caret_call: str | None = None, statistic: str | None = None) -> CrosswalkRow:
    e = _BY_KEY[key]
    return CrosswalkRow(call, value, statistic or e.caret_statistic, caret_class, equal, why,
                        caret_call or e.caret_call, caret_value, key, e.rtol, e.atol)


def _options(args: Mapping[str, Any], names: Sequence[str]) -> str:
    """The options among ``names`` the caller gave (``_GIVEN``), as ``name=value``."""
    given = args.get(_GIVEN, args.keys())
    return ", ".join(f"{n}={args[n]!r}" for n in names if n in given)


# --------------------------------------------------------------------------- scikit-learn


def _accuracy(a, result) -> list[CrosswalkRow]:
    lab = _Labels.of(a["y_true"], a["y_pred"])
    why = []
    if not a["normalize"]:
        why.append("normalize=False gives the count of correct predictions, caret the proportion")
    if a["sample_weight"] is not None:
        why.append("sample_weight weighs cases; caret counts each once")
    call = f"accuracy_score({_options(a, ['normalize'])})"
    return [_row("accuracy", call, result, None, not why, "; ".join(why),
                 lab.cm().overall["Accuracy"])]


def _kappa(a, result) -> list[CrosswalkRow]:
    lab = _Labels.of(a["y1"], a["y2"])
    why = []
    if a["weights"] is not None:
        why.append(f"weights={a['weights']!r} is a weighted kappa; caret's is unweighted")
    if a["labels"] is not None and set(np.asarray(a["labels"]).tolist()) != set(lab.levels):
        why.append("labels= leaves out a class: a smaller table than caret's")
    if a["sample_weight"] is not None:
        why.append("sample_weight weighs cases; caret counts each once")
    caret = lab.cm().overall["Kappa"]
    undefined = a.get("replace_undefined_by", np.nan)
    if np.isnan(caret) and not (isinstance(undefined, float) and math.isnan(undefined)):
        why.append(f"kappa is undefined here (expected agreement 1): caret NaN, "
                   f"replace_undefined_by={undefined!r}")
    return [_row("kappa", f"cohen_kappa_score({_options(a, ['weights'])})", result, None,
                 not why, "; ".join(why), caret)]


def _confusion(a, result) -> list[CrosswalkRow]:
    lab = _Labels.of(a["y_true"], a["y_pred"])
    why = ["scikit-learn's rows are the true classes, caret's the predictions: caret's table is "
           "the transpose"]
    if a["labels"] is not None and list(np.asarray(a["labels"]).tolist()) != lab.levels:
        why.append("labels= reorders or leaves out classes")
    if a["normalize"] is not None:
        why.append(f"normalize={a['normalize']!r} gives proportions; caret counts")
    if a["sample_weight"] is not None:
        why.append("sample_weight weighs cases")
    return [_row("table", f"confusion_matrix({_options(a, ['labels', 'normalize'])})", np.asarray(result),
                 None, False, "; ".join(why), lab.cm().table.to_numpy())]


#: scikit-learn's statistic -> (by-class entry keys, macro entry key, caret column)
_PRF = {
    "precision": (("precision", "ppv"), "mean_precision", "Precision"),
    "recall": (("sensitivity",), "mean_sensitivity", "Sensitivity"),
    "f": (("f1",), "mean_f1", "F1"),
}


def _class_why(stat: str, lab: _Labels, label, zero_division, *, in_mean: bool = False) -> str:
    """Why scikit-learn's value for one class is not caret's here ("" when it is).

    ``in_mean``: the class enters a macro average, where zero_division=np.nan makes scikit-learn
    leave the class out while caret's mean is NA."""
    tp, predicted, true = lab.counts(label)
    nan_zero = isinstance(zero_division, float) and math.isnan(zero_division)
    why = ""
    if stat == "precision" and predicted == 0:
        why = f"class {label!r} is never predicted: caret NA, zero_division={zero_division!r}"
    elif stat == "recall" and true == 0:
        why = f"class {label!r} is absent from y_true: caret NA, zero_division={zero_division!r}"
    elif stat == "f" and predicted + true == 0:
        why = f"class {label!r} appears nowhere: caret NA, zero_division={zero_division!r}"
    elif stat == "f" and (predicted == 0 or true == 0):
        return f"class {label!r}: precision or recall is undefined: caret NA, scikit-learn 0"
    elif stat == "f" and tp == 0:
        return f"class {label!r} has TP = 0: caret's F is 0*0/(0+0) = NaN, scikit-learn's 0"
    if why and nan_zero:  # NaN where caret has NA: equal, except inside a mean
        return f"{why}; scikit-learn's mean leaves the class out, caret's mean is NA" if in_mean else ""
    return why


#: why caret's PPV/NPV is missing where the precision is not
_BAYES_UNDEFINED = ("caret's value is Bayes' rule of sensitivity, specificity and prevalence, NA or NaN "
                    "here (a class absent from y_true, or present in every case)")


def _caret_f(lab: _Labels, label, beta: float) -> np.float64:
    if beta == 1:
        return lab.by_class("F1", label)
    # F_meas's table method: its factor method takes two levels only
    return np.float64(f_meas(lab.cm().table, relevant=lab.name(label), beta=beta))


def _prf_rows(stat: str, fn: str, a: Mapping[str, Any], value, beta: float = 1.0,
              call_of: Callable[[Any], str] | None = None) -> list[CrosswalkRow]:
    """Rows of precision/recall/F ('stat') with scikit-learn's pos_label, average, labels.

    ``fn`` names the call (with its options) or, given ``call_of``, the averaged value; per-class
    values are then named ``call_of(label)``."""
    lab = _Labels.of(a["y_true"], a["y_pred"], a.get("labels"))
    average, zd = a["average"], a["zero_division"]
    keys, macro_key, column = _PRF[stat]
    if stat == "f" and beta != 1:
        keys = ("fbeta",)
    weights_why = ("sample_weight weighs cases; caret counts each once"
                   if a["sample_weight"] is not None else "")
    if call_of is None:
        call = f"{fn}({_options(a, ['pos_label', 'average', 'labels', 'zero_division'])}"
        call += f", beta={beta!r})" if stat == "f" and fn != "f1_score" else ")"
        call_of = (lambda label: f"{call}[{label!r}]")  # noqa: E731
    else:
        call = fn
    rows: list[CrosswalkRow] = []

    def class_rows(label, v, row_call):
        why = "; ".join(w for w in (_class_why(stat, lab, label, zd), weights_why) if w)
        for key in keys:
            caret_v = (_caret_f(lab, label, beta) if stat == "f"
                       else lab.by_class(_BY_KEY[key].caret_statistic, label))
            stat_name = f"F_meas(beta = {beta:g})" if key == "fbeta" else None
            row_why = why or (_BAYES_UNDEFINED if key == "ppv" and np.isnan(caret_v) and not np.isnan(v)
                              else "")
            rows.append(_row(key, row_call, v, lab.name(label), not row_why, row_why, caret_v,
                             statistic=stat_name))
        if len(lab.levels) == 2 and stat in ("precision", "recall"):
            # two classes: one class's recall (precision) is caret's Specificity (NPV) when the
            # other class is caret's positive
            other = lab.levels[1 - lab.levels.index(label)]
            key = "specificity" if stat == "recall" else "npv"
            caret_v = lab.by_class(_BY_KEY[key].caret_statistic, other)
            row_why = why or (_BAYES_UNDEFINED if key == "npv" and np.isnan(caret_v) and not np.isnan(v)
                              else "")
            rows.append(_row(key, row_call, v, lab.name(other), not row_why, row_why, caret_v))

    if average == "binary" and len(lab.levels) <= 2:
        class_rows(a["pos_label"], value, call)
        return rows
    labels = lab.levels if a.get("labels") is None else list(np.asarray(a["labels"]).tolist())
    if average is None:
        for label, v in zip(labels, np.asarray(value).tolist(), strict=True):
            class_rows(label, v, call_of(label))
        return rows

    def per_class() -> np.ndarray:  # caret's by-class values of the labels
        return (np.array([_caret_f(lab, c, beta) for c in labels]) if stat == "f"
                else lab.per_class(column, labels))

    class_whys = [w for w in (_class_why(stat, lab, c, zd, in_mean=True) for c in labels) if w]
    if average == "micro":
        why = "; ".join(w for w in (
            "" if set(labels) == set(lab.levels) else "labels= leaves out a class: not the accuracy",
            weights_why) if w)
        rows.append(_row("accuracy", call, value, None, not why, why, lab.cm().overall["Accuracy"]))
    elif average == "macro" and stat == "f" and beta != 1:
        rows.append(_row("fbeta", call, value, None, False,
                         "caret reports F_meas per class only, no mean over classes",
                         np.float64(np.mean(per_class())),
                         statistic=f"(mean of caret's F_meas(beta = {beta:g}))"))
    elif average == "macro":
        if len(lab.levels) == 2 and stat == "recall":
            rows.append(_row("balanced_accuracy", call, value, lab.name(lab.levels[0]), not weights_why,
                             weights_why, lab.by_class("Balanced Accuracy", lab.levels[0])))
        why_parts = list(class_whys)
        stat_name = _BY_KEY[macro_key].caret_statistic
        if len(lab.levels) == 2:
            stat_name = stat_name.removeprefix("Mean_")
            why_parts.append(f"two classes: multiClassSummary's {stat_name} is the first level's "
                             "value, scikit-learn's the mean over both classes")
        if set(labels) != set(lab.levels):
            why_parts.append("labels= leaves out a class that caret's mean includes")
        why = "; ".join(w for w in (*why_parts, weights_why) if w)
        rows.append(_row(macro_key, call, value, lab.name(lab.levels[0]) if len(lab.levels) == 2 else None,
                         not why, why, lab.summary(stat_name), statistic=stat_name))
    elif average == "weighted":
        support = np.array([lab.counts(c)[2] for c in labels], dtype=float)
        caret_v = (np.float64(np.average(per_class(), weights=support)) if support.sum()
                   else np.float64(np.nan))
        rows.append(_row("weighted", call, value, None, False,
                         "a support-weighted mean over classes; caret has no weighted mean",
                         caret_v, statistic=f"(weighted mean of caret's {column})"))
    else:
        raise ValueError(f"average={average!r}: caret's statistics cover binary and multiclass "
                         "labels; expected one of 'binary', 'micro', 'macro', 'weighted', None")
    return rows


def _precision(a, result):
    return _prf_rows("precision", "precision_score", a, result)


def _recall(a, result):
    return _prf_rows("recall", "recall_score", a, result)


def _f1(a, result):
    return _prf_rows("f", "f1_score", a, result)


def _fbeta(a, result):
    return _prf_rows("f", "fbeta_score", a, result, beta=float(a["beta"]))


def _support_rows(call_of: Callable[[Any], str], a, support) -> list[CrosswalkRow]:
    lab = _Labels.of(a["y_true"], a["y_pred"], a.get("labels"))
    labels = lab.levels if a.get("labels") is None else list(np.asarray(a["labels"]).tolist())
    return [_row("prevalence", call_of(c), s, lab.name(c), False,
                 "support is the class's count in y_true; caret's Prevalence is that count / n",
                 lab.by_class("Prevalence", c))
            for c, s in zip(labels, np.asarray(support).tolist(), strict=True)]


def _prfs(a, result):
    p, r, f, s = result
    beta = float(a["beta"])
    call = (f"precision_recall_fscore_support("
            f"{_options(a, ['beta', 'pos_label', 'average', 'labels', 'zero_division'])})")
    rows = []
    for i, (stat, value) in enumerate((("precision", p), ("recall", r), ("f", f))):
        rows += _prf_rows(stat, f"{call}[{i}]", a, value, beta=beta,
                          call_of=lambda c, i=i: f"{call}[{i}][{c!r}]")
    if s is not None:
        rows += _support_rows(lambda c: f"{call}[3][{c!r}]", a, s)
    return rows


def _classification_report(a, result):
    from sklearn.metrics import classification_report  # a test extra: see _Labels.of

    report = result
    if not isinstance(report, Mapping):  # the printed report rounds to `digits`
        report = classification_report(**{k: v for k, v in a.items() if k not in (_GIVEN, "output_dict")},
                                       output_dict=True)
    lab = _Labels.of(a["y_true"], a["y_pred"], a.get("labels"))
    labels = lab.levels if a.get("labels") is None else list(np.asarray(a["labels"]).tolist())
    names = ([str(c) for c in labels] if a.get("target_names") is None else list(a["target_names"]))
    base = {k: a[k] for k in ("y_true", "y_pred", "labels", "sample_weight", "zero_division")}
    name_of = dict(zip(labels, names, strict=True))
    rows: list[CrosswalkRow] = []
    for column, stat in (("precision", "precision"), ("recall", "recall"), ("f1-score", "f")):
        values = np.array([report[n][column] for n in names])
        rows += _prf_rows(stat, "", {**base, "average": None}, values,
                          call_of=lambda c, col=column: f"classification_report[{name_of[c]!r}][{col!r}]")
        for avg, label in (("macro", "macro avg"), ("weighted", "weighted avg"), ("micro", "micro avg")):
            if label in report:
                rows += _prf_rows(stat, f"classification_report[{label!r}][{column!r}]",
                                  {**base, "average": avg}, report[label][column], call_of=name_of.get)
    rows += _support_rows(lambda c: f"classification_report[{name_of[c]!r}]['support']", base,
                          [report[n]["support"] for n in names])
    if "accuracy" in report:
        rows += [replace(r, python_call="classification_report['accuracy']") for r in _accuracy(
            {"y_true": a["y_true"], "y_pred": a["y_pred"], "normalize": True,
             "sample_weight": a["sample_weight"]}, report["accuracy"])]
    if not isinstance(result, Mapping):
        rounded = (f"printed rounded to digits={a['digits']}; the row holds the unrounded value "
                   "(output_dict=True)")
        rows = [replace(r, why="; ".join(w for w in (r.why, rounded) if w)) for r in rows]
    return rows


def _balanced_accuracy(a, result):
    lab = _Labels.of(a["y_true"], a["y_pred"])
    absent = [c for c in lab.levels if lab.counts(c)[2] == 0]
    why = []
    if a["adjusted"]:
        why.append("adjusted=True rescales it so that chance is 0")
    if a["sample_weight"] is not None:
        why.append("sample_weight weighs cases; caret counts each once")
    if absent:
        why.append(f"classes absent from y_true {absent}: scikit-learn leaves them out, caret "
                   "has NA there")
    call = f"balanced_accuracy_score({_options(a, ['adjusted'])})"
    if len(lab.levels) == 2:
        return [_row("balanced_accuracy", call, result, lab.name(lab.levels[0]), not why,
                     "; ".join(why), lab.by_class("Balanced Accuracy", lab.levels[0]))]
    return [
        _row("mean_sensitivity", call, result, None, not why, "; ".join(why),
             lab.summary("Mean_Sensitivity")),
        _row("mean_balanced_accuracy", call, result, None, False,
             "; ".join(["scikit-learn's balanced accuracy is the macro recall; caret's is per "
                        "class, (Sensitivity + Specificity) / 2 one-vs-rest", *why]),
             lab.summary("Mean_Balanced_Accuracy")),
    ]


def _roc_auc(a, result):
    score = np.asarray(a["y_score"], dtype=float)
    why = []
    if a["sample_weight"] is not None:
        why.append("sample_weight weighs cases")
    if a["max_fpr"] is not None:
        why.append(f"max_fpr={a['max_fpr']!r} is McClish's standardized partial AUC")
    levels = list(np.unique(np.asarray(a["y_true"]))) if a["labels"] is None else list(a["labels"])
    obs = _factor(a["y_true"], levels)
    if score.ndim == 2 and score.shape[1] > 1 and len(levels) > 2:
        if a["multi_class"] != "ovr":
            why.append(f"multi_class={a['multi_class']!r}: Hand & Till's pairwise mean; caret's "
                       "multiClassSummary averages one-vs-all AUCs (multi_class='ovr')")
        if a["average"] != "macro":
            why.append(f"average={a['average']!r}; caret's mean is unweighted ('macro')")
        names = [level_string(v) for v in levels]
        # multiClassSummary needs a pred column; the AUC does not depend on it
        pred = pd.Categorical.from_codes(np.argmax(score, axis=1), categories=names)
        data = pd.DataFrame({"obs": obs, "pred": pred, **dict(zip(names, score.T, strict=True))})
        caret = np.float64(multi_class_summary(data, lev=names)["AUC"])
        return [_row("multiclass_auc", f"roc_auc_score({_options(a, ['multi_class', 'average'])})", result,
                     None, not why, "; ".join(why), caret)]
    if score.ndim == 2:
        score = score[:, -1]
    call = f"roc_auc_score({_options(a, ['max_fpr'])})"
    split = roc_split(obs, score)
    flipped = split is not None and resolve_direction(*split, "auto") == ">"
    auto_why = ("the first level's median score is the larger: pROC's direction 'auto' takes '>', "
                "its AUC is 1 - scikit-learn's") if flipped else ""
    return [
        _row("roc", call, result, None, not why, "; ".join(why), roc_auc(obs, score, direction="<")),
        _row("proc_auto", call, result, None, not (why or flipped),
             "; ".join(w for w in (*why, auto_why) if w), roc_auc(obs, score)),
    ]


def _log_loss(a, result):
    proba = np.asarray(a["y_proba"] if a.get("y_proba") is not None else a["y_pred"], dtype=float)
    if proba.ndim == 1:
        proba = np.column_stack([1 - proba, proba])
    # scikit-learn's columns: the sorted labels (LabelBinarizer)
    levels = list(np.unique(np.asarray(a["y_true"] if a["labels"] is None else a["labels"])))
    names = [level_string(v) for v in levels]
    obs = _factor(a["y_true"], levels)
    caret = np.float64(mn_log_loss(pd.DataFrame({"obs": obs, **dict(zip(names, proba.T, strict=True))}),
                                   lev=names)["logLoss"])
    p_true = proba[np.arange(len(obs)), obs.codes]
    eps = 1e-15  # ModelMetrics::mlogLoss, which caret's mnLogLoss calls
    why = []
    clipped = int(np.sum((p_true < eps) | (p_true > 1 - eps)))
    if clipped:
        why.append(f"{clipped} true-class probabilities are outside [1e-15, 1 - 1e-15], where caret "
                   "clips at 1e-15 and scikit-learn at 2.2e-16")
    if not a["normalize"]:
        why.append("normalize=False gives the sum; caret the mean")
    if a["sample_weight"] is not None:
        why.append("sample_weight weighs cases")
    return [_row("log_loss", f"log_loss({_options(a, ['normalize'])})", result, None, not why,
                 "; ".join(why), caret)]


def _regression_why(a) -> list[str]:
    why = []
    if np.ndim(a["y_true"]) > 1 and np.shape(a["y_true"])[1] > 1:
        why.append("several outputs; caret's postResample takes one")
    if a.get("sample_weight") is not None:
        why.append("sample_weight weighs cases")
    return why


def _post_resample(obs, pred, stat: str) -> np.float64:
    """caret's postResample(pred, obs)[stat]; R's warning for a constant vector is the row's why."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RWarning)
        return np.float64(post_resample(np.ravel(np.asarray(pred, dtype=float)),
                                        np.ravel(np.asarray(obs, dtype=float)))[stat])


def _mse(a, result):
    why = ["mean_squared_error is the mean squared error; caret reports its square root", *_regression_why(a)]
    return [_row("rmse", "mean_squared_error()", result, None, False, "; ".join(why),
                 _post_resample(a["y_true"], a["y_pred"], "RMSE"))]


def _rmse(a, result):
    why = _regression_why(a)
    return [_row("rmse", "root_mean_squared_error()", result, None, not why, "; ".join(why),
                 _post_resample(a["y_true"], a["y_pred"], "RMSE"))]


def _mae(a, result):
    why = _regression_why(a)
    return [_row("mae", "mean_absolute_error()", result, None, not why, "; ".join(why),
                 _post_resample(a["y_true"], a["y_pred"], "MAE"))]


def _r2(a, result):
    why = _regression_why(a)
    constant = np.unique(np.asarray(a["y_true"], dtype=float)).size < 2
    trad_why = (["y_true is constant: caret's R2 divides by 0, r2_score reports a finite value"]
                if constant else [])
    return [
        _row("rsquared", "r2_score()", result, None, False,
             "; ".join(["r2_score is 1 - SS_res/SS_tot; caret's Rsquared is cor(pred, obs)^2", *why]),
             _post_resample(a["y_true"], a["y_pred"], "Rsquared")),
        _row("r2_traditional", "r2_score()", result, None, not (why or trad_why), "; ".join(why + trad_why),
             result),
    ]


# --------------------------------------------------------------------------- SciPy


def _pearsonr(a, result):
    r = np.float64(result.statistic if hasattr(result, "statistic") else result[0])
    return [_row("rsquared", "pearsonr()", r, None, False,
                 "pearsonr gives r; caret's Rsquared is r^2 (NA when either vector is constant)",
                 _post_resample(a["y"], a["x"], "Rsquared"),
                 caret_call="python_impl.caret.post_resample(x, y)['Rsquared']  (= scipy.stats.pearsonr(x, y)"
                 ".statistic ** 2; NA for a constant vector)")]


def _binomtest(a, result):
    k, n, p, alternative = int(a["k"]), int(a["n"]), float(a["p"]), a["alternative"]
    caret_p = np.float64(1.0) if k <= 0 else np.float64(pbeta(p, k, n - k + 1))
    p_why = "" if alternative == "greater" else (
        f"alternative={alternative!r}; caret's p-value is one-sided ('greater') against the NIR")
    condition = "" if p_why else "caret's p is AccuracyNull (the largest class's share of the reference)"
    ci = result.proportion_ci()  # confidence_level=0.95, method='exact', as caret's binom.test
    lower, upper = binom_ci(k, n)
    ci_why = "" if alternative == "two-sided" else (
        f"alternative={alternative!r} gives a one-sided interval; caret's is two-sided")
    return [
        _row("accuracy_pvalue", f"binomtest({_options(a, ['p', 'alternative'])}).pvalue",
             np.float64(result.pvalue), None, not p_why, p_why or condition, caret_p),
        _row("accuracy_ci", "binomtest().proportion_ci().low", np.float64(ci.low), None, not ci_why, ci_why,
             lower, statistic="AccuracyLower"),
        _row("accuracy_ci", "binomtest().proportion_ci().high", np.float64(ci.high), None, not ci_why, ci_why,
             upper, statistic="AccuracyUpper"),
    ]


# --------------------------------------------------------------------------- statsmodels


def _table(table) -> tuple[np.ndarray, bool]:
    """A contingency table as a square array of caret's levels, and whether a DataFrame's labels
    had to be aligned (its rows and columns were not the same labels in the same order).

    A DataFrame is aligned as statsmodels' ``mcnemar`` aligns it: the sorted union of index and
    columns, a missing label a zero row or column. Counts are checked where caret's value is
    computed (:func:`python_impl.caret.confusion_matrix_from_table`)."""
    aligned = isinstance(table, pd.DataFrame) and not table.index.equals(table.columns)
    if aligned:
        labels = sorted(set(table.index) | set(table.columns))
        table = table.reindex(index=labels, columns=labels, fill_value=0)
    values = np.asarray(table)
    if values.ndim != 2 or values.shape[0] != values.shape[1] or values.shape[0] < 2:
        raise ValueError(f"table of shape {values.shape}: expected a square k x k table of counts, "
                         "k >= 2 (caret's table has the same levels in its rows and columns)")
    return values, aligned


def _mcnemar(a, result):
    table, _ = _table(a["table"])  # mcnemar aligns a DataFrame's labels itself
    caret_value = confusion_matrix_from_table(table).overall["McnemarPValue"]
    k = table.shape[0]
    b, c = table[0, 1], table[1, 0]
    why = []
    if k > 2:
        why.append(f"a {k} x {k} table: mcnemar tests cells [0, 1] and [1, 0] only; caret's "
                   "McnemarPValue is Bowker's symmetry test over every pair")
    elif a["exact"]:
        why.append("exact=True (the default) is the exact binomial test; caret's is the chi-square "
                   "test with continuity correction (exact=False)")
    elif a["correction"] and b == c:
        caret = "NaN (0/0)" if b == 0 else "statistic 0, p = 1"
        why.append(f"b = c = {b:g}: mcnemar.test corrects only unequal counts (caret: {caret}), "
                   "mcnemar subtracts 1 anyway")
    elif not a["correction"] and b != c:
        why.append("correction=False: the uncorrected statistic; caret's 2x2 test is "
                   "continuity-corrected")
    return [_row("mcnemar", f"mcnemar({_options(a, ['exact', 'correction'])}).pvalue",
                 np.float64(result.pvalue), None, not why, "; ".join(why), caret_value)]


#: proportion_confint's methods other than 'beta'
_CI_METHODS = {"normal": "the Wald interval (normal approximation)",
               "agresti_coull": "Agresti-Coull's interval", "wilson": "Wilson's score interval",
               "jeffreys": "the Jeffreys interval",
               "binom_test": "the inverted two-sided binomial test"}


def _proportion_confint(a, result):
    count, nobs = np.broadcast_arrays(np.asarray(a["count"], dtype=float), np.asarray(a["nobs"], dtype=float))
    if not np.all(np.isfinite(count) & (count == np.floor(count)) & (count >= 0) & (count <= nobs)):
        raise ValueError(f"count={a['count']!r}, nobs={a['nobs']!r}: expected whole numbers with "
                         "0 <= count <= nobs (caret's correct predictions and cases)")
    why = []
    method, alpha = a["method"], a["alpha"]
    if method != "beta":
        kind = _CI_METHODS.get(method, "the Jeffreys interval" if str(method)[:4] == "jeff" else "")
        why.append(f"method={method!r} is {kind or 'another interval'}; caret's is Clopper-Pearson "
                   "(method='beta')")
    if alpha != 0.05:
        why.append(f"alpha={alpha!r}: a {100 * (1 - alpha):g}% interval; caret's is 95%")
    limits = np.array([binom_ci(int(x), int(n)) for x, n in zip(count.ravel(), nobs.ravel(), strict=True)],
                      dtype=float).reshape(*count.shape, 2)

    def shaped(v):
        v = np.asarray(v, dtype=float)
        return np.float64(v) if v.ndim == 0 else v

    call = f"proportion_confint({_options(a, ['alpha', 'method'])})"
    low, upp = result
    return [
        _row("accuracy_ci_statsmodels", f"{call}[0]", shaped(low), None, not why, "; ".join(why),
             shaped(limits[..., 0]), statistic="AccuracyLower"),
        _row("accuracy_ci_statsmodels", f"{call}[1]", shaped(upp), None, not why, "; ".join(why),
             shaped(limits[..., 1]), statistic="AccuracyUpper"),
    ]


def _cohens_kappa(a, result):
    table, aligned = _table(a["table"])
    caret_value = confusion_matrix_from_table(table).overall["Kappa"]
    why = []
    if a["weights"] is not None or a["wt"] is not None:
        why.append(f"{_options(a, ['weights', 'wt'])}: a weighted kappa; caret's Kappa is unweighted")
    if aligned:
        why.append("the table's rows and columns are not the same labels in the same order (as "
                   "pd.crosstab leaves a class missing on one side): cohens_kappa pairs cells by "
                   "position; caret's table has every level in its rows and columns")
    if a["return_results"]:  # KappaResults, a dict with attribute access (a recorded one: either)
        value = np.float64(result["kappa"] if isinstance(result, Mapping) else result.kappa)
    else:
        value = np.float64(result)
    call = f"cohens_kappa({_options(a, ['weights', 'wt', 'return_results'])})"
    return [_row("kappa_statsmodels", call + ("['kappa']" if a["return_results"] else ""), value, None,
                 not why, "; ".join(why), caret_value)]


# --------------------------------------------------------------------------- dispatch

#: library function -> (its import path, the mapper)
_MAPPERS: dict[str, Callable[[Mapping[str, Any], Any], list[CrosswalkRow]]] = {
    "sklearn.metrics.accuracy_score": _accuracy,
    "sklearn.metrics.cohen_kappa_score": _kappa,
    "sklearn.metrics.confusion_matrix": _confusion,
    "sklearn.metrics.precision_score": _precision,
    "sklearn.metrics.recall_score": _recall,
    "sklearn.metrics.f1_score": _f1,
    "sklearn.metrics.fbeta_score": _fbeta,
    "sklearn.metrics.precision_recall_fscore_support": _prfs,
    "sklearn.metrics.classification_report": _classification_report,
    "sklearn.metrics.balanced_accuracy_score": _balanced_accuracy,
    "sklearn.metrics.roc_auc_score": _roc_auc,
    "sklearn.metrics.log_loss": _log_loss,
    "sklearn.metrics.mean_squared_error": _mse,
    "sklearn.metrics.root_mean_squared_error": _rmse,
    "sklearn.metrics.mean_absolute_error": _mae,
    "sklearn.metrics.r2_score": _r2,
    "scipy.stats.pearsonr": _pearsonr,
    "scipy.stats.binomtest": _binomtest,
    "statsmodels.stats.contingency_tables.mcnemar": _mcnemar,
    "statsmodels.stats.proportion.proportion_confint": _proportion_confint,
    "statsmodels.stats.inter_rater.cohens_kappa": _cohens_kappa,
}
#: the library functions :func:`map_call` maps (fully qualified)
MAPPED_FUNCTIONS: tuple[str, ...] = tuple(_MAPPERS)


def _resolve(name: str) -> str:
    if name in _MAPPERS:
        return name
    matches = [q for q in _MAPPERS if q.rsplit(".", 1)[1] == name]
    if len(matches) == 1:
        return matches[0]
    raise ValueError(f"library_function_name={name!r}: not mapped to caret; expected one of "
                     f"{', '.join(MAPPED_FUNCTIONS)} (or its last part)")


def _function(qualified: str):
    module, attr = qualified.rsplit(".", 1)
    return getattr(importlib.import_module(module), attr)


def map_call(library_function_name: str, args: Sequence[Any], kwargs: Mapping[str, Any],
             result: Any) -> list[CrosswalkRow]:
    """Map one call of a statistics library to caret's statistics.

    Parameters
    ----------
    library_function_name : str
        The function, fully qualified (``"sklearn.metrics.r2_score"``) or by its last part
        (``"r2_score"``); one of :data:`MAPPED_FUNCTIONS`.
    args, kwargs : sequence, mapping
        The call's arguments, as the function received them.
    result : object
        What the call returned; a result object (SciPy's, statsmodels') may be any object with
        its attributes, as a capture records it (``types.SimpleNamespace(pvalue=...)``).

    Returns
    -------
    list of CrosswalkRow
        One row per caret statistic the result stands for (several for per-class results and
        for calls that match more than one caret statistic).

    Raises
    ------
    ValueError
        A function that is not mapped; arguments the function would not accept; multilabel or
        continuous targets, which caret's classification statistics do not cover; labels of
        one class only (caret's confusionMatrix needs two levels); a table that is not a square
        table of counts (k >= 2); counts that are not whole numbers with 0 <= count <= nobs.

    Examples
    --------
    >>> y_true, y_pred = [0, 0, 1, 1, 1], [0, 1, 1, 1, 0]
    >>> [(r.caret_statistic, r.caret_class, r.caret_equal)
    ...  for r in map_call("recall_score", (y_true, y_pred), {}, 2 / 3)]
    [('Sensitivity', '1', True), ('Specificity', '0', True)]
    """
    qualified = _resolve(library_function_name)
    try:
        bound = inspect.signature(_function(qualified)).bind(*args, **kwargs)
    except TypeError as exc:
        raise ValueError(f"{qualified}: arguments it would not accept ({exc})") from None
    given = frozenset(bound.arguments)
    bound.apply_defaults()
    return _MAPPERS[qualified]({**bound.arguments, _GIVEN: given}, result)

