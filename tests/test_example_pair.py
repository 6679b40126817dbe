"""The second audited pair, examples/cnn_two_class, under the unchanged engine: the same data
with another model (a small CNN, sigmoid output) and another caret call (two classes,
positive, prevalence, mode = "everything"). The honest pair passes the smoke audit; a one-line
change on either side fails it, and the audit names the check that caught it.

The R side runs once for the module (the command the audit itself runs) and is reused with
``--r-run`` for the Python-side changes; the R-side change needs a full audit.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from parity.config import AuditConfig, load_spec
from parity.orchestration.sides import r_python
from parity.paths import PROJECT_ROOT

pytestmark = pytest.mark.r
EXAMPLE = PROJECT_ROOT / "examples" / "cnn_two_class"
SPEC = EXAMPLE / "spec.toml"
KERAS_HOME = os.environ.get("KERAS_HOME", str(PROJECT_ROOT / ".keras"))
ENV = dict(os.environ, TZ="UTC", KERAS_HOME=KERAS_HOME)


def run_parity(*args, cwd, timeout=600):
    # cwd matters: `python -m` puts it first on sys.path, ahead of PYTHONPATH
    return subprocess.run([sys.executable, "-m", "parity", *args], capture_output=True,
                          text=True, timeout=timeout, env=ENV, cwd=cwd)


def report_of(out) -> dict:
    return json.loads((out / "report.json").read_text())


def mutated_example(tmp_path, script: str, old: str, new: str):
    """A copy of the example with one line of one script changed; its spec path. The copy sits
    two levels under a folder whose r_reference links to the project's, as analysis.R expects."""
    root = tmp_path / "project"
    shutil.copytree(EXAMPLE, root / "examples" / EXAMPLE.name)
    (root / "r_reference").symlink_to(PROJECT_ROOT / "r_reference")
    path = root / "examples" / EXAMPLE.name / script
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} must occur once in {script}"
    path.write_text(text.replace(old, new))
    return path.parent / "spec.toml"


@pytest.fixture(scope="module")
def r_run(rscript, tmp_path_factory):
    """The honest R side with the smoke settings, run as the audit runs it."""
    out = tmp_path_factory.mktemp("example_r") / "r_run"
    cmd = AuditConfig.resolve(load_spec(SPEC), profile="smoke").side_command("r", out, None)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=PROJECT_ROOT,
                          env=dict(ENV, RETICULATE_PYTHON=r_python()))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out


def test_honest_pair_passes(rscript, tmp_path):
    out = tmp_path / "report"
    proc = run_parity("audit", "--spec", str(SPEC), "--profile", "smoke", "--out", str(out),
                      cwd=PROJECT_ROOT)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = report_of(out)
    assert report["summary"]["outcome"] == "pass" and report["summary"]["not_run"] == 0
    by = {c["name"]: c for c in report["checks"]}
    assert {c["group"] for c in report["checks"]} == {
        "data", "normalization", "model", "training", "predictions", "confusion", "grade"}
    assert by["model.layer_classes"]["r_value"] == ["Reshape", "Conv2D", "MaxPooling2D",
                                                    "Flatten", "Dense"]
    assert by["predictions.bit_identical_rows"]["python_value"] == 500
    assert by["training.loss_per_epoch"]["difference"] == {"abs": 0.0, "rel": 0.0}
    # the two-class caret call: prevalence 0.3 decides the predictive values, positive is "1"
    assert by["confusion.crossed.by_class.Prevalence"]["r_value"] == [0.3]
    assert by["confusion.crossed.by_class.Pos Pred Value"]["status"] == "pass"
    assert "'Positive' Class : 1" in (out / "r_run" / "confusion_matrix.txt").read_text()


PYTHON_CHANGES = {
    # caret without the prevalence: PPV and NPV from the table's own prevalence
    "prevalence dropped": (
        'cm = confusion_matrix(predicted_f, reference_f, positive="1", prevalence=0.3,',
        'cm = confusion_matrix(predicted_f, reference_f, positive="1",',
        "confusion.crossed.by_class.Pos Pred Value", "confusion"),
    # another optimizer: the same model trains to other weights
    "rmsprop": ('model.compile(optimizer="adam",', 'model.compile(optimizer="rmsprop",',
                "training.loss_per_epoch", "training"),
}


@pytest.mark.parametrize("change", list(PYTHON_CHANGES))
def test_python_side_change_fails(r_run, tmp_path, change):
    old, new, check, group = PYTHON_CHANGES[change]
    spec = mutated_example(tmp_path, "analysis.py", old, new)
    out = tmp_path / "report"
    proc = run_parity("audit", "--spec", str(spec), "--profile", "smoke", "--out", str(out),
                      "--r-run", str(r_run), cwd=PROJECT_ROOT)
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    failed = report_of(out)["summary"]["failed_checks"]
    assert check in failed and f"FAIL     {check}:" in proc.stdout, failed
    if group == "confusion":  # a caret change: everything before caret still passes
        assert all(name.startswith("confusion.") for name in failed), failed


def test_r_side_change_fails(rscript, tmp_path):
    # caret without positive = "1": its first level, "0", becomes the positive class
    spec = mutated_example(tmp_path, "analysis.R", 'positive = "1", prevalence = 0.3,',
                           "prevalence = 0.3,")
    out = tmp_path / "report"
    proc = run_parity("audit", "--spec", str(spec), "--profile", "smoke", "--out", str(out),
                      cwd=PROJECT_ROOT)
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    failed = report_of(out)["summary"]["failed_checks"]
    assert "confusion.crossed.by_class.Sensitivity" in failed, failed
    assert all(name.startswith("confusion.") for name in failed), failed
