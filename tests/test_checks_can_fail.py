"""Every check can fail: a perturbation of one input (one ULP, one label, one epoch's loss, one
layer's shape, one field of a run directory, one artifact removed, one published figure, one
function of the port) must make exactly the checks it names stop passing, and leave every
other check as it was.

The perturbations are generated from what the checks compare, and ``test_every_check_has_a_
perturbation`` fails when the audit emits a required check that no perturbation makes fail:
a new check cannot be added without its failing test. The runs are real (R through Rscript,
Python through python_impl, the smoke subset); the perturbations edit copies of their run
directories through the contract's own files.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from conftest import TUTORIAL

from parity.checks import Check, build_checks
from parity.config import AuditConfig
from parity.contract import read_run
from parity.orchestration.runner import AuditResult
from python_impl.caret import NA, is_na

pytestmark = pytest.mark.r
CONFIG = AuditConfig.resolve(TUTORIAL, profile="smoke")
#: the groups that read the runs (the battery is perturbed through the port, below)
RUN_GROUPS = tuple(g for g in TUTORIAL.groups if g != "battery")
OVERALL = (
    "Accuracy",
    "Kappa",
    "AccuracyLower",
    "AccuracyUpper",
    "AccuracyNull",
    "AccuracyPValue",
    "McnemarPValue",
)
BY_CLASS = (
    "Sensitivity",
    "Specificity",
    "Pos Pred Value",
    "Neg Pred Value",
    "Precision",
    "Recall",
    "F1",
    "Prevalence",
    "Detection Rate",
    "Detection Prevalence",
    "Balanced Accuracy",
)


@pytest.fixture(scope="module")
def runs(rscript, tmp_path_factory):
    """Real R and Python smoke runs, made concurrently."""
    from parity.orchestration.sides import r_python

    base = tmp_path_factory.mktemp("honest")
    env = dict(os.environ, TZ="UTC", RETICULATE_PYTHON=r_python())
    procs = {
        side: subprocess.Popen(
            CONFIG.side_command(side, base / side, None),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for side in ("r", "python")
    }
    for proc in procs.values():
        out, _ = proc.communicate(timeout=900)
        assert proc.returncode == 0, out[-3000:]
    return base


def statuses(config: AuditConfig, r_dir: Path, py_dir: Path) -> dict[str, Check]:
    checks = build_checks(config, read_run(r_dir), read_run(py_dir), {})
    return {c.name: c for c in checks}


@pytest.fixture(scope="module")
def baseline(runs) -> dict[str, Check]:
    checks = statuses(
        dataclasses.replace(CONFIG, spec=dataclasses.replace(TUTORIAL, groups=RUN_GROUPS)),
        runs / "r",
        runs / "python",
    )
    bad = {n: c.status for n, c in checks.items() if c.required and c.status != "pass"}
    assert not bad, f"the honest pair must pass first: {bad}"
    return checks


# --------------------------------------------------------------------------- editing a run


def edit_meta(run: Path, change: Callable[[dict], None]) -> None:
    meta = json.loads((run / "run.json").read_text())
    change(meta)
    (run / "run.json").write_text(json.dumps(meta))


def edit_array(run: Path, name: str, change: Callable[[np.ndarray], None]) -> None:
    path = run / f"{name}.npy"
    arr = np.load(path)
    arr = np.array(arr, order="C")  # writable; the same dtype and shape
    change(arr)
    np.save(path, arr)
    edit_meta(run, lambda m: m["arrays"][name].update(dtype=arr.dtype.str, shape=list(arr.shape)))


def edit_text(run: Path, name: str, change: Callable[[str], str]) -> None:
    path = run / f"{name}.txt"
    path.write_text(change(path.read_text()))


def remove_array(run: Path, name: str) -> None:
    (run / f"{name}.npy").unlink()
    edit_meta(run, lambda m: m["arrays"].pop(name))


def set_normalization_max(run: Path, part: str, value: float) -> None:
    """The recorded maximum of a normalized part, wherever the run keeps it: the exact array,
    or run.json (an older R writer)."""
    if (run / f"normalization.{part}.min_max_mean.npy").exists():
        edit_array(run, f"normalization.{part}.min_max_mean", lambda a: a.__setitem__(1, value))
    else:
        edit_meta(run, lambda m: m["normalization"][part].update(max=value))


def one_ulp(x: np.ndarray, index) -> None:
    """The value at ``index`` one ULP away; R's NA becomes NaN and NaN becomes NA (the rule
    that tells them apart must then fail too)."""
    v = x[index]
    if np.isnan(v):
        x[index] = np.nan if is_na(v) else NA
    else:
        x[index] = np.nextafter(v, np.inf, dtype=x.dtype)


def one_based_first_row(run: Path) -> None:
    """The first prediction becomes class 10 (a 1-based port's 9): no level, in the predicted
    classes and in the labels given to caret (code -1)."""
    edit_array(run, "predicted_classes", lambda a: a.__setitem__(0, 10))
    edit_array(run, "confusion.data", lambda a: a.__setitem__(0, -1))


def past_tolerance(x: np.ndarray, index) -> None:
    """The smallest change the statistics rule (relative 1e-12, or 1e-300 apart) must catch,
    times ten; NA and NaN swapped as in :func:`one_ulp`."""
    v = x[index]
    if np.isnan(v):
        one_ulp(x, index)
    else:
        x[index] = v * (1 + 1e-11) if v != 0 else 1e-290


@dataclass(frozen=True)
class Perturbation:
    id: str
    side: str  # the run directory it edits: "r", "python", or "" (something else)
    apply: Callable[[Path], None]
    fails: frozenset[str]  # the checks that must stop passing, and only these


def P(id: str, side: str, apply, *fails: str) -> Perturbation:
    return Perturbation(id, side, apply, frozenset(fails))


def _perturbations() -> list[Perturbation]:
    ps = []
    for name in ("train_images", "train_labels", "test_images", "test_labels"):

        def shape_edit(key, name=name):
            return lambda d: edit_meta(
                d, lambda m: m["data"][name][key].__setitem__(0, m["data"][name][key][0] + 1)
            )

        ps.append(P(f"data_{name}_full_dim", "python", shape_edit("full_dim"), f"data.{name}.full_dim"))
        ps.append(P(f"data_{name}_dim", "python", shape_edit("dim"), f"data.{name}.dim"))
        ps.append(
            P(
                f"data_{name}_type",
                "python",
                lambda d, name=name: edit_meta(
                    d, lambda m: m["data"][name].update(type="float64", typeof="double")
                ),
                f"data.{name}.type",
            )
        )
    for part in ("train_labels", "test_labels"):
        ps.append(
            P(
                f"one_{part}",
                "python",
                lambda d, part=part: edit_array(d, part, lambda a: a.__setitem__(3, (a[3] + 1) % 10)),
                f"data.{part}_identical",
            )
        )
    for part in ("train", "test"):
        ps.append(
            P(
                f"normalized_{part}_one_ulp",
                "python",
                lambda d, part=part: edit_array(d, f"normalized.{part}", lambda a: one_ulp(a, (0, 14, 14))),
                f"normalization.{part}.pixels",
            )
        )
        ps.append(
            P(
                f"normalized_{part}_removed",
                "r",
                lambda d, part=part: remove_array(d, f"normalized.{part}"),
                f"normalization.{part}.pixels",
            )
        )
        ps.append(
            P(
                f"normalization_{part}_storage",
                "python",
                lambda d, part=part: edit_meta(
                    d, lambda m: m["normalization"][part].update(storage="float32")
                ),
                f"normalization.{part}.storage",
            )
        )
        ps.append(
            P(
                f"normalization_{part}_range",
                "r",
                lambda d, part=part: set_normalization_max(d, part, 0.5),
                f"normalization.{part}.range",
            )
        )
        ps.append(
            P(
                f"normalization_{part}_min_one_ulp",
                "python",
                lambda d, part=part: edit_array(d, f"normalization.{part}.min_max_mean",
                                                lambda a: one_ulp(a, 0)),
                f"normalization.{part}.range",
            )
        )

    def layers(change):
        return lambda d: edit_meta(d, lambda m: change(m["model"]))

    ps += [
        P(
            "one_layer_fewer",
            "python",
            layers(lambda m: m["layers"].pop(7)),
            "model.layer_count",
            "model.layer_classes",
            "model.output_shapes",
            "model.layer_params",
        ),
        P(
            "layer_class",
            "python",
            layers(lambda m: m["layers"][2].update({"class": "SpatialDropout"})),
            "model.layer_classes",
        ),
        P(
            "layer_shape",
            "python",
            layers(lambda m: m["layers"][1]["output_shape"].__setitem__(1, 129)),
            "model.output_shapes",
        ),
        P("layer_params", "r", layers(lambda m: m["layers"][1].update(params=100481)), "model.layer_params"),
        P("total_params", "python", layers(lambda m: m.update(total_params=111147)), "model.total_params"),
        P(
            "printed_summary_row",
            "r",
            lambda d: edit_text(
                d, "model_summary", lambda t: t.replace("100,480", "100,481").replace("100480", "100481")
            ),
            "model.printed_summaries",
        ),
        P(
            "python_summary_row",
            "python",
            lambda d: edit_text(
                d, "model_summary", lambda t: t.replace("8,256", "8,257").replace("8256", "8257")
            ),
            "model.printed_summaries",
            "published.printed_summary",
        ),
        P(
            "settings_seed",
            "python",
            lambda d: edit_meta(d, lambda m: m["settings"].update(seed=7)),
            "training.settings",
        ),
        P(
            "settings_threads",
            "r",
            lambda d: edit_meta(d, lambda m: m["settings"].update(threads=2)),
            "training.settings",
            "training.execution_settings",
        ),
        P(
            "loss_one_ulp",
            "python",
            lambda d: edit_array(d, "history.loss", lambda a: one_ulp(a, 0)),
            "training.loss_per_epoch",
        ),
        P(
            "accuracy_one_ulp",
            "r",
            lambda d: edit_array(d, "history.accuracy", lambda a: one_ulp(a, 0)),
            "training.accuracy_per_epoch",
        ),
        P(
            "history_metric_removed",
            "python",
            lambda d: remove_array(d, "history.accuracy"),
            "training.accuracy_per_epoch",
        ),
        P(
            "probability_one_ulp",
            "python",
            lambda d: edit_array(d, "probabilities", lambda a: one_ulp(a, (5, 3))),
            "predictions.probabilities_max_abs_diff",
            "predictions.bit_identical_rows",
        ),
        P(
            "one_class_flipped",
            "python",
            lambda d: edit_array(d, "predicted_classes", lambda a: a.__setitem__(0, (a[0] + 1) % 10)),
            "predictions.class_agreement",
        ),
        P(
            "r_one_based_class",
            "r",
            one_based_first_row,
            "predictions.r_classes_within_levels",
            "predictions.class_agreement",
            "confusion.r_predictions",
        ),
        P(
            "python_one_based_class",
            "python",
            one_based_first_row,
            "predictions.python_classes_within_levels",
            "predictions.class_agreement",
            "confusion.python_predictions",
        ),
        P(
            "python_task_binary",
            "python",
            lambda d: edit_meta(d, lambda m: m.update(task="binary")),
            "predictions.task",
        ),
        P(
            "probabilities_removed",
            "r",
            lambda d: remove_array(d, "probabilities"),
            "predictions.probabilities",
        ),
        P(
            "levels",
            "python",
            lambda d: edit_meta(d, lambda m: m["confusion"]["levels"].__setitem__(0, "zero")),
            "confusion.levels",
        ),
        P(
            "table_cell",
            "python",
            lambda d: edit_array(d, "confusion.table", lambda a: a.__setitem__((0, 0), a[0, 0] + 1)),
            "confusion.table",
        ),
        P(
            "printed_text",
            "python",
            lambda d: edit_text(d, "confusion_matrix", lambda t: t.replace("Kappa :", "Kappa  :")),
            "confusion.printed_text",
        ),
        P(
            "r_confusion_inputs_removed",
            "r",
            lambda d: remove_array(d, "confusion.data"),
            "confusion.r_predictions",
        ),
    ]
    for j, stat in enumerate(OVERALL):
        # the NIR p-value is compared exactly (one ULP), the other statistics at rel 1e-12
        change = one_ulp if stat == "AccuracyPValue" else past_tolerance
        for side, pair in (("python", "python_predictions"), ("r", "r_predictions")):
            ps.append(
                P(
                    f"{side}_overall_{stat}",
                    side,
                    lambda d, j=j, change=change: edit_array(d, "confusion.overall", lambda a: change(a, j)),
                    f"confusion.crossed.overall.{stat}",
                    f"confusion.{pair}.overall.{stat}",
                )
            )
    for j, stat in enumerate(BY_CLASS):
        for side, pair in (("python", "python_predictions"), ("r", "r_predictions")):
            ps.append(
                P(
                    f"{side}_by_class_{stat}",
                    side,
                    lambda d, j=j: edit_array(d, "confusion.by_class", lambda a: past_tolerance(a, (2, j))),
                    f"confusion.crossed.by_class.{stat}",
                    f"confusion.{pair}.by_class.{stat}",
                )
            )
    return ps


PERTURBATIONS = _perturbations()


@pytest.mark.parametrize("p", PERTURBATIONS, ids=[p.id for p in PERTURBATIONS])
def test_perturbation_fails_exactly_its_checks(p, runs, baseline, tmp_path):
    work = tmp_path / "runs"
    shutil.copytree(runs, work)
    p.apply(work / p.side)
    config = dataclasses.replace(CONFIG, spec=dataclasses.replace(TUTORIAL, groups=RUN_GROUPS))
    after = statuses(config, work / "r", work / "python")
    required = {n for n, c in (*baseline.items(), *after.items()) if c.required}
    changed = {
        n
        for n in required
        if (baseline[n].status if n in baseline else None) != (after[n].status if n in after else None)
    }
    stopped = {n for n in after if after[n].required and after[n].status != "pass"}
    assert stopped == p.fails, {"expected": sorted(p.fails), "got": sorted(stopped)}
    # no other required check moved (informational ones, such as grade.*, may)
    assert changed - p.fails - {n for n in baseline if n not in after} <= p.fails | stopped
    assert all(after[n].status in ("fail", "not_run") for n in p.fails)


def test_published_figure_changed_fails_both_reproductions(runs, baseline):
    printed = json.loads(json.dumps(TUTORIAL.published["printed"]))
    printed["overall"]["Kappa"] = "0.8785"
    spec = dataclasses.replace(
        TUTORIAL, groups=("published",), published={**TUTORIAL.published, "printed": printed}
    )
    after = statuses(dataclasses.replace(CONFIG, spec=spec), runs / "r", runs / "python")
    stopped = {n for n, c in after.items() if c.required and c.status != "pass"}
    assert stopped == {"published.r_caret_reproduces_figures", "published.port_reproduces_figures"}


def test_battery_fails_on_a_wrong_bowker_p_value(monkeypatch):
    """A McNemar/Bowker defect passes the tutorial's own table (its McNemar is NA) but not the
    battery, whose tables have defined p-values."""
    from python_impl.caret import confusion

    honest = build_checks(
        dataclasses.replace(CONFIG, spec=dataclasses.replace(TUTORIAL, groups=("battery",))), None, None, {}
    )
    assert honest and all(c.status == "pass" for c in honest)
    original = confusion._mcnemar

    def wrong_bowker(tab):  # one degree of freedom too many for k > 2
        p = original(tab)
        k = tab.shape[0]
        return (
            p
            if k == 2
            else np.float64(
                confusion.special.chdtrc(k * (k - 1) / 2 + 1, confusion.special.chdtri(k * (k - 1) / 2, p))
            )
        )

    monkeypatch.setattr(confusion, "_mcnemar", wrong_bowker)
    broken = {
        c.name: c
        for c in build_checks(
            dataclasses.replace(CONFIG, spec=dataclasses.replace(TUTORIAL, groups=("battery",))),
            None,
            None,
            {},
        )
    }
    failed = {n for n, c in broken.items() if c.status == "fail"}
    assert "battery.bowker_3x3" in failed and "battery.bowker_5x5_unbalanced" in failed
    assert "battery.mcnemar_2x2" not in failed  # 2x2 is McNemar's, untouched
    assert all("overall.McnemarPValue" in broken[n].difference for n in failed)


def test_battery_every_case_can_fail(monkeypatch):
    from python_impl.caret import confusion

    original = confusion.kappa
    # ten times the statistics rule's relative tolerance: the smallest defect it must catch
    monkeypatch.setattr(confusion, "kappa", lambda *a: original(*a) * (1 + 1e-11))
    checks = build_checks(
        dataclasses.replace(CONFIG, spec=dataclasses.replace(TUTORIAL, groups=("battery",))), None, None, {}
    )
    assert len(checks) == TUTORIAL.battery[1]
    assert all(c.status == "fail" and "overall.Kappa" in c.difference for c in checks)


def test_every_check_has_a_perturbation(baseline):
    """A required check no perturbation makes fail could be always-pass: not allowed."""
    covered = set().union(*(p.fails for p in PERTURBATIONS)) | {
        "published.r_caret_reproduces_figures",
        "published.port_reproduces_figures",
    }
    required = {n for n, c in baseline.items() if c.required}
    assert required - covered == set(), "checks without a failing test"
    assert not {
        n
        for n in covered
        if n not in required
        and not n.startswith("confusion.")
        and n != "predictions.probabilities"
        and "_classes_within_levels" not in n
        and n not in baseline
    }


def test_not_run_is_never_a_pass():
    check = Check("x.y", "x", None, None, None, "-", "not_run", "a side is missing")
    result = AuditResult(CONFIG, [check], "", {}, {})
    assert not result.passed and result.summary()["failed_checks"] == ["x.y"]
    info = Check("x.z", "x", 1, 2, None, "-", "info", required=False)
    assert AuditResult(CONFIG, [info], "", {}, {}).passed
    assert math.isnan(float("nan"))  # (the NA/NaN rule itself: tests/test_compare.py)
