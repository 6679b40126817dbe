"""``python -m parity.capture --out DIR --settings JSON -- <command...>``: run one side's script
unmodified with the capture installed, and write its run directory.

- ``-- script.py args...`` or ``-- -m module args...``: the Python capture, in this process
  (:mod:`parity.capture.python_side`): the hooks are installed, ``sys.argv`` becomes
  ``[script, *args]`` and the script runs with :mod:`runpy` as ``__main__``, from the working
  directory it was started in.
- ``-- Rscript script.R args...``: the R capture. Rscript replaces this process
  (``os.execvpe``: the same pid, so signals reach R) with ``R_PROFILE_USER`` pointing at
  ``parity/capture/capture.Rprofile``, which sources the user's own profile and starts the R
  capture (``parityrun::parity_capture_start()``) from the ``PARITY_CAPTURE_*`` variables.

Exit status: 0 the run directory was written; 1 the script failed (or its own non-zero exit
status) or made no recognised call - then no run directory, and one line
``error: parity capture: ...`` on stderr after the script's own output; 2 a usage error.

Examples
--------
>>> main(["--out", "/nonexistent/dir/run", "--", "analysis.py"])
2
"""

from __future__ import annotations

import argparse
import json
import math
import os
import runpy
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from parity.errors import EXIT_ERROR, EXIT_FAILED, EXIT_OK
from parity.paths import check_output_dir

__all__ = ["main", "r_command", "parse_settings", "CAPTURE_RPROFILE", "CaptureUsageError"]

#: the R profile that starts the R capture (written with the R capture, parityrun)
CAPTURE_RPROFILE = Path(__file__).with_name("capture.Rprofile")
_PROG = "python -m parity.capture"
_RECOGNISED = ("keras compile/fit/evaluate/predict, caret's functions (python_impl.caret), "
               "scikit-learn/SciPy/statsmodels statistics")
#: Rscript options that skip the user profile, hence the capture
_NO_PROFILE = ("--vanilla", "--no-init-file")


class CaptureUsageError(Exception):
    """A command line the driver cannot run; the message names the value and what was expected."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise CaptureUsageError(message)


def _parser() -> _Parser:
    p = _Parser(prog=_PROG, allow_abbrev=False,
                usage=f"{_PROG} --out DIR [--settings JSON] -- (script.py | -m module | Rscript script.R) "
                      "[args ...]",
                description="Run a script unmodified with the parity capture installed and write "
                            "its contract run directory.")
    p.add_argument("--out", type=Path, required=True, help="the run directory to write (new or empty)")
    p.add_argument("--settings", default="{}",
                   help="the audit's settings, a JSON object name -> number, string, boolean or null "
                        "(recorded as the run's settings; default {})")
    return p


def parse_settings(text: str) -> dict[str, Any]:
    """The ``--settings`` JSON object; :class:`CaptureUsageError` naming what is wrong.

    Examples
    --------
    >>> parse_settings('{"epochs": 2, "seed": 42}')
    {'epochs': 2, 'seed': 42}
    """
    try:
        settings = json.loads(text, parse_constant=lambda c: float(c))
    except json.JSONDecodeError as exc:
        raise CaptureUsageError(f"--settings {text!r}: not valid JSON ({exc})") from None
    if not isinstance(settings, dict):
        raise CaptureUsageError(f"--settings {text!r}: expected a JSON object name -> value")
    for name, value in settings.items():
        if not (value is None or isinstance(value, (bool, int, str))
                or isinstance(value, float) and math.isfinite(value)):
            raise CaptureUsageError(f"--settings: {name} = {json.dumps(value)}: expected a number, a "
                                    "string, a boolean or null")
    return settings


def r_command(out: Path, settings: dict[str, Any], command: Sequence[str], *,
              environ: dict[str, str] | None = None,
              cwd: Path | None = None) -> tuple[str, list[str], dict[str, str]]:
    """(program, argv, environment) that start the R capture for ``Rscript [options] script.R
    args...``; :class:`CaptureUsageError` when the command cannot be captured.

    The user's own R profile (``R_PROFILE_USER``, else ``./.Rprofile``, else ``~/.Rprofile``,
    R's own order) is passed on as ``PARITY_CAPTURE_USER_PROFILE`` for capture.Rprofile to
    source first, so the script runs as its author runs it.
    """
    environ = dict(os.environ if environ is None else environ)
    cwd = Path.cwd() if cwd is None else cwd
    program, rest = command[0], list(command[1:])
    options = []
    while rest and rest[0].startswith("-"):
        options.append(rest.pop(0))
    if "-e" in options or not rest:
        raise CaptureUsageError(f"{' '.join(command)}: expected Rscript [options] script.R [args ...] "
                                "(a script file, not -e)")
    skipping = [o for o in options if o in _NO_PROFILE]
    if skipping:
        raise CaptureUsageError(f"{program} {' '.join(skipping)}: the capture starts from the user "
                                "R profile, which this option skips; leave it out")
    script, args = rest[0], rest[1:]
    if not Path(cwd, script).is_file():
        raise CaptureUsageError(f"R script {script}: no such file (from {cwd})")
    if not CAPTURE_RPROFILE.is_file():
        raise CaptureUsageError(f"the R capture's profile {CAPTURE_RPROFILE} is missing (a broken "
                                "installation of parity)")
    user = environ.get("R_PROFILE_USER")
    if user is None:
        found = [p for p in (cwd / ".Rprofile", Path.home() / ".Rprofile") if p.is_file()]
        user = str(found[0]) if found else None
    environ.update({"R_PROFILE_USER": str(CAPTURE_RPROFILE), "PARITY_CAPTURE_OUT": str(out.absolute()),
                    "PARITY_CAPTURE_SETTINGS": json.dumps(settings), "PARITY_CAPTURE_SCRIPT": script,
                    "PARITY_CAPTURE_ARGS": json.dumps(args)})
    if user:
        environ["PARITY_CAPTURE_USER_PROFILE"] = user
    else:
        environ.pop("PARITY_CAPTURE_USER_PROFILE", None)
    return program, [program, *options, script, *args], environ


def _error(message: str) -> None:
    sys.stdout.flush()
    print(f"error: parity capture: {message}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """The driver; returns the exit status (the R capture does not return: Rscript replaces
    this process)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    options, command = (argv[:argv.index("--")], argv[argv.index("--") + 1:]) if "--" in argv else (argv, [])
    parser = _parser()
    try:
        try:
            ns = parser.parse_args(options)
        except SystemExit as exc:  # --help
            return int(exc.code or 0)
        settings = parse_settings(ns.settings)
        if not command:
            raise CaptureUsageError("no command: expected -- script.py [args ...], -- -m module "
                                    "[args ...] or -- Rscript script.R [args ...]")
        try:
            check_output_dir(ns.out)
        except (FileNotFoundError, FileExistsError) as exc:
            raise CaptureUsageError(f"--out {exc}") from None
        if Path(command[0]).name in ("Rscript", "Rscript.exe"):
            program, r_argv, env = r_command(ns.out, settings, command)
        elif command[0] == "-m":
            if len(command) < 2:
                raise CaptureUsageError("-m: expected a module name")
            return run_python(ns.out, settings, module=command[1], args=command[2:])
        elif not Path(command[0]).is_file():
            raise CaptureUsageError(f"{command[0]}: no such script (expected script.py, -m module or "
                                    "Rscript script.R)")
        else:
            return run_python(ns.out, settings, script=command[0], args=command[1:])
    except CaptureUsageError as exc:
        parser.print_usage(sys.stderr)
        _error(str(exc))
        return EXIT_ERROR
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execvpe(program, r_argv, env)
    except OSError as exc:
        _error(f"cannot start {program}: {exc.strerror or exc} (is R installed and on PATH?)")
        return EXIT_ERROR
    raise AssertionError("unreachable: execvpe returned")


