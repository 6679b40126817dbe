"""Fault injection for the audit's sides, with real processes, files and signals: a side that
fails shows its own error (R's ``Error`` lines, the end of a Python traceback, a signal) and its
log; a side that cannot run because of its environment or inputs (a missing module, a damaged
checkpoint) is exit 2 with the fix, its finished work kept; a resumed audit says how each side
got its run, and records each side's command line; a failed check shows its values; the
``r_run/`` of an earlier report is refused as ``--r-run``; ``R_HOME`` pointing nowhere and an
empty ``KERAS_HOME`` are named or treated as unset.

Most cases use a tiny pair (a few lines of R and Python writing the run-artifact contract), so
that each costs seconds, not a training run.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_faults import ENV, keras3_only, no_traceback, parity

from parity.paths import PROJECT_ROOT, R_REFERENCE

#: start-up chatter a side prints before failing; never shown as the cause
CHATTER = "2026-11-29 22:00:00.000000: I tensorflow/core/platform/cpu_feature_guard.cc:1] hello"


def tiny_pair(tmp_path: Path, *, r_body: str = "", py_body: str = "", rows: int = 2,
              groups=("data", "normalization"), r_cmd=None) -> Path:
    """A spec whose sides write a tiny run each (data facts, labels, one normalized array):
    ``r_body``/``py_body`` run first (a fault); ``rows`` is the Python side's data dim (2:
    as R's)."""
    d = tmp_path / "pair"
    d.mkdir()
    (d / "tiny.R").write_text(f"""
source("{R_REFERENCE}/parity_run.R")
opts <- parity_args(commandArgs(TRUE), settings = list(seed = 1L, save_normalized = FALSE))
for (i in 1:30) cat("{CHATTER}", i, "\\n")
{r_body}
run <- parity_run_open(opts$out, settings = opts$settings)
parity_run_data(run, "train_images", matrix(0L, 2, 2), full_dim = c(2L, 2L))
parity_run_labels(run, train = c(1L, 2L), test = c(0L, 1L))
parity_run_normalization(run, "train", c(0, 51, 102, 255) / 255, save = opts$settings$save_normalized)
parity_run_close(run)
""")
    (d / "tiny.py").write_text(f"""
import argparse
import numpy as np
for i in range(30):
    print("{CHATTER}", i, flush=True)
{py_body}
from parity.contract import RunWriter
p = argparse.ArgumentParser()
p.add_argument("--out")
p.add_argument("--seed", type=int)
p.add_argument("--save-normalized", action="store_true")
a = p.parse_args()
with RunWriter(a.out, side="python", settings={{"seed": a.seed, "save_normalized": a.save_normalized}}) as w:
    w.data("train_images", np.zeros(({rows}, 2), np.uint8), full_shape=(2, 2))
    w.labels(train=np.array([1, 2], np.uint8), test=np.array([0, 1], np.uint8))
    w.normalization("train", np.array([0, 51, 102, 255]) / 255, save=a.save_normalized)
""")
    r_cmd = r_cmd or ["Rscript", "{spec_dir}/tiny.R"]
    (d / "spec.toml").write_text(f"""spec_version = 1
name = "tiny"
[sides.r]
command = {json.dumps(r_cmd)}
[sides.python]
command = ["{{python}}", "{{spec_dir}}/tiny.py"]
[settings]
seed = 1
save_normalized = true
[checks]
groups = {json.dumps(list(groups))}
""")
    return d / "spec.toml"


def report_of(directory: Path) -> dict:
    return json.loads((directory / "report.json").read_text())


# --------------------------------------------------------------------------- a side's error


@pytest.mark.r
def test_a_failing_side_shows_its_error_and_its_log(rscript, tmp_path):
    spec = tiny_pair(tmp_path, r_body="x <- undefined_variable_h25 + 1",
                     py_body="ratio = 1 / 0  # a plain bug")
    proc = parity("audit", "--spec", spec, "--out", tmp_path / "report")
    partial = tmp_path / ".report.partial"
    assert proc.returncode == 1 and no_traceback(proc), proc.stderr[-3000:]
    err = proc.stderr
    assert "Error: object 'undefined_variable_h25' not found" in err
    assert "ratio = 1 / 0" in err and "ZeroDivisionError: division by zero" in err
    assert f"(its log: {partial / 'r_run.log'})" in err and f"(its log: {partial / 'python_run.log'})" in err
    assert "cpu_feature_guard" not in err + proc.stdout  # the chatter is not the cause
    # the report says the same, and the logs hold everything
    reasons = " ".join(c["reason"] for c in report_of(partial)["checks"])
    assert "object 'undefined_variable_h25' not found" in reasons
    assert "cpu_feature_guard" in (partial / "r_run.log").read_text()


