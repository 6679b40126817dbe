"""The R capture on a real keras script: ``python -m parity.capture -- Rscript script.R args``
runs the script unmodified with parity/capture/capture.Rprofile, which starts
``parityrun::parity_capture_start()``; R keras trains through reticulate on real TensorFlow.

The script writes its own numbers (writeBin) beside the run directory; the captured run's parts
must hold the same bits. Its output must be what it prints without the capture, its calls
recorded in order (the outermost only: confusionMatrix calls caret's sensitivity() and others;
predict_classes() records the predict it makes),
a failing script must leave no run directory and end with the capture's line, and a script with
no recognised call must exit 1. (caret-only cases, quit() and a bad environment: the parityrun
testthat suite, test-capture.R.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from parity.contract import read_run

pytestmark = pytest.mark.r

SCRIPT = r"""
library(keras)
library(caret)
args <- commandArgs(trailingOnly = TRUE)
cat("args:", args, "\n")
cat("file:", grep("^--file=", commandArgs(FALSE), value = TRUE), "\n")
cat("option from the user's profile:", getOption("parity.test.user_profile", "none"), "\n")
tensorflow::set_random_seed(7)
tensorflow::tf$config$experimental$enable_op_determinism()
rows <- c(1:10, 51:60, 101:110)
x <- scale(as.matrix(iris[rows, 1:4]))
species <- droplevels(iris$Species[rows])
y <- to_categorical(as.integer(species) - 1L, num_classes = 3)
model <- keras_model_sequential() %>%
  layer_dense(units = 8, activation = "relu", input_shape = 4) %>%
  layer_dense(units = 3, activation = "softmax")
model %>% compile(optimizer = optimizer_adam(learning_rate = 0.05),
                  loss = "categorical_crossentropy", metrics = "accuracy")
history <- model %>% fit(x, y, epochs = 2, batch_size = 8, validation_split = 0.2, verbose = 0)
print(history)
ev <- model %>% evaluate(x, y, verbose = 0)
print(ev)
p <- model %>% predict(x, verbose = 0)
classes <- model %>% predict_classes(x)  # R keras 2.x's; it predicts: recorded as a predict
pred <- factor(levels(species)[max.col(p, ties.method = "first")], levels = levels(species))
cm <- confusionMatrix(pred, species)
print(cm)
pr <- postResample(pred, species)
print(pr)
writeBin(c(as.vector(p), ev, history$metrics$loss, history$metrics$val_loss, cm$overall, pr),
         args[1])
"""


def r_env(**extra: str) -> dict[str, str]:
    from parity.orchestration.sides import r_python

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PARITY_CAPTURE_", "R_PROFILE_USER"))}
    env.update(TZ="UTC", RETICULATE_PYTHON=r_python(), TF_NUM_INTRAOP_THREADS="1",
               TF_NUM_INTEROP_THREADS="1", **extra)
    return env


def run(cmd: list[str], cwd: Path, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, env=r_env(**extra), capture_output=True, text=True, timeout=900)


def captured(rscript: str, cwd: Path, *args: str, settings: str = "{}", **extra: str):
    return run([sys.executable, "-m", "parity.capture", "--out", "run", "--settings", settings, "--",
                rscript, "script.R", *args], cwd, **extra)


def tf_free(stderr: str) -> list[str]:
    """stderr without TensorFlow's start-up log lines (they carry a timestamp and a pid)."""
    return [line for line in stderr.splitlines()
            if not line.startswith(("I0000", "W0000", "E0000", "WARNING: All log messages"))]


def script_dir(root: Path, name: str, code: str) -> Path:
    d = root / name
    d.mkdir()
    (d / "script.R").write_text(code)
    return d