def run_python(out: Path, settings: dict[str, Any], *, script: str | None = None,
               module: str | None = None, args: Sequence[str] = ()) -> int:
    """Run a Python script (or ``-m`` module) in this process with the capture installed;
    write the run directory when it ends normally with at least one recognised call."""
    # here, not at the top: an R script is handed to Rscript without loading NumPy and the
    # contract (0.1 s of every captured R side)
    from parity.capture.python_side import CaptureSession, call_label

    label = f"-m {module}" if module is not None else str(script)
    session = CaptureSession(out, settings=settings, script=label, args=list(args))
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    failure: int | None = None
    session.install()
    try:
        if module is not None:
            sys.argv = [module, *args]
            runpy.run_module(module, run_name="__main__", alter_sys=True)
        else:
            assert script is not None
            sys.argv = [script, *args]
            # as `python script.py`: the script's directory first on the path
            sys.path[0:1] = [os.path.dirname(os.path.realpath(script))]
            runpy.run_path(script, run_name="__main__")
    except SystemExit as exc:
        code = exc.code
        if code is not None and not isinstance(code, int):
            print(code, file=sys.stderr)  # as Python does with sys.exit("message")
            code = 1
        if code:
            failure = int(code)
    except KeyboardInterrupt:
        traceback.print_exc()
        failure = 130
    except BaseException as exc:  # the script's error: its traceback first, as Python prints it
        _print_traceback(exc)
        failure = EXIT_FAILED
    finally:
        session.uninstall()
        sys.argv[:], sys.path[:] = saved_argv, saved_path
    seen = ", ".join(call_label(c) for c in session.calls)
    what = f"the Python script {label}"
    if failure is not None:
        session.abort()
        n = len(session.calls)
        _error(f"{what} failed after {n} captured call{'s' if n != 1 else ''}: {seen}" if n
               else f"{what} failed before any captured call")
        return failure
    if not session.calls:
        session.abort()
        _error(f"{label} ran to its end but made no call the capture recognises ({_RECOGNISED})")
        return EXIT_FAILED
    try:
        session.finish()
    except Exception as exc:
        session.abort()
        _error(f"cannot write the run directory {out} after {what} ran ({seen}): {exc}")
        return EXIT_ERROR
    return EXIT_OK


def _print_traceback(exc: BaseException) -> None:
    """The traceback from the script's first frame (the driver's and runpy's frames left out)."""
    tb = exc.__traceback__
    here, runpy_file = os.path.dirname(os.path.abspath(__file__)), os.path.abspath(runpy.__file__)
    while tb is not None and (os.path.dirname(os.path.abspath(tb.tb_frame.f_code.co_filename)) == here
                              or os.path.abspath(tb.tb_frame.f_code.co_filename) == runpy_file
                              or tb.tb_frame.f_code.co_filename.startswith("<frozen runpy")):
        tb = tb.tb_next
    sys.stdout.flush()
    traceback.print_exception(type(exc), exc, tb)
