"""``parity doctor``: every component the audit needs, its version, and the fix when missing.

It reports what it saw: an ``Rscript`` that fails shows its exit status and the end of R's
error output, one that hangs is given up after :data:`RSCRIPT_TIMEOUT_S` seconds (environment
``PARITY_DOCTOR_TIMEOUT`` overrides it), and each Fashion-MNIST file is read in full with the
project's IDX reader (:func:`python_impl.idx.read_idx`), so a truncated or corrupt file is
reported with the fix, not passed because it exists.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from parity.orchestration.sides import r_python
from parity.paths import DEFAULT_KERAS_HOME
from parity.rules.rbridge import r_home_problem
from parity.rules.rmeasures import MEASURE_PACKAGES_FIX
from parity.text import shorten
from python_impl.idx import FASHION_MNIST_FILES, IdxError, read_idx

__all__ = ["Component", "diagnose", "blocking_problems", "RSCRIPT_TIMEOUT_S"]

_APT = "apt-get install"
#: seconds ``Rscript`` may take to report its versions (``PARITY_DOCTOR_TIMEOUT`` overrides it).
RSCRIPT_TIMEOUT_S = 60.0
_STDERR_TAIL = 400  # characters of R's error output shown


@dataclass(frozen=True)
class Component:
    component: str
    ok: bool
    version: str
    fix: str = ""
    required: bool = True
    #: something usable but worth knowing (shown as "warn"; never blocks the audit)
    warning: str = ""


def _pkg(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _timeout() -> float:
    text = os.environ.get("PARITY_DOCTOR_TIMEOUT")
    if text is None:
        return RSCRIPT_TIMEOUT_S
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise ValueError(f"PARITY_DOCTOR_TIMEOUT={text!r}: expected a number of seconds > 0")
    return value


def _tail(text: str) -> str:
    return shorten(text, _STDERR_TAIL, keep="end")


class _Rscript:
    """One ``Rscript -e code``, started at once: the doctor's questions to R run side by side."""

    def __init__(self, code: str):
        self.rscript = shutil.which("Rscript")
        self.proc: subprocess.Popen | None = None
        self.problem = "" if self.rscript else "not found (no Rscript on PATH)"
        if self.rscript is None:
            return
        try:
            # its own session, so that on a timeout the whole process group it started is ended
            self.proc = subprocess.Popen([self.rscript, "-e", code], stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                                         start_new_session=True,
                                         env=dict(os.environ, TZ=os.environ.get("TZ", "UTC")))
        except OSError as exc:
            self.problem = f"{self.rscript}: cannot be run ({exc})"

    def answer(self, deadline: float, timeout: float) -> tuple[str | None, str]:
        """(standard output, "") or (None, what went wrong: the exit status and R's error
        output, or the timeout)."""
        if self.proc is None:
            return None, self.problem
        try:
            stdout, stderr = self.proc.communicate(timeout=max(deadline - time.monotonic(), 0.01))
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.communicate()
            return None, f"{self.rscript}: Rscript did not answer within {timeout:g} s"
        if self.proc.returncode != 0:
            detail = _tail(stderr) or _tail(stdout) or "no error output"
            return None, f"{self.rscript}: Rscript failed (exit {self.proc.returncode}): {detail}"
        return stdout, ""


#: R packages whose versions the doctor reports: the audit's, then caret's measures'
_R_PACKAGES = (("caret", "r-cran-caret"), ("e1071", "r-cran-e1071"),
               ("reticulate", "r-cran-reticulate"), ("zeallot", "r-cran-zeallot"),
               ("magrittr", "r-cran-magrittr"), ("jsonlite", "r-cran-jsonlite"))
#: what caret's postResample/summary functions load (pROC's AUC, ModelMetrics' log loss,
#: MLmetrics' PR AUC): parity stats --prob and the measures' tests
_MEASURE_PACKAGES = ("pROC", "ModelMetrics", "MLmetrics")
_VERSIONS_CODE = (
    'v <- c(R = paste(R.version$major, R.version$minor, sep = "."), sapply(c('
    + ", ".join(f'"{p}"' for p in [p for p, _ in _R_PACKAGES] + list(_MEASURE_PACKAGES))
    + '), function(p) if (requireNamespace(p, quietly = TRUE)) as.character(packageVersion(p)) else "")); '
    'cat(paste(names(v), v, sep = "=", collapse = "\\n"))')
