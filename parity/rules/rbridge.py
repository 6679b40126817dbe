"""In-process R through rpy2: caret's confusionMatrix (the oracle) and R's ``pbeta``. Run
artifacts are never read here: the engine reads the run-artifact contract (JSON and NPY) only.

Conversion happens only inside ``localconverter(default_converter + numpy2ri.converter)``, never
through a global ``activate()``. Training never runs here: R keras inside rpy2's embedded R
crashes TensorFlow (see ENVIRONMENT.md), so the R reference runs as its own ``Rscript``.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from dataclasses import dataclass

import numpy as np

from parity.errors import ParityError
from parity.rules.labels_io import r_vector
from python_impl.caret.confusion import NA

__all__ = ["RUnavailable", "RError", "r_env", "r_home_problem", "CaretResult", "caret_from_table",
           "caret_from_labels", "caret_from_codes", "caret_measure"]


class RUnavailable(ParityError, RuntimeError):
    """R, rpy2 or an R package cannot be used; the message says what to install."""


class RError(RUnavailable):
    """R stopped with an error (caret's own, or R's, e.g. "vector memory exhausted").

    A subclass of :class:`RUnavailable`, so callers that report R being unusable report this
    too. ``r_message`` is R's message as R wrote it.
    """

    def __init__(self, what: str, r_message: str):
        self.r_message = r_message
        super().__init__(f"R failed in {what}: {r_message}")


def _call_r(what: str, fn, *args):
    """Call an R function; R's errors (and failed conversions) become :class:`RError`."""
    # rpy2 (the "r" extra) loads only when R is used: it stays out of the core
    from rpy2.rinterface_lib.embedded import RRuntimeError

    try:
        return fn(*args)
    except RRuntimeError as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        raise RError(what, message) from None
    except MemoryError:
        raise RError(what, "Python ran out of memory converting the labels for R") from None


# R code defined once: conversion of caret's result into plain vectors.
_R_HELPERS = r"""
local({
  options(width = 80, digits = 7, warn = 1)
  # binom.test's two-sided p-value (which caret computes, then discards, for the CI) allocates
  # about n/2 doubles; for totals near 10^9 that is gigabytes. A cap makes R fail fast (caret
  # then reports an NA interval) instead of the machine swapping or killing the process.
  invisible(mem.maxVSize(4096))
  invisible(Sys.setlocale("LC_COLLATE", "C"))
  suppressPackageStartupMessages(library(caret))
  .parity_result <<- function(cm) {
    bc <- cm$byClass
    if (is.matrix(bc)) { bc_names <- rownames(bc); bc <- t(bc) } else bc_names <- character(0)
    list(overall = unname(cm$overall), overall_names = names(cm$overall),
         overall_is_na = is.na(cm$overall) & !is.nan(cm$overall),
         by_class = as.numeric(bc), by_class_is_na = as.vector(is.na(bc) & !is.nan(bc)),
         by_class_rows = bc_names,
         positive = if (is.null(cm$positive)) NA_character_ else cm$positive,
         table = as.numeric(cm$table), levels = rownames(cm$table),
         text = paste(capture.output(print(cm)), collapse = "\n"))
  }
  # caret's options from the vectors rpy2 passes: numpy arrays arrive as 1-d R arrays, which
  # caret cannot compare with plain vectors (so dim is dropped); empty means NULL
  .parity_options <- function(positive, prevalence, prev_names) {
    positive <- as.vector(positive); prevalence <- as.vector(prevalence)
    if (length(prevalence) && length(prev_names)) names(prevalence) <- as.vector(prev_names)
    list(positive = if (length(positive)) positive, prevalence = if (length(prevalence)) prevalence)
  }
  .parity_from_table <<- function(counts, k, levels, positive, prevalence, prev_names, mode) {
    levels <- as.vector(levels)
    m <- matrix(counts, nrow = k, ncol = k, dimnames = list(Prediction = levels, Reference = levels))
    o <- .parity_options(positive, prevalence, prev_names)
    .parity_result(confusionMatrix(as.table(m), positive = o$positive, prevalence = o$prevalence,
                                   mode = mode))
  }
  .parity_from_labels <<- function(data, reference, positive, prevalence, prev_names, mode) {
    o <- .parity_options(positive, prevalence, prev_names)
    .parity_result(confusionMatrix(factor(as.vector(data)), factor(as.vector(reference)),
                                   positive = o$positive, prevalence = o$prevalence, mode = mode))
  }
})
"""


