"""caret's other performance measures in R through rpy2: ``postResample`` and the summary
functions of ``trainControl(summaryFunction = )`` (the oracle of ``parity stats --r``).

Runs in :mod:`parity.rules.rbridge`'s embedded R session (caret loaded there). Conversion
happens only inside rbridge's local converter. R's warnings are caught with their text, R's
errors become :class:`parity.rules.rbridge.RError` with R's message.
"""

from __future__ import annotations

import numpy as np

from parity.rules.compare import MeasureValues
from parity.rules.rbridge import RUnavailable, _call_r, _conv, _r_labels, r_env
from python_impl.caret.confusion import NA

__all__ = ["SUMMARY_FUNCTIONS", "R_PACKAGES", "MEASURE_PACKAGES_FIX", "r_post_resample", "r_summary"]

#: ``--summary`` choice -> caret's summary function
SUMMARY_FUNCTIONS = {"default": "defaultSummary", "two_class": "twoClassSummary", "pr": "prSummary",
                     "multi_class": "multiClassSummary", "mn_log_loss": "mnLogLoss"}
#: the R packages each caret function loads (caret's requireNamespaceQuietStop)
R_PACKAGES = {"postResample": (), "defaultSummary": (), "twoClassSummary": ("pROC",),
              "prSummary": ("MLmetrics",), "mnLogLoss": ("ModelMetrics",),
              "multiClassSummary": ("pROC", "ModelMetrics", "MLmetrics")}
MEASURE_PACKAGES_FIX = "apt-get install r-cran-proc r-cran-modelmetrics r-cran-mlmetrics (or ./setup.sh)"

_R_CODE = r"""
local({
  # one measure: its values, names, NA apart from NaN, R's warnings (text, in order), print()
  .parity_measure <<- function(fun, args) {
    warns <- character(0)
    res <- withCallingHandlers(do.call(fun, args), warning = function(w) {
      warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning")
    })
    v <- as.numeric(res)
    list(value = v, names = if (is.null(names(res))) character(0) else names(res),
         is_na = is.na(v) & !is.nan(v), warnings = warns,
         text = paste(capture.output(print(res)), collapse = "\n"))
  }
  .parity_missing_packages <<- function(pkgs) {
    pkgs <- as.vector(pkgs)
    pkgs[!vapply(pkgs, function(p) isTRUE(requireNamespace(p, quietly = TRUE)), logical(1))]
  }
  # numpy arrays arrive as 1-d R arrays: plain vectors, as read.csv gives them
  .parity_post_resample <<- function(pred, obs)
    .parity_measure("postResample", list(pred = as.vector(pred), obs = as.vector(obs)))
  # caret's data as train() builds it: obs and pred factors with levels lev, one probability
  # column per level; without pred, train's class: the first level of largest probability
  .parity_summary <<- function(fun, obs, pred, probs, lev) {
    lev <- as.vector(lev); probs <- as.matrix(probs); colnames(probs) <- lev
    if (!length(pred)) pred <- lev[apply(probs, 1, which.max)]
    d <- data.frame(obs = factor(as.vector(obs), levels = lev),
                    pred = factor(as.vector(pred), levels = lev))
    for (j in seq_along(lev)) d[[lev[j]]] <- probs[, j]
    .parity_measure(fun, list(d, lev = lev))
  }
})
"""


def _session():
    ro = r_env()
    if ".parity_measure" not in ro.globalenv:
        ro.r(_R_CODE)
    return ro


def _check_packages(ro, function: str) -> None:
    needed = R_PACKAGES[function]
    if not needed:
        return
    from rpy2.robjects import StrVector  # rpy2: optional, heavy (R)

    missing = [str(p) for p in ro.globalenv[".parity_missing_packages"](StrVector(list(needed)))]
    if missing:
        raise RUnavailable(f"caret's {function} needs the R package(s) {', '.join(missing)}, not "
                           f"installed; install them with: {MEASURE_PACKAGES_FIX}")


def _values(function: str, res) -> MeasureValues:
    fields = dict(res.items())
    values = np.asarray(fields["value"], dtype=np.float64).copy()
    values[np.asarray(fields["is_na"], dtype=bool)] = NA
    return MeasureValues(function=function, names=[str(x) for x in fields["names"]], values=values,
                         warnings=tuple(str(x) for x in fields["warnings"]),
                         text=str(fields["text"][0]))


def r_post_resample(pred, obs) -> MeasureValues:
    """caret's ``postResample(pred, obs)`` in R, on numeric vectors as R holds them
    (:func:`parity.rules.labels_io.r_vector`: integers as R integers, NA as R's NA).

    Raises
    ------
    RUnavailable
        R, rpy2 or caret cannot be loaded.
    RError
        R stopped with an error (its message kept).
    """
    ro = _session()
    with _conv():
        res = _call_r("caret::postResample(pred, obs)", ro.globalenv[".parity_post_resample"],
                      _r_labels(pred), _r_labels(obs))
    return _values("postResample", res)


def r_summary(function: str, obs: list[str | None], pred: list[str | None] | None,
              probs: np.ndarray, lev: list[str]) -> MeasureValues:
    """caret's summary function ``function`` (``twoClassSummary``, ...) in R on the data
    ``train()`` hands it: ``obs``/``pred`` factors with levels ``lev`` (labels as level
    strings, None for NA), one probability column per level (``probs``, n x k, R's NA kept).
    Without ``pred``, R takes each row's first level of largest probability (``which.max``).

    Raises
    ------
    RUnavailable
        R, rpy2, caret, or a package the function needs (pROC, ModelMetrics, MLmetrics).
    RError
        R stopped with an error (its message kept).
    """
    from rpy2.robjects import NA_Character, StrVector  # rpy2: optional, heavy (R)

    if function not in R_PACKAGES or function == "postResample":
        raise ValueError(f"function={function!r}: expected one of {sorted(SUMMARY_FUNCTIONS.values())}")
    ro = _session()
    _check_packages(ro, function)

    def strings(values):
        return StrVector([NA_Character if v is None else v for v in values])

    with _conv():
        res = _call_r(f"caret::{function}(data, lev)", ro.globalenv[".parity_summary"], function,
                      strings(obs), strings(pred or []), np.asarray(probs, dtype=np.float64),
                      StrVector(list(lev)))
    return _values(function, res)
