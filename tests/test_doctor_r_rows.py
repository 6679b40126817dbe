"""``parity doctor``'s R rows, with real R: caret's measures' packages (pROC, ModelMetrics,
MLmetrics), which R keras ``library(keras)`` loads and whether it runs
(``parityrun::parity_keras_implementation(load = FALSE)``), and the Python R tensorflow
recorded against the one the audit gives the R side.

A missing package is made by R's own library path: ``R_LIBS_SITE`` pointing to a library that
lacks it (this machine's Renviron.site keeps /usr/local/lib/R/site-library first), and a real
R keras (a DESCRIPTION without our ``Implementation`` field) first on ``R_LIBS``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from parity.orchestration import doctor

pytestmark = pytest.mark.r

DEBIAN_LIBRARY = Path("/usr/lib/R/site-library")


def _row(rows, name):
    return next(r for r in rows if r.component == name)


@pytest.mark.r
def test_rows_present_and_the_r_side_python_compared(rscript, monkeypatch, tmp_path):
    other = tmp_path / "python3"  # an R side's Python other than the one R tensorflow recorded
    other.symlink_to("/usr/bin/python3")
    monkeypatch.setenv("PARITY_R_PYTHON", str(other))
    monkeypatch.delenv("RETICULATE_PYTHON", raising=False)
    rows = doctor.diagnose()
    for pkg in ("pROC", "ModelMetrics", "MLmetrics"):
        r = _row(rows, f"R package {pkg} (caret's measures)")
        assert r.ok and r.version[0].isdigit(), r
    keras = _row(rows, "R keras (library(keras))")
    assert keras.ok and keras.required and "runs: true" in keras.version, keras
    assert keras.version.startswith(("keras (keras-caret-parity) ", "keras (CRAN) "))
    assert "R keras verbs" not in {r.component for r in rows}  # the old fallback-file check
    python = _row(rows, "R side's Python (RETICULATE_PYTHON)")
    assert python.ok and python.version.startswith(f"{other}; R tensorflow's recorded Python: /")
    assert python.warning.startswith("a plain `Rscript script.R` uses /") and str(other) in python.warning
    monkeypatch.setenv("RETICULATE_PYTHON", str(other))  # the user's choice: what plain Rscript uses
    python = doctor._r_python_row((python.version.split("recorded Python: ")[1] + "\n", ""))
    assert not python.warning and "(RETICULATE_PYTHON=" in python.version


@pytest.mark.r
def test_missing_measure_package_and_a_keras_that_cannot_run(rscript, monkeypatch, tmp_path):
    if not (DEBIAN_LIBRARY / "pROC").is_dir():
        pytest.skip(f"pROC is not in {DEBIAN_LIBRARY}")
    lib = tmp_path / "lib"  # Debian's R packages without pROC
    lib.mkdir()
    for pkg in DEBIAN_LIBRARY.iterdir():
        if pkg.name != "pROC":
            (lib / pkg.name).symlink_to(pkg)
    real = tmp_path / "real" / "keras"  # a real R keras 2.16: it cannot run on Keras 3
    real.mkdir(parents=True)
    (real / "DESCRIPTION").write_text("Package: keras\nVersion: 2.16.1\n"
                                      "Built: R 4.2.2; ; 2026-01-01 00:00:00 UTC; unix\n")
    monkeypatch.setenv("R_LIBS_SITE", str(lib))
    monkeypatch.setenv("R_LIBS", str(tmp_path / "real"))
    rows = doctor.diagnose()
    proc = _row(rows, "R package pROC (caret's measures)")
    assert not proc.ok and proc.version == "not installed" and not proc.required
    assert proc.fix.startswith("apt-get install r-cran-proc r-cran-modelmetrics r-cran-mlmetrics")
    assert not _row(rows, "R package caret").ok  # caret imports pROC: not loadable without it
    keras = _row(rows, "R keras (library(keras))")
    assert not keras.ok and keras.required
    assert keras.version.startswith(f"keras (CRAN) 2.16.1 from {tmp_path / 'real'}; runs: false; ")
    assert keras.fix == "./setup.sh, or Rscript r_packages/install.R"
    assert any(p.startswith("R keras (library(keras)): keras (CRAN)") for p in
               [f"{r.component}: {r.version}" for r in rows if r.required and not r.ok])


def test_an_rscript_that_cannot_answer_is_shown():
    keras = doctor._keras_row((None, "Rscript failed (exit 1): there is no package called 'parityrun'"))
    assert not keras.ok and "no package called 'parityrun'" in keras.version
    assert keras.fix == "./setup.sh, or Rscript r_packages/install.R"
    unknown = doctor._r_python_row((None, "Rscript failed (exit 1)"))
    assert unknown.warning.startswith("R tensorflow's recorded Python is unknown")
