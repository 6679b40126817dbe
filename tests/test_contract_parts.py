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
from parity.config import AuditConfig, load_spec
from parity.contract import RunWriter, read_run, schema
from parity.rules.compare import Tolerance
from python_impl.caret import NA, is_na

#: the values that lose bits in a 15-digit JSON writer, or lose NA from NaN, or the sign of zero
HARD = {"0.1 + 0.2": 0.1 + 0.2, "1/3": 1 / 3, "2^-1074": 2.0**-1074, "-0.0": -0.0, "NA": NA,
        "NaN": math.nan}


def same_bits(a, b) -> bool:
    return np.asarray(a, dtype=np.float64).tobytes() == np.asarray(b, dtype=np.float64).tobytes()


def write(path, side="python", settings=None, **parts):  # noqa: D417
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


def test_binary_threshold_checks_need_a_declared_threshold(tmp_path):
    """Runs that declare no task (older writers) record no threshold: their classes are
    compared as recorded. Once one side declares its threshold, the other must too."""
    p = np.array([0.2, 0.9, 0.4, 0.3])
    at_035 = (p > 0.35).astype(np.int32)
    r = write(tmp_path / "r", side="r", predictions=([p.reshape(-1, 1), at_035], {}),
              labels=([], {"test": [0, 1, 1, 0]}))
    py = write(tmp_path / "py", predictions=([p, at_035], {}), labels=([], {"test": [0, 1, 1, 0]}))
    got = checks(config("predictions"), r, py)
    assert r.threshold is None and not [n for n in got if "threshold" in n]
    assert {c.status for c in got.values()} == {"pass"}
    declared = write(tmp_path / "declared", predictions=lambda w: _binary(w, p, threshold=0.35))
    got = checks(config("predictions"), r, declared)
    assert got["predictions.threshold"].status == "not_run"
    assert got["predictions.python_classes_follow_threshold"].status == "pass"
    assert "predictions.r_classes_follow_threshold" not in got


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


# --------------------------------------------------------------------------- evaluate()


@pytest.mark.parametrize("label", list(HARD))
def test_evaluation_keeps_every_bit(tmp_path, label):
    rec = write(tmp_path / "run", evaluation=([{"loss": HARD[label], "mae": 2.0}], {}))
    assert list(rec.evaluation) == ["loss", "mae"]
    assert same_bits(rec.evaluation["loss"], HARD[label])
    assert is_na(rec.evaluation["loss"]) == (label == "NA")


@pytest.mark.parametrize("label", list(HARD))
def test_weights_measures_and_threshold_keep_every_bit(tmp_path, label):
    v = HARD[label]

    def record(w):
        w.predictions([0.2, 0.7], task="binary", threshold=v)
        w.weights(class_weight={0: v, 1: 1.0}, sample_weight=[v, 1.0])
        w.post_resample({"RMSE": v, "Rsquared": 1.0, "MAE": 0.0}, pred=np.array([v, 1.0]),
                        obs=np.array([1.0, v]))
    rec = write(tmp_path / "run", record=record)
    m = rec.measures["postResample"]
    for got in (rec.threshold, rec.class_weight["0"], rec.sample_weight[0], m.values[0], m.pred[0],
                m.obs[1]):
        assert same_bits(got, v) and is_na(got) == (label == "NA")


def test_evaluation_is_compared_name_by_name(tmp_path):
    r = write(tmp_path / "r", side="r", evaluation=([{"loss": 1 / 3, "mae": 0.1 + 0.2}], {}))
    same = write(tmp_path / "same", evaluation=([{"loss": 1 / 3, "mae": 0.1 + 0.2}], {}))
    assert all(c.status == "pass" for c in checks(config("evaluation"), r, same).values())
    off = write(tmp_path / "off", evaluation=([{"loss": np.nextafter(1 / 3, 1), "mae": 0.1 + 0.2}], {}))
    got = checks(config("evaluation"), r, off)
    assert got["evaluation.loss"].status == "fail" and got["evaluation.mae"].status == "pass"
    assert set(got["evaluation.loss"].difference) == {"abs", "rel"}
    loose = checks(config("evaluation", tolerances={"evaluation.*": Tolerance(rel=1e-15)}), r, off)
    assert loose["evaluation.loss"].status == "pass"
    none = write(tmp_path / "none", history=([{"loss": [1.0]}], {}))
    assert checks(config("evaluation"), r, none)["evaluation.compared"].status == "not_run"


# --------------------------------------------------------------------------- weights


