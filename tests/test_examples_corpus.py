"""The corpus of pairs in examples/ written as users write them (issue 23, item 3): each an R
keras 2.x + caret script that starts with ``library(keras)`` and its Python port. Each honest
pair audits PASS at its smoke profile, and a one-line porting bug on either side FAILs at the
checks that name it - the exact list of failing checks is pinned.

Each pair's R side runs once (the command the audit itself runs, smoke settings) and is reused
with ``--r-run`` by the honest audit and by the Python-side bugs; an R-side bug needs a full
audit. The audits the selected tests need start together, two at a time. The R packages
(keras, tensorflow, parityrun) must be installed (./setup.sh).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from conftest import unavailable

from parity.config import AuditConfig, load_spec
from parity.orchestration.sides import r_python
from parity.paths import PROJECT_ROOT

pytestmark = [pytest.mark.r, pytest.mark.slow]
EXAMPLES = PROJECT_ROOT / "examples"
ENV = dict(os.environ, TZ="UTC")


@dataclass(frozen=True)
class Bug:
    """A one-line porting bug: ``old`` replaced by ``new`` in one side's script, and the
    required checks that then fail (all of them, exactly)."""

    pair: str
    side: str  # "r" or "python"
    old: str
    new: str
    failed: frozenset[str]


def _checks(*names: str, caret_overall=False, by_class=()) -> frozenset[str]:
    """Check names; ``caret_overall``: every crossed ``$overall`` statistic; ``by_class``: these
    crossed ``$byClass`` statistics."""
    overall = ("Accuracy", "AccuracyLower", "AccuracyPValue", "AccuracyUpper", "Kappa",
               "McnemarPValue") if caret_overall else ()
    return frozenset([*names, *(f"confusion.crossed.overall.{s}" for s in overall),
                      *(f"confusion.crossed.by_class.{s}" for s in by_class)])


#: the $byClass statistics of mode = "everything" that move with the predicted classes
MOVED_BY_PREDICTIONS = ("Balanced Accuracy", "Detection Prevalence", "Detection Rate", "F1",
                        "Neg Pred Value", "Pos Pred Value", "Precision", "Recall", "Sensitivity",
                        "Specificity")


#: a regression's evaluate() and postResample() results, which move with its predictions
REGRESSION_RESULTS = ("evaluation.loss", "evaluation.mae", "measures.crossed.postResample.RMSE",
                      "measures.crossed.postResample.Rsquared", "measures.crossed.postResample.MAE")

PAIRS = ["iris_mlp", "mtcars_regression", "sequences_conv1d", "functional_batchnorm",
         "sequences_gru", "infert_binary"]

BUGS = {
    # NumPy's std divides by n (ddof=0); R's scale() by n - 1
    "iris: std with ddof=0": Bug(
        "iris_mlp", "python",
        "scaled = rnum.scale(train[features].to_numpy())",
        "scaled = rnum.scale(train[features].to_numpy(), scale=train[features].to_numpy().std(axis=0))",
        _checks("normalization.train.pixels", "normalization.train.range",
                "normalization.test.pixels", "normalization.test.range",
                "training.loss_per_epoch", "predictions.probabilities_max_abs_diff",
                "predictions.bit_identical_rows")),
    # the test set min-max scaled by its own minimum and maximum, not the training set's
    "mtcars: test set scaled by its own range": Bug(
        "mtcars_regression", "python",
        "x_test = (test[features].to_numpy() - mins) / (maxs - mins)",
        "x_test = (test[features] - test[features].min()).to_numpy() / "
        "(test[features].max() - test[features].min()).to_numpy()",
        _checks("normalization.test.pixels", "normalization.test.range",
                "predictions.predicted_values_max_abs_diff", "predictions.bit_identical_rows",
                *REGRESSION_RESULTS)),
    # early stopping keeps the last epoch's weights instead of the best (a regression)
    "mtcars: restore_best_weights forgotten": Bug(
        "mtcars_regression", "python",
        "restore_best_weights=True)", "restore_best_weights=False)",
        _checks("training.early_stopping.restore_best_weights",
                "training.early_stopping.weights_restored",
                "predictions.predicted_values_max_abs_diff", "predictions.bit_identical_rows",
                *REGRESSION_RESULTS)),
    # class_weight dropped from fit() (the run still declares it: the training shows the bug)
    "sequences: class_weight dropped": Bug(
        "sequences_conv1d", "python",
        "class_weight=class_weight, verbose=0)", "verbose=0)",
        _checks("training.loss_per_epoch", "training.accuracy_per_epoch",
                "predictions.probabilities_max_abs_diff", "predictions.bit_identical_rows",
                "predictions.class_agreement", "confusion.table", "confusion.printed_text",
                caret_overall=True, by_class=MOVED_BY_PREDICTIONS)),
    # early stopping keeps the last epoch's weights instead of the best (a classifier)
    "functional: restore_best_weights forgotten": Bug(
        "functional_batchnorm", "python",
        "restore_best_weights=True)", "restore_best_weights=False)",
        _checks("training.early_stopping.restore_best_weights",
                "training.early_stopping.weights_restored",
                "predictions.probabilities_max_abs_diff", "predictions.bit_identical_rows",
                "predictions.class_agreement", "evaluation.loss", "evaluation.accuracy",
                "confusion.table", "confusion.printed_text",
                caret_overall=True, by_class=MOVED_BY_PREDICTIONS)),
    # class codes in order of appearance, not R's sorted factor levels
    "gru: levels in order of appearance": Bug(
        "sequences_gru", "python",
        'ranges = sorted(sequences["label"].unique())  # R\'s factor levels: sorted',
        'ranges = list(sequences["label"].unique())',
        _checks("data.train_labels_identical", "data.test_labels_identical",
                "training.loss_per_epoch", "training.accuracy_per_epoch",
                "training.val_loss_per_epoch", "training.val_accuracy_per_epoch",
                "predictions.probabilities_max_abs_diff", "predictions.bit_identical_rows",
                "confusion.levels", "confusion.table", "confusion.printed_text",
                by_class=("Neg Pred Value", "Prevalence"))),
    # the port thresholds at 0.5, the R script at 0.35
    "infert: wrong threshold": Bug(
        "infert_binary", "python", "threshold = 0.35", "threshold = 0.5",
        _checks("predictions.threshold", "predictions.class_agreement", "confusion.table",
                "confusion.printed_text", "measures.crossed.twoClassSummary.Sens",
                "measures.crossed.twoClassSummary.Spec",
                caret_overall=True, by_class=MOVED_BY_PREDICTIONS)),
    # R's caret without positive = "case": its first level, "control", becomes the positive
    "infert: wrong positive class (R)": Bug(
        "infert_binary", "r", 'positive = "case", mode = "everything")', 'mode = "everything")',
        _checks("confusion.printed_text",
                by_class=[s for s in MOVED_BY_PREDICTIONS if s != "Balanced Accuracy"] + ["Prevalence"])),
}


def run_parity(*args, timeout=600):
    # cwd matters: `python -m` puts it first on sys.path, ahead of PYTHONPATH
    return subprocess.run([sys.executable, "-m", "parity", *args], capture_output=True,
                          text=True, timeout=timeout, env=ENV, cwd=PROJECT_ROOT)


@dataclass
class Audit:
    status: int
    report: dict | None
    log: str


def audit(spec, out, r_run=None) -> Audit:
    """A smoke audit: its exit status, its report.json (None if absent), the end of its output."""
    extra = ["--r-run", str(r_run)] if r_run is not None else []
    proc = run_parity("audit", "--spec", str(spec), "--profile", "smoke", "--out", str(out), *extra)
    report = json.loads((out / "report.json").read_text()) if (out / "report.json").exists() else None
    return Audit(proc.returncode, report, proc.stdout[-4000:] + proc.stderr[-4000:])


def honest_r_run(pair: str, out):
    """The pair's honest R side with the smoke settings, run as the audit runs it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = AuditConfig.resolve(load_spec(EXAMPLES / pair / "spec.toml"),
                              profile="smoke").side_command("r", out, None)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=PROJECT_ROOT,
                          env=dict(ENV, RETICULATE_PYTHON=r_python()))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out


