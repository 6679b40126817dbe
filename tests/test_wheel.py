"""Packaging: a wheel built from the checkout carries the R scripts; installed with no extra it
gives the caret port and ``parity stats`` on NumPy/SciPy/pandas alone (no TensorFlow, rpy2 or
matplotlib); installed with the extras' packages, ``parity audit`` runs outside the checkout.
Importing the packages changes no environment variable.

The wheel is built from a copy of the checkout (``pip wheel --no-deps``, or ``python -m build``
when available), so the checkout gets no build/ or egg-info. The venvs take their packages
from pip's ordinary configuration and cache (``-c constraints.txt``: the pinned versions).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from parity.paths import CHECKOUT

pytestmark = pytest.mark.skipif(CHECKOUT is None, reason="builds the wheel from a source checkout")

#: the environment before any test starts R (rpy2 adds R's LD_LIBRARY_PATH to os.environ)
ENV = {k: v for k, v in os.environ.items()
       if k not in ("PYTHONPATH", "PYTEST_ADDOPTS", "GITHUB_STEP_SUMMARY", "VIRTUAL_ENV")}
TABLE = '"","a","b","c"\n"a",2,1,0\n"b",1,1,0\n"c",0,0,1\n'


def _run(cmd, cwd, env=None, timeout=900) -> subprocess.CompletedProcess:
    """Run ``cmd`` in ``cwd`` with :data:`ENV` updated by ``env`` (None removes a variable)."""
    full = {k: v for k, v in {**ENV, **(env or {})}.items() if v is not None}
    return subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=full)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel of the checkout, built from a copy of it."""
    assert CHECKOUT is not None
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    shutil.copytree(CHECKOUT, src, symlinks=True, ignore=shutil.ignore_patterns(
        ".venv", ".git", ".keras", ".tox", "__pycache__", "*.egg-info", ".hypothesis",
        ".pytest_cache", ".ruff_cache", ".mypy_cache", "reports", "build", "dist"))
    out = tmp / "dist"
    if importlib.util.find_spec("build") is not None:
        cmd = [sys.executable, "-m", "build", "--wheel", "--outdir", out, src]
    else:
        cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", out, src]
    proc = _run(cmd, cwd=tmp)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (whl,) = out.glob("keras_caret_parity-*.whl")
    return whl


