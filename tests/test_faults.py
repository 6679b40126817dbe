"""Fault injection, with real processes and real signals: no fault loses finished work, no
user mistake ends in a traceback, and every failure has the right exit status (2: usage or
environment; 1: a check failed or did not run).

A full disk is a real one where the machine allows it: a 2 MB tmpfs mounted for the test
(needs root and CAP_SYS_ADMIN, as in these containers). Where it does not, the same cases run
under a file-size limit (RLIMIT_FSIZE with SIGXFSZ ignored: writes past the limit fail with
EFBIG, as they fail with ENOSPC on a full disk), and the test says it simulated.
"""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import side_command

from parity.config import AuditConfig, load_spec
from parity.orchestration.sides import r_python
from parity.paths import DEFAULT_KERAS_HOME, PROJECT_ROOT
from python_impl.checkpoint import unavailable_reason

#: Keras 2 (tf-keras) trains without checkpoints (python_impl.checkpoint): nothing to resume
keras3_only = pytest.mark.skipif(unavailable_reason() is not None, reason=unavailable_reason() or "")

ENV = dict(os.environ, TZ="UTC", KERAS_HOME=os.environ.get("KERAS_HOME", str(DEFAULT_KERAS_HOME)),
           RETICULATE_PYTHON=r_python(), PYTHONUNBUFFERED="1")
#: the spec's smoke profile (settings and execution settings)
SMOKE = AuditConfig.resolve(load_spec(), profile="smoke").settings


def parity(*args, timeout=900, **kw):
    return subprocess.run([sys.executable, "-m", "parity", *args], capture_output=True, text=True,
                          env=ENV, cwd=PROJECT_ROOT, timeout=timeout, **kw)


def no_traceback(proc) -> bool:
    return "Traceback" not in proc.stderr and "Traceback" not in proc.stdout


# --------------------------------------------------------------------------- a full disk


