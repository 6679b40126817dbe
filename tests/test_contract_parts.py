"""The run-artifact contract keeps every bit, and its parts are checked: synthetic run
directories written by :class:`parity.contract.RunWriter` (no training), read by
:func:`parity.contract.read_run`, compared by :func:`parity.checks.build_checks`."""

from __future__ import annotations

import dataclasses
import json
import math

import jsonschema
import numpy as np
import pytest

from parity.checks import build_checks
from parity.compare import Tolerance
from parity.config import AuditConfig, load_spec
from parity.contract import RunWriter, read_run, schema
from python_impl.caret import NA, is_na

#: the values that lose bits in a 15-digit JSON writer, or lose NA from NaN, or the sign of zero
HARD = {"0.1 + 0.2": 0.1 + 0.2, "1/3": 1 / 3, "2^-1074": 2.0**-1074, "-0.0": -0.0, "NA": NA,
        "NaN": math.nan}


def same_bits(a, b) -> bool:
    return np.asarray(a, dtype=np.float64).tobytes() == np.asarray(b, dtype=np.float64).tobytes()


def write(path, side="python", settings=None, **parts):
    """A run directory with the given parts: each keyword names a RunWriter method and gives
    its positional and keyword arguments as (args, kwargs), or a callable taking the writer."""
    with RunWriter(path, side=side, settings=settings or {"seed": 1}) as w:
        for method, call in parts.items():
            if callable(call):
                call(w)
            else:
                args, kwargs = call
                getattr(w, method)(*args, **kwargs)
    jsonschema.validate(json.loads((path / "run.json").read_text()), schema())
    return read_run(path)


def config(*groups, tolerances=None):
    spec = dataclasses.replace(load_spec(), groups=groups, tolerances=tolerances or {})
    return dataclasses.replace(AuditConfig.resolve(spec, profile="smoke"), settings={"seed": 1})


def checks(cfg, r, py):
    return {c.name: c for c in build_checks(cfg, r, py, {}) if c.group != "grade"}


# --------------------------------------------------------------------------- every bit


@pytest.mark.parametrize("label", list(HARD))
def test_history_keeps_every_bit(tmp_path, label):
    value = HARD[label]
    rec = write(tmp_path / "run", history=([{"loss": [value, 1.0]}], {}))
    assert same_bits(rec.history["loss"][0], value)
    assert is_na(rec.history["loss"][0]) == (label == "NA")


@pytest.mark.parametrize("label", ["0.1 + 0.2", "1/3", "2^-1074", "-0.0"])
def test_normalization_keeps_every_bit(tmp_path, label):
    value = HARD[label]
    x = np.array([value, value])
    rec = write(tmp_path / "run", normalization=(["train", x], {}))
    got = rec.normalization["train"]
    assert got.exact and same_bits(got.min, value) and same_bits(got.max, value)
    assert "min" not in json.loads((tmp_path / "run" / "run.json").read_text())["normalization"]["train"]


def test_range_is_exact_and_reports_both_differences(tmp_path):
    x = np.array([0.1 + 0.2, 1 / 3])
    r = write(tmp_path / "r", side="r", normalization=(["train", x], {}))
    py = write(tmp_path / "py", normalization=(["train", np.nextafter(x, 1)], {}))
    got = checks(config("normalization"), r, py)["normalization.train.range"]
    assert got.status == "fail" and got.rule.startswith("exact")
    assert got.difference["abs"] > 0 and got.difference["rel"] == pytest.approx(2.2e-16, rel=0.5)


def test_range_honours_the_spec_tolerance(tmp_path):
    x = np.array([0.1 + 0.2, 1 / 3])
    r = write(tmp_path / "r", side="r", normalization=(["train", x], {}))
    py = write(tmp_path / "py", normalization=(["train", np.nextafter(x, 1)], {}))
    got = checks(config("normalization", tolerances={"normalization.*.range": Tolerance(rel=1e-15)}),
                 r, py)["normalization.train.range"]
    assert got.status == "pass" and "1e-15" in got.rule


def test_range_of_an_older_r_writer_is_compared_at_jsonlite_digits(tmp_path):
    """An R run that wrote min/max only in run.json (jsonlite, 15 digits): a bit-identical
    pair still passes, the rule says why, and a real difference still fails."""
    x = np.array([0.1 + 0.2, 1 / 3])
    r = write(tmp_path / "r", side="r", normalization=(["train", x], {}))
    meta = json.loads((r.path / "run.json").read_text())
    meta["normalization"]["train"].update(min=float(f"{x.min():.15g}"), max=float(f"{x.max():.15g}"),
                                          mean=0.3)
    meta["arrays"].pop("normalization.train.min_max_mean")
    (r.path / "run.json").write_text(json.dumps(meta))
    r = read_run(r.path)
    assert not r.normalization["train"].exact
    py = write(tmp_path / "py", normalization=(["train", x], {}))
    got = checks(config("normalization"), r, py)["normalization.train.range"]
    assert got.status == "pass" and "15 significant digits" in got.rule
    py2 = write(tmp_path / "py2", normalization=(["train", x * (1 + 1e-13)], {}))
    assert checks(config("normalization"), r, py2)["normalization.train.range"].status == "fail"


# --------------------------------------------------------------------------- tasks


def r_like(w, *, data=None):
    """What an R run records for its data facts: R's typeof."""
    if data:
        w.set("data", {k: {"full_dim": [n], "dim": [n], "type": t} for k, (n, t) in data.items()})