def test_wheel_carries_r_scripts_specs_schemas_and_the_plugin(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
        requires = [ln for ln in z.read(meta).decode().splitlines() if ln.startswith("Requires-Dist")]
        entry_points = z.read(meta.replace("METADATA", "entry_points.txt")).decode()
    for script in sorted(p.name for p in (CHECKOUT / "r_reference").glob("*.R")):
        assert f"parity/r_reference/{script}" in names
    assert {"parity/specs/tutorial.toml", "parity/schemas/parity-run-1.schema.json",
            "parity/pytest_plugin.py", "parity/presentation/pytest_plugin.py",
            "parity/contract/__init__.py", "python_impl/caret/toms708.py"} <= names
    core = sorted(r.split(":", 1)[1].split(";")[0].strip() for r in requires
                  if "extra ==" not in r and "python_version" not in r)
    assert core == ["numpy>=1.26", "pandas", "scipy"]
    # and, on Python 3.10 only, the TOML parser that 3.11 has built in
    assert [r.split(":", 1)[1].strip() for r in requires
            if "python_version" in r and "extra ==" not in r] == ['tomli>=2; python_version < "3.11"']
    assert "[pytest11]\nparity = parity.pytest_plugin" in entry_points


def test_no_environment_change_on_import(tmp_path):
    code = """
import importlib, os, pkgutil, json
before = dict(os.environ)
import parity, python_impl
failed = {}
for pkg in (parity, python_impl):
    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        if m.name.endswith("__main__"):  # runs a command
            continue
        try:
            importlib.import_module(m.name)
        except ImportError as exc:  # a module of an extra that is not installed
            failed[m.name] = str(exc)
after = dict(os.environ)
print(json.dumps({"changed": sorted(k for k in set(before) | set(after)
                                     if before.get(k) != after.get(k)), "failed": failed}))
"""
    proc = _run([sys.executable, "-c", code], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.splitlines()[-1])
    assert result == {"changed": [], "failed": {}}


def _venv(path: Path, *, pip: bool) -> Path:
    base = getattr(sys, "_base_executable", sys.executable)
    proc = _run([base, "-m", "venv", *([] if pip else ["--without-pip"]), path], cwd=path.parent)
    assert proc.returncode == 0, proc.stderr
    return path / "bin"


@pytest.mark.slow
def test_lean_install_has_stats_and_no_tensorflow_or_rpy2(wheel, tmp_path):
    """pip install of the wheel without extras: NumPy, SciPy, pandas (and their own deps)."""
    bin_ = _venv(tmp_path / "lean", pip=True)
    proc = _run([bin_ / "python", "-m", "pip", "install", "-q", "-c", CHECKOUT / "constraints.txt",
                 wheel], cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    listed = _run([bin_ / "python", "-m", "pip", "list", "--format=json"], cwd=tmp_path)
    installed = {p["name"].lower().replace("_", "-") for p in json.loads(listed.stdout)}
    assert {"numpy", "scipy", "pandas", "keras-caret-parity"} <= installed
    assert not installed & {"tensorflow", "tensorflow-cpu", "keras", "rpy2", "matplotlib", "dask",
                            "distributed", "jsonschema", "pytest"}, sorted(installed)

    work = tmp_path / "elsewhere"  # outside the checkout
    work.mkdir()
    (work / "table.csv").write_text(TABLE)
    proc = _run([bin_ / "parity", "--help"], cwd=work)
    assert proc.returncode == 0 and "stats" in proc.stdout, proc.stderr
    proc = _run([bin_ / "python", "-m", "parity", "stats", "--table", "table.csv", "--tidy",
                 "tidy.csv"], cwd=work)
    assert proc.returncode == 0, proc.stderr
    assert "Accuracy : 0.6667" in proc.stdout and "Prediction a b c" in proc.stdout
    assert (work / "tidy.csv").read_text().startswith("term,class,estimate,conf.low,conf.high,p.value\n")
    proc = _run([bin_ / "parity", "stats", "--table", "table.csv", "--json"], cwd=work)
    assert proc.returncode == 0 and json.loads(proc.stdout)["overall"]["AccuracyNull"] == 0.5

    # what needs an extra says which one
    proc = _run([bin_ / "parity", "stats", "--table", "table.csv", "--r"], cwd=work)
    assert proc.returncode == 2
    assert "pip install 'keras-caret-parity[r]'" in proc.stderr and "Traceback" not in proc.stderr
    proc = _run([bin_ / "parity", "audit", "--profile", "smoke", "--out", "rep"], cwd=work)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "not installed" in proc.stderr
    proc = _run([bin_ / "python", "-c", "from parity.paths import missing_extras; "
                 "print(missing_extras('audit', 'r'))"], cwd=work)
    assert "pip install 'keras-caret-parity[audit,r]'" in proc.stdout and "tensorflow" in proc.stdout
    proc = _run([bin_ / "python", "-c", "import parity.paths as p; print(p.INSTALLED, p.R_REFERENCE)"],
                cwd=work)
    installed_flag, r_reference = proc.stdout.split()
    assert installed_flag == "True" and Path(r_reference).is_relative_to(tmp_path / "lean")
    assert (Path(r_reference) / "fashion_mnist.R").is_file()


@pytest.mark.slow
@pytest.mark.r
def test_audit_runs_from_the_installed_wheel_outside_the_checkout(wheel, tmp_path, rscript):
    """The wheel in a venv of its own (pip --no-deps); its dependencies, the extras' packages
    included, come from this environment's site-packages through a .pth file (so no
    TensorFlow is downloaded). The checkout's parity is not importable there: the project is
    installed in this environment in editable mode, through a finder that only this
    environment's own .pth starts, and a .pth file's path lines do not run other .pth files."""
    bin_ = _venv(tmp_path / "full", pip=False)
    proc = _run([sys.executable, "-m", "pip", "--python", bin_ / "python", "install", "-q",
                 "--no-deps", wheel], cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    site = Path(_run([bin_ / "python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                     cwd=tmp_path).stdout.strip())
    (site / "deps_from_project_venv.pth").write_text(sysconfig.get_path("purelib") + "\n")
    work = tmp_path / "elsewhere"
    work.mkdir()
    where = _run([bin_ / "python", "-c", "import parity, python_impl; "
                  "print(parity.__file__, python_impl.__file__)"], cwd=work).stdout.split()
    assert all(Path(f).is_relative_to(site) for f in where), where

    # KERAS_HOME: the data (from a wheel there is no checkout .keras to default to)
    # the R side's Python (reticulate): the wheel's venv, as for any user of the wheel - unless
    # it is 3.12+, which Debian's reticulate 1.28 cannot use: then the one the tox env names
    # (PARITY_R_PYTHON, .venv's 3.11), as the README says for those envs
    r_side = None if sys.version_info < (3, 12) else os.environ.get("PARITY_R_PYTHON")
    env = {"KERAS_HOME": str(CHECKOUT / ".keras"), "TZ": "UTC", "PARITY_R_PYTHON": r_side,
           "RETICULATE_PYTHON": None}
    proc = _run([bin_ / "parity", "audit", "--profile", "smoke", "--out", "rep", "--quiet"],
                cwd=work, env=env, timeout=1200)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads((work / "rep" / "report.json").read_text())
    assert report["summary"]["outcome"] == "pass" and report["summary"]["fail"] == 0
    assert Path(report["config"]["spec_path"]).is_relative_to(site)
    r_log = (work / "rep" / "r_run.log").read_text()
    assert "Traceback" not in r_log
    assert (work / "rep" / "junit.xml").is_file() and (work / "rep" / "report.html").is_file()