def r_home_problem() -> str | None:
    """None unless ``R_HOME`` is set to a directory that holds no R: then what is wrong and
    the fix. Embedded R started there stops the whole process ("Fatal error: unable to open
    the base package"), so this is checked first; ``Rscript`` only warns and ignores it.

    Examples
    --------
    >>> import os
    >>> r_home_problem() if not os.environ.get("R_HOME") else None
    """
    value = os.environ.get("R_HOME")
    if not value or (os.path.isdir(os.path.join(value, "library", "base"))):
        return None
    home = ""
    if rscript := shutil.which("Rscript"):  # Rscript finds its own home whatever R_HOME says
        try:
            env = {k: v for k, v in os.environ.items() if k != "R_HOME"}
            home = subprocess.run([rscript, "-e", "cat(R.home())"], capture_output=True, text=True,
                                  env=env, timeout=60).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            pass
    return (f"R_HOME={value!r} is not an R installation (no {os.path.join(value, 'library', 'base')}); "
            "unset R_HOME, or set it to the directory `R RHOME` prints"
            + (f" (here {home})" if home else ""))


@functools.lru_cache(maxsize=1)
def r_env():
    """Start embedded R once, load caret and the helpers; RUnavailable when impossible."""
    if problem := r_home_problem():
        raise RUnavailable(problem)
    os.environ.setdefault("TZ", "UTC")  # R warns about timedatectl in containers otherwise
    # rpy2 puts R's library path into os.environ; every later child process (a side's Python)
    # would then load the system's libpython instead of its own: the embedded R has what it
    # needs once loaded, so the variable is put back as it was
    library_path = os.environ.get("LD_LIBRARY_PATH")
    try:
        # rpy2 (the "r" extra) loads only when R is used: it stays out of the core
        import rpy2.robjects as ro
    except Exception as exc:  # ImportError, or rpy2 failing to load libR
        raise RUnavailable(f"rpy2 cannot load R: {exc}; run ./setup.sh") from exc
    finally:
        if library_path is None:
            os.environ.pop("LD_LIBRARY_PATH", None)
        else:
            os.environ["LD_LIBRARY_PATH"] = library_path
    try:
        ro.r(_R_HELPERS)
    except Exception as exc:
        raise RUnavailable(
            f"R cannot load caret: {exc}; install it with: apt-get install r-cran-caret r-cran-e1071"
        ) from exc
    return ro


def _conv():
    # rpy2 (the "r" extra) loads only when R is used: it stays out of the core
    from rpy2.robjects import default_converter, numpy2ri
    from rpy2.robjects.conversion import localconverter

    return localconverter(default_converter + numpy2ri.converter)


@dataclass(frozen=True)
class CaretResult:
    """caret's result as R computed it, with R's NA marked apart from NaN."""

    overall: dict[str, float]
    overall_is_na: dict[str, bool]
    by_class: np.ndarray  # k x 11 (or 11 for two classes), caret's column order
    by_class_is_na: np.ndarray
    by_class_rows: list[str]
    positive: str | None
    table: np.ndarray
    levels: list[str]
    text: str


def _to_result(res) -> CaretResult:
    fields = dict(res.items())

    def get(name):
        return fields[name]

    names = [str(x) for x in get("overall_names")]
    overall = np.asarray(get("overall"), dtype=float)
    overall_na = np.asarray(get("overall_is_na"), dtype=bool)
    levels = [str(x) for x in get("levels")]
    k = len(levels)
    by_class = np.asarray(get("by_class"), dtype=float)
    by_na = np.asarray(get("by_class_is_na"), dtype=bool)
    if k > 2:
        by_class = by_class.reshape(k, 11)  # R's t(byClass) is column-major 11 x k
        by_na = by_na.reshape(k, 11)
    positive = get("positive")[0]
    return CaretResult(
        overall=dict(zip(names, overall.tolist(), strict=True)),
        overall_is_na=dict(zip(names, overall_na.tolist(), strict=True)),
        by_class=by_class, by_class_is_na=by_na,
        by_class_rows=[str(x) for x in get("by_class_rows")],
        positive=None if positive is None or str(positive) == "NA" else str(positive),
        table=np.asarray(get("table"), dtype=float).reshape(k, k, order="F"),
        levels=levels, text=str(get("text")[0]),
    )