def test_evaluation_names_in_keras_3_return_dict_order_pass(tmp_path):
    """R keras lists the loss first; Keras 3's return_dict puts the metrics first."""
    r = write(tmp_path / "r", side="r", evaluation=([{"loss": 0.5, "accuracy": 0.75}], {}))
    py = write(tmp_path / "py", evaluation=([{"accuracy": 0.75, "loss": 0.5}], {}))
    got = checks(config("evaluation"), r, py)
    assert all(c.status == "pass" for c in got.values()), got
    missing = write(tmp_path / "missing", evaluation=([{"loss": 0.5}], {}))
    assert checks(config("evaluation"), r, missing)["evaluation.names"].status == "fail"


def test_class_weight_dropped_or_changed_fails(tmp_path):
    weights = {0: 1.0, 1: 1 / 3}
    r = write(tmp_path / "r", side="r", weights=([], {"class_weight": {"0": 1.0, "1": 1 / 3}}))
    same = write(tmp_path / "same", weights=([], {"class_weight": weights}))
    assert checks(config("training"), r, same)["training.class_weight"].status == "pass"
    dropped = write(tmp_path / "dropped", history=([{"loss": [1.0]}], {}))
    assert checks(config("training"), r, dropped)["training.class_weight"].status == "not_run"
    changed = write(tmp_path / "changed", weights=([], {"class_weight": {0: 1.0, 1: 0.33}}))
    assert checks(config("training"), r, changed)["training.class_weight"].status == "fail"


def test_sample_weight_is_compared(tmp_path):
    w = np.array([1.0, 0.5, 1 / 3])
    r = write(tmp_path / "r", side="r", weights=([], {"sample_weight": w}))
    py = write(tmp_path / "py", weights=([], {"sample_weight": w * [1, 1, 1 + 1e-15]}))
    got = checks(config("training"), r, py)["training.sample_weight"]
    assert got.status == "fail" and got.difference["abs"] > 0


# --------------------------------------------------------------------------- callbacks (real Keras)


def _fit_with_early_stopping(restore: bool):
    """A tiny real Keras fit with validation_split and EarlyStopping (seeded, deterministic)."""
    from python_impl import keras_env

    keras_env.prepare()
    import tensorflow as tf
    from tensorflow import keras

    keras.utils.set_random_seed(3)
    tf.config.experimental.enable_op_determinism()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 4))
    y = x @ [1.0, -2.0, 0.5, 0.0] + rng.normal(scale=2.0, size=96)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse", metrics=["mae"])
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=2,
                                         restore_best_weights=restore)
    history = model.fit(x, y, epochs=40, batch_size=16, validation_split=0.25, callbacks=[stop],
                        verbose=0, shuffle=False)
    return stop, history, model.evaluate(x, y, verbose=0, return_dict=True)


def _fit_run(path, side, restore):
    stop, history, evaluation = _fit_with_early_stopping(restore)

    def record(w):
        w.history(history.history)
        w.early_stopping(stop, history)
        w.evaluation(evaluation)
    return write(path, side=side, record=record)


def test_a_port_that_forgets_restore_best_weights_fails_with_predictions_switched_off(tmp_path):
    r = _fit_run(tmp_path / "r", "r", restore=True)
    facts = r.callbacks["early_stopping"]
    assert facts["restore_best_weights"] and facts["weights_restored"]
    assert 0 < facts["stopped_epoch"] < 39 and facts["epochs_run"] == facts["stopped_epoch"] + 1
    assert facts["best_epoch"] == int(np.argmin(r.history["val_loss"]))
    same = checks(config("training", "evaluation"), r, _fit_run(tmp_path / "same", "python", True))
    assert {n: c.status for n, c in same.items() if c.status != "pass"} == {}
    assert same["training.val_loss_per_epoch"].status == "pass"  # validation metrics compared
    assert same["training.val_mae_per_epoch"].status == "pass"
    forgot = checks(config("training", "evaluation"), r, _fit_run(tmp_path / "forgot", "python", False))
    failed = {n for n, c in forgot.items() if c.status != "pass"}
    assert {"training.early_stopping.restore_best_weights",
            "training.early_stopping.weights_restored"} <= failed
    # the history is the same (restoring happens after the last epoch); evaluate() is not
    assert "training.val_loss_per_epoch" not in failed and "evaluation.loss" in failed


# --------------------------------------------------------------------------- caret's measures


def _r_result(function, measure_kwargs):
    """R's caret (through rpy2) on the given inputs: what an R run records as its own result."""
    from parity.contract import Measure
    from parity.rules import rbridge

    names, values = rbridge.caret_measure(Measure(function, [], np.zeros(0), **measure_kwargs))
    return dict(zip(names, values, strict=True))


