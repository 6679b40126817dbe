"""Run each side in its own process: the R reference with Rscript, the Python port with
``python -m python_impl``; one at a time or both at once.

Training cannot run in rpy2's embedded R (TensorFlow crashes there; see ENVIRONMENT.md), so the
R side is an ``Rscript`` with reticulate pointed at the project's Python. The Python side is a
process too: TensorFlow reads its thread settings once, at start-up, and two single-threaded
processes train side by side on two cores. Both print Keras' ``verbose = 2`` log ("Epoch n/N",
then one "steps/steps - ... loss ..." line per finished epoch), which drives the progress
display. A side started with ``--checkpoint`` that resumes prints "resume: k/N epochs done"
first; the progress then counts from k.
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

from parity.errors import ParityError
from parity.paths import VENV_PYTHON

__all__ = ["RRunError", "SideRun", "r_python", "run_sides", "remove_stale_temporaries", "side_env"]
_EPOCH_DONE = re.compile(r"^\s*\d+/\d+ - .*loss")
_RESUMED = re.compile(r"^resume: (\d+)/\d+ epochs done")


#: progress(side, epochs done, epochs, seconds in this process, epochs done before it started)
ProgressFn: TypeAlias = Callable[[str, int, int, float, int], None]


class RRunError(ParityError, RuntimeError):
    """A side exited non-zero; the message carries its own error output."""


def r_python() -> str:
    """The Python reticulate uses: $PARITY_R_PYTHON, else the project venv's, else this one.

    Debian's reticulate 1.28 needs Python <= 3.11, so a tox env on 3.12/3.13 still runs the R
    side on the project's primary Python (.venv).
    """
    if os.environ.get("PARITY_R_PYTHON"):
        return os.environ["PARITY_R_PYTHON"]
    return str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable


@dataclass
class SideRun:
    label: str
    cmd: list[str]
    #: None when the spec sets no epochs (the side uses its own default): no progress shown
    epochs: int | None
    log_path: Path | None = None
    returncode: int | None = None
    seconds: float = 0.0
    log: str = ""
    #: epochs an earlier, interrupted attempt had finished ("resume: k/N epochs done")
    resumed_from: int = 0
    proc: subprocess.Popen | None = None

    def error(self) -> str:
        tail = [ln for ln in self.log.splitlines()[-40:] if not ln.startswith(("I0000", "W0000"))]
        return f"{self.label} side exited with status {self.returncode}:\n" + "\n".join(tail)


def side_env() -> dict[str, str]:
    """The environment a side runs in: TZ set (R warns without it in containers), unbuffered
    Python output (the progress display reads it), reticulate pointed at the R side's Python."""
    return dict(os.environ, TZ=os.environ.get("TZ", "UTC"), PYTHONUNBUFFERED="1",
                RETICULATE_PYTHON=r_python())


def _run_one(side: SideRun, progress: ProgressFn | None, env: dict[str, str]) -> None:
    lines: list[str] = []
    t0 = time.monotonic()
    done = 0
    side.proc = proc = subprocess.Popen(side.cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True, env=env, bufsize=1, preexec_fn=_die_with_parent)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if m := _RESUMED.match(line):
                side.resumed_from = done = int(m.group(1))
            elif _EPOCH_DONE.match(line):
                done += 1
                if progress and side.epochs is not None:
                    progress(side.label, done, side.epochs, time.monotonic() - t0,
                             side.resumed_from)
        side.returncode = proc.wait()
    except BaseException:  # interrupted (Ctrl-C, SIGTERM): stop the side; its checkpoint stays
        _stop(proc)
        raise
    finally:
        if proc.stdout is not None:
            proc.stdout.close()
        side.seconds = time.monotonic() - t0
        side.log = "".join(lines)
        if side.log_path is not None:
            try:
                side.log_path.write_text(side.log)
            except OSError as exc:  # a full disk: the side's own status says what happened
                side.log += f"\n(could not write the log {side.log_path}: {exc.strerror or exc})"


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the audit's process dies, even by SIGKILL
    (Linux prctl PR_SET_PDEATHSIG), so no side keeps training into an abandoned directory."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):  # not Linux: the audit still stops its sides on SIGTERM
        pass


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_sides(sides: list[SideRun], *, parallel: bool, progress: ProgressFn | None = None,
              meanwhile: Callable[[], None] | None = None) -> float:
    """Run the sides, concurrently when ``parallel``; each SideRun gets its status and log.

    ``meanwhile`` runs in this thread while the sides train (the audit's own work that needs no
    side's result); then the sides are waited for. Returns the monotonic time at which the last
    side finished.

    Interrupted (KeyboardInterrupt, which the CLI also raises on SIGTERM) or ``meanwhile``
    failing, it stops every side before re-raising, so no process keeps writing a checkpoint
    behind an ended audit.
    """
    env = side_env()  # read once, here: ``meanwhile`` may start R, which touches os.environ
    stop = threading.Event()
    finished = [time.monotonic()]

    def one_after_another() -> None:
        for side in sides:
            if stop.is_set():
                break
            _run_one(side, progress, env)
        finished[0] = time.monotonic()

    def one(side: SideRun) -> None:
        if not stop.is_set():
            _run_one(side, progress, env)
        finished[0] = max(finished[0], time.monotonic())

    threads = ([threading.Thread(target=one, args=(s,), daemon=True) for s in sides] if parallel
               else [threading.Thread(target=one_after_another, daemon=True)])
    for t in threads:
        t.start()
    try:
        if meanwhile is not None:
            meanwhile()
        for t in threads:
            t.join()
    except BaseException:
        stop.set()
        for s in sides:
            if s.proc is not None:
                _stop(s.proc)
        for t in threads:
            t.join(timeout=30)
        raise
    return finished[0]


def remove_stale_temporaries(work_dir: Path) -> None:
    """Temporary run directories a killed side could not clean up (an interrupted attempt):
    never a finished run, which has its final name."""
    for p in work_dir.glob(".*_run.*"):
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
