"""The audit end to end (R included), its reports, and proof that it can fail.

Each deliberate defect is applied to a copy of the Python port; the audit, run against one
shared R run, must then fail and name the check that caught it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from parity.paths import PROJECT_ROOT

pytestmark = pytest.mark.r
KERAS_HOME = os.environ.get("KERAS_HOME", str(PROJECT_ROOT / ".keras"))


def run_parity(*args, env_extra=None, cwd=None, timeout=900):
    # cwd matters: `python -m` puts it first on sys.path, ahead of PYTHONPATH
    env = dict(os.environ, TZ="UTC", KERAS_HOME=KERAS_HOME, **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "parity", *args], capture_output=True,
                          text=True, timeout=timeout, env=env, cwd=cwd)


@pytest.fixture(scope="module")
def smoke_report(rscript, tmp_path_factory):
    out = tmp_path_factory.mktemp("audit") / "report"
    proc = run_parity("audit", "--profile", "smoke", "--out", str(out))
    return out, proc


def test_smoke_audit_passes(smoke_report):
    out, proc = smoke_report
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "PASS:" in proc.stdout
    assert "[R] epoch 1/1" in proc.stdout and "[Python] epoch 1/1" in proc.stdout  # not a TTY


def test_report_json_schema(smoke_report):
    text = (smoke_report[0] / "report.json").read_text()
    report = json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in report.json"))
    assert report["schema_version"] == 2
    assert report["summary"]["outcome"] == "pass" and report["summary"]["fail"] == 0
    assert report["config"]["profile"] == "smoke" and report["config"]["spec"] == "tutorial"
    fields = {"name", "group", "r_value", "python_value", "difference", "rule", "status",
              "reason", "required"}
    names = [c["name"] for c in report["checks"]]
    assert len(names) == len(set(names))
    for c in report["checks"]:
        assert set(c) == fields and c["status"] in {"pass", "fail", "not_run", "info"}
    by = {c["name"]: c for c in report["checks"]}
    assert by["model.total_params"]["r_value"] == by["model.total_params"]["python_value"] == 111146
    assert by["predictions.probabilities_max_abs_diff"]["difference"] == {"abs": 0.0, "rel": 0.0}
    assert by["predictions.class_agreement"]["python_value"] == 500
    assert by["data.train_images.type"]["r_value"] == "integer"
    assert by["data.train_images.type"]["python_value"] == "uint8"
    assert by["normalization.test.pixels"]["status"] == "pass"
    assert "dropout_3" in by["published.printed_summary"]["reason"]
    assert by["published.accuracy_vs_published"]["status"] == "info"
    assert by["published.r_caret_reproduces_figures"]["status"] == "pass"
    assert by["published.port_reproduces_figures"]["status"] == "pass"
    for side in ("r_predictions", "python_predictions", "crossed"):
        assert by[f"confusion.{side}.overall.Kappa"]["status"] == "pass"
        assert by[f"confusion.{side}.overall.McnemarPValue"]["status"] == "pass"
        assert by[f"confusion.{side}.by_class.Balanced Accuracy"]["status"] == "pass"
    # the normalized images (large) were compared, then dropped; the run stays readable
    from parity.contract import read_run

    assert read_run(smoke_report[0] / "r_run").normalized == {}


def test_reports_complete_and_junit_counts(smoke_report):
    out = smoke_report[0]
    for name in ("report.json", "report.md", "report.html", "junit.xml"):
        assert (out / name).stat().st_size > 0
    root = ET.parse(out / "junit.xml").getroot()
    report = json.loads((out / "report.json").read_text())
    assert root.tag == "testsuites"
    suite = root.find("testsuite")
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert props["profile"] == "smoke" and "versions.r.caret" in props
    assert len(suite.findall("testcase")) == len(report["checks"]) == int(suite.get("tests"))
    assert suite.get("failures") == "0" and suite.get("errors") == "0"
    assert "Outcome: PASS" in (out / "report.md").read_text()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no temp dirs left


def test_html_opens_in_headless_chromium(smoke_report, tmp_path):
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("chromium not installed (apt-get install chromium)")
    html = smoke_report[0] / "report.html"
    text = html.read_text()
    assert "data:image/png;base64," in text and "src=\"http" not in text  # self-contained
    shot = tmp_path / "report.png"
    proc = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,2000",
         "--enable-logging=stderr", "--v=0", f"--screenshot={shot}", html.as_uri()],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20000
    assert "Uncaught" not in proc.stderr and "Not allowed to load local resource" not in proc.stderr


def test_usage_errors_exit_2(tmp_path):
    from parity.cli import main

    assert main(["audit", "--profile", "huge"]) == 2
    for argv, message in (
            (["--epochs", "0"], "epochs = 0"),
            (["--seed", "4294967296"], "seed = 4294967296"),
            (["--out", str(tmp_path / "no" / "such")], "does not exist"),
            (["--out", "."], "expected a new directory name"),
            (["--r-run", str(tmp_path / "nothing")], "no run.json"),
            (["--spec", str(tmp_path / "none.toml")], "no such file")):
        proc = run_parity("audit", "--profile", "smoke", *argv)
        assert proc.returncode == 2 and message in proc.stderr, (argv, proc.stderr)
        assert "Traceback" not in proc.stderr


def test_doctor_lists_components():
    proc = run_parity("doctor")
    assert proc.returncode == 0, proc.stdout
    for component in ("R (Rscript)", "caret", "e1071", "reticulate", "R keras (library(keras))",
                      "pROC", "rpy2", "TensorFlow", "Keras", "KERAS_HOME", "t10k-images-idx3-ubyte.gz"):
        assert component in proc.stdout


# --------------------------------------------------------------------------- defects

DEFECTS = {
    "one_dropout_fewer": ("model.py", '    ("Dropout", 0.1),\n    ("Dropout", 0.1),\n',
                          '    ("Dropout", 0.1),\n', "model.layer_count"),
    "normalize_by_256": ("data.py", "return images / 255.0", "return images / 256.0",
                         "normalization.test.pixels"),
    "sgd_optimizer": ("model.py", 'optimizer: str = "adam"', 'optimizer: str = "sgd"',
                      "training.loss_per_epoch"),
    "kappa_missing_a_term": ("caret/confusion.py", "pc = rnum.sum((ni / n) * (nj / n))",
                             "pc = rnum.sum((ni[1:] / n) * (nj[1:] / n))",
                             "confusion.crossed.overall.Kappa"),
    # the tutorial's own table cannot show it (its McNemar is NA): the battery does
    "bowker_one_df_too_many": ("caret/confusion.py",
                               "return np.float64(special.chdtrc(k * (k - 1) / 2, stat))",
                               "return np.float64(special.chdtrc(k * (k - 1) / 2 + (k > 2), stat))",
                               "battery.bowker_3x3"),
    "one_based_classes": ("model.py", "return proba.argmax(axis=-1).astype(np.int64)",
                          "return proba.argmax(axis=-1).astype(np.int64) + 1",
                          "predictions.python_classes_within_levels"),
}


@pytest.fixture(scope="module")
def shared_r_run(rscript, tmp_path_factory):
    from conftest import TUTORIAL

    from parity.config import AuditConfig

    out = tmp_path_factory.mktemp("r_shared") / "r_run"
    cmd = AuditConfig.resolve(TUTORIAL, profile="smoke").side_command("r", out, None)
    from parity.orchestration.sides import r_python

    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, TZ="UTC", RETICULATE_PYTHON=r_python()))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_defect_is_caught(defect, shared_r_run, tmp_path):
    filename, old, new, check = DEFECTS[defect]
    copy = tmp_path / "port"
    shutil.copytree(PROJECT_ROOT / "python_impl", copy / "python_impl")
    (copy / "r_reference").symlink_to(PROJECT_ROOT / "r_reference")
    target = copy / "python_impl" / filename
    source = target.read_text()
    assert old in source, f"defect {defect} no longer applies to {filename}"
    target.write_text(source.replace(old, new, 1))
    out = tmp_path / "report"
    proc = run_parity("audit", "--profile", "smoke", "--r-run", str(shared_r_run), "--out", str(out),
                      env_extra={"PYTHONPATH": str(copy), "PARITY_R_PYTHON": sys.executable},
                      cwd=copy)
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-2000:]
    report = json.loads((out / "report.json").read_text())
    assert report["summary"]["outcome"] == "fail"
    assert check in report["summary"]["failed_checks"], report["summary"]["failed_checks"]
    assert f"FAIL     {check}" in proc.stdout


def test_clean_copy_passes_against_shared_r_run(shared_r_run, tmp_path):
    """The control: the same procedure without a defect passes, so the defects are what fail."""
    copy = tmp_path / "port"
    shutil.copytree(PROJECT_ROOT / "python_impl", copy / "python_impl")
    (copy / "r_reference").symlink_to(PROJECT_ROOT / "r_reference")
    proc = run_parity("audit", "--profile", "smoke", "--r-run", str(shared_r_run), "--out",
                      str(tmp_path / "report"), "--quiet",
                      env_extra={"PYTHONPATH": str(copy), "PARITY_R_PYTHON": sys.executable},
                      cwd=copy)
    assert proc.returncode == 0, proc.stdout[-3000:]
