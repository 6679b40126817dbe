"""The golden run directories (``tests/data/golden_run/``): both writers - R's ``parityrun``
(a plain ``Rscript``) and Python's :class:`parity.contract.RunWriter` (in-process) - write the
same small runs from the same inputs, and each must reproduce the golden one field for field:
every key of run.json with its JSON type and value (numbers bit for bit), every array's dtype,
shape and bits, every text.

The golden directories were written by R's writer (the reference side); regenerate them, after a
deliberate change of the contract, with ``python tests/test_golden_run.py`` (needs Rscript and
the installed parityrun) and review the diff.

What legitimately differs between the two writers, and only that, is named in :data:`BY_SIDE`
and :func:`assert_matches_golden`:

- ``side``: each writer says which side wrote the run;
- ``data.<name>.type`` and ``normalization.<part>.storage``: each side's own name of the type
  (R's ``typeof``/``storage.mode``, NumPy's dtype name); the Python writer adds
  ``data.<name>.typeof``, the R type its values correspond to, which must be R's ``type``;
- the NPY layout: R writes its column-major memory (``fortran_order: True``), NumPy C order -
  the arrays' logical values, dtype and shape are compared;
- the printed caret text: caret's print pads lines with spaces (the two-class print ends with a
  line of spaces), the port's does not; compared as the audit compares printed text
  (:func:`parity.rules.compare.printed_lines`).

Inputs are chosen so that the R and port computations they go through agree to the bit (the
writers are under test here, not the port's caret: its binomial interval is compared with the
STATS tolerance elsewhere and differs in the last bits for most counts).
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from parity.contract import RunWriter, read_run
from parity.rules.compare import printed_lines
from python_impl.caret import NA, confusion_matrix, post_resample, two_class_summary

GOLDEN = Path(__file__).parent / "data" / "golden_run"
RUNS = ("binary", "multiclass")

#: run.json fields (fnmatch patterns) whose value is each side's own name for the same thing:
#: golden (R's) -> what the Python writer writes
BY_SIDE = {
    "run.json.side": {"r": "python"},
    "run.json.data.*.type": {"double": "float64", "integer": "int32"},
    "run.json.normalization.*.storage": {"double": "float64", "integer": "int32"},
}

# One script writes both runs, each under its argument; the Python twins are below, line for line.
R_SCRIPT = r"""
suppressPackageStartupMessages({ library(parityrun); library(caret) })
base <- commandArgs(TRUE)[1]

run <- parity_run_open(file.path(base, "binary"), settings = list(
  seed = 42L, epochs = 2L, learning_rate = 0.001, train_size = NA_integer_, shuffle = FALSE,
  optimizer = "adam"))
parity_run_set(run, "timings", list(fit = 1.5, predict = 0.25))
x <- matrix(c(0, 0.25, 0.5, 1, 0.125, 0.375), 2)
parity_run_data(run, "x_train", x, full_dim = c(5L, 3L))
parity_run_normalization(run, "x", x, save = TRUE)
parity_run_text(run, "model_summary", "Model: demo\n  dense (Dense)  4 params")
parity_run_history(run, list(loss = c(0.9, 0.1 + 0.2), accuracy = c(1/3, NA),
                             val_loss = c(-0.0, 2^-1074)))