def mutated_pair(where, bug: Bug):
    """A copy of the bug's pair with the one line changed; the copy's spec path."""
    copy = where / bug.pair
    shutil.copytree(EXAMPLES / bug.pair, copy)
    path = copy / ("analysis.R" if bug.side == "r" else "analysis.py")
    text = path.read_text()
    assert text.count(bug.old) == 1, f"{bug.old!r} must occur once in {path.name}"
    path.write_text(text.replace(bug.old, bug.new))
    return copy / "spec.toml"


class Corpus:
    """The audits the selected tests need, run two at a time (each side runs one TensorFlow
    thread: two audits fill the 2 cores CI has): each pair's honest R side first, then the
    audits that reuse it. A test waits for its own audit only."""

    def __init__(self, base, pairs: set[str], bugs: set[str]):
        self.base = base
        self.pool = ThreadPoolExecutor(max_workers=2)
        self.r_runs = {p: self.pool.submit(honest_r_run, p, base / p / "r_run")
                       for p in sorted(pairs | {BUGS[b].pair for b in bugs if BUGS[b].side == "python"})}
        self.audits: dict[str, Future] = {}
        for b in sorted(bugs):  # an R-side bug runs both sides: no R run to wait for
            if BUGS[b].side == "r":
                self.audits[b] = self.pool.submit(self._bug_audit, b, None)
        for p in sorted(pairs):
            self.audits[p] = self._after(self.r_runs[p], functools.partial(
                audit, EXAMPLES / p / "spec.toml", base / p / "report"))
        for b in sorted(bugs):
            if BUGS[b].side == "python":
                self.audits[b] = self._after(self.r_runs[BUGS[b].pair],
                                             functools.partial(self._bug_audit, b))

    def _bug_audit(self, name: str, r_run) -> Audit:
        where = self.base / f"bug{sorted(BUGS).index(name)}"
        where.mkdir()
        return audit(mutated_pair(where, BUGS[name]), where / "report", r_run)

    def _after(self, first: Future, then) -> Future:
        """A future of ``then(first's result)``, submitted once ``first`` is done (never
        blocking a worker while ``first`` waits in the queue)."""
        result: Future = Future()

        def relay(done: Future) -> None:
            exc = done.exception()
            if exc is not None:
                result.set_exception(exc)
            else:
                result.set_result(done.result())

        def start(done: Future) -> None:
            exc = done.exception()
            if exc is not None:
                result.set_exception(exc)
            else:
                self.pool.submit(then, done.result()).add_done_callback(relay)

        first.add_done_callback(start)
        return result

    def result(self, key: str) -> Audit:
        return self.audits[key].result(timeout=1800)


