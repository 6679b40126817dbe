"""The pytest plugin (parity.pytest_plugin): assert_caret_equal, the caret and r_session
fixtures, and ``pytest --parity-spec``, which collects an audit's checks as test items.

The --parity-spec tests run pytest in a subprocess on a tiny spec whose two sides are Python
scripts writing run directories with parity.contract.RunWriter (no training, about 2 s each).
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from dataclasses import replace

import numpy as np
import pytest

from parity.pytest_plugin import assert_caret_equal, caret_values
from python_impl.caret import NA, confusion_matrix

#: the environment before any test starts R: rpy2's embedded R adds R's LD_LIBRARY_PATH to
#: os.environ, which would make a child .venv Python load the system's libpython
ENV = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "GITHUB_STEP_SUMMARY")}
PRED = ["a", "b", "a", "c", "b", "a", "c", "c"]
REF = ["a", "b", "b", "c", "a", "a", "c", "b"]


# --------------------------------------------------------------------------- assert_caret_equal


def test_assert_caret_equal_accepts_port_and_values_on_either_side():
    cm = confusion_matrix(PRED, REF)
    assert_caret_equal(cm, cm)
    assert_caret_equal(cm, caret_values(cm))
    assert_caret_equal(caret_values(cm), cm)


def test_assert_caret_equal_lists_the_failing_rows():
    cm = confusion_matrix(PRED, REF)
    v = caret_values(cm)
    overall = v.overall.copy()
    overall[v.overall_names.index("Kappa")] *= 1 + 1e-9  # beyond relative 1e-12
    by_class = v.by_class.copy()
    by_class[1, v.by_class_names.index("F1")] = 0.5
    with pytest.raises(AssertionError) as err:
        assert_caret_equal(replace(v, overall=overall, by_class=by_class), cm, text=False)
    message = str(err.value)
    assert "differ in 2 of" in message
    assert "overall.Kappa" in message and "by_class.F1" in message
    assert "expected (R)" in message and "actual (Python)" in message
    assert "1e-12" in message  # the rule each row broke
    assert "Accuracy" not in message  # only the failing rows


def test_assert_caret_equal_tells_na_from_nan():
    cm = confusion_matrix([0, 1, 0, 1], [0, 1, 1, 0])
    v = caret_values(cm)
    i = v.overall_names.index("McnemarPValue")
    as_na, as_nan = v.overall.copy(), v.overall.copy()
    as_na[i], as_nan[i] = NA, float("nan")
    assert_caret_equal(replace(v, overall=as_na), replace(v, overall=as_na), text=False)
    with pytest.raises(AssertionError, match="overall.McnemarPValue +NA +NaN"):
        assert_caret_equal(replace(v, overall=as_nan), replace(v, overall=as_na), text=False)


def test_assert_caret_equal_refuses_other_types():
    with pytest.raises(TypeError, match="builtins.dict: expected a python_impl.caret.ConfusionMatrix"):
        assert_caret_equal({}, confusion_matrix(PRED, REF))


# --------------------------------------------------------------------------- fixtures (live R)


@pytest.mark.r
def test_caret_fixture_is_an_oracle_for_the_port(caret):
    expected = caret.confusion_matrix(PRED, REF, mode="everything")
    assert_caret_equal(confusion_matrix(PRED, REF, mode="everything"), expected)
    two = caret.confusion_matrix(["y", "n", "y", "y"], ["y", "n", "n", "y"], positive="y",
                                 prevalence=0.3)
    assert two.positive == "y" and two.prevalence == 0.3
    assert_caret_equal(confusion_matrix(["y", "n", "y", "y"], ["y", "n", "n", "y"], positive="y",
                                        prevalence=0.3), two)
    table = caret.from_table([[5, 1], [2, 7]], ["yes", "no"])
    assert table.levels == ["yes", "no"] and table.positive == "yes"


@pytest.mark.r
def test_rbridge_results_are_accepted_and_a_wrong_port_fails(caret, r_session):
    from parity.rules import rbridge

    res = rbridge.caret_from_labels(PRED, REF)
    assert_caret_equal(confusion_matrix(PRED, REF), res)
    with pytest.raises(AssertionError, match="table"):
        assert_caret_equal(confusion_matrix(PRED[::-1], REF), res, text=False)
    assert list(r_session.eval("c(1.5, NA)"))[0] == 1.5  # converted inside localconverter only
    assert type(r_session.r("c(1.5, 2)")).__name__ == "FloatVector"  # no global conversion


# --------------------------------------------------------------------------- --parity-spec

SIDE = '''\
"""One side of a tiny audit: a parity-run directory, no training."""
import argparse
import types

import numpy as np

from parity.contract import RunWriter

p = argparse.ArgumentParser(allow_abbrev=False)
p.add_argument("--side", required=True)
p.add_argument("--out", required=True)
p.add_argument("--seed", type=int, required=True)
p.add_argument("--epochs", type=int, required=True)
p.add_argument("--skew", action="store_true", help="one probability differs (a wrong port)")
p.add_argument("--layer", default="dense")
a = p.parse_args()
probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
if a.skew:
    probs[2] = [0.6000000001, 0.3999999999]
layer = types.SimpleNamespace(name=a.layer, output=types.SimpleNamespace(shape=(None, 2)),
                              count_params=lambda: 10)
with RunWriter(a.out, side=a.side, settings={"seed": a.seed, "epochs": a.epochs}) as w:
    w.history({"loss": [0.5 / (e + 1) for e in range(a.epochs)]})
    w.labels(test=np.array([0, 1, 1, 1]))
    w.predictions(probs)
    w.model(types.SimpleNamespace(layers=[layer]),
            f"{a.layer} (Dense)   (None, 2)   10\\nTotal params: 10")
'''


def _spec(tmp_path, *, python_args=(), groups=("training", "predictions", "model")) -> str:
    (tmp_path / "side.py").write_text(SIDE)
    spec = tmp_path / "tiny.toml"
    spec.write_text(textwrap.dedent(f"""\
        spec_version = 1
        name = "tiny"
        [sides.r]
        command = ["{{python}}", "{{spec_dir}}/side.py", "--side", "r", "--layer", "dense_1"]
        [sides.python]
        command = ["{{python}}", "{{spec_dir}}/side.py", "--side", "python", {", ".join(
            json.dumps(a) for a in python_args)}]
        [settings]
        seed = 7
        epochs = 2
        [profiles]
        default = {{}}
        one = {{ epochs = 1 }}
        [checks]
        groups = {json.dumps(list(groups))}
        """))
    return str(spec)


def _pytest(tmp_path, *args, env=None) -> subprocess.CompletedProcess:
    """pytest in a subprocess, in tmp_path (no project config there), with the plugin loaded
    from its entry point (or -p when this environment was installed before it existed)."""
    plugin = [] if any(ep.value == "parity.pytest_plugin"
                       for ep in importlib.metadata.entry_points(group="pytest11")) \
        else ["-p", "parity.pytest_plugin"]
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *plugin, *args],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env={**ENV, **(env or {})})


def test_the_plugin_is_registered_as_an_entry_point():
    eps = {ep.name: ep.value for ep in importlib.metadata.entry_points(group="pytest11")}
    assert eps.get("parity") == "parity.pytest_plugin"


def test_checks_become_items_and_a_failing_check_fails_its_item(tmp_path):
    spec = _spec(tmp_path, python_args=["--skew"])
    proc = _pytest(tmp_path, "--parity-spec", spec, "--parity-out", "audit", "--junitxml", "j.xml",
                   "-rA")
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    report = json.loads((tmp_path / "audit" / "report.json").read_text())
    n = len(report["checks"])  # (other groups may add checks: counted, not assumed)
    assert f"2 failed, {n - 2} passed" in out
    assert "FAILED tiny.toml::predictions.probabilities_max_abs_diff" in out
    assert "FAILED tiny.toml::predictions.bit_identical_rows" in out
    assert "PASSED tiny.toml::predictions.class_agreement" in out
    assert "PASSED tiny.toml::model.layer_names" in out  # info: a pass by default
    # the failure shows the check's values, difference and rule
    assert "Python:     [[0.9, 0.1], [0.2, 0.8], [0.6000000001, 0.3999999999]" in out
    assert 'difference: {"abs": 1.000000082740371e-10, "rel": 2.5000002068509275e-10}' in out
    assert "rule:       exact (bit-identical; NaN equals only NaN)" in out
    assert "FAIL: " in out and " passed, 2 failed, 0 not run, " in out
    # the audit's reports are written once, as by `parity audit`
    assert report["summary"]["failed_checks"] == ["predictions.probabilities_max_abs_diff",
                                                  "predictions.bit_identical_rows"]
    # --junitxml: one testcase per check, named by the check
    cases = {c.get("name"): c for c in ET.parse(tmp_path / "j.xml").getroot().iter("testcase")}
    assert set(cases) == {c["name"] for c in report["checks"]}
    assert cases["predictions.bit_identical_rows"].find("failure") is not None
    assert cases["training.loss_per_epoch"].find("failure") is None
    # the audit's own junit.xml: a <testsuites> root, settings and versions as <properties>
    root = ET.parse(tmp_path / "audit" / "junit.xml").getroot()
    assert root.tag == "testsuites" and root.get("tests") == str(n) and root.get("failures") == "2"
    suite = root.find("testsuite")
    assert suite.get("name") == "parity-audit.tiny" and suite.get("tests") == str(n)
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert props["spec"] == "tiny" and props["settings.epochs"] == "2" and props["outcome"] == "fail"
    assert props["parallel"] == "true" and "durations_s.total_s" in props
    assert len(suite.findall("testcase")) == n


def test_honest_sides_pass_and_k_selects_checks(tmp_path):
    spec = _spec(tmp_path)
    summary = tmp_path / "step_summary.md"
    summary.write_text("earlier step\n")
    proc = _pytest(tmp_path, "--parity-spec", spec, "--parity-out", "audit", "--parity-profile",
                   "one", "-k", "training.settings or training.loss_per_epoch", "-v",
                   env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "tiny.toml::training.settings PASSED" in proc.stdout
    assert "tiny.toml::training.loss_per_epoch PASSED" in proc.stdout
    assert "2 passed, " in proc.stdout and " deselected" in proc.stdout
    report = json.loads((tmp_path / "audit" / "report.json").read_text())
    assert report["config"]["profile"] == "one" and report["config"]["settings"]["epochs"] == 1
    # in a GitHub Actions step, report.md is appended to the job summary
    markdown = (tmp_path / "audit" / "report.md").read_text()
    assert summary.read_text() == "earlier step\n" + markdown.rstrip("\n") + "\n\n"


def test_not_run_fails_and_info_can_skip(tmp_path):
    # "confusion" needs caret's results, which neither side wrote: not run, never a pass
    spec = _spec(tmp_path, groups=("model", "confusion"))
    proc = _pytest(tmp_path, "--parity-spec", spec, "--parity-out", "audit", "--parity-info", "skip",
                   "-rfs")
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    assert "FAILED tiny.toml::confusion.crossed" in out
    assert "confusion.crossed: NOT RUN (a required check that did not run is never a pass)" in out
    assert "reason:     not in the run artifacts: R confusion, Python confusion" in out
    assert "SKIPPED [1] tiny.toml: informational: Keras names layers" in out


def test_collect_only_and_markers(tmp_path):
    spec = _spec(tmp_path)
    proc = _pytest(tmp_path, "--parity-spec", spec, "--parity-out", "audit", "--co", "-q",
                   "-m", "parity_check", "--strict-markers")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "tiny.toml::model.layer_count" in proc.stdout
    n = len(json.loads((tmp_path / "audit" / "report.json").read_text())["checks"])
    assert f"{n} tests collected" in proc.stdout


def test_xdist_runs_the_audit_once(tmp_path):
    """With pytest-xdist (optional) the controller runs the audit; the workers read its checks."""
    pytest.importorskip("xdist", reason="pytest-xdist is not installed (optional)")
    spec = _spec(tmp_path, python_args=["--skew"])
    proc = _pytest(tmp_path, "--parity-spec", spec, "--parity-out", "audit", "-n", "2")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    n = len(json.loads((tmp_path / "audit" / "report.json").read_text())["checks"])
    assert f"2 failed, {n - 2} passed" in proc.stdout


def test_usage_errors_name_the_value(tmp_path):
    spec = _spec(tmp_path)
    proc = _pytest(tmp_path, "--parity-spec", spec, "--parity-profile", "nope")
    assert proc.returncode == 4
    assert "--parity-spec: --profile nope: expected one of default, one" in proc.stderr
    proc = _pytest(tmp_path, "--parity-spec", str(tmp_path / "missing.toml"))
    assert proc.returncode == 4 and "no such file" in proc.stderr
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "x").write_text("")
    proc = _pytest(tmp_path, "--parity-spec", spec, "--parity-out", "taken")
    assert proc.returncode != 0
    assert "could not run: --out" in proc.stdout and "exists and is not an empty directory" in proc.stdout


def test_without_parity_spec_nothing_changes(tmp_path):
    (tmp_path / "test_x.py").write_text("def test_x(caret_values=None):\n    assert True\n")
    proc = _pytest(tmp_path, "-q")
    assert proc.returncode == 0 and "1 passed" in proc.stdout, proc.stdout + proc.stderr
    assert not (tmp_path / "reports").exists()
    assert "parity" not in proc.stdout


def test_numpy_arrays_pass_through_caret_values():
    v = caret_values(confusion_matrix(PRED, REF))
    assert isinstance(v.table, np.ndarray) and v.levels == ["a", "b", "c"]
