"""``parity doctor``: every component the audit needs, its version, and the fix when missing."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from parity.paths import PROJECT_ROOT
from python_impl.idx import FASHION_MNIST_FILES

__all__ = ["Component", "diagnose", "blocking_problems"]

_APT = "apt-get install"


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


def _r_versions() -> dict[str, str] | None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        return None
    code = ('v <- c(R = paste(R.version$major, R.version$minor, sep = "."), '
            'sapply(c("caret", "e1071", "reticulate", "zeallot", "magrittr", "jsonlite", "keras"), '
            'function(p) if (requireNamespace(p, quietly = TRUE)) as.character(packageVersion(p)) else "")); '
            'cat(paste(names(v), v, sep = "=", collapse = "\\n"))')
    proc = subprocess.run([rscript, "-e", code], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, TZ=os.environ.get("TZ", "UTC")))
    if proc.returncode != 0:
        return None
    return dict(line.split("=", 1) for line in proc.stdout.splitlines() if "=" in line)


def diagnose() -> list[Component]:
    rows: list[Component] = []
    rv = _r_versions()
    rows.append(Component("R (Rscript)", rv is not None, rv["R"] if rv else "not found",
                          f"{_APT} r-base-core r-base-dev (or ./setup.sh)"))
    for pkg, deb in (("caret", "r-cran-caret"), ("e1071", "r-cran-e1071"),
                     ("reticulate", "r-cran-reticulate"), ("zeallot", "r-cran-zeallot"),
                     ("magrittr", "r-cran-magrittr"), ("jsonlite", "r-cran-jsonlite")):
        v = (rv or {}).get(pkg, "")
        rows.append(Component(f"R package {pkg}", bool(v), v or "not installed", f"{_APT} {deb}"))
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
    from parity.rrun import r_python

    rp = r_python()
    rows.append(Component("R side's Python (RETICULATE_PYTHON)", Path(rp).exists(), rp, "./setup.sh"))
    keras_home = Path(os.environ.get("KERAS_HOME", PROJECT_ROOT / ".keras"))
    rows.append(Component("KERAS_HOME", keras_home.is_dir(), str(keras_home), "./setup.sh"))
    data_dir = keras_home / "datasets" / "fashion-mnist"
    for name in FASHION_MNIST_FILES:
        f = data_dir / name
        rows.append(Component(f"dataset {name}", f.exists(),
                              f"{f.stat().st_size:,} bytes -> {f.resolve()}" if f.exists() else "missing",
                              f"{_APT} dataset-fashion-mnist && ./setup.sh"))
    chromium = shutil.which("chromium")
    rows.append(Component("chromium (to view report.html headless)", chromium is not None,
                          chromium or "not found", f"{_APT} chromium", required=False))
    return rows


def blocking_problems() -> list[str]:
    return [f"{r.component}: {r.version} (fix: {r.fix})" for r in diagnose() if r.required and not r.ok]