def _prevalence_args(prevalence):
    if prevalence is None:
        return np.array([], dtype=float), np.array([], dtype=str)
    if isinstance(prevalence, dict):
        keys = [str(k) for k in prevalence]
        return np.array([float(prevalence[k]) for k in prevalence]), np.array(keys, dtype=str)
    return np.array([float(prevalence)]), np.array([], dtype=str)


def caret_from_table(counts, levels, *, positive=None, prevalence=None, mode="sens_spec") -> CaretResult:
    """``confusionMatrix(as.table(m), ...)`` in R; counts are passed as doubles."""
    ro = r_env()
    counts = np.asarray(counts)
    # R stores a table of integers as integers while they fit, as the port assumes for printing
    as_int = counts.dtype.kind in "iu" and counts.sum() < 2**31
    counts = counts.astype(np.int32) if as_int else counts.astype(float)
    prev, prev_names = _prevalence_args(prevalence)
    with _conv():
        res = _call_r(
            "caret::confusionMatrix(as.table(m))", ro.globalenv[".parity_from_table"],
            counts.ravel(order="F"), counts.shape[0], _r_strings([str(x) for x in levels]),
            np.array([] if positive is None else [str(positive)], dtype=str), prev, prev_names, mode,
        )
    return _to_result(res)


def _r_strings(values, na=None):
    """A character vector for R, NA where ``na`` is True (built directly: no dtype guessing)."""
    # rpy2 (the "r" extra) loads only when R is used: it stays out of the core
    from rpy2.robjects import NA_Character, StrVector

    if na is None:
        return StrVector(list(values))
    return StrVector([NA_Character if m else v for v, m in zip(values, na.tolist(), strict=True)])


def _r_labels(x):
    """The R vector for a label array (:func:`parity.rules.labels_io.r_vector` decides its type)."""
    v = r_vector(x)
    if v.kind == "integer":
        out = v.values.astype(np.int32)  # a copy
        out[v.na] = np.iinfo(np.int32).min  # R's NA_integer_
        return out
    if v.kind == "double":
        out = v.values.astype(np.float64)  # a copy; the payload of R's NA_real_ survives numpy2ri
        out[v.na] = NA
        return out
    return _r_strings(v.values.tolist(), v.na if v.na.any() else None)


def caret_from_labels(data, reference, *, positive=None, prevalence=None, mode="sens_spec") -> CaretResult:
    """``confusionMatrix(factor(data), factor(reference), ...)`` in R.

    The labels reach R as the vectors they stand for (:func:`parity.rules.labels_io.r_vector`):
    integers that fit R's integer as integers, other integers as doubles (exact up to 2**53) or
    else as decimal strings, floats as doubles, strings as character, missing labels (pandas
    NA, None) as R's NA. R's ``factor()`` then chooses the levels itself (numeric order, or
    C-locale order for strings) and caret's ``table()`` drops pairs with an NA.

    Raises
    ------
    RUnavailable
        R, rpy2 or caret cannot be loaded.
    RError
        R stopped with an error (its message is kept).
    TypeError
        Labels that are not a 1-D array-like of labels.
    """
    ro = r_env()
    prev, prev_names = _prevalence_args(prevalence)
    d, r = _r_labels(data), _r_labels(reference)
    with _conv():
        res = _call_r(
            "caret::confusionMatrix(factor(data), factor(reference))",
            ro.globalenv[".parity_from_labels"], d, r,
            np.array([] if positive is None else [str(positive)], dtype=str), prev, prev_names, mode,
        )
    return _to_result(res)


def pbeta(q, a, b, *, lower_tail: bool = True, log_p: bool = False) -> np.ndarray:
    """R's ``pbeta(q, a, b, lower.tail, log.p)`` on NumPy arrays (recycled as R recycles)."""
    ro = r_env()
    with _conv():
        return np.asarray(ro.r["pbeta"](np.asarray(q, dtype=float), np.asarray(a, dtype=float),
                                        np.asarray(b, dtype=float), lower_tail=lower_tail,
                                        log_p=log_p), dtype=float)