test <- c(1L, 0L, 0L, 0L, 1L, 1L, 1L, 0L)
parity_run_labels(run, train = c(0L, 1L, 1L, 0L), test = test)
p <- matrix(c(0.9, 0.1 + 0.2, 1/3, 0.2, 2^-1074, 0.6, 0.75, -0.0), ncol = 1)
parity_run_predictions(run, p, task = "binary", threshold = 0.1 + 0.2)
pred <- factor(as.integer(p > 0.1 + 0.2), levels = 0:1)
ref <- factor(test, levels = 0:1)
parity_run_caret(run, confusionMatrix(pred, ref, positive = "1"), data = pred, reference = ref)
parity_run_evaluation(run, c(loss = 0.1 + 0.2, accuracy = 1/3))
parity_run_callbacks(run, list(note = list(kind = "demo", count = 3L, flag = TRUE, none = NULL)))
parity_run_weights(run, class_weight = c("0" = 1, "1" = 2.5), sample_weight = c(1, 0.5, 2, 0.1 + 0.2))
rp <- c(0.1 + 0.2, 1/3, 2.5, -0.0)
ro <- c(0.25, 0.5, 2, 1)
parity_run_post_resample(run, postResample(pred = rp, obs = ro), pred = rp, obs = ro)
a <- c(0.9, 0.1 + 0.2, 1/3, 0.2, 0.6, 0.75)
two <- data.frame(obs = factor(c("a", "a", "b", "b", "a", "b"), levels = c("a", "b")),
                  pred = factor(c("a", "b", "b", "b", "a", "a"), levels = c("a", "b")),
                  a = a, b = 1 - a)
parity_run_summary(run, "twoClassSummary", twoClassSummary(two, lev = c("a", "b")), two,
                   lev = c("a", "b"))
parity_run_close(run)

run <- parity_run_open(file.path(base, "multiclass"), settings = list(seed = 7L))
p <- matrix(c(0.2, 0.5, 0.3,  0.1 + 0.2, 0.3, 0.4,  1/3, 1/3, 1/3,  0.6, 0.1, 0.3,  0, 0, 1,
              0.5, 0.5, 0,  0.25, 0.7, 0.05,  0.1, 0.2, 0.7), 8, byrow = TRUE)
parity_run_predictions(run, p, task = "multiclass")
lv <- c("a", "b", "c")
pred <- factor(lv[max.col(p, "first")], levels = lv)
ref <- factor(c("b", "c", "a", "b", "c", "a", "c", "c"), levels = lv)
prevalence <- c(a = 0.2, b = 0.3, c = 0.5)
parity_run_caret(run, confusionMatrix(pred, ref, mode = "everything", prevalence = prevalence),
                 data = pred, reference = ref, prevalence = prevalence)
parity_run_close(run)
"""


def write_python_runs(base: Path) -> None:
    """The R script's runs, written by :class:`RunWriter` from the same inputs."""
    x = np.array([[0, 0.5, 0.125], [0.25, 1, 0.375]])
    settings = {"seed": 42, "epochs": 2, "learning_rate": 0.001, "train_size": None, "shuffle": False,
                "optimizer": "adam"}
    with RunWriter(base / "binary", side="python", settings=settings) as run:
        run.set("timings", {"fit": 1.5, "predict": 0.25})
        run.data("x_train", x, full_shape=(5, 3))
        run.normalization("x", x, save=True)
        run.text("model_summary", "Model: demo\n  dense (Dense)  4 params")
        run.history({"loss": [0.9, 0.1 + 0.2], "accuracy": [1 / 3, NA], "val_loss": [-0.0, 2.0**-1074]})
        test = np.array([1, 0, 0, 0, 1, 1, 1, 0], dtype=np.int32)
        run.labels(train=np.array([0, 1, 1, 0], dtype=np.int32), test=test)
        p = np.array([[0.9], [0.1 + 0.2], [1 / 3], [0.2], [2.0**-1074], [0.6], [0.75], [-0.0]])
        run.predictions(p, task="binary", threshold=0.1 + 0.2)
        pred = pd.Categorical([str(int(v > 0.1 + 0.2)) for v in p[:, 0]], categories=["0", "1"])
        ref = pd.Categorical([str(v) for v in test], categories=["0", "1"])
        run.caret(confusion_matrix(pred, ref, positive="1"), data=pred, reference=ref)
        run.evaluation({"loss": 0.1 + 0.2, "accuracy": 1 / 3})
        run.callbacks({"note": {"kind": "demo", "count": 3, "flag": True, "none": None}})
        run.weights(class_weight={0: 1.0, 1: 2.5}, sample_weight=[1, 0.5, 2, 0.1 + 0.2])
        rp, ro = np.array([0.1 + 0.2, 1 / 3, 2.5, -0.0]), np.array([0.25, 0.5, 2, 1])
        run.post_resample(post_resample(rp, ro), pred=rp, obs=ro)
        a = np.array([0.9, 0.1 + 0.2, 1 / 3, 0.2, 0.6, 0.75])
        two = pd.DataFrame({"obs": pd.Categorical(list("aabbab"), categories=["a", "b"]),
                            "pred": pd.Categorical(list("abbbaa"), categories=["a", "b"]),
                            "a": a, "b": 1 - a})
        run.summary("twoClassSummary", two_class_summary(two, lev=["a", "b"]), data=two, lev=["a", "b"])

    with RunWriter(base / "multiclass", side="python", settings={"seed": 7}) as run:
        p = np.array([[0.2, 0.5, 0.3], [0.1 + 0.2, 0.3, 0.4], [1 / 3, 1 / 3, 1 / 3], [0.6, 0.1, 0.3],
                      [0.0, 0.0, 1.0], [0.5, 0.5, 0.0], [0.25, 0.7, 0.05], [0.1, 0.2, 0.7]])
        run.predictions(p, task="multiclass")
        lv = ["a", "b", "c"]
        pred = pd.Categorical([lv[i] for i in p.argmax(axis=1)], categories=lv)
        ref = pd.Categorical(list("bcabcacc"), categories=lv)
        prevalence = {"a": 0.2, "b": 0.3, "c": 0.5}
        run.caret(confusion_matrix(pred, ref, mode="everything", prevalence=prevalence),
                  data=pred, reference=ref, prevalence=prevalence)


