"""The audit's checks, one function per group, built from two run records (parity.contract).

Every check has a name, the R value, the Python value, the difference, the rule and a status:
``pass``, ``fail``, ``not_run`` (with the reason) or ``info`` (reported, never decides the
outcome). A required check that did not run is never a pass. When a side's run is missing,
each group that needs it reports one ``<group>.compared`` check as not run.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import math
import types
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from parity.checks import published
from parity.checks.grading import Equivalence, Verdict, grade_runs
from parity.checks.published import summary_rows, summary_total
from parity.config import AuditConfig
from parity.contract import (
    MEASURE_FUNCTIONS,
    SIDE_LABELS,
    Capture,
    CapturedCall,
    CaretValues,
    Measure,
    RunRecord,
    caret_values_of_port,
    predicted_classes,
)
from parity.rules import battery, compare, crosswalk, rbridge
from parity.rules.compare import EXACT, Tolerance
from parity.rules.grades import REQUIRE
from python_impl import caret
from python_impl.caret import confusion_matrix, confusion_matrix_from_table
from python_impl.caret.confusion import level_string

__all__ = ["Check", "CheckList", "GROUPS", "GRADED", "NAMES_DIFFER", "build_checks",
           "check_published", "check_published_figures", "grade_pair", "independent_checks",
           "INDEPENDENT"]


@dataclass
class Check:
    name: str
    group: str
    r_value: Any
    python_value: Any
    difference: Any
    rule: str
    status: str  # pass | fail | not_run | info
    reason: str = ""
    required: bool = True


class CheckList:
    """Collects checks; numeric checks take their tolerance from the spec's overrides."""

    def __init__(self, config: AuditConfig):
        self.items: list[Check] = []
        self.config = config

    def add(self, name, group, r, py, *, ok: bool, difference=None, rule: str, required=True,
            status: str | None = None, reason: str = "") -> None:
        js = compare.json_safe
        self.items.append(Check(name, group, js(r), js(py), js(difference), rule,
                                status or ("pass" if ok else "fail"), reason, required))

    def equal(self, name, group, r, py, rule="equal") -> None:
        self.add(name, group, r, py, ok=r == py, difference=None if r == py else "differs", rule=rule)

    def numeric(self, name, group, r, py, default: Tolerance = EXACT, *, rule_note: str = "") -> bool:
        """Numbers compared under the spec's tolerance for ``name`` (else ``default``); the
        difference reported is the absolute and the relative one (compare.differences).
        Returns whether they agreed."""
        tol = self.config.spec.tolerance(name, default)
        r_arr, p_arr = np.asarray(r, dtype=float), np.asarray(py, dtype=float)
        ok, difference = compare.agree_and_differences(r_arr, p_arr, tol)
        if r_arr.size > 12:  # large arrays: report a digest, not every value
            r, py = f"{list(r_arr.shape)} array", f"{list(p_arr.shape)} array"
        self.add(name, group, r, py, ok=ok, difference=difference, rule=tol.describe() + rule_note)
        return bool(ok)

    def not_run(self, name, group, reason, rule="-") -> None:
        self.items.append(Check(name, group, None, None, None, rule, "not_run", reason, True))

    def needs(self, name, group, *parts) -> bool:
        """False (and the check reported as not run) when a part is missing on a side."""
        missing = [label for label, value in parts if value is None]
        if missing:
            self.not_run(name, group, "not in the run artifacts: " + ", ".join(missing))
        return not missing


# --------------------------------------------------------------------------- groups


def check_data(c: CheckList, r: RunRecord, py: RunRecord) -> None:
    g = "data"
    names = sorted(set(r.data) | set(py.data), key=lambda n: (n not in r.data, n))
    if not names:
        c.not_run("data.facts", g, "neither run recorded data facts (RunWriter.data / parity_run_data)")
    for name in names:
        a, b = r.data.get(name), py.data.get(name)
        if a is None or b is None:
            c.add(f"data.{name}", g, a and a.dim, b and b.dim, ok=False,
                  rule="recorded by both sides")
            continue
        c.equal(f"data.{name}.full_dim", g, a.full_dim, b.full_dim)
        c.equal(f"data.{name}.dim", g, a.dim, b.dim)
        if b.typeof is not None:  # the Python writer said which R type its values are
            ok = a.type == b.typeof
        else:
            ok = a.type in compare.TYPEOF_TO_DTYPES and compare.typeof_matches(a.type, b.type)
        c.add(f"data.{name}.type", g, a.type, b.type, ok=ok,
              difference=None if ok else {"python_values_as_r": b.typeof},
              rule="by meaning: R typeof against the R type of the Python values (integer: whole "
                   "numbers within R's 32-bit integer, any NumPy integer width; double: float64; "
                   "logical: bool)")
    for part in ("train_labels", "test_labels"):
        a, b = getattr(r, part), getattr(py, part)
        if a is None and b is None and r.capture is not None and py.capture is not None:
            c.add(f"data.{part}_identical", g, None, None, ok=True, status="info", required=False,
                  rule="reported, not judged", reason="captured runs record class labels from "
                  "the classes given to fit() and caret; here there were none (a regression, or "
                  "no caret call): the targets given to fit() and evaluate() are compared in the "
                  "group calls (calls.fit.1.y, calls.evaluate.1.y)")
            continue
        if c.needs(f"data.{part}_identical", g, (f"R {part}", a), (f"Python {part}", b)):
            same = a.shape == b.shape and bool(np.array_equal(a, b))
            c.add(f"data.{part}_identical", g, f"{a.size} labels", f"{b.size} labels", ok=same,
                  difference=int((a != b).sum()) if a.shape == b.shape else "shape",
                  rule="identical vectors")