@pytest.fixture(scope="module")
def r_packages(rscript):
    """library(keras), library(tensorflow) and library(parityrun) load (setup.sh installs them)."""
    proc = subprocess.run([rscript, "-e", "library(keras); library(tensorflow); library(parityrun)"],
                          capture_output=True, text=True, timeout=120, env=ENV)
    if proc.returncode != 0:
        unavailable(f"the R packages keras, tensorflow and parityrun (./setup.sh): {proc.stderr[-500:]}")
    return rscript


@pytest.fixture(scope="module")
def corpus(r_packages, request, tmp_path_factory):
    """Every audit the selected tests of this module need, started at once."""
    selected = [item.callspec.params for item in request.session.items
                if item.module is request.module and hasattr(item, "callspec")]
    pairs = {p["pair"] for p in selected if "pair" in p}
    bugs = {p["name"] for p in selected if "name" in p}
    c = Corpus(tmp_path_factory.mktemp("corpus"), pairs, bugs)
    yield c
    c.pool.shutdown(wait=True, cancel_futures=True)


@pytest.mark.parametrize("pair", PAIRS)
def test_honest_pair_passes(corpus, pair):
    a = corpus.result(pair)
    assert a.status == 0, a.log
    assert a.report["summary"]["outcome"] == "pass" and a.report["summary"]["not_run"] == 0, a.log
    assert a.report["summary"]["pass"] > 0


@pytest.mark.parametrize("name", list(BUGS))
def test_one_line_bug_fails_at_its_checks(corpus, name):
    a = corpus.result(name)
    assert a.status == 1, a.log
    assert a.report is not None, a.log
    failed = set(a.report["summary"]["failed_checks"])
    assert failed == BUGS[name].failed, "\n".join(sorted(failed))
    assert a.report["summary"]["not_run"] == 0, a.log