def _regression_inputs():
    rng = np.random.default_rng(5)
    obs = rng.normal(20, 6, size=32)
    return obs + rng.normal(0, 2, size=32), obs


@pytest.mark.r
def test_post_resample_own_and_crossed(tmp_path, r_caret):
    from python_impl.caret import post_resample

    pred, obs = _regression_inputs()
    r_res = _r_result("postResample", {"obs": obs, "pred": pred})
    r = write(tmp_path / "r", side="r", post_resample=([r_res], {"pred": pred, "obs": obs}))
    py = write(tmp_path / "py", post_resample=([post_resample(pred, obs)], {"pred": pred, "obs": obs}))
    got = checks(config("measures"), r, py)
    for pair in ("crossed", "r_predictions", "python_predictions"):
        for stat in ("RMSE", "Rsquared", "MAE"):
            assert got[f"measures.{pair}.postResample.{stat}"].status == "pass", pair
    # a port whose own RMSE is off by 10x the statistics rule: crossed and R-on-its-inputs fail
    wrong = post_resample(pred, obs)
    wrong["RMSE"] *= 1 + 1e-11
    bad = write(tmp_path / "bad", post_resample=([wrong], {"pred": pred, "obs": obs}))
    failed = {n for n, c in checks(config("measures"), r, bad).items() if c.status != "pass"}
    assert failed == {"measures.crossed.postResample.RMSE",
                      "measures.python_predictions.postResample.RMSE"}


@pytest.mark.r
def test_two_class_summary_own_and_crossed_keeps_na(tmp_path, r_caret):
    import pandas as pd

    from python_impl.caret import two_class_summary

    rng = np.random.default_rng(6)
    levels = ["yes", "no"]
    obs = pd.Categorical.from_codes(rng.integers(0, 2, 40), levels)
    p_yes = rng.uniform(size=40)
    pred = pd.Categorical.from_codes((p_yes < 0.5).astype(int), levels)
    data = pd.DataFrame({"obs": obs, "pred": pred, "yes": p_yes, "no": 1 - p_yes})
    inputs = {"obs": np.asarray(obs.codes, np.int32), "pred": np.asarray(pred.codes, np.int32),
              "levels": levels, "pred_levels": levels, "probabilities": data[levels].to_numpy(),
              "probability_columns": levels, "lev": levels}
    r = write(tmp_path / "r", side="r",
              summary=(["twoClassSummary", _r_result("twoClassSummary", inputs)],
                       {"data": data, "lev": levels}))
    py = write(tmp_path / "py", summary=(["twoClassSummary", two_class_summary(data, lev=levels)],
                                         {"data": data, "lev": levels}))
    got = checks(config("measures"), r, py)
    assert {n: c.status for n, c in got.items() if c.status != "pass"} == {}
    assert len([n for n in got if n.endswith((".ROC", ".Sens", ".Spec"))]) == 9
    # without lev caret gives NA for all three: R's NA must meet NA, not NaN
    r_na = write(tmp_path / "r_na", side="r", summary=(
        ["twoClassSummary", _r_result("twoClassSummary", {**inputs, "lev": None})], {"data": data}))
    assert is_na(r_na.measures["twoClassSummary"].values[0])
    nan_port = {"ROC": math.nan, "Sens": math.nan, "Spec": math.nan}
    py_nan = write(tmp_path / "py_nan", summary=(["twoClassSummary", nan_port], {"data": data}))
    got = checks(config("measures"), r_na, py_nan)
    assert got["measures.crossed.twoClassSummary.ROC"].status == "fail"
    assert got["measures.crossed.twoClassSummary.ROC"].r_value == "NA"
    assert got["measures.r_predictions.twoClassSummary.ROC"].status == "pass"  # the port gives NA


def test_measures_missing_on_a_side_fail(tmp_path):
    pred, obs = _regression_inputs()
    r = write(tmp_path / "r", side="r", post_resample=([{"RMSE": 1.0, "Rsquared": 0.5, "MAE": 0.8}],
                                                        {"pred": pred, "obs": obs}))
    py = write(tmp_path / "py", history=([{"loss": [1.0]}], {}))
    assert checks(config("measures"), r, py)["measures.postResample"].status == "fail"
    none = checks(config("measures"), py, py)
    assert none["measures.compared"].status == "not_run"


# --------------------------------------------------------------------------- graded


