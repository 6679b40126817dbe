"""The R writer's new parts (r_packages/parityrun: parity_run_normalization, _predictions,
_evaluation, _weights, _post_resample, _summary, _history) round-trip through the engine's
reader bit for bit: a plain ``Rscript`` with ``library(parityrun)`` writes 0.1 + 0.2, 1/3,
2^-1074, -0.0, R's NA and NaN (and real caret results on them) and prints each value's bytes;
:func:`parity.contract.read_run` must give the same bytes, R's NA apart from NaN
(:func:`python_impl.caret.is_na`), and run.json must follow the contract's JSON Schema.
The early-stopping facts need a real fit(): the package's testthat suite has them."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import shutil
import struct
import subprocess

import jsonschema
import numpy as np
import pytest

from parity.contract import RunRecord, read_run, schema
from python_impl.caret import NA, is_na

pytestmark = pytest.mark.r

#: the values that lose bits in a 15-digit JSON writer, or lose NA from NaN, or the sign of zero
HARD = {"0.1 + 0.2": 0.1 + 0.2, "1/3": 1 / 3, "2^-1074": 2.0**-1074, "-0.0": -0.0, "NA": NA,
        "NaN": math.nan}
#: RunRecord fields the new parts are read into (H23's reader)
NEW_FIELDS = ("task", "threshold", "predicted_values", "evaluation", "class_weight", "sample_weight",
              "measures")

# One Rscript run writes four run directories under its argument and prints, for every number
# R computed, "<name>\t<hex of each double, big-endian>", the reference the reader must match.
R_SCRIPT = r"""
suppressPackageStartupMessages({ library(parityrun); library(caret) })
base <- commandArgs(TRUE)[1]
hard <- c(0.1 + 0.2, 1/3, 2^-1074, -0.0, NA_real_, NaN)
say <- function(name, x) cat(name, "\t", paste(vapply(as.double(x), function(v)
  paste(as.character(writeBin(v, raw(), endian = "big")), collapse = ""), ""), collapse = ","),
  "\n", sep = "")

run <- parity_run_open(file.path(base, "hard"), settings = list(seed = 1L))
for (i in seq_along(hard)) {
  parity_run_normalization(run, paste0("hard", i), hard[i])
  say(paste0("normalization.hard", i), c(min(hard[i]), max(hard[i]), mean(hard[i])))
}
mixed <- matrix(c(0.1 + 0.2, 1/3, 2^-1074, -0.0), 2)
parity_run_normalization(run, "mixed", mixed)
say("normalization.mixed", c(min(mixed), max(mixed), mean(mixed)))
parity_run_evaluation(run, setNames(as.list(hard), paste0("value", seq_along(hard))))
parity_run_history(run, list(loss = hard, val_loss = rev(hard)))
parity_run_weights(run, class_weight = setNames(hard, c("a", "b", "c", "d", "e", "f")),
                   sample_weight = hard)
parity_run_predictions(run, matrix(c(0.2, 0.3, 0.9, NA), ncol = 1), task = "binary",
                       threshold = 0.1 + 0.2)
obs <- c(0.25, 0.5, 0.125, 1, 2, 3)
pr <- postResample(pred = hard, obs = obs)
parity_run_post_resample(run, pr, pred = hard, obs = obs)
say("postResample", pr)
regression <- data.frame(obs = rep(1/3, 4), pred = c(0.1 + 0.2, 1/3, -0.0, 2^-1074))
ds <- defaultSummary(regression)          # Rsquared is R's NA: obs has one value
parity_run_summary(run, "defaultSummary", ds, regression)
say("defaultSummary", ds)
a <- c(0.9, 0.1 + 0.2, 1/3, 0.2, 2^-1074, 0.6)
two <- data.frame(obs = factor(c("a", "a", "a", "b", "b", "b"), levels = c("a", "b")),
                  pred = factor(c("a", "b", NA, "b", "b", "a"), levels = c("a", "b")),
                  a = a, b = 1 - a)
tcs <- twoClassSummary(two, lev = c("a", "b"))
parity_run_summary(run, "twoClassSummary", tcs, two, lev = c("a", "b"))
say("twoClassSummary", tcs)
say("twoClassSummary.b", 1 - a)
parity_run_close(run)

