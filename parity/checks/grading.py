"""Graded verdicts for two run records (``parity compare``): how close two runs of the workflow
are, group by group, and where and how much they diverge.

The audit (:mod:`parity.checks`) asks one question - are R and Python bit-identical? - and any
difference fails it. Runs made on another machine, with another Keras generation or another
thread count can differ in the last bits and still be the same model; a real defect (a wrong
learning rate, a missing normalization) also makes them differ. This module tells these apart.
Each group of two run directories (either side, any machine or version) gets one grade, from
best to worst:

``bit-identical``
    every value compared is the same double (NaN payloads included).
``numeric``
    not bit-identical, but every value is within the numeric tolerance of :class:`Tolerances`
    (max absolute or relative difference, reported with the distance in ULPs), and the predicted
    classes and the confusion table are identical.
``equivalent``
    beyond rounding, but statistically equivalent on the shared test set: paired tests on the
    two sides' predictions (:func:`paired_tests`) find no significant difference, and the 95%
    CI of the accuracy difference lies within the equivalence margin (:class:`Equivalence`).
``different``
    none of the above: a significant difference, or a CI too wide to show equivalence (the
    reason says which), or the runs cannot be paired (another test set).

``not-compared`` marks a group a run lacks the arrays for; like the audit's "not run" it never
meets a requirement.

The groups
----------
``training``
    the per-epoch history (every metric both runs recorded). Where bits differ, the first epoch
    whose loss differs, the relative difference there and the largest. One pair of
    trajectories has no sampling distribution to test, so ``equivalent`` for training is a
    judgment on its outcome: the trained models are equivalent on the test set (the paired
    tests) and the last epoch's training accuracy and loss lie within
    :attr:`Equivalence.margin` and :attr:`Equivalence.loss_rtol`.
``predictions``
    the softmax outputs and predicted classes: rows not bit-identical, quantiles of the per-row
    max ``|prob A - prob B|``, the worst rows, ULPs; then the paired tests.
``confusion``
    caret's table and statistics (``$overall``, ``$byClass``); beyond rounding, the paired
    tests and the Kappa difference CI within the Kappa margin.

Examples
--------
>>> import numpy as np, tempfile, pathlib
>>> from parity.contract import RunWriter, read_run
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> for name in ("a", "b"):
...     with RunWriter(root / name, side="python", settings={}) as w:
...         w.history({"loss": [0.5]})
>>> verdict = grade_runs(read_run(root / "a"), read_run(root / "b"))
>>> verdict.groups["training"].grade, verdict.groups["predictions"].grade
('bit-identical', 'not-compared')
>>> verdict.meets("exact")  # a group not compared never passes
False
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from parity.contract import ContractError, RunRecord
from parity.rules.compare import (
    STATS,
    Tolerance,
    compare_caret,
    json_safe,
    max_abs_diff,
    values_agree,
)
from parity.rules.grades import DEFAULT_MARGIN, GRADES, NOT_COMPARED, meets
from parity.rules.stats import bits_equal, cohen_kappa, mcnemar, tost, ulp_distance
from python_impl.caret.confusion import kappa, na_mask

__all__ = ["Tolerances", "Equivalence", "PairedTests", "GroupVerdict", "Verdict", "grade_runs",
           "paired_tests", "seed_equivalence", "MEASURED_SPREAD"]

GROUPS = ("training", "predictions", "confusion")


@dataclass(frozen=True)
class Tolerances:
    """The numeric tolerance: what still counts as "the same numbers, rounded differently".

    Parameters
    ----------
    prob_atol
        max ``|prob A - prob B|`` over every softmax output. Default 1e-6: the outputs are
        float32 in [0, 1], whose spacing is 6e-8 below 0.5 and 1.2e-7 near 1, so 1e-6 is 8 to 16
        float32 ULPs at the top of the range - a different summation order in the 784- and
        128-wide dot products (another thread count, another kernel) moves a probability by a
        few ULPs, while a training run that took one different step moves them by far more.
    history_rtol
        max ``|A - B| / |A|`` per epoch and metric. Default 1e-6: Keras' epoch loss and accuracy
        are float32 means (relative spacing 1.2e-7), so 1e-6 is about 8 float32 ULPs. The same
        rule grades a regression's predicted values (float32 outputs), ``evaluate()``'s results
        and caret's measures (computed from those outputs).
    stats_rtol
        caret's statistics, relative (or both below ``stats_floor``): the project's rule for
        the same statistic computed by two libraries (:data:`parity.rules.compare.STATS`, 1e-12);
        the table itself must be identical.
    """

    prob_atol: float = 1e-6
    history_rtol: float = 1e-6
    stats_rtol: float = STATS.rel
    stats_floor: float = STATS.abs_floor

    def __post_init__(self):
        for name in ("prob_atol", "history_rtol", "stats_rtol", "stats_floor"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v >= 0):
                raise ValueError(f"{name}={v!r}: expected a finite number >= 0")


@dataclass(frozen=True)
class Equivalence:
    """When two runs that differ beyond rounding are still "the same model" on the test set.

    Parameters
    ----------
    margin
        the largest accuracy difference (either sign) accepted as equivalent: the 95% CI of
        ``accuracy A - accuracy B`` must lie inside ``[-margin, margin]``. Default 0.01 (one
        point of accuracy). Measured on this model at smoke size (2,000/500 images, 1 epoch,
        Python side, seeds 42-45): test accuracy 0.728, 0.676, 0.656, 0.642, a seed-to-seed
        standard deviation of 0.038 (:data:`MEASURED_SPREAD`), so 0.01 is about a quarter of
        what merely re-seeding the same code does - a difference inside it is well below the
        noise of the workflow itself, and a defect that costs a point of accuracy or more is
        never called equivalent.
        At smoke size the CI of two unrelated models (e.g. two seeds, ~10% discordant rows) is
        about +-0.03 wide, so such pairs are reported as "different (not shown equivalent)":
        equivalence must be shown, not assumed.
    kappa_margin
        the same for Kappa (confusion group); None (default) derives it from ``margin``: when
        accuracy moves by ``margin`` with the class frequencies unchanged, Kappa moves by
        ``margin / (1 - p_e)``, ``p_e`` the chance agreement of the reference labels (0.1 for
        ten balanced classes: 0.0111).
    loss_rtol
        training group: the largest relative difference of the last epoch's loss accepted as
        equivalent. Default 0.01: half the measured seed-to-seed spread of the last-epoch loss
        at smoke size (relative standard deviation 0.020, :data:`MEASURED_SPREAD`), in line
        with ``margin``; a 100x learning rate changes it by a factor.
    alpha
        significance level of the paired tests (McNemar; the bootstrap CIs are 1 - alpha).
    bootstrap
        paired bootstrap resamples for the accuracy and Kappa difference CIs (percentile
        intervals). 4,000: the CI ends move by about 0.001 between bootstrap seeds at n = 500.
    bootstrap_seed
        the bootstrap's fixed seed, so a verdict is reproducible.
    exact_below
        McNemar uses the exact binomial test when the discordant count ``b + c`` is below this,
        else the chi-square test with continuity correction (the usual rule: the chi-square
        approximation is poor below about 25 discordant pairs).
    """

    margin: float = DEFAULT_MARGIN
    kappa_margin: float | None = None
    loss_rtol: float = 0.01
    alpha: float = 0.05
    bootstrap: int = 4000
    bootstrap_seed: int = 16
    exact_below: int = 25

    def __post_init__(self):
        for name in ("margin", "loss_rtol"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and 0 < v < 1):
                raise ValueError(f"{name}={v!r}: expected a number in (0, 1)")
        if self.kappa_margin is not None and not 0 < self.kappa_margin < 1:
            raise ValueError(f"kappa_margin={self.kappa_margin!r}: expected None or a number in (0, 1)")
        if not 0 < self.alpha < 0.5:
            raise ValueError(f"alpha={self.alpha!r}: expected a number in (0, 0.5)")
        if not (isinstance(self.bootstrap, int) and self.bootstrap >= 200):
            raise ValueError(f"bootstrap={self.bootstrap!r}: expected an integer >= 200")


#: seed-to-seed spread of the Python side, measured for the defaults above (2026, AMD EPYC, 2
#: cores; ``python -m python_impl --epochs 1 --train-size 2000 --test-size 500 --threads 1
#: --steps-per-execution 256 --seed S`` for S = 42..45; sample standard deviations)
MEASURED_SPREAD = {"settings": "smoke: 2,000/500 images, 1 epoch, seeds 42-45",
                   "test_accuracy": (0.728, 0.676, 0.656, 0.642), "test_accuracy_sd": 0.0377,
                   "kappa_sd": 0.0419, "final_loss_rel_sd": 0.0197,
                   "final_train_accuracy_sd": 0.0167}


# --------------------------------------------------------------------------- small tools



# --------------------------------------------------------------------------- paired tests


@dataclass
class PairedTests:
    """Paired comparison of two sides' predictions on one test set (see :func:`paired_tests`)."""

    n: int
    agreement: int  # rows where the two sides predict the same class
    both_right: int
    only_a_right: int  # McNemar's b
    only_b_right: int  # McNemar's c
    both_wrong: int
    mcnemar_p: float
    mcnemar_statistic: float | None
    mcnemar_method: str
    accuracy_a: float
    accuracy_b: float
    accuracy_diff: float
    accuracy_ci: tuple[float, float]
    kappa_a: float
    kappa_b: float
    kappa_diff: float
    kappa_ci: tuple[float, float]
    ci_method: str
    margin: float
    kappa_margin: float
    alpha: float

    @property
    def significant(self) -> bool:
        """McNemar rejects at ``alpha``, or a difference CI excludes 0."""
        return (self.mcnemar_p < self.alpha
                or not self.accuracy_ci[0] <= 0 <= self.accuracy_ci[1]
                or not self.kappa_ci[0] <= 0 <= self.kappa_ci[1])

    @property
    def accuracy_within_margin(self) -> bool:
        return -self.margin <= self.accuracy_ci[0] and self.accuracy_ci[1] <= self.margin

    @property
    def kappa_within_margin(self) -> bool:
        return -self.kappa_margin <= self.kappa_ci[0] and self.kappa_ci[1] <= self.kappa_margin

    def verdict(self, *, kappa: bool) -> tuple[bool, str]:
        """(equivalent?, why) - with ``kappa`` the Kappa CI must be within its margin too."""
        level = f"{1 - self.alpha:.0%}"
        if self.significant:
            return False, (f"significantly different at {self.alpha:g}: McNemar p = "
                           f"{self.mcnemar_p:.3g}, accuracy diff {self.accuracy_diff:+.4f} {level} CI "
                           f"[{self.accuracy_ci[0]:+.4f}, {self.accuracy_ci[1]:+.4f}], Kappa diff "
                           f"{self.kappa_diff:+.4f} CI [{self.kappa_ci[0]:+.4f}, {self.kappa_ci[1]:+.4f}]")
        if not self.accuracy_within_margin:
            return False, (f"not shown equivalent (no significant difference, but inconclusive): "
                           f"accuracy diff {level} CI [{self.accuracy_ci[0]:+.4f}, "
                           f"{self.accuracy_ci[1]:+.4f}] is not within +-{self.margin:g}")
        if kappa and not self.kappa_within_margin:
            return False, (f"not shown equivalent (no significant difference, but inconclusive): "
                           f"Kappa diff {level} CI [{self.kappa_ci[0]:+.4f}, {self.kappa_ci[1]:+.4f}] "
                           f"is not within +-{self.kappa_margin:.4f}")
        return True, (f"no significant difference (McNemar p = {self.mcnemar_p:.3g}) and the accuracy "
                      f"diff {level} CI [{self.accuracy_ci[0]:+.4f}, {self.accuracy_ci[1]:+.4f}] lies "
                      f"within +-{self.margin:g}"
                      + (f", the Kappa diff CI [{self.kappa_ci[0]:+.4f}, {self.kappa_ci[1]:+.4f}] "
                         f"within +-{self.kappa_margin:.4f}" if kappa else ""))