def test_a_missing_python_module_is_exit_2_with_the_fix(tmp_path):
    """No R needed: the R side is a command that writes nothing (its absence is named too)."""
    spec = tiny_pair(tmp_path, py_body="import no_such_module_h25",
                     r_cmd=["{python}", "-c", "import sys; sys.exit(3)"])
    proc = parity("audit", "--spec", spec, "--out", tmp_path / "report")
    partial = tmp_path / ".report.partial"
    assert proc.returncode == 2 and no_traceback(proc), proc.stderr[-3000:]
    assert "ModuleNotFoundError: No module named 'no_such_module_h25'" in proc.stderr
    assert "fix: install the Python module 'no_such_module_h25'" in proc.stderr
    assert f"(its log: {partial / 'python_run.log'})" in proc.stderr
    assert "R side exited with status 3" in proc.stderr  # the other side is named too
    assert "--resume" in proc.stderr and partial.is_dir()  # kept, resumable
    assert not (partial / "report.json").exists()  # exit 2: nothing was compared


def _blocking_sitecustomize(tmp_path: Path) -> dict[str, str]:
    """An environment without the 'audit' extra: a sitecustomize (on PYTHONPATH, so in the
    audit and in both sides' Pythons, reticulate's included) makes importing those modules
    fail as they fail where they are not installed."""
    d = tmp_path / "lean"
    d.mkdir()
    (d / "sitecustomize.py").write_text('''
import sys
HIDDEN = {"tensorflow", "keras", "matplotlib", "dask", "distributed", "tf_keras"}
class Lean:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in HIDDEN:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, Lean())
''')
    return dict(ENV, PYTHONPATH=os.pathsep.join(filter(None, [str(d), ENV.get("PYTHONPATH")])))


@pytest.mark.r
def test_lean_install_with_a_spec_is_exit_2_with_the_pip_line(rscript, tmp_path):
    env = _blocking_sitecustomize(tmp_path)
    spec = PROJECT_ROOT / "examples" / "cnn_two_class" / "spec.toml"
    proc = subprocess.run([sys.executable, "-m", "parity", "audit", "--spec", str(spec), "--profile",
                           "smoke", "--out", str(tmp_path / "report")], capture_output=True,
                          text=True, env=env, cwd=PROJECT_ROOT, timeout=600)
    assert proc.returncode == 2 and no_traceback(proc), proc.stderr[-3000:]
    assert "No module named 'tensorflow'" in proc.stderr
    assert "pip install 'keras-caret-parity[audit]'" in proc.stderr
    assert "the finished work is kept" in proc.stderr
    # the built-in spec: the same promise, before anything runs
    builtin = subprocess.run([sys.executable, "-m", "parity", "audit", "--profile", "smoke", "--out",
                              str(tmp_path / "builtin")], capture_output=True, text=True, env=env,
                             cwd=PROJECT_ROOT, timeout=300)
    assert builtin.returncode == 2 and "pip install 'keras-caret-parity[audit" in builtin.stderr


# --------------------------------------------------------------------------- resuming


