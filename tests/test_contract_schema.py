"""The schema is the contract: ``read_run`` validates every run.json against the shipped JSON
Schema before it reads a field, and a structural fault is a contract error - exit 2 from
``parity audit --r-run`` and ``parity compare``, naming the field and the file.

The schema is applied by :mod:`parity.contract.schema_check` (the core needs no validator
package); every verdict here is checked against the ``jsonschema`` package too.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from parity.cli import main
from parity.contract import ContractError, RunWriter, read_run, schema
from parity.contract.schema_check import SchemaError, schema_errors
from python_impl.caret import confusion_matrix

LAYERS = [{"name": "dense", "class": "Dense", "output_shape": [None, 3], "params": 12}]


def _write(path: Path, side: str = "python") -> Path:
    labels = np.array([0, 1, 2, 1, 0, 2], dtype=np.uint8)
    probs = np.eye(3, dtype=np.float32)[[0, 1, 2, 2, 0, 2]]
    predicted = probs.argmax(axis=1)
    with RunWriter(path, side=side, settings={"seed": 42}) as w:
        w.history({"loss": [0.5, 0.4]})
        w.labels(labels, labels)
        w.predictions(probs, predicted)
        w.caret(confusion_matrix(predicted.astype(np.int64), labels.astype(np.int64)),
                data=predicted, reference=labels)
        w.set("data", {"x_train": {"full_dim": [6, 2], "dim": [6, 2], "type": "float64"}})
        w.set("model", {"layers": LAYERS, "total_params": 12})
        w.set("versions", {"python": "3.11"})
        w.set("timings", {"fit_s": 1.5})
    return path


def _edit(run: Path, change) -> Path:
    meta = json.loads((run / "run.json").read_text())
    change(meta)
    (run / "run.json").write_text(json.dumps(meta))
    return run


#: the malformed run.json files of issue 20 and the rules the reader used to rely on unstated:
#: (change, the field path the error must name)
MALFORMED = {
    "data without full_dim": (lambda m: m["data"]["x_train"].pop("full_dim"), "data.x_train.full_dim"),
    "layer without params": (lambda m: m["model"]["layers"][0].pop("params"), "model.layers[0].params"),
    "model.layers a string": (lambda m: m["model"].update(layers="x"), "model.layers"),
    "versions a list": (lambda m: m.update(versions=["3.11"]), "versions"),
    "timings a string": (lambda m: m.update(timings="1.5 s"), "timings"),
    "confusion.levels null": (lambda m: m["confusion"].update(levels=None), "confusion.levels"),
    "confusion without its by_class array": (lambda m: m["arrays"].pop("confusion.by_class"),
                                             "arrays.confusion.by_class"),
    "an unknown array name": (lambda m: m["arrays"].update(extra=m["arrays"]["test_labels"]),
                              "arrays.extra"),
    "an unknown text name": (lambda m: m["texts"].update(notes="notes.txt"), "texts.notes"),
    "probabilities of rank 3": (lambda m: m["arrays"]["probabilities"].update(shape=[6, 3, 1]),
                                "arrays.probabilities.shape"),
    "a threshold of two values": (lambda m: m["arrays"].update(classification_threshold={
        "file": "classification_threshold.npy", "dtype": "<f8", "shape": [2]}),
        "arrays.classification_threshold.shape"),
    "a min_max_mean of two values": (lambda m: m["arrays"].update({"normalization.x.min_max_mean": {
        "file": "normalization.x.min_max_mean.npy", "dtype": "<f8", "shape": [2]}}),
        "arrays.normalization.x.min_max_mean.shape"),
    "measures of an unknown function": (lambda m: m["arrays"].update({"measures.foo.values": {
        "file": "measures.foo.values.npy", "dtype": "<f8", "shape": [2]}}), "arrays.measures.foo.values"),
    "evaluation without its array": (lambda m: m.update(evaluation={"names": ["loss"]}),
                                     "arrays.evaluation"),
    "class weights without their array": (lambda m: m.update(weights={"class_weight_classes": ["a"]}),
                                          "arrays.weights.class_weight"),
    "a regression without predicted_values": (lambda m: m.update(task="regression"),
                                              "arrays.predicted_values"),
    "settings a list": (lambda m: m.update(settings=[42]), "settings"),
    "side unknown": (lambda m: m.update(side="julia"), "side"),
}


@pytest.fixture
def run(tmp_path) -> Path:
    return _write(tmp_path / "run")


def test_a_valid_run_is_valid_for_both_validators(run):
    meta = json.loads((run / "run.json").read_text())
    assert schema_errors(meta, schema()) == []
    jsonschema.Draft202012Validator(schema()).validate(meta)
    assert read_run(run).layers[0].params == 12


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_each_malformed_run_json_names_its_field(run, case):
    change, field = MALFORMED[case]
    _edit(run, change)
    meta = json.loads((run / "run.json").read_text())
    ours = schema_errors(meta, schema())
    assert ours and ours[0][0] == field, ours
    # the jsonschema package finds the same fault
    theirs = list(jsonschema.Draft202012Validator(schema()).iter_errors(meta))
    assert theirs, f"jsonschema accepts what schema_check refuses: {ours}"
    with pytest.raises(ContractError) as exc:
        read_run(run)
    assert str(run / "run.json") in str(exc.value) and field in str(exc.value)


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_parity_compare_exits_2_naming_the_field_and_the_file(run, tmp_path, case, capsys):
    good = _write(tmp_path / "good")
    change, field = MALFORMED[case]
    _edit(run, change)
    assert main(["compare", str(good), str(run)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("parity compare: error: RUN_B") and "Traceback" not in err
    assert str(run / "run.json") in err and field in err


def test_parity_audit_r_run_exits_2_naming_the_field_and_the_file(tmp_path, capsys):
    r_run = _edit(_write(tmp_path / "r", side="r"), MALFORMED["layer without params"][0])
    spec = tmp_path / "spec.toml"
    spec.write_text('spec_version = 1\nname = "s"\n[sides.r]\ncommand = ["true"]\n'
                    '[sides.python]\ncommand = ["true"]\n[settings]\nseed = 42\n'
                    '[checks]\ngroups = ["model"]\n')
    assert main(["audit", "--spec", str(spec), "--r-run", str(r_run), "--out",
                 str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and str(r_run / "run.json") in err
    assert "model.layers[0].params" in err
    assert not (tmp_path / "out").exists()  # nothing ran


def test_every_part_of_the_contract_validates_under_both_validators(tmp_path):
    """A run with every part main's writers write (task, threshold, predicted_values,
    normalization.<part>.min_max_mean, evaluation, callbacks, weights, caret's measures) follows
    the schema, for schema_check and for the jsonschema package."""
    import pandas as pd

    from python_impl.caret import post_resample

    labels = np.array([0, 1, 1, 0, 1, 0], dtype=np.uint8)
    p1 = np.array([0.2, 0.7, 0.6, 0.4, 0.9, 0.1])
    obs, pred = pd.Categorical(["a", "b", "b", "a", "b", "a"]), pd.Categorical(["a", "b", "b", "a", "b", "b"])
    with RunWriter(tmp_path / "binary", side="python", settings={"seed": 1}) as w:
        w.labels(labels, labels)
        w.predictions(p1.reshape(-1, 1), task="binary", threshold=0.55)
        w.normalization("x_train", np.linspace(0.0, 1.0, 7))
        w.evaluation({"loss": 0.3, "accuracy": 0.9})
        w.callbacks({"early_stopping": {"monitor": "val_loss", "patience": 2}})
        w.weights(class_weight={0: 1.0, 1: 2.0}, sample_weight=np.ones((6, 1)))
        w.post_resample(post_resample(pred, obs), pred=pred, obs=obs)
    with RunWriter(tmp_path / "regression", side="r", settings={}) as w:
        w.predictions(np.array([1.5, 2.5, -0.0]), task="regression")
    for name in ("binary", "regression"):
        meta = json.loads((tmp_path / name / "run.json").read_text())
        assert schema_errors(meta, schema()) == []
        jsonschema.Draft202012Validator(schema()).validate(meta)
    rec = read_run(tmp_path / "binary")
    # the one predict_classes rule: a single unit's classes are probability > the recorded threshold
    assert rec.threshold == 0.55 and rec.predicted.tolist() == [0, 1, 1, 0, 1, 0]
    assert read_run(tmp_path / "regression").task == "regression"


def test_the_writer_refuses_what_the_reader_would(tmp_path):
    with pytest.raises(ContractError, match=r"arrays.extra: the name 'extra'"), \
            RunWriter(tmp_path / "run", side="python", settings={}) as w:
        w.array("extra", np.arange(3))
    assert not (tmp_path / "run").exists()


def test_the_confusion_shapes_agree_with_the_names(run):
    def wrong(m):  # a by_class array of the right rank but not one row per class
        m["arrays"]["confusion.by_class"]["shape"] = [2, 11]
    _edit(run, wrong)
    with pytest.raises(ContractError, match=r"arrays.confusion.by_class.shape \[2, 11\]; expected \[3, 11\]"):
        read_run(run)


def test_schema_check_implements_every_keyword_of_the_schema():
    """A keyword it does not implement is an error, so the schema cannot grow a rule the
    reader skips."""
    schema_errors({"contract": "parity-run"}, schema())  # the shipped schema: no SchemaError
    with pytest.raises(SchemaError, match=r"\['uniqueItems'\]"):
        schema_errors([1, 1], {"type": "array", "uniqueItems": True})


@pytest.mark.parametrize("instance, sub", [
    (1.0, {"type": "integer"}), (True, {"type": "integer"}), (True, {"type": "number"}),
    (1, {"const": 1.0}), (True, {"const": 1}), ("a", {"enum": ["a", "b"]}), ([], {"minItems": 1}),
    ({"a": 1}, {"required": ["b"]}), ({"a": 1}, {"additionalProperties": False}),
    ({"ab": 1}, {"propertyNames": {"pattern": "^a$"}}), (-1, {"minimum": 0}),
    ({"x": 1}, {"dependentSchemas": {"x": {"required": ["y"]}}}),
    ({"ab": "x"}, {"patternProperties": {"^a": {"type": "integer"}}, "additionalProperties": False}),
    ({"ab": 1}, {"patternProperties": {"^a": {"type": "integer"}}, "additionalProperties": False}),
    ({"a": 1}, {"if": {"required": ["a"]}, "then": {"required": ["b"]}}),
    ({"c": 1}, {"if": {"required": ["a"]}, "then": {"required": ["b"]}}),
    ("history", {"not": {"enum": ["settings", "history"]}}), ("x", {"not": {"enum": ["history"]}}),
])
def test_schema_check_agrees_with_jsonschema(instance, sub):
    ours = not schema_errors(instance, sub)
    theirs = jsonschema.Draft202012Validator(sub).is_valid(instance)
    assert ours == theirs