def check_normalization(c: CheckList, r: RunRecord, py: RunRecord) -> None:
    g = "normalization"
    parts = sorted(set(r.normalization) | set(py.normalization))
    if not parts:
        c.not_run("normalization.summary", g, "neither run recorded a normalization summary")
    for part in parts:
        a, b = r.normalization.get(part), py.normalization.get(part)
        if not c.needs(f"normalization.{part}", g, (f"R {part}", a), (f"Python {part}", b)):
            continue
        assert a is not None and b is not None  # c.needs: both sides recorded it
        ra, pa = r.normalized.get(part), py.normalized.get(part)
        if c.needs(f"normalization.{part}.pixels", g, (f"R normalized.{part}", ra),
                   (f"Python normalized.{part}", pa)):
            assert ra is not None and pa is not None
            if ra.shape == pa.shape:
                if not c.numeric(f"normalization.{part}.pixels", g, ra, pa):
                    _last_bits_hint(c, f"normalization.{part}.pixels", g, ra, pa)
            else:
                c.add(f"normalization.{part}.pixels", g, list(ra.shape), list(pa.shape), ok=False,
                      rule="same shape")
        c.add(f"normalization.{part}.storage", g, a.storage, b.storage,
              ok=a.storage in compare.TYPEOF_TO_DTYPES
              and compare.typeof_matches(a.storage, b.storage), rule="R double <-> float64")
        name = f"normalization.{part}.range"
        if not c.needs(name, g, (f"R normalization.{part} min and max", a.min),
                       (f"Python normalization.{part} min and max", b.min)):
            continue
        rng_r, rng_p = [a.min, a.max], [b.min, b.max]
        if a.exact and b.exact:
            if not c.numeric(name, g, rng_r, rng_p, rule_note="; the minimum, then the maximum"):
                _last_bits_hint(c, name, g, rng_r, rng_p)
        else:
            # an older R writer: jsonlite's 15 significant digits. The exact side is rounded
            # the same way, so a bit-identical pair still passes; the rule says so.
            lossy = [s.side for s in (r, py) if not s.normalization[part].exact]
            rounded = [[_jsonlite_digits(v) for v in rng] if rec.normalization[part].exact else rng
                       for rec, rng in ((r, rng_r), (py, rng_p))]
            c.numeric(name, g, rounded[0], rounded[1],
                      rule_note=f"; the minimum, then the maximum, at 15 significant digits: the "
                                f"{' and '.join(lossy)} run wrote them only in run.json (jsonlite); "
                                f"the array normalization.{part}.min_max_mean keeps every bit")


#: a normalization that differs from R's by at most this many units in the last place of its
#: largest value is the same formula with sums in another order: R accumulates in long double,
#: NumPy in double, and centering data far from 0 (1e4 + noise) magnifies the difference to
#: about that offset's ratio in units of the centered values. A wrong formula is far beyond it:
#: sd with ddof=0 is a relative 1/(2n) (2^24 units is a relative 3.7e-9), x / 256 is 0.4%.
LAST_BITS_ULPS = 2 ** 24
LAST_BITS_HINT = ("R accumulates scale(), colMeans(), mean(), sd() and var() in long double and "
                  "refines the mean in a second pass; NumPy sums doubles pairwise. parity.rnum "
                  "reproduces R's arithmetic (rnum.scale, rnum.col_means, rnum.mean, rnum.sd, "
                  "rnum.var) in the port")


def _last_bits_hint(c: CheckList, name: str, g: str, r, py) -> None:
    """For a failed normalization check: when the values differ only in their last bits, an
    info row grading the difference numeric, with its size in units in the last place (ULPs) of
    the largest value, and the way to match R."""
    ra, pa = np.asarray(r, dtype=np.float64), np.asarray(py, dtype=np.float64)
    if ra.shape != pa.shape or not np.array_equal(np.isfinite(ra), np.isfinite(pa)):
        return
    finite = np.isfinite(ra)
    if not finite.any() or not np.array_equal(ra[~finite], pa[~finite], equal_nan=True):
        return
    largest = float(np.max(np.abs(ra[finite])))
    diff = float(np.max(np.abs(ra[finite] - pa[finite])))
    ulps = math.ceil(diff / float(np.spacing(largest))) if largest > 0 else math.inf
    if ulps > LAST_BITS_ULPS:
        return
    c.add(f"{name}.last_bits", g, None, None, ok=True, required=False, status="info",
          difference={"grade": "numeric", "max_abs": diff, "ulps_of_largest": ulps},
          rule=f"numeric: at most {LAST_BITS_ULPS} units in the last place of the largest value",
          reason=LAST_BITS_HINT)


def _jsonlite_digits(x: float | None) -> float | None:
    """``x`` as R's jsonlite writes it (``digits = NA``: 15 significant digits), read back."""
    return None if x is None else float(f"{x:.15g}")



NAMES_DIFFER = ("Keras names layers when they are created; the real R keras package creates "
                "each layer of a %>% chain before the layers piped into it (magrittr >= 2.0 "
                "runs the outermost call first), so auto-generated names run in reverse; the "
                "structure is compared by position")


def check_model(c: CheckList, r: RunRecord, py: RunRecord) -> None:
    g = "model"
    if not c.needs("model.layers", g, ("R model.layers", r.layers), ("Python model.layers", py.layers)):
        return
    assert r.layers is not None and py.layers is not None  # c.needs: both sides have them
    c.equal("model.layer_count", g, len(r.layers), len(py.layers))
    for attr, label in (("cls", "layer_classes"), ("output_shape", "output_shapes"),
                        ("params", "layer_params")):
        c.equal(f"model.{label}", g, [getattr(x, attr) for x in r.layers],
                [getattr(x, attr) for x in py.layers], rule="equal, layer by layer (by position)")
    rn, pn = [x.name for x in r.layers], [x.name for x in py.layers]
    c.add("model.layer_names", g, rn, pn, ok=True, status="pass" if rn == pn else "info",
          required=False, rule="reported, not judged: auto-generated names depend on creation order",
          reason="" if rn == pn else NAMES_DIFFER)
    c.equal("model.total_params", g, r.total_params, py.total_params)
    if c.needs("model.printed_summaries", g, ("R model_summary", r.model_summary),
               ("Python model_summary", py.model_summary)):
        assert r.model_summary is not None and py.model_summary is not None
        r_rows = [row[1:] for row in summary_rows(r.model_summary)]
        p_rows = [row[1:] for row in summary_rows(py.model_summary)]
        c.add("model.printed_summaries", g, r_rows, p_rows,
              ok=bool(r_rows) and r_rows == p_rows
              and summary_total(r.model_summary) == summary_total(py.model_summary),
              rule="same rows (class, shape, params) by position and the same total; names and "
                   "formatting aside")


