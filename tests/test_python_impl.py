"""The Python port of the tutorial's workflow: data, normalization, model, determinism."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from parity.contract import layer_rows, read_run
from python_impl import data, model
from python_impl.caret import rformat
from python_impl.workflow import RunConfig, run


def test_loader_shapes_and_types(fashion_mnist):
    (x_train, y_train), (x_test, y_test) = fashion_mnist
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    assert y_test[:10].tolist() == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7]
    assert np.bincount(y_test).tolist() == [1000] * 10


def test_missing_data_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(RuntimeError, match=r"Fashion-MNIST files missing from .*run ./setup.sh"):
        data.load_fashion_mnist()


def test_normalization_is_r_double_division(fashion_mnist):
    (x_train, _), _ = fashion_mnist
    x = data.normalize(x_train[:100])
    assert x.dtype == np.float64 and x.min() == 0.0 and x.max() == 1.0
    # exactly R's `/ 255` on doubles: each value is the correctly rounded quotient
    np.testing.assert_array_equal(x, x_train[:100].astype(np.float64) / 255.0)


def test_class_names():
    assert len(data.CLASS_NAMES_FR) == len(data.CLASS_NAMES_EN) == 10
    assert data.CLASS_NAMES_FR[6:] == ("Chemise", "Baskets", "Sac", "Bottines")
    assert data.CLASS_NAMES_EN[9] == "Ankle boot"


def test_subset_rejects_bad_sizes(fashion_mnist):
    with pytest.raises(ValueError, match=r"train_size=0: expected an integer from 1 to 60000"):
        data.subset(fashion_mnist, train_size=0)
    with pytest.raises(ValueError, match=r"test_size=10001"):
        data.subset(fashion_mnist, test_size=10001)


def test_first_64_figure(fashion_mnist, tmp_path):
    (x_train, y_train), _ = fashion_mnist
    path = data.plot_first_images(x_train, y_train, tmp_path / "grid.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["grid.png"]


def test_model_is_the_seeds():
    model.seed_everything(1)
    net = model.build_model()
    rows = layer_rows(net)
    assert [r["params"] for r in rows] == list(model.EXPECTED_PARAMS)
    assert sum(r["params"] for r in rows) == net.count_params() == model.EXPECTED_TOTAL_PARAMS == 111146
    assert [r["class"] for r in rows] == [cls for cls, _ in model.TUTORIAL_LAYERS]
    assert [r["output_shape"] for r in rows] == [
        [None, 784], [None, 128], [None, 128], [None, 64], [None, 64], [None, 32], [None, 32],
        [None, 32], [None, 10]]
    assert [layer.rate for layer in net.layers if hasattr(layer, "rate")] == [0.1] * 4
    assert "111,146" in model.model_summary_text(net).replace("111146", "111,146")


def test_bad_settings():
    with pytest.raises(ValueError, match=r"seed=-1: expected an integer from 0 to 2147483647"):
        RunConfig(seed=-1)
    with pytest.raises(ValueError, match=r"epochs=0"):
        RunConfig(epochs=0)
    with pytest.raises(ValueError, match=r"seed=4294967296"):  # R's integers are 32-bit
        RunConfig(seed=2**32)
    with pytest.raises(ValueError, match=r"save_normalized=1: expected True or False"):
        RunConfig(save_normalized=1)


def test_two_runs_same_seed_bit_identical(fashion_mnist, tmp_path):
    config = RunConfig(epochs=1, seed=7, train_size=600, test_size=200)
    a = read_run(run(config, tmp_path / "a"))
    b = read_run(run(config, tmp_path / "b"))
    assert np.array_equal(a.probabilities, b.probabilities)  # bit for bit, not approximately
    assert a.history.keys() == b.history.keys() == {"loss", "accuracy"}
    assert all(np.array_equal(a.history[k], b.history[k]) for k in a.history)
    assert a.predicted.dtype == np.int64 and a.predicted.min() >= 0
    c = read_run(run(RunConfig(epochs=1, seed=8, train_size=600, test_size=200), tmp_path / "c"))
    assert not np.array_equal(a.probabilities, c.probabilities)  # the seed matters
    assert a.settings == {**config.settings()} and a.data["test_images"].dim == [200, 28, 28]
    import jsonschema

    from parity.contract import schema

    jsonschema.Draft202012Validator(schema()).validate(json.loads((tmp_path / "a" / "run.json").read_text()))
    assert {p.name for p in (tmp_path / "a").iterdir()} >= {
        "probabilities.npy", "predicted_classes.npy", "model_summary.txt", "confusion_matrix.txt",
        "run.json", "train_labels.npy", "test_labels.npy", "history.loss.npy",
        "confusion.overall.npy"}


def test_predictions_print_like_r():
    seed_first_50 = [9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5, 8, 3, 4, 1, 2, 2, 8, 0, 2, 5, 7, 5, 1,
                     2, 6, 0, 9, 6, 8, 8, 3, 3, 8, 0, 7, 5, 7, 9, 0, 1, 6, 7, 6, 7, 2, 1, 2, 6]
    lines = rformat.print_vector(seed_first_50)
    assert lines == [" [1] 9 2 1 1 6 1 4 6 5 7 4 5 8 3 4 1 2 2 8 0 2 5 7 5 1 2 6 0 9 6 8 8 3 3 8 0 7 5",
                     "[39] 7 9 0 1 6 7 6 7 2 1 2 6"]


def test_checkpoint_round_trip_and_refusals(tmp_path):
    from python_impl.checkpoint import CheckpointError, TrainingCheckpoint, unavailable_reason

    if unavailable_reason():
        pytest.skip(unavailable_reason())
    model.seed_everything(3)
    net = model.compile_model(model.build_model())
    ck = TrainingCheckpoint(tmp_path / "ck", {"seed": 3})
    assert ck.restore(net) == (0, {})  # nothing saved yet: a fresh start
    ck.save(net, 2, {"loss": [1.5, 1.25]})
    assert sorted(p.name for p in (tmp_path / "ck").iterdir()) == ["state.npz"]  # no temp left
    saved = [np.asarray(v).copy() for v in net.variables]
    seed_states = [v for v in net.variables if "seed_generator" in v.path]
    assert len(seed_states) == 4  # one per Dropout: the state Keras' BackupAndRestore omits

    model.seed_everything(4)
    other = model.compile_model(model.build_model())
    assert ck.restore(other) == (2, {"loss": [1.5, 1.25]})
    for want, var in zip(saved, other.variables, strict=True):
        np.testing.assert_array_equal(np.asarray(var), want)

    with pytest.raises(CheckpointError, match="belongs to another run"):
        TrainingCheckpoint(tmp_path / "ck", {"seed": 4}).restore(other)
    import tensorflow as tf

    small = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
    small.compile(optimizer="adam", loss="mse")
    with pytest.raises(CheckpointError, match="other variables"):
        ck.restore(small)
    ck.remove()
    assert not (tmp_path / "ck").exists()


def test_caret_port_imports_no_keras_and_changes_no_environment():
    code = ("import os, sys; before = dict(os.environ); import python_impl.caret, python_impl; "
            "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, 'keras loaded'; "
            "assert 'rpy2' not in sys.modules, 'rpy2 loaded'; assert dict(os.environ) == before, 'env'")
    env = {k: v for k, v in __import__("os").environ.items() if k != "KERAS_HOME"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