run <- parity_run_open(file.path(base, "regression"), settings = list(seed = 1L))
parity_run_predictions(run, matrix(hard, ncol = 2), task = "regression")
parity_run_close(run)

run <- parity_run_open(file.path(base, "multiclass"), settings = list(seed = 1L))
parity_run_predictions(run, matrix(c(0.2, 0.5, 0.5, 0.1, 0.3, 0.4), 2, byrow = TRUE), task = "multiclass")
parity_run_close(run)

run <- parity_run_open(file.path(base, "undeclared"), settings = list(seed = 1L))
parity_run_predictions(run, c(0.7, 0.2), c(1, 0))   # the tutorial's call: nothing declared
parity_run_close(run)
"""


def bits(values) -> list[str]:
    """Big-endian hex of each double, as the R script prints them."""
    return [struct.pack(">d", float(v)).hex() for v in np.asarray(values, dtype=np.float64).ravel()]


def same_r_values(a, b) -> bool:
    """Equal as R values: NA only NA, NaN only NaN, numbers bit for bit (R's arithmetic may
    quiet NA's NaN, 7ff0...07a2 -> 7ff8...07a2, and it stays NA: is_na reads the payload)."""
    a, b = np.asarray(a, dtype=np.float64).ravel(), np.asarray(b, dtype=np.float64).ravel()
    return a.shape == b.shape and all(
        (is_na(x), math.isnan(x)) == (is_na(y), math.isnan(y)) and (math.isnan(x) or bits([x]) == bits([y]))
        for x, y in zip(a, b, strict=True))


def reader_lacks() -> list[str]:
    names = {f.name for f in dataclasses.fields(RunRecord)}
    return [f for f in NEW_FIELDS if f not in names]


@pytest.fixture(scope="module")
def r_runs(tmp_path_factory):
    """The run directories the R script wrote and the bytes it printed (name -> hex list)."""
    if shutil.which("Rscript") is None:
        pytest.skip("Rscript not found; run ./setup.sh")
    if reader_lacks():
        pytest.skip(f"the engine's reader (parity.contract.RunRecord) lacks {reader_lacks()}: the "
                    "contract's new parts have not landed (H23's branch 'contract')")
    base = tmp_path_factory.mktemp("r_writer")
    script = base / "write.R"
    script.write_text(R_SCRIPT)
    proc = subprocess.run(["Rscript", str(script), str(base)], capture_output=True, text=True,
                          env=dict(os.environ, TZ="UTC"), timeout=300)
    assert proc.returncode == 0, (
        f"Rscript failed (is the parityrun package of this checkout installed? "
        f"Rscript r_packages/install.R, as setup.sh):\n{proc.stderr}")
    printed = dict(line.split("\t") for line in proc.stdout.splitlines() if "\t" in line)
    return base, {name: hexes.split(",") for name, hexes in printed.items()}


def test_every_r_run_follows_the_schema(r_runs):
    base, _ = r_runs
    for name in ("hard", "regression", "multiclass", "undeclared"):
        meta = json.loads((base / name / "run.json").read_text())
        jsonschema.validate(meta, schema())
        for part in meta.get("normalization", {}).values():
            assert set(part) == {"storage"}, "min/max/mean belong in the array, not in JSON"


@pytest.mark.parametrize("index,label", list(enumerate(HARD, start=1)))
def test_normalization_min_max_keep_every_bit(r_runs, index, label):
    base, printed = r_runs
    norm = read_run(base / "hard").normalization[f"hard{index}"]
    assert norm.exact and norm.storage == "double"
    got = [norm.min, norm.max, norm.mean]
    assert bits(got) == printed[f"normalization.hard{index}"]
    assert bits(got[:2]) == bits([HARD[label]] * 2), label
    assert [is_na(v) for v in got] == [label == "NA"] * 3, label


def test_normalization_of_a_matrix_and_rs_mean(r_runs):
    base, printed = r_runs
    norm = read_run(base / "hard").normalization["mixed"]
    assert bits([norm.min, norm.max, norm.mean]) == printed["normalization.mixed"]
    assert bits([norm.min, norm.max]) == bits([-0.0, 1 / 3])


def test_evaluation_history_weights_keep_every_bit(r_runs):
    base, _ = r_runs
    rec = read_run(base / "hard")
    expected = list(HARD.values())
    assert list(rec.evaluation) == [f"value{i}" for i in range(1, 7)]
    got = {"evaluation": list(rec.evaluation.values()), "history.loss": rec.history["loss"],
           "history.val_loss": rec.history["val_loss"][::-1],
           "class_weight": list(rec.class_weight.values()), "sample_weight": rec.sample_weight}
    assert list(rec.class_weight) == ["a", "b", "c", "d", "e", "f"]
    for what, values in got.items():
        assert bits(values) == bits(expected), what
        assert [is_na(v) for v in values] == [label == "NA" for label in HARD], what


def test_binary_threshold_and_its_classes(r_runs):
    base, _ = r_runs
    rec = read_run(base / "hard")
    assert (rec.task, rec.task_declared) == ("binary", True)
    assert bits([rec.threshold]) == bits([0.1 + 0.2])
    # 0.3 > 0.1 + 0.2 is FALSE in IEEE doubles; NA's class is R's NA_integer_ (INT_MIN)
    assert rec.predicted.tolist() == [0, 0, 1, -(2**31)]


def test_measures_keep_values_and_inputs(r_runs):
    base, printed = r_runs
    m = read_run(base / "hard").measures
    post = m["postResample"]
    assert post.names == ["RMSE", "Rsquared", "MAE"] and post.levels is None and post.lev is None
    assert bits(post.values) == printed["postResample"]
    assert bits(post.pred) == bits(list(HARD.values())) and post.obs.dtype == np.float64
    default = m["defaultSummary"]
    assert bits(default.values) == printed["defaultSummary"] and is_na(default.values[1])
    assert default.probability_columns == [] and default.probabilities is None
    two = m["twoClassSummary"]
    assert (two.names, two.levels, two.pred_levels, two.lev) == (["ROC", "Sens", "Spec"], ["a", "b"],
                                                                 ["a", "b"], ["a", "b"])
    assert bits(two.values) == printed["twoClassSummary"]
    assert two.obs.tolist() == [0, 0, 0, 1, 1, 1] and two.pred.tolist() == [0, 1, -1, 1, 1, 0]
    assert two.probability_columns == ["a", "b"] and two.probabilities.shape == (6, 2)
    assert bits(two.probabilities[:, 0]) == bits([0.9, 0.1 + 0.2, 1 / 3, 0.2, 2.0**-1074, 0.6])
    assert bits(two.probabilities[:, 1]) == printed["twoClassSummary.b"]


def test_the_port_recomputes_rs_measures_from_rs_inputs(r_runs):
    """What the audit's r_predictions comparison does: the port on the inputs R recorded."""
    import pandas as pd

    from python_impl.caret import default_summary, post_resample

    base, _ = r_runs
    m = read_run(base / "hard").measures
    post = m["postResample"]
    assert same_r_values(post_resample(post.pred, post.obs).to_numpy(), post.values)
    d = m["defaultSummary"]
    got = default_summary(pd.DataFrame({"obs": d.obs, "pred": d.pred})).to_numpy()
    assert same_r_values(got, d.values) and is_na(got[1])


def test_predictions_regression_multiclass_and_undeclared(r_runs):
    base, _ = r_runs
    reg = read_run(base / "regression")
    assert (reg.task, reg.task_declared, reg.threshold, reg.predicted) == ("regression", True, None, None)
    assert reg.predicted_values.shape == (3, 2)
    assert bits(reg.predicted_values.ravel(order="F")) == bits(list(HARD.values()))
    multi = read_run(base / "multiclass")
    assert (multi.task, multi.task_declared) == ("multiclass", True)
    assert multi.predicted.tolist() == [1, 2]  # max.col(, "first") - 1: the first of a tie
    old = read_run(base / "undeclared")
    assert (old.task, old.task_declared, old.threshold) == ("binary", False, None)
    assert old.predicted.tolist() == [1, 0]
    assert "task" not in json.loads((base / "undeclared" / "run.json").read_text())