@pytest.fixture
def small_disk(tmp_path):
    """A directory where writes fail after ~2 MB: (path, preexec_fn or None, how)."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)], capture_output=True).returncode == 0
    if mounted:
        yield mnt, None, "tmpfs"
        subprocess.run(["umount", "-l", str(mnt)], check=False)
        return

    def limit():  # simulation: the same failing write(2), from a file-size limit
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (2 * 1024 * 1024, 2 * 1024 * 1024))

    yield mnt, limit, "simulated (RLIMIT_FSIZE)"


@pytest.mark.r
@pytest.mark.parametrize("side", ["r", "python"])
def test_full_disk_is_a_clear_error_naming_the_file(side, small_disk, request):
    if side == "r":
        request.getfixturevalue("rscript")
    disk, preexec, how = small_disk
    out = disk / "run"
    proc = subprocess.run(side_command(side, out, **SMOKE), capture_output=True, text=True, env=ENV,
                          timeout=600, preexec_fn=preexec)
    assert proc.returncode != 0, f"{how}: the run must fail"
    wrote = re.search(r"(could not write|cannot write) '?([^' :]+)", proc.stderr)
    assert wrote and str(disk) in wrote[2], (how, proc.stderr[-1500:])
    assert "reshape" not in proc.stderr
    assert not out.exists() and not [p for p in disk.iterdir() if p.name.startswith(".run.")]


@pytest.mark.r
def test_audit_on_a_full_disk_keeps_its_work_and_exits_2(rscript, small_disk):
    disk, preexec, how = small_disk
    proc = parity("audit", "--profile", "smoke", "--out", str(disk / "report"), preexec_fn=preexec)
    # an environment error: exit 2, each side's own error and the fix named, nothing compared
    assert proc.returncode == 2 and no_traceback(proc), (how, proc.stderr[-2000:])
    assert "fix: free space" in proc.stderr and "(its log: " in proc.stderr, (how, proc.stderr[-2000:])
    assert "--resume" in proc.stderr  # the work stays, and how to continue is printed
    assert (disk / ".report.partial").is_dir() and not (disk / "report").exists()


# --------------------------------------------------------------------------- output paths


def test_read_only_output_is_a_usage_error(tmp_path):
    mnt = tmp_path / "ro"
    mnt.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(mnt)],
                                           capture_output=True).returncode != 0:
        os.chmod(mnt, 0o500)  # simulation: as root this cannot fail a write, hence the mount
        if os.geteuid() == 0:
            pytest.skip("cannot mount a read-only file system here, and root ignores modes")
    try:
        proc = parity("audit", "--profile", "smoke", "--out", str(mnt / "report"))
        assert proc.returncode == 2 and no_traceback(proc), proc.stderr
        assert "read-only" in proc.stderr or "cannot write" in proc.stderr
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False, capture_output=True)


def test_reports_being_a_file_is_a_usage_error(tmp_path):
    (tmp_path / "reports").write_text("not a directory")
    proc = subprocess.run([sys.executable, "-m", "parity", "audit", "--profile", "smoke"],
                          capture_output=True, text=True, env=ENV, cwd=tmp_path, timeout=300)
    assert proc.returncode == 2 and "./reports exists and is not a directory" in proc.stderr
    assert no_traceback(proc)


# --------------------------------------------------------------------------- concurrency, orphans


def start_audit(out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "parity", "audit", "--profile", "smoke", "--epochs",
                             "8", "--out", str(out), *extra], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=ENV, cwd=PROJECT_ROOT)


def wait_for(proc: subprocess.Popen, pattern: str, timeout: float = 300) -> str:
    seen, t0 = [], time.monotonic()
    assert proc.stdout is not None
    for line in proc.stdout:
        seen.append(line)
        if re.search(pattern, line):
            return "".join(seen)
        assert time.monotonic() - t0 < timeout, "".join(seen)
    raise AssertionError("".join(seen))


def processes_mentioning(text: str) -> list[str]:
    found = []
    for p in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (p / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if text in cmdline:
            found.append(cmdline)
    return found


@keras3_only
@pytest.mark.r
@pytest.mark.slow
def test_concurrent_audits_and_killed_audit(rscript, tmp_path):
    out = tmp_path / "report"
    first = start_audit(out)
    try:
        wait_for(first, r"\] epoch 1/8")
        # frozen (it keeps its lock): on a quiet machine the smoke audit ends within seconds, and
        # a finished audit would have renamed its work into place before the refusals below
        os.kill(first.pid, signal.SIGSTOP)
        # a second audit on the same output: refused at once, naming the first one's pid
        second = parity("audit", "--profile", "smoke", "--epochs", "8", "--out", str(out))
        assert second.returncode == 2 and f"another audit (pid {first.pid})" in second.stderr
        resumed = parity("audit", "--profile", "smoke", "--epochs", "8", "--out", str(out), "--resume")
        assert resumed.returncode == 2 and f"pid {first.pid}" in resumed.stderr
        assert (tmp_path / ".report.partial").is_dir()  # nothing deleted by the refusals
        # SIGKILL of the audit alone: its sides die with it (no orphan keeps writing)
        first.kill()
        first.wait(timeout=60)
        deadline = time.monotonic() + 60
        while processes_mentioning(str(tmp_path / ".report.partial")) and time.monotonic() < deadline:
            time.sleep(1)
        assert not processes_mentioning(str(tmp_path / ".report.partial"))
    finally:
        if first.poll() is None:
            first.kill()
    # the killed audit's work stays, and it resumes
    assert (tmp_path / ".report.partial").is_dir()
    again = parity("audit", "--profile", "smoke", "--epochs", "8", "--out", str(out), "--resume")
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
    assert json.loads((out / "report.json").read_text())["summary"]["outcome"] == "pass"


@keras3_only
@pytest.mark.r
def test_a_side_that_dies_keeps_the_other_sides_work(rscript, tmp_path):
    """R killed (SIGKILL) mid-training: the audit writes a FAIL report that names the R side,
    keeps the Python side's finished run and R's checkpoint, and --resume finishes the job."""
    out = tmp_path / "report"
    audit = start_audit(out)
    partial = tmp_path / ".report.partial"
    try:
        wait_for(audit, r"\[R\] epoch 2/8")
        r_pids = [p.name for p in Path("/proc").glob("[0-9]*")
                  if "fashion_mnist.R" in _cmdline(p) and str(partial) in _cmdline(p)]
        assert r_pids
        for pid in r_pids:
            os.kill(int(pid), signal.SIGKILL)
        rest, _ = audit.communicate(timeout=600)
    finally:
        if audit.poll() is None:
            audit.kill()
    assert audit.returncode == 1, rest[-2000:]
    assert "the r side failed" in rest and "--resume" in rest
    report = json.loads((partial / "report.json").read_text())
    assert any(c["name"].endswith(".compared") and c["status"] == "not_run" for c in report["checks"])
    assert (partial / "python_run" / "run.json").exists()  # finished work kept
    assert (partial / "r_checkpoint" / "state.bin").exists()
    again = parity("audit", "--profile", "smoke", "--epochs", "8", "--out", str(out), "--resume")
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]


def _cmdline(p: Path) -> str:
    try:
        return (p / "cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


@keras3_only
def test_damaged_checkpoint_is_a_clear_error(tmp_path):
    ck = tmp_path / "ck"
    ck.mkdir()
    (ck / "state.npz").write_bytes(b"PK\x03\x04 truncated")
    proc = subprocess.run(side_command("python", tmp_path / "run", ck, **SMOKE), capture_output=True,
                          text=True, env=ENV, timeout=600)
    assert proc.returncode == 2 and "is damaged" in proc.stderr and no_traceback(proc), proc.stderr[-2000:]
    assert (ck / "state.npz").exists()  # never deleted: the user decides


# --------------------------------------------------------------------------- reports


def test_reports_escape_what_they_embed_and_json_is_strict():
    from dataclasses import replace

    from conftest import TUTORIAL

    from parity.checks import Check
    from parity.config import AuditConfig
    from parity.orchestration.runner import AuditResult
    from parity.presentation.report import render_markdown, result_to_json

    hostile = "a|b\n| injected | row |\n<script>alert(1)</script> `code` [link](http://x)"
    checks = [Check("data.x", "data", hostile, float("nan"), None, "rule|with|pipes", "fail", hostile),
              Check("data.y", "data", [1.0, float("inf")], {"k": float("nan")}, None, "r", "pass")]
    cfg = replace(AuditConfig.resolve(TUTORIAL, profile="smoke"))
    result = AuditResult(cfg, checks, "2026-11-26T00:00:00Z", {"total_s": 1.0}, {"r": {"R": hostile}})
    md = render_markdown(result)
    rows = [line for line in md.splitlines() if line.startswith("| data.")]
    assert len(rows) == 2 and all(row.count(" | ") == 5 for row in rows)  # one row each, six cells
    tables = md.split("## versions")[0]
    assert "<script>" not in md and "| injected |" not in tables
    text = json.dumps(result_to_json(result), allow_nan=False)  # raises on a bare NaN
    assert "NaN" not in text.replace('"NaN"', "")
