"""``parity doctor``: every component the audit needs, its version, and the fix when missing.

It reports what it saw: an ``Rscript`` that fails shows its exit status and the end of R's
error output, one that hangs is given up after :data:`RSCRIPT_TIMEOUT_S` seconds (environment
``PARITY_DOCTOR_TIMEOUT`` overrides it), and each Fashion-MNIST file is read in full with the
project's IDX reader (:func:`python_impl.idx.read_idx`), so a truncated or corrupt file is
reported with the fix, not passed because it exists.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from parity.orchestration.sides import r_python
from parity.paths import DEFAULT_KERAS_HOME, PROJECT_ROOT
from parity.rules.rbridge import r_home_problem
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
    text = " ".join(text.split())
    return text if len(text) <= _STDERR_TAIL else "..." + text[-_STDERR_TAIL:]


def _r_versions() -> tuple[dict[str, str] | None, str]:
    """R's and the R packages' versions, or None and what went wrong ("not found", the exit
    status and R's error output, or the timeout)."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        return None, "not found (no Rscript on PATH)"
    code = ('v <- c(R = paste(R.version$major, R.version$minor, sep = "."), '
            'sapply(c("caret", "e1071", "reticulate", "zeallot", "magrittr", "jsonlite", "keras"), '
            'function(p) if (requireNamespace(p, quietly = TRUE)) as.character(packageVersion(p)) else "")); '
            'cat(paste(names(v), v, sep = "=", collapse = "\\n"))')
    timeout = _timeout()
    try:
        # its own session, so that on a timeout the whole process group it started is ended
        proc = subprocess.Popen([rscript, "-e", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, text=True, start_new_session=True,
                                env=dict(os.environ, TZ=os.environ.get("TZ", "UTC")))
    except OSError as exc:
        return None, f"{rscript}: cannot be run ({exc})"
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
        return None, f"{rscript}: Rscript did not answer within {timeout:g} s"
    if proc.returncode != 0:
        detail = _tail(stderr) or _tail(stdout) or "no error output"
        return None, f"{rscript}: Rscript failed (exit {proc.returncode}): {detail}"
    versions = dict(line.split("=", 1) for line in stdout.splitlines() if "=" in line)
    if "R" not in versions:
        return None, f"{rscript}: Rscript printed no R version: {_tail(stdout) or 'nothing'}"
    return versions, ""


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
    rv, r_problem = _r_versions()
    rows.append(Component("R (Rscript)", rv is not None, rv["R"] if rv else r_problem,
                          f"{_APT} r-base-core r-base-dev (or ./setup.sh)"))
    if os.environ.get("R_HOME"):  # the embedded R (rpy2) starts there; Rscript ignores it
        problem = r_home_problem()
        rows.append(Component("R_HOME (embedded R, rpy2)", problem is None,
                              problem or os.environ["R_HOME"], "unset R_HOME, or set it to `R RHOME`"))
    for pkg, deb in (("caret", "r-cran-caret"), ("e1071", "r-cran-e1071"),
                     ("reticulate", "r-cran-reticulate"), ("zeallot", "r-cran-zeallot"),
                     ("magrittr", "r-cran-magrittr"), ("jsonlite", "r-cran-jsonlite")):
        v = (rv or {}).get(pkg, "")
        rows.append(Component(f"R package {pkg}", bool(v),
                              v or ("not installed" if rv is not None else "unknown (R did not run)"),
                              f"{_APT} {deb}"))
    keras_r = (rv or {}).get("keras", "")
    fallback = PROJECT_ROOT / "r_reference" / "keras_fallback.R"
    rows.append(Component(
        "R keras verbs", bool(keras_r) or fallback.exists(),
        f"CRAN keras {keras_r}" if keras_r else f"fallback {fallback.relative_to(PROJECT_ROOT)} "
        "(CRAN keras not installed; CRAN is unreachable here)",
        "restore r_reference/keras_fallback.R from git"))
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
    rp = r_python()
    rows.append(Component("R side's Python (RETICULATE_PYTHON)", Path(rp).exists(), rp, "./setup.sh"))
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