def check_training(c: CheckList, r: RunRecord, py: RunRecord) -> None:
    g = "training"
    want = c.config.settings
    c.add("training.settings", g, r.settings, py.settings,
          ok=r.settings == py.settings and {k: r.settings.get(k) for k in want} == want,
          difference=sorted(k for k in set(r.settings) | set(py.settings)
                            if r.settings.get(k) != py.settings.get(k)) or None,
          rule=f"both sides ran the audit's settings {want}")
    execution = sorted(c.config.spec.execution_settings)
    if execution:
        re_, pe = ({k: s.settings.get(k) for k in execution} for s in (r, py))
        c.add("training.execution_settings", g, re_, pe, ok=re_ == pe,
              rule="the same execution settings on both sides: they never change what is "
                   "computed, but TF's CPU MatMul may round differently with another intra-op "
                   "thread count (parity.config.AuditConfig)")
    metrics = sorted(set(r.history) | set(py.history))
    if not metrics:
        c.not_run("training.history", g, "neither run recorded a history (history.<metric> arrays)")
    for metric in metrics:
        if metric not in r.history or metric not in py.history:
            c.add(f"training.{metric}_per_epoch", g, metric in r.history, metric in py.history,
                  ok=False, rule="metric recorded by both sides")
        elif r.history[metric].shape != py.history[metric].shape:
            c.add(f"training.{metric}_per_epoch", g, len(r.history[metric]),
                  len(py.history[metric]), ok=False, rule="the same number of epochs")
        else:
            c.numeric(f"training.{metric}_per_epoch", g, r.history[metric], py.history[metric])
    for callback in sorted(set(r.callbacks) | set(py.callbacks)):
        a, b = r.callbacks.get(callback), py.callbacks.get(callback)
        if a is None or b is None:
            c.add(f"training.{callback}", g, a, b, ok=False,
                  rule="callback recorded by both sides (RunWriter.callbacks / early_stopping)")
            continue
        for fact in sorted(set(a) | set(b)):
            c.add(f"training.{callback}.{fact}", g, a.get(fact), b.get(fact),
                  ok=fact in a and fact in b and a[fact] == b[fact],
                  rule="equal (epochs are Keras' 0-based attributes; epochs_run counts them)")
    if r.class_weight is not None or py.class_weight is not None:
        name = "training.class_weight"
        if c.needs(name, g, ("R weights.class_weight", r.class_weight),
                   ("Python weights.class_weight", py.class_weight)):
            assert r.class_weight is not None and py.class_weight is not None
            if sorted(r.class_weight) != sorted(py.class_weight):
                c.add(name, g, list(r.class_weight), list(py.class_weight), ok=False,
                      rule="weights for the same classes")
            else:
                keys = sorted(r.class_weight)
                c.numeric(name, g, [r.class_weight[k] for k in keys], [py.class_weight[k] for k in keys],
                          rule_note=f"; the weights of classes {keys}")
    if r.sample_weight is not None or py.sample_weight is not None:
        if c.needs("training.sample_weight", g, ("R weights.sample_weight", r.sample_weight),
                   ("Python weights.sample_weight", py.sample_weight)):
            assert r.sample_weight is not None and py.sample_weight is not None
            if r.sample_weight.shape != py.sample_weight.shape:
                c.add("training.sample_weight", g, list(r.sample_weight.shape),
                      list(py.sample_weight.shape), ok=False, rule="one weight per training row")
            else:
                c.numeric("training.sample_weight", g, r.sample_weight, py.sample_weight)


def _levels_of(record: RunRecord) -> list[str] | None:
    if record.confusion is not None:
        return record.confusion.levels
    if record.test_labels is not None:
        return [level_string(x) for x in np.unique(record.test_labels)]
    return None


def check_predictions(c: CheckList, r: RunRecord, py: RunRecord) -> None:
    """The model's outputs, by the task the runs declare: a regression's predicted values; a
    classifier's probabilities and classes (binary: by the recorded threshold)."""
    g = "predictions"
    task = r.task or py.task
    if task is None:
        c.not_run("predictions.compared", g, "neither run recorded predictions (probabilities or "
                                             "predicted_values)")
        return
    if r.task is not None and py.task is not None:  # (a side without outputs: not run below)
        inferred = [rec.side for rec in (r, py) if not rec.task_declared]
        c.add("predictions.task", g, r.task, py.task, ok=r.task == py.task,
              rule="the same task (regression, binary or multiclass)" + (
                  f"; inferred for the {' and '.join(inferred)} run, which declares none (one "
                  "probability column: binary, more: multiclass)" if inferred else ""))
        if r.task != py.task:
            return
    if task == "regression":
        _compare_outputs(c, "predicted_values", r.predicted_values, py.predicted_values)
        return
    for side, rec in (("r", r), ("python", py)):
        levels = _levels_of(rec)
        name = f"predictions.{side}_classes_within_levels"
        if c.needs(name, g, (f"{side} predicted_classes", rec.predicted), (f"{side} levels", levels)):
            assert rec.predicted is not None and levels is not None
            data = rec.confusion_inputs[0] if rec.confusion_inputs is not None else None
            if data is not None and data.shape == rec.predicted.shape:
                # the labels the side gave caret, row for row: the classes whose label is no level
                outside = sorted({str(x) for x in np.unique(rec.predicted[data < 0])})
            else:
                outside = sorted({level_string(x) for x in np.unique(rec.predicted)} - set(levels))
            c.add(name, g, levels if side == "r" else None, levels if side == "python" else None,
                  ok=not outside, difference={"classes_outside_levels": outside} if outside else None,
                  rule="every predicted class is a level of the reference (0-based classes)")
    if task == "binary" and (r.threshold is not None or py.threshold is not None):
        # (a pair of older writers records no threshold: its classes are compared as recorded)
        if c.needs("predictions.threshold", g, ("R classification_threshold (declare task "
                                                "'binary' with its threshold)", r.threshold),
                   ("Python classification_threshold (RunWriter.predictions(..., task='binary', "
                    "threshold=...))", py.threshold)):
            c.numeric("predictions.threshold", g, r.threshold, py.threshold,
                      rule_note="; a row is class 1 when its probability is above the threshold")
        for side, rec in (("r", r), ("python", py)):
            name = f"predictions.{side}_classes_follow_threshold"
            if rec.threshold is not None and c.needs(
                    name, g, (f"{side} probabilities", rec.probabilities),
                    (f"{side} predicted_classes", rec.predicted)):
                assert rec.probabilities is not None and rec.predicted is not None
                expected = predicted_classes(rec.probabilities[:, 0], threshold=rec.threshold)
                same = expected.shape == rec.predicted.shape
                wrong = int((expected != rec.predicted).sum()) if same else None
                c.add(name, g, rec.threshold if side == "r" else None,
                      rec.threshold if side == "python" else None, ok=wrong == 0,
                      difference=None if wrong == 0 else {"rows_not_following": wrong
                                                          if same else "shape"},
                      rule="the recorded classes are probability > the recorded threshold, row "
                           "by row (a port that applies another threshold fails here)")
    if not _compare_outputs(c, "probabilities", r.probabilities, py.probabilities):
        return
    assert r.probabilities is not None
    n = r.probabilities.shape[0]
    if c.needs("predictions.class_agreement", g, ("R predicted_classes", r.predicted),
               ("Python predicted_classes", py.predicted)):
        assert r.predicted is not None and py.predicted is not None
        agree = int((r.predicted == py.predicted).sum()) if r.predicted.shape == py.predicted.shape else 0
        c.add("predictions.class_agreement", g, n, agree, ok=agree == n, difference=n - agree,
              rule=f"{n}/{n} predicted classes agree")


