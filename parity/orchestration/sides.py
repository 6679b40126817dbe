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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

from parity.contract import EXECUTION_SETTINGS_ENV
from parity.errors import ParityError
from parity.paths import CHECKOUT, DEFAULT_KERAS_HOME, EXTRAS, VENV_PYTHON

__all__ = ["RRunError", "SideEnvironmentError", "SideFailure", "SideRun", "failure_cause", "r_python",
           "run_sides", "remove_stale_temporaries", "side_env", "side_env_overrides"]
_EPOCH_DONE = re.compile(r"^\s*\d+/\d+ - .*loss")
_RESUMED = re.compile(r"^resume: (\d+)/\d+ epochs done")
#: start-up chatter that is never the cause: TensorFlow's and absl's log lines
_NOISE = re.compile(r"^(?:[IWE]\d{4} |WARNING: All log messages before absl|"
                    r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IW] )")
#: an R error (``Error in f(x) :``, ``Error:``), a Python traceback, the ports' ``error: ...``
_R_ERROR = re.compile(r"^Error(?: in .*)?:")
_TRACEBACK = "Traceback (most recent call last):"
_PORT_ERROR = re.compile(r"^error: ")
_CAPTURE_ERROR = "error: parity capture:"  # parity.capture's line after a captured script failed
_MAX_CAUSE_LINES = 12


#: progress(side, epochs done, epochs, seconds in this process, epochs done before it started)
ProgressFn: TypeAlias = Callable[[str, int, int, float, int], None]


class RRunError(ParityError, RuntimeError):
    """A side exited non-zero; the message carries its own error output."""


class SideEnvironmentError(RRunError):
    """A side could not run because of its environment or inputs (a missing module or R
    package, a damaged checkpoint, a full disk, a side's usage error): the audit stops with
    exit status 2, its finished work kept, and the message names the cause and the fix."""


def failure_cause(log: str, returncode: int | None = None) -> str:
    """The lines of a side's console output that say why it failed: R's ``Error ...`` lines,
    the last frame and exception of a Python traceback, a port's ``error: ...`` line, or a
    signal; failing those, the last lines that are not start-up chatter.

    Examples
    --------
    >>> print(failure_cause("W0000 TensorFlow says hello\\nError: object 'x' not found\\n"
    ...                     "Execution halted\\n", 1))
    Error: object 'x' not found
    >>> failure_cause("loading\\n", -9)
    'killed by signal SIGKILL; its last output: loading'
    """
    lines = [ln.rstrip() for ln in log.splitlines()]
    lines = [ln for ln in lines if ln and not _NOISE.match(ln)]
    last = {name: max((i for i, ln in enumerate(lines) if test(ln)), default=-1)
            for name, test in (("r", _R_ERROR.match), ("traceback", lambda ln: ln == _TRACEBACK),
                               ("port", _PORT_ERROR.match))}
    kind = max(last, key=lambda k: last[k])
    start = last[kind]
    if start > 0 and lines[start].startswith(_CAPTURE_ERROR):
        # the capture's line says what was captured before the script failed; the script's own
        # error, above it, is the cause
        before = failure_cause("\n".join(lines[:start]))
        return "\n".join(([before] if before != "no output" else []) + lines[start:start + 1])
    if start >= 0 and kind == "traceback":
        block = lines[start + 1:]
        # frames are indented; the exception starts at the first line that is not
        exc = next((i for i, ln in enumerate(block) if not ln.startswith(" ")), len(block))
        frames = [i for i, ln in enumerate(block[:exc]) if ln.lstrip().startswith('File "')]
        frame = [ln.strip() for ln in block[frames[-1]:exc]][:2] if frames else []
        cause = frame + block[exc:exc + _MAX_CAUSE_LINES]
    elif start >= 0:
        cause = [ln for ln in lines[start:] if ln != "Execution halted"][:_MAX_CAUSE_LINES]
    elif returncode is not None and returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"killed by signal {name}" + ("; its last output: " + lines[-1] if lines else "")
    else:
        cause = lines[-5:]
    return "\n".join(cause) or "no output"


@dataclass(frozen=True)
class SideFailure:
    """Why a side failed: its exit status, the cause (:func:`failure_cause`), its log, and the
    fix when the cause is the environment or the side's inputs (then the audit exits 2)."""

    label: str
    returncode: int | None
    cause: str
    log_path: Path | None
    fix: str = ""

    def __str__(self) -> str:
        status = ("was killed" if self.returncode is not None and self.returncode < 0 else
                  f"exited with status {self.returncode}")
        text = f"{self.label} side {status}:\n" + _indent(self.cause)
        if self.log_path is not None:
            text += f"\n(its log: {self.log_path})"
        return text + (f"\nfix: {self.fix}" if self.fix else "")


def _indent(text: str) -> str:
    return "\n".join("    " + ln for ln in text.splitlines())