def write_r_runs(base: Path) -> None:
    """The R script's runs, written by the installed parityrun through a plain Rscript."""
    script = base / "write.R"
    script.write_text(R_SCRIPT)
    proc = subprocess.run(["Rscript", str(script), str(base)], capture_output=True, text=True,
                          env=dict(os.environ, TZ="UTC"), timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"Rscript failed (is this checkout's parityrun installed? Rscript "
                           f"r_packages/install.R, as setup.sh):\n{proc.stderr}")


def json_differences(golden, got, path: str = "run.json", *, by_side: bool = False) -> list[str]:
    """Where two parsed run.json values differ: keys, JSON types (an integer is not a float),
    strings, and numbers bit for bit (-0.0 is not 0.0); with ``by_side`` (a Python run against
    the golden R run) the fields of :data:`BY_SIDE` compared through their mapping."""
    for pattern, names in BY_SIDE.items() if by_side else ():
        if fnmatch.fnmatchcase(path, pattern) and isinstance(golden, str):
            golden = names.get(golden, golden)
    if type(golden) is not type(got):
        return [f"{path}: {golden!r} ({type(golden).__name__}) in the golden run, "
                f"{got!r} ({type(got).__name__}) written"]
    if isinstance(golden, dict):
        out = [f"{path}.{k}: {'missing' if k in golden else 'not in the golden run'}"
               for k in sorted(set(golden) ^ set(got))]
        for k in golden.keys() & got.keys():
            out += json_differences(golden[k], got[k], f"{path}.{k}", by_side=by_side)
        return out
    if isinstance(golden, list):
        if len(golden) != len(got):
            return [f"{path}: {len(golden)} items in the golden run, {len(got)} written"]
        return [d for i, (a, b) in enumerate(zip(golden, got, strict=True))
                for d in json_differences(a, b, f"{path}[{i}]", by_side=by_side)]
    if isinstance(golden, float):
        same = struct.pack("<d", golden) == struct.pack("<d", got)
    else:
        same = golden == got
    return [] if same else [f"{path}: {golden!r} in the golden run, {got!r} written"]