# R code for caret on labels given as codes into known levels (the audit's recomputation on a
# side's own labels: factor levels exactly as that side had them, whatever their sort order).
_R_CODES_HELPER = r"""
.parity_from_codes <- function(data, reference, levels, positive, prevalence, prev_names, mode) {
  levels <- as.vector(levels)
  positive <- as.vector(positive); prevalence <- as.vector(prevalence)
  if (length(prevalence) && length(prev_names)) names(prevalence) <- as.vector(prev_names)
  f <- function(codes) factor(levels[as.vector(codes) + 1L], levels = levels)
  .parity_result(confusionMatrix(f(data), f(reference), positive = if (length(positive)) positive,
                                 prevalence = if (length(prevalence)) prevalence, mode = mode))
}
"""


def caret_from_codes(data_codes, reference_codes, levels, *, positive=None, prevalence=None,
                     mode="sens_spec") -> CaretResult:
    """``confusionMatrix(factor(levels[data + 1], levels), factor(levels[reference + 1], levels))``
    in R: labels as 0-based codes into ``levels``, the factor levels in that order."""
    ro = r_env()
    if ".parity_from_codes" not in ro.globalenv:
        ro.r(_R_CODES_HELPER)
    prev, prev_names = _prevalence_args(prevalence)
    with _conv():
        res = _call_r(
            "confusionMatrix", ro.globalenv[".parity_from_codes"],
            np.asarray(data_codes, dtype=np.int32), np.asarray(reference_codes, dtype=np.int32),
            np.array([str(x) for x in levels], dtype=str),
            np.array([] if positive is None else [str(positive)], dtype=str), prev, prev_names, mode)
    return _to_result(res)


# R code for caret's performance functions on the inputs a run recorded (parity.contract.Measure):
# factors rebuilt from 0-based codes with the run's levels, probability columns by name.
_R_MEASURE_HELPER = r"""
.parity_caret_measure <- function(fn, obs, pred, levels, pred_levels, probs, prob_names, lev) {
  f <- function(codes, lv) { lv <- as.vector(lv); codes <- as.vector(codes)
                             factor(lv[ifelse(codes < 0, NA, codes + 1L)], levels = lv) }
  obs <- if (length(levels)) f(obs, levels) else as.vector(obs)
  pred <- if (length(pred_levels)) f(pred, pred_levels) else as.vector(pred)
  res <- if (fn == "postResample") caret::postResample(pred = pred, obs = obs) else {
    d <- data.frame(obs = obs, pred = pred)
    probs <- as.matrix(probs)
    for (j in seq_along(prob_names)) d[[as.vector(prob_names)[j]]] <- as.vector(probs[, j])
    get(fn, envir = asNamespace("caret"))(d, lev = if (length(lev)) as.vector(lev))
  }
  v <- as.numeric(res)
  list(names = names(res), values = v, is_na = is.na(v) & !is.nan(v))
}
"""


def caret_measure(measure) -> tuple[list[str], np.ndarray]:
    """R's caret on the inputs of a :class:`parity.contract.Measure` (``postResample`` or a
    summary function, with the run's levels and ``lev``): the names and values R returns, R's
    NA as the NaN with payload 1954."""
    # rpy2 (the "r" extra) loads only when R is used: it stays out of the core
    from rpy2.robjects import StrVector

    ro = r_env()
    if ".parity_caret_measure" not in ro.globalenv:
        ro.r(_R_MEASURE_HELPER)
        ro.r("suppressPackageStartupMessages(requireNamespace('pROC'))")

    def codes_or_values(x, levels):
        return np.asarray(x, dtype=np.int32 if levels is not None else np.float64)

    probs = measure.probabilities if measure.probabilities is not None else np.zeros((0, 0))
    with _conv():
        res = _call_r(f"caret::{measure.function}", ro.globalenv[".parity_caret_measure"],
                      measure.function, codes_or_values(measure.obs, measure.levels),
                      codes_or_values(measure.pred, measure.pred_levels),
                      StrVector(measure.levels or []), StrVector(measure.pred_levels or []),
                      np.asarray(probs, dtype=np.float64), StrVector(measure.probability_columns),
                      StrVector(measure.lev or []))
        fields = dict(res.items())
        names = [str(x) for x in fields["names"]]
        values = np.array(fields["values"], dtype=np.float64)
        values[np.asarray(fields["is_na"], dtype=bool)] = NA
    return names, values