def _environment_fix(cause: str, returncode: int | None, command: list[str]) -> str:
    """What to do when a failure's cause is the environment or the side's inputs, else ""."""
    if m := re.search(r"No module named '([\w.]+)'", cause):
        module = m[1].split(".")[0]
        extra = next((e for e, modules in EXTRAS.items() if module in modules), None)
        if extra is not None:
            return (f"the Python module {module!r} is not installed; install the extra {extra!r}: "
                    f"pip install 'keras-caret-parity[{extra}]'"
                    + (" (in a checkout: ./setup.sh)" if CHECKOUT is not None else ""))
        where = (f"the Python reticulate uses ({r_python()})" if Path(command[0]).name == "Rscript"
                 else f"the side's Python ({command[0]})")
        return f"install the Python module {module!r} in {where}"
    if m := re.search(r"there is no package called .([\w.]+).", cause):
        return (f"install the R package {m[1]} (Debian: apt-get install r-cran-{m[1].lower()}; "
                "or ./setup.sh)")
    if m := re.search(r"checkpoint '?([^' ]+?)'? (?:is damaged|belongs to another run|holds other)",
                      cause):
        return f"delete {m[1]} (that side then trains from its first epoch), or start a new --out"
    # ENOSPC, EFBIG, EDQUOT, EROFS, and the contract writers' short writes (R: "disk full?")
    if re.search(r"No space left on device|File too large|Disk quota exceeded|Read-only file system"
                 r"|disk full|requested and \d+ written", cause):
        return "free space where the report directory is (or give another --out), then resume"
    if returncode == 2:
        return "the side refused its options or environment (exit status 2); fix what it names"
    return ""


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

    def failure(self) -> SideFailure:
        """Why this side failed: the cause from its log, and the fix when it is environmental."""
        cause = failure_cause(self.log, self.returncode)
        return SideFailure(self.label, self.returncode, cause, self.log_path,
                           _environment_fix(cause, self.returncode, self.cmd))


def side_env_overrides(execution_settings: Iterable[str] = ()) -> dict[str, str]:
    """What the audit sets in a side's environment (report.json records it with the side's
    command): TZ (R warns without it in containers), unbuffered Python output (the progress
    display reads it), reticulate pointed at the R side's Python, KERAS_HOME (when unset: the project's
    ``.keras``, where setup.sh links the datasets), and the
    names of the spec's execution settings (:data:`parity.contract.EXECUTION_SETTINGS_ENV`:
    what both sides leave out of a checkpoint's identity)."""
    env = {"TZ": os.environ.get("TZ") or "UTC", "PYTHONUNBUFFERED": "1", "RETICULATE_PYTHON": r_python(),
           EXECUTION_SETTINGS_ENV: ",".join(execution_settings)}
    if os.environ.get("KERAS_HOME"):
        env["KERAS_HOME"] = os.environ["KERAS_HOME"]
    elif DEFAULT_KERAS_HOME.is_dir():
        # the instrumented sides default to it themselves; a captured, unmodified script that
        # loads a Keras dataset would look in ~/.keras (and download: no network here)
        env["KERAS_HOME"] = str(DEFAULT_KERAS_HOME)
    return env


def side_env(execution_settings: Iterable[str] = ()) -> dict[str, str]:
    """The environment a side runs in: the audit's, with :func:`side_env_overrides`. An empty
    KERAS_HOME is unset, so that both sides use their default (the project's ``.keras``), as
    :func:`python_impl.keras_env.prepare` does."""
    env = {k: v for k, v in os.environ.items() if not (k == "KERAS_HOME" and v == "")}
    return {**env, **side_env_overrides(execution_settings)}


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
              meanwhile: Callable[[], None] | None = None,
              finished_side: Callable[[SideRun], None] | None = None,
              execution_settings: Iterable[str] = ()) -> float:
    """Run the sides, concurrently when ``parallel``; each SideRun gets its status and log.

    ``execution_settings``: the spec's, named in each side's environment (:func:`side_env`).
    ``meanwhile`` runs in this thread while the sides train (the audit's own work that needs no
    side's result); then the sides are waited for. ``finished_side(side)`` runs in that side's
    thread as soon as it has ended (the audit reads its run while the other side still trains).
    Returns the monotonic time at which the last side finished.

    Interrupted (KeyboardInterrupt, which the CLI also raises on SIGTERM) or ``meanwhile``
    failing, it stops every side before re-raising, so no process keeps writing a checkpoint
    behind an ended audit.
    """
    env = side_env(execution_settings)  # read once, here: ``meanwhile`` may start R, which touches os.environ
    stop = threading.Event()
    finished = [time.monotonic()]

    def ended(side: SideRun) -> None:
        finished[0] = max(finished[0], time.monotonic())
        if finished_side is not None and not stop.is_set():
            finished_side(side)

    def one_after_another() -> None:
        for side in sides:
            if stop.is_set():
                break
            _run_one(side, progress, env)
            ended(side)

    def one(side: SideRun) -> None:
        if not stop.is_set():
            _run_one(side, progress, env)
            ended(side)

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