#: which R keras library(keras) loads, and whether it runs here (starts no Python for ours)
KERAS_IMPLEMENTATION_CODE = ("cat(jsonlite::toJSON(parityrun::parity_keras_implementation(load = FALSE), "
                             "auto_unbox = TRUE))")
#: the Python R tensorflow recorded at installation (what a plain Rscript script uses)
R_TENSORFLOW_PYTHON_CODE = "cat(tensorflow::parity_python_config()$python)"
_R_PACKAGES_FIX = "./setup.sh, or Rscript r_packages/install.R"


def _r_versions(answer: tuple[str | None, str]) -> tuple[dict[str, str] | None, str]:
    """R's and the R packages' versions, or None and what went wrong."""
    stdout, problem = answer
    if stdout is None:
        return None, problem
    versions = dict(line.split("=", 1) for line in stdout.splitlines() if "=" in line)
    if "R" not in versions:
        return None, f"Rscript printed no R version: {_tail(stdout) or 'nothing'}"
    return versions, ""


def _keras_row(answer: tuple[str | None, str]) -> Component:
    """``parityrun::parity_keras_implementation(load = FALSE)``: name, version, library, runs,
    reason; a failure unless it runs."""
    name = "R keras (library(keras))"
    stdout, problem = answer
    if stdout is None:
        return Component(name, False, problem, _R_PACKAGES_FIX)
    try:
        info = json.loads(stdout)
    except ValueError:
        info = None
    if not isinstance(info, dict):
        return Component(name, False, f"unreadable answer from parityrun: {_tail(stdout) or 'nothing'}",
                         _R_PACKAGES_FIX)

    def text(key: str) -> str:
        value = info.get(key)
        return "NA" if value is None else str(value)

    return Component(name, text("runs") == "true",
                     f"{text('name')} {text('version')} from {text('library')}; runs: {text('runs')}; "
                     f"{text('reason')}", _R_PACKAGES_FIX)


def _r_python_row(answer: tuple[str | None, str]) -> Component:
    """The engine's Python for the R side, and the one a plain ``Rscript script.R`` uses:
    ``RETICULATE_PYTHON`` when set, else the one R tensorflow recorded at installation. A
    warning when they differ."""
    rp = r_python()
    stdout, problem = answer
    recorded = None if stdout is None else stdout.strip()
    chosen = os.environ.get("RETICULATE_PYTHON") or ""
    shown = f"{rp}; R tensorflow's recorded Python: {recorded or 'unknown'}"
    if chosen:
        shown += f" (RETICULATE_PYTHON={chosen} overrides it)"
    plain = chosen or recorded
    warning = ""
    if plain is None:
        warning = f"R tensorflow's recorded Python is unknown: {problem}"
    elif plain in ("", "NA"):
        warning = "R tensorflow records no Python (not installed by r_packages/install.R?)"
    elif os.path.abspath(plain) != os.path.abspath(rp):
        warning = (f"a plain `Rscript script.R` uses {plain}"
                   + (" (RETICULATE_PYTHON)" if chosen else " (recorded by R tensorflow)")
                   + f", the audit gives the R side {rp}; ./setup.sh in this checkout records its "
                   ".venv (RETICULATE_PYTHON overrides the record)")
    return Component("R side's Python (RETICULATE_PYTHON)", Path(rp).exists(), shown, "./setup.sh",
                     warning=warning)


def _dataset_row(path: Path, shape: tuple[int, ...]) -> Component:
    """One Fashion-MNIST file, read in full: present, complete, and of the expected shape."""
    fix = f"{_APT} --reinstall dataset-fashion-mnist && ./setup.sh"
    name = f"dataset {path.name}"
    if not path.exists():
        return Component(name, False, f"missing ({path})", fix)
    try:
        arr = read_idx(path, expected_shape=shape)
    except IdxError as exc:
        return Component(name, False, f"unreadable: {exc}", fix)
    except OSError as exc:
        return Component(name, False, f"unreadable: {path}: {exc}", fix)
    return Component(name, True, f"{' x '.join(map(str, arr.shape))}, {path.stat().st_size:,} bytes "
                                 f"-> {path.resolve()}", fix)