def array_difference(golden: np.ndarray, got: np.ndarray) -> str | None:
    """dtype, shape and the bits of every value (in logical order: the NPY layout may differ)."""
    if golden.dtype.str != got.dtype.str or golden.shape != got.shape:
        return (f"{golden.dtype.str} {list(golden.shape)} in the golden run, "
                f"{got.dtype.str} {list(got.shape)} written")
    if np.ascontiguousarray(golden).tobytes() != np.ascontiguousarray(got).tobytes():
        return f"values {golden.ravel().tolist()} in the golden run, {got.ravel().tolist()} written"
    return None


def assert_matches_golden(run: str, written: Path) -> None:
    golden_dir = GOLDEN / run
    golden, got = (json.loads((d / "run.json").read_text(encoding="utf-8")) for d in (golden_dir, written))
    python = got.get("side") == "python"
    if python:  # its data.<name>.typeof is the R type: R's own type name, in the golden run
        for name, fact in got.get("data", {}).items():
            assert fact.pop("typeof") == golden["data"][name]["type"], f"data.{name}.typeof"
    problems = json_differences(golden, got, by_side=python)
    for name in golden["arrays"].keys() & got["arrays"].keys():
        load = [np.load(d / f"{name}.npy", allow_pickle=False) for d in (golden_dir, written)]
        if (difference := array_difference(*load)) is not None:
            problems.append(f"array {name}: {difference}")
    for name in golden["texts"].keys() & got["texts"].keys():
        texts = [(d / f"{name}.txt").read_text(encoding="utf-8") for d in (golden_dir, written)]
        same = printed_lines(texts[0]) == printed_lines(texts[1]) if name == "confusion_matrix" \
            else texts[0] == texts[1]
        if not same:
            problems.append(f"text {name}: differs from the golden run's")
    assert not problems, f"{written} differs from {golden_dir}:\n" + "\n".join(problems)


def test_golden_runs_follow_the_contract():
    for run in RUNS:
        record = read_run(GOLDEN / run)  # schema, arrays and texts as the engine reads them
        assert record.side == "r" and record.confusion is not None and record.task == run


@pytest.mark.parametrize("run", RUNS)
def test_python_writer_reproduces_the_golden_run(tmp_path, run):
    write_python_runs(tmp_path)
    assert_matches_golden(run, tmp_path / run)


@pytest.fixture(scope="module")
def r_runs(tmp_path_factory):
    if shutil.which("Rscript") is None:
        pytest.skip("Rscript not found; run ./setup.sh")
    base = tmp_path_factory.mktemp("golden_r")
    write_r_runs(base)
    return base


@pytest.mark.r
@pytest.mark.parametrize("run", RUNS)
def test_r_writer_reproduces_the_golden_run(r_runs, run):
    assert_matches_golden(run, r_runs / run)


def test_a_changed_field_is_found(tmp_path):
    """The comparison is not blind: one flipped bit, one int written as a float, one
    missing key and one array of another dtype are each reported."""
    write_python_runs(tmp_path)
    meta_path = tmp_path / "binary" / "run.json"
    meta = json.loads(meta_path.read_text())
    meta["settings"]["learning_rate"] = np.nextafter(0.001, 1.0).item()
    meta["settings"]["epochs"] = 2.0
    del meta["confusion"]["mode"]
    meta_path.write_text(json.dumps(meta))
    np.save(tmp_path / "binary" / "test_labels.npy", np.array([1, 0, 0, 0, 1, 1, 1, 0], dtype=np.int64))
    with pytest.raises(AssertionError) as failure:
        assert_matches_golden("binary", tmp_path / "binary")
    for expected in ("settings.learning_rate", "settings.epochs", "confusion.mode", "array test_labels"):
        assert expected in str(failure.value)


if __name__ == "__main__":  # regenerate the golden runs from R's writer (review the diff)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        write_r_runs(Path(tmp))
        for name in RUNS:
            shutil.rmtree(GOLDEN / name, ignore_errors=True)
            shutil.copytree(Path(tmp) / name, GOLDEN / name)
    print(f"wrote {', '.join(RUNS)} under {GOLDEN}", file=sys.stderr)
