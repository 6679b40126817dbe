"""The R reference, run for real with Rscript on a subset, its artifacts read back through rpy2."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from parity.compare import STATS, stat_tolerance, values_agree
from python_impl.model import EXPECTED_PARAMS, EXPECTED_TOTAL_PARAMS, SEED_LAYERS

pytestmark = pytest.mark.r
SCRIPT = Path(__file__).resolve().parent.parent / "r_reference" / "fashion_mnist.R"
TRAIN, TEST = 1000, 300


def run_r(rscript, *args, timeout=600):
    from parity.rrun import r_python

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


def test_artifact_set_complete(r_run):
    out, _ = r_run
    expected = {"run.json", "history.rds", "probabilities.rds", "predicted_classes.rds",
                "train_labels.rds", "test_labels.rds", "confusion_matrix.rds",
                "confusion_matrix.txt", "model_summary.txt", "train_images_normalized.f64",
                "test_images_normalized.f64"}
    assert expected == {p.name for p in out.iterdir()}
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]


def test_data_types_and_dims(r_run):
    meta = json.loads((r_run[0] / "run.json").read_text())
    assert meta["data"]["typeof"] == {"train_images": "integer", "train_labels": "integer",
                                      "test_images": "integer", "test_labels": "integer"}
    assert meta["data"]["full_dims"] == {"train_images": [60000, 28, 28],
                                         "test_images": [10000, 28, 28]}
    assert meta["data"]["dims"]["train_images"] == [TRAIN, 28, 28]
    assert meta["data"]["dims"]["test_images"] == [TEST, 28, 28]


def test_normalization(r_run):
    out = r_run[0]
    meta = json.loads((out / "run.json").read_text())
    for part in ("train", "test"):
        summary = meta["normalization"][part]
        assert summary["storage_mode"] == "double"
        assert summary["min"] == 0 and summary["max"] == 1
    pixels = np.fromfile(out / "test_images_normalized.f64", dtype="<f8")
    assert pixels.size == TEST * 28 * 28 and pixels.min() == 0.0 and pixels.max() == 1.0


def test_parameter_counts(r_run):
    meta = json.loads((r_run[0] / "run.json").read_text())
    layers = meta["model"]["layers"]
    assert [x["params"] for x in layers] == list(EXPECTED_PARAMS)
    assert [x["cls"] for x in layers] == [cls for cls, _ in SEED_LAYERS]
    assert meta["model"]["total_params"] == EXPECTED_TOTAL_PARAMS
    assert meta["keras_impl"]["name"] in ("keras (CRAN)", "keras_fallback.R")
    assert meta["versions"]["tensorflow"] and meta["versions"]["python"]


def test_artifacts_read_back_through_rpy2(r_run, r_caret):
    out = r_run[0]
    proba = np.asarray(r_caret.read_rds(out / "probabilities.rds"))
    classes = np.asarray(r_caret.read_rds(out / "predicted_classes.rds"))
    labels = np.asarray(r_caret.read_rds(out / "test_labels.rds"))
    assert proba.shape == (TEST, 10) and classes.shape == (TEST,) and labels.shape == (TEST,)
    np.testing.assert_array_equal(classes, proba.argmax(axis=1))
    # float32 softmax outputs, carried exactly in R doubles
    np.testing.assert_array_equal(proba, proba.astype(np.float32).astype(np.float64))
    history = r_caret.read_rds(out / "history.rds")
    assert set(history.keys()) >= {"loss", "accuracy"}


def test_caret_artifacts_equal_caret_recomputed(r_run, r_caret):
    out = r_run[0]
    meta = json.loads((out / "run.json").read_text())
    classes = np.asarray(r_caret.read_rds(out / "predicted_classes.rds"))
    labels = np.asarray(r_caret.read_rds(out / "test_labels.rds"))
    again = r_caret.caret_from_labels(classes, labels)
    for key, value in meta["confusion"]["overall"].items():
        assert values_agree(again.overall[key], np.nan if value is None else value,
                            stat_tolerance(key)), key
    stored = np.array([[np.nan if v is None else v for v in row.values()]
                       for row in meta["confusion"]["by_class"]])
    assert values_agree(again.by_class, stored, STATS)
    printed = (out / "confusion_matrix.txt").read_text().rstrip("\n")
    assert printed == again.text


def test_bad_argument_fails_with_r_message(rscript, tmp_path):
    proc = run_r(rscript, "--out", str(tmp_path / "x"), "--epochs", "zero")
    assert proc.returncode != 0
    assert "option --epochs: 'zero' is not a positive integer" in proc.stderr
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
    from parity.rrun import r_python

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