def paired_tests(pred_a, pred_b, reference, *, k: int | None = None,
                 rule: Equivalence = Equivalence()) -> PairedTests:
    """Paired tests of two sides' predicted classes against the same reference labels.

    - agreement of the predicted classes;
    - McNemar's test on "A right" vs "B right" (:func:`mcnemar`: exact binomial below
      ``rule.exact_below`` discordant rows, else chi-square with continuity correction);
    - the accuracy difference and the Cohen's Kappa difference (A - B) with percentile CIs from
      a paired bootstrap: rows resampled with replacement, the same rows for both sides,
      ``rule.bootstrap`` times with the fixed ``rule.bootstrap_seed``.

    Parameters
    ----------
    pred_a, pred_b, reference
        0-based class codes, one per test row, the same rows in the same order.
    k
        number of classes (default: the largest code + 1).
    rule
        margins, alpha and bootstrap settings.

    Examples
    --------
    >>> ref = np.arange(200) % 10
    >>> t = paired_tests(ref, ref, ref)
    >>> t.agreement, t.mcnemar_p, t.accuracy_ci
    (200, 1.0, (0.0, 0.0))
    """
    a = np.asarray(pred_a, dtype=np.int64)
    b = np.asarray(pred_b, dtype=np.int64)
    r = np.asarray(reference, dtype=np.int64)
    if not a.shape == b.shape == r.shape or a.ndim != 1 or a.size == 0:
        raise ValueError(f"predictions {a.shape} and {b.shape} and reference {r.shape}: expected "
                         "three non-empty vectors of one length")
    if min(a.min(), b.min(), r.min()) < 0:
        raise ValueError("class codes: expected 0-based codes >= 0")
    k = int(max(a.max(), b.max(), r.max()) + 1) if k is None else int(k)
    n = a.size
    ra, rb = a == r, b == r
    only_a, only_b = int((ra & ~rb).sum()), int((~ra & rb).sum())
    p, stat, method = mcnemar(only_a, only_b, exact_below=rule.exact_below)
    freq_ref = np.bincount(r, minlength=k) / n
    kappa_margin = rule.kappa_margin or rule.margin / (1 - float(np.dot(freq_ref, freq_ref)))

    rng = np.random.default_rng(rule.bootstrap_seed)
    acc_d, kap_d = np.empty(rule.bootstrap), np.empty(rule.bootstrap)
    chunk = max(1, min(rule.bootstrap, 2_000_000 // n))
    # identical predictions (a bit-identical pair, the audit's usual case): every resample's
    # difference is exactly 0, so the resampling is skipped (it is most of the grading's time)
    identical = bool(np.array_equal(a, b))
    if identical:
        acc_d[:], kap_d[:] = 0.0, 0.0
    for start in range(0, 0 if identical else rule.bootstrap, chunk):
        m = min(chunk, rule.bootstrap - start)
        idx = rng.integers(0, n, size=(m, n))
        offset = (np.arange(m) * k)[:, None]

        def counts(x, idx=idx, offset=offset, m=m):
            return np.bincount((x[idx] + offset).ravel(), minlength=m * k).reshape(m, k)

        ref_counts = counts(r).astype(np.float64)
        acc = []
        kap = []
        for pred, right in ((a, ra), (b, rb)):
            correct = right[idx].sum(axis=1).astype(np.float64)
            acc.append(correct / n)
            with np.errstate(invalid="ignore", divide="ignore"):  # caret's Kappa, per resample
                kap.append(kappa(correct, np.full(m, float(n)), counts(pred).astype(np.float64),
                                 ref_counts))
        acc_d[start:start + m] = acc[0] - acc[1]
        kap_d[start:start + m] = kap[0] - kap[1]
    q = [rule.alpha / 2, 1 - rule.alpha / 2]

    def ci(d):
        d = d[np.isfinite(d)]
        lo, hi = np.quantile(d, q) if d.size else (math.nan, math.nan)
        return float(lo), float(hi)

    kappa_a, kappa_b = cohen_kappa(a, r, k), cohen_kappa(b, r, k)
    return PairedTests(
        n=n, agreement=int((a == b).sum()), both_right=int((ra & rb).sum()), only_a_right=only_a,
        only_b_right=only_b, both_wrong=int((~ra & ~rb).sum()), mcnemar_p=p,
        mcnemar_statistic=stat, mcnemar_method=method, accuracy_a=float(ra.mean()),
        accuracy_b=float(rb.mean()), accuracy_diff=float(ra.mean() - rb.mean()),
        accuracy_ci=ci(acc_d), kappa_a=kappa_a, kappa_b=kappa_b, kappa_diff=kappa_a - kappa_b,
        kappa_ci=ci(kap_d),
        ci_method=f"paired bootstrap percentile, {rule.bootstrap} resamples, seed {rule.bootstrap_seed}",
        margin=rule.margin, kappa_margin=float(kappa_margin), alpha=rule.alpha)


# --------------------------------------------------------------------------- verdicts


@dataclass
class GroupVerdict:
    """One group's grade, why, and the numbers behind it."""

    group: str
    grade: str
    reason: str
    details: dict[str, Any] = field(default_factory=dict)

    def meets(self, require: str) -> bool:
        """Whether the grade is at least as good as ``--require`` (exact|numeric|equivalent)."""
        return meets(self.grade, require)


@dataclass
class Verdict:
    """The graded comparison of two runs."""

    a: RunRecord
    b: RunRecord
    groups: dict[str, GroupVerdict]
    paired: PairedTests | None
    paired_error: str | None
    tolerances: Tolerances
    equivalence: Equivalence

    @property
    def grade(self) -> str:
        """The worst group's grade."""
        grades = [g.grade for g in self.groups.values()]
        if NOT_COMPARED in grades:
            return NOT_COMPARED
        return max(grades, key=GRADES.index)

    def meets(self, require: str) -> bool:
        return all(g.meets(require) for g in self.groups.values())

    def settings_differences(self) -> dict[str, list[Any]]:
        keys = sorted(set(self.a.settings) | set(self.b.settings))
        return {k: [self.a.settings.get(k), self.b.settings.get(k)] for k in keys
                if self.a.settings.get(k) != self.b.settings.get(k)}

    def versions_differences(self) -> dict[str, list[Any]]:
        keys = sorted(set(self.a.versions) | set(self.b.versions))
        return {k: [self.a.versions.get(k), self.b.versions.get(k)] for k in keys
                if self.a.versions.get(k) != self.b.versions.get(k)}

    def to_dict(self, *, require: str | None = None) -> dict[str, Any]:
        """A JSON-ready dict (NaN written as null)."""
        out = {
            "runs": {side: {"path": str(rec.path), "side": rec.side, "settings": rec.settings,
                            "versions": rec.versions} for side, rec in (("a", self.a), ("b", self.b))},
            "settings_differences": self.settings_differences(),
            "versions_differences": self.versions_differences(),
            "grade": self.grade,
            "groups": {name: asdict(g) for name, g in self.groups.items()},
            "paired_tests": None if self.paired is None else {
                **asdict(self.paired), "significant": self.paired.significant,
                "accuracy_within_margin": self.paired.accuracy_within_margin,
                "kappa_within_margin": self.paired.kappa_within_margin},
            "paired_tests_error": self.paired_error,
            "tolerances": asdict(self.tolerances),
            "equivalence": asdict(self.equivalence),
        }
        if require is not None:
            out["require"] = require
            out["meets_require"] = self.meets(require)
        return json_safe(out)


def _classes(rec: RunRecord) -> int | None:
    if rec.probabilities is not None and rec.probabilities.ndim == 2:
        return int(rec.probabilities.shape[1])
    if rec.confusion is not None:
        return len(rec.confusion.levels)
    return None


#: how a verdict's reasons name the two runs: any two in ``parity compare``; an audit passes
#: its sides' names (("R", "Python"))
AB = ("A", "B")


def _missing(a: RunRecord, b: RunRecord, labels: tuple[str, str], **parts: str) -> str | None:
    """Which of ``parts`` (record attribute = artifact name) a run lacks, as the reason a
    comparison cannot be made; None when both runs have them all."""
    missing = [f"{label} {name}" for label, rec in zip(labels, (a, b), strict=True)
               for attr, name in parts.items() if getattr(rec, attr) is None]
    return "not in the run artifacts: " + ", ".join(missing) if missing else None


def _pair(a: RunRecord, b: RunRecord, rule: Equivalence, labels: tuple[str, str]
          ) -> tuple[PairedTests | None, str | None]:
    """The paired tests, or why they cannot run."""
    if missing := _missing(a, b, labels, predicted="predicted_classes", test_labels="test_labels"):
        return None, missing
    # no part missing: both sides' predicted classes and test labels are there
    assert a.test_labels is not None and b.test_labels is not None
    assert a.predicted is not None and b.predicted is not None
    if a.test_labels.shape != b.test_labels.shape:
        return None, (f"not the same test set: {labels[0]} has {a.test_labels.size} test labels, {labels[1]} "
                      f"{b.test_labels.size}: paired tests need the same rows")
    if not np.array_equal(a.test_labels, b.test_labels):
        return None, (f"not the same test set: {int((a.test_labels != b.test_labels).sum())} of "
                      f"{a.test_labels.size} test labels differ: paired tests need the same rows")
    if a.predicted.shape != a.test_labels.shape or b.predicted.shape != b.test_labels.shape:
        return None, (f"predicted classes {a.predicted.shape} / {b.predicted.shape} do not match the "
                      f"test labels {a.test_labels.shape}")
    ks = [k for k in (_classes(a), _classes(b)) if k is not None]
    k = max(ks + [int(max(a.predicted.max(), b.predicted.max(), a.test_labels.max())) + 1])
    try:
        return paired_tests(a.predicted, b.predicted, a.test_labels, k=k, rule=rule), None
    except ValueError as exc:
        return None, str(exc)


def _statistical(group: str, details: dict, numeric_reason: str, paired: PairedTests | None,
                 paired_error: str | None, *, kappa: bool, extra_ok: bool = True,
                 extra_reason: str = "") -> GroupVerdict:
    if paired is None:
        return GroupVerdict(group, "different", f"{numeric_reason}; paired tests not possible: "
                                               f"{paired_error}", details)
    ok, why = paired.verdict(kappa=kappa)
    if ok and not extra_ok:
        return GroupVerdict(group, "different", f"{numeric_reason}; {extra_reason}", details)
    return GroupVerdict(group, "equivalent" if ok else "different", f"{numeric_reason}; {why}"
                        + (f"; {extra_reason}" if extra_reason and ok else ""), details)


def _grade_training(a: RunRecord, b: RunRecord, tol: Tolerances, rule: Equivalence,
                    paired: PairedTests | None, paired_error: str | None,
                    labels: tuple[str, str]) -> GroupVerdict:
    g = "training"
    if not a.history or not b.history:
        return GroupVerdict(g, NOT_COMPARED, "no history in run " + " and ".join(
            label for label, rec in zip(labels, (a, b), strict=True) if not rec.history))
    metrics = sorted(set(a.history) & set(b.history))
    only = sorted(set(a.history) ^ set(b.history))
    details: dict[str, Any] = {"metrics": metrics, "metrics_on_one_side_only": only,
                               "epochs": [len(next(iter(a.history.values()))),
                                          len(next(iter(b.history.values())))]}
    if not metrics:
        return GroupVerdict(g, NOT_COMPARED, f"no metric in common ({labels[0]} {sorted(a.history)}, "
                                             f"{labels[1]} {sorted(b.history)})", details)
    shapes = {m: (a.history[m].shape, b.history[m].shape) for m in metrics}
    if any(x != y for x, y in shapes.values()):
        return GroupVerdict(g, "different", "not the same number of epochs: " + ", ".join(
            f"{m} {x[0]} vs {y[0]}" for m, (x, y) in shapes.items() if x != y), details)
    per_metric: dict[str, dict[str, Any]] = {}
    for m in metrics:
        x, y = a.history[m], b.history[m]
        differs = ~((x == y) | (np.isnan(x) & np.isnan(y)))
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.where(differs, np.abs(x - y) / np.abs(x), 0.0)
        first = int(np.argmax(differs)) if differs.any() else None
        per_metric[m] = {
            "epochs_differing": int(differs.sum()),
            "first_differing_epoch": None if first is None else first + 1,
            "at_first": None if first is None else {"a": float(x[first]), "b": float(y[first]),
                                                    "rel_diff": float(rel[first])},
            "max_abs_diff": max_abs_diff(x, y), "max_rel_diff": float(np.nanmax(rel)) if rel.size else 0.0,
            "max_ulps": float(ulp_distance(x, y).max()) if x.size else 0.0,
            "last": {"a": float(x[-1]), "b": float(y[-1])} if x.size else None}
    details["per_metric"] = per_metric
    if only:
        details["note"] = f"compared the metrics both runs recorded; only one has {only}"
    if all(bits_equal(a.history[m], b.history[m]) for m in metrics):
        return GroupVerdict(g, "bit-identical", f"{', '.join(metrics)}: every epoch identical", details)
    loss = per_metric.get("loss")
    where = (f"loss first differs at epoch {loss['first_differing_epoch']} (rel diff "
             f"{loss['at_first']['rel_diff']:.3g})" if loss and loss["first_differing_epoch"]
             else "loss identical; " + ", ".join(
                 f"{m} first differs at epoch {d['first_differing_epoch']}"
                 for m, d in per_metric.items() if d["first_differing_epoch"]))
    worst = max(per_metric, key=lambda m: per_metric[m]["max_rel_diff"])
    size = (f"max rel diff {per_metric[worst]['max_rel_diff']:.3g} ({worst}, "
            f"{per_metric[worst]['max_ulps']:.0f} ULPs)")
    if all(values_agree(a.history[m], b.history[m], _rel(tol.history_rtol)) for m in metrics):
        return GroupVerdict(g, "numeric", f"{where}; {size} <= rtol {tol.history_rtol:g}", details)
    # beyond rounding: the outcome decides (see the module docstring)
    checks = []
    if "loss" in per_metric and per_metric["loss"]["last"]:
        la, lb = per_metric["loss"]["last"]["a"], per_metric["loss"]["last"]["b"]
        rel_last = abs(la - lb) / abs(la) if la else math.inf
        checks.append((rel_last <= rule.loss_rtol,
                       f"last-epoch loss {la:.4f} vs {lb:.4f} (rel diff {rel_last:.3g}, "
                       f"limit {rule.loss_rtol:g})"))
    acc_key = next((m for m in ("accuracy", "acc") if m in per_metric), None)
    if acc_key and per_metric[acc_key]["last"]:
        xa, xb = per_metric[acc_key]["last"]["a"], per_metric[acc_key]["last"]["b"]
        checks.append((abs(xa - xb) <= rule.margin,
                       f"last-epoch training {acc_key} {xa:.4f} vs {xb:.4f} (diff {xa - xb:+.4f}, "
                       f"limit +-{rule.margin:g})"))
    extra_ok = all(ok for ok, _ in checks)
    bad = [text for ok, text in checks if not ok]
    extra = ("outside the training margins: " + "; ".join(bad)) if bad else "; ".join(t for _, t in checks)
    details["final_epoch_checks"] = [{"ok": ok, "what": text} for ok, text in checks]
    return _statistical(g, details, f"{where}; {size} > rtol {tol.history_rtol:g}", paired,
                        paired_error, kappa=False, extra_ok=extra_ok, extra_reason=extra)


def _rel(rtol: float):
    return Tolerance(rel=rtol)


def _grade_values(group: str, values: dict[str, tuple[Any, Any]], rtol: float,
                  what: str) -> GroupVerdict:
    """Named numbers of two runs (a regression's outputs, ``evaluate()``'s results, caret's
    measures): bit-identical, numeric (every value within ``rtol``, R's NA only where NA), or
    different - these have no paired statistical test here."""
    def ulps(x, y) -> float | None:  # over the finite pairs (NA, NaN: the NA rule decides)
        if np.shape(x) != np.shape(y):
            return None
        x, y = np.atleast_1d(np.asarray(x, dtype=np.float64)), np.atleast_1d(np.asarray(y, dtype=np.float64))
        finite = np.isfinite(x) & np.isfinite(y)
        return float(ulp_distance(x[finite], y[finite]).max()) if finite.any() else 0.0

    diffs = {name: {"max_abs_diff": max_abs_diff(x, y), "max_ulps": ulps(x, y)}
             for name, (x, y) in values.items()}
    if all(bits_equal(x, y) for x, y in values.values()):
        return GroupVerdict(group, "bit-identical", f"every {what} identical", {"values": diffs})
    if all(np.shape(x) == np.shape(y) and values_agree(x, y, _rel(rtol))
           and np.array_equal(na_mask(x), na_mask(y)) for x, y in values.values()):
        return GroupVerdict(group, "numeric", f"{what} within rtol {rtol:g}", {"values": diffs})
    bad = [name for name, (x, y) in values.items()
           if not (np.shape(x) == np.shape(y) and values_agree(x, y, _rel(rtol)))]
    return GroupVerdict(group, "different", f"{what} beyond rtol {rtol:g}: {', '.join(bad)} (no "
                                            "statistical equivalence test for these)", {"values": diffs})


def _grade_named(group: str, a: dict[str, float] | None, b: dict[str, float] | None,
                 rtol: float, what: str, labels: tuple[str, str]) -> GroupVerdict:
    if a is None or b is None:
        return GroupVerdict(group, NOT_COMPARED, f"not in the run artifacts: {what} of "
                                                 f"{labels[0] if a is None else labels[1]}")
    if list(a) != list(b):
        return GroupVerdict(group, "different", f"not the same {what}: {list(a)} vs {list(b)}")
    return _grade_values(group, {k: (a[k], b[k]) for k in a}, rtol, what)


def _grade_measures(a: RunRecord, b: RunRecord, tol: Tolerances, labels: tuple[str, str]) -> GroupVerdict:
    """Each side's own caret measures (the crossed comparison), graded as named numbers."""
    def flat(rec: RunRecord) -> dict[str, float]:
        return {f"{fn}.{name}": float(m.values[i]) for fn, m in sorted(rec.measures.items())
                for i, name in enumerate(m.names)}
    return _grade_named("measures", flat(a) if a.measures else None,
                        flat(b) if b.measures else None, tol.history_rtol, "caret measures", labels)


def _grade_predictions(a: RunRecord, b: RunRecord, tol: Tolerances, paired: PairedTests | None,
                       paired_error: str | None, labels: tuple[str, str], *, worst: int = 5) -> GroupVerdict:
    g = "predictions"
    if a.task == b.task == "regression":
        if missing := _missing(a, b, labels, predicted_values="predicted_values"):
            return GroupVerdict(g, NOT_COMPARED, missing)
        return _grade_values(g, {"predicted_values": (a.predicted_values, b.predicted_values)},
                             tol.history_rtol, "predicted value")
    if missing := _missing(a, b, labels, probabilities="probabilities"):
        return GroupVerdict(g, NOT_COMPARED, missing)
    pa, pb = a.probabilities, b.probabilities
    assert pa is not None and pb is not None  # no side's probabilities missing
    if pa.shape != pb.shape:
        return GroupVerdict(g, "different", f"probabilities of shape {list(pa.shape)} vs {list(pb.shape)}",
                            {"shapes": [list(pa.shape), list(pb.shape)]})
    classes_same = (a.predicted is not None and b.predicted is not None
                    and a.predicted.shape == b.predicted.shape
                    and bool(np.array_equal(a.predicted, b.predicted)))
    diff = np.abs(pa - pb)
    row_max = diff.reshape(diff.shape[0], -1).max(axis=1) if diff.size else diff
    differing = row_max > 0
    ulps = ulp_distance(pa, pb)
    details: dict[str, Any] = {
        "rows": int(pa.shape[0]), "rows_not_bit_identical": int(differing.sum()),
        "values_not_bit_identical": int((diff > 0).sum()),
        "max_abs_diff": float(diff.max()) if diff.size else 0.0,
        "max_ulps": float(ulps.max()) if ulps.size else 0.0,
        "row_max_abs_diff_quantiles": {f"q{int(q * 100)}": float(np.quantile(row_max, q))
                                       for q in (0.5, 0.9, 0.99, 1.0)} if row_max.size else {},
        "class_disagreements": None if a.predicted is None or b.predicted is None
        or a.predicted.shape != b.predicted.shape else int((a.predicted != b.predicted).sum()),
    }
    order = np.argsort(-row_max, kind="stable")[:worst]
    details["worst_rows"] = [
        {"row": int(i), "max_abs_diff": float(row_max[i]),
         "class_a": None if a.predicted is None else int(a.predicted[i]),
         "class_b": None if b.predicted is None else int(b.predicted[i]),
         "label": None if a.test_labels is None or a.test_labels.shape[0] != pa.shape[0]
         else int(a.test_labels[i])}
        for i in order if row_max[i] > 0]
    if bits_equal(pa, pb) and classes_same:
        return GroupVerdict(g, "bit-identical", f"{pa.shape[0]} rows, every probability and class "
                                                "identical", details)
    size = (f"{details['rows_not_bit_identical']}/{pa.shape[0]} rows differ, max |prob diff| "
            f"{details['max_abs_diff']:.3g} ({details['max_ulps']:.0f} ULPs), median row "
            f"{details['row_max_abs_diff_quantiles']['q50']:.3g}, "
            f"{details['class_disagreements']} class disagreements")
    if classes_same and details["max_abs_diff"] <= tol.prob_atol:
        return GroupVerdict(g, "numeric", f"{size}; within atol {tol.prob_atol:g}", details)
    return _statistical(g, details, f"{size}; beyond atol {tol.prob_atol:g} or classes differ",
                        paired, paired_error, kappa=False)


def _grade_confusion(a: RunRecord, b: RunRecord, tol: Tolerances, paired: PairedTests | None,
                     paired_error: str | None, labels: tuple[str, str]) -> GroupVerdict:
    g = "confusion"
    if missing := _missing(a, b, labels, confusion="confusion"):
        return GroupVerdict(g, NOT_COMPARED, missing)
    ca, cb = a.confusion, b.confusion
    assert ca is not None and cb is not None  # no side's confusion missing
    if ca.levels != cb.levels or ca.overall_names != cb.overall_names \
            or ca.by_class_names != cb.by_class_names or ca.table.shape != cb.table.shape:
        return GroupVerdict(g, "different", "not the same levels, statistics or table shape",
                            {"levels": [ca.levels, cb.levels]})
    table_diff = cb.table.astype(np.int64) - ca.table.astype(np.int64)
    overall = {name: {"a": float(ca.overall[i]), "b": float(cb.overall[i]),
                      "diff": float(cb.overall[i] - ca.overall[i])}
               for i, name in enumerate(ca.overall_names)}
    by_class = {name: max_abs_diff(ca.by_class[:, j], cb.by_class[:, j])
                for j, name in enumerate(ca.by_class_names)}
    details = {"table_cells_differing": int((table_diff != 0).sum()),
               "table_abs_diff_sum": int(np.abs(table_diff).sum()),
               "overall": overall, "by_class_max_abs_diff": by_class,
               "printed_text_identical": ca.text == cb.text}
    if np.array_equal(ca.table, cb.table) and bits_equal(ca.overall, cb.overall) \
            and bits_equal(ca.by_class, cb.by_class):
        return GroupVerdict(g, "bit-identical", "table and every statistic identical", details)
    if np.array_equal(ca.table, cb.table):
        # caret (R) and the port are different libraries: on the same table the audit's own
        # rule decides (parity.rules.compare.compare_caret: exact NIR p-value, rel 1e-12 elsewhere,
        # NA only NA), and a pair that meets it is as exact as the audit can be
        bad = [row.name for row in compare_caret(ca, cb) if not row.ok and row.name != "printed_text"]
        if not bad:
            return GroupVerdict(g, "bit-identical", "same table; every statistic agrees under the "
                                "audit's caret rule (exact NIR p-value, rel 1e-12 across libraries)",
                                details)
        stats_tol = Tolerance(rel=tol.stats_rtol, abs_floor=tol.stats_floor)
        if all(values_agree(x, y, stats_tol) and np.array_equal(na_mask(x), na_mask(y))
               for x, y in ((ca.overall, cb.overall), (ca.by_class, cb.by_class))):
            return GroupVerdict(g, "numeric", f"same table; statistics within rel {tol.stats_rtol:g}",
                                details)
        return GroupVerdict(g, "different", f"same table but {', '.join(bad)} differ: a caret "
                                            "computation differs", details)
    acc = overall.get("Accuracy"), overall.get("Kappa")
    numbers = (f"{details['table_cells_differing']} table cells differ"
               + (f", Accuracy {acc[0]['a']:.4f} vs {acc[0]['b']:.4f}" if acc[0] else "")
               + (f", Kappa {acc[1]['a']:.4f} vs {acc[1]['b']:.4f}" if acc[1] else ""))
    return _statistical(g, details, numbers, paired, paired_error, kappa=True)


def grade_runs(a: RunRecord, b: RunRecord, *, tolerances: Tolerances = Tolerances(),
               equivalence: Equivalence = Equivalence(), labels: tuple[str, str] = AB) -> Verdict:
    """Grade two run records group by group (training, predictions, confusion).

    Parameters
    ----------
    a, b
        two runs (:func:`parity.contract.read_run`), either side, any machine or version; the
        paired tests need the same test labels in the same order.
    tolerances
        the numeric tolerance (:class:`Tolerances`).
    equivalence
        the statistical equivalence rule (:class:`Equivalence`).
    labels
        how the reasons name ``a`` and ``b``: "A" and "B" for any two runs (``parity
        compare``); an audit passes its sides, ("R", "Python").
    """
    paired, paired_error = _pair(a, b, equivalence, labels)
    groups = {
        "training": _grade_training(a, b, tolerances, equivalence, paired, paired_error, labels),
        "predictions": _grade_predictions(a, b, tolerances, paired, paired_error, labels),
        "confusion": _grade_confusion(a, b, tolerances, paired, paired_error, labels),
    }
    if a.task == b.task == "regression":
        del groups["confusion"]  # a regression has no classes
    # the parts a pair may have: graded when either run has them (missing on one: not compared)
    if a.evaluation is not None or b.evaluation is not None:
        groups["evaluation"] = _grade_named("evaluation", a.evaluation, b.evaluation,
                                            tolerances.history_rtol, "evaluate() results", labels)
    if a.measures or b.measures:
        groups["measures"] = _grade_measures(a, b, tolerances, labels)
    return Verdict(a, b, groups, paired, paired_error, tolerances, equivalence)


# --------------------------------------------------------------------------- across seeds


def _metrics(rec: RunRecord) -> dict[str, float]:
    if rec.confusion is None:
        raise ContractError(f"{rec.path}: no confusion results (caret values) to compare across seeds")
    out = {"accuracy": rec.confusion.overall_value("Accuracy"), "kappa": rec.confusion.overall_value("Kappa")}
    j = rec.confusion.by_class_names.index("Sensitivity")
    rows = rec.confusion.by_class_rows or [f"Class: {rec.confusion.positive}"]
    for row, value in zip(rows, rec.confusion.by_class[:, j], strict=True):
        out[f"sensitivity[{row.removeprefix('Class: ')}]"] = float(value)
    return out


def seed_equivalence(runs_a: Mapping[int, RunRecord], runs_b: Mapping[int, RunRecord], *,
                     margin: float = DEFAULT_MARGIN, alpha: float = 0.05,
                     labels: tuple[str, str] = AB) -> dict[str, Any]:
    """TOST of each metric across seeds (A - B, paired by seed) and each side's spread.

    Parameters
    ----------
    runs_a, runs_b
        each side's run per seed (the same seeds on both sides).
    margin
        equivalence margin, in the metric's units (accuracy, Kappa, sensitivity: proportions).
    alpha
        each one-sided test's level (the interval reported is the ``1 - 2 alpha`` one).
    labels
        how a message names the two sides (as :func:`grade_runs`).
    """
    seeds = sorted(runs_a)
    if sorted(runs_b) != seeds:
        raise ValueError(f"seeds {seeds} on side {labels[0]}, {sorted(runs_b)} on side {labels[1]}: "
                         "expected the same")
    a = {s: _metrics(runs_a[s]) for s in seeds}
    b = {s: _metrics(runs_b[s]) for s in seeds}
    names = [m for m in a[seeds[0]] if all(m in a[s] and m in b[s] for s in seeds)]
    metrics = {}
    for m in names:
        va = np.array([a[s][m] for s in seeds])
        vb = np.array([b[s][m] for s in seeds])
        metrics[m] = {"a": va.tolist(), "b": vb.tolist(),
                      "a_mean": float(va.mean()), "a_sd": float(va.std(ddof=1)) if va.size > 1 else None,
                      "b_mean": float(vb.mean()), "b_sd": float(vb.std(ddof=1)) if vb.size > 1 else None,
                      "tost": tost(va - vb, margin, alpha=alpha)}
    return {"seeds": seeds, "margin": margin, "alpha": alpha, "metrics": metrics,
            "equivalent": all(v["tost"]["equivalent"] for v in metrics.values())}
