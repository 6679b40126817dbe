"""The group ``calls`` (parity.checks.groups.check_calls) on captured runs: the call sequence,
each pair of calls, and statistics calls mapped to caret (info rows), plus a two-script audit's
groups that no side recorded.

The runs are written with the contract's writer (RunWriter) as a capture writes them; the
capture layers themselves, with real R, Keras and scripts, are tested in
tests/test_capture_python.py, tests/test_capture_r.py and tests/test_examples_captured.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from parity.checks import build_checks
from parity.config import AuditConfig, scripts_spec
from parity.contract import RunWriter, read_run
from python_impl.caret import confusion_matrix

LEVELS = ["a", "b"]
PRED = pd.Categorical(["a", "a", "b", "b", "a", "b"], categories=LEVELS)
OBS = pd.Categorical(["a", "b", "b", "b", "a", "a"], categories=LEVELS)


def _captured(path, side, calls, *, stat_result=None):
    """A captured run: ``calls`` is a list of (kind, function, {role: array}, values)."""
    with RunWriter(path, side=side, settings={"epochs": 2}) as run:
        entries = []
        for i, (kind, function, arrays, values) in enumerate(calls, start=1):
            names = {}
            for role, arr in arrays.items():
                run.array(f"capture.{i}.{role}", arr)
                names[role] = f"capture.{i}.{role}"
            library = {"statistic": "sklearn", "caret": "caret" if side == "r" else "python_impl.caret"}
            entries.append({"kind": kind, "function": function, "library": library.get(kind, "keras"),
                            "arrays": names, "values": values})
        run.caret(confusion_matrix(PRED, OBS), data=PRED, reference=OBS)
        run.set("capture", {"script": f"analysis.{'R' if side == 'r' else 'py'}", "args": [],
                            "calls": entries})
    return read_run(path)


def _model_calls(second_output):
    out1 = np.array([[0.9, 0.1], [0.2, 0.8]])
    return [("compile", "compile", {}, {"loss": "categorical_crossentropy", "optimizer": "Adam",
                                        "learning_rate": 0.01, "metrics": ["accuracy"]}),
            ("fit", "fit", {"x": np.ones((4, 2)), "history.loss": np.array([0.7, 0.5])},
             {"epochs": 2, "batch_size": 2, "validation_split": 0.0, "shuffle": True,
              "epochs_run": 2, "class_weight": None}),
            ("predict", "predict", {"x": np.ones((2, 2)), "output": out1}, {}),
            ("predict", "predict", {"x": np.zeros((2, 2)), "output": second_output}, {}),
            ("caret", "confusionMatrix", {}, {"names": ["Accuracy"]})]


@pytest.fixture
def config(tmp_path):
    (tmp_path / "a.R").write_text("library(keras)\n")
    (tmp_path / "a.py").write_text("import keras\n")
    return AuditConfig.resolve(scripts_spec(tmp_path / "a.R", tmp_path / "a.py", {"epochs": 2}))


def _checks(config, r, py, group="calls"):
    return {c.name: c for c in build_checks(config, r, py, {}) if c.group == group}


def test_same_calls_pass_and_a_later_pair_is_compared(tmp_path, config):
    second = np.array([[0.5, 0.5], [0.4, 0.6]])
    r = _captured(tmp_path / "r", "r", _model_calls(second))
    py = _captured(tmp_path / "py", "python", _model_calls(second))
    checks = _checks(config, r, py)
    assert checks["calls.sequence"].status == "pass"
    assert checks["calls.sequence"].r_value == ["compile", "fit", "predict", "predict",
                                                "caret confusionMatrix"]
    assert checks["calls.predict.2.output"].status == "pass"
    assert checks["calls.compile.1.learning_rate"].status == "pass"
    assert "calls.predict.1.output" in checks  # a capture.* array: no group compares it otherwise


def test_a_later_call_that_differs_fails_at_its_own_check(tmp_path, config):
    r = _captured(tmp_path / "r", "r", _model_calls(np.array([[0.5, 0.5], [0.4, 0.6]])))
    py = _captured(tmp_path / "py", "python", _model_calls(np.array([[0.5, 0.5], [0.4, 0.61]])))
    checks = _checks(config, r, py)
    failed = sorted(name for name, c in checks.items() if c.status == "fail")
    assert failed == ["calls.predict.2.output"]


def test_a_different_sequence_fails_at_the_first_differing_call_with_both_sequences(tmp_path, config):
    calls = _model_calls(np.array([[0.5, 0.5], [0.4, 0.6]]))
    r = _captured(tmp_path / "r", "r", calls)
    py = _captured(tmp_path / "py", "python", calls[:3] + calls[4:])  # the port predicts once
    seq = _checks(config, r, py)["calls.sequence"]
    assert seq.status == "fail"
    assert seq.difference == {"first_differing_call": 4, "r": "predict",
                              "python": "caret confusionMatrix"}
    assert seq.python_value == ["compile", "fit", "predict", "caret confusionMatrix"]
    assert len(seq.r_value) == 5


def test_a_fact_that_differs_fails(tmp_path, config):
    calls = _model_calls(np.array([[0.5, 0.5], [0.4, 0.6]]))
    r = _captured(tmp_path / "r", "r", calls)
    changed = [(k, f, a, {**v, "batch_size": 32} if k == "fit" else v) for k, f, a, v in calls]
    py = _captured(tmp_path / "py", "python", changed)
    checks = _checks(config, r, py)
    assert checks["calls.fit.1.batch_size"].status == "fail"
    assert checks["calls.fit.1.batch_size"].python_value == 32


def test_an_uncaptured_side_is_not_run(tmp_path, config):
    r = _captured(tmp_path / "r", "r", _model_calls(np.array([[0.5, 0.5], [0.4, 0.6]])))
    with RunWriter(tmp_path / "py", side="python", settings={"epochs": 2}) as run:
        run.history({"loss": [0.7, 0.5]})
    checks = _checks(config, r, read_run(tmp_path / "py"))
    assert checks["calls.sequence"].status == "not_run"
    assert "python run was written by writer calls" in checks["calls.sequence"].reason


def test_a_statistics_call_is_mapped_to_caret_beside_r_caret_as_information(tmp_path, config):
    pytest.importorskip("sklearn")
    calls = _model_calls(np.array([[0.5, 0.5], [0.4, 0.6]]))
    r = _captured(tmp_path / "r", "r", calls)
    # as parity.capture records it: labels as codes with their levels, the result by its type
    arrays = {"y_true": OBS.codes.astype(np.int32), "y_pred": PRED.codes.astype(np.int32),
              "result": np.array([4 / 6])}
    stat = ("statistic", "sklearn.metrics.accuracy_score", arrays,
            {"y_true_levels": LEVELS, "y_pred_levels": LEVELS, "normalize": True,
             "sample_weight": None, "result_type": "scalar"})
    py = _captured(tmp_path / "py", "python", calls + [stat])
    checks = _checks(config, r, py)
    row = checks["calls.statistic.6.accuracy_score.Accuracy"]
    assert row.status == "info" and not row.required
    assert row.r_value == pytest.approx(4 / 6) and row.python_value == pytest.approx(4 / 6)
    assert row.difference["same_as_caret"] is True
    assert checks["calls.sequence"].status == "pass"  # statistics calls are not paired


def test_a_two_script_audit_reports_groups_no_side_recorded_as_information(tmp_path, config):
    calls = _model_calls(np.array([[0.5, 0.5], [0.4, 0.6]]))
    r = _captured(tmp_path / "r", "r", calls)
    py = _captured(tmp_path / "py", "python", calls)
    every = {c.name: c for c in build_checks(config, r, py, {})}
    assert every["evaluation.recorded"].status == "info"  # neither script called evaluate()
    assert every["measures.recorded"].status == "info"
    assert every["confusion.crossed.overall.Accuracy"].status == "pass"  # recorded: compared


def test_a_captured_run_reads_after_the_audit_dropped_the_arrays_its_calls_name(tmp_path):
    from parity.contract import drop_arrays

    x = np.arange(6.0).reshape(3, 2)
    with RunWriter(tmp_path / "run", side="python", settings={}) as run:
        run.normalization("train", x, save=True)  # the first fit's x is this part's array
        run.set("capture", {"script": "a.py", "args": [], "calls": [
            {"kind": "fit", "function": "fit", "library": "keras",
             "arrays": {"x": "normalized.train"}, "values": {}}]})
    assert read_run(tmp_path / "run").capture.calls[0].arrays["x"].shape == (3, 2)
    drop_arrays(tmp_path / "run", ["normalized.train"], reason="compared, then removed")
    call = read_run(tmp_path / "run").capture.calls[0]
    assert call.arrays == {} and call.array_names == {"x": "normalized.train"}
