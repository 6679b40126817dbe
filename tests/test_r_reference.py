"""The R reference, run for real with Rscript on a subset, its artifacts read back through rpy2."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from parity.contract import read_run
from python_impl.model import EXPECTED_PARAMS, EXPECTED_TOTAL_PARAMS, TUTORIAL_LAYERS

pytestmark = pytest.mark.r
SCRIPT = Path(__file__).resolve().parent.parent / "r_reference" / "fashion_mnist.R"
TRAIN, TEST = 1000, 300


def run_r(rscript, *args, timeout=600):
    from parity.orchestration.sides import r_python

    env = dict(os.environ, TZ="UTC", RETICULATE_PYTHON=r_python())
    return subprocess.run([rscript, str(SCRIPT), *args], capture_output=True, text=True,
                          env=env, timeout=timeout)


@pytest.fixture(scope="module")
def r_run(rscript, tmp_path_factory):
    out = tmp_path_factory.mktemp("r") / "run"
    proc = run_r(rscript, "--out", str(out), "--epochs", "1", "--train-size", str(TRAIN),
                 "--test-size", str(TEST), "--save-normalized")
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out, proc


def test_seed_output_printed(r_run):
    _, proc = r_run
    assert '[1] "integer"' in proc.stdout
    assert "Confusion Matrix and Statistics" in proc.stdout
    assert re.search(r"Total params: 111,?146", proc.stdout)  # Keras 3: 111,146; Keras 2: 111146


def test_run_directory_follows_the_contract(r_run):
    import jsonschema

    from parity.contract import schema

    out, _ = r_run
    jsonschema.Draft202012Validator(schema()).validate(json.loads((out / "run.json").read_text()))
    record = read_run(out)
    assert record.side == "r" and record.settings["train_size"] == TRAIN
    assert {p.name for p in out.iterdir()} >= {
        "run.json", "probabilities.npy", "predicted_classes.npy", "train_labels.npy",
        "test_labels.npy", "history.loss.npy", "history.accuracy.npy", "confusion.table.npy",
        "confusion.overall.npy", "confusion.by_class.npy", "confusion.data.npy",
        "confusion.reference.npy", "confusion_matrix.txt", "model_summary.txt",
        "normalized.train.npy", "normalized.test.npy"}
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]
    assert not list(out.glob("*.rds"))  # the engine reads JSON and NPY only


def test_data_types_and_dims(r_run):
    data = read_run(r_run[0]).data
    assert {k: v.type for k, v in data.items()} == {
        "train_images": "integer", "train_labels": "integer", "test_images": "integer",
        "test_labels": "integer"}
    assert data["train_images"].full_dim == [60000, 28, 28]
    assert data["test_images"].full_dim == [10000, 28, 28]
    assert data["train_images"].dim == [TRAIN, 28, 28] and data["test_images"].dim == [TEST, 28, 28]


def test_normalization(r_run):
    record = read_run(r_run[0])
    for part in ("train", "test"):
        summary = record.normalization[part]
        assert summary.storage == "double" and summary.min == 0 and summary.max == 1
    pixels = record.normalized["test"]
    assert pixels.shape == (TEST, 28, 28) and pixels.dtype == np.float64
    assert pixels.min() == 0.0 and pixels.max() == 1.0


def test_parameter_counts(r_run):
    record = read_run(r_run[0])
    assert [x.params for x in record.layers] == list(EXPECTED_PARAMS)
    assert [x.cls for x in record.layers] == [cls for cls, _ in TUTORIAL_LAYERS]
    assert record.total_params == EXPECTED_TOTAL_PARAMS
    assert record.implementation["name"]
    assert record.versions["tensorflow"] and record.versions["python"]


def test_arrays_exact(r_run):
    record = read_run(r_run[0])
    assert record.probabilities.shape == (TEST, 10) and record.predicted.shape == (TEST,)
    np.testing.assert_array_equal(record.predicted, record.probabilities.argmax(axis=1))
    # float32 softmax outputs, carried exactly in R doubles
    np.testing.assert_array_equal(record.probabilities,
                                  record.probabilities.astype(np.float32).astype(np.float64))
    assert set(record.history) >= {"loss", "accuracy"}


def test_stored_caret_equals_caret_recomputed(r_run, r_caret):
    from parity.rules.compare import caret_values_of_r, compare_caret

    record = read_run(r_run[0])
    again = caret_values_of_r(r_caret.caret_from_codes(*record.confusion_inputs, record.confusion.levels))
    bad = [row for row in compare_caret(record.confusion, again) if not row.ok]
    assert not bad, bad


def test_bad_argument_fails_with_r_message(rscript, tmp_path):
    proc = run_r(rscript, "--out", str(tmp_path / "x"), "--epochs", "zero")
    assert proc.returncode != 0
    assert "option --epochs: 'zero' is not an integer from 0 to 2147483647" in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_out_of_range_settings_fail_before_anything_runs(rscript, tmp_path):
    for args, message in ((["--seed", "2147483648"], "'2147483648' is not an integer from 0"),
                          (["--epochs", "0"], "--epochs: 0 must be at least 1"),
                          (["--frobnicate"], "unknown argument '--frobnicate'")):
        proc = run_r(rscript, "--out", str(tmp_path / "x"), *args)
        assert proc.returncode != 0 and message in proc.stderr, proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_missing_output_parent_fails(rscript, tmp_path):
    proc = run_r(rscript, "--out", str(tmp_path / "no" / "such" / "dir"))
    assert proc.returncode != 0
    assert "parent directory" in proc.stderr and "does not exist" in proc.stderr


def test_failure_mid_run_leaves_no_artifacts(rscript, tmp_path):
    # too many images: fails after the data is loaded, once the temp directory exists
    proc = run_r(rscript, "--out", str(tmp_path / "run"), "--train-size", "70000", "--epochs", "1")
    assert proc.returncode != 0
    assert "--train-size: 70000 is more than the 60000 images available" in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_python_error_is_reported(rscript, tmp_path):
    # no data in KERAS_HOME and no network: the loader's download fails inside Python
    from parity.orchestration.sides import r_python

    proc = subprocess.run(
        [rscript, str(SCRIPT), "--out", str(tmp_path / "run"), "--epochs", "1"],
        capture_output=True, text=True, timeout=300,
        # Keras 3 reads KERAS_HOME, Keras 2 reads ~/.keras: empty both
        env=dict(os.environ, TZ="UTC", RETICULATE_PYTHON=r_python(), HOME=str(tmp_path),
                 KERAS_HOME=str(tmp_path / "empty_keras_home"),
                 HTTPS_PROXY="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9"))
    assert proc.returncode != 0
    assert "Error" in proc.stderr
    # no artifact directory, final or temporary (Keras may leave its own cache dirs here)
    assert not [p.name for p in tmp_path.iterdir() if p.name == "run" or p.name.startswith(".run.")]