def _compare_outputs(c: CheckList, what: str, r_out: np.ndarray | None,
                     py_out: np.ndarray | None) -> bool:
    """``predictions.<what>_max_abs_diff`` and ``predictions.bit_identical_rows`` (rows: an
    n-vector is n rows of one output); False when they could not be compared."""
    g = "predictions"
    if not c.needs(f"predictions.{what}", g, (f"R {what}", r_out), (f"Python {what}", py_out)):
        return False
    assert r_out is not None and py_out is not None  # c.needs: both there
    if r_out.shape != py_out.shape:
        c.add("predictions.shape", g, list(r_out.shape), list(py_out.shape), ok=False,
              rule="the same number of rows and outputs (an n-vector is n x 1)")
        return False
    c.numeric(f"predictions.{what}_max_abs_diff", g, r_out, py_out)
    name = "predictions.bit_identical_rows"
    tol = c.config.spec.tolerance(name, EXACT)
    rows = compare.agreement(r_out, py_out, tol).reshape(r_out.shape[0], -1).all(axis=1)
    n, same = int(r_out.shape[0]), int(rows.sum())
    c.add(name, g, n, same, ok=same == n, difference=n - same,
          rule="every row: " + tol.describe())
    return True


def _port_on(inputs: tuple[np.ndarray, np.ndarray], values: CaretValues) -> CaretValues:
    """The port on the labels a side gave caret, with that side's options."""
    data, reference = (pd.Categorical.from_codes(np.where(codes < 0, -1, codes), values.levels)
                       for codes in inputs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # caret's level warnings: the checks report levels
        cm = confusion_matrix(data, reference, positive=values.positive,
                              prevalence=values.prevalence, mode=values.mode)
    return caret_values_of_port(cm)


def _r_caret_on(inputs: tuple[np.ndarray, np.ndarray], values: CaretValues) -> CaretValues:
    """R's caret (through rpy2) on the labels a side gave caret, with that side's options."""
    res = rbridge.caret_from_codes(*inputs, values.levels, positive=values.positive,
                                   prevalence=values.prevalence, mode=values.mode)
    return compare.caret_values_of_r(res)


def _stat_checks(c: CheckList, label: str, r_values: CaretValues, py_values: CaretValues) -> None:
    for s in compare.compare_caret(r_values, py_values,
                                   tolerance=lambda n, d: c.config.spec.tolerance(
                                       f"confusion.{label}.{n}", d)):
        if s.name in ("table", "printed_text", "levels") and label != "crossed":
            continue  # the table and the text are compared once, on the sides' own results
        c.add(f"confusion.{s.name}" if s.name in ("table", "printed_text", "levels")
              else f"confusion.{label}.{s.name}", "confusion", s.r, s.python, ok=s.ok,
              difference=s.difference, rule=s.rule)


def check_confusion(c: CheckList, r: RunRecord, py: RunRecord) -> None:
    g = "confusion"
    if r.task == py.task == "regression":
        c.add("confusion.task", g, r.task, py.task, ok=True, status="info", required=False,
              rule="reported, not judged", reason="both runs are regressions: caret's "
              "confusionMatrix has no classes to compare (postResample: group measures)")
        return
    for rec in (r, py):
        if "confusion" in rec.errors:
            c.add(f"confusion.{rec.side}_caret_ran", g, rec.side == "r" or None,
                  rec.side == "python" or None, ok=False, difference=rec.errors["confusion"],
                  rule="caret's confusionMatrix ran on the side's predictions")
    if not c.needs("confusion.crossed", g, ("R confusion", r.confusion), ("Python confusion", py.confusion)):
        return
    assert r.confusion is not None and py.confusion is not None  # c.needs: both sides ran caret
    _stat_checks(c, "crossed", r.confusion, py.confusion)
    for label, rec, other in (("r_predictions", r, "Python port"), ("python_predictions", py, "R caret")):
        name = f"confusion.{label}"
        if not c.needs(name, g, (f"{rec.side} confusion.data/confusion.reference", rec.confusion_inputs)):
            continue
        assert rec.confusion_inputs is not None
        if any((codes < 0).any() for codes in rec.confusion_inputs):
            c.not_run(name, g, f"the labels the {rec.side} side gave caret include values outside "
                               "its levels (see predictions.*_classes_within_levels)")
            continue
        try:
            if label == "r_predictions":
                assert r.confusion_inputs is not None  # rec is r
                _stat_checks(c, label, r.confusion, _port_on(r.confusion_inputs, r.confusion))
            else:
                assert py.confusion_inputs is not None  # rec is py
                _stat_checks(c, label, _r_caret_on(py.confusion_inputs, py.confusion), py.confusion)
        except Exception as exc:  # noqa: BLE001 - R or the port failing is this check's result
            c.not_run(name, g, f"{other} could not run on the {rec.side} side's labels: {exc}")


def check_evaluation(c: CheckList, r: RunRecord, py: RunRecord) -> None:
    """``evaluate()``'s results, name by name (RunWriter.evaluation)."""
    g = "evaluation"
    if not c.needs("evaluation.compared", g, ("R evaluation", r.evaluation),
                   ("Python evaluation", py.evaluation)):
        return
    assert r.evaluation is not None and py.evaluation is not None
    # R keras returns the loss first; Keras 3's evaluate(return_dict=True) puts the compiled
    # metrics first: a faithful port may record either order, so the names are a set
    c.equal("evaluation.names", g, sorted(r.evaluation), sorted(py.evaluation),
            rule="the same names (in any order: Keras 3's return_dict lists the metrics before "
                 "the loss, R keras the loss first)")
    for name in r.evaluation:
        if name in py.evaluation:
            c.numeric(f"evaluation.{name}", g, r.evaluation[name], py.evaluation[name])


def _measure_checks(c: CheckList, pair: str, fn: str, r_res: tuple[list[str], np.ndarray],
                    py_res: tuple[list[str], np.ndarray]) -> None:
    """One caret function's results compared name by name (compare.compare_measures: exact,
    R's NA only NA, unless the spec overrides ``measures.<pair>.<function>.<name>``); the
    contract keeps no warnings or printed text of these, so those rows are left out."""
    prefix = f"measures.{pair}.{fn}"
    rows = compare.compare_measures(
        compare.MeasureValues(fn, *r_res), compare.MeasureValues(fn, *py_res),
        tolerance=lambda name, default: c.config.spec.tolerance(f"{prefix}.{name}", default))
    for row in rows:
        if row.name not in ("warnings", "printed_text"):
            c.add(f"{prefix}.{row.name}", "measures", row.r, row.python, ok=row.ok,
                  difference=row.difference, rule=row.rule)


def _port_measure(m: Measure) -> tuple[list[str], np.ndarray]:
    """The port (python_impl.caret) on the inputs a run gave caret: (pred, obs) for
    postResample, else the data frame (obs, pred and the probability columns) and ``lev``."""
    def factor(codes, levels):
        return pd.Categorical.from_codes(np.where(codes < 0, -1, codes), levels)

    obs = m.obs if m.levels is None else factor(m.obs, m.levels)
    pred = m.pred if m.pred_levels is None else factor(m.pred, m.pred_levels)
    fn = getattr(caret, MEASURE_FUNCTIONS[m.function])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # R's warnings, which the port repeats: values compared
        if m.function == "postResample":
            result = fn(pred, obs)
        else:
            data = pd.DataFrame({"obs": obs, "pred": pred})
            for j, name in enumerate(m.probability_columns):
                assert m.probabilities is not None  # (the reader checked the columns)
                data[name] = m.probabilities[:, j]
            result = fn(data, lev=m.lev)
    return [str(k) for k in result.index], result.to_numpy(dtype=np.float64)


def check_measures(c: CheckList, r: RunRecord, py: RunRecord) -> None:
    """caret's postResample and summary functions (issue 21), as the confusion statistics:
    ``crossed`` (each side's own result), ``r_predictions`` (the port on R's inputs against
    R's result), ``python_predictions`` (R's caret through rpy2 on the port's inputs against
    the port's result)."""
    g = "measures"
    functions = sorted(set(r.measures) | set(py.measures))
    if not functions:
        c.not_run("measures.compared", g, "neither run recorded caret's postResample or a summary "
                                          "function (RunWriter.post_resample / summary)")
    for fn in functions:
        a, b = r.measures.get(fn), py.measures.get(fn)
        if a is None or b is None:
            c.add(f"measures.{fn}", g, a is not None, b is not None, ok=False,
                  rule="recorded by both sides")
            continue
        _measure_checks(c, "crossed", fn, (a.names, a.values), (b.names, b.values))
        for pair, rec, other in (("r_predictions", a, "the Python port"),
                                 ("python_predictions", b, "R caret")):
            name = f"measures.{pair}.{fn}"
            if rec.obs is None or rec.pred is None:
                c.not_run(name, g, f"the {'R' if rec is a else 'Python'} run did not record the "
                                   f"inputs given to {fn} (measures.{fn}.obs / .pred)")
                continue
            try:
                if rec is a:
                    _measure_checks(c, pair, fn, (a.names, a.values), _port_measure(a))
                else:
                    _measure_checks(c, pair, fn, rbridge.caret_measure(b), (b.names, b.values))
            except Exception as exc:  # noqa: BLE001 - R or the port failing is this check's result
                c.not_run(name, g, f"{other} could not run {fn} on the "
                                   f"{'R' if rec is a else 'Python'} side's inputs: {exc}")


def check_published_figures(c: CheckList) -> None:
    """The published group's checks that need no side's run: caret (R and the port) on the
    spec's published table print every published figure (the audit runs them while the sides
    train: :func:`independent_checks`)."""
    g = "published"
    pub = c.config.spec.published
    table = np.asarray(pub["table"])
    levels = [str(x) for x in pub.get("levels", range(table.shape[0]))]
    texts = {"python": str(confusion_matrix_from_table(table, labels=levels))}
    try:
        texts["r"] = rbridge.caret_from_table(table, levels).text
    except rbridge.RUnavailable as exc:
        c.not_run("published.r_caret_reproduces_figures", g, str(exc))
    printed = pub.get("printed", {})
    for side in ("r", "python"):
        if side in texts:
            who = "R caret" if side == "r" else "the Python port"
            name = f"published.{'r_caret' if side == 'r' else 'port'}_reproduces_figures"
            mismatches, got = published.compare_printed(texts[side], printed)
            c.add(name, g, printed if side == "r" else "(published)", got, ok=not mismatches,
                  difference=mismatches or None,
                  rule=f"{who} on the published table prints every published figure")


def check_published(c: CheckList, r: RunRecord | None, py: RunRecord | None, *,
                    figures: list[Check] | None = None) -> None:
    """The spec's published figures: caret (R and the port) on the published table print every
    published figure (:func:`check_published_figures`, or ``figures``, its checks made
    already); this run's accuracy against the published one (information); the printed model
    summary against the published one, with its declared omissions."""
    g = "published"
    pub = c.config.spec.published
    if "table" in pub:
        if figures is None:
            check_published_figures(c)
        else:
            c.items.extend(figures)
        if py is not None and py.confusion is not None:
            info = published.accuracy_against(py.confusion, np.asarray(pub["table"]))
            c.add("published.accuracy_vs_published", g, info["published"], info["run"], ok=True,
                  status="info", required=False, difference=info["test"],
                  rule="reported, not judged: two-proportion z-test and Clopper-Pearson CIs; "
                       "training differs across machines, versions and epochs",
                  reason=info["verdict"])
    if "summary" in pub:
        if c.needs("published.printed_summary", g,
                   ("Python model_summary", py.model_summary if py else None)):
            assert py is not None and py.model_summary is not None
            ok, got, detail, reason = published.compare_summary(py.model_summary, pub["summary"])
            c.add("published.printed_summary", g, pub["summary"]["layers"], got, ok=ok,
                  difference=detail, rule="the published summary lists every layer of this run "
                  "except the ones it declares omitted, and the same total", reason=reason)


def check_battery(c: CheckList) -> None:
    """R's caret and the port on the battery's generated tables (parity.rules.battery): one check
    per table, every statistic and the printed text."""
    seed, size = c.config.spec.battery
    rule = (f"R caret and the port agree on every statistic and the printed text (battery of "
            f"{size} tables, seed {seed}; parity.rules.battery; a spec override of "
            f"battery.<table>.<statistic> applies)")
    for case in battery.cases(seed=seed, size=size):
        name = f"battery.{case.name}"
        try:
            rows = battery.run_case(case, tolerance=lambda n, d, case=case: c.config.spec.tolerance(
                f"battery.{case.name}.{n}", d))
        except rbridge.RUnavailable as exc:
            c.not_run(name, "battery", str(exc), rule)
            continue
        bad = {row.name: {"r": row.r, "python": row.python} for row in rows if not row.ok}
        c.add(name, "battery", f"{len(case.levels)} classes, n = {int(case.table.sum())}",
              case.options, ok=not bad, difference=bad or None, rule=rule)


# --------------------------------------------------------------------------- captured calls

#: the kinds of captured calls both sides must make in the same order; "statistic" calls (a
#: statistics library's function: scikit-learn, statsmodels, SciPy, pROC) are the crosswalk's
PAIRED_KINDS = ("compile", "fit", "evaluate", "predict", "caret")
#: per kind, the facts of a call that must be equal on both sides (values of capture.calls)
CALL_FACTS = {"compile": ("loss", "optimizer", "learning_rate", "metrics"),
              "fit": ("epochs", "batch_size", "validation_split", "shuffle", "epochs_run",
                      "class_weight"),
              "evaluate": ("names",), "predict": (), "caret": ("names",)}


#: what Keras uses for a fact the script did not give (R keras passes NULL, a port may pass
#: the default explicitly): fit()'s batch size for arrays, no validation split, shuffling
KERAS_DEFAULTS = {("fit", "batch_size"): 32, ("fit", "validation_split"): 0.0, ("fit", "shuffle"): True}


def _call_label(call: CapturedCall) -> str:
    return call.kind if call.kind == call.function else f"{call.kind} {call.function}"


def _paired_calls(capture: Capture) -> list[CapturedCall]:
    return [call for call in capture.calls if call.kind in PAIRED_KINDS]


def check_calls(c: CheckList, r: RunRecord, py: RunRecord) -> None:
    """Captured runs (``capture = true``): the two scripts' library calls, paired by kind and
    order (the first fit with the first fit, the second predict with the second predict).
    ``calls.sequence`` fails at the first call that differs, showing both sequences; each pair's
    facts and arrays are compared (arrays the other groups compare as the run's parts - the
    first call of each kind - are not compared twice); a statistics library's call on the Python
    side is mapped to caret's statistic (:mod:`parity.rules.crosswalk`) and reported beside what
    R's caret reported, as information."""
    g = "calls"
    if r.capture is None or py.capture is None:
        c.not_run("calls.sequence", g, "not captured: "
                  + ", ".join(f"the {rec.side} run was written by writer calls"
                              for rec in (r, py) if rec.capture is None)
                  + " (a side with capture = true, or parity audit --r X.R --python X.py)")
        return
    r_calls, p_calls = _paired_calls(r.capture), _paired_calls(py.capture)
    r_seq, p_seq = [_call_label(x) for x in r_calls], [_call_label(x) for x in p_calls]
    first = next((i for i, (a, b) in enumerate(zip(r_seq, p_seq, strict=False)) if a != b), None)
    if first is None and len(r_seq) != len(p_seq):
        first = min(len(r_seq), len(p_seq))
    c.add("calls.sequence", g, r_seq, p_seq, ok=first is None and bool(r_seq),
          difference=None if first is None else {
              "first_differing_call": first + 1,
              "r": r_seq[first] if first < len(r_seq) else "(no more calls)",
              "python": p_seq[first] if first < len(p_seq) else "(no more calls)"},
          rule="the same library calls in the same order (keras compile/fit/evaluate/predict, "
               "caret's functions; statistics libraries' calls are reported below, not paired)")
    seen: dict[str, int] = {}
    for a, b in zip(r_calls, p_calls, strict=False):  # beyond the shorter: calls.sequence failed
        if _call_label(a) != _call_label(b):
            break  # calls.sequence failed here: later pairs are not the same calls
        seen[a.kind] = n = seen.get(a.kind, 0) + 1
        prefix = f"calls.{a.kind}.{n}"
        for fact in CALL_FACTS[a.kind]:
            if fact in a.values or fact in b.values:
                x, y = a.values.get(fact), b.values.get(fact)
                default = KERAS_DEFAULTS.get((a.kind, fact))  # not given: what Keras applies
                same = _fact_digits(default if x is None else x) == _fact_digits(default if y is None else y)
                c.add(f"{prefix}.{fact}", g, x, y, ok=same, difference=None if same else "differs",
                      rule="equal (numbers at 15 significant digits: R's run.json keeps 15, "
                           "jsonlite; a fact not given is Keras' default)")
        for role in sorted(set(a.arrays) | set(b.arrays)):
            name = f"{prefix}.{role}"
            if n == 1 and (_is_part(a, role) or _is_part(b, role)):
                continue  # the first call's arrays are the run's parts: their groups compare them
            x, y = a.arrays.get(role), b.arrays.get(role)
            if x is None or y is None:
                c.add(name, g, x is not None, y is not None, ok=False, rule="recorded by both sides")
            elif x.shape != y.shape and x.size != y.size:
                c.add(name, g, list(x.shape), list(y.shape), ok=False, rule="the same shape")
            else:  # n x 1 and n are the same values (R drops a matrix's last dimension)
                c.numeric(name, g, x.reshape(-1), y.reshape(-1))
    for call in py.capture.calls:
        if call.kind == "statistic":
            _crosswalk_rows(c, call, r)


def _fact_digits(value: Any) -> Any:
    """A captured fact as R's run.json can hold it: floats at 15 significant digits (jsonlite),
    inside lists and mappings too; anything else as it is."""
    if isinstance(value, float):
        return _jsonlite_digits(value)
    if isinstance(value, list):
        return [_fact_digits(v) for v in value]
    if isinstance(value, dict):
        return {k: _fact_digits(v) for k, v in value.items()}
    return value


def _is_part(call: CapturedCall, role: str) -> bool:
    """Whether a captured call's array is one of the run's parts (a name without "capture.")."""
    return role in call.array_names and not call.array_names[role].startswith("capture.")


def _statistic_arguments(call: CapturedCall) -> tuple[dict[str, Any], Any]:
    """A captured statistics call's keyword arguments and result, as the library saw them
    (parity.capture's record: label codes with ``<role>_levels``, a result by ``result_type``)."""
    values = call.values
    kwargs: dict[str, Any] = {}
    for role, arr in call.arrays.items():
        if not role.startswith("result") and "." not in role:  # (a data frame's columns: role.col)
            levels = values.get(f"{role}_levels")
            # codes into the levels; -1 (a missing label) indexes the None appended
            kwargs[role] = np.asarray([*levels, None], dtype=object)[arr] if levels is not None else arr
    kwargs.update((k, _json_number(v)) for k, v in values.items()
                  if not k.startswith("result") and k != "capture_error"
                  and not k.endswith(("_levels", "_index", "_columns")))
    kind = values.get("result_type")
    if kind == "scalar":
        result: Any = call.arrays["result"].reshape(())[()]
    elif kind == "array":
        result = call.arrays["result"]
    elif kind == "tuple":
        result = tuple(call.arrays[f"result.{i}"] if f"result.{i}" in call.arrays
                       else values.get(f"result.{i}") for i in range(values["result_length"]))
    elif kind == "object":  # a result object's numeric attributes (SciPy's, statsmodels')
        result = types.SimpleNamespace(**values["result"])
    else:
        result = values.get("result")
    return kwargs, result


def _json_number(value: Any) -> Any:
    """parity.capture writes the non-finite numbers JSON cannot hold as "NaN", "Inf", "-Inf"."""
    return {"NaN": math.nan, "Inf": math.inf, "-Inf": -math.inf}.get(value, value) \
        if isinstance(value, str) else value


def _caret_reported(r: RunRecord, statistic: str, level: str | None):
    """What R's caret reported for ``statistic`` (of class ``level``) in the R run, or None."""
    if r.confusion is not None:
        v = r.confusion
        if level is None and statistic in v.overall_names:
            return float(v.overall[v.overall_names.index(statistic)])
        if statistic in v.by_class_names:
            col = v.by_class_names.index(statistic)
            if not v.by_class_rows:  # two classes: one row, for the positive class
                if level is None or level == v.positive:
                    return float(v.by_class[0, col])
            elif f"Class: {level}" in v.by_class_rows:
                return float(v.by_class[v.by_class_rows.index(f"Class: {level}"), col])
    if level is None:
        for m in r.measures.values():
            if statistic in m.names:
                return float(m.values[m.names.index(statistic)])
    return None


def _crosswalk_rows(c: CheckList, call: CapturedCall, r: RunRecord) -> None:
    """One Python statistics call, mapped to caret's statistic(s): an info row each."""
    name = f"calls.statistic.{call.index}.{call.function.rsplit('.', 1)[-1]}"
    kwargs, result = _statistic_arguments(call)
    try:
        rows = crosswalk.map_call(call.function, (), kwargs, result)
    except Exception as exc:  # noqa: BLE001 - an unmapped call or arguments: said, never a failure
        c.add(name, "calls", None, None, ok=True, status="info", required=False,
              rule="reported, not judged", reason=f"not mapped to caret: {exc}")
        return
    for row in rows:
        label = f"{name}.{row.caret_statistic}" + (f".{row.caret_class}" if row.caret_class else "")
        reported = _caret_reported(r, row.caret_statistic, row.caret_class)
        c.add(label, "calls", reported, row.value, ok=True, status="info", required=False,
              difference={"caret_on_python_inputs": row.caret_value,
                          "same_as_caret": row.caret_equal},
              rule=f"{row.python_call} stands for caret's {row.caret_statistic}"
                   + (f" (class {row.caret_class})" if row.caret_class else "")
                   + "; reported beside R's caret, not judged",
              reason=(row.why + "; " if row.why else "") + f"caret's value: {row.caret_call}"
                     + ("" if reported is not None else "; R's caret did not report it"))


#: group -> its check function (both run records)
GROUPS: dict[str, Callable[[CheckList, RunRecord, RunRecord], None]] = {
    "data": check_data, "normalization": check_normalization, "model": check_model,
    "training": check_training, "predictions": check_predictions, "confusion": check_confusion,
    "evaluation": check_evaluation, "measures": check_measures, "calls": check_calls,
}

#: per group, whether a run recorded anything it compares (an audit of two scripts reports a
#: group neither run recorded as one info row: Spec.only_recorded_groups)
RECORDED: dict[str, Callable[[RunRecord], bool]] = {
    "data": lambda rec: bool(rec.data) or rec.train_labels is not None,
    "normalization": lambda rec: bool(rec.normalization),
    "model": lambda rec: rec.layers is not None,
    "training": lambda rec: bool(rec.history),
    "predictions": lambda rec: rec.probabilities is not None or rec.predicted_values is not None,
    "confusion": lambda rec: rec.confusion is not None,
    "evaluation": lambda rec: rec.evaluation is not None,
    "measures": lambda rec: bool(rec.measures),
    "calls": lambda rec: rec.capture is not None,
}


#: the bit-exact checks a graded verdict replaces under --require numeric|equivalent: those that
#: compare what training computed. The others (data, model, settings, the port against caret on
#: the same labels, predictions within the levels) stay required whatever --require says.
GRADED = ("training.*_per_epoch", "predictions.probabilities_max_abs_diff",
          "predictions.predicted_values_max_abs_diff",
          "predictions.bit_identical_rows", "predictions.class_agreement", "confusion.table",
          "confusion.printed_text", "confusion.crossed.*", "evaluation.*", "measures.crossed.*",
          # captured calls after the first of their kind: what training computed
          "calls.fit.*.history.*", "calls.fit.*.epochs_run", "calls.predict.*.output",
          "calls.evaluate.*.values", "calls.caret.*.result", "calls.caret.*.by_class")


def grade_pair(config: AuditConfig, r: RunRecord, py: RunRecord) -> Verdict:
    """The graded verdict of one pair of runs under the audit's ``--margin``: the grade checks
    and each seed's pair (``--seeds``) are graded here, so the margin reaches every one."""
    return grade_runs(r, py, equivalence=Equivalence(margin=config.margin),
                      labels=(SIDE_LABELS["r"], SIDE_LABELS["python"]))


def check_grades(c: CheckList, r: RunRecord, py: RunRecord) -> None:
    """The graded verdict per group (parity.checks.grading): bit-identical < numeric < equivalent <
    different. Informational under --require exact (the exact checks decide); required, and in
    place of the exact checks of :data:`GRADED`, under --require numeric or equivalent."""
    require = c.config.require
    verdict = grade_pair(c.config, r, py)
    exact = require == "exact"
    for name, g in verdict.groups.items():
        ok = g.meets(require)
        c.add(f"grade.{name}", "grade", g.grade, REQUIRE[require], ok=ok,
              status=None if not exact else ("pass" if ok else "info"), required=not exact,
              difference=_grade_digest(g.details), reason=g.reason,
              rule=f"graded verdict at least {REQUIRE[require]} (--require {require}); "
                   "bit-identical < numeric < equivalent < different")
    if verdict.paired is not None:
        c.add("grade.paired_tests", "grade", None, None, ok=True, status="info", required=False,
              difference=_grade_digest(dataclasses.asdict(verdict.paired)),
              rule="reported: agreement, McNemar on each side's correctness, accuracy and Kappa "
                   "differences with paired-bootstrap CIs (parity.checks.grading)")
    if not exact:
        for check in c.items:
            if check.group != "grade" and any(fnmatch.fnmatchcase(check.name, p) for p in GRADED):
                check.required = False
                check.reason = (check.reason + "; " if check.reason else "") + \
                    f"graded instead (--require {require}): see grade.{check.group}"


def _grade_digest(details: dict) -> dict:
    """The verdict's numbers, without long arrays (the report keeps it readable)."""
    out = {}
    for k, v in details.items():
        if isinstance(v, (list, tuple)) and len(v) > 12:
            v = f"{len(v)} values"
        elif isinstance(v, dict) and len(v) > 12:
            v = {kk: v[kk] for kk in list(v)[:12]}
        out[k] = v
    return out


#: the groups whose checks need no side's result (the audit runs them while the sides train);
#: the published group's figures (:func:`check_published_figures`) too
INDEPENDENT = ("battery",)
#: the groups that call R's caret through rpy2
NEEDS_R = ("confusion", "battery", "published")


def independent_checks(config: AuditConfig) -> dict[str, list[Check]]:
    """The checks of the spec's groups that need no side's result (:data:`INDEPENDENT`, and the
    published group's figures), by group, for :func:`build_checks`; R (rpy2, caret) is started
    here when a group needs it, so an audit does all of this while its sides train."""
    if any(g in NEEDS_R for g in config.spec.groups):
        try:
            rbridge.r_env()
        except rbridge.RUnavailable:
            pass  # each check that needs R reports it as not run, with the reason
    out = {}
    for group in config.spec.groups:
        c = CheckList(config)
        if group == "battery":
            check_battery(c)
        elif group == "published" and "table" in config.spec.published:
            check_published_figures(c)
        else:
            continue
        out[group] = c.items
    return out


def build_checks(config: AuditConfig, r: RunRecord | None, py: RunRecord | None,
                 errors: dict[str, str], *,
                 independent: dict[str, list[Check]] | None = None) -> list[Check]:
    """Every check of the spec's groups, and the graded verdict (group "grade"). ``errors``
    says why a side's record is missing; ``independent`` holds the groups
    :func:`independent_checks` computed already (the others are computed here)."""
    c = CheckList(config)
    for group in config.spec.groups:
        if group == "published":  # (independent: its figures, the rest needs the runs)
            check_published(c, r, py, figures=(independent or {}).get(group))
        elif independent is not None and group in independent:
            c.items.extend(independent[group])
        elif group == "battery":
            check_battery(c)
        elif r is None or py is None:
            why = "; ".join(f"the {side} run is missing: {msg}" for side, msg in errors.items())
            c.not_run(f"{group}.compared", group, why or "a run is missing")
        elif config.spec.only_recorded_groups and not (RECORDED[group](r) or RECORDED[group](py)):
            c.add(f"{group}.recorded", group, False, False, ok=True, status="info", required=False,
                  rule="reported, not judged", reason="neither script made a call this group "
                  "compares (an audit of two scripts runs every group that applies)")
        else:
            GROUPS[group](c, r, py)
    if r is not None and py is not None:
        check_grades(c, r, py)
    elif config.require != "exact":
        c.not_run("grade.compared", "grade", "; ".join(errors.values()) or "a run is missing")
    return c.items