def test_regression_n_by_1_and_its_flattening_are_the_same_predictions(tmp_path):
    y = np.array([21.0, 22.8, 0.1 + 0.2, -0.0, 1 / 3])
    r = write(tmp_path / "r", side="r", predictions=([y.reshape(-1, 1)], {"task": "regression"}))
    py = write(tmp_path / "py", predictions=([y], {"task": "regression"}))
    got = checks(config("predictions", "confusion"), r, py)
    assert got["predictions.task"].status == "pass"
    assert got["predictions.predicted_values_max_abs_diff"].status == "pass"
    rows = got["predictions.bit_identical_rows"]
    assert rows.status == "pass" and rows.r_value == rows.python_value == 5  # rows, not one vector
    assert not [n for n in got if "classes" in n or n.startswith("confusion.") and n != "confusion.task"]
    assert got["confusion.task"].status == "info" and not got["confusion.task"].required


def test_regression_one_value_off_fails_with_both_differences(tmp_path):
    y = np.array([[1.0, 2.0], [3.0, 4.0]])  # two outputs
    r = write(tmp_path / "r", side="r", predictions=([y], {"task": "regression"}))
    py = write(tmp_path / "py", predictions=([y + [[0, 0], [0, 1e-9]]], {"task": "regression"}))
    got = checks(config("predictions"), r, py)
    diff = got["predictions.predicted_values_max_abs_diff"]
    assert diff.status == "fail" and diff.difference["abs"] == pytest.approx(1e-9)
    assert diff.difference["rel"] == pytest.approx(2.5e-10)
    assert got["predictions.bit_identical_rows"].difference == 1
    loose = checks(config("predictions", tolerances={"predictions.*": Tolerance(rel=1e-9)}), r, py)
    assert loose["predictions.predicted_values_max_abs_diff"].status == "pass"
    assert loose["predictions.bit_identical_rows"].status == "pass"
    assert "1e-09" in loose["predictions.bit_identical_rows"].rule


def test_a_regression_against_a_classifier_fails_the_task(tmp_path):
    r = write(tmp_path / "r", side="r", predictions=([np.ones(3)], {"task": "regression"}))
    py = write(tmp_path / "py", predictions=([np.full((3, 1), 0.7)], {}))
    got = checks(config("predictions"), r, py)
    assert got["predictions.task"].status == "fail"
    assert (got["predictions.task"].r_value, got["predictions.task"].python_value) == ("regression", "binary")


def _binary(w, p, classes=None, threshold=None, labels=(0, 1, 1, 0)):
    w.predictions(p, classes, task="binary", threshold=threshold)
    w.labels(test=np.asarray(labels))


def test_binary_r_double_classes_are_the_classes_0_and_1(tmp_path):
    p = np.array([0.2, 0.9, 0.6, 0.4])
    # R: predict() is n x 1, ifelse(p > 0.5, 1, 0) and the labels are doubles
    r = write(tmp_path / "r", side="r", predictions=lambda w: _binary(
        w, p.reshape(-1, 1), np.array([[0.0], [1.0], [1.0], [0.0]]), labels=np.array([0.0, 1, 1, 0])))
    py = write(tmp_path / "py", predictions=lambda w: _binary(w, p))  # flattened, int32 classes
    got = checks(config("predictions"), r, py)
    bad = {n: c.status for n, c in got.items() if c.status != "pass"}
    assert not bad, bad
    assert got["predictions.r_classes_within_levels"].r_value == ["0", "1"]
    assert r.threshold == py.threshold == 0.5 and r.predicted.dtype.kind == "i"


def test_binary_wrong_threshold_fails_at_the_named_check(tmp_path):
    p = np.array([0.2, 0.9, 0.55, 0.4])
    r = write(tmp_path / "r", side="r", predictions=lambda w: _binary(w, p))
    # the port applies 0.6 but records nothing: the default 0.5 is what its run says
    applied = (p > 0.6).astype(np.int32)
    py = write(tmp_path / "py", predictions=lambda w: _binary(w, p, applied))
    got = checks(config("predictions"), r, py)
    assert got["predictions.python_classes_follow_threshold"].status == "fail"
    assert got["predictions.r_classes_follow_threshold"].status == "pass"
    # a port that records the threshold it applies fails the threshold check instead
    py2 = write(tmp_path / "py2", predictions=lambda w: _binary(w, p, threshold=0.6))
    got2 = checks(config("predictions"), r, py2)
    assert got2["predictions.threshold"].status == "fail"
    assert got2["predictions.python_classes_follow_threshold"].status == "pass"


@pytest.mark.parametrize("dtype, values, ok", [
    (np.int64, [0, 9], True), (np.uint8, [0, 255], True), (np.int32, [-5, 7], True),
    (np.int64, [0, 2**31], False), (np.float64, [0, 9], False), (np.float32, [0, 9], False),
])
def test_data_types_compared_by_meaning(tmp_path, dtype, values, ok):
    x = np.array(values, dtype=dtype)
    r = write(tmp_path / "r", side="r", data=lambda w: r_like(w, data={"labels": (2, "integer")}))
    py = write(tmp_path / "py", data=(["labels", x], {"full_shape": x.shape}))
    got = checks(config("data"), r, py)["data.labels.type"]
    assert (got.status == "pass") is ok, got