def _interrupted_audit(out: Path, *extra: str) -> None:
    """An audit stopped by SIGTERM as soon as it has started: its .partial directory stays."""
    proc = subprocess.Popen([sys.executable, "-m", "parity", "audit", "--out", str(out), *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=ENV,
                            cwd=PROJECT_ROOT)
    settings = out.parent / f".{out.name}.partial" / "audit.json"
    deadline = time.monotonic() + 120
    while not settings.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2 and "interrupted" in err, err[-2000:]


@keras3_only
@pytest.mark.r
def test_a_damaged_checkpoint_on_resume_is_exit_2_and_loses_nothing(rscript, tmp_path):
    out = tmp_path / "report"
    partial = tmp_path / ".report.partial"
    _interrupted_audit(out, "--profile", "smoke")
    # the state this test is about: Python interrupted with a checkpoint. The SIGTERM is handled
    # when the audit's main thread is back in Python, and starting R there (rpy2) can take
    # longer than the Python side's smoke run: a run it finished meanwhile is removed here
    shutil.rmtree(partial / "python_run", ignore_errors=True)
    state = partial / "python_checkpoint" / "state.npz"
    state.parent.mkdir(exist_ok=True)
    state.write_bytes(b"PK\x03\x04 truncated")
    proc = parity("audit", "--profile", "smoke", "--out", out, "--resume")
    assert proc.returncode == 2 and no_traceback(proc), proc.stdout[-2000:] + proc.stderr[-3000:]
    assert f"checkpoint {state} is damaged" in proc.stderr and f"fix: delete {state}" in proc.stderr
    assert "--resume" in proc.stderr and not (partial / "report.json").exists()
    assert (partial / "r_run" / "run.json").exists()  # R finished meanwhile: kept
    assert state.exists()  # never deleted: the user decides (then --resume trains Python only)


@pytest.mark.r
def test_a_resumed_audit_says_how_each_side_ran(rscript, tmp_path):
    """R kills itself (SIGKILL) in the first attempt; the Python side, without checkpoints,
    finishes. Resumed, R runs again from the start: the report says so (never "resumed from
    checkpoints"), records both command lines, and the failed check shows its values. The
    report's r_run/ (its normalized array compared, then removed) is refused as --r-run."""
    mark = tmp_path / "killed_once"
    spec = tiny_pair(tmp_path, rows=3, r_body=f"""
if (!file.exists("{mark}")) {{ file.create("{mark}"); tools::pskill(Sys.getpid(), tools::SIGKILL) }}""")
    out = tmp_path / "report"
    first = parity("audit", "--spec", spec, "--out", out)
    assert first.returncode == 1 and "R side was killed" in first.stderr, first.stderr[-2000:]
    assert "killed by signal SIGKILL" in first.stderr
    again = parity("audit", "--spec", spec, "--out", out, "--resume")
    assert again.returncode == 1 and no_traceback(again), again.stderr[-2000:]
    # a failed check on the console: its values, not only its rule
    line = next(ln for ln in again.stdout.splitlines() if "data.train_images.dim" in ln)
    assert "FAIL" in line and "R [2, 2], Python [3, 2]" in line and "rule:" in line, line
    report = report_of(out)
    row = next(c for c in report["checks"] if c["name"] == "training.resumed")
    assert row["r_value"] == "ran from its first epoch"
    assert row["python_value"] == "complete before this attempt: not run again"
    assert row["reason"].startswith("no side resumed from a checkpoint")
    for side in ("r", "python"):
        argv = report["commands"][side]["argv"]
        assert "--out" in argv and argv[argv.index("--seed") + 1] == "1", argv
    assert report["commands"]["r"]["argv"][1] == str(spec.parent / "tiny.R")
    assert "## commands" in (out / "report.md").read_text()
    # the report's r_run/ as --r-run: refused before anything runs, with the reason
    reuse = parity("audit", "--spec", spec, "--r-run", out / "r_run", "--out", tmp_path / "again")
    assert reuse.returncode == 2 and no_traceback(reuse), reuse.stderr
    assert "normalized.train were removed after it was compared" in reuse.stderr
    assert not (tmp_path / ".again.partial").exists()


# --------------------------------------------------------------------------- the environment


@pytest.mark.r
def test_r_home_pointing_nowhere_is_named_with_the_fix(rscript, tmp_path):
    table = tmp_path / "table.csv"
    table.write_text('"","a","b"\n"a",5,1\n"b",2,4\n')
    env = dict(ENV, R_HOME=str(tmp_path / "nowhere"))
    for args in (["stats", "--table", str(table), "--r"],
                 ["audit", "--profile", "smoke", "--out", str(tmp_path / "report")]):
        proc = subprocess.run([sys.executable, "-m", "parity", *args], capture_output=True, text=True,
                              env=env, cwd=PROJECT_ROOT, timeout=300)
        assert proc.returncode == 2 and no_traceback(proc), proc.stderr[-2000:]
        assert f"R_HOME='{tmp_path / 'nowhere'}' is not an R installation" in proc.stderr
        assert "unable to open the base package" not in proc.stderr
    assert not (tmp_path / ".report.partial").exists()  # refused before anything ran
    doctor = subprocess.run([sys.executable, "-m", "parity", "doctor"], capture_output=True, text=True,
                            env=env, cwd=PROJECT_ROOT, timeout=300)
    assert doctor.returncode == 1 and "MISSING R_HOME" in doctor.stdout, doctor.stdout


def test_an_empty_keras_home_is_treated_as_unset(tmp_path):
    """KERAS_HOME='' is the default, not the current directory: Keras' own loader, as the
    Python side calls it, finds the data when run from elsewhere, and doctor says so."""
    env = dict(ENV, KERAS_HOME="")
    code = ("from python_impl.data import load_fashion_mnist; "
            "(x, y), _ = load_fashion_mnist(); print(x.shape)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=600)
    assert proc.returncode == 0 and "(60000, 28, 28)" in proc.stdout, proc.stderr[-2000:]
    assert not (tmp_path / "datasets").exists()  # nothing looked for (or fetched) in the cwd
    doctor = subprocess.run([sys.executable, "-m", "parity", "doctor"], capture_output=True, text=True,
                            env=env, cwd=tmp_path, timeout=300)
    assert "KERAS_HOME is empty: treated as unset" in doctor.stdout, doctor.stdout


def test_scheduler_help_says_the_cluster_must_be_trusted():
    proc = parity("audit", "--help")
    assert proc.returncode == 0 and "trusted" in " ".join(proc.stdout.split()), proc.stdout
