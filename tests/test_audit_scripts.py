"""``parity audit --r X.R --python X.py``: two scripts audited as they are, captured (issue 24),
with real Rscript, R keras, caret, TensorFlow and scikit-learn.

The pair is examples/iris_mlp's scripts as written, copied with their data into a temporary
folder; the port also computes two statistics with scikit-learn, as ports often do, which the
report maps to caret's.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from parity.paths import CHECKOUT
from parity.presentation.cli import main

pytestmark = [pytest.mark.r, pytest.mark.slow]
PAIR = CHECKOUT / "examples" / "iris_mlp"
SKLEARN_LINES = '''
from sklearn.metrics import accuracy_score, f1_score
print("accuracy", accuracy_score(reference, predicted_species))
print("F1 per class", f1_score(reference, predicted_species, average=None))
'''


def _pair(folder: Path, *, port_edit=None, port_tail: str = SKLEARN_LINES) -> tuple[Path, Path]:
    folder.mkdir()
    shutil.copy(PAIR / "as_written.R", folder / "analysis.R")
    shutil.copy(PAIR / "iris.csv", folder / "iris.csv")
    port = (PAIR / "as_written.py").read_text()
    if port_edit is not None:
        old, new = port_edit
        assert old in port
        port = port.replace(old, new)
    (folder / "analysis.py").write_text(port + port_tail)
    return folder / "analysis.R", folder / "analysis.py"


def _audit(tmp_path, r, py, *extra) -> tuple[int, dict]:
    out = tmp_path / "report"
    status = main(["audit", "--r", str(r), "--python", str(py), "--epochs", "2", "--out", str(out),
                   "--quiet", *extra])
    report = json.loads((out / "report.json").read_text()) if (out / "report.json").exists() else {}
    return status, report


def _checks(report) -> dict[str, dict]:
    return {c["name"]: c for c in report["checks"]}


def test_two_scripts_audit_pass_and_the_ports_statistics_are_mapped_to_caret(tmp_path, monkeypatch):
    r, py = _pair(tmp_path / "pair")
    monkeypatch.chdir(tmp_path)  # the scripts run from where the audit is started
    status, report = _audit(tmp_path, r, py)
    checks = _checks(report)
    assert status == 0, [n for n, c in checks.items() if c["status"] == "fail"]
    assert checks["calls.sequence"]["r_value"] == ["compile", "fit", "predict",
                                                   "caret confusionMatrix"]
    assert checks["normalization.train.pixels"]["status"] == "pass"  # where x entered fit()
    assert checks["predictions.probabilities_max_abs_diff"]["status"] == "pass"
    assert checks["evaluation.recorded"]["status"] == "info"  # neither script evaluates
    accuracy = [c for n, c in checks.items() if n.endswith("accuracy_score.Accuracy")]
    assert len(accuracy) == 1 and accuracy[0]["status"] == "info"
    assert accuracy[0]["r_value"] == pytest.approx(accuracy[0]["python_value"], abs=0)
    assert accuracy[0]["difference"]["same_as_caret"] is True
    f1 = [c for n, c in checks.items() if ".f1_score.F1." in n]
    assert len(f1) == 3, list(checks)  # one per class, beside caret's F1 of that class


def test_a_one_line_porting_bug_fails_at_its_check(tmp_path, monkeypatch):
    r, py = _pair(tmp_path / "pair", port_edit=("batch_size=16", "batch_size=32"), port_tail="")
    monkeypatch.chdir(tmp_path)
    status, report = _audit(tmp_path, r, py)
    checks = _checks(report)
    assert status == 1
    batch = checks["calls.fit.1.batch_size"]
    assert (batch["status"], batch["r_value"], batch["python_value"]) == ("fail", 16, 32)
    assert checks["training.loss_per_epoch"]["status"] == "fail"
    assert checks["calls.sequence"]["status"] == "pass"


def test_a_failing_script_names_its_side_what_was_captured_and_the_log(tmp_path, monkeypatch, capsys):
    r, py = _pair(tmp_path / "pair", port_tail='\nraise RuntimeError("the port stops here")\n')
    monkeypatch.chdir(tmp_path)
    status, report = _audit(tmp_path, r, py)
    err = capsys.readouterr()
    text = err.out + err.err + json.dumps(report)
    assert status in (1, 2)
    assert "the port stops here" in text
    assert "failed after 4 captured calls: compile (keras), fit (keras), predict (keras)" in text
    assert "python_run.log" in text


def test_usage_errors_name_the_value(tmp_path, capsys):
    r, py = _pair(tmp_path / "pair")
    assert main(["audit", "--r", str(r)]) == 2
    assert "--r and --python go together" in capsys.readouterr().err
    assert main(["audit", "--r", str(py), "--python", str(py)]) == 2
    assert "expected an R script" in capsys.readouterr().err
    assert main(["audit", "--r", str(r), "--python", str(py), "--setting", "x"]) == 2
    assert "--setting 'x': expected NAME=VALUE" in capsys.readouterr().err
    assert main(["audit", "--r", str(r), "--python", str(py), "--spec", "s.toml"]) == 2
    assert "without --spec" in capsys.readouterr().err
    assert main(["audit", "--r", str(r), "--python", str(py), "--seeds", "3"]) == 2
    assert "--seeds 3: not available for captured sides" in capsys.readouterr().err
