"""The verdict's rules, each with a test that fails when the rule breaks, and ``--margin``
reaching every graded verdict it documents (``parity audit`` and ``parity compare``).

The runs are synthetic (the contract's writer, 2,000 test rows, no training): grading is a pure
function of two run records. The audits below run the real command line on a spec whose sides
copy a prepared run directory (the R side through ``--r-run``), so no side trains.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from parity.checks import build_checks
from parity.checks.grading import grade_runs
from parity.cli import main
from parity.config import AuditConfig, load_spec
from parity.contract import RunWriter, read_run
from parity.orchestration.result import AuditResult
from parity.rules.grades import DEFAULT_MARGIN, GRADES, NOT_COMPARED, REQUIRE, meets
from python_impl.caret import confusion_matrix

N, K = 2000, 10


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture(scope="module")
def model():
    """Test labels, about 80% accurate probabilities, and a history."""
    rng = np.random.default_rng(7)
    labels = rng.integers(0, K, N).astype(np.uint8)
    logits = rng.normal(size=(N, K))
    logits[np.arange(N), labels] += 2.5
    return labels, _softmax(logits), {"loss": np.array([0.9, 0.6]), "accuracy": np.array([0.7, 0.8])}


def _flipped(labels, probs, n: int):
    """``n`` right rows made wrong and ``n`` wrong rows made right: the same accuracy, a paired
    difference no test calls significant, and an accuracy CI of about +-0.02."""
    rng = np.random.default_rng(3)
    p = probs.copy()
    pred = p.argmax(axis=1)
    right, wrong = np.flatnonzero(pred == labels), np.flatnonzero(pred != labels)
    for rows, target in ((rng.choice(right, n, replace=False), lambda i: (int(labels[i]) + 1) % K),
                         (rng.choice(wrong, n, replace=False), lambda i: int(labels[i]))):
        for i in rows:
            top, c = int(p[i].argmax()), target(i)
            p[i, top], p[i, c] = p[i, c], p[i, top]
    return p


def write_run(path: Path, side: str, labels, probs, history, *, predictions=True) -> Path:
    with RunWriter(path, side=side, settings={"seed": 42}) as w:
        w.history(history)
        w.labels(test=labels)
        if predictions:
            predicted = probs.argmax(axis=1)
            w.predictions(probs, predicted)
            cm = confusion_matrix(predicted.astype(np.int64), labels.astype(np.int64))
            w.caret(cm, data=predicted, reference=labels)
    return path


@pytest.fixture(scope="module")
def runs(model, tmp_path_factory):
    """An R run and two Python runs: one bit-identical to it, one with 150 + 150 rows flipped
    (graded "different" at the default margin, "equivalent" at 0.05)."""
    labels, probs, history = model
    root = tmp_path_factory.mktemp("runs")
    return {"r": write_run(root / "r", "r", labels, probs, history),
            "same": write_run(root / "same", "python", labels, probs.copy(), history),
            "flipped": write_run(root / "flipped", "python", labels, _flipped(labels, probs, 150),
                                 history),
            "no_predictions": write_run(root / "no_predictions", "python", labels, probs, history,
                                        predictions=False)}


SPEC = """\
spec_version = 1
name = "copied"
[sides.r]
command = ["{python}", "{spec_dir}/copy_run.py", "%(r)s"]
[sides.python]
command = ["{python}", "{spec_dir}/copy_run.py", "%(python)s"]
[settings]
seed = 42
[checks]
groups = ["predictions"]
"""

COPY_RUN = """\
import shutil, sys
source, out = sys.argv[1], sys.argv[sys.argv.index("--out") + 1]
shutil.copytree(source, out)
"""


def _spec(tmp_path: Path, r: Path, python: Path) -> Path:
    (tmp_path / "copy_run.py").write_text(COPY_RUN)
    path = tmp_path / "spec.toml"
    path.write_text(SPEC % {"r": r, "python": python})
    return path


def _audit(tmp_path: Path, runs, python: str, *options: str) -> int:
    spec = _spec(tmp_path, runs["r"], runs[python])
    out = tmp_path / f"report{len(list(tmp_path.glob('report*')))}"
    return main(["audit", "--spec", str(spec), "--r-run", str(runs["r"]), "--out", str(out),
                 *options])


# --------------------------------------------------------------------------- the margin


def test_the_margin_has_one_default():
    assert DEFAULT_MARGIN == 0.01
    assert AuditConfig.resolve(load_spec()).margin == DEFAULT_MARGIN
    from parity.checks.grading import Equivalence

    assert Equivalence().margin == DEFAULT_MARGIN


def test_the_margin_changes_the_graded_verdict_of_an_audit(tmp_path, runs, capsys):
    # the same pair of runs: not shown equivalent within 0.01, equivalent within 0.05
    assert _audit(tmp_path, runs, "flipped", "--require", "equivalent") == 1
    out = capsys.readouterr().out
    assert "FAIL     grade.predictions" in out and "not shown equivalent" in out
    assert _audit(tmp_path, runs, "flipped", "--require", "equivalent", "--margin", "0.05") == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("PASS")


def test_the_margin_reaches_the_grade_checks(runs):
    spec = load_spec()
    spec = dataclasses.replace(spec, groups=("predictions",))
    r, py = read_run(runs["r"]), read_run(runs["flipped"])
    for margin, grade in ((0.01, "different"), (0.05, "equivalent")):
        config = AuditConfig.resolve(spec, require="equivalent", margin=margin)
        checks = {c.name: c for c in build_checks(config, r, py, {})}
        assert checks["grade.predictions"].r_value == grade, margin
        assert f"+-{margin:g}" in checks["grade.predictions"].reason


def test_the_margin_changes_the_graded_verdict_of_compare(runs, capsys):
    argv = ["compare", str(runs["r"]), str(runs["flipped"]), "--require", "equivalent"]
    assert main(argv) == 1
    assert re.search(r"^FAIL predictions +different", capsys.readouterr().out, re.M)
    assert main([*argv, "--margin", "0.05"]) == 0
    assert re.search(r"^ok +predictions +equivalent", capsys.readouterr().out, re.M)


def test_one_margin_option(capsys):
    assert main(["compare", "a", "b", "--tost-margin", "0.02"]) == 2  # folded into --margin
    assert "unrecognized arguments: --tost-margin" in capsys.readouterr().err
    for command in ("audit", "compare"):
        assert main([command, "--help"]) == 0
        assert f"default {DEFAULT_MARGIN}" in " ".join(capsys.readouterr().out.split())


# --------------------------------------------------------------------------- the rules


def test_grades_are_ordered_and_require_accepts_a_prefix_of_them():
    for require, worst in REQUIRE.items():
        accepted = [g for g in GRADES if meets(g, require)]
        assert accepted == list(GRADES[:GRADES.index(worst) + 1])
    assert not meets("different", "equivalent")


def test_a_group_not_compared_meets_no_requirement(runs):
    assert not any(meets(NOT_COMPARED, require) for require in REQUIRE)
    v = grade_runs(read_run(runs["r"]), read_run(runs["no_predictions"]))
    assert v.groups["predictions"].grade == NOT_COMPARED
    assert v.grade == NOT_COMPARED  # it decides the overall grade, whatever the others are
    assert not any(v.meets(require) for require in REQUIRE)


def test_a_group_not_compared_fails_the_audit(tmp_path, runs, capsys):
    assert _audit(tmp_path, runs, "no_predictions", "--require", "equivalent") == 1
    out = capsys.readouterr().out
    assert "grade.predictions" in out and out.splitlines()[-1].startswith("FAIL")


def test_the_overall_grade_is_the_worst_group(runs):
    v = grade_runs(read_run(runs["r"]), read_run(runs["flipped"]))
    assert v.grade == max((g.grade for g in v.groups.values()), key=GRADES.index) == "different"
    assert v.groups["training"].grade == "bit-identical"  # one good group does not lift it


def _result(checks) -> AuditResult:
    return AuditResult(AuditConfig.resolve(load_spec()), checks, "", {}, {})


def _check(name, status, required=True):
    from parity.checks import Check

    return Check(name, name.split(".")[0], None, None, None, "rule", status, "", required)


def test_not_run_is_never_a_pass():
    result = _result([_check("data.a", "pass"), _check("data.b", "not_run")])
    assert not result.passed and result.summary()["failed_checks"] == ["data.b"]


def test_an_informational_check_never_decides():
    result = _result([_check("data.a", "pass"), _check("model.layer_names", "info", required=False),
                      _check("grade.training", "fail", required=False)])
    assert result.passed and result.summary()["outcome"] == "pass"


def test_exact_keeps_the_grades_informational_and_the_exact_checks_required(runs):
    spec = dataclasses.replace(load_spec(), groups=("predictions",))
    r, py = read_run(runs["r"]), read_run(runs["flipped"])
    checks = {c.name: c for c in build_checks(AuditConfig.resolve(spec), r, py, {})}
    assert checks["grade.predictions"].status == "info" and not checks["grade.predictions"].required
    assert checks["predictions.class_agreement"].required
    assert checks["predictions.class_agreement"].status == "fail"


def test_a_graded_requirement_replaces_only_the_exact_checks_of_training_results(runs):
    spec = dataclasses.replace(load_spec(), groups=("predictions",))
    r, py = read_run(runs["r"]), read_run(runs["flipped"])
    config = AuditConfig.resolve(spec, require="equivalent", margin=0.05)
    checks = {c.name: c for c in build_checks(config, r, py, {})}
    assert not checks["predictions.class_agreement"].required  # graded instead
    assert "graded instead" in checks["predictions.class_agreement"].reason
    assert checks["predictions.python_classes_within_levels"].required  # stays required
    assert all(checks[f"grade.{g}"].required for g in ("training", "predictions", "confusion"))


def test_a_missing_side_is_not_compared_and_never_meets_a_requirement(runs):
    spec = dataclasses.replace(load_spec(), groups=("predictions",))
    config = AuditConfig.resolve(spec, require="numeric")
    checks = build_checks(config, read_run(runs["r"]), None, {"python": "it crashed"})
    by_name = {c.name: c for c in checks}
    assert by_name["predictions.compared"].status == "not_run"
    assert by_name["grade.compared"].status == "not_run" and by_name["grade.compared"].required
    assert not _result(checks).passed


def test_the_spec_copy_side_is_a_plain_copy(tmp_path, runs):
    """(The audits above depend on it: a side that copies its run writes it unchanged.)"""
    (tmp_path / "copy_run.py").write_text(COPY_RUN)
    import subprocess

    subprocess.run([sys.executable, str(tmp_path / "copy_run.py"), str(runs["r"]), "--out",
                    str(tmp_path / "out"), "--seed", "42"], check=True)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == \
        sorted(p.name for p in runs["r"].iterdir())
    shutil.rmtree(tmp_path / "out")