def test_a_keras_script_is_captured_unchanged_and_its_parts_hold_its_numbers(rscript, tmp_path):
    plain_dir = script_dir(tmp_path, "plain", SCRIPT)
    capture_dir = script_dir(tmp_path, "captured", SCRIPT)
    profile = tmp_path / "user.Rprofile"
    profile.write_text('options(parity.test.user_profile = "sourced first")\n')
    args = ("numbers.bin", "--epochs", "2")
    plain = run([rscript, "script.R", *args], plain_dir, R_PROFILE_USER=str(profile))
    assert plain.returncode == 0, plain.stderr[-3000:]
    cap = captured(rscript, capture_dir, *args, settings='{"epochs": 2}', R_PROFILE_USER=str(profile))
    assert cap.returncode == 0, cap.stderr[-3000:]

    # the script's output, commandArgs() and --file= are unchanged; the user's profile ran first
    assert cap.stdout == plain.stdout
    assert "args: numbers.bin --epochs 2 " in cap.stdout.splitlines()
    assert "file: --file=script.R " in cap.stdout.splitlines()
    assert "option from the user's profile: sourced first " in cap.stdout.splitlines()
    assert tf_free(cap.stderr) == tf_free(plain.stderr)
    assert (plain_dir / "numbers.bin").read_bytes() == (capture_dir / "numbers.bin").read_bytes()

    record = read_run(capture_dir / "run")
    assert record.side == "r" and record.settings == {"epochs": 2}
    assert record.capture is not None
    assert record.capture.script == "script.R" and record.capture.args == list(args)
    calls = record.capture.calls
    # the outermost calls only: confusionMatrix's own sensitivity() etc. are not recorded
    assert [(c.kind, c.function, c.library) for c in calls] == [
        ("compile", "compile", "keras"), ("fit", "fit", "keras"), ("evaluate", "evaluate", "keras"),
        ("predict", "predict", "keras"), ("predict", "predict", "keras"),
        ("caret", "confusionMatrix", "caret"), ("caret", "postResample", "caret")]
    compile_, fit, evaluate, predict, predict_classes, cm, post = calls
    assert predict_classes.arrays["output"].tobytes() == predict.arrays["output"].tobytes()
    assert compile_.values["loss"] == "categorical_crossentropy"
    assert compile_.values["optimizer"] == "Adam" and compile_.values["metrics"] == ["accuracy"]
    # (run.json's numbers from R carry 15 significant digits: jsonlite's, in parity_run_close)
    assert compile_.values["learning_rate"] == pytest.approx(float(np.float32(0.05)), rel=1e-14)
    assert {k: fit.values[k] for k in ("epochs", "batch_size", "validation_split", "shuffle",
                                       "epochs_run", "class_weight", "callbacks")} == {
        "epochs": 2, "batch_size": 8, "validation_split": 0.2, "shuffle": True, "epochs_run": 2,
        "class_weight": None, "callbacks": []}

    # every number is the script's own, to the bit
    numbers = np.fromfile(capture_dir / "numbers.bin", dtype="<f8")
    n = 30
    probabilities = numbers[:n * 3].reshape((n, 3), order="F")
    ev, loss, val_loss = numbers[n * 3:n * 3 + 2], numbers[n * 3 + 2:n * 3 + 4], numbers[n * 3 + 4:n * 3 + 6]
    overall, post_resample = numbers[n * 3 + 6:n * 3 + 13], numbers[n * 3 + 13:]
    assert record.probabilities.tobytes() == probabilities.tobytes()
    assert predict.arrays["output"].tobytes() == probabilities.tobytes()
    assert np.array(list(record.evaluation.values())).tobytes() == ev.tobytes()
    assert list(record.evaluation) == ["loss", "accuracy"] == evaluate.values["names"]
    assert record.history["loss"].tobytes() == loss.tobytes()
    assert record.history["val_loss"].tobytes() == val_loss.tobytes()
    assert fit.arrays["history.loss"].tobytes() == loss.tobytes()
    assert record.confusion is not None and record.confusion.overall.tobytes() == overall.tobytes()
    assert cm.arrays["result"].tobytes() == overall.tobytes()
    assert record.measures["postResample"].values.tobytes() == post_resample.tobytes()
    assert post.arrays["result"].tobytes() == post_resample.tobytes()
    # the data given to the model, its labels, and the predicted classes the script's factor holds
    assert np.array_equal(fit.arrays["x"], record.normalized["train"])
    assert np.array_equal(predict.arrays["x"], record.normalized["test"])
    assert record.train_labels.tolist() == [0] * 10 + [1] * 10 + [2] * 10
    assert record.test_labels.tolist() == record.train_labels.tolist()
    assert record.predicted.tolist() == probabilities.argmax(axis=1).tolist()
    assert [layer.cls for layer in record.layers] == ["Dense", "Dense"]
    assert record.model_summary and "Dense" in record.model_summary
    assert record.implementation["runs"] == "true" and "tensorflow" in record.versions
    # arrays written once: the call's array that is a part's is named, not written again
    meta_arrays = {p.stem for p in (capture_dir / "run").glob("*.npy")}
    assert not {"capture.2.x", "capture.3.values", "capture.4.output", "capture.5.result"} & meta_arrays


def test_a_failing_script_leaves_no_run_directory_and_says_after_which_calls(rscript, tmp_path):
    code = ("library(keras)\n"
            "model <- keras_model_sequential() %>% layer_dense(units = 2, input_shape = 3)\n"
            "model %>% compile(optimizer = 'sgd', loss = 'mse')\n"
            "model %>% fit(matrix(0, 4, 5), matrix(0, 4, 2), epochs = 1, verbose = 0)  # 5 columns, not 3\n"
            "cat('never here\\n')\n")
    plain_dir, capture_dir = script_dir(tmp_path, "plain", code), script_dir(tmp_path, "captured", code)
    plain = run([rscript, "script.R"], plain_dir)
    cap = captured(rscript, capture_dir)
    assert plain.returncode == cap.returncode == 1
    assert cap.stdout == plain.stdout and "never here" not in cap.stdout
    lines = tf_free(cap.stderr)
    # R's own error lines first, unchanged; then the capture's one line
    assert lines[:-1] == tf_free(plain.stderr)
    assert "Execution halted" in lines[:-1]
    assert lines[-1] == ("error: parity capture: the R script script.R failed after 1 captured call: "
                         "compile (keras)")
    assert sorted(p.name for p in capture_dir.iterdir()) == ["script.R"]


def test_a_script_without_a_recognised_call_exits_1(rscript, tmp_path):
    d = script_dir(tmp_path, "none", "cat('plain R:', sum(1:4), '\\n')\n")
    cap = captured(rscript, d)
    assert cap.returncode == 1
    assert cap.stdout == "plain R: 10 \n"
    assert cap.stderr.splitlines()[-1].startswith(
        "error: parity capture: script.R ran to its end but made no call the capture recognises (keras ")
    assert not (d / "run").exists()
