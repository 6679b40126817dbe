"""Interrupted runs resume exactly: each side killed mid-training, then resumed from its
checkpoint, gives the bit-identical history and predictions of an uninterrupted run; so does a
whole audit stopped with SIGTERM and continued with --resume.

Runs are real processes killed by real signals (SIGKILL for a side: no chance to clean up;
SIGTERM for the audit, as a scheduler sends). The data is the smoke subset (2,000 / 500 images)
over 8 epochs, at the audit's tuned execution settings.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import side_command

from parity.contract import read_run
from parity.orchestration import sides
from parity.paths import PROJECT_ROOT
from python_impl.checkpoint import unavailable_reason

pytestmark = pytest.mark.slow
UNAVAILABLE = unavailable_reason()
keras3_only = pytest.mark.skipif(UNAVAILABLE is not None, reason=UNAVAILABLE or "")

SETTINGS = {"epochs": 8, "seed": 42, "train_size": 2000, "test_size": 500,
            "steps_per_execution": 256, "threads": 1}
RESUMED = re.compile(r"resume: (\d+)/(\d+) epochs done")
EPOCH_LINE = re.compile(r"^\s*\d+/\d+ - .*loss")
ENV = dict(os.environ, TZ="UTC", KERAS_HOME=os.environ.get("KERAS_HOME", str(PROJECT_ROOT / ".keras")),
           RETICULATE_PYTHON=sides.r_python(), PYTHONUNBUFFERED="1")


def run_until(cmd: list[str], pattern: re.Pattern, count: int, sig: int) -> tuple[int, str]:
    """Run ``cmd``, send ``sig`` once ``pattern`` has matched ``count`` output lines; return
    (exit status, output)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=ENV)
    seen, lines = 0, []
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line)
        if pattern.search(line):
            seen += 1
            if seen == count:
                proc.send_signal(sig)
                break
    lines.append(proc.stdout.read())
    return proc.wait(timeout=120), "".join(lines)


def run(cmd: list[str]) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return proc.stdout


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> Path:
    """The Python port, uninterrupted and without checkpoints: the reference for every resume."""
    out = tmp_path_factory.mktemp("plain") / "run"
    run(side_command("python", out, **SETTINGS))
    return out


def same_run(a: Path, b: Path) -> bool:
    """Bit-identical probabilities and history."""
    ra, rb = read_run(a), read_run(b)
    return (np.array_equal(ra.probabilities, rb.probabilities) and ra.history.keys() == rb.history.keys()
            and all(np.array_equal(ra.history[k], rb.history[k]) for k in ra.history))


@keras3_only
@pytest.mark.parametrize("side", ["python", pytest.param("r", marks=pytest.mark.r)])
def test_killed_side_resumes_bit_identically(side, uninterrupted, tmp_path, request):
    if side == "r":
        request.getfixturevalue("rscript")
    out, ck = tmp_path / "run", tmp_path / "checkpoint"
    command = side_command(side, out, ck, **SETTINGS)
    status, log = run_until(command, EPOCH_LINE, 2, signal.SIGKILL)
    assert status == -signal.SIGKILL, log[-2000:]
    assert not out.exists()  # no artifacts from the killed run
    assert (ck / ("state.bin" if side == "r" else "state.npz")).exists()

    log = run(command)
    m = RESUMED.search(log)
    assert m and 1 <= int(m[1]) < SETTINGS["epochs"], f"the kill should land mid-training: {log[:500]}"
    assert not ck.exists()  # removed once the artifacts are written
    assert same_run(out, uninterrupted), "the resumed run differs from the uninterrupted run"


@keras3_only
def test_checkpoint_of_another_run_is_refused(uninterrupted, tmp_path):
    ck = tmp_path / "checkpoint"
    command = side_command("python", tmp_path / "a", ck, **SETTINGS)
    status, _ = run_until(command, EPOCH_LINE, 1, signal.SIGKILL)
    assert status == -signal.SIGKILL and (ck / "state.npz").exists()
    other = dict(SETTINGS, seed=7)
    proc = subprocess.run(side_command("python", tmp_path / "b", ck, **other),
                          capture_output=True, text=True, env=ENV, timeout=600)
    assert proc.returncode == 2
    assert "belongs to another run" in proc.stderr and "'seed': 42" in proc.stderr
    assert not (tmp_path / "b").exists() and not (tmp_path / ".b.first64.png").exists()


@keras3_only
@pytest.mark.r
def test_audit_interrupted_by_sigterm_resumes(rscript, uninterrupted, tmp_path):
    out = tmp_path / "report"
    partial = tmp_path / ".report.partial"
    audit = [sys.executable, "-m", "parity", "audit", "--profile", "smoke", "--epochs",
             str(SETTINGS["epochs"]), "--out", str(out)]
    status, log = run_until(audit, re.compile(r"\] epoch 2/"), 1, signal.SIGTERM)
    assert status == 2, log[-3000:]
    assert f"finished work is kept in {partial}" in log and "--resume" in log
    assert partial.is_dir() and not out.exists()
    assert not _processes_mentioning(str(partial)), "a side kept running after the audit stopped"

    again = subprocess.run([*audit, "--seed", "7", "--resume"], capture_output=True, text=True,
                           env=ENV, timeout=600)
    assert again.returncode == 2 and "ran {" in again.stderr  # other settings: refused
    fresh = subprocess.run(audit, capture_output=True, text=True, env=ENV, timeout=600)
    assert fresh.returncode == 2 and "--resume" in fresh.stderr  # no silent restart

    resumed = subprocess.run([*audit, "--resume"], capture_output=True, text=True, env=ENV,
                             timeout=900)
    assert resumed.returncode == 0, resumed.stdout[-3000:] + resumed.stderr[-3000:]
    assert not partial.exists()
    report = json.loads((out / "report.json").read_text())
    assert report["summary"]["outcome"] == "pass"
    assert any(0 < n for n in report["resumed_epochs"].values()), report["resumed_epochs"]
    assert any(c["name"] == "training.resumed" for c in report["checks"])
    assert same_run(out / "python_run", uninterrupted)


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for p in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (p / "cmdline").read_bytes().decode(errors="replace")
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if text in cmdline:
            found.append(cmdline)
    return found


def test_resume_needs_out():
    from parity.cli import main

    assert main(["audit", "--profile", "smoke", "--resume"]) == 2


@pytest.mark.skipif(UNAVAILABLE is None, reason="Keras 3 checkpoints exactly (tests above)")
@pytest.mark.parametrize("side", ["python", pytest.param("r", marks=pytest.mark.r)])
def test_keras2_trains_without_checkpoints(side, tmp_path, request):
    """Keras 2 cannot resume exactly: the sides say so and train without saving anything."""
    if side == "r":
        request.getfixturevalue("rscript")
    out, ck = tmp_path / "run", tmp_path / "checkpoint"
    settings = dict(SETTINGS, epochs=1)
    command = side_command(side, out, ck, **settings)
    log = run(command)
    assert "checkpoints: off (Keras 2" in log
    assert (out / "run.json").exists() and not ck.exists()