def test_new_parts_are_graded_when_bits_differ(tmp_path):
    """Under --require numeric, evaluate()'s results, a regression's outputs and caret's own
    measures are graded (bit-identical < numeric < different) instead of compared exactly."""
    y = np.array([1.5, 2.5, 3.5])

    def parts(scale):
        def record(w):
            w.predictions(y * scale, task="regression")
            w.evaluation({"loss": 0.25 * scale, "mae": 0.5})
            w.post_resample({"RMSE": 0.5 * scale, "Rsquared": 0.9, "MAE": 0.4}, pred=y * scale, obs=y)
        return record

    r = write(tmp_path / "r", side="r", record=parts(1.0))
    near = write(tmp_path / "near", record=parts(1 + 1e-9))
    far = write(tmp_path / "far", record=parts(1 + 1e-3))
    cfg = dataclasses.replace(config("predictions", "evaluation"), require="numeric")
    got = {c.name: c for c in build_checks(cfg, r, near, {})}
    for group in ("predictions", "evaluation", "measures"):
        assert got[f"grade.{group}"].r_value == "numeric" and got[f"grade.{group}"].status == "pass"
    assert "grade.confusion" not in got  # a regression
    assert got["evaluation.loss"].status == "fail" and not got["evaluation.loss"].required
    assert not got["predictions.predicted_values_max_abs_diff"].required
    bad = {c.name: c for c in build_checks(cfg, r, far, {})}
    assert bad["grade.evaluation"].r_value == "different" and bad["grade.evaluation"].status == "fail"
    same = {c.name: c for c in build_checks(cfg, r, write(tmp_path / "same", record=parts(1.0)), {})}
    assert same["grade.measures"].r_value == "bit-identical"


@pytest.mark.r
def test_battery_honours_a_tolerance_override(monkeypatch, r_caret):
    from python_impl.caret import confusion

    original = confusion.kappa
    monkeypatch.setattr(confusion, "kappa", lambda *a: original(*a) * (1 + 1e-11))
    spec = dataclasses.replace(load_spec(), groups=("battery",), battery=(1, 8))
    strict = build_checks(dataclasses.replace(AuditConfig.resolve(spec), spec=spec), None, None, {})
    assert all(c.status == "fail" for c in strict)
    loose = dataclasses.replace(spec, tolerances={"battery.*.overall.Kappa": Tolerance(rel=1e-9)})
    checks_ = build_checks(dataclasses.replace(AuditConfig.resolve(loose), spec=loose), None, None, {})
    assert len(checks_) == 8 and all(c.status == "pass" for c in checks_)


# --------------------------------------------------------------------------- from R

_R_WRITER = r"""
source(file.path(Sys.getenv("PARITY_R_REFERENCE"), "parity_run.R"))
hard <- c(0.1 + 0.2, 1/3, 2^-1074, -0.0, NA_real_, NaN)
run <- parity_run_open(commandArgs(TRUE)[1], settings = list(seed = 1L))
parity_run_history(run, list(loss = hard))
parity_run_normalization(run, "train", c(0.1 + 0.2, 1/3))
parity_run_close(run)
"""


@pytest.mark.r
def test_r_writer_round_trip(tmp_path):
    """R writes every bit where it writes arrays (the history here, and the normalization
    summary once the R writer writes normalization.<part>.min_max_mean; an older writer's
    15-digit JSON is read as inexact)."""
    import os
    import shutil
    import subprocess

    from parity.paths import R_REFERENCE

    if shutil.which("Rscript") is None:
        pytest.skip("Rscript not found; run ./setup.sh")
    script = tmp_path / "write.R"
    script.write_text(_R_WRITER)
    proc = subprocess.run(["Rscript", str(script), str(tmp_path / "run")], capture_output=True,
                          text=True, env=dict(os.environ, TZ="UTC", PARITY_R_REFERENCE=str(R_REFERENCE)))
    assert proc.returncode == 0, proc.stderr
    rec = read_run(tmp_path / "run")
    loss = rec.history["loss"]
    for i, label in enumerate(HARD):
        assert same_bits(loss[i], HARD[label]), label
        assert is_na(loss[i]) == (label == "NA"), label
    norm = rec.normalization["train"]
    if norm.exact:  # the R writer writes normalization.<part>.min_max_mean: every bit
        assert same_bits(norm.min, 0.1 + 0.2) and same_bits(norm.max, 1 / 3)
    else:  # an older R writer: jsonlite's 15 digits, read as inexact
        assert norm.max == float(f"{1 / 3:.15g}") != 1 / 3