def diagnose() -> list[Component]:
    rows: list[Component] = []
    timeout = _timeout()
    deadline = time.monotonic() + timeout
    asked = [_Rscript(code) for code in (_VERSIONS_CODE, KERAS_IMPLEMENTATION_CODE,
                                         R_TENSORFLOW_PYTHON_CODE)]
    versions, keras, r_tf_python = (q.answer(deadline, timeout) for q in asked)
    rv, r_problem = _r_versions(versions)
    rows.append(Component("R (Rscript)", rv is not None, rv["R"] if rv else r_problem,
                          f"{_APT} r-base-core r-base-dev (or ./setup.sh)"))
    if os.environ.get("R_HOME"):  # the embedded R (rpy2) starts there; Rscript ignores it
        problem = r_home_problem()
        rows.append(Component("R_HOME (embedded R, rpy2)", problem is None,
                              problem or os.environ["R_HOME"], "unset R_HOME, or set it to `R RHOME`"))

    def version(pkg: str) -> str:
        return (rv or {}).get(pkg, "") or ("not installed" if rv is not None else "unknown (R did not run)")

    for pkg, deb in _R_PACKAGES:
        rows.append(Component(f"R package {pkg}", bool((rv or {}).get(pkg)), version(pkg), f"{_APT} {deb}"))
    for pkg in _MEASURE_PACKAGES:  # parity stats --prob, not the tutorial's audit
        rows.append(Component(f"R package {pkg} (caret's measures)", bool((rv or {}).get(pkg)),
                              version(pkg), MEASURE_PACKAGES_FIX, required=False))
    rows.append(_keras_row(keras))
    rpy2 = _pkg("rpy2")
    rows.append(Component("rpy2", rpy2 is not None, rpy2 or "not installed",
                          "./setup.sh (pins rpy2 3.5.x)"))
    rows.append(Component("Python", True, f"{platform.python_version()} ({sys.executable})"))
    tf = _pkg("tensorflow-cpu") or _pkg("tensorflow")
    rows.append(Component("TensorFlow", tf is not None, tf or "not installed", "./setup.sh"))
    legacy = os.environ.get("TF_USE_LEGACY_KERAS") == "1"
    keras_py = _pkg("tf-keras") if legacy else _pkg("keras")
    rows.append(Component("Keras", keras_py is not None,
                          (keras_py or "not installed")
                          + (" (tf-keras, TF_USE_LEGACY_KERAS=1)" if legacy else ""),
                          "pip install tf-keras (legacy) or ./setup.sh"))
    np_v = _pkg("numpy") or "?"
    rows.append(Component("NumPy (< 2 for reticulate 1.28)", np_v.split(".")[0] == "1", np_v,
                          "./setup.sh (pins numpy<2: Debian's reticulate 1.28 cannot use NumPy 2)",
                          required=False))
    rows.append(_r_python_row(r_tf_python))
    # an empty KERAS_HOME is unset, as both sides treat it (python_impl.keras_env, parity_run.R)
    keras_home = Path(os.environ.get("KERAS_HOME") or DEFAULT_KERAS_HOME)
    note = " (KERAS_HOME is empty: treated as unset, the default)" if "KERAS_HOME" in os.environ \
        and not os.environ["KERAS_HOME"] else ""
    rows.append(Component("KERAS_HOME", keras_home.is_dir(), f"{keras_home}{note}", "./setup.sh"))
    data_dir = keras_home / "datasets" / "fashion-mnist"
    for name, shape in FASHION_MNIST_FILES.items():
        rows.append(_dataset_row(data_dir / name, shape))
    chromium = shutil.which("chromium")
    rows.append(Component("chromium (to view report.html headless)", chromium is not None,
                          chromium or "not found", f"{_APT} chromium", required=False))
    return rows


def blocking_problems() -> list[str]:
    return [f"{r.component}: {r.version} (fix: {r.fix})" for r in diagnose() if r.required and not r.ok]
